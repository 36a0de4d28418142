//! The README's examples (the institution's server, the receiver's client), compiled: `cargo xtask test` builds the Rust block that
//! follows the marker comment against the generated crate the marker names, so the README
//! cannot drift from what the generator emits.

use std::path::Path;

/// The comment that precedes a compiled block; the crate's directory follows it.
const MARKER: &str = "<!-- cargo xtask test compiles the next block against ";

/// The crate directory (relative to the root) and the code of every marked block of `readme`.
pub fn blocks(readme: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut rest = readme;
    while let Some(at) = rest.find(MARKER) {
        let after = &rest[at + MARKER.len()..];
        let (dir, tail) = after
            .split_once(" -->")
            .ok_or("README: a compile marker is not closed with ` -->`")?;
        let code = tail
            .split_once("```rust\n")
            .and_then(|(_, c)| c.split_once("\n```"))
            .map(|(c, _)| c)
            .ok_or_else(|| format!("README: no ```rust block follows the marker for {dir}"))?;
        // Warnings fail the check, without changing how the dependencies are built.
        out.push((
            dir.trim().to_owned(),
            format!("#![deny(warnings)]\n{code}\n"),
        ));
        rest = tail;
    }
    Ok(out)
}

/// Builds every marked block of the README as a program depending on its crate.
pub fn check(root: &Path) -> Result<(), String> {
    let readme =
        std::fs::read_to_string(root.join("README.md")).map_err(|e| format!("README.md: {e}"))?;
    for (i, (dir, code)) in blocks(&readme)?.into_iter().enumerate() {
        let manifest = std::fs::read_to_string(root.join(&dir).join("Cargo.toml"))
            .map_err(|e| format!("README example {i}: {dir}/Cargo.toml: {e}"))?;
        let name = manifest
            .parse::<toml::Table>()
            .ok()
            .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_owned))
            .ok_or_else(|| format!("README example {i}: {dir}/Cargo.toml names no package"))?;
        let out = root.join("target/readme").join(format!("example-{i}"));
        std::fs::create_dir_all(out.join("src")).map_err(|e| format!("{}: {e}", out.display()))?;
        let cargo_toml = format!(
            "# Written by `cargo xtask test` from README.md: derived, not committed.\n\
             [package]\nname = \"readme-example-{i}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[dependencies]\n\
             {name} = {{ path = \"../../../{dir}\", features = [\"server\", \"client\", \"decimal\", \"time\"] }}\n\
             ofb-runtime = {{ path = \"../../../codegen/runtime\", features = [\"server\", \"client\", \"decimal\", \"time\"] }}\n\
             axum = {{ version = \"0.8\", default-features = false, features = [\"http1\", \"tokio\"] }}\n\
             tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\"] }}\n\n\
             [workspace]\n"
        );
        // The generated workspace's lock file, so that the example resolves to the versions
        // already built rather than to whatever is newest; copied every time, since it moves
        // when the workspace is regenerated.
        let lock = out.join("Cargo.lock");
        if let Ok(bytes) = std::fs::read(root.join("generated/Cargo.lock")) {
            std::fs::write(&lock, bytes).map_err(|e| format!("{}: {e}", lock.display()))?;
        }
        std::fs::write(out.join("Cargo.toml"), cargo_toml)
            .and_then(|()| std::fs::write(out.join("src/main.rs"), &code))
            .map_err(|e| format!("{}: {e}", out.display()))?;
        let manifest = format!("target/readme/example-{i}/Cargo.toml");
        eprintln!("README example {i}, against {dir}:");
        crate::cargo::run(
            root,
            &["build", "--quiet", "--manifest-path", &manifest],
            None,
        )
        .map_err(|e| format!("the README example against {dir} does not compile: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_blocks_are_found_with_their_crate() {
        let text =
            "intro\n<!-- cargo xtask test compiles the next block against generated/a/b -->\n\
                    ```rust\nfn main() {}\n```\n```rust\nnot marked\n```\n";
        assert_eq!(
            blocks(text).unwrap(),
            [(
                String::from("generated/a/b"),
                String::from("#![deny(warnings)]\nfn main() {}\n")
            )]
        );
        let open = "<!-- cargo xtask test compiles the next block against x";
        assert!(blocks(open).unwrap_err().contains("not closed"));
        let none = "<!-- cargo xtask test compiles the next block against x -->\ntext";
        assert!(blocks(none).unwrap_err().contains("no ```rust block"));
    }

    #[test]
    fn the_readme_has_its_example() {
        let readme = std::fs::read_to_string(crate::repo_root().join("README.md")).unwrap();
        let found = blocks(&readme).unwrap();
        assert_eq!(
            found.len(),
            3,
            "the server example and the two client examples are marked"
        );
        assert!(found.iter().all(|(_, code)| code.contains("fn main()")));
    }
}
