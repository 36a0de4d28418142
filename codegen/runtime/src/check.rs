//! The rules generated `validate()` methods call (and the generator, on the documents'
//! examples), each recording violations whose message names the limit and the value that
//! broke it: `length 12 is above maxLength 11`.
//!
//! Values quoted in messages are cut to [`SHOWN_CHARS`] characters, so a hostile megabyte
//! string does not become a megabyte error message.

use crate::pattern::{Exhausted, Pattern, BACKTRACK_LIMIT};
use crate::validate::{Rule, Validator};
use std::cmp::Ordering;

pub use crate::formats::{is_valid, Format};

/// How many characters of a value a message quotes before cutting it with `…`.
pub const SHOWN_CHARS: usize = 80;

/// `s` quoted for a message, cut after [`SHOWN_CHARS`] characters.
pub fn shown(s: &str) -> String {
    match s.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{:?}…", &s[..cut]),
        None => format!("{s:?}"),
    }
}

/// Records a violation when `s` is not in format `f`.
pub fn format(v: &mut Validator, s: &str, f: Format) {
    if !is_valid(f, s) {
        v.fail_with(Rule::Format, || {
            format!("{} is not a valid {}", shown(s), f.name())
        });
    }
}

/// Length in Unicode scalar values (`chars`), as JSON Schema counts it, against `minLength`
/// and `maxLength`.
pub fn length(v: &mut Validator, s: &str, min: Option<u64>, max: Option<u64>) {
    length_is(v, s.chars().count() as u64, min, max);
}

/// Checks a length already counted; `true` when it is within bounds.
fn length_is(v: &mut Validator, n: u64, min: Option<u64>, max: Option<u64>) -> bool {
    let mut within = true;
    if let Some(m) = min.filter(|m| n < *m) {
        v.fail_with(Rule::Length, || {
            format!("length {n} is below minLength {m}")
        });
        within = false;
    }
    if let Some(m) = max.filter(|m| n > *m) {
        v.fail_with(Rule::Length, || {
            format!("length {n} is above maxLength {m}")
        });
        within = false;
    }
    within
}

/// Records a violation when `s` does not match `p` (a search, as JSON Schema has it: the
/// pattern anchors itself or matches anywhere).
pub fn pattern(v: &mut Validator, s: &str, p: &Pattern) {
    // The ECMA engine has no step limit: it is run on bounded input only, whatever the
    // schema's maxLength (or its absence) allows. A longer value is refused, saying why.
    // (Lookaround patterns run on the step-limited engine instead, whatever the length.)
    let backtracking = p.compiled().is_some_and(|c| c.engine() == "ecma");
    if backtracking && s.len() > ECMA_INPUT_LIMIT {
        v.fail_with(Rule::Pattern, || {
            format!(
                "a value of {} bytes is longer than the {ECMA_INPUT_LIMIT} a pattern that only \
                 the ECMA engine runs ({}; it has no step limit) is checked on",
                s.len(),
                p.source()
            )
        });
        return;
    }
    match p.check(s) {
        Ok(true) => {}
        Ok(false) => v.fail_with(Rule::Pattern, || {
            format!("{} does not match the pattern {}", shown(s), p.source())
        }),
        Err(Exhausted) => v.fail_with(Rule::Pattern, || {
            format!(
                "a value of {} bytes needs more than {BACKTRACK_LIMIT} backtracking steps to \
                 check against the pattern {}: refused unchecked",
                s.len(),
                p.source()
            )
        }),
    }
}

/// The longest value (in bytes) a pattern that needs the ECMA engine (back references, ECMA's
/// lenient syntax) is run on: that engine has no step limit, and a request must not buy
/// seconds of a worker with a long string.
pub const ECMA_INPUT_LIMIT: usize = 4096;

/// Length first, then the pattern only if the length is within bounds, so that a backtracking
/// pattern never runs on an oversized input.
pub fn string(v: &mut Validator, s: &str, min: Option<u64>, max: Option<u64>, p: Option<&Pattern>) {
    let within = if min.is_some() || max.is_some() {
        length_is(v, s.chars().count() as u64, min, max)
    } else {
        true
    };
    if let (true, Some(p)) = (within, p) {
        pattern(v, s, p);
    }
}

/// A bound as a schema would write it: `10` rather than `10.0`, `0.01` rather than
/// `0.010000000000000000208`.
fn bound(b: f64) -> String {
    // Below 2^63 an integral f64 converts to i64 exactly.
    if b.fract() == 0.0 && b.abs() < 9.2e18 {
        format!("{}", b as i64)
    } else {
        // serde_json prints the shortest text that reads back as the same f64.
        serde_json::Number::from_f64(b).map_or_else(|| b.to_string(), |n| n.to_string())
    }
}

/// `exclusiveMinimum` or `minimum`, for messages.
fn min_word(exclusive: bool) -> &'static str {
    if exclusive {
        "exclusiveMinimum"
    } else {
        "minimum"
    }
}

/// `exclusiveMaximum` or `maximum`, for messages.
fn max_word(exclusive: bool) -> &'static str {
    if exclusive {
        "exclusiveMaximum"
    } else {
        "maximum"
    }
}

/// Records the range violations of a value whose order against each bound is known (`None`:
/// not comparable, as with NaN, which is outside every range). A NaN bound constrains nothing.
fn range_by(
    v: &mut Validator,
    shown: impl Fn() -> String,
    cmp: impl Fn(f64) -> Option<Ordering>,
    (min, exclusive_min): (Option<f64>, bool),
    (max, exclusive_max): (Option<f64>, bool),
) {
    if let Some(m) = min.filter(|m| !m.is_nan()) {
        let below = match cmp(m) {
            Some(Ordering::Less) | None => true,
            Some(Ordering::Equal) => exclusive_min,
            Some(Ordering::Greater) => false,
        };
        if below {
            let word = min_word(exclusive_min);
            v.fail_with(Rule::Range, || {
                format!("{} is below {word} {}", shown(), bound(m))
            });
        }
    }
    if let Some(m) = max.filter(|m| !m.is_nan()) {
        let above = match cmp(m) {
            Some(Ordering::Greater) | None => true,
            Some(Ordering::Equal) => exclusive_max,
            Some(Ordering::Less) => false,
        };
        if above {
            let word = max_word(exclusive_max);
            v.fail_with(Rule::Range, || {
                format!("{} is above {word} {}", shown(), bound(m))
            });
        }
    }
}

/// `minimum`/`maximum` (each optionally exclusive) for a float. NaN is outside every range.
pub fn range_f64(
    v: &mut Validator,
    x: f64,
    min: Option<f64>,
    max: Option<f64>,
    exclusive_min: bool,
    exclusive_max: bool,
) {
    range_by(
        v,
        || bound(x),
        |m| x.partial_cmp(&m),
        (min, exclusive_min),
        (max, exclusive_max),
    );
}

/// Compares an integer with a float exactly (casting either way would round one of them).
fn cmp_i64_f64(x: i64, m: f64) -> Option<Ordering> {
    // 2^63, exactly representable: every i64 is below it and at or above its negation.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if m.is_nan() {
        None
    } else if m >= TWO_63 {
        Some(Ordering::Less)
    } else if m < -TWO_63 {
        Some(Ordering::Greater)
    } else {
        // In range, so the truncation is exact and fits an i64.
        let t = m.trunc();
        Some(x.cmp(&(t as i64)).then(if m > t {
            Ordering::Less
        } else if m < t {
            Ordering::Greater
        } else {
            Ordering::Equal
        }))
    }
}

/// `minimum`/`maximum` for an integer, compared exactly even beyond 2^53.
pub fn range_i64(
    v: &mut Validator,
    x: i64,
    min: Option<f64>,
    max: Option<f64>,
    exclusive_min: bool,
    exclusive_max: bool,
) {
    range_by(
        v,
        || x.to_string(),
        |m| cmp_i64_f64(x, m),
        (min, exclusive_min),
        (max, exclusive_max),
    );
}

/// `multipleOf`, with a tolerance of 1e-9 on the quotient so that decimal steps such as 0.01,
/// which binary floats cannot hold exactly, work as a schema author expects. A step that is
/// not a positive finite number constrains nothing.
pub fn multiple_of(v: &mut Validator, x: f64, m: f64) {
    if !(m > 0.0 && m.is_finite()) {
        return;
    }
    let q = x / m;
    if !q.is_finite() || (q - q.round()).abs() > 1e-9 {
        v.fail_with(Rule::MultipleOf, || {
            format!("{} is not a multiple of {}", bound(x), bound(m))
        });
    }
}

/// An integer or number enum.
pub fn num_enum(v: &mut Validator, x: f64, allowed: &[f64]) {
    if !allowed.contains(&x) {
        v.fail_with(Rule::Enum, || {
            let list: Vec<String> = allowed.iter().map(|a| bound(*a)).collect();
            format!("{} is not one of {}", bound(x), listed(&list))
        });
    }
}

/// A boolean `enum`: the schema allows only the values listed.
pub fn bool_enum(v: &mut Validator, x: bool, allowed: &[bool]) {
    if !allowed.contains(&x) {
        v.fail_with(Rule::Enum, || {
            let list: Vec<String> = allowed.iter().map(bool::to_string).collect();
            format!("{x} is not one of {}", listed(&list))
        });
    }
}

/// `minItems`/`maxItems`.
pub fn items(v: &mut Validator, len: usize, min: Option<u64>, max: Option<u64>) {
    let n = len as u64;
    if let Some(m) = min.filter(|m| n < *m) {
        v.fail_with(Rule::Items, || {
            format!("{n} items, fewer than minItems {m}")
        });
    }
    if let Some(m) = max.filter(|m| n > *m) {
        v.fail_with(Rule::Items, || format!("{n} items, more than maxItems {m}"));
    }
}

/// `minProperties`/`maxProperties`.
pub fn properties(v: &mut Validator, len: usize, min: Option<u64>, max: Option<u64>) {
    let n = len as u64;
    if let Some(m) = min.filter(|m| n < *m) {
        v.fail_with(Rule::Items, || {
            format!("{n} properties, fewer than minProperties {m}")
        });
    }
    if let Some(m) = max.filter(|m| n > *m) {
        v.fail_with(Rule::Items, || {
            format!("{n} properties, more than maxProperties {m}")
        });
    }
}

/// `uniqueItems`: reports the first item that repeats an earlier one. With only `PartialEq`
/// this compares pairs, so callers check `maxItems` first (as [`crate::Rules`] does) to keep
/// a hostile array from costing quadratic time.
pub fn unique<T: PartialEq>(v: &mut Validator, xs: &[T]) {
    for (i, x) in xs.iter().enumerate() {
        if let Some(j) = xs.iter().take(i).position(|y| y == x) {
            v.fail_with(Rule::UniqueItems, || format!("item {i} repeats item {j}"));
            return;
        }
    }
}

/// How many allowed values an enum message names before it says how many there are in all.
pub const SHOWN_VALUES: usize = 5;

/// `A, B, C` or, past [`SHOWN_VALUES`], `A, B, C, D, E, … (157 in all)`.
fn listed<T: AsRef<str>>(values: &[T]) -> String {
    let mut out = String::new();
    for (i, x) in values.iter().take(SHOWN_VALUES).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(x.as_ref());
    }
    if values.len() > SHOWN_VALUES {
        out.push_str(&format!(", … ({} in all)", values.len()));
    }
    out
}

/// A string enum holding a value the document does not list.
pub fn enum_value(v: &mut Validator, value: &str, allowed: &[&str]) {
    if !allowed.contains(&value) {
        v.fail_with(Rule::Enum, || {
            format!("{} is not one of {}", shown(value), listed(allowed))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(f: impl FnOnce(&mut Validator)) -> Vec<String> {
        let mut v = Validator::new();
        f(&mut v);
        v.into_violations()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// A lookaround pattern runs on the step-limited engine: a value that would take it
    /// exponential time is refused when the limit is reached, saying so.
    #[test]
    fn a_lookaround_pattern_gives_up_at_its_step_limit_and_says_so() {
        static P: Pattern = Pattern::new("^((?!b)a+)+$");
        assert_eq!(P.compiled().map(|c| c.engine()), Some("backtracking"));
        assert!(P.is_match("aaaa"));
        let hostile = format!("{}b", "a".repeat(40));
        let refused = messages(|v| pattern(v, &hostile, &P));
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert!(refused[0].contains("backtracking steps"), "{refused:?}");
    }

    /// A pattern only the ECMA engine runs (a back reference) is not run on a long value,
    /// whatever the schema says of length; a linear one is.
    #[test]
    fn a_backtracking_pattern_is_run_on_bounded_input_only() {
        static BACKREF: Pattern = Pattern::new(r"^(a)(?:\1| )*$");
        static LINEAR: Pattern = Pattern::new(r"^[a-z ]*[a-z]$");
        assert_eq!(BACKREF.compiled().map(|c| c.engine()), Some("ecma"));
        let long = format!("{}a", "a ".repeat(ECMA_INPUT_LIMIT));
        let refused = messages(|v| pattern(v, &long, &BACKREF));
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert!(refused[0].contains("ECMA engine"), "{refused:?}");
        assert!(messages(|v| pattern(v, "a a a", &BACKREF)).is_empty());
        assert!(messages(|v| pattern(v, &long, &LINEAR)).is_empty());
    }

    #[test]
    fn limits_are_named_in_messages() {
        let msgs = messages(|v| {
            length(v, "ação", Some(5), None);
            length(v, "123456789012", None, Some(11));
            range_f64(v, 0.0, Some(0.0), None, true, false);
            items(v, 14, Some(1), Some(13));
            items(v, 0, Some(1), Some(13));
            properties(v, 0, Some(1), None);
            unique(v, &[1, 2, 1, 2]);
            num_enum(v, 3.0, &[1.0, 2.0]);
            multiple_of(v, 0.015, 0.01);
            enum_value(v, "BLUE", &["RED", "GREEN"]);
            enum_value(v, "X", &["A", "B", "C", "D", "E", "F", "G"]);
            format(v, "2023-02-29", Format::Date);
        });
        assert_eq!(
            msgs,
            [
                "/: length: length 4 is below minLength 5",
                "/: length: length 12 is above maxLength 11",
                "/: range: 0 is below exclusiveMinimum 0",
                "/: items: 14 items, more than maxItems 13",
                "/: items: 0 items, fewer than minItems 1",
                "/: items: 0 properties, fewer than minProperties 1",
                "/: unique-items: item 2 repeats item 0",
                "/: enum: 3 is not one of 1, 2",
                "/: multiple-of: 0.015 is not a multiple of 0.01",
                "/: enum: \"BLUE\" is not one of RED, GREEN",
                "/: enum: \"X\" is not one of A, B, C, D, E, … (7 in all)",
                "/: format: \"2023-02-29\" is not a valid date",
            ]
        );
    }

    #[test]
    fn values_within_limits_pass() {
        let msgs = messages(|v| {
            length(v, "", None, Some(0));
            length(v, "ação", Some(4), Some(4));
            range_f64(v, 10.0, Some(0.0), Some(10.0), false, false);
            range_i64(v, 0, Some(0.0), Some(0.5), false, true);
            multiple_of(v, 1500.5, 0.01);
            multiple_of(v, -3.0, 1.5);
            multiple_of(v, 1.0, 0.0);
            multiple_of(v, 1.0, f64::NAN);
            items(v, 13, Some(1), Some(13));
            unique::<i32>(v, &[]);
            unique(v, &["a", "b"]);
            enum_value(v, "RED", &["RED"]);
            format(v, "2024-02-29", Format::Date);
        });
        assert!(msgs.is_empty(), "{msgs:?}");
    }

    #[test]
    fn integer_ranges_are_exact_beyond_f64_precision() {
        // 2^53 + 1 rounds to 2^53 as an f64: a cast would call it equal to the maximum.
        let max = 9_007_199_254_740_992.0;
        let msgs = messages(|v| {
            range_i64(v, 9_007_199_254_740_993, None, Some(max), false, false);
            range_i64(v, i64::MAX, None, Some(9.3e18), false, false);
            range_i64(v, i64::MIN, Some(-9.3e18), None, false, false);
            range_i64(v, 5, Some(5.5), Some(4.5), false, false);
            range_i64(v, -5, Some(-4.5), None, false, false);
            range_i64(v, 1, Some(f64::NAN), Some(f64::NAN), false, false);
        });
        assert_eq!(
            msgs,
            [
                "/: range: 9007199254740993 is above maximum 9007199254740992",
                "/: range: 5 is below minimum 5.5",
                "/: range: 5 is above maximum 4.5",
                "/: range: -5 is below minimum -4.5",
            ]
        );
    }

    #[test]
    fn nan_is_outside_every_range() {
        let msgs = messages(|v| range_f64(v, f64::NAN, Some(0.0), Some(1.0), false, false));
        assert_eq!(msgs.len(), 2);
        let msgs = messages(|v| multiple_of(v, f64::INFINITY, 2.0));
        assert_eq!(msgs.len(), 1);
    }

    #[test]
    fn the_pattern_is_not_run_when_the_length_is_out_of_bounds() {
        static P: Pattern = Pattern::new("^a+$");
        let mut v = Validator::new();
        string(&mut v, &"b".repeat(20), None, Some(10), Some(&P));
        string(&mut v, "", Some(1), None, Some(&P));
        let out = v.into_violations();
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|x| x.rule == Rule::Length));
        let msgs = messages(|v| string(v, "b", Some(1), Some(10), Some(&P)));
        assert_eq!(msgs, ["/: pattern: \"b\" does not match the pattern ^a+$"]);
        assert!(messages(|v| string(v, "aaa", None, None, Some(&P))).is_empty());
        assert!(messages(|v| string(v, "bbb", None, None, None)).is_empty());
    }

    #[test]
    fn huge_values_are_cut_in_messages() {
        static P: Pattern = Pattern::new("^a$");
        let huge = "é".repeat(1 << 20);
        let msgs = messages(|v| {
            pattern(v, &huge, &P);
            format(v, &huge, Format::Uuid);
            enum_value(v, &huge, &["A"]);
            length(v, &huge, None, Some(1));
        });
        assert_eq!(msgs.len(), 4);
        assert!(msgs.iter().all(|m| m.len() < 400), "{msgs:?}");
        assert!(msgs[0].contains("…"));
        assert_eq!(shown(""), "\"\"");
        assert_eq!(
            shown(&"x".repeat(SHOWN_CHARS)),
            format!("{:?}", "x".repeat(80))
        );
    }

    #[test]
    fn unique_items_on_a_long_array_without_repeats() {
        let xs: Vec<u32> = (0..2000).collect();
        assert!(messages(|v| unique(v, &xs)).is_empty());
    }
}
