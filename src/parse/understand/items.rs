//! Step 6: the items of the mail. Each candidate change gets its product (from its own words,
//! else its line, paragraph or the mail when those name one) and its account (`whom`); the same
//! change said twice is one item; two different changes for one subscription are a contradiction
//! unless they are separate requests ("+2 for the new people, -1 for the one who leaves").

use std::collections::BTreeSet;

use super::explain::Raw;
use super::sentences::Sentence;
use super::whom::Accounts;
use crate::parse::lexicon::phrases;
use crate::parse::products::Mention;
use crate::parse::{Ask, Change, Item};

/// The different products of a list; a name that fits several ("F3") says nothing more beside
/// the full name of one of them ("Microsoft 365 F3").
fn distinct(ms: impl Iterator<Item = Mention>) -> Vec<Mention> {
    let mut v: Vec<Mention> = Vec::new();
    for m in ms {
        if !v.contains(&m) {
            v.push(m);
        }
    }
    let named: Vec<String> = v.iter().filter_map(Mention::sku).map(str::to_string).collect();
    v.retain(|m| !matches!(m, Mention::Several(skus) if skus.iter().any(|s| named.contains(s))));
    v
}

/// The products a mail names: per kept sentence's paragraph, and in an authored subject.
pub(crate) struct Products {
    /// (paragraph, sentence, product)
    doc: Vec<(usize, usize, Mention)>,
    subject: Vec<Mention>,
    /// Named in the quoted history: only to say which of several a short name means ("three more
    /// of those F3 licences" under our confirmation of Microsoft 365 F3).
    quoted: Vec<Mention>,
}

impl Products {
    pub fn new(body: &[Sentence], kept: &[bool], subject: &[Sentence], quoted: Vec<Mention>) -> Products {
        let mut doc = Vec::new();
        for (si, s) in body.iter().enumerate() {
            if kept.get(si).copied().unwrap_or(false) {
                doc.extend(s.products.iter().cloned().map(|m| (s.para, si, m)));
            }
        }
        Products { doc, subject: subject.iter().flat_map(|s| s.products.iter().cloned()).collect(), quoted }
    }

    /// The product of a change that names none itself: its sentence's, else its paragraph's,
    /// else the mail's, when there is exactly one.
    fn of(&self, r: &Raw, body: &[Sentence], problems: &mut Vec<(Ask, String)>) -> Option<String> {
        let product = match &r.product {
            Some(m) => Some(m.clone()),
            None => {
                let in_sentence = body.get(r.sentence).map(|s| distinct(s.products.iter().cloned())).unwrap_or_default();
                // "Voor de vzw (admin@a…): vijf minder. Voor de bv (admin@b…): één Office 365 E3
                // erbij": a product said for another account named beside it is not this one's.
                let own = r.near_email.and_then(|k| body.get(r.sentence)?.emails.get(k)).map(|e| e.addr.as_str());
                let others = |si: usize| {
                    own.is_some_and(|own| body.get(si).is_some_and(|s| !s.emails.is_empty() && !s.emails.iter().any(|e| e.addr.eq_ignore_ascii_case(own))))
                };
                let doc = || self.doc.iter().filter(|(_, si, _)| !others(*si));
                let in_para = distinct(doc().filter(|(p, _, _)| *p == r.para).map(|(_, _, m)| m.clone()));
                let in_doc = distinct(doc().map(|(_, _, m)| m.clone()).chain(self.subject.iter().cloned()));
                if in_sentence.len() == 1 {
                    in_sentence.into_iter().next()
                } else if in_para.len() == 1 {
                    in_para.into_iter().next()
                } else if in_doc.len() == 1 {
                    in_doc.into_iter().next()
                } else if in_doc.is_empty() {
                    None
                } else {
                    problems.push((Ask::Product, "several products are named and it is not clear which one changes".into()));
                    None
                }
            }
        };
        // "Microsoft 365 Apps" fits two SKUs; when the mail (or its subject) also names one of
        // them in full ("Apps for business"), that more specific name says which.
        let product = match product {
            Some(Mention::Several(skus)) => {
                let specific: BTreeSet<&String> = self
                    .doc
                    .iter()
                    .map(|(_, _, m)| m)
                    .chain(self.subject.iter())
                    .filter_map(|m| match m {
                        Mention::One(sku) if skus.contains(sku) => Some(sku),
                        _ => None,
                    })
                    .collect();
                let in_quote: BTreeSet<&String> = self
                    .quoted
                    .iter()
                    .filter_map(|m| match m {
                        Mention::One(sku) if skus.contains(sku) => Some(sku),
                        _ => None,
                    })
                    .collect();
                let specific = if specific.is_empty() { in_quote } else { specific };
                if specific.len() == 1 {
                    specific.into_iter().next().cloned().map(Mention::One)
                } else {
                    Some(Mention::Several(skus))
                }
            }
            other => other,
        };
        match product {
            Some(Mention::One(sku)) => Some(sku),
            Some(Mention::Several(skus)) => {
                problems.push((Ask::Product, format!("the product name fits several products ({})", skus.join(", "))));
                None
            }
            None => None,
        }
    }
}

/// Items from the candidate changes.
pub(crate) fn build(raws: &[Raw], body: &[Sentence], products: &Products, accounts: &Accounts, problems: &mut Vec<(Ask, String)>) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    // Per item, the raw quantity it was first read from.
    let mut item_raw: Vec<usize> = Vec::new();
    for (ri, r) in raws.iter().enumerate() {
        let Some(change) = r.change else { continue };
        let product = products.of(r, body, problems);
        let username = accounts.of(r, body);
        if username.is_none() && r.other_account {
            problems.push((Ask::Username, "the change is for an account the mail names only in words".into()));
        }
        let item = Item { username, change, product };
        if !items.contains(&item) {
            items.push(item);
            item_raw.push(ri);
        }
    }
    // Two different changes for the same product and tenant: contradictory, unless one is a
    // delta and the other the total it leads to (then the delta is what was asked), or they are
    // separate requests: "2 erbij voor de nieuwe collega's ... en 1 minder voor Jan die vertrekt"
    // (an addition and a removal, each with its own verb), "also add 2 for the interns".
    let explicit = |k: usize| raws.get(item_raw[k]).is_some_and(|r| r.undirected.is_none() && !r.weak);
    // "One hygienist left ... could you set the licences to 5 in total?": people counted in
    // passing, not asked for and no licences, give way to a total asked in so many words.
    let people_only = |k: usize| raws.get(item_raw[k]).is_some_and(|r| r.people && !r.attached && !r.asks);
    let mut out: Vec<Item> = Vec::new();
    for (k, it) in items.iter().enumerate() {
        let same: Vec<usize> = (0..items.len()).filter(|&o| items[o].username == it.username && items[o].product == it.product).collect();
        let deltas: Vec<usize> = same.iter().copied().filter(|&o| matches!(items[o].change, Change::Delta(_))).collect();
        let targets: Vec<usize> = same.iter().copied().filter(|&o| matches!(items[o].change, Change::Target(_))).collect();
        if deltas.len() > 1 && !separate_requests(&deltas, &items, raws, &item_raw, body, &explicit) {
            problems.push((Ask::Contradiction, "the mail asks for different changes to the same subscription".into()));
            break;
        }
        if deltas.is_empty() && targets.len() > 1 {
            problems.push((Ask::Contradiction, "the mail asks for different changes to the same subscription".into()));
            break;
        }
        let asked_target = targets.iter().any(|&o| raws.get(item_raw[o]).is_some_and(|r| r.asks));
        // "(480 Plätze im großen Saal) ... Bitte stellen Sie die Lizenzen auf insgesamt 12 um":
        // a total asked in its own sentence beside a change that no sentence asks is no total
        // the change leads to; one of the two is read wrongly.
        let unasked_delta_elsewhere = deltas.iter().any(|&o| {
            raws.get(item_raw[o]).is_some_and(|d| !d.asks && !d.people && !d.from_current && targets.iter().all(|&t| raws.get(item_raw[t]).is_some_and(|t| t.asks && t.sentence != d.sentence)))
        });
        if asked_target && unasked_delta_elsewhere {
            problems.push((Ask::Contradiction, "the mail asks for a new total, and another sentence gives a change".into()));
            break;
        }
        if matches!(it.change, Change::Delta(_)) && people_only(k) && asked_target && deltas.iter().all(|&o| people_only(o)) {
            continue;
        }
        if matches!(it.change, Change::Target(_)) && deltas.iter().any(|&o| !(people_only(o) && asked_target)) {
            continue;
        }
        out.push(it.clone());
    }
    out
}

/// Different deltas for one subscription that are separate requests, not a contradiction: each
/// has its own explicit direction, and either they go opposite ways (at most one addition and one
/// removal: "+2 for the new people, -1 for the one who leaves") or the later ones are introduced
/// as an addition ("also", "daarnaast", "en outre", "außerdem", "dessutom") in a sentence of
/// their own.
fn separate_requests(deltas: &[usize], items: &[Item], raws: &[Raw], item_raw: &[usize], body: &[Sentence], explicit: &dyn Fn(usize) -> bool) -> bool {
    if !deltas.iter().all(|&k| explicit(k)) {
        return false;
    }
    let signs: Vec<i64> = deltas
        .iter()
        .map(|&k| match items[k].change {
            Change::Delta(d) => d.signum(),
            Change::Target(_) => 0,
        })
        .collect();
    let adds = signs.iter().filter(|&&s| s > 0).count();
    let removes = signs.iter().filter(|&&s| s < 0).count();
    // An addition and a removal of the same number cancel out: no one writes that, so one of
    // the two is read wrongly.
    let sizes: Vec<i64> = deltas
        .iter()
        .map(|&k| match items[k].change {
            Change::Delta(d) => d.abs(),
            Change::Target(t) => t,
        })
        .collect();
    if adds == 1 && removes == 1 {
        return sizes[0] != sizes[1];
    }
    // Same direction: every later one in its own sentence that says "also".
    let mut seen_sentences: Vec<usize> = Vec::new();
    for (n, &k) in deltas.iter().enumerate() {
        let Some(r) = raws.get(item_raw[k]) else { return false };
        if seen_sentences.contains(&r.sentence) {
            return false;
        }
        if n > 0 && !body.get(r.sentence).is_some_and(|s| phrases().also.is_match(&s.text)) {
            return false;
        }
        seen_sentences.push(r.sentence);
    }
    true
}
