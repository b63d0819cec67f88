//! Version 1 of the visit record, frozen. bincode is not self-describing,
//! so a record is read with the structs of the version that wrote it and
//! then migrated to the current structs (`From<VisitRecord> for
//! record::VisitRecord`). Never change these structs: golden fixtures in
//! `tests/fixtures/record-v1.*` prove they still read what version 1 wrote.
//!
//! Pure: no I/O.

use serde::{Deserialize, Serialize};

use crate::i18n::Text;
use crate::visit::SecretText;
// Version 1 migrates to version 2, which migrates to the current version.
use crate::visit::record_v2 as now;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistStamp {
    pub id: String,
    pub version: u32,
    pub hash: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PersonRecord {
    Visit,
    Child(u32),
    Caregiver(u32),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AnswerValue {
    Choice(String),
    Multi(Vec<String>),
    Number(f64),
    Text(SecretText),
    Date(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerRecord {
    pub item: String,
    pub value: AnswerValue,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryRecord {
    pub section: String,
    pub answers: Vec<AnswerRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetRecord {
    pub checklist: ChecklistStamp,
    pub person: PersonRecord,
    pub answers: Vec<AnswerRecord>,
    pub entries: Vec<EntryRecord>,
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
    pub level: String,
    pub message: Text,
    pub advice: Text,
    pub raised_at: String,
    pub acknowledged_at: Option<String>,
    pub action_taken: SecretText,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeRecord {
    pub checklist: String,
    pub person: PersonRecord,
    pub outcome: String,
    pub title: Text,
    pub value: Option<String>,
    pub label: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    pub scores: Vec<ScoreRecord>,
    pub outcomes: Vec<OutcomeRecord>,
    pub missing_required: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalRecord {
    pub sequence: u64,
    pub finalized_at: String,
    pub device_id: String,
    pub device_name: String,
    pub summary: Summary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitRecord {
    pub id: String,
    pub label: String,
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
}

// Migration to the current structs. Each change of the record format adds
// what the new fields are for a version-1 record here.

impl From<PersonRecord> for now::PersonRecord {
    fn from(p: PersonRecord) -> Self {
        match p {
            PersonRecord::Visit => now::PersonRecord::Visit,
            PersonRecord::Child(i) => now::PersonRecord::Child(i),
            PersonRecord::Caregiver(i) => now::PersonRecord::Caregiver(i),
        }
    }
}

impl From<AnswerValue> for now::AnswerValue {
    fn from(v: AnswerValue) -> Self {
        match v {
            AnswerValue::Choice(s) => now::AnswerValue::Choice(s),
            AnswerValue::Multi(s) => now::AnswerValue::Multi(s),
            AnswerValue::Number(n) => now::AnswerValue::Number(n),
            AnswerValue::Text(t) => now::AnswerValue::Text(t),
            AnswerValue::Date(d) => now::AnswerValue::Date(d),
        }
    }
}

impl From<AnswerRecord> for now::AnswerRecord {
    fn from(a: AnswerRecord) -> Self {
        now::AnswerRecord {
            item: a.item,
            value: a.value.into(),
        }
    }
}

fn all<A, B: From<A>>(v: Vec<A>) -> Vec<B> {
    v.into_iter().map(B::from).collect()
}

impl From<SheetRecord> for now::SheetRecord {
    fn from(s: SheetRecord) -> Self {
        now::SheetRecord {
            checklist: now::ChecklistStamp {
                id: s.checklist.id,
                version: s.checklist.version,
                hash: s.checklist.hash,
            },
            person: s.person.into(),
            answers: all(s.answers),
            entries: s
                .entries
                .into_iter()
                .map(|e| now::EntryRecord {
                    section: e.section,
                    answers: all(e.answers),
                })
                .collect(),
        }
    }
}

impl From<FlagRecord> for now::FlagRecord {
    fn from(f: FlagRecord) -> Self {
        now::FlagRecord {
            checklist: f.checklist,
            person: f.person.into(),
            flag: f.flag,
            item: f.item,
            entry: f.entry,
            level: f.level,
            message: f.message,
            advice: f.advice,
            raised_at: f.raised_at,
            acknowledged_at: f.acknowledged_at,
            action_taken: f.action_taken,
            // Version 1 knew no lapsing or withdrawing: every flag was active.
            state: "active".to_string(),
            state_at: None,
            withdrawn_reason: SecretText::default(),
        }
    }
}

impl From<ScoreRecord> for now::ScoreRecord {
    fn from(s: ScoreRecord) -> Self {
        now::ScoreRecord {
            checklist: s.checklist,
            person: s.person.into(),
            score: s.score,
            title: s.title,
            value: s.value,
            band: s.band,
            band_label: s.band_label,
            answered: s.answered,
            visible: s.visible,
        }
    }
}

impl From<OutcomeRecord> for now::OutcomeRecord {
    fn from(o: OutcomeRecord) -> Self {
        now::OutcomeRecord {
            checklist: o.checklist,
            person: o.person.into(),
            outcome: o.outcome,
            title: o.title,
            value: o.value,
            label: o.label,
        }
    }
}

impl From<VisitRecord> for now::VisitRecord {
    fn from(r: VisitRecord) -> Self {
        now::VisitRecord {
            id: r.id,
            label: r.label,
            date: r.date,
            place: r.place,
            present: r.present,
            children: r
                .children
                .into_iter()
                .map(|c| now::ChildRecord {
                    id: c.id,
                    alias: c.alias,
                    age: c.age,
                })
                .collect(),
            caregivers: r
                .caregivers
                .into_iter()
                .map(|c| now::CaregiverRecord {
                    id: c.id,
                    alias: c.alias,
                    role: c.role,
                })
                .collect(),
            sheets: all(r.sheets),
            flags: all(r.flags),
            cursor: r.cursor.map(|c| now::CursorRecord {
                checklist: c.checklist,
                person: c.person.into(),
                item: c.item,
                entry: c.entry,
            }),
            created_at: r.created_at,
            updated_at: r.updated_at,
            orphans: r
                .orphans
                .into_iter()
                .map(|o| now::OrphanRecord {
                    checklist: o.checklist,
                    person: o.person.into(),
                    item: o.item,
                    value: o.value.into(),
                })
                .collect(),
            finalized: r.finalized.map(|f| now::FinalRecord {
                sequence: f.sequence,
                finalized_at: f.finalized_at,
                device_id: f.device_id,
                device_name: f.device_name,
                summary: now::Summary {
                    scores: all(f.summary.scores),
                    outcomes: all(f.summary.outcomes),
                    missing_required: f.summary.missing_required,
                },
            }),
            // Version 1 kept no typed text beside the answers.
            pending: Vec::new(),
        }
    }
}
