//! Where the schemas under test sit in a raw OpenAPI document: its component schemas and the
//! JSON bodies of its operations, read from the document itself (never from the generator's
//! model, which is what the oracle checks).

use crate::pointer::{escape, follow, join, local_ref};
use serde_json::Value;

/// The operations of a path item, in the order OpenAPI lists them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A JSON body of an operation.
pub struct Body<'d> {
    /// Pointer of the media type object ("#/paths/~1a/get/responses/200/content/application~1json").
    pub media: String,
    /// The media type object.
    pub object: &'d Value,
}

/// Whether a media type carries JSON the oracle can judge: `application/json`, any `+json`,
/// and `application/jwt` (a signed body whose payload the documents describe as JSON).
pub fn is_json(media: &str) -> bool {
    let essence = media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json") || essence == "application/jwt"
}

/// Every JSON media type object of every request and response body, in document order.
pub fn bodies(doc: &Value) -> Vec<Body<'_>> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Ok((item_at, item)) = follow(doc, item, &join("#/paths", path)) else {
            continue;
        };
        for method in METHODS {
            let Some(op) = item.get(method).filter(|o| o.is_object()) else {
                continue;
            };
            let op_at = join(&item_at, method);
            if let Some(body) = op.get("requestBody") {
                holder_bodies(doc, body, &format!("{op_at}/requestBody"), &mut out);
            }
            if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                for (status, response) in responses {
                    let at = join(&format!("{op_at}/responses"), status);
                    holder_bodies(doc, response, &at, &mut out);
                }
            }
        }
    }
    out
}

/// The JSON media types of a request body or response (following its `$ref`).
fn holder_bodies<'d>(doc: &'d Value, holder: &'d Value, at: &str, out: &mut Vec<Body<'d>>) {
    let Ok((at, holder)) = follow(doc, holder, at) else {
        return;
    };
    let Some(content) = holder.get("content").and_then(Value::as_object) else {
        return;
    };
    for (media, object) in content {
        if is_json(media) && object.is_object() {
            out.push(Body {
                media: format!("{at}/content/{}", escape(media)),
                object,
            });
        }
    }
}

/// Whether `schema` is only a `$ref` to a component schema that exists, which is tested as a
/// component already.
pub fn component_ref(doc: &Value, schema: &Value) -> Option<String> {
    let r = local_ref(schema)?;
    let name = r.strip_prefix("#/components/schemas/")?;
    if name.contains('/') {
        return None;
    }
    crate::pointer::resolve(doc, r).map(|_| r.to_string())
}

/// See [`crate::targets`].
pub fn targets(doc: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut push = |p: String, out: &mut Vec<String>| {
        if seen.insert(p.clone()) {
            out.push(p);
        }
    };
    if is_bare_schema(doc) {
        push("#".to_string(), &mut out);
    }
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for name in schemas.keys() {
            push(join("#/components/schemas", name), &mut out);
        }
    }
    for body in bodies(doc) {
        let Some(schema) = body.object.get("schema") else {
            continue;
        };
        if component_ref(doc, schema).is_none() {
            push(format!("{}/schema", body.media), &mut out);
        }
    }
    out
}

/// Whether the document is a JSON Schema rather than an OpenAPI document (the integration
/// layer publishes a few of those): its root is then the one schema under test.
pub fn is_bare_schema(doc: &Value) -> bool {
    let Some(m) = doc.as_object() else {
        return false;
    };
    !m.contains_key("openapi")
        && !m.contains_key("swagger")
        && ["type", "properties", "allOf", "oneOf", "anyOf", "$ref"]
            .iter()
            .any(|k| m.contains_key(*k))
}
