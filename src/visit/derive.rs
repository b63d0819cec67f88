//! Everything that follows from a visit's answers, derived afresh each time:
//! which sections and items are visible, which required items are missing,
//! which red flags fire, every score with its band, every outcome, and the
//! progress of each section.
//!
//! Answers of items that are hidden are kept in the visit, but count for
//! nothing here: a hidden item is neither missing nor scored, raises no flag,
//! and reads as unanswered in every condition.
//!
//! Pure: no I/O, no clock.

use crate::checklist::condition::{Env, Expr, ItemRef, RosterFact, Val};
use crate::checklist::model::{AppliesTo, Checklist, ItemKind, ScoreMethod, VisNode};
use crate::visit::{Answer, Person, Roster, Sheet, Visit};

/// Everything derived from one visit, one entry per sheet (same order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Derived {
    pub sheets: Vec<SheetDerived>,
    /// Indices into `Visit::pending` of typed texts that are no answer to
    /// their item (out of range, not a date, too long, or the item is gone):
    /// the invalid draft values that block finalizing.
    pub invalid: Vec<usize>,
}

/// A red flag whose condition holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FiredFlag {
    /// Index into `Checklist::red_flags`.
    pub flag: usize,
    /// The entry of a repeatable section the flag fired in.
    pub entry: Option<usize>,
}

/// A required item that is visible and unanswered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missing {
    pub item: usize,
    pub entry: Option<usize>,
}

/// A score's value and band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScoreValue {
    pub value: i64,
    /// Index into `Score::bands`; `None` while no item of the score is answered.
    pub band: Option<usize>,
    /// Visible items of the score that have an answer.
    pub answered: usize,
    /// Visible items of the score.
    pub visible: usize,
}

/// Answered and required counts of one section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub visible: usize,
    pub answered: usize,
    pub required: usize,
    pub required_answered: usize,
}

impl Progress {
    pub fn complete(&self) -> bool {
        self.required_answered == self.required
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SheetDerived {
    /// The person's age band (per-child checklists with bands).
    pub age_band: Option<usize>,
    pub section_visible: Vec<bool>,
    /// Per item: visible. For items of a repeatable section this says the
    /// item can appear; `entry_visible` says where it does.
    pub item_visible: Vec<bool>,
    /// Per section, per entry, per item of the section: visible.
    pub entry_visible: Vec<Vec<Vec<bool>>>,
    /// Per section, per entry: kept aside, because the entry was made for a
    /// roster member who has since been removed. Its items are hidden, so it
    /// counts for nothing (not missing, not counted, raises no flag).
    pub entry_kept_aside: Vec<Vec<bool>>,
    pub missing: Vec<Missing>,
    pub flags: Vec<FiredFlag>,
    pub scores: Vec<ScoreValue>,
    /// Per outcome: the index of the rule that holds, if any.
    pub outcomes: Vec<Option<usize>>,
    pub progress: Vec<Progress>,
}

impl SheetDerived {
    /// Whether an item is visible, in an entry when it repeats.
    pub fn visible(&self, checklist: &Checklist, item: usize, entry: Option<usize>) -> bool {
        let section = checklist.items[item].section;
        if checklist.sections[section].repeat.is_some() {
            let pos = item - checklist.sections[section].items.start;
            entry
                .and_then(|e| self.entry_visible[section].get(e))
                .is_some_and(|v| v[pos])
        } else {
            self.item_visible[item]
        }
    }

    /// The value of an outcome, if a rule holds.
    pub fn outcome_value<'c>(&self, checklist: &'c Checklist, outcome: usize) -> Option<&'c str> {
        self.outcomes[outcome].map(|r| checklist.outcomes[outcome].rules[r].value.as_str())
    }
}

fn value_of(a: Option<&Answer>) -> Val<'_> {
    match a {
        None => Val::Missing,
        Some(Answer::Choice(i)) => Val::Choice(*i),
        Some(Answer::Multi(b)) => Val::Multi(*b),
        Some(Answer::Number(n)) => Val::Num(*n),
        Some(Answer::Text(t)) => Val::Text(t.as_str()),
        Some(Answer::Date(d)) => Val::Date(d.to_julian_day()),
    }
}

/// The roster as conditions see it: without the people removed from it.
struct RosterNow {
    /// The ages of the children, youngest first.
    ages: Vec<u8>,
    caregivers: usize,
}

impl RosterNow {
    fn of(visit: &Visit) -> RosterNow {
        let mut ages: Vec<u8> = visit
            .roster
            .children
            .iter()
            .filter(|c| !visit.is_removed(Person::Child(c.id)))
            .map(|c| c.age)
            .collect();
        ages.sort_unstable();
        let caregivers = visit
            .roster
            .caregivers
            .iter()
            .filter(|c| !visit.is_removed(Person::Caregiver(c.id)))
            .count();
        RosterNow { ages, caregivers }
    }

    fn fact(&self, fact: RosterFact) -> Option<u8> {
        let count = |n: usize| Some(u8::try_from(n).unwrap_or(u8::MAX));
        match fact {
            RosterFact::People => count(self.ages.len() + self.caregivers),
            RosterFact::Youngest => self.ages.first().copied(),
            RosterFact::Oldest => self.ages.last().copied(),
            RosterFact::ChildrenUnder(age) => count(self.ages.iter().filter(|&&a| a < age).count()),
            RosterFact::ChildrenFrom(age) => count(self.ages.iter().filter(|&&a| a >= age).count()),
        }
    }
}

/// What conditions of one sheet see.
#[derive(Clone, Copy)]
struct SheetEnv<'a> {
    sheet: &'a Sheet,
    d: &'a SheetDerived,
    age: Option<u8>,
    roster: &'a RosterNow,
    people: &'a Roster,
    /// Per foreign slot: the sheet and its derivation, if the visit has it.
    foreign: &'a [Option<(&'a Sheet, &'a SheetDerived)>],
    /// The entry being evaluated: section, entry index.
    entry: Option<(usize, usize)>,
    /// Per item of this checklist: its answer at the previous visit, for
    /// `previous(item)` (empty in a first visit).
    previous: &'a [Option<Answer>],
    /// The scaling answers of the previous visit (a follow-up).
    previous_scaling: &'a [crate::visit::record::ScalingRecord],
    follow_up: bool,
}

impl Env for SheetEnv<'_> {
    #[inline]
    fn item(&self, r: ItemRef) -> Val<'_> {
        let item = r.item as usize;
        if r.previous {
            return value_of(self.previous.get(item).and_then(Option::as_ref));
        }
        let (sheet, d) = match r.checklist {
            None => (self.sheet, self.d),
            Some(slot) => match self.foreign.get(slot as usize) {
                Some(Some(pair)) => *pair,
                _ => return Val::Missing,
            },
        };
        let c = &sheet.checklist;
        let section = c.items[item].section;
        if c.sections[section].repeat.is_some() {
            // Only items of the same entry can be referred to (checked at load).
            let Some((s, e)) = self.entry.filter(|_| r.checklist.is_none()) else {
                return Val::Missing;
            };
            if s != section {
                return Val::Missing;
            }
            let pos = item - c.sections[section].items.start;
            let visible = d.entry_visible[section].get(e).is_some_and(|v| v[pos]);
            if !visible {
                return Val::Missing;
            }
            return value_of(sheet.entries[section][e][pos].as_ref());
        }
        if !d.item_visible[item] {
            return Val::Missing;
        }
        value_of(sheet.answers[item].as_ref())
    }

    fn age(&self) -> Option<u8> {
        self.age
    }

    fn children(&self) -> usize {
        self.roster.ages.len()
    }

    fn caregivers(&self) -> usize {
        self.roster.caregivers
    }

    fn roster(&self, fact: RosterFact) -> Option<u8> {
        self.roster.fact(fact)
    }

    fn entry_age(&self) -> Option<u8> {
        let (s, e) = self.entry?;
        match self.sheet.entry_person.get(s)?.get(e).copied().flatten()? {
            Person::Child(id) => self.people.child(id).map(|c| c.age),
            _ => None,
        }
    }

    fn aggregate(&self, section: u16, cond: &Expr) -> (usize, usize) {
        let s = section as usize;
        let Some(kept) = self.d.entry_kept_aside.get(s) else {
            return (0, 0);
        };
        let mut counted = 0;
        let mut holding = 0;
        for (e, kept) in kept.iter().enumerate() {
            if *kept {
                continue;
            }
            counted += 1;
            let env = SheetEnv {
                entry: Some((s, e)),
                ..*self
            };
            holding += usize::from(cond.eval(&env));
        }
        (counted, holding)
    }

    fn score(&self, score: u16) -> Option<i64> {
        self.d.scores.get(score as usize).map(|s| s.value)
    }

    fn band(&self, score: u16) -> Option<&str> {
        let s = self.d.scores.get(score as usize)?;
        let b = s.band?;
        Some(
            self.sheet.checklist.scores[score as usize].bands[b]
                .id
                .as_str(),
        )
    }

    fn outcome(&self, outcome: u16) -> Option<&str> {
        self.d
            .outcomes
            .get(outcome as usize)
            .copied()
            .flatten()
            .map(|r| {
                self.sheet.checklist.outcomes[outcome as usize].rules[r]
                    .value
                    .as_str()
            })
    }

    fn follow_up(&self) -> bool {
        self.follow_up
    }

    fn previous_value(&self) -> Option<f64> {
        let (s, e) = self.entry?;
        let r = self
            .sheet
            .entry_previous
            .get(s)?
            .get(e)
            .copied()
            .flatten()?;
        if r.kind != crate::visit::record::PreviousKind::Scaling {
            return None;
        }
        self.previous_scaling
            .get(r.index as usize)
            .map(|sc| sc.value as f64)
    }

    fn entries(&self, section: u16) -> usize {
        self.d
            .entry_kept_aside
            .get(section as usize)
            .map_or(0, |k| k.iter().filter(|kept| !**kept).count())
    }
}

/// Points an answer scores on its item.
fn points(
    kind: &ItemKind,
    options: &[crate::checklist::model::ChoiceOption],
    scale: &[i64],
    a: &Answer,
) -> i64 {
    match (kind, a) {
        (ItemKind::Scale { min, .. }, Answer::Number(x)) => {
            let i = (*x as i64 - min) as usize;
            scale.get(i).copied().unwrap_or(0)
        }
        (_, Answer::Choice(i)) => options.get(*i as usize).and_then(|o| o.points).unwrap_or(0),
        (_, Answer::Multi(bits)) => options
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, o)| o.points.unwrap_or(0))
            .sum(),
        _ => 0,
    }
}

/// Derive everything for the whole visit.
pub fn derive(visit: &Visit) -> Derived {
    let n = visit.sheets.len();
    let roster = RosterNow::of(visit);
    // Sheets in an order where every sheet comes after those it refers to.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| visit.sheets[i].checklist.rank);
    let mut done: Vec<Option<SheetDerived>> = vec![None; n];
    for &i in &order {
        let sheet = &visit.sheets[i];
        let foreign: Vec<Option<(&Sheet, &SheetDerived)>> = sheet
            .checklist
            .foreign
            .iter()
            .map(|id| {
                visit.sheets.iter().enumerate().find_map(|(j, other)| {
                    let same_person = match other.checklist.applies_to {
                        AppliesTo::Visit => other.person == Person::Visit,
                        _ => other.person == sheet.person,
                    };
                    if &other.checklist.id == id && same_person {
                        done[j].as_ref().map(|d| (other, d))
                    } else {
                        None
                    }
                })
            })
            .collect();
        let d = sheet_derived(visit, sheet, &foreign, &roster);
        done[i] = Some(d);
    }
    Derived {
        sheets: done.into_iter().map(Option::unwrap_or_default).collect(),
        invalid: invalid_pending(visit),
    }
}

/// The typed texts that do not read as an answer to their item. Whether
/// a text reads does not depend on the day (`vandaag` is always a date), so
/// the visit's own date stands in for "today".
fn invalid_pending(visit: &Visit) -> Vec<usize> {
    (0..visit.pending.len())
        .filter(|&i| {
            let Some((sheet, item, _)) = visit.pending_place(i) else {
                return true;
            };
            let it = &visit.sheets[sheet].checklist.items[item];
            crate::visit::input::parse_input(
                &it.kind,
                it.options.len(),
                visit.pending[i].text.as_str(),
                visit.date,
            )
            .is_err()
        })
        .collect()
}

/// Derive one sheet; `foreign` holds the sheets its qualified references name.
pub fn derive_sheet(
    visit: &Visit,
    sheet: &Sheet,
    foreign: &[Option<(&Sheet, &SheetDerived)>],
) -> SheetDerived {
    sheet_derived(visit, sheet, foreign, &RosterNow::of(visit))
}

fn sheet_derived(
    visit: &Visit,
    sheet: &Sheet,
    foreign: &[Option<(&Sheet, &SheetDerived)>],
    roster: &RosterNow,
) -> SheetDerived {
    let c = &*sheet.checklist;
    let age = match sheet.person {
        Person::Child(id) => visit.roster.child(id).map(|ch| ch.age),
        _ => None,
    };
    let age_band = age.and_then(|a| c.age_band_for(a));
    // Sheet status (see `visit::roster`): a child outside every age band has
    // nothing to answer; a sheet not taken, or of a person removed from the
    // roster, has its required items done. Its answers stay and still count
    // in scores and flags.
    let outside = age.is_some_and(|a| crate::visit::roster::outside_bands(c, a));
    let set_aside =
        sheet.status != crate::visit::SheetStatus::Taken || visit.is_removed(sheet.person);
    let mut d = SheetDerived {
        age_band,
        section_visible: vec![false; c.sections.len()],
        item_visible: vec![false; c.items.len()],
        entry_visible: vec![Vec::new(); c.sections.len()],
        entry_kept_aside: vec![Vec::new(); c.sections.len()],
        missing: Vec::new(),
        flags: Vec::new(),
        scores: Vec::with_capacity(c.scores.len()),
        outcomes: Vec::with_capacity(c.outcomes.len()),
        progress: vec![Progress::default(); c.sections.len()],
    };
    for (s, sec) in c.sections.iter().enumerate() {
        if sec.repeat.is_none() {
            continue;
        }
        let entries = sheet.entries[s].len();
        d.entry_visible[s] = vec![vec![false; sec.items.len()]; entries];
        d.entry_kept_aside[s] = sheet.entry_person[s]
            .iter()
            .map(|p| p.is_some_and(|p| visit.is_removed(p)))
            .collect();
        // A sheet read from an older record may lack entry persons.
        d.entry_kept_aside[s].resize(entries, false);
    }
    let previous = crate::visit::follow_up::previous_answers(visit, sheet);
    let previous_scaling = visit
        .follow_up
        .as_ref()
        .map_or(&[][..], |f| f.scaling.as_slice());
    macro_rules! env {
        ($entry:expr) => {
            SheetEnv {
                sheet,
                d: &d,
                age,
                roster,
                people: &visit.roster,
                foreign,
                entry: $entry,
                previous: &previous,
                previous_scaling,
                follow_up: visit.follow_up.is_some(),
            }
        };
    }

    // 1. Visibility, in dependency order.
    for &node in &c.eval_order {
        match node {
            VisNode::Section(s) => {
                let sec = &c.sections[s];
                // A follow-up section without entries (a first visit, or
                // nothing of its kind last time) is not there at all.
                let empty_follow_up = sec.repeat.as_ref().is_some_and(|r| r.from_previous())
                    && sheet.entries[s].is_empty();
                let v = !outside
                    && !empty_follow_up
                    && sec.age_bands.admits(age_band)
                    && sec
                        .show_if
                        .as_ref()
                        .is_none_or(|cond| cond.expr.eval(&env!(None)));
                d.section_visible[s] = v;
            }
            VisNode::Item(i) => {
                let it = &c.items[i];
                let repeat = c.sections[it.section].repeat.is_some();
                let v = d.section_visible[it.section]
                    && it.age_bands.admits(age_band)
                    && (repeat
                        || it
                            .show_if
                            .as_ref()
                            .is_none_or(|cond| cond.expr.eval(&env!(None))));
                d.item_visible[i] = v;
                // 2. In a repeatable section: the item in each entry, right
                // here, so that a condition over the entries (`any`, `all`,
                // `count`) placed later in the order reads them.
                if repeat && v {
                    let s = it.section;
                    let pos = i - c.sections[s].items.start;
                    for e in 0..d.entry_visible[s].len() {
                        let shown = !d.entry_kept_aside[s][e]
                            && it
                                .show_if
                                .as_ref()
                                .is_none_or(|cond| cond.expr.eval(&env!(Some((s, e)))));
                        d.entry_visible[s][e][pos] = shown;
                    }
                }
            }
        }
    }
    // 3. Progress and missing items.
    for (i, it) in c.items.iter().enumerate() {
        let s = it.section;
        if c.sections[s].repeat.is_some() {
            let pos = i - c.sections[s].items.start;
            for (e, vis) in d.entry_visible[s].iter().enumerate() {
                if !vis[pos] {
                    continue;
                }
                let answered = sheet.entries[s][e][pos].is_some();
                let required = it.required && !set_aside;
                tally(&mut d.progress[s], required, answered);
                if required && !answered {
                    d.missing.push(Missing {
                        item: i,
                        entry: Some(e),
                    });
                }
            }
        } else if d.item_visible[i] {
            let answered = sheet.answers[i].is_some();
            let required = it.required && !set_aside;
            tally(&mut d.progress[s], required, answered);
            if required && !answered {
                d.missing.push(Missing {
                    item: i,
                    entry: None,
                });
            }
        }
    }
    d.missing
        .sort_by_key(|m| (c.items[m.item].section, m.entry, m.item));
    // 4. Scores.
    for score in &c.scores {
        let mut sv = ScoreValue::default();
        for &i in &score.items {
            if !d.item_visible[i] {
                continue;
            }
            sv.visible += 1;
            if let Some(a) = &sheet.answers[i] {
                sv.answered += 1;
                let it = &c.items[i];
                let p = points(&it.kind, &it.options, &it.scale_points, a);
                sv.value += match score.method {
                    ScoreMethod::Sum => p,
                    ScoreMethod::Count => i64::from(p > 0),
                };
            }
        }
        // A score with nothing answered has no band yet: a band would read
        // as a finding ("no worries") that nobody made.
        sv.band = if sv.answered == 0 {
            None
        } else {
            score.band_for(sv.value, age_band)
        };
        d.scores.push(sv);
    }
    // 5. Outcomes, in order: each may use the ones before it.
    for o in &c.outcomes {
        let rule = o.rules.iter().position(|r| {
            r.when
                .as_ref()
                .is_none_or(|cond| cond.expr.eval(&env!(None)))
        });
        d.outcomes.push(rule);
    }
    // 6. Red flags.
    let mut fired = Vec::new();
    for (f, flag) in c.red_flags.iter().enumerate() {
        match flag.item {
            None => {
                if flag.when.expr.eval(&env!(None)) {
                    fired.push(FiredFlag {
                        flag: f,
                        entry: None,
                    });
                }
            }
            Some(i) => {
                let s = c.items[i].section;
                if c.sections[s].repeat.is_some() {
                    let pos = i - c.sections[s].items.start;
                    for e in 0..d.entry_visible[s].len() {
                        if d.entry_visible[s][e][pos] && flag.when.expr.eval(&env!(Some((s, e)))) {
                            fired.push(FiredFlag {
                                flag: f,
                                entry: Some(e),
                            });
                        }
                    }
                } else if d.item_visible[i] && flag.when.expr.eval(&env!(None)) {
                    fired.push(FiredFlag {
                        flag: f,
                        entry: None,
                    });
                }
            }
        }
    }
    d.flags = fired;
    d
}

fn tally(p: &mut Progress, required: bool, answered: bool) {
    p.visible += 1;
    p.answered += usize::from(answered);
    if required {
        p.required += 1;
        p.required_answered += usize::from(answered);
    }
}
