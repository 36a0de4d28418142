//! `Validate` implementations: every violation of every constraint, each at its JSON pointer.
//! Checks call the runtime's `check` functions, so the rules live once, in hand-written code.

use crate::model::{Additional, Api, Format, Shape, Ty, TypeDef, TypeKind};
use crate::naming::ident;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// Collects the patterns the emitted checks use, so only those get a `static`.
#[derive(Default)]
pub struct Used {
    /// Pattern ids referenced by emitted code.
    pub patterns: BTreeSet<usize>,
}

/// `Validate` impls for every type that needs one.
pub fn impls(api: &Api, used: &mut Used) -> TokenStream {
    let items = api.types.iter().map(|t| type_impl(api, t, used));
    quote!(#(#items)*)
}

fn impl_block(name: &proc_macro2::Ident, body: TokenStream) -> TokenStream {
    impl_block_with(name, body, quote!())
}

fn impl_block_with(
    name: &proc_macro2::Ident,
    body: TokenStream,
    attrs: TokenStream,
) -> TokenStream {
    let param = if body.is_empty() {
        quote!(_v)
    } else {
        quote!(v)
    };
    quote! {
        #attrs
        impl ::ofb_runtime::Validate for #name {
            fn validate_into(&self, #param: &mut ::ofb_runtime::Validator) {
                #body
            }
        }
    }
}

fn type_impl(api: &Api, t: &TypeDef, used: &mut Used) -> TokenStream {
    let name = ident(&t.name);
    match &t.kind {
        // Aliases inherit the impl of what they name (or the runtime's, for std types).
        TypeKind::Alias(_) | TypeKind::Envelope { .. } => quote!(),
        TypeKind::Enum(_) => impl_block(
            &name,
            quote! {
                if let Self::Unknown(value) = self {
                    ::ofb_runtime::check::enum_value(v, value, Self::VALUES);
                }
            },
        ),
        TypeKind::Union(u) => {
            let arms = u.variants.iter().map(|var| {
                let n = ident(&var.name);
                match checks(api, &var.shape, quote!(x), used) {
                    Some(body) => quote!(Self::#n(x) => { #body }),
                    None => quote!(Self::#n(_) => {}),
                }
            });
            impl_block(&name, quote!(match self { #(#arms)* }))
        }
        TypeKind::Struct(s) => {
            let mut body = Vec::new();
            for f in &s.fields {
                let fname = ident(&f.name);
                let wire = &f.wire;
                let inner = Shape {
                    nullable: false,
                    ..f.shape.clone()
                };
                let Some(check) = checks(api, &inner, quote!(x), used) else {
                    continue;
                };
                let nullable = f.shape.nullable && f.shape.ty != Ty::Any;
                let access = match (f.required, nullable) {
                    (true, false) => quote!(let x = &self.#fname;),
                    (true, true) | (false, false) => {
                        quote!(let ::std::option::Option::Some(x) = &self.#fname else { break 'field; };)
                    }
                    (false, true) => quote! {
                        let ::std::option::Option::Some(::std::option::Option::Some(x)) = &self.#fname else { break 'field; };
                    },
                };
                // A labelled block keeps optional fields flat instead of nesting `if let`s.
                let uses_break = !matches!((f.required, nullable), (true, false));
                let block = if uses_break {
                    quote!('field: { #access v.at_field(#wire, |v| { #check }); })
                } else {
                    quote!({ #access v.at_field(#wire, |v| { #check }); })
                };
                body.push(block);
            }
            if s.min_properties.is_some() || s.max_properties.is_some() {
                let count = s.fields.len();
                let min = opt_u64(s.min_properties);
                let max = opt_u64(s.max_properties);
                let extra = if matches!(s.additional, Additional::Kept(_)) {
                    quote!(+ self.additional_properties.len())
                } else {
                    quote!()
                };
                let present = s.fields.iter().map(|f| {
                    let fname = ident(&f.name);
                    if f.required {
                        quote!(1usize)
                    } else {
                        quote!(usize::from(self.#fname.is_some()))
                    }
                });
                let _ = count;
                body.push(quote! {
                    ::ofb_runtime::check::properties(v, 0usize #(+ #present)* #extra, #min, #max);
                });
            }
            if let Additional::Kept(shape) = &s.additional {
                if let Some(check) = checks(api, shape, quote!(x), used) {
                    body.push(quote! {
                        for (key, x) in &self.additional_properties {
                            v.at_key(key, |v| { #check });
                        }
                    });
                }
            }
            // Deprecated fields are still validated: the document still constrains them.
            let attrs = if s.fields.iter().any(|f| f.deprecated) {
                quote!(#[allow(deprecated)])
            } else {
                quote!()
            };
            impl_block_with(&name, quote!(#(#body)*), attrs)
        }
    }
}

fn opt_u64(v: Option<u64>) -> TokenStream {
    match v {
        Some(n) => quote!(::std::option::Option::Some(#n)),
        None => quote!(::std::option::Option::None),
    }
}

fn opt_f64(v: Option<f64>) -> TokenStream {
    match v {
        Some(n) => quote!(::std::option::Option::Some(#n)),
        None => quote!(::std::option::Option::None),
    }
}

fn format_path(f: Format) -> TokenStream {
    let name = format_ident!("{}", format!("{f:?}"));
    quote!(::ofb_runtime::Format::#name)
}

/// Statements that check the value `x` (a reference) against `shape`, or `None` when there is
/// nothing to check. A nullable shape's `x` is an `Option`.
pub fn checks(api: &Api, shape: &Shape, x: TokenStream, used: &mut Used) -> Option<TokenStream> {
    if shape.nullable && shape.ty != Ty::Any {
        let inner = Shape {
            nullable: false,
            ..shape.clone()
        };
        let body = checks(api, &inner, quote!(x), used)?;
        return Some(quote!(if let ::std::option::Option::Some(x) = #x { #body }));
    }
    let c = &shape.c;
    let mut out: Vec<TokenStream> = Vec::new();
    let string_checks = |s: TokenStream, used: &mut Used| -> Option<TokenStream> {
        let pattern = c.pattern.map(|p| {
            used.patterns.insert(p);
            let id = format_ident!("P{}", p);
            quote!(::std::option::Option::Some(&crate::patterns::#id))
        });
        if c.min_length.is_none() && c.max_length.is_none() && pattern.is_none() {
            return None;
        }
        let min = opt_u64(c.min_length);
        let max = opt_u64(c.max_length);
        let p = pattern.unwrap_or(quote!(::std::option::Option::None));
        Some(quote!(::ofb_runtime::check::string(v, #s, #min, #max, #p);))
    };
    let numeric = |n: TokenStream, out: &mut Vec<TokenStream>| {
        if c.minimum.is_some() || c.maximum.is_some() {
            let (min, max) = (opt_f64(c.minimum), opt_f64(c.maximum));
            let (emin, emax) = (c.exclusive_minimum, c.exclusive_maximum);
            out.push(quote!(::ofb_runtime::check::range_f64(v, #n, #min, #max, #emin, #emax);));
        }
        if let Some(m) = c.multiple_of {
            out.push(quote!(::ofb_runtime::check::multiple_of(v, #n, #m);));
        }
        if !c.num_enum.is_empty() {
            let vals = &c.num_enum;
            out.push(quote!(::ofb_runtime::check::num_enum(v, #n, &[#(#vals),*]);));
        }
    };
    match &shape.ty {
        Ty::Bool | Ty::Any => {}
        Ty::Int32 => numeric(quote!(f64::from(*#x)), &mut out),
        Ty::Int64 => numeric(quote!(*#x as f64), &mut out),
        Ty::Number => numeric(quote!(#x.as_f64()), &mut out),
        Ty::String => {
            if let Some(f) = c.format {
                let f = format_path(f);
                out.push(quote!(::ofb_runtime::check::format(v, #x, #f);));
            }
            out.extend(string_checks(quote!(#x), used));
        }
        Ty::Decimal | Ty::Date | Ty::DateTime => {
            out.push(quote!(::ofb_runtime::Validate::validate_into(#x, v);));
            out.extend(string_checks(quote!(#x.as_str()), used));
        }
        Ty::Object => {
            if c.min_properties.is_some() || c.max_properties.is_some() {
                let (min, max) = (opt_u64(c.min_properties), opt_u64(c.max_properties));
                out.push(quote!(::ofb_runtime::check::properties(v, #x.len(), #min, #max);));
            }
        }
        Ty::Named(id) => {
            let needs = !matches!(
                api.ty(*id).kind,
                TypeKind::Alias(Shape {
                    ty: Ty::Bool | Ty::Any,
                    ..
                })
            );
            if needs {
                out.push(quote!(::ofb_runtime::Validate::validate_into(#x, v);));
            }
        }
        Ty::Array(item) => {
            if c.min_items.is_some() || c.max_items.is_some() {
                let (min, max) = (opt_u64(c.min_items), opt_u64(c.max_items));
                out.push(quote!(::ofb_runtime::check::items(v, #x.len(), #min, #max);));
            }
            if c.unique_items {
                out.push(quote!(::ofb_runtime::check::unique(v, #x);));
            }
            if let Some(body) = checks(api, item, quote!(x), used) {
                out.push(quote! {
                    for (i, x) in #x.iter().enumerate() {
                        v.at_index(i, |v| { #body });
                    }
                });
            }
        }
        Ty::Map(item) => {
            if c.min_properties.is_some() || c.max_properties.is_some() {
                let (min, max) = (opt_u64(c.min_properties), opt_u64(c.max_properties));
                out.push(quote!(::ofb_runtime::check::properties(v, #x.len(), #min, #max);));
            }
            if let Some(body) = checks(api, item, quote!(x), used) {
                out.push(quote! {
                    for (key, x) in #x {
                        v.at_key(key, |v| { #body });
                    }
                });
            }
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(quote!(#(#out)*))
    }
}
