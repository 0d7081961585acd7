//! Corpora: the labelled request corpus (accuracy) and the broken real-world mail of
//! `../shared/corpora` (robustness: parsed without a panic, and recorded by the daemon).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{Env, BIN, REPO};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else if p.extension().is_some_and(|x| x == "eml" || x == "txt" || x == "msg") {
            out.push(p);
        }
    }
}

/// The shared corpus must be there: a robustness test that quietly finds nothing is no test.
fn shared_corpus() -> Vec<PathBuf> {
    let dir = Path::new(REPO).join("../shared/corpora");
    assert!(dir.is_dir(), "{} is missing: the robustness corpus ships beside the repository", dir.display());
    let mut files = Vec::new();
    files_under(&dir, &mut files);
    files.sort();
    assert!(files.len() >= 100, "expected the ~107 corpus mails, found {}", files.len());
    files
}

#[test]
fn broken_real_world_mail_never_panics_the_parser() {
    let files = shared_corpus();
    let catalog = seatmail::parse::Catalog::builtin();
    let limits = seatmail::parse::Limits::default();
    for f in &files {
        let raw = std::fs::read(f).unwrap();
        let result = seatmail::parse::parse_contained(&raw, &catalog, &limits);
        assert!(result.is_ok(), "{}: {:?}", f.display(), result.err());
    }
    // And the CLI answers for every one of them in one run.
    let out = std::process::Command::new(BIN).arg("parse").arg("--json").args(&files).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), files.len());
}

#[test]
fn broken_real_world_mail_all_ends_in_a_recorded_state() {
    let files = shared_corpus();
    let env = Env::new();
    let mut keys = BTreeSet::new();
    for f in &files {
        let raw = std::fs::read(f).unwrap();
        keys.insert(seatmail::apply::key::message_key("maildir", &raw));
        // Written byte for byte: some of these are not UTF-8.
        let name = format!("corpus.{}", keys.len());
        std::fs::create_dir_all(env.path("mail/new")).unwrap();
        std::fs::write(env.path("mail/new").join(format!("{name}.{}", f.file_name().unwrap().to_string_lossy())), &raw).unwrap();
    }
    env.run_once();
    assert!(env.maildir_files("new").is_empty(), "every mail left the inbox");
    let messages = env.messages();
    assert_eq!(messages.len(), keys.len(), "one record per distinct mail");
    let states: BTreeSet<String> = messages.iter().map(|m| m["state"].as_str().unwrap().to_string()).collect();
    assert!(!states.contains("applied"), "no corpus mail comes from a registered contact: {states:?}");
}

/// Exact agreement on outcome, language and items (as a multiset); `reason` is free text.
fn same(expected: &Value, got: &Value) -> bool {
    let items = |v: &Value| {
        let mut items: Vec<String> = v["items"].as_array().cloned().unwrap_or_default().iter().map(|i| {
            format!("{}|{}|{}|{}", i["username"], i["delta"], i["target"], i["product"])
        }).collect();
        items.sort();
        items
    };
    expected["outcome"] == got["outcome"] && expected["language"] == got["language"] && items(expected) == items(got)
}

/// Agreement of `parse --json` with one labelled corpus: printed per language and outcome,
/// with every disagreement; the percentage returned.
fn agreement(corpus: &str) -> f64 {
    let dir = Path::new(REPO).join("tests/fixtures").join(corpus);
    let expected_text = std::fs::read_to_string(dir.join("expected.jsonl")).unwrap_or_else(|e| panic!("{}/expected.jsonl: {e}", dir.display()));
    let expected: Vec<Value> = expected_text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect();
    let files: Vec<String> = expected.iter().map(|e| dir.join(e["file"].as_str().unwrap()).display().to_string()).collect();
    let out = std::process::Command::new(BIN).arg("parse").arg("--json").args(&files).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: Vec<Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(got.len(), expected.len());

    let mut by_language: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut by_outcome: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut wrong = Vec::new();
    let mut false_requests = 0;
    for (e, g) in expected.iter().zip(&got) {
        let ok = same(e, g);
        let lang = e["language"].as_str().unwrap_or("none").to_string();
        let outcome = e["outcome"].as_str().unwrap_or("?").to_string();
        for (map, k) in [(&mut by_language, lang), (&mut by_outcome, outcome)] {
            let entry = map.entry(k).or_default();
            entry.0 += usize::from(ok);
            entry.1 += 1;
        }
        if !ok {
            if g["outcome"] == "request" && e["outcome"] != "request" {
                false_requests += 1;
            }
            wrong.push(format!("{}\n   expected {}\n   got      {}", e["file"], compact(e), compact(g)));
        }
    }
    let total_ok = expected.len() - wrong.len();
    let pct = |(ok, n): (usize, usize)| 100.0 * ok as f64 / n.max(1) as f64;
    let overall = pct((total_ok, expected.len()));
    println!("{corpus}: parse agreement {total_ok}/{} = {overall:.1}% ({false_requests} non-requests read as requests)", expected.len());
    for (k, v) in by_language.iter().chain(by_outcome.iter()) {
        println!("  {k:<14} {}/{} = {:.1}%", v.0, v.1, pct(*v));
    }
    for w in &wrong {
        println!("WRONG {w}");
    }
    overall
}

#[test]
fn labelled_request_corpus_agreement() {
    let expected = std::fs::read_to_string(Path::new(REPO).join("tests/fixtures/requests/expected.jsonl")).unwrap();
    assert!(expected.lines().count() >= 200, "the corpus has {} mails, the issue asks for 200", expected.lines().count());
    let pct = agreement("requests");
    assert!(pct >= 98.0, "agreement {pct:.1}% is below 98% (run with --nocapture to see the mails)");
}

/// The two corpora written later, independently of the parser. `holdout` was used to find
/// general faults after it was measured; `holdout2` is the one the parser was never tuned on,
/// so its figure is the honest estimate for unseen mail. Floors catch regressions.
#[test]
fn held_out_corpora_agreement() {
    let holdout = agreement("holdout");
    let holdout2 = agreement("holdout2");
    assert!(holdout >= 95.0, "holdout agreement {holdout:.1}% regressed");
    assert!(holdout2 >= 90.0, "holdout2 agreement {holdout2:.1}% regressed");
}

fn compact(v: &Value) -> String {
    format!("{} {} {}", v["outcome"], v["language"], v["items"])
}
