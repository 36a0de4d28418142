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
    let hashes = (1..=255)
        .map(|n| "#".repeat(n))
        .find(|h| !text.contains(&format!("\"{h}")))
        .unwrap_or_default();
    let lit = format!("r{hashes}\"{text}\"{hashes}");
    // A bare CR, or text that needs more hashes than the lexer takes, gets the escaped form.
    lit.parse::<proc_macro2::Literal>()
        .unwrap_or_else(|_| proc_macro2::Literal::string(text))
}
