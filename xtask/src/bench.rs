//! `cargo xtask bench NAME`: timings printed side by side with a baseline measured in the same
//! run. Debug builds re-run themselves in release, so figures mean something.

use crate::catalog::Entry;
use crate::flags::{BenchArgs, BenchName};
use crate::Error;
use ofb_codegen::Settings;
use std::time::{Duration, Instant};

/// `phases: load 8.4 ms, model 4.3 ms, ...`: each named phase's time, in order.
fn print_phases(names: &[&str], phases: &[Duration]) {
    let split: Vec<String> = names
        .iter()
        .zip(phases)
        .map(|(n, d)| format!("{n} {:.1} ms", d.as_secs_f64() * 1e3))
        .collect();
    println!("phases: {}", split.join(", "));
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn rerun_in_release() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    let args: Vec<String> = std::env::args().skip(1).collect();
    eprintln!("(debug build: running the benchmark in release)");
    let status = std::process::Command::new(cargo)
        .args(["run", "--release", "--quiet", "--package", "xtask", "--"])
        .args(&args)
        .current_dir(crate::repo_root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the release benchmark failed ({status})"))
    }
}

/// Runs the benchmark `args.name`.
pub fn run(args: &BenchArgs) -> Result<(), Error> {
    match args.name {
        BenchName::Generate => generate(args),
        BenchName::Server => server(args),
        BenchName::Decode => decode(args),
        BenchName::Hostile => hostile(args),
        BenchName::Platform => platform(args),
        BenchName::Diff => diff(args),
        BenchName::Build => crate::bench_build::run(args),
    }
    .map_err(Error::Failed)
}

/// A benchmark program the generator emits for one crate: its files, or `None` when the
/// document has nothing it measures.
type Emit<'a> = dyn Fn(&ofb_codegen::model::Api, &Entry, &str) -> Result<Option<Vec<ofb_codegen::File>>, String>
    + 'a;

/// Writes the benchmark program `emit` gives for one catalogued document's crate (the first
/// that has something to measure, or `--document`) under `target/<name>/`, and runs it in
/// release with `args`. The program is emitted by the generator, so it names the crate's own
/// types.
fn emitted(
    args: &BenchArgs,
    name: &str,
    what: &str,
    emit: &Emit<'_>,
    run: &[String],
) -> Result<(), String> {
    let root = crate::repo_root();
    let (catalog, sources) = crate::fetch::open(&args.specs).map_err(|e| e.to_string())?;
    crate::generate::catalog(&root, &catalog, &sources, crate::generate::Mode::Write)?;
    let candidates: Vec<&Entry> = match &args.document {
        Some(id) => vec![catalog
            .find(id)
            .ok_or_else(|| format!("`{id}` is not a catalogued document (KIND/FAMILY)"))?],
        None => catalog.entries().iter().collect(),
    };
    for entry in candidates {
        let g = crate::generate::entry(&root, &sources, &catalog, entry)?;
        let krate_path = format!("../../../{}", entry.crate_dir().display());
        let Some(files) = emit(&g.output.api, entry, &krate_path)? else {
            if args.document.is_some() {
                return Err(format!("{} has nothing to measure: {what}", entry.id()));
            }
            continue;
        };
        let dir = root.join("target").join(name).join(entry.crate_name());
        for f in &files {
            let path = dir.join(&f.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            std::fs::write(&path, &f.contents).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
        eprintln!("building the benchmark of {} in release...", entry.id());
        let status = std::process::Command::new(cargo)
            .current_dir(&root)
            .args(["run", "--release", "--quiet", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .arg("--")
            .args(run)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        return if status.success() {
            Ok(())
        } else {
            Err(format!("the {name} benchmark failed ({status})"))
        };
    }
    Err(format!(
        "no catalogued document has anything to measure: {what}"
    ))
}

const RUNTIME: &str = "../../../codegen/runtime";

/// `bench server`: one operation through the generated router and through a hand-written
/// handler returning the same typed body.
fn server(args: &BenchArgs) -> Result<(), String> {
    let emit = |api: &ofb_codegen::model::Api, entry: &Entry, krate_path: &str| {
        let service = ofb_codegen::naming::type_name(&entry.family);
        ofb_codegen::emit::bench::files(api, &entry.crate_name(), &service, krate_path, RUNTIME)
    };
    let run = [
        String::from("--runs"),
        args.runs.to_string(),
        String::from("--seconds"),
        args.seconds.to_string(),
    ];
    emitted(
        args,
        "bench-server",
        "no operation answers a JSON body alone without taking one",
        &emit,
        &run,
    )
}

/// `bench decode`: a page of 1,000 items into the generated types and into
/// `serde_json::Value`.
fn decode(args: &BenchArgs) -> Result<(), String> {
    let emit = |api: &ofb_codegen::model::Api, entry: &Entry, krate_path: &str| {
        ofb_codegen::emit::bench::decode_files(api, &entry.crate_name(), krate_path, RUNTIME)
    };
    let run = [String::from("--runs"), (args.runs * 3).to_string()];
    emitted(
        args,
        "bench-decode",
        "no success answer is a page (`data` an array of objects)",
        &emit,
        &run,
    )
}

/// Builds the reference institution and its load generator in release; the load generator's
/// path, where cargo says it put it (whatever CARGO_TARGET_DIR or a config says).
fn load_generator(root: &std::path::Path, args: &BenchArgs) -> Result<std::path::PathBuf, String> {
    let (catalog, sources) = crate::fetch::open(&args.specs).map_err(|e| e.to_string())?;
    crate::generate::catalog(root, &catalog, &sources, crate::generate::Mode::Write)?;
    eprintln!("building the reference institution and the load generator in release...");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    let out = std::process::Command::new(cargo)
        .current_dir(root)
        .args(["build", "--release", "--manifest-path"])
        .arg(crate::institution::MANIFEST)
        .args(["--bins", "--message-format", "json-render-diagnostics"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!("building the institution failed ({})", out.status));
    }
    crate::mock::executable(&String::from_utf8_lossy(&out.stdout), "platform").ok_or_else(|| {
        String::from("cargo built the institution but reported no `platform` executable")
    })
}

/// Runs the load generator with `extra` arguments after the common ones.
fn drive(
    root: &std::path::Path,
    load_generator: &std::path::Path,
    args: &BenchArgs,
    extra: &[&str],
) -> Result<(), String> {
    let db = root.join("target/bench-platform/bench.sqlite3");
    let status = std::process::Command::new(load_generator)
        .current_dir(root)
        .arg("--db")
        .arg(&db)
        .args(["--seconds", &args.seconds.to_string()])
        .args(["--runs", &args.runs.min(3).to_string()])
        .args(extra)
        .status()
        .map_err(|e| format!("cannot run the load generator: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the platform benchmark failed ({status})"))
    }
}

/// Where `bench platform` writes its chart, relative to the repository root.
pub const PLATFORM_CHART: &str = "xtask/figures/platform.svg";

/// `bench platform`: the reference institution under the platform's traffic, generated
/// routers against hand-written handlers; the driver is `codegen/institution`'s `platform`.
/// With `--payments`, signed payment creation on PostgreSQL at 64 and 512 connections.
fn platform(args: &BenchArgs) -> Result<(), String> {
    let root = crate::repo_root();
    let load_generator = load_generator(&root, args)?;
    if args.payments {
        return drive(
            &root,
            &load_generator,
            args,
            &["--payments", "--levels", "64,512", "--customers", "100"],
        );
    }
    let chart = root.join(PLATFORM_CHART);
    if let Some(dir) = chart.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let chart = chart.display().to_string();
    drive(&root, &load_generator, args, &["--svg", &chart])
}

/// `bench hostile`: the worst bodies within the limit against a small valid one; then the
/// platform's honest traffic beside clients that trickle bodies and never read answers.
fn hostile(args: &BenchArgs) -> Result<(), String> {
    let emit = |api: &ofb_codegen::model::Api, entry: &Entry, krate_path: &str| {
        ofb_codegen::emit::bench_hostile::files(api, &entry.crate_name(), krate_path, RUNTIME)
    };
    emitted(
        args,
        "bench-hostile",
        "no operation takes a JSON body",
        &emit,
        &[],
    )?;
    let root = crate::repo_root();
    let load_generator = load_generator(&root, args)?;
    drive(
        &root,
        &load_generator,
        args,
        &["--hostile", "--customers", "100"],
    )
}

/// `bench generate`: parsing every catalogued document against generating from it.
fn generate(args: &BenchArgs) -> Result<(), String> {
    let (catalog, sources) = crate::fetch::open(&args.specs).map_err(|e| e.to_string())?;
    let runs = args.runs;
    if cfg!(debug_assertions) {
        return rerun_in_release();
    }
    // Each document as generation reads it (a JSON Schema document as its OpenAPI form).
    let docs: Vec<(String, Vec<u8>)> = catalog
        .entries()
        .iter()
        .map(|e| {
            crate::sources::read_document(&catalog, &sources, e)
                .map(|(named, _)| (e.id(), named.bytes))
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    let runs = runs.max(1);
    let mut parse = Vec::new();
    let mut generate = Vec::new();
    let mut lines = 0;
    for _ in 0..runs {
        let t = Instant::now();
        for (id, bytes) in &docs {
            ofb_codegen::load::load(id, bytes, &[]).map_err(|d| d.to_string())?;
        }
        parse.push(t.elapsed());
        let t = Instant::now();
        lines = 0;
        for (id, bytes) in &docs {
            let out = ofb_codegen::generate(id, bytes, &[], &Settings::new("bench", "runtime"))
                .map_err(|d| d.to_string())?;
            lines += out.stats.lines;
        }
        generate.push(t.elapsed());
    }
    let (p, g) = (median(parse), median(generate));
    println!(
        "documents: {}  runs: {runs} (median, one thread)",
        docs.len()
    );
    println!("parse only:    {:>9.1} ms", p.as_secs_f64() * 1e3);
    println!(
        "full generate: {:>9.1} ms  ({lines} lines emitted)",
        g.as_secs_f64() * 1e3
    );
    // Where the time goes, phase by phase, on one more run.
    let mut phases = [Duration::ZERO; 4];
    for (id, bytes) in &docs {
        let t = Instant::now();
        let doc = ofb_codegen::load::load(id, bytes, &[]).map_err(|d| d.to_string())?;
        phases[0] += t.elapsed();
        let t = Instant::now();
        let (mut api, _) = ofb_codegen::model::build(&doc).map_err(|d| d.to_string())?;
        phases[1] += t.elapsed();
        let t = Instant::now();
        let mut sink = ofb_codegen::diag::Sink::new(id);
        ofb_codegen::model::example::fill(&mut api, &mut sink);
        phases[2] += t.elapsed();
        let t = Instant::now();
        ofb_codegen::emit::files::crate_files(&api, &Settings::new("bench", "runtime"))?;
        phases[3] += t.elapsed();
    }
    print_phases(&["load", "model", "examples", "emit"], &phases);
    println!("ratio: {:.2}", g.as_secs_f64() / p.as_secs_f64().max(1e-9));
    let catalog_bytes: usize = docs.iter().map(|(_, b)| b.len()).sum();
    hostile_documents(runs, (catalog_bytes, lines), g)
}

/// The hostile fixtures, smallest to largest: bytes, parse and generate time, lines emitted,
/// peak memory added, and time per kilobyte and per line beside the catalog's own, so that a
/// cost growing faster than the document (or than what it asks to emit) shows as a figure
/// growing with size.
fn hostile_documents(
    runs: usize,
    (catalog_bytes, catalog_lines): (usize, usize),
    catalog: Duration,
) -> Result<(), String> {
    let dir = crate::repo_root().join(HOSTILE_FIXTURES);
    let mut docs: Vec<(String, Vec<u8>)> = crate::files::listed(&dir)
        .into_iter()
        .map(|rel| {
            std::fs::read(dir.join(&rel))
                .map(|b| (rel.clone(), b))
                .map_err(|e| format!("{rel}: {e}"))
        })
        .collect::<Result<_, _>>()?;
    docs.sort_by_key(|(_, b)| b.len());
    let per_kb = |d: Duration, bytes: usize| d.as_secs_f64() * 1e3 / (bytes as f64 / 1024.0);
    println!();
    let per_line = |d: Duration, lines: usize| d.as_secs_f64() * 1e6 / lines.max(1) as f64;
    println!(
        "hostile fixtures ({HOSTILE_FIXTURES}), median of {runs}; the catalog generates at \
         {:.3} ms/KiB, {:.2} us/line",
        per_kb(catalog, catalog_bytes),
        per_line(catalog, catalog_lines)
    );
    println!(
        "{:<24} {:>7} {:>9} {:>12} {:>8} {:>8} {:>8} {:>9} {:>9}",
        "document",
        "KiB",
        "parse ms",
        "generate ms",
        "lines",
        "ms/KiB",
        "us/line",
        "peak MiB",
        "MiB/KiB"
    );
    for (name, bytes) in &docs {
        let mut parse = Vec::new();
        let mut generate = Vec::new();
        let mut peak = 0u64;
        let mut lines = 0;
        for _ in 0..runs {
            let t = Instant::now();
            // A parse error is a result like any other here: the time to it is what counts.
            let _ = ofb_codegen::load::load(name, bytes, &[]);
            parse.push(t.elapsed());
            let before = reset_peak_rss();
            let t = Instant::now();
            let out = ofb_codegen::generate(name, bytes, &[], &Settings::new("bench", "runtime"));
            generate.push(t.elapsed());
            lines = out.map_or(0, |o| o.stats.lines);
            peak = peak.max(peak_rss().saturating_sub(before));
        }
        let (p, g) = (median(parse), median(generate));
        let kib = bytes.len() as f64 / 1024.0;
        let mib = peak as f64 / (1024.0 * 1024.0);
        println!(
            "{:<24} {:>7.1} {:>9.1} {:>12.1} {:>8} {:>8.3} {:>8.2} {:>9.1} {:>9.3}",
            name,
            kib,
            p.as_secs_f64() * 1e3,
            g.as_secs_f64() * 1e3,
            lines,
            per_kb(g, bytes.len()),
            per_line(g, lines),
            mib,
            mib / kib.max(1e-9)
        );
    }
    Ok(())
}

/// Where the hostile fixtures are, relative to the repository root.
const HOSTILE_FIXTURES: &str = "specs/fixtures/hostile";

/// Resets the kernel's record of this process's peak resident memory (Linux's
/// `/proc/self/clear_refs`) and returns the resident memory now, the base a peak is taken
/// from; 0 where the kernel offers neither.
fn reset_peak_rss() -> u64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    status_kib("VmRSS:") * 1024
}

/// Peak resident memory since the last reset, in bytes (0 where unknown).
fn peak_rss() -> u64 {
    status_kib("VmHWM:") * 1024
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

/// The pair `bench diff` compares: of the catalogued documents that share a family (another
/// kind or another version of it), the two with the most bytes together; when no family has
/// two documents, the largest one against itself.
pub fn diff_pair(docs: &[(Entry, usize)]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize, usize)> = None;
    for (i, (a, la)) in docs.iter().enumerate() {
        for (j, (b, lb)) in docs.iter().enumerate().skip(i + 1) {
            if a.family == b.family && best.is_none_or(|(_, _, n)| la + lb > n) {
                best = Some((i, j, la + lb));
            }
        }
    }
    if let Some((i, j, _)) = best {
        return Some((i, j));
    }
    let largest = (0..docs.len()).max_by_key(|&i| docs[i].1)?;
    Some((largest, largest))
}

/// `bench diff`: parsing the pair of documents against comparing them (loading and modelling
/// both, then the comparison), as `specs diff` does.
fn diff(args: &BenchArgs) -> Result<(), String> {
    let (catalog, sources) = crate::fetch::open(&args.specs).map_err(|e| e.to_string())?;
    if cfg!(debug_assertions) {
        return rerun_in_release();
    }
    let mut docs = Vec::new();
    for e in catalog.entries() {
        let (named, _) =
            crate::sources::read_document(&catalog, &sources, e).map_err(|e| e.to_string())?;
        let len = named.bytes.len();
        docs.push((e.clone(), len, named));
    }
    let sizes: Vec<(Entry, usize)> = docs.iter().map(|(e, n, _)| (e.clone(), *n)).collect();
    let (i, j) = diff_pair(&sizes).ok_or("the catalog lists no document")?;
    let (old, new) = (&docs[i].2, &docs[j].2);
    let runs = args.runs.max(1);
    let mut parse = Vec::new();
    let mut total = Vec::new();
    let mut phases = [Duration::ZERO; 3];
    let mut changes = 0;
    for _ in 0..runs {
        let t = Instant::now();
        for d in [old, new] {
            ofb_codegen::load::load(&d.label, &d.bytes, &d.overlays).map_err(|e| e.to_string())?;
        }
        parse.push(t.elapsed());
        let t = Instant::now();
        let report = crate::diff::compare(old, new).map_err(|e| e.to_string())?;
        total.push(t.elapsed());
        changes = report.changes.len();
    }
    // Where the time goes, phase by phase, on one more run.
    let mut models = Vec::new();
    for d in [old, new] {
        let t = Instant::now();
        let doc =
            ofb_codegen::load::load(&d.label, &d.bytes, &d.overlays).map_err(|e| e.to_string())?;
        phases[0] += t.elapsed();
        let t = Instant::now();
        let (api, warnings) = ofb_codegen::model::build(&doc).map_err(|e| e.to_string())?;
        phases[1] += t.elapsed();
        models.push(ofb_codegen::Modelled {
            document: doc,
            api,
            warnings,
        });
    }
    let t = Instant::now();
    ofb_codegen::diff::diff_inputs(models[0].input(), models[1].input());
    phases[2] += t.elapsed();
    // The pair may share few operations; a document against itself walks every shape.
    let t = Instant::now();
    for m in &models {
        ofb_codegen::diff::diff_inputs(m.input(), m.input());
    }
    let full_walk = t.elapsed();
    let (p, d) = (median(parse), median(total));
    println!(
        "pair: {} ({} bytes) and {} ({} bytes)  runs: {runs} (median, one thread)",
        docs[i].0.id(),
        docs[i].1,
        docs[j].0.id(),
        docs[j].1
    );
    println!("parse only:    {:>9.1} ms", p.as_secs_f64() * 1e3);
    println!(
        "full diff:     {:>9.1} ms  ({changes} changes found)",
        d.as_secs_f64() * 1e3
    );
    print_phases(&["load", "model", "compare"], &phases);
    println!(
        "compare of each document against itself (every shape walked): {:.1} ms",
        full_walk.as_secs_f64() * 1e3
    );
    println!("ratio: {:.2}", d.as_secs_f64() / p.as_secs_f64().max(1e-9));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Kind;

    fn entry(kind: Kind, family: &str) -> Entry {
        Entry {
            kind,
            family: family.to_owned(),
            version: String::from("1"),
            file: format!("{family}.yml"),
            url: Some(String::from("https://example.invalid/x.yml")),
            path: None,
            sha256: "0".repeat(64),
            overlay: None,
            dir: None,
        }
    }

    #[test]
    fn the_diff_pair_is_the_largest_family_pair_else_the_largest_document() {
        let docs = vec![
            (entry(Kind::Regulated, "a"), 10),
            (entry(Kind::Regulated, "b"), 50),
            (entry(Kind::Integration, "a"), 20),
            (entry(Kind::Integration, "c"), 90),
            (entry(Kind::Integration, "b"), 1),
        ];
        // a: 30, b: 51; c has no pair however large it is.
        assert_eq!(diff_pair(&docs), Some((1, 4)));
        assert_eq!(diff_pair(&docs[2..4]), Some((1, 1)));
        assert_eq!(diff_pair(&[]), None);
    }
}
