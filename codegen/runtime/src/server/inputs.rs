//! Reading a typed request from the HTTP parts: each parameter and the body are decoded and
//! validated, and every problem is kept, so the client hears of all of them at once.

use crate::rules::Rules;
use crate::validate::{Rule, Validate, Validator, Violation};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use std::fmt::Display;
use std::str::FromStr;

/// Where a parameter travels (the crate's [`Location`](crate::Location), by the name the
/// generated readers use).
pub use crate::Location as In;

/// Why a raw value cannot be read: the rule it breaks and what is wrong.
type Unreadable = (Rule, &'static str);
const TWICE: Unreadable = (Rule::Items, "given more than once");
const NOT_ASCII: Unreadable = (Rule::Type, "the value is not visible ASCII");

impl In {
    fn label(self) -> &'static str {
        match self {
            In::Path => "path parameter",
            In::Query => "query parameter",
            In::Header => "header",
            In::Cookie => "cookie",
        }
    }
}

/// A typed request, read from [`Inputs`]: implemented by the generated request structs.
pub trait FromInputs: Sized {
    /// Reads every parameter and the body; `None` when any failed (the problems are in `inputs`).
    fn from_inputs(inputs: &mut Inputs<'_>) -> Option<Self>;

    /// `requestMeta.correlationId` of the body, where the document's request carries one.
    fn correlation_id(&self) -> Option<&str> {
        None
    }
}

/// One problem with a request: where, and which rule (whether a missing value or a wrong type,
/// or a value that decoded but breaks a rule of the document).
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub(crate) place: String,
    pub(crate) violation: Violation,
}

impl Problem {
    pub(crate) fn malformed(&self) -> bool {
        matches!(
            self.violation.rule,
            Rule::Required | Rule::Type | Rule::AdditionalProperties
        )
    }

    pub(crate) fn detail(&self) -> String {
        let at = if self.violation.pointer.is_empty() {
            String::new()
        } else {
            format!(" {}", self.violation.pointer)
        };
        format!(
            "{}{at}: {}: {}",
            self.place, self.violation.rule, self.violation.message
        )
    }
}

/// The parts of a request that a generated [`FromInputs`] reads, and what reading them found.
///
/// Problems are kept up to a limit and counted past it, so a hostile request buys at most a
/// limit's worth of messages. Values that decode are returned even when they break a rule (the
/// problem is recorded); the router then refuses the request or hands it on, by its mode.
#[derive(Debug)]
pub struct Inputs<'a> {
    path: &'a [(String, String)],
    query: &'a [(String, String)],
    headers: &'a http::HeaderMap,
    cookies: Vec<(&'a str, &'a str)>,
    body: &'a Bytes,
    check: bool,
    limit: usize,
    pub(crate) problems: Vec<Problem>,
    pub(crate) omitted: usize,
    pub(crate) fatal: bool,
}

impl<'a> Inputs<'a> {
    /// The parts of one request: decoded path parameters and query pairs, headers and body.
    pub fn new(
        path: &'a [(String, String)],
        query: &'a [(String, String)],
        headers: &'a http::HeaderMap,
        body: &'a Bytes,
    ) -> Self {
        let cookies = headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                Some((k.trim(), v.trim()))
            })
            .collect();
        Inputs {
            path,
            query,
            headers,
            cookies,
            body,
            check: true,
            limit: crate::validate::DEFAULT_LIMIT,
            problems: Vec::new(),
            omitted: 0,
            fatal: false,
        }
    }

    /// Whether values are judged against their rules (`false`: only decoded), and how many
    /// problems are built before the rest are only counted.
    pub(crate) fn judging(mut self, check: bool, limit: usize) -> Self {
        self.check = check;
        self.limit = limit;
        self
    }

    fn push(&mut self, place: impl FnOnce() -> String, violation: Violation, fatal: bool) {
        self.fatal |= fatal;
        if self.problems.len() >= self.limit {
            self.omitted += 1;
            return;
        }
        self.problems.push(Problem {
            place: place(),
            violation,
        });
    }

    /// A problem that leaves nothing to decode.
    fn fail(&mut self, place: String, rule: Rule, message: impl Into<String>) {
        let violation = Violation {
            pointer: String::new(),
            rule,
            message: message.into(),
        };
        self.push(|| place, violation, true);
    }

    /// Violations of a value that decoded, each at `place`.
    fn broken(&mut self, place: impl Fn() -> String, violations: crate::Violations) {
        self.omitted += violations.omitted();
        for violation in violations {
            self.push(&place, violation, false);
        }
    }

    /// Every raw value of a parameter, in order (for lists, which may repeat).
    fn raw(&self, at: In, name: &str) -> Result<Vec<&'a str>, Unreadable> {
        let pick = |pairs: &'a [(String, String)]| -> Vec<&'a str> {
            pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        Ok(match at {
            In::Path => pick(self.path),
            In::Query => pick(self.query),
            In::Cookie => self
                .cookies
                .iter()
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| *v)
                .collect(),
            In::Header => {
                let mut out = Vec::new();
                for v in self.headers.get_all(name) {
                    out.push(v.to_str().map_err(|_| NOT_ASCII)?);
                }
                out
            }
        })
    }

    /// The one raw value of a parameter, if it is there: no allocation on this path, which
    /// every parameter of every request takes.
    fn single(&self, at: In, name: &str) -> Result<Option<&'a str>, Unreadable> {
        fn one<'v>(mut it: impl Iterator<Item = &'v str>) -> Result<Option<&'v str>, Unreadable> {
            match (it.next(), it.next()) {
                (first, None) => Ok(first),
                (Some(_), Some(_)) => Err(TWICE),
                (None, Some(_)) => Ok(None),
            }
        }
        let pairs = |p: &'a [(String, String)]| {
            p.iter()
                .filter(move |(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        match at {
            In::Path => one(pairs(self.path)),
            In::Query => one(pairs(self.query)),
            In::Cookie => one(self
                .cookies
                .iter()
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| *v)),
            In::Header => {
                let mut all = self.headers.get_all(name).iter();
                match (all.next(), all.next()) {
                    (None, _) => Ok(None),
                    (Some(_), Some(_)) => Err(TWICE),
                    (Some(v), None) => v.to_str().map(Some).map_err(|_| NOT_ASCII),
                }
            }
        }
    }

    fn place(at: In, name: &str) -> String {
        format!("{} `{name}`", at.label())
    }

    /// Parses one raw value and checks it against `rules`, recording what is wrong; the place
    /// is written only then.
    fn parse_one<T>(
        &mut self,
        at: In,
        name: &str,
        item: Option<usize>,
        raw: &str,
        rules: &Rules,
    ) -> Option<T>
    where
        T: FromStr + Validate,
        T::Err: Display,
    {
        let place = || match item {
            Some(i) => format!("{} item {i}", Self::place(at, name)),
            None => Self::place(at, name),
        };
        let value = match raw.parse::<T>() {
            Ok(v) => v,
            Err(e) => {
                self.fail(
                    place(),
                    Rule::Type,
                    format!("{} cannot be read: {e}", crate::check::shown(raw)),
                );
                return None;
            }
        };
        if self.check {
            let mut v = Validator::with_limit(self.limit);
            value.validate_with(&mut v, rules);
            if let Err(violations) = v.finish() {
                self.broken(place, violations);
            }
        }
        Some(value)
    }

    /// An optional parameter: `Some(None)` when absent, `None` when it is there but wrong.
    pub fn optional<T>(&mut self, at: In, name: &str, rules: &Rules) -> Option<Option<T>>
    where
        T: FromStr + Validate,
        T::Err: Display,
    {
        match self.single(at, name) {
            Ok(None) => Some(None),
            Ok(Some(raw)) => self.parse_one(at, name, None, raw, rules).map(Some),
            Err((rule, e)) => {
                self.fail(Self::place(at, name), rule, e);
                None
            }
        }
    }

    /// A required parameter: `None` when it is absent or wrong.
    pub fn required<T>(&mut self, at: In, name: &str, rules: &Rules) -> Option<T>
    where
        T: FromStr + Validate,
        T::Err: Display,
    {
        match self.optional(at, name, rules)? {
            Some(v) => Some(v),
            None => {
                self.fail(Self::place(at, name), Rule::Required, "is required");
                None
            }
        }
    }

    /// An optional array parameter: repeated (`explode`) or comma-separated; `rules` are the
    /// array's (its items' rules in [`Rules::items`]).
    pub fn optional_list<T>(
        &mut self,
        at: In,
        name: &str,
        explode: bool,
        rules: &Rules,
    ) -> Option<Option<Vec<T>>>
    where
        T: FromStr + Validate + PartialEq,
        T::Err: Display,
    {
        let raw = match self.raw(at, name) {
            Ok(r) => r,
            Err((rule, e)) => {
                self.fail(Self::place(at, name), rule, e);
                return None;
            }
        };
        if raw.is_empty() {
            return Some(None);
        }
        let parts: Vec<&str> = if explode && at == In::Query {
            raw
        } else {
            raw.iter().flat_map(|r| r.split(',')).collect()
        };
        let item_rules = rules.items.unwrap_or(&Rules::NONE);
        let mut out = Vec::with_capacity(parts.len());
        let mut ok = true;
        for (i, p) in parts.iter().enumerate() {
            match self.parse_one::<T>(at, name, Some(i), p, item_rules) {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        if self.check {
            let mut v = Validator::with_limit(self.limit);
            crate::check::items(&mut v, out.len(), rules.min_items, rules.max_items);
            if rules.unique_items {
                crate::check::unique(&mut v, &out);
            }
            if let Err(violations) = v.finish() {
                self.broken(|| Self::place(at, name), violations);
            }
        }
        Some(Some(out))
    }

    /// A required array parameter.
    pub fn required_list<T>(
        &mut self,
        at: In,
        name: &str,
        explode: bool,
        rules: &Rules,
    ) -> Option<Vec<T>>
    where
        T: FromStr + Validate + PartialEq,
        T::Err: Display,
    {
        match self.optional_list(at, name, explode, rules)? {
            Some(v) => Some(v),
            None => {
                self.fail(Self::place(at, name), Rule::Required, "is required");
                None
            }
        }
    }

    /// An optional JSON body: `Some(None)` when there is none.
    pub fn json_optional<T: DeserializeOwned + Validate>(&mut self) -> Option<Option<T>> {
        if self.body.is_empty() {
            return Some(None);
        }
        match crate::decode::judged::<T>(self.body, self.check, self.limit) {
            Ok(judged) => {
                self.broken(|| String::from("body"), judged.violations);
                Some(Some(judged.value))
            }
            Err(e) => {
                let violation = Violation {
                    pointer: e.pointer,
                    rule: Rule::Type,
                    message: e.message,
                };
                self.push(|| String::from("body"), violation, true);
                None
            }
        }
    }

    /// A required JSON body.
    pub fn json<T: DeserializeOwned + Validate>(&mut self) -> Option<T> {
        match self.json_optional()? {
            Some(v) => Some(v),
            None => {
                self.fail(String::from("body"), Rule::Required, "is required");
                None
            }
        }
    }

    /// An optional body of a non-JSON media type, as text.
    pub fn text_optional(&mut self) -> Option<Option<String>> {
        if self.body.is_empty() {
            return Some(None);
        }
        match std::str::from_utf8(self.body) {
            Ok(s) => Some(Some(s.to_owned())),
            Err(_) => {
                self.fail(String::from("body"), Rule::Type, "is not UTF-8 text");
                None
            }
        }
    }

    /// A required body of a non-JSON media type, as text.
    pub fn text(&mut self) -> Option<String> {
        match self.text_optional()? {
            Some(v) => Some(v),
            None => {
                self.fail(String::from("body"), Rule::Required, "is required");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::Pattern;

    static DIGITS: Pattern = Pattern::new("^\\d{3}$");
    static R: Rules = Rules {
        pattern: Some(&DIGITS),
        ..Rules::NONE
    };

    fn pairs(kv: &[(&str, &str)]) -> Vec<(String, String)> {
        kv.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_problem_is_kept_with_its_place() {
        let path = pairs(&[("id", "12")]);
        let query = pairs(&[("page", "x"), ("size", "1"), ("size", "2")]);
        let mut headers = http::HeaderMap::new();
        headers.insert("x-v", http::HeaderValue::from_static("123"));
        let body = Bytes::from_static(br#"{"a":1}"#);
        let mut i = Inputs::new(&path, &query, &headers, &body);
        let id: Option<String> = i.required(In::Path, "id", &R);
        let page: Option<Option<i32>> = i.optional(In::Query, "page", &Rules::NONE);
        let size: Option<Option<i32>> = i.optional(In::Query, "size", &Rules::NONE);
        let v: Option<String> = i.required(In::Header, "x-v", &R);
        let missing: Option<String> = i.required(In::Header, "x-missing", &Rules::NONE);
        let absent: Option<Option<String>> = i.optional(In::Header, "x-absent", &Rules::NONE);
        // A value that breaks a rule is still read; the problem is recorded beside it.
        assert_eq!(id.as_deref(), Some("12"));
        assert_eq!((page, size, missing), (None, None, None));
        assert!(i.fatal);
        assert_eq!(v.as_deref(), Some("123"));
        assert_eq!(absent, Some(None));
        let details: Vec<String> = i.problems.iter().map(Problem::detail).collect();
        assert_eq!(details.len(), 4, "{details:?}");
        assert!(
            details[0].starts_with("path parameter `id`: pattern:"),
            "{details:?}"
        );
        assert!(
            details[1].starts_with("query parameter `page`: type:"),
            "{details:?}"
        );
        assert_eq!(
            details[2],
            "query parameter `size`: items: given more than once"
        );
        assert_eq!(details[3], "header `x-missing`: required: is required");
    }

    #[test]
    fn lists_split_or_repeat() {
        let query = pairs(&[("ids", "1,2"), ("tag", "a"), ("tag", "b")]);
        let headers = http::HeaderMap::new();
        let body = Bytes::new();
        let mut i = Inputs::new(&[], &query, &headers, &body);
        let ids: Option<Option<Vec<i64>>> = i.optional_list(In::Query, "ids", false, &Rules::NONE);
        let tags: Option<Option<Vec<String>>> =
            i.optional_list(In::Query, "tag", true, &Rules::NONE);
        assert_eq!(ids, Some(Some(vec![1, 2])));
        assert_eq!(tags, Some(Some(vec!["a".to_owned(), "b".to_owned()])));
        let none: Option<Vec<String>> = i.required_list(In::Query, "nope", true, &Rules::NONE);
        assert!(none.is_none());
        assert!(i.json_optional::<serde_json::Value>() == Some(None));
    }
}
