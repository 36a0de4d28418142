//! Every Rust name the generator emits is decided here.
//!
//! Names come from wire names (schema, property and operation ids, enum values, status codes),
//! never from prose. Portuguese diacritics fold to ASCII (`ação` to `acao`), anything that is not
//! a letter or digit separates words, a leading digit gets a prefix, and keywords become raw
//! identifiers when written (`ident`), or get a trailing underscore where Rust has no raw form
//! (`self`, `crate`, ...).
//! Wire names survive through `#[serde(rename)]`, so folding loses nothing on the wire.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

/// Rust keywords (all editions) that can be written as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized",
    "use", "virtual", "where", "while", "yield",
];

/// Keywords that have no raw form.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Folds Latin diacritics to ASCII and turns every other non-alphanumeric character into a
/// space, so that `heck` sees word boundaries.
fn fold(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'Á' | 'À' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'É' | 'È' | 'Ê' | 'Ë' => 'E',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
            'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' => 'O',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
            'ç' => 'c',
            'Ç' => 'C',
            'ñ' => 'n',
            'Ñ' => 'N',
            c if c.is_ascii_alphanumeric() => c,
            _ => ' ',
        })
        .collect()
}

/// `UpperCamelCase` name for a type or enum variant; never empty, never a keyword.
pub fn type_name(raw: &str) -> String {
    let mut s = fold(raw).to_upper_camel_case();
    if s.is_empty() {
        s = String::from("Unnamed");
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'N');
    }
    if s == "Self" {
        s.push('_');
    }
    s
}

/// `snake_case` name for a field, function or module. A keyword that has a raw form stays as
/// it is (`type`): the model keeps names as names, and [`ident`] writes `r#type`.
pub fn value_name(raw: &str) -> String {
    let mut s = fold(raw).to_snake_case();
    if s.is_empty() {
        s = String::from("unnamed");
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, "n_");
    }
    if NON_RAW_KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// Names already given in one scope; a name asked for twice gets a numeric suffix, in the order
/// asked, so the outcome depends only on the document.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    used: BTreeSet<String>,
}

impl Scope {
    /// A scope with `reserved` names taken in advance.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Scope {
            used: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Takes `base`, or `base2`, `base3`, ... if it is taken (a keyword with a suffix is an
    /// ordinary identifier).
    pub fn claim(&mut self, base: &str) -> String {
        if self.used.insert(base.to_owned()) {
            return base.to_owned();
        }
        let sep = if base.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        (2u32..)
            .map(|n| format!("{base}{sep}{n}"))
            .find(|c| !self.used.contains(c))
            .inspect(|c| {
                self.used.insert(c.clone());
            })
            .unwrap_or_else(|| base.to_owned())
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.used.contains(name)
    }
}

/// The member name serde gives field `field` under
/// `#[serde(rename_all = "camelCase")]`: `PascalCase` (underscores dropped, the letter after
/// each and the first upper case), then the first letter lower case. The derive of
/// `Validate` computes the same, for its pointers.
pub fn serde_camel(field: &str) -> String {
    let mut pascal = String::with_capacity(field.len());
    let mut capitalize = true;
    for ch in field.chars() {
        if ch == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(ch.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(ch);
        }
    }
    let mut chars = pascal.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => pascal,
    }
}

/// A variant name in screaming snake case, the wire value `derive(WireEnum)` gives a variant
/// without `#[wire]`: an underscore before each capital that follows a lower-case letter or a
/// digit, or that starts a word after an acronym (`HTTPServer` is `HTTP_SERVER`), then
/// everything upper case. The derive has the same rule; the generator writes `#[wire]` where
/// it does not give the document's value.
pub fn screaming(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// Builds an identifier token from a name produced by this module: a keyword is written raw
/// (`r#type`), the one place where the prefix exists.
pub fn ident(name: &str) -> proc_macro2::Ident {
    let span = proc_macro2::Span::call_site();
    if RAW_KEYWORDS.contains(&name) {
        proc_macro2::Ident::new_raw(name, span)
    } else {
        proc_macro2::Ident::new(name, span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screaming_names_are_the_usual_wire_values() {
        for (name, wire) in [
            ("AccountsRead", "ACCOUNTS_READ"),
            ("ContaDepositoAVista", "CONTA_DEPOSITO_A_VISTA"),
            ("HTTPServer", "HTTP_SERVER"),
            ("Cpf1", "CPF1"),
            ("Tipo1A", "TIPO1_A"),
            ("X", "X"),
        ] {
            assert_eq!(screaming(name), wire, "{name}");
        }
    }

    /// The rule is serde's own: each name serializes under `rename_all = "camelCase"` as
    /// `serde_camel` says.
    #[test]
    fn serde_camel_is_what_serde_does() {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(non_snake_case)]
        struct S {
            account_id: u8,
            _leading: u8,
            a1_b2: u8,
            r#type: u8,
            x: u8,
            already_camel_Case: u8,
            trailing_: u8,
        }
        let s = S {
            account_id: 0,
            _leading: 0,
            a1_b2: 0,
            r#type: 0,
            x: 0,
            already_camel_Case: 0,
            trailing_: 0,
        };
        let v = serde_json::to_value(&s).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        for field in [
            "account_id",
            "_leading",
            "a1_b2",
            "type",
            "x",
            "already_camel_Case",
            "trailing_",
        ] {
            let name = serde_camel(field);
            assert!(
                keys.contains(&&name),
                "{field} -> {name}, serde has {keys:?}"
            );
        }
    }

    #[test]
    fn hostile_names_become_valid_identifiers() {
        let cases = [
            ("type", "Type", "type"),
            ("ref", "Ref", "ref"),
            ("self", "Self_", "self_"),
            ("Self", "Self_", "self_"),
            ("Result", "Result", "result"),
            ("Option", "Option", "option"),
            ("1stItem", "N1stItem", "n_1st_item"),
            ("ação", "Acao", "acao"),
            ("EM_ANÁLISE", "EmAnalise", "em_analise"),
            ("__proto__", "Proto", "proto"),
            ("a-b", "AB", "a_b"),
            ("a.b", "AB", "a_b"),
            ("_", "Unnamed", "unnamed"),
            ("crate", "Crate", "crate_"),
            ("async", "Async", "async"),
            ("", "Unnamed", "unnamed"),
        ];
        for (raw, t, v) in cases {
            assert_eq!(type_name(raw), t, "type name of {raw:?}");
            assert_eq!(value_name(raw), v, "value name of {raw:?}");
            // Every name must parse as an identifier, as `ident` writes it.
            let _: syn::Ident = syn::parse2(quote::ToTokens::to_token_stream(&ident(v))).expect(v);
            let _: syn::Ident = syn::parse_str(t).expect(t);
        }
    }

    #[test]
    fn collisions_resolve_in_order_asked() {
        let mut s = Scope::with_reserved(&["Unknown"]);
        assert_eq!(s.claim("Unknown"), "Unknown2");
        assert_eq!(s.claim("AB"), "AB");
        assert_eq!(s.claim("AB"), "AB2");
        assert_eq!(s.claim("type"), "type");
        assert_eq!(s.claim("type"), "type2");
        assert_eq!(s.claim("v1"), "v1");
        assert_eq!(s.claim("v1"), "v1_2");
    }
}
