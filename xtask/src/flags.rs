//! Every flag and subcommand of `cargo xtask`, declared in one place and nothing else: the
//! commands read their flags from here, and `cli` dispatches to them, so no command imports
//! the dispatcher. Names and flags are the product's interface: keep them stable.

use crate::sources::Sources;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

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
    /// customers, and the payment connector, on the generated crates, over an SQLite file
    /// (created, migrated and seeded on first start) or a PostgreSQL database, until stopped
    /// (Ctrl-C). Generates the crates first.
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
    /// The platform's key set (a JWKS file) against which the payment connector verifies
    /// signed bodies. Without it the institution makes a development key pair and prints where
    /// its private key is: not for production.
    #[arg(long, value_name = "FILE")]
    pub jwks: Option<PathBuf>,
    /// The institution's ISPB (eight digits), in the payment accounts it answers.
    #[arg(long, value_name = "ISPB")]
    pub ispb: Option<String>,
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
    Diff(DiffArgs),
    /// Pin a new document for a catalogued one (--file PATH or --url URL): print the API diff
    /// from the pinned document and the catalog change, then rewrite that entry of
    /// specs/catalog.toml in place, put the document where generation reads it and regenerate
    /// its crate. Nothing is written when a step fails, or with --dry-run.
    Update(UpdateArgs),
}

/// Where the upstream documents are, and how they are downloaded when no directory is named.
#[derive(Debug, Clone, Default, Args)]
pub struct SpecsDirArg {
    /// A local directory laid out as <kind>/<file name> (for example ../shared/specs): read
    /// offline, nothing downloaded. Defaults to $OFB_SPECS_DIR; without either, documents come
    /// from the cache (specs/.cache), and those it lacks are downloaded into it first.
    #[arg(long, value_name = "DIR")]
    pub specs_dir: Option<PathBuf>,
    /// Download through this HTTPS mirror instead of each document's host: a pinned URL
    /// https://HOST/PATH is fetched as MIRROR/HOST/PATH (default: $OFB_SPECS_MIRROR). The
    /// SHA-256 pinned in the catalog is checked all the same.
    #[arg(long, value_name = "URL")]
    pub mirror: Option<String>,
    /// Trust the certificates of this PEM file, instead of the built-in Mozilla roots, when
    /// downloading: a mirror's own CA, or a TLS-inspecting proxy's (default: $OFB_SPECS_CA).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
}

/// The variable naming a download mirror when `--mirror` is not given.
pub const MIRROR_VAR: &str = "OFB_SPECS_MIRROR";
/// The variable naming a PEM file of trusted roots when `--ca-file` is not given.
pub const CA_VAR: &str = "OFB_SPECS_CA";

impl SpecsDirArg {
    /// The directory to use: this flag, else `OFB_SPECS_DIR`, else none.
    pub fn resolve(&self) -> Option<PathBuf> {
        Sources::specs_dir_from(self.specs_dir.clone())
    }

    /// The mirror to download through: this flag, else `OFB_SPECS_MIRROR`, else none.
    pub fn mirror(&self) -> Option<String> {
        self.mirror.clone().or_else(|| var(MIRROR_VAR))
    }

    /// The PEM file of trusted roots: this flag, else `OFB_SPECS_CA`, else none.
    pub fn ca_file(&self) -> Option<PathBuf> {
        self.ca_file
            .clone()
            .or_else(|| var(CA_VAR).map(PathBuf::from))
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
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
    /// Name ofb-runtime by version alone, as published to your registry, instead of by
    /// version and the path of this repository's runtime (for a crate built elsewhere).
    #[arg(long, requires = "spec")]
    pub registry_runtime: bool,
    /// The crate's version instead of the document's info.version: to publish again a crate
    /// whose document is unchanged but whose generator changed its code.
    #[arg(long, value_name = "SEMVER", requires = "spec")]
    pub crate_version: Option<String>,
    /// Fail when a schema keyword that could change which values are valid is neither
    /// enforced nor represented by the generated code (each one is listed with its pointer).
    #[arg(long)]
    pub strict: bool,
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
    /// For a document with signed bodies: verify signed requests against this JWK Set (the
    /// platform's public keys) instead of the mock's own key pair.
    #[arg(long, value_name = "FILE")]
    pub jwks: Option<PathBuf>,
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
    /// Comparing documents, against only parsing them.
    Diff,
    /// A cold build of generated/ with every feature, in a target directory of its own: the
    /// shared dependencies, then each crate alone; seconds and lines per crate and in total.
    Build,
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
    /// `bench platform`: signed payment creation (JWS verification, idempotency and the
    /// reference payment back-end, on PostgreSQL where installed) at 64 and 512 connections,
    /// instead of the data-sharing mix.
    #[arg(long)]
    pub payments: bool,
    /// `bench build`: a git revision (a commit, tag or branch) whose generated crates are built
    /// beside today's in the same run, each crate right after today's (for example the commit
    /// before a change). Its own `xtask generate` makes them, from the same specs directory.
    #[arg(long, value_name = "REV")]
    pub baseline: Option<String>,
    /// Where the catalogued documents are.
    #[command(flatten)]
    pub specs: SpecsDirArg,
}

/// How the report is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// One line per change, then a summary line.
    #[default]
    Text,
    /// One JSON document: the changes and a summary, for CI.
    Json,
}

/// Flags of `specs diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The older document: a file (YAML or JSON), or a catalogued document as KIND/FAMILY (for
    /// example regulated/accounts).
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The newer document, named the same ways as OLD.
    #[arg(value_name = "NEW")]
    pub new: String,
    /// How to print the report: text (a line per change) or json.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit with status 1, after printing the report, when a change breaks clients or servers.
    #[arg(long)]
    pub fail_on_breaking: bool,
    /// Where the catalogued documents are.
    #[command(flatten)]
    pub specs: SpecsDirArg,
}

/// Flags of `specs update`.
#[derive(Debug, Clone, Args)]
pub struct UpdateArgs {
    /// The catalogued document to update, as KIND/FAMILY (for example regulated/accounts), or
    /// KIND/FAMILY@MAJOR where the catalog has several major versions of it.
    #[arg(value_name = "KIND/FAMILY")]
    pub target: String,
    /// The new document, a local file (YAML or JSON). An upstream entry takes its file name
    /// and keeps its url; a document of ours (partner) is copied over its `path`.
    #[arg(
        long,
        value_name = "PATH",
        required_unless_present = "url",
        conflicts_with = "url"
    )]
    pub file: Option<PathBuf>,
    /// The new document's https:// URL, pinned at a commit: downloaded now and recorded as the
    /// entry's url (upstream entries only).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Print the API diff and the catalog change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Where the catalogued documents are (the pinned one is read from there, as `generate`
    /// reads it).
    #[command(flatten)]
    pub specs: SpecsDirArg,
}
