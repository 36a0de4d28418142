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
    loop {
        let mut first: BTreeMap<String, usize> = BTreeMap::new();
        let mut merged = false;
        for i in 0..types.len() {
            if into[i] != i {
                continue;
            }
            let key = fingerprint(&types[i], &into);
            match first.get(&key) {
                Some(&j) if !(is_component(&types[j]) && is_component(&types[i])) => {
                    // The component, when one of the two is, survives under its own name.
                    let (keep, drop) = if is_component(&types[i]) {
                        (i, j)
                    } else {
                        (j, i)
                    };
                    into[drop] = keep;
                    if types[keep].doc.is_none() {
                        types[keep].doc = types[drop].doc.clone();
                    }
                    if keep == i {
                        first.insert(key, i);
                    }
                    merged = true;
                }
                Some(_) => {}
                None => {
                    first.insert(key, i);
                }
            }
        }
        // Follow chains (a -> b -> c) so every entry names a survivor.
        for i in 0..into.len() {
            into[i] = root(&into, i);
        }
        if !merged {
            break;
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

fn root(into: &[usize], mut i: usize) -> usize {
    while into[i] != i {
        i = into[i];
    }
    i
}

fn is_component(t: &TypeDef) -> bool {
    t.pointer
        .strip_prefix("#/components/schemas/")
        .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
}

/// What identifies a type's content: its kind, with references replaced by the survivor they
/// merge into. Left out are the type's own description (the field holding an inline schema
/// carries the same text) and examples (each is still checked where it was written).
fn fingerprint(t: &TypeDef, into: &[usize]) -> String {
    let mut kind = t.kind.clone();
    for_each_shape(&mut kind, &mut |s| {
        retarget(s, &|id: &mut TypeId| id.0 = root(into, id.0));
        forget_examples(s);
    });
    format!("{kind:?}")
}

fn forget_examples(shape: &mut Shape) {
    shape.example = None;
    match &mut shape.ty {
        Ty::Array(inner) | Ty::Map(inner) => forget_examples(inner),
        _ => {}
    }
}

/// Applies `map` to every type id `shape` refers to, at any depth.
fn retarget(shape: &mut Shape, map: &impl Fn(&mut TypeId)) {
    match &mut shape.ty {
        Ty::Named(id) => map(id),
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
