//! A fresh clone with network and nothing beside it: `generate` downloads the pinned documents
//! its cache lacks, over HTTPS, verifying each SHA-256, then generates. A local HTTPS server on
//! 127.0.0.1 stands in for the upstream host, reached through `--mirror` and trusted through
//! `--ca-file`, as a bank's mirror would be. What it cannot get is reported once, with the
//! command that fixes it.
//!
//! The documents served are those of the specs directory CI names (`OFB_SPECS_DIR`); without
//! one there is nothing to serve and the tests say so and return.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use xtask::catalog::{Catalog, Entry};
use xtask::fetch::{open_in, Https};
use xtask::generate::Mode;
use xtask::sources::Sources;

/// An HTTPS server on 127.0.0.1 answering each path it knows with its bytes and others with
/// 404; it stops when dropped.
struct Mirror {
    url: String,
    ca_pem: String,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Drop for Mirror {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn mirror(files: BTreeMap<String, Vec<u8>>) -> Mirror {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA");
    let leaf_key = rcgen::KeyPair::generate().expect("leaf key");
    let leaf = rcgen::CertificateParams::new(vec![String::from("127.0.0.1")])
        .expect("leaf params")
        .signed_by(&leaf_key, &ca)
        .expect("leaf");
    let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).expect("key");
    // The provider the generated clients use (ring, unless the process chose another).
    ofb_runtime::tls::install_tls_provider();
    let provider = rustls::crypto::CryptoProvider::get_default()
        .expect("a TLS provider is installed")
        .clone();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .expect("server config");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("address");
    listener.set_nonblocking(true).expect("nonblocking");
    let requests = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (seen, stopped) = (requests.clone(), stop.clone());
    std::thread::spawn(move || {
        // Stops when dropped, and in any case after two minutes.
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        while !stopped.load(Ordering::Relaxed) && std::time::Instant::now() < deadline {
            let Ok((tcp, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            tcp.set_nonblocking(false).ok();
            tcp.set_read_timeout(Some(Duration::from_secs(5))).ok();
            let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
                continue;
            };
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match tls.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&head);
            let path = head.split(' ').nth(1).unwrap_or("").to_owned();
            seen.fetch_add(1, Ordering::Relaxed);
            let (status, body) = match files.get(&path) {
                Some(b) => ("200 OK", b.clone()),
                None => ("404 Not Found", b"not here".to_vec()),
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = tls.write_all(reply.as_bytes());
            let _ = tls.write_all(&body);
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    Mirror {
        url: format!("https://{addr}"),
        ca_pem: ca.pem(),
        requests,
        stop,
    }
}

/// A scratch copy of the repository's `specs/` (its catalog, frequencies, overlays and our
/// documents; not the cache), standing for a fresh clone.
fn fresh_clone(name: &str) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("dir");
        for e in std::fs::read_dir(from).expect("read").flatten() {
            let (src, dst) = (e.path(), to.join(e.file_name()));
            if e.file_name() == ".cache" {
                continue;
            }
            if e.file_type().expect("type").is_dir() {
                copy(&src, &dst);
            } else {
                std::fs::copy(&src, &dst).expect("copy");
            }
        }
    }
    let root = std::env::temp_dir().join(format!("ofb-fresh-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    copy(&xtask::repo_root().join("specs"), &root.join("specs"));
    root
}

/// The upstream documents as the mirror serves them: `/HOST/PATH` of each pinned URL.
fn upstream(catalog: &Catalog, specs_dir: &Path) -> BTreeMap<String, Vec<u8>> {
    catalog
        .entries()
        .iter()
        .filter_map(|e| {
            let rest = e.url.as_deref()?.strip_prefix("https://")?;
            let bytes = std::fs::read(specs_dir.join(e.folder()).join(&e.file)).ok()?;
            Some((format!("/{rest}"), bytes))
        })
        .collect()
}

fn downloader(m: &Mirror, root: &Path) -> Https {
    let ca = root.join("mirror-ca.pem");
    std::fs::write(&ca, &m.ca_pem).expect("CA file");
    let pem = std::fs::read(&ca).expect("CA file");
    Https::new(Some(&m.url), Some(&pem)).expect("downloader")
}

fn specs_dir() -> Option<PathBuf> {
    let dir = Sources::specs_dir_from(None);
    if dir.is_none() {
        eprintln!("no OFB_SPECS_DIR: nothing to serve; skipped");
    }
    dir
}

fn upstream_entries(catalog: &Catalog) -> Vec<&Entry> {
    catalog
        .entries()
        .iter()
        .filter(|e| e.path.is_none())
        .collect()
}

#[test]
fn generate_on_a_fresh_clone_downloads_what_the_cache_lacks_then_generates() {
    let Some(dir) = specs_dir() else { return };
    let root = fresh_clone("generate");
    let (catalog, _) = xtask::sources::open_in(&root, None).expect("catalog");
    let m = mirror(upstream(&catalog, &dir));
    let https = downloader(&m, &root);

    let (catalog, sources) = open_in(&root, None, &https).expect("downloads every document");
    let wanted = upstream_entries(&catalog);
    assert_eq!(m.requests.load(Ordering::Relaxed), wanted.len());
    for e in &wanted {
        let cached = std::fs::read(sources.cache_path(e)).expect("in the cache");
        assert_eq!(xtask::sources::sha256_hex(&cached), e.sha256, "{}", e.id());
    }
    // A second run finds everything cached and asks for nothing.
    open_in(&root, None, &https).expect("cached");
    assert_eq!(m.requests.load(Ordering::Relaxed), wanted.len());

    xtask::generate::catalog(&root, &catalog, &sources, Mode::Write).expect("generates");
    for e in catalog.entries() {
        let manifest = root.join(e.crate_dir()).join("Cargo.toml");
        assert!(
            xtask::files::is_generated(&manifest),
            "{}",
            manifest.display()
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn what_cannot_be_downloaded_is_reported_once_with_the_fix_and_nothing_unverified_is_kept() {
    let Some(dir) = specs_dir() else { return };
    let root = fresh_clone("failures");
    let (catalog, _) = xtask::sources::open_in(&root, None).expect("catalog");
    let mut files = upstream(&catalog, &dir);
    let wanted = upstream_entries(&catalog);
    let (gone, corrupt) = (wanted[0], wanted[1]);
    let path = |e: &Entry| {
        format!(
            "/{}",
            e.url
                .as_deref()
                .unwrap_or("")
                .trim_start_matches("https://")
        )
    };
    files.remove(&path(gone));
    files.insert(
        path(corrupt),
        b"openapi: 3.0.0 # not the pinned bytes".to_vec(),
    );
    let m = mirror(files);
    let https = downloader(&m, &root);

    let e = open_in(&root, None, &https)
        .expect_err("two documents fail")
        .to_string();
    println!("{e}");
    assert!(e.starts_with("2 of "), "{e}");
    for failed in [gone, corrupt] {
        assert_eq!(
            e.matches(&failed.id()).count(),
            1,
            "{} once:\n{e}",
            failed.id()
        );
        let sources = Sources::new(root.clone(), None);
        assert!(!sources.cache_path(failed).exists(), "{}", failed.id());
    }
    assert!(e.contains("404"), "{e}");
    assert!(
        e.contains(&corrupt.sha256),
        "the pinned hash is named:\n{e}"
    );
    assert_eq!(e.matches("Fix:").count(), 1, "{e}");
    assert!(e.contains("cargo xtask generate --specs-dir DIR"), "{e}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_named_directory_without_the_documents_is_reported_once_and_nothing_is_downloaded() {
    let root = fresh_clone("named");
    let empty = root.join("empty-specs");
    std::fs::create_dir_all(&empty).expect("dir");
    let m = mirror(BTreeMap::new());
    let https = downloader(&m, &root);
    let e = open_in(&root, Some(empty.clone()), &https)
        .expect_err("nothing there")
        .to_string();
    let (catalog, _) = xtask::sources::open_in(&root, None).expect("catalog");
    let wanted = upstream_entries(&catalog);
    assert!(e.starts_with(&format!("{0} of {0} ", wanted.len())), "{e}");
    for w in &wanted {
        assert_eq!(
            e.matches(&format!("  {} (", w.id())).count(),
            1,
            "{}:\n{e}",
            w.id()
        );
    }
    assert_eq!(e.matches("Fix:").count(), 1, "{e}");
    assert_eq!(
        m.requests.load(Ordering::Relaxed),
        0,
        "offline means offline"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_mirror_must_be_https() {
    let e = Https::new(Some("http://127.0.0.1:1"), None).expect_err("refused");
    assert!(e.contains("only an https:// mirror"), "{e}");
}

#[test]
fn with_no_document_to_be_had_it_stops_after_three_tries() {
    let root = fresh_clone("give-up");
    let m = mirror(BTreeMap::new());
    let https = downloader(&m, &root);
    let e = open_in(&root, None, &https)
        .expect_err("nothing served")
        .to_string();
    let (catalog, _) = xtask::sources::open_in(&root, None).expect("catalog");
    let wanted = upstream_entries(&catalog).len();
    assert_eq!(m.requests.load(Ordering::Relaxed), 3, "{e}");
    assert!(e.starts_with(&format!("{wanted} of {wanted} ")), "{e}");
    assert!(
        e.contains(&format!(
            "({} more not tried after 3 failures in a row)",
            wanted - 3
        )),
        "{e}"
    );
    assert_eq!(e.matches("Fix:").count(), 1, "{e}");
    let _ = std::fs::remove_dir_all(&root);
}
