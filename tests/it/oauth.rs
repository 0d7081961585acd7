//! OAuth2 logins against real servers: Dovecot checks XOAUTH2 / OAUTHBEARER tokens with its
//! `oauth2` passdb against a token-introspection endpoint, and its own SMTP submission service
//! takes the answers (relaying them to a plain SMTP server that delivers into Dovecot). The
//! tokens come from a token endpoint started by the test, as Microsoft Entra ID or Google would
//! issue them.

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

struct OAuthServers {
    tokens: TokenServer,
    /// Dovecot's submission service relays to this plain SMTP server, which delivers by LMTP.
    relay: SmtpServer,
    dovecot: Dovecot,
}

impl OAuthServers {
    fn start(expires_in: u64) -> OAuthServers {
        let tokens = TokenServer::start(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, BOX, expires_in);
        let relay = SmtpServer::start(0, SmtpTls::Plain);
        let dovecot = Dovecot::start_with_oauth(&[(BOX, "imap-password-not-used")], &tokens.introspection_url(), relay.port);
        relay.set_lmtp_port(dovecot.lmtp_port);
        OAuthServers { tokens, relay, dovecot }
    }

    /// An installation reading our mailbox over IMAPS (XOAUTH2, the client secret in a file) and
    /// answering through Dovecot's submission service (STARTTLS, OAUTHBEARER, the secret in an
    /// environment variable); `imap_extra` is added to `[intake.imap]`.
    fn env(&self, imap_extra: &str) -> Env {
        let ca = self.dovecot.ca_pem.display().to_string();
        let url = self.tokens.token_url();
        let extra = format!(
            "[intake.imap]\nhost = \"127.0.0.1\"\nport = {imaps}\ntls = \"implicit\"\nca_file = \"{ca}\"\n\
             user = \"{BOX}\"\nauth = \"oauth2\"\npoll_interval_secs = 300\ntimeout_secs = 10\n{imap_extra}\n\
             [intake.imap.oauth2]\ntoken_url = \"{url}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret_file = \"SECRET_FILE\"\n\
             scope = \"https://outlook.office365.com/.default\"\n\
             [outbox.smtp]\nhost = \"127.0.0.1\"\nport = {sub}\ntls = \"starttls\"\nca_file = \"{ca}\"\n\
             user = \"{BOX}\"\nauth = \"oauth2\"\ntimeout_secs = 10\n\
             [outbox.smtp.oauth2]\ntoken_url = \"{url}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret_env = \"{SECRET_VAR}\"\n\
             mechanism = \"oauthbearer\"\n",
            imaps = self.dovecot.imaps_port,
            sub = self.dovecot.submission_port,
        );
        let mut env = Env::bare(&extra);
        let secret_file = env.path("client-secret");
        std::fs::write(&secret_file, format!("{CLIENT_SECRET}\n")).unwrap();
        let text = std::fs::read_to_string(&env.config).unwrap().replace("SECRET_FILE", &secret_file.display().to_string());
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

/// Neither the client secret nor any token issued appears in the log.
fn assert_no_secrets(log: &str, tokens: &TokenServer) {
    assert!(!log.contains(CLIENT_SECRET), "the client secret is logged");
    assert!(!log.contains(REFRESH_TOKEN), "the refresh token is logged");
    for t in tokens.tokens() {
        assert!(!log.contains(&t), "an access token is logged");
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
    std::thread::sleep(Duration::from_secs(6));
    assert!(s.tokens.refused() > refused_before, "the daemon keeps trying");
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
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
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
