//! JSON pointers (RFC 6901) and local `$ref`s, written here rather than borrowed from the
//! generator so that the oracle shares no code with what it judges.

use serde_json::Value;

/// How many `$ref`s in a row are followed before a chain is declared a cycle.
const MAX_HOPS: usize = 32;

/// One reference token, escaped (`~` as `~0`, `/` as `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// One reference token, unescaped.
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// `base` with one more token.
pub fn join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape(token))
}

/// Whether instance pointer `p` is `q` or lies under it.
pub fn at_or_under(p: &str, q: &str) -> bool {
    p == q || (p.len() > q.len() && p.starts_with(q) && p.as_bytes().get(q.len()) == Some(&b'/'))
}

/// Decodes `%XX` escapes of a URI fragment; a malformed escape is kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes.get(i), bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(b'%'), Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let v = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(v as u8);
                i += 3;
            }
            (Some(&b), _, _) => {
                out.push(b);
                i += 1;
            }
            _ => break,
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Percent-encodes what may not stand in a URI fragment, so a pointer can follow `urn:...#`.
pub fn fragment_encode(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The value at `pointer` ("#/a/b", "/a/b" or "#" / ""), or `None`.
pub fn resolve<'d>(doc: &'d Value, pointer: &str) -> Option<&'d Value> {
    let p = pointer.strip_prefix('#').unwrap_or(pointer);
    if p.is_empty() {
        return Some(doc);
    }
    let p = p.strip_prefix('/')?;
    let mut at = doc;
    for raw in p.split('/') {
        let token = unescape(&percent_decode(raw));
        at = match at {
            Value::Object(m) => m.get(&token)?,
            Value::Array(a) => a.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// The local target of `value`'s `$ref`, when it has one.
pub fn local_ref(value: &Value) -> Option<&str> {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .filter(|r| r.starts_with('#'))
}

/// Follows `value`'s `$ref` chain from `at` (its pointer): where the object really lives, and
/// the object. `Err` names a reference that leads nowhere, or a cycle.
pub fn follow<'d>(
    doc: &'d Value,
    value: &'d Value,
    at: &str,
) -> Result<(String, &'d Value), String> {
    let mut here = (at.to_string(), value);
    for _ in 0..MAX_HOPS {
        let Some(r) = here.1.get("$ref").and_then(Value::as_str) else {
            return Ok(here);
        };
        if !r.starts_with('#') {
            return Err(format!(
                "{}: external reference `{r}` is not followed",
                here.0
            ));
        }
        let next = resolve(doc, r).ok_or_else(|| format!("{}: `{r}` leads nowhere", here.0))?;
        here = (normalize(r), next);
    }
    Err(format!(
        "{at}: `$ref` chain longer than {MAX_HOPS} (a cycle?)"
    ))
}

/// A reference as a pointer with a leading '#', its tokens percent-decoded.
fn normalize(r: &str) -> String {
    let p = r.strip_prefix('#').unwrap_or(r);
    format!("#{}", percent_decode(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_escape_resolve_and_compare() {
        let doc = json!({"a/b": {"~c": [1, {"$ref": "#/a~1b/~0c/0"}]}});
        assert_eq!(join("#", "a/b"), "#/a~1b");
        assert_eq!(resolve(&doc, "#/a~1b/~0c/0"), Some(&json!(1)));
        assert_eq!(resolve(&doc, "#/a%7E1b/~0c/0"), Some(&json!(1)));
        assert_eq!(resolve(&doc, "#/nope"), None);
        let r = resolve(&doc, "#/a~1b/~0c/1").unwrap();
        assert_eq!(follow(&doc, r, "#/x").unwrap().0, "#/a~1b/~0c/0");
        let cyc = json!({"a": {"$ref": "#/a"}});
        assert!(follow(&cyc, &cyc["a"], "#/a").is_err());
        assert!(at_or_under("/a/b", "/a"));
        assert!(at_or_under("/a", ""));
        assert!(at_or_under("", ""));
        assert!(!at_or_under("/ab", "/a"));
        assert_eq!(fragment_encode("/a b/{x}"), "/a%20b/%7Bx%7D");
    }
}
