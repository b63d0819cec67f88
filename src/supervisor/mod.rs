//! The supervisor's office: organisation keys, importing bundles into the
//! ledger (`DIR/safevisit.sqlite`), and the reports derived from it
//! (`visits/ID.json`, `visits.csv`, `summary.txt`). docs/SUPERVISOR.md is
//! the manual; docs/FORMATS.md specifies the bundle.
//!
//! ```text
//! keys::generate(created) -> NewKey { file_text, recipient };  keys::write_key_file(path, &key)
//! keys::load_identities(path) -> Vec<Identity>                 (keygen's or age-keygen's files)
//! Office::open(dir) -> Office                                  (lock, ledger; dir made 0700 if new)
//! office.import(&bundles, &identities, now, lang, &progress) -> ImportRun
//!                                                              (every bundle, then the outputs)
//! office.import_bundle(path, &identities, now, &progress) -> BundleReport
//! office.write_outputs(lang) -> OutputsReport;  office.gaps() -> Vec<Gap>
//! office.set_policy(ImportPolicy { allow_unsigned, receipts_key })
//!                                                              (origin; receipts after the run)
//! devices::enrol(ledger, &card, now, replace) / revoke / list  (docs/SUPERVISOR.md, "Enrolling laptops")
//! keys::load_signing_key(path) -> Option<SigningKey>;  keys::add_signing_key(path)
//! ```
//!
//! The office folder holds the visits in plaintext (that is its purpose):
//! files 0600, the folder 0700 when this program creates it. Nothing here
//! ever writes to a worker's vault.

pub mod audit;
pub mod cases;
pub mod db;
pub mod devices;
pub mod erase;
pub mod findings;

pub mod import;
pub mod keys;
pub mod ledger;
pub mod pgconn;
pub mod receipts;
pub mod report;
pub mod reports;

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::i18n::Lang;
use crate::supervisor::db::p;

pub use import::{
    BundleOutcome, BundleProblem, BundleReport, Conflict, Origin, Progress, RecordProblem,
    Rejection, Timings,
};
pub use keys::Identity;
pub use ledger::{Ledger, LedgerError};
pub use receipts::{ReceiptsReport, WrittenReceipt};
pub use reports::{Gap, OutputError, OutputsReport};

/// The lock file in the office folder, held while an import runs.
pub const LOCK_FILE: &str = "safevisit.lock";

/// Why the office could not do its work (the import stops; the ledger
/// keeps every bundle committed so far, and a re-run completes the rest).
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    #[error("cannot use the office folder {}: {source}", dir.display())]
    Folder {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("another import is running in {}", dir.display())]
    Busy { dir: PathBuf },
    #[error("{0}")]
    Ledger(#[from] LedgerError),
    #[error("{0}")]
    Output(#[from] OutputError),
    #[error("{0}")]
    Receipt(#[from] receipts::ReceiptWriteError),
    #[error("the office folder {} belongs to another ledger ({kind:?})", dir.display())]
    OtherLedger { dir: PathBuf, kind: OtherLedger },
}

/// How an office folder and the ledger asked for do not belong together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtherLedger {
    /// `--ledger` given, but the folder holds a SQLite ledger of its own.
    HasSqlite,
    /// No `--ledger`, but the folder was filled from a PostgreSQL ledger.
    WantsPostgres,
    /// `--ledger` names another PostgreSQL ledger than the one the folder
    /// was filled from (their ids).
    Different { folder: String, ledger: String },
}

/// The file in an office folder filled from a PostgreSQL ledger that names
/// that ledger (its `ledger_id` in `meta`): the folder's files and marks
/// are about that ledger only.
pub const LEDGER_ID_FILE: &str = "safevisit.ledger-id";

impl OfficeError {
    /// What happened and what to do next, in Dutch or English.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (OfficeError::Folder { dir, source }, Lang::Nl) => format!(
                "De kantoormap {} is niet te gebruiken: {}. Kies met --out een map waarin u mag schrijven.",
                dir.display(),
                import::io_nl(source)
            ),
            (OfficeError::Folder { dir, source }, Lang::En) => format!(
                "Cannot use the office folder {}: {source}. Choose a folder you can write to with --out.",
                dir.display()
            ),
            (OfficeError::Busy { dir }, Lang::Nl) => format!(
                "Er loopt al een import in {}. Wacht tot die klaar is en probeer het dan opnieuw.",
                dir.display()
            ),
            (OfficeError::Busy { dir }, Lang::En) => format!(
                "Another import is running in {}. Wait for it to finish, then try again.",
                dir.display()
            ),
            // Nothing was imported: the ledger could not be opened as it is.
            (
                OfficeError::Ledger(
                    e @ (LedgerError::Connect(_)
                    | LedgerError::Older { .. }
                    | LedgerError::Newer { .. }
                    | LedgerError::Foreign),
                ),
                Lang::Nl,
            ) => format!("{}. Er is niets veranderd.", e.describe_nl()),
            (
                OfficeError::Ledger(
                    e @ (LedgerError::Connect(_)
                    | LedgerError::Older { .. }
                    | LedgerError::Newer { .. }
                    | LedgerError::Foreign),
                ),
                Lang::En,
            ) => format!("{e}. Nothing was changed."),
            (OfficeError::OtherLedger { dir, kind }, Lang::Nl) => match kind {
                OtherLedger::HasSqlite => format!(
                    "De kantoormap {} hoort bij een eigen SQLite-database (safevisit.sqlite), niet bij --ledger. \
                     Kies voor het gedeelde grootboek een andere map met --out, of laat --ledger (en SAFEVISIT_LEDGER) weg.",
                    dir.display()
                ),
                OtherLedger::WantsPostgres => format!(
                    "De kantoormap {} is gevuld uit een gedeeld grootboek op PostgreSQL: geef dat mee met --ledger \
                     (of SAFEVISIT_LEDGER). Zonder --ledger zou hier een lege SQLite-database ontstaan. Er is niets veranderd.",
                    dir.display()
                ),
                OtherLedger::Different { folder, ledger } => format!(
                    "De kantoormap {} is gevuld uit een ander grootboek (id {folder}) dan dat van --ledger (id {ledger}). \
                     Geef het juiste --ledger mee, of kies een nieuwe map met --out. Er is niets veranderd.",
                    dir.display()
                ),
            },
            (OfficeError::OtherLedger { dir, kind }, Lang::En) => match kind {
                OtherLedger::HasSqlite => format!(
                    "The office folder {} has a SQLite ledger of its own (safevisit.sqlite), not the one of --ledger. \
                     Choose another folder with --out for the shared ledger, or leave out --ledger (and SAFEVISIT_LEDGER).",
                    dir.display()
                ),
                OtherLedger::WantsPostgres => format!(
                    "The office folder {} was filled from a shared ledger on PostgreSQL: give it with --ledger \
                     (or SAFEVISIT_LEDGER). Without --ledger an empty SQLite ledger would be made here. Nothing was changed.",
                    dir.display()
                ),
                OtherLedger::Different { folder, ledger } => format!(
                    "The office folder {} was filled from another ledger (id {folder}) than the one of --ledger (id {ledger}). \
                     Give the right --ledger, or choose a new folder with --out. Nothing was changed.",
                    dir.display()
                ),
            },
            (OfficeError::Ledger(e), Lang::Nl) => format!(
                "De database (safevisit.sqlite) gaf een fout: {}. Alles tot de laatste volledige bundel is bewaard; start de import opnieuw om de rest te doen. Blijft het misgaan, zet dan een kopie van de map veilig en zie docs/SUPERVISOR.md.",
                e.describe_nl()
            ),
            (OfficeError::Ledger(e), Lang::En) => format!(
                "The database (safevisit.sqlite) failed: {e}. Everything up to the last complete bundle is kept; run the import again to do the rest. If it keeps failing, save a copy of the folder and see docs/SUPERVISOR.md."
            ),
            (OfficeError::Output(e), Lang::Nl) => format!(
                "De database is bijgewerkt, maar de afgeleide bestanden niet: {}. Start de import opnieuw (met dezelfde bundels) om ze te schrijven.",
                e.describe_nl()
            ),
            (OfficeError::Output(e), Lang::En) => format!(
                "The database is up to date, but the derived files are not: {e}. Run the import again (with the same bundles) to write them."
            ),
            (OfficeError::Receipt(e), Lang::Nl) => format!(
                "De database en de bestanden zijn bijgewerkt, maar een ontvangstbewijs kon niet worden geschreven: {}. \
                 Maak ruimte vrij of herstel de map receipts, en importeer dezelfde bundels opnieuw: dan komt het ontvangstbewijs alsnog.",
                e.describe(Lang::Nl)
            ),
            (OfficeError::Receipt(e), Lang::En) => format!(
                "The database and the files are up to date, but a receipt could not be written: {}. \
                 Free space or repair the receipts folder, and import the same bundles again: the receipt is then written.",
                e.describe(Lang::En)
            ),
        }
    }
}

/// How an import treats origin, and what it signs receipts with.
#[derive(Debug, Default)]
pub struct ImportPolicy {
    /// Accept unsigned (format-1) bundles of enrolled or unknown devices
    /// (`--allow-unsigned`, during the migration): reported loudly.
    pub allow_unsigned: bool,
    /// The organisation's signing key: receipts are written only with it.
    pub receipts_key: Option<crate::signing::SigningKey>,
}

/// The office folder, opened for an import: its lock and its ledger.
#[derive(Debug)]
pub struct Office {
    dir: PathBuf,
    ledger: Ledger,
    policy: ImportPolicy,
    _lock: File,
    options: reports::ReportOptions,
}

/// Everything one `supervisor import` run did.
#[derive(Debug)]
pub struct ImportRun {
    pub bundles: Vec<BundleReport>,
    /// Gaps after the run.
    pub gaps: Vec<Gap>,
    /// Gaps (or parts) that this run closed.
    pub closed: Vec<Gap>,
    pub outputs: OutputsReport,
    pub timings: Timings,
    /// The receipts written after the run (or why none were).
    pub receipts: ReceiptsReport,
    /// Follow-ups whose previous visit has not arrived, after the run.
    pub missing_previous: Vec<ledger::MissingPrevious>,
    /// Of those missing before the run, the ones whose previous visit
    /// arrived in it.
    pub previous_arrived: Vec<ledger::MissingPrevious>,
    /// Case files (`cases/<id>.json`) written.
    pub case_files: usize,
}

impl ImportRun {
    pub fn new_visits(&self) -> u64 {
        self.bundles.iter().map(|b| b.new).sum()
    }
    pub fn already_imported(&self) -> u64 {
        self.bundles.iter().map(|b| b.duplicate).sum()
    }
    /// Visits erased at the office that came again: not re-imported.
    pub fn erased(&self) -> u64 {
        self.bundles.iter().map(|b| b.erased).sum()
    }
    /// Refused bundles and refused records.
    pub fn rejected(&self) -> u64 {
        self.bundles
            .iter()
            .map(|b| match b.outcome {
                BundleOutcome::Rejected(_) => 1,
                _ => b.rejections.len() as u64 + b.more_rejections,
            })
            .sum()
    }
    pub fn conflicts(&self) -> u64 {
        self.bundles.iter().map(|b| b.conflicts.len() as u64).sum()
    }
    /// Records decrypted in this run.
    pub fn records(&self) -> u64 {
        self.bundles.iter().map(|b| b.records).sum()
    }
    /// Everything was imported: nothing refused, no conflict (exit 0).
    pub fn all_imported(&self) -> bool {
        self.rejected() == 0 && self.conflicts() == 0
    }

    /// The one-line result: "12 new, 3 already imported, 1 rejected, gaps: 1".
    pub fn result_line(&self, lang: Lang) -> String {
        let mut line = match lang {
            Lang::Nl => format!(
                "{} nieuw, {} al geïmporteerd, {} afgewezen, gaten: {}",
                self.new_visits(),
                self.already_imported(),
                self.rejected(),
                self.gaps.len()
            ),
            Lang::En => format!(
                "{} new, {} already imported, {} rejected, gaps: {}",
                self.new_visits(),
                self.already_imported(),
                self.rejected(),
                self.gaps.len()
            ),
        };
        if self.erased() > 0 {
            line.push_str(&format!(
                ", {}: {}",
                lang.pick("gewist, niet opnieuw ingelezen", "erased, not re-imported"),
                self.erased()
            ));
        }
        if self.conflicts() > 0 {
            line.push_str(&format!(
                ", {}: {}",
                lang.pick("conflicten", "conflicts"),
                self.conflicts()
            ));
        }
        if !self.missing_previous.is_empty() {
            line.push_str(&format!(
                ", {}: {}",
                lang.pick("vorig bezoek ontbreekt", "previous visit missing"),
                self.missing_previous.len()
            ));
        }
        if !self.receipts.written.is_empty() {
            let files: Vec<String> = self
                .receipts
                .written
                .iter()
                .map(|r| format!("{}/{}", receipts::FOLDER, r.file))
                .collect();
            line.push_str(&format!(
                ", {}: {}",
                lang.pick("ontvangstbewijzen", "receipts"),
                files.join(" ")
            ));
        }
        line
    }

    /// Bundles accepted without a signature (`--allow-unsigned`).
    pub fn unsigned(&self) -> u64 {
        self.bundles
            .iter()
            .filter(|b| b.origin == Some(Origin::Unsigned))
            .count() as u64
    }
}

impl Office {
    /// Open (creating if needed) the office folder `dir`: take its lock
    /// (a second import is refused at once) and open its ledger.
    pub fn open(dir: &Path) -> Result<Office, OfficeError> {
        Office::open_at(dir, None)
    }

    /// [`Office::open`] with the ledger elsewhere: `ledger`, a PostgreSQL
    /// connection string (`--ledger`), or `None` for `DIR/safevisit.sqlite`.
    /// The folder still holds the outputs and the lock (and, for a ledger
    /// on PostgreSQL, which several folders may share, its own marks of
    /// the files written).
    pub fn open_at(dir: &Path, ledger: Option<&str>) -> Result<Office, OfficeError> {
        let folder = |source| OfficeError::Folder {
            dir: dir.to_path_buf(),
            source,
        };
        if !dir.is_dir() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(folder)?;
        }
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(dir.join(LOCK_FILE))
            .map_err(folder)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(OfficeError::Busy {
                    dir: dir.to_path_buf(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(folder(e)),
        }
        let location = ledger::Location::for_office(dir, ledger);
        let postgres = matches!(location, ledger::Location::Postgres(_));
        let other = |kind| OfficeError::OtherLedger {
            dir: dir.to_path_buf(),
            kind,
        };
        // A folder belongs to one ledger: a forgotten --ledger must not
        // make an empty SQLite ledger and empty outputs beside the files
        // of a shared one, nor the other way round.
        let id_file = dir.join(LEDGER_ID_FILE);
        let folder_id = match std::fs::read_to_string(&id_file) {
            Ok(text) => Some(text.trim().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(folder(e)),
        };
        let has_marks = dir.join(ledger::MARKS_FILE).exists();
        if postgres && dir.join(ledger::FILE).exists() {
            return Err(other(OtherLedger::HasSqlite));
        }
        if !postgres && (folder_id.is_some() || has_marks) {
            return Err(other(OtherLedger::WantsPostgres));
        }
        let mut ledger = location.open()?;
        if postgres {
            let id = ledger.ledger_id()?;
            match folder_id {
                Some(f) if f != id => {
                    return Err(other(OtherLedger::Different {
                        folder: f,
                        ledger: id,
                    }));
                }
                Some(_) => {}
                None => reports::write_derived(&id_file, format!("{id}\n").as_bytes())?,
            }
            ledger.keep_marks_in(dir.join(ledger::MARKS_FILE));
        }
        Ok(Office {
            dir: dir.to_path_buf(),
            ledger,
            policy: ImportPolicy::default(),
            _lock: lock,
            options: reports::ReportOptions::default(),
        })
    }

    /// How the following imports treat origin and receipts.
    pub fn set_policy(&mut self, policy: ImportPolicy) {
        self.policy = policy;
    }

    /// The checklists the office knows besides the bundled ones (from
    /// `--checklists DIR`): their scores and outcomes get CSV columns.
    pub fn set_catalog(&mut self, catalog: crate::checklist::Catalog) {
        self.options.catalog = Some(std::sync::Arc::new(catalog));
    }

    /// Also write `visits-excel.csv` (`;`-separated, UTF-8 with a BOM).
    pub fn set_excel(&mut self, excel: bool) {
        self.options.excel = excel;
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Import one bundle (its own transaction). `now`: `YYYY-MM-DDTHH:MM:SS`.
    pub fn import_bundle(
        &mut self,
        path: &Path,
        identities: &[Identity],
        now: &str,
        progress: &dyn Progress,
    ) -> Result<BundleReport, OfficeError> {
        Ok(import::import_bundle(
            &mut self.ledger,
            path,
            identities,
            now,
            self.policy.allow_unsigned,
            progress,
        )?)
    }

    /// Bring the derived files up to date with the ledger.
    pub fn write_outputs(&mut self, lang: Lang) -> Result<OutputsReport, OfficeError> {
        let report = reports::write_outputs_with(
            &mut self.ledger,
            &self.dir,
            lang,
            None,
            &HashSet::new(),
            &self.options,
        )?;
        let cases = cases::write_case_files(&mut self.ledger, &self.dir, &HashSet::new())?;
        self.write_report(lang)?;
        self.note_outputs(&report, cases, "all")?;
        Ok(report)
    }

    /// Note in the audit log that the derived files and the report were
    /// written again outside an import (`scope`: `all`, or `changed`
    /// cases only).
    fn note_outputs(
        &self,
        report: &OutputsReport,
        case_files: usize,
        scope: &str,
    ) -> Result<(), OfficeError> {
        audit::append(
            self.ledger.conn(),
            &audit::Entry {
                at: audit::now(),
                action: audit::action::OUTPUTS,
                details: serde_json::json!({
                    "scope": scope,
                    "csv_rows": report.csv_rows,
                    "json_written": report.json_written,
                    "case_files": case_files,
                    "report": true,
                }),
            },
        )?;
        Ok(())
    }

    /// The office report (`DIR/report/`), after the other outputs.
    /// First, the files of erased visits that an interrupted erasure left
    /// behind are removed (every writing of the outputs comes here).
    fn write_report(&self, lang: Lang) -> Result<(), OfficeError> {
        let left = erase::leftover_files(&self.ledger, &self.dir)?;
        erase::remove_paths(&self.dir, &left)?;
        let bundled;
        let catalog = match &self.options.catalog {
            Some(c) => c.as_ref(),
            None => {
                bundled = crate::checklist::Catalog::bundled();
                &bundled
            }
        };
        report::write_report(&self.ledger, self.ledger.conn(), &self.dir, lang, catalog)
            .map_err(reports::OutputError::from)?;
        Ok(())
    }

    /// Close a case at the office (see [`ledger::Ledger::close_case`]):
    /// `false` when it was closed already.
    pub fn close_case(
        &mut self,
        case_id: &str,
        closed_on: &str,
        reason: &str,
        now: &str,
    ) -> Result<bool, OfficeError> {
        Ok(self.ledger.close_case(case_id, closed_on, reason, now)?)
    }

    /// The derived files after a change outside an import (a case closed):
    /// the CSV files and the summary, and the files of the `changed` cases.
    pub fn write_outputs_for(
        &mut self,
        lang: Lang,
        changed: &HashSet<String>,
    ) -> Result<OutputsReport, OfficeError> {
        let report = reports::write_outputs_with(
            &mut self.ledger,
            &self.dir,
            lang,
            None,
            &HashSet::new(),
            &self.options,
        )?;
        let cases = cases::write_case_files(&mut self.ledger, &self.dir, changed)?;
        self.write_report(lang)?;
        self.note_outputs(&report, cases, "changed")?;
        Ok(report)
    }

    /// Write the receipts that are due without an import: those that tell
    /// laptops of closed cases. Without `key` nothing is written and the
    /// devices are named.
    pub fn write_pending_receipts(
        &mut self,
        key: Option<&crate::signing::SigningKey>,
        now: &str,
    ) -> Result<ReceiptsReport, OfficeError> {
        Ok(receipts::write_receipts(
            &self.ledger,
            &self.dir,
            &[],
            key,
            now,
        )?)
    }

    /// Note a handover (see [`ledger::Ledger::note_handover`]).
    pub fn note_handover(
        &mut self,
        case_id: &str,
        device_id: &str,
        visit_id: &str,
        now: &str,
        file: &str,
    ) -> Result<(), OfficeError> {
        Ok(self
            .ledger
            .note_handover(case_id, device_id, visit_id, now, file)?)
    }

    /// The gaps in the ledger now.
    pub fn gaps(&self) -> Result<Vec<Gap>, OfficeError> {
        Ok(reports::gaps(&self.ledger)?)
    }

    /// Import every bundle in turn, then write the outputs; then note the
    /// run in the audit log (also a run that failed midway: what it
    /// committed).
    pub fn import(
        &mut self,
        bundles: &[PathBuf],
        identities: &[Identity],
        now: &str,
        lang: Lang,
        progress: &dyn Progress,
    ) -> Result<ImportRun, OfficeError> {
        let first_row: i64 = self
            .ledger
            .conn()
            .one("SELECT coalesce(max(bundle_id), 0) FROM bundles", p![])
            .map_err(LedgerError::from)?;
        let result = self.import_run(bundles, identities, now, lang, progress);
        let noted = audit_import(&self.ledger, first_row, now, result.as_ref().ok()).and_then(
            |mut details| {
                if let Err(e) = &result {
                    details["failed"] = serde_json::Value::from(audit::code(e));
                }
                audit::append(
                    self.ledger.conn(),
                    &audit::Entry {
                        at: now.to_string(),
                        action: audit::action::IMPORT,
                        details,
                    },
                )
            },
        );
        // A failed run reports its own error, not the log's.
        match (result, noted) {
            (Ok(_), Err(e)) => Err(e.into()),
            (result, _) => result,
        }
    }

    fn import_run(
        &mut self,
        bundles: &[PathBuf],
        identities: &[Identity],
        now: &str,
        lang: Lang,
        progress: &dyn Progress,
    ) -> Result<ImportRun, OfficeError> {
        let before = self.gaps()?;
        let missing_before = self.ledger.missing_previous()?;
        let mut run = ImportRun {
            bundles: Vec::with_capacity(bundles.len()),
            gaps: Vec::new(),
            closed: Vec::new(),
            outputs: OutputsReport::default(),
            timings: Timings::default(),
            receipts: ReceiptsReport::default(),
            missing_previous: Vec::new(),
            previous_arrived: Vec::new(),
            case_files: 0,
        };
        // Each bundle's reading and record work starts as soon as the
        // previous one's reader has finished (its last records are still
        // being worked on, then committed). The new visits' JSON files are
        // written once their bundle is committed, by a thread of their own
        // while the next bundle is imported; the ledger notes them written
        // after that thread ends.
        type Writing = Option<std::thread::JoinHandle<Result<i64, OutputError>>>;
        let finish = |ledger: &mut Ledger, w: Writing| -> Result<(), OfficeError> {
            if let Some(handle) = w {
                let through = handle
                    .join()
                    .map_err(|_| OfficeError::Ledger(LedgerError::Internal))??;
                ledger.set_docs_written_through(through)?;
            }
            Ok(())
        };
        // What an earlier, interrupted run left unwritten comes first, so
        // that the mark only ever covers files that exist.
        reports::write_pending_docs(&mut self.ledger, &self.dir)?;
        let allow_unsigned = self.policy.allow_unsigned;
        let ledger = &mut self.ledger;
        let dir = &self.dir;
        let options = &self.options;
        let mut written: HashSet<String> = HashSet::new();
        std::thread::scope(|s| -> Result<(), OfficeError> {
            let mut writing: Writing = None;
            let mut writer_failed: Option<OfficeError> = None;
            let mut next = bundles
                .first()
                .map(|p| import::start(s, p, identities, now));
            let mut i = 0;
            while let Some(current) = next.take() {
                i += 1;
                progress.bundle(i, bundles.len(), &current.file_name());
                let result = import::finish(
                    ledger,
                    current,
                    now,
                    allow_unsigned,
                    progress,
                    || {
                        next = bundles.get(i).map(|p| import::start(s, p, identities, now));
                    },
                    // The previous bundle's files, noted in this commit.
                    || match writing.take()?.join() {
                        Ok(Ok(through)) => Some(through),
                        Ok(Err(e)) => {
                            writer_failed = Some(e.into());
                            None
                        }
                        Err(_) => {
                            writer_failed = Some(OfficeError::Ledger(LedgerError::Internal));
                            None
                        }
                    },
                );
                let mut report = match result {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = finish(ledger, writing.take());
                        return Err(e.into());
                    }
                };
                if let Some(e) = writer_failed.take() {
                    return Err(e);
                }
                let clock = std::time::Instant::now();
                // (Still running when this bundle was refused or known.)
                finish(ledger, writing.take())?;
                let docs = std::mem::take(&mut report.docs);
                written.extend(docs.iter().map(|(id, _)| id.clone()));
                if !docs.is_empty() {
                    let dir = dir.clone();
                    let through = ledger.last_visit_no()?;
                    writing = Some(std::thread::spawn(move || {
                        reports::write_docs(&dir, &docs)?;
                        Ok(through)
                    }));
                }
                report.timings.outputs += clock.elapsed();
                run.timings += report.timings;
                run.bundles.push(report);
            }
            // The CSV and the summary are built while the last JSON files
            // are still being written (they need only the ledger), and the
            // files of the cases that changed are written beside them.
            let clock = std::time::Instant::now();
            let changed: HashSet<String> = run
                .bundles
                .iter()
                .flat_map(|b| b.cases.iter().cloned())
                .collect();
            let (case_ids, through) = cases::case_files_due(ledger, dir, &changed)?;
            let location = ledger.location().clone();
            let case_writer = s.spawn(move || -> Result<usize, OutputError> {
                let reader = location.open_reader()?;
                cases::write_case_files_for(&reader, dir, &case_ids)
            });
            let built = reports::build_reports_with(ledger, dir, lang, options);
            finish(ledger, writing.take())?;
            run.outputs =
                reports::write_outputs_with(ledger, dir, lang, Some(built?), &written, options)?;
            run.case_files = case_writer
                .join()
                .map_err(|_| OfficeError::Ledger(LedgerError::Internal))??;
            cases::note_case_files_written(ledger, through)?;
            run.timings.outputs += clock.elapsed();
            Ok(())
        })?;
        let clock = std::time::Instant::now();
        self.write_report(lang)?;
        run.timings.outputs += clock.elapsed();
        run.gaps = self.gaps()?;
        run.closed = reports::closed_gaps(&before, &run.gaps);
        run.missing_previous = self.ledger.missing_previous()?;
        run.previous_arrived = missing_before
            .into_iter()
            .filter(|m| !run.missing_previous.contains(m))
            .collect();
        run.receipts = receipts::write_receipts(
            &self.ledger,
            &self.dir,
            &run.bundles,
            self.policy.receipts_key.as_ref(),
            now,
        )?;
        Ok(run)
    }
}

/// The details of an import's audit entry: each bundle this run noted in
/// the ledger (its file name, SHA-256, outcome, counts and, when refused,
/// a reason code), the totals, the receipts and outputs written. Never a
/// record's content: reasons are codes, not the messages shown.
fn audit_import(
    ledger: &Ledger,
    first_row: i64,
    now: &str,
    run: Option<&ImportRun>,
) -> Result<serde_json::Value, LedgerError> {
    use serde_json::{Value, json};
    let rows = ledger.conn().query(
        "SELECT file_name, sha256, outcome, new, duplicate, conflicts, rejected FROM bundles
         WHERE bundle_id > ?1 AND seen_at = ?2 ORDER BY bundle_id",
        p![first_row, now],
    )?;
    let mut used = vec![false; rows.len()];
    let mut listed = Vec::new();
    let reports = run.map_or(&[][..], |r| &r.bundles[..]);
    // The run's own reports first (they know the reason codes), matched to
    // the ledger's rows by file name in order.
    for b in reports {
        let row = rows
            .iter()
            .enumerate()
            .find(|(i, r)| !used[*i] && r.get::<String>(0).ok().as_deref() == Some(&b.file));
        let sha256 = match row {
            Some((i, r)) => {
                used[i] = true;
                r.get::<String>(1)?
            }
            None => String::new(),
        };
        let mut entry = json!({
            "file": b.file,
            "sha256": sha256,
            "outcome": match &b.outcome {
                BundleOutcome::Imported => "imported",
                BundleOutcome::Partly => "partly",
                BundleOutcome::Rejected(_) => "rejected",
                BundleOutcome::Known => "known",
            },
            "device": b.device.as_ref().map(|d| d.0.clone()),
            "new": b.new,
            "duplicate": b.duplicate,
            "conflicts": b.conflicts.len(),
            "rejected": b.rejections.len() as u64 + b.more_rejections,
        });
        if let BundleOutcome::Rejected(problem) = &b.outcome {
            entry["reason"] = Value::from(audit::code(problem));
        }
        if !b.rejections.is_empty() {
            let mut codes: Vec<String> = b
                .rejections
                .iter()
                .map(|r| rejection_code(&r.problem))
                .collect();
            codes.sort();
            codes.dedup();
            entry["reject_reasons"] = Value::from(codes);
        }
        listed.push(entry);
    }
    // A run that failed midway: what the ledger holds of it.
    for (i, r) in rows.iter().enumerate() {
        if used[i] {
            continue;
        }
        listed.push(json!({
            "file": r.get::<String>(0)?,
            "sha256": r.get::<String>(1)?,
            "outcome": r.get::<String>(2)?,
            "new": r.get::<i64>(3)?,
            "duplicate": r.get::<i64>(4)?,
            "conflicts": r.get::<i64>(5)?,
            "rejected": r.get::<i64>(6)?,
        }));
    }
    let total = |k: &str| -> i64 { listed.iter().map(|b| b[k].as_i64().unwrap_or(0)).sum() };
    let mut details = json!({
        "bundles": listed.len(),
        "new": total("new"),
        "duplicate": total("duplicate"),
        "conflicts": total("conflicts"),
        "rejected": total("rejected"),
    });
    if let Some(run) = run {
        details["rejected"] = Value::from(run.rejected());
        details["receipts"] = Value::from(
            run.receipts
                .written
                .iter()
                .map(|r| format!("{}/{}", receipts::FOLDER, r.file))
                .collect::<Vec<_>>(),
        );
        details["outputs"] = Value::from(true);
    }
    details["files"] = Value::from(listed);
    Ok(details)
}

/// A record's refusal as a code (`wrong-hash`, `not-finalized`, …).
fn rejection_code(r: &import::RecordRejection) -> String {
    match r {
        import::RecordRejection::Record(problem) => audit::code(problem),
        other => audit::code(other),
    }
}
