//! Credentials, kept out of `Debug` output and logs, and the hook that supplies bearer tokens.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// A credential (an access token, a client secret). `Debug` shows `Secret(<redacted>)` and there
/// is no `Display`: the value is only reached through [`Secret::expose`], so that printing a
/// client, a config or a session never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

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
}

impl TokenProvider for Secret {
    fn token(&self) -> TokenFuture<'_> {
        let token = self.clone();
        Box::pin(async move { Ok(token) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let s = Secret::new("eyJhbGciOi.secret");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(s.expose(), "eyJhbGciOi.secret");
    }
}
