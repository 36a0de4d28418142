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
    let cargo = cargo_args(&server);
    let cargo: Vec<&str> = cargo.iter().map(String::as_str).collect();
    crate::cargo::run(&root, &cargo, None).map_err(Error::Failed)
}

/// The name of the institution's server binary; the crate also has the platform's load
/// generator, so `cargo run` must be told which.
pub const BINARY: &str = "ofb-institution";

/// cargo's arguments to build and run the server with its own arguments `server`.
pub fn cargo_args(server: &[String]) -> Vec<String> {
    let mut out: Vec<String> = [
        "run",
        "--release",
        "--quiet",
        "--manifest-path",
        MANIFEST,
        "--bin",
        BINARY,
        "--",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    out.extend(server.iter().cloned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo run` on a crate of two binaries fails without `--bin`: the command names one,
    /// and the crate has it (its package name, from `src/main.rs`).
    #[test]
    fn the_command_names_a_binary_the_crate_has() {
        let args = cargo_args(&[String::from("--addr"), String::from("127.0.0.1:0")]);
        let at = args.iter().position(|a| a == "--bin").expect("--bin");
        assert_eq!(args[at + 1], BINARY);
        let root = crate::repo_root();
        let manifest: toml::Table = std::fs::read_to_string(root.join(MANIFEST))
            .expect("the manifest")
            .parse()
            .expect("TOML");
        let package = &manifest["package"];
        assert_eq!(package["name"].as_str(), Some(BINARY));
        assert_eq!(package["default-run"].as_str(), Some(BINARY));
        let main = root.join(MANIFEST).with_file_name("src/main.rs");
        assert!(main.exists(), "{}", main.display());
    }
}
