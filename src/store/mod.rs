//! The vault: the only code that touches the data directory — device key,
//! encrypted drafts and finalized visits, index, lock, quarantine.
//!
//! Never writes anything sensitive in plaintext, never logs an answer,
//! never reads the clock for record content. See `docs/SECURITY.md` for the
//! threat model and `docs/FORMATS.md` for every file it writes.

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
pub mod vault;

pub use config::DeviceInfo;
pub use error::{QuarantineNote, QuarantineReason, StoreError};
pub use index::{IndexEntry, Status};
pub use vault::{Counts, DEFAULT_SCRYPT_LOG_N, FinalizedFile, InitOptions, RecoveryNote, Vault};
