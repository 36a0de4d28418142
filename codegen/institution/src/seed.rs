//! Seeding a fresh database with made-up customers: each record is a document's own example
//! body (from the generated crates' `examples`) with its ids, dates and amounts made unique,
//! so that every answer is valid by construction.

use crate::answer::civil;
use crate::store::{Row, Store, StoreError};
use ofb_integration_accounts_v3::examples as acc;
use ofb_integration_credit_cards_v2::examples as cc;
use ofb_integration_customers_v3::examples as cus;
use serde_json::{json, Value};

/// How much to seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seed {
    /// Customers.
    pub customers: u64,
    /// Checking accounts per customer (and as many credit card accounts).
    pub accounts: u64,
    /// Transactions per account and per card (and card bills: one per ten).
    pub transactions: u64,
}

impl Default for Seed {
    /// 1,000 customers, 2 accounts each, 100 transactions per account.
    fn default() -> Self {
        Seed {
            customers: 1000,
            accounts: 2,
            transactions: 100,
        }
    }
}

/// The document (CPF) of customer `i`: eleven digits.
pub fn customer(i: u64) -> String {
    format!("{:011}", 10_000_000_000u64 + i)
}

/// The id of account (or card) `a` of customer `i`.
pub fn account(i: u64, a: u64) -> String {
    format!("{i}-{a}")
}

/// The `data` of an example answer: the item at `/data/0` or `/data`, or a discovered resource.
fn example(text: &str, pointer: &str) -> Value {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.pointer(pointer).cloned())
        .unwrap_or(Value::Null)
}

fn legacy(id: &str) -> Value {
    json!([{ "key": "internalResourceId", "value": id }])
}

/// `value` with the member at `pointer` set to `to`, where the example has it.
fn with(mut value: Value, pointer: &str, to: Value) -> Value {
    if let Some(slot) = value.pointer_mut(pointer) {
        *slot = to;
    }
    value
}

/// Day `n` before 2026-12-01, as `YYYY-MM-DD`.
fn day(n: u64) -> String {
    // 2026-12-01 is day 20,788 since 1970-01-01.
    let (y, m, d) = civil(20_788 - (n % 720) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

fn amount(n: u64) -> Value {
    json!({ "amount": format!("{}.{:02}00", 10 + n % 9000, n % 100), "currency": "BRL" })
}

/// Every row of customer `i`.
fn customer_rows(i: u64, seed: &Seed, rows: &mut Vec<Row>) {
    let owner = customer(i);
    let mut push = |family, kind, resource: &str, seq: u64, day: String, body: Value| {
        rows.push(Row {
            family,
            kind,
            owner: owner.clone(),
            resource: resource.to_owned(),
            seq: seq as i64,
            day,
            body: body.to_string(),
        });
    };
    let undated = || String::from("0000-00-00");
    for kind in [
        (
            "personal-identification",
            cus::RESPONSE_PERSONAL_CUSTOMERS_IDENTIFICATION,
            "/data/0",
        ),
        (
            "personal-qualification",
            cus::RESPONSE_PERSONAL_CUSTOMERS_QUALIFICATION,
            "/data",
        ),
        (
            "personal-financial-relation",
            cus::RESPONSE_PERSONAL_CUSTOMERS_FINANCIAL_RELATION,
            "/data",
        ),
        (
            "business-identification",
            cus::RESPONSE_BUSINESS_CUSTOMERS_IDENTIFICATION,
            "/data/0",
        ),
        (
            "business-qualification",
            cus::RESPONSE_BUSINESS_CUSTOMERS_QUALIFICATION,
            "/data",
        ),
        (
            "business-financial-relation",
            cus::RESPONSE_BUSINESS_CUSTOMERS_FINANCIAL_RELATION,
            "/data",
        ),
    ] {
        let (kind, text, at) = kind;
        push(
            "customers",
            kind,
            &customer(i),
            0,
            undated(),
            example(text, at),
        );
    }
    for a in 0..seed.accounts {
        let id = account(i, a);
        let resource = with(
            example(
                acc::SELECTABLE_RESOURCE_DISCOVERY_RESPONSE,
                "/data/resources/0",
            ),
            "/resourceLegacyId",
            legacy(&id),
        );
        push("accounts", "discovery", &id, a, undated(), resource);
        let listed = with(
            example(acc::RESPONSE_ACCOUNT_LIST, "/data/0"),
            "/accountId",
            legacy(&id),
        );
        push("accounts", "account", &id, a, undated(), listed);
        for (kind, text) in [
            ("identification", acc::RESPONSE_ACCOUNT_IDENTIFICATION),
            ("balances", acc::RESPONSE_ACCOUNT_BALANCES),
            ("overdraft-limits", acc::RESPONSE_ACCOUNT_OVERDRAFT_LIMITS),
        ] {
            push("accounts", kind, &id, a, undated(), example(text, "/data"));
        }
        let template = example(acc::RESPONSE_ACCOUNT_TRANSACTIONS, "/data/0");
        for t in 0..seed.transactions {
            let d = day(t);
            let tx = with(
                template.clone(),
                "/transactionId",
                legacy(&format!("{id}-{t}")),
            );
            let tx = with(tx, "/transactionAmount", amount(t));
            let tx = with(
                tx,
                "/transactionDateTime",
                json!(format!("{d}T12:29:03.374Z")),
            );
            push("accounts", "transaction", &id, t, d, tx);
        }

        let card = format!("card-{id}");
        let resource = with(
            example(
                cc::RESPONSE_CREDIT_CARD_ACCOUNT_DISCOVERY,
                "/data/resources/0",
            ),
            "/resourceLegacyId",
            legacy(&card),
        );
        push("credit-cards", "discovery", &card, a, undated(), resource);
        let listed = with(
            example(cc::RESPONSE_CREDIT_CARD_ACCOUNTS_LIST, "/data/0"),
            "/creditCardAccountId",
            legacy(&card),
        );
        push("credit-cards", "account", &card, a, undated(), listed);
        push(
            "credit-cards",
            "identification",
            &card,
            a,
            undated(),
            example(cc::RESPONSE_CREDIT_CARD_ACCOUNTS_IDENTIFICATION, "/data"),
        );
        push(
            "credit-cards",
            "limit",
            &card,
            a,
            undated(),
            example(cc::RESPONSE_CREDIT_CARD_ACCOUNTS_LIMITS, "/data/0"),
        );
        let bill_template = example(cc::RESPONSE_CREDIT_CARD_ACCOUNTS_BILLS, "/data/0");
        let bill_tx = example(
            cc::OK_RESPONSE_CREDIT_CARD_ACCOUNTS_BILLS_TRANSACTIONS_BODY,
            "/data/0",
        );
        let card_tx = example(cc::RESPONSE_CREDIT_CARD_ACCOUNTS_TRANSACTIONS, "/data/0");
        for t in 0..seed.transactions {
            let bill = format!("{card}-bill-{}", t / 10);
            let d = day(t);
            if t % 10 == 0 {
                let b = with(bill_template.clone(), "/billId", legacy(&bill));
                let b = with(b, "/dueDate", json!(d));
                push("credit-cards", "bill", &card, t, d.clone(), b);
            }
            let tx = with(
                bill_tx.clone(),
                "/transactionId",
                legacy(&format!("{card}-{t}")),
            );
            let tx = with(tx, "/billId", legacy(&bill));
            push("credit-cards", "bill-transaction", &bill, t, d.clone(), tx);
            let tx = with(
                card_tx.clone(),
                "/transactionId",
                legacy(&format!("{card}-{t}")),
            );
            let tx = with(tx, "/billId", legacy(&bill));
            push("credit-cards", "transaction", &card, t, d, tx);
        }
    }
}

/// Seeds `store` with `seed` unless it was seeded already; returns how many customers it holds.
/// Replicas starting together on one PostgreSQL database seed it once: the check and the
/// seeding happen under the store's seeding lock.
pub async fn seed(store: &Store, seed: &Seed) -> Result<u64, StoreError> {
    store.seeding(seed_unlocked(store, seed)).await
}

async fn seed_unlocked(store: &Store, seed: &Seed) -> Result<u64, StoreError> {
    let had = store.seeded().await?;
    if had > 0 {
        return Ok(had);
    }
    // What a seeding cut short left.
    store.clear().await?;
    // In batches of customers, so memory stays flat whatever the size.
    const BATCH: u64 = 200;
    let mut from = 0;
    while from < seed.customers {
        let to = (from + BATCH).min(seed.customers);
        let mut rows = Vec::new();
        for i in from..to {
            customer_rows(i, seed, &mut rows);
        }
        // The seeding mark goes with the last batch: a seeding cut short starts again.
        let mark = (to == seed.customers).then_some(seed.customers);
        store.insert(rows, mark).await?;
        from = to;
    }
    Ok(seed.customers)
}
