//! The driver of `cargo xtask bench platform`: the platform's traffic against the reference
//! institution. It starts the institution twice as child processes on one seeded database,
//! once through the generated routers and once through the hand-written axum handlers
//! (`--baseline`), and drives each, in turn, with a closed-loop mix of find, accounts, balances
//! and transaction pages at rising numbers of keep-alive connections. For each stack, level and
//! frequency class it prints throughput, p50/p95/p99 against the class's 60% budget, errors,
//! 504s and the server's peak RSS; it writes an SVG chart of p95 against connections with the
//! budgets drawn, and ends with `ratio: X`, the generated stack's throughput over the
//! hand-written one's at the highest level where both keep every class's p95 within budget.
//!
//! `--payments` measures signed payment creation instead ([`payments`]); `--hostile` the
//! honest traffic beside hostile clients ([`hostile`]).

mod hostile;
mod payments;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use ofb_institution::seed::{account, customer};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One kind of call of the mix, with the regulated class of its operation.
pub(crate) struct Call {
    name: &'static str,
    path: &'static str,
    example: &'static str,
    class: ofb_runtime::frequency::Frequency,
}

/// The operations' classes are read from the generated routers, so the budgets are the ones
/// the servers enforce.
pub(crate) fn mix() -> Vec<Call> {
    use ofb_integration_accounts_v3::server::OPERATIONS;
    let class = |path: &str| {
        OPERATIONS
            .iter()
            .find(|o| o.path == path)
            .map_or(ofb_runtime::frequency::Frequency::Unclassified, |o| {
                o.frequency
            })
    };
    use ofb_integration_accounts_v3::examples as ex;
    [
        (
            "find",
            "/find",
            ex::REQUEST_WITH_CONSENT_AND_REQUEST_META_AND_ACCOUNT_ID,
        ),
        ("accounts", "/accounts", ex::REQUEST_ACCOUNTS),
        (
            "balances",
            "/balances",
            ex::REQUEST_WITH_CONSENT_AND_REQUEST_META_AND_ACCOUNT_ID,
        ),
        ("transactions", "/transactions", ex::REQUEST_TRANSACTIONS),
    ]
    .into_iter()
    .map(|(name, path, example)| Call {
        name,
        path,
        example,
        class: class(path),
    })
    .collect()
}

/// The body of a call for customer `i`: the document's own example request, pointed at the
/// customer and one of their accounts, without the example's filters.
pub(crate) fn body(call: &Call, i: u64, page: u64) -> Bytes {
    let mut v: serde_json::Value = serde_json::from_str(call.example).unwrap_or_default();
    v["consent"]["loggedUser"]["document"]["identification"] = serde_json::json!(customer(i));
    let id = account(i, i % 2);
    if v.get("accountId").is_some() {
        v["accountId"] = serde_json::json!([{ "key": "internalResourceId", "value": id }]);
    }
    if let Some(o) = v.as_object_mut() {
        for filter in [
            "fromBookingDate",
            "toBookingDate",
            "creditDebitIndicator",
            "accountType",
            "pagination-key",
        ] {
            o.remove(filter);
        }
        if o.contains_key("page") {
            o.insert(String::from("page"), serde_json::json!(page));
            o.insert(String::from("pageSize"), serde_json::json!(25));
        }
    }
    Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
}

pub(crate) struct Args {
    server: std::path::PathBuf,
    db: String,
    levels: Vec<usize>,
    seconds: u64,
    customers: u64,
    svg: Option<std::path::PathBuf>,
    target: Option<String>,
    runs: usize,
    /// `--payments`: signed payment creation.
    payments: bool,
    /// `--hostile`: honest traffic beside hostile clients.
    hostile: bool,
    /// Tokens signed per run of `--payments`.
    tokens: usize,
    /// The platform's key set the servers verify against (`--payments`).
    jwks: Option<std::path::PathBuf>,
}

fn parse() -> Result<Args, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut a = Args {
        server: exe.with_file_name("ofb-institution"),
        db: String::from("target/bench-platform/bench.sqlite3"),
        levels: vec![64, 512, 4096],
        seconds: 10,
        customers: 1000,
        svg: None,
        target: None,
        runs: 3,
        payments: false,
        hostile: false,
        tokens: 12_000,
        jwks: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--payments" || flag == "--hostile" {
            a.payments |= flag == "--payments";
            a.hostile |= flag == "--hostile";
            continue;
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--db" => a.db = value,
            "--seconds" => a.seconds = value.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--customers" => {
                a.customers = value.parse().map_err(|e| format!("--customers: {e}"))?
            }
            "--svg" => a.svg = Some(value.into()),
            "--target" => a.target = Some(value),
            "--tokens" => a.tokens = value.parse().map_err(|e| format!("--tokens: {e}"))?,
            "--runs" => {
                a.runs = value
                    .parse::<usize>()
                    .map_err(|e| format!("--runs: {e}"))?
                    .max(1)
            }
            "--levels" => {
                a.levels = value
                    .split(',')
                    .map(|l| {
                        l.trim()
                            .parse::<usize>()
                            .map_err(|e| format!("--levels {l}: {e}"))
                    })
                    .collect::<Result<_, _>>()?
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

/// Seeds the database with the server's `--seed-only`, so that neither stack's peak memory
/// counts the seeding.
pub(crate) fn seed_apart(args: &Args) -> Result<(), String> {
    let seeded = Command::new(&args.server)
        .args(["--db", &args.db, "--seed-only", "--customers"])
        .arg(args.customers.to_string())
        .status()
        .map_err(|e| format!("{}: {e}", args.server.display()))?;
    if seeded.success() {
        Ok(())
    } else {
        Err(format!("seeding failed ({seeded})"))
    }
}

/// A server process, stopped on drop.
pub(crate) struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(args: &Args, baseline: bool) -> Result<Server, String> {
        let mut cmd = Command::new(&args.server);
        cmd.args(["--db", &args.db, "--addr", "127.0.0.1:0", "--customers"])
            .arg(args.customers.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if baseline {
            cmd.arg("--baseline");
        }
        if let Some(jwks) = &args.jwks {
            cmd.arg("--jwks").arg(jwks);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("{}: {e}", args.server.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        // Other lines may come first (the development key's, without --jwks).
        let mut lines = std::io::BufReader::new(stdout).lines();
        let addr = lines
            .find_map(|line| {
                let line = line.ok()?;
                line.split_once("listening on http://")
                    .map(|(_, addr)| addr.trim().to_owned())
            })
            .filter(|a| !a.is_empty())
            .ok_or("the server stopped before it said where it listens")?;
        Ok(Server { child, addr })
    }

    /// Peak resident memory since the last reset, in MiB.
    fn peak(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }

    fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first: the server drains and removes what it wrote (its development key).
        let stopped = Command::new("kill")
            .args(["-s", "TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// What one level measured, per class (in the order of `mix`'s classes).
#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    /// Every answer's latency, successes and refusals together.
    latencies: Vec<Duration>,
    /// How many answers were 200s: throughput counts these only.
    ok: usize,
    errors: usize,
    timeouts: usize,
}

pub(crate) fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)]
}

/// `connections` closed loops for `seconds` against `addr`; the answers per call of the mix.
pub(crate) async fn load(
    addr: &str,
    connections: usize,
    seconds: u64,
    customers: u64,
) -> Vec<Stats> {
    let calls = Arc::new(mix());
    // Every body built beforehand, so the load generator spends the cores on sending.
    let bodies: Arc<Vec<Vec<Bytes>>> = Arc::new(
        calls
            .iter()
            .map(|c| {
                (0..customers.max(1) * 3)
                    .map(|n| body(c, n / 3, 1 + n % 3))
                    .collect()
            })
            .collect(),
    );
    let start = Arc::new(tokio::sync::Barrier::new(connections + 1));
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (addr, calls, start) = (addr.to_owned(), calls.clone(), start.clone());
        let bodies = bodies.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = vec![Stats::default(); calls.len()];
            let connect = async {
                let stream = tokio::net::TcpStream::connect(&addr).await.ok()?;
                let _ = stream.set_nodelay(true);
                let (sender, conn) =
                    hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                        .await
                        .ok()?;
                tokio::spawn(conn);
                Some(sender)
            };
            let mut sender = connect.await;
            start.wait().await;
            let until = Instant::now() + Duration::from_secs(seconds);
            let mut n = c as u64;
            while Instant::now() < until {
                let Some(s) = sender.as_mut() else {
                    // No connection: counted against the call it would have made.
                    let n = out.len();
                    out[c % n].errors += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    sender = connect_again(&addr).await;
                    continue;
                };
                // A deterministic walk over customers and calls.
                n = n
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let k = (n >> 33) as usize % calls.len();
                let i = (n >> 13) % (customers.max(1) * 3);
                let call = &calls[k];
                let request = http::Request::post(format!("/accounts{}", call.path))
                    .header("host", "bench")
                    .header("content-type", "application/json")
                    .body(Full::new(bodies[k][i as usize].clone()));
                let Ok(request) = request else { continue };
                let t = Instant::now();
                let status = match s.send_request(request).await {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        match resp.into_body().collect().await {
                            Ok(_) => Some(status),
                            Err(_) => None,
                        }
                    }
                    Err(_) => None,
                };
                let took = t.elapsed();
                out[k].latencies.push(took);
                match status {
                    Some(200) => out[k].ok += 1,
                    Some(504) => out[k].timeouts += 1,
                    Some(_) => out[k].errors += 1,
                    None => {
                        out[k].errors += 1;
                        sender = connect_again(&addr).await;
                    }
                }
            }
            out
        }));
    }
    start.wait().await;
    let mut all = vec![Stats::default(); calls.len()];
    for t in tasks {
        if let Ok(per) = t.await {
            for (a, p) in all.iter_mut().zip(per) {
                a.latencies.extend(p.latencies);
                a.ok += p.ok;
                a.errors += p.errors;
                a.timeouts += p.timeouts;
            }
        }
    }
    for a in &mut all {
        a.latencies.sort();
    }
    all
}

pub(crate) async fn connect_again(
    addr: &str,
) -> Option<hyper::client::conn::http1::SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let (sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .ok()?;
    tokio::spawn(conn);
    Some(sender)
}

/// One row of the results: a stack at a level, per class.
struct Row {
    stack: &'static str,
    level: usize,
    class: ofb_runtime::frequency::Frequency,
    per_second: f64,
    p50: Duration,
    p95: Duration,
    p99: Duration,
    errors: usize,
    timeouts: usize,
    rss: f64,
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = parse()?;
    if let Some(dir) = std::path::Path::new(&args.db).parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    if args.payments {
        return payments::run(&mut args, &runtime);
    }
    if args.hostile {
        return hostile::run(&args, &runtime);
    }
    let calls = mix();
    let mut classes: Vec<ofb_runtime::frequency::Frequency> =
        calls.iter().map(|c| c.class).collect();
    classes.sort();
    classes.dedup();
    println!(
        "mix: {} (equal shares), {} s per run, median of {} runs, {} customers, connections {:?}",
        calls
            .iter()
            .map(|c| format!("{} ({})", c.name, c.class.name()))
            .collect::<Vec<_>>()
            .join(", "),
        args.seconds,
        args.runs,
        args.customers,
        args.levels
    );
    println!(
        "{:<13} {:>5} {:<12} {:>9} {:>9} {:>9} {:>9} {:>8} {:>7} {:>6} {:>8}",
        "stack",
        "conns",
        "class",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "budget",
        "errors",
        "504s",
        "RSS MiB"
    );
    // Against a server already running (a replica set behind a balancer, say): its figures only.
    if let Some(addr) = &args.target {
        for &level in &args.levels {
            let stats = runtime.block_on(load(addr, level, args.seconds, args.customers));
            for (call, s) in calls.iter().zip(&stats) {
                println!(
                    "{:<13} {:>5} {:<12} {:>9.0} {:>9.1} {:>9.1} {:>9.1} {:>8} {:>7} {:>6}",
                    call.name,
                    level,
                    call.class.name(),
                    s.ok as f64 / args.seconds as f64,
                    ms(quantile(&s.latencies, 0.5)),
                    ms(quantile(&s.latencies, 0.95)),
                    ms(quantile(&s.latencies, 0.99)),
                    call.class.budget().as_millis(),
                    s.errors,
                    s.timeouts
                );
            }
        }
        return Ok(());
    }
    seed_apart(&args)?;
    let mut rows = Vec::new();
    let stacks = [
        ("generated", Server::start(&args, false)?),
        ("hand-written", Server::start(&args, true)?),
    ];
    for &level in &args.levels {
        // Runs alternate which stack goes first, so that neither always meets a warmer (or a
        // busier) machine; each stack's median run by throughput is kept.
        let mut runs: [Vec<Vec<Stats>>; 2] = [Vec::new(), Vec::new()];
        let mut rss = [0.0f64; 2];
        for run in 0..args.runs {
            for turn in 0..2 {
                let which = (run + turn) % 2;
                let server = &stacks[which].1;
                server.reset_peak();
                runs[which].push(runtime.block_on(load(
                    &server.addr,
                    level,
                    args.seconds,
                    args.customers,
                )));
                rss[which] = rss[which].max(server.peak());
            }
        }
        for (which, (stack, _)) in stacks.iter().enumerate() {
            let mut all = std::mem::take(&mut runs[which]);
            all.sort_by_key(|r| r.iter().map(|s| s.ok).sum::<usize>());
            let stats = all.swap_remove(all.len() / 2);
            for class in &classes {
                let mut lat: Vec<Duration> = Vec::new();
                let (mut ok, mut errors, mut timeouts) = (0, 0, 0);
                for (call, s) in calls.iter().zip(&stats) {
                    if call.class == *class {
                        lat.extend(&s.latencies);
                        ok += s.ok;
                        errors += s.errors;
                        timeouts += s.timeouts;
                    }
                }
                lat.sort();
                let row = Row {
                    stack,
                    level,
                    class: *class,
                    per_second: ok as f64 / args.seconds as f64,
                    p50: quantile(&lat, 0.50),
                    p95: quantile(&lat, 0.95),
                    p99: quantile(&lat, 0.99),
                    errors,
                    timeouts,
                    rss: rss[which],
                };
                println!(
                    "{:<13} {:>5} {:<12} {:>9.0} {:>9.1} {:>9.1} {:>9.1} {:>8} {:>7} {:>6} {:>8.1}",
                    row.stack,
                    row.level,
                    row.class.name(),
                    row.per_second,
                    ms(row.p50),
                    ms(row.p95),
                    ms(row.p99),
                    row.class.budget().as_millis(),
                    row.errors,
                    row.timeouts,
                    row.rss
                );
                rows.push(row);
            }
        }
    }
    drop(stacks);
    let within = |stack: &str, level: usize| {
        rows.iter()
            .filter(|r| r.stack == stack && r.level == level)
            .all(|r| r.p95 <= r.class.budget() && r.errors == 0 && r.timeouts == 0)
    };
    let throughput = |stack: &str, level: usize| -> f64 {
        rows.iter()
            .filter(|r| r.stack == stack && r.level == level)
            .map(|r| r.per_second)
            .sum()
    };
    if let Some(svg) = &args.svg {
        std::fs::write(svg, chart(&rows, &args.levels))
            .map_err(|e| format!("{}: {e}", svg.display()))?;
        println!("chart: {}", svg.display());
    }
    let level = args
        .levels
        .iter()
        .rev()
        .find(|l| within("generated", **l) && within("hand-written", **l));
    match level {
        Some(&l) => println!(
            "ratio: {:.2} (at {l} connections: {:.0} against {:.0} req/s)",
            throughput("generated", l) / throughput("hand-written", l).max(f64::EPSILON),
            throughput("generated", l),
            throughput("hand-written", l)
        ),
        None => println!("ratio: none (no level where both stacks keep every class within budget)"),
    }
    Ok(())
}

/// p95 against connections (log scale), one line per stack and class, the budgets dashed.
fn chart(rows: &[Row], levels: &[usize]) -> String {
    let (w, h, left, bottom, top, right) = (720.0, 420.0, 70.0, 50.0, 40.0, 200.0);
    let max_ms = rows
        .iter()
        .map(|r| ms(r.p95).max(r.class.budget().as_millis() as f64))
        .fold(1.0f64, f64::max)
        * 1.1;
    let lmin = levels.iter().copied().min().unwrap_or(1).max(1) as f64;
    let lmax = levels.iter().copied().max().unwrap_or(2).max(2) as f64;
    let x = |l: usize| {
        let span = (lmax.ln() - lmin.ln()).max(f64::EPSILON);
        left + (w - left - right) * ((l as f64).ln() - lmin.ln()) / span
    };
    let y = |v: f64| h - bottom - (h - bottom - top) * v / max_ms;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">
<rect width="{w}" height="{h}" fill="white"/>
<text x="{left}" y="22" font-size="14">p95 latency against connections: generated routers and hand-written handlers</text>
<line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="black"/>
<line x1="{left}" y1="{top}" x2="{left}" y2="{}" stroke="black"/>
<text x="12" y="{}" transform="rotate(-90 12 {})">p95 (ms)</text>
"#,
        h - bottom,
        w - right,
        h - bottom,
        h - bottom,
        h / 2.0,
        h / 2.0
    );
    for l in levels {
        s.push_str(&format!(
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{l}</text>
"#,
            x(*l),
            h - bottom + 18.0
        ));
    }
    s.push_str(&format!(
        r#"<text x="{:.1}" y="{}" text-anchor="middle">connections</text>
"#,
        (left + w - right) / 2.0,
        h - 8.0
    ));
    for t in 0..=4 {
        let v = max_ms * f64::from(t) / 4.0;
        s.push_str(&format!(
            r#"<text x="{}" y="{:.1}" text-anchor="end">{v:.0}</text>
"#,
            left - 6.0,
            y(v) + 4.0
        ));
    }
    let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    let mut classes: Vec<ofb_runtime::frequency::Frequency> =
        rows.iter().map(|r| r.class).collect();
    classes.sort();
    classes.dedup();
    let mut legend = 0.0;
    for (ci, class) in classes.iter().enumerate() {
        let colour = palette[ci % palette.len()];
        let budget = class.budget().as_millis() as f64;
        s.push_str(&format!(
            r#"<line x1="{left}" y1="{:.1}" x2="{}" y2="{:.1}" stroke="{colour}" stroke-dasharray="6 4"/>
"#,
            y(budget),
            w - right,
            y(budget)
        ));
        for (stack, dash) in [("generated", ""), ("hand-written", "2 3")] {
            let points: Vec<String> = rows
                .iter()
                .filter(|r| r.stack == stack && r.class == *class)
                .map(|r| format!("{:.1},{:.1}", x(r.level), y(ms(r.p95))))
                .collect();
            s.push_str(&format!(
                r#"<polyline fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}" points="{}"/>
"#,
                points.join(" ")
            ));
            s.push_str(&format!(
                r#"<text x="{}" y="{:.1}" fill="{colour}">{stack}, {} class</text>
"#,
                w - right + 10.0,
                top + 16.0 + legend,
                class.name()
            ));
            legend += 18.0;
        }
        s.push_str(&format!(
            r#"<text x="{}" y="{:.1}" fill="{colour}">budget {} ms (dashed)</text>
"#,
            w - right + 10.0,
            top + 16.0 + legend,
            budget
        ));
        legend += 24.0;
    }
    s.push_str("</svg>\n");
    s
}
