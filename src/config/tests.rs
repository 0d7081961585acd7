//! The config as a whole: overrides, unknown keys, and every check naming its own key.

use std::path::Path;

use super::*;
use crate::oauth::{check_token_url, SaslMechanism, GOOGLE_SCOPE, MICROSOFT_SCOPE};

fn load(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let text = text.replace("TEMPLATES", &dir.path().display().to_string());
    Config::from_toml(&text, Path::new("t.toml"), env.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

const BASE: &str = "[answers]\ntemplates = \"TEMPLATES\"\n[trust]\nrequire = \"none\"\n";

#[test]
fn env_overrides_keep_types_and_name_the_key() {
    let c = load(BASE, &[("SEATMAIL_POLICY__APPROVAL_THRESHOLD", "50")]).unwrap();
    assert_eq!(c.policy.approval_threshold, 50);
    let e = load(BASE, &[("SEATMAIL_POLICY__APPROVAL_THRESHOLD", "lots")]).unwrap_err();
    assert!(e.to_string().contains("approval_threshold"), "{e}");
    let e = load(BASE, &[("SEATMAIL_POLICY__APPROVAL_THRESHOLD", "0")]).unwrap_err();
    assert!(e.to_string().contains("policy.approval_threshold"), "{e}");
}

#[test]
fn unknown_keys_and_bad_values_are_named() {
    let e = load(&format!("{BASE}[policy]\napproval_treshold = 3\n"), &[]).unwrap_err();
    assert!(e.to_string().contains("approval_treshold"), "{e}");
    let e = load(&format!("{BASE}[database]\nurl = \"mysql://x\"\n"), &[]).unwrap_err();
    assert!(e.to_string().contains("database.url"), "{e}");
    let e = load("[answers]\ntemplates = \"TEMPLATES\"\n", &[]).unwrap_err();
    assert!(e.to_string().contains("trust.authserv_id"), "{e}");
}

const OAUTH_IMAP: &str = "[intake]\nkind = \"imap\"\n[intake.imap]\nhost = \"imap.example.com\"\nuser = \"webservices@reseller.example\"\nauth = \"oauth2\"\n[intake.imap.oauth2]\n";

#[test]
fn oauth2_sections_are_checked_key_by_key() {
    let ok = format!("{BASE}{OAUTH_IMAP}provider = \"microsoft\"\ntenant = \"contoso.onmicrosoft.com\"\nclient_id = \"abc\"\nclient_secret = \"s\"\n");
    let c = load(&ok, &[]).unwrap();
    let o = c.intake.imap.as_ref().unwrap().oauth2.as_ref().unwrap();
    assert_eq!(o.token_url().unwrap(), "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
    assert_eq!(o.scope().unwrap(), MICROSOFT_SCOPE);
    assert_eq!(o.mechanism, SaslMechanism::Xoauth2);
    assert!(!format!("{o:?}").contains("\"s\""), "the secret does not print");

    let google = format!("{BASE}{OAUTH_IMAP}provider = \"google\"\nclient_id = \"abc\"\nclient_secret = \"s\"\ngrant = \"refresh_token\"\nrefresh_token_env = \"SEATMAIL_UNIT_NO_SUCH_VAR\"\n");
    let e = load(&google, &[]).unwrap_err();
    assert!(e.to_string().contains("intake.imap.oauth2.refresh_token_env"), "{e}");

    for (extra, key) in [
        ("provider = \"microsoft\"\nclient_id = \"abc\"\nclient_secret = \"s\"\n", "intake.imap.oauth2.tenant"),
        ("client_id = \"abc\"\nclient_secret = \"s\"\n", "intake.imap.oauth2.provider"),
        ("token_url = \"http://login.example.com/t\"\nclient_id = \"abc\"\nclient_secret = \"s\"\n", "intake.imap.oauth2.token_url"),
        ("provider = \"google\"\nclient_secret = \"s\"\n", "intake.imap.oauth2.client_id"),
        ("provider = \"google\"\nclient_id = \"abc\"\n", "intake.imap.oauth2.client_secret"),
        ("provider = \"google\"\nclient_id = \"abc\"\nclient_secret = \"s\"\nclient_secret_env = \"X\"\n", "intake.imap.oauth2.client_secret"),
        ("provider = \"google\"\nclient_id = \"abc\"\nclient_secret = \"s\"\nmechanism = \"plain\"\n", "mechanism"),
        ("provider = \"google\"\nclient_id = \"abc\"\nclient_secret = \"s\"\nclient_secrett = \"s\"\n", "client_secrett"),
    ] {
        let e = load(&format!("{BASE}{OAUTH_IMAP}{extra}"), &[]).unwrap_err();
        assert!(e.to_string().contains(key), "{key}: {e}");
    }
    let e = load(&format!("{BASE}{}", OAUTH_IMAP.replace("[intake.imap.oauth2]\n", "")), &[]).unwrap_err();
    assert!(e.to_string().contains("intake.imap.oauth2"), "{e}");
    assert!(check_token_url("http://127.0.0.1:8080/token").is_ok());
    assert!(check_token_url("http://[::1]:8080/token").is_ok());
    assert!(check_token_url("https://login.microsoftonline.com/t/oauth2/v2.0/token").is_ok());
    assert!(check_token_url("ftp://x/token").is_err());
}

#[test]
fn smtp_auth_defaults_and_oauth2() {
    let smtp = "[outbox]\nkind = \"smtp\"\n[outbox.smtp]\nhost = \"smtp.example.com\"\n";
    let c = load(&format!("{BASE}{smtp}"), &[]).unwrap();
    assert_eq!(c.outbox.smtp.as_ref().unwrap().auth(), SmtpAuth::None);
    let e = load(&format!("{BASE}{smtp}auth = \"oauth2\"\n[outbox.smtp.oauth2]\nprovider = \"google\"\nclient_id = \"a\"\nclient_secret = \"s\"\n"), &[]).unwrap_err();
    assert!(e.to_string().contains("outbox.smtp.user"), "{e}");
    let c = load(&format!("{BASE}{smtp}user = \"u@reseller.example\"\nauth = \"oauth2\"\n[outbox.smtp.oauth2]\nprovider = \"google\"\nclient_id = \"a\"\nclient_secret = \"s\"\n"), &[]).unwrap();
    assert_eq!(c.outbox.smtp.as_ref().unwrap().auth(), SmtpAuth::OAuth2);
    assert_eq!(c.outbox.smtp.as_ref().unwrap().oauth2.as_ref().unwrap().scope().unwrap(), GOOGLE_SCOPE);
}

/// Each check names its own key: the key that is wrong, never a neighbour.
#[test]
fn every_check_names_its_own_key() {
    let imap = "[intake]\nkind = \"imap\"\n[intake.imap]\nhost = \"127.0.0.1\"\nuser = \"u\"\npassword = \"p\"\n";
    let smtp = "[outbox]\nkind = \"smtp\"\n[outbox.smtp]\nhost = \"127.0.0.1\"\n";
    let cases: &[(&str, &str)] = &[
        ("[database]\nurl = \"mysql://x\"\n", "database.url"),
        ("[database]\nmax_connections = 0\n", "database.max_connections"),
        ("[answers]\nfrom = \"nobody\"\n", "answers.from"),
        ("[answers]\nbcc = [\"a@b.example\", \"c\"]\n", "answers.bcc[1]"),
        ("[answers]\ndefault_language = \"it\"\n", "answers.default_language"),
        ("[answers]\ntemplates = \"/nonexistent/templates\"\n", "answers.templates"),
        ("[answers]\nmax_per_correspondent_per_day = 0\n", "answers.max_per_correspondent_per_day"),
        ("[answers]\nmax_per_thread = 0\n", "answers.max_per_thread"),
        ("[policy]\ncancellation_window_days = -1\n", "policy.cancellation_window_days"),
        ("[policy]\napproval_threshold = 0\n", "policy.approval_threshold"),
        ("[policy]\nmax_per_request = 0\n", "policy.max_per_request"),
        ("[policy]\nmax_seats_per_day = 0\n", "policy.max_seats_per_day"),
        ("[policy]\nconfirm_code_ttl_hours = 0\n", "policy.confirm_code_ttl_hours"),
        ("[policy]\nproduct_max = { SPB = -1 }\n", "policy.product_max.SPB"),
        ("[intake.maildir]\npoll_interval_secs = 0\n", "intake.maildir.poll_interval_secs"),
        ("[intake]\nkind = \"imap\"\n", "intake.imap"),
        (&format!("{imap}poll_interval_secs = 0\n"), "intake.imap.poll_interval_secs"),
        (&format!("{imap}idle_timeout_secs = 0\n"), "intake.imap.idle_timeout_secs"),
        (&format!("{imap}idle_timeout_secs = 1800\n"), "intake.imap.idle_timeout_secs"),
        (&format!("{imap}timeout_secs = 0\n"), "intake.imap.timeout_secs"),
        (&format!("{imap}lease_secs = 2\n"), "intake.imap.lease_secs"),
        (&format!("{imap}folder = \"\"\n"), "intake.imap.folder"),
        (&imap.replace("host = \"127.0.0.1\"", "host = \"imap.example.com\"\ntls = \"none\""), "intake.imap.tls"),
        (&imap.replace("user = \"u\"", "user = \"\""), "intake.imap.user"),
        (&imap.replace("password = \"p\"", "password_file = \"/nonexistent/pw\""), "intake.imap.password_file"),
        (&format!("{imap}ca_file = \"/nonexistent/ca.pem\"\n"), "intake.imap.ca_file"),
        (&format!("{imap}auth = \"oauth2\"\n"), "intake.imap.oauth2"),
        ("[outbox]\nkind = \"smtp\"\n", "outbox.smtp"),
        ("[outbox]\nmax_attempts = 0\n", "outbox.max_attempts"),
        (&format!("{smtp}timeout_secs = 0\n"), "outbox.smtp.timeout_secs"),
        (&format!("{smtp}host = \"\"\n").replace("host = \"127.0.0.1\"\n", ""), "outbox.smtp.host"),
        (&format!("{smtp}auth = \"password\"\n"), "outbox.smtp.user"),
        (&format!("{smtp}user = \"u\"\n"), "outbox.smtp.password"),
        (&format!("{smtp}password = \"p\"\n"), "outbox.smtp.user"),
        ("[limits]\nmax_message_bytes = 10\n", "limits.max_message_bytes"),
        ("[limits]\nmax_parts = 0\n", "limits.max_parts"),
        ("[limits]\nmax_text_chars = 0\n", "limits.max_text_chars"),
        ("[catalog]\npath = \"/nonexistent/products.toml\"\n", "catalog.path"),
        ("[web]\nbind = \"everywhere\"\n", "web.bind"),
        ("[web]\nsession_minutes = 0\n", "web.session_minutes"),
        ("[web]\nmetrics_token = \"short\"\n", "web.metrics_token"),
        ("[web]\nusers = [{ name = \"a b\", password_hash = \"x\", role = \"viewer\" }]\n", "web.users[0].name"),
        ("[web]\nusers = [{ name = \"ab\", password_hash = \"x\", role = \"viewer\" }]\n", "web.users[0].password_hash"),
    ];
    for (extra, key) in cases {
        // The base's sections merge with the case's: a repeated table header is not TOML.
        let text = merge(BASE, extra);
        match load(&text, &[]) {
            Ok(_) => panic!("{key}: accepted\n{text}"),
            Err(ConfigError::Invalid { key: named, message }) => assert_eq!(&named, key, "{message}\n{text}"),
            Err(e) => panic!("{key}: {e}\n{text}"),
        }
    }
}

/// `BASE` with `extra`'s keys added, sections joined.
fn merge(base: &str, extra: &str) -> String {
    let mut doc: toml::Table = toml::from_str(base).unwrap();
    let more: toml::Table = toml::from_str(extra).unwrap();
    fn join(into: &mut toml::Table, from: toml::Table) {
        for (k, v) in from {
            match (into.get_mut(&k), v) {
                (Some(toml::Value::Table(a)), toml::Value::Table(b)) => join(a, b),
                (_, v) => {
                    into.insert(k, v);
                }
            }
        }
    }
    join(&mut doc, more);
    toml::to_string(&doc).unwrap()
}

#[test]
fn ops_notices_time_zones_and_the_public_url_are_checked_key_by_key() {
    let c = load(&format!("{BASE}[ops]\nnotify = \"ops@reseller.test\"\n"), &[]).unwrap();
    assert_eq!(c.ops.notify, vec!["ops@reseller.test"]);
    assert!(c.ops.enabled() && c.ops.digest && c.ops.digest_hour == 8);
    assert_eq!(c.ops.kinds().len(), crate::domain::NoticeKind::ALL.len(), "everything by default");
    assert_eq!(c.ops_time_zone(), chrono_tz::Tz::UTC, "answers.time_zone, UTC by default");
    assert!(!load(BASE, &[]).unwrap().ops.enabled(), "nobody is told without notify");
    // A list, or one address (an environment override: comma-separated).
    let c = load(BASE, &[("SEATMAIL_OPS__NOTIFY", "a@reseller.test, b@reseller.test"), ("SEATMAIL_ANSWERS__TIME_ZONE", "Europe/Brussels")]).unwrap();
    assert_eq!(c.ops.notify.len(), 2);
    assert_eq!(c.ops_time_zone(), chrono_tz::Europe::Brussels, "the ops zone follows the answers' one");
    assert_eq!(c.web.public_url(), "http://127.0.0.1:8025");
    let c = load(&format!("{BASE}[web]\npublic_url = \"https://seatmail.reseller.example/\"\n"), &[]).unwrap();
    assert_eq!(c.web.public_url(), "https://seatmail.reseller.example");
    for (extra, key) in [
        ("[ops]\nnotify = [\"not an address\"]\n", "ops.notify[0]"),
        ("[ops]\nnotify = \"ops@reseller.test\"\nnotify_on = [\"held\", \"everything\"]\n", "ops.notify_on[1]"),
        ("[ops]\nmax_notices_per_window = 0\n", "ops.max_notices_per_window"),
        ("[ops]\nwindow_minutes = 0\n", "ops.window_minutes"),
        ("[ops]\ndigest_hour = 24\n", "ops.digest_hour"),
        ("[ops]\ntime_zone = \"Europe/Brusels\"\n", "ops.time_zone"),
        ("[ops]\nnotfiy = \"ops@reseller.test\"\n", "notfiy"),
        ("[web]\npublic_url = \"seatmail.reseller.example\"\n", "web.public_url"),
    ] {
        let e = load(&format!("{BASE}{extra}"), &[]).unwrap_err();
        assert!(e.to_string().contains(key), "{extra}: {e}");
    }
    let e = load(BASE, &[("SEATMAIL_ANSWERS__TIME_ZONE", "CEST+2")]).unwrap_err();
    assert!(e.to_string().contains("answers.time_zone"), "{e}");
}
