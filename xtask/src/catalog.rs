//! `specs/catalog.toml`: which documents the project generates from, pinned by URL and SHA-256.
//!
//! Loading checks every entry and reports every problem at once, each with the file, line and
//! column, the entry and the field, so a typo in the catalog never surfaces later as a confusing
//! download or generation failure.

use serde::Deserialize;
use std::fmt;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use toml::Spanned;

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
    /// A bare JSON Schema document (no paths, no `info`): its crate holds types, validation,
    /// example values and docs, and no client or server.
    Schema,
}

impl Kind {
    /// The lower-case name used in paths.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Regulated => "regulated",
            Kind::Integration => "integration",
            Kind::Partner => "partner",
            Kind::Schema => "schema",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One catalogued document.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub url: Option<String>,
    /// Path relative to `specs/` (documents we author).
    pub path: Option<PathBuf>,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// Overlay of ours, relative to `specs/`.
    pub overlay: Option<PathBuf>,
    /// The folder of a specs directory that holds the document, when it is not the kind's
    /// (the channels' JSON Schema documents sit beside the integration documents).
    pub dir: Option<String>,
}

impl Entry {
    /// The folder of a specs directory that holds the document: `dir`, else the kind's name.
    pub fn folder(&self) -> &str {
        self.dir.as_deref().unwrap_or(self.kind.as_str())
    }

    /// `kind/family`, the name commands take.
    pub fn id(&self) -> String {
        format!("{}/{}", self.kind, self.family)
    }

    /// The major version: the leading number of `version` (`2` of `2.4.2` and of
    /// `2.0.0-base2.4.1`), `0` when it has none. Crate names carry it, so that two major
    /// versions of one family, which the regulator makes institutions serve side by side in
    /// coexistence windows, generate crates that cannot clash.
    pub fn major(&self) -> String {
        let digits: String = self
            .version
            .trim_start_matches(['v', 'V'])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        match digits.trim_start_matches('0') {
            "" => String::from("0"),
            d => d.to_owned(),
        }
    }

    /// `kind/family@major`, the name that picks one version where the catalog has several.
    pub fn versioned_id(&self) -> String {
        format!("{}@{}", self.id(), self.major())
    }

    /// Where its crate is generated, relative to the repository root.
    pub fn crate_dir(&self) -> PathBuf {
        Path::new("generated")
            .join(self.kind.as_str())
            .join(format!("{}-v{}", self.family, self.major()))
    }

    /// The generated crate's package name.
    pub fn crate_name(&self) -> String {
        format!("ofb-{}-{}-v{}", self.kind, self.family, self.major())
    }
}

/// An entry as written, with the position of every field so problems can point at it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    kind: Spanned<Kind>,
    family: Spanned<String>,
    version: Spanned<String>,
    file: Spanned<String>,
    #[serde(default)]
    url: Option<Spanned<String>>,
    #[serde(default)]
    path: Option<Spanned<PathBuf>>,
    sha256: Spanned<String>,
    #[serde(default)]
    overlay: Option<Spanned<PathBuf>>,
    #[serde(default)]
    dir: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    document: Vec<Spanned<RawEntry>>,
}

/// One thing wrong with one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the offending field.
    pub line: usize,
    /// 1-based column of the offending field.
    pub column: usize,
    /// Which entry: `document 3 (regulated/loans)`.
    pub entry: String,
    /// Which field (`kind`, `sha256`, ...), or `document` for the entry as a whole.
    pub field: &'static str,
    /// What is wrong and what would be right.
    pub message: String,
}

/// Why a catalog cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The file cannot be read.
    #[error("{}: cannot read the catalog: {source}", path.display())]
    Io {
        /// The catalog file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The TOML is malformed, a field is unknown or missing, or a value has the wrong type or
    /// an unknown variant (such as an unknown `kind`).
    #[error("{}{}: {message}", path.display(), at_position(*position))]
    Syntax {
        /// The catalog file.
        path: PathBuf,
        /// Line and column (1-based) where the TOML parser stopped, when it says.
        position: Option<(usize, usize)>,
        /// Which entry, when the position falls inside one: `document 2`.
        entry: Option<String>,
        /// The parser's message, prefixed with the entry when known.
        message: String,
    },
    /// Entries that parse but are inconsistent: every problem, in file order.
    #[error("{}", render_problems(path, problems))]
    Invalid {
        /// The catalog file.
        path: PathBuf,
        /// Every problem found.
        problems: Vec<Problem>,
    },
}

/// `:line:column`, or nothing when the parser gave no position.
fn at_position(position: Option<(usize, usize)>) -> String {
    match position {
        Some((line, column)) => format!(":{line}:{column}"),
        None => String::new(),
    }
}

fn render_problems(path: &Path, problems: &[Problem]) -> String {
    let mut out = format!(
        "{}: the catalog has {} problem(s):",
        path.display(),
        problems.len()
    );
    for p in problems {
        out.push_str(&format!(
            "\n  {}:{}:{}: {}: `{}` {}",
            path.display(),
            p.line,
            p.column,
            p.entry,
            p.field,
            p.message
        ));
    }
    out
}

/// Maps byte offsets to 1-based line and column (in characters).
struct Lines<'a> {
    text: &'a str,
}

impl Lines<'_> {
    fn at(&self, offset: usize) -> (usize, usize) {
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }

    /// Which `[[document]]` table (1-based) an offset falls in, by counting the headers before
    /// it; the TOML parser's own messages do not say.
    fn document_at(&self, offset: usize) -> Option<usize> {
        let before = self.text.get(..offset).unwrap_or(self.text);
        let n = before
            .lines()
            .filter(|l| l.trim_start().starts_with("[[document]]"))
            .count();
        (n > 0).then_some(n)
    }
}

/// Where one entry's values are in the catalog text: byte ranges, quotes included, so a
/// command can rewrite a value in place without re-serializing the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spans {
    /// The `version` value.
    pub version: Range<usize>,
    /// The `file` value.
    pub file: Range<usize>,
    /// The `sha256` value.
    pub sha256: Range<usize>,
    /// The `url` value, when given.
    pub url: Option<Range<usize>>,
    /// The `path` value, when given.
    pub path: Option<Range<usize>>,
}

/// The whole catalog, in file order.
#[derive(Debug, Clone)]
pub struct Catalog {
    entries: Vec<Entry>,
    /// The position of each entry's values, in the same order.
    spans: Vec<Spans>,
}

impl Catalog {
    /// Reads and checks the catalog at `path`.
    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses catalog text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Catalog, CatalogError> {
        let lines = Lines { text };
        let file: RawFile = toml::from_str(text).map_err(|e| {
            let start = e.span().map(|s| s.start);
            let entry = start
                .and_then(|s| lines.document_at(s))
                .map(|n| format!("document {n}"));
            let message = e.message().trim_end().to_owned();
            CatalogError::Syntax {
                path: path.to_owned(),
                position: start.map(|s| lines.at(s)),
                message: match &entry {
                    Some(at) => format!("{at}: {message}"),
                    None => message,
                },
                entry,
            }
        })?;
        let mut problems = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        let mut spans = Vec::new();
        for (i, raw) in file.document.iter().enumerate() {
            let span = raw.span();
            let raw = raw.get_ref();
            let entry = Entry {
                kind: *raw.kind.get_ref(),
                family: raw.family.get_ref().clone(),
                version: raw.version.get_ref().clone(),
                file: raw.file.get_ref().clone(),
                url: raw.url.as_ref().map(|u| u.get_ref().clone()),
                path: raw.path.as_ref().map(|p| p.get_ref().clone()),
                sha256: raw.sha256.get_ref().clone(),
                overlay: raw.overlay.as_ref().map(|p| p.get_ref().clone()),
                dir: raw.dir.as_ref().map(|d| d.get_ref().clone()),
            };
            let at = format!("document {} ({})", i + 1, entry.id());
            let mut problem = |range: Range<usize>, field: &'static str, message: String| {
                let (line, column) = lines.at(range.start);
                problems.push(Problem {
                    line,
                    column,
                    entry: at.clone(),
                    field,
                    message,
                });
            };
            check_entry(raw, span.clone(), &mut problem);
            if let Some(j) = entries.iter().position(|o| {
                o.kind == entry.kind && o.family == entry.family && o.version == entry.version
            }) {
                problem(
                    span,
                    "document",
                    format!(
                        "duplicates document {} (same kind, family and version)",
                        j + 1
                    ),
                );
            } else if let Some(j) = entries.iter().position(|o| {
                o.kind == entry.kind && o.family == entry.family && o.major() == entry.major()
            }) {
                problem(
                    span,
                    "document",
                    format!(
                        "has the same kind, family and major version ({}) as document {}: their \
                         crates would have the same name; keep one version per major",
                        entry.major(),
                        j + 1
                    ),
                );
            }
            entries.push(entry);
            spans.push(Spans {
                version: raw.version.span(),
                file: raw.file.span(),
                sha256: raw.sha256.span(),
                url: raw.url.as_ref().map(Spanned::span),
                path: raw.path.as_ref().map(Spanned::span),
            });
        }
        if !problems.is_empty() {
            return Err(CatalogError::Invalid {
                path: path.to_owned(),
                problems,
            });
        }
        Ok(Catalog { entries, spans })
    }

    /// Where the values of `entry` (one of [`Catalog::entries`]) are in the text it was
    /// parsed from.
    pub fn spans(&self, entry: &Entry) -> Option<&Spans> {
        let i = self.entries.iter().position(|e| e == entry)?;
        self.spans.get(i)
    }

    /// The entries in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry named `kind/family@major`, or by `kind/family` the one with the highest major
    /// version (the one an institution moves to).
    pub fn find(&self, id: &str) -> Option<&Entry> {
        match id.split_once('@') {
            Some((id, major)) => {
                let major = major.trim_start_matches(['v', 'V']);
                self.entries
                    .iter()
                    .find(|e| e.id() == id && e.major() == major)
            }
            None => self
                .entries
                .iter()
                .filter(|e| e.id() == id)
                .max_by_key(|e| e.major().parse::<u64>().unwrap_or(0)),
        }
    }
}

/// The checks of one entry that do not involve the others.
fn check_entry(
    raw: &RawEntry,
    span: Range<usize>,
    problem: &mut impl FnMut(Range<usize>, &'static str, String),
) {
    let sha = raw.sha256.get_ref();
    if sha.len() != 64 || !sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        problem(
            raw.sha256.span(),
            "sha256",
            format!("must be 64 lower-case hex digits, not {sha:?}"),
        );
    }
    let family = raw.family.get_ref();
    let kebab = !family.is_empty()
        && !family.starts_with('-')
        && !family.ends_with('-')
        && !family.contains("--")
        && family
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !kebab {
        problem(
            raw.family.span(),
            "family",
            format!("must be kebab case (a-z, 0-9 and single dashes), not {family:?}"),
        );
    }
    if raw.version.get_ref().trim().is_empty() {
        problem(
            raw.version.span(),
            "version",
            String::from("must be the document's info.version, not empty"),
        );
    }
    let file = raw.file.get_ref();
    if file.is_empty() || file.contains(['/', '\\']) || file == "." || file == ".." {
        problem(
            raw.file.span(),
            "file",
            format!("must be a bare file name, not {file:?}"),
        );
    }
    if let Some(dir) = &raw.dir {
        let d = dir.get_ref();
        if d.is_empty() || d.contains(['/', '\\']) || d == "." || d == ".." {
            problem(
                dir.span(),
                "dir",
                format!("must be a bare folder name, not {d:?}"),
            );
        }
    }
    let ours = *raw.kind.get_ref() == Kind::Partner;
    match (&raw.url, &raw.path) {
        (None, None) if ours => problem(
            span,
            "path",
            String::from("is missing: a partner document names its `path` under specs/"),
        ),
        (None, None) => problem(
            span,
            "url",
            String::from("is missing: an upstream document names the `url` it is pinned at"),
        ),
        (Some(_), Some(p)) => problem(
            p.span(),
            "path",
            String::from("cannot be given with `url`: keep `url` for upstream documents, `path` for ours"),
        ),
        (Some(u), None) if ours => problem(
            u.span(),
            "url",
            String::from("is for upstream documents: a partner document names its `path` under specs/"),
        ),
        (None, Some(p)) if !ours => problem(
            p.span(),
            "path",
            String::from("is for documents we author: upstream documents are pinned by `url`, never committed"),
        ),
        (Some(u), None) if !u.get_ref().starts_with("https://") => problem(
            u.span(),
            "url",
            format!("must be an https:// URL, not {:?}", u.get_ref()),
        ),
        _ => {}
    }
    for (field, value) in [("path", &raw.path), ("overlay", &raw.overlay)] {
        if let Some(p) = value {
            if !is_inside(p.get_ref()) {
                problem(
                    p.span(),
                    field,
                    format!(
                        "must be a relative path inside specs/, not {:?}",
                        p.get_ref().display().to_string()
                    ),
                );
            }
        }
    }
}

/// True for a non-empty relative path that does not climb out with `..`.
fn is_inside(path: &Path) -> bool {
    path.components().next().is_some()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
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

    const ZEROS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    fn good() -> String {
        format!(
            "[[document]]\nkind = \"regulated\"\nfamily = \"accounts\"\nversion = \"1\"\nfile = \"a.yml\"\nurl = \"https://x/a.yml\"\nsha256 = \"{ZEROS}\"\n"
        )
    }

    #[test]
    fn a_good_entry_loads_with_every_field() {
        let text = format!("{}overlay = \"overlays/a.yaml\"\n", good());
        let catalog = Catalog::parse(Path::new("c.toml"), &text).expect("loads");
        assert_eq!(
            catalog.entries(),
            [Entry {
                kind: Kind::Regulated,
                family: String::from("accounts"),
                version: String::from("1"),
                file: String::from("a.yml"),
                url: Some(String::from("https://x/a.yml")),
                path: None,
                sha256: String::from(ZEROS),
                overlay: Some(PathBuf::from("overlays/a.yaml")),
                dir: None,
            }]
        );
        assert_eq!(
            catalog.find("regulated/accounts").map(Entry::crate_name),
            Some(String::from("ofb-regulated-accounts-v1"))
        );
    }

    #[test]
    fn names_carry_the_major_version_and_ids_pick_one() {
        let two = format!(
            "{}\n{}",
            good(),
            good()
                .replace("version = \"1\"", "version = \"2.0.0-base2.4.1\"")
                .replace("a.yml", "b.yml")
        );
        let catalog = Catalog::parse(Path::new("c.toml"), &two).expect("two majors coexist");
        let names: Vec<(String, PathBuf)> = catalog
            .entries()
            .iter()
            .map(|e| (e.crate_name(), e.crate_dir()))
            .collect();
        assert_eq!(
            names,
            [
                (
                    String::from("ofb-regulated-accounts-v1"),
                    PathBuf::from("generated/regulated/accounts-v1")
                ),
                (
                    String::from("ofb-regulated-accounts-v2"),
                    PathBuf::from("generated/regulated/accounts-v2")
                ),
            ]
        );
        let file = |id: &str| catalog.find(id).map(|e| e.file.clone());
        assert_eq!(
            file("regulated/accounts").as_deref(),
            Some("b.yml"),
            "newest major"
        );
        assert_eq!(file("regulated/accounts@1").as_deref(), Some("a.yml"));
        assert_eq!(file("regulated/accounts@v2").as_deref(), Some("b.yml"));
        assert_eq!(file("regulated/accounts@3"), None);
        let same_major = format!(
            "{}\n{}",
            good(),
            good().replace("version = \"1\"", "version = \"1.1\"")
        );
        assert!(
            err(&same_major).contains("same kind, family and major version (1) as document 1"),
            "{}",
            err(&same_major)
        );
    }

    #[test]
    fn an_unknown_kind_is_pinned_at_its_line_and_column() {
        assert_eq!(
            err(&good().replace("regulated", "other")),
            "c.toml:2:8: document 1: unknown variant `other`, expected one of `regulated`, `integration`, `partner`, `schema`"
        );
    }

    #[test]
    fn an_unknown_field_is_pinned() {
        assert_eq!(
            err(&good().replace("version", "versoin")),
            "c.toml:4:1: document 1: unknown field `versoin`, expected one of `kind`, `family`, `version`, `file`, `url`, `path`, `sha256`, `overlay`, `dir`"
        );
    }

    #[test]
    fn malformed_toml_is_pinned() {
        assert_eq!(
            err("[[document]]\nkind = regulated\n"),
            "c.toml:2:8: document 1: invalid string\nexpected `\"`, `'`"
        );
    }

    #[test]
    fn a_bad_sha256_is_pinned() {
        assert_eq!(
            err(&good().replace("\"0000", "\"ZZ00")),
            format!(
                "c.toml: the catalog has 1 problem(s):\n  c.toml:7:10: document 1 (regulated/accounts): `sha256` must be 64 lower-case hex digits, not \"ZZ{}\"",
                &ZEROS[2..]
            )
        );
        assert!(err(&good().replace(ZEROS, &ZEROS[1..])).contains("`sha256` must be 64"));
        assert!(
            err(&good().replace(ZEROS, &ZEROS.replace('0', "A"))).contains("`sha256` must be 64")
        );
    }

    #[test]
    fn a_missing_url_and_path_is_pinned() {
        assert_eq!(
            err(&good().replace("url = \"https://x/a.yml\"\n", "")),
            "c.toml: the catalog has 1 problem(s):\n  c.toml:1:1: document 1 (regulated/accounts): `url` is missing: an upstream document names the `url` it is pinned at"
        );
        let partner = good()
            .replace("regulated", "partner")
            .replace("url = \"https://x/a.yml\"\n", "");
        assert_eq!(
            err(&partner),
            "c.toml: the catalog has 1 problem(s):\n  c.toml:1:1: document 1 (partner/accounts): `path` is missing: a partner document names its `path` under specs/"
        );
    }

    #[test]
    fn a_duplicate_is_pinned() {
        assert_eq!(
            err(&format!("{}\n{}", good(), good())),
            "c.toml: the catalog has 1 problem(s):\n  c.toml:9:1: document 2 (regulated/accounts): `document` duplicates document 1 (same kind, family and version)"
        );
        // Another version of the same family is a different document.
        assert_eq!(
            err(&format!(
                "{}\n{}",
                good(),
                good().replace("version = \"1\"", "version = \"2\"")
            )),
            "ok"
        );
    }

    #[test]
    fn url_and_path_are_each_for_their_kind() {
        let both = good().replace("file = \"a.yml\"\n", "file = \"a.yml\"\npath = \"a.yml\"\n");
        assert!(err(&both).contains(
            "c.toml:6:8: document 1 (regulated/accounts): `path` cannot be given with `url`"
        ));
        let plain = good().replace("https://", "http://");
        assert!(err(&plain).contains("`url` must be an https:// URL, not \"http://x/a.yml\""));
        let ours_with_url = good().replace("regulated", "partner");
        assert!(err(&ours_with_url).contains("`url` is for upstream documents"));
        let ours = ours_with_url.replace("url = \"https://x/a.yml\"", "path = \"partner/a.yml\"");
        assert_eq!(err(&ours), "ok");
    }

    #[test]
    fn names_and_paths_are_checked_and_every_problem_is_reported() {
        let text = good()
            .replace("accounts", "Credit_Cards")
            .replace("a.yml\"\nurl", "x/a.yml\"\nurl")
            .replace("version = \"1\"", "version = \"\"")
            + "overlay = \"../outside.yaml\"\n";
        assert_eq!(
            err(&text),
            "c.toml: the catalog has 4 problem(s):\n  \
             c.toml:3:10: document 1 (regulated/Credit_Cards): `family` must be kebab case (a-z, 0-9 and single dashes), not \"Credit_Cards\"\n  \
             c.toml:4:11: document 1 (regulated/Credit_Cards): `version` must be the document's info.version, not empty\n  \
             c.toml:5:8: document 1 (regulated/Credit_Cards): `file` must be a bare file name, not \"x/a.yml\"\n  \
             c.toml:8:11: document 1 (regulated/Credit_Cards): `overlay` must be a relative path inside specs/, not \"../outside.yaml\""
        );
    }

    #[test]
    fn an_unreadable_catalog_names_its_path() {
        let e = Catalog::load(Path::new("/nonexistent/catalog.toml")).expect_err("missing");
        assert!(
            e.to_string()
                .starts_with("/nonexistent/catalog.toml: cannot read the catalog: "),
            "{e}"
        );
    }
}
