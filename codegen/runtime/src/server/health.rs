//! What an operator watches: per-operation metrics through the `metrics` facade, a readiness
//! flag that a shutdown lowers, and the routes that expose both.
//!
//! The runtime records, whatever recorder is installed (none: they cost nothing):
//! - `ofb_requests_total{operation, status}` and `ofb_request_duration_seconds{operation}`, by
//!   [`MetricsLayer`], a tower layer the institution adds around its routers;
//! - `ofb_deadline_overruns_total{operation}`: 504s sent because a deadline passed;
//! - `ofb_request_violations_total{operation}`: violations served anyway in `Report` mode.
//!
//! With the `prometheus` feature, [`install_prometheus`] installs a Prometheus recorder and
//! [`routes`] serves its text at `/metrics`, beside `/ready`.

use super::OperationName;
use axum::extract::Request;
use axum::response::Response;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

/// Whether the process takes traffic: ready from the start, lowered by a shutdown
/// ([`ServeConfig::with_readiness`](super::ServeConfig::with_readiness)) or by the institution
/// (its database is gone). Clones share one flag.
#[derive(Debug, Clone)]
pub struct Readiness(Arc<AtomicBool>);

impl Default for Readiness {
    fn default() -> Self {
        Readiness(Arc::new(AtomicBool::new(true)))
    }
}

impl Readiness {
    /// A ready flag.
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises or lowers the flag.
    pub fn set_ready(&self, ready: bool) {
        self.0.store(ready, Ordering::Relaxed);
    }

    /// Whether it is raised.
    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// `GET /ready`: 200 while ready, else 503 in the error envelope. Mount it beside the routers
/// (`app.merge(routes(readiness))`), outside the paths of the documents.
pub fn routes(readiness: Readiness) -> axum::Router {
    axum::Router::new().route(
        "/ready",
        axum::routing::get(move || {
            let ready = readiness.is_ready();
            async move {
                if ready {
                    let mut r = Response::new(axum::body::Body::from("{\"status\":\"ready\"}"));
                    r.headers_mut().insert(
                        http::header::CONTENT_TYPE,
                        http::HeaderValue::from_static("application/json"),
                    );
                    r
                } else {
                    super::handle::failure(
                        super::Failure::new(
                            503,
                            "SERVICE_UNAVAILABLE",
                            "Service unavailable",
                            "not ready: shutting down or a dependency is down",
                        ),
                        None,
                    )
                }
            }
        }),
    )
}

/// [`routes`] and `GET /metrics`, the Prometheus text of `handle`.
#[cfg(feature = "prometheus")]
pub fn routes_with_metrics(readiness: Readiness, handle: PrometheusHandle) -> axum::Router {
    routes(readiness).route(
        "/metrics",
        axum::routing::get(move || {
            let text = handle.render();
            async move { text }
        }),
    )
}

#[cfg(feature = "prometheus")]
pub use metrics_exporter_prometheus::PrometheusHandle;

/// Installs a Prometheus recorder as the process's `metrics` recorder, with latency buckets
/// around the regulated budgets, and returns the handle whose text [`routes`] serves.
#[cfg(feature = "prometheus")]
pub fn install_prometheus() -> Result<PrometheusHandle, String> {
    const BUCKETS: &[f64] = &[
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.9, 1.2, 1.5, 2.0, 2.4, 4.0,
    ];
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets_for_metric(
            metrics_exporter_prometheus::Matcher::Full(String::from(
                "ofb_request_duration_seconds",
            )),
            BUCKETS,
        )
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| e.to_string())
}

/// A tower layer recording, per operation, the number of answers by status and their latency.
/// Add it around the routers: `router.layer(MetricsLayer)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetricsLayer;

impl<S> tower_layer::Layer<S> for MetricsLayer {
    type Service = Metered<S>;
    fn layer(&self, inner: S) -> Metered<S> {
        Metered(inner)
    }
}

/// The service of [`MetricsLayer`].
#[derive(Debug, Clone)]
pub struct Metered<S>(S);

impl<S> tower_service::Service<Request> for Metered<S>
where
    S: tower_service::Service<Request, Response = Response>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let started = Instant::now();
        let fut = self.0.call(request);
        Box::pin(async move {
            let response = fut.await?;
            let operation = response
                .extensions()
                .get::<OperationName>()
                .map_or("unmatched", |o| o.0);
            let status = response.status().as_u16().to_string();
            metrics::counter!("ofb_requests_total", "operation" => operation, "status" => status)
                .increment(1);
            metrics::histogram!("ofb_request_duration_seconds", "operation" => operation)
                .record(started.elapsed().as_secs_f64());
            Ok(response)
        })
    }
}
