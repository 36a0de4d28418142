//! `cargo xtask institution`: the reference institution (`codegen/institution`) as a server,
//! built in release over freshly generated crates: accounts, credit cards and customers on an
//! SQLite file (by default under `target/institution/`) or a PostgreSQL database.

use crate::flags::InstitutionArgs;
use crate::Error;
use std::path::Path;

/// The reference institution's crate.
pub const MANIFEST: &str = "codegen/institution/Cargo.toml";

/// The SQLite file used when no `--db` is given, relative to the repository root.
pub const DEFAULT_DB: &str = "target/institution/institution.sqlite3";

/// The server's own arguments for `args`.
pub fn server_args(root: &Path, args: &InstitutionArgs) -> Result<Vec<String>, String> {
    let db = match &args.db {
        Some(db) => db.clone(),
        None => {
            let path = root.join(DEFAULT_DB);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            path.display().to_string()
        }
    };
    let mut out = vec![
        String::from("--db"),
        db,
        String::from("--addr"),
        args.addr.clone(),
        String::from("--customers"),
        args.customers.to_string(),
        String::from("--accounts"),
        args.accounts.to_string(),
        String::from("--transactions"),
        args.transactions.to_string(),
    ];
    for p in &args.prefix {
        out.push(String::from("--prefix"));
        out.push(p.clone());
    }
    Ok(out)
}

/// Generates the crates, then builds and runs the server until it is stopped.
pub fn run(args: &InstitutionArgs) -> Result<(), Error> {
    let root = crate::repo_root();
    let (catalog, sources) = crate::fetch::open(&args.specs)?;
    crate::generate::catalog(&root, &catalog, &sources, crate::generate::Mode::Write)
        .map_err(Error::Failed)?;
    let server = server_args(&root, args).map_err(Error::Failed)?;
    let mut cargo = vec![
        "run",
        "--release",
        "--quiet",
        "--manifest-path",
        MANIFEST,
        "--",
    ];
    cargo.extend(server.iter().map(String::as_str));
    crate::cargo::run(&root, &cargo, None).map_err(Error::Failed)
}
