//! Throughput, measured (not asserted): `cargo bench`.
//!
//! - parse: every labelled corpus mail through `parse`, repeatedly, in messages per second;
//! - pipeline: N requests through the real binary on the embedded default (Maildir, SQLite,
//!   file outbox) with `run --once`: recorded, applied, answered, in messages per second.
//!
//! Under `cargo test` (no `--bench` argument) it does one small round of each, so the bench
//! keeps compiling and working without slowing the test suite.

use std::path::{Path, PathBuf};
use std::time::Instant;

fn corpus_files() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for dir in ["requests", "holdout", "holdout2"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect();
        files.sort();
        out.extend(files.iter().map(|f| std::fs::read(f).expect("read corpus mail")));
    }
    assert!(!out.is_empty(), "no corpus under {}", root.display());
    out
}

fn bench_parse(rounds: usize) {
    let mails = corpus_files();
    let catalog = seatmail::parse::Catalog::builtin();
    let limits = seatmail::parse::Limits::default();
    let bytes: usize = mails.iter().map(Vec::len).sum();
    let start = Instant::now();
    let mut requests = 0usize;
    for _ in 0..rounds {
        for m in &mails {
            let p = seatmail::parse::parse(m, &catalog, &limits);
            requests += usize::from(p.outcome == seatmail::parse::Outcome::Request);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = mails.len() * rounds;
    println!(
        "parse: {n} mails ({} distinct, {:.1} KiB average) in {secs:.2} s = {:.0} mails/s, {:.1} MiB/s ({requests} requests)",
        mails.len(),
        bytes as f64 / mails.len() as f64 / 1024.0,
        n as f64 / secs,
        (bytes * rounds) as f64 / secs / 1024.0 / 1024.0
    );
}

fn bench_pipeline(n: usize) {
    let bin = env!("CARGO_BIN_EXE_seatmail");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let config = root.join("seatmail.toml");
    std::fs::write(
        &config,
        format!(
            "[intake.maildir]\npath = \"{m}\"\n[database]\nurl = \"sqlite:{d}\"\n[outbox.file]\ndir = \"{o}\"\n\
             [answers]\ntemplates = \"{t}\"\nmax_per_correspondent_per_day = 1000000\n[trust]\nauthserv_id = \"mx.reseller.example\"\n\
             [policy]\nmax_seats_per_day = 1000000\nmax_per_request = 1000000\n",
            m = root.join("mail").display(),
            d = root.join("db.sqlite").display(),
            o = root.join("outbox").display(),
            t = repo.join("templates").display(),
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(bin).arg("--config").arg(&config).args(args).output().expect("run seatmail");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    std::fs::write(
        root.join("subs.csv"),
        "customer_id,customer_name,language,tenant_domains,subscription_id,product,quantity,assigned,billing,term_start,status\n\
         C1,Contoso NV,en,contoso.be,S1,ENTERPRISEPACK,0,0,flexible,2026-01-01,active\n",
    )
    .unwrap();
    std::fs::write(root.join("contacts.csv"), "customer_id,email,name,role\nC1,admin@contoso.be,An,global_admin\n").unwrap();
    run(&["import", "subscriptions", root.join("subs.csv").to_str().unwrap()]);
    run(&["import", "contacts", root.join("contacts.csv").to_str().unwrap()]);
    let new = root.join("mail/new");
    std::fs::create_dir_all(&new).unwrap();
    for i in 0..n {
        let mail = format!(
            "Authentication-Results: mx.reseller.example; dmarc=pass header.from=contoso.be\r\nFrom: An <admin@contoso.be>\r\n\
             To: webservices@reseller.example\r\nSubject: Licence request\r\nMessage-ID: <bench{i}@contoso.be>\r\n\
             Date: Tue, 24 Nov 2026 09:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             Hello,\r\n\r\nPlease add 1 Office 365 E3 licence.\r\n\r\nKind regards,\r\nAn\r\n+32 2 555 01 23\r\n"
        );
        std::fs::write(new.join(format!("{i}.bench")), mail).unwrap();
    }
    let start = Instant::now();
    run(&["run", "--once"]);
    let secs = start.elapsed().as_secs_f64();
    let answers = std::fs::read_dir(root.join("outbox")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(answers, n, "every request answered");
    println!("pipeline (Maildir + SQLite + file outbox, run --once): {n} requests applied and answered in {secs:.2} s = {:.0} requests/s", n as f64 / secs);
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    if bench {
        bench_parse(20);
        bench_pipeline(2000);
    } else {
        bench_parse(1);
        bench_pipeline(20);
    }
}
