//! The `mock` module (behind the `server` feature): a back-end that answers every operation
//! with the example of its first success response, for data receivers to test against and for
//! the end-to-end tests. An example that does not fit its type becomes a 500 in the error
//! envelope, never an off-spec body.

use super::examples::constant_name;
use super::operations::{example_text, param_kind, typed_headers, ParamKind, VariantParts};
use crate::model::{Api, Operation, Response};
use crate::naming::ident;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

fn example(what: &str, json: &str) -> TokenStream {
    let what = Literal::string(what);
    let json = Literal::string(json);
    quote!(from_example(#what, #json)?)
}

/// What the answers name that the module imports only where it is used: a header's example
/// value is decoded by `from_example`, and a body with headers travels in a `WithHeaders`.
#[derive(Default)]
struct Uses {
    from_example: bool,
    with_headers: bool,
}

/// The answer of `op` with response `r`, recording in `uses` what it names.
fn answer(api: &Api, op: &Operation, r: &Response, uses: &mut Uses) -> TokenStream {
    let resp = ident(&op.response_type);
    let v = ident(&r.name);
    let parts = VariantParts::of(r);
    let body = r.body.as_ref().map(|b| {
        let c = quote::format_ident!("{}", constant_name(op, Some(r)));
        if b.is_json() {
            quote!(example(#c)?)
        } else {
            quote!(String::from(#c))
        }
    });
    let mut from_example = false;
    let headers = r.headers_type.as_deref().map(|h| {
        let h = ident(h);
        let fields = typed_headers(r).map(|p| {
            let f = ident(&p.name);
            if p.example.is_null() && !p.required {
                return quote!(#f: None,);
            }
            let value = match param_kind(api, &p.shape) {
                ParamKind::Scalar => {
                    from_example = true;
                    example(&format!("header {}", p.wire), &p.example.to_string())
                }
                ParamKind::List | ParamKind::Text => {
                    let t = example_text(&p.example);
                    quote!(String::from(#t))
                }
            };
            if p.required {
                quote!(#f: #value,)
            } else {
                quote!(#f: Some(#value),)
            }
        });
        let fields: Vec<TokenStream> = fields.collect();
        quote!(#h { #(#fields)* })
    });
    uses.from_example |= from_example;
    uses.with_headers |= body.is_some() && headers.is_some();
    let payload = super::operations::payload(api, body, headers, true);
    if parts.unit() {
        return quote!(#resp::#v);
    }
    if parts.tuple() {
        return quote!(#resp::#v(#payload));
    }
    let s = Literal::u16_unsuffixed(r.sent_status());
    let field = parts.field().map(|f| quote!(#f: #payload,));
    quote!(#resp::#v { status: #s, #field })
}

/// The mock module's tokens, implementing the trait named `service`.
pub fn module(api: &Api, service: &str) -> Option<TokenStream> {
    if api.operations.is_empty() {
        return None;
    }
    let service = ident(service);
    let title = format!("{} {}", api.title, api.version);
    let mut uses = Uses::default();
    let methods: Vec<TokenStream> = api
        .operations
        .iter()
        .map(|op| {
            let f = ident(&op.name);
            let req = ident(&op.request_type);
            let resp = ident(&op.response_type);
            let value = match op.mock_response() {
                Some(r) => {
                    let a = answer(api, op, r, &mut uses);
                    quote!(Ok(#a))
                }
                None => {
                    let msg = format!("`{}` documents no response", op.name);
                    quote!(Err(ExampleError(String::from(#msg))))
                }
            };
            quote! {
                async fn #f(&self, _: #req, _: Context) -> Result<#resp, ExampleError> {
                    self.pause().await;
                    #value
                }
            }
        })
        .collect();
    // Examples are constants (upper case), operation types end in `Request`, `Response` or
    // `Headers`: none is a name of this module's own, nor one of the prelude's, so `Option`,
    // `String` and the names imported below mean what they say.
    let bodies: Vec<&crate::model::Body> = api
        .operations
        .iter()
        .filter_map(|op| op.mock_response()?.body.as_ref())
        .collect();
    let examples = (!bodies.is_empty()).then(|| {
        quote!(
            use crate::examples::*;
        )
    });
    let decode = bodies.iter().any(|b| b.is_json()).then(|| quote!(example,));
    let from_example = uses.from_example.then(|| quote!(from_example,));
    let with_headers = uses.with_headers.then(|| {
        quote!(
            use ofb_runtime::WithHeaders;
        )
    });
    Some(quote! {
        #examples
        use crate::operations::*;
        use ofb_runtime::server::{#decode #from_example run_mock, Config, Context, ExampleError};
        #with_headers
        use std::process::ExitCode;
        use std::time::Duration;

        /// A back-end that answers every operation with the example of its first success
        /// response (or, without one, its first documented response).
        #[derive(Debug, Clone, Copy, Default)]
        pub struct Examples {
            delay: Option<Duration>,
        }

        impl Examples {
            /// The same back-end, waiting `delay` before each answer (to see deadlines work).
            pub fn delayed(delay: Duration) -> Self {
                Examples { delay: Some(delay) }
            }

            async fn pause(&self) {
                if let Some(d) = self.delay {
                    ofb_runtime::server::pause(d).await;
                }
            }
        }

        impl crate::server::#service for Examples {
            type Error = ExampleError;
            #(#methods)*
        }

        /// Serves [`Examples`] with the response check on: the `main` of the crate's `mock`
        /// example (`--addr HOST:PORT`, default a free port of 127.0.0.1).
        pub fn main() -> ExitCode {
            main_with(Config::default())
        }

        /// [`main`] with `config` (a verifier of signed bodies, say), the response check on.
        pub fn main_with(config: Config) -> ExitCode {
            let config = config.with_response_check(true);
            run_mock(#title, crate::server::router_with(Examples::default(), config))
        }
    })
}
