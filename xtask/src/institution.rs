//! `cargo xtask institution`: the reference institution (`codegen/institution`) as a server,
//! built in release over freshly generated crates: accounts, credit cards, customers and the
//! payment connector on an SQLite file (by default under `target/institution/`) or a
//! PostgreSQL database.

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
    if let Some(jwks) = &args.jwks {
        let jwks = std::path::absolute(jwks).map_err(|e| format!("{}: {e}", jwks.display()))?;
        out.push(String::from("--jwks"));
        out.push(jwks.display().to_string());
    }
    if let Some(ispb) = &args.ispb {
        out.push(String::from("--ispb"));
        out.push(ispb.clone());
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

/// What `cargo xtask test` runs: the command as the README gives it (on a free port, over a
/// fresh SQLite file, with a small seed), then one call of each family through the generated
/// clients (`codegen/institution/examples/calls.rs`), the payment connector's signed with the
/// development key the institution prints. The server is stopped (SIGTERM to its process
/// group) whatever the outcome.
#[cfg(unix)]
pub fn walk(root: &Path, specs_dir: Option<&std::path::PathBuf>) -> Result<(), String> {
    use std::io::BufRead;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let dir = root.join("target/institution/walk");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let db = dir.join("walk.sqlite3").display().to_string();
    let args = [
        "xtask",
        "institution",
        "--addr",
        "127.0.0.1:0",
        "--db",
        &db,
        "--customers",
        "2",
        "--accounts",
        "1",
        "--transactions",
        "2",
    ];
    let mut command = crate::cargo::command(root, &args);
    if let Some(d) = specs_dir {
        command.env(crate::sources::SPECS_DIR_VAR, d);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot run `cargo xtask institution`: {e}"))?;
    let group = child.id();
    let stop = || {
        // `--` first: a negative pid names the process group, not an option.
        let _ = Command::new("kill")
            .args(["-s", "TERM", "--", &format!("-{group}")])
            .status();
    };
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (mut url, mut key) = (None, None);
    for line in std::io::BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        println!("{line}");
        if let Some(rest) = line.strip_prefix("payments: sign with ") {
            key = rest
                .rsplit_once(" (kid ")
                .map(|(path, kid)| (path.to_owned(), kid.trim_end_matches(')').to_owned()));
        }
        if let Some(at) = line.strip_prefix("institution: listening on ") {
            url = Some(at.to_owned());
            break;
        }
    }
    let outcome = match (url, key) {
        (Some(url), Some((pem, kid))) => crate::cargo::run(
            root,
            &[
                "run",
                "--quiet",
                "--manifest-path",
                MANIFEST,
                "--example",
                "calls",
                "--",
                &url,
                &pem,
                &kid,
            ],
            None,
        )
        .map_err(|e| format!("the calls to the institution failed: {e}")),
        _ => Err(String::from(
            "`cargo xtask institution` stopped before it listened (its output is above)",
        )),
    };
    stop();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

/// Elsewhere the walk needs process groups this platform does not have.
#[cfg(not(unix))]
pub fn walk(_: &Path, _: Option<&std::path::PathBuf>) -> Result<(), String> {
    eprintln!("the institution's walk runs on Unix only: skipped");
    Ok(())
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
