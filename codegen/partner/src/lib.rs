//! The data receiver's side of the partner API, on the generated clients.
//!
//! The partner hides the FAPI plumbing behind a few calls: a token, a consent, and a
//! transparent proxy to the regulated reads under `/open-finance/...`. This crate is the thin
//! hand-written layer that a session needs on top of the generated
//! [`ofb_partner_data_receiver_v1`] client, and nothing more:
//!
//! - [`Session`] logs in, holds the access token and refreshes it before it expires (logging in
//!   again when the refresh token is refused), for every call made through it;
//! - [`consent`]: the permission strings ([`Permission`]), the seed's category-to-permissions
//!   mapping as [`Category`], the consent status as [`ConsentStatus`], and [`ConsentRequest`];
//! - [`directory`]: the participants filter by role (`DADOS`) and claim status (`Active`);
//! - [`Bank`]: one institution under one consent, reaching every proxied regulated read through
//!   the regulated crates' own clients and types, with `x-authorisation-server-id` and
//!   `x-consent-id` set on every call. No type is defined twice.
//!
//! Reads are billable: no call is retried unless [`SessionBuilder::retry`] says so.

/// Hands the regulated families the partner proxies, `field => crate`, to the macro `$then`:
/// the one list that [`Bank`] and the local stand-in are both built from.
macro_rules! regulated_families {
    ($then:ident) => {
        $then! {
            accounts => ofb_regulated_accounts_v2,
            credit_cards => ofb_regulated_credit_cards_v2,
            customers => ofb_regulated_customers_v2,
            loans => ofb_regulated_loans_v2,
            financings => ofb_regulated_financings_v2,
            invoice_financings => ofb_regulated_invoice_financings_v2,
            unarranged_overdraft => ofb_regulated_unarranged_accounts_overdraft_v2,
            bank_fixed_incomes => ofb_regulated_bank_fixed_incomes_v1,
            credit_fixed_incomes => ofb_regulated_credit_fixed_incomes_v1,
            variable_incomes => ofb_regulated_variable_incomes_v1,
            treasure_titles => ofb_regulated_treasure_titles_v1,
            funds => ofb_regulated_funds_v1,
            exchanges => ofb_regulated_exchanges_v1,
            resources => ofb_regulated_resources_v3,
        }
    };
}

pub mod bank;
pub mod consent;
pub mod directory;
#[cfg(feature = "local")]
pub mod local;
mod session;

pub use bank::Bank;
pub use consent::{Category, ConsentRequest, UserDocument};
pub use directory::{ClaimStatus, Filter, Role};
pub use ofb_partner_data_receiver_v1 as api;
pub use ofb_partner_data_receiver_v1::types::{ConsentStatus, Permission};
pub use session::{Credentials, LoginError, Session, SessionBuilder};

/// Where the partner serves a regulated API: its document's base path with `/open-banking`
/// replaced by `/open-finance` (`/open-finance/accounts/v2`).
pub fn proxied_path(regulated_base_path: &str) -> String {
    let rest = regulated_base_path
        .strip_prefix("/open-banking")
        .unwrap_or(regulated_base_path);
    format!("/open-finance{rest}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn proxied_paths_swap_the_prefix() {
        assert_eq!(
            super::proxied_path("/open-banking/accounts/v2"),
            "/open-finance/accounts/v2"
        );
        assert_eq!(
            super::proxied_path("/other/x/v1"),
            "/open-finance/other/x/v1"
        );
    }
}
