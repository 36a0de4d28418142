//! Serving a router on 127.0.0.1 for a test and calling it over real HTTP: what the generated
//! end-to-end tests use. The server picks a free port and stops when the [`TestServer`] is
//! dropped; no traffic leaves the machine.

use crate::envelope::ErrorEnvelope;
use axum::Router;
use std::net::SocketAddr;
use std::time::Duration;

/// A router served on a free port of 127.0.0.1 until dropped.
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    stop: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<std::io::Result<()>>>>,
    client: reqwest::Client,
}

/// An answer, kept whole for assertions.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: http::HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The `x-fapi-interaction-id` of the answer.
    pub fn interaction_id(&self) -> Option<&str> {
        self.headers
            .get("x-fapi-interaction-id")
            .and_then(|v| v.to_str().ok())
    }

    /// The body as the error envelope, validated; panics (this is for tests) with the body
    /// when it is not one.
    pub fn envelope(&self) -> ErrorEnvelope {
        let text = String::from_utf8_lossy(&self.body);
        let e: ErrorEnvelope = serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: not an error envelope ({e}): {text}",
                self.status
            )
        });
        if let Err(v) = crate::Validate::validate(&e) {
            panic!(
                "status {}: the envelope breaks its schema: {v}\n{text}",
                self.status
            );
        }
        e
    }

    /// The body as `T`, decoded and validated; panics with every violation when it is not.
    pub fn typed<T: serde::de::DeserializeOwned + crate::Validate>(&self) -> T {
        // A signed answer is typed by its payload (its signature is checked where it matters,
        // by the client's verifier), without the envelope's claims.
        let signed = self
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(crate::jws::MEDIA));
        let body = if signed {
            use base64::Engine as _;
            let text = String::from_utf8_lossy(&self.body).into_owned();
            let payload = text.split('.').nth(1).unwrap_or_default();
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .expect("a JWS payload");
            let mut claims: serde_json::Value =
                serde_json::from_slice(&bytes).expect("a JSON payload");
            if let Some(m) = claims.as_object_mut() {
                for c in crate::jws::REGISTERED_CLAIMS {
                    m.remove(*c);
                }
            }
            serde_json::to_vec(&claims).unwrap_or_default()
        } else {
            self.body.clone()
        };
        crate::decode::validated::<T>(&body).unwrap_or_else(|v| {
            panic!(
                "status {}: the body does not fit its type:\n{v}\n{}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Asserts that `answer` has `status` and a valid error envelope, and returns the envelope;
/// `what` names the case in the panic message.
pub fn expect_error(answer: &Answer, status: u16, what: &str) -> ErrorEnvelope {
    assert_eq!(
        answer.status,
        status,
        "{what}: expected {status}, got {}: {}",
        answer.status,
        answer.text()
    );
    let ct = answer
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        ct.starts_with("application/json"),
        "{what}: content type {ct:?}"
    );
    answer.envelope()
}

/// [`expect_error`], and one of the envelope's errors says `detail` (in its `detail`).
pub fn expect_error_saying(
    answer: &Answer,
    status: u16,
    what: &str,
    detail: &str,
) -> ErrorEnvelope {
    let e = expect_error(answer, status, what);
    assert!(
        e.errors.iter().any(|i| i.detail.contains(detail)),
        "{what}: no error says {detail:?}: {e:?}"
    );
    e
}

impl TestServer {
    /// Serves `router` on 127.0.0.1 at a free port.
    pub async fn start(router: Router) -> TestServer {
        Self::start_with(router, super::ServeConfig::default()).await
    }

    /// Serves `router` on 127.0.0.1 at a free port, with these connection limits.
    pub async fn start_with(router: Router, config: super::ServeConfig) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port on 127.0.0.1");
        let addr = listener.local_addr().expect("a bound address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        // reqwest is built with rustls and no default provider.
        crate::tls::install_tls_provider();
        let task = tokio::spawn(super::serve_with(
            listener,
            router,
            async move {
                let _ = stopped.await;
            },
            config,
        ));
        TestServer {
            addr,
            stop: std::sync::Mutex::new(Some(stop)),
            task: std::sync::Mutex::new(Some(task)),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .pool_max_idle_per_host(256)
                .no_proxy()
                .build()
                .expect("an HTTP client"),
        }
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends the signed body `example` (JSON) validly, then as each [`Forgery`] of
    /// [`TestKeys::shared`]: the valid one must pass the signature check (any answer but 400
    /// and 401), every forgery must get a 401 in the error envelope.
    ///
    /// [`Forgery`]: crate::testing::keys::Forgery
    /// [`TestKeys::shared`]: crate::testing::keys::TestKeys::shared
    pub async fn expect_signatures_checked(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        example: &str,
    ) {
        use crate::testing::keys::{Forgery, TestKeys};
        let body: serde_json::Value = serde_json::from_str(example).expect("a JSON example");
        let keys = TestKeys::shared();
        let valid = keys.sign(&body);
        let a = self
            .call(method, path_and_query, headers, Some(valid.as_bytes()))
            .await;
        assert!(
            a.status != 400 && a.status != 401,
            "a valid signature: {} {}",
            a.status,
            a.text()
        );
        for forgery in Forgery::ALL {
            let token = keys.forge(forgery, &body);
            let a = self
                .call(method, path_and_query, headers, Some(token.as_bytes()))
                .await;
            let e = expect_error(&a, 401, forgery.name());
            assert!(
                !a.text().contains(&token),
                "{}: the token is echoed",
                forgery.name()
            );
            assert!(!e.errors.is_empty(), "{}", forgery.name());
        }
    }

    /// Sends a request and reads the whole answer.
    pub async fn call(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut req = self.client.request(method, self.url(path_and_query));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        // A signed body's JSON is signed here with the process's test key pair, as a client
        // would; anything else (a token, broken JSON) goes as it is.
        let signed = headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("content-type") && v.starts_with(crate::jws::MEDIA)
        });
        if let Some(b) = body {
            match serde_json::from_slice::<serde_json::Value>(b) {
                Ok(v @ serde_json::Value::Object(_)) if signed => {
                    req = req.body(crate::testing::keys::TestKeys::shared().sign(&v));
                }
                _ => req = req.body(b.to_vec()),
            }
        }
        let resp = req.send().await.expect("the test server answers");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.expect("a whole body").to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    fn send_stop(&self) {
        let stop = self.stop.lock().ok().and_then(|mut s| s.take());
        if let Some(stop) = stop {
            let _ = stop.send(());
        }
    }

    /// Stops accepting connections and waits until the requests in flight are answered.
    pub async fn shutdown(&self) {
        self.send_stop();
        let task = self.task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.send_stop();
    }
}

/// Throughput and latency of one load run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    /// Requests answered per second.
    pub per_second: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th-percentile latency.
    pub p99: Duration,
    /// Answers with another status than expected.
    pub unexpected: usize,
}

/// Drives `router`, served on 127.0.0.1, with `connections` concurrent keep-alive clients
/// sending the same request for `duration`; every answer must have `status`.
pub async fn load(
    router: Router,
    request: (&str, &str, &[(&str, &str)]),
    status: u16,
    connections: usize,
    duration: Duration,
) -> Load {
    let server = TestServer::start(router).await;
    let (method, path, headers) = request;
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let url = server.url(path);
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections.max(1) {
        let client = server.client.clone();
        let (method, url, headers) = (method.clone(), url.clone(), headers.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut unexpected = 0usize;
            while started.elapsed() < duration {
                let t = std::time::Instant::now();
                let mut req = client.request(method.clone(), &url);
                for (k, v) in &headers {
                    req = req.header(k, v);
                }
                match req.send().await {
                    Ok(resp) => {
                        let ok = resp.status().as_u16() == status;
                        let body = resp.bytes().await;
                        if !ok || body.is_err() {
                            unexpected += 1;
                        }
                    }
                    Err(_) => unexpected += 1,
                }
                latencies.push(t.elapsed());
            }
            (latencies, unexpected)
        }));
    }
    let mut all = Vec::new();
    let mut unexpected = 0;
    for t in tasks {
        if let Ok((l, u)) = t.await {
            all.extend(l);
            unexpected += u;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    server.shutdown().await;
    all.sort();
    let at = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Load {
        per_second: all.len() as f64 / elapsed.max(f64::EPSILON),
        p50: at(0.50),
        p99: at(0.99),
        unexpected,
    }
}
