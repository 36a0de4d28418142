//! Serving a router on a listener, within limits a hostile client cannot stretch: a time to send
//! the request headers, a number of connections, and a grace period on shutdown after which the
//! connections still open are closed.
//!
//! `axum::serve` has none of these: a client trickling header bytes kept its connection (and a
//! graceful shutdown) open for as long as it liked. This loop serves HTTP/1.1 with hyper, which
//! closes a connection whose headers are not in within the header timeout.

use super::health::Readiness;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinSet;

/// How [`serve_with`] treats connections, built with `with_*` methods from
/// [`ServeConfig::default`].
#[derive(Debug, Clone)]
pub struct ServeConfig {
    header_timeout: Duration,
    write_timeout: Duration,
    max_connections: usize,
    grace: Duration,
    drain: Duration,
    readiness: Option<Readiness>,
    tls: Option<super::tls::TlsConfig>,
}

/// The default time a client has to send a request's headers: 10 s.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// The default number of connections served at once: 8,192. Past it a connection is answered
/// 503 in the error envelope and closed.
pub const MAX_CONNECTIONS: usize = 8192;
/// The default time an answer may wait for a client that reads none of it: 10 s.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The default grace period of a shutdown: 10 s.
pub const GRACE_PERIOD: Duration = Duration::from_secs(10);

impl Default for ServeConfig {
    /// Headers within 10 s, answers read within 10 s, 8,192 connections, a 10 s grace period.
    fn default() -> Self {
        ServeConfig {
            header_timeout: HEADER_TIMEOUT,
            write_timeout: WRITE_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            grace: GRACE_PERIOD,
            drain: Duration::ZERO,
            readiness: None,
            tls: None,
        }
    }
}

impl ServeConfig {
    /// How long a client may take to send a request's headers, from the moment the server
    /// waits for them; past it the connection is closed (hyper sends nothing on it).
    pub fn with_header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// How long writing an answer may wait for a client that reads none of it (one that sends
    /// requests and never reads the answers); past it the connection is closed, freeing its
    /// slot.
    pub fn with_write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// How many connections are served at once; a connection past the limit is answered 503
    /// in the error envelope and closed.
    pub fn with_max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// How long a shutdown waits for the requests in flight; then the connections still open
    /// are closed.
    pub fn with_grace_period(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Marks `readiness` not ready as soon as a shutdown begins, so that a load balancer
    /// polling the readiness route stops sending while the requests in flight finish.
    pub fn with_readiness(mut self, readiness: Readiness) -> Self {
        self.readiness = Some(readiness);
        self
    }

    /// Serves over TLS (HTTP/2 or HTTP/1.1, as ALPN settles), or mutual TLS when `tls`
    /// requires client certificates: the handshake must end within the header timeout, and
    /// each request then carries its client's certificate
    /// ([`super::tls::ClientCertificate`]) in its context's extensions.
    pub fn with_tls(mut self, tls: super::tls::TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// How long a shutdown keeps accepting connections after lowering the readiness flag
    /// (none by default): the time a load balancer needs to see `/ready` answer 503 and stop
    /// sending, rather than finding the port closed.
    pub fn with_drain(mut self, drain: Duration) -> Self {
        self.drain = drain;
        self
    }
}

/// [`serve_with`] with the default [`ServeConfig`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, shutdown, ServeConfig::default()).await
}

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting connections,
/// lets the requests in flight finish for at most the grace period, closes what is left and
/// returns.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    config: ServeConfig,
) -> std::io::Result<()> {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout);
    let slots = Arc::new(tokio::sync::Semaphore::new(config.max_connections));
    let graceful = GracefulShutdown::new();
    let turning_away = Arc::new(tokio::sync::Semaphore::new(TURNING_AWAY));
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    // Until the shutdown, and for the drain period after it (not ready meanwhile).
    let mut stop_at: Option<tokio::time::Instant> = None;
    loop {
        let draining = async {
            match stop_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let (stream, _peer) = tokio::select! {
            () = &mut shutdown, if stop_at.is_none() => {
                if let Some(r) = &config.readiness {
                    r.set_ready(false);
                }
                if config.drain.is_zero() {
                    break;
                }
                stop_at = Some(tokio::time::Instant::now() + config.drain);
                continue;
            }
            () = draining => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or memory: wait rather than spin, as axum does.
                    tracing::error!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            // Turned away in the envelope, a bounded number at a time; past that, closed.
            if let Ok(turning) = turning_away.clone().try_acquire_owned() {
                connections.spawn(async move {
                    turn_away(stream).await;
                    drop(turning);
                });
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        if let Some(tls) = &config.tls {
            let connection =
                tls_connection(stream, tls, router.clone(), &config, graceful.watcher());
            connections.spawn(async move {
                connection.await;
                drop(permit);
            });
            continue;
        }
        let service = TowerToHyperService::new(router.clone());
        let stream = super::stall::WriteDeadline::new(stream, config.write_timeout);
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        connections.spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(config.grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            open = connections.len(),
            "the grace period passed; closing the connections still open"
        );
    }
    connections.shutdown().await;
    Ok(())
}

/// One TLS connection: the handshake (within the header timeout), then HTTP/2 or HTTP/1.1 as
/// ALPN settled, every request carrying the client's certificate when it gave one.
fn tls_connection(
    stream: tokio::net::TcpStream,
    tls: &super::tls::TlsConfig,
    router: Router,
    config: &ServeConfig,
    watcher: hyper_util::server::graceful::Watcher,
) -> impl Future<Output = ()> + Send + 'static {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.server.clone());
    let (header_timeout, write_timeout) = (config.header_timeout, config.write_timeout);
    async move {
        let stream = match tokio::time::timeout(header_timeout, acceptor.accept(stream)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "a TLS handshake failed");
                return;
            }
            Err(_) => return,
        };
        let (_, session) = stream.get_ref();
        let peer = session
            .peer_certificates()
            .and_then(|c| c.first())
            .map(|c| super::tls::ClientCertificate::from_der(c));
        let h2 = session.alpn_protocol() == Some(b"h2");
        let service = TowerToHyperService::new(WithPeer {
            inner: router,
            peer,
        });
        let io = TokioIo::new(super::stall::WriteDeadline::new(stream, write_timeout));
        if h2 {
            let mut http =
                hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new());
            http.timer(TokioTimer::new());
            let _ = watcher.watch(http.serve_connection(io, service)).await;
        } else {
            let mut http = http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let _ = watcher.watch(http.serve_connection(io, service)).await;
        }
    }
}

/// The router, with each request given its connection's client certificate.
#[derive(Clone)]
struct WithPeer {
    inner: Router,
    peer: Option<super::tls::ClientCertificate>,
}

impl tower_service::Service<http::Request<hyper::body::Incoming>> for WithPeer {
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = <Router as tower_service::Service<http::Request<hyper::body::Incoming>>>::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        tower_service::Service::<http::Request<hyper::body::Incoming>>::poll_ready(
            &mut self.inner,
            cx,
        )
    }

    fn call(&mut self, mut request: http::Request<hyper::body::Incoming>) -> Self::Future {
        if let Some(peer) = &self.peer {
            request.extensions_mut().insert(peer.clone());
        }
        self.inner.call(request)
    }
}

/// How many connections past the limit are answered at once; others are closed unanswered.
const TURNING_AWAY: usize = 256;

/// A connection past the limit: one 503 in the envelope, then closed. The request is read (and
/// dropped) before closing, so that the close does not reset the connection under the client
/// before it reads the answer; all of it bounded in time, so a client cannot keep it.
async fn turn_away(mut stream: tokio::net::TcpStream) {
    let f = super::Failure::new(
        503,
        "SERVICE_UNAVAILABLE",
        "Service unavailable",
        "the server is at its limit of connections; retry later",
    );
    let body = serde_json::to_vec(&f.envelope).unwrap_or_default();
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\n\
         content-length: {}\r\nconnection: close\r\nretry-after: 1\r\n\r\n",
        body.len()
    );
    let write = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&body).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<(), std::io::Error>(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), write).await;
}
