//! `#[derive(Validate)]`: the checks of a generated type, from the rules its fields name.

use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::ext::IdentExt;
use syn::{Attribute, Data, DeriveInput, Fields, LitInt, LitStr, Path};

#[derive(Default)]
struct Opts {
    rules: Option<Path>,
    nested: bool,
    flatten: bool,
    deny_unknown: bool,
    min_properties: Option<u64>,
    max_properties: Option<u64>,
    name: Option<String>,
}

fn opts(attrs: &[Attribute]) -> syn::Result<Opts> {
    let mut o = Opts::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("validate")) {
        attr.parse_nested_meta(|m| {
            if m.path.is_ident("rules") {
                o.rules = Some(m.value()?.parse()?);
            } else if m.path.is_ident("nested") {
                o.nested = true;
            } else if m.path.is_ident("flatten") {
                o.flatten = true;
            } else if m.path.is_ident("deny_unknown") {
                o.deny_unknown = true;
            } else if m.path.is_ident("name") {
                o.name = Some(m.value()?.parse::<LitStr>()?.value());
            } else if m.path.is_ident("min_properties") {
                o.min_properties = Some(m.value()?.parse::<LitInt>()?.base10_parse()?);
            } else if m.path.is_ident("max_properties") {
                o.max_properties = Some(m.value()?.parse::<LitInt>()?.base10_parse()?);
            } else {
                return Err(
                    m.error("expected rules, nested, flatten, name, deny_unknown, min_properties or max_properties")
                );
            }
            Ok(())
        })?;
    }
    // A parameter or header says its name and rules once, in `#[param]`.
    if let Some(p) = crate::attrs::param(attrs)? {
        o.name.get_or_insert(p.wire);
        if o.rules.is_none() && !p.text {
            o.rules = p.rules;
        }
    }
    Ok(o)
}

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let top = opts(&input.attrs)?;
    let camel = crate::attrs::camel_case(&input.attrs)?;
    // How to walk the value by member (wire name) and item, for `decode::validated`.
    let walk: Tokens;
    let (body, uses_v) = match &input.data {
        Data::Struct(s) => {
            let Fields::Named(fields) = &s.fields else {
                return Err(syn::Error::new_spanned(
                    name,
                    "derive(Validate) needs named fields",
                ));
            };
            let mut stmts = Vec::new();
            let mut present = Vec::new();
            let mut arms = Vec::new();
            let mut rest = quote!(::std::option::Option::None);
            for f in &fields.named {
                let Some(ident) = &f.ident else { continue };
                let o = opts(&f.attrs)?;
                let wire = match (o.name.clone(), crate::attrs::serde_rename(&f.attrs)?) {
                    (Some(w), _) | (None, Some(w)) => w,
                    (None, None) if camel => crate::attrs::to_camel(&ident.unraw().to_string()),
                    (None, None) => ident.unraw().to_string(),
                };
                if o.flatten {
                    rest = quote!(::ofb_runtime::Validate::member(&self.#ident, name));
                } else {
                    arms.push(quote!(#wire => ::std::option::Option::Some(&self.#ident),));
                }
                if o.flatten {
                    present.push(quote!(self.#ident.len()));
                } else if crate::attrs::is_option(&f.ty) {
                    present.push(quote!(usize::from(self.#ident.is_some())));
                } else {
                    present.push(quote!(1usize));
                }
                let stmt = match (&o.rules, o.nested, o.flatten) {
                    (Some(r), _, true) => {
                        quote!(::ofb_runtime::Validate::validate_with(&self.#ident, v, &#r);)
                    }
                    (Some(r), _, false) => quote!(v.field(#wire, &self.#ident, &#r);),
                    (None, true, _) => quote!(v.member(#wire, &self.#ident);),
                    (None, false, true) => {
                        quote!(::ofb_runtime::Validate::validate_into(&self.#ident, v);)
                    }
                    // No rules of its place: the value checks itself, if its type has
                    // anything to check (`Validate::has_checks`).
                    (None, false, _) => quote!(v.member(#wire, &self.#ident);),
                };
                stmts.push(stmt);
            }
            if top.min_properties.is_some() || top.max_properties.is_some() {
                let opt = |n: Option<u64>| match n {
                    Some(n) => quote!(::std::option::Option::Some(#n)),
                    None => quote!(::std::option::Option::None),
                };
                let (min, max) = (opt(top.min_properties), opt(top.max_properties));
                stmts.push(quote! {
                    ::ofb_runtime::check::properties(v, 0usize #(+ #present)*, #min, #max);
                });
            }
            let forbids = top.deny_unknown;
            walk = quote! {
                fn member(&self, name: &str) -> ::std::option::Option<&dyn ::ofb_runtime::Validate> {
                    match name {
                        #(#arms)*
                        _ => #rest,
                    }
                }
                fn forbids_unknown(&self) -> bool {
                    #forbids
                }
            };
            let uses = !stmts.is_empty();
            (quote!(#(#stmts)*), uses)
        }
        Data::Enum(e) => {
            let mut arms = Vec::new();
            let mut inner = Vec::new();
            let mut uses = false;
            for var in &e.variants {
                let vname = &var.ident;
                let o = opts(&var.attrs)?;
                uses |= matches!(var.fields, Fields::Unnamed(_));
                inner.push(match &var.fields {
                    Fields::Unnamed(_) => quote!(Self::#vname(x) => x,),
                    Fields::Unit => quote!(Self::#vname => return ::std::option::Option::None,),
                    Fields::Named(_) => {
                        quote!(Self::#vname { .. } => return ::std::option::Option::None,)
                    }
                });
                let arm = match (&o.rules, o.nested, &var.fields) {
                    (Some(r), _, Fields::Unnamed(_)) => {
                        quote!(Self::#vname(x) => ::ofb_runtime::Validate::validate_with(x, v, &#r),)
                    }
                    (None, true, Fields::Unnamed(_)) => {
                        quote!(Self::#vname(x) => ::ofb_runtime::Validate::validate_into(x, v),)
                    }
                    (_, _, Fields::Unnamed(_)) => {
                        quote!(Self::#vname(x) => ::ofb_runtime::Validate::validate_into(x, v),)
                    }
                    (_, _, Fields::Unit) => quote!(Self::#vname => {}),
                    (_, _, Fields::Named(_)) => quote!(Self::#vname { .. } => {}),
                };
                arms.push(arm);
            }
            // A union walks through whichever alternative the value is.
            walk = quote! {
                fn member(&self, name: &str) -> ::std::option::Option<&dyn ::ofb_runtime::Validate> {
                    let x: &dyn ::ofb_runtime::Validate = match self { #(#inner)* };
                    x.member(name)
                }
                fn item(&self, index: usize) -> ::std::option::Option<&dyn ::ofb_runtime::Validate> {
                    let x: &dyn ::ofb_runtime::Validate = match self { #(#inner)* };
                    x.item(index)
                }
            };
            (quote!(match self { #(#arms)* }), uses)
        }
        Data::Union(_) => {
            return Err(syn::Error::new_spanned(
                name,
                "derive(Validate) does not support unions",
            ))
        }
    };
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let param = if uses_v { quote!(v) } else { quote!(_v) };
    Ok(quote! {
        // Deprecated fields are still checked: the document still constrains them.
        #[allow(deprecated)]
        impl #impl_generics ::ofb_runtime::Validate for #name #ty_generics #where_clause {
            fn validate_into(&self, #param: &mut ::ofb_runtime::Validator) {
                #body
            }
            #walk
        }
    })
}
