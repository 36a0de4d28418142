//! The baseline of `cargo xtask bench platform`: the four reads of the platform's traffic mix
//! (find, accounts, balances, transaction pages) as plain hand-written axum handlers doing the
//! same data work as the reference institution: the body read with axum's `Json` extractor into
//! the document's request type, the same query on the same store, the same typed answer written
//! with `Json`. What they lack is all the generated router adds (validation in report mode, the
//! deadline on a task of its own, the in-flight limit, the envelope, the interaction id), which
//! is what the benchmark's ratio prices.

pub mod payments;

use crate::answer::{list, one, Error};
use crate::store::{Query, Store};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ofb_integration_accounts_v3::types as t;

/// The four routes under `prefix` (the accounts family's paths).
pub fn router(store: Store, prefix: &str) -> axum::Router {
    let inner = axum::Router::new()
        .route(
            "/find",
            axum::routing::post({
                let store = store.clone();
                move |Json(b): Json<t::RequestWithConsentAndRequestMetaAndAccountId>| async move {
                    let id = b.account_id.first().map_or("", |i| i.value.as_str());
                    let q = query("identification", &b.consent, Some(id));
                    answer(
                        store
                            .one(&q)
                            .await
                            .map_err(Error::from)
                            .and_then(|f| one::<t::ResponseAccountIdentification>(f, "account")),
                    )
                }
            }),
        )
        .route(
            "/balances",
            axum::routing::post({
                let store = store.clone();
                move |Json(b): Json<t::RequestWithConsentAndRequestMetaAndAccountId>| async move {
                    let id = b.account_id.first().map_or("", |i| i.value.as_str());
                    let q = query("balances", &b.consent, Some(id));
                    answer(
                        store
                            .one(&q)
                            .await
                            .map_err(Error::from)
                            .and_then(|f| one::<t::ResponseAccountBalances>(f, "account")),
                    )
                }
            }),
        )
        .route(
            "/accounts",
            axum::routing::post({
                let store = store.clone();
                move |Json(b): Json<t::RequestAccounts>| async move {
                    let q = query("account", &b.consent, None);
                    let (page, size) = paging(b.page, b.page_size);
                    answer(
                        store
                            .page(&q, page, size)
                            .await
                            .map_err(Error::from)
                            .and_then(|p| list::<t::ResponseAccountList>(&p)),
                    )
                }
            }),
        )
        .route(
            "/transactions",
            axum::routing::post(move |Json(b): Json<t::RequestTransactions>| async move {
                let id = b.account_id.first().map_or("", |i| i.value.as_str());
                let q = Query {
                    from: b.from_booking_date.as_ref().map(|d| d.as_str()),
                    to: b.to_booking_date.as_ref().map(|d| d.as_str()),
                    ..query("transaction", &b.consent, Some(id))
                };
                let (page, size) = paging(b.page, b.page_size);
                answer(
                    store
                        .page(&q, page, size)
                        .await
                        .map_err(Error::from)
                        .and_then(|p| list::<t::ResponseAccountTransactions>(&p)),
                )
            }),
        );
    axum::Router::new().nest(prefix, inner)
}

fn query<'a>(
    kind: &'static str,
    consent: &'a t::ConsentDataSharing,
    resource: Option<&'a str>,
) -> Query<'a> {
    Query {
        family: "accounts",
        kind,
        owner: consent.logged_user.document.identification.as_str(),
        resource,
        from: None,
        to: None,
    }
}

fn paging(page: Option<i32>, size: Option<i32>) -> (u32, u32) {
    (
        page.unwrap_or(1).max(1) as u32,
        size.unwrap_or(25).clamp(1, 1000) as u32,
    )
}

fn answer<T: serde::Serialize>(result: Result<T, Error>) -> Response {
    match result {
        Ok(body) => Json(body).into_response(),
        Err(Error::NotFound(_)) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
