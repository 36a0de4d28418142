//! `#[object]` writes a struct's `Deserialize` itself (a lean one, so that generated crates build
//! faster). It must accept and refuse what serde's derive does for the same declarations, and
//! report failures at the same pointers: each case here decodes one body into both and
//! compares.

use ofb_runtime::decode;
use ofb_runtime::prelude::*;

/// The `#[object]` struct under test.
#[object]
#[derive(Debug, Clone, PartialEq, Serialize, Validate)]
#[serde(rename_all = "camelCase")]
struct Lean {
    account_id: String,
    #[serde(rename = "TYPE")]
    r#type: Option<String>,
    amount: Option<i64>,
    #[serde(with = "::ofb_runtime::nullable")]
    closed_at: Option<Option<String>>,
    #[required]
    owner: Option<String>,
    items: Vec<Item>,
}

#[object]
#[derive(Debug, Clone, PartialEq, Serialize, Validate)]
struct Item {
    n: i32,
}

/// The same declarations through serde's derive, as `#[object]` used to be expanded.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reference {
    account_id: String,
    #[serde(rename = "TYPE", default)]
    r#type: Option<String>,
    #[serde(default)]
    amount: Option<i64>,
    #[serde(default, with = "::ofb_runtime::nullable")]
    closed_at: Option<Option<String>>,
    /// `#[required]`: present, `null` or not (serde's `deserialize_with` drops the default of
    /// a missing `Option`).
    #[serde(deserialize_with = "present")]
    owner: Option<String>,
    items: Vec<ReferenceItem>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    <Option<String> as serde::Deserialize>::deserialize(d)
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
struct ReferenceItem {
    n: i32,
}

/// Keeps undeclared members beside the declared ones.
#[object]
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
struct Open {
    a: Option<i32>,
    #[serde(flatten)]
    additional_properties: std::collections::BTreeMap<String, serde_json::Value>,
}

fn same(body: &str) {
    let lean = decode::from_str::<Lean>(body);
    let reference = decode::from_str::<Reference>(body);
    match (&lean, &reference) {
        (Ok(l), Ok(r)) => {
            let l = &l.value;
            let r = &r.value;
            assert_eq!(l.account_id, r.account_id, "{body}");
            assert_eq!(l.r#type, r.r#type, "{body}");
            assert_eq!(l.amount, r.amount, "{body}");
            assert_eq!(l.closed_at, r.closed_at, "{body}");
            assert_eq!(l.owner, r.owner, "{body}");
            let ln: Vec<i32> = l.items.iter().map(|i| i.n).collect();
            let rn: Vec<i32> = r.items.iter().map(|i| i.n).collect();
            assert_eq!(ln, rn, "{body}");
            assert_eq!(
                lean.as_ref().map(|d| &d.ignored).ok(),
                reference.as_ref().map(|d| &d.ignored).ok(),
                "{body}"
            );
        }
        (Err(l), Err(r)) => {
            assert_eq!(l.pointer, r.pointer, "{body}");
            // serde names the struct it expected; the two structs' names differ.
            let message = r
                .message
                .replace("struct ReferenceItem", "struct Item")
                .replace("struct Reference", "struct Lean");
            assert_eq!(l.message, message, "{body}");
        }
        _ => panic!("{body}: lean {lean:?}, serde {reference:?}"),
    }
}

#[test]
fn accepts_and_refuses_what_serde_does() {
    for body in [
        r#"{"accountId":"a","owner":null,"items":[]}"#,
        r#"{"accountId":"a","TYPE":"x","amount":3,"closedAt":"d","owner":"o","items":[{"n":1}]}"#,
        r#"{"accountId":"a","amount":null,"closedAt":null,"items":[{"n":1,"m":2}],"extra":{}}"#,
        r#"{"accountId":"a","items":[]}"#,
        r#"{"items":[]}"#,
        r#"{"accountId":"a"}"#,
        r#"{"accountId":"a","accountId":"b","items":[]}"#,
        r#"{"accountId":1,"items":[]}"#,
        r#"{"accountId":"a","items":[{"n":"x"}]}"#,
        r#"{"accountId":"a","items":[{}]}"#,
        r#"{"accountId":"a","items":[[1]]}"#,
        r#"["a", null, null, null, null, []]"#,
        r#"{"accountId":"a","items":[],"type":"lowercase is not the name"}"#,
        "null",
        "{",
    ] {
        same(body);
    }
}

#[test]
fn nullable_members_keep_absent_and_null_apart() {
    let absent = decode::from_str::<Lean>(r#"{"accountId":"a","owner":null,"items":[]}"#).unwrap();
    assert_eq!(absent.value.closed_at, None);
    let null =
        decode::from_str::<Lean>(r#"{"accountId":"a","closedAt":null,"owner":null,"items":[]}"#);
    assert_eq!(null.unwrap().value.closed_at, Some(None));
    // A required nullable member must be there, `null` or not.
    let missing = decode::from_str::<Lean>(r#"{"accountId":"a","items":[]}"#).unwrap_err();
    assert!(
        missing.message.contains("missing field `owner`"),
        "{missing}"
    );
}

#[test]
fn a_null_for_an_optional_member_that_is_not_nullable_is_absent_and_recorded() {
    let d = decode::from_str::<Lean>(r#"{"accountId":"a","amount":null,"owner":null,"items":[]}"#)
        .unwrap();
    assert_eq!(d.value.amount, None);
    assert_eq!(d.nulls, ["/amount"]);
    let judged = decode::judged::<Lean>(
        br#"{"accountId":"a","amount":null,"owner":null,"items":[]}"#,
        true,
        10,
    )
    .unwrap();
    let v: Vec<String> = judged.violations.iter().map(|v| v.to_string()).collect();
    assert_eq!(v, ["/amount: type: null is not allowed here: the schema does not declare this member nullable"]);
}

#[test]
fn kept_members_are_kept_and_not_ignored() {
    let d = decode::from_str::<Open>(r#"{"a":1,"b":[true],"c":"x"}"#).unwrap();
    assert_eq!(d.value.a, Some(1));
    assert_eq!(
        d.value.additional_properties.keys().collect::<Vec<_>>(),
        ["b", "c"]
    );
    assert!(d.ignored.is_empty(), "{:?}", d.ignored);
    let back = serde_json::to_string(&d.value).unwrap();
    assert_eq!(back, r#"{"a":1,"b":[true],"c":"x"}"#);
}
