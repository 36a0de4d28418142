//! The project's command line, `cargo xtask`: thin front ends over `ofb-codegen` that read the
//! catalog and files, and write the results. A library so the workspace's tests can call the
//! same functions the commands do.

#![deny(missing_docs)]

pub mod bench;
pub mod bench_build;
pub mod cargo;
pub mod catalog;
pub mod cli;
pub mod diff;
pub mod fetch;
pub mod files;
pub mod flags;
pub mod frequencies;
pub mod generate;
pub mod institution;
pub mod mock;
pub mod oracle;
pub mod quickstart;
pub mod readme;
pub mod sources;
pub mod standalone;
pub mod test;
pub mod update;

use std::path::{Path, PathBuf};

/// The repository root (the parent of this crate's directory), so commands work from any
/// working directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The catalog cannot be read or is inconsistent.
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    /// A document cannot be read or is not the pinned one.
    #[error(transparent)]
    Source(#[from] sources::SourceError),
    /// `specs fetch` failed for some documents.
    #[error(transparent)]
    Fetch(#[from] fetch::Failures),
    /// A command's own failure, already worded for the user (generation, tests, benchmarks).
    #[error("{0}")]
    Failed(String),
}
