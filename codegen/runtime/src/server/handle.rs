//! One request, from the socket to the back-end and back: what a generated route calls.
//!
//! In order: the interaction id (a missing or invalid one gets a minted id and a 400 where the
//! operation declares it), `Content-Type` (415), `Accept` (406), the body limit (413), then
//! every parameter and the body decoded and validated (400, or 422 for a well-formed body that
//! breaks a value rule where the operation documents 422). Only then is the back-end called,
//! under the operation's deadline (504 when it overruns); what it returns is checked when the
//! response check is on (500 when it breaks the document). Every answer that is not the
//! back-end's own goes out in the error envelope, and the interaction id is echoed on all.

use super::inputs::Problem;
use super::interaction::{self, Given};
use super::media::{accepts, same_media};
use super::{Config, Context, Document, Failure, FromInputs, Inputs, IntoReply, Operation, Reply};
use axum::body::Body;
use axum::extract::{FromRequestParts, RawPathParams, Request};
use axum::response::Response;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

/// What every route of one router shares: the back-end and the settings.
#[derive(Debug)]
pub struct Shared<B> {
    backend: B,
    config: Config,
}

impl<B> Shared<B> {
    /// Shared state for a router serving through `backend`.
    pub fn new(backend: B, config: Config) -> Arc<Self> {
        Arc::new(Shared { backend, config })
    }

    /// The back-end.
    pub fn backend(&self) -> &B {
        &self.backend
    }
}

/// Serves one request of `op`: `call` runs the back-end method, `on_error` is the back-end's
/// hook for its own errors.
pub async fn handle<B, Req, Resp, E, F, Fut>(
    shared: Arc<Shared<B>>,
    op: &'static Operation,
    request: Request,
    call: F,
    on_error: fn(&B, E, &Context) -> Failure,
) -> Response
where
    Req: FromInputs,
    Resp: IntoReply,
    F: FnOnce(Arc<Shared<B>>, Req, Context) -> Fut,
    Fut: Future<Output = Result<Resp, E>>,
{
    let started = Instant::now();
    let (mut parts, body) = request.into_parts();
    let echo = match interaction::read(&parts.headers) {
        Given::Valid(id) => Some(id),
        given if op.interaction_id => {
            let what = if given == Given::Absent {
                "is missing"
            } else {
                "is not a UUID (RFC 4122)"
            };
            let f = Failure::new(
                400,
                "INVALID_INTERACTION_ID",
                "Invalid x-fapi-interaction-id",
                format!("the x-fapi-interaction-id header {what}; this response carries a new one"),
            );
            return failure(f, Some(&interaction::mint()));
        }
        _ => None,
    };
    let echo = echo.as_deref();
    let span = tracing::info_span!(
        "ofb_request",
        operation = op.name,
        interaction_id = echo.unwrap_or_default(),
        correlation_id = tracing::field::Empty,
    );

    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("\u{fffd}").to_owned());
    if let (Some(expected), Some(given)) = (op.request_media, &content_type) {
        if !same_media(given, expected) {
            return failure(unsupported(given, expected), echo);
        }
    }
    if let (Some(expected), None, true) = (op.request_media, &content_type, op.body_required) {
        return failure(unsupported("(none)", expected), echo);
    }
    if !accepts(&parts.headers, op.response_media) {
        let f = Failure::new(
            406,
            "NOT_ACCEPTABLE",
            "Not acceptable",
            format!(
                "the Accept header allows none of the media types of this operation ({})",
                op.response_media.join(", ")
            ),
        );
        return failure(f, echo);
    }

    let limit = shared.config.body_limit;
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return failure(too_large(limit), echo);
    }
    let bytes = match Limited::new(body, limit).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return failure(too_large(limit), echo)
        }
        Err(e) => {
            let f = Failure::new(
                400,
                "INVALID_REQUEST",
                "Invalid request",
                format!("the body could not be read: {e}"),
            );
            return failure(f, echo);
        }
    };
    if let (Some(expected), None, false) = (op.request_media, &content_type, bytes.is_empty()) {
        return failure(unsupported("(none)", expected), echo);
    }

    let path: Vec<(String, String)> = match RawPathParams::from_request_parts(&mut parts, &()).await
    {
        Ok(p) => p
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        Err(e) => {
            let f = Failure::new(400, "INVALID_REQUEST", "Invalid request", e.body_text());
            return failure(f, echo);
        }
    };
    let query: Vec<(String, String)> =
        form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let mut inputs = Inputs::new(&path, &query, &parts.headers, &bytes);
    let parsed = Req::from_inputs(&mut inputs);
    let problems = std::mem::take(&mut inputs.problems);
    let req = match parsed {
        Some(r) if problems.is_empty() => r,
        _ => return failure(refused(op, &problems), echo),
    };

    let ctx = Context {
        operation: op.name,
        interaction_id: echo.map(str::to_owned),
        correlation_id: req.correlation_id().map(str::to_owned),
        headers: Arc::new(parts.headers),
    };
    if let Some(c) = &ctx.correlation_id {
        span.record("correlation_id", c.as_str());
    }
    let deadline = shared.config.deadline(op).saturating_sub(started.elapsed());
    let outcome = within(deadline, call(shared.clone(), req, ctx.clone()))
        .instrument(span.clone())
        .await;
    let _entered = span.enter();
    match outcome {
        Err(_) => {
            tracing::warn!(deadline_ms = deadline.as_millis() as u64, "deadline passed");
            let f = Failure::new(
                504,
                "GATEWAY_TIMEOUT",
                "Gateway timeout",
                format!(
                    "the back-end did not answer within the operation's deadline ({} ms)",
                    shared.config.deadline(op).as_millis()
                ),
            );
            failure(f, echo)
        }
        Ok(Err(e)) => {
            let mut f = on_error(&shared.backend, e, &ctx);
            if !(400..=599).contains(&f.status) {
                tracing::error!(
                    status = f.status,
                    "the error hook gave a status that is not an error; sending 500"
                );
                f.status = 500;
            }
            failure(f, echo)
        }
        Ok(Ok(resp)) => {
            let mut reply = Reply::new(shared.config.check_responses);
            resp.into_reply(&mut reply);
            if reply.problems.is_empty() {
                respond(reply, echo)
            } else {
                tracing::error!(problems = ?reply.problems, "the back-end's response breaks the document; sending 500");
                failure(
                    Failure::many(
                        500,
                        "INTERNAL_SERVER_ERROR",
                        "Internal server error",
                        [String::from(
                            "the response the back-end produced does not conform to the API document; the problems are logged",
                        )],
                    ),
                    echo,
                )
            }
        }
    }
}

/// `fut` under a deadline, the timer armed only if `fut` does not finish at its first poll: a
/// back-end that answers without waiting costs no timer registration, which is most of what a
/// deadline costs per request; one that waits pays it when it waits.
async fn within<F: Future>(
    deadline: std::time::Duration,
    fut: F,
) -> Result<F::Output, tokio::time::error::Elapsed> {
    let until = tokio::time::Instant::now() + deadline;
    let mut fut = std::pin::pin!(fut);
    let first = std::future::poll_fn(|cx| std::task::Poll::Ready(fut.as_mut().poll(cx))).await;
    match first {
        std::task::Poll::Ready(v) => Ok(v),
        std::task::Poll::Pending => tokio::time::timeout_at(until, fut).await,
    }
}

/// The answer to a route the document does not have.
pub async fn not_found(document: &'static Document, request: Request) -> Response {
    let f = Failure::new(
        404,
        "NOT_FOUND",
        "Not found",
        format!("{} has no route {}", document.title, request.uri().path()),
    );
    fallback(document, &request, f)
}

/// The answer to a method a route does not have.
pub async fn method_not_allowed(document: &'static Document, request: Request) -> Response {
    let f = Failure::new(
        405,
        "METHOD_NOT_ALLOWED",
        "Method not allowed",
        format!(
            "{} does not allow {} on {}",
            document.title,
            request.method(),
            request.uri().path()
        ),
    );
    fallback(document, &request, f)
}

fn fallback(document: &Document, request: &Request, f: Failure) -> Response {
    match interaction::read(request.headers()) {
        Given::Valid(id) => failure(f, Some(&id)),
        _ if document.interaction_id => failure(f, Some(&interaction::mint())),
        _ => failure(f, None),
    }
}

fn unsupported(given: &str, expected: &str) -> Failure {
    Failure::new(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "Unsupported media type",
        format!("the body must be {expected}; Content-Type is {given}"),
    )
}

fn too_large(limit: usize) -> Failure {
    Failure::new(
        413,
        "PAYLOAD_TOO_LARGE",
        "Payload too large",
        format!("the body is larger than the limit of {limit} bytes"),
    )
}

/// 400 for a malformed request; 422 for a well-formed body that breaks value rules, where the
/// operation documents 422.
fn refused(op: &Operation, problems: &[Problem]) -> Failure {
    let semantic =
        !problems.is_empty() && problems.iter().all(|p| p.place == "body" && !p.malformed());
    let (status, code, title) = if semantic && op.unprocessable {
        (422, "UNPROCESSABLE_ENTITY", "Unprocessable entity")
    } else {
        (400, "INVALID_REQUEST", "Invalid request")
    };
    let details: Vec<String> = if problems.is_empty() {
        vec![String::from("the request could not be read")]
    } else {
        problems.iter().map(Problem::detail).collect()
    };
    Failure::many(status, code, title, details)
}

fn with_id(mut builder: http::response::Builder, echo: Option<&str>) -> http::response::Builder {
    if let Some(id) = echo.and_then(|id| http::HeaderValue::from_str(id).ok()) {
        builder = builder.header(&interaction::NAME, id);
    }
    builder
}

/// The content type of every JSON answer.
static JSON: http::HeaderValue = http::HeaderValue::from_static("application/json; charset=utf-8");

fn build(builder: http::response::Builder, body: Vec<u8>) -> Response {
    builder.body(Body::from(body)).unwrap_or_else(|e| {
        tracing::error!(error = %e, "a response could not be built");
        let mut r = Response::new(Body::empty());
        *r.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

/// An error answer in the envelope.
pub(crate) fn failure(f: Failure, echo: Option<&str>) -> Response {
    let status =
        http::StatusCode::from_u16(f.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    // The envelope holds strings only: serializing it cannot fail.
    let body = serde_json::to_vec(&f.envelope).unwrap_or_default();
    let b = http::Response::builder()
        .status(status)
        .header(CONTENT_TYPE, JSON.clone());
    build(with_id(b, echo), body)
}

fn respond(reply: Reply, echo: Option<&str>) -> Response {
    let status =
        http::StatusCode::from_u16(reply.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut b = http::Response::builder().status(status);
    match reply.content_type {
        Some(ct) if ct == JSON => b = b.header(CONTENT_TYPE, JSON.clone()),
        Some(ct) => b = b.header(CONTENT_TYPE, ct),
        None => {}
    }
    for (name, value) in &reply.headers {
        b = b.header(*name, value.as_str());
    }
    build(with_id(b, echo), reply.body)
}
