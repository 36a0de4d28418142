//! One institution under one consent: the regulated clients, pointed at the partner's
//! `/open-finance/...` proxy, each call carrying the session's token, the institution's
//! `x-authorisation-server-id` and the consent's `x-consent-id`.

use ofb_runtime::client::{Config, ConfigError, Core};

macro_rules! families {
    ($($field:ident => $krate:ident,)*) => {
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
                #[doc = concat!(
                    "The client of [`", stringify!($krate), "`], under the partner's `/open-finance` prefix."
                )]
                pub fn $field(&self) -> &$krate::client::Client {
                    &self.$field
                }
            )*
        }
    };
}

regulated_families!(families);
