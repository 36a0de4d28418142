//! The program of `cargo xtask bench hostile` for one generated crate: the worst bodies a client
//! can send within the body limit, through the generated router, each timed and its peak
//! memory measured against the operation's small valid example body, in the same run.
//!
//! The bodies are chosen from the document by rule: the first operation taking a JSON body, an
//! array of string enums in it filled with `""` to the limit (every item a wrong value), the
//! string member with the highest `maxLength` (or none) filled to what its rules allow, and
//! arrays nested to the limit.

use super::bench::program;
use super::examples::constant_name;
use super::files::File;
use super::server_tests::valid_call;
use crate::model::{Api, Operation, Shape, Ty, TypeKind};
use quote::{format_ident, quote};

/// The wire path (member names) from the body to the first array of string enums, or to the
/// string member that may be longest, walking objects only.
fn find(
    api: &Api,
    shape: &Shape,
    want: &dyn Fn(&Api, &Shape) -> bool,
    depth: usize,
) -> Option<Vec<String>> {
    if depth > 8 {
        return None;
    }
    let Ty::Named(id) = &shape.ty else {
        return None;
    };
    let TypeKind::Struct(s) = &api.ty(*id).kind else {
        return None;
    };
    for f in &s.fields {
        if want(api, &f.shape) {
            return Some(vec![f.wire.clone()]);
        }
        if let Some(mut rest) = find(api, &f.shape, want, depth + 1) {
            rest.insert(0, f.wire.clone());
            return Some(rest);
        }
    }
    None
}

fn enum_array(api: &Api, shape: &Shape) -> bool {
    let item = match &shape.ty {
        Ty::Array(item) => item,
        Ty::Named(id) => match &api.ty(*id).kind {
            TypeKind::Alias(Shape {
                ty: Ty::Array(item),
                ..
            }) => item,
            _ => return false,
        },
        _ => return false,
    };
    matches!(&item.ty, Ty::Named(id) if matches!(api.ty(*id).kind, TypeKind::Enum(_)))
}

fn free_string(_: &Api, shape: &Shape) -> bool {
    shape.ty == Ty::String
}

/// The operation measured: the first with a JSON body.
fn measured(api: &Api) -> Option<&Operation> {
    api.operations
        .iter()
        .find(|op| op.body.as_ref().is_some_and(|b| b.is_json() && b.required))
}

/// `Cargo.toml` and `src/main.rs` of the hostile-body benchmark of the crate `krate`, or `None`
/// when no operation takes a JSON body.
pub fn files(
    api: &Api,
    krate: &str,
    krate_path: &str,
    runtime_path: &str,
) -> Result<Option<Vec<File>>, String> {
    let Some(op) = measured(api) else {
        return Ok(None);
    };
    let body = op.body.as_ref().ok_or("internal error: no body")?;
    let rust = format_ident!("{}", krate.replace('-', "_"));
    let constant = format_ident!("{}", constant_name(op, None));
    let enums = find(api, &body.shape, &enum_array, 0).unwrap_or_default();
    let text = find(api, &body.shape, &free_string, 0).unwrap_or_default();
    let call = valid_call(op, None);
    let (method, target) = (call.method, call.target);
    let mut headers: Vec<proc_macro2::TokenStream> =
        call.headers.iter().map(|(k, v)| quote!((#k, #v))).collect();
    let media = &body.media;
    headers.push(quote!(("content-type", #media)));
    let what = format!("{} {}", op.method, op.path);
    let main = quote! {
        //! `cargo xtask bench hostile`: the worst bodies within the body limit through the
        //! generated router, against a small valid body, in one run.

        /// Peak resident memory of this process since the last reset, in bytes (Linux).
        fn peak() -> u64 {
            let status = ::std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .map_or(0, |kb| kb * 1024)
        }

        /// Lowers the peak to the current resident memory (Linux: `clear_refs` 5).
        fn reset_peak() {
            let _ = ::std::fs::write("/proc/self/clear_refs", "5");
        }

        /// Sets the member at `path` of `value` (objects created on the way).
        fn set(value: &mut ::serde_json::Value, path: &[&str], to: ::serde_json::Value) {
            let mut at = value;
            for p in path {
                if !at.is_object() {
                    *at = ::serde_json::Value::Object(::serde_json::Map::new());
                }
                at = &mut at[*p];
            }
            *at = to;
        }

        /// `filler` repeated in an array, or a string of `filler`, so that the body has `size` bytes.
        fn fill(example: &::serde_json::Value, path: &[&str], size: usize, array: bool) -> ::std::vec::Vec<u8> {
            let mut v = example.clone();
            set(&mut v, path, ::serde_json::Value::Null);
            let room = size.saturating_sub(::serde_json::to_vec(&v).map_or(0, |b| b.len()) + 2);
            let to = if array {
                let n = room / 3;
                ::serde_json::Value::Array(::std::vec![::serde_json::Value::String(::std::string::String::new()); n])
            } else {
                ::serde_json::Value::String("a".repeat(room))
            };
            set(&mut v, path, to);
            ::serde_json::to_vec(&v).unwrap_or_default()
        }

        fn main() {
            let limit = ::ofb_runtime::server::BODY_LIMIT - 16;
            let example: ::serde_json::Value = ::serde_json::from_str(#rust::examples::#constant)
                .expect("the example parses");
            let enums: &[&str] = &[#(#enums),*];
            let text: &[&str] = &[#(#text),*];
            let mut bodies: ::std::vec::Vec<(&str, ::std::vec::Vec<u8>)> = ::std::vec![
                ("valid example", #rust::examples::#constant.as_bytes().to_vec()),
            ];
            if !enums.is_empty() {
                bodies.push(("enum array of \"\"", fill(&example, enums, limit, true)));
            }
            if !text.is_empty() {
                bodies.push(("longest string", fill(&example, text, limit, false)));
            }
            let depth = limit / 2;
            bodies.push(("nested arrays", format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes()));
            let runtime = ::tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            let headers: &[(&str, &str)] = &[#(#headers),*];
            println!(
                "operation: {} of {}, validation: {:?}, 7 runs each (median time, highest peak)",
                #what,
                #rust::server::DOCUMENT.title,
                #rust::server::DOCUMENT.validation,
            );
            let rows = runtime.block_on(async {
                let router = #rust::server::router(#rust::mock::Examples::default());
                let server = ::ofb_runtime::server::testing::TestServer::start(router).await;
                let mut rows = ::std::vec::Vec::new();
                for (name, body) in &bodies {
                    let (mut times, mut peaks, mut status) = (::std::vec::Vec::new(), ::std::vec::Vec::new(), 0);
                    for _ in 0..7 {
                        reset_peak();
                        let t = ::std::time::Instant::now();
                        let a = server.call(#method, #target, headers, ::std::option::Option::Some(body)).await;
                        times.push(t.elapsed());
                        peaks.push(peak());
                        status = a.status;
                    }
                    times.sort();
                    rows.push((*name, body.len(), status, times[times.len() / 2], peaks.into_iter().max().unwrap_or(0)));
                }
                server.shutdown().await;
                rows
            });
            let (valid_time, valid_peak) = (rows[0].3, rows[0].4.max(1));
            let mut worst = (0.0f64, 0.0f64);
            for (name, size, status, time, peak) in &rows {
                println!(
                    "{name:<20} {size:>8} bytes  status {status}  {:>8.3} ms  peak RSS {:>6.1} MiB",
                    time.as_secs_f64() * 1e3,
                    *peak as f64 / 1048576.0
                );
                worst.0 = worst.0.max(time.as_secs_f64() * 1e3);
                worst.1 = worst.1.max(*peak as f64 / valid_peak as f64);
            }
            println!(
                "worst: {:.3} ms (valid body {:.3} ms), peak RSS {:.1}x the valid body's",
                worst.0,
                valid_time.as_secs_f64() * 1e3,
                worst.1
            );
        }
    };
    program(krate, krate_path, runtime_path, main, "hostile bench").map(Some)
}
