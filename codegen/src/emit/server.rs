//! The `server` module (behind the crate's `server` feature): the trait an institution
//! implements, one async method per operation; the operations as data for the runtime; and
//! `router`, a plain `axum::Router` that does everything before and after the trait is called.
//! How each typed request is read and each typed response written is derived on those types
//! (`derive(Request)`, `derive(Response)`).

use super::docs::{doc_attrs, doc_parts};
use crate::model::{Api, Operation};
use crate::naming::ident;
use crate::{Frequency, Settings};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The runtime's server module, as every emitted path names it: imported as `runtime`, a
/// lower-case name no trait, type or function of the module can have.
fn rt() -> TokenStream {
    quote!(runtime)
}

/// How the deadline of an operation reads in its docs.
fn deadline_doc(f: Option<Frequency>) -> String {
    let f = f.unwrap_or(Frequency::Unclassified);
    let budget = f.budget().as_millis();
    match f {
        Frequency::Unclassified => format!(
            "Deadline: {budget} ms, the strictest, as no frequency class is recorded for this \
             operation; after it the router answers 504."
        ),
        class => format!(
            "Deadline: {budget} ms, 60% of the {} ms the regulation allows a {} frequency \
             endpoint (the platform keeps the rest); after it the router answers 504.",
            class.limit().as_millis(),
            class.name()
        ),
    }
}

fn trait_method(op: &Operation, settings: &Settings) -> TokenStream {
    let f = ident(&op.name);
    let req = ident(&op.request_type);
    let resp = ident(&op.response_type);
    let route = format!("`{} {}`", op.method, op.path);
    let deadline = deadline_doc(settings.frequency_of(op));
    let doc = doc_parts(&[
        op.summary.as_deref(),
        Some(&route),
        op.description.as_deref(),
        Some(&deadline),
    ]);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #doc
        #deprecated
        fn #f(&self, request: #req, context: Context) -> impl Future<Output = Result<#resp, Self::Error>> + Send;
    }
}

/// The server module's tokens, with the trait named `service`.
pub fn module(api: &Api, settings: &Settings) -> Option<TokenStream> {
    if api.operations.is_empty() {
        return None;
    }
    let rt = rt();
    let service = ident(&settings.service());
    let title = format!("{} {}", api.title, api.version);
    // Each request type knows its operation (`derive(Request)`).
    let statics: Vec<TokenStream> = api
        .operations
        .iter()
        .map(|op| {
            let req = ident(&op.request_type);
            quote!(#req::OPERATION)
        })
        .collect();
    let count = Literal::usize_unsuffixed(statics.len());
    let any_interaction = api
        .operations
        .iter()
        .any(Operation::declares_interaction_id);
    let methods = api.operations.iter().map(|op| trait_method(op, settings));
    let validation = if settings.reports_violations() {
        quote!(#rt::Validation::Report)
    } else {
        quote!(#rt::Validation::Enforce)
    };
    let base_path = api.base_path.as_ref().map(|_| {
        quote! {
            /// Nest the router here, `axum::Router::new().nest(BASE_PATH, router(backend))`, so
            /// that two major versions serve side by side.
            pub use crate::BASE_PATH;
        }
    });
    // Routes grouped by path, in document order, each with its methods.
    let mut paths: Vec<(&str, Vec<(usize, &Operation)>)> = Vec::new();
    for (i, op) in api.operations.iter().enumerate() {
        match paths.iter_mut().find(|(p, _)| *p == op.path) {
            Some((_, ops)) => ops.push((i, op)),
            None => paths.push((op.path.as_str(), vec![(i, op)])),
        }
    }
    let routes = paths.iter().map(|(path, ops)| {
        let handlers = ops.iter().enumerate().map(|(n, (i, op))| {
            let f = ident(&op.name);
            let idx = Literal::usize_unsuffixed(*i);
            // Each method is a route of its own (with its layers and its operation's name),
            // merged into the path's method router.
            let route = quote! {
                shared.serve(&OPERATIONS[#idx], |s, r, c| async move { s.backend().#f(r, c).await }, B::on_error)
            };
            if n == 0 {
                route
            } else {
                quote!(.merge(#route))
            }
        });
        quote!(.route(#path, #(#handlers)*))
    });
    let service_doc = doc_attrs(Some(&format!(
        "The back-end of {title}: one method per operation, each taking the typed request and a \
         small context, and returning the typed response of one documented status. Everything \
         else (routing, validation, the interaction id, deadlines, the error envelope) is done \
         by [`router`] before and after these are called.\n\nImplement the methods with \
         `async fn`; the futures must be `Send`. Errors of type [`{service}::Error`] go through \
         [`{service}::on_error`] into the document's error envelope."
    )));
    Some(quote! {
        // Operation types end in `Request`, `Response` or `Headers`: none is a name of this
        // module's own, nor one of the prelude's.
        use crate::operations::*;
        use ofb_runtime::server::{self as runtime, Context};
        use std::future::Future;

        #service_doc
        pub trait #service: Send + Sync + 'static {
            /// The back-end's own error, turned into an answer by the error hook.
            type Error: std::fmt::Display + Send + 'static;

            #(#methods)*

            /// Turns an error of the back-end into an answer in the error envelope. The default
            /// logs the error and answers 500 without revealing it.
            fn on_error(&self, error: Self::Error, context: &Context) -> #rt::Failure {
                let _ = context;
                #rt::Failure::internal(&error)
            }
        }

        #base_path

        /// The document, as the runtime needs it for requests no operation matches
        /// (plumbing: kept out of the documentation).
        #[doc(hidden)]
        pub static DOCUMENT: #rt::Document = #rt::Document {
            title: #title,
            interaction_id: #any_interaction,
            validation: #validation,
        };

        /// The operations, in document order, as the runtime serves them (plumbing: kept out
        /// of the documentation).
        #[doc(hidden)]
        pub static OPERATIONS: [#rt::Operation; #count] = [#(#statics),*];

        /// [`router_with`] with the default [`Config`](runtime::Config).
        pub fn router<B: #service>(backend: B) -> axum::Router {
            router_with(backend, #rt::Config::default())
        }

        /// A plain `axum::Router` serving every operation through `backend`, at the paths of
        /// the document (nest it under the API's base path). Any tower layer applies to it.
        pub fn router_with<B: #service>(backend: B, config: #rt::Config) -> axum::Router {
            let shared = #rt::Shared::new(backend, config, &DOCUMENT);
            axum::Router::new()
                #(#routes)*
                .fallback(|request: axum::extract::Request| #rt::not_found(&DOCUMENT, request))
                .method_not_allowed_fallback(|request: axum::extract::Request| {
                    #rt::method_not_allowed(&DOCUMENT, request)
                })
        }

    })
}
