//! The bridge from the app's effects to the real vault (`store::Vault`).
//! Every store error becomes a text in both languages that says what to do.

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::case::CaseCard;
use crate::export::export_bundle;
use crate::i18n::{Lang, Text};
use crate::store::index::{IndexEntry, Status};
use crate::store::recipients::parse_recipient;
use crate::store::{InitOptions, RecoveryNote, StoreError, Vault};
use crate::tui::event::{
    CaseEntry, ExportDone, ListEntry, ListStatus, UnlockFailure, case_entries,
};
use crate::tui::shell::VaultPort;
use crate::visit::record::{Summary, VisitRecord, format_stamp};
use time::{Date, PrimitiveDateTime};

/// How a vault made during onboarding is set up (replays make test vaults).
#[derive(Debug, Clone, Default)]
pub struct InitSettings {
    pub device_id: Option<String>,
    pub scrypt_log_n: Option<u8>,
}

pub struct StoreVault {
    dir: PathBuf,
    vault: Option<Vault>,
    settings: InitSettings,
    /// Told once, after the reply that caused it.
    notices: Vec<Text>,
}

fn text(e: &StoreError) -> Text {
    Text::new(e.describe(Lang::Nl), e.describe(Lang::En))
}

fn not_open() -> Text {
    Text::new(
        "Er is nog geen kluis op deze laptop. Doorloop eerst de eerste stappen.",
        "There is no vault on this laptop yet. Go through the first steps first.",
    )
}

fn entry(e: IndexEntry) -> ListEntry {
    ListEntry {
        id: e.id,
        date: e.date,
        label: e.label,
        status: match e.status {
            Status::Draft => ListStatus::Draft,
            Status::Finalized => ListStatus::Finalized,
            Status::Exported => ListStatus::Exported,
        },
        sequence: e.sequence,
        flags: e.red_flags,
        acute_flags: e.acute_flags,
    }
}

impl StoreVault {
    /// The vault of `dir`: `vault` is the opened (locked) vault, or `None` on
    /// a first run, when onboarding creates it.
    pub fn new(dir: &Path, vault: Option<Vault>, settings: InitSettings) -> StoreVault {
        StoreVault {
            dir: dir.to_path_buf(),
            vault,
            settings,
            notices: Vec::new(),
        }
    }

    pub fn vault(&mut self) -> Option<&mut Vault> {
        self.vault.as_mut()
    }

    pub fn into_vault(self) -> Option<Vault> {
        self.vault
    }

    fn open(&mut self) -> Result<&mut Vault, Text> {
        self.vault.as_mut().ok_or_else(not_open)
    }
}

impl VaultPort for StoreVault {
    fn init(
        &mut self,
        recipients: &[String],
        org_card: Option<&crate::cards::OrgCard>,
        device_name: &str,
        passphrase: SecretString,
    ) -> Result<(), Text> {
        let mut parsed = Vec::new();
        for r in recipients {
            parsed.push(
                parse_recipient(r)
                    .map_err(|e| Text::new(e.describe(Lang::Nl), e.describe(Lang::En)))?,
            );
        }
        let opts = InitOptions {
            recipients: parsed,
            device_name: device_name.to_string(),
            passphrase,
            device_id: self.settings.device_id.clone(),
            scrypt_log_n: self.settings.scrypt_log_n,
        };
        let vault = match org_card {
            Some(card) => Vault::init_with_org_card(&self.dir, opts, card),
            None => Vault::init(&self.dir, opts),
        }
        .map_err(|e| text(&e))?;
        self.vault = Some(vault);
        Ok(())
    }

    fn unlock(&mut self, passphrase: SecretString) -> Result<Vec<ListEntry>, UnlockFailure> {
        let vault = self
            .vault
            .as_mut()
            .ok_or_else(|| UnlockFailure::Other(not_open()))?;
        // The vault keeps its notes for the whole session: only the new ones.
        let seen = vault.recovered().len();
        match vault.unlock(&passphrase) {
            Ok(()) => {}
            Err(StoreError::WrongPassphrase) => return Err(UnlockFailure::WrongPassphrase),
            Err(e) => return Err(UnlockFailure::Other(text(&e))),
        }
        // A vault of before signing keys got one just now: say so once.
        // (Other repairs are recorded for `safevisit status`, as before.)
        for note in vault.recovered().into_iter().skip(seen) {
            if matches!(note, RecoveryNote::SigningKeyAdded { .. }) {
                self.notices
                    .push(Text::new(note.describe(Lang::Nl), note.describe(Lang::En)));
            }
        }
        self.list().map_err(UnlockFailure::Other)
    }

    fn take_notices(&mut self) -> Vec<Text> {
        std::mem::take(&mut self.notices)
    }

    fn lock(&mut self) {
        if let Some(v) = self.vault.as_mut() {
            v.lock();
        }
    }

    fn list(&mut self) -> Result<Vec<ListEntry>, Text> {
        let v = self.open()?;
        Ok(v.list()
            .map_err(|e| text(&e))?
            .into_iter()
            .map(entry)
            .collect())
    }

    fn load_draft(&mut self, id: &str) -> Result<VisitRecord, Text> {
        self.open()?.load_draft(id).map_err(|e| text(&e))
    }

    fn save_draft(&mut self, record: &VisitRecord) -> Result<(), Text> {
        self.open()?.save_draft(record).map_err(|e| text(&e))
    }

    fn discard_draft(&mut self, id: &str) -> Result<(), Text> {
        self.open()?.discard_draft(id).map_err(|e| text(&e))
    }

    fn finalize(&mut self, mut record: VisitRecord) -> Result<u64, Text> {
        let (summary, now) = match record.finalized.take() {
            Some(f) => (f.summary, f.finalized_at),
            None => (Summary::default(), record.updated_at.clone()),
        };
        self.open()?
            .finalize(record, summary, &now)
            .map_err(|e| text(&e))
    }

    fn export(
        &mut self,
        out: Option<PathBuf>,
        all: bool,
        now: PrimitiveDateTime,
    ) -> Result<ExportDone, Text> {
        let vault = self.vault.as_mut().ok_or_else(not_open)?;
        let outcome = export_bundle(vault, out.as_deref(), all, &format_stamp(now))
            .map_err(|e| Text::new(e.describe(Lang::Nl), e.describe(Lang::En)))?;
        Ok(ExportDone {
            path: outcome.path,
            visits: outcome.visits,
        })
    }

    fn arrived(&mut self) -> u64 {
        self.vault
            .as_ref()
            .and_then(|v| v.arrived().ok())
            .map_or(0, |a| a.visits)
    }

    fn apply_receipt(&mut self, path: &Path) -> Result<Text, Text> {
        let vault = self.open()?;
        let outcome = crate::commands::receipt::apply_file(vault, path)?;
        Ok(crate::commands::receipt::outcome_text(&outcome))
    }

    fn cases(&mut self, today: Date) -> Result<Vec<CaseEntry>, Text> {
        let v = self.open()?;
        let retention = v.case_retention_days();
        let cases = v.case_summaries().map_err(|e| text(&e))?;
        Ok(case_entries(cases.into_iter().cloned(), today, retention))
    }

    fn case(&mut self, id: &str) -> Result<Option<CaseCard>, Text> {
        self.open()?.case(id).map_err(|e| text(&e))
    }

    fn close_case(&mut self, id: &str, reason: &str, now: PrimitiveDateTime) -> Result<(), Text> {
        self.open()?
            .close_case(id, reason, &format_stamp(now))
            .map_err(|e| text(&e))
    }

    fn case_retention_days(&mut self) -> u32 {
        self.vault
            .as_ref()
            .map_or(crate::case::DEFAULT_RETENTION_DAYS, |v| {
                v.case_retention_days()
            })
    }
}
