//! Pix QR codes (BR Code): the EMV merchant-presented payload the Central Bank's manual
//! defines, read far enough to check a payment against it. Each member is two digits of id,
//! two of length and the value; Pix's account information (id 26) nests members of its own;
//! the last member (id 63) is a CRC-16/CCITT-FALSE of everything before its value.

use std::fmt;

/// What a QR code says about the payment it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrCode {
    /// Static (a Pix key, reusable) or dynamic (a location the receiver's PSP serves).
    pub kind: Kind,
    /// The Pix key of a static code.
    pub key: Option<String>,
    /// The amount, where the code fixes one (`123.45`, as written).
    pub amount: Option<String>,
}

/// How a QR code names its receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A Pix key in the code itself.
    Static,
    /// A URL where the receiver's PSP serves the charge.
    Dynamic,
}

/// Why a text is not a Pix QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The members of one level: `(id, value)` in order.
fn members(text: &str) -> Result<Vec<(&str, &str)>, Malformed> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let head = rest
            .get(..4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                Malformed(format!(
                    "a member starts with `{}`, not 4 digits",
                    preview(rest)
                ))
            })?;
        let (id, len) = (&head[..2], head[2..].parse::<usize>().unwrap_or(0));
        let value = rest.get(4..4 + len).ok_or_else(|| {
            Malformed(format!("member {id} claims {len} characters; fewer follow"))
        })?;
        out.push((id, value));
        rest = &rest[4 + len..];
    }
    Ok(out)
}

fn preview(text: &str) -> String {
    text.chars()
        .take(8)
        .collect::<String>()
        .escape_debug()
        .to_string()
}

/// CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF), as the BR Code manual asks.
pub fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &b in bytes {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// Reads a Pix QR code, checking its structure and its CRC.
pub fn parse(text: &str) -> Result<BrCode, Malformed> {
    let top = members(text)?;
    if top.first().map(|m| m.0) != Some("00") {
        return Err(Malformed(String::from(
            "the payload format indicator (00) does not come first",
        )));
    }
    match top.last() {
        Some(("63", crc)) if crc.len() == 4 => {
            let covered = &text[..text.len() - 4];
            let want = format!("{:04X}", crc16(covered.as_bytes()));
            if !crc.eq_ignore_ascii_case(&want) {
                return Err(Malformed(format!(
                    "the CRC is {crc}; the payload's is {want}"
                )));
            }
        }
        _ => return Err(Malformed(String::from("the CRC (63) does not come last"))),
    }
    let pix = top
        .iter()
        .filter(|(id, _)| ("26".."52").contains(id))
        .filter_map(|(_, value)| members(value).ok())
        .find(|inner| {
            inner
                .iter()
                .any(|(id, v)| *id == "00" && v.eq_ignore_ascii_case("br.gov.bcb.pix"))
        })
        .ok_or_else(|| Malformed(String::from("no Pix account information (br.gov.bcb.pix)")))?;
    let field = |id: &str| pix.iter().find(|m| m.0 == id).map(|m| m.1.to_owned());
    let kind = match (field("01"), field("25")) {
        (Some(_), None) => Kind::Static,
        (None, Some(_)) => Kind::Dynamic,
        _ => {
            return Err(Malformed(String::from(
                "the Pix account information must hold a key (01) or a location (25), not both",
            )))
        }
    };
    Ok(BrCode {
        kind,
        key: field("01"),
        amount: top.iter().find(|m| m.0 == "54").map(|m| m.1.to_owned()),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A code of `kind`, with a key or location, and an amount where given, its CRC computed.
    pub(crate) fn make(kind: Kind, key: &str, amount: Option<&str>) -> String {
        let tlv = |id: &str, v: &str| format!("{id}{:02}{v}", v.len());
        let account = match kind {
            Kind::Static => tlv("01", key),
            Kind::Dynamic => tlv("25", key),
        };
        let mut text = tlv("00", "01");
        if kind == Kind::Dynamic {
            text += &tlv("01", "12");
        }
        text += &tlv("26", &(tlv("00", "br.gov.bcb.pix") + &account));
        text += &tlv("52", "0000");
        text += &tlv("53", "986");
        if let Some(a) = amount {
            text += &tlv("54", a);
        }
        text += &tlv("58", "BR");
        text += &tlv("59", "Fulano de Tal");
        text += &tlv("60", "BRASILIA");
        text += "6304";
        let crc = crc16(text.as_bytes());
        format!("{text}{crc:04X}")
    }

    #[test]
    fn the_manuals_static_example_reads() {
        // The BR Code manual's example: a random key, no amount.
        let code = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";
        let read = parse(code).expect("a valid code");
        assert_eq!(read.kind, Kind::Static);
        assert_eq!(
            read.key.as_deref(),
            Some("123e4567-e12b-12d1-a456-426655440000")
        );
        assert_eq!(read.amount, None);
    }

    #[test]
    fn static_and_dynamic_codes_are_told_apart_with_their_amount() {
        let s = parse(&make(Kind::Static, "fulano@example.com", Some("10.50"))).expect("static");
        assert_eq!((s.kind, s.amount.as_deref()), (Kind::Static, Some("10.50")));
        let d =
            parse(&make(Kind::Dynamic, "pix.example.com/qr/v2/9d36b84f", None)).expect("dynamic");
        assert_eq!((d.kind, d.key), (Kind::Dynamic, None));
    }

    #[test]
    fn a_broken_code_says_why() {
        let good = make(Kind::Static, "fulano@example.com", Some("10.50"));
        let tampered = good.replace("10.50", "99.50");
        assert!(parse(&tampered).expect_err("CRC").0.contains("CRC"));
        assert!(parse("0002").expect_err("short").0.contains("fewer follow"));
        assert!(parse("xx").expect_err("junk").0.contains("4 digits"));
        assert!(parse(&good[..good.len() - 8]).is_err());
    }
}
