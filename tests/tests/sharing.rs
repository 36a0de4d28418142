//! One schema, one type: the `shared-types` fixture reaches the same schemas from many places
//! (an array component through properties, items, `allOf` and `oneOf`; one inline enum written
//! three times; a component response, parameter and header used by several operations), and
//! its model must hold each of them once.

use ofb_codegen::model::{Api, Shape, Ty, TypeId, TypeKind};
use ofb_tests::repo_root;
use std::collections::BTreeMap;

fn model() -> Api {
    let path = repo_root().join("specs/fixtures/features/shared-types.yaml");
    let bytes = std::fs::read(&path).expect("fixture is readable");
    ofb_codegen::modelled("shared-types.yaml", &bytes, &[])
        .expect("the fixture models")
        .api
}

/// What a type holds, as wire names: a struct's properties or an enum's values.
fn members(api: &Api, id: TypeId) -> Option<Vec<String>> {
    match &api.ty(id).kind {
        TypeKind::Struct(s) => Some(s.fields.iter().map(|f| f.wire.clone()).collect()),
        TypeKind::Enum(e) => Some(e.variants.iter().map(|v| v.wire.clone()).collect()),
        _ => None,
    }
}

/// The named type a shape stands for, looking through arrays.
fn named(shape: &Shape) -> Option<TypeId> {
    match &shape.ty {
        Ty::Named(id) => Some(*id),
        Ty::Array(inner) => named(inner),
        _ => None,
    }
}

#[test]
fn each_schema_is_one_type() {
    let api = model();
    let mut by_members: BTreeMap<Vec<String>, Vec<&str>> = BTreeMap::new();
    for (i, t) in api.types.iter().enumerate() {
        if let Some(m) = members(&api, TypeId(i)) {
            by_members.entry(m).or_default().push(&t.name);
        }
    }
    let twice: Vec<String> = by_members
        .iter()
        .filter(|(_, names)| names.len() > 1)
        .map(|(m, names)| format!("{m:?} as {names:?}"))
        .collect();
    assert!(twice.is_empty(), "types emitted more than once: {twice:#?}");
    // Everything the fixture declares is there, once.
    for expected in [
        &["key", "value"][..],
        &["RED", "GREEN", "BLUE"],
        &["ASC", "DESC"],
        &["EDGE", "CORE"],
        &["reason"],
        &["code", "until"],
        &["MAINTENANCE", "AUDIT"],
    ] {
        let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        assert!(
            by_members.contains_key(&expected),
            "no type holds {expected:?}: {by_members:#?}"
        );
    }
}

#[test]
fn every_reference_reaches_the_same_type() {
    let api = model();
    let op = |name: &str| {
        api.operations
            .iter()
            .find(|o| o.operation_id.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("operation {name}"))
    };
    let field = |owner: TypeId, wire: &str| -> Shape {
        match &api.ty(owner).kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .find(|f| f.wire == wire)
                .map(|f| f.shape.clone())
                .unwrap_or_else(|| panic!("field {wire}")),
            other => panic!("{wire}: not a struct: {other:?}"),
        }
    };
    let body = |shape: &Option<ofb_codegen::model::Body>| {
        named(&shape.as_ref().expect("a body").shape).expect("a named body")
    };

    let list = body(&op("listKeys").responses[0].body);
    let key_item = named(&field(list, "ids")).expect("ids is a list of a named item");
    assert_eq!(
        named(&field(list, "batches")),
        Some(key_item),
        "array items"
    );

    let added = body(&op("addKeys").body);
    assert_eq!(named(&field(added, "tags")), Some(key_item), "allOf member");

    let one = body(&op("getKey").responses[0].body);
    let TypeKind::Union(u) = &api.ty(one).kind else {
        panic!("getKey answers a union");
    };
    assert_eq!(named(&u.variants[0].shape), Some(key_item), "oneOf member");

    // The same enum, written three times.
    let colour = named(&field(list, "colour"));
    assert!(colour.is_some());
    assert_eq!(named(&field(added, "shade")), colour);
    let hue_owner = named(&u.variants[1].shape).expect("the second alternative is named");
    assert_eq!(named(&field(hue_owner, "hue")), colour);

    // A component response, parameter and header: one type each, named after the component.
    let locked: Vec<TypeId> = ["listKeys", "addKeys", "getKey"]
        .iter()
        .map(|o| {
            body(
                &op(o)
                    .responses
                    .iter()
                    .find(|r| r.name == "Locked")
                    .expect("423")
                    .body,
            )
        })
        .collect();
    assert!(locked.iter().all(|l| *l == locked[0]), "{locked:?}");
    assert_eq!(api.ty(locked[0]).name, "LockedBody");
    let sort: Vec<Option<TypeId>> = ["listKeys", "addKeys"]
        .iter()
        .map(|o| named(&op(o).params[0].shape))
        .collect();
    assert!(sort[0].is_some() && sort[0] == sort[1], "{sort:?}");
    assert_eq!(api.ty(sort[0].unwrap_or(TypeId(0))).name, "Sort");
    let trace: Vec<Option<TypeId>> = ["listKeys", "addKeys"]
        .iter()
        .map(|o| named(&op(o).responses[0].headers[0].shape))
        .collect();
    assert!(trace[0].is_some() && trace[0] == trace[1], "{trace:?}");
    assert_eq!(api.ty(trace[0].unwrap_or(TypeId(0))).name, "Trace");
}
