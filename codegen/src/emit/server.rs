//! The `server` module (behind the crate's `server` feature): the trait an institution
//! implements, one async method per operation; the operations as data for the runtime; how each
//! typed request is read and each typed response written; and `router`, a plain
//! `axum::Router` that does everything before and after the trait is called.

use super::docs::{doc_attrs, doc_parts};
use super::operations::{fixed_status, param_kind, typed_headers, ParamKind, VariantParts};
use super::validate::Used;
use crate::model::{Api, Location, Operation, Param, Response, Shape, Status, Ty, TypeKind};
use crate::naming::ident;
use crate::{Frequency, Settings};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// The runtime's server module, as every emitted path names it.
fn rt() -> TokenStream {
    quote!(::ofb_runtime::server)
}

/// Whether `op` declares the FAPI interaction id as a request header.
pub fn declares_interaction_id(op: &Operation) -> bool {
    op.params.iter().any(super::operations::is_managed)
}

fn frequency(f: Option<Frequency>) -> TokenStream {
    let rt = rt();
    match f {
        Some(Frequency::High) => quote!(#rt::Frequency::High),
        Some(Frequency::MediumHigh) => quote!(#rt::Frequency::MediumHigh),
        Some(Frequency::Medium) => quote!(#rt::Frequency::Medium),
        Some(Frequency::Low) => quote!(#rt::Frequency::Low),
        Some(Frequency::Unclassified) | None => quote!(#rt::Frequency::Unclassified),
    }
}

fn operation_static(op: &Operation, settings: &Settings) -> TokenStream {
    let rt = rt();
    let name = op.name.trim_start_matches("r#");
    let (method, path) = (&op.method, &op.path);
    let freq = frequency(settings.frequency_of(op));
    let request_media = match &op.body {
        Some(b) => {
            let m = &b.media;
            quote!(::std::option::Option::Some(#m))
        }
        None => quote!(::std::option::Option::None),
    };
    let body_required = op.body.as_ref().is_some_and(|b| b.required);
    let signed_request = op.body.as_ref().is_some_and(|b| b.signed);
    let media = super::operations::response_media(op);
    let interaction = declares_interaction_id(op);
    let unprocessable = op.responses.iter().any(|r| r.status == Status::Code(422));
    quote! {
        #rt::Operation {
            name: #name,
            method: #method,
            path: #path,
            frequency: #freq,
            request_media: #request_media,
            body_required: #body_required,
            signed_request: #signed_request,
            response_media: &[#(#media),*],
            interaction_id: #interaction,
            unprocessable: #unprocessable,
        }
    }
}

/// The rules static of a parameter or header, or `Rules::NONE`.
fn rules(used: &mut Used, shape: &Shape) -> TokenStream {
    match used.rules_path(shape) {
        Some(r) => quote!(&crate::rules::#r),
        None => quote!(&::ofb_runtime::Rules::NONE),
    }
}

fn location(l: Location) -> TokenStream {
    let rt = rt();
    match l {
        Location::Path => quote!(#rt::In::Path),
        Location::Query => quote!(#rt::In::Query),
        Location::Header => quote!(#rt::In::Header),
        Location::Cookie => quote!(#rt::In::Cookie),
    }
}

fn read_param(api: &Api, used: &mut Used, p: &Param) -> TokenStream {
    let f = ident(&p.name);
    let at = location(p.location);
    let wire = &p.wire;
    let read = match (param_kind(api, &p.shape), p.required) {
        (ParamKind::Scalar, true) => {
            let r = rules(used, &p.shape);
            quote!(i.required(#at, #wire, #r))
        }
        (ParamKind::Scalar, false) => {
            let r = rules(used, &p.shape);
            quote!(i.optional(#at, #wire, #r))
        }
        (ParamKind::List, req) => {
            let r = rules(used, &p.shape);
            let explode = p.explode;
            if req {
                quote!(i.required_list(#at, #wire, #explode, #r))
            } else {
                quote!(i.optional_list(#at, #wire, #explode, #r))
            }
        }
        // Structured parameters are carried as text, unchecked.
        (ParamKind::Text, true) => quote!(i.required(#at, #wire, &::ofb_runtime::Rules::NONE)),
        (ParamKind::Text, false) => quote!(i.optional(#at, #wire, &::ofb_runtime::Rules::NONE)),
    };
    quote!(let #f = #read;)
}

/// `requestMeta.correlationId` of the body, where the request has one: the path of fields
/// (with whether each is optional) from the body to it.
fn correlation_path(api: &Api, op: &Operation) -> Option<Vec<(String, bool)>> {
    let body = op.body.as_ref().filter(|b| b.is_json())?;
    let mut path = Vec::new();
    let mut shape = &body.shape;
    for wire in ["requestMeta", "correlationId"] {
        let Ty::Named(id) = &shape.ty else {
            return None;
        };
        let TypeKind::Struct(s) = &api.ty(*id).kind else {
            return None;
        };
        let f = s.fields.iter().find(|f| f.wire == wire)?;
        if f.shape.nullable || f.boxed {
            return None;
        }
        path.push((f.name.clone(), !f.required));
        shape = &f.shape;
    }
    let is_text = match &shape.ty {
        Ty::String => true,
        Ty::Named(id) => matches!(&api.ty(*id).kind, TypeKind::Alias(s) if s.ty == Ty::String),
        _ => false,
    };
    is_text.then_some(path)
}

fn from_inputs(api: &Api, used: &mut Used, op: &Operation) -> TokenStream {
    let rt = rt();
    let name = ident(&op.request_type);
    let reads: Vec<TokenStream> = op.params.iter().map(|p| read_param(api, used, p)).collect();
    let mut fields: Vec<TokenStream> = op
        .params
        .iter()
        .map(|p| {
            let f = ident(&p.name);
            quote!(#f: #f?,)
        })
        .collect();
    let body = op.body.as_ref().map(|b| {
        let read = match (b.is_json(), b.required) {
            (true, true) => quote!(i.json()),
            (true, false) => quote!(i.json_optional()),
            (false, true) => quote!(i.text()),
            (false, false) => quote!(i.text_optional()),
        };
        fields.push(quote!(body: body?,));
        quote!(let body = #read;)
    });
    let param = if op.params.is_empty() && op.body.is_none() {
        quote!(_i)
    } else {
        quote!(i)
    };
    let correlation = correlation_path(api, op).map(|path| {
        let body_step = match op.body.as_ref().is_some_and(|b| b.required) {
            true => quote!(let x = &self.body;),
            false => quote!(let x = self.body.as_ref()?;),
        };
        let steps = path.iter().map(|(f, optional)| {
            let f = ident(f);
            if *optional {
                quote!(let x = x.#f.as_ref()?;)
            } else {
                quote!(let x = &x.#f;)
            }
        });
        quote! {
            fn correlation_id(&self) -> ::std::option::Option<&str> {
                #body_step
                #(#steps)*
                ::std::option::Option::Some(x.as_str())
            }
        }
    });
    quote! {
        impl #rt::FromInputs for crate::operations::#name {
            fn from_inputs(#param: &mut #rt::Inputs<'_>) -> ::std::option::Option<Self> {
                #(#reads)*
                #body
                ::std::option::Option::Some(Self { #(#fields)* })
            }
            #correlation
        }
    }
}

fn write_response(api: &Api, used: &mut Used, r: &Response) -> TokenStream {
    let v = ident(&r.name);
    let parts = VariantParts::of(r);
    let status = match (r.status, fixed_status(r)) {
        (_, Some(c)) => {
            let c = Literal::u16_unsuffixed(c);
            quote!(reply.status(#c);)
        }
        (Status::Range(h), None) => {
            let h = Literal::u16_unsuffixed(h);
            quote!(reply.status_in(status, ::std::option::Option::Some(#h));)
        }
        _ => quote!(reply.status_in(status, ::std::option::Option::None);),
    };
    let body = r.body.as_ref().map(|b| {
        if b.signed {
            quote!(reply.signed(&body);)
        } else if b.is_json() {
            quote!(reply.json(&body);)
        } else {
            let m = Literal::string(&b.media);
            quote!(reply.text(#m, &body);)
        }
    });
    let headers: Vec<TokenStream> = typed_headers(r)
        .map(|h| {
            let f = ident(&h.name);
            let wire = h.wire.to_ascii_lowercase();
            let rl = match param_kind(api, &h.shape) {
                ParamKind::Scalar => rules(used, &h.shape),
                _ => quote!(&::ofb_runtime::Rules::NONE),
            };
            if h.required {
                quote!(reply.header(#wire, &headers.#f, #rl);)
            } else {
                quote!(reply.header_opt(#wire, &headers.#f, #rl);)
            }
        })
        .collect();
    let pattern = if parts.tuple() {
        if parts.body {
            quote!(Self::#v(body))
        } else {
            quote!(Self::#v(headers))
        }
    } else if !parts.status && !parts.body && !parts.headers {
        quote!(Self::#v)
    } else {
        let mut binds = Vec::new();
        if parts.status {
            binds.push(quote!(status));
        }
        if parts.body {
            binds.push(quote!(body));
        }
        if parts.headers {
            binds.push(quote!(headers));
        }
        quote!(Self::#v { #(#binds),* })
    };
    quote!(#pattern => { #status #body #(#headers)* })
}

fn into_reply(api: &Api, used: &mut Used, op: &Operation) -> TokenStream {
    let rt = rt();
    let name = ident(&op.response_type);
    let arms: Vec<TokenStream> = op
        .responses
        .iter()
        .map(|r| write_response(api, used, r))
        .collect();
    let (param, body) = if arms.is_empty() {
        (quote!(_reply), quote!(match self {}))
    } else {
        (quote!(reply), quote!(match self { #(#arms)* }))
    };
    quote! {
        impl #rt::IntoReply for crate::operations::#name {
            fn into_reply(self, #param: &mut #rt::Reply) {
                #body
            }
        }
    }
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
        fn #f(
            &self,
            request: crate::operations::#req,
            context: ::ofb_runtime::server::Context,
        ) -> impl ::std::future::Future<
            Output = ::std::result::Result<crate::operations::#resp, Self::Error>,
        > + ::std::marker::Send;
    }
}

/// The server module's tokens, with the trait named `service`.
pub fn module(api: &Api, settings: &Settings, used: &mut Used) -> Option<TokenStream> {
    if api.operations.is_empty() {
        return None;
    }
    let rt = rt();
    let service = ident(&settings.service());
    let title = format!("{} {}", api.title, api.version);
    let statics: Vec<TokenStream> = api
        .operations
        .iter()
        .map(|op| operation_static(op, settings))
        .collect();
    let count = Literal::usize_unsuffixed(statics.len());
    let any_interaction = api.operations.iter().any(declares_interaction_id);
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
    let impls: Vec<TokenStream> = api
        .operations
        .iter()
        .map(|op| {
            let r = from_inputs(api, used, op);
            let w = into_reply(api, used, op);
            quote!(#r #w)
        })
        .collect();
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
            let m = format_ident!("{}", op.method.to_ascii_lowercase());
            let f = ident(&op.name);
            let idx = Literal::usize_unsuffixed(*i);
            let handler = quote! {{
                let shared = shared.clone();
                move |request: ::axum::extract::Request| {
                    #rt::handle(
                        shared.clone(),
                        &OPERATIONS[#idx],
                        request,
                        |s: ::std::sync::Arc<#rt::Shared<B>>, r, c| async move { s.backend().#f(r, c).await },
                        B::on_error,
                    )
                }
            }};
            // Each method is a route of its own (with its layers and its operation's name),
            // merged into the path's method router.
            let route = quote!(shared.route(&OPERATIONS[#idx], ::axum::routing::#m(#handler)));
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
        #service_doc
        pub trait #service: ::std::marker::Send + ::std::marker::Sync + 'static {
            /// The back-end's own error, turned into an answer by the error hook.
            type Error: ::std::fmt::Display + ::std::marker::Send + 'static;

            #(#methods)*

            /// Turns an error of the back-end into an answer in the error envelope. The default
            /// logs the error and answers 500 without revealing it.
            fn on_error(&self, error: Self::Error, context: &#rt::Context) -> #rt::Failure {
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

        /// [`router_with`] with the default [`Config`](::ofb_runtime::server::Config).
        pub fn router<B: #service>(backend: B) -> ::axum::Router {
            router_with(backend, #rt::Config::default())
        }

        /// A plain `axum::Router` serving every operation through `backend`, at the paths of
        /// the document (nest it under the API's base path). Any tower layer applies to it.
        pub fn router_with<B: #service>(backend: B, config: #rt::Config) -> ::axum::Router {
            let shared = #rt::Shared::new(backend, config, &DOCUMENT);
            ::axum::Router::new()
                #(#routes)*
                .fallback(|request: ::axum::extract::Request| #rt::not_found(&DOCUMENT, request))
                .method_not_allowed_fallback(|request: ::axum::extract::Request| {
                    #rt::method_not_allowed(&DOCUMENT, request)
                })
        }

        #(#impls)*
    })
}
