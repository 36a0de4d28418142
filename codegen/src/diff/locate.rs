//! Pointers the model does not keep: where a parameter is declared (its index in the
//! operation's or the path item's list) and where a referenced response really is. Read from
//! the document's JSON tree when the caller gives it; otherwise the nearest pointer the model
//! does know.

use crate::diag::Ptr;
use crate::model::{Location, Status};
use serde_json::Value;

/// A `#`-prefixed pointer string from the model as a [`Ptr`] (the root when it is not one).
pub(super) fn parse(pointer: &str) -> Ptr {
    Ptr::from_ref(pointer).unwrap_or_default()
}

/// Where a chain of local `$ref`s starting at `at` ends (at most 32 hops; `at` itself when it
/// is not a reference or the chain leaves the document).
pub(super) fn follow(json: &Value, at: Ptr) -> Ptr {
    let mut at = at;
    for _ in 0..32 {
        let next = json
            .pointer(at.as_json_pointer())
            .and_then(|v| v.get("$ref"))
            .and_then(Value::as_str)
            .and_then(Ptr::from_ref);
        match next {
            Some(next) if json.pointer(next.as_json_pointer()).is_some() => at = next,
            _ => break,
        }
    }
    at
}

/// The `in` of a parameter travelling at `location`.
pub(super) fn location_name(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
        Location::Cookie => "cookie",
    }
}

/// The key of `status` in a `responses` map.
pub(super) fn status_key(status: Status) -> String {
    match status {
        Status::Code(c) => c.to_string(),
        Status::Range(h) => format!("{h}XX"),
        Status::Default => String::from("default"),
    }
}

/// Where the parameter `wire` travelling at `location` is declared for the operation at `op`
/// on `path`: in the operation's list, else the path item's (where a `$ref` is followed only
/// to read its name). Without the document, or for a path variable no parameter declares, the
/// operation's list (or the operation) itself.
pub(super) fn parameter(
    json: Option<&Value>,
    op: &Ptr,
    path: &str,
    location: Location,
    wire: &str,
) -> Ptr {
    let Some(json) = json else {
        return op.join("parameters");
    };
    let lists = [
        op.join("parameters"),
        Ptr::root().join("paths").join(path).join("parameters"),
    ];
    for list in lists {
        let len = json
            .pointer(list.as_json_pointer())
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        for i in 0..len {
            let at = list.join(i.to_string());
            let Some(p) = json.pointer(follow(json, at.clone()).as_json_pointer()) else {
                continue;
            };
            let name = p.get("name").and_then(Value::as_str);
            let place = p.get("in").and_then(Value::as_str);
            let same_name = match location {
                Location::Header => name.is_some_and(|n| n.eq_ignore_ascii_case(wire)),
                _ => name == Some(wire),
            };
            if same_name && place == Some(location_name(location)) {
                return at;
            }
        }
    }
    op.clone()
}

/// Where the schema of the parameter or header at `at` is: its `schema` (or the schema of its
/// only `content` entry) once `$ref`s are followed. Without the document, `at` itself.
pub(super) fn schema_of(json: Option<&Value>, at: Option<Ptr>) -> Option<Ptr> {
    let (Some(json), Some(at)) = (json, at.clone()) else {
        return at;
    };
    let target = follow(json, at);
    let value = json.pointer(target.as_json_pointer());
    if value.and_then(|v| v.get("schema")).is_some() {
        return Some(target.join("schema"));
    }
    let media = value
        .and_then(|v| v.get("content"))
        .and_then(Value::as_object)
        .and_then(|c| c.keys().next());
    match media {
        Some(m) => Some(target.join("content").join(m).join("schema")),
        None => Some(target),
    }
}

/// The response of `status` for the operation at `op`: where the status is listed, and where
/// its object is once `$ref`s are followed (headers and content live there).
pub(super) fn response(json: Option<&Value>, op: &Ptr, status: Status) -> (Ptr, Ptr) {
    let listed = op.join("responses").join(status_key(status));
    let target = match json {
        Some(json) => follow(json, listed.clone()),
        None => listed.clone(),
    };
    (listed, target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_are_followed_and_dangling_ones_are_not() {
        let doc = json!({
            "a": {"$ref": "#/b"},
            "b": {"$ref": "#/c"},
            "c": {"x": 1},
            "d": {"$ref": "#/nowhere"},
        });
        assert_eq!(follow(&doc, Ptr::root().join("a")).to_string(), "#/c");
        assert_eq!(follow(&doc, Ptr::root().join("d")).to_string(), "#/d");
        let cyclic = json!({"a": {"$ref": "#/a"}});
        assert_eq!(follow(&cyclic, Ptr::root().join("a")).to_string(), "#/a");
    }

    #[test]
    fn parameters_are_found_in_the_operation_then_the_path_item() {
        let doc = json!({"paths": {"/x/{id}": {
            "parameters": [{"name": "id", "in": "path"}],
            "get": {"parameters": [
                {"name": "id", "in": "query"},
                {"$ref": "#/components/parameters/H"},
            ]},
        }}, "components": {"parameters": {"H": {"name": "X-Trace", "in": "header"}}}});
        let op = Ptr::root().join("paths").join("/x/{id}").join("get");
        let at = |loc, wire| parameter(Some(&doc), &op, "/x/{id}", loc, wire).to_string();
        assert_eq!(
            at(Location::Query, "id"),
            "#/paths/~1x~1{id}/get/parameters/0"
        );
        assert_eq!(
            at(Location::Header, "x-trace"),
            "#/paths/~1x~1{id}/get/parameters/1"
        );
        assert_eq!(at(Location::Path, "id"), "#/paths/~1x~1{id}/parameters/0");
        assert_eq!(at(Location::Cookie, "c"), "#/paths/~1x~1{id}/get");
    }
}
