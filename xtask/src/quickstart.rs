//! `cargo xtask quickstart`: the partner API's data-sharing quickstart, run end to end against a
//! local partner (the `quickstart` example of `codegen/partner`).

use crate::catalog::Catalog;
use crate::sources::Sources;
use crate::Error;
use std::path::Path;

/// The hand-written partner session crate, whose example walks the quickstart.
const MANIFEST: &str = "codegen/partner/Cargo.toml";

/// Generates the crates (the example builds on them), then runs the walk.
pub fn run(root: &Path, catalog: &Catalog, sources: &Sources) -> Result<(), Error> {
    crate::generate::catalog(root, catalog, sources, crate::generate::Mode::Write)
        .map_err(Error::Failed)?;
    walk(root).map_err(Error::Failed)
}

/// Runs the example over crates already generated.
pub fn walk(root: &Path) -> Result<(), String> {
    crate::cargo::run(
        root,
        &[
            "run",
            "--quiet",
            "--manifest-path",
            MANIFEST,
            "--features",
            "local",
            "--example",
            "quickstart",
        ],
        None,
    )
    .map_err(|e| format!("the quickstart did not reach its end: {e}"))
}
