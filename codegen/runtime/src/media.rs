//! Media type names, read one way by the generator, the servers and the clients.

/// The essence of a media type: lower case, parameters (`; charset=utf-8`) dropped.
pub fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether a media type essence is JSON (`application/json` or a `+json` suffix).
pub fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn essences_and_json() {
        assert_eq!(
            essence(" Application/JSON; charset=UTF-8"),
            "application/json"
        );
        assert!(is_json("application/problem+json"));
        assert!(!is_json("text/html"));
    }
}
