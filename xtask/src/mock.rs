//! `cargo xtask mock KIND/FAMILY` (or `--spec FILE`): serves a document through its generated
//! router with the example back-end, for data receivers to test against without a bank.
//!
//! The crate is generated (a catalogued document's crate alone into `generated/`, the others
//! left as they are; a `--spec` document into `target/mock/`), its mock example is built with cargo, and the binary is then run in the
//! foreground: it prints `listening on http://ADDR` and serves until Ctrl-C or SIGTERM.

use crate::flags::MockArgs;
use crate::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `mock`.
pub fn run(args: &MockArgs) -> Result<(), Error> {
    let root = crate::repo_root();
    let (manifest, package) = match (&args.spec, &args.target) {
        (Some(spec), _) => {
            let stem = spec
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let out = root.join("target/mock").join(&stem);
            let name = crate::generate::single(&root, spec, &out, None).map_err(Error::Failed)?;
            // The project's dependency versions, so nothing is resolved or built twice.
            let lock = out.join("Cargo.lock");
            if !lock.exists() {
                std::fs::copy(root.join("Cargo.lock"), &lock)
                    .map_err(|e| Error::Failed(format!("{}: {e}", lock.display())))?;
            }
            (out.join("Cargo.toml"), name)
        }
        (None, Some(target)) => {
            let (catalog, sources) = crate::fetch::open(&args.specs)?;
            let Some(entry) = catalog.find(target) else {
                let known: Vec<String> = catalog.entries().iter().map(|e| e.id()).collect();
                return Err(Error::Failed(format!(
                    "`{target}` is not a catalogued document; write KIND/FAMILY, one of: {}",
                    known.join(", ")
                )));
            };
            // Only the crate served is written; the others stay as they are.
            crate::generate::only(&root, &catalog, &sources, entry).map_err(Error::Failed)?;
            let workspace = root.join("generated/Cargo.toml");
            let manifest = if workspace.exists() {
                workspace
            } else {
                // No generated workspace yet: the crate builds on its own (the project's
                // workspace excludes generated/).
                root.join(entry.crate_dir()).join("Cargo.toml")
            };
            (manifest, entry.crate_name())
        }
        (None, None) => {
            return Err(Error::Failed(String::from(
                "name a catalogued document (KIND/FAMILY) or --spec FILE",
            )))
        }
    };
    let binary = build(&root, &manifest, &package).map_err(Error::Failed)?;
    let mut command = Command::new(&binary);
    command.args(["--addr", &args.addr]);
    if let Some(jwks) = &args.jwks {
        // The mock runs from the repository root; the file is named as the user gave it.
        let jwks = std::path::absolute(jwks)
            .map_err(|e| Error::Failed(format!("{}: {e}", jwks.display())))?;
        command.arg("--jwks").arg(jwks);
    }
    let status = command
        .status()
        .map_err(|e| Error::Failed(format!("cannot run {}: {e}", binary.display())))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Failed(format!("the mock server stopped ({status})")))
    }
}

/// Builds `package`'s mock example and returns the path of its binary, as cargo reports it.
pub fn build(root: &Path, manifest: &Path, package: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    let example = format!("{package}-mock");
    eprintln!("building {example}...");
    let out = Command::new(cargo)
        .current_dir(root)
        .arg("build")
        .arg("--manifest-path")
        .arg(manifest)
        .args([
            "--package",
            package,
            "--features",
            "server",
            "--example",
            &example,
        ])
        .args(["--message-format", "json-render-diagnostics"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!("building {example} failed ({})", out.status));
    }
    executable(&String::from_utf8_lossy(&out.stdout), &example)
        .ok_or_else(|| format!("cargo built {example} but reported no executable"))
}

/// The executable of the artifact named `name` in cargo's JSON messages.
pub(crate) fn executable(messages: &str, name: &str) -> Option<PathBuf> {
    messages.lines().find_map(|line| {
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        if v.get("reason")?.as_str()? != "compiler-artifact"
            || v.pointer("/target/name")?.as_str()? != name
        {
            return None;
        }
        v.get("executable")?.as_str().map(PathBuf::from)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_executable_comes_from_cargo_messages() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"other"},"executable":"/x/other"}"#,
            "\nnot json\n",
            r#"{"reason":"compiler-artifact","target":{"name":"a-mock"},"executable":"/x/a-mock"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(
            executable(messages, "a-mock"),
            Some(PathBuf::from("/x/a-mock"))
        );
        assert_eq!(executable(messages, "b-mock"), None);
    }
}
