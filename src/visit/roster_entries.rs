//! Entries of roster-driven repeatable sections (`repeat = { per = … }`):
//! exactly one entry per roster member of the section's kind, made from the
//! roster and kept in step with it.
//!
//! A person removed from the roster keeps their entry and its answers, kept
//! aside: it counts for nothing in derivation (not missing, not counted by
//! aggregates, raises no flag), like a hidden item. Entries follow the
//! roster's order; entries the worker added by hand (a draft made before the
//! section was roster-driven) stay, after the roster's.
//!
//! Pure: no I/O, no clock (the time comes in as a value).

use time::PrimitiveDateTime;

use crate::checklist::model::RosterKind;
use crate::i18n::Text;
use crate::visit::{Person, Roster, Visit};

impl Roster {
    /// The roster members of a kind, in roster order (caregivers before
    /// children for everyone), removed ones included.
    pub fn members(&self, kind: RosterKind) -> Vec<Person> {
        let caregivers = self.caregivers.iter().map(|c| Person::Caregiver(c.id));
        let children = self.children.iter().map(|c| Person::Child(c.id));
        match kind {
            RosterKind::Child => children.collect(),
            RosterKind::Caregiver => caregivers.collect(),
            RosterKind::Person => caregivers.chain(children).collect(),
        }
    }
}

impl Visit {
    /// Whether an entry is kept aside: it was made for a roster member who
    /// has since been removed. Its answers stay but count for nothing.
    pub fn entry_kept_aside(&self, sheet: usize, section: usize, entry: usize) -> bool {
        self.sheets
            .get(sheet)
            .and_then(|s| s.entry_person.get(section))
            .and_then(|p| p.get(entry).copied().flatten())
            .is_some_and(|p| self.is_removed(p))
    }

    /// The roster member an entry is about, if it was made from the roster.
    pub fn entry_person(&self, sheet: usize, section: usize, entry: usize) -> Option<Person> {
        self.sheets
            .get(sheet)?
            .entry_person
            .get(section)?
            .get(entry)
            .copied()
            .flatten()
    }

    /// What an entry is called on screen: the person it is about, read
    /// from the roster ("Mila (2)", "Iris (moeder)"), what of the previous
    /// visit it is about ("Iris (moeder): naar de huisarts · uiterlijk
    /// 2026-12-20"), or the section's entry label and number ("Afspraak 2")
    /// for entries the worker added.
    pub fn entry_title(&self, sheet: usize, section: usize, entry: usize) -> Text {
        if let Some(r) = self.entry_previous(sheet, section, entry)
            && let Some(t) = self.previous_entry_title(sheet, r)
        {
            return t;
        }
        if let Some(p) = self.entry_person(sheet, section, entry) {
            let name = self.roster.name(p);
            return if self.is_removed(p) {
                Text::new(
                    format!("{name} · niet meer in het overzicht"),
                    format!("{name} · no longer in the roster"),
                )
            } else {
                Text::new(name.clone(), name)
            };
        }
        let label = self
            .sheets
            .get(sheet)
            .and_then(|s| s.checklist.sections.get(section))
            .and_then(|sec| sec.repeat.as_ref())
            .map(|r| r.entry_label.clone())
            .unwrap_or_default();
        Text::new(
            format!("{} {}", label.nl, entry + 1),
            format!("{} {}", label.en, entry + 1),
        )
    }

    /// Bring the entries of every roster-driven section in line with the
    /// roster: an entry for every person who has none (unless removed), in
    /// roster order; and those of every follow-up section in line with the
    /// follow-up. Never drops an entry or an answer. Call it after every
    /// change to the roster and when a draft is reopened. Returns whether
    /// anything changed.
    pub fn sync_roster_entries(&mut self, now: PrimitiveDateTime) -> bool {
        let mut changed = false;
        for sheet in 0..self.sheets.len() {
            changed |= self.sync_sheet_roster_entries(sheet);
            changed |= self.sync_sheet_previous_entries(sheet);
        }
        if changed {
            self.updated_at = now;
        }
        changed
    }

    /// `sync_roster_entries` for one sheet (a sheet just made).
    pub(crate) fn sync_sheet_roster_entries(&mut self, sheet: usize) -> bool {
        let Some(s) = self.sheets.get(sheet) else {
            return false;
        };
        let c = s.checklist.clone();
        let mut changed = false;
        for (si, sec) in c.sections.iter().enumerate() {
            let Some(kind) = sec.repeat.as_ref().and_then(|r| r.roster_kind()) else {
                continue;
            };
            let members = self.roster.members(kind);
            let removed: Vec<bool> = members.iter().map(|p| self.is_removed(*p)).collect();
            let s = &mut self.sheets[sheet];
            for (p, gone) in members.iter().zip(&removed) {
                if !*gone && !s.entry_person[si].contains(&Some(*p)) {
                    s.entries[si].push(vec![None; sec.items.len()]);
                    s.entry_person[si].push(Some(*p));
                    s.entry_previous[si].push(None);
                    changed = true;
                }
            }
            // Roster order: made-from-roster entries by their person's place,
            // then the rest in the order they were added.
            let rank = |p: &Option<Person>| {
                p.and_then(|p| members.iter().position(|m| *m == p))
                    .unwrap_or(members.len())
            };
            let mut order: Vec<usize> = (0..s.entries[si].len()).collect();
            order.sort_by_key(|&e| (rank(&s.entry_person[si][e]), e));
            if order.iter().enumerate().any(|(new, &old)| new != old) {
                self.permute_entries(sheet, si, &order);
                changed = true;
            }
        }
        changed
    }

    /// Reorder the entries of a section: new entry `i` is old entry
    /// `order[i]`. Flags and typed text move with their entries.
    pub(crate) fn permute_entries(&mut self, sheet: usize, section: usize, order: &[usize]) {
        let s = &mut self.sheets[sheet];
        let mut old_entries = std::mem::take(&mut s.entries[section]);
        let mut old_people = std::mem::take(&mut s.entry_person[section]);
        let mut old_previous = std::mem::take(&mut s.entry_previous[section]);
        old_previous.resize(old_entries.len(), None);
        let mut entries = Vec::with_capacity(order.len());
        let mut people = Vec::with_capacity(order.len());
        let mut previous = Vec::with_capacity(order.len());
        for &o in order {
            entries.push(std::mem::take(&mut old_entries[o]));
            people.push(old_people[o].take());
            previous.push(old_previous[o].take());
        }
        s.entries[section] = entries;
        s.entry_person[section] = people;
        s.entry_previous[section] = previous;
        let mut new_of = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_of[old] = new;
        }
        let (id, person) = (s.checklist.id.clone(), s.person);
        let c = s.checklist.clone();
        let in_section = |item: &str| {
            c.item_index(item)
                .is_some_and(|i| c.items[i].section == section)
        };
        for f in &mut self.flags {
            if f.checklist == id
                && f.person == person
                && f.item.as_deref().is_some_and(in_section)
                && let Some(e) = f.entry
                && let Some(n) = new_of.get(e)
            {
                f.entry = Some(*n);
            }
        }
        for p in &mut self.pending {
            if p.checklist == id
                && p.person == person
                && in_section(&p.item)
                && let Some(e) = p.entry
                && let Some(n) = new_of.get(e)
            {
                p.entry = Some(*n);
            }
        }
    }
}
