//! The programs of `cargo xtask bench server` and `bench decode` for one generated crate. The
//! server bench serves the same operation through the generated router and through a
//! hand-written axum handler returning the same typed body, both driven with the same load on
//! 127.0.0.1 in one run; the decode bench decodes one large page into the generated types and
//! into `serde_json::Value`. What they measure is chosen by rule, so any document can be
//! measured.

use super::examples::constant_name;
use super::files::File;
use super::format;
use super::operations::{body_type_in, VariantParts};
use super::server_tests::{valid_call, Call};
use crate::model::{Api, Operation, Status};
use crate::naming::ident;
use askama::Template;
use proc_macro2::Literal;
use quote::{format_ident, quote};

#[derive(Template)]
#[template(path = "bench/Cargo.toml", escape = "none")]
struct Manifest<'a> {
    /// The program's package name: programs of one crate share a target directory, so each
    /// needs its own binary name.
    package: &'a str,
    krate: &'a str,
    krate_path: &'a str,
    runtime_path: &'a str,
}

/// The files of a benchmark program: its manifest, depending on the crate at `krate_path`
/// and the runtime, and `main` formatted as `src/main.rs`.
pub(super) fn program(
    krate: &str,
    krate_path: &str,
    runtime_path: &str,
    main: proc_macro2::TokenStream,
    what: &str,
) -> Result<Vec<File>, String> {
    let package = format!("{krate}-{}", what.replace(' ', "-"));
    let manifest = Manifest {
        package: &package,
        krate,
        krate_path,
        runtime_path,
    }
    .render()
    .map_err(|e| format!("internal error: {what} Cargo.toml template: {e}"))?;
    Ok(vec![
        File {
            path: String::from("Cargo.toml"),
            contents: manifest,
        },
        File {
            path: String::from("src/main.rs"),
            contents: format(main, what)?,
        },
    ])
}

/// The operation measured, with its status.
pub fn measured(api: &Api) -> Option<(usize, &Operation, u16)> {
    api.operations.iter().enumerate().find_map(|(i, op)| {
        let r = op.mock_response()?;
        let Status::Code(code @ 200..=299) = r.status else {
            return None;
        };
        let parts = VariantParts::of(r);
        let json = r.body.as_ref().is_some_and(|b| b.is_json());
        (op.body.is_none() && json && parts.tuple() && !parts.headers).then_some((i, op, code))
    })
}

/// `Cargo.toml` and `src/main.rs` of the benchmark of the crate `krate` (package name) found at
/// `krate_path`, or `None` when no operation of the document fits. `service` names its trait.
pub fn files(
    api: &Api,
    krate: &str,
    service: &str,
    krate_path: &str,
    runtime_path: &str,
) -> Result<Option<Vec<File>>, String> {
    let Some((index, op, status)) = measured(api) else {
        return Ok(None);
    };
    let rust = format_ident!("{}", krate.replace('-', "_"));
    let service = ident(service);
    let r = op
        .mock_response()
        .ok_or("internal error: no chosen response")?;
    let body_ty = r
        .body
        .as_ref()
        .map(|b| body_type_in(api, b, &quote!(#rust::types)))
        .ok_or("internal error: no body")?;
    let variant = ident(&r.name);
    let constant = format_ident!("{}", constant_name(op, Some(r)));
    let methods = api.operations.iter().enumerate().map(|(i, o)| {
        let f = ident(&o.name);
        let req = ident(&o.request_type);
        let res = ident(&o.response_type);
        let answer = if i == index {
            quote!(::std::result::Result::Ok(#rust::operations::#res::#variant(self.body.clone())))
        } else {
            quote!(#rust::mock::Examples::default().#f(request, context).await)
        };
        let (request, context) = if i == index {
            (quote!(_request), quote!(_context))
        } else {
            (quote!(request), quote!(context))
        };
        quote! {
            async fn #f(
                &self,
                #request: #rust::operations::#req,
                #context: ::ofb_runtime::server::Context,
            ) -> ::std::result::Result<#rust::operations::#res, ::ofb_runtime::server::ExampleError> {
                #answer
            }
        }
    });
    let Call {
        method,
        target,
        headers,
        ..
    } = valid_call(op, None);
    let hs = headers.iter().map(|(k, v)| quote!((#k, #v)));
    let m = format_ident!("{}", method.to_ascii_lowercase());
    let path = &op.path;
    let what = format!("{method} {path}");
    let status = Literal::u16_unsuffixed(status);
    let main = quote! {
        //! `cargo xtask bench server`: one operation through the generated router and through a
        //! hand-written axum handler returning the same typed body, under the same load.

        /// The generated stack's back-end: the measured operation answers a body built once,
        /// as the hand-written handler does; the others answer their examples.
        struct Bench {
            body: #body_ty,
        }

        impl #rust::server::#service for Bench {
            type Error = ::ofb_runtime::server::ExampleError;
            #(#methods)*
        }

        fn main() {
            let mut runs = 5usize;
            let mut seconds = 3u64;
            let mut args = ::std::env::args().skip(1);
            while let ::std::option::Option::Some(a) = args.next() {
                let value = args.next().and_then(|v| v.parse::<u64>().ok());
                match (a.as_str(), value) {
                    ("--runs", ::std::option::Option::Some(n)) => runs = n.max(1) as usize,
                    ("--seconds", ::std::option::Option::Some(n)) => seconds = n.max(1),
                    _ => {
                        eprintln!("usage: bench [--runs N] [--seconds N]");
                        ::std::process::exit(2);
                    }
                }
            }
            let body: #body_ty = ::serde_json::from_str(#rust::examples::#constant)
                .expect("the example of the measured operation fits its type");
            let runtime = ::tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            let headers: &[(&str, &str)] = &[#(#hs),*];
            let connections = 32;
            let duration = ::std::time::Duration::from_secs(seconds);
            println!(
                "operation: {} of {}, {} connections, {} s per stack per run, median of {} runs",
                #what, #rust::server::DOCUMENT.title, connections, seconds, runs
            );
            let mut generated = Vec::new();
            let mut baseline = Vec::new();
            for run in 0..runs {
                // Alternate which stack goes first, so neither always runs on a warmer machine.
                for first in [run % 2 == 0, run % 2 == 1] {
                    let result = runtime.block_on(if first {
                        let router = #rust::server::router_with(
                            Bench { body: body.clone() },
                            ::ofb_runtime::server::Config::default().with_response_check(false),
                        );
                        ::ofb_runtime::server::testing::load(router, (#method, #target, headers), #status, connections, duration)
                    } else {
                        let b = body.clone();
                        let router = ::axum::Router::new().route(
                            #path,
                            ::axum::routing::#m(move || {
                                let b = b.clone();
                                async move { ::axum::Json(b) }
                            }),
                        );
                        ::ofb_runtime::server::testing::load(router, (#method, #target, headers), #status, connections, duration)
                    });
                    assert_eq!(result.unexpected, 0, "every answer must be the expected one");
                    if first {
                        generated.push(result);
                    } else {
                        baseline.push(result);
                    }
                }
            }
            let median = |v: &mut Vec<::ofb_runtime::server::testing::Load>| {
                v.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
                v[v.len() / 2]
            };
            let g = median(&mut generated);
            let h = median(&mut baseline);
            for (name, l) in [("generated", g), ("hand-written", h)] {
                println!(
                    "{name:<13} {:>9.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms",
                    l.per_second,
                    l.p50.as_secs_f64() * 1e3,
                    l.p99.as_secs_f64() * 1e3
                );
            }
            println!("ratio: {:.2}", g.per_second / h.per_second);
        }
    };
    program(krate, krate_path, runtime_path, main, "server bench").map(Some)
}

/// The page the decode benchmark measures: among the JSON bodies of every operation's success
/// answer, the one whose `data` is an array of objects with the largest example item (in
/// practice a page of transactions), with its operation and response.
fn page_body(api: &Api) -> Option<(&Operation, &crate::model::Response)> {
    let mut best: Option<(usize, &Operation, &crate::model::Response)> = None;
    for op in &api.operations {
        let Some(r) = op.mock_response() else {
            continue;
        };
        let Some(b) = r.body.as_ref().filter(|b| b.is_json()) else {
            continue;
        };
        let Some(item) = b.example.get("data").and_then(|d| d.get(0)) else {
            continue;
        };
        if !item.is_object() {
            continue;
        }
        let size = item.to_string().len();
        if best.as_ref().is_none_or(|(s, _, _)| size > *s) {
            best = Some((size, op, r));
        }
    }
    best.map(|(_, op, r)| (op, r))
}

/// `Cargo.toml` and `src/main.rs` of `cargo xtask bench decode` for the crate `krate`: a page of
/// 1,000 items decoded into the generated type and into `serde_json::Value`, side by side, or
/// `None` when no answer of the document is a page.
pub fn decode_files(
    api: &Api,
    krate: &str,
    krate_path: &str,
    runtime_path: &str,
) -> Result<Option<Vec<File>>, String> {
    let Some((op, r)) = page_body(api) else {
        return Ok(None);
    };
    let rust = format_ident!("{}", krate.replace('-', "_"));
    let body_ty = r
        .body
        .as_ref()
        .map(|b| body_type_in(api, b, &quote!(#rust::types)))
        .ok_or("internal error: no body")?;
    let constant = format_ident!("{}", constant_name(op, Some(r)));
    let what = format!("{} {} ({})", op.method, op.path, r.status.key());
    let main = quote! {
        //! `cargo xtask bench decode`: one page of 1,000 items decoded into the generated types and
        //! into `serde_json::Value`, in the same run.

        use ::ofb_runtime::Validate as _;

        fn median(mut v: ::std::vec::Vec<::std::time::Duration>) -> ::std::time::Duration {
            v.sort();
            v[v.len() / 2]
        }

        fn main() {
            let mut runs = 15usize;
            let mut args = ::std::env::args().skip(1);
            while let ::std::option::Option::Some(a) = args.next() {
                match (a.as_str(), args.next().and_then(|v| v.parse::<usize>().ok())) {
                    ("--runs", ::std::option::Option::Some(n)) => runs = n.max(1),
                    _ => {
                        eprintln!("usage: bench [--runs N]");
                        ::std::process::exit(2);
                    }
                }
            }
            let mut page: ::serde_json::Value = ::serde_json::from_str(#rust::examples::#constant)
                .expect("the example parses");
            let item = page["data"][0].clone();
            page["data"] = ::serde_json::Value::Array(::std::vec![item; 1000]);
            let bytes = ::serde_json::to_vec(&page).expect("the page serializes");
            let check: #body_ty = ::serde_json::from_slice(&bytes).expect("the page fits its type");
            assert!(check.validate().is_ok(), "the page is valid");
            println!(
                "page: {} with 1,000 items, {} bytes, median of {} runs",
                #what,
                bytes.len(),
                runs
            );
            let (mut typed, mut value, mut validated) = (::std::vec::Vec::new(), ::std::vec::Vec::new(), ::std::vec::Vec::new());
            for run in 0..runs {
                // Alternate the order, so neither always runs on a warmer cache.
                for first in [run % 2 == 0, run % 2 == 1] {
                    let t = ::std::time::Instant::now();
                    if first {
                        let p: #body_ty = ::serde_json::from_slice(&bytes).expect("decodes");
                        typed.push(t.elapsed());
                        let t = ::std::time::Instant::now();
                        assert!(p.validate().is_ok());
                        validated.push(t.elapsed());
                    } else {
                        let v: ::serde_json::Value = ::serde_json::from_slice(&bytes).expect("decodes");
                        value.push(t.elapsed());
                        drop(v);
                    }
                }
            }
            let (t, v, c) = (median(typed), median(value), median(validated));
            let ms = |d: ::std::time::Duration| d.as_secs_f64() * 1e3;
            println!("typed decode:        {:>8.3} ms", ms(t));
            println!("serde_json::Value:   {:>8.3} ms", ms(v));
            println!("typed validate():    {:>8.3} ms (after decoding)", ms(c));
            println!("ratio: {:.2}", t.as_secs_f64() / v.as_secs_f64());
        }
    };
    program(krate, krate_path, runtime_path, main, "decode bench").map(Some)
}
