//! The `client` module (behind the `client` feature): a `Client` with one method per
//! operation. A method takes the required parameters and returns a call on which the optional
//! ones are chained; awaiting it sends the request through `ofb_runtime::client`, which keeps
//! every answer the server gives. The request and response types are those of `operations`,
//! so the server and the client speak the same types.

use super::docs::{doc_attrs, doc_parts};
use super::operations::{body_type_in, is_string, param_value_type};
use super::params;
use super::paths;
use crate::model::{Api, Operation, Param};
use crate::naming::{ident, Scope};
use proc_macro2::TokenStream;
use quote::quote;

fn rt() -> TokenStream {
    quote!(ofb_runtime::client)
}

fn types_path() -> TokenStream {
    quote!(crate::types)
}

/// Names the client module has for itself, before any call alias claims one.
const MODULE_NAMES: [&str; 21] = [
    "Client",
    "Call",
    "Outcome",
    "CallOptions",
    "Config",
    "Error",
    "ErrorKind",
    "Pages",
    "Reply",
    "RetryPolicy",
    "Secret",
    "TokenProvider",
    "ConfigError",
    "Core",
    "Paged",
    "Request",
    "Response",
    "Duration",
    "Future",
    "IntoFuture",
    "Pin",
];

/// The name of the call alias of `op`, claimed in `names`: two operations can share a type
/// name (`getX2`, `get_x_2`).
fn call_name(names: &mut Scope, op: &Operation) -> syn::Ident {
    ident(&names.claim(&format!("{}Call", op.type_name)))
}

/// The setter name of an optional parameter, claimed in `names` (which holds the call's own
/// methods): `set_<name>` where the name is one of those.
fn setter(names: &mut Scope, p: &Param) -> syn::Ident {
    let n = p.name.as_str();
    let wanted = if params::CALL_METHODS.contains(&n) {
        format!("set_{n}")
    } else {
        p.name.clone()
    };
    ident(&names.claim(&wanted))
}

/// How a method or setter takes parameter `p`: its type, and the conversion into the field's
/// (a string parameter takes `impl Into<String>`).
fn argument(api: &Api, p: &Param) -> (TokenStream, TokenStream) {
    if is_string(api, p) {
        let (string, into) = (paths::std(api, "String"), paths::std(api, "Into"));
        (quote!(impl #into<#string>), quote!(.into()))
    } else {
        (param_value_type(api, p, Some(&types_path())), quote!())
    }
}

/// The setters of the shared parameters, one generic `impl` each, and their markers.
fn shared_setters(api: &Api, shared: &params::Shared<'_>) -> TokenStream {
    if shared.is_empty() {
        return quote!();
    }
    let rt = rt();
    let mut markers = Vec::new();
    let mut impls = Vec::new();
    for s in shared.values() {
        let p = s.param;
        let marker = ident(&params::marker(&p.name));
        let what = format!(
            "The optional parameter `{}`, which {} operations take.",
            p.wire, s.count
        );
        let what = doc_attrs(Some(&what));
        markers.push(quote!(#what pub struct #marker;));
        let f = ident(&params::setter_name(p));
        let t = param_value_type(api, p, Some(&types_path()));
        let (arg_t, conv) = argument(api, p);
        let pdoc = doc_attrs(p.doc.as_deref());
        impls.push(quote! {
            impl<Q: #rt::Param<params::#marker, Value = #t>> Call<'_, Q> {
                #pdoc
                pub fn #f(mut self, value: #arg_t) -> Self {
                    #rt::Param::<params::#marker>::set(&mut self.request, value #conv);
                    self
                }
            }
        });
    }
    quote! {
        /// Markers of the optional parameters several operations take alike: each gives the
        /// calls of all of them one setter.
        pub mod params {
            #(#markers)*
        }
        #(#impls)*
    }
}

/// The `Client` method of `op`, and the name of its call with the setters of its optional
/// parameters.
fn method_and_call(
    api: &Api,
    op: &Operation,
    call: &syn::Ident,
    shared: &params::Shared<'_>,
) -> (TokenStream, TokenStream) {
    let req = ident(&op.request_type);
    let f = ident(&op.name);
    let name = op.name.as_str();
    let line = format!("`{} {}`", op.method, op.path);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let doc = doc_parts(&[
        op.summary.as_deref(),
        Some(&line),
        op.description.as_deref(),
    ]);

    let mut args = Vec::new();
    let mut values = Vec::new();
    let mut setters = Vec::new();
    let mut names = Scope::with_reserved(&params::CALL_METHODS);
    let some = paths::std(api, "Some");
    for p in op.params.iter().filter(|p| !p.is_managed()) {
        let field = ident(&p.name);
        let pdoc = doc_attrs(p.doc.as_deref());
        let (arg_t, conv) = argument(api, p);
        if p.required {
            args.push(quote!(#field: #arg_t));
            values.push(quote!(#field #conv));
        } else if shared.contains_key(p.name.as_str()) {
            // Set through the shared setter of every call that has it.
        } else {
            let s = setter(&mut names, p);
            setters.push(quote! {
                #pdoc
                pub fn #s(mut self, value: #arg_t) -> Self {
                    self.request.#field = #some(value #conv);
                    self
                }
            });
        }
    }
    if let Some(b) = &op.body {
        let t = body_type_in(api, b, &types_path());
        let bdoc = doc_attrs(b.doc.as_deref().or(Some("The request body.")));
        if b.required {
            args.push(quote!(body: #t));
            values.push(quote!(body));
        } else {
            let s = ident(&names.claim("body"));
            setters.push(quote! {
                #bdoc
                pub fn #s(mut self, body: #t) -> Self {
                    self.request.body = #some(body);
                    self
                }
            });
        }
    }
    let many = (args.len() > 6).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let method = quote! {
        #doc
        #deprecated
        #many
        pub fn #f(&self, #(#args),*) -> #call<'_> {
            self.call(#req::new(#(#values),*))
        }
    };
    let what = format!(
        "A call of [`Client::{name}`] being set up: chain the optional parameters, then `.await` it."
    );
    let setters = (!setters.is_empty()).then(|| {
        quote! {
            impl Call<'_, #req> {
                #(#setters)*
            }
        }
    });
    let what = doc_attrs(Some(&what));
    let call_type = quote! {
        #what
        pub type #call<'c> = Call<'c, #req>;
        #setters
    };
    (method, call_type)
}

/// The module's items, or `None` when the document has no operation.
pub fn module(api: &Api) -> Option<TokenStream> {
    if api.operations.is_empty() {
        return None;
    }
    let rt = rt();
    let title = format!("{} {}", api.title, api.version);
    let base = match &api.base_path {
        Some(p) => format!(
            "The base URL is the server's origin followed by [`crate::BASE_PATH`] (`https://api.banco.example{p}`)."
        ),
        None => String::from(
            "The base URL is where the institution serves the paths of the document (it names no server of its own).",
        ),
    };
    let doc = format!(
        "A client of {title}: one method per operation, each returning a call on which the optional parameters are chained and which is then awaited.\n\n{base} Cloning is cheap and clones share one connection pool."
    );
    let mut methods = Vec::new();
    let mut calls = Vec::new();
    let mut names = Scope::with_reserved(&MODULE_NAMES);
    let shared = params::shared(api);
    let shared_impls = shared_setters(api, &shared);
    for op in &api.operations {
        let call = call_name(&mut names, op);
        let (m, c) = method_and_call(api, op, &call, &shared);
        methods.push(m);
        calls.push(c);
    }
    let doc = doc_attrs(Some(&doc));
    Some(quote! {
        // Operation types end in `Request`, `Response` or `Headers`: none is a name of this
        // module's own or of the prelude's, and the glob gives way to those anyway.
        use crate::operations::*;
        pub use #rt::{CallOptions, Config, Error, ErrorKind, Pages, Reply, RetryPolicy, Secret, TokenProvider};
        use #rt::{ConfigError, Core, Paged, Request, Response};
        use std::future::{Future, IntoFuture};
        use std::pin::Pin;
        use std::time::Duration;

        #doc
        #[derive(Debug, Clone)]
        pub struct Client {
            core: Core,
        }

        impl Client {
            /// A client of the server at `base_url`, with the defaults of [`Config`].
            pub fn new(base_url: &str) -> Result<Self, ConfigError> {
                Self::with_config(Config::new(base_url))
            }

            /// A client built from `config` (HTTP client with mTLS, timeout, token provider,
            /// retry policy, headers for every call).
            pub fn with_config(config: Config) -> Result<Self, ConfigError> {
                Ok(Client { core: Core::new(config)? })
            }

            /// A client sharing `core` (its connection pool, token and settings): plumbing for
            /// layers such as the partner session, kept out of the documentation.
            #[doc(hidden)]
            pub fn from_core(core: Core) -> Self {
                Client { core }
            }

            /// The shared part of the client.
            pub fn core(&self) -> &Core {
                &self.core
            }

            /// A call of `request`, to set up and await.
            fn call<Q>(&self, request: Q) -> Call<'_, Q> {
                Call { client: self, request, options: Default::default() }
            }

            #(#methods)*
        }

        /// A call being set up: chain the optional parameters of its operation, then `.await`
        /// it (or, for a list, walk its [`pages`](Call::pages)). Each operation has an alias of
        /// it (`…Call`), and the setters of its optional parameters are on that alias.
        #[derive(Debug)]
        #[must_use = "a call does nothing until it is awaited"]
        pub struct Call<'c, Q> {
            client: &'c Client,
            request: Q,
            options: CallOptions,
        }

        impl<Q: Request> Call<'_, Q> {
            /// The deadline of this call, instead of the client's.
            pub fn timeout(mut self, timeout: Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }

            /// Sends one more header the document does not declare.
            pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.options.headers.push((name.into(), value.into()));
                self
            }

            /// Sends this `x-fapi-interaction-id` instead of a minted one (where the operation
            /// declares the header).
            pub fn x_fapi_interaction_id(mut self, id: impl Into<String>) -> Self {
                self.options.interaction_id = Some(id.into());
                self
            }

            /// Sends the request even where it breaks the document's rules (checked by
            /// default: a request that breaks them is refused before it leaves).
            pub fn unchecked(mut self) -> Self {
                self.options.unchecked = true;
                self
            }

            /// The request as it stands.
            pub fn request(&self) -> &Q {
                &self.request
            }

            /// Sends the request: the typed success, or an error that keeps what the server sent.
            pub async fn send(self) -> Outcome<Q> {
                self.client.core.call(self.request, self.options).await
            }
        }

        impl<Q: Paged> Call<'_, Q> {
            /// Every page from this one on, following `links.next` (only its query, on this
            /// client's base URL); each page is one call with its own interaction id.
            pub fn pages(self) -> Pages<Q::Response> {
                self.client.core.pages(self.request, self.options)
            }
        }

        impl<'c, Q: Request> IntoFuture for Call<'c, Q> {
            type Output = Outcome<Q>;
            type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }

        /// What a call of request `Q` ends in: its typed success, or an error that keeps what
        /// the server sent.
        pub type Outcome<Q> = Result<
            Reply<<<Q as Request>::Response as Response>::Success>,
            Error<<Q as Request>::Response>,
        >;

        #shared_impls
        #(#calls)*
    })
}
