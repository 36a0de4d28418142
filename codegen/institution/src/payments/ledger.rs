//! The payments, one row each, in the institution's database (SQLite or PostgreSQL). Every
//! change is a compare-and-set on the status it was read in, so that two replicas settling or
//! cancelling one payment at once cannot both win.

use super::rules::{State, Status};
use crate::store::{db, Store, StoreError};

/// A payment as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Payment {
    /// The institution's id (the answer's `paymentId`).
    pub id: String,
    /// The consent it pays (its `externalId`).
    pub consent: String,
    /// The end-to-end id: one payment each.
    pub end_to_end_id: String,
    /// Where it stands.
    pub state: State,
    /// The answer's `data` as of its last change.
    pub body: serde_json::Value,
}

const COLUMNS: &str = "id, consent, end_to_end_id, status, since, due, body";

type Columns = (String, String, String, String, i64, i64, String);

fn payment(c: Columns) -> Result<Payment, StoreError> {
    let (id, consent, end_to_end_id, status, since, due, body) = c;
    let status = Status::parse(&status)
        .ok_or_else(|| StoreError::Database(format!("payment {id}: unknown status `{status}`")))?;
    Ok(Payment {
        state: State { status, since, due },
        body: serde_json::from_str(&body).map_err(db)?,
        id,
        consent,
        end_to_end_id,
    })
}

impl Store {
    /// Records a new payment; `false` where its end-to-end id (or id) is already taken.
    pub async fn insert_payment(&self, p: &Payment) -> Result<bool, StoreError> {
        let sql = format!(
            "INSERT INTO payments ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT DO NOTHING"
        );
        let (id, consent, e2e) = (p.id.clone(), p.consent.clone(), p.end_to_end_id.clone());
        let (status, since, due) = (p.state.status.code(), p.state.since, p.state.due);
        let body = p.body.to_string();
        let n = match self {
            Store::Sqlite(lite) => {
                Store::lite(lite, move |c| {
                    c.execute(
                        &sql,
                        rusqlite::params![id, consent, e2e, status, since, due, body],
                    )
                })
                .await?
            }
            Store::Postgres(pool) => pool
                .get()
                .await
                .map_err(db)?
                .execute(&sql, &[&id, &consent, &e2e, &status, &since, &due, &body])
                .await
                .map_err(db)? as usize,
        };
        Ok(n == 1)
    }

    /// The payment `id`, where there is one.
    pub async fn payment(&self, id: &str) -> Result<Option<Payment>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE id = $1");
        let id = id.to_owned();
        let row: Option<Columns> = match self {
            Store::Sqlite(lite) => {
                Store::lite(lite, move |c| {
                    use rusqlite::OptionalExtension;
                    c.query_row(&sql, [id], |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                        ))
                    })
                    .optional()
                })
                .await?
            }
            Store::Postgres(pool) => pool
                .get()
                .await
                .map_err(db)?
                .query_opt(&sql, &[&id])
                .await
                .map_err(db)?
                .map(|r| {
                    (
                        r.get(0),
                        r.get(1),
                        r.get(2),
                        r.get(3),
                        r.get(4),
                        r.get(5),
                        r.get(6),
                    )
                }),
        };
        row.map(payment).transpose()
    }

    /// Moves `p` to its new state and body, if it is still in `from`; `false` where another
    /// change came first (read it again).
    pub async fn change_payment(&self, p: &Payment, from: Status) -> Result<bool, StoreError> {
        const SQL: &str =
            "UPDATE payments SET status = $1, since = $2, body = $3 WHERE id = $4 AND status = $5";
        let (status, since) = (p.state.status.code(), p.state.since);
        let (body, id, from) = (p.body.to_string(), p.id.clone(), from.code());
        let n = match self {
            Store::Sqlite(lite) => {
                Store::lite(lite, move |c| {
                    c.execute(SQL, rusqlite::params![status, since, body, id, from])
                })
                .await?
            }
            Store::Postgres(pool) => pool
                .get()
                .await
                .map_err(db)?
                .execute(SQL, &[&status, &since, &body, &id, &from])
                .await
                .map_err(db)? as usize,
        };
        Ok(n == 1)
    }
}
