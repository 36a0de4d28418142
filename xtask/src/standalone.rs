//! What the crates meet away from this repository, checked by `cargo xtask test`:
//!
//! - **Publishing.** The runtime, its derive crate and a generated crate are packaged as
//!   `cargo publish` would send them, and `cargo publish --dry-run` verifies all three together:
//!   each is built from its package alone, with dependencies resolved afresh from the registry
//!   (the runtime and derive from the packages, as a bank's registry would hold them).
//! - **A crate on its own.** A crate generated with `--spec --out` resolves its dependencies
//!   afresh, without this workspace's lock file, and builds with every feature under
//!   `-D warnings`: a deprecation in a new release of a dependency shows here first, not in a
//!   bank's build.
//!
//! Both build in target directories of their own, so the workspace's builds are not disturbed.

use crate::catalog::{Catalog, Kind};
use crate::sources::Sources;
use ofb_codegen::{Runtime, Settings};
use std::path::{Path, PathBuf};

/// The generated crate both checks use: generated from the first document of ours in the
/// catalog (always there, offline), under this name.
const CRATE: &str = "ofb-standalone";

/// Runs both checks.
pub fn check(root: &Path, catalog: &Catalog, sources: &Sources) -> Result<(), String> {
    let spec = our_document(catalog, sources)?;
    publish_dry_run(root, &spec)?;
    fresh_build(root, &spec)
}

/// The first catalogued document we author, as a file.
fn our_document(catalog: &Catalog, sources: &Sources) -> Result<PathBuf, String> {
    catalog
        .entries()
        .iter()
        .filter(|e| e.kind == Kind::Partner)
        .find_map(|e| e.path.as_ref().map(|p| sources.own_path(p)))
        .ok_or_else(|| String::from("the catalog has no document of ours to generate from"))
}

fn cargo(dir: &Path, target: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let mut cmd = crate::cargo::command(dir, args);
    cmd.env("CARGO_TARGET_DIR", target)
        // What the workspace's own runs set must not leak into a build that stands for a
        // user's: only the flags given here apply.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    crate::cargo::status(cmd, args)
}

/// Packages the runtime and its derive crate as they would be published, unpacks them beside
/// a crate generated from `spec` in a scratch workspace, and dry-runs publishing all three.
pub fn publish_dry_run(root: &Path, spec: &Path) -> Result<(), String> {
    let target = root.join("target/standalone/publish");
    let package = [
        "package",
        "-p",
        "ofb-runtime-derive",
        "-p",
        "ofb-runtime",
        "--no-verify",
        "--allow-dirty",
    ];
    cargo(root, &target, &package, &[])?;
    let scratch = root.join("target/standalone/registry");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    }
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let version = ofb_codegen::RUNTIME_VERSION;
    let derive = unpack(&target, &scratch, "ofb-runtime-derive", version)?;
    let runtime = unpack(&target, &scratch, "ofb-runtime", version)?;
    // The packaged runtime names its derive crate by version alone; within the scratch
    // workspace that version is the unpacked package beside it.
    set_path(
        &scratch.join(&runtime).join("Cargo.toml"),
        "ofb-runtime-derive",
        &format!("../{derive}"),
    )?;
    let bytes = std::fs::read(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let label = spec
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let settings = Settings::new(CRATE, "")
        .with_runtime(Runtime::Workspace)
        .with_source(label.clone(), crate::sources::sha256_hex(&bytes))
        .with_command("cargo xtask generate --spec");
    let output =
        ofb_codegen::generate(&label, &bytes, &[], &settings).map_err(|d| d.to_string())?;
    crate::generate::write(&crate::generate::Generated {
        dir: scratch.join(CRATE),
        output,
        id: String::from(CRATE),
    })?;
    forget_unpacked(&[&derive, &runtime, &format!("{CRATE}-1.0.0")]);
    let manifest = format!(
        "[workspace]\nresolver = \"2\"\nmembers = [\"{derive}\", \"{runtime}\", \"{CRATE}\"]\n\n\
         [workspace.dependencies]\nofb-runtime = {{ version = \"{version}\", path = \"{runtime}\" }}\n"
    );
    let path = scratch.join("Cargo.toml");
    std::fs::write(&path, manifest).map_err(|e| format!("{}: {e}", path.display()))?;
    cargo(
        &scratch,
        &target,
        &["publish", "--dry-run", "--workspace", "--allow-dirty"],
        &[],
    )
}

/// Removes the copies of our own packages that an earlier dry run left unpacked in cargo's
/// registry sources. A dry run verifies each package against a local registry whose path is
/// the same every time, and cargo reuses a copy it unpacked from there before: a package
/// changed since would be verified as it was. Only these names are touched, and no such
/// package is on a public registry.
fn forget_unpacked(dirs: &[&str]) {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(home) = home else { return };
    for source in std::fs::read_dir(home.join("registry/src"))
        .into_iter()
        .flatten()
        .flatten()
    {
        for dir in dirs {
            let stale = source.path().join(dir);
            if stale.is_dir() {
                let _ = std::fs::remove_dir_all(&stale);
            }
        }
    }
}

/// Unpacks `target/package/NAME-VERSION.crate` into `into`; returns the directory's name.
fn unpack(target: &Path, into: &Path, name: &str, version: &str) -> Result<String, String> {
    let file = target.join(format!("package/{name}-{version}.crate"));
    let status = std::process::Command::new("tar")
        .arg("-xzf")
        .arg(&file)
        .arg("-C")
        .arg(into)
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    if !status.success() {
        return Err(format!("{}: cannot unpack ({status})", file.display()));
    }
    let dir = format!("{name}-{version}");
    // Files cargo writes into every package, which it refuses to find in a source directory.
    for extra in ["Cargo.toml.orig", ".cargo_vcs_info.json"] {
        let p = into.join(&dir).join(extra);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
    }
    Ok(dir)
}

/// Adds `path` to the `dependency` of the manifest at `manifest`.
fn set_path(manifest: &Path, dependency: &str, path: &str) -> Result<(), String> {
    let text =
        std::fs::read_to_string(manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let mut doc: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", manifest.display()))?;
    let dep = doc
        .get_mut("dependencies")
        .and_then(|d| d.get_mut(dependency))
        .and_then(toml::Value::as_table_mut)
        .ok_or_else(|| {
            format!(
                "{}: no [dependencies.{dependency}] table",
                manifest.display()
            )
        })?;
    dep.insert(String::from("path"), toml::Value::String(path.to_owned()));
    let text = toml::to_string(&doc).map_err(|e| format!("{}: {e}", manifest.display()))?;
    std::fs::write(manifest, text).map_err(|e| format!("{}: {e}", manifest.display()))
}

/// Generates a crate from `spec` with `--spec --out` (its runtime by version and path), drops
/// any lock file it had, and builds it with every feature and target under `-D warnings`.
pub fn fresh_build(root: &Path, spec: &Path) -> Result<(), String> {
    let out = root.join("target/standalone").join(CRATE);
    crate::generate::single(root, spec, &out, Some(CRATE))?;
    let lock = out.join("Cargo.lock");
    if lock.exists() {
        std::fs::remove_file(&lock).map_err(|e| format!("{}: {e}", lock.display()))?;
    }
    let target = root.join("target/standalone/build");
    cargo(
        &out,
        &target,
        &["build", "--all-features", "--all-targets"],
        &[("RUSTFLAGS", "-D warnings")],
    )
}
