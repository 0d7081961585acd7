//! The command line's contract: bad input gets a clear message and a non-zero exit, never a
//! panic; `parse --json` keeps its schema.

use crate::support::{Env, BIN, REPO};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_no_panic(out: &std::process::Output) {
    assert!(!stderr(out).contains("panicked"), "panic: {}", stderr(out));
}

#[test]
fn bad_config_names_the_key() {
    let env = Env::bare("[policy]\napproval_threshold = -3\n");
    let out = env.run(&["check-config"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("policy.approval_threshold"), "{}", stderr(&out));

    let env = Env::bare("[policy]\napproval_treshold = 3\n");
    let out = env.run(&["run", "--once"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("approval_treshold"), "{}", stderr(&out));

    // An environment override is checked like the file.
    let env = Env::bare("");
    let out = env.cmd().args(["check-config"]).env("SEATMAIL_TRUST__REQUIRE", "sometimes").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("require"), "{}", stderr(&out));
    assert!(env.ok(&["check-config"]).contains("ok"));

    // Clear-text passwords only to loopback.
    let env = Env::bare("[outbox.smtp]\nhost = \"smtp.example.com\"\ntls = \"none\"\n");
    let out = env.cmd().args(["check-config"]).env("SEATMAIL_OUTBOX__KIND", "smtp").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("outbox.smtp.tls"), "{}", stderr(&out));
    let env = Env::bare("[intake.imap]\nhost = \"127.0.0.1\"\nuser = \"u\"\npassword_env = \"SEATMAIL_TEST_UNSET_PASSWORD\"\n");
    let out = env.cmd().args(["check-config"]).env("SEATMAIL_INTAKE__KIND", "imap").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("intake.imap.password_env"), "{}", stderr(&out));

    let out = std::process::Command::new(BIN).args(["--config", "/nonexistent/seatmail.toml", "run"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("/nonexistent/seatmail.toml"));
    assert_no_panic(&out);
}

#[test]
fn bad_csv_rows_are_reported_by_line_and_nothing_is_imported() {
    let env = Env::bare("");
    let csv = "customer_id,customer_name,language,tenant_domains,subscription_id,product,quantity,assigned,billing,term_start,status\n\
               C1,Contoso,en,contoso.be,S1,SPB,10,3,flexible,2026-01-01,active\n\
               C1,Contoso,xx,contoso.be,S2,SPB,10,3,flexible,2026-01-01,active\n\
               C1,Contoso,en,contoso.be,S3,NOT_A_SKU,10,3,flexible,2026-01-01,active\n\
               C1,Contoso,en,contoso.be,S4,SPB,ten,3,monthly,2026-13-01,active\n";
    std::fs::write(env.path("bad.csv"), csv).unwrap();
    let out = env.run(&["import", "subscriptions", env.path("bad.csv").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for want in ["line 3", "language", "line 4", "NOT_A_SKU", "line 5", "quantity"] {
        assert!(err.contains(want), "`{want}` in: {err}");
    }
    assert!(!err.contains("line 2"), "the good row is not blamed: {err}");
    let subs = env.json(&["subs", "list", "--json"]);
    assert_eq!(subs.as_array().unwrap().len(), 0, "all or nothing");

    std::fs::write(env.path("header.csv"), "id,name\n1,2\n").unwrap();
    let out = env.run(&["import", "contacts", env.path("header.csv").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("header"), "{}", stderr(&out));

    std::fs::write(env.path("contacts.csv"), "customer_id,email,name,role\nC9,a@b.example,A,global_admin\nC9,b@b.example,B,wizard\nC9,nope,C,user_admin\n").unwrap();
    let out = env.run(&["import", "contacts", env.path("contacts.csv").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("line 3: role") && err.contains("wizard"), "{err}");
    assert!(err.contains("line 4: email `nope`"), "{err}");
    // A contact for an unknown customer.
    std::fs::write(env.path("contacts.csv"), "customer_id,email,name,role\nC9,a@b.example,A,global_admin\n").unwrap();
    let out = env.run(&["import", "contacts", env.path("contacts.csv").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("line 2: customer C9 is unknown"), "{}", stderr(&out));
    assert_no_panic(&out);
}

#[test]
fn import_upserts() {
    let env = Env::new();
    let csv = crate::support::default_subscriptions().replace("S-FLEX,SPB,10,7", "S-FLEX,SPB,12,9");
    env.import(&csv, crate::support::DEFAULT_CONTACTS);
    assert_eq!(env.quantity("S-FLEX"), 12);
    let subs = env.json(&["subs", "list", "--customer", "C1", "--json"]);
    let s = subs.as_array().unwrap().iter().find(|s| s["subscription_id"] == "S-FLEX").unwrap();
    assert_eq!((s["assigned"].as_i64(), s["billing"].as_str(), s["status"].as_str()), (Some(9), Some("flexible"), Some("active")));
    assert_eq!(subs.as_array().unwrap().len(), 4);
}

#[test]
fn parse_json_contract_and_unreadable_files() {
    let demo = format!("{REPO}/config/demo/mail/01-add-three.eml");
    let out = std::process::Command::new(BIN).args(["parse", "--json", &demo, "/nonexistent.eml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "an unreadable file fails the command");
    assert!(stderr(&out).contains("/nonexistent.eml"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "the readable file is still printed");
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(sorted, ["file", "from", "items", "language", "message_id", "outcome", "reason"]);
    assert_eq!(v["outcome"], "request");
    assert_eq!(v["items"][0]["delta"], 3);
    assert_eq!(v["items"][0]["target"], serde_json::Value::Null);
    assert_eq!(v["items"][0]["product"], "SPB");
    assert_eq!(v["items"][0]["username"], "an.peeters@contoso.be");
}
