//! The optional parameters several operations take alike, and the names their shared setters
//! and markers take in the client: what `client` declares and `operations` marks `shared`.

use crate::model::{Api, Param, SharedParam};
use crate::naming::Scope;
use std::collections::BTreeMap;

/// Names a call has for itself; a parameter setter that would take one is prefixed `set_`.
pub const CALL_METHODS: [&str; 8] = [
    "send",
    "x_fapi_interaction_id",
    "pages",
    "request",
    "timeout",
    "header",
    "unchecked",
    "into_future",
];

/// The shared parameters whose marker and setter names are free, by Rust name: one setter on
/// every call that has them. A clash of names keeps both parameters per operation.
pub type Shared<'a> = BTreeMap<&'a str, SharedParam<'a>>;

/// See [`Shared`].
pub fn shared(api: &Api) -> Shared<'_> {
    let mut markers = Scope::default();
    let mut setters = Scope::with_reserved(&CALL_METHODS);
    api.shared_params()
        .into_iter()
        .filter(|(_, s)| {
            let (m, f) = (marker(&s.param.name), setter_name(s.param));
            markers.claim(&m) == m && setters.claim(&f) == f
        })
        .collect()
}

/// A field name in upper camel case (`x_fapi_auth_date` is `XFapiAuthDate`): the marker of a
/// shared parameter, by the same rule as `derive(Request)`'s.
pub fn marker(field: &str) -> String {
    field
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The setter a parameter's name wants: itself, or `set_<name>` where that is a call's own
/// method.
pub fn setter_name(p: &Param) -> String {
    let n = p.name.as_str();
    if CALL_METHODS.contains(&n) {
        format!("set_{n}")
    } else {
        p.name.clone()
    }
}
