//! `Option<Option<T>>` for members that are optional and nullable, so that an absent member
//! (`None`) and an explicit `null` (`Some(None)`) stay distinct on a round trip. Used with
//! `#[serde(default, skip_serializing_if = "Option::is_none", with = "ofb_runtime::nullable")]`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Writes `Some(None)` as `null` (the `None` case is skipped by the field attribute).
pub fn serialize<T: Serialize, S: Serializer>(
    v: &Option<Option<T>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(Some(x)) => x.serialize(s),
        _ => s.serialize_none(),
    }
}

/// A present member: `null` becomes `Some(None)`, a value `Some(Some(v))`.
pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct S {
        #[serde(default, skip_serializing_if = "Option::is_none", with = "super")]
        x: Option<Option<i32>>,
    }

    #[test]
    fn absent_null_and_value_are_distinct() {
        for (json, x) in [
            ("{}", None),
            (r#"{"x":null}"#, Some(None)),
            (r#"{"x":1}"#, Some(Some(1))),
        ] {
            let s: S = serde_json::from_str(json).unwrap();
            assert_eq!(s.x, x);
            assert_eq!(serde_json::to_string(&s).unwrap(), json);
        }
    }
}
