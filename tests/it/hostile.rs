//! Hostile and broken input: generated mails (property tests over fragments, and a fixed set
//! of monsters) through `parse` and through the daemon. No panic, no hang, every mail ends in
//! a recorded state, and a single message never makes the process hold more than its limit.

use std::time::{Duration, Instant};

use proptest::prelude::*;

use crate::support::{mail, Env};

/// A hang, not a speed: the worst monster takes well under a second in a release build and a few
/// in this unoptimised one on a busy machine; speed is measured by `cargo bench`.
const HANG: Duration = Duration::from_secs(60);

fn parse_ok(raw: &[u8]) {
    let catalog = seatmail::parse::Catalog::builtin();
    let limits = seatmail::parse::Limits::default();
    let start = Instant::now();
    let result = seatmail::parse::parse_contained(raw, &catalog, &limits);
    assert!(result.is_ok(), "panic inside parse: {:?}", result.err());
    assert!(start.elapsed() < HANG, "parse took {:?}", start.elapsed());
}

fn header_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("From: An <admin@contoso.be>".to_string()),
        Just("From: =?utf-8?b?QW4gPGFkbWluQGNvbnRvc28uYmU+?= <a@b>".to_string()),
        Just("From: ,,, <<>>@@".to_string()),
        Just("Subject: =?iso-8859-1?q?Licences_=E9t=E9?=".to_string()),
        Just("Subject: =?unknown-charset?b?////?=".to_string()),
        Just("Content-Type: text/plain; charset=\"x-nonsense\"".to_string()),
        Just("Content-Type: multipart/mixed; boundary=\"b\"".to_string()),
        Just("Content-Type: multipart/alternative".to_string()),
        Just("Content-Transfer-Encoding: base64".to_string()),
        Just("Content-Transfer-Encoding: quoted-printable".to_string()),
        Just("Auto-Submitted: auto-replied".to_string()),
        Just("Message-ID: <<<".to_string()),
        "[ -~]{0,200}".prop_map(|s| format!("X-Junk: {s}")),
        "[a-zA-Z-]{1,20}: [^\r\n]{0,300}",
    ]
}

fn body_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Please add 3 Microsoft 365 Business Premium licences.\n".to_string()),
        Just("--b\nContent-Type: text/plain\n\nremove 2 E3\n".to_string()),
        Just("--b\nContent-Type: text/html\n\n<p>add <b>5</b> licences<div><div><div>\n".to_string()),
        Just("--b--\n".to_string()),
        Just("=C3=A9=\n=E9=XX=\n".to_string()),
        Just("SGVsbG8gd29ybGQ=\nSGVsbG8g\n".to_string()),
        Just("> > > quoted 10 licences\n".to_string()),
        Just("\0\0\0 nul bytes \0\n".to_string()),
        Just("\u{feff}\u{202e}\u{0301}\u{1F600}\n".to_string()),
        "[ -~\n]{0,500}",
        any::<Vec<u8>>().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn generated_mails_never_panic_the_parser(
        headers in proptest::collection::vec(header_line(), 0..12),
        parts in proptest::collection::vec(body_fragment(), 0..20),
        crlf in any::<bool>(),
    ) {
        let mut raw = headers.join("\n");
        raw.push_str("\n\n");
        raw.push_str(&parts.concat());
        let raw = if crlf { raw.replace('\n', "\r\n") } else { raw };
        parse_ok(raw.as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_parser(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        parse_ok(&bytes);
    }
}

/// Mails built to hurt: each is (name, bytes).
fn monsters() -> Vec<(&'static str, Vec<u8>)> {
    let (base, _) = mail("admin@contoso.be", "Licences", "Please add 1 Microsoft 365 Business Premium licence.\n");
    let (head, _) = base.split_once("\r\n\r\n").unwrap();
    let head = head.to_string();
    let mut out: Vec<(&'static str, Vec<u8>)> = Vec::new();
    out.push(("huge header", format!("{head}\r\nX-Huge: {}\r\n\r\nadd 1\r\n", "a".repeat(2_000_000)).into_bytes()));
    out.push(("many headers", format!("{head}\r\n{}\r\nadd 1\r\n", "X-H: v\r\n".repeat(100_000)).into_bytes()));
    let mut nested = format!("{head}\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");
    for i in 0..2000 {
        nested.push_str(&format!("--b{i}\r\nContent-Type: multipart/mixed; boundary=\"b{}\"\r\n\r\n", i + 1));
    }
    nested.push_str("--b2000\r\nContent-Type: text/plain\r\n\r\nadd 3 licences\r\n");
    out.push(("deep multipart nesting", nested.into_bytes()));
    let mut parts = format!("{head}\r\nContent-Type: multipart/mixed; boundary=\"p\"\r\n\r\n");
    for _ in 0..20_000 {
        parts.push_str("--p\r\nContent-Type: text/plain\r\n\r\nadd 1\r\n");
    }
    out.push(("twenty thousand parts", parts.into_bytes()));
    out.push((
        "bad charset",
        format!("{head}\r\nContent-Type: text/plain; charset=\"no-such-charset\"\r\n\r\n\u{00e9}\u{00e8} add 2 \r\n").into_bytes(),
    ));
    out.push((
        "truncated base64",
        format!("{head}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nUGxlYXNlIGFkZCAz\r\nIGxpY2Vu").into_bytes(),
    ));
    let mut nul = format!("{head}\r\n\r\nPlease add\0 2\0 licences").into_bytes();
    nul.extend_from_slice(&[0u8; 10_000]);
    out.push(("nul bytes", nul));
    let to: Vec<String> = (0..5000).map(|i| format!("user{i}@example.com")).collect();
    out.push(("thousands of recipients", format!("{head}\r\nTo: {}\r\nCc: {}\r\n\r\nadd 1\r\n", to.join(", "), to.join(",")).into_bytes()));
    out.push(("one endless line", format!("{head}\r\n\r\n{}", "add 1 licence ".repeat(300_000)).into_bytes()));
    out.push(("only headers, no body", head.clone().into_bytes()));
    out.push(("empty", Vec::new()));
    out
}

#[test]
fn monsters_through_parse_and_the_daemon_are_all_recorded() {
    for (name, raw) in monsters() {
        let start = Instant::now();
        parse_ok(&raw);
        assert!(start.elapsed() < HANG, "{name}: {:?}", start.elapsed());
    }
    let env = Env::new();
    let monsters = monsters();
    for (i, (_, raw)) in monsters.iter().enumerate() {
        std::fs::create_dir_all(env.path("mail/new")).unwrap();
        std::fs::write(env.path("mail/new").join(format!("monster{i}")), raw).unwrap();
    }
    env.run_once();
    assert!(env.maildir_files("new").is_empty(), "every monster left the inbox");
    let keys: std::collections::BTreeSet<String> =
        monsters.iter().map(|(_, raw)| seatmail::apply::key::message_key("maildir", raw)).collect();
    assert_eq!(env.messages().len(), keys.len(), "every one recorded");
}

/// Peak resident memory of a process, from /proc (kB).
fn peak_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_fifty_megabyte_mail_is_never_held_whole() {
    let mut env = Env::new();
    env.vars.push(("SEATMAIL_LIMITS__MAX_MESSAGE_BYTES".into(), "4194304".into()));
    let (base, id) = mail("admin@contoso.be", "Licences", "Please add 1 Microsoft 365 Business Premium licence.\n");
    let mut big = base.into_bytes();
    let line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n";
    while big.len() < 50 * 1024 * 1024 {
        big.extend_from_slice(line);
    }
    std::fs::create_dir_all(env.path("mail/new")).unwrap();
    std::fs::write(env.path("mail/new").join("big"), &big).unwrap();
    drop(big);
    let daemon = env.spawn();
    crate::support::wait_logged(60, "the big mail recorded", &daemon, || !env.messages().is_empty());
    let peak = peak_kb(daemon.child.id());
    let d = env.message(&id);
    assert_eq!(d["message"]["state"], "needs_review", "too large to read: for a person");
    assert!(d["message"]["reason"].as_str().unwrap().contains("max_message_bytes"));
    println!("peak memory with a 50 MB mail and a 4 MB limit: {} MB", peak / 1024);
    assert!(peak > 0 && peak < 64 * 1024, "the process held {peak} kB");
    assert!(daemon.stop().success());
}
