//! A vault that lives in memory only: for the TUI's own tests and for
//! previews. It keeps nothing on disk and checks the passphrase by equality.

use std::collections::BTreeMap;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use time::PrimitiveDateTime;

use crate::checklist::model::FlagLevel;
use crate::i18n::Text;
use crate::tui::event::{ExportDone, ListEntry, ListStatus, UnlockFailure};
use crate::tui::shell::VaultPort;
use crate::visit::record::VisitRecord;

#[derive(Default)]
pub struct MemoryVault {
    passphrase: Option<SecretString>,
    unlocked: bool,
    records: BTreeMap<String, (VisitRecord, ListStatus)>,
    next_sequence: u64,
    /// How many saves were asked for (tests check autosave with it).
    pub saves: usize,
    /// Make the next save fail (tests of the failure path).
    pub fail_next_save: bool,
    /// Make the next finalize fail, as on a full disk.
    pub fail_next_finalize: bool,
    /// The organisation card given at init (tests check onboarding with it).
    pub org_card: Option<crate::cards::OrgCard>,
}

impl MemoryVault {
    /// A vault that already exists, with this passphrase.
    pub fn with_passphrase(p: &str) -> MemoryVault {
        MemoryVault {
            passphrase: Some(SecretString::from(p.to_string())),
            next_sequence: 1,
            ..MemoryVault::default()
        }
    }

    pub fn record(&self, id: &str) -> Option<&VisitRecord> {
        self.records.get(id).map(|r| &r.0)
    }

    pub fn records(&self) -> impl Iterator<Item = (&VisitRecord, ListStatus)> {
        self.records.values().map(|(r, s)| (r, *s))
    }

    fn locked() -> Text {
        Text::new("De kluis is vergrendeld.", "The vault is locked.")
    }
}

fn entry(r: &VisitRecord, status: ListStatus) -> ListEntry {
    ListEntry {
        id: r.id.clone(),
        date: r.date.clone(),
        label: r.label.clone(),
        status,
        sequence: r.finalized.as_ref().map(|f| f.sequence),
        flags: r.flags.len() as u32,
        acute_flags: r
            .flags
            .iter()
            .filter(|f| f.level == FlagLevel::Acute.key())
            .count() as u32,
    }
}

impl VaultPort for MemoryVault {
    fn init(
        &mut self,
        recipients: &[String],
        org_card: Option<&crate::cards::OrgCard>,
        _device_name: &str,
        passphrase: SecretString,
    ) -> Result<(), Text> {
        self.org_card = org_card.cloned();
        if recipients.is_empty() && org_card.is_none() {
            return Err(Text::new("Geen sleutel.", "No key."));
        }
        self.passphrase = Some(passphrase);
        self.unlocked = true;
        self.next_sequence = 1;
        Ok(())
    }

    fn unlock(&mut self, passphrase: SecretString) -> Result<Vec<ListEntry>, UnlockFailure> {
        match &self.passphrase {
            Some(p) if p.expose_secret() == passphrase.expose_secret() => {
                self.unlocked = true;
                self.list().map_err(UnlockFailure::Other)
            }
            _ => Err(UnlockFailure::WrongPassphrase),
        }
    }

    fn lock(&mut self) {
        self.unlocked = false;
    }

    fn list(&mut self) -> Result<Vec<ListEntry>, Text> {
        if !self.unlocked {
            return Err(MemoryVault::locked());
        }
        Ok(self.records.values().map(|(r, s)| entry(r, *s)).collect())
    }

    fn load_draft(&mut self, id: &str) -> Result<VisitRecord, Text> {
        match self.records.get(id) {
            Some((r, ListStatus::Draft)) if self.unlocked => Ok(r.clone()),
            _ => Err(Text::new("Concept niet gevonden.", "Draft not found.")),
        }
    }

    fn save_draft(&mut self, record: &VisitRecord) -> Result<(), Text> {
        if !self.unlocked {
            return Err(MemoryVault::locked());
        }
        if std::mem::take(&mut self.fail_next_save) {
            return Err(Text::new("de schijf is vol", "the disk is full"));
        }
        self.saves += 1;
        self.records
            .insert(record.id.clone(), (record.clone(), ListStatus::Draft));
        Ok(())
    }

    fn discard_draft(&mut self, id: &str) -> Result<(), Text> {
        self.records.remove(id);
        Ok(())
    }

    fn finalize(&mut self, mut record: VisitRecord) -> Result<u64, Text> {
        if std::mem::take(&mut self.fail_next_finalize) {
            return Err(Text::new(
                "Opslaan mislukt: de schijf is vol. De vorige versie is onveranderd.",
                "Saving failed: the disk is full. The previous version is unchanged.",
            ));
        }
        let seq = self.next_sequence;
        self.next_sequence += 1;
        if let Some(f) = &mut record.finalized {
            f.sequence = seq;
            f.device_id = "memory".into();
            f.device_name = "memory".into();
        }
        self.records
            .insert(record.id.clone(), (record, ListStatus::Finalized));
        Ok(seq)
    }

    fn export(
        &mut self,
        out: Option<PathBuf>,
        _all: bool,
        _now: PrimitiveDateTime,
    ) -> Result<ExportDone, Text> {
        let mut n = 0;
        for (_, status) in self.records.values_mut() {
            if *status == ListStatus::Finalized {
                *status = ListStatus::Exported;
                n += 1;
            }
        }
        Ok(ExportDone {
            path: (n > 0).then(|| out.unwrap_or_else(|| PathBuf::from("bundle.age"))),
            visits: n,
        })
    }
}
