//! `Validate` implementations and the `rules` module they point at.
//!
//! Each distinct set of schema keywords becomes one `static` [`Rules`] in the crate's `rules`
//! module (patterns beside them); a field with constraints is one line,
//! `v.field("wire", &self.x, &crate::rules::R3)`, and the checks run in the hand-written runtime.
//!
//! [`Rules`]: ofb_runtime::Rules

use crate::model::{Additional, Api, Constraints, Shape, Ty, TypeDef, TypeKind};
use crate::naming::ident;
use indexmap::IndexMap;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// The rules and patterns the emitted checks use, in order of first use.
#[derive(Default)]
pub struct Used {
    /// Pattern ids referenced by emitted rules.
    pub patterns: BTreeSet<usize>,
    /// Distinct rule sets: key to (index, tokens of the struct literal's fields).
    rules: IndexMap<String, (usize, TokenStream)>,
}

impl Used {
    /// Whether the crate needs a `rules` module.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.patterns.is_empty()
    }

    /// The `rules` module's items: patterns, then rule sets.
    pub fn module_items(&self, api: &Api) -> TokenStream {
        let patterns = self.patterns.iter().filter_map(|&i| {
            let src = Literal::string(api.patterns.get(i)?);
            let id = format_ident!("P{}", i);
            Some(quote!(pub(crate) static #id: ::ofb_runtime::Pattern = ::ofb_runtime::Pattern::new(#src);))
        });
        let rules = self.rules.values().map(|(i, fields)| {
            let id = format_ident!("R{}", i);
            quote!(pub(crate) static #id: ::ofb_runtime::Rules = ::ofb_runtime::Rules { #fields ..::ofb_runtime::Rules::NONE };)
        });
        quote!(#(#patterns)* #(#rules)*)
    }

    /// A reference to the rules of `shape` (`&R3`, imported from the `rules` module), or `None`
    /// when it has none.
    fn rules_of(&mut self, shape: &Shape) -> Option<TokenStream> {
        let id = format_ident!("R{}", self.rules_index(shape)?);
        Some(quote!(&#id))
    }

    /// The index of the rules of `shape` in the table, adding them on first use.
    fn rules_index(&mut self, shape: &Shape) -> Option<usize> {
        let item = match &shape.ty {
            Ty::Array(item) | Ty::Map(item) => self.rules_index(item),
            _ => None,
        };
        let c = &shape.c;
        let map = matches!(shape.ty, Ty::Map(_) | Ty::Object);
        let mut fields = Vec::new();
        let some_u64 = |n: u64| quote!(Some(#n),);
        if let Some(n) = c.min_length {
            let v = some_u64(n);
            fields.push(quote!(min_length: #v));
        }
        if let Some(n) = c.max_length {
            let v = some_u64(n);
            fields.push(quote!(max_length: #v));
        }
        if let Some(p) = c.pattern {
            self.patterns.insert(p);
            let id = format_ident!("P{}", p);
            fields.push(quote!(pattern: Some(&#id),));
        }
        if let (Some(f), Ty::String) = (c.format, &shape.ty) {
            let name = format_ident!("{}", format!("{f:?}"));
            fields.push(quote!(format: Some(::ofb_runtime::Format::#name),));
        }
        if let Some(n) = c.minimum {
            fields.push(quote!(minimum: Some(#n),));
        }
        if let Some(n) = c.maximum {
            fields.push(quote!(maximum: Some(#n),));
        }
        if c.exclusive_minimum {
            fields.push(quote!(exclusive_minimum: true,));
        }
        if c.exclusive_maximum {
            fields.push(quote!(exclusive_maximum: true,));
        }
        if let Some(n) = c.multiple_of {
            fields.push(quote!(multiple_of: Some(#n),));
        }
        if !c.num_enum.is_empty() {
            let vals = &c.num_enum;
            fields.push(quote!(num_enum: &[#(#vals),*],));
        }
        let (min, max) = if map {
            (c.min_properties, c.max_properties)
        } else {
            (c.min_items, c.max_items)
        };
        if let Some(n) = min {
            let v = some_u64(n);
            fields.push(quote!(min_items: #v));
        }
        if let Some(n) = max {
            let v = some_u64(n);
            fields.push(quote!(max_items: #v));
        }
        if c.unique_items {
            fields.push(quote!(unique_items: true,));
        }
        if let Some(item) = item {
            let id = format_ident!("R{}", item);
            fields.push(quote!(items: Some(&#id),));
        }
        if fields.is_empty() {
            return None;
        }
        let tokens = quote!(#(#fields)*);
        let key = tokens.to_string();
        let next = self.rules.len();
        let (i, _) = self.rules.entry(key).or_insert((next, tokens));
        Some(*i)
    }
}

/// Whether values of `shape` have anything to check.
fn needs_check(api: &Api, shape: &Shape, c: &Constraints) -> bool {
    let own = *c != Constraints::default();
    own || match &shape.ty {
        Ty::Bool | Ty::Any | Ty::Object | Ty::Int32 | Ty::Int64 | Ty::Number | Ty::String => false,
        Ty::Decimal | Ty::Date | Ty::DateTime => true,
        Ty::Array(item) | Ty::Map(item) => needs_check(api, item, &item.c),
        Ty::Named(id) => !matches!(
            api.ty(*id).kind,
            TypeKind::Alias(Shape {
                ty: Ty::Bool | Ty::Any,
                ..
            })
        ),
    }
}

/// `Validate` impls for every struct and union (enums get theirs from `wire_enum!`).
pub fn impls(api: &Api, used: &mut Used) -> TokenStream {
    let items = api.types.iter().map(|t| type_impl(api, t, used));
    quote!(#(#items)*)
}

fn impl_block(name: &proc_macro2::Ident, body: TokenStream, attrs: TokenStream) -> TokenStream {
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

/// One statement checking `value` (an expression of a reference) against `shape`.
fn call(
    api: &Api,
    shape: &Shape,
    value: TokenStream,
    used: &mut Used,
    at: Option<&str>,
) -> Option<TokenStream> {
    if !needs_check(api, shape, &shape.c) {
        return None;
    }
    let rules = used.rules_of(shape);
    Some(match (at, rules) {
        (Some(wire), Some(r)) => quote!(v.field(#wire, #value, #r);),
        (Some(wire), None) => quote!(v.member(#wire, #value);),
        (None, Some(r)) => quote!(::ofb_runtime::Validate::validate_with(#value, v, #r);),
        (None, None) => quote!(::ofb_runtime::Validate::validate_into(#value, v);),
    })
}

fn type_impl(api: &Api, t: &TypeDef, used: &mut Used) -> TokenStream {
    let name = ident(&t.name);
    match &t.kind {
        // Aliases inherit the impl of what they name; enums get theirs from `wire_enum!`.
        TypeKind::Alias(_) | TypeKind::Envelope { .. } | TypeKind::Enum(_) => quote!(),
        TypeKind::Union(u) => {
            let arms = u.variants.iter().map(|var| {
                let n = ident(&var.name);
                match call(api, &var.shape, quote!(x), used, None) {
                    Some(body) => quote!(Self::#n(x) => { #body }),
                    None => quote!(Self::#n(_) => {}),
                }
            });
            impl_block(&name, quote!(match self { #(#arms)* }), quote!())
        }
        TypeKind::Struct(s) => {
            let mut body = Vec::new();
            for f in &s.fields {
                let fname = ident(&f.name);
                if let Some(stmt) = call(api, &f.shape, quote!(&self.#fname), used, Some(&f.wire)) {
                    body.push(stmt);
                }
            }
            if s.min_properties.is_some() || s.max_properties.is_some() {
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
                body.push(quote! {
                    ::ofb_runtime::check::properties(v, 0usize #(+ #present)* #extra, #min, #max);
                });
            }
            if let Additional::Kept(shape) = &s.additional {
                // The kept members sit beside the declared ones: the map's own pointer is the
                // object's, so each value is checked at its key.
                let map = Shape::of(Ty::Map(shape.clone()));
                if let Some(stmt) = call(api, &map, quote!(&self.additional_properties), used, None)
                {
                    body.push(stmt);
                }
            }
            // Deprecated fields are still validated: the document still constrains them.
            let attrs = if s.fields.iter().any(|f| f.deprecated) {
                quote!(#[allow(deprecated)])
            } else {
                quote!()
            };
            impl_block(&name, quote!(#(#body)*), attrs)
        }
    }
}

fn opt_u64(v: Option<u64>) -> TokenStream {
    match v {
        Some(n) => quote!(::std::option::Option::Some(#n)),
        None => quote!(::std::option::Option::None),
    }
}
