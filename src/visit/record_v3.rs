//! Version 3 of the visit record, frozen (see `record_v1` for why). Only the
//! structs that changed in version 4 are copied here; the others are the
//! current ones (through `record_v4`), re-exported. When a later version changes one of those,
//! freeze its version-3 shape here first.
//!
//! Version 4 added: `EntryRecord::previous` (entries made from the case's
//! previous visit), and `VisitRecord::case_id`, `follow_up` and
//! `read_back_at`.
//!
//! Pure: no I/O.

use serde::{Deserialize, Serialize};

use crate::visit::SecretText;
use crate::visit::record_v4 as now;

pub use now::{
    AnswerRecord, AnswerValue, CaregiverRecord, ChecklistStamp, ChildRecord, CursorRecord,
    FinalRecord, FlagRecord, OrphanRecord, OutcomeRecord, PendingRecord, PersonRecord,
    RemovedRecord, ScoreRecord, Summary,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryRecord {
    pub section: String,
    pub answers: Vec<AnswerRecord>,
    pub person: Option<PersonRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetRecord {
    pub checklist: ChecklistStamp,
    pub person: PersonRecord,
    pub answers: Vec<AnswerRecord>,
    pub entries: Vec<EntryRecord>,
    pub status: String,
    pub status_reason: SecretText,
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
    pub removed: Vec<RemovedRecord>,
}

// Migration to the current structs: what the version-4 fields are for a
// version-3 record.

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
                    person: e.person,
                    // Version 3 knew no follow-up visits.
                    previous: None,
                })
                .collect(),
            status: s.status,
            status_reason: s.status_reason,
        }
    }
}

impl From<VisitRecord> for now::VisitRecord {
    fn from(r: VisitRecord) -> Self {
        now::VisitRecord {
            // A visit from before cases is a case of its own, named after it.
            case_id: r.id.clone(),
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
            removed: r.removed,
            follow_up: None,
            read_back_at: None,
            case_keeps: Vec::new(),
        }
    }
}
