//! The index (what the home screen lists) and the stub kept beside each
//! finalized record. Both are device-encrypted envelopes (see
//! `docs/FORMATS.md`); the index is a cache that can always be rebuilt:
//! drafts from their records, finalized visits from their stubs.
//!
//! Pure: no I/O.

use serde::{Deserialize, Serialize};

use crate::visit::record::{ChecklistStamp, VisitRecord};

/// Where a visit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    /// Being worked on; encrypted to the device, can be resumed.
    Draft,
    /// Finished and encrypted to the organisation only; not yet exported.
    Finalized,
    /// Finalized and written to a bundle for the office.
    Exported,
}

/// One visit as the home screen lists it. Holds no answer; the label is
/// chosen by the worker and may name a family, so it is encrypted too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub id: String,
    pub label: String,
    /// `YYYY-MM-DD`
    pub date: String,
    /// `YYYY-MM-DDTHH:MM:SS`
    pub created_at: String,
    pub status: Status,
    /// The device's sequence number (finalized visits only).
    pub sequence: Option<u64>,
    /// `YYYY-MM-DDTHH:MM:SS` (finalized visits only).
    pub finalized_at: Option<String>,
    /// Red flags raised during the visit.
    pub red_flags: u32,
    /// Of those, acute.
    pub acute_flags: u32,
    /// Of those, not yet acknowledged by the worker.
    pub open_flags: u32,
}

impl IndexEntry {
    /// The entry for `rec` (a draft, or a finalized record).
    pub fn of(rec: &VisitRecord) -> IndexEntry {
        IndexEntry {
            id: rec.id.clone(),
            label: rec.label.clone(),
            date: rec.date.clone(),
            created_at: rec.created_at.clone(),
            status: if rec.finalized.is_some() {
                Status::Finalized
            } else {
                Status::Draft
            },
            sequence: rec.finalized.as_ref().map(|f| f.sequence),
            finalized_at: rec.finalized.as_ref().map(|f| f.finalized_at.clone()),
            red_flags: rec.flags.len() as u32,
            acute_flags: rec.flags.iter().filter(|f| f.level == "acute").count() as u32,
            open_flags: rec.flags.iter().filter(|f| f.acknowledged_at.is_none()).count() as u32,
        }
    }
}

/// The index file's payload (format version 1).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IndexFile {
    pub entries: Vec<IndexEntry>,
}

/// The stub beside a finalized record (format version 1): everything the
/// device needs about a visit it can no longer decrypt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stub {
    /// The index entry (status `Finalized` or `Exported`).
    pub entry: IndexEntry,
    /// The checklists the visit used, for the export manifest.
    pub checklists: Vec<ChecklistStamp>,
    /// SHA-256 of the finalized record file, as written.
    pub record_sha256: [u8; 32],
    /// Size of the finalized record file in bytes.
    pub record_size: u64,
}

impl Stub {
    pub fn of(rec: &VisitRecord, record_sha256: [u8; 32], record_size: u64) -> Stub {
        let mut checklists: Vec<ChecklistStamp> = Vec::new();
        for s in &rec.sheets {
            if !checklists.contains(&s.checklist) {
                checklists.push(s.checklist.clone());
            }
        }
        Stub {
            entry: IndexEntry::of(rec),
            checklists,
            record_sha256,
            record_size,
        }
    }
}
