//! Reading a document: bytes to a JSON tree and an `openapiv3::OpenAPI`.
//!
//! The published Open Finance documents start with a UTF-8 byte order mark more often than not,
//! so it is dropped before parsing. YAML is a superset of JSON, so one parser reads both. The
//! version gate comes before typed parsing because a 2.0 or 3.1 document fails typed parsing with
//! messages that do not say what is actually wrong.

use crate::diag::{Diagnostics, Ptr, Sink};
use crate::overlay::Overlay;

pub mod json_schema;

/// A parsed document: its raw JSON tree (for pointers and examples) and its typed form.
#[derive(Debug, Clone)]
pub struct Document {
    /// The label used in diagnostics (usually the file name).
    pub label: String,
    /// The document as JSON, after overlays.
    pub json: serde_json::Value,
    /// The typed OpenAPI model of the same tree.
    pub api: openapiv3::OpenAPI,
    /// What reading it found worth saying: text it repaired, what the overlays said.
    pub warnings: Diagnostics,
}

/// Parses `bytes` (YAML or JSON, with or without a BOM), applies `overlays` in order, and checks
/// that the result is an OpenAPI 3.0 document.
pub fn load(label: &str, bytes: &[u8], overlays: &[Overlay]) -> Result<Document, Diagnostics> {
    let mut sink = Sink::new(label);
    let mut json = match tree_into(bytes, &mut sink) {
        Some(json) => json,
        None => return Err(sink.finish()),
    };
    check_version(&json, &mut sink);
    if sink.has_errors() {
        return Err(sink.finish());
    }
    for overlay in overlays {
        overlay.apply(&mut json, &mut sink);
    }
    if sink.has_errors() {
        return Err(sink.finish());
    }
    match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&json) {
        Ok(api) => Ok(Document {
            label: label.to_owned(),
            json,
            api,
            warnings: sink.finish(),
        }),
        Err(e) => {
            let (ptr, message) = refine(&json)
                .unwrap_or_else(|| (path_ptr(&Ptr::root(), e.path()), e.inner().to_string()));
            sink.error(
                &ptr,
                None,
                format!("not a valid OpenAPI 3.0 object here: {message}"),
            );
            Err(sink.finish())
        }
    }
}

fn path_ptr(base: &Ptr, path: &serde_path_to_error::Path) -> Ptr {
    let mut ptr = base.clone();
    for seg in path.iter() {
        match seg {
            serde_path_to_error::Segment::Map { key } => ptr = ptr.join(key),
            serde_path_to_error::Segment::Seq { index } => ptr = ptr.join(index.to_string()),
            _ => {}
        }
    }
    ptr
}

/// Deserializes `value` as `T`, giving the pointer (under `at`) and message of a failure.
fn probe<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
    at: &Ptr,
) -> Option<(Ptr, String)> {
    serde_path_to_error::deserialize::<_, T>(value)
        .err()
        .map(|e| (path_ptr(at, e.path()), e.inner().to_string()))
}

/// Typed parsing loses the path inside flattened maps (`paths`, `components`); this re-parses
/// each path item, operation and component on its own to find the deepest failing place.
fn refine(json: &serde_json::Value) -> Option<(Ptr, String)> {
    use openapiv3::{Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema};
    let root = Ptr::root();
    if let Some(paths) = json.get("paths") {
        let at = root.join("paths");
        let Some(items) = paths.as_object() else {
            return Some((
                at,
                format!("`paths` must be an object, not {}", kind_of(paths)),
            ));
        };
        for (path, item) in items {
            let pat = at.join(path);
            for method in [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ] {
                if let Some(op) = item.get(method) {
                    if let Some(found) = probe::<Operation>(op, &pat.join(method)) {
                        return Some(found);
                    }
                }
            }
            if let Some(found) = probe::<ReferenceOr<PathItem>>(item, &pat) {
                return Some(found);
            }
        }
    }
    if let Some(components) = json.get("components").and_then(|c| c.as_object()) {
        let at = root.join("components");
        for (section, entries) in components {
            let Some(entries) = entries.as_object() else {
                continue;
            };
            for (name, v) in entries {
                let here = at.join(section).join(name);
                let found = match section.as_str() {
                    "schemas" => probe::<ReferenceOr<Schema>>(v, &here),
                    "responses" => probe::<ReferenceOr<Response>>(v, &here),
                    "parameters" => probe::<ReferenceOr<Parameter>>(v, &here),
                    "requestBodies" => probe::<ReferenceOr<RequestBody>>(v, &here),
                    _ => None,
                };
                if found.is_some() {
                    return found;
                }
            }
        }
    }
    None
}

/// The JSON tree of `bytes` (YAML or JSON, with or without a BOM), whose root must be an
/// object; `label` names the document in diagnostics.
pub fn tree(label: &str, bytes: &[u8]) -> Result<serde_json::Value, Diagnostics> {
    let mut sink = Sink::new(label);
    tree_into(bytes, &mut sink).ok_or_else(|| sink.finish())
}

/// [`tree`], saying what it found into `sink`; `None` after an error.
fn tree_into(bytes: &[u8], sink: &mut Sink) -> Option<serde_json::Value> {
    let root = Ptr::root();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            sink.error(&root, None, format!("the document is not UTF-8: {e}"));
            return None;
        }
    };
    if text.trim().is_empty() {
        sink.error(&root, None, "the document is empty");
        return None;
    }
    // A tab ending a line is insignificant whitespace, though YAML forbids a tab where it
    // stands. Some readers (libyaml, under serde_yaml) take it, others refuse the document: it
    // is read as whitespace, and said, naming the line, so that the document can be mended.
    let repaired = without_trailing_tabs(text);
    let parsed = match (parse_tree(text), &repaired) {
        (Ok(v), _) => Ok(v),
        (Err(msg), Some((mended, _))) => parse_tree(mended).map_err(|_| msg),
        (Err(msg), None) => Err(msg),
    };
    match parsed {
        Ok(v) => {
            for line in repaired.map(|(_, lines)| lines).unwrap_or_default() {
                sink.warn(
                    &root,
                    None,
                    format!("line {line}: a tab at the end of the line, where YAML allows none; it is read as the whitespace it is"),
                );
            }
            Some(v)
        }
        Err(msg) => {
            sink.error(&root, None, msg);
            None
        }
    }
}

/// `text` with the spaces and tabs that end a line removed where they hold a tab, and the
/// (1-based) numbers of those lines; `None` when there are none.
fn without_trailing_tabs(text: &str) -> Option<(String, Vec<usize>)> {
    if !text.contains('\t') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut lines = Vec::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let (body, end) = match line.strip_suffix("\r\n") {
            Some(b) => (b, "\r\n"),
            None => match line.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (line, ""),
            },
        };
        let kept = body.trim_end_matches([' ', '\t']);
        if body[kept.len()..].contains('\t') {
            lines.push(i + 1);
            out.push_str(kept);
        } else {
            out.push_str(body);
        }
        out.push_str(end);
    }
    (!lines.is_empty()).then_some((out, lines))
}

/// YAML (or JSON) text to a JSON tree. Integer keys such as unquoted status codes become
/// strings, as OpenAPI means them.
fn parse_tree(text: &str) -> Result<serde_json::Value, String> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text)
        .map_err(|e| format!("the document is not valid YAML or JSON: {e}"))?;
    let json = serde_json::to_value(&yaml)
        .map_err(|e| format!("the document cannot be read as JSON data: {e}"))?;
    if !json.is_object() {
        return Err(format!(
            "the document's root must be an object (a mapping), not {}",
            kind_of(&json)
        ));
    }
    Ok(json)
}

fn check_version(json: &serde_json::Value, sink: &mut Sink) {
    let root = Ptr::root();
    if let Some(v) = json.get("swagger") {
        sink.error(
            &root.join("swagger"),
            None,
            format!(
                "Swagger/OpenAPI {} is not supported: only OpenAPI 3.0.x is; convert the document first",
                display_scalar(v)
            ),
        );
        return;
    }
    match json.get("openapi") {
        None => sink.error(&root, None, "missing `openapi` version field: only OpenAPI 3.0.x is supported"),
        Some(serde_json::Value::String(v)) if v.starts_with("3.0.") || v == "3.0" => {}
        Some(serde_json::Value::String(v)) if v.starts_with("3.1") => sink.error(
            &root.join("openapi"),
            None,
            format!("OpenAPI {v} is not supported: only OpenAPI 3.0.x is (3.1 changes the schema language)"),
        ),
        Some(v) => sink.error(
            &root.join("openapi"),
            None,
            format!("unsupported OpenAPI version {}: only 3.0.x is supported", display_scalar(v)),
        ),
    }
    match json.get("info") {
        Some(serde_json::Value::Object(_)) => {}
        Some(v) => sink.error(
            &root.join("info"),
            None,
            format!("`info` must be an object, not {}", kind_of(v)),
        ),
        None => sink.error(
            &root,
            None,
            "missing required `info` object (title and version)",
        ),
    }
}

fn display_scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(crate) fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match load("t.yaml", text.as_bytes(), &[]) {
            Ok(_) => String::from("loaded"),
            Err(d) => d.to_string(),
        }
    }

    const MINIMAL: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";

    /// A tab ending a line (the published `oasPagamentosJSR.yaml` has one at line 210) is read
    /// as whitespace, with a warning naming the line; a tab that matters is still an error.
    #[test]
    fn a_tab_ending_a_line_is_read_with_a_warning_naming_the_line() {
        let text = "openapi: 3.0.3\r\ninfo: {title: t, version: '1'}\r\npaths:\r\n  /a:\r\n    get:\r\n      description: \t\r\n        Spelled out below.\r\n      responses: {}\r\n";
        let doc = load("t.yaml", text.as_bytes(), &[]).expect("read");
        let shown = doc.warnings.to_string();
        assert!(
            shown.contains("line 6: a tab at the end of the line"),
            "{shown}"
        );
        assert_eq!(
            doc.json["paths"]["/a"]["get"]["description"],
            "Spelled out below."
        );
        assert!(err("openapi: 3.0.3\ninfo:\n\ttitle: t\n").contains("not valid YAML"));
    }

    #[test]
    fn bom_is_tolerated() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(MINIMAL.as_bytes());
        assert!(load("t.yaml", &bytes, &[]).is_ok());
    }

    #[test]
    fn versions_other_than_3_0_are_named() {
        assert!(
            err("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n")
                .contains("OpenAPI 3.1.0 is not supported")
        );
        assert!(err("swagger: '2.0'\ninfo: {title: t, version: '1'}\n")
            .contains("Swagger/OpenAPI 2.0 is not supported"));
    }

    #[test]
    fn structural_errors_carry_pointers() {
        assert_eq!(err(""), "error: t.yaml#: the document is empty\n");
        assert!(err("- a\n- b\n").contains("root must be an object (a mapping), not a list"));
        assert!(err("openapi: 3.0.0\npaths: {}\n").contains("missing required `info`"));
        let e = err("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {'/a': {get: {responses: 3}}}\n");
        assert!(e.contains("#/paths/~1a/get/responses"), "{e}");
    }
}
