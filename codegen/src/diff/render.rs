//! Reports for people and for CI: one line per change and a summary line, or one JSON
//! document with the same facts.

use super::{Change, Report};
use serde_json::{json, Value};

fn verdict(breaking: bool) -> &'static str {
    if breaking {
        "breaking"
    } else {
        "ok"
    }
}

fn line(c: &Change) -> String {
    let ptr = |p: &Option<String>| p.clone().unwrap_or_else(|| String::from("-"));
    format!(
        "{} {}: {}; old {}, new {}; client: {} ({}); server: {} ({})",
        c.kind.name(),
        c.location,
        c.detail,
        ptr(&c.old_pointer),
        ptr(&c.new_pointer),
        verdict(c.client.breaking),
        c.client.rule,
        verdict(c.server.breaking),
        c.server.rule,
    )
}

/// The summary line: `3 changes: 1 breaking for clients, 2 breaking for servers`.
pub fn summary_line(report: &Report) -> String {
    let s = report.summary();
    if s.changes == 0 {
        return String::from("no changes");
    }
    let plural = if s.changes == 1 { "" } else { "s" };
    format!(
        "{} change{plural}: {} breaking for clients, {} breaking for servers",
        s.changes, s.client_breaking, s.server_breaking
    )
}

/// The report as text: a line per change, then the summary line.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for c in &report.changes {
        out.push_str(&line(c));
        out.push('\n');
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// One change as JSON.
pub fn change_json(c: &Change) -> Value {
    json!({
        "kind": c.kind.name(),
        "side": c.side.name(),
        "class": c.class.name(),
        "location": c.location,
        "old_pointer": c.old_pointer,
        "new_pointer": c.new_pointer,
        "detail": c.detail,
        "client_breaking": c.client.breaking,
        "server_breaking": c.server.breaking,
        "client_rule": c.client.rule,
        "server_rule": c.server.rule,
    })
}

/// The report as a JSON value: the documents' labels, the changes and the counts.
pub fn json_value(report: &Report, old: &str, new: &str) -> Value {
    let s = report.summary();
    json!({
        "old": old,
        "new": new,
        "changes": report.changes.iter().map(change_json).collect::<Vec<_>>(),
        "summary": {
            "changes": s.changes,
            "client_breaking": s.client_breaking,
            "server_breaking": s.server_breaking,
            "breaking": s.breaking,
        },
    })
}

/// The report as pretty-printed JSON, ending with a newline.
pub fn json(report: &Report, old: &str, new: &str) -> String {
    let mut out = serde_json::to_string_pretty(&json_value(report, old, new))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::rules::{classify, Class};
    use crate::diff::{Kind, Side};

    fn change() -> Change {
        let rule = classify(Class::Removed, Side::Response);
        Change {
            kind: Kind::FieldRemoved,
            class: Class::Removed,
            side: Side::Response,
            location: String::from("GET /x response 200 body name"),
            old_pointer: Some(String::from("#/components/schemas/X/properties/name")),
            new_pointer: None,
            detail: String::from("`name` (required) removed"),
            client: rule.client,
            server: rule.server,
        }
    }

    #[test]
    fn text_has_a_line_per_change_and_a_summary() {
        let report = Report {
            changes: vec![change()],
        };
        assert_eq!(
            text(&report),
            "field-removed GET /x response 200 body name: `name` (required) removed; \
             old #/components/schemas/X/properties/name, new -; client: breaking (clients no \
             longer receive it: code that read it must change); server: ok (what servers \
             produced stays acceptable: unlisted members are ignored)\n\
             1 change: 1 breaking for clients, 0 breaking for servers\n"
        );
        assert_eq!(text(&Report::default()), "no changes\n");
    }

    #[test]
    fn json_carries_every_field_and_the_summary() {
        let report = Report {
            changes: vec![change()],
        };
        let v: Value = serde_json::from_str(&json(&report, "a.yaml", "b.yaml")).expect("json");
        assert_eq!(v["old"], "a.yaml");
        assert_eq!(v["changes"][0]["kind"], "field-removed");
        assert_eq!(v["changes"][0]["new_pointer"], Value::Null);
        assert_eq!(v["changes"][0]["client_breaking"], true);
        assert_eq!(
            v["changes"][0]["server_rule"],
            classify(Class::Removed, Side::Response).server.rule
        );
        assert_eq!(v["summary"]["breaking"], 1);
    }
}
