//! The round-trip check generated example tests run.

#[cfg(feature = "testing")]
pub mod keys;

use crate::validate::Validate;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Checks that `json` deserializes into `T` with no member ignored, serializes back to an equal
/// JSON value, and passes `validate()`. The error says which step failed and where.
pub fn round_trip<T: DeserializeOwned + Serialize + Validate>(json: &str) -> Result<(), String> {
    let decoded =
        crate::decode::from_str::<T>(json).map_err(|e| format!("does not deserialize: {e}"))?;
    if !decoded.ignored.is_empty() {
        return Err(format!(
            "members not kept by the type: {}",
            decoded.ignored.join(", ")
        ));
    }
    let original: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let back =
        serde_json::to_value(&decoded.value).map_err(|e| format!("does not serialize: {e}"))?;
    if back != original {
        return Err(format!(
            "serializes to a different value:\n  in:  {original}\n  out: {back}"
        ));
    }
    decoded
        .value
        .validate()
        .map_err(|v| format!("does not validate:\n{v}"))
}

#[cfg(test)]
mod tests {
    const GOOD: &str = r#"{"a":[1,2]}"#;
    const EXTRA: &str = r#"{"a":[1],"b":true}"#;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct T {
        a: Vec<i32>,
    }

    impl crate::Validate for T {
        fn validate_into(&self, v: &mut crate::Validator) {
            crate::check::items(v, self.a.len(), Some(1), None);
        }
    }

    #[test]
    fn a_faithful_example_round_trips() {
        assert_eq!(super::round_trip::<T>(GOOD), Ok(()));
    }

    #[test]
    fn members_the_type_drops_fail_the_round_trip() {
        let err = super::round_trip::<T>(EXTRA).unwrap_err();
        assert!(err.contains("/b"), "{err}");
        assert!(super::round_trip::<T>(r#"{"a":[]}"#)
            .unwrap_err()
            .contains("does not validate"));
    }
}
