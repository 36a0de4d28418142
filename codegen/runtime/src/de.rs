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

/// The value of an optional member just read into `slot`, where the schema does not allow
/// `null`: a `null` is read as absent, and the strict decoder records where it was, so that
/// validation reports it (a tolerant reader still gets the rest of the value).
#[doc(hidden)]
pub fn fill_present<'de, A, T>(
    map: &mut A,
    slot: &mut Option<Option<T>>,
    name: &'static str,
) -> Result<(), A::Error>
where
    A: serde::de::MapAccess<'de>,
    T: serde::Deserialize<'de>,
{
    if slot.is_some() {
        return Err(<A::Error as Error>::duplicate_field(name));
    }
    *slot = Some(map.next_value::<NotNull<T>>()?.0);
    Ok(())
}

/// `deserialize_with` for an optional member that may not be `null` (see [`fill_present`]).
#[doc(hidden)]
pub fn not_null<'de, D: Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    <NotNull<T> as serde::Deserialize>::deserialize(d).map(|n| n.0)
}

/// The name under which [`NotNull`] asks for its value, which the strict decoder recognises.
pub(crate) const NOT_NULL: &str = "\u{0}ofb_runtime::NotNull";

/// An optional value that may not be `null` (see [`fill_present`]).
#[doc(hidden)]
pub struct NotNull<T>(pub Option<T>);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for NotNull<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = NotNull<T>;
            fn expecting(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
                out.write_str("a value")
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<NotNull<T>, D::Error> {
                <Option<T> as serde::Deserialize>::deserialize(d).map(NotNull)
            }
            fn visit_none<E: Error>(self) -> Result<NotNull<T>, E> {
                Ok(NotNull(None))
            }
            fn visit_unit<E: Error>(self) -> Result<NotNull<T>, E> {
                Ok(NotNull(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NotNull<T>, D::Error> {
                T::deserialize(d).map(|v| NotNull(Some(v)))
            }
        }
        d.deserialize_newtype_struct(NOT_NULL, V(std::marker::PhantomData))
    }
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

/// One alternative's attempt at a value: the value read as it, with how well it fits.
#[doc(hidden)]
pub type Attempt<T> = fn(&serde_json::Value) -> Result<(T, Fit), String>;

/// How well a value fits one alternative of a `oneOf`/`anyOf`, from worst to best. Keeping
/// every member outranks keeping every rule: a value read into an alternative that drops some
/// of its members would lose them silently, while one that breaks an alternative's rules is
/// still reported by validation.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fit {
    /// It decodes, but breaks the alternative's rules and encoding it back loses members.
    Decoded,
    /// It decodes and keeps every rule, but encoding it back loses or changes members.
    Valid,
    /// It decodes and encodes back to the same value, but breaks the alternative's rules (a
    /// tag value it does not list, say).
    Faithful,
    /// It decodes, keeps every rule, and encodes back to the same value: nothing is lost.
    Exact,
}

/// Decodes `value` as the alternative `T` and says how well it fits (see [`alternatives`]).
#[doc(hidden)]
pub fn alternative<T>(value: &serde_json::Value) -> Result<(T, Fit), String>
where
    T: serde::de::DeserializeOwned + serde::Serialize + crate::Validate,
{
    let decoded = T::deserialize(value).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&decoded).unwrap_or(serde_json::Value::Null);
    let mut lost = Vec::new();
    lost_members(value, &back, &mut String::new(), &mut lost);
    let lossless = lost.is_empty() && same_json(&back, value);
    // Read from a buffered value, the strict decoder cannot record what was dropped: a member
    // the alternative forbids, or a `null` it does not allow, breaks it as surely as a rule.
    let broken = lost
        .iter()
        .any(|(at, v)| v.is_null() || crate::decode::parent_forbids_unknown(&decoded, at));
    let valid = !broken && decoded.validate().is_ok();
    let fit = match (lossless, valid) {
        (true, true) => Fit::Exact,
        (true, false) => Fit::Faithful,
        (false, true) => Fit::Valid,
        (false, false) => Fit::Decoded,
    };
    Ok((decoded, fit))
}

/// Decodes a `oneOf`/`anyOf` without a discriminator (or whose discriminator names no
/// alternative): the first alternative the value fits best (see [`Fit`]).
///
/// Trying alternatives in order and keeping the first that decodes (serde's `untagged`) lets
/// an earlier alternative swallow a later one's value: a single-value tag enum decodes any
/// string into its catch-all, and members it does not declare are dropped. Judging every
/// alternative by its rules and by what encoding it back keeps picks the one the value is.
#[doc(hidden)]
pub fn alternatives<'de, D, T>(deserializer: D, tries: &[Attempt<T>]) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
    alternatives_of(&value, tries)
}

/// The alternative a discriminator names, read from a value already buffered: as
/// [`alternative`] judges it, refused where it would both break the alternative's rules and
/// drop members (which the strict decoder cannot see inside a buffered value).
#[doc(hidden)]
pub fn tagged<T, E: Error>(value: &serde_json::Value) -> Result<T, E>
where
    T: serde::de::DeserializeOwned + serde::Serialize + crate::Validate,
{
    match alternative::<T>(value) {
        Ok((_, Fit::Decoded)) => Err(E::custom(
            "the value breaks the alternative its discriminator names, and reading it would drop members",
        )),
        Ok((decoded, _)) => Ok(decoded),
        Err(e) => Err(E::custom(e)),
    }
}

/// [`alternatives`] of a value already read.
#[doc(hidden)]
pub fn alternatives_of<T, E: Error>(
    value: &serde_json::Value,
    tries: &[Attempt<T>],
) -> Result<T, E> {
    let mut best: Option<(T, Fit)> = None;
    let mut refusals = Vec::new();
    for (i, attempt) in tries.iter().enumerate() {
        match attempt(value) {
            Ok((decoded, Fit::Exact)) => return Ok(decoded),
            Ok((decoded, fit)) => {
                if best.as_ref().is_none_or(|(_, f)| fit > *f) {
                    best = Some((decoded, fit));
                }
            }
            Err(e) => refusals.push(format!("alternative {}: {e}", i + 1)),
        }
    }
    match best {
        // Breaking the alternative's rules and dropping members too: no alternative is the
        // value, and taking one would lose what it carries.
        Some((_, Fit::Decoded)) => Err(E::custom(format!(
            "the value matches none of the {} alternatives: each breaks its rules or drops members{}",
            tries.len(),
            if refusals.is_empty() {
                String::new()
            } else {
                format!(" ({})", refusals.join("; "))
            }
        ))),
        Some((decoded, _)) => Ok(decoded),
        None => Err(E::custom(format!(
            "the value matches none of the {} alternatives ({})",
            tries.len(),
            refusals.join("; ")
        ))),
    }
}

/// The members of `value` that `back` (its decoding encoded again) no longer has, with their
/// pointers and values.
fn lost_members<'v>(
    value: &'v serde_json::Value,
    back: &serde_json::Value,
    at: &mut String,
    out: &mut Vec<(String, &'v serde_json::Value)>,
) {
    use serde_json::Value as V;
    match (value, back) {
        (V::Object(x), V::Object(y)) => {
            for (k, v) in x {
                let len = at.len();
                at.push('/');
                at.push_str(&k.replace('~', "~0").replace('/', "~1"));
                match y.get(k) {
                    Some(w) => lost_members(v, w, at, out),
                    None => out.push((at.clone(), v)),
                }
                at.truncate(len);
            }
        }
        (V::Array(x), V::Array(y)) => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                let len = at.len();
                at.push('/');
                at.push_str(&i.to_string());
                lost_members(v, w, at, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// Whether two JSON values are the same: members in any order, numbers by value (integers
/// exactly), strings byte for byte.
#[doc(hidden)]
pub fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
            (Some(p), Some(q), _, _) => p == q,
            (_, _, Some(p), Some(q)) => p == q,
            _ => x.as_f64() == y.as_f64(),
        },
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// Picks the branches of an `anyOf` to keep from each one's [`alternative`] attempt (keeping
/// every branch a value matches is what keeps every member, as JSON Schema reads `anyOf`): every branch the value is
/// valid against; where it is valid against none, the first that decodes (so that validation
/// reports what is wrong with it); an error where none decodes.
#[doc(hidden)]
pub fn branches<E: Error>(attempts: Vec<Result<Fit, String>>) -> Result<Vec<bool>, E> {
    let valid: Vec<bool> = attempts
        .iter()
        .map(|a| matches!(a, Ok(Fit::Exact | Fit::Valid)))
        .collect();
    if valid.iter().any(|v| *v) {
        return Ok(valid);
    }
    let best = attempts
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.as_ref().ok().map(|fit| (i, *fit)))
        .fold(None, |best: Option<(usize, Fit)>, (i, fit)| match best {
            Some((_, b)) if b >= fit => best,
            _ => Some((i, fit)),
        });
    if let Some((first, _)) = best {
        return Ok((0..attempts.len()).map(|i| i == first).collect());
    }
    let refusals: Vec<String> = attempts
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            a.as_ref()
                .err()
                .map(|e| format!("alternative {}: {e}", i + 1))
        })
        .collect();
    Err(E::custom(format!(
        "the value matches none of the {} alternatives ({})",
        attempts.len(),
        refusals.join("; ")
    )))
}

/// The one value the kept branches of an `anyOf` encode to: their members together where they
/// are objects (a member two branches share is the first's), else the first branch's value.
#[doc(hidden)]
pub fn merge_branches(values: Vec<serde_json::Value>) -> serde_json::Value {
    let mut values = values.into_iter();
    let Some(first) = values.next() else {
        return serde_json::Value::Null;
    };
    let serde_json::Value::Object(mut merged) = first else {
        return first;
    };
    for v in values {
        if let serde_json::Value::Object(m) = v {
            for (k, x) in m {
                merged.entry(k).or_insert(x);
            }
        }
    }
    serde_json::Value::Object(merged)
}
