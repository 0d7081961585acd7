//! The cautious mode (`[policy.cautious]`) through the real binary: nothing understood is
//! applied before ops (one click in the dashboard, or `queue approve`) or the customer (the
//! code) confirmed it, and then exactly once; and `/agreement` and `/metrics` count ops'
//! verdicts on seatmail's reading, per language and week.

use chrono::{Datelike, Utc};
use reqwest::StatusCode;

use crate::support::{mail, mail_with, wait_until, Env};
use crate::web::{Site, OPERATOR, OPERATOR_PASSWORD};

const BOTH_FOR_OPS: &str = "[policy.cautious]\nincreases = \"ops\"\ndecreases = \"ops\"\n";

fn ledger_rows(env: &Env) -> usize {
    env.strings("SELECT CAST(id AS TEXT) FROM seat_changes").len()
}

/// A mail's text with its lines joined (answers wrap at 76 columns).
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The ISO week of now, as the page writes it.
fn this_week() -> String {
    let w = Utc::now().iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

#[test]
fn every_understood_change_waits_for_ops_and_is_applied_once_when_approved() {
    let mut site = Site::new(BOTH_FOR_OPS);
    let out = site.env.ok(&["check-config"]);
    assert!(out.contains("cautious mode ([policy.cautious]): increases wait for ops, decreases wait for ops"), "{out}");
    let (more, more_id) = mail("admin@contoso.be", "Three more", "Hello,\n\nPlease add 3 Microsoft 365 Business Premium licences.\n\nAn");
    let (fewer, fewer_id) = mail("admin@contoso.be", "Two fewer", "Hello,\n\nPlease remove 2 Microsoft 365 Business Premium licences.\n\nAn");
    site.env.deliver(&more);
    site.env.deliver(&fewer);
    site.env.run_once();
    // Understood, allowed by the rules, and not applied: both wait for ops.
    for (id, new) in [(&more_id, 13), (&fewer_id, 8)] {
        let d = site.env.message(id);
        assert_eq!(d["message"]["state"], "awaiting_approval", "{d:#}");
        assert_eq!((d["items"][0]["status"].as_str(), d["items"][0]["rule"].as_str()), (Some("pending"), Some("cautious_ops")));
        assert_eq!((d["items"][0]["old_quantity"].as_i64(), d["items"][0]["new_quantity"].as_i64()), (Some(10), Some(new)));
    }
    assert_eq!(site.env.quantity("S-FLEX"), 10, "nothing applied");
    assert_eq!(ledger_rows(&site.env), 0, "no seat change in the ledger");
    for id in [&more_id, &fewer_id] {
        let answer = &site.env.answers_to(id)[0];
        assert!(answer.header("Subject").unwrap().contains("awaiting approval"), "{:?}", answer.header("Subject"));
        assert!(flat(&answer.text).contains("a person on our team checks every change of this kind"), "{}", answer.text);
    }

    site.start();
    let c = site.login(OPERATOR, OPERATOR_PASSWORD);
    let queue = site.get(&c, "/");
    assert!(queue.contains("cautious mode: every increase waits for reseller ops"), "the card says why:\n{queue}");
    assert!(queue.contains("cautious mode: every decrease waits for reseller ops"));
    assert!(queue.contains("<code>cautious_ops</code>") && queue.contains("10 → 13"), "and what was understood");

    // One click applies it, once.
    let q = site.queue_id(&more_id).unwrap();
    let r = site.post(&c, &format!("/queue/{q}/approve"), &[("back", "/")]);
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(site.env.quantity("S-FLEX"), 13);
    let d = site.env.message(&more_id);
    assert_eq!(d["message"]["state"], "applied");
    assert_eq!((d["ledger"][0]["rule"].as_str(), d["ledger"][0]["actor"].as_str()), (Some("ops_approved"), Some("ops:olivia")));
    site.post(&c, &format!("/queue/{q}/approve"), &[("back", "/")]);
    let flash = site.get(&c, "/");
    assert!(flash.contains("flash err") && flash.contains("nothing to decide"), "a second click is refused:\n{flash}");
    assert_eq!((site.env.quantity("S-FLEX"), ledger_rows(&site.env)), (13, 1), "applied exactly once");

    // The decrease, from the command line while the daemon runs: on the current 13.
    let q = site.queue_id(&fewer_id).unwrap().to_string();
    site.env.ok(&["queue", "approve", &q, "--as", "ana"]);
    assert!(!site.env.run(&["queue", "approve", &q]).status.success(), "a second approval is refused");
    assert_eq!((site.env.quantity("S-FLEX"), ledger_rows(&site.env)), (11, 2));
    wait_until(60, "the confirmations", || site.env.answers_to(&more_id).len() == 2 && site.env.answers_to(&fewer_id).len() == 2);
}

fn code_of(subject: &str) -> String {
    let start = subject.find("SM-").expect("a code in the subject");
    subject[start..start + 12].to_string()
}

#[test]
fn in_customer_mode_the_admins_code_releases_the_change_and_other_kinds_act() {
    let env = Env::with_config("[policy.cautious]\nincreases = \"customer\"\n");
    assert!(env.ok(&["check-config"]).contains("increases wait for the customer's code, decreases act"));
    let (raw, id) = mail("admin@contoso.be", "Two more", "Please add 2 Microsoft 365 Business Premium licences.\n");
    env.deliver(&raw);
    env.run_once();
    let d = env.message(&id);
    assert_eq!((d["message"]["state"].as_str(), d["items"][0]["rule"].as_str()), (Some("awaiting_approval"), Some("cautious_customer")));
    let ask = &env.answers_to(&id)[0];
    let subject = ask.header("Subject").unwrap();
    let code = code_of(&subject);
    assert!(ask.text.contains(&code) && flat(&ask.text).contains("we ask for a confirmation of every change of this kind"), "{}", ask.text);
    // Another pass changes nothing: it waits.
    env.run_once();
    assert_eq!((env.quantity("S-FLEX"), ledger_rows(&env)), (10, 0), "nothing before the code");

    // Decreases are not cautious here: applied at once.
    let (raw, fewer) = mail("admin@contoso.be", "One fewer", "Please remove 1 Microsoft 365 Business Premium licence.\n");
    env.deliver(&raw);
    env.run_once();
    assert_eq!(env.message(&fewer)["message"]["state"], "applied");
    assert_eq!(env.quantity("S-FLEX"), 9);

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
    assert_eq!((d["ledger"][0]["rule"].as_str(), d["ledger"][0]["actor"].as_str()), (Some("customer_confirmed"), Some("admin@contoso.be")));
    assert_eq!((env.quantity("S-FLEX"), ledger_rows(&env)), (11, 2), "9 + 2, once");
    // The code again: used, nothing twice.
    let (raw, again) = mail("admin@contoso.be", &format!("Re: {subject}"), "Confirm again.\n");
    env.deliver(&raw);
    env.run_once();
    assert_eq!(env.message(&again)["message"]["state"], "rejected");
    assert_eq!((env.quantity("S-FLEX"), ledger_rows(&env)), (11, 2));
}

/// `seatmail_ops_verdicts_total{verdict=...,language=...}` in a `/metrics` text.
fn verdicts(metrics: &str, verdict: &str, language: &str) -> i64 {
    let line = format!("seatmail_ops_verdicts_total{{verdict=\"{verdict}\",language=\"{language}\"}} ");
    let found = metrics.lines().find_map(|l| l.strip_prefix(&line));
    found.unwrap_or_else(|| panic!("no {line} in:\n{metrics}")).trim().parse().unwrap()
}

/// A row of a table of `/agreement`: approved, corrected, rejected.
fn row(page: &str, section: &str, label: &str) -> [i64; 3] {
    let table = &page[page.find(&format!("id=\"{section}\"")).unwrap_or_else(|| panic!("no {section} in:\n{page}"))..];
    let table = &table[..table.find("</section>").unwrap()];
    let re = regex::Regex::new(&format!(
        r#"data-label="{}"><td>[^<]*</td><td class="num approved">(\d+)</td><td class="num corrected">(\d+)</td><td class="num rejected">(\d+)</td>"#,
        regex::escape(label)
    ))
    .unwrap();
    let c = re.captures(table).unwrap_or_else(|| panic!("no row {label} in {section}:\n{table}"));
    [1, 2, 3].map(|i| c[i].parse().unwrap())
}

#[test]
fn the_agreement_figures_count_ops_verdicts_on_what_seatmail_understood() {
    let mut site = Site::new(BOTH_FOR_OPS);
    let fr = |subject: &str, body: &str| {
        let (raw, id) = mail("Marie Admin <admin@fabrikam.fr>", subject, &format!("Bonjour,\n\n{body}\n\nCordialement,\nMarie"));
        site.env.deliver(&raw);
        id
    };
    let approved = fr("Licences supplémentaires", "Pourriez-vous ajouter 2 licences Microsoft 365 Business Basic ?");
    let corrected = fr("Nouvelles licences", "Merci d'ajouter 3 licences Microsoft 365 Business Basic pour nos nouveaux collègues.");
    let rejected = fr("Moins de licences", "Merci de retirer 1 licence Microsoft 365 Business Basic.");
    let (raw, english) = mail("admin@contoso.be", "One more", "Hello,\n\nPlease add 1 Microsoft 365 Business Premium licence.\n\nAn");
    site.env.deliver(&raw);
    // Not understood: needs review; correcting it judges no reading of seatmail's.
    let (raw, unclear) = mail("admin@contoso.be", "Licences", "Hello,\n\nPlease change the licences for the people who left.\n");
    site.env.deliver(&raw);
    site.env.run_once();
    for id in [&approved, &corrected, &rejected, &english] {
        let d = site.env.message(id);
        assert_eq!((d["message"]["state"].as_str(), d["items"][0]["rule"].as_str()), (Some("awaiting_approval"), Some("cautious_ops")), "{d:#}");
    }
    assert_eq!(site.env.message(&approved)["message"]["language"], "fr");
    assert_eq!(site.env.message(&unclear)["message"]["state"], "needs_review");

    site.start();
    let c = site.login(OPERATOR, OPERATOR_PASSWORD);
    let empty = site.get(&c, "/agreement");
    assert!(empty.contains("No decision on a held request yet") && empty.contains("increases wait for ops, decreases wait for ops"), "{empty}");
    let post = |id: &str, action: &str, fields: &[(&str, &str)]| {
        let q = site.queue_id(id).unwrap();
        let r = site.post(&c, &format!("/queue/{q}/{action}"), fields);
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{action} {id}");
    };
    post(&approved, "approve", &[]);
    post(&english, "approve", &[]);
    post(&rejected, "reject", &[("note", "Contract ends next month")]);
    post(&unclear, "correct", &[("product.0", "SPB"), ("change.0", "-1")]);
    assert_eq!(site.env.message(&unclear)["decisions"][0]["action"], "corrected");
    // Read as +3, meant +4: the correction is applied at once (a person read it), and counted
    // as a correction, once.
    post(&corrected, "correct", &[("product.0", "O365_BUSINESS_ESSENTIALS"), ("change.0", "+4"), ("note", "four, said on the phone")]);
    assert_eq!(site.env.message(&corrected)["message"]["state"], "applied");
    assert_eq!(site.env.quantity("F-BASIC"), 290 + 2 + 4, "approved +2 and corrected +4; the rejected -1 not");
    assert_eq!(site.env.quantity("S-FLEX"), 10, "+1 approved, -1 corrected from review");

    let page = site.get(&c, "/agreement");
    assert_eq!(row(&page, "agreement-languages", "fr"), [1, 1, 1], "{page}");
    assert_eq!(row(&page, "agreement-languages", "en"), [1, 0, 0]);
    assert_eq!(row(&page, "agreement-all", "all"), [2, 1, 1], "the mail that needed review is not counted");
    assert!(page.contains("50%"), "2 of 4 approved unchanged");
    assert_eq!(row(&page, "agreement-kinds", "increase"), [2, 1, 0], "+2, +1 approved; +3 corrected");
    assert_eq!(row(&page, "agreement-kinds", "decrease"), [0, 0, 1]);
    let week = this_week();
    assert_eq!(row(&page, "agreement-weeks", &week), [2, 1, 1], "this week");
    assert!(site.get(&c, "/").contains("href=\"/agreement\""), "in the navigation");

    let metrics = site.get(&c, "/metrics");
    assert_eq!(
        [verdicts(&metrics, "approved", "fr"), verdicts(&metrics, "corrected", "fr"), verdicts(&metrics, "rejected", "fr")],
        [1, 1, 1],
        "{metrics}"
    );
    assert_eq!([verdicts(&metrics, "approved", "en"), verdicts(&metrics, "corrected", "en"), verdicts(&metrics, "rejected", "en")], [1, 0, 0]);
    assert_eq!(verdicts(&metrics, "approved", "de"), 0, "every language has its series");
    let by_kind = |verdict: &str, kind: &str| {
        let line = format!("seatmail_ops_verdicts_by_kind_total{{verdict=\"{verdict}\",kind=\"{kind}\"}} ");
        metrics.lines().find_map(|l| l.strip_prefix(&line)).unwrap_or_else(|| panic!("no {line}")).trim().parse::<i64>().unwrap()
    };
    assert_eq!([by_kind("approved", "increase"), by_kind("corrected", "increase"), by_kind("rejected", "decrease")], [2, 1, 1]);
    assert_eq!(by_kind("rejected", "increase"), 0);
    // Behind the login, like every page.
    let anonymous = crate::web::client().get(site.url("/agreement")).send().unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
}
