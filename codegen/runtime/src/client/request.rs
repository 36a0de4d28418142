//! Typed requests into HTTP: the path template filled and percent-encoded, the query, the
//! headers and the body, written by the generated [`Request`] implementations.

use super::response::Response;
use crate::validate::Validate;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::Serialize;
use std::fmt::Display;

/// What the runtime needs to know of an operation to call it.
#[derive(Debug)]
pub struct Endpoint {
    /// The function name (`get_accounts`).
    pub name: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// The path template as the document writes it (`/accounts/{accountId}`).
    pub path: &'static str,
    /// The `Accept` header: the documented response media types.
    pub accept: &'static str,
    /// Whether the operation declares `x-fapi-interaction-id`: then every call sends one.
    pub interaction_id: bool,
    /// Whether the document opens the operation to anyone (`security: []`): then no token is
    /// asked for or sent (a session's own login call, say).
    pub anonymous: bool,
    /// Whether a documented answer is signed (`application/jwt` with a schema): such an
    /// answer is verified by the client's verifier before it is decoded.
    pub signed_response: bool,
}

/// A typed request of one operation. Generated for each request struct.
pub trait Request: Validate + Send + 'static {
    /// The operation.
    const ENDPOINT: &'static Endpoint;

    /// The typed answer of the operation.
    type Response: Response;

    /// Writes path parameters, query, headers and body into `out`. The `x-fapi-interaction-id`
    /// is not written here: the runtime sends the one of the call.
    fn write(&self, out: &mut Outgoing);

    /// The `x-fapi-interaction-id` the caller set in the request, if any.
    fn interaction_id(&self) -> Option<&str> {
        None
    }

    /// Records the interaction id of the call in the request (so that validation sees it).
    fn set_interaction_id(&mut self, id: &str) {
        let _ = id;
    }
}

/// A list operation of the regulated scheme (`page`, `page-size`, `links.next`): its pages can
/// be walked with [`Core::pages`](super::Core::pages). Generated for those request structs only,
/// so that asking for the pages of anything else does not compile.
pub trait Paged: Request {}

/// Characters escaped in a path segment: controls, space, and what would end or split it.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

/// Characters escaped in a cookie value: what RFC 6265 keeps out of cookie octets (controls,
/// space, `"`, `,`, `;`, `\\`), and `%` so that the encoding reads back.
const COOKIE_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%');

/// An HTTP request being written from a typed one.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub(super) path: String,
    pub(super) query: Vec<(String, String)>,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) body: Option<(&'static str, Vec<u8>)>,
    /// The body is JSON to be signed as it is sent (`application/jwt` with a schema).
    pub(super) signed: bool,
    pub(super) problems: Vec<String>,
}

impl Outgoing {
    /// A request on `template`, whose `{name}`s [`Outgoing::path`] fills.
    pub fn new(template: &'static str) -> Self {
        Outgoing {
            path: template.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            signed: false,
            problems: Vec::new(),
        }
    }

    /// Fills the path parameter `name`, percent-encoded so that a value cannot leave its
    /// segment.
    pub fn path<T: Display + ?Sized>(&mut self, name: &str, value: &T) {
        let text = value.to_string();
        if text.is_empty() {
            self.problems
                .push(format!("path parameter `{name}` is empty"));
        }
        // URLs drop `.` and `..` segments, which would call another resource.
        if text == "." || text == ".." {
            self.problems.push(format!(
                "path parameter `{name}` is {text:?}, which a URL cannot carry as a segment"
            ));
        }
        let encoded = utf8_percent_encode(&text, SEGMENT).to_string();
        self.path = self.path.replace(&format!("{{{name}}}"), &encoded);
    }

    /// Fills the path parameter `name` with a comma-separated list.
    pub fn path_list<T: Display>(&mut self, name: &str, values: &[T]) {
        self.path(name, &join(values));
    }

    /// A query parameter.
    pub fn query<T: Display + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.query.push((name.to_owned(), value.to_string()));
    }

    /// An optional query parameter: nothing is written for `None`.
    pub fn query_opt<T: Display>(&mut self, name: &'static str, value: &Option<T>) {
        if let Some(v) = value {
            self.query(name, v);
        }
    }

    /// An array in the query: `name=a&name=b` when `explode`, else `name=a,b`.
    pub fn query_list<T: Display>(&mut self, name: &'static str, values: &[T], explode: bool) {
        if explode {
            for v in values {
                self.query(name, v);
            }
        } else {
            self.query(name, &join(values));
        }
    }

    /// An optional array in the query.
    pub fn query_list_opt<T: Display>(
        &mut self,
        name: &'static str,
        values: &Option<Vec<T>>,
        explode: bool,
    ) {
        if let Some(v) = values {
            self.query_list(name, v, explode);
        }
    }

    /// A request header.
    pub fn header<T: Display + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.headers.push((name, value.to_string()));
    }

    /// An optional request header.
    pub fn header_opt<T: Display>(&mut self, name: &'static str, value: &Option<T>) {
        if let Some(v) = value {
            self.header(name, v);
        }
    }

    /// An array in a header, comma-separated.
    pub fn header_list<T: Display>(&mut self, name: &'static str, values: &[T]) {
        self.header(name, &join(values));
    }

    /// An optional array in a header.
    pub fn header_list_opt<T: Display>(&mut self, name: &'static str, values: &Option<Vec<T>>) {
        if let Some(v) = values {
            self.header_list(name, v);
        }
    }

    /// A cookie. The value is percent-encoded outside RFC 6265's cookie octets, so a `;`, a
    /// `,`, a space or a quote in it cannot end it or start another cookie.
    pub fn cookie<T: Display + ?Sized>(&mut self, name: &'static str, value: &T) {
        let value = value.to_string();
        let encoded = utf8_percent_encode(&value, COOKIE_VALUE);
        self.headers.push(("cookie", format!("{name}={encoded}")));
    }

    /// An array in a cookie, comma-separated (each item encoded, the commas kept).
    pub fn cookie_list<T: Display>(&mut self, name: &'static str, values: &[T]) {
        let items: Vec<String> = values
            .iter()
            .map(|v| utf8_percent_encode(&v.to_string(), COOKIE_VALUE).to_string())
            .collect();
        self.headers
            .push(("cookie", format!("{name}={}", items.join(","))));
    }

    /// A JSON body of media type `media`; with `application/jwt`, the JSON is the payload the
    /// client's signer signs as the request leaves.
    pub fn json<T: Serialize>(&mut self, media: &'static str, body: &T) {
        self.signed = media == crate::jws::MEDIA;
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Some((media, bytes)),
            Err(e) => self
                .problems
                .push(format!("the body cannot be written: {e}")),
        }
    }

    /// An optional JSON body.
    pub fn json_opt<T: Serialize>(&mut self, media: &'static str, body: &Option<T>) {
        if let Some(b) = body {
            self.json(media, b);
        }
    }

    /// A body of another media type, as text.
    pub fn text(&mut self, media: &'static str, body: &str) {
        self.signed = false;
        self.body = Some((media, body.as_bytes().to_vec()));
    }

    /// An optional text body.
    pub fn text_opt(&mut self, media: &'static str, body: &Option<String>) {
        if let Some(b) = body {
            self.text(media, b);
        }
    }

    /// The path with its parameters filled.
    pub fn filled_path(&self) -> &str {
        &self.path
    }

    /// The query pairs, in order.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }
}

fn join<T: Display>(values: &[T]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_values_cannot_end_their_cookie() {
        let mut o = Outgoing::new("/x");
        o.cookie("session", "a; admin=1, \"x\"\r\n%");
        o.cookie_list("ids", &["1;2", "3"]);
        let cookies: Vec<&str> = o
            .headers
            .iter()
            .filter(|(n, _)| *n == "cookie")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(
            cookies,
            [
                "session=a%3B%20admin=1%2C%20%22x%22%0D%0A%25",
                "ids=1%3B2,3"
            ]
        );
    }

    #[test]
    fn path_values_stay_in_their_segment() {
        let mut o = Outgoing::new("/accounts/{accountId}/transactions");
        o.path("accountId", "a/b?c d%");
        assert_eq!(o.filled_path(), "/accounts/a%2Fb%3Fc%20d%25/transactions");
        assert!(o.problems.is_empty());
    }

    #[test]
    fn empty_and_dot_path_parameters_are_problems() {
        for bad in ["", ".", ".."] {
            let mut o = Outgoing::new("/accounts/{accountId}/transactions");
            o.path("accountId", bad);
            assert_eq!(o.problems.len(), 1, "{bad:?}");
        }
        let mut o = Outgoing::new("/accounts/{accountId}");
        o.path("accountId", "...");
        assert!(o.problems.is_empty(), "three dots are an ordinary segment");
    }

    #[test]
    fn lists_explode_or_join() {
        let mut o = Outgoing::new("/x");
        o.query_list("a", &["1", "2"], true);
        o.query_list("b", &["3", "4"], false);
        o.query_opt::<i32>("c", &None);
        let pairs: Vec<(&str, &str)> = o
            .query_pairs()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(pairs, [("a", "1"), ("a", "2"), ("b", "3,4")]);
    }
}
