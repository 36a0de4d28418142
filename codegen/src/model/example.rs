//! One deterministic example value for every body, and the check of every example the document
//! gives.
//!
//! A body's example is the media type's own example when it is valid, else a value composed
//! from the property-level examples, else the first enum value or a minimal value that satisfies
//! type, format, pattern and length. Invalid property examples are replaced and reported. The
//! checks reuse the runtime's rules (`ofb_runtime::check`), so a value judged valid here passes
//! the generated `validate()`.

use super::{Additional, Api, Body, Format, Shape, Ty, TypeId, TypeKind};
use crate::diag::{Ptr, Sink};
use ofb_runtime::{check, Rule, Validator};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// How deep composition goes before optional members are left out, so recursive types end.
const MAX_DEPTH: usize = 8;
/// How deep it goes at all: past this a value is `null`, whatever the schema (a backstop; the
/// model refuses types that contain themselves with nothing in between).
const MAX_NESTING: usize = 64;
/// The longest string and the most items an example is given, whatever `minLength` or
/// `minItems` ask: a document must not make the generator build a gigabyte.
pub const MAX_EXAMPLE_LENGTH: u64 = 4096;
/// See [`MAX_EXAMPLE_LENGTH`].
pub const MAX_EXAMPLE_ITEMS: u64 = 64;

/// Checks values against shapes of one [`Api`], with its patterns compiled once.
pub struct Checker<'a> {
    api: &'a Api,
    /// Also reject members a schema does not declare where it tolerates them: the generated
    /// type would drop them, so an example with them cannot round-trip.
    strict: bool,
}

/// A property-level example and what its schema says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleReport {
    /// Where the example is (`#/components/schemas/X/properties/y/example`).
    pub pointer: String,
    /// The violations `validate()` reports for it; empty when it is valid.
    pub violations: Vec<String>,
}

impl<'a> Checker<'a> {
    /// A checker for `api`.
    pub fn new(api: &'a Api) -> Self {
        Checker { api, strict: false }
    }

    /// A checker that also rejects undeclared members of tolerant objects (used to choose body
    /// examples, which must round-trip through the generated types).
    pub fn strict(api: &'a Api) -> Self {
        Checker {
            strict: true,
            ..Checker::new(api)
        }
    }

    /// Every violation of `value` against `shape`, as `pointer: rule: message` lines.
    pub fn violations(&self, shape: &Shape, value: &Value) -> Vec<String> {
        let mut v = Validator::new();
        self.check(shape, value, &mut v, 0);
        v.into_violations()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn check(&self, shape: &Shape, value: &Value, v: &mut Validator, depth: usize) {
        if value.is_null() {
            if !shape.nullable && shape.ty != Ty::Any {
                v.fail(Rule::Type, "null is not allowed here");
            }
            return;
        }
        if depth > 64 {
            return;
        }
        let c = &shape.c;
        match &shape.ty {
            Ty::Any => {}
            Ty::Bool => {
                let Some(b) = value.as_bool() else {
                    type_error(v, "a boolean", value);
                    return;
                };
                if !c.bool_enum.is_empty() && !c.bool_enum.contains(&b) {
                    let allowed: Vec<String> = c.bool_enum.iter().map(bool::to_string).collect();
                    v.fail(
                        Rule::Enum,
                        format!("{b} is not one of {}", allowed.join(", ")),
                    );
                }
            }
            Ty::Int32 | Ty::Int64 | Ty::Number => {
                let integer = shape.ty != Ty::Number;
                let Some(x) = value
                    .as_f64()
                    .filter(|_| !integer || value.is_i64() || value.is_u64())
                else {
                    type_error(v, if integer { "an integer" } else { "a number" }, value);
                    return;
                };
                if shape.ty == Ty::Int32 && (x < f64::from(i32::MIN) || x > f64::from(i32::MAX)) {
                    v.fail(
                        Rule::Range,
                        format!("{value} does not fit a 32-bit integer"),
                    );
                }
                check::range_f64(
                    v,
                    x,
                    c.minimum,
                    c.maximum,
                    c.exclusive_minimum,
                    c.exclusive_maximum,
                );
                if let Some(m) = c.multiple_of {
                    check::multiple_of(v, x, m);
                }
                if !c.num_enum.is_empty() && !c.num_enum.contains(&x) {
                    let allowed: Vec<String> = c.num_enum.iter().map(|n| n.to_string()).collect();
                    v.fail(
                        Rule::Enum,
                        format!("{value} is not one of {}", allowed.join(", ")),
                    );
                }
            }
            Ty::String | Ty::Decimal | Ty::Date | Ty::DateTime | Ty::Token(_) => {
                let Some(s) = value.as_str() else {
                    type_error(v, "a string", value);
                    return;
                };
                let format = match shape.ty {
                    Ty::Decimal => Some(Format::Double),
                    Ty::Date => Some(Format::Date),
                    Ty::DateTime => Some(Format::DateTime),
                    _ => c.format,
                };
                if let Some(f) = format {
                    check::format(v, s, f);
                }
                self.check_string(v, s, shape);
            }
            Ty::Object => {
                let Some(m) = value.as_object() else {
                    type_error(v, "an object", value);
                    return;
                };
                check::properties(v, m.len(), c.min_properties, c.max_properties);
            }
            Ty::Array(item) => {
                let Some(a) = value.as_array() else {
                    type_error(v, "an array", value);
                    return;
                };
                check::items(v, a.len(), c.min_items, c.max_items);
                if c.unique_items {
                    check::unique(v, a);
                }
                for (i, e) in a.iter().enumerate() {
                    v.at_index(i, |v| self.check(item, e, v, depth + 1));
                }
            }
            Ty::Map(item) => {
                let Some(m) = value.as_object() else {
                    type_error(v, "an object", value);
                    return;
                };
                check::properties(v, m.len(), c.min_properties, c.max_properties);
                for (k, e) in m {
                    v.at_key(k, |v| self.check(item, e, v, depth + 1));
                }
            }
            Ty::Named(id) => self.check_named(*id, value, v, depth),
        }
    }

    fn check_string(&self, v: &mut Validator, s: &str, shape: &Shape) {
        let c = &shape.c;
        check::length(v, s, c.min_length, c.max_length);
        let within = {
            let n = s.chars().count() as u64;
            c.min_length.is_none_or(|m| n >= m) && c.max_length.is_none_or(|m| n <= m)
        };
        if let (true, Some(Some(p)), Some(src)) = (
            within,
            c.pattern.map(|i| self.api.matchers.get(i)),
            c.pattern.and_then(|i| self.api.patterns.get(i)),
        ) {
            if !p.is_match(s) {
                v.fail(
                    Rule::Pattern,
                    format!("{s:?} does not match the pattern {src}"),
                );
            }
        }
    }

    fn check_named(&self, id: super::TypeId, value: &Value, v: &mut Validator, depth: usize) {
        match &self.api.ty(id).kind {
            TypeKind::Alias(shape) => self.check(shape, value, v, depth + 1),
            TypeKind::Enum(e) => match value.as_str() {
                Some(s) => {
                    let allowed: Vec<&str> = e.variants.iter().map(|x| x.wire.as_str()).collect();
                    if !allowed.contains(&s) {
                        check::enum_value(v, s, &allowed);
                    }
                }
                None => type_error(v, "a string", value),
            },
            TypeKind::Struct(st) => {
                let Some(m) = value.as_object() else {
                    type_error(v, "an object", value);
                    return;
                };
                for f in &st.fields {
                    match m.get(&f.wire) {
                        Some(x) => v.at_key(&f.wire, |v| self.check(&f.shape, x, v, depth + 1)),
                        None if f.required => v.fail(
                            Rule::Required,
                            format!("required property `{}` is missing", f.wire),
                        ),
                        None => {}
                    }
                }
                check::properties(v, m.len(), st.min_properties, st.max_properties);
                for (k, x) in m {
                    if st.fields.iter().any(|f| &f.wire == k) {
                        continue;
                    }
                    match &st.additional {
                        Additional::Forbidden => v.at_key(k, |v| {
                            v.fail(Rule::AdditionalProperties, format!("property `{k}` is not allowed here"))
                        }),
                        Additional::Kept(shape) => v.at_key(k, |v| self.check(shape, x, v, depth + 1)),
                        Additional::Ignored if self.strict => v.at_key(k, |v| {
                            v.fail(
                                Rule::AdditionalProperties,
                                format!("property `{k}` is not declared by the schema, so the generated type does not keep it"),
                            )
                        }),
                        Additional::Ignored => {}
                    }
                }
            }
            TypeKind::Union(u) => {
                if let Some(d) = &u.discriminator {
                    let tag = value.get(&d.property).and_then(Value::as_str);
                    match tag.and_then(|t| d.mapping.iter().find(|(k, _)| k == t)) {
                        Some((_, i)) => {
                            if let Some(var) = u.variants.get(*i) {
                                self.check(&var.shape, value, v, depth + 1);
                            }
                        }
                        None => v.fail(
                            Rule::OneOf,
                            format!("discriminator `{}` has no known value", d.property),
                        ),
                    }
                    return;
                }
                let matching = u
                    .variants
                    .iter()
                    .filter(|var| self.violations_at(&var.shape, value, depth).is_empty())
                    .count();
                if matching == 0 {
                    v.fail(Rule::OneOf, "the value matches none of the alternatives");
                }
            }
            TypeKind::Envelope { meta } => {
                match serde_json::from_value::<ofb_runtime::ErrorEnvelope<Value>>(value.clone()) {
                    Ok(env) => ofb_runtime::Validate::validate_into(&env, v),
                    Err(e) => v.fail(Rule::Type, format!("not an error envelope: {e}")),
                }
                if let (Some(meta), Some(x)) = (meta, value.get("meta")) {
                    v.at_field("meta", |v| self.check(meta, x, v, depth + 1));
                }
            }
        }
    }

    fn violations_at(
        &self,
        shape: &Shape,
        value: &Value,
        depth: usize,
    ) -> Vec<ofb_runtime::Violation> {
        let mut v = Validator::new();
        self.check(shape, value, &mut v, depth + 1);
        v.into_violations()
    }

    /// A value for `shape`: its own example when valid, else composed.
    pub fn compose(&self, shape: &Shape, sink: &mut Option<&mut Sink>, depth: usize) -> Value {
        if depth > MAX_NESTING {
            return Value::Null;
        }
        if let Some((ex, at)) = &shape.example {
            let bad = self.violations(shape, ex);
            if bad.is_empty() {
                return ex.clone();
            }
            if let Some(s) = sink.as_deref_mut() {
                s.warn(
                    &Ptr::from_ref(at).unwrap_or_default(),
                    None,
                    format!(
                        "invalid example replaced by a composed value: {}",
                        bad.join("; ")
                    ),
                );
            }
        }
        let c = &shape.c;
        match &shape.ty {
            Ty::Any | Ty::Object => Value::Object(Map::new()),
            Ty::Bool => Value::Bool(c.bool_enum.first().copied().unwrap_or(true)),
            Ty::Int32 | Ty::Int64 => {
                let n = c
                    .num_enum
                    .first()
                    .copied()
                    .unwrap_or_else(|| number_in_range(shape, true));
                Value::from(n as i64)
            }
            Ty::Number => {
                let n = c
                    .num_enum
                    .first()
                    .copied()
                    .unwrap_or_else(|| number_in_range(shape, false));
                serde_json::Number::from_f64(n)
                    .map(Value::Number)
                    .unwrap_or(Value::from(0))
            }
            Ty::String | Ty::Decimal | Ty::Date | Ty::DateTime | Ty::Token(_) => {
                Value::String(self.sample_string(shape))
            }
            Ty::Array(item) => {
                let n = c
                    .min_items
                    .unwrap_or(1)
                    .max(1)
                    .min(c.max_items.unwrap_or(u64::MAX))
                    .min(MAX_EXAMPLE_ITEMS);
                let n = if c.unique_items { n.min(1) } else { n };
                let n = if depth > MAX_DEPTH {
                    c.min_items.unwrap_or(0).min(n)
                } else {
                    n
                };
                Value::Array(
                    (0..n)
                        .map(|_| self.compose(item, sink, depth + 1))
                        .collect(),
                )
            }
            Ty::Map(item) => {
                let mut m = Map::new();
                if depth <= MAX_DEPTH || c.min_properties.unwrap_or(0) > 0 {
                    m.insert(String::from("key"), self.compose(item, sink, depth + 1));
                }
                Value::Object(m)
            }
            Ty::Named(id) => self.compose_named(*id, sink, depth),
        }
    }

    fn compose_named(
        &self,
        id: super::TypeId,
        sink: &mut Option<&mut Sink>,
        depth: usize,
    ) -> Value {
        match &self.api.ty(id).kind {
            TypeKind::Alias(shape) => self.compose(shape, sink, depth + 1),
            TypeKind::Enum(e) => e
                .variants
                .first()
                .map(|x| Value::String(x.wire.clone()))
                .unwrap_or(Value::String(String::new())),
            TypeKind::Struct(st) => {
                let mut m = Map::new();
                for f in &st.fields {
                    if f.required || depth <= MAX_DEPTH {
                        m.insert(f.wire.clone(), self.compose(&f.shape, sink, depth + 1));
                    }
                }
                Value::Object(m)
            }
            TypeKind::Union(u) => {
                let Some(first) = u.variants.first() else {
                    return Value::Null;
                };
                let mut value = self.compose(&first.shape, sink, depth + 1);
                if let (Some(d), Some(m)) = (&u.discriminator, value.as_object_mut()) {
                    if let Some((tag, _)) = d.mapping.iter().find(|(_, i)| *i == 0) {
                        m.insert(d.property.clone(), Value::String(tag.clone()));
                    }
                }
                value
            }
            TypeKind::Envelope { meta } => {
                let mut m = Map::new();
                m.insert(
                    String::from("errors"),
                    serde_json::json!([{"code": "EXAMPLE", "title": "Example error", "detail": "An example error."}]),
                );
                if let Some(meta) = meta {
                    m.insert(String::from("meta"), self.compose(meta, sink, depth + 1));
                }
                Value::Object(m)
            }
        }
    }

    /// A string that satisfies the shape's format, length and pattern, when one can be found.
    fn sample_string(&self, shape: &Shape) -> String {
        let c = &shape.c;
        let format = match shape.ty {
            Ty::Decimal => Some(Format::Double),
            Ty::Date => Some(Format::Date),
            Ty::DateTime => Some(Format::DateTime),
            _ => c.format,
        };
        let mut candidates: Vec<String> = Vec::new();
        if let Some(src) = c.pattern.and_then(|i| self.api.patterns.get(i)) {
            candidates.extend(super::sample::from_pattern(src, c.min_length, c.max_length));
        }
        if let Some(f) = format {
            candidates.push(format_sample(f).to_owned());
        }
        let min = c.min_length.unwrap_or(0).min(MAX_EXAMPLE_LENGTH) as usize;
        for base in ["a", "A1", "0", "example", "x"] {
            let mut s = base.repeat(min / base.len() + 1);
            s.truncate(min.max(base.len()));
            candidates.push(s);
        }
        let fits = |s: &str| {
            self.violations(
                &Shape {
                    example: None,
                    ..shape.clone()
                },
                &Value::String(s.to_owned()),
            )
            .is_empty()
        };
        candidates
            .iter()
            .find(|s| fits(s))
            .cloned()
            .unwrap_or_else(|| candidates.into_iter().next().unwrap_or_default())
    }
}

fn type_error(v: &mut Validator, expected: &str, found: &Value) {
    v.fail(
        Rule::Type,
        format!("expected {expected}, found {}", crate::load::kind_of(found)),
    );
}

fn number_in_range(shape: &Shape, integer: bool) -> f64 {
    let c = &shape.c;
    let step = if integer { 1.0 } else { 0.5 };
    let mut n = match (c.minimum, c.maximum) {
        (Some(min), _) => min + if c.exclusive_minimum { step } else { 0.0 },
        (None, Some(max)) if max < 1.0 => max - if c.exclusive_maximum { step } else { 0.0 },
        _ => 1.0,
    };
    if let Some(m) = c.multiple_of.filter(|m| *m > 0.0) {
        n = (n / m).ceil() * m;
    }
    if integer {
        n.ceil()
    } else {
        n
    }
}

fn format_sample(f: Format) -> &'static str {
    match f {
        Format::Date => "2024-01-31",
        Format::DateTime => "2024-01-31T12:00:00Z",
        Format::Time => "12:00:00Z",
        Format::Uuid => "00000000-0000-4000-8000-000000000000",
        Format::Email => "user@example.com",
        Format::Uri | Format::Url => "https://example.com/",
        Format::Ipv4 => "192.0.2.1",
        Format::Ipv6 => "2001:db8::1",
        Format::Hostname => "example.com",
        Format::Byte => "AA==",
        Format::Double => "1.00",
        Format::Integer => "1",
    }
}

/// Chooses the example of every body, parameter and response header of `api`, warning where a given example was invalid or no
/// valid value could be composed.
pub fn fill(api: &mut Api, sink: &mut Sink) {
    if api.operations.is_empty() {
        api.samples = samples(api, sink);
    }
    let mut chosen: Vec<(usize, Option<usize>, Value)> = Vec::new();
    {
        let checker = Checker::strict(api);
        let mut s = Some(&mut *sink);
        for (i, op) in api.operations.iter().enumerate() {
            if let Some(b) = &op.body {
                chosen.push((i, None, body_example(&checker, b, &mut s, Some(&op.name))));
            }
            for (j, r) in op.responses.iter().enumerate() {
                if let Some(b) = &r.body {
                    chosen.push((
                        i,
                        Some(j),
                        body_example(&checker, b, &mut s, Some(&op.name)),
                    ));
                }
            }
        }
    }
    // Parameters and response headers get a value too, without warnings of their own: their
    // given examples were checked by the audit already.
    let mut params: Vec<(usize, Option<usize>, usize, Value)> = Vec::new();
    {
        let checker = Checker::strict(api);
        for (i, op) in api.operations.iter().enumerate() {
            for (k, p) in op.params.iter().enumerate() {
                params.push((i, None, k, checker.compose(&p.shape, &mut None, 0)));
            }
            for (j, r) in op.responses.iter().enumerate() {
                for (k, h) in r.headers.iter().enumerate() {
                    params.push((i, Some(j), k, checker.compose(&h.shape, &mut None, 0)));
                }
            }
        }
    }
    for (i, r, k, value) in params {
        let op = &mut api.operations[i];
        let slot = match r {
            None => op.params.get_mut(k),
            Some(j) => op.responses.get_mut(j).and_then(|r| r.headers.get_mut(k)),
        };
        if let Some(p) = slot {
            p.example = value;
        }
    }
    for (i, r, value) in chosen {
        let body = match r {
            None => api.operations[i].body.as_mut(),
            Some(j) => api.operations[i].responses[j].body.as_mut(),
        };
        if let Some(b) = body {
            b.example = value;
        }
    }
    name_examples(api);
}

/// Names the example constant of every body: bodies of the same type, media type and example
/// share one. A body of a named type takes that type's name (`RESPONSE_ERROR`), others the
/// place they are first met (`GET_THING_OK`, `ADD_THING_REQUEST`); a second distinct example
/// under the same name gets `_2`, and so on.
pub fn name_examples(api: &mut Api) {
    use heck::ToShoutySnakeCase;
    // Bodies by type and media type, each with the examples named so far: values are
    // compared as values, not serialized to be compared.
    let mut by_content: BTreeMap<String, Vec<(Value, String)>> = BTreeMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let types = &api.types;
    let mut name = |body: &mut Body, place: String| {
        let key = format!("{:?}\u{0}{}", body.shape.ty, body.media);
        let known = by_content.entry(key).or_default();
        if let Some((_, n)) = known.iter().find(|(v, _)| *v == body.example) {
            body.example_name = n.clone();
            return;
        }
        let base = match &body.shape.ty {
            Ty::Named(id) if body.is_json() => types[id.0].name.to_shouty_snake_case(),
            _ => place,
        };
        let mut n = base.clone();
        let mut i = 2;
        while !taken.insert(n.clone()) {
            n = format!("{base}_{i}");
            i += 1;
        }
        known.push((body.example.clone(), n.clone()));
        body.example_name = n;
    };
    for b in &mut api.samples {
        name(b, String::from("SAMPLE"));
    }
    for op in &mut api.operations {
        let base = op.name.to_shouty_snake_case();
        if let Some(b) = &mut op.body {
            name(b, format!("{base}_REQUEST"));
        }
        for r in &mut op.responses {
            let place = format!("{base}_{}", r.name.to_shouty_snake_case());
            if let Some(b) = &mut r.body {
                name(b, place);
            }
        }
    }
}

/// An example body for each component schema that is a named type.
fn samples(api: &Api, sink: &mut Sink) -> Vec<Body> {
    let checker = Checker::strict(api);
    let mut s = Some(&mut *sink);
    api.types
        .iter()
        .enumerate()
        .filter(|(_, t)| t.is_component())
        .map(|(i, t)| {
            let mut body = Body {
                media: String::from("application/json"),
                required: false,
                doc: None,
                shape: Shape::of(Ty::Named(TypeId(i))),
                example: Value::Null,
                pointer: t.pointer.clone(),
                signed: false,
                example_name: String::new(),
            };
            body.example = body_example(&checker, &body, &mut s, None);
            body
        })
        .collect()
}

fn body_example(
    checker: &Checker<'_>,
    body: &Body,
    sink: &mut Option<&mut Sink>,
    op: Option<&str>,
) -> Value {
    let value = checker.compose(&body.shape, sink, 0);
    let bad = checker.violations(&body.shape, &value);
    if !bad.is_empty() {
        if let Some(s) = sink.as_deref_mut() {
            s.warn(
                &Ptr::from_ref(&body.pointer).unwrap_or_default(),
                op,
                format!(
                    "no valid example could be composed for this body: {}",
                    bad.join("; ")
                ),
            );
        }
    }
    value
}

/// Checks every property-level example of `api` (type fields, parameters and headers) against
/// its own schema.
pub fn audit(api: &Api) -> Vec<ExampleReport> {
    let checker = Checker::new(api);
    let mut out: Vec<ExampleReport> = api
        .examples
        .iter()
        .filter_map(|(at, shape)| {
            let (ex, _) = shape.example.as_ref()?;
            Some(ExampleReport {
                pointer: at.clone(),
                violations: checker.violations(shape, ex),
            })
        })
        .collect();
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    out
}
