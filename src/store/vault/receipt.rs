//! Receipts applied on the laptop: the office confirms which visits
//! arrived (by id, sequence number and the SHA-256 of the record file), and
//! the laptop deletes exactly those records and their stubs, and drops
//! their labels from the index. What remains is a count (`Arrived`).
//!
//! Steps, crash-safe: (1) the index without the arrived entries, the
//! counts raised and the sequence numbers listed in `removing` — the commit
//! point; (2) remove `final/SEQ.visit.age`, then `final/SEQ.stub.age`, for
//! each, then flush `final/` once; (3) the index again, `removing` empty. Killed after (1), the next
//! unlock finishes (2) and (3) before it compares `final/` with the index;
//! killed before (1), nothing changed. Applying a receipt again finds
//! nothing left to delete and writes nothing.

use super::*;

use crate::receipt::{Receipt, ReceiptError};
use crate::signing::VerifyingKey;
use crate::store::atomic::Step;

/// What applying one receipt did. Counts only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReceiptOutcome {
    /// The receipt's number (per device, from the office).
    pub number: u64,
    /// Visits deleted from this laptop now.
    pub deleted: usize,
    /// Visits the receipt lists that are no longer on this laptop (an
    /// earlier receipt, or the same one applied again).
    pub already_gone: usize,
    /// Visits the receipt lists that do not match what this laptop holds
    /// (another hash, a draft, a number this laptop never gave out): kept.
    pub not_matching: usize,
    /// All visits that arrived so far, this receipt included.
    pub arrived_total: u64,
    /// Cases the office closed (or handed over) whose cards were deleted
    /// now (receipt format 2).
    pub cases_closed: usize,
}

/// Why a receipt was not applied. Nothing was changed, except for a
/// [`ReceiptApplyError::Store`] failure after the commit point, which the
/// next unlock completes (its message says what happened).
#[derive(Debug)]
pub enum ReceiptApplyError {
    /// The receipt did not open or verify.
    Open(ReceiptError),
    /// The receipt is for another laptop.
    OtherDevice { receipt: String, this: String },
    /// Reading or writing the data directory failed.
    Store(StoreError),
}

impl From<StoreError> for ReceiptApplyError {
    fn from(e: StoreError) -> Self {
        ReceiptApplyError::Store(e)
    }
}

impl From<ReceiptError> for ReceiptApplyError {
    fn from(e: ReceiptError) -> Self {
        ReceiptApplyError::Open(e)
    }
}

impl ReceiptApplyError {
    /// What is wrong and what to do, in Dutch or English.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (ReceiptApplyError::Open(e), _) => e.describe(lang),
            (ReceiptApplyError::OtherDevice { receipt, this }, Lang::Nl) => format!(
                "dit ontvangstbewijs is voor laptop {receipt}, niet voor deze laptop ({this}). Er is niets veranderd."
            ),
            (ReceiptApplyError::OtherDevice { receipt, this }, Lang::En) => format!(
                "this receipt is for laptop {receipt}, not for this laptop ({this}). Nothing was changed."
            ),
            (ReceiptApplyError::Store(e), _) => e.describe(lang),
        }
    }
}

/// What the vault holds for one visit a receipt lists.
enum Verdict {
    Delete,
    Gone,
    NoMatch,
}

impl Vault {
    /// Decrypt a receipt file with this laptop's identity and verify the
    /// organisation's signature against `org` (the pinned organisation
    /// key). Changes nothing.
    pub fn open_receipt(
        &self,
        bytes: &[u8],
        org: &VerifyingKey,
    ) -> Result<Receipt, ReceiptApplyError> {
        let u = self.unlocked()?;
        Ok(crate::receipt::open(bytes, &u.identity, org)?)
    }

    /// [`Vault::open_receipt`], then [`Vault::apply_receipt`].
    pub fn apply_receipt_file(
        &mut self,
        bytes: &[u8],
        org: &VerifyingKey,
    ) -> Result<ReceiptOutcome, ReceiptApplyError> {
        let receipt = self.open_receipt(bytes, org)?;
        self.apply_receipt(&receipt)
    }

    /// What receipts confirmed so far (counts only).
    pub fn arrived(&self) -> Result<Arrived, StoreError> {
        Ok(self.unlocked()?.arrived)
    }

    /// Apply a checked receipt (from [`crate::receipt::open`]): delete
    /// every finalized visit it lists whose id, sequence number and record
    /// hash all match, and drop it from the index; leave everything else
    /// alone and count it. A receipt for another device changes nothing.
    pub fn apply_receipt(
        &mut self,
        receipt: &Receipt,
    ) -> Result<ReceiptOutcome, ReceiptApplyError> {
        if receipt.device_id != self.config.device_id {
            return Err(ReceiptApplyError::OtherDevice {
                receipt: receipt.device_id.clone(),
                this: self.config.device_id.clone(),
            });
        }
        let u = self.unlocked()?;
        let final_dir = self.dir.join(layout::FINAL);
        let mut outcome = ReceiptOutcome {
            number: receipt.number,
            ..ReceiptOutcome::default()
        };
        let mut delete: Vec<(String, u64)> = Vec::new();
        for v in &receipt.visits {
            let verdict = match u.index.get(&v.id) {
                Some(e) if e.status != Status::Draft && e.sequence == Some(v.sequence) => {
                    let path = final_dir.join(layout::visit_name(v.sequence));
                    match read_limited(&path, ciphertext_limit(MAX_RECORD_BYTES)) {
                        Ok(Ok(bytes)) if hex(&Sha256::digest(&bytes)) == v.sha256 => {
                            Verdict::Delete
                        }
                        Ok(_) => Verdict::NoMatch,
                        // Listed but its record is gone: the next unlock
                        // reports it; nothing to delete here.
                        Err(e) if e.kind() == io::ErrorKind::NotFound => Verdict::NoMatch,
                        Err(e) => return Err(read_err(&path)(e).into()),
                    }
                }
                Some(_) => Verdict::NoMatch,
                None => {
                    // Not listed: gone, if this laptop gave out the number
                    // and nothing of it is in final/.
                    let issued = v.sequence < u.next_sequence;
                    let on_disk = final_dir.join(layout::visit_name(v.sequence)).exists()
                        || final_dir.join(layout::stub_name(v.sequence)).exists();
                    if issued && !on_disk {
                        Verdict::Gone
                    } else {
                        Verdict::NoMatch
                    }
                }
            };
            match verdict {
                Verdict::Delete => delete.push((v.id.clone(), v.sequence)),
                Verdict::Gone => outcome.already_gone += 1,
                Verdict::NoMatch => outcome.not_matching += 1,
            }
        }
        outcome.deleted = delete.len();
        let mut u = self.unlocked.take().ok_or(StoreError::Locked)?;
        // Cases the office closed go first: their cards, unless this laptop
        // finalized a visit of the case after the office wrote the receipt
        // (the office did not know that visit yet). Before the receipt's
        // commit point, so a failure here leaves the receipt to be applied
        // again in whole.
        let mut r = Ok(());
        for id in &receipt.closed_cases {
            let open_before = u
                .cases
                .get(id)
                .is_some_and(|c| c.updated_at.as_str() <= receipt.created_at.as_str());
            if open_before {
                r = self.close_case_with(&mut u, id, "office", &receipt.created_at, true);
                if r.is_err() {
                    break;
                }
                outcome.cases_closed += 1;
            }
        }
        let r = r.and_then(|()| self.commit_receipt(&mut u, receipt.number, &delete));
        outcome.arrived_total = u.arrived.visits;
        self.unlocked = Some(u);
        r?;
        Ok(outcome)
    }

    fn commit_receipt(
        &self,
        u: &mut Unlocked,
        number: u64,
        delete: &[(String, u64)],
    ) -> Result<(), StoreError> {
        if delete.is_empty() && number <= u.arrived.last_receipt {
            return Ok(());
        }
        // (1) The commit point: entries out, counts up, files listed.
        let before = (u.index.clone(), u.arrived, u.removing.clone());
        for (id, seq) in delete {
            u.index.remove(id);
            u.removing.push(*seq);
            u.arrived.highest_sequence = u.arrived.highest_sequence.max(*seq);
        }
        u.arrived.visits += delete.len() as u64;
        u.arrived.last_receipt = u.arrived.last_receipt.max(number);
        if let Err(e) = self.write_index_for(u, &u.index) {
            // Not written: as if the receipt had not been applied.
            (u.index, u.arrived, u.removing) = before;
            return Err(e);
        }
        // (2) and (3).
        if !u.removing.is_empty() {
            self.finish_removing(u)?;
            self.write_index_for(u, &u.index)?;
        }
        Ok(())
    }

    /// Delete the files of the arrived visits listed in `u.removing`
    /// (record first, then stub; a file already gone is fine), flush
    /// `final/` once, then empty the list. The caller writes the index: the
    /// removals are durable before the index stops listing them.
    pub(super) fn finish_removing(&self, u: &mut Unlocked) -> Result<(), StoreError> {
        let final_dir = self.dir.join(layout::FINAL);
        let failed = |step: Step, path: &Path, source: io::Error| StoreError::Write {
            step,
            path: path.to_path_buf(),
            source,
        };
        for &seq in &u.removing {
            for name in [layout::visit_name(seq), layout::stub_name(seq)] {
                let path = final_dir.join(name);
                match self.fs.remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(failed(Step::Remove, &path, e)),
                }
            }
        }
        // One flush for every removal (one per file took 0.6 ms each).
        self.fs
            .sync_dir(&final_dir)
            .map_err(|e| failed(Step::SyncDir, &final_dir, e))?;
        u.removing.clear();
        Ok(())
    }
}
