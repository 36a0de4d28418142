//! Idempotent operations, as Open Finance Brasil has them: a request that carries an
//! idempotency key is answered once. The same key again with the same body gets the first
//! answer again, without the back-end; with another body, a 422 `ERRO_IDEMPOTENCIA`. Keys live
//! 24 hours. A platform that retries a payment after a timeout therefore pays once.
//!
//! Where the key travels is the operation's (a header such as `x-idempotency-key`, or a member
//! of the body such as the payment connector's `idempotencyKey`), decided by the generator from
//! the document ([`IdempotencyKey`]). What is kept is an [`IdempotencyStore`]: in memory for one
//! process ([`MemoryIdempotencyStore`], the default), or one the replicas share.

use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

/// Where an operation's idempotency key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdempotencyKey {
    /// A request header (`x-idempotency-key`).
    Header(&'static str),
    /// A string member at the top of the JSON body (`idempotencyKey`).
    Body(&'static str),
}

/// How long a key is remembered: 24 hours, as the regulation sets.
pub const KEY_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// How many keys the in-memory store keeps at once by default.
pub const MEMORY_CAPACITY: usize = 100_000;

/// An answer as it was given, to give again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// Its status.
    pub status: u16,
    /// Its headers (the interaction id aside: each request gets its own echoed).
    pub headers: Vec<(String, String)>,
    /// Its body.
    pub body: Bytes,
}

/// What a store says of a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The key is new: the request is served, and its answer recorded with `finish`.
    New,
    /// The key was used with the same body: its answer.
    Replay(StoredAnswer),
    /// The key was used with another body.
    Conflict,
    /// The key's first request is still being served.
    InProgress,
}

/// Why a store could not answer (a database away, a full memory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the idempotency store cannot answer: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// A future an [`IdempotencyStore`] returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Where idempotency keys and their answers are kept. `scope` is the operation's name, so that
/// one key used on two operations is two keys.
pub trait IdempotencyStore: Send + Sync + fmt::Debug {
    /// Claims `key` for a request whose body has `fingerprint`, at `now` (seconds since the
    /// epoch), or says what was done with it.
    fn begin<'a>(
        &'a self,
        scope: &'a str,
        key: &'a str,
        fingerprint: [u8; 32],
        now: u64,
    ) -> StoreFuture<'a, Begin>;

    /// Records the answer of a claimed key.
    fn finish<'a>(
        &'a self,
        scope: &'a str,
        key: &'a str,
        answer: StoredAnswer,
    ) -> StoreFuture<'a, ()>;

    /// Releases a claimed key whose request got no answer worth keeping (a 5xx, a timeout), so
    /// that a retry is served afresh.
    fn abandon<'a>(&'a self, scope: &'a str, key: &'a str) -> StoreFuture<'a, ()>;
}

/// The fingerprint of a body: SHA-256 of its JSON written canonically (members sorted, no
/// spaces), so that the same body sent twice with other spacing or order is the same; of its
/// bytes when it is not JSON.
pub fn fingerprint(body: &[u8]) -> [u8; 32] {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => fingerprint_value(&v),
        Err(_) => Sha256::digest(body).into(),
    }
}

/// [`fingerprint`] of a body already read as JSON.
pub fn fingerprint_value(v: &serde_json::Value) -> [u8; 32] {
    let mut hasher = Sha256::new();
    canonical(v, &mut hasher);
    hasher.finalize().into()
}

/// Feeds `v` to `hasher` as JSON with every object's members sorted by name, whatever order
/// the map type keeps (serde_json's `preserve_order`, when some crate turns it on, keeps the
/// order received).
fn canonical(v: &serde_json::Value, hasher: &mut Sha256) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.cmp(b.0));
            hasher.update(b"{");
            for (i, (k, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    hasher.update(b",");
                }
                hasher.update(serde_json::to_string(k).unwrap_or_default().as_bytes());
                hasher.update(b":");
                canonical(v, hasher);
            }
            hasher.update(b"}");
        }
        Value::Array(items) => {
            hasher.update(b"[");
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    hasher.update(b",");
                }
                canonical(v, hasher);
            }
            hasher.update(b"]");
        }
        scalar => hasher.update(scalar.to_string().as_bytes()),
    }
}

/// The keys of one process, each for [`KEY_LIFETIME`], at most a given number at once (past it,
/// new keys are refused with an error rather than old live ones forgotten).
#[derive(Debug)]
pub struct MemoryIdempotencyStore {
    capacity: usize,
    lifetime: Duration,
    state: Mutex<Memory>,
}

#[derive(Debug, Default)]
struct Memory {
    entries: BTreeMap<(String, String), Entry>,
    by_expiry: BTreeSet<(u64, String, String)>,
}

#[derive(Debug)]
struct Entry {
    fingerprint: [u8; 32],
    expires: u64,
    answer: Option<StoredAnswer>,
}

impl Default for MemoryIdempotencyStore {
    fn default() -> Self {
        Self::new(MEMORY_CAPACITY, KEY_LIFETIME)
    }
}

impl MemoryIdempotencyStore {
    /// A store of at most `capacity` keys, each kept for `lifetime`.
    pub fn new(capacity: usize, lifetime: Duration) -> Self {
        MemoryIdempotencyStore {
            capacity,
            lifetime,
            state: Mutex::new(Memory::default()),
        }
    }

    fn locked(&self) -> Result<std::sync::MutexGuard<'_, Memory>, StoreError> {
        self.state
            .lock()
            .map_err(|_| StoreError(String::from("the in-memory store is unusable")))
    }

    fn begin_now(
        &self,
        scope: &str,
        key: &str,
        fingerprint: [u8; 32],
        now: u64,
    ) -> Result<Begin, StoreError> {
        let mut m = self.locked()?;
        while let Some((expires, s, k)) = m.by_expiry.first().cloned() {
            if expires > now {
                break;
            }
            m.by_expiry.pop_first();
            m.entries.remove(&(s, k));
        }
        let id = (scope.to_owned(), key.to_owned());
        if let Some(e) = m.entries.get(&id) {
            return Ok(match (&e.answer, e.fingerprint == fingerprint) {
                (_, false) => Begin::Conflict,
                (Some(a), true) => Begin::Replay(a.clone()),
                (None, true) => Begin::InProgress,
            });
        }
        if m.entries.len() >= self.capacity {
            return Err(StoreError(format!(
                "it holds {} live keys, its capacity",
                m.entries.len()
            )));
        }
        let expires = now + self.lifetime.as_secs();
        m.by_expiry.insert((expires, id.0.clone(), id.1.clone()));
        m.entries.insert(
            id,
            Entry {
                fingerprint,
                expires,
                answer: None,
            },
        );
        Ok(Begin::New)
    }
}

impl IdempotencyStore for MemoryIdempotencyStore {
    fn begin<'a>(
        &'a self,
        scope: &'a str,
        key: &'a str,
        fingerprint: [u8; 32],
        now: u64,
    ) -> StoreFuture<'a, Begin> {
        let result = self.begin_now(scope, key, fingerprint, now);
        Box::pin(async move { result })
    }

    fn finish<'a>(
        &'a self,
        scope: &'a str,
        key: &'a str,
        answer: StoredAnswer,
    ) -> StoreFuture<'a, ()> {
        let result = self.locked().map(|mut m| {
            if let Some(e) = m.entries.get_mut(&(scope.to_owned(), key.to_owned())) {
                e.answer = Some(answer);
            }
        });
        Box::pin(async move { result })
    }

    fn abandon<'a>(&'a self, scope: &'a str, key: &'a str) -> StoreFuture<'a, ()> {
        let result = self.locked().map(|mut m| {
            let id = (scope.to_owned(), key.to_owned());
            if let Some(e) = m.entries.remove(&id) {
                m.by_expiry.remove(&(e.expires, id.0, id.1));
            }
        });
        Box::pin(async move { result })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &'static str) -> StoredAnswer {
        StoredAnswer {
            status: 201,
            headers: Vec::new(),
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn the_same_key_replays_conflicts_or_waits_and_expires() {
        let store = MemoryIdempotencyStore::new(10, Duration::from_secs(100));
        let (a, b) = (
            fingerprint(br#"{"x":1,"y":2}"#),
            fingerprint(br#"{"y": 2, "x": 1}"#),
        );
        assert_eq!(a, b, "the same JSON, spaced and ordered otherwise");
        let other = fingerprint(br#"{"x":2}"#);
        let begin = |fp, now| store.begin_now("op", "k", fp, now).expect("answers");
        assert_eq!(begin(a, 0), Begin::New);
        assert_eq!(begin(a, 1), Begin::InProgress);
        futures_lite(store.finish("op", "k", answer("first")));
        assert_eq!(begin(b, 2), Begin::Replay(answer("first")));
        assert_eq!(begin(other, 3), Begin::Conflict);
        assert_eq!(store.begin_now("other-op", "k", other, 3), Ok(Begin::New));
        assert_eq!(begin(other, 101), Begin::New, "expired after its lifetime");
    }

    #[test]
    fn an_abandoned_key_is_served_afresh_and_a_full_store_refuses() {
        let store = MemoryIdempotencyStore::new(1, Duration::from_secs(100));
        let fp = fingerprint(b"{}");
        assert_eq!(store.begin_now("op", "k", fp, 0), Ok(Begin::New));
        assert!(store.begin_now("op", "k2", fp, 0).is_err(), "full");
        futures_lite(store.abandon("op", "k"));
        assert_eq!(store.begin_now("op", "k", fp, 1), Ok(Begin::New));
    }

    /// Runs a store future that is ready at once.
    fn futures_lite<T>(f: StoreFuture<'_, T>) -> T {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = f;
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(r) => r.expect("the store answers"),
            std::task::Poll::Pending => panic!("the in-memory store never waits"),
        }
    }
}
