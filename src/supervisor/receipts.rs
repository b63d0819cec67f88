//! Receipts written at the office after an import: for every enrolled
//! device that had visits in the run, `DIR/receipts/<device>-<n>.age`, a
//! [`crate::receipt`] signed with the organisation's signing key and
//! encrypted to the laptop's own recipient from its device card. It lists
//! the visits of the run that are in the ledger — new ones, and ones that
//! were there already with the same record (so a lost receipt comes back
//! when the laptop exports again, or when the same bundle file is imported
//! again). Conflicting and refused records are
//! never in a receipt: the laptop keeps them.
//!
//! A receipt also lists the cases closed at the office (or on another
//! laptop) that the device holds visits of (ledger table `case_notices`),
//! each once: a device that is to learn of one gets a receipt even when it
//! sent nothing new (receipt format 2).
//!
//! Numbers count up per device (ledger table `receipts`). The folder is
//! 0700, every file 0600, written atomically.

use std::collections::BTreeMap;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use crate::supervisor::db::p;

use crate::export::manifest::Manifest;
use crate::i18n::Lang;
use crate::receipt::{self, Receipt, ReceiptError, ReceiptVisit};
use crate::signing::SigningKey;
use crate::supervisor::import::BundleReport;
use crate::supervisor::ledger::{Ledger, LedgerError};
use crate::supervisor::{devices, reports};

/// The receipts folder in the office folder.
pub const FOLDER: &str = "receipts";

/// One receipt written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenReceipt {
    pub device_id: String,
    pub number: u64,
    /// The file name in [`FOLDER`].
    pub file: String,
    pub visits: usize,
    /// Cases it tells the laptop are closed.
    pub closed_cases: usize,
}

/// What the receipts step did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReceiptsReport {
    pub written: Vec<WrittenReceipt>,
    /// Enrolled devices that had visits in the run but got no receipt,
    /// because the identity files hold no signing key.
    pub no_key_for: Vec<String>,
}

/// Why a receipt could not be written (the import itself stands).
#[derive(Debug, thiserror::Error)]
pub enum ReceiptWriteError {
    #[error("{0}")]
    Ledger(#[from] LedgerError),
    #[error("{0}")]
    Seal(ReceiptError),
    #[error("{0}")]
    Output(#[from] reports::OutputError),
    #[error("cannot make the folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
}

impl ReceiptWriteError {
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (ReceiptWriteError::Seal(e), _) => e.describe(lang),
            (ReceiptWriteError::Ledger(e), Lang::Nl) => e.describe_nl(),
            (ReceiptWriteError::Output(e), Lang::Nl) => e.describe_nl(),
            (ReceiptWriteError::Folder { path, source }, Lang::Nl) => {
                format!(
                    "de map {path} kan niet worden gemaakt ({})",
                    crate::supervisor::import::io_nl(source)
                )
            }
            (e, _) => e.to_string(),
        }
    }
}

/// The visits of `manifest` that the ledger holds with exactly the record
/// it lists (same id, device and SHA-256): what a bundle imported before
/// delivered.
pub fn held(ledger: &Ledger, manifest: &Manifest) -> Result<Vec<ReceiptVisit>, LedgerError> {
    let mut out = Vec::new();
    for v in &manifest.visits {
        if ledger
            .conn()
            .query_opt(
                "SELECT 1 FROM visits WHERE visit_id = ?1 AND device_id = ?2 AND record_sha256 = ?3",
                p![v.id, manifest.device.id, v.sha256],
            )?
            .is_some()
        {
            out.push(ReceiptVisit {
                id: v.id.clone(),
                sequence: v.sequence,
                sha256: v.sha256.clone(),
            });
        }
    }
    Ok(out)
}

/// The visits of the run that arrived, per enrolled device, each once.
fn arrived_by_device(bundles: &[BundleReport]) -> BTreeMap<String, BTreeMap<String, ReceiptVisit>> {
    let mut out: BTreeMap<String, BTreeMap<String, ReceiptVisit>> = BTreeMap::new();
    for b in bundles {
        let Some((device, _)) = &b.device else {
            continue;
        };
        if b.arrived.is_empty() {
            continue;
        }
        let entry = out.entry(device.clone()).or_default();
        for v in &b.arrived {
            entry.entry(v.id.clone()).or_insert_with(|| v.clone());
        }
    }
    out
}

/// Write the receipts of a run (see the module comment). Without `key`
/// nothing is written and the devices that would have had one are named.
pub fn write_receipts(
    ledger: &Ledger,
    dir: &Path,
    bundles: &[BundleReport],
    key: Option<&SigningKey>,
    now: &str,
) -> Result<ReceiptsReport, ReceiptWriteError> {
    let mut report = ReceiptsReport::default();
    let mut due = Vec::new();
    // Devices with visits in the run, and devices that are to learn of a
    // closed case (a receipt with no visits, if need be).
    let mut by_device = arrived_by_device(bundles);
    for device_id in ledger.devices_with_closings()? {
        by_device.entry(device_id).or_default();
    }
    for (device_id, visits) in by_device {
        let Some(d) = devices::device(ledger, &device_id)? else {
            continue;
        };
        let Some(recipient) = d.age_recipient().filter(|_| d.enrolled()) else {
            continue;
        };
        due.push((device_id, recipient, visits));
    }
    if due.is_empty() {
        return Ok(report);
    }
    let Some(key) = key else {
        report.no_key_for = due.into_iter().map(|(d, _, _)| d).collect();
        return Ok(report);
    };
    let folder = dir.join(FOLDER);
    if !folder.is_dir() {
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&folder)
            .map_err(|source| ReceiptWriteError::Folder {
                path: folder.display().to_string(),
                source,
            })?;
    }
    let mtime = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    for (device_id, recipient, visits) in due {
        let tx = ledger.conn().transaction().map_err(LedgerError::from)?;
        // Two imports at once (PostgreSQL): one receipt number each.
        crate::supervisor::ledger::lock_head(&tx)?;
        let last: i64 = tx
            .one(
                "SELECT coalesce(max(n), 0) FROM receipts WHERE device_id = ?1",
                p![device_id],
            )
            .map_err(LedgerError::from)?;
        let number = u64::try_from(last).unwrap_or(0) + 1;
        let visits: Vec<ReceiptVisit> = visits.into_values().collect();
        let count = visits.len();
        let closed: Vec<String> = tx
            .query(
                "SELECT case_id FROM case_notices WHERE device_id = ?1 AND receipt_n IS NULL
                 ORDER BY case_id",
                p![device_id],
            )
            .map_err(LedgerError::from)?
            .iter()
            .map(|r| r.get(0))
            .collect::<Result<_, _>>()
            .map_err(LedgerError::from)?;
        tx.execute(
            "UPDATE case_notices SET receipt_n = ?2 WHERE device_id = ?1 AND receipt_n IS NULL",
            p![device_id, number as i64],
        )
        .map_err(LedgerError::from)?;
        let closed_count = closed.len();
        let receipt = Receipt::new(&device_id, number, now, visits).closing(closed);
        let bytes =
            receipt::seal(&receipt, key, &recipient, mtime).map_err(ReceiptWriteError::Seal)?;
        let file = receipt::file_name(&device_id, number);
        tx.execute(
            "INSERT INTO receipts (device_id, n, created_at, file, visits) VALUES (?1, ?2, ?3, ?4, ?5)",
            p![device_id, number as i64, now, file, count as i64],
        )
        .map_err(LedgerError::from)?;
        crate::supervisor::audit::append(
            &tx,
            &crate::supervisor::audit::Entry {
                at: now.to_string(),
                action: crate::supervisor::audit::action::RECEIPTS,
                details: serde_json::json!({
                    "device": device_id,
                    "n": number,
                    "file": format!("{FOLDER}/{file}"),
                    "visits": count,
                    "closed_cases": closed_count,
                }),
            },
        )?;
        // The file first, then the row: a receipt in the ledger exists.
        reports::write_derived(&folder.join(&file), &bytes)?;
        tx.commit().map_err(LedgerError::from)?;
        report.written.push(WrittenReceipt {
            device_id,
            number,
            file,
            visits: count,
            closed_cases: closed_count,
        });
    }
    Ok(report)
}
