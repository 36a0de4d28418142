//! The derives of generated crates: `Request`, `Response` and `Headers` turn an operation's
//! declarations into its client and server plumbing (see their modules), and `Validate`, for
//! every generated type, so that a generated struct says which rules
//! apply to each field (`#[validate(rules = R4)]`) and the checking code is written here, once.
//!
//! Field attributes: `rules = PATH` (check with those rules), `nested` (the field's type checks
//! itself, which is also what a field without attributes does, when its type has anything to
//! check), `flatten` (members kept beside the declared ones, checked at the object's own
//! level). Struct attributes: `min_properties = N`, `max_properties = N`, and
//! `deny_unknown` (`additionalProperties: false`: undeclared members are reported by
//! `ofb_runtime::decode::validated`). The derive also lets a decoded value be walked by member
//! and item, which is how such members are found. `name = "..."` gives the member name used in
//! pointers where the type has no serde attributes (a request's `x-fapi-auth-date`). Enum
//! variants (one unnamed field each) take `rules = PATH` or check themselves. The member name
//! used in JSON pointers is the field's `#[serde(rename)]`, else its name (in camel case under
//! `#[serde(rename_all = "camelCase")]`).

mod attrs;
mod object;
mod request;
mod response;
mod validate;
mod wire;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `ofb_runtime::Validate` from `#[validate(...)]` attributes.
#[proc_macro_derive(Validate, attributes(validate, param))]
pub fn derive_validate(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    finish(validate::expand(&input))
}

/// Derives a request's `ofb_runtime::client::Request` and `ofb_runtime::server::FromInputs`
/// from `#[request(...)]`, `#[param(...)]` and `#[body(...)]` (see the `request` module).
#[proc_macro_derive(Request, attributes(request, param, body, assumed))]
pub fn derive_request(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    finish(request::expand(&input))
}

/// Derives a response enum's `status()`, `errors()`, `ofb_runtime::client::Response` and
/// `ofb_runtime::server::IntoReply` from `#[status(...)]` (see the `response` module).
#[proc_macro_derive(Response, attributes(status))]
pub fn derive_response(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    finish(response::expand(&input))
}

/// Derives how a struct of response headers is read by the client and written by the server,
/// from each field's `#[param(header = "...")]`.
#[proc_macro_derive(Headers, attributes(param))]
pub fn derive_headers(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    finish(response::expand_headers(&input))
}

/// Derives a string enum's `VALUES` and `KNOWN` tables, conversions, serde and `Validate` from
/// each variant's `#[wire = "..."]` and its catch-all variant (see the `wire` module).
#[proc_macro_derive(WireEnum, attributes(wire))]
pub fn derive_wire_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    finish(wire::expand(&input))
}

/// Marks a generated struct as a JSON object: `Option` fields are optional members (absent
/// when `None`), a field marked `#[required]` is always written, and `new` takes the required
/// fields (see the `object` module). Place it before `#[derive(...)]`.
#[proc_macro_attribute]
pub fn object(args: TokenStream, item: TokenStream) -> TokenStream {
    if !args.is_empty() {
        let args = proc_macro2::TokenStream::from(args);
        return syn::Error::new_spanned(args, "#[object] takes no arguments")
            .to_compile_error()
            .into();
    }
    let input = parse_macro_input!(item as DeriveInput);
    finish(object::expand(input))
}

fn finish(t: syn::Result<proc_macro2::TokenStream>) -> TokenStream {
    match t {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}
