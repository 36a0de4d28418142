//! The Open Finance error envelope: `errors` (one to thirteen items of `code`, `title` and
//! `detail`) and an optional `meta`. Every document declares the same shape under its own name
//! (`ResponseError` and the like); the generator maps each declaration to this one type so
//! errors are handled once. The documents' patterns on the three strings (`[\w\W\s]*`) accept
//! any text, so only the lengths are checked.

use crate::check;
use crate::validate::{Validate, Validator};
use serde::{Deserialize, Serialize};

/// The error body of Open Finance APIs. `M` is the document's `meta` type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorEnvelope<M = serde_json::Value> {
    /// What went wrong, one item per problem.
    pub errors: Vec<ErrorItem>,
    /// Pagination and timing data, where the document defines it. A `null` is read as absent
    /// and reported by validation: no document declares `meta` nullable.
    #[serde(
        default = "Option::default",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::de::not_null",
        bound(deserialize = "M: Deserialize<'de>")
    )]
    pub meta: Option<M>,
}

/// One error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorItem {
    /// A code specific to the endpoint.
    pub code: String,
    /// A short human-readable title.
    pub title: String,
    /// A human-readable description.
    pub detail: String,
}

impl ErrorItem {
    /// An error item.
    pub fn new(
        code: impl Into<String>,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        ErrorItem {
            code: code.into(),
            title: title.into(),
            detail: detail.into(),
        }
    }
}

impl<M> ErrorEnvelope<M> {
    /// An envelope with these errors and no `meta`.
    pub fn new(errors: Vec<ErrorItem>) -> Self {
        ErrorEnvelope { errors, meta: None }
    }

    /// The same envelope with `meta`.
    pub fn with_meta(self, meta: M) -> Self {
        ErrorEnvelope {
            meta: Some(meta),
            ..self
        }
    }

    /// An envelope with one error and no `meta`.
    pub fn single(
        code: impl Into<String>,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        ErrorEnvelope::new(vec![ErrorItem::new(code, title, detail)])
    }
}

impl Validate for ErrorItem {
    fn validate_into(&self, v: &mut Validator) {
        v.at_field("code", |v| check::length(v, &self.code, None, Some(255)));
        v.at_field("title", |v| check::length(v, &self.title, None, Some(255)));
        v.at_field("detail", |v| {
            check::length(v, &self.detail, None, Some(2048))
        });
    }
}

impl<M: Validate> Validate for ErrorEnvelope<M> {
    fn validate_into(&self, v: &mut Validator) {
        v.at_field("errors", |v| {
            check::items(v, self.errors.len(), Some(1), Some(13));
            for (i, e) in self.errors.iter().enumerate() {
                v.at_index(i, |v| e.validate_into(v));
            }
        });
        if let Some(m) = &self.meta {
            v.at_field("meta", |v| m.validate_into(v));
        }
    }
    fn error_items(&self) -> Option<&[ErrorItem]> {
        Some(&self.errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Rule;

    #[test]
    fn limits_follow_the_documents() {
        let ok: ErrorEnvelope = ErrorEnvelope::single("X", "t", "d");
        assert!(ok.validate().is_ok());
        let edge: ErrorEnvelope = ErrorEnvelope::new(vec![
            ErrorItem::new(
                "ç".repeat(255),
                "ç".repeat(255),
                "ç".repeat(2048)
            );
            13
        ]);
        assert!(edge.validate().is_ok());
        let mut bad: ErrorEnvelope = ErrorEnvelope::single("X".repeat(256), "", "d".repeat(2049));
        bad.errors
            .extend(std::iter::repeat_n(ErrorItem::new("", "", ""), 13));
        let out: Vec<String> = bad
            .validate()
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            out,
            [
                "/errors: items: 14 items, more than maxItems 13",
                "/errors/0/code: length: length 256 is above maxLength 255",
                "/errors/0/detail: length: length 2049 is above maxLength 2048",
            ]
        );
        let empty: ErrorEnvelope = ErrorEnvelope::new(vec![]);
        assert_eq!(
            empty.validate().unwrap_err().to_string(),
            "/errors: items: 0 items, fewer than minItems 1"
        );
    }

    #[test]
    fn meta_is_optional_and_validated() {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        struct Meta {
            #[serde(rename = "totalPages")]
            total_pages: i64,
        }
        impl Validate for Meta {
            fn validate_into(&self, v: &mut Validator) {
                v.at_field("totalPages", |v| {
                    check::range_i64(v, self.total_pages, Some(0.0), None, false, false);
                });
            }
        }
        let bare = r#"{"errors":[{"code":"C","title":"T","detail":"D"}]}"#;
        let e: ErrorEnvelope<Meta> = serde_json::from_str(bare).unwrap();
        assert_eq!(e.meta, None);
        assert_eq!(serde_json::to_string(&e).unwrap(), bare);
        let with = r#"{"errors":[{"code":"C","title":"T","detail":"D"}],"meta":{"totalPages":-1}}"#;
        let e: ErrorEnvelope<Meta> = serde_json::from_str(with).unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), with);
        let out = e.validate().unwrap_err();
        assert_eq!(out[0].pointer, "/meta/totalPages");
        assert_eq!(out[0].rule, Rule::Range);
        let fixed = e.clone().with_meta(Meta { total_pages: 1 });
        assert!(fixed.validate().is_ok());
        // The default `meta` type takes any JSON.
        let any: ErrorEnvelope = serde_json::from_str(
            r#"{"errors":[{"code":"C","title":"T","detail":"D"}],"meta":{"requestDateTime":"x"}}"#,
        )
        .unwrap();
        assert!(any.validate().is_ok());
    }

    #[test]
    fn members_are_required() {
        for body in [
            r#"{}"#,
            r#"{"errors":[{"code":"C","title":"T"}]}"#,
            r#"{"errors":{}}"#,
            r#"{"errors":[{"code":1,"title":"T","detail":"D"}]}"#,
        ] {
            assert!(
                serde_json::from_str::<ErrorEnvelope>(body).is_err(),
                "{body}"
            );
        }
    }
}
