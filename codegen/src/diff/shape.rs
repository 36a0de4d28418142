//! Shapes compared structurally: aliases seen through, named types followed into their
//! definitions (a pair of types already being compared on the current path is not entered
//! again, so recursive types end), objects by property name, enums by value, unions by
//! alternative, and every constraint judged tightened or loosened.

use super::compare::Walk;
use super::constraints::{lower, shown, upper};
use super::locate;
use super::place::At;
use super::rules::Class;
use super::Kind;
use crate::diag::Ptr;
use crate::model::{Additional, Api, Shape, StrEnum, Struct, Ty, TypeId, TypeKind, Union};

/// What a value is, at the level where a difference is a change of type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Any,
    Bool,
    Integer,
    Number,
    String,
    /// A free-form object.
    Object,
    Map,
    Array,
    Struct,
    Enum,
    Union,
    Envelope,
}

impl Form {
    fn name(self) -> &'static str {
        match self {
            Form::Any => "any value",
            Form::Bool => "boolean",
            Form::Integer => "integer",
            Form::Number => "number",
            Form::String => "string",
            Form::Object => "free-form object",
            Form::Map => "map",
            Form::Array => "array",
            Form::Struct => "object",
            Form::Enum => "string enum",
            Form::Union => "union",
            Form::Envelope => "error envelope",
        }
    }
}

fn form(api: &Api, ty: &Ty) -> Form {
    match ty {
        Ty::Bool => Form::Bool,
        Ty::Int32 | Ty::Int64 => Form::Integer,
        Ty::Number => Form::Number,
        Ty::String | Ty::Decimal | Ty::Date | Ty::DateTime | Ty::Token(_) => Form::String,
        Ty::Any => Form::Any,
        Ty::Object => Form::Object,
        Ty::Map(_) => Form::Map,
        Ty::Array(_) => Form::Array,
        Ty::Named(id) => match &api.ty(*id).kind {
            TypeKind::Struct(_) => Form::Struct,
            TypeKind::Enum(_) => Form::Enum,
            TypeKind::Union(_) => Form::Union,
            TypeKind::Envelope { .. } => Form::Envelope,
            // Only an alias chain that never ends is left here; the model reports those.
            TypeKind::Alias(_) => Form::Any,
        },
    }
}

/// How a change from one form to another affects the values that are valid.
fn retyped(old: Form, new: Form) -> Class {
    use Form::*;
    match (old, new) {
        (Any, _) => Class::Narrowed,
        (_, Any) => Class::Widened,
        (Integer, Number) | (Enum, String) | (Struct | Map | Envelope, Object) => Class::Widened,
        (Number, Integer) | (String, Enum) | (Object, Struct | Map | Envelope) => Class::Narrowed,
        _ => Class::Incompatible,
    }
}

/// A shape with aliases seen through: the shape, whether any step was nullable, and the
/// pointer of the last alias (or `at` when there was none).
fn unalias<'s>(api: &'s Api, shape: &'s Shape, at: Option<Ptr>) -> (&'s Shape, bool, Option<Ptr>) {
    let (mut shape, mut nullable, mut at) = (shape, shape.nullable, at);
    for _ in 0..32 {
        let Ty::Named(id) = shape.ty else { break };
        let def = api.ty(id);
        let TypeKind::Alias(inner) = &def.kind else {
            break;
        };
        shape = inner;
        nullable |= inner.nullable;
        at = Some(locate::parse(&def.pointer));
    }
    (shape, nullable, at)
}

impl Walk<'_> {
    /// Compares two shapes found at `at`.
    pub(super) fn shape(&mut self, o: &Shape, n: &Shape, at: &At) {
        let (o, onull, op) = unalias(self.old.api, o, at.old.clone());
        let (n, nnull, np) = unalias(self.new.api, n, at.new.clone());
        let at = at.at(op, np);
        if onull != nnull {
            let class = if nnull {
                Class::Widened
            } else {
                Class::Narrowed
            };
            let detail = format!("nullable {onull} -> {nnull}");
            self.emit(Kind::NullableChanged, class, &at, detail);
        }
        let (fo, fnew) = (form(self.old.api, &o.ty), form(self.new.api, &n.ty));
        if fo != fnew {
            let detail = format!("type {} -> {}", fo.name(), fnew.name());
            self.emit(Kind::TypeChanged, retyped(fo, fnew), &at, detail);
            return;
        }
        match (&o.ty, &n.ty) {
            (Ty::Named(a), Ty::Named(b)) => self.named(*a, *b, &at),
            (Ty::Array(x), Ty::Array(y)) => {
                self.constraints(&o.c, &n.c, &at);
                let (op, np) = at.join(&["items"]);
                self.shape(x, y, &at.nested("[]", op, np));
            }
            (Ty::Map(x), Ty::Map(y)) => {
                self.constraints(&o.c, &n.c, &at);
                let (op, np) = at.join(&["additionalProperties"]);
                self.shape(x, y, &at.nested("{}", op, np));
            }
            _ => {
                self.format(o, n, &at);
                self.constraints(&o.c, &n.c, &at);
            }
        }
    }

    /// Whether two shapes are equivalent (a comparison whose changes are thrown away).
    fn equivalent(&mut self, o: &Shape, n: &Shape) -> bool {
        let kept = std::mem::take(&mut self.out);
        let scratch = At {
            side: super::Side::Response,
            place: String::new(),
            path: String::new(),
            old: None,
            new: None,
        };
        self.shape(o, n, &scratch);
        let same = self.out.is_empty();
        self.out = kept;
        same
    }

    /// Two named types of the same form, compared once per path.
    fn named(&mut self, a: TypeId, b: TypeId, at: &At) {
        if !self.visiting.insert((a, b)) {
            return;
        }
        let (old, new) = (self.old.api, self.new.api);
        let (ta, tb) = (old.ty(a), new.ty(b));
        let at = at.at(
            Some(locate::parse(&ta.pointer)),
            Some(locate::parse(&tb.pointer)),
        );
        match (&ta.kind, &tb.kind) {
            (TypeKind::Struct(x), TypeKind::Struct(y)) => self.object(x, y, &at),
            (TypeKind::Enum(x), TypeKind::Enum(y)) => self.strings(x, y, &at),
            (TypeKind::Union(x), TypeKind::Union(y)) => self.union(x, y, &at),
            (TypeKind::Envelope { meta: x }, TypeKind::Envelope { meta: y }) => {
                let (op, np) = at.join(&["properties", "meta"]);
                match (x, y) {
                    (Some(x), Some(y)) => self.shape(x, y, &at.member("meta", op, np)),
                    (Some(_), None) => self.emit(
                        Kind::FieldRemoved,
                        Class::Removed,
                        &at.member("meta", op, None),
                        String::from("`meta` (optional) removed"),
                    ),
                    (None, Some(_)) => self.emit(
                        Kind::FieldAdded,
                        Class::AddedOptional,
                        &at.member("meta", None, np),
                        String::from("`meta` (optional) added"),
                    ),
                    (None, None) => {}
                }
            }
            // `shape` compares forms first, so nothing else reaches here.
            _ => {}
        }
        self.visiting.remove(&(a, b));
    }

    fn object(&mut self, o: &Struct, n: &Struct, at: &At) {
        let word = |r: bool| if r { "required" } else { "optional" };
        for f in &o.fields {
            let op = at.old.as_ref().map(|p| p.join("properties").join(&f.wire));
            match n.fields.iter().find(|g| g.wire == f.wire) {
                Some(g) => {
                    let np = at.new.as_ref().map(|p| p.join("properties").join(&g.wire));
                    let fat = at.member(&f.wire, op, np);
                    self.required(f.required, g.required, &fat, &format!("`{}`", f.wire));
                    self.shape(&f.shape, &g.shape, &fat);
                }
                None => {
                    let detail = format!("`{}` ({}) removed", f.wire, word(f.required));
                    self.emit(
                        Kind::FieldRemoved,
                        Class::Removed,
                        &at.member(&f.wire, op, None),
                        detail,
                    );
                }
            }
        }
        for g in n
            .fields
            .iter()
            .filter(|g| !o.fields.iter().any(|f| f.wire == g.wire))
        {
            let np = at.new.as_ref().map(|p| p.join("properties").join(&g.wire));
            let class = if g.required {
                Class::AddedRequired
            } else {
                Class::AddedOptional
            };
            let detail = format!("`{}` ({}) added", g.wire, word(g.required));
            self.emit(
                Kind::FieldAdded,
                class,
                &at.member(&g.wire, None, np),
                detail,
            );
        }
        let limits = [
            (
                "minProperties",
                o.min_properties,
                n.min_properties,
                lower(o.min_properties, n.min_properties),
            ),
            (
                "maxProperties",
                o.max_properties,
                n.max_properties,
                upper(o.max_properties, n.max_properties),
            ),
        ];
        for (name, a, b, class) in limits {
            if let Some(class) = class {
                self.emit(
                    Kind::ItemsChanged,
                    class,
                    at,
                    format!("{name} {} -> {}", shown(a), shown(b)),
                );
            }
        }
        self.additional(&o.additional, &n.additional, at);
    }

    /// `additionalProperties`: forbidden accepts least, a schema more, anything (kept or
    /// ignored) most.
    fn additional(&mut self, o: &Additional, n: &Additional, at: &At) {
        let rank = |a: &Additional| match a {
            Additional::Forbidden => 0,
            Additional::Kept(s) if s.ty != Ty::Any => 1,
            Additional::Kept(_) | Additional::Ignored => 2,
        };
        let name = |a: &Additional| match a {
            Additional::Forbidden => "forbidden",
            Additional::Kept(s) if s.ty != Ty::Any => "a schema",
            Additional::Kept(_) => "kept",
            Additional::Ignored => "allowed",
        };
        let (ra, rb) = (rank(o), rank(n));
        let (op, np) = at.join(&["additionalProperties"]);
        if ra != rb {
            let class = if rb < ra {
                Class::Narrowed
            } else {
                Class::Widened
            };
            let detail = format!("additional properties {} -> {}", name(o), name(n));
            self.emit(
                Kind::AdditionalPropertiesChanged,
                class,
                &at.at(op, np),
                detail,
            );
        } else if let (Additional::Kept(x), Additional::Kept(y)) = (o, n) {
            self.shape(x, y, &at.nested("{*}", op, np));
        }
    }

    fn strings(&mut self, o: &StrEnum, n: &StrEnum, at: &At) {
        let (op, np) = at.join(&["enum"]);
        let eat = at.at(op, np);
        for v in o
            .variants
            .iter()
            .filter(|v| !n.variants.iter().any(|w| w.wire == v.wire))
        {
            self.emit(
                Kind::EnumValueRemoved,
                Class::Narrowed,
                &eat,
                format!("value `{}` removed", v.wire),
            );
        }
        for w in n
            .variants
            .iter()
            .filter(|w| !o.variants.iter().any(|v| v.wire == w.wire))
        {
            self.emit(
                Kind::EnumValueAdded,
                Class::ValueAdded,
                &eat,
                format!("value `{}` added", w.wire),
            );
        }
    }

    fn union(&mut self, o: &Union, n: &Union, at: &At) {
        let key = |u: &Union| if u.exclusive { "oneOf" } else { "anyOf" };
        if o.exclusive != n.exclusive {
            let class = if n.exclusive {
                Class::Narrowed
            } else {
                Class::Widened
            };
            self.emit(
                Kind::TypeChanged,
                class,
                at,
                format!("{} -> {}", key(o), key(n)),
            );
        }
        // Equivalent alternatives pair first, whatever their order; the rest pair in order.
        let mut pair: Vec<Option<usize>> = vec![None; o.variants.len()];
        let mut taken = vec![false; n.variants.len()];
        for (i, v) in o.variants.iter().enumerate() {
            for (j, w) in n.variants.iter().enumerate() {
                if !taken[j] && self.equivalent(&v.shape, &w.shape) {
                    pair[i] = Some(j);
                    taken[j] = true;
                    break;
                }
            }
        }
        let mut free = (0..n.variants.len())
            .filter(|j| !taken[*j])
            .collect::<Vec<_>>()
            .into_iter();
        for slot in pair.iter_mut().filter(|p| p.is_none()) {
            *slot = free.next();
        }
        for (i, v) in o.variants.iter().enumerate() {
            let op = at.old.as_ref().map(|p| p.join(key(o)).join(i.to_string()));
            match pair[i] {
                Some(j) => {
                    let np = at.new.as_ref().map(|p| p.join(key(n)).join(j.to_string()));
                    let vat = at.nested(&format!("({} {j})", key(n)), op, np);
                    self.shape(&v.shape, &n.variants[j].shape, &vat);
                }
                None => {
                    let vat = at.nested(&format!("({} {i})", key(o)), op, None);
                    self.emit(
                        Kind::VariantRemoved,
                        Class::Narrowed,
                        &vat,
                        format!("alternative {i} removed"),
                    );
                }
            }
        }
        for j in free {
            let np = at.new.as_ref().map(|p| p.join(key(n)).join(j.to_string()));
            let vat = at.nested(&format!("({} {j})", key(n)), None, np);
            self.emit(
                Kind::VariantAdded,
                Class::Widened,
                &vat,
                format!("alternative {j} added"),
            );
        }
        self.discriminator(o, n, at);
    }

    fn discriminator(&mut self, o: &Union, n: &Union, at: &At) {
        let (op, np) = at.join(&["discriminator"]);
        let dat = at.at(op, np);
        match (&o.discriminator, &n.discriminator) {
            (Some(x), Some(y)) if x.property != y.property => {
                let detail = format!("discriminator `{}` -> `{}`", x.property, y.property);
                self.emit(Kind::TypeChanged, Class::Incompatible, &dat, detail);
            }
            (Some(x), Some(y)) => {
                let has = |d: &crate::model::Discriminator, t: &str| {
                    d.mapping.iter().any(|(k, _)| k == t)
                };
                for (t, _) in x.mapping.iter().filter(|(t, _)| !has(y, t)) {
                    self.emit(
                        Kind::EnumValueRemoved,
                        Class::Narrowed,
                        &dat,
                        format!("discriminator value `{t}` removed"),
                    );
                }
                for (t, _) in y.mapping.iter().filter(|(t, _)| !has(x, t)) {
                    self.emit(
                        Kind::EnumValueAdded,
                        Class::ValueAdded,
                        &dat,
                        format!("discriminator value `{t}` added"),
                    );
                }
            }
            (None, Some(y)) => {
                let detail = format!("now discriminated by `{}`", y.property);
                self.emit(Kind::TypeChanged, Class::Narrowed, &dat, detail);
            }
            (Some(x), None) => {
                let detail = format!("no longer discriminated by `{}`", x.property);
                self.emit(Kind::TypeChanged, Class::Widened, &dat, detail);
            }
            (None, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retyping_is_judged_by_containment() {
        assert_eq!(retyped(Form::Integer, Form::Number), Class::Widened);
        assert_eq!(retyped(Form::Enum, Form::String), Class::Widened);
        assert_eq!(retyped(Form::Object, Form::Struct), Class::Narrowed);
        assert_eq!(retyped(Form::Any, Form::Bool), Class::Narrowed);
        assert_eq!(retyped(Form::String, Form::Integer), Class::Incompatible);
    }
}
