//! What a bank's security review asks of signed bodies, each a case that was let through or
//! misnamed before: the claims a verifier is told to require, the key a token may use, the key
//! set's fetching, the record of `jti`s, and a refusal that names its real cause.

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey};
use ofb_runtime::jws::{JwsError, Verifier};
use ofb_runtime::testing::keys::TestKeys;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn claims() -> Value {
    json!({"iat": now(), "jti": uuid::Uuid::new_v4().to_string(), "data": {"amount": "1.00"}})
}

/// A token of `header_text` and `payload_text` as written (base64url-encoded here unless
/// `raw` says they already are), validly signed with the shared test key under PS256.
fn signed_raw(header_part: &str, payload_part: &str) -> String {
    let keys = TestKeys::shared();
    let key = EncodingKey::from_rsa_pem(keys.private_pem().as_bytes()).expect("the key");
    let message = format!("{header_part}.{payload_part}");
    let signature =
        jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::PS256).expect("signs");
    format!("{message}.{signature}")
}

fn signed(header: &str, payload: &Value) -> String {
    signed_raw(
        &b64(header.as_bytes()),
        &b64(payload.to_string().as_bytes()),
    )
}

fn header() -> String {
    format!(
        "{{\"alg\":\"PS256\",\"kid\":\"{}\",\"typ\":\"JWT\"}}",
        TestKeys::shared().kid()
    )
}

async fn refusal(verifier: &Verifier, token: &str) -> JwsError {
    verifier.verify(token).await.expect_err("refused")
}

#[tokio::test]
async fn a_configured_audience_is_required_and_a_configured_issuer_checked() {
    let keys = TestKeys::shared();
    let no_aud = keys.signer().sign(&json!({"a": 1})).expect("signs");
    let e = refusal(&keys.verifier().audience("bank"), &no_aud).await;
    assert!(e.to_string().contains("`aud` is missing"), "{e}");

    let verifier = keys.verifier().issuer("platform");
    let wrong = keys
        .signer()
        .issuer("someone-else")
        .sign(&json!({"a": 1}))
        .expect("signs");
    let e = refusal(&verifier, &wrong).await;
    assert!(e.to_string().contains("`iss`"), "{e}");
    let missing = keys.signer().sign(&json!({"a": 1})).expect("signs");
    let e = refusal(&verifier, &missing).await;
    assert!(e.to_string().contains("`iss` is missing"), "{e}");
    let right = keys
        .signer()
        .issuer("platform")
        .sign(&json!({"a": 1}))
        .expect("signs");
    verifier.verify(&right).await.expect("the right issuer");
}

#[tokio::test]
async fn algorithms_of_two_families_may_be_allowed_together() {
    let keys = TestKeys::shared();
    let verifier = keys
        .verifier()
        .algorithms(&[Algorithm::PS256, Algorithm::ES256])
        .expect("allowed");
    verifier
        .verify(&keys.sign(&json!({"a": 1})))
        .await
        .expect("a PS256 token verifies with ES256 also allowed");
}

/// A JWKS of one RSA key under the shared kid, with `extra` members.
fn rsa_jwks(n: &str, extra: Value) -> String {
    let mut key = json!({"kty": "RSA", "kid": TestKeys::shared().kid(), "n": n, "e": "AQAB"});
    if let (Value::Object(k), Value::Object(x)) = (&mut key, extra) {
        k.extend(x);
    }
    json!({"keys": [key]}).to_string()
}

/// The shared key's modulus, as its JWKS has it.
fn shared_n() -> String {
    let set: Value = serde_json::from_str(TestKeys::shared().jwks()).expect("json");
    set["keys"][0]["n"].as_str().expect("n").to_owned()
}

#[tokio::test]
async fn weak_keys_and_keys_for_other_uses_are_refused() {
    let token = TestKeys::shared().sign(&json!({"a": 1}));
    // 1024 bits.
    let small = b64(&[0xc5; 128]);
    let v = Verifier::from_jwks(&rsa_jwks(&small, json!({}))).expect("loads");
    let e = refusal(&v, &token).await;
    assert!(e.to_string().contains("1024 bits"), "{e}");
    for (extra, cause) in [
        (json!({"use": "enc"}), "`use`"),
        (json!({"key_ops": ["encrypt"]}), "`key_ops`"),
        (json!({"alg": "RS256"}), "`alg`"),
    ] {
        let v = Verifier::from_jwks(&rsa_jwks(&shared_n(), extra.clone())).expect("loads");
        let e = refusal(&v, &token).await;
        assert!(e.to_string().contains(cause), "{extra}: {e}");
    }
    // The same key, declared for signatures: accepted.
    let v = Verifier::from_jwks(&rsa_jwks(
        &shared_n(),
        json!({"use": "sig", "key_ops": ["verify"], "alg": "PS256"}),
    ))
    .expect("loads");
    v.verify(&token).await.expect("a signing key");
    // An EC key cannot verify an RSA algorithm, nor a P-384 key ES256.
    let ec = json!({"keys": [{"kty": "EC", "crv": "P-384", "kid": "ec", "x": b64(&[1; 48]), "y": b64(&[2; 48])}]});
    let v = Verifier::from_jwks(&ec.to_string())
        .expect("loads")
        .algorithms(&[Algorithm::ES256])
        .expect("allowed");
    let es = signed_raw(
        &b64(br#"{"alg":"ES256","kid":"ec"}"#),
        &b64(claims().to_string().as_bytes()),
    );
    let e = refusal(&v, &es).await;
    assert!(e.to_string().contains("P-384"), "{e}");
}

/// A PS256 signature made with the maximum salt length (what some signers default to) is
/// named as such, and a signature that does not verify at all says only that.
#[tokio::test]
async fn a_pss_signature_with_the_maximum_salt_length_is_named() {
    use rsa::pkcs8::DecodePrivateKey as _;
    use rsa::signature::{SignatureEncoding as _, Signer as _};
    let keys = TestKeys::shared();
    let private = rsa::PrivateKey::from_pkcs8_pem(keys.private_pem()).expect("the key");
    // 2048-bit modulus: 256 bytes, less the hash (32) and 2.
    let signer = rsa::pss::SigningKey::<rsa::sha2::Sha256>::new_with_salt_len(private, 222);
    let message = format!(
        "{}.{}",
        b64(header().as_bytes()),
        b64(claims().to_string().as_bytes())
    );
    let signature = signer.sign(message.as_bytes()).to_bytes();
    let token = format!("{message}.{}", b64(&signature));
    let e = refusal(&keys.verifier(), &token).await;
    assert!(matches!(e, JwsError::PssSalt(_)), "{e}");
    assert!(e.to_string().contains("salt"), "{e}");
    assert_eq!(e.status(), 401);
    let other = TestKeys::generate("other").expect("a key pair");
    let foreign = other.sign(&claims());
    let (_, rest) = foreign.split_once('.').expect("a token");
    let forged = format!("{}.{rest}", b64(header().as_bytes()));
    let e = refusal(&keys.verifier(), &forged).await;
    assert!(matches!(e, JwsError::Signature), "{e}");
    assert!(!e.to_string().contains("salt"), "{e}");
}

#[tokio::test]
async fn refusals_name_their_real_cause() {
    let keys = TestKeys::shared();
    let v = keys.verifier();
    let payload = b64(claims().to_string().as_bytes());
    let padded = format!("{}==", b64(header().as_bytes()));
    let cases: Vec<(String, &str)> = vec![
        (signed_raw(&padded, &payload), "header is not base64url"),
        (
            signed(r#"{"alg":"PS256","kid":7}"#, &claims()),
            "`kid` that is not a string",
        ),
        (
            signed(
                &format!(r#"{{"alg":"PS256","alg":"PS256","kid":"{}"}}"#, keys.kid()),
                &claims(),
            ),
            "`alg` twice",
        ),
        (
            signed(
                &format!(
                    r#"{{"alg":"PS256","kid":"{}","crit":["exp"],"exp":1}}"#,
                    keys.kid()
                ),
                &claims(),
            ),
            "`crit`",
        ),
        (
            signed(
                &format!(
                    r#"{{"alg":"PS256","kid":"{}","b64":false,"crit":["b64"]}}"#,
                    keys.kid()
                ),
                &claims(),
            ),
            "`crit`",
        ),
        (
            signed(
                &format!(r#"{{"alg":"PS256","kid":"{}","b64":false}}"#, keys.kid()),
                &claims(),
            ),
            "`b64`",
        ),
        (
            signed(&header(), &{
                let mut c = claims();
                c["exp"] = json!("9999999999");
                c
            }),
            "`exp` is not a NumericDate",
        ),
        (
            {
                let good = keys.sign(&json!({"a": 1}));
                let (message, _) = good.rsplit_once('.').expect("three parts");
                format!("{message}.not*base64url")
            },
            "signature is not base64url",
        ),
    ];
    for (token, cause) in cases {
        let e = refusal(&v, &token).await;
        assert!(
            e.to_string().contains(cause),
            "expected {cause:?}, got: {e}"
        );
    }
    // A non-integer NumericDate is one (RFC 7519 §2).
    let mut c = claims();
    c["iat"] = json!(now() as f64 + 0.5);
    c["exp"] = json!(now() as f64 + 60.25);
    v.verify(&signed(&header(), &c))
        .await
        .expect("fractional seconds are a NumericDate");
}

#[tokio::test]
async fn the_jti_record_is_bounded_by_time_and_length_and_never_forgets_a_live_one() {
    let keys = TestKeys::shared();
    let mut c = claims();
    c["jti"] = json!("j".repeat(10_000));
    let e = refusal(&keys.verifier(), &signed(&header(), &c)).await;
    assert!(e.to_string().contains("`jti` is longer"), "{e}");

    let v = keys.verifier().replay_capacity(3);
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let t = keys.sign(&json!({"a": 1}));
        v.verify(&t).await.expect("fresh");
        tokens.push(t);
    }
    let e = refusal(&v, &keys.sign(&json!({"a": 1}))).await;
    assert_eq!(e.status(), 503, "{e}");
    assert!(e.to_string().contains("full"), "{e}");
    for t in &tokens {
        let e = refusal(&v, t).await;
        assert!(e.to_string().contains("replayed"), "{e}");
    }
}

/// A key set served on 127.0.0.1: what it answers, how often it was asked, and a switch that
/// makes it fail.
struct KeyServer {
    server: ofb_runtime::server::testing::TestServer,
    fetches: Arc<AtomicUsize>,
    failing: Arc<Mutex<bool>>,
}

async fn key_server(body: String, delay: Duration) -> KeyServer {
    let fetches = Arc::new(AtomicUsize::new(0));
    let failing = Arc::new(Mutex::new(false));
    let (f, fail) = (fetches.clone(), failing.clone());
    let app = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || {
            let (f, fail, body) = (f.clone(), fail.clone(), body.clone());
            async move {
                f.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
                if *fail.lock().expect("lock") {
                    (axum::http::StatusCode::SERVICE_UNAVAILABLE, String::new())
                } else {
                    (axum::http::StatusCode::OK, body)
                }
            }
        }),
    );
    KeyServer {
        server: ofb_runtime::server::testing::TestServer::start(app).await,
        fetches,
        failing,
    }
}

fn url_verifier(url: String) -> Verifier {
    Verifier::from_jwks_url(url, ofb_runtime::jws::http_client().expect("a client"))
        .expect("a loopback URL")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_fetch_is_in_flight_at_a_time() {
    let keys = TestKeys::shared();
    let ks = key_server(keys.jwks().to_owned(), Duration::from_millis(300)).await;
    let v = url_verifier(ks.server.url("/jwks"));
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let (v, t) = (v.clone(), keys.sign(&json!({"a": 1})));
            tokio::spawn(async move { v.verify(&t).await })
        })
        .collect();
    for c in calls {
        c.await.expect("joins").expect("verifies");
    }
    assert_eq!(ks.fetches.load(Ordering::SeqCst), 1);
    ks.server.shutdown().await;
}

#[tokio::test]
async fn a_failed_fetch_keeps_the_last_good_set_for_a_while() {
    let keys = TestKeys::shared();
    let ks = key_server(keys.jwks().to_owned(), Duration::ZERO).await;
    let v = url_verifier(ks.server.url("/jwks"))
        .key_set_ttl(Duration::ZERO)
        .key_set_refresh_interval(Duration::ZERO);
    v.verify(&keys.sign(&json!({"a": 1})))
        .await
        .expect("fetched");
    *ks.failing.lock().expect("lock") = true;
    // The set is due again, and its URL fails: the last good one still serves.
    v.verify(&keys.sign(&json!({"a": 1})))
        .await
        .expect("the stale set is used while the key store is down");
    assert_eq!(
        ks.fetches.load(Ordering::SeqCst),
        2,
        "it was fetched again, and failed"
    );
    ks.server.shutdown().await;
}

#[tokio::test]
async fn an_oversized_key_set_is_refused() {
    let huge = format!("{{\"keys\":[],\"pad\":\"{}\"}}", "x".repeat(2 << 20));
    let ks = key_server(huge, Duration::ZERO).await;
    let v = url_verifier(ks.server.url("/jwks"));
    let e = refusal(&v, &TestKeys::shared().sign(&json!({"a": 1}))).await;
    assert!(e.to_string().contains("larger than"), "{e}");
    ks.server.shutdown().await;
}

#[test]
fn a_key_set_url_is_parsed_not_prefix_matched() {
    let http = reqwest::Client::new();
    for bad in [
        "http://127.0.0.1@evil.example/jwks",
        "http://localhost.evil.example/jwks",
        "http://example.com/jwks",
        "ftp://127.0.0.1/jwks",
        "not a url",
    ] {
        assert!(
            Verifier::from_jwks_url(bad, http.clone()).is_err(),
            "{bad} is accepted"
        );
    }
    for good in [
        "https://keys.example/jwks",
        "http://127.0.0.1:8080/jwks",
        "http://[::1]/jwks",
        "http://localhost/jwks",
    ] {
        assert!(
            Verifier::from_jwks_url(good, http.clone()).is_ok(),
            "{good}"
        );
    }
}
