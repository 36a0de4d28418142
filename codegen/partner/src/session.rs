//! The session: log in, keep the access token fresh, and make every call with it.

use crate::api::client::{Client, Config, Error, Reply};
use crate::api::operations::{
    CreateConsentResponse2, CreateManagementSessionResponse, CreateTokenResponse,
    GetConsentResponse, ListParticipantsResponse, RefreshTokenResponse,
};
use crate::api::types::{
    ConsentRead, CreatedConsent, ManagementRequest, Participant, RefreshTokenRequest, TokenRequest,
    TokenResponse,
};
use crate::bank::Bank;
use crate::consent::ConsentRequest;
use ofb_runtime::client::{
    reqwest, ConfigError, RetryPolicy, TokenError, TokenFuture, TokenProvider,
};
use ofb_runtime::Secret;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The partner client's credentials, sent only to `POST /auth/v1/token`.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Secret,
}

impl Credentials {
    /// Credentials from an id and a secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        Credentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }
}

/// Why a session could not start.
#[derive(Debug)]
pub enum LoginError {
    /// The base URL or HTTP client is unusable.
    Config(ConfigError),
    /// `POST /auth/v1/token` failed; the error keeps what the partner answered.
    Token(Error<CreateTokenResponse>),
}

impl fmt::Display for LoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoginError::Config(e) => write!(f, "cannot start a partner session: {e}"),
            LoginError::Token(e) => write!(f, "cannot log in to the partner: {e}"),
        }
    }
}

impl std::error::Error for LoginError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoginError::Config(e) => Some(e),
            LoginError::Token(e) => Some(e),
        }
    }
}

/// The tokens of a session.
#[derive(Debug)]
struct Tokens {
    access: Secret,
    refresh: Secret,
    /// When to renew: the expiry less the margin (less half the lifetime, for tokens that
    /// live shorter than twice the margin).
    renew_at: Instant,
}

/// The longest lifetime believed: a token that claims to live longer is renewed after a year.
const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// Holds the tokens and renews them; the session's clients ask it for every call.
#[derive(Debug)]
struct Auth {
    /// The partner client without a token: the two auth endpoints take none.
    anonymous: Client,
    credentials: Credentials,
    margin: Duration,
    tokens: tokio::sync::Mutex<Tokens>,
    /// The access token the partner last refused before its time. Kept apart from `tokens`,
    /// whose lock a renewal holds across its call, so that recording it never waits or fails.
    refused: std::sync::Mutex<Option<Secret>>,
    refreshes: AtomicUsize,
    logins: AtomicUsize,
}

impl Auth {
    fn tokens_from(&self, reply: TokenResponse, asked_at: Instant) -> Tokens {
        let lifetime =
            Duration::from_secs(u64::try_from(reply.expires_in).unwrap_or(0)).min(MAX_LIFETIME);
        let early = self.margin.min(lifetime / 2);
        Tokens {
            access: reply.access_token,
            refresh: reply.refresh_token,
            renew_at: asked_at.checked_add(lifetime - early).unwrap_or(asked_at),
        }
    }

    async fn login(&self) -> Result<Tokens, Error<CreateTokenResponse>> {
        let asked_at = Instant::now();
        let body = TokenRequest {
            client_id: self.credentials.client_id.clone(),
            client_secret: self.credentials.client_secret.clone(),
        };
        let reply = self.anonymous.create_token(body).await?;
        self.logins.fetch_add(1, Ordering::SeqCst);
        Ok(self.tokens_from(reply.into_inner(), asked_at))
    }

    async fn refresh(&self, refresh: &Secret) -> Result<Tokens, Error<RefreshTokenResponse>> {
        let asked_at = Instant::now();
        let body = RefreshTokenRequest {
            refresh_token: refresh.clone(),
        };
        let reply = self.anonymous.refresh_token(body).await?;
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        Ok(self.tokens_from(reply.into_inner(), asked_at))
    }

    /// A token valid for at least the margin: the one held, else a refreshed one, else (the
    /// refresh token refused) a new login. One renewal at a time: callers wait for it.
    async fn current(&self) -> Result<Secret, TokenError> {
        let mut tokens = self.tokens.lock().await;
        let refused = self
            .refused
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let revoked = refused.is_some_and(|r| r == tokens.access);
        if !revoked && Instant::now() < tokens.renew_at {
            return Ok(tokens.access.clone());
        }
        match self.refresh(&tokens.refresh).await {
            Ok(t) => *tokens = t,
            Err(e) if matches!(e.status(), Some(400 | 401)) => {
                *tokens = self.login().await.map_err(|e| {
                    TokenError::new(format!(
                        "the refresh token was refused and logging in again failed: {e}"
                    ))
                })?;
            }
            Err(e) => {
                return Err(TokenError::new(format!(
                    "cannot refresh the access token: {e}"
                )))
            }
        }
        Ok(tokens.access.clone())
    }
}

/// The token provider of a session's clients.
#[derive(Debug, Clone)]
struct SessionToken(Arc<Auth>);

impl TokenProvider for SessionToken {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(self.0.current())
    }

    /// A token the partner refused early (revoked) is renewed on the next call; one already
    /// replaced, or being replaced, needs nothing more.
    fn invalidate(&self, token: &Secret) -> bool {
        *self
            .0
            .refused
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(token.clone());
        true
    }
}

/// How to start a session.
#[derive(Debug)]
pub struct SessionBuilder {
    base_url: String,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    margin: Duration,
}

impl SessionBuilder {
    /// Sends through `http` (built with [`ofb_runtime::client::http_builder`], carrying the mTLS identity the
    /// partner knows the client by).
    pub fn http(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The deadline of every call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy of every call (none by default: reads are billable).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Renews the access token when it has less than `margin` left (30 s by default; at most
    /// half the token's lifetime).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The config of a client at `url`, on `http` (the session's shared pool) when given.
    fn config(&self, http: Option<&reqwest::Client>, url: String) -> Config {
        let mut c = Config::new(url).retry(self.retry.clone());
        if let Some(h) = http {
            c = c.http(h.clone());
        }
        if let Some(t) = self.timeout {
            c = c.timeout(t);
        }
        c
    }

    /// Logs in with `credentials` (`POST /auth/v1/token`).
    pub async fn login(self, credentials: Credentials) -> Result<Session, LoginError> {
        let base = self.base_url.trim_end_matches('/').to_owned();
        let anonymous = Client::with_config(self.config(self.http.as_ref(), base.clone()))
            .map_err(LoginError::Config)?;
        // Every client of the session shares the first one's connection pool.
        let http = anonymous.core().http().clone();
        let mut auth = Auth {
            anonymous,
            credentials,
            margin: self.margin,
            tokens: tokio::sync::Mutex::new(Tokens {
                access: Secret::default(),
                refresh: Secret::default(),
                renew_at: Instant::now(),
            }),
            refreshes: AtomicUsize::new(0),
            refused: std::sync::Mutex::new(None),
            logins: AtomicUsize::new(0),
        };
        let tokens = auth.login().await.map_err(LoginError::Token)?;
        *auth.tokens.get_mut() = tokens;
        let token = SessionToken(Arc::new(auth));
        let partner =
            Client::with_config(self.config(Some(&http), base.clone()).token(token.clone()))
                .map_err(LoginError::Config)?;
        Ok(Session {
            base,
            http,
            builder: self,
            token,
            partner,
        })
    }
}

/// A logged-in session with the partner.
#[derive(Debug)]
pub struct Session {
    base: String,
    http: reqwest::Client,
    builder: SessionBuilder,
    token: SessionToken,
    partner: Client,
}

impl Session {
    /// How to start a session with the partner at `base_url`.
    pub fn builder(base_url: impl Into<String>) -> SessionBuilder {
        SessionBuilder {
            base_url: base_url.into(),
            http: None,
            timeout: None,
            retry: RetryPolicy::none(),
            margin: Duration::from_secs(30),
        }
    }

    /// Logs in to the partner at `base_url` with the defaults.
    pub async fn login(base_url: &str, credentials: Credentials) -> Result<Session, LoginError> {
        Session::builder(base_url).login(credentials).await
    }

    /// The generated partner client, with the session's token on every call.
    pub fn partner(&self) -> &Client {
        &self.partner
    }

    /// A valid access token, renewed first if it is about to expire.
    pub async fn access_token(&self) -> Result<Secret, TokenError> {
        self.token.0.current().await
    }

    /// How many times the access token was refreshed, and how many logins there were (the
    /// first included).
    pub fn renewals(&self) -> (usize, usize) {
        let a = &self.token.0;
        (
            a.refreshes.load(Ordering::SeqCst),
            a.logins.load(Ordering::SeqCst),
        )
    }

    /// Every institution in the directory (`GET /consent-management/v1/participants`); choose
    /// with [`Filter`](crate::Filter).
    pub async fn participants(&self) -> Result<Vec<Participant>, Error<ListParticipantsResponse>> {
        self.partner
            .list_participants()
            .await
            .map(Reply::into_inner)
    }

    /// Creates a data-sharing consent at the institution `authorisation_server_id`; send the
    /// user to the returned `redirect_url` and keep the `consent_id`.
    pub async fn create_consent(
        &self,
        authorisation_server_id: &str,
        request: ConsentRequest,
    ) -> Result<CreatedConsent, Error<CreateConsentResponse2>> {
        self.partner
            .create_consent(authorisation_server_id, request.into_body())
            .await
            .map(|r| r.into_inner().data)
    }

    /// The consent as the institution holds it (its `status` says whether reads may begin).
    ///
    /// The reference's table for this call lists no `x-consent-id`, while its prose says the
    /// consent lookup sends one like the reads: it is sent, which satisfies both readings.
    pub async fn consent(
        &self,
        authorisation_server_id: &str,
        consent_id: &str,
    ) -> Result<ConsentRead, Error<GetConsentResponse>> {
        self.partner
            .get_consent(consent_id, authorisation_server_id)
            .header("x-consent-id", consent_id)
            .await
            .map(|r| r.into_inner().data)
    }

    /// A one-time URL of the consent management portal for the user with `document` (CPF or
    /// CNPJ), and the representative's CPF when a company acts.
    pub async fn management_url(
        &self,
        document: &str,
        representative_cpf: Option<&str>,
    ) -> Result<String, Error<CreateManagementSessionResponse>> {
        let body = ManagementRequest {
            document: document.to_owned(),
            representative_cpf: representative_cpf.map(str::to_owned),
        };
        self.partner
            .create_management_session(body)
            .await
            .map(|r| r.into_inner().redirect_url)
    }

    /// The regulated reads of `consent_id` at `authorisation_server_id`, through the partner.
    pub fn bank(
        &self,
        authorisation_server_id: &str,
        consent_id: &str,
    ) -> Result<Bank, ConfigError> {
        Bank::new(&self.base, authorisation_server_id, consent_id, |url| {
            self.builder
                .config(Some(&self.http), url)
                .token(self.token.clone())
        })
    }
}
