//! Throw-away TLS material for the real-server tests: a fresh test CA and a
//! server certificate for `localhost` / `127.0.0.1` signed by it, written as PEM
//! files (Dovecot reads files), plus the `rustls` configs the in-process SMTP
//! server and the tests' raw clients use. Nothing here is trusted outside the
//! test that made it: every call makes a new CA, so a client only verifies
//! a server if the test handed it that server's `ca.pem`.

// A toolbox: each test uses only part of it.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Paths of the PEM files written by [`write_test_certs`].
#[derive(Clone, Debug)]
pub struct TestCerts {
    /// The CA certificate a client must trust.
    pub ca_pem: PathBuf,
    /// The server certificate (leaf only) for `localhost` and `127.0.0.1`.
    pub cert_pem: PathBuf,
    /// The server's PKCS#8 private key.
    pub key_pem: PathBuf,
}

/// Makes a new CA and a `localhost` / `127.0.0.1` server certificate and writes
/// `ca.pem`, `cert.pem` and `key.pem` into `dir` (created if missing).
pub fn write_test_certs(dir: &Path) -> TestCerts {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose,
    };

    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));

    let ca_key = KeyPair::generate().expect("generate test CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "seatmail test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca = ca_params.self_signed(&ca_key).expect("self-sign test CA");

    let key = KeyPair::generate().expect("generate server key");
    // rcgen turns "127.0.0.1" into an IP SAN, which webpki needs to verify an IP server name.
    let mut params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).expect("server params");
    params.distinguished_name.push(DnType::CommonName, "localhost");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    let cert = params.signed_by(&key, &ca, &ca_key).expect("sign server certificate");

    let certs = TestCerts { ca_pem: dir.join("ca.pem"), cert_pem: dir.join("cert.pem"), key_pem: dir.join("key.pem") };
    for (path, pem) in [(&certs.ca_pem, ca.pem()), (&certs.cert_pem, cert.pem()), (&certs.key_pem, key.serialize_pem())] {
        fs::write(path, pem).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
    certs
}

/// The crypto provider is named explicitly: `ServerConfig::builder()` would
/// panic if some other dependency also turned on rustls' aws-lc-rs provider.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A rustls server config serving `cert.pem` / `key.pem`.
pub fn server_config(certs: &TestCerts) -> Arc<rustls::ServerConfig> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&certs.cert_pem)
        .unwrap_or_else(|e| panic!("read {}: {e:?}", certs.cert_pem.display()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("parse {}: {e:?}", certs.cert_pem.display()));
    let key = PrivateKeyDer::from_pem_file(&certs.key_pem)
        .unwrap_or_else(|e| panic!("read {}: {e:?}", certs.key_pem.display()));
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server certificate and key match");
    Arc::new(config)
}

/// A rustls client config that trusts only the CA in `ca_pem` (for tests'
/// own raw TLS clients).
pub fn client_config(ca_pem: &Path) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_pem).unwrap_or_else(|e| panic!("read {}: {e:?}", ca_pem.display())) {
        roots.add(cert.expect("parse CA PEM")).expect("add test CA");
    }
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}
