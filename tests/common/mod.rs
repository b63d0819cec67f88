//! Shared helpers for the tests of the bundled checklists: the fictional
//! families of the domain brief, and a `Case` that sets answers by item and
//! option id through the pure visit API and reads back what `derive` makes
//! of them.
//!
//! Only fictional, obviously invented families appear here.
#![allow(dead_code)]

use std::sync::Arc;

use safevisit::checklist::Catalog;
use safevisit::checklist::model::{AppliesTo, Checklist, ItemKind};
use safevisit::visit::record::parse_date;
use safevisit::visit::{
    Answer, Caregiver, Child, Derived, Person, Roster, SecretText, Visit, derive,
};
use time::PrimitiveDateTime;
use time::macros::{date, datetime};

/// The moment every test answer is given.
pub fn now() -> PrimitiveDateTime {
    datetime!(2026-03-04 10:00)
}

/// The bundled checklists; a test fails loudly if one of them does not load.
pub fn catalog() -> Catalog {
    let cat = Catalog::bundled();
    assert!(
        cat.problems.is_empty(),
        "bundled checklists have problems: {:?}",
        cat.problems.iter().map(|p| p.first()).collect::<Vec<_>>()
    );
    cat
}

/// A caregiver as (alias, role).
type Member = (&'static str, &'static str);

/// The three fictional families of the domain brief.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Family under stress: Lotte (34) and Bram (36); Noor (5) and Sem (11).
    Appelboom,
    /// Intimate terror: Iris (29) and Ruben (31); Mila (2).
    Kersenboom,
    /// Complex divorce: Eva (41) and Daan (43); Finn (9) and Lieke (14).
    Perenstraat,
}

impl Family {
    pub const ALL: [Family; 3] = [Family::Appelboom, Family::Kersenboom, Family::Perenstraat];

    pub fn roster(self) -> Roster {
        let (children, caregivers): (&[(&str, u8)], &[Member]) = match self {
            Family::Appelboom => (
                &[("Noor", 5), ("Sem", 11)],
                &[("Lotte", "moeder"), ("Bram", "vader")],
            ),
            Family::Kersenboom => (&[("Mila", 2)], &[("Iris", "moeder"), ("Ruben", "vader")]),
            Family::Perenstraat => (
                &[("Finn", 9), ("Lieke", 14)],
                &[("Eva", "moeder"), ("Daan", "vader")],
            ),
        };
        let mut roster = Roster::default();
        for (alias, age) in children {
            let id = roster.next_id();
            roster.children.push(Child {
                id,
                alias: (*alias).to_string(),
                age: *age,
            });
        }
        for (alias, role) in caregivers {
            let id = roster.next_id();
            roster.caregivers.push(Caregiver {
                id,
                alias: (*alias).to_string(),
                role: (*role).to_string(),
            });
        }
        roster
    }
}

/// A visit to one family with some bundled checklists in use.
pub struct Case {
    pub visit: Visit,
}

impl Case {
    /// A visit with `roster`, using the named bundled checklists.
    pub fn new(roster: Roster, checklists: &[&str]) -> Case {
        let cat = catalog();
        let mut visit = Visit::new("test".into(), "test".into(), date!(2026 - 03 - 04), now());
        visit.roster = roster;
        for id in checklists {
            let c = cat
                .get(id)
                .unwrap_or_else(|| panic!("no bundled checklist `{id}`"));
            visit.use_checklist(c);
        }
        Case { visit }
    }

    pub fn family(family: Family, checklists: &[&str]) -> Case {
        Case::new(family.roster(), checklists)
    }

    /// The sheet of `checklist` for `who`: "" for the visit, or the alias of
    /// a child or caregiver.
    pub fn sheet(&self, checklist: &str, who: &str) -> usize {
        let person = if who.is_empty() {
            Person::Visit
        } else if let Some(c) = self.visit.roster.children.iter().find(|c| c.alias == who) {
            Person::Child(c.id)
        } else if let Some(c) = self.visit.roster.caregivers.iter().find(|c| c.alias == who) {
            Person::Caregiver(c.id)
        } else {
            panic!("no one called `{who}` in the roster")
        };
        self.try_sheet(checklist, person)
            .unwrap_or_else(|| panic!("no sheet of `{checklist}` for `{who}`"))
    }

    pub fn try_sheet(&self, checklist: &str, person: Person) -> Option<usize> {
        self.visit
            .sheets
            .iter()
            .position(|s| s.checklist.id == checklist && s.person == person)
    }

    pub fn checklist(&self, sheet: usize) -> Arc<Checklist> {
        self.visit.sheets[sheet].checklist.clone()
    }

    fn item(&self, sheet: usize, item: &str) -> usize {
        let c = self.checklist(sheet);
        c.item_index(item)
            .unwrap_or_else(|| panic!("checklist `{}` has no item `{item}`", c.id))
    }

    /// Turn a value written as in a test ("ja", "2", "a,b", "2026-03-01", text)
    /// into the answer the item takes.
    pub fn answer(&self, sheet: usize, item: &str, value: &str) -> Answer {
        let c = self.checklist(sheet);
        let it = &c.items[self.item(sheet, item)];
        match &it.kind {
            k if k.is_single_option() => Answer::Choice(
                it.option_index(value)
                    .unwrap_or_else(|| panic!("item `{item}` has no option `{value}`"))
                    as u16,
            ),
            ItemKind::Multi => Answer::Multi(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| {
                        1u64 << it
                            .option_index(v)
                            .unwrap_or_else(|| panic!("item `{item}` has no option `{v}`"))
                    })
                    .fold(0, |a, b| a | b),
            ),
            ItemKind::Scale { .. } | ItemKind::Number { .. } => Answer::Number(
                value
                    .parse()
                    .unwrap_or_else(|_| panic!("`{value}` is not a number")),
            ),
            ItemKind::Date => {
                Answer::Date(parse_date(value).unwrap_or_else(|| panic!("`{value}` is not a date")))
            }
            _ => Answer::Text(SecretText::new(value)),
        }
    }

    /// Answer an item of an ordinary section.
    pub fn set(&mut self, sheet: usize, item: &str, value: &str) -> &mut Case {
        let a = self.answer(sheet, item, value);
        let i = self.item(sheet, item);
        self.visit
            .set_answer(sheet, i, None, Some(a), now())
            .unwrap_or_else(|e| panic!("cannot answer `{item}`: {e}"));
        self
    }

    /// Answer several items.
    pub fn set_all(&mut self, sheet: usize, answers: &[(&str, &str)]) -> &mut Case {
        for (item, value) in answers {
            self.set(sheet, item, value);
        }
        self
    }

    /// Give several items the same answer.
    pub fn set_each(&mut self, sheet: usize, items: &[&str], value: &str) -> &mut Case {
        for item in items {
            self.set(sheet, item, value);
        }
        self
    }

    /// Give every item of a section the same answer.
    pub fn set_section(&mut self, sheet: usize, section: &str, value: &str) -> &mut Case {
        let items = self.items_of(sheet, section);
        let refs: Vec<&str> = items.iter().map(String::as_str).collect();
        self.set_each(sheet, &refs, value)
    }

    /// Take back an answer.
    pub fn clear(&mut self, sheet: usize, item: &str) -> &mut Case {
        let i = self.item(sheet, item);
        self.visit
            .set_answer(sheet, i, None, None, now())
            .unwrap_or_else(|e| panic!("cannot clear `{item}`: {e}"));
        self
    }

    /// Add an entry to a repeatable section; returns its index.
    pub fn add_entry(&mut self, sheet: usize, section: &str) -> usize {
        let c = self.checklist(sheet);
        let s = c
            .section_index(section)
            .unwrap_or_else(|| panic!("checklist `{}` has no section `{section}`", c.id));
        self.visit
            .add_entry(sheet, s, now())
            .unwrap_or_else(|e| panic!("cannot add an entry to `{section}`: {e}"))
    }

    /// Answer an item in an entry of a repeatable section.
    pub fn set_entry(&mut self, sheet: usize, entry: usize, item: &str, value: &str) -> &mut Case {
        let a = self.answer(sheet, item, value);
        let i = self.item(sheet, item);
        self.visit
            .set_answer(sheet, i, Some(entry), Some(a), now())
            .unwrap_or_else(|e| panic!("cannot answer `{item}` in entry {entry}: {e}"));
        self
    }

    pub fn set_entry_all(
        &mut self,
        sheet: usize,
        entry: usize,
        answers: &[(&str, &str)],
    ) -> &mut Case {
        for (item, value) in answers {
            self.set_entry(sheet, entry, item, value);
        }
        self
    }

    pub fn derived(&self) -> Derived {
        derive(&self.visit)
    }

    /// Whether an item of an ordinary section is visible.
    pub fn visible(&self, sheet: usize, item: &str) -> bool {
        let c = self.checklist(sheet);
        let i = self.item(sheet, item);
        assert!(!c.in_repeat(i), "`{item}` repeats; use visible_in");
        self.derived().sheets[sheet].visible(&c, i, None)
    }

    /// Whether an item is visible in an entry of a repeatable section.
    pub fn visible_in(&self, sheet: usize, entry: usize, item: &str) -> bool {
        let c = self.checklist(sheet);
        let i = self.item(sheet, item);
        self.derived().sheets[sheet].visible(&c, i, Some(entry))
    }

    pub fn section_visible(&self, sheet: usize, section: &str) -> bool {
        let c = self.checklist(sheet);
        let s = c
            .section_index(section)
            .unwrap_or_else(|| panic!("no section `{section}`"));
        self.derived().sheets[sheet].section_visible[s]
    }

    /// The ids of the items of a section, in order.
    pub fn items_of(&self, sheet: usize, section: &str) -> Vec<String> {
        let c = self.checklist(sheet);
        let s = c
            .section_index(section)
            .unwrap_or_else(|| panic!("no section `{section}`"));
        c.sections[s]
            .items
            .clone()
            .map(|i| c.items[i].id.clone())
            .collect()
    }

    /// The ids of the visible items of an ordinary section, in order.
    pub fn visible_items_of(&self, sheet: usize, section: &str) -> Vec<String> {
        let c = self.checklist(sheet);
        let d = self.derived();
        let s = c
            .section_index(section)
            .unwrap_or_else(|| panic!("no section `{section}`"));
        c.sections[s]
            .items
            .clone()
            .filter(|&i| d.sheets[sheet].item_visible[i])
            .map(|i| c.items[i].id.clone())
            .collect()
    }

    /// The red flags that fire on a sheet, as `id` or `id@entry`, sorted.
    pub fn flags(&self, sheet: usize) -> Vec<String> {
        let c = self.checklist(sheet);
        let mut out: Vec<String> = self.derived().sheets[sheet]
            .flags
            .iter()
            .map(|f| match f.entry {
                None => c.red_flags[f.flag].id.clone(),
                Some(e) => format!("{}@{e}", c.red_flags[f.flag].id),
            })
            .collect();
        out.sort();
        out
    }

    pub fn fires(&self, sheet: usize, flag: &str) -> bool {
        self.flags(sheet).iter().any(|f| f == flag)
    }

    fn score_index(&self, sheet: usize, id: &str) -> usize {
        let c = self.checklist(sheet);
        c.scores
            .iter()
            .position(|s| s.id == id)
            .unwrap_or_else(|| panic!("checklist `{}` has no score `{id}`", c.id))
    }

    pub fn score(&self, sheet: usize, id: &str) -> i64 {
        self.derived().sheets[sheet].scores[self.score_index(sheet, id)].value
    }

    pub fn band(&self, sheet: usize, id: &str) -> Option<String> {
        let c = self.checklist(sheet);
        let s = self.score_index(sheet, id);
        self.derived().sheets[sheet].scores[s]
            .band
            .map(|b| c.scores[s].bands[b].id.clone())
    }

    pub fn outcome(&self, sheet: usize, id: &str) -> Option<String> {
        let c = self.checklist(sheet);
        let o = c
            .outcomes
            .iter()
            .position(|o| o.id == id)
            .unwrap_or_else(|| panic!("checklist `{}` has no outcome `{id}`", c.id));
        self.derived().sheets[sheet]
            .outcome_value(&c, o)
            .map(str::to_string)
    }

    /// The required, visible, unanswered items, as `id` or `id@entry`.
    pub fn missing(&self, sheet: usize) -> Vec<String> {
        let c = self.checklist(sheet);
        self.derived().sheets[sheet]
            .missing
            .iter()
            .map(|m| match m.entry {
                None => c.items[m.item].id.clone(),
                Some(e) => format!("{}@{e}", c.items[m.item].id),
            })
            .collect()
    }

    /// Answer the scale items so that their values add up to `total`:
    /// the first ones at their maximum, one with the rest, the others at
    /// their minimum. Every item ends up answered.
    pub fn fill_scales(&mut self, sheet: usize, items: &[&str], total: i64) -> &mut Case {
        let c = self.checklist(sheet);
        let mut left = total;
        for item in items {
            let it = &c.items[self.item(sheet, item)];
            let ItemKind::Scale { min, max, .. } = it.kind else {
                panic!("`{item}` is not a scale")
            };
            let v = left.clamp(min, max);
            left -= v;
            self.set(sheet, item, &v.to_string());
        }
        assert_eq!(left, 0, "{total} does not fit in these scales");
        self
    }
}

/// Whom a checklist is filled in for, as a readable word for messages.
pub fn applies(c: &Checklist) -> &'static str {
    match c.applies_to {
        AppliesTo::Visit => "visit",
        AppliesTo::Child => "child",
        AppliesTo::Caregiver => "caregiver",
    }
}
