//! The authentication command of the app and internet banking integration (seed 001): the
//! institution's channel signs the logged-in customer's claims (the document's `JWT` schema)
//! with its key and answers the platform's Authorization Server, which verifies the token with
//! the institution's key set and reads the claims back. Through the generated client and the
//! generated router, with a key pair made on the fly.

use channels::client::Client;
use channels::mock::Examples;
use channels::operations::*;
use channels::server::Channels;
use channels::types::{Authenticate, Jwt};
use ofb_integration_channels_v0 as channels;
use ofb_runtime::jws::Verifier;
use ofb_runtime::server::{Context, ExampleError};
use ofb_runtime::testing::keys::TestKeys;
use ofb_runtime::Token;
use std::sync::{Arc, Mutex};

/// The platform's side: verifies each authentication's token and records its claims.
#[derive(Clone)]
struct Platform {
    examples: Examples,
    verifier: Verifier,
    claims: Arc<Mutex<Vec<Jwt>>>,
}

impl Channels for Platform {
    type Error = ExampleError;

    async fn get_auth_auth(
        &self,
        request: GetAuthAuthRequest,
        context: Context,
    ) -> Result<GetAuthAuthResponse, Self::Error> {
        self.examples.get_auth_auth(request, context).await
    }

    async fn get_auth_hand_off(
        &self,
        request: GetAuthHandOffRequest,
        context: Context,
    ) -> Result<GetAuthHandOffResponse, Self::Error> {
        self.examples.get_auth_hand_off(request, context).await
    }

    async fn get_auth_app(
        &self,
        request: GetAuthAppRequest,
        context: Context,
    ) -> Result<GetAuthAppResponse, Self::Error> {
        self.examples.get_auth_app(request, context).await
    }

    async fn post_command_authentication(
        &self,
        request: PostCommandAuthenticationRequest,
        context: Context,
    ) -> Result<PostCommandAuthenticationResponse, Self::Error> {
        let token = request
            .body
            .jwt
            .as_ref()
            .ok_or_else(|| ExampleError(String::from("no token")))?;
        let claims = token
            .verify(&self.verifier)
            .await
            .map_err(|e| ExampleError(e.to_string()))?;
        self.claims.lock().expect("the record").push(claims);
        self.examples
            .post_command_authentication(request, context)
            .await
    }

    async fn post_command_consent(
        &self,
        request: PostCommandConsentRequest,
        context: Context,
    ) -> Result<PostCommandConsentResponse, Self::Error> {
        self.examples.post_command_consent(request, context).await
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The logged-in customer, as the `JWT` schema declares the claims.
fn customer() -> Jwt {
    let mut claims = Jwt::new(
        now(),
        now() + 60,
        String::from("set-by-the-signer"),
        String::from("32180490089"),
    );
    claims.cnpj = Some(String::from("77202036000182"));
    claims.name = Some(String::from("João Maria José"));
    claims
}

#[tokio::test]
async fn the_channel_authenticates_the_customer_with_a_token_the_platform_verifies() {
    let institution = TestKeys::generate("bank-app-2026").expect("a key pair");
    let platform = Platform {
        examples: Examples::default(),
        verifier: institution.verifier(),
        claims: Arc::default(),
    };
    let server =
        ofb_runtime::server::testing::TestServer::start(channels::server::router(platform.clone()))
            .await;
    let client = Client::new(&server.url("")).expect("a client");

    let token = Token::sign(&customer(), &institution.signer()).expect("signed claims");
    assert_eq!(token.as_str().split('.').count(), 3, "a compact JWS");
    let answer = client
        .post_command_authentication(
            "command-1",
            Authenticate {
                refused: false,
                jwt: Some(token),
            },
        )
        .await
        .expect("the authentication command goes through");
    assert_eq!(answer.status, 200);
    let seen = platform.claims.lock().expect("the record").clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].cpf, "32180490089");
    assert_eq!(seen[0].name.as_deref(), Some("João Maria José"));
    assert_ne!(
        seen[0].jti, "set-by-the-signer",
        "the signer gives each token a fresh jti"
    );

    // A token signed by another key never reaches the record.
    let stranger = TestKeys::generate("bank-app-2026").expect("another key pair");
    let forged = Token::sign(&customer(), &stranger.signer()).expect("signed claims");
    let refused = client
        .post_command_authentication(
            "command-2",
            Authenticate {
                refused: false,
                jwt: Some(forged),
            },
        )
        .await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(platform.claims.lock().expect("the record").len(), 1);
    server.shutdown().await;
}
