//! The dispatch of `cargo xtask`: each command (declared in [`crate::flags`]) to the module
//! that runs it.

use crate::flags::{Cli, Command, SpecsCommand};
use crate::sources::open;
use crate::Error;
use clap::Parser;
use std::process::ExitCode;

/// Runs a parsed command line.
pub fn run(cli: &Cli) -> Result<(), Error> {
    match &cli.command {
        Command::Specs {
            command: SpecsCommand::Fetch(specs),
        } => {
            let (catalog, sources) = open(specs.resolve())?;
            crate::fetch::run(&catalog, &sources, &crate::fetch::Https::from_flags(specs)?)?;
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
            let (catalog, sources) = crate::fetch::open(specs)?;
            crate::test::run(&crate::repo_root(), &catalog, &sources, specs.resolve())
                .map_err(Error::Failed)
        }
        Command::Mock(args) => crate::mock::run(args),
        Command::Quickstart(specs) => {
            let (catalog, sources) = crate::fetch::open(specs)?;
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
    use crate::flags::Cli;
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
            &[
                "generate",
                "--spec",
                "f.yaml",
                "--out",
                "o",
                "--registry-runtime",
            ],
            &["generate", "--mirror", "https://m", "--ca-file", "ca.pem"],
            &["specs", "fetch", "--mirror", "https://m"],
            &["mock", "regulated/accounts", "--addr", "127.0.0.1:8080"],
            &["mock", "--spec", "f.yaml"],
            &[
                "mock",
                "integration/payments",
                "--jwks",
                "platform-jwks.json",
            ],
            &["quickstart"],
            &["quickstart", "--specs-dir", "d"],
            &["bench", "generate"],
            &["bench", "diff"],
            &["bench", "build"],
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
            &["generate", "--registry-runtime"],
            &["generate", "--crate-version", "1.0.0"],
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
