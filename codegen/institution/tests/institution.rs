//! The reference institution over real HTTP on 127.0.0.1: every operation of its three families
//! answers from SQLite, and from PostgreSQL, with the generated routers' response check on (a
//! debug build), so each 200 is an answer the document accepts. PostgreSQL comes from the
//! Debian package, started here on a free port in a temporary directory; where it is not
//! installed the test says so and stops, unless `OFB_REQUIRE_POSTGRES` is set (CI sets it).

use ofb_institution::seed::{account, customer, Seed};
use ofb_institution::store::Store;
use ofb_institution::{app, Institution, Prefixes};
use ofb_integration_accounts_v3::examples as acc;
use ofb_integration_credit_cards_v2::examples as cc;
use ofb_integration_customers_v3::examples as cus;
use ofb_runtime::server::testing::{expect_error, TestServer};
use ofb_runtime::server::Config;
use serde_json::{json, Value};

const SEED: Seed = Seed {
    customers: 3,
    accounts: 2,
    transactions: 30,
};

/// Every operation: its path under the default prefixes, its example request, and what to
/// point it at (`account`, `card`, `bill` or nothing: the customer's own records).
const CALLS: &[(&str, &str, &str)] = &[
    (
        "/accounts/account-discovery",
        acc::REQUEST_WITH_CONSENT_AND_REQUEST_META,
        "",
    ),
    ("/accounts/accounts", acc::REQUEST_ACCOUNTS, ""),
    (
        "/accounts/find",
        acc::REQUEST_WITH_CONSENT_AND_REQUEST_META_AND_ACCOUNT_ID,
        "account",
    ),
    (
        "/accounts/balances",
        acc::REQUEST_WITH_CONSENT_AND_REQUEST_META_AND_ACCOUNT_ID,
        "account",
    ),
    (
        "/accounts/transactions",
        acc::REQUEST_TRANSACTIONS,
        "account",
    ),
    (
        "/accounts/transactions-current",
        acc::REQUEST_TRANSACTIONS_CURRENT,
        "account",
    ),
    (
        "/accounts/overdraft-limits",
        acc::REQUEST_WITH_CONSENT_AND_REQUEST_META_AND_ACCOUNT_ID,
        "account",
    ),
    (
        "/credit-cards/account-discovery",
        cc::REQUEST_WITH_CONSENT_AND_REQUEST_META,
        "",
    ),
    (
        "/credit-cards/accounts",
        cc::REQUEST_WITH_CONSENT_AND_REQUEST_META_AND_PAGINATION,
        "",
    ),
    (
        "/credit-cards/find",
        cc::REQUEST_WITH_CONSENT_AND_REQUEST_META_AND_CREDIT_CARD_ACCOUNT_ID,
        "card",
    ),
    ("/credit-cards/bills", cc::REQUEST_BILLS, "card"),
    (
        "/credit-cards/bills-transactions",
        cc::REQUEST_BILLS_TRANSACTIONS,
        "bill",
    ),
    (
        "/credit-cards/limits",
        cc::REQUEST_WITH_CONSENT_AND_REQUEST_META_AND_CREDIT_CARD_ACCOUNT_ID,
        "card",
    ),
    (
        "/credit-cards/transactions",
        cc::REQUEST_TRANSACTIONS,
        "card",
    ),
    (
        "/credit-cards/transactions-current",
        cc::REQUEST_TRANSACTIONS_CURRENT,
        "card",
    ),
    (
        "/customers/personal/identifications",
        cus::REQUEST_WITH_CONSENT_AND_REQUEST_META_AND_PAGINATION,
        "",
    ),
    (
        "/customers/personal/qualifications",
        cus::REQUEST_WITH_CONSENT_AND_REQUEST_META,
        "",
    ),
    (
        "/customers/personal/financial-relations",
        cus::REQUEST_WITH_CONSENT_AND_REQUEST_META,
        "",
    ),
    (
        "/customers/business/identifications",
        cus::REQUEST_WITH_CONSENT_AND_REQUEST_META_AND_PAGINATION,
        "",
    ),
    (
        "/customers/business/qualifications",
        cus::REQUEST_WITH_CONSENT_AND_REQUEST_META,
        "",
    ),
    (
        "/customers/business/financial-relations",
        cus::REQUEST_WITH_CONSENT_AND_REQUEST_META,
        "",
    ),
];

fn legacy(id: &str) -> Value {
    json!([{ "key": "internalResourceId", "value": id }])
}

/// The example request, for customer `i`'s first account, card or bill, without the
/// example's filters (its dates would select nothing).
fn request(example: &str, target: &str, i: u64, page: u64) -> Vec<u8> {
    let mut v: Value = serde_json::from_str(example).expect("the example parses");
    v["consent"]["loggedUser"]["document"]["identification"] = json!(customer(i));
    let id = account(i, 0);
    let card = format!("card-{id}");
    match target {
        "account" => v["accountId"] = legacy(&id),
        "card" => v["creditCardAccountId"] = legacy(&card),
        "bill" => {
            v["creditCardAccountId"] = legacy(&card);
            v["billId"] = legacy(&format!("{card}-bill-0"));
        }
        _ => {}
    }
    if let Some(o) = v.as_object_mut() {
        for filter in [
            "fromBookingDate",
            "toBookingDate",
            "fromDueDate",
            "toDueDate",
            "fromTransactionDate",
            "toTransactionDate",
            "creditDebitIndicator",
            "accountType",
            "pagination-key",
            "creditCardPayeeMCC",
        ] {
            o.remove(filter);
        }
        if o.contains_key("page") {
            o.insert(String::from("page"), json!(page));
            o.insert(String::from("pageSize"), json!(20));
        }
    }
    serde_json::to_vec(&v).expect("serializes")
}

async fn post(
    server: &TestServer,
    path: &str,
    body: &[u8],
) -> ofb_runtime::server::testing::Answer {
    server
        .call(
            "POST",
            path,
            &[("content-type", "application/json")],
            Some(body),
        )
        .await
}

/// Every operation answers 200 with data from the store; transactions page by SQL; another
/// customer's account is a 404 in the envelope.
async fn every_operation_answers(url: &str) {
    let store = Store::open(url, 4).await.expect("the store opens");
    assert_eq!(
        ofb_institution::seed::seed(&store, &SEED)
            .await
            .expect("seeds"),
        3
    );
    // Opening again migrates nothing and seeds nothing.
    let again = Store::open(url, 2).await.expect("reopens");
    assert_eq!(
        ofb_institution::seed::seed(&again, &SEED)
            .await
            .expect("no-op"),
        3
    );
    let router = app(
        Institution::new(store),
        &Prefixes::default(),
        Config::default(),
    );
    let server = TestServer::start(router).await;
    for (path, example, target) in CALLS {
        let a = post(&server, path, &request(example, target, 1, 1)).await;
        assert_eq!(a.status, 200, "{url} {path}: {}", a.text());
        let v: Value = serde_json::from_slice(&a.body).expect("JSON");
        let data = &v["data"];
        let empty = data.as_array().is_some_and(Vec::is_empty)
            || data["resources"].as_array().is_some_and(Vec::is_empty);
        assert!(!data.is_null() && !empty, "{path}: no data: {v}");
    }
    // 30 transactions, 20 a page: the second page has the other 10, and says it is the last.
    let tx = acc::REQUEST_TRANSACTIONS;
    let first: Value = serde_json::from_slice(
        &post(
            &server,
            "/accounts/transactions",
            &request(tx, "account", 1, 1),
        )
        .await
        .body,
    )
    .expect("JSON");
    let second: Value = serde_json::from_slice(
        &post(
            &server,
            "/accounts/transactions",
            &request(tx, "account", 1, 2),
        )
        .await
        .body,
    )
    .expect("JSON");
    assert_eq!(first["data"].as_array().map(Vec::len), Some(20));
    assert_eq!(second["data"].as_array().map(Vec::len), Some(10));
    assert_eq!(
        (
            first["meta"]["hasMoreRecords"].as_bool(),
            second["meta"]["hasMoreRecords"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert_ne!(first["data"][0], second["data"][0]);
    // Customer 1 asking for customer 2's account.
    let mut theirs: Value = serde_json::from_slice(&request(
        acc::REQUEST_WITH_CONSENT_AND_REQUEST_META_AND_ACCOUNT_ID,
        "account",
        1,
        1,
    ))
    .expect("JSON");
    theirs["accountId"] = legacy(&account(2, 0));
    let a = post(
        &server,
        "/accounts/find",
        &serde_json::to_vec(&theirs).expect("JSON"),
    )
    .await;
    expect_error(&a, 404, "another customer's account");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_from_sqlite() {
    let dir = std::env::temp_dir().join(format!("ofb-institution-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    every_operation_answers(&dir.join("db.sqlite3").display().to_string()).await;
    let _ = std::fs::remove_dir_all(&dir);
}

mod postgres;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_from_postgres() {
    let Some(pg) = postgres::Server::start() else {
        return;
    };
    every_operation_answers(&pg.url()).await;
}

/// The institution reaches PostgreSQL over TLS as the URL's `sslmode` asks: `require`
/// encrypts, `verify-full` also checks the server's certificate against `sslrootcert` and its
/// name; a certificate for another name is refused under `verify-full`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_is_reached_over_tls_as_sslmode_asks() {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA");
    let key = rcgen::KeyPair::generate().expect("server key");
    let cert = rcgen::CertificateParams::new(vec![String::from("127.0.0.1")])
        .expect("params")
        .signed_by(&key, &ca)
        .expect("server certificate");
    let Some(pg) = postgres::Server::start_tls(&cert.pem(), &key.serialize_pem()) else {
        return;
    };
    let ca_file = std::env::temp_dir().join(format!("ofb-pg-ca-{}.pem", std::process::id()));
    std::fs::write(&ca_file, ca.pem()).expect("the CA file");
    let encrypted = |url: String| async move {
        let pool = ofb_institution::store::postgres_pool(&url, 1).map_err(|e| e.to_string())?;
        let client = pool.get().await.map_err(|e| e.to_string())?;
        let row = client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok::<bool, String>(row.get(0))
    };
    let base = pg.url();
    let root = ca_file.display().to_string();
    assert_eq!(encrypted(format!("{base}?sslmode=require")).await, Ok(true));
    assert_eq!(
        encrypted(format!("{base}?sslmode=verify-full&sslrootcert={root}")).await,
        Ok(true)
    );
    // The same server, named otherwise: its certificate does not name `localhost`.
    let by_name = base.replace("127.0.0.1", "localhost");
    assert!(
        encrypted(format!("{by_name}?sslmode=verify-full&sslrootcert={root}"))
            .await
            .is_err()
    );
    assert_eq!(
        encrypted(format!("{by_name}?sslmode=verify-ca&sslrootcert={root}")).await,
        Ok(true),
        "verify-ca checks the chain, not the name"
    );
    let _ = std::fs::remove_file(&ca_file);
}
