//! `#[optional_fields]`: every `Option` field of a generated struct is an optional member,
//! absent from the JSON when `None` and `None` when absent, so the struct says it once instead
//! of a `#[serde(default, skip_serializing_if = ...)]` on each field. A field marked
//! `#[required]` is a required member that may be `null` (it is always written); the marker is
//! removed here.

use crate::attrs;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{parse_quote, Data, DeriveInput, Fields};

pub(crate) fn expand(mut input: DeriveInput) -> syn::Result<Tokens> {
    let Data::Struct(s) = &mut input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[optional_fields] applies to structs",
        ));
    };
    let Fields::Named(fields) = &mut s.fields else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[optional_fields] needs named fields",
        ));
    };
    for f in &mut fields.named {
        let required = f.attrs.iter().any(|a| a.path().is_ident("required"));
        f.attrs.retain(|a| !a.path().is_ident("required"));
        if attrs::is_option(&f.ty) && !required {
            f.attrs.push(parse_quote!(
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
            ));
        }
    }
    Ok(quote!(#input))
}
