//! The vault: the only code that touches the data directory — device key,
//! encrypted drafts and finalized visits, index, lock, quarantine.
//!
//! Never writes anything sensitive in plaintext, never logs an answer,
//! never reads the clock for record content (times come from the caller as
//! `YYYY-MM-DDTHH:MM:SS`). `docs/SECURITY.md` has the threat model,
//! `docs/FORMATS.md` every file it writes.
//!
//! # Using it
//!
//! ```text
//! Vault::exists(dir) -> bool
//! Vault::init(dir, InitOptions { recipients, device_name, passphrase, device_id, scrypt_log_n })
//!                                                   -> Result<Vault>   (unlocked)
//! Vault::open(dir)                                  -> Result<Vault>   (locked; AlreadyOpen for a 2nd process)
//! vault.unlock(&passphrase)                         -> Result<()>      (WrongPassphrase; repairs after a crash)
//! vault.lock();  vault.is_unlocked()
//! vault.device() -> DeviceInfo;  vault.recipients() -> Result<Vec<Recipient>>
//! vault.list()                                      -> Result<Vec<IndexEntry>>  (drafts first, then by sequence)
//! vault.counts()                                    -> Result<Counts>
//! vault.save_draft(&rec)                            -> Result<()>      (autosave: one durable write)
//! vault.load_draft(id)                              -> Result<VisitRecord>  (&mut: may quarantine)
//! vault.discard_draft(id)                           -> Result<()>
//! vault.finalize(rec, summary, now)                 -> Result<u64>     (the sequence number)
//! vault.finalized_records(include_exported)         -> Result<Vec<FinalizedFile>>  (for export)
//! vault.mark_exported(&ids)                         -> Result<()>      (after the bundle is durable)
//! vault.open_receipt(bytes, &org) / vault.apply_receipt(&receipt) / vault.apply_receipt_file(bytes, &org)
//!                                                   -> Result<ReceiptOutcome, ReceiptApplyError>  (deletes what arrived)
//! vault.arrived()                                   -> Result<Arrived>  (counts only)
//! vault.change_passphrase(&new)                     -> Result<()>
//! Vault::init_with_org_card(dir, opts, &org_card)   -> Result<Vault>   (recipients from the card, its key pinned)
//! vault.signing_key()                               -> Option<&SigningKey>  (None only while locked)
//! vault.device_card()                               -> Result<DeviceCard>
//! vault.org_signing_key()                           -> Option<VerifyingKey> (pinned from an organisation card)
//! vault.pin_org_card(&card, &passphrase, replace)   -> Result<()>      (OrgKeyDiffers without replace)
//! vault.quarantined() / vault.recovered() / vault.quarantine_count()
//! ```
//!
//! Every error is a [`StoreError`]: `Display` in English, and
//! [`StoreError::describe`] in Dutch or English with what to do next.
//!
//! For a deterministic replay, pass `device_id: Some(..)` and a low
//! `scrypt_log_n` (the vault is then marked as a test vault). Ciphertext is
//! never deterministic (age draws fresh keys for every file); records are.
//!
//! Shared with the onboarding screens: [`passphrase::check_strength`] (the
//! passphrase rule, with a score for a meter) and
//! [`recipients::parse_recipient`] / [`recipients::parse_recipients_file`].
//! Shared with the office import: [`envelope::open_record`] /
//! [`envelope::decode_record`] (every known record version); records and
//! bundles are decrypted by the `age` crate's own readers.

pub mod atomic;
pub mod checklist_folder;
pub mod config;
pub mod envelope;
pub mod error;
pub mod index;
pub mod layout;
pub mod passphrase;
pub mod paths;
pub mod recipients;
pub mod test_org_key;
pub mod vault;

pub use config::DeviceInfo;
pub use error::{QuarantineNote, QuarantineReason, StoreError};
pub use index::{Arrived, IndexEntry, Status};
pub use recipients::Recipient;
pub use vault::{
    Counts, DEFAULT_SCRYPT_LOG_N, FinalizedFile, InitOptions, ReceiptApplyError, ReceiptOutcome,
    RecoveryNote, Vault,
};
