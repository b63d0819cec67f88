//! A visit: who was there, which checklists were used, every answer, and
//! the red flags raised — plus everything derived from it (`derive`).
//!
//! Pure: no I/O, no clock, no randomness. Times and ids come in as values.

pub mod derive;
pub mod flags;
pub mod follow_up;
pub mod input;
pub mod record;
pub mod record_v1;
pub mod record_v2;
pub mod record_v3;
pub mod record_v4;
pub mod report;
pub mod roster;
mod roster_entries;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::{Date, PrimitiveDateTime};
use zeroize::Zeroize;

use crate::checklist::model::{AppliesTo, Checklist, FlagLevel, ItemKind};
use crate::i18n::Text;

pub use derive::{Derived, SheetDerived, derive};
pub use flags::{FlagChanges, FlagState};

/// Free text typed by the worker. Wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretText(String);

impl SecretText {
    pub fn new(s: impl Into<String>) -> SecretText {
        SecretText(s.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Drop for SecretText {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for SecretText {
    // Answers never reach logs or panic messages through `Debug`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretText({} chars)", self.0.chars().count())
    }
}

/// An answer to one item.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Index of the chosen option (yes/no, yes/no/unknown, single choice).
    Choice(u16),
    /// Bit set of the chosen options (multiple choice).
    Multi(u64),
    /// A scale value or a number.
    Number(f64),
    Text(SecretText),
    Date(Date),
}

/// Why an answer does not fit its item.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    #[error("this answer does not fit an item of kind {0}")]
    WrongKind(&'static str),
    #[error("there is no such option")]
    NoSuchOption,
    #[error("the value must be from {min} to {max}")]
    OutOfRange { min: String, max: String },
    #[error("the value must be a whole number")]
    NotWhole,
    #[error("the text is longer than {0} characters")]
    TooLong(usize),
    #[error("there is no such item, entry or sheet")]
    NoSuchPlace,
    #[error("this section already has the most entries allowed ({0})")]
    TooManyEntries(u16),
    /// A roster-driven section has one entry per roster member; entries come
    /// and go with the roster.
    #[error("this section has one entry per person of the roster")]
    FromRoster,
    /// A follow-up section has one entry per agreement, flag or scaling
    /// answer of the previous visit; they are made when the visit starts.
    #[error("this section has one entry per item of the previous visit")]
    FromFollowUp,
}

/// Check that `answer` fits `kind` (with the item's options).
pub fn check_answer(kind: &ItemKind, options: usize, answer: &Answer) -> Result<(), AnswerError> {
    match (kind, answer) {
        (k, Answer::Choice(i)) if k.is_single_option() => {
            if usize::from(*i) < options {
                Ok(())
            } else {
                Err(AnswerError::NoSuchOption)
            }
        }
        (ItemKind::Multi, Answer::Multi(bits)) => {
            if options >= 64 || bits >> options == 0 {
                Ok(())
            } else {
                Err(AnswerError::NoSuchOption)
            }
        }
        (ItemKind::Scale { min, max, .. }, Answer::Number(x)) => {
            if x.fract() != 0.0 {
                Err(AnswerError::NotWhole)
            } else if *x < *min as f64 || *x > *max as f64 {
                Err(AnswerError::OutOfRange {
                    min: min.to_string(),
                    max: max.to_string(),
                })
            } else {
                Ok(())
            }
        }
        (
            ItemKind::Number {
                min, max, integer, ..
            },
            Answer::Number(x),
        ) => {
            if !x.is_finite() {
                return Err(AnswerError::NotWhole);
            }
            if *integer && x.fract() != 0.0 {
                return Err(AnswerError::NotWhole);
            }
            if min.is_some_and(|m| *x < m) || max.is_some_and(|m| *x > m) {
                return Err(AnswerError::OutOfRange {
                    min: min.map_or("…".into(), |m| m.to_string()),
                    max: max.map_or("…".into(), |m| m.to_string()),
                });
            }
            Ok(())
        }
        (
            ItemKind::ShortText { max_length } | ItemKind::LongText { max_length },
            Answer::Text(t),
        ) => {
            if t.as_str().chars().count() > *max_length {
                Err(AnswerError::TooLong(*max_length))
            } else {
                Ok(())
            }
        }
        (ItemKind::Date, Answer::Date(_)) => Ok(()),
        (k, _) => Err(AnswerError::WrongKind(k.key())),
    }
}

/// A child of the household, by first name or alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    /// Stable within the visit, so answers stay with the right child.
    pub id: u32,
    pub alias: String,
    pub age: u8,
}

/// A caregiver, by alias and role ("moeder", "pleegvader", …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caregiver {
    pub id: u32,
    pub alias: String,
    pub role: String,
}

/// Who lives in or visits the household.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    pub children: Vec<Child>,
    pub caregivers: Vec<Caregiver>,
}

impl Roster {
    pub fn child(&self, id: u32) -> Option<&Child> {
        self.children.iter().find(|c| c.id == id)
    }

    pub fn caregiver(&self, id: u32) -> Option<&Caregiver> {
        self.caregivers.iter().find(|c| c.id == id)
    }

    /// The next free person id.
    pub fn next_id(&self) -> u32 {
        self.children
            .iter()
            .map(|c| c.id)
            .chain(self.caregivers.iter().map(|c| c.id))
            .max()
            .map_or(1, |m| m + 1)
    }

    /// A readable name for a person.
    pub fn name(&self, person: Person) -> String {
        match person {
            Person::Visit => String::new(),
            Person::Child(id) => self
                .child(id)
                .map_or_else(|| format!("#{id}"), |c| format!("{} ({})", c.alias, c.age)),
            Person::Caregiver(id) => self
                .caregiver(id)
                .map_or_else(|| format!("#{id}"), |c| format!("{} ({})", c.alias, c.role)),
        }
    }
}

/// Whom a sheet is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Person {
    Visit,
    Child(u32),
    Caregiver(u32),
}

/// The answers to one checklist for one person (or for the visit).
#[derive(Debug, Clone)]
pub struct Sheet {
    pub checklist: Arc<Checklist>,
    pub person: Person,
    /// One slot per item of the checklist (slots of repeatable items stay empty).
    pub answers: Vec<Option<Answer>>,
    /// Per section: the entries of a repeatable section, each with one slot per
    /// item of the section. Empty for ordinary sections.
    pub entries: Vec<Vec<Vec<Option<Answer>>>>,
    /// Per section, per entry: the roster member the entry is about, for
    /// entries made from the roster (same shape as `entries`).
    pub entry_person: Vec<Vec<Option<Person>>>,
    /// Per section, per entry: what of the previous visit the entry is
    /// about, for entries made from a follow-up (same shape as `entries`).
    pub entry_previous: Vec<Vec<Option<record::PreviousRef>>>,
    /// Whether the sheet was taken, and if not, why.
    pub status: SheetStatus,
    /// The worker's short reason for a status other than `Taken`.
    pub status_reason: SecretText,
    /// Answers given under earlier versions of the checklist (a draft that
    /// continued on a newer version), oldest first: each version with the
    /// ids of the items whose answers were given under it and not changed
    /// since. Every other answer was given under `checklist`'s version.
    pub earlier: Vec<record::EarlierVersion>,
}

/// Whether a per-person sheet was taken, and if not, why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SheetStatus {
    /// `afgenomen`: the sheet was filled in.
    #[default]
    Taken,
    /// `niet_aanwezig`: the person was not there.
    NotPresent,
    /// `bewust_niet`: deliberately not asked, for safety.
    DeliberatelyNot,
    /// `weigert`: the person declined.
    Declined,
    /// `te_jong`: outside every age band of the checklist.
    OutsideBands,
}

impl SheetStatus {
    pub const ALL: [SheetStatus; 5] = [
        SheetStatus::Taken,
        SheetStatus::NotPresent,
        SheetStatus::DeliberatelyNot,
        SheetStatus::Declined,
        SheetStatus::OutsideBands,
    ];

    /// The status as records and exports name it.
    pub fn key(self) -> &'static str {
        match self {
            SheetStatus::Taken => "afgenomen",
            SheetStatus::NotPresent => "niet_aanwezig",
            SheetStatus::DeliberatelyNot => "bewust_niet",
            SheetStatus::Declined => "weigert",
            SheetStatus::OutsideBands => "te_jong",
        }
    }

    pub fn from_key(key: &str) -> Option<SheetStatus> {
        SheetStatus::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// A roster member removed during the visit. Their sheets and answers are
/// kept aside in the visit, never dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Removed {
    pub person: Person,
    pub reason: SecretText,
    pub at: PrimitiveDateTime,
}

impl Sheet {
    pub fn new(checklist: Arc<Checklist>, person: Person) -> Sheet {
        let answers = vec![None; checklist.items.len()];
        let entries = vec![Vec::new(); checklist.sections.len()];
        let entry_person = vec![Vec::new(); checklist.sections.len()];
        let entry_previous = vec![Vec::new(); checklist.sections.len()];
        Sheet {
            checklist,
            person,
            answers,
            entries,
            entry_person,
            entry_previous,
            status: SheetStatus::Taken,
            status_reason: SecretText::default(),
            earlier: Vec::new(),
        }
    }

    /// An answer to `item` was given under the current version: it is no
    /// longer one of an earlier version's.
    fn answered_now(&mut self, item: &str) {
        for e in &mut self.earlier {
            e.items.retain(|i| i != item);
        }
        self.earlier.retain(|e| !e.items.is_empty());
    }

    /// The answer to an item, in an entry when the item repeats.
    pub fn answer(&self, item: usize, entry: Option<usize>) -> Option<&Answer> {
        let c = &self.checklist;
        let it = c.items.get(item)?;
        if c.sections[it.section].repeat.is_some() {
            let pos = item - c.sections[it.section].items.start;
            self.entries[it.section].get(entry?)?.get(pos)?.as_ref()
        } else {
            self.answers.get(item)?.as_ref()
        }
    }
}

/// A red flag as raised during the visit, with what the worker did.
#[derive(Debug, Clone, PartialEq)]
pub struct RaisedFlag {
    pub checklist: String,
    pub person: Person,
    pub flag: String,
    pub item: Option<String>,
    pub entry: Option<usize>,
    pub level: FlagLevel,
    /// The flag's texts as they read when it was raised.
    pub message: Text,
    pub advice: Text,
    pub raised_at: PrimitiveDateTime,
    pub acknowledged_at: Option<PrimitiveDateTime>,
    /// What the worker did about it, in their own words.
    pub action_taken: SecretText,
    /// Active, lapsed or withdrawn (see `flags`).
    pub state: FlagState,
    /// When it lapsed, was withdrawn, or became active again.
    pub state_at: Option<PrimitiveDateTime>,
    /// Why the worker withdrew it (empty unless withdrawn).
    pub withdrawn_reason: SecretText,
    /// Withdrawn, and its condition has since stopped holding: when it holds
    /// again a new flag is raised. Not stored (rebuilt when a visit is read).
    pub condition_cleared: bool,
}

/// Where the worker was, so a resumed draft opens there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    pub sheet: usize,
    pub item: usize,
    pub entry: Option<usize>,
}

/// An answer that no longer fits the checklist version in use (a draft
/// resumed after a checklist update). Kept, never dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Orphan {
    pub checklist: String,
    pub person: Person,
    pub item: String,
    pub value: record::AnswerValue,
}

/// Text typed into an item's field that is not (or not yet) its answer:
/// typed but not committed (the worker is still on the item), or left
/// behind because it does not read as an answer (an invalid draft value,
/// which blocks finalizing until it is mended or cleared). Named by ids,
/// like a flag, so it stays with its item.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub checklist: String,
    pub person: Person,
    pub item: String,
    pub entry: Option<usize>,
    pub text: SecretText,
}

/// A visit being recorded.
#[derive(Debug, Clone)]
pub struct Visit {
    pub id: String,
    /// A short label the worker chooses for the home screen (no full names).
    pub label: String,
    pub date: Date,
    pub place: String,
    pub present: String,
    pub roster: Roster,
    pub sheets: Vec<Sheet>,
    pub flags: Vec<RaisedFlag>,
    pub cursor: Cursor,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub orphans: Vec<Orphan>,
    /// Typed text that is not an answer (see [`Pending`]).
    pub pending: Vec<Pending>,
    /// Roster members removed during the visit (their sheets stay).
    pub removed: Vec<Removed>,
    /// The case this visit belongs to: its own id for a first visit, the
    /// case's id for a follow-up.
    pub case_id: String,
    /// What this visit knows of the visit it follows (a follow-up only).
    pub follow_up: Option<record::FollowUpRecord>,
    /// When the worker marked that the agreements were read back with the
    /// family.
    pub read_back: Option<PrimitiveDateTime>,
}

impl Visit {
    pub fn new(id: String, label: String, date: Date, now: PrimitiveDateTime) -> Visit {
        Visit {
            case_id: id.clone(),
            id,
            label,
            date,
            place: String::new(),
            present: String::new(),
            roster: Roster::default(),
            sheets: Vec::new(),
            flags: Vec::new(),
            cursor: Cursor::default(),
            created_at: now,
            updated_at: now,
            orphans: Vec::new(),
            pending: Vec::new(),
            removed: Vec::new(),
            follow_up: None,
            read_back: None,
        }
    }

    /// Add a sheet of `checklist` for `person`, unless there is one already
    /// or the checklist does not apply to that kind of person. Returns its
    /// index. A child outside every age band of the checklist gets a sheet
    /// too, with status `te_jong` and nothing to answer: never a silent
    /// absence.
    pub fn add_sheet(&mut self, checklist: Arc<Checklist>, person: Person) -> Option<usize> {
        let fits = match (checklist.applies_to, person) {
            (AppliesTo::Visit, Person::Visit) => true,
            (AppliesTo::Child, Person::Child(id)) => self.roster.child(id).is_some(),
            (AppliesTo::Caregiver, Person::Caregiver(id)) => self.roster.caregiver(id).is_some(),
            _ => false,
        };
        if !fits {
            return None;
        }
        if let Some(i) = self
            .sheets
            .iter()
            .position(|s| s.checklist.id == checklist.id && s.person == person)
        {
            return Some(i);
        }
        let mut sheet = Sheet::new(checklist, person);
        if let Person::Child(id) = person
            && let Some(c) = self.roster.child(id)
            && roster::outside_bands(&sheet.checklist, c.age)
        {
            sheet.status = SheetStatus::OutsideBands;
            sheet.status_reason =
                SecretText::new(roster::outside_bands_text(&c.alias, c.age, &sheet.checklist).nl);
        }
        self.sheets.push(sheet);
        let index = self.sheets.len() - 1;
        self.sync_sheet_roster_entries(index);
        self.sync_sheet_previous_entries(index);
        Some(index)
    }

    /// Add the sheets of `checklist` for everyone on the roster it applies
    /// to (people removed from the roster get no new sheets).
    pub fn use_checklist(&mut self, checklist: &Arc<Checklist>) {
        let persons: Vec<Person> = match checklist.applies_to {
            AppliesTo::Visit => vec![Person::Visit],
            AppliesTo::Child => self
                .present_children()
                .map(|c| Person::Child(c.id))
                .collect(),
            AppliesTo::Caregiver => self
                .present_caregivers()
                .map(|c| Person::Caregiver(c.id))
                .collect(),
        };
        for p in persons {
            self.add_sheet(checklist.clone(), p);
        }
    }

    /// Record (or clear, with `None`) the answer to an item.
    pub fn set_answer(
        &mut self,
        sheet: usize,
        item: usize,
        entry: Option<usize>,
        answer: Option<Answer>,
        now: PrimitiveDateTime,
    ) -> Result<(), AnswerError> {
        let s = self.sheets.get_mut(sheet).ok_or(AnswerError::NoSuchPlace)?;
        let c = s.checklist.clone();
        let it = c.items.get(item).ok_or(AnswerError::NoSuchPlace)?;
        // No options chosen and no text typed are no answer at all.
        let answer = answer.filter(|a| match a {
            Answer::Multi(bits) => *bits != 0,
            Answer::Text(t) => !t.as_str().trim().is_empty(),
            _ => true,
        });
        if let Some(a) = &answer {
            check_answer(&it.kind, it.options.len(), a)?;
        }
        let slot = if c.sections[it.section].repeat.is_some() {
            let pos = item - c.sections[it.section].items.start;
            s.entries[it.section]
                .get_mut(entry.ok_or(AnswerError::NoSuchPlace)?)
                .and_then(|e| e.get_mut(pos))
                .ok_or(AnswerError::NoSuchPlace)?
        } else {
            s.answers.get_mut(item).ok_or(AnswerError::NoSuchPlace)?
        };
        let changed = *slot != answer;
        *slot = answer;
        // A changed answer outside a repeatable section is given under the
        // version in use now. (In a repeatable section the item stays listed
        // under its earlier version while any entry may hold such an answer.)
        if changed && c.sections[it.section].repeat.is_none() {
            s.answered_now(&it.id);
        }
        self.updated_at = now;
        Ok(())
    }

    /// Add an empty entry to a repeatable section; returns its index.
    pub fn add_entry(
        &mut self,
        sheet: usize,
        section: usize,
        now: PrimitiveDateTime,
    ) -> Result<usize, AnswerError> {
        let s = self.sheets.get_mut(sheet).ok_or(AnswerError::NoSuchPlace)?;
        let sec = s
            .checklist
            .sections
            .get(section)
            .ok_or(AnswerError::NoSuchPlace)?;
        let repeat = sec.repeat.as_ref().ok_or(AnswerError::NoSuchPlace)?;
        if repeat.from_roster() {
            return Err(AnswerError::FromRoster);
        }
        if repeat.from_previous() {
            return Err(AnswerError::FromFollowUp);
        }
        if s.entries[section].len() >= usize::from(repeat.max_entries) {
            return Err(AnswerError::TooManyEntries(repeat.max_entries));
        }
        let width = sec.items.len();
        s.entries[section].push(vec![None; width]);
        s.entry_person[section].push(None);
        s.entry_previous[section].push(None);
        self.updated_at = now;
        Ok(s.entries[section].len() - 1)
    }

    /// Remove an entry of a repeatable section.
    pub fn remove_entry(
        &mut self,
        sheet: usize,
        section: usize,
        entry: usize,
        now: PrimitiveDateTime,
    ) -> Result<(), AnswerError> {
        let s = self.sheets.get_mut(sheet).ok_or(AnswerError::NoSuchPlace)?;
        if let Some(r) = s
            .checklist
            .sections
            .get(section)
            .and_then(|sec| sec.repeat.as_ref())
        {
            if r.from_roster() {
                return Err(AnswerError::FromRoster);
            }
            if r.from_previous() {
                return Err(AnswerError::FromFollowUp);
            }
        }
        let entries = s.entries.get_mut(section).ok_or(AnswerError::NoSuchPlace)?;
        if entry >= entries.len() {
            return Err(AnswerError::NoSuchPlace);
        }
        entries.remove(entry);
        if let Some(people) = s.entry_person.get_mut(section)
            && entry < people.len()
        {
            people.remove(entry);
        }
        if let Some(previous) = s.entry_previous.get_mut(section)
            && entry < previous.len()
        {
            previous.remove(entry);
        }
        // Flags raised in later entries keep pointing at the same answers.
        let (id, person) = (s.checklist.id.clone(), s.person);
        let c = s.checklist.clone();
        let in_section = |item: &str| {
            c.item_index(item)
                .is_some_and(|i| c.items[i].section == section)
        };
        // Typed text goes with its entry; later entries move up one.
        self.pending.retain(|p| {
            !(p.checklist == id
                && p.person == person
                && in_section(&p.item)
                && p.entry == Some(entry))
        });
        for p in &mut self.pending {
            if p.checklist == id && p.person == person && in_section(&p.item) {
                match p.entry {
                    Some(e) if e > entry => p.entry = Some(e - 1),
                    _ => {}
                }
            }
        }
        for f in &mut self.flags {
            if f.checklist == id && f.person == person {
                match f.entry {
                    Some(e) if e > entry => f.entry = Some(e - 1),
                    _ => {}
                }
            }
        }
        self.updated_at = now;
        Ok(())
    }

    /// The index (into `pending`) of the typed text at a place, if any.
    pub fn pending_index(&self, sheet: usize, item: usize, entry: Option<usize>) -> Option<usize> {
        let s = self.sheets.get(sheet)?;
        let id = &s.checklist.items.get(item)?.id;
        self.pending.iter().position(|p| {
            p.checklist == s.checklist.id
                && p.person == s.person
                && &p.item == id
                && p.entry == entry
        })
    }

    /// The typed text at a place that is not its answer, if any.
    pub fn pending_at(&self, sheet: usize, item: usize, entry: Option<usize>) -> Option<&str> {
        self.pending_index(sheet, item, entry)
            .map(|i| self.pending[i].text.as_str())
    }

    /// Keep (`Some`) or forget (`None`) the typed text at a place. Returns
    /// whether anything changed.
    pub fn set_pending(
        &mut self,
        sheet: usize,
        item: usize,
        entry: Option<usize>,
        text: Option<&str>,
        now: PrimitiveDateTime,
    ) -> bool {
        let at = self.pending_index(sheet, item, entry);
        let changed = match (at, text) {
            (Some(i), None) => {
                self.pending.remove(i);
                true
            }
            (Some(i), Some(t)) if self.pending[i].text.as_str() == t => false,
            (Some(i), Some(t)) => {
                self.pending[i].text = SecretText::new(t);
                true
            }
            (None, None) => false,
            (None, Some(t)) => {
                let Some(s) = self.sheets.get(sheet) else {
                    return false;
                };
                let Some(it) = s.checklist.items.get(item) else {
                    return false;
                };
                self.pending.push(Pending {
                    checklist: s.checklist.id.clone(),
                    person: s.person,
                    item: it.id.clone(),
                    entry,
                    text: SecretText::new(t),
                });
                true
            }
        };
        if changed {
            self.updated_at = now;
        }
        changed
    }

    /// Where a pending text's item is now: sheet, item and entry.
    pub fn pending_place(&self, pending: usize) -> Option<(usize, usize, Option<usize>)> {
        let p = self.pending.get(pending)?;
        let sheet = self
            .sheets
            .iter()
            .position(|s| s.checklist.id == p.checklist && s.person == p.person)?;
        let item = self.sheets[sheet].checklist.item_index(&p.item)?;
        Some((sheet, item, p.entry))
    }
}
