//! Signed bodies (`application/jwt`): a compact JWS whose payload is the body the document's
//! schema describes, on top of the claims Open Finance Brasil's message signing adds (`iat`,
//! `jti`, and `aud`, `iss` where the parties name them).
//!
//! The cryptography is `jsonwebtoken`'s (RustCrypto's RSA and elliptic curves); this module
//! decides what is accepted:
//!
//! - a [`Verifier`] takes keys from a static JWKS or from a JWKS URL, fetched when first needed,
//!   kept for [`KEY_SET_TTL`] and fetched again at once when a token names an unknown `kid`
//!   (at most every [`REFRESH_INTERVAL`], so unknown `kid`s cannot make it hammer the URL);
//! - the algorithms allowed default to PS256, the one Open Finance Brasil mandates; `none` does
//!   not parse and symmetric algorithms (HS256, ...) are refused, so a public key can never be
//!   used as an HMAC secret;
//! - `iat` is required and must be within [`MAX_AGE`] (and not in the future, past
//!   [`LEEWAY`]); `jti` is required and may be used once within that window (per process:
//!   replicas behind a load balancer each keep their own record); `exp` and `nbf`, when present,
//!   hold; `aud` is checked when the verifier names one;
//! - the registered claims are then taken out, and what is left is the body, decoded and judged
//!   like any other.
//!
//! A [`Signer`] does the reverse for clients: the typed body, with `iat`, a fresh `jti` and the
//! configured `iss` and `aud`, signed with a private key under its `kid`.
//!
//! Neither prints keys nor whole tokens: their `Debug` shows the `kid` and algorithm only, and
//! errors name claims, not their values.

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub use jsonwebtoken::Algorithm;

/// The media type of a signed body.
pub const MEDIA: &str = "application/jwt";

/// The algorithms accepted unless the verifier is told otherwise: PS256.
pub const DEFAULT_ALGORITHMS: &[Algorithm] = &[Algorithm::PS256];
/// How old an `iat` may be: five minutes.
pub const MAX_AGE: Duration = Duration::from_secs(300);
/// How far clocks may disagree: 60 seconds.
pub const LEEWAY: Duration = Duration::from_secs(60);
/// How long a key set fetched from a URL is used before it is fetched again: ten minutes.
pub const KEY_SET_TTL: Duration = Duration::from_secs(600);
/// The least time between two fetches of a key set URL: ten seconds.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(10);
/// The claims the signature's envelope owns; the rest of the payload is the body.
pub const REGISTERED_CLAIMS: &[&str] = &["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// The most `jti`s remembered; past it the oldest half is forgotten.
const MAX_REMEMBERED: usize = 100_000;

/// Why a signed body was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwsError {
    /// Not a compact JWS (three base64url parts), or its header or payload is not JSON.
    Malformed(String),
    /// The header's `alg` is not among those allowed.
    Algorithm(String),
    /// No key of the key set has the header's `kid` (or the header has none).
    UnknownKey(Option<String>),
    /// The signature does not verify with the key.
    Signature,
    /// A claim is missing, stale, replayed or for someone else.
    Claims(String),
    /// The key set could not be had (its URL failed, or it is not a JWKS).
    KeySet(String),
    /// Signing failed (a client-side error).
    Signing(String),
}

impl JwsError {
    /// The status a server answers it with: 400 for a body that is not a JWS at all, 500 when
    /// its own key set failed, 401 for everything about the signature and its claims.
    pub fn status(&self) -> u16 {
        match self {
            JwsError::Malformed(_) => 400,
            JwsError::KeySet(_) | JwsError::Signing(_) => 500,
            _ => 401,
        }
    }
}

impl fmt::Display for JwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwsError::Malformed(why) => write!(f, "the body is not a valid compact JWS: {why}"),
            JwsError::Algorithm(alg) => {
                write!(f, "the signature's algorithm {alg} is not accepted")
            }
            JwsError::UnknownKey(Some(kid)) => {
                write!(f, "no key of the key set has kid `{}`", shorten(kid))
            }
            JwsError::UnknownKey(None) => write!(f, "the JWS header names no kid"),
            JwsError::Signature => write!(f, "the signature does not verify"),
            JwsError::Claims(why) => write!(f, "the signed claims are refused: {why}"),
            JwsError::KeySet(why) => write!(f, "the key set is not available: {why}"),
            JwsError::Signing(why) => write!(f, "the body cannot be signed: {why}"),
        }
    }
}

impl std::error::Error for JwsError {}

/// At most 64 characters of text that came from outside.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(64).filter(|c| !c.is_control()).collect();
    if s.chars().count() > 64 {
        out.push('…');
    }
    out
}

/// A verified signed body: the body itself, and what the envelope said.
#[derive(Clone)]
pub struct Verified {
    /// The payload without the registered claims: the body the schema describes.
    pub body: Value,
    /// The whole payload, registered claims included: what a schema of claims describes (a
    /// signed member's `contentSchema`, see [`crate::Token`]).
    pub claims: Value,
    /// The key that signed it.
    pub kid: String,
    /// The token's id.
    pub jti: String,
    /// When it was signed (seconds since the epoch).
    pub iat: u64,
    /// Who signed it, when the token says.
    pub issuer: Option<String>,
    token: Arc<str>,
}

impl Verified {
    /// The token as received, for a record of what was signed (non-repudiation).
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("kid", &self.kid)
            .field("jti", &self.jti)
            .field("iat", &self.iat)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

enum Source {
    Static(JwkSet),
    Url {
        url: String,
        http: reqwest::Client,
        cached: RwLock<Option<(JwkSet, Instant)>>,
        /// When an unknown kid last made it fetch the set again.
        last_fetch: Mutex<Option<Instant>>,
    },
}

/// What clones of a verifier share: the keys, and the record of `jti`s seen.
struct Shared {
    source: Source,
    seen: Mutex<BTreeMap<String, u64>>,
}

/// Verifies signed bodies against a key set; cheap to clone (clones share keys and the record
/// of `jti`s seen).
#[derive(Clone)]
pub struct Verifier {
    shared: Arc<Shared>,
    algorithms: Vec<Algorithm>,
    audience: Option<String>,
    max_age: Duration,
    leeway: Duration,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.shared.source {
            Source::Static(set) => format!("{} static key(s)", set.keys.len()),
            Source::Url { url, .. } => format!("key set at {url}"),
        };
        f.debug_struct("Verifier")
            .field("keys", &source)
            .field("algorithms", &self.algorithms)
            .field("audience", &self.audience)
            .field("max_age", &self.max_age)
            .finish()
    }
}

impl Verifier {
    fn with_source(source: Source) -> Self {
        Verifier {
            shared: Arc::new(Shared {
                source,
                seen: Mutex::new(BTreeMap::new()),
            }),
            algorithms: DEFAULT_ALGORITHMS.to_vec(),
            audience: None,
            max_age: MAX_AGE,
            leeway: LEEWAY,
        }
    }

    /// A verifier with the keys of `jwks`, a JWK Set document (`{"keys": [...]}`).
    pub fn from_jwks(jwks: &str) -> Result<Self, JwsError> {
        let set: JwkSet =
            serde_json::from_str(jwks).map_err(|e| JwsError::KeySet(format!("not a JWKS: {e}")))?;
        Ok(Self::with_source(Source::Static(set)))
    }

    /// A verifier that fetches its keys from the JWKS at `url` (an `https://` URL, or
    /// `http://` on a loopback address for tests), with `http` as the client: its TLS roots
    /// and identity are the caller's ([`http_client`] builds a plain one).
    pub fn from_jwks_url(url: impl Into<String>, http: reqwest::Client) -> Result<Self, JwsError> {
        let url = url.into();
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"];
        if !url.starts_with("https://") && !loopback.iter().any(|l| url.starts_with(l)) {
            return Err(JwsError::KeySet(format!(
                "{url}: a key set is fetched over https:// only"
            )));
        }
        Ok(Self::with_source(Source::Url {
            url,
            http,
            cached: RwLock::new(None),
            last_fetch: Mutex::new(None),
        }))
    }

    /// Accepts these algorithms instead of PS256 alone. Symmetric algorithms (HS256, HS384,
    /// HS512) are refused: the key set is public, and a public key must never serve as a
    /// shared secret.
    pub fn algorithms(self, algorithms: &[Algorithm]) -> Result<Self, JwsError> {
        if let Some(bad) = algorithms
            .iter()
            .find(|a| matches!(a, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512))
        {
            return Err(JwsError::Algorithm(format!(
                "{bad:?} (symmetric algorithms are never accepted)"
            )));
        }
        if algorithms.is_empty() {
            return Err(JwsError::Algorithm(String::from("(none allowed at all)")));
        }
        Ok(Verifier {
            algorithms: algorithms.to_vec(),
            ..self
        })
    }

    /// Requires `aud` to name `audience` (the receiving institution, as the parties agree).
    pub fn audience(self, audience: impl Into<String>) -> Self {
        Verifier {
            audience: Some(audience.into()),
            ..self
        }
    }

    /// How old an `iat` may be (default [`MAX_AGE`]); `jti`s are remembered as long.
    pub fn max_age(self, max_age: Duration) -> Self {
        Verifier { max_age, ..self }
    }

    /// Verifies `token` and returns its body.
    pub async fn verify(&self, token: &str) -> Result<Verified, JwsError> {
        let token = token.trim();
        if token.split('.').count() != 3 {
            return Err(JwsError::Malformed(String::from(
                "a compact JWS has three parts separated by dots",
            )));
        }
        // The header's `alg` is read before anything else, so that `none` and unknown names are
        // refused as algorithms, not as malformed headers.
        let alg = header_alg(token)?;
        let header = jsonwebtoken::decode_header(token).map_err(|_| JwsError::Algorithm(alg))?;
        let allowed = &self.algorithms;
        if !allowed.contains(&header.alg) {
            return Err(JwsError::Algorithm(format!("{:?}", header.alg)));
        }
        let kid = header.kid.clone().ok_or(JwsError::UnknownKey(None))?;
        let jwk = self.key(&kid).await?;
        let key = DecodingKey::from_jwk(&jwk)
            .map_err(|e| JwsError::KeySet(format!("key `{}`: {e}", shorten(&kid))))?;
        let mut validation = Validation::new(header.alg);
        validation.algorithms = allowed.clone();
        validation.leeway = self.leeway.as_secs();
        validation.required_spec_claims.clear();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        match &self.audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        let data =
            jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation).map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as K;
                match e.kind() {
                    K::InvalidSignature => JwsError::Signature,
                    K::InvalidAlgorithm | K::InvalidAlgorithmName => {
                        JwsError::Algorithm(format!("{:?}", header.alg))
                    }
                    K::ExpiredSignature => JwsError::Claims(String::from("`exp` has passed")),
                    K::ImmatureSignature => JwsError::Claims(String::from("`nbf` is ahead")),
                    K::InvalidAudience => {
                        JwsError::Claims(String::from("`aud` does not name this institution"))
                    }
                    K::MissingRequiredClaim(c) => JwsError::Claims(format!("`{c}` is missing")),
                    K::Json(_) | K::Base64(_) | K::Utf8(_) => {
                        JwsError::Malformed(String::from("its payload is not a JSON object"))
                    }
                    _ => JwsError::Signature,
                }
            })?;
        let mut claims = data.claims;
        let iat = claims
            .get("iat")
            .and_then(Value::as_u64)
            .ok_or_else(|| JwsError::Claims(String::from("`iat` is missing")))?;
        let now = now();
        let (max_age, leeway) = (self.max_age.as_secs(), self.leeway.as_secs());
        if iat > now + leeway {
            return Err(JwsError::Claims(String::from("`iat` is in the future")));
        }
        if now.saturating_sub(iat) > max_age {
            return Err(JwsError::Claims(format!(
                "`iat` is older than {max_age} seconds"
            )));
        }
        let jti = claims
            .get("jti")
            .and_then(Value::as_str)
            .filter(|j| !j.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| JwsError::Claims(String::from("`jti` is missing")))?;
        self.remember(&jti, now)?;
        let issuer = claims.get("iss").and_then(Value::as_str).map(str::to_owned);
        let all = Value::Object(claims.clone());
        for c in REGISTERED_CLAIMS {
            claims.remove(*c);
        }
        Ok(Verified {
            claims: all,
            body: Value::Object(claims),
            kid,
            jti,
            iat,
            issuer,
            token: Arc::from(token),
        })
    }

    /// Records `jti`, refusing one seen within the window.
    fn remember(&self, jti: &str, now: u64) -> Result<(), JwsError> {
        let mut seen = self
            .shared
            .seen
            .lock()
            .map_err(|_| JwsError::Claims(String::from("the record of `jti`s is unusable")))?;
        let window = self.max_age.as_secs() + self.leeway.as_secs();
        if seen
            .get(jti)
            .is_some_and(|at| now.saturating_sub(*at) <= window)
        {
            return Err(JwsError::Claims(String::from(
                "`jti` was already used: the token is replayed",
            )));
        }
        if seen.len() >= MAX_REMEMBERED {
            seen.retain(|_, at| now.saturating_sub(*at) <= window);
            if seen.len() >= MAX_REMEMBERED {
                let mut ages: Vec<u64> = seen.values().copied().collect();
                ages.sort_unstable();
                let cut = ages[ages.len() / 2];
                seen.retain(|_, at| *at > cut);
            }
        }
        seen.insert(jti.to_owned(), now);
        Ok(())
    }

    /// The key `kid`, fetching the key set when it is due or does not know `kid`.
    async fn key(&self, kid: &str) -> Result<Jwk, JwsError> {
        match &self.shared.source {
            Source::Static(set) => set
                .find(kid)
                .cloned()
                .ok_or_else(|| JwsError::UnknownKey(Some(kid.to_owned()))),
            Source::Url {
                url,
                http,
                cached,
                last_fetch,
            } => {
                let known = cached.read().ok().and_then(|c| {
                    c.as_ref()
                        .filter(|(_, at)| at.elapsed() < KEY_SET_TTL)
                        .map(|(set, _)| set.find(kid).cloned())
                });
                match known {
                    Some(Some(jwk)) => return Ok(jwk),
                    // A current set without the kid: fetched again for it, but an unknown kid
                    // may cause that at most once per interval.
                    Some(None) => {
                        let due = last_fetch
                            .lock()
                            .map(|mut last| {
                                let due = last.is_none_or(|t| t.elapsed() >= REFRESH_INTERVAL);
                                if due {
                                    *last = Some(Instant::now());
                                }
                                due
                            })
                            .unwrap_or(true);
                        if !due {
                            return Err(JwsError::UnknownKey(Some(kid.to_owned())));
                        }
                    }
                    // No set yet, or an expired one: fetched.
                    None => {}
                }
                let set = fetch(http, url).await?;
                let found = set.find(kid).cloned();
                if let Ok(mut c) = cached.write() {
                    *c = Some((set, Instant::now()));
                }
                found.ok_or_else(|| JwsError::UnknownKey(Some(kid.to_owned())))
            }
        }
    }
}

/// The `alg` of the token's header, as written.
fn header_alg(token: &str) -> Result<String, JwsError> {
    use base64::Engine as _;
    let part = token.split('.').next().unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| JwsError::Malformed(String::from("its header is not base64url")))?;
    let header: Value = serde_json::from_slice(&bytes)
        .map_err(|_| JwsError::Malformed(String::from("its header is not JSON")))?;
    header
        .get("alg")
        .and_then(Value::as_str)
        .map(shorten)
        .ok_or_else(|| JwsError::Malformed(String::from("its header has no `alg`")))
}

/// A `reqwest::Client` for fetching a key set: rustls with the built-in roots, 10 s timeouts,
/// no redirects.
pub fn http_client() -> Result<reqwest::Client, JwsError> {
    crate::tls::install_tls_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| JwsError::KeySet(format!("cannot build an HTTP client: {e}")))
}

async fn fetch(http: &reqwest::Client, url: &str) -> Result<JwkSet, JwsError> {
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|e| JwsError::KeySet(format!("{url}: {e}")))?;
    if !response.status().is_success() {
        return Err(JwsError::KeySet(format!(
            "{url}: status {}",
            response.status().as_u16()
        )));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| JwsError::KeySet(format!("{url}: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| JwsError::KeySet(format!("{url}: not a JWKS: {e}")))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Signs bodies for a client: PS256 unless told otherwise, under `kid`.
#[derive(Clone)]
pub struct Signer {
    key: Arc<EncodingKey>,
    kid: String,
    algorithm: Algorithm,
    issuer: Option<String>,
    audience: Option<String>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer with the RSA private key of `pem` (PKCS#1 or PKCS#8) under `kid`, for PS256.
    pub fn from_rsa_pem(pem: &[u8], kid: impl Into<String>) -> Result<Self, JwsError> {
        let key = EncodingKey::from_rsa_pem(pem)
            .map_err(|e| JwsError::Signing(format!("not an RSA private key: {e}")))?;
        Ok(Signer {
            key: Arc::new(key),
            kid: kid.into(),
            algorithm: Algorithm::PS256,
            issuer: None,
            audience: None,
        })
    }

    /// Signs with `algorithm` instead of PS256 (the key must suit it).
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Adds `iss` to every token.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Adds `aud` to every token.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// The key id tokens carry.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// `body` (a JSON object) as a compact JWS: its members, with `iat` now, a fresh `jti` and
    /// the signer's `iss` and `aud`.
    pub fn sign(&self, body: &Value) -> Result<String, JwsError> {
        self.sign_at(body, now(), &uuid::Uuid::new_v4().to_string())
    }

    /// [`Signer::sign`] with a given `iat` and `jti` (for tests of stale or replayed tokens).
    pub fn sign_at(&self, body: &Value, iat: u64, jti: &str) -> Result<String, JwsError> {
        let Value::Object(members) = body else {
            return Err(JwsError::Signing(String::from(
                "a signed body must be a JSON object",
            )));
        };
        let mut claims = members.clone();
        claims.insert(String::from("iat"), Value::from(iat));
        claims.insert(String::from("jti"), Value::from(jti));
        if let Some(iss) = &self.issuer {
            claims.insert(String::from("iss"), Value::from(iss.as_str()));
        }
        if let Some(aud) = &self.audience {
            claims.insert(String::from("aud"), Value::from(aud.as_str()));
        }
        let mut header = Header::new(self.algorithm);
        header.kid = Some(self.kid.clone());
        header.typ = Some(String::from("JWT"));
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| JwsError::Signing(e.to_string()))
    }
}
