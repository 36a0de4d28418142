//! RFC 6901 JSON pointer segments: every pointer this crate reports (violations, decode
//! failures, ignored members) is built with these helpers, so escaping is done in one place.

use std::borrow::Cow;

/// Escapes one segment: `~` becomes `~0` and `/` becomes `~1`. Borrows when there is nothing
/// to escape, which is nearly always.
pub fn escape(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        let mut out = String::with_capacity(segment.len() + 2);
        push_escaped(&mut out, segment);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(segment)
    }
}

/// Appends `segment`, escaped, to `out` (without the leading `/`).
pub fn push_escaped(out: &mut String, segment: &str) {
    for c in segment.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// Reverses [`escape`]: `~1` becomes `/` and `~0` becomes `~`, in one pass so that `~01`
/// stays `~1`. A `~` not followed by `0` or `1` is kept as it is.
pub fn unescape(segment: &str) -> Cow<'_, str> {
    if !segment.contains('~') {
        return Cow::Borrowed(segment);
    }
    let mut out = String::with_capacity(segment.len());
    let mut chars = segment.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.peek() {
                Some('0') => {
                    out.push('~');
                    chars.next();
                }
                Some('1') => {
                    out.push('/');
                    chars.next();
                }
                _ => out.push('~'),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The unescaped segments of `pointer` (`""` has none; `"/"` has one, the empty name).
pub fn segments(pointer: &str) -> impl Iterator<Item = Cow<'_, str>> {
    pointer
        .strip_prefix('/')
        .map(|rest| rest.split('/'))
        .into_iter()
        .flatten()
        .map(unescape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_tilde_before_slash() {
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(escape("~1"), "~01");
        assert!(matches!(escape("plain"), Cow::Borrowed("plain")));
        assert_eq!(escape(""), "");
        assert_eq!(escape("ação/é"), "ação~1é");
    }

    #[test]
    fn unescape_reverses_escape() {
        for s in ["", "a/b~c", "~1", "~0~1//~~", "ação", "~", "~2", "a~"] {
            assert_eq!(unescape(&escape(s)), s, "{s:?}");
        }
        assert_eq!(unescape("~01"), "~1");
        assert_eq!(unescape("~x"), "~x");
    }

    #[test]
    fn pointers_split_into_segments() {
        assert_eq!(segments("").count(), 0);
        assert_eq!(segments("/").collect::<Vec<_>>(), [""]);
        assert_eq!(
            segments("/data/0/a~1b").collect::<Vec<_>>(),
            ["data", "0", "a/b"]
        );
        // Not a pointer (no leading slash): no segments rather than a guess.
        assert_eq!(segments("data").count(), 0);
    }
}
