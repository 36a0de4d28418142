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
    /// Allowed values of a boolean enum (empty: any).
    pub bool_enum: &'static [bool],
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
        bool_enum: &[],
        min_items: None,
        max_items: None,
        unique_items: false,
        items: None,
    };

    /// These rules with `minLength` (a `const` builder, so a generated static reads as the
    /// keywords it checks: `Rules::NONE.max_length(3).pattern(&P1)`).
    pub const fn min_length(mut self, n: u64) -> Self {
        self.min_length = Some(n);
        self
    }

    /// With `maxLength`.
    pub const fn max_length(mut self, n: u64) -> Self {
        self.max_length = Some(n);
        self
    }

    /// With `pattern`.
    pub const fn pattern(mut self, p: &'static Pattern) -> Self {
        self.pattern = Some(p);
        self
    }

    /// With a checked string `format`.
    pub const fn format(mut self, f: Format) -> Self {
        self.format = Some(f);
        self
    }

    /// With `minimum`.
    pub const fn minimum(mut self, n: f64) -> Self {
        self.minimum = Some(n);
        self
    }

    /// With `maximum`.
    pub const fn maximum(mut self, n: f64) -> Self {
        self.maximum = Some(n);
        self
    }

    /// With `exclusiveMinimum`.
    pub const fn exclusive_minimum(mut self) -> Self {
        self.exclusive_minimum = true;
        self
    }

    /// With `exclusiveMaximum`.
    pub const fn exclusive_maximum(mut self) -> Self {
        self.exclusive_maximum = true;
        self
    }

    /// With `multipleOf`.
    pub const fn multiple_of(mut self, n: f64) -> Self {
        self.multiple_of = Some(n);
        self
    }

    /// With the allowed values of a numeric enum.
    pub const fn num_enum(mut self, values: &'static [f64]) -> Self {
        self.num_enum = values;
        self
    }

    /// With the allowed values of a boolean enum.
    pub const fn bool_enum(mut self, values: &'static [bool]) -> Self {
        self.bool_enum = values;
        self
    }

    /// With `minItems` (`minProperties` for maps).
    pub const fn min_items(mut self, n: u64) -> Self {
        self.min_items = Some(n);
        self
    }

    /// With `maxItems` (`maxProperties` for maps).
    pub const fn max_items(mut self, n: u64) -> Self {
        self.max_items = Some(n);
        self
    }

    /// With `uniqueItems`.
    pub const fn unique_items(mut self) -> Self {
        self.unique_items = true;
        self
    }

    /// With rules for array items or map values.
    pub const fn items(mut self, rules: &'static Rules) -> Self {
        self.items = Some(rules);
        self
    }

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

    /// Numeric rules for an integer, the range compared exactly (see [`check::range_i64`]).
    pub fn check_int(&self, v: &mut Validator, i: i64) {
        if self.minimum.is_some() || self.maximum.is_some() {
            check::range_i64(
                v,
                i,
                self.minimum,
                self.maximum,
                self.exclusive_minimum,
                self.exclusive_maximum,
            );
        }
        let as_f64 = i as f64;
        if let Some(m) = self.multiple_of {
            check::multiple_of(v, as_f64, m);
        }
        if !self.num_enum.is_empty() {
            check::num_enum(v, as_f64, self.num_enum);
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
        if value.has_checks() {
            self.at_field(name, |v| value.validate_into(v));
        }
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
            fn has_checks(&self) -> bool {
                let own: Option<Format> = $own;
                own.is_some()
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

// A credential is checked like a string, but what a check records never holds it.
impl Validate for crate::secret::Secret {
    fn validate_into(&self, _v: &mut Validator) {}
    fn validate_with(&self, v: &mut Validator, rules: &Rules) {
        v.redacting(|v| rules.check_str(v, self.expose()));
    }
    fn has_checks(&self) -> bool {
        false
    }
}

/// Booleans: no rules of their own; the place's enum, where it lists them.
impl Validate for bool {
    fn validate_into(&self, _v: &mut Validator) {}
    crate::validate::unchecked_alone!();
    fn validate_with(&self, v: &mut Validator, rules: &Rules) {
        if !rules.bool_enum.is_empty() {
            check::bool_enum(v, *self, rules.bool_enum);
        }
    }
}

/// Numbers: no rules of their own; the place's range, step and enum rules. Integers that fit
/// an `i64` are compared exactly; wider ones (and floats) as `f64`.
macro_rules! number_like {
    ($($t:ty),*) => {
        $(impl Validate for $t {
            fn validate_into(&self, _v: &mut Validator) {}
            crate::validate::unchecked_alone!();
            fn validate_with(&self, v: &mut Validator, rules: &Rules) {
                match i64::try_from(*self) {
                    Ok(i) => rules.check_int(v, i),
                    Err(_) => rules.check_number(v, *self as f64),
                }
            }
        })*
    };
}

number_like!(i8, i16, i32, i64, isize, i128, u8, u16, u32, u64, usize, u128);

impl Validate for f64 {
    fn validate_into(&self, _v: &mut Validator) {}
    fn validate_with(&self, v: &mut Validator, rules: &Rules) {
        rules.check_number(v, *self);
    }
}

impl Validate for f32 {
    fn validate_into(&self, _v: &mut Validator) {}
    fn validate_with(&self, v: &mut Validator, rules: &Rules) {
        rules.check_number(v, f64::from(*self));
    }
}

impl Validate for crate::wire::Number {
    fn validate_into(&self, _v: &mut Validator) {}
    crate::validate::unchecked_alone!();
    fn validate_with(&self, v: &mut Validator, rules: &Rules) {
        match self.as_i64() {
            Some(i) => rules.check_int(v, i),
            None => rules.check_number(v, self.as_f64()),
        }
    }
}

impl<T: Validate + PartialEq> Validate for Vec<T> {
    fn validate_into(&self, v: &mut Validator) {
        self.validate_with(v, &Rules::NONE);
    }
    fn validate_with(&self, v: &mut Validator, rules: &Rules) {
        rules.check_count(v, self.len(), false);
        // An array already too long is refused as a whole: checking each of its items (and
        // their uniqueness, pairwise) would let a hostile body buy work with its length.
        if rules.max_items.is_some_and(|m| self.len() as u64 > m) {
            return;
        }
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
    fn has_checks(&self) -> bool {
        // Every item is of one type: the first says whether any has checks of its own.
        self.first().is_some_and(Validate::has_checks)
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
    fn has_checks(&self) -> bool {
        self.values().next().is_some_and(Validate::has_checks)
    }
}

impl Validate for serde_json::Map<String, serde_json::Value> {
    fn validate_into(&self, _v: &mut Validator) {}
    crate::validate::unchecked_alone!();
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

    #[test]
    fn every_numeric_type_follows_the_rules_of_its_place() {
        static R: Rules = Rules {
            minimum: Some(0.0),
            maximum: Some(9_007_199_254_740_992.0),
            multiple_of: Some(0.5),
            ..Rules::NONE
        };
        let mut v = Validator::new();
        v.field("a", &-1i8, &R);
        v.field("b", &9_007_199_254_740_993u64, &R);
        v.field("c", &u128::MAX, &R);
        v.field("d", &0.25f32, &R);
        v.field("e", &f64::NAN, &R);
        v.field("f", &crate::wire::Number::from(-0.5), &R);
        v.field("g", &crate::wire::Number::from(3i64), &R);
        v.field("h", &Some(1.5f64), &R);
        let out: Vec<String> = v
            .into_violations()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            out,
            [
                "/a: range: -1 is below minimum 0",
                "/b: range: 9007199254740993 is above maximum 9007199254740992",
                "/c: range: 3.402823669209385e+38 is above maximum 9007199254740992",
                "/d: multiple-of: 0.25 is not a multiple of 0.5",
                "/e: range: NaN is below minimum 0",
                "/e: range: NaN is above maximum 9007199254740992",
                "/e: multiple-of: NaN is not a multiple of 0.5",
                "/f: range: -0.5 is below minimum 0",
            ]
        );
    }

    #[test]
    fn items_are_not_checked_on_an_array_already_too_long() {
        static ITEM: Rules = Rules {
            max_length: Some(1),
            ..Rules::NONE
        };
        static R: Rules = Rules {
            max_items: Some(2),
            items: Some(&ITEM),
            ..Rules::NONE
        };
        let mut v = Validator::new();
        v.field("xs", &vec![String::from("long"); 1000], &R);
        v.field("ys", &vec![String::from("long")], &R);
        let out: Vec<String> = v
            .into_violations()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            out,
            [
                "/xs: items: 1000 items, more than maxItems 2",
                "/ys/0: length: length 4 is above maxLength 1",
            ]
        );
    }

    #[test]
    fn uniqueness_is_not_checked_on_an_array_already_too_long() {
        static R: Rules = Rules {
            max_items: Some(2),
            unique_items: true,
            ..Rules::NONE
        };
        let mut v = Validator::new();
        v.field("xs", &vec![1, 1, 1], &R);
        v.field("ys", &vec![1, 1], &R);
        let out: Vec<String> = v
            .into_violations()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            out,
            [
                "/xs: items: 3 items, more than maxItems 2",
                "/ys: unique-items: item 1 repeats item 0",
            ]
        );
    }

    #[test]
    fn maps_count_properties_and_check_values() {
        static V: Rules = Rules {
            max_length: Some(2),
            ..Rules::NONE
        };
        static M: Rules = Rules {
            min_items: Some(2),
            items: Some(&V),
            ..Rules::NONE
        };
        let mut m = std::collections::BTreeMap::new();
        m.insert(String::from("a~b"), String::from("abc"));
        let mut v = Validator::new();
        v.field("m", &m, &M);
        let out: Vec<String> = v
            .into_violations()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            out,
            [
                "/m: items: 1 properties, fewer than minProperties 2",
                "/m/a~0b: length: length 3 is above maxLength 2",
            ]
        );
    }
}
