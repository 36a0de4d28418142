//! ECMA-262 pattern syntax rewritten in the `regex` crate's syntax, where the meaning is the
//! same, so that most patterns run in linear time.
//!
//! The differences that matter: ECMA's `\d` and `\w` are ASCII where `regex` is Unicode by
//! default; ECMA's `\s` is its own list (WhiteSpace and LineTerminator); ECMA's `.` stops only
//! at the four line terminators; `[` inside a class, `&&`, `~~` and `--` are literals in ECMA
//! but set syntax in `regex`. Everything whose meaning could differ (lookaround,
//! backreferences, `\p`, letter escapes, ECMA's lenient literal braces) is refused, and the
//! caller runs the pattern on the ECMA engine instead. Whether a string contains a match is a
//! property of the language a pattern denotes, so two engines agree on every pattern whose
//! constructs denote the same language.

/// ECMA `\s`: WhiteSpace (tab, vertical tab, form feed, space, no-break space, byte order
/// mark, the Unicode `Zs` category) and LineTerminator (LF, CR, U+2028, U+2029).
const SPACE: &str = r"\t\n\x0B\x0C\r \u{A0}\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}";
/// ECMA `\w`.
const WORD: &str = "0-9A-Za-z_";
/// ECMA `\d`.
const DIGIT: &str = "0-9";
/// ECMA `.` without the `s` flag: anything but a LineTerminator.
const DOT: &str = r"[^\n\r\u{2028}\u{2029}]";

/// Translates ECMA syntax to `regex` syntax with the same meaning, or `None` where the meaning
/// cannot be kept (or the pattern is malformed: the ECMA engine then says why).
pub fn translate(src: &str) -> Option<String> {
    run(src, false)
}

/// Like [`translate`], for `fancy-regex` (a backtracking engine with a step limit): lookahead,
/// lookbehind and Unicode properties (`\p{..}`, as ECMA's `u` flag reads them) are kept too,
/// with the meaning both dialects give them. Back references still are not: ECMA matches a
/// reference to a group that did not take part as empty, where `fancy-regex` fails.
pub fn translate_backtracking(src: &str) -> Option<String> {
    run(src, true)
}

fn run(src: &str, lookaround: bool) -> Option<String> {
    let chars: Vec<char> = src.chars().collect();
    let mut t = Translator {
        chars: &chars,
        i: 0,
        out: String::with_capacity(src.len() + 16),
        lookaround,
    };
    t.run()?;
    Some(t.out)
}

struct Translator<'a> {
    chars: &'a [char],
    i: usize,
    out: String,
    /// Whether lookaround and `\p` may be kept (the backtracking target).
    lookaround: bool,
}

/// What came just before, which decides whether a quantifier may follow.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// The start of the pattern, a group or an alternative.
    Nothing,
    /// Something a quantifier may apply to.
    Atom,
    /// An assertion (`^`, `$`, `\b`, `\B`), which ECMA does not let a quantifier apply to.
    Assertion,
    /// A quantifier, which may be made lazy once.
    Quantifier,
    /// A lazy quantifier.
    Lazy,
}

impl Translator<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.i += 1;
        Some(c)
    }

    /// Pushes `c` as a literal, escaped where `regex` gives it a meaning.
    fn literal(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.out.push_str(&regex::escape(c.encode_utf8(&mut buf)));
    }

    fn run(&mut self) -> Option<()> {
        let mut prev = Prev::Nothing;
        while let Some(c) = self.bump() {
            prev = match c {
                '\\' => self.escape(false)?,
                '[' => {
                    self.class()?;
                    Prev::Atom
                }
                '.' => {
                    self.out.push_str(DOT);
                    Prev::Atom
                }
                '(' => {
                    self.group()?;
                    Prev::Nothing
                }
                '|' => {
                    self.out.push(c);
                    Prev::Nothing
                }
                '^' | '$' => {
                    self.out.push(c);
                    Prev::Assertion
                }
                // `regex` accepts some quantifiers ECMA refuses (`a**`, `^*`): those go to the
                // ECMA engine, which reports them.
                '*' | '+' | '?' | '{' => {
                    let next = match (prev, c) {
                        (Prev::Atom, _) => Prev::Quantifier,
                        (Prev::Quantifier, '?') => Prev::Lazy,
                        _ => return None,
                    };
                    if c == '{' {
                        self.braces()?;
                    } else {
                        self.out.push(c);
                    }
                    next
                }
                // Unbalanced closers are literals in ECMA (without the `u` flag).
                '}' | ']' => {
                    self.literal(c);
                    Prev::Atom
                }
                _ => {
                    self.out.push(c);
                    Prev::Atom
                }
            };
        }
        Some(())
    }

    /// After `(`: plain, non-capturing and named groups keep their syntax; lookaround and
    /// anything else go to the ECMA engine.
    fn group(&mut self) -> Option<()> {
        if self.peek(0) != Some('?') {
            self.out.push('(');
            return Some(());
        }
        match self.peek(1) {
            Some(':') => {
                self.out.push_str("(?:");
                self.i += 2;
            }
            Some('=' | '!') if self.lookaround => {
                self.out.push_str("(?");
                self.out.push(self.peek(1)?);
                self.i += 2;
            }
            Some('<') if self.lookaround && matches!(self.peek(2), Some('=' | '!')) => {
                self.out.push_str("(?<");
                self.out.push(self.peek(2)?);
                self.i += 3;
            }
            // `(?<name>`, with a name both dialects accept.
            Some('<') => {
                self.i += 2;
                self.out.push_str("(?<");
                let first = self
                    .bump()
                    .filter(|c| c.is_ascii_alphabetic() || *c == '_')?;
                self.out.push(first);
                loop {
                    match self.bump()? {
                        '>' => break,
                        c if c.is_ascii_alphanumeric() || c == '_' => self.out.push(c),
                        _ => return None,
                    }
                }
                self.out.push('>');
            }
            _ => return None,
        }
        Some(())
    }

    /// After `{` outside a class: a well-formed quantifier (`{n}`, `{n,}`, `{n,m}`) means the
    /// same in both; ECMA reads any other brace as a literal where `regex` would not (`{,5}`).
    fn braces(&mut self) -> Option<()> {
        let start = self.i;
        let mut j = start;
        let digits = |j: &mut usize| {
            let from = *j;
            while self.chars.get(*j).is_some_and(char::is_ascii_digit) {
                *j += 1;
            }
            *j > from
        };
        if !digits(&mut j) {
            return None;
        }
        if self.chars.get(j) == Some(&',') {
            j += 1;
            digits(&mut j);
        }
        if self.chars.get(j) != Some(&'}') {
            return None;
        }
        self.out.push('{');
        self.out.extend(self.chars.get(start..=j)?);
        self.i = j + 1;
        Some(())
    }

    /// After `[`: a class, with ECMA's literals escaped for `regex`.
    fn class(&mut self) -> Option<()> {
        self.out.push('[');
        if self.peek(0) == Some('^') {
            self.out.push('^');
            self.i += 1;
        }
        // `[]` matches nothing and `[^]` anything in ECMA; `regex` reads `]` there as a
        // literal.
        if self.peek(0) == Some(']') {
            return None;
        }
        loop {
            match self.bump()? {
                ']' => break,
                '\\' => {
                    // A range next to a class escape (`[a-\d]`, `[\w-z]`) is a literal hyphen
                    // in ECMA and an error or a range in `regex`: the ECMA engine decides.
                    let set = self.peek(0).is_some_and(|c| "dDwWsS".contains(c));
                    let after = (self.peek(1), self.peek(2));
                    if set
                        && (self.i >= 2 && self.chars.get(self.i - 2) == Some(&'-')
                            || matches!(after, (Some('-'), Some(c)) if c != ']'))
                    {
                        return None;
                    }
                    self.escape(true)?;
                }
                // Nested classes and set operators in `regex`; literals in ECMA.
                c @ ('[' | '&' | '~') => self.literal(c),
                // `--` is set difference in `regex` and a range ending or starting at `-` in
                // ECMA (`[!--]`).
                '-' if self.peek(0) == Some('-') => return None,
                c => self.out.push(c),
            }
        }
        self.out.push(']');
        Some(())
    }

    fn hex(&mut self, n: usize) -> Option<u32> {
        let digits: String = self.chars.get(self.i..self.i + n)?.iter().collect();
        let value = u32::from_str_radix(&digits, 16).ok()?;
        // from_str_radix accepts a leading `+`.
        if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.i += n;
        Some(value)
    }

    /// After `\`, inside a class or not: what was pushed, an atom or an assertion.
    fn escape(&mut self, in_class: bool) -> Option<Prev> {
        let n = self.bump()?;
        let set = match n {
            'd' | 'D' => Some(DIGIT),
            'w' | 'W' => Some(WORD),
            's' | 'S' => Some(SPACE),
            _ => None,
        };
        if let Some(set) = set {
            // Inside a class this nests, and `regex` takes the union, as ECMA does.
            self.out.push('[');
            if n.is_ascii_uppercase() {
                self.out.push('^');
            }
            self.out.push_str(set);
            self.out.push(']');
            return Some(Prev::Atom);
        }
        match n {
            // ECMA's word boundary is ASCII, like its `\w`.
            'b' if in_class => self.out.push_str(r"\x08"),
            'b' if !in_class => {
                self.out.push_str(r"(?-u:\b)");
                return Some(Prev::Assertion);
            }
            't' => self.out.push_str(r"\t"),
            'n' => self.out.push_str(r"\n"),
            'r' => self.out.push_str(r"\r"),
            'f' => self.out.push_str(r"\x0C"),
            'v' => self.out.push_str(r"\x0B"),
            '0' if !self.peek(0).is_some_and(|c| c.is_ascii_digit()) => {
                self.out.push_str(r"\x00");
            }
            // `\uD83D` alone is a lone surrogate, which `regex` refuses: the ECMA engine
            // takes the pair.
            'u' => {
                let v = self.hex(4)?;
                self.out.push_str(&format!(r"\x{{{v:X}}}"));
            }
            'x' => {
                let v = self.hex(2)?;
                self.out.push_str(&format!(r"\x{{{v:X}}}"));
            }
            'c' => {
                let letter = self.bump().filter(char::is_ascii_alphabetic)?;
                self.out
                    .push_str(&format!(r"\x{{{:X}}}", u32::from(letter) % 32));
            }
            // Back references, `\k`, `\p`, letter escapes (which mean different things with
            // and without ECMA's `u` flag) and `\B` (`regex` can miss matches of an ASCII `\B`
            // pattern in non-ASCII text): the ECMA engine.
            'p' | 'P' if self.lookaround && self.peek(0) == Some('{') => {
                self.out.push('\\');
                self.out.push(n);
                loop {
                    let c = self.bump()?;
                    if !(c.is_ascii_alphanumeric() || matches!(c, '{' | '}' | '_' | '=')) {
                        return None;
                    }
                    self.out.push(c);
                    if c == '}' {
                        break;
                    }
                }
            }
            c if c.is_ascii_alphanumeric() => return None,
            // Identity escapes: `\.`, `\/`, `\-`, `\@`...
            c => self.literal(c),
        }
        Some(Prev::Atom)
    }
}

#[cfg(test)]
mod tests {
    use super::{translate, translate_backtracking};

    #[test]
    fn shorthand_classes_become_ascii_and_ecma_sets() {
        assert_eq!(translate(r"^\d+$").as_deref(), Some("^[0-9]+$"));
        assert_eq!(
            translate(r"[\w\W]").as_deref(),
            Some("[[0-9A-Za-z_][^0-9A-Za-z_]]")
        );
        assert_eq!(
            translate(r"a.b").as_deref(),
            Some(r"a[^\n\r\u{2028}\u{2029}]b")
        );
        assert_eq!(translate(r"[.]").as_deref(), Some("[.]"));
    }

    #[test]
    fn escapes_keep_their_meaning() {
        assert_eq!(
            translate(r"\u00e9\x41\/\-\.").as_deref(),
            Some(r"\x{E9}\x{41}/\-\.")
        );
        assert_eq!(translate(r"\cJ\0").as_deref(), Some(r"\x{A}\x00"));
        assert_eq!(translate(r"[\b]").as_deref(), Some(r"[\x08]"));
        assert_eq!(translate(r"[a&&b~~[]").as_deref(), Some(r"[a\&\&b\~\~\[]"));
        assert_eq!(
            translate(r"[\w\W-]").as_deref(),
            Some(r"[[0-9A-Za-z_][^0-9A-Za-z_]-]")
        );
        assert_eq!(
            translate(r"a{2,}b{1,3}c{4}").as_deref(),
            Some("a{2,}b{1,3}c{4}")
        );
        assert_eq!(translate(r"\@").as_deref(), Some("@"));
        assert_eq!(translate(r"\u+041").as_deref(), None);
    }

    #[test]
    fn what_cannot_be_kept_is_refused() {
        for p in [
            r"(?=a)",
            r"(?!a)",
            r"(?<=a)",
            r"(?<!a)",
            r"(a)\1",
            r"(?<n>a)\k<n>",
            r"\p{L}",
            r"\a",
            r"a{,5}",
            r"a{",
            r"[]",
            r"[^]",
            r"[a",
            r"\",
            r"\u12",
            r"\xZ1",
            r"\c1",
            r"(?i)a",
            r"[\B]",
            r"a\Bb",
            r"[!--]",
            r"[a-\d]",
            r"[\w-z]",
            r"a**",
            r"a+*",
            r"^*",
            r"*a",
            r"(*)",
            r"a|*",
            r"\b+",
            r"a??+",
            r"(?<1>a)",
            r"(?<a-b>a)",
        ] {
            assert_eq!(translate(p), None, "{p}");
        }
        assert_eq!(translate(r"(?<n_1>a)").as_deref(), Some("(?<n_1>a)"));
        assert_eq!(
            translate(r"a*?b+?c??d{2}?").as_deref(),
            Some("a*?b+?c??d{2}?")
        );
        assert_eq!(translate("").as_deref(), Some(""));
    }

    #[test]
    fn the_backtracking_target_keeps_lookaround_and_properties_only() {
        for (ecma, fancy) in [
            (r"^(?=\d)\w+$", r"^(?=[0-9])[0-9A-Za-z_]+$"),
            (r"(?!a)b", r"(?!a)b"),
            (r"(?<=a)b(?<!c)", r"(?<=a)b(?<!c)"),
            (r"\p{L}+\P{Lu}", r"\p{L}+\P{Lu}"),
            (r"\p{Script=Latin}", r"\p{Script=Latin}"),
            (r"(?<n>a)", r"(?<n>a)"),
        ] {
            assert_eq!(
                translate_backtracking(ecma).as_deref(),
                Some(fancy),
                "{ecma}"
            );
        }
        for refused in [r"(a)\1", r"(?<n>a)\k<n>", r"\p", r"\p{L", r"\p{L-}", r"\a"] {
            assert_eq!(translate_backtracking(refused), None, "{refused}");
        }
        assert_eq!(
            translate(r"(?=a)"),
            None,
            "the linear target still refuses lookaround"
        );
    }
}
