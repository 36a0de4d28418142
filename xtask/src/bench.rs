//! `cargo xtask bench NAME`: timings printed side by side with a baseline measured in the same
//! run. Debug builds re-run themselves in release, so figures mean something.

use crate::cli::{BenchArgs, BenchName};
use crate::Error;
use clap::ValueEnum;
use ofb_codegen::Settings;
use std::time::{Duration, Instant};

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

/// Runs the benchmark `args.name`; those measuring later issues' code say which issue.
pub fn run(args: &BenchArgs) -> Result<(), Error> {
    let (what, issue) = match args.name {
        BenchName::Generate => return generate(args).map_err(Error::Failed),
        BenchName::Server => ("measures the generated servers", 4),
        BenchName::Decode => ("measures decoding and validating bodies", 5),
        BenchName::Diff => ("measures comparing documents", 6),
    };
    let name = args
        .name
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    Err(Error::NotYet {
        command: format!("bench {name}"),
        what,
        issue,
    })
}

/// `bench generate`: parsing every catalogued document against generating from it.
fn generate(args: &BenchArgs) -> Result<(), String> {
    let (catalog, sources) = crate::cli::load(&args.specs).map_err(|e| e.to_string())?;
    let runs = args.runs;
    if cfg!(debug_assertions) {
        return rerun_in_release();
    }
    let docs: Vec<(String, Vec<u8>)> = catalog
        .entries()
        .iter()
        .map(|e| {
            sources
                .read(e)
                .map(|b| (e.id(), b))
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
    let names = ["load", "model", "examples", "emit"];
    let split: Vec<String> = names
        .iter()
        .zip(phases)
        .map(|(n, d)| format!("{n} {:.1} ms", d.as_secs_f64() * 1e3))
        .collect();
    println!("phases: {}", split.join(", "));
    println!("ratio: {:.2}", g.as_secs_f64() / p.as_secs_f64().max(1e-9));
    Ok(())
}
