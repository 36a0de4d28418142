//! The project's command line, `cargo xtask`: thin front ends over `ofb-codegen` that read the
//! catalog and files, and write the results.

#![deny(missing_docs)]

pub mod bench;
pub mod catalog;
pub mod cli;
pub mod fetch;
pub mod generate;
pub mod sources;
pub mod test;

use std::path::{Path, PathBuf};

/// The repository root (the parent of this crate's directory), so commands work from any
/// working directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
