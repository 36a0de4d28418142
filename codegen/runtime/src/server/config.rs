//! How a generated router behaves: body limit and read time, deadlines, how far requests are
//! judged, how many are served at once, the response check.

use super::{Operation, OperationName};
use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, Route};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// How far a router judges requests against the document before calling the back-end.
///
/// Whatever the mode, a request that cannot be decoded into its types (a body that is not
/// JSON, a missing required member, a parameter that is not a number) is answered 400: there
/// is no typed request to hand on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// Refuse a request that breaks the document (400, or 422 where the operation documents
    /// it), every problem named. The default for the regulated documents, where the router is
    /// the first to see what a data receiver sent.
    Enforce,
    /// Call the back-end anyway, and record each violation with its JSON pointer as a
    /// `tracing` event of the request's span and in the `ofb_request_violations_total`
    /// counter. The default for integration documents: the platform has judged the call
    /// already (seed 000: the integration layer "does not need (and should not)" check the
    /// validity of requests), so an erratum of the document must not refuse a call the
    /// platform accepted.
    Report,
    /// Do not judge: only decode.
    Off,
}

/// A tower layer given with [`Config::with_layer`], applied to each route.
#[derive(Clone)]
struct RouteLayer(Arc<dyn Fn(MethodRouter) -> MethodRouter + Send + Sync>);

impl std::fmt::Debug for RouteLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RouteLayer")
    }
}

/// Settings of a generated router, built with `with_*` methods from [`Config::default`].
///
/// Cloning a `Config` shares its limit on requests in flight: routers built from clones of one
/// `Config` (several families in one process) share one limit.
#[derive(Debug, Clone)]
pub struct Config {
    layers: Vec<RouteLayer>,
    pub(crate) body_limit: usize,
    pub(crate) body_timeout: Duration,
    deadline_all: Option<Duration>,
    deadlines: BTreeMap<String, Duration>,
    pub(crate) check_responses: bool,
    validation: Option<Validation>,
    pub(crate) in_flight: Option<Arc<tokio::sync::Semaphore>>,
    max_in_flight: Option<usize>,
    pub(crate) violation_limit: usize,
    pub(crate) verifier: Option<crate::jws::Verifier>,
    pub(crate) signer: Option<crate::jws::Signer>,
    pub(crate) idempotency: Option<Arc<dyn super::idempotency::IdempotencyStore>>,
}

/// The default body limit: 1 MiB.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// The default time to receive a body once its headers are in: 10 s.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// The default number of requests a router serves at once: 256. Others wait for a place for
/// at most half their operation's deadline, then get a 504: a request that cannot even start
/// within half its budget is shed while there is still time to say so, rather than queued
/// until it is late anyway.
pub const MAX_IN_FLIGHT: usize = 256;

impl Default for Config {
    /// A 1 MiB body limit, received within 10 s; each operation's deadline from its frequency
    /// class; the document's validation mode; at most 256 requests in flight; the response
    /// check on in debug builds (and so in tests), off in release builds.
    fn default() -> Self {
        Config {
            layers: Vec::new(),
            body_limit: BODY_LIMIT,
            body_timeout: BODY_TIMEOUT,
            deadline_all: None,
            deadlines: BTreeMap::new(),
            check_responses: cfg!(debug_assertions),
            validation: None,
            in_flight: Some(Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT))),
            max_in_flight: Some(MAX_IN_FLIGHT),
            violation_limit: crate::validate::DEFAULT_LIMIT,
            verifier: None,
            signer: None,
            idempotency: Some(Arc::new(
                super::idempotency::MemoryIdempotencyStore::default(),
            )),
        }
    }
}

impl Config {
    /// The largest request body accepted, in bytes; a larger one gets a 413.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How long a body may take to arrive once the headers are in; a slower one gets a 408.
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// The deadline of every operation that has none of its own.
    pub fn with_deadlines(mut self, deadline: Duration) -> Self {
        self.deadline_all = Some(deadline);
        self
    }

    /// The deadline of one operation, by its function name (`get_accounts`).
    pub fn with_deadline(mut self, operation: &str, deadline: Duration) -> Self {
        self.deadlines.insert(operation.to_owned(), deadline);
        self
    }

    /// Whether what the back-end returns is validated before it goes out: a response that
    /// breaks the document becomes a 500 in the error envelope and an error in the log.
    pub fn with_response_check(mut self, on: bool) -> Self {
        self.check_responses = on;
        self
    }

    /// How far requests are judged (by default, the document's own mode: `Report` for
    /// integration documents, `Enforce` for the others).
    pub fn with_validation(mut self, mode: Validation) -> Self {
        self.validation = Some(mode);
        self
    }

    /// At most `n` requests served at once (`None`: no limit). A request past the limit waits
    /// for a place for at most half its deadline, then gets a 504, so that overload sheds load
    /// in time instead of queueing it without bound.
    pub fn with_max_in_flight(mut self, n: Option<usize>) -> Self {
        self.max_in_flight = n;
        self.in_flight = n.map(|n| Arc::new(tokio::sync::Semaphore::new(n)));
        self
    }

    /// A tower layer applied to every operation's route, inside the router: unlike a layer
    /// added around the router with `Router::layer` (which axum runs before the route is
    /// known), it finds the answering operation's [`OperationName`] in the request's
    /// extensions: a per-operation rate limit or authorisation goes here. Layers run in the
    /// order given, the first outermost.
    pub fn with_layer<L>(mut self, layer: L) -> Self
    where
        L: tower_layer::Layer<Route> + Clone + Send + Sync + 'static,
        L::Service:
            tower_service::Service<Request, Error = Infallible> + Clone + Send + Sync + 'static,
        <L::Service as tower_service::Service<Request>>::Response: IntoResponse + 'static,
        <L::Service as tower_service::Service<Request>>::Future: Send + 'static,
    {
        self.layers
            .push(RouteLayer(Arc::new(move |route: MethodRouter| {
                route.layer(layer.clone())
            })));
        self
    }

    /// The route of `op`: `handler` inside the layers of [`Config::with_layer`], the operation's
    /// name put in the request's extensions before them. What a generated router registers.
    pub fn route(&self, op: &'static Operation, handler: MethodRouter) -> MethodRouter {
        let inner = self.layers.iter().rev().fold(handler, |r, l| (l.0)(r));
        let name = op.name;
        inner.layer(axum::middleware::map_request(
            move |mut request: Request| async move {
                request.extensions_mut().insert(OperationName(name));
                request
            },
        ))
    }

    /// How many violations of one request `Report` mode records (100 by default); past it
    /// they are only counted. `Enforce` builds what the envelope carries, 13.
    pub fn with_violation_limit(mut self, n: usize) -> Self {
        self.violation_limit = n;
        self
    }

    /// Verifies signed request bodies (`application/jwt`) with `verifier`: its key set (static,
    /// or a JWKS URL), algorithms (PS256 by default), audience and `iat` window. The verified
    /// body is then read like any JSON body; the back-end finds the token and its claims as a
    /// [`crate::jws::Verified`] in the context's extensions. Without a verifier, a signed body
    /// is answered with a 500: the router cannot check it, and will not take it unchecked.
    pub fn with_verifier(mut self, verifier: crate::jws::Verifier) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// Signs response bodies of media type `application/jwt` with `signer`. Without one, such
    /// a response is replaced by a 500: the router will not send it unsigned.
    pub fn with_signer(mut self, signer: crate::jws::Signer) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Where the idempotency keys of operations that take one are kept: in this process's
    /// memory by default (24 hours each); a store the replicas share, for several; `None` to
    /// serve every request afresh (the back-end then keeps the keys itself). Cloning a
    /// `Config` shares its store.
    pub fn with_idempotency_store(
        mut self,
        store: Option<Arc<dyn super::idempotency::IdempotencyStore>>,
    ) -> Self {
        self.idempotency = store;
        self
    }

    /// The deadline of `op`: its own, else the one for all, else its class's budget.
    pub fn deadline(&self, op: &Operation) -> Duration {
        self.deadlines
            .get(op.name)
            .copied()
            .or(self.deadline_all)
            .unwrap_or_else(|| op.frequency.budget())
    }

    /// The validation mode for a document whose own default is `default`.
    pub fn validation(&self, default: Validation) -> Validation {
        self.validation.unwrap_or(default)
    }

    /// The body limit in bytes.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// The limit on requests in flight.
    pub fn max_in_flight(&self) -> Option<usize> {
        self.max_in_flight
    }

    /// Whether responses are checked.
    pub fn checks_responses(&self) -> bool {
        self.check_responses
    }
}
