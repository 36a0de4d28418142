//! Collecting violations: the [`Validate`] trait, the [`Validator`] that walks a value keeping
//! its path, and the [`Violation`]s it reports.

use std::fmt;

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

/// Every violation of a value, in the order found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Violations(pub Vec<Violation>);

impl Violations {
    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Iterates over them.
    pub fn iter(&self) -> std::slice::Iter<'_, Violation> {
        self.0.iter()
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

impl IntoIterator for Violations {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[derive(Debug, Clone)]
enum Seg {
    Field(&'static str),
    Key(String),
    Index(usize),
}

/// Walks a value, keeping the path so that a violation knows where it is. The path is a stack
/// of segments; a pointer string is built only when a violation is recorded.
#[derive(Debug, Default)]
pub struct Validator {
    path: Vec<Seg>,
    out: Vec<Violation>,
}

impl Validator {
    /// An empty validator at the root.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `f` one level down, at member `name`.
    pub fn at_field(&mut self, name: &'static str, f: impl FnOnce(&mut Validator)) {
        self.path.push(Seg::Field(name));
        f(self);
        self.path.pop();
    }

    /// Runs `f` one level down, at the map key `key`.
    pub fn at_key(&mut self, key: &str, f: impl FnOnce(&mut Validator)) {
        self.path.push(Seg::Key(key.to_owned()));
        f(self);
        self.path.pop();
    }

    /// Runs `f` one level down, at array index `i`.
    pub fn at_index(&mut self, i: usize, f: impl FnOnce(&mut Validator)) {
        self.path.push(Seg::Index(i));
        f(self);
        self.path.pop();
    }

    /// Records a violation of `rule` at the current place.
    pub fn fail(&mut self, rule: Rule, message: impl Into<String>) {
        let pointer = self.pointer();
        self.out.push(Violation {
            pointer,
            rule,
            message: message.into(),
        });
    }

    /// The JSON pointer of the current place.
    pub fn pointer(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            s.push('/');
            match seg {
                Seg::Field(n) => s.push_str(&crate::json_pointer::escape(n)),
                Seg::Key(k) => s.push_str(&crate::json_pointer::escape(k)),
                Seg::Index(i) => s.push_str(&i.to_string()),
            }
        }
        s
    }

    /// `Ok` when nothing was recorded, else every violation.
    pub fn finish(self) -> Result<(), Violations> {
        if self.out.is_empty() {
            Ok(())
        } else {
            Err(Violations(self.out))
        }
    }

    /// The violations recorded so far.
    pub fn into_violations(self) -> Vec<Violation> {
        self.out
    }
}

/// A value that can check itself against its schema.
pub trait Validate {
    /// Records every violation of `self` into `v`, at `v`'s current place.
    fn validate_into(&self, v: &mut Validator);

    /// Like [`Validate::validate_into`], with the constraints of the place the value sits in
    /// (a field's `maxLength`, an array's `minItems`). Types with rules of their own ignore
    /// them: a schema with properties has no such keywords.
    fn validate_with(&self, v: &mut Validator, rules: &crate::rules::Rules) {
        let _ = rules;
        self.validate_into(v);
    }

    /// Every violation of `self`, or `Ok`.
    fn validate(&self) -> Result<(), Violations> {
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
        })*
    };
}

no_rules!(
    bool,
    i8,
    i16,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    f32,
    f64,
    (),
    serde_json::Value
);

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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_follow_the_path_and_escape() {
        let mut v = Validator::new();
        v.at_field("data", |v| {
            v.at_index(3, |v| v.at_key("a/b", |v| v.fail(Rule::Pattern, "bad")));
        });
        v.fail(Rule::Required, "missing");
        let out = v.finish().unwrap_err();
        assert_eq!(
            out.to_string(),
            "/data/3/a~1b: pattern: bad\n/: required: missing"
        );
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
        m.insert(String::from("k"), vec![Bad, Bad]);
        let out = m.validate().unwrap_err();
        let ptrs: Vec<&str> = out.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(ptrs, ["/k/0", "/k/1"]);
        assert!(Some(Box::new(1i32)).validate().is_ok());
    }
}
