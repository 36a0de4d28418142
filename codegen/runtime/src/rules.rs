//! Constraints as data: a generated crate declares each distinct set of schema keywords once,
//! as a `static` [`Rules`], and every field that has them points at it. The checks themselves
//! are the [`crate::check`] functions, run by [`Validate::validate_with`].

use crate::check::{self, Format};
use crate::pattern::Pattern;
use crate::validate::{Validate, Validator};

/// The validation keywords of one schema. Built in `static`s with struct update syntax from
/// [`Rules::NONE`]; fields that do not apply to a value's type are ignored.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `pattern`.
    pub pattern: Option<&'static Pattern>,
    /// A checked string `format`.
    pub format: Option<Format>,
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `exclusiveMinimum`.
    pub exclusive_minimum: bool,
    /// `exclusiveMaximum`.
    pub exclusive_maximum: bool,
    /// `multipleOf`.
    pub multiple_of: Option<f64>,
    /// Allowed values of a numeric enum (empty: any).
    pub num_enum: &'static [f64],
    /// `minItems`, or `minProperties` for maps.
    pub min_items: Option<u64>,
    /// `maxItems`, or `maxProperties` for maps.
    pub max_items: Option<u64>,
    /// `uniqueItems`.
    pub unique_items: bool,
    /// Rules for array items or map values.
    pub items: Option<&'static Rules>,
}

impl Rules {
    /// No constraint at all.
    pub const NONE: Rules = Rules {
        min_length: None,
        max_length: None,
        pattern: None,
        format: None,
        minimum: None,
        maximum: None,
        exclusive_minimum: false,
        exclusive_maximum: false,
        multiple_of: None,
        num_enum: &[],
        min_items: None,
        max_items: None,
        unique_items: false,
        items: None,
    };

    fn item_rules(&self) -> &Rules {
        self.items.unwrap_or(&Rules::NONE)
    }

    /// String rules: format, then length, then the pattern only within the length bounds.
    pub fn check_str(&self, v: &mut Validator, s: &str) {
        if let Some(f) = self.format {
            check::format(v, s, f);
        }
        if self.min_length.is_some() || self.max_length.is_some() || self.pattern.is_some() {
            check::string(v, s, self.min_length, self.max_length, self.pattern);
        }
    }

    /// Numeric rules.
    pub fn check_number(&self, v: &mut Validator, x: f64) {
        if self.minimum.is_some() || self.maximum.is_some() {
            check::range_f64(
                v,
                x,
                self.minimum,
                self.maximum,
                self.exclusive_minimum,
                self.exclusive_maximum,
            );
        }
        if let Some(m) = self.multiple_of {
            check::multiple_of(v, x, m);
        }
        if !self.num_enum.is_empty() {
            check::num_enum(v, x, self.num_enum);
        }
    }

    fn check_count(&self, v: &mut Validator, n: usize, map: bool) {
        if self.min_items.is_some() || self.max_items.is_some() {
            if map {
                check::properties(v, n, self.min_items, self.max_items);
            } else {
                check::items(v, n, self.min_items, self.max_items);
            }
        }
    }
}

impl Validator {
    /// Validates member `name` of an object with `rules`.
    pub fn field<T: Validate + ?Sized>(&mut self, name: &'static str, value: &T, rules: &Rules) {
        self.at_field(name, |v| value.validate_with(v, rules));
    }

    /// Validates member `name` of an object that has no rules of its own (a nested type).
    pub fn member<T: Validate + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.at_field(name, |v| value.validate_into(v));
    }
}

// Strings: the wire types also check their own format, rules or not.
macro_rules! string_like {
    ($($t:ty => $as_str:expr, $own:expr);*) => {
        $(impl Validate for $t {
            fn validate_into(&self, v: &mut Validator) {
                let f: fn(&$t) -> &str = $as_str;
                let own: Option<Format> = $own;
                if let Some(fmt) = own {
                    check::format(v, f(self), fmt);
                }
            }
            fn validate_with(&self, v: &mut Validator, rules: &Rules) {
                self.validate_into(v);
                let f: fn(&$t) -> &str = $as_str;
                rules.check_str(v, f(self));
            }
        })*
    };
}

string_like!(
    String => |s| s.as_str(), None;
    str => |s| s, None;
    crate::wire::DecimalString => |s| s.as_str(), Some(Format::Double);
    crate::wire::Date => |s| s.as_str(), Some(Format::Date);
    crate::wire::DateTime => |s| s.as_str(), Some(Format::DateTime)
);

macro_rules! number_like {
    ($($t:ty => $as_f64:expr),*) => {
        $(impl Validate for $t {
            fn validate_into(&self, _v: &mut Validator) {}
            fn validate_with(&self, v: &mut Validator, rules: &Rules) {
                let f: fn(&$t) -> f64 = $as_f64;
                rules.check_number(v, f(self));
            }
        })*
    };
}

number_like!(
    i32 => |x| f64::from(*x),
    i64 => |x| *x as f64,
    crate::wire::Number => |x| x.as_f64()
);

impl<T: Validate + PartialEq> Validate for Vec<T> {
    fn validate_into(&self, v: &mut Validator) {
        self.validate_with(v, &Rules::NONE);
    }
    fn validate_with(&self, v: &mut Validator, rules: &Rules) {
        rules.check_count(v, self.len(), false);
        if rules.unique_items {
            check::unique(v, self);
        }
        let inner = rules.item_rules();
        for (i, x) in self.iter().enumerate() {
            v.at_index(i, |v| x.validate_with(v, inner));
        }
    }
    fn item(&self, index: usize) -> Option<&dyn Validate> {
        self.get(index).map(|x| x as &dyn Validate)
    }
}

impl<T: Validate> Validate for std::collections::BTreeMap<String, T> {
    fn validate_into(&self, v: &mut Validator) {
        self.validate_with(v, &Rules::NONE);
    }
    fn validate_with(&self, v: &mut Validator, rules: &Rules) {
        rules.check_count(v, self.len(), true);
        let inner = rules.item_rules();
        for (k, x) in self {
            v.at_key(k, |v| x.validate_with(v, inner));
        }
    }
    fn member(&self, name: &str) -> Option<&dyn Validate> {
        self.get(name).map(|x| x as &dyn Validate)
    }
}

impl Validate for serde_json::Map<String, serde_json::Value> {
    fn validate_into(&self, _v: &mut Validator) {}
    fn validate_with(&self, v: &mut Validator, rules: &Rules) {
        rules.check_count(v, self.len(), true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static P: Pattern = Pattern::new("^[A-Z]+$");
    static ITEM: Rules = Rules {
        max_length: Some(3),
        pattern: Some(&P),
        ..Rules::NONE
    };
    static LIST: Rules = Rules {
        min_items: Some(1),
        unique_items: true,
        items: Some(&ITEM),
        ..Rules::NONE
    };

    #[test]
    fn rules_reach_items_through_options_and_boxes() {
        let value: Option<Box<Vec<String>>> =
            Some(Box::new(vec!["AB".into(), "abcd".into(), "AB".into()]));
        let mut v = Validator::new();
        v.field("codes", &value, &LIST);
        let out: Vec<String> = v
            .into_violations()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            out,
            [
                "/codes: unique-items: item 2 repeats item 0",
                "/codes/1: length: length 4 is above maxLength 3",
            ]
        );
    }

    #[test]
    fn numbers_and_formats() {
        static R: Rules = Rules {
            minimum: Some(1.0),
            num_enum: &[1.0, 2.0],
            ..Rules::NONE
        };
        static D: Rules = Rules {
            format: Some(Format::Uuid),
            ..Rules::NONE
        };
        let mut v = Validator::new();
        v.field("n", &0i32, &R);
        v.field("id", "nope", &D);
        assert_eq!(v.into_violations().len(), 3);
    }
}
