//! The platform's payment walk against the reference back-end (`ofb_institution::payments`),
//! on SQLite and on PostgreSQL: every body signed by the generated client and verified by the
//! generated router, the institution's rules answering each step. The clock is the test's, so
//! that settlement, a scheduled day and the cancellation deadline can be reached.

use ofb_institution::payments::rules::Limits;
use ofb_institution::payments::Connector;
use ofb_institution::seed::{customer, Seed};
use ofb_institution::store::Store;
use ofb_integration_payments_v5 as payments;
use ofb_runtime::server::testing::TestServer;
use ofb_runtime::testing::keys::TestKeys;
use payments::client::{Client, Config};
use payments::examples as ex;
use payments::types::{ResponseCreatePixPayment, ResponseCreatePixPaymentDataStatus as Status};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[allow(dead_code)]
mod postgres;

/// 2026-12-08 12:00 UTC (09:00 in Brasília).
const NOON: i64 = 1_796_731_200;
const DAY: i64 = 86_400;
const SETTLE: i64 = 5;
const KEY: &str = "fulano@example.com";

/// A Pix QR code (BR Code): static with a key, or dynamic with a location, and its CRC.
fn qr(dynamic: bool, key: &str, amount: Option<&str>) -> String {
    let tlv = |id: &str, v: &str| format!("{id}{:02}{v}", v.len());
    let mut text = tlv("00", "01");
    let account = if dynamic {
        text += &tlv("01", "12");
        tlv("25", key)
    } else {
        tlv("01", key)
    };
    text += &tlv("26", &(tlv("00", "br.gov.bcb.pix") + &account));
    text += &(tlv("52", "0000") + &tlv("53", "986"));
    if let Some(a) = amount {
        text += &tlv("54", a);
    }
    text += &(tlv("58", "BR") + &tlv("59", "Fulano de Tal") + &tlv("60", "BRASILIA") + "6304");
    // The CRC is checked against the BR Code manual's own example in the crate's unit tests.
    let crc = ofb_institution::payments::brcode::crc16(text.as_bytes());
    format!("{text}{crc:04X}")
}

fn example(text: &str) -> Value {
    serde_json::from_str(text).expect("the document's example")
}

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("a body of the document's type")
}

/// The walk's platform: a signing client, the customer, and fresh ids for each payment.
struct Platform {
    client: Client,
    customer: String,
    next: AtomicU64,
}

/// What one payment's consent and request say.
#[derive(Clone)]
struct Pay {
    instrument: &'static str,
    amount: &'static str,
    proxy: Option<String>,
    qr: Option<String>,
    /// The consent's single schedule date, where scheduled.
    scheduled: Option<String>,
    /// The consent's debtor account, where it names one.
    debtor: Option<Value>,
}

fn creditor() -> Value {
    json!({ "ispb": "12345678", "issuer": "1774", "number": "1234567890", "accountType": "CACC" })
}

impl Pay {
    fn new(instrument: &'static str) -> Pay {
        let qr_of = |dynamic| {
            Some(qr(
                dynamic,
                if dynamic {
                    "psp.example.com/qr/v2/9d36b84f"
                } else {
                    KEY
                },
                None,
            ))
        };
        let (proxy, qr) = match instrument {
            "MANU" => (None, None),
            "DICT" | "INIC" => (Some(KEY.to_owned()), None),
            "QRES" => (Some(KEY.to_owned()), qr_of(false)),
            _ => (Some(KEY.to_owned()), qr_of(true)),
        };
        Pay {
            instrument,
            amount: "10.50",
            proxy,
            qr,
            scheduled: None,
            debtor: None,
        }
    }
}

impl Platform {
    fn consent(&self, p: &Pay) -> Value {
        let mut consent = example(ex::CREATE_PIX_PAYMENT)["consent"].clone();
        consent["loggedUser"]["document"]["identification"] = json!(self.customer);
        let mut details = json!({ "localInstrument": p.instrument, "creditorAccount": creditor() });
        if let Some(proxy) = &p.proxy {
            details["proxy"] = json!(proxy);
        }
        if let Some(qr) = &p.qr {
            details["qrCode"] = json!(qr);
        }
        let mut payment = json!({
            "type": "PIX", "currency": "BRL", "amount": p.amount, "ibgeTownCode": "5300108",
            "details": details,
        });
        if let Some(day) = &p.scheduled {
            payment["schedule"] = json!({ "single": { "date": day } });
        }
        consent["payment"] = payment;
        match &p.debtor {
            Some(d) => consent["debtorAccount"] = d.clone(),
            None => {
                consent
                    .as_object_mut()
                    .expect("an object")
                    .remove("debtorAccount");
            }
        }
        consent
    }

    /// The payment creation of `p`, as the platform sends it; `tweak` changes the request's
    /// `data` (a payment that says something else than its consent).
    fn creation(
        &self,
        p: &Pay,
        tweak: impl FnOnce(&mut Value),
    ) -> payments::types::CreatePixPayment {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut body = example(ex::CREATE_PIX_PAYMENT);
        body["consent"] = self.consent(p);
        body["idempotencyKey"] = json!(format!("walk-{n}"));
        body["internalIdempotencyKey"] = json!(format!("walk-{n}"));
        body["paymentType"] = json!("PAYMENT_CONSENT");
        let data = &mut body["requestBody"]["data"];
        let object = data.as_object_mut().expect("an object");
        for gone in [
            "recurringConsentId",
            "originalRecurringPaymentId",
            "date",
            "document",
            "proxy",
            "qrCode",
        ] {
            object.remove(gone);
        }
        data["endToEndId"] = json!(e2e(n));
        data["localInstrument"] = json!(p.instrument);
        data["payment"] = json!({ "amount": p.amount, "currency": "BRL" });
        data["creditorAccount"] = creditor();
        if let Some(proxy) = &p.proxy {
            data["proxy"] = json!(proxy);
        }
        if let Some(qr) = &p.qr {
            data["qrCode"] = json!(qr);
        }
        tweak(data);
        typed(body)
    }

    async fn create(&self, p: &Pay) -> ResponseCreatePixPayment {
        let answer = self
            .client
            .post_payments(self.creation(p, |_| {}))
            .await
            .unwrap_or_else(|e| panic!("a {} payment: {e}", p.instrument));
        assert_eq!(answer.status, 201);
        answer.value
    }

    /// The refusal of a payment: every error it names, with its code.
    async fn refused(&self, body: payments::types::CreatePixPayment) -> String {
        let e = self.client.post_payments(body).await.expect_err("refused");
        assert_eq!(e.status(), Some(422), "{e}");
        format!("{e:?}")
    }

    fn lookup(&self, template: &str, p: &Pay, id: &str) -> Value {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut body = example(template);
        body["consent"] = self.consent(p);
        body["paymentId"] = json!([{ "key": "paymentId", "value": id }]);
        if body.get("idempotencyKey").is_some() {
            body["idempotencyKey"] = json!(format!("cancel-{n}"));
        }
        body
    }

    async fn find(&self, p: &Pay, id: &str) -> payments::types::ResponseFindPixPayment {
        let body = typed(self.lookup(ex::FIND_PIX_PAYMENT, p, id));
        let answer = self.client.post_find(body).await.expect("find");
        assert_eq!(answer.status, 200);
        answer.value
    }

    async fn cancel(&self, p: &Pay, id: &str) -> Result<Status, String> {
        let body = typed(self.lookup(ex::CANCELLATION_PIX_PAYMENT, p, id));
        match self.client.post_cancellation(body).await {
            Ok(a) => Ok(a.value.data.status),
            Err(e) => Err(format!("{} {e}", e.status().unwrap_or(0))),
        }
    }
}

fn id_of(created: &ResponseCreatePixPayment) -> String {
    created.data.payment_id[0].value.clone().expect("an id")
}

async fn walk(store: Store) {
    let seed = Seed {
        customers: 1,
        accounts: 2,
        transactions: 1,
    };
    ofb_institution::seed::seed(&store, &seed)
        .await
        .expect("seeded");
    let now = Arc::new(AtomicI64::new(NOON));
    let clock = now.clone();
    let limits = Limits {
        settle_after: Duration::from_secs(SETTLE as u64),
        ..Limits::default()
    };
    let connector = Connector::new(store, "00000000", limits)
        .with_clock(Arc::new(move || clock.load(Ordering::SeqCst)));
    let keys = TestKeys::generate("platform-2026").expect("a key pair");
    let router = payments::server::router_with(
        connector.clone(),
        ofb_runtime::server::Config::default().with_verifier(keys.verifier()),
    );
    let server = TestServer::start(router).await;
    let platform = Platform {
        client: Client::with_config(Config::new(server.url("")).with_signer(keys.signer()))
            .expect("a client"),
        customer: customer(0),
        next: AtomicU64::new(1),
    };

    // Discovery: the customer's accounts, as payment accounts of this institution.
    let mut discovery = example(ex::DISCOVERY_ACCOUNTS_PAYMENT);
    discovery["consent"]["loggedUser"]["document"]["identification"] = json!(platform.customer);
    let found = platform
        .client
        .post_account_discovery(typed(discovery))
        .await
        .expect("discovery");
    let resources = &found.value.data.resources;
    assert_eq!(resources.len(), 2, "{resources:?}");
    assert!(resources
        .iter()
        .all(|r| r.debtor_account.ispb == "00000000"));

    // Validation at consent creation: each method's details, and a QR code of the wrong kind.
    let validation = |p: &Pay| {
        let mut body = example(ex::PAYMENT_VALIDATION);
        let data = &mut body["requestBody"]["data"];
        data["payment"] = platform.consent(p)["payment"].clone();
        data["validationStage"] = json!("POST_CONSENT");
        typed::<payments::types::PaymentValidation>(body)
    };
    for instrument in ["MANU", "DICT", "INIC", "QRES", "QRDN"] {
        let answer = platform
            .client
            .post_payment_validation(validation(&Pay::new(instrument)))
            .await;
        assert_eq!(
            answer.map(|a| a.status).map_err(|e| e.to_string()),
            Ok(200),
            "{instrument}"
        );
    }
    let wrong_kind = Pay {
        qr: Pay::new("QRES").qr,
        ..Pay::new("QRDN")
    };
    let e = platform
        .client
        .post_payment_validation(validation(&wrong_kind))
        .await
        .expect_err("422");
    assert!(e.to_string().contains("QRCODE_INVALIDO"), "{e}");
    let priced = Pay {
        qr: Some(qr(false, KEY, Some("99.00"))),
        ..Pay::new("QRES")
    };
    let e = platform
        .client
        .post_payment_validation(validation(&priced))
        .await
        .expect_err("422");
    assert!(e.to_string().contains("VALOR_INVALIDO"), "{e}");

    // A payment by each method, received, then settled step by step.
    let mut made = Vec::new();
    for instrument in ["MANU", "DICT", "INIC", "QRES", "QRDN"] {
        let pay = Pay::new(instrument);
        let created = platform.create(&pay).await;
        assert_eq!(created.data.status, Status::Rcvd, "{instrument}");
        assert_eq!(created.data.local_instrument.as_str(), instrument);
        assert_eq!(
            created.data.debtor_account.ispb, "00000000",
            "the customer's own account"
        );
        made.push((pay, id_of(&created)));
    }
    let (pay, id) = &made[1];
    now.fetch_add(SETTLE, Ordering::SeqCst);
    assert_eq!(platform.find(pay, id).await.data.status, Status::Accp);
    now.fetch_add(SETTLE, Ordering::SeqCst);
    let settled = platform.find(pay, id).await;
    assert_eq!(settled.data.status, Status::Acsc);
    assert_eq!(settled.data.end_to_end_id, e2e(2));
    // Settled: no cancellation. Another consent does not see it.
    let refused = platform.cancel(pay, id).await.expect_err("settled");
    assert!(
        refused.contains("422") && refused.contains("PAGAMENTO_NAO_PERMITE_CANCELAMENTO"),
        "{refused}"
    );
    let mut stranger = example(ex::FIND_PIX_PAYMENT);
    stranger["paymentId"] = json!([{ "key": "paymentId", "value": id }]);
    stranger["consent"] = platform.consent(pay);
    stranger["consent"]["externalId"] = json!("urn:another:consent");
    let e = platform
        .client
        .post_find(typed(stranger))
        .await
        .expect_err("not this consent's");
    assert!(e.to_string().contains("PAGAMENTO_NAO_ENCONTRADO"), "{e}");

    // Scheduled for tomorrow (Brasília): SCHD, cancellable today, not on its day.
    // The day after `at`'s in Brasília (UTC-3), as `YYYY-MM-DD`.
    let tomorrow = |at: i64| {
        let day = (at - 3 * 3600).div_euclid(DAY) + 1;
        ofb_institution::answer::rfc3339(day * DAY)[..10].to_owned()
    };
    let scheduled = Pay {
        scheduled: Some(tomorrow(now.load(Ordering::SeqCst))),
        ..Pay::new("DICT")
    };
    let first = platform.create(&scheduled).await;
    assert_eq!(first.data.status, Status::Schd);
    assert_eq!(
        platform.cancel(&scheduled, &id_of(&first)).await,
        Ok(Status::Canc)
    );
    assert_eq!(
        platform.find(&scheduled, &id_of(&first)).await.data.status,
        Status::Canc
    );
    let second = platform.create(&scheduled).await;
    now.fetch_add(DAY, Ordering::SeqCst);
    let e = platform
        .cancel(&scheduled, &id_of(&second))
        .await
        .expect_err("due today");
    assert!(e.contains("PAGAMENTO_NAO_PERMITE_CANCELAMENTO"), "{e}");
    now.fetch_add(2 * SETTLE, Ordering::SeqCst);
    assert_eq!(
        platform.find(&scheduled, &id_of(&second)).await.data.status,
        Status::Acsc
    );

    // Above the review amount: held for analysis, cancellable; refused on analysis: rejected.
    let large = Pay {
        amount: "50000.01",
        ..Pay::new("MANU")
    };
    let held = platform.create(&large).await;
    assert_eq!(held.data.status, Status::Pdng);
    assert_eq!(
        platform.cancel(&large, &id_of(&held)).await,
        Ok(Status::Canc)
    );
    let held = platform.create(&large).await;
    let decided = connector
        .review(&id_of(&held), false)
        .await
        .expect("reviewed");
    assert_eq!(decided.map(|s| s.code()), Some("RJCT"));
    let rejected = platform.find(&large, &id_of(&held)).await;
    assert_eq!(rejected.data.status, Status::Rjct);
    let reason = rejected.data.rejection_reason.expect("a reason");
    assert_eq!(reason.code.as_str(), "PAGAMENTO_RECUSADO_DETENTORA");

    // Paying the debtor's own account: rejected at once.
    let own = Pay {
        debtor: Some(creditor()),
        ..Pay::new("MANU")
    };
    let same = platform.create(&own).await;
    assert_eq!(same.data.status, Status::Rjct);
    let reason = same.data.rejection_reason.expect("a reason");
    assert_eq!(reason.code.as_str(), "CONTAS_ORIGEM_DESTINO_IGUAIS");

    // The 422s of payment creation.
    let pay = Pay::new("QRES");
    let other_amount = platform.creation(
        &Pay {
            qr: Some(qr(false, KEY, Some("10.50"))),
            ..pay.clone()
        },
        |d| {
            d["payment"]["amount"] = json!("11.00");
        },
    );
    let e = platform.refused(other_amount).await;
    assert!(
        e.contains("VALOR_INVALIDO") && e.contains("PAGAMENTO_DIVERGENTE_CONSENTIMENTO"),
        "{e}"
    );
    let other_key = platform.creation(&pay, |d| d["proxy"] = json!("beltrano@example.com"));
    let e = platform.refused(other_key).await;
    assert!(e.contains("PAGAMENTO_DIVERGENTE_CONSENTIMENTO"), "{e}");
    let manual_with_key = platform.creation(&Pay::new("MANU"), |d| d["proxy"] = json!(KEY));
    let e = platform.refused(manual_with_key).await;
    assert!(e.contains("DETALHE_PAGAMENTO_INVALIDO"), "{e}");
    let above = platform.creation(
        &Pay {
            amount: "1000000.01",
            ..Pay::new("MANU")
        },
        |_| {},
    );
    assert!(platform.refused(above).await.contains("VALOR_ACIMA_LIMITE"));
    // An end-to-end id pays once, whatever the idempotency key.
    let again = platform.creation(&Pay::new("MANU"), |d| {
        d["endToEndId"] = json!(e2e(1));
    });
    assert!(platform
        .refused(again)
        .await
        .contains("DETALHE_PAGAMENTO_INVALIDO"));
    server.shutdown().await;
}

/// The end-to-end id the walk gave its `n`th request.
fn e2e(n: u64) -> String {
    format!("E90400888202412251500{n:011}")
}

#[tokio::test]
async fn the_platform_walks_payments_through_the_reference_back_end_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("ofb-payments-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a directory");
    let store = Store::open(&dir.join("db.sqlite3").display().to_string(), 2)
        .await
        .expect("the store");
    walk(store).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_walks_payments_through_the_reference_back_end_on_postgres() {
    let Some(pg) = postgres::Server::start() else {
        return;
    };
    let store = Store::open(&pg.url(), 4).await.expect("the store");
    walk(store).await;
}
