//! `#[derive(WireEnum)]`: a string enum declares each variant's wire value
//! (`#[wire = "EM_ANÁLISE"]`) and one catch-all variant holding any other value; the derive
//! writes the `VALUES` and `KNOWN` tables and hands the rest (conversions, serde, `Validate`)
//! to `ofb_runtime::wire_enum!`.
//!
//! A variant without `#[wire]` is sent as its name in screaming snake case, by [`screaming`]:
//! `AccountsRead` is `ACCOUNTS_READ`, `ContaDepositoAVista` is `CONTA_DEPOSITO_A_VISTA`. The
//! generator writes `#[wire]` wherever that rule would not give the document's value.

use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::ext::IdentExt;
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

/// A variant name in screaming snake case: an underscore before each capital that follows a
/// lower-case letter or a digit, or that starts a word after an acronym (`HTTPServer` is
/// `HTTP_SERVER`), then everything upper case. `ofb_codegen::naming::screaming` is the same
/// rule: the generator relies on it to leave `#[wire]` out.
pub(crate) fn screaming(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// The wire value of a unit variant: its `#[wire = "..."]`, else its name by [`screaming`].
fn wire(v: &syn::Variant) -> syn::Result<syn::LitStr> {
    let Some(attr) = v.attrs.iter().find(|a| a.path().is_ident("wire")) else {
        let name = screaming(&v.ident.unraw().to_string());
        return Ok(syn::LitStr::new(&name, v.ident.span()));
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

#[cfg(test)]
mod tests {
    use super::screaming;

    /// The same table as `ofb_codegen::naming`'s test: the generator leaves `#[wire]` out
    /// exactly where these two rules agree.
    #[test]
    fn screaming_names_are_the_usual_wire_values() {
        for (name, wire) in [
            ("AccountsRead", "ACCOUNTS_READ"),
            ("ContaDepositoAVista", "CONTA_DEPOSITO_A_VISTA"),
            ("HTTPServer", "HTTP_SERVER"),
            ("Cpf1", "CPF1"),
            ("Tipo1A", "TIPO1_A"),
            ("X", "X"),
        ] {
            assert_eq!(screaming(name), wire, "{name}");
        }
    }
}
