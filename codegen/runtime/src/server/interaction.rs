//! `x-fapi-interaction-id`: read and judged on the way in, minted when the regulated documents
//! say so, echoed on the way out.

use crate::formats::{is_valid, Format};

/// The header's name.
pub(crate) const HEADER: &str = "x-fapi-interaction-id";
/// The same, as a header name that needs no parsing.
pub(crate) static NAME: http::HeaderName = http::HeaderName::from_static(HEADER);

/// What a request carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Given {
    /// No such header.
    Absent,
    /// A value that is not an RFC 4122 UUID (or given twice).
    Invalid,
    /// A valid one.
    Valid(String),
}

/// Reads the request's interaction id.
pub(crate) fn read(headers: &http::HeaderMap) -> Given {
    let mut all = headers.get_all(HEADER).iter();
    let (Some(first), None) = (all.next(), all.next()) else {
        return if headers.contains_key(HEADER) {
            Given::Invalid
        } else {
            Given::Absent
        };
    };
    match first.to_str() {
        Ok(s) if is_valid(Format::Uuid, s) => Given::Valid(s.to_owned()),
        _ => Given::Invalid,
    }
}

/// A new interaction id (UUID v4).
pub(crate) fn mint() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_judged_as_uuids() {
        let mut h = http::HeaderMap::new();
        assert_eq!(read(&h), Given::Absent);
        h.insert(HEADER, http::HeaderValue::from_static("not-a-uuid"));
        assert_eq!(read(&h), Given::Invalid);
        let id = mint();
        h.insert(HEADER, http::HeaderValue::from_str(&id).unwrap());
        assert_eq!(read(&h), Given::Valid(id.clone()));
        h.append(HEADER, http::HeaderValue::from_str(&id).unwrap());
        assert_eq!(read(&h), Given::Invalid);
    }
}
