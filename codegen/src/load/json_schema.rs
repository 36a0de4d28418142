//! Bare JSON Schema documents (no `openapi`, no `info`, no paths) as OpenAPI documents, so that
//! they model and emit like any other: their schemas become components, and their crate holds
//! types, validation, example values and docs.
//!
//! A document is one schema (its root holds schema keywords), which becomes one component named
//! after the file (`pixPaymentConsent.yaml` gives `PixPaymentConsent`), or a mapping of names to
//! schemas, each a component. References are rewritten:
//!
//! - `#/definitions/X` and `#/$defs/X` (whose members join the components), and `#/X` in a
//!   mapping, become `#/components/schemas/X`;
//! - a reference to another file (`./PixPaymentConsent.yaml`) is looked up among the sibling
//!   documents given, by file name ignoring case, extension and an `en-` prefix (the published
//!   documents refer to each other by names that differ from their files in exactly those ways);
//!   the sibling's schema joins as a component named after the reference.
//!
//! JSON Schema's `examples` (a list) becomes OpenAPI's `example` with its first value, and so
//! does an `example` that holds a list where the schema is not an array: the documents write
//! their examples that way. OpenAPI 3.0 has no boolean schemas: a property whose schema is
//! `true` becomes `{}`, and one whose schema is `false` (it can never be present) is left out,
//! with a warning.
//!
//! Diagnostics point into the OpenAPI document built here (`#/components/schemas/...`), whose
//! components keep the names and structure of the original.

use crate::diag::{Diagnostics, Ptr, Sink};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A document that references may name.
#[derive(Debug, Clone, Copy)]
pub struct Sibling<'a> {
    /// Its file name.
    pub file: &'a str,
    /// Its bytes.
    pub bytes: &'a [u8],
}

/// The keywords that make an object a schema rather than a mapping of named schemas.
const KEYWORDS: &[&str] = &[
    "type",
    "properties",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "enum",
    "$ref",
    "required",
    "additionalProperties",
    "format",
    "pattern",
];

/// The OpenAPI 3.0 document (as JSON bytes) equivalent to the JSON Schema document `file`
/// (`bytes`), with `siblings` for the files its references name and `version` as its
/// `info.version`; and the warnings found on the way.
pub fn openapi(
    file: &str,
    bytes: &[u8],
    siblings: &[Sibling<'_>],
    version: &str,
) -> Result<(Vec<u8>, Diagnostics), Diagnostics> {
    let root = super::tree(file, bytes)?;
    let mut bundle = Bundle {
        sink: Sink::new(file),
        siblings,
        components: BTreeMap::new(),
        included: Vec::new(),
    };
    let title = root.get("title").and_then(Value::as_str).map(str::to_owned);
    let description = root
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let named = bundle.add_document(file, root);
    if bundle.sink.has_errors() {
        return Err(bundle.sink.finish());
    }
    let title = title
        .or_else(|| named.first().cloned())
        .unwrap_or_else(|| stem(file).to_owned());
    let mut info = json!({ "title": title, "version": version });
    if let Some(d) = description {
        info["description"] = Value::String(d);
    }
    let schemas: Map<String, Value> = std::mem::take(&mut bundle.components).into_iter().collect();
    let doc = json!({
        "openapi": "3.0.3",
        "info": info,
        "paths": {},
        "components": { "schemas": schemas },
    });
    match serde_json::to_vec(&doc) {
        Ok(bytes) => Ok((bytes, bundle.sink.finish())),
        Err(e) => {
            bundle
                .sink
                .error(&Ptr::root(), None, format!("internal error: {e}"));
            Err(bundle.sink.finish())
        }
    }
}

struct Bundle<'a> {
    sink: Sink,
    siblings: &'a [Sibling<'a>],
    components: BTreeMap<String, Value>,
    /// Sibling files already joined, by their normalized name.
    included: Vec<String>,
}

impl Bundle<'_> {
    /// Adds the schemas of one document; returns the names its root schemas got.
    fn add_document(&mut self, file: &str, mut root: Value) -> Vec<String> {
        let mut definitions = Map::new();
        if let Some(o) = root.as_object_mut() {
            for key in ["definitions", "$defs"] {
                if let Some(Value::Object(defs)) = o.remove(key) {
                    definitions.extend(defs);
                }
            }
            o.remove("$schema");
            o.remove("$id");
        }
        let is_schema = root
            .as_object()
            .is_some_and(|o| o.keys().any(|k| KEYWORDS.contains(&k.as_str())));
        let mut roots: Vec<(String, Value)> = if is_schema {
            vec![(crate::naming::type_name(stem(file)), root)]
        } else {
            match root {
                Value::Object(o) if !o.is_empty() && o.values().all(Value::is_object) => {
                    o.into_iter().collect()
                }
                _ => {
                    self.sink.error(
                        &Ptr::root(),
                        None,
                        "neither a schema (no schema keyword at its root) nor a mapping of \
                         names to schemas",
                    );
                    return Vec::new();
                }
            }
        };
        roots.extend(definitions);
        let local: Vec<String> = roots.iter().map(|(n, _)| n.clone()).collect();
        let mut names = Vec::new();
        for (name, mut schema) in roots {
            let at = Ptr::root().join(&name);
            self.rewrite(&mut schema, &local, &at, 0);
            if self.components.contains_key(&name) {
                self.sink.error(
                    &at,
                    None,
                    format!("two schemas are named `{name}` once the documents are joined"),
                );
                continue;
            }
            self.components.insert(name.clone(), schema);
            names.push(name);
        }
        names
    }

    fn rewrite(&mut self, v: &mut Value, local: &[String], at: &Ptr, depth: usize) {
        if depth > 128 {
            self.sink
                .error(at, None, "schemas nest more than 128 levels deep here");
            return;
        }
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get("$ref") {
                    let target = self.target(r, local, &at.join("$ref"));
                    if let Some(t) = target {
                        o.insert(String::from("$ref"), Value::String(t));
                    }
                }
                first_example(o);
                if let Some(Value::Object(props)) = o.get_mut("properties") {
                    self.boolean_properties(props, &at.join("properties"));
                }
                // A discriminator's mapping names schemas by reference too.
                if let Some(Value::Object(mapping)) = o
                    .get_mut("discriminator")
                    .and_then(|d| d.get_mut("mapping"))
                {
                    let at = at.join("discriminator").join("mapping");
                    for (k, v) in mapping.iter_mut() {
                        if let Value::String(r) = v {
                            if let Some(t) = self.target(r, local, &at.join(k)) {
                                *v = Value::String(t);
                            }
                        }
                    }
                }
                for (k, child) in o.iter_mut() {
                    self.rewrite(child, local, &at.join(k), depth + 1);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    self.rewrite(child, local, &at.join(i.to_string()), depth + 1);
                }
            }
            _ => {}
        }
    }

    /// Replaces the boolean schemas of `props`: `true` by `{}`, `false` by nothing.
    fn boolean_properties(&mut self, props: &mut Map<String, Value>, at: &Ptr) {
        let never: Vec<String> = props
            .iter()
            .filter(|(_, v)| **v == Value::Bool(false))
            .map(|(k, _)| k.clone())
            .collect();
        for name in never {
            props.remove(&name);
            let hint = if name == "additionalProperties" {
                " (the document probably meant `additionalProperties: false` one level up)"
            } else {
                ""
            };
            self.sink.warn(
                &at.join(&name),
                None,
                format!(
                    "property `{name}` has the schema `false`, so it can never be present: it \
                     is left out of the type{hint}"
                ),
            );
        }
        for v in props.values_mut() {
            if *v == Value::Bool(true) {
                *v = Value::Object(Map::new());
            }
        }
    }

    /// Where `reference` points once the documents are joined.
    fn target(&mut self, reference: &str, local: &[String], at: &Ptr) -> Option<String> {
        let component = |name: &str| format!("#/components/schemas/{name}");
        let (file, fragment) = match reference.split_once('#') {
            Some((f, frag)) => (f, frag),
            None => (reference, ""),
        };
        if file.is_empty() {
            let path: Vec<&str> = fragment.trim_start_matches('/').split('/').collect();
            return match path.as_slice() {
                ["definitions" | "$defs", name] => Some(component(name)),
                ["components", ..] => None,
                [name] if local.iter().any(|l| l == name) => Some(component(name)),
                [""] if local.len() == 1 => Some(component(&local[0])),
                _ => {
                    self.sink.error(
                        at,
                        None,
                        format!("$ref `{reference}` points at nothing this document defines"),
                    );
                    None
                }
            };
        }
        let wanted = normalized(file);
        let Some(sibling) = self
            .siblings
            .iter()
            .find(|s| normalized(s.file) == wanted)
            .copied()
        else {
            let known: Vec<&str> = self.siblings.iter().map(|s| s.file).collect();
            self.sink.error(
                at,
                None,
                format!(
                    "$ref `{reference}` names a file that is not among the documents given \
                     beside this one ({})",
                    if known.is_empty() {
                        String::from("none")
                    } else {
                        known.join(", ")
                    }
                ),
            );
            return None;
        };
        if !self.included.contains(&wanted) {
            self.included.push(wanted.clone());
            match super::tree(sibling.file, sibling.bytes) {
                Ok(tree) => {
                    let names = self.add_document(file_name(file), tree);
                    if names.is_empty() {
                        return None;
                    }
                }
                Err(d) => {
                    self.sink.error(
                        at,
                        None,
                        format!("$ref `{reference}`: {}", d.to_string().trim_end()),
                    );
                    return None;
                }
            }
        }
        let name = match fragment.trim_start_matches('/') {
            "" => crate::naming::type_name(stem(file_name(file))),
            inner => inner.rsplit('/').next().unwrap_or(inner).to_owned(),
        };
        Some(component(&name))
    }
}

/// OpenAPI 3.0 has one `example`; JSON Schema has a list of `examples`, and the documents also
/// write lists under `example` for schemas that are not arrays. The first value is kept.
fn first_example(o: &mut Map<String, Value>) {
    let is_array = o.get("type").and_then(Value::as_str) == Some("array");
    if let Some(Value::Array(list)) = o.remove("examples") {
        if !o.contains_key("example") {
            if let Some(first) = list.into_iter().next() {
                o.insert(String::from("example"), first);
            }
        }
    }
    if !is_array {
        if let Some(Value::Array(list)) = o.get("example") {
            if let Some(first) = list.first().cloned() {
                o.insert(String::from("example"), first);
            }
        }
    }
}

/// The last segment of a path (`./a/B.yaml` gives `B.yaml`).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A file name without its extension.
fn stem(file: &str) -> &str {
    let name = file_name(file);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// How file names are compared: lower case, no extension, no `en-` prefix.
fn normalized(file: &str) -> String {
    let s = stem(file).to_ascii_lowercase();
    s.strip_prefix("en-").map(str::to_owned).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn components(file: &str, text: &str, siblings: &[Sibling<'_>]) -> Value {
        let (bytes, _) =
            openapi(file, text.as_bytes(), siblings, "1.0.0").unwrap_or_else(|d| panic!("{d}"));
        let doc: Value = serde_json::from_slice(&bytes).expect("JSON");
        doc["components"]["schemas"].clone()
    }

    #[test]
    fn a_bare_schema_is_one_component_named_after_its_file() {
        let c = components(
            "pixThing.yaml",
            "type: object\nproperties: {a: {type: string}}\n",
            &[],
        );
        assert_eq!(c["PixThing"]["properties"]["a"]["type"], "string");
    }

    #[test]
    fn a_mapping_gives_a_component_per_name_and_local_refs_follow() {
        let text = "A:\n  type: object\n  properties: {b: {$ref: '#/B'}}\nB: {type: string}\n";
        let c = components("m.yaml", text, &[]);
        assert_eq!(c["A"]["properties"]["b"]["$ref"], "#/components/schemas/B");
        assert_eq!(c["B"]["type"], "string");
    }

    #[test]
    fn a_sibling_file_joins_by_its_name_ignoring_case_and_prefix() {
        let text =
            "Outer:\n  type: object\n  properties:\n    p: {oneOf: [{$ref: './PixThing.yaml'}]}\n";
        let sibling = Sibling {
            file: "en-pixThing.yaml",
            bytes: b"type: string\nexample: [one, two]\n",
        };
        let c = components("outer.yaml", text, &[sibling]);
        assert_eq!(
            c["Outer"]["properties"]["p"]["oneOf"][0]["$ref"],
            "#/components/schemas/PixThing"
        );
        assert_eq!(
            c["PixThing"]["example"], "one",
            "a list of examples gives its first"
        );
    }

    #[test]
    fn a_reference_to_an_unknown_file_is_an_error_naming_the_known_ones() {
        let e = openapi(
            "o.yaml",
            b"type: object\nproperties: {p: {$ref: './Gone.yaml'}}\n",
            &[Sibling {
                file: "here.yaml",
                bytes: b"type: string\n",
            }],
            "1",
        )
        .expect_err("refused")
        .to_string();
        assert!(e.contains("`./Gone.yaml` names a file that is not among the documents given beside this one (here.yaml)"), "{e}");
    }

    #[test]
    fn a_property_whose_schema_is_false_is_left_out_with_a_warning() {
        let text = "type: object\nproperties:\n  a: {type: string}\n  additionalProperties: false\n  b: true\n";
        let (bytes, warnings) = openapi("t.yaml", text.as_bytes(), &[], "1").expect("converts");
        let doc: Value = serde_json::from_slice(&bytes).expect("JSON");
        let props = &doc["components"]["schemas"]["T"]["properties"];
        assert!(props.get("additionalProperties").is_none(), "{props}");
        assert_eq!(props["b"], json!({}));
        let w = warnings.to_string();
        assert!(w.contains("#/T/properties/additionalProperties: property `additionalProperties` has the schema `false`"), "{w}");
        assert!(
            w.contains("probably meant `additionalProperties: false` one level up"),
            "{w}"
        );
    }

    #[test]
    fn neither_a_schema_nor_a_mapping_is_refused() {
        let e = openapi("x.yaml", b"a: 1\n", &[], "1")
            .expect_err("refused")
            .to_string();
        assert!(e.contains("neither a schema"), "{e}");
    }
}
