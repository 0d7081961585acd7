//! Licences moved from one product to another, read before any number alone: "move six of our
//! users from Business Standard to Business Premium", "8 Benutzer von Business Premium auf E3
//! umstellen", "remplacer sa licence Business Basic par une Business Standard", "de licentie E1
//! vervangen door E3". A move is that many fewer of the first product and as many more of the
//! second: two changes, each on its own product.

use super::reader::{bracket_depths, Reader};
use super::Meaning;
use crate::parse::lexicon::phrases;
use crate::parse::numbers::Tok;
use crate::parse::products::Mention;
use crate::parse::understand::cues::*;
use crate::parse::Change;

/// At most this many tokens between the two products: "to", "par une", "durch die".
const JOIN_TOKENS: usize = 3;

impl Reader<'_> {
    /// The first move the sentence states, with the number of licences it moves. A sentence
    /// with a direction word of its own ("please add 2 Premium; we moved from Standard to
    /// Premium") or a move already made or priced is left to the usual reading; direction words
    /// in brackets after the move spell it out ("(also 8 x Business Premium weniger, 8 x E3 mehr)").
    /// A move that is not asked or wanted explains changes said elsewhere ("add 3 E3, remove 2
    /// E1: we are moving two technicians from E1 to E3").
    pub fn moves(&mut self) {
        let toks = self.toks;
        let moving = |t: &Tok| is_in(t, &lex().move_verb) || is_in(t, &lex().replace_verb);
        // "passer" is a want of its own ("passer à 10"); a move needs another.
        let wanted = self.asks || toks.iter().any(|t| is_in(t, &lex().want) && !moving(t));
        if !wanted || !toks.iter().any(moving) || phrases().past.is_match(&self.s.text) || phrases().price.is_match(&self.s.text) {
            return;
        }
        let depths = bracket_depths(toks);
        let directed = (0..toks.len()).any(|k| depths[k] == 0 && self.cues[k].is_some_and(|(_, strong)| strong) && !moving(&toks[k]));
        // "replace Basic by Standard" needs no "from".
        let replacing = toks.iter().any(|t| is_in(t, &lex().replace_verb));
        let products: Vec<(usize, usize)> = toks.iter().enumerate().filter_map(|(j, t)| if let Tok::Product(k) = t { Some((j, *k)) } else { None }).collect();
        for w in products.windows(2) {
            let ((a, pa), (b, pb)) = (w[0], w[1]);
            let (Some(Mention::One(from_sku)), Some(Mention::One(to_sku))) = (self.s.products.get(pa), self.s.products.get(pb)) else { continue };
            if from_sku == to_sku || b - a > JOIN_TOKENS + 1 || !toks[a + 1..b].iter().any(|t| is_in(t, &lex().move_to)) {
                continue;
            }
            let from_before = toks[a.saturating_sub(3)..a].iter().any(|t| is_in(t, &lex().from));
            if !from_before && !replacing {
                continue;
            }
            if directed {
                return;
            }
            let Some((count, at)) = self.moved_count(a) else { continue };
            let (from_sku, to_sku) = (from_sku.clone(), to_sku.clone());
            // Every quantity of the sentence is the move's ("sa licence", "par une Business Standard").
            for i in 0..toks.len() {
                self.used[i] = true;
                self.set(i, Meaning::Change);
            }
            for (change, sku) in [(-count, from_sku), (count, to_sku)] {
                self.push_on(Change::Delta(change), at, Mention::One(sku));
            }
            return;
        }
    }

    /// How many licences a move moves: the sentence's numbers when they all say the same ("8
    /// Benutzer … (8 x Business Premium weniger, 8 x E3 mehr)"), or one when none is given and a
    /// person's one licence is ("sa licence", "her licence"); otherwise the usual reading asks.
    fn moved_count(&self, first_product: usize) -> Option<(i64, usize)> {
        let toks = self.toks;
        let nums: Vec<(usize, i64)> = toks.iter().enumerate().filter_map(|(i, t)| if let Tok::Num { value } = t { Some((i, *value)) } else { None }).collect();
        if let Some(&(at, v)) = nums.first() {
            return nums.iter().all(|&(_, w)| w == v).then_some((v, at));
        }
        let one = (1..toks.len()).any(|k| is_in(&toks[k - 1], &lex().possessive) && is_singular_unit(&toks[k]));
        one.then_some((1, first_product))
    }
}
