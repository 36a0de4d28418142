//! Flags and subcommands of `cargo xtask`, and the dispatch to the module of each command.
//! Names and flags are the product's interface: keep them stable.

use crate::catalog::Catalog;
use crate::sources::Sources;
use crate::Error;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Typed Rust for Open Finance Brasil: fetch the pinned documents, generate crates, test.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage the input documents pinned in specs/catalog.toml.
    Specs {
        /// What to do with them.
        #[command(subcommand)]
        command: SpecsCommand,
    },
    /// Generate one crate per catalogued document under generated/<kind>/<family>-v<major>/, or one
    /// crate from any OpenAPI 3.0 document with --spec FILE --out DIR.
    Generate(GenerateArgs),
    /// Generate, then run every check: formatting, clippy -D warnings over the whole workspace
    /// (generated crates included) and every test.
    Test(SpecsDirArg),
    /// Serve one catalogued document (or --spec FILE) through its generated router, with a
    /// back-end that answers every operation with its example; prints the address and runs
    /// until stopped (Ctrl-C).
    Mock(MockArgs),
    /// Walk the partner API's data-sharing quickstart end to end (token, participants, consent,
    /// its status, accounts, transactions page by page) with the generated clients and the
    /// partner session layer, against a local partner: the generated partner and regulated
    /// routers with their example back-ends on 127.0.0.1. Generates the crates first.
    Quickstart(SpecsDirArg),
    /// Print timings of one benchmark side by side with a baseline measured in the same run.
    Bench(BenchArgs),
    /// Serve the reference institution: the integration layer of accounts, credit cards and
    /// customers on the generated crates, over an SQLite file (created, migrated and seeded on
    /// first start) or a PostgreSQL database, until stopped (Ctrl-C). Generates the crates first.
    Institution(InstitutionArgs),
}

/// Flags of `institution`.
#[derive(Debug, Clone, Args)]
pub struct InstitutionArgs {
    /// The database: an SQLite file path, or postgres://user@host:port/db; replicas given the
    /// same PostgreSQL URL share its data (default: target/institution/institution.sqlite3).
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// Address to listen on (port 0 picks a free port and prints it).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Where a family is served, as FAMILY=/path (accounts, credit-cards, customers; by default
    /// /accounts, /credit-cards, /customers). Repeat for each family to move.
    #[arg(long, value_name = "FAMILY=/PATH")]
    pub prefix: Vec<String>,
    /// Customers seeded into an empty database.
    #[arg(long, default_value_t = 1000)]
    pub customers: u64,
    /// Accounts (and credit card accounts) per customer.
    #[arg(long, default_value_t = 2)]
    pub accounts: u64,
    /// Transactions per account and card.
    #[arg(long, default_value_t = 100)]
    pub transactions: u64,
    /// Where the catalogued documents are.
    #[command(flatten)]
    pub specs: SpecsDirArg,
}

/// Subcommands of `specs`.
#[derive(Debug, Subcommand)]
pub enum SpecsCommand {
    /// Put every catalogued document in the cache (specs/.cache/<kind>/<file>): nothing to do
    /// for those already there; else a copy from the specs directory when one is named, else an
    /// HTTPS download. Every SHA-256 is verified and nothing else is written.
    Fetch(SpecsDirArg),
    /// Compare two OpenAPI 3.0 documents by their models and report every change, with its
    /// JSON pointers and whether it breaks clients or servers.
    Diff(crate::diff::DiffArgs),
    /// Pin a new document for a catalogued one (--file PATH or --url URL): print the API diff
    /// from the pinned document and the catalog change, then rewrite that entry of
    /// specs/catalog.toml in place, put the document where generation reads it and regenerate
    /// its crate. Nothing is written when a step fails, or with --dry-run.
    Update(crate::update::UpdateArgs),
}

/// Where the upstream documents are.
#[derive(Debug, Clone, Default, Args)]
pub struct SpecsDirArg {
    /// A local directory laid out as <kind>/<file name> (for example ../shared/specs). Defaults
    /// to $OFB_SPECS_DIR; without either, documents come from the cache filled by `specs fetch`.
    #[arg(long, value_name = "DIR")]
    pub specs_dir: Option<PathBuf>,
}

impl SpecsDirArg {
    /// The directory to use: this flag, else `OFB_SPECS_DIR`, else none.
    pub fn resolve(&self) -> Option<PathBuf> {
        Sources::specs_dir_from(self.specs_dir.clone())
    }
}

/// Flags of `generate`.
#[derive(Debug, Clone, Default, Args)]
pub struct GenerateArgs {
    /// Where the catalogued documents are.
    #[command(flatten)]
    pub specs: SpecsDirArg,
    /// Compare with generated/ instead of writing; fail with a diff when it is stale.
    #[arg(long, conflicts_with_all = ["spec", "out"])]
    pub check: bool,
    /// Generate from this OpenAPI 3.0 document (YAML or JSON) instead of the catalog.
    #[arg(long, value_name = "FILE", requires = "out")]
    pub spec: Option<PathBuf>,
    /// Where to write the crate generated from --spec (it builds in place).
    #[arg(long, value_name = "DIR", requires = "spec")]
    pub out: Option<PathBuf>,
    /// Package name of the crate generated from --spec (default: ofb-<file stem>).
    #[arg(long, value_name = "NAME", requires = "spec")]
    pub name: Option<String>,
}

/// Flags of `mock`.
#[derive(Debug, Clone, Args)]
pub struct MockArgs {
    /// The catalogued document to serve, as KIND/FAMILY (for example regulated/accounts; the
    /// newest major version) or KIND/FAMILY@MAJOR.
    #[arg(value_name = "KIND/FAMILY", required_unless_present = "spec")]
    pub target: Option<String>,
    /// Address to listen on (port 0 picks a free port and prints it).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub addr: String,
    /// Serve this OpenAPI document instead of a catalogued one.
    #[arg(long, value_name = "FILE", conflicts_with = "target")]
    pub spec: Option<PathBuf>,
    /// Where the catalogued documents are.
    #[command(flatten)]
    pub specs: SpecsDirArg,
}

/// The benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchName {
    /// Generating every catalogued document, against only parsing them.
    Generate,
    /// One operation through the generated router against a hand-written axum handler
    /// returning the same typed body, both under the same load on 127.0.0.1.
    Server,
    /// A page of 1,000 items decoded into the generated types against `serde_json::Value`.
    Decode,
    /// The platform's traffic (find, accounts, balances, transaction pages) against the
    /// reference institution at 64, 512 and 4,096 connections, through the generated routers
    /// and through hand-written axum handlers on the same database: throughput, latency per
    /// frequency class against its budget, errors, 504s, peak RSS, and a chart.
    Platform,
    /// The worst request bodies within the body limit (an enum array of wrong values, the
    /// longest string, nested arrays) through a generated router: time and peak memory of
    /// each against a small valid body (default document: the first taking a JSON body; pick
    /// one with --document, an integration family for the platform's own calls).
    Hostile,
    /// Comparing documents (issue 6).
    Diff,
}

/// Flags of `bench`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Which benchmark to run.
    #[arg(value_enum, value_name = "NAME")]
    pub name: BenchName,
    /// Repetitions of each measurement (the median is printed).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// `bench server`: the catalogued document to serve, as KIND/FAMILY (default: the first
    /// one with an operation that fits: a GET-like call answering a JSON body alone).
    #[arg(long, value_name = "KIND/FAMILY")]
    pub document: Option<String>,
    /// `bench server`: seconds of load per stack and run; `bench platform`: per stack and level.
    #[arg(long, default_value_t = 3)]
    pub seconds: u64,
    /// Where the catalogued documents are.
    #[command(flatten)]
    pub specs: SpecsDirArg,
}

/// The catalog of this repository and a reader for its documents.
pub fn load(specs: &SpecsDirArg) -> Result<(Catalog, Sources), Error> {
    let root = crate::repo_root();
    let catalog = Catalog::load(&root.join("specs/catalog.toml"))?;
    let sources = Sources::new(root, specs.resolve());
    Ok((catalog, sources))
}

/// Runs a parsed command line.
pub fn run(cli: &Cli) -> Result<(), Error> {
    match &cli.command {
        Command::Specs {
            command: SpecsCommand::Fetch(specs),
        } => {
            let (catalog, sources) = load(specs)?;
            crate::fetch::run(&catalog, &sources, &crate::fetch::Https::default())?;
            Ok(())
        }
        Command::Specs {
            command: SpecsCommand::Diff(args),
        } => crate::diff::run(args),
        Command::Specs {
            command: SpecsCommand::Update(args),
        } => crate::update::run(args),
        Command::Generate(args) => crate::generate::run(args),
        Command::Test(specs) => {
            let (catalog, sources) = load(specs)?;
            crate::test::run(&crate::repo_root(), &catalog, &sources, specs.resolve())
                .map_err(Error::Failed)
        }
        Command::Mock(args) => crate::mock::run(args),
        Command::Quickstart(specs) => {
            let (catalog, sources) = load(specs)?;
            crate::quickstart::run(&crate::repo_root(), &catalog, &sources)
        }
        Command::Bench(args) => crate::bench::run(args),
        Command::Institution(args) => crate::institution::run(args),
    }
}

/// Parses the command line and runs the command; errors go to stderr with exit status 1.
pub fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, String> {
        Cli::try_parse_from(std::iter::once("cargo xtask").chain(args.iter().copied()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// Every command and flag has help text: `--help` is the interface's documentation.
    #[test]
    fn every_command_and_flag_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                let path = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_name() != "help" {
                    missing.push(path.clone());
                }
                walk(sub, &path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "cargo xtask", &mut missing);
        assert!(missing.is_empty(), "without help: {missing:?}");
    }

    #[test]
    fn the_fixed_interface_parses() {
        let ok = [
            &["specs", "fetch"][..],
            &["specs", "fetch", "--specs-dir", "d"],
            &["specs", "diff", "old.yaml", "regulated/accounts"],
            &["specs", "diff", "a", "b", "--fail-on-breaking"],
            &["specs", "diff", "a", "b", "--format", "json"],
            &["specs", "diff", "a", "b", "--format", "text"],
            &["specs", "diff", "a", "b", "--specs-dir", "d"],
            &["specs", "update", "regulated/accounts", "--file", "new.yml"],
            &[
                "specs",
                "update",
                "regulated/accounts@2",
                "--file",
                "n.yml",
                "--dry-run",
            ],
            &[
                "specs",
                "update",
                "regulated/accounts",
                "--url",
                "https://x/a.yml",
            ],
            &[
                "specs",
                "update",
                "partner/x",
                "--file",
                "n.yml",
                "--specs-dir",
                "d",
            ],
            &["generate"],
            &["generate", "--specs-dir", "d", "--check"],
            &["generate", "--spec", "f.yaml", "--out", "o"],
            &["mock", "regulated/accounts", "--addr", "127.0.0.1:8080"],
            &["mock", "--spec", "f.yaml"],
            &["quickstart"],
            &["quickstart", "--specs-dir", "d"],
            &["bench", "generate"],
            &["bench", "diff"],
            &["bench", "hostile", "--document", "integration/accounts"],
            &["institution"],
            &[
                "institution",
                "--db",
                "postgres://u@127.0.0.1:5432/db",
                "--addr",
                "127.0.0.1:0",
                "--prefix",
                "accounts=/open-banking/accounts/v2",
                "--customers",
                "10",
            ],
            &["test", "--specs-dir", "d"],
        ];
        for args in ok {
            assert!(parse(args).is_ok(), "{args:?}: {:?}", parse(args).err());
        }
        let bad = [
            &["generate", "--spec", "f.yaml"][..],
            &["generate", "--check", "--spec", "f", "--out", "o"],
            &["mock"],
            &["bench", "nothing"],
            &["specs", "diff", "only-one"],
            &["specs", "diff", "a", "b", "--format", "xml"],
            &["specs", "update", "regulated/accounts"],
            &["specs", "update", "--file", "new.yml"],
            &[
                "specs",
                "update",
                "regulated/accounts",
                "--file",
                "n",
                "--url",
                "u",
            ],
        ];
        for args in bad {
            assert!(parse(args).is_err(), "{args:?} must be refused");
        }
    }

    #[test]
    fn unknown_documents_are_named_with_the_catalogued_ones() {
        let run_args = |args: &[&str]| parse(args).map(|cli| run(&cli).map_err(|e| e.to_string()));
        let unknown = run_args(&["mock", "regulated/nothing"]);
        assert!(
            matches!(&unknown, Ok(Err(e)) if e.starts_with("`regulated/nothing` is not a catalogued document")
                && e.contains("regulated/accounts")),
            "{unknown:?}"
        );
    }
}
