//! Step 5: whom a change is for. The Office 365 account a mail names: an address in or next to
//! the change sentence, a labelled field ("UPN:", "Gebruikersnaam:", "Konto:"), a tenant heading
//! over a list, the sender for "for me / my account", and the account of our quoted confirmation
//! for "the same account". Never a signature's address, a CC, where to send an invoice, or an
//! address in a quoted header (those never reach this step: quotes are cut before).

use std::sync::LazyLock;

use regex::Regex;

use super::explain::Raw;
use super::sentences::{Sentence, EMAIL};

fn re(p: &str) -> Regex {
    Regex::new(p).expect("static whom regex")
}

/// The words before an address that make it a contact, not the account: "send the invoice to",
/// "in cc", "reach me at", "factuur naar", "facture à", "Rechnung an", "fakturan till".
static CONTACT_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(send|sent|forward|reply|answer|respond|copy|cc|bcc|contact|reach|invoices?|bill|billing|confirmation|questions?|stuur|stuurt|sturen|antwoord|kopie|contacteer|bereikbaar|factu\w*|vragen|bevestiging|envoy\w*|transmet\w*|répon\w*|copie|contact\w*|joignable|schick\w*|senden|sende|antwort\w*|kontakt\w*|erreichbar|rechnung\w*|fragen|bestätigung|skicka|skickar|svara|svar|kopia|kontakta|nå|faktura\w*|frågor|bekräftelse)\b[^.!?]{0,40}$")
});
/// "(in cc)", "en copie": the address after is a copy.
static CONTACT_AFTER: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^\W{0,3}(\(?\s*(in )?cc\)?|en copie|in kopie|in kopia)\b"));
/// What introduces an address as the tenant's login: "login", "username", "Benutzername",
/// "gebruikersnaam", "identifiant", "användarnamn", "tenant", "admin", "our account".
static LOGIN_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(log-?in|logon|sign-?in|user ?names?|user-?id|upn|tenants?|admin\w*|gebruikersnaam\w*|inlognaam\w*|inlog\w*|beheerder\w*|identifiants?|benutzername\w*|anmeldename\w*|anmeldung|användarnamn\w*|inloggning\w*|inlogg|account\w*|comptes?|konto\w*)\b")
});
/// "licences for admin@x", "op admin@x", "on admin@x", "sur admin@x", "auf admin@x", "på admin@x",
/// "to it@x": the change is made there.
static ON_ACCOUNT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(for|voor|pour|für|för|on|op|sur|auf|på|to|aan|bij|à|au|chez|zu|till|in|dans|im|i)\s+((the|de|het|le|la|l'|den|das|dem|der)\s+)?((user|gebruiker|utilisateur|benutzer|användare|tenant|account|compte|konto|kontot)\s+)?[(\[]?\s*:?\s*$"));
/// "for me", "my account", "mijn account", "mon compte", "mein Konto", "mitt konto", "my login is
/// this address": the sender's own address is the account.
static SENDER_IS_ACCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    let this = r"(this|my|same|the sender'?s?|cette|mon|ma|même|dit|deze|mijn|hetzelfde|zelfde|diese|dieser|dieses|meine|dieselbe|gleiche|denna|den här|det här|detta|min|samma)";
    let addr = r"(e-?mail[- ]?|mail|e-?post|courriel)?(address|adresse|adres|adress|mailadres|e-?mailadres|e-?postadress)\w*";
    let login = r"(login|log-in|username|user name|user|account|identifiant|compte|gebruikersnaam|gebruiker|benutzername|benutzer|anmeldename|konto|användarnamn|inloggning|användare)";
    re(&format!(r"(?i)({this}\s+{addr}\b.{{0,60}}\b{login}|\b{login}\b.{{0,40}}\b{this}\s+{addr}|\b(login|username|identifiant|gebruikersnaam|benutzername|användarnamn)\b.{{0,20}}\b(is|est|ist|är)\s+(the )?(sender|afzender|expéditeur|absender|avsändare)|\b(my|mijn|mon|mein|meinem|meinen|mitt|min) (own |eigen |propre |eigenes |eigenen |egna? )?(office 365 |microsoft 365 |m365 |o365 )?(account|compte|konto|kontot|login|gebruikersaccount|benutzerkonto|licen[cs]e|licentie|lizenz|licens)\b|\b(for|voor|pour|für|för|åt) (me|mij|moi|mich|mig)( (personally|persoonlijk|personnellement|persönlich|personligen))?\b|\bmyself\b|\bzelf\b|(address|adresse|adres|adress)\w*\s+(that |which |from which |waarmee |waarvan |avec laquelle |von der |mit der |som )?(i'?m|i am|i|we|we're|je|j'|ik|wij|we|ich|wir|jag|vi)\b.{{0,20}}\b(writ\w*|send\w*|mail\w*|écri\w*|schrijf\w*|stuur\w*|mail\w*|schreib\w*|sende\w*|skriv\w*|skick\w*))"))
});
/// "the same account as last time", "hetzelfde account", "le même compte", "das gleiche Konto",
/// "samma konto": the account of the history below.
static SAME_ACCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\bsame (account|tenant|login|address|subscription)|\b(hetzelfde|zelfde|dezelfde) (account|tenant|login|adres|abonnement)|\b(le )?même (compte|tenant|identifiant|abonnement|adresse)|\b(das )?(gleiche|selbe|dieselbe|selben|gleichen) (konto|tenant|login|adresse|abonnement)|\bsamma (konto|tenant|inloggning|adress|abonnemang)|\b(that|this|dat|dit|ce|cet|dieses|jenes|det|detta) (account|compte|konto|kontot)\b|\b(as|als|comme|wie|som) (last time|before|vorige keer|la dernière fois|letztes mal|förra gången))")
});
/// "the intern (stagiair@x.be)", "van dr. Martens (an.martens@x.be)": a person's own mailbox,
/// named to say whose licence goes, not the account the licences are on.
static PERSONS_MAILBOX: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(\b(intern|trainee|student|colleague|employee|staff member|stagiair\w*|student\w*|collega|medewerk\w*|werknemer|stagiaire|collègue|collaborat\w*|employé\w*|praktikant\w*|kolleg\w*|mitarbeiter\w*|auszubildende\w*|kollega\w*|medarbetar\w*|anställd\w*|praktikant)|\b(of|van|de|von|för|du|der)\s+((dr|mr|mrs|ms|mevr|dhr|mme|m|herr|frau|fru)\.?\s+)?\p{Lu}[\p{L}'-]+(\s+\p{Lu}[\p{L}'-]+)?)\s*\(\s*$")
});
/// Lines of contact details.
static SIGNATURE_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(\b(tel|tél|phone|gsm|mobile|mob|fax|www\.|http)\b|\|)"));

/// Where a mail names accounts, found once per mail.
#[derive(Debug, Default)]
pub(crate) struct Accounts {
    /// Per sentence, per address: may be the account a change is for.
    usable: Vec<Vec<bool>>,
    /// Accounts named outside change sentences, with their paragraph and line, in order.
    named: Vec<(usize, usize, String)>,
    /// Lines that only name an account, over a list of changes: (line, account).
    headings: Vec<(usize, String)>,
    sender: Option<String>,
    quoted: Option<String>,
}

fn tail(s: &str, n: usize) -> &str {
    let count = s.chars().count();
    s.char_indices().nth(count.saturating_sub(n)).map_or(s, |(i, _)| &s[i..])
}

fn usable_username(e: &str) -> bool {
    let local = e.split('@').next().unwrap_or("");
    !(local == "webservices"
        || local.starts_with("noreply")
        || local.starts_with("no-reply")
        || local.starts_with("donotreply")
        || local == "mailer-daemon"
        || local == "postmaster")
}

/// A line that holds an address and almost nothing else ("admin@x.onmicrosoft.com:", "Contoso
/// (admin@contoso.onmicrosoft.com)").
fn bare_address_line(s: &Sentence) -> bool {
    let rest = EMAIL.replace_all(&s.text, " ");
    let words = rest.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).count();
    s.emails.len() == 1 && words <= 4 && !s.has_num()
}

impl Accounts {
    /// `changes` holds, per sentence, whether a change was read there.
    pub fn find(body: &[Sentence], changes: &[bool], sender: Option<&str>, text: &str, quoted: &str) -> Accounts {
        let mut a = Accounts::default();
        for (si, s) in body.iter().enumerate() {
            let signature = SIGNATURE_LINE.is_match(&s.text) && s.label.is_none();
            let usable: Vec<bool> = s
                .emails
                .iter()
                .map(|e| {
                    usable_username(&e.addr)
                        && !signature
                        && !(CONTACT_BEFORE.is_match(&e.before) && !LOGIN_LABEL.is_match(tail(&e.before, 25)))
                        && !CONTACT_AFTER.is_match(&e.after)
                        && !PERSONS_MAILBOX.is_match(&e.before)
                        && !sender.is_some_and(|f| f.eq_ignore_ascii_case(&e.addr) && !LOGIN_LABEL.is_match(&e.before) && !ON_ACCOUNT.is_match(&e.before) && !changes.get(si).copied().unwrap_or(false))
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
                a.named.push((s.para, s.line, e.addr.clone()));
            }
            a.usable.push(usable);
        }
        if SENDER_IS_ACCOUNT.is_match(text) {
            a.sender = sender.map(str::to_lowercase);
        }
        if SAME_ACCOUNT.is_match(text) {
            a.quoted = quoted_account(quoted);
        }
        a
    }

    /// The account a change is for.
    pub fn of(&self, r: &Raw, body: &[Sentence]) -> Option<String> {
        if let (Some(k), Some(s)) = (r.near_email, body.get(r.sentence)) {
            if self.usable.get(r.sentence).and_then(|u| u.get(k)).copied().unwrap_or(false) {
                return s.emails.get(k).map(|e| e.addr.clone());
            }
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
        let in_para = distinct(&mut self.named.iter().filter(|(p, _, _)| *p == r.para).map(|(_, _, e)| e));
        if in_para.len() == 1 {
            return in_para.into_iter().next();
        }
        let all = distinct(&mut self.named.iter().map(|(_, _, e)| e));
        if all.len() == 1 {
            return all.into_iter().next();
        }
        if all.len() > 1 {
            // The last account named before this change.
            if let Some(line) = line {
                if let Some((_, _, e)) = self.named.iter().rev().find(|(_, l, _)| *l <= line) {
                    return Some(e.clone());
                }
            }
            return None;
        }
        self.sender.clone().or_else(|| self.quoted.clone())
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
