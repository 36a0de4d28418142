//! A local stand-in for the partner (feature `local`): the generated partner router with its
//! example back-end, and every proxied regulated router with its own, mounted where the partner
//! serves them. No traffic leaves the machine; tests, demos and `cargo xtask quickstart` run
//! against it.

use crate::api;
use crate::proxied_path;

macro_rules! mount {
    ($($field:ident => $krate:ident,)*) => {
        /// The regulated routers, with their example back-ends, under `/open-finance/...`,
        /// mounted on `partner` (the partner API's own router, with whatever back-end the
        /// caller chose).
        pub fn with_regulated(partner: axum::Router) -> axum::Router {
            let mut r = partner;
            $(
                r = r.nest(
                    &proxied_path($krate::BASE_PATH),
                    $krate::server::router($krate::mock::Examples::default()),
                );
            )*
            r
        }
    };
}

regulated_families!(mount);

/// The whole partner, every back-end answering the documents' examples.
pub fn router() -> axum::Router {
    with_regulated(api::server::router(api::mock::Examples::default()))
}
