//! Warnings about patterns, for the generator: patterns that do not anchor themselves, and
//! patterns no string can match (text after the end anchor `$`, a mistake several published
//! documents make with a trailing space).
//!
//! A small parser reads the pattern into alternatives of items (escapes, classes and groups
//! each one item, with their quantifier), which is all the two questions need. It never fails:
//! malformed syntax is read leniently, since compiling the pattern reports it anyway.

/// Something odd about a pattern that the generator reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternLint {
    /// Neither `^` at the start nor `$` at the end: JSON Schema then accepts any string that
    /// merely contains a match, which is rarely what the author meant.
    Unanchored,
    /// No string can match.
    Unmatchable {
        /// Why, quoting the offending text.
        reason: String,
    },
}

/// Reports a pattern that can match nothing, then one that is unanchored. Anchored, matchable
/// patterns get an empty list.
pub fn lint(source: &str) -> Vec<PatternLint> {
    let chars: Vec<char> = source.chars().collect();
    let mut parser = Parser {
        chars: &chars,
        i: 0,
    };
    let top = parser.alternatives(0);
    let mut out = Vec::new();
    if let Some(reason) = dead(&top, &chars) {
        out.push(PatternLint::Unmatchable { reason });
    }
    if !starts_anchored(&top) && !ends_anchored(&top) {
        out.push(PatternLint::Unanchored);
    }
    out
}

/// Groups nested deeper than this are read as opaque, so a hostile pattern cannot exhaust the
/// stack.
const MAX_DEPTH: usize = 64;

/// One alternative: items in order, and where it ends in the pattern.
struct Seq {
    items: Vec<Item>,
    end: usize,
}

/// An atom with its quantifier.
struct Item {
    kind: Kind,
    /// The quantifier allows zero repetitions (`?`, `*`, `{0,n}`).
    optional: bool,
    /// Just after the item and its quantifier, as an index into the pattern's chars.
    end: usize,
}

enum Kind {
    /// `^`.
    Start,
    /// `$`.
    End,
    /// Matches one character (a literal, `.`, a class, an escape).
    Char,
    /// Matches no character, or maybe none: `\b`, back references, lookaround, stray
    /// quantifiers, groups too deep to read.
    Empty,
    /// A capturing or non-capturing group.
    Group(Vec<Seq>),
}

struct Parser<'a> {
    chars: &'a [char],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn alternatives(&mut self, depth: usize) -> Vec<Seq> {
        let mut alts = vec![self.sequence(depth)];
        while self.eat('|') {
            alts.push(self.sequence(depth));
        }
        alts
    }

    fn sequence(&mut self, depth: usize) -> Seq {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                '|' => break,
                ')' if depth > 0 => break,
                // An unbalanced `)` at the top: the compiler reports it.
                ')' => self.i += 1,
                _ => {
                    let kind = self.atom(depth);
                    let optional = self.quantifier();
                    items.push(Item {
                        kind,
                        optional,
                        end: self.i,
                    });
                }
            }
        }
        Seq { items, end: self.i }
    }

    fn atom(&mut self, depth: usize) -> Kind {
        let Some(c) = self.peek() else {
            return Kind::Empty;
        };
        self.i += 1;
        match c {
            '^' => Kind::Start,
            '$' => Kind::End,
            '\\' => self.escape(),
            '[' => {
                self.skip_class();
                Kind::Char
            }
            '(' => self.group(depth),
            '*' | '+' | '?' => Kind::Empty,
            _ => Kind::Char,
        }
    }

    /// After `\`.
    fn escape(&mut self) -> Kind {
        let Some(n) = self.peek() else {
            return Kind::Empty;
        };
        self.i += 1;
        match n {
            'b' | 'B' => Kind::Empty,
            // A back reference can match the empty string.
            '1'..='9' => {
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.i += 1;
                }
                Kind::Empty
            }
            'k' if self.peek() == Some('<') => {
                self.skip_past('>');
                Kind::Empty
            }
            'u' | 'p' | 'P' if self.peek() == Some('{') => {
                self.skip_past('}');
                Kind::Char
            }
            'u' => {
                self.skip_hex(4);
                Kind::Char
            }
            'x' => {
                self.skip_hex(2);
                Kind::Char
            }
            'c' => {
                if self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.i += 1;
                }
                Kind::Char
            }
            _ => Kind::Char,
        }
    }

    fn skip_hex(&mut self, n: usize) {
        for _ in 0..n {
            if !self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                return;
            }
            self.i += 1;
        }
    }

    fn skip_past(&mut self, end: char) {
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == end {
                return;
            }
        }
    }

    /// After `[`: to just after the closing `]` (an immediate `]` closes the class, as in
    /// ECMA).
    fn skip_class(&mut self) {
        self.eat('^');
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                ']' => return,
                '\\' => self.i += 1,
                _ => {}
            }
        }
    }

    /// After `(`.
    fn group(&mut self, depth: usize) -> Kind {
        let mut lookaround = false;
        if self.eat('?') {
            match self.peek() {
                Some('=' | '!') => {
                    lookaround = true;
                    self.i += 1;
                }
                Some('<') => {
                    self.i += 1;
                    if matches!(self.peek(), Some('=' | '!')) {
                        lookaround = true;
                        self.i += 1;
                    } else {
                        self.skip_past('>');
                    }
                }
                Some(':') => self.i += 1,
                _ => {}
            }
        }
        if depth >= MAX_DEPTH {
            self.skip_group();
            return Kind::Empty;
        }
        let alts = self.alternatives(depth + 1);
        self.eat(')');
        if lookaround {
            Kind::Empty
        } else {
            Kind::Group(alts)
        }
    }

    /// To just after the `)` that closes the current group, without reading what is inside.
    fn skip_group(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                '\\' => self.i += 1,
                '[' => self.skip_class(),
                '(' => depth += 1,
                ')' if depth == 0 => return,
                ')' => depth -= 1,
                _ => {}
            }
        }
    }

    /// Reads a quantifier if there is one; `true` when it allows zero repetitions.
    fn quantifier(&mut self) -> bool {
        let optional = match self.peek() {
            Some('*' | '?') => {
                self.i += 1;
                true
            }
            Some('+') => {
                self.i += 1;
                false
            }
            Some('{') => match self.braces() {
                Some((min, end)) => {
                    self.i = end;
                    min == 0
                }
                // A brace that is not a quantifier is a literal, read as the next atom.
                None => return false,
            },
            _ => return false,
        };
        // Lazy.
        self.eat('?');
        optional
    }

    /// A well-formed `{n}`, `{n,}` or `{n,m}` at the current position: `n` and the index just
    /// after `}`.
    fn braces(&self) -> Option<(u64, usize)> {
        let mut j = self.i + 1;
        let digits = |j: &mut usize| {
            let from = *j;
            while self.chars.get(*j).is_some_and(|c| c.is_ascii_digit()) {
                *j += 1;
            }
            let text: String = self.chars.get(from..*j)?.iter().collect();
            // A count too large for u64 is still not zero.
            Some(text.parse::<u64>().unwrap_or(u64::MAX)).filter(|_| *j > from)
        };
        let min = digits(&mut j)?;
        if self.chars.get(j) == Some(&',') {
            j += 1;
            digits(&mut j);
        }
        (self.chars.get(j) == Some(&'}')).then_some((min, j + 1))
    }
}

/// Whether the item always matches at least one character.
fn consumes(item: &Item) -> bool {
    !item.optional
        && match &item.kind {
            Kind::Char => true,
            Kind::Group(alts) => alts.iter().all(|s| s.items.iter().any(consumes)),
            _ => false,
        }
}

/// Whether the input always ends right after the item: `$`, or a group each of whose
/// alternatives holds such an item.
fn reaches_end(item: &Item) -> bool {
    !item.optional
        && match &item.kind {
            Kind::End => true,
            Kind::Group(alts) => alts.iter().all(|s| s.items.iter().any(reaches_end)),
            _ => false,
        }
}

/// Why no string can match any of `alts`, or `None` when one can (as far as this reads).
fn dead(alts: &[Seq], chars: &[char]) -> Option<String> {
    let mut first = None;
    for seq in alts {
        let reason = dead_seq(seq, chars)?;
        first.get_or_insert(reason);
    }
    first
}

fn dead_seq(seq: &Seq, chars: &[char]) -> Option<String> {
    let mut ended_at: Option<usize> = None;
    for item in &seq.items {
        if let (Kind::Group(alts), false) = (&item.kind, item.optional) {
            if let Some(reason) = dead(alts, chars) {
                return Some(reason);
            }
        }
        match ended_at {
            Some(at) if consumes(item) => {
                let after: String = chars.get(at..seq.end).unwrap_or_default().iter().collect();
                return Some(format!("{after:?} follows the end anchor `$`"));
            }
            None if reaches_end(item) => ended_at = Some(item.end),
            _ => {}
        }
    }
    None
}

fn starts_anchored(alts: &[Seq]) -> bool {
    alts.first()
        .and_then(|s| s.items.first())
        .is_some_and(|item| match &item.kind {
            Kind::Start => true,
            Kind::Group(inner) => !item.optional && starts_anchored(inner),
            _ => false,
        })
}

fn ends_anchored(alts: &[Seq]) -> bool {
    alts.last()
        .and_then(|s| s.items.last())
        .is_some_and(|item| match &item.kind {
            Kind::End => !item.optional,
            Kind::Group(inner) => !item.optional && ends_anchored(inner),
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unmatchable(p: &str) -> Option<String> {
        lint(p).into_iter().find_map(|l| match l {
            PatternLint::Unmatchable { reason } => Some(reason),
            PatternLint::Unanchored => None,
        })
    }

    fn unanchored(p: &str) -> bool {
        lint(p).contains(&PatternLint::Unanchored)
    }

    #[test]
    fn anchored_patterns_are_quiet() {
        for p in [
            r"^\d+$",
            r"^(a$|b$)",
            r"^a$|^b$",
            r"(^\d{4}Z$)",
            r"(?:^a)$",
            r"\d{14}$",
            r"^(?!\s)[\w\W\s]*[^\s]$",
            r"^urn:[a-zA-Z0-9][a-zA-Z0-9-]{0,31}:[a-zA-Z0-9()+,\-.:=@;$_!*'%\/?#]+$",
            r"^[^\s](.*[^\s])?$",
            r"^\d{11}$|^\d{14}$",
            r"^a$\b",
            r"^a$(?=)",
            r"^a$$",
            r"^a$ ?",
            r"^a$ *",
            r"^a$ {0,2}",
            r"^a$(b)?",
            r"^a$(b|)",
        ] {
            assert_eq!(lint(p), vec![], "{p}");
        }
    }

    #[test]
    fn unanchored_patterns_are_reported() {
        for p in [
            "",
            r"\d+",
            r"[\w\W\s]*",
            r"a\$",
            r"(a)",
            "a$?",
            r"[$]",
            r"(?=^)a",
        ] {
            assert!(unanchored(p), "{p}");
        }
        assert!(!unanchored(r"^a"));
        assert!(!unanchored(r"a$"));
        assert!(!unanchored(r"((^a))"));
    }

    #[test]
    fn text_after_the_end_anchor_is_unmatchable() {
        assert_eq!(
            unmatchable(r"^\d+$ ").as_deref(),
            Some(r#"" " follows the end anchor `$`"#)
        );
        assert!(unmatchable(r"^\d{1,15}\.\d{2,8}$ ").is_some());
        assert!(unmatchable(r"^a$b+").is_some());
        assert!(unmatchable(r"^a$[x]").is_some());
        assert!(unmatchable(r"^a$\d").is_some());
        assert!(unmatchable(r"^a$(b|c)").is_some());
        assert!(unmatchable(r"(^a$) ").is_some());
        assert!(unmatchable(r"(^a$ )").is_some());
        assert!(unmatchable(r"^a$ |^b$ ").is_some());
        assert!(unmatchable(r"^a$x{2}").is_some());
        // One alternative still matches.
        assert!(unmatchable(r"^a$ |^b$").is_none());
        assert!(unmatchable(r"^(a$ )?b").is_none());
        // Inside a class or escaped, `$` is a literal.
        assert!(unmatchable(r"^[$] $").is_none());
        assert!(unmatchable(r"^\$ $").is_none());
    }

    #[test]
    fn hostile_patterns_are_read_without_failing() {
        let deep = format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(unanchored(&deep));
        let deep_end = format!("{}$ ", "(".repeat(10_000));
        let _ = lint(&deep_end);
        for p in [
            "\\",
            "(",
            ")",
            "[",
            "[^",
            "(?",
            "(?<",
            "\\u",
            "\\k<",
            "a{",
            "a{99999999999999999999}",
            "a{1,",
            "é$ç",
            "$",
            "^",
            "|",
            "||",
            "*",
            "(?<=$) ",
            "\\p{",
        ] {
            let _ = lint(p);
        }
        assert!(unmatchable("$a{99999999999999999999}").is_some());
        assert!(unmatchable("$a{0}").is_none());
    }
}
