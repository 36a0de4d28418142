//! The client runtime over real HTTP on 127.0.0.1, against a scripted server: every way a call
//! can end (success, documented error, undocumented status, invalid JSON, a body that does not
//! fit, a gateway's HTML page, a timeout, a refused connection), retries, pagination, tokens,
//! and `Debug` output that keeps secrets out. The request and response types are written here
//! the way the generator writes them.

use axum::extract::{Path, RawQuery, Request as HttpRequest};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::get;
use axum::Router;
use ofb_runtime::client::{
    CallOptions, Config, Core, Endpoint, ErrorKind, Incoming, Mismatch, Outgoing, Paged, Request,
    Response, RetryPolicy, Secret, TokenError, TokenFuture, TokenProvider,
};
use ofb_runtime::server::testing::TestServer;
use ofb_runtime::{ErrorEnvelope, Rules, Validate};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

static ID_RULES: Rules = Rules {
    min_length: Some(1),
    max_length: Some(100),
    ..Rules::NONE
};

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
struct Item {
    id: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
struct Page {
    #[validate(nested)]
    data: Vec<Item>,
}

/// `GET /{case}`: the case picks the server's answer.
#[derive(Debug, Clone, PartialEq, Validate)]
struct CaseRequest {
    #[validate(name = "case", rules = ID_RULES)]
    case: String,
    #[validate(name = "page")]
    page: Option<i32>,
    #[validate(name = "x-fapi-interaction-id", rules = ID_RULES)]
    x_fapi_interaction_id: String,
}

impl CaseRequest {
    fn new(case: &str) -> Self {
        CaseRequest {
            case: case.to_owned(),
            page: None,
            x_fapi_interaction_id: String::new(),
        }
    }
}

static CASE: Endpoint = Endpoint {
    name: "get_case",
    method: "GET",
    path: "/{case}",
    accept: "application/json",
    interaction_id: true,
    anonymous: false,
    signed_response: true,
};

impl Request for CaseRequest {
    const ENDPOINT: &'static Endpoint = &CASE;
    type Response = CaseResponse;
    fn write(&self, out: &mut Outgoing) {
        out.path("case", &self.case);
        out.query_opt("page", &self.page);
    }
    fn interaction_id(&self) -> Option<&str> {
        Some(&self.x_fapi_interaction_id)
    }
    fn set_interaction_id(&mut self, id: &str) {
        id.clone_into(&mut self.x_fapi_interaction_id);
    }
}

impl Paged for CaseRequest {}

/// 200, 404, 429, 504 documented, as the regulated documents do.
#[derive(Debug, Clone, PartialEq)]
enum CaseResponse {
    Ok(Page),
    NotFound(ErrorEnvelope),
    TooManyRequests(ErrorEnvelope),
    GatewayTimeout(ErrorEnvelope),
}

impl Response for CaseResponse {
    type Success = Page;
    fn decode(i: &Incoming) -> Result<Option<Self>, Mismatch> {
        Ok(Some(match i.status() {
            200 => Self::Ok(i.json()?),
            404 => Self::NotFound(i.json()?),
            429 => Self::TooManyRequests(i.json()?),
            504 => Self::GatewayTimeout(i.json()?),
            _ => return Ok(None),
        }))
    }
    fn split(self) -> Result<Page, Self> {
        match self {
            Self::Ok(p) => Ok(p),
            other => Err(other),
        }
    }
}

fn envelope(code: &str) -> String {
    format!(
        r#"{{"errors":[{{"code":"{code}","title":"t","detail":"d"}}],"meta":{{"requestDateTime":"2026-01-01T00:00:00Z"}}}}"#
    )
}

fn json(status: u16, body: String) -> HttpResponse {
    (
        StatusCode::from_u16(status).expect("a status"),
        [("content-type", "application/json")],
        body,
    )
        .into_response()
}

#[derive(Default)]
struct Hits {
    busy: AtomicUsize,
    all: AtomicUsize,
}

fn server(hits: Arc<Hits>) -> Router {
    let h = hits.clone();
    Router::new()
        .route(
            "/{case}",
            get(
                move |Path(case): Path<String>, RawQuery(q): RawQuery, headers: HeaderMap| {
                    let hits = h.clone();
                    let q: BTreeMap<String, String> = q
                        .unwrap_or_default()
                        .split('&')
                        .filter_map(|kv| kv.split_once('='))
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect();
                    async move {
                        hits.all.fetch_add(1, Ordering::SeqCst);
                        answer(&case, &q, &headers, &hits).await
                    }
                },
            ),
        )
        .fallback(
            |r: HttpRequest| async move { json(404, envelope(&format!("NO_ROUTE {}", r.uri()))) },
        )
}

async fn answer(
    case: &str,
    q: &BTreeMap<String, String>,
    headers: &HeaderMap,
    hits: &Hits,
) -> HttpResponse {
    let id = headers
        .get("x-fapi-interaction-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_owned();
    let mut r = match case {
        "ok" => json(200, String::from(r#"{"data":[{"id":"a1"}]}"#)),
        "missing" => json(404, envelope("NAO_ENCONTRADO")),
        "forged" => json(404, envelope(r"NAO\r\n2026-12-06 ERROR forged line")),
        // A page that always links to a new one, as a hostile server could.
        "mint" => {
            let page: u32 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            json(
                200,
                format!(
                    r#"{{"data":[{{"id":"m{page}"}}],"links":{{"next":"/mint?page={}"}}}}"#,
                    page + 1
                ),
            )
        }
        // ... or says how many there are and links past them.
        "total" => {
            let page: u32 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            json(
                200,
                format!(
                    r#"{{"data":[{{"id":"t{page}"}}],"links":{{"next":"/total?page={}"}},"meta":{{"totalPages":2}}}}"#,
                    page + 1
                ),
            )
        }
        "teapot" => json(418, String::from(r#"{"short":"and stout"}"#)),
        // A signed answer (application/jwt), validly and as a forgery.
        "signed" | "signed-forged" => {
            use ofb_runtime::testing::keys::{Forgery, TestKeys};
            let body = serde_json::json!({"data": [{"id": "s1"}]});
            let keys = TestKeys::shared();
            let token = if case == "signed" {
                keys.sign(&body)
            } else {
                keys.forge(Forgery::Tampered, &body)
            };
            let mut r = (StatusCode::OK, token).into_response();
            r.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/jwt"),
            );
            r
        }
        "broken" => json(200, String::from(r#"{"data":[{"id":"a1"}"#)),
        "mismatch" => json(200, String::from(r#"{"data":[{"id":"a1"},{"id":7}]}"#)),
        "gateway" => (
            StatusCode::GATEWAY_TIMEOUT,
            [("content-type", "text/html")],
            "<html><body>504 Gateway Time-out</body></html>",
        )
            .into_response(),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            json(200, String::from(r#"{"data":[]}"#))
        }
        "busy" => {
            if hits.busy.fetch_add(1, Ordering::SeqCst) < 2 {
                let mut r = json(429, envelope("TOO_MANY"));
                r.headers_mut()
                    .insert("retry-after", "0".parse().expect("a value"));
                r
            } else {
                json(200, String::from(r#"{"data":[{"id":"finally"}]}"#))
            }
        }
        "strict" => {
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
            if auth == Some("Bearer fresh") {
                json(200, String::from(r#"{"data":[{"id":"in"}]}"#))
            } else {
                json(401, envelope("TOKEN_REVOGADO"))
            }
        }
        "token" => {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            json(200, format!(r#"{{"data":[{{"id":"{auth}"}}]}}"#))
        }
        "list" => {
            let page: u32 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let next = if page < 3 {
                format!(
                    r#","next":"https://elsewhere.example/other/list?page={}&page-size=2""#,
                    page + 1
                )
            } else {
                String::new()
            };
            json(
                200,
                format!(
                    r#"{{"data":[{{"id":"p{page}a"}},{{"id":"p{page}b"}}],"links":{{"self":"x"{next}}},"meta":{{"totalPages":3}}}}"#
                ),
            )
        }
        "loop" => json(
            200,
            String::from(r#"{"data":[{"id":"again"}],"links":{"next":"/loop?page=1"}}"#),
        ),
        "redirect" => {
            let mut r = json(302, String::new());
            r.headers_mut()
                .insert("location", "/ok".parse().expect("a value"));
            r
        }
        "big" => json(
            200,
            format!(r#"{{"data":[{{"id":"{}"}}]}}"#, "x".repeat(4096)),
        ),
        "headers" => {
            let count = |n: &str| headers.get_all(n).iter().count();
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            json(
                200,
                format!(
                    r#"{{"data":[{{"id":"accept={} authorization={} ids={} {auth}"}}]}}"#,
                    count("accept"),
                    count("authorization"),
                    count("x-fapi-interaction-id")
                ),
            )
        }
        other => json(404, envelope(&format!("NO_CASE {other}"))),
    };
    r.headers_mut()
        .insert("x-fapi-interaction-id", id.parse().expect("a value"));
    r
}

async fn setup() -> (TestServer, Arc<Hits>) {
    let hits = Arc::new(Hits::default());
    (TestServer::start(server(hits.clone())).await, hits)
}

fn core(server: &TestServer, config: impl FnOnce(Config) -> Config) -> Core {
    Core::new(config(Config::new(server.url("/")))).expect("a client")
}

async fn call(
    core: &Core,
    case: &str,
) -> Result<ofb_runtime::client::Reply<Page>, ofb_runtime::client::Error<CaseResponse>> {
    core.call(CaseRequest::new(case), CallOptions::default())
        .await
}

#[tokio::test]
async fn success_is_typed_and_carries_the_interaction_id() {
    let (server, _) = setup().await;
    let c = core(&server, |c| c);
    let reply = call(&c, "ok").await.expect("a success");
    assert_eq!(reply.value.data, [Item { id: "a1".into() }]);
    assert_eq!(reply.status, 200);
    let id = reply.interaction_id.clone().expect("an interaction id");
    assert!(uuid_v4(&id), "minted id {id:?} is not a v4 UUID");

    let given = c
        .call(
            CaseRequest::new("ok"),
            CallOptions {
                interaction_id: Some("c0ffee00-0000-4000-8000-000000000001".into()),
                ..CallOptions::default()
            },
        )
        .await
        .expect("a success");
    assert_eq!(
        given.interaction_id.as_deref(),
        Some("c0ffee00-0000-4000-8000-000000000001"),
        "the caller's id is sent and returned"
    );
}

fn uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

#[tokio::test]
async fn documented_error_keeps_status_headers_body_and_typed_envelope() {
    let (server, _) = setup().await;
    let e = call(&core(&server, |c| c), "missing")
        .await
        .expect_err("a 404");
    assert_eq!(e.status(), Some(404));
    let raw = e.raw().expect("the answer");
    assert!(raw.text().contains("NAO_ENCONTRADO"));
    assert_eq!(raw.content_type(), Some("application/json"));
    match e.response() {
        Some(CaseResponse::NotFound(env)) => assert_eq!(env.errors[0].code, "NAO_ENCONTRADO"),
        other => panic!("expected the typed 404, got {other:?}"),
    }
    assert_eq!(
        e.interaction_id.as_deref(),
        raw.headers
            .get("x-fapi-interaction-id")
            .and_then(|v| v.to_str().ok())
    );
    assert!(e.to_string().contains("404 (NAO_ENCONTRADO: t)"), "{e}");
}

#[tokio::test]
async fn undocumented_status_keeps_the_answer() {
    let (server, _) = setup().await;
    let e = call(&core(&server, |c| c), "teapot")
        .await
        .expect_err("a 418");
    assert!(matches!(*e.kind, ErrorKind::Undocumented { .. }), "{e:?}");
    assert_eq!(e.status(), Some(418));
    assert_eq!(e.raw().expect("raw").text(), r#"{"short":"and stout"}"#);
}

#[tokio::test]
async fn invalid_json_is_a_mismatch_with_the_raw_body() {
    let (server, _) = setup().await;
    let e = call(&core(&server, |c| c), "broken")
        .await
        .expect_err("broken JSON");
    match &*e.kind {
        ErrorKind::Mismatch {
            mismatch: Mismatch::Decode(d),
            raw,
        } => {
            assert_eq!(raw.status, 200);
            assert_eq!(raw.text(), r#"{"data":[{"id":"a1"}"#);
            assert!(d.message.contains("EOF"), "{d}");
        }
        other => panic!("expected a decode mismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn schema_mismatch_names_the_pointer() {
    let (server, _) = setup().await;
    let e = call(&core(&server, |c| c), "mismatch")
        .await
        .expect_err("a mismatch");
    match &*e.kind {
        ErrorKind::Mismatch {
            mismatch: Mismatch::Decode(d),
            raw,
        } => {
            assert_eq!(d.pointer, "/data/1/id");
            assert_eq!(raw.status, 200);
        }
        other => panic!("expected a decode mismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn gateway_html_on_a_documented_status_is_a_mismatch_not_a_panic() {
    let (server, _) = setup().await;
    let e = call(&core(&server, |c| c), "gateway")
        .await
        .expect_err("a 504 page");
    match &*e.kind {
        ErrorKind::Mismatch {
            mismatch: Mismatch::Decode(d),
            raw,
        } => {
            assert_eq!(raw.status, 504);
            assert!(raw.text().contains("Gateway Time-out"));
            assert!(d.message.contains("text/html"), "{d}");
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn timeout_client_wide_and_per_call() {
    let (server, _) = setup().await;
    let c = core(&server, |c| c.timeout(Duration::from_millis(150)));
    let e = call(&c, "slow").await.expect_err("too slow");
    assert!(e.is_timeout(), "{e:?}");
    assert!(e.interaction_id.is_some());

    let c = core(&server, |c| c);
    let e = c
        .call(
            CaseRequest::new("slow"),
            CallOptions {
                timeout: Some(Duration::from_millis(150)),
                ..CallOptions::default()
            },
        )
        .await
        .expect_err("too slow");
    match &*e.kind {
        ErrorKind::Timeout { after } => assert_eq!(*after, Duration::from_millis(150)),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let addr = listener.local_addr().expect("an address");
    drop(listener);
    let c = Core::new(Config::new(format!("http://{addr}/base"))).expect("a client");
    let e = call(&c, "ok").await.expect_err("nobody listens");
    assert!(matches!(*e.kind, ErrorKind::Connect { .. }), "{e:?}");
    assert_eq!(e.status(), None);
}

#[tokio::test]
async fn an_invalid_request_is_not_sent() {
    let (server, hits) = setup().await;
    let c = core(&server, |c| c);
    let long = "x".repeat(101);
    let e = call(&c, &long).await.expect_err("too long");
    match &*e.kind {
        ErrorKind::Invalid { violations } => {
            assert_eq!(violations[0].pointer, "/case", "{violations}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(hits.all.load(Ordering::SeqCst), 0);

    // Unless the caller says to send it anyway (the server then judges it).
    let sent = c
        .call(
            CaseRequest::new(&long),
            CallOptions {
                unchecked: true,
                ..CallOptions::default()
            },
        )
        .await
        .expect_err("no such case");
    assert_eq!(sent.status(), Some(404));
    assert_eq!(hits.all.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn reads_are_not_retried_by_default() {
    let (server, hits) = setup().await;
    let e = call(&core(&server, |c| c), "busy")
        .await
        .expect_err("a 429");
    assert_eq!(e.status(), Some(429));
    assert!(matches!(
        e.response(),
        Some(CaseResponse::TooManyRequests(_))
    ));
    assert_eq!(hits.busy.load(Ordering::SeqCst), 1, "one attempt only");
}

#[tokio::test]
async fn opt_in_retries_honour_retry_after_and_stop() {
    let (server, hits) = setup().await;
    let c = core(&server, |c| c.retry(RetryPolicy::on_overload(3)));
    let reply = call(&c, "busy").await.expect("the third attempt succeeds");
    assert_eq!(reply.value.data[0].id, "finally");
    assert_eq!(hits.busy.load(Ordering::SeqCst), 3);

    let (server, hits) = setup().await;
    let c = core(&server, |c| c.retry(RetryPolicy::on_overload(2)));
    let e = call(&c, "busy")
        .await
        .expect_err("two attempts are not enough");
    assert_eq!(e.status(), Some(429));
    assert_eq!(hits.busy.load(Ordering::SeqCst), 2);

    let (server, hits) = setup().await;
    let c = core(&server, |c| {
        c.retry(RetryPolicy::on_overload(3).statuses([503]))
    });
    assert!(call(&c, "busy").await.is_err());
    assert_eq!(
        hits.busy.load(Ordering::SeqCst),
        1,
        "429 is not in this policy"
    );
}

#[tokio::test]
async fn pages_follow_links_next_on_the_client_host() {
    let (server, hits) = setup().await;
    let c = core(&server, |c| c);
    let pages = c
        .pages(CaseRequest::new("list"), CallOptions::default())
        .collect_all()
        .await
        .expect("three pages");
    let ids: Vec<&str> = pages
        .iter()
        .flat_map(|p| p.value.data.iter().map(|i| i.id.as_str()))
        .collect();
    assert_eq!(ids, ["p1a", "p1b", "p2a", "p2b", "p3a", "p3b"]);
    assert_eq!(hits.all.load(Ordering::SeqCst), 3);
    let ids: Vec<_> = pages.iter().map(|p| p.interaction_id.clone()).collect();
    assert!(
        ids[0] != ids[1] && ids[1] != ids[2],
        "each page is its own call"
    );
}

#[tokio::test]
async fn pages_stop_on_a_link_already_followed_and_on_errors() {
    let (server, hits) = setup().await;
    let c = core(&server, |c| c);
    let mut req = CaseRequest::new("loop");
    req.page = Some(1);
    let pages = c
        .pages(req, CallOptions::default())
        .collect_all()
        .await
        .expect("one page");
    assert_eq!(pages.len(), 1);
    assert_eq!(hits.all.load(Ordering::SeqCst), 1);

    let mut walk = c.pages(CaseRequest::new("missing"), CallOptions::default());
    assert!(walk.next().await.expect("one item").is_err());
    assert!(
        walk.next().await.is_none(),
        "the walk ends at the first error"
    );
}

struct Counting(AtomicUsize);

impl TokenProvider for Counting {
    fn token(&self) -> TokenFuture<'_> {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            if n >= 2 {
                Err(TokenError::new("refresh token expired"))
            } else {
                Ok(Secret::new(format!("t-{n}")))
            }
        })
    }
}

#[tokio::test]
async fn the_token_provider_is_asked_for_every_call() {
    let (server, hits) = setup().await;
    let c = core(&server, |c| c.token(Counting(AtomicUsize::new(0))));
    assert_eq!(
        call(&c, "token").await.expect("ok").value.data[0].id,
        "Bearer t-0"
    );
    assert_eq!(
        call(&c, "token").await.expect("ok").value.data[0].id,
        "Bearer t-1"
    );
    let e = call(&c, "token").await.expect_err("no token");
    assert!(matches!(*e.kind, ErrorKind::Token(_)), "{e:?}");
    assert_eq!(hits.all.load(Ordering::SeqCst), 2, "no token, no call");
}

#[tokio::test]
async fn debug_shows_no_secret() {
    let (server, _) = setup().await;
    let c = core(&server, |c| {
        c.token(Secret::new("very-secret-token"))
            .secret_header("x-api-key", "very-secret-key")
            .header("x-consent-id", "urn:bank:visible")
    });
    let shown = format!("{c:?}");
    assert!(!shown.contains("very-secret"), "{shown}");
    assert!(shown.contains("urn:bank:visible"), "{shown}");
    let config = Config::new("http://127.0.0.1:1")
        .token(Secret::new("very-secret-token"))
        .secret_header("x-api-key", "very-secret-key");
    let shown = format!("{config:?}");
    assert!(!shown.contains("very-secret"), "{shown}");
}

#[test]
fn bad_base_urls_are_refused_with_the_reason() {
    for (url, why) in [
        ("not a url", "not an absolute URL"),
        ("ftp://bank.example/x", "http:// or https://"),
        ("https://bank.example/x?a=1", "query"),
    ] {
        let e = Core::new(Config::new(url)).expect_err(url);
        assert!(e.0.contains(why), "{url}: {e}");
    }
    let e = Core::new(Config::new("https://bank.example").header("bad header", "v"))
        .expect_err("bad header name");
    assert!(e.0.contains("bad header"), "{e}");
}

/// `GET /{case}` again, declared open to anyone.
#[derive(Debug, Clone, PartialEq, Validate)]
struct OpenRequest {
    #[validate(name = "case")]
    case: String,
}

static OPEN: Endpoint = Endpoint {
    name: "get_open",
    method: "GET",
    path: "/{case}",
    accept: "application/json",
    interaction_id: false,
    anonymous: true,
    signed_response: false,
};

impl Request for OpenRequest {
    const ENDPOINT: &'static Endpoint = &OPEN;
    type Response = CaseResponse;
    fn write(&self, out: &mut Outgoing) {
        out.path("case", &self.case);
    }
}

#[tokio::test]
async fn anonymous_operations_get_no_token() {
    let (server, _) = setup().await;
    let counting = Arc::new(Counting(AtomicUsize::new(0)));
    let c = core(&server, |c| c.token_shared(counting.clone()));
    let reply = c
        .call(
            OpenRequest {
                case: String::from("token"),
            },
            CallOptions::default(),
        )
        .await
        .expect("ok");
    assert_eq!(reply.value.data[0].id, "", "no Authorization header");
    let id = reply.interaction_id.expect("an interaction id");
    assert!(
        uuid_v4(&id),
        "one is sent even where the operation declares none: {id}"
    );
    assert_eq!(
        counting.0.load(Ordering::SeqCst),
        0,
        "the provider is not asked"
    );
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let (server, hits) = setup().await;
    let e = call(&core(&server, |c| c), "redirect")
        .await
        .expect_err("a 302");
    assert!(matches!(*e.kind, ErrorKind::Undocumented { .. }), "{e:?}");
    let raw = e.raw().expect("the answer");
    assert_eq!(
        raw.headers.get("location").map(|v| v.as_bytes()),
        Some(&b"/ok"[..])
    );
    assert_eq!(
        hits.all.load(Ordering::SeqCst),
        1,
        "the redirect is not followed"
    );
}

#[tokio::test]
async fn a_body_past_the_limit_is_refused() {
    let (server, _) = setup().await;
    let c = core(&server, |c| c.max_body(1024));
    let e = call(&c, "big").await.expect_err("too big");
    match &*e.kind {
        ErrorKind::BodyTooLarge { status, limit } => assert_eq!((*status, *limit), (200, 1024)),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(
        call(&core(&server, |c| c), "big").await.is_ok(),
        "within the default"
    );
}

#[tokio::test]
async fn a_header_the_caller_sets_replaces_the_runtimes() {
    let (server, _) = setup().await;
    let c = core(&server, |c| {
        c.token(Secret::new("from-provider"))
            .header("accept", "application/json; charset=utf-8")
    });
    let plain = call(&c, "headers").await.expect("ok");
    assert_eq!(
        plain.value.data[0].id,
        "accept=1 authorization=1 ids=1 Bearer from-provider"
    );
    let own = c
        .call(
            CaseRequest::new("headers"),
            CallOptions {
                headers: vec![(String::from("authorization"), String::from("Bearer mine"))],
                interaction_id: Some(String::from("c0ffee00-0000-4000-8000-000000000002")),
                ..CallOptions::default()
            },
        )
        .await
        .expect("ok");
    assert_eq!(
        own.value.data[0].id,
        "accept=1 authorization=1 ids=1 Bearer mine"
    );
}

/// Gives `stale` until told the server refused it, then `fresh`.
struct Renewable {
    refused: std::sync::atomic::AtomicBool,
    asked: AtomicUsize,
}

impl TokenProvider for Renewable {
    fn token(&self) -> TokenFuture<'_> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let fresh = self.refused.load(Ordering::SeqCst);
        Box::pin(async move { Ok(Secret::new(if fresh { "fresh" } else { "stale" })) })
    }
    fn invalidate(&self, token: &Secret) -> bool {
        assert_eq!(token.expose(), "stale", "the refused token is named");
        !self.refused.swap(true, Ordering::SeqCst)
    }
}

#[tokio::test]
async fn a_token_refused_before_its_time_is_renewed_once() {
    let (server, hits) = setup().await;
    let provider = Arc::new(Renewable {
        refused: std::sync::atomic::AtomicBool::new(false),
        asked: AtomicUsize::new(0),
    });
    let c = core(&server, |c| c.token_shared(provider.clone()));
    let reply = call(&c, "strict").await.expect("in with the renewed token");
    assert_eq!(reply.value.data[0].id, "in");
    assert_eq!(hits.all.load(Ordering::SeqCst), 2);
    assert_eq!(provider.asked.load(Ordering::SeqCst), 2);

    // A fixed token cannot be renewed: the 401 is the answer, after one attempt.
    let (server, hits) = setup().await;
    let c = core(&server, |c| c.token(Secret::new("stale")));
    let e = call(&c, "strict").await.expect_err("refused");
    assert_eq!(e.status(), Some(401));
    assert_eq!(hits.all.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn pages_stop_at_the_total_and_at_the_limit_and_say_why() {
    use ofb_runtime::client::Stop;
    let (server, hits) = setup().await;
    let c = core(&server, |c| c.page_limit(5));
    let mut walk = c.pages(CaseRequest::new("mint"), CallOptions::default());
    let mut n = 0;
    while let Some(page) = walk.next().await {
        page.expect("a page");
        n += 1;
    }
    assert_eq!(
        n, 5,
        "a server minting new links is walked up to the limit only"
    );
    assert_eq!(walk.stopped(), Some(Stop::PageLimit(5)));
    assert_eq!(hits.all.load(Ordering::SeqCst), 5);
    let mut walk = c.pages(CaseRequest::new("total"), CallOptions::default());
    while walk.next().await.is_some() {}
    assert_eq!(walk.stopped(), Some(Stop::TotalPages(2)));
    let mut walk = c.pages(CaseRequest::new("list"), CallOptions::default());
    while walk.next().await.is_some() {}
    assert_eq!(
        walk.stopped(),
        Some(Stop::LastPage),
        "page 3 of 3 links nowhere"
    );
    let mut walk = c.pages(CaseRequest::new("loop"), CallOptions::default());
    while walk.next().await.is_some() {}
    assert_eq!(walk.stopped(), Some(Stop::RepeatedLink));
}

#[test]
fn plain_http_is_refused_beyond_loopback_unless_allowed() {
    for ok in [
        "http://127.0.0.1:1/x",
        "http://[::1]:1/x",
        "http://localhost/x",
        "https://bank.example/x",
    ] {
        assert!(Core::new(Config::new(ok)).is_ok(), "{ok}");
    }
    let e = Core::new(Config::new("http://bank.example/open-banking")).unwrap_err();
    assert!(e.to_string().contains("in clear"), "{e}");
    assert!(Core::new(Config::new("http://bank.example/x").allow_http(true)).is_ok());
}

#[tokio::test]
async fn server_text_in_display_cannot_forge_log_lines() {
    let (server, _) = setup().await;
    let c = core(&server, |c| c);
    let e = call(&c, "forged").await.unwrap_err();
    let shown = e.to_string();
    assert!(!shown.contains('\n') && !shown.contains('\r'), "{shown}");
    assert!(shown.contains("NAO\\u{d}\\u{a}2026-12-06"), "{shown}");
}

#[tokio::test]
async fn a_signed_answer_is_verified_then_typed_and_kept_as_received() {
    let keys = ofb_runtime::testing::keys::TestKeys::shared();
    let (server, _) = setup().await;
    let c = core(&server, |c| c.with_verifier(keys.verifier()));
    let reply = call(&c, "signed").await.expect("a verified success");
    assert_eq!(reply.value.data, [Item { id: "s1".into() }]);
    assert_eq!(
        reply.body.split(|b| *b == b'.').count(),
        3,
        "the token, as received"
    );

    let e = call(&c, "signed-forged")
        .await
        .expect_err("a tampered answer");
    assert!(matches!(&*e.kind, ErrorKind::Mismatch { .. }), "{e:?}");
    assert!(e.to_string().contains("signature"), "{e}");

    let unverified = core(&server, |c| c);
    let e = call(&unverified, "signed").await.expect_err("no verifier");
    assert!(e.to_string().contains("Config::with_verifier"), "{e}");
}

/// The answer to a signed operation, sent as plain JSON (by a server that forgot to sign, or by
/// anyone between the parties), is refused with a typed error: it was never verified. (The
/// client marks an answer verified only once its `application/jwt` body verified.)
#[test]
fn an_unsigned_answer_to_a_signed_operation_is_refused() {
    #[derive(Debug, Clone, PartialEq, ofb_runtime::Response)]
    enum SignedResponse {
        #[status(200, signed)]
        Ok(Page),
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    let plain = Incoming::new(200, headers, bytes::Bytes::from_static(br#"{"data":[]}"#));
    let e = SignedResponse::decode(&plain).expect_err("an unsigned answer");
    assert!(e.to_string().contains("never taken unverified"), "{e}");
}
