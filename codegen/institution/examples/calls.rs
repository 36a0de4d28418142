//! One call of each family `ofb-institution` serves, made as the platform makes them, through
//! the generated clients: accounts, credit cards and customers in JSON, the payment connector
//! signed with the key the institution printed. `cargo xtask test` runs it against the server
//! that `cargo xtask institution` starts, as the README gives the command.
//!
//! usage: calls BASE_URL PRIVATE_KEY_PEM KID

use ofb_institution::seed::customer;
use ofb_integration_accounts_v3 as accounts;
use ofb_integration_credit_cards_v2 as cards;
use ofb_integration_customers_v3 as customers;
use ofb_integration_payments_v5 as payments;
use serde_json::{json, Value};
use std::process::ExitCode;

/// The document's example with the consent's logged user set to the seed's first customer.
fn body<T: serde::de::DeserializeOwned>(example: &str) -> Result<T, String> {
    let mut v: Value = serde_json::from_str(example).map_err(|e| e.to_string())?;
    v["consent"]["loggedUser"]["document"]["identification"] = json!(customer(0));
    serde_json::from_value(v).map_err(|e| e.to_string())
}

fn fail(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

async fn calls(base: &str, key: &str, kid: &str) -> Result<(), String> {
    let at = |prefix: &str| format!("{}{prefix}", base.trim_end_matches('/'));

    let client =
        accounts::client::Client::new(&at("/accounts")).map_err(|x| fail("accounts", x))?;
    let r = client
        .discover_accounts(body(
            accounts::examples::REQUEST_WITH_CONSENT_AND_REQUEST_META,
        )?)
        .send()
        .await
        .map_err(|x| fail("accounts", x))?;
    println!("accounts: account discovery answered {}", r.status);

    let client =
        cards::client::Client::new(&at("/credit-cards")).map_err(|x| fail("credit cards", x))?;
    let r = client
        .discover_credit_card_accounts(body(
            cards::examples::REQUEST_WITH_CONSENT_AND_REQUEST_META,
        )?)
        .send()
        .await
        .map_err(|x| fail("credit cards", x))?;
    println!("credit cards: account discovery answered {}", r.status);

    let client =
        customers::client::Client::new(&at("/customers")).map_err(|x| fail("customers", x))?;
    let r = client
        .customers_get_personal_identifications(body(
            customers::examples::REQUEST_WITH_CONSENT_AND_REQUEST_META_AND_PAGINATION,
        )?)
        .send()
        .await
        .map_err(|x| fail("customers", x))?;
    println!("customers: personal identifications answered {}", r.status);

    let pem = std::fs::read(key).map_err(|x| fail(key, x))?;
    let signer = ofb_runtime::jws::Signer::from_rsa_pem(&pem, kid).map_err(|x| fail(key, x))?;
    let config = payments::client::Config::new(at("/payments")).with_signer(signer);
    let client = payments::client::Client::with_config(config).map_err(|x| fail("payments", x))?;
    let r = client
        .post_account_discovery(body(payments::examples::DISCOVERY_ACCOUNTS_PAYMENT)?)
        .await
        .map_err(|x| fail("payments", x))?;
    let found = r.value.data.resources.len();
    if found == 0 {
        return Err(String::from(
            "payments: the customer's accounts were not discovered",
        ));
    }
    println!(
        "payments: signed account discovery answered {} ({found} accounts)",
        r.status
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, key, kid] = args.as_slice() else {
        eprintln!("usage: calls BASE_URL PRIVATE_KEY_PEM KID");
        return ExitCode::from(2);
    };
    match calls(base, key, kid).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
