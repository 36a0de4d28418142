//! A deserializer wrapper under which a struct is read only from a JSON object, and which
//! records the JSON pointer of every member the type ignored.
//!
//! serde's derived `Deserialize` for a struct also accepts a sequence, its fields in order, so
//! `["a", 1]` would decode where the schema says `{"code": "a", "n": 1}`. JSON Schema has no such
//! reading: an object schema refuses an array. [`Strict`] forwards everything to the deserializer
//! it wraps, except that a struct is asked for as a map, which refuses a sequence with serde's
//! own "invalid type: sequence, expected struct X". Every nested deserializer (items, values,
//! variants, options) is wrapped too, so the rule holds at every depth.
//!
//! On the way it keeps the current pointer in one buffer, as the validator does (a member name
//! is copied into a reused buffer, never allocated), so that a member the type skips (serde
//! asks to ignore its value) is recorded with its pointer; `decode::validated` reports those the
//! schema forbids. This replaces `serde_ignored`, which allocates a string per member.
//!
//! Values that serde buffers before choosing a type (untagged enums) are read by serde's own
//! content deserializer, which this wrapper cannot reach.

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use std::cell::RefCell;
use std::fmt;

/// The pointer being decoded and what was ignored.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    path: String,
    key: String,
    /// JSON pointers of the members the type ignored, in order, up to [`IGNORED_KEPT`].
    pub(crate) ignored: Vec<String>,
    /// The pointer of the deepest value whose decoding failed, while the failure goes up: the
    /// first level to see it records it, and a level that succeeds after all clears it.
    pub(crate) failed: Option<String>,
    /// JSON pointers of the `null`s given for optional members the schema does not declare
    /// nullable (read as absent; validation reports them), up to [`IGNORED_KEPT`].
    pub(crate) nulls: Vec<String>,
    /// The bytes of the pointers kept in `ignored` and `nulls` together.
    kept_bytes: usize,
}

impl Trace {
    /// Keeps the current pointer in `ignored` (or `nulls`) while both caps allow: a thousand
    /// members under one 900 KB key must not copy the key a thousand times.
    fn keep(&mut self, nulls: bool) {
        let (count, len) = (
            if nulls {
                self.nulls.len()
            } else {
                self.ignored.len()
            },
            self.path.len(),
        );
        if count >= IGNORED_KEPT || self.kept_bytes + len > IGNORED_BYTES {
            return;
        }
        self.kept_bytes += len;
        let at = self.path.clone();
        if nulls {
            self.nulls.push(at);
        } else {
            self.ignored.push(at);
        }
    }
}

/// How many bytes of pointers a trace keeps, in all.
pub(crate) const IGNORED_BYTES: usize = 64 * 1024;

/// How many ignored members a trace keeps: a body of a megabyte of unknown members must not
/// become a list of their pointers. Past it they are dropped unrecorded, as serde drops them.
pub(crate) const IGNORED_KEPT: usize = 1000;

/// `D`, reading structs from objects only, tracing into `trace`.
pub(crate) struct Strict<'t, D> {
    pub(crate) de: D,
    pub(crate) trace: &'t RefCell<Trace>,
}

/// A seed, visitor or access of the wrapped input, passed through with the trace.
struct Wrap<'t, X> {
    inner: X,
    trace: &'t RefCell<Trace>,
    index: usize,
}

fn wrap<X>(inner: X, trace: &RefCell<Trace>) -> Wrap<'_, X> {
    Wrap {
        inner,
        trace,
        index: 0,
    }
}

macro_rules! forward {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.de.$method(wrap(visitor, self.trace))
        })*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<'_, D> {
    type Error = D::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier
    }

    /// A member the type does not declare: its pointer is recorded.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        if let Ok(mut t) = self.trace.try_borrow_mut() {
            t.keep(false);
        }
        self.de.deserialize_ignored_any(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_unit_struct(name, wrap(visitor, self.trace))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        // An optional member that may not be `null` (`de::NotNull`): read as an option, and a
        // `null` recorded where it is.
        if name == crate::de::NOT_NULL {
            return self.de.deserialize_option(NullWatch {
                inner: wrap(visitor, self.trace),
                trace: self.trace,
            });
        }
        self.de
            .deserialize_newtype_struct(name, wrap(visitor, self.trace))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_tuple(len, wrap(visitor, self.trace))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_tuple_struct(name, len, wrap(visitor, self.trace))
    }

    /// The one change: a struct is a map, never a sequence.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_map(wrap(visitor, self.trace))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_enum(name, variants, wrap(visitor, self.trace))
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Wrap<'_, S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(Strict {
            de: d,
            trace: self.trace,
        })
    }
}

/// The visitor of a [`crate::de::NotNull`] member under the strict decoder: records a `null`.
struct NullWatch<'t, V> {
    inner: V,
    trace: &'t RefCell<Trace>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for NullWatch<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        if let Ok(mut t) = self.trace.try_borrow_mut() {
            t.keep(true);
        }
        self.inner.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(d)
    }
}

macro_rules! visit_scalars {
    ($($method:ident: $t:ty)*) => {
        $(fn $method<E: de::Error>(self, v: $t) -> Result<V::Value, E> {
            self.inner.$method(v)
        })*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    visit_scalars! {
        visit_bool: bool visit_i8: i8 visit_i16: i16 visit_i32: i32 visit_i64: i64
        visit_i128: i128 visit_u8: u8 visit_u16: u16 visit_u32: u32 visit_u64: u64
        visit_u128: u128 visit_f32: f32 visit_f64: f64 visit_char: char visit_str: &str
        visit_borrowed_str: &'de str visit_string: String visit_bytes: &[u8]
        visit_borrowed_bytes: &'de [u8] visit_byte_buf: Vec<u8>
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Strict {
            de: d,
            trace: self.trace,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Strict {
            de: d,
            trace: self.trace,
        })
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.inner.visit_seq(wrap(seq, self.trace))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(wrap(map, self.trace))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(wrap(data, self.trace))
    }
}

/// Where a level of the trace's path goes down: an array item, or the member whose key was
/// just read.
#[derive(Clone, Copy)]
enum Segment {
    Index(usize),
    Key,
}

/// Runs `f` one level down the trace's path, at `segment`.
///
/// Small on purpose: it is instantiated for every type a body decodes into, so the work is in
/// [`enter`] and [`leave`], compiled once.
fn below<T, E>(
    trace: &RefCell<Trace>,
    segment: Segment,
    f: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    let len = enter(trace, segment);
    let out = f();
    leave(trace, len, out.is_err());
    out
}

fn enter(trace: &RefCell<Trace>, segment: Segment) -> Option<usize> {
    let mut t = trace.try_borrow_mut().ok()?;
    let len = t.path.len();
    t.path.push('/');
    match segment {
        Segment::Index(i) => {
            use std::fmt::Write as _;
            let _ = write!(t.path, "{i}");
        }
        Segment::Key => {
            let Trace { path, key, .. } = &mut *t;
            crate::json_pointer::push_escaped(path, key);
        }
    }
    Some(len)
}

fn leave(trace: &RefCell<Trace>, len: Option<usize>, failed: bool) {
    let (Some(len), Ok(mut t)) = (len, trace.try_borrow_mut()) else {
        return;
    };
    if !failed {
        t.failed = None;
    } else if t.failed.is_none() {
        t.failed = Some(t.path.clone());
    }
    t.path.truncate(len);
}

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for Wrap<'_, A> {
    type Error = A::Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let (i, trace) = (self.index, self.trace);
        self.index += 1;
        let inner = &mut self.inner;
        below(trace, Segment::Index(i), || {
            inner.next_element_seed(wrap(seed, trace))
        })
    }
    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// A map key, copied into the trace's key buffer as it is read.
struct Key<'t, X> {
    inner: X,
    trace: &'t RefCell<Trace>,
}

impl Key<'_, ()> {
    fn keep(trace: &RefCell<Trace>, key: &str) {
        if let Ok(mut t) = trace.try_borrow_mut() {
            t.key.clear();
            t.key.push_str(key);
        }
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Key<'_, S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(Key {
            inner: d,
            trace: self.trace,
        })
    }
}

macro_rules! key_forward {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.inner.$method(Key { inner: visitor, trace: self.trace })
        })*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Key<'_, D> {
    type Error = D::Error;
    key_forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_unit_struct(
            name,
            Key {
                inner: visitor,
                trace: self.trace,
            },
        )
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_newtype_struct(
            name,
            Key {
                inner: visitor,
                trace: self.trace,
            },
        )
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_tuple(
            len,
            Key {
                inner: visitor,
                trace: self.trace,
            },
        )
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_tuple_struct(
            name,
            len,
            Key {
                inner: visitor,
                trace: self.trace,
            },
        )
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_struct(
            name,
            fields,
            Key {
                inner: visitor,
                trace: self.trace,
            },
        )
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_enum(
            name,
            variants,
            Key {
                inner: visitor,
                trace: self.trace,
            },
        )
    }
}

macro_rules! key_scalars {
    ($($method:ident: $t:ty)*) => {
        $(fn $method<E: de::Error>(self, v: $t) -> Result<V::Value, E> {
            self.inner.$method(v)
        })*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Key<'_, V> {
    type Value = V::Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }
    key_scalars! {
        visit_bool: bool visit_i8: i8 visit_i16: i16 visit_i32: i32 visit_i64: i64
        visit_i128: i128 visit_u8: u8 visit_u16: u16 visit_u32: u32 visit_u64: u64
        visit_u128: u128 visit_f32: f32 visit_f64: f64 visit_char: char
        visit_bytes: &[u8] visit_borrowed_bytes: &'de [u8] visit_byte_buf: Vec<u8>
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        Key::keep(self.trace, v);
        self.inner.visit_str(v)
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        Key::keep(self.trace, v);
        self.inner.visit_borrowed_str(v)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        Key::keep(self.trace, &v);
        self.inner.visit_string(v)
    }
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Wrap<'_, A> {
    type Error = A::Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.inner.next_key_seed(Key {
            inner: seed,
            trace: self.trace,
        })
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        let trace = self.trace;
        let inner = &mut self.inner;
        below(trace, Segment::Key, || {
            inner.next_value_seed(wrap(seed, trace))
        })
    }
    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'t, 'de, A: de::EnumAccess<'de>> de::EnumAccess<'de> for Wrap<'t, A> {
    type Error = A::Error;
    type Variant = Wrap<'t, A::Variant>;
    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        let trace = self.trace;
        self.inner
            .variant_seed(wrap(seed, trace))
            .map(|(value, variant)| (value, wrap(variant, trace)))
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for Wrap<'_, A> {
    type Error = A::Error;
    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.newtype_variant_seed(wrap(seed, self.trace))
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.inner.tuple_variant(len, wrap(visitor, self.trace))
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.inner.struct_variant(fields, wrap(visitor, self.trace))
    }
}
#[cfg(test)]
mod tests {
    use super::{Strict, Trace};
    use serde::Deserialize;
    use std::cell::RefCell;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        n: i32,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        code: String,
        inner: Option<Inner>,
        items: Vec<Inner>,
    }

    fn strict<'de, T: Deserialize<'de>>(text: &'de str) -> Result<T, serde_json::Error> {
        traced(text).map(|(v, _)| v)
    }

    fn traced<'de, T: Deserialize<'de>>(
        text: &'de str,
    ) -> Result<(T, Vec<String>), serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let trace = RefCell::new(Trace::default());
        let v = T::deserialize(Strict {
            de: &mut de,
            trace: &trace,
        })?;
        Ok((v, trace.into_inner().ignored))
    }

    #[test]
    fn structs_are_read_from_objects_only() {
        // serde alone takes the array, fields in order.
        let lax: Outer = serde_json::from_str(r#"["a", null, []]"#).unwrap();
        assert_eq!(lax.code, "a");
        let e = strict::<Outer>(r#"["a", null, []]"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("invalid type: sequence, expected struct Outer"),
            "{e}"
        );
        for nested in [
            r#"{"code":"a","inner":[1],"items":[]}"#,
            r#"{"code":"a","inner":null,"items":[[1]]}"#,
        ] {
            let e = strict::<Outer>(nested).unwrap_err();
            assert!(e.to_string().contains("expected struct Inner"), "{e}");
        }
        let ok: Outer = strict(r#"{"code":"a","inner":{"n":1},"items":[{"n":2}]}"#).unwrap();
        assert_eq!(ok.items, [Inner { n: 2 }]);
        assert_eq!(
            strict::<std::collections::BTreeMap<String, Vec<i32>>>(r#"{"a":[1,2]}"#).unwrap()["a"],
            [1, 2]
        );
    }

    #[test]
    fn ignored_members_are_traced_with_their_pointers() {
        let (_, ignored) = traced::<Outer>(
            r#"{"x/y":1,"code":"a","inner":{"n":1,"m":[{}]},"items":[{"n":2},{"n":3,"~k":null}]}"#,
        )
        .unwrap();
        assert_eq!(ignored, ["/x~1y", "/inner/m", "/items/1/~0k"]);
    }
}
