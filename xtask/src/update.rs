//! `cargo xtask specs update KIND/FAMILY --file PATH | --url URL`: pins a new document for a
//! catalogued one. It prints the API diff from the pinned document to the new one and the
//! catalog change, then rewrites that entry of `specs/catalog.toml` in place, puts the new
//! document where generation reads it and regenerates the family's crate.
//!
//! Everything that can fail on the input (reading, hashing, loading, modelling, the diff, the
//! rewritten catalog, generating the crate in memory) happens before the catalog or
//! `generated/` is written; every file written afterwards is restored when a later step fails,
//! so a failed update changes nothing a reviewer would see.

use crate::catalog::{Catalog, Entry};
use crate::fetch::{Download, Https};
use crate::flags::UpdateArgs;
use crate::sources::{read_entry, sha256_hex, Named, Sources};
use crate::Error;
use ofb_codegen::diff::{self, render};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Where the new document comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewDocument {
    /// A local file.
    File(PathBuf),
    /// An URL to download (and to record in the catalog).
    Url(String),
}

/// One update, as the command line asks for it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `KIND/FAMILY` (or `KIND/FAMILY@MAJOR`).
    pub target: String,
    /// The new document.
    pub new: NewDocument,
    /// Report only; write nothing.
    pub dry_run: bool,
    /// The local specs directory the pinned document is read from, if any.
    pub specs_dir: Option<PathBuf>,
}

/// What an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Updated {
    /// The entry as it was.
    pub old: Entry,
    /// The entry as it is now (or would be, with `dry_run`).
    pub new: Entry,
    /// Whether anything was written (false with `dry_run`).
    pub written: bool,
}

/// Runs `specs update` with its flags on this repository, reporting to stdout and downloading
/// over HTTPS only.
pub fn run(args: &UpdateArgs) -> Result<(), Error> {
    let new = match (&args.file, &args.url) {
        (Some(path), None) => NewDocument::File(path.clone()),
        (None, Some(url)) => NewDocument::Url(url.clone()),
        // clap makes them exclusive and one required; this only guards library callers.
        _ => return Err(Error::Failed(String::from(
            "`specs update` takes the new document from exactly one of --file PATH and --url URL",
        ))),
    };
    let request = Request {
        target: args.target.clone(),
        new,
        dry_run: args.dry_run,
        specs_dir: args.specs.resolve(),
    };
    let mut stdout = std::io::stdout().lock();
    update(
        &crate::repo_root(),
        &request,
        &Https::from_flags(&args.specs)?,
        &mut stdout,
    )
    .map(drop)
}

/// Updates the repository at `root` (its `specs/catalog.toml`, `specs/` and `generated/`),
/// writing the report to `out` and downloading with `download`.
pub fn update(
    root: &Path,
    request: &Request,
    download: &dyn Download,
    out: &mut dyn Write,
) -> Result<Updated, Error> {
    let catalog_path = root.join("specs/catalog.toml");
    let text = std::fs::read_to_string(&catalog_path).map_err(|source| {
        crate::catalog::CatalogError::Io {
            path: catalog_path.clone(),
            source,
        }
    })?;
    let catalog = Catalog::parse(&catalog_path, &text)?;
    let Some(old) = catalog.find(&request.target) else {
        let known: Vec<String> = catalog.entries().iter().map(Entry::id).collect();
        return Err(Error::Failed(format!(
            "`{}` is not a catalogued document (catalogued: {})",
            request.target,
            known.join(", ")
        )));
    };
    let sources = Sources::new(root.to_owned(), request.specs_dir.clone());

    // Everything that can fail on the input, before anything is written.
    let old_doc = read_entry(old, &sources)?;
    let (label, bytes) = read_new(old, &request.new, download)?;
    let new_doc = Named {
        label: label.clone(),
        bytes,
        overlays: old_doc.overlays.clone(),
    };
    let old_model = diff::model(&old_doc.label, &old_doc.bytes, &old_doc.overlays)
        .map_err(|d| invalid(&old_doc.label, "the pinned document", &d.to_string()))?;
    let new_model = diff::model(&label, &new_doc.bytes, &new_doc.overlays)
        .map_err(|d| invalid(&label, "the new document", &d.to_string()))?;
    let report = diff::diff_inputs(old_model.input(), new_model.input());
    let new = pinned(old, &request.new, &new_model.api.version, &new_doc.bytes)?;
    // The report comes before the checks of the rewritten entry: the diff is worth reading
    // even when the new pin is refused.
    let write_err = |e: std::io::Error| Error::Failed(format!("writing the report: {e}"));
    write!(out, "{}", render::text(&report)).map_err(write_err)?;
    writeln!(out, "{}", summary(old, &new)).map_err(write_err)?;
    let new_text = rewritten(&catalog_path, &text, &catalog, old, &new)?;
    for note in notes(old, &new, &request.new, &sources) {
        writeln!(out, "note: {note}").map_err(write_err)?;
    }
    if request.dry_run {
        writeln!(out, "dry run: nothing was written").map_err(write_err)?;
        return Ok(Updated {
            old: old.clone(),
            new,
            written: false,
        });
    }

    let mut undo = Undo::default();
    let result = apply(
        root,
        &new,
        &new_doc.bytes,
        &catalog_path,
        &new_text,
        &mut undo,
    );
    match result {
        Ok(dir) => {
            writeln!(
                out,
                "updated {}; regenerated {}",
                catalog_path
                    .strip_prefix(root)
                    .unwrap_or(&catalog_path)
                    .display(),
                dir.display()
            )
            .map_err(write_err)?;
            Ok(Updated {
                old: old.clone(),
                new,
                written: true,
            })
        }
        Err(e) => {
            let problems = undo.restore();
            let mut message = format!("{}: {e}; nothing was changed", old.id());
            if !problems.is_empty() {
                message = format!(
                    "{}: {e}; restoring the previous files also failed:\n{}",
                    old.id(),
                    problems.join("\n")
                );
            }
            Err(Error::Failed(message))
        }
    }
}

/// The entry pinning the new document: its `info.version` and hash, and for an upstream
/// entry its file name (and URL). A new major version is refused: it would be a new crate.
fn pinned(old: &Entry, from: &NewDocument, version: &str, bytes: &[u8]) -> Result<Entry, Error> {
    let mut new = old.clone();
    version.clone_into(&mut new.version);
    new.sha256 = sha256_hex(bytes);
    match from {
        NewDocument::File(path) if old.path.is_none() => new.file = file_name(path)?,
        NewDocument::File(_) => {}
        NewDocument::Url(url) => {
            new.file = file_name_of_url(url, &old.family)?;
            new.url = Some(url.clone());
        }
    }
    if new.crate_dir() != old.crate_dir() {
        return Err(Error::Failed(format!(
            "{}: the new document's version {} would move its crate from {} to {}: a new major \
             version is a new catalog entry, served side by side with the old one; add a \
             [[document]] for it instead; nothing was changed",
            old.id(),
            new.version,
            old.crate_dir().display(),
            new.crate_dir().display()
        )));
    }
    Ok(new)
}

/// The catalog text with `old` rewritten to `new`, checked by loading it back.
fn rewritten(
    path: &Path,
    text: &str,
    catalog: &Catalog,
    old: &Entry,
    new: &Entry,
) -> Result<String, Error> {
    let spans = catalog
        .spans(old)
        .ok_or_else(|| Error::Failed(format!("{}: internal error: no spans", old.id())))?;
    let new_text = rewrite(text, old, new, spans)?;
    match Catalog::parse(path, &new_text) {
        Ok(c) if c.entries().contains(new) => Ok(new_text),
        Ok(_) => Err(Error::Failed(format!(
            "{}: internal error: the rewritten catalog does not hold the new entry; nothing was \
             changed",
            old.id()
        ))),
        Err(e) => Err(Error::Failed(format!(
            "{}: the updated entry would not be valid; nothing was changed:\n{e}",
            old.id()
        ))),
    }
}

/// The writes, in order: the document where generation reads it, the crate generated in
/// memory from it, the catalog, the crate's files. Each file is recorded in `undo` before it
/// is written. Returns the crate directory, relative to `root`.
fn apply(
    root: &Path,
    new: &Entry,
    bytes: &[u8],
    catalog_path: &Path,
    catalog_text: &str,
    undo: &mut Undo,
) -> Result<PathBuf, String> {
    // Without the specs directory: the document just placed is the one to generate from.
    let sources = Sources::new(root.to_owned(), None);
    let target = match &new.path {
        Some(rel) => sources.own_path(rel),
        None => sources.cache_path(new),
    };
    undo.save(&target)?;
    write_atomically(&target, bytes)?;
    let catalog = crate::catalog::Catalog::parse(catalog_path, catalog_text)
        .map_err(|e| format!("the rewritten catalog does not read back: {e}"))?;
    let generated = crate::generate::entry(root, &sources, &catalog, new)
        .map_err(|e| format!("cannot regenerate its crate:\n{}", e.trim_end()))?;
    undo.save(catalog_path)?;
    write_atomically(catalog_path, catalog_text.as_bytes())?;
    undo.save_dir(&generated.dir)?;
    for f in &generated.output.files {
        undo.save(&generated.dir.join(&f.path))?;
    }
    crate::generate::write(&generated)?;
    Ok(new.crate_dir())
}

/// The new document's label in messages and its bytes.
fn read_new(
    old: &Entry,
    new: &NewDocument,
    download: &dyn Download,
) -> Result<(String, Vec<u8>), Error> {
    match new {
        NewDocument::File(path) => {
            let label = path.display().to_string();
            let bytes = std::fs::read(path).map_err(|e| {
                Error::Failed(format!(
                    "{label}: cannot read the new document: {e}; nothing was changed"
                ))
            })?;
            Ok((label, bytes))
        }
        NewDocument::Url(_) if old.path.is_some() => Err(Error::Failed(format!(
            "{}: a document of ours lives under specs/ and has no url: update it with --file \
             PATH",
            old.id()
        ))),
        NewDocument::Url(url) => {
            let bytes = download.get(url).map_err(|reason| {
                Error::Failed(format!(
                    "{url}: cannot download the new document: {reason}; nothing was changed"
                ))
            })?;
            Ok((url.clone(), bytes))
        }
    }
}

fn invalid(label: &str, what: &str, diagnostics: &str) -> Error {
    Error::Failed(format!(
        "{label}: {what} cannot be loaded and modelled; nothing was changed:\n{}",
        diagnostics.trim_end()
    ))
}

/// The file name of `path`.
fn file_name(path: &Path) -> Result<String, Error> {
    path.file_name()
        .and_then(|f| f.to_str())
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::Failed(format!(
                "{}: the new document's path has no file name in UTF-8",
                path.display()
            ))
        })
}

/// The cache file name for a document downloaded from `url`, following the catalog's
/// conventions: the URL's last segment, without the `en-` prefix the upstream integration
/// repository adds, and after `<family>-` when the segment is a bare version (`2.4.2.yml`).
pub fn file_name_of_url(url: &str, family: &str) -> Result<String, Error> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let last = path.rsplit('/').next().unwrap_or_default();
    let last = last.strip_prefix("en-").unwrap_or(last);
    if last.is_empty() || last == "." || last == ".." {
        return Err(Error::Failed(format!(
            "{url}: the URL does not end with a file name"
        )));
    }
    if last.starts_with(|c: char| c.is_ascii_digit()) {
        Ok(format!("{family}-{last}"))
    } else {
        Ok(last.to_owned())
    }
}

/// The catalog text with `old`'s values replaced by `new`'s: only the values that differ,
/// each in place, so comments, layout and every other entry stay byte-identical.
fn rewrite(
    text: &str,
    old: &Entry,
    new: &Entry,
    spans: &crate::catalog::Spans,
) -> Result<String, Error> {
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut edit = |span: &Range<usize>, before: &str, after: &str| {
        if before != after {
            edits.push((span.clone(), basic_string(after)));
        }
    };
    edit(&spans.version, &old.version, &new.version);
    edit(&spans.sha256, &old.sha256, &new.sha256);
    edit(&spans.file, &old.file, &new.file);
    match (&spans.url, &old.url, &new.url) {
        (Some(span), Some(before), Some(after)) => edit(span, before, after),
        (None, None, None) => {}
        _ => {
            return Err(Error::Failed(format!(
                "{}: internal error: the url cannot be added or removed in place",
                old.id()
            )))
        }
    }
    // Spans do not overlap; applying from the end keeps the earlier ones valid.
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    let mut out = text.to_owned();
    for (span, literal) in edits {
        if out.get(span.clone()).is_none() {
            return Err(Error::Failed(format!(
                "{}: internal error: a span falls outside the catalog text",
                old.id()
            )));
        }
        out.replace_range(span, &literal);
    }
    Ok(out)
}

/// `value` as a TOML basic string, the form the catalog writes every value in.
fn basic_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The catalog change on one line.
fn summary(old: &Entry, new: &Entry) -> String {
    let mut line = format!(
        "{}: version {} -> {}, sha256 {} -> {}",
        old.id(),
        old.version,
        new.version,
        old.sha256,
        new.sha256
    );
    if old.file != new.file {
        line.push_str(&format!(", file {} -> {}", old.file, new.file));
    }
    if old.url != new.url {
        if let (Some(before), Some(after)) = (&old.url, &new.url) {
            line.push_str(&format!(", url {before} -> {after}"));
        }
    }
    line
}

/// What the user should know about the result that is not an error.
fn notes(old: &Entry, new: &Entry, from: &NewDocument, sources: &Sources) -> Vec<String> {
    let mut notes = Vec::new();
    if old.sha256 == new.sha256 {
        notes.push(String::from(
            "the new document is the pinned one, byte for byte",
        ));
    }
    if matches!(from, NewDocument::File(_)) && new.url.is_some() && old.sha256 != new.sha256 {
        notes.push(String::from(
            "the url still names the previous document, so `specs fetch` will refuse its \
             bytes: update with --url URL once the document is published at a commit",
        ));
    }
    if new.path.is_none() {
        if let Some(path) = sources.specs_dir_path(new) {
            let same = std::fs::read(&path).map(|b| sha256_hex(&b) == new.sha256);
            if let Ok(false) = same {
                notes.push(format!(
                    "{} holds other bytes under the new file name: generating with that specs \
                     directory will refuse it",
                    path.display()
                ));
            }
        }
    }
    notes
}

/// [`crate::files::write_atomically`], its error naming the file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    crate::files::write_atomically(path, bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Files as they were before the update wrote them, to put back when a later step fails.
#[derive(Debug, Default)]
struct Undo {
    /// Each file and its previous bytes (`None`: it did not exist), in the order recorded.
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
    /// Directories that did not exist, removed on restore.
    dirs: Vec<PathBuf>,
}

impl Undo {
    /// Records `path`'s current bytes (once).
    fn save(&mut self, path: &Path) -> Result<(), String> {
        if self.files.iter().any(|(p, _)| p == path) {
            return Ok(());
        }
        let before = match std::fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        self.files.push((path.to_owned(), before));
        Ok(())
    }

    /// Records every file under `dir`, or the directory itself when it does not exist.
    fn save_dir(&mut self, dir: &Path) -> Result<(), String> {
        if !dir.exists() {
            self.dirs.push(dir.to_owned());
            return Ok(());
        }
        let mut stack = vec![dir.to_owned()];
        while let Some(d) = stack.pop() {
            let entries =
                std::fs::read_dir(&d).map_err(|e| format!("cannot read {}: {e}", d.display()))?;
            for e in entries {
                let path = e
                    .map_err(|e| format!("cannot read {}: {e}", d.display()))?
                    .path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    self.save(&path)?;
                }
            }
        }
        Ok(())
    }

    /// Puts every recorded file back; returns what could not be restored.
    fn restore(self) -> Vec<String> {
        let mut problems = Vec::new();
        for (path, before) in self.files.into_iter().rev() {
            let done = match before {
                Some(bytes) => write_atomically(&path, &bytes),
                None => match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        Err(format!("cannot remove {}: {e}", path.display()))
                    }
                    _ => Ok(()),
                },
            };
            problems.extend(done.err());
        }
        for dir in self.dirs {
            if let Err(e) = std::fs::remove_dir_all(&dir) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    problems.push(format!("cannot remove {}: {e}", dir.display()));
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_of_urls_follow_the_catalog() {
        let name =
            |url: &str, family: &str| file_name_of_url(url, family).map_err(|e| e.to_string());
        assert_eq!(
            name(
                "https://raw.example/swagger-apis/accounts/2.4.3.yml",
                "accounts"
            ),
            Ok(String::from("accounts-2.4.3.yml"))
        );
        assert_eq!(
            name(
                "https://raw.example/yml/en-accounts-2-4-2.yml?raw=1",
                "accounts"
            ),
            Ok(String::from("accounts-2-4-2.yml"))
        );
        assert_eq!(
            name("https://raw.example/yml/funds.yml", "funds"),
            Ok(String::from("funds.yml"))
        );
        assert!(name("https://raw.example/yml/", "funds").is_err());
    }

    #[test]
    fn undo_puts_back_files_and_removes_what_was_new() {
        let dir = std::env::temp_dir().join(format!("ofb-update-undo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("old/sub")).expect("dir");
        std::fs::write(dir.join("old/sub/kept"), b"before").expect("write");
        let mut undo = Undo::default();
        undo.save_dir(&dir.join("old")).expect("saved");
        undo.save_dir(&dir.join("new")).expect("saved");
        undo.save(&dir.join("old/added")).expect("saved");
        write_atomically(&dir.join("old/sub/kept"), b"after").expect("write");
        write_atomically(&dir.join("old/added"), b"new").expect("write");
        write_atomically(&dir.join("new/file"), b"new").expect("write");
        assert_eq!(undo.restore(), Vec::<String>::new());
        assert_eq!(
            std::fs::read(dir.join("old/sub/kept")).expect("read"),
            b"before"
        );
        assert!(!dir.join("old/added").exists());
        assert!(!dir.join("new").exists());
    }

    #[test]
    fn values_are_written_as_toml_basic_strings() {
        for value in ["2.4.3", "a\"b\\c", "tab\there", "ação"] {
            let literal = basic_string(value);
            assert!(literal.starts_with('"'), "{literal}");
            let parsed: toml::Table = toml::from_str(&format!("v = {literal}")).expect("TOML");
            assert_eq!(parsed["v"].as_str(), Some(value));
        }
        assert_eq!(basic_string("a\"b"), r#""a\"b""#);
    }
}
