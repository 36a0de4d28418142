//! ECMA-262 patterns, as OpenAPI `pattern` means them: a search (unanchored unless the pattern
//! anchors itself), with ASCII `\d` and `\w` and ECMA's own `\s` and `.`.
//!
//! Most patterns translate to the `regex` crate's syntax with the same meaning
//! ([`translate`]), and run in linear time. Lookaround and `\p` translate to `fancy-regex`
//! ([`translate_backtracking`]), a backtracking engine that stops after
//! [`BACKTRACK_LIMIT`] steps: a check that would take longer is refused, never run to its end.
//! What neither takes (back references, ECMA's lenient syntax) runs on `regress`, the ECMA
//! engine, which has no step limit: callers check the length first
//! ([`crate::check::string`]) so that it never sees an oversized input.
//! [`lint`] tells the generator about patterns that are unanchored or can match nothing.

mod lint;
mod translate;

pub use lint::{lint, PatternLint};
pub use translate::{translate, translate_backtracking};

use std::fmt;
use std::sync::OnceLock;

/// A compiled pattern.
#[derive(Debug, Clone)]
pub enum Compiled {
    /// Translated to the `regex` crate (linear time).
    Regex(regex::Regex),
    /// Translated to `fancy-regex` (backtracking, at most [`BACKTRACK_LIMIT`] steps).
    Backtracking(fancy_regex::Regex),
    /// Run by the ECMA backtracking engine.
    Ecma(regress::Regex),
}

/// The most backtracking steps one check of a lookaround pattern may take: a few
/// milliseconds of a worker. A check that needs more is refused.
pub const BACKTRACK_LIMIT: usize = 200_000;

/// A check given up at [`BACKTRACK_LIMIT`] steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exhausted;

impl Compiled {
    /// Whether `s` contains a match; a check given up at the step limit counts as no match
    /// (see [`Compiled::check`]).
    pub fn is_match(&self, s: &str) -> bool {
        self.check(s).unwrap_or(false)
    }

    /// Whether `s` contains a match, or [`Exhausted`] where the backtracking engine gave up.
    pub fn check(&self, s: &str) -> Result<bool, Exhausted> {
        match self {
            Compiled::Regex(r) => Ok(r.is_match(s)),
            Compiled::Backtracking(r) => r.is_match(s).map_err(|_| Exhausted),
            Compiled::Ecma(r) => Ok(r.find(s).is_some()),
        }
    }

    /// Which engine runs it: `"regex"`, `"backtracking"` (step-limited) or `"ecma"`.
    pub fn engine(&self) -> &'static str {
        match self {
            Compiled::Regex(_) => "regex",
            Compiled::Backtracking(_) => "backtracking",
            Compiled::Ecma(_) => "ecma",
        }
    }
}

/// Why a pattern cannot be compiled by either engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// The pattern.
    pub source: String,
    /// What the ECMA engine said: this is the reason that counts, the pattern being ECMA-262.
    pub reason: String,
    /// Why the `regex` crate could not take it either (it is tried first).
    pub regex_reason: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a valid ECMA-262 regular expression: {} (the regex crate cannot take it either: {})",
            self.source, self.reason, self.regex_reason
        )
    }
}

impl std::error::Error for PatternError {}

/// What `regex` says, on one line: its syntax errors draw the pattern with a caret over
/// several lines, and the line starting `error:` is the reason.
fn one_line(e: &regex::Error) -> String {
    let text = e.to_string();
    match text.lines().find_map(|l| l.trim().strip_prefix("error: ")) {
        Some(reason) => reason.to_owned(),
        None => text.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// Compiles `source` with the ECMA engine: with the `u` flag first (JSON Schema's reading),
/// then without it, which also accepts identity escapes such as `\_` that older documents use.
fn ecma(source: &str) -> Result<regress::Regex, String> {
    regress::Regex::with_flags(source, "u")
        .or_else(|first| regress::Regex::with_flags(source, "").map_err(|_| first.to_string()))
}

/// Compiles `source`: translated to `regex` where the meaning is kept, else by the ECMA engine.
pub fn compile(source: &str) -> Result<Compiled, PatternError> {
    let regex_reason = match translate(source) {
        Some(t) => match regex::Regex::new(&t) {
            Ok(r) => return Ok(Compiled::Regex(r)),
            Err(e) => one_line(&e),
        },
        None => String::from(
            "it uses syntax whose meaning the regex crate does not share (lookaround, back references, \\p, letter escapes or literal braces)",
        ),
    };
    // Checked by the ECMA engine first: `fancy-regex` accepts some syntax ECMA refuses.
    let reason = match ecma(source) {
        Ok(r) => {
            let limited = translate_backtracking(source).and_then(|t| {
                fancy_regex::RegexBuilder::new(&t)
                    .backtrack_limit(BACKTRACK_LIMIT)
                    .build()
                    .ok()
            });
            return Ok(limited.map_or(Compiled::Ecma(r), Compiled::Backtracking));
        }
        Err(reason) => reason,
    };
    Err(PatternError {
        source: source.to_owned(),
        reason,
        regex_reason,
    })
}

/// Compiles `source` with the ECMA engine only. Quick to build, where [`compile`] may build a
/// large automaton: for checking a few short strings (the generator checks examples with it).
/// Untrusted input goes through [`compile`], which runs in linear time where it can.
pub fn compile_ecma(source: &str) -> Result<Compiled, PatternError> {
    ecma(source)
        .map(Compiled::Ecma)
        .or_else(|_| compile(source))
}

/// A pattern in generated code: `static P: Pattern = Pattern::new("^\\d{3}$");`, compiled
/// once, on first use, by [`compile`].
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

    /// The compiled pattern, or `None` when neither engine accepts it.
    pub fn compiled(&self) -> Option<&Compiled> {
        self.compiled
            .get_or_init(|| compile(self.source).ok())
            .as_ref()
    }

    /// Whether `s` contains a match.
    ///
    /// The generator only emits patterns that compile. Should one not, every string is
    /// accepted: a server would otherwise refuse every request for a mistake in its own
    /// document, and a panic here would take the request (or the process) down with it.
    pub fn is_match(&self, s: &str) -> bool {
        self.compiled().is_none_or(|c| c.is_match(s))
    }

    /// Like [`Pattern::is_match`], telling a check given up at the step limit apart.
    pub fn check(&self, s: &str) -> Result<bool, Exhausted> {
        self.compiled().map_or(Ok(true), |c| c.check(s))
    }
}

#[cfg(test)]
mod tests;
