//! The generate command's contracts: `--spec FILE --out DIR` writes a crate that builds where
//! it is, and `--check` fails with a diff when the output on disk is stale.

use ofb_tests::repo_root;
use std::path::PathBuf;
use std::process::Command;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ofb-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_crate_generated_from_any_document_builds_in_place() {
    let root = repo_root();
    let out = temp("spec");
    let spec = root.join("specs/fixtures/features/methods.yaml");
    xtask::generate::single(&root, &spec, &out, None).expect("generates");
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).expect("manifest");
    assert!(manifest.contains("name = \"ofb-methods\""), "{manifest}");
    assert!(
        manifest.contains("[workspace]"),
        "outside the project it is its own workspace:\n{manifest}"
    );
    // Same dependency versions as the project, and its target directory, so nothing is built twice.
    std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).expect("lock");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "cargo build --manifest-path {}/Cargo.toml failed",
        out.display()
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn check_reports_stale_and_missing_files_with_a_diff() {
    let root = repo_root();
    let out = temp("check");
    let spec = root.join("specs/fixtures/features/errors.yaml");
    xtask::generate::single(&root, &spec, &out, Some("ofb-check")).expect("generates");
    let bytes = std::fs::read(&spec).expect("spec");
    let settings = ofb_codegen::Settings::new("ofb-check", "x");
    let output = ofb_codegen::generate("errors.yaml", &bytes, &[], &settings).expect("generates");
    let g = xtask::generate::Generated {
        dir: out.clone(),
        output,
        id: String::from("fixture/errors"),
    };
    // The settings differ from what `single` wrote, so Cargo.toml and the headers differ.
    let problems = xtask::generate::compare(&g).join("\n");
    assert!(
        problems.contains("fixture/errors: stale Cargo.toml"),
        "{problems}"
    );
    assert!(
        problems.contains("+++ generated"),
        "a unified diff is shown:\n{problems}"
    );
    std::fs::remove_file(out.join("src/types.rs")).expect("remove");
    std::fs::write(out.join("src/extra.rs"), "// left over\n").expect("write");
    let problems = xtask::generate::compare(&g).join("\n");
    assert!(problems.contains("missing src/types.rs"), "{problems}");
    assert!(
        problems.contains("not generated any more: src/extra.rs"),
        "{problems}"
    );
    xtask::generate::write(&g).expect("writes");
    assert!(
        xtask::generate::compare(&g).is_empty(),
        "fresh after writing"
    );
    assert!(
        !out.join("src/extra.rs").exists(),
        "stale files are removed"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn generated_crates_on_disk_are_not_stale() {
    let root = repo_root();
    if !root.join("generated/Cargo.toml").exists() {
        println!("generated/ holds no crates yet (run `cargo xtask generate`): nothing to compare");
        return;
    }
    let catalog = xtask::catalog::Catalog::load(&root.join("specs/catalog.toml")).expect("catalog");
    let sources =
        xtask::sources::Sources::new(root.clone(), xtask::sources::Sources::specs_dir_from(None));
    xtask::generate::catalog(&root, &catalog, &sources, true).expect("generated/ is up to date");
}

/// Kills the child process when the test ends, however it ends.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_mock_server_prints_its_address_and_answers_examples() {
    use std::io::{BufRead, Read, Write};
    let root = repo_root();
    let out = temp("mock");
    let spec = root.join("specs/fixtures/features/methods.yaml");
    let name = xtask::generate::single(&root, &spec, &out, None).expect("generates");
    std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).expect("lock");
    let binary = xtask::mock::build(&root, &out.join("Cargo.toml"), &name).expect("builds");
    let child = Command::new(binary)
        .args(["--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the mock starts");
    let mut child = Killed(child);
    let mut line = String::new();
    let stdout = child.0.stdout.take().expect("stdout");
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the mock prints its address");
    let addr = line
        .trim()
        .split_once("listening on http://")
        .map(|(_, a)| a.to_owned())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let mut stream = std::net::TcpStream::connect(&addr).expect("the mock listens");
    stream
        .write_all(b"GET /notes HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .expect("request sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.ends_with(r#"[{"text":"a"}]"#),
        "the example body: {answer}"
    );
}
