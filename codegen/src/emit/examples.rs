//! The `examples` module: one JSON example per distinct body (bodies of one type with the same
//! example share it; the model names them), and a test per example that it deserializes into
//! its type, serializes back to an equal JSON value and passes `validate()`.

use super::types::rust_type_in;
use crate::model::{Api, Body, Operation, Response};
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
/// its responses: the one the model gave it, shared by bodies of the same type and example.
pub fn constant_name(op: &Operation, response: Option<&Response>) -> String {
    let body = match response {
        None => op.body.as_ref(),
        Some(r) => r.body.as_ref(),
    };
    match body
        .map(|b| b.example_name.as_str())
        .filter(|n| !n.is_empty())
    {
        Some(n) => n.to_owned(),
        // Examples not named yet (a model built without them): the place's own name.
        None => {
            let base = op.name.to_shouty_snake_case();
            match response {
                None => format!("{base}_REQUEST"),
                Some(r) => format!("{base}_{}", r.name.to_shouty_snake_case()),
            }
        }
    }
}

/// Every distinct example body, once, with what its doc says of it.
fn entries(api: &Api) -> Vec<Entry<'_>> {
    let mut out: Vec<Entry<'_>> = Vec::new();
    let mut all: Vec<(&Body, String)> = Vec::new();
    for sample in &api.samples {
        all.push((sample, String::new()));
    }
    for op in &api.operations {
        let name = op.name.as_str();
        if let Some(b) = &op.body {
            all.push((
                b,
                format!("the request body of `{name}` ({} {})", op.method, op.path),
            ));
        }
        for r in &op.responses {
            if let Some(b) = &r.body {
                let what = format!(
                    "the `{}` response body of `{name}` ({} {})",
                    r.status.key(),
                    op.method,
                    op.path
                );
                all.push((b, what));
            }
        }
    }
    for (body, place) in all {
        if body.example_name.is_empty() {
            continue;
        }
        let constant = body.example_name.clone();
        if out.iter().any(|e| e.constant == constant) {
            continue;
        }
        let what = match &body.shape.ty {
            crate::model::Ty::Named(id) if body.is_json() => {
                format!("An example `{}`.", api.ty(*id).name)
            }
            _ => format!("An example of {place}, in `{}`.", body.media),
        };
        out.push(Entry {
            constant,
            body,
            what,
        });
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
        let docs = super::docs::doc_attrs(Some(&e.what));
        let text = super::raw_string(&text);
        quote!(#docs pub const #name: &str = #text;)
    });
    let tests = entries.iter().filter(|e| e.body.is_json()).map(|e| {
        let name = format_ident!("{}", e.constant);
        let test = crate::naming::ident(&crate::naming::value_name(&e.constant));
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
        .any(|e| e.body.is_json() && e.body.shape.ty.mentions_named());
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
            use ofb_runtime::testing::round_trip;

            // A local alias shadows any schema of the same name the glob import brings in.
            type Outcome = ::std::result::Result<(), ::std::string::String>;

            #(#tests)*
        }
    })
}
