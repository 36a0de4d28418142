//! `cargo xtask specs fetch`: fills the cache with every catalogued document, from a local
//! specs directory or by HTTPS download, writing nothing that does not have the pinned hash.

use crate::catalog::{Catalog, Entry};
use crate::sources::{sha256_hex, SourceError, Sources};
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// Something that turns a URL into bytes.
pub trait Download {
    /// The body at `url`, or why not.
    fn get(&self, url: &str) -> Result<Vec<u8>, String>;
}

/// Downloads with ureq over rustls. Only `https://` URLs are fetched unless the test seam
/// [`Https::allowing_plain_http`] is used, so a pinned document cannot be swapped in transit.
#[derive(Debug, Clone)]
pub struct Https {
    agent: ureq::Agent,
    plain_http: bool,
}

impl Default for Https {
    fn default() -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .timeout_connect(Some(Duration::from_secs(10)))
            .build();
        Https {
            agent: config.into(),
            plain_http: false,
        }
    }
}

impl Https {
    /// A downloader that also accepts `http://` (tests against a local server only).
    pub fn allowing_plain_http() -> Self {
        Https {
            plain_http: true,
            ..Https::default()
        }
    }
}

impl Download for Https {
    fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let allowed =
            url.starts_with("https://") || (self.plain_http && url.starts_with("http://"));
        if !allowed {
            return Err(format!(
                "refusing to download {url}: only https:// URLs are fetched"
            ));
        }
        let mut resp = self
            .agent
            .get(url)
            .call()
            .map_err(|e| format!("GET {url}: {e}"))?;
        let mut bytes = Vec::new();
        resp.body_mut()
            .as_reader()
            .take(64 * 1024 * 1024)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("GET {url}: reading the body: {e}"))?;
        Ok(bytes)
    }
}

/// What happened to one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The cache already had it.
    Cached,
    /// Copied from the local specs directory.
    Copied,
    /// Downloaded.
    Downloaded,
    /// A document of ours: nothing to fetch.
    Ours,
}

/// Makes `entry` available in the cache.
pub fn fetch_entry(
    sources: &Sources,
    entry: &Entry,
    download: &dyn Download,
) -> Result<Outcome, String> {
    if entry.path.is_some() {
        sources.read(entry).map_err(|e| e.to_string())?;
        return Ok(Outcome::Ours);
    }
    let cache = sources.cache_path(entry);
    if let Ok(bytes) = std::fs::read(&cache) {
        if sha256_hex(&bytes) == entry.sha256 {
            return Ok(Outcome::Cached);
        }
    }
    // A local directory first; then the network.
    let (bytes, outcome) = match sources.read(entry) {
        Ok(bytes) => (bytes, Outcome::Copied),
        Err(SourceError::Missing { looked, .. }) => {
            let Some(url) = &entry.url else {
                return Err(format!("{}: no url to download from", entry.id()));
            };
            let bytes = download.get(url).map_err(|e| {
                let looked: Vec<String> = looked.iter().map(|p| p.display().to_string()).collect();
                format!(
                    "{}: {e}\n  and no local copy (looked at {}). Without network, name a local directory \
                     laid out as <kind>/<file name>: --specs-dir DIR or OFB_SPECS_DIR=DIR",
                    entry.id(),
                    looked.join(", ")
                )
            })?;
            let bytes =
                crate::sources::verify(entry, Path::new(url), bytes).map_err(|e| e.to_string())?;
            (bytes, Outcome::Downloaded)
        }
        Err(e) => return Err(e.to_string()),
    };
    write_atomically(&cache, &bytes)?;
    Ok(outcome)
}

/// Writes through a temporary file in the same directory and a rename, so a reader never sees
/// a partial file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .ok_or_else(|| format!("{}: no parent directory", path.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Fetches every entry, printing a line each and a summary; every failure is reported.
pub fn run(catalog: &Catalog, sources: &Sources, download: &dyn Download) -> Result<(), String> {
    let mut failures = Vec::new();
    let mut counts = [0usize; 4];
    for entry in catalog.entries() {
        match fetch_entry(sources, entry, download) {
            Ok(o) => {
                let (i, word) = match o {
                    Outcome::Cached => (0, "cached"),
                    Outcome::Copied => (1, "copied"),
                    Outcome::Downloaded => (2, "downloaded"),
                    Outcome::Ours => (3, "ours"),
                };
                counts[i] += 1;
                println!("{:>10}  {} {}", word, entry.id(), entry.version);
            }
            Err(e) => {
                println!("{:>10}  {} {}", "FAILED", entry.id(), entry.version);
                failures.push(e);
            }
        }
    }
    println!(
        "{} documents: {} already cached, {} copied, {} downloaded, {} of ours, {} failed",
        catalog.entries().len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        failures.len()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}
