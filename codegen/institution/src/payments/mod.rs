//! The payment connector on the institution's database: the generated `Payments` trait
//! implemented the way an account holder runs it, so that the platform's payment flow has a
//! real back-end to walk.
//!
//! - [`rules`]: amounts, what each initiation method carries, the QR code, the consent's
//!   agreement and the status machine, apart from any type or database;
//! - [`brcode`]: Pix QR codes, read and checked;
//! - [`ledger`]: the payments table, changed by compare-and-set.
//!
//! Single Pix payments of a payment consent are made (MANU, DICT, INIC, QRES, QRDN, and the
//! NFC methods APES and APDN where the document lets them through). A new payment is RCVD,
//! SCHD when due on a later day, PDNG above [`Limits::review_above`] until
//! [`Connector::review`] decides, or RJCT when it would pay the debtor's own account.
//! Settlement is simulated: each step (RCVD to ACCP, ACCP to ACSC) takes
//! [`Limits::settle_after`], and a scheduled payment starts on its day; a bank puts its core
//! banking where [`rules::settle`] stands. Recurring consents (automatic Pix, sweeping) and
//! TED/TEF are refused with a 422 that says so.
//!
//! Each refusal is a 422 with the document's code for its operation. Two codes are this
//! institution's, where the document leaves the code free: `PAGAMENTO_NAO_ENCONTRADO` (no
//! such payment under the consent) and `PAGAMENTO_NAO_PERMITE_CANCELAMENTO` (the document's
//! own name for a cancellation its rules refuse).

pub mod brcode;
pub mod ledger;
pub mod rules;

use crate::answer::{self, Error};
use crate::store::{Query, Store};
use ledger::Payment;
use ofb_integration_payments_v5 as payments;
use ofb_runtime::server::Context;
use payments::operations::*;
use payments::types::*;
use rules::{Cents, Limits, Pix, Problem, Refusal, State, Status};
use serde_json::{json, Value};
use std::sync::Arc;

/// Unix seconds now; tests move it.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The payment connector of the reference institution.
#[derive(Clone)]
pub struct Connector {
    store: Store,
    limits: Limits,
    ispb: String,
    clock: Clock,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("store", &self.store)
            .field("limits", &self.limits)
            .field("ispb", &self.ispb)
            .finish_non_exhaustive()
    }
}

/// Brasília's offset from UTC, in seconds (no daylight saving time since 2019).
const BRASILIA: i64 = -3 * 3600;

/// The Brasília day of `secs` (days since 1970-01-01).
fn brasilia_day(secs: i64) -> i64 {
    (secs + BRASILIA).div_euclid(86_400)
}

impl Connector {
    /// The connector on `store`, its accounts at the institution of `ispb` (8 digits).
    pub fn new(store: Store, ispb: impl Into<String>, limits: Limits) -> Self {
        Connector {
            store,
            limits,
            ispb: ispb.into(),
            clock: Arc::new(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64)
            }),
        }
    }

    /// The same connector, reading the time from `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    fn now(&self) -> (i64, i64) {
        let now = (self.clock)();
        (now, brasilia_day(now))
    }

    /// Decides a payment held for analysis: approved, it goes on to settle; refused, it is
    /// rejected (`PAGAMENTO_RECUSADO_DETENTORA`). `None` where no such payment is held.
    pub async fn review(&self, id: &str, approve: bool) -> Result<Option<Status>, Error> {
        let Some(mut p) = self.store.payment(id).await? else {
            return Ok(None);
        };
        if p.state.status != Status::Pdng {
            return Ok(None);
        }
        let (now, _) = self.now();
        let (status, reason) = if approve {
            (Status::Accp, None)
        } else {
            (
                Status::Rjct,
                Some(("PAGAMENTO_RECUSADO_DETENTORA", "refused on analysis")),
            )
        };
        p.state = State {
            status,
            since: now,
            ..p.state
        };
        stamp(&mut p, reason);
        let changed = self.store.change_payment(&p, Status::Pdng).await?;
        Ok(changed.then_some(status))
    }

    /// The payment `id` of `consent`, settled to now (and the change stored).
    async fn current(&self, id: &str, consent: &str) -> Result<Option<Payment>, Error> {
        for _ in 0..3 {
            let Some(mut p) = self.store.payment(id).await? else {
                return Ok(None);
            };
            if p.consent != consent {
                return Ok(None);
            }
            let (now, today) = self.now();
            let settled = rules::settle(p.state, now, today, &self.limits);
            if settled == p.state {
                return Ok(Some(p));
            }
            let from = p.state.status;
            p.state = settled;
            stamp(&mut p, None);
            if self.store.change_payment(&p, from).await? {
                return Ok(Some(p));
            }
        }
        Err(Error::Shape(format!(
            "payment {id} kept changing while it was read"
        )))
    }

    /// The customer's first account at this institution, as a payment account.
    async fn first_account(&self, customer: &str) -> Result<Option<Value>, Error> {
        Ok(self
            .accounts(customer)
            .await?
            .into_iter()
            .next()
            .map(|a| a.1))
    }

    /// The customer's name, from their identification record.
    async fn name(&self, customer: &str) -> Result<String, Error> {
        let q = Query {
            family: "customers",
            kind: "personal-identification",
            owner: customer,
            resource: Some(customer),
            from: None,
            to: None,
        };
        let record = self.store.one(&q).await?.unwrap_or_default();
        let record: Value = serde_json::from_str(&record).unwrap_or_default();
        Ok(record["civilName"].as_str().unwrap_or(customer).to_owned())
    }

    /// The customer's accounts: each one's legacy id and payment account.
    async fn accounts(&self, customer: &str) -> Result<Vec<(Value, Value)>, Error> {
        let q = Query {
            family: "accounts",
            kind: "account",
            owner: customer,
            resource: None,
            from: None,
            to: None,
        };
        let page = self.store.page(&q, 1, 1000).await?;
        page.bodies
            .iter()
            .map(|b| {
                let a: Value = serde_json::from_str(b).map_err(|e| Error::Shape(e.to_string()))?;
                let text = |k: &str| a[k].as_str().unwrap_or_default().to_owned();
                let kind = match a["type"].as_str() {
                    Some("CONTA_POUPANCA") => "SVGS",
                    Some("CONTA_PAGAMENTO_PRE_PAGA") => "TRAN",
                    _ => "CACC",
                };
                let account = json!({
                    "ispb": self.ispb,
                    "issuer": text("branchCode"),
                    "number": format!("{}{}", text("number"), text("checkDigit")),
                    "accountType": kind,
                });
                Ok((a["accountId"].clone(), account))
            })
            .collect()
    }
}

/// Writes the state into the answer's body: status, when it changed, and the rejection.
fn stamp(p: &mut Payment, reason: Option<(&str, &str)>) {
    p.body["status"] = Value::from(p.state.status.code());
    p.body["statusUpdateDateTime"] = Value::from(answer::rfc3339(p.state.since));
    if let Some((code, detail)) = reason {
        p.body["rejectionReason"] = json!({ "code": code, "detail": detail });
    }
}

fn decode<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, Error> {
    serde_json::from_value(value).map_err(|e| Error::Shape(e.to_string()))
}

/// `{"errors": [...]}` of `refusals`, each coded by `code`.
fn errors(refusals: &[Refusal], code: impl Fn(Problem) -> &'static str) -> Value {
    let errors: Vec<Value> = refusals
        .iter()
        .map(|r| {
            json!({
                "code": code(r.problem),
                "title": title(r.problem),
                "detail": r.detail.chars().take(2048).collect::<String>(),
            })
        })
        .collect();
    json!({ "errors": errors })
}

fn title(p: Problem) -> &'static str {
    match p {
        Problem::AboveLimit => "Amount above the limit",
        Problem::InvalidAmount => "Invalid amount",
        Problem::QrCode => "Invalid QR code",
        Problem::Missing => "Member not informed",
        Problem::Detail => "Invalid payment detail",
        Problem::Divergent => "Payment differs from its consent",
        Problem::Unsupported => "Payment not supported",
        Problem::NotCancellable => "Payment does not allow cancellation",
        Problem::Unknown => "Payment not found",
    }
}

/// Payment creation's codes.
fn creation_code(p: Problem) -> &'static str {
    match p {
        Problem::AboveLimit => "VALOR_ACIMA_LIMITE",
        Problem::InvalidAmount => "VALOR_INVALIDO",
        Problem::Missing => "NAO_INFORMADO",
        Problem::Divergent => "PAGAMENTO_DIVERGENTE_CONSENTIMENTO",
        Problem::QrCode | Problem::Detail | Problem::Unsupported => "DETALHE_PAGAMENTO_INVALIDO",
        Problem::NotCancellable | Problem::Unknown => "PARAMETRO_INVALIDO",
    }
}

/// Payment validation's codes, at consent creation (`POST_CONSENT`) or before paying.
fn validation_code(consent_stage: bool) -> impl Fn(Problem) -> &'static str {
    move |p| match (p, consent_stage) {
        (Problem::AboveLimit, _) => "VALOR_ACIMA_LIMITE",
        (Problem::Missing, _) => "NAO_INFORMADO",
        (Problem::QrCode, true) => "QRCODE_INVALIDO",
        (_, true) => "VALOR_INVALIDO",
        (Problem::InvalidAmount, false) => "VALOR_INVALIDO",
        (_, false) => "DETALHE_PAGAMENTO_INVALIDO",
    }
}

/// Find's and cancellation's codes.
fn lookup_code(p: Problem) -> &'static str {
    match p {
        Problem::NotCancellable => "PAGAMENTO_NAO_PERMITE_CANCELAMENTO",
        _ => "PAGAMENTO_NAO_ENCONTRADO",
    }
}

/// The consent's `externalId`, whatever its kind.
fn consent_id(c: &CreatePixPaymentConsent) -> &str {
    match c {
        CreatePixPaymentConsent::ConsentPayment(c) => &c.external_id,
        CreatePixPaymentConsent::ConsentRecurringPayment(c) => &c.external_id,
    }
}

/// The payment a find or cancellation names: the `paymentId` this institution answered.
fn payment_id(ids: &[AcceptedResourcesItemResourceLegacyIdItem]) -> Option<&str> {
    ids.iter()
        .find(|i| i.key == "paymentId")
        .and_then(|i| i.value.as_deref())
}

fn to_json(v: &impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A shown value for divergence reports: JSON of an optional member, `absent` where none.
fn shown(v: Option<&str>) -> String {
    v.map_or_else(|| String::from("absent"), |s| format!("{s:?}"))
}

/// The day a consent's payment is due: today without a schedule, the single date of a
/// single schedule, the payment's own date for the others.
fn due_day(
    schedule: Option<&PaymentConsentSchedule>,
    date: Option<&ofb_runtime::Date>,
    today: i64,
) -> Result<i64, Refusal> {
    let day = |d: &ofb_runtime::Date, at: &str| {
        answer::days(d.as_str())
            .ok_or_else(|| Refusal::new(Problem::Detail, format!("{at}: not a date")))
    };
    match schedule {
        None => Ok(today),
        Some(PaymentConsentSchedule::Schedule(s)) => {
            day(&s.single.date, "consent.payment.schedule.single.date")
        }
        Some(_) => match date {
            Some(d) => day(d, "requestBody.data.date"),
            None => Err(Refusal::new(
                Problem::Missing,
                "requestBody.data.date: a payment of a recurring schedule names its day",
            )),
        },
    }
}

impl payments::server::Payments for Connector {
    type Error = Error;

    async fn post_account_discovery(
        &self,
        request: PostAccountDiscoveryRequest,
        _: Context,
    ) -> Result<PostAccountDiscoveryResponse, Error> {
        let consent = to_json(&request.body.consent);
        let customer = consent["loggedUser"]["document"]["identification"]
            .as_str()
            .unwrap_or_default();
        // The customer authorizes payments from their own accounts.
        let name = self.name(customer).await?;
        let resources: Vec<Value> = self
            .accounts(customer)
            .await?
            .into_iter()
            .map(|(legacy, account)| {
                json!({
                    "resourceName": [
                        {"key": "branch", "value": account["issuer"]},
                        {"key": "account", "value": account["number"]},
                    ],
                    "resourceLegacyId": legacy,
                    "authorizers": [{ "cpf": customer, "name": name }],
                    "debtorAccount": account,
                })
            })
            .collect();
        Ok(PostAccountDiscoveryResponse::Ok(decode(
            json!({ "data": { "resources": resources } }),
        )?))
    }

    async fn post_payment_validation(
        &self,
        request: PostPaymentValidationRequest,
        _: Context,
    ) -> Result<PostPaymentValidationResponse, Error> {
        let (refusals, consent_stage) = match &request.body.request_body.data {
            PaymentValidationRequestBodyData::ValidatePaymentConsentPaymentValidation(v) => {
                let p = &v.payment;
                let consent_stage = v.validation_stage != Some(EnumValidationStage::PostPayment);
                let pix = Pix {
                    at: "requestBody.data.payment",
                    instrument: p.details.local_instrument.as_str(),
                    proxy: p.details.proxy.as_deref(),
                    qr_code: p.details.qr_code.as_deref(),
                    amount: &p.amount,
                };
                let mut refusals = rules::check(&pix, &self.limits);
                let single = matches!(p.schedule, None | Some(PaymentConsentSchedule::Schedule(_)));
                if !single && !matches!(pix.instrument, "MANU" | "DICT" | "QRES") {
                    refusals.push(Refusal::new(
                        Problem::Detail,
                        format!(
                            "requestBody.data.payment.schedule: a recurring schedule is paid by MANU, DICT or QRES, not {}",
                            pix.instrument
                        ),
                    ));
                }
                (refusals, consent_stage)
            }
            PaymentValidationRequestBodyData::ValidatePaymentRecurringConsent(_) => (
                vec![Refusal::new(
                    Problem::Unsupported,
                    "requestBody.data: recurring consents are not paid by this institution",
                )],
                true,
            ),
        };
        if refusals.is_empty() {
            return Ok(PostPaymentValidationResponse::Ok(serde_json::Map::new()));
        }
        Ok(PostPaymentValidationResponse::UnprocessableEntity(decode(
            errors(&refusals, validation_code(consent_stage)),
        )?))
    }

    async fn post_payments(
        &self,
        request: PostPaymentsRequest,
        _: Context,
    ) -> Result<PostPaymentsResponse, Error> {
        let b = &request.body;
        let refuse = |refusals: Vec<Refusal>| {
            decode(errors(&refusals, creation_code)).map(PostPaymentsResponse::UnprocessableEntity)
        };
        let pix_consent = match &b.consent {
            CreatePixPaymentConsent::ConsentPayment(c) => match &c.payment {
                ConsentPaymentPayment::PixPaymentConsent(p) => Some((c, p)),
                ConsentPaymentPayment::TedTefPaymentConsent(_) => None,
            },
            CreatePixPaymentConsent::ConsentRecurringPayment(_) => None,
        };
        let Some((consent, cp)) = pix_consent else {
            return refuse(vec![Refusal::new(
                Problem::Unsupported,
                "consent: this institution pays Pix payment consents only (not recurring consents nor TED/TEF)",
            )]);
        };
        let d = &b.request_body.data;
        let (now, today) = self.now();
        let pix = Pix {
            at: "requestBody.data",
            instrument: d.local_instrument.as_str(),
            proxy: d.proxy.as_deref(),
            qr_code: d.qr_code.as_deref(),
            amount: &d.payment.amount,
        };
        let mut refusals = rules::check(&pix, &self.limits);
        let details = &cp.details;
        let mut pairs = vec![
            (
                "localInstrument",
                details.local_instrument.as_str().to_owned(),
                pix.instrument.to_owned(),
            ),
            (
                "payment.amount",
                cp.amount.clone(),
                d.payment.amount.clone(),
            ),
            (
                "payment.currency",
                cp.currency.clone(),
                d.payment.currency.clone(),
            ),
            ("proxy", shown(details.proxy.as_deref()), shown(pix.proxy)),
            (
                "qrCode",
                shown(details.qr_code.as_deref()),
                shown(pix.qr_code),
            ),
            (
                "creditorAccount",
                to_json(&details.creditor_account).to_string(),
                to_json(&d.creditor_account).to_string(),
            ),
        ];
        if let Some(town) = &d.ibge_town_code {
            pairs.push((
                "ibgeTownCode",
                shown(cp.ibge_town_code.as_deref()),
                shown(Some(town)),
            ));
        }
        refusals.extend(rules::divergences(pairs));
        let due = match due_day(cp.schedule.as_ref(), d.date.as_ref(), today) {
            Ok(due) if due < today => {
                refusals.push(Refusal::new(Problem::Detail, "the payment's day is past"));
                today
            }
            Ok(due) => due,
            Err(r) => {
                refusals.push(r);
                today
            }
        };
        let customer = consent.logged_user.document.identification.as_str();
        let debtor = match &consent.debtor_account {
            Some(a) => Some(to_json(a)),
            None => self.first_account(customer).await?,
        };
        let Some(debtor) = debtor else {
            refusals.push(Refusal::new(
                Problem::Missing,
                "consent.debtorAccount: the consent names no account and the customer has none here",
            ));
            return refuse(refusals);
        };
        if !refusals.is_empty() {
            return refuse(refusals);
        }
        let amount = Cents::parse(&d.payment.amount).unwrap_or(Cents(0));
        let creditor = to_json(&d.creditor_account);
        let same = |k: &str| debtor[k] == creditor[k];
        let (status, reason) = if same("ispb") && same("issuer") && same("number") {
            (
                Status::Rjct,
                Some((
                    "CONTAS_ORIGEM_DESTINO_IGUAIS",
                    "the creditor's account is the debtor's",
                )),
            )
        } else {
            (rules::admit(amount, due, today, &self.limits), None)
        };
        let id = uuid::Uuid::new_v4().to_string();
        let mut body = json!({
            "paymentId": [{ "key": "paymentId", "value": id }],
            "endToEndId": d.end_to_end_id,
            "creationDateTime": answer::rfc3339(now),
            "localInstrument": pix.instrument,
            "cnpjInitiator": d.cnpj_initiator,
            "payment": { "amount": d.payment.amount, "currency": d.payment.currency },
            "creditorAccount": creditor,
            "debtorAccount": debtor,
        });
        for (member, value) in [
            ("proxy", to_json(&d.proxy)),
            ("ibgeTownCode", to_json(&d.ibge_town_code)),
            (
                "transactionIdentification",
                to_json(&d.transaction_identification),
            ),
            ("remittanceInformation", to_json(&d.remittance_information)),
            ("authorisationFlow", to_json(&d.authorisation_flow)),
        ] {
            if !value.is_null() {
                body[member] = value;
            }
        }
        let mut payment = Payment {
            id,
            consent: consent.external_id.clone(),
            end_to_end_id: d.end_to_end_id.clone(),
            state: State {
                status,
                since: now,
                due,
            },
            body,
        };
        stamp(&mut payment, reason);
        if !self.store.insert_payment(&payment).await? {
            return refuse(vec![Refusal::new(
                Problem::Detail,
                format!(
                    "requestBody.data.endToEndId: {} was paid by another payment",
                    payment.end_to_end_id
                ),
            )]);
        }
        Ok(PostPaymentsResponse::Created(decode(json!({
            "data": payment.body,
            "meta": { "hasMoreRecords": false, "requestDateTime": answer::now() },
        }))?))
    }

    async fn post_find(
        &self,
        request: PostFindRequest,
        _: Context,
    ) -> Result<PostFindResponse, Error> {
        let b = &request.body;
        let found = match payment_id(&b.payment_id) {
            Some(id) => self.current(id, consent_id(&b.consent)).await?,
            None => None,
        };
        let Some(p) = found else {
            let r = Refusal::new(
                Problem::Unknown,
                "paymentId: no such payment under this consent",
            );
            return Ok(PostFindResponse::UnprocessableEntity(decode(errors(
                &[r],
                lookup_code,
            ))?));
        };
        Ok(PostFindResponse::Ok(decode(json!({
            "data": p.body,
            "meta": { "hasMoreRecords": false, "requestDateTime": answer::now() },
        }))?))
    }

    async fn post_cancellation(
        &self,
        request: PostCancellationRequest,
        _: Context,
    ) -> Result<PostCancellationResponse, Error> {
        let b = &request.body;
        let refuse = |r: Refusal| {
            decode(errors(&[r], lookup_code)).map(PostCancellationResponse::UnprocessableEntity)
        };
        let Some(id) = payment_id(&b.payment_id) else {
            return refuse(Refusal::new(
                Problem::Unknown,
                "paymentId: names no payment",
            ));
        };
        for _ in 0..3 {
            let Some(mut p) = self.current(id, consent_id(&b.consent)).await? else {
                return refuse(Refusal::new(
                    Problem::Unknown,
                    "paymentId: no such payment under this consent",
                ));
            };
            let (now, today) = self.now();
            let from = p.state.status;
            match rules::cancel(p.state, now, today) {
                Ok(state) => p.state = state,
                Err(r) => return refuse(r),
            }
            stamp(&mut p, None);
            if self.store.change_payment(&p, from).await? {
                return Ok(PostCancellationResponse::Ok(decode(json!({
                    "data": p.body,
                    "meta": { "hasMoreRecords": false, "requestDateTime": answer::now() },
                }))?));
            }
        }
        Err(Error::Shape(format!(
            "payment {id} kept changing while it was cancelled"
        )))
    }
}
