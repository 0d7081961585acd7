//! Only the right people change seats: the spoofing fixtures, loop guards, the per-sender
//! answer cap and the confirmation-code flow, through the real binary.

use std::path::Path;

use serde_json::Value;

use crate::support::{mail, mail_with, Env, REPO};

#[test]
fn spoofing_fixtures_change_nothing_and_answer_only_real_contacts() {
    let env = Env::new();
    let dir = Path::new(REPO).join("tests/fixtures/spoof");
    let expected: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    assert!(expected.len() >= 10);
    for file in expected.keys() {
        env.deliver(&std::fs::read_to_string(dir.join(file)).unwrap());
    }
    let before: Vec<i64> = ["S-FLEX", "S-ANN", "F-BASIC"].iter().map(|s| env.quantity(s)).collect();
    env.run_once();
    for (file, want) in &expected {
        let id = want["message_id"].as_str().unwrap();
        let d = env.message(id);
        assert_eq!(d["message"]["state"], want["state"], "{file}: {d:#}");
        let reason = d["message"]["reason"].as_str().unwrap();
        assert!(reason.contains(want["reason_contains"].as_str().unwrap()), "{file}: reason `{reason}`");
        assert_eq!(d["ledger"].as_array().unwrap().len(), 0, "{file}: no seat change");
        let answers = env.answers_to(id);
        if want["answered"].as_bool().unwrap() {
            assert_eq!(answers.len(), 1, "{file}: one answer");
            // Never to a Reply-To or an unregistered address.
            let to = answers[0].header("To").unwrap_or_default();
            let from = d["message"]["from"].as_str().unwrap();
            assert_eq!(to, from, "{file}");
        } else {
            assert!(answers.is_empty(), "{file}: a forged or unknown sender is never answered");
        }
    }
    let after: Vec<i64> = ["S-FLEX", "S-ANN", "F-BASIC"].iter().map(|s| env.quantity(s)).collect();
    assert_eq!(before, after);
    // The flagged cross-customer attempt is visible as such.
    let flagged = env.messages().into_iter().filter(|m| m["reason"].as_str().unwrap().starts_with("FLAGGED")).count();
    assert_eq!(flagged, 1);
}

fn auto_reply(from: &str, n: usize, in_reply_to: &str) -> (String, String) {
    mail_with(
        from,
        &format!("Automatic reply: Your licences have been adapted ({n})"),
        "I am out of the office until Monday. I will add 3 licences when I am back.\n",
        &format!("Auto-Submitted: auto-replied\r\nIn-Reply-To: <{in_reply_to}>\r\n"),
    )
}

#[test]
fn auto_reply_storms_and_bounces_of_our_own_mail_are_never_answered() {
    let env = Env::new();
    let (raw, id) = mail("admin@contoso.be", "Licences", "Please add 1 Microsoft 365 Business Premium licence.\n");
    env.deliver(&raw);
    env.run_once();
    let ours = env.answers_to(&id);
    assert_eq!(ours.len(), 1);
    let our_id = ours[0].header("Message-ID").unwrap();
    let our_id = our_id.trim_matches(['<', '>']);
    let before = env.answers().len();

    for n in 0..25 {
        let (raw, _) = auto_reply("admin@contoso.be", n, our_id);
        env.deliver(&raw);
    }
    // Our own confirmation, bounced by the admin's server (the returned copy is a request!).
    let (original, _) = mail("webservices@reseller.example", "Your licences have been adapted", "Please add 3 licences.\n");
    let bounce = format!(
        "Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.contoso.be>\r\nTo: webservices@reseller.example\r\n\
         Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce1@mx.contoso.be>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0100\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n\
         --b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.contoso.be\r\n\r\nFinal-Recipient: rfc822; admin@contoso.be\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
         --b\r\nContent-Type: message/rfc822\r\n\r\n{original}\r\n--b--\r\n"
    );
    env.deliver(&bounce);
    // Our own answer coming straight back (a forwarding loop).
    let (_, ours_raw) = env.answers().into_iter().next().unwrap();
    env.deliver(&ours_raw);
    env.run_once();

    assert_eq!(env.answers().len(), before, "not one more answer");
    let states: Vec<String> = env.messages().iter().map(|m| m["state"].as_str().unwrap().to_string()).collect();
    assert_eq!(states.iter().filter(|s| *s == "ignored").count(), 27, "{states:?}");
    assert_eq!(env.quantity("S-FLEX"), 11, "only the real request changed seats");
}

#[test]
fn at_most_n_answers_per_correspondent_per_day() {
    let env = Env::with_vars(&[("SEATMAIL_ANSWERS__MAX_PER_CORRESPONDENT_PER_DAY", "3")]);
    for team in ["sales", "support", "finance", "legal", "hr"] {
        let (raw, _) = mail("admin@contoso.be", &format!("Licence for {team}"), "Please add 1 Microsoft 365 Business Premium licence.\n");
        env.deliver(&raw);
    }
    env.run_once();
    assert_eq!(env.quantity("S-FLEX"), 15, "all five are applied");
    let to_admin = env.answers().iter().filter(|(_, a)| a.contains("To: admin@contoso.be")).count();
    assert_eq!(to_admin, 3, "but only three answered");
    let unanswered = env.messages().iter().filter(|m| m["reason"].as_str().unwrap().contains("not answered")).count();
    assert_eq!(unanswered, 2);
}

fn code_of(subject: &str) -> String {
    let start = subject.find("SM-").expect("a code in the subject");
    subject[start..start + 12].to_string()
}

#[test]
fn decreases_wait_for_the_admins_confirmation_code() {
    let env = Env::with_config("[policy]\nconfirm_default = \"decreases\"\n");
    let (raw, id) = mail("admin@contoso.be", "Fewer licences", "Please remove 2 Microsoft 365 Business Premium licences.\n");
    env.deliver(&raw);
    env.run_once();
    let d = env.message(&id);
    assert_eq!(d["message"]["state"], "awaiting_approval");
    assert_eq!(d["items"][0]["rule"], "confirmation_required");
    assert_eq!(env.quantity("S-FLEX"), 10, "nothing before the confirmation");
    let ask = &env.answers_to(&id)[0];
    let subject = ask.header("Subject").unwrap();
    let code = code_of(&subject);
    assert!(ask.text.contains(&code));

    // Increases need no code.
    let (raw, inc) = mail("admin@contoso.be", "More", "Please add 1 Microsoft 365 Business Premium licence.\n");
    env.deliver(&raw);
    env.run_once();
    assert_eq!(env.message(&inc)["message"]["state"], "applied");
    assert_eq!(env.quantity("S-FLEX"), 11);

    // Someone else's mail with the code does nothing.
    let (raw, stranger) = mail("intern@contoso.be", &format!("Re: {subject}"), "Confirmed.\n");
    env.deliver(&raw);
    env.run_once();
    assert_eq!(env.message(&stranger)["message"]["state"], "rejected");
    assert_eq!(env.quantity("S-FLEX"), 11);

    // The admin confirms by replying.
    let (raw, reply) = mail_with(
        "admin@contoso.be",
        &format!("Re: {subject}"),
        "Yes, go ahead.\n",
        &format!("In-Reply-To: {}\r\n", ask.header("Message-ID").unwrap()),
    );
    env.deliver(&raw);
    env.run_once();
    assert_eq!(env.message(&reply)["message"]["state"], "applied");
    let d = env.message(&id);
    assert_eq!(d["message"]["state"], "applied");
    assert_eq!(d["ledger"][0]["rule"], "customer_confirmed");
    assert_eq!(d["ledger"][0]["actor"], "admin@contoso.be");
    assert_eq!(env.quantity("S-FLEX"), 9, "11 - 2");
    assert_eq!(env.answers_to(&reply).len(), 1, "the confirmation");

    // The same code again: single use.
    let (raw, again) = mail("admin@contoso.be", &format!("Re: {subject}"), "Confirm again.\n");
    env.deliver(&raw);
    env.run_once();
    let d = env.message(&again);
    assert_eq!(d["message"]["state"], "rejected");
    assert!(d["message"]["reason"].as_str().unwrap().contains("used already"), "{d:#}");
    assert_eq!(env.quantity("S-FLEX"), 9);
    assert_eq!(env.answers_to(&again).len(), 1);

    // An expired code.
    let (raw, second) = mail("admin@contoso.be", "Fewer", "Please remove 1 Microsoft 365 Business Premium licence.\n");
    env.deliver(&raw);
    env.run_once();
    let code2 = code_of(&env.answers_to(&second)[0].header("Subject").unwrap());
    env.expire_confirmations();
    let (raw, late) = mail("admin@contoso.be", &format!("Confirm [{code2}]"), "Go.\n");
    env.deliver(&raw);
    env.run_once();
    let d = env.message(&late);
    assert_eq!(d["message"]["state"], "rejected");
    assert!(d["message"]["reason"].as_str().unwrap().contains("expired"), "{d:#}");
    assert_eq!(env.quantity("S-FLEX"), 9);
    assert_eq!(env.message(&second)["message"]["state"], "awaiting_approval");
}

/// The daily limit counts seats changed by confirmation codes too: confirming one held change
/// after another never takes a customer past `policy.max_seats_per_day` (the change over it
/// waits for ops, like any other change over the limit).
#[test]
fn confirmation_codes_do_not_bypass_the_daily_limit() {
    let env = Env::with_config("[policy]\nconfirm_default = \"all\"\nmax_seats_per_day = 5\n");
    let mut held = Vec::new();
    for subject in ["Three more", "Three more again"] {
        let (raw, id) = mail("admin@contoso.be", subject, "Please add 3 Microsoft 365 Business Premium licences.\n");
        env.deliver(&raw);
        env.run_once();
        let d = env.message(&id);
        assert_eq!(d["items"][0]["rule"], "confirmation_required", "{d:#}");
        held.push((id.clone(), code_of(&env.answers_to(&id)[0].header("Subject").unwrap())));
    }
    let confirm = |code: &str| {
        let (raw, id) = mail("admin@contoso.be", &format!("Confirm [{code}]"), "Yes.\n");
        env.deliver(&raw);
        env.run_once();
        id
    };
    confirm(&held[0].1);
    assert_eq!(env.quantity("S-FLEX"), 13, "3 of the day's 5 seats");
    confirm(&held[1].1);
    let d = env.message(&held[1].0);
    assert_eq!(env.quantity("S-FLEX"), 13, "3 more would make 6 seats in a day: {d:#}");
    assert_eq!(d["message"]["state"], "awaiting_approval", "{d:#}");
    assert_eq!(d["items"][0]["rule"], "daily_limit", "{d:#}");
    // Ops may still let it through.
    let qid = env.json(&["queue", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["key"] == d["message"]["key"])
        .expect("the change over the limit waits in the queue")["id"]
        .to_string();
    env.ok(&["queue", "approve", &qid, "--as", "olivia"]);
    assert_eq!(env.quantity("S-FLEX"), 16);
}

/// A confirmation code that fails authentication is shown to ops like any unauthenticated
/// mail (perhaps a forgery), and can be dismissed there.
#[test]
fn an_unauthenticated_confirmation_code_reaches_the_queue() {
    let env = Env::new();
    let unauthenticated = |raw: String| raw.replace("dmarc=pass", "dmarc=fail");
    let (request, request_id) = mail("admin@contoso.be", "More", "Please add 1 Microsoft 365 Business Premium licence.\n");
    env.deliver(&unauthenticated(request));
    let (code, code_id) = mail("admin@contoso.be", "Confirm [SM-ABCD-EFGH]", "Yes.\n");
    env.deliver(&unauthenticated(code));
    env.run_once();
    let queue = env.json(&["queue", "list", "--json"]);
    for id in [&request_id, &code_id] {
        let d = env.message(id);
        assert_eq!(d["message"]["state"], "rejected", "{d:#}");
        assert!(env.answers_to(id).is_empty(), "no answer to an unauthenticated mail");
        let entry = queue.as_array().unwrap().iter().find(|q| q["key"] == d["message"]["key"]);
        assert!(entry.is_some(), "{id} is in the queue: {queue:#}");
    }
    let code_key = env.message(&code_id)["message"]["key"].clone();
    let qid = queue.as_array().unwrap().iter().find(|q| q["key"] == code_key).unwrap()["id"].to_string();
    env.ok(&["queue", "reject", &qid, "--as", "olivia"]);
    let queue = env.json(&["queue", "list", "--json"]);
    assert!(!queue.as_array().unwrap().iter().any(|q| q["key"] == code_key), "seen: out of the queue");
    assert_eq!(env.quantity("S-FLEX"), 10);
}
