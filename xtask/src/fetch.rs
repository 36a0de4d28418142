//! `cargo xtask specs fetch`: fills the cache (`specs/.cache/<kind>/<file>`) with every
//! catalogued document, from a local specs directory or by HTTPS download. Nothing that lacks
//! the pinned hash is ever written: bytes are verified in memory, written to a temporary file
//! beside the target and renamed into place.

use crate::catalog::{Catalog, Entry};
use crate::flags::SpecsDirArg;
use crate::sources::{
    read_file, sha256_hex, verify, SourceError, Sources, HOW_TO_NAME_A_SPECS_DIR,
};
use crate::Error;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The largest document accepted; the biggest pinned one is a few hundred kilobytes, so this
/// only stops a misbehaving server from filling memory.
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Something that turns a URL into bytes.
pub trait Download {
    /// The body at `url`, or why not.
    fn get(&self, url: &str) -> Result<Vec<u8>, String>;
}

/// The agent settings every download uses: timeouts, and `https://` only unless a test says.
fn agent_config(https_only: bool) -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
    ureq::Agent::config_builder()
        .https_only(https_only)
        .timeout_global(Some(Duration::from_secs(60)))
        .timeout_connect(Some(Duration::from_secs(10)))
}

fn agent(https_only: bool) -> ureq::Agent {
    agent_config(https_only).build().into()
}

fn get_body(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>, String> {
    let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
    response
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_vec()
        .map_err(|e| format!("reading the body: {e}"))
}

/// The real downloader: ureq over rustls, with timeouts, `https://` only (redirects included),
/// so a pinned document is never fetched in the clear; optionally through a mirror and with
/// roots of the user's own.
#[derive(Debug, Clone)]
pub struct Https {
    agent: ureq::Agent,
    mirror: Option<String>,
}

impl Default for Https {
    fn default() -> Self {
        Https {
            agent: agent(true),
            mirror: None,
        }
    }
}

impl Https {
    /// A downloader that fetches `https://HOST/PATH` as `MIRROR/HOST/PATH` when `mirror` is
    /// given, and trusts the certificates of `roots_pem` (a PEM file's bytes) instead of the
    /// built-in Mozilla roots when given.
    pub fn new(mirror: Option<&str>, roots_pem: Option<&[u8]>) -> Result<Self, String> {
        if let Some(m) = mirror {
            if !m.starts_with("https://") {
                return Err(format!("mirror {m}: only an https:// mirror is used"));
            }
        }
        let mut config = agent_config(true);
        if let Some(pem) = roots_pem {
            let certs: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e.to_string())),
                })
                .collect::<Result<_, _>>()?;
            if certs.is_empty() {
                return Err(String::from("holds no PEM certificate"));
            }
            config = config.tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::new_with_certs(&certs))
                    .build(),
            );
        }
        Ok(Https {
            agent: config.build().into(),
            mirror: mirror.map(|m| m.trim_end_matches('/').to_owned()),
        })
    }

    /// The downloader the flags (or their variables) ask for.
    pub fn from_flags(specs: &SpecsDirArg) -> Result<Self, Error> {
        let pem = match specs.ca_file() {
            Some(path) => Some(std::fs::read(&path).map_err(|e| {
                Error::Failed(format!("{}: cannot read the CA file: {e}", path.display()))
            })?),
            None => None,
        };
        Https::new(specs.mirror().as_deref(), pem.as_deref()).map_err(|e| {
            let what = specs
                .ca_file()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| String::from("download settings"));
            Error::Failed(format!("{what}: {e}"))
        })
    }

    /// Where `url` is fetched from: itself, or its place on the mirror.
    pub fn source_of(&self, url: &str) -> String {
        match (&self.mirror, url.strip_prefix("https://")) {
            (Some(mirror), Some(rest)) => format!("{mirror}/{rest}"),
            _ => url.to_owned(),
        }
    }
}

impl Download for Https {
    fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        if !url.starts_with("https://") {
            return Err(String::from("only https:// URLs are fetched"));
        }
        get_body(&self.agent, &self.source_of(url))
    }
}

/// A test seam: downloads the URL as given, `http://` included, so tests can serve documents
/// from a plain-HTTP server on 127.0.0.1. The command line never uses it.
#[derive(Debug, Clone)]
pub struct AsGiven {
    agent: ureq::Agent,
}

impl Default for AsGiven {
    fn default() -> Self {
        AsGiven {
            agent: agent(false),
        }
    }
}

impl Download for AsGiven {
    fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        get_body(&self.agent, url)
    }
}

/// Why one document could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// A local copy exists but is wrong or unreadable.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A specs directory is named but does not hold the document.
    #[error(
        "{id}: {} does not exist; the specs directory named by --specs-dir or OFB_SPECS_DIR must \
         hold every catalogued document as <kind>/<file name>",
        path.display()
    )]
    NotInSpecsDir {
        /// The entry.
        id: String,
        /// Where it should be.
        path: PathBuf,
    },
    /// The download failed (no network, refused, HTTP error, timeout).
    #[error("{id}: cannot download {url}: {reason}")]
    Download {
        /// The entry.
        id: String,
        /// The URL tried.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The downloaded bytes do not have the pinned hash.
    #[error(
        "{id}: {url} served bytes with SHA-256 {actual}, but the catalog pins {expected}; \
         nothing was written"
    )]
    Mismatch {
        /// The entry.
        id: String,
        /// The URL downloaded.
        url: String,
        /// Pinned hash.
        expected: String,
        /// Hash of what was served.
        actual: String,
    },
    /// An upstream entry without a URL (the catalog refuses these; entries built in code can
    /// still lack one).
    #[error("{id}: the entry has no `url` to download from; {HOW_TO_NAME_A_SPECS_DIR}")]
    NoUrl {
        /// The entry.
        id: String,
    },
    /// The cache cannot be written.
    #[error("{id}: cannot write {}: {source}", path.display())]
    Write {
        /// The entry.
        id: String,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Every document that could not be fetched.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} of {total} documents could not be fetched:\n{}\nWithout network, {HOW_TO_NAME_A_SPECS_DIR}.",
    failures.len(),
    render(failures)
)]
pub struct Failures {
    /// How many documents the catalog has.
    pub total: usize,
    /// Each failure, in catalog order.
    pub failures: Vec<FetchError>,
}

fn render(failures: &[FetchError]) -> String {
    failures
        .iter()
        .map(|f| format!("  {f}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What happened to one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The cache already had it.
    Cached,
    /// Copied from the local specs directory.
    Copied,
    /// Downloaded.
    Downloaded,
    /// A document of ours, under `specs/`: checked, nothing to fetch.
    Ours,
}

impl Outcome {
    fn word(self) -> &'static str {
        match self {
            Outcome::Cached => "cached",
            Outcome::Copied => "copied",
            Outcome::Downloaded => "downloaded",
            Outcome::Ours => "ours",
        }
    }
}

/// Makes `entry` available in the cache: nothing to do when the cache has it with the pinned
/// hash; else a copy from the named specs directory; else a download. A stale or corrupt
/// cache file is replaced.
pub fn fetch_entry(
    sources: &Sources,
    entry: &Entry,
    download: &dyn Download,
) -> Result<Outcome, FetchError> {
    if entry.path.is_some() {
        sources.read(entry)?;
        return Ok(Outcome::Ours);
    }
    let cache = sources.cache_path(entry);
    if let Some(bytes) = read_file(entry, &cache)? {
        if sha256_hex(&bytes) == entry.sha256 {
            return Ok(Outcome::Cached);
        }
    }
    let (bytes, outcome) = match sources.specs_dir_path(entry) {
        Some(path) => match read_file(entry, &path)? {
            Some(bytes) => (verify(entry, &path, bytes)?, Outcome::Copied),
            None => {
                return Err(FetchError::NotInSpecsDir {
                    id: entry.id(),
                    path,
                })
            }
        },
        None => (downloaded(entry, download)?, Outcome::Downloaded),
    };
    write_atomically(entry, &cache, &bytes)?;
    Ok(outcome)
}

/// The entry's bytes from its URL, verified.
fn downloaded(entry: &Entry, download: &dyn Download) -> Result<Vec<u8>, FetchError> {
    let Some(url) = &entry.url else {
        return Err(FetchError::NoUrl { id: entry.id() });
    };
    let bytes = download.get(url).map_err(|reason| FetchError::Download {
        id: entry.id(),
        url: url.clone(),
        reason,
    })?;
    let actual = sha256_hex(&bytes);
    if actual != entry.sha256 {
        return Err(FetchError::Mismatch {
            id: entry.id(),
            url: url.clone(),
            expected: entry.sha256.clone(),
            actual,
        });
    }
    Ok(bytes)
}

/// Writes through a temporary file in the same directory and a rename, so a reader never sees
/// a partial file and a failed write leaves nothing behind.
fn write_atomically(entry: &Entry, path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    crate::files::write_atomically(path, bytes).map_err(|source| FetchError::Write {
        id: entry.id(),
        path: path.to_owned(),
        source,
    })
}

/// How many documents ended which way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Already in the cache.
    pub cached: usize,
    /// Copied from the specs directory.
    pub copied: usize,
    /// Downloaded.
    pub downloaded: usize,
    /// Documents of ours, checked in place.
    pub ours: usize,
}

/// Fetches every entry, printing a line each and a summary; every failure is collected and
/// reported, none stops the others.
pub fn run(
    catalog: &Catalog,
    sources: &Sources,
    download: &dyn Download,
) -> Result<Summary, Failures> {
    let mut failures = Vec::new();
    let mut summary = Summary::default();
    for entry in catalog.entries() {
        let word = match fetch_entry(sources, entry, download) {
            Ok(outcome) => {
                *match outcome {
                    Outcome::Cached => &mut summary.cached,
                    Outcome::Copied => &mut summary.copied,
                    Outcome::Downloaded => &mut summary.downloaded,
                    Outcome::Ours => &mut summary.ours,
                } += 1;
                outcome.word()
            }
            Err(e) => {
                failures.push(e);
                "FAILED"
            }
        };
        println!(
            "{word:>10}  {} {} ({})",
            entry.id(),
            entry.version,
            entry.file
        );
    }
    let total = catalog.entries().len();
    println!(
        "{total} documents: {} already cached, {} copied, {} downloaded, {} of ours, {} failed",
        summary.cached,
        summary.copied,
        summary.downloaded,
        summary.ours,
        failures.len()
    );
    if failures.is_empty() {
        Ok(summary)
    } else {
        Err(Failures { total, failures })
    }
}

/// The catalog and a reader for its documents, with every document there to read: with a
/// specs directory named, each must be in it (or in the cache), and those missing are named in
/// one error; without one, the documents the cache lacks are downloaded into it first, each
/// verified against its pinned SHA-256, with a line of progress each. What `generate` and every
/// command built on it start with, so a fresh clone needs no separate `specs fetch`.
pub fn open(specs: &SpecsDirArg) -> Result<(Catalog, Sources), Error> {
    open_in(
        &crate::repo_root(),
        specs.resolve(),
        &Https::from_flags(specs)?,
    )
}

/// [`open`] for the repository at `root`, downloading with `download`.
pub fn open_in(
    root: &Path,
    specs_dir: Option<PathBuf>,
    download: &dyn Download,
) -> Result<(Catalog, Sources), Error> {
    let (catalog, sources) = crate::sources::open_in(root, specs_dir)?;
    let upstream: Vec<&Entry> = catalog
        .entries()
        .iter()
        .filter(|e| e.path.is_none())
        .collect();
    let total = upstream.len();
    if let Some(dir) = sources.specs_dir() {
        let missing: Vec<String> = upstream
            .iter()
            .filter(|e| matches!(sources.read(e), Err(SourceError::Missing { .. })))
            .map(|e| format!("  {} ({}/{})", e.id(), e.kind, e.file))
            .collect();
        if missing.is_empty() {
            return Ok((catalog, sources));
        }
        return Err(Error::Failed(format!(
            "{} of {total} catalogued documents are neither in {} nor in the cache:\n{}\n\
             Fix: copy them into that directory as <kind>/<file name>, or let \
             `cargo xtask generate` download them: run it without --specs-dir and OFB_SPECS_DIR.",
            missing.len(),
            dir.display(),
            missing.join("\n")
        )));
    }
    let lacking: Vec<&Entry> = upstream
        .into_iter()
        .filter(|e| !cached(&sources, e))
        .collect();
    if lacking.is_empty() {
        return Ok((catalog, sources));
    }
    eprintln!(
        "downloading {} of {total} pinned documents into specs/.cache (each checked against its \
         SHA-256)",
        lacking.len()
    );
    let mut failures = Vec::new();
    let mut fetched = 0;
    for (i, entry) in lacking.iter().enumerate() {
        // Failures in a row and not one success: the network is plainly not there, and each
        // further try could wait out its own timeout.
        if fetched == 0 && failures.len() == GIVE_UP_AFTER {
            failures.push(format!(
                "  ({} more not tried after {GIVE_UP_AFTER} failures in a row)",
                lacking.len() - i
            ));
            break;
        }
        let line = format!(
            "[{:>2}/{}] {} {}",
            i + 1,
            lacking.len(),
            entry.id(),
            entry.version
        );
        match fetch_entry(&sources, entry, download) {
            Ok(_) => {
                fetched += 1;
                let size = std::fs::metadata(sources.cache_path(entry)).map_or(0, |m| m.len());
                eprintln!("{line}: {} KiB, verified", size.div_ceil(1024));
            }
            Err(e) => {
                eprintln!("{line}: FAILED");
                failures.push(format!("  {e}"));
            }
        }
    }
    if failures.is_empty() {
        return Ok((catalog, sources));
    }
    Err(Error::Failed(format!(
        "{} of {total} pinned documents could not be downloaded (nothing unverified was \
         written):\n{}\nFix: without network, name a directory that holds them: \
         `cargo xtask generate --specs-dir DIR` (behind a mirror: --mirror URL, with --ca-file \
         PEM for its CA).",
        lacking.len() - fetched,
        failures.join("\n")
    )))
}

/// Downloads that fail in a row, with none succeeding, before `open` stops trying.
const GIVE_UP_AFTER: usize = 3;

/// Whether the cache holds `entry` with its pinned hash.
fn cached(sources: &Sources, entry: &Entry) -> bool {
    std::fs::read(sources.cache_path(entry)).is_ok_and(|b| sha256_hex(&b) == entry.sha256)
}
