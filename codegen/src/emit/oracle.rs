//! The binding the schema oracle needs from a crate: for each schema it tests (every
//! component, every body schema written in place), the generated type that holds its values.
//!
//! The oracle (`ofb-oracle`) judges instances with an independent JSON Schema validator and
//! asks this function what the crate makes of each: only the pointer-to-type binding comes
//! from the generator's model, never a verdict.

use super::types::rust_type_in;
use crate::model::{Api, Shape, TypeKind};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// `pub fn decode(pointer, value) -> Option<Outcome>` over the crate named `krate`: each
/// schema pointer (`#/components/schemas/X`, `…/content/application~1json/schema`) decoded
/// into its type through `ofb_oracle::roundtrip`, with the rule set a scalar component's type
/// cannot carry; `None` for a pointer the crate has no type for.
pub fn dispatch(api: &Api, krate: &Ident) -> TokenStream {
    let types = quote!(::#krate::types);
    let mut seen = BTreeSet::new();
    let mut arms = Vec::new();
    for t in api.types.iter().filter(|t| t.is_component()) {
        if !seen.insert(t.pointer.clone()) {
            continue;
        }
        let name = crate::naming::ident(&t.name);
        let pointer = &t.pointer;
        let rules = match &t.kind {
            TypeKind::Alias(shape) => rules_of(krate, shape),
            _ => None,
        };
        // A component that allows `null` is, as a value, an `Option` of its type.
        let ty = if t.nullable {
            quote!(::std::option::Option<#types::#name>)
        } else {
            quote!(#types::#name)
        };
        arms.push(arm(pointer, &ty, rules));
    }
    let bodies = api.operations.iter().flat_map(|op| {
        op.body
            .iter()
            .chain(op.responses.iter().filter_map(|r| r.body.as_ref()))
    });
    for b in bodies.filter(|b| b.is_json()) {
        let pointer = format!("{}/schema", b.pointer);
        if !seen.insert(pointer.clone()) {
            continue;
        }
        let ty = rust_type_in(api, &b.shape, Some(&types));
        arms.push(arm(&pointer, &ty, rules_of(krate, &b.shape)));
    }
    quote! {
        /// What the crate makes of `value` as the schema at `pointer`; `None` when it has no
        /// type for that schema.
        pub fn decode(
            pointer: &str,
            value: &::serde_json::Value,
        ) -> ::std::option::Option<::ofb_oracle::Outcome> {
            ::std::option::Option::Some(match pointer {
                #(#arms)*
                _ => return ::std::option::Option::None,
            })
        }
    }
}

/// The rule set of a value of `shape` that its type does not check by itself.
fn rules_of(krate: &Ident, shape: &Shape) -> Option<TokenStream> {
    let id = shape.rules?;
    let name = format_ident!("R{}", id);
    Some(quote!(&::#krate::rules::#name))
}

fn arm(pointer: &str, ty: &TokenStream, rules: Option<TokenStream>) -> TokenStream {
    match rules {
        Some(r) => quote!(#pointer => ::ofb_oracle::roundtrip_with::<#ty>(value, #r),),
        None => quote!(#pointer => ::ofb_oracle::roundtrip::<#ty>(value),),
    }
}

/// One crate the oracle crate tests.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// Its label in reports and in the exceptions file (`regulated/accounts-v2`).
    pub label: String,
    /// Its package name.
    pub package: String,
    /// Its directory, relative to the oracle crate's.
    pub path: String,
    /// The file under the oracle crate's `documents/` holding the document it was made from.
    pub document: String,
    /// Its model.
    pub api: &'a Api,
    /// Features to build it with when the oracle crate is built with `--all-features`: every
    /// feature of a crate that no workspace builds on its own (a fixture), so that its client
    /// and server code compile too; empty for the others.
    pub features: Vec<String>,
}

#[derive(askama::Template)]
#[template(path = "oracle/Cargo.toml", escape = "none")]
struct Manifest<'a> {
    subjects: &'a [Subject<'a>],
    oracle_path: &'a str,
}

/// The files of the oracle crate over `subjects` (`Cargo.toml`, `src/lib.rs`, the test), with
/// `ofb-oracle` at `oracle_path` and the reviewed exceptions at `exceptions_path` (both
/// relative to the crate's directory). The documents themselves are the caller's to write.
pub fn crate_files(
    subjects: &[Subject<'_>],
    oracle_path: &str,
    exceptions_path: &str,
) -> Result<Vec<super::files::File>, String> {
    use askama::Template;
    let manifest = Manifest {
        subjects,
        oracle_path,
    }
    .render()
    .map_err(|e| format!("internal error: oracle manifest template: {e}"))?;
    let mut modules = Vec::new();
    let mut entries = Vec::new();
    for s in subjects {
        let krate = format_ident!("{}", s.package.replace('-', "_"));
        let module = krate.clone();
        let body = dispatch(s.api, &krate);
        let doc = format!("The schemas of `{}`.", s.label);
        modules.push(quote! {
            #[doc = #doc]
            pub mod #module { #body }
        });
        let (label, document) = (&s.label, &s.document);
        entries.push(quote!((#label, #document, #module::decode),));
    }
    let lib = quote! {
        //! Every schema of every generated crate bound to the type that holds its values, for
        //! the schema oracle (`ofb-oracle`), which judges instances on its own.
        #![allow(clippy::too_many_lines)]

        /// A crate's schemas: what it makes of a value as the schema at a pointer.
        pub type Decode = fn(&str, &::serde_json::Value) -> ::std::option::Option<::ofb_oracle::Outcome>;

        /// Each crate: its label, the file under `documents/` it was generated from, its schemas.
        pub const SUBJECTS: &[(&str, &str, Decode)] = &[#(#entries)*];

        #(#modules)*
    };
    let test = quote! {
        //! The schema oracle over every generated crate: the document's own examples, instances
        //! made from each schema and one-constraint mutants, judged by the `jsonschema` crate,
        //! must be decoded, checked and encoded back by the generated types to the same verdict.

        use std::path::Path;

        #[test]
        fn every_schema_agrees_with_the_oracle() {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
            let exceptions = std::fs::read_to_string(dir.join(#exceptions_path))
                .map_err(|e| e.to_string())
                .and_then(|text| ofb_oracle::Exceptions::parse(&text))
                .unwrap_or_else(|e| panic!("the oracle's exceptions file: {e}"));
            let documents: Vec<serde_json::Value> = ofb_oracle_tests::SUBJECTS
                .iter()
                .map(|(label, file, _)| {
                    let text = std::fs::read_to_string(dir.join("documents").join(file))
                        .unwrap_or_else(|e| panic!("{label}: {file}: {e}"));
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{label}: {file}: {e}"))
                })
                .collect();
            let subjects: Vec<ofb_oracle::Subject<'_>> = ofb_oracle_tests::SUBJECTS
                .iter()
                .zip(&documents)
                .map(|((label, _, decode), document)| ofb_oracle::Subject {
                    label,
                    document,
                    decode,
                })
                .collect();
            let report = ofb_oracle::run(&subjects, &exceptions);
            println!("{report}");
            assert!(
                report.disagreements.is_empty() && report.unused_exceptions.is_empty(),
                "the generated types disagree with the oracle:\n{report}"
            );
        }
    };
    Ok(vec![
        super::files::File {
            path: String::from("Cargo.toml"),
            contents: manifest + "\n",
        },
        super::files::File {
            path: String::from("src/lib.rs"),
            contents: super::format(lib, "oracle dispatch")?,
        },
        super::files::File {
            path: String::from("tests/oracle.rs"),
            contents: super::format(test, "oracle test")?,
        },
    ])
}
