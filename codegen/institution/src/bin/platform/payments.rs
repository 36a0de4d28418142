//! `platform --payments`: signed payment creation, the platform's heaviest call on a payment
//! connector, through JWS verification, the replay record, the idempotency store and the
//! reference back-end (`ofb_institution::payments`), on PostgreSQL when the Debian package is
//! installed (else SQLite, said so). The generated router is compared with the hand-written
//! axum + jsonwebtoken handler of `ofb_institution::baseline::payments` doing the same work, in
//! one run, at each level of connections. Every request carries a token of its own (a fresh
//! `jti`, idempotency key and end-to-end id), signed before the run so that the load generator
//! spends its cores on sending. It ends with JWS verifications per second on one core.

use super::{ms, quantile, Args, Server, Stats};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use ofb_institution::seed::customer;
use ofb_integration_payments_v5 as payments;
use ofb_runtime::testing::keys::TestKeys;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "../../../tests/postgres/mod.rs"]
mod postgres;

/// Where payment creation is served under the institution's default prefix.
const PATH: &str = "/payments/payments";

/// The payment creation body for customer `i`, end-to-end id `n`: the document's example,
/// made a manual (MANU) Pix payment of its consent from the customer's own account.
fn creation(template: &Value, i: u64, n: u64) -> Value {
    let mut body = template.clone();
    let consent = &mut body["consent"];
    consent["loggedUser"]["document"]["identification"] = json!(customer(i));
    let creditor = json!({ "ispb": "12345678", "issuer": "1774", "number": "1234567890", "accountType": "CACC" });
    consent["payment"] = json!({
        "type": "PIX", "currency": "BRL", "amount": "10.50", "ibgeTownCode": "5300108",
        "details": { "localInstrument": "MANU", "creditorAccount": creditor },
    });
    if let Some(c) = consent.as_object_mut() {
        c.remove("debtorAccount");
    }
    body["idempotencyKey"] = json!(format!("bench-{n}"));
    body["internalIdempotencyKey"] = json!(format!("bench-{n}"));
    body["paymentType"] = json!("PAYMENT_CONSENT");
    let data = &mut body["requestBody"]["data"];
    if let Some(d) = data.as_object_mut() {
        for gone in [
            "recurringConsentId",
            "originalRecurringPaymentId",
            "date",
            "document",
            "proxy",
            "qrCode",
        ] {
            d.remove(gone);
        }
    }
    data["endToEndId"] = json!(format!("E90400888202412251500{:011}", n % 100_000_000_000));
    data["localInstrument"] = json!("MANU");
    data["payment"] = json!({ "amount": "10.50", "currency": "BRL" });
    data["creditorAccount"] = creditor;
    body
}

/// `count` tokens, numbered from `first`, signed on every core.
fn tokens(keys: &TestKeys, count: usize, first: u64, customers: u64) -> Vec<Bytes> {
    let template: Value =
        serde_json::from_str(payments::examples::CREATE_PIX_PAYMENT).unwrap_or_default();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per = count.div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                let (template, signer) = (&template, keys.signer());
                scope.spawn(move || {
                    let from = t * per;
                    (from..(from + per).min(count))
                        .filter_map(|k| {
                            let n = first + k as u64;
                            let body = creation(template, n % customers.max(1), n);
                            signer.sign(&body).ok().map(Bytes::from)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_default())
            .collect()
    })
}

/// `connections` closed loops sending `bodies` (each once) for at most `seconds`: the answers,
/// and how long the run took.
pub async fn drive(
    addr: &str,
    path: &'static str,
    bodies: Arc<Vec<Bytes>>,
    connections: usize,
    seconds: u64,
) -> (Stats, Duration) {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(tokio::sync::Barrier::new(connections + 1));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (addr, bodies, next, start) =
            (addr.to_owned(), bodies.clone(), next.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Stats::default();
            let mut sender = super::connect_again(&addr).await;
            start.wait().await;
            let until = Instant::now() + Duration::from_secs(seconds);
            while Instant::now() < until {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(k) else { break };
                let Some(s) = sender.as_mut() else {
                    out.errors += 1;
                    sender = super::connect_again(&addr).await;
                    continue;
                };
                let request = http::Request::post(path)
                    .header("host", "bench")
                    .header("content-type", "application/jwt")
                    .body(Full::new(body.clone()));
                let Ok(request) = request else { continue };
                let t = Instant::now();
                let status = match s.send_request(request).await {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        resp.into_body().collect().await.ok().map(|_| status)
                    }
                    Err(_) => None,
                };
                out.latencies.push(t.elapsed());
                match status {
                    Some(201) => out.ok += 1,
                    Some(504) => out.timeouts += 1,
                    Some(_) => out.errors += 1,
                    None => {
                        out.errors += 1;
                        sender = super::connect_again(&addr).await;
                    }
                }
            }
            out
        }));
    }
    start.wait().await;
    let began = Instant::now();
    let mut all = Stats::default();
    for t in tasks {
        if let Ok(s) = t.await {
            all.latencies.extend(s.latencies);
            all.ok += s.ok;
            all.errors += s.errors;
            all.timeouts += s.timeouts;
        }
    }
    all.latencies.sort();
    (all, began.elapsed())
}

/// JWS verifications per second on one core: the runtime's `Verifier` (header, key policy,
/// claims, the replay record in memory) and jsonwebtoken's `decode` alone.
fn verifications(keys: &TestKeys, customers: u64) -> Result<(f64, f64), String> {
    let count = 2_000;
    let tokens = tokens(keys, count, 9_000_000_000, customers);
    let texts: Vec<&str> = tokens
        .iter()
        .filter_map(|t| std::str::from_utf8(t).ok())
        .collect();
    let one_core = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| e.to_string())?;
    let verifier = keys.verifier();
    let t = Instant::now();
    let verified = one_core.block_on(async {
        let mut n = 0;
        for token in &texts {
            n += usize::from(verifier.verify(token).await.is_ok());
        }
        n
    });
    let runtime_rate = verified as f64 / t.elapsed().as_secs_f64();
    if verified != texts.len() {
        return Err(format!("{verified} of {} tokens verified", texts.len()));
    }
    let set: jsonwebtoken::jwk::JwkSet =
        serde_json::from_str(keys.jwks()).map_err(|e| e.to_string())?;
    let key = set
        .keys
        .first()
        .and_then(|k| jsonwebtoken::DecodingKey::from_jwk(k).ok())
        .ok_or("no key in the set")?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::PS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    let t = Instant::now();
    let decoded = texts
        .iter()
        .filter(|token| jsonwebtoken::decode::<Value>(token, &key, &validation).is_ok())
        .count();
    let plain_rate = decoded as f64 / t.elapsed().as_secs_f64();
    Ok((runtime_rate, plain_rate))
}

/// The payments benchmark.
pub fn run(args: &mut Args, runtime: &tokio::runtime::Runtime) -> Result<(), String> {
    let pg = postgres::Server::start();
    let on = match &pg {
        Some(pg) => {
            args.db = pg.url();
            "PostgreSQL (a cluster of its own on 127.0.0.1)"
        }
        None => "SQLite (PostgreSQL is not installed)",
    };
    let keys = TestKeys::generate("platform-bench")?;
    let jwks = std::path::Path::new("target/bench-platform/platform-jwks.json");
    if let Some(dir) = jwks.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(jwks, keys.jwks()).map_err(|e| format!("{}: {e}", jwks.display()))?;
    args.jwks = Some(jwks.to_path_buf());
    let class = payments::server::OPERATIONS
        .iter()
        .find(|o| o.path == "/payments")
        .map_or(ofb_runtime::frequency::Frequency::Unclassified, |o| {
            o.frequency
        });
    let budget = class.budget();
    println!(
        "payments: signed payment creation (POST {PATH}, {} class, budget {} ms) through JWS \
         verification, the replay record, idempotency and the reference back-end on {on}; \
         {} tokens per run (each sent once), at most {} s, median of {} runs",
        class.name(),
        budget.as_millis(),
        args.tokens,
        args.seconds,
        args.runs
    );
    super::seed_apart(args)?;
    let stacks = [
        ("generated", Server::start(args, false)?),
        ("hand-written", Server::start(args, true)?),
    ];
    println!(
        "{:<13} {:>5} {:>9} {:>9} {:>9} {:>9} {:>8} {:>7} {:>6} {:>8}",
        "stack",
        "conns",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "budget",
        "errors",
        "504s",
        "RSS MiB"
    );
    let mut results: Vec<(&str, usize, f64, Duration, usize)> = Vec::new();
    let mut first = 0u64;
    for &level in &args.levels {
        let mut runs: [Vec<(Stats, Duration)>; 2] = [Vec::new(), Vec::new()];
        let mut rss = [0.0f64; 2];
        for run in 0..args.runs {
            for turn in 0..2 {
                let which = (run + turn) % 2;
                let bodies = Arc::new(tokens(&keys, args.tokens, first, args.customers));
                first += args.tokens as u64;
                let server = &stacks[which].1;
                server.reset_peak();
                runs[which].push(runtime.block_on(drive(
                    &server.addr,
                    PATH,
                    bodies,
                    level,
                    args.seconds,
                )));
                rss[which] = rss[which].max(server.peak());
            }
        }
        for (which, (stack, _)) in stacks.iter().enumerate() {
            let mut all = std::mem::take(&mut runs[which]);
            all.sort_by(|a, b| {
                let rate = |r: &(Stats, Duration)| r.0.ok as f64 / r.1.as_secs_f64();
                rate(a).total_cmp(&rate(b))
            });
            let (stats, took) = all.swap_remove(all.len() / 2);
            let per_second = stats.ok as f64 / took.as_secs_f64().max(f64::EPSILON);
            let p95 = quantile(&stats.latencies, 0.95);
            println!(
                "{:<13} {:>5} {:>9.0} {:>9.1} {:>9.1} {:>9.1} {:>8} {:>7} {:>6} {:>8.1}",
                stack,
                level,
                per_second,
                ms(quantile(&stats.latencies, 0.5)),
                ms(p95),
                ms(quantile(&stats.latencies, 0.99)),
                budget.as_millis(),
                stats.errors,
                stats.timeouts,
                rss[which]
            );
            results.push((stack, level, per_second, p95, stats.errors + stats.timeouts));
        }
    }
    drop(stacks);
    let at = |stack: &str, level: usize| {
        results
            .iter()
            .find(|r| r.0 == stack && r.1 == level)
            .filter(|r| r.3 <= budget && r.4 == 0)
            .map(|r| r.2)
    };
    let level = args
        .levels
        .iter()
        .rev()
        .find_map(|&l| Some((l, at("generated", l)?, at("hand-written", l)?)));
    match level {
        Some((l, generated, hand)) => println!(
            "ratio: {:.2} (at {l} connections: {generated:.0} against {hand:.0} payments/s)",
            generated / hand.max(f64::EPSILON)
        ),
        None => println!(
            "ratio: none (no level where both stacks keep p95 within budget without errors)"
        ),
    }
    let (runtime_rate, plain_rate) = verifications(&keys, args.customers)?;
    println!(
        "JWS verifications on one core: {runtime_rate:.0}/s through the runtime's Verifier, \
         {plain_rate:.0}/s with jsonwebtoken's decode alone (PS256, 2048-bit RSA)"
    );
    drop(pg);
    Ok(())
}
