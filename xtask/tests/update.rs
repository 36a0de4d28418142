//! `specs update` end to end, on temporary copies of a repository layout (a small catalog, the
//! fixture documents of specs/fixtures/update/, a cache and generated crates), never on this
//! repository's own catalog: the entry is rewritten in place and nothing else in the catalog
//! moves, the new document is placed and hashed, the crate is regenerated, the diff is
//! reported, and every failure, like --dry-run, leaves every file as it was.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use xtask::catalog::Catalog;
use xtask::fetch::{AsGiven, Download};
use xtask::sources::{sha256_hex, Sources};
use xtask::update::{update, NewDocument, Request, Updated};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../specs/fixtures/update")
        .join(name)
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("fixture")
}

/// The test catalog: comments, a trailing comment and a second entry, all of which must
/// survive an update byte for byte.
fn catalog_text() -> String {
    let v1 = sha256_hex(&bytes("widgets-1.0.0.yaml"));
    format!(
        "# A catalog for the `specs update` tests.\n\
         \n\
         [[document]]\n\
         kind = \"regulated\"\n\
         family = \"widgets\"\n\
         version = \"1.0.0\"   # pinned first\n\
         file = \"widgets-1.0.0.yaml\"\n\
         url = \"https://example.invalid/widgets/1.0.0.yaml\"\n\
         sha256 = \"{v1}\"\n\
         \n\
         # A document of ours.\n\
         [[document]]\n\
         kind = \"partner\"\n\
         family = \"gadgets\"\n\
         version = \"1.0.0\"\n\
         file = \"gadgets.yaml\"\n\
         path = \"partner/gadgets.yaml\"\n\
         sha256 = \"{v1}\"\n"
    )
}

/// A fresh repository layout with both entries pinned at widgets-1.0.0.yaml, the upstream one
/// in the cache, and both crates generated.
fn repo(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("ofb-update-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let v1 = bytes("widgets-1.0.0.yaml");
    for (path, contents) in [
        ("specs/catalog.toml", catalog_text().into_bytes()),
        ("specs/.cache/regulated/widgets-1.0.0.yaml", v1.clone()),
        ("specs/partner/gadgets.yaml", v1),
    ] {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(path, contents).expect("write");
    }
    let catalog = Catalog::load(&root.join("specs/catalog.toml")).expect("test catalog");
    let sources = Sources::new(root.clone(), None);
    for entry in catalog.entries() {
        let g = xtask::generate::entry(&root, &sources, &catalog, entry).expect("generates");
        xtask::generate::write(&g).expect("writes");
    }
    root
}

/// Every file under `root` and its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("inside").to_owned();
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn request(target: &str, new: NewDocument, dry_run: bool) -> Request {
    Request {
        target: target.to_owned(),
        new,
        dry_run,
        specs_dir: None,
    }
}

/// Runs an update, returning its outcome (or error text) and its report.
fn run(
    root: &Path,
    request: &Request,
    download: &dyn Download,
) -> (Result<Updated, String>, String) {
    let mut out = Vec::new();
    let result = update(root, request, download, &mut out).map_err(|e| e.to_string());
    (result, String::from_utf8(out).expect("UTF-8 report"))
}

/// A downloader for tests that must not download.
struct Refuse;

impl Download for Refuse {
    fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        panic!("no download expected, asked for {url}")
    }
}

#[test]
fn update_an_upstream_entry_is_rewritten_in_place_placed_in_the_cache_and_regenerated() {
    let root = repo("upstream");
    let v1 = sha256_hex(&bytes("widgets-1.0.0.yaml"));
    let v2 = sha256_hex(&bytes("widgets-1.1.0.yaml"));
    let new = NewDocument::File(fixture("widgets-1.1.0.yaml"));
    let (result, report) = run(&root, &request("regulated/widgets", new, false), &Refuse);
    let updated = result.expect("updates");
    assert!(updated.written);

    // The diff, then the catalog change on one line.
    let lines: Vec<&str> = report.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("operation-removed GET /widgets/{widgetId}: ")),
        "{report}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("field-added ")),
        "{report}"
    );
    assert!(
        lines.contains(&"2 changes: 1 breaking for clients, 1 breaking for servers"),
        "{report}"
    );
    let summary = format!(
        "regulated/widgets: version 1.0.0 -> 1.1.0, sha256 {v1} -> {v2}, file widgets-1.0.0.yaml -> widgets-1.1.0.yaml"
    );
    assert!(lines.contains(&summary.as_str()), "{report}");
    assert!(report.contains("note: the url still names the previous document"));

    // Only the three values changed; the comment after the version stays.
    let expected = catalog_text()
        .replacen("version = \"1.0.0\"   #", "version = \"1.1.0\"   #", 1)
        .replacen("widgets-1.0.0.yaml\"", "widgets-1.1.0.yaml\"", 1)
        .replacen(&v1, &v2, 1);
    let text = std::fs::read_to_string(root.join("specs/catalog.toml")).expect("catalog");
    assert_eq!(text, expected);
    let original = catalog_text();
    let changed: Vec<(&str, &str)> = original
        .lines()
        .zip(text.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 3, "{changed:?}");

    // The cache holds the new document under its name, with the pinned hash.
    let catalog = Catalog::load(&root.join("specs/catalog.toml")).expect("still valid");
    let entry = catalog.find("regulated/widgets").expect("entry");
    assert_eq!(entry, &updated.new);
    let sources = Sources::new(root.clone(), None);
    assert_eq!(
        sources.cache_path(entry),
        root.join("specs/.cache/regulated/widgets-1.1.0.yaml")
    );
    assert_eq!(
        sources.read(entry).expect("verified"),
        bytes("widgets-1.1.0.yaml")
    );

    // The crate is regenerated from it, and up to date.
    let g = xtask::generate::entry(&root, &sources, &catalog, entry).expect("generates");
    assert!(!g.output.files.is_empty());
    assert_eq!(xtask::generate::compare(&g), Vec::<String>::new());
    let manifest = std::fs::read_to_string(root.join(entry.crate_dir()).join("Cargo.toml"))
        .expect("regenerated crate");
    assert!(manifest.contains("version = \"1.1.0\""), "{manifest}");
    let lib = std::fs::read_to_string(root.join(entry.crate_dir()).join("src/lib.rs"))
        .expect("regenerated crate");
    assert!(lib.contains(&v2), "the header names the new hash");
}

#[test]
fn update_a_document_of_ours_is_copied_over_its_path() {
    let root = repo("partner");
    let before = snapshot(&root);
    let v1 = sha256_hex(&bytes("widgets-1.0.0.yaml"));
    let v2 = sha256_hex(&bytes("widgets-1.1.0.yaml"));
    let new = NewDocument::File(fixture("widgets-1.1.0.yaml"));
    let (result, report) = run(&root, &request("partner/gadgets", new, false), &Refuse);
    let updated = result.expect("updates");
    assert!(
        report.contains(&format!(
            "\npartner/gadgets: version 1.0.0 -> 1.1.0, sha256 {v1} -> {v2}\n"
        )),
        "{report}"
    );
    assert!(!report.contains("note:"), "{report}");
    let text = std::fs::read_to_string(root.join("specs/catalog.toml")).expect("catalog");
    let (upstream, ours) = catalog_text()
        .split_once("# A document of ours.")
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .expect("two entries");
    let ours = ours
        .replacen("version = \"1.0.0\"", "version = \"1.1.0\"", 1)
        .replacen(&v1, &v2, 1);
    assert_eq!(text, format!("{upstream}# A document of ours.{ours}"));
    assert_eq!(
        std::fs::read(root.join("specs/partner/gadgets.yaml")).expect("copied"),
        bytes("widgets-1.1.0.yaml")
    );
    // The other entry's crate and the cache are as they were.
    let after = snapshot(&root);
    let upstream_dir = Catalog::load(&root.join("specs/catalog.toml"))
        .expect("valid")
        .find("regulated/widgets")
        .expect("entry")
        .crate_dir();
    for (path, contents) in &before {
        if path.starts_with(&upstream_dir) || path.starts_with("specs/.cache") {
            assert_eq!(after.get(path), Some(contents), "{}", path.display());
        }
    }
    assert!(after.keys().any(|p| p.starts_with(updated.new.crate_dir())));
}

#[test]
fn update_dry_run_reports_and_changes_nothing() {
    let root = repo("dry-run");
    let before = snapshot(&root);
    let new = NewDocument::File(fixture("widgets-1.1.0.yaml"));
    let (result, report) = run(&root, &request("regulated/widgets", new, true), &Refuse);
    let updated = result.expect("reports");
    assert!(!updated.written);
    assert_eq!(updated.new.version, "1.1.0");
    assert!(report.starts_with("field-added GET /widgets "), "{report}");
    assert!(
        report.ends_with("dry run: nothing was written\n"),
        "{report}"
    );
    assert_eq!(snapshot(&root), before);
}

#[test]
fn update_failures_leave_every_file_as_it_was() {
    let root = repo("failures");
    let before = snapshot(&root);
    let missing = fixture("no-such-document.yaml");
    let (result, report) = run(
        &root,
        &request(
            "regulated/widgets",
            NewDocument::File(missing.clone()),
            false,
        ),
        &Refuse,
    );
    let err = result.expect_err("unreadable");
    assert!(
        err.starts_with(&format!(
            "{}: cannot read the new document: ",
            missing.display()
        )) && err.ends_with("; nothing was changed"),
        "{err}"
    );
    assert_eq!(report, "");
    assert_eq!(snapshot(&root), before);

    let invalid = fixture("invalid.yaml");
    let (result, report) = run(
        &root,
        &request(
            "regulated/widgets",
            NewDocument::File(invalid.clone()),
            false,
        ),
        &Refuse,
    );
    let err = result.expect_err("invalid");
    assert!(
        err.starts_with(&format!(
            "{}: the new document cannot be loaded and modelled; nothing was changed:\nerror: {}#/",
            invalid.display(),
            invalid.display()
        )),
        "{err}"
    );
    assert_eq!(report, "");
    assert_eq!(snapshot(&root), before);

    let (result, _) = run(
        &root,
        &request(
            "regulated/nothing",
            NewDocument::File(fixture("widgets-1.1.0.yaml")),
            false,
        ),
        &Refuse,
    );
    assert_eq!(
        result.expect_err("unknown"),
        "`regulated/nothing` is not a catalogued document (catalogued: regulated/widgets, partner/gadgets)"
    );
    assert_eq!(snapshot(&root), before);
}

#[test]
fn update_generation_failure_after_the_document_is_placed_is_undone() {
    let root = repo("generation");
    // A frequency class for the endpoint the new version removes: generation refuses it, after
    // the new document went into the cache.
    std::fs::write(
        root.join("specs/frequencies.toml"),
        "[regulated.widgets]\n\"GET /widgets/{widgetId}\" = \"low\"\n",
    )
    .expect("write");
    let before = snapshot(&root);
    let new = NewDocument::File(fixture("widgets-1.1.0.yaml"));
    let (result, report) = run(&root, &request("regulated/widgets", new, false), &Refuse);
    let err = result.expect_err("generation fails");
    assert!(
        err.starts_with("regulated/widgets: cannot regenerate its crate:\n")
            && err.contains("GET /widgets/{widgetId}")
            && err.ends_with("; nothing was changed"),
        "{err}"
    );
    assert!(report.contains("regulated/widgets: version 1.0.0 -> 1.1.0"));
    assert_eq!(snapshot(&root), before);
}

#[test]
fn update_to_a_new_major_version_is_refused() {
    let root = repo("major");
    let before = snapshot(&root);
    let v2 = String::from_utf8(bytes("widgets-1.1.0.yaml"))
        .expect("UTF-8")
        .replace("version: 1.1.0", "version: 2.0.0");
    let path = root.join("widgets-2.0.0.yaml");
    std::fs::write(&path, v2).expect("write");
    let before = {
        let mut b = before;
        b.insert(
            PathBuf::from("widgets-2.0.0.yaml"),
            std::fs::read(&path).expect("read"),
        );
        b
    };
    let (result, _) = run(
        &root,
        &request("regulated/widgets", NewDocument::File(path), false),
        &Refuse,
    );
    let err = result.expect_err("refused");
    assert!(
        err.starts_with("regulated/widgets: the new document's version 2.0.0 would move its crate")
            && err.contains("a new major version is a new catalog entry"),
        "{err}"
    );
    assert_eq!(snapshot(&root), before);
}

#[test]
fn update_from_a_url_downloads_reports_and_pins_https_only() {
    let root = repo("url");
    let before = snapshot(&root);
    // The test server speaks plain HTTP, which the catalog refuses to pin: the download, the
    // diff and the report happen, then the rewritten entry is refused before anything is
    // written, with --dry-run and without.
    let url = common::serve(bytes("widgets-1.1.0.yaml"), "widgets/1.1.0.yaml");
    for dry_run in [true, false] {
        let (result, report) = run(
            &root,
            &request("regulated/widgets", NewDocument::Url(url.clone()), dry_run),
            &AsGiven::default(),
        );
        let v1 = sha256_hex(&bytes("widgets-1.0.0.yaml"));
        let v2 = sha256_hex(&bytes("widgets-1.1.0.yaml"));
        assert!(
            report.ends_with(&format!(
                "\nregulated/widgets: version 1.0.0 -> 1.1.0, sha256 {v1} -> {v2}, file \
                 widgets-1.0.0.yaml -> widgets-1.1.0.yaml, url \
                 https://example.invalid/widgets/1.0.0.yaml -> {url}\n"
            )),
            "{report}"
        );
        let err = result.expect_err("plain http");
        assert!(
            err.starts_with(
                "regulated/widgets: the updated entry would not be valid; nothing was changed:\n"
            ) && err.contains(&format!("`url` must be an https:// URL, not {url:?}")),
            "{err}"
        );
        assert_eq!(snapshot(&root), before);
    }

    // A download that fails names the URL.
    let (result, report) = run(
        &root,
        &request(
            "regulated/widgets",
            NewDocument::Url(String::from("https://example.invalid/w.yaml")),
            false,
        ),
        &Unreachable,
    );
    assert_eq!(
        result.expect_err("no network"),
        "https://example.invalid/w.yaml: cannot download the new document: no route; nothing \
         was changed"
    );
    assert_eq!(report, "");

    // A document of ours has no url.
    let (result, _) = run(
        &root,
        &request("partner/gadgets", NewDocument::Url(url), false),
        &Refuse,
    );
    assert_eq!(
        result.expect_err("no url for ours"),
        "partner/gadgets: a document of ours lives under specs/ and has no url: update it with \
         --file PATH"
    );
    assert_eq!(snapshot(&root), before);
}

/// A downloader without network.
struct Unreachable;

impl Download for Unreachable {
    fn get(&self, _url: &str) -> Result<Vec<u8>, String> {
        Err(String::from("no route"))
    }
}
