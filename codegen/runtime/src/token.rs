//! Signed members: a string member holding a compact JWS whose payload is a JSON object of a
//! schema of its own (`contentMediaType: application/jwt` with a `contentSchema`), such as the
//! channels' `Authenticate.jwt`. On the wire it is the token's text, kept byte for byte; its
//! claims are read only through a [`Verifier`](crate::jws::Verifier), and made only through a
//! [`Signer`](crate::jws::Signer), so no code holds unverified claims as if they were checked.

use crate::rules::Rules;
use crate::validate::{Validate, Validator};
use std::fmt;
use std::marker::PhantomData;

/// A compact JWS whose payload is a `T`.
pub struct Token<T> {
    compact: String,
    claims: PhantomData<fn() -> T>,
}

impl<T> Token<T> {
    /// The token as received or made (`header.payload.signature`), unchecked.
    pub fn from_compact(compact: impl Into<String>) -> Self {
        Token {
            compact: compact.into(),
            claims: PhantomData,
        }
    }

    /// The token's text.
    pub fn as_str(&self) -> &str {
        &self.compact
    }

    /// The token's text, owned.
    pub fn into_string(self) -> String {
        self.compact
    }
}

#[cfg(any(feature = "server", feature = "client"))]
impl<T: serde::Serialize + serde::de::DeserializeOwned> Token<T> {
    /// `claims` signed by `signer`, which adds `iat` now and a fresh `jti` over the claims' own
    /// (and its `iss` and `aud`, where it has them).
    pub fn sign(claims: &T, signer: &crate::jws::Signer) -> Result<Self, crate::jws::JwsError> {
        let value = serde_json::to_value(claims)
            .map_err(|e| crate::jws::JwsError::Signing(format!("the claims: {e}")))?;
        signer.sign(&value).map(Self::from_compact)
    }

    /// The claims, once `verifier` has checked the signature, the algorithm, the key, `exp`,
    /// `iat` and that the `jti` was not seen before; an error says which failed, or that the
    /// payload is not a `T`.
    pub async fn verify(&self, verifier: &crate::jws::Verifier) -> Result<T, crate::jws::JwsError> {
        let verified = verifier.verify(&self.compact).await?;
        serde_json::from_value(verified.claims).map_err(|e| {
            crate::jws::JwsError::Malformed(format!("its claims are not of the schema: {e}"))
        })
    }
}

impl<T> Clone for Token<T> {
    fn clone(&self) -> Self {
        Token::from_compact(self.compact.clone())
    }
}

impl<T> PartialEq for Token<T> {
    fn eq(&self, other: &Self) -> bool {
        self.compact == other.compact
    }
}

impl<T> Eq for Token<T> {}

/// The token's text: it is a credential, but one a log may need to identify; its claims are
/// not decoded here.
impl<T> fmt::Debug for Token<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Token").field(&self.compact).finish()
    }
}

impl<T> serde::Serialize for Token<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.compact)
    }
}

impl<'de, T> serde::Deserialize<'de> for Token<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <String as serde::Deserialize>::deserialize(d).map(Token::from_compact)
    }
}

/// A token is checked as the string it is on the wire; its claims are checked when verified.
impl<T> Validate for Token<T> {
    fn validate_into(&self, _v: &mut Validator) {}

    fn validate_with(&self, v: &mut Validator, rules: &Rules) {
        rules.check_str(v, &self.compact);
    }

    fn has_checks(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::Token;

    #[test]
    fn a_token_is_its_text_on_the_wire() {
        let t: Token<serde_json::Value> = serde_json::from_str(r#""a.b.c""#).unwrap();
        assert_eq!(t.as_str(), "a.b.c");
        assert_eq!(serde_json::to_string(&t).unwrap(), r#""a.b.c""#);
        assert!(serde_json::from_str::<Token<serde_json::Value>>("{}").is_err());
    }
}
