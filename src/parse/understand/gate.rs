//! Step 2: which sentences ask for something. A how-to question, a price question, thanks for a
//! change already made, a report of a past change, a billing complaint or a hedge ("maybe next
//! month") is read, but its numbers are no request. When the whole mail reads as such a thing
//! (it *declines*), only a sentence that asks in so many words ("and please add 2 more") makes it
//! a request.

use super::cues::{is_in, lex, offered_pairs};
use super::sentences::Sentence;
use crate::parse::classify;
use crate::parse::lexicon::phrases;
use crate::parse::numbers::{self, Tok};

/// What the gate makes of the text.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    /// Per sentence: its numbers may be a request.
    pub kept: Vec<bool>,
    /// The mail as a whole reads as something else than a request (a how-to subject, a password
    /// problem, phishing, "we are not ordering yet").
    pub declines: bool,
    /// A sentence reads as something else (a question, a report of a change made, thanks for it,
    /// a complaint): the mail declines unless it also states a change of licences plainly.
    pub soft_declines: bool,
    /// A sentence speaks of invoices, credit notes or billing details: the mail is about billing
    /// unless it also states a change of licences plainly.
    pub billing: bool,
    /// A sentence was left out because it asks a price, a how-to or an open question.
    pub skipped_question: bool,
}

/// Whether a sentence asks in so many words: a request marker ("please", "graag", "merci de",
/// "bitte", "kan ni", "could you", "we need"...) or an imperative change verb at its start
/// ("Add 2 more", "Voeg 3 licenties toe").
pub(crate) fn asks_for_it(s: &Sentence) -> bool {
    if phrases().request.is_match(&s.text) || modal_start(&s.toks) {
        return true;
    }
    let first = s.toks.iter().position(|t| !matches!(t, Tok::Punct(_)) && !is_in(t, &lex().opener));
    first.is_some_and(|j| s.cues[j].is_some_and(|(_, strong)| strong) && matches!(s.toks[j], Tok::Word(_)))
}

/// A yes/no question opened by a modal verb asks for the change: "Can we get 2 more?", "Mogen we
/// naar 25?", "Pouvons-nous passer à 15 ?", "Können wir 2 weitere haben?", "Får vi 3 till?".
fn modal_start(toks: &[Tok]) -> bool {
    let mut words = toks.iter().filter(|t| !matches!(t, Tok::Punct(_)));
    match words.next() {
        Some(t) if is_in(t, &lex().greeting) => words.find(|t| !is_in(t, &lex().greeting)).is_some_and(is_modal),
        Some(t) => is_modal(t),
        None => false,
    }
}

fn is_modal(t: &Tok) -> bool {
    // "pouvez-vous", "est-ce": the verb is the first part of a hyphenated word.
    matches!(t, Tok::Word(w) if lex().modal.has(w) || w.split('-').next().is_some_and(|v| lex().modal.has(v)) || w == "est-ce")
}

/// "ongeveer 10 licenties", "une dizaine", "probably 8 or 9": a quantity the sentence only
/// guesses, or several it cannot choose between.
fn guesses(s: &Sentence) -> bool {
    let toks = &s.toks;
    let guessed = toks.iter().enumerate().any(|(i, t)| match t {
        Tok::Vague | Tok::Range => true,
        // "actually maybe 3": a number right after "maybe" is a guess too.
        Tok::Num { .. } => i > 0 && (is_in(&toks[i - 1], &lex().approx) || is_in(&toks[i - 1], &lex().maybe)),
        _ => false,
    });
    guessed || offered_pairs(toks).next().is_some()
}

/// Read every sentence of the body (with the authored subject and the whole text for the
/// mail-wide signals).
pub(crate) fn read(body: &[Sentence], subject: Option<&str>, text: &str) -> Gate {
    let ph = phrases();
    // "nog niets wijzigen aan de looptijd": the term stays, the seats may change.
    let not_yet = body.iter().any(|s| ph.not_yet.is_match(&s.text) && !s.toks.iter().any(|t| matches!(t, Tok::Word(w) if super::cues::lex().term.has(w))));
    let mut g = Gate {
        declines: subject.is_some_and(|s| classify::how_question(s) || ph.tell_me.is_match(s))
            || classify::password(text)
            || classify::phishing(text)
            || subject.is_some_and(classify::phishing)
            || not_yet,
        ..Gate::default()
    };
    // Searched at most once, and only for a hedged sentence with a number (most mails have none).
    let unsure_mail = std::cell::OnceCell::new();
    for s in body {
        // "Would it be possible to add two?" asks for the change, not for information.
        let question = ph.info_question.is_match(&s.text) && s.text.contains('?') && !ph.request.is_match(&s.text);
        // "add three at the price of 5,10 € like the others?" knows the price: no price question.
        let price = ph.price.is_match(&s.text) && (s.text.contains('?') || ph.info_question.is_match(&s.text)) && !numbers::names_amount(&s.text);
        // "Thanks for adding the 3 licences" and "Thanks, the 3 licences are there" look back;
        // "thanks in advance for adding 3" and "thanks, and please add 2" still ask.
        let no_cue = !s.has_strong_cue();
        let asks = asks_for_it(s);
        // "… so 4 is enough please … thanks for asking last time" (a mail typed as one sentence):
        // thanks after the numbers look back on something else.
        let thanks_for = ph.thanks_for.find_iter(&s.text).next().is_some_and(|m| m.start() < 80 && !s.text[..m.start()].contains(|c: char| c.is_ascii_digit()));
        let thanks = !ph.in_advance.is_match(&s.text)
            && (thanks_for || (ph.thanks_start.is_match(&s.text) && !ph.thanks_asking.is_match(&s.text) && (no_cue || !asks)));
        let carries_number = s.has_num();
        // "Do we still have 2 free?" asks about the state; "Could you add 2?" asks for a change.
        // "Heeft zo'n gedeelde mailbox zelf een licentie nodig?", "Faut-il une licence par
        // opérateur ?": a yes/no question about one licence asks how licensing works.
        let one_licence = s.toks.windows(2).any(|w| matches!(w[0], Tok::Article(_)) && super::cues::is_licence_noun(&w[1]));
        let open_question = s.text.contains('?') && (carries_number || (one_licence && s.text.trim_end().ends_with('?'))) && !asks;
        // "We got 3 extra licences last week": a report, unless the sentence also asks.
        let reported = ph.past_report.is_match(&s.text) && !asks;
        let how = classify::how_question(&s.text) || ph.tell_me.is_match(&s.text) || question;
        let complaint = classify::complaint(&s.text);
        // "Please remove 1 licence and send the invoice to ...": the removal still counts.
        let billing = classify::billing(&s.text) && no_cue;
        // "Please keep the 23 Business Standard licences as they are": left out, but no decline
        // of the mail; the change may be in another sentence.
        let unchanged = ph.no_change.is_match(&s.text) && no_cue;
        let past = ph.past.is_match(&s.text);
        let done = ph.done.is_match(&s.text);
        g.declines |= how || complaint;
        g.soft_declines |= reported || past || done || (thanks && carries_number);
        g.billing |= billing;
        // "probably 6 to 8, I still have to confirm the number": the need is said, its number is
        // open; such a sentence asks for the number instead of being left out as a maybe.
        // So is "about 10 licences, maybe a few more": the guess asks; and a number hedged in a
        // mail that says the number is not final yet ("peut-être plus. Je vous confirme le nombre
        // exact la semaine prochaine").
        let number_open = || s.has_num() && *unsure_mail.get_or_init(|| ph.unsure.is_match(text));
        let hedged = ph.hedge.is_match(&s.text) && !ph.unsure.is_match(&s.text) && !guesses(s) && !number_open();
        // "Revit: de 3 extra seats bestel ik zelf, daar hoeven jullie niets voor te doen".
        let not_for_us = ph.nothing_for_us.is_match(&s.text);
        // "Two questions, we're not ordering anything yet: … would those 6 people first need
        // Business Standard?": in such a mail a question asks, it orders nothing.
        let held_back = not_yet && s.text.contains('?');
        // "It's 3 in total, not 6 - please process it only once": how often, no change of its own.
        let once = ph.only_once.is_match(&s.text);
        // "Reason: new shift supervisors plant 2": why, not what.
        let reason = s.label.as_deref().is_some_and(|l| super::cues::lex().reason_label.has(l));
        let skip = reason || not_for_us || thanks || hedged || past || done || price || how || billing || unchanged || complaint || open_question || reported || held_back || once;
        g.skipped_question |= skip && (question || price || open_question || how || held_back);
        g.kept.push(!skip);
    }
    g
}
