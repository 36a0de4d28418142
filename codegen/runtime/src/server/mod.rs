//! Plumbing for the generated axum servers, written once for every crate.
//!
//! A generated crate declares, for each operation, a static [`Operation`] (route, media types,
//! frequency class), how to read its typed request from the HTTP parts ([`FromInputs`]) and how
//! to write its typed response ([`IntoReply`]); its `router` serves each operation through
//! [`Shared::serve`], which does everything the back-end must not see: the interaction id, `Accept` and
//! `Content-Type`, the body limit, decoding and validation, the deadline, the response check and
//! the error envelope. The institution's trait sees typed values and a small [`Context`] only.

mod config;
mod handle;
pub mod health;
pub mod idempotency;
mod inputs;
mod interaction;
mod media;
mod operation;
mod reply;
mod serve;
mod shutdown;
mod stall;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;

pub use config::{Config, Validation, BODY_LIMIT, BODY_TIMEOUT, MAX_IN_FLIGHT};
pub use handle::{method_not_allowed, not_found, Shared};
pub use health::{MetricsLayer, Readiness};
pub use idempotency::{IdempotencyKey, IdempotencyStore, MemoryIdempotencyStore};
pub use inputs::{FromInputs, In, Inputs};
pub use operation::{Document, Frequency, Operation};
pub use reply::{Failure, IntoHeaders, IntoReply, Reply};
pub use serve::{serve, serve_with, ServeConfig};
pub use shutdown::{run_mock, shutdown_signal};
pub use tls::{ClientCertificate, TlsConfig, TlsError};

/// What a back-end method learns of the call besides its typed request.
#[derive(Debug, Clone)]
pub struct Context {
    /// The operation's function name (`get_accounts`).
    pub operation: &'static str,
    /// The `x-fapi-interaction-id` of the call, validated; echoed on the response.
    pub interaction_id: Option<String>,
    /// `requestMeta.correlationId` of the body, where the document's request carries one.
    pub correlation_id: Option<String>,
    /// The request headers as received, for those who need one the document does not declare
    /// (shared, so that handing the context on costs no copy).
    pub headers: std::sync::Arc<http::HeaderMap>,
    /// The request's extensions, as the tower layers around the router left them: a layer that
    /// authenticates the platform's call (its mTLS peer, its token) inserts its typed result
    /// there, and the back-end reads it with [`Context::extension`].
    pub extensions: std::sync::Arc<http::Extensions>,
}

impl Context {
    /// The extension of type `T` a layer inserted into the request, if any.
    pub fn extension<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.extensions.get::<T>()
    }
}

/// The operation that answered a request, by its function name (`get_accounts`): in the
/// response's extensions, for the layers around the router (metrics, logs), and in the
/// request's extensions that the back-end sees through [`Context::extensions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationName(pub &'static str);

/// Waits `delay` (the mock back-ends' optional delay).
pub async fn pause(delay: std::time::Duration) {
    tokio::time::sleep(delay).await;
}

/// Parses an example value of the document into its typed form (used by the generated mock
/// back-ends); a failure says which example, where and why.
///
/// It decodes as requests and responses do ([`crate::decode`]), so that a type's `Deserialize`
/// is compiled once for all three.
pub fn from_example<T: serde::de::DeserializeOwned>(
    what: &str,
    json: &str,
) -> Result<T, ExampleError> {
    crate::decode::from_str(json)
        .map(|d| d.value)
        .map_err(|e| ExampleError(format!("example {what}: {e}")))
}

/// [`from_example`] for a body, the failure naming the type the example should fit.
pub fn example<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, ExampleError> {
    from_example(std::any::type_name::<T>(), json)
}

/// An example of the document that does not fit its own type: the mock answers it with a 500
/// in the error envelope rather than an off-spec body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleError(pub String);

impl std::fmt::Display for ExampleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExampleError {}
