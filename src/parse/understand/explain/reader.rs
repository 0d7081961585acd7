//! What the passes over one sentence share: the sentence, the facts about it computed once (a
//! long sentence full of numbers stays linear), the meaning given to each number so far, and the
//! candidate changes.

use super::{short, Meaning, Number, Raw, Reading};
use crate::parse::lexicon::phrases;
use crate::parse::numbers::Tok;
use crate::parse::products::Mention;
use crate::parse::understand::cues::*;
use crate::parse::understand::sentences::Sentence;
use crate::parse::{Ask, Change};

pub(super) struct Reader<'a> {
    pub s: &'a Sentence,
    si: usize,
    pub asks: bool,
    pub licence_talk: bool,
    pub toks: &'a [Tok],
    pub cues: &'a Cues,
    pub n: usize,
    /// A strong direction cue anywhere in the sentence.
    pub any_cue: bool,
    pub mentions_unit: bool,
    /// The sentence has a number in digits or words (an article or "the licence" then counts
    /// nothing).
    pub strong_present: bool,
    /// As `strong_present`, but "one of the new drivers" is no quantity: "ta bort en licens"
    /// beside it still counts one.
    pub quantity_present: bool,
    pub num_count: usize,
    pub change_verb: bool,
    pub need_verb: bool,
    /// "nodig", "nötig": a need, whose "hebben" says nothing of today's count.
    pub needs: bool,
    pub sdir: Option<Dir>,
    pub reuse: bool,
    /// A quantity field ("Anzahl: -2", "Aantal: 3") counts licences whatever words it lacks.
    pub quantity_field: bool,
    /// "3 licences for the interns do not work": a problem reported, not a change.
    problem: bool,
    weak_sentence: bool,
    /// Whether a word of today's state ("we have", "currently") came before each token.
    pub context_before: Vec<bool>,
    pub meaning: Vec<Option<Number>>,
    /// Numbers already explained by a pass (the other end of a "from … to").
    pub used: Vec<bool>,
    /// A number said again at once ("18 – halt, Moment: 19"): the value read in its place.
    pub restated: Vec<Option<i64>>,
    raws: Vec<Raw>,
    pub r: Reading,
}

impl<'a> Reader<'a> {
    pub fn new(s: &'a Sentence, si: usize, asks: bool, licence_talk: bool) -> Reader<'a> {
        let toks = &s.toks[..];
        let cues = &s.cues[..];
        let n = toks.len();
        let mut r = Reading {
            unsure: phrases().unsure.is_match(&s.text),
            correction: phrases().correction.is_match(&s.text),
            recalled: phrases().recalled.is_match(&s.text),
            retract: phrases().retract.is_match(&s.text),
            says_total: toks.iter().any(|t| is_in(t, &lex().total)),
            narrows: toks.iter().any(|t| is_in(t, &lex().only) || is_in(t, &lex().enough)),
            also: phrases().also.is_match(&s.text) || toks.iter().any(|t| is_in(t, &lex().more_or_less)),
            para: s.para,
            ..Reading::default()
        };
        let any_cue = cues.iter().flatten().any(|(_, strong)| *strong);
        r.dirs = strong_dirs(cues);
        // "add licences", "adjust our licences to the attached list": the sentence is about changing seats.
        // "Wij hebben Microsoft 365 Apps for business nodig voor de nieuwe tekenaars": licences
        // needed for new people, with no number, ask how many.
        // Not "I need to document …", "No changes are needed", "does every driver need his own
        // licence?".
        let need_for_new = || {
            let need = toks.iter().enumerate().any(|(k, t)| {
                is_need(t) && !toks.get(k + 1).is_some_and(|n| is_in(n, &lex().need_not))
            });
            need && !s.text.contains('?')
                && !toks.iter().any(|t| is_in(t, &lex().negation))
                && toks.iter().any(|t| is_in(t, &lex().add_weak) || is_in(t, &lex().other) || is_people(t))
        };
        r.intent = (any_cue || has_change_verb(toks) || need_for_new()) && toks.iter().any(is_licence_noun);
        let reuse = phrases().reuse.is_match(&s.text);
        r.takes_over = reuse;
        r.purchase = s.label.as_deref().is_some_and(super::is_price_label);
        let mut context_before = Vec::with_capacity(n);
        let mut seen_context = false;
        for t in toks {
            context_before.push(seen_context);
            seen_context |= is_in(t, &lex().context);
        }
        let problem = phrases().problem.is_match(&s.text);
        // A problem reported says no direction for the rest of the mail either.
        if problem && !asks {
            r.dirs.clear();
        }
        Reader {
            s,
            si,
            asks,
            licence_talk,
            toks,
            cues,
            n,
            any_cue,
            mentions_unit: toks.iter().any(is_unit),
            strong_present: toks.iter().any(|t| matches!(t, Tok::Num { .. })),
            quantity_present: (0..n).any(|i| matches!(toks[i], Tok::Num { .. }) && !one_of_people(toks, i)),
            num_count: toks.iter().filter(|t| matches!(t, Tok::Num { .. })).count(),
            change_verb: has_change_verb(toks),
            need_verb: toks.iter().any(|t| is_in(t, &lex().need)),
            needs: toks.iter().any(|t| is_in(t, &lex().need_adjective)),
            sdir: sentence_dir(cues),
            reuse,
            quantity_field: s.label.as_deref().is_some_and(super::is_quantity_label),
            problem,
            weak_sentence: weak_sentence(toks, cues),
            context_before,
            meaning: vec![None; n],
            used: vec![false; n],
            restated: vec![None; n],
            raws: Vec::new(),
            r,
        }
    }

    /// The token `k` places before number `i`.
    pub fn prev(&self, i: usize, k: usize) -> Option<&'a Tok> {
        if i >= k { self.toks.get(i - k) } else { None }
    }

    /// Whether a token of `toks[lo..hi]` (cut to the sentence) passes `f`.
    pub fn any_in(&self, lo: usize, hi: usize, f: impl Fn(&Tok) -> bool) -> bool {
        self.toks[lo.min(self.n)..hi.min(self.n)].iter().any(f)
    }

    pub fn set(&mut self, i: usize, m: Meaning) {
        if let Tok::Num { value } = self.toks[i] {
            let value = self.restated[i].unwrap_or(value);
            self.meaning[i] = Some(Number { value, meaning: m, joining: 0 });
        }
    }

    pub fn ask(&mut self, why: String) {
        self.r.problems.push((Ask::Quantity, why));
    }

    pub fn no_exact_number(&mut self) {
        let why = format!("no exact number of seats in \"{}\"", short(&self.s.text));
        self.ask(why);
    }

    /// A candidate change read from number `i`, with what its sentence says about it.
    pub fn push(&mut self, change: Option<Change>, undirected: Option<i64>, i: usize, from_current: bool) {
        let (toks, n) = (self.toks, self.n);
        let (lo, hi) = clause_of(toks, i);
        // "kan ni ångra gårdagens +5", "please undo yesterday's 5 extra", "die 5 von gestern
        // rückgängig machen": the change undone, the other way.
        let undone = matches!(change, Some(Change::Delta(_))) && undoes(toks, i, lo, hi);
        let change = match change {
            Some(Change::Delta(d)) if undone => Some(Change::Delta(-d)),
            c => c,
        };
        let weak = change.is_some() && undirected.is_none() && !signed_at(toks, i) && self.weak_sentence && !from_current;
        // "3 licences for the interns do not work", "3 users can no longer activate Word": a
        // report of a problem, not a change, unless the sentence asks for one.
        if self.problem && (weak || !self.asks) {
            return;
        }
        let weak = weak && change.is_some();
        let attached = self.quantity_field
            || signed_at(toks, i)
            || toks[i + 1..(i + 4).min(n)].iter().any(is_licence_noun)
            // "Exchange Online (Plan 1): 2x erbij": brackets and colons between do not part them.
            || toks[..i].iter().rev().filter(|t| !matches!(t, Tok::Punct(_))).take(2).any(|t| matches!(t, Tok::Product(_)) || is_licence_noun(t))
            // The number an account's line gives it.
            || right_after_account(toks, i)
            // "* Microsoft 365 Business Standard: ta bort 1": a line the product heads.
            || toks.iter().position(|t| !matches!(t, Tok::Punct(_))).is_some_and(|k| {
                k < i && i <= k + 5 && matches!(toks[k], Tok::Product(_)) && matches!(toks.get(k + 1), Some(Tok::Punct(':'))) && !toks[k..i].iter().any(|t| matches!(t, Tok::Punct('(') | Tok::Num { .. }))
            });
        let dirs = strong_dirs(&self.cues[lo..hi]);
        let other_account = self.other_account(i);
        let people = self.meaning[i].is_some_and(|m| m.meaning == Meaning::People);
        let raw = Raw {
            change,
            weak,
            undirected,
            product: self.product_near(i),
            near_email: if other_account { None } else { self.email_near(i) },
            other_account,
            sentence: self.si,
            para: self.s.para,
            attached,
            asks: self.asks,
            from_current,
            people,
            // "the other two (need one)": people still counted as licences, not people told of.
            rest: !people && ((i > 0 && is_in(&toks[i - 1], &lex().other)) || toks.get(i + 1).is_some_and(|t| is_in(t, &lex().other))),
            at: i,
            // The clause's direction words describe the change undone.
            clause_dirs: if undone {
                (dirs.contains(&Dir::Remove), dirs.contains(&Dir::Add))
            } else {
                (dirs.contains(&Dir::Add), dirs.contains(&Dir::Remove))
            },
        };
        self.raws.push(raw);
    }

    /// A change on a product the sentence names apart from the number (one side of a move).
    pub fn push_on(&mut self, change: Change, i: usize, product: Mention) {
        let before = self.raws.len();
        self.push(Some(change), None, i, false);
        if let Some(r) = self.raws.get_mut(before) {
            r.product = Some(product);
            r.attached = true;
            r.weak = false;
        }
    }

    /// The product nearest to number `i`, with no other number between them.
    fn product_near(&self, i: usize) -> Option<Mention> {
        let (toks, n) = (self.toks, self.n);
        let mut best: Option<(usize, usize)> = None;
        // A product far from the number belongs to another part of the sentence.
        let lo = i.saturating_sub(12);
        for (j, t) in toks.iter().enumerate().take((i + 13).min(n)).skip(lo) {
            if let Tok::Product(k) = t {
                if j == i {
                    // A move's change counted by "sa licence" stands on its product.
                    return self.s.products.get(*k).cloned();
                }
                // Between the quantity and a product there must be no other quantity.
                let (a, b) = if j < i { (j, i) } else { (i, j) };
                if toks[a + 1..b].iter().any(|t| matches!(t, Tok::Num { .. })) {
                    continue;
                }
                let dist = if j > i { (j - i) * 2 } else { (i - j) * 2 + 1 };
                if best.is_none_or(|(bd, _)| dist < bd) {
                    best = Some((dist, *k));
                }
            }
        }
        best.and_then(|(_, k)| self.s.products.get(k).cloned())
    }

    fn email_near(&self, i: usize) -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        for (j, t) in self.toks.iter().enumerate() {
            if let Tok::Email(k) = *t {
                // "3 for jan@x and 2 for piet@y": on a tie the address after the number wins.
                let dist = if j > i { (j - i) * 2 } else { (i - j) * 2 + 1 };
                if best.is_none_or(|(bd, _)| dist < bd) {
                    best = Some((dist, k));
                }
            }
        }
        best.map(|(_, k)| k)
    }

    /// "… en 3 E1 verwijderen op het account van de crèches", "sur l'autre compte": the number's
    /// clause names an account in words and gives no address; the address another clause gives is
    /// not its account.
    fn other_account(&self, i: usize) -> bool {
        let (lo, hi) = clause_of(self.toks, i);
        let clause = &self.toks[lo..hi];
        !clause.iter().any(|t| matches!(t, Tok::Email(_)))
            && (0..clause.len()).any(|k| {
                is_in(&clause[k], &lex().account_noun)
                    // "8 Benutzer von Business Premium": users of a product, no account.
                    && ((clause.get(k + 1).is_some_and(|t| is_in(t, &lex().of)) && !matches!(clause.get(k + 2), Some(Tok::Product(_))))
                        || k > 0 && is_in(&clause[k - 1], &lex().other))
            })
    }

    /// The sentence-wide corrections, and the reading.
    pub fn finish(mut self) -> Reading {
        // "One person will not join after all: please reduce to 12", "auf 12 erhöhen, zwei neue
        // Kollegen beginnen": a new total asked in so many words beats a count of people in the same
        // sentence; only quantities of licences stay beside it.
        if self.raws.iter().any(|r| matches!(r.change, Some(Change::Target(_))) && !r.from_current) {
            self.raws.retain(|r| matches!(r.change, Some(Change::Target(_))) || r.attached || r.from_current);
        }
        bracketed_parts(self.toks, &mut self.raws, &mut self.meaning);
        bracketed_asides(self.toks, &mut self.raws, &mut self.meaning);
        people_parts(self.toks, &self.raws, &mut self.meaning);
        self.r.raws = self.raws;
        self.r.numbers = self.meaning.into_iter().flatten().collect();
        self.r
    }
}

/// "Twee assistenten zijn vertrokken (één met pensioen, één verhuisd)": smaller numbers in
/// brackets after a count of people, that no change was read from, say who the people are.
fn people_parts(toks: &[Tok], raws: &[Raw], meaning: &mut [Option<Number>]) {
    let mut people: Option<(i64, i8)> = None;
    for (k, depth) in bracket_depths(toks).into_iter().enumerate() {
        let Some(num) = meaning[k] else { continue };
        if depth == 0 {
            people = (num.meaning == Meaning::People).then_some((num.value, num.joining));
        } else if let Some((whole, joining)) = people {
            let unread = matches!(num.meaning, Meaning::Change | Meaning::Unexplained) && !raws.iter().any(|r| r.at == k);
            if unread && num.value < whole {
                meaning[k] = Some(Number { meaning: Meaning::People, joining, ..num });
            }
        }
    }
}

/// "3 st till av Apps för företag (kassan + två i bageriet)", "4 extra licences (2 for sales and
/// one for the warehouse)": smaller numbers in brackets after a change say what it is made of;
/// they are no changes of their own (the sum need not be written out: "the till" is one).
fn bracketed_parts(toks: &[Tok], raws: &mut Vec<Raw>, meaning: &mut [Option<Number>]) {
    let depth = bracket_depths(toks);
    let size = |r: &Raw| match r.change {
        Some(Change::Delta(v)) => Some(v.abs()),
        _ => None,
    };
    let parts: Vec<usize> = raws
        .iter()
        .filter(|p| depth.get(p.at).is_some_and(|&d| d > 0))
        .filter(|p| {
            raws.iter().any(|m| {
                m.at < p.at
                    && depth.get(m.at) == Some(&0)
                    && size(m).zip(size(p).or(p.undirected.map(i64::abs))).is_some_and(|(whole, part)| part < whole)
                    // "(and remove 1 Basic)" in brackets is a change of its own.
                    && !matches!((m.change, p.change), (Some(Change::Delta(a)), Some(Change::Delta(b))) if a.signum() != b.signum())
                    && (p.product.is_none() || p.product == m.product)
                    // The bracket opens after the change, before anything else is said.
                    && toks[m.at..p.at].iter().filter(|t| matches!(t, Tok::Punct('(' | ')' | '.' | ';' | '?' | '!'))).count() == 1
            })
        })
        .map(|p| p.at)
        .collect();
    if parts.is_empty() {
        return;
    }
    raws.retain(|r| !parts.contains(&r.at));
    for k in parts {
        if let Some(Some(num)) = meaning.get_mut(k) {
            num.meaning = Meaning::Thing;
        }
    }
}

/// "(job no. 25-0412, 48-sheet posters plus 6 radio spots)": a number in brackets that say
/// nothing of licences, products, units or accounts counts something else; it is no change.
fn bracketed_asides(toks: &[Tok], raws: &mut Vec<Raw>, meaning: &mut [Option<Number>]) {
    let depth = bracket_depths(toks);
    let licence_talk = |t: &Tok| matches!(t, Tok::Product(_) | Tok::Email(_)) || is_licence_noun(t) || is_unit(t) || is_people(t);
    let aside = |at: usize| {
        if depth.get(at).is_none_or(|&d| d == 0) || signed_at(toks, at) {
            return false;
        }
        let open = (0..at).rev().find(|&k| matches!(toks[k], Tok::Punct('('))).unwrap_or(0);
        let close = (at..toks.len()).find(|&k| matches!(toks[k], Tok::Punct(')'))).unwrap_or(toks.len());
        // "(nous en avons 19, il en restera 18)": today's count makes it licence talk.
        let today = (open..close).any(|k| meaning.get(k).and_then(|m| m.as_ref()).is_some_and(|m| m.meaning == Meaning::Current));
        !today && !toks[open..close].iter().any(licence_talk)
    };
    let asides: Vec<usize> = raws.iter().filter(|r| !r.attached && !r.people && !r.from_current && r.product.is_none() && aside(r.at)).map(|r| r.at).collect();
    raws.retain(|r| !asides.contains(&r.at));
    for k in asides {
        if let Some(Some(num)) = meaning.get_mut(k) {
            num.meaning = Meaning::Thing;
        }
    }
}

/// How many brackets are open before each token.
pub(super) fn bracket_depths(toks: &[Tok]) -> Vec<usize> {
    let mut d = 0usize;
    toks.iter()
        .map(|t| {
            let before = d;
            match t {
                Tok::Punct('(') => d += 1,
                Tok::Punct(')') => d = d.saturating_sub(1),
                _ => {}
            }
            before
        })
        .collect()
}

/// "en av de nya chaufförerna", "one of the new drivers": one picked out of a group, not a
/// quantity; "ta bort en licens" beside it still counts its licence.
pub(super) fn one_of_people(toks: &[Tok], i: usize) -> bool {
    matches!(toks[i], Tok::Num { value: 1 })
        && toks.get(i + 1).is_some_and(|t| is_in(t, &lex().of))
        && !toks[i + 2..(i + 5).min(toks.len())].iter().any(is_unit)
}

/// Number `i`'s clause `lo..hi` undoes a change: an undo word with no other number between them.
fn undoes(toks: &[Tok], i: usize, lo: usize, hi: usize) -> bool {
    (lo..hi).any(|k| is_in(&toks[k], &lex().undo) && !toks[k.min(i) + 1..k.max(i)].iter().any(|t| matches!(t, Tok::Num { .. })))
}
