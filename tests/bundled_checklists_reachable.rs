//! Every item of every bundled checklist can be shown, and every red flag can
//! fire, for some answers and some family.
//!
//! The proof is a search, not a list: visits to the fictional families (with
//! some members left out, and the children at other ages) are filled with
//! random answers — deterministic, seeded — and derived by the real engine
//! until each item has been visible and each red flag has fired at least
//! once. The answers are biased per section towards "mostly yes" or "mostly
//! no" and high or low scale values, so scores reach their outer bands; the
//! numbers and dates tried are taken from the conditions themselves, so
//! their edges are met. Nothing here names an item or a flag: the test keeps
//! working as the checklists change, and fails with the names of whatever
//! can no longer be reached. Half the visits are follow-ups of a random
//! previous visit, so the follow-up sections are searched too.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use common::{Family, catalog, now};
use safevisit::checklist::condition::{Expr, Operand};
use safevisit::checklist::model::{Checklist, ItemKind};
use safevisit::visit::record::{
    AgreementRecord, AnswerValue, CaseFlagRecord, FollowUpRecord, PersonRecord,
    PreviousValueRecord, ScalingRecord, format_date,
};
use safevisit::visit::{Answer, SecretText, Visit, derive};
use time::macros::date;

/// Upper bound on the search; it normally ends far sooner.
const MAX_TRIALS: usize = 4000;

/// A small deterministic generator (xorshift64*), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p && p > 0.0
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

/// Numbers and dates that conditions compare an item with, per
/// (checklist id, item index): the values around them are the edges worth
/// trying.
#[derive(Default)]
struct Literals {
    numbers: HashMap<(String, usize), BTreeSet<i64>>,
    dates: HashMap<(String, usize), BTreeSet<i32>>,
}

impl Literals {
    fn collect(checklists: &[Arc<Checklist>]) -> Literals {
        let mut lit = Literals::default();
        for c in checklists {
            let conditions = c
                .sections
                .iter()
                .filter_map(|s| s.show_if.as_ref())
                .chain(c.items.iter().filter_map(|i| i.show_if.as_ref()))
                .chain(c.red_flags.iter().map(|f| &f.when))
                .chain(
                    c.outcomes
                        .iter()
                        .flat_map(|o| o.rules.iter().filter_map(|r| r.when.as_ref())),
                );
            for cond in conditions {
                lit.walk(c, &cond.expr);
            }
        }
        lit
    }

    fn key(c: &Checklist, op: &Operand) -> Option<(String, usize)> {
        match op {
            Operand::Item(r) => {
                let id = match r.checklist {
                    None => c.id.clone(),
                    Some(slot) => c.foreign.get(slot as usize)?.clone(),
                };
                Some((id, r.item as usize))
            }
            _ => None,
        }
    }

    fn note(&mut self, c: &Checklist, item: &Operand, value: &Operand) {
        let Some(key) = Literals::key(c, item) else {
            return;
        };
        match value {
            Operand::Num(n) => {
                self.numbers
                    .entry(key)
                    .or_default()
                    .insert(n.floor() as i64);
            }
            Operand::Date(d) => {
                self.dates.entry(key).or_default().insert(*d);
            }
            _ => {}
        }
    }

    fn walk(&mut self, c: &Checklist, e: &Expr) {
        match e {
            Expr::And(parts) | Expr::Or(parts) => parts.iter().for_each(|p| self.walk(c, p)),
            Expr::Not(inner) => self.walk(c, inner),
            Expr::Cmp(_, a, b) => {
                self.note(c, a, b);
                self.note(c, b, a);
            }
            Expr::In {
                operand, values, ..
            } => values.iter().for_each(|v| self.note(c, operand, v)),
            _ => {}
        }
    }
}

/// A random answer for an item; `lean` is the chance of the "first" or
/// "high" answer (yes, the first option, the upper half of a scale).
fn random_answer(rng: &mut Rng, lit: &Literals, c: &Checklist, item: usize, lean: f64) -> Answer {
    let it = &c.items[item];
    match &it.kind {
        k if k.is_single_option() => {
            let n = it.options.len();
            if rng.chance(lean) {
                Answer::Choice(0)
            } else {
                Answer::Choice(1 + rng.below(n - 1) as u16)
            }
        }
        ItemKind::Multi => {
            let mut bits = 0u64;
            for o in 0..it.options.len() {
                if rng.chance(lean) {
                    bits |= 1 << o;
                }
            }
            Answer::Multi(bits)
        }
        ItemKind::Scale { min, max, .. } => {
            let mid = (min + max) / 2;
            let (lo, hi) = if rng.chance(lean) {
                (mid, *max)
            } else {
                (*min, mid)
            };
            Answer::Number((lo + rng.below((hi - lo + 1) as usize) as i64) as f64)
        }
        ItemKind::Number {
            min, max, integer, ..
        } => {
            let mut candidates: Vec<f64> = vec![min.unwrap_or(0.0), max.unwrap_or(1.0)];
            if let Some(ns) = lit.numbers.get(&(c.id.clone(), item)) {
                for n in ns {
                    candidates.extend([n - 1, *n, n + 1].map(|x| x as f64));
                }
            }
            let fits = |x: &f64| {
                min.is_none_or(|m| *x >= m)
                    && max.is_none_or(|m| *x <= m)
                    && (!integer || x.fract() == 0.0)
            };
            let candidates: Vec<f64> = candidates.into_iter().filter(fits).collect();
            Answer::Number(rng.pick(&candidates))
        }
        ItemKind::Date => {
            let mut days: Vec<i32> = vec![date!(2026 - 03 - 04).to_julian_day()];
            if let Some(ds) = lit.dates.get(&(c.id.clone(), item)) {
                for d in ds {
                    days.extend([d - 1, *d, d + 1]);
                }
            }
            let day = rng.pick(&days);
            Answer::Date(time::Date::from_julian_day(day).unwrap_or(date!(2026 - 03 - 04)))
        }
        _ => Answer::Text(SecretText::new("tekst")),
    }
}

/// The record of an answer, as a case card keeps it.
fn answer_value(c: &Checklist, item: usize, a: &Answer) -> AnswerValue {
    let it = &c.items[item];
    match a {
        Answer::Choice(i) => AnswerValue::Choice(it.options[*i as usize].id.clone()),
        Answer::Multi(bits) => AnswerValue::Multi(
            (0..it.options.len())
                .filter(|o| bits & (1 << o) != 0)
                .map(|o| it.options[o].id.clone())
                .collect(),
        ),
        Answer::Number(n) => AnswerValue::Number(*n),
        Answer::Date(d) => AnswerValue::Date(format_date(*d)),
        Answer::Text(t) => AnswerValue::Text(t.clone()),
    }
}

/// Half the visits are follow-ups: what a previous visit left behind, at
/// random (agreements, active flags, scaling answers, and a value for every
/// item a checklist reads with `previous(item)`).
fn random_follow_up(rng: &mut Rng, lit: &Literals, visit: &mut Visit) {
    if rng.chance(0.5) {
        return;
    }
    let mut f = FollowUpRecord {
        follows: "eerder".into(),
        previous_date: "2026-02-04".into(),
        ..FollowUpRecord::default()
    };
    for _ in 0..rng.below(3) {
        f.agreements.push(AgreementRecord {
            who: SecretText::new("Iris (moeder)"),
            what: SecretText::new("naar de huisarts"),
            by_when: Some("2026-02-20".into()),
            if_wrong: SecretText::new("bel de buurvrouw"),
        });
    }
    for _ in 0..rng.below(3) {
        f.flags.push(CaseFlagRecord {
            checklist: "veiligheid".into(),
            person: PersonRecord::Visit,
            flag: "acuut_geweld".into(),
            level: "acute".into(),
            message: safevisit::i18n::Text::new("Acuut gevaar.", "Acute danger."),
            state: "active".into(),
            action_taken: SecretText::new("overlegd"),
            raised_on: "2026-02-04".into(),
        });
    }
    for _ in 0..rng.below(3) {
        f.scaling.push(ScalingRecord {
            who: SecretText::new("Iris"),
            role: Some("ouder".into()),
            about: SecretText::default(),
            value: rng.below(11) as i64,
        });
    }
    for s in &visit.sheets {
        let c = &s.checklist;
        for &i in &c.previous_items {
            let lean = rng.pick(&[0.0, 0.5, 1.0]);
            let a = random_answer(rng, lit, c, i, lean);
            f.values.push(PreviousValueRecord {
                checklist: c.id.clone(),
                person: s.person.into(),
                item: c.items[i].id.clone(),
                value: answer_value(c, i, &a),
            });
        }
    }
    visit.start_follow_up(f, "casus".into());
}

/// A visit to one of the fictional families, some members left out and the
/// children perhaps at other ages, with every bundled checklist in use.
fn random_visit(rng: &mut Rng, checklists: &[Arc<Checklist>]) -> Visit {
    let mut roster = rng.pick(&Family::ALL).roster();
    roster.children.retain(|_| rng.chance(0.75));
    roster.caregivers.retain(|_| rng.chance(0.8));
    if rng.chance(0.4) {
        for child in &mut roster.children {
            child.age = rng.below(18) as u8;
        }
    }
    let mut visit = Visit::new("zoek".into(), "zoek".into(), date!(2026 - 03 - 04), now());
    visit.roster = roster;
    for c in checklists {
        visit.use_checklist(c);
    }
    visit
}

fn fill(rng: &mut Rng, lit: &Literals, visit: &mut Visit) {
    let unanswered = rng.pick(&[0.0, 0.0, 0.1, 0.3]);
    for sheet in 0..visit.sheets.len() {
        let c = visit.sheets[sheet].checklist.clone();
        for (s, section) in c.sections.iter().enumerate() {
            let entries: Vec<Option<usize>> = match &section.repeat {
                None => vec![None],
                // Made from the roster: one entry per member, already there.
                Some(r) if r.per.is_some() => (0..visit.sheets[sheet].entries[s].len())
                    .map(Some)
                    .collect(),
                Some(r) => (0..rng.below(4).min(usize::from(r.max_entries)))
                    .map(|_| visit.add_entry(sheet, s, now()).ok())
                    .collect(),
            };
            for entry in entries {
                let lean = rng.pick(&[0.0, 0.1, 0.5, 0.9, 1.0]);
                for item in section.items.clone() {
                    if rng.chance(unanswered) {
                        continue;
                    }
                    let a = random_answer(rng, lit, &c, item, lean);
                    visit
                        .set_answer(sheet, item, entry, Some(a), now())
                        .unwrap_or_else(|e| panic!("{}: `{}`: {e}", c.id, c.items[item].id));
                }
            }
        }
    }
}

#[test]
fn every_item_can_be_shown_and_every_red_flag_can_fire() {
    let cat = catalog();
    let checklists: Vec<Arc<Checklist>> = cat.all().to_vec();
    for (id, applies) in [
        ("veiligheid", "visit"),
        ("trauma-kind", "child"),
        ("trauma-ouder", "caregiver"),
        ("gezinsanalyse", "visit"),
        ("hulp-en-regie", "visit"),
    ] {
        let c = cat
            .get(id)
            .unwrap_or_else(|| panic!("`{id}` is not bundled"));
        assert_eq!(common::applies(c), applies, "{id}");
    }
    let lit = Literals::collect(&checklists);

    // Everything still to be seen: (checklist, item) and (checklist, flag).
    let mut items: BTreeSet<(String, usize)> = BTreeSet::new();
    let mut flags: BTreeSet<(String, usize)> = BTreeSet::new();
    for c in &checklists {
        items.extend((0..c.items.len()).map(|i| (c.id.clone(), i)));
        flags.extend((0..c.red_flags.len()).map(|f| (c.id.clone(), f)));
    }
    let total = (items.len(), flags.len());

    let mut rng = Rng(0x5AFE_715E_2026_0304);
    let mut trials = 0;
    while trials < MAX_TRIALS && !(items.is_empty() && flags.is_empty()) {
        trials += 1;
        let mut visit = random_visit(&mut rng, &checklists);
        random_follow_up(&mut rng, &lit, &mut visit);
        fill(&mut rng, &lit, &mut visit);
        let derived = derive(&visit);
        for (sheet, d) in visit.sheets.iter().zip(&derived.sheets) {
            let c = &sheet.checklist;
            for i in 0..c.items.len() {
                let section = c.items[i].section;
                let shown = if c.sections[section].repeat.is_some() {
                    let pos = i - c.sections[section].items.start;
                    d.entry_visible[section].iter().any(|e| e[pos])
                } else {
                    d.item_visible[i]
                };
                if shown {
                    items.remove(&(c.id.clone(), i));
                }
            }
            for f in &d.flags {
                flags.remove(&(c.id.clone(), f.flag));
            }
        }
    }

    let by_name = |set: &BTreeSet<(String, usize)>,
                   name: &dyn Fn(&Checklist, usize) -> String|
     -> Vec<String> {
        set.iter()
            .map(|(id, i)| {
                let c = checklists
                    .iter()
                    .find(|c| &c.id == id)
                    .expect("known checklist");
                format!("{id}.{}", name(c, *i))
            })
            .collect()
    };
    let never_shown = by_name(&items, &|c, i| c.items[i].id.clone());
    let never_fired = by_name(&flags, &|c, f| c.red_flags[f].id.clone());
    assert!(
        never_shown.is_empty() && never_fired.is_empty(),
        "after {trials} visits, of {} items and {} red flags: never shown: {never_shown:?}; never fired: {never_fired:?}",
        total.0,
        total.1
    );
}

#[test]
fn the_search_itself_tells_shown_from_hidden() {
    // Guard against a search that proves nothing: the same machinery must
    // also find items that are hidden, or every item would pass trivially.
    let cat = catalog();
    let checklists: Vec<Arc<Checklist>> = cat.all().to_vec();
    let lit = Literals::collect(&checklists);
    let mut rng = Rng(7);
    let mut hidden = 0usize;
    for _ in 0..20 {
        let mut visit = random_visit(&mut rng, &checklists);
        random_follow_up(&mut rng, &lit, &mut visit);
        fill(&mut rng, &lit, &mut visit);
        let derived = derive(&visit);
        hidden += derived
            .sheets
            .iter()
            .map(|d| d.item_visible.iter().filter(|v| !**v).count())
            .sum::<usize>();
    }
    assert!(
        hidden > 0,
        "no item was ever hidden: the search cannot tell shown from hidden"
    );
}
