//! `tests/server.rs` of a generated crate: its router served on 127.0.0.1 with the mock
//! back-end and called over real HTTP. Every operation is called with a valid request built
//! from the document's examples and must answer its example, typed and valid; then the requests
//! the router must refuse (unknown route, wrong method, `Accept`, body limit, deadline, the
//! interaction id, malformed and invalid bodies, wrong content type, a pattern broken) must each
//! get their status and a valid error envelope. Cases are chosen from the document by rule, so
//! any document gets them; a case the document gives no occasion for is left out.

use super::examples::constant_name;
use super::operations::{example_text as text, param_kind, ParamKind};
use super::types::rust_type_in;
use crate::model::{is_managed_header, Api, Location, Operation, Param, Shape, Ty, TypeKind};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The interaction id the tests send.
const ID: &str = "1b9f7cd2-2a8b-4a1f-9c6e-0d4b8e2f3a10";

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A valid request of `op`: path with query, headers, body constant.
pub(crate) struct Call {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<(String, TokenStream)>,
}

/// What to do with one parameter of an otherwise valid request.
#[derive(Clone, Copy)]
pub(crate) enum Change<'a> {
    /// Leave it out.
    Drop(&'a Param),
    /// Send this value instead of its example (even where it is optional).
    Set(&'a Param, &'a str),
}

/// A request of `op` that passes validation, built from the examples; `change` drops or
/// replaces one parameter.
pub(crate) fn valid_call(op: &Operation, change: Option<Change<'_>>) -> Call {
    let mut path = op.path.clone();
    let mut query = Vec::new();
    let mut headers = Vec::new();
    let same = |a: &Param, b: &Param| a.wire == b.wire && a.location == b.location;
    for p in &op.params {
        let (value, forced) = match change {
            Some(Change::Drop(d)) if same(d, p) => continue,
            Some(Change::Set(d, v)) if same(d, p) => (v.to_owned(), true),
            _ if p.location == Location::Header && is_managed_header(&p.wire) => {
                (String::from(ID), true)
            }
            _ => (text(&p.example), p.required),
        };
        match p.location {
            Location::Path => path = path.replace(&format!("{{{}}}", p.wire), &encode(&value)),
            _ if !forced => {}
            Location::Query => query.push(format!("{}={}", encode(&p.wire), encode(&value))),
            Location::Header => headers.push((p.wire.clone(), value)),
            Location::Cookie => {
                headers.push((String::from("cookie"), format!("{}={value}", p.wire)))
            }
        }
    }
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    let body = op.body.as_ref().map(|b| {
        let c = format_ident!("{}", constant_name(op, None));
        (b.media.clone(), quote!(Some(#c.as_bytes())))
    });
    Call {
        method: op.method.clone(),
        target: path,
        headers,
        body,
    }
}

fn send(call: &Call, extra: &[(&str, &str)], body: Option<TokenStream>) -> TokenStream {
    let m = &call.method;
    let t = &call.target;
    let mut hs: Vec<TokenStream> = Vec::new();
    for (k, v) in &call.headers {
        // The interaction id the tests send is named, not spelt out each time.
        if v == ID {
            hs.push(quote!((#k, ID)));
        } else {
            hs.push(quote!((#k, #v)));
        }
    }
    if let Some((media, _)) = &call.body {
        if !extra
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            hs.push(quote!(("content-type", #media)));
        }
    }
    for (k, v) in extra {
        hs.push(quote!((#k, #v)));
    }
    let body = body
        .or_else(|| call.body.as_ref().map(|(_, b)| b.clone()))
        .unwrap_or_else(|| quote!(None));
    quote!(server.call(#m, #t, &[#(#hs),*], #body).await)
}

/// A value the pattern of `shape` refuses, within its length bounds (so that the pattern, not
/// the length, is what fails), where `shape` is a string with a checked pattern.
fn violating(api: &Api, shape: &Shape) -> Option<String> {
    let shape = match &shape.ty {
        Ty::String => shape,
        Ty::Named(id) => match &api.ty(*id).kind {
            TypeKind::Alias(s) if s.ty == Ty::String => s,
            _ => return None,
        },
        _ => return None,
    };
    let m = api.matchers.get(shape.c.pattern?)?;
    let len = shape.c.min_length.unwrap_or(1).max(1) as usize;
    if shape.c.max_length.is_some_and(|max| (max as usize) < len) {
        return None;
    }
    ["!", "~", " ", "ç", "-", "0", "a", "Z"]
        .iter()
        .find_map(|c| {
            let v = c.repeat(len);
            (!m.is_match(&v)).then_some(v)
        })
}

/// A parameter to break with a value its pattern refuses, and that value; the interaction id
/// is tested on its own.
fn pattern_param(api: &Api, op: &Operation) -> Option<(Param, String)> {
    op.params.iter().find_map(|p| {
        if is_managed_header(&p.wire) || !matches!(param_kind(api, &p.shape), ParamKind::Scalar) {
            return None;
        }
        violating(api, &p.shape).map(|v| (p.clone(), v))
    })
}

/// The example body of `op` with one string, whose schema has a checked pattern, replaced by
/// a value the pattern refuses.
fn pattern_body(api: &Api, op: &Operation) -> Option<String> {
    fn walk(api: &Api, shape: &Shape, value: &mut serde_json::Value, depth: usize) -> bool {
        use serde_json::Value;
        if depth > 8 {
            return false;
        }
        match (&shape.ty, value) {
            (Ty::Array(item), Value::Array(xs)) => xs
                .first_mut()
                .is_some_and(|x| walk(api, item, x, depth + 1)),
            (Ty::Named(id), v) => match (&api.ty(*id).kind, v) {
                (TypeKind::Struct(st), Value::Object(m)) => st.fields.iter().any(|f| {
                    m.get_mut(&f.wire)
                        .is_some_and(|x| walk(api, &f.shape, x, depth + 1))
                }),
                (TypeKind::Alias(s), v) => walk(api, s, v, depth + 1),
                _ => false,
            },
            (Ty::String, Value::String(text)) => match violating(api, shape) {
                Some(bad) => {
                    *text = bad;
                    true
                }
                None => false,
            },
            _ => false,
        }
    }
    let b = op.body.as_ref().filter(|b| b.is_json())?;
    let mut value = b.example.clone();
    walk(api, &b.shape, &mut value, 0).then(|| value.to_string())
}

/// Whether a path of the document would take `path` (variables match any one segment).
fn routed(api: &Api, path: &str) -> bool {
    let segs: Vec<&str> = path.split('/').collect();
    api.operations.iter().any(|op| {
        let t: Vec<&str> = op.path.split('/').collect();
        t.len() == segs.len()
            && t.iter()
                .zip(&segs)
                .all(|(a, b)| a == b || (a.starts_with('{') && a.ends_with('}')))
    })
}

/// The test file's tokens for the crate `krate_name` (its Rust name); `reports` when the
/// router's default validation mode serves requests that break the document.
pub fn file(api: &Api, krate_name: &str, reports: bool) -> Option<TokenStream> {
    let first = api.operations.first()?;
    let krate = format_ident!("{}", krate_name);
    // Signed bodies: every router of these tests verifies with the process's test key pair
    // (the test server signs what it sends with it).
    let signed: Vec<&Operation> = api
        .operations
        .iter()
        .filter(|o| o.body.as_ref().is_some_and(|b| b.signed))
        .collect();
    let verifier = (!signed.is_empty()).then(
        || quote!(.with_verifier(::ofb_runtime::testing::keys::TestKeys::shared().verifier())),
    );
    let mut uses_types = false;
    let calls = api
        .operations
        .iter()
        .map(|op| {
            let call = valid_call(op, None);
            let what = format!("{} {}", op.method, op.path);
            let a = send(&call, &[], None);
            let Some(r) = op.mock_response() else {
                return quote! {
                    let a = #a;
                    expect_error(&a, 500, #what);
                };
            };
            let status = proc_macro2::Literal::u16_unsuffixed(r.sent_status());
            let typed = r.body.as_ref().filter(|b| b.is_json()).map(|b| {
                uses_types = true;
                let t = rust_type_in(api, &b.shape, Some(&quote!(types)));
                quote!(let _: #t = a.typed();)
            });
            let echo = op
                .declares_interaction_id()
                .then(|| quote!(assert_eq!(a.interaction_id(), Some(ID), "{}", #what);));
            quote! {
                let a = #a;
                assert_eq!(a.status, #status, "{}: {}", #what, a.text());
                #typed
                #echo
            }
        })
        .collect::<Vec<_>>();
    let fapi = api
        .operations
        .iter()
        .any(Operation::declares_interaction_id);
    let mut tests = Vec::new();
    // Whether a test checks what an error says (so the file imports the helper).
    let mut saying = false;

    // Requests no route or method takes.
    let unknown = (1..)
        .map(|n| format!("/ofb-no-such-route{}", "/x".repeat(n)))
        .find(|p| !routed(api, p))
        .unwrap_or_default();
    tests.push(quote! {
        #[tokio::test]
        async fn an_unknown_route_gets_404_in_the_envelope() {
            let server = start(config()).await;
            let a = server.call("GET", #unknown, &[("x-fapi-interaction-id", ID)], None).await;
            expect_error(&a, 404, "unknown route");
            assert_eq!(a.interaction_id(), Some(ID));
        }
    });
    let on_path: Vec<&str> = api
        .operations
        .iter()
        .filter(|o| o.path == first.path)
        .map(|o| o.method.as_str())
        .collect();
    if let Some(wrong) = ["DELETE", "PATCH", "PUT", "POST", "GET"]
        .iter()
        .find(|m| !on_path.contains(m))
    {
        let call = Call {
            method: String::from(*wrong),
            ..valid_call(first, None)
        };
        let a = send(&call, &[], None);
        let minted = fapi
            .then(|| quote!(assert!(a.interaction_id().is_some(), "an interaction id is minted");));
        tests.push(quote! {
            #[tokio::test]
            async fn a_wrong_method_gets_405_in_the_envelope() {
                let server = start(config()).await;
                let a = #a;
                expect_error(&a, 405, "wrong method");
                #minted
            }
        });
    }
    if let Some(op) = api.operations.iter().find(|o| {
        o.responses
            .iter()
            .any(|r| r.body.as_ref().is_some_and(|b| b.is_json()))
    }) {
        let a = send(&valid_call(op, None), &[("accept", "text/html")], None);
        tests.push(quote! {
            #[tokio::test]
            async fn an_accept_header_without_json_gets_406() {
                let server = start(config()).await;
                let a = #a;
                expect_error(&a, 406, "Accept: text/html");
            }
        });
    }
    {
        let big = quote!(Some(&[b' '; 65][..]));
        let a = send(&valid_call(first, None), &[], Some(big));
        tests.push(quote! {
            #[tokio::test]
            async fn a_body_over_the_limit_gets_413() {
                let server = start(config().with_body_limit(64)).await;
                let a = #a;
                expect_error(&a, 413, "oversized body");
            }
        });
    }
    {
        let a = send(&valid_call(first, None), &[], None);
        tests.push(quote! {
            #[tokio::test]
            async fn a_back_end_past_its_deadline_gets_504_in_time() {
                let slow = Duration::from_secs(10);
                let server = TestServer::start(router_with(
                    Examples::delayed(slow),
                    config().with_deadlines(Duration::from_millis(50)),
                )).await;
                let started = Instant::now();
                let a = #a;
                expect_error(&a, 504, "slow back-end");
                assert!(started.elapsed() < slow, "the 504 must come before the back-end answers");
            }
        });
    }
    if let Some(op) = api.operations.iter().find(|o| o.declares_interaction_id()) {
        let p = op
            .params
            .iter()
            .find(|p| p.location == Location::Header && is_managed_header(&p.wire));
        let a = send(&valid_call(op, p.map(Change::Drop)), &[], None);
        let b = send(
            &valid_call(op, p.map(Change::Drop)),
            &[("x-fapi-interaction-id", "not-a-uuid")],
            None,
        );
        tests.push(quote! {
            #[tokio::test]
            async fn a_missing_or_invalid_interaction_id_gets_400_and_a_new_one() {
                let server = start(config()).await;
                for a in [#a, #b] {
                    expect_error(&a, 400, "interaction id");
                    let minted = a.interaction_id().unwrap_or_default();
                    assert!(minted.len() == 36 && minted != "not-a-uuid", "minted {minted:?}");
                }
            }
        });
    }
    if let Some(op) = api
        .operations
        .iter()
        .find(|o| o.body.as_ref().is_some_and(|b| b.is_json()))
    {
        let call = valid_call(op, None);
        let broken = send(&call, &[], Some(quote!(Some(&b"{\"broken\":"[..]))));
        let wrong_type = send(&call, &[("content-type", "text/plain")], None);
        tests.push(quote! {
            #[tokio::test]
            async fn malformed_json_gets_400() {
                let server = start(config()).await;
                let a = #broken;
                expect_error(&a, 400, "malformed JSON");
            }
        });
        tests.push(quote! {
            #[tokio::test]
            async fn a_wrong_content_type_gets_415() {
                let server = start(config()).await;
                let a = #wrong_type;
                expect_error(&a, 415, "text/plain body");
            }
        });
    }
    // A required member missing: a JSON body `{}` where the body's type requires members, else
    // a required header, else the interaction id (tested above).
    let needs_members = |op: &Operation| {
        op.body.as_ref().is_some_and(|b| {
            b.is_json()
                && matches!(&b.shape.ty, Ty::Named(id) if matches!(&api.ty(*id).kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.required)))
        })
    };
    if let Some(op) = api.operations.iter().find(|o| needs_members(o)) {
        let a = send(&valid_call(op, None), &[], Some(quote!(Some(&b"{}"[..]))));
        saying = true;
        tests.push(quote! {
            #[tokio::test]
            async fn a_missing_required_member_gets_400() {
                let server = start(config()).await;
                let a = #a;
                expect_error_saying(&a, 400, "body {}", "missing field");
            }
        });
    } else if let Some((op, p)) = api.operations.iter().find_map(|o| {
        o.params
            .iter()
            .find(|p| p.required && p.location == Location::Header && !is_managed_header(&p.wire))
            .map(|p| (o, p))
    }) {
        let a = send(&valid_call(op, Some(Change::Drop(p))), &[], None);
        saying = true;
        tests.push(quote! {
            #[tokio::test]
            async fn a_missing_required_header_gets_400() {
                let server = start(config()).await;
                let a = #a;
                expect_error_saying(&a, 400, "missing header", "required");
            }
        });
    }
    // A pattern broken: in a parameter (always 400), else in a body (422 where the operation
    // documents it: the request is well formed, a value rule fails).
    let broken = api
        .operations
        .iter()
        .find_map(|o| {
            pattern_param(api, o).map(|(p, bad)| {
                let call = valid_call(o, Some(Change::Set(&p, &bad)));
                (send(&call, &[], None), 400u16)
            })
        })
        .or_else(|| {
            api.operations.iter().find_map(|o| {
                let body = pattern_body(api, o)?;
                let call = valid_call(o, None);
                let status = if o
                    .responses
                    .iter()
                    .any(|r| r.status == crate::model::Status::Code(422))
                {
                    422u16
                } else {
                    400
                };
                let bytes = proc_macro2::Literal::byte_string(body.as_bytes());
                Some((send(&call, &[], Some(quote!(Some(&#bytes[..])))), status))
            })
        });
    if let Some((a, status)) = broken {
        let status = proc_macro2::Literal::u16_unsuffixed(status);
        saying = true;
        tests.push(quote! {
            #[tokio::test]
            async fn a_pattern_violation_is_refused_with_its_place() {
                let server = start(config()).await;
                let a = #a;
                expect_error_saying(&a, #status, "pattern", "pattern");
            }
        });
        // The document's own mode: where it reports rather than refuses, the same request
        // reaches the back-end.
        let (default_mode, expect) = if reports {
            (
                quote!(Validation::Report),
                quote!(assert!(a.status != 400 && a.status != 422, "served anyway: {} {}", a.status, a.text());),
            )
        } else {
            (
                quote!(Validation::Enforce),
                quote!(expect_error(&a, #status, "pattern");),
            )
        };
        tests.push(quote! {
            #[tokio::test]
            async fn a_pattern_violation_meets_the_documents_own_validation_mode() {
                assert_eq!(#krate::server::DOCUMENT.validation, #default_mode);
                let server = start(Config::default() #verifier).await;
                let a = #a;
                #expect
            }
        });
    }
    // Each signed operation meets a valid token and every forgery.
    for op in &signed {
        let call = valid_call(op, None);
        let m = &call.method;
        let t = &call.target;
        let mut hs: Vec<TokenStream> = call.headers.iter().map(|(k, v)| quote!((#k, #v))).collect();
        if let Some((media, _)) = &call.body {
            hs.push(quote!(("content-type", #media)));
        }
        let c = format_ident!("{}", constant_name(op, None));
        let test = format_ident!("signed_bodies_of_{}_are_verified", op.name);
        tests.push(quote! {
            #[tokio::test]
            async fn #test() {
                let server = start(config()).await;
                server
                    .expect_signatures_checked(#m, #t, &[#(#hs),*], #c)
                    .await;
                server.shutdown().await;
            }
        });
    }
    // Types are named through their module, so the short names below cannot be shadowed by a
    // schema's.
    let glob = uses_types.then(|| quote!(use #krate::types;));
    // Request bodies are the crate's example constants (upper case: no test's name).
    let examples = api
        .operations
        .iter()
        .any(|o| o.body.is_some())
        .then(|| quote!(use #krate::examples::*;));
    let saying = saying.then(|| quote!(expect_error_saying,));
    Some(quote! {
        //! End-to-end tests: the generated router, served on 127.0.0.1 with the example
        //! back-end, called over real HTTP.
        #glob
        #examples
        use #krate::mock::Examples;
        use #krate::server::router_with;
        use ofb_runtime::server::testing::{expect_error, #saying TestServer};
        use ofb_runtime::server::{Config, Validation};
        use std::time::{Duration, Instant};

        /// The interaction id the tests send.
        const ID: &str = #ID;

        /// Requests judged strictly, whatever the document's default, so that every refusal
        /// can be provoked; responses checked.
        fn config() -> Config {
            Config::default()
                .with_response_check(true)
                .with_validation(Validation::Enforce)
                #verifier
        }

        async fn start(config: Config) -> TestServer {
            TestServer::start(router_with(Examples::default(), config)).await
        }

        #[tokio::test]
        async fn every_operation_answers_its_example() {
            let server = start(config()).await;
            #(#calls)*
            server.shutdown().await;
        }

        #(#tests)*
    })
}
