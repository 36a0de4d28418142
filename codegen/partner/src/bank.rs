//! One institution under one consent: the regulated clients, pointed at the partner's
//! `/open-finance/...` proxy, each call carrying the session's token, the institution's
//! `x-authorisation-server-id` and the consent's `x-consent-id`.

use ofb_runtime::client::{Config, ConfigError, Core};

macro_rules! families {
    ($($(#[$doc:meta])* $field:ident => $krate:ident,)*) => {
        /// The regulated reads of one institution under one consent, through the partner.
        ///
        /// Each accessor is the regulated crate's own generated client, so requests, responses
        /// and errors are the regulated types; only the base URL and three headers differ
        /// from calling the institution directly.
        #[derive(Debug, Clone)]
        pub struct Bank {
            authorisation_server_id: String,
            consent_id: String,
            $($field: $krate::client::Client,)*
        }

        impl Bank {
            /// The clients for `consent_id` at `authorisation_server_id`, each built by
            /// `config` from its base URL.
            pub(crate) fn new(
                partner_base: &str,
                authorisation_server_id: &str,
                consent_id: &str,
                config: impl Fn(String) -> Config,
            ) -> Result<Bank, ConfigError> {
                let scoped = |base_path: &str| {
                    let url = format!("{partner_base}{}", crate::proxied_path(base_path));
                    config(url)
                        .header("x-authorisation-server-id", authorisation_server_id)
                        .header("x-consent-id", consent_id)
                };
                Ok(Bank {
                    authorisation_server_id: authorisation_server_id.to_owned(),
                    consent_id: consent_id.to_owned(),
                    $($field: $krate::client::Client::from_core(Core::new(scoped($krate::BASE_PATH))?),)*
                })
            }

            /// The institution (`x-authorisation-server-id`).
            pub fn authorisation_server_id(&self) -> &str {
                &self.authorisation_server_id
            }

            /// The consent (`x-consent-id`).
            pub fn consent_id(&self) -> &str {
                &self.consent_id
            }

            $(
                $(#[$doc])*
                pub fn $field(&self) -> &$krate::client::Client {
                    &self.$field
                }
            )*
        }
    };
}

families! {
    /// Accounts (`/open-finance/accounts/v2`).
    accounts => ofb_regulated_accounts_v2,
    /// Credit cards (`/open-finance/credit-cards-accounts/v2`).
    credit_cards => ofb_regulated_credit_cards_v2,
    /// Customers (`/open-finance/customers/v2`).
    customers => ofb_regulated_customers_v2,
    /// Loans (`/open-finance/loans/v2`).
    loans => ofb_regulated_loans_v2,
    /// Financings (`/open-finance/financings/v2`).
    financings => ofb_regulated_financings_v2,
    /// Invoice financings (`/open-finance/invoice-financings/v2`).
    invoice_financings => ofb_regulated_invoice_financings_v2,
    /// Unarranged account overdraft (`/open-finance/unarranged-accounts-overdraft/v2`).
    unarranged_overdraft => ofb_regulated_unarranged_accounts_overdraft_v2,
    /// Bank fixed incomes (`/open-finance/bank-fixed-incomes/v1`).
    bank_fixed_incomes => ofb_regulated_bank_fixed_incomes_v1,
    /// Credit fixed incomes (`/open-finance/credit-fixed-incomes/v1`).
    credit_fixed_incomes => ofb_regulated_credit_fixed_incomes_v1,
    /// Variable incomes (`/open-finance/variable-incomes/v1`).
    variable_incomes => ofb_regulated_variable_incomes_v1,
    /// Treasury titles (`/open-finance/treasure-titles/v1`).
    treasure_titles => ofb_regulated_treasure_titles_v1,
    /// Funds (`/open-finance/funds/v1`).
    funds => ofb_regulated_funds_v1,
    /// Foreign exchange (`/open-finance/exchanges/v1`).
    exchanges => ofb_regulated_exchanges_v1,
    /// Resources (`/open-finance/resources/v3`): what the consent grants.
    resources => ofb_regulated_resources_v3,
}
