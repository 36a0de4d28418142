//! The baseline of `cargo xtask bench platform --payments`: payment creation as a plain
//! hand-written axum handler doing the same work as the generated router in front of the
//! reference connector. The body's JWS verified with jsonwebtoken (PS256, the key by `kid`, a
//! fresh `iat`), its `jti` recorded in the same replay store, its idempotency key claimed in
//! the same store, the payload decoded into the document's type and handed to the same
//! [`Connector`], and the answer recorded for retries. What it lacks is what the router adds
//! (validation in report mode, deadlines, the in-flight limit, the envelope, the interaction
//! id, refusal details), which is what the benchmark's ratio prices.

use crate::payments::Connector;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use ofb_integration_payments_v5::operations::{PostPaymentsRequest, PostPaymentsResponse};
use ofb_integration_payments_v5::server::Payments;
use ofb_runtime::jws::ReplayStore;
use ofb_runtime::server::idempotency::{fingerprint, Begin, IdempotencyStore, StoredAnswer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the handler shares.
struct Shared {
    connector: Connector,
    keys: BTreeMap<String, DecodingKey>,
    replay: Arc<dyn ReplayStore>,
    idempotency: Arc<dyn IdempotencyStore>,
}

/// The `/payments` route (the connector's payment creation) of the baseline, verifying
/// against the key set `jwks` (JSON).
pub fn router(
    connector: Connector,
    jwks: &str,
    replay: Arc<dyn ReplayStore>,
    idempotency: Arc<dyn IdempotencyStore>,
) -> Result<axum::Router, String> {
    let set: jsonwebtoken::jwk::JwkSet =
        serde_json::from_str(jwks).map_err(|e| format!("the key set: {e}"))?;
    let keys = set
        .keys
        .iter()
        .filter_map(|k| {
            let kid = k.common.key_id.clone()?;
            DecodingKey::from_jwk(k).ok().map(|d| (kid, d))
        })
        .collect();
    let shared = Arc::new(Shared {
        connector,
        keys,
        replay,
        idempotency,
    });
    Ok(axum::Router::new().route(
        "/payments",
        axum::routing::post(move |body: Bytes| create(shared.clone(), body)),
    ))
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn refuse(status: StatusCode, why: &'static str) -> Response {
    (status, why).into_response()
}

async fn create(s: Arc<Shared>, body: Bytes) -> Response {
    let Ok(token) = std::str::from_utf8(&body) else {
        return refuse(StatusCode::BAD_REQUEST, "not text");
    };
    let key = jsonwebtoken::decode_header(token)
        .ok()
        .and_then(|h| h.kid)
        .and_then(|kid| s.keys.get(&kid));
    let Some(key) = key else {
        return refuse(StatusCode::UNAUTHORIZED, "unknown key");
    };
    let mut validation = Validation::new(Algorithm::PS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let Ok(data) = jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation) else {
        return refuse(StatusCode::UNAUTHORIZED, "signature");
    };
    let mut claims = data.claims;
    let now = now();
    let fresh = claims
        .get("iat")
        .and_then(Value::as_f64)
        .is_some_and(|iat| (iat - now as f64).abs() <= 300.0);
    let jti = claims.get("jti").and_then(Value::as_str).map(str::to_owned);
    let (true, Some(jti)) = (fresh, jti) else {
        return refuse(StatusCode::UNAUTHORIZED, "claims");
    };
    match s.replay.first_use(&jti, now, now + 600).await {
        Ok(true) => {}
        Ok(false) => return refuse(StatusCode::UNAUTHORIZED, "replayed"),
        Err(_) => return refuse(StatusCode::SERVICE_UNAVAILABLE, "replay store"),
    }
    for claim in ["iat", "jti", "iss", "aud", "exp", "nbf"] {
        claims.remove(claim);
    }
    let body = Value::Object(claims);
    let Some(key) = body["idempotencyKey"].as_str().map(str::to_owned) else {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "no idempotency key");
    };
    let print = fingerprint(&serde_json::to_vec(&body).unwrap_or_default());
    match s.idempotency.begin("post_payments", &key, print, now).await {
        Ok(Begin::New) => {}
        Ok(Begin::Replay(a)) => {
            let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK);
            return (status, a.body).into_response();
        }
        Ok(Begin::Conflict) => {
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, "ERRO_IDEMPOTENCIA")
        }
        Ok(Begin::InProgress) => return refuse(StatusCode::CONFLICT, "in progress"),
        Err(_) => return refuse(StatusCode::SERVICE_UNAVAILABLE, "idempotency store"),
    }
    let Ok(body) = serde_json::from_value(body) else {
        let _ = s.idempotency.abandon("post_payments", &key).await;
        return refuse(StatusCode::BAD_REQUEST, "not a payment");
    };
    let context = ofb_runtime::server::Context {
        operation: "post_payments",
        interaction_id: None,
        correlation_id: None,
        headers: Arc::default(),
        extensions: Arc::default(),
    };
    let answer = s
        .connector
        .post_payments(PostPaymentsRequest { body }, context)
        .await;
    let (status, json) = match answer {
        Ok(PostPaymentsResponse::Created(b)) => (201, serde_json::to_vec(&b)),
        Ok(PostPaymentsResponse::UnprocessableEntity(b)) => (422, serde_json::to_vec(&b)),
        Ok(PostPaymentsResponse::Default { status, body }) => (status, serde_json::to_vec(&body)),
        Err(_) => {
            let _ = s.idempotency.abandon("post_payments", &key).await;
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, "back-end");
        }
    };
    let json = Bytes::from(json.unwrap_or_default());
    let stored = StoredAnswer {
        status,
        headers: vec![(
            String::from("content-type"),
            String::from("application/json"),
        )],
        body: json.clone(),
    };
    let _ = s.idempotency.finish("post_payments", &key, stored).await;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, [("content-type", "application/json")], json).into_response()
}
