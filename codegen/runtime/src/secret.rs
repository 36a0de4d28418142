//! Credentials, kept out of `Debug` output and logs.

use std::fmt;

/// A credential (an access token, a client secret, a `format: password` string of a document).
/// `Debug` shows `Secret(<redacted>)` and there is no `Display`: the value is reached only
/// through [`Secret::expose`], so that printing a client, a request or a session never prints
/// it. On the wire it is the plain string.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value_and_the_wire_keeps_it() {
        let s = Secret::new("eyJhbGciOi.secret");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{:?}", Some(&s)), "Some(Secret(<redacted>))");
        assert_eq!(s.expose(), "eyJhbGciOi.secret");
        let json = serde_json::to_string(&s).expect("serializes");
        assert_eq!(json, "\"eyJhbGciOi.secret\"");
        let back: Secret = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, s);
    }
}
