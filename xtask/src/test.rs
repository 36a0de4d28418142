//! `cargo xtask test`: what CI runs. Generates every crate, then checks formatting of our own
//! crates, and runs clippy with `-D warnings` and every test in both workspaces: ours, and
//! generated/ (so the generated crates build warning-free and their examples round-trip), walks
//! the partner's quickstart and the reference institution's command, then compiles the README's
//! examples against the crates they name.

use crate::cargo::run as cargo;
use crate::catalog::Catalog;
use crate::sources::Sources;
use std::path::{Path, PathBuf};

/// Runs every check in order, stopping at the first that fails.
pub fn run(
    root: &Path,
    catalog: &Catalog,
    sources: &Sources,
    specs_dir: Option<PathBuf>,
) -> Result<(), String> {
    crate::generate::catalog(root, catalog, sources, crate::generate::Mode::Write)?;
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
    crate::institution::walk(root, specs_dir.as_ref())?;
    crate::readme::check(root)?;
    crate::standalone::check(root, catalog, sources)
}
