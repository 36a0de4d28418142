//! String `format`s, checked by hand: RFC 3339 dates and times, UUIDs, e-mail addresses, URIs,
//! IP addresses, host names, base64 and decimal text. Each check is a small function over
//! bytes, with no regular expression and no extra crate, and none can panic: every slice is
//! taken at an index just checked to hold an ASCII byte. Re-exported by [`crate::check`].

/// String formats that are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// RFC 3339 `full-date` (`2024-02-29`), with a real calendar.
    Date,
    /// RFC 3339 `date-time` (`2024-02-29T12:00:00.5-03:00`).
    DateTime,
    /// RFC 3339 `full-time` (`12:00:00Z`).
    Time,
    /// RFC 4122 text form: 8-4-4-4-12 hexadecimal digits.
    Uuid,
    /// A pragmatic `local@domain`.
    Email,
    /// An absolute URI: an RFC 3986 scheme, `:`, then text without spaces.
    Uri,
    /// Same check as `Uri`: Open Finance documents write `format: url`.
    Url,
    /// Dotted quad.
    Ipv4,
    /// RFC 4291 text form.
    Ipv6,
    /// RFC 1123 host name.
    Hostname,
    /// Base64 (RFC 4648, padded).
    Byte,
    /// Decimal text (`-12.50`, `1e3`): money written as a string (`format: double|float`).
    Double,
    /// Integer text (`-12`).
    Integer,
}

impl Format {
    /// The format named `name` in a schema, if it is one that is checked. `float` is checked
    /// as `double`; numeric formats of numbers (`int32`, `int64`) are not string formats.
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "date" => Format::Date,
            "date-time" => Format::DateTime,
            "time" => Format::Time,
            "uuid" => Format::Uuid,
            "email" => Format::Email,
            "uri" => Format::Uri,
            "url" => Format::Url,
            "ipv4" => Format::Ipv4,
            "ipv6" => Format::Ipv6,
            "hostname" => Format::Hostname,
            "byte" => Format::Byte,
            "double" | "float" => Format::Double,
            "integer" => Format::Integer,
            _ => return None,
        })
    }

    /// The name used in schemas.
    pub fn name(self) -> &'static str {
        match self {
            Format::Date => "date",
            Format::DateTime => "date-time",
            Format::Time => "time",
            Format::Uuid => "uuid",
            Format::Email => "email",
            Format::Uri => "uri",
            Format::Url => "url",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
            Format::Hostname => "hostname",
            Format::Byte => "byte",
            Format::Double => "double",
            Format::Integer => "integer",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether `s` is in format `f`.
pub fn is_valid(f: Format, s: &str) -> bool {
    match f {
        Format::Date => is_date(s.as_bytes()),
        Format::DateTime => is_date_time(s.as_bytes()),
        Format::Time => is_time(s.as_bytes()),
        Format::Uuid => is_uuid(s.as_bytes()),
        Format::Email => is_email(s),
        Format::Uri | Format::Url => is_uri(s),
        Format::Ipv4 => s.parse::<std::net::Ipv4Addr>().is_ok(),
        Format::Ipv6 => s.parse::<std::net::Ipv6Addr>().is_ok(),
        Format::Hostname => is_hostname(s),
        Format::Byte => is_base64(s.as_bytes()),
        Format::Double => is_decimal(s.as_bytes()),
        Format::Integer => {
            let t = s.strip_prefix('-').unwrap_or(s);
            all_digits(t.as_bytes())
        }
    }
}

fn all_digits(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(u8::is_ascii_digit)
}

/// Exactly two ASCII digits, as a number.
fn two_digits(b: &[u8]) -> Option<u32> {
    match b {
        [h, l] if h.is_ascii_digit() && l.is_ascii_digit() => {
            Some(u32::from(h - b'0') * 10 + u32::from(l - b'0'))
        }
        _ => None,
    }
}

/// `YYYY-MM-DD`, a day that exists (29 February only in leap years).
fn is_date(b: &[u8]) -> bool {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *b else {
        return false;
    };
    let (Some(hi), Some(lo), Some(m), Some(d)) = (
        two_digits(&[y0, y1]),
        two_digits(&[y2, y3]),
        two_digits(&[m0, m1]),
        two_digits(&[d0, d1]),
    ) else {
        return false;
    };
    let y = hi * 100 + lo;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let max = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=max).contains(&d)
}

/// `full-date "T" full-time`, `T` in either case.
fn is_date_time(b: &[u8]) -> bool {
    match b.split_at_checked(10) {
        Some((date, [b'T' | b't', time @ ..])) => is_date(date) && is_time(time),
        _ => false,
    }
}

/// `hh:mm:ss(.fraction)?` then `Z` or `±hh:mm`. A leap second (`:60`) is accepted, as RFC 3339
/// allows.
fn is_time(b: &[u8]) -> bool {
    let (body, offset_ok) = match b {
        [body @ .., b'Z' | b'z'] => (body, true),
        [body @ .., b'+' | b'-', h0, h1, b':', m0, m1] => (
            body,
            two_digits(&[*h0, *h1]).is_some_and(|h| h < 24)
                && two_digits(&[*m0, *m1]).is_some_and(|m| m < 60),
        ),
        _ => return false,
    };
    let (hms, frac) = match body.split_at_checked(8) {
        Some((hms, [])) => (hms, None),
        Some((hms, [b'.', frac @ ..])) => (hms, Some(frac)),
        _ => return false,
    };
    let [h0, h1, b':', m0, m1, b':', s0, s1] = *hms else {
        return false;
    };
    offset_ok
        && frac.is_none_or(all_digits)
        && two_digits(&[h0, h1]).is_some_and(|h| h < 24)
        && two_digits(&[m0, m1]).is_some_and(|m| m < 60)
        && two_digits(&[s0, s1]).is_some_and(|s| s <= 60)
}

fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `local@domain`: a local part without spaces, control characters, `@` or stray dots (at
/// most 64 bytes), and a host name with at least one dot. Quoted local parts and address
/// literals are not accepted: no Open Finance document uses them.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local.contains(|c: char| c == '@' || c.is_whitespace() || c.is_control())
        && domain.contains('.')
        && is_hostname(domain)
}

/// `scheme ":" rest`, the scheme as RFC 3986 has it (a letter, then letters, digits, `+`, `-`
/// or `.`), the rest not empty and free of spaces and control characters.
fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        && !rest.is_empty()
        && !rest.contains(|c: char| c.is_whitespace() || c.is_control())
}

fn is_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Padded base64: groups of four, `=` only as the last one or two characters.
fn is_base64(b: &[u8]) -> bool {
    let body = match b {
        [body @ .., b'=', b'='] | [body @ .., b'='] => body,
        body => body,
    };
    b.len().is_multiple_of(4)
        && body
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/'))
}

/// `-?\d+(\.\d+)?([eE][+-]?\d+)?`.
fn is_decimal(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"-").unwrap_or(b);
    let (mantissa, exp) = match b.iter().position(|c| matches!(c, b'e' | b'E')) {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    let (int, frac) = match mantissa.iter().position(|c| *c == b'.') {
        Some(i) => (&mantissa[..i], Some(&mantissa[i + 1..])),
        None => (mantissa, None),
    };
    all_digits(int)
        && frac.is_none_or(all_digits)
        && exp
            .is_none_or(|e| all_digits(e.strip_prefix(b"+").or(e.strip_prefix(b"-")).unwrap_or(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(f: Format, good: &[&str], bad: &[&str]) {
        for s in good {
            assert!(is_valid(f, s), "{f} should accept {s:?}");
        }
        for s in bad {
            assert!(!is_valid(f, s), "{f} should reject {s:?}");
        }
    }

    /// Inputs no format accepts.
    const HOSTILE: &[&str] = &[
        "",
        " ",
        "\0",
        "ação",
        "é",
        "\u{FEFF}",
        "🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀",
    ];

    #[test]
    fn names_round_trip() {
        use Format::*;
        for f in [
            Date, DateTime, Time, Uuid, Email, Uri, Url, Ipv4, Ipv6, Hostname, Byte, Double,
            Integer,
        ] {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
        assert_eq!(Format::from_name("float"), Some(Double));
        assert_eq!(Format::from_name("int32"), None);
        assert_eq!(Format::from_name("password"), None);
        assert_eq!(Format::from_name(""), None);
    }

    #[test]
    fn dates_follow_the_calendar() {
        ok(
            Format::Date,
            &[
                "2024-02-29",
                "2000-02-29",
                "0000-01-01",
                "9999-12-31",
                "2021-04-30",
            ],
            &[
                "2023-02-29",
                "1900-02-29",
                "2023-13-01",
                "2023-00-10",
                "2023-01-00",
                "2023-04-31",
                "2023-1-01",
                "2023-01-01 ",
                "2023/01/01",
                "２０２３-01-01",
                "2023-01-0é",
                "+2023-01-01",
            ],
        );
        ok(Format::Date, &[], HOSTILE);
    }

    #[test]
    fn date_times_follow_rfc_3339() {
        ok(
            Format::DateTime,
            &[
                "2021-05-21T08:30:00Z",
                "2021-05-21t08:30:00z",
                "2021-05-21T08:30:00.123-03:00",
                "2021-05-21T23:59:60+00:00",
                "2021-05-21T08:30:00.000000001Z",
            ],
            &[
                "2021-05-21 08:30:00Z",
                "2021-05-21T08:30Z",
                "2021-05-21T08:30:00",
                "2021-05-21T08:30:00.Z",
                "2021-05-21T24:00:00Z",
                "2021-05-21T08:60:00Z",
                "2021-05-21T08:30:61Z",
                "2021-05-21T08:30:00+3:00",
                "2021-05-21T08:30:00+24:00",
                "2021-05-21T08:30:00-03:60",
                "2021-02-30T08:30:00Z",
                "2021-05-21T08:30:00ZZ",
                "2021-05-21Tação",
                "2021-05-21T",
            ],
        );
        ok(Format::DateTime, &[], HOSTILE);
        ok(
            Format::Time,
            &["08:30:00Z", "08:30:00.5+01:00"],
            &["08:30:00", "8:30:00Z"],
        );
    }

    #[test]
    fn uuids_emails_and_uris() {
        ok(
            Format::Uuid,
            &[
                "d78fc4e5-37ca-4da3-adf2-9b082bf92280",
                "D78FC4E5-37CA-4DA3-ADF2-9B082BF92280",
            ],
            &[
                "d78fc4e5-37ca-4da3-adf2-9b082bf9228",
                "d78fc4e5-37ca-4da3-adf2-9b082bf922800",
                "d78fc4e5x37ca-4da3-adf2-9b082bf92280",
                "g78fc4e5-37ca-4da3-adf2-9b082bf92280",
                "d78fc4e537ca4da3adf29b082bf92280",
            ],
        );
        ok(
            Format::Email,
            &["nome@banco.com.br", "a.b+c@x.io"],
            &[
                "nome@",
                "@banco.com",
                "nome@banco",
                "no me@banco.com",
                "a@b@banco.com",
                ".a@banco.com",
                "a..b@banco.com",
                "nome@-banco.com",
                "nome@banco..com",
            ],
        );
        ok(
            Format::Url,
            &[
                "https://api.banco.com.br/open-banking/accounts/v2/accounts",
                "urn:bancoex:C1DD33123",
                "mailto:a@b.c",
            ],
            &[
                "not a uri",
                "https://a b",
                "://x",
                "1http://x",
                "http:",
                "htt p://x",
                "https://a\u{7}",
                "ação://x",
            ],
        );
        ok(Format::Uri, &[], HOSTILE);
        ok(Format::Email, &[], HOSTILE);
    }

    #[test]
    fn addresses_and_host_names() {
        ok(
            Format::Ipv4,
            &["127.0.0.1", "255.255.255.255"],
            &["256.0.0.1", "1.2.3", "1.2.3.4.5"],
        );
        ok(
            Format::Ipv6,
            &["::1", "2001:db8::8a2e:370:7334"],
            &["::g", "1.2.3.4", ":::"],
        );
        ok(
            Format::Hostname,
            &["banco.com.br", "a", "x-1.y"],
            &[
                "-a.com",
                "a-.com",
                "a..b",
                "a_b.com",
                &"a".repeat(64),
                &"a.".repeat(127),
            ],
        );
        ok(Format::Hostname, &[], HOSTILE);
    }

    #[test]
    fn base64_and_numbers_as_text() {
        ok(
            Format::Byte,
            &["", "AAE=", "AA==", "QUJD", "ab+/"],
            &["AAE", "A===", "====", "AB=C", "QUJD\n", "ação"],
        );
        ok(
            Format::Double,
            &["-1500.50", "0", "1e3", "1E+3", "2.5e-10", "007"],
            &[
                "", "-", "1.", ".5", "1.5.0", "1e", "1e+", "+1", "1,5", "NaN", "inf", "١٢",
            ],
        );
        ok(
            Format::Integer,
            &["0", "-12", "123456789012345678901234567890"],
            &["", "-", "1.0", "+1", "1e3", "١٢", " 1"],
        );
    }

    #[test]
    fn huge_inputs_are_rejected_quickly() {
        let huge = "9".repeat(1 << 20);
        assert!(is_valid(Format::Double, &huge));
        assert!(is_valid(Format::Integer, &huge));
        for f in [
            Format::Date,
            Format::DateTime,
            Format::Uuid,
            Format::Hostname,
        ] {
            assert!(!is_valid(f, &huge));
        }
    }
}
