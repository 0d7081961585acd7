//! Typing errors: "Microsft 365 Busness Standart", "licneses", "rajouté". Words close to a known
//! word (one edit or swap, ignoring accents) are read as that word, with care: product words only
//! next to other product words, so "exchanged" alone never becomes a product.

/// Lowercase without diacritics, for comparison only.
pub(crate) fn fold(w: &str) -> String {
    w.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ß' => 's',
            c => c,
        })
        .collect()
}

/// Whether `a` and `b` are at most one edit apart: one letter changed, added or dropped, or two
/// neighbours swapped (optimal string alignment distance ≤ 1).
///
/// Without the distance table: once the common beginning and the common end are taken off, one
/// edit leaves at most one letter on each side, or two letters swapped. It runs for every word of
/// every sentence against the known words, so it allocates nothing.
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    let prefix: usize = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix: usize = a.chars().rev().zip(b.chars().rev()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    let mut ca = a.chars();
    let mut cb = b.chars();
    match (ca.next(), ca.next(), ca.next(), cb.next(), cb.next(), cb.next()) {
        (_, None, _, _, None, _) => true,
        (Some(x1), Some(x2), None, Some(y1), Some(y2), None) => x1 == y2 && x2 == y1,
        _ => false,
    }
}

/// The known word `w` is a typing error of, if any (`w` already folded).
///
/// Among words (`endings`), another ending of the same stem is another word ("retires" is not the
/// French "retirer"); among product names "Standart" is still "standard".
pub(crate) fn nearest<'a>(w: &str, known: &'a [String], min_len: usize, endings: bool) -> Option<&'a str> {
    if w.chars().count() < min_len || known.iter().any(|k| k == w) {
        return None;
    }
    // One slip per word, and never in the first letter: "Verhaegen" is a name, not "verhogen".
    // "removed", "adds", "ordering" are words of their own, not typing errors.
    let inflected = |k: &str| ["d", "ed", "s", "es", "ing", "n", "en"].iter().any(|suf| w.strip_suffix(suf) == Some(k));
    let other_ending = |k: &str| {
        let (a, b): (Vec<char>, Vec<char>) = (w.chars().collect(), k.chars().collect());
        endings && a.len() == b.len() && a.len() > 1 && a[..a.len() - 1] == b[..b.len() - 1]
    };
    let first = w.chars().next();
    known.iter().find(|k| k.chars().next() == first && within_one_edit(w, k) && !inflected(k) && !other_ending(k)).map(String::as_str)
}

/// Rewrite `text` with typing errors corrected: `anywhere` words are corrected wherever they
/// are; `grouped` words (product vocabulary) only next to another product word or "365".
/// Words of their own one slip away from a direction verb: "we zitten nu op 18" (we are at 18)
/// is not "zetten ... op 18" (set to 18); "wetten" are laws; "anderen" are others, not "ändern".
const NOT_SLIPS: &[&str] = &["zitten", "wetten", "sitten", "anderen", "andere", "commande"];

pub(crate) fn correct(text: &str, anywhere: &[String], grouped: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let words: Vec<(usize, &str)> = word_spans(text);
    let folded: Vec<String> = words.iter().map(|(_, w)| fold(w)).collect();
    let is_group = |k: usize| folded.get(k).is_some_and(|f| f == "365" || grouped.contains(f));
    let mut fixed_group = vec![false; words.len()];
    for (k, (start, w)) in words.iter().enumerate() {
        let f = &folded[k];
        // "plan1", "plan2": a word with a digit is a name written together, not a slip (beside
        // "Online", "plan1" was made "plan", which left "Exchange Online" with no plan).
        if f.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        // Capitalised words are mostly names; only licence nouns ("Lizenzen") are corrected there.
        let capital = w.chars().next().is_some_and(char::is_uppercase);
        let mut replacement = if NOT_SLIPS.contains(&f.as_str()) {
            None
        } else {
            nearest(f, anywhere, 6, true).filter(|r| !capital || r.starts_with("li")).map(str::to_string)
        };
        if replacement.is_none() {
            // "Apps for buisness": a short joining word between two product words.
            let joined = k > 1
                && ["for", "voor", "pour", "les", "fur", "fuer"].contains(&folded[k - 1].as_str())
                && (is_group(k - 2) || fixed_group[k - 2]);
            let neighbour = (k > 0 && (is_group(k - 1) || fixed_group[k - 1])) || is_group(k + 1) || joined;
            if neighbour {
                replacement = nearest(f, grouped, 5, false).map(str::to_string);
                fixed_group[k] = replacement.is_some();
            }
        }
        if let Some(r) = replacement {
            out.push_str(&text[last..*start]);
            out.push_str(&r);
            last = start + w.len();
        }
    }
    out.push_str(&text[last..]);
    out
}

fn word_spans(text: &str) -> Vec<(usize, &str)> {
    let mut v = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            v.push((s, &text[s..i]));
        }
    }
    if let Some(s) = start {
        v.push((s, &text[s..]));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The distance table, as a reference for `within_one_edit`.
    fn osa(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in 0..=a.len() {
            for j in 0..=b.len() {
                d[i][j] = if i == 0 || j == 0 {
                    i + j
                } else {
                    let mut v = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]));
                    if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                        v = v.min(d[i - 2][j - 2] + 1);
                    }
                    v
                };
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn one_edit_agrees_with_the_distance_table() {
        let words = ["", "a", "ab", "ba", "aa", "abc", "acb", "bac", "abcd", "abdc", "licence", "licneces", "licences", "lisence",
            "licenties", "licentie", "lizenzen", "lizensen", "rajouté", "rajoute", "rajouter", "stänga", "stanga", "straße", "strasse",
            "ééé", "éé", "aéa", "aaé", "standard", "standart", "stadnard", "busines", "business", "buisness"];
        for a in words {
            for b in words {
                assert_eq!(within_one_edit(a, b), osa(a, b) <= 1, "{a:?} {b:?}");
            }
        }
    }

    fn list(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn typos_are_corrected_in_context() {
        let units = list(&["licenses", "licences", "rajouter"]);
        let products = list(&["microsoft", "business", "standard"]);
        assert_eq!(correct("add 4 licneses of Microsft 365 Busines Standart", &units, &products), "add 4 licenses of microsoft 365 business standard");
        assert_eq!(correct("pouvez vous rajouté 2", &units, &products), "pouvez vous rajouter 2");
        assert_eq!(correct("the standart way", &units, &products), "the standart way");
        let apps = list(&["apps", "business", "enterprise"]);
        assert_eq!(correct("die Apps for buisness bitte", &units, &apps), "die Apps for business bitte");
        assert_eq!(correct("Apps för buisness", &units, &apps), "Apps för business");
        assert_eq!(correct("ready for buisness", &units, &apps), "ready for buisness");
        assert!(within_one_edit("kitten", "sitten"));
        assert!(!within_one_edit("kitten", "sitting"));
        let verbs = list(&["verhogen"]);
        assert_eq!(correct("CFO Groep Verhaegen", &verbs, &products), "CFO Groep Verhaegen");
        // A word with a digit is no slip: "plan1" beside "Online" stays (it became "plan").
        let exchange = list(&["exchange", "online", "plan"]);
        assert_eq!(correct("Exchnage Online plan1", &units, &exchange), "exchange Online plan1");
    }
}
