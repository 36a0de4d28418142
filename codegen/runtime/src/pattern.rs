//! ECMA-262 patterns, as OpenAPI `pattern` means them: a search (unanchored unless the pattern
//! anchors itself), with ASCII `\d` and `\w` and ECMA's own `\s` and `.`.
//!
//! Most patterns translate to the `regex` crate's syntax with the same meaning, and run in
//! linear time. What does not translate (lookaround, backreferences, ECMA's identity escapes)
//! runs on `regress`, a backtracking ECMA engine; callers check the length first
//! ([`crate::check::string`]) so a backtracking pattern never sees an oversized input.

use std::fmt;
use std::sync::OnceLock;

/// ECMA `\s`: WhiteSpace and LineTerminator.
const SPACE: &str = r"\t\n\x0B\x0C\r \u{A0}\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}";
const WORD: &str = "0-9A-Za-z_";
const DIGIT: &str = "0-9";

/// A compiled pattern.
#[derive(Debug, Clone)]
pub enum Compiled {
    /// Translated to the `regex` crate (linear time).
    Regex(regex::Regex),
    /// Run by the ECMA backtracking engine.
    Ecma(regress::Regex),
}

impl Compiled {
    /// Whether `s` contains a match.
    pub fn is_match(&self, s: &str) -> bool {
        match self {
            Compiled::Regex(r) => r.is_match(s),
            Compiled::Ecma(r) => r.find(s).is_some(),
        }
    }

    /// Which engine runs it.
    pub fn engine(&self) -> &'static str {
        match self {
            Compiled::Regex(_) => "regex",
            Compiled::Ecma(_) => "ecma",
        }
    }
}

/// Why a pattern cannot be compiled by either engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// The pattern.
    pub source: String,
    /// What the ECMA engine said.
    pub reason: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a valid ECMA-262 regular expression: {}",
            self.source, self.reason
        )
    }
}

impl std::error::Error for PatternError {}

/// Translates ECMA syntax to `regex` syntax with the same meaning, or `None` where the meaning
/// cannot be kept.
pub fn translate(src: &str) -> Option<String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len() + 16);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let n = *chars.get(i + 1)?;
                i += 2;
                let (pos, neg) = match n {
                    'd' | 'D' => (DIGIT, n == 'D'),
                    'w' | 'W' => (WORD, n == 'W'),
                    's' | 'S' => (SPACE, n == 'S'),
                    _ => ("", false),
                };
                if !pos.is_empty() {
                    // Inside a class a nested class keeps the union; outside it is the class.
                    out.push('[');
                    if neg {
                        out.push('^');
                    }
                    out.push_str(pos);
                    out.push(']');
                    continue;
                }
                match n {
                    'u' => {
                        let hex: String = chars.get(i..i + 4)?.iter().collect();
                        if !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                            return None;
                        }
                        out.push_str(&format!("\\u{{{hex}}}"));
                        i += 4;
                    }
                    'x' => {
                        let hex: String = chars.get(i..i + 2)?.iter().collect();
                        if !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                            return None;
                        }
                        out.push_str(&format!("\\x{hex}"));
                        i += 2;
                    }
                    't' | 'n' | 'r' | 'f' | 'v' => out.push_str(match n {
                        't' => r"\t",
                        'n' => r"\n",
                        'r' => r"\r",
                        'f' => r"\x0C",
                        _ => r"\x0B",
                    }),
                    '0' if !chars.get(i).is_some_and(char::is_ascii_digit) => out.push_str(r"\x00"),
                    // Syntax characters escape to themselves in both dialects.
                    '^' | '$' | '\\' | '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{'
                    | '}' | '|' | '-' => {
                        out.push('\\');
                        out.push(n);
                    }
                    '/' => out.push('/'),
                    // \b \B (word boundaries differ), back references, \c, \k, \p: ECMA engine.
                    _ => return None,
                }
                continue;
            }
            '[' if in_class => out.push_str(r"\["),
            '[' => {
                in_class = true;
                out.push('[');
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                // `[]` matches nothing and `[^]` anything in ECMA; regex rejects both.
                if chars.get(i + 1) == Some(&']') {
                    return None;
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '~' if in_class => {
                // `&&` and `~~` are set operators in `regex` classes, literals in ECMA.
                out.push('\\');
                out.push(c);
            }
            '-' if in_class && chars.get(i + 1) == Some(&'-') => out.push_str(r"\-"),
            '.' if !in_class => out.push_str(r"[^\n\r\u{2028}\u{2029}]"),
            '(' if !in_class && chars.get(i + 1) == Some(&'?') => {
                match chars.get(i + 2) {
                    Some(':') => out.push('('),
                    Some('<') if !matches!(chars.get(i + 3), Some('=' | '!')) => out.push('('),
                    // Lookaround: ECMA engine.
                    _ => return None,
                }
            }
            ' ' | '#' if !in_class => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    Some(out)
}

/// Compiles `source`: translated to `regex` where the meaning is kept, else by the ECMA engine.
pub fn compile(source: &str) -> Result<Compiled, PatternError> {
    if let Some(t) = translate(source) {
        if let Ok(r) = regex::Regex::new(&t) {
            return Ok(Compiled::Regex(r));
        }
    }
    match regress::Regex::with_flags(source, "u") {
        Ok(r) => Ok(Compiled::Ecma(r)),
        // Without the `u` flag ECMA accepts identity escapes such as `\_`.
        Err(first) => regress::Regex::with_flags(source, "")
            .map(Compiled::Ecma)
            .map_err(|_| PatternError {
                source: source.to_owned(),
                reason: first.to_string(),
            }),
    }
}

/// Compiles `source` with the ECMA engine only. Quick to build, where [`compile`] may build a
/// large automaton: for checking a few short strings (the generator checks examples with it).
/// Untrusted input goes through [`compile`], which runs in linear time where it can.
pub fn compile_ecma(source: &str) -> Result<Compiled, PatternError> {
    regress::Regex::with_flags(source, "u")
        .or_else(|_| regress::Regex::with_flags(source, ""))
        .map(Compiled::Ecma)
        .or_else(|_| compile(source))
}

/// A pattern in generated code: a `static` compiled once, on first use.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<Compiled>>,
}

impl Pattern {
    /// A pattern for `source`, compiled on first use.
    pub const fn new(source: &'static str) -> Pattern {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as written in the document.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether `s` contains a match. The generator only emits patterns that compile; should one
    /// not, every string is accepted rather than every request refused.
    pub fn is_match(&self, s: &str) -> bool {
        match self.compiled.get_or_init(|| compile(self.source).ok()) {
            Some(c) => c.is_match(s),
            None => true,
        }
    }
}

/// Something odd about a pattern that the generator reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternLint {
    /// Neither `^` at the start nor `$` at the end: any string that merely contains a match is
    /// accepted.
    Unanchored,
    /// No string can match.
    Unmatchable {
        /// Why.
        reason: String,
    },
}

/// Reports patterns that are unanchored or can match nothing (text after a final `$`).
pub fn lint(source: &str) -> Vec<PatternLint> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    // Scan top-level tokens: escapes, classes and groups are skipped as units.
    let mut depth = 0usize;
    let mut in_class = false;
    let mut i = 0;
    let mut end_anchor_at: Option<usize> = None;
    let mut after_anchor = String::new();
    let mut optional_after = false;
    while i < chars.len() {
        let c = chars[i];
        if let Some(_at) = end_anchor_at {
            if depth == 0 && !in_class && c == '|' {
                if !after_anchor.is_empty() && !optional_after {
                    break;
                }
                end_anchor_at = None;
                after_anchor.clear();
                optional_after = false;
                i += 1;
                continue;
            }
            if matches!(c, '?' | '*') || (c == '{' && chars.get(i + 1) == Some(&'0')) {
                optional_after = true;
            }
            if !matches!(c, '$' | ')' | '(') || depth > 0 {
                after_anchor.push(c);
            }
        }
        match c {
            '\\' => {
                i += 2;
                continue;
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => depth = depth.saturating_sub(1),
            '$' if !in_class && depth == 0 && end_anchor_at.is_none() => end_anchor_at = Some(i),
            _ => {}
        }
        i += 1;
    }
    if end_anchor_at.is_some() && !after_anchor.is_empty() && !optional_after {
        out.push(PatternLint::Unmatchable {
            reason: format!("{after_anchor:?} follows the end anchor `$`"),
        });
    }
    // Anchors may sit inside leading or trailing groups: `(^a$)`, `(?:^a)$`.
    let head = source.trim_start_matches('(').trim_start_matches("?:");
    let starts = head.trim_start_matches('(').starts_with('^');
    let tail = source.trim_end_matches(')');
    let ends = tail.ends_with('$') && !tail.ends_with("\\$");
    if !starts && !ends {
        out.push(PatternLint::Unanchored);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        compile(p).expect(p).is_match(s)
    }

    #[test]
    fn ofb_patterns_behave_as_in_ecma() {
        assert!(m(r"^\d{1,15}\.\d{2,4}$", "1500.50"));
        assert!(!m(r"^\d{1,15}\.\d{2,4}$", "1500.5"));
        assert!(m(r"[\w\W\s]*", ""));
        assert!(m(r"^[a-zA-Z0-9][a-zA-Z0-9\-]{0,99}$", "abc-123"));
        assert!(m(r"^(?!\s)[\w\W\s]*[^\s]$", "texto"));
        assert!(!m(r"^(?!\s)[\w\W\s]*[^\s]$", " texto"));
        assert_eq!(
            compile(r"^(?!\s)[\w\W\s]*[^\s]$").map(|c| c.engine()).ok(),
            Some("ecma")
        );
    }

    #[test]
    fn classes_are_ascii_and_dot_stops_at_line_terminators() {
        assert!(!m(r"^\d$", "٣"), "Arabic-Indic digits are not ECMA \\d");
        assert!(!m(r"^\w$", "é"));
        assert!(!m(r"^.$", "\r"));
        assert!(m(r"^\s$", "\u{FEFF}"));
        assert!(m(r"^[\d.]+$", "1.5"));
        assert!(m(r"^\u0041$", "A"));
        assert_eq!(compile(r"^\d+$").map(|c| c.engine()).ok(), Some("regex"));
    }

    #[test]
    fn lookaround_and_backreferences_use_the_ecma_engine() {
        assert_eq!(compile(r"^(a)\1$").map(|c| c.engine()).ok(), Some("ecma"));
        assert!(m(r"^(a)\1$", "aa"));
        assert!(compile("(").is_err());
    }

    #[test]
    fn both_engines_agree_on_ofb_patterns() {
        let cases = [
            (r"^\d{1,15}\.\d{2,4}$", "1500.50"),
            (r"^\d{1,15}\.\d{2,4}$", "1500.5"),
            (r"[\w\W\s]*", ""),
            (r"^[a-zA-Z0-9][a-zA-Z0-9\-]{0,99}$", "abc-123"),
            (r"^\d$", "٣"),
            (r"^.$", "\r"),
        ];
        for (p, s) in cases {
            let a = compile(p).unwrap().is_match(s);
            let b = compile_ecma(p).unwrap().is_match(s);
            assert_eq!(a, b, "{p} on {s:?}");
        }
    }

    #[test]
    fn lints() {
        assert_eq!(lint(r"^\d+$"), vec![]);
        assert_eq!(lint(r"\d+"), vec![PatternLint::Unanchored]);
        assert!(matches!(
            lint(r"^\d+$ ").as_slice(),
            [PatternLint::Unmatchable { .. }]
        ));
        assert_eq!(lint(r"^(a$|b$)"), vec![]);
        assert_eq!(lint(r"^a$|^b$"), vec![]);
        assert_eq!(lint(r"(^\d{4}Z$)"), vec![]);
    }

    #[test]
    fn a_static_pattern_compiles_once_and_never_panics() {
        static BAD: Pattern = Pattern::new("(");
        assert!(BAD.is_match("anything"));
        static P: Pattern = Pattern::new("^x$");
        assert!(P.is_match("x") && !P.is_match("y"));
    }
}
