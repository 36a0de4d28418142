//! Where a catalogued document's bytes come from: a local specs directory the user names, or
//! the download cache. Every read is verified against the pinned SHA-256.

use crate::catalog::{Entry, Kind};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variable that names a local specs directory.
pub const SPECS_DIR_VAR: &str = "OFB_SPECS_DIR";

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a document could not be read.
#[derive(Debug)]
pub enum SourceError {
    /// Neither a specs directory nor the cache has it.
    Missing {
        /// The entry, `kind/family`.
        id: String,
        /// The places looked at.
        looked: Vec<PathBuf>,
    },
    /// The bytes found do not have the pinned hash.
    Mismatch {
        /// The entry.
        id: String,
        /// Where the bytes came from.
        path: PathBuf,
        /// Pinned hash.
        expected: String,
        /// Hash of what was found.
        actual: String,
    },
    /// A file exists but cannot be read.
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::Missing { id, looked } => {
                write!(f, "{id}: the document is not available (looked at")?;
                for p in looked {
                    write!(f, " {}", p.display())?;
                }
                write!(
                    f,
                    "). Name a local directory laid out as <kind>/<file name> with --specs-dir DIR \
                     or {SPECS_DIR_VAR}=DIR, or download the documents with `cargo xtask specs fetch`"
                )
            }
            SourceError::Mismatch { id, path, expected, actual } => write!(
                f,
                "{id}: {} has SHA-256 {actual}, but the catalog pins {expected}; \
                 the file is not the pinned document (use `cargo xtask specs update` to pin a new one)",
                path.display()
            ),
            SourceError::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for SourceError {}

/// Reads catalogued documents.
#[derive(Debug, Clone)]
pub struct Sources {
    root: PathBuf,
    specs_dir: Option<PathBuf>,
}

impl Sources {
    /// Sources for the repository at `root`, with an optional local specs directory.
    pub fn new(root: PathBuf, specs_dir: Option<PathBuf>) -> Self {
        Sources { root, specs_dir }
    }

    /// The specs directory from a flag, else from `OFB_SPECS_DIR`. A relative path is taken
    /// from the working directory when it exists there, else from the repository root (cargo
    /// runs tests from each package's directory, so `../shared/specs` must still work).
    pub fn specs_dir_from(flag: Option<PathBuf>) -> Option<PathBuf> {
        let dir = flag.or_else(|| {
            std::env::var_os(SPECS_DIR_VAR)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })?;
        if dir.is_absolute() || dir.exists() {
            return Some(std::path::absolute(&dir).unwrap_or(dir));
        }
        Some(crate::repo_root().join(dir))
    }

    /// The cache path of `entry`.
    pub fn cache_path(&self, entry: &Entry) -> PathBuf {
        self.root
            .join("specs/.cache")
            .join(entry.kind.as_str())
            .join(&entry.file)
    }

    /// Path of a file of ours under `specs/`.
    pub fn own_path(&self, rel: &Path) -> PathBuf {
        self.root.join("specs").join(rel)
    }

    /// The verified bytes of `entry`: from the specs directory, else the cache (documents we
    /// author: from `specs/`). Never downloads.
    pub fn read(&self, entry: &Entry) -> Result<Vec<u8>, SourceError> {
        let mut looked = Vec::new();
        let candidates: Vec<PathBuf> = match (&entry.path, entry.kind) {
            (Some(p), _) => vec![self.own_path(p)],
            (None, Kind::Partner) => vec![],
            (None, _) => self
                .specs_dir
                .iter()
                .map(|d| d.join(entry.kind.as_str()).join(&entry.file))
                .chain(std::iter::once(self.cache_path(entry)))
                .collect(),
        };
        for path in candidates {
            match std::fs::read(&path) {
                Ok(bytes) => return verify(entry, &path, bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => looked.push(path),
                Err(e) => return Err(SourceError::Io(path, e)),
            }
        }
        Err(SourceError::Missing {
            id: entry.id(),
            looked,
        })
    }
}

/// Checks `bytes` against the entry's pinned hash.
pub fn verify(entry: &Entry, path: &Path, bytes: Vec<u8>) -> Result<Vec<u8>, SourceError> {
    let actual = sha256_hex(&bytes);
    if actual == entry.sha256 {
        Ok(bytes)
    } else {
        Err(SourceError::Mismatch {
            id: entry.id(),
            path: path.to_owned(),
            expected: entry.sha256.clone(),
            actual,
        })
    }
}
