//! Doc comments from the document's descriptions.
//!
//! Descriptions are Markdown written for Swagger UI. Two adjustments keep them readable in
//! rustdoc and quiet under clippy: a paragraph line directly after a list item is separated by a
//! blank line (otherwise it continues the item lazily), and indentation is made uniform.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` attributes for `text`, one per line; nothing for `None` or blank text.
pub fn doc_attrs(text: Option<&str>) -> TokenStream {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return TokenStream::new();
    };
    // Most descriptions are one plain line: no normalizing to do.
    if !text.contains(['\n', '\r', '\t']) && !text.trim_start().starts_with("```") {
        let l = super::raw_string_after(" ", text.trim());
        return quote!(#[doc = #l]);
    }
    let lines = normalize(text);
    let attrs = lines.iter().map(|l| {
        let l = line_literal(l);
        quote!(#[doc = #l])
    });
    quote!(#(#attrs)*)
}

/// The literal of one doc line: a space after `///` where the line has text.
fn line_literal(line: &str) -> proc_macro2::Literal {
    super::raw_string_after(if line.is_empty() { "" } else { " " }, line)
}

/// The parts that have text, trimmed, as paragraphs.
fn paragraphs(parts: &[Option<&str>]) -> String {
    let present: Vec<&str> = parts
        .iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    present.join("\n\n")
}

/// Doc attributes from several parts, separated by blank lines.
pub fn doc_parts(parts: &[Option<&str>]) -> TokenStream {
    doc_attrs(Some(&paragraphs(parts)))
}

/// Inner (`//!`) doc attributes from several parts, for a module or crate root.
pub fn inner_doc_attrs(parts: &[Option<&str>]) -> TokenStream {
    let attrs = normalize(&paragraphs(parts)).into_iter().map(|l| {
        let l = line_literal(&l);
        quote!(#![doc = #l])
    });
    quote!(#(#attrs)*)
}

/// Headings, tables, quotes and setext underlines keep their own lines.
fn is_structural(line: &str) -> bool {
    line.starts_with(['#', '|', '>'])
        || (line.len() >= 2 && (line.chars().all(|c| c == '-') || line.chars().all(|c| c == '=')))
}

fn is_list_item(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ") || {
        let digits = t.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && t[digits..].starts_with(". ")
    }
}

fn normalize(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_list = false;
    let mut in_fence = false;
    // Whether the last line pushed is plain paragraph text that the next one may join.
    let mut open_paragraph = false;
    let text = if text.contains(['\r', '\t']) {
        // A lone CR (old Mac line ends) is a line end too: rustc refuses one inside a comment.
        std::borrow::Cow::Owned(
            text.replace("\r\n", "\n")
                .replace('\r', "\n")
                .replace('\t', "    "),
        )
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    for raw in text.lines() {
        let line = raw.trim();
        // Fenced blocks in descriptions are tables and samples, not Rust: mark them `text` so
        // rustdoc does not run them as doctests, and keep their lines as written.
        if let Some(info) = line.strip_prefix("```") {
            if in_fence {
                out.push(String::from("```"));
            } else {
                let lang = info.trim();
                out.push(if lang.is_empty() || lang != "rust" {
                    String::from("```text")
                } else {
                    String::from("```rust")
                });
            }
            in_fence = !in_fence;
            in_list = false;
            open_paragraph = false;
            continue;
        }
        if in_fence {
            out.push(raw.trim_end().to_owned());
            continue;
        }
        if line.is_empty() {
            in_list = false;
            open_paragraph = false;
            if out.last().is_some_and(|l| !l.is_empty()) {
                out.push(String::new());
            }
            continue;
        }
        let special = is_list_item(line) || is_structural(line);
        if is_list_item(line) {
            in_list = true;
        } else if in_list {
            out.push(String::new());
            in_list = false;
            open_paragraph = false;
        }
        // Lines of one paragraph render as one (a soft break is a space), so they are joined:
        // one doc line instead of several, and the same text in rustdoc.
        match out.last_mut() {
            Some(last) if open_paragraph && !special => {
                last.push(' ');
                last.push_str(line);
            }
            _ => out.push(line.to_owned()),
        }
        let hard_break = raw.ends_with("  ") || line.ends_with('\\');
        open_paragraph = !special && !in_list && !hard_break;
    }
    if in_fence {
        out.push(String::from("```"));
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_continuations_are_split_from_lists() {
        assert_eq!(
            normalize("Intro:\n- one\n- two\nafter\n\n\n  indented  "),
            vec!["Intro:", "- one", "- two", "", "after", "", "indented"]
        );
    }

    #[test]
    fn paragraph_lines_join_but_structure_and_hard_breaks_stay() {
        assert_eq!(
            normalize("one\ntwo\\\nthree  \nfour\n# Head\n| a | b |\n| c | d |\nfive\nsix"),
            vec![
                "one two\\",
                "three",
                "four",
                "# Head",
                "| a | b |",
                "| c | d |",
                "five six"
            ]
        );
    }

    #[test]
    fn fences_become_text_and_keep_their_layout() {
        assert_eq!(
            normalize("Table:\n```\n| a |  b |\n  x\n```\nend\n```json\n{}"),
            vec![
                "Table:",
                "```text",
                "| a |  b |",
                "  x",
                "```",
                "end",
                "```text",
                "{}",
                "```"
            ]
        );
    }
}
