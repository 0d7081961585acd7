//! Tables and forms, rewritten as the sentences they stand for before anything else reads the
//! text:
//!
//! - a table with a column of today's count and one of the wanted count ("Product | Current |
//!   Needed" over "Business Standard | 10 | 14") says "Business Standard: from 10 to 14.";
//! - a table with a column of changes ("Product | Current | Change" over "E3 | 16 | +4") says
//!   "E3: +4."; every other cell of the row (the product, the account, the customer) stays with
//!   it, so the row keeps its own product and account;
//! - a table of the admin centre's state ("Product | Available | Assigned" over "E3 | 2 | 14")
//!   says "E3: 2 free, 14 assigned.": counts of today, no change;
//! - two-column key/value lines ("Licences actuelles   8") become fields ("Licences actuelles:
//!   8"), and a form's today's-count field with its wanted-count field say "from 8 to 10".
//!
//! Tables come as "|" or tab separated cells, or laid out with spaces (as html2text renders an
//! HTML table without borders), where a number belongs to the heading it stands under.

use std::sync::LazyLock;

use crate::parse::rx::Regex;

use crate::parse::lexicon::{self, Set};
use crate::parse::numbers;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Now,
    Want,
    Change,
    /// Licences bought and assigned to nobody ("Available", "Verfügbar", "disponibles").
    Free,
    /// Licences in use ("Assigned", "Zugewiesen", "attribuées").
    Assigned,
}

/// A header row: how its line is cut, and the role of its columns (cell index, or the character
/// offset of the heading for tables laid out with spaces).
#[derive(Debug, Clone)]
struct Header {
    split: bool,
    roles: Vec<(usize, Role)>,
}

static FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*([\p{L}][\p{L}\s()./'’-]{0,38}?)\s*:\s*(\S.*?)\s*$").expect("field regex"));

/// The cells of a table line with their column: split on "|" or tabs (column = cell index), or,
/// for tables a mailer laid out with spaces, each word with its character offset.
fn table_cells(line: &str) -> (bool, Vec<(usize, String)>) {
    let sep = if line.contains('|') { Some('|') } else if line.contains('\t') { Some('\t') } else { None };
    if let Some(sep) = sep {
        let t = line.trim().trim_matches(sep);
        return (true, t.split(sep).enumerate().map(|(k, c)| (k, c.trim().to_string())).collect());
    }
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut word = String::new();
    for (k, c) in line.chars().enumerate() {
        if c.is_whitespace() {
            if let Some(st) = start.take() {
                out.push((st, std::mem::take(&mut word)));
            }
        } else {
            start.get_or_insert(k);
            word.push(c);
        }
    }
    if let Some(st) = start {
        out.push((st, word));
    }
    (false, out)
}

fn cell_number(c: &str) -> Option<i64> {
    let c = c.trim().trim_matches(|ch: char| !ch.is_alphanumeric());
    if !c.is_empty() && c.len() <= 3 && c.chars().all(|ch| ch.is_ascii_digit()) {
        return c.parse().ok();
    }
    numbers::word_value(&c.to_lowercase())
}

fn heading_is(cell: &str, list: &Set) -> bool {
    let words: Vec<String> = cell.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    !words.is_empty() && words.len() <= 4 && words.iter().any(|w| list.has(w))
}

fn role_of(cell: &str) -> Option<Role> {
    let w = lexicon::words();
    if heading_is(cell, &w.col_change) || cell.trim() == "+/-" {
        Some(Role::Change)
    } else if heading_is(cell, &w.col_want) {
        Some(Role::Want)
    } else if heading_is(cell, &w.col_now) {
        Some(Role::Now)
    } else if heading_is(cell, &w.free) {
        Some(Role::Free)
    } else if heading_is(cell, &w.assigned) {
        Some(Role::Assigned)
    } else {
        None
    }
}

/// A header row: short, no numbers, a change column, both a now and a wanted column, or both a
/// free and an assigned column.
fn header_of(line: &str) -> Option<Header> {
    let (split, cells) = table_cells(line);
    if cells.len() < 2 || cells.len() > 8 || cells.iter().any(|(_, c)| cell_number(c).is_some()) {
        return None;
    }
    let mut roles: Vec<(usize, Role)> = Vec::new();
    for (k, c) in &cells {
        if let Some(r) = role_of(c) {
            if !roles.iter().any(|(_, x)| *x == r) {
                roles.push((*k, r));
            }
        }
    }
    let has = |r: Role| roles.iter().any(|(_, x)| *x == r);
    (has(Role::Change) || (has(Role::Now) && has(Role::Want)) || (has(Role::Free) && has(Role::Assigned))).then_some(Header { split, roles })
}

/// One row under a header, as the sentence it stands for.
fn row(header: &Header, line: &str) -> Option<String> {
    let (split, cells) = table_cells(line);
    if split != header.split {
        return None;
    }
    let col = |r: Role| header.roles.iter().find(|(_, x)| *x == r).map(|(k, _)| *k);
    let mut label: Vec<String> = Vec::new();
    // Cells right of the change ("Reason", "Comment") say why, in a sentence of their own: "two
    // analysts moved to E3 in July" is no second change of the row.
    let mut why: Vec<String> = Vec::new();
    let (mut now, mut want, mut change): (Option<i64>, Option<i64>, Option<String>) = (None, None, None);
    let (mut free, mut assigned): (Option<i64>, Option<i64>) = (None, None);
    if split {
        for (k, c) in &cells {
            match header.roles.iter().find(|(col, _)| col == k).map(|(_, r)| *r) {
                Some(Role::Now) => now = cell_number(c),
                Some(Role::Want) => want = cell_number(c),
                Some(Role::Change) if !c.is_empty() => change = Some(c.clone()),
                Some(Role::Free) => free = cell_number(c),
                Some(Role::Assigned) => assigned = cell_number(c),
                _ if !c.is_empty() && col(Role::Change).is_some_and(|at| *k > at) => why.push(c.clone()),
                _ if !c.is_empty() => label.push(c.clone()),
                _ => {}
            }
        }
    } else {
        // Laid out with spaces: a value belongs to the heading it starts under.
        let first = header.roles.iter().map(|(k, _)| *k).min().unwrap_or(0);
        for (pos, w) in &cells {
            let near = |r: Role| col(r).is_some_and(|c| pos.abs_diff(c) <= 3);
            // Counts stand right-aligned under headings wider than they are: the state column a
            // number is under is the last one that starts before it.
            let state = header.roles.iter().filter(|(k, r)| matches!(r, Role::Free | Role::Assigned) && *k <= pos + 3).max_by_key(|(k, _)| *k).map(|(_, r)| *r);
            if let (Some(r), Some(v)) = (state, cell_number(w)) {
                match r {
                    Role::Free => free = free.or(Some(v)),
                    _ => assigned = assigned.or(Some(v)),
                }
            } else if near(Role::Now) && now.is_none() && cell_number(w).is_some() {
                now = cell_number(w);
            } else if near(Role::Want) && want.is_none() && cell_number(w).is_some() {
                want = cell_number(w);
            } else if col(Role::Change).is_some_and(|c| *pos + 3 >= c) && *pos + 1 >= first {
                change.get_or_insert_with(String::new).push_str(&format!(" {w}"));
            } else if *pos + 1 < first {
                label.push(w.clone());
            } else if col(Role::Change).is_none() {
                // Words among the counts: a sentence under the table, not a row of it.
                return None;
            }
        }
    }
    let label = label.join(" ");
    let why = if why.is_empty() { String::new() } else { format!(" {}.", why.join(" ")) };
    match (change, now, want) {
        // A bare signed number in a change column is a number of licences ("Aalter | +1").
        (Some(c), _, _) if is_signed_number(c.trim()) => Some(format!("{label}: {} licences.{why}", c.trim())),
        (Some(c), _, _) => Some(format!("{label}: {}.{why}", c.trim())),
        (None, Some(a), Some(b)) if a == b => Some(format!("{label}.")),
        (None, Some(a), Some(b)) => Some(format!("{label}: from {a} to {b}.")),
        // The words are read in any language ("free", "assigned"), like "from … to".
        _ => match (free, assigned) {
            (Some(f), Some(a)) => Some(format!("{label}: {f} free, {a} assigned.")),
            _ => None,
        },
    }
}

fn is_signed_number(c: &str) -> bool {
    c.strip_prefix(['+', '-', '−']).is_some_and(|r| !r.is_empty() && r.len() <= 3 && r.trim_start().chars().all(|ch| ch.is_ascii_digit()))
}

/// Key/value lines laid out as two columns (as html2text renders a two-column HTML table: the
/// values start at one column, the keys padded to it, or "| key | value |" rows) become fields
/// ("Licences actuelles: 8").
fn key_values(lines: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = lines.iter().map(|l| piped_field(l).unwrap_or_else(|| l.to_string())).collect();
    let mut k = 0;
    while k < lines.len() {
        // A block of lines that could be keys and values: no "|", no ":", not empty.
        let end = (k..lines.len()).find(|&j| lines[j].trim().is_empty() || lines[j].contains('|') || lines[j].contains(':')).unwrap_or(lines.len());
        if end - k >= 2 {
            if let Some(col) = value_column(&lines[k..end]) {
                for j in k..end {
                    let (key, value) = split_at_char(lines[j], col);
                    out[j] = format!("{}: {}", key.trim(), value.trim());
                }
            }
        }
        k = end.max(k + 1);
    }
    out
}

/// The character column where every line's value starts, if there is one: after a space, with
/// a short key of words before it.
fn value_column(block: &[&str]) -> Option<usize> {
    let starts = |l: &str| -> Vec<usize> {
        let chars: Vec<char> = l.chars().collect();
        (1..chars.len()).filter(|&i| chars[i - 1] == ' ' && chars[i] != ' ').collect()
    };
    let first = starts(block[0]);
    first.into_iter().find(|&col| {
        block.iter().all(|l| {
            let (key, value) = split_at_char(l, col);
            let words = key.split_whitespace().count();
            starts(l).contains(&col)
                && (1..=4).contains(&words)
                && !key.chars().any(|c| c.is_ascii_digit())
                && !value.trim().is_empty()
                // The gap is wider than a word space somewhere, or this is no layout.
        }) && block.iter().any(|l| l.chars().take(col).collect::<String>().ends_with("  "))
    })
}

/// "| Quantité supplémentaire | 2 |": a row of two cells, a short key of words and its value.
fn piped_field(l: &str) -> Option<String> {
    let t = l.trim();
    if !t.starts_with('|') && !t.contains(" | ") {
        return None;
    }
    let cells: Vec<&str> = t.trim_matches('|').split('|').map(str::trim).collect();
    let [key, value] = cells[..] else { return None };
    let words = key.split_whitespace().count();
    let wordy = (1..=4).contains(&words) && key.chars().next().is_some_and(char::is_alphabetic) && !key.chars().any(|c| c.is_ascii_digit());
    (wordy && !value.is_empty() && role_of(key).is_none_or(|_| cell_number(value).is_some())).then(|| format!("{key}: {value}"))
}

fn split_at_char(l: &str, col: usize) -> (&str, &str) {
    let at = l.char_indices().nth(col).map_or(l.len(), |(i, _)| i);
    l.split_at(at)
}

/// In a form, the field of today's count and the field of the wanted count ("Licences actuelles:
/// 8" / "Licences souhaitées: 10") are one change: "from 8 to 10".
fn now_and_wanted_fields(lines: &mut Vec<String>) {
    let field = |l: &str| -> Option<(Role, i64)> {
        let c = FIELD.captures(l)?;
        let v = cell_number(&c[2])?;
        let r = role_of(&c[1])?;
        Some((r, v))
    };
    let mut k = 0;
    while k < lines.len() {
        if let Some((Role::Now, a)) = field(&lines[k]) {
            let want = (k + 1..(k + 4).min(lines.len())).find_map(|j| match field(&lines[j]) {
                Some((Role::Want, b)) => Some((j, b)),
                _ => None,
            });
            if let Some((j, b)) = want {
                lines[j] = if a == b { "no change.".to_string() } else { format!("from {a} to {b} licences.") };
                lines.remove(k);
                k = j;
                continue;
            }
        }
        k += 1;
    }
}

/// "bisher 6, neu 8", "nu 12 / nieuw 10": today's count and the wanted one side by side in a line.
static INLINE_PAIR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\p{L}+)\s*:?\s*(\d{1,5})\s*[,;/]\s*(\p{L}+)\s*:?\s*(\d{1,5})\b").expect("inline pair regex"));

/// The line with an inline pair of today's and the wanted count said as "from 6 to 8 licences".
fn inline_now_and_wanted(line: &str) -> Option<String> {
    // Most lines hold no two numbers; the regex is kept off them.
    if line.bytes().filter(u8::is_ascii_digit).take(2).count() < 2 {
        return None;
    }
    let c = INLINE_PAIR.captures(line)?;
    if role_of(&c[1]) != Some(Role::Now) || role_of(&c[3]) != Some(Role::Want) {
        return None;
    }
    let (a, b): (i64, i64) = (c[2].parse().ok()?, c[4].parse().ok()?);
    let said = if a == b { "no change".to_string() } else { format!("from {a} to {b} licences") };
    let m = c.get(0)?;
    Some(format!("{}{said}{}", &line[..m.start()], &line[m.end()..]))
}

/// The text with its tables and forms rewritten as sentences.
pub(crate) fn rewrite(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut fields = key_values(&lines);
    for line in fields.iter_mut() {
        if let Some(said) = inline_now_and_wanted(line) {
            *line = said;
        }
    }
    now_and_wanted_fields(&mut fields);
    let mut out: Vec<String> = Vec::with_capacity(fields.len());
    let mut header: Option<Header> = None;
    for line in fields {
        if line.trim().is_empty() {
            header = None;
            out.push(line);
            continue;
        }
        if let Some(sentence) = header.as_ref().and_then(|h| row(h, &line)) {
            out.push(sentence);
            continue;
        }
        header = header_of(&line);
        out.push(line);
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inline_pair_of_today_and_wanted_is_a_change_between_them() {
        assert_eq!(rewrite("bisher 6, neu 8 (die zwei neuen Architektinnen ab Januar)."), "from 6 to 8 licences (die zwei neuen Architektinnen ab Januar).");
        // Words that head no such column leave the line alone.
        assert_eq!(rewrite("Gent 6, Brugge 8."), "Gent 6, Brugge 8.");
    }

    #[test]
    fn rows_become_sentences_and_prose_stays() {
        assert_eq!(
            rewrite("Product | Current | Needed\nBusiness Standard | 10 | 14\nBusiness Basic | 3 | 3"),
            "Product | Current | Needed\nBusiness Standard: from 10 to 14.\nBusiness Basic."
        );
        assert_eq!(rewrite("Product\tCurrent\tChange\nMicrosoft 365 E3\t16\t+4\nExchange Online (Plan 2)\t3\t-1"),
            "Product\tCurrent\tChange\nMicrosoft 365 E3: +4 licences.\nExchange Online (Plan 2): -1 licences.");
        assert_eq!(rewrite("Klant | Account | Product | Wijziging\nBaert | admin@baert.be | Business Standard | totaal 6"),
            "Klant | Account | Product | Wijziging\nBaert admin@baert.be Business Standard: totaal 6.");
        // Not a table: a sentence that happens to hold the words.
        assert_eq!(rewrite("We now need more.\nPlease add 2 licences."), "We now need more.\nPlease add 2 licences.");
    }

    #[test]
    fn forms_become_fields_and_today_with_wanted_a_change() {
        let form = "Compte              admin@x.onmicrosoft.com\nProduit             Microsoft 365 E3\nLicences actuelles  8\nLicences souhaitées 10";
        assert_eq!(rewrite(form), "Compte: admin@x.onmicrosoft.com\nProduit: Microsoft 365 E3\nfrom 8 to 10 licences.");
        assert_eq!(rewrite("Please add 2 licences.   Thanks"), "Please add 2 licences.   Thanks");
    }
}
