//! Step 4: the candidate changes of the whole mail. What one sentence leaves open is filled from
//! the rest only when the rest says one thing: the direction of a bare "3 licences" from its
//! paragraph or the mail, today's count in one sentence with the wanted total in the next ("we
//! have 15 ... we only need 12" is -3), new colleagues less those who take over a licence. The
//! subject counts when the customer wrote it, and must agree with the body.

use super::cues::Dir;
use super::explain::{Meaning, Number, Raw, Reading};
use crate::parse::products::Mention;
use crate::parse::{Ask, Change};

/// The candidate changes of a mail, and what is wrong with them.
#[derive(Debug, Default)]
pub(crate) struct Candidates {
    pub raws: Vec<Raw>,
    pub problems: Vec<(Ask, String)>,
}

fn one_dir(dirs: &[Dir]) -> Option<Dir> {
    let first = *dirs.first()?;
    dirs.iter().all(|d| *d == first).then_some(first)
}

/// Combine the readings of the kept body sentences (`None` for a sentence the gate left out)
/// and of an authored subject.
/// `body_names`: every product the body names, in any sentence.
pub(crate) fn combine(readings: &[Option<Reading>], subject: &[Reading], body_names: &[&Mention]) -> Candidates {
    let mut c = Candidates::default();
    let mut body_dirs: Vec<Dir> = Vec::new();
    let mut para_dirs: Vec<(usize, Dir)> = Vec::new();
    for r in readings.iter().flatten() {
        c.raws.extend(r.raws.iter().cloned());
        c.problems.extend(r.problems.iter().cloned());
        body_dirs.extend(r.dirs.iter().copied());
        // Sentences without numbers count too ("Please add:" over a list).
        para_dirs.extend(r.dirs.iter().map(|d| (r.para, *d)));
    }
    let mut subj_raws: Vec<Raw> = subject.iter().flat_map(|r| r.raws.iter().cloned()).collect();
    let subj_dirs: Vec<Dir> = subject.iter().flat_map(|r| r.dirs.iter().copied()).collect();

    // Direction of the whole mail, for quantities that state none ("3 licenties Business Standard").
    let mut all_dirs = body_dirs.clone();
    all_dirs.extend(subj_dirs.iter().copied());
    // A purchase requisition ("Quantity: 2" beside "Unit price: 20,60 EUR") orders what it
    // counts, when nothing else says which way.
    let purchase = readings.iter().flatten().any(|r| r.purchase);
    let global = one_dir(&all_dirs).or(purchase.then_some(Dir::Add));
    for r in c.raws.iter_mut().chain(subj_raws.iter_mut()) {
        if let Some(v) = r.undirected {
            let mine: Vec<Dir> = para_dirs.iter().filter(|(p, _)| *p == r.para && r.sentence != usize::MAX).map(|(_, d)| *d).collect();
            let dir = one_dir(&mine).or(global);
            match dir {
                Some(Dir::Add) => r.change = Some(Change::Delta(v)),
                Some(Dir::Remove) => r.change = Some(Change::Delta(-v)),
                None => {}
            }
        }
    }

    // Read from the sentences alone, so the same for every step below.
    let today = today(readings);
    // Subject against body.
    let mut body_changes: Vec<Change> = c.raws.iter().filter_map(|r| r.change).collect();
    // "Lizenzen reduzieren (zweiundzwanzig → achtzehn)" over "derzeit 22 … nur mehr 18": a body
    // total beside today's count is also the change between them.
    if let Some((_, now)) = today {
        let deltas: Vec<Change> = body_changes.iter().filter_map(|c| match c {
            Change::Target(t) if *t != now => Some(Change::Delta(t - now)),
            _ => None,
        }).collect();
        body_changes.extend(deltas);
    }
    // "Verlenging 1 april: 35 licenties" over "in totaal 35 licenties": the subject names the
    // body's total, whatever direction it was given alone.
    let body_totals: Vec<i64> = c.raws.iter().filter_map(|r| match r.change {
        Some(Change::Target(t)) => Some(t),
        _ => None,
    }).collect();
    let subj_changes: Vec<Change> = subj_raws
        .iter()
        .filter_map(|r| r.change)
        .filter(|sc| !matches!(sc, Change::Delta(d) if body_totals.contains(&d.abs())))
        .collect();
    if !body_changes.is_empty() && !subj_changes.is_empty() {
        let sign = |c: &Change| match c {
            Change::Delta(d) => d.signum(),
            Change::Target(_) => 0,
        };
        let contradicts = subj_changes.iter().any(|sc| !body_changes.contains(sc))
            && subj_changes.iter().all(|sc| body_changes.iter().all(|bc| bc != sc && (sign(bc) != sign(sc) || matches!((bc, sc), (Change::Delta(_), Change::Delta(_))))));
        // "The subject is wrong: it must be three, not two": the body's correction wins.
        let corrected = readings.iter().flatten().any(|r| r.correction);
        if contradicts && !corrected {
            c.problems.push((Ask::Contradiction, "the subject and the body ask for different changes".into()));
        }
        // Subject "Ajout 2 licences Business Standard" over a body adding two Business Premium;
        // subject "3 zusätzliche E5-Lizenzen" (either E5) over a body adding three M365 E3. A
        // name that fits several products differs only when none of them is named on the other
        // side: "Retrait d'une licence Exchange" over "Exchange Online (Plan 1)" does not; nor
        // "2 extra licences + a question about E5" over a body that asks E5's price.
        let named = |raws: &[Raw]| -> Vec<Vec<String>> {
            raws.iter()
                .filter(|r| r.change.is_some())
                .filter_map(|r| match &r.product {
                    Some(Mention::One(sku)) => Some(vec![sku.clone()]),
                    Some(Mention::Several(skus)) => Some(skus.clone()),
                    None => None,
                })
                .collect()
        };
        let (subj, body) = (named(&subj_raws), named(&c.raws));
        let several_elsewhere = subject.iter().flat_map(|r| &r.raws).any(|r| matches!(&r.product, Some(Mention::Several(skus)) if body_names.iter().any(|m| match m {
            Mention::One(sku) => skus.contains(sku),
            Mention::Several(other) => other == skus,
        })));
        let differ = !subj.is_empty() && !body.is_empty() && !several_elsewhere && subj.iter().flatten().all(|p| body.iter().all(|b| !b.contains(p)));
        if !corrected && differ {
            c.problems.push((Ask::Contradiction, "the subject and the body name different products".into()));
        }
    } else if body_changes.is_empty() && !subj_changes.is_empty() && c.raws.iter().all(|r| r.change.is_none()) {
        c.raws.extend(subj_raws.iter().filter(|r| r.change.is_some()).cloned().map(|mut r| {
            r.sentence = usize::MAX;
            r
        }));
    }
    let subj_set = one_dir(&subj_dirs);
    // "aktuell 9, benötigen aber nur noch 7" under "Lizenzen reduzieren": the body's direction is
    // that of the change from today's count, whatever its need word says.
    let mut body_set: Vec<Dir> = body_dirs.clone();
    // So is that of a wanted total beside today's count: "derzeit 30, brauchen nur noch 26".
    let today_count = today.map(|(_, v)| v);
    body_set.extend(c.raws.iter().filter_map(|r| match r.change {
        Some(Change::Delta(d)) if r.from_current && d > 0 => Some(Dir::Add),
        Some(Change::Delta(d)) if r.from_current && d < 0 => Some(Dir::Remove),
        Some(Change::Target(t)) if today_count.is_some_and(|v| t > v) => Some(Dir::Add),
        Some(Change::Target(t)) if today_count.is_some_and(|v| t < v) => Some(Dir::Remove),
        _ => None,
    }));
    if !subj_dirs.is_empty() && !body_set.is_empty() && !body_changes.is_empty() {
        let disjoint = subj_dirs.iter().all(|d| !body_set.contains(d));
        if disjoint && subj_set.is_some() {
            c.problems.push((Ask::Contradiction, "the subject says one direction, the body the other".into()));
        }
    }

    corrections(readings, &mut c.raws);
    breakdowns(&mut c.raws);
    if let Some(problem) = results_beside_changes(readings, &mut c.raws, today) {
        c.problems.push(problem);
    }
    today_and_wanted(readings, &mut c.raws, today);
    still_after_today(readings, &mut c.raws, today, all_dirs.contains(&Dir::Remove));
    if let Some(problem) = new_people_less_reused(readings, &mut c.raws) {
        c.problems.push(problem);
    }
    if let Some(problem) = per_person(readings, &mut c.raws) {
        c.problems.push(problem);
    }
    if sums_disagree(readings, &c.raws) {
        c.problems.push((Ask::Contradiction, "today's count, the change and the new total the mail gives do not add up".into()));
    }

    for r in &c.raws {
        if r.change.is_none() {
            if let Some(v) = r.undirected {
                c.problems.push((Ask::Direction, format!("{v} seats, but not whether to add them, remove them or make it the new total")));
            }
        }
    }

    // A sentence that only says "three new colleagues start" repeats a request made elsewhere.
    // A weak one that names another product with its licences ("We also need 2 Exchange Online
    // Plan 1 for the drivers") is a request of its own.
    if c.raws.iter().any(|r| r.change.is_some() && !r.weak) {
        let strong_products: Vec<_> = c.raws.iter().filter(|r| r.change.is_some() && !r.weak).map(|r| r.product.clone()).collect();
        c.raws.retain(|r| !r.weak || (r.attached && r.product.is_some() && !strong_products.contains(&r.product) && !strong_products.contains(&None)));
    }
    // "Bitte 3 Lizenzen X hinzufügen ... Ihr Angebot sah noch 5 vor, wir fangen mit 3 an": beside
    // quantities of licences, a bare number in a sentence that names no licence, no product and
    // asks nothing is commentary; so is a count of people.
    // A change from today's count to the wanted one ("from 12 to 15", a table row) is as plain.
    // So is a new total asked in so many words ("Please set … to 40 in total").
    let asked_total = |r: &Raw| matches!(r.change, Some(Change::Target(_))) && r.asks && !r.weak;
    if c.raws.iter().any(|r| r.change.is_some() && (r.attached || (r.from_current && !r.weak) || asked_total(r)) && !r.people) {
        c.raws.retain(|r| ((r.attached || r.asks || matches!(r.change, Some(Change::Target(_)))) && !r.people) || r.sentence == usize::MAX || r.from_current || r.rest);
    }
    if let Some(problem) = change_like_a_total(&c.raws, today) {
        c.problems.push(problem);
    }
    c
}

/// "Please add 4 ... Sorry, not 4 but 3", "Graag 6 erbij. Excuses, het moeten er 5 zijn": a later
/// sentence takes a number back, or corrects the change before it; the number it corrects is no
/// change any more.
fn corrections(readings: &[Option<Reading>], raws: &mut Vec<Raw>) {
    let value = |r: &Raw| match r.change {
        Some(Change::Delta(d)) => d.abs(),
        Some(Change::Target(t)) => t,
        None => r.undirected.unwrap_or(0),
    };
    for (si, reading) in readings.iter().enumerate() {
        let Some(reading) = reading else { continue };
        // "Retirez deux licences … En fait non, … Retirez-en une seule": the mail's new mind
        // replaces what it asked before, when it asks something itself.
        // So does a correction that says why and leaves the number to the next sentence ("Petite
        // correction : deux stagiaires sont prolongés. Retirez-en donc seulement 3.").
        let corrects_after = reading.correction
            && !raws.iter().any(|r| r.sentence == si)
            && !reading.numbers.iter().any(|n| matches!(n.meaning, Meaning::Change | Meaning::Unexplained | Meaning::Target));
        if let Some(j) = resized(raws, si, reading) {
            raws.remove(j);
        }
        if (reading.retract || corrects_after) && raws.iter().any(|r| r.sentence != usize::MAX && r.sentence >= si && r.change.is_some()) {
            raws.retain(|r| r.sentence == usize::MAX || r.sentence >= si || r.from_current);
        }
        renumber_last(raws, si, reading);
        // "nicht 5, sondern 4": the 5 said before is taken back.
        for (p, taken) in reading.numbers.iter().enumerate().filter(|(_, n)| n.meaning == Meaning::TakenBack) {
            // "Merci d'ajouter 3 … 2 licences suffiront donc, pas 3": the number said in place of
            // an earlier change is that change corrected, not a new total.
            let earlier = raws.iter().find(|r| r.sentence < si && matches!(r.change, Some(Change::Delta(d)) if d.abs() == taken.value));
            // "Bitte 4 Lizenzen hinzufügen … Nachtrag: bitte doch nur 2 statt 4": with no change of
            // its own, the number said right before the one taken back is that change's new size.
            let mine = raws.iter().any(|r| r.sentence == si);
            let before = p.checked_sub(1).map(|q| &reading.numbers[q]);
            if let (Some(old), Some(Number { value, meaning: Meaning::Unexplained, .. }), false) = (earlier, before, mine) {
                if let Some(Change::Delta(d)) = old.change {
                    let mut again = old.clone();
                    again.sentence = si;
                    again.change = Some(Change::Delta(d.signum() * value));
                    raws.push(again);
                }
            } else if let Some(Some(Change::Delta(d))) = earlier.map(|r| r.change) {
                for r in raws.iter_mut().filter(|r| r.sentence == si && !r.from_current) {
                    if let Some(Change::Target(t)) = r.change {
                        r.change = Some(Change::Delta(d.signum() * t));
                    }
                }
            }
            raws.retain(|r| r.sentence >= si || r.sentence == usize::MAX || value(r) != taken.value || r.from_current);
        }
    }
}

/// "Excuses, het moeten er 5 zijn", "Förlåt – det ska vara 2, inte 3": a correction with one
/// new number and no change of its own is the last change before it, with the new number (before
/// the number it takes back drops that change).
fn renumber_last(raws: &mut [Raw], si: usize, reading: &Reading) {
    if !(reading.correction || reading.retract) || raws.iter().any(|r| r.sentence == si) {
        return;
    }
    let new: Vec<i64> = reading
        .numbers
        .iter()
        .filter(|n| matches!(n.meaning, Meaning::Change | Meaning::Unexplained | Meaning::Target))
        .map(|n| n.value)
        .collect();
    let [v] = new[..] else { return };
    if let Some(last) = raws.iter_mut().rev().find(|r| r.sentence < si && r.change.is_some()) {
        last.change = match last.change {
            Some(Change::Delta(d)) => Some(Change::Delta(d.signum() * v)),
            Some(Change::Target(_)) => Some(Change::Target(v)),
            None => None,
        };
    }
}

/// "Please add 4 … Scratch that, make it 3", "Sorry, correction: only remove 2", "Zwei
/// Praktikanten bleiben länger. Bitte also nur 3 entfernen": sentence `si` says the size of the
/// change said before it again, for the same product and account. A number made the wanted one
/// with no word of a total is that change's new size; a change in the same direction replaces it
/// when the sentence corrects, or when "only" makes it smaller. The change replaced, if any.
fn resized(raws: &mut [Raw], si: usize, reading: &Reading) -> Option<usize> {
    let own: Vec<usize> = (0..raws.len()).filter(|&k| raws[k].sentence == si && !raws[k].from_current && !raws[k].people).collect();
    let [k] = own[..] else { return None };
    // Not a count of people said beside the change ("add 5 … we have five new starters").
    let j = (0..raws.len()).rev().find(|&j| raws[j].sentence < si && raws[j].change.is_some() && !raws[j].from_current && !raws[j].people)?;
    let (new, old) = (&raws[k], &raws[j]);
    let Some(Change::Delta(d)) = old.change else { return None };
    let corrects = reading.correction || reading.retract;
    // "Ajoutez 4 Business Standard … Correction : 4 licences Business Premium": a correction may
    // name another product; the one it names wins.
    let same_product = new.product.is_none() || new.product == old.product || corrects;
    let same_account = new.near_email.is_none() || new.near_email == old.near_email;
    if !same_product || !same_account {
        return None;
    }
    // "Sorry, and could you also add 1 more": a further change, not this one again.
    if reading.also && !reading.makes_it {
        return None;
    }
    match new.change {
        Some(Change::Target(t)) if (corrects || reading.makes_it) && !reading.says_total => raws[k].change = Some(Change::Delta(d.signum() * t)),
        Some(Change::Delta(e)) if e.signum() == d.signum() && (corrects || (reading.narrows && e.abs() < d.abs())) => {}
        _ => return None,
    }
    // The change said again is the same change: a licence change, of the product said before.
    let (attached, product, near_email) = (raws[j].attached, raws[j].product.clone(), raws[j].near_email);
    let r = &mut raws[k];
    r.attached |= attached;
    r.product = r.product.take().or(product);
    r.near_email = r.near_email.or(near_email);
    Some(j)
}

/// "Please add 6 F3 licences (4 people + 2 reserves)": numbers of a sentence that add up to its
/// change of licences say what the change is made of, and are no change of their own.
fn breakdowns(raws: &mut Vec<Raw>) {
    let value = |r: &Raw| match r.change {
        Some(Change::Delta(d)) => d.abs(),
        Some(Change::Target(_)) | None => r.undirected.unwrap_or(0),
    };
    let mut drop: Vec<usize> = Vec::new();
    for (k, main) in raws.iter().enumerate() {
        if !main.attached || main.people || main.change.is_none() {
            continue;
        }
        // The parts stand in the same sentence, for the same account: after the change ("6
        // licences (4 people + 2 reserves)"), or before it as counts ("the two new associates
        // and three more joining: please add 5").
        let parts: Vec<usize> = (0..raws.len())
            .filter(|&o| o != k && raws[o].sentence == main.sentence && !drop.contains(&o))
            .filter(|&o| raws[o].at > main.at || !raws[o].attached)
            .filter(|&o| raws[o].near_email == main.near_email || raws[o].near_email.is_none())
            .collect();
        let sum: i64 = parts.iter().map(|&o| value(&raws[o])).sum();
        if parts.len() >= 2 && sum == value(main) {
            drop.extend(parts);
        }
    }
    let mut k = 0;
    raws.retain(|_| {
        k += 1;
        !drop.contains(&(k - 1))
    });
}

/// "We currently have 15 licences. We only need 12.": today's count in one sentence and the wanted
/// total in another (of the same mail, nothing else in between) is the change between the two.
fn today_and_wanted(readings: &[Option<Reading>], raws: &mut Vec<Raw>, today: Option<(usize, i64)>) {
    let Some((first, today)) = today else { return };
    let recalled = readings.get(first).and_then(Option::as_ref).is_some_and(|r| r.recalled);
    let targets: Vec<(usize, i64)> = raws
        .iter()
        .enumerate()
        // "Please make it 9 from now. At the moment we have 11": the sentence just before too,
        // unless today's count comes from memory ("nous en avons 62, si je ne me trompe pas").
        .filter(|(_, r)| r.sentence != usize::MAX && (r.sentence >= first || (r.sentence + 1 == first && !recalled)))
        .filter_map(|(k, r)| match r.change {
            Some(Change::Target(t)) => Some((k, t)),
            _ => None,
        })
        .collect();
    // "Today we have 10 F3 licences. We want 14.": a number right after a want, in a later
    // sentence, is the wanted total.
    if targets.is_empty() {
        wanted_after_today(readings, raws, first, today);
        return;
    }
    // The same total said twice ("19 need one. Set it to 19.") is one wanted total.
    let Some(&(_, t)) = targets.first() else { return };
    if t == today || targets.iter().any(|&(_, v)| v != t) {
        return;
    }
    for (k, _) in targets {
        raws[k].change = Some(Change::Delta(t - today));
        raws[k].from_current = true;
        // From today's count to the wanted total is as plain as a change gets.
        raws[k].weak = false;
    }
}

/// "Please add 3 so that we have 20. At the moment we have 15.", "Nous avons 12 ... passer à 10,
/// donc 3 de moins": today's count, the wanted total and the change, all three given, and the
/// change is not the difference. One of them is wrong and nobody here can tell which.
fn sums_disagree(readings: &[Option<Reading>], raws: &[Raw]) -> bool {
    let values = |m: Meaning| {
        let mut v: Vec<i64> = readings.iter().flatten().flat_map(|r| r.numbers.iter()).filter(|n| n.meaning == m).map(|n| n.value).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (today, wanted, mut changes) = (values(Meaning::Current), values(Meaning::Target), values(Meaning::Change));
    // "6 today, 9 from April, when three new engineers start": people who join or leave may be
    // the change itself.
    changes.extend(readings.iter().flatten().flat_map(|r| r.numbers.iter()).filter(|n| n.meaning == Meaning::People && n.joining != 0).map(|n| n.value));
    // "Nous avons 12 licences … les 4 étudiants sont partis. Il nous en faut donc 9": the people
    // who came or went, against the change from today's count to the wanted one.
    let numbers = || readings.iter().flatten().flat_map(|r| r.numbers.iter());
    let people: Vec<&Number> = numbers().filter(|n| n.meaning == Meaning::People && n.joining != 0).collect();
    let reused = numbers().any(|n| n.meaning == Meaning::Reuse);
    // "zes monteurs en vier mensen op kantoor komen erbij … van 22 naar 26": a group of the
    // people told of (joining or not) may be the ones the change is for.
    let a_group = |change: i64| numbers().any(|n| n.meaning == Meaning::People && n.value == change.abs());
    let derived: Vec<i64> = raws.iter().filter(|r| r.from_current).filter_map(|r| match r.change {
        Some(Change::Delta(d)) => Some(d),
        _ => None,
    }).collect();
    if let (&[_], &[d], false) = (&today[..], &derived[..], people.is_empty() || reused) {
        let counted = people.iter().all(|n| i64::from(n.joining) == d.signum());
        if one_subscription(raws) && counted && !a_group(d) && !changes.contains(&d.abs()) {
            return true;
        }
    }
    let (&[today], &[wanted]) = (&today[..], &wanted[..]) else { return false };
    // "van 6 naar 8 licenties" under one shop's heading, "1 licentie minder" under the other's: a
    // change the other way in another paragraph is another change, not a sum that fails (two
    // changes of one subscription are asked about where the changes are combined).
    let paras: Vec<usize> = raws.iter().filter(|r| r.from_current).map(|r| r.para).collect();
    let other_way = raws.iter().any(|r| {
        !r.from_current && !paras.contains(&r.para) && matches!(r.change, Some(Change::Delta(d)) if d.signum() == -(wanted - today).signum())
    });
    one_subscription(raws) && today != wanted && !changes.is_empty() && !changes.contains(&(wanted - today).abs()) && !a_group(wanted - today) && !other_way
}

/// "Merci de retirer une licence (nous en avons 19, il en restera 18)": beside a change, the
/// total left afterwards is no change of its own; whether the three add up is checked after.
/// Alone, it is the wanted total only beside today's count ("we have 19, 18 will remain");
/// without one, what is left may be of something else: ask.
fn results_beside_changes(readings: &[Option<Reading>], raws: &mut Vec<Raw>, today: Option<(usize, i64)>) -> Option<(Ask, String)> {
    let is_result = |r: &Raw| readings.get(r.sentence).and_then(Option::as_ref).is_some_and(|x| x.results.contains(&r.at));
    if raws.iter().any(|r| matches!(r.change, Some(Change::Delta(_))) && !is_result(r)) {
        raws.retain(|r| !is_result(r));
    } else if today.is_none() {
        if let Some(Change::Target(t)) = raws.iter().find(|r| is_result(r)).and_then(|r| r.change) {
            return Some((Ask::Quantity, format!("{t} left, but not how many there are today")));
        }
    }
    None
}

/// "Nous avons 32 licences ... nous n'en aurons plus besoin que de 27" read as -27: beside
/// today's count, a change of half of it or more was most often the wanted total read as a
/// change. Whatever the words that made it a change, such a change asks.
fn change_like_a_total(raws: &[Raw], today: Option<(usize, i64)>) -> Option<(Ask, String)> {
    let (_, today) = today?;
    if !one_subscription(raws) {
        return None;
    }
    raws.iter().filter(|r| !r.from_current && r.sentence != usize::MAX).find_map(|r| match r.change {
        Some(Change::Delta(d)) if 2 * d.abs() >= today && d.abs() != today => {
            Some((Ask::Quantity, format!("{} beside today's {today}: a change of that many, or the new total?", d.abs())))
        }
        _ => None,
    })
}

/// The changes name one product at most: with two, today's count may be one's and the total
/// or the change the other's.
fn one_subscription(raws: &[Raw]) -> bool {
    let mut products: Vec<_> = raws.iter().filter_map(|r| r.product.clone()).collect();
    products.dedup();
    products.len() <= 1
}

/// Today's count, when the mail gives one (the same number however often): its value and the
/// first sentence that gives it.
fn today(readings: &[Option<Reading>]) -> Option<(usize, i64)> {
    let currents: Vec<(usize, i64)> = readings
        .iter()
        .enumerate()
        .filter_map(|(si, r)| r.as_ref().map(|r| (si, r)))
        .filter(|(_, r)| !r.raws.iter().any(|x| x.from_current))
        .flat_map(|(si, r)| r.numbers.iter().filter(|n| n.meaning == Meaning::Current).map(move |n| (si, n.value)))
        .collect();
    let mut values: Vec<i64> = currents.iter().map(|(_, v)| *v).collect();
    values.dedup();
    let [today] = values[..] else { return None };
    Some((currents[0].0, today))
}

/// "Wij hebben 22 licenties ... vanaf nu hebben we er nog 19 nodig": after today's count, "nog
/// 19" is "19 more" or "19 in all". In a mail that removes elsewhere (its subject, "valt weg"),
/// a number below today's is the total. Otherwise it stays "more", and a large one asks
/// ([`change_like_a_total`]).
fn still_after_today(readings: &[Option<Reading>], raws: &mut [Raw], today: Option<(usize, i64)>, removes: bool) {
    let Some((first, today)) = today else { return };
    if !removes {
        return;
    }
    for (si, reading) in readings.iter().enumerate().skip(first + 1) {
        let Some(reading) = reading else { continue };
        for &(at, n) in &reading.still {
            let Some(raw) = raws.iter_mut().find(|r| r.sentence == si && r.at == at && r.change == Some(Change::Delta(n))) else { continue };
            if n < today {
                raw.change = Some(Change::Delta(n - today));
                raw.from_current = true;
                raw.weak = false;
            }
        }
    }
}

/// One wanted number after today's count: the change between the two, in place of whatever the
/// wanted number's own sentence made of it (a bare number asks; "starts" is no addition of 14).
fn wanted_after_today(readings: &[Option<Reading>], raws: &mut Vec<Raw>, first: usize, today: i64) {
    let wanted: Vec<(usize, usize, i64)> = readings
        .iter()
        .enumerate()
        .skip(first + 1)
        .filter_map(|(si, r)| r.as_ref().map(|r| (si, r)))
        .flat_map(|(si, r)| r.wanted.iter().map(move |&(at, v)| (si, at, v)))
        .collect();
    let [(si, at, w)] = wanted[..] else { return };
    // "behöver vi 10, eftersom två nya reportrar börjar": the people say why, they are no change.
    if w == today || raws.iter().any(|r| r.change.is_some() && !r.people && r.sentence != usize::MAX && !(r.sentence == si && r.at == at)) {
        return;
    }
    let para = readings[si].as_ref().map_or(0, |r| r.para);
    raws.retain(|r| !(r.people || r.sentence == si && r.at == at));
    raws.push(Raw::derived(Change::Delta(w - today), si, para, at, true));
}

/// "Three new colleagues start on 1 June. One of them takes over Ann's licence." is two licences:
/// the people who join, less those who take over a licence already there, unless the mail says
/// the rest in so many words ("for the other two we need licences").
/// When the mail says someone takes over a licence but not how many do, the people who join
/// are not the licences to add: ask.
fn new_people_less_reused(readings: &[Option<Reading>], raws: &mut Vec<Raw>) -> Option<(Ask, String)> {
    let reused = reused(readings);
    if reused == 0 {
        let joining_people = raws.iter().any(|r| r.people && matches!(r.change, Some(Change::Delta(d)) if d > 0));
        let takes_over = readings.iter().flatten().any(|r| r.takes_over);
        // "Wir brauchen also 2 Lizenzen zusätzlich": the licences said outright settle it.
        let licences_said = raws.iter().any(|r| !r.people && r.change.is_some() && r.attached);
        // "Four new analysts join. Three of them need a new E3 licence; the fourth takes over
        // Hélène's": fewer licences than people, said beside them, are the people less the takers.
        let all_added = raws.iter().all(|r| r.people || matches!(r.change, Some(Change::Delta(d)) if d > 0));
        if joining_people && takes_over && !licences_said && all_added {
            let people: i64 = raws.iter().filter(|r| r.people).filter_map(|r| match r.change {
                Some(Change::Delta(d)) if d > 0 => Some(d),
                _ => None,
            }).sum();
            let fewer: Vec<usize> = (0..raws.len()).filter(|&k| !raws[k].people && matches!(raws[k].change, Some(Change::Delta(d)) if d < people)).collect();
            if let [k] = fewer[..] {
                raws[k].weak = false;
                raws[k].attached = true;
                raws.retain(|r| !r.people);
                return None;
            }
        }
        return (joining_people && takes_over && !licences_said).then(|| (Ask::Quantity, "some of the people take over a licence, but not how many".into()));
    }
    if raws.iter().any(|r| r.rest && r.change.is_some()) {
        raws.retain(|r| !r.people || r.rest);
        for r in raws.iter_mut().filter(|r| r.rest) {
            r.weak = false;
            r.attached = true;
        }
        return None;
    }
    let joining: i64 = readings.iter().flatten().flat_map(|r| r.numbers.iter()).filter(|n| n.meaning == Meaning::People && n.joining > 0).map(|n| n.value).sum();
    let k = raws.iter().position(|r| r.people && matches!(r.change, Some(Change::Delta(d)) if d > 0))?;
    if joining > reused {
        let mut r = raws[k].clone();
        r.change = Some(Change::Delta(joining - reused));
        r.weak = false;
        raws.retain(|x| !x.people);
        raws.push(r);
    }
    None
}

/// How many of the people told of take over a licence already there, across the mail.
fn reused(readings: &[Option<Reading>]) -> i64 {
    readings.iter().flatten().flat_map(|r| r.numbers.iter()).filter(|n| n.meaning == Meaning::Reuse).map(|n| n.value).sum()
}

/// "Nous accueillons 2 stagiaires. Ils auront chacun besoin d'une licence": a licence for each
/// person is as many licences as the people counted, in that sentence or the last one before it
/// that counts people, less those who take over a licence ("drei neue … Eine davon übernimmt die
/// Lizenz von Herrn Claes. Für die beiden anderen jeweils eine Lizenz"). Licences counted in so
/// many words elsewhere settle it instead. With no count of people, people who leave, or a
/// removal word, how many is asked: never one in all.
fn per_person(readings: &[Option<Reading>], raws: &mut Vec<Raw>) -> Option<(Ask, String)> {
    let (si, reading, at) = readings.iter().enumerate().find_map(|(si, r)| r.as_ref().and_then(|r| r.per_person.map(|at| (si, r, at))))?;
    if raws.iter().any(|r| !r.people && r.change.is_some()) {
        return None;
    }
    // "We have 12 staff. They need a licence each": people counted in another sentence who
    // neither join nor leave are today's staff, not those the licences are for.
    let counted = readings[..=si].iter().enumerate().rev().find_map(|(k, r)| {
        let r = r.as_ref()?;
        let people: Vec<&Number> = r.numbers.iter().filter(|n| n.meaning == Meaning::People).collect();
        let staff = k != si && r.staff && people.iter().all(|n| n.joining == 0);
        (!people.is_empty()).then(|| (people.iter().map(|n| n.value).sum::<i64>(), staff || people.iter().any(|n| n.joining < 0)))
    });
    let ask = || Some((Ask::Quantity, "a licence for each person, but not for how many".to_string()));
    let Some((people, false)) = counted else { return ask() };
    // "…die nötigen Lizenzen hinzu. Einer der vier übernimmt die Lizenz von …": who takes over
    // one may be told after the ask.
    let reused = reused(readings);
    let n = people - reused;
    if reading.dirs.contains(&Dir::Remove) || n <= 0 {
        return ask();
    }
    raws.retain(|r| !r.people);
    raws.push(Raw::derived(Change::Delta(n), si, reading.para, at, false));
    None
}
