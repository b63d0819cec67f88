//! A living roster and the status of each per-person sheet.
//!
//! During a visit the worker can add, correct and remove children and
//! caregivers, and say of a person's sheet that it was not taken (and why).
//! Nothing here ever drops an answer:
//!
//! - a new person gets a sheet of every per-person checklist in use;
//! - a removed person stays in the roster (so their sheets keep their
//!   names) and is listed in `Visit::removed` with a reason; their sheets
//!   and answers are kept aside: not in the flow, not counted as open;
//! - a corrected age moves a child to another age band: answers to items
//!   of both bands count on, answers to items of the old band only stay in
//!   the sheet, hidden (they count again if the age goes back);
//! - a child outside every age band of a per-child checklist gets a sheet
//!   with status `te_jong` and nothing to answer; back inside, it is taken.
//!
//! Pure: no I/O, no clock (times come in as values).

use std::sync::Arc;

use time::PrimitiveDateTime;

use crate::checklist::model::{AppliesTo, Checklist};
use crate::i18n::Text;
use crate::visit::{Caregiver, Child, Person, Removed, SecretText, SheetStatus, Visit};

/// The oldest age a child on the roster can have.
pub const MAX_CHILD_AGE: u8 = 17;

/// Why a roster change or a status was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterError {
    NoSuchPerson,
    NoSuchSheet,
    /// The visit's own sheets have no status.
    NotAPersonsSheet,
    EmptyAlias,
    EmptyRole,
    AgeOutOfRange,
    /// A status other than `afgenomen` needs a reason, and so does removing.
    ReasonNeeded,
    /// `te_jong` follows the child's age; it is not chosen.
    OutsideBandsFollowsAge,
    AlreadyRemoved,
    NotRemoved,
}

impl RosterError {
    /// What to tell the worker.
    pub fn text(self) -> Text {
        let (nl, en) = match self {
            RosterError::NoSuchPerson => (
                "Deze persoon staat niet in het overzicht.",
                "This person is not on the roster.",
            ),
            RosterError::NoSuchSheet => ("Deze lijst bestaat niet.", "This list does not exist."),
            RosterError::NotAPersonsSheet => (
                "Alleen een lijst over één persoon heeft een status.",
                "Only a list about one person has a status.",
            ),
            RosterError::EmptyAlias => (
                "Vul een voornaam of alias in.",
                "Fill in a first name or alias.",
            ),
            RosterError::EmptyRole => (
                "Vul een rol in, bijvoorbeeld moeder, vader of pleegouder.",
                "Fill in a role, for example mother, father or foster parent.",
            ),
            RosterError::AgeOutOfRange => (
                "Vul een leeftijd in van 0 tot en met 17.",
                "Fill in an age from 0 to 17.",
            ),
            RosterError::ReasonNeeded => (
                "Schrijf kort waarom (dat mag niet leeg zijn).",
                "Write briefly why (it may not be empty).",
            ),
            RosterError::OutsideBandsFollowsAge => (
                "„Te jong” volgt uit de leeftijd; verbeter de leeftijd in het overzicht (Alt-g).",
                "“Outside the age groups” follows from the age; correct the age on the roster (Alt-g).",
            ),
            RosterError::AlreadyRemoved => (
                "Deze persoon is al uit het overzicht gehaald.",
                "This person was already removed from the roster.",
            ),
            RosterError::NotRemoved => (
                "Deze persoon staat gewoon in het overzicht.",
                "This person is on the roster.",
            ),
        };
        Text::new(nl, en)
    }
}

impl SheetStatus {
    /// How the worker reads the status.
    pub fn label(self) -> Text {
        let (nl, en) = match self {
            SheetStatus::Taken => ("afgenomen", "taken"),
            SheetStatus::NotPresent => ("niet aanwezig", "not present"),
            SheetStatus::DeliberatelyNot => {
                ("bewust niet (veiligheid)", "deliberately not (safety)")
            }
            SheetStatus::Declined => ("weigert", "declined"),
            SheetStatus::OutsideBands => ("buiten de leeftijdsgroepen", "outside the age groups"),
        };
        Text::new(nl, en)
    }

    /// A short tag for headers and lists.
    pub fn short_label(self) -> Text {
        let (nl, en) = match self {
            SheetStatus::Taken => ("afgenomen", "taken"),
            SheetStatus::NotPresent => ("niet aanwezig", "not present"),
            SheetStatus::DeliberatelyNot => ("bewust niet", "deliberately not"),
            SheetStatus::Declined => ("weigert", "declined"),
            SheetStatus::OutsideBands => ("te jong", "outside age groups"),
        };
        Text::new(nl, en)
    }

    /// The statuses a worker can choose (`te_jong` follows the age).
    pub const CHOSEN: [SheetStatus; 4] = [
        SheetStatus::Taken,
        SheetStatus::NotPresent,
        SheetStatus::DeliberatelyNot,
        SheetStatus::Declined,
    ];
}

/// What a roster change did, for the message under the screen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RosterChange {
    /// Sheets added (new person, or a checklist they did not have yet).
    pub sheets_added: usize,
    /// Sheets that became `te_jong` (outside every age band).
    pub now_outside: usize,
    /// Sheets that came back inside an age band (`afgenomen` again).
    pub back_inside: usize,
    /// Sheets whose child moved to another age band.
    pub band_changed: usize,
}

/// The age range a checklist's bands cover, as "3 tot en met 17".
fn band_span(c: &Checklist) -> Option<(u8, u8)> {
    let min = c.age_bands.iter().map(|b| b.min).min()?;
    let max = c.age_bands.iter().map(|b| b.max).max()?;
    Some((min, max))
}

/// "Mila (2) valt buiten de leeftijdsgroepen van Traumascreening kind
/// (3 tot en met 17 jaar)", in both languages.
pub fn outside_bands_text(alias: &str, age: u8, c: &Checklist) -> Text {
    let (nl_span, en_span) = match band_span(c) {
        Some((lo, hi)) => (
            format!(" ({lo} tot en met {hi} jaar)"),
            format!(" ({lo} to {hi} years)"),
        ),
        None => (String::new(), String::new()),
    };
    Text::new(
        format!(
            "{alias} ({age}) valt buiten de leeftijdsgroepen van {}{nl_span}",
            c.title.nl
        ),
        format!(
            "{alias} ({age}) is outside the age groups of {}{en_span}",
            c.title.en
        ),
    )
}

/// Whether a child of `age` is outside every age band of `c` (a per-child
/// checklist with bands).
pub fn outside_bands(c: &Checklist, age: u8) -> bool {
    c.applies_to == AppliesTo::Child && !c.admits_age(age)
}

impl Visit {
    /// A person's name as screens show it, marked when they were removed
    /// from the roster ("Ruben (vader), verwijderd"): flags and lists about
    /// a removed person stay, and say so.
    pub fn person_name(&self, person: Person, lang: crate::i18n::Lang) -> String {
        let name = self.roster.name(person);
        if self.is_removed(person) {
            format!("{name}, {}", lang.pick("verwijderd", "removed"))
        } else {
            name
        }
    }

    /// Whether a person was removed from the roster during the visit.
    pub fn is_removed(&self, person: Person) -> bool {
        self.removed.iter().any(|r| r.person == person)
    }

    /// Whether a sheet is kept aside: its person was removed, or it was not
    /// taken. Its required items count as done; its answers stay.
    pub fn sheet_set_aside(&self, sheet: usize) -> bool {
        self.sheets
            .get(sheet)
            .is_some_and(|s| s.status != SheetStatus::Taken || self.is_removed(s.person))
    }

    /// The children still on the roster (not removed).
    pub fn present_children(&self) -> impl Iterator<Item = &Child> {
        self.roster
            .children
            .iter()
            .filter(|c| !self.is_removed(Person::Child(c.id)))
    }

    /// The caregivers still on the roster (not removed).
    pub fn present_caregivers(&self) -> impl Iterator<Item = &Caregiver> {
        self.roster
            .caregivers
            .iter()
            .filter(|c| !self.is_removed(Person::Caregiver(c.id)))
    }

    /// The checklists the visit uses, each once, in sheet order.
    pub fn checklists_in_use(&self) -> Vec<Arc<Checklist>> {
        let mut out: Vec<Arc<Checklist>> = Vec::new();
        for s in &self.sheets {
            if !out.iter().any(|c| c.id == s.checklist.id) {
                out.push(s.checklist.clone());
            }
        }
        out
    }

    /// Set the status of a person's sheet. A status other than `afgenomen`
    /// needs a reason; answers already given stay. Back to `afgenomen`
    /// clears the reason.
    pub fn set_status(
        &mut self,
        sheet: usize,
        status: SheetStatus,
        reason: &str,
        now: PrimitiveDateTime,
    ) -> Result<(), RosterError> {
        let s = self.sheets.get_mut(sheet).ok_or(RosterError::NoSuchSheet)?;
        if s.person == Person::Visit {
            return Err(RosterError::NotAPersonsSheet);
        }
        if status == SheetStatus::OutsideBands || s.status == SheetStatus::OutsideBands {
            return Err(RosterError::OutsideBandsFollowsAge);
        }
        let reason = reason.trim();
        if status != SheetStatus::Taken && reason.is_empty() {
            return Err(RosterError::ReasonNeeded);
        }
        s.status = status;
        s.status_reason = if status == SheetStatus::Taken {
            SecretText::default()
        } else {
            SecretText::new(reason)
        };
        self.updated_at = now;
        Ok(())
    }

    /// Add a child mid-visit, with a sheet of every per-child checklist in
    /// `checklists` (outside every band: a `te_jong` sheet).
    pub fn add_child(
        &mut self,
        alias: &str,
        age: u8,
        checklists: &[Arc<Checklist>],
        now: PrimitiveDateTime,
    ) -> Result<(Person, RosterChange), RosterError> {
        let alias = alias.trim();
        if alias.is_empty() {
            return Err(RosterError::EmptyAlias);
        }
        if age > MAX_CHILD_AGE {
            return Err(RosterError::AgeOutOfRange);
        }
        let id = self.roster.next_id();
        self.roster.children.push(Child {
            id,
            alias: alias.to_string(),
            age,
        });
        let person = Person::Child(id);
        let change = self.add_sheets_for(person, checklists, now);
        self.updated_at = now;
        Ok((person, change))
    }

    /// Add a caregiver mid-visit, with a sheet of every per-caregiver
    /// checklist in `checklists`.
    pub fn add_caregiver(
        &mut self,
        alias: &str,
        role: &str,
        checklists: &[Arc<Checklist>],
        now: PrimitiveDateTime,
    ) -> Result<(Person, RosterChange), RosterError> {
        let (alias, role) = (alias.trim(), role.trim());
        if alias.is_empty() {
            return Err(RosterError::EmptyAlias);
        }
        if role.is_empty() {
            return Err(RosterError::EmptyRole);
        }
        let id = self.roster.next_id();
        self.roster.caregivers.push(Caregiver {
            id,
            alias: alias.to_string(),
            role: role.to_string(),
        });
        let person = Person::Caregiver(id);
        let change = self.add_sheets_for(person, checklists, now);
        self.updated_at = now;
        Ok((person, change))
    }

    fn add_sheets_for(
        &mut self,
        person: Person,
        checklists: &[Arc<Checklist>],
        now: PrimitiveDateTime,
    ) -> RosterChange {
        let before = self.sheets.len();
        for c in checklists {
            self.add_sheet(c.clone(), person);
        }
        let mut change = self.sync_age_bands();
        change.sheets_added = self.sheets.len() - before;
        self.roster_changed(now);
        change
    }

    /// Correct a child's alias and age. The child's sheets follow the age:
    /// into another band (answers to items only the old band has stay in
    /// the sheet, hidden), out of every band (`te_jong`) or back in.
    pub fn correct_child(
        &mut self,
        id: u32,
        alias: &str,
        age: u8,
        now: PrimitiveDateTime,
    ) -> Result<RosterChange, RosterError> {
        let alias = alias.trim();
        if alias.is_empty() {
            return Err(RosterError::EmptyAlias);
        }
        if age > MAX_CHILD_AGE {
            return Err(RosterError::AgeOutOfRange);
        }
        let old = self.roster.child(id).ok_or(RosterError::NoSuchPerson)?.age;
        let bands_before: Vec<Option<usize>> = self
            .sheets
            .iter()
            .map(|s| match s.person {
                Person::Child(c) if c == id => s.checklist.age_band_for(old),
                _ => None,
            })
            .collect();
        if let Some(c) = self.roster.children.iter_mut().find(|c| c.id == id) {
            c.alias = alias.to_string();
            c.age = age;
        }
        let mut change = self.sync_age_bands();
        change.band_changed = self
            .sheets
            .iter()
            .zip(&bands_before)
            .filter(|(s, before)| {
                s.person == Person::Child(id)
                    && before.is_some()
                    && s.checklist.age_band_for(age).is_some()
                    && s.checklist.age_band_for(age) != **before
            })
            .count();
        self.updated_at = now;
        self.roster_changed(now);
        Ok(change)
    }

    /// Correct a caregiver's alias and role.
    pub fn correct_caregiver(
        &mut self,
        id: u32,
        alias: &str,
        role: &str,
        now: PrimitiveDateTime,
    ) -> Result<(), RosterError> {
        let (alias, role) = (alias.trim(), role.trim());
        if alias.is_empty() {
            return Err(RosterError::EmptyAlias);
        }
        if role.is_empty() {
            return Err(RosterError::EmptyRole);
        }
        let c = self
            .roster
            .caregivers
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or(RosterError::NoSuchPerson)?;
        c.alias = alias.to_string();
        c.role = role.to_string();
        self.updated_at = now;
        self.roster_changed(now);
        Ok(())
    }

    /// Take a person off the roster, with a reason. They stay in
    /// `roster` (their sheets keep their names); their sheets and answers
    /// are kept aside, and flags about them stay.
    pub fn remove_person(
        &mut self,
        person: Person,
        reason: &str,
        now: PrimitiveDateTime,
    ) -> Result<(), RosterError> {
        self.known(person)?;
        if self.is_removed(person) {
            return Err(RosterError::AlreadyRemoved);
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(RosterError::ReasonNeeded);
        }
        self.removed.push(Removed {
            person,
            reason: SecretText::new(reason),
            at: now,
        });
        self.updated_at = now;
        self.roster_changed(now);
        Ok(())
    }

    /// Put a removed person back on the roster (undo of a removal), with
    /// their sheets and answers as they were.
    pub fn restore_person(
        &mut self,
        person: Person,
        now: PrimitiveDateTime,
    ) -> Result<(), RosterError> {
        self.known(person)?;
        let at = self
            .removed
            .iter()
            .position(|r| r.person == person)
            .ok_or(RosterError::NotRemoved)?;
        self.removed.remove(at);
        self.updated_at = now;
        self.roster_changed(now);
        Ok(())
    }

    fn known(&self, person: Person) -> Result<(), RosterError> {
        let found = match person {
            Person::Visit => false,
            Person::Child(id) => self.roster.child(id).is_some(),
            Person::Caregiver(id) => self.roster.caregiver(id).is_some(),
        };
        if found {
            Ok(())
        } else {
            Err(RosterError::NoSuchPerson)
        }
    }

    /// Every sheet of a child follows the child's age: outside every band
    /// of its checklist it is `te_jong` (with a generated reason); back
    /// inside, `afgenomen` again. Other statuses are left alone while the
    /// child stays inside.
    pub fn sync_age_bands(&mut self) -> RosterChange {
        let mut change = RosterChange::default();
        for i in 0..self.sheets.len() {
            let Person::Child(id) = self.sheets[i].person else {
                continue;
            };
            let Some(child) = self.roster.child(id).cloned() else {
                continue;
            };
            let s = &mut self.sheets[i];
            let outside = outside_bands(&s.checklist, child.age);
            if outside {
                let reason = outside_bands_text(&child.alias, child.age, &s.checklist).nl;
                if s.status != SheetStatus::OutsideBands {
                    change.now_outside += 1;
                }
                s.status = SheetStatus::OutsideBands;
                s.status_reason = SecretText::new(reason);
            } else if s.status == SheetStatus::OutsideBands {
                s.status = SheetStatus::Taken;
                s.status_reason = SecretText::default();
                change.back_inside += 1;
            }
        }
        change
    }

    /// Called after every change to the roster: entries of sections made
    /// per roster member follow it (a new person gets an entry, a removed
    /// person's entry is kept aside; a corrected alias or age shows in
    /// theirs, since entries name the person by id).
    fn roster_changed(&mut self, now: PrimitiveDateTime) {
        self.sync_roster_entries(now);
    }

    /// The sheets of children outside every age band of their checklist,
    /// with what to say about each (for the new-visit screen, the picker
    /// and the review).
    pub fn outside_band_sheets(&self) -> Vec<(usize, Text)> {
        self.sheets
            .iter()
            .enumerate()
            .filter(|(_, s)| s.status == SheetStatus::OutsideBands)
            .filter_map(|(i, s)| {
                let Person::Child(id) = s.person else {
                    return None;
                };
                let c = self.roster.child(id)?;
                Some((i, outside_bands_text(&c.alias, c.age, &s.checklist)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
