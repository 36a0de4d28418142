//! Writing responses: the typed response a back-end returns becomes status, headers and body,
//! checked against the document when the response check is on; errors go out in the Open
//! Finance error envelope, never longer than the documents allow.

use crate::envelope::{ErrorEnvelope, ErrorItem};
use crate::rules::Rules;
use crate::validate::{Validate, Validator};
use serde::Serialize;
use std::fmt::Display;

/// The documents allow at most this many items in `errors`.
pub(crate) const MAX_ERRORS: usize = 13;
/// ... and at most this many characters in a `detail`.
pub(crate) const MAX_DETAIL: usize = 2048;

/// A typed response that knows how to write itself: implemented by the generated response
/// enums, one arm per documented status.
pub trait IntoReply {
    /// Writes status, headers and body into `reply`.
    fn into_reply(self, reply: &mut Reply);
}

/// A response being written, with what the check found wrong in it.
#[derive(Debug)]
pub struct Reply {
    check: bool,
    pub(crate) status: u16,
    pub(crate) content_type: Option<&'static str>,
    pub(crate) body: Vec<u8>,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) problems: Vec<String>,
    /// The body is to be signed (`application/jwt`) before it leaves.
    pub(crate) sign: bool,
}

impl Reply {
    /// An empty 200; `check` validates what is written into it.
    pub(crate) fn new(check: bool) -> Self {
        Reply {
            check,
            status: 200,
            content_type: None,
            body: Vec::new(),
            headers: Vec::new(),
            problems: Vec::new(),
            sign: false,
        }
    }

    fn checked(&mut self, place: &str, f: impl FnOnce(&mut Validator)) {
        if !self.check {
            return;
        }
        let mut v = Validator::new();
        f(&mut v);
        self.problems.extend(
            v.into_violations()
                .into_iter()
                .map(|x| format!("{place}: {x}")),
        );
    }

    /// The documented status of the response.
    pub fn status(&mut self, status: u16) {
        self.status = status;
    }

    /// A status in a range such as `4XX` (`hundreds` = 4) or, with `None`, any status the
    /// back-end chose for a `default` response.
    pub fn status_in(&mut self, status: u16, hundreds: Option<u16>) {
        self.status = status;
        let valid = (100..=599).contains(&status) && hundreds.is_none_or(|h| status / 100 == h);
        if !valid {
            self.problems.push(match hundreds {
                Some(h) => format!("status {status} is not in the documented range {h}XX"),
                None => format!("status {status} is not an HTTP status"),
            });
        }
    }

    /// A JSON body.
    pub fn json<T: Serialize + Validate>(&mut self, body: &T) {
        self.checked("body", |v| body.validate_into(v));
        let mut bytes = Vec::with_capacity(1024);
        match serde_json::to_writer(&mut bytes, body) {
            Ok(()) => {
                self.body = bytes;
                self.content_type = Some("application/json; charset=utf-8");
            }
            Err(e) => self.problems.push(format!("body: cannot be written: {e}")),
        }
    }

    /// A signed body: written as JSON here, signed by the router's signer
    /// ([`Config::with_signer`](super::Config::with_signer)) as it leaves, as `application/jwt`.
    pub fn signed<T: Serialize + Validate>(&mut self, body: &T) {
        self.json(body);
        self.content_type = Some(crate::jws::MEDIA);
        self.sign = true;
    }

    /// A body of a non-JSON media type, as text.
    pub fn text(&mut self, media: &'static str, body: &str) {
        self.body = body.as_bytes().to_vec();
        self.content_type = Some(media);
    }

    /// A response header.
    pub fn header<T: Display + Validate>(&mut self, name: &'static str, value: &T, rules: &Rules) {
        self.checked(&format!("header `{name}`"), |v| {
            value.validate_with(v, rules)
        });
        let text = value.to_string();
        if http::HeaderValue::from_str(&text).is_err() {
            self.problems.push(format!(
                "header `{name}`: {text:?} is not a valid header value"
            ));
            return;
        }
        self.headers.push((name, text));
    }

    /// An optional response header: nothing is written for `None`.
    pub fn header_opt<T: Display + Validate>(
        &mut self,
        name: &'static str,
        value: &Option<T>,
        rules: &Rules,
    ) {
        if let Some(v) = value {
            self.header(name, v, rules);
        }
    }
}

/// An error answer in the envelope: what the back-end's error hook returns, and what the
/// runtime sends for requests it refuses.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub envelope: ErrorEnvelope,
}

impl Failure {
    /// A failure with this status and one error item; a `detail` longer than the documents
    /// allow (2,048 characters) is cut.
    pub fn new(
        status: u16,
        code: impl Into<String>,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Failure {
            status,
            envelope: ErrorEnvelope::single(code, title, truncate(detail.into(), MAX_DETAIL)),
        }
    }

    /// A failure with one item per detail, cut to what the envelope allows (13 items of at
    /// most 2,048 characters; the last item says how many more there were, counting `omitted`:
    /// problems found but never built).
    pub fn many(
        status: u16,
        code: &str,
        title: &str,
        details: impl IntoIterator<Item = String>,
        omitted: usize,
    ) -> Self {
        let details: Vec<String> = details.into_iter().collect();
        let total = details.len() + omitted;
        let room = if total > MAX_ERRORS {
            MAX_ERRORS - 1
        } else {
            MAX_ERRORS
        };
        let mut items: Vec<ErrorItem> = details
            .into_iter()
            .take(room)
            .map(|d| ErrorItem::new(code, title, truncate(d, MAX_DETAIL)))
            .collect();
        if total > items.len() {
            let more = total - items.len();
            items.push(ErrorItem::new(
                code,
                title,
                format!("and {more} more problems of the same request"),
            ));
        }
        if items.is_empty() {
            items.push(ErrorItem::new(code, title, title));
        }
        Failure {
            status,
            envelope: ErrorEnvelope::new(items),
        }
    }

    /// The answer to a back-end error: a 500 that says nothing of the back-end's internals
    /// (the error itself goes to the log).
    pub fn internal(error: &dyn Display) -> Self {
        tracing::error!(error = %error, "the back-end failed");
        Failure::new(
            500,
            "INTERNAL_SERVER_ERROR",
            "Internal server error",
            "The request could not be completed; the error is logged with this interaction id.",
        )
    }
}

/// `s` cut to at most `max` characters, on a character boundary.
fn truncate(s: String, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => {
            let mut t = s;
            t.truncate(i);
            t
        }
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_problems_fit_the_envelope() {
        let f = Failure::many(400, "C", "T", (0..20).map(|i| format!("p{i}")), 0);
        assert_eq!(f.envelope.errors.len(), 13);
        assert_eq!(f.envelope.errors[11].detail, "p11");
        assert_eq!(
            f.envelope.errors[12].detail,
            "and 8 more problems of the same request"
        );
        assert!(f.envelope.validate().is_ok());
        let long = Failure::many(400, "C", "T", ["é".repeat(3000)], 0);
        assert_eq!(long.envelope.errors[0].detail.chars().count(), 2048);
        assert!(long.envelope.validate().is_ok());
        assert_eq!(Failure::many(400, "C", "T", [], 0).envelope.errors.len(), 1);
        let counted = Failure::many(400, "C", "T", (0..13).map(|i| format!("p{i}")), 1000);
        assert_eq!(counted.envelope.errors.len(), 13);
        assert_eq!(
            counted.envelope.errors[12].detail,
            "and 1001 more problems of the same request"
        );
        let few = Failure::many(400, "C", "T", [String::from("p")], 5);
        assert_eq!(few.envelope.errors.len(), 2);
        assert_eq!(
            few.envelope.errors[1].detail,
            "and 5 more problems of the same request"
        );
        let one = Failure::new(400, "C", "T", "x".repeat(100_000));
        assert_eq!(one.envelope.errors[0].detail.len(), 2048);
    }

    #[test]
    fn the_check_reports_what_breaks_the_document() {
        static SHORT: Rules = Rules {
            max_length: Some(2),
            ..Rules::NONE
        };
        let mut r = Reply::new(true);
        r.status_in(404, Some(5));
        r.header("x-v", &String::from("long"), &SHORT);
        r.header("x-bad", &String::from("a\nb"), &Rules::NONE);
        assert_eq!(r.problems.len(), 3, "{:?}", r.problems);
        let mut off = Reply::new(false);
        off.header("x-v", &String::from("long"), &SHORT);
        assert!(off.problems.is_empty());
    }
}
