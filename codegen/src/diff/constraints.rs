//! Constraints compared: `format`, `pattern`, lengths, item and property counts, numeric
//! bounds, `multipleOf` and numeric enums, each judged narrowed or widened (or incompatible,
//! when neither set of values contains the other).

use super::compare::Walk;
use super::place::At;
use super::rules::Class;
use super::Kind;
use crate::model::{Api, Constraints, Shape, Ty};

/// The `format` a scalar carries, by name.
fn format_name(s: &Shape) -> Option<&'static str> {
    match s.ty {
        Ty::Int32 => Some("int32"),
        Ty::Int64 => Some("int64"),
        Ty::Decimal => Some("double"),
        Ty::Date => Some("date"),
        Ty::DateTime => Some("date-time"),
        _ => s.c.format.map(|f| f.name()),
    }
}

pub(super) fn shown(v: Option<impl std::fmt::Display>) -> String {
    v.map_or_else(|| String::from("none"), |v| v.to_string())
}

/// Judges a change of a lower limit (`minLength`, `minItems`): higher narrows.
pub(super) fn lower(old: Option<u64>, new: Option<u64>) -> Option<Class> {
    let (a, b) = (old.unwrap_or(0), new.unwrap_or(0));
    (a != b).then_some(if b > a {
        Class::Narrowed
    } else {
        Class::Widened
    })
}

/// Judges a change of an upper limit (`maxLength`, `maxItems`): lower narrows.
pub(super) fn upper(old: Option<u64>, new: Option<u64>) -> Option<Class> {
    let (a, b) = (old.unwrap_or(u64::MAX), new.unwrap_or(u64::MAX));
    (a != b).then_some(if b < a {
        Class::Narrowed
    } else {
        Class::Widened
    })
}

/// A numeric bound as text: `>= 0`, `< 100`, `none`.
fn bound(v: Option<f64>, exclusive: bool, inclusive_sym: &str, exclusive_sym: &str) -> String {
    match v {
        Some(v) if exclusive => format!("{exclusive_sym} {v}"),
        Some(v) => format!("{inclusive_sym} {v}"),
        None => String::from("none"),
    }
}

/// Judges a change of `minimum` (with `exclusiveMinimum`); `sign` is -1 for `maximum`, whose
/// order is the reverse.
fn range(old: (Option<f64>, bool), new: (Option<f64>, bool), sign: f64) -> Option<Class> {
    // A bound as a number and a tie-breaker: exclusive is stricter than inclusive.
    let key = |(v, ex): (Option<f64>, bool)| match v {
        Some(v) => (sign * v, ex),
        None => (f64::NEG_INFINITY, false),
    };
    let (a, b) = (key(old), key(new));
    if a == b {
        return None;
    }
    let narrower = b.0 > a.0 || (b.0 == a.0 && b.1 && !a.1);
    Some(if narrower {
        Class::Narrowed
    } else {
        Class::Widened
    })
}

impl Walk<'_> {
    pub(super) fn format(&mut self, o: &Shape, n: &Shape, at: &At) {
        let (a, b) = (format_name(o), format_name(n));
        if a == b {
            return;
        }
        let class = match (a, b) {
            (Some("int32"), Some("int64")) => Class::Widened,
            (Some("int64"), Some("int32")) => Class::Narrowed,
            (None, Some(_)) => Class::Narrowed,
            (Some(_), None) => Class::Widened,
            _ => Class::Incompatible,
        };
        let detail = format!("format {} -> {}", shown(a), shown(b));
        self.emit(Kind::FormatChanged, class, at, detail);
    }

    pub(super) fn constraints(&mut self, o: &Constraints, n: &Constraints, at: &At) {
        let pattern =
            |api: &Api, c: &Constraints| c.pattern.and_then(|i| api.patterns.get(i).cloned());
        let (pa, pb) = (pattern(self.old.api, o), pattern(self.new.api, n));
        if pa != pb {
            // A changed pattern cannot be proven wider, so it counts as a new rule.
            let class = if pb.is_none() {
                Class::Widened
            } else {
                Class::Narrowed
            };
            let quote = |p: &Option<String>| {
                p.as_ref()
                    .map_or_else(|| String::from("none"), |p| format!("`{p}`"))
            };
            let detail = format!("pattern {} -> {}", quote(&pa), quote(&pb));
            self.emit(Kind::PatternChanged, class, at, detail);
        }
        // (kind, keyword, old, new, whether it is a lower limit)
        type Limit = (Kind, &'static str, Option<u64>, Option<u64>, bool);
        let limits: [Limit; 6] = [
            (
                Kind::LengthChanged,
                "minLength",
                o.min_length,
                n.min_length,
                true,
            ),
            (
                Kind::LengthChanged,
                "maxLength",
                o.max_length,
                n.max_length,
                false,
            ),
            (
                Kind::ItemsChanged,
                "minItems",
                o.min_items,
                n.min_items,
                true,
            ),
            (
                Kind::ItemsChanged,
                "maxItems",
                o.max_items,
                n.max_items,
                false,
            ),
            (
                Kind::ItemsChanged,
                "minProperties",
                o.min_properties,
                n.min_properties,
                true,
            ),
            (
                Kind::ItemsChanged,
                "maxProperties",
                o.max_properties,
                n.max_properties,
                false,
            ),
        ];
        for (kind, name, a, b, is_lower) in limits {
            let class = if is_lower { lower(a, b) } else { upper(a, b) };
            if let Some(class) = class {
                self.emit(
                    kind,
                    class,
                    at,
                    format!("{name} {} -> {}", shown(a), shown(b)),
                );
            }
        }
        if o.unique_items != n.unique_items {
            let class = if n.unique_items {
                Class::Narrowed
            } else {
                Class::Widened
            };
            let detail = format!("uniqueItems {} -> {}", o.unique_items, n.unique_items);
            self.emit(Kind::ItemsChanged, class, at, detail);
        }
        let (lo, ln) = (
            (o.minimum, o.exclusive_minimum),
            (n.minimum, n.exclusive_minimum),
        );
        if let Some(class) = range(lo, ln, 1.0) {
            let detail = format!(
                "minimum {} -> {}",
                bound(lo.0, lo.1, ">=", ">"),
                bound(ln.0, ln.1, ">=", ">")
            );
            self.emit(Kind::RangeChanged, class, at, detail);
        }
        let (uo, un) = (
            (o.maximum, o.exclusive_maximum),
            (n.maximum, n.exclusive_maximum),
        );
        if let Some(class) = range(uo, un, -1.0) {
            let detail = format!(
                "maximum {} -> {}",
                bound(uo.0, uo.1, "<=", "<"),
                bound(un.0, un.1, "<=", "<")
            );
            self.emit(Kind::RangeChanged, class, at, detail);
        }
        if o.multiple_of != n.multiple_of {
            let class = match (o.multiple_of, n.multiple_of) {
                (None, Some(_)) => Class::Narrowed,
                (Some(_), None) => Class::Widened,
                // Multiples of 10 are multiples of 5: a multiple of the old step narrows.
                (Some(a), Some(b)) if a != 0.0 && (b / a).fract() == 0.0 => Class::Narrowed,
                (Some(a), Some(b)) if b != 0.0 && (a / b).fract() == 0.0 => Class::Widened,
                _ => Class::Incompatible,
            };
            let detail = format!(
                "multipleOf {} -> {}",
                shown(o.multiple_of),
                shown(n.multiple_of)
            );
            self.emit(Kind::RangeChanged, class, at, detail);
        }
        let shown = |v: &[f64]| v.iter().map(f64::to_string).collect::<Vec<_>>();
        self.listed(&shown(&o.num_enum), &shown(&n.num_enum), at);
        let shown = |v: &[bool]| v.iter().map(bool::to_string).collect::<Vec<_>>();
        self.listed(&shown(&o.bool_enum), &shown(&n.bool_enum), at);
    }

    /// Numeric and boolean enums: values added or removed, or the list appearing or going.
    fn listed(&mut self, o: &[String], n: &[String], at: &At) {
        let (op, np) = at.join(&["enum"]);
        let eat = at.at(op, np);
        let list = |v: &[String]| v.join(", ");
        match (o.is_empty(), n.is_empty()) {
            (true, true) => {}
            (true, false) => self.emit(
                Kind::RangeChanged,
                Class::Narrowed,
                &eat,
                format!("now limited to the values {}", list(n)),
            ),
            (false, true) => self.emit(
                Kind::RangeChanged,
                Class::Widened,
                &eat,
                format!("no longer limited to the values {}", list(o)),
            ),
            (false, false) => {
                for v in o.iter().filter(|v| !n.contains(v)) {
                    self.emit(
                        Kind::EnumValueRemoved,
                        Class::Narrowed,
                        &eat,
                        format!("value {v} removed"),
                    );
                }
                for v in n.iter().filter(|v| !o.contains(v)) {
                    self.emit(
                        Kind::EnumValueAdded,
                        Class::ValueAdded,
                        &eat,
                        format!("value {v} added"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_bounds_are_judged_by_direction() {
        assert_eq!(lower(None, Some(2)), Some(Class::Narrowed));
        assert_eq!(lower(Some(2), Some(0)), Some(Class::Widened));
        assert_eq!(lower(None, Some(0)), None);
        assert_eq!(upper(Some(10), Some(5)), Some(Class::Narrowed));
        assert_eq!(upper(Some(10), None), Some(Class::Widened));
        assert_eq!(
            range((Some(0.0), false), (Some(0.0), true), 1.0),
            Some(Class::Narrowed)
        );
        assert_eq!(
            range((Some(0.0), false), (Some(1.0), false), 1.0),
            Some(Class::Narrowed)
        );
        assert_eq!(
            range((Some(100.0), false), (Some(50.0), false), -1.0),
            Some(Class::Narrowed)
        );
        assert_eq!(
            range((Some(100.0), true), (None, false), -1.0),
            Some(Class::Widened)
        );
        assert_eq!(range((None, true), (None, false), 1.0), None);
        assert_eq!(bound(Some(1.5), true, ">=", ">"), "> 1.5");
    }
}
