//! Values kept exactly as sent: decimal text (money), JSON numbers, dates and date-times.
//!
//! Each holds the wire text, so a value read and written back is byte for byte what came in,
//! and no amount ever passes through `f64`. Validation checks the text's format (see [`crate::rules`]); parse it with
//! the date or decimal library of your choice through [`as_str`](DecimalString::as_str).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The wire text, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            /// Accepts any text; [`Validate`] reports text that is not in the format.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name(s.to_owned()))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }

    };
}

text_type!(
    /// Decimal text sent as a JSON string (`type: string, format: double`): how Open Finance
    /// documents carry money.
    DecimalString
);
text_type!(
    /// An RFC 3339 `full-date` (`2024-01-31`).
    Date
);
text_type!(
    /// An RFC 3339 `date-time` (`2024-01-31T12:00:00Z`), offset and precision kept as sent.
    DateTime
);

/// A JSON number (`type: number`), kept as text.
///
/// Integers are exact at any size up to 64 bits. A fraction is read by serde_json as an `f64`
/// and kept as its shortest round-trip text, so digits beyond `f64` precision (about 15
/// significant digits) cannot be kept. serde_json's `arbitrary_precision` feature would keep
/// them, but it changes serde_json for the whole dependency graph and breaks numbers inside
/// untagged and flattened types, so this crate does not turn it on. Money in Open Finance
/// documents is a string ([`DecimalString`]), which is exact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Number(String);

impl Number {
    /// The number's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as an `f64` (`NaN` never occurs: the text always came from a number).
    pub fn as_f64(&self) -> f64 {
        self.0.parse().unwrap_or(0.0)
    }

    fn is_integer(&self) -> bool {
        !self.0.contains(['.', 'e', 'E'])
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        Number(n.to_string())
    }
}

impl From<f64> for Number {
    fn from(n: f64) -> Self {
        let mut s = n.to_string();
        if n.is_finite() && !s.contains(['.', 'e', 'E']) {
            s.push_str(".0");
        }
        Number(s)
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_integer() {
            if let Ok(i) = self.0.parse::<i64>() {
                return s.serialize_i64(i);
            }
            if let Ok(u) = self.0.parse::<u64>() {
                return s.serialize_u64(u);
            }
        }
        s.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E>(self, n: i64) -> Result<Number, E> {
                Ok(Number::from(n))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Number, E> {
                Ok(Number(n.to_string()))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Number, E> {
                Ok(Number::from(n))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Validate;

    #[test]
    fn wire_text_survives_a_round_trip() {
        for json in [r#""100.10""#, r#""2024-01-31T12:00:00.000-03:00""#] {
            let d: DecimalString = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&d).unwrap(), json);
        }
        for json in ["12", "-3", "1.5", "18446744073709551615", "1.0"] {
            let n: Number = serde_json::from_str(json).unwrap();
            let back: serde_json::Value = serde_json::to_value(&n).unwrap();
            assert_eq!(
                back,
                serde_json::from_str::<serde_json::Value>(json).unwrap(),
                "{json}"
            );
        }
        assert!(serde_json::from_str::<Number>(r#""12""#).is_err());
    }

    #[test]
    fn formats_are_validated() {
        assert!(DecimalString::from("1.5x").validate().is_err());
        assert!(Date::from("2024-02-30").validate().is_err());
        assert!(DateTime::from("2024-02-03T10:00:00Z").validate().is_ok());
    }
}
