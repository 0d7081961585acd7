//! From the customer's own words to seat changes, in the steps a careful reader takes:
//!
//! 1. [`sentences`]: the text cut into sentences, addresses and product names marked, dates,
//!    phones, prices and references masked;
//! 2. [`gate`]: which sentences ask for something (not questions, thanks, reports, hedges);
//! 3. [`explain`]: every number of those sentences explained (a change, a total, today's count,
//!    people, other things, a number taken back, alternatives, a guess, or nothing);
//! 4. [`changes`]: the candidate changes of the mail, what one sentence leaves open filled from
//!    the rest when the rest says one thing;
//! 5. [`whom`]: the account each change is for;
//! 6. [`items`]: products, accounts, the same change said twice, contradictions;
//! 7. [`verdict`](understand): act, or ask what is missing.
//!
//! Precision first: where a careful person would ask, the outcome is a question, never a guess.

mod changes;
mod cues;
mod explain;
pub(crate) use explain::is_quantity_label;
pub(crate) use sentences::field_label;
mod reply;
mod gate;
mod items;
mod sentences;
mod tables;
mod whom;

use std::sync::LazyLock;

use crate::parse::rx::Regex;

use crate::parse::lexicon::{phrases, Phrase};
use crate::parse::numbers::Tok;
use crate::parse::products::{Catalog, Mention};
use crate::parse::{Ask, Change, Item, Language};

/// Microsoft products seatmail does not sell by mail: a person handles those.
static OTHER_PRODUCT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(teams phone|teams premium|teams rooms|audio conferencing|power bi|visio|project (plan|online)|copilot|defender|intune|entra id|azure ad premium|windows 365|dynamics 365|exchange online archiving|power automate|powerapps|power apps)\b")
        .expect("other product regex")
});

/// A list of people's names: "Anna Claes, Pieter Goossens and Sofie Wuyts", "Jan, An en Els".
const NAME: &str = r"\p{Lu}\p{Ll}+(?:[ -](?:(?:van|de|der|den|von|le|la|du|da) )*\p{Lu}\p{Ll}+)?";
static NAME_LIST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"\b{NAME}(?:, {NAME})*,? (?:and|en|et|und|och|&) {NAME}\b")).expect("name list regex"));
static ONE_NAME: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(NAME).expect("name regex"));

/// What the text asks, before the mail-level decision.
#[derive(Debug, Default)]
pub(crate) struct Understanding {
    pub items: Vec<Item>,
    pub problem: Option<(Ask, String)>,
    /// Some sentence speaks of changing seats (a cue next to a licence word or product).
    pub intent: bool,
    /// A sentence was left out because it asks a price/quote or a how-to question.
    pub skipped_question: bool,
    /// Not a seat change seatmail handles, whatever numbers it holds (another product, a change
    /// of billing plan): the reason.
    pub not_ours: Option<&'static str>,
}

/// What `understand` reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a> {
    /// The customer's own words (and a forwarded request they point to).
    pub text: &'a str,
    /// The subject, when the customer wrote it (not "Re:" of our mail).
    pub subject: Option<&'a str>,
    pub sender: Option<&'a str>,
    pub lang: Option<Language>,
    /// The history under the customer's words (context for "the same account").
    pub quoted: &'a str,
}

/// Understand the customer's own text (and an authored subject).
pub(crate) fn understand(input: &Input<'_>, catalog: &Catalog) -> Understanding {
    let mut u = Understanding::default();
    let tabled = tables::rewrite(input.text);
    let text = tabled.as_str();
    let body = sentences::split(text, catalog, input.lang);
    // An answer to our question, or a reminder: the whole request it stands for, read instead.
    let behind = reply::request_behind(&body, input.quoted, catalog, input.lang);
    if let Some(request) = behind.request {
        return understand(&Input { text: &request, subject: None, quoted: "", ..*input }, catalog);
    }
    if behind.vague_answer {
        u.problem = Some((Ask::Quantity, "the answer to our question gives no exact number".into()));
        return u;
    }
    let gate = gate::read(&body, input.subject, text);
    u.skipped_question = gate.skipped_question;
    let subject_sentences = input.subject.map(|s| sentences::split(s, catalog, input.lang)).unwrap_or_default();
    // "Subject: licences 2 sociétés … +1 … -2": the subject says what the signs count.
    let licence_talk = body.iter().chain(&subject_sentences).any(|s| !s.products.is_empty() || s.toks.iter().any(cues::is_licence_noun));
    let readings: Vec<Option<explain::Reading>> = body
        .iter()
        .enumerate()
        .map(|(si, s)| gate.kept[si].then(|| explain::read(s, si, gate::asks_for_it(s), licence_talk)))
        .collect();
    u.intent = readings.iter().flatten().any(|r| r.intent);
    // "Invoice 2025-INV-0047181 - still charged for 17 licences?!": a subject about an invoice
    // names what was billed, no change.
    let subject_readings: Vec<explain::Reading> =
        subject_sentences.iter().filter(|s| !phrases().invoice.is_match(&s.text)).map(|s| explain::read(s, usize::MAX, false, false)).collect();
    u.intent |= subject_readings.iter().any(|r| r.intent);

    let body_names: Vec<&Mention> = body.iter().flat_map(|s| &s.products).collect();
    let mut c = changes::combine(&readings, &subject_readings, &body_names);
    // "Now everything works with the 12 new accounts": a weak word beside a number, in a mail
    // where nothing asks, is news, not a request.
    let anything_asks = behind.answers_us || body.iter().enumerate().any(|(si, s)| gate.kept[si] && gate::asks_for_it(s));
    if !anything_asks && !c.raws.iter().any(|r| r.change.is_some() && (!r.weak || r.attached)) {
        c.raws.retain(|r| r.change.is_none());
    }
    // Billing talk ("the credit note may go to ...") or a report ("the 5 accounts are already
    // unassigned") beside a plainly stated change ("go from 95 to 90") is no decline; beside
    // nothing else it is the subject of the mail.
    let plain_change = c.raws.iter().any(|r| r.change.is_some() && r.sentence != usize::MAX && (r.asks || r.attached || (r.from_current && !r.weak)));
    let declines = gate.declines || ((gate.billing || gate.soft_declines) && !plain_change);
    // "wir brauchen 3 Lizenzen mehr, entweder Business Standard oder Premium. Was empfehlen Sie?":
    // the change is said, only its product is open; the mail asks which, it is no mere question.
    let product_open = c.raws.iter().any(|r| r.change.is_some() && body.get(r.sentence).is_some_and(|s| phrases().product_unsure.is_match(&s.text)));
    if declines && !product_open && !c.raws.iter().any(|r| r.change.is_some() && r.asks && r.sentence != usize::MAX) {
        u.intent = false;
        u.skipped_question = true;
        return u;
    }
    // "switch our 18 licences from monthly to annual": a seat change only if another sentence asks
    // one ("At the renewal, please bring us down from 40 to 32 … the rest stays on the annual term").
    let plan_change = |si: usize| body.get(si).is_some_and(|s| phrases().billing_plan.is_match(&s.text));
    if phrases().billing_plan.is_match(text) && !c.raws.iter().any(|r| r.change.is_some() && !r.weak && (!r.from_current || r.asks) && !plan_change(r.sentence)) {
        u.not_ours = Some("a change of billing plan, not of the number of seats");
        return u;
    }
    // "Cela ne change rien aux licences": said in so many words, and nothing plainly asks a change.
    // "nous passons de 12 à 9 licences ... cela ne change rien pour les autres utilisateurs":
    // a change from today's count to the wanted one is plain without a "please".
    // Nor "2 licenties erbij … Filiaal Brugge: blijft 5, daar verandert niets": a bare line of a
    // change with its direction word, apart from the sentence that keeps another count. (A
    // sentence telling of a past removal is no bare line.)
    let bare_line = |si: usize| body.get(si).is_some_and(|s| s.toks.len() <= 6 && !phrases().count_unchanged.is_match(&s.text));
    let directed = |r: &explain::Raw| (r.clause_dirs.0 || r.clause_dirs.1) && bare_line(r.sentence);
    if phrases().count_unchanged.is_match(text) && !c.raws.iter().any(|r| r.change.is_some() && r.attached && (r.asks || r.from_current || directed(r)) && !r.weak) {
        u.not_ours = Some("the mail says the number of licences does not change");
        return u;
    }
    // A domain, DNS, an alias: "add our new domain for our 6 users" counts users, not licences.
    if !c.raws.iter().any(|r| r.change.is_some() && r.attached) && phrases().other_matter.is_match(text) {
        u.not_ours = Some("another matter than seats (a domain, DNS, an alias)");
        return u;
    }
    if !c.raws.iter().any(|r| r.change.is_some()) && body.iter().enumerate().any(|(si, s)| gate.kept[si] && phrases().payment.is_match(&s.text)) {
        u.not_ours = Some("a change of billing or payment details, not of the number of seats");
        return u;
    }
    // "Could you make sure the invoice for these 2 licences mentions our PO", "sur votre facture
    // je vois 4 licences … pouvez-vous vérifier": a question about an invoice.
    if !c.raws.iter().any(|r| r.change.is_some()) && phrases().invoice.is_match(text) && phrases().invoice_ask.is_match(text) {
        u.not_ours = Some("a question about an invoice, not a change of the number of seats");
        return u;
    }
    // "3 users cannot activate Word; the 3 licences are assigned": numbers in a problem report
    // that no sentence gives a direction are the report's, not a change asked.
    let reports_problem = body.iter().enumerate().any(|(si, s)| gate.kept[si] && phrases().problem.is_match(&s.text));
    if reports_problem && !c.raws.is_empty() && c.raws.iter().all(|r| r.change.is_none()) {
        c.raws.clear();
        c.problems.retain(|(a, _)| *a != Ask::Direction);
        u.intent = false;
    }
    let with_change: Vec<bool> = (0..body.len()).map(|si| c.raws.iter().any(|r| r.sentence == si)).collect();
    let accounts = whom::Accounts::find(&body, &subject_sentences, &with_change, input.sender, text, input.quoted);
    let quoted_products = if input.quoted.is_empty() { Vec::new() } else { catalog.find(input.quoted).into_iter().map(|f| f.mention).collect() };
    let products = items::Products::new(&body, &gate.kept, &subject_sentences, quoted_products);
    let mut problems = std::mem::take(&mut c.problems);
    let mut items = items::build(&c.raws, &body, &products, &accounts, &mut problems);
    product_from_quote(&mut items, input.quoted, catalog);

    // "3 licences of Power BI Pro": a count for a product of no subscription here is no seat
    // change of ours, whether or not its direction is clear.
    // But "Teams Phone needs a base licence: order two Business Standard" counts ours.
    let counted = c.raws.iter().any(|r| r.change.is_some() || r.undirected.is_some());
    let ours_counted = c.raws.iter().any(|r| r.product.is_some() && (r.change.is_some() || r.undirected.is_some()));
    // Not "Product: Business Standard or Business Premium - whichever … for the Intune
    // requirement": two of ours offered, the mail asks which.
    let ours_offered = body.iter().any(|s| s.products.iter().filter(|p| p.sku().is_some()).count() >= 2 && product_left_open(s));
    if items.iter().all(|i| i.product.is_none()) && !ours_counted && !ours_offered && OTHER_PRODUCT.is_match(text) && (!items.is_empty() || u.intent || counted) {
        u.not_ours = Some("asks about a product seatmail does not manage");
        return u;
    }
    if !items.is_empty() {
        doubts(&items, &c.raws, &readings, &body, &gate, &accounts, &mut problems);
    }
    if names_against_count(&c.raws, &readings, &body) {
        problems.push((Ask::Contradiction, "a licence for each of the people the mail names, but another number of licences".into()));
    }
    if corrects_unquoted_request(&c.raws, &body, input.quoted) {
        problems.push((Ask::Quantity, "the mail changes the number of an earlier request it does not quote: whether the new number replaces it or comes on top is not said".into()));
    }
    if mends_otherwise(&c.raws, &body) {
        problems.push((Ask::Contradiction, "the change asked does not mend what the mail says was done against what was wanted".into()));
    }
    total_from_quoted_today(&mut items, &readings, input, catalog);
    if total_against_quoted_today(&items, &readings, input, catalog) {
        problems.push((Ask::Contradiction, "the total the mail gives does not follow from today's count in our mail".into()));
    }
    // "Please apply the changes in the attached list": a request whose numbers we cannot read.
    let about_licences = body.iter().enumerate().any(|(si, s)| {
        gate.kept[si] && s.toks.iter().any(|t| cues::is_licence_noun(t) || matches!(t, Tok::Word(w) if cues::lex().change_stem.start(w)))
    });
    // "Comme convenu au téléphone, merci de faire le nécessaire pour les licences": what to do
    // was said on the phone, not here.
    if items.is_empty() && problems.is_empty() && !gate.billing && about_licences && (phrases().attached.is_match(text) || phrases().as_agreed.is_match(text)) {
        u.intent = true;
    }
    // "nous serons une dizaine, pouvez-vous adapter nos licences en fonction ?": asked, with only
    // a guess of how many.
    let kept_any = |f: &dyn Fn(&sentences::Sentence) -> bool| body.iter().enumerate().any(|(si, s)| gate.kept[si] && f(s));
    if items.is_empty() && problems.is_empty() && !gate.billing && about_licences && kept_any(&gate::asks_for_it) && kept_any(&vague_count) {
        problems.push((Ask::Quantity, "asks for a change of licences but only guesses how many".into()));
    }
    if items.is_empty() && problems.is_empty() && u.intent {
        let why = if phrases().who_left.is_match(text) {
            (Ask::Username, "asks to remove the licences of people it does not name".to_string())
        } else if phrases().attached.is_match(text) {
            (Ask::Quantity, "the numbers are in an attachment seatmail does not read".to_string())
        } else {
            (Ask::Quantity, "asks for a seat change but gives no number of seats".to_string())
        };
        problems.push(why);
    }
    u.items = items;
    u.problem = problems.into_iter().min_by_key(|(a, _)| match a {
        Ask::Contradiction => 0,
        Ask::Quantity => 1,
        Ask::Direction => 2,
        Ask::Product => 3,
        Ask::Username => 4,
        Ask::Unreadable => 5,
    });
    u
}

/// "Pourriez-vous annuler l'ajout d'hier et retirer ces 3 licences du même compte ?" above our
/// confirmation of 3 Business Standard for that account, "het zijn er geen 6 maar 4" above one's
/// own request for 6 Business Standard: a reply that names no product but the same account as
/// the mail it answers, and that mail one product only, is about that product.
fn product_from_quote(items: &mut [Item], quoted: &str, catalog: &Catalog) {
    if quoted.is_empty() || items.is_empty() || items.iter().any(|i| i.product.is_some()) {
        return;
    }
    let quoted_lower = quoted.to_lowercase();
    if !items.iter().all(|i| i.username.as_ref().is_some_and(|u| quoted_lower.contains(u.as_str()))) {
        return;
    }
    let mut skus: Vec<String> = Vec::new();
    for f in catalog.find(quoted) {
        match f.mention {
            Mention::One(sku) if !skus.contains(&sku) => skus.push(sku),
            Mention::One(_) => {}
            Mention::Several(_) => return,
        }
    }
    if let [sku] = &skus[..] {
        for i in items.iter_mut() {
            i.product = Some(sku.clone());
        }
    }
}

/// "il nous en faut 10 au total, pas 12" under our "Vous disposez maintenant de 12 licences": the
/// count taken back is today's, which our mail states; the new total is the change from it.
fn total_from_quoted_today(items: &mut [Item], readings: &[Option<explain::Reading>], input: &Input<'_>, catalog: &Catalog) {
    let [Item { change: Change::Target(t), .. }] = items[..] else { return };
    // Said in the sentence of the total: not "nur 2 neue, nicht 4 … Bitte setzen Sie auf 22".
    let said_with = |r: &&explain::Reading| r.raws.iter().any(|x| x.change == Some(Change::Target(t)));
    let taken: Vec<i64> = readings.iter().flatten().filter(said_with).flat_map(|r| &r.numbers).filter(|n| n.meaning == explain::Meaning::TakenBack).map(|n| n.value).collect();
    let [m] = taken[..] else { return };
    if m != t && reply::our_today(input.quoted, catalog, input.lang) == Some(m) {
        items[0].change = Change::Delta(t - m);
    }
}

/// "ajoutez les 3 licences, nous passerons donc à 10" under our "Vous avez actuellement 8
/// licences": the total the one change leads to does not follow from today's count in our mail.
fn total_against_quoted_today(items: &[Item], readings: &[Option<explain::Reading>], input: &Input<'_>, catalog: &Catalog) -> bool {
    let [Item { change: Change::Delta(d), .. }] = items[..] else { return false };
    let today = readings.iter().flatten().flat_map(|r| &r.numbers).any(|n| n.meaning == explain::Meaning::Current);
    let totals: Vec<i64> = readings.iter().flatten().flat_map(|r| &r.raws).filter_map(|x| if let Some(Change::Target(t)) = x.change { Some(t) } else { None }).collect();
    let (false, [total]) = (today, &totals[..]) else { return false };
    reply::our_today(input.quoted, catalog, input.lang).is_some_and(|c| c + d != *total && c != *total)
}

/// What makes the changes read doubtful enough to ask: a number not final, a mind change still
/// to be settled, an open product, a condition, alternatives, a tenant's part with no change, an
/// account left open, and the cross-checks independent of the extraction.
fn doubts(
    items: &[Item],
    raws: &[explain::Raw],
    readings: &[Option<explain::Reading>],
    body: &[sentences::Sentence],
    gate: &gate::Gate,
    accounts: &whom::Accounts,
    problems: &mut Vec<(Ask, String)>,
) {
    if readings.iter().flatten().any(|r| r.unsure) {
        problems.push((Ask::Quantity, "the mail says the number is not final yet".into()));
    }
    let said = |re: &Phrase| body.iter().enumerate().any(|(si, s)| gate.kept[si] && re.is_match(&s.text));
    // "Graag 2 … Of wacht, zet er maar 1 bij? Of toch 2 … Ik laat het nog weten": a mind
    // change the writer says is still to be settled.
    if readings.iter().flatten().any(|r| r.correction) && said(&phrases().let_know) {
        problems.push((Ask::Quantity, "the mail changes its number and says it will confirm it".into()));
    }
    // "Basic or Standard? What would you advise?": the doubt counts in a question too.
    if body.iter().any(product_left_open) {
        problems.push((Ask::Product, "the mail leaves open which product".into()));
    }
    let conditional = body.iter().enumerate().any(|(si, s)| gate.kept[si] && phrases().conditional.is_match(&s.text) && !phrases().let_me_know.is_match(&s.text));
    if conditional {
        problems.push((Ask::Quantity, "the change depends on something not decided yet".into()));
    }
    if said(&phrases().alternatives) {
        problems.push((Ask::Quantity, "the mail offers changes to choose from".into()));
    }
    // One part per tenant: a tenant whose part yields no change was read wrong, or asks nothing
    // that we can tell; either way not a mail to half apply.
    if let Some(missed) = accounts.headings(body).into_iter().find(|a| !items.iter().any(|i| i.username.as_deref() == Some(*a))) {
        problems.push((Ask::Quantity, format!("no change read for {missed}, which the mail names over a part of its own")));
    }
    // "Bitte entfernen Sie eine Lizenz. Wir haben zwei Konten bei Ihnen: admin@labor… und
    // admin@praxis…": a change tied to none of the accounts the mail names.
    if accounts.several() && items.iter().any(|i| i.username.is_none()) {
        problems.push((Ask::Username, "the mail names several accounts, not which one the change is for".into()));
    }
    if raws.iter().any(|r| r.change.is_some() && accounts.joined(r, body)) {
        problems.push((Ask::Username, "the mail gives one change for two accounts named together".into()));
    }
    cross_check(items, raws, problems);
    unexplained(raws, readings, problems);
}

/// Every number of a sentence that asks for a change is explained (a quantity, today's count,
/// people, a date...); one that nothing explains may be the real quantity, so the mail asks.
fn unexplained(raws: &[explain::Raw], readings: &[Option<explain::Reading>], problems: &mut Vec<(Ask, String)>) {
    for r in raws.iter().filter(|r| r.change.is_some()) {
        let Some(Some(reading)) = readings.get(r.sentence) else { continue };
        let value = match r.change {
            Some(Change::Delta(d)) => d.abs(),
            Some(Change::Target(t)) => t,
            None => 0,
        };
        // "We want 14" after "today 10": the 14 is explained by the change it made.
        let wanted = |v: i64| r.from_current && reading.wanted.iter().any(|&(_, w)| w == v);
        if let Some(n) = reading.numbers.iter().find(|n| n.meaning == explain::Meaning::Unexplained && n.value != value && !wanted(n.value)) {
            problems.push((Ask::Quantity, format!("the number {} beside the change is not explained", n.value)));
            return;
        }
    }
}

/// A check independent of how the change was read: a change whose direction contradicts every
/// direction word of its own clause (removal words with a +N, adding words with a -N) asks.
fn cross_check(items: &[Item], raws: &[explain::Raw], problems: &mut Vec<(Ask, String)>) {
    for r in raws {
        let Some(Change::Delta(d)) = r.change else { continue };
        if r.from_current || !items.iter().any(|i| i.change == Change::Delta(d)) {
            continue;
        }
        let (add, remove) = r.clause_dirs;
        if (d > 0 && remove && !add) || (d < 0 && add && !remove) {
            problems.push((Ask::Direction, "the number and the words around it point in different directions".into()));
        }
    }
}

/// "Anna Claes, Pieter Goossens and Sofie Wuyts start on Monday. Please add a licence for each of
/// them - so 2 extra licences": three people named, two licences counted, and nobody said to
/// take over a licence. Which is right?
fn names_against_count(raws: &[explain::Raw], readings: &[Option<explain::Reading>], body: &[sentences::Sentence]) -> bool {
    let counted: i64 = raws.iter().filter(|r| !r.people).filter_map(|r| if let Some(Change::Delta(d)) = r.change { Some(d) } else { None }).sum();
    if counted <= 0 || readings.iter().flatten().any(|r| r.takes_over) {
        return false;
    }
    let Some(si) = raws.iter().filter(|r| r.change.is_some()).map(|r| r.sentence).find(|&k| body.get(k).is_some_and(|s| phrases().per_person.is_match(&s.text))) else {
        return false;
    };
    let named = |k: usize| body.get(k).and_then(|s| NAME_LIST.find_iter(&s.text).next().map(|m| ONE_NAME.find_iter(m.as_str()).count() as i64));
    let Some(people) = named(si).or_else(|| si.checked_sub(1).and_then(named)) else { return false };
    counted != people
}

/// "Dans mon mail d'hier, je vous ai demandé 4 licences … il en faut 5": a number for an
/// earlier request that is not quoted here. Was the 4 applied (one more now) or not yet (five in
/// all)? Not "I asked for 3 last week; please add 2 more": a change said as more comes on top;
/// nor a new total.
fn corrects_unquoted_request(raws: &[explain::Raw], body: &[sentences::Sentence], quoted: &str) -> bool {
    if !quoted.trim().is_empty() {
        return false;
    }
    let earlier: Vec<i64> = body
        .iter()
        .filter(|s| s.has_num() && phrases().asked_before.is_match(&s.text))
        .flat_map(sentences::Sentence::numbers)
        .collect();
    if earlier.is_empty() {
        return false;
    }
    let more = |si: usize| body.get(si).is_some_and(|s| s.toks.iter().any(|t| cues::is_in(t, &cues::lex().more_or_less) || cues::is_in(t, &cues::lex().more)));
    // A new total stands whatever became of the earlier request ("vorige week vroeg ik 4 extra …
    // terugzetten naar 32 in totaal").
    raws.iter().any(|r| matches!(r.change, Some(Change::Delta(d)) if !earlier.contains(&d.abs()) && !more(r.sentence)))
}

/// "Sie haben 3 Lizenzen hinzugefügt, wir wollten aber nur 2. Bitte 2 wieder entfernen": what
/// was done and what was wanted say one change (here -1); another number of seats asks.
fn mends_otherwise(raws: &[explain::Raw], body: &[sentences::Sentence]) -> bool {
    body.iter().enumerate().filter(|(_, s)| phrases().wanted_only.is_match(&s.text)).any(|(si, s)| {
        let nums: Vec<i64> = s.numbers().collect();
        let [done, wanted] = nums[..] else { return false };
        done != wanted && raws.iter().any(|r| r.sentence != si && matches!(r.change, Some(Change::Delta(d)) if d.abs() != (done - wanted).abs()))
    })
}

/// "Basic or Standard, not sure" or "E1 – or E3 if E1 cannot be combined": the sentence leaves
/// the product open.
fn product_left_open(s: &sentences::Sentence) -> bool {
    phrases().product_unsure.is_match(&s.text) || other_product_offered(s)
}

/// "Please add 4 Office 365 E1 to admin@x – or Office 365 E3 if E1 cannot be combined": after
/// a product, "or" right before another one (an article between at most) offers a choice.
fn other_product_offered(s: &sentences::Sentence) -> bool {
    let or_word = |t: &Tok| cues::is_in(t, &cues::lex().or_else);
    let toks = &s.toks;
    (1..toks.len()).any(|k| {
        or_word(&toks[k])
            && toks[k + 1..(k + 3).min(toks.len())].iter().find_map(|t| if let Tok::Product(b) = t { Some(*b) } else { None }).is_some_and(|b| {
                toks[..k].iter().any(|t| matches!(t, Tok::Product(a) if s.products.get(*a) != s.products.get(b)))
            })
    })
}

/// "une dizaine", "een vijftiental", "a few" counting something; not "for a few months", "at some
/// point".
fn vague_count(s: &sentences::Sentence) -> bool {
    s.toks.iter().enumerate().any(|(k, t)| {
        *t == Tok::Vague && !s.toks.get(k + 1).is_some_and(|n| matches!(n, Tok::Word(w) if cues::lex().time_noun.has(w) || cues::lex().things.start(w)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The phrases of each language are in `parse::lexicon::corpus`; here, what crosses them.
    #[test]
    fn the_same_request_in_two_languages_is_one_item() {
        // "onze" is "our" in the Dutch half of a mail that starts in French.
        let text = "Bonjour,\n\nMerci d'ajouter 2 licences Business Basic pour nos nouveaux collaborateurs.\n\nGoedemiddag,\n\nGraag 2 licenties Business Basic toevoegen voor onze nieuwe medewerkers.";
        let lang = crate::parse::language::detect(text);
        assert_eq!(lang, Some(Language::Fr));
        let u = understand(&Input { text, subject: None, sender: None, lang, quoted: "" }, &Catalog::builtin());
        assert_eq!(u.problem, None);
        assert_eq!(u.items.len(), 1);
        assert_eq!(u.items[0].change, Change::Delta(2));
    }

    #[test]
    fn a_subject_about_licences_makes_bare_signs_under_accounts_changes() {
        let text = "Bonjour,\n\nPirotte Transports (admin@a.onmicrosoft.com)\n+1\n\nPirotte Immo (admin@b.onmicrosoft.com)\n-2\n\nmerci !";
        let read = |subject| understand(&Input { text, subject, sender: None, lang: Some(Language::Fr), quoted: "" }, &Catalog::builtin());
        let u = read(Some("licences 2 sociétés"));
        let got: Vec<(Option<&str>, Change)> = u.items.iter().map(|i| (i.username.as_deref(), i.change)).collect();
        assert_eq!(got, vec![(Some("admin@a.onmicrosoft.com"), Change::Delta(1)), (Some("admin@b.onmicrosoft.com"), Change::Delta(-2))]);
        // Without a word of licences anywhere, a sign counts nothing we know.
        assert!(read(Some("2 sociétés")).items.is_empty());
    }

    #[test]
    fn a_subject_naming_another_product_than_the_body_asks() {
        let text = "Bonjour,\n\nMerci d'ajouter deux licences Microsoft 365 Business Premium sur admin@kine.onmicrosoft.com.";
        let read = |subject| understand(&Input { text, subject: Some(subject), sender: None, lang: Some(Language::Fr), quoted: "" }, &Catalog::builtin());
        let u = read("Ajout 2 licences Business Standard");
        assert_eq!(u.problem.map(|(ask, _)| ask), Some(Ask::Contradiction));
        // The same product, or a name that fits several ("Exchange"), is no contradiction.
        for subject in ["Ajout 2 licences Business Premium", "Ajout 2 licences"] {
            let u = read(subject);
            assert_eq!(u.problem, None, "{subject}");
            assert_eq!(u.items[0].change, Change::Delta(2));
        }
        // A name that fits several products (either E5) differs from the body's plan, unless the
        // body names it too ("… and what would E5 cost?").
        let e3 = "Hallo,\nwir brauchen 3 weitere Lizenzen Microsoft 365 E3.\nKonto: admin@x.onmicrosoft.com";
        let read_de = |text, subject| understand(&Input { text, subject: Some(subject), sender: None, lang: Some(Language::De), quoted: "" }, &Catalog::builtin());
        assert_eq!(read_de(e3, "3 zusätzliche E5-Lizenzen").problem.map(|(ask, _)| ask), Some(Ask::Contradiction));
        let asked = format!("{e3}\nUnd was würde E5 pro Monat kosten?");
        assert_eq!(read_de(&asked, "3 Lizenzen + Frage zu E5").problem, None);
    }

    #[test]
    fn an_answer_naming_the_account_we_asked_for_is_the_quoted_request_for_it() {
        let quoted = "________________________________\nVan: Webservices <webservices@reseller.test>\nAan: Sofie <sofie@ocmw.be>\nOnderwerp: Vraag: op welk account?\n\nWe hebben uw aanvraag goed ontvangen. Op welke gebruikersnaam mogen we de licenties toevoegen?\n\n________________________________\nVan: Sofie <sofie@ocmw.be>\nAan: webservices@reseller.test\nOnderwerp: 4 extra licenties\n\nGraag 4 extra licenties Microsoft 365 Business Standard voor de nieuwe medewerkers.";
        let read = |text| understand(&Input { text, subject: None, sender: Some("sofie@ocmw.be"), lang: Some(Language::Nl), quoted }, &Catalog::builtin());
        let u = read("Excuses, vergeten te vermelden: het gaat om admin@ocmw.onmicrosoft.com. Verder blijft de aanvraag zoals ze was.");
        assert_eq!(u.problem, None);
        assert_eq!(u.items.len(), 1);
        assert_eq!(u.items[0].username.as_deref(), Some("admin@ocmw.onmicrosoft.com"));
        assert_eq!(u.items[0].change, Change::Delta(4));
        assert_eq!(u.items[0].product.as_deref(), Some("O365_BUSINESS_PREMIUM"));
        // A number the request said already is no new one ("fyra st som jag skrev").
        let u = read("Het gaat om admin@ocmw.onmicrosoft.com, dus 4 zoals ik schreef.");
        assert_eq!(u.items.len(), 1);
        assert_eq!(u.items[0].change, Change::Delta(4));
        // An answer with a change of its own is read as it stands.
        let u = read("Het gaat om admin@ocmw.onmicrosoft.com, en graag 2 in plaats van 4.");
        assert!(u.items.iter().all(|i| i.change != Change::Delta(4)), "{:?}", u.items);
        // Under a question that asks no account, an address is no answer to it.
        let other = quoted.replace("Op welke gebruikersnaam mogen we de licenties toevoegen?", "Welk product bedoelt u?");
        let u = understand(&Input { text: "Het gaat om admin@ocmw.onmicrosoft.com.", subject: None, sender: Some("sofie@ocmw.be"), lang: Some(Language::Nl), quoted: &other }, &Catalog::builtin());
        assert!(u.items.is_empty());
    }

    #[test]
    fn a_request_only_in_the_subject_is_for_the_account_the_subject_names() {
        let read = |subject, text, lang| understand(&Input { text, subject: Some(subject), sender: Some("sophie@cabinet.be"), lang: Some(lang), quoted: "" }, &Catalog::builtin());
        let cases = [
            ("2 licenties erbij aub – admin@bakkerij.onmicrosoft.com", "\n\nVerzonden vanaf mijn iPhone", Language::Nl, Some("admin@bakkerij.onmicrosoft.com"), 2),
            ("Une licence en moins sur mon compte svp", "\n\nEnvoyé de mon iPhone", Language::Fr, Some("sophie@cabinet.be"), -1),
            // The body's own account comes first; a subject without one names none.
            ("Licences admin@bakkerij.onmicrosoft.com", "Graag 2 licenties erbij op beheer@bakkerij.be.", Language::Nl, Some("beheer@bakkerij.be"), 2),
            ("Licenties", "Graag 2 licenties erbij.", Language::Nl, None, 2),
        ];
        for (subject, text, lang, account, delta) in cases {
            let u = read(subject, text, lang);
            assert_eq!(u.problem, None, "{subject}");
            assert_eq!(u.items.len(), 1, "{subject}");
            assert_eq!(u.items[0].username.as_deref(), account, "{subject}");
            assert_eq!(u.items[0].change, Change::Delta(delta), "{subject}");
        }
    }
}

/// A debugging aid, not a test: what each step reads in one text or mail.
#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    #[ignore = "debugging aid: T='some text' or F=mail.eml cargo test --lib dbg_one -- --ignored --nocapture"]
    fn dbg_one() {
        let mut text = std::env::var("T").unwrap_or_default();
        if let Ok(f) = std::env::var("F") {
            let raw = std::fs::read(f).unwrap();
            let p = crate::parse::parse(&raw, &Catalog::builtin(), &crate::parse::Limits::default());
            eprintln!("TEXT<<{}>>", p.meta.text);
            text = p.meta.text;
        }
        if text.is_empty() { return; }
        let lang = crate::parse::language::detect(&text);
        let body = sentences::split(&tables::rewrite(&text), &Catalog::builtin(), lang);
        let kept = gate::read(&body, None, &text).kept;
        for (si, s) in body.iter().enumerate() {
            let r = explain::read(s, si, gate::asks_for_it(s), true);
            eprintln!("S{si}{} {:?}\n  toks {:?}\n  nums {:?}\n  raws {:?}\n  problems {:?}", if kept[si] { "" } else { " (left out)" }, s.text, s.toks, r.numbers, r.raws, r.problems);
        }
        let u = understand(&Input { text: &text, subject: None, sender: Some("x@y.be"), lang, quoted: "" }, &Catalog::builtin());
        eprintln!("{:?}", u);
    }
}

