//! Signed bodies: what a verifier accepts and refuses, and a key set fetched from a URL served
//! on 127.0.0.1, refreshed when a token names a key it does not know yet.

use ofb_runtime::jws::{Algorithm, JwsError, Verifier};
use ofb_runtime::testing::keys::{Forgery, TestKeys};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

fn body() -> serde_json::Value {
    json!({"requestMeta": {"correlationId": "c-1"}, "data": {"amount": "10.00"}})
}

#[tokio::test]
async fn a_valid_token_gives_the_body_without_the_envelope_claims() {
    let keys = TestKeys::shared();
    let signer = keys.signer().issuer("platform").audience("bank");
    let token = signer.sign(&body()).expect("signs");
    let v = keys
        .verifier()
        .audience("bank")
        .verify(&token)
        .await
        .expect("verifies");
    assert_eq!(v.body, body(), "iat, jti, iss and aud are the envelope's");
    assert_eq!(v.kid, keys.kid());
    assert_eq!(v.issuer.as_deref(), Some("platform"));
    assert_eq!(v.token(), token);
    let shown = format!("{v:?} {signer:?} {:?}", keys.verifier());
    assert!(!shown.contains(&token[..40]), "{shown}");
    assert!(!shown.contains("PRIVATE"), "{shown}");
}

#[tokio::test]
async fn every_forgery_and_a_replay_are_refused_with_401() {
    let keys = TestKeys::shared();
    let verifier = keys.verifier();
    for forgery in Forgery::ALL {
        let e = verifier
            .verify(&keys.forge(forgery, &body()))
            .await
            .expect_err(forgery.name());
        assert_eq!(e.status(), 401, "{}: {e}", forgery.name());
        let expected = match forgery {
            Forgery::Tampered => matches!(e, JwsError::Signature),
            Forgery::UnknownKid => matches!(e, JwsError::UnknownKey(Some(_))),
            Forgery::AlgNone | Forgery::Hs256WithPublicKey => matches!(e, JwsError::Algorithm(_)),
            Forgery::Expired => matches!(e, JwsError::Claims(_)),
        };
        assert!(expected, "{}: {e:?}", forgery.name());
    }
    let token = keys.sign(&body());
    verifier.verify(&token).await.expect("first use");
    let e = verifier.verify(&token).await.expect_err("replayed");
    assert!(e.to_string().contains("replayed"), "{e}");
}

#[tokio::test]
async fn a_wrong_audience_and_a_non_jws_are_refused() {
    let keys = TestKeys::shared();
    let token = keys
        .signer()
        .audience("another-bank")
        .sign(&body())
        .expect("signs");
    let e = keys
        .verifier()
        .audience("bank")
        .verify(&token)
        .await
        .expect_err("aud");
    assert_eq!(e.status(), 401, "{e}");
    let e = keys
        .verifier()
        .verify("{\"a\":1}")
        .await
        .expect_err("not a JWS");
    assert_eq!(e.status(), 400, "{e}");
}

#[test]
fn symmetric_algorithms_cannot_be_allowed() {
    let keys = TestKeys::shared();
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        assert!(keys.verifier().algorithms(&[alg]).is_err(), "{alg:?}");
    }
    assert!(keys.verifier().algorithms(&[]).is_err());
    assert!(keys
        .verifier()
        .algorithms(&[Algorithm::PS256, Algorithm::ES256])
        .is_ok());
}

#[tokio::test]
async fn a_key_set_url_is_fetched_once_and_again_for_an_unknown_kid() {
    let first = TestKeys::shared();
    let second = TestKeys::generate("rotated").expect("a second key");
    let served = Arc::new(Mutex::new(first.jwks().to_owned()));
    let fetches = Arc::new(AtomicUsize::new(0));
    let (s, f) = (served.clone(), fetches.clone());
    let app = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || {
            let (s, f) = (s.clone(), f.clone());
            async move {
                f.fetch_add(1, Ordering::SeqCst);
                s.lock().expect("lock").clone()
            }
        }),
    );
    let server = ofb_runtime::server::testing::TestServer::start(app).await;
    let verifier = Verifier::from_jwks_url(
        server.url("/jwks"),
        ofb_runtime::jws::http_client().expect("a client"),
    )
    .expect("a loopback URL");
    for _ in 0..3 {
        verifier
            .verify(&first.sign(&body()))
            .await
            .expect("verifies");
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1, "the key set is kept");
    // The platform rotates its key: the set now has both, and a token under the new kid
    // makes the verifier fetch it again.
    let both = format!(
        "{{\"keys\":[{},{}]}}",
        first
            .jwks()
            .trim_start_matches("{\"keys\":[")
            .trim_end_matches("]}"),
        second
            .jwks()
            .trim_start_matches("{\"keys\":[")
            .trim_end_matches("]}")
    );
    *served.lock().expect("lock") = both;
    verifier
        .verify(&second.sign(&body()))
        .await
        .expect("the new key is fetched");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    // An unknown kid right after cannot make it fetch again within the refresh interval.
    let e = verifier
        .verify(&first.forge(Forgery::UnknownKid, &body()))
        .await
        .expect_err("unknown");
    assert!(matches!(e, JwsError::UnknownKey(_)), "{e:?}");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    assert!(Verifier::from_jwks_url("http://example.com/jwks", reqwest::Client::new()).is_err());
    server.shutdown().await;
}
