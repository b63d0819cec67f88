//! The record of a visit as it is stored and exported: plain, self-contained
//! structs that name everything by id (checklists, items, options), so a
//! record outlives the checklist version in memory.
//!
//! These structs are encoded with bincode inside the vault's envelope; any
//! change to them is a change of the record format and bumps
//! `store::record::FORMAT_VERSION` (see docs/FORMATS.md).
//!
//! Pure: no I/O.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::{Date, PrimitiveDateTime};

use crate::checklist::model::{Checklist, FlagLevel};
use crate::i18n::Text;
use crate::visit::{
    Answer, Caregiver, Child, Cursor, Derived, FlagState, Orphan, Pending, Person, RaisedFlag,
    Removed, Roster, SecretText, Sheet, SheetStatus, Visit,
};

mod reopen;
use reopen::{ChecklistChange, earlier_versions};

/// Which checklist, exactly: id, version and SHA-256 of its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistStamp {
    pub id: String,
    pub version: u32,
    pub hash: String,
}

impl ChecklistStamp {
    pub fn of(c: &Checklist) -> ChecklistStamp {
        ChecklistStamp {
            id: c.id.clone(),
            version: c.version,
            hash: c.hash.to_hex(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PersonRecord {
    Visit,
    Child(u32),
    Caregiver(u32),
}

impl From<Person> for PersonRecord {
    fn from(p: Person) -> Self {
        match p {
            Person::Visit => PersonRecord::Visit,
            Person::Child(i) => PersonRecord::Child(i),
            Person::Caregiver(i) => PersonRecord::Caregiver(i),
        }
    }
}

impl From<PersonRecord> for Person {
    fn from(p: PersonRecord) -> Self {
        match p {
            PersonRecord::Visit => Person::Visit,
            PersonRecord::Child(i) => Person::Child(i),
            PersonRecord::Caregiver(i) => Person::Caregiver(i),
        }
    }
}

/// An answer, by option id rather than index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AnswerValue {
    Choice(String),
    Multi(Vec<String>),
    Number(f64),
    Text(SecretText),
    /// `YYYY-MM-DD`
    Date(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerRecord {
    pub item: String,
    pub value: AnswerValue,
}

/// One entry of a repeatable section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryRecord {
    pub section: String,
    pub answers: Vec<AnswerRecord>,
    /// The roster member an entry made from the roster is about (version 3).
    pub person: Option<PersonRecord>,
    /// What of the previous visit an entry made from the case is about: an
    /// agreement, a flag or a scaling answer of `VisitRecord::follow_up`
    /// (version 4).
    pub previous: Option<PreviousRef>,
}

/// Which part of the previous visit an entry is about (record version 4):
/// `kind` is `agreement`, `flag` or `scaling`, and `index` counts from 0 in
/// the matching list of [`FollowUpRecord`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PreviousRef {
    pub kind: PreviousKind,
    pub index: u32,
}

/// The lists of the previous visit a follow-up entry can be made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PreviousKind {
    Agreement,
    Flag,
    Scaling,
}

impl PreviousKind {
    /// As checklist files and the office's JSON write it.
    pub fn key(self) -> &'static str {
        match self {
            PreviousKind::Agreement => "agreement",
            PreviousKind::Flag => "flag",
            PreviousKind::Scaling => "scaling",
        }
    }

    pub fn from_key(key: &str) -> Option<PreviousKind> {
        match key {
            "agreement" => Some(PreviousKind::Agreement),
            "flag" => Some(PreviousKind::Flag),
            "scaling" => Some(PreviousKind::Scaling),
            _ => None,
        }
    }
}

/// One agreement of a safety plan (record version 4; also in the case
/// card): who does what, by when, and what happens if it goes wrong.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AgreementRecord {
    pub who: SecretText,
    pub what: SecretText,
    /// `YYYY-MM-DD`
    pub by_when: Option<String>,
    pub if_wrong: SecretText,
}

/// One answer to the scaling question (record version 4; also in the case
/// card): who gave which number, about which child.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScalingRecord {
    pub who: SecretText,
    /// The option id of the role (`kind`, `ouder`, …), if answered.
    pub role: Option<String>,
    /// The child it is about; empty: all children.
    pub about: SecretText,
    pub value: i64,
}

/// A red flag as the case keeps it (record version 4; also in the case
/// card): which flag, its level and state, and what the worker did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFlagRecord {
    pub checklist: String,
    pub person: PersonRecord,
    pub flag: String,
    /// `acute`, `structural` or `attention`.
    pub level: String,
    pub message: Text,
    /// `active`, `lapsed` or `withdrawn`.
    pub state: String,
    pub action_taken: SecretText,
    /// `YYYY-MM-DD`, the date of the visit that raised it.
    pub raised_on: String,
}

/// A closed answer (choice, options, number or date; never text) of the
/// previous visit, kept because a checklist refers to it with
/// `previous(item)` (record version 4; also in the case card).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousValueRecord {
    pub checklist: String,
    pub person: PersonRecord,
    pub item: String,
    pub value: AnswerValue,
}

/// What a follow-up visit knows of the visit it follows (record version
/// 4): copied from the case card when the visit started, and never changed
/// after. The evaluation itself is in the entries made from it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FollowUpRecord {
    /// The id of the visit this one follows.
    pub follows: String,
    /// `YYYY-MM-DD`, the date of that visit.
    pub previous_date: String,
    pub agreements: Vec<AgreementRecord>,
    /// The flags that were still active at the end of that visit.
    pub flags: Vec<CaseFlagRecord>,
    pub scaling: Vec<ScalingRecord>,
    pub values: Vec<PreviousValueRecord>,
    /// The worker's own verdict then (option id of `eigen_oordeel`).
    pub verdict: Option<String>,
    /// `YYYY-MM-DD`: the evaluation date that visit set.
    pub evaluation_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetRecord {
    pub checklist: ChecklistStamp,
    pub person: PersonRecord,
    pub answers: Vec<AnswerRecord>,
    pub entries: Vec<EntryRecord>,
    /// `afgenomen`, `niet_aanwezig`, `bewust_niet`, `weigert` or `te_jong`
    /// (version 3; version 2 knew only taken sheets).
    pub status: String,
    /// The worker's reason for a status other than `afgenomen`.
    pub status_reason: SecretText,
    /// Answers given under earlier versions of the checklist, oldest first
    /// (version 5): a draft that continued on a newer version keeps which
    /// answers were given under which. An answer not listed here was given
    /// under `checklist`.
    pub earlier: Vec<EarlierVersion>,
}

/// An earlier version of a sheet's checklist and the items whose answers
/// were given under it (record version 5). An item of a repeatable section
/// is listed while any of its entries may hold an answer given then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierVersion {
    pub version: u32,
    /// SHA-256 of that version's file, hex.
    pub hash: String,
    /// Item ids, in checklist order.
    pub items: Vec<String>,
}

/// A roster member removed during the visit (version 3). Their sheets stay
/// in `sheets`, so no answer is dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedRecord {
    pub person: PersonRecord,
    pub reason: SecretText,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildRecord {
    pub id: u32,
    pub alias: String,
    pub age: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaregiverRecord {
    pub id: u32,
    pub alias: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagRecord {
    pub checklist: String,
    pub person: PersonRecord,
    pub flag: String,
    pub item: Option<String>,
    pub entry: Option<u32>,
    /// `acute`, `structural` or `attention`.
    pub level: String,
    pub message: Text,
    pub advice: Text,
    pub raised_at: String,
    pub acknowledged_at: Option<String>,
    pub action_taken: SecretText,
    /// `active`, `lapsed` or `withdrawn` (record version 2).
    pub state: String,
    /// When it lapsed, was withdrawn or became active again.
    pub state_at: Option<String>,
    /// Why the worker withdrew it; empty unless withdrawn.
    pub withdrawn_reason: SecretText,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CursorRecord {
    pub checklist: String,
    pub person: PersonRecord,
    pub item: String,
    pub entry: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrphanRecord {
    pub checklist: String,
    pub person: PersonRecord,
    pub item: String,
    pub value: AnswerValue,
}

/// Text typed into an item's field that is not its answer: typed but not
/// yet committed when the draft was saved, or an invalid draft value (out
/// of range, not a date) the worker left behind. Comes back as typed text
/// in its field, never as an answer. Record version 2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRecord {
    pub checklist: String,
    pub person: PersonRecord,
    pub item: String,
    pub entry: Option<u32>,
    pub text: SecretText,
}

/// A score as it stood when the visit was finalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreRecord {
    pub checklist: String,
    pub person: PersonRecord,
    pub score: String,
    pub title: Text,
    pub value: i64,
    pub band: Option<String>,
    pub band_label: Option<Text>,
    pub answered: u32,
    pub visible: u32,
}

/// An outcome as it stood when the visit was finalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeRecord {
    pub checklist: String,
    pub person: PersonRecord,
    pub outcome: String,
    pub title: Text,
    pub value: Option<String>,
    pub label: Option<Text>,
}

/// What the derivation said: scores and outcomes, for readers that do not
/// have the checklists (the supervisor's office).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    pub scores: Vec<ScoreRecord>,
    pub outcomes: Vec<OutcomeRecord>,
    /// Required items left unanswered.
    pub missing_required: u32,
}

/// Set when the visit is finalized on the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalRecord {
    /// The device's sequence number for finalized visits, from 1, never reused.
    pub sequence: u64,
    pub finalized_at: String,
    pub device_id: String,
    pub device_name: String,
    pub summary: Summary,
}

/// A whole visit, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitRecord {
    pub id: String,
    pub label: String,
    /// `YYYY-MM-DD`
    pub date: String,
    pub place: String,
    pub present: String,
    pub children: Vec<ChildRecord>,
    pub caregivers: Vec<CaregiverRecord>,
    pub sheets: Vec<SheetRecord>,
    pub flags: Vec<FlagRecord>,
    pub cursor: Option<CursorRecord>,
    pub created_at: String,
    pub updated_at: String,
    pub orphans: Vec<OrphanRecord>,
    pub finalized: Option<FinalRecord>,
    /// Typed text that is not an answer (version 2; empty in version 1).
    pub pending: Vec<PendingRecord>,
    /// Roster members removed during the visit (version 3; empty before).
    pub removed: Vec<RemovedRecord>,
    /// The case the visit belongs to (version 4). A first visit opens a
    /// case named after itself; a visit from before version 4 reads as a
    /// case of its own.
    pub case_id: String,
    /// Set when the visit follows an earlier visit of its case (version 4).
    pub follow_up: Option<FollowUpRecord>,
    /// `YYYY-MM-DDTHH:MM:SS`: when the worker marked that the agreements
    /// were read back with the family (version 4).
    pub read_back_at: Option<String>,
    /// The items whose closed answers the case card keeps for the next
    /// visit: those a checklist in use refers to with `previous(item)`
    /// (version 4). Made when the record is written, so that a finalize
    /// completed after a crash makes the same card.
    pub case_keeps: Vec<KeptItem>,
}

/// An item named by checklist and item id (record version 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptItem {
    pub checklist: String,
    pub item: String,
}

const DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");
const STAMP: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");

/// A case id, like a visit id: 1 to 64 of `A-Z a-z 0-9 - _` (a safe file
/// name).
pub fn valid_case_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub fn format_date(d: Date) -> String {
    d.format(DATE).unwrap_or_default()
}

pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, DATE).ok()
}

pub fn format_stamp(t: PrimitiveDateTime) -> String {
    t.format(STAMP).unwrap_or_default()
}

pub fn parse_stamp(s: &str) -> Option<PrimitiveDateTime> {
    PrimitiveDateTime::parse(s, STAMP).ok()
}

fn value_record(c: &Checklist, item: usize, a: &Answer) -> AnswerValue {
    let it = &c.items[item];
    match a {
        Answer::Choice(i) => AnswerValue::Choice(
            it.options
                .get(*i as usize)
                .map(|o| o.id.clone())
                .unwrap_or_default(),
        ),
        Answer::Multi(bits) => AnswerValue::Multi(
            it.options
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, o)| o.id.clone())
                .collect(),
        ),
        Answer::Number(n) => AnswerValue::Number(*n),
        Answer::Text(t) => AnswerValue::Text(t.clone()),
        Answer::Date(d) => AnswerValue::Date(format_date(*d)),
    }
}

/// The in-memory answer for a recorded value, if it still fits the item.
fn value_answer(c: &Checklist, item: usize, v: &AnswerValue) -> Option<Answer> {
    let it = &c.items[item];
    let a = match v {
        AnswerValue::Choice(id) => Answer::Choice(it.option_index(id)? as u16),
        AnswerValue::Multi(ids) => {
            let mut bits = 0u64;
            for id in ids {
                bits |= 1 << it.option_index(id)?;
            }
            Answer::Multi(bits)
        }
        AnswerValue::Number(n) => Answer::Number(*n),
        AnswerValue::Text(t) => Answer::Text(t.clone()),
        AnswerValue::Date(s) => Answer::Date(parse_date(s)?),
    };
    crate::visit::check_answer(&it.kind, it.options.len(), &a).ok()?;
    Some(a)
}

fn answers_of(
    c: &Checklist,
    items: std::ops::Range<usize>,
    slots: &[Option<Answer>],
    offset: usize,
) -> Vec<AnswerRecord> {
    items
        .filter_map(|i| {
            let a = slots.get(i - offset)?.as_ref()?;
            Some(AnswerRecord {
                item: c.items[i].id.clone(),
                value: value_record(c, i, a),
            })
        })
        .collect()
}

impl Visit {
    /// The items whose closed answers the case card keeps: those the
    /// checklists in use refer to with `previous(item)`.
    pub fn case_keeps(&self) -> Vec<KeptItem> {
        let mut out: Vec<KeptItem> = Vec::new();
        for s in &self.sheets {
            let c = &s.checklist;
            for &i in &c.previous_items {
                let Some(item) = c.items.get(i) else { continue };
                if !out.iter().any(|k| k.checklist == c.id && k.item == item.id) {
                    out.push(KeptItem {
                        checklist: c.id.clone(),
                        item: item.id.clone(),
                    });
                }
            }
        }
        out
    }

    /// The record of this visit (not finalized).
    pub fn to_record(&self) -> VisitRecord {
        let sheets = self
            .sheets
            .iter()
            .map(|s| {
                let c = &*s.checklist;
                let mut answers = Vec::new();
                let mut entries = Vec::new();
                for (si, sec) in c.sections.iter().enumerate() {
                    if sec.repeat.is_some() {
                        for (ei, e) in s.entries[si].iter().enumerate() {
                            let person = s
                                .entry_person
                                .get(si)
                                .and_then(|p| p.get(ei).copied().flatten());
                            entries.push(EntryRecord {
                                section: sec.id.clone(),
                                answers: answers_of(c, sec.items.clone(), e, sec.items.start),
                                person: person.map(PersonRecord::from),
                                previous: s
                                    .entry_previous
                                    .get(si)
                                    .and_then(|p| p.get(ei).copied().flatten()),
                            });
                        }
                    } else {
                        answers.extend(answers_of(c, sec.items.clone(), &s.answers, 0));
                    }
                }
                // Only items that still hold an answer are listed.
                let answered = |id: &String| {
                    answers.iter().any(|a| a.item == *id)
                        || entries
                            .iter()
                            .any(|e| e.answers.iter().any(|a| a.item == *id))
                };
                let earlier = s
                    .earlier
                    .iter()
                    .map(|e| EarlierVersion {
                        version: e.version,
                        hash: e.hash.clone(),
                        items: e.items.iter().filter(|i| answered(i)).cloned().collect(),
                    })
                    .filter(|e| !e.items.is_empty())
                    .collect();
                SheetRecord {
                    checklist: ChecklistStamp::of(c),
                    person: s.person.into(),
                    answers,
                    entries,
                    status: s.status.key().to_string(),
                    status_reason: s.status_reason.clone(),
                    earlier,
                }
            })
            .collect();
        let cursor = self.sheets.get(self.cursor.sheet).and_then(|s| {
            Some(CursorRecord {
                checklist: s.checklist.id.clone(),
                person: s.person.into(),
                item: s.checklist.items.get(self.cursor.item)?.id.clone(),
                entry: self.cursor.entry.map(|e| e as u32),
            })
        });
        VisitRecord {
            id: self.id.clone(),
            label: self.label.clone(),
            date: format_date(self.date),
            place: self.place.clone(),
            present: self.present.clone(),
            children: self
                .roster
                .children
                .iter()
                .map(|c| ChildRecord {
                    id: c.id,
                    alias: c.alias.clone(),
                    age: c.age,
                })
                .collect(),
            caregivers: self
                .roster
                .caregivers
                .iter()
                .map(|c| CaregiverRecord {
                    id: c.id,
                    alias: c.alias.clone(),
                    role: c.role.clone(),
                })
                .collect(),
            sheets,
            flags: self
                .flags
                .iter()
                .map(|f| FlagRecord {
                    checklist: f.checklist.clone(),
                    person: f.person.into(),
                    flag: f.flag.clone(),
                    item: f.item.clone(),
                    entry: f.entry.map(|e| e as u32),
                    level: f.level.key().to_string(),
                    message: f.message.clone(),
                    advice: f.advice.clone(),
                    raised_at: format_stamp(f.raised_at),
                    acknowledged_at: f.acknowledged_at.map(format_stamp),
                    action_taken: f.action_taken.clone(),
                    state: f.state.key().to_string(),
                    state_at: f.state_at.map(format_stamp),
                    withdrawn_reason: f.withdrawn_reason.clone(),
                })
                .collect(),
            cursor,
            created_at: format_stamp(self.created_at),
            updated_at: format_stamp(self.updated_at),
            orphans: self
                .orphans
                .iter()
                .map(|o| OrphanRecord {
                    checklist: o.checklist.clone(),
                    person: o.person.into(),
                    item: o.item.clone(),
                    value: o.value.clone(),
                })
                .collect(),
            finalized: None,
            pending: self
                .pending
                .iter()
                .map(|p| PendingRecord {
                    checklist: p.checklist.clone(),
                    person: p.person.into(),
                    item: p.item.clone(),
                    entry: p.entry.map(|e| e as u32),
                    text: p.text.clone(),
                })
                .collect(),
            removed: self
                .removed
                .iter()
                .map(|r| RemovedRecord {
                    person: r.person.into(),
                    reason: r.reason.clone(),
                    at: format_stamp(r.at),
                })
                .collect(),
            case_id: self.case_id.clone(),
            follow_up: self.follow_up.clone(),
            read_back_at: self.read_back.map(format_stamp),
            case_keeps: self.case_keeps(),
        }
    }

    /// Rebuild a visit from its record against the checklists available now.
    /// Answers that no longer fit (an item removed or changed by a newer
    /// checklist version, or a checklist no longer available) are kept as
    /// orphans; the notes say what happened, for the worker, in both
    /// languages. Never panics, whatever the record names.
    pub fn from_record(
        rec: &VisitRecord,
        lookup: impl Fn(&str) -> Option<Arc<Checklist>>,
    ) -> Result<(Visit, Vec<Text>), RecordError> {
        let date = parse_date(&rec.date).ok_or(RecordError::Field("date"))?;
        let created_at = parse_stamp(&rec.created_at).ok_or(RecordError::Field("created_at"))?;
        let updated_at = parse_stamp(&rec.updated_at).ok_or(RecordError::Field("updated_at"))?;
        let mut v = Visit::new(rec.id.clone(), rec.label.clone(), date, created_at);
        v.updated_at = updated_at;
        v.place = rec.place.clone();
        v.present = rec.present.clone();
        v.roster = Roster {
            children: rec
                .children
                .iter()
                .map(|c| Child {
                    id: c.id,
                    alias: c.alias.clone(),
                    age: c.age,
                })
                .collect(),
            caregivers: rec
                .caregivers
                .iter()
                .map(|c| Caregiver {
                    id: c.id,
                    alias: c.alias.clone(),
                    role: c.role.clone(),
                })
                .collect(),
        };
        let orphan = |v: &mut Visit, sr: &SheetRecord, a: &AnswerRecord| {
            v.orphans.push(Orphan {
                checklist: sr.checklist.id.clone(),
                person: sr.person.into(),
                item: a.item.clone(),
                value: a.value.clone(),
            })
        };
        // Per checklist id, in the order met: what happened to its sheets.
        let mut changes: Vec<ChecklistChange> = Vec::new();
        for sr in &rec.sheets {
            let at = match changes.iter().position(|c| c.id == sr.checklist.id) {
                Some(i) => i,
                None => {
                    changes.push(ChecklistChange {
                        id: sr.checklist.id.clone(),
                        from: sr.checklist.version,
                        to: None,
                        changed: false,
                        kept_aside: 0,
                    });
                    changes.len() - 1
                }
            };
            let before = v.orphans.len();
            let Some(c) = lookup(&sr.checklist.id) else {
                for a in sr
                    .answers
                    .iter()
                    .chain(sr.entries.iter().flat_map(|e| e.answers.iter()))
                {
                    orphan(&mut v, sr, a);
                }
                changes[at].kept_aside += v.orphans.len() - before;
                continue;
            };
            changes[at].to = Some(c.version);
            if c.hash.to_hex() != sr.checklist.hash {
                changes[at].changed = true;
            }
            // A second sheet of the same checklist and person cannot be shown
            // beside the first: its answers are kept aside.
            let person: Person = sr.person.into();
            if v.sheets
                .iter()
                .any(|s| s.checklist.id == c.id && s.person == person)
            {
                for a in sr
                    .answers
                    .iter()
                    .chain(sr.entries.iter().flat_map(|e| e.answers.iter()))
                {
                    orphan(&mut v, sr, a);
                }
                changes[at].kept_aside += v.orphans.len() - before;
                continue;
            }
            let mut sheet = Sheet::new(c.clone(), person);
            sheet.status =
                SheetStatus::from_key(&sr.status).ok_or(RecordError::Field("sheet status"))?;
            sheet.status_reason = sr.status_reason.clone();
            for a in &sr.answers {
                match c.item_index(&a.item).filter(|&i| !c.in_repeat(i)) {
                    Some(i) => match value_answer(&c, i, &a.value) {
                        Some(ans) if sheet.answers[i].is_none() => sheet.answers[i] = Some(ans),
                        _ => orphan(&mut v, sr, a),
                    },
                    None => orphan(&mut v, sr, a),
                }
            }
            for e in &sr.entries {
                let Some(si) = c
                    .section_index(&e.section)
                    .filter(|&s| c.sections[s].repeat.is_some())
                else {
                    e.answers.iter().for_each(|a| orphan(&mut v, sr, a));
                    continue;
                };
                let range = c.sections[si].items.clone();
                let mut slots = vec![None; range.len()];
                for a in &e.answers {
                    match c.item_index(&a.item).filter(|i| range.contains(i)) {
                        Some(i) => match value_answer(&c, i, &a.value) {
                            Some(ans) if slots[i - range.start].is_none() => {
                                slots[i - range.start] = Some(ans)
                            }
                            _ => orphan(&mut v, sr, a),
                        },
                        None => orphan(&mut v, sr, a),
                    }
                }
                sheet.entries[si].push(slots);
                sheet.entry_person[si].push(e.person.map(Person::from));
                sheet.entry_previous[si].push(e.previous);
            }
            sheet.earlier = earlier_versions(&c, sr, &sheet);
            changes[at].kept_aside += v.orphans.len() - before;
            v.sheets.push(sheet);
        }
        let notes = changes
            .iter()
            .filter_map(|c| {
                let flags = rec.flags.iter().filter(|f| f.checklist == c.id).count();
                c.note(flags)
            })
            .collect();
        for f in &rec.flags {
            v.flags.push(RaisedFlag {
                checklist: f.checklist.clone(),
                person: f.person.into(),
                flag: f.flag.clone(),
                item: f.item.clone(),
                entry: f.entry.map(|e| e as usize),
                level: FlagLevel::from_key(&f.level).ok_or(RecordError::Field("flag level"))?,
                message: f.message.clone(),
                advice: f.advice.clone(),
                raised_at: parse_stamp(&f.raised_at).ok_or(RecordError::Field("raised_at"))?,
                acknowledged_at: match &f.acknowledged_at {
                    Some(s) => Some(parse_stamp(s).ok_or(RecordError::Field("acknowledged_at"))?),
                    None => None,
                },
                action_taken: f.action_taken.clone(),
                state: FlagState::from_key(&f.state).ok_or(RecordError::Field("flag state"))?,
                state_at: match &f.state_at {
                    Some(s) => Some(parse_stamp(s).ok_or(RecordError::Field("flag state_at"))?),
                    None => None,
                },
                withdrawn_reason: f.withdrawn_reason.clone(),
                condition_cleared: false,
            });
        }
        for o in &rec.orphans {
            v.orphans.push(Orphan {
                checklist: o.checklist.clone(),
                person: o.person.into(),
                item: o.item.clone(),
                value: o.value.clone(),
            });
        }
        for p in &rec.pending {
            v.pending.push(Pending {
                checklist: p.checklist.clone(),
                person: p.person.into(),
                item: p.item.clone(),
                entry: p.entry.map(|e| e as usize),
                text: p.text.clone(),
            });
        }
        v.case_id = if valid_case_id(&rec.case_id) {
            rec.case_id.clone()
        } else {
            return Err(RecordError::Field("case_id"));
        };
        v.follow_up = rec.follow_up.clone();
        v.read_back = match &rec.read_back_at {
            Some(s) => Some(parse_stamp(s).ok_or(RecordError::Field("read_back_at"))?),
            None => None,
        };
        for r in &rec.removed {
            v.removed.push(Removed {
                person: r.person.into(),
                reason: r.reason.clone(),
                at: parse_stamp(&r.at).ok_or(RecordError::Field("removed at"))?,
            });
        }
        if let Some(cur) = &rec.cursor {
            let person: Person = cur.person.into();
            if let Some(si) = v
                .sheets
                .iter()
                .position(|s| s.checklist.id == cur.checklist && s.person == person)
                && let Some(ii) = v.sheets[si].checklist.item_index(&cur.item)
            {
                v.cursor = Cursor {
                    sheet: si,
                    item: ii,
                    entry: cur.entry.map(|e| e as usize),
                };
            }
        }
        Ok((v, notes))
    }
}

/// The scores and outcomes of a derived visit, for the record. A sheet
/// kept aside (not taken, `te_jong`, or of a person removed from the
/// roster) gives none: it was not screened, and its status says why (an
/// "incomplete" screening outcome would read as if it had been tried).
pub fn summary(visit: &Visit, derived: &Derived) -> Summary {
    let mut out = Summary::default();
    for (i, (sheet, d)) in visit.sheets.iter().zip(&derived.sheets).enumerate() {
        if visit.sheet_set_aside(i) {
            continue;
        }
        let c = &*sheet.checklist;
        for (score, sv) in c.scores.iter().zip(&d.scores) {
            let band = sv.band.map(|b| &score.bands[b]);
            out.scores.push(ScoreRecord {
                checklist: c.id.clone(),
                person: sheet.person.into(),
                score: score.id.clone(),
                title: score.title.clone(),
                value: sv.value,
                band: band.map(|b| b.id.clone()),
                band_label: band.map(|b| b.label.clone()),
                answered: sv.answered as u32,
                visible: sv.visible as u32,
            });
        }
        for (oi, o) in c.outcomes.iter().enumerate() {
            let rule = d.outcomes[oi].map(|r| &o.rules[r]);
            out.outcomes.push(OutcomeRecord {
                checklist: c.id.clone(),
                person: sheet.person.into(),
                outcome: o.id.clone(),
                title: o.title.clone(),
                value: rule.map(|r| r.value.clone()),
                label: rule.map(|r| r.label.clone()),
            });
        }
        out.missing_required += d.missing.len() as u32;
    }
    out
}

/// A record that cannot be turned back into a visit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("the record's {0} is not readable")]
    Field(&'static str),
}
