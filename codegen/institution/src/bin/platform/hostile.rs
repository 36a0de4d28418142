//! `platform --hostile`: the platform's honest traffic (the accounts mix) against the
//! generated routers, alone and then beside hostile clients: 300 that send a body's headers
//! and then a byte a second, and 300 that pipeline requests and never read an answer. The
//! honest requests must keep their deadline meanwhile; the rows say whether they did, and how
//! many hostile connections the server cut.

use super::{load, mix, ms, quantile, Args, Server, Stats};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Hostile clients of each kind.
const HOSTILE: usize = 300;
/// Honest connections.
const HONEST: usize = 16;

/// Starts the hostile clients against `addr`; they stop when `stop` is set. Counts the
/// connections the server closed under them.
fn hostile(addr: &str, stop: &Arc<AtomicBool>, cut: &Arc<AtomicUsize>) {
    let find = mix()
        .into_iter()
        .find(|c| c.name == "find")
        .map(|c| super::body(&c, 0, 1))
        .unwrap_or_default();
    for _ in 0..HOSTILE {
        let (addr, stop, cut) = (addr.to_owned(), stop.clone(), cut.clone());
        tokio::spawn(async move {
            let Ok(mut s) = tokio::net::TcpStream::connect(&addr).await else {
                return;
            };
            let head = "POST /accounts/find HTTP/1.1\r\nhost: bench\r\n\
                        content-type: application/json\r\ncontent-length: 100000\r\n\r\n{";
            if s.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if s.write_all(b" ").await.is_err() {
                    cut.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
        });
    }
    for _ in 0..HOSTILE {
        let (addr, stop, body) = (addr.to_owned(), stop.clone(), find.clone());
        tokio::spawn(async move {
            let Ok(mut s) = tokio::net::TcpStream::connect(&addr).await else {
                return;
            };
            let one = format!(
                "POST /accounts/find HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\n\r\n",
                body.len()
            );
            let mut many = Vec::new();
            for _ in 0..200 {
                many.extend_from_slice(one.as_bytes());
                many.extend_from_slice(&body);
            }
            // Written, never read: the answers fill the socket's buffers and stay there.
            let _ = s.write_all(&many).await;
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
    }
}

fn row(label: &str, stats: &[Stats], seconds: u64) {
    let calls = mix();
    let mut classes: Vec<_> = calls.iter().map(|c| c.class).collect();
    classes.sort();
    classes.dedup();
    for class in classes {
        let mut lat = Vec::new();
        let (mut ok, mut errors, mut timeouts) = (0, 0, 0);
        for (call, s) in calls.iter().zip(stats) {
            if call.class == class {
                lat.extend(&s.latencies);
                ok += s.ok;
                errors += s.errors;
                timeouts += s.timeouts;
            }
        }
        lat.sort();
        println!(
            "{:<34} {:<12} {:>9.0} {:>9.1} {:>9.1} {:>9.1} {:>8} {:>7} {:>6}",
            label,
            class.name(),
            ok as f64 / seconds as f64,
            ms(quantile(&lat, 0.5)),
            ms(quantile(&lat, 0.95)),
            ms(quantile(&lat, 0.99)),
            class.budget().as_millis(),
            errors,
            timeouts
        );
    }
}

/// The hostile benchmark.
pub fn run(args: &Args, runtime: &tokio::runtime::Runtime) -> Result<(), String> {
    let server = Server::start(args, false)?;
    println!(
        "hostile: {HONEST} honest connections of the accounts mix, {} s each, alone and beside \
         {HOSTILE} clients trickling a body a byte a second and {HOSTILE} pipelining requests \
         without reading an answer",
        args.seconds
    );
    println!(
        "{:<34} {:<12} {:>9} {:>9} {:>9} {:>9} {:>8} {:>7} {:>6}",
        "honest traffic",
        "class",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "budget",
        "errors",
        "504s"
    );
    let alone = runtime.block_on(load(&server.addr, HONEST, args.seconds, args.customers));
    row("alone", &alone, args.seconds);
    let stop = Arc::new(AtomicBool::new(false));
    let cut = Arc::new(AtomicUsize::new(0));
    let beside = runtime.block_on(async {
        hostile(&server.addr, &stop, &cut);
        // The hostile clients settle in before the honest ones start.
        tokio::time::sleep(Duration::from_secs(2)).await;
        load(&server.addr, HONEST, args.seconds, args.customers).await
    });
    stop.store(true, Ordering::Relaxed);
    row("beside 600 hostile connections", &beside, args.seconds);
    println!(
        "trickling connections the server cut while the honest ones ran: {} of {HOSTILE}",
        cut.load(Ordering::Relaxed)
    );
    Ok(())
}
