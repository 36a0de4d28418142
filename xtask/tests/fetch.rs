//! `specs fetch` end to end: downloads from a plain-HTTP server started here on 127.0.0.1
//! (through the `AsGiven` test seam; the real downloader refuses `http://`), hash checks that
//! write nothing on a mismatch, copies from a local directory, and the message that says how
//! to name one when neither a directory nor the network is there.

mod common;

use std::path::{Path, PathBuf};
use xtask::catalog::{Catalog, Entry, Kind};
use xtask::fetch::{fetch_entry, AsGiven, Download, Https, Outcome};
use xtask::sources::{sha256_hex, Sources};

const DOC: &[u8] = b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";
const WRONG: &[u8] = b"something else entirely";

/// A fresh directory for one test, standing for the repository root.
fn temp_root(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ofb-xtask-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn entry(url: &str, bytes: &[u8]) -> Entry {
    Entry {
        kind: Kind::Regulated,
        family: String::from("demo"),
        version: String::from("1"),
        file: String::from("demo.yml"),
        url: Some(url.to_owned()),
        path: None,
        sha256: sha256_hex(bytes),
        overlay: None,
        dir: None,
    }
}

/// Every file under the cache, so tests can say nothing was written.
fn cache_files(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                walk(&e.path(), out);
            } else {
                out.push(e.path());
            }
        }
    }
    let mut out = Vec::new();
    walk(&root.join("specs/.cache"), &mut out);
    out
}

#[test]
fn downloads_verify_and_then_come_from_the_cache() {
    let root = temp_root("download");
    let url = common::serve(DOC.to_vec(), "doc.yml");
    let sources = Sources::new(root.clone(), None);
    let e = entry(&url, DOC);
    let got = fetch_entry(&sources, &e, &AsGiven::default()).map_err(|e| e.to_string());
    assert_eq!(got, Ok(Outcome::Downloaded));
    assert_eq!(cache_files(&root), [sources.cache_path(&e)]);
    assert_eq!(
        sources.cache_path(&e),
        root.join("specs/.cache/regulated/demo.yml")
    );
    assert_eq!(std::fs::read(sources.cache_path(&e)).expect("cached"), DOC);
    // The second time, nothing is downloaded: a downloader that refuses proves it.
    let got = fetch_entry(&sources, &e, &Refuse).map_err(|e| e.to_string());
    assert_eq!(got, Ok(Outcome::Cached));
    assert_eq!(sources.read(&e).expect("readable"), DOC);
}

#[test]
fn a_downloaded_hash_mismatch_is_an_error_and_writes_nothing() {
    let root = temp_root("mismatch");
    let url = common::serve(WRONG.to_vec(), "doc.yml");
    let sources = Sources::new(root.clone(), None);
    let e = entry(&url, DOC);
    let err = fetch_entry(&sources, &e, &AsGiven::default()).expect_err("mismatch");
    assert_eq!(
        err.to_string(),
        format!(
            "regulated/demo: {url} served bytes with SHA-256 {}, but the catalog pins {}; nothing was written",
            sha256_hex(WRONG),
            sha256_hex(DOC)
        )
    );
    assert_eq!(cache_files(&root), Vec::<PathBuf>::new());
}

#[test]
fn a_corrupt_cache_file_is_replaced() {
    let root = temp_root("corrupt");
    let url = common::serve(DOC.to_vec(), "doc.yml");
    let sources = Sources::new(root.clone(), None);
    let e = entry(&url, DOC);
    let cache = sources.cache_path(&e);
    std::fs::create_dir_all(cache.parent().expect("parent")).expect("dir");
    std::fs::write(&cache, b"truncated").expect("write");
    let got = fetch_entry(&sources, &e, &AsGiven::default()).map_err(|e| e.to_string());
    assert_eq!(got, Ok(Outcome::Downloaded));
    assert_eq!(std::fs::read(&cache).expect("cached"), DOC);
    assert_eq!(cache_files(&root), [cache]);
}

#[test]
fn without_a_directory_or_network_the_error_says_how_to_name_one() {
    let root = temp_root("offline");
    let sources = Sources::new(root.clone(), None);
    // Port 1 on loopback refuses at once: nothing leaves the machine.
    let e = entry("http://127.0.0.1:1/doc.yml", DOC);
    let err = fetch_entry(&sources, &e, &AsGiven::default())
        .expect_err("offline")
        .to_string();
    assert!(
        err.starts_with("regulated/demo: cannot download http://127.0.0.1:1/doc.yml: "),
        "{err}"
    );
    // The way out is said once, after every failure (`fetch_reports_every_failure_at_once`).
    assert!(!err.contains("without network"), "{err}");
    assert_eq!(cache_files(&root), Vec::<PathBuf>::new());
}

#[test]
fn the_real_downloader_refuses_plain_http_before_connecting() {
    let err = Https::default()
        .get("http://127.0.0.1:1/doc.yml")
        .expect_err("refused");
    assert_eq!(err, "only https:// URLs are fetched");
    // Through fetch the refusal names the entry and the way out.
    let root = temp_root("refused");
    let e = entry("http://127.0.0.1:1/doc.yml", DOC);
    let err = fetch_entry(&Sources::new(root, None), &e, &Https::default())
        .expect_err("refused")
        .to_string();
    assert!(
        err.starts_with(
            "regulated/demo: cannot download http://127.0.0.1:1/doc.yml: only https:// URLs are fetched"
        ),
        "{err}"
    );
}

#[test]
fn a_named_directory_is_copied_with_its_hash_checked() {
    let root = temp_root("copy");
    let specs = root.join("specs-dir");
    std::fs::create_dir_all(specs.join("regulated")).expect("dir");
    std::fs::write(specs.join("regulated/demo.yml"), DOC).expect("write");
    let sources = Sources::new(root.clone(), Some(specs.clone()));
    // The URL is never used: a named directory is the source.
    let e = entry("https://example.invalid/unused", DOC);
    let got = fetch_entry(&sources, &e, &Refuse).map_err(|e| e.to_string());
    assert_eq!(got, Ok(Outcome::Copied));
    assert_eq!(std::fs::read(sources.cache_path(&e)).expect("cached"), DOC);

    // A wrong copy in the directory is refused and not written.
    let root = temp_root("copy-wrong");
    let sources = Sources::new(root.clone(), Some(specs.clone()));
    std::fs::write(specs.join("regulated/demo.yml"), WRONG).expect("write");
    let err = fetch_entry(&sources, &e, &Refuse).expect_err("tampered");
    assert_eq!(
        err.to_string(),
        format!(
            "regulated/demo: {} has SHA-256 {}, but the catalog pins {}: it is not the pinned document",
            specs.join("regulated/demo.yml").display(),
            sha256_hex(WRONG),
            sha256_hex(DOC)
        )
    );
    assert_eq!(cache_files(&root), Vec::<PathBuf>::new());

    // A directory without the document says where it should be.
    std::fs::remove_file(specs.join("regulated/demo.yml")).expect("remove");
    let err = fetch_entry(&sources, &e, &Refuse).expect_err("missing");
    assert_eq!(
        err.to_string(),
        format!(
            "regulated/demo: {} does not exist; the specs directory named by --specs-dir or \
             OFB_SPECS_DIR must hold every catalogued document as <kind>/<file name>",
            specs.join("regulated/demo.yml").display()
        )
    );
}

/// A downloader for tests that must not reach any network.
struct Refuse;

impl Download for Refuse {
    fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        Err(format!("no network for {url}"))
    }
}

#[test]
fn fetch_reports_every_failure_at_once() {
    let root = temp_root("all");
    let text = format!(
        "[[document]]\nkind = \"regulated\"\nfamily = \"a\"\nversion = \"1\"\nfile = \"a.yml\"\nurl = \"https://example.invalid/a\"\nsha256 = \"{0}\"\n\n\
         [[document]]\nkind = \"regulated\"\nfamily = \"b\"\nversion = \"1\"\nfile = \"b.yml\"\nurl = \"https://example.invalid/b\"\nsha256 = \"{0}\"\n",
        sha256_hex(DOC)
    );
    let catalog = Catalog::parse(&root.join("c.toml"), &text).expect("catalog");
    let err = xtask::fetch::run(&catalog, &Sources::new(root, None), &Refuse)
        .expect_err("fails")
        .to_string();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "{err}");
    assert_eq!(lines[0], "2 of 2 documents could not be fetched:");
    assert!(
        lines[1].starts_with(
            "  regulated/a: cannot download https://example.invalid/a: no network for"
        ),
        "{err}"
    );
    assert!(
        lines[2].starts_with(
            "  regulated/b: cannot download https://example.invalid/b: no network for"
        ),
        "{err}"
    );
    assert_eq!(
        lines[3],
        "Without network, name a local directory that holds the documents as <kind>/<file name> \
         (for example regulated/accounts-2.4.2.yml) with --specs-dir DIR or OFB_SPECS_DIR=DIR."
    );
}

/// The document's `info.version`, as a string whatever YAML type it was written as.
fn info_version(bytes: &[u8]) -> Option<String> {
    // Some published documents open with a byte order mark, which YAML parsers refuse.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let doc: serde_yaml::Value = serde_yaml::from_slice(bytes).ok()?;
    match doc.get("info")?.get("version")? {
        serde_yaml::Value::String(s) => Some(s.clone()),
        other => serde_yaml::to_string(other)
            .ok()
            .map(|s| s.trim().to_owned()),
    }
}

#[test]
fn every_catalogued_document_is_in_the_named_directory_with_its_pinned_hash_and_version() {
    let root = xtask::repo_root();
    let catalog = Catalog::load(&root.join("specs/catalog.toml")).expect("catalog");
    let count = |kind| catalog.entries().iter().filter(|e| e.kind == kind).count();
    assert_eq!(
        (
            count(Kind::Regulated),
            count(Kind::Integration),
            count(Kind::Schema)
        ),
        (15, 17, 4),
        "15 regulated documents, 17 integration documents (14 data families, payments, credit \
         portability, channels) and 4 JSON Schema documents"
    );
    let Some(dir) = Sources::specs_dir_from(None) else {
        println!(
            "note: OFB_SPECS_DIR is not set, so the pinned hashes were not checked against a local copy"
        );
        return;
    };
    let sources = Sources::new(root, Some(dir.clone()));
    let problems: Vec<String> = catalog
        .entries()
        .iter()
        .filter(|e| e.path.is_none())
        .filter_map(|e| {
            let path = sources.specs_dir_path(e)?;
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                Err(err) => return Some(format!("{}: {}: {err}", e.id(), path.display())),
            };
            if let Err(err) = xtask::sources::verify(e, &path, bytes.clone()) {
                return Some(err.to_string());
            }
            // A JSON Schema document has no `info`: its catalog version is its API's.
            if e.kind == Kind::Schema {
                return None;
            }
            match info_version(&bytes) {
                Some(v) if v == e.version => None,
                other => Some(format!(
                    "{}: the catalog says version {:?}, the document's info.version is {other:?}",
                    e.id(),
                    e.version
                )),
            }
        })
        .collect();
    assert!(
        problems.is_empty(),
        "in {}:\n{}",
        dir.display(),
        problems.join("\n")
    );
}
