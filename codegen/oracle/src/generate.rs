//! Instances built from a raw schema, and at each place of an instance, what else could stand
//! there: values the schema should accept (bounds, listed values, `null`) and values that break
//! exactly one constraint (mutants).
//!
//! Nothing here decides validity: `jsonschema` judges every instance afterwards. What this
//! module knows is *where* it changed an instance, so that a rejection elsewhere is caught.

use crate::flat::{weight, Flat};
use crate::pointer::join;
use crate::sample::{self, Matchers};
use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;

/// From this depth on, optional members are left out and unions take their lightest
/// alternative, so recursive schemas end.
const SOFT_DEPTH: usize = 6;
/// Past this depth nothing more is built (a `null` stands there; the oracle will refuse it and
/// the instance is dropped).
const HARD_DEPTH: usize = 14;
/// At most this many values in one instance (nested `minItems` multiply); past it, `null`
/// stands in and the oracle refuses the instance.
const MAX_NODES: usize = 20_000;
/// Arrays at most this long get an instance at `maxItems`.
const SMALL_MAX_ITEMS: u64 = 5;
/// Name of the member added where `additionalProperties: false`.
const UNKNOWN_MEMBER: &str = "unexpectedMember";

/// Which optional members an instance holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every declared member, required or not.
    All,
    /// Only the required ones.
    Required,
}

/// How to build one instance.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Which members.
    pub mode: Mode,
    /// Alternatives chosen at (instance pointer, union), instead of the first.
    pub choices: BTreeMap<(String, usize), usize>,
    /// Whether the document's `example` of a place is preferred to a made-up value.
    pub examples: bool,
}

impl Plan {
    /// A plan with the first alternative of every union and made-up values.
    pub fn new(mode: Mode) -> Plan {
        Plan {
            mode,
            choices: BTreeMap::new(),
            examples: false,
        }
    }
}

/// One change to an instance at a place.
#[derive(Debug, Clone)]
pub enum Edit {
    /// The value there replaced.
    Replace(Value),
    /// A member of the object there removed.
    Remove(String),
    /// A member added to the object there.
    Add(String, Value),
}

/// A place of an instance and what may be done there.
#[derive(Debug)]
pub struct Site {
    /// Instance pointer of the place.
    pub ptr: String,
    /// Pointers of the unions the place sits under (or at), outermost first.
    pub alts: Vec<String>,
    /// Values the schema should accept there, each with what it is.
    pub variants: Variants,
    /// Edits that break one constraint, each with which.
    pub mutants: Mutants,
    /// Order of entry (sites are finished children first).
    seq: usize,
}

/// A union met while building: its place and its alternatives.
#[derive(Debug, Clone)]
pub struct UnionSite {
    /// Instance pointer.
    pub ptr: String,
    /// Which union (see [`crate::flat::Union::id`]).
    pub id: usize,
    /// `oneOf` or `anyOf`.
    pub keyword: &'static str,
    /// How many alternatives.
    pub count: usize,
    /// The one taken.
    pub chosen: usize,
}

/// Builds instances of one document's schemas.
pub struct Gen<'d, 'm> {
    doc: &'d Value,
    plan: &'m Plan,
    matchers: &'m mut Matchers,
    collect: bool,
    seq: usize,
    nodes: usize,
    /// Places met, in document order once [`Gen::build`] returns.
    pub sites: Vec<Site>,
    /// Unions met, in document order.
    pub unions: Vec<UnionSite>,
}

impl<'d, 'm> Gen<'d, 'm> {
    /// A builder for `plan`.
    pub fn new(doc: &'d Value, plan: &'m Plan, matchers: &'m mut Matchers) -> Self {
        Gen {
            doc,
            plan,
            matchers,
            collect: true,
            seq: 0,
            nodes: 0,
            sites: Vec::new(),
            unions: Vec::new(),
        }
    }

    /// An instance of `schema`, recording its sites and unions.
    pub fn build(&mut self, schema: &'d Value) -> Value {
        let root = Place {
            ptr: "",
            depth: 0,
            alts: &[],
            salt: 0,
        };
        let v = self.value(&[schema], &root);
        self.sites.sort_by_key(|s| s.seq);
        v
    }

    /// A value for `place` that must satisfy every one of `schemas`.
    fn value(&mut self, schemas: &[&'d Value], place: &Place<'_>) -> Value {
        let Place {
            ptr, depth, salt, ..
        } = *place;
        if depth > HARD_DEPTH || self.nodes >= MAX_NODES {
            return Value::Null;
        }
        self.nodes += 1;
        let seq = self.seq;
        self.seq += 1;
        let doc = self.doc;
        let choices = &self.plan.choices;
        let choose = |id: usize, _count: usize, refs: &[&Value]| -> usize {
            if let Some(c) = choices.get(&(ptr.to_string(), id)) {
                return *c;
            }
            if depth > SOFT_DEPTH {
                let weights: Vec<usize> = refs.iter().map(|a| weight(doc, a)).collect();
                let min = weights.iter().copied().min().unwrap_or(0);
                return weights.iter().position(|w| *w == min).unwrap_or(0);
            }
            0
        };
        let flat = Flat::of(self.doc, schemas, &choose);
        let mut alts = place.alts.to_vec();
        if !flat.unions.is_empty() {
            alts.push(ptr.to_string());
            if self.collect {
                for u in &flat.unions {
                    self.unions.push(UnionSite {
                        ptr: ptr.to_string(),
                        id: u.id,
                        keyword: u.keyword,
                        count: u.count,
                        chosen: u.chosen,
                    });
                }
            }
        }
        let kind = flat.kind();
        let here = Place {
            alts: &alts,
            ..*place
        };
        let v = match self.example_of(&flat, kind, salt) {
            Some(e) => e,
            None => self.made_up(&flat, kind, &here),
        };
        if self.collect {
            let (variants, mutants) = self.around(&flat, kind, &here, &v);
            self.sites.push(Site {
                ptr: ptr.to_string(),
                alts,
                variants,
                mutants,
                seq,
            });
        }
        v
    }

    /// The document's example of a scalar place, when the plan prefers examples and it has the
    /// place's type (and is listed, where values are listed); strings are checked further among
    /// the candidates of [`Gen::string`].
    fn example_of(&self, flat: &Flat<'d>, kind: &str, salt: usize) -> Option<Value> {
        let e = flat.example.filter(|_| self.plan.examples && salt == 0)?;
        if let Some(list) = flat.enumeration {
            return list.contains(e).then(|| e.clone());
        }
        let fits = match kind {
            "integer" => e.is_i64() || e.is_u64(),
            "number" => e.is_number(),
            "boolean" => e.is_boolean(),
            _ => false,
        };
        fits.then(|| e.clone())
    }

    /// A value made up for the place.
    fn made_up(&mut self, flat: &Flat<'d>, kind: &str, place: &Place<'_>) -> Value {
        let salt = place.salt;
        match kind {
            "enum" => pick_listed(flat, salt),
            "object" => self.object(flat, place),
            "array" => self.array(flat, place, None),
            "string" => match flat.enumeration {
                Some(_) => pick_listed(flat, salt),
                None => Value::String(self.string(flat, salt)),
            },
            "integer" | "number" => match flat.enumeration {
                Some(_) => pick_listed(flat, salt),
                None => number_value(
                    pick_number(flat, kind == "integer", salt),
                    kind == "integer",
                ),
            },
            "boolean" => Value::Bool(salt.is_multiple_of(2)),
            "any" => Value::String(format!("any{}", suffix(salt))),
            _ => Value::Null,
        }
    }

    /// An object: its members per the plan, and a first member where only
    /// `additionalProperties` describes them.
    fn object(&mut self, flat: &Flat<'d>, place: &Place<'_>) -> Value {
        let mut obj = Map::new();
        let salt = place.salt;
        for (name, schemas) in &flat.props {
            if schemas.iter().any(|s| **s == Value::Bool(false)) {
                // A member whose schema is `false` may not be present at all.
                continue;
            }
            let required = flat.required.contains(name);
            if !required && (self.plan.mode == Mode::Required || place.depth >= SOFT_DEPTH) {
                continue;
            }
            let v = self.value(schemas, &place.child(&join(place.ptr, name), 0));
            obj.insert((*name).to_string(), v);
        }
        for name in &flat.required {
            if !obj.contains_key(*name) {
                let v = if flat.additional.is_empty() {
                    Value::String(format!("value{}", suffix(salt)))
                } else {
                    self.value(&flat.additional, &place.child(&join(place.ptr, name), 0))
                };
                obj.insert((*name).to_string(), v);
            }
        }
        if flat.props.is_empty() && !flat.additional.is_empty() && obj.is_empty() {
            let v = self.value(&flat.additional, &place.child(&join(place.ptr, "key1"), 0));
            obj.insert("key1".into(), v);
        }
        Value::Object(obj)
    }

    /// An array of `len` items (default: `minItems`, at least one, at most `maxItems`), each
    /// built with its own salt so that unique items differ.
    fn array(&mut self, flat: &Flat<'d>, place: &Place<'_>, len: Option<u64>) -> Value {
        let n = len.unwrap_or_else(|| {
            let n = flat.min_items.unwrap_or(0).max(1);
            flat.max_items.map_or(n, |m| n.min(m))
        });
        let n = n.min(64) as usize;
        let mut items = Vec::with_capacity(n);
        for i in 0..n {
            let p = join(place.ptr, &i.to_string());
            items.push(if flat.items.is_empty() {
                Value::String(format!("item{}", suffix(place.salt + i)))
            } else {
                self.value(&flat.items, &place.child(&p, i))
            });
        }
        Value::Array(items)
    }

    /// A string the lengths, the patterns and the format accept, as far as can be told.
    fn string(&mut self, flat: &Flat<'d>, salt: usize) -> String {
        let candidates = self.string_candidates(flat, salt, &[0, 1, 2, 3, 5, 8, 13, 21]);
        let fits = |s: &String| {
            let l = sample::len(s);
            flat.min_len.is_none_or(|m| l >= m) && flat.max_len.is_none_or(|m| l <= m)
        };
        for c in &candidates {
            if fits(c) && self.matchers.all(&flat.patterns, c) {
                return c.clone();
            }
        }
        let mut s = candidates
            .last()
            .cloned()
            .unwrap_or_else(|| format!("text{}", suffix(salt)));
        fit(&mut s, flat.min_len, flat.max_len);
        s
    }

    /// Strings to try, best first: the format's sample, the first pattern's samples, then
    /// plain text.
    fn string_candidates(&mut self, flat: &Flat<'d>, salt: usize, extras: &[u32]) -> Vec<String> {
        let mut out = Vec::new();
        let example = flat
            .example
            .and_then(Value::as_str)
            .filter(|_| salt == 0)
            .map(str::to_string);
        if self.plan.examples {
            out.extend(example.clone());
        }
        if let Some(f) = flat.format {
            out.extend(sample::format_samples(f, salt));
        }
        if let Some(p) = flat.patterns.first() {
            out.extend(self.matchers.samples(p, salt, extras));
        }
        out.extend(example);
        let mut plain = format!("text{}", suffix(salt));
        fit(&mut plain, flat.min_len, flat.max_len);
        out.push(plain);
        out
    }

    /// The variants and mutants of one place holding `v`.
    fn around(
        &mut self,
        flat: &Flat<'d>,
        kind: &str,
        place: &Place<'_>,
        v: &Value,
    ) -> (Variants, Mutants) {
        let salt = place.salt;
        let at = if place.ptr.is_empty() { "/" } else { place.ptr };
        let mut variants = Vec::new();
        let mut mutants = Vec::new();
        if flat.nullable && !v.is_null() {
            variants.push((format!("null at {at}"), Value::Null));
        }
        if flat.types.is_some() && !flat.nullable && !v.is_null() {
            mutants.push((
                "null where not nullable".to_string(),
                Edit::Replace(Value::Null),
            ));
        }
        if let Some(wrong) = flat.types.as_ref().and_then(|t| wrong_type(t)) {
            mutants.push(("wrong type".to_string(), Edit::Replace(wrong)));
        }
        if let Some(list) = flat.enumeration {
            for item in list.iter().filter(|i| !i.is_null() && *i != v) {
                variants.push((format!("enum value {item} at {at}"), item.clone()));
            }
            if let Some(unlisted) = unlisted(list) {
                mutants.push(("unknown enum value".to_string(), Edit::Replace(unlisted)));
            }
        }
        match (kind, v) {
            ("string", Value::String(s)) if flat.enumeration.is_none() => {
                self.string_around(flat, s, at, salt, &mut variants, &mut mutants)
            }
            ("integer" | "number", Value::Number(_)) if flat.enumeration.is_none() => {
                number_around(
                    flat,
                    kind == "integer",
                    salt,
                    at,
                    &mut variants,
                    &mut mutants,
                )
            }
            ("array", Value::Array(items)) => {
                // Built aside: no sites of their own, and a node budget of their own.
                let saved = (self.collect, self.nodes);
                self.collect = false;
                self.nodes = 0;
                if let Some(max) = flat
                    .max_items
                    .filter(|m| *m <= SMALL_MAX_ITEMS && *m as usize > items.len())
                {
                    let full = self.array(flat, place, Some(max));
                    variants.push((format!("maxItems bound at {at}"), full));
                }
                if let Some(max) = flat.max_items.filter(|m| *m < 64) {
                    let over = self.array(flat, place, Some(max + 1));
                    mutants.push((format!("maxItems {max} crossed"), Edit::Replace(over)));
                }
                (self.collect, self.nodes) = saved;
                if let Some(min) = flat.min_items.filter(|m| *m >= 1) {
                    let mut under = items.clone();
                    under.truncate(min as usize - 1);
                    mutants.push((
                        format!("minItems {min} crossed"),
                        Edit::Replace(Value::Array(under)),
                    ));
                }
                if let (true, Some(first)) = (flat.unique, items.first()) {
                    let mut dup = items.clone();
                    if flat.max_items.is_none_or(|m| m as usize > items.len()) {
                        dup.push(first.clone());
                    } else if let Some(second) = dup.get_mut(1) {
                        *second = first.clone();
                    }
                    if dup.len() >= 2 {
                        mutants.push((
                            "uniqueItems broken".to_string(),
                            Edit::Replace(Value::Array(dup)),
                        ));
                    }
                }
            }
            ("object", Value::Object(members)) => {
                for name in &flat.required {
                    if members.contains_key(*name) {
                        mutants.push((
                            format!("required member `{name}` removed"),
                            Edit::Remove((*name).to_string()),
                        ));
                    }
                }
                if flat.closed {
                    let mut name = UNKNOWN_MEMBER.to_string();
                    while members.contains_key(&name) || flat.props.iter().any(|(n, _)| *n == name)
                    {
                        name.push('X');
                    }
                    mutants.push((
                        "member not allowed (additionalProperties: false)".to_string(),
                        Edit::Add(name, Value::String("x".into())),
                    ));
                }
            }
            _ => {}
        }
        (variants, mutants)
    }

    /// Strings at the length bounds, and strings that cross them or break the pattern or the
    /// format.
    fn string_around(
        &mut self,
        flat: &Flat<'d>,
        s: &str,
        at: &str,
        salt: usize,
        variants: &mut Variants,
        mutants: &mut Mutants,
    ) {
        let mut candidates = Vec::new();
        for (name, bound) in [("minLength", flat.min_len), ("maxLength", flat.max_len)] {
            let Some(bound) = bound.filter(|b| *b != sample::len(s) && *b <= 4096) else {
                continue;
            };
            if candidates.is_empty() {
                let extras: Vec<u32> = (0..40).collect();
                candidates = self.string_candidates(flat, salt, &extras);
            }
            let exact = candidates
                .iter()
                .find(|c| sample::len(c) == bound && self.matchers.all(&flat.patterns, c))
                .cloned()
                .or_else(|| {
                    // Plain text stretched to the bound, where no pattern forbids it.
                    let mut t = s.to_string();
                    fit(&mut t, Some(bound), Some(bound));
                    self.matchers.all(&flat.patterns, &t).then_some(t)
                });
            if let Some(e) = exact {
                variants.push((format!("{name} bound at {at}"), Value::String(e)));
            }
        }
        if let Some(max) = flat.max_len.filter(|m| *m < 100_000) {
            let mut t = s.to_string();
            let pad = t.chars().last().unwrap_or('a');
            let missing = (max + 1).saturating_sub(sample::len(&t)) as usize;
            t.extend(std::iter::repeat_n(pad, missing));
            mutants.push((
                format!("maxLength {max} crossed"),
                Edit::Replace(Value::String(t)),
            ));
        }
        if let Some(min) = flat.min_len.filter(|m| *m >= 1) {
            let t: String = s.chars().take(min as usize - 1).collect();
            mutants.push((
                format!("minLength {min} crossed"),
                Edit::Replace(Value::String(t)),
            ));
        }
        if !flat.patterns.is_empty() {
            let l = sample::len(s).max(1) as usize;
            let tries = [
                "~".repeat(l),
                format!("{s}~"),
                format!("~{s}"),
                " ".repeat(l),
                String::new(),
            ];
            let broken = tries
                .iter()
                .find(|t| {
                    let n = sample::len(t);
                    !self.matchers.all(&flat.patterns, t)
                        && flat.min_len.is_none_or(|m| n >= m)
                        && flat.max_len.is_none_or(|m| n <= m)
                })
                .or_else(|| tries.iter().find(|t| !self.matchers.all(&flat.patterns, t)));
            if let Some(b) = broken {
                mutants.push((
                    "pattern broken".to_string(),
                    Edit::Replace(Value::String(b.clone())),
                ));
            }
        }
        if let Some(b) = flat.format.and_then(sample::format_broken) {
            mutants.push((
                format!("format {} broken", flat.format.unwrap_or_default()),
                Edit::Replace(Value::String(b.into())),
            ));
        }
    }
}

/// Where a value is being built: its instance pointer, how deep, the unions above it, and the
/// salt that makes items of one array differ.
#[derive(Clone, Copy)]
struct Place<'a> {
    ptr: &'a str,
    depth: usize,
    alts: &'a [String],
    salt: usize,
}

impl<'a> Place<'a> {
    /// The place of a member or item at `ptr`, its salt shifted by `shift`.
    fn child(&self, ptr: &'a str, shift: usize) -> Place<'a> {
        Place {
            ptr,
            depth: self.depth + 1,
            alts: self.alts,
            salt: self.salt + shift,
        }
    }
}

/// Values the schema should accept at a place, each with what it is.
type Variants = Vec<(String, Value)>;
/// Edits that break one constraint at a place, each with which.
type Mutants = Vec<(String, Edit)>;

/// `""` for salt 0, else the salt: what makes generated strings of unique items differ.
fn suffix(salt: usize) -> String {
    if salt == 0 {
        String::new()
    } else {
        salt.to_string()
    }
}

/// Pads with 'x' to `min` characters and cuts to `max`.
fn fit(s: &mut String, min: Option<u64>, max: Option<u64>) {
    let min = min.unwrap_or(0).min(4096);
    let missing = min.saturating_sub(sample::len(s)) as usize;
    s.extend(std::iter::repeat_n('x', missing));
    if let Some(max) = max {
        if sample::len(s) > max {
            *s = s.chars().take(max as usize).collect();
        }
    }
}

/// A listed value, shifted by `salt`; `null` only where nothing else is listed.
fn pick_listed(flat: &Flat<'_>, salt: usize) -> Value {
    let listed: Vec<&Value> = flat
        .enumeration
        .map(|e| e.iter().filter(|v| !v.is_null()).collect())
        .unwrap_or_default();
    if listed.is_empty() {
        return Value::Null;
    }
    listed[salt % listed.len()].clone()
}

/// A value outside `list`: a string for string lists, a number one above the greatest for
/// numeric ones, the other boolean for boolean ones.
fn unlisted(list: &[Value]) -> Option<Value> {
    let listed: Vec<&Value> = list.iter().filter(|v| !v.is_null()).collect();
    if listed.is_empty() {
        return None;
    }
    if listed.iter().all(|v| v.is_boolean()) {
        // The other boolean, unless both are listed (then nothing is outside the list).
        return [true, false]
            .into_iter()
            .map(Value::Bool)
            .find(|b| !listed.contains(&b));
    }
    if listed.iter().all(|v| v.is_number()) {
        let max = listed
            .iter()
            .filter_map(|v| v.as_f64())
            .fold(f64::MIN, f64::max);
        let next = max.floor() + 1.0;
        return Some(number_value(next, true));
    }
    Some(Value::String("NOT_A_LISTED_VALUE".into()))
}

/// A value of a JSON type `types` does not allow (never `null`).
fn wrong_type(types: &[&str]) -> Option<Value> {
    let candidates = [
        ("string", Value::from(12345)),
        ("integer", Value::String("12345".into())),
        ("number", Value::String("12345".into())),
        ("boolean", Value::String("true".into())),
        ("object", Value::String("not an object".into())),
        ("array", Value::String("not an array".into())),
    ];
    let first = types.iter().find(|t| **t != "null")?;
    let (_, v) = candidates.iter().find(|(t, _)| t == first)?;
    let kind = match v {
        Value::String(_) => "string",
        _ => "integer",
    };
    let allowed = types.contains(&kind) || (kind == "integer" && types.contains(&"number"));
    if allowed {
        // The replacement's type is allowed too (`type: [string, integer]`): try a boolean.
        return (!types.contains(&"boolean")).then_some(Value::Bool(true));
    }
    Some(v.clone())
}

/// Rounds away the noise of binary fractions (0.1 * 3).
fn round(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}

/// A JSON number: an integer where the value is whole (or must be), else a float.
fn number_value(v: f64, integer: bool) -> Value {
    if (integer || v.fract() == 0.0) && v.abs() < 9.0e15 {
        return Value::from(v.round() as i64);
    }
    Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// The smallest acceptable value (as integer or not), or 1 when unbounded, shifted by `salt`,
/// with a fraction for `number` where nothing forbids it.
fn pick_number(flat: &Flat<'_>, integer: bool, salt: usize) -> f64 {
    let lo = lower(flat, integer);
    let hi = upper(flat, integer);
    let mut v = match (lo, hi) {
        (Some(l), _) => l,
        (None, Some(h)) if h < 1.0 => h,
        _ => 1.0,
    };
    if let Some(m) = flat.multiple_of {
        v = round((v / m).ceil() * m);
    }
    let step = flat.multiple_of.unwrap_or(1.0);
    let shifted = round(v + step * salt as f64);
    if hi.is_none_or(|h| shifted <= h) {
        v = shifted;
    }
    if !integer && flat.multiple_of.is_none() && hi.is_none_or(|h| v + 0.5 <= h) {
        v += 0.5;
    }
    v
}

/// The least value the lower bound allows (integers: the least whole one).
fn lower(flat: &Flat<'_>, integer: bool) -> Option<f64> {
    let (m, excl) = flat.minimum?;
    Some(match (integer, excl) {
        (true, true) => m.floor() + 1.0,
        (true, false) => m.ceil(),
        (false, true) => m + flat.multiple_of.unwrap_or(0.01),
        (false, false) => m,
    })
}

/// The greatest value the upper bound allows.
fn upper(flat: &Flat<'_>, integer: bool) -> Option<f64> {
    let (m, excl) = flat.maximum?;
    Some(match (integer, excl) {
        (true, true) => m.ceil() - 1.0,
        (true, false) => m.floor(),
        (false, true) => m - flat.multiple_of.unwrap_or(0.01),
        (false, false) => m,
    })
}

/// Numbers at the bounds, and numbers that cross them or break `multipleOf` or integrality.
fn number_around(
    flat: &Flat<'_>,
    integer: bool,
    salt: usize,
    at: &str,
    variants: &mut Variants,
    mutants: &mut Mutants,
) {
    if let Some(l) = lower(flat, integer) {
        variants.push((format!("minimum bound at {at}"), number_value(l, integer)));
    }
    if let Some(h) = upper(flat, integer) {
        variants.push((format!("maximum bound at {at}"), number_value(h, integer)));
    }
    if let Some((m, excl)) = flat.minimum {
        let v = if excl {
            m
        } else if integer {
            m.ceil() - 1.0
        } else {
            m - 1.0
        };
        mutants.push((
            "minimum crossed".to_string(),
            Edit::Replace(number_value(v, integer)),
        ));
    }
    if let Some((m, excl)) = flat.maximum {
        let v = if excl {
            m
        } else if integer {
            m.floor() + 1.0
        } else {
            m + 1.0
        };
        mutants.push((
            "maximum crossed".to_string(),
            Edit::Replace(number_value(v, integer)),
        ));
    }
    let base = pick_number(flat, integer, salt);
    if let Some(m) = flat.multiple_of {
        if !integer || (m >= 2.0 && m.fract() == 0.0) {
            let off = if integer { (m / 2.0).floor() } else { m / 2.0 };
            let v = round(base + off);
            mutants.push((
                format!("multipleOf {m} broken"),
                Edit::Replace(number_value(v, false)),
            ));
        }
    }
    if integer {
        mutants.push((
            "not an integer".to_string(),
            Edit::Replace(number_value(base + 0.5, false)),
        ));
    }
}

/// `instance` with `edit` applied at `ptr`; `None` when `ptr` does not lead to a place the
/// edit fits.
pub fn apply(instance: &Value, ptr: &str, edit: &Edit) -> Option<Value> {
    let mut out = instance.clone();
    let place = out.pointer_mut(ptr)?;
    match edit {
        Edit::Replace(v) => *place = v.clone(),
        Edit::Remove(name) => {
            place.as_object_mut()?.remove(name)?;
        }
        Edit::Add(name, v) => {
            place.as_object_mut()?.insert(name.clone(), v.clone());
        }
    }
    Some(out)
}
