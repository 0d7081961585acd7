//! Real mail servers: an IMAP server (Dovecot, or Cyrus in each of its three namespace layouts)
//! for our mailbox and the customers' mailboxes, and SMTP servers that deliver into it.
//! Customers' mails go in over SMTP; answers come back out of the admins' mailboxes over IMAP.
//! Every test here runs on every server ([`on_every_server!`]).

use std::time::Duration;

use serde_json::Value;

use crate::support::imap::{Imap, Kind};
use crate::support::smtp::{Behaviour, SmtpServer, SmtpTls};
use crate::support::{mail, wait_logged, wait_until, Answer, Env};

pub(crate) const BOX: &str = "webservices@reseller.example";
pub(crate) const IMAP_PASSWORD: &str = "imap-secret";
pub(crate) const SMTP_PASSWORD: &str = "smtp-secret";

/// The IMAP server, the customers' MX (plain SMTP into it) and our submission server
/// (STARTTLS + AUTH, delivering the answers into it too).
pub(crate) struct Servers {
    pub imap: Imap,
    pub mx: SmtpServer,
    pub submission: SmtpServer,
}

impl Servers {
    /// On Dovecot.
    pub fn start() -> Servers {
        Servers::start_on(Kind::Dovecot)
    }

    pub fn start_on(kind: Kind) -> Servers {
        Servers::with_imap(Imap::start(kind, &[(BOX, IMAP_PASSWORD)]))
    }

    /// Around an IMAP server started otherwise (a Cyrus without idled, say).
    pub fn with_imap(imap: Imap) -> Servers {
        let mx = SmtpServer::start_with_certs(imap.lmtp_port(), SmtpTls::Plain, imap.certs());
        let submission = SmtpServer::start_with_certs(imap.lmtp_port(), SmtpTls::StartTls, imap.certs());
        submission.require_auth(BOX, SMTP_PASSWORD);
        Servers { imap, mx, submission }
    }

    /// A seatmail installation reading our mailbox over IMAPS and answering over SMTP.
    pub fn env(&self, vars: &[(&str, &str)]) -> Env {
        self.env_with_password(IMAP_PASSWORD, vars)
    }

    pub fn env_with_password(&self, imap_password: &str, vars: &[(&str, &str)]) -> Env {
        self.env_on(imap_password, vars, None)
    }

    /// An installation on a given database (several daemons sharing one store).
    pub fn env_on(&self, imap_password: &str, vars: &[(&str, &str)], db: Option<&str>) -> Env {
        installation(&self.imap, self.submission.port, imap_password, vars, db)
    }

    /// A customer's mail, sent over SMTP to our mailbox.
    pub fn send(&self, raw: &str) {
        smtp_send(self.mx.port, raw);
    }

    pub fn answers_for(&self, login: &str) -> Vec<Answer> {
        self.imap
            .messages(login, "INBOX")
            .iter()
            .map(|m| Answer::parse(&String::from_utf8_lossy(m)))
            .collect()
    }

    fn wait_answers(&self, login: &str, n: usize, secs: u64) -> Vec<Answer> {
        self.imap
            .wait_for(login, "INBOX", n, Duration::from_secs(secs))
            .iter()
            .map(|m| Answer::parse(&String::from_utf8_lossy(m)))
            .collect()
    }

    /// How many mails our personal folder `short` holds (`Processed`: wherever this server
    /// keeps it).
    pub fn folder(&self, short: &str) -> usize {
        self.imap.messages(BOX, &self.imap.folder_name(short)).len()
    }
}

/// A seatmail installation reading our mailbox on `imap` over IMAPS and answering through the
/// SMTP server on `smtp_port` (STARTTLS + AUTH); no folders named: the defaults.
pub(crate) fn installation(imap: &Imap, smtp_port: u16, imap_password: &str, vars: &[(&str, &str)], db: Option<&str>) -> Env {
    let extra = format!(
        "[intake.imap]\nhost = \"127.0.0.1\"\nport = {imaps}\ntls = \"implicit\"\nca_file = \"{ca}\"\n\
         user = \"{BOX}\"\npassword = \"{imap_password}\"\npoll_interval_secs = 300\nidle_timeout_secs = 600\ntimeout_secs = 10\n\
         [outbox.smtp]\nhost = \"127.0.0.1\"\nport = {smtp_port}\ntls = \"starttls\"\nca_file = \"{ca}\"\n\
         user = \"{BOX}\"\npassword = \"{SMTP_PASSWORD}\"\ntimeout_secs = 3\n",
        imaps = imap.imaps_port(),
        ca = imap.ca_pem().display(),
    );
    let mut all: Vec<(&str, &str)> =
        vec![("SEATMAIL_INTAKE__KIND", "imap"), ("SEATMAIL_OUTBOX__KIND", "smtp"), ("SEATMAIL_OUTBOX__RETRY_BASE_SECS", "1")];
    all.extend_from_slice(vars);
    let mut env = Env::bare_with_db(&extra, db);
    env.vars = all.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    env.import(&crate::support::default_subscriptions(), crate::support::DEFAULT_CONTACTS);
    env
}

/// Send over plain SMTP with lettre, as a customer's server would deliver to our MX.
pub(crate) fn smtp_send(port: u16, raw: &str) {
    use lettre::AsyncTransport;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(port)
            .build();
        let from = raw
            .lines()
            .find_map(|l| l.strip_prefix("Return-Path: <"))
            .map(|l| l.trim_end_matches('>').to_string())
            .unwrap_or_else(|| "someone@example.com".into());
        // `Return-Path: <>` (a bounce): the null sender.
        let sender = (!from.is_empty()).then(|| from.parse().unwrap());
        let envelope = lettre::address::Envelope::new(sender, vec![BOX.parse().unwrap()]).unwrap();
        transport.send_raw(&envelope, raw.as_bytes()).await.expect("the MX accepts the customer's mail");
    });
}

pub(crate) fn in_reply_to(a: &Answer) -> String {
    a.header("In-Reply-To").unwrap_or_default().trim_matches(['<', '>']).to_string()
}

fn outbox(env: &Env, state: &str) -> Vec<Value> {
    env.json(&["outbox", "list", "--state", state, "--json"]).as_array().cloned().unwrap_or_default()
}

/// `n` mails recorded and nothing left to send: every answer there will be is in its mailbox
/// (the submission server delivers before it says 250), so a count now is final.
pub(crate) fn settled(env: &Env, n: usize) -> bool {
    env.messages().len() >= n && outbox(env, "pending").is_empty()
}

fn requests_over_smtp_are_applied_and_answered_over_imap_with_idle(kind: Kind) {
    let s = Servers::start_on(kind);
    let env = s.env(&[]);
    let (add, add_id) = mail("admin@contoso.be", "More licences", "Please add 2 Microsoft 365 Business Premium licences.\n");
    let (remove, remove_id) =
        mail("billing@contoso.be", "Fewer licences", "Please remove 1 Microsoft 365 Business Premium licence.\n");
    let (stranger, stranger_id) = mail("stranger@gmail.com", "Licences", "Please add 9 licences for contoso.be\n");
    for m in [&add, &remove, &stranger] {
        s.send(m);
    }
    let daemon = env.spawn();
    // The admin hears about both changes: their own (To) and the billing admin's (Cc).
    let answers = s.wait_answers("admin@contoso.be", 2, 60);
    let replied: Vec<String> = answers.iter().map(in_reply_to).collect();
    assert!(replied.contains(&add_id) && replied.contains(&remove_id), "{replied:?}");
    let to_admin = answers.iter().find(|a| in_reply_to(a) == add_id).unwrap();
    assert_eq!(to_admin.header("References").unwrap_or_default(), format!("<{add_id}>"));
    assert!(to_admin.text.contains("12"), "{}", to_admin.text);
    wait_until(30, "the three mails filed", || s.folder("Processed") == 2 && s.folder("Rejected") == 1);
    assert_eq!(s.folder("INBOX"), 0);
    assert_eq!(env.quantity("S-FLEX"), 11);
    assert!(s.answers_for("stranger@gmail.com").is_empty(), "no backscatter");
    assert_eq!(env.message(&stranger_id)["message"]["state"], "rejected");
    let status = env.json(&["imap", "status", "--json"]);
    assert!(status[0]["last_uid"].as_u64().unwrap() >= 3, "{status}");

    // IDLE: a new mail is picked up long before the 300 s poll interval (in a second or two;
    // the limit is for a busy machine, and still far below the poll interval).
    // Connections before the late answer: the first answers may have gone out side by side on
    // two of them, and the daemon's check at start opened one too, so only the late answer says
    // whether a kept connection is used again.
    wait_until(30, "nothing left to send", || outbox(&env, "pending").is_empty());
    let (connections, sent) = (s.submission.connections(), s.submission.accepted_count());
    let (late, late_id) = mail("admin@contoso.be", "One more", "Please add 1 Microsoft 365 Business Premium licence.\n");
    s.send(&late);
    wait_until(90, "the answer to a mail that arrived while idling", || {
        s.answers_for("admin@contoso.be").iter().any(|a| in_reply_to(a) == late_id)
    });
    assert_eq!(env.quantity("S-FLEX"), 12);
    assert!(s.submission.accepted_count() > sent);
    assert_eq!(s.submission.connections(), connections, "the late answer went over a kept connection");
    assert!(daemon.stop().success());
}

fn imap_server_restart_loses_nothing_and_doubles_nothing(kind: Kind) {
    let mut s = Servers::start_on(kind);
    let env = s.env(&[]);
    let daemon = env.spawn();
    let mut ids = Vec::new();
    for team in ["sales", "support", "finance"] {
        let (m, id) = mail("admin@contoso.be", &format!("Licence for {team}"), "Please add 1 Microsoft 365 Business Premium licence.\n");
        s.send(&m);
        ids.push(id);
    }
    s.wait_answers("admin@contoso.be", 3, 60);
    let reconnects = || daemon.log_text().matches("reconnecting").count();
    let before = reconnects();
    s.imap.stop();
    // The daemon notices while the server is down (its session ends, the next login fails).
    wait_logged(60, "the daemon noticing the server gone", &daemon, || reconnects() > before);
    s.imap.start_again();
    for team in ["legal", "hr", "it"] {
        let (m, id) = mail("admin@contoso.be", &format!("Licence for {team}"), "Please add 1 Microsoft 365 Business Premium licence.\n");
        s.send(&m);
        ids.push(id);
    }
    s.wait_answers("admin@contoso.be", 6, 90);
    wait_logged(60, "every mail recorded and the outbox drained", &daemon, || settled(&env, 6));
    let answers = s.answers_for("admin@contoso.be");
    assert_eq!(answers.len(), 6, "one answer each, none twice: {}", daemon.log_text());
    let mut replied: Vec<String> = answers.iter().map(in_reply_to).collect();
    replied.sort();
    ids.sort();
    assert_eq!(replied, ids);
    assert_eq!(env.quantity("S-FLEX"), 16);
    assert!(daemon.stop().success());
}

fn smtp_faults_are_retried_or_dead_and_never_block_the_rest(kind: Kind) {
    let s = Servers::start_on(kind);
    let env = s.env(&[]);
    // 451 once, then accepted: delivered exactly once.
    s.submission.set_behaviour(Behaviour::TempFail { code: 451, times: 1 });
    let (m, temp_id) = mail("admin@fabrikam.fr", "Licences", "Merci d'ajouter 1 licence Microsoft 365 Business Basic.\n");
    s.send(&m);
    let daemon = env.spawn();
    s.wait_answers("admin@fabrikam.fr", 1, 60);
    // The server delivers into Dovecot before it records what it accepted: wait for both.
    let delivered = || s.submission.accepted().iter().filter(|a| String::from_utf8_lossy(&a.data).contains(&temp_id)).count();
    wait_until(30, "the accepted answer recorded", || delivered() >= 1);
    assert_eq!(delivered(), 1);
    let sent = outbox(&env, "sent");
    assert!(sent.iter().any(|r| r["attempts"].as_i64() == Some(2)), "retried once: {sent:#?}");

    // 550 for one recipient: dead and visible; the next answer still goes out.
    s.submission.set_behaviour(Behaviour::PermFailRcpt { rcpt: "helpdesk@contoso.be".into(), code: 550 });
    let (m, _) = mail("helpdesk@contoso.be", "Licences", "Please add 1 Microsoft 365 Business Premium licence.\n");
    s.send(&m);
    wait_until(60, "a dead answer", || outbox(&env, "dead").len() == 1);
    let (m, ok_id) = mail("admin@fabrikam.fr", "Encore", "Merci d'ajouter 2 licences Microsoft 365 Business Basic.\n");
    s.send(&m);
    wait_until(60, "the next answer", || s.answers_for("admin@fabrikam.fr").iter().any(|a| in_reply_to(a) == ok_id));
    let dead = outbox(&env, "dead");
    assert!(dead[0]["last_error"].as_str().unwrap().contains("550"), "{dead:#?}");
    // Ops fix the cause and retry it.
    s.submission.set_behaviour(Behaviour::Accept);
    let id = dead[0]["id"].as_i64().unwrap().to_string();
    env.ok(&["outbox", "retry", &id]);
    s.wait_answers("helpdesk@contoso.be", 1, 60);

    // A server that accepts the data and never answers: the send times out and is retried.
    s.submission.set_behaviour(Behaviour::StallOnData);
    let (m, stall_id) = mail("admin@fabrikam.fr", "Une de plus", "Merci d'ajouter 1 licence Microsoft 365 Business Basic.\n");
    s.send(&m);
    wait_until(60, "a timed-out attempt", || {
        outbox(&env, "pending").iter().any(|r| r["last_error"].as_str().unwrap_or("").contains("no answer within"))
    });
    s.submission.set_behaviour(Behaviour::Accept);
    wait_until(60, "the stalled answer", || s.answers_for("admin@fabrikam.fr").iter().any(|a| in_reply_to(a) == stall_id));
    let copies = s.answers_for("admin@fabrikam.fr").iter().filter(|a| in_reply_to(a) == stall_id).count();
    assert_eq!(copies, 1);
    assert!(daemon.stop().success());
}

fn a_wrong_password_is_a_clear_error_at_start(kind: Kind) {
    let s = Servers::start_on(kind);
    let env = s.env_with_password("wrong", &[]);
    let out = env.run(&["run", "--once"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("login as webservices@reseller.example refused"), "{err}");
    assert!(!err.contains("wrong"), "the password is never printed: {err}");
}

fn a_uidvalidity_change_stops_the_folder_until_reset(kind: Kind) {
    let mut s = Servers::start_on(kind);
    let env = s.env(&[]);
    let (m, _) = mail("admin@contoso.be", "Licences", "Please add 1 Microsoft 365 Business Premium licence.\n");
    s.imap.deliver(BOX, m.as_bytes());
    env.run_once();
    assert_eq!(env.messages().len(), 1);
    let (old, new) = s.imap.change_uidvalidity(BOX);
    assert_ne!(old, new);
    let (m, second) = mail("admin@contoso.be", "Another", "Please add 2 Microsoft 365 Business Premium licences.\n");
    s.imap.deliver(BOX, m.as_bytes());
    let out = env.run(&["run", "--once"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("UIDVALIDITY"), "said loudly");
    assert_eq!(env.messages().len(), 1, "nothing processed from a renumbered folder");
    let status = env.json(&["imap", "status", "--json"]);
    assert!(status[0]["stalled"].as_str().unwrap().contains("UIDVALIDITY"), "{status}");

    env.ok(&["imap", "reset", "INBOX"]);
    env.run_once();
    assert_eq!(env.message(&second)["message"]["state"], "applied");
    assert_eq!(env.quantity("S-FLEX"), 13);
}

fn five_hundred_requests_at_once_are_each_processed_and_answered_once(kind: Kind) {
    let s = Servers::start_on(kind);
    let env = s.env(&[
        ("SEATMAIL_ANSWERS__MAX_PER_CORRESPONDENT_PER_DAY", "100000"),
        ("SEATMAIL_POLICY__MAX_SEATS_PER_DAY", "100000"),
    ]);
    let mut ids = Vec::new();
    for n in 0..500 {
        let body = if n % 2 == 0 {
            "Please add 1 Microsoft 365 Business Premium licence.\n"
        } else {
            "Please remove 1 Microsoft 365 Business Premium licence.\n"
        };
        let (m, id) = mail("admin@contoso.be", "Licences", body);
        s.imap.deliver(BOX, m.as_bytes());
        ids.push(id);
    }
    let daemon = env.spawn();
    s.wait_answers("admin@contoso.be", 500, 600);
    wait_until(120, "every mail recorded and the outbox drained", || settled(&env, 500));
    let answers = s.answers_for("admin@contoso.be");
    assert_eq!(answers.len(), 500, "no answer twice");
    let mut replied: Vec<String> = answers.iter().map(in_reply_to).collect();
    replied.sort();
    ids.sort();
    assert_eq!(replied, ids, "each request answered");
    let messages = env.json(&["messages", "list", "--limit", "1000", "--json"]);
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 500);
    assert!(messages.iter().all(|m| m["state"] == "applied"), "all applied");
    assert_eq!(env.quantity("S-FLEX"), 10, "250 added, 250 removed, each once");
    assert_eq!(s.folder("Processed"), 500);
    assert!(daemon.stop().success());
}

fn starttls_authenticate_plain_polling_and_a_broken_mail(kind: Kind) {
    let s = Servers::start_on(kind);
    let pw = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(pw.path(), format!("{IMAP_PASSWORD}\n")).unwrap();
    let env = s.env(&[
        ("SEATMAIL_INTAKE__IMAP__TLS", "starttls"),
        ("SEATMAIL_INTAKE__IMAP__PORT", &s.imap.imap_port().to_string()),
        ("SEATMAIL_INTAKE__IMAP__AUTH", "plain"),
        ("SEATMAIL_INTAKE__IMAP__PASSWORD", ""),
        ("SEATMAIL_INTAKE__IMAP__IDLE", "false"),
        ("SEATMAIL_INTAKE__IMAP__POLL_INTERVAL_SECS", "1"),
    ]);
    // The password comes from a file instead (the override above empties the inline one).
    let config = std::fs::read_to_string(&env.config).unwrap().replace(
        &format!("password = \"{IMAP_PASSWORD}\""),
        &format!("password_file = \"{}\"", pw.path().display()),
    );
    std::fs::write(&env.config, config).unwrap();
    let mut env = env;
    env.vars.retain(|(k, _)| k != "SEATMAIL_INTAKE__IMAP__PASSWORD");

    // Cyrus's LMTP refuses a mail without a header block; a header-only wreck it takes.
    let broken: &[u8] = if kind == Kind::Dovecot {
        b"\x00\x01 not a mail at all \xff\xfe\r\n"
    } else {
        b"Content-Type: multipart/mixed; boundary=\"missing\"\r\nContent-Transfer-Encoding: base64\r\n\r\n!!! not base64 \xff\xfe\r\n"
    };
    s.imap.deliver(BOX, broken);
    let (m, id) = mail("admin@contoso.be", "Licences", "Please add 1 Microsoft 365 Business Premium licence.\n");
    s.imap.deliver(BOX, m.as_bytes());
    let daemon = env.spawn();
    s.wait_answers("admin@contoso.be", 1, 60);
    assert_eq!(env.message(&id)["message"]["state"], "applied");
    // Polling, not IDLE: a later mail still arrives within a few poll intervals.
    let (m, later) = mail("admin@contoso.be", "More", "Please add 2 Microsoft 365 Business Premium licences.\n");
    s.imap.deliver(BOX, m.as_bytes());
    wait_until(30, "the polled mail", || s.answers_for("admin@contoso.be").iter().any(|a| in_reply_to(a) == later));
    // The broken mail (in front of the others) was recorded and filed, not left blocking.
    wait_until(30, "the broken mail filed", || s.folder("INBOX") == 0);
    let states: Vec<String> = env.messages().iter().map(|m| m["state"].as_str().unwrap().to_string()).collect();
    assert_eq!(states.len(), 3, "{states:?}");
    assert_eq!(states.iter().filter(|s| *s == "applied").count(), 2, "{states:?}");
    assert_eq!(env.quantity("S-FLEX"), 13);
    assert!(daemon.stop().success());
}

/// Servers without MOVE: COPY, `\Deleted` and UID EXPUNGE (UIDPLUS), or plain EXPUNGE.
fn moves_without_the_move_extension(kind: Kind) {
    let mut s = Servers::start_on(kind);
    let env = s.env(&[]);
    for (hidden, team, how) in [(&["MOVE"][..], "sales", "copy+uid-expunge"), (&["MOVE", "UIDPLUS"][..], "support", "copy+expunge")] {
        s.imap.hide_capabilities(hidden);
        let (m, id) = mail("admin@contoso.be", &format!("Licence for {team}"), "Please add 1 Microsoft 365 Business Premium licence.\n");
        s.imap.deliver(BOX, m.as_bytes());
        let out = env.run(&["run", "--once"]);
        assert!(out.status.success());
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(log.contains(&format!("how={how}")) || log.contains(&format!("how=\"{how}\"")), "without {hidden:?}: {log}");
        assert_eq!(env.message(&id)["message"]["state"], "applied", "without {hidden:?}");
        assert_eq!(s.folder("INBOX"), 0, "without {hidden:?}: moved out of the inbox");
    }
    assert_eq!(s.folder("Processed"), 2);
    assert_eq!(env.quantity("S-FLEX"), 12);
}

/// An ops person's mail client marks a mail `\Deleted` in our INBOX and has not expunged it
/// yet. seatmail works a backlog beside it — with MOVE, with COPY + UID EXPUNGE, and without
/// UIDPLUS (where a plain EXPUNGE would take that mail too): the mail is never read as a
/// request, and it is still there afterwards.
fn mail_another_client_marked_deleted_outlives_a_backlog(kind: Kind) {
    let mut s = Servers::start_on(kind);
    let env = s.env(&[]);
    let mut requests = 0;
    for (hidden, how) in [(&[][..], "move"), (&["MOVE"][..], "copy+uid-expunge"), (&["MOVE", "UIDPLUS"][..], "copy+marked")] {
        s.imap.hide_capabilities(hidden);
        let (theirs, theirs_id) = mail("ops@reseller.example", "Old notice", "To be deleted by ops.\n");
        s.imap.deliver(BOX, theirs.as_bytes());
        s.imap.commands(BOX, IMAP_PASSWORD, &["SELECT INBOX", "STORE 1:* +FLAGS.SILENT (\\Deleted)"]);
        for team in ["a", "b", "c"] {
            let (m, _) = mail("admin@contoso.be", &format!("Licence for team {team}"), "Please add 1 Microsoft 365 Business Premium licence.\n");
            s.imap.deliver(BOX, m.as_bytes());
            requests += 1;
        }
        let out = env.run(&["run", "--once"]);
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "without {hidden:?}: {log}");
        assert!(log.contains(&format!("how={how}")) || log.contains(&format!("how=\"{how}\"")), "without {hidden:?}: {log}");
        let inbox: Vec<String> = s.imap.messages(BOX, "INBOX").iter().map(|m| String::from_utf8_lossy(m).into_owned()).collect();
        assert!(inbox.iter().any(|m| m.contains(&theirs_id)), "without {hidden:?}: the mail marked \\Deleted by another client is gone");
        assert_eq!(env.messages().len(), requests, "without {hidden:?}: only the requests were read");
        assert_eq!(s.folder("Processed"), requests, "without {hidden:?}: every request filed");
        if hidden.len() == 2 {
            assert!(log.contains("stay there marked"), "said so: {log}");
            assert_eq!(inbox.len(), 4, "ours stay marked beside it");
        } else {
            assert_eq!(inbox.len(), 1, "without {hidden:?}: ours left the INBOX");
        }
        // The other client expunges now; nothing is read twice afterwards.
        s.imap.commands(BOX, IMAP_PASSWORD, &["SELECT INBOX", "EXPUNGE"]);
        env.run_once();
        assert_eq!(env.messages().len(), requests);
    }
    assert_eq!(env.quantity("S-FLEX"), 10 + requests as i64);
}

crate::on_every_server!(
    requests_over_smtp_are_applied_and_answered_over_imap_with_idle,
    imap_server_restart_loses_nothing_and_doubles_nothing,
    smtp_faults_are_retried_or_dead_and_never_block_the_rest,
    a_wrong_password_is_a_clear_error_at_start,
    a_uidvalidity_change_stops_the_folder_until_reset,
    five_hundred_requests_at_once_are_each_processed_and_answered_once,
    starttls_authenticate_plain_polling_and_a_broken_mail,
    moves_without_the_move_extension,
    mail_another_client_marked_deleted_outlives_a_backlog,
);
