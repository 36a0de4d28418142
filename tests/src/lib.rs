//! Helpers shared by the end-to-end tests: where the fixtures are, snapshot comparison, and the
//! single-file form of a generated crate that the snapshots (and trybuild) use.

#![deny(missing_docs)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// Files in `dir` with one of `exts`, sorted by name.
pub fn files_in(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
    });
    v.sort();
    v
}

/// Compares `actual` with the checked-in file at `path`; with `UPDATE_SNAPSHOTS=1` rewrites it
/// instead. Returns a description of the difference when they differ.
pub fn check_snapshot(path: &Path, actual: &str) -> Result<(), String> {
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, actual).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected == actual {
        return Ok(());
    }
    // Every change, as a unified diff (three lines of context), not only the first.
    let diff = similar::TextDiff::from_lines(expected.as_str(), actual)
        .unified_diff()
        .context_radius(3)
        .header(&path.display().to_string(), "generated")
        .to_string();
    Err(format!(
        "{} differs from the generated output; rerun with UPDATE_SNAPSHOTS=1 to accept:\n{diff}",
        path.display(),
    ))
}

/// The generated crate as one Rust file: each module inline, under `#![deny(warnings)]`, with
/// an empty `main`, so trybuild can compile it with the test crate's dependencies.
pub fn single_file(files: &[ofb_codegen::File]) -> String {
    let mut out = String::from("#![deny(warnings)]\n#![allow(dead_code)]\n\n");
    for f in files {
        let Some(module) = f
            .path
            .strip_prefix("src/")
            .and_then(|p| p.strip_suffix(".rs"))
        else {
            continue;
        };
        if module == "lib" {
            // The crate root's own items (BASE_PATH) stay; its module declarations and their
            // feature gates give way to the modules inlined below.
            let mut lines = f.contents.lines().peekable();
            while let Some(line) = lines.next() {
                let t = line.trim_start();
                let gate = (t.starts_with("#[cfg(feature") || t.starts_with("#[doc(hidden)]"))
                    && lines.peek().is_some_and(|n| n.contains("mod "));
                let decl = t.starts_with("pub mod ") || t.starts_with("mod ");
                if !(t.starts_with("//") || gate || decl) {
                    out.push_str(line);
                    out.push('\n');
                }
            }
            continue;
        }
        out.push_str(&format!("pub mod {module} {{\n{}}}\n\n", f.contents));
    }
    out.push_str("fn main() {}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::check_snapshot;

    /// A snapshot that differs in two places names both, with context.
    #[test]
    fn a_differing_snapshot_shows_every_change() {
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            return; // the check writes instead of comparing
        }
        let path = std::env::temp_dir().join(format!("ofb-snapshot-{}.txt", std::process::id()));
        let expected: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&path, &expected).expect("written");
        let actual = expected
            .replace("line 2\n", "line two\n")
            .replace("line 18\n", "line eighteen\n");
        let e = check_snapshot(&path, &actual).expect_err("differs");
        let _ = std::fs::remove_file(&path);
        assert!(e.contains("-line 2\n+line two"), "{e}");
        assert!(e.contains("-line 18\n+line eighteen"), "{e}");
        assert!(
            check_snapshot(&path, &actual).is_err(),
            "a missing snapshot differs"
        );
    }
}
