//! A vault that lives in memory only: for the TUI's own tests and for
//! previews. It keeps nothing on disk and checks the passphrase by equality.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use time::{Date, PrimitiveDateTime};

use crate::case::CaseCard;
use crate::checklist::model::FlagLevel;
use crate::i18n::Text;
use crate::tui::event::{
    CaseEntry, ExportDone, ListEntry, ListStatus, UnlockFailure, case_entries,
};
use crate::tui::shell::VaultPort;
use crate::visit::record::{VisitRecord, format_stamp};

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
    /// Visits that arrived at the office (receipts applied).
    pub arrived: u64,
    /// Make the next receipt fail with this reason (nothing changes).
    pub fail_next_receipt: Option<Text>,
    /// The organisation card given at init (tests check onboarding with it).
    pub org_card: Option<crate::cards::OrgCard>,
    /// The open cases, by case id: a card made at every finalize, as the
    /// real vault does.
    pub cases: BTreeMap<String, CaseCard>,
    /// Cases closed: id, reason key, time.
    pub closed: Vec<(String, String, String)>,
    /// Days before an untouched case is flagged for closing (`None`: the
    /// default, 180).
    pub retention_days: Option<u32>,
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
        // The card after this visit, unless a later visit of the case
        // already made one (as the real vault decides).
        let prior = self.cases.get(&record.case_id);
        if prior.is_none_or(|p| p.last_visit_date <= record.date) {
            let card = CaseCard::from_record(&record, prior);
            self.cases.insert(card.case_id.clone(), card);
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

    fn arrived(&mut self) -> u64 {
        self.arrived
    }

    fn cases(&mut self, today: Date) -> Result<Vec<CaseEntry>, Text> {
        if !self.unlocked {
            return Err(MemoryVault::locked());
        }
        let retention = self.case_retention_days();
        Ok(case_entries(
            self.cases.values().map(crate::case::CaseSummary::of),
            today,
            retention,
        ))
    }

    fn case(&mut self, id: &str) -> Result<Option<CaseCard>, Text> {
        if !self.unlocked {
            return Err(MemoryVault::locked());
        }
        Ok(self.cases.get(id).cloned())
    }

    fn close_case(&mut self, id: &str, reason: &str, now: PrimitiveDateTime) -> Result<(), Text> {
        if !self.unlocked {
            return Err(MemoryVault::locked());
        }
        if !crate::case::valid_close_reason(reason) {
            return Err(Text::new("Onbekende reden.", "Unknown reason."));
        }
        if self.cases.remove(id).is_none() {
            return Err(Text::new(
                "Deze casus is niet (meer) open.",
                "This case is not open (any more).",
            ));
        }
        self.closed
            .push((id.to_string(), reason.to_string(), format_stamp(now)));
        Ok(())
    }

    fn case_retention_days(&mut self) -> u32 {
        self.retention_days
            .unwrap_or(crate::case::DEFAULT_RETENTION_DAYS)
    }

    /// In memory there is no file to check: a receipt stands for "every
    /// exported visit arrived" (they are deleted and counted), unless
    /// `fail_next_receipt` is set.
    fn apply_receipt(&mut self, _path: &Path) -> Result<Text, Text> {
        if !self.unlocked {
            return Err(MemoryVault::locked());
        }
        if let Some(t) = self.fail_next_receipt.take() {
            return Err(t);
        }
        let before = self.records.len();
        self.records.retain(|_, (_, s)| *s != ListStatus::Exported);
        let n = before - self.records.len();
        self.arrived += n as u64;
        Ok(Text::new(
            format!("{n} bezoek(en) aangekomen en verwijderd"),
            format!("{n} visit(s) arrived and deleted"),
        ))
    }
}
