//! What an implementer of a generated server trait sees: a minimal implementation compiles
//! and serves; a missing method and a wrong response type fail to compile with the messages
//! pinned in `tests/ui/*.stderr` (rerun with `UPDATE_SNAPSHOTS=1` to accept new ones).
//!
//! Each case is the `methods` fixture generated as one file, followed by the implementer's
//! code, written to `tests/ui/NAME.rs` (git-ignored: it is derived) beside its pinned
//! `NAME.stderr`, so that trybuild names the files relative to the crate and not this machine.

use ofb_codegen::{generate, Settings};
use ofb_tests::{repo_root, single_file};
use std::path::{Path, PathBuf};

/// Every method of the fixture's trait; each case leaves out or changes one.
const METHODS: &[(&str, &str)] = &[
    (
        "list_notes",
        "async fn list_notes(&self, _r: operations::ListNotesRequest, _c: Context) \
         -> Result<operations::ListNotesResponse, Self::Error> { \
         Ok(operations::ListNotesResponse::Status529) }",
    ),
    (
        "create_note",
        "async fn create_note(&self, r: operations::CreateNoteRequest, _c: Context) \
         -> Result<operations::CreateNoteResponse, Self::Error> { \
         Ok(match r.body { Some(note) => operations::CreateNoteResponse::Created(note), \
         None => operations::CreateNoteResponse::TooManyRequests }) }",
    ),
    (
        "replace_note",
        "async fn replace_note(&self, _r: operations::ReplaceNoteRequest, _c: Context) \
         -> Result<operations::ReplaceNoteResponse, Self::Error> { \
         Ok(operations::ReplaceNoteResponse::Ok) }",
    ),
    (
        "delete_notes_id",
        "async fn delete_notes_id(&self, _r: operations::DeleteNotesIdRequest, _c: Context) \
         -> Result<operations::DeleteNotesIdResponse, Self::Error> { \
         Err(String::from(\"the store is down\")) }",
    ),
    (
        "patch_note",
        "async fn patch_note(&self, _r: operations::PatchNoteRequest, _c: Context) \
         -> Result<operations::PatchNoteResponse, Self::Error> { \
         Ok(operations::PatchNoteResponse::NoContent) }",
    ),
    (
        "post_signed",
        "async fn post_signed(&self, r: operations::PostSignedRequest, _c: Context) \
         -> Result<operations::PostSignedResponse, Self::Error> { \
         Ok(operations::PostSignedResponse::Created(r.body)) }",
    ),
];

/// The wrong response type an implementer might write for `list_notes`.
const WRONG_LIST_NOTES: &str = "async fn list_notes(&self, _r: operations::ListNotesRequest, \
     _c: Context) -> Result<operations::CreateNoteResponse, Self::Error> { \
     Ok(operations::CreateNoteResponse::TooManyRequests) }";

fn implementation(methods: &[String]) -> String {
    format!(
        "use ofb_runtime::server::Context;\n\n\
         /// An institution's back-end.\n\
         pub struct Notes;\n\n\
         impl server::Api for Notes {{\n    type Error = String;\n    {}\n}}\n\n\
         fn main() {{\n    let _router: axum::Router = server::router(Notes);\n}}\n",
        methods.join("\n    ")
    )
}

fn case(dir: &Path, generated: &str, name: &str, methods: &[String]) -> PathBuf {
    let path = dir.join(format!("{name}.rs"));
    let body = generated
        .strip_suffix("fn main() {}\n")
        .unwrap_or(generated);
    std::fs::write(&path, format!("{body}{}", implementation(methods))).expect("case written");
    path
}

#[test]
fn implementers_get_actionable_messages() {
    let dir = repo_root().join("tests/ui");
    let fixture = repo_root().join("specs/fixtures/features/methods.yaml");
    let bytes = std::fs::read(&fixture).expect("the methods fixture");
    let settings = Settings::new("fixture-methods", "../../codegen/runtime")
        .with_source("methods.yaml", "0".repeat(64));
    let out = generate("methods.yaml", &bytes, &[], &settings).expect("the fixture generates");
    let generated = single_file(&out.files);

    let all: Vec<String> = METHODS.iter().map(|(_, m)| (*m).to_owned()).collect();
    let missing: Vec<String> = METHODS
        .iter()
        .filter(|(n, _)| *n != "post_signed")
        .map(|(_, m)| (*m).to_owned())
        .collect();
    let wrong: Vec<String> = METHODS
        .iter()
        .map(|(n, m)| {
            if *n == "list_notes" {
                WRONG_LIST_NOTES.to_owned()
            } else {
                (*m).to_owned()
            }
        })
        .collect();

    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::env::set_var("TRYBUILD", "overwrite");
    }
    let t = trybuild::TestCases::new();
    t.pass(case(&dir, &generated, "minimal", &all));
    t.compile_fail(case(&dir, &generated, "missing_method", &missing));
    t.compile_fail(case(&dir, &generated, "wrong_response_type", &wrong));
}
