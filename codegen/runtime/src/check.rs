//! The rules generated `validate()` methods call, each recording violations with the limit and
//! the value that broke it.

use crate::pattern::Pattern;
use crate::validate::{Rule, Validator};

/// String formats that are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// RFC 3339 `full-date`.
    Date,
    /// RFC 3339 `date-time`.
    DateTime,
    /// RFC 3339 `full-time`.
    Time,
    /// RFC 4122 text form.
    Uuid,
    /// A pragmatic `local@domain`.
    Email,
    /// An absolute URI (scheme and rest).
    Uri,
    /// Same check as `Uri`: OFB documents write `format: url`.
    Url,
    /// Dotted quad.
    Ipv4,
    /// RFC 4291 text form.
    Ipv6,
    /// DNS host name.
    Hostname,
    /// Base64.
    Byte,
    /// Decimal text (`-12.50`, `1e3`): money written as a string.
    Double,
    /// Integer text.
    Integer,
}

impl Format {
    /// The format named `name` in a schema, if it is one that is checked.
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "date" => Format::Date,
            "date-time" => Format::DateTime,
            "time" => Format::Time,
            "uuid" => Format::Uuid,
            "email" => Format::Email,
            "uri" => Format::Uri,
            "url" => Format::Url,
            "ipv4" => Format::Ipv4,
            "ipv6" => Format::Ipv6,
            "hostname" => Format::Hostname,
            "byte" => Format::Byte,
            "double" | "float" => Format::Double,
            "integer" | "int32" | "int64" => Format::Integer,
            _ => return None,
        })
    }

    /// The name used in schemas.
    pub fn name(self) -> &'static str {
        match self {
            Format::Date => "date",
            Format::DateTime => "date-time",
            Format::Time => "time",
            Format::Uuid => "uuid",
            Format::Email => "email",
            Format::Uri => "uri",
            Format::Url => "url",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
            Format::Hostname => "hostname",
            Format::Byte => "byte",
            Format::Double => "double",
            Format::Integer => "integer",
        }
    }
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (
        digits(&s[0..4], 4),
        digits(&s[5..7], 2),
        digits(&s[8..10], 2),
    ) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let max = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=max).contains(&d)
}

fn is_time(s: &str) -> bool {
    // partial-time time-offset: hh:mm:ss(.frac)?(Z|±hh:mm)
    let (body, offset) = if let Some(b) = s.strip_suffix(['Z', 'z']) {
        (b, None)
    } else if s.len() > 6 && matches!(s.as_bytes()[s.len() - 6], b'+' | b'-') {
        (&s[..s.len() - 6], Some(&s[s.len() - 5..]))
    } else {
        return false;
    };
    if let Some(o) = offset {
        let ob = o.as_bytes();
        if ob.len() != 5
            || ob[2] != b':'
            || digits(&o[0..2], 2).is_none_or(|h| h >= 24)
            || digits(&o[3..5], 2).is_none_or(|m| m >= 60)
        {
            return false;
        }
    }
    let (hms, frac) = match body.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (body, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let b = hms.as_bytes();
    b.len() == 8
        && b[2] == b':'
        && b[5] == b':'
        && digits(&hms[0..2], 2).is_some_and(|h| h < 24)
        && digits(&hms[3..5], 2).is_some_and(|m| m < 60)
        && digits(&hms[6..8], 2).is_some_and(|s| s <= 60)
}

fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    all_digits(int)
        && frac.is_none_or(all_digits)
        && exp.is_none_or(|e| all_digits(e.strip_prefix(['+', '-']).unwrap_or(e)))
}

fn is_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Whether `s` is in format `f`.
pub fn is_valid(f: Format, s: &str) -> bool {
    match f {
        Format::Date => is_date(s),
        Format::DateTime => match s.find(['T', 't']) {
            Some(10) => is_date(&s[..10]) && is_time(&s[11..]),
            _ => false,
        },
        Format::Time => is_time(s),
        Format::Uuid => {
            let b = s.as_bytes();
            b.len() == 36
                && b.iter().enumerate().all(|(i, c)| match i {
                    8 | 13 | 18 | 23 => *c == b'-',
                    _ => c.is_ascii_hexdigit(),
                })
        }
        Format::Email => match s.rsplit_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !local.contains(char::is_whitespace)
                    && domain.contains('.')
                    && is_hostname(domain)
            }
            None => false,
        },
        Format::Uri | Format::Url => match s.split_once(':') {
            Some((scheme, rest)) => {
                scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                    && !rest.is_empty()
                    && !rest.contains(char::is_whitespace)
            }
            None => false,
        },
        Format::Ipv4 => s.parse::<std::net::Ipv4Addr>().is_ok(),
        Format::Ipv6 => s.parse::<std::net::Ipv6Addr>().is_ok(),
        Format::Hostname => is_hostname(s),
        Format::Byte => {
            let t = s.trim_end_matches('=');
            s.len() % 4 == 0
                && s.len() - t.len() <= 2
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        }
        Format::Double => is_decimal(s),
        Format::Integer => {
            let t = s.strip_prefix('-').unwrap_or(s);
            !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
        }
    }
}

/// Records a violation when `s` is not in format `f`.
pub fn format(v: &mut Validator, s: &str, f: Format) {
    if !is_valid(f, s) {
        v.fail(Rule::Format, format!("{s:?} is not a valid {}", f.name()));
    }
}

/// Length in Unicode scalar values against `minLength` and `maxLength`.
pub fn length(v: &mut Validator, s: &str, min: Option<u64>, max: Option<u64>) {
    let n = s.chars().count() as u64;
    if let Some(m) = min.filter(|m| n < *m) {
        v.fail(Rule::Length, format!("length {n} is below minLength {m}"));
    }
    if let Some(m) = max.filter(|m| n > *m) {
        v.fail(Rule::Length, format!("length {n} is above maxLength {m}"));
    }
}

/// Records a violation when `s` does not match `p`.
pub fn pattern(v: &mut Validator, s: &str, p: &Pattern) {
    if !p.is_match(s) {
        v.fail(
            Rule::Pattern,
            format!("{s:?} does not match the pattern {}", p.source()),
        );
    }
}

/// Length first, then the pattern only if the length is within bounds, so that a backtracking
/// pattern never runs on an oversized input.
pub fn string(v: &mut Validator, s: &str, min: Option<u64>, max: Option<u64>, p: Option<&Pattern>) {
    let n = s.chars().count() as u64;
    let within = min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m);
    length(v, s, min, max);
    if let (true, Some(p)) = (within, p) {
        pattern(v, s, p);
    }
}

fn bound(b: f64) -> String {
    if b.fract() == 0.0 && b.abs() < 1e15 {
        format!("{}", b as i64)
    } else {
        b.to_string()
    }
}

/// `minimum`/`maximum` (optionally exclusive) for a float.
pub fn range_f64(
    v: &mut Validator,
    x: f64,
    min: Option<f64>,
    max: Option<f64>,
    exclusive_min: bool,
    exclusive_max: bool,
) {
    if let Some(m) = min {
        if x < m || (exclusive_min && x == m) {
            let word = if exclusive_min {
                "exclusiveMinimum"
            } else {
                "minimum"
            };
            v.fail(
                Rule::Range,
                format!("{} is below {word} {}", bound(x), bound(m)),
            );
        }
    }
    if let Some(m) = max {
        if x > m || (exclusive_max && x == m) {
            let word = if exclusive_max {
                "exclusiveMaximum"
            } else {
                "maximum"
            };
            v.fail(
                Rule::Range,
                format!("{} is above {word} {}", bound(x), bound(m)),
            );
        }
    }
}

/// `minimum`/`maximum` for an integer.
pub fn range_i64(
    v: &mut Validator,
    x: i64,
    min: Option<f64>,
    max: Option<f64>,
    exclusive_min: bool,
    exclusive_max: bool,
) {
    range_f64(v, x as f64, min, max, exclusive_min, exclusive_max);
}

/// `multipleOf`, with a tolerance for binary fractions (0.01 steps).
pub fn multiple_of(v: &mut Validator, x: f64, m: f64) {
    if m <= 0.0 {
        return;
    }
    let q = x / m;
    if (q - q.round()).abs() > 1e-9 {
        v.fail(
            Rule::MultipleOf,
            format!("{} is not a multiple of {}", bound(x), bound(m)),
        );
    }
}

/// An integer or number enum.
pub fn num_enum(v: &mut Validator, x: f64, allowed: &[f64]) {
    if !allowed.contains(&x) {
        let list: Vec<String> = allowed.iter().map(|a| bound(*a)).collect();
        v.fail(
            Rule::Enum,
            format!("{} is not one of {}", bound(x), list.join(", ")),
        );
    }
}

/// `minItems`/`maxItems`.
pub fn items(v: &mut Validator, len: usize, min: Option<u64>, max: Option<u64>) {
    let n = len as u64;
    if let Some(m) = min.filter(|m| n < *m) {
        v.fail(Rule::Items, format!("{n} items, fewer than minItems {m}"));
    }
    if let Some(m) = max.filter(|m| n > *m) {
        v.fail(Rule::Items, format!("{n} items, more than maxItems {m}"));
    }
}

/// `minProperties`/`maxProperties`.
pub fn properties(v: &mut Validator, len: usize, min: Option<u64>, max: Option<u64>) {
    let n = len as u64;
    if let Some(m) = min.filter(|m| n < *m) {
        v.fail(
            Rule::Items,
            format!("{n} properties, fewer than minProperties {m}"),
        );
    }
    if let Some(m) = max.filter(|m| n > *m) {
        v.fail(
            Rule::Items,
            format!("{n} properties, more than maxProperties {m}"),
        );
    }
}

/// `uniqueItems`: reports the first repeated item's index.
pub fn unique<T: PartialEq>(v: &mut Validator, xs: &[T]) {
    for (i, x) in xs.iter().enumerate() {
        if let Some(j) = xs[..i].iter().position(|y| y == x) {
            v.fail(Rule::UniqueItems, format!("item {i} repeats item {j}"));
            return;
        }
    }
}

/// A string enum holding a value the document does not list.
pub fn enum_value(v: &mut Validator, value: &str, allowed: &[&str]) {
    if !allowed.contains(&value) {
        v.fail(
            Rule::Enum,
            format!("{value:?} is not one of {}", allowed.join(", ")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(is_valid(Format::Date, "2024-02-29"));
        assert!(!is_valid(Format::Date, "2023-02-29"));
        assert!(!is_valid(Format::Date, "2023-13-01"));
        assert!(is_valid(Format::DateTime, "2021-05-21T08:30:00Z"));
        assert!(is_valid(Format::DateTime, "2021-05-21T08:30:00.123-03:00"));
        assert!(!is_valid(Format::DateTime, "2021-05-21 08:30:00Z"));
        assert!(!is_valid(Format::DateTime, "2021-05-21T08:30Z"));
        assert!(is_valid(
            Format::Uuid,
            "d78fc4e5-37ca-4da3-adf2-9b082bf92280"
        ));
        assert!(!is_valid(
            Format::Uuid,
            "d78fc4e5-37ca-4da3-adf2-9b082bf9228"
        ));
        assert!(is_valid(Format::Double, "-1500.50"));
        assert!(is_valid(Format::Double, "1e3"));
        assert!(!is_valid(Format::Double, "1.5.0"));
        assert!(!is_valid(Format::Double, ""));
        assert!(is_valid(
            Format::Url,
            "https://api.banco.com.br/open-banking/accounts/v2/accounts"
        ));
        assert!(!is_valid(Format::Uri, "not a uri"));
        assert!(is_valid(Format::Email, "nome@banco.com.br"));
        assert!(!is_valid(Format::Email, "nome@"));
        assert!(is_valid(Format::Byte, "AAE="));
        assert!(!is_valid(Format::Byte, "AAE"));
    }

    #[test]
    fn limits_are_named_in_messages() {
        let mut v = Validator::new();
        length(&mut v, "ação", Some(5), None);
        range_f64(&mut v, 0.0, Some(0.0), None, true, false);
        items(&mut v, 14, Some(1), Some(13));
        unique(&mut v, &[1, 2, 1]);
        num_enum(&mut v, 3.0, &[1.0, 2.0]);
        let msgs: Vec<String> = v
            .into_violations()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            msgs,
            [
                "/: length: length 4 is below minLength 5",
                "/: range: 0 is below exclusiveMinimum 0",
                "/: items: 14 items, more than maxItems 13",
                "/: unique-items: item 2 repeats item 0",
                "/: enum: 3 is not one of 1, 2",
            ]
        );
    }

    #[test]
    fn the_pattern_is_not_run_when_the_length_is_out_of_bounds() {
        static P: Pattern = Pattern::new("^a+$");
        let mut v = Validator::new();
        string(&mut v, &"b".repeat(20), None, Some(10), Some(&P));
        let out = v.into_violations();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].rule, Rule::Length);
    }
}
