//! Deserialization helpers for generated types.

use serde::de::{Deserializer, Error, Visitor};
use std::fmt;

/// Reads a string and maps it with `f` without allocating when the input can lend the text, as
/// generated string enums do for every value.
pub fn str_with<'de, D, T>(d: D, f: fn(&str) -> T) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct V<T>(fn(&str) -> T);
    impl<T> Visitor<'_> for V<T> {
        type Value = T;
        fn expecting(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
            out.write_str("a string")
        }
        fn visit_str<E: Error>(self, s: &str) -> Result<T, E> {
            Ok((self.0)(s))
        }
    }
    d.deserialize_str(V(f))
}
