//! Key pairs made on the fly for tests of signed bodies, and the forgeries a verifier must
//! refuse. Nothing here is for production: the keys live in memory for one process.

use crate::jws::{Signer, Verifier};
use base64::Engine as _;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::Value;
use std::sync::OnceLock;

/// An RSA key pair with its `kid`: the private key as PKCS#8 PEM, the public one as a JWKS.
pub struct TestKeys {
    kid: String,
    private_pem: String,
    jwks: String,
}

impl std::fmt::Debug for TestKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestKeys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A token a verifier must refuse, made from a valid one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forgery {
    /// A valid token whose payload was changed after signing.
    Tampered,
    /// Signed with the right key but naming a `kid` the key set does not have.
    UnknownKid,
    /// `alg: none`, with no signature.
    AlgNone,
    /// HS256 with the public key (its JWKS) as the shared secret.
    Hs256WithPublicKey,
    /// Signed an hour ago.
    Expired,
}

impl Forgery {
    /// Every forgery.
    pub const ALL: [Forgery; 5] = [
        Forgery::Tampered,
        Forgery::UnknownKid,
        Forgery::AlgNone,
        Forgery::Hs256WithPublicKey,
        Forgery::Expired,
    ];

    /// What it is, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Forgery::Tampered => "a tampered payload",
            Forgery::UnknownKid => "an unknown kid",
            Forgery::AlgNone => "alg: none",
            Forgery::Hs256WithPublicKey => "HS256 with the public key as secret",
            Forgery::Expired => "an expired token",
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl TestKeys {
    /// A fresh 2048-bit RSA key pair under `kid`.
    pub fn generate(kid: &str) -> Result<TestKeys, String> {
        use rsa::pkcs8::{EncodePrivateKey, LineEnding};
        use rsa::Generate;
        let key = rsa::PrivateKey::try_generate().map_err(|e| format!("RSA key: {e:?}"))?;
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| format!("PEM: {e}"))?
            .to_string();
        let encoding =
            EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| format!("PEM: {e}"))?;
        let mut jwk =
            Jwk::from_encoding_key(&encoding, Algorithm::PS256).map_err(|e| format!("JWK: {e}"))?;
        jwk.common.key_id = Some(kid.to_owned());
        let jwks =
            serde_json::to_string(&JwkSet { keys: vec![jwk] }).map_err(|e| format!("JWKS: {e}"))?;
        Ok(TestKeys {
            kid: kid.to_owned(),
            private_pem: pem,
            jwks,
        })
    }

    /// One key pair per process, made on first use (RSA key generation takes a moment).
    pub fn shared() -> &'static TestKeys {
        static SHARED: OnceLock<TestKeys> = OnceLock::new();
        SHARED.get_or_init(|| TestKeys::generate("test-key-1").expect("an RSA test key pair"))
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key, as a JWK Set document.
    pub fn jwks(&self) -> &str {
        &self.jwks
    }

    /// The private key, PKCS#8 PEM.
    pub fn private_pem(&self) -> &str {
        &self.private_pem
    }

    /// A signer with the private key.
    pub fn signer(&self) -> Signer {
        Signer::from_rsa_pem(self.private_pem.as_bytes(), &self.kid).expect("the test key signs")
    }

    /// A verifier with the public key.
    pub fn verifier(&self) -> Verifier {
        Verifier::from_jwks(&self.jwks).expect("the test key set loads")
    }

    /// `body` signed validly.
    pub fn sign(&self, body: &Value) -> String {
        self.signer().sign(body).expect("the test key signs")
    }

    /// `body` as `forgery`.
    pub fn forge(&self, forgery: Forgery, body: &Value) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let jti = uuid::Uuid::new_v4().to_string();
        let mut claims = body.clone();
        if let Value::Object(m) = &mut claims {
            m.insert(String::from("iat"), Value::from(now));
            m.insert(String::from("jti"), Value::from(jti.as_str()));
        }
        match forgery {
            Forgery::Tampered => {
                let token = self.sign(body);
                let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
                if let Value::Object(m) = &mut claims {
                    m.insert(String::from("tampered"), Value::Bool(true));
                }
                parts[1] = b64(claims.to_string().as_bytes());
                parts.join(".")
            }
            Forgery::UnknownKid => Signer::from_rsa_pem(self.private_pem.as_bytes(), "no-such-kid")
                .expect("the test key signs")
                .sign(body)
                .expect("the test key signs"),
            Forgery::AlgNone => {
                let header = serde_json::json!({"alg": "none", "kid": self.kid, "typ": "JWT"});
                format!(
                    "{}.{}.",
                    b64(header.to_string().as_bytes()),
                    b64(claims.to_string().as_bytes())
                )
            }
            Forgery::Hs256WithPublicKey => {
                let mut header = Header::new(Algorithm::HS256);
                header.kid = Some(self.kid.clone());
                let secret =
                    EncodingKey::from_secret(self.jwks.as_bytes()).expect("an HMAC secret");
                jsonwebtoken::encode(&header, &claims, &secret).expect("an HS256 token")
            }
            Forgery::Expired => self
                .signer()
                .sign_at(body, now.saturating_sub(3600), &jti)
                .expect("the test key signs"),
        }
    }
}

/// The keys of a mock that serves signed bodies: a verifier for requests, the key set of
/// `--jwks FILE` when the command line names one, else of a key pair made now; and a signer for
/// responses, with that key pair. The pair's JWKS and private key (PKCS#8 PEM) are written to a
/// fresh directory under the system's temporary one and named on stderr, so that whoever calls
/// the mock can sign requests and verify answers.
pub fn mock_keys() -> Result<(Verifier, Signer), String> {
    let keys = TestKeys::generate("mock-key")?;
    let dir = std::env::temp_dir().join(format!("ofb-mock-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let (jwks, pem) = (dir.join("jwks.json"), dir.join("private-key.pem"));
    std::fs::write(&jwks, keys.jwks()).map_err(|e| format!("{}: {e}", jwks.display()))?;
    std::fs::write(&pem, keys.private_pem()).map_err(|e| format!("{}: {e}", pem.display()))?;
    eprintln!(
        "signed bodies (application/jwt, PS256): the mock's key set is {} and its private key \
         {} (kid `{}`); it signs its answers with it",
        jwks.display(),
        pem.display(),
        keys.kid()
    );
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--jwks" {
            let path = args.next().ok_or("--jwks needs a file")?;
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
            eprintln!("signed requests are verified against the key set of {path}");
            let verifier = Verifier::from_jwks(&text).map_err(|e| format!("{path}: {e}"))?;
            return Ok((verifier, keys.signer()));
        }
    }
    eprintln!(
        "signed requests are verified against the mock's key set (or start it with --jwks FILE)"
    );
    Ok((keys.verifier(), keys.signer()))
}
