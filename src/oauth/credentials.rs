//! How the client proves who it is to the token endpoint: a client secret, or an RS256 JWT
//! signed with a certificate's key (Microsoft) or a service account's key (Google), and the
//! files and variables a section names, read and parsed once.

use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::signature::RsaKeyPair;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::settings::{check_token_url, invalid, OAuth2Config, OAuthGrant, SettingError};
use super::error::{one_line, OAuthError};
use crate::secret::Secret;

/// RFC 7523 2.2: client authentication with a JWT.
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// RFC 7523 2.1: a JWT as the authorization grant.
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// A client assertion lives 10 minutes (it is used once, right away).
const ASSERTION_LIFETIME: u64 = 600;
/// A service-account JWT may live at most an hour (Google).
const SERVICE_ACCOUNT_JWT_LIFETIME: u64 = 3600;

/// How the client proves who it is, read and parsed from the section.
pub enum ClientAuth {
    /// `client_secret` in the request body.
    Secret { client_id: String, secret: Secret },
    /// A JWT client assertion signed with the certificate's key (Microsoft Entra ID).
    Certificate { client_id: String, key: SigningKey, x5t: String },
    /// A service account's JWT as the grant itself (Google domain-wide delegation).
    ServiceAccount { issuer: String, key: SigningKey, kid: Option<String> },
}

impl std::fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientAuth::Secret { client_id, secret } => {
                f.debug_struct("Secret").field("client_id", client_id).field("secret", secret).finish()
            }
            ClientAuth::Certificate { client_id, key, x5t } => {
                f.debug_struct("Certificate").field("client_id", client_id).field("key", key).field("x5t", x5t).finish()
            }
            ClientAuth::ServiceAccount { issuer, key, kid } => {
                f.debug_struct("ServiceAccount").field("issuer", issuer).field("key", key).field("kid", kid).finish()
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AuthKind {
    Secret,
    Certificate,
    ServiceAccount,
}

impl ClientAuth {
    pub(super) fn kind(&self) -> AuthKind {
        match self {
            ClientAuth::Secret { .. } => AuthKind::Secret,
            ClientAuth::Certificate { .. } => AuthKind::Certificate,
            ClientAuth::ServiceAccount { .. } => AuthKind::ServiceAccount,
        }
    }
}

/// An RSA private key that signs RS256 JWTs. Its `Debug` shows nothing of the key.
#[derive(Clone)]
pub struct SigningKey(Arc<RsaKeyPair>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey(RSA-{}, ***)", self.0.public().modulus_len() * 8)
    }
}

impl SigningKey {
    /// The first private key of a PEM text, which must be an RSA key in PKCS#8 form
    /// (`-----BEGIN PRIVATE KEY-----`). The error never quotes the key.
    pub fn from_pem(pem: &Secret, source: &str) -> Result<SigningKey, String> {
        let text = pem.expose().as_bytes();
        if pem.expose().contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return Err(format!(
                "{source} holds an encrypted key: decrypt it (openssl pkcs8 -in {source} -out key.pem) and keep it readable only by seatmail"
            ));
        }
        let der = match PrivateKeyDer::from_pem_slice(text) {
            Ok(PrivateKeyDer::Pkcs8(der)) => der,
            Ok(PrivateKeyDer::Pkcs1(_)) => {
                return Err(format!(
                    "{source} holds a PKCS#1 RSA key (BEGIN RSA PRIVATE KEY): convert it to PKCS#8 with \
                     `openssl pkcs8 -topk8 -nocrypt -in {source} -out key.pem`"
                ))
            }
            Ok(PrivateKeyDer::Sec1(_)) => return Err(format!("{source} holds an EC key: an RSA key is needed (RS256)")),
            Ok(_) => return Err(format!("{source} holds an unknown kind of key: an RSA PKCS#8 key is needed")),
            Err(tokio_rustls::rustls::pki_types::pem::Error::NoItemsFound) => {
                return Err(format!("no private key (-----BEGIN PRIVATE KEY-----) in {source}"))
            }
            Err(e) => return Err(format!("{source} is not a readable PEM file: {e}")),
        };
        let key = RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).map_err(|e| {
            let why = match e.to_string().as_str() {
                "WrongAlgorithm" => "not an RSA key (RS256 needs RSA)".to_string(),
                "TooSmall" => "the RSA key is smaller than 2048 bits".to_string(),
                "TooLarge" => "the RSA key is larger than 8192 bits".to_string(),
                other => format!("not a valid RSA PKCS#8 key ({other})"),
            };
            format!("{source}: {why}")
        })?;
        Ok(SigningKey(Arc::new(key)))
    }

    /// The public key (DER `RSAPublicKey`).
    pub fn public_key(&self) -> &[u8] {
        self.0.public().as_ref()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, OAuthError> {
        let mut signature = vec![0; self.0.public().modulus_len()];
        self.0
            .sign(&ring::signature::RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), message, &mut signature)
            .map_err(|_| OAuthError::Setup("signing the JWT failed".into()))?;
        Ok(signature)
    }
}

/// A compact JWS: `base64url(header).base64url(claims).base64url(RS256 signature)`.
fn signed_jwt(key: &SigningKey, header: &serde_json::Value, claims: &serde_json::Value) -> Result<String, OAuthError> {
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = key.sign(input.as_bytes())?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

/// Microsoft's client assertion: issued by and about the client, for the token endpoint, for
/// ten minutes; `x5t` names the certificate.
/// <https://learn.microsoft.com/entra/identity-platform/certificate-credentials>
pub(super) fn client_assertion(key: &SigningKey, x5t: &str, client_id: &str, token_url: &str, now: u64) -> Result<String, OAuthError> {
    let header = serde_json::json!({ "alg": "RS256", "typ": "JWT", "x5t": x5t });
    let claims = serde_json::json!({
        "aud": token_url,
        "iss": client_id,
        "sub": client_id,
        "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": now,
        "iat": now,
        "exp": now + ASSERTION_LIFETIME,
    });
    signed_jwt(key, &header, &claims)
}

/// Google's service-account JWT: issued by the service account, for the token endpoint, asking
/// `scope` on behalf of `subject` (domain-wide delegation), for an hour.
/// <https://developers.google.com/identity/protocols/oauth2/service-account#httprest>
pub(super) fn service_account_assertion(
    key: &SigningKey,
    kid: Option<&str>,
    issuer: &str,
    scope: &str,
    token_url: &str,
    subject: &str,
    now: u64,
) -> Result<String, OAuthError> {
    let mut header = serde_json::json!({ "alg": "RS256", "typ": "JWT" });
    if let Some(kid) = kid {
        header["kid"] = serde_json::Value::String(kid.to_string());
    }
    let claims = serde_json::json!({
        "iss": issuer,
        "scope": scope,
        "aud": token_url,
        "sub": subject,
        "iat": now,
        "exp": now + SERVICE_ACCOUNT_JWT_LIFETIME,
    });
    signed_jwt(key, &header, &claims)
}

pub(super) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The certificate's SHA-1 thumbprint, base64url: the JWT header's `x5t`.
pub fn x5t(certificate_der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, certificate_der))
}

/// A section's credentials, every file and variable read and every key parsed.
#[derive(Debug)]
pub struct Credentials {
    /// The token endpoint.
    pub url: String,
    pub auth: ClientAuth,
    pub refresh_token: Option<Secret>,
}

impl Credentials {
    /// Reads what `config` names (a validated section); errors name the key.
    pub fn load(section: &str, config: &OAuth2Config) -> Result<Credentials, SettingError> {
        let invalid = |key: &str, message: String| invalid(&format!("{section}.{key}"), message);
        let grant = config.grant();
        let client_id = config.client_id.clone().unwrap_or_default();
        let mut url = config.token_url.clone();
        let auth = if let Some(file) = &config.service_account_file {
            let account = ServiceAccountKey::read(file).map_err(|m| invalid("service_account_file", m))?;
            if url.is_none() {
                if let Some(uri) = &account.token_uri {
                    check_token_url(uri).map_err(|m| invalid("service_account_file", format!("its token_uri: {m}")))?;
                    url = Some(uri.clone());
                }
            }
            ClientAuth::ServiceAccount { issuer: account.client_email, key: account.key, kid: account.key_id }
        } else if grant == OAuthGrant::JwtBearer {
            let path = config.client_key.as_deref().ok_or_else(|| invalid("client_key", "required".into()))?;
            let key = read_key(path).map_err(|m| invalid("client_key", m))?;
            ClientAuth::ServiceAccount { issuer: client_id, key, kid: None }
        } else if let Some(cert_path) = &config.client_certificate {
            let certificate = read_certificate(cert_path).map_err(|m| invalid("client_certificate", m))?;
            let key_path = config.client_key.as_deref().unwrap_or(cert_path);
            let key = read_key(key_path).map_err(|m| {
                let m = if config.client_key.is_none() { format!("{m} (or give the key's file in client_key)") } else { m };
                invalid("client_key", m)
            })?;
            // The public key sits verbatim in the certificate's SubjectPublicKeyInfo.
            if !contains(&certificate, key.public_key()) {
                return Err(invalid(
                    "client_key",
                    format!("{} is not the private key of the certificate in {}", key_path.display(), cert_path.display()),
                ));
            }
            ClientAuth::Certificate { client_id, key, x5t: x5t(&certificate) }
        } else {
            ClientAuth::Secret { client_id, secret: config.client_secret().resolve(section)? }
        };
        let url = url.or_else(|| config.token_url()).ok_or_else(|| invalid("token_url", "no token endpoint".into()))?;
        let refresh_token = match grant {
            OAuthGrant::RefreshToken => Some(config.refresh_token().resolve(section)?),
            OAuthGrant::ClientCredentials | OAuthGrant::JwtBearer => None,
        };
        Ok(Credentials { url, auth, refresh_token })
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn read_key(path: &Path) -> Result<SigningKey, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    SigningKey::from_pem(&Secret::new(text), &path.display().to_string())
}

/// The first certificate of a PEM file, DER.
fn read_certificate(path: &Path) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match CertificateDer::pem_slice_iter(&bytes).next() {
        Some(Ok(der)) => Ok(der.as_ref().to_vec()),
        Some(Err(e)) => Err(format!("{} is not a readable PEM file: {e}", path.display())),
        None => Err(format!("no certificate (-----BEGIN CERTIFICATE-----) in {}", path.display())),
    }
}

/// What seatmail uses of a Google service account's JSON key file.
struct ServiceAccountKey {
    client_email: String,
    key: SigningKey,
    key_id: Option<String>,
    token_uri: Option<String>,
}

impl ServiceAccountKey {
    fn read(path: &Path) -> Result<ServiceAccountKey, String> {
        let name = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        // Parsed as a value, so that no error message can quote the key.
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{name} is not JSON (line {}, column {})", e.line(), e.column()))?;
        let field = |k: &str| json.get(k).and_then(|v| v.as_str()).filter(|v| !v.trim().is_empty());
        if json.get("installed").is_some() || json.get("web").is_some() {
            return Err(format!(
                "{name} is an OAuth client file, not a service-account key: create a JSON key under the service account (Keys → Add key)"
            ));
        }
        match field("type") {
            Some("service_account") => {}
            Some(other) => return Err(format!("{name} is a `{}` file, not a service-account key", one_line(other, 40))),
            None => return Err(format!("{name} has no \"type\": \"service_account\": not a service-account JSON key")),
        }
        let client_email = field("client_email").ok_or_else(|| format!("{name} has no client_email"))?.to_string();
        let pem = field("private_key").ok_or_else(|| format!("{name} has no private_key"))?;
        let key = SigningKey::from_pem(&Secret::new(pem.to_string()), &format!("the private_key of {name}"))?;
        Ok(ServiceAccountKey {
            client_email,
            key,
            key_id: field("private_key_id").map(str::to_string),
            token_uri: field("token_uri").map(str::to_string),
        })
    }
}


#[cfg(test)]
mod tests {
    use super::*;


    const KEY: &str = include_str!("../../tests/fixtures/oauth/client-key.pem");
    const OTHER_KEY: &str = include_str!("../../tests/fixtures/oauth/other-key.pem");

    fn key(pem: &str) -> SigningKey {
        SigningKey::from_pem(&Secret::new(pem.into()), "key.pem").expect("the test key")
    }

    /// A self-signed certificate for `pem`'s key, PEM.
    fn certificate(pem: &str) -> String {
        let pair = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(pem, &rcgen::PKCS_RSA_SHA256).expect("rcgen RSA key");
        rcgen::CertificateParams::new(Vec::<String>::new()).expect("params").self_signed(&pair).expect("self-sign").pem()
    }

    /// The JWT's header and claims, after checking its RS256 signature against `key`.
    fn verified(jwt: &str, key: &SigningKey) -> (serde_json::Value, serde_json::Value) {
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3, "{jwt}");
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("base64url signature");
        ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, key.public_key())
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .expect("a valid RS256 signature");
        let json = |p: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).expect("base64url")).expect("JSON");
        (json(parts[0]), json(parts[1]))
    }

    #[test]
    fn a_client_assertion_is_a_signed_jwt_microsoft_accepts() {
        let k = key(KEY);
        let url = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token";
        let jwt = client_assertion(&k, "qZk-NkcGgWq6PiVxeFDCbJzQ2J0", "app-id", url, 1_700_000_000).unwrap();
        let (header, claims) = verified(&jwt, &k);
        assert_eq!(header, serde_json::json!({ "alg": "RS256", "typ": "JWT", "x5t": "qZk-NkcGgWq6PiVxeFDCbJzQ2J0" }));
        assert_eq!(claims["aud"], url);
        assert_eq!(claims["iss"], "app-id");
        assert_eq!(claims["sub"], "app-id");
        assert_eq!(claims["nbf"], 1_700_000_000u64);
        assert_eq!(claims["iat"], 1_700_000_000u64);
        assert_eq!(claims["exp"], 1_700_000_600u64);
        let jti = claims["jti"].as_str().unwrap();
        assert!(uuid::Uuid::parse_str(jti).is_ok(), "{jti}");
        let again = client_assertion(&k, "x", "app-id", url, 1_700_000_000).unwrap();
        assert_ne!(verified(&again, &k).1["jti"], claims["jti"], "jti is new every time");
        assert_eq!(claims.as_object().unwrap().len(), 7, "{claims}");
        // Signed with another key, the signature does not verify against this one.
        let wrong = client_assertion(&key(OTHER_KEY), "x", "app-id", url, 1_700_000_000).unwrap();
        let parts: Vec<&str> = wrong.split('.').collect();
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        assert!(ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, k.public_key())
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .is_err());
    }

    #[test]
    fn a_service_account_jwt_impersonates_the_mailbox_for_at_most_an_hour() {
        let k = key(KEY);
        let jwt = service_account_assertion(
            &k,
            Some("0123abcd"),
            "seatmail@project.iam.gserviceaccount.com",
            "https://mail.google.com/",
            "https://oauth2.googleapis.com/token",
            "webservices@reseller.example",
            1_700_000_000,
        )
        .unwrap();
        let (header, claims) = verified(&jwt, &k);
        assert_eq!(header, serde_json::json!({ "alg": "RS256", "typ": "JWT", "kid": "0123abcd" }));
        assert_eq!(
            claims,
            serde_json::json!({
                "iss": "seatmail@project.iam.gserviceaccount.com",
                "scope": "https://mail.google.com/",
                "aud": "https://oauth2.googleapis.com/token",
                "sub": "webservices@reseller.example",
                "iat": 1_700_000_000u64,
                "exp": 1_700_003_600u64,
            })
        );
        let no_kid = service_account_assertion(&k, None, "i", "s", "a", "u", 1).unwrap();
        assert_eq!(verified(&no_kid, &k).0, serde_json::json!({ "alg": "RS256", "typ": "JWT" }));
    }

    #[test]
    fn the_thumbprint_is_the_base64url_sha1_of_the_der() {
        // SHA-1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d
        assert_eq!(x5t(b"abc"), "qZk-NkcGgWq6PiVxeFDCbJzQ2J0");
    }

    fn section(toml_text: &str) -> OAuth2Config {
        toml::from_str(toml_text).expect("an [oauth2] section")
    }

    #[test]
    fn certificates_and_service_accounts_are_read_and_checked_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name).display().to_string();
        std::fs::write(path("cert.pem"), certificate(KEY)).unwrap();
        std::fs::write(path("key.pem"), KEY).unwrap();
        std::fs::write(path("other.pem"), OTHER_KEY).unwrap();
        std::fs::write(path("both.pem"), format!("{}{KEY}", certificate(KEY))).unwrap();
        let base = "token_url = \"https://login.example.com/token\"\nclient_id = \"app\"\n";
        let load = |extra: String| {
            let c = section(&format!("{base}{extra}"));
            c.validate("o").and_then(|_| Credentials::load("o", &c))
        };

        let ok = load(format!("client_certificate = \"{}\"\nclient_key = \"{}\"\n", path("cert.pem"), path("key.pem"))).unwrap();
        let der = CertificateDer::from_pem_file(path("cert.pem")).unwrap();
        match &ok.auth {
            ClientAuth::Certificate { client_id, x5t: t, .. } => {
                assert_eq!(client_id, "app");
                assert_eq!(t, &x5t(der.as_ref()));
            }
            other => panic!("{other:?}"),
        }
        // The key in the certificate's file; `client_key_file` is another name for `client_key`.
        assert!(load(format!("client_certificate = \"{}\"\n", path("both.pem"))).is_ok());
        assert!(load(format!("client_certificate = \"{}\"\nclient_key_file = \"{}\"\n", path("cert.pem"), path("key.pem"))).is_ok());

        let cert = format!("client_certificate = \"{}\"\n", path("cert.pem"));
        let ec = rcgen::KeyPair::generate().unwrap().serialize_pem();
        std::fs::write(path("ec.pem"), &ec).unwrap();
        let pkcs1 = KEY.replace("BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY").replace("END PRIVATE KEY", "END RSA PRIVATE KEY");
        std::fs::write(path("pkcs1.pem"), &pkcs1).unwrap();
        for (extra, key, says) in [
            (format!("{cert}client_key = \"{}\"\n", path("other.pem")), "o.client_key", "is not the private key of the certificate"),
            (format!("{cert}client_key = \"{}\"\n", path("ec.pem")), "o.client_key", "not an RSA key"),
            (format!("{cert}client_key = \"{}\"\n", path("pkcs1.pem")), "o.client_key", "PKCS#1"),
            (format!("{cert}client_key = \"{}\"\n", path("missing.pem")), "o.client_key", "cannot read"),
            (cert.to_string(), "o.client_key", "no private key"),
            (format!("client_certificate = \"{}\"\nclient_key = \"{}\"\n", path("key.pem"), path("key.pem")), "o.client_certificate", "no certificate"),
            (format!("{cert}client_key = \"{}\"\nclient_secret = \"s\"\n", path("key.pem")), "o.client_certificate", "not both"),
            (format!("client_key = \"{}\"\nclient_secret = \"s\"\n", path("key.pem")), "o.client_key", "only used with client_certificate"),
        ] {
            let e = load(extra.clone()).unwrap_err().to_string();
            assert!(e.contains(&format!("`{key}`")) && e.contains(says), "{extra}: {e}");
            for line in KEY.lines().chain(OTHER_KEY.lines()).chain(ec.lines()).filter(|l| !l.starts_with("-----")) {
                assert!(!e.contains(line), "the key is quoted: {e}");
            }
        }

        let account = |extra: serde_json::Value| {
            let mut json = serde_json::json!({
                "type": "service_account",
                "project_id": "p",
                "private_key_id": "kid-1",
                "private_key": KEY,
                "client_email": "seatmail@p.iam.gserviceaccount.com",
                "client_id": "1234567890",
                "token_uri": "https://oauth2.googleapis.com/token",
            });
            for (k, v) in extra.as_object().unwrap() {
                json[k] = v.clone();
            }
            std::fs::write(path("sa.json"), json.to_string()).unwrap();
            let c = section(&format!("service_account_file = \"{}\"\n", path("sa.json")));
            c.validate("o").and_then(|_| Credentials::load("o", &c).map(|cr| (c, cr)))
        };
        let (c, creds) = account(serde_json::json!({})).unwrap();
        assert_eq!(c.grant(), OAuthGrant::JwtBearer);
        assert_eq!(c.scope().as_deref(), Some(super::super::settings::GOOGLE_SCOPE));
        assert_eq!(creds.url, "https://oauth2.googleapis.com/token");
        match &creds.auth {
            ClientAuth::ServiceAccount { issuer, kid, .. } => {
                assert_eq!(issuer, "seatmail@p.iam.gserviceaccount.com");
                assert_eq!(kid.as_deref(), Some("kid-1"));
            }
            other => panic!("{other:?}"),
        }
        for (extra, says) in [
            (serde_json::json!({ "private_key": OTHER_KEY.replace("PRIVATE KEY", "RSA PRIVATE KEY") }), "PKCS#1"),
            (serde_json::json!({ "private_key": "" }), "no private_key"),
            (serde_json::json!({ "client_email": null }), "no client_email"),
            (serde_json::json!({ "type": "authorized_user" }), "not a service-account key"),
            (serde_json::json!({ "installed": {} }), "OAuth client file"),
            (serde_json::json!({ "token_uri": "http://oauth2.example.com/token" }), "token_uri"),
        ] {
            let e = account(extra.clone()).unwrap_err().to_string();
            assert!(e.contains("`o.service_account_file`") && e.contains(says), "{extra}: {e}");
            assert!(!e.contains(KEY.lines().nth(1).unwrap()) && !e.contains(OTHER_KEY.lines().nth(1).unwrap()), "{e}");
        }
        std::fs::write(path("sa.json"), "{\"private_key\": \"-----BEGIN").unwrap();
        let c = section(&format!("service_account_file = \"{}\"\n", path("sa.json")));
        assert!(super::super::check("o", &c).unwrap_err().to_string().contains("is not JSON"));
        let with_id = section(&format!("service_account_file = \"{}\"\nclient_id = \"x\"\n", path("sa.json")));
        assert!(with_id.validate("o").unwrap_err().to_string().contains("`o.client_id`"));
        let refresh = section(&format!("service_account_file = \"{}\"\ngrant = \"refresh_token\"\n", path("sa.json")));
        assert!(refresh.validate("o").unwrap_err().to_string().contains("`o.service_account_file`"));
        let bare = section("provider = \"google\"\ngrant = \"jwt_bearer\"\n");
        assert!(bare.validate("o").unwrap_err().to_string().contains("`o.service_account_file`"));
        // jwt_bearer without a JSON file: client_id is the issuer, client_key signs.
        let (c, creds) = {
            let c = section(&format!("provider = \"google\"\ngrant = \"jwt_bearer\"\nclient_id = \"sa@p.iam.gserviceaccount.com\"\nclient_key = \"{}\"\n", path("key.pem")));
            c.validate("o").unwrap();
            let creds = Credentials::load("o", &c).unwrap();
            (c, creds)
        };
        assert_eq!(c.scope().as_deref(), Some(super::super::settings::GOOGLE_SCOPE));
        assert!(matches!(&creds.auth, ClientAuth::ServiceAccount { issuer, kid: None, .. } if issuer == "sa@p.iam.gserviceaccount.com"));
    }

    #[test]
    fn keys_do_not_print() {
        let k = key(KEY);
        let creds = Credentials {
            url: "https://t".into(),
            auth: ClientAuth::Certificate { client_id: "app".into(), key: k.clone(), x5t: "t".into() },
            refresh_token: None,
        };
        let sa = ClientAuth::ServiceAccount { issuer: "i".into(), key: k.clone(), kid: None };
        let secret = ClientAuth::Secret { client_id: "app".into(), secret: Secret::new("hunter2-secret".into()) };
        let printed = format!("{k:?} {creds:?} {sa:?} {secret:?} {:#?}", creds);
        assert!(printed.contains("SigningKey(RSA-2048, ***)"), "{printed}");
        assert!(!printed.contains("hunter2"), "{printed}");
        for line in KEY.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!printed.contains(line), "{printed}");
        }
        // Nor the public key, in any encoding worth checking.
        assert!(!printed.contains(&URL_SAFE_NO_PAD.encode(&k.public_key()[..24])), "{printed}");
    }

}
