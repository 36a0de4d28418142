//! The keyword ledger: every keyword of every Schema Object in the document is sorted into what
//! the model represents or enforces, what cannot change which instances are valid, and the
//! rest. The rest is reported once each, with its file, pointer and keyword, so that no
//! constraint is dropped without a word; `generate --strict` refuses a document that has any.
//!
//! The ledger reads the raw JSON tree, not `openapiv3`'s types: those drop what they do not
//! know (a `$ref`'s siblings, a keyword OpenAPI 3.0 lacks) before the model could see it.

use crate::diag::Ptr;
use serde_json::{Map, Value};

/// A keyword the generated code neither enforces nor represents, where it can change which
/// instances are valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unenforced {
    /// `#`-prefixed pointer of the schema that holds it.
    pub pointer: String,
    /// The keyword.
    pub keyword: String,
    /// Why it is not enforced, and what the generated code does instead.
    pub reason: String,
}

/// Keywords the model reads and the generated code represents (as a type, a field, a variant)
/// or checks (in `validate()` or while decoding).
const HONOURED: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "enum",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "nullable",
    "discriminator",
    "$ref",
    // Not required of the side that does not send the member (see `object_kind`).
    "readOnly",
    "writeOnly",
    // A string holding a compact JWS (`application/jwt`) of the claims `contentSchema` says:
    // the member is a `Token` of the claims' type.
    "contentMediaType",
    "contentSchema",
];

/// Keywords that cannot change whether an instance is valid, each with the reason it is safe
/// to leave to documentation. Listed once here rather than ignored wherever they are met.
const SAFE: &[(&str, &str)] = &[
    (
        "title",
        "a name for readers; it names union variants where present",
    ),
    ("description", "prose; it becomes the doc comment"),
    (
        "example",
        "an illustration; the generator checks it against the schema",
    ),
    ("examples", "illustrations, as `example`"),
    ("externalDocs", "a link for readers"),
    (
        "xml",
        "how the value is written as XML; bodies here are JSON",
    ),
    (
        "deprecated",
        "advice to stop using the member; it becomes #[deprecated]",
    ),
    (
        "default",
        "what a reader assumes when the member is absent; stated in the docs",
    ),
];

/// Walks every Schema Object of `root` and returns what the generated code does not enforce.
pub(crate) fn audit(root: &Value) -> Vec<Unenforced> {
    let mut out = Vec::new();
    let mut walk = Walk { out: &mut out };
    if let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        let at = Ptr::root().join("components").join("schemas");
        for (name, s) in schemas {
            walk.schema(s, &at.join(name), 0);
        }
    }
    for section in ["paths", "components"] {
        if let Some(v) = root.get(section) {
            walk.holders(v, &Ptr::root().join(section), 0);
        }
    }
    out
}

/// How deep the walk follows nested schemas; the loader refuses deeper documents anyway.
const MAX_DEPTH: usize = 128;

struct Walk<'o> {
    out: &'o mut Vec<Unenforced>,
}

impl Walk<'_> {
    /// Finds the `schema` members of parameters, headers and media types anywhere under `v`
    /// (component schemas are walked on their own).
    fn holders(&mut self, v: &Value, ptr: &Ptr, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let Some(map) = v.as_object() else {
            if let Some(list) = v.as_array() {
                for (i, item) in list.iter().enumerate() {
                    self.holders(item, &ptr.join(i.to_string()), depth + 1);
                }
            }
            return;
        };
        for (k, child) in map {
            let at = ptr.join(k);
            match k.as_str() {
                // Walked from the component section itself, once.
                "schemas" if depth == 0 => {}
                "schema" if child.is_object() => self.schema(child, &at, 0),
                // Examples hold instances, not schemas.
                "example" | "examples" => {}
                _ => self.holders(child, &at, depth + 1),
            }
        }
    }

    fn schema(&mut self, v: &Value, ptr: &Ptr, depth: usize) {
        let Some(map) = v.as_object() else {
            return;
        };
        if depth > MAX_DEPTH {
            return;
        }
        if map.contains_key("$ref") {
            self.ref_siblings(map, ptr);
            return;
        }
        for (k, child) in map {
            let at = ptr.join(k);
            match k.as_str() {
                "properties" => {
                    if let Some(props) = child.as_object() {
                        for (name, s) in props {
                            self.schema(s, &at.join(name), depth + 1);
                        }
                    }
                }
                "items" | "additionalProperties" | "not" | "contentSchema" => {
                    self.schema(child, &at, depth + 1)
                }
                "allOf" | "oneOf" | "anyOf" => {
                    if let Some(parts) = child.as_array() {
                        for (i, s) in parts.iter().enumerate() {
                            self.schema(s, &at.join(i.to_string()), depth + 1);
                        }
                    }
                }
                _ => {}
            }
            self.keyword(map, k, ptr);
        }
    }

    /// Judges one keyword of the schema `map` at `ptr`.
    fn keyword(&mut self, map: &Map<String, Value>, k: &str, ptr: &Ptr) {
        if k.starts_with("x-") || SAFE.iter().any(|(s, _)| *s == k) {
            return;
        }
        if k == "anyOf" && map.contains_key("oneOf") {
            self.report(
                ptr,
                k,
                "beside oneOf: the type follows oneOf, so a value is not checked against anyOf",
            );
            return;
        }
        if HONOURED.contains(&k) {
            return;
        }
        let reason = match k {
            "not" => "a value must not match it, which no Rust type can say: it is not checked",
            _ => "not an OpenAPI 3.0 Schema Object keyword: the model does not read it",
        };
        self.report(ptr, k, reason);
    }

    /// OpenAPI 3.0 reads a Reference Object alone: keywords beside `$ref` are ignored, which
    /// matters where one would change what an instance may be.
    fn ref_siblings(&mut self, map: &Map<String, Value>, ptr: &Ptr) {
        for k in map.keys() {
            if k == "$ref" || k.starts_with("x-") || SAFE.iter().any(|(s, _)| s == k) {
                continue;
            }
            self.report(
                ptr,
                k,
                "beside $ref: OpenAPI 3.0 ignores a reference's siblings, so it has no effect",
            );
        }
    }

    fn report(&mut self, ptr: &Ptr, keyword: &str, reason: &str) {
        let item = Unenforced {
            pointer: ptr.to_string(),
            keyword: keyword.to_owned(),
            reason: reason.to_owned(),
        };
        if !self.out.contains(&item) {
            self.out.push(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::audit;
    use serde_json::json;

    fn keywords(doc: serde_json::Value) -> Vec<(String, String)> {
        audit(&doc)
            .into_iter()
            .map(|u| (u.pointer, u.keyword))
            .collect()
    }

    #[test]
    fn honoured_and_safe_keywords_are_not_reported() {
        let doc = json!({"components": {"schemas": {"A": {
            "type": "object", "description": "d", "example": {"a": 1}, "x-note": 1,
            "required": ["a"], "properties": {"a": {"type": "integer", "maximum": 3, "default": 1}}
        }}}});
        assert_eq!(keywords(doc), vec![]);
    }

    #[test]
    fn unknown_keywords_ref_siblings_and_not_are_reported_where_they_are() {
        let doc = json!({
            "components": {"schemas": {
                "A": {"type": "object", "properties": {
                    "b": {"$ref": "#/components/schemas/B", "nullable": true, "description": "ok"},
                    "c": {"type": "string", "const": "x"}
                }},
                "B": {"not": {"type": "string"}}
            }},
            "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"type": "array", "items": {"type": "string", "contains": {}}}
            }}}}}}}
        });
        assert_eq!(
            keywords(doc),
            vec![
                (
                    "#/components/schemas/A/properties/b".into(),
                    "nullable".into()
                ),
                ("#/components/schemas/A/properties/c".into(), "const".into()),
                ("#/components/schemas/B".into(), "not".into()),
                (
                    "#/paths/~1a/get/responses/200/content/application~1json/schema/items".into(),
                    "contains".into()
                ),
            ]
        );
    }

    #[test]
    fn any_of_beside_one_of_is_reported() {
        let doc = json!({"components": {"schemas": {"A": {
            "oneOf": [{"type": "string"}], "anyOf": [{"type": "string"}]
        }}}});
        assert_eq!(
            keywords(doc),
            vec![("#/components/schemas/A".into(), "anyOf".into())]
        );
    }
}
