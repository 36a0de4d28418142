//! Validation as data: `#[validate(...)]` attributes for `derive(Validate)`, and the `rules`
//! module they name.
//!
//! The model interns each distinct set of schema keywords ([`Api::rules`]); each set a field
//! names becomes one `static` [`Rules`] in the crate's `rules` module (patterns beside them), a
//! field with constraints carries `#[validate(rules = R3)]`, and the checks run in the
//! hand-written runtime.
//!
//! [`Rules`]: ofb_runtime::Rules

use crate::model::{Additional, Api, Constraints, RuleSet, Shape, Struct, Ty, TypeKind};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// The rule sets and patterns of [`Api::rules`] and [`Api::patterns`] the emitted checks name,
/// so that the `rules` module declares only those.
#[derive(Default)]
pub struct Used {
    /// Pattern ids referenced by emitted rules.
    patterns: BTreeSet<usize>,
    /// Rule set ids referenced by emitted code, or by a set it names.
    rules: BTreeSet<usize>,
    /// How many times a rule set was named, so an emitter can tell whether its module needs
    /// to import them.
    references: usize,
}

impl Used {
    /// Whether the crate needs a `rules` module.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The `rules` module's items: patterns, then rule sets.
    pub fn module_items(&self, api: &Api) -> TokenStream {
        let patterns = self.patterns.iter().filter_map(|&i| {
            let src = super::raw_string(api.patterns.get(i)?);
            let id = format_ident!("P{}", i);
            Some(quote!(pub static #id: Pattern = Pattern::new(#src);))
        });
        let mut formats = false;
        let rules: Vec<TokenStream> = self
            .rules
            .iter()
            .filter_map(|&i| {
                let set = api.rules.get(i)?;
                formats |= set.c.format.is_some();
                let calls = builder_calls(set);
                let id = format_ident!("R{}", i);
                Some(quote!(pub static #id: Rules = Rules::NONE #calls;))
            })
            .collect();
        // The module declares only `P…` and `R…` statics, so these names are free; each is
        // imported where it is used.
        let mut names = Vec::new();
        if formats {
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

    /// How many times emitted code has named a rule set so far.
    pub fn references(&self) -> usize {
        self.references
    }

    /// The name of the rule set `id` (`R3`), recorded as used with the sets and patterns it
    /// names; `None` when there is no set.
    fn name(&mut self, api: &Api, id: Option<usize>) -> Option<proc_macro2::Ident> {
        let id = id?;
        self.references += 1;
        self.mark(api, id);
        Some(format_ident!("R{}", id))
    }

    /// The name of the rule set of `shape`, as [`Used::name`].
    pub fn of(&mut self, api: &Api, shape: &Shape) -> Option<proc_macro2::Ident> {
        debug_assert!(
            shape.rules.is_some() || !shape.has_rules(),
            "a shape with rules was not given a rule set: {shape:?}"
        );
        self.name(api, shape.rules)
    }

    /// Declares the rule set of every component alias (a scalar or array schema), though no
    /// emitted code names it: such a component's type alone cannot carry its constraints, so
    /// the set is public for code that checks a value of the component by itself.
    /// The same holds for a body's own rules (an array's `maxItems`, say), which its
    /// request or response checks but a value of its type alone does not.
    pub fn keep_standalone(&mut self, api: &Api) {
        let aliases = api
            .types
            .iter()
            .filter(|t| t.is_component())
            .filter_map(|t| match &t.kind {
                TypeKind::Alias(shape) => shape.rules,
                _ => None,
            });
        let bodies = api
            .operations
            .iter()
            .flat_map(|op| {
                op.body
                    .iter()
                    .chain(op.responses.iter().filter_map(|r| r.body.as_ref()))
            })
            .filter(|b| b.is_json())
            .filter_map(|b| b.shape.rules);
        let ids: Vec<usize> = aliases.chain(bodies).collect();
        for id in ids {
            self.mark(api, id);
        }
    }

    /// Records set `id`, its pattern and its items' set as used.
    fn mark(&mut self, api: &Api, id: usize) {
        if !self.rules.insert(id) {
            return;
        }
        if let Some(set) = api.rules.get(id) {
            self.patterns.extend(set.c.pattern);
            if let Some(items) = set.items {
                self.mark(api, items);
            }
        }
    }
}

/// The builder calls of `Rules` after `Rules::NONE` for `set`, one per keyword, in a fixed
/// order.
fn builder_calls(set: &RuleSet) -> TokenStream {
    let c = &set.c;
    let mut fields = Vec::new();
    let u64_lit = Literal::u64_unsuffixed;
    if let Some(n) = c.min_length.map(u64_lit) {
        fields.push(quote!(.min_length(#n)));
    }
    if let Some(n) = c.max_length.map(u64_lit) {
        fields.push(quote!(.max_length(#n)));
    }
    if let Some(p) = c.pattern {
        let id = format_ident!("P{}", p);
        fields.push(quote!(.pattern(&#id)));
    }
    if let Some(f) = c.format {
        let name = format_ident!("{}", format!("{f:?}"));
        fields.push(quote!(.format(Format::#name)));
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
    if !c.bool_enum.is_empty() {
        let vals = &c.bool_enum;
        fields.push(quote!(.bool_enum(&[#(#vals),*])));
    }
    if let Some(n) = c.min_items.map(u64_lit) {
        fields.push(quote!(.min_items(#n)));
    }
    if let Some(n) = c.max_items.map(u64_lit) {
        fields.push(quote!(.max_items(#n)));
    }
    if c.unique_items {
        fields.push(quote!(.unique_items()));
    }
    if let Some(item) = set.items {
        let id = format_ident!("R{}", item);
        fields.push(quote!(.items(&#id)));
    }
    quote!(#(#fields)*)
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
        Ty::Bool
        | Ty::Any
        | Ty::Object
        | Ty::Int32
        | Ty::Int64
        | Ty::Number
        | Ty::String
        | Ty::Token(_) => false,
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

/// The name of the rule set of `shape` (`R3`), for code that applies it by hand.
pub fn rules_name(api: &Api, shape: &Shape, used: &mut Used) -> Option<proc_macro2::Ident> {
    used.of(api, shape)
}

/// What goes inside the `#[validate(...)]` of a value of `shape` (`rules = R3` or `nested`),
/// or `None` when its values have nothing to check.
pub fn check(api: &Api, shape: &Shape, used: &mut Used) -> Option<TokenStream> {
    if !needs_check(api, shape, &shape.c) {
        return None;
    }
    Some(match used.of(api, shape) {
        Some(r) => quote!(rules = #r),
        None => quote!(nested),
    })
}

/// The attribute of the map that keeps a struct's undeclared members, checked at the object's
/// own level.
pub fn additional_attr(api: &Api, s: &Struct, value: &Shape, used: &mut Used) -> TokenStream {
    if !needs_check(api, value, &value.c) {
        return quote!();
    }
    match used.name(api, s.kept_rules) {
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
