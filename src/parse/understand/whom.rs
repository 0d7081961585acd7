//! Step 5: whom a change is for. The Office 365 account a mail names: an address in or next to
//! the change sentence, a labelled field ("UPN:", "Gebruikersnaam:", "Konto:"), a tenant heading
//! over a list, the sender for "for me / my account", and the account of our quoted confirmation
//! for "the same account". Never a signature's address, a CC, where to send an invoice, or an
//! address in a quoted header (those never reach this step: quotes are cut before).

use std::sync::LazyLock;

use crate::parse::rx::Regex;

use super::explain::Raw;
use crate::parse::lexicon::{self, phrases, Set};
use super::sentences::{Sentence, EMAIL};

fn re(p: &str) -> Regex {
    Regex::new(p).expect("static whom regex")
}

/// "licences for admin@x", "op admin@x", "sur admin@x", "auf admin@x", "på admin@x", "to it@x":
/// the change is made on that account.
static ON_ACCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    let w = lexicon::words();
    let alt = |s: &Set| s.iter().map(regex::escape).collect::<Vec<_>>().join("|");
    re(&format!(
        r"(?i)\b({})\s+(({}|l')\s*)?(({})\s+)?[(\[]?\s*:?\s*$",
        alt(&w.account_prep),
        alt(&w.definite),
        alt(&w.account_noun)
    ))
});
/// Lines of contact details.
static SIGNATURE_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(\b(tel|tél|phone|gsm|mobile|mob|fax|www\.|http)\b|\|)"));

/// Where a mail names accounts, found once per mail.
#[derive(Debug, Default)]
pub(crate) struct Accounts {
    /// Per sentence, per address: may be the account a change is for.
    usable: Vec<Vec<bool>>,
    /// Accounts named outside change sentences, with their paragraph and line, in order.
    /// (paragraph, line, account, named together with another: "admin@a and admin@b")
    named: Vec<(usize, usize, String, bool)>,
    /// Lines that only name an account, over a list of changes: (line, account).
    headings: Vec<(usize, String)>,
    sender: Option<String>,
    /// Per sentence: it says the account is the sender's ("auf meinem Konto", "for me").
    sender_said: Vec<bool>,
    quoted: Option<String>,
    /// The account an authored subject names ("2 licenties erbij aub – admin@x", "Une licence en
    /// moins sur mon compte"), for a mail whose body names none.
    subject: Option<String>,
}

fn tail(s: &str, n: usize) -> &str {
    let count = s.chars().count();
    s.char_indices().nth(count.saturating_sub(n)).map_or(s, |(i, _)| &s[i..])
}

/// Whether a contact word ("send ... to", "cc") ends within 40 characters before the address,
/// with no sentence end between. Written out rather than as one regex
/// (`\b(send|...)\b[^.!?]{0,40}$`): that pattern's reverse search makes the lazy DFA build a
/// state for every set of distances at which a word could end, and it rebuilt them on every
/// address (a sixth of the parse time in the profile).
fn contact_word_just_before(before: &str) -> bool {
    let sentence = &before[before.rfind(['.', '!', '?']).map_or(0, |i| i + 1)..];
    phrases().contact_word.find_iter(sentence).last().is_some_and(|m| sentence[m.end()..].chars().count() <= 40)
}

/// What joins two accounts named together: "and", "or", "&" in the five languages.
/// The sentence's addresses k and k+1 are two usable accounts named together ("a… and b…").
fn joined_at(s: &Sentence, usable: &[bool], k: usize) -> bool {
    let (Some(a), Some(b)) = (s.emails.get(k), s.emails.get(k + 1)) else { return false };
    usable.get(k).copied().unwrap_or(false) && usable.get(k + 1).copied().unwrap_or(false) && a.addr != b.addr && joins(&a.after)
}

fn joins(between: &str) -> bool {
    let w = between.trim().to_lowercase();
    w == "&" || lexicon::words().and.has(&w) || lexicon::words().or_else.has(&w)
}

pub(super) fn usable_username(e: &str) -> bool {
    let local = e.split('@').next().unwrap_or("");
    !(local == "webservices"
        || local.starts_with("noreply")
        || local.starts_with("no-reply")
        || local.starts_with("donotreply")
        || local == "mailer-daemon")
}

/// An address that can only be an administrator's login: "Unité de Wavre
/// (admin@scouts-wavre.onmicrosoft.com)" names the account of a unit, not a person's mailbox
/// ("la licence de Marie (marie@x.be)", "de stagiair (stagiair@x.onmicrosoft.com)").
fn tenant_login(e: &str) -> bool {
    let local = e.split('@').next().unwrap_or("");
    local.starts_with("admin") || ["beheer", "it", "ict"].iter().any(|w| local.strip_prefix(w).is_some_and(|rest| rest.is_empty() || rest.starts_with('.')))
}

/// A line that holds an address and almost nothing else ("admin@x.onmicrosoft.com:", "Contoso
/// (admin@contoso.onmicrosoft.com)").
fn bare_address_line(s: &Sentence) -> bool {
    let rest = EMAIL.replace_all(&s.text, " ");
    // Letters of a company form ("S.à r.l.", "S.A.", "B.V.") are no words of their own.
    let letter = |w: &str| w.chars().count() == 1 && w.chars().all(char::is_alphabetic);
    let words = rest.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty() && !letter(w)).count();
    s.emails.len() == 1 && words <= 4 && !s.has_num()
}

impl Accounts {
    /// `changes` holds, per sentence, whether a change was read there.
    pub fn find(body: &[Sentence], subject: &[Sentence], changes: &[bool], sender: Option<&str>, text: &str, quoted: &str) -> Accounts {
        let ph = phrases();
        let mut a = Accounts::default();
        // Per sentence only when the mail says it at all: one phrase search less per sentence.
        let sender_said = ph.sender_is_account.is_match(text);
        for (si, s) in body.iter().enumerate() {
            let signature = SIGNATURE_LINE.is_match(&s.text) && s.label.is_none();
            let usable: Vec<bool> = s
                .emails
                .iter()
                .map(|e| {
                    usable_username(&e.addr)
                        && !signature
                        && (!contact_word_just_before(&e.before) || ph.login_label.is_match(tail(&e.before, 25)))
                        && !ph.contact_after.is_match(&e.after)
                        && (tenant_login(&e.addr) || !ph.persons_mailbox.is_match(&e.before))
                        && !sender.is_some_and(|f| f.eq_ignore_ascii_case(&e.addr) && !ph.login_label.is_match(&e.before) && !ON_ACCOUNT.is_match(&e.before) && !changes.get(si).copied().unwrap_or(false))
                })
                .collect();
            let has_change = changes.get(si).copied().unwrap_or(false);
            let heading = !has_change && bare_address_line(s) && body.get(si + 1).is_some_and(|n| n.para == s.para || n.para == s.para + 1);
            for (k, e) in s.emails.iter().enumerate() {
                if !usable[k] {
                    continue;
                }
                if heading {
                    a.headings.push((s.line, e.addr.clone()));
                }
                let paired = (k > 0 && joined_at(s, &usable, k - 1)) || joined_at(s, &usable, k);
                a.named.push((s.para, s.line, e.addr.clone(), paired));
            }
            a.usable.push(usable);
            a.sender_said.push(sender_said && ph.sender_is_account.is_match(&s.text));
        }
        if sender_said {
            a.sender = sender.map(str::to_lowercase);
        }
        // "Pouvez-vous annuler cette opération ?" under our confirmation: a reply to our mail that
        // names no account of its own is about the account our mail names.
        if ph.same_account.is_match(text) || super::reply::our_first(quoted).is_some() {
            a.quoted = quoted_account(quoted);
        }
        let mut named_in_subject = subject.iter().flat_map(|s| s.emails.iter()).map(|e| e.addr.to_lowercase()).filter(|e| usable_username(e));
        a.subject = match (named_in_subject.next(), named_in_subject.next()) {
            (Some(one), None) => Some(one),
            (None, _) if subject.iter().any(|s| ph.sender_is_account.is_match(&s.text)) => sender.map(str::to_lowercase),
            _ => None,
        };
        a
    }

    /// The accounts that head a part of the mail with numbers in it, when the mail has several
    /// such parts (one per tenant). A form's "Aanvrager: jan@x" over the next field is no part,
    /// nor a part that says its count stays.
    pub fn headings(&self, body: &[Sentence]) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        for (k, (line, acc)) in self.headings.iter().enumerate() {
            let end = self.headings.get(k + 1).map_or(usize::MAX, |(l, _)| *l);
            // "Filiaal Brugge – admin@…: blijft 5, daar verandert niets" keeps its count.
            let numbers = body.iter().any(|s| s.line > *line && s.line < end && s.has_num() && !phrases().count_unchanged.is_match(&s.text));
            if numbers && !v.contains(&acc.as_str()) {
                v.push(acc);
            }
        }
        if v.len() >= 2 { v } else { Vec::new() }
    }

    /// The mail names two accounts or more that a change could be for ("we have two accounts
    /// with you: admin@labo… and admin@praxis…").
    pub fn several(&self) -> bool {
        self.named.iter().any(|(_, _, e, _)| *e != self.named[0].2)
    }

    /// "Merci d'ajouter 2 licences sur admin@a… et admin@b…": one change said for two tenants
    /// in one breath. Two on each, or one on each? A careful person asks.
    pub fn joined(&self, r: &Raw, body: &[Sentence]) -> bool {
        let (Some(s), Some(usable)) = (body.get(r.sentence), self.usable.get(r.sentence)) else { return false };
        let login = |e: &str| tenant_login(e) || e.ends_with(".onmicrosoft.com");
        (0..s.emails.len()).any(|k| joined_at(s, usable, k) && login(&s.emails[k].addr) && login(&s.emails[k + 1].addr))
    }

    /// The account a change is for.
    pub fn of(&self, r: &Raw, body: &[Sentence]) -> Option<String> {
        if let (Some(k), Some(s)) = (r.near_email, body.get(r.sentence)) {
            if self.usable.get(r.sentence).and_then(|u| u.get(k)).copied().unwrap_or(false) {
                return s.emails.get(k).map(|e| e.addr.clone());
            }
        }
        // "Bitte buchen Sie auf meinem Konto eine Lizenz dazu. Sie ist für lohn@x": the account
        // the change's own sentence names is the sender's, whatever address another one names.
        if self.sender_said.get(r.sentence).copied().unwrap_or(false) {
            if let Some(sender) = &self.sender {
                return Some(sender.clone());
            }
        }
        if r.other_account {
            return None;
        }
        // Under a heading: the nearest one above the change.
        let line = body.get(r.sentence).map(|s| s.line);
        if let Some(line) = line {
            if let Some((_, acc)) = self.headings.iter().rev().find(|(l, _)| *l < line) {
                return Some(acc.clone());
            }
        }
        let distinct = |it: &mut dyn Iterator<Item = &String>| -> Vec<String> {
            let mut v: Vec<String> = Vec::new();
            for e in it {
                if !v.contains(e) {
                    v.push(e.clone());
                }
            }
            v
        };
        let in_para = distinct(&mut self.named.iter().filter(|(p, _, _, _)| *p == r.para).map(|(_, _, e, _)| e));
        if in_para.len() == 1 {
            return in_para.into_iter().next();
        }
        let all = distinct(&mut self.named.iter().map(|(_, _, e, _)| e));
        if all.len() == 1 {
            return all.into_iter().next();
        }
        if all.len() > 1 {
            // The last account named before this change. Not one of two named together ("we
            // manage both tenants: admin@a and admin@b. Could you remove 2 licences?"): which?
            if let Some(line) = line {
                if let Some((_, _, e, paired)) = self.named.iter().rev().find(|(_, l, _, _)| *l <= line) {
                    return (!paired).then(|| e.clone());
                }
            }
            // "Remove 2 licences. The following people have left: sarah@x.com, james@x.com …
            // M365 admin account: admin@x.onmicrosoft.com": the one login among people's mailboxes.
            let logins: Vec<String> = all.into_iter().filter(|e| tenant_login(e) || e.ends_with(".onmicrosoft.com")).collect();
            return (logins.len() == 1).then(|| logins[0].clone());
        }
        self.sender.clone().or_else(|| self.subject.clone()).or_else(|| self.quoted.clone())
    }
}

/// The account named in the history below a reply ("We added 3 licences on the account
/// admin@x.onmicrosoft.com"): the one address that is not ours and not a header's.
fn quoted_account(quoted: &str) -> Option<String> {
    let mut found: Vec<String> = Vec::new();
    for line in quoted.lines() {
        let l = line.trim_start_matches(['>', ' ']);
        // Header lines of the quoted mail ("From:", "Van:", "To:") name people, not accounts.
        if super::super::quote::is_header_line(l) || super::super::quote::is_attribution_line(l) {
            continue;
        }
        for m in EMAIL.find_iter(l) {
            let e = m.as_str().to_lowercase();
            if usable_username(&e) && !found.contains(&e) {
                found.push(e);
            }
        }
    }
    let onms: Vec<&String> = found.iter().filter(|e| e.ends_with(".onmicrosoft.com")).collect();
    match (found.len(), onms.len()) {
        (1, _) => found.into_iter().next(),
        (_, 1) => onms.into_iter().next().cloned(),
        _ => None,
    }
}
