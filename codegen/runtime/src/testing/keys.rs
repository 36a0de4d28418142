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

/// The keys of a mock that serves signed bodies: a verifier for requests and a signer for its
/// answers. The mock signs with a key pair made at start. Requests are verified against the key
/// set of `--jwks FILE` when the command line names one; otherwise against the mock's own key,
/// whose private key is then handed out, so that whoever calls the mock can sign. What the
/// caller needs is written to a private directory (mode 0700, files 0600, created afresh so
/// nothing planted there is followed) under the system's temporary one, named on stderr, and
/// removed when this value is dropped: when the mock stops.
pub struct MockKeys {
    /// Verifies signed requests.
    pub verifier: Verifier,
    /// Signs the mock's answers.
    pub signer: Signer,
    dir: std::path::PathBuf,
}

impl MockKeys {
    /// The private directory holding the key files handed out.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }
}

impl Drop for MockKeys {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl std::fmt::Debug for MockKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockKeys")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// [`mock_keys_from`] the process's command line.
pub fn mock_keys() -> Result<MockKeys, String> {
    mock_keys_from(std::env::args().skip(1))
}

/// The keys of a mock whose command line (after the program name) is `args`: see [`MockKeys`].
pub fn mock_keys_from(args: impl IntoIterator<Item = String>) -> Result<MockKeys, String> {
    let mut jwks_file = None;
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        if a == "--jwks" {
            jwks_file = Some(args.next().ok_or("--jwks needs a file")?);
        }
    }
    server_keys("the mock", jwks_file.as_deref(), true)
}

/// The keys of a server (`who`, as its messages name it) that verifies signed requests against
/// the key set in the file `jwks_file`, or, with none, against a key pair of its own whose
/// private key it hands out: see [`MockKeys`]. `signs_answers`: whether the server signs its
/// answers with [`MockKeys::signer`] (its messages say so only then). A development
/// convenience: in production the key set is the platform's.
pub fn server_keys(
    who: &str,
    jwks_file: Option<&str>,
    signs_answers: bool,
) -> Result<MockKeys, String> {
    let keys = TestKeys::generate("mock-key")?;
    let dir = private_dir()?;
    let verifier = match jwks_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            Verifier::from_jwks(&text).map_err(|e| format!("{path}: {e}"))?
        }
        None => keys.verifier(),
    };
    let mock = MockKeys {
        verifier,
        signer: keys.signer(),
        dir,
    };
    let write = |name: &str, text: &str| private_file(&mock.dir.join(name), text);
    let answers = if signs_answers {
        write("mock-jwks.json", keys.jwks())?;
        format!(
            "; {who} signs its answers (PS256, kid `{}`): verify them with the key set {}",
            keys.kid(),
            mock.dir.join("mock-jwks.json").display()
        )
    } else {
        String::new()
    };
    match jwks_file {
        Some(path) => {
            eprintln!("signed requests are verified against the key set of {path}{answers}")
        }
        None => {
            write("private-key.pem", keys.private_pem())?;
            eprintln!(
                "signed requests are verified against {who}'s own key: sign them with {} \
                 (PKCS#8, kid `{}`), or start {who} with --jwks FILE{answers}",
                mock.dir.join("private-key.pem").display(),
                keys.kid()
            );
        }
    }
    Ok(mock)
}

/// A fresh directory under the system's temporary one that only this user can enter.
fn private_dir() -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("ofb-mock-keys-{}", uuid::Uuid::new_v4()));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    // `create`, not `create_all`: a directory (or link) already there is an error.
    builder
        .create(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// Writes `text` to a new file at `path` that only this user can read.
fn private_file(path: &std::path::Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mock_keys_live_in_a_private_directory_removed_when_the_mock_stops() {
        let keys = mock_keys_from(Vec::new()).expect("keys");
        let dir = keys.dir().to_owned();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &std::path::Path| {
                std::fs::metadata(p).expect("exists").permissions().mode() & 0o777
            };
            assert_eq!(mode(&dir), 0o700);
            assert_eq!(mode(&dir.join("private-key.pem")), 0o600);
        }
        drop(keys);
        assert!(!dir.exists(), "{} is left behind", dir.display());
    }

    #[test]
    fn with_jwks_no_private_key_is_handed_out_and_the_given_set_verifies() {
        let other = TestKeys::shared();
        let file = private_dir().expect("dir");
        private_file(&file.join("set.json"), other.jwks()).expect("written");
        let path = file.join("set.json").display().to_string();
        let keys = mock_keys_from(vec![String::from("--jwks"), path]).expect("keys");
        assert!(!keys.dir().join("private-key.pem").exists());
        assert!(keys.dir().join("mock-jwks.json").exists());
        let token = other.sign(&serde_json::json!({"a": 1}));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        rt.block_on(keys.verifier.verify(&token))
            .expect("a token of the given key set verifies");
        let _ = std::fs::remove_dir_all(file);
    }
}
