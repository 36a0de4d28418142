//! RFC 6901 JSON pointer segments.

use std::borrow::Cow;

/// Escapes one segment: `~` becomes `~0` and `/` becomes `~1`.
pub fn escape(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(segment)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_tilde_before_slash() {
        assert_eq!(super::escape("a/b~c"), "a~1b~0c");
        assert_eq!(super::escape("plain"), "plain");
    }
}
