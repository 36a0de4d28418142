//! Decoding JSON into generated types with the JSON pointer of the first failure, and the list
//! of members the type does not know (which validation reports where the schema forbids them).
//!
//! serde_json's recursion limit (128 levels) holds here too, so a deeply nested hostile body
//! is an error rather than a stack overflow; and a struct is read from a JSON object only, never
//! from an array of its fields, as serde alone would (see [`crate::strict`]).

use crate::validate::{Rule, Violation};
use serde::de::DeserializeOwned;
use std::fmt;

/// A decoded value and the pointers of the members it ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<T> {
    /// The value.
    pub value: T,
    /// JSON pointers of object members the type does not declare.
    pub ignored: Vec<String>,
    /// JSON pointers of `null`s given for optional members that may not be `null` (read as
    /// absent).
    pub nulls: Vec<String>,
}

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// JSON pointer of the value that failed.
    pub pointer: String,
    /// What serde said.
    pub message: String,
    /// 1-based line in the input (0 when unknown).
    pub line: usize,
    /// 1-based column in the input (0 when unknown).
    pub column: usize,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {}", self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Decodes `bytes` as `T`, listing the members `T` ignored; on failure, says where.
///
/// The pointer of a failure is the trace's (see [`crate::strict`]): decoding keeps the current
/// pointer anyway, so a failure needs neither a second decoding nor a second instantiation of
/// every type's `Deserialize`.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<Decoded<T>, DecodeError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let trace = std::cell::RefCell::new(crate::strict::Trace::default());
    let decoded = T::deserialize(crate::strict::Strict {
        de: &mut de,
        trace: &trace,
    })
    .and_then(|v| de.end().map(|()| v));
    let trace = trace.into_inner();
    match decoded {
        Ok(value) => Ok(Decoded {
            value,
            ignored: trace.ignored,
            nulls: trace.nulls,
        }),
        Err(e) => Err(DecodeError {
            pointer: trace.failed.unwrap_or_default(),
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        }),
    }
}

/// Decodes `text` as `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<Decoded<T>, DecodeError> {
    from_slice(text.as_bytes())
}

/// A body decoded into its type, with what validation found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged<T> {
    /// The value, as decoded.
    pub value: T,
    /// Members the schema forbids (`additionalProperties: false`; decoding dropped them) and
    /// everything `validate()` finds, up to the validator's limit; empty when not checked.
    pub violations: crate::Violations,
}

/// Decodes `bytes` as `T`; with `check`, judges the value too, building at most `limit`
/// violations (the rest are counted). A body that does not decode is the error, with its
/// pointer: there is no value to judge.
pub fn judged<T: DeserializeOwned + crate::Validate>(
    bytes: &[u8],
    check: bool,
    limit: usize,
) -> Result<Judged<T>, DecodeError> {
    let decoded = from_slice::<T>(bytes)?;
    let mut v = crate::Validator::with_limit(limit);
    if check {
        for p in &decoded.ignored {
            if parent_forbids_unknown(&decoded.value, p) {
                v.at_pointer(p, |v| {
                    v.fail(
                        Rule::AdditionalProperties,
                        "this member is not allowed: the schema declares additionalProperties: false",
                    )
                });
            }
        }
        for p in &decoded.nulls {
            v.at_pointer(p, |v| {
                v.fail(
                    Rule::Type,
                    "null is not allowed here: the schema does not declare this member nullable",
                )
            });
        }
        decoded.value.validate_into(&mut v);
    }
    Ok(Judged {
        value: decoded.value,
        violations: v.finish().err().unwrap_or_default(),
    })
}

/// Decodes `bytes` as `T` and reports, all at once, every violation: a member the schema forbids
/// (`additionalProperties: false`), and everything `validate()` finds. A body that does not
/// decode at all gives one `type` violation at the pointer where decoding failed.
pub fn validated<T: DeserializeOwned + crate::Validate>(
    bytes: &[u8],
) -> Result<T, crate::Violations> {
    let judged = judged::<T>(bytes, true, crate::validate::DEFAULT_LIMIT).map_err(|e| {
        crate::Violations::new(vec![Violation {
            pointer: e.pointer.clone(),
            rule: Rule::Type,
            message: e.message,
        }])
    })?;
    if judged.violations.is_empty() {
        Ok(judged.value)
    } else {
        Err(judged.violations)
    }
}

/// Walks `root` to the object holding the member at `pointer` and asks whether its schema
/// forbids members it does not declare.
pub(crate) fn parent_forbids_unknown(root: &dyn crate::Validate, pointer: &str) -> bool {
    let segments: Vec<_> = crate::json_pointer::segments(pointer).collect();
    let Some((_, parents)) = segments.split_last() else {
        return false;
    };
    let mut at = root;
    for seg in parents {
        let next = seg
            .parse::<usize>()
            .ok()
            .and_then(|i| at.item(i))
            .or_else(|| at.member(seg));
        match next {
            Some(n) => at = n,
            None => return false,
        }
    }
    at.forbids_unknown()
}

/// Ignored members as `additional-properties` violations.
pub fn ignored_as_violations(ignored: &[String]) -> Vec<Violation> {
    ignored
        .iter()
        .map(|p| Violation {
            pointer: p.clone(),
            rule: Rule::AdditionalProperties,
            message: String::from("this member is not declared by the schema"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        n: i32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Inner>,
        map: Option<BTreeMap<String, Inner>>,
    }

    #[test]
    fn failures_have_pointers_and_positions() {
        let e = from_str::<Outer>(r#"{"items":[{"n":1},{"n":"x"}]}"#).unwrap_err();
        assert_eq!(e.pointer, "/items/1/n");
        assert_eq!((e.line, e.column), (1, 26));
        assert!(e.message.contains("invalid type"), "{e}");
        assert!(e.to_string().starts_with("/items/1/n: "), "{e}");
        let e = from_str::<Outer>("{\"items\":[],\n\"map\":{\"a/b\":{\"n\":true}}}").unwrap_err();
        assert_eq!(e.pointer, "/map/a~1b/n");
        assert_eq!(e.line, 2);
        let e = from_str::<Outer>(r#"{"map":{}}"#).unwrap_err();
        assert_eq!(e.pointer, "");
        assert!(e.message.contains("missing field `items`"), "{e}");
        assert_eq!(e.to_string().split(": ").next(), Some("/"));
    }

    #[test]
    fn ignored_members_have_pointers() {
        let ok = from_str::<Outer>(
            r#"{"items":[{"n":1,"extra/x":2}],"more":true,"map":{"k":{"n":1,"~":[]}}}"#,
        )
        .unwrap();
        assert_eq!(ok.ignored, ["/items/0/extra~1x", "/more", "/map/k/~0"]);
        let v = ignored_as_violations(&ok.ignored);
        assert_eq!(v.len(), 3);
        assert!(v.iter().all(|v| v.rule == Rule::AdditionalProperties));
        assert_eq!(v[1].pointer, "/more");
        assert!(from_str::<Outer>(r#"{"items":[]}"#)
            .unwrap()
            .ignored
            .is_empty());
    }

    /// A thousand unknown members under one long key: the record of them is capped by bytes,
    /// not only by count (each pointer repeats the key).
    #[test]
    fn the_record_of_ignored_members_is_capped_by_bytes() {
        let key = "k".repeat(900 * 1024);
        let members: Vec<String> = (0..1000).map(|i| format!("\"m{i}\":1")).collect();
        let body = format!(
            r#"{{"items":[],"map":{{"{key}":{{"n":1,{}}}}}}}"#,
            members.join(",")
        );
        let ok = from_str::<Outer>(&body).expect("decodes");
        let kept: usize = ok.ignored.iter().map(String::len).sum();
        assert!(kept <= crate::strict::IGNORED_BYTES, "{kept} bytes kept");
    }

    /// A credential's violations name the rule broken, never the value.
    #[test]
    fn a_secret_is_never_quoted_in_a_violation() {
        use crate::validate::{Validate, Validator};
        static DIGITS: crate::pattern::Pattern = crate::pattern::Pattern::new("^[0-9]+$");
        static R: crate::Rules = crate::Rules {
            pattern: Some(&DIGITS),
            ..crate::Rules::NONE
        };
        let secret = crate::secret::Secret::from(String::from("hunter2-password"));
        let mut v = Validator::new();
        secret.validate_with(&mut v, &R);
        let shown = format!("{:?}", v.violations());
        assert_eq!(v.violations().len(), 1, "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn hostile_bodies_are_errors() {
        for body in [
            &b""[..],
            b" ",
            b"null",
            b"[]",
            b"{\"items\":[]} trailing",
            b"{\"items\":[",
            b"\xff\xfe",
            b"{\"items\":[{\"n\":99999999999}]}",
        ] {
            assert!(from_slice::<Outer>(body).is_err(), "{body:?}");
        }
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = from_str::<serde_json::Value>(&deep).unwrap_err();
        assert!(e.message.contains("recursion limit"), "{e}");
        let e = from_slice::<String>(b"\"\xff\"").unwrap_err();
        assert_eq!(e.pointer, "");
    }

    #[test]
    fn an_array_is_no_struct() {
        let e = from_str::<Outer>(r#"[[{"n":1}], null]"#).unwrap_err();
        assert!(e.message.contains("expected struct Outer"), "{e}");
        let e = from_str::<Outer>(r#"{"items":[[1]]}"#).unwrap_err();
        assert_eq!(e.pointer, "/items/0");
    }

    #[test]
    fn non_ascii_text_decodes() {
        let s = from_str::<String>(r#""ação \u00e9 \ud83e\udd80""#).unwrap();
        assert_eq!(s.value, "ação é 🦀");
        let huge = format!("\"{}\"", "é".repeat(1 << 20));
        assert_eq!(
            from_str::<String>(&huge).unwrap().value.chars().count(),
            1 << 20
        );
    }
}
