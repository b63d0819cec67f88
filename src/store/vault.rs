//! The vault: one data directory, held by one process, holding the device
//! identity, the drafts, the finalized visits and the index.
//!
//! Every change goes through [`atomic`](super::atomic); only ciphertext is
//! written. The store never reads the clock for record content: times come
//! from the caller as `YYYY-MM-DDTHH:MM:SS`.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::cards::{DeviceCard, OrgCard};
use crate::i18n::Lang;
use crate::signing::{SigningKey, VerifyingKey};
use crate::store::atomic::{
    DIR_MODE, FILE_MODE, Fs, RealFs, create_dir_durable, is_temp_name, move_durable,
    remove_durable, write_atomic,
};
use crate::store::config::{
    DeviceInfo, PinnedOrg, Sealed, VAULT_FORMAT, VaultConfig, valid_device_id, valid_device_name,
};
use crate::store::envelope::{
    self, EnvelopeError, INDEX, MAX_INDEX_BYTES, MAX_RECORD_BYTES, STUB, decode_payload, decrypt,
    encode, encrypt, index_config, record_config, split,
};
use crate::store::error::{QuarantineNote, QuarantineReason, StoreError};
use crate::store::index::{
    Arrived, Index, IndexEntry, IndexFile, IndexFileRef, IndexFileV1, IndexFileV2, Status, Stub,
    StubV1,
};
use crate::store::layout::{self, DraftName, FinalName};
use crate::store::passphrase;
use crate::store::recipients::{Recipient, dedup};
use crate::visit::record::{ChecklistStamp, FinalRecord, Summary, VisitRecord, parse_stamp};

mod cases;
mod receipt;
pub use cases::{ClosedCase, HandoverImportError, decode_card};
pub use receipt::{ReceiptApplyError, ReceiptOutcome};

/// The scrypt work factor (log2 N) of the device identity: about 0.7 s to
/// unlock on the reference laptop (docs/SECURITY.md has the measurements).
pub const DEFAULT_SCRYPT_LOG_N: u8 = 18;

/// The highest work factor the vault accepts when unlocking (as the `age`
/// tool does): a planted identity file cannot make unlocking take hours.
pub const MAX_SCRYPT_LOG_N: u8 = 22;

/// What `init` needs.
pub struct InitOptions {
    /// The organisation's recipients (public keys only). At least one.
    pub recipients: Vec<Recipient>,
    /// The device name the office sees.
    pub device_name: String,
    /// The passphrase that protects the device identity.
    pub passphrase: SecretString,
    /// `None`: a random id. A replay passes a fixed one for determinism.
    pub device_id: Option<String>,
    /// `None`: [`DEFAULT_SCRYPT_LOG_N`]. A lower value makes a test vault
    /// (marked so in its config), for tests and replays only.
    pub scrypt_log_n: Option<u8>,
}

/// How many visits stand where (for `safevisit status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub drafts: usize,
    /// Finalized, not yet exported.
    pub finalized: usize,
    pub exported: usize,
    /// Arrived at the office and deleted from this laptop (receipts).
    pub arrived: u64,
    /// Open cases (case cards) on this laptop.
    pub cases: usize,
}

/// A finalized record as the export needs it: the ciphertext exactly as
/// written at finalize (checked against the SHA-256 in its stub).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalizedFile {
    pub visit_id: String,
    pub sequence: u64,
    /// The record file in the data directory.
    pub path: PathBuf,
    /// Its file name (`00000042.visit.age`).
    pub file_name: String,
    pub ciphertext: Vec<u8>,
    /// SHA-256 of `ciphertext`, lowercase hex.
    pub sha256: String,
    /// The checklists the visit used (from the stub).
    pub checklists: Vec<ChecklistStamp>,
    pub finalized_at: String,
    pub exported: bool,
    /// The visit's case and the visit it follows (from the stub).
    pub case_id: String,
    pub follows: Option<String>,
}

/// Something the vault repaired when it was unlocked (after a crash or a
/// lost index). Nothing here lost a visit; it is reported for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoveryNote {
    /// A finalize that was interrupted was completed.
    FinalizeCompleted { visit_id: String, sequence: u64 },
    /// The index was missing or unreadable and was rebuilt from the files.
    IndexRebuilt,
    /// A draft was on disk but not in the index; it was added.
    DraftAdded { visit_id: String },
    /// The index listed a draft whose file is gone (a discard that was
    /// interrupted); the entry was dropped.
    DraftMissing { visit_id: String },
    /// A finalized visit was on disk but not in the index; it was added.
    FinalizedAdded { visit_id: String, sequence: u64 },
    /// The index listed a finalized visit whose files are gone.
    FinalizedMissing { visit_id: String, sequence: u64 },
    /// A draft copy of an already finalized visit was removed.
    SupersededDraftRemoved { visit_id: String },
    /// The sequence file was behind the records on disk (or unreadable) and
    /// was moved past them, so that no number is used twice.
    SequenceAdvanced { next: u64 },
    /// Unfinished temporary files (ciphertext) were removed.
    TempFilesRemoved { count: usize },
    /// The vault was made before laptops signed their bundles: a signing
    /// key was made and sealed in the device identity (once).
    SigningKeyAdded { key_id: String },
    /// A receipt was being applied when the program stopped: the files of
    /// the visits that arrived were deleted now (they were already counted).
    ReceiptCompleted { visits: usize },
}

impl RecoveryNote {
    /// One line for the worker, in Dutch or English.
    pub fn describe(&self, lang: Lang) -> String {
        use RecoveryNote as R;
        match (self, lang) {
            (R::FinalizeCompleted { visit_id, sequence }, Lang::Nl) => {
                format!(
                    "Het afronden van bezoek {visit_id} was onderbroken en is nu voltooid (volgnummer {sequence})."
                )
            }
            (R::FinalizeCompleted { visit_id, sequence }, Lang::En) => {
                format!(
                    "Finalizing visit {visit_id} was interrupted and is now complete (sequence {sequence})."
                )
            }
            (R::IndexRebuilt, Lang::Nl) => {
                "De index ontbrak of was onleesbaar en is opnieuw opgebouwd.".into()
            }
            (R::IndexRebuilt, Lang::En) => {
                "The index was missing or unreadable and was rebuilt.".into()
            }
            (R::DraftAdded { visit_id }, Lang::Nl) => {
                format!("Concept {visit_id} stond niet in de index en is toegevoegd.")
            }
            (R::DraftAdded { visit_id }, Lang::En) => {
                format!("Draft {visit_id} was not in the index and was added.")
            }
            (R::DraftMissing { visit_id }, Lang::Nl) => {
                format!(
                    "Concept {visit_id} stond in de index maar het bestand is weg (een onderbroken verwijdering)."
                )
            }
            (R::DraftMissing { visit_id }, Lang::En) => {
                format!(
                    "Draft {visit_id} was in the index but its file is gone (an interrupted discard)."
                )
            }
            (R::FinalizedAdded { visit_id, sequence }, Lang::Nl) => {
                format!(
                    "Afgerond bezoek {visit_id} (volgnummer {sequence}) stond niet in de index en is toegevoegd."
                )
            }
            (R::FinalizedAdded { visit_id, sequence }, Lang::En) => {
                format!(
                    "Finalized visit {visit_id} (sequence {sequence}) was not in the index and was added."
                )
            }
            (R::FinalizedMissing { visit_id, sequence }, Lang::Nl) => format!(
                "Afgerond bezoek {visit_id} (volgnummer {sequence}) ontbreekt in final/; meld dit bij kantoor."
            ),
            (R::FinalizedMissing { visit_id, sequence }, Lang::En) => {
                format!(
                    "Finalized visit {visit_id} (sequence {sequence}) is missing from final/; tell the office."
                )
            }
            (R::SupersededDraftRemoved { visit_id }, Lang::Nl) => {
                format!("Een oude conceptkopie van het afgeronde bezoek {visit_id} is verwijderd.")
            }
            (R::SupersededDraftRemoved { visit_id }, Lang::En) => {
                format!("An old draft copy of the finalized visit {visit_id} was removed.")
            }
            (R::SequenceAdvanced { next }, Lang::Nl) => {
                format!("Het volgnummerbestand liep achter en is bijgewerkt (volgende: {next}).")
            }
            (R::SequenceAdvanced { next }, Lang::En) => {
                format!("The sequence file was behind and was brought up to date (next: {next}).")
            }
            (R::TempFilesRemoved { count }, Lang::Nl) => {
                format!("{count} onafgemaakt(e) tijdelijk(e) bestand(en) (versleuteld) opgeruimd.")
            }
            (R::TempFilesRemoved { count }, Lang::En) => {
                format!("{count} unfinished temporary file(s) (encrypted) removed.")
            }
            (R::SigningKeyAdded { key_id }, Lang::Nl) => format!(
                "Deze laptop heeft nu een ondertekeningssleutel ({key_id}), veilig opgeslagen bij de apparaatsleutel. Geef kantoor de apparaatkaart: safevisit device-card."
            ),
            (R::SigningKeyAdded { key_id }, Lang::En) => format!(
                "This laptop now has a signing key ({key_id}), stored safely with the device key. Give the office the device card: safevisit device-card."
            ),
            (R::ReceiptCompleted { visits }, Lang::Nl) => format!(
                "Het verwerken van een ontvangstbewijs was onderbroken en is nu voltooid: de bestanden van {visits} aangekomen bezoek(en) zijn verwijderd."
            ),
            (R::ReceiptCompleted { visits }, Lang::En) => format!(
                "Applying a receipt was interrupted and is now complete: the files of {visits} visit(s) that arrived were deleted."
            ),
        }
    }
}

struct Unlocked {
    identity: age::x25519::Identity,
    device: age::x25519::Recipient,
    recipients: Vec<Recipient>,
    /// The device's signing key (bundles are signed with it). Always set
    /// after unlock: a vault without one gets one then.
    signing_key: Option<SigningKey>,
    /// The organisation key pinned from an organisation card.
    org: Option<PinnedOrg>,
    index: Index,
    next_sequence: u64,
    /// Visits with an intent file (`drafts/ID.finalizing.age`): being
    /// finalized. Only this process writes the folder while it holds the
    /// lock, so this set is the truth and autosave needs no `stat`.
    pending: HashSet<String>,
    /// What receipts confirmed (counts only), kept in the index.
    arrived: Arrived,
    /// Files of arrived visits still to delete (see `IndexFile::removing`).
    removing: Vec<u64>,
    /// The open cases as the home screen lists them, by case id (kept in
    /// the index; the cards in `cases/` are read when needed).
    cases: std::collections::BTreeMap<String, crate::case::CaseSummary>,
    /// Whether the index knew the cases (format 3); if not, unlocking reads
    /// the cards once.
    cases_known: bool,
    /// Cases closed on this laptop (`cases/closed.age`).
    closed: Vec<ClosedCase>,
}

/// An open vault (see the module doc). Dropping it releases the lock and
/// wipes the device identity from memory.
pub struct Vault {
    dir: PathBuf,
    fs: Arc<dyn Fs>,
    config: VaultConfig,
    unlocked: Option<Unlocked>,
    quarantined: Vec<QuarantineNote>,
    recovered: Vec<RecoveryNote>,
    // Last, so it is released after everything else is dropped.
    _lock: File,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.dir)
            .field("device", &self.config.device_id)
            .field("unlocked", &self.unlocked.is_some())
            .finish()
    }
}

fn read_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Read {
        path: path.to_path_buf(),
        source,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Read a file of at most `limit` bytes (a larger one is `TooLarge`).
fn read_limited(path: &Path, limit: usize) -> Result<Result<Vec<u8>, EnvelopeError>, io::Error> {
    use std::io::Read;
    let file = File::open(path)?;
    let mut out = Vec::new();
    file.take(limit as u64 + 1).read_to_end(&mut out)?;
    if out.len() > limit {
        return Ok(Err(EnvelopeError::TooLarge { limit }));
    }
    Ok(Ok(out))
}

/// Ciphertext limit for a file whose plaintext payload may be `payload` bytes.
fn ciphertext_limit(payload: usize) -> usize {
    payload + payload / 4096 + 64 * 1024
}

fn take_lock(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join(layout::LOCK);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(FILE_MODE)
        .open(&path)
        .map_err(read_err(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::AlreadyOpen {
            dir: dir.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(source)) => Err(StoreError::Read { path, source }),
    }
}

/// Set a folder that exists to mode 0700.
fn tighten(dir: &Path) -> Result<(), StoreError> {
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE)).map_err(read_err(dir))
}

fn is_nonempty_dir(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_some())
}

impl Vault {
    /// Whether `dir` holds a vault (its `vault.toml`).
    pub fn exists(dir: &Path) -> bool {
        dir.join(layout::CONFIG).is_file()
    }

    /// Create a vault in `dir` (made if missing, mode 0700) and return it
    /// unlocked. Refuses an existing vault, and a folder that holds visit
    /// files without a `vault.toml`. Checks every option first: recipients,
    /// device name and id, work factor, passphrase strength.
    pub fn init(dir: &Path, opts: InitOptions) -> Result<Vault, StoreError> {
        Vault::init_with(dir, opts, Arc::new(RealFs))
    }

    /// [`Vault::init`] through a given file-system layer (fault injection).
    pub fn init_with(dir: &Path, opts: InitOptions, fs: Arc<dyn Fs>) -> Result<Vault, StoreError> {
        Vault::init_full(dir, opts, None, fs)
    }

    /// [`Vault::init`] from an organisation card: the card's recipients and
    /// backup recipients are added to `opts.recipients`, and its signing
    /// key is pinned in the sealed identity (receipts are checked with it).
    pub fn init_with_org_card(
        dir: &Path,
        mut opts: InitOptions,
        card: &OrgCard,
    ) -> Result<Vault, StoreError> {
        opts.recipients.extend(card.all_recipients());
        Vault::init_full(dir, opts, Some(pinned_of(card)), Arc::new(RealFs))
    }

    fn init_full(
        dir: &Path,
        opts: InitOptions,
        org: Option<PinnedOrg>,
        fs: Arc<dyn Fs>,
    ) -> Result<Vault, StoreError> {
        let recipients = dedup(opts.recipients);
        if recipients.is_empty() {
            return Err(StoreError::NoRecipient);
        }
        valid_device_name(&opts.device_name).map_err(StoreError::InvalidDeviceName)?;
        let device_id = match opts.device_id {
            Some(id) => {
                valid_device_id(&id).map_err(StoreError::InvalidDeviceId)?;
                id
            }
            None => uuid::Uuid::new_v4().to_string(),
        };
        let log_n = opts.scrypt_log_n.unwrap_or(DEFAULT_SCRYPT_LOG_N);
        if log_n == 0 || log_n > MAX_SCRYPT_LOG_N {
            return Err(StoreError::InvalidWorkFactor(log_n));
        }
        passphrase::check_strength_with(opts.passphrase.expose_secret(), &[&opts.device_name])
            .map_err(StoreError::WeakPassphrase)?;

        if Vault::exists(dir) {
            return Err(StoreError::AlreadyExists {
                dir: dir.to_path_buf(),
            });
        }
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(read_err(parent))?;
        }
        create_dir_durable(&*fs, dir)?;
        let lock = take_lock(dir)?;
        // Checked again under the lock: another process may have just made one.
        if Vault::exists(dir) {
            return Err(StoreError::AlreadyExists {
                dir: dir.to_path_buf(),
            });
        }
        // Visit files without a vault.toml: never overwrite them. Files of an
        // interrupted init (identity, index, sequence) protect no visit and
        // are replaced.
        let found: Vec<&str> = [
            layout::DRAFTS,
            layout::FINAL,
            layout::QUARANTINE,
            layout::CASES,
        ]
        .into_iter()
        .filter(|d| is_nonempty_dir(&dir.join(d)))
        .collect();
        if !found.is_empty() {
            return Err(StoreError::PartialVault {
                dir: dir.to_path_buf(),
                found: found
                    .iter()
                    .map(|d| format!("{d}/"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        for d in [
            layout::DRAFTS,
            layout::FINAL,
            layout::QUARANTINE,
            layout::CASES,
        ] {
            create_dir_durable(&*fs, &dir.join(d))?;
        }

        let config = VaultConfig {
            case_retention_days: None,
            format: VAULT_FORMAT,
            device_id,
            device_name: opts.device_name,
            test_vault: log_n < DEFAULT_SCRYPT_LOG_N,
        };
        let identity = age::x25519::Identity::generate();
        let signing_key = SigningKey::generate().map_err(|_| StoreError::SigningKeyFailed)?;
        let sealed = Sealed {
            config: config.clone(),
            recipients: recipients.clone(),
            identity,
            signing_key: Some(signing_key),
            org,
        };
        write_identity(&*fs, dir, &sealed, &opts.passphrase, log_n)?;
        write_atomic(&*fs, &dir.join(layout::SEQUENCE), b"1\n")?;
        let device = sealed.identity.to_public();
        let vault = Vault {
            dir: dir.to_path_buf(),
            fs,
            config: config.clone(),
            unlocked: Some(Unlocked {
                identity: sealed.identity,
                device,
                recipients,
                signing_key: sealed.signing_key,
                org: sealed.org,
                index: Index::default(),
                next_sequence: 1,
                pending: HashSet::new(),
                arrived: Arrived::default(),
                removing: Vec::new(),
                cases: Default::default(),
                cases_known: true,
                closed: Vec::new(),
            }),
            quarantined: Vec::new(),
            recovered: Vec::new(),
            _lock: lock,
        };
        vault.write_index(&Index::default())?;
        // The commit point: until vault.toml exists this is no vault.
        write_atomic(
            &*vault.fs,
            &dir.join(layout::CONFIG),
            config.to_toml().as_bytes(),
        )?;
        Ok(vault)
    }

    /// Open the vault in `dir`, locked. Takes the OS lock first: a second
    /// process gets [`StoreError::AlreadyOpen`]. The lock dies with the
    /// process, so a crash never leaves a lock behind.
    pub fn open(dir: &Path) -> Result<Vault, StoreError> {
        Vault::open_with(dir, Arc::new(RealFs))
    }

    /// [`Vault::open`] through a given file-system layer (fault injection).
    pub fn open_with(dir: &Path, fs: Arc<dyn Fs>) -> Result<Vault, StoreError> {
        let not_a_vault = || StoreError::NotAVault {
            dir: dir.to_path_buf(),
        };
        if !dir.is_dir() {
            return Err(not_a_vault());
        }
        // Make no lock file in a folder that is not a vault.
        if !Vault::exists(dir) && !dir.join(layout::LOCK).exists() {
            return Err(not_a_vault());
        }
        let lock = take_lock(dir)?;
        let config_path = dir.join(layout::CONFIG);
        let text = match std::fs::read_to_string(&config_path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(not_a_vault()),
            Err(e) => return Err(read_err(&config_path)(e)),
        };
        // The format is checked before the rest, so that a newer layout
        // is reported as such and not as damage.
        if let Ok(t) = text.parse::<toml::Table>()
            && let Some(found) = t.get("format").and_then(|v| v.as_integer())
            && found != i64::from(VAULT_FORMAT)
        {
            return Err(StoreError::UnsupportedVault {
                found: found.clamp(0, i64::from(u32::MAX)) as u32,
                known: VAULT_FORMAT,
            });
        }
        let config = VaultConfig::from_toml(&text).map_err(|reason| StoreError::ConfigDamaged {
            path: config_path.clone(),
            reason,
        })?;
        // Whatever the umask or a copy did: the folders are the owner's only.
        for d in [
            layout::DRAFTS,
            layout::FINAL,
            layout::QUARANTINE,
            layout::CASES,
        ] {
            let path = dir.join(d);
            if path.is_dir() {
                tighten(&path)?;
            } else {
                create_dir_durable(&*fs, &path)?;
            }
        }
        tighten(dir)?;
        Ok(Vault {
            dir: dir.to_path_buf(),
            fs,
            config,
            unlocked: None,
            quarantined: Vec::new(),
            recovered: Vec::new(),
            _lock: lock,
        })
    }

    /// Unlock with the passphrase: decrypt the device identity (scrypt),
    /// check the sealed config against `vault.toml`, load the index and
    /// repair what a crash left behind. A wrong passphrase is
    /// [`StoreError::WrongPassphrase`]; the vault stays locked on any error.
    pub fn unlock(&mut self, passphrase: &SecretString) -> Result<(), StoreError> {
        let path = self.dir.join(layout::IDENTITY);
        let damaged = |reason: &str| StoreError::IdentityDamaged {
            path: path.clone(),
            reason: reason.to_string(),
        };
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(damaged("the file is missing"));
            }
            Err(e) => return Err(read_err(&path)(e)),
        };
        let mut scrypt = age::scrypt::Identity::new(passphrase.clone());
        scrypt.set_max_work_factor(MAX_SCRYPT_LOG_N);
        let plain = open_identity(&bytes, &scrypt).map_err(|e| match e {
            IdentityOpenError::Wrong => StoreError::WrongPassphrase,
            IdentityOpenError::Damaged(r) => damaged(r),
        })?;
        let text = std::str::from_utf8(&plain).map_err(|_| damaged("it is not text"))?;
        let sealed = Sealed::from_text(text).map_err(damaged)?;
        let c = &self.config;
        let s = &sealed.config;
        let field = if s.format != c.format {
            Some("format")
        } else if s.device_id != c.device_id {
            Some("device-id")
        } else if s.device_name != c.device_name {
            Some("device-name")
        } else if s.test_vault != c.test_vault {
            Some("test-vault")
        } else {
            None
        };
        if let Some(field) = field {
            return Err(StoreError::ConfigMismatch { field });
        }
        let device = sealed.identity.to_public();
        let mut unlocked = Unlocked {
            identity: sealed.identity,
            device,
            recipients: sealed.recipients,
            signing_key: sealed.signing_key,
            org: sealed.org,
            index: Index::default(),
            next_sequence: 1,
            pending: HashSet::new(),
            arrived: Arrived::default(),
            removing: Vec::new(),
            cases: Default::default(),
            cases_known: false,
            closed: Vec::new(),
        };
        self.reconcile(&mut unlocked)?;
        if self.load_cases(&mut unlocked)? {
            self.write_index_for(&unlocked, &unlocked.index)?;
        }
        if unlocked.signing_key.is_none() {
            // A vault made before laptops signed their bundles. The new key
            // is sealed with the same passphrase and work factor; the old
            // identity file stays in place until the new one is complete
            // (write_atomic), so a crash here leaves a vault that simply
            // gets its key at the next unlock.
            let key = SigningKey::generate().map_err(|_| StoreError::SigningKeyFailed)?;
            let log_n = scrypt_log_n(&bytes).unwrap_or(DEFAULT_SCRYPT_LOG_N);
            let key_id = key.public().key_id();
            unlocked.signing_key = Some(key);
            self.reseal(&unlocked, passphrase, log_n)?;
            self.recovered
                .push(RecoveryNote::SigningKeyAdded { key_id });
        }
        self.unlocked = Some(unlocked);
        Ok(())
    }

    /// Drop the device identity and the index from memory.
    pub fn lock(&mut self) {
        self.unlocked = None;
    }

    pub fn is_unlocked(&self) -> bool {
        self.unlocked.is_some()
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Who this device is (available while locked).
    pub fn device(&self) -> DeviceInfo {
        self.config.device()
    }

    /// The organisation recipients finalized visits are encrypted to. They
    /// are sealed with the passphrase, so this needs an unlocked vault.
    pub fn recipients(&self) -> Result<Vec<Recipient>, StoreError> {
        Ok(self.unlocked()?.recipients.clone())
    }

    /// Files moved to `quarantine/` since the vault was opened.
    pub fn quarantined(&self) -> Vec<QuarantineNote> {
        self.quarantined.clone()
    }

    /// What was repaired when the vault was unlocked.
    pub fn recovered(&self) -> Vec<RecoveryNote> {
        self.recovered.clone()
    }

    /// How many files `quarantine/` holds (from this or earlier sessions).
    pub fn quarantine_count(&self) -> usize {
        std::fs::read_dir(self.dir.join(layout::QUARANTINE)).map_or(0, |d| d.count())
    }

    fn unlocked(&self) -> Result<&Unlocked, StoreError> {
        self.unlocked.as_ref().ok_or(StoreError::Locked)
    }

    /// What the home screen lists: drafts first (newest date first), then
    /// finalized and exported visits (highest sequence first).
    pub fn list(&self) -> Result<Vec<IndexEntry>, StoreError> {
        let mut v: Vec<IndexEntry> = self.unlocked()?.index.entries().to_vec();
        v.sort_by(|a, b| {
            let rank = |e: &IndexEntry| u8::from(e.status != Status::Draft);
            rank(a)
                .cmp(&rank(b))
                .then_with(|| b.sequence.cmp(&a.sequence))
                .then_with(|| b.date.cmp(&a.date))
                .then_with(|| b.created_at.cmp(&a.created_at))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(v)
    }

    /// Counts by status. Unlocked: from the index. Locked: drafts are
    /// counted from their files, which works as long as no visit was ever
    /// finalized; otherwise telling exported from not-yet-exported, and
    /// the count of visits that arrived, needs the index, and this is
    /// [`StoreError::Locked`].
    pub fn counts(&self) -> Result<Counts, StoreError> {
        if let Some(u) = &self.unlocked {
            let mut c = Counts {
                arrived: u.arrived.visits,
                cases: u.cases.len(),
                ..Counts::default()
            };
            for e in u.index.entries() {
                match e.status {
                    Status::Draft => c.drafts += 1,
                    Status::Finalized => c.finalized += 1,
                    Status::Exported => c.exported += 1,
                }
            }
            return Ok(c);
        }
        let finals = self.dir.join(layout::FINAL);
        let has_final = std::fs::read_dir(&finals)
            .map_err(read_err(&finals))?
            .filter_map(Result::ok)
            .any(|e| {
                e.file_name()
                    .to_str()
                    .and_then(layout::parse_final_name)
                    .is_some()
            });
        // Once a visit was finalized (the next number is past 1), the index
        // may hold a count of arrived visits even when final/ is empty.
        let seq_path = self.dir.join(layout::SEQUENCE);
        let finalized_once = std::fs::read_to_string(&seq_path)
            .ok()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .is_some_and(|next| next > 1);
        if has_final || finalized_once {
            return Err(StoreError::Locked);
        }
        let drafts = self.dir.join(layout::DRAFTS);
        let n = std::fs::read_dir(&drafts)
            .map_err(read_err(&drafts))?
            .filter_map(Result::ok)
            .filter(|e| {
                matches!(
                    e.file_name().to_str().and_then(layout::parse_draft_name),
                    Some(DraftName::Draft(_))
                )
            })
            .count();
        Ok(Counts {
            drafts: n,
            ..Counts::default()
        })
    }

    /// Save a draft (autosave). One durable atomic write in the common
    /// case; the index is rewritten (first) only when what it lists for
    /// this visit changes (label, date, flags, a new visit).
    pub fn save_draft(&mut self, rec: &VisitRecord) -> Result<(), StoreError> {
        if !layout::valid_id(&rec.id) {
            return Err(StoreError::InvalidVisitId { id: rec.id.clone() });
        }
        if rec.finalized.is_some() {
            return Err(StoreError::RecordFinalized);
        }
        let u = self.unlocked()?;
        if u.pending.contains(&rec.id) {
            return Err(StoreError::AlreadyFinalized { id: rec.id.clone() });
        }
        let old = u.index.get(&rec.id);
        if old.is_some_and(|e| e.status != Status::Draft) {
            return Err(StoreError::AlreadyFinalized { id: rec.id.clone() });
        }
        let entry = IndexEntry::of(rec);
        let index_changes = old != Some(&entry);
        let ciphertext = self.seal_record(rec, &[&u.device])?;
        if index_changes {
            // Index first: a crash between the two writes leaves the index at
            // most one save ahead of the draft, never a draft it cannot list
            // (and a brand-new visit's entry without a file is dropped at the
            // next unlock).
            self.edit_index(vec![(rec.id.clone(), Some(entry))])?;
        }
        let path = self
            .dir
            .join(layout::DRAFTS)
            .join(layout::draft_name(&rec.id));
        write_atomic(&*self.fs, &path, &ciphertext)?;
        Ok(())
    }

    /// Load a draft. A draft that does not open, does not decode or holds
    /// another visit is moved to `quarantine/` and reported as
    /// [`StoreError::Quarantined`] (this is why it takes `&mut self`).
    pub fn load_draft(&mut self, id: &str) -> Result<VisitRecord, StoreError> {
        if !layout::valid_id(id) {
            return Err(StoreError::InvalidVisitId { id: id.to_string() });
        }
        let u = self.unlocked()?;
        match u.index.get(id).map(|e| e.status) {
            Some(Status::Draft) => {}
            Some(_) => return Err(StoreError::AlreadyFinalized { id: id.to_string() }),
            None => return Err(StoreError::NoSuchDraft { id: id.to_string() }),
        }
        let rel = format!("{}/{}", layout::DRAFTS, layout::draft_name(id));
        match self.read_record(&rel, id)? {
            Ok(rec) => Ok(rec),
            Err(reason) => {
                let note = self.quarantine(&rel, Some(id), reason)?;
                self.edit_index(vec![(id.to_string(), None)])?;
                Err(StoreError::Quarantined { note })
            }
        }
    }

    /// Delete a draft the worker chose to throw away.
    pub fn discard_draft(&mut self, id: &str) -> Result<(), StoreError> {
        if !layout::valid_id(id) {
            return Err(StoreError::InvalidVisitId { id: id.to_string() });
        }
        let u = self.unlocked()?;
        match u.index.get(id).map(|e| e.status) {
            Some(Status::Draft) => {}
            Some(_) => return Err(StoreError::AlreadyFinalized { id: id.to_string() }),
            None => return Err(StoreError::NoSuchDraft { id: id.to_string() }),
        }
        // File first: a crash after it leaves an index entry without a file,
        // which the next unlock drops; never a discarded visit coming back.
        remove_durable(
            &*self.fs,
            &self.dir.join(layout::DRAFTS).join(layout::draft_name(id)),
        )?;
        self.edit_index(vec![(id.to_string(), None)])
    }

    /// Finalize a visit: give it the device's next sequence number (never
    /// used twice, even after a crash), encrypt it to the organisation
    /// recipients only, write its stub, and remove the draft. `summary` is
    /// what `visit::record::summary` derived; `now` is
    /// `YYYY-MM-DDTHH:MM:SS`. The store fills `rec.finalized`.
    ///
    /// Steps: (1) the whole finalized record, device-encrypted, as
    /// `drafts/ID.finalizing.age` (the intent); (2) the sequence file; (3)
    /// `final/SEQ.visit.age`; (4) `final/SEQ.stub.age`; (5) the index; (6)
    /// remove the draft, then the intent. Killed anywhere, the next unlock
    /// finds the draft, or the intent and completes it. If a step fails,
    /// the error is returned and the finalize completes at the next unlock
    /// (or when `finalize` is called again for this visit).
    pub fn finalize(
        &mut self,
        rec: VisitRecord,
        summary: Summary,
        now: &str,
    ) -> Result<u64, StoreError> {
        if !layout::valid_id(&rec.id) {
            return Err(StoreError::InvalidVisitId { id: rec.id.clone() });
        }
        if parse_stamp(now).is_none() {
            return Err(StoreError::InvalidTimestamp {
                value: now.to_string(),
            });
        }
        if rec.finalized.is_some() {
            return Err(StoreError::RecordFinalized);
        }
        let id = rec.id.clone();
        let marker = self
            .dir
            .join(layout::DRAFTS)
            .join(layout::finalizing_name(&id));
        if self.unlocked()?.pending.contains(&id) {
            // An earlier finalize of this visit was interrupted: complete that.
            let mut u = self.unlocked.take().ok_or(StoreError::Locked)?;
            let r = self.complete_finalize(&mut u, &id);
            self.unlocked = Some(u);
            return match r? {
                Some(seq) => Ok(seq),
                None => Err(StoreError::NoSuchDraft { id }),
            };
        }
        let u = self.unlocked()?;
        if u.index.get(&id).is_some_and(|e| e.status != Status::Draft) {
            return Err(StoreError::AlreadyFinalized { id });
        }
        let mut seq = u.next_sequence;
        let finals = self.dir.join(layout::FINAL);
        while finals.join(layout::visit_name(seq)).exists()
            || finals.join(layout::stub_name(seq)).exists()
        {
            seq += 1;
        }
        let mut rec = rec;
        rec.finalized = Some(FinalRecord {
            sequence: seq,
            finalized_at: now.to_string(),
            device_id: self.config.device_id.clone(),
            device_name: self.config.device_name.clone(),
            summary,
        });
        let intent = self.seal_record(&rec, &[&u.device])?;
        let written = write_atomic(&*self.fs, &marker, &intent);
        // Once the intent is in place (even if flushing its folder failed),
        // this visit is being finalized.
        if marker.exists()
            && let Some(u) = self.unlocked.as_mut()
        {
            u.pending.insert(id.clone());
        }
        written?;
        let mut u = self.unlocked.take().ok_or(StoreError::Locked)?;
        let r = self.finish_finalize(&mut u, &rec, false, false);
        self.unlocked = Some(u);
        r.map(|()| seq)
    }

    /// Steps 2 to 6 of finalize, for `rec` (whose intent file exists).
    fn finish_finalize(
        &mut self,
        u: &mut Unlocked,
        rec: &VisitRecord,
        have_visit: bool,
        have_stub: bool,
    ) -> Result<(), StoreError> {
        let Some(fin) = &rec.finalized else {
            return Err(StoreError::RecordFinalized);
        };
        let seq = fin.sequence;
        if u.next_sequence <= seq {
            write_atomic(
                &*self.fs,
                &self.dir.join(layout::SEQUENCE),
                format!("{}\n", seq + 1).as_bytes(),
            )?;
            u.next_sequence = seq + 1;
        }
        let finals = self.dir.join(layout::FINAL);
        let visit_path = finals.join(layout::visit_name(seq));
        let ciphertext = if have_visit {
            std::fs::read(&visit_path).map_err(read_err(&visit_path))?
        } else {
            let recipients: Vec<&dyn age::Recipient> = u
                .recipients
                .iter()
                .map(|r| r.age() as &dyn age::Recipient)
                .collect();
            let ct = self.seal_record(rec, &recipients)?;
            write_atomic(&*self.fs, &visit_path, &ct)?;
            ct
        };
        let stub = Stub::of(
            rec,
            Sha256::digest(&ciphertext).into(),
            ciphertext.len() as u64,
        );
        if !have_stub {
            let plain = encode(STUB, &stub, record_config()).map_err(envelope_err)?;
            let ct = encrypt(&plain, &[&u.device]).map_err(StoreError::Envelope)?;
            write_atomic(&*self.fs, &finals.join(layout::stub_name(seq)), &ct)?;
        }
        // The case card, after the record it is made from and before the
        // draft and intent go: killed anywhere, the next unlock completes
        // the finalize from its intent and makes the same card.
        self.write_card_for(u, rec)?;
        self.commit_index(u, vec![(rec.id.clone(), Some(stub.entry.clone()))])?;
        let drafts = self.dir.join(layout::DRAFTS);
        remove_durable(&*self.fs, &drafts.join(layout::draft_name(&rec.id)))?;
        remove_durable(&*self.fs, &drafts.join(layout::finalizing_name(&rec.id)))?;
        u.pending.remove(&rec.id);
        Ok(())
    }

    /// Complete the interrupted finalize of `id` from its intent file.
    /// `None` when the intent did not open (it is then quarantined).
    fn complete_finalize(&mut self, u: &mut Unlocked, id: &str) -> Result<Option<u64>, StoreError> {
        let rel = format!("{}/{}", layout::DRAFTS, layout::finalizing_name(id));
        let rec = match self.read_record_with(u, &rel, id)? {
            Ok(rec) if rec.finalized.is_some() => rec,
            Ok(_) => {
                u.pending.remove(id);
                self.quarantine(&rel, Some(id), QuarantineReason::WrongVisit)?;
                return Ok(None);
            }
            Err(reason) => {
                u.pending.remove(id);
                self.quarantine(&rel, Some(id), reason)?;
                return Ok(None);
            }
        };
        let seq = rec.finalized.as_ref().map_or(0, |f| f.sequence);
        let finals = self.dir.join(layout::FINAL);
        let have_visit = finals.join(layout::visit_name(seq)).exists();
        let have_stub = finals.join(layout::stub_name(seq)).exists();
        // A stub without its record cannot be from this finalize (the record
        // is written first): rewrite both.
        let (have_visit, have_stub) = if have_visit {
            (true, have_stub)
        } else {
            (false, false)
        };
        self.finish_finalize(u, &rec, have_visit, have_stub)?;
        self.recovered.push(RecoveryNote::FinalizeCompleted {
            visit_id: id.to_string(),
            sequence: seq,
        });
        Ok(Some(seq))
    }

    /// The finalized records, for the export (lowest sequence first),
    /// each checked against the SHA-256 its stub recorded. A record that
    /// changed, or whose stub does not open, is quarantined and left out.
    pub fn finalized_records(
        &mut self,
        include_exported: bool,
    ) -> Result<Vec<FinalizedFile>, StoreError> {
        let u = self.unlocked()?;
        let mut wanted: Vec<(u64, String)> = u
            .index
            .entries()
            .iter()
            .filter(|e| {
                e.status == Status::Finalized || include_exported && e.status == Status::Exported
            })
            .filter_map(|e| Some((e.sequence?, e.id.clone())))
            .collect();
        wanted.sort();
        let mut out = Vec::with_capacity(wanted.len());
        let mut dropped = Vec::new();
        for (seq, id) in wanted {
            let stub_rel = format!("{}/{}", layout::FINAL, layout::stub_name(seq));
            let visit_rel = format!("{}/{}", layout::FINAL, layout::visit_name(seq));
            let stub = match self.read_stub(&stub_rel)? {
                Ok(s) if s.entry.id == id && s.entry.sequence == Some(seq) => s,
                Ok(_) => {
                    self.quarantine(&stub_rel, Some(&id), QuarantineReason::WrongVisit)?;
                    self.quarantine(&visit_rel, Some(&id), QuarantineReason::NoStub)?;
                    dropped.push(id);
                    continue;
                }
                Err(reason) => {
                    self.quarantine(&stub_rel, Some(&id), reason)?;
                    self.quarantine(&visit_rel, Some(&id), QuarantineReason::NoStub)?;
                    dropped.push(id);
                    continue;
                }
            };
            let path = self.dir.join(&visit_rel);
            let ciphertext = match std::fs::read(&path) {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    self.recovered.push(RecoveryNote::FinalizedMissing {
                        visit_id: id.clone(),
                        sequence: seq,
                    });
                    dropped.push(id);
                    continue;
                }
                Err(e) => return Err(read_err(&path)(e)),
            };
            let digest: [u8; 32] = Sha256::digest(&ciphertext).into();
            if digest != stub.record_sha256 {
                self.quarantine(&visit_rel, Some(&id), QuarantineReason::RecordChanged)?;
                self.quarantine(&stub_rel, Some(&id), QuarantineReason::RecordChanged)?;
                dropped.push(id);
                continue;
            }
            out.push(FinalizedFile {
                visit_id: id,
                sequence: seq,
                path,
                file_name: layout::visit_name(seq),
                ciphertext,
                sha256: hex(&digest),
                checklists: stub.checklists,
                finalized_at: stub.entry.finalized_at.unwrap_or_default(),
                exported: stub.entry.status == Status::Exported,
                case_id: stub.case_id,
                follows: stub.follows,
            });
        }
        if !dropped.is_empty() {
            self.edit_index(dropped.into_iter().map(|id| (id, None)).collect())?;
        }
        Ok(out)
    }

    /// Mark finalized visits as exported (after the bundle is durable).
    /// Stubs first, then the index: a crash in between leaves some visits
    /// not marked, so they are exported again (harmless: the office
    /// de-duplicates), never marked without being exported. Ids already
    /// exported are fine; an unknown or draft id is refused before anything
    /// is written.
    pub fn mark_exported(&mut self, ids: &[String]) -> Result<(), StoreError> {
        let u = self.unlocked()?;
        let mut todo = Vec::new();
        for id in ids {
            match u.index.get(id) {
                Some(e) if e.status == Status::Finalized => {
                    todo.push((id.clone(), e.sequence.unwrap_or(0)))
                }
                Some(e) if e.status == Status::Exported => {}
                _ => return Err(StoreError::NoSuchFinalized { id: id.clone() }),
            }
        }
        let device = u.device.clone();
        let mut edits = Vec::new();
        for (id, seq) in todo {
            let rel = format!("{}/{}", layout::FINAL, layout::stub_name(seq));
            let mut stub = match self.read_stub(&rel)? {
                Ok(s) if s.entry.id == id => s,
                Ok(_) => {
                    let note = self.quarantine(&rel, Some(&id), QuarantineReason::WrongVisit)?;
                    return Err(StoreError::Quarantined { note });
                }
                Err(reason) => {
                    let note = self.quarantine(&rel, Some(&id), reason)?;
                    return Err(StoreError::Quarantined { note });
                }
            };
            stub.entry.status = Status::Exported;
            let plain = encode(STUB, &stub, record_config()).map_err(envelope_err)?;
            let ct = encrypt(&plain, &[&device]).map_err(StoreError::Envelope)?;
            write_atomic(&*self.fs, &self.dir.join(&rel), &ct)?;
            edits.push((id, Some(stub.entry)));
        }
        self.edit_index(edits)
    }

    /// Re-encrypt the device identity with a new passphrase (same rules as
    /// `init`). Needs an unlocked vault; keeps the work factor of a test
    /// vault, and uses the default otherwise.
    pub fn change_passphrase(&mut self, new: &SecretString) -> Result<(), StoreError> {
        let u = self.unlocked()?;
        passphrase::check_strength_with(new.expose_secret(), &[&self.config.device_name])
            .map_err(StoreError::WeakPassphrase)?;
        let path = self.dir.join(layout::IDENTITY);
        let bytes = std::fs::read(&path).map_err(read_err(&path))?;
        let log_n = if self.config.test_vault {
            scrypt_log_n(&bytes).unwrap_or(DEFAULT_SCRYPT_LOG_N)
        } else {
            DEFAULT_SCRYPT_LOG_N
        };
        self.reseal(u, new, log_n)
    }

    /// Write `identity.age` anew from the unlocked state (atomic: the old
    /// file stays until the new one is complete).
    fn reseal(&self, u: &Unlocked, passphrase: &SecretString, log_n: u8) -> Result<(), StoreError> {
        let signing_key = match &u.signing_key {
            Some(k) => Some(
                SigningKey::from_text(&k.to_text()).map_err(|_| StoreError::SigningKeyFailed)?,
            ),
            None => None,
        };
        let sealed = Sealed {
            config: self.config.clone(),
            recipients: u.recipients.clone(),
            identity: u.identity.clone(),
            signing_key,
            org: u.org.clone(),
        };
        write_identity(&*self.fs, &self.dir, &sealed, passphrase, log_n)
    }

    /// The device's signing key (bundles are signed with it). `None` only
    /// while locked: unlocking gives a vault without one a key.
    pub fn signing_key(&self) -> Option<&SigningKey> {
        self.unlocked.as_ref()?.signing_key.as_ref()
    }

    /// The laptop's public card: device id and name, its own age
    /// recipient (receipts are encrypted to it) and its signing key.
    pub fn device_card(&self) -> Result<DeviceCard, StoreError> {
        let u = self.unlocked()?;
        let key = u.signing_key.as_ref().ok_or(StoreError::NoSigningKey)?;
        Ok(DeviceCard {
            device_id: self.config.device_id.clone(),
            device_name: self.config.device_name.clone(),
            recipient: Recipient::from(u.device.clone()),
            signing_key: key.public().clone(),
        })
    }

    /// The organisation's signing key pinned on this laptop (receipts are
    /// checked with it); `None` when locked or when no card was taken.
    pub fn org_signing_key(&self) -> Option<VerifyingKey> {
        Some(self.unlocked.as_ref()?.org.as_ref()?.signing_key.clone())
    }

    /// The pinned organisation (key, card fingerprint, name), if any.
    pub fn pinned_org(&self) -> Option<PinnedOrg> {
        self.unlocked.as_ref()?.org.clone()
    }

    /// Take an organisation card on a laptop that already exists: pin its
    /// signing key and make its recipients (and backups) the vault's
    /// recipients. `passphrase` must be the current one (checked again: the
    /// identity file is sealed anew with it). A card with another signing
    /// key than the pinned one is refused unless `replace`: receipts signed
    /// by whoever holds that key would otherwise be trusted.
    pub fn pin_org_card(
        &mut self,
        card: &OrgCard,
        passphrase: &SecretString,
        replace: bool,
    ) -> Result<(), StoreError> {
        let u = self.unlocked()?;
        // Another signing key, or other recipients: both need `replace`
        // (receipts would be trusted from another key; visits would be
        // encrypted to other keys).
        if let Some(old) = &u.org
            && !replace
        {
            if old.signing_key != card.signing_key {
                return Err(StoreError::OrgKeyDiffers {
                    pinned: old.card_fingerprint.clone(),
                    offered: card.fingerprint(),
                });
            }
            if old.card_fingerprint != card.fingerprint() {
                return Err(StoreError::OrgCardDiffers {
                    pinned: old.card_fingerprint.clone(),
                    offered: card.fingerprint(),
                });
            }
        }
        let path = self.dir.join(layout::IDENTITY);
        let bytes = std::fs::read(&path).map_err(read_err(&path))?;
        let mut scrypt = age::scrypt::Identity::new(passphrase.clone());
        scrypt.set_max_work_factor(MAX_SCRYPT_LOG_N);
        open_identity(&bytes, &scrypt).map_err(|e| match e {
            IdentityOpenError::Wrong => StoreError::WrongPassphrase,
            IdentityOpenError::Damaged(r) => StoreError::IdentityDamaged {
                path: path.clone(),
                reason: r.to_string(),
            },
        })?;
        let log_n = scrypt_log_n(&bytes).unwrap_or(DEFAULT_SCRYPT_LOG_N);
        let recipients = dedup(card.all_recipients());
        if recipients.is_empty() {
            return Err(StoreError::NoRecipient);
        }
        let u = self.unlocked.as_mut().ok_or(StoreError::Locked)?;
        let before = (u.recipients.clone(), u.org.clone());
        u.recipients = recipients;
        u.org = Some(pinned_of(card));
        let u = self.unlocked.as_ref().ok_or(StoreError::Locked)?;
        if let Err(e) = self.reseal(u, passphrase, log_n) {
            let u = self.unlocked.as_mut().ok_or(StoreError::Locked)?;
            (u.recipients, u.org) = before;
            return Err(e);
        }
        Ok(())
    }

    // ---- internals ----

    fn seal_record(
        &self,
        rec: &VisitRecord,
        recipients: &[&dyn age::Recipient],
    ) -> Result<Vec<u8>, StoreError> {
        let plain = envelope::encode_record(rec).map_err(envelope_err)?;
        encrypt(&plain, recipients).map_err(StoreError::Envelope)
    }

    fn write_index(&self, index: &Index) -> Result<(), StoreError> {
        let u = self.unlocked()?;
        self.write_index_for(u, index)
    }

    fn write_index_for(&self, u: &Unlocked, index: &Index) -> Result<(), StoreError> {
        let file = IndexFileRef {
            entries: index.entries(),
            final_dir_mtime: self.final_dir_mtime(),
            arrived: u.arrived,
            removing: &u.removing,
            cases: Some(u.cases.values().collect()),
        };
        let plain = encode(INDEX, &file, index_config()).map_err(envelope_err)?;
        let ct = encrypt(&plain, &[&u.device]).map_err(StoreError::Envelope)?;
        write_atomic(&*self.fs, &self.dir.join(layout::INDEX), &ct)?;
        Ok(())
    }

    /// The modification time of `final/`, as the index records it.
    fn final_dir_mtime(&self) -> Option<(i64, u32)> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(self.dir.join(layout::FINAL)).ok()?;
        Some((m.mtime(), u32::try_from(m.mtime_nsec()).ok()?))
    }

    /// Apply `edits` (an entry to insert or replace, or `None` to remove the
    /// id) to the index and write it. If the write fails, the index in
    /// memory is left as it was, so the next change writes again.
    fn edit_index(&mut self, edits: Vec<(String, Option<IndexEntry>)>) -> Result<(), StoreError> {
        let mut u = self.unlocked.take().ok_or(StoreError::Locked)?;
        let r = self.commit_index(&mut u, edits);
        self.unlocked = Some(u);
        r
    }

    fn commit_index(
        &self,
        u: &mut Unlocked,
        edits: Vec<(String, Option<IndexEntry>)>,
    ) -> Result<(), StoreError> {
        let mut undo = Vec::with_capacity(edits.len());
        for (id, entry) in edits {
            let old = match entry {
                Some(e) => u.index.insert(e),
                None => u.index.remove(&id),
            };
            undo.push((id, old));
        }
        let r = self.write_index_for(u, &u.index);
        if r.is_err() {
            for (id, old) in undo.into_iter().rev() {
                match old {
                    Some(e) => u.index.insert(e),
                    None => u.index.remove(&id),
                };
            }
        }
        r
    }

    /// Read and decode a record file (relative path). The outer error is an
    /// I/O failure; the inner one a reason to quarantine.
    fn read_record(
        &self,
        rel: &str,
        id: &str,
    ) -> Result<Result<VisitRecord, QuarantineReason>, StoreError> {
        let u = self.unlocked()?;
        self.read_record_with(u, rel, id)
    }

    fn read_record_with(
        &self,
        u: &Unlocked,
        rel: &str,
        id: &str,
    ) -> Result<Result<VisitRecord, QuarantineReason>, StoreError> {
        let path = self.dir.join(rel);
        let bytes = match read_limited(&path, ciphertext_limit(MAX_RECORD_BYTES))
            .map_err(read_err(&path))?
        {
            Ok(b) => b,
            Err(e) => return Ok(Err(QuarantineReason::Unreadable(e))),
        };
        let rec = decrypt(&bytes, &[&u.identity], MAX_RECORD_BYTES)
            .and_then(|plain| envelope::decode_record(&plain));
        Ok(match rec {
            Ok(rec) if rec.id == id => Ok(rec),
            Ok(_) => Err(QuarantineReason::WrongVisit),
            Err(e) => Err(QuarantineReason::Unreadable(e)),
        })
    }

    fn read_stub(&self, rel: &str) -> Result<Result<Stub, QuarantineReason>, StoreError> {
        let u = self.unlocked()?;
        self.read_stub_with(u, rel)
    }

    fn read_stub_with(
        &self,
        u: &Unlocked,
        rel: &str,
    ) -> Result<Result<Stub, QuarantineReason>, StoreError> {
        let path = self.dir.join(rel);
        let bytes = match read_limited(&path, ciphertext_limit(MAX_RECORD_BYTES))
            .map_err(read_err(&path))?
        {
            Ok(b) => b,
            Err(e) => return Ok(Err(QuarantineReason::Unreadable(e))),
        };
        let stub =
            decrypt(&bytes, &[&u.identity], MAX_RECORD_BYTES).and_then(|plain| decode_stub(&plain));
        Ok(stub.map_err(QuarantineReason::Unreadable))
    }

    /// Move a file (relative path) to `quarantine/`, never overwriting
    /// anything there, and note it.
    fn quarantine(
        &mut self,
        rel: &str,
        visit_id: Option<&str>,
        reason: QuarantineReason,
    ) -> Result<QuarantineNote, StoreError> {
        let qdir = self.dir.join(layout::QUARANTINE);
        create_dir_durable(&*self.fs, &qdir)?;
        let base = rel.replace('/', "-");
        let mut name = base.clone();
        let mut n = 1;
        while qdir.join(&name).exists() {
            n += 1;
            name = format!("{base}.{n}");
        }
        let from = self.dir.join(rel);
        if from.exists() {
            move_durable(&*self.fs, &from, &qdir.join(&name))?;
        }
        let note = QuarantineNote {
            original: rel.to_string(),
            moved_to: format!("{}/{name}", layout::QUARANTINE),
            visit_id: visit_id.map(str::to_string),
            reason,
        };
        self.quarantined.push(note.clone());
        Ok(note)
    }

    /// Load the index and make it agree with the files; complete
    /// interrupted finalizes; quarantine what cannot be read. The common
    /// case reads the index, lists `drafts/` and the top folder, looks at
    /// the time of `final/`, and writes nothing. `final/` (one or two files
    /// per finalized visit) is listed only when its time differs from the
    /// one the index recorded, or when the index had to be rebuilt.
    fn reconcile(&mut self, u: &mut Unlocked) -> Result<(), StoreError> {
        let mut changed = false;

        // The index.
        let index_path = self.dir.join(layout::INDEX);
        let loaded = match read_limited(&index_path, ciphertext_limit(MAX_INDEX_BYTES)) {
            Ok(Ok(bytes)) => Some(
                decrypt(&bytes, &[&u.identity], MAX_INDEX_BYTES)
                    .and_then(|plain| decode_index(&plain)),
            ),
            Ok(Err(e)) => Some(Err(e)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(read_err(&index_path)(e)),
        };
        let mut recorded_mtime = None;
        match loaded {
            Some(Ok(file)) => {
                recorded_mtime = file.final_dir_mtime;
                u.index = Index::from_entries(file.entries);
                u.arrived = file.arrived;
                u.removing = file.removing;
                if let Some(cases) = file.cases {
                    u.cases = cases.into_iter().map(|c| (c.case_id.clone(), c)).collect();
                    u.cases_known = true;
                }
            }
            Some(Err(e)) => {
                self.quarantine(layout::INDEX, None, QuarantineReason::Unreadable(e))?;
                self.recovered.push(RecoveryNote::IndexRebuilt);
                changed = true;
            }
            None => {
                self.recovered.push(RecoveryNote::IndexRebuilt);
                changed = true;
            }
        }

        // Unfinished writes in the top folder (`.NAME.tmp-…`).
        let mut temps = 0;
        for entry in std::fs::read_dir(&self.dir)
            .map_err(read_err(&self.dir))?
            .flatten()
        {
            if is_temp_name(&entry.file_name().to_string_lossy())
                && entry.file_type().is_ok_and(|t| t.is_file())
            {
                remove_durable(&*self.fs, &entry.path())?;
                temps += 1;
            }
        }

        // A receipt whose deletions were interrupted: finish them before
        // final/ is compared with the index.
        if !u.removing.is_empty() {
            let visits = u.removing.len();
            self.finish_removing(u)?;
            self.recovered
                .push(RecoveryNote::ReceiptCompleted { visits });
            changed = true;
        }

        // drafts/ (a handful of files).
        let mut drafts: HashSet<String> = HashSet::new();
        let mut pending: Vec<String> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        let drafts_dir = self.dir.join(layout::DRAFTS);
        for entry in std::fs::read_dir(&drafts_dir).map_err(read_err(&drafts_dir))? {
            let entry = entry.map_err(read_err(&drafts_dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_temp_name(&name) {
                remove_durable(&*self.fs, &entry.path())?;
                temps += 1;
                continue;
            }
            match layout::parse_draft_name(&name) {
                Some(DraftName::Draft(id)) => {
                    drafts.insert(id);
                }
                Some(DraftName::Finalizing(id)) => pending.push(id),
                None => unknown.push(format!("{}/{name}", layout::DRAFTS)),
            }
        }
        u.pending = pending.iter().cloned().collect();

        // final/, only when it may not match the index.
        let mut finals =
            if changed || recorded_mtime.is_none() || recorded_mtime != self.final_dir_mtime() {
                Some(self.scan_final(&mut unknown, &mut temps)?)
            } else {
                None
            };
        if temps > 0 {
            self.recovered
                .push(RecoveryNote::TempFilesRemoved { count: temps });
        }
        for rel in unknown {
            self.quarantine(&rel, None, QuarantineReason::Unknown)?;
        }

        // The sequence file: never behind anything on disk.
        let seq_path = self.dir.join(layout::SEQUENCE);
        let read_seq = || -> Result<Option<u64>, StoreError> {
            match std::fs::read_to_string(&seq_path) {
                Ok(t) => Ok(t.trim().parse::<u64>().ok().filter(|&n| n > 0)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(read_err(&seq_path)(e)),
            }
        };
        let on_file = read_seq()?;
        let highest = match &finals {
            Some((visits, stubs)) => visits.iter().chain(stubs).copied().max(),
            None => u.index.entries().iter().filter_map(|e| e.sequence).max(),
        }
        .max(Some(u.arrived.highest_sequence).filter(|&s| s > 0));
        u.next_sequence = on_file.unwrap_or(1).max(highest.unwrap_or(0) + 1);

        // Interrupted finalizes (each writes the index itself).
        pending.sort();
        for id in &pending {
            if let Some(seq) = self.complete_finalize(u, id)? {
                drafts.remove(id);
                // The listing of final/ was taken before these files existed.
                if let Some((visits, stubs)) = finals.as_mut() {
                    visits.insert(seq);
                    stubs.insert(seq);
                }
            }
        }
        // (A completed finalize may have written the sequence file already.)
        if read_seq()? != Some(u.next_sequence) {
            write_atomic(
                &*self.fs,
                &seq_path,
                format!("{}\n", u.next_sequence).as_bytes(),
            )?;
            self.recovered.push(RecoveryNote::SequenceAdvanced {
                next: u.next_sequence,
            });
        }
        let final_dir = self.dir.join(layout::FINAL);
        let final_exists = |seq: u64| -> bool {
            final_dir.join(layout::visit_name(seq)).exists()
                && final_dir.join(layout::stub_name(seq)).exists()
        };

        // Drafts against the index.
        let missing: Vec<String> = u
            .index
            .entries()
            .iter()
            .filter(|e| e.status == Status::Draft && !drafts.contains(&e.id))
            .map(|e| e.id.clone())
            .collect();
        for id in missing {
            u.index.remove(&id);
            self.recovered
                .push(RecoveryNote::DraftMissing { visit_id: id });
            changed = true;
        }
        let mut unlisted: Vec<&String> = drafts
            .iter()
            .filter(|id| u.index.get(id).is_none_or(|e| e.status != Status::Draft))
            .collect();
        unlisted.sort();
        for id in unlisted {
            let rel = format!("{}/{}", layout::DRAFTS, layout::draft_name(id));
            if let Some(e) = u.index.get(id) {
                // A draft copy of a finalized visit (the draft is removed
                // before the intent in finalize, so only a restored backup
                // leaves this): the finalized record supersedes it.
                if final_exists(e.sequence.unwrap_or(0)) {
                    remove_durable(&*self.fs, &self.dir.join(&rel))?;
                    self.recovered.push(RecoveryNote::SupersededDraftRemoved {
                        visit_id: id.clone(),
                    });
                }
                continue;
            }
            match self.read_record_with(u, &rel, id)? {
                Ok(rec) if rec.finalized.is_none() => {
                    u.index.insert(IndexEntry::of(&rec));
                    self.recovered.push(RecoveryNote::DraftAdded {
                        visit_id: id.clone(),
                    });
                    changed = true;
                }
                Ok(_) => {
                    self.quarantine(&rel, Some(id), QuarantineReason::WrongVisit)?;
                }
                Err(reason) => {
                    self.quarantine(&rel, Some(id), reason)?;
                }
            }
        }

        // Finalized visits against the index, when final/ was listed.
        if let Some((visits, stubs)) = finals {
            changed |= self.reconcile_final(u, &visits, &stubs, &drafts)?;
        }

        if changed || self.final_dir_mtime() != recorded_mtime {
            self.write_index_for(u, &u.index)?;
        }
        Ok(())
    }

    /// List final/: the sequence numbers of records and of stubs. Removes
    /// unfinished writes; collects unknown names.
    fn scan_final(
        &mut self,
        unknown: &mut Vec<String>,
        temps: &mut usize,
    ) -> Result<(HashSet<u64>, HashSet<u64>), StoreError> {
        let mut visits = HashSet::new();
        let mut stubs = HashSet::new();
        let final_dir = self.dir.join(layout::FINAL);
        for entry in std::fs::read_dir(&final_dir).map_err(read_err(&final_dir))? {
            let entry = entry.map_err(read_err(&final_dir))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                unknown.push(format!("{}/{}", layout::FINAL, name.to_string_lossy()));
                continue;
            };
            match layout::parse_final_name(name) {
                Some(FinalName::Visit(s)) => {
                    visits.insert(s);
                }
                Some(FinalName::Stub(s)) => {
                    stubs.insert(s);
                }
                None if is_temp_name(name) => {
                    remove_durable(&*self.fs, &entry.path())?;
                    *temps += 1;
                }
                None => unknown.push(format!("{}/{name}", layout::FINAL)),
            }
        }
        Ok((visits, stubs))
    }

    /// Make the finalized entries of the index agree with final/. Returns
    /// whether the index changed.
    fn reconcile_final(
        &mut self,
        u: &mut Unlocked,
        visits: &HashSet<u64>,
        stubs: &HashSet<u64>,
        drafts: &HashSet<String>,
    ) -> Result<bool, StoreError> {
        let mut changed = false;
        let listed: HashSet<u64> = u
            .index
            .entries()
            .iter()
            .filter_map(|e| e.sequence)
            .collect();
        let gone: Vec<(u64, String)> = u
            .index
            .entries()
            .iter()
            .filter(|e| e.status != Status::Draft)
            .filter_map(|e| Some((e.sequence?, e.id.clone())))
            .filter(|(s, _)| !(visits.contains(s) && stubs.contains(s)))
            .collect();
        for (seq, id) in gone {
            u.index.remove(&id);
            changed = true;
            if visits.contains(&seq) {
                let rel = format!("{}/{}", layout::FINAL, layout::visit_name(seq));
                self.quarantine(&rel, Some(&id), QuarantineReason::NoStub)?;
            } else {
                if stubs.contains(&seq) {
                    let rel = format!("{}/{}", layout::FINAL, layout::stub_name(seq));
                    self.quarantine(&rel, Some(&id), QuarantineReason::Unknown)?;
                }
                self.recovered.push(RecoveryNote::FinalizedMissing {
                    visit_id: id,
                    sequence: seq,
                });
            }
        }
        let mut unlisted: Vec<u64> = visits
            .union(stubs)
            .copied()
            .filter(|s| !listed.contains(s))
            .collect();
        unlisted.sort();
        for seq in unlisted {
            let visit_rel = format!("{}/{}", layout::FINAL, layout::visit_name(seq));
            let stub_rel = format!("{}/{}", layout::FINAL, layout::stub_name(seq));
            if !visits.contains(&seq) {
                // A stub whose record is gone: nothing to list or export.
                self.quarantine(&stub_rel, None, QuarantineReason::Unknown)?;
                continue;
            }
            if !stubs.contains(&seq) {
                self.quarantine(&visit_rel, None, QuarantineReason::NoStub)?;
                continue;
            }
            match self.read_stub_with(u, &stub_rel)? {
                Ok(stub)
                    if stub.entry.sequence == Some(seq) && layout::valid_id(&stub.entry.id) =>
                {
                    let id = stub.entry.id.clone();
                    if drafts.contains(&id) {
                        remove_durable(
                            &*self.fs,
                            &self.dir.join(layout::DRAFTS).join(layout::draft_name(&id)),
                        )?;
                        self.recovered.push(RecoveryNote::SupersededDraftRemoved {
                            visit_id: id.clone(),
                        });
                    }
                    self.recovered.push(RecoveryNote::FinalizedAdded {
                        visit_id: id,
                        sequence: seq,
                    });
                    u.index.insert(stub.entry);
                    changed = true;
                }
                Ok(_) => {
                    self.quarantine(&stub_rel, None, QuarantineReason::WrongVisit)?;
                    self.quarantine(&visit_rel, None, QuarantineReason::NoStub)?;
                }
                Err(reason) => {
                    self.quarantine(&stub_rel, None, reason)?;
                    self.quarantine(&visit_rel, None, QuarantineReason::NoStub)?;
                }
            }
        }
        Ok(changed)
    }
}

fn envelope_err(e: EnvelopeError) -> StoreError {
    match e {
        EnvelopeError::TooLarge { limit } => StoreError::TooLarge {
            kind: "record",
            limit,
        },
        e => StoreError::Envelope(e),
    }
}

/// Decode the plaintext of an index envelope (every known version).
pub fn decode_index(plaintext: &[u8]) -> Result<IndexFile, EnvelopeError> {
    let (version, payload) = split(INDEX, plaintext)?;
    match version {
        1 => decode_payload::<IndexFileV1, MAX_INDEX_BYTES>(INDEX, payload, index_config())
            .map(IndexFile::from),
        2 => decode_payload::<IndexFileV2, MAX_INDEX_BYTES>(INDEX, payload, index_config())
            .map(IndexFile::from),
        3 => decode_payload(INDEX, payload, index_config()),
        found => Err(EnvelopeError::UnsupportedVersion {
            kind: INDEX.name,
            found,
            newest: INDEX.version,
        }),
    }
}

/// Decode the plaintext of a stub envelope (every known version).
pub fn decode_stub(plaintext: &[u8]) -> Result<Stub, EnvelopeError> {
    let (version, payload) = split(STUB, plaintext)?;
    match version {
        1 => decode_payload::<StubV1, MAX_RECORD_BYTES>(STUB, payload, record_config())
            .map(Stub::from),
        2 => decode_payload(STUB, payload, record_config()),
        found => Err(EnvelopeError::UnsupportedVersion {
            kind: STUB.name,
            found,
            newest: STUB.version,
        }),
    }
}

/// What a laptop keeps of an organisation card.
fn pinned_of(card: &OrgCard) -> PinnedOrg {
    PinnedOrg {
        signing_key: card.signing_key.clone(),
        card_fingerprint: card.fingerprint(),
        organisation: card.organisation.clone(),
    }
}

enum IdentityOpenError {
    Wrong,
    Damaged(&'static str),
}

/// Decrypt the identity file with the passphrase identity.
fn open_identity(
    bytes: &[u8],
    scrypt: &age::scrypt::Identity,
) -> Result<zeroize::Zeroizing<Vec<u8>>, IdentityOpenError> {
    use age::DecryptError as D;
    let decryptor = age::Decryptor::new_buffered(bytes)
        .map_err(|_| IdentityOpenError::Damaged("it is not an age file"))?;
    if !decryptor.is_scrypt() {
        return Err(IdentityOpenError::Damaged(
            "it is not protected by a passphrase",
        ));
    }
    let reader = decryptor
        .decrypt(std::iter::once(scrypt as &dyn age::Identity))
        .map_err(|e| match e {
            D::DecryptionFailed | D::NoMatchingKeys => IdentityOpenError::Wrong,
            D::ExcessiveWork { .. } => {
                IdentityOpenError::Damaged("its work factor is higher than 22")
            }
            _ => IdentityOpenError::Damaged("its header is damaged"),
        })?;
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(bytes.len()));
    std::io::Read::read_to_end(&mut std::io::Read::take(reader, 64 * 1024), &mut out)
        .map_err(|_| IdentityOpenError::Damaged("it fails its integrity check"))?;
    Ok(out)
}

/// Write `identity.age`: the sealed text, encrypted with the passphrase.
fn write_identity(
    fs: &dyn Fs,
    dir: &Path,
    sealed: &Sealed,
    passphrase: &SecretString,
    log_n: u8,
) -> Result<(), StoreError> {
    let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
    recipient.set_work_factor(log_n);
    let text = sealed.to_text();
    let ct = encrypt(text.as_bytes(), &[&recipient]).map_err(StoreError::Envelope)?;
    write_atomic(fs, &dir.join(layout::IDENTITY), &ct)?;
    Ok(())
}

/// The work factor in an scrypt age file's header (`-> scrypt SALT LOG_N`).
pub fn scrypt_log_n(age_file: &[u8]) -> Option<u8> {
    let head = &age_file[..age_file.len().min(512)];
    let text = String::from_utf8_lossy(head);
    text.lines()
        .find_map(|l| l.strip_prefix("-> scrypt "))
        .and_then(|rest| rest.split(' ').nth(1))
        .and_then(|n| n.trim().parse().ok())
}
