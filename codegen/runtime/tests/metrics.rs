//! The metrics an operator scrapes: `MetricsLayer` counts answers by operation and status and
//! times them, the runtime counts deadline overruns, and the Prometheus route serves the text.
//! A test binary of its own, as the recorder is global to the process.

use ofb_runtime::server::health::{install_prometheus, routes_with_metrics};
use ofb_runtime::server::testing::TestServer;
use ofb_runtime::server::{MetricsLayer, OperationName, Readiness};

#[tokio::test]
async fn answers_are_counted_and_timed_per_operation() {
    let handle = install_prometheus().expect("a recorder");
    let app = axum::Router::new()
        .route(
            "/things",
            axum::routing::get(|| async {
                let mut r = axum::response::Response::new(axum::body::Body::from("ok"));
                r.extensions_mut().insert(OperationName("get_things"));
                r
            }),
        )
        .layer(MetricsLayer)
        .merge(routes_with_metrics(Readiness::new(), handle));
    let server = TestServer::start(app).await;
    for _ in 0..3 {
        assert_eq!(server.call("GET", "/things", &[], None).await.status, 200);
    }
    let text = server.call("GET", "/metrics", &[], None).await.text();
    assert!(
        text.contains(r#"ofb_requests_total{operation="get_things",status="200"} 3"#),
        "{text}"
    );
    assert!(
        text.contains(r#"ofb_request_duration_seconds_bucket{operation="get_things",le="0.9"} 3"#),
        "{text}"
    );
}
