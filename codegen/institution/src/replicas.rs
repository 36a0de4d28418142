//! What replicas of a router must share to be one server to the platform: the record of signed
//! tokens used (a token accepted by one replica must be a replay to every other) and the
//! idempotency keys (a payment retried on another replica must get the first answer, not a
//! second payment). Both on the PostgreSQL database the replicas already share, through the
//! runtime's [`ReplayStore`] and [`IdempotencyStore`] traits.
//!
//! Each store is one table, and every decision one statement, so that two replicas racing on
//! one token or one key cannot both win: the primary key decides.

use deadpool_postgres::Pool;
use ofb_runtime::jws::{JwsError, ReplayStore, StoreFuture as ReplayFuture};
use ofb_runtime::server::idempotency::{
    Begin, IdempotencyStore, StoreError, StoreFuture, StoredAnswer, KEY_LIFETIME,
};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many recordings pass between two sweeps of expired rows.
const SWEEP_EVERY: u64 = 1024;

/// The tables, created when missing.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ofb_jws_jti (
    jti TEXT PRIMARY KEY,
    until BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS ofb_idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint BYTEA NOT NULL,
    expires BIGINT NOT NULL,
    status INTEGER,
    headers TEXT,
    body BYTEA,
    PRIMARY KEY (scope, key)
);";

/// The replay record and the idempotency keys of every replica, on one PostgreSQL database.
#[derive(Clone)]
pub struct SharedStores {
    pool: Pool,
    recorded: std::sync::Arc<AtomicU64>,
}

impl fmt::Debug for SharedStores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedStores").finish_non_exhaustive()
    }
}

impl SharedStores {
    /// The stores on `pool`'s database, their tables created when missing.
    pub async fn open(pool: Pool) -> Result<SharedStores, String> {
        let client = pool.get().await.map_err(|e| e.to_string())?;
        client
            .batch_execute(SCHEMA)
            .await
            .map_err(|e| e.to_string())?;
        Ok(SharedStores {
            pool,
            recorded: std::sync::Arc::new(AtomicU64::new(0)),
        })
    }

    /// Whether this recording should also sweep expired rows.
    fn sweep_due(&self) -> bool {
        self.recorded
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY)
    }
}

impl ReplayStore for SharedStores {
    fn first_use<'a>(&'a self, jti: &'a str, now: u64, until: u64) -> ReplayFuture<'a, bool> {
        Box::pin(async move {
            let busy = |e: String| JwsError::Busy(format!("the shared replay record: {e}"));
            let client = self.pool.get().await.map_err(|e| busy(e.to_string()))?;
            let (now, until) = (now as i64, until as i64);
            if self.sweep_due() {
                client
                    .execute("DELETE FROM ofb_jws_jti WHERE until <= $1", &[&now])
                    .await
                    .map_err(|e| busy(e.to_string()))?;
            }
            // Inserted, or taken over from an expired row: the first use. A live row: a replay.
            let fresh = client
                .query_opt(
                    "INSERT INTO ofb_jws_jti (jti, until) VALUES ($1, $2) \
                     ON CONFLICT (jti) DO UPDATE SET until = EXCLUDED.until \
                     WHERE ofb_jws_jti.until <= $3 RETURNING jti",
                    &[&jti, &until, &now],
                )
                .await
                .map_err(|e| busy(e.to_string()))?;
            Ok(fresh.is_some())
        })
    }
}

fn failed(e: impl fmt::Display) -> StoreError {
    StoreError(format!("the shared idempotency keys: {e}"))
}

impl IdempotencyStore for SharedStores {
    fn begin<'a>(
        &'a self,
        scope: &'a str,
        key: &'a str,
        fingerprint: [u8; 32],
        now: u64,
    ) -> StoreFuture<'a, Begin> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(failed)?;
            let now = now as i64;
            let expires = now + KEY_LIFETIME.as_secs() as i64;
            if self.sweep_due() {
                client
                    .execute("DELETE FROM ofb_idempotency WHERE expires <= $1", &[&now])
                    .await
                    .map_err(failed)?;
            }
            let fp = fingerprint.as_slice();
            let claimed = client
                .query_opt(
                    "INSERT INTO ofb_idempotency (scope, key, fingerprint, expires) \
                     VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (scope, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, \
                     expires = EXCLUDED.expires, status = NULL, headers = NULL, body = NULL \
                     WHERE ofb_idempotency.expires <= $5 RETURNING 1",
                    &[&scope, &key, &fp, &expires, &now],
                )
                .await
                .map_err(failed)?;
            if claimed.is_some() {
                return Ok(Begin::New);
            }
            let row = client
                .query_opt(
                    "SELECT fingerprint, status, headers, body FROM ofb_idempotency \
                     WHERE scope = $1 AND key = $2",
                    &[&scope, &key],
                )
                .await
                .map_err(failed)?;
            // Released between the two statements: a retry of the whole claim is the caller's.
            let Some(row) = row else {
                return Ok(Begin::InProgress);
            };
            let stored: Vec<u8> = row.get(0);
            if stored.as_slice() != fp {
                return Ok(Begin::Conflict);
            }
            let status: Option<i32> = row.get(1);
            let Some(status) = status else {
                return Ok(Begin::InProgress);
            };
            let headers: Option<String> = row.get(2);
            let headers: Vec<(String, String)> = headers
                .map(|h| serde_json::from_str(&h))
                .transpose()
                .map_err(failed)?
                .unwrap_or_default();
            let body: Option<Vec<u8>> = row.get(3);
            Ok(Begin::Replay(StoredAnswer {
                status: u16::try_from(status).map_err(failed)?,
                headers,
                body: body.unwrap_or_default().into(),
            }))
        })
    }

    fn finish<'a>(
        &'a self,
        scope: &'a str,
        key: &'a str,
        answer: StoredAnswer,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(failed)?;
            let headers = serde_json::to_string(&answer.headers).map_err(failed)?;
            let (status, body) = (i32::from(answer.status), answer.body.to_vec());
            client
                .execute(
                    "UPDATE ofb_idempotency SET status = $3, headers = $4, body = $5 \
                     WHERE scope = $1 AND key = $2",
                    &[&scope, &key, &status, &headers, &body],
                )
                .await
                .map_err(failed)?;
            Ok(())
        })
    }

    fn abandon<'a>(&'a self, scope: &'a str, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(failed)?;
            client
                .execute(
                    "DELETE FROM ofb_idempotency WHERE scope = $1 AND key = $2 AND status IS NULL",
                    &[&scope, &key],
                )
                .await
                .map_err(failed)?;
            Ok(())
        })
    }
}
