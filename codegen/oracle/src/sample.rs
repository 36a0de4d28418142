//! Strings for string schemas: a tiny deterministic sampler over a pattern's syntax tree, the
//! usual sample of each format, and an ECMA-262 matcher (`regress`) to pick, among candidates,
//! one that the pattern and the lengths accept (or, for a mutant, one that the pattern refuses).
//!
//! The matcher only advises: every instance is judged by `jsonschema` afterwards.

use regex_syntax::hir::{Class, Hir, HirKind};
use std::collections::BTreeMap;

/// Characters tried for a class, best first: letters and digits read well in reports and pass
/// most patterns of identifiers and codes.
fn preference() -> impl Iterator<Item = u8> {
    (b'a'..=b'z')
        .chain(b'A'..=b'Z')
        .chain(b'1'..=b'9')
        .chain(std::iter::once(b'0'))
        .chain((0x20u8..=0x7e).filter(|b| !b.is_ascii_alphanumeric()))
}

/// The `salt`-th preferred character a class holds (the first one when it holds fewer).
fn pick(inside: impl Fn(&u8) -> bool + Copy, salt: usize) -> Option<u8> {
    if salt > 0 {
        if let Some(b) = preference().filter(inside).nth(salt) {
            return Some(b);
        }
    }
    preference().find(inside)
}

/// Parses an ECMA-262 pattern as far as the `regex` syntax agrees with it: without Unicode
/// classes, so `\d` and `\w` are ASCII as in ECMA-262.
fn parse(pattern: &str) -> Option<Hir> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .nest_limit(64)
        .build()
        .parse(pattern)
        .ok()
}

/// One string matching `hir`: each repetition `extra` times more than its minimum (within its
/// maximum), each alternation and class choice shifted by `salt`.
fn walk(hir: &Hir, extra: u32, salt: usize, out: &mut Vec<u8>) -> Option<()> {
    if out.len() > 4096 {
        return None;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(()),
        HirKind::Literal(l) => {
            out.extend_from_slice(&l.0);
            Some(())
        }
        HirKind::Class(Class::Bytes(c)) => {
            let inside = |b: &u8| c.ranges().iter().any(|r| r.start() <= *b && *b <= r.end());
            out.push(pick(inside, salt)?);
            Some(())
        }
        HirKind::Class(Class::Unicode(c)) => {
            let inside = |b: &u8| {
                let ch = char::from(*b);
                c.ranges().iter().any(|r| r.start() <= ch && ch <= r.end())
            };
            out.push(pick(inside, salt)?);
            Some(())
        }
        HirKind::Repetition(r) => {
            let n = r.min.saturating_add(extra);
            let n = r.max.map_or(n, |m| n.min(m)).min(256);
            for _ in 0..n {
                walk(&r.sub, extra, salt, out)?;
            }
            Some(())
        }
        HirKind::Capture(c) => walk(&c.sub, extra, salt, out),
        HirKind::Concat(parts) => parts.iter().try_for_each(|p| walk(p, extra, salt, out)),
        HirKind::Alternation(alts) => walk(alts.get(salt % alts.len().max(1))?, extra, salt, out),
    }
}

/// Samples of `pattern`, shortest first, distinct; empty when the pattern cannot be read.
pub fn pattern_samples(pattern: &str, salt: usize, extras: &[u32]) -> Vec<String> {
    let Some(hir) = parse(pattern) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for &extra in extras {
        let mut bytes = Vec::new();
        if walk(&hir, extra, salt, &mut bytes).is_some() {
            if let Ok(s) = String::from_utf8(bytes) {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}

/// The usual values of a format, most common form first (patterns often narrow a format to
/// one form: milliseconds, an offset); `salt` varies them for unique items.
pub fn format_samples(format: &str, salt: usize) -> Vec<String> {
    let d = salt % 9 + 1;
    let one = |s: String| vec![s];
    match format {
        "date" => one(format!("2024-05-0{d}")),
        "date-time" => [
            "T10:00:00Z",
            "T10:00:00.000Z",
            "T10:00:00+00:00",
            "T10:00:00.000+00:00",
            "T10:00:00.000000Z",
            "T10:00:00-03:00",
        ]
        .iter()
        .map(|t| format!("2024-05-0{d}{t}"))
        .collect(),
        "time" => one(format!("10:00:0{d}Z")),
        "uri" | "url" | "uri-reference" => one(format!("https://example.com/a{d}")),
        "email" => one(format!("a{d}@example.com")),
        "uuid" => one(format!("3fa85f64-5717-4562-b3fc-2c963f66afa{d}")),
        "hostname" => one(format!("a{d}.example.com")),
        "ipv4" => one(format!("192.0.2.{d}")),
        "ipv6" => one(format!("2001:db8::{d}")),
        "double" | "float" | "decimal" => vec![format!("{d}.00"), format!("{d}.0"), format!("{d}")],
        _ => Vec::new(),
    }
}

/// A value of a format that the format refuses, for mutants.
pub fn format_broken(format: &str) -> Option<&'static str> {
    Some(match format {
        "date" => "2024-13-45",
        "date-time" => "2024-05-01 10:00",
        "time" => "25:61:00",
        "uri" | "uri-reference" => "not a uri",
        "email" => "not-an-email",
        "uuid" => "not-a-uuid",
        "ipv4" => "300.1.1",
        "ipv6" => "not-an-ipv6",
        _ => return None,
    })
}

/// ECMA-262 matchers, compiled once per pattern, and samples, drawn once per pattern (documents
/// repeat the same few patterns on hundreds of members).
#[derive(Default)]
pub struct Matchers {
    compiled: BTreeMap<String, Option<regress::Regex>>,
    samples: BTreeMap<(String, usize, Vec<u32>), Vec<String>>,
}

impl Matchers {
    /// [`pattern_samples`], remembered.
    pub fn samples(&mut self, pattern: &str, salt: usize, extras: &[u32]) -> Vec<String> {
        self.samples
            .entry((pattern.to_string(), salt, extras.to_vec()))
            .or_insert_with(|| pattern_samples(pattern, salt, extras))
            .clone()
    }

    /// Whether `s` matches `pattern`; `None` when the pattern cannot be compiled.
    pub fn matches(&mut self, pattern: &str, s: &str) -> Option<bool> {
        let re = self
            .compiled
            .entry(pattern.to_string())
            .or_insert_with(|| regress::Regex::new(pattern).ok());
        re.as_ref().map(|re| re.find(s).is_some())
    }

    /// Whether `s` matches every pattern (an unreadable pattern counts as matching: the oracle
    /// decides).
    pub fn all(&mut self, patterns: &[String], s: &str) -> bool {
        patterns.iter().all(|p| self.matches(p, s).unwrap_or(true))
    }
}

/// Lengths as JSON Schema counts them: in characters.
pub fn len(s: &str) -> u64 {
    s.chars().count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_match_their_patterns() {
        let mut m = Matchers::default();
        for p in [
            r"^\d{4}-\d{2}-\d{2}$",
            r"^[a-zA-Z0-9][a-zA-Z0-9\-]{0,99}$",
            r"^-?\d{1,15}\.\d{2,4}$",
            r"^(\d{4})-(1[0-2]|0?[1-9])-(3[01]|[12][0-9]|0?[1-9])$",
            r"[\w\W\s]*",
            r"^\S[\s\S]*$",
            r"^(NATIONAL|INTERNATIONAL)$",
            r"^[\/]?[a-z]+$",
        ] {
            let samples = pattern_samples(p, 0, &[0, 1, 3]);
            assert!(!samples.is_empty(), "{p}");
            for s in samples {
                assert_eq!(m.matches(p, &s), Some(true), "{p} {s:?}");
            }
        }
        assert_eq!(pattern_samples(r"^\d{3}$", 0, &[0]), ["111"]);
        assert!(pattern_samples("(?=x)x", 0, &[0]).is_empty());
    }
}
