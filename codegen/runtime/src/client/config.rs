//! What a client is built from ([`Config`]) and what it shares between calls ([`Core`]).

use super::retry::RetryPolicy;
use super::token::TokenProvider;
use http::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A call that has not answered after this long fails with a timeout, unless the config or
/// the call says otherwise: the regulated servers answer well within it, and a client that
/// waits forever is the failure users meet first.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

pub use crate::tls::install_tls_provider;

/// A `reqwest::ClientBuilder` ready for rustls: set the mTLS identity and root certificates on
/// it, build it, and pass the client to [`Config::http`].
///
/// It follows no redirect: a redirect would carry the consent headers (and the mTLS identity)
/// to wherever it points, and turn a `POST` into a `GET` whose answer would be read as the
/// `POST`'s. A 3xx comes back as an undocumented status, with its `Location` kept.
pub fn http_builder() -> reqwest::ClientBuilder {
    install_tls_provider();
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none())
}

/// The largest body read ([`Config::max_body`] changes it): a server cannot make a client hold
/// more than this.
pub const DEFAULT_MAX_BODY: usize = 32 * 1024 * 1024;

/// How to build a client: a base URL and everything that has a default.
pub struct Config {
    base_url: String,
    http: Option<reqwest::Client>,
    timeout: Duration,
    token: Option<Arc<dyn TokenProvider>>,
    retry: RetryPolicy,
    headers: Vec<(String, String, bool)>,
    check_responses: bool,
    max_body: usize,
    page_limit: usize,
    allow_http: bool,
    signer: Option<crate::jws::Signer>,
    verifier: Option<crate::jws::Verifier>,
}

/// The most pages a walk fetches ([`Config::page_limit`] changes it): every page is a
/// billable call, and a server that keeps minting new `next` links must not make one endless.
pub const DEFAULT_PAGE_LIMIT: usize = 1000;

impl Config {
    /// A config for the server at `base_url`: the URL the document's paths hang from, with the
    /// document's base path (`https://api.banco.example/open-banking/accounts/v2`).
    pub fn new(base_url: impl Into<String>) -> Self {
        Config {
            base_url: base_url.into(),
            http: None,
            timeout: DEFAULT_TIMEOUT,
            token: None,
            retry: RetryPolicy::none(),
            headers: Vec::new(),
            check_responses: false,
            max_body: DEFAULT_MAX_BODY,
            page_limit: DEFAULT_PAGE_LIMIT,
            allow_http: false,
            signer: None,
            verifier: None,
        }
    }

    /// Verifies answers of media type `application/jwt` with `verifier` (the server's key set),
    /// then decodes their payload; without one, such an answer is a mismatch.
    pub fn with_verifier(mut self, verifier: crate::jws::Verifier) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// Signs request bodies of media type `application/jwt` with `signer` (its private key,
    /// `kid`, and the `iss` and `aud` the parties agree), each attempt with a fresh `iat` and
    /// `jti`. Without one, such a request is not sent.
    pub fn with_signer(mut self, signer: crate::jws::Signer) -> Self {
        self.signer = Some(signer);
        self
    }

    /// The most pages [`pages`](super::Pages) walks ([`DEFAULT_PAGE_LIMIT`] by default).
    pub fn page_limit(mut self, pages: usize) -> Self {
        self.page_limit = pages.max(1);
        self
    }

    /// Allows a plain `http://` base URL on another host than this machine's loopback. Off by
    /// default: the bearer token and the consent headers would cross the network in clear.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Sends through `http` (a client built from [`http_builder`], with its mTLS identity and
    /// roots) instead of a default one. Its connection pool is shared with every other holder.
    pub fn http(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The deadline of every attempt, from sending to the last byte of the body
    /// ([`DEFAULT_TIMEOUT`] unless set); a call can set its own. With retries on, a call lasts
    /// at most its attempts times this, plus the waits between them.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Asks `provider` for the bearer token of every call.
    pub fn token(mut self, provider: impl TokenProvider) -> Self {
        self.token = Some(Arc::new(provider));
        self
    }

    /// Asks a shared `provider` for the bearer token of every call.
    pub fn token_shared(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.token = Some(provider);
        self
    }

    /// Retries as `policy` says; the default is never, since Open Finance reads are billable.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends `name: value` on every call (the partner API's `x-consent-id`, say).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into(), false));
        self
    }

    /// Sends `name: value` on every call and keeps the value out of `Debug` and logs.
    pub fn secret_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into(), true));
        self
    }

    /// Refuses answers whose body is longer than `bytes` ([`DEFAULT_MAX_BODY`] by default):
    /// the call fails with [`ErrorKind::BodyTooLarge`](super::ErrorKind::BodyTooLarge) rather
    /// than holding it.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Also checks every decoded response against the document's rules (lengths, patterns,
    /// enum values) and fails the call on a violation. Off by default: a server that adds an
    /// enum value or a longer text should not break its readers.
    pub fn check_responses(mut self, on: bool) -> Self {
        self.check_responses = on;
        self
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("token", &self.token.as_ref().map(|_| "<provider>"))
            .field("retry", &self.retry)
            .field("headers", &HeadersDebug(&self.headers))
            .field("check_responses", &self.check_responses)
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

struct HeadersDebug<'a>(&'a [(String, String, bool)]);

impl fmt::Debug for HeadersDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(n, v, secret)| {
                (n.as_str(), if *secret { "<redacted>" } else { v.as_str() })
            }))
            .finish()
    }
}

/// Why a [`Config`] does not make a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// What every call of a client shares: cheap to clone, safe to use from many tasks at once.
#[derive(Clone)]
pub struct Core {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) base: reqwest::Url,
    pub(super) http: reqwest::Client,
    pub(super) timeout: Duration,
    pub(super) token: Option<Arc<dyn TokenProvider>>,
    pub(super) retry: RetryPolicy,
    pub(super) headers: HeaderMap,
    pub(super) check_responses: bool,
    pub(super) max_body: usize,
    pub(super) page_limit: usize,
    pub(super) signer: Option<crate::jws::Signer>,
    pub(super) verifier: Option<crate::jws::Verifier>,
}

impl Core {
    /// Builds the shared part of a client; a base URL that is not absolute `http(s)`, or a
    /// header that cannot be sent, is an error that says which.
    pub fn new(config: Config) -> Result<Core, ConfigError> {
        let mut base = reqwest::Url::parse(&config.base_url).map_err(|e| {
            ConfigError(format!(
                "base URL {:?} is not an absolute URL: {e}",
                config.base_url
            ))
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(ConfigError(format!(
                "base URL {:?} must be http:// or https://",
                config.base_url
            )));
        }
        let host = base.host_str().unwrap_or_default();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let loopback = bare.eq_ignore_ascii_case("localhost")
            || bare
                .parse::<std::net::IpAddr>()
                .is_ok_and(|a| a.is_loopback());
        if base.scheme() == "http" && !loopback && !config.allow_http {
            return Err(ConfigError(format!(
                "base URL {:?} is plain http:// to another host: the token would travel in clear; \
                 use https://, or Config::allow_http(true) where the network is trusted",
                config.base_url
            )));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(ConfigError(format!(
                "base URL {:?} must not have a query or a fragment: the operations add their own",
                config.base_url
            )));
        }
        // Paths are appended to the base, so it keeps no trailing slash.
        let trimmed = base.path().trim_end_matches('/').to_owned();
        base.set_path(&trimmed);
        let mut headers = HeaderMap::new();
        for (name, value, secret) in &config.headers {
            let n = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| ConfigError(format!("header name {name:?} is not valid")))?;
            let mut v = HeaderValue::from_str(value).map_err(|_| {
                ConfigError(format!(
                    "the value of header `{name}` cannot be sent (control characters or non-ASCII)"
                ))
            })?;
            v.set_sensitive(*secret);
            headers.append(n, v);
        }
        let http = match config.http {
            Some(h) => h,
            None => http_builder()
                .build()
                .map_err(|e| ConfigError(format!("cannot build the HTTP client: {e}")))?,
        };
        Ok(Core {
            inner: Arc::new(Inner {
                base,
                http,
                timeout: config.timeout,
                token: config.token,
                retry: config.retry,
                headers,
                check_responses: config.check_responses,
                max_body: config.max_body,
                page_limit: config.page_limit,
                signer: config.signer,
                verifier: config.verifier,
            }),
        })
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str()
    }

    /// The HTTP client, to share its connection pool with another [`Config`].
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        // Header values marked secret print as `Sensitive`; the token provider and the HTTP
        // client (whose own Debug would list default headers) are not printed.
        f.debug_struct("Core")
            .field("base_url", &i.base.as_str())
            .field("timeout", &i.timeout)
            .field("token", &i.token.as_ref().map(|_| "<provider>"))
            .field("retry", &i.retry)
            .field("headers", &i.headers)
            .field("check_responses", &i.check_responses)
            .finish_non_exhaustive()
    }
}
