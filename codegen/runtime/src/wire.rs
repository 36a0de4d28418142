//! Values kept exactly as sent: decimal text (money), JSON numbers, dates and date-times.
//!
//! Each holds the wire text, so a value read and written back is byte for byte what came in,
//! and no amount ever passes through `f64`. Anything is accepted when decoding; validation
//! reports text that is not in the format (the `Validate` impls are in [`crate::rules`]).
//!
//! To work with the values: with the `decimal` feature, [`DecimalString`] converts to and from
//! `rust_decimal::Decimal` exactly (scale kept: `"1.50"` is 1.50, and back is `"1.50"`); with
//! the `time` feature, [`Date`] and [`DateTime`] convert to and from `time::Date` and
//! `time::OffsetDateTime`, which order them. The wire text itself never changes: a conversion
//! reads it or makes a new value.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident $(, $derive:ident)*) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize $(, $derive)*)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A value holding `text` as it is (validation judges it).
            pub fn new(text: impl Into<String>) -> Self {
                $name(text.into())
            }

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
            /// Accepts any text; [`Validate`](crate::Validate) reports text that is not in the format.
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
    /// Decimal text sent as a JSON string (`type: string, format: double|float`): how Open
    /// Finance documents carry money. Equality is of the text (`"1.50"` is not `"1.5"`), and
    /// there is no ordering: text order is not numeric order.
    DecimalString
);
text_type!(
    /// An RFC 3339 `full-date` (`2024-01-31`). Ordered by its text, which for valid dates is
    /// the calendar order.
    Date,
    PartialOrd,
    Ord
);
text_type!(
    /// An RFC 3339 `date-time` (`2024-01-31T12:00:00Z`), offset and precision kept as sent.
    /// Equality is of the text; there is no ordering, since text order is not time order
    /// across offsets.
    DateTime
);

/// A JSON number (`type: number`), kept as text.
///
/// Integers are exact at any size up to 64 bits. A number with a fraction or an exponent is
/// read by serde_json as an `f64` and kept as its shortest round-trip text (`1.5`, `1e+300`), so
/// digits beyond `f64` precision (about 15 significant digits) cannot be kept, and `1.50`
/// comes back as `1.5`. serde_json's `arbitrary_precision` feature would keep them, but a
/// feature is switched on for the whole dependency graph: it changes how every crate linked
/// with this one sees numbers, and it breaks numbers inside untagged and flattened types
/// (serde buffers them as maps). This crate does not turn it on. Money in Open Finance
/// documents is a string ([`DecimalString`]), which is exact.
///
/// Equality and hashing are of the text. There is no ordering (text order is not numeric
/// order): compare [`as_f64`](Number::as_f64).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number(String);

impl Number {
    /// The number's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as an `f64` (rounded when it has more digits than an `f64` holds).
    pub fn as_f64(&self) -> f64 {
        // The text always came from a number, so this does not fail.
        self.0.parse().unwrap_or(f64::NAN)
    }

    /// The number as an `i64`, when it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    /// The number as a `u64`, when it is a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }
}

/// Zero.
/// Reads JSON number text (a query parameter `page=2`); anything else is refused.
impl std::str::FromStr for Number {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json::from_str::<Number>(s.trim()).map_err(|_| format!("{s:?} is not a number"))
    }
}

impl Default for Number {
    fn default() -> Self {
        Number::from(0i64)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! number_from_int {
    ($($t:ty),*) => {
        $(impl From<$t> for Number {
            fn from(n: $t) -> Self {
                Number(n.to_string())
            }
        })*
    };
}

number_from_int!(i8, i16, i32, i64, u8, u16, u32, u64);

/// The shortest text that reads back as the same `f64`, as serde_json writes it (`1.0`,
/// `1e+300`). JSON has no NaN or infinity: those keep Rust's text (`NaN`, `inf`) and are
/// written as `null`, which is what serde_json does with them.
impl From<f64> for Number {
    fn from(n: f64) -> Self {
        Number(serde_json::Number::from_f64(n).map_or_else(|| n.to_string(), |j| j.to_string()))
    }
}

impl From<f32> for Number {
    fn from(n: f32) -> Self {
        Number::from(f64::from(n))
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let Some(i) = self.as_i64() {
            s.serialize_i64(i)
        } else if let Some(u) = self.as_u64() {
            s.serialize_u64(u)
        } else {
            s.serialize_f64(self.as_f64())
        }
    }
}

/// Only from a JSON number: `"12"` (a string) is refused, as the schema's `type` says.
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
                Ok(Number::from(n))
            }
            fn visit_i128<E>(self, n: i128) -> Result<Number, E> {
                Ok(Number(n.to_string()))
            }
            fn visit_u128<E>(self, n: u128) -> Result<Number, E> {
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

    fn json(s: &str) -> serde_json::Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn text_survives_a_round_trip_byte_for_byte() {
        for text in [
            r#""100.10""#,
            r#""1500.500000""#,
            r#""-0.00""#,
            r#""""#,
            r#""ação \u00e9 \" x""#,
            r#""not a number""#,
        ] {
            let d: DecimalString = serde_json::from_str(text).unwrap();
            let back = serde_json::to_string(&d).unwrap();
            assert_eq!(json(&back), json(text), "{text}");
            assert_eq!(d.to_string(), d.as_str());
        }
        let d: DateTime = serde_json::from_str(r#""2024-01-31T12:00:00.000-03:00""#).unwrap();
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#""2024-01-31T12:00:00.000-03:00""#
        );
        assert!(serde_json::from_str::<Date>("20240131").is_err());
        assert_eq!(
            "1.50".parse::<DecimalString>().map(|d| d.into_string()),
            Ok("1.50".to_owned())
        );
    }

    #[test]
    fn numbers_round_trip_as_numbers() {
        for text in [
            "12",
            "-3",
            "0",
            "1.5",
            "1.0",
            "-0.0",
            "1e300",
            "2.5e-10",
            "18446744073709551615",
            "-9223372036854775808",
            "0.1",
        ] {
            let n: Number = serde_json::from_str(text).unwrap();
            let back = serde_json::to_value(&n).unwrap();
            assert_eq!(back, json(text), "{text}");
            assert_eq!(serde_json::to_string(&n).unwrap(), n.as_str(), "{text}");
        }
        let n: Number = serde_json::from_str("1e300").unwrap();
        assert_eq!(n.as_str(), serde_json::to_string(&1e300).unwrap());
        assert_eq!(n.as_f64(), 1e300);
        let big: Number = serde_json::from_str("18446744073709551615").unwrap();
        assert_eq!(big.as_u64(), Some(u64::MAX));
        assert_eq!(big.as_i64(), None);
        // Beyond f64 precision the extra digits are lost, as documented.
        let long: Number = serde_json::from_str("0.12345678901234567890").unwrap();
        assert_eq!(long.as_str(), "0.12345678901234568");
    }

    #[test]
    fn numbers_come_only_from_json_numbers() {
        for text in [r#""12""#, "null", "true", "[]", "{}"] {
            assert!(serde_json::from_str::<Number>(text).is_err(), "{text}");
        }
        let v: Number = serde_json::from_value(serde_json::json!(7)).unwrap();
        assert_eq!(v, Number::from(7i64));
    }

    #[test]
    fn numbers_from_rust_values() {
        assert_eq!(Number::default().as_str(), "0");
        assert_eq!(Number::from(1.0).as_str(), "1.0");
        assert_eq!(Number::from(-2i64).to_string(), "-2");
        assert_eq!(Number::from(u64::MAX).as_u64(), Some(u64::MAX));
        assert_eq!(Number::from(0.5f32).as_str(), "0.5");
        let nan = Number::from(f64::NAN);
        assert!(nan.as_f64().is_nan());
        assert_eq!(serde_json::to_string(&nan).unwrap(), "null");
        assert_eq!(
            serde_json::to_string(&Number::from(f64::INFINITY)).unwrap(),
            "null"
        );
    }

    #[test]
    fn formats_are_validated() {
        assert!(DecimalString::from("1.5x").validate().is_err());
        assert!(DecimalString::from("").validate().is_err());
        assert!(DecimalString::from("-1500.50").validate().is_ok());
        assert!(Date::from("2024-02-30").validate().is_err());
        assert!(Date::new("2024-02-29").validate().is_ok());
        assert!(DateTime::from("2024-02-03T10:00:00Z").validate().is_ok());
        assert!(DateTime::from(String::from("2024-02-03"))
            .validate()
            .is_err());
        let out = Date::from("31/01/2024").validate().unwrap_err();
        assert_eq!(
            out.to_string(),
            r#"/: format: "31/01/2024" is not a valid date"#
        );
    }

    #[test]
    fn dates_order_by_calendar() {
        let mut dates = [
            Date::from("2024-10-01"),
            Date::from("2024-02-29"),
            Date::from("2023-12-31"),
        ];
        dates.sort();
        assert_eq!(
            dates.map(|d| d.into_string()),
            ["2023-12-31", "2024-02-29", "2024-10-01"]
        );
    }
}

/// Why wire text could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertError {
    /// The text, as sent.
    pub text: String,
    /// Why.
    pub reason: String,
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} cannot be converted: {}", self.text, self.reason)
    }
}

impl std::error::Error for ConvertError {}

#[cfg(feature = "decimal")]
mod decimal {
    use super::{ConvertError, DecimalString};
    use rust_decimal::Decimal;

    impl DecimalString {
        /// The exact decimal (scale kept); an error for text that is not a decimal or has more
        /// than 28 significant digits.
        pub fn to_decimal(&self) -> Result<Decimal, ConvertError> {
            Decimal::from_str_exact(self.as_str()).map_err(|e| ConvertError {
                text: self.as_str().to_owned(),
                reason: e.to_string(),
            })
        }
    }

    impl TryFrom<&DecimalString> for Decimal {
        type Error = ConvertError;
        fn try_from(d: &DecimalString) -> Result<Self, ConvertError> {
            d.to_decimal()
        }
    }

    impl From<Decimal> for DecimalString {
        /// The decimal's text with its scale (`1.50`, never `1.5`), as the documents write
        /// amounts.
        fn from(d: Decimal) -> Self {
            DecimalString::new(d.to_string())
        }
    }
}

#[cfg(feature = "time")]
mod times {
    use super::{ConvertError, Date, DateTime};
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;

    fn err(text: &str, e: impl std::fmt::Display) -> ConvertError {
        ConvertError {
            text: text.to_owned(),
            reason: e.to_string(),
        }
    }

    impl Date {
        /// The calendar date.
        pub fn to_date(&self) -> Result<time::Date, ConvertError> {
            time::Date::parse(self.as_str(), format_description!("[year]-[month]-[day]"))
                .map_err(|e| err(self.as_str(), e))
        }
    }

    impl From<time::Date> for Date {
        /// `YYYY-MM-DD`.
        fn from(d: time::Date) -> Self {
            let text = d
                .format(format_description!("[year]-[month]-[day]"))
                .unwrap_or_default();
            Date::new(text)
        }
    }

    impl TryFrom<&Date> for time::Date {
        type Error = ConvertError;
        fn try_from(d: &Date) -> Result<Self, ConvertError> {
            d.to_date()
        }
    }

    impl DateTime {
        /// The instant, with the offset as sent; `OffsetDateTime` orders instants across
        /// offsets, which the text cannot.
        pub fn to_offset_date_time(&self) -> Result<time::OffsetDateTime, ConvertError> {
            time::OffsetDateTime::parse(self.as_str(), &Rfc3339).map_err(|e| err(self.as_str(), e))
        }

        /// How the instants of `self` and `other` compare; `None` when either is not a valid
        /// date-time.
        pub fn cmp_instant(&self, other: &DateTime) -> Option<std::cmp::Ordering> {
            Some(
                self.to_offset_date_time()
                    .ok()?
                    .cmp(&other.to_offset_date_time().ok()?),
            )
        }
    }

    impl From<time::OffsetDateTime> for DateTime {
        /// RFC 3339, with the offset and the fraction of a second the value has.
        fn from(t: time::OffsetDateTime) -> Self {
            DateTime::new(t.format(&Rfc3339).unwrap_or_default())
        }
    }

    impl TryFrom<&DateTime> for time::OffsetDateTime {
        type Error = ConvertError;
        fn try_from(d: &DateTime) -> Result<Self, ConvertError> {
            d.to_offset_date_time()
        }
    }
}
