//! Collecting violations: the [`Validate`] trait, the [`Validator`] that walks a value keeping
//! its path, and the [`Violation`]s it reports.

use crate::json_pointer;
use std::fmt::{self, Write as _};

/// The kind of rule a value broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// A required member is missing.
    Required,
    /// The value has the wrong JSON type.
    Type,
    /// The value is not one of the listed ones.
    Enum,
    /// A string does not match the pattern.
    Pattern,
    /// A string is too short or too long.
    Length,
    /// A number is out of range.
    Range,
    /// A number is not a multiple of the given step.
    MultipleOf,
    /// An array or object has too few or too many members.
    Items,
    /// An array repeats an item.
    UniqueItems,
    /// An object has a member the schema does not allow.
    AdditionalProperties,
    /// A string is not in its declared format.
    Format,
    /// A value matches none (or several) of the alternatives.
    OneOf,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::Required => "required",
            Rule::Type => "type",
            Rule::Enum => "enum",
            Rule::Pattern => "pattern",
            Rule::Length => "length",
            Rule::Range => "range",
            Rule::MultipleOf => "multiple-of",
            Rule::Items => "items",
            Rule::UniqueItems => "unique-items",
            Rule::AdditionalProperties => "additional-properties",
            Rule::Format => "format",
            Rule::OneOf => "one-of",
        })
    }
}

/// One broken rule at one place.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Violation {
    /// RFC 6901 JSON pointer to the value ("" for the root).
    pub pointer: String,
    /// Which rule.
    pub rule: Rule,
    /// What is wrong, with the limit and the actual value.
    pub message: String,
}

/// `{pointer}: {rule}: {message}`. The root, whose pointer is "", is shown as `/` so that a
/// line never starts with a bare colon (a member named "" would show the same; no Open Finance
/// schema has one).
impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {}: {}", self.rule, self.message)
    }
}

/// Every violation of a value, in the order found, up to the validator's limit; beyond it they
/// are only counted ([`Violations::omitted`]), so a hostile value cannot make its own report
/// huge.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Violations {
    list: Vec<Violation>,
    omitted: usize,
}

impl Violations {
    /// These violations, none omitted.
    pub fn new(list: Vec<Violation>) -> Self {
        Violations { list, omitted: 0 }
    }

    /// How many are listed.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none, listed or omitted.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty() && self.omitted == 0
    }

    /// How many more were found past the validator's limit, and not built.
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// Iterates over the listed ones.
    pub fn iter(&self) -> std::slice::Iter<'_, Violation> {
        self.list.iter()
    }

    /// The listed ones.
    pub fn as_slice(&self) -> &[Violation] {
        &self.list
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.list.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{v}")?;
        }
        if self.omitted > 0 {
            if !self.list.is_empty() {
                writeln!(f)?;
            }
            write!(f, "and {} more", self.omitted)?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

impl IntoIterator for Violations {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.into_iter()
    }
}

impl<'a> IntoIterator for &'a Violations {
    type Item = &'a Violation;
    type IntoIter = std::slice::Iter<'a, Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

impl From<Vec<Violation>> for Violations {
    fn from(v: Vec<Violation>) -> Self {
        Violations::new(v)
    }
}

impl std::ops::Index<usize> for Violations {
    type Output = Violation;
    fn index(&self, i: usize) -> &Violation {
        &self.list[i]
    }
}

/// How many violations a [`Validator`] builds by default; past it, it only counts them.
pub const DEFAULT_LIMIT: usize = 100;

/// Walks a value, keeping the path so that a violation knows where it is.
///
/// The current JSON pointer is kept in one buffer: going down a level appends `/segment`,
/// coming back truncates it. No `String` is made per level; one is cloned out of the buffer
/// only when a violation is recorded.
///
/// It builds at most its limit of violations ([`DEFAULT_LIMIT`] unless set) and counts the
/// rest without building their messages or pointers: a megabyte array of wrong items costs a
/// count, not a megabyte of messages.
#[derive(Debug)]
pub struct Validator {
    pointer: String,
    out: Vec<Violation>,
    limit: usize,
    omitted: usize,
    /// Checking a credential: messages name the rule broken, never the value.
    redact: bool,
}

impl Default for Validator {
    fn default() -> Self {
        Self::with_limit(DEFAULT_LIMIT)
    }
}

impl Validator {
    /// An empty validator at the root, with the default limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty validator that builds at most `limit` violations and counts the rest.
    pub fn with_limit(limit: usize) -> Self {
        Validator {
            pointer: String::new(),
            out: Vec::new(),
            limit,
            omitted: 0,
            redact: false,
        }
    }

    /// Whether the limit is reached: further violations are only counted, so a check may skip
    /// work whose only result would be a message.
    pub fn is_full(&self) -> bool {
        self.out.len() >= self.limit
    }

    /// Runs `f` one level down, the segment written by `segment`.
    fn descend(&mut self, segment: impl FnOnce(&mut String), f: impl FnOnce(&mut Validator)) {
        let len = self.pointer.len();
        self.pointer.push('/');
        segment(&mut self.pointer);
        f(self);
        self.pointer.truncate(len);
    }

    /// Runs `f` one level down, at member `name` (its wire name).
    pub fn at_field(&mut self, name: &'static str, f: impl FnOnce(&mut Validator)) {
        self.descend(|p| json_pointer::push_escaped(p, name), f);
    }

    /// Runs `f` one level down, at the map key `key`.
    pub fn at_key(&mut self, key: &str, f: impl FnOnce(&mut Validator)) {
        self.descend(|p| json_pointer::push_escaped(p, key), f);
    }

    /// Runs `f` one level down, at array index `i`.
    pub fn at_index(&mut self, i: usize, f: impl FnOnce(&mut Validator)) {
        // Writing to a String cannot fail.
        self.descend(
            |p| {
                let _ = write!(p, "{i}");
            },
            f,
        );
    }

    /// Runs `f` at `pointer` below the current place (an RFC 6901 pointer, already escaped).
    pub fn at_pointer(&mut self, pointer: &str, f: impl FnOnce(&mut Validator)) {
        let len = self.pointer.len();
        self.pointer.push_str(pointer);
        f(self);
        self.pointer.truncate(len);
    }

    /// Records a violation of `rule` at the current place.
    pub fn fail(&mut self, rule: Rule, message: impl Into<String>) {
        self.fail_with(rule, || message.into());
    }

    /// Records a violation of `rule` at the current place, building its message only when it
    /// is kept (under the limit).
    pub fn fail_with(&mut self, rule: Rule, message: impl FnOnce() -> String) {
        if self.is_full() {
            self.omitted += 1;
            return;
        }
        let message = if self.redact {
            format!("the value (a credential, not shown) breaks {rule}")
        } else {
            message()
        };
        self.out.push(Violation {
            pointer: self.pointer.clone(),
            rule,
            message,
        });
    }

    /// Runs `check` on a credential: what it records names the rule, never the value, so that
    /// no violation (logged in report mode, answered in a 400) carries a secret.
    pub fn redacting(&mut self, check: impl FnOnce(&mut Validator)) {
        let was = std::mem::replace(&mut self.redact, true);
        check(self);
        self.redact = was;
    }

    /// The JSON pointer of the current place ("" at the root).
    pub fn pointer(&self) -> String {
        self.pointer.clone()
    }

    /// The violations recorded so far.
    pub fn violations(&self) -> &[Violation] {
        &self.out
    }

    /// Whether nothing has been recorded.
    pub fn is_ok(&self) -> bool {
        self.out.is_empty() && self.omitted == 0
    }

    /// How many violations were found past the limit (counted, not built).
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// `Ok` when nothing was recorded, else every violation.
    pub fn finish(self) -> Result<(), Violations> {
        if self.is_ok() {
            Ok(())
        } else {
            Err(Violations {
                list: self.out,
                omitted: self.omitted,
            })
        }
    }

    /// The violations built, in the order found (the omitted ones are only counted: see
    /// [`Validator::omitted`] and [`Validator::finish`]).
    pub fn into_violations(self) -> Vec<Violation> {
        self.out
    }
}

/// A value that can check itself against its schema.
pub trait Validate {
    /// Records every violation of `self` into `v`, at `v`'s current place.
    fn validate_into(&self, v: &mut Validator);

    /// The errors of the Open Finance error envelope, when this value is one (a response's
    /// `errors()` reaches them through it); `None` for everything else.
    fn error_items(&self) -> Option<&[crate::ErrorItem]> {
        None
    }

    /// Whether [`Validate::validate_into`] can find anything: `false` for strings, numbers,
    /// booleans and free JSON, which have no rules of their own, so that a member of such a
    /// type without rules of its place costs no walk at all.
    fn has_checks(&self) -> bool {
        true
    }

    /// Like [`Validate::validate_into`], with the constraints of the place the value sits in
    /// (a field's `maxLength`, an array's `minItems`). Types with rules of their own ignore
    /// them: a schema with properties has no such keywords.
    fn validate_with(&self, v: &mut Validator, rules: &crate::rules::Rules) {
        let _ = rules;
        self.validate_into(v);
    }

    /// Every violation of `self`, or `Ok`.
    ///
    /// Not callable on `dyn Validate` (walk with [`Validate::validate_into`] there): kept out of
    /// the vtable, so that a type used as `dyn Validate` does not compile a copy of it.
    fn validate(&self) -> Result<(), Violations>
    where
        Self: Sized,
    {
        let mut v = Validator::new();
        self.validate_into(&mut v);
        v.finish()
    }

    /// The value of member `name` (its wire name), for walking a decoded value by pointer.
    fn member(&self, name: &str) -> Option<&dyn Validate> {
        let _ = name;
        None
    }

    /// Item `index` of an array, for walking a decoded value by pointer.
    fn item(&self, index: usize) -> Option<&dyn Validate> {
        let _ = index;
        None
    }

    /// Whether the schema forbids members it does not declare (`additionalProperties: false`):
    /// such members are dropped when decoding, and [`crate::decode::validated`] reports them.
    fn forbids_unknown(&self) -> bool {
        false
    }
}

macro_rules! no_rules {
    ($($t:ty),*) => {
        $(impl Validate for $t {
            fn validate_into(&self, _v: &mut Validator) {}
            unchecked_alone!();
        })*
    };
}

// Booleans, numbers and strings have no rules of their own either; their impls (in `crate::rules`) also
// apply the rules of the place they sit in.
no_rules!((), serde_json::Value);

/// Implements [`Validate::has_checks`] as `false` inside the `impl` of a type whose
/// `validate_into` does nothing.
macro_rules! unchecked_alone {
    () => {
        fn has_checks(&self) -> bool {
            false
        }
    };
}
pub(crate) use unchecked_alone;

/// Wrappers are transparent, for validation and for walking alike.
macro_rules! transparent {
    ($($t:ty),*) => {
        $(impl<T: Validate + ?Sized> Validate for $t {
            fn validate_into(&self, v: &mut Validator) {
                (**self).validate_into(v);
            }
            fn validate_with(&self, v: &mut Validator, rules: &crate::rules::Rules) {
                (**self).validate_with(v, rules);
            }
            fn member(&self, name: &str) -> Option<&dyn Validate> {
                (**self).member(name)
            }
            fn item(&self, index: usize) -> Option<&dyn Validate> {
                (**self).item(index)
            }
            fn forbids_unknown(&self) -> bool {
                (**self).forbids_unknown()
            }
            fn has_checks(&self) -> bool {
                (**self).has_checks()
            }
            fn error_items(&self) -> Option<&[crate::ErrorItem]> {
                (**self).error_items()
            }
        })*
    };
}

transparent!(&T, Box<T>);

/// `None` is absent (or `null`): nothing to check.
impl<T: Validate> Validate for Option<T> {
    fn validate_into(&self, v: &mut Validator) {
        if let Some(x) = self {
            x.validate_into(v);
        }
    }
    fn validate_with(&self, v: &mut Validator, rules: &crate::rules::Rules) {
        if let Some(x) = self {
            x.validate_with(v, rules);
        }
    }
    fn member(&self, name: &str) -> Option<&dyn Validate> {
        self.as_ref()?.member(name)
    }
    fn item(&self, index: usize) -> Option<&dyn Validate> {
        self.as_ref()?.item(index)
    }
    fn forbids_unknown(&self) -> bool {
        self.as_ref().is_some_and(Validate::forbids_unknown)
    }
    fn has_checks(&self) -> bool {
        self.as_ref().is_some_and(Validate::has_checks)
    }
    fn error_items(&self) -> Option<&[crate::ErrorItem]> {
        self.as_ref()?.error_items()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_follow_the_path_and_escape() {
        let mut v = Validator::new();
        assert_eq!(v.pointer(), "");
        v.at_field("data", |v| {
            v.at_index(3, |v| v.at_key("a/b~c", |v| v.fail(Rule::Pattern, "bad")));
            assert_eq!(v.pointer(), "/data");
            v.at_key("", |v| v.fail(Rule::Type, "empty key"));
        });
        v.fail(Rule::Required, "missing");
        assert!(!v.is_ok());
        let out = v.finish().unwrap_err();
        assert_eq!(out[0].pointer, "/data/3/a~1b~0c");
        assert_eq!(out[2].pointer, "");
        assert_eq!(
            out.to_string(),
            "/data/3/a~1b~0c: pattern: bad\n/data/: type: empty key\n/: required: missing"
        );
    }

    #[test]
    fn the_pointer_buffer_is_restored_after_each_level() {
        let mut v = Validator::new();
        for i in 0..3 {
            v.at_key("ação", |v| v.at_index(i, |v| v.fail(Rule::Enum, "x")));
        }
        v.at_index(usize::MAX, |v| v.fail(Rule::Enum, "y"));
        let ptrs: Vec<String> = v.into_violations().into_iter().map(|v| v.pointer).collect();
        assert_eq!(
            ptrs,
            [
                "/ação/0".to_owned(),
                "/ação/1".to_owned(),
                "/ação/2".to_owned(),
                format!("/{}", usize::MAX),
            ]
        );
    }

    #[test]
    fn rules_display_as_kebab_case() {
        let all = [
            (Rule::Required, "required"),
            (Rule::Type, "type"),
            (Rule::Enum, "enum"),
            (Rule::Pattern, "pattern"),
            (Rule::Length, "length"),
            (Rule::Range, "range"),
            (Rule::MultipleOf, "multiple-of"),
            (Rule::Items, "items"),
            (Rule::UniqueItems, "unique-items"),
            (Rule::AdditionalProperties, "additional-properties"),
            (Rule::Format, "format"),
            (Rule::OneOf, "one-of"),
        ];
        for (rule, text) in all {
            assert_eq!(rule.to_string(), text);
        }
    }

    #[test]
    fn violations_is_a_collection_and_an_error() {
        let mut v = Validator::new();
        assert!(v.violations().is_empty());
        v.fail(Rule::Length, "a");
        v.fail(Rule::Range, String::from("b"));
        let out = v.finish().unwrap_err();
        assert_eq!(out.len(), 2);
        assert!(!out.is_empty());
        assert_eq!((&out).into_iter().count(), 2);
        let err: &dyn std::error::Error = &out;
        assert_eq!(err.to_string().lines().count(), 2);
        let rules: Vec<Rule> = out.into_iter().map(|v| v.rule).collect();
        assert_eq!(rules, [Rule::Length, Rule::Range]);
        assert!(Violations::default().is_empty());
        assert_eq!(Violations::default().to_string(), "");
        assert!(Validator::new().finish().is_ok());
    }

    #[test]
    fn past_the_limit_violations_are_counted_not_built() {
        let mut v = Validator::with_limit(2);
        let mut built = 0;
        for i in 0..1000 {
            v.at_index(i, |v| {
                v.fail_with(Rule::Enum, || {
                    built += 1;
                    String::from("no")
                })
            });
        }
        assert!(v.is_full());
        assert_eq!(v.omitted(), 998);
        assert_eq!(built, 2);
        let out = v.finish().unwrap_err();
        assert_eq!((out.len(), out.omitted()), (2, 998));
        assert!(!out.is_empty());
        assert_eq!(out.to_string(), "/0: enum: no\n/1: enum: no\nand 998 more");
        let mut none = Validator::with_limit(0);
        none.fail(Rule::Type, "x");
        assert!(!none.is_ok());
        assert_eq!(none.finish().unwrap_err().omitted(), 1);
    }

    #[test]
    fn scalars_have_no_rules_of_their_own() {
        // `str` is unsized, so it is walked rather than asked for `validate()`.
        let mut v = Validator::new();
        "".validate_into(&mut v);
        assert!(v.finish().is_ok());
        assert!(String::from("x").validate().is_ok());
        assert!(true.validate().is_ok());
        assert!(0u8.validate().is_ok() && i128::MIN.validate().is_ok());
        assert!(f64::NAN.validate().is_ok() && 1f32.validate().is_ok());
        assert!(().validate().is_ok());
        assert!(serde_json::json!({"a": [1]}).validate().is_ok());
    }

    #[test]
    fn containers_validate_each_member_at_its_place() {
        #[derive(PartialEq)]
        struct Bad;
        impl Validate for Bad {
            fn validate_into(&self, v: &mut Validator) {
                v.fail(Rule::Enum, "no");
            }
        }
        let mut m = std::collections::BTreeMap::new();
        m.insert(String::from("k/1"), vec![Bad, Bad]);
        m.insert(String::from("empty"), vec![]);
        let out = m.validate().unwrap_err();
        let ptrs: Vec<&str> = out.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(ptrs, ["/k~11/0", "/k~11/1"]);
        assert!(Some(Box::new(1i32)).validate().is_ok());
        assert_eq!(Some(Box::new(Bad)).validate().unwrap_err().len(), 1);
        assert!(None::<Bad>.validate().is_ok());
        assert_eq!((&&Bad).validate().unwrap_err().len(), 1);
        assert!(Vec::<Bad>::new().validate().is_ok());
    }
}
