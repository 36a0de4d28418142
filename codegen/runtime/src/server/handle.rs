//! One request, from the socket to the back-end and back: what a generated route calls.
//!
//! In order: the interaction id (a missing or invalid one gets a minted id and a 400 where the
//! operation declares it), `Content-Type` (415), `Accept` (406), the body limit and its time
//! (413, 408), a place among the requests in flight (504 when none frees up within the
//! deadline), then every parameter and the body decoded and judged by the router's
//! [`Validation`] mode (400 when nothing decodes; enforced, 400 or 422 for a well-formed body
//! that breaks a value rule where the operation documents 422; reported, logged and served).
//! Only then is the back-end called, on a task of its own, under the operation's deadline (504
//! when it overruns); what it returns is checked when the response check is on (500 when it
//! breaks the document). Every answer that is not the back-end's own goes out in the error
//! envelope, and the interaction id is echoed on all.

use super::idempotency::{Begin, IdempotencyKey, IdempotencyStore, StoredAnswer};
use super::inputs::Problem;
use super::interaction::{self, Given};
use super::media::{accepts, same_media};
use super::{
    Config, Context, Document, Failure, FromInputs, Inputs, IntoReply, Operation, OperationName,
    Reply, Validation,
};
use axum::body::Body;
use axum::extract::{FromRequestParts, RawPathParams, Request};
use axum::response::Response;
use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use std::any::Any;
use std::future::Future;
use std::sync::Arc;
use tokio::time::Instant;
use tracing::Instrument;

/// Bodies larger than this are decoded on tokio's blocking pool, so that a burst of large
/// bodies does not hold the async workers that every other request needs.
const HEAVY_BODY: usize = 64 * 1024;

/// What every route of one router shares: the back-end, the settings and the document.
#[derive(Debug)]
pub struct Shared<B> {
    backend: B,
    common: Arc<Common>,
}

/// The part of [`Shared`] that does not name the back-end's type, so that what serves a
/// request needs no type parameter.
#[derive(Debug)]
struct Common {
    config: Config,
    validation: Validation,
}

impl<B> Shared<B> {
    /// Shared state for a router of `document` serving through `backend`.
    pub fn new(backend: B, config: Config, document: &Document) -> Arc<Self> {
        let validation = config.validation(document.validation);
        Arc::new(Shared {
            backend,
            common: Arc::new(Common { config, validation }),
        })
    }

    /// The back-end.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The route of `op` with the configured layers (see [`Config::route`]).
    pub fn route(
        &self,
        op: &'static Operation,
        handler: axum::routing::MethodRouter,
    ) -> axum::routing::MethodRouter {
        self.common.config.route(op, handler)
    }
}

impl<B: Send + Sync + 'static> Shared<B> {
    /// The route of `op`, on its method and with the configured layers: each request is read
    /// and judged, then `call` calls the back-end's method, and the back-end's errors go
    /// through `on_error`. What a generated router is made of, one per operation.
    ///
    /// Only decoding into `Req` and calling the back-end depend on the operation's types; they
    /// are handed on as a function pointer and a shared closure, and the route itself (the
    /// axum handler and the whole flow of [`serve_one`]) is compiled once, in this crate, not
    /// once per operation in each generated crate.
    pub fn serve<Req, Resp, E, F, Fut>(
        self: &Arc<Self>,
        op: &'static Operation,
        call: F,
        on_error: fn(&B, E, &Context) -> Failure,
    ) -> axum::routing::MethodRouter
    where
        Req: FromInputs + Send + 'static,
        Resp: IntoReply + Send + 'static,
        E: Send + 'static,
        F: Fn(Arc<Shared<B>>, Req, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Resp, E>> + Send + 'static,
    {
        let check = self.common.config.check_responses;
        let shared = Arc::clone(self);
        let start: Start = Arc::new(move |req, ctx| {
            let Ok(req) = req.downcast::<Req>() else {
                // `read::<Req>` made it: never reached, and answered, not panicked, if it were.
                return Box::pin(async {
                    Outcome::Failed(Failure::internal(&"the request was lost"))
                });
            };
            let fut = call(Arc::clone(&shared), *req, ctx.clone());
            let shared = Arc::clone(&shared);
            Box::pin(async move {
                match fut.await {
                    Ok(resp) => {
                        let mut reply = Reply::new(check);
                        resp.into_reply(&mut reply);
                        Outcome::Reply(reply)
                    }
                    Err(e) => Outcome::Failed(on_error(&shared.backend, e, &ctx)),
                }
            })
        });
        let endpoint = Arc::new(Endpoint {
            common: Arc::clone(&self.common),
            op,
            decode: read::<Req>,
            start,
        });
        self.route(op, method_router(endpoint))
    }
}

/// One operation's route, without its types: what [`serve_one`] needs for each request.
struct Endpoint {
    common: Arc<Common>,
    op: &'static Operation,
    decode: Decode,
    start: Start,
}

/// The method router of `endpoint`'s operation, on its method; each request takes one more
/// reference to the endpoint.
fn method_router(endpoint: Arc<Endpoint>) -> axum::routing::MethodRouter {
    let method = endpoint.op.method;
    let handler = move |request: Request| {
        let e = Arc::clone(&endpoint);
        async move {
            let common = &e.common;
            serve_one(
                &common.config,
                common.validation,
                e.op,
                request,
                e.decode,
                &e.start,
            )
            .await
        }
    };
    match method {
        "GET" => axum::routing::get(handler),
        "PUT" => axum::routing::put(handler),
        "POST" => axum::routing::post(handler),
        "DELETE" => axum::routing::delete(handler),
        "OPTIONS" => axum::routing::options(handler),
        "HEAD" => axum::routing::head(handler),
        "PATCH" => axum::routing::patch(handler),
        "TRACE" => axum::routing::trace(handler),
        // No method a document can name is left: an empty router answers 405.
        _ => axum::routing::MethodRouter::new(),
    }
}

/// The parameters and body of a request, owned, so that decoding can move to another thread.
struct Raw {
    path: Vec<(String, String)>,
    query: Vec<(String, String)>,
    headers: http::HeaderMap,
    body: Bytes,
}

/// What reading a request found.
struct Read {
    /// The request, typed away, with its correlation id.
    request: Option<(Box<dyn Any + Send>, Option<String>)>,
    problems: Vec<Problem>,
    omitted: usize,
    headers: http::HeaderMap,
}

fn read<Req: FromInputs + Send + 'static>(raw: Raw, mode: Validation, reported: usize) -> Read {
    // Enforced, only what the envelope can carry is built; reported, the configured number.
    let limit = match mode {
        Validation::Enforce => super::reply::MAX_ERRORS,
        Validation::Report | Validation::Off => reported,
    };
    let mut inputs = Inputs::new(&raw.path, &raw.query, &raw.headers, &raw.body)
        .judging(mode != Validation::Off, limit);
    let parsed = Req::from_inputs(&mut inputs);
    let request = parsed.filter(|_| !inputs.fatal).map(|r| {
        let correlation = r.correlation_id().map(str::to_owned);
        (Box::new(r) as Box<dyn Any + Send>, correlation)
    });
    let (problems, omitted) = (std::mem::take(&mut inputs.problems), inputs.omitted);
    drop(inputs);
    Read {
        request,
        problems,
        omitted,
        headers: raw.headers,
    }
}

/// Decodes a request into the operation's type, typed away (`read::<Req>`).
type Decode = fn(Raw, Validation, usize) -> Read;

/// Calls the back-end with a decoded request and its context: the operation's one typed step
/// after decoding.
type Start = Arc<dyn Fn(Box<dyn Any + Send>, Context) -> Work + Send + Sync>;

/// Serves one request of `op`: everything but decoding (`decode`) and calling the back-end
/// (`start`), compiled once.
///
/// The back-end's future runs on a task of its own while this one keeps the time: at the
/// deadline the 504 goes out and the task is aborted, whatever the back-end is doing. (A
/// back-end that blocks its thread keeps that worker until it returns; the answer does not wait
/// for it.)
async fn serve_one(
    config: &Config,
    mode: Validation,
    op: &'static Operation,
    request: Request,
    decode: Decode,
    start: &Start,
) -> Response {
    let received = match receive(config, op, request).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let reported = config.violation_limit;
    let Received {
        parts,
        raw,
        echo,
        span,
        permit,
        verified,
        deadline,
        budget,
    } = received;
    // A repeated request with an idempotency key is answered as the first was, before the
    // back-end sees it again.
    // A verified body was parsed once already: its value is read, not the bytes again.
    let parsed = verified.as_ref().map(|v| &v.body);
    let claimed =
        match idempotent(config, op, &raw.headers, &raw.body, parsed, echo.as_deref()).await {
            Ok(c) => c,
            Err(response) => return response,
        };
    let read = if raw.body.len() > HEAVY_BODY {
        match tokio::task::spawn_blocking(move || decode(raw, mode, reported)).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "decoding a request failed");
                let f = Failure::internal(&"decoding the request failed");
                return answer(f, echo.as_deref(), op);
            }
        }
    } else {
        decode(raw, mode, reported)
    };
    let Read {
        request: req,
        problems,
        omitted,
        headers,
    } = read;
    let (req, correlation_id) = match req {
        Some(r) if problems.is_empty() && omitted == 0 => r,
        Some(r) if mode != Validation::Enforce => {
            report(&span, op, &problems, omitted);
            r
        }
        _ => return answer(refused(op, &problems, omitted), echo.as_deref(), op),
    };
    let ctx = context(op, &echo, correlation_id, headers, parts, verified, &span);
    if Instant::now() >= deadline {
        let f = overrun(op, budget, "reading the request took the whole budget");
        return answer(f, echo.as_deref(), op);
    }
    // The task holds the place in flight, and is aborted if this future is dropped (the client
    // went away, the server is closing): no back-end work outlives its request's place.
    let work = start(req, ctx);
    let work: Work = Box::pin(
        async move {
            let _place = permit;
            work.await
        }
        .instrument(span.clone()),
    );
    let response = finish(config, work, op, budget, deadline, echo.as_deref(), &span).await;
    match claimed {
        Some(claimed) => claimed.record(response).await,
        None => response,
    }
}

/// The longest idempotency key kept (the regulation's are at most 40 characters).
const MAX_IDEMPOTENCY_KEY: usize = 256;

/// An idempotency key claimed for a request being served. Recorded with its answer; released
/// when the answer is not one to give again (a 5xx, a timeout) or when the request is dropped
/// unanswered (the client went away), so that a retry is served afresh.
struct Claimed {
    store: Arc<dyn IdempotencyStore>,
    scope: &'static str,
    key: String,
    settled: bool,
}

impl Claimed {
    async fn record(mut self, response: Response) -> Response {
        self.settled = true;
        let status = response.status().as_u16();
        if status >= 500 || status == 408 || status == 429 {
            if let Err(e) = self.store.abandon(self.scope, &self.key).await {
                tracing::error!(error = %e, "an idempotency key could not be released");
            }
            return response;
        }
        let (parts, body) = response.into_parts();
        // The answer is already whole in memory (the router builds it from bytes).
        let bytes = match axum::body::to_bytes(body, usize::MAX).await {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, "an answer could not be kept for its idempotency key");
                let _ = self.store.abandon(self.scope, &self.key).await;
                return failure(Failure::internal(&"the answer could not be read"), None);
            }
        };
        let headers = parts
            .headers
            .iter()
            .filter(|(name, _)| **name != interaction::NAME)
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let answer = StoredAnswer {
            status,
            headers,
            body: bytes.clone(),
        };
        if let Err(e) = self.store.finish(self.scope, &self.key, answer).await {
            tracing::error!(error = %e, "an answer could not be kept for its idempotency key");
        }
        Response::from_parts(parts, Body::from(bytes))
    }
}

impl Drop for Claimed {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let (store, scope, key) = (
            self.store.clone(),
            self.scope,
            std::mem::take(&mut self.key),
        );
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = store.abandon(scope, &key).await;
            });
        }
    }
}

/// Claims the request's idempotency key, when its operation takes one and the router keeps
/// them; or the answer: the first one again, a 422 for another body under the same key, a 409
/// while the first is still being served.
async fn idempotent(
    config: &Config,
    op: &'static Operation,
    headers: &http::HeaderMap,
    body: &[u8],
    parsed: Option<&serde_json::Value>,
    echo: Option<&str>,
) -> Result<Option<Claimed>, Response> {
    let (Some(kind), Some(store)) = (op.idempotency, &config.idempotency) else {
        return Ok(None);
    };
    // The body is read as JSON once, for its key and its fingerprint.
    let owned;
    let value = match parsed {
        Some(v) => Some(v),
        None => {
            owned = serde_json::from_slice::<serde_json::Value>(body).ok();
            owned.as_ref()
        }
    };
    let key = match kind {
        IdempotencyKey::Header(name) => headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        IdempotencyKey::Body(member) => value
            .and_then(|v| v.get(member))
            .and_then(|k| k.as_str())
            .map(str::to_owned),
    };
    // A missing key is the schema's to judge; an oversized one is not kept.
    let Some(key) = key.filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    match store
        .begin(
            op.name,
            &key,
            value.map_or_else(
                || super::idempotency::fingerprint(body),
                super::idempotency::fingerprint_value,
            ),
            now,
        )
        .await
    {
        Ok(Begin::New) => Ok(Some(Claimed {
            store: store.clone(),
            scope: op.name,
            key,
            settled: false,
        })),
        Ok(Begin::Replay(a)) => {
            let mut b = http::Response::builder().status(a.status);
            for (name, value) in &a.headers {
                b = b.header(name.as_str(), value.as_str());
            }
            Err(tagged(build(with_id(b, echo), a.body.to_vec()), op))
        }
        Ok(Begin::Conflict) => Err(answer(
            Failure::new(
                422,
                "ERRO_IDEMPOTENCIA",
                "Erro idempotência",
                "the idempotency key was already used with another body",
            ),
            echo,
            op,
        )),
        Ok(Begin::InProgress) => Err(answer(
            Failure::new(
                409,
                "CONFLICT",
                "Conflict",
                "a request with this idempotency key is still being served; retry later",
            ),
            echo,
            op,
        )),
        Err(e) => {
            tracing::error!(error = %e, "the idempotency store failed");
            Err(answer(
                Failure::new(
                    503,
                    "SERVICE_UNAVAILABLE",
                    "Service unavailable",
                    "idempotency keys cannot be checked now; retry later",
                ),
                echo,
                op,
            ))
        }
    }
}

/// A request past every check that needs no type of the operation's: what [`serve_one`] decodes.
struct Received {
    parts: http::request::Parts,
    raw: Raw,
    echo: Option<String>,
    span: tracing::Span,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
    verified: Option<crate::jws::Verified>,
    deadline: Instant,
    budget: std::time::Duration,
}

/// The interaction id, the media types, a place in flight, the body (verified when signed),
/// and the path and query, in that order; the answer when one of them fails.
async fn receive(
    config: &Config,
    op: &'static Operation,
    request: Request,
) -> Result<Received, Response> {
    let started = Instant::now();
    let budget = config.deadline(op);
    let deadline = started + budget;
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
            return Err(tagged(failure(f, Some(&interaction::mint())), op));
        }
        _ => None,
    };
    let span = tracing::info_span!(
        "ofb_request",
        operation = op.name,
        interaction_id = echo.as_deref().unwrap_or_default(),
        correlation_id = tracing::field::Empty,
    );
    let refuse = |f: Failure| answer(f, echo.as_deref(), op);

    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    if let (Some(expected), Some(given)) = (op.request_media, &content_type) {
        if !same_media(given, expected) {
            return Err(refuse(unsupported(&crate::check::shown(given), expected)));
        }
    }
    if let (Some(expected), None, true) = (op.request_media, &content_type, op.body_required) {
        return Err(refuse(unsupported("absent", expected)));
    }
    if !accepts(&parts.headers, op.response_media) {
        return Err(refuse(Failure::new(
            406,
            "NOT_ACCEPTABLE",
            "Not acceptable",
            format!(
                "the Accept header allows none of the media types of this operation ({})",
                op.response_media.join(", ")
            ),
        )));
    }

    let limit = config.body_limit;
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(refuse(too_large(limit)));
    }
    // The body is read before the request takes a place in flight, so that clients trickling
    // theirs hold no place; and for no longer than the operation's deadline allows (nor the
    // body timeout), so that they hold no connection past it either. Bodies held at once are
    // bounded by the connections served times the body limit.
    let body_time = config.body_timeout.min(budget);
    let collect = Limited::new(body, limit).collect();
    let bytes = match tokio::time::timeout_at(started + body_time, collect).await {
        Ok(Ok(b)) => b.to_bytes(),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return Err(refuse(too_large(limit)))
        }
        Ok(Err(e)) => {
            return Err(refuse(Failure::new(
                400,
                "INVALID_REQUEST",
                "Invalid request",
                format!("the body could not be read: {e}"),
            )))
        }
        Err(_) => {
            return Err(refuse(Failure::new(
                408,
                "REQUEST_TIMEOUT",
                "Request timeout",
                format!(
                    "the body did not arrive within {} ms",
                    body_time.as_millis()
                ),
            )))
        }
    };
    // Past this point the request costs the back-end: it waits for a place among those in
    // flight, for at most half its budget, so that under overload the 504 leaves in time even
    // when the machine is slow to get to it.
    let admission = started + budget / 2;
    let permit = match &config.in_flight {
        Some(slots) => {
            match tokio::time::timeout_at(admission, slots.clone().acquire_owned()).await {
                Ok(Ok(permit)) => Some(permit),
                _ => return Err(refuse(overrun(
                    op,
                    budget,
                    "waiting (at most half the budget) for a place among the requests in flight",
                ))),
            }
        }
        None => None,
    };

    if let (Some(expected), None, false) = (op.request_media, &content_type, bytes.is_empty()) {
        return Err(refuse(unsupported("absent", expected)));
    }
    // A signed body is verified before anything reads it, and only its payload goes on.
    let mut verified = None;
    let bytes = if op.signed_request && !bytes.is_empty() {
        match verify(config.verifier.as_ref(), &bytes).await {
            Ok(v) => {
                let payload = serde_json::to_vec(&v.body).unwrap_or_default();
                verified = Some(v);
                Bytes::from(payload)
            }
            Err(f) => return Err(refuse(f)),
        }
    } else {
        bytes
    };

    let path: Vec<(String, String)> = match RawPathParams::from_request_parts(&mut parts, &()).await
    {
        Ok(p) => p
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        Err(e) => {
            return Err(refuse(Failure::new(
                400,
                "INVALID_REQUEST",
                "Invalid request",
                e.body_text(),
            )))
        }
    };
    let query: Vec<(String, String)> =
        form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    if Instant::now() >= deadline {
        return Err(refuse(overrun(
            op,
            budget,
            "receiving the request took the whole budget",
        )));
    }
    if Instant::now() >= deadline {
        return Err(refuse(overrun(
            op,
            budget,
            "receiving the request took the whole budget",
        )));
    }
    let raw = Raw {
        path,
        query,
        headers: std::mem::take(&mut parts.headers),
        body: bytes,
    };
    Ok(Received {
        parts,
        raw,
        echo,
        span,
        permit,
        verified,
        deadline,
        budget,
    })
}

/// The back-end's work for one request, typed away: its response already written into a
/// [`Reply`], or its error already turned into a [`Failure`] by its hook.
type Work = std::pin::Pin<Box<dyn Future<Output = Outcome> + Send>>;

enum Outcome {
    Reply(Reply),
    Failed(Failure),
}

/// The context the back-end is handed.
fn context(
    op: &'static Operation,
    echo: &Option<String>,
    correlation_id: Option<String>,
    headers: http::HeaderMap,
    mut parts: http::request::Parts,
    verified: Option<crate::jws::Verified>,
    span: &tracing::Span,
) -> Context {
    parts.extensions.insert(OperationName(op.name));
    if let Some(v) = verified {
        parts.extensions.insert(v);
    }
    if let Some(c) = &correlation_id {
        span.record("correlation_id", c.as_str());
    }
    Context {
        operation: op.name,
        interaction_id: echo.clone(),
        correlation_id,
        headers: Arc::new(headers),
        extensions: Arc::new(parts.extensions),
    }
}

/// Runs the back-end's work on a task of its own under the deadline, and answers with what it
/// gave: the reply (signed, when due, and refused when it breaks the document) or its failure.
async fn finish(
    config: &Config,
    work: Work,
    op: &'static Operation,
    budget: std::time::Duration,
    deadline: Instant,
    echo: Option<&str>,
    span: &tracing::Span,
) -> Response {
    let mut task = Aborting(tokio::spawn(work));
    let outcome = tokio::time::timeout_at(deadline, &mut task.0).await;
    let _entered = span.enter();
    match outcome {
        Err(_) => answer(overrun(op, budget, "the back-end did not answer"), echo, op),
        Ok(Err(joined)) => {
            tracing::error!(error = %joined, "the back-end panicked or was cancelled");
            answer(
                Failure::internal(&"the back-end did not complete"),
                echo,
                op,
            )
        }
        Ok(Ok(Outcome::Failed(mut f))) => {
            if !(400..=599).contains(&f.status) {
                tracing::error!(
                    status = f.status,
                    "the error hook gave a status that is not an error; sending 500"
                );
                f.status = 500;
            }
            answer(f, echo, op)
        }
        Ok(Ok(Outcome::Reply(mut reply))) => {
            if reply.sign && reply.problems.is_empty() {
                match sign(config.signer.as_ref(), &reply.body) {
                    Ok(token) => reply.body = token.into_bytes(),
                    Err(f) => return answer(f, echo, op),
                }
            }
            if reply.problems.is_empty() {
                tagged(respond(reply, echo), op)
            } else {
                tracing::error!(problems = ?reply.problems, "the back-end's response breaks the document; sending 500");
                answer(
                    Failure::many(
                        500,
                        "INTERNAL_SERVER_ERROR",
                        "Internal server error",
                        [String::from(
                            "the response the back-end produced does not conform to the API document; the problems are logged",
                        )],
                        0,
                    ),
                    echo,
                    op,
                )
            }
        }
    }
}

/// A failure in the error envelope, with the interaction id echoed, tagged with `op`.
fn answer(f: Failure, echo: Option<&str>, op: &'static Operation) -> Response {
    tagged(failure(f, echo), op)
}

/// A spawned task that is aborted when its handle is dropped.
struct Aborting<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for Aborting<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The 504 of a request whose deadline passed, counted.
fn overrun(op: &Operation, budget: std::time::Duration, while_: &str) -> Failure {
    tracing::warn!(
        deadline_ms = budget.as_millis() as u64,
        "deadline passed: {while_}"
    );
    metrics::counter!("ofb_deadline_overruns_total", "operation" => op.name).increment(1);
    Failure::new(
        504,
        "GATEWAY_TIMEOUT",
        "Gateway timeout",
        format!(
            "{while_} within the operation's deadline ({} ms)",
            budget.as_millis()
        ),
    )
}

/// Report mode: each violation as an event of the request's span, and their number counted.
fn report(span: &tracing::Span, op: &Operation, problems: &[Problem], omitted: usize) {
    for p in problems {
        tracing::warn!(
            parent: span,
            place = %p.place,
            // Quoted and escaped: a member name or a value with a line break in it must not
            // write a line of its own into the log.
            pointer = ?p.violation.pointer,
            rule = %p.violation.rule,
            message = ?p.violation.message,
            "the request breaks the document; served anyway (validation: report)"
        );
    }
    if omitted > 0 {
        tracing::warn!(parent: span, omitted, "more violations, not listed");
    }
    metrics::counter!("ofb_request_violations_total", "operation" => op.name)
        .increment((problems.len() + omitted) as u64);
}

/// A response that says which operation answered it, for the layers around the router.
fn tagged(mut response: Response, op: &'static Operation) -> Response {
    response.extensions_mut().insert(OperationName(op.name));
    response
}

/// The answer to a route the document does not have.
pub async fn not_found(document: &'static Document, request: Request) -> Response {
    let f = Failure::new(
        404,
        "NOT_FOUND",
        "Not found",
        format!(
            "{} has no route {}",
            document.title,
            crate::check::shown(request.uri().path())
        ),
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
            crate::check::shown(request.method().as_str()),
            crate::check::shown(request.uri().path())
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

/// `given` is shortened and quoted already (or says it is absent).
/// A signed response body, or the failure to answer instead.
fn sign(signer: Option<&crate::jws::Signer>, json: &[u8]) -> Result<String, Failure> {
    let Some(signer) = signer else {
        tracing::error!(
            "a signed response is due and the router has no signer (Config::with_signer)"
        );
        return Err(Failure::internal(
            &"signed responses cannot be signed: no key is configured",
        ));
    };
    let value: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| Failure::internal(&e))?;
    signer.sign(&value).map_err(|e| Failure::internal(&e))
}

/// The payload of a signed body, or the failure to answer.
async fn verify(
    verifier: Option<&crate::jws::Verifier>,
    bytes: &[u8],
) -> Result<crate::jws::Verified, Failure> {
    let Some(verifier) = verifier else {
        tracing::error!(
            "a signed body arrived and the router has no verifier (Config::with_verifier)"
        );
        return Err(Failure::internal(
            &"signed bodies cannot be verified: no key set is configured",
        ));
    };
    let Ok(token) = std::str::from_utf8(bytes) else {
        return Err(Failure::new(
            400,
            "INVALID_REQUEST",
            "Invalid request",
            String::from("the body is not a compact JWS: it is not text"),
        ));
    };
    verifier.verify(token).await.map_err(|e| match e.status() {
        400 => Failure::new(400, "INVALID_REQUEST", "Invalid request", e.to_string()),
        401 => Failure::new(401, "INVALID_SIGNATURE", "Invalid signature", e.to_string()),
        503 => {
            tracing::warn!(error = %e, "a signed body could not be recorded against replay");
            Failure::new(
                503,
                "SERVICE_UNAVAILABLE",
                "Service unavailable",
                e.to_string(),
            )
        }
        _ => {
            tracing::error!(error = %e, "a signed body could not be verified");
            Failure::internal(&e.to_string())
        }
    })
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
fn refused(op: &Operation, problems: &[Problem], omitted: usize) -> Failure {
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
    Failure::many(status, code, title, details, omitted)
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
