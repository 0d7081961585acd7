//! What reseller ops are told by mail (`[ops] notify`): every kind of queued item and a dead
//! answer reach the ops mailbox once, over Dovecot and the SMTP outbox; the digest comes once a
//! day at its hour (the clock moved with `SEATMAIL_NOW`, a failpoints-only hook); a flood of 500
//! becomes a few notices and one summary. And customers read times in their own time zone.

use std::time::Duration;

use chrono::{TimeZone, Timelike, Utc};

use crate::servers::{in_reply_to, Servers};
use crate::support::smtp::Behaviour;
use crate::support::{mail, wait_logged, wait_until, Answer, Env};

const OPS: &str = "ops@reseller.test";

fn subjects(mails: &[Answer]) -> Vec<String> {
    let mut s: Vec<String> = mails.iter().map(|m| m.header("Subject").unwrap_or_default()).collect();
    s.sort();
    s
}

/// Ops mails in the file outbox (the embedded installation), as (subject, mail).
fn ops_mails(env: &Env) -> Vec<(String, Answer)> {
    env.answers()
        .into_iter()
        .map(|(_, raw)| Answer::parse(&raw))
        .filter(|a| a.header("To").is_some_and(|t| t.contains(OPS)))
        .map(|a| (a.header("Subject").unwrap_or_default(), a))
        .collect()
}

#[test]
fn each_queued_item_and_a_dead_answer_reach_the_ops_mailbox_once() {
    let s = Servers::start();
    let env = s.env(&[
        ("SEATMAIL_OPS__NOTIFY", OPS),
        ("SEATMAIL_OPS__DIGEST", "false"),
        ("SEATMAIL_WEB__PUBLIC_URL", "https://seatmail.reseller.test"),
    ]);
    // Held for approval; its acknowledgement to the billing admin dies (550): two mails about
    // one item, threaded.
    s.submission.set_behaviour(Behaviour::PermFailRcpt { rcpt: "billing@contoso.be".into(), code: 550 });
    let (held, held_id) = mail("billing@contoso.be", "New office", "Please add 25 Microsoft 365 Business Premium licences.\n");
    let (review, review_id) = mail("admin@contoso.be", "Licences", "Hello,\n\nPlease change the licences for the people who left.\n");
    let (flagged, flagged_id) =
        mail("admin@contoso.be", "Licences for them", "Please add 2 Microsoft 365 Business Basic licences.\nUsername: admin@fabrikam.onmicrosoft.com\n");
    let (forged, forged_id) = mail("admin@contoso.be", "Urgent", "Please remove 5 Microsoft 365 Business Premium licences.\n");
    let forged = forged.replace("dmarc=pass", "dmarc=fail");
    for m in [&held, &review, &flagged, &forged] {
        s.send(m);
    }
    let daemon = env.spawn();
    s.imap.wait_for(OPS, "INBOX", 5, Duration::from_secs(90));
    // Every ops mail in the outbox is sent: nothing more can come, so the count is final.
    let unsent = || {
        env.json(&["outbox", "list", "--json"]).as_array().unwrap().iter().any(|r| r["kind"] == "notice" && r["state"] != "sent")
    };
    wait_logged(60, "every notice delivered", &daemon, || !unsent());
    let told: Vec<Answer> = s.answers_for(OPS);
    assert_eq!(told.len(), 5, "one mail per item, none twice: {:#?}", subjects(&told));
    assert_eq!(told.len(), told.iter().map(|m| m.header("Message-ID")).collect::<std::collections::BTreeSet<_>>().len());
    let find = |title: &str| -> &Answer {
        told.iter().find(|m| m.header("Subject").unwrap_or_default().starts_with(&format!("[seatmail] {title}:"))).unwrap_or_else(|| {
            panic!("no `{title}` notice in {:#?}", subjects(&told))
        })
    };
    let link = |id: &str| format!("https://seatmail.reseller.test/messages/{}", env.message(id)["message"]["key"].as_str().unwrap());
    for (title, id) in [("Held for approval", &held_id), ("Needs review", &review_id), ("Flagged", &flagged_id), ("Not authenticated", &forged_id)] {
        let m = find(title);
        assert!(m.text.contains(&link(id)), "{title}: a link to its page:\n{}", m.text);
        assert_eq!(m.header("Auto-Submitted").as_deref(), Some("auto-generated"), "{title}");
        assert!(m.header("Message-ID").unwrap().ends_with(".seatmail@reseller.example>"), "{title}: our own id");
    }
    let held_notice = find("Held for approval");
    assert!(held_notice.text.contains("Contoso NV (C1)") && held_notice.text.contains("+25 Microsoft 365 Business Premium (SPB)"), "{}", held_notice.text);
    let dead = find("Answer not delivered");
    assert!(dead.text.contains("550") && dead.text.contains("https://seatmail.reseller.test/outbox?state=dead"), "{}", dead.text);
    assert!(dead.text.contains(&link(&held_id)), "the dead answer names the mail it answers");
    // Threaded per item: the dead acknowledgement of the held request under its notice.
    let root = held_notice.header("Message-ID").unwrap();
    assert_eq!(dead.header("In-Reply-To"), Some(root.clone()));
    assert_eq!(dead.header("References"), Some(root));
    assert!(find("Flagged").header("In-Reply-To").is_none(), "another item, another thread");
    // Never to a customer: no customer's mailbox holds an ops mail.
    for customer in ["admin@contoso.be", "billing@contoso.be", "admin@fabrikam.fr", "group@holding.example"] {
        assert!(s.answers_for(customer).iter().all(|a| !a.header("Subject").unwrap_or_default().starts_with("[seatmail]")), "{customer}");
    }
    wait_until(60, "the customers' own answers still go", || s.answers_for("admin@contoso.be").iter().any(|a| in_reply_to(a) == flagged_id));
    // A notice that dies is not notified in turn: the ops mailbox refuses, the notice is dead,
    // and nothing more is told.
    s.submission.set_behaviour(Behaviour::PermFailRcpt { rcpt: OPS.into(), code: 550 });
    let (another, _) = mail("admin@contoso.be", "Licences again", "Hello,\n\nPlease change the licences for the people who left.\n");
    s.send(&another);
    let dead_notice = || env.json(&["outbox", "list", "--state", "dead", "--json"]).as_array().unwrap().iter().any(|r| r["kind"] == "notice");
    wait_logged(60, "the refused notice dead", &daemon, dead_notice);
    s.submission.set_behaviour(Behaviour::Accept);
    assert!(daemon.stop().success());
    let mut events = env.strings("SELECT kind FROM ops_events");
    events.sort();
    let mut want = ["dead_answer", "flagged", "held", "review", "review", "unauthenticated"].map(String::from).to_vec();
    want.sort();
    assert_eq!(events, want, "one event per item, none about the dead notice");
}

/// The next full hour in `zone`, at least a few minutes away; as (hour, that instant). Never
/// midnight: ten minutes before a digest hour of 0 is 23:50 of the day before, whose digest
/// (due from 00:00 that day) is rightly sent then, so "not before its hour" could not be asked
/// (the test failed whenever it ran in Kolkata's last hour of the day).
fn next_hour(zone: chrono_tz::Tz) -> (u32, chrono::DateTime<Utc>) {
    let local = Utc::now().with_timezone(&zone) + chrono::Duration::minutes(5);
    let mut top = local.date_naive().and_hms_opt(local.hour(), 0, 0).unwrap() + chrono::Duration::hours(1);
    if top.hour() == 0 {
        top += chrono::Duration::hours(1);
    }
    let at = zone.from_local_datetime(&top).earliest().unwrap().with_timezone(&Utc);
    (top.hour(), at)
}

#[test]
fn the_digest_is_sent_once_a_day_at_its_hour_in_its_time_zone() {
    // Kolkata (UTC+05:30) so that the local hour is not the UTC one.
    let zone = chrono_tz::Asia::Kolkata;
    let (hour, at) = next_hour(zone);
    let env = Env::with_config(&format!(
        "[ops]\nnotify = \"{OPS}\"\ndigest_hour = {hour}\ntime_zone = \"Asia/Kolkata\"\nnotify_on = [\"dead_answer\"]\n"
    ));
    let (raw, _) = mail("admin@contoso.be", "Three more", "Please add 3 Microsoft 365 Business Premium licences.\n");
    env.deliver(&raw);
    let (raw, _) = mail("admin@contoso.be", "Many more", "Please add 25 Microsoft 365 Business Premium licences.\n");
    env.deliver(&raw);
    let now = |t: chrono::DateTime<Utc>| t.to_rfc3339();
    let once_at = |t: chrono::DateTime<Utc>| env.cmd().args(["run", "--once"]).env("SEATMAIL_NOW", now(t)).output().unwrap();
    let digests = || ops_mails(&env).into_iter().filter(|(s, _)| s.starts_with("[seatmail] Digest")).collect::<Vec<_>>();

    assert!(once_at(at - chrono::Duration::minutes(10)).status.success());
    assert!(digests().is_empty(), "not before its hour");
    assert!(ops_mails(&env).is_empty(), "the held request is not notified: only dead answers were asked for");
    // The daemon, its clock three seconds before the hour: the digest comes when the hour strikes.
    let daemon = env.spawn_with(&[("SEATMAIL_NOW", &now(at - chrono::Duration::seconds(3)))]);
    wait_logged(60, "the digest", &daemon, || !digests().is_empty());
    assert!(daemon.stop().success());
    let (subject, d) = digests().remove(0);
    let day = at.with_timezone(&zone).format("%A %-d %B %Y").to_string();
    assert!(subject.starts_with(&format!("[seatmail] Digest for {day}: 1 waiting, 1 seat change")), "{subject}");
    assert!(d.text.contains("Many more") && d.text.contains("1 held, 0 to review, 0 to look at"), "what waits:\n{}", d.text);
    assert!(d.text.contains("Contoso NV (C1)") && d.text.contains("Microsoft 365 Business Premium (SPB) S-FLEX: 10 → 13, by admin@contoso.be"), "{}", d.text);
    assert!(d.text.contains(" IST"), "times in the ops time zone:\n{}", d.text);
    // Once a day: later that day nothing more; the next day at the hour, the next one.
    assert!(once_at(at + chrono::Duration::minutes(30)).status.success());
    assert_eq!(digests().len(), 1);
    assert!(once_at(at + chrono::Duration::hours(24) - chrono::Duration::minutes(1)).status.success());
    assert_eq!(digests().len(), 1);
    assert!(once_at(at + chrono::Duration::hours(24) + chrono::Duration::seconds(1)).status.success());
    assert_eq!(digests().len(), 2);
    assert_eq!(env.strings("SELECT day FROM ops_digests").len(), 2);
}

#[test]
fn a_flood_of_500_queued_mails_is_a_few_notices_and_one_summary() {
    let env = Env::with_config(&format!("[ops]\nnotify = \"{OPS}\"\nmax_notices_per_window = 10\ndigest = false\n"));
    for n in 0..500 {
        let (raw, _) = mail(&format!("stranger{n}@spam.example"), "Licences", "Please add 4 licences.\n");
        env.deliver(&raw);
    }
    // A window is an hour, on the hour: the flood at 10:01, the summary after 11:00.
    let at = |t: &str| env.cmd().args(["run", "--once"]).env("SEATMAIL_NOW", t).output().unwrap();
    assert!(at("2031-03-04T10:01:00Z").status.success());
    assert_eq!(env.messages().len(), 500);
    let mails = ops_mails(&env);
    assert_eq!(mails.len(), 10, "ten notices in the window, then silence");
    assert!(mails.iter().all(|(s, _)| s.starts_with("[seatmail] Unknown sender:")));
    assert_eq!(mails.iter().filter(|(_, m)| m.text.contains("This is the last notice of this window")).count(), 1);
    assert!(at("2031-03-04T10:40:00Z").status.success());
    assert_eq!(ops_mails(&env).len(), 10, "still the same window");
    assert!(at("2031-03-04T11:00:30Z").status.success());
    let mails = ops_mails(&env);
    let summaries: Vec<&(String, Answer)> = mails.iter().filter(|(s, _)| s.starts_with("[seatmail] Summary")).collect();
    assert_eq!((mails.len(), summaries.len()), (11, 1), "one summary, not 490 notices");
    let (subject, summary) = summaries[0];
    assert!(subject.contains("490 more items"), "{subject}");
    assert_eq!(summary.text.matches("/messages/").count(), 490, "each listed with its link");
    assert!(at("2031-03-04T12:30:00Z").status.success());
    assert_eq!(ops_mails(&env).len(), 11, "told once");
}

#[test]
fn answers_give_times_in_the_customers_time_zone() {
    let env = Env::with_vars(&[("SEATMAIL_ANSWERS__TIME_ZONE", "America/New_York")]);
    // Contoso in Brussels (its own zone, the optional last column), Fabrikam on the default.
    let with_zones = |c1: &str, c2: &str| -> String {
        let lines: Vec<String> = crate::support::default_subscriptions()
            .lines()
            .map(|l| match &l[..3] {
                "C1," => format!("{l},{c1}"),
                "C2," => format!("{l},{c2}"),
                _ => format!("{l},time_zone"),
            })
            .collect();
        lines.join("\n") + "\n"
    };
    std::fs::write(env.path("tz.csv"), with_zones("Europe/Brussels", "")).unwrap();
    env.ok(&["import", "subscriptions", env.path("tz.csv").to_str().unwrap()]);
    let sent = Utc.with_ymd_and_hms(2026, 11, 24, 8, 10, 0).unwrap();
    let dated = |from: &str, body: &str| {
        let (raw, id) = mail(from, "Licences", body);
        let raw = regex::Regex::new(r"Date: [^\r]*").unwrap().replace(&raw, format!("Date: {}", sent.to_rfc2822())).into_owned();
        env.deliver(&raw);
        id
    };
    let contoso = dated("admin@contoso.be", "Please add 1 Microsoft 365 Business Premium licence.\n");
    let fabrikam = dated("admin@fabrikam.fr", "Merci d'ajouter 1 licence Microsoft 365 Business Basic.\n");
    env.run_once();
    let text = |id: &str| env.answers_to(id).remove(0).text;
    // (The time and its zone are kept together by a no-break space.)
    assert!(text(&contoso).contains("24 November 2026 at 09:10\u{a0}CET"), "Brussels:\n{}", text(&contoso));
    assert!(text(&fabrikam).contains("03:10\u{a0}EST"), "the default zone:\n{}", text(&fabrikam));
    // A zone that does not exist is a bad row, and nothing is imported.
    std::fs::write(env.path("bad.csv"), with_zones("Europe/Brussels", "Mars/Olympus")).unwrap();
    let out = env.run(&["import", "subscriptions", env.path("bad.csv").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("line 6: time_zone `Mars/Olympus`"), "{err}");
}
