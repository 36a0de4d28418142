//! OpenAPI 3.0 schemas rewritten as draft 4 JSON Schema, the dialect they were derived from,
//! so that the `jsonschema` crate can judge instances by the document's own words.
//!
//! Only what OpenAPI changed is rewritten: `nullable` becomes a `null` type (or an `anyOf` with
//! `null` where the schema has no `type`, or composes others), and the keywords draft 4 does not
//! know and that could change a verdict (`discriminator`, `example`, `readOnly`, `x-*`...) go.
//! A few things draft 4's meta-schema refuses but OpenAPI documents write (an empty `required`,
//! an `exclusiveMinimum` without `minimum`) are dropped, since they constrain nothing.

use serde_json::{Map, Value};

/// OpenAPI keywords with no draft 4 meaning.
const OPENAPI_ONLY: [&str; 8] = [
    "discriminator",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "nullable",
];

/// How deep schemas nest before the walk stops (a document is a tree, so this only bounds
/// hostile input).
const MAX_DEPTH: usize = 200;

/// The document with every schema it holds converted; everything else is left as it was.
pub fn document(doc: &Value) -> Value {
    let mut out = doc.clone();
    if crate::document::is_bare_schema(&out) {
        schema(&mut out, 0);
        return out;
    }
    if let Some(components) = out.get_mut("components").and_then(Value::as_object_mut) {
        for (kind, map) in components.iter_mut() {
            let Some(map) = map.as_object_mut() else {
                continue;
            };
            for item in map.values_mut() {
                match kind.as_str() {
                    "schemas" => schema(item, 0),
                    "parameters" | "headers" => parameter(item),
                    "requestBodies" => holder(item),
                    "responses" => response(item),
                    "pathItems" => path_item(item),
                    _ => {}
                }
            }
        }
    }
    if let Some(paths) = out.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            path_item(item);
        }
    }
    // A schema may `$ref` something that is not in a schema's place (a parameter object, as
    // some documents slip): convert those too. Converting is idempotent, so a target converted
    // already, or a reference between non-schemas, comes to no harm.
    let mut refs = std::collections::BTreeSet::new();
    collect_refs(&out, &mut refs, 0);
    for r in refs {
        if r.starts_with("#/components/schemas/") {
            continue;
        }
        let pointer = r.trim_start_matches('#');
        if let Some(target) = out.pointer_mut(pointer) {
            schema(target, 0);
        }
    }
    out
}

/// Every local `$ref` in `v`.
fn collect_refs(v: &Value, out: &mut std::collections::BTreeSet<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                if r.starts_with("#/") {
                    out.insert(r.to_string());
                }
            }
            m.values().for_each(|x| collect_refs(x, out, depth + 1));
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out, depth + 1)),
        _ => {}
    }
}

/// A path item: its parameters and its operations'.
fn path_item(item: &mut Value) {
    let Some(m) = item.as_object_mut() else {
        return;
    };
    for (key, op) in m.iter_mut() {
        if key == "parameters" {
            each(op, parameter);
            continue;
        }
        let Some(op) = op.as_object_mut() else {
            continue;
        };
        if let Some(p) = op.get_mut("parameters") {
            each(p, parameter);
        }
        if let Some(b) = op.get_mut("requestBody") {
            holder(b);
        }
        if let Some(rs) = op.get_mut("responses").and_then(Value::as_object_mut) {
            rs.values_mut().for_each(response);
        }
    }
}

/// Applies `f` to each item of an array.
fn each(v: &mut Value, f: fn(&mut Value)) {
    if let Some(a) = v.as_array_mut() {
        a.iter_mut().for_each(f);
    }
}

/// A parameter or header: its `schema` and its `content`.
fn parameter(p: &mut Value) {
    if let Some(s) = p.get_mut("schema") {
        schema(s, 0);
    }
    holder(p);
}

/// A response: its content and its headers.
fn response(r: &mut Value) {
    holder(r);
    if let Some(h) = r.get_mut("headers").and_then(Value::as_object_mut) {
        h.values_mut().for_each(parameter);
    }
}

/// Anything with a `content` map of media type objects.
fn holder(h: &mut Value) {
    if let Some(c) = h.get_mut("content").and_then(Value::as_object_mut) {
        for media in c.values_mut() {
            if let Some(s) = media.get_mut("schema") {
                schema(s, 0);
            }
        }
    }
}

/// One schema and every schema under it.
pub fn schema(s: &mut Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(m) = s.as_object_mut() else {
        return;
    };
    if m.contains_key("$ref") {
        // Draft 4 ignores a reference's siblings, as OpenAPI 3.0 does.
        return;
    }
    for key in ["properties", "patternProperties"] {
        if let Some(props) = m.get_mut(key).and_then(Value::as_object_mut) {
            props.values_mut().for_each(|p| schema(p, depth + 1));
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        match m.get_mut(key) {
            Some(Value::Array(a)) => a.iter_mut().for_each(|p| schema(p, depth + 1)),
            Some(v @ Value::Object(_)) => schema(v, depth + 1),
            _ => {}
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(a) = m.get_mut(key).and_then(Value::as_array_mut) {
            a.iter_mut().for_each(|p| schema(p, depth + 1));
        }
    }
    let nullable = m.get("nullable") == Some(&Value::Bool(true));
    m.retain(|k, _| !k.starts_with("x-") && !OPENAPI_ONLY.contains(&k.as_str()));
    tidy(m);
    if nullable {
        allow_null(s);
    }
}

/// Drops what draft 4's meta-schema refuses but means nothing: an empty or repeated `required`,
/// an exclusive bound without its bound.
fn tidy(m: &mut Map<String, Value>) {
    if m.get("required").is_some_and(|r| !r.is_array()) {
        // `required: true` on a property is OpenAPI 2 (or a slip): draft 4 refuses the schema
        // whole, which would leave every schema that uses it untested.
        m.remove("required");
    }
    if let Some(Value::Array(req)) = m.get_mut("required") {
        let mut seen = std::collections::BTreeSet::new();
        req.retain(|r| seen.insert(r.to_string()));
    }
    if matches!(m.get("required"), Some(Value::Array(a)) if a.is_empty()) {
        m.remove("required");
    }
    for (excl, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if m.contains_key(excl) && !m.contains_key(bound) {
            m.remove(excl);
        }
    }
}

/// `nullable: true`: `null` joins the type (and the enum); a schema without a type, or one that
/// composes others (whose parts would refuse `null`), becomes `anyOf: [null, itself]`, which is
/// what every generator makes of it (an optional value).
fn allow_null(s: &mut Value) {
    let Some(m) = s.as_object_mut() else {
        return;
    };
    let composes = ["allOf", "oneOf", "anyOf", "not"]
        .iter()
        .any(|k| m.contains_key(*k));
    let typed = match m.get_mut("type") {
        Some(Value::String(t)) if !composes => {
            let t = std::mem::take(t);
            m.insert(
                "type".into(),
                Value::Array(vec![Value::String(t), "null".into()]),
            );
            true
        }
        Some(Value::Array(ts)) if !composes => {
            if !ts.iter().any(|t| t == "null") {
                ts.push("null".into());
            }
            true
        }
        _ => false,
    };
    if typed {
        if let Some(Value::Array(e)) = m.get_mut("enum") {
            if !e.contains(&Value::Null) {
                e.push(Value::Null);
            }
        }
        return;
    }
    let rest = std::mem::take(m);
    let mut wrapped = Map::new();
    wrapped.insert(
        "anyOf".into(),
        Value::Array(vec![
            serde_json::json!({"type": "null"}),
            Value::Object(rest),
        ]),
    );
    *s = Value::Object(wrapped);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nullable_and_openapi_keywords() {
        let mut s = json!({
            "type": "object", "x-foo": 1, "discriminator": {"propertyName": "t"},
            "required": [],
            "properties": {
                "a": {"type": "string", "nullable": true, "enum": ["A"], "example": "A"},
                "b": {"nullable": true, "allOf": [{"$ref": "#/x"}]},
                "c": {"$ref": "#/y", "nullable": true},
                "d": {"type": "integer", "exclusiveMinimum": true}
            }
        });
        schema(&mut s, 0);
        assert_eq!(
            s,
            json!({
                "type": "object",
                "properties": {
                    "a": {"type": ["string", "null"], "enum": ["A", null]},
                    "b": {"anyOf": [{"type": "null"}, {"allOf": [{"$ref": "#/x"}]}]},
                    "c": {"$ref": "#/y", "nullable": true},
                    "d": {"type": "integer"}
                }
            })
        );
    }
}
