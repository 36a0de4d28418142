//! Running cargo as a child of a command: echoed, with incremental compilation off unless the
//! caller chose, and the specs directory passed on.

use crate::sources::SPECS_DIR_VAR;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `cargo ARGS` in `root` (with `OFB_SPECS_DIR` when given), echoing the command line.
pub fn run(root: &Path, args: &[&str], specs_dir: Option<&PathBuf>) -> Result<(), String> {
    let mut cmd = command(root, args);
    if let Some(d) = specs_dir {
        cmd.env(SPECS_DIR_VAR, d);
    }
    status(cmd, args)
}

/// `cargo ARGS` in `dir`, echoed, incremental compilation off unless the caller chose: to add
/// to, then pass to [`status`].
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    eprintln!("$ (in {}) cargo {}", dir.display(), args.join(" "));
    let mut cmd = Command::new(cargo);
    cmd.args(args).current_dir(dir);
    no_incremental(&mut cmd);
    cmd
}

/// Runs `cmd` (the cargo `args` of [`command`]); its failure, worded.
pub fn status(mut cmd: Command, args: &[&str]) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

/// Turns incremental compilation off unless the caller chose. A run of every check rebuilds
/// whole crates (the generated ones are rewritten wholesale), so the incremental caches, several
/// gigabytes for the generated workspace, would buy nothing and could fill a small disk.
fn no_incremental(cmd: &mut Command) {
    if std::env::var_os("CARGO_INCREMENTAL").is_none() {
        cmd.env("CARGO_INCREMENTAL", "0");
    }
}
