//! `specs diff` against our own fixture pairs (one change each, the JSON report snapshotted
//! next to them), the command's outcomes, and every catalogued document against itself.

use ofb_codegen::diff::{self, render, Model, Report};
use ofb_tests::{check_snapshot, repo_root};
use std::path::{Path, PathBuf};
use xtask::flags::SpecsDirArg;
use xtask::flags::{DiffArgs, DiffFormat};

/// Each fixture case and the kind of change it must report (`None`: no change at all).
const CASES: &[(&str, Option<&str>)] = &[
    ("enum-value-added-response", Some("enum-value-added")),
    ("enum-value-removed-request", Some("enum-value-removed")),
    ("format-change", Some("format-changed")),
    ("items-change", Some("items-changed")),
    ("length-change", Some("length-changed")),
    ("operation-added", Some("operation-added")),
    ("operation-removed", Some("operation-removed")),
    ("parameter-added-optional", Some("parameter-added")),
    ("parameter-made-required", Some("made-required")),
    ("pattern-change", Some("pattern-changed")),
    ("range-change", Some("range-changed")),
    ("request-field-added-required", Some("field-added")),
    ("request-field-made-required", Some("made-required")),
    ("request-field-removed", Some("field-removed")),
    ("response-field-added", Some("field-added")),
    ("response-field-made-optional", Some("made-optional")),
    ("response-field-removed", Some("field-removed")),
    ("response-header-added", Some("header-added")),
    ("response-header-removed", Some("header-removed")),
    ("same", None),
    ("status-added", Some("status-added")),
    ("status-removed", Some("status-removed")),
    ("type-change", Some("type-changed")),
];

fn fixtures() -> PathBuf {
    repo_root().join("specs/fixtures/diff")
}

fn load(path: &Path, label: &str) -> Model {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    diff::model(label, &bytes, &[]).unwrap_or_else(|d| panic!("{}:\n{d}", path.display()))
}

fn pair(case: &str) -> (Model, Model) {
    let dir = fixtures().join(case);
    (
        load(&dir.join("old.yaml"), "old.yaml"),
        load(&dir.join("new.yaml"), "new.yaml"),
    )
}

/// Every pointer of a report names something in its document.
fn dangling(report: &Report, old: &Model, new: &Model) -> Vec<String> {
    let mut out = Vec::new();
    for c in &report.changes {
        for (p, m) in [(&c.old_pointer, old), (&c.new_pointer, new)] {
            if let Some(p) = p {
                let found = p
                    .strip_prefix('#')
                    .and_then(|p| m.document.json.pointer(p))
                    .is_some();
                if !found {
                    out.push(format!(
                        "{} {}: {p} is not in the document",
                        c.kind.name(),
                        c.location
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn every_fixture_case_has_an_expectation() {
    let mut present: Vec<String> = std::fs::read_dir(fixtures())
        .expect("specs/fixtures/diff")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    let listed: Vec<String> = CASES.iter().map(|(c, _)| (*c).to_owned()).collect();
    assert_eq!(present, listed);
}

#[test]
fn fixture_pairs_match_their_expected_reports() {
    let mut failures = Vec::new();
    for (case, kind) in CASES {
        let (old, new) = pair(case);
        let report = diff::diff_inputs(old.input(), new.input());
        let json = render::json(&report, "old.yaml", "new.yaml");
        if let Err(e) = check_snapshot(&fixtures().join(case).join("expected.json"), &json) {
            failures.push(e);
        }
        match kind {
            None if !report.is_empty() => failures.push(format!(
                "{case}: expected no change:\n{}",
                render::text(&report)
            )),
            Some(kind) if !report.changes.iter().any(|c| c.kind.name() == *kind) => {
                failures.push(format!("{case}: no {kind}:\n{}", render::text(&report)))
            }
            _ => {}
        }
        failures.extend(
            dangling(&report, &old, &new)
                .into_iter()
                .map(|d| format!("{case}: {d}")),
        );
        // The same pair the other way round finds the mirror of every change.
        let back = diff::diff_inputs(new.input(), old.input());
        let mut forth: Vec<_> = report
            .changes
            .iter()
            .map(|c| (c.old_pointer.clone(), c.new_pointer.clone()))
            .collect();
        let mut mirrored: Vec<_> = back
            .changes
            .iter()
            .map(|c| (c.new_pointer.clone(), c.old_pointer.clone()))
            .collect();
        forth.sort();
        mirrored.sort();
        if forth != mirrored {
            failures.push(format!(
                "{case}: the reverse diff is not the mirror:\n{}\n{}",
                render::text(&report),
                render::text(&back)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_verdicts_of_the_fixtures_follow_the_direction_of_the_data() {
    // (case, breaks clients, breaks servers), for every change of the case.
    let expected = [
        ("operation-added", false, true),
        ("operation-removed", true, true),
        ("status-added", false, false),
        ("status-removed", false, true),
        ("parameter-added-optional", false, false),
        ("parameter-made-required", true, false),
        ("request-field-added-required", true, false),
        ("request-field-removed", false, true),
        ("request-field-made-required", true, false),
        ("response-field-added", false, false),
        ("response-field-removed", true, false),
        ("response-field-made-optional", true, false),
        ("length-change", true, false),
        ("range-change", true, false),
        ("items-change", true, false),
        ("pattern-change", true, false),
        ("format-change", true, true),
        ("type-change", true, true),
        ("enum-value-added-response", false, false),
        ("enum-value-removed-request", true, false),
        ("response-header-added", false, true),
        ("response-header-removed", true, false),
    ];
    for (case, client, server) in expected {
        let (old, new) = pair(case);
        let report = diff::diff_inputs(old.input(), new.input());
        assert!(!report.is_empty(), "{case}");
        for c in &report.changes {
            assert_eq!(
                (c.client.breaking, c.server.breaking),
                (client, server),
                "{case}: {}",
                render::text(&report)
            );
        }
    }
}

fn args(case: &str, fail_on_breaking: bool) -> DiffArgs {
    let dir = fixtures().join(case);
    DiffArgs {
        old: dir.join("old.yaml").display().to_string(),
        new: dir.join("new.yaml").display().to_string(),
        format: DiffFormat::Json,
        fail_on_breaking,
        specs: SpecsDirArg::default(),
    }
}

#[test]
fn the_command_fails_on_breaking_changes_only_when_asked() {
    assert!(xtask::diff::run(&args("type-change", false)).is_ok());
    assert!(xtask::diff::run(&args("same", true)).is_ok());
    assert!(xtask::diff::run(&args("status-added", true)).is_ok());
    let err = xtask::diff::run(&args("type-change", true)).expect_err("breaking");
    assert_eq!(
        err.to_string(),
        "3 breaking change(s) (3 for clients, 3 for servers) and --fail-on-breaking is given"
    );
}

#[test]
fn unreadable_and_invalid_documents_are_named() {
    let mut a = args("same", false);
    a.old = String::from("no/such/file.yaml");
    let err = xtask::diff::run(&a).expect_err("missing").to_string();
    let catalog =
        xtask::catalog::Catalog::load(&repo_root().join("specs/catalog.toml")).expect("catalog");
    let first = catalog
        .entries()
        .first()
        .map(|e| e.id())
        .unwrap_or_default();
    assert!(
        err.starts_with(&format!(
            "no/such/file.yaml: no such file, and no catalogued document is named so \
             (catalogued: {first}"
        )),
        "{err}"
    );
    let bad = repo_root().join("specs/fixtures/malformed/dangling-ref.yaml");
    a.old = bad.display().to_string();
    let err = xtask::diff::run(&a).expect_err("invalid").to_string();
    assert!(
        err.starts_with(&format!(
            "{}: not a document that can be compared:\nerror: {}#",
            a.old, a.old
        )),
        "{err}"
    );
    assert!(err.contains("points at no schema"), "{err}");
}

#[test]
fn text_reports_end_with_the_summary_line() {
    let (old, new) = pair("response-header-removed");
    let report = diff::diff_inputs(old.input(), new.input());
    let text = xtask::diff::rendered(&report, DiffFormat::Text, "old.yaml", "new.yaml");
    assert_eq!(
        text,
        "header-removed GET /widgets response 200 header x-total: header `x-total` (optional) \
         removed; old #/paths/~1widgets/get/responses/200/headers/x-total, new -; client: \
         breaking (clients no longer receive it: code that read it must change); server: ok \
         (what servers produced stays acceptable: unlisted members are ignored)\n\
         1 change: 1 breaking for clients, 0 breaking for servers\n"
    );
}

/// Every catalogued document against itself: nothing changes. Needs the documents
/// (OFB_SPECS_DIR, which CI sets).
#[test]
fn every_catalogued_document_diffs_against_itself_to_nothing() {
    let Some(dir) = xtask::sources::Sources::specs_dir_from(None) else {
        println!("OFB_SPECS_DIR is not set: the catalogued documents are not compared");
        return;
    };
    let root = repo_root();
    let catalog = xtask::catalog::Catalog::load(&root.join("specs/catalog.toml")).expect("catalog");
    let sources = xtask::sources::Sources::new(root, Some(dir));
    let mut failures = Vec::new();
    for entry in catalog.entries() {
        let named = match xtask::sources::read_document(&catalog, &sources, entry) {
            Ok((n, _)) => n,
            Err(e) => {
                failures.push(e.to_string());
                continue;
            }
        };
        let model = xtask::diff::model(&named).expect("the catalogued documents model");
        let report = diff::diff_inputs(model.input(), model.input());
        if !report.is_empty() {
            failures.push(format!("{}:\n{}", entry.id(), render::text(&report)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Catalogued documents are named KIND/FAMILY, and every two documents of a family (another
/// kind or version of it) compare without a pointer that names nothing.
#[test]
fn catalogued_documents_are_named_by_kind_and_family() {
    let specs = SpecsDirArg::default();
    if specs.resolve().is_none() {
        println!("OFB_SPECS_DIR is not set: catalogued documents are not read");
        return;
    }
    let root = repo_root();
    let catalog = xtask::catalog::Catalog::load(&root.join("specs/catalog.toml")).expect("catalog");
    let entries = catalog.entries();
    let mut failures = Vec::new();
    let mut pairs = 0;
    for (i, a) in entries.iter().enumerate() {
        for b in entries[i + 1..].iter().filter(|b| b.family == a.family) {
            let old = xtask::diff::read(&a.id(), &specs).expect("catalogued");
            let new = xtask::diff::read(&b.id(), &specs).expect("catalogued");
            assert_eq!(old.label, format!("{}/{}", a.kind, a.file));
            assert_eq!(new.overlays.len(), usize::from(b.overlay.is_some()));
            let (ma, mb) = (
                xtask::diff::model(&old).expect("old"),
                xtask::diff::model(&new).expect("new"),
            );
            let report = diff::diff_inputs(ma.input(), mb.input());
            println!(
                "{} -> {}: {}",
                a.id(),
                b.id(),
                render::summary_line(&report)
            );
            failures.extend(dangling(&report, &ma, &mb));
            pairs += 1;
        }
    }
    println!("{pairs} pairs compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
