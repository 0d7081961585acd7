//! Tables of current and wanted counts ("Product | Current | Needed" over "Business Standard |
//! 10 | 14") say "from 10 to 14": their rows are rewritten as such before sentences are read,
//! and rows that stay the same as the product name alone.

use crate::parse::lexicon::{self, Set};
use crate::parse::numbers;


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

/// A table of current and wanted counts ("Product | Current | Needed" / "Business Standard | 10 |
/// 14") says "from 10 to 14": its rows are rewritten as such, and rows that stay the same as the
/// product name alone.
pub(crate) fn rewrite(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut header: Option<(bool, usize, usize)> = None; // (split cells, now column, wanted column)
    for line in &lines {
        if line.trim().is_empty() {
            header = None;
            out.push(line.to_string());
            continue;
        }
        let (split, cells) = table_cells(line);
        if let Some((hsplit, now, want)) = header {
            let pick = |col: usize| -> Option<i64> {
                if hsplit {
                    cells.get(col).and_then(|(_, c)| cell_number(c))
                } else {
                    None
                }
            };
            let (a, b, label) = if hsplit && split {
                let label: Vec<&str> = cells.iter().filter(|(k, c)| *k != now && *k != want && cell_number(c).is_none()).map(|(_, c)| c.as_str()).collect();
                (pick(now), pick(want), label.join(" "))
            } else if !hsplit && !split {
                // Laid out with spaces: a number belongs to the heading it starts under.
                let (mut a, mut b) = (None, None);
                let mut label = Vec::new();
                for (pos, w) in &cells {
                    let v = cell_number(w);
                    let near = |col: usize| pos.abs_diff(col) <= 3;
                    match v {
                        Some(v) if near(now) && a.is_none() => a = Some(v),
                        Some(v) if near(want) && b.is_none() => b = Some(v),
                        _ if *pos + 1 < now.min(want) => label.push(w.as_str()),
                        _ => {}
                    }
                }
                (a, b, label.join(" "))
            } else {
                (None, None, String::new())
            };
            if let (Some(a), Some(b)) = (a, b) {
                out.push(if a == b { format!("{label}.") } else { format!("{label}: from {a} to {b}.") });
                continue;
            }
            header = None;
        }
        // A heading line: a "now" column and a "wanted" column.
        let now = cells.iter().find(|(_, c)| heading_is(c, &lexicon::words().col_now)).map(|(k, _)| *k);
        let want = cells.iter().find(|(_, c)| heading_is(c, &lexicon::words().col_want)).map(|(k, _)| *k);
        let short = cells.len() <= 8 && !cells.iter().any(|(_, c)| cell_number(c).is_some());
        match (now, want) {
            (Some(n), Some(w)) if short && n != w => header = Some((split, n, w)),
            _ => {}
        }
        out.push(line.to_string());
    }
    out.join("\n")
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_from_to_and_prose_stays() {
        assert_eq!(rewrite("Product | Current | Needed\nBusiness Standard | 10 | 14\nBusiness Basic | 3 | 3"), "Product | Current | Needed\nBusiness Standard: from 10 to 14.\nBusiness Basic.");
        // Not a table: a sentence that happens to hold the words.
        assert_eq!(rewrite("We now need more.\nPlease add 2 licences."), "We now need more.\nPlease add 2 licences.");
    }
}
