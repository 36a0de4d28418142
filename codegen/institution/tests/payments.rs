//! The payment walk: the platform, as it calls an account holder's payment connector (account
//! discovery, payment validation, payment creation, find, cancellation), through the generated
//! client that signs every body, against the generated router that verifies each one with a
//! key pair made on the fly. The back-end answers with the document's examples and records
//! what the router handed it: the verified token, for the institution's own record.

use ofb_integration_payments_v5 as payments;
use ofb_runtime::jws::Verified;
use ofb_runtime::server::Context;
use ofb_runtime::testing::keys::TestKeys;
use payments::client::{Client, Config};
use payments::mock::Examples;
use payments::operations::*;
use payments::server::Payments;
use payments::types::{ConsentPaymentPayment, CreatePixPaymentConsent, EnumLocalInstrument};
use std::sync::{Arc, Mutex};

/// The examples' back-end, recording the `jti` of every verified body it is handed, and the
/// Pix details of every payment consent it is asked to pay.
#[derive(Clone, Default)]
struct Recording {
    examples: Examples,
    seen: Arc<Mutex<Vec<(&'static str, String)>>>,
    details: Arc<Mutex<Vec<payments::types::Details>>>,
}

impl Recording {
    fn record(&self, op: &'static str, context: &Context) {
        let jti = context
            .extension::<Verified>()
            .map_or_else(|| String::from("unsigned"), |v| v.jti.clone());
        self.seen.lock().expect("the record").push((op, jti));
    }
}

impl Payments for Recording {
    type Error = ofb_runtime::server::ExampleError;

    async fn post_account_discovery(
        &self,
        request: PostAccountDiscoveryRequest,
        context: Context,
    ) -> Result<PostAccountDiscoveryResponse, Self::Error> {
        self.record("account discovery", &context);
        self.examples.post_account_discovery(request, context).await
    }

    async fn post_payment_validation(
        &self,
        request: PostPaymentValidationRequest,
        context: Context,
    ) -> Result<PostPaymentValidationResponse, Self::Error> {
        self.record("payment validation", &context);
        self.examples
            .post_payment_validation(request, context)
            .await
    }

    async fn post_payments(
        &self,
        request: PostPaymentsRequest,
        context: Context,
    ) -> Result<PostPaymentsResponse, Self::Error> {
        self.record("payment creation", &context);
        if let CreatePixPaymentConsent::ConsentPayment(consent) = &request.body.consent {
            if let ConsentPaymentPayment::PixPaymentConsent(pix) = &consent.payment {
                let mut details = self.details.lock().expect("the record");
                details.push(pix.details.clone());
            }
        }
        self.examples.post_payments(request, context).await
    }

    async fn post_find(
        &self,
        request: PostFindRequest,
        context: Context,
    ) -> Result<PostFindResponse, Self::Error> {
        self.record("find", &context);
        self.examples.post_find(request, context).await
    }

    async fn post_cancellation(
        &self,
        request: PostCancellationRequest,
        context: Context,
    ) -> Result<PostCancellationResponse, Self::Error> {
        self.record("cancellation", &context);
        self.examples.post_cancellation(request, context).await
    }
}

fn body<T: serde::de::DeserializeOwned>(example: &str) -> T {
    serde_json::from_str(example).expect("the document's example decodes")
}

/// The document's payment creation with the consent's Pix `details` replaced: how the
/// platform tells the connector a key (DICT) payment from a QR code (QRDN) one at consent time.
fn pix_payment(details: serde_json::Value) -> payments::types::CreatePixPayment {
    let mut value: serde_json::Value =
        serde_json::from_str(payments::examples::CREATE_PIX_PAYMENT).expect("the example");
    // Each payment is one: its own idempotency key (the same key with another body is
    // refused as a replay of a different payment).
    value["idempotencyKey"] = serde_json::Value::from(format!(
        "walk-{}",
        details["localInstrument"].as_str().unwrap_or("pix")
    ));
    value["consent"]["payment"]["details"] = details;
    let payment: payments::types::CreatePixPayment =
        serde_json::from_value(value).expect("a Pix payment with these details");
    ofb_runtime::Validate::validate(&payment).expect("the payment keeps its document's rules");
    payment
}

#[tokio::test]
async fn a_pix_consent_by_key_and_one_by_qr_code_reach_the_connector_with_their_details() {
    let keys = TestKeys::generate("platform-2026").expect("a key pair");
    let backend = Recording::default();
    let router = payments::server::router_with(
        backend.clone(),
        ofb_runtime::server::Config::default().with_verifier(keys.verifier()),
    );
    let server = ofb_runtime::server::testing::TestServer::start(router).await;
    let client = Client::with_config(Config::new(server.url("")).with_signer(keys.signer()))
        .expect("a client");
    let account = serde_json::json!({
        "ispb": "12345678", "issuer": "1774", "number": "1234567890", "accountType": "CACC"
    });
    let qr = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";
    let by_key = pix_payment(serde_json::json!({
        "localInstrument": "DICT", "proxy": "fulano@example.com", "creditorAccount": account
    }));
    let by_qr = pix_payment(serde_json::json!({
        "localInstrument": "QRDN", "qrCode": qr, "creditorAccount": account
    }));
    for payment in [by_key, by_qr] {
        let created = client
            .post_payments(payment)
            .await
            .expect("payment creation");
        assert_eq!(created.status, 201);
    }
    let details = backend.details.lock().expect("the record").clone();
    assert_eq!(details.len(), 2, "{details:?}");
    assert_eq!(details[0].local_instrument, EnumLocalInstrument::Dict);
    assert_eq!(details[0].proxy.as_deref(), Some("fulano@example.com"));
    assert_eq!(details[0].qr_code, None);
    assert_eq!(details[1].local_instrument, EnumLocalInstrument::Qrdn);
    assert_eq!(details[1].qr_code.as_deref(), Some(qr));
    assert_eq!(details[1].creditor_account.ispb, "12345678");
    server.shutdown().await;
}

#[tokio::test]
async fn the_platform_walks_a_payment_through_the_connector_signing_every_body() {
    let keys = TestKeys::generate("platform-2026").expect("a key pair");
    let backend = Recording::default();
    let router = payments::server::router_with(
        backend.clone(),
        ofb_runtime::server::Config::default().with_verifier(keys.verifier()),
    );
    let server = ofb_runtime::server::testing::TestServer::start(router).await;
    let client = Client::with_config(Config::new(server.url("")).with_signer(keys.signer()))
        .expect("a client");

    let discovered = client
        .post_account_discovery(body(payments::examples::DISCOVERY_ACCOUNTS_PAYMENT))
        .await
        .expect("account discovery");
    assert_eq!(discovered.status, 200);
    let validated = client
        .post_payment_validation(body(payments::examples::PAYMENT_VALIDATION))
        .await
        .expect("payment validation");
    assert_eq!(validated.status, 200);
    let created = client
        .post_payments(body(payments::examples::CREATE_PIX_PAYMENT))
        .await
        .expect("payment creation");
    assert_eq!(created.status, 201);
    // The platform retries after a timeout, signed afresh: the first answer comes back and
    // the connector is not asked to pay twice. The same key with another payment is refused.
    let retried = client
        .post_payments(body(payments::examples::CREATE_PIX_PAYMENT))
        .await
        .expect("the retry");
    assert_eq!((retried.status, &retried.body), (201, &created.body));
    let mut other: payments::types::CreatePixPayment = body(payments::examples::CREATE_PIX_PAYMENT);
    other.request_body.data.payment.amount = "1.00".parse().expect("an amount");
    let e = client
        .post_payments(other)
        .await
        .expect_err("another payment under the same idempotency key");
    assert_eq!(e.status(), Some(422), "{e}");
    assert!(e.to_string().contains("ERRO_IDEMPOTENCIA"), "{e}");
    let found = client
        .post_find(body(payments::examples::FIND_PIX_PAYMENT))
        .await
        .expect("find");
    assert_eq!(found.status, 200);
    let cancelled = client
        .post_cancellation(body(payments::examples::CANCELLATION_PIX_PAYMENT))
        .await
        .expect("cancellation");
    assert_eq!(cancelled.status, 200);

    let seen = backend.seen.lock().expect("the record").clone();
    let steps: Vec<&str> = seen.iter().map(|(op, _)| *op).collect();
    assert_eq!(
        steps,
        [
            "account discovery",
            "payment validation",
            "payment creation",
            "find",
            "cancellation"
        ]
    );
    let mut jtis: Vec<&String> = seen.iter().map(|(_, jti)| jti).collect();
    assert!(jtis.iter().all(|j| *j != "unsigned"), "{seen:?}");
    jtis.dedup();
    assert_eq!(jtis.len(), 5, "each body is signed afresh: {seen:?}");

    // A client without the key sends nothing; a body signed by another key is refused.
    let unsigned = Client::new(&server.url("")).expect("a client");
    let e = unsigned
        .post_find(body(payments::examples::FIND_PIX_PAYMENT))
        .await
        .expect_err("not sent");
    assert!(e.to_string().contains("Config::with_signer"), "{e}");
    let stranger = TestKeys::generate("platform-2026").expect("another key pair");
    let foreign = Client::with_config(Config::new(server.url("")).with_signer(stranger.signer()))
        .expect("a client");
    let e = foreign
        .post_find(body(payments::examples::FIND_PIX_PAYMENT))
        .await
        .expect_err("a signature by another key");
    assert_eq!(e.status(), Some(401), "{e}");
    assert_eq!(backend.seen.lock().expect("the record").len(), 5);
    server.shutdown().await;
}

// The cluster harness; its TLS start is tests/institution.rs's.
#[allow(dead_code)]
mod postgres;

/// Two replicas of the connector on one PostgreSQL database, as a bank deploys them behind a
/// load balancer: a token accepted by one is a replay to the other, and a payment retried on
/// the other gets the first answer, the back-end asked once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_postgres_share_the_replay_record_and_the_idempotency_keys() {
    use ofb_institution::replicas::SharedStores;
    use ofb_runtime::server::testing::TestServer;
    let Some(pg) = postgres::Server::start() else {
        return;
    };
    let keys = TestKeys::generate("platform-2026").expect("a key pair");
    let backend = Recording::default();
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let pool = ofb_institution::store::postgres_pool(&pg.url(), 4).expect("a pool");
        let shared = Arc::new(SharedStores::open(pool).await.expect("the tables"));
        let config = ofb_runtime::server::Config::default()
            .with_verifier(keys.verifier().replay_store(shared.clone()))
            .with_idempotency_store(Some(shared));
        let router = payments::server::router_with(backend.clone(), config);
        replicas.push(TestServer::start(router).await);
    }
    let (one, two) = (&replicas[0], &replicas[1]);

    let find: serde_json::Value =
        serde_json::from_str(payments::examples::FIND_PIX_PAYMENT).expect("the example");
    let token = keys.sign(&find);
    let headers = [("content-type", "application/jwt")];
    let first = one
        .call("POST", "/find", &headers, Some(token.as_bytes()))
        .await;
    assert_eq!(first.status, 200, "{}", first.text());
    let replayed = two
        .call("POST", "/find", &headers, Some(token.as_bytes()))
        .await;
    assert_eq!(replayed.status, 401, "{}", replayed.text());
    assert!(replayed.text().contains("replayed"), "{}", replayed.text());

    let client = |s: &TestServer| {
        Client::with_config(Config::new(s.url("")).with_signer(keys.signer())).expect("a client")
    };
    let created = client(one)
        .post_payments(body(payments::examples::CREATE_PIX_PAYMENT))
        .await
        .expect("payment creation");
    let retried = client(two)
        .post_payments(body(payments::examples::CREATE_PIX_PAYMENT))
        .await
        .expect("the retry, on the other replica");
    assert_eq!(
        (retried.status, &retried.body),
        (created.status, &created.body)
    );
    let created_times = backend
        .seen
        .lock()
        .expect("the record")
        .iter()
        .filter(|(op, _)| *op == "payment creation")
        .count();
    assert_eq!(created_times, 1, "one payment");
    for r in replicas {
        r.shutdown().await;
    }
}
