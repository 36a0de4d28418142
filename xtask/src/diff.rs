//! `cargo xtask specs diff OLD NEW`: what changed between two OpenAPI 3.0 documents and whom
//! it breaks, as text or JSON. Each document is a file path or a catalogued document
//! (`KIND/FAMILY`, read as `generate` reads it, with its overlay); the comparison itself is
//! [`ofb_codegen::diff`].

use crate::flags::{DiffArgs, DiffFormat, SpecsDirArg};
use crate::sources::{read_document, Named};
use crate::Error;
use ofb_codegen::diff::{self, render, Model, Report};
use std::path::Path;

/// Reads `arg`: an existing file, else the catalogued document of that `KIND/FAMILY`.
pub fn read(arg: &str, specs: &SpecsDirArg) -> Result<Named, Error> {
    let path = Path::new(arg);
    if path.is_file() {
        let bytes =
            std::fs::read(path).map_err(|e| Error::Failed(format!("{arg}: cannot read: {e}")))?;
        return Ok(Named {
            label: arg.to_owned(),
            bytes,
            overlays: Vec::new(),
        });
    }
    let (catalog, sources) = crate::fetch::open(specs)?;
    let Some(entry) = catalog.find(arg) else {
        let known: Vec<String> = catalog.entries().iter().map(|e| e.id()).collect();
        return Err(Error::Failed(format!(
            "{arg}: no such file, and no catalogued document is named so (catalogued: {})",
            known.join(", ")
        )));
    };
    read_document(&catalog, &sources, entry).map(|(named, _)| named)
}

/// Loads and models a document, naming it in the error when it is not a valid one.
pub fn model(doc: &Named) -> Result<Model, Error> {
    diff::model(&doc.label, &doc.bytes, &doc.overlays).map_err(|d| {
        Error::Failed(format!(
            "{}: not a document that can be compared:\n{}",
            doc.label,
            d.to_string().trim_end()
        ))
    })
}

/// Compares two documents.
pub fn compare(old: &Named, new: &Named) -> Result<Report, Error> {
    let (a, b) = (model(old)?, model(new)?);
    Ok(diff::diff_inputs(a.input(), b.input()))
}

/// The report as printed with `format`.
pub fn rendered(report: &Report, format: DiffFormat, old: &str, new: &str) -> String {
    match format {
        DiffFormat::Text => render::text(report),
        DiffFormat::Json => render::json(report, old, new),
    }
}

/// Runs `specs diff`: prints the report; with `--fail-on-breaking`, a breaking change is an
/// error (reported after the report, so the exit status is 1).
pub fn run(args: &DiffArgs) -> Result<(), Error> {
    let old = read(&args.old, &args.specs)?;
    let new = read(&args.new, &args.specs)?;
    let report = compare(&old, &new)?;
    print!("{}", rendered(&report, args.format, &old.label, &new.label));
    verdict(&report, args.fail_on_breaking)
}

/// The outcome of a report: an error when it breaks something and `fail_on_breaking` is set.
pub fn verdict(report: &Report, fail_on_breaking: bool) -> Result<(), Error> {
    let s = report.summary();
    if fail_on_breaking && s.breaking > 0 {
        return Err(Error::Failed(format!(
            "{} breaking change(s) ({} for clients, {} for servers) and --fail-on-breaking is given",
            s.breaking, s.client_breaking, s.server_breaking
        )));
    }
    Ok(())
}
