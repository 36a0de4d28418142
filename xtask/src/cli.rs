//! Flags and subcommands. Names and flags are the product's interface: keep them stable.

use crate::catalog::Catalog;
use crate::sources::Sources;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Typed Rust for Open Finance Brasil: fetch the pinned documents, generate crates, test.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Manage the input documents pinned in specs/catalog.toml.
    Specs {
        #[command(subcommand)]
        command: SpecsCommand,
    },
    /// Generate one crate per catalogued document under generated/<kind>/<family>/, or one
    /// crate from any OpenAPI 3.0 document with --spec FILE --out DIR.
    Generate(GenerateArgs),
    /// Generate, then run every check: formatting, clippy -D warnings over the whole workspace
    /// (generated crates included) and every test.
    Test(SpecsDirArg),
    /// Serve one catalogued document with example answers (waits for issue 4).
    Mock(MockArgs),
    /// Walk the partner API quickstart against local servers (waits for issue 5).
    Quickstart,
    /// Print timings side by side with a baseline: `generate` (generation against parsing).
    Bench(BenchArgs),
}

#[derive(Debug, Subcommand)]
enum SpecsCommand {
    /// Put every catalogued document in the cache (specs/.cache/), from a local specs directory
    /// or by HTTPS download, verifying each SHA-256.
    Fetch(SpecsDirArg),
}

/// Where the upstream documents are.
#[derive(Debug, Args)]
pub struct SpecsDirArg {
    /// A local directory laid out as <kind>/<file name> (for example ../shared/specs). Defaults
    /// to $OFB_SPECS_DIR; without either, documents come from the cache filled by `specs fetch`.
    #[arg(long, value_name = "DIR")]
    pub specs_dir: Option<PathBuf>,
}

/// Flags of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    specs: SpecsDirArg,
    /// Compare with generated/ instead of writing; fail with a diff when it is stale.
    #[arg(long, conflicts_with_all = ["spec", "out"])]
    check: bool,
    /// Generate from this OpenAPI 3.0 document (YAML or JSON) instead of the catalog.
    #[arg(long, value_name = "FILE", requires = "out")]
    spec: Option<PathBuf>,
    /// Where to write the crate generated from --spec (it builds in place).
    #[arg(long, value_name = "DIR", requires = "spec")]
    out: Option<PathBuf>,
    /// Package name of the crate generated from --spec (default: ofb-<file stem>).
    #[arg(long, value_name = "NAME", requires = "spec")]
    name: Option<String>,
}

/// Flags of `mock`.
#[derive(Debug, Args)]
pub struct MockArgs {
    /// The document to serve, as <kind>/<family> (for example regulated/accounts).
    target: Option<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: String,
    /// Serve this OpenAPI document instead of a catalogued one.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
}

/// Flags of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Which benchmark: generate (issue 3); server, decode and diff come with issues 4 to 6.
    name: String,
    /// Repetitions of each measurement (the median is printed).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    #[command(flatten)]
    specs: SpecsDirArg,
}

fn load(specs_dir: Option<PathBuf>) -> Result<(Catalog, Sources), String> {
    let root = crate::repo_root();
    let catalog = Catalog::load(&root.join("specs/catalog.toml")).map_err(|e| e.to_string())?;
    let sources = Sources::new(root, Sources::specs_dir_from(specs_dir));
    Ok((catalog, sources))
}

fn run(cli: Cli) -> Result<(), String> {
    let root = crate::repo_root();
    match cli.command {
        Command::Specs {
            command: SpecsCommand::Fetch(a),
        } => {
            let (catalog, sources) = load(a.specs_dir)?;
            crate::fetch::run(&catalog, &sources, &crate::fetch::Https::default())
        }
        Command::Generate(a) => match (&a.spec, &a.out) {
            (Some(spec), Some(out)) => crate::generate::single(&root, spec, out, a.name.as_deref()),
            _ => {
                let (catalog, sources) = load(a.specs.specs_dir)?;
                crate::generate::catalog(&root, &catalog, &sources, a.check)
            }
        },
        Command::Test(a) => {
            let specs_dir = Sources::specs_dir_from(a.specs_dir);
            let (catalog, sources) = load(specs_dir.clone())?;
            crate::test::run(&root, &catalog, &sources, specs_dir)
        }
        Command::Mock(_) => Err(String::from(
            "`cargo xtask mock` serves generated routers, which come with the server stubs (issue 4); not available yet",
        )),
        Command::Quickstart => Err(String::from(
            "`cargo xtask quickstart` needs the partner API and the typed clients (issue 5); not available yet",
        )),
        Command::Bench(a) => {
            let (catalog, sources) = load(Sources::specs_dir_from(a.specs.specs_dir))?;
            crate::bench::run(&a.name, a.runs, &catalog, &sources)
        }
    }
}

/// Parses the command line and runs the command; errors go to stderr with exit status 1.
pub fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
