//! A reference institution: the integration layer of accounts, credit cards and customers, and
//! the payment connector, built only on the generated crates and the runtime, answering from a
//! real database (an SQLite file by default, PostgreSQL given a URL).
//!
//! - [`store`]: the records and the two reads every operation makes, paged by SQL;
//! - [`seed`]: made-up customers, each record a document's own example made unique;
//! - [`families`]: the three generated traits, implemented on the store;
//! - [`answer`]: records into the documents' answers, errors into the envelope;
//! - [`baseline`]: the same reads as hand-written axum handlers, for `cargo xtask bench platform`;
//! - [`payments`]: the payment connector on the same database, with its rules and statuses;
//! - [`replicas`]: the replay record and idempotency keys that replicas share on PostgreSQL.
//!
//! [`app`] serves the three families under their prefixes in one process, and
//! [`with_payments`] adds the payment connector beside them.

pub mod answer;
pub mod baseline;
pub mod families;
pub mod payments;
pub mod pg_tls;
pub mod replicas;
pub mod seed;
pub mod store;

pub use families::Institution;

use ofb_integration_accounts_v3 as accounts;
use ofb_integration_credit_cards_v2 as cards;
use ofb_integration_customers_v3 as customers;

/// Where each family is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefixes {
    /// Accounts (default `/accounts`).
    pub accounts: String,
    /// Credit cards (default `/credit-cards`).
    pub credit_cards: String,
    /// Customers (default `/customers`).
    pub customers: String,
    /// The payment connector (default `/payments`).
    pub payments: String,
}

impl Default for Prefixes {
    fn default() -> Self {
        Prefixes {
            accounts: String::from("/accounts"),
            credit_cards: String::from("/credit-cards"),
            customers: String::from("/customers"),
            payments: String::from("/payments"),
        }
    }
}

impl Prefixes {
    /// Sets one prefix from `family=/path` (`accounts`, `credit-cards`, `customers` or
    /// `payments`).
    pub fn set(&mut self, spec: &str) -> Result<(), String> {
        let (family, path) = spec
            .split_once('=')
            .ok_or_else(|| format!("`{spec}`: write FAMILY=/path"))?;
        let path = path.trim_end_matches('/');
        if !path.starts_with('/') {
            return Err(format!(
                "`{spec}`: the path must start with / and name something"
            ));
        }
        let slot = match family {
            "accounts" => &mut self.accounts,
            "credit-cards" => &mut self.credit_cards,
            "customers" => &mut self.customers,
            "payments" => &mut self.payments,
            other => {
                return Err(format!(
                "`{other}`: the families served are accounts, credit-cards, customers and payments"
            ))
            }
        };
        *slot = path.to_owned();
        Ok(())
    }
}

/// The three generated routers, each under its prefix, sharing one `config` (and so one limit
/// of requests in flight).
pub fn app(
    institution: Institution,
    prefixes: &Prefixes,
    config: ofb_runtime::server::Config,
) -> axum::Router {
    axum::Router::new()
        .nest(
            &prefixes.accounts,
            accounts::server::router_with(institution.clone(), config.clone()),
        )
        .nest(
            &prefixes.credit_cards,
            cards::server::router_with(institution.clone(), config.clone()),
        )
        .nest(
            &prefixes.customers,
            customers::server::router_with(institution, config),
        )
}

/// `app` with the payment connector under its prefix. Its `config` carries the verifier of
/// the platform's signed bodies and the idempotency store (shared by replicas on PostgreSQL:
/// [`replicas::SharedStores`]).
pub fn with_payments(
    app: axum::Router,
    connector: payments::Connector,
    prefixes: &Prefixes,
    config: ofb_runtime::server::Config,
) -> axum::Router {
    app.nest(
        &prefixes.payments,
        ofb_integration_payments_v5::server::router_with(connector, config),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_set_by_family() {
        let mut p = Prefixes::default();
        p.set("accounts=/open-banking/accounts/v2/").unwrap();
        assert_eq!(p.accounts, "/open-banking/accounts/v2");
        assert!(p.set("loans=/x").is_err());
        assert!(p.set("accounts").is_err());
        assert!(p.set("customers=/").is_err());
        assert!(p.set("customers=//").is_err());
    }
}
