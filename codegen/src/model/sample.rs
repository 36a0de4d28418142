//! Strings that match a pattern, for composed examples.
//!
//! The pattern is parsed with `regex-syntax` and walked: the first alternative, the first
//! pleasant character of each class, and repetition counts tried from small to large until the
//! length bounds are met. Patterns `regex-syntax` cannot parse (lookaround) yield nothing here;
//! the caller then tries plain candidates against the real matcher.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Candidate strings for `pattern` within the length bounds, most natural first.
pub fn from_pattern(pattern: &str, min: Option<u64>, max: Option<u64>) -> Vec<String> {
    let Ok(hir) = regex_syntax::ParserBuilder::new().build().parse(pattern) else {
        return Vec::new();
    };
    let min = min.unwrap_or(0) as usize;
    let max = max.map(|m| m as usize).unwrap_or(usize::MAX);
    let mut out: Vec<String> = Vec::new();
    for reps in [1u32, 0, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64] {
        let mut s = String::new();
        walk(&hir, reps, &mut s);
        let n = s.chars().count();
        if n >= min && n <= max && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

fn walk(hir: &Hir, reps: u32, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
        HirKind::Class(class) => {
            if let Some(c) = pick(class) {
                out.push(c);
            }
        }
        HirKind::Repetition(rep) => {
            // The walk is deterministic: the part is made once and repeated, so that nested
            // repetitions cost their output, not the product of their counts.
            let n = reps.clamp(rep.min, rep.max.unwrap_or(u32::MAX));
            if n > 0 {
                let mut once = String::new();
                walk(&rep.sub, reps, &mut once);
                for _ in 0..n {
                    out.push_str(&once);
                }
            }
        }
        HirKind::Capture(cap) => walk(&cap.sub, reps, out),
        HirKind::Concat(parts) => parts.iter().for_each(|p| walk(p, reps, out)),
        HirKind::Alternation(alts) => {
            if let Some(first) = alts.first() {
                walk(first, reps, out);
            }
        }
    }
}

/// A readable member of a class: a digit, a letter, then anything printable.
fn pick(class: &Class) -> Option<char> {
    // The class's ranges are read in place (a Unicode class such as `\w` has hundreds).
    match class {
        Class::Unicode(u) => pick_in(u.ranges().iter().map(|r| (r.start(), r.end()))),
        Class::Bytes(b) => pick_in(
            b.ranges()
                .iter()
                .map(|r| (char::from(r.start()), char::from(r.end()))),
        ),
    }
}

/// [`pick`] over a class's ranges, `(first, last)` each.
fn pick_in(ranges: impl Iterator<Item = (char, char)> + Clone) -> Option<char> {
    let contains = |c: char| ranges.clone().any(|(a, b)| a <= c && c <= b);
    ['1', 'a', 'A', '0', 'x']
        .into_iter()
        .find(|&c| contains(c))
        .or_else(|| {
            ranges
                .clone()
                .flat_map(|(a, b)| (a..=b).take(128))
                .find(|c| !c.is_control() && !c.is_whitespace())
        })
        .or_else(|| ranges.clone().next().map(|r| r.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_satisfy_common_shapes() {
        assert_eq!(from_pattern(r"^\d{1,15}\.\d{2,4}$", None, None)[0], "1.11");
        assert_eq!(from_pattern(r"^[A-Z]{3}$", None, None)[0], "AAA");
        let s = &from_pattern(r"^[\w\W\s]*$", Some(5), Some(10))[0];
        assert!((5..=10).contains(&s.chars().count()), "{s}");
        assert!(from_pattern(r"^(?!\s)\w+$", None, None).is_empty());
    }
}
