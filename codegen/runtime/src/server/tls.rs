//! TLS for the server, and mutual TLS: a bank's network rules often want the platform and the
//! integration layer to meet over TLS, or to know each other by certificate. [`TlsConfig`] is
//! given to [`super::ServeConfig::with_tls`]; HTTP/2 and HTTP/1.1 are offered by ALPN. With
//! client certificates required, each request carries the certificate it came with as a
//! [`ClientCertificate`] in its context's extensions: its subject, and its SHA-256 thumbprint
//! for certificate-bound tokens (RFC 8705's `x5t#S256`).

use base64::Engine as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::Arc;

/// Why TLS could not be configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsError(pub String);

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TLS cannot be set up: {}", self.0)
    }
}

impl std::error::Error for TlsError {}

/// The server's certificate and key, and the CAs whose client certificates it requires (mTLS).
#[derive(Clone)]
pub struct TlsConfig {
    pub(crate) server: Arc<rustls::ServerConfig>,
    pub(crate) mutual: bool,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("mutual", &self.mutual)
            .finish_non_exhaustive()
    }
}

fn certificates(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError(format!("{what}: {e}")))?;
    if certs.is_empty() {
        return Err(TlsError(format!("{what}: no CERTIFICATE in the PEM")));
    }
    Ok(certs)
}

impl TlsConfig {
    /// TLS with the certificate chain of `cert_pem` (the server's first) and the private key of
    /// `key_pem` (PKCS#8, PKCS#1 or SEC1), clients not asked for a certificate.
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Self, TlsError> {
        Self::build(cert_pem, key_pem, None)
    }

    /// Mutual TLS: as [`TlsConfig::from_pem`], and every client must present a certificate
    /// issued by a CA of `client_ca_pem`; a connection without one is refused in the handshake.
    pub fn mutual(cert_pem: &[u8], key_pem: &[u8], client_ca_pem: &[u8]) -> Result<Self, TlsError> {
        Self::build(cert_pem, key_pem, Some(client_ca_pem))
    }

    fn build(cert_pem: &[u8], key_pem: &[u8], ca: Option<&[u8]>) -> Result<Self, TlsError> {
        crate::tls::install_tls_provider();
        let chain = certificates(cert_pem, "the server certificate")?;
        let key = PrivateKeyDer::from_pem_slice(key_pem)
            .map_err(|e| TlsError(format!("the private key: {e}")))?;
        let builder = rustls::ServerConfig::builder();
        let builder = match ca {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                for c in certificates(ca, "the client CA")? {
                    roots
                        .add(c)
                        .map_err(|e| TlsError(format!("the client CA: {e}")))?;
                }
                let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots))
                    .build()
                    .map_err(|e| TlsError(format!("the client CA: {e}")))?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut server = builder
            .with_single_cert(chain, key)
            .map_err(|e| TlsError(format!("the certificate and key: {e}")))?;
        server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(TlsConfig {
            server: Arc::new(server),
            mutual: ca.is_some(),
        })
    }
}

/// The certificate a client presented (mutual TLS), as the back-end finds it in its context:
/// `context.extension::<ClientCertificate>()`.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCertificate {
    /// The subject's distinguished name, as RFC 4514 writes it (`CN=platform,O=Opus`).
    pub subject: String,
    /// The SHA-256 of the certificate's DER, base64url without padding: what a
    /// certificate-bound token's `cnf.x5t#S256` names (RFC 8705).
    pub thumbprint: String,
    /// The certificate, DER.
    pub der: Arc<[u8]>,
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("subject", &self.subject)
            .field("thumbprint", &self.thumbprint)
            .finish_non_exhaustive()
    }
}

impl ClientCertificate {
    /// The certificate of `der`.
    pub fn from_der(der: &[u8]) -> Self {
        let thumbprint =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(der));
        let subject = x509_parser::parse_x509_certificate(der)
            .map(|(_, c)| c.subject().to_string())
            .unwrap_or_default();
        ClientCertificate {
            subject,
            thumbprint,
            der: Arc::from(der),
        }
    }
}
