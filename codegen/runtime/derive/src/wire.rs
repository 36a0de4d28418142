//! `#[derive(WireEnum)]`: a string enum declares each variant's wire value
//! (`#[wire = "EM_ANALISE"]`) and one catch-all variant holding any other value; the derive
//! writes the `VALUES` and `KNOWN` tables and hands the rest (conversions, serde, `Validate`)
//! to `ofb_runtime::wire_enum!`.

use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{Data, DeriveInput, Expr, ExprLit, Fields, Lit, Meta};

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let Data::Enum(e) = &input.data else {
        return Err(syn::Error::new_spanned(
            name,
            "derive(WireEnum) needs an enum",
        ));
    };
    let mut values = Vec::new();
    let mut known = Vec::new();
    let mut unknown = None;
    for v in &e.variants {
        let ident = &v.ident;
        match &v.fields {
            Fields::Unit => {
                let wire = wire(v)?;
                values.push(wire);
                known.push(quote!(Self::#ident));
            }
            Fields::Unnamed(f) if f.unnamed.len() == 1 && unknown.is_none() => {
                unknown = Some(ident.clone());
            }
            _ => {
                return Err(syn::Error::new_spanned(
                    v,
                    "a wire enum has unit variants with #[wire = \"...\"] and one catch-all holding a String",
                ))
            }
        }
    }
    let Some(unknown) = unknown else {
        return Err(syn::Error::new_spanned(
            name,
            "a wire enum needs a catch-all variant holding a String, for values it does not list",
        ));
    };
    Ok(quote! {
        impl #name {
            /// Every value the document lists, as sent on the wire.
            pub const VALUES: &'static [&'static str] = &[#(#values),*];
            /// The variant of each of [`Self::VALUES`], in the same order.
            pub const KNOWN: &'static [Self] = &[#(#known),*];
        }
        ::ofb_runtime::wire_enum!(#name, #unknown);
    })
}

/// The `#[wire = "..."]` of a unit variant.
fn wire(v: &syn::Variant) -> syn::Result<syn::LitStr> {
    let Some(attr) = v.attrs.iter().find(|a| a.path().is_ident("wire")) else {
        return Err(syn::Error::new_spanned(
            v,
            "each known variant needs #[wire = \"value\"]",
        ));
    };
    match &attr.meta {
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Ok(s.clone()),
            _ => Err(syn::Error::new_spanned(
                attr,
                "expected #[wire = \"value\"]",
            )),
        },
        _ => Err(syn::Error::new_spanned(
            attr,
            "expected #[wire = \"value\"]",
        )),
    }
}
