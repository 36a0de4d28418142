//! The signals that stop a server, and the entry point of the generated mock servers.

use super::serve;
use axum::Router;
use std::process::ExitCode;

/// Completes on Ctrl-C, or on SIGTERM where there are Unix signals: what orchestrators send to
/// stop a service.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// The `main` of a generated mock server: `--addr HOST:PORT` (default `127.0.0.1:0`, a free
/// port), prints `listening on http://ADDR` once bound, serves until Ctrl-C or SIGTERM.
pub fn run_mock(title: &str, router: Router) -> ExitCode {
    let mut addr = String::from("127.0.0.1:0");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--addr", Some(v)) => addr = v,
            // Read by the mock's `main` for signed bodies (`testing::keys::mock_verifier`).
            ("--jwks", Some(_)) => {}
            _ => {
                eprintln!("usage: mock [--addr HOST:PORT] [--jwks FILE]");
                return ExitCode::from(2);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(&addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {addr}: {e}");
                return ExitCode::FAILURE;
            }
        };
        match listener.local_addr() {
            Ok(a) => println!("{title}: listening on http://{a}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
        match serve(listener, router, shutdown_signal()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    })
}
