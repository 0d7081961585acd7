//! The parser's regex: the `regex` crate's, asked through a copy of itself without word
//! boundaries first.
//!
//! Why: a Unicode `\b` makes the regex crate's fast engine (the lazy DFA) give up on any
//! non-ASCII text, so on French, German or Swedish mail every search ran on the slow engines
//! (the PikeVM and the backtracker took half of the parse time; profile in the README). Taking a
//! zero-width assertion out of a pattern only lets more text match, never less, so the copy
//! without `\b` and `\B` finds a superset of the matches and runs in the DFA on any text. Most
//! phrases are absent from most sentences: the copy says "no" cheaply and the exact search runs
//! only where it says "maybe". The answers are the exact regex's, always.

use std::borrow::Cow;
use std::sync::OnceLock;

#[derive(Debug, Clone)]
pub(crate) struct Regex {
    pattern: Box<str>,
    /// The exact pattern, compiled the first time the rough copy says "maybe": most phrases are
    /// never near most mails, and compiling them was two thirds of a `seatmail parse` run
    /// (callgrind, README).
    exact: OnceLock<regex::Regex>,
    /// The pattern without word boundaries; `None` when it has none, or when the exact pattern
    /// matches empty text (an empty haystack could not stand for "no match" then).
    rough: Option<regex::Regex>,
}

impl Regex {
    pub fn new(pattern: &str) -> Result<Self, regex::Error> {
        let stripped = without_word_boundaries(pattern);
        let mut rx = Regex { pattern: pattern.into(), exact: OnceLock::new(), rough: None };
        if stripped == pattern {
            let _ = rx.exact.set(regex::Regex::new(pattern)?);
            return Ok(rx);
        }
        // A syntax error shows here: the rough copy is the pattern less its boundaries.
        let rough = regex::Regex::new(&stripped)?;
        if rough.is_match("") {
            let exact = regex::Regex::new(pattern)?;
            rx.rough = (!exact.is_match("")).then_some(rough);
            let _ = rx.exact.set(exact);
        } else {
            // Neither can match empty text: the exact pattern matches less than the rough one.
            rx.rough = Some(rough);
        }
        Ok(rx)
    }

    fn exact(&self) -> &regex::Regex {
        // The rough copy compiled (`new`); putting the boundaries back adds only assertions.
        self.exact.get_or_init(|| regex::Regex::new(&self.pattern).expect("a pattern whose copy without boundaries compiles compiles"))
    }

    /// Whether the exact pattern can match `h`: false means it cannot.
    fn may_match(&self, h: &str) -> bool {
        self.rough.as_ref().is_none_or(|r| r.is_match(h))
    }

    pub fn is_match(&self, h: &str) -> bool {
        self.may_match(h) && self.exact().is_match(h)
    }

    pub fn captures<'h>(&self, h: &'h str) -> Option<regex::Captures<'h>> {
        if self.may_match(h) { self.exact().captures(h) } else { None }
    }

    pub fn find_iter<'r, 'h>(&'r self, h: &'h str) -> regex::Matches<'r, 'h> {
        // The empty haystack yields nothing: `rough` exists only for patterns that cannot match it.
        self.exact().find_iter(if self.may_match(h) { h } else { "" })
    }

    pub fn captures_iter<'r, 'h>(&'r self, h: &'h str) -> regex::CaptureMatches<'r, 'h> {
        self.exact().captures_iter(if self.may_match(h) { h } else { "" })
    }

    pub fn replace_all<'h, R: regex::Replacer>(&self, h: &'h str, rep: R) -> Cow<'h, str> {
        if self.may_match(h) { self.exact().replace_all(h, rep) } else { Cow::Borrowed(h) }
    }

    pub fn replace<'h, R: regex::Replacer>(&self, h: &'h str, rep: R) -> Cow<'h, str> {
        if self.may_match(h) { self.exact().replace(h, rep) } else { Cow::Borrowed(h) }
    }

}

/// `pattern` with every `\b` and `\B` taken out (escaped backslashes and character classes
/// are left alone; `\b{start}`-style forms lose their braces too).
fn without_word_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    let mut class_depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push(c);
                    break;
                };
                if class_depth == 0 && (n == 'b' || n == 'B') {
                    if chars.peek() == Some(&'{') {
                        for d in chars.by_ref() {
                            if d == '}' {
                                break;
                            }
                        }
                    }
                    continue;
                }
                out.push(c);
                out.push(n);
            }
            '[' => {
                class_depth += 1;
                out.push(c);
                // A `]` or `^]` first in a class is a literal.
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().unwrap_or('^'));
                }
                if chars.peek() == Some(&']') {
                    out.push(chars.next().unwrap_or(']'));
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_are_taken_out_and_nothing_else() {
        for (p, want) in [
            (r"\bfoo\b", "foo"),
            (r"(?i)\b(?:créé|ajouté)\b", "(?i)(?:créé|ajouté)"),
            (r"a\\b", r"a\\b"),
            (r"[\b]x\b", r"[\b]x"),
            (r"[]\b]\B", r"[]\b]"),
            (r"\b{start}x\b{end}", "x"),
            (r"\d+\s\w", r"\d+\s\w"),
        ] {
            assert_eq!(without_word_boundaries(p), want, "{p}");
        }
    }

    #[test]
    fn answers_are_the_exact_patterns() {
        let r = Regex::new(r"(?i)\b(?:licen[cs]e|créé)\b").unwrap();
        assert!(r.rough.is_some());
        for (h, m) in [("une licence créé", true), ("licencié", false), ("créée", false), ("Créé.", true), ("", false)] {
            assert_eq!(r.is_match(h), m, "{h}");
            assert_eq!(r.find_iter(h).count() > 0, m, "{h}");
            assert_eq!(r.replace_all(h, "X") != h, m, "{h}");
        }
        let empty = Regex::new(r"\B|x").unwrap();
        assert!(empty.rough.is_none(), "a pattern that matches empty text keeps no rough copy");
    }
}
