//! The payment rules of the connector's document, apart from any type or database: amounts,
//! what each initiation method (`localInstrument`) must and must not carry, the QR code's
//! agreement with the payment, the payment's agreement with its consent, and the status
//! machine. Each rule answers a [`Problem`]; each operation names it with its own code.

use super::brcode::{self, Kind};
use std::time::Duration;

/// An amount in centavos, read from the documents' `"123.45"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cents(pub i64);

impl Cents {
    /// `text` as centavos: digits, a point and two digits (the documents' pattern).
    pub fn parse(text: &str) -> Option<Cents> {
        let (units, cents) = text.split_once('.')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(units) || cents.len() != 2 || !digits(cents) || units.len() > 16 {
            return None;
        }
        Some(Cents(
            units.parse::<i64>().ok()? * 100 + cents.parse::<i64>().ok()?,
        ))
    }
}

impl std::fmt::Display for Cents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// The arrangement's ceiling: an amount must stay below 999,999,999.99 reais.
pub const CEILING: Cents = Cents(99_999_999_999);

/// What the institution allows and how it settles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest amount of one payment (the institution's own limit, below [`CEILING`]).
    pub per_payment: Cents,
    /// Payments above this amount are held for analysis (PDNG) until a decision.
    pub review_above: Cents,
    /// How long each step of settlement takes (RCVD to ACCP, ACCP to ACSC).
    pub settle_after: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_payment: Cents(100_000_000),
            review_above: Cents(5_000_000),
            settle_after: Duration::from_secs(2),
        }
    }
}

/// What is wrong with a payment, before each operation names it with a code of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Above the institution's limit or the arrangement's ceiling.
    AboveLimit,
    /// Not an amount, zero, or not the QR code's.
    InvalidAmount,
    /// A QR code that cannot be read, of the wrong kind, or naming another key.
    QrCode,
    /// A member the initiation method needs is missing.
    Missing,
    /// A member the initiation method forbids is present, or a date is impossible.
    Detail,
    /// The payment says something other than its consent.
    Divergent,
    /// A kind of payment this institution does not make.
    Unsupported,
    /// A payment that cannot be cancelled in its state.
    NotCancellable,
    /// No such payment under this consent.
    Unknown,
}

/// One refusal: its problem and what a reader needs to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The problem.
    pub problem: Problem,
    /// The detail (the member, the values).
    pub detail: String,
}

impl Refusal {
    /// A refusal of `problem`, said by `detail`.
    pub fn new(problem: Problem, detail: impl Into<String>) -> Self {
        Refusal {
            problem,
            detail: detail.into(),
        }
    }
}

/// The Pix members one check reads, from a consent's `details` or from a payment.
#[derive(Debug, Clone, Copy)]
pub struct Pix<'a> {
    /// Where these members stand, to name them in refusals (`consent.payment.details`).
    pub at: &'a str,
    /// The initiation method, as sent (`DICT`).
    pub instrument: &'a str,
    /// The Pix key.
    pub proxy: Option<&'a str>,
    /// The QR code read by the payer.
    pub qr_code: Option<&'a str>,
    /// The amount, as sent.
    pub amount: &'a str,
}

/// The QR code kind an initiation method needs, `None` where it takes no QR code, or the
/// method unknown to this institution.
fn qr_kind(instrument: &str) -> Result<Option<Kind>, ()> {
    match instrument {
        "MANU" | "DICT" | "INIC" => Ok(None),
        "QRES" | "APES" => Ok(Some(Kind::Static)),
        "QRDN" | "APDN" => Ok(Some(Kind::Dynamic)),
        _ => Err(()),
    }
}

/// Every refusal of `pix` on its own: its amount, the members its method needs and forbids,
/// and its QR code.
pub fn check(pix: &Pix<'_>, limits: &Limits) -> Vec<Refusal> {
    let mut out = Vec::new();
    let at = pix.at;
    match Cents::parse(pix.amount) {
        None | Some(Cents(0)) => out.push(Refusal::new(
            Problem::InvalidAmount,
            format!(
                "{at}: the amount `{}` is not a positive amount with two decimals",
                pix.amount
            ),
        )),
        Some(a) if a >= CEILING => out.push(Refusal::new(
            Problem::AboveLimit,
            format!("{at}: {a} is not below the arrangement's ceiling of {CEILING}"),
        )),
        Some(a) if a > limits.per_payment => out.push(Refusal::new(
            Problem::AboveLimit,
            format!(
                "{at}: {a} is above this institution's limit of {}",
                limits.per_payment
            ),
        )),
        Some(_) => {}
    }
    let method = pix.instrument;
    let Ok(kind) = qr_kind(method) else {
        out.push(Refusal::new(
            Problem::Unsupported,
            format!("{at}: payments initiated by {method} are not made by this institution"),
        ));
        return out;
    };
    match (method, pix.proxy) {
        ("MANU", Some(_)) => out.push(Refusal::new(
            Problem::Detail,
            format!("{at}.proxy: a manual (MANU) payment carries no Pix key"),
        )),
        ("MANU", None) | (_, Some(_)) => {}
        (_, None) => out.push(Refusal::new(
            Problem::Missing,
            format!("{at}.proxy: a {method} payment names its Pix key"),
        )),
    }
    match (kind, pix.qr_code) {
        (None, Some(_)) => out.push(Refusal::new(
            Problem::Detail,
            format!("{at}.qrCode: a {method} payment carries no QR code"),
        )),
        (None, None) => {}
        (Some(_), None) => out.push(Refusal::new(
            Problem::Missing,
            format!("{at}.qrCode: a {method} payment carries the QR code read"),
        )),
        (Some(kind), Some(text)) => out.extend(check_qr(pix, kind, text)),
    }
    out
}

fn check_qr(pix: &Pix<'_>, want: Kind, text: &str) -> Vec<Refusal> {
    let at = pix.at;
    let code = match brcode::parse(text) {
        Ok(c) => c,
        Err(e) => {
            return vec![Refusal::new(
                Problem::QrCode,
                format!("{at}.qrCode: not a Pix QR code: {e}"),
            )]
        }
    };
    if code.kind != want {
        return vec![Refusal::new(
            Problem::QrCode,
            format!(
                "{at}.qrCode: a {} payment needs a {want:?} QR code; this one is {:?}",
                pix.instrument, code.kind
            ),
        )];
    }
    let mut out = Vec::new();
    if want == Kind::Static {
        if let Some(amount) = &code.amount {
            let same = Cents::parse(amount).is_some_and(|a| Some(a) == Cents::parse(pix.amount));
            if !same {
                out.push(Refusal::new(
                    Problem::InvalidAmount,
                    format!(
                        "{at}: the amount {} is not the QR code's {amount}",
                        pix.amount
                    ),
                ));
            }
        }
        if code.key.as_deref() != pix.proxy {
            out.push(Refusal::new(
                Problem::QrCode,
                format!(
                    "{at}.proxy: the QR code's key is {:?}, the payment's {:?}",
                    code.key.as_deref().unwrap_or_default(),
                    pix.proxy.unwrap_or_default()
                ),
            ));
        }
    }
    out
}

/// Every member in which a payment says something other than its consent: each `(member,
/// consent's, payment's)` that differs is one refusal.
pub fn divergences<'a>(pairs: impl IntoIterator<Item = (&'a str, String, String)>) -> Vec<Refusal> {
    pairs
        .into_iter()
        .filter(|(_, consent, payment)| consent != payment)
        .map(|(member, consent, payment)| {
            Refusal::new(
                Problem::Divergent,
                format!("{member}: the consent says {consent}, the payment {payment}"),
            )
        })
        .collect()
}

/// The states of a payment this institution uses (of the document's nine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Received; checks still to run before settlement.
    Rcvd,
    /// Every check passed; ready to settle.
    Accp,
    /// Settled.
    Acsc,
    /// Rejected (the rejection reason says why).
    Rjct,
    /// Held for analysis.
    Pdng,
    /// Scheduled for a later day.
    Schd,
    /// Cancelled at the payer's request.
    Canc,
}

impl Status {
    /// The code on the wire.
    pub fn code(self) -> &'static str {
        match self {
            Status::Rcvd => "RCVD",
            Status::Accp => "ACCP",
            Status::Acsc => "ACSC",
            Status::Rjct => "RJCT",
            Status::Pdng => "PDNG",
            Status::Schd => "SCHD",
            Status::Canc => "CANC",
        }
    }

    /// The status of a code this institution wrote.
    pub fn parse(code: &str) -> Option<Status> {
        [
            Status::Rcvd,
            Status::Accp,
            Status::Acsc,
            Status::Rjct,
            Status::Pdng,
            Status::Schd,
            Status::Canc,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// Where a payment stands: its status, since when (Unix seconds), and the day it is due
/// (days since 1970-01-01, Brasília).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// The status.
    pub status: Status,
    /// When it took this status.
    pub since: i64,
    /// The day it settles on.
    pub due: i64,
}

/// The status a new payment takes: scheduled when due after today, held for analysis above
/// the review amount, received otherwise.
pub fn admit(amount: Cents, due: i64, today: i64, limits: &Limits) -> Status {
    if due > today {
        Status::Schd
    } else if amount > limits.review_above {
        Status::Pdng
    } else {
        Status::Rcvd
    }
}

/// Where `state` stands at `now` (Unix seconds; `today` its Brasília day), settlement having
/// run its steps: a scheduled payment starts on its day; each step takes `settle_after`.
pub fn settle(mut state: State, now: i64, today: i64, limits: &Limits) -> State {
    let step = limits.settle_after.as_secs() as i64;
    loop {
        let next = match state.status {
            Status::Schd if today >= state.due => Some((Status::Accp, now.max(state.since))),
            Status::Rcvd | Status::Accp if now >= state.since + step => {
                let to = if state.status == Status::Rcvd {
                    Status::Accp
                } else {
                    Status::Acsc
                };
                Some((to, state.since + step))
            }
            _ => None,
        };
        match next {
            Some((status, since)) => {
                state = State {
                    status,
                    since,
                    ..state
                }
            }
            None => return state,
        }
    }
}

/// Cancels `state` where the rules allow it: a payment held for analysis, or one scheduled,
/// until the day before it is due (Brasília).
pub fn cancel(state: State, now: i64, today: i64) -> Result<State, Refusal> {
    match state.status {
        Status::Pdng => {}
        Status::Schd if today < state.due => {}
        Status::Schd => {
            return Err(Refusal::new(
                Problem::NotCancellable,
                "a scheduled payment is cancelled until the day before it is due",
            ))
        }
        other => {
            return Err(Refusal::new(
                Problem::NotCancellable,
                format!(
                    "a payment in {} cannot be cancelled (only PDNG and SCHD can)",
                    other.code()
                ),
            ))
        }
    }
    Ok(State {
        status: Status::Canc,
        since: now,
        ..state
    })
}

#[cfg(test)]
mod tests {
    use super::brcode::tests::make;
    use super::*;

    fn pix<'a>(instrument: &'a str, proxy: Option<&'a str>, qr: Option<&'a str>) -> Pix<'a> {
        Pix {
            at: "payment",
            instrument,
            proxy,
            qr_code: qr,
            amount: "10.50",
        }
    }

    fn problems(p: &Pix<'_>) -> Vec<Problem> {
        check(p, &Limits::default())
            .iter()
            .map(|r| r.problem)
            .collect()
    }

    #[test]
    fn amounts_are_read_to_the_centavo() {
        assert_eq!(Cents::parse("100000.12"), Some(Cents(10_000_012)));
        assert_eq!(Cents::parse("0.05"), Some(Cents(5)));
        for bad in ["1", "1.5", "1.555", ".50", "-1.00", "1e3.00", ""] {
            assert_eq!(Cents::parse(bad), None, "{bad}");
        }
        assert_eq!(Cents(10_000_012).to_string(), "100000.12");
    }

    #[test]
    fn each_method_carries_what_it_needs_and_nothing_it_forbids() {
        let key = "fulano@example.com";
        let qr_static = make(Kind::Static, key, None);
        let qr_dynamic = make(Kind::Dynamic, "psp.example.com/qr/v2/1", None);
        assert_eq!(problems(&pix("MANU", None, None)), []);
        assert_eq!(problems(&pix("MANU", Some(key), None)), [Problem::Detail]);
        assert_eq!(problems(&pix("DICT", Some(key), None)), []);
        assert_eq!(problems(&pix("DICT", None, None)), [Problem::Missing]);
        assert_eq!(
            problems(&pix("INIC", Some(key), Some(&qr_static))),
            [Problem::Detail]
        );
        assert_eq!(problems(&pix("QRES", Some(key), Some(&qr_static))), []);
        assert_eq!(problems(&pix("QRES", Some(key), None)), [Problem::Missing]);
        assert_eq!(problems(&pix("QRDN", Some(key), Some(&qr_dynamic))), []);
        assert_eq!(problems(&pix("APDN", Some(key), Some(&qr_dynamic))), []);
        assert_eq!(
            problems(&pix("QRDN", Some(key), Some(&qr_static))),
            [Problem::QrCode]
        );
        assert_eq!(
            problems(&pix("QRES", Some(key), Some("not a code"))),
            [Problem::QrCode]
        );
        assert_eq!(problems(&pix("AUTO", None, None)), [Problem::Unsupported]);
    }

    #[test]
    fn a_static_code_fixes_the_key_and_the_amount() {
        let key = "fulano@example.com";
        let priced = make(Kind::Static, key, Some("99.00"));
        assert_eq!(
            problems(&pix("QRES", Some(key), Some(&priced))),
            [Problem::InvalidAmount]
        );
        let same = make(Kind::Static, key, Some("10.50"));
        assert_eq!(problems(&pix("QRES", Some(key), Some(&same))), []);
        assert_eq!(
            problems(&pix("QRES", Some("another@example.com"), Some(&same))),
            [Problem::QrCode]
        );
    }

    #[test]
    fn amounts_stay_within_the_limits() {
        let at = |amount| Pix {
            amount,
            ..pix("MANU", None, None)
        };
        assert_eq!(problems(&at("0.00")), [Problem::InvalidAmount]);
        assert_eq!(problems(&at("999999999.99")), [Problem::AboveLimit]);
        assert_eq!(problems(&at("1000000.01")), [Problem::AboveLimit]);
        assert_eq!(problems(&at("1000000.00")), []);
    }

    #[test]
    fn a_payment_settles_step_by_step_and_a_scheduled_one_on_its_day() {
        let limits = Limits {
            settle_after: Duration::from_secs(10),
            ..Limits::default()
        };
        let day = 20_000;
        let received = State {
            status: Status::Rcvd,
            since: 1_000,
            due: day,
        };
        assert_eq!(settle(received, 1_005, day, &limits).status, Status::Rcvd);
        assert_eq!(settle(received, 1_010, day, &limits).status, Status::Accp);
        assert_eq!(
            settle(received, 1_020, day, &limits),
            State {
                status: Status::Acsc,
                since: 1_020,
                due: day
            }
        );
        let scheduled = State {
            status: Status::Schd,
            since: 0,
            due: day + 1,
        };
        assert_eq!(settle(scheduled, 5_000, day, &limits).status, Status::Schd);
        assert_eq!(
            settle(scheduled, 5_000, day + 1, &limits).status,
            Status::Accp
        );
        let held = State {
            status: Status::Pdng,
            since: 0,
            due: day,
        };
        assert_eq!(
            settle(held, 1_000_000, day + 9, &limits).status,
            Status::Pdng
        );
        assert_eq!(admit(Cents(100), day, day, &limits), Status::Rcvd);
        assert_eq!(admit(Cents(100), day + 1, day, &limits), Status::Schd);
        assert_eq!(admit(Cents(5_000_001), day, day, &limits), Status::Pdng);
    }

    #[test]
    fn only_held_and_scheduled_payments_cancel_and_a_scheduled_one_until_the_day_before() {
        let day = 20_000;
        let at = |status| State {
            status,
            since: 0,
            due: day,
        };
        assert_eq!(
            cancel(at(Status::Pdng), 7, day).map(|s| s.status),
            Ok(Status::Canc)
        );
        assert_eq!(
            cancel(at(Status::Schd), 7, day - 1).map(|s| s.status),
            Ok(Status::Canc)
        );
        for (status, today) in [
            (Status::Schd, day),
            (Status::Rcvd, day),
            (Status::Accp, day),
            (Status::Acsc, day),
            (Status::Rjct, day),
            (Status::Canc, day),
        ] {
            let e = cancel(at(status), 7, today).expect_err("not cancellable");
            assert_eq!(e.problem, Problem::NotCancellable, "{status:?}");
        }
    }

    #[test]
    fn statuses_read_back_from_their_codes() {
        for s in [
            Status::Rcvd,
            Status::Accp,
            Status::Acsc,
            Status::Rjct,
            Status::Pdng,
            Status::Schd,
            Status::Canc,
        ] {
            assert_eq!(Status::parse(s.code()), Some(s));
        }
        assert_eq!(Status::parse("PATC"), None);
    }
}
