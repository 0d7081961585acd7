//! Step 3: every number of a sentence explained. Dates, phones, prices, references, addresses
//! and versions were masked when the sentence was tokenized; what is left gets one [`Meaning`]:
//! a change of licences, a new total, today's quantity, a count of people or of other things, a
//! number taken back, one of several alternatives, an approximation, or nothing at all.
//!
//! Changes come out as [`Raw`] candidates with what the sentence says about them (direction,
//! product, how firmly the sentence asks); the mail-level steps combine them.

use super::cues::*;
use crate::parse::lexicon::phrases;
use super::sentences::Sentence;
use crate::parse::numbers::Tok;
use crate::parse::products::Mention;
use crate::parse::{Ask, Change};

/// What one number of the customer's text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meaning {
    /// Seats to add or remove, or a change whose direction the sentence leaves open.
    Change,
    /// The wanted total.
    Target,
    /// Today's quantity ("we have 12", "currently 30").
    Current,
    /// People, not licences ("three new colleagues", "two people leave").
    People,
    /// People who take over a licence that is already there ("one of them takes over Ann's").
    Reuse,
    /// A count of something else (shops, laptops, sites), or commentary.
    Thing,
    /// Taken back: "not 3 but 4", "4 instead of 3".
    TakenBack,
    /// One of several: "3 or 4", "between 5 and 7".
    Alternative,
    /// "about ten", "ungefähr 10".
    Approximate,
    /// Nothing explains it.
    Unexplained,
}

/// One number and its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Number {
    pub value: i64,
    pub meaning: Meaning,
    /// People counts: joining (+1), leaving (-1), unknown (0).
    pub joining: i8,
}

/// A candidate change read from one number.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub change: Option<Change>,
    /// The direction came only from a weak cue ("new", "nieuwe").
    pub weak: bool,
    /// Delta without a stated direction (filled from the rest of the mail, or asked).
    pub undirected: Option<i64>,
    pub product: Option<Mention>,
    /// Index of the sentence's address nearest to the number, if any.
    pub near_email: Option<usize>,
    pub sentence: usize,
    pub para: usize,
    /// The number stands next to a licence word or product ("3 licences", "Business Standard: 2")
    /// or carries a sign; "one person", "two new colleagues" are counts of people.
    pub attached: bool,
    /// The sentence asks for it in so many words ("please", "kunnen jullie", an imperative).
    pub asks: bool,
    /// Read from today's quantity and a wanted total stated together.
    pub from_current: bool,
    /// The number counts people ("three new colleagues"), not licences.
    pub people: bool,
    /// "the other two": the people left once some took over a licence.
    pub rest: bool,
    /// Direction words in the number's own clause: (adding, removing).
    pub clause_dirs: (bool, bool),
    /// Where the number stands in its sentence (token index).
    pub at: usize,
}

/// What one sentence says with its numbers.
#[derive(Debug, Default)]
pub(crate) struct Reading {
    pub raws: Vec<Raw>,
    pub numbers: Vec<Number>,
    pub problems: Vec<(Ask, String)>,
    /// Direction cues seen (for the subject against the body, and undirected quantities).
    pub dirs: Vec<Dir>,
    /// The sentence speaks of changing seats (a cue next to a licence word or product).
    pub intent: bool,
    /// The sentence says a number is not final ("I still have to confirm the number").
    pub unsure: bool,
    /// The sentence corrects an earlier one ("Sorry, it must be 5").
    pub correction: bool,
    /// Numbers right after a want or need, with no direction word of their own ("We want 14"):
    /// the wanted total when another sentence gave today's count (token index, value).
    pub wanted: Vec<(usize, i64)>,
    /// Numbers that only "nog"/"noch" just before makes an addition ("nog 19 nodig"): after
    /// today's count they may be the total still needed (token index, value).
    pub still: Vec<(usize, i64)>,
    /// The sentence says someone takes over a licence already there ("one of them takes over
    /// Peter's licence").
    pub takes_over: bool,
    /// Totals that say what is left once the change is made ("il en restera 18") (token index).
    pub results: Vec<usize>,
    pub para: usize,
}


pub(crate) fn is_thing(t: &Tok) -> bool {
    matches!(t, Tok::Word(w) if lex().things.start(w))
}

fn short(s: &str) -> String {
    let t: String = s.chars().take(60).collect();
    if t.len() < s.len() { format!("{t}...") } else { t }
}

/// Quantities of one sentence and what they mean.
/// `licence_talk`: the mail speaks of licences or names a product somewhere, so a sign that opens
/// a line ("+1 (new assistant)" under a tenant's name) is a change.
pub(crate) fn read(s: &Sentence, si: usize, asks: bool, licence_talk: bool) -> Reading {
    let toks = &s.toks;
    let cues = &s.cues;
    let n = toks.len();
    let mut r = Reading {
        unsure: phrases().unsure.is_match(&s.text),
        correction: phrases().correction.is_match(&s.text),
        para: s.para,
        ..Reading::default()
    };
    let any_cue = cues.iter().flatten().any(|(_, strong)| *strong);
    r.dirs = strong_dirs(cues);
    let mentions_unit = toks.iter().any(is_unit);
    // "add licences", "adjust our licences to the attached list": the sentence is about changing seats.
    r.intent = (any_cue || has_change_verb(toks)) && toks.iter().any(is_licence_noun);
    let strong_present = toks.iter().any(|t| matches!(t, Tok::Num { .. }));
    // Sentence-wide facts, computed once: a long sentence full of numbers stays linear.
    let num_count = toks.iter().filter(|t| matches!(t, Tok::Num { .. })).count();
    let change_verb = has_change_verb(toks);
    let need_verb = toks.iter().any(|t| is_in(t, &lex().need));
    let needs = toks.iter().any(|t| is_w(t, &["nodig", "nötig"]));
    let sdir = sentence_dir(cues);
    let weak_sentence = weak_sentence(toks, cues);
    let reuse = phrases().reuse.is_match(&s.text);
    r.takes_over = reuse;
    // A quantity field ("Anzahl: -2", "Aantal: 3") counts licences whatever words it lacks.
    let quantity_field = s.label.as_deref().is_some_and(is_quantity_label);
    let mut context_before = Vec::with_capacity(n);
    let mut seen_context = false;
    for t in toks {
        context_before.push(seen_context);
        seen_context |= is_in(t, &lex().context);
    }
    let mut meaning: Vec<Option<Number>> = vec![None; n];
    let set = |meaning: &mut Vec<Option<Number>>, i: usize, m: Meaning| {
        if let Tok::Num { value } = toks[i] {
            meaning[i] = Some(Number { value, meaning: m, joining: 0 });
        }
    };
    let product_near = |i: usize| -> Option<Mention> {
        let mut best: Option<(usize, usize)> = None;
        // A product far from the number belongs to another part of the sentence.
        let lo = i.saturating_sub(12);
        for (j, t) in toks.iter().enumerate().take((i + 13).min(n)).skip(lo) {
            if let Tok::Product(k) = t {
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
        best.and_then(|(_, k)| s.products.get(k).cloned())
    };
    let email_near = |i: usize| -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        for (j, t) in toks.iter().enumerate() {
            if let Tok::Email(k) = *t {
                // "3 for jan@x and 2 for piet@y": on a tie the address after the number wins.
                let dist = if j > i { (j - i) * 2 } else { (i - j) * 2 + 1 };
                if best.is_none_or(|(bd, _)| dist < bd) {
                    best = Some((dist, k));
                }
            }
        }
        best.map(|(_, k)| k)
    };
    let problem = phrases().problem.is_match(&s.text);
    // A problem reported says no direction for the rest of the mail either.
    if problem && !asks {
        r.dirs.clear();
    }
    let mut raws: Vec<Raw> = Vec::new();
    let push = |change: Option<Change>, undirected: Option<i64>, i: usize, from_current: bool, meaning: &[Option<Number>], raws: &mut Vec<Raw>| {
        let weak = change.is_some() && undirected.is_none() && !signed_at(toks, i) && weak_sentence && !from_current;
        // "3 licences for the interns do not work", "3 users can no longer activate Word": a
        // report of a problem, not a change, unless the sentence asks for one.
        if problem && (weak || !asks) {
            return;
        }
        let weak = weak && change.is_some();
        let attached = quantity_field
            || signed_at(toks, i)
            || toks[i + 1..(i + 4).min(n)].iter().any(is_licence_noun)
            // "Exchange Online (Plan 1): 2x erbij": brackets and colons between do not part them.
            || toks[..i].iter().rev().filter(|t| !matches!(t, Tok::Punct(_))).take(2).any(|t| matches!(t, Tok::Product(_)) || is_licence_noun(t));
        raws.push(Raw {
            change,
            weak,
            undirected,
            product: product_near(i),
            near_email: email_near(i),
            sentence: si,
            para: s.para,
            attached,
            asks,
            from_current,
            people: meaning[i].is_some_and(|m| m.meaning == Meaning::People),
            rest: (i > 0 && is_in(&toks[i - 1], &lex().other)) || toks.get(i + 1).is_some_and(|t| is_in(t, &lex().other)),
            at: i,
            clause_dirs: {
                let (lo, hi) = clause_of(toks, i);
                let dirs = strong_dirs(&cues[lo..hi]);
                (dirs.contains(&Dir::Add), dirs.contains(&Dir::Remove))
            },
        });
    };
    let mut used = vec![false; n];

    // "from 10 to 15" / "van 10 naar 7" / "de 10 à 15" / "von 10 auf 15" / "från 10 till 15", and
    // without "from" where the word cannot mean a range: "30 auf 26", "14 naar 11", "12 -> 10".
    for i in 0..n {
        let Tok::Num { value: a } = toks[i] else { continue };
        let from = i > 0 && is_in(&toks[i - 1], &lex().from);
        for k in i + 1..(i + 5).min(n) {
            let to_word = is_in(&toks[k], &lex().to) || is_in(&toks[k], &lex().to_not_range) || is_w(&toks[k], &["bis", "tot"]);
            let arrow = matches!(toks[k], Tok::Punct('→' | '>')) && k == i + 1 || (matches!(toks[k], Tok::Punct('-' | '=')) && matches!(toks.get(k + 1), Some(Tok::Punct('>'))));
            let no_range = is_in(&toks[k], &lex().to_not_range) || arrow;
            if (to_word && (from || (no_range && k == i + 1))) || arrow {
                let b_at = if matches!(toks.get(k + 1), Some(Tok::Punct('>'))) { k + 2 } else { k + 1 };
                if let Some(Tok::Num { value: b }) = toks.get(b_at) {
                    used[i] = true;
                    used[b_at] = true;
                    set(&mut meaning, i, Meaning::Current);
                    set(&mut meaning, b_at, Meaning::Target);
                    if *b != a {
                        push(Some(Change::Delta(b - a)), None, b_at, true, &meaning, &mut raws);
                    } else {
                        r.problems.push((Ask::Quantity, format!("from {a} to {b} changes nothing")));
                    }
                }
                break;
            }
            if matches!(toks[k], Tok::Num { .. }) {
                break;
            }
        }
    }
    // Corrections: "not 3 but 4", "pas 3 mais 4", "niet 3 maar 4", "nicht 3 sondern 4", "inte 3
    // utan 4", and "4 instead of 3": the number taken back is no quantity.
    for i in 1..n {
        if !matches!(toks[i], Tok::Num { .. }) || used[i] {
            continue;
        }
        let negated = is_in(&toks[i - 1], &lex().negation);
        let but_then_num = (i + 1..(i + 4).min(n)).any(|k| {
            is_in(&toks[k], &lex().but) && toks[k + 1..(k + 3).min(n)].iter().any(|t| matches!(t, Tok::Num { .. }))
        });
        let instead = (i >= 2 && is_in(&toks[i - 2], &lex().instead) && is_in(&toks[i - 1], &lex().instead_of))
            || is_in(&toks[i - 1], &lex().instead_word);
        // "we will then have 10 licences instead of 13": a state, today's 13 and the new 10.
        let state = toks[..i].iter().any(|t| is_in(t, &lex().context) || is_in(t, &lex().future));
        // "passer à 12 (au lieu de 10)": after a new total, the number it replaces is today's.
        let after_total = (0..i).rev().find(|&k| matches!(toks[k], Tok::Num { .. })).is_some_and(|k| k > 0 && (is_in(&toks[k - 1], &lex().to) || is_in(&toks[k - 1], &lex().total)));
        if instead && (state || after_total) {
            let wanted = (0..i).rev().find(|&k| matches!(toks[k], Tok::Num { .. }) && !used[k]);
            if let (Some(k), Tok::Num { value: old }) = (wanted, &toks[i]) {
                if let Tok::Num { value: new } = toks[k] {
                    used[i] = true;
                    used[k] = true;
                    set(&mut meaning, i, Meaning::Current);
                    set(&mut meaning, k, Meaning::Target);
                    if new != *old {
                        push(Some(Change::Delta(new - old)), None, k, true, &meaning, &mut raws);
                    }
                    continue;
                }
            }
        }
        // "back to 32 in total (not 35)": a negated number after the one meant.
        let negated_after = negated && toks[..i].iter().any(|t| matches!(t, Tok::Num { .. }));
        if (negated && (but_then_num || negated_after)) || instead {
            used[i] = true;
            set(&mut meaning, i, Meaning::TakenBack);
        }
    }
    for i in 0..n {
        if used[i] {
            continue;
        }
        let value = match &toks[i] {
            Tok::Num { value, .. } => *value,
            Tok::Range => {
                if any_cue || mentions_unit {
                    r.problems.push((Ask::Quantity, format!("several possible quantities in \"{}\"", short(&s.text))));
                }
                continue;
            }
            Tok::Vague => {
                if any_cue || toks[i + 1..(i + 5).min(n)].iter().any(is_licence_noun) {
                    r.problems.push((Ask::Quantity, format!("no exact number of seats in \"{}\"", short(&s.text))));
                }
                continue;
            }
            Tok::Word(w) if !strong_present && lex().possessive.has(w) && toks.get(i + 1).is_some_and(is_singular_unit) => 1,
            // "supprimer la licence ... de Claire", "remove the licence of Jan", "de licentie van
            // Jan opzeggen", "ta bort licensen": one licence, when the sentence says what to do.
            Tok::Word(w)
                if !strong_present
                    && any_cue
                    && !reuse
                    && lex().definite.has(w)
                    && !(w == "de" && i > 0 && is_in(&toks[i - 1], &lex().not_article))
                    && (toks.get(i + 1).is_some_and(is_singular_licence)
                        || (matches!(toks.get(i + 1), Some(Tok::Product(_))) && toks.get(i + 2).is_some_and(is_singular_licence))) =>
            {
                1
            }
            Tok::Word(w) if !strong_present && any_cue && lex().definite_licence.has(w) => 1,
            Tok::Article(_) if !strong_present => {
                // "a licence", "une de plus", "een extra licentie", "en supprimer une".
                let after = &toks[i + 1..(i + 4).min(n)];
                let ok = after.first().is_none_or(|t| matches!(t, Tok::Punct(_)))
                    || after.iter().any(|t| is_unit(t) || is_in(t, &lex().more_or_less) || is_w(t, &["plus", "till"]));
                let ok = ok && !(i > 0 && is_in(&toks[i - 1], &lex().to) && change_verb);
                if !ok {
                    continue;
                }
                1
            }
            _ => continue,
        };
        let prev = |k: usize| if i >= k { toks.get(i - k) } else { None };
        // "about ten", "ungefähr 10", "environ 10": a guess is no quantity to act on.
        if (1..=2).any(|k| prev(k).is_some_and(|t| is_in(t, &lex().approx))) && !prev(1).is_some_and(|t| is_in(t, &lex().some) && matches!(toks[i], Tok::Article(_))) {
            set(&mut meaning, i, Meaning::Approximate);
            if any_cue || mentions_unit || need_verb {
                r.problems.push((Ask::Quantity, format!("no exact number of seats in \"{}\"", short(&s.text))));
            }
            continue;
        }
        // "3 or 4", "3 à 4", "3 of 4", "between 5 and 7": the customer does not know yet.
        if let (Some(c), Some(Tok::Num { value: b, .. })) = (toks.get(i + 1), toks.get(i + 2)) {
            let between = i > 0 && is_in(&toks[i - 1], &lex().between) && is_in(c, &lex().and);
            if (between || is_in(c, &lex().or) || matches!(c, Tok::Punct('/' | '-'))) && *b != value {
                used[i + 2] = true;
                set(&mut meaning, i, Meaning::Alternative);
                set(&mut meaning, i + 2, Meaning::Alternative);
                r.problems.push((Ask::Quantity, format!("several possible quantities ({value} or {b})")));
                continue;
            }
        }
        // "one of them takes over Ann's licence": a person who needs no new licence.
        let people_after = toks[i + 1..(i + 4).min(n)].iter().any(is_people)
            || toks.get(i + 1).is_some_and(|t| is_in(t, &lex().of));
        if reuse && (people_after || i + 1 < n && toks[i + 1..(i + 3).min(n)].iter().any(|t| is_in(t, &lex().take_over))) {
            set(&mut meaning, i, Meaning::Reuse);
            continue;
        }
        // "on top of the 3 from last week", "die 3 von letzter Woche": an earlier change, told
        // beside the one asked now.
        let earlier = num_count > 1
            && ((1..=3).any(|k| prev(k).is_some_and(|t| is_in(t, &lex().on_top)))
                || toks[i + 1..(i + 5).min(n)].iter().any(|t| is_in(t, &lex().last_time)));
        if earlier {
            set(&mut meaning, i, Meaning::Thing);
            continue;
        }
        // "we are at 40 licences", "we zitten op 12", "nous sommes à 12", "wir liegen bei 12".
        if prev(1).is_some_and(|t| is_in(t, &lex().at_prep)) && prev(2).is_some_and(|t| is_in(t, &lex().at_verb)) {
            set(&mut meaning, i, Meaning::Current);
            continue;
        }
        // "reduce to 8", "naar 7", "passer à 15", "auf 12 erhöhen", "totalt 20", "25 in total".
        let to_before = (prev(1).is_some_and(|t| is_in(t, &lex().to)) && cues[i - 1].is_none()) || (prev(1).is_some_and(|t| is_in(t, &lex().of)) && prev(2).is_some_and(|t| is_in(t, &lex().total)));
        // "we only need 5" is a total; "we only need 2 extra" is not.
        // Flemish "er maar 12 meer nodig": "meer" after "maar N" is "any more", not "more".
        let any_more = prev(1).is_some_and(|t| is_w(t, &["maar"])) && toks.get(i + 1).is_some_and(|t| is_w(t, &["meer"]));
        let only = (1..=2).any(|k| prev(k).is_some_and(|t| is_in(t, &lex().only) || is_in(t, &lex().restrictive)))
            && need_verb
            && (any_more || !toks[i + 1..(i + 3).min(n)].iter().any(|t| is_in(t, &lex().add)));
        // "in total 4 additional licences" is still 4 more.
        // "3 extra in total", "4 au total à ajouter": the total of what is added, a change.
        let more_after = (!any_more && toks[i + 1..(i + 3).min(n)].iter().any(|t| is_in(t, &lex().more_or_less)))
            || (!to_before && !(1..=2).any(|k| prev(k).is_some_and(|t| is_in(t, &lex().to))) && cues[i + 1..(i + 5).min(n)].iter().flatten().any(|(_, strong)| *strong));
        let total_near = only
            || ((1..=2).any(|k| prev(k).is_some_and(|t| is_in(t, &lex().total))) && !more_after)
            || (toks[i + 1..(i + 7).min(n)].iter().any(|t| is_in(t, &lex().total)) && !more_after)
            || toks[i + 1..(i + 4).min(n)].iter().any(|t| is_in(t, &lex().enough));
        // "make it 10", "maak er 10 van", "mach es 10", "gör det till 10".
        // Not "zet er 3 bij" (add 3).
        let make_it = prev(1).is_some_and(|t| is_in(t, &lex().make_it))
            && prev(2).is_some_and(|t| is_in(t, &lex().make))
            && !cues[i + 1..(i + 3).min(n)].iter().flatten().any(|(_, strong)| *strong);
        // "65 membres du personnel au total" counts people, not the wanted licences.
        let counts_people = toks[i + 1..(i + 4).min(n)].iter().any(is_people) && !toks[i + 1..(i + 3).min(n)].iter().any(is_licence_noun);
        // "(nous en avons 19, il en restera 18)", "18 will remain", "dann bleiben 18": the total
        // after the change; beside a change it only confirms it.
        let remains = (toks[i.saturating_sub(2)..i].iter().chain(&toks[i + 1..(i + 3).min(n)])).any(|t| is_in(t, &lex().remain))
            && !toks[i + 1..(i + 3).min(n)].iter().any(|t| is_in(t, &lex().free));
        if remains {
            r.results.push(i);
        }
        if (to_before && change_verb) || (total_near && !counts_people) || make_it || remains {
            set(&mut meaning, i, Meaning::Target);
            push(Some(Change::Target(value)), None, i, false, &meaning, &mut raws);
            continue;
        }
        let after_unit = toks[i + 1..(i + 4).min(n)].iter().any(is_licence_noun);
        let people_after = toks[i + 1..(i + 4).min(n)].iter().any(is_people) && !after_unit;
        // "nodig hebben" is a need, not a count.
        // "10 licences at the moment, we would need 12", "on a 10 licences en ce moment".
        let cue_before = (1..=2).any(|k| i >= k && cues[i - k].is_some_and(|(_, strong)| strong));
        let now_after = num_count > 1
            && !cue_before
            && (after_unit || toks.get(i + 1).is_some_and(|t| matches!(t, Tok::Product(_))))
            && toks[i + 1..(i + 8).min(n)].iter().any(|t| is_in(t, &lex().now_after));
        // "on a 10", and with the pronoun that stands for the licences: "(on en a 6)", "nous en
        // avons 6": whatever follows, it is today's count.
        let on_a = i >= 2 && is_w(&toks[i - 1], &["a"]) && is_w(&toks[i - 2], &["on"])
            || i >= 3 && is_w(&toks[i - 1], &["a", "avons", "ai"]) && is_w(&toks[i - 2], &["en"]) && is_w(&toks[i - 3], &["on", "nous", "j"]);
        // "nodig hebben" is a need: its "hebben" says nothing of today's count.
        let context_word = |t: &Tok| is_in(t, &lex().context) && !(needs && is_w(t, &["hebben", "heb", "hebt"]));
        let context = (now_after || on_a) && !people_after
            || !people_after
            && (((1..=3).any(|k| prev(k).is_some_and(context_word))
                && (after_unit || i + 1 >= n || toks.get(i + 1).is_some_and(|t| matches!(t, Tok::Product(_)) || is_in(t, &lex().of)))
                && !(1..=3).any(|k| prev(k).is_some_and(|_| cues[i - k].is_some_and(|(_, s)| s))))
                || (!needs && context_before[i] && !any_cue && (after_unit || toks.get(i + 1).is_none_or(|t| matches!(t, Tok::Punct(_))))));
        // "we have 10 licences, please add 2": the 10 is the current count. When it is the only
        // number of a sentence with a cue ("we hebben 3 licenties niet meer nodig") it is the change.
        let other_qty = num_count > 1;
        if context && (other_qty || !any_cue) && !toks[i + 1..(i + 5).min(n)].iter().any(|t| is_in(t, &lex().add) || is_in(t, &lex().remove)) {
            set(&mut meaning, i, Meaning::Current);
            // "we hebben twaalf licenties, dat moeten er vijftien worden": from 12 to 15; "we have
            // 10, we would like to have 14", "nous avons 7 licences et il nous en faudrait 10".
            let later = toks.iter().enumerate().skip(i + 1).find_map(|(j, t)| match t {
                Tok::Num { value } if !used[j] && (toks[j + 1..(j + 4).min(n)].iter().any(|t| is_in(t, &lex().becomes) || is_in(t, &lex().enough)) || wanted_before(toks, j) || becomes_before(toks, j)) => Some((j, *value)),
                _ => None,
            });
            if let Some((j, b)) = later {
                used[j] = true;
                set(&mut meaning, j, Meaning::Target);
                if b != value {
                    push(Some(Change::Delta(b - value)), None, j, true, &meaning, &mut raws);
                }
            }
            continue;
        }
        let near_unit = toks[i + 1..(i + 4).min(n)].iter().any(is_unit)
            || toks[i.saturating_sub(2)..i].iter().any(|t| matches!(t, Tok::Product(_)) || is_licence_noun(t));
        let signed = i > 0 && matches!(toks[i - 1], Tok::Punct('+' | '-' | '−'));
        let opens_line = i == 1 && licence_talk;
        if signed && !near_unit && !mentions_unit && !quantity_field && !opens_line {
            // "--1" in a broken MIME body, "-1" in a list: a sign is a cue only in licence talk.
            set(&mut meaning, i, Meaning::Thing);
            continue;
        }
        // "2 free licences", "nog 2 vrije licenties", "2 licences libres": what is available now.
        if toks[i + 1..(i + 3).min(n)].iter().any(|t| is_in(t, &lex().free)) || (i > 0 && is_in(&toks[i - 1], &lex().free)) {
            set(&mut meaning, i, Meaning::Current);
            continue;
        }
        // "We hadden voor hen 4 extra licenties genomen: alle 4 mogen weg": a count in a clause in
        // the pluperfect says what was done before, not what to do now.
        let (clo, chi) = clause_of(toks, i);
        if toks[clo..chi].iter().any(|t| is_in(t, &lex().pluperfect)) && toks[i + 1..(i + 3).min(n)].iter().any(is_licence_noun) && !quantity_field {
            set(&mut meaning, i, Meaning::Current);
            continue;
        }
        // "2 new shops", "3 laptops", "twee van onze 4 filialen": counts of things that are not seats.
        let reach = if toks.get(i + 1).is_some_and(|t| is_in(t, &lex().of)) { 6 } else { 3 };
        if toks[i + 1..(i + reach).min(n)].iter().any(is_thing) && !toks[i + 1..(i + reach).min(n)].iter().any(is_licence_noun) && !quantity_field {
            set(&mut meaning, i, Meaning::Thing);
            continue;
        }
        // "+2 (nieuwe collega's)": a signed number, or one right after a product, counts licences.
        // "one of our new trainees": the people may stand a few words on.
        let reach = if toks.get(i + 1).is_some_and(|t| is_in(t, &lex().of)) { 6 } else { 4 };
        let people = toks[i + 1..(i + reach).min(n)].iter().any(is_people)
            && !toks[i + 1..(i + 3).min(n)].iter().any(is_licence_noun)
            && !signed
            && !toks[i.saturating_sub(2)..i].iter().any(|t| matches!(t, Tok::Product(_)));
        set(&mut meaning, i, if people { Meaning::People } else { Meaning::Change });
        if people {
            if let Some(Some(num)) = meaning.get_mut(i) {
                num.joining = if toks[i.saturating_sub(3)..(i + 8).min(n)].iter().any(|t| is_in(t, &lex().leaving)) {
                    -1
                } else if toks[i.saturating_sub(4)..(i + 8).min(n)].iter().any(|t| is_in(t, &lex().add_weak) || is_in(t, &lex().add) || is_in(t, &lex().join)) {
                    1
                } else {
                    0
                };
            }
        }
        // "the other two": the people left after some took over a licence.
        let rest = prev(1).is_some_and(|t| is_in(t, &lex().other)) || toks.get(i + 1).is_some_and(|t| is_in(t, &lex().other));
        if rest {
            if let Some(Some(num)) = meaning.get_mut(i) {
                num.meaning = Meaning::Change;
            }
        }
        // The number's clause (`clo..chi`) is the one found for the pluperfect above.
        let mut near = cue_near(toks, cues, i);
        // "De vijf F3-licenties voor de seizoenarbeiders mogen allemaal weg": a weak cue near the
        // number ("for the workers") gives way to the one strong direction of its clause.
        if let Some((d, false)) = near {
            let strong = strong_dirs(&cues[clo..chi]);
            if let Some(&other) = strong.first().filter(|&&o| o != d && strong.iter().all(|x| *x == o)) {
                near = Some((other, true));
            }
        }
        // "il nous en faut désormais 34" after "nous avons 40": the need word is the number's only
        // cue, and a weak one; with today's count it says the wanted total.
        if near.is_none_or(|(d, strong)| d == Dir::Add && !strong) && !more_after && !people && wanted_before(toks, i) {
            r.wanted.push((i, value));
        }
        let only_still = i > 0
            && is_in(&toks[i - 1], &lex().still)
            && (clo..chi).all(|k| k == i - 1 || !cues[k].is_some_and(|(d, strong)| strong && d == Dir::Add));
        if near == Some((Dir::Add, true)) && only_still && !more_after && !people {
            r.still.push((i, value));
        }
        match near {
            Some((Dir::Add, _)) => push(Some(Change::Delta(value)), None, i, false, &meaning, &mut raws),
            Some((Dir::Remove, _)) => push(Some(Change::Delta(-value)), None, i, false, &meaning, &mut raws),
            None if sdir.is_some() => {
                let d = sdir;
                push(Some(Change::Delta(if d == Some(Dir::Add) { value } else { -value })), None, i, false, &meaning, &mut raws);
            }
            None => {
                // "15 of our users" is a count of people; a bare change needs licences or a product.
                let near_licence = quantity_field
                    || toks[i + 1..(i + 4).min(n)].iter().any(is_licence_noun)
                    || toks[i.saturating_sub(2)..i].iter().any(|t| matches!(t, Tok::Product(_)) || is_licence_noun(t));
                // "les factures de nos 14 licences": with no direction anywhere in its sentence,
                // "our 14 licences" is what the customer has.
                let ours = i > 0 && is_in(&toks[i - 1], &lex().our);
                if near_licence && ours {
                    set(&mut meaning, i, Meaning::Current);
                } else if near_licence && !matches!(toks[i], Tok::Article(_)) {
                    push(None, Some(value), i, false, &meaning, &mut raws);
                } else if let Some(Some(num)) = meaning.get_mut(i) {
                    if num.meaning == Meaning::Change {
                        num.meaning = Meaning::Unexplained;
                    }
                }
            }
        }
    }
    // "One person will not join after all: please reduce to 12", "auf 12 erhöhen, zwei neue
    // Kollegen beginnen": a new total asked in so many words beats a count of people in the same
    // sentence; only quantities of licences stay beside it.
    if raws.iter().any(|r| matches!(r.change, Some(Change::Target(_))) && !r.from_current) {
        raws.retain(|r| matches!(r.change, Some(Change::Target(_))) || r.attached || r.from_current);
    }
    bracketed_parts(toks, &mut raws, &mut meaning);
    r.raws = raws;
    r.numbers = meaning.into_iter().flatten().collect();
    r
}

/// "3 st till av Apps för företag (kassan + två i bageriet)", "4 extra licences (2 for sales and
/// one for the warehouse)": smaller numbers in brackets after a change say what it is made of;
/// they are no changes of their own (the sum need not be written out: "the till" is one).
fn bracketed_parts(toks: &[Tok], raws: &mut Vec<Raw>, meaning: &mut [Option<Number>]) {
    let mut depth = vec![0usize; toks.len()];
    let mut d = 0usize;
    for (k, t) in toks.iter().enumerate() {
        depth[k] = d;
        match t {
            Tok::Punct('(') => d += 1,
            Tok::Punct(')') => d = d.saturating_sub(1),
            _ => {}
        }
    }
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

/// "we would like to have 14", "il nous en faudrait 10", "wir möchten 14", "vi behöver 14": the
/// number right after a want or need says the wanted total when today's count was given.
fn wanted_before(toks: &[Tok], j: usize) -> bool {
    toks[j.saturating_sub(4)..j].iter().any(|t| is_in(t, &lex().want))
}

/// "currently 40, should be 46": a becoming word right before the number, which is no "2 more".
fn becomes_before(toks: &[Tok], j: usize) -> bool {
    toks[j.saturating_sub(2)..j].iter().any(|t| is_in(t, &lex().becomes))
        && !toks[j + 1..(j + 3).min(toks.len())].iter().any(|t| is_in(t, &lex().more_or_less))
}

/// Field labels that hold the number of licences: "Quantity", "Aantal", "Nombre", "Anzahl",
/// "Antal", "Number of licences", "Seats".
pub(crate) fn is_quantity_label(label: &str) -> bool {
    let q = &lex().quantity_label;
    let words: Vec<&str> = label.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words.first().is_some_and(|w| q.has(w)) || (words.len() <= 3 && words.iter().any(|w| q.has(w)))
}
