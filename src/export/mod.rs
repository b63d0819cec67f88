//! Export: the finalized visits that have not left the laptop yet, as one
//! bundle file for the office — `age( tar( manifest.json, records ) )` to
//! the organisation recipients (docs/FORMATS.md, "Bundles").
//!
//! The manifest is signed with the device's signing key
//! (`manifest.json.minisig`, the archive's second file): the office checks
//! it against the key it pinned when it enrolled this laptop.
//!
//! The records go into the bundle exactly as the vault encrypted them at
//! finalize: the laptop cannot read them and never tries. A visit is marked
//! exported only after the bundle file is durable (written, `fsync`ed,
//! renamed into place, folder `fsync`ed). Never overwrites a file.
//!
//! The TUI's home screen and `safevisit export` both call [`export_bundle`].

pub mod bundle;
pub mod manifest;
pub mod tar;

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::i18n::Lang;
use crate::signing::SignatureError;
use crate::store::{FinalizedFile, StoreError, Vault};
use crate::visit::record::parse_stamp;

use self::manifest::{Device, Manifest, ManifestChecklist, ManifestVisit, record_file};

/// What an export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOutcome {
    /// The bundle written; `None` when there was nothing new to export (then
    /// no file was written).
    pub path: Option<PathBuf>,
    /// How many visits the bundle holds.
    pub visits: usize,
}

/// Why an export failed. `Display` is English; [`ExportError::describe`]
/// says what to do next in Dutch or English.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Store(Box<StoreError>),
    #[error("the time {0:?} is not of the form YYYY-MM-DDTHH:MM:SS")]
    InvalidTime(String),
    #[error("the folder {} does not exist", path.display())]
    FolderMissing { path: PathBuf },
    #[error("{} already exists; export never overwrites a file", path.display())]
    Exists { path: PathBuf },
    #[error("writing {} failed: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("this laptop has no signing key, so its bundle could not be signed")]
    NoSigningKey,
    #[error("signing the bundle failed: {0}")]
    Sign(SignatureError),
    #[error(
        "the bundle {} is complete, but the visits could not be marked as exported: {source}",
        path.display()
    )]
    NotMarked {
        path: PathBuf,
        source: Box<StoreError>,
    },
}

impl From<StoreError> for ExportError {
    fn from(e: StoreError) -> Self {
        ExportError::Store(Box::new(e))
    }
}

impl ExportError {
    /// What happened and what to do next, in Dutch or English.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (ExportError::Store(e), _) => e.describe(lang),
            (ExportError::InvalidTime(t), Lang::Nl) => {
                format!(
                    "De tijd {t:?} heeft niet de vorm JJJJ-MM-DDTUU:MM:SS; dit is een fout in het programma."
                )
            }
            (ExportError::InvalidTime(t), Lang::En) => {
                format!("The time {t:?} is not of the form YYYY-MM-DDTHH:MM:SS; this is a bug.")
            }
            (ExportError::FolderMissing { path }, Lang::Nl) => format!(
                "De map {} bestaat niet. Steek de USB-stick in, of kies een bestaande map.",
                path.display()
            ),
            (ExportError::FolderMissing { path }, Lang::En) => format!(
                "The folder {} does not exist. Insert the USB stick, or choose an existing folder.",
                path.display()
            ),
            (ExportError::Exists { path }, Lang::Nl) => format!(
                "{} bestaat al; exporteren overschrijft nooit een bestand. Kies een andere naam, of geef een map op (dan kiest safevisit een vrije naam).",
                path.display()
            ),
            (ExportError::Exists { path }, Lang::En) => format!(
                "{} already exists; export never overwrites a file. Choose another name, or give a folder (safevisit then picks a free name).",
                path.display()
            ),
            (ExportError::Write { path, source }, Lang::Nl) => format!(
                "Het bundelbestand {} kon niet worden geschreven ({source}). Er is niets als geëxporteerd gemarkeerd. Is de stick vol of alleen-lezen? Probeer het opnieuw, eventueel op een andere plek.",
                path.display()
            ),
            (ExportError::Write { path, source }, Lang::En) => format!(
                "The bundle file {} could not be written ({source}). Nothing was marked as exported. Is the stick full or read-only? Try again, perhaps somewhere else.",
                path.display()
            ),
            (ExportError::NoSigningKey, Lang::Nl) => {
                "Deze laptop heeft geen ondertekeningssleutel, dus de bundel kan niet worden ondertekend; er is niets geschreven. Ontgrendel de kluis opnieuw (dan wordt er een gemaakt) en exporteer daarna.".into()
            }
            (ExportError::NoSigningKey, Lang::En) => {
                "This laptop has no signing key, so the bundle cannot be signed; nothing was written. Unlock the vault again (that makes one) and export afterwards.".into()
            }
            (ExportError::Sign(e), Lang::Nl) => format!(
                "Het ondertekenen van de bundel mislukte ({e}); er is niets geschreven en niets als geëxporteerd gemarkeerd. Probeer het opnieuw."
            ),
            (ExportError::Sign(e), Lang::En) => format!(
                "Signing the bundle failed ({e}); nothing was written and nothing was marked as exported. Try again."
            ),
            (ExportError::NotMarked { path, source }, Lang::Nl) => format!(
                "De bundel {} is compleet en bruikbaar, maar de bezoeken konden niet als geëxporteerd worden gemarkeerd ({}). Ze komen bij de volgende export opnieuw mee; dat is onschuldig, kantoor ziet dubbele bezoeken als 'al geïmporteerd'.",
                path.display(),
                source.describe(lang)
            ),
            (ExportError::NotMarked { path, source }, Lang::En) => format!(
                "The bundle {} is complete and usable, but the visits could not be marked as exported ({}). They will be in the next export again; that is harmless, the office counts repeats as 'already imported'.",
                path.display(),
                source.describe(lang)
            ),
        }
    }
}

/// Write one bundle of the finalized visits not yet exported (`all`: every
/// finalized visit, for a lost stick) and mark them exported once the file
/// is durable.
///
/// `out` is a file path (never overwritten) or an existing folder (the
/// default name goes inside it); `None` is the default name in the current
/// directory. `now` (`YYYY-MM-DDTHH:MM:SS`) is the bundle's creation time.
/// The vault must be unlocked. With nothing to export no file is written
/// and `path` is `None`.
pub fn export_bundle(
    vault: &mut Vault,
    out: Option<&Path>,
    all: bool,
    now: &str,
) -> Result<ExportOutcome, ExportError> {
    let created = parse_stamp(now).ok_or_else(|| ExportError::InvalidTime(now.to_string()))?;
    let recipients = vault.recipients()?;
    // Checked before anything else: an unsigned bundle would be rejected
    // at the office. (Unlocking gives every vault a key; this is a guard.)
    if vault.signing_key().is_none() {
        return Err(ExportError::NoSigningKey);
    }
    let files = vault.finalized_records(all)?;
    // Cases closed on the laptop go to the office with the next bundle; a
    // bundle may carry only those.
    let closed = vault.closed_cases(!all)?;
    let device = vault.device();
    let name = match (files.first(), files.last()) {
        (Some(first), Some(last)) => default_name(&device.name, first.sequence, last.sequence),
        _ if !closed.is_empty() => {
            let stamp: String = now.chars().filter(char::is_ascii_digit).collect();
            default_name(&device.name, 0, 0).replace("-0-0.age", &format!("-gesloten-{stamp}.age"))
        }
        _ => {
            return Ok(ExportOutcome {
                path: None,
                visits: 0,
            });
        }
    };
    let target = target_path(out, &name)?;
    let mut manifest = manifest_of(&device.id, &device.name, now, &files);
    manifest.closed_cases = closed
        .iter()
        .map(|c| manifest::ClosedCase {
            case_id: c.case_id.clone(),
            closed_on: c.closed_at.get(..10).unwrap_or(&c.closed_at).to_string(),
            reason: c.reason.clone(),
        })
        .collect();
    let key = vault.signing_key().ok_or(ExportError::NoSigningKey)?;
    let signature = bundle::sign_manifest(&manifest, key).map_err(ExportError::Sign)?;
    let named: Vec<(String, &[u8])> = files
        .iter()
        .map(|f| (record_file(f.sequence), f.ciphertext.as_slice()))
        .collect();
    let ages: Vec<&dyn age::Recipient> = recipients
        .iter()
        .map(|r| r.age() as &dyn age::Recipient)
        .collect();
    let mtime = created.assume_utc().unix_timestamp().max(0) as u64;
    write_new(&target, |file| {
        let w = bundle::write(
            BufWriter::new(file),
            &ages,
            &manifest,
            Some(&signature),
            &named,
            mtime,
        )?;
        w.into_inner().map_err(|e| e.into_error())?.flush()
    })?;
    let ids: Vec<String> = files
        .iter()
        .filter(|f| !f.exported)
        .map(|f| f.visit_id.clone())
        .collect();
    if !ids.is_empty() {
        vault
            .mark_exported(&ids)
            .map_err(|source| ExportError::NotMarked {
                path: target.clone(),
                source: Box::new(source),
            })?;
    }
    let closed_ids: Vec<String> = closed
        .iter()
        .filter(|c| !c.exported)
        .map(|c| c.case_id.clone())
        .collect();
    if !closed_ids.is_empty() {
        vault
            .mark_closures_exported(&closed_ids)
            .map_err(|source| ExportError::NotMarked {
                path: target.clone(),
                source: Box::new(source),
            })?;
    }
    Ok(ExportOutcome {
        path: Some(target),
        visits: files.len(),
    })
}

/// The manifest of a bundle of `files`.
pub fn manifest_of(
    device_id: &str,
    device_name: &str,
    now: &str,
    files: &[FinalizedFile],
) -> Manifest {
    Manifest {
        format: manifest::FORMAT.into(),
        version: manifest::VERSION,
        device: Device {
            id: device_id.into(),
            name: device_name.into(),
        },
        created_at: now.into(),
        visits: files
            .iter()
            .map(|f| ManifestVisit {
                id: f.visit_id.clone(),
                sequence: f.sequence,
                file: record_file(f.sequence),
                size: f.ciphertext.len() as u64,
                sha256: f.sha256.clone(),
                finalized_at: f.finalized_at.clone(),
                checklists: f.checklists.iter().map(ManifestChecklist::from).collect(),
                case_id: Some(f.case_id.clone()),
                follows: f.follows.clone(),
            })
            .collect(),
        closed_cases: Vec::new(),
    }
}

/// `safevisit-DEVICE-FIRST-LAST.age`, the device name reduced to
/// `A-Z a-z 0-9 . _ -`.
pub fn default_name(device_name: &str, first: u64, last: u64) -> String {
    let mut dev: String = device_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    dev = dev.trim_matches(['-', '.']).to_string();
    if dev.is_empty() {
        dev = "device".into();
    }
    format!("safevisit-{dev}-{first}-{last}.age")
}

/// Where the bundle goes: `out` as a file, or the default name (made free
/// with `-2`, `-3`, … if taken) in the folder `out` or the current one.
fn target_path(out: Option<&Path>, name: &str) -> Result<PathBuf, ExportError> {
    let folder = match out {
        Some(p) if p.is_dir() => p.to_path_buf(),
        Some(p) => {
            if p.exists() {
                return Err(ExportError::Exists {
                    path: p.to_path_buf(),
                });
            }
            if p.as_os_str().to_string_lossy().ends_with('/') {
                return Err(ExportError::FolderMissing {
                    path: p.to_path_buf(),
                });
            }
            let parent = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if !parent.is_dir() {
                return Err(ExportError::FolderMissing {
                    path: parent.to_path_buf(),
                });
            }
            return Ok(p.to_path_buf());
        }
        None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
    };
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, "age"));
    for n in 1..1000 {
        let candidate = if n == 1 {
            folder.join(name)
        } else {
            folder.join(format!("{stem}-{n}.{ext}"))
        };
        if !candidate.exists() {
            return Ok(candidate);
        }
    }
    Err(ExportError::Exists {
        path: folder.join(name),
    })
}

/// Create `target` durably and never over an existing file: a temporary
/// file beside it (mode 0600, created exclusively), `fill`, `fsync`, then
/// link it into place (which fails if the target appeared meanwhile; file
/// systems without links, such as FAT on a USB stick, get a check and a
/// rename), and `fsync` the folder. On failure the temporary file is removed.
fn write_new(
    target: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), ExportError> {
    let folder = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    let random = uuid::Uuid::new_v4().simple().to_string();
    let temp = folder.join(format!(".{name}.tmp-{}", &random[..12]));
    let err = |source: io::Error| ExportError::Write {
        path: target.to_path_buf(),
        source,
    };
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
            .map_err(err)?;
        fill(&mut file).map_err(err)?;
        file.sync_all().map_err(err)?;
        drop(file);
        match std::fs::hard_link(&temp, target) {
            Ok(()) => {
                let _ = std::fs::remove_file(&temp);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(ExportError::Exists {
                    path: target.to_path_buf(),
                });
            }
            Err(_) => {
                if target.exists() {
                    return Err(ExportError::Exists {
                        path: target.to_path_buf(),
                    });
                }
                std::fs::rename(&temp, target).map_err(err)?;
            }
        }
        match File::open(folder).and_then(|d| d.sync_all()) {
            Ok(()) => Ok(()),
            // Some file systems cannot sync a folder; the file itself is synced.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(err(e)),
        }
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_are_safe_file_names() {
        assert_eq!(
            default_name("laptop-3", 14, 20),
            "safevisit-laptop-3-14-20.age"
        );
        assert_eq!(
            default_name("Kantoor laptop/Noord", 1, 1),
            "safevisit-Kantoor-laptop-Noord-1-1.age"
        );
        assert_eq!(default_name("../..", 1, 2), "safevisit-device-1-2.age");
    }

    #[test]
    fn a_taken_name_gets_a_number_and_a_given_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let name = "safevisit-laptop-3-1-2.age";
        std::fs::write(dir.path().join(name), b"oud").unwrap();
        let p = target_path(Some(dir.path()), name).unwrap();
        assert_eq!(p, dir.path().join("safevisit-laptop-3-1-2-2.age"));
        assert!(matches!(
            target_path(Some(&dir.path().join(name)), name),
            Err(ExportError::Exists { .. })
        ));
        assert!(matches!(
            target_path(Some(&dir.path().join("weg/bundel.age")), name),
            Err(ExportError::FolderMissing { .. })
        ));
        write_new(&dir.path().join(name), |f| f.write_all(b"nieuw")).unwrap_err();
        assert_eq!(std::fs::read(dir.path().join(name)).unwrap(), b"oud");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
