//! An independent schema oracle for the types `ofb-codegen` generates.
//!
//! The generator turns OpenAPI schemas into Rust types; a member or a constraint it drops is
//! silent, because its own tests read its own model. This crate reads the *raw* document
//! instead (a `serde_json::Value`, whoever loaded it), converts its schemas to draft 4 JSON
//! Schema and lets the `jsonschema` crate, which owes nothing to the generator, judge
//! instances. For every schema under test ([`targets`]) it builds cases ([`Oracle::cases`]):
//! the document's examples, instances generated from the schema (every member, required
//! members only, each `oneOf` alternative, values at the bounds...) and mutants that break one
//! constraint at a known place. [`run`] then hands each case to the generated code
//! ([`Subject::decode`], usually through [`roundtrip`]) and reports every disagreement: a valid
//! instance refused or changed on the way back, an invalid one accepted or refused elsewhere
//! than where it was broken.
//!
//! Everything is deterministic (same document, same cases in the same order), bounded (at most
//! [`MAX_GENERATED`] generated instances and [`MAX_MUTANTS`] mutants per schema) and never
//! panics on a document: what cannot be judged is reported as skipped, with the reason.
//!
//! ```no_run
//! # fn demo(doc: serde_json::Value) -> Result<(), String> {
//! let oracle = ofb_oracle::Oracle::new(&doc)?;
//! for target in ofb_oracle::targets(&doc) {
//!     for case in oracle.cases(&target) {
//!         println!("{target} {} valid: {}", case.origin, case.verdict.is_ok());
//!     }
//! }
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

mod convert;
mod document;
mod flat;
mod generate;
mod oracle;
mod pointer;
mod run;
mod sample;

pub use oracle::{Oracle, MAX_EXAMPLES, MAX_GENERATED, MAX_MUTANTS};
pub use run::{roundtrip, roundtrip_with, run, Disagreement, Exceptions, Outcome, Report, Subject};

use std::fmt;

/// JSON pointers (RFC 6901, with a leading `#`, e.g. `"#/components/schemas/Foo"`) of every
/// schema the oracle tests in `doc`, in document order, deduplicated:
///
/// - every component schema: `"#/components/schemas/{escaped name}"`;
/// - every request and response body schema: for each path item (its `$ref` followed), each
///   method, the request body and each response (their `$ref`s to `components/requestBodies` or
///   `components/responses` followed: the pointer is where the object lives, e.g.
///   `"#/components/responses/NotFound"`), for each media type whose essence is
///   `application/json`, ends in `+json`, or is `application/jwt`:
///   `"{object pointer}/content/{escaped media key}/schema"`, unless that schema is only a
///   `$ref` to a component schema (which is tested as such);
/// - `"#"` when the document is a bare JSON Schema rather than an OpenAPI document.
pub fn targets(doc: &serde_json::Value) -> Vec<String> {
    document::targets(doc)
}

/// One instance of a schema, with the oracle's verdict on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Where the instance comes from.
    pub origin: Origin,
    /// The instance.
    pub instance: serde_json::Value,
    /// `jsonschema`'s verdict: `Ok(())` valid, `Err(reasons)` invalid.
    pub verdict: Result<(), Vec<String>>,
    /// For a mutant, the instance pointer (`""` = root, `"/a/0/b"`) of the value that was
    /// changed (for a removed or an added member, the pointer of the object that holds it), so
    /// that a rejection somewhere else is not taken for agreement.
    pub mutated_at: Option<String>,
    /// Instance pointers of every `oneOf`/`anyOf` the mutated place sits under or at (outermost
    /// first): a decoder may reject a broken alternative at the union itself.
    pub alternatives_at: Vec<String>,
}

/// Where a case comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The document's own example: `example` or `examples/*/value` (through `$ref`s to
    /// `components/examples`) on the schema itself, and for a body, on its media type object;
    /// for a component schema, also on the media type objects whose schema is only a `$ref` to
    /// it. `at` is the pointer of the example.
    Example {
        /// Pointer of the example in the document.
        at: String,
    },
    /// Generated from the schema; `what` says how ("all members", "required members only",
    /// "oneOf alternative 2 at /data", "maxLength bound at /name", "null at /x"...).
    Generated {
        /// How it was made.
        what: String,
    },
    /// One constraint broken; `what` says which ("required member `id` removed", "maxLength 10
    /// crossed", "pattern broken", "wrong type", "unknown enum value"...), and where.
    Mutant {
        /// What was broken.
        what: String,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Example { at } => write!(f, "example {at}"),
            Origin::Generated { what } => write!(f, "generated: {what}"),
            Origin::Mutant { what } => write!(f, "mutant: {what}"),
        }
    }
}
