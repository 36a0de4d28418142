//! The keyword ledger: the model records, at each Schema Object it meets, the keywords it read
//! into what the generated code represents or enforces ([`Ledger`]). After modelling, every
//! keyword of every Schema Object of the document is judged against that record: read where it
//! stands, safe to leave to documentation (listed once below, with the reason), or neither. The
//! last are reported once each, with their file, pointer and keyword, so that no constraint is
//! dropped without a word; `generate --strict` refuses a document that has any. A schema the
//! model never met inside one it did (a property an `allOf` merge left out, say) is reported
//! the same way: every keyword it holds is unenforced.
//!
//! The audit reads the raw JSON tree, not `openapiv3`'s types: those drop what they do not
//! know (a `$ref`'s siblings, a keyword OpenAPI 3.0 lacks) before the model could see it.

use crate::diag::Ptr;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

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

/// What the model read of each Schema Object it met, by `#`-prefixed pointer.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    read: BTreeMap<String, BTreeSet<&'static str>>,
}

impl Ledger {
    /// Records that the schema at `ptr` was met and `keywords` of it were read.
    pub(crate) fn consume(&mut self, ptr: &Ptr, keywords: &[&'static str]) {
        self.read
            .entry(ptr.to_string())
            .or_default()
            .extend(keywords.iter().copied());
    }

    fn met(&self, ptr: &Ptr) -> Option<&BTreeSet<&'static str>> {
        self.read.get(&ptr.to_string())
    }
}

/// The keywords the model reads of a string, besides `type`.
pub(super) const STRING: &[&str] = &["format", "pattern", "minLength", "maxLength"];
/// The keywords the model reads of an integer or a number, besides `type`.
pub(super) const NUMBER: &[&str] = &[
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "enum",
];
/// The keywords the model reads of an array, besides `type`.
pub(super) const ARRAY: &[&str] = &["items", "minItems", "maxItems", "uniqueItems"];
/// The keywords the model reads of an object without properties (a map), besides `type`:
/// `required` is not among them, as a map has no members to require.
pub(super) const MAP: &[&str] = &[
    "properties",
    "additionalProperties",
    "minProperties",
    "maxProperties",
];
/// The keywords the model reads of an object with properties (a struct), besides `type`.
pub(super) const OBJECT: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
];

/// Keywords the model knows how to read, where they stand in a schema of the right kind; the
/// ledger says whether it did at a given place.
const KNOWN: &[&str] = &[
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

/// Walks every Schema Object of `root` and returns what the generated code does not enforce,
/// judged against what the model read (`ledger`).
pub(crate) fn audit(root: &Value, ledger: &Ledger) -> Vec<Unenforced> {
    let mut out = Vec::new();
    let mut walk = Walk {
        out: &mut out,
        ledger,
    };
    if let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        let at = Ptr::root().join("components").join("schemas");
        for (name, s) in schemas {
            // Every component schema is modelled: one the model did not meet was dropped.
            walk.schema(s, &at.join(name), 0, true);
        }
    }
    for section in ["paths", "components"] {
        if let Some(v) = root.get(section) {
            walk.holders(v, &Ptr::root().join(section), 0, section == "paths");
        }
    }
    out
}

/// Whether `k` constrains only values of JSON types other than the one `type` names here
/// (`minItems` beside `type: object`, `maximum` beside `type: string`): no valid value is of
/// those types, so it constrains nothing.
fn other_type(map: &Map<String, Value>, k: &str) -> bool {
    let Some(t) = map.get("type").and_then(Value::as_str) else {
        return false;
    };
    let applies: &[&str] = match k {
        "minLength" | "maxLength" | "pattern" => &["string"],
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => {
            &["number", "integer"]
        }
        "items" | "minItems" | "maxItems" | "uniqueItems" => &["array"],
        "properties" | "required" | "additionalProperties" | "minProperties" | "maxProperties" => {
            &["object"]
        }
        _ => return false,
    };
    !applies.contains(&t)
}

/// Why every keyword of a schema the model never met, inside one it did, is reported.
const DROPPED: &str =
    "the schema holding it is not modelled where it stands, so nothing in it is checked";

/// Extensions and the keywords listed in [`SAFE`].
fn safe(k: &str) -> bool {
    k.starts_with("x-") || SAFE.iter().any(|(s, _)| *s == k)
}

/// How deep the walk follows nested schemas; the loader refuses deeper documents anyway.
const MAX_DEPTH: usize = 128;

struct Walk<'o> {
    out: &'o mut Vec<Unenforced>,
    ledger: &'o Ledger,
}

impl Walk<'_> {
    /// Finds the `schema` members of parameters, headers and media types anywhere under `v`
    /// (component schemas are walked on their own). `used` says whether the model meets what
    /// is found here: an operation's are, while a component parameter, response or header no
    /// operation names is never modelled, and has nothing to enforce.
    fn holders(&mut self, v: &Value, ptr: &Ptr, depth: usize, used: bool) {
        if depth > MAX_DEPTH {
            return;
        }
        let Some(map) = v.as_object() else {
            if let Some(list) = v.as_array() {
                for (i, item) in list.iter().enumerate() {
                    self.holders(item, &ptr.join(i.to_string()), depth + 1, used);
                }
            }
            return;
        };
        for (k, child) in map {
            let at = ptr.join(k);
            match k.as_str() {
                // Walked from the component section itself, once.
                "schemas" if depth == 0 => {}
                "schema" if child.is_object() => {
                    let met = self.ledger.met(&at).is_some();
                    if used || met {
                        self.schema(child, &at, 0, true);
                    }
                }
                // Examples hold instances, not schemas.
                "example" | "examples" => {}
                _ => self.holders(child, &at, depth + 1, used),
            }
        }
    }

    /// Judges the schema `v` at `ptr` and those inside it. `expected` says whether the model
    /// should have met it: its parent was met (a schema inside one the model did not meet is
    /// reported with that one, not again).
    fn schema(&mut self, v: &Value, ptr: &Ptr, depth: usize, expected: bool) {
        let Some(map) = v.as_object() else {
            return;
        };
        if depth > MAX_DEPTH {
            return;
        }
        let read = self.ledger.met(ptr);
        if map.contains_key("$ref") {
            self.ref_siblings(map, ptr);
            if read.is_none() && expected {
                self.report(ptr, "$ref", DROPPED);
            }
            return;
        }
        for (k, child) in map {
            let at = ptr.join(k);
            // Schemas under a keyword of another type than the schema's (`items` beside
            // `type: string`) constrain nothing, and are not modelled.
            let inner = read.is_some() && !other_type(map, k);
            match k.as_str() {
                "properties" => {
                    if let Some(props) = child.as_object() {
                        for (name, s) in props {
                            self.schema(s, &at.join(name), depth + 1, inner);
                        }
                    }
                }
                "items" | "additionalProperties" | "contentSchema" => {
                    self.schema(child, &at, depth + 1, inner)
                }
                // Reported whole, as `not`, below.
                "not" => self.schema(child, &at, depth + 1, false),
                "allOf" | "oneOf" | "anyOf" => {
                    if let Some(parts) = child.as_array() {
                        for (i, s) in parts.iter().enumerate() {
                            self.schema(s, &at.join(i.to_string()), depth + 1, inner);
                        }
                    }
                }
                _ => {}
            }
            match read {
                Some(read) => self.keyword(map, k, ptr, read),
                None if expected && !safe(k) => self.report(ptr, k, DROPPED),
                None => {}
            }
        }
    }

    /// Judges one keyword of the schema `map` at `ptr`, of which the model read `read`.
    fn keyword(&mut self, map: &Map<String, Value>, k: &str, ptr: &Ptr, read: &BTreeSet<&str>) {
        if safe(k) {
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
        if read.contains(k) || other_type(map, k) {
            return;
        }
        let reason = match k {
            "not" => "a value must not match it, which no Rust type can say: it is not checked",
            _ if KNOWN.contains(&k) => {
                "the model does not read it in a schema of this kind (or beside what it stands \
                 with here), so the generated code does not check it"
            }
            _ => "not an OpenAPI 3.0 Schema Object keyword: the model does not read it",
        };
        self.report(ptr, k, reason);
    }

    /// OpenAPI 3.0 reads a Reference Object alone: keywords beside `$ref` are ignored, which
    /// matters where one would change what an instance may be.
    fn ref_siblings(&mut self, map: &Map<String, Value>, ptr: &Ptr) {
        for k in map.keys() {
            if k == "$ref" || safe(k) {
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
    use serde_json::json;

    /// What the audit reports of `doc` once it is modelled: (pointer, keyword).
    fn keywords(mut doc: serde_json::Value) -> Vec<(String, String)> {
        doc["openapi"] = json!("3.0.3");
        doc["info"] = json!({"title": "t", "version": "1"});
        if doc.get("paths").is_none() {
            doc["paths"] = json!({});
        }
        let bytes = serde_json::to_vec(&doc).expect("json");
        let loaded = crate::load::load("t.json", &bytes, &[]).expect("loads");
        let (api, _) = crate::model::build(&loaded).expect("models");
        api.unenforced
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
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
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
        let reported = keywords(doc);
        assert!(
            reported.contains(&("#/components/schemas/A".into(), "anyOf".into())),
            "{reported:?}"
        );
    }

    /// Keywords the model knows, where the way it models this schema does not read them: the
    /// ledger is per place, not a list of keywords honoured somewhere.
    #[test]
    fn a_known_keyword_the_model_does_not_read_at_its_place_is_reported() {
        let doc = json!({"components": {"schemas": {
            // `maxLength` beside an enum one of whose values breaks it.
            "E": {"type": "string", "enum": ["SHORT", "MUCH_TOO_LONG"], "maxLength": 5},
            // The same, implied by the values: nothing to report.
            "F": {"type": "string", "enum": ["A", "B"], "maxLength": 5}
        }}});
        assert_eq!(
            keywords(doc),
            vec![("#/components/schemas/E".into(), "maxLength".into())]
        );
    }

    /// A property two `allOf` parts both declare: the merged type keeps the first part's
    /// schema, so the second's is reported, keyword by keyword.
    #[test]
    fn a_schema_the_model_never_meets_inside_one_it_does_is_reported() {
        let doc = json!({"components": {"schemas": {
            "A": {"type": "object", "properties": {"x": {"type": "string"}}},
            "B": {"allOf": [
                {"$ref": "#/components/schemas/A"},
                {"type": "object", "properties": {"x": {"type": "string", "maxLength": 3}}}
            ]}
        }}});
        assert_eq!(
            keywords(doc),
            vec![
                (
                    "#/components/schemas/B/allOf/1/properties/x".into(),
                    "type".into()
                ),
                (
                    "#/components/schemas/B/allOf/1/properties/x".into(),
                    "maxLength".into()
                ),
            ]
        );
    }
}
