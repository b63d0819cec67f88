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
use crate::case::{self, CaseCard, CaseSummary};
use crate::store::atomic::{remove_durable, write_atomic};
use crate::store::envelope::{
    CASE, CLOSED, EnvelopeError, MAX_RECORD_BYTES, decode_payload, decrypt, encode, encrypt,
    record_config, split,
};
use crate::store::error::{QuarantineReason, StoreError};
use crate::store::layout;
use crate::visit::record::{VisitRecord, parse_stamp};

/// Why a handover was not taken. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum HandoverImportError {
    #[error("{0}")]
    Open(#[from] crate::handover::HandoverError),
    #[error("the handover is for device {handover}, not for this laptop")]
    OtherDevice { handover: String },
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl HandoverImportError {
    pub fn describe(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::Lang;
        match (self, lang) {
            (HandoverImportError::Open(e), _) => e.describe(lang),
            (HandoverImportError::OtherDevice { handover }, Lang::Nl) => format!(
                "de overdracht is voor apparaat {handover}, niet voor deze laptop. Er is niets veranderd."
            ),
            (HandoverImportError::OtherDevice { handover }, Lang::En) => format!(
                "the handover is for device {handover}, not for this laptop. Nothing was changed."
            ),
            (HandoverImportError::Store(e), _) => e.describe(lang),
        }
    }
}

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

    /// Make the open cases agree with `cases/` at unlock. The common case
    /// lists the folder and reads no card: the index holds what the home
    /// screen lists. A card that is not in the index (an index of before
    /// cases, or one rebuilt) is read once; an entry whose card is gone is
    /// dropped; a card closed after it was last written is deleted (a close
    /// that was interrupted); a card that does not open is quarantined.
    /// Returns whether the index must be written.
    pub(super) fn load_cases(&mut self, u: &mut Unlocked) -> Result<bool, StoreError> {
        let dir = self.dir.join(layout::CASES);
        let closed_rel = format!("{}/{}", layout::CASES, layout::CLOSED_CASES);
        if self.dir.join(&closed_rel).exists() {
            match self.open_file(u, &closed_rel, decode_closed)? {
                Ok(f) => u.closed = f.closed,
                Err(reason) => {
                    self.quarantine(&closed_rel, None, reason)?;
                }
            }
        }
        let mut changed = !u.cases_known;
        let names: Vec<String> = match std::fs::read_dir(&dir) {
            Ok(d) => d
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(read_err(&dir)(e)),
        };
        let mut on_disk = std::collections::BTreeSet::new();
        for name in names {
            if crate::store::atomic::is_temp_name(&name) {
                remove_durable(&*self.fs, &dir.join(&name))?;
                continue;
            }
            if let Some(id) = layout::parse_case_name(&name) {
                on_disk.insert(id);
            }
        }
        let before = u.cases.len();
        u.cases.retain(|id, _| on_disk.contains(id));
        changed |= u.cases.len() != before;
        for id in on_disk {
            let known = u.cases.get(&id).map(|c| c.updated_at.clone());
            let updated_at = match known {
                Some(t) => t,
                None => match self.read_card(u, &id)? {
                    Some(card) => {
                        changed = true;
                        let summary = CaseSummary::of(&card);
                        let t = summary.updated_at.clone();
                        u.cases.insert(id.clone(), summary);
                        t
                    }
                    None => continue,
                },
            };
            let closed_later = u
                .closed
                .iter()
                .any(|c| c.case_id == id && c.closed_at.as_str() >= updated_at.as_str());
            if closed_later {
                remove_durable(&*self.fs, &self.card_path(&id))?;
                u.cases.remove(&id);
                changed = true;
            }
        }
        u.cases_known = true;
        Ok(changed)
    }

    /// The card of case `id` from `cases/`, or `None` when there is none.
    /// A card that does not open (or names another case) is quarantined,
    /// and its entry dropped from the open cases.
    pub(super) fn read_card(
        &mut self,
        u: &mut Unlocked,
        id: &str,
    ) -> Result<Option<CaseCard>, StoreError> {
        if !layout::valid_id(id) {
            return Ok(None);
        }
        let rel = format!("{}/{}", layout::CASES, layout::case_name(id));
        if !self.dir.join(&rel).exists() {
            return Ok(None);
        }
        let reason = match self.open_file(u, &rel, decode_card)? {
            Ok(card) if card.case_id == id => return Ok(Some(card)),
            Ok(_) => QuarantineReason::WrongVisit,
            Err(reason) => reason,
        };
        self.quarantine(&rel, None, reason)?;
        u.cases.remove(id);
        Ok(None)
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

    /// Make or update the card of `rec`'s case (a finalized record), from
    /// the card on disk (never from memory: an interrupted finalize is
    /// completed before anything else is loaded). Done once per visit: a
    /// card already made from this visit is left alone.
    pub(super) fn write_card_for(
        &mut self,
        u: &mut Unlocked,
        rec: &VisitRecord,
    ) -> Result<(), StoreError> {
        if !layout::valid_id(&rec.case_id) {
            return Ok(());
        }
        let prior = self.read_card(u, &rec.case_id)?;
        if let Some(p) = &prior {
            // Made from this visit already, or from a later one (an older
            // visit finalized after a newer one does not replace it).
            if p.last_visit == rec.id || p.last_visit_date.as_str() > rec.date.as_str() {
                u.cases.insert(p.case_id.clone(), CaseSummary::of(p));
                return Ok(());
            }
        }
        let card = CaseCard::from_record(rec, prior.as_ref());
        self.write_card(u, &card)?;
        // A case closed on this laptop and then continued is open again.
        u.cases.insert(card.case_id.clone(), CaseSummary::of(&card));
        Ok(())
    }

    /// The open cases as the home screen lists them (from the index; no
    /// card is read), by case id.
    pub fn case_summaries(&self) -> Result<Vec<&CaseSummary>, StoreError> {
        Ok(self.unlocked()?.cases.values().collect())
    }

    /// Every open case's card, by case id (reads every card: for tools and
    /// tests; the home screen uses [`Vault::case_summaries`]).
    pub fn cases(&mut self) -> Result<Vec<CaseCard>, StoreError> {
        let mut u = self.unlocked.take().ok_or(StoreError::Locked)?;
        let ids: Vec<String> = u.cases.keys().cloned().collect();
        let mut out = Vec::with_capacity(ids.len());
        let mut r = Ok(());
        for id in ids {
            match self.read_card(&mut u, &id) {
                Ok(Some(c)) => out.push(c),
                Ok(None) => {}
                Err(e) => {
                    r = Err(e);
                    break;
                }
            }
        }
        self.unlocked = Some(u);
        r.map(|()| out)
    }

    /// One open case's card (`None`: no such open case, or its card did not
    /// open and was quarantined).
    pub fn case(&mut self, id: &str) -> Result<Option<CaseCard>, StoreError> {
        let mut u = self.unlocked.take().ok_or(StoreError::Locked)?;
        let r = if u.cases.contains_key(id) {
            self.read_card(&mut u, id)
        } else {
            Ok(None)
        };
        self.unlocked = Some(u);
        r
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
        // If this write fails, the next unlock drops the entry whose card
        // is gone.
        self.write_index_for(u, &u.index)
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

    /// Open a handover file from the office (decrypted with this laptop's
    /// identity, signature checked against the pinned organisation key,
    /// meant for this laptop) and keep its card. `Ok(false)`: this laptop
    /// already holds the same or a newer card of the case.
    pub fn import_handover(
        &mut self,
        bytes: &[u8],
        org: &crate::signing::VerifyingKey,
    ) -> Result<(crate::handover::Handover, bool), HandoverImportError> {
        let u = self.unlocked()?;
        let h = crate::handover::open(bytes, &u.identity, org)?;
        if h.device_id != self.config.device_id {
            return Err(HandoverImportError::OtherDevice {
                handover: h.device_id,
            });
        }
        let stored = self.import_case_card(h.card.clone())?;
        Ok((h, stored))
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
            self.take_card(&mut u, card).map(|()| true)
        } else {
            Ok(false)
        };
        self.unlocked = Some(u);
        r
    }

    fn take_card(&mut self, u: &mut Unlocked, card: CaseCard) -> Result<(), StoreError> {
        // Handed (back) to this laptop after it closed the case: the office
        // decided after the closure, so the closure no longer holds here
        // (else the next unlock would delete the card again).
        let before = u.closed.clone();
        u.closed.retain(|c| c.case_id != card.case_id);
        if u.closed != before
            && let Err(e) = self.write_closed(u)
        {
            u.closed = before;
            return Err(e);
        }
        self.write_card(u, &card)?;
        u.cases.insert(card.case_id.clone(), CaseSummary::of(&card));
        self.write_index_for(u, &u.index)
    }
}
