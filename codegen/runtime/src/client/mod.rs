//! Plumbing for the generated HTTP clients, written once for every crate.
//!
//! A generated crate declares, for each operation, how its typed request becomes an HTTP
//! request ([`Request`]) and how a response becomes its typed response enum ([`Response`]);
//! its `Client` hands both to [`Core`], which does what every call needs and no caller should
//! write twice: the base URL, the `x-fapi-interaction-id` (minted when the caller gives none,
//! returned with the answer), the bearer token, timeouts, the opt-in retry policy, and the
//! error that keeps the status, headers and raw body of whatever the server sent.
//!
//! # TLS
//!
//! Requests go through [`reqwest`] on rustls with the ring provider: no OpenSSL. The mutual
//! TLS identity the Open Finance directory issues, and any private root CA, are set on the
//! [`reqwest::ClientBuilder`] that [`http_builder`] returns, and the client is handed to
//! [`Config::http`]:
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use ofb_runtime::client::{http_builder, reqwest, Config};
//!
//! let identity = reqwest::Identity::from_pem(&std::fs::read("transport.pem")?)?;
//! let root = reqwest::Certificate::from_pem(&std::fs::read("directory-root.pem")?)?;
//! let http = http_builder().identity(identity).tls_certs_merge([root]).build()?;
//! let config = Config::new("https://matls-api.banco.example/open-banking/accounts/v2")
//!     .http(http)
//!     .timeout(std::time::Duration::from_secs(10));
//! # let _ = config; Ok(()) }
//! ```

mod config;
mod error;
mod pages;
mod request;
mod response;
mod retry;
mod send;
mod token;

pub use crate::secret::Secret;
pub use config::{
    http_builder, install_tls_provider, Config, ConfigError, Core, DEFAULT_PAGE_LIMIT,
};
pub use error::{Error, ErrorKind, Raw};
pub use pages::{Pages, Stop};
pub use request::{Endpoint, Outgoing, Paged, Param, Request};
pub use response::{FromHeaders, Incoming, Mismatch, Reply, Response};
pub use retry::RetryPolicy;
pub use send::CallOptions;
pub use token::{TokenError, TokenFuture, TokenProvider};

/// The HTTP client the generated clients use, re-exported so that callers configure TLS with
/// the same version.
pub use reqwest;

/// Mints an `x-fapi-interaction-id`: a random (version 4) UUID.
pub fn mint_interaction_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
