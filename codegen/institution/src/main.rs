//! `ofb-institution`: the reference institution as a server. Opens (creating, migrating and, on
//! first start, seeding) its database, serves the three families and the payment connector
//! under their prefixes, a readiness route and Prometheus metrics, until Ctrl-C or SIGTERM.

use ofb_institution::payments::{rules::Limits, Connector};
use ofb_institution::replicas::SharedStores;
use ofb_institution::seed::Seed;
use ofb_institution::store::Store;
use ofb_institution::{app, baseline, with_payments, Institution, Prefixes};
use ofb_runtime::jws::{MemoryReplayStore, ReplayStore};
use ofb_runtime::server::{
    health, serve_with, shutdown_signal, Config, MetricsLayer, Readiness, ServeConfig, Validation,
};
use ofb_runtime::server::{IdempotencyStore, MemoryIdempotencyStore};
use ofb_runtime::testing::keys::server_keys;
use std::process::ExitCode;
use std::sync::Arc;

const USAGE: &str =
    "usage: ofb-institution [--db URL] [--addr HOST:PORT] [--prefix FAMILY=/path]...
       [--customers N] [--accounts N] [--transactions N] [--pool N] [--baseline]

  --db URL          an SQLite file (default institution.sqlite3, created and migrated on start)
                    or postgres://user@host:port/db (the password from the file
                    OFB_DB_PASSWORD_FILE names, or PGPASSWORD: not in the URL, where
                    `ps` shows it)
  --addr ADDR       where to listen (default 127.0.0.1:8080; port 0 picks a free one)
  --prefix F=/P     where family F (accounts, credit-cards, customers, payments) is served
                    (defaults /accounts, /credit-cards, /customers, /payments)
  --jwks FILE       the platform's key set (JWKS), against which the payment connector
                    verifies signed bodies; without it the institution makes a development
                    key pair and prints where its private key is (never in production)
  --ispb N          the institution's ISPB in its payment accounts (default 00000000)
  --customers N     customers seeded into an empty database (default 1000)
  --accounts N      accounts and credit card accounts per customer (default 2)
  --transactions N  transactions per account and card (default 100)
  --pool N          database connections (default 8)
  --baseline        serve the hand-written axum handlers of the bench instead of the
                    generated routers (accounts: find, accounts, balances, transactions;
                    with --jwks, payments: payment creation)
  --seed-only       create, migrate and seed the database, then exit
  --validation M    enforce, report (the integration documents' default) or off";

struct Args {
    db: String,
    addr: String,
    prefixes: Prefixes,
    seed: Seed,
    pool: usize,
    baseline: bool,
    seed_only: bool,
    validation: Option<Validation>,
    jwks: Option<String>,
    ispb: String,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        db: String::from("institution.sqlite3"),
        addr: String::from("127.0.0.1:8080"),
        prefixes: Prefixes::default(),
        seed: Seed::default(),
        pool: 8,
        baseline: false,
        seed_only: false,
        validation: None,
        jwks: None,
        ispb: String::from("00000000"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--baseline" || flag == "--seed-only" {
            a.baseline |= flag == "--baseline";
            a.seed_only |= flag == "--seed-only";
            continue;
        }
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|e| format!("{flag} {value}: {e}"))
        };
        match flag.as_str() {
            "--db" => a.db = value.clone(),
            "--addr" => a.addr = value.clone(),
            "--prefix" => a.prefixes.set(&value)?,
            "--jwks" => a.jwks = Some(value.clone()),
            "--ispb" => {
                if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("--ispb {value}: eight digits"));
                }
                a.ispb = value.clone()
            }
            "--customers" => a.seed.customers = number()?,
            "--accounts" => a.seed.accounts = number()?,
            "--transactions" => a.seed.transactions = number()?,
            "--pool" => a.pool = number()? as usize,
            "--validation" => {
                a.validation = Some(match value.as_str() {
                    "enforce" => Validation::Enforce,
                    "report" => Validation::Report,
                    "off" => Validation::Off,
                    other => return Err(format!("--validation {other}: enforce, report or off")),
                })
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let store = Store::open(&args.db, args.pool)
        .await
        .map_err(|e| format!("{}: {e}", ofb_institution::store::redacted(&args.db)))?;
    let started = std::time::Instant::now();
    let customers = ofb_institution::seed::seed(&store, &args.seed)
        .await
        .map_err(|e| format!("seeding: {e}"))?;
    eprintln!(
        "{customers} customers in the database ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    if args.seed_only {
        return Ok(());
    }
    let readiness = Readiness::new();
    let metrics = health::install_prometheus()?;
    // Kept until the server stops: without --jwks, its directory holds the development key.
    let mut _keys = None;
    let app = if args.baseline {
        let data = baseline::router(store.clone(), &args.prefixes.accounts);
        match &args.jwks {
            // The payments baseline verifies against the platform's key set: no development key.
            Some(path) => {
                let jwks = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
                let (replay, idempotency): (Arc<dyn ReplayStore>, Arc<dyn IdempotencyStore>) =
                    match &store {
                        Store::Postgres(pool) => {
                            let shared = Arc::new(SharedStores::open(pool.clone()).await?);
                            (shared.clone(), shared)
                        }
                        Store::Sqlite(_) => (
                            Arc::new(MemoryReplayStore::new(1_000_000)),
                            Arc::new(MemoryIdempotencyStore::default()),
                        ),
                    };
                let connector = Connector::new(store.clone(), &args.ispb, Limits::default());
                let payments = baseline::payments::router(connector, &jwks, replay, idempotency)?;
                data.nest(&args.prefixes.payments, payments)
            }
            None => data,
        }
    } else {
        let config = match args.validation {
            Some(mode) => Config::default().with_validation(mode),
            None => Config::default(),
        };
        let keys = server_keys("the institution", args.jwks.as_deref(), false)?;
        if args.jwks.is_none() {
            // On stdout, for whoever started the institution to sign with (`cargo xtask test`).
            println!(
                "payments: sign with {} (kid {})",
                keys.dir().join("private-key.pem").display(),
                keys.signer.kid()
            );
        }
        let mut verifier = keys.verifier.clone();
        let mut payments_config = config.clone();
        if let Store::Postgres(pool) = &store {
            // Replicas on one database share the replay record and the idempotency keys.
            let shared = Arc::new(SharedStores::open(pool.clone()).await?);
            verifier = verifier.replay_store(shared.clone());
            payments_config = payments_config.with_idempotency_store(Some(shared));
        }
        let connector = Connector::new(store.clone(), &args.ispb, Limits::default());
        _keys = Some(keys);
        let data = app(Institution::new(store), &args.prefixes, config);
        with_payments(
            data,
            connector,
            &args.prefixes,
            payments_config.with_verifier(verifier),
        )
    };
    let app = app
        .layer(MetricsLayer)
        .merge(health::routes_with_metrics(readiness.clone(), metrics));
    let listener = tokio::net::TcpListener::bind(&args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("institution: listening on http://{addr}");
    let limits = ServeConfig::default().with_readiness(readiness);
    serve_with(listener, app, shutdown_signal(), limits)
        .await
        .map_err(|e| e.to_string())
}
