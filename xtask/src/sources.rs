//! Where a catalogued document's bytes come from: a local specs directory the user names, or
//! the download cache. Every read is verified against the pinned SHA-256, so nothing generated
//! can come from a document other than the one the catalog pins.

use crate::catalog::{Catalog, Entry, Kind};
use crate::Error;
use ofb_codegen::Overlay;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The environment variable that names a local specs directory.
pub const SPECS_DIR_VAR: &str = "OFB_SPECS_DIR";

/// How to name a local specs directory; every "not found" message ends with it.
pub const HOW_TO_NAME_A_SPECS_DIR: &str = "name a local directory that holds the documents as \
     <kind>/<file name> (for example regulated/accounts-2.4.2.yml) with --specs-dir DIR or \
     OFB_SPECS_DIR=DIR";

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Neither a specs directory nor the cache has it.
    #[error(
        "{id}: the document is not available (looked at {}); {HOW_TO_NAME_A_SPECS_DIR}, or \
         download the documents into the cache with `cargo xtask specs fetch`",
        join_paths(looked)
    )]
    Missing {
        /// The entry, `kind/family`.
        id: String,
        /// The places looked at.
        looked: Vec<PathBuf>,
    },
    /// The bytes found do not have the pinned hash.
    #[error(
        "{id}: {} has SHA-256 {actual}, but the catalog pins {expected}: it is not the pinned \
         document",
        path.display()
    )]
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
    #[error("{id}: cannot read {}: {source}", path.display())]
    Io {
        /// The entry.
        id: String,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

fn join_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return String::from("nothing");
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads catalogued documents.
#[derive(Debug, Clone)]
pub struct Sources {
    root: PathBuf,
    specs_dir: Option<PathBuf>,
}

impl Sources {
    /// Sources for the repository at `root`, with an optional local specs directory (resolve
    /// one with [`Sources::specs_dir_from`]).
    pub fn new(root: PathBuf, specs_dir: Option<PathBuf>) -> Self {
        Sources { root, specs_dir }
    }

    /// The specs directory: the flag, else `OFB_SPECS_DIR`, else none. A relative path is
    /// taken from the working directory when it exists there, else from the repository root
    /// (cargo runs tests from each package's directory, so `../shared/specs` must still work).
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

    /// The named specs directory, if any.
    pub fn specs_dir(&self) -> Option<&Path> {
        self.specs_dir.as_deref()
    }

    /// Where `entry` is in the named specs directory, if one is named.
    pub fn specs_dir_path(&self, entry: &Entry) -> Option<PathBuf> {
        self.specs_dir
            .as_ref()
            .map(|d| d.join(entry.folder()).join(&entry.file))
    }

    /// The cache path of `entry`: `specs/.cache/<kind>/<file>`.
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
    /// author: from `specs/`). Never downloads: `cargo xtask specs fetch` does.
    pub fn read(&self, entry: &Entry) -> Result<Vec<u8>, SourceError> {
        let candidates: Vec<PathBuf> = match (&entry.path, entry.kind) {
            (Some(p), _) => vec![self.own_path(p)],
            // The catalog refuses a partner entry without a path; nothing to look at.
            (None, Kind::Partner) => vec![],
            (None, _) => self
                .specs_dir_path(entry)
                .into_iter()
                .chain(std::iter::once(self.cache_path(entry)))
                .collect(),
        };
        let mut looked = Vec::new();
        for path in candidates {
            match read_file(entry, &path)? {
                Some(bytes) => return verify(entry, &path, bytes),
                None => looked.push(path),
            }
        }
        Err(SourceError::Missing {
            id: entry.id(),
            looked,
        })
    }
}

/// The bytes at `path`, or `None` when there is no such file.
pub(crate) fn read_file(entry: &Entry, path: &Path) -> Result<Option<Vec<u8>>, SourceError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(SourceError::Io {
            id: entry.id(),
            path: path.to_owned(),
            source,
        }),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ofb-sources-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    fn entry(bytes: &[u8]) -> Entry {
        Entry {
            kind: Kind::Integration,
            family: String::from("demo"),
            version: String::from("1"),
            file: String::from("demo.yml"),
            url: Some(String::from("https://example.invalid/demo.yml")),
            path: None,
            sha256: sha256_hex(bytes),
            overlay: None,
            dir: None,
        }
    }

    #[test]
    fn the_sha256_is_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_specs_dir_comes_before_the_cache_and_a_wrong_copy_is_not_skipped() {
        let root = temp("order");
        let dir = root.join("dir");
        let e = entry(b"pinned");
        let sources = Sources::new(root.clone(), Some(dir.clone()));
        std::fs::create_dir_all(root.join("specs/.cache/integration")).expect("dir");
        std::fs::write(sources.cache_path(&e), b"pinned").expect("write");
        assert_eq!(sources.read(&e).expect("from the cache"), b"pinned");
        std::fs::create_dir_all(dir.join("integration")).expect("dir");
        std::fs::write(dir.join("integration/demo.yml"), b"other").expect("write");
        let err = sources.read(&e).expect_err("the named copy is wrong");
        assert_eq!(
            err.to_string(),
            format!(
                "integration/demo: {} has SHA-256 {}, but the catalog pins {}: it is not the pinned document",
                dir.join("integration/demo.yml").display(),
                sha256_hex(b"other"),
                e.sha256
            )
        );
    }

    #[test]
    fn a_missing_document_says_how_to_name_a_directory() {
        let root = temp("missing");
        let e = entry(b"pinned");
        let err = Sources::new(root.clone(), None)
            .read(&e)
            .expect_err("missing");
        assert_eq!(
            err.to_string(),
            format!(
                "integration/demo: the document is not available (looked at {}); name a local \
                 directory that holds the documents as <kind>/<file name> (for example \
                 regulated/accounts-2.4.2.yml) with --specs-dir DIR or OFB_SPECS_DIR=DIR, or \
                 download the documents into the cache with `cargo xtask specs fetch`",
                root.join("specs/.cache/integration/demo.yml").display()
            )
        );
    }
}

/// The catalog of this repository and a reader for its documents, from `specs_dir` when one
/// is named.
pub fn open(specs_dir: Option<PathBuf>) -> Result<(Catalog, Sources), Error> {
    open_in(&crate::repo_root(), specs_dir)
}

/// [`open`] for the repository at `root`.
pub fn open_in(root: &Path, specs_dir: Option<PathBuf>) -> Result<(Catalog, Sources), Error> {
    let catalog = Catalog::load(&root.join("specs/catalog.toml"))?;
    Ok((catalog, Sources::new(root.to_owned(), specs_dir)))
}

/// A document to compare: its label in messages and reports, bytes and overlays.
#[derive(Debug, Clone)]
pub struct Named {
    /// The path as given, or `kind/file` for a catalogued document.
    pub label: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Overlays to apply (a catalogued document's own).
    pub overlays: Vec<Overlay>,
}

/// Reads a catalogued document with its overlay, as `generate` does.
pub fn read_entry(entry: &Entry, sources: &Sources) -> Result<Named, Error> {
    let bytes = sources.read(entry)?;
    let mut overlays = Vec::new();
    if let Some(rel) = &entry.overlay {
        let path = sources.own_path(rel);
        let text =
            std::fs::read(&path).map_err(|e| Error::Failed(format!("{}: {e}", path.display())))?;
        let label = rel.display().to_string();
        overlays.push(Overlay::parse(&label, &text).map_err(|d| Error::Failed(d.to_string()))?);
    }
    Ok(Named {
        label: format!("{}/{}", entry.kind, entry.file),
        bytes,
        overlays,
    })
}

/// A catalogued document as generation and comparison read it: [`read_entry`], and for a JSON
/// Schema document the OpenAPI document it stands for, with the other schema documents of
/// `catalog` for the files its references name. The warnings of that conversion are returned
/// beside it.
pub fn read_document(
    catalog: &Catalog,
    sources: &Sources,
    entry: &Entry,
) -> Result<(Named, ofb_codegen::Diagnostics), Error> {
    let mut named = read_entry(entry, sources)?;
    if entry.kind != Kind::Schema {
        return Ok((named, ofb_codegen::Diagnostics::default()));
    }
    let others: Vec<(&str, Vec<u8>)> = catalog
        .entries()
        .iter()
        .filter(|e| e.kind == Kind::Schema && !std::ptr::eq(*e, entry))
        .map(|e| sources.read(e).map(|b| (e.file.as_str(), b)))
        .collect::<Result<_, _>>()?;
    let siblings: Vec<ofb_codegen::load::json_schema::Sibling<'_>> = others
        .iter()
        .map(|(file, bytes)| ofb_codegen::load::json_schema::Sibling { file, bytes })
        .collect();
    let (bytes, warnings) = ofb_codegen::load::json_schema::openapi(
        &named.label,
        &named.bytes,
        &siblings,
        &entry.version,
    )
    .map_err(|d| Error::Failed(d.to_string()))?;
    named.bytes = bytes;
    Ok((named, warnings))
}
