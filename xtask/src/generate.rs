//! `cargo xtask generate`: every catalogued document to a crate under `generated/`, or one
//! document anywhere with `--spec FILE --out DIR`; `--check` compares instead of writing.

use crate::catalog::{Catalog, Entry, Kind};
use crate::flags::GenerateArgs;
use crate::frequencies::Frequencies;
use crate::sources::{read_document, sha256_hex, Sources};
use crate::Error;
use ofb_codegen::{Diagnostic, Frequency, Modelled, Output, Runtime, Settings};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// Runs `generate` with its flags: one document with `--spec FILE --out DIR`, else the whole
/// catalog (compared instead of written with `--check`).
pub fn run(args: &GenerateArgs) -> Result<(), Error> {
    let root = crate::repo_root();
    match (&args.spec, &args.out) {
        (Some(spec), Some(out)) => {
            let options = Single {
                name: args.name.clone(),
                registry_runtime: args.registry_runtime,
                version: args.crate_version.clone(),
                strict: args.strict,
            };
            single_with(&root, spec, out, &options)
                .map(drop)
                .map_err(Error::Failed)
        }
        // clap makes --spec and --out require each other; this only guards library callers.
        (Some(_), None) | (None, Some(_)) => Err(Error::Failed(String::from(
            "`generate --spec FILE` and `--out DIR` go together: name both or neither",
        ))),
        (None, None) => {
            let (catalog, sources) = crate::fetch::open(&args.specs)?;
            let mode = if args.check { Mode::Check } else { Mode::Write };
            catalog_with(&root, &catalog, &sources, mode, args.strict).map_err(Error::Failed)
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
    entry_with(root, sources, catalog, entry, &frequencies, &classes, None)
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
        catalog,
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
    Ok(classes_of(
        regulated,
        &model(sources, catalog, regulated)?,
        frequencies,
    ))
}

/// Each operationId of the `regulated` document (modelled as `model`) with its class.
fn classes_of(
    regulated: &Entry,
    model: &Modelled,
    frequencies: &Frequencies,
) -> BTreeMap<String, Frequency> {
    model
        .operation_ids()
        .filter_map(|(id, method, path)| {
            Some((id.to_owned(), frequencies.class(regulated, method, path)?))
        })
        .collect()
}

/// Reads an entry (with its overlay) and models it: the one time a run does so. A JSON Schema
/// document is first made an OpenAPI document ([`read_document`]).
fn model(sources: &Sources, catalog: &Catalog, entry: &Entry) -> Result<Modelled, String> {
    let (named, warnings) = read_document(catalog, sources, entry).map_err(|e| e.to_string())?;
    let mut modelled = ofb_codegen::modelled(&named.label, &named.bytes, &named.overlays)
        .map_err(|d| d.to_string())?;
    modelled.warnings.extend(warnings);
    Ok(modelled)
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

/// The API diff from `old` to `new`, as text, with its heading.
fn changes(old_entry: &Entry, old: &Modelled, new: &Modelled) -> (String, String) {
    let report = ofb_codegen::diff::diff_inputs(old.input(), new.input());
    (
        format!("{} {}", old_entry.id(), old_entry.version),
        ofb_codegen::diff::render::text(&report),
    )
}

/// The file of frequency classes, relative to the repository root.
pub const FREQUENCIES: &str = "specs/frequencies.toml";

/// Generates the crate of one catalog entry (in memory) with these frequency classes (by
/// method and path, and by operationId from its regulated counterpart).
pub fn entry_with(
    root: &Path,
    sources: &Sources,
    catalog: &Catalog,
    entry: &Entry,
    frequencies: &Frequencies,
    classes: &BTreeMap<String, Frequency>,
    previous: Option<&Entry>,
) -> Result<Generated, String> {
    let modelled = model(sources, catalog, entry)?;
    let changes = match previous {
        Some(old) => Some(changes(old, &model(sources, catalog, old)?, &modelled)),
        None => None,
    };
    emit(root, entry, modelled, frequencies, classes, changes)
}

/// Emits the crate of `entry` from its model.
fn emit(
    root: &Path,
    entry: &Entry,
    modelled: Modelled,
    frequencies: &Frequencies,
    classes: &BTreeMap<String, Frequency>,
    changes: Option<(String, String)>,
) -> Result<Generated, String> {
    let settings = Settings::new(entry.crate_name(), "../../../codegen/runtime")
        .with_runtime(Runtime::Workspace)
        .with_source(
            format!("{}/{}", entry.kind, entry.file),
            entry.sha256.clone(),
        )
        .with_overlays(
            entry
                .overlay
                .iter()
                .map(|o| format!("specs/{}", o.display()).replace('\\', "/"))
                .collect(),
        )
        .with_service(&entry.family)
        .with_report_violations(entry.kind == Kind::Integration)
        .with_classes_required(matches!(entry.kind, Kind::Regulated | Kind::Integration));
    let settings = classes
        .iter()
        .fold(settings, |s, (id, class)| s.with_frequency_of(id, *class));
    let mut settings = frequencies.apply(entry, settings);
    if let Some((from, report)) = changes {
        settings = settings.with_changes(from, report);
    }
    let output = ofb_codegen::generate_from(modelled, &settings).map_err(|d| d.to_string())?;
    Ok(Generated {
        dir: root.join(entry.crate_dir()),
        output,
        id: entry.id(),
    })
}

/// `f` over every item, on up to four threads (the machines this runs on have two cores),
/// results in the items' order.
fn parallel<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    let per = items.len().div_ceil(threads).max(1);
    let mut chunks: Vec<Vec<T>> = Vec::new();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        chunks.push(items.by_ref().take(per).collect());
    }
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| s.spawn(move || chunk.into_iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Generates every entry. Each document is read and modelled once; that model gives the
/// frequency classes of its integration counterpart, the changes to its next major version,
/// and its own crate.
pub fn all(root: &Path, catalog: &Catalog, sources: &Sources) -> Vec<Result<Generated, String>> {
    let entries = catalog.entries();
    let frequencies = match Frequencies::load(&root.join(FREQUENCIES), Some(catalog)) {
        Ok(f) => f,
        Err(e) => return entries.iter().map(|_| Err(e.clone())).collect(),
    };
    let models = parallel(entries.iter().collect(), |e| model(sources, catalog, e));
    let index = |e: &Entry| entries.iter().position(|x| std::ptr::eq(x, e));
    let failed = |e: &Entry, why: &str| format!("{}: {why}", e.id());
    let mut work = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let classes = match counterpart(catalog, e).and_then(|r| Some((r, index(r)?))) {
            None => Ok(BTreeMap::new()),
            Some((r, j)) => match &models[j] {
                Ok(m) => Ok(classes_of(r, m, &frequencies)),
                Err(_) => Err(failed(e, "its regulated counterpart failed (above)")),
            },
        };
        let changes = match previous(catalog, e).and_then(|o| Some((o, index(o)?))) {
            None => Ok(None),
            Some((o, j)) => match (&models[j], &models[i]) {
                (Ok(old), Ok(new)) => Ok(Some(changes(o, old, new))),
                _ => Err(failed(e, "its previous major version failed (above)")),
            },
        };
        work.push((e, classes, changes));
    }
    let jobs: Vec<_> = work.into_iter().zip(models).collect();
    let frequencies = &frequencies;
    parallel(jobs, |((e, classes, changes), modelled)| {
        emit(root, e, modelled?, frequencies, &classes?, changes?)
    })
}

/// Whether a run writes its files or only compares them with what is on disk (`--check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write what differs.
    Write,
    /// Write nothing; report what differs.
    Check,
}

/// Makes the file at `path` hold `contents` (write mode), or says how it does not (check
/// mode): the one place that does either, as rust-analyzer's `ensure_file_contents` does.
/// A file that already holds `contents` is left untouched, a symlink never written through.
/// `name` labels the problem (`stale NAME` and its diff, or `missing NAME`).
pub fn ensure_file(
    path: &Path,
    contents: &str,
    mode: Mode,
    name: &str,
) -> Result<Option<String>, String> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(format!(
            "{}: is a symlink; refusing to write through it",
            path.display()
        ));
    }
    let old = std::fs::read_to_string(path).ok();
    if old.as_deref() == Some(contents) {
        return Ok(None);
    }
    match (mode, old) {
        (Mode::Write, _) => crate::files::write_atomically(path, contents.as_bytes())
            .map(|()| None)
            .map_err(|e| format!("{}: {e}", path.display())),
        (Mode::Check, None) => Ok(Some(format!("missing {name}"))),
        (Mode::Check, Some(old)) => {
            let diff = similar::TextDiff::from_lines(old.as_str(), contents);
            let text = diff
                .unified_diff()
                .context_radius(2)
                .header("on disk", "generated")
                .to_string();
            let short: Vec<&str> = text.lines().take(40).collect();
            Ok(Some(format!("stale {name}\n{}", short.join("\n"))))
        }
    }
}

/// Makes a crate's directory hold exactly its files (write mode), or lists how it does not
/// (check mode). Files it generated before and no longer has are removed; a file without
/// the generated mark is never removed, a symlink never followed: whatever else sits in the
/// directory (a lock file, `target/`, notes) is left alone.
pub fn ensure(g: &Generated, mode: Mode) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    let keep: BTreeSet<String> = g.output.files.iter().map(|f| f.path.clone()).collect();
    for stale in crate::files::generated(&g.dir).difference(&keep) {
        let p = g.dir.join(stale);
        match mode {
            Mode::Check => problems.push(format!("{}: not generated any more: {stale}", g.id)),
            Mode::Write => std::fs::remove_file(&p).map_err(|e| format!("{}: {e}", p.display()))?,
        }
    }
    for f in &g.output.files {
        let problem = ensure_file(&g.dir.join(&f.path), &f.contents, mode, &f.path)?;
        problems.extend(problem.map(|p| format!("{}: {p}", g.id)));
    }
    Ok(problems)
}

/// Writes a crate (see [`ensure`]).
pub fn write(g: &Generated) -> Result<(), String> {
    ensure(g, Mode::Write).map(drop)
}

/// How a crate differs from what is on disk: a line per stale file and a unified diff of each.
pub fn compare(g: &Generated) -> Vec<String> {
    ensure(g, Mode::Check).unwrap_or_else(|e| vec![e])
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

/// Directories under `generated/<kind>/` that no catalog entry produces.
fn orphan_dirs(root: &Path, catalog: &Catalog) -> Vec<PathBuf> {
    let mut wanted: BTreeSet<PathBuf> = catalog
        .entries()
        .iter()
        .map(|e| root.join(e.crate_dir()))
        .collect();
    let owned = crate::oracle::owned_dirs(root);
    wanted.extend(owned.iter().cloned());
    let mut out = Vec::new();
    for kind in std::fs::read_dir(root.join("generated"))
        .into_iter()
        .flatten()
        .flatten()
    {
        if !kind.path().is_dir() || owned.contains(&kind.path()) {
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

/// The whole catalog: generate, then write (or compare, in check mode). Prints progress,
/// every warning once, and a summary table.
pub fn catalog(
    root: &Path,
    catalog: &Catalog,
    sources: &Sources,
    mode: Mode,
) -> Result<(), String> {
    catalog_with(root, catalog, sources, mode, false)
}

/// [`catalog`], failing with `strict` on any keyword the generated code does not enforce.
pub fn catalog_with(
    root: &Path,
    catalog: &Catalog,
    sources: &Sources,
    mode: Mode,
    strict: bool,
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
        match ensure(g, mode) {
            Ok(problems) => stale.extend(problems),
            Err(e) => failures.push(e),
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
    // The schema oracle's crate over them all, and the fixture crates it tests too.
    match crate::oracle::ensure_all(root, &generated, mode) {
        Ok(problems) => stale.extend(problems),
        Err(e) => failures.push(e),
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
    // The schema oracle's crate, over every generated crate and the feature fixtures.
    let members: Vec<String> = members
        .into_iter()
        .chain([String::from("oracle")])
        .collect();
    let manifest =
        ofb_codegen::emit::files::workspace_manifest(&members, &extra, "../codegen/runtime")?;
    let manifest_path = root.join("generated/Cargo.toml");
    stale.extend(ensure_file(
        &manifest_path,
        &manifest,
        mode,
        "generated/Cargo.toml",
    )?);
    if mode == Mode::Write {
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
        if mode == Mode::Check {
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
    if strict {
        failures.extend(
            generated
                .iter()
                .filter_map(|g| unenforced(&g.id, &g.output)),
        );
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

/// `--strict`'s refusal of a document with keywords its crate does not enforce, one line each.
fn unenforced(id: &str, output: &Output) -> Option<String> {
    let list = &output.api.unenforced;
    (!list.is_empty()).then(|| {
        let lines: Vec<String> = list
            .iter()
            .map(|u| format!("  {id}{}: `{}`: {}", u.pointer, u.keyword, u.reason))
            .collect();
        format!(
            "--strict: {id} has {} keyword(s) the generated code does not enforce:\n{}",
            list.len(),
            lines.join("\n")
        )
    })
}

/// One document anywhere: `--spec FILE --out DIR`. The crate builds in place.
pub fn single(root: &Path, spec: &Path, out: &Path, name: Option<&str>) -> Result<String, String> {
    let options = Single {
        name: name.map(str::to_owned),
        ..Single::default()
    };
    single_with(root, spec, out, &options)
}

/// The choices of `generate --spec FILE --out DIR`.
#[derive(Debug, Clone, Default)]
pub struct Single {
    /// The package name (default: `ofb-<file stem>`).
    pub name: Option<String>,
    /// Name the runtime by version alone (for a crate built against the runtime published in
    /// a registry, away from this repository).
    pub registry_runtime: bool,
    /// The crate's version instead of the document's.
    pub version: Option<String>,
    /// Refuse the document when a keyword is neither enforced nor represented.
    pub strict: bool,
}

/// [`single`] with every choice.
pub fn single_with(
    root: &Path,
    spec: &Path,
    out: &Path,
    options: &Single,
) -> Result<String, String> {
    let (name, registry_runtime) = (options.name.as_deref(), options.registry_runtime);
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
    let runtime = match (member, registry_runtime) {
        (true, _) => Runtime::Workspace,
        (false, true) => Runtime::Registry,
        (false, false) => Runtime::Path(runtime.to_string_lossy().replace('\\', "/")),
    };
    let settings = Settings::new(&crate_name, "")
        .with_runtime(runtime)
        .with_standalone(!member)
        .with_source(file.clone(), sha256_hex(&bytes))
        .with_command("cargo xtask generate --spec");
    let settings = match &options.version {
        Some(v) => settings.with_version(v),
        None => settings,
    };
    let output = ofb_codegen::generate(&file, &bytes, &[], &settings).map_err(|d| d.to_string())?;
    for w in output.warnings.sorted() {
        eprintln!("{w}");
    }
    if options.strict {
        if let Some(refusal) = unenforced(&file, &output) {
            return Err(refusal);
        }
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
