//! OAuth2 logins against real servers: Dovecot checks XOAUTH2 / OAUTHBEARER tokens with its
//! `oauth2` passdb against a token-introspection endpoint, and its own SMTP submission service
//! takes the answers (relaying them to a plain SMTP server that delivers into Dovecot). The
//! tokens come from a token endpoint started by the test, as Microsoft Entra ID or Google would
//! issue them: for a client secret, a refresh token, a certificate (a signed client assertion the
//! endpoint verifies) or a Google service account's signed JWT.

use std::time::Duration;

use crate::servers::in_reply_to;
use crate::support::dovecot::Dovecot;
use crate::support::smtp::{SmtpServer, SmtpTls};
use crate::support::tokens::TokenServer;
use crate::support::{mail, wait_logged, Answer, Env};

const BOX: &str = "webservices@reseller.example";
const CLIENT_ID: &str = "11111111-2222-3333-4444-555555555555";
const CLIENT_SECRET: &str = "Xy8Q~client-secret-value-for-the-test";
const REFRESH_TOKEN: &str = "0.ARfresh-token-for-the-delegated-test";
/// Where the SMTP section's client secret is read from.
const SECRET_VAR: &str = "SEATMAIL_TEST_OAUTH_SECRET";
/// The Google service account (its JSON key file is written by [`OAuthServers::env_with`]).
const SERVICE_ACCOUNT: &str = "seatmail-intake@reseller-mail.iam.gserviceaccount.com";

/// Throw-away RSA test keys (tests/fixtures/oauth/README.md): rcgen with ring cannot make RSA keys.
const CLIENT_KEY: &str = include_str!("../fixtures/oauth/client-key.pem");
const OTHER_KEY: &str = include_str!("../fixtures/oauth/other-key.pem");

/// The `[intake.imap.oauth2]` credentials of [`OAuthServers::env`]: the client secret in a file.
const SECRET_CREDENTIALS: &str = "token_url = \"TOKEN_URL\"\nclient_id = \"CLIENT_ID\"\nclient_secret_file = \"SECRET_FILE\"\n\
     scope = \"https://outlook.office365.com/.default\"\n";
/// A certificate uploaded to the app registration, its key next to it.
const CERTIFICATE_CREDENTIALS: &str = "token_url = \"TOKEN_URL\"\nclient_id = \"CLIENT_ID\"\nclient_certificate = \"CERT_FILE\"\n\
     client_key = \"KEY_FILE\"\nscope = \"https://outlook.office365.com/.default\"\n";
/// A Google service account's JSON key file (its `token_uri` is the test endpoint); the grant
/// (`jwt_bearer`) and the scope (`https://mail.google.com/`) are the defaults with it.
const SERVICE_ACCOUNT_CREDENTIALS: &str = "service_account_file = \"SA_FILE\"\n";

/// `pem`'s RSA key: a self-signed certificate for it (PEM and DER) and its public key (DER
/// `RSAPublicKey`).
fn certificate_for(pem: &str) -> (String, Vec<u8>, Vec<u8>) {
    let pair = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(pem, &rcgen::PKCS_RSA_SHA256).expect("the RSA test key");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("certificate params");
    params.distinguished_name.push(rcgen::DnType::CommonName, "seatmail OAuth2 client");
    let cert = params.self_signed(&pair).expect("self-sign the client certificate");
    (cert.pem(), cert.der().to_vec(), public_key(pem))
}

fn public_key(pem: &str) -> Vec<u8> {
    use tokio_rustls::rustls::pki_types::{pem::PemObject, PrivatePkcs8KeyDer};
    let der = PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()).expect("a PKCS#8 key");
    let pair = ring::signature::RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).expect("an RSA key");
    ring::signature::KeyPair::public_key(&pair).as_ref().to_vec()
}

struct OAuthServers {
    tokens: TokenServer,
    /// Dovecot's submission service relays to this plain SMTP server, which delivers by LMTP.
    relay: SmtpServer,
    dovecot: Dovecot,
    /// The client certificate registered with the token endpoint (for CLIENT_KEY), and one for
    /// OTHER_KEY, which it does not know.
    cert_pem: String,
    other_cert_pem: String,
}

impl OAuthServers {
    fn start(expires_in: u64) -> OAuthServers {
        let tokens = TokenServer::start(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, BOX, expires_in);
        let (cert_pem, cert_der, public) = certificate_for(CLIENT_KEY);
        tokens.register_certificate(&cert_der, &public);
        tokens.register_service_account(SERVICE_ACCOUNT, &public);
        let (other_cert_pem, _, _) = certificate_for(OTHER_KEY);
        let relay = SmtpServer::start(0, SmtpTls::Plain);
        let dovecot = Dovecot::start_with_oauth(&[(BOX, "imap-password-not-used")], &tokens.introspection_url(), relay.port);
        relay.set_lmtp_port(dovecot.lmtp_port);
        OAuthServers { tokens, relay, dovecot, cert_pem, other_cert_pem }
    }

    /// An installation reading our mailbox over IMAPS (XOAUTH2, the client secret in a file) and
    /// answering through Dovecot's submission service (STARTTLS, OAUTHBEARER, the secret in an
    /// environment variable); `imap_extra` is added to `[intake.imap]`.
    fn env(&self, imap_extra: &str) -> Env {
        let smtp = format!("token_url = \"TOKEN_URL\"\nclient_id = \"CLIENT_ID\"\nclient_secret_env = \"{SECRET_VAR}\"\n");
        self.env_with(imap_extra, SECRET_CREDENTIALS, &smtp)
    }

    /// The same installation with these credentials in `[intake.imap.oauth2]` and
    /// `[outbox.smtp.oauth2]`. Placeholders: TOKEN_URL, CLIENT_ID, SECRET_FILE, CERT_FILE and
    /// KEY_FILE (the registered certificate and its key), OTHER_CERT_FILE and OTHER_KEY_FILE (a
    /// certificate the endpoint does not know, and its key), SA_FILE (the service account's
    /// JSON key file).
    fn env_with(&self, imap_extra: &str, imap_credentials: &str, smtp_credentials: &str) -> Env {
        let ca = self.dovecot.ca_pem.display().to_string();
        let extra = format!(
            "[intake.imap]\nhost = \"127.0.0.1\"\nport = {imaps}\ntls = \"implicit\"\nca_file = \"{ca}\"\n\
             user = \"{BOX}\"\nauth = \"oauth2\"\npoll_interval_secs = 300\ntimeout_secs = 10\n{imap_extra}\n\
             [intake.imap.oauth2]\n{imap_credentials}\
             [outbox.smtp]\nhost = \"127.0.0.1\"\nport = {sub}\ntls = \"starttls\"\nca_file = \"{ca}\"\n\
             user = \"{BOX}\"\nauth = \"oauth2\"\ntimeout_secs = 10\n\
             [outbox.smtp.oauth2]\n{smtp_credentials}mechanism = \"oauthbearer\"\n",
            imaps = self.dovecot.imaps_port,
            sub = self.dovecot.submission_port,
        );
        let mut env = Env::bare(&extra);
        let service_account = serde_json::json!({
            "type": "service_account",
            "project_id": "reseller-mail",
            "private_key_id": "4f3c0e1d2b",
            "private_key": CLIENT_KEY,
            "client_email": SERVICE_ACCOUNT,
            "client_id": "104857600000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.tokens.token_url(),
        });
        let mut text = std::fs::read_to_string(&env.config).unwrap();
        for (placeholder, name, content) in [
            ("OTHER_CERT_FILE", "other-cert.pem", self.other_cert_pem.clone()),
            ("OTHER_KEY_FILE", "other-key.pem", OTHER_KEY.to_string()),
            ("SECRET_FILE", "client-secret", format!("{CLIENT_SECRET}\n")),
            ("CERT_FILE", "client-cert.pem", self.cert_pem.clone()),
            ("KEY_FILE", "client-key.pem", CLIENT_KEY.to_string()),
            ("SA_FILE", "service-account.json", service_account.to_string()),
        ] {
            let path = env.path(name);
            std::fs::write(&path, content).unwrap();
            text = text.replace(placeholder, &path.display().to_string());
        }
        text = text.replace("TOKEN_URL", &self.tokens.token_url()).replace("CLIENT_ID", CLIENT_ID);
        std::fs::write(&env.config, text).unwrap();
        env.vars = [
            ("SEATMAIL_INTAKE__KIND", "imap"),
            ("SEATMAIL_OUTBOX__KIND", "smtp"),
            ("SEATMAIL_OUTBOX__RETRY_BASE_SECS", "1"),
            (SECRET_VAR, CLIENT_SECRET),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        env.import(&crate::support::default_subscriptions(), crate::support::DEFAULT_CONTACTS);
        env
    }

    fn deliver(&self, raw: &str) {
        self.dovecot.deliver(BOX, raw.as_bytes());
    }

    fn answers_for(&self, login: &str) -> Vec<Answer> {
        self.dovecot.messages(login, "INBOX").iter().map(|m| Answer::parse(&String::from_utf8_lossy(m))).collect()
    }

    fn answered(&self, login: &str, id: &str) -> usize {
        self.answers_for(login).iter().filter(|a| in_reply_to(a) == id).count()
    }

    fn folder(&self, folder: &str) -> usize {
        self.dovecot.messages(BOX, folder).len()
    }
}

fn request(n: usize) -> (String, String) {
    // No digits in the subject: it would read as a second, different request.
    let team = ["sales", "support", "finance", "legal", "hr", "it", "ops", "marketing", "research", "design"][n % 10];
    mail("admin@contoso.be", &format!("Licence for {team}"), "Please add 1 Microsoft 365 Business Premium licence.\n")
}

/// Neither the client secret, the private keys, any JWT sent nor any token issued appears in
/// the log.
fn assert_no_secrets(log: &str, tokens: &TokenServer) {
    assert!(!log.contains(CLIENT_SECRET), "the client secret is logged");
    assert!(!log.contains(REFRESH_TOKEN), "the refresh token is logged");
    for t in tokens.tokens() {
        assert!(!log.contains(&t), "an access token is logged");
    }
    for jwt in tokens.assertions() {
        // Any of its three parts: the signature would do as much harm as the whole.
        for part in jwt.split('.').filter(|p| p.len() > 16) {
            assert!(!log.contains(part), "a signed JWT is logged");
        }
    }
    for line in CLIENT_KEY.lines().chain(OTHER_KEY.lines()).filter(|l| !l.starts_with("-----")) {
        assert!(!log.contains(line), "a private key is logged");
    }
}

#[test]
fn a_valid_token_logs_in_to_imap_and_smtp_and_requests_are_answered() {
    let s = OAuthServers::start(3600);
    let env = s.env("");
    let out = env.ok(&["check-config", "--connect"]);
    assert!(out.contains(&format!("imap 127.0.0.1:{} as {BOX} (auth OAuth2): ok", s.dovecot.imaps_port)), "{out}");
    assert!(out.contains(&format!("smtp 127.0.0.1:{} as {BOX} (auth OAuth2): ok", s.dovecot.submission_port)), "{out}");

    let mut ids = Vec::new();
    for n in 0..3 {
        let (m, id) = request(n);
        s.deliver(&m);
        ids.push(id);
    }
    let daemon = env.spawn();
    wait_logged(60, "three answers", &daemon, || ids.iter().all(|id| s.answered("admin@contoso.be", id) == 1));
    // The answers went through Dovecot's submission service (the real OAUTHBEARER exchange)
    // to its relay.
    wait_logged(30, "the relay's records", &daemon, || s.relay.accepted().len() >= 3);
    wait_logged(30, "the mails filed", &daemon, || s.folder("Processed") == 3);
    assert_eq!(env.quantity("S-FLEX"), 13);
    // check-config asked for two tokens, the daemon for one per server and no more: cached.
    assert_eq!(s.tokens.issued(), 4, "tokens are cached");

    // Tokens revoked at the provider: the next login (Dovecot restarted) is refused with the
    // cached token, which is dropped; a new one is fetched and the work goes on.
    s.tokens.revoke_tokens();
    let mut s = s;
    s.dovecot.start_again();
    let (m, late) = request(9);
    s.deliver(&m);
    wait_logged(90, "the answer after the tokens were revoked", &daemon, || s.answered("admin@contoso.be", &late) == 1);
    let log = daemon.log_text();
    assert!(log.contains("refused the cached OAuth2 token; fetching a new one"), "{log}");
    assert!(s.tokens.issued() >= 6, "new tokens after the refusal: {}", s.tokens.issued());
    assert_no_secrets(&log, &s.tokens);
    assert!(daemon.stop().success());
}

#[test]
fn tokens_that_expire_are_renewed_and_the_session_goes_on() {
    // Tokens live 3 s: the daemon works across many of their lifetimes, logging in again as
    // they run out (IDLE ends at the token's expiry) and after a server restart.
    let mut s = OAuthServers::start(3);
    let env = s.env("idle_timeout_secs = 600\n");
    let daemon = env.spawn();
    let mut n = 0;
    let mut answered = |s: &OAuthServers, daemon: &crate::support::Daemon| {
        n += 1;
        let (m, id) = request(n);
        s.deliver(&m);
        wait_logged(60, &format!("the answer to mail {n}"), daemon, || s.answered("admin@contoso.be", &id) == 1);
    };
    answered(&s, &daemon);
    for _ in 0..3 {
        // Longer than a token's life, while idling.
        std::thread::sleep(Duration::from_secs(4));
        answered(&s, &daemon);
    }
    s.dovecot.start_again();
    answered(&s, &daemon);
    std::thread::sleep(Duration::from_secs(4));
    answered(&s, &daemon);
    assert!(s.tokens.issued() > 4, "new tokens as the old ran out: {}", s.tokens.issued());
    let log = daemon.log_text();
    assert!(!log.contains("OAuth2 login failed"), "renewal is not a failure:\n{log}");
    assert!(log.matches("oauth2: new access token").count() > 4, "{log}");
    assert_eq!(env.quantity("S-FLEX"), 16);
    assert_no_secrets(&log, &s.tokens);
    assert!(daemon.stop().success());
}

#[test]
fn a_revoked_client_is_a_clear_error_and_the_mail_waits_until_it_is_allowed_again() {
    let s = OAuthServers::start(3);
    let env = s.env("");
    let daemon = env.spawn();
    let (m, first) = request(1);
    s.deliver(&m);
    wait_logged(60, "the first answer", &daemon, || s.answered("admin@contoso.be", &first) == 1);

    // The client secret is revoked at the provider: tokens stop working and no new one comes.
    // The session ends with its token (within 3 s) and cannot log in again.
    s.tokens.revoke_client();
    wait_logged(60, "the refusal in the log", &daemon, || {
        let log = daemon.log_text();
        log.contains("OAuth2 login failed") && log.contains("invalid_client") && log.contains("AADSTS7000215")
    });
    let mut waiting = Vec::new();
    for n in 2..4 {
        let (m, id) = request(n);
        s.deliver(&m);
        waiting.push(id);
    }
    let refused_before = s.tokens.refused();
    wait_logged(120, "another attempt (the daemon keeps trying, with backoff)", &daemon, || s.tokens.refused() > refused_before);
    assert_eq!(env.messages().len(), 1, "nothing read without a login");
    assert_eq!(s.folder("INBOX"), 2, "the mail waits in the mailbox");
    let log = daemon.log_text();
    let line = log.lines().find(|l| l.contains("invalid_client")).unwrap();
    assert!(line.contains("OAuth2 grant (client_credentials) refused by the token endpoint"), "{line}");
    assert!(line.contains("retry_in"), "with backoff: {line}");

    s.tokens.allow_client();
    wait_logged(120, "the waiting mail answered", &daemon, || waiting.iter().all(|id| s.answered("admin@contoso.be", id) == 1));
    wait_logged(30, "all filed", &daemon, || s.folder("Processed") == 3 && s.folder("INBOX") == 0);
    assert_eq!(env.messages().len(), 3);
    assert_eq!(env.quantity("S-FLEX"), 13);
    assert_no_secrets(&daemon.log_text(), &s.tokens);
    assert!(daemon.stop().success());
}

/// `check-config --connect` with `vars`: (exit code, stdout).
fn check(env: &Env, vars: &[(&str, &str)]) -> (Option<i32>, String) {
    let out = env.cmd().args(["check-config", "--connect"]).envs(vars.iter().copied()).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code(), text)
}

#[test]
fn check_config_connect_names_the_token_endpoint_the_grant_or_the_mailbox() {
    let s = OAuthServers::start(3600);
    let env = s.env("");
    let (code, out) = check(&env, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out.matches(": ok").count(), 3, "config, imap and smtp: {out}");

    // The grant: a wrong client secret (SMTP's, from its environment variable).
    let (code, out) = check(&env, &[(SECRET_VAR, "wrong-secret")]);
    assert_eq!(code, Some(1), "{out}");
    let smtp = out.lines().find(|l| l.starts_with("smtp ")).unwrap();
    assert!(smtp.contains("FAILED: OAuth2 grant (client_credentials) refused by the token endpoint"), "{smtp}");
    assert!(smtp.contains("invalid_client") && smtp.contains("AADSTS7000215"), "{smtp}");
    assert!(out.lines().any(|l| l.starts_with("imap ") && l.ends_with(": ok")), "IMAP still works: {out}");
    assert!(!out.contains("wrong-secret") && !out.contains(CLIENT_SECRET), "secrets are never printed: {out}");

    // The token endpoint: nothing listens there, or it answers an HTML error page.
    let closed = crate::web::free_port();
    let nowhere = format!("http://127.0.0.1:{closed}/token");
    let (code, out) = check(&env, &[("SEATMAIL_INTAKE__IMAP__OAUTH2__TOKEN_URL", &nowhere)]);
    assert_eq!(code, Some(1), "{out}");
    let imap = out.lines().find(|l| l.starts_with("imap ")).unwrap();
    assert!(imap.contains(&format!("FAILED: OAuth2 token endpoint {nowhere} unreachable")), "{imap}");
    s.tokens.set_broken(true);
    let (code, out) = check(&env, &[]);
    s.tokens.set_broken(false);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("answered HTTP 502 without a JSON token response: <html><body><h1>502 Bad Gateway"), "{out}");

    // The mailbox: the endpoint issues tokens, but for another mailbox: the servers refuse them.
    s.tokens.set_username("someone.else@reseller.example");
    let (code, out) = check(&env, &[]);
    s.tokens.set_username(BOX);
    assert_eq!(code, Some(1), "{out}");
    let imap = out.lines().find(|l| l.starts_with("imap ")).unwrap();
    assert!(imap.contains("mailbox permission: the IMAP server refused the OAuth2 token (XOAUTH2) for webservices@reseller.example: [AUTHENTICATIONFAILED] Authentication failed. (server said {\"status\":\"401\""), "{imap}");
    let smtp = out.lines().find(|l| l.starts_with("smtp ")).unwrap();
    assert!(smtp.contains("mailbox permission: the SMTP server") && smtp.contains("(OAUTHBEARER)"), "{smtp}");
    assert!(smtp.contains("535"), "{smtp}");

    // A delegated set-up: the refresh-token grant, good and expired; OAUTHBEARER on IMAP too.
    let refresh = [
        ("SEATMAIL_INTAKE__IMAP__OAUTH2__GRANT", "refresh_token"),
        ("SEATMAIL_INTAKE__IMAP__OAUTH2__REFRESH_TOKEN_ENV", "SEATMAIL_TEST_REFRESH"),
        ("SEATMAIL_INTAKE__IMAP__OAUTH2__MECHANISM", "oauthbearer"),
        ("SEATMAIL_OUTBOX__SMTP__OAUTH2__MECHANISM", "xoauth2"),
    ];
    let (code, out) = check(&env, &[refresh.as_slice(), &[("SEATMAIL_TEST_REFRESH", REFRESH_TOKEN)]].concat());
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = check(&env, &[refresh.as_slice(), &[("SEATMAIL_TEST_REFRESH", "expired-refresh-token")]].concat());
    assert_eq!(code, Some(1), "{out}");
    let imap = out.lines().find(|l| l.starts_with("imap ")).unwrap();
    assert!(imap.contains("OAuth2 grant (refresh_token) refused") && imap.contains("invalid_grant"), "{imap}");
    assert!(imap.contains("obtain a new one"), "{imap}");

    // A configuration mistake is named by its key before anything connects.
    let (code, out) = check(&env, &[("SEATMAIL_INTAKE__IMAP__OAUTH2__TOKEN_URL", "http://login.example.com/token")]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("intake.imap.oauth2.token_url"), "{out}");
}

#[test]
fn a_certificate_gets_tokens_and_the_daemon_works_with_them() {
    let s = OAuthServers::start(3600);
    let env = s.env_with("", CERTIFICATE_CREDENTIALS, CERTIFICATE_CREDENTIALS);
    let out = env.ok(&["check-config", "--connect"]);
    assert!(out.contains(&format!("imap 127.0.0.1:{} as {BOX} (auth OAuth2): ok", s.dovecot.imaps_port)), "{out}");
    assert!(out.contains(&format!("smtp 127.0.0.1:{} as {BOX} (auth OAuth2): ok", s.dovecot.submission_port)), "{out}");
    assert_eq!(s.tokens.verified(), 2, "two client assertions verified (signature, x5t, aud, iss/sub, exp, jti)");

    let (m, id) = request(1);
    s.deliver(&m);
    let daemon = env.spawn();
    wait_logged(60, "the answer", &daemon, || s.answered("admin@contoso.be", &id) == 1);
    wait_logged(30, "the mail filed", &daemon, || s.folder("Processed") == 1);
    assert_eq!(env.quantity("S-FLEX"), 11);
    assert!(s.tokens.verified() >= 4, "the daemon's tokens came from client assertions: {}", s.tokens.verified());
    assert_eq!(s.tokens.refused(), 0);
    let log = daemon.log_text();
    assert!(log.contains("oauth2: new access token"), "{log}");
    assert_no_secrets(&log, &s.tokens);
    assert!(daemon.stop().success());
}

#[test]
fn a_wrong_key_is_a_clear_error() {
    let s = OAuthServers::start(3600);
    let env = s.env_with("", CERTIFICATE_CREDENTIALS, CERTIFICATE_CREDENTIALS);

    // Another key and its own certificate, which the app registration does not have: the
    // endpoint finds the signature invalid. IMAP's grant fails, SMTP's still works.
    let other = [
        ("SEATMAIL_INTAKE__IMAP__OAUTH2__CLIENT_CERTIFICATE", env.path("other-cert.pem").display().to_string()),
        ("SEATMAIL_INTAKE__IMAP__OAUTH2__CLIENT_KEY", env.path("other-key.pem").display().to_string()),
    ];
    let vars: Vec<(&str, &str)> = other.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (code, out) = check(&env, &vars);
    assert_eq!(code, Some(1), "{out}");
    let imap = out.lines().find(|l| l.starts_with("imap ")).unwrap();
    assert!(imap.contains("FAILED: OAuth2 grant (client_credentials) refused by the token endpoint"), "{imap}");
    assert!(imap.contains("invalid_client") && imap.contains("AADSTS700027: Client assertion contains an invalid signature"), "{imap}");
    assert!(imap.contains("check client_id and the certificate: uploaded to the app registration"), "{imap}");
    assert!(out.lines().any(|l| l.starts_with("smtp ") && l.ends_with(": ok")), "SMTP still works: {out}");
    assert_eq!(s.tokens.verified(), 1, "only SMTP's assertion verified");
    assert_no_secrets(&out, &s.tokens);

    // The registered certificate with a key that is not its own: named before anything connects.
    let (code, out) = check(&env, &[("SEATMAIL_INTAKE__IMAP__OAUTH2__CLIENT_KEY", vars[1].1)]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("intake.imap.oauth2.client_key") && out.contains("is not the private key of the certificate"), "{out}");
    // Not a certificate, not a key, both a secret and a certificate.
    let key_file = env.path("client-key.pem").display().to_string();
    let (code, out) = check(&env, &[("SEATMAIL_OUTBOX__SMTP__OAUTH2__CLIENT_CERTIFICATE", &key_file)]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("outbox.smtp.oauth2.client_certificate") && out.contains("no certificate"), "{out}");
    let secret_file = env.path("client-secret").display().to_string();
    let (code, out) = check(&env, &[("SEATMAIL_OUTBOX__SMTP__OAUTH2__CLIENT_KEY", &secret_file)]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("outbox.smtp.oauth2.client_key") && out.contains("no private key"), "{out}");
    assert!(!out.contains(CLIENT_SECRET), "{out}");
    let (code, out) = check(&env, &[("SEATMAIL_OUTBOX__SMTP__OAUTH2__CLIENT_SECRET", "s")]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("outbox.smtp.oauth2.client_certificate") && out.contains("not both"), "{out}");
}

#[test]
fn a_google_service_account_impersonates_the_mailbox() {
    let s = OAuthServers::start(3600);
    let env = s.env_with("", SERVICE_ACCOUNT_CREDENTIALS, SERVICE_ACCOUNT_CREDENTIALS);
    // The endpoint checked each JWT's signature, issuer, audience, lifetime, scope
    // (https://mail.google.com/) and subject (the mailbox), and issued a token for that mailbox,
    // which Dovecot accepted for the login.
    let (code, out) = check(&env, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out.matches(": ok").count(), 3, "config, imap and smtp: {out}");
    assert_eq!(s.tokens.verified(), 2);

    // The mailbox to impersonate is the section's user: one the domain does not have is refused.
    let (code, out) = check(&env, &[("SEATMAIL_OUTBOX__SMTP__USER", "nobody@reseller.example")]);
    assert_eq!(code, Some(1), "{out}");
    let smtp = out.lines().find(|l| l.starts_with("smtp ")).unwrap();
    assert!(smtp.contains("OAuth2 grant (jwt_bearer) refused") && smtp.contains("invalid_grant (Invalid email or User ID)"), "{smtp}");
    assert!(smtp.contains("the mailbox user exists"), "{smtp}");
    assert!(out.lines().any(|l| l.starts_with("imap ") && l.ends_with(": ok")), "{out}");

    // A scope that is not delegated, and delegation removed in the Admin console.
    let (code, out) = check(&env, &[("SEATMAIL_INTAKE__IMAP__OAUTH2__SCOPE", "https://www.googleapis.com/auth/gmail.readonly")]);
    assert_eq!(code, Some(1), "{out}");
    let imap = out.lines().find(|l| l.starts_with("imap ")).unwrap();
    assert!(imap.contains("unauthorized_client") && imap.contains("domain-wide delegation is missing"), "{imap}");
    s.tokens.set_delegation(false);
    let (code, out) = check(&env, &[]);
    s.tokens.set_delegation(true);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(out.matches("unauthorized_client").count(), 2, "{out}");
    assert!(out.contains("https://mail.google.com/"), "{out}");
    assert_no_secrets(&out, &s.tokens);

    // A key file that is not a service account's key is named before anything connects.
    let sa = env.path("service-account.json");
    let good = std::fs::read_to_string(&sa).unwrap();
    std::fs::write(&sa, r#"{"installed":{"client_id":"x","client_secret":"y"}}"#).unwrap();
    let (code, out) = check(&env, &[]);
    std::fs::write(&sa, good).unwrap();
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("intake.imap.oauth2.service_account_file") && out.contains("OAuth client file"), "{out}");
    let (code, out) = check(&env, &[]);
    assert_eq!(code, Some(0), "{out}");
}
