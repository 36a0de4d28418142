//! The `examples` module: one JSON example per body, and a test per example that it
//! deserializes into its type, serializes back to an equal JSON value and passes `validate()`.

use super::types::rust_type_in;
use crate::model::{Api, Body, Operation, Response, Status};
use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// An example body with the constant and test names it gets.
struct Entry<'a> {
    constant: String,
    body: &'a Body,
    what: String,
}

/// The name of the example constant of `op`'s request body (`None`) or of the body of one of
/// its responses.
pub fn constant_name(op: &Operation, response: Option<&Response>) -> String {
    let base = op.name.trim_start_matches("r#").to_shouty_snake_case();
    match response {
        None => format!("{base}_REQUEST"),
        Some(r) => format!("{base}_{}", r.name.to_shouty_snake_case()),
    }
}

fn entries(api: &Api) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    for sample in &api.samples {
        let crate::model::Ty::Named(id) = &sample.shape.ty else {
            continue;
        };
        let ty = &api.types[id.0];
        out.push(Entry {
            constant: format!("{}_EXAMPLE", ty.name.to_shouty_snake_case()),
            body: sample,
            what: format!(
                "An example `{}`: the document's own example where it is valid, else a value \
                 composed from the schema.",
                ty.name
            ),
        });
    }
    for op in &api.operations {
        if let Some(b) = &op.body {
            out.push(Entry {
                constant: constant_name(op, None),
                body: b,
                what: format!(
                    "The request body of `{}` ({} {}).",
                    op.name.trim_start_matches("r#"),
                    op.method,
                    op.path
                ),
            });
        }
        for r in &op.responses {
            if let Some(b) = &r.body {
                let status = match r.status {
                    Status::Code(c) => c.to_string(),
                    Status::Range(h) => format!("{h}XX"),
                    Status::Default => String::from("default"),
                };
                out.push(Entry {
                    constant: constant_name(op, Some(r)),
                    body: b,
                    what: format!(
                        "The `{status}` response body of `{}` ({} {}).",
                        op.name.trim_start_matches("r#"),
                        op.method,
                        op.path
                    ),
                });
            }
        }
    }
    out
}

/// The examples module, or `None` when the document has no bodies.
pub fn module(api: &Api) -> Option<TokenStream> {
    let entries = entries(api);
    if entries.is_empty() {
        return None;
    }
    let consts = entries.iter().map(|e| {
        let name = format_ident!("{}", e.constant);
        let text = if e.body.is_json() {
            serde_json::to_string(&e.body.example).unwrap_or_default()
        } else {
            e.body
                .example
                .as_str()
                .map(str::to_owned)
                .unwrap_or_default()
        };
        let line = format!("{} Media type `{}`.", e.what, e.body.media);
        let docs = super::docs::doc_attrs(Some(&line));
        let text = super::raw_string(&text);
        quote!(#docs pub const #name: &str = #text;)
    });
    let tests = entries.iter().filter(|e| e.body.is_json()).map(|e| {
        let name = format_ident!("{}", e.constant);
        let test = format_ident!("{}", e.constant.to_lowercase());
        let ty = rust_type_in(api, &e.body.shape, None);
        quote! {
            #[test]
            fn #test() -> Outcome {
                round_trip::<#ty>(super::#name)
            }
        }
    });
    let needs_types = entries
        .iter()
        .any(|e| e.body.is_json() && super::files::mentions_named(&e.body.shape.ty));
    let uses = needs_types.then(|| {
        quote!(
            use crate::types::*;
        )
    });
    Some(quote! {
        #(#consts)*

        #[cfg(test)]
        mod tests {
            #uses
            use ::ofb_runtime::testing::round_trip;

            // A local alias shadows any schema of the same name the glob import brings in.
            type Outcome = ::std::result::Result<(), ::std::string::String>;

            #(#tests)*
        }
    })
}
