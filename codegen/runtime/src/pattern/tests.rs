//! Tests of pattern compilation: OFB patterns behave as in ECMA, and wherever a pattern is
//! translated for the `regex` crate both engines agree on a set of awkward inputs.

use super::*;

fn m(p: &str, s: &str) -> bool {
    compile(p).expect(p).is_match(s)
}

fn engine(p: &str) -> Option<&'static str> {
    compile(p).map(|c| c.engine()).ok()
}

/// Every distinct pattern of the published documents, and some of our own.
const PATTERNS: &[&str] = &[
    r"(^(\d{4})-(1[0-2]|0?[1-9])-(3[01]|[12][0-9]|0?[1-9])T(?:[01]\d|2[0123]):(?:[012345]\d):(?:[012345]\d)Z$)",
    r"[\w\W-]*",
    r"[\w\W\s]*",
    r"[\w\W\s]+",
    r"[^\s][\w\W\s][^\s]*",
    r"\d{1,15}\.\d{1,15}$",
    r"^(?!\s)[\w\W\s]*[^\s]$",
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (GMT|UTC)$",
    r"^([A-Z]{3})$",
    r"^(\w{3}){1}$",
    r"^(https:\/\/)?(www\.)?[-a-zA-Z0-9@:%._\+~#=]{2,256}\.[a-z]{2,6}\b([-a-zA-Z0-9@:%_\+.~#?&\/\/=]*)$",
    r"^-?\d{1,15}\.\d{2,4}$",
    r"^[\w\W]{1,100}$",
    r"^[^\s](.*[^\s])?$",
    r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,99}$",
    r"^[a-zA-Z0-9][a-zA-Z0-9\-]{0,99}$",
    r"^\S[\s\S]*$",
    r"^\d{11}$|^\d{14}$",
    r"^urn:[a-zA-Z0-9][a-zA-Z0-9-]{0,31}:[a-zA-Z0-9()+,\-.:=@;$_!*'%\/?#]+$",
    r"^(localID:)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    r"^.$",
    r"^.+$",
    r"^[.]$",
    r"^\s$",
    r"^\S$",
    r"^[^\s]$",
    r"^[^\S]$",
    r"^[^\w\s]$",
    r"^\w+$",
    r"^\W$",
    r"^[\d.]+$",
    r"^\u0041\x42\cJ?$",
    r"\bword\b",
    r"^a\Bb$",
    r"^[\b]$",
    r"^\/\-\.\@\_$",
    r"^[&~]+$",
    r"^[\[\]]$",
    r"^[[]$",
    r"^a]$",
    r"^a}$",
    r"^\0$",
    r"^[\u00e0-\u00ff]$",
    r"^(?<year>\d{4})$",
    r"a|",
    r"^\d{2,}$",
    r"(?:)",
];

/// Inputs that tell the engines' readings apart.
const INPUTS: &[&str] = &[
    "",
    " ",
    "a",
    "A",
    "_",
    "é",
    "ab",
    "a b",
    "word",
    "words",
    "a word",
    "aword",
    "1",
    "1500.50",
    "-1500.5",
    "٣",
    "０",
    "\r",
    "\n",
    "\t",
    "\u{0B}",
    "\u{0C}",
    "\u{08}",
    "\u{85}",
    "\u{A0}",
    "\u{1680}",
    "\u{180E}",
    "\u{2007}",
    "\u{2028}",
    "\u{2029}",
    "\u{200B}",
    "\u{FEFF}",
    "\u{3000}",
    "\0",
    "🦀",
    "texto ",
    " texto",
    "texto",
    "ABC",
    "abc",
    "2021-05-21T08:30:00Z",
    "Mon, 01 Jan 2024 10:00:00 GMT",
    "https://www.banco.com.br/x?y=1",
    "urn:banco:C1DD33123",
    "d78fc4e5-37ca-4da3-adf2-9b082bf92280",
    "localID:d78fc4e5-37ca-4da3-adf2-9b082bf92280",
    "AB\nC",
    "/-.@_",
    "&~",
    "[",
    "]",
    "a]",
    "a}",
    "AB",
    "ABJ",
    "AB\n",
    "à",
    "2024",
    "\u{0}",
];

#[test]
fn both_engines_agree_wherever_a_pattern_is_translated() {
    let mut translated = 0;
    for p in PATTERNS {
        let Ok(Compiled::Regex(r)) = compile(p) else {
            continue;
        };
        translated += 1;
        let e = ecma(p).unwrap_or_else(|e| panic!("{p}: {e}"));
        for s in INPUTS {
            assert_eq!(
                r.is_match(s),
                e.find(s).is_some(),
                "{p} on {s:?} (translated to {:?})",
                translate(p)
            );
        }
    }
    assert!(translated > 40, "only {translated} patterns translated");
}

#[test]
fn ofb_patterns_behave_as_in_ecma() {
    assert!(m(r"^\d{1,15}\.\d{2,4}$", "1500.50"));
    assert!(!m(r"^\d{1,15}\.\d{2,4}$", "1500.5"));
    assert!(!m(r"^\d{1,15}\.\d{2,4}$", "1500.50\n"));
    assert!(m(r"[\w\W\s]*", ""));
    assert!(m(r"[\w\W\s]*", "\u{2028}ação"));
    assert!(m(r"^[a-zA-Z0-9][a-zA-Z0-9\-]{0,99}$", "abc-123"));
    assert!(!m(r"^[a-zA-Z0-9][a-zA-Z0-9\-]{0,99}$", "-abc"));
    assert!(!m(r"^[a-zA-Z0-9][a-zA-Z0-9\-]{0,99}$", &"a".repeat(101)));
    assert!(m(r"^(?!\s)[\w\W\s]*[^\s]$", "texto"));
    assert!(m(r"^(?!\s)[\w\W\s]*[^\s]$", "t"));
    assert!(!m(r"^(?!\s)[\w\W\s]*[^\s]$", " texto"));
    assert!(!m(r"^(?!\s)[\w\W\s]*[^\s]$", "texto\u{A0}"));
    assert!(!m(r"^(?!\s)[\w\W\s]*[^\s]$", ""));
    assert_eq!(engine(r"^(?!\s)[\w\W\s]*[^\s]$"), Some("backtracking"));
    // Unanchored: a match anywhere is enough.
    assert!(m(r"\d{14}$", "CNPJ 12345678901234"));
}

#[test]
fn classes_are_ascii_and_dot_stops_at_line_terminators() {
    assert!(!m(r"^\d$", "٣"), "Arabic-Indic digits are not ECMA \\d");
    assert!(!m(r"^\d$", "０"));
    assert!(!m(r"^\w$", "é"));
    assert!(m(r"^\W$", "é"));
    assert!(!m(r"^.$", "\r"));
    assert!(!m(r"^.$", "\n"));
    assert!(!m(r"^.$", "\u{2028}"));
    assert!(m(r"^.$", "\u{85}"));
    assert!(m(r"^.$", "🦀"));
    assert!(m(r"^\s$", "\u{FEFF}"));
    assert!(!m(r"^\s$", "\u{200B}"));
    assert!(!m(r"^\s$", "\u{85}"));
    assert!(m(r"^[\d.]+$", "1.5"));
    assert!(m(r"^\u0041$", "A"));
    for p in [
        r"^\d+$",
        r"^.$",
        r"^\s$",
        r"[\w\W\s]*",
        r"\bword\b",
        r"^[\w\W-]*$",
    ] {
        assert_eq!(engine(p), Some("regex"), "{p}");
    }
}

#[test]
fn lookaround_runs_step_limited_and_backreferences_on_the_ecma_engine() {
    for (p, yes, no, by) in [
        (r"^(a)\1$", "aa", "ab", "ecma"),
        (r"^(?<x>a)\k<x>$", "aa", "ab", "ecma"),
        (r"^a(?=b)", "ab", "ac", "backtracking"),
        (r"(?<=a)b", "ab", "cb", "backtracking"),
        (r"(?<!a)b", "cb", "ab", "backtracking"),
        (r"^\p{Lu}$", "É", "é", "backtracking"),
        (r"^(?=\d)\w+$", "1a", "a1", "backtracking"),
        (r"^(?=\w)\d+$", "12", "١٢", "backtracking"),
        (r"^a{,2}$", "a{,2}", "aa", "ecma"),
        (r"^[!--]$", ",", "a", "ecma"),
    ] {
        assert_eq!(engine(p), Some(by), "{p}");
        assert!(m(p, yes), "{p} on {yes}");
        assert!(!m(p, no), "{p} on {no}");
    }
    // Identity escapes of letters are valid only without the `u` flag.
    assert!(m(r"^\_$", "_"));
}

#[test]
fn errors_give_both_reasons() {
    for p in ["(", "[", r"\", "a**", "(?<=", "x{2,1}"] {
        let e = compile(p).unwrap_err();
        assert_eq!(e.source, p);
        let text = e.to_string();
        assert!(text.contains("not a valid ECMA-262"), "{text}");
        assert!(text.contains("regex crate"), "{text}");
        assert!(!text.contains('\n'), "{text}");
        assert!(compile_ecma(p).is_err());
    }
}

#[test]
fn a_static_pattern_compiles_once_and_never_panics() {
    static BAD: Pattern = Pattern::new("(");
    assert!(BAD.is_match("anything"));
    assert!(BAD.compiled().is_none());
    static P: Pattern = Pattern::new("^x$");
    assert!(P.is_match("x") && !P.is_match("y"));
    assert_eq!(P.source(), "^x$");
    assert_eq!(P.compiled().map(Compiled::engine), Some("regex"));
}

#[test]
fn huge_inputs_run_in_reasonable_time() {
    let huge = "a".repeat(1 << 20);
    assert!(m(r"^[\w\W\s]*$", &huge));
    assert!(m(r"^(?!\s)[\w\W\s]*[^\s]$", &huge));
    assert!(!m(r"^\d+$", &huge));
}

#[test]
fn compile_ecma_agrees_with_compile() {
    for p in PATTERNS {
        let a = compile(p).unwrap();
        let b = compile_ecma(p).unwrap();
        assert_eq!(b.engine(), "ecma");
        for s in INPUTS {
            assert_eq!(a.is_match(s), b.is_match(s), "{p} on {s:?}");
        }
    }
}

/// Pieces random patterns are made of: every construct the translation handles, and some it
/// refuses.
const PIECES: &[&str] = &[
    "a", "b", "é", "0", "9", ".", "^", "$", "|", "(", ")", "(?:", "[", "]", "[^", "-", "*", "+",
    "?", "{1}", "{0,2}", "{2,}", "{", "}", r"\d", r"\D", r"\w", r"\W", r"\s", r"\S", r"\b", r"\B",
    r"\.", r"\-", r"\/", r"\u00e9", r"\x41", r"\t", r"\n", r"\r", r"\0", " ", "&", "~", "&&", "--",
    "_", "(?=", "(?!", r"\1", ":", "#", "(?<n>", r"\k<n>", r"\cA", "[a-z]", r"[\w-]", r"\p{L}",
    "\u{2028}", "[!--]", "{,2}",
];

/// A deterministic generator (a linear congruential one), so a failure reproduces.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[test]
fn random_patterns_never_panic_and_engines_agree() {
    let mut rng = Lcg(0x0fb);
    let mut inputs: Vec<String> = INPUTS.iter().map(|s| (*s).to_owned()).collect();
    for _ in 0..200 {
        let len = rng.next(6);
        inputs.push(
            (0..len)
                .map(|_| {
                    [
                        "a", "b", "é", "0", " ", "\n", "-", "_", "[", "&", "~", ".", "\u{2028}",
                        "\u{A0}", "٣",
                    ][rng.next(15)]
                })
                .collect(),
        );
    }
    let mut translated = 0;
    for _ in 0..3000 {
        let len = 1 + rng.next(7);
        let p: String = (0..len).map(|_| PIECES[rng.next(PIECES.len())]).collect();
        let _ = lint(&p);
        let Ok(Compiled::Regex(r)) = compile(&p) else {
            continue;
        };
        translated += 1;
        let e = ecma(&p).unwrap_or_else(|e| {
            panic!("{p:?} translated as {:?} but ECMA says {e}", translate(&p))
        });
        for s in &inputs {
            assert_eq!(
                r.is_match(s),
                e.find(s).is_some(),
                "{p:?} on {s:?} (translated to {:?})",
                translate(&p)
            );
        }
    }
    assert!(translated > 300, "only {translated} translated");
}
