//! The mixed scenario, as a reseller meets it on its own servers: a config that names no
//! folders (the defaults), eleven mails of every kind — some waiting at start, some arriving
//! while the daemon idles — coming in through Postfix (the MX) and answered through Postfix
//! (submission: STARTTLS + AUTH, PIPELINING, CHUNKING, SMTPUTF8 offered), Postfix delivering
//! to the IMAP server by LMTP. On Dovecot and on Cyrus in each of its three namespace layouts:
//! every mail ends in its state and its folder, every seat change and answer is right, the
//! INBOX is empty, and the intake never failed.

use crate::servers::{in_reply_to, installation, smtp_send, BOX, IMAP_PASSWORD, SMTP_PASSWORD};
use crate::support::imap::{Imap, Kind};
use crate::support::postfix::Postfix;
use crate::support::{mail, mail_with, wait_logged, wait_logged_and, wait_until, Answer, Env};

/// The IMAP server of `kind` and a Postfix in front of it.
pub(crate) struct World {
    pub imap: Imap,
    pub postfix: Postfix,
}

impl World {
    pub fn start(kind: Kind) -> World {
        let imap = Imap::start(kind, &[(BOX, IMAP_PASSWORD)]);
        let postfix = Postfix::start(imap.lmtp_port(), imap.certs(), &[(BOX, SMTP_PASSWORD)]);
        World { imap, postfix }
    }

    /// seatmail with no folders named, answering through Postfix's submission port.
    pub fn env(&self, vars: &[(&str, &str)]) -> Env {
        installation(&self.imap, self.postfix.submission_port, IMAP_PASSWORD, vars, None)
    }

    /// A customer's mail, handed to our MX.
    pub fn send(&self, raw: &str) {
        smtp_send(self.postfix.mx_port, raw);
    }

    pub fn answers_for(&self, login: &str) -> Vec<Answer> {
        self.imap.messages(login, "INBOX").iter().map(|m| Answer::parse(&String::from_utf8_lossy(m))).collect()
    }

    /// How many mails our folder `short` holds, wherever this server keeps it.
    pub fn folder(&self, short: &str) -> usize {
        self.imap.messages(BOX, &self.imap.folder_name(short)).len()
    }
}

/// A mail of the scenario, raw, and what must become of it.
type Mail = (String, Case);

/// One mail of the scenario and what must become of it.
struct Case {
    id: String,
    from: &'static str,
    state: &'static str,
    folder: &'static str,
    answered: bool,
}

fn case(from: &'static str, subject: &str, body: &str, extra: &str, state: &'static str, folder: &'static str, answered: bool) -> Mail {
    let (raw, id) = mail_with(from, subject, body, extra);
    (raw, Case { id, from, state, folder, answered })
}

fn bounce() -> Mail {
    let (original, _) = mail("webservices@reseller.example", "Your licences have been adapted", "Please add 3 licences.\n");
    let id = format!("bounce.{}@mx.contoso.be", chrono::Utc::now().timestamp_micros());
    let raw = format!(
        "Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.contoso.be>\r\nTo: webservices@reseller.example\r\n\
         Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <{id}>\r\nDate: {date}\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n\
         --b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.contoso.be\r\n\r\nFinal-Recipient: rfc822; admin@contoso.be\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
         --b\r\nContent-Type: message/rfc822\r\n\r\n{original}\r\n--b--\r\n",
        date = chrono::Utc::now().to_rfc2822(),
    );
    (raw, Case { id, from: "MAILER-DAEMON@mx.contoso.be", state: "ignored", folder: "Ignored", answered: false })
}

/// Six mails waiting at start, and five that arrive while the daemon idles.
fn scenario() -> ([Mail; 6], [Mail; 5]) {
    let waiting = [
        case("admin@contoso.be", "More licences", "Please add 2 Microsoft 365 Business Premium licences.\n", "", "applied", "Processed", true),
        case("billing@contoso.be", "Fewer licences", "Please remove 1 Microsoft 365 Business Premium licence.\n", "", "applied", "Processed", true),
        case("stranger@gmail.com", "Licences", "Please add 9 licences for contoso.be\n", "", "rejected", "Rejected", false),
        case("admin@contoso.be", "Big order", "Please add 25 Microsoft 365 Business Premium licences.\n", "", "awaiting_approval", "Approval", true),
        case("admin@contoso.be", "Leavers", "Hello,\n\nCan you change the licences for the people who left?\n", "", "needs_review", "Review", true),
        case(
            "admin@contoso.be",
            "Automatic reply: Licences",
            "I am out of the office until Monday.\n",
            "Auto-Submitted: auto-replied\r\n",
            "ignored",
            "Ignored",
            false,
        ),
    ];
    let arriving = [
        case("helpdesk@contoso.be", "Licences", "Please add 1 Microsoft 365 Business Premium licence.\n", "", "rejected", "Rejected", true),
        case("admin@contoso.be", "Annual plan", "Please remove 3 Microsoft 365 Business Standard licences.\n", "", "rejected", "Rejected", true),
        case("admin@fabrikam.fr", "Licences", "Bonjour,\n\nMerci d'ajouter 1 licence Microsoft 365 Business Basic.\n", "", "applied", "Processed", true),
        bounce(),
        case(
            "admin@contoso.be",
            "[it-news] Licensing webinar",
            "Join our webinar: add 5 licences in one click!\n",
            "List-Id: IT news <it-news.lists.example>\r\nPrecedence: list\r\n",
            "ignored",
            "Ignored",
            false,
        ),
    ];
    (waiting, arriving)
}

fn the_mixed_scenario_with_the_default_config(kind: Kind) {
    let w = World::start(kind);
    let env = w.env(&[]);
    let (waiting, arriving) = scenario();
    for (raw, _) in &waiting {
        w.send(raw);
    }
    wait_until(60, "the waiting mail in the INBOX", || w.imap.messages(BOX, "INBOX").len() == waiting.len());
    let daemon = env.spawn();
    wait_logged(60, "the waiting mail filed", &daemon, || env.messages().len() == waiting.len() && w.imap.messages(BOX, "INBOX").is_empty());
    // The rest arrives while the daemon idles.
    for (raw, _) in &arriving {
        w.send(raw);
    }
    let cases: Vec<&Case> = waiting.iter().chain(&arriving).map(|(_, c)| c).collect();
    wait_logged(90, "all eleven recorded and filed", &daemon, || {
        env.messages().len() == cases.len() && w.imap.messages(BOX, "INBOX").is_empty()
    });
    let expected_answers = cases.iter().filter(|c| c.answered).count();
    let answered = |c: &Case| w.answers_for(c.from).iter().any(|a| in_reply_to(a) == c.id);
    // On a timeout, Postfix's side too: the daemon may have sent every answer while the LMTP
    // delivery into the IMAP server lags (seen twice on Cyrus on a loaded CI machine).
    let postfix_log = || {
        let log = w.postfix.log();
        let tail: Vec<&str> = log.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
        format!("postfix log (tail):\n{}", tail.join("\n"))
    };
    wait_logged_and(90, "every answer delivered", &daemon, postfix_log, || cases.iter().filter(|c| c.answered).all(|c| answered(c)));
    assert_eq!(cases.iter().filter(|c| answered(c)).count(), expected_answers);

    assert_every_outcome(&w, &env, &cases, kind);

    // Ops approve the big order: applied, and the confirmation goes out through Postfix too.
    let queue = env.json(&["queue", "list", "--json"]);
    let held = queue.as_array().unwrap().iter().find(|q| q["state"] == "awaiting_approval").expect("the held order");
    env.ok(&["queue", "approve", &held["id"].as_i64().unwrap().to_string(), "--as", "ana"]);
    wait_logged(60, "the confirmation after approval", &daemon, || {
        w.answers_for("admin@contoso.be").iter().filter(|a| in_reply_to(a) == cases[3].id).count() == 2
    });
    assert_eq!(env.quantity("S-FLEX"), 36);

    // The intake never failed: no reconnect, nothing read twice, nothing shown as failing.
    let log = daemon.log_text();
    assert!(!log.contains("reconnecting") && !log.contains("already processed"), "{log}");
    let status = env.json(&["imap", "status", "--json"]);
    assert!(status[0]["failing"].is_null() && status[0]["stalled"].is_null(), "{status}");
    assert!(w.postfix.delivered() >= cases.len() + expected_answers, "everything went through Postfix:\n{}", w.postfix.log());
    assert!(daemon.stop().success());
}

/// Every mail in its state and folder, the INBOX empty, the seats right, one answer to each
/// mail that deserves one and none to the others, the French customer answered in French.
fn assert_every_outcome(w: &World, env: &Env, cases: &[&Case], kind: Kind) {
    for c in cases {
        assert_eq!(env.message(&c.id)["message"]["state"], c.state, "{} ({:?})", c.id, kind);
    }
    for folder in ["Processed", "Rejected", "Approval", "Review", "Ignored"] {
        let n = cases.iter().filter(|c| c.folder == folder).count();
        assert_eq!(w.folder(folder), n, "{folder} on {kind:?} ({})", w.imap.folder_name(folder));
    }
    assert_eq!(w.imap.messages(BOX, "INBOX").len(), 0, "no mail left in the INBOX");
    assert_eq!((env.quantity("S-FLEX"), env.quantity("S-ANN"), env.quantity("F-BASIC")), (11, 20, 291));
    // Answered exactly those that deserve one, once each (nothing left to send that could
    // come later); the French customer in French.
    let outbox = |state: &str| env.json(&["outbox", "list", "--state", state, "--json"]).as_array().map_or(0, Vec::len);
    wait_until(60, "the outbox empty", || outbox("pending") == 0);
    assert_eq!(outbox("sent"), cases.iter().filter(|c| c.answered).count());
    for c in cases {
        let n = w.answers_for(c.from).iter().filter(|a| in_reply_to(a) == c.id).count();
        assert_eq!(n, usize::from(c.answered), "answers to {} from {}", c.id, c.from);
    }
    let french = w.answers_for("admin@fabrikam.fr");
    assert!(french[0].text.contains("Bonjour") && french[0].text.contains("291"), "{}", french[0].text);
}

crate::on_every_server!(the_mixed_scenario_with_the_default_config);
