//! Choices the document leaves ambiguous: a `oneOf` or `anyOf` without a discriminator whose
//! alternatives one instance can satisfy together. The generated type then decodes such an
//! instance to the first alternative that keeps every member it carries, which is a decision
//! the document did not make; the generator says so once per choice, so a reader can add a
//! discriminator, a required member or a constant where the document means one.
//!
//! The judgement is conservative in one direction only: two alternatives are called apart
//! when something in their schemas proves no instance fits both (a different JSON type, a tag
//! member with different single values, a required member the other forbids, a shared required
//! member of different JSON types). Anything else is reported.

use super::{Additional, Shape, Ty, TypeDef, TypeId, TypeKind};

/// What an alternative of a choice is, as far as telling it apart goes.
#[derive(Debug)]
enum Sig<'t> {
    /// Any JSON value: it overlaps everything.
    Any,
    /// A scalar or array: its JSON type and the shape's constraints.
    Plain(&'static str, &'t Shape),
    /// A string enumeration: its values.
    Listed(Vec<&'t str>),
    /// An object.
    Object(Obj<'t>),
    /// A choice nested in a choice: judged as overlapping (it is reported where it is defined).
    Choice,
}

#[derive(Debug)]
struct Obj<'t> {
    /// Every declared member: wire name, whether required, and the member's JSON type.
    members: Vec<(&'t str, bool, Option<&'static str>)>,
    /// Members whose schema allows a single value (`enum: [X]`): wire name and value.
    tags: Vec<(&'t str, &'t str)>,
    /// `additionalProperties: false`.
    closed: bool,
}

/// The choices in `types` whose alternatives overlap: the choice's type, and one pair of
/// alternatives (indices) that one instance can satisfy together.
pub(super) fn ambiguous(types: &[TypeDef]) -> Vec<(TypeId, usize, usize)> {
    let mut out = Vec::new();
    for (id, def) in types.iter().enumerate() {
        let TypeKind::Union(u) = &def.kind else {
            continue;
        };
        if u.discriminator
            .as_ref()
            .is_some_and(|d| !d.mapping.is_empty())
        {
            continue;
        }
        let sigs: Vec<Sig<'_>> = u
            .variants
            .iter()
            .map(|v| signature(types, &v.shape, 0))
            .collect();
        'pairs: for i in 0..sigs.len() {
            for j in i + 1..sigs.len() {
                if overlap(&sigs[i], &sigs[j]) {
                    out.push((TypeId(id), i, j));
                    break 'pairs;
                }
            }
        }
    }
    out
}

/// How deep aliases are followed (the model refuses alias cycles, but a guard costs nothing).
const MAX_DEPTH: usize = 32;

fn signature<'t>(types: &'t [TypeDef], shape: &'t Shape, depth: usize) -> Sig<'t> {
    let json = match &shape.ty {
        Ty::Any => return Sig::Any,
        Ty::Named(id) => {
            let def = &types[id.0];
            return match &def.kind {
                TypeKind::Alias(inner) if depth < MAX_DEPTH => signature(types, inner, depth + 1),
                TypeKind::Alias(_) | TypeKind::Union(_) => Sig::Choice,
                TypeKind::Enum(e) => {
                    Sig::Listed(e.variants.iter().map(|v| v.wire.as_str()).collect())
                }
                TypeKind::Struct(s) => Sig::Object(Obj {
                    members: s
                        .fields
                        .iter()
                        .map(|f| (f.wire.as_str(), f.required, json_type(types, &f.shape, 0)))
                        .collect(),
                    tags: s
                        .fields
                        .iter()
                        .filter_map(|f| Some((f.wire.as_str(), single(types, &f.shape, 0)?)))
                        .collect(),
                    closed: matches!(s.additional, Additional::Forbidden),
                }),
                // The error envelope requires `errors`, an array.
                TypeKind::Envelope { .. } => Sig::Object(Obj {
                    members: vec![("errors", true, Some("array"))],
                    tags: Vec::new(),
                    closed: false,
                }),
            };
        }
        Ty::Object | Ty::Map(_) => "object",
        Ty::Array(_) => "array",
        Ty::Bool => "boolean",
        Ty::Int32 | Ty::Int64 => "integer",
        Ty::Number => "number",
        Ty::String | Ty::Decimal | Ty::Date | Ty::DateTime | Ty::Token(_) => "string",
    };
    Sig::Plain(json, shape)
}

/// The JSON type of values of `shape`, where it has one. Shallow: a member's own members are
/// not looked at (a type may contain itself).
fn json_type(types: &[TypeDef], shape: &Shape, depth: usize) -> Option<&'static str> {
    Some(match &shape.ty {
        Ty::Any => return None,
        Ty::Named(id) => match &types[id.0].kind {
            TypeKind::Alias(inner) if depth < MAX_DEPTH => {
                return json_type(types, inner, depth + 1)
            }
            TypeKind::Alias(_) | TypeKind::Union(_) => return None,
            TypeKind::Enum(_) => "string",
            TypeKind::Struct(_) | TypeKind::Envelope { .. } => "object",
        },
        Ty::Object | Ty::Map(_) => "object",
        Ty::Array(_) => "array",
        Ty::Bool => "boolean",
        Ty::Int32 | Ty::Int64 => "integer",
        Ty::Number => "number",
        Ty::String | Ty::Decimal | Ty::Date | Ty::DateTime | Ty::Token(_) => "string",
    })
}

/// The one value a member's schema allows, where it allows exactly one string. Shallow, as
/// [`json_type`].
fn single<'t>(types: &'t [TypeDef], shape: &'t Shape, depth: usize) -> Option<&'t str> {
    let Ty::Named(id) = &shape.ty else {
        return None;
    };
    match &types[id.0].kind {
        TypeKind::Alias(inner) if depth < MAX_DEPTH => single(types, inner, depth + 1),
        TypeKind::Enum(e) if e.variants.len() == 1 => e.variants.first().map(|v| v.wire.as_str()),
        _ => None,
    }
}

/// Whether one instance can satisfy both alternatives.
fn overlap(a: &Sig<'_>, b: &Sig<'_>) -> bool {
    match (a, b) {
        (Sig::Any | Sig::Choice, _) | (_, Sig::Any | Sig::Choice) => true,
        (Sig::Listed(x), Sig::Listed(y)) => x.iter().any(|v| y.contains(v)),
        // A plain string with no constraint of its own takes every listed value.
        (Sig::Listed(_), Sig::Plain(t, s)) | (Sig::Plain(t, s), Sig::Listed(_)) => {
            *t == "string" && s.c == Default::default()
        }
        // Same JSON type and the same constraints: nothing tells them apart. (Differing
        // constraints may still overlap, but the ranking of fits then decides by them.)
        (Sig::Plain(t, s), Sig::Plain(u, r)) => {
            (t == u || matches!((*t, *u), ("integer", "number") | ("number", "integer")))
                && s.ty == r.ty
                && s.c == r.c
        }
        (Sig::Object(x), Sig::Object(y)) => objects_overlap(x, y),
        (Sig::Object(_), Sig::Plain(t, _)) | (Sig::Plain(t, _), Sig::Object(_)) => *t == "object",
        (Sig::Object(_), Sig::Listed(_)) | (Sig::Listed(_), Sig::Object(_)) => false,
    }
}

fn objects_overlap(a: &Obj<'_>, b: &Obj<'_>) -> bool {
    // A tag both declare with different single values.
    let tags_differ = a
        .tags
        .iter()
        .any(|(w, v)| b.tags.iter().any(|(u, x)| w == u && v != x));
    // A member one requires that the other forbids (closed and not declared).
    let forbids = |x: &Obj<'_>, y: &Obj<'_>| {
        y.closed
            && x.members
                .iter()
                .any(|(w, req, _)| *req && !y.members.iter().any(|(u, _, _)| u == w))
    };
    // A member both require, of different JSON types.
    let clash = a.members.iter().any(|(w, req, t)| {
        *req && b.members.iter().any(|(u, other_req, s)| {
            u == w
                && *other_req
                && matches!((t, s), (Some(t), Some(s)) if t != s
                    && !matches!((*t, *s), ("integer", "number") | ("number", "integer")))
        })
    });
    !(tags_differ || forbids(a, b) || forbids(b, a) || clash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EnumVariant, Field, StrEnum, Struct, Union, UnionVariant};

    fn def(name: &str, kind: TypeKind) -> TypeDef {
        TypeDef {
            name: name.into(),
            doc: None,
            pointer: format!("#/components/schemas/{name}"),
            kind,
            nullable: false,
        }
    }

    fn field(wire: &str, shape: Shape, required: bool) -> Field {
        Field {
            name: wire.into(),
            wire: wire.into(),
            doc: None,
            shape,
            required,
            deprecated: false,
            boxed: false,
            default: None,
        }
    }

    fn object(fields: Vec<Field>, additional: Additional) -> TypeKind {
        TypeKind::Struct(Struct {
            fields,
            additional,
            min_properties: None,
            max_properties: None,
            kept_rules: None,
        })
    }

    fn tag(value: &str) -> TypeKind {
        TypeKind::Enum(StrEnum {
            variants: vec![EnumVariant {
                name: value.into(),
                wire: value.into(),
            }],
            unknown: "Unknown".into(),
        })
    }

    fn choice(of: &[usize]) -> TypeKind {
        TypeKind::Union(Union {
            variants: of
                .iter()
                .map(|&i| UnionVariant {
                    name: format!("V{i}"),
                    shape: Shape::of(Ty::Named(TypeId(i))),
                    boxed: false,
                })
                .collect(),
            discriminator: None,
            exclusive: true,
        })
    }

    fn named(i: usize) -> Shape {
        Shape::of(Ty::Named(TypeId(i)))
    }

    #[test]
    fn alternatives_with_nothing_to_tell_them_apart_are_ambiguous() {
        let types = vec![
            def(
                "A",
                object(
                    vec![field("a", Shape::of(Ty::String), true)],
                    Additional::Ignored,
                ),
            ),
            def(
                "B",
                object(
                    vec![field("b", Shape::of(Ty::String), true)],
                    Additional::Ignored,
                ),
            ),
            def("C", choice(&[0, 1])),
        ];
        assert_eq!(ambiguous(&types), vec![(TypeId(2), 0, 1)]);
    }

    #[test]
    fn a_tag_a_closed_object_or_a_type_clash_tells_them_apart() {
        let types = vec![
            def("TagA", tag("a")),
            def("TagB", tag("b")),
            def(
                "A",
                object(vec![field("kind", named(0), true)], Additional::Ignored),
            ),
            def(
                "B",
                object(vec![field("kind", named(1), true)], Additional::Ignored),
            ),
            def("ByTag", choice(&[2, 3])),
            def(
                "Closed",
                object(
                    vec![field("x", Shape::of(Ty::String), false)],
                    Additional::Forbidden,
                ),
            ),
            def(
                "Needs",
                object(
                    vec![field("y", Shape::of(Ty::String), true)],
                    Additional::Ignored,
                ),
            ),
            def("ByClosure", choice(&[5, 6])),
            def(
                "S",
                object(
                    vec![field("v", Shape::of(Ty::String), true)],
                    Additional::Ignored,
                ),
            ),
            def(
                "N",
                object(
                    vec![field("v", Shape::of(Ty::Bool), true)],
                    Additional::Ignored,
                ),
            ),
            def("ByType", choice(&[8, 9])),
        ];
        assert_eq!(ambiguous(&types), vec![]);
    }

    #[test]
    fn scalars_are_apart_by_json_type_and_enums_by_their_values() {
        let mut types = vec![def("E1", tag("x")), def("E2", tag("y"))];
        types.push(def(
            "Scalars",
            TypeKind::Union(Union {
                variants: [
                    Shape::of(Ty::String),
                    Shape::of(Ty::Bool),
                    named(0),
                    named(1),
                ]
                .into_iter()
                .enumerate()
                .map(|(i, shape)| UnionVariant {
                    name: format!("V{i}"),
                    shape,
                    boxed: false,
                })
                .collect(),
                discriminator: None,
                exclusive: false,
            }),
        ));
        // The plain string takes the enums' values; the enums apart from it are apart.
        assert_eq!(ambiguous(&types), vec![(TypeId(2), 0, 2)]);
        types[2] = def("Apart", choice(&[0, 1]));
        assert_eq!(ambiguous(&types), vec![]);
    }
}
