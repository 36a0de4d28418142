//! The oracle over the real documents, when `OFB_SPECS_DIR` names a directory that holds them
//! (`../shared/specs` on the project's machines): every target's cases are built without a
//! panic, within bounds, and some are valid and some invalid; and a decoder that agrees with
//! `jsonschema` agrees with every case (no mutant is refused elsewhere than where it was
//! broken). Prints the counts and the time. Without the variable it returns early: the inline
//! tests (tests/oracle.rs) cover the behaviour.
//!
//! `OFB_ORACLE_DOCS=all` (or substrings, comma-separated) picks the documents; the default is
//! a few. `OFB_ORACLE_TIME=FILE` prints the slowest schemas of one document.

use std::time::Instant;

/// Runs `run` with a decoder that agrees with `jsonschema` itself, refusing where it points:
/// every disagreement is then the oracle's own bookkeeping (a mutant refused elsewhere than
/// where it was broken), printed for reading.
fn self_check(label: &str, doc: &serde_json::Value) -> usize {
    let oracle = ofb_oracle::Oracle::new(doc).expect("usable document");
    let decode = |target: &str, v: &serde_json::Value| {
        Some(match oracle.judge(target, v) {
            Ok(()) => ofb_oracle::Outcome::Accepted(v.clone()),
            Err(errors) => ofb_oracle::Outcome::Rejected {
                pointers: errors
                    .iter()
                    .map(|e| {
                        e.split(": ")
                            .next()
                            .unwrap_or("")
                            .trim_end_matches('/')
                            .to_string()
                    })
                    .collect(),
                message: errors.join("; "),
            },
        })
    };
    let report = ofb_oracle::run(
        &[ofb_oracle::Subject {
            label,
            document: doc,
            decode: &decode,
        }],
        &ofb_oracle::Exceptions::none(),
    );
    for d in report.disagreements.iter().take(5) {
        eprintln!("{d}");
    }
    report.disagreements.len()
}

/// Runs the cases of every target of `file` and returns (targets, skipped, valid, invalid).
fn census(path: &std::path::Path) -> (usize, usize, usize, usize) {
    let text = std::fs::read_to_string(path).expect("readable document");
    // As the generator loads them: without a byte order mark, through YAML values so that
    // integer keys (status codes) become strings.
    let text = text.trim_start_matches('\u{feff}');
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).expect("YAML document");
    let doc = serde_json::to_value(&yaml).expect("JSON data");
    let oracle = ofb_oracle::Oracle::new(&doc).expect("usable document");
    let (mut skipped, mut valid, mut invalid) = (0, 0, 0);
    let targets = ofb_oracle::targets(&doc);
    for target in &targets {
        if let Some(why) = oracle.unjudgeable(target) {
            eprintln!("  skipped {target}: {why}");
            skipped += 1;
            continue;
        }
        let cases = oracle.cases(target);
        let generated = cases
            .iter()
            .filter(|c| matches!(c.origin, ofb_oracle::Origin::Generated { .. }))
            .count();
        let mutants = cases
            .iter()
            .filter(|c| matches!(c.origin, ofb_oracle::Origin::Mutant { .. }))
            .count();
        assert!(generated <= ofb_oracle::MAX_GENERATED, "{target}");
        assert!(mutants <= ofb_oracle::MAX_MUTANTS, "{target}");
        if mutants == 0 {
            eprintln!("  no mutant (no valid generated instance) for {target}");
        }
        valid += cases.iter().filter(|c| c.verdict.is_ok()).count();
        invalid += cases.iter().filter(|c| c.verdict.is_err()).count();
    }
    (targets.len(), skipped, valid, invalid)
}

#[test]
fn real_documents() {
    let Ok(dir) = std::env::var("OFB_SPECS_DIR") else {
        eprintln!("OFB_SPECS_DIR is not set: the real documents are not run");
        return;
    };
    let dir = std::path::Path::new(&dir);
    // A few documents by default (CI may set OFB_SPECS_DIR; every document takes minutes in a
    // debug build): `OFB_ORACLE_DOCS` names others by substrings, comma-separated, or `all`.
    let wanted = std::env::var("OFB_ORACLE_DOCS").unwrap_or_else(|_| {
        "regulated/accounts-2.4.2,automatic-payments-2.0.0,paymentIntegration,pixPaymentConsent"
            .into()
    });
    let only: Option<Vec<String>> =
        (wanted != "all").then(|| wanted.split(',').map(str::to_string).collect());
    let mut files: Vec<_> = ["regulated", "integration"]
        .iter()
        .flat_map(|kind| std::fs::read_dir(dir.join(kind)).into_iter().flatten())
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.to_string_lossy();
            only.as_ref()
                .is_none_or(|o| o.iter().any(|w| name.contains(w.as_str())))
        })
        .collect();
    files.sort();
    for path in files {
        let start = Instant::now();
        let (targets, skipped, valid, invalid) = census(&path);
        eprintln!(
            "{}: {targets} targets ({skipped} skipped), {valid} valid, {invalid} invalid, in {:.2?}",
            path.display(),
            start.elapsed()
        );
        if targets > skipped {
            assert!(valid > 0 && invalid > 0, "{}", path.display());
        }
        let text = std::fs::read_to_string(&path).expect("readable document");
        let yaml: serde_yaml::Value =
            serde_yaml::from_str(text.trim_start_matches('\u{feff}')).expect("YAML document");
        let doc = serde_json::to_value(&yaml).expect("JSON data");
        let misplaced = self_check(&path.display().to_string(), &doc);
        assert_eq!(
            misplaced,
            0,
            "{}: cases refused elsewhere than where they were broken",
            path.display()
        );
    }
}

/// Per-target timings of one document (`OFB_ORACLE_TIME=path`), slowest first.
#[test]
fn timings() {
    let Ok(path) = std::env::var("OFB_ORACLE_TIME") else {
        return;
    };
    let text = std::fs::read_to_string(&path).expect("readable");
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(text.trim_start_matches('\u{feff}')).expect("yaml");
    let doc = serde_json::to_value(&yaml).expect("json");
    let oracle = ofb_oracle::Oracle::new(&doc).expect("usable");
    let mut times = Vec::new();
    for t in ofb_oracle::targets(&doc) {
        let start = Instant::now();
        let n = oracle.cases(&t).len();
        times.push((start.elapsed(), n, t));
    }
    times.sort();
    for (d, n, t) in times.iter().rev().take(10) {
        eprintln!("{d:.2?} {n} {t}");
    }
}
