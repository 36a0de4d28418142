//! Rust source from the IR, as token streams formatted by prettyplease. Emitters read only the
//! [`Api`](crate::model::Api); every name and type decision was made in the model.

pub mod bench;
pub mod bench_hostile;
pub mod client;
pub mod client_tests;
pub mod docs;
pub mod examples;
pub mod files;
pub mod mock;
pub mod operations;
pub mod oracle;
pub mod params;
pub mod paths;
pub mod server;
pub mod server_tests;
pub mod types;
pub mod validate;

use proc_macro2::TokenStream;

/// Formats a token stream as a source file. The tokens come from our own `quote!`, so a parse
/// failure is a generator bug: it is reported, not hidden.
pub fn format(tokens: TokenStream, what: &str) -> Result<String, String> {
    // Parsing the token stream directly skips rendering it to text and lexing it again.
    syn::parse2::<syn::File>(tokens)
        .map(|file| prettyplease::unparse(&file))
        .map_err(|e| {
            format!("internal error: generated {what} does not parse ({e}); please report this")
        })
}

/// A raw string literal for `text` (`r#"..."#`, with as many `#` as it needs), so JSON reads
/// as itself in the source. It is also cheaper for syn and prettyplease, which scan a cooked
/// literal character by character (to unescape it) each time they look at it: for the
/// descriptions in doc attributes that was about a tenth of the instructions spent formatting.
pub(crate) fn raw_string(text: &str) -> proc_macro2::Literal {
    raw_string_after("", text)
}

/// [`raw_string`] of `prefix` followed by `text`, without building their concatenation first
/// (doc lines start with a space).
pub(crate) fn raw_string_after(prefix: &str, text: &str) -> proc_macro2::Literal {
    // The fewest `#`, one at least, that no `"` of the text is followed by.
    let longest = text
        .match_indices('"')
        .map(|(i, _)| text[i + 1..].bytes().take_while(|&b| b == b'#').count())
        .max()
        .unwrap_or(0);
    let hashes = longest + 1;
    // A bare CR, or text that needs more hashes than the lexer takes, gets the escaped form.
    let escaped = || proc_macro2::Literal::string(&format!("{prefix}{text}"));
    if hashes > 255 {
        return escaped();
    }
    let mut lit = String::with_capacity(prefix.len() + text.len() + 2 * hashes + 3);
    lit.push('r');
    lit.extend(std::iter::repeat_n('#', hashes));
    lit.push('"');
    lit.push_str(prefix);
    lit.push_str(text);
    lit.push('"');
    lit.extend(std::iter::repeat_n('#', hashes));
    lit.parse::<proc_macro2::Literal>()
        .unwrap_or_else(|_| escaped())
}

#[cfg(test)]
mod tests {
    use super::{raw_string, raw_string_after};

    #[test]
    fn raw_strings_take_the_fewest_hashes_that_close_them() {
        let lit = |s: &str| raw_string(s).to_string();
        assert_eq!(lit("plain"), r##"r#"plain"#"##);
        assert_eq!(lit(r#"say "hi""#), r##"r#"say "hi""#"##);
        assert_eq!(lit(r##"a "# b"##), r###"r##"a "# b"##"###);
        assert_eq!(lit(r###"a "## b "# c"###), r####"r###"a "## b "# c"###"####);
        assert_eq!(raw_string_after(" ", "doc").to_string(), r##"r#" doc"#"##);
        // A bare CR cannot be in a raw string: the escaped form keeps it.
        assert_eq!(lit("a\rb"), r#""a\rb""#);
        let many = format!("\"{}", "#".repeat(300));
        assert!(lit(&many).starts_with('"'));
    }
}
