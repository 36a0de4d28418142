//! How emitted code names what the crate does not declare. Short names read as hand-written
//! code does: the standard prelude's (`String`, `Option`, `Vec`, `Box`) everywhere, and the
//! runtime's (`DecimalString`, `Validate`, serde's derives...) in the modules that glob-import
//! `ofb_runtime::prelude` (`types` and `operations`). Where the crate declares a type of the
//! same name (a schema called `Option` or `Date`), that name is spelt in full instead, so the
//! hostile document still compiles and means what it says.

use crate::model::Api;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// A standard prelude name (`String`, `Option`, `Vec`, `Box`, `Some`, `None`, `Into`,
/// `Default`): short unless
/// the crate declares a type so named.
pub fn std(api: &Api, short: &str) -> TokenStream {
    // `Some` and `None` come with `Option`: a crate that declares `Option` spells all three.
    let shadowed =
        api.declares(short) || (matches!(short, "Some" | "None") && api.declares("Option"));
    if !shadowed {
        let i = Ident::new(short, Span::call_site());
        return quote!(#i);
    }
    match short {
        "String" => quote!(::std::string::String),
        "Option" => quote!(::std::option::Option),
        "Vec" => quote!(::std::vec::Vec),
        "Box" => quote!(::std::boxed::Box),
        "Some" => quote!(::std::option::Option::Some),
        "None" => quote!(::std::option::Option::None),
        "Into" => quote!(::std::convert::Into),
        "Default" => quote!(::std::default::Default),
        other => {
            let i = Ident::new(other, Span::call_site());
            quote!(::std::#i)
        }
    }
}

/// A runtime item of `ofb_runtime::prelude` (`DecimalString`, `Validate`, `Serialize`...): short
/// where the module imports the prelude (`prelude`) and the crate declares no type so named.
pub fn rt(api: &Api, short: &str, prelude: bool) -> TokenStream {
    let i = Ident::new(short, Span::call_site());
    if prelude && !api.declares(short) {
        return quote!(#i);
    }
    match short {
        "Serialize" | "Deserialize" => quote!(::serde::#i),
        _ => quote!(::ofb_runtime::#i),
    }
}

/// `use ofb_runtime::prelude::*;`, for a module whose names [`rt`] shortens.
pub fn prelude_import() -> TokenStream {
    quote!(
        use ofb_runtime::prelude::*;
    )
}
