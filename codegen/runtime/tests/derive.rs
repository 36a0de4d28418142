//! `derive(Validate)` as generated crates use it: rules per field, nested types, members kept
//! beside the declared ones, property counts, and unions.

use ofb_runtime::{Pattern, Rules, Validate};
use std::collections::BTreeMap;

static CODE: Pattern = Pattern::new("^[A-Z]{3}$");
static R0: Rules = Rules {
    pattern: Some(&CODE),
    ..Rules::NONE
};
static R1: Rules = Rules {
    max_items: Some(1),
    items: Some(&R0),
    ..Rules::NONE
};
static R2: Rules = Rules {
    maximum: Some(10.0),
    ..Rules::NONE
};
/// A map whose values follow R2, as the generator writes it for kept members.
static R3: Rules = Rules {
    items: Some(&R2),
    ..Rules::NONE
};

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[validate(max_properties = 2)]
struct Inner {
    #[serde(rename = "currencyCode")]
    #[validate(rules = R0)]
    currency_code: String,
    #[validate(rules = R1)]
    codes: Option<Vec<String>>,
    untouched: Option<String>,
    #[serde(flatten)]
    #[validate(flatten, rules = R3)]
    extra: BTreeMap<String, i64>,
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
struct Outer {
    #[validate(nested)]
    inner: Box<Inner>,
    #[validate(nested)]
    choice: Choice,
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[serde(untagged)]
enum Choice {
    #[validate(rules = R2)]
    Number(i64),
    #[validate(nested)]
    Object(Box<Inner>),
    Text(String),
}

#[test]
fn every_violation_is_reported_at_its_wire_pointer() {
    let value: Outer = serde_json::from_str(
        r#"{"inner":{"currencyCode":"brl","codes":["USD","eur"],"n":11},"choice":12}"#,
    )
    .unwrap();
    let out: Vec<String> = value
        .validate()
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        out,
        [
            "/inner/currencyCode: pattern: \"brl\" does not match the pattern ^[A-Z]{3}$",
            // Past maxItems the items themselves are not judged ("eur" would break the pattern).
            "/inner/codes: items: 2 items, more than maxItems 1",
            "/inner/n: range: 11 is above maximum 10",
            "/inner: items: 3 properties, more than maxProperties 2",
            "/choice: range: 12 is above maximum 10",
        ]
    );
}

#[test]
fn a_valid_value_passes() {
    let value: Outer =
        serde_json::from_str(r#"{"inner":{"currencyCode":"BRL"},"choice":"anything"}"#).unwrap();
    assert!(value.validate().is_ok());
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[validate(deny_unknown)]
struct Strict {
    #[validate(rules = R0)]
    code: String,
    #[validate(nested)]
    items: Vec<Loose>,
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
struct Loose {
    #[validate(nested)]
    inner: Option<Box<Strict>>,
}

#[test]
fn undeclared_members_are_reported_only_where_the_schema_forbids_them() {
    let body = br#"{"code":"usd","extra":1,"items":[{"tolerated":true,"inner":{"code":"BRL","items":[],"nope":2}}]}"#;
    let err = ofb_runtime::decode::validated::<Strict>(body).unwrap_err();
    let out: Vec<String> = err.iter().map(ToString::to_string).collect();
    assert_eq!(
        out,
        [
            "/extra: additional-properties: this member is not allowed: the schema declares additionalProperties: false",
            "/items/0/inner/nope: additional-properties: this member is not allowed: the schema declares additionalProperties: false",
            "/code: pattern: \"usd\" does not match the pattern ^[A-Z]{3}$",
        ]
    );
    let bad = ofb_runtime::decode::validated::<Strict>(br#"{"code":1,"items":[]}"#).unwrap_err();
    assert_eq!(
        bad.iter().map(|v| v.pointer.as_str()).collect::<Vec<_>>(),
        ["/code"]
    );
    assert!(ofb_runtime::decode::validated::<Strict>(br#"{"code":"BRL","items":[{}]}"#).is_ok());
}
