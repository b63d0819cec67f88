//! The index (what the home screen lists) and the stub kept beside each
//! finalized record. Both are device-encrypted envelopes (see
//! `docs/FORMATS.md`); the index is a cache that can always be rebuilt:
//! drafts from their records, finalized visits from their stubs.
//!
//! Pure: no I/O.

use serde::{Deserialize, Serialize};

use crate::case::CaseSummary;
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
    /// Active red flags of the visit (lapsed and withdrawn ones do not count).
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
            red_flags: rec.flags.iter().filter(|f| f.state == "active").count() as u32,
            acute_flags: rec
                .flags
                .iter()
                .filter(|f| f.state == "active" && f.level == "acute")
                .count() as u32,
            open_flags: rec
                .flags
                .iter()
                .filter(|f| f.state == "active" && f.acknowledged_at.is_none())
                .count() as u32,
        }
    }
}

/// The index file's payload (format version 2; version 1 is
/// [`IndexFileV1`], read and migrated by `vault::decode_index`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IndexFile {
    /// Sorted by id, one entry per visit.
    pub entries: Vec<IndexEntry>,
    /// The modification time of `final/` (seconds and nanoseconds since
    /// the Unix epoch) when the index was written. While the folder's time
    /// is unchanged, unlocking need not list it to know the index is
    /// complete.
    pub final_dir_mtime: Option<(i64, u32)>,
    /// What arrived at the office (from receipts): counts only, no label.
    pub arrived: Arrived,
    /// Sequence numbers whose files in `final/` are still to be deleted:
    /// a receipt was applied (their entries are gone and counted in
    /// `arrived`) and the deletions had not all been done when the index
    /// was written. Unlocking deletes them. Normally empty.
    pub removing: Vec<u64>,
    /// The open cases as the home screen lists them, sorted by case id
    /// (format version 3). `None`: not known (an index of version 1 or 2);
    /// unlocking then reads the cards once and writes them here.
    pub cases: Option<Vec<CaseSummary>>,
}

/// The index file's payload in format version 2 (frozen).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IndexFileV2 {
    pub entries: Vec<IndexEntry>,
    pub final_dir_mtime: Option<(i64, u32)>,
    pub arrived: Arrived,
    pub removing: Vec<u64>,
}

impl From<IndexFileV2> for IndexFile {
    fn from(v2: IndexFileV2) -> IndexFile {
        IndexFile {
            entries: v2.entries,
            final_dir_mtime: v2.final_dir_mtime,
            arrived: v2.arrived,
            removing: v2.removing,
            cases: None,
        }
    }
}

/// What the office confirmed with receipts: counts only. The visits
/// themselves (records, stubs, labels) are deleted from the laptop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Arrived {
    /// Visits deleted from this laptop because a receipt said they arrived.
    pub visits: u64,
    /// The highest receipt number applied (0: none yet).
    pub last_receipt: u64,
    /// The highest sequence number that arrived (0: none). Unlocking never
    /// gives out a number at or below it, even when `final/` is empty and
    /// the `sequence` file is lost.
    pub highest_sequence: u64,
}

/// The index file's payload in format version 1 (frozen).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IndexFileV1 {
    pub entries: Vec<IndexEntry>,
    pub final_dir_mtime: Option<(i64, u32)>,
}

impl From<IndexFileV1> for IndexFile {
    fn from(v1: IndexFileV1) -> IndexFile {
        IndexFile {
            entries: v1.entries,
            final_dir_mtime: v1.final_dir_mtime,
            arrived: Arrived::default(),
            removing: Vec::new(),
            cases: None,
        }
    }
}

/// The index in memory: entries sorted by id, so that it is written
/// without sorting and read without building a hash table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Index {
    entries: Vec<IndexEntry>,
}

impl Index {
    /// From entries in any order; later duplicates of an id are dropped.
    pub fn from_entries(mut entries: Vec<IndexEntry>) -> Index {
        if !entries.windows(2).all(|w| w[0].id < w[1].id) {
            entries.sort_by(|a, b| a.id.cmp(&b.id));
            entries.dedup_by(|later, earlier| later.id == earlier.id);
        }
        Index { entries }
    }

    pub fn entries(&self) -> &[IndexEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn find(&self, id: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|e| e.id.as_str().cmp(id))
    }

    pub fn get(&self, id: &str) -> Option<&IndexEntry> {
        self.find(id).ok().map(|i| &self.entries[i])
    }

    /// Insert or replace; returns the entry it replaced.
    pub fn insert(&mut self, entry: IndexEntry) -> Option<IndexEntry> {
        match self.find(&entry.id) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i], entry)),
            Err(i) => {
                self.entries.insert(i, entry);
                None
            }
        }
    }

    pub fn remove(&mut self, id: &str) -> Option<IndexEntry> {
        self.find(id).ok().map(|i| self.entries.remove(i))
    }
}

/// The stub beside a finalized record (format version 1): everything the
/// device needs about a visit it can no longer decrypt.
/// [`IndexFile`] borrowed, for writing without a copy.
#[derive(Serialize)]
pub struct IndexFileRef<'a> {
    pub entries: &'a [IndexEntry],
    pub final_dir_mtime: Option<(i64, u32)>,
    pub arrived: Arrived,
    pub removing: &'a [u64],
    pub cases: Option<Vec<&'a CaseSummary>>,
}

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
    /// The visit's case (stub version 2; a version-1 stub reads as the
    /// visit's own id).
    pub case_id: String,
    /// The visit it follows (stub version 2).
    pub follows: Option<String>,
}

/// The stub's payload in format version 1 (frozen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StubV1 {
    pub entry: IndexEntry,
    pub checklists: Vec<ChecklistStamp>,
    pub record_sha256: [u8; 32],
    pub record_size: u64,
}

impl From<StubV1> for Stub {
    fn from(v1: StubV1) -> Stub {
        Stub {
            case_id: v1.entry.id.clone(),
            entry: v1.entry,
            checklists: v1.checklists,
            record_sha256: v1.record_sha256,
            record_size: v1.record_size,
            follows: None,
        }
    }
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
            case_id: rec.case_id.clone(),
            follows: rec.follow_up.as_ref().map(|f| f.follows.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> IndexEntry {
        IndexEntry {
            id: id.into(),
            label: String::new(),
            date: String::new(),
            created_at: String::new(),
            status: Status::Draft,
            sequence: None,
            finalized_at: None,
            red_flags: 0,
            acute_flags: 0,
            open_flags: 0,
        }
    }

    #[test]
    fn the_index_stays_sorted_and_unique() {
        let mut ix = Index::from_entries(vec![entry("c"), entry("a"), entry("c")]);
        assert_eq!(ix.len(), 2);
        assert!(ix.insert(entry("b")).is_none());
        assert!(ix.insert(entry("a")).is_some());
        let ids: Vec<&str> = ix.entries().iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert!(ix.remove("b").is_some() && ix.get("b").is_none() && ix.get("c").is_some());
    }

    #[test]
    fn the_borrowed_form_encodes_like_the_owned_one() {
        let cfg = crate::store::envelope::index_config();
        let owned = IndexFile {
            entries: vec![entry("a")],
            final_dir_mtime: Some((1, 2)),
            arrived: Arrived {
                visits: 3,
                last_receipt: 2,
                highest_sequence: 7,
            },
            removing: vec![7],
            cases: Some(vec![crate::case::CaseSummary {
                case_id: "appelboom-1".into(),
                label: "Appelboom".into(),
                evaluation_date: Some("2026-12-01".into()),
                next_contact: None,
                agreement_dates: vec!["2026-11-09".into()],
                active_flags: 1,
                acute_flags: 0,
                last_visit_date: "2026-11-02".into(),
                updated_at: "2026-11-02T11:00:00".into(),
            }]),
        };
        let borrowed = IndexFileRef {
            entries: &owned.entries,
            final_dir_mtime: owned.final_dir_mtime,
            arrived: owned.arrived,
            removing: &owned.removing,
            cases: owned.cases.as_ref().map(|c| c.iter().collect()),
        };
        assert_eq!(
            bincode::serde::encode_to_vec(&owned, cfg).unwrap(),
            bincode::serde::encode_to_vec(&borrowed, cfg).unwrap()
        );
    }
}
