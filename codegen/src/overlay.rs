//! OpenAPI Overlay 1.0: corrections of ours applied to a published document before modelling.
//!
//! The upstream documents stay as published; where one has an erratum (a pattern no string can
//! match, say), the catalog pins an overlay next to it. Targets use the subset of JSONPath that
//! such corrections need: `$`, `.name`, `['name']`, `[n]`, `.*` and `[*]`. An action whose target
//! matches nothing is an error, so an overlay cannot silently go stale when upstream fixes the
//! erratum or moves the schema.

use crate::diag::{Diagnostics, Ptr, Sink};
use serde_json::Value;

/// A parsed overlay document.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// The overlay's label (its file name), named in diagnostics and in generated headers.
    pub label: String,
    /// `info.title` of the overlay.
    pub title: String,
    actions: Vec<Action>,
}

#[derive(Debug, Clone, PartialEq)]
struct Action {
    target: Vec<Step>,
    target_text: String,
    update: Option<Value>,
    remove: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    Wildcard,
}

impl Overlay {
    /// Parses an overlay from YAML or JSON bytes.
    pub fn parse(label: &str, bytes: &[u8]) -> Result<Overlay, Diagnostics> {
        let mut sink = Sink::new(label);
        let root = Ptr::root();
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let json: Value = match serde_yaml::from_slice::<serde_yaml::Value>(bytes)
            .map_err(|e| e.to_string())
            .and_then(|y| serde_json::to_value(y).map_err(|e| e.to_string()))
        {
            Ok(v) => v,
            Err(e) => {
                sink.error(
                    &root,
                    None,
                    format!("the overlay is not valid YAML or JSON: {e}"),
                );
                return Err(sink.finish());
            }
        };
        match json.get("overlay").and_then(Value::as_str) {
            Some(v) if v.starts_with("1.") => {}
            _ => sink.error(
                &root.join("overlay"),
                None,
                "an overlay must declare `overlay: 1.0.0`",
            ),
        }
        let title = json
            .pointer("/info/title")
            .and_then(Value::as_str)
            .unwrap_or("untitled overlay")
            .to_owned();
        let mut actions = Vec::new();
        match json.get("actions").and_then(Value::as_array) {
            None => sink.error(
                &root.join("actions"),
                None,
                "an overlay needs a list of `actions`",
            ),
            Some(list) => {
                for (i, a) in list.iter().enumerate() {
                    let at = root.join("actions").join(i.to_string());
                    let Some(target_text) = a.get("target").and_then(Value::as_str) else {
                        sink.error(&at, None, "an action needs a `target` JSONPath");
                        continue;
                    };
                    match parse_path(target_text) {
                        Ok(target) => actions.push(Action {
                            target,
                            target_text: target_text.to_owned(),
                            update: a.get("update").cloned(),
                            remove: a.get("remove").and_then(Value::as_bool).unwrap_or(false),
                        }),
                        Err(e) => sink.error(&at.join("target"), None, e),
                    }
                }
            }
        }
        if sink.has_errors() {
            return Err(sink.finish());
        }
        Ok(Overlay {
            label: label.to_owned(),
            title,
            actions,
        })
    }

    /// Applies every action in order to `doc`, reporting targets that match nothing.
    pub fn apply(&self, doc: &mut Value, sink: &mut Sink) {
        for (i, action) in self.actions.iter().enumerate() {
            let mut found = Vec::new();
            collect(doc, &action.target, Vec::new(), &mut found);
            if found.is_empty() {
                sink.error(
                    &Ptr::root(),
                    None,
                    format!(
                        "overlay {} action {i}: target `{}` matches nothing in the document",
                        self.label, action.target_text
                    ),
                );
                continue;
            }
            for path in found {
                if action.remove {
                    remove_at(doc, &path);
                } else if let Some(update) = &action.update {
                    if let Some(node) = node_at(doc, &path) {
                        merge(node, update);
                    }
                }
            }
        }
    }
}

fn parse_path(text: &str) -> Result<Vec<Step>, String> {
    let bad = |why: &str| format!("unsupported JSONPath `{text}`: {why}");
    let rest = text
        .strip_prefix('$')
        .ok_or_else(|| bad("it must start with `$`"))?;
    let chars: Vec<char> = rest.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                let start = i + 1;
                let mut j = start;
                while j < chars.len() && chars[j] != '.' && chars[j] != '[' {
                    j += 1;
                }
                let name: String = chars[start..j].iter().collect();
                if name.is_empty() {
                    return Err(bad(
                        "empty name after `.` (recursive descent is not supported)",
                    ));
                }
                steps.push(if name == "*" {
                    Step::Wildcard
                } else {
                    Step::Key(name)
                });
                i = j;
            }
            '[' => {
                let close = chars[i..]
                    .iter()
                    .position(|&c| c == ']')
                    .map(|p| p + i)
                    .ok_or_else(|| bad("unclosed `[`"))?;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner = inner.trim();
                if inner == "*" {
                    steps.push(Step::Wildcard);
                } else if let Some(q) = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                {
                    steps.push(Step::Key(q.to_owned()));
                } else if let Ok(n) = inner.parse::<usize>() {
                    steps.push(Step::Index(n));
                } else {
                    return Err(bad(
                        "only quoted names, indexes and `*` are supported in brackets",
                    ));
                }
                i = close + 1;
            }
            _ => return Err(bad("expected `.` or `[`")),
        }
    }
    Ok(steps)
}

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

fn collect(node: &Value, steps: &[Step], here: Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    let Some((step, rest)) = steps.split_first() else {
        out.push(here);
        return;
    };
    let mut go = |seg: Seg, child: &Value| {
        let mut p = here.clone();
        p.push(seg);
        collect(child, rest, p, out);
    };
    match (step, node) {
        (Step::Key(k), Value::Object(m)) => {
            if let Some(c) = m.get(k) {
                go(Seg::Key(k.clone()), c);
            }
        }
        (Step::Index(n), Value::Array(a)) => {
            if let Some(c) = a.get(*n) {
                go(Seg::Index(*n), c);
            }
        }
        (Step::Wildcard, Value::Object(m)) => {
            for (k, c) in m {
                go(Seg::Key(k.clone()), c);
            }
        }
        (Step::Wildcard, Value::Array(a)) => {
            for (n, c) in a.iter().enumerate() {
                go(Seg::Index(n), c);
            }
        }
        _ => {}
    }
}

fn node_at<'a>(mut node: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    for seg in path {
        node = match (seg, node) {
            (Seg::Key(k), Value::Object(m)) => m.get_mut(k)?,
            (Seg::Index(n), Value::Array(a)) => a.get_mut(*n)?,
            _ => return None,
        };
    }
    Some(node)
}

fn remove_at(doc: &mut Value, path: &[Seg]) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    match (last, node_at(doc, parent)) {
        (Seg::Key(k), Some(Value::Object(m))) => {
            m.remove(k);
        }
        (Seg::Index(n), Some(Value::Array(a))) if *n < a.len() => {
            a.remove(*n);
        }
        _ => {}
    }
}

/// Overlay 1.0 update semantics: objects merge recursively, arrays append, anything else
/// replaces.
fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(t), Value::Object(u)) => {
            for (k, v) in u {
                match t.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(u)) => t.extend(u.iter().cloned()),
        (Value::Array(t), u) => t.push(u.clone()),
        (t, u) => *t = u.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(text: &str) -> Overlay {
        match Overlay::parse("o.yaml", text.as_bytes()) {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn update_merges_and_remove_deletes() {
        let o = overlay(
            "overlay: 1.0.0\ninfo: {title: fix, version: '1'}\nactions:\n\
             - target: \"$.components.schemas['A'].properties.x\"\n  update: {pattern: '^a$'}\n\
             - target: $.components.schemas.A.properties.y\n  remove: true\n",
        );
        let mut doc = json!({"components": {"schemas": {"A": {"properties": {
            "x": {"type": "string", "pattern": "^a$ "}, "y": {"type": "string"}}}}}});
        let mut sink = Sink::new("d.yaml");
        o.apply(&mut doc, &mut sink);
        assert!(!sink.has_errors());
        assert_eq!(
            doc,
            json!({"components": {"schemas": {"A": {"properties": {
                "x": {"type": "string", "pattern": "^a$"}}}}}})
        );
    }

    #[test]
    fn a_target_that_matches_nothing_is_an_error() {
        let o = overlay("overlay: 1.0.0\ninfo: {title: fix, version: '1'}\nactions:\n- target: $.nope[*]\n  remove: true\n");
        let mut sink = Sink::new("d.yaml");
        o.apply(&mut json!({}), &mut sink);
        assert!(sink
            .finish()
            .to_string()
            .contains("target `$.nope[*]` matches nothing"));
    }

    #[test]
    fn unsupported_paths_are_rejected_with_the_reason() {
        let e =
            Overlay::parse("o.yaml", b"overlay: 1.0.0\nactions:\n- target: $..x\n").unwrap_err();
        assert!(
            e.to_string().contains("recursive descent is not supported"),
            "{e}"
        );
    }
}
