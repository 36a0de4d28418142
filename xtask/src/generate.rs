//! `cargo xtask generate`: every catalogued document to a crate under `generated/`, or one
//! document anywhere with `--spec FILE --out DIR`; `--check` compares instead of writing.

use crate::catalog::{Catalog, Entry, Kind};
use crate::cli::GenerateArgs;
use crate::frequencies::Frequencies;
use crate::sources::{sha256_hex, Sources};
use crate::Error;
use ofb_codegen::{Diagnostic, Frequency, Output, Overlay, Settings};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// Runs `generate` with its flags: one document with `--spec FILE --out DIR`, else the whole
/// catalog (compared instead of written with `--check`).
pub fn run(args: &GenerateArgs) -> Result<(), Error> {
    let root = crate::repo_root();
    match (&args.spec, &args.out) {
        (Some(spec), Some(out)) => single(&root, spec, out, args.name.as_deref())
            .map(drop)
            .map_err(Error::Failed),
        // clap makes --spec and --out require each other; this only guards library callers.
        (Some(_), None) | (None, Some(_)) => Err(Error::Failed(String::from(
            "`generate --spec FILE` and `--out DIR` go together: name both or neither",
        ))),
        (None, None) => {
            let (catalog, sources) = crate::cli::load(&args.specs)?;
            self::catalog(&root, &catalog, &sources, args.check).map_err(Error::Failed)
        }
    }
}

/// A generated crate, ready to write or compare.
pub struct Generated {
    /// Directory of the crate (absolute).
    pub dir: PathBuf,
    /// The generator's output.
    pub output: Output,
    /// Display name (`regulated/accounts`).
    pub id: String,
}

/// Generates the crate of one catalog entry (in memory), with the frequency classes of
/// `specs/frequencies.toml` and, for an integration document, of its regulated counterpart in
/// `catalog`.
pub fn entry(
    root: &Path,
    sources: &Sources,
    catalog: &Catalog,
    entry: &Entry,
) -> Result<Generated, String> {
    let frequencies = Frequencies::load(&root.join(FREQUENCIES), None)?;
    let classes = counterpart_classes(catalog, sources, &frequencies, entry)?;
    entry_with(root, sources, entry, &frequencies, &classes, None)
}

/// Generates and writes the crate of one catalog entry alone, as `generate` would write it
/// (its frequency classes, its counterpart's, the changes from its previous major version),
/// leaving every other crate as it is: what `mock` serves.
pub fn only(
    root: &Path,
    catalog: &Catalog,
    sources: &Sources,
    entry: &Entry,
) -> Result<(), String> {
    let frequencies = Frequencies::load(&root.join(FREQUENCIES), Some(catalog))?;
    let classes = counterpart_classes(catalog, sources, &frequencies, entry)?;
    let g = entry_with(
        root,
        sources,
        entry,
        &frequencies,
        &classes,
        previous(catalog, entry),
    )?;
    write(&g)
}

/// The regulated document an integration document serves: the newest major version of the
/// regulated document of the same family, if the catalog has one.
pub fn counterpart<'c>(catalog: &'c Catalog, entry: &Entry) -> Option<&'c Entry> {
    if entry.kind != Kind::Integration {
        return None;
    }
    catalog.find(&format!("{}/{}", Kind::Regulated, entry.family))
}

/// The classes an integration document takes from its regulated counterpart: each regulated
/// operationId with the class recorded for the regulated operation's method and path. The
/// integration layer answers the same call after the platform, so it lives in the same class;
/// one rule instead of a copied table.
pub fn counterpart_classes(
    catalog: &Catalog,
    sources: &Sources,
    frequencies: &Frequencies,
    entry: &Entry,
) -> Result<BTreeMap<String, Frequency>, String> {
    let Some(regulated) = counterpart(catalog, entry) else {
        return Ok(BTreeMap::new());
    };
    let (bytes, overlays) = read(sources, regulated)?;
    let label = format!("{}/{}", regulated.kind, regulated.file);
    let ops = ofb_codegen::operation_ids(&label, &bytes, &overlays).map_err(|d| d.to_string())?;
    Ok(ops
        .into_iter()
        .filter_map(|(id, method, path)| Some((id, frequencies.class(regulated, &method, &path)?)))
        .collect())
}

/// The bytes and overlays of an entry, as generation reads them.
fn read(sources: &Sources, entry: &Entry) -> Result<(Vec<u8>, Vec<Overlay>), String> {
    let bytes = sources.read(entry).map_err(|e| e.to_string())?;
    let mut overlays = Vec::new();
    if let Some(rel) = &entry.overlay {
        let path = sources.own_path(rel);
        let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let label = rel.display().to_string();
        overlays.push(Overlay::parse(&label, &text).map_err(|d| d.to_string())?);
    }
    Ok((bytes, overlays))
}

/// The entry of the same kind and family with the highest major version below `entry`'s: the
/// version an institution moves from.
pub fn previous<'c>(catalog: &'c Catalog, entry: &Entry) -> Option<&'c Entry> {
    let major = |e: &Entry| e.major().parse::<u64>().unwrap_or(0);
    catalog
        .entries()
        .iter()
        .filter(|e| e.kind == entry.kind && e.family == entry.family && major(e) < major(entry))
        .max_by_key(|e| major(e))
}

/// The API diff from `old` to the document `label` (`bytes` with `overlays`), as text.
fn changes_from(
    sources: &Sources,
    old: &Entry,
    label: &str,
    bytes: &[u8],
    overlays: &[Overlay],
) -> Result<String, String> {
    let (old_bytes, old_overlays) = read(sources, old)?;
    let old_label = format!("{}/{}", old.kind, old.file);
    let old = ofb_codegen::diff::model(&old_label, &old_bytes, &old_overlays)
        .map_err(|d| d.to_string())?;
    let new = ofb_codegen::diff::model(label, bytes, overlays).map_err(|d| d.to_string())?;
    let report = ofb_codegen::diff::diff_inputs(old.input(), new.input());
    Ok(ofb_codegen::diff::render::text(&report))
}

/// The file of frequency classes, relative to the repository root.
pub const FREQUENCIES: &str = "specs/frequencies.toml";

/// Generates the crate of one catalog entry (in memory) with these frequency classes (by
/// method and path, and by operationId from its regulated counterpart).
pub fn entry_with(
    root: &Path,
    sources: &Sources,
    entry: &Entry,
    frequencies: &Frequencies,
    classes: &BTreeMap<String, Frequency>,
    previous: Option<&Entry>,
) -> Result<Generated, String> {
    let (bytes, overlays) = read(sources, entry)?;
    let settings = Settings::new(entry.crate_name(), "../../../codegen/runtime")
        .with_source(
            format!("{}/{}", entry.kind, entry.file),
            entry.sha256.clone(),
        )
        .with_overlays(
            overlays
                .iter()
                .map(|o| format!("specs/{}", o.label))
                .collect(),
        )
        .with_service(&entry.family)
        .with_report_violations(entry.kind == Kind::Integration)
        .with_classes_required(entry.kind != Kind::Partner);
    let settings = classes
        .iter()
        .fold(settings, |s, (id, class)| s.with_frequency_of(id, *class));
    let mut settings = frequencies.apply(entry, settings);
    let label = format!("{}/{}", entry.kind, entry.file);
    if let Some(old) = previous {
        let report = changes_from(sources, old, &label, &bytes, &overlays)?;
        settings = settings.with_changes(format!("{} {}", old.id(), old.version), report);
    }
    let output =
        ofb_codegen::generate(&label, &bytes, &overlays, &settings).map_err(|d| d.to_string())?;
    Ok(Generated {
        dir: root.join(entry.crate_dir()),
        output,
        id: entry.id(),
    })
}

/// Generates every entry, two at a time (the machines this runs on have two cores).
pub fn all(root: &Path, catalog: &Catalog, sources: &Sources) -> Vec<Result<Generated, String>> {
    let entries = catalog.entries();
    let frequencies = match Frequencies::load(&root.join(FREQUENCIES), Some(catalog)) {
        Ok(f) => f,
        Err(e) => return entries.iter().map(|_| Err(e.clone())).collect(),
    };
    let frequencies = &frequencies;
    let classes: Vec<Result<BTreeMap<String, Frequency>, String>> = entries
        .iter()
        .map(|e| counterpart_classes(catalog, sources, frequencies, e))
        .collect();
    let classes = &classes;
    let mut results: Vec<Option<Result<Generated, String>>> =
        entries.iter().map(|_| None).collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    std::thread::scope(|s| {
        let chunks: Vec<_> = results
            .chunks_mut(entries.len().div_ceil(threads).max(1))
            .collect();
        let mut start = 0;
        for chunk in chunks {
            let from = start;
            start += chunk.len();
            s.spawn(move || {
                for (i, slot) in chunk.iter_mut().enumerate() {
                    let e = &entries[from + i];
                    *slot = Some(classes[from + i].clone().and_then(|classes| {
                        entry_with(
                            root,
                            sources,
                            e,
                            frequencies,
                            &classes,
                            previous(catalog, e),
                        )
                    }));
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(String::from("internal error: not generated"))))
        .collect()
}

/// Writes a crate: its files (each through a synced temporary file), and removes the files it
/// generated before and no longer has. A file without the generated mark is never removed, a
/// symlink never followed: whatever else sits in the directory (a lock file, `target/`, notes)
/// is left alone.
pub fn write(g: &Generated) -> Result<(), String> {
    let keep: BTreeSet<String> = g.output.files.iter().map(|f| f.path.clone()).collect();
    for stale in crate::files::generated(&g.dir).difference(&keep) {
        let p = g.dir.join(stale);
        std::fs::remove_file(&p).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    for f in &g.output.files {
        let p = g.dir.join(&f.path);
        if std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(format!(
                "{}: is a symlink; refusing to write through it",
                p.display()
            ));
        }
        if std::fs::read_to_string(&p).is_ok_and(|old| old == f.contents) {
            continue;
        }
        crate::files::write_atomically(&p, f.contents.as_bytes())
            .map_err(|e| format!("{}: {e}", p.display()))?;
    }
    Ok(())
}

/// Whether `out` may receive a crate: it does not exist, is empty, or holds a crate we
/// generated (its `Cargo.toml` carries the mark). Anything else is somebody's directory.
fn may_write_into(out: &Path) -> Result<(), String> {
    let Ok(mut entries) = std::fs::read_dir(out) else {
        return Ok(());
    };
    if entries.next().is_none() || crate::files::is_generated(&out.join("Cargo.toml")) {
        return Ok(());
    }
    Err(format!(
        "{}: not empty and not a crate `cargo xtask generate` wrote (its Cargo.toml does not carry \
         the generated header); refusing to write into it. Name an empty or new directory.",
        out.display()
    ))
}

/// Differences between a crate and what is on disk: a line per stale file and a unified diff
/// of the first few.
pub fn compare(g: &Generated) -> Vec<String> {
    let mut problems = Vec::new();
    let keep: BTreeSet<String> = g.output.files.iter().map(|f| f.path.clone()).collect();
    for extra in crate::files::generated(&g.dir).difference(&keep) {
        problems.push(format!("{}: not generated any more: {extra}", g.id));
    }
    for f in &g.output.files {
        let p = g.dir.join(&f.path);
        match std::fs::read_to_string(&p) {
            Ok(old) if old == f.contents => {}
            Ok(old) => {
                let diff = similar::TextDiff::from_lines(&old, &f.contents);
                let text = diff
                    .unified_diff()
                    .context_radius(2)
                    .header("on disk", "generated")
                    .to_string();
                let short: Vec<&str> = text.lines().take(40).collect();
                problems.push(format!("{}: stale {}\n{}", g.id, f.path, short.join("\n")));
            }
            Err(_) => problems.push(format!("{}: missing {}", g.id, f.path)),
        }
    }
    problems
}

/// Directories under `generated/<kind>/` that no catalog entry produces.
fn orphan_dirs(root: &Path, catalog: &Catalog) -> Vec<PathBuf> {
    let wanted: BTreeSet<PathBuf> = catalog
        .entries()
        .iter()
        .map(|e| root.join(e.crate_dir()))
        .collect();
    let mut out = Vec::new();
    for kind in std::fs::read_dir(root.join("generated"))
        .into_iter()
        .flatten()
        .flatten()
    {
        if !kind.path().is_dir() {
            continue;
        }
        for fam in std::fs::read_dir(kind.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if fam.path().is_dir() && !wanted.contains(&fam.path()) {
                out.push(fam.path());
            }
        }
    }
    out.sort();
    out
}

fn print_warnings(all: &[&Diagnostic]) {
    for d in all {
        eprintln!("{d}");
    }
}

/// The whole catalog: generate, then write (or compare with `check`). Prints progress, every
/// warning once, and a summary table.
pub fn catalog(
    root: &Path,
    catalog: &Catalog,
    sources: &Sources,
    check: bool,
) -> Result<(), String> {
    let started = std::time::Instant::now();
    eprintln!("generating {} documents...", catalog.entries().len());
    let results = all(root, catalog, sources);
    let mut failures = Vec::new();
    let mut rows = Vec::new();
    let mut warnings = BTreeSet::new();
    let mut generated = Vec::new();
    for r in results {
        match r {
            Ok(g) => {
                for w in g.output.warnings.sorted() {
                    warnings.insert(w.clone());
                }
                generated.push(g);
            }
            Err(e) => failures.push(e),
        }
    }
    print_warnings(&warnings.iter().collect::<Vec<_>>());
    let mut stale = Vec::new();
    for g in &generated {
        if check {
            stale.extend(compare(g));
        } else if let Err(e) = write(g) {
            failures.push(e);
        }
        let s = g.output.stats;
        let dir = g.dir.strip_prefix(root).unwrap_or(&g.dir);
        rows.push((
            dir.display().to_string(),
            s.operations,
            s.types,
            s.lines,
            g.output.warnings.len(),
        ));
    }
    // Relative to generated/, where the workspace manifest is.
    let members: Vec<String> = catalog
        .entries()
        .iter()
        .filter_map(|e| {
            let dir = e.crate_dir();
            dir.strip_prefix("generated")
                .ok()
                .map(|d| d.display().to_string().replace('\\', "/"))
        })
        .collect();
    // The hand-written crates over the generated ones join when every crate they name is
    // there (they are not built from a partial catalog).
    let extra: Vec<String> = HAND_WRITTEN
        .iter()
        .filter(|dir| needs_met(&root.join("generated").join(dir), &members))
        .map(|d| (*d).to_owned())
        .collect();
    let manifest = ofb_codegen::emit::files::workspace_manifest(&members, &extra)?;
    let manifest_path = root.join("generated/Cargo.toml");
    if check {
        if std::fs::read_to_string(&manifest_path).ok().as_deref() != Some(manifest.as_str()) {
            stale.push(String::from("generated/Cargo.toml is stale"));
        }
    } else {
        std::fs::write(&manifest_path, &manifest)
            .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
        // Seed the generated workspace's lock file with ours, so both resolve to the same
        // dependency versions and share compiled artifacts.
        let lock = root.join("generated/Cargo.lock");
        if !lock.exists() {
            if let Ok(ours) = std::fs::read(root.join("Cargo.lock")) {
                std::fs::write(&lock, ours).map_err(|e| format!("{}: {e}", lock.display()))?;
            }
        }
    }
    for orphan in orphan_dirs(root, catalog) {
        if check {
            stale.push(format!(
                "{}: no catalog entry generates it",
                orphan.display()
            ));
        } else {
            std::fs::remove_dir_all(&orphan).map_err(|e| format!("{}: {e}", orphan.display()))?;
        }
    }
    println!(
        "{:<52} {:>5} {:>6} {:>7} {:>8}",
        "crate", "ops", "types", "lines", "warnings"
    );
    for (id, ops, types, lines, w) in &rows {
        println!("{:<52} {:>5} {:>6} {:>7} {:>8}", id, ops, types, lines, w);
    }
    let total_lines: usize = rows.iter().map(|r| r.3).sum();
    println!(
        "{} crates, {} lines, {} warnings, {} failed, in {:.2?}",
        rows.len(),
        total_lines,
        warnings.len(),
        failures.len(),
        started.elapsed()
    );
    if !stale.is_empty() {
        failures.push(format!(
            "generated/ is stale; run `cargo xtask generate`:\n{}",
            stale.join("\n")
        ));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// `path` relative to `base` (both absolute), for Cargo.toml path dependencies.
pub fn relative(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path.to_owned();
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out
}

/// One document anywhere: `--spec FILE --out DIR`. The crate builds in place.
pub fn single(root: &Path, spec: &Path, out: &Path, name: Option<&str>) -> Result<String, String> {
    let bytes = std::fs::read(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let file = spec
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = spec
        .file_stem()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let crate_name = match name {
        Some(n) => n.to_owned(),
        None => {
            let kebab: String = stem
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            let kebab = kebab
                .split('-')
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("-");
            format!(
                "ofb-{}",
                if kebab.is_empty() {
                    "generated"
                } else {
                    &kebab
                }
            )
        }
    };
    may_write_into(out)?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let out_abs = out
        .canonicalize()
        .map_err(|e| format!("{}: {e}", out.display()))?;
    let root_abs = root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", root.display()))?;
    let runtime = relative(&root_abs.join("codegen/runtime"), &out_abs);
    // Inside `generated/<kind>/<name>` the crate is a member of the project workspace; anywhere
    // else it is a workspace of its own, so that `cargo build` works where it is.
    let member = out_abs
        .strip_prefix(root_abs.join("generated"))
        .is_ok_and(|rel| rel.components().count() == 2);
    let settings = Settings::new(&crate_name, runtime.to_string_lossy().replace('\\', "/"))
        .with_standalone(!member)
        .with_source(file.clone(), sha256_hex(&bytes))
        .with_command("cargo xtask generate --spec");
    let output = ofb_codegen::generate(&file, &bytes, &[], &settings).map_err(|d| d.to_string())?;
    for w in output.warnings.sorted() {
        eprintln!("{w}");
    }
    let g = Generated {
        dir: out_abs.clone(),
        output,
        id: crate_name.clone(),
    };
    write(&g)?;
    let s = g.output.stats;
    println!(
        "{crate_name}: {} operations, {} types, {} lines, {} warnings, written to {}",
        s.operations,
        s.types,
        s.lines,
        g.output.warnings.len(),
        out.display()
    );
    Ok(crate_name)
}

/// Hand-written crates built on generated ones, relative to generated/.
const HAND_WRITTEN: &[&str] = &["../codegen/partner", "../codegen/institution"];

/// Whether every `../../generated/<member>` path dependency of the crate at `dir` is among
/// `members`.
fn needs_met(dir: &Path, members: &[String]) -> bool {
    let Some(manifest) = std::fs::read_to_string(dir.join("Cargo.toml"))
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
    else {
        return false;
    };
    // Dependencies of every kind, and of every `[target.'cfg(..)']` table.
    let targets = manifest
        .get("target")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|t| t.values());
    let tables = std::iter::once(&manifest)
        .chain(targets.filter_map(toml::Value::as_table))
        .flat_map(|t| {
            ["dependencies", "dev-dependencies", "build-dependencies"]
                .into_iter()
                .filter_map(|k| t.get(k)?.as_table())
        });
    tables
        .flat_map(|deps| deps.values())
        .filter_map(|d| d.get("path")?.as_str())
        .filter_map(|p| p.strip_prefix("../../generated/"))
        .all(|p| members.iter().any(|m| m == p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_written_crate_waits_for_every_generated_crate_it_names() {
        let dir = std::env::temp_dir().join(format!("ofb-needs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let members = |m: &[&str]| m.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let cases = [
            ("[dependencies]\na = { path = \"../../generated/kind/a\" }\n", "kind/a"),
            ("[dev-dependencies]\nb = { path = \"../../generated/kind/b\" }\n", "kind/b"),
            (
                "[target.'cfg(unix)'.build-dependencies]\nc = { path = \"../../generated/kind/c\" }\n",
                "kind/c",
            ),
        ];
        for (manifest, needed) in cases {
            std::fs::write(dir.join("Cargo.toml"), manifest).expect("manifest");
            assert!(!needs_met(&dir, &members(&["kind/other"])), "{manifest}");
            assert!(
                needs_met(&dir, &members(&["kind/other", needed])),
                "{manifest}"
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
