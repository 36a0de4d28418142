//! The server runtime with a hand-written operation of the shape the generator emits: what the
//! generated end-to-end tests cannot provoke with the example back-end. A response that breaks
//! the document (500 with the check on), the error hook, 422 against 400, the correlation id,
//! the validation modes, deadlines per class and a back-end that blocks its thread, hostile
//! bodies, slow clients, and a graceful shutdown bounded by its grace period.

use ofb_runtime::server::testing::{expect_error, TestServer};
use ofb_runtime::server::{
    Config, Context, Document, Failure, Frequency, FromInputs, In, Inputs, IntoReply, Operation,
    Reply, ServeConfig, Shared, Validation,
};
use ofb_runtime::{Pattern, Rules, Validate};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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
    signed_request: false,
    response_media: &["application/json"],
    interaction_id: true,
    unprocessable: true,
    idempotency: None,
};

/// The same operation with a signed body both ways (`application/jwt`).
static SIGNED_OP: Operation = Operation {
    name: "put_signed_thing",
    method: "PUT",
    path: "/things/{id}",
    frequency: Frequency::High,
    request_media: Some("application/jwt"),
    body_required: true,
    signed_request: true,
    response_media: &["application/jwt"],
    interaction_id: true,
    unprocessable: true,
    idempotency: None,
};

static DOC: Document = Document {
    title: "Things 1.0.0",
    interaction_id: true,
    validation: Validation::Enforce,
};

static TAGS: Rules = Rules {
    max_items: Some(3),
    ..Rules::NONE
};

/// A string enum of many values, as the permission lists of the documents are.
#[derive(Debug, Clone, PartialEq)]
enum Tag {
    A,
    B,
    C,
    D,
    E,
    F,
    G,
    Other(String),
}

impl Tag {
    const VALUES: &'static [&'static str] = &["A", "B", "C", "D", "E", "F", "G"];
    const KNOWN: &'static [Tag] = &[Tag::A, Tag::B, Tag::C, Tag::D, Tag::E, Tag::F, Tag::G];
}

ofb_runtime::wire_enum!(Tag, Other);

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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[validate(rules = TAGS)]
    tags: Vec<Tag>,
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
    Signed(Thing),
}

impl IntoReply for Answer {
    fn into_reply(self, reply: &mut Reply) {
        match self {
            Answer::Ok(body) => {
                reply.status(200);
                reply.json(&body);
            }
            Answer::Signed(body) => {
                reply.status(200);
                reply.signed(&body);
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
    /// Blocks its thread this long (as a synchronous driver would), then echoes.
    Block(Duration),
    /// Echoes the body signed, with the `jti` of the verified request as its code.
    SignedEcho,
    /// Echoes the body with a code of its own for every call, so that a call shows.
    Stamp,
}

/// Calls served in `Mode::Stamp`, across the tests of this binary.
static STAMPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

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
            Mode::Block(d) => {
                std::thread::sleep(d);
                Ok(Answer::Ok(body))
            }
            Mode::Stamp => {
                let n = STAMPS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                body.code = [n / 676 % 26, n / 26 % 26, n % 26]
                    .iter()
                    .map(|d| char::from(b'A' + *d as u8))
                    .collect();
                Ok(Answer::Ok(body))
            }
            Mode::SignedEcho => {
                body.code = c
                    .extension::<ofb_runtime::jws::Verified>()
                    .map_or_else(String::new, |v| v.jti.clone());
                Ok(Answer::Signed(body))
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
    router_of(&OP, mode, config)
}

fn router_of(op: &'static Operation, mode: Mode, config: Config) -> axum::Router {
    let shared = Shared::new(Backend(mode), config, &DOC);
    axum::Router::new()
        .route(
            "/things/{id}",
            shared.serve(
                op,
                |s: Arc<Shared<Backend>>, r, c| async move { s.backend().put(r, c).await },
                Backend::on_error,
            ),
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

/// The operation of `OP` in another frequency class.
fn op_of(class: Frequency) -> &'static Operation {
    Box::leak(Box::new(Operation {
        frequency: class,
        ..OP
    }))
}

#[tokio::test]
async fn each_class_has_its_deadline() {
    // A back-end that takes 1.5 s: past the high (900 ms) and medium (1,200 ms) budgets,
    // within the low one (2,400 ms).
    let slow = Mode::Slow(Duration::from_millis(1500));
    for (class, status, budget) in [
        (Frequency::High, 504, 900),
        (Frequency::Medium, 504, 1200),
        (Frequency::Low, 200, 2400),
    ] {
        let server = TestServer::start(router_of(op_of(class), slow, Config::default())).await;
        let started = std::time::Instant::now();
        let a = put(&server, "/things/ABC", BODY).await;
        let took = started.elapsed();
        assert_eq!(a.status, status, "{class:?}: {}", a.text());
        if status == 504 {
            assert!(a.text().contains(&format!("({budget} ms)")), "{}", a.text());
            assert!(
                took >= Duration::from_millis(budget) && took < Duration::from_millis(budget + 400),
                "{class:?}: answered after {took:?}"
            );
        }
    }
}

/// Tracing events recorded while a future runs, as `field=value` lines.
#[derive(Clone, Default)]
struct Events(Arc<std::sync::Mutex<Vec<String>>>);

impl tracing::Subscriber for Events {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Fields(String);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={v:?} ", f.name()));
            }
        }
        let mut f = Fields(String::new());
        event.record(&mut f);
        if let Ok(mut all) = self.0.lock() {
            all.push(f.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn report_mode_serves_and_records_what_enforce_mode_refuses() {
    let events = Events::default();
    let invalid = br#"{"code":"abc","requestMeta":{"correlationId":"C"}}"#;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(events.clone(), || {
        runtime.block_on(async {
            let report = Config::default().with_validation(Validation::Report);
            let server =
                TestServer::start(router(Mode::OffSpec, report.with_response_check(false))).await;
            let a = put(&server, "/things/ABC", invalid).await;
            assert_eq!(a.status, 200, "the back-end is called: {}", a.text());
            // Still a 400: a body that does not decode has nothing to hand on.
            let e = expect_error(
                &put(&server, "/things/ABC", b"{\"code\":1}").await,
                400,
                "undecodable",
            );
            assert!(e.errors[0].detail.contains("invalid type"), "{e:?}");
            let enforce = TestServer::start(router(Mode::OffSpec, Config::default())).await;
            expect_error(
                &put(&enforce, "/things/ABC", invalid).await,
                422,
                "enforced",
            );
            let off = Config::default()
                .with_validation(Validation::Off)
                .with_response_check(false);
            let off = TestServer::start(router(Mode::OffSpec, off)).await;
            assert_eq!(put(&off, "/things/ABC", invalid).await.status, 200);
        })
    });
    let events = events.0.lock().unwrap();
    let reported: Vec<&String> = events
        .iter()
        .filter(|e| e.contains("validation: report"))
        .collect();
    assert_eq!(
        reported.len(),
        1,
        "one violation, recorded once: {events:?}"
    );
    assert!(
        // Quoted and escaped, so that a line break in a name or value cannot forge a line.
        reported[0].contains("pointer=\"/code\"") && reported[0].contains("rule=pattern"),
        "{reported:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_back_end_gets_its_504_in_time_and_delays_nobody_else() {
    let deadline = Config::default().with_deadlines(Duration::from_millis(500));
    let blocked =
        Arc::new(TestServer::start(router(Mode::Block(Duration::from_secs(3)), deadline)).await);
    let fast = TestServer::start(router(Mode::EchoCorrelation, Config::default())).await;
    let started = std::time::Instant::now();
    let slow = {
        let s = blocked.clone();
        tokio::spawn(async move { put(&s, "/things/ABC", BODY).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let quick_started = std::time::Instant::now();
    let quick = put(&fast, "/things/ABC", BODY).await;
    let quick_took = quick_started.elapsed();
    assert_eq!(quick.status, 200);
    let a = slow.await.unwrap();
    let took = started.elapsed();
    expect_error(&a, 504, "blocking back-end");
    assert!(took < Duration::from_millis(1500), "the 504 took {took:?}");
    assert!(
        quick_took < Duration::from_millis(1000),
        "a fast request waited {quick_took:?} behind the blocked worker"
    );
}

#[tokio::test]
async fn an_enum_array_of_a_megabyte_gets_a_capped_envelope() {
    let server = TestServer::start(router(Mode::EchoCorrelation, Config::default())).await;
    let items = vec!["\"\""; 349_000].join(",");
    let body =
        format!(r#"{{"code":"ABC","requestMeta":{{"correlationId":"C"}},"tags":[{items}]}}"#);
    let a = put(&server, "/things/ABC", body.as_bytes()).await;
    let e = expect_error(&a, 422, "enum array");
    assert_eq!(
        e.errors.len(),
        1,
        "items past maxItems are not judged: {e:?}"
    );
    assert!(
        e.errors[0]
            .detail
            .contains("349000 items, more than maxItems 3"),
        "{e:?}"
    );
    // Within maxItems, each item is judged; messages name a few of the allowed values.
    let two = br#"{"code":"abc","requestMeta":{"correlationId":"C"},"tags":["",""]}"#;
    let e = expect_error(&put(&server, "/things/ABC", two).await, 422, "enum items");
    assert_eq!(e.errors.len(), 3, "{e:?}");
    assert!(
        e.errors[1]
            .detail
            .contains("is not one of A, B, C, D, E, … (7 in all)"),
        "messages name a few values: {e:?}"
    );
    assert!(a.body.len() < 4096, "{} bytes", a.body.len());
}

#[tokio::test]
async fn arrays_are_refused_where_objects_are_expected() {
    let server = TestServer::start(router(Mode::EchoCorrelation, Config::default())).await;
    let a = put(&server, "/things/ABC", br#"["ABC", ["C"]]"#).await;
    let e = expect_error(&a, 400, "array body");
    assert!(
        e.errors[0].detail.contains("expected struct Thing"),
        "{e:?}"
    );
    let a = put(
        &server,
        "/things/ABC",
        br#"{"code":"ABC","requestMeta":["C"]}"#,
    )
    .await;
    let e = expect_error(&a, 400, "array member");
    assert!(e.errors[0].detail.starts_with("body /requestMeta"), "{e:?}");
}

#[tokio::test]
async fn every_detail_stays_within_the_envelope() {
    let server = TestServer::start(router(Mode::EchoCorrelation, Config::default())).await;
    let long_type = format!("application/{}", "x".repeat(300_000));
    let long_path = format!("/{}", "p".repeat(60_000));
    let answers = [
        server
            .call(
                "PUT",
                "/things/ABC",
                &[("x-fapi-interaction-id", ID), ("content-type", &long_type)],
                Some(BODY),
            )
            .await,
        server
            .call("GET", &long_path, &[("x-fapi-interaction-id", ID)], None)
            .await,
        put(&server, &format!("/things/{}", "a".repeat(10_000)), BODY).await,
    ];
    for (a, status) in answers.iter().zip([415, 404, 400]) {
        let e = expect_error(a, status, "long echo");
        for item in &e.errors {
            assert!(
                item.detail.chars().count() <= 2048,
                "{} chars",
                item.detail.len()
            );
        }
        assert!(
            a.body.len() < 4096,
            "status {status}: {} bytes",
            a.body.len()
        );
    }
    let e = answers[0].envelope();
    assert!(
        e.errors[0].detail.contains("…"),
        "echoes are shortened: {e:?}"
    );
}

#[tokio::test]
async fn a_slow_header_client_is_closed_after_the_timeout() {
    let limits = ServeConfig::default().with_header_timeout(Duration::from_millis(300));
    let server =
        TestServer::start_with(router(Mode::EchoCorrelation, Config::default()), limits).await;
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    stream
        .write_all(b"PUT /things/ABC HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    // Trickle a header byte every 100 ms: the timeout counts from the start of the headers.
    let trickle = async {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if stream.write_all(b"x").await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), trickle).await;
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.read_to_end(&mut rest)).await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "the connection stayed open {took:?}"
    );
    // The server still serves.
    assert_eq!(put(&server, "/things/ABC", BODY).await.status, 200);
}

#[tokio::test]
async fn shutdown_ends_within_the_grace_period_despite_a_stuck_client() {
    let limits = ServeConfig::default()
        .with_header_timeout(Duration::from_secs(60))
        .with_grace_period(Duration::from_millis(500));
    let server =
        TestServer::start_with(router(Mode::EchoCorrelation, Config::default()), limits).await;
    let mut stuck = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    stuck
        .write_all(b"PUT /things/ABC HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(5), server.shutdown())
        .await
        .expect("shutdown returns");
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1500), "shutdown took {took:?}");
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(1), stuck.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the stuck connection is closed");
}

#[tokio::test]
async fn connections_past_the_limit_are_answered_503_and_closed() {
    let limits = ServeConfig::default().with_max_connections(1);
    let server =
        TestServer::start_with(router(Mode::EchoCorrelation, Config::default()), limits).await;
    let _held = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut second = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(2), second.read_to_end(&mut answer))
        .await
        .expect("closed")
        .unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("\"SERVICE_UNAVAILABLE\""), "{text}");
}

#[tokio::test]
async fn requests_past_the_in_flight_limit_wait_then_get_a_504() {
    // Two routers from clones of one Config share its limit of one request in flight.
    let config = Config::default()
        .with_max_in_flight(Some(1))
        .with_deadlines(Duration::from_millis(300))
        .with_deadline("hold_thing", Duration::from_secs(3));
    let hold: &'static Operation = Box::leak(Box::new(Operation {
        name: "hold_thing",
        ..OP
    }));
    let holder = Arc::new(
        TestServer::start(router_of(
            hold,
            Mode::Slow(Duration::from_millis(800)),
            config.clone(),
        ))
        .await,
    );
    let server = TestServer::start(router(Mode::EchoCorrelation, config)).await;
    let first = {
        let s = holder.clone();
        tokio::spawn(async move { put(&s, "/things/ABC", BODY).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = put(&server, "/things/ABC", BODY).await;
    let e = expect_error(&second, 504, "no place in flight");
    assert!(e.errors[0].detail.contains("for a place"), "{e:?}");
    assert_eq!(first.await.unwrap().status, 200);
    assert_eq!(
        put(&server, "/things/ABC", BODY).await.status,
        200,
        "the place is free again"
    );
}

#[tokio::test]
async fn layers_reach_the_back_end_through_the_context() {
    #[derive(Clone)]
    struct Caller(&'static str);
    struct Who;
    impl Who {
        async fn put(&self, r: PutThing, c: Context) -> Result<Answer, String> {
            let mut body = r.body;
            body.code = c.extension::<Caller>().map_or("NONE", |c| c.0).to_owned();
            Ok(Answer::Ok(body))
        }
    }
    let shared = Shared::new(Who, Config::default().with_response_check(false), &DOC);
    let app = axum::Router::new()
        .route(
            "/things/{id}",
            shared.serve(
                &OP,
                |s: Arc<Shared<Who>>, r, c| async move { s.backend().put(r, c).await },
                |_: &Who, e: String, _: &Context| Failure::new(500, "X", "X", e),
            ),
        )
        .layer(axum::middleware::map_request(
            |mut r: axum::extract::Request| async move {
                r.extensions_mut().insert(Caller("PLT"));
                r
            },
        ))
        .layer(ofb_runtime::server::MetricsLayer);
    let server = TestServer::start(app).await;
    let a = put(&server, "/things/ABC", BODY).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let thing: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(thing["code"], "PLT");
}

#[tokio::test]
async fn a_body_slower_than_its_timeout_gets_408() {
    let config = Config::default().with_body_timeout(Duration::from_millis(200));
    let server = TestServer::start(router(Mode::EchoCorrelation, config)).await;
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let head = format!(
        "PUT /things/ABC HTTP/1.1\r\nhost: x\r\nx-fapi-interaction-id: {ID}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{{\"code\"",
        BODY.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut answer))
        .await
        .expect("answered before the body is complete")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("REQUEST_TIMEOUT"), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn readiness_is_lowered_by_a_shutdown() {
    let readiness = ofb_runtime::server::Readiness::new();
    let app = router(Mode::Slow(Duration::from_millis(400)), Config::default())
        .merge(ofb_runtime::server::health::routes(readiness.clone()));
    let limits = ServeConfig::default()
        .with_readiness(readiness.clone())
        .with_drain(Duration::from_millis(300));
    let server = Arc::new(TestServer::start_with(app, limits).await);
    let ready = server.call("GET", "/ready", &[], None).await;
    assert_eq!(
        (ready.status, ready.text().as_str()),
        (200, "{\"status\":\"ready\"}")
    );
    let in_flight = {
        let s = server.clone();
        tokio::spawn(async move { put(&s, "/things/ABC", BODY).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopping = {
        let s = server.clone();
        tokio::spawn(async move { s.shutdown().await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        !readiness.is_ready(),
        "lowered as soon as the shutdown begins"
    );
    // During the drain the server still answers, so a balancer sees the 503 rather than a
    // closed port.
    expect_error(
        &server.call("GET", "/ready", &[], None).await,
        503,
        "draining",
    );
    assert_eq!(in_flight.await.unwrap().status, 200);
    stopping.await.unwrap();
    readiness.set_ready(true);
    let app = ofb_runtime::server::health::routes(readiness.clone());
    let server = TestServer::start(app).await;
    readiness.set_ready(false);
    expect_error(
        &server.call("GET", "/ready", &[], None).await,
        503,
        "not ready",
    );
}

#[tokio::test]
async fn layers_given_to_the_config_know_the_operation() {
    use ofb_runtime::server::OperationName;
    #[derive(Clone)]
    struct Seen(&'static str);
    // A per-operation layer: it reads the operation's name from the request, which a layer
    // around the whole router could not yet know, and hands what it decided to the back-end.
    let layer = axum::middleware::map_request(|mut r: axum::extract::Request| async move {
        let name = r
            .extensions()
            .get::<OperationName>()
            .map_or("NONE", |o| o.0);
        r.extensions_mut()
            .insert(Seen(if name == "put_thing" { "PUT" } else { "NON" }));
        r
    });
    struct Who;
    impl Who {
        async fn put(&self, r: PutThing, c: Context) -> Result<Answer, String> {
            let mut body = r.body;
            body.code = c.extension::<Seen>().map_or("XXX", |s| s.0).to_owned();
            Ok(Answer::Ok(body))
        }
    }
    let config = Config::default()
        .with_response_check(false)
        .with_layer(layer);
    let shared = Shared::new(Who, config, &DOC);
    // `serve` puts the configured layers on the route (through `Shared::route`).
    let route = shared.serve(
        &OP,
        |s: Arc<Shared<Who>>, r, c| async move { s.backend().put(r, c).await },
        |_: &Who, e: String, _: &Context| Failure::new(500, "X", "X", e),
    );
    let server = TestServer::start(axum::Router::new().route("/things/{id}", route)).await;
    let a = put(&server, "/things/ABC", BODY).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let thing: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(thing["code"], "PUT");
}

/// A signed request is verified before it is read and its claims reach the back-end; a signed
/// answer leaves signed; without a signer the router refuses to send it unsigned.
#[tokio::test]
async fn signed_bodies_are_verified_coming_in_and_signed_going_out() {
    let keys = ofb_runtime::testing::keys::TestKeys::shared();
    let config = || {
        Config::default()
            .with_response_check(false)
            .with_verifier(keys.verifier())
    };
    let server = TestServer::start(router_of(
        &SIGNED_OP,
        Mode::SignedEcho,
        config().with_signer(keys.signer()),
    ))
    .await;
    let headers = [
        ("x-fapi-interaction-id", ID),
        ("content-type", "application/jwt"),
    ];
    // The test server signs a JSON body sent as application/jwt.
    let a = server
        .call("PUT", "/things/ABC", &headers, Some(BODY))
        .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        a.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/jwt")
    );
    let answer = keys
        .verifier()
        .verify(&a.text())
        .await
        .expect("the answer is signed by the router's key");
    let jti = answer.body["code"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        jti.len(),
        36,
        "the back-end saw the request's jti: {}",
        answer.body
    );
    let unsigned = server
        .call("PUT", "/things/ABC", &headers[..1], Some(BODY))
        .await;
    assert_eq!(unsigned.status, 415, "{}", unsigned.text());
    server.shutdown().await;

    let no_signer = TestServer::start(router_of(&SIGNED_OP, Mode::SignedEcho, config())).await;
    let a = no_signer
        .call("PUT", "/things/ABC", &headers, Some(BODY))
        .await;
    assert_eq!(a.status, 500, "{}", a.text());
    no_signer.shutdown().await;
    let no_verifier = TestServer::start(router_of(
        &SIGNED_OP,
        Mode::SignedEcho,
        Config::default().with_signer(keys.signer()),
    ))
    .await;
    let a = no_verifier
        .call("PUT", "/things/ABC", &headers, Some(BODY))
        .await;
    assert_eq!(a.status, 500, "{}", a.text());
    no_verifier.shutdown().await;
}

/// Clients that send their headers and then trickle the body hold no place in flight: with
/// every place's worth of them connected, an honest request is served within its deadline.
#[tokio::test]
async fn trickling_bodies_do_not_hold_the_places_in_flight() {
    let config = Config::default()
        .with_max_in_flight(Some(4))
        .with_deadlines(Duration::from_millis(900));
    let server = TestServer::start(router(Mode::EchoCorrelation, config)).await;
    let head = format!(
        "PUT /things/ABC HTTP/1.1\r\nhost: x\r\nx-fapi-interaction-id: {ID}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{{",
        BODY.len()
    );
    let mut tricklers = Vec::new();
    for _ in 0..12 {
        let mut s = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        s.write_all(head.as_bytes()).await.unwrap();
        tricklers.push(s);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    let honest = put(&server, "/things/ABC", BODY).await;
    assert_eq!(honest.status, 200, "{}", honest.text());
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    drop(tricklers);
}

/// A body may take no longer than its operation's deadline, whatever the body timeout says.
#[tokio::test]
async fn a_body_may_take_no_longer_than_the_deadline() {
    let config = Config::default()
        .with_body_timeout(Duration::from_secs(10))
        .with_deadlines(Duration::from_millis(300));
    let server = TestServer::start(router(Mode::EchoCorrelation, config)).await;
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let head = format!(
        "PUT /things/ABC HTTP/1.1\r\nhost: x\r\nx-fapi-interaction-id: {ID}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{{",
        BODY.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut answer))
        .await
        .expect("answered before the body is complete")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

/// A client that pipelines requests and never reads the answers loses its connection once an
/// answer has waited the write timeout, and its slot serves others.
#[tokio::test]
async fn a_client_that_stops_reading_is_closed_after_the_write_timeout() {
    let limits = ServeConfig::default()
        .with_max_connections(1)
        .with_write_timeout(Duration::from_millis(300));
    let server =
        TestServer::start_with(router(Mode::EchoCorrelation, Config::default()), limits).await;
    let stalled = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let (_reader, mut writer) = stalled.into_split();
    let request = format!(
        "PUT /things/ABC HTTP/1.1\r\nhost: x\r\nx-fapi-interaction-id: {ID}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{}",
        BODY.len(),
        String::from_utf8_lossy(BODY)
    );
    // Requests without end, answers never read: the writes stall once the buffers are full.
    let pipelining = tokio::spawn(async move {
        let batch = request.repeat(256);
        while writer.write_all(batch.as_bytes()).await.is_ok() {}
    });
    let one = format!(
        "PUT /things/ABC HTTP/1.1\r\nhost: x\r\nx-fapi-interaction-id: {ID}\r\n\
         content-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{}",
        BODY.len(),
        String::from_utf8_lossy(BODY)
    );
    let mut served = false;
    for _ in 0..25 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut s = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        let mut answer = Vec::new();
        let exchange = async {
            s.write_all(one.as_bytes()).await?;
            s.read_to_end(&mut answer).await
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), exchange).await;
        if answer.starts_with(b"HTTP/1.1 200") {
            served = true;
            break;
        }
    }
    pipelining.abort();
    assert!(served, "the stalled client kept the only connection slot");
}

/// An operation that takes an idempotency key in a header.
static IDEMPOTENT_OP: Operation = Operation {
    name: "put_idempotent_thing",
    idempotency: Some(ofb_runtime::server::IdempotencyKey::Header(
        "x-idempotency-key",
    )),
    ..OP
};

async fn put_keyed(
    server: &TestServer,
    key: &str,
    body: &[u8],
) -> ofb_runtime::server::testing::Answer {
    server
        .call(
            "PUT",
            "/things/ABC",
            &[
                ("x-fapi-interaction-id", ID),
                ("content-type", "application/json"),
                ("x-idempotency-key", key),
            ],
            Some(body),
        )
        .await
}

/// The same key and body answer the first answer again (the back-end is not called twice),
/// on either of two routers that share a store; another body under the key gets a 422
/// `ERRO_IDEMPOTENCIA`; another key is served afresh.
#[tokio::test]
async fn a_repeated_idempotency_key_is_answered_as_the_first_time() {
    let config = Config::default();
    let one = TestServer::start(router_of(&IDEMPOTENT_OP, Mode::Stamp, config.clone())).await;
    let two = TestServer::start(router_of(&IDEMPOTENT_OP, Mode::Stamp, config)).await;
    let first = put_keyed(&one, "key-1", BODY).await;
    assert_eq!(first.status, 200, "{}", first.text());
    let respaced = br#"{ "requestMeta": {"correlationId": "COR"}, "code": "ABC" }"#;
    let again = put_keyed(&two, "key-1", respaced).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(
        again.body, first.body,
        "the first answer, not a second call"
    );
    assert_eq!(again.interaction_id(), Some(ID));
    let other = put_keyed(
        &one,
        "key-1",
        br#"{"code":"XYZ","requestMeta":{"correlationId":"COR"}}"#,
    )
    .await;
    let e = expect_error(&other, 422, "another body under the key");
    assert_eq!(e.errors[0].code, "ERRO_IDEMPOTENCIA", "{e:?}");
    let fresh = put_keyed(&one, "key-2", BODY).await;
    assert_eq!(fresh.status, 200, "{}", fresh.text());
    assert_ne!(fresh.body, first.body, "a new key is a new call");
    // Without a store, every request is served afresh.
    let off = TestServer::start(router_of(
        &IDEMPOTENT_OP,
        Mode::Stamp,
        Config::default().with_idempotency_store(None),
    ))
    .await;
    let (a, b) = (
        put_keyed(&off, "k", BODY).await,
        put_keyed(&off, "k", BODY).await,
    );
    assert_ne!(a.body, b.body);
}
