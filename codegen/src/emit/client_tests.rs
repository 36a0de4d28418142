//! `tests/client.rs` of a generated crate: the generated client against the generated router
//! with the example back-end, over real HTTP on 127.0.0.1. Every operation is called with its
//! required parameters taken from the document's examples and must come back typed; then a
//! deadline passed, a base URL the router does not serve, and a port nobody listens on must
//! each give their error, with the answer kept where there was one.

use super::examples::constant_name;
use super::operations::is_string;
use super::operations::{example_text, param_kind, ParamKind};
use crate::model::{Api, Operation, Status};
use crate::naming::ident;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// The required arguments of `op`'s client method, from the examples.
fn arguments(api: &Api, krate: &syn::Ident, op: &Operation) -> Vec<TokenStream> {
    let mut args = Vec::new();
    for p in op.params.iter().filter(|p| p.required && !p.is_managed()) {
        let arg = if is_string(api, p) {
            let t = Literal::string(&example_text(&p.example));
            quote!(#t)
        } else if let ParamKind::List = param_kind(api, &p.shape) {
            let items: Vec<String> = match &p.example {
                serde_json::Value::Array(items) => items.iter().map(example_text).collect(),
                other => vec![example_text(other)],
            };
            let items = items
                .iter()
                .map(|t| quote!(#t.parse().expect("the example parses")));
            quote!(::std::vec![#(#items),*])
        } else {
            let t = Literal::string(&example_text(&p.example));
            quote!(#t.parse().expect("the example parses"))
        };
        args.push(arg);
    }
    if let Some(b) = op.body.as_ref().filter(|b| b.required) {
        let c = format_ident!("{}", constant_name(op, None));
        let _ = krate;
        args.push(if b.is_json() {
            quote!(example(#c))
        } else {
            quote!(::std::string::String::from(#c))
        });
    }
    args
}

/// The file, or `None` for a document without operations.
pub fn file(api: &Api, krate_name: &str) -> Option<TokenStream> {
    let first = api.operations.first()?;
    let krate = format_ident!("{}", krate_name);
    let calls = api.operations.iter().map(|op| {
        let f = ident(&op.name);
        let args = arguments(api, &krate, op);
        let what = format!("{} {}", op.method, op.path);
        let call = quote!(client.#f(#(#args),*).await);
        // A call of an operation the document deprecates is allowed where it is made, and
        // only there.
        let allow = op.deprecated.then(|| quote!(#[allow(deprecated)]));
        match op.mock_response() {
            Some(r) if r.is_success() => {
                let status = Literal::u16_unsuffixed(r.sent_status());
                let echoes = op.declares_interaction_id();
                quote! {
                    #allow
                    let outcome = #call;
                    expect_reply(#what, #status, #echoes, outcome);
                }
            }
            other => {
                let status =
                    Literal::u16_unsuffixed(other.map_or(500, crate::model::Response::sent_status));
                quote! {
                    #allow
                    let e = #call.expect_err(#what);
                    assert_eq!(e.status(), Some(#status), "{}: {e}", #what);
                    if let ErrorKind::Status { response, .. } = &*e.kind {
                        assert_eq!(response.status().as_u16(), #status, "{}", #what);
                    }
                }
            }
        }
    });
    // The failure cases call one operation: the first the document does not deprecate.
    let first = api
        .operations
        .iter()
        .find(|o| !o.deprecated)
        .unwrap_or(first);
    let f = ident(&first.name);
    let args = arguments(api, &krate, first);
    let first_call = quote!(client.#f(#(#args),*).await);
    let documents_404 = first.responses.iter().any(|r| match r.status {
        Status::Code(c) => c == 404,
        Status::Range(h) => h == 4,
        Status::Default => true,
    });
    let not_found = if documents_404 {
        quote! {
            assert!(e.response().is_some(), "a documented 404 decodes into its variant: {e:?}");
        }
    } else {
        quote! {
            assert!(matches!(*e.kind, ErrorKind::Undocumented { .. }), "{e:?}");
        }
    };
    // Signed bodies: the client signs with the process's test key pair, the router verifies
    // with its public half.
    let signs = api.signs();
    let (router, client) = if signs {
        (
            quote!(#krate::server::router_with(
                backend,
                ::ofb_runtime::server::Config::default()
                    .with_verifier(::ofb_runtime::testing::keys::TestKeys::shared().verifier())
                    .with_signer(::ofb_runtime::testing::keys::TestKeys::shared().signer()),
            )),
            quote!(Client::with_config(config(&server.url(""))).expect("a client")),
        )
    } else {
        (
            quote!(router(backend)),
            quote!(Client::with_config(config(&server.url(""))).expect("a client")),
        )
    };
    let signer = signs.then(|| {
        quote!(
            .with_signer(::ofb_runtime::testing::keys::TestKeys::shared().signer())
            .with_verifier(::ofb_runtime::testing::keys::TestKeys::shared().verifier())
        )
    });
    let router_import = (!signs).then(|| quote!(use #krate::server::router;));
    // The check of a success, written once for the operations that answer one.
    let expect_reply = api
        .operations
        .iter()
        .any(|op| op.mock_response().is_some_and(|r| r.is_success()))
        .then(|| {
            quote! {
                /// A call that succeeded: its status, and the interaction id it echoes where the
                /// operation declares one.
                #[track_caller]
                fn expect_reply<T, R>(
                    what: &str,
                    status: u16,
                    echoes: bool,
                    outcome: Result<ofb_runtime::client::Reply<T>, ofb_runtime::client::Error<R>>,
                ) {
                    let reply = outcome.unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(reply.status, status, "{what}");
                    assert!(!echoes || reply.interaction_id.is_some(), "{what}: no interaction id");
                }
            }
        });
    // Bodies come from the crate's examples: their constants, and a decoder where one is JSON.
    let bodies: Vec<&crate::model::Body> = api
        .operations
        .iter()
        .filter_map(|o| o.body.as_ref().filter(|b| b.required))
        .collect();
    let examples = (!bodies.is_empty()).then(|| quote!(use #krate::examples::*;));
    let example = bodies.iter().any(|b| b.is_json()).then(|| {
        quote! {
            /// An example body, decoded into the type the call takes.
            fn example<T: serde::de::DeserializeOwned>(json: &str) -> T {
                serde_json::from_str(json).expect("the example decodes")
            }
        }
    });
    Some(quote! {
        //! The generated client against the generated router with the example back-end, over
        //! real HTTP on 127.0.0.1.
        #examples

        use #krate::client::{Client, Config, ErrorKind};
        use #krate::mock::Examples;
        #router_import
        use ofb_runtime::server::testing::TestServer;
        use std::time::Duration;

        async fn start(backend: Examples) -> TestServer {
            TestServer::start(#router).await
        }

        /// A client's config for `url`.
        fn config(url: &str) -> Config {
            Config::new(url) #signer
        }

        #expect_reply
        #example

        #[tokio::test]
        async fn every_operation_comes_back_typed() {
            let server = start(Examples::default()).await;
            let client = #client;
            #(#calls)*
            server.shutdown().await;
        }

        #[tokio::test]
        async fn a_deadline_passed_is_a_timeout() {
            let server = start(Examples::delayed(Duration::from_millis(800))).await;
            let client = Client::with_config(config(&server.url("")).timeout(Duration::from_millis(100))).expect("a client");
            let e = #first_call.expect_err("too slow");
            assert!(e.is_timeout(), "{e:?}");
            assert_eq!(e.status(), None);
        }

        #[tokio::test]
        async fn an_unserved_base_url_gets_the_routers_404_kept_whole() {
            let server = start(Examples::default()).await;
            let client = Client::with_config(config(&server.url("/ofb-no-such-base"))).expect("a client");
            let e = #first_call.expect_err("no such route");
            assert_eq!(e.status(), Some(404), "{e}");
            let raw = e.raw().expect("the answer is kept");
            assert!(raw.text().contains("errors"), "{}", raw.text());
            #not_found
        }

        #[tokio::test]
        async fn a_refused_connection_is_a_connect_error() {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
            let addr = listener.local_addr().expect("an address");
            drop(listener);
            let client = Client::with_config(config(&format!("http://{addr}"))).expect("a client");
            let e = #first_call.expect_err("nobody listens");
            assert!(matches!(*e.kind, ErrorKind::Connect { .. }), "{e:?}");
        }
    })
}
