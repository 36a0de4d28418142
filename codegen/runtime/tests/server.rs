//! The server runtime with a hand-written operation of the shape the generator emits: what the
//! generated end-to-end tests cannot provoke with the example back-end. A response that breaks
//! the document (500 with the check on), the error hook, 422 against 400, the correlation id,
//! and a graceful shutdown that lets a request in flight finish.

use ofb_runtime::server::testing::{expect_error, TestServer};
use ofb_runtime::server::{
    handle, Config, Context, Document, Failure, Frequency, FromInputs, In, Inputs, IntoReply,
    Operation, Reply, Shared,
};
use ofb_runtime::{Pattern, Rules, Validate};
use std::sync::Arc;
use std::time::Duration;

static CODE: Pattern = Pattern::new("^[A-Z]{3}$");
static R0: Rules = Rules {
    pattern: Some(&CODE),
    ..Rules::NONE
};

static OP: Operation = Operation {
    name: "put_thing",
    method: "PUT",
    path: "/things/{id}",
    frequency: Frequency::High,
    request_media: Some("application/json"),
    body_required: true,
    response_media: &["application/json"],
    interaction_id: true,
    unprocessable: true,
};

static DOC: Document = Document {
    title: "Things 1.0.0",
    interaction_id: true,
};

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
struct Meta {
    #[serde(rename = "correlationId")]
    correlation_id: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
struct Thing {
    #[validate(rules = R0)]
    code: String,
    #[serde(rename = "requestMeta")]
    #[validate(nested)]
    request_meta: Meta,
}

struct PutThing {
    id: String,
    body: Thing,
}

impl FromInputs for PutThing {
    fn from_inputs(i: &mut Inputs<'_>) -> Option<Self> {
        let id = i.required(In::Path, "id", &R0);
        let body = i.json();
        Some(PutThing {
            id: id?,
            body: body?,
        })
    }
    fn correlation_id(&self) -> Option<&str> {
        Some(self.body.request_meta.correlation_id.as_str())
    }
}

enum Answer {
    Ok(Thing),
}

impl IntoReply for Answer {
    fn into_reply(self, reply: &mut Reply) {
        match self {
            Answer::Ok(body) => {
                reply.status(200);
                reply.json(&body);
            }
        }
    }
}

/// What the back-end does with the request.
#[derive(Clone, Copy)]
enum Mode {
    /// Echoes the body, with the correlation id it was given as its code.
    EchoCorrelation,
    /// Answers a body that breaks the code's pattern.
    OffSpec,
    /// Fails; the hook maps it to a 409.
    Conflict,
    /// Fails; the hook gives a status that is not an error.
    BadHook,
    /// Takes this long, then echoes.
    Slow(Duration),
}

struct Backend(Mode);

impl Backend {
    async fn put(&self, r: PutThing, c: Context) -> Result<Answer, String> {
        let mut body = r.body;
        match self.0 {
            Mode::EchoCorrelation => {
                body.code = c.correlation_id.unwrap_or_default();
                Ok(Answer::Ok(body))
            }
            Mode::OffSpec => {
                body.code = String::from("lower");
                Ok(Answer::Ok(body))
            }
            Mode::Conflict => Err(format!("thing {} is locked", r.id)),
            Mode::BadHook => Err(String::from("anything")),
            Mode::Slow(d) => {
                tokio::time::sleep(d).await;
                Ok(Answer::Ok(body))
            }
        }
    }

    fn on_error(&self, error: String, _c: &Context) -> Failure {
        match self.0 {
            Mode::BadHook => Failure::new(200, "X", "X", error),
            _ => Failure::new(409, "CONFLICT", "Conflict", error),
        }
    }
}

fn router(mode: Mode, config: Config) -> axum::Router {
    let shared = Shared::new(Backend(mode), config);
    axum::Router::new()
        .route(
            "/things/{id}",
            axum::routing::put(move |request: axum::extract::Request| {
                handle(
                    shared.clone(),
                    &OP,
                    request,
                    |s: Arc<Shared<Backend>>, r, c| async move { s.backend().put(r, c).await },
                    Backend::on_error,
                )
            }),
        )
        .fallback(|r: axum::extract::Request| ofb_runtime::server::not_found(&DOC, r))
}

const ID: &str = "0d1f6b1e-8a54-4c4b-9d0e-4f5b7c3a2e19";
const BODY: &[u8] = br#"{"code":"ABC","requestMeta":{"correlationId":"COR"}}"#;

async fn put(server: &TestServer, path: &str, body: &[u8]) -> ofb_runtime::server::testing::Answer {
    server
        .call(
            "PUT",
            path,
            &[
                ("x-fapi-interaction-id", ID),
                ("content-type", "application/json"),
            ],
            Some(body),
        )
        .await
}

#[tokio::test]
async fn the_back_end_gets_the_correlation_id_and_the_answer_is_echoed() {
    let server = TestServer::start(router(Mode::EchoCorrelation, Config::default())).await;
    let a = put(&server, "/things/ABC", BODY).await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.interaction_id(), Some(ID));
    let thing: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(thing["code"], "COR");
}

#[tokio::test]
async fn an_off_spec_response_becomes_a_500_only_when_checked() {
    let checked = TestServer::start(router(
        Mode::OffSpec,
        Config::default().with_response_check(true),
    ))
    .await;
    let a = put(&checked, "/things/ABC", BODY).await;
    let e = expect_error(&a, 500, "off-spec response");
    assert!(
        !e.errors[0].detail.contains("lower"),
        "internals stay in the log: {e:?}"
    );
    assert_eq!(a.interaction_id(), Some(ID));
    let unchecked = TestServer::start(router(
        Mode::OffSpec,
        Config::default().with_response_check(false),
    ))
    .await;
    assert_eq!(put(&unchecked, "/things/ABC", BODY).await.status, 200);
}

#[tokio::test]
async fn back_end_errors_go_through_the_hook() {
    let server = TestServer::start(router(Mode::Conflict, Config::default())).await;
    let e = expect_error(&put(&server, "/things/ABC", BODY).await, 409, "hook");
    assert_eq!(e.errors[0].detail, "thing ABC is locked");
    let bad = TestServer::start(router(Mode::BadHook, Config::default())).await;
    expect_error(
        &put(&bad, "/things/ABC", BODY).await,
        500,
        "hook with a 200",
    );
}

#[tokio::test]
async fn value_rules_in_a_body_are_422_and_malformed_requests_400() {
    let server = TestServer::start(router(Mode::EchoCorrelation, Config::default())).await;
    let pattern = br#"{"code":"abc","requestMeta":{"correlationId":"C"}}"#;
    let e = expect_error(
        &put(&server, "/things/ABC", pattern).await,
        422,
        "body pattern",
    );
    assert_eq!(e.errors.len(), 1);
    assert!(
        e.errors[0].detail.starts_with("body /code: pattern"),
        "{e:?}"
    );
    let missing = br#"{"code":"ABC"}"#;
    let e = expect_error(
        &put(&server, "/things/ABC", missing).await,
        400,
        "missing member",
    );
    assert!(e.errors[0].detail.contains("requestMeta"), "{e:?}");
    // Every problem at once: the path parameter and the body.
    let e = expect_error(
        &put(&server, "/things/abc", pattern).await,
        400,
        "path and body",
    );
    assert_eq!(e.errors.len(), 2, "{e:?}");
    assert!(
        e.errors[0]
            .detail
            .starts_with("path parameter `id`: pattern"),
        "{e:?}"
    );
}

#[tokio::test]
async fn deadlines_come_from_the_config_and_the_class() {
    let slow = Mode::Slow(Duration::from_millis(300));
    let strict = Config::default().with_deadline("put_thing", Duration::from_millis(20));
    let server = TestServer::start(router(slow, strict)).await;
    let e = expect_error(&put(&server, "/things/ABC", BODY).await, 504, "deadline");
    assert!(e.errors[0].detail.contains("20 ms"), "{e:?}");
    // High frequency: 900 ms, enough for this back-end.
    let server = TestServer::start(router(slow, Config::default())).await;
    assert_eq!(put(&server, "/things/ABC", BODY).await.status, 200);
    assert_eq!(Config::default().deadline(&OP), Duration::from_millis(900));
}

#[tokio::test]
async fn shutdown_lets_the_request_in_flight_finish() {
    let server = TestServer::start(router(
        Mode::Slow(Duration::from_millis(300)),
        Config::default(),
    ))
    .await;
    let server = Arc::new(server);
    let in_flight = {
        let s = server.clone();
        tokio::spawn(async move { put(&s, "/things/ABC", BODY).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let addr = server.addr();
    let stopping = {
        let s = server.clone();
        tokio::spawn(async move { s.shutdown().await })
    };
    let answer = in_flight.await.expect("the request task");
    assert_eq!(answer.status, 200, "{}", answer.text());
    stopping.await.expect("shutdown completes");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no new connection is taken after shutdown"
    );
}

#[tokio::test]
async fn unknown_routes_mint_an_interaction_id_when_none_is_given() {
    let server = TestServer::start(router(Mode::EchoCorrelation, Config::default())).await;
    let a = server.call("GET", "/nothing", &[], None).await;
    expect_error(&a, 404, "unknown route");
    assert_eq!(a.interaction_id().map(str::len), Some(36));
}
