//! `specs/catalog.toml`: which documents the project generates from, pinned by URL and SHA-256.

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An Open Finance Brasil regulated API.
    Regulated,
    /// An integration-layer API (platform to the institution's back-end).
    Integration,
    /// A document we author (the receiver-side partner API).
    Partner,
}

impl Kind {
    /// The lower-case name used in paths.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Regulated => "regulated",
            Kind::Integration => "integration",
            Kind::Partner => "partner",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One catalogued document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// What it is.
    pub kind: Kind,
    /// Product family, kebab case.
    pub family: String,
    /// `info.version`.
    pub version: String,
    /// File name under `<kind>/` in a specs directory and in the cache.
    pub file: String,
    /// Upstream URL pinned at a commit (upstream documents).
    #[serde(default)]
    pub url: Option<String>,
    /// Path relative to `specs/` (documents we author).
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// Overlay of ours, relative to `specs/`.
    #[serde(default)]
    pub overlay: Option<PathBuf>,
}

impl Entry {
    /// `kind/family`, the name commands take.
    pub fn id(&self) -> String {
        format!("{}/{}", self.kind, self.family)
    }

    /// Where its crate is generated, relative to the repository root.
    pub fn crate_dir(&self) -> PathBuf {
        Path::new("generated")
            .join(self.kind.as_str())
            .join(&self.family)
    }

    /// The generated crate's package name.
    pub fn crate_name(&self) -> String {
        format!("ofb-{}-{}", self.kind, self.family)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    document: Vec<Entry>,
}

/// The whole catalog, in file order.
#[derive(Debug, Clone)]
pub struct Catalog {
    entries: Vec<Entry>,
}

/// Why a catalog cannot be used.
#[derive(Debug)]
pub enum CatalogError {
    /// The file cannot be read.
    Io(PathBuf, std::io::Error),
    /// The TOML is malformed or has a wrong field.
    Parse(PathBuf, String),
    /// An entry is inconsistent.
    Invalid(PathBuf, Vec<String>),
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogError::Io(p, e) => write!(f, "{}: cannot read the catalog: {e}", p.display()),
            CatalogError::Parse(p, e) => write!(f, "{}: {e}", p.display()),
            CatalogError::Invalid(p, problems) => {
                write!(f, "{}: {} problem(s):", p.display(), problems.len())?;
                for pr in problems {
                    write!(f, "\n  {pr}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for CatalogError {}

impl Catalog {
    /// Reads and checks the catalog at `path`.
    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| CatalogError::Io(path.to_owned(), e))?;
        Self::parse(path, &text)
    }

    /// Parses catalog text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Catalog, CatalogError> {
        let file: File = toml::from_str(text)
            .map_err(|e| CatalogError::Parse(path.to_owned(), e.to_string()))?;
        let mut problems = Vec::new();
        for (i, e) in file.document.iter().enumerate() {
            let at = format!("document {} ({})", i + 1, e.id());
            if e.sha256.len() != 64
                || !e
                    .sha256
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            {
                problems.push(format!(
                    "{at}: sha256 must be 64 lower-case hex digits, not {:?}",
                    e.sha256
                ));
            }
            match (&e.url, &e.path, e.kind) {
                (None, None, _) => {
                    problems.push(format!("{at}: needs a `url` (upstream) or a `path` (ours)"))
                }
                (Some(_), Some(_), _) => {
                    problems.push(format!("{at}: has both `url` and `path`; keep one"))
                }
                (None, Some(_), Kind::Regulated | Kind::Integration) => problems.push(format!(
                    "{at}: upstream documents are pinned by `url`, never committed"
                )),
                _ => {}
            }
            if e.family.is_empty()
                || !e
                    .family
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                problems.push(format!(
                    "{at}: family must be kebab case, not {:?}",
                    e.family
                ));
            }
            if e.file.is_empty() || e.file.contains(['/', '\\']) {
                problems.push(format!(
                    "{at}: file must be a bare file name, not {:?}",
                    e.file
                ));
            }
            if let Some(j) = file.document[..i]
                .iter()
                .position(|o| o.kind == e.kind && o.family == e.family && o.version == e.version)
            {
                problems.push(format!(
                    "{at}: duplicates document {} (same kind, family and version)",
                    j + 1
                ));
            }
        }
        if !problems.is_empty() {
            return Err(CatalogError::Invalid(path.to_owned(), problems));
        }
        Ok(Catalog {
            entries: file.document,
        })
    }

    /// The entries in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry named `kind/family`.
    pub fn find(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match Catalog::parse(Path::new("c.toml"), text) {
            Ok(_) => String::from("ok"),
            Err(e) => e.to_string(),
        }
    }

    const GOOD: &str = "[[document]]\nkind = \"regulated\"\nfamily = \"accounts\"\nversion = \"1\"\nfile = \"a.yml\"\nurl = \"https://x/a.yml\"\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\n";

    #[test]
    fn a_good_entry_loads() {
        assert_eq!(err(GOOD), "ok");
    }

    #[test]
    fn problems_name_the_entry_and_field() {
        assert!(err(&GOOD.replace("regulated", "other")).contains("unknown variant `other`"));
        assert!(err(&GOOD.replace("\"0000", "\"ZZ00"))
            .contains("document 1 (regulated/accounts): sha256 must be 64 lower-case hex digits"));
        assert!(err(&GOOD.replace("url = \"https://x/a.yml\"\n", ""))
            .contains("needs a `url` (upstream) or a `path` (ours)"));
        assert!(err(&format!("{GOOD}{GOOD}"))
            .contains("document 2 (regulated/accounts): duplicates document 1"));
        assert!(
            err(&GOOD.replace("file = \"a.yml\"", "file = \"x/a.yml\"")).contains("bare file name")
        );
        assert!(err(&GOOD.replace("version", "versoin")).contains("unknown field `versoin`"));
    }
}
