//! `cargo xtask test`: what CI runs. Generates every crate, then checks formatting of our own
//! crates, and runs clippy with `-D warnings` and every test in both workspaces: ours, and
//! generated/ (so the generated crates build warning-free and their examples round-trip), then
//! compiles the README's examples against the crates they name.

use crate::catalog::Catalog;
use crate::sources::{Sources, SPECS_DIR_VAR};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `cargo ARGS` in `root` (with `OFB_SPECS_DIR` when given), echoing the command line.
pub(crate) fn cargo(root: &Path, args: &[&str], specs_dir: Option<&PathBuf>) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    eprintln!("$ cargo {}", args.join(" "));
    let mut cmd = Command::new(cargo);
    cmd.args(args).current_dir(root);
    no_incremental(&mut cmd);
    if let Some(d) = specs_dir {
        cmd.env(SPECS_DIR_VAR, d);
    }
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

/// Turns incremental compilation off unless the caller chose. A run of every check rebuilds
/// whole crates (the generated ones are rewritten wholesale), so the incremental caches, several
/// gigabytes for the generated workspace, would buy nothing and could fill a small disk.
fn no_incremental(cmd: &mut Command) {
    if std::env::var_os("CARGO_INCREMENTAL").is_none() {
        cmd.env("CARGO_INCREMENTAL", "0");
    }
}

/// Runs every check in order, stopping at the first that fails.
pub fn run(
    root: &Path,
    catalog: &Catalog,
    sources: &Sources,
    specs_dir: Option<PathBuf>,
) -> Result<(), String> {
    crate::generate::catalog(root, catalog, sources, false)?;
    // Generated crates are formatted by prettyplease, not rustfmt; they are a workspace of their
    // own, so `--all` here is every crate of ours.
    cargo(root, &["fmt", "--all", "--check"], None)?;
    cargo(
        root,
        &[
            "clippy",
            "--workspace",
            "--all-features",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        None,
    )?;
    cargo(
        root,
        &["test", "--workspace", "--all-features", "--no-fail-fast"],
        specs_dir.as_ref(),
    )?;
    let generated = ["--manifest-path", "generated/Cargo.toml", "--workspace"];
    cargo(
        root,
        &[
            &["clippy"][..],
            &generated,
            &["--all-features", "--all-targets", "--", "-D", "warnings"],
        ]
        .concat(),
        None,
    )?;
    cargo(
        root,
        &[
            &["test"][..],
            &generated,
            &["--all-features", "--no-fail-fast"],
        ]
        .concat(),
        None,
    )?;
    // The hand-written crates over the generated ones (built and tested above as members of
    // generated/'s workspace): formatted, and the partner's quickstart walked.
    for manifest in ["codegen/partner/Cargo.toml", crate::institution::MANIFEST] {
        cargo(root, &["fmt", "--manifest-path", manifest, "--check"], None)?;
    }
    crate::quickstart::walk(root)?;
    crate::readme::check(root)
}
