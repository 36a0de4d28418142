//! Signed bodies (`application/jwt`): a compact JWS whose payload is the body the document's
//! schema describes, on top of the claims Open Finance Brasil's message signing adds (`iat`,
//! `jti`, and `aud`, `iss` where the parties name them).
//!
//! The signature arithmetic is `jsonwebtoken`'s (RustCrypto's RSA and elliptic curves); this
//! module decides what is accepted, and says why it refuses:
//!
//! - the header and the payload are read here, strictly: base64url without padding, a JSON
//!   object with no member named twice, a string `alg` and `kid`. A header that marks anything
//!   critical (`crit`) or asks for an unencoded payload (`b64`) is refused: no such extension
//!   is understood;
//! - the algorithms allowed default to PS256, the one Open Finance Brasil mandates; `none` and
//!   symmetric algorithms (HS256, ...) are refused, so a public key can never serve as an HMAC
//!   secret. Several families may be allowed together: each token is checked with its own
//!   algorithm, against a key of that family;
//! - a key must suit the token: an RSA key of at least [`MIN_RSA_BITS`] bits for RS*/PS*, an EC
//!   key on P-256 for ES256 (P-384 for ES384), and a JWK's `use`, `key_ops` and `alg`, where it
//!   has them, must allow verifying this algorithm;
//! - a [`Verifier`] takes keys from a static JWKS or from a JWKS URL (parsed: `https`, or `http`
//!   on a loopback host for tests). One fetch is in flight at a time, at most one per
//!   [`REFRESH_INTERVAL`]; the set is kept for [`KEY_SET_TTL`] and fetched again at once for an
//!   unknown `kid`; when a fetch fails, the last good set serves for [`KEY_SET_GRACE`] more;
//!   a set larger than [`MAX_KEY_SET_BYTES`] is refused;
//! - `iat` is required and must be within [`MAX_AGE`] (and not in the future, past [`LEEWAY`]);
//!   NumericDates may have fractions of a second (RFC 7519 §2). `exp` and `nbf`, when present,
//!   hold. `aud` is required and must name the verifier's audience when it has one, and `iss`
//!   likewise for its issuer;
//! - `jti` is required, at most [`MAX_JTI_LEN`] characters, and may be used once until its
//!   token could no longer be accepted anyway. The record is a [`ReplayStore`]: in memory by
//!   default (per process, [`REPLAY_CAPACITY`] live tokens), or one shared by replicas. A full
//!   record refuses new tokens (503) and never forgets a live one;
//! - the registered claims are then taken out, and what is left is the body, decoded and judged
//!   like any other.
//!
//! A [`Signer`] does the reverse for clients: the typed body, with `iat`, a fresh `jti` and the
//! configured `iss` and `aud`, signed with a private key under its `kid`.
//!
//! Neither prints keys nor whole tokens: their `Debug` shows the `kid` and algorithm only, and
//! errors name claims, not their values.

use base64::Engine as _;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyOperations, PublicKeyUse,
};
use jsonwebtoken::{DecodingKey, EncodingKey, Header};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
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
/// How long the last good key set still serves, past its time, while its URL fails: one hour.
/// A keystore outage then costs nothing for that long, and a revoked key lives no longer.
pub const KEY_SET_GRACE: Duration = Duration::from_secs(3600);
/// The most bytes a key set document may have.
pub const MAX_KEY_SET_BYTES: usize = 1 << 20;
/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// The longest `jti` accepted, in characters: a UUID has 36.
pub const MAX_JTI_LEN: usize = 256;
/// How many live `jti`s the in-memory record holds by default.
pub const REPLAY_CAPACITY: usize = 1_000_000;
/// The claims the signature's envelope owns; the rest of the payload is the body.
pub const REGISTERED_CLAIMS: &[&str] = &["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// Why a signed body was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwsError {
    /// Not a compact JWS (three base64url parts), or its header or payload cannot be read.
    Malformed(String),
    /// The header's `alg` is not among those allowed.
    Algorithm(String),
    /// No key of the key set has the header's `kid` (or the header has none).
    UnknownKey(Option<String>),
    /// The key named cannot verify this token: too weak, of another family, or declared for
    /// another use.
    Key(String),
    /// The signature does not verify with the key.
    Signature,
    /// An RSASSA-PSS signature that verifies only with a salt of another length than its
    /// hash's, which RFC 7518 §3.5 refuses (a signer set to the maximum salt length).
    PssSalt(String),
    /// A claim is missing, of the wrong type, stale, replayed or for someone else.
    Claims(String),
    /// The key set could not be had (its URL failed, or it is not a JWKS).
    KeySet(String),
    /// The record of `jti`s cannot take the token now (full, or its store is unavailable).
    Busy(String),
    /// Signing failed (a client-side error).
    Signing(String),
}

impl JwsError {
    /// The status a server answers it with: 400 for a body that is not a JWS at all, 500 when
    /// its own key set failed, 503 when the replay record cannot take the token now, 401 for
    /// everything about the signature, its key and its claims.
    pub fn status(&self) -> u16 {
        match self {
            JwsError::Malformed(_) => 400,
            JwsError::KeySet(_) | JwsError::Signing(_) => 500,
            JwsError::Busy(_) => 503,
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
            JwsError::Key(why) => write!(f, "the key cannot verify this token: {why}"),
            JwsError::Signature => write!(f, "the signature does not verify with the key"),
            JwsError::PssSalt(alg) => write!(
                f,
                "the {alg} signature uses a salt of another length than its hash's: RFC 7518 \
                 §3.5 requires the hash's length (32 bytes for PS256); sign with that salt \
                 length, not the maximum"
            ),
            JwsError::Claims(why) => write!(f, "the signed claims are refused: {why}"),
            JwsError::KeySet(why) => write!(f, "the key set is not available: {why}"),
            JwsError::Busy(why) => write!(f, "the token cannot be recorded now: {why}"),
            JwsError::Signing(why) => write!(f, "the body cannot be signed: {why}"),
        }
    }
}

impl std::error::Error for JwsError {}

/// At most 64 characters of text that came from outside, without control characters.
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
    /// When it was signed (whole seconds since the epoch).
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
            .field("kid", &shorten(&self.kid))
            .field("jti", &shorten(&self.jti))
            .field("iat", &self.iat)
            .field("issuer", &self.issuer.as_deref().map(shorten))
            .finish_non_exhaustive()
    }
}

/// A future a [`ReplayStore`] returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, JwsError>> + Send + 'a>>;

/// The record of `jti`s used: where a verifier asks whether a token is used for the first time.
/// One record shared by every replica behind a load balancer (a database) stops a token from
/// being accepted once per replica; [`MemoryReplayStore`] is the one-process record.
pub trait ReplayStore: Send + Sync + fmt::Debug {
    /// Records `jti` as used until `until` (seconds since the epoch, when its token can no
    /// longer be accepted anyway). `Ok(true)` the first time; `Ok(false)` when it is already
    /// recorded and still live; `Err` ([`JwsError::Busy`]) when it cannot be recorded now.
    fn first_use<'a>(&'a self, jti: &'a str, now: u64, until: u64) -> StoreFuture<'a, bool>;
}

/// The record of `jti`s of one process, bounded by count: live entries expire by time, and a
/// full record refuses new tokens rather than forget a live one.
#[derive(Debug)]
pub struct MemoryReplayStore {
    capacity: usize,
    record: Mutex<Record>,
}

#[derive(Debug, Default)]
struct Record {
    live: BTreeMap<String, u64>,
    /// The same entries by expiry, so that expired ones are dropped oldest first.
    by_expiry: BTreeSet<(u64, String)>,
}

impl MemoryReplayStore {
    /// A record of at most `capacity` live tokens.
    pub fn new(capacity: usize) -> Self {
        MemoryReplayStore {
            capacity,
            record: Mutex::new(Record::default()),
        }
    }

    fn record(&self, jti: &str, now: u64, until: u64) -> Result<bool, JwsError> {
        let mut r = self
            .record
            .lock()
            .map_err(|_| JwsError::Busy(String::from("the record of `jti`s is unusable")))?;
        while let Some((expiry, _)) = r.by_expiry.first() {
            if *expiry > now {
                break;
            }
            if let Some((_, old)) = r.by_expiry.pop_first() {
                r.live.remove(&old);
            }
        }
        if r.live.contains_key(jti) {
            return Ok(false);
        }
        if r.live.len() >= self.capacity {
            return Err(JwsError::Busy(format!(
                "the record of used `jti`s is full ({} live tokens); try again shortly",
                r.live.len()
            )));
        }
        r.live.insert(jti.to_owned(), until);
        r.by_expiry.insert((until, jti.to_owned()));
        Ok(true)
    }
}

impl ReplayStore for MemoryReplayStore {
    fn first_use<'a>(&'a self, jti: &'a str, now: u64, until: u64) -> StoreFuture<'a, bool> {
        let result = self.record(jti, now, until);
        Box::pin(async move { result })
    }
}

/// When the key set was last fetched: at all, and for a `kid` the current set lacked.
#[derive(Default)]
struct Attempts {
    any: Option<Instant>,
    unknown_kid: Option<Instant>,
}

/// A key set fetched from a URL, and when.
struct Fetched {
    set: JwkSet,
    at: Instant,
}

enum Source {
    Static(JwkSet),
    Url {
        url: reqwest::Url,
        http: reqwest::Client,
        cached: RwLock<Option<Fetched>>,
        /// Held while a fetch is in flight, so there is one at a time; holds when the last ones
        /// were attempted.
        fetching: tokio::sync::Mutex<Attempts>,
    },
}

/// Verifies signed bodies against a key set; cheap to clone (clones share keys and the record
/// of `jti`s seen).
#[derive(Clone)]
pub struct Verifier {
    source: Arc<Source>,
    replay: Arc<dyn ReplayStore>,
    algorithms: Vec<Algorithm>,
    audience: Option<String>,
    issuer: Option<String>,
    max_age: Duration,
    leeway: Duration,
    key_set_ttl: Duration,
    refresh_interval: Duration,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &*self.source {
            Source::Static(set) => format!("{} static key(s)", set.keys.len()),
            Source::Url { url, .. } => format!("key set at {url}"),
        };
        f.debug_struct("Verifier")
            .field("keys", &source)
            .field("algorithms", &self.algorithms)
            .field("audience", &self.audience)
            .field("issuer", &self.issuer)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    fn with_source(source: Source) -> Self {
        Verifier {
            source: Arc::new(source),
            replay: Arc::new(MemoryReplayStore::new(REPLAY_CAPACITY)),
            algorithms: DEFAULT_ALGORITHMS.to_vec(),
            audience: None,
            issuer: None,
            max_age: MAX_AGE,
            leeway: LEEWAY,
            key_set_ttl: KEY_SET_TTL,
            refresh_interval: REFRESH_INTERVAL,
        }
    }

    /// A verifier with the keys of `jwks`, a JWK Set document (`{"keys": [...]}`).
    pub fn from_jwks(jwks: &str) -> Result<Self, JwsError> {
        let set: JwkSet =
            serde_json::from_str(jwks).map_err(|e| JwsError::KeySet(format!("not a JWKS: {e}")))?;
        Ok(Self::with_source(Source::Static(set)))
    }

    /// A verifier that fetches its keys from the JWKS at `url` (an `https://` URL, or
    /// `http://` on a loopback host for tests), with `http` as the client: its TLS roots
    /// and identity are the caller's ([`http_client`] builds a plain one).
    pub fn from_jwks_url(url: impl Into<String>, http: reqwest::Client) -> Result<Self, JwsError> {
        let text = url.into();
        let url = reqwest::Url::parse(&text)
            .map_err(|e| JwsError::KeySet(format!("{}: not a URL: {e}", shorten(&text))))?;
        // The host as the URL's parser reads it, not as the text starts.
        let host = url.host_str().unwrap_or_default();
        let loopback = host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let allowed = match url.scheme() {
            "https" => !host.is_empty(),
            "http" => loopback,
            _ => false,
        };
        if !allowed || !url.username().is_empty() || url.password().is_some() {
            return Err(JwsError::KeySet(format!(
                "{}: a key set is fetched over https:// (http:// on a loopback host only), \
                 from a URL without credentials",
                shorten(&text)
            )));
        }
        Ok(Self::with_source(Source::Url {
            url,
            http,
            cached: RwLock::new(None),
            fetching: tokio::sync::Mutex::new(Attempts::default()),
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

    /// Requires `aud` to name `audience` (the receiving institution, as the parties agree): a
    /// token without `aud` is refused.
    pub fn audience(self, audience: impl Into<String>) -> Self {
        Verifier {
            audience: Some(audience.into()),
            ..self
        }
    }

    /// Requires `iss` to be `issuer` (the sending party): a token without `iss` is refused.
    pub fn issuer(self, issuer: impl Into<String>) -> Self {
        Verifier {
            issuer: Some(issuer.into()),
            ..self
        }
    }

    /// How old an `iat` may be (default [`MAX_AGE`]); `jti`s are remembered as long.
    pub fn max_age(self, max_age: Duration) -> Self {
        Verifier { max_age, ..self }
    }

    /// Records `jti`s in `store` (shared by replicas) instead of this process's memory.
    pub fn replay_store(self, store: Arc<dyn ReplayStore>) -> Self {
        Verifier {
            replay: store,
            ..self
        }
    }

    /// Keeps at most `capacity` live `jti`s in this process's memory (default
    /// [`REPLAY_CAPACITY`]); past it, new tokens are refused until old ones expire.
    pub fn replay_capacity(self, capacity: usize) -> Self {
        self.replay_store(Arc::new(MemoryReplayStore::new(capacity)))
    }

    /// How long a key set fetched from a URL is used before it is due again (default
    /// [`KEY_SET_TTL`]).
    pub fn key_set_ttl(self, ttl: Duration) -> Self {
        Verifier {
            key_set_ttl: ttl,
            ..self
        }
    }

    /// The least time between two fetches of the key set (default [`REFRESH_INTERVAL`]).
    pub fn key_set_refresh_interval(self, interval: Duration) -> Self {
        Verifier {
            refresh_interval: interval,
            ..self
        }
    }

    /// Verifies `token` and returns its body.
    pub async fn verify(&self, token: &str) -> Result<Verified, JwsError> {
        let token = token.trim();
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwsError::Malformed(String::from(
                "a compact JWS has three parts separated by dots",
            )));
        };
        let header = JoseHeader::read(h)?;
        let alg = Algorithm::from_str(&header.alg)
            .ok()
            .filter(|a| self.algorithms.contains(a))
            .ok_or_else(|| JwsError::Algorithm(shorten(&header.alg)))?;
        unbase64(sig)
            .ok_or_else(|| JwsError::Malformed(String::from("its signature is not base64url")))?;
        let payload = unbase64(p)
            .ok_or_else(|| JwsError::Malformed(String::from("its payload is not base64url")))?;
        let mut claims =
            members(&payload).map_err(|why| JwsError::Malformed(format!("its payload {why}")))?;
        let kid = header.kid.ok_or(JwsError::UnknownKey(None))?;
        let jwk = self.key(&kid).await?;
        suits(&jwk, alg).map_err(|why| JwsError::Key(format!("key `{}` {why}", shorten(&kid))))?;
        let key = DecodingKey::from_jwk(&jwk)
            .map_err(|e| JwsError::Key(format!("key `{}` cannot be read: {e}", shorten(&kid))))?;
        let message = &token[..h.len() + 1 + p.len()];
        let good =
            jsonwebtoken::crypto::verify(sig, message.as_bytes(), &key, alg).unwrap_or(false);
        if !good {
            if pss_salt_differs(&jwk, alg, message.as_bytes(), sig) {
                return Err(JwsError::PssSalt(format!("{alg:?}")));
            }
            return Err(JwsError::Signature);
        }
        let now = now();
        let checked = self.claims(&claims, now)?;
        let until = checked.iat + self.max_age.as_secs() + self.leeway.as_secs() + 1;
        if !self.replay.first_use(&checked.jti, now, until).await? {
            return Err(JwsError::Claims(String::from(
                "`jti` was already used: the token is replayed",
            )));
        }
        let all = Value::Object(claims.clone());
        for c in REGISTERED_CLAIMS {
            claims.remove(*c);
        }
        Ok(Verified {
            claims: all,
            body: Value::Object(claims),
            kid,
            jti: checked.jti,
            iat: checked.iat,
            issuer: checked.issuer,
            token: Arc::from(token),
        })
    }

    /// The registered claims, judged.
    fn claims(&self, claims: &Map<String, Value>, now: u64) -> Result<Checked, JwsError> {
        let refuse = |why: &str| Err(JwsError::Claims(why.to_owned()));
        let (now_f, leeway) = (now as f64, self.leeway.as_secs_f64());
        let date = |name: &str| -> Result<Option<f64>, JwsError> {
            match claims.get(name) {
                None => Ok(None),
                Some(v) => v
                    .as_f64()
                    .filter(|x| x.is_finite())
                    .map(Some)
                    .ok_or_else(|| {
                        JwsError::Claims(format!("`{name}` is not a NumericDate (a number)"))
                    }),
            }
        };
        let Some(iat) = date("iat")? else {
            return refuse("`iat` is missing");
        };
        if iat > now_f + leeway {
            return refuse("`iat` is in the future");
        }
        if now_f - iat > self.max_age.as_secs_f64() {
            return Err(JwsError::Claims(format!(
                "`iat` is older than {} seconds",
                self.max_age.as_secs()
            )));
        }
        if date("exp")?.is_some_and(|exp| now_f > exp + leeway) {
            return refuse("`exp` has passed");
        }
        if date("nbf")?.is_some_and(|nbf| nbf > now_f + leeway) {
            return refuse("`nbf` is ahead");
        }
        let audiences: Vec<&str> = match claims.get("aud") {
            None => Vec::new(),
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(list)) if list.iter().all(Value::is_string) => {
                list.iter().filter_map(Value::as_str).collect()
            }
            Some(_) => return refuse("`aud` is neither a string nor an array of strings"),
        };
        if let Some(expected) = &self.audience {
            if claims.get("aud").is_none() {
                return refuse("`aud` is missing");
            }
            if !audiences.contains(&expected.as_str()) {
                return refuse("`aud` does not name this institution");
            }
        }
        let issuer = match claims.get("iss") {
            None => None,
            Some(Value::String(i)) => Some(i.clone()),
            Some(_) => return refuse("`iss` is not a string"),
        };
        if let Some(expected) = &self.issuer {
            match &issuer {
                None => return refuse("`iss` is missing"),
                Some(i) if i != expected => return refuse("`iss` is not the expected issuer"),
                Some(_) => {}
            }
        }
        let jti = match claims.get("jti") {
            Some(Value::String(j)) if !j.is_empty() => j,
            Some(Value::String(_)) | None => return refuse("`jti` is missing"),
            Some(_) => return refuse("`jti` is not a string"),
        };
        if jti.chars().count() > MAX_JTI_LEN {
            return Err(JwsError::Claims(format!(
                "`jti` is longer than {MAX_JTI_LEN} characters"
            )));
        }
        Ok(Checked {
            iat: iat.max(0.0).floor() as u64,
            jti: jti.clone(),
            issuer,
        })
    }

    /// The key `kid`: from the static set, or from the set at the URL, fetched when it is due
    /// or does not know `kid` (one fetch at a time, at most one per refresh interval).
    async fn key(&self, kid: &str) -> Result<Jwk, JwsError> {
        let unknown = || JwsError::UnknownKey(Some(kid.to_owned()));
        let (url, http, cached, fetching) = match &*self.source {
            Source::Static(set) => return set.find(kid).cloned().ok_or_else(unknown),
            Source::Url {
                url,
                http,
                cached,
                fetching,
            } => (url, http, cached, fetching),
        };
        // The set as cached, if it is no older than `age`, and what it says of `kid`.
        let lookup = |age: Duration| -> Option<Option<Jwk>> {
            let c = cached.read().ok()?;
            let f = c.as_ref().filter(|f| f.at.elapsed() <= age)?;
            Some(f.set.find(kid).cloned())
        };
        if let Some(Some(jwk)) = lookup(self.key_set_ttl) {
            return Ok(jwk);
        }
        let mut attempts = fetching.lock().await;
        let interval = self.refresh_interval;
        let elapsed = |t: Option<Instant>| t.is_none_or(|t| t.elapsed() >= interval);
        // Another caller may have fetched it while this one waited. A current set without the
        // kid is fetched again for it (a rotated key), but unknown kids may cause that at most
        // once per interval; a set due or never had, at most once per interval too, so a
        // failing URL is not hammered.
        let due = match lookup(self.key_set_ttl) {
            Some(Some(jwk)) => return Ok(jwk),
            Some(None) => {
                let due = elapsed(attempts.unknown_kid);
                if due {
                    attempts.unknown_kid = Some(Instant::now());
                }
                due
            }
            None => elapsed(attempts.any),
        };
        let grace = self.key_set_ttl + KEY_SET_GRACE;
        if !due {
            return match lookup(grace) {
                Some(found) => found.ok_or_else(unknown),
                None => Err(JwsError::KeySet(format!(
                    "{url}: the last fetch, moments ago, failed"
                ))),
            };
        }
        attempts.any = Some(Instant::now());
        match fetch(http, url).await {
            Ok(set) => {
                let found = set.find(kid).cloned();
                if let Ok(mut c) = cached.write() {
                    *c = Some(Fetched {
                        set,
                        at: Instant::now(),
                    });
                }
                found.ok_or_else(unknown)
            }
            // The keystore is down: the last good set serves a while longer.
            Err(e) => match lookup(grace) {
                Some(found) => {
                    #[cfg(feature = "server")]
                    tracing::warn!(error = %e, "the key set could not be fetched again; the last good one serves");
                    found.ok_or_else(unknown)
                }
                None => Err(e),
            },
        }
    }
}

/// What the registered claims said.
struct Checked {
    iat: u64,
    jti: String,
    issuer: Option<String>,
}

/// The members of a JOSE header this verifier reads.
struct JoseHeader {
    alg: String,
    kid: Option<String>,
}

impl JoseHeader {
    fn read(part: &str) -> Result<JoseHeader, JwsError> {
        let bad = |why: String| JwsError::Malformed(format!("its header {why}"));
        let bytes = unbase64(part)
            .ok_or_else(|| bad(String::from("is not base64url (without padding)")))?;
        let header = members(&bytes).map_err(bad)?;
        if header.contains_key("crit") {
            return Err(bad(String::from(
                "marks parameters critical (`crit`), and this verifier understands no extension",
            )));
        }
        if header.contains_key("b64") {
            return Err(bad(String::from(
                "sets `b64` (an unencoded payload, RFC 7797), which is not supported",
            )));
        }
        let alg = match header.get("alg") {
            Some(Value::String(a)) => a.clone(),
            Some(_) => return Err(bad(String::from("has an `alg` that is not a string"))),
            None => return Err(bad(String::from("has no `alg`"))),
        };
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(k)) => Some(k.clone()),
            Some(_) => return Err(bad(String::from("has a `kid` that is not a string"))),
        };
        Ok(JoseHeader { alg, kid })
    }
}

/// `part` decoded from base64url without padding, as JWS writes it (RFC 7515 §2).
/// Whether `sig` over `message` verifies as RSASSA-PSS under `alg` with a salt of any length:
/// asked only of a signature that failed with the hash's length, to name the cause.
fn pss_salt_differs(jwk: &Jwk, alg: Algorithm, message: &[u8], sig: &str) -> bool {
    use jsonwebtoken::jwk::AlgorithmParameters;
    use rsa::signature::Verifier as _;
    let AlgorithmParameters::RSA(params) = &jwk.algorithm else {
        return false;
    };
    let (Some(n), Some(e), Some(sig)) = (unbase64(&params.n), unbase64(&params.e), unbase64(sig))
    else {
        return false;
    };
    let Ok(key) = rsa::PublicKey::new(
        rsa::BoxedUint::from_be_slice_vartime(&n),
        rsa::BoxedUint::from_be_slice_vartime(&e),
    ) else {
        return false;
    };
    let Ok(sig) = rsa::pss::Signature::try_from(sig.as_slice()) else {
        return false;
    };
    use rsa::pss::VerifyingKey;
    use rsa::sha2::{Sha256, Sha384, Sha512};
    match alg {
        Algorithm::PS256 => VerifyingKey::<Sha256>::new_with_auto_salt_len(key)
            .verify(message, &sig)
            .is_ok(),
        Algorithm::PS384 => VerifyingKey::<Sha384>::new_with_auto_salt_len(key)
            .verify(message, &sig)
            .is_ok(),
        Algorithm::PS512 => VerifyingKey::<Sha512>::new_with_auto_salt_len(key)
            .verify(message, &sig)
            .is_ok(),
        _ => false,
    }
}

fn unbase64(part: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .ok()
}

/// The members of the JSON object `bytes`, refusing one named twice (which member a reader
/// would take is not defined, RFC 7515 §4).
fn members(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    struct Members(Vec<(String, Value)>);
    impl<'de> serde::Deserialize<'de> for Members {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Members;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut m: A,
                ) -> Result<Members, A::Error> {
                    let mut out = Vec::new();
                    while let Some(entry) = m.next_entry::<String, Value>()? {
                        out.push(entry);
                    }
                    Ok(Members(out))
                }
            }
            d.deserialize_map(V)
        }
    }
    let Members(list) =
        serde_json::from_slice(bytes).map_err(|_| String::from("is not a JSON object"))?;
    let mut map = Map::new();
    for (k, v) in list {
        if map.contains_key(&k) {
            return Err(format!("names `{}` twice", shorten(&k)));
        }
        map.insert(k, v);
    }
    Ok(map)
}

/// Whether `jwk` may verify a token signed with `alg`; the reason it may not.
fn suits(jwk: &Jwk, alg: Algorithm) -> Result<(), String> {
    let c = &jwk.common;
    if let Some(u) = &c.public_key_use {
        if *u != PublicKeyUse::Signature {
            return Err(format!("is for `use` {u:?}, not signatures"));
        }
    }
    if let Some(ops) = &c.key_operations {
        if !ops.contains(&KeyOperations::Verify) {
            return Err(String::from("has `key_ops` that do not include verify"));
        }
    }
    if let Some(a) = &c.key_algorithm {
        if format!("{a:?}") != format!("{alg:?}") {
            return Err(format!("is for `alg` {a:?}, not {alg:?}"));
        }
    }
    use Algorithm as A;
    match (&jwk.algorithm, alg) {
        (
            AlgorithmParameters::RSA(p),
            A::RS256 | A::RS384 | A::RS512 | A::PS256 | A::PS384 | A::PS512,
        ) => {
            let n =
                unbase64(p.n.trim_end_matches('=')).ok_or("has a modulus that is not base64url")?;
            let bits = modulus_bits(&n);
            if bits < MIN_RSA_BITS {
                return Err(format!(
                    "is an RSA key of {bits} bits; at least {MIN_RSA_BITS} are required"
                ));
            }
            Ok(())
        }
        (AlgorithmParameters::EllipticCurve(p), A::ES256 | A::ES384) => {
            let needed = if alg == A::ES256 {
                EllipticCurve::P256
            } else {
                EllipticCurve::P384
            };
            if p.curve != needed {
                return Err(format!(
                    "is on {}, and {alg:?} needs {}",
                    curve_name(&p.curve),
                    curve_name(&needed)
                ));
            }
            Ok(())
        }
        (AlgorithmParameters::OctetKeyPair(p), A::EdDSA) if p.curve == EllipticCurve::Ed25519 => {
            Ok(())
        }
        (params, _) => Err(format!(
            "is {} key, which cannot verify {alg:?}",
            match params {
                AlgorithmParameters::RSA(_) => "an RSA",
                AlgorithmParameters::EllipticCurve(_) => "an EC",
                AlgorithmParameters::OctetKey(_) => "a symmetric",
                AlgorithmParameters::OctetKeyPair(_) => "an OKP",
                _ => "an unknown",
            }
        )),
    }
}

/// The size in bits of a big-endian unsigned integer.
fn modulus_bits(n: &[u8]) -> usize {
    let n: Vec<u8> = n.iter().copied().skip_while(|b| *b == 0).collect();
    match n.first() {
        Some(first) => n.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

fn curve_name(c: &EllipticCurve) -> &'static str {
    match c {
        EllipticCurve::P256 => "P-256",
        EllipticCurve::P384 => "P-384",
        EllipticCurve::P521 => "P-521",
        EllipticCurve::Ed25519 => "Ed25519",
        _ => "an unknown curve",
    }
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

/// The key set at `url`, read up to [`MAX_KEY_SET_BYTES`].
async fn fetch(http: &reqwest::Client, url: &reqwest::Url) -> Result<JwkSet, JwsError> {
    let mut response = http
        .get(url.clone())
        .send()
        .await
        .map_err(|e| JwsError::KeySet(format!("{url}: {e}")))?;
    if !response.status().is_success() {
        return Err(JwsError::KeySet(format!(
            "{url}: status {}",
            response.status().as_u16()
        )));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| JwsError::KeySet(format!("{url}: {e}")))?
    {
        if bytes.len() + chunk.len() > MAX_KEY_SET_BYTES {
            return Err(JwsError::KeySet(format!(
                "{url}: the key set is larger than {MAX_KEY_SET_BYTES} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
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
