//! Crash at any instant with a vendor in the loop: the real daemon, fed requests that each add
//! one seat, against the Partner Center simulator injecting 429s, 5xx, hangs, lost answers and
//! 202s, killed with SIGKILL at random moments and aborted at the failpoints around the vendor
//! call (before the read, before the change, after the vendor accepted it) and before the commit
//! of a mail, restarted each time. At the end every request is applied
//! once in the store and once at the vendor — no change applied twice, none sent on top of one
//! the vendor held, none lost — and answered once, after its change was confirmed.
//!
//! `SEATMAIL_SOAK_VENDOR_KILLS=300 SEATMAIL_SOAK_VENDOR_REQUESTS=600` make it a long soak.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::Rng;

use crate::chaos::soak;
use crate::support::partner_center::Fault;
use crate::support::wait_logged;
use crate::vendor::{ask, vid, Vendor};

const VARS: &[(&str, &str)] = &[
    ("SEATMAIL_ANSWERS__MAX_PER_CORRESPONDENT_PER_DAY", "1000000"),
    ("SEATMAIL_POLICY__MAX_SEATS_PER_DAY", "1000000"),
    ("SEATMAIL_OUTBOX__RETRY_BASE_SECS", "1"),
    // Short calls, so that a job a killed daemon held is taken over within seconds (lease: 4 s).
    ("SEATMAIL_VENDOR__TIMEOUT_SECS", "1"),
    ("SEATMAIL_VENDOR__MAX_ATTEMPTS", "1000"),
    // The faults the kills leave queued fall on whichever job comes next: its backoff stays
    // within what a test waits for.
    ("SEATMAIL_VENDOR__RETRY_MAX_SECS", "8"),
];

/// Around the vendor call, and the mail's own commit. (A kill after an answer's send is the
/// outbox's own chaos test; its 120-second lease would only slow this one down.)
const FAILPOINTS: &[&str] = &["vendor_after_change", "vendor_before_change", "vendor_before_read", "before_commit"];

#[derive(Debug, Default)]
struct Figures {
    requests: usize,
    random_kills: usize,
    failpoint_aborts: BTreeMap<&'static str, usize>,
    faults_injected: usize,
    patches: usize,
    changes_at_the_vendor: usize,
    answers: usize,
    /// Time spent killing, and then for the last run to finish the work.
    kill_seconds: u64,
    final_seconds: u64,
}

fn fault(rng: &mut impl Rng) -> Fault {
    match rng.gen_range(0..5) {
        0 => Fault::Throttle(1),
        1 => Fault::Status(503),
        2 => Fault::Hang(Duration::from_secs(2)),
        3 => Fault::LoseAnswer(Duration::from_secs(2)),
        _ => Fault::Accept(1),
    }
}

#[test]
fn chaos_with_partner_center() {
    let started = Instant::now();
    let kills = soak("SEATMAIL_SOAK_VENDOR_KILLS", 30);
    let requests = soak("SEATMAIL_SOAK_VENDOR_REQUESTS", 60);
    let mut v = Vendor::new();
    v.env.vars = VARS.iter().map(|(k, val)| (k.to_string(), val.to_string())).collect();
    let mut rng = rand::thread_rng();
    let mut figures = Figures { requests, ..Figures::default() };
    let per_cycle = requests.div_ceil(kills).max(1);
    let mut ids: Vec<String> = Vec::new();
    for cycle in 0..kills {
        while ids.len() < requests && ids.len() < (cycle + 1) * per_cycle {
            ids.push(ask(&v.env, "Please add 1 Office 365 E3 licence."));
        }
        if rng.gen_bool(0.5) && v.pc.faults_queued() == 0 {
            v.pc.fault([fault(&mut rng)]);
            figures.faults_injected += 1;
        }
        if cycle % 3 == 2 {
            let fp = FAILPOINTS[(cycle / 3) % FAILPOINTS.len()];
            let spec = format!("{fp}:{}", rng.gen_range(1..=3));
            let mut daemon = v.env.spawn_with(&[("SEATMAIL_FAILPOINT", &spec)]);
            if daemon.aborted_within(12) {
                *figures.failpoint_aborts.entry(fp).or_default() += 1;
            } else {
                daemon.crash();
                figures.random_kills += 1;
            }
        } else {
            let daemon = v.env.spawn();
            std::thread::sleep(Duration::from_millis(rng.gen_range(200..1500)));
            daemon.crash();
            figures.random_kills += 1;
        }
    }
    while ids.len() < requests {
        ids.push(ask(&v.env, "Please add 1 Office 365 E3 licence."));
    }
    figures.kill_seconds = started.elapsed().as_secs();
    // A last, undisturbed run finishes the work.
    let daemon = v.env.spawn();
    wait_logged(300, "every request applied at the vendor and answered", &daemon, || {
        let unsettled = v.env.json(&["vendor", "status", "--json"]).as_array().unwrap().len();
        let pending = v.env.json(&["outbox", "list", "--state", "pending", "--json"]).as_array().unwrap().len();
        v.env.messages().len() == requests && unsettled == 0 && pending == 0
    });
    assert!(daemon.stop().success());
    figures.final_seconds = started.elapsed().as_secs() - figures.kill_seconds;
    check(&v, &ids, &mut figures);
    assert!(figures.random_kills + figures.failpoint_aborts.values().sum::<usize>() >= kills, "{figures:?}");
    assert!(!figures.failpoint_aborts.is_empty(), "failpoints were reached: {figures:?}");
    println!("chaos (Partner Center simulator + Maildir + file outbox): {figures:?}");
}

/// The invariants, whatever the kills and the faults did.
fn check(v: &Vendor, ids: &[String], figures: &mut Figures) {
    let n = ids.len();
    assert_eq!(n, figures.requests, "every request was delivered");
    let messages = v.env.messages();
    assert_eq!(messages.len(), n, "every mail has exactly one record");
    assert!(messages.iter().all(|m| m["state"] == "applied"), "every request applied");
    let jobs = v.jobs();
    assert_eq!(jobs.len(), n, "one job per change");
    assert!(jobs.iter().all(|j| j["state"] == "confirmed"), "every change confirmed by the vendor");
    assert_eq!(v.env.quantity("S-E3"), n as i64, "the store: every change once");
    assert_eq!(v.pc.quantity(&vid("S-E3")), n as i64, "the vendor: every change, none lost");
    let applied = v.pc.applied_per_key();
    assert!(applied.values().all(|c| *c == 1), "no change applied twice at the vendor: {applied:?}");
    assert_eq!(v.pc.repeats_after_applied(), 0, "no change sent on top of one the vendor held");
    let keys: std::collections::BTreeSet<String> = jobs.iter().map(|j| j["idempotency_key"].as_str().unwrap().to_string()).collect();
    assert!(applied.keys().all(|k| keys.contains(k)), "every change at the vendor is one of the jobs");
    figures.patches = v.pc.patches().len();
    figures.changes_at_the_vendor = v.pc.quantity(&vid("S-E3")) as usize;
    for id in ids {
        let answers = v.env.answers_to(id);
        assert_eq!(answers.len(), 1, "one answer to {id}");
        assert!(answers[0].text.contains("Office 365 E3"), "a confirmation: {}", answers[0].text);
        figures.answers += 1;
    }
}
