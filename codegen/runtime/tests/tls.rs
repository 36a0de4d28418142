//! The server over TLS and mutual TLS, with certificates made on the fly: HTTP/2 settled by
//! ALPN between the server and a rustls client, a client without a certificate refused in the
//! handshake when mTLS is on, and the client certificate's subject and thumbprint handed to the
//! back-end.

use base64::Engine as _;
use ofb_runtime::server::{ClientCertificate, ServeConfig, TlsConfig};
use sha2::Digest;
use std::time::Duration;

/// A CA, a server certificate for 127.0.0.1 and a client certificate, all PEM.
struct Pki {
    ca: String,
    server_cert: String,
    server_key: String,
    /// The client's certificate followed by its key, as `reqwest::Identity::from_pem` reads it.
    client_identity: String,
    client_der: Vec<u8>,
}

fn pki() -> Pki {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA");
    let server_key = rcgen::KeyPair::generate().expect("server key");
    let server = rcgen::CertificateParams::new(vec![String::from("127.0.0.1")])
        .expect("server params")
        .signed_by(&server_key, &ca)
        .expect("server certificate");
    let client_key = rcgen::KeyPair::generate().expect("client key");
    let mut client_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    client_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "platform");
    client_params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "Opus");
    let client = client_params
        .signed_by(&client_key, &ca)
        .expect("client certificate");
    Pki {
        ca: ca.pem(),
        server_cert: server.pem(),
        server_key: server_key.serialize_pem(),
        client_identity: format!("{}{}", client.pem(), client_key.serialize_pem()),
        client_der: client.der().to_vec(),
    }
}

/// Serves a route that answers with the client certificate's subject and thumbprint, over
/// `tls`; returns its port and the stop signal.
async fn serve(tls: TlsConfig) -> (u16, tokio::sync::oneshot::Sender<()>) {
    let app = axum::Router::new().route(
        "/whoami",
        axum::routing::get(|request: axum::extract::Request| async move {
            match request.extensions().get::<ClientCertificate>() {
                Some(c) => format!("{}|{}", c.subject, c.thumbprint),
                None => String::from("anonymous"),
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = ServeConfig::default()
        .with_tls(tls)
        .with_grace_period(Duration::from_millis(200));
    tokio::spawn(ofb_runtime::server::serve_with(
        listener,
        app,
        async move {
            let _ = stopped.await;
        },
        config,
    ));
    (port, stop)
}

fn client(pki: &Pki, identity: bool) -> reqwest::Client {
    ofb_runtime::tls::install_tls_provider();
    let mut b = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(pki.ca.as_bytes()).expect("CA")])
        .timeout(Duration::from_secs(5));
    if identity {
        b = b.identity(
            reqwest::Identity::from_pem(pki.client_identity.as_bytes()).expect("identity"),
        );
    }
    b.build().expect("a client")
}

#[tokio::test]
async fn tls_speaks_http2_by_alpn_and_hands_no_certificate_without_mtls() {
    let pki = pki();
    let tls =
        TlsConfig::from_pem(pki.server_cert.as_bytes(), pki.server_key.as_bytes()).expect("TLS");
    let (port, stop) = serve(tls).await;
    let answer = client(&pki, false)
        .get(format!("https://127.0.0.1:{port}/whoami"))
        .send()
        .await
        .expect("an answer over TLS");
    assert_eq!(answer.version(), reqwest::Version::HTTP_2);
    assert_eq!(answer.text().await.expect("text"), "anonymous");
    let _ = stop.send(());
}

#[tokio::test]
async fn mtls_refuses_a_client_without_a_certificate_and_names_the_one_it_gets() {
    let pki = pki();
    let tls = TlsConfig::mutual(
        pki.server_cert.as_bytes(),
        pki.server_key.as_bytes(),
        pki.ca.as_bytes(),
    )
    .expect("mTLS");
    let (port, stop) = serve(tls).await;
    let url = format!("https://127.0.0.1:{port}/whoami");
    assert!(
        client(&pki, false).get(&url).send().await.is_err(),
        "a client without a certificate is refused"
    );
    let text = client(&pki, true)
        .get(&url)
        .send()
        .await
        .expect("an answer over mTLS")
        .text()
        .await
        .expect("text");
    let (subject, thumbprint) = text.split_once('|').expect("subject|thumbprint");
    assert!(
        subject.contains("CN=platform") && subject.contains("O=Opus"),
        "{subject}"
    );
    let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(&pki.client_der));
    assert_eq!(thumbprint, expected, "RFC 8705's x5t#S256");
    let _ = stop.send(());
}

#[test]
fn bad_pem_is_refused_with_what_is_wrong() {
    let e = TlsConfig::from_pem(b"not a certificate", b"nor a key").expect_err("refused");
    assert!(e.to_string().contains("server certificate"), "{e}");
}
