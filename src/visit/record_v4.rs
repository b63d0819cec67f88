//! Version 4 of the visit record, frozen (see `record_v1` for why). Only the
//! structs that changed in version 5 are copied here; the others are the
//! current ones, re-exported. When a later version changes one of those,
//! freeze its version-4 shape here first.
//!
//! Version 5 added: `SheetRecord::earlier` (which answers were given under
//! which earlier version of the checklist).
//!
//! Pure: no I/O.

use serde::{Deserialize, Serialize};

use crate::visit::SecretText;
use crate::visit::record as now;

pub use now::{
    AnswerRecord, AnswerValue, CaregiverRecord, ChecklistStamp, ChildRecord, CursorRecord,
    EntryRecord, FinalRecord, FlagRecord, FollowUpRecord, KeptItem, OrphanRecord, OutcomeRecord,
    PendingRecord, PersonRecord, RemovedRecord, ScoreRecord, Summary,
};

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
    pub case_id: String,
    pub follow_up: Option<FollowUpRecord>,
    pub read_back_at: Option<String>,
    pub case_keeps: Vec<KeptItem>,
}

// Migration to the current structs: what the version-5 fields are for a
// version-4 record.

impl From<SheetRecord> for now::SheetRecord {
    fn from(s: SheetRecord) -> Self {
        now::SheetRecord {
            checklist: s.checklist,
            person: s.person,
            answers: s.answers,
            entries: s.entries,
            status: s.status,
            status_reason: s.status_reason,
            // Version 4 stamped the whole sheet with one version: every
            // answer counts as given under it.
            earlier: Vec::new(),
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
            removed: r.removed,
            case_id: r.case_id,
            follow_up: r.follow_up,
            read_back_at: r.read_back_at,
            case_keeps: r.case_keeps,
        }
    }
}
