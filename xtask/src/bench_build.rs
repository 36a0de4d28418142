//! `cargo xtask bench build [--baseline REV]`: a cold build of `generated/` with every feature,
//! the shared dependencies first, then each crate alone, so that each figure is that crate's own
//! code (libraries, not tests).
//!
//! With `--baseline REV`, the crates that revision generates from the same documents are built
//! in the same run, each crate right after today's: build times on a shared machine drift by
//! half or more within an hour, so a figure recorded earlier is no baseline, and interleaving
//! keeps the two sides under the same conditions.

use crate::flags::BenchArgs;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One set of generated crates to build: today's, or a baseline revision's.
struct Crates {
    /// The workspace manifest of the crates (`generated/Cargo.toml`).
    manifest: PathBuf,
    /// The runtime's own manifest: not a member of that workspace, built first.
    runtime: PathBuf,
    /// Where this side builds, emptied first.
    target: PathBuf,
    /// Lines emitted, by package name.
    lines: BTreeMap<String, usize>,
    /// The runtime features each crate turns on with all of its own: the runtime is built
    /// with each of these sets first, so that no crate's figure includes building it.
    runtime_features: BTreeSet<Vec<String>>,
}

/// Runs the benchmark.
pub fn run(args: &BenchArgs) -> Result<(), String> {
    let root = crate::repo_root();
    let (catalog, sources) = crate::fetch::open(&args.specs).map_err(|e| e.to_string())?;
    crate::generate::catalog(&root, &catalog, &sources, crate::generate::Mode::Write)?;
    // Today's crates in catalog order, by id and package name.
    let mut order = Vec::new();
    let mut runtime_features = BTreeSet::new();
    for g in crate::generate::all(&root, &catalog, &sources) {
        let g = g?;
        let manifest = g
            .output
            .files
            .iter()
            .find(|f| f.path == "Cargo.toml")
            .map(|f| f.contents.as_str())
            .unwrap_or_default();
        let name = package_name(manifest).ok_or_else(|| format!("{}: no package name", g.id))?;
        runtime_features.insert(runtime_features_of(manifest));
        order.push((g.id, name, g.output.stats.lines));
    }
    let today = Crates {
        manifest: root.join("generated/Cargo.toml"),
        runtime: root.join("codegen/runtime/Cargo.toml"),
        target: root.join("target/bench-build"),
        lines: order.iter().map(|(_, n, l)| (n.clone(), *l)).collect(),
        runtime_features,
    };
    let baseline = match &args.baseline {
        Some(rev) => {
            let specs = sources.specs_dir().ok_or(
                "--baseline generates the revision's crates offline: give --specs-dir or OFB_SPECS_DIR",
            )?;
            Some(baseline(&root, rev, specs)?)
        }
        None => None,
    };
    for side in std::iter::once(&today).chain(&baseline) {
        if side.target.exists() {
            std::fs::remove_dir_all(&side.target)
                .map_err(|e| format!("{}: {e}", side.target.display()))?;
        }
    }

    eprintln!("building the shared dependencies (cold)...");
    let header = match &args.baseline {
        Some(rev) => format!("{:>8} {:>9}  (baseline {rev})", "lines", "seconds"),
        None => String::new(),
    };
    println!("{:<52} {:>8} {:>9}  {header}", "crate", "lines", "seconds");
    let mut totals = [(0usize, 0f64); 2];
    let shared = [
        Some(shared_build(&today)?),
        match &baseline {
            Some(b) => Some(shared_build(b)?),
            None => None,
        },
    ];
    row(
        "(shared: ofb-runtime, as each crate uses it, and its dependencies)",
        &[(None, shared[0]), (None, shared[1])],
        baseline.is_some(),
    );
    for (id, name, lines) in &order {
        let ours = timed(
            &today.manifest,
            &today.target,
            &["-p", name, "--all-features"],
        )?;
        totals[0].0 += lines;
        totals[0].1 += ours.as_secs_f64();
        let theirs = match baseline
            .as_ref()
            .and_then(|b| Some((b, *b.lines.get(name)?)))
        {
            Some((b, n)) => {
                let t = timed(&b.manifest, &b.target, &["-p", name, "--all-features"])?;
                totals[1].0 += n;
                totals[1].1 += t.as_secs_f64();
                (Some(n), Some(t))
            }
            None => (None, None),
        };
        row(
            id,
            &[(Some(*lines), Some(ours)), theirs],
            baseline.is_some(),
        );
    }
    if let Some(b) = &baseline {
        // Crates the revision generated that today's catalog does not: not compared.
        let gone: Vec<&String> = b
            .lines
            .keys()
            .filter(|n| !today.lines.contains_key(*n))
            .collect();
        if !gone.is_empty() {
            eprintln!("not in today's catalog, not built: {gone:?}");
        }
    }
    let secs = |s: f64| Some(Duration::from_secs_f64(s));
    let with_shared = |i: usize| totals[i].1 + shared[i].map_or(0.0, |d| d.as_secs_f64());
    row(
        "generated crates",
        &[
            (Some(totals[0].0), secs(totals[0].1)),
            (Some(totals[1].0), secs(totals[1].1)),
        ],
        baseline.is_some(),
    );
    row(
        "total, shared dependencies included",
        &[
            (Some(totals[0].0), secs(with_shared(0))),
            (Some(totals[1].0), secs(with_shared(1))),
        ],
        baseline.is_some(),
    );
    if baseline.is_some() && totals[1].1 > 0.0 {
        println!(
            "crates: {:+.0}% against the baseline; with the shared dependencies: {:+.0}%",
            (totals[0].1 / totals[1].1 - 1.0) * 100.0,
            (with_shared(0) / with_shared(1) - 1.0) * 100.0
        );
    }
    Ok(())
}

/// The runtime and its dependencies, built once with each set of features a crate turns on.
fn shared_build(side: &Crates) -> Result<Duration, String> {
    let mut took = Duration::ZERO;
    for features in &side.runtime_features {
        let joined = features.join(",");
        let args: &[&str] = if features.is_empty() {
            &[]
        } else {
            &["--features", &joined]
        };
        took += timed(&side.runtime, &side.target, args)?;
    }
    Ok(took)
}

/// The runtime features a generated crate's manifest turns on when all of its own features
/// are: those its features forward (`decimal = ["ofb-runtime/decimal"]`) and those its
/// dependency on the runtime names.
fn runtime_features_of(manifest: &str) -> Vec<String> {
    let Ok(t) = manifest.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut out = BTreeSet::new();
    if let Some(features) = t.get("features").and_then(|f| f.as_table()) {
        for value in features.values().filter_map(|v| v.as_array()).flatten() {
            if let Some(f) = value.as_str().and_then(|v| v.strip_prefix("ofb-runtime/")) {
                out.insert(f.to_owned());
            }
        }
    }
    let direct = t
        .get("dependencies")
        .and_then(|d| d.get("ofb-runtime"))
        .and_then(|r| r.get("features"))
        .and_then(|f| f.as_array());
    for f in direct.into_iter().flatten().filter_map(|f| f.as_str()) {
        out.insert(f.to_owned());
    }
    out.into_iter().collect()
}

/// One line of the table: today's lines and seconds, then the baseline's when there is one.
fn row(what: &str, sides: &[(Option<usize>, Option<Duration>); 2], baseline: bool) {
    let cell = |(lines, took): (Option<usize>, Option<Duration>)| {
        format!(
            "{:>8} {:>9}",
            lines.map_or_else(|| String::from("-"), |n| n.to_string()),
            took.map_or_else(|| String::from("-"), |d| format!("{:.1}", d.as_secs_f64()))
        )
    };
    let theirs = if baseline {
        format!("  {}", cell(sides[1]))
    } else {
        String::new()
    };
    println!("{what:<52} {}{theirs}", cell(sides[0]));
}

/// `cargo build --quiet --manifest-path MANIFEST ARGS` into `target`, cold, timed.
fn timed(manifest: &Path, target: &Path, args: &[&str]) -> Result<Duration, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    let started = Instant::now();
    let status = Command::new(&cargo)
        .arg("build")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(manifest)
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(started.elapsed())
    } else {
        Err(format!(
            "`cargo build --manifest-path {} {}` failed ({status})",
            manifest.display(),
            args.join(" ")
        ))
    }
}

/// The crates `rev` generates from the documents in `specs`: its tree checked out as a git
/// worktree under `target/bench-build-baseline`, and its own `xtask generate` run there.
fn baseline(root: &Path, rev: &str, specs: &Path) -> Result<Crates, String> {
    let base = root.join("target/bench-build-baseline");
    let tree = base.join("tree");
    let git = |args: &[&str]| -> Result<(), String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "`git {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    };
    if tree.exists() {
        std::fs::remove_dir_all(&tree).map_err(|e| format!("{}: {e}", tree.display()))?;
    }
    git(&["worktree", "prune"])?;
    let tree_arg = tree.to_string_lossy().into_owned();
    git(&["worktree", "add", "--detach", "--force", &tree_arg, rev])?;
    eprintln!("generating {rev}'s crates in {}...", tree.display());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    let specs = std::path::absolute(specs).map_err(|e| format!("{}: {e}", specs.display()))?;
    let out = Command::new(&cargo)
        .current_dir(&tree)
        .args([
            "run",
            "--quiet",
            "-p",
            "xtask",
            "--",
            "generate",
            "--specs-dir",
        ])
        .arg(&specs)
        .env("CARGO_TARGET_DIR", base.join("xtask"))
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{rev}: `xtask generate` failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let generated = tree.join("generated");
    let mut lines = BTreeMap::new();
    let mut runtime_features = BTreeSet::new();
    for kind in read_dir(&generated)? {
        if !kind.is_dir() || kind.ends_with("target") {
            continue;
        }
        for krate in read_dir(&kind)? {
            let Ok(text) = std::fs::read_to_string(krate.join("Cargo.toml")) else {
                continue;
            };
            if let Some(name) = package_name(&text) {
                lines.insert(name, count_lines(&krate)?);
                runtime_features.insert(runtime_features_of(&text));
            }
        }
    }
    Ok(Crates {
        manifest: generated.join("Cargo.toml"),
        runtime: tree.join("codegen/runtime/Cargo.toml"),
        target: base.join("target"),
        lines,
        runtime_features,
    })
}

fn package_name(manifest: &str) -> Option<String> {
    let t = manifest.parse::<toml::Table>().ok()?;
    t.get("package")?.get("name")?.as_str().map(str::to_owned)
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        out.push(e.map_err(|e| format!("{}: {e}", dir.display()))?.path());
    }
    out.sort();
    Ok(out)
}

/// Lines of every file under `dir`: what generation wrote, counted as its statistics count.
fn count_lines(dir: &Path) -> Result<usize, String> {
    let mut n = 0;
    for path in read_dir(dir)? {
        if path.is_dir() {
            n += count_lines(&path)?;
        } else {
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            n += String::from_utf8_lossy(&bytes).lines().count();
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::{package_name, runtime_features_of};

    #[test]
    fn a_crate_turns_on_the_runtime_features_its_own_features_forward() {
        let manifest = r#"
            [package]
            name = "ofb-x"
            [features]
            default = []
            decimal = ["ofb-runtime/decimal"]
            server = ["ofb-runtime/server", "dep:axum"]
            client = ["ofb-runtime/client"]
            [dependencies]
            ofb-runtime = { workspace = true, features = ["testing"] }
        "#;
        assert_eq!(package_name(manifest).as_deref(), Some("ofb-x"));
        assert_eq!(
            runtime_features_of(manifest),
            ["client", "decimal", "server", "testing"]
        );
        let types_only = "[package]\nname = \"ofb-y\"\n[dependencies]\nserde = \"1\"\n";
        assert!(runtime_features_of(types_only).is_empty());
        assert_eq!(package_name("not toml ["), None);
    }
}
