//! Two major versions of one family, as the regulator's coexistence windows require: a catalog
//! holding both generates two crates whose names carry the major version, the newer one's
//! README says what changed, both build clean, and one server nests both routers under their
//! base paths and answers each over real HTTP on 127.0.0.1.

use ofb_tests::repo_root;
use std::path::Path;
use xtask::catalog::Catalog;
use xtask::frequencies::Frequencies;
use xtask::sources::{sha256_hex, Sources};

/// The server program: both routers nested under their base paths, called over HTTP.
const SERVER: &str = r#"#![deny(warnings)]
use ofb_runtime::server::testing::TestServer;
use ofb_runtime::server::Config;

#[tokio::main]
async fn main() {
    let v1 = ofb_partner_widgets_v1::server::router_with(
        ofb_partner_widgets_v1::mock::Examples::default(),
        Config::default(),
    );
    let v2 = ofb_partner_widgets_v2::server::router_with(
        ofb_partner_widgets_v2::mock::Examples::default(),
        Config::default(),
    );
    let app = axum::Router::new()
        .nest(ofb_partner_widgets_v1::server::BASE_PATH, v1)
        .nest(ofb_partner_widgets_v2::server::BASE_PATH, v2);
    let server = TestServer::start(app).await;
    let id = [("x-fapi-interaction-id", "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5")];
    let old = server.call("GET", "/widgets/v1/widgets", &id, None).await;
    let new = server.call("GET", "/widgets/v2/widgets", &id, None).await;
    let one = server.call("GET", "/widgets/v2/widgets/gear", &id, None).await;
    let absent = server.call("GET", "/widgets/v1/widgets/gear", &id, None).await;
    assert_eq!(old.status, 200, "{}", old.text());
    assert_eq!(new.status, 200, "{}", new.text());
    assert_eq!(one.status, 200, "{}", one.text());
    assert_eq!(absent.status, 404, "v1 has no such route: {}", absent.text());
    let _: ofb_partner_widgets_v1::types::WidgetList = old.typed();
    let v2: ofb_partner_widgets_v2::types::WidgetList = new.typed();
    assert!(v2.data.iter().all(|w| w.size == 3), "v2 answers its own example");
    println!("both versions served");
}
"#;

fn write(dir: &Path, files: &[(&str, String)]) {
    for (path, contents) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("a directory");
        std::fs::write(&p, contents).expect("written");
    }
}

#[test]
fn two_major_versions_generate_side_by_side_and_serve_on_one_server() {
    let root = repo_root();
    let docs = [
        "fixtures/versions/widgets-1.yaml",
        "fixtures/versions/widgets-2.yaml",
    ];
    let mut text = String::new();
    for (doc, version) in docs.iter().zip(["1.4.0", "2.0.1"]) {
        let bytes = std::fs::read(root.join("specs").join(doc)).expect("fixture");
        text.push_str(&format!(
            "[[document]]\nkind = \"partner\"\nfamily = \"widgets\"\nversion = \"{version}\"\n\
             file = \"{}\"\npath = \"{doc}\"\nsha256 = \"{}\"\n\n",
            doc.rsplit('/').next().unwrap_or(doc),
            sha256_hex(&bytes)
        ));
    }
    let catalog = Catalog::parse(Path::new("coexistence.toml"), &text).expect("two majors load");
    let sources = Sources::new(root.clone(), None);
    let out = root.join("target/coexistence");
    let _ = std::fs::remove_dir_all(&out);
    let none = Frequencies::default();
    let mut names = Vec::new();
    for entry in catalog.entries() {
        let previous = xtask::generate::previous(&catalog, entry);
        let mut g = xtask::generate::entry_with(
            &root,
            &sources,
            &catalog,
            entry,
            &none,
            &Default::default(),
            previous,
        )
        .expect("generates");
        // Three levels below the root, like generated/<kind>/<crate>, so the runtime's
        // relative path holds.
        g.dir = out.join(entry.crate_dir().file_name().expect("a crate directory"));
        xtask::generate::write(&g).expect("written");
        names.push((entry.crate_name(), g.dir.clone()));
    }
    assert_eq!(
        names.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["ofb-partner-widgets-v1", "ofb-partner-widgets-v2"]
    );
    let readme_v1 = std::fs::read_to_string(names[0].1.join("README.md")).expect("v1 README");
    let readme_v2 = std::fs::read_to_string(names[1].1.join("README.md")).expect("v2 README");
    assert!(!readme_v1.contains("Changes from the previous pinned version"));
    assert!(
        readme_v2.contains("## Changes from the previous pinned version")
            && readme_v2.contains("From partner/widgets 1.4.0")
            && readme_v2.contains("operation-added GET /widgets/{widgetId}"),
        "{readme_v2}"
    );

    let manifest = r#"[package]
name = "coexistence"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
ofb-partner-widgets-v1 = { path = "../widgets-v1", features = ["server"] }
ofb-partner-widgets-v2 = { path = "../widgets-v2", features = ["server"] }
ofb-runtime = { path = "../../../codegen/runtime", features = ["testing"] }
axum = { version = "0.8", default-features = false }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
"#
    .to_owned();
    // The crates name the runtime through their workspace, as in generated/.
    let workspace = ofb_codegen::emit::files::workspace_manifest(
        &[String::from("widgets-v1"), String::from("widgets-v2")],
        &[String::from("server")],
        "../../codegen/runtime",
    )
    .expect("workspace manifest");
    std::fs::write(out.join("Cargo.toml"), workspace).expect("workspace manifest");
    let server = out.join("server");
    write(
        &server,
        &[("Cargo.toml", manifest), ("src/main.rs", SERVER.to_owned())],
    );
    std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).expect("lock");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    let run = std::process::Command::new(cargo)
        .current_dir(&root)
        .args(["run", "--quiet", "--manifest-path"])
        .arg(server.join("Cargo.toml"))
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && stdout.contains("both versions served"),
        "{}\n{stdout}\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
}
