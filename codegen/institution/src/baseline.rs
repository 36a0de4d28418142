//! The baseline of `cargo xtask bench platform`: the four reads of the platform's traffic mix
//! (find, accounts, balances, transaction pages) as hand-written axum handlers on the same
//! store, with no generated code: the body read as `serde_json::Value`, the answer written as
//! text around the stored records. What an institution would write without the generator, and
//! what the generated stack must keep up with.

use crate::answer::now;
use crate::store::{Page, Query, Store};
use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The four routes under `prefix` (the accounts family's paths).
pub fn router(store: Store, prefix: &str) -> axum::Router {
    let route = |kind: Read| {
        let store = store.clone();
        axum::routing::post(move |body: Bytes| {
            let store = store.clone();
            async move { answer(&store, kind, &body).await }
        })
    };
    let inner = axum::Router::new()
        .route("/find", route(Read::One("identification")))
        .route("/balances", route(Read::One("balances")))
        .route("/accounts", route(Read::Accounts))
        .route("/transactions", route(Read::Transactions));
    axum::Router::new().nest(prefix, inner)
}

#[derive(Clone, Copy)]
enum Read {
    One(&'static str),
    Accounts,
    Transactions,
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn page_text(page: &Page) -> String {
    let more = u64::from(page.page) * u64::from(page.size) < page.total;
    format!(
        r#"{{"data":[{}],"meta":{{"totalRecords":{},"totalPages":{},"requestDateTime":"{}","hasMoreRecords":{more}}}}}"#,
        page.bodies.join(","),
        page.total,
        page.total.div_ceil(u64::from(page.size)).max(1),
        now()
    )
}

async fn answer(store: &Store, read: Read, body: &[u8]) -> Response {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return json(StatusCode::BAD_REQUEST, String::from(r#"{"errors":[]}"#));
    };
    let owner = text(&v, "/consent/loggedUser/document/identification").unwrap_or_default();
    let account = text(&v, "/accountId/0/value");
    let page = v.get("page").and_then(Value::as_u64).unwrap_or(1).max(1) as u32;
    let size = v
        .get("pageSize")
        .and_then(Value::as_u64)
        .unwrap_or(25)
        .clamp(1, 1000) as u32;
    let q = |kind, resource| Query {
        family: "accounts",
        kind,
        owner: &owner,
        resource,
        from: None,
        to: None,
    };
    let result = match read {
        Read::One(kind) => store.one(&q(kind, account.as_deref())).await.map(|found| {
            found.map(|b| {
                format!(
                    r#"{{"data":{b},"meta":{{"totalRecords":1,"totalPages":1,"requestDateTime":"{}"}}}}"#,
                    now()
                )
            })
        }),
        Read::Accounts => store
            .page(&q("account", None), page, size)
            .await
            .map(|p| Some(page_text(&p))),
        Read::Transactions => {
            let from = text(&v, "/fromBookingDate");
            let to = text(&v, "/toBookingDate");
            let query = Query {
                from: from.as_deref(),
                to: to.as_deref(),
                ..q("transaction", account.as_deref())
            };
            store.page(&query, page, size).await.map(|p| Some(page_text(&p)))
        }
    };
    match result {
        Ok(Some(text)) => json(StatusCode::OK, text),
        Ok(None) => json(StatusCode::NOT_FOUND, String::from(r#"{"errors":[]}"#)),
        Err(_) => json(
            StatusCode::INTERNAL_SERVER_ERROR,
            String::from(r#"{"errors":[]}"#),
        ),
    }
}
