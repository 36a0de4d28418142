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

/// What `#[object]`'s `Deserialize` reads a struct with: the member names it declares, matched
/// by one function for every struct of a crate instead of a field visitor per struct.
///
/// A JSON member name is read as a [`Member`]: the index of the declared name it equals, or,
/// where the struct keeps undeclared members (`keep`), the name itself.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Members {
    /// The declared names, as they appear on the wire.
    pub names: &'static [&'static str],
    /// Whether undeclared names are returned (for a struct that keeps such members).
    pub keep: bool,
}

/// A member name as [`Members`] read it.
#[doc(hidden)]
pub enum Member {
    /// The declared name at this index.
    Declared(usize),
    /// An undeclared name, kept.
    Kept(String),
    /// An undeclared name, to be skipped.
    Skipped,
}

impl<'de> serde::de::DeserializeSeed<'de> for Members {
    type Value = Member;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Member, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Members {
    fn find(self, name: &str) -> Member {
        match self.names.iter().position(|n| *n == name) {
            Some(i) => Member::Declared(i),
            None if self.keep => Member::Kept(name.to_owned()),
            None => Member::Skipped,
        }
    }
}

impl Visitor<'_> for Members {
    type Value = Member;
    fn expecting(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str("a member name")
    }
    fn visit_str<E: Error>(self, s: &str) -> Result<Member, E> {
        Ok(self.find(s))
    }
    fn visit_bytes<E: Error>(self, b: &[u8]) -> Result<Member, E> {
        match std::str::from_utf8(b) {
            Ok(s) => Ok(self.find(s)),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(b), &self)),
        }
    }
}

/// The value of the member just read into `slot`; a member given twice is an error, as
/// serde's derive has it.
#[doc(hidden)]
pub fn fill<'de, A, T>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error>
where
    A: serde::de::MapAccess<'de>,
    T: serde::Deserialize<'de>,
{
    if slot.is_some() {
        return Err(<A::Error as Error>::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// serde's "missing field" error for the first required member that is absent, given each
/// one's absence and name in order.
#[doc(hidden)]
pub fn missing<E: Error>(members: &[(bool, &'static str)]) -> E {
    let name = members
        .iter()
        .find(|(absent, _)| *absent)
        .map_or("", |(_, name)| *name);
    E::missing_field(name)
}

/// Keeps the value of a member the struct does not declare, beside the declared ones.
#[doc(hidden)]
pub fn keep<'de, A, T>(
    map: &mut A,
    kept: &mut std::collections::BTreeMap<String, T>,
    name: String,
) -> Result<(), A::Error>
where
    A: serde::de::MapAccess<'de>,
    T: serde::Deserialize<'de>,
{
    let value = map.next_value()?;
    kept.insert(name, value);
    Ok(())
}

/// Skips the value of a member the struct does not declare (the strict decoder records where).
#[doc(hidden)]
pub fn skip<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<serde::de::IgnoredAny>().map(|_| ())
}
