//! A schema's constraints gathered in one place: its `$ref`s followed, its `allOf` parts merged,
//! and, for each `oneOf`/`anyOf` met, the alternative chosen merged too, since an instance must
//! satisfy a schema, its parts and its siblings all at once.
//!
//! Read straight from the raw document (OpenAPI 3.0 keywords, `nullable` included).

use crate::pointer::follow;
use serde_json::Value;

/// How many schema objects one flattening merges at most (bounds `allOf` cycles).
const MAX_PARTS: usize = 64;

/// A `oneOf` or `anyOf` met while flattening.
#[derive(Debug, Clone)]
pub struct Union {
    /// Which union: the address of its schema object, stable while the document is borrowed.
    pub id: usize,
    /// `oneOf` or `anyOf`.
    pub keyword: &'static str,
    /// How many alternatives it has.
    pub count: usize,
    /// The alternative merged in.
    pub chosen: usize,
}

/// A member and the schemas it must satisfy (one per part that declares it).
pub type Member<'d> = (&'d str, Vec<&'d Value>);

/// The merged constraints of one place of an instance.
#[derive(Debug, Default)]
pub struct Flat<'d> {
    /// Allowed JSON types (`None`: any), the intersection over the parts.
    pub types: Option<Vec<&'d str>>,
    /// Whether some part says `nullable: true`.
    pub nullable: bool,
    /// Declared members, in document order.
    pub props: Vec<Member<'d>>,
    /// Required member names.
    pub required: Vec<&'d str>,
    /// Schemas of undeclared members.
    pub additional: Vec<&'d Value>,
    /// Whether a part says `additionalProperties: false`.
    pub closed: bool,
    /// The listed values, when a part lists them.
    pub enumeration: Option<&'d Vec<Value>>,
    /// `minLength`, tightest.
    pub min_len: Option<u64>,
    /// `maxLength`, tightest.
    pub max_len: Option<u64>,
    /// Every `pattern`.
    pub patterns: Vec<String>,
    /// The first `format`.
    pub format: Option<&'d str>,
    /// The first `example`: the document's idea of a realistic value.
    pub example: Option<&'d Value>,
    /// `minimum` and whether it is exclusive, tightest.
    pub minimum: Option<(f64, bool)>,
    /// `maximum` and whether it is exclusive, tightest.
    pub maximum: Option<(f64, bool)>,
    /// The first `multipleOf`.
    pub multiple_of: Option<f64>,
    /// Schemas of the items.
    pub items: Vec<&'d Value>,
    /// `minItems`, tightest.
    pub min_items: Option<u64>,
    /// `maxItems`, tightest.
    pub max_items: Option<u64>,
    /// Whether items must be unique.
    pub unique: bool,
    /// Unions met, outermost first.
    pub unions: Vec<Union>,
    /// A reference that leads nowhere, or too many parts.
    pub broken: Option<String>,
}

/// Picks the alternative of a union: `choose(id, count)`.
pub type Chooser<'a> = &'a dyn Fn(usize, usize, &[&Value]) -> usize;

impl<'d> Flat<'d> {
    /// Merges `schemas` (all to be satisfied), choosing an alternative of each union with
    /// `choose`.
    pub fn of(doc: &'d Value, schemas: &[&'d Value], choose: Chooser<'_>) -> Flat<'d> {
        let mut flat = Flat::default();
        let mut work: Vec<&'d Value> = schemas.iter().rev().copied().collect();
        let mut merged = 0;
        while let Some(part) = work.pop() {
            merged += 1;
            if merged > MAX_PARTS {
                flat.broken = Some(format!("more than {MAX_PARTS} schema parts to merge"));
                break;
            }
            let part = match follow(doc, part, "#") {
                Ok((_, p)) => p,
                Err(e) => {
                    flat.broken = Some(e);
                    continue;
                }
            };
            let Some(m) = part.as_object() else {
                continue;
            };
            flat.merge(m);
            // Parts and the chosen alternatives are merged after this one's own keywords, in
            // document order (the work list is a stack).
            let mut next: Vec<&'d Value> = Vec::new();
            if let Some(all) = m.get("allOf").and_then(Value::as_array) {
                next.extend(all.iter());
            }
            for keyword in ["oneOf", "anyOf"] {
                let Some(alts) = m.get(keyword).and_then(Value::as_array) else {
                    continue;
                };
                if alts.is_empty() {
                    continue;
                }
                let id = alts as *const Vec<Value> as usize;
                let refs: Vec<&Value> = alts.iter().collect();
                let chosen = choose(id, alts.len(), &refs).min(alts.len() - 1);
                flat.unions.push(Union {
                    id,
                    keyword,
                    count: alts.len(),
                    chosen,
                });
                next.extend(alts.get(chosen));
            }
            work.extend(next.into_iter().rev());
        }
        flat
    }

    /// One schema object's own keywords.
    fn merge(&mut self, m: &'d serde_json::Map<String, Value>) {
        if m.get("nullable") == Some(&Value::Bool(true)) {
            self.nullable = true;
        }
        let types: Option<Vec<&str>> = match m.get("type") {
            Some(Value::String(t)) => Some(vec![t.as_str()]),
            Some(Value::Array(ts)) => Some(ts.iter().filter_map(Value::as_str).collect()),
            _ => None,
        };
        if let Some(t) = types {
            self.types = Some(match self.types.take() {
                None => t,
                Some(old) => intersect(&old, &t),
            });
        }
        if let Some(props) = m.get("properties").and_then(Value::as_object) {
            for (name, schema) in props {
                match self.props.iter_mut().find(|(n, _)| n == name) {
                    Some((_, list)) => list.push(schema),
                    None => self.props.push((name.as_str(), vec![schema])),
                }
            }
        }
        if let Some(req) = m.get("required").and_then(Value::as_array) {
            for r in req.iter().filter_map(Value::as_str) {
                if !self.required.contains(&r) {
                    self.required.push(r);
                }
            }
        }
        match m.get("additionalProperties") {
            Some(Value::Bool(false)) => self.closed = true,
            Some(s @ Value::Object(_)) => self.additional.push(s),
            _ => {}
        }
        if self.enumeration.is_none() {
            self.enumeration = m.get("enum").and_then(Value::as_array);
        }
        let num = |k: &str| m.get(k).and_then(Value::as_f64);
        let uint = |k: &str| m.get(k).and_then(Value::as_u64);
        tighten(&mut self.min_len, uint("minLength"), u64::max);
        tighten(&mut self.max_len, uint("maxLength"), u64::min);
        tighten(&mut self.min_items, uint("minItems"), u64::max);
        tighten(&mut self.max_items, uint("maxItems"), u64::min);
        if let Some(p) = m.get("pattern").and_then(Value::as_str) {
            self.patterns.push(p.to_string());
        }
        if self.format.is_none() {
            self.format = m.get("format").and_then(Value::as_str);
        }
        if self.example.is_none() {
            self.example = m.get("example");
        }
        let excl = |k: &str| m.get(k) == Some(&Value::Bool(true));
        if let Some(v) = num("minimum") {
            let new = (v, excl("exclusiveMinimum"));
            if self.minimum.is_none_or(|(old, _)| v > old) {
                self.minimum = Some(new);
            }
        }
        if let Some(v) = num("maximum") {
            let new = (v, excl("exclusiveMaximum"));
            if self.maximum.is_none_or(|(old, _)| v < old) {
                self.maximum = Some(new);
            }
        }
        if self.multiple_of.is_none() {
            self.multiple_of = num("multipleOf").filter(|m| *m > 0.0);
        }
        if let Some(items) = m.get("items") {
            self.items.push(items);
        }
        if m.get("uniqueItems") == Some(&Value::Bool(true)) {
            self.unique = true;
        }
    }

    /// The JSON type an instance of this place gets: the declared one, or the one its keywords
    /// imply.
    pub fn kind(&self) -> &'d str {
        if let Some(types) = &self.types {
            for t in ["object", "array", "string", "integer", "number", "boolean"] {
                if types.contains(&t) {
                    return t;
                }
            }
            return if types.contains(&"null") {
                "null"
            } else {
                "none"
            };
        }
        if self.enumeration.is_some() {
            "enum"
        } else if !self.props.is_empty() || !self.additional.is_empty() || !self.required.is_empty()
        {
            "object"
        } else if !self.items.is_empty() || self.min_items.is_some() || self.max_items.is_some() {
            "array"
        } else if !self.patterns.is_empty()
            || self.min_len.is_some()
            || self.max_len.is_some()
            || self.format.is_some()
        {
            "string"
        } else if self.minimum.is_some() || self.maximum.is_some() || self.multiple_of.is_some() {
            "number"
        } else {
            "any"
        }
    }
}

/// The types both lists allow (`integer` is a `number`).
fn intersect<'d>(a: &[&'d str], b: &[&'d str]) -> Vec<&'d str> {
    let mut out = Vec::new();
    for &x in a {
        let both = if b.contains(&x) {
            Some(x)
        } else if (x == "integer" && b.contains(&"number"))
            || (x == "number" && b.contains(&"integer"))
        {
            Some("integer")
        } else {
            None
        };
        if let Some(t) = both.filter(|t| !out.contains(t)) {
            out.push(t);
        }
    }
    out
}

/// Keeps the tightest of two bounds.
fn tighten(slot: &mut Option<u64>, new: Option<u64>, pick: fn(u64, u64) -> u64) {
    if let Some(n) = new {
        *slot = Some(slot.map_or(n, |o| pick(o, n)));
    }
}

/// A cheap guess at how small an instance of `alt` is, to end recursive schemas quickly.
pub fn weight(doc: &Value, alt: &Value) -> usize {
    let Ok((_, alt)) = follow(doc, alt, "#") else {
        return usize::MAX;
    };
    let required = alt
        .get("required")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let parts = ["allOf", "oneOf", "anyOf"]
        .iter()
        .filter_map(|k| alt.get(*k).and_then(Value::as_array))
        .map(Vec::len)
        .sum::<usize>();
    let nested = matches!(
        alt.get("type").and_then(Value::as_str),
        Some("object" | "array")
    );
    required * 4 + parts * 2 + usize::from(nested)
}
