//! The Open Finance error envelope: `errors` (one to thirteen items of `code`, `title` and
//! `detail`) and an optional `meta`. Every document declares the same shape under its own name;
//! the generator maps each declaration to this one type so errors are handled once.

use crate::check;
use crate::validate::{Validate, Validator};
use serde::{Deserialize, Serialize};

/// The error body of Open Finance APIs. `M` is the document's `meta` type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorEnvelope<M = serde_json::Value> {
    /// What went wrong, one item per problem.
    pub errors: Vec<ErrorItem>,
    /// Pagination and timing data, where the document defines it. (No `default` attribute: it
    /// would make serde require `M: Default`; a missing `Option` member is `None` anyway.)
    #[serde(skip_serializing_if = "Option::is_none")]
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

impl<M> ErrorEnvelope<M> {
    /// An envelope with one error and no `meta`.
    pub fn single(
        code: impl Into<String>,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        ErrorEnvelope {
            errors: vec![ErrorItem {
                code: code.into(),
                title: title.into(),
                detail: detail.into(),
            }],
            meta: None,
        }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_the_documents() {
        let ok: ErrorEnvelope = ErrorEnvelope::single("X", "t", "d");
        assert!(ok.validate().is_ok());
        let mut bad: ErrorEnvelope = ErrorEnvelope::single("X".repeat(256), "t", "d");
        bad.errors
            .extend(std::iter::repeat_n(bad.errors[0].clone(), 13));
        let msgs = bad.validate().unwrap_err().to_string();
        assert!(
            msgs.contains("/errors: items: 14 items, more than maxItems 13"),
            "{msgs}"
        );
        assert!(msgs.contains("/errors/0/code: length"), "{msgs}");
    }
}
