//! `#[object]`, on a generated struct (a JSON object of the document):
//!
//! - every `Option` field is an optional member, absent from the JSON when `None` and `None`
//!   when absent, so the struct says it once instead of a
//!   `#[serde(default, skip_serializing_if = ...)]` on each field; a field marked `#[required]`
//!   is a required member that may be `null` (always written), and the marker is removed here;
//! - `new` takes the required fields in order and leaves the optional ones absent (and the
//!   members kept beside the declared ones, `#[serde(flatten)]`, empty), so that nobody writes
//!   out, or allows, optional and deprecated fields to make a value. A struct without required
//!   fields gets no `new` (it derives `Default`).

use crate::attrs;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{parse_quote, Data, DeriveInput, Fields};

pub(crate) fn expand(mut input: DeriveInput) -> syn::Result<Tokens> {
    let name = input.ident.clone();
    let Data::Struct(s) = &mut input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[object] applies to structs",
        ));
    };
    let Fields::Named(fields) = &mut s.fields else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[object] needs named fields",
        ));
    };
    let mut params = Vec::new();
    let mut inits = Vec::new();
    for f in &mut fields.named {
        let required = f.attrs.iter().any(|a| a.path().is_ident("required"));
        f.attrs.retain(|a| !a.path().is_ident("required"));
        let Some(ident) = f.ident.clone() else {
            continue;
        };
        let flattened = f.attrs.iter().any(|a| {
            a.path().is_ident("serde")
                && a.meta
                    .require_list()
                    .is_ok_and(|l| l.tokens.to_string() == "flatten")
        });
        let ty = &f.ty;
        if flattened {
            inits.push(quote!(#ident: ::std::default::Default::default(),));
        } else if attrs::is_option(ty) && !required {
            f.attrs.push(parse_quote!(
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
            ));
            inits.push(quote!(#ident: ::std::option::Option::None,));
        } else {
            params.push(quote!(#ident: #ty));
            inits.push(quote!(#ident,));
        }
    }
    let new = (!params.is_empty()).then(|| {
        quote! {
            #[allow(deprecated)]
            impl #name {
                /// A value with its required fields; the optional ones are absent.
                #[allow(clippy::too_many_arguments)]
                pub fn new(#(#params),*) -> Self {
                    Self { #(#inits)* }
                }
            }
        }
    });
    Ok(quote!(#input #new))
}
