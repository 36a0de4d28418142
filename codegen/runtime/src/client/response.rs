//! HTTP responses into typed ones: the generated [`Response`] implementations pick the variant
//! by status and decode its body and headers through [`Incoming`].

use crate::decode::DecodeError;
use crate::validate::{Validate, Violations};
use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;
use std::str::FromStr;

/// A typed response enum of one operation (one variant per documented status). Generated.
pub trait Response: Sized + Send + 'static {
    /// What a successful call returns: the body of the one documented success status, or the
    /// whole enum when the document gives several.
    type Success: Send + 'static;

    /// The variant for the answer, or `None` when its status is not documented.
    fn decode(incoming: &Incoming) -> Result<Option<Self>, Mismatch>;

    /// The success, or the documented error variant as it is.
    fn split(self) -> Result<Self::Success, Self>;
}

/// Why an answer does not fit the variant its status documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The body (or a header) could not be decoded into its type; the pointer says where.
    Decode(DecodeError),
    /// It decoded but breaks the document's rules (only with `Config::check_responses`).
    Rules(Violations),
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::Decode(e) => write!(f, "the body does not fit its schema at {e}"),
            Mismatch::Rules(v) => write!(f, "the body breaks the document's rules: {v}"),
        }
    }
}

/// An answer as received, handed to the generated decoding.
pub struct Incoming {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
    pub(super) check: bool,
}

impl std::fmt::Debug for Incoming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Incoming")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Incoming {
    /// An answer (also for tests of generated decoding).
    pub fn new(status: u16, headers: HeaderMap, body: Bytes) -> Self {
        Incoming {
            status,
            headers,
            body,
            check: false,
        }
    }

    /// The status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `Content-Type` essence, lower case.
    pub(super) fn media(&self) -> Option<String> {
        let v = self
            .headers
            .get(http::header::CONTENT_TYPE)?
            .to_str()
            .ok()?;
        Some(crate::media::essence(v))
    }

    /// The body as JSON of type `T`, checked against the document's rules when the client
    /// asks for it.
    pub fn json<T: DeserializeOwned + Validate>(&self) -> Result<T, Mismatch> {
        if let Some(media) = self.media() {
            if !crate::media::is_json(&media) {
                return Err(Mismatch::Decode(DecodeError {
                    pointer: String::new(),
                    message: format!("the body is {media}, not JSON"),
                    line: 0,
                    column: 0,
                }));
            }
        }
        let decoded = crate::decode::from_slice::<T>(&self.body).map_err(Mismatch::Decode)?;
        if self.check {
            if let Err(v) = decoded.value.validate() {
                return Err(Mismatch::Rules(v));
            }
        }
        Ok(decoded.value)
    }

    /// The body as text (media types other than JSON).
    pub fn text(&self) -> Result<String, Mismatch> {
        String::from_utf8(self.body.to_vec()).map_err(|e| {
            Mismatch::Decode(DecodeError {
                pointer: String::new(),
                message: format!("the body is not UTF-8: {e}"),
                line: 0,
                column: 0,
            })
        })
    }

    /// A required response header, parsed.
    pub fn header<T: FromStr>(&self, name: &'static str) -> Result<T, Mismatch> {
        self.header_opt(name)?
            .ok_or_else(|| header_mismatch(name, String::from("required, but missing")))
    }

    /// An optional response header, parsed.
    pub fn header_opt<T: FromStr>(&self, name: &'static str) -> Result<Option<T>, Mismatch> {
        let Some(v) = self.headers.get(name) else {
            return Ok(None);
        };
        let text = v
            .to_str()
            .map_err(|_| header_mismatch(name, String::from("not visible ASCII")))?;
        text.parse::<T>()
            .map(Some)
            .map_err(|_| header_mismatch(name, format!("{text:?} is not of its type")))
    }
}

fn header_mismatch(name: &str, why: String) -> Mismatch {
    Mismatch::Decode(DecodeError {
        pointer: String::new(),
        message: format!("response header `{name}`: {why}"),
        line: 0,
        column: 0,
    })
}

/// A successful call: the typed value with what came with it. Its `Debug` shows the value
/// (where credentials are [`Secret`](crate::Secret)s) and the body's length, not the body.
#[derive(Clone)]
pub struct Reply<T> {
    /// The typed success.
    pub value: T,
    /// The status.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body as received (shared, not copied), for logs and signatures.
    pub body: Bytes,
    /// The `x-fapi-interaction-id` of the call: the server's echo, else the one sent.
    pub interaction_id: Option<String>,
}

impl<T: std::fmt::Debug> std::fmt::Debug for Reply<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("value", &self.value)
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("interaction_id", &self.interaction_id)
            .finish()
    }
}

impl<T> Reply<T> {
    /// The typed value alone.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> std::ops::Deref for Reply<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}
