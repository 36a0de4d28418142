//! One type for one schema: inline schemas written the same way in several places of a
//! document (the same permission enum under three consent schemas, the same `meta` under every
//! response) are merged into one named type.
//!
//! Two types are the same when their values are: kind, fields with their wire names and docs,
//! variants, constraints, and the types they refer to, compared after those have been merged
//! themselves. A type's own description and the examples written for it do not count: the
//! survivor keeps the first description given, and every example is still checked where it
//! was written. The pass repeats until
//! nothing more merges, so identical trees collapse from the leaves up.
//!
//! Naming rule: a component schema keeps its own name, and an inline type that is the same as
//! one becomes that component; otherwise the type met first in the document (components, then
//! operations in path order) gives the merged type its name. Two component schemas are never
//! merged: the author named them apart.

use super::{Operation, Shape, Ty, TypeDef, TypeId, TypeKind};
use std::collections::BTreeMap;

/// Merges identical types in place, then drops the merged-away ones and renumbers, rewriting
/// every reference in `types`, `ops` and `examples`.
pub(super) fn share_identical(
    types: &mut Vec<TypeDef>,
    ops: &mut [Operation],
    examples: &mut indexmap::IndexMap<String, Shape>,
) {
    let mut into: Vec<usize> = (0..types.len()).collect();
    // The types each one refers to, and each one's fingerprint, computed again only when one
    // of those has just been merged into another (formatting every type each round is most of
    // this pass's time).
    let children: Vec<Vec<usize>> = types.iter().map(|t| referenced(&t.kind)).collect();
    let mut keys: Vec<Option<String>> = vec![None; types.len()];
    loop {
        let before = into.clone();
        let mut first: BTreeMap<&str, usize> = BTreeMap::new();
        for i in 0..types.len() {
            if into[i] == i && keys[i].is_none() {
                keys[i] = Some(fingerprint(&types[i], &into));
            }
        }
        let mut merges = Vec::new();
        for i in 0..types.len() {
            if into[i] != i {
                continue;
            }
            let Some(key) = keys[i].as_deref() else {
                continue;
            };
            match first.get(key) {
                Some(&j) if !(types[j].is_component() && types[i].is_component()) => {
                    // The component, when one of the two is, survives under its own name.
                    let (keep, drop) = if types[i].is_component() {
                        (i, j)
                    } else {
                        (j, i)
                    };
                    merges.push((keep, drop));
                    if keep == i {
                        first.insert(key, i);
                    }
                }
                Some(_) => {}
                None => {
                    first.insert(key, i);
                }
            }
        }
        if merges.is_empty() {
            break;
        }
        for (keep, drop) in merges {
            into[drop] = keep;
            if types[keep].doc.is_none() {
                types[keep].doc = types[drop].doc.clone();
            }
        }
        // Follow chains (a -> b -> c) so every entry names a survivor.
        for i in 0..into.len() {
            into[i] = root(&into, i);
        }
        // A type whose references now resolve elsewhere may now match another.
        for i in 0..types.len() {
            if children[i].iter().any(|&c| before[c] != into[c]) {
                keys[i] = None;
            }
        }
    }
    if into.iter().enumerate().all(|(i, &t)| i == t) {
        return;
    }
    // Renumber the survivors in their order, then point every reference at them.
    let mut new_index = vec![usize::MAX; types.len()];
    let mut next = 0;
    for i in 0..types.len() {
        if into[i] == i {
            new_index[i] = next;
            next += 1;
        }
    }
    let map = |id: &mut TypeId| id.0 = new_index[into[id.0]];
    let old = std::mem::take(types);
    for (i, mut t) in old.into_iter().enumerate() {
        if into[i] == i {
            for_each_shape(&mut t.kind, &mut |s| retarget(s, &map));
            types.push(t);
        }
    }
    for op in ops {
        for p in &mut op.params {
            retarget(&mut p.shape, &map);
        }
        if let Some(b) = &mut op.body {
            retarget(&mut b.shape, &map);
        }
        for r in &mut op.responses {
            if let Some(b) = &mut r.body {
                retarget(&mut b.shape, &map);
            }
            for h in &mut r.headers {
                retarget(&mut h.shape, &map);
            }
        }
    }
    for shape in examples.values_mut() {
        retarget(shape, &map);
    }
}

/// The ids of the types `kind` refers to, at any depth of its shapes.
fn referenced(kind: &TypeKind) -> Vec<usize> {
    fn walk(shape: &Shape, out: &mut Vec<usize>) {
        match &shape.ty {
            Ty::Named(id) | Ty::Token(id) => out.push(id.0),
            Ty::Array(inner) | Ty::Map(inner) => walk(inner, out),
            _ => {}
        }
    }
    let mut kind = kind.clone();
    let mut out = Vec::new();
    for_each_shape(&mut kind, &mut |s| walk(s, &mut out));
    out
}

fn root(into: &[usize], mut i: usize) -> usize {
    while into[i] != i {
        i = into[i];
    }
    i
}

/// What identifies a type's content: its kind, with references replaced by the survivor they
/// merge into. Left out are the type's own description (the field holding an inline schema
/// carries the same text) and examples (each is still checked where it was written).
fn fingerprint(t: &TypeDef, into: &[usize]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(256);
    // Writing to a String cannot fail.
    let shape = |out: &mut String, s: &Shape| write_shape(out, s, into);
    match &t.kind {
        TypeKind::Struct(st) => {
            let _ = write!(out, "S{:?}{:?}", st.min_properties, st.max_properties);
            match &st.additional {
                super::Additional::Forbidden => out.push('F'),
                super::Additional::Ignored => out.push('I'),
                super::Additional::Kept(s) => {
                    out.push('K');
                    shape(&mut out, s);
                }
            }
            for f in &st.fields {
                let _ = write!(
                    out,
                    "|{}\u{0}{}\u{0}{:?}{}{}{}",
                    f.name, f.wire, f.doc, f.required, f.deprecated, f.boxed
                );
                shape(&mut out, &f.shape);
            }
        }
        TypeKind::Enum(e) => {
            let _ = write!(out, "E{}", e.unknown);
            for v in &e.variants {
                let _ = write!(out, "|{}\u{0}{}", v.name, v.wire);
            }
        }
        TypeKind::Union(u) => {
            let _ = write!(out, "U{}{:?}", u.exclusive, u.discriminator);
            for v in &u.variants {
                let _ = write!(out, "|{}{}", v.name, v.boxed);
                shape(&mut out, &v.shape);
            }
        }
        TypeKind::Alias(s) => {
            out.push('A');
            shape(&mut out, s);
        }
        TypeKind::Envelope { meta } => {
            out.push('V');
            if let Some(m) = meta {
                shape(&mut out, m);
            }
        }
    }
    out
}

/// A shape's part of a fingerprint: its type (a named one by the survivor it merges into),
/// its constraints where it has any, whether it is nullable; not its example.
fn write_shape(out: &mut String, s: &Shape, into: &[usize]) {
    use std::fmt::Write;
    match &s.ty {
        Ty::Named(id) => {
            let _ = write!(out, "#{}", root(into, id.0));
        }
        Ty::Token(id) => {
            let _ = write!(out, "jws#{}", root(into, id.0));
        }
        Ty::Array(inner) => {
            out.push('[');
            write_shape(out, inner, into);
            out.push(']');
        }
        Ty::Map(inner) => {
            out.push('{');
            write_shape(out, inner, into);
            out.push('}');
        }
        other => {
            let _ = write!(out, "{other:?}");
        }
    }
    if s.c != super::Constraints::default() {
        let _ = write!(out, "{:?}", s.c);
    }
    if s.nullable {
        out.push('?');
    }
}

/// Applies `map` to every type id `shape` refers to, at any depth.
fn retarget(shape: &mut Shape, map: &impl Fn(&mut TypeId)) {
    match &mut shape.ty {
        Ty::Named(id) | Ty::Token(id) => map(id),
        Ty::Array(inner) | Ty::Map(inner) => retarget(inner, map),
        _ => {}
    }
}

/// Calls `f` on every shape a type holds directly (fields, variants, alias target, extra
/// members, an envelope's `meta`).
fn for_each_shape(kind: &mut TypeKind, f: &mut impl FnMut(&mut Shape)) {
    match kind {
        TypeKind::Struct(s) => {
            for field in &mut s.fields {
                f(&mut field.shape);
            }
            if let super::Additional::Kept(shape) = &mut s.additional {
                f(shape);
            }
        }
        TypeKind::Union(u) => {
            for v in &mut u.variants {
                f(&mut v.shape);
            }
        }
        TypeKind::Alias(shape) => f(shape),
        TypeKind::Envelope { meta } => {
            if let Some(m) = meta {
                f(m);
            }
        }
        TypeKind::Enum(_) => {}
    }
}
