//! The TLS provider rustls needs before any HTTPS client is built: the generated clients', and
//! the server's when it fetches a key set from a JWKS URL.

/// Installs rustls' ring provider as the process default, once; later calls, and a process
/// that installed another provider first, are left as they are. For post-quantum key exchange,
/// install aws-lc-rs' provider (`rustls::crypto::aws_lc_rs::default_provider().install_default()`)
/// before the first client is built: it is then used instead. The client's `Config` calls it; call it
/// yourself before building a `reqwest::Client` by other means than `client::http_builder`.
pub fn install_tls_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Losing a race with another installer leaves theirs in place, which is as good.
            // rustls 0.23.48 deprecated ring's provider because ring has no post-quantum key
            // exchange. It is still the one that builds everywhere without cmake or a second C
            // toolchain, which is why it stays the default; the docs above say how to choose
            // aws-lc-rs instead. Older rustls releases do not know the lint's target, hence
            // the allow rather than a version bound.
            #[allow(deprecated)]
            let provider = rustls::crypto::ring::default_provider();
            let _ = provider.install_default();
        }
    });
}
