//! Numbers read in pairs, before any is read alone: a change from today's count to a new one,
//! and a number taken back for another.

use super::reader::Reader;
use super::Meaning;
use crate::parse::numbers::Tok;
use crate::parse::understand::cues::*;
use crate::parse::Change;

impl Reader<'_> {
    /// "from 10 to 15" / "van 10 naar 7" / "de 10 à 15" / "von 10 auf 15" / "från 10 till 15",
    /// and without "from" where the word cannot mean a range: "30 auf 26", "14 naar 11", "12 -> 10".
    pub fn ranges(&mut self) {
        let (toks, n) = (self.toks, self.n);
        for i in 0..n {
            let Tok::Num { value: a } = toks[i] else { continue };
            let from = i > 0 && is_in(&toks[i - 1], &lex().from);
            for k in i + 1..(i + 5).min(n) {
                let to_word = is_in(&toks[k], &lex().to) || is_in(&toks[k], &lex().to_not_range) || is_w(&toks[k], &["bis", "tot"]);
                let arrow = matches!(toks[k], Tok::Punct('→' | '>')) && k == i + 1
                    || (matches!(toks[k], Tok::Punct('-' | '=')) && matches!(toks.get(k + 1), Some(Tok::Punct('>'))));
                let no_range = is_in(&toks[k], &lex().to_not_range) || arrow;
                if (to_word && (from || (no_range && k == i + 1))) || arrow {
                    let b_at = if matches!(toks.get(k + 1), Some(Tok::Punct('>'))) { k + 2 } else { k + 1 };
                    if let Some(Tok::Num { value: b }) = toks.get(b_at) {
                        self.used[i] = true;
                        self.used[b_at] = true;
                        // "passe de 3 à 2 tournées par jour": a change of things, not of licences.
                        if toks.get(b_at + 1).is_some_and(super::is_thing) || toks.get(i + 1).is_some_and(super::is_thing) {
                            self.set(i, Meaning::Thing);
                            self.set(b_at, Meaning::Thing);
                            break;
                        }
                        self.set(i, Meaning::Current);
                        self.set(b_at, Meaning::Target);
                        if *b != a {
                            self.push(Some(Change::Delta(b - a)), None, b_at, true);
                        } else {
                            self.ask(format!("from {a} to {b} changes nothing"));
                        }
                    }
                    break;
                }
                if matches!(toks[k], Tok::Num { .. }) {
                    break;
                }
            }
        }
    }

    /// "j'ai écrit « retirer 3 licences » alors qu'il fallait lire « ajouter 3 licences »", "I
    /// wrote "remove 2"": in a sentence that says what was written, the quoted words are cited,
    /// and their numbers ask nothing.
    pub fn citations(&mut self) {
        let toks = self.toks;
        if !toks.iter().any(|t| is_in(t, &lex().wrote)) {
            return;
        }
        let mut open: Option<char> = None;
        for (i, t) in toks.iter().enumerate() {
            match (t, open) {
                (Tok::Punct(c @ ('«' | '“' | '„' | '"')), None) => open = Some(*c),
                (Tok::Punct('»'), Some('«')) | (Tok::Punct('”' | '“'), Some('“' | '„')) | (Tok::Punct('"'), Some('"')) => open = None,
                (Tok::Num { .. } | Tok::Article(_), Some(_)) => {
                    self.used[i] = true;
                    self.set(i, Meaning::Thing);
                }
                _ => {}
            }
        }
    }

    /// "0 von 20", "3 sur 10", "5 van 12", "2 av 8", "2 out of 8": a count out of another, the
    /// state of a subscription as an admin centre shows it (assigned or free of the total), no
    /// change. Not "4 of 6": the Dutch "or".
    pub fn shares(&mut self) {
        let (toks, n) = (self.toks, self.n);
        for i in 0..n.saturating_sub(2) {
            let out_of = is_w(&toks[i + 1], &["out"]) && toks.get(i + 2).is_some_and(|t| is_w(t, &["of"]));
            let last = if out_of { i + 3 } else { i + 2 };
            let (Tok::Num { .. }, Some(Tok::Num { .. })) = (&toks[i], toks.get(last)) else { continue };
            let of = out_of || is_w(&toks[i + 1], &["von", "sur", "van", "av"]);
            if self.used[i] || !of {
                continue;
            }
            for k in [i, last] {
                self.used[k] = true;
                self.set(k, Meaning::Thing);
            }
        }
        // "Business Standard – 14 toegewezen, 0 beschikbaar", "5 assigned, 2 available": both
        // sides of a subscription as the admin centre shows it, no change.
        let state = |i: usize, words: &crate::parse::lexicon::Set| matches!(toks[i], Tok::Num { .. }) && toks.get(i + 1).is_some_and(|t| is_in(t, words));
        let (assigned, free): (Vec<usize>, Vec<usize>) = ((0..n).filter(|&i| state(i, &lex().assigned)).collect(), (0..n).filter(|&i| state(i, &lex().free)).collect());
        if !assigned.is_empty() && !free.is_empty() {
            for k in assigned.into_iter().chain(free) {
                self.used[k] = true;
                self.set(k, Meaning::Thing);
            }
        }
        // "je ne voudrais pas payer deux fois", "twice" said as "2 times": how often, no count.
        for i in 0..n.saturating_sub(1) {
            if matches!(toks[i], Tok::Num { .. }) && !self.used[i] && is_w(&toks[i + 1], &["fois", "times", "keer", "maal", "mal", "gånger"]) {
                self.used[i] = true;
                self.set(i, Meaning::Thing);
            }
        }
        // "un des trois s'est désisté", "one of the three", "één van de drie", "einer der drei",
        // "en av de tre": the group one is taken from, no quantity of its own.
        let one_word = |t: &Tok| is_w(t, &["one", "einer", "eine", "eines"]);
        let one = |t: &Tok| matches!(t, Tok::Num { value: 1 } | Tok::Article(_)) || one_word(t);
        let of = |t: &Tok| is_w(t, &["des", "of", "van", "der", "av"]);
        let article = |t: &Tok| is_w(t, &["the", "de", "les", "den", "dem"]);
        for i in 2..n {
            let Tok::Num { .. } = toks[i] else { continue };
            let first = if one(&toks[i - 2]) && of(&toks[i - 1]) {
                Some(i - 2)
            } else {
                (i >= 3 && one(&toks[i - 3]) && of(&toks[i - 2]) && article(&toks[i - 1])).then(|| i - 3)
            };
            let Some(first) = first else { continue };
            if self.used[i] {
                continue;
            }
            self.used[i] = true;
            // "Einer der vier übernimmt die Lizenz von …": the one, a word and no number token,
            // is the one who takes over; read in the group's place.
            if self.reuse && one_word(&toks[first]) {
                self.restated[i] = Some(1);
                self.set(i, Meaning::Reuse);
            } else {
                self.set(i, Meaning::Thing);
            }
        }
    }

    /// Corrections: "not 3 but 4", "pas 3 mais 4", "niet 3 maar 4", "nicht 3 sondern 4", "inte 3
    /// utan 4", and "4 instead of 3": the number taken back is no quantity.
    pub fn corrections(&mut self) {
        let (toks, n) = (self.toks, self.n);
        for i in 1..n {
            if !matches!(toks[i], Tok::Num { .. }) || self.used[i] {
                continue;
            }
            // "passer à 12, et non à 15", "op 8 komen, niet op 6": a preposition may stand between.
            // French "non" only here: elsewhere "non plus" is "either", "non utilisées" "unused".
            let not = |t: &Tok| is_in(t, &lex().negation) || is_w(t, &["non"]);
            let negated = not(&toks[i - 1]) || (i >= 2 && not(&toks[i - 2]) && (is_in(&toks[i - 1], &lex().to) || is_in(&toks[i - 1], &lex().at_prep)));
            let but_then_num = (i + 1..(i + 4).min(n)).any(|k| {
                is_in(&toks[k], &lex().but) && toks[k + 1..(k + 3).min(n)].iter().any(|t| matches!(t, Tok::Num { .. }))
            });
            let instead = (i >= 2 && is_in(&toks[i - 2], &lex().instead) && is_in(&toks[i - 1], &lex().instead_of))
                || is_in(&toks[i - 1], &lex().instead_word);
            if instead && self.instead_of_today(i) {
                continue;
            }
            // "back to 32 in total (not 35)": a negated number after the one meant.
            let negated_after = negated && toks[..i].iter().any(|t| matches!(t, Tok::Num { .. }));
            // "Bitte nicht 10 bestellen!", "please do not add 10": the change refused.
            // Not "pas": Dutch "pas 3" is "only 3", and the word lists are read together.
            let refused = self.any_cue && is_w(&toks[i - 1], &["nicht", "not", "niet", "inte"]);
            // "nur noch 18 – halt, Moment: 19", "add 4, or rather 3": the number said again at
            // once stands in the first one's place, and is read there.
            // Only as an interjection: nothing but punctuation, "no" or "or" around the word (not
            // "12 Lizenzen im Moment und brauchen 3 mehr").
            let filler = |t: &Tok| matches!(t, Tok::Punct(_)) || is_in(t, &lex().wait) || is_in(t, &lex().interjection);
            // "add 4 Business Standard for it@x.be – or rather 5": the change's own words may stand
            // between.
            let again = (i + 1..(i + 8).min(n))
                .filter(|&k| is_in(&toks[k], &lex().wait) && toks[i + 1..k].iter().all(|t| filler(t) || is_own_word(t)))
                .find_map(|k| (k + 1..(k + 5).min(n)).find(|&j| matches!(toks[j], Tok::Num { .. })).filter(|&j| toks[k + 1..j].iter().all(filler)));
            if let Some(j) = again {
                if let Tok::Num { value } = toks[j] {
                    self.restated[i] = Some(value);
                    self.used[j] = true;
                    self.set(j, Meaning::Thing);
                }
                continue;
            }
            if (negated && (but_then_num || negated_after)) || instead || refused {
                self.used[i] = true;
                self.set(i, Meaning::TakenBack);
            }
        }
    }

    /// "we will then have 10 licences instead of 13": a state, today's 13 and the new 10;
    /// "passer à 12 (au lieu de 10)": after a new total, the number it replaces is today's.
    fn instead_of_today(&mut self, i: usize) -> bool {
        let toks = self.toks;
        // Within the clause: not "Ich habe gerade mit dem Chef gesprochen – bitte nur 2 statt 4".
        let clause = toks[..i].iter().rposition(|t| matches!(t, Tok::Punct('–' | '—' | ':' | ';'))).map_or(0, |p| p + 1);
        let state = toks[clause..i].iter().any(|t| is_in(t, &lex().context) || is_in(t, &lex().future));
        let after_total = (0..i)
            .rev()
            .find(|&k| matches!(toks[k], Tok::Num { .. }))
            .is_some_and(|k| k > 0 && (is_in(&toks[k - 1], &lex().to) || is_in(&toks[k - 1], &lex().total)));
        if !(state || after_total) {
            return false;
        }
        let Some(k) = (0..i).rev().find(|&k| matches!(toks[k], Tok::Num { .. }) && !self.used[k]) else { return false };
        let (Tok::Num { value: old }, Tok::Num { value: new }) = (&toks[i], &toks[k]) else { return false };
        self.used[i] = true;
        self.used[k] = true;
        self.set(i, Meaning::Current);
        self.set(k, Meaning::Target);
        if new != old {
            self.push(Some(Change::Delta(new - old)), None, k, true);
        }
        true
    }
}
