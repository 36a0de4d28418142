//! The institution's records, in SQLite (a file, the default) or PostgreSQL (a URL): one table
//! of JSON bodies in the shape the documents answer, keyed by family, kind, owner (the
//! customer's document), resource and day, so that every read is one indexed query and every
//! page is cut by SQL.
//!
//! SQLite is synchronous: its queries run on tokio's blocking pool through a small pool of
//! connections, never on the async workers. PostgreSQL goes through an async pool; replicas of
//! the institution given the same URL share its data.

use std::sync::{Arc, Mutex};

/// Why a read failed.
#[derive(Debug)]
pub enum StoreError {
    /// The database failed (the message says how).
    Database(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Database(e) => write!(f, "database: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

pub(crate) fn db(e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(e.to_string())
}

/// The migrations, in order; `schema_version` records how many ran. The statements read the
/// same in SQLite and PostgreSQL.
const MIGRATIONS: &[&[&str]] = &[
    &[
        "CREATE TABLE records (family TEXT NOT NULL, kind TEXT NOT NULL, owner TEXT NOT NULL, \
     resource TEXT NOT NULL, seq BIGINT NOT NULL, day TEXT NOT NULL, body TEXT NOT NULL)",
        // Both indexes hold every column a read filters and orders by, so counting reads no body
        // and a page reads only its own rows, newest first.
        "CREATE INDEX records_by_resource ON records (family, kind, resource, owner, day, seq)",
        "CREATE INDEX records_by_owner ON records (family, kind, owner, day, seq)",
        "CREATE TABLE seeding (customers BIGINT NOT NULL)",
    ],
    &[
        // The payment connector's ledger (`payments::ledger`): one row per payment, its status
        // and the answer's `data` as of its last change. An end-to-end id pays once.
        "CREATE TABLE payments (id TEXT PRIMARY KEY, consent TEXT NOT NULL, \
     end_to_end_id TEXT NOT NULL, status TEXT NOT NULL, since BIGINT NOT NULL, \
     due BIGINT NOT NULL, body TEXT NOT NULL)",
        "CREATE UNIQUE INDEX payments_by_end_to_end_id ON payments (end_to_end_id)",
    ],
];

/// The rows of one page, the total they were cut from, and where the page starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The JSON bodies of the page, in order.
    pub bodies: Vec<String>,
    /// How many rows match in all.
    pub total: u64,
    /// The page number (1-based) and its size.
    pub page: u32,
    /// The page size.
    pub size: u32,
}

/// What to read: the records of one kind of a family, of one owner, optionally of one resource
/// and within a range of days.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    /// The family (`accounts`).
    pub family: &'static str,
    /// The kind of record (`transaction`).
    pub kind: &'static str,
    /// The customer's document.
    pub owner: &'a str,
    /// The resource, where the read is of one.
    pub resource: Option<&'a str>,
    /// The first day, inclusive (`YYYY-MM-DD`).
    pub from: Option<&'a str>,
    /// The last day, inclusive.
    pub to: Option<&'a str>,
}

/// A row to insert.
#[derive(Debug, Clone)]
pub struct Row {
    /// The family.
    pub family: &'static str,
    /// The kind of record.
    pub kind: &'static str,
    /// The customer's document.
    pub owner: String,
    /// The resource it belongs to (the owner's document for customer records).
    pub resource: String,
    /// Its order among its kind.
    pub seq: i64,
    /// Its day (`YYYY-MM-DD`; any fixed text where it has none).
    pub day: String,
    /// The JSON body.
    pub body: String,
}

/// SQLite connections, lent one at a time to blocking tasks.
struct Lite {
    idle: Mutex<Vec<rusqlite::Connection>>,
    slots: Arc<tokio::sync::Semaphore>,
}

/// The database.
#[derive(Clone)]
pub enum Store {
    /// An SQLite file.
    Sqlite(Arc<LiteHandle>),
    /// A PostgreSQL database.
    Postgres(deadpool_postgres::Pool),
}

/// An opened SQLite database.
pub struct LiteHandle(Lite);

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Store::Sqlite(_) => f.write_str("Store::Sqlite"),
            Store::Postgres(_) => f.write_str("Store::Postgres"),
        }
    }
}

/// The rows of a read: one resource's records (`$3` the resource, `$4` its owner) or one
/// owner's (`$3` the owner, `$4` empty), within days `$5..=$6`.
const WHERE_RESOURCE: &str = "WHERE family = $1 AND kind = $2 AND resource = $3 AND owner = $4 \
     AND day >= $5 AND day <= $6";
const WHERE_OWNER: &str = "WHERE family = $1 AND kind = $2 AND owner = $3 AND $4 = '' \
     AND day >= $5 AND day <= $6";

/// The statements of a read: the page (newest day first), and the count of all its rows.
fn statements(by_resource: bool) -> (&'static str, &'static str) {
    use std::sync::OnceLock;
    static SQL: OnceLock<[(String, String); 2]> = OnceLock::new();
    let all = SQL.get_or_init(|| {
        [WHERE_RESOURCE, WHERE_OWNER].map(|w| {
            (
                format!(
                    "SELECT body FROM records {w} ORDER BY day DESC, seq DESC LIMIT $7 OFFSET $8"
                ),
                format!("SELECT COUNT(*) FROM records {w}"),
            )
        })
    });
    let (page, count) = &all[usize::from(!by_resource)];
    (page, count)
}

/// `url` with the password of its user info, if any, replaced by `***`: what may be printed.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// The password to use where the URL gives none: the file `OFB_DB_PASSWORD_FILE` names
/// (its first line), else `PGPASSWORD`, as libpq reads it. A password in the URL is visible to
/// `ps`; these are not.
fn password_from_environment() -> Result<Option<String>, StoreError> {
    if let Some(path) = std::env::var_os("OFB_DB_PASSWORD_FILE") {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            StoreError::Database(format!(
                "the password file {}: {e}",
                std::path::Path::new(&path).display()
            ))
        })?;
        return Ok(text.lines().next().map(str::to_owned));
    }
    Ok(std::env::var("PGPASSWORD").ok())
}

/// A pool of `size` connections to the PostgreSQL database at `url`.
pub fn postgres_pool(url: &str, size: usize) -> Result<deadpool_postgres::Pool, StoreError> {
    let target = crate::pg_tls::target(url)
        .map_err(|e| StoreError::Database(format!("{}: {e}", redacted(url))))?;
    // tokio-postgres' own messages may quote what it could not parse: never the password.
    let mut config: tokio_postgres::Config = target
        .url
        .parse()
        .map_err(|_| StoreError::Database(format!("{} is not a PostgreSQL URL", redacted(url))))?;
    let tls = crate::pg_tls::connector(&target).map_err(db)?;
    if config.get_password().is_none() {
        if let Some(password) = password_from_environment()? {
            config.password(password);
        }
    }
    let manager = deadpool_postgres::Manager::from_config(
        config,
        tls,
        deadpool_postgres::ManagerConfig {
            recycling_method: deadpool_postgres::RecyclingMethod::Fast,
        },
    );
    deadpool_postgres::Pool::builder(manager)
        .max_size(size.max(1))
        .build()
        .map_err(db)
}

impl Store {
    /// Opens (creating and migrating) the database at `url`: `postgres://...` or
    /// `postgresql://...`, else an SQLite file path (`sqlite://` prefix optional). `pool` is the
    /// number of connections.
    pub async fn open(url: &str, pool: usize) -> Result<Store, StoreError> {
        let pool = pool.max(1);
        let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Store::Postgres(postgres_pool(url, pool)?)
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url).to_owned();
            if path.is_empty() || path.contains(":memory:") || path.starts_with("file:") {
                // Each pooled connection would open a database of its own.
                return Err(StoreError::Database(format!(
                    "`{url}`: give an SQLite file path (in-memory databases cannot be shared by the pool)"
                )));
            }
            let idle = tokio::task::spawn_blocking(move || {
                (0..pool)
                    .map(|_| {
                        let c = rusqlite::Connection::open(&path)?;
                        c.busy_timeout(std::time::Duration::from_secs(5))?;
                        c.pragma_update(None, "journal_mode", "WAL")?;
                        c.pragma_update(None, "synchronous", "NORMAL")?;
                        Ok(c)
                    })
                    .collect::<Result<Vec<_>, rusqlite::Error>>()
            })
            .await
            .map_err(db)?
            .map_err(db)?;
            Store::Sqlite(Arc::new(LiteHandle(Lite {
                idle: Mutex::new(idle),
                slots: Arc::new(tokio::sync::Semaphore::new(pool)),
            })))
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Runs `f` on an SQLite connection, on the blocking pool.
    pub(crate) async fn lite<T: Send + 'static>(
        lite: &Arc<LiteHandle>,
        f: impl FnOnce(&mut rusqlite::Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        // The place is held by the blocking task, not by this future: a caller dropped at its
        // deadline must not free the place before the connection is back in the pool.
        let permit = lite.0.slots.clone().acquire_owned().await.map_err(db)?;
        let handle = lite.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let taken = handle.0.idle.lock().ok().and_then(|mut idle| idle.pop());
            let Some(mut conn) = taken else {
                return Err(StoreError::Database(String::from("no idle connection")));
            };
            // A panic in `f` must not lose the connection while its place comes back.
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut conn)));
            if let Ok(mut idle) = handle.0.idle.lock() {
                idle.push(conn);
            }
            match out {
                Ok(r) => r.map_err(db),
                Err(_) => Err(StoreError::Database(String::from("a query panicked"))),
            }
        })
        .await
        .map_err(db)?
    }

    /// Applies the migrations not yet applied.
    async fn migrate(&self) -> Result<(), StoreError> {
        const VERSION: &str = "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)";
        match self {
            Store::Sqlite(lite) => {
                Self::lite(lite, |c| {
                    let tx = c.transaction()?;
                    tx.execute(VERSION, [])?;
                    let done: i64 =
                        tx.query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))?;
                    for (i, steps) in MIGRATIONS.iter().enumerate().skip(done as usize) {
                        for s in *steps {
                            tx.execute(s, [])?;
                        }
                        tx.execute(
                            "INSERT INTO schema_version (version) VALUES ($1)",
                            [i as i64 + 1],
                        )?;
                    }
                    tx.commit()
                })
                .await
            }
            Store::Postgres(pool) => {
                let mut c = pool.get().await.map_err(db)?;
                let tx = c.transaction().await.map_err(db)?;
                // One migrating replica at a time.
                tx.execute("SELECT pg_advisory_xact_lock(4242)", &[])
                    .await
                    .map_err(db)?;
                tx.execute(VERSION, &[]).await.map_err(db)?;
                let done: i64 = tx
                    .query_one("SELECT COUNT(*) FROM schema_version", &[])
                    .await
                    .map_err(db)?
                    .get(0);
                for (i, steps) in MIGRATIONS.iter().enumerate().skip(done as usize) {
                    for s in *steps {
                        tx.execute(*s, &[]).await.map_err(db)?;
                    }
                    tx.execute(
                        "INSERT INTO schema_version (version) VALUES ($1)",
                        &[&(i as i64 + 1)],
                    )
                    .await
                    .map_err(db)?;
                }
                tx.commit().await.map_err(db)
            }
        }
    }

    /// Runs `f` while holding the database's seeding lock (PostgreSQL: an advisory lock, so that
    /// replicas starting together seed once; SQLite: one process owns the file's writes anyway).
    pub async fn seeding<T, F: std::future::Future<Output = Result<T, StoreError>>>(
        &self,
        f: F,
    ) -> Result<T, StoreError> {
        match self {
            Store::Sqlite(_) => f.await,
            Store::Postgres(pool) => {
                let c = pool.get().await.map_err(db)?;
                c.execute("SELECT pg_advisory_lock(4243)", &[])
                    .await
                    .map_err(db)?;
                let out = f.await;
                let _ = c.execute("SELECT pg_advisory_unlock(4243)", &[]).await;
                out
            }
        }
    }

    /// How many customers the database was seeded with (0: never seeded).
    pub async fn seeded(&self) -> Result<u64, StoreError> {
        const Q: &str = "SELECT COALESCE(MAX(customers), 0) FROM seeding";
        let n: i64 = match self {
            Store::Sqlite(lite) => Self::lite(lite, |c| c.query_row(Q, [], |r| r.get(0))).await?,
            Store::Postgres(pool) => pool
                .get()
                .await
                .map_err(db)?
                .query_one(Q, &[])
                .await
                .map_err(db)?
                .get(0),
        };
        Ok(n.max(0) as u64)
    }

    /// Removes every record: what a seeding cut short left.
    pub async fn clear(&self) -> Result<(), StoreError> {
        const Q: &str = "DELETE FROM records";
        match self {
            Store::Sqlite(lite) => Self::lite(lite, |c| c.execute(Q, []).map(drop)).await,
            Store::Postgres(pool) => pool
                .get()
                .await
                .map_err(db)?
                .execute(Q, &[])
                .await
                .map(drop)
                .map_err(db),
        }
    }

    /// Inserts `rows` and, given a count, records that the seeding of that many customers is
    /// complete, in one transaction.
    pub async fn insert(&self, rows: Vec<Row>, customers: Option<u64>) -> Result<(), StoreError> {
        const INSERT: &str = "INSERT INTO records (family, kind, owner, resource, seq, day, body) \
                              VALUES ($1, $2, $3, $4, $5, $6, $7)";
        const SEEDED: &str = "INSERT INTO seeding (customers) VALUES ($1)";
        match self {
            Store::Sqlite(lite) => {
                Self::lite(lite, move |c| {
                    let tx = c.transaction()?;
                    {
                        let mut st = tx.prepare(INSERT)?;
                        for r in &rows {
                            st.execute(rusqlite::params![
                                r.family, r.kind, r.owner, r.resource, r.seq, r.day, r.body
                            ])?;
                        }
                    }
                    if let Some(n) = customers {
                        tx.execute(SEEDED, [n as i64])?;
                    }
                    tx.commit()
                })
                .await
            }
            Store::Postgres(pool) => {
                let mut c = pool.get().await.map_err(db)?;
                let tx = c.transaction().await.map_err(db)?;
                let st = tx.prepare(INSERT).await.map_err(db)?;
                for r in &rows {
                    tx.execute(
                        &st,
                        &[
                            &r.family,
                            &r.kind,
                            &r.owner,
                            &r.resource,
                            &r.seq,
                            &r.day,
                            &r.body,
                        ],
                    )
                    .await
                    .map_err(db)?;
                }
                if let Some(n) = customers {
                    tx.execute(SEEDED, &[&(n as i64)]).await.map_err(db)?;
                }
                tx.commit().await.map_err(db)
            }
        }
    }

    /// Page `page` (1-based) of `size` records matching `q`, newest day first, with the count
    /// of all of them (`count`: otherwise 0, for reads that need none).
    pub async fn page(&self, q: &Query<'_>, page: u32, size: u32) -> Result<Page, StoreError> {
        self.read(q, page, size, true).await
    }

    async fn read(
        &self,
        q: &Query<'_>,
        page: u32,
        size: u32,
        count: bool,
    ) -> Result<Page, StoreError> {
        let (page, size) = (page.max(1), size.clamp(1, 1000));
        let (third, fourth) = match q.resource {
            Some(r) => (r, q.owner),
            None => (q.owner, ""),
        };
        let (select, total) = statements(q.resource.is_some());
        let args: [String; 6] = [
            q.family.to_owned(),
            q.kind.to_owned(),
            third.to_owned(),
            fourth.to_owned(),
            q.from.unwrap_or("0000-00-00").to_owned(),
            q.to.unwrap_or("9999-99-99").to_owned(),
        ];
        let (limit, offset) = (i64::from(size), i64::from(page - 1) * i64::from(size));
        let (bodies, n): (Vec<String>, i64) = match self {
            Store::Sqlite(lite) => {
                Self::lite(lite, move |c| {
                    let bodies = c
                        .prepare_cached(select)?
                        .query_map(
                            rusqlite::params![
                                args[0], args[1], args[2], args[3], args[4], args[5], limit, offset
                            ],
                            |r| r.get::<_, String>(0),
                        )?
                        .collect::<Result<Vec<_>, _>>()?;
                    let n = if count {
                        c.prepare_cached(total)?.query_row(
                            rusqlite::params![args[0], args[1], args[2], args[3], args[4], args[5]],
                            |r| r.get(0),
                        )?
                    } else {
                        0
                    };
                    Ok((bodies, n))
                })
                .await?
            }
            Store::Postgres(pool) => {
                let c = pool.get().await.map_err(db)?;
                let st = c.prepare_cached(select).await.map_err(db)?;
                let bodies = c
                    .query(
                        &st,
                        &[
                            &args[0], &args[1], &args[2], &args[3], &args[4], &args[5], &limit,
                            &offset,
                        ],
                    )
                    .await
                    .map_err(db)?
                    .iter()
                    .map(|r| r.get::<_, String>(0))
                    .collect();
                let n = if count {
                    let st = c.prepare_cached(total).await.map_err(db)?;
                    c.query_one(
                        &st,
                        &[&args[0], &args[1], &args[2], &args[3], &args[4], &args[5]],
                    )
                    .await
                    .map_err(db)?
                    .get(0)
                } else {
                    0
                };
                (bodies, n)
            }
        };
        Ok(Page {
            bodies,
            total: n.max(0) as u64,
            page,
            size,
        })
    }

    /// The one record matching `q` (the first, where several do).
    pub async fn one(&self, q: &Query<'_>) -> Result<Option<String>, StoreError> {
        Ok(self.read(q, 1, 1, false).await?.bodies.into_iter().next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_url_is_never_printed() {
        assert_eq!(
            redacted("postgres://bank:s3cr3t@db.internal:5432/ofb?sslmode=require"),
            "postgres://bank:***@db.internal:5432/ofb?sslmode=require"
        );
        assert_eq!(redacted("postgres://bank@db/ofb"), "postgres://bank@db/ofb");
        assert_eq!(redacted("institution.sqlite3"), "institution.sqlite3");
        let e = postgres_pool("postgres://bank:s3cr3t@[bad/ofb", 1).expect_err("not a URL");
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
    }

    #[test]
    fn the_password_comes_from_a_file_when_one_is_named() {
        let file = std::env::temp_dir().join(format!("ofb-pw-{}", std::process::id()));
        std::fs::write(&file, "from-the-file\n").expect("written");
        std::env::set_var("OFB_DB_PASSWORD_FILE", &file);
        let password = password_from_environment();
        std::env::remove_var("OFB_DB_PASSWORD_FILE");
        let _ = std::fs::remove_file(&file);
        assert_eq!(password.expect("read"), Some(String::from("from-the-file")));
    }
}
