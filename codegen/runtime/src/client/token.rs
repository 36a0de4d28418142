//! The hook that supplies bearer tokens.

use crate::secret::Secret;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// Why no token could be had; the call is not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError(pub String);

impl TokenError {
    /// An error saying `why`.
    pub fn new(why: impl Into<String>) -> Self {
        TokenError(why.into())
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no access token: {}", self.0)
    }
}

impl std::error::Error for TokenError {}

/// The future a [`TokenProvider`] returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<Secret, TokenError>> + Send + 'a>>;

/// Supplies the bearer token of each call (`Authorization: Bearer <token>`). It is asked before
/// every attempt, so a provider that refreshes an expiring token keeps long sessions going; a
/// fixed token is a [`Secret`], which is a provider of itself.
pub trait TokenProvider: Send + Sync + 'static {
    /// The token to send now.
    fn token(&self) -> TokenFuture<'_>;

    /// The server refused `token` with a 401 before its time (revoked, say). A provider that
    /// can get another returns `true` and makes its next [`token`](TokenProvider::token)
    /// renew; the call is then sent once more with the new token. The default, for fixed
    /// tokens, returns `false` and the 401 is the answer.
    fn invalidate(&self, token: &Secret) -> bool {
        let _ = token;
        false
    }
}

impl TokenProvider for Secret {
    fn token(&self) -> TokenFuture<'_> {
        let token = self.clone();
        Box::pin(async move { Ok(token) })
    }
}
