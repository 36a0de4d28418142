//! A failed call, with everything the server sent when it sent something.

use super::response::Mismatch;
use super::token::TokenError;
use crate::envelope::ErrorEnvelope;
use crate::validate::Violations;
use bytes::Bytes;
use http::HeaderMap;
use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// An answer as received: kept whole in every error that comes from one. Its `Debug` shows the
/// body's length, not the body, which may carry tokens.
#[derive(Clone)]
pub struct Raw {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, as sent.
    pub body: Bytes,
}

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Raw")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl Raw {
    /// The body as text, with invalid UTF-8 replaced.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// The body read as the Open Finance error envelope, where it is one: also for statuses
    /// the document does not list, which regulated servers answer in the same format.
    pub fn envelope(&self) -> Option<ErrorEnvelope> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// A failed call: which operation, the interaction id it went out with, and what happened.
#[derive(Debug)]
pub struct Error<R> {
    /// The operation's function name.
    pub operation: &'static str,
    /// The `x-fapi-interaction-id` the call was sent with (or the server's echo), for the
    /// support ticket.
    pub interaction_id: Option<String>,
    /// What happened (boxed: a call's `Result` stays small on the success path).
    pub kind: Box<ErrorKind<R>>,
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind<R> {
    /// The server answered a documented status that is not a success; `response` is its typed
    /// variant (the error envelope, for the regulated documents).
    Status {
        /// The typed response.
        response: R,
        /// The answer as received.
        raw: Raw,
    },
    /// The server answered a status the document does not list.
    Undocumented {
        /// The answer as received.
        raw: Raw,
    },
    /// The answer's status is documented but its body does not fit the schema (a gateway's
    /// HTML page, a missing member, a string where a number belongs).
    Mismatch {
        /// Where and why, with the JSON pointer of the failure.
        mismatch: Mismatch,
        /// The answer as received.
        raw: Raw,
    },
    /// No complete answer within the deadline.
    Timeout {
        /// The deadline.
        after: Duration,
    },
    /// The connection could not be made (refused, DNS, TLS handshake).
    Connect {
        /// The transport's error.
        source: reqwest::Error,
    },
    /// The answer's body is longer than the client reads (`Config::max_body`).
    BodyTooLarge {
        /// The answer's status.
        status: u16,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The connection failed while sending or receiving.
    Transport {
        /// The transport's error.
        source: reqwest::Error,
    },
    /// The request breaks the document's rules; it was not sent.
    Invalid {
        /// Every violation, at its pointer.
        violations: Violations,
    },
    /// The token provider gave no token; nothing was sent.
    Token(TokenError),
}

impl<R> Error<R> {
    /// The status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.raw().map(|r| r.status)
    }

    /// The answer as received, when there was one.
    pub fn raw(&self) -> Option<&Raw> {
        match &*self.kind {
            ErrorKind::Status { raw, .. }
            | ErrorKind::Undocumented { raw }
            | ErrorKind::Mismatch { raw, .. } => Some(raw),
            _ => None,
        }
    }

    /// The typed documented error response, when that is what came back.
    pub fn response(&self) -> Option<&R> {
        match &*self.kind {
            ErrorKind::Status { response, .. } => Some(response),
            _ => None,
        }
    }

    /// Whether the deadline passed.
    pub fn is_timeout(&self) -> bool {
        matches!(*self.kind, ErrorKind::Timeout { .. })
    }
}

/// Text from the server, with control characters written as `\u{..}` escapes.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_unicode())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

impl<R> fmt::Display for Error<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.operation)?;
        match &*self.kind {
            ErrorKind::Status { raw, .. } => {
                write!(f, "the server answered {}", raw.status)?;
                if let Some(first) = raw.envelope().and_then(|e| e.errors.into_iter().next()) {
                    // The server's words, with control characters escaped: a CR or LF in them
                    // must not forge lines in the caller's logs.
                    write!(f, " ({}: {})", Escaped(&first.code), Escaped(&first.title))?;
                }
            }
            ErrorKind::Undocumented { raw } => {
                write!(
                    f,
                    "the server answered {}, a status the document does not list ({}, {} bytes)",
                    raw.status,
                    raw.content_type().unwrap_or("no content type"),
                    raw.body.len()
                )?;
            }
            ErrorKind::Mismatch { mismatch, raw } => {
                write!(f, "the {} answer does not fit: {mismatch}", raw.status)?;
            }
            ErrorKind::Timeout { after } => write!(f, "no answer within {after:?}")?,
            ErrorKind::Connect { source } => write!(f, "cannot connect: {source}")?,
            ErrorKind::BodyTooLarge { status, limit } => write!(
                f,
                "the {status} answer's body is longer than the {limit} bytes this client reads"
            )?,
            ErrorKind::Transport { source } => write!(f, "the connection failed: {source}")?,
            ErrorKind::Invalid { violations } => write!(
                f,
                "the request was not sent, it breaks the document: {violations}"
            )?,
            ErrorKind::Token(e) => write!(f, "{e}")?,
        }
        if let Some(id) = &self.interaction_id {
            write!(f, " [x-fapi-interaction-id {id}]")?;
        }
        Ok(())
    }
}

impl<R: fmt::Debug> std::error::Error for Error<R> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.kind {
            ErrorKind::Connect { source } | ErrorKind::Transport { source } => Some(source),
            ErrorKind::Token(e) => Some(e),
            _ => None,
        }
    }
}
