//! Media types: `Content-Type` against what an operation takes, `Accept` against what it
//! answers (RFC 9110 media ranges, with `q=0` meaning "not this").

use crate::media::{essence, is_json};

/// Whether a request's `Content-Type` is the operation's media type. Any JSON media type is
/// taken where the operation takes JSON.
pub(crate) fn same_media(given: &str, expected: &str) -> bool {
    let (g, e) = (essence(given), essence(expected));
    g == e || (is_json(&g) && is_json(&e))
}

/// Whether the request's `Accept` headers allow one of `offered` (essences); no `Accept`, or
/// nothing offered (an answer without a body), allows everything.
pub(crate) fn accepts(headers: &http::HeaderMap, offered: &[&str]) -> bool {
    // The common answers first, without parsing: no Accept, `*/*`, or exactly what is offered.
    let mut all = headers.get_all(http::header::ACCEPT).iter();
    match (all.next(), all.next()) {
        (None, _) => return true,
        (Some(one), None) => {
            let v = one.as_bytes();
            if v == b"*/*" || offered.iter().any(|o| o.as_bytes() == v) {
                return true;
            }
        }
        _ => {}
    }
    let ranges: Vec<&str> = headers
        .get_all(http::header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .collect();
    if ranges.is_empty() || offered.is_empty() {
        return true;
    }
    offered.iter().any(|o| {
        let o = essence(o);
        let (otype, _) = o.split_once('/').unwrap_or((o.as_str(), ""));
        ranges.iter().any(|r| {
            let refused = r.split(';').skip(1).any(|p| {
                let p = p.trim().to_ascii_lowercase();
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            let range = essence(r);
            let matches = range == "*/*"
                || range == o
                || range.strip_suffix("/*").is_some_and(|t| t == otype);
            matches && !refused
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str, offered: &[&str]) -> bool {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::ACCEPT,
            http::HeaderValue::from_str(v).unwrap(),
        );
        accepts(&h, offered)
    }

    #[test]
    fn accept_follows_media_ranges() {
        let json = &["application/json"][..];
        assert!(accepts(&http::HeaderMap::new(), json));
        assert!(accept("application/json", json));
        assert!(accept("text/html, application/*;q=0.5", json));
        assert!(accept("*/*", json));
        assert!(!accept("text/html", json));
        assert!(!accept("application/json;q=0", json));
        assert!(accept("text/html", &[]));
    }

    #[test]
    fn content_types_compare_by_essence() {
        assert!(same_media(
            "application/json; charset=utf-8",
            "application/json"
        ));
        assert!(same_media("application/problem+json", "application/json"));
        assert!(same_media("Application/JWT", "application/jwt"));
        assert!(!same_media("text/plain", "application/json"));
    }
}
