//! The wire types' conversions (features `decimal` and `time`): exact both ways, and the wire
//! text never changed by reading it.

use ofb_runtime::{Date, DateTime, DecimalString};
use rust_decimal::Decimal;
use std::cmp::Ordering;

#[test]
fn decimal_text_converts_exactly_with_its_scale() {
    let amount = DecimalString::new("1.50");
    let d = amount.to_decimal().expect("a decimal");
    assert_eq!(d.scale(), 2);
    assert_eq!(
        DecimalString::from(d).as_str(),
        "1.50",
        "the scale comes back"
    );
    assert_eq!(amount.as_str(), "1.50", "reading does not change the text");
    let sum = DecimalString::new("0.1").to_decimal().expect("0.1")
        + DecimalString::new("0.2").to_decimal().expect("0.2");
    assert_eq!(
        DecimalString::from(sum).as_str(),
        "0.3",
        "no binary rounding"
    );
    assert_eq!(
        Decimal::try_from(&DecimalString::new("-123456789.0001")).map(|d| d.to_string()),
        Ok(String::from("-123456789.0001"))
    );
    for bad in ["abc", "1,50", "", "123456789012345678901234567890.123"] {
        let e = DecimalString::new(bad).to_decimal().expect_err(bad);
        assert_eq!(e.text, bad);
    }
}

#[test]
fn dates_convert_and_order_by_the_calendar() {
    let d = Date::new("2024-01-31").to_date().expect("a date");
    assert_eq!(d.to_string(), "2024-01-31");
    assert_eq!(Date::from(d).as_str(), "2024-01-31");
    assert!(Date::new("2024-02-30").to_date().is_err());
    assert!(Date::new("2024-01-31") < Date::new("2024-02-01"));
}

#[test]
fn date_times_keep_their_offset_and_order_by_instant() {
    let local = DateTime::new("2024-01-31T12:00:00-03:00");
    let utc = DateTime::new("2024-01-31T14:00:00Z");
    assert_eq!(
        local.cmp_instant(&utc),
        Some(Ordering::Greater),
        "15:00Z is after 14:00Z"
    );
    let t = local.to_offset_date_time().expect("a date-time");
    assert_eq!(t.offset().whole_hours(), -3);
    assert_eq!(DateTime::from(t).as_str(), "2024-01-31T12:00:00-03:00");
    assert_eq!(
        DateTime::new("2024-01-31T12:00:00.123Z")
            .to_offset_date_time()
            .map(|t| t.millisecond()),
        Ok(123)
    );
    assert_eq!(local.cmp_instant(&DateTime::new("yesterday")), None);
}
