//! The session over real HTTP on 127.0.0.1, against the local partner with a back-end that
//! issues short-lived tokens and a gate that refuses any other: the token is refreshed when
//! its expiry is crossed mid-session, a refused refresh token leads to a new login, and the
//! regulated reads carry the consent headers.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ofb_partner::api::mock::Examples;
use ofb_partner::api::operations::{
    CreateConsentRequest2, CreateConsentResponse2, CreateManagementSessionRequest,
    CreateManagementSessionResponse, CreateTokenRequest, CreateTokenResponse, GetConsentRequest,
    GetConsentResponse, ListParticipantsRequest, ListParticipantsResponse, RefreshTokenRequest2,
    RefreshTokenResponse,
};
use ofb_partner::api::server::DataReceiver;
use ofb_partner::api::types::{ResponseError, TokenResponse, TokenResponseTokenType};
use ofb_partner::{Category, ConsentRequest, Credentials, Filter, Session};
use ofb_runtime::server::testing::TestServer;
use ofb_runtime::server::Context;
use ofb_runtime::Secret;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Tokens issued and the one the gate accepts.
#[derive(Default)]
struct Issuer {
    issued: AtomicUsize,
    valid: Mutex<Option<String>>,
    refresh_valid: Mutex<Option<String>>,
    refuse_refresh: std::sync::atomic::AtomicBool,
    seen: Mutex<Vec<(String, String, String)>>,
}

impl Issuer {
    fn issue(&self) -> TokenResponse {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let access = format!("at-{n}");
        let refresh = format!("rt-{n}");
        *self.valid.lock().expect("lock") = Some(access.clone());
        *self.refresh_valid.lock().expect("lock") = Some(refresh.clone());
        TokenResponse {
            access_token: Secret::new(access),
            token_type: TokenResponseTokenType::Bearer,
            expires_in: 1,
            refresh_token: Secret::new(refresh),
        }
    }
}

#[derive(Clone)]
struct Backend(Arc<Issuer>);

fn refused(code: &str) -> ResponseError {
    ofb_runtime::server::from_example(
        "error",
        &format!(
            r#"{{"errors":[{{"code":"{code}","title":"Refused","detail":"refused"}}],"meta":{{"requestDateTime":"2026-01-01T00:00:00Z"}}}}"#
        ),
    )
    .expect("an error body")
}

impl DataReceiver for Backend {
    type Error = <Examples as DataReceiver>::Error;

    async fn create_token(
        &self,
        _: CreateTokenRequest,
        _: Context,
    ) -> Result<CreateTokenResponse, Self::Error> {
        Ok(CreateTokenResponse::Ok(self.0.issue()))
    }

    async fn refresh_token(
        &self,
        r: RefreshTokenRequest2,
        _: Context,
    ) -> Result<RefreshTokenResponse, Self::Error> {
        let expected = self.0.refresh_valid.lock().expect("lock").clone();
        if self.0.refuse_refresh.load(Ordering::SeqCst)
            || expected.as_deref() != Some(r.body.refresh_token.expose())
        {
            return Ok(RefreshTokenResponse::Unauthorized(refused(
                "REFRESH_TOKEN_INVALIDO",
            )));
        }
        Ok(RefreshTokenResponse::Ok(self.0.issue()))
    }

    async fn list_participants(
        &self,
        r: ListParticipantsRequest,
        c: Context,
    ) -> Result<ListParticipantsResponse, Self::Error> {
        Examples::default().list_participants(r, c).await
    }

    async fn create_consent(
        &self,
        r: CreateConsentRequest2,
        c: Context,
    ) -> Result<CreateConsentResponse2, Self::Error> {
        Examples::default().create_consent(r, c).await
    }

    async fn get_consent(
        &self,
        r: GetConsentRequest,
        c: Context,
    ) -> Result<GetConsentResponse, Self::Error> {
        Examples::default().get_consent(r, c).await
    }

    async fn create_management_session(
        &self,
        r: CreateManagementSessionRequest,
        c: Context,
    ) -> Result<CreateManagementSessionResponse, Self::Error> {
        Examples::default().create_management_session(r, c).await
    }
}

async fn start(issuer: Arc<Issuer>) -> TestServer {
    let gate_issuer = issuer.clone();
    let router =
        ofb_partner::local::with_regulated(ofb_partner::api::server::router(Backend(issuer)))
            .layer(axum::middleware::from_fn(
                move |req: Request, next: Next| {
                    let issuer = gate_issuer.clone();
                    async move { gate(issuer, req, next).await }
                },
            ));
    TestServer::start(router).await
}

/// Lets the auth endpoints through; anything else needs the current token. Records the
/// consent headers of the regulated reads.
async fn gate(issuer: Arc<Issuer>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/auth/") {
        return next.run(req).await;
    }
    let [auth, server_id, consent_id] =
        ["authorization", "x-authorisation-server-id", "x-consent-id"].map(|n| {
            req.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        });
    let valid = issuer
        .valid
        .lock()
        .expect("lock")
        .clone()
        .unwrap_or_default();
    if auth != format!("Bearer {valid}") {
        return (axum::http::StatusCode::UNAUTHORIZED, "stale token").into_response();
    }
    if path.starts_with("/open-finance/") || path.starts_with("/consent-management/v1/consents/") {
        issuer
            .seen
            .lock()
            .expect("lock")
            .push((path, server_id, consent_id));
    }
    next.run(req).await
}

fn credentials() -> Credentials {
    Credentials::new("partner-client-0001", "s3cr3t-client-value")
}

#[tokio::test]
async fn the_token_is_refreshed_when_its_expiry_is_crossed_mid_session() {
    let issuer = Arc::new(Issuer::default());
    let server = start(issuer.clone()).await;
    let session = Session::builder(server.url(""))
        .refresh_margin(Duration::ZERO)
        .login(credentials())
        .await
        .expect("a session");
    let participants = session.participants().await.expect("participants");
    let chosen = Filter::data_holders()
        .apply(&participants)
        .next()
        .expect("a data holder");
    let server_id = chosen.authorisation_server_ids[0].clone();
    assert_eq!(session.renewals(), (0, 1));

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expiry = "2026-07-29T16:34:27Z".parse().expect("a date-time");
    let consent = session
        .create_consent(
            &server_id,
            ConsentRequest::new(
                "https://app.example/cb",
                ofb_partner::UserDocument::Cpf(String::from("12345678901")),
                expiry,
            )
            .category(Category::Accounts),
        )
        .await
        .expect("the consent, with a refreshed token");
    assert_eq!(session.renewals(), (1, 1), "one refresh, no new login");

    let read = session
        .consent(&server_id, &consent.consent_id)
        .await
        .expect("the consent");
    assert_eq!(
        read.consent.data.status,
        ofb_partner::ConsentStatus::Authorised
    );
    let bank = session
        .bank(&server_id, &consent.consent_id)
        .expect("a bank");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let accounts = bank
        .accounts()
        .accounts_get_accounts()
        .await
        .expect("accounts through the proxy, with a refreshed token");
    assert!(!accounts.data.is_empty());
    assert_eq!(session.renewals(), (2, 1));
    let seen = issuer.seen.lock().expect("lock").clone();
    let lookup = format!("/consent-management/v1/consents/{}", consent.consent_id);
    assert_eq!(
        seen,
        [
            (lookup, server_id.clone(), consent.consent_id.clone()),
            (
                String::from("/open-finance/accounts/v2/accounts"),
                server_id,
                consent.consent_id
            )
        ],
        "the lookup and the read carry the institution and the consent"
    );
}

#[tokio::test]
async fn a_refused_refresh_token_leads_to_a_new_login() {
    let issuer = Arc::new(Issuer::default());
    let server = start(issuer.clone()).await;
    let session = Session::builder(server.url(""))
        .refresh_margin(Duration::ZERO)
        .login(credentials())
        .await
        .expect("a session");
    issuer.refuse_refresh.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    session
        .participants()
        .await
        .expect("participants after a new login");
    assert_eq!(session.renewals(), (0, 2));
}

#[tokio::test]
async fn a_session_prints_no_secret() {
    let issuer = Arc::new(Issuer::default());
    let server = start(issuer.clone()).await;
    let session = Session::login(&server.url(""), credentials())
        .await
        .expect("a session");
    let bank = session.bank("as-1", "urn:bank:consent-1").expect("a bank");
    let shown = format!("{session:?} {bank:?} {:?}", credentials());
    assert!(!shown.contains("s3cr3t"), "{shown}");
    assert!(
        !shown.contains("at-1") && !shown.contains("rt-1"),
        "{shown}"
    );
    assert!(shown.contains("urn:bank:consent-1"), "{shown}");
}

#[tokio::test]
async fn a_wrong_login_keeps_the_partners_answer() {
    let server = TestServer::start(ofb_partner::local::router()).await;
    let e = Session::login(&format!("{}/nowhere", server.url("")), credentials())
        .await
        .expect_err("no such partner");
    match e {
        ofb_partner::LoginError::Token(e) => assert_eq!(e.status(), Some(404)),
        other => panic!("expected the token call's error, got {other}"),
    }
}

#[tokio::test]
async fn a_token_revoked_early_is_renewed_and_the_call_goes_through() {
    let issuer = Arc::new(Issuer::default());
    let server = start(issuer.clone()).await;
    let session = Session::builder(server.url(""))
        .refresh_margin(Duration::ZERO)
        .login(credentials())
        .await
        .expect("a session");
    // The partner revokes the access token well before its expiry.
    *issuer.valid.lock().expect("lock") = Some(String::from("revoked"));
    let participants = session
        .participants()
        .await
        .expect("participants, after one refused attempt and a refresh");
    assert!(!participants.is_empty());
    assert_eq!(session.renewals(), (1, 1));
}

/// Seed 004: the logged user may be a company, by its CNPJ, and the creation answer may carry
/// the consent as the bank's regulated API created it.
#[tokio::test]
async fn a_company_consents_and_the_answer_carries_the_banks_consent() {
    let server = TestServer::start(ofb_partner::local::router()).await;
    let session = Session::builder(server.url(""))
        .login(credentials())
        .await
        .expect("a session");
    let participants = session.participants().await.expect("participants");
    let chosen = Filter::data_holders()
        .apply(&participants)
        .next()
        .expect("a data holder");
    let server_id = chosen.authorisation_server_ids[0].clone();
    let company = ofb_partner::UserDocument::from_digits("12345678000190").expect("a CNPJ");
    let expiry = "2026-07-29T16:34:27Z".parse().expect("a date-time");
    let created = session
        .create_consent(
            &server_id,
            ConsentRequest::new("https://app.example/cb", company, expiry)
                .category(Category::Accounts),
        )
        .await
        .expect("the partner takes a company's consent");
    let regulated = created.consent.expect("the bank's consent, passed on");
    assert_eq!(
        regulated.data.status,
        ofb_partner::ConsentStatus::AwaitingAuthorisation
    );
    assert_eq!(regulated.data.consent_id, created.consent_id);
    server.shutdown().await;
}
