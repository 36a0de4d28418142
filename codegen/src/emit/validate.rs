//! Validation as data: `#[validate(...)]` attributes for `derive(Validate)`, and the `rules`
//! module they name.
//!
//! Each distinct set of schema keywords becomes one `static` [`Rules`] in the crate's `rules`
//! module (patterns beside them); a field with constraints carries `#[validate(rules = R3)]`,
//! and the checks run in the hand-written runtime.
//!
//! [`Rules`]: ofb_runtime::Rules

use crate::model::{Additional, Api, Constraints, Shape, Struct, Ty, TypeKind};
use indexmap::IndexMap;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// The rules and patterns the emitted checks use, in order of first use.
#[derive(Default)]
pub struct Used {
    /// Pattern ids referenced by emitted rules.
    pub patterns: BTreeSet<usize>,
    /// Distinct rule sets: key to (index, tokens of the builder calls after `Rules::NONE`).
    rules: IndexMap<String, (usize, TokenStream)>,
    /// How many times a rule set was named, so an emitter can tell whether its module needs
    /// to import them.
    references: usize,
    /// Whether a rule set checks a string format (so the module imports `Format`).
    formats: bool,
}

impl Used {
    /// Whether the crate needs a `rules` module.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.patterns.is_empty()
    }

    /// The `rules` module's items: patterns, then rule sets.
    pub fn module_items(&self, api: &Api) -> TokenStream {
        let patterns = self.patterns.iter().filter_map(|&i| {
            let src = super::raw_string(api.patterns.get(i)?);
            let id = format_ident!("P{}", i);
            Some(quote!(pub(crate) static #id: Pattern = Pattern::new(#src);))
        });
        let rules = self.rules.values().map(|(i, fields)| {
            let id = format_ident!("R{}", i);
            quote!(pub(crate) static #id: Rules = Rules::NONE #fields;)
        });
        // The module declares only `P…` and `R…` statics, so these names are free; each is
        // imported where it is used.
        let mut names = Vec::new();
        if self.formats {
            names.push(format_ident!("Format"));
        }
        if !self.patterns.is_empty() {
            names.push(format_ident!("Pattern"));
        }
        if !self.rules.is_empty() {
            names.push(format_ident!("Rules"));
        }
        quote! {
            use ofb_runtime::{#(#names),*};
            #(#patterns)* #(#rules)*
        }
    }

    /// The name of the rules of `shape` (`R3`, imported from the `rules` module), or `None` when
    /// it has none.
    fn rules_of(&mut self, shape: &Shape) -> Option<TokenStream> {
        let id = format_ident!("R{}", self.rules_index(shape)?);
        self.references += 1;
        Some(quote!(#id))
    }

    /// How many times emitted code has named a rule set so far.
    pub fn references(&self) -> usize {
        self.references
    }

    /// The name of the rules static of `shape` (for code outside the types module, which
    /// names it through `crate::rules`), or `None` when it has none.
    pub fn rules_path(&mut self, shape: &Shape) -> Option<proc_macro2::Ident> {
        let id = format_ident!("R{}", self.rules_index(shape)?);
        self.references += 1;
        Some(id)
    }

    /// The index of the rules of `shape` in the table, adding them on first use.
    fn rules_index(&mut self, shape: &Shape) -> Option<usize> {
        let item = match &shape.ty {
            Ty::Array(item) | Ty::Map(item) => self.rules_index(item),
            _ => None,
        };
        let c = &shape.c;
        let map = matches!(shape.ty, Ty::Map(_) | Ty::Object);
        // Builder calls of `Rules`, one per keyword, in a fixed order.
        let mut fields = Vec::new();
        let u64_lit = Literal::u64_unsuffixed;
        if let Some(n) = c.min_length.map(u64_lit) {
            fields.push(quote!(.min_length(#n)));
        }
        if let Some(n) = c.max_length.map(u64_lit) {
            fields.push(quote!(.max_length(#n)));
        }
        if let Some(p) = c.pattern {
            self.patterns.insert(p);
            let id = format_ident!("P{}", p);
            fields.push(quote!(.pattern(&#id)));
        }
        if let (Some(f), Ty::String) = (c.format, &shape.ty) {
            let name = format_ident!("{}", format!("{f:?}"));
            fields.push(quote!(.format(Format::#name)));
            self.formats = true;
        }
        if let Some(n) = c.minimum.map(f64_lit) {
            fields.push(quote!(.minimum(#n)));
        }
        if let Some(n) = c.maximum.map(f64_lit) {
            fields.push(quote!(.maximum(#n)));
        }
        if c.exclusive_minimum {
            fields.push(quote!(.exclusive_minimum()));
        }
        if c.exclusive_maximum {
            fields.push(quote!(.exclusive_maximum()));
        }
        if let Some(n) = c.multiple_of.map(f64_lit) {
            fields.push(quote!(.multiple_of(#n)));
        }
        if !c.num_enum.is_empty() {
            let vals = c.num_enum.iter().copied().map(f64_lit);
            fields.push(quote!(.num_enum(&[#(#vals),*])));
        }
        let (min, max) = if map {
            (c.min_properties, c.max_properties)
        } else {
            (c.min_items, c.max_items)
        };
        if let Some(n) = min.map(u64_lit) {
            fields.push(quote!(.min_items(#n)));
        }
        if let Some(n) = max.map(u64_lit) {
            fields.push(quote!(.max_items(#n)));
        }
        if c.unique_items {
            fields.push(quote!(.unique_items()));
        }
        if let Some(item) = item {
            let id = format_ident!("R{}", item);
            fields.push(quote!(.items(&#id)));
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

/// A number of a rule, as Rust: a literal, or the constant a YAML `.inf` or `.nan` stands for
/// (a literal cannot be one).
fn f64_lit(n: f64) -> TokenStream {
    if n.is_finite() {
        let l = Literal::f64_unsuffixed(n);
        quote!(#l)
    } else if n.is_nan() {
        quote!(f64::NAN)
    } else if n > 0.0 {
        quote!(f64::INFINITY)
    } else {
        quote!(f64::NEG_INFINITY)
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

/// The `#[validate(...)]` attribute of a field or variant of `shape`, or nothing when its
/// values have nothing to check.
pub fn attr(api: &Api, shape: &Shape, used: &mut Used) -> TokenStream {
    // A field without the attribute checks itself (the derive's default), so only rules are
    // written out.
    match check(api, shape, used) {
        Some(c) if c.to_string() != "nested" => quote!(#[validate(#c)]),
        _ => quote!(),
    }
}

/// What goes inside the `#[validate(...)]` of a value of `shape` (`rules = R3` or `nested`),
/// or `None` when its values have nothing to check.
pub fn check(api: &Api, shape: &Shape, used: &mut Used) -> Option<TokenStream> {
    if !needs_check(api, shape, &shape.c) {
        return None;
    }
    Some(match used.rules_of(shape) {
        Some(r) => quote!(rules = #r),
        None => quote!(nested),
    })
}

/// The attribute of the map that keeps a struct's undeclared members, checked at the object's
/// own level.
pub fn additional_attr(api: &Api, value: &Shape, used: &mut Used) -> TokenStream {
    let map = Shape::of(Ty::Map(Box::new(value.clone())));
    if !needs_check(api, &map, &map.c) {
        return quote!();
    }
    match used.rules_of(&map) {
        Some(r) => quote!(#[validate(flatten, rules = #r)]),
        None => quote!(#[validate(flatten, rules = ::ofb_runtime::Rules::NONE)]),
    }
}

/// The struct-level attribute: `additionalProperties: false`, `minProperties`, `maxProperties`.
pub fn struct_attr(s: &Struct) -> TokenStream {
    let mut parts = Vec::new();
    if matches!(s.additional, Additional::Forbidden) {
        parts.push(quote!(deny_unknown));
    }
    if let Some(n) = s.min_properties.map(Literal::u64_unsuffixed) {
        parts.push(quote!(min_properties = #n));
    }
    if let Some(n) = s.max_properties.map(Literal::u64_unsuffixed) {
        parts.push(quote!(max_properties = #n));
    }
    if parts.is_empty() {
        quote!()
    } else {
        quote!(#[validate(#(#parts),*)])
    }
}
