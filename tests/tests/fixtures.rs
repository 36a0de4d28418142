//! The generator against our own fixture documents: one feature each, snapshotted and compiled
//! under `#![deny(warnings)]`, generated twice to prove determinism; malformed documents give
//! the expected diagnostics and never panic.

use ofb_codegen::{generate, Settings};
use ofb_tests::{check_snapshot, files_in, repo_root, single_file};

fn settings(name: &str) -> Settings {
    Settings::new(format!("fixture-{name}"), "../../codegen/runtime")
        .with_source(format!("{name}.yaml"), "0".repeat(64))
}

fn stem(p: &std::path::Path) -> String {
    p.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("fixture")
        .to_owned()
}

#[test]
fn feature_fixtures_match_snapshots_and_compile() {
    let dir = repo_root().join("specs/fixtures/features");
    let fixtures = files_in(&dir, &["yaml", "yml", "json"]);
    assert!(
        fixtures.len() >= 10,
        "expected the feature fixtures in {}",
        dir.display()
    );
    let snapshots = repo_root().join("tests/snapshots");
    let mut failures = Vec::new();
    let cases = trybuild::TestCases::new();
    for path in &fixtures {
        let name = stem(path);
        let bytes = std::fs::read(path).expect("fixture is readable");
        let out = match generate(&format!("{name}.yaml"), &bytes, &[], &settings(&name)) {
            Ok(o) => o,
            Err(d) => {
                failures.push(format!("{name}: generation failed:\n{d}"));
                continue;
            }
        };
        let again =
            generate(&format!("{name}.yaml"), &bytes, &[], &settings(&name)).expect("second run");
        assert_eq!(
            out.files, again.files,
            "{name}: output differs between two runs"
        );
        let rs = single_file(&out.files);
        let warnings: String = out
            .warnings
            .sorted()
            .iter()
            .map(|d| format!("// {d}\n"))
            .collect();
        let snapshot = format!("// Warnings:\n{warnings}\n{rs}");
        let snap_path = snapshots.join(format!("{name}.rs"));
        if let Err(e) = check_snapshot(&snap_path, &snapshot) {
            failures.push(e);
        }
        cases.pass(&snap_path);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Each malformed fixture and the words its diagnostic must contain.
const MALFORMED: &[(&str, &[&str])] = &[
    ("bad-yaml", &["not valid YAML or JSON"]),
    ("not-an-object", &["root must be an object"]),
    ("missing-info", &["missing required `info`"]),
    ("openapi-3-1", &["OpenAPI 3.1", "not supported"]),
    ("swagger-2", &["Swagger/OpenAPI 2.0 is not supported"]),
    ("dangling-ref", &["points at no schema"]),
    ("cyclic-alias", &["cyclic $ref"]),
    ("bad-ref-syntax", &["external references are not supported"]),
    (
        "wrong-types",
        &["#/paths: not a valid OpenAPI 3.0 object here"],
    ),
    ("unknown-type", &["unknown type `strin`"]),
    ("duplicate-operation-id", &["is used twice"]),
    ("empty", &["the document is empty"]),
    (
        "cyclic-allof",
        &["cyclic allOf/oneOf/anyOf: A -> B -> A contain each other"],
    ),
    ("cyclic-oneof", &["cyclic allOf/oneOf/anyOf: A -> A"]),
    (
        "cyclic-allof-property",
        &["allOf includes `C` inside one of `C`'s own properties"],
    ),
];

/// Each hostile fixture (a document the generator must survive: it generates, bounded in time
/// and memory) and the words of the warning it must give.
const HOSTILE: &[(&str, &str)] = &[
    (
        "min-length-u64-max",
        "minLength 18446744073709551615: examples are composed up to 4096 characters",
    ),
    (
        "min-length-4e9",
        "minLength 4000000000: examples are composed up to 4096 characters",
    ),
    (
        "min-items-1e9",
        "minItems 1000000000: examples hold at most 64 items",
    ),
    // The largest: 150 mutually referring types with long enums, patterns and nested arrays,
    // for `bench generate`'s figures of time and memory against size.
    (
        "wide-and-cyclic",
        "minLength 4000000000: examples are composed up to 4096 characters",
    ),
];

#[test]
fn hostile_fixtures_generate_with_their_warnings() {
    let dir = repo_root().join("specs/fixtures/hostile");
    let present = files_in(&dir, &["yaml", "yml", "json"]);
    assert_eq!(
        present.len(),
        HOSTILE.len(),
        "every hostile fixture needs an expectation"
    );
    for path in present {
        let name = stem(&path);
        let (_, expected) = HOSTILE
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("{name}: no expectation"));
        let bytes = std::fs::read(&path).expect("fixture is readable");
        let started = std::time::Instant::now();
        let out = generate(&format!("{name}.yaml"), &bytes, &[], &settings(&name))
            .unwrap_or_else(|d| panic!("{name}: {d}"));
        let text: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|w| w.contains(expected)),
            "{name}: warnings lack {expected:?}:\n{}",
            text.join("\n")
        );
        let biggest = out
            .files
            .iter()
            .map(|f| f.contents.len())
            .max()
            .unwrap_or(0);
        // Output grows with the document, not with the numbers written in it.
        let bound = (1 << 20).max(16 * bytes.len());
        assert!(biggest < bound, "{name}: a file of {biggest} bytes");
        println!("{name}: {:?}", started.elapsed());
    }
}

#[test]
fn malformed_fixtures_give_diagnostics_not_panics() {
    let dir = repo_root().join("specs/fixtures/malformed");
    let present = files_in(&dir, &["yaml", "yml", "json"]);
    assert_eq!(
        present.len(),
        MALFORMED.len(),
        "every malformed fixture needs an expectation here"
    );
    let mut failures = Vec::new();
    for path in present {
        let name = stem(&path);
        let Some((_, expected)) = MALFORMED.iter().find(|(n, _)| *n == name) else {
            failures.push(format!("{name}: no expectation"));
            continue;
        };
        let bytes = std::fs::read(&path).expect("fixture is readable");
        match generate(&format!("{name}.yaml"), &bytes, &[], &settings(&name)) {
            Ok(_) => failures.push(format!("{name}: generated without an error")),
            Err(d) => {
                let text = d.to_string();
                println!("{name}:\n{text}");
                for e in *expected {
                    if !text.contains(e) {
                        failures.push(format!("{name}: diagnostics lack {e:?}:\n{text}"));
                    }
                }
                if !text.contains(&format!("{name}.yaml#")) {
                    failures.push(format!(
                        "{name}: diagnostics do not name the file and pointer:\n{text}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
