//! The embedded default end to end: mails into a Maildir, the real binary, SQLite, the file
//! outbox. One test per policy rule and per sender case, each checking the store, the ledger
//! and the answer.

use serde_json::Value;

use crate::support::{mail, mail_with, Env};

/// The single ledger row of a processed message.
fn ledger(detail: &Value) -> Vec<(String, i64, i64, String)> {
    detail["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["subscription_id"].as_str().unwrap().to_string(),
                l["old_quantity"].as_i64().unwrap(),
                l["new_quantity"].as_i64().unwrap(),
                l["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rules(detail: &Value) -> Vec<String> {
    detail["items"].as_array().unwrap().iter().map(|i| i["rule"].as_str().unwrap().to_string()).collect()
}

#[test]
fn increase_is_applied_with_ledger_and_threaded_confirmation() {
    let env = Env::new();
    let (raw, id) = mail_with(
        "An Admin <admin@contoso.be>",
        "More licences",
        "Hello,\n\nPlease add 3 Microsoft 365 Business Premium licences.\nUsername: admin@contoso.onmicrosoft.com\n\nKind regards,\nAn\n+32 2 555 01 23",
        "Reply-To: attacker@evil.example\r\nReferences: <older@contoso.be>\r\n",
    );
    env.deliver(&raw);
    env.run_once();

    let d = env.message(&id);
    assert_eq!(d["message"]["state"], "applied", "{d:#}");
    assert_eq!(d["message"]["customer_id"], "C1");
    assert_eq!(ledger(&d), vec![("S-FLEX".into(), 10, 13, "increase".into())]);
    assert_eq!(d["ledger"][0]["actor"], "admin@contoso.be");
    assert_eq!(env.quantity("S-FLEX"), 13);

    let answers = env.answers_to(&id);
    assert_eq!(answers.len(), 1);
    let a = &answers[0];
    // To the sender, the other admins in copy; never to the Reply-To.
    assert_eq!(a.header("To").as_deref(), Some("admin@contoso.be"));
    let cc = a.header("Cc").unwrap_or_default();
    assert!(cc.contains("billing@contoso.be") && cc.contains("scoped@contoso.be"), "{cc}");
    assert!(!a.headers.contains("attacker@evil.example"));
    assert!(!cc.contains("helpdesk@contoso.be"), "a user admin is no admin for billing: {cc}");
    assert_eq!(a.header("Auto-Submitted").as_deref(), Some("auto-replied"));
    assert_eq!(a.header("References").as_deref(), Some(format!("<older@contoso.be> <{id}>").as_str()));
    assert!(a.header("Message-ID").unwrap().ends_with("@reseller.example>"));
    assert!(a.header("Subject").unwrap().contains("adapted"), "{:?}", a.header("Subject"));
    assert!(a.text.contains("Microsoft 365 Business Premium"), "{}", a.text);
    assert!(a.text.contains("10") && a.text.contains("13"), "{}", a.text);
    assert!(a.html.contains("<html"), "HTML part present");
    // The mail left the inbox for its outcome folder.
    assert!(env.maildir_files("new").is_empty());
    assert_eq!(env.maildir_files(".Processed/cur").len(), 1);
}

#[test]
fn every_policy_rule_ends_where_it_should() {
    let env = Env::new();
    // (body, subscription, expected state, expected rule, expected quantity after)
    let cases: &[(&str, &str, &str, &str, i64)] = &[
        ("Please remove 2 Microsoft 365 Business Premium licences.", "S-FLEX", "applied", "decrease", 8),
        ("Please remove 4 Microsoft 365 Business Premium licences.", "S-FLEX", "rejected", "below_assigned", 8),
        ("Please remove 3 Microsoft 365 Business Standard licences.", "S-ANN", "rejected", "annual_commitment", 20),
        ("Please remove 2 Exchange Online Plan 1 licences.", "S-NEW", "applied", "decrease_in_window", 8),
        ("Please add 2 Office 365 E1 licences.", "S-SUSP", "rejected", "inactive_subscription", 5),
        ("We need 10 Microsoft 365 Business Premium licences in total.", "S-FLEX", "applied", "increase", 10),
    ];
    for (body, sub, state, rule, after) in cases {
        let (raw, id) = mail("admin@contoso.be", "Licences", &format!("Hi,\n\n{body}\n\nThanks\n"));
        env.deliver(&raw);
        env.run_once();
        let d = env.message(&id);
        assert_eq!(d["message"]["state"], *state, "{body}: {d:#}");
        assert_eq!(rules(&d), vec![rule.to_string()], "{body}");
        assert_eq!(env.quantity(sub), *after, "{body}");
        let answers = env.answers_to(&id);
        assert_eq!(answers.len(), 1, "{body}: one answer");
        if *state == "rejected" {
            assert_eq!(ledger(&d), vec![], "{body}: a rejection changes nothing");
        }
        if *rule == "annual_commitment" {
            let renewal = chrono::Utc::now().date_naive() - chrono::Duration::days(100) + chrono::Months::new(12);
            let year = renewal.format("%Y").to_string();
            assert!(answers[0].text.contains(&year), "renewal date in the answer: {}", answers[0].text);
        }
    }
}

#[test]
fn maximums_and_the_approval_threshold() {
    let env = Env::new();
    // F-BASIC has 290 seats; Business plans stop at 300.
    let (raw, over_max) = mail("admin@fabrikam.fr", "Licences", "Bonjour,\n\nMerci d'ajouter 15 licences Microsoft 365 Business Basic.\n");
    env.deliver(&raw);
    let (raw, over_request) =
        mail("admin@contoso.be", "Licences", "Please add 150 Microsoft 365 Business Premium licences.\n");
    env.deliver(&raw);
    let (raw, held) = mail("admin@contoso.be", "Licences", "Please add 25 Microsoft 365 Business Premium licences.\n");
    env.deliver(&raw);
    env.run_once();

    let d = env.message(&over_max);
    assert_eq!((d["message"]["state"].as_str(), rules(&d)), (Some("rejected"), vec!["product_maximum".to_string()]));
    assert_eq!(env.quantity("F-BASIC"), 290);
    let fr = &env.answers_to(&over_max)[0];
    assert!(fr.text.contains("300"), "the maximum is named: {}", fr.text);

    let d = env.message(&over_request);
    assert_eq!(rules(&d), vec!["request_maximum".to_string()]);

    let d = env.message(&held);
    assert_eq!(d["message"]["state"], "awaiting_approval");
    assert_eq!(rules(&d), vec!["approval_threshold".to_string()]);
    assert_eq!(env.quantity("S-FLEX"), 10, "held, not applied");
    assert_eq!(env.answers_to(&held).len(), 1, "acknowledged while waiting");

    let queue = env.json(&["queue", "list", "--json"]);
    let entry = queue.as_array().unwrap().iter().find(|q| q["state"] == "awaiting_approval").expect("in the queue");
    let qid = entry["id"].as_i64().unwrap().to_string();

    // Approving twice applies once.
    env.ok(&["queue", "approve", &qid, "--as", "olivia", "--note", "ok for Q4"]);
    let again = env.run(&["queue", "approve", &qid, "--as", "olivia"]);
    assert!(!again.status.success(), "a decision is taken once");
    assert!(String::from_utf8_lossy(&again.stderr).contains("applied already"));

    assert_eq!(env.quantity("S-FLEX"), 35);
    let d = env.message(&held);
    assert_eq!(d["message"]["state"], "applied");
    assert_eq!(ledger(&d), vec![("S-FLEX".into(), 10, 35, "ops_approved".into())]);
    assert_eq!(d["ledger"][0]["actor"], "ops:olivia");
    let answers = env.answers_to(&held);
    assert_eq!(answers.len(), 2, "the acknowledgement, then the confirmation");
    assert!(answers.iter().any(|a| a.text.contains("35")), "{answers:#?}");
}

#[test]
fn ops_rejection_answers_with_the_note() {
    let env = Env::new();
    let (raw, held) = mail("admin@contoso.be", "Licences", "Please add 30 Microsoft 365 Business Premium licences.\n");
    env.deliver(&raw);
    env.run_once();
    let qid = env.json(&["queue", "list", "--json"])[0]["id"].as_i64().unwrap().to_string();
    env.ok(&["queue", "reject", &qid, "--as", "olivia", "--note", "Please call your account manager first"]);
    let d = env.message(&held);
    assert_eq!(d["message"]["state"], "rejected");
    assert_eq!(rules(&d), vec!["ops_rejected".to_string()]);
    assert_eq!(env.quantity("S-FLEX"), 10);
    let answers = env.answers_to(&held);
    assert_eq!(answers.len(), 2);
    assert!(answers.iter().any(|a| a.text.contains("Please call your account manager first")));
}

#[test]
fn senders_unknown_unauthorized_scoped_and_forged() {
    let env = Env::new();
    let body = "Please add 2 Microsoft 365 Business Premium licences. Username admin@contoso.be\n";
    let (unknown_raw, unknown) = mail("stranger@gmail.com", "Licences", body);
    let (helpdesk_raw, helpdesk) = mail("Help Desk <helpdesk@contoso.be>", "Licences", body);
    let (scoped_raw, scoped) =
        mail("scoped@contoso.be", "Licences", "Please add 1 Microsoft 365 Business Standard licence.\n");
    // DMARC failed at our own server: a forged From.
    let (forged_raw, forged) = mail("admin@contoso.be", "Licences", body);
    let forged_raw = forged_raw.replace("dmarc=pass", "dmarc=fail");
    // A contact of C2 naming C1's tenant.
    let (foreign_raw, foreign) = mail(
        "admin@fabrikam.fr",
        "Licences",
        "Please add 2 Microsoft 365 Business Premium licences for admin@contoso.onmicrosoft.com\n",
    );
    for r in [&unknown_raw, &helpdesk_raw, &scoped_raw, &forged_raw, &foreign_raw] {
        env.deliver(r);
    }
    env.run_once();

    let d = env.message(&unknown);
    assert_eq!(d["message"]["state"], "rejected");
    assert!(d["message"]["reason"].as_str().unwrap().contains("unknown sender"));
    assert!(env.answers_to(&unknown).is_empty(), "no backscatter");

    let d = env.message(&forged);
    assert_eq!(d["message"]["state"], "rejected");
    assert!(d["message"]["reason"].as_str().unwrap().contains("not authenticated"), "{d:#}");
    assert!(env.answers_to(&forged).is_empty());

    let d = env.message(&helpdesk);
    assert_eq!((d["message"]["state"].as_str(), rules(&d)), (Some("rejected"), vec!["role_not_allowed".to_string()]));
    let a = &env.answers_to(&helpdesk)[0];
    assert!(a.text.contains("admin@contoso.be") || a.text.contains("An Admin"), "names who can ask: {}", a.text);

    let d = env.message(&scoped);
    assert_eq!(rules(&d), vec!["out_of_scope".to_string()]);

    let d = env.message(&foreign);
    assert_eq!(rules(&d), vec!["foreign_tenant".to_string()]);
    assert!(d["message"]["reason"].as_str().unwrap().starts_with("FLAGGED"));

    assert_eq!(env.quantity("S-FLEX"), 10);
    assert_eq!(env.quantity("S-ANN"), 20);
    let ledger_rows: usize = env.messages().iter().map(|m| {
        ledger(&env.json(&["messages", "show", m["key"].as_str().unwrap(), "--json"])).len()
    }).sum();
    assert_eq!(ledger_rows, 0, "none of these changed anything");
}

#[test]
fn two_tenants_in_one_mail() {
    let env = Env::new();
    let (raw, id) = mail(
        "Group IT <group@holding.example>",
        "Licences for our two companies",
        "Hello,\n\nFor admin@contoso.onmicrosoft.com please add 2 Microsoft 365 Business Premium licences.\n\
         For admin@fabrikam.onmicrosoft.com please add 3 Microsoft 365 Business Basic licences.\n\nThanks\n",
    );
    env.deliver(&raw);
    env.run_once();
    let d = env.message(&id);
    assert_eq!(d["message"]["state"], "applied", "{d:#}");
    let mut l = ledger(&d);
    l.sort();
    assert_eq!(l, vec![("F-BASIC".into(), 290, 293, "increase".into()), ("S-FLEX".into(), 10, 12, "increase".into())]);
    let a = &env.answers_to(&id)[0];
    let cc = a.header("Cc").unwrap_or_default();
    assert!(cc.contains("admin@contoso.be") && cc.contains("admin@fabrikam.fr"), "both customers' admins: {cc}");
}

#[test]
fn the_same_mail_twice_and_a_restart_change_nothing_twice() {
    let env = Env::new();
    let (raw, id) = mail("admin@contoso.be", "Licences", "Please add 1 Microsoft 365 Business Premium licence.\n");
    env.deliver(&raw);
    // The same mail delivered again, with the trace headers a second delivery adds.
    env.deliver(&format!("Received: from relay2 by mx; {}\r\nDelivered-To: webservices@reseller.example\r\n{raw}", chrono::Utc::now().to_rfc2822()));
    env.run_once();
    assert_eq!(env.quantity("S-FLEX"), 11);
    assert_eq!(env.answers_to(&id).len(), 1);
    assert_eq!(env.messages().len(), 1);
    assert_eq!(env.maildir_files(".Processed/cur").len(), 2, "both copies leave the inbox");

    // A crash after the commit but before the move leaves the mail in new/: simulate it by
    // putting the processed file back, then restart.
    let processed = env.maildir_files(".Processed/cur");
    let back = env.path("mail/.Processed/cur").join(&processed[0]);
    std::fs::rename(&back, env.path("mail/new").join("restored")).unwrap();
    env.run_once();
    env.run_once();
    assert_eq!(env.quantity("S-FLEX"), 11);
    assert_eq!(env.answers_to(&id).len(), 1);
    assert!(env.maildir_files("new").is_empty());
}

#[test]
fn unclear_and_unreadable_mail_is_kept_for_review() {
    let env = Env::new();
    let (raw, unclear) = mail("admin@contoso.be", "Licences", "Hello,\n\nCan you change the licences for the people who left?\n");
    env.deliver(&raw);
    let (raw, no_product) = mail("admin@contoso.be", "Licences", "Hello,\n\nPlease add 2 licences.\n");
    env.deliver(&raw);
    env.deliver("\u{0}\u{1}garbage without headers \u{fffd}");
    env.run_once();

    let d = env.message(&unclear);
    assert_eq!(d["message"]["state"], "needs_review");
    assert_eq!(env.answers_to(&unclear).len(), 1, "a clarification question");
    // Contoso has four subscriptions: which product?
    let d = env.message(&no_product);
    assert_eq!(d["message"]["state"], "needs_review", "{d:#}");
    let q = &env.answers_to(&no_product)[0];
    assert!(q.text.contains("Microsoft 365 Business Premium"), "lists the products: {}", q.text);
    assert_eq!(env.quantity("S-FLEX"), 10);

    let all = env.messages();
    assert_eq!(all.len(), 3, "the garbage is recorded too: {all:#?}");
    assert!(all.iter().all(|m| m["state"] != "applied"));
    assert!(env.maildir_files("new").is_empty(), "nothing left behind");
}

#[test]
fn the_daemon_stops_cleanly_on_sigterm() {
    let env = Env::new();
    let mut child = env.cmd().args(["run"]).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let (raw, id) = mail("admin@contoso.be", "Licences", "Please add 1 Microsoft 365 Business Premium licence.\n");
    env.deliver(&raw);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while env.answers_to(&id).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the running daemon picks the mail up");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let pid = child.id() as i32;
    // SAFETY: kill(2) on the pid of our own child process.
    assert_eq!(unsafe { libc_kill(pid, 15) }, 0);
    let status = child.wait().unwrap();
    assert!(status.success(), "exit 0 after SIGTERM, got {status}");
    assert_eq!(env.quantity("S-FLEX"), 11);
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

/// The README's first command, in a copy of the repository's config and templates.
#[test]
fn the_demo_applies_rejects_holds_and_asks() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &str| {
        let status = std::process::Command::new("cp")
            .args(["-r", &format!("{}/{from}", crate::support::REPO), dir.path().to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success());
    };
    copy("config");
    copy("templates");
    let mut child = std::process::Command::new(crate::support::BIN)
        .arg("demo")
        .current_dir(dir.path())
        .env_remove("SEATMAIL_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut reader = BufReader::new(stdout).lines();
    let mut lines = Vec::new();
    for line in reader.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("Still watching");
        lines.push(line);
        if done {
            break;
        }
    }
    // "Processed" is said before the sender has written every answer: on a busy machine it
    // may still be at it, and Ctrl-C stops it after the send in flight.
    let outbox = dir.path().join("var/outbox");
    let written = || std::fs::read_dir(&outbox).map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "eml")).count()).unwrap_or(0);
    crate::support::wait_until(60, "the demo's answers written", || written() >= 7);
    // SAFETY: kill(2) on our own child.
    unsafe { libc_kill(child.id() as i32, 2) };
    let rest: Vec<String> = reader.map_while(Result::ok).collect();
    assert!(child.wait().unwrap().success());
    assert_eq!(rest.last().map(String::as_str), Some("Stopped."), "{rest:?}");
    let out = lines.join("\n");
    for state in ["applied ", "rejected ", "needs_review ", "awaiting_approval ", "ignored "] {
        assert!(out.lines().any(|l| l.starts_with(state)), "`{state}` in the demo output:\n{out}");
    }
    assert!(out.contains("All 10 sample mails are processed"), "{out}");
    let answers = std::fs::read_dir(dir.path().join("var/outbox")).unwrap().count();
    assert!(answers >= 7, "answers written: {answers}");
}

#[test]
fn ops_correct_a_mail_that_needed_review() {
    let env = Env::new();
    let (raw, id) = mail("admin@contoso.be", "Licences", "Hello,\n\nPlease change the licences for the people who left.\n");
    env.deliver(&raw);
    let (raw, stranger) = mail("stranger@gmail.com", "Licences", "Hello, can you help me with licences?\n");
    env.deliver(&raw);
    env.run_once();
    assert_eq!(env.message(&id)["message"]["state"], "needs_review");
    let qid = |mid: &str| {
        env.json(&["queue", "list", "--json"]).as_array().unwrap().iter().find(|q| {
            env.json(&["messages", "show", q["key"].as_str().unwrap(), "--json"])["message"]["message_id"] == mid
        }).map(|q| q["id"].as_i64().unwrap().to_string())
    };
    let q = qid(&id).expect("in the queue");
    let out = env.run(&["queue", "approve", &q]);
    assert!(!out.status.success(), "a mail needing review is corrected, not approved");
    let out = env.run(&["queue", "correct", &q, "--change", "0"]);
    assert!(!out.status.success());
    env.ok(&["queue", "correct", &q, "--change", "-2", "--product", "spb", "--as", "olivia"]);
    let d = env.message(&id);
    assert_eq!(d["message"]["state"], "applied", "{d:#}");
    assert!(d["message"]["reason"].as_str().unwrap().starts_with("corrected by ops:olivia"));
    assert_eq!(d["ledger"][0]["old_quantity"], 10);
    assert_eq!(d["ledger"][0]["new_quantity"], 8);
    assert_eq!(d["ledger"][0]["actor"], "ops:olivia");
    assert_eq!(env.quantity("S-FLEX"), 8);
    assert_eq!(env.answers_to(&id).len(), 2, "the clarification, then the confirmation");
    // An unknown sender's mail shows in the queue until someone has seen it; it can be
    // neither approved nor corrected into a change.
    let q = qid(&stranger).expect("unknown senders show in the queue");
    assert!(!env.run(&["queue", "approve", &q]).status.success());
    assert!(!env.run(&["queue", "correct", &q, "--change", "+5", "--product", "SPB"]).status.success());
    env.ok(&["queue", "reject", &q, "--note", "not a customer"]);
    assert!(qid(&stranger).is_none(), "seen: out of the queue");
    let d = env.message(&stranger);
    assert_eq!(d["message"]["state"], "rejected");
    assert!(d["message"]["reason"].as_str().unwrap().contains("not a customer"));
    assert_eq!(env.quantity("S-FLEX"), 8);
}
