//! Version 2 of the visit record, frozen (see `record_v1` for why). Only the
//! structs that changed in version 3 are copied here; the others are the
//! current ones, re-exported. When a later version changes one of those,
//! freeze its version-2 shape here first.
//!
//! Version 3 added: `EntryRecord::person`, `SheetRecord::status` and
//! `status_reason`, and `VisitRecord::removed`.
//!
//! Pure: no I/O.

use serde::{Deserialize, Serialize};

use crate::visit::SecretText;
use crate::visit::record_v3 as now;

pub use crate::visit::record::{
    AnswerRecord, AnswerValue, CaregiverRecord, ChecklistStamp, ChildRecord, CursorRecord,
    FinalRecord, FlagRecord, OrphanRecord, OutcomeRecord, PendingRecord, PersonRecord, ScoreRecord,
    Summary,
};

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
    pub pending: Vec<PendingRecord>,
}

// Migration to the current structs: what the version-3 fields are for a
// version-2 record.

impl From<SheetRecord> for now::SheetRecord {
    fn from(s: SheetRecord) -> Self {
        now::SheetRecord {
            checklist: s.checklist,
            person: s.person,
            answers: s.answers,
            entries: s
                .entries
                .into_iter()
                .map(|e| now::EntryRecord {
                    section: e.section,
                    answers: e.answers,
                    // Version 2 made no entries from the roster.
                    person: None,
                })
                .collect(),
            // Version 2 knew only sheets that were taken.
            status: crate::visit::SheetStatus::Taken.key().to_string(),
            status_reason: SecretText::default(),
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
            children: r.children,
            caregivers: r.caregivers,
            sheets: r.sheets.into_iter().map(now::SheetRecord::from).collect(),
            flags: r.flags,
            cursor: r.cursor,
            created_at: r.created_at,
            updated_at: r.updated_at,
            orphans: r.orphans,
            finalized: r.finalized,
            pending: r.pending,
            // Version 2 could not remove anyone from the roster.
            removed: Vec::new(),
        }
    }
}
