//! TLS for the mail servers: one rustls client configuration (the system's roots plus an
//! optional private CA), shared by the IMAP intake and the SMTP transport. Certificate
//! verification is always on; the only way around it is a CA file the operator trusts.

use std::path::Path;
use std::sync::Arc;

use tokio_rustls::rustls::{self, pki_types::pem::PemObject, pki_types::CertificateDer, RootCertStore};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("CA file {path}: {message}")]
    CaFile { path: String, message: String },
    #[error("TLS set-up: {0}")]
    Setup(String),
}

/// Is `host` this machine? Clear text (a password, a client secret) may go only there.
pub fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
}

/// Pick the process's crypto provider once (ring); harmless when called again.
pub fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The extra CA certificates of a PEM file.
pub fn read_ca(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let err = |message: String| TlsError::CaFile { path: path.display().to_string(), message };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| err(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| err(e.to_string()))?;
    if certs.is_empty() {
        return Err(err("no certificate in it".into()));
    }
    Ok(certs)
}

pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    install_provider();
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_file {
        for cert in read_ca(path)? {
            roots.add(cert).map_err(|e| TlsError::CaFile { path: path.display().to_string(), message: e.to_string() })?;
        }
    }
    if roots.is_empty() {
        return Err(TlsError::Setup("no trusted CA certificates (install ca-certificates or set ca_file)".into()));
    }
    Ok(Arc::new(rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth()))
}
