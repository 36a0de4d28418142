//! Turning stored records into the documents' answers: `data` and `meta` around the bodies,
//! decoded into the generated types, and the institution's errors into the error envelope.

use crate::store::{Page, StoreError};
use ofb_runtime::server::{Context, Failure};
use serde::de::DeserializeOwned;

/// What can go wrong answering a call.
#[derive(Debug)]
pub enum Error {
    /// The customer has no such resource (or none at all of this kind).
    NotFound(&'static str),
    /// The database failed.
    Store(StoreError),
    /// A stored record does not fit the document's type (a bug of the seeding).
    Shape(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::NotFound(what) => write!(f, "no such {what} for this customer"),
            Error::Store(e) => e.fmt(f),
            Error::Shape(e) => write!(f, "a stored record does not fit its type: {e}"),
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Store(e)
    }
}

/// The error hook every family shares: a missing resource is the documents' 404, anything
/// else a 500 that reveals nothing (logged).
pub fn on_error(error: Error, _context: &Context) -> Failure {
    match error {
        Error::NotFound(what) => Failure::new(
            404,
            "NOT_FOUND",
            "Not found",
            format!("no such {what} for this customer"),
        ),
        other => Failure::internal(&other),
    }
}

/// Now, as RFC 3339 UTC to the second (`2026-12-06T10:00:00Z`).
pub fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs as i64)
}

/// `secs` after the Unix epoch as RFC 3339 UTC to the second.
pub fn rfc3339(secs: i64) -> String {
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// The days since 1970-01-01 of a `YYYY-MM-DD` date (Howard Hinnant's `days_from_civil`),
/// `None` where it is not one.
pub fn days(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-');
    let mut next = |len: usize| {
        parts
            .next()
            .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<i64>().ok())
    };
    let (y, m, d) = (next(4)?, next(2)?, next(2)?);
    if !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    // A day past its month's end (02-30) comes back as another date: not this one.
    let (cy, cm, cd) = civil(days);
    (cy == if m <= 2 { y + 1 } else { y } && i64::from(cm) == m && i64::from(cd) == d)
        .then_some(days)
}

/// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `meta` with every member the documents' metas use: each type keeps those it declares.
fn meta(total: u64, size: u32, more: bool) -> String {
    let pages = total.div_ceil(u64::from(size.max(1))).max(1);
    format!(
        r#"{{"totalRecords":{total},"totalPages":{pages},"requestDateTime":"{}","hasMoreRecords":{more}}}"#,
        now()
    )
}

fn decode<T: DeserializeOwned>(json: &str) -> Result<T, Error> {
    serde_json::from_str(json).map_err(|e| Error::Shape(e.to_string()))
}

/// A page of records as `{"data": [...], "meta": {...}}`.
pub fn list<T: DeserializeOwned>(page: &Page) -> Result<T, Error> {
    let more = u64::from(page.page) * u64::from(page.size) < page.total;
    let json = format!(
        r#"{{"data":[{}],"meta":{}}}"#,
        page.bodies.join(","),
        meta(page.total, page.size, more)
    );
    decode(&json)
}

/// One record as `{"data": {...}, "meta": {...}}`.
pub fn one<T: DeserializeOwned>(body: Option<String>, what: &'static str) -> Result<T, Error> {
    let body = body.ok_or(Error::NotFound(what))?;
    decode(&format!(
        r#"{{"data":{body},"meta":{}}}"#,
        meta(1, 1, false)
    ))
}

/// Discovered resources as `{"data": {"resources": [...]}}`.
pub fn discovered<T: DeserializeOwned>(page: &Page) -> Result<T, Error> {
    decode(&format!(
        r#"{{"data":{{"resources":[{}]}},"meta":{}}}"#,
        page.bodies.join(","),
        meta(page.total, page.size, false)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(19_723), (2024, 1, 1));
        assert_eq!(civil(19_782), (2024, 2, 29));
        assert_eq!(now().len(), 20);
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2024-02-29"), Some(19_782));
        assert_eq!(days("2023-02-29"), None);
        assert_eq!(days("2024-13-01"), None);
        assert_eq!(days("24-01-01"), None);
        assert_eq!(rfc3339(19_782 * 86_400 + 3_661), "2024-02-29T01:01:01Z");
    }
}
