//! A local stand-in for the partner (feature `local`): the generated partner router with its
//! example back-end, and every proxied regulated router with its own, mounted where the partner
//! serves them. No traffic leaves the machine; tests, demos and `cargo xtask quickstart` run
//! against it.

use crate::api;
use crate::proxied_path;

macro_rules! mount {
    ($router:expr, $($krate:ident),* $(,)?) => {{
        let mut r = $router;
        $(
            r = r.nest(
                &proxied_path($krate::BASE_PATH),
                $krate::server::router($krate::mock::Examples::default()),
            );
        )*
        r
    }};
}

/// The regulated routers, with their example back-ends, under `/open-finance/...`, mounted on
/// `partner` (the partner API's own router, with whatever back-end the caller chose).
pub fn with_regulated(partner: axum::Router) -> axum::Router {
    mount!(
        partner,
        ofb_regulated_accounts_v2,
        ofb_regulated_credit_cards_v2,
        ofb_regulated_customers_v2,
        ofb_regulated_loans_v2,
        ofb_regulated_financings_v2,
        ofb_regulated_invoice_financings_v2,
        ofb_regulated_unarranged_accounts_overdraft_v2,
        ofb_regulated_bank_fixed_incomes_v1,
        ofb_regulated_credit_fixed_incomes_v1,
        ofb_regulated_variable_incomes_v1,
        ofb_regulated_treasure_titles_v1,
        ofb_regulated_funds_v1,
        ofb_regulated_exchanges_v1,
        ofb_regulated_resources_v3,
    )
}

/// The whole partner, every back-end answering the documents' examples.
pub fn router() -> axum::Router {
    with_regulated(api::server::router(api::mock::Examples::default()))
}
