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
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
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
        crate::decode::validated::<T>(&self.body).unwrap_or_else(|v| {
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

impl TestServer {
    /// Serves `router` on 127.0.0.1 at a free port.
    pub async fn start(router: Router) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port on 127.0.0.1");
        let addr = listener.local_addr().expect("a bound address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(super::serve(listener, router, async move {
            let _ = stopped.await;
        }));
        TestServer {
            addr,
            stop: Some(stop),
            task: Some(task),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
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
        if let Some(b) = body {
            req = req.body(b.to_vec());
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

    /// Stops accepting connections and waits until the requests in flight are answered.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
