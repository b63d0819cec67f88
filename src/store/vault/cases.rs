//! Case cards in the vault: `cases/CASE.case.age`, one per open case,
//! encrypted to the device; and `cases/closed.age`, the cases closed on
//! this laptop (ids, dates and reason keys only), until the office has
//! them.
//!
//! A card is written by finalize (after the record it is made from, see
//! `finish_finalize`), read at unlock, and deleted when the case is closed
//! (by the worker, or by the office through a receipt). A card that does
//! not open is quarantined; the other cases still open.

use std::io;

use serde::{Deserialize, Serialize};

use super::{Unlocked, Vault, read_err, read_limited};
use crate::case::{self, CaseCard};
use crate::store::atomic::{remove_durable, write_atomic};
use crate::store::envelope::{
    CASE, CLOSED, EnvelopeError, MAX_RECORD_BYTES, decode_payload, decrypt, encode, encrypt,
    record_config, split,
};
use crate::store::error::{QuarantineReason, StoreError};
use crate::store::layout;
use crate::visit::record::{VisitRecord, parse_stamp};

/// A case closed on this laptop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedCase {
    pub case_id: String,
    /// `YYYY-MM-DDTHH:MM:SS`
    pub closed_at: String,
    /// A key of `case::CLOSE_REASONS`, or `office` (closed by a receipt).
    pub reason: String,
    /// Written into a bundle for the office.
    pub exported: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
struct ClosedFile {
    closed: Vec<ClosedCase>,
}

/// Decode the plaintext of a case card envelope (every known version).
pub fn decode_card(plaintext: &[u8]) -> Result<CaseCard, EnvelopeError> {
    let (version, payload) = split(CASE, plaintext)?;
    match version {
        1 => decode_payload(CASE, payload, record_config()),
        found => Err(EnvelopeError::UnsupportedVersion {
            kind: CASE.name,
            found,
            newest: CASE.version,
        }),
    }
}

fn decode_closed(plaintext: &[u8]) -> Result<ClosedFile, EnvelopeError> {
    let (version, payload) = split(CLOSED, plaintext)?;
    match version {
        1 => decode_payload(CLOSED, payload, record_config()),
        found => Err(EnvelopeError::UnsupportedVersion {
            kind: CLOSED.name,
            found,
            newest: CLOSED.version,
        }),
    }
}

impl Vault {
    fn card_path(&self, id: &str) -> std::path::PathBuf {
        self.dir.join(layout::CASES).join(layout::case_name(id))
    }

    /// Read `cases/` at unlock: the closed list, then every card. A card
    /// closed after it was last written is deleted (a close that was
    /// interrupted); a card that does not open is quarantined.
    pub(super) fn load_cases(&mut self, u: &mut Unlocked) -> Result<(), StoreError> {
        let dir = self.dir.join(layout::CASES);
        let closed_rel = format!("{}/{}", layout::CASES, layout::CLOSED_CASES);
        let closed_path = self.dir.join(&closed_rel);
        if closed_path.exists() {
            match self.open_file(u, &closed_rel, decode_closed)? {
                Ok(f) => u.closed = f.closed,
                Err(reason) => {
                    self.quarantine(&closed_rel, None, reason)?;
                }
            }
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(read_err(&dir)(e)),
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        for name in names {
            if crate::store::atomic::is_temp_name(&name) {
                remove_durable(&*self.fs, &dir.join(&name))?;
                continue;
            }
            let Some(id) = layout::parse_case_name(&name) else {
                continue;
            };
            let rel = format!("{}/{name}", layout::CASES);
            match self.open_file(u, &rel, decode_card)? {
                Ok(card) if card.case_id == id => {
                    let closed_later = u.closed.iter().any(|c| {
                        c.case_id == id && c.closed_at.as_str() >= card.updated_at.as_str()
                    });
                    if closed_later {
                        remove_durable(&*self.fs, &dir.join(&name))?;
                    } else {
                        u.cases.insert(id, card);
                    }
                }
                Ok(_) => {
                    self.quarantine(&rel, None, QuarantineReason::WrongVisit)?;
                }
                Err(reason) => {
                    self.quarantine(&rel, None, reason)?;
                }
            }
        }
        Ok(())
    }

    fn open_file<T>(
        &self,
        u: &Unlocked,
        rel: &str,
        decode: impl Fn(&[u8]) -> Result<T, EnvelopeError>,
    ) -> Result<Result<T, QuarantineReason>, StoreError> {
        let path = self.dir.join(rel);
        let limit = MAX_RECORD_BYTES + MAX_RECORD_BYTES / 4096 + 4096;
        let bytes = match read_limited(&path, limit).map_err(read_err(&path))? {
            Ok(b) => b,
            Err(e) => return Ok(Err(QuarantineReason::Unreadable(e))),
        };
        let value = decrypt(&bytes, &[&u.identity], MAX_RECORD_BYTES).and_then(|p| decode(&p));
        Ok(value.map_err(QuarantineReason::Unreadable))
    }

    fn write_card(&self, u: &Unlocked, card: &CaseCard) -> Result<(), StoreError> {
        let plain = encode(CASE, card, record_config()).map_err(super::envelope_err)?;
        let ct = encrypt(&plain, &[&u.device]).map_err(StoreError::Envelope)?;
        write_atomic(&*self.fs, &self.card_path(&card.case_id), &ct)?;
        Ok(())
    }

    fn write_closed(&self, u: &Unlocked) -> Result<(), StoreError> {
        let file = ClosedFile {
            closed: u.closed.clone(),
        };
        let plain = encode(CLOSED, &file, record_config()).map_err(super::envelope_err)?;
        let ct = encrypt(&plain, &[&u.device]).map_err(StoreError::Envelope)?;
        write_atomic(
            &*self.fs,
            &self.dir.join(layout::CASES).join(layout::CLOSED_CASES),
            &ct,
        )?;
        Ok(())
    }

    /// Make or update the card of `rec`'s case (a finalized record). Done
    /// once per visit: a card already made from this visit is left alone.
    pub(super) fn write_card_for(
        &self,
        u: &mut Unlocked,
        rec: &VisitRecord,
    ) -> Result<(), StoreError> {
        if !layout::valid_id(&rec.case_id) {
            return Ok(());
        }
        let prior = u.cases.get(&rec.case_id);
        if prior.is_some_and(|c| c.last_visit == rec.id) {
            return Ok(());
        }
        // An older visit finalized after a newer one of the same case does
        // not replace the newer card.
        if prior.is_some_and(|c| c.last_visit_date.as_str() > rec.date.as_str()) {
            return Ok(());
        }
        let card = CaseCard::from_record(rec, prior);
        self.write_card(u, &card)?;
        u.cases.insert(card.case_id.clone(), card);
        Ok(())
    }

    /// The open cases (unlocked vault), by case id.
    pub fn cases(&self) -> Result<Vec<&CaseCard>, StoreError> {
        Ok(self.unlocked()?.cases.values().collect())
    }

    /// One open case.
    pub fn case(&self, id: &str) -> Result<Option<&CaseCard>, StoreError> {
        Ok(self.unlocked()?.cases.get(id))
    }

    /// How many days a case may stay untouched before it is flagged for
    /// closing.
    pub fn case_retention_days(&self) -> u32 {
        self.config
            .case_retention_days
            .unwrap_or(case::DEFAULT_RETENTION_DAYS)
    }

    /// Close a case: note it in the closed list (for the office), then
    /// delete its card. `reason` is a key of `case::CLOSE_REASONS` (or
    /// `office`, `bewaartermijn`). Killed between the two steps, the next
    /// unlock deletes the card.
    pub fn close_case(&mut self, id: &str, reason: &str, now: &str) -> Result<(), StoreError> {
        if parse_stamp(now).is_none() {
            return Err(StoreError::InvalidTimestamp {
                value: now.to_string(),
            });
        }
        if !case::valid_close_reason(reason) {
            return Err(StoreError::InvalidCloseReason {
                reason: reason.to_string(),
            });
        }
        let mut u = self.unlocked.take().ok_or(StoreError::Locked)?;
        let r = self.close_case_with(&mut u, id, reason, now, false);
        self.unlocked = Some(u);
        r
    }

    /// Close a case in `u`. `exported`: the office knows already (it closed
    /// the case itself), so the closure is not sent back.
    pub(super) fn close_case_with(
        &self,
        u: &mut Unlocked,
        id: &str,
        reason: &str,
        now: &str,
        exported: bool,
    ) -> Result<(), StoreError> {
        if !u.cases.contains_key(id) {
            return Err(StoreError::NoSuchCase { id: id.to_string() });
        }
        u.closed.retain(|c| c.case_id != id);
        u.closed.push(ClosedCase {
            case_id: id.to_string(),
            closed_at: now.to_string(),
            reason: reason.to_string(),
            exported,
        });
        if let Err(e) = self.write_closed(u) {
            u.closed.retain(|c| c.case_id != id || c.closed_at != now);
            return Err(e);
        }
        remove_durable(&*self.fs, &self.card_path(id))?;
        u.cases.remove(id);
        Ok(())
    }

    /// Cases closed on this laptop; `unexported` only those not yet
    /// written into a bundle.
    pub fn closed_cases(&self, unexported: bool) -> Result<Vec<ClosedCase>, StoreError> {
        Ok(self
            .unlocked()?
            .closed
            .iter()
            .filter(|c| !unexported || !c.exported)
            .cloned()
            .collect())
    }

    /// Mark closed cases as written into a bundle.
    pub fn mark_closures_exported(&mut self, ids: &[String]) -> Result<(), StoreError> {
        let mut u = self.unlocked.take().ok_or(StoreError::Locked)?;
        let before = u.closed.clone();
        for c in &mut u.closed {
            if ids.contains(&c.case_id) {
                c.exported = true;
            }
        }
        let r = if before == u.closed {
            Ok(())
        } else {
            self.write_closed(&u)
        };
        if r.is_err() {
            u.closed = before;
        }
        self.unlocked = Some(u);
        r
    }

    /// A case card handed over by the office (already opened and checked
    /// by the caller). Replaces a card of the same case only when it is
    /// newer.
    pub fn import_case_card(&mut self, card: CaseCard) -> Result<bool, StoreError> {
        if !layout::valid_id(&card.case_id) {
            return Err(StoreError::InvalidVisitId { id: card.case_id });
        }
        let mut u = self.unlocked.take().ok_or(StoreError::Locked)?;
        let newer = u
            .cases
            .get(&card.case_id)
            .is_none_or(|c| c.updated_at < card.updated_at);
        let r = if newer {
            self.write_card(&u, &card).map(|()| {
                u.cases.insert(card.case_id.clone(), card);
                true
            })
        } else {
            Ok(false)
        };
        self.unlocked = Some(u);
        r
    }
}
