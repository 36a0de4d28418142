//! Rule sets: every distinct set of validation keywords of a document, interned once, so that
//! a shape names its set by index as it names its pattern, and the emitters only render the
//! table.
//!
//! The pass runs last, over every shape an emitted value is checked against: struct fields
//! and kept members, union variants, aliases, error envelopes' `meta`, and each operation's
//! parameters, bodies and response headers. Items of arrays and values of maps get theirs
//! first, so that a set can name its items' set.

use super::{Additional, Constraints, Operation, Shape, Ty, TypeDef, TypeKind};
use indexmap::IndexMap;

/// One distinct set of validation keywords. `c` holds only what the runtime's `Rules` checks:
/// a format only on strings, a map's `minProperties`/`maxProperties` as its item counts, and
/// no `secret` (which changes `Debug`, not validation).
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// The keywords.
    pub c: Constraints,
    /// The rule set of every item of an array or value of a map, when they have one.
    pub items: Option<usize>,
}

impl RuleSet {
    /// The rules of a value of `ty` with keywords `c`, the items' set being `items`; `None`
    /// when nothing is checked.
    fn of(ty: &Ty, c: &Constraints, items: Option<usize>) -> Option<RuleSet> {
        let map = matches!(ty, Ty::Map(_) | Ty::Object);
        let (min_items, max_items) = if map {
            (c.min_properties, c.max_properties)
        } else {
            (c.min_items, c.max_items)
        };
        let c = Constraints {
            format: c.format.filter(|_| *ty == Ty::String),
            min_items,
            max_items,
            min_properties: None,
            max_properties: None,
            secret: false,
            ..c.clone()
        };
        (c != Constraints::default() || items.is_some()).then_some(RuleSet { c, items })
    }

    /// A key equal for equal sets, numbers compared by their bits (so `NaN` is one value).
    fn key(&self) -> Key {
        let c = &self.c;
        let bits = |n: Option<f64>| n.map(f64::to_bits);
        Key {
            lengths: [c.min_length, c.max_length],
            pattern: c.pattern,
            format: c.format,
            bounds: [bits(c.minimum), bits(c.maximum), bits(c.multiple_of)],
            flags: [c.exclusive_minimum, c.exclusive_maximum, c.unique_items],
            num_enum: c.num_enum.iter().map(|n| n.to_bits()).collect(),
            bool_enum: c.bool_enum.clone(),
            counts: [c.min_items, c.max_items],
            items: self.items,
        }
    }
}

impl Shape {
    /// Whether values of the shape have keywords to check, its own or its items'. The pass
    /// must then have given it a set; emitters assert so in debug builds, so that a shape the
    /// pass does not reach fails the tests instead of losing its checks.
    pub fn has_rules(&self) -> bool {
        let items = match &self.ty {
            Ty::Array(item) | Ty::Map(item) => item.has_rules(),
            _ => false,
        };
        items || RuleSet::of(&self.ty, &self.c, None).is_some()
    }
}

/// What tells rule sets apart; see [`RuleSet::key`].
#[derive(PartialEq, Eq, Hash)]
struct Key {
    lengths: [Option<u64>; 2],
    pattern: Option<usize>,
    format: Option<super::Format>,
    bounds: [Option<u64>; 3],
    flags: [bool; 3],
    num_enum: Vec<u64>,
    bool_enum: Vec<bool>,
    counts: [Option<u64>; 2],
    items: Option<usize>,
}

/// The table being filled: each set once, in order of first use.
#[derive(Default)]
struct Table {
    sets: IndexMap<Key, RuleSet>,
}

impl Table {
    /// The index of `set`, adding it on first use.
    fn intern(&mut self, set: RuleSet) -> usize {
        let entry = self.sets.entry(set.key());
        let index = entry.index();
        entry.or_insert(set);
        index
    }

    /// Gives `shape` (and its items) their rule sets; returns the shape's.
    fn shape(&mut self, shape: &mut Shape) -> Option<usize> {
        let items = match &mut shape.ty {
            Ty::Array(item) | Ty::Map(item) => self.shape(item),
            _ => None,
        };
        shape.rules = RuleSet::of(&shape.ty, &shape.c, items).map(|set| self.intern(set));
        shape.rules
    }

    fn type_def(&mut self, t: &mut TypeDef) {
        match &mut t.kind {
            TypeKind::Struct(s) => {
                for f in &mut s.fields {
                    self.shape(&mut f.shape);
                }
                if let Additional::Kept(value) = &mut s.additional {
                    let items = self.shape(value);
                    // The kept members are checked as one map of them; the object's own
                    // counts are the struct's.
                    s.kept_rules = items.map(|items| {
                        self.intern(RuleSet {
                            c: Constraints::default(),
                            items: Some(items),
                        })
                    });
                }
            }
            TypeKind::Union(u) => {
                for v in &mut u.variants {
                    self.shape(&mut v.shape);
                }
            }
            TypeKind::Alias(shape) => {
                self.shape(shape);
            }
            TypeKind::Envelope { meta } => {
                if let Some(m) = meta {
                    self.shape(m);
                }
            }
            TypeKind::Enum(_) => {}
        }
    }

    fn operation(&mut self, op: &mut Operation) {
        for p in &mut op.params {
            self.shape(&mut p.shape);
        }
        if let Some(b) = &mut op.body {
            self.shape(&mut b.shape);
        }
        for r in &mut op.responses {
            if let Some(b) = &mut r.body {
                self.shape(&mut b.shape);
            }
            for h in &mut r.headers {
                self.shape(&mut h.shape);
            }
        }
    }
}

/// Gives every checked shape of `types` and `operations` its rule set, and returns the
/// table the indexes point into.
pub(super) fn intern(types: &mut [TypeDef], operations: &mut [Operation]) -> Vec<RuleSet> {
    let mut table = Table::default();
    for t in types {
        table.type_def(t);
    }
    for op in operations {
        table.operation(op);
    }
    table.sets.into_values().collect()
}

#[cfg(test)]
mod tests {
    use crate::model::{Additional, Api, Shape, Ty, TypeKind};

    fn api(yaml: &str) -> Api {
        crate::modelled("t.yaml", yaml.as_bytes(), &[])
            .expect("valid")
            .api
    }

    /// One document whose schemas say `maxLength: 8` in each place a value can be checked.
    const PLACES: &str = "openapi: 3.0.0
info: {title: t, version: '1'}
paths:
  /things/{id}:
    post:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, maxLength: 8}}
        - {name: tags, in: query, schema: {type: array, maxItems: 3, items: {type: string, maxLength: 8}}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '200':
          description: ok
          headers:
            x-code: {schema: {type: string, maxLength: 8}}
          content:
            application/json:
              schema: {type: string, maxLength: 8}
components:
  schemas:
    Code: {type: string, maxLength: 8}
    Thing:
      type: object
      properties:
        name: {type: string, maxLength: 8}
        either: {oneOf: [{type: string, maxLength: 8}, {type: integer, maximum: 9}]}
        counts: {type: object, maxProperties: 2, additionalProperties: {type: integer}}
      additionalProperties: {type: string, maxLength: 8}
";

    #[test]
    fn one_set_per_distinct_keywords_named_from_every_place() {
        let api = api(PLACES);
        let short = api
            .rules
            .iter()
            .position(|r| r.c.max_length == Some(8))
            .expect("the maxLength set");
        // Written eight times, interned once.
        assert_eq!(
            api.rules
                .iter()
                .filter(|r| r.c.max_length.is_some())
                .count(),
            1
        );
        let op = &api.operations[0];
        assert_eq!(op.params[0].shape.rules, Some(short));
        let list = op.params[1].shape.rules.expect("the list's set");
        assert_eq!(api.rules[list].c.max_items, Some(3));
        assert_eq!(api.rules[list].items, Some(short));
        let ok = &op.responses[0];
        assert_eq!(ok.headers[0].shape.rules, Some(short));
        assert_eq!(ok.body.as_ref().map(|b| b.shape.rules), Some(Some(short)));

        let ty = |name: &str| &api.types.iter().find(|t| t.name == name).expect(name).kind;
        assert!(matches!(ty("Code"), TypeKind::Alias(Shape { rules: Some(r), .. }) if *r == short));
        let TypeKind::Struct(thing) = ty("Thing") else {
            panic!("Thing is a struct")
        };
        let field = |wire: &str| {
            &thing
                .fields
                .iter()
                .find(|f| f.wire == wire)
                .expect(wire)
                .shape
        };
        assert_eq!(field("name").rules, Some(short));
        // A map's member counts are its item counts; its values have no keywords.
        let counts = field("counts").rules.expect("the map's set");
        assert_eq!(api.rules[counts].c.max_items, Some(2));
        assert_eq!(api.rules[counts].c.max_properties, None);
        assert_eq!(api.rules[counts].items, None);
        // Kept members: their values' set, and the map of them naming it.
        let Additional::Kept(value) = &thing.additional else {
            panic!("Thing keeps its other members")
        };
        assert_eq!(value.rules, Some(short));
        let kept = thing.kept_rules.expect("the kept map's set");
        assert_eq!(api.rules[kept].items, Some(short));
        let Ty::Named(either) = field("either").ty else {
            panic!("either is a union type")
        };
        let TypeKind::Union(u) = &api.types[either.0].kind else {
            panic!("either is a union")
        };
        assert_eq!(u.variants[0].shape.rules, Some(short));
        let nine = u.variants[1].shape.rules.expect("the integer's set");
        assert_eq!(api.rules[nine].c.maximum, Some(9.0));
    }

    #[test]
    fn shapes_without_keywords_have_no_set_and_a_checked_format_has_one() {
        let api = api("openapi: 3.0.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Plain:
      type: object
      properties:
        a: {type: string}
        b: {type: array, items: {type: string}}
        c: {type: string, format: email}
");
        let TypeKind::Struct(s) = &api.types[0].kind else {
            panic!("Plain is a struct")
        };
        assert_eq!(s.fields[0].shape.rules, None);
        assert_eq!(s.fields[1].shape.rules, None);
        let email = s.fields[2].shape.rules.expect("the format's set");
        assert_eq!(api.rules[email].c.format, Some(crate::model::Format::Email));
        for f in &s.fields {
            assert_eq!(f.shape.rules.is_some(), f.shape.has_rules(), "{}", f.wire);
        }
    }
}
