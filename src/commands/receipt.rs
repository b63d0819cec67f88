//! `safevisit receipt FILE…`: apply receipts from the office. Each receipt
//! is checked (decrypted with this laptop's key, signature verified against
//! the pinned organisation key), then the visits it lists are deleted from
//! the laptop; only their count remains. Prints counts, never a label.
//! Shared with the TUI: [`read_receipt_file`] and [`outcome_text`].

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{Global, ReceiptArgs, exit};
use crate::commands::secret_input;
use crate::i18n::{Lang, Text};
use crate::receipt::MAX_RECEIPT_BYTES;
use crate::store::{ReceiptApplyError, ReceiptOutcome, Vault, paths};

pub fn run(args: &ReceiptArgs, global: &Global) -> ExitCode {
    let lang: Lang = global.lang.into();
    match receipts(args, global, lang) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(exit::FAILURE),
        Err(msg) => {
            eprintln!("{}: {msg}", lang.pick("fout", "error"));
            ExitCode::from(exit::FAILURE)
        }
    }
}

/// Read a receipt file: a regular file (never a FIFO or a device, so this
/// never blocks or reads without end) of at most
/// [`MAX_RECEIPT_BYTES`]. The error is a text in both languages.
pub fn read_receipt_file(path: &Path) -> Result<Vec<u8>, Text> {
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => Text::new(
            "dit bestand bestaat niet (kijk of het pad klopt en de USB-stick erin zit). Er is niets veranderd.",
            "this file does not exist (check the path, and that the USB stick is in). Nothing was changed.",
        ),
        std::io::ErrorKind::PermissionDenied => Text::new(
            "u heeft geen toestemming om dit bestand te lezen. Er is niets veranderd.",
            "you may not read this file. Nothing was changed.",
        ),
        _ => Text::new(
            format!(
                "het bestand is niet te lezen ({}). Er is niets veranderd.",
                crate::supervisor::import::io_nl(&e)
            ),
            format!("the file cannot be read ({e}). Nothing was changed."),
        ),
    };
    let not_a_file = |kind: crate::input::NotRegular| {
        Text::new(
            format!(
                "dit is {}, geen ontvangstbewijs. Er is niets veranderd.",
                kind.name(Lang::Nl)
            ),
            format!(
                "this is {}, not a receipt. Nothing was changed.",
                kind.name(Lang::En)
            ),
        )
    };
    let too_large = || {
        Text::new(
            format!(
                "het bestand is groter dan {MAX_RECEIPT_BYTES} bytes, dus geen ontvangstbewijs. Er is niets veranderd."
            ),
            format!(
                "the file is larger than {MAX_RECEIPT_BYTES} bytes, so not a receipt. Nothing was changed."
            ),
        )
    };
    // Looked at before it is opened (opening a FIFO would wait for a
    // writer), opened without blocking, and looked at again once open.
    let (file, size) = crate::input::open_regular(path).map_err(|e| match e {
        crate::input::InputError::Io(e) => io(e),
        crate::input::InputError::NotRegular(kind) => not_a_file(kind),
    })?;
    if size > MAX_RECEIPT_BYTES as u64 {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(MAX_RECEIPT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() > MAX_RECEIPT_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

fn visits_nl(n: usize) -> String {
    if n == 1 {
        "1 bezoek".into()
    } else {
        format!("{n} bezoeken")
    }
}

fn visits_en(n: usize) -> String {
    if n == 1 {
        "1 visit".into()
    } else {
        format!("{n} visits")
    }
}

/// What a receipt did, in one line per language (counts only).
pub fn outcome_text(o: &ReceiptOutcome) -> Text {
    let mut nl = format!(
        "ontvangstbewijs {}: {} aangekomen en van deze laptop verwijderd",
        o.number,
        visits_nl(o.deleted)
    );
    let mut en = format!(
        "receipt {}: {} arrived and deleted from this laptop",
        o.number,
        visits_en(o.deleted)
    );
    if o.already_gone > 0 {
        nl.push_str(&format!(
            " ({} al weg)",
            if o.already_gone == 1 {
                "1 was".to_string()
            } else {
                format!("{} waren", o.already_gone)
            }
        ));
        en.push_str(&format!(" ({} already gone)", o.already_gone));
    }
    if o.not_matching > 0 {
        nl.push_str(&format!(
            "; {} niet overeen met wat deze laptop heeft en {} bewaard",
            if o.not_matching == 1 {
                "1 bezoek kwam".to_string()
            } else {
                format!("{} bezoeken kwamen", o.not_matching)
            },
            if o.not_matching == 1 { "is" } else { "zijn" }
        ));
        en.push_str(&format!(
            "; {} did not match what this laptop holds and {} kept",
            visits_en(o.not_matching),
            if o.not_matching == 1 { "was" } else { "were" }
        ));
    }
    if o.cases_closed > 0 {
        nl.push_str(&format!(
            "; {} gesloten door kantoor",
            if o.cases_closed == 1 {
                "1 casus".to_string()
            } else {
                format!("{} casussen", o.cases_closed)
            }
        ));
        en.push_str(&format!(
            "; {} closed by the office",
            if o.cases_closed == 1 {
                "1 case".to_string()
            } else {
                format!("{} cases", o.cases_closed)
            }
        ));
    }
    nl.push_str(&format!(
        ". In totaal {} aangekomen op kantoor.",
        visits_nl(o.arrived_total as usize)
    ));
    en.push_str(&format!(
        ". {} arrived at the office in all.",
        visits_en(o.arrived_total as usize)
    ));
    Text::new(nl, en)
}

/// What to do without a pinned organisation key.
pub fn no_org_key() -> Text {
    Text::new(
        "deze laptop kent de handtekeningsleutel van de organisatie nog niet, dus een ontvangstbewijs is niet te controleren. Neem eerst de organisatiekaart: `safevisit org-card KAART`. Er is niets veranderd.",
        "this laptop does not know the organisation's signing key yet, so a receipt cannot be checked. Take the organisation card first: `safevisit org-card CARD`. Nothing was changed.",
    )
}

/// Apply the receipt in `path` to an unlocked vault.
pub fn apply_file(vault: &mut Vault, path: &Path) -> Result<ReceiptOutcome, Text> {
    let org = vault.org_signing_key().ok_or_else(no_org_key)?;
    let bytes = read_receipt_file(path)?;
    vault
        .apply_receipt_file(&bytes, &org)
        .map_err(|e: ReceiptApplyError| Text::new(e.describe(Lang::Nl), e.describe(Lang::En)))
}

/// `Ok(true)` when every file was applied.
fn receipts(args: &ReceiptArgs, global: &Global, lang: Lang) -> Result<bool, String> {
    let dir = paths::data_dir(global.data_dir.clone())?;
    let mut vault = Vault::open(&dir).map_err(|e| e.describe(lang))?;
    // Files that are not regular files are refused before the passphrase
    // is asked (and before anything is opened); the others still go on.
    let mut all_ok = true;
    let mut files = Vec::new();
    for path in &args.files {
        match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() => {
                all_ok = false;
                if let Err(t) = read_receipt_file(path) {
                    eprintln!(
                        "{}: {}: {}",
                        lang.pick("fout", "error"),
                        path.display(),
                        t.get(lang)
                    );
                }
            }
            _ => files.push(path),
        }
    }
    if files.is_empty() {
        return Ok(false);
    }
    secret_input::unlock_vault(&mut vault, global, lang)?;
    for note in vault.recovered() {
        eprintln!("{}", note.describe(lang));
    }
    if vault.org_signing_key().is_none() {
        return Err(no_org_key().get(lang).to_string());
    }
    for path in files {
        match apply_file(&mut vault, path) {
            Ok(outcome) => println!("{}: {}", path.display(), outcome_text(&outcome).get(lang)),
            Err(t) => {
                all_ok = false;
                eprintln!(
                    "{}: {}: {}",
                    lang.pick("fout", "error"),
                    path.display(),
                    t.get(lang)
                );
            }
        }
    }
    for note in vault.quarantined() {
        eprintln!("{}", note.describe(lang));
    }
    Ok(all_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outcome_reads_as_counts_in_both_languages() {
        let t = outcome_text(&ReceiptOutcome {
            number: 3,
            deleted: 5,
            already_gone: 1,
            not_matching: 0,
            arrived_total: 12,
            cases_closed: 0,
        });
        assert_eq!(
            t.nl,
            "ontvangstbewijs 3: 5 bezoeken aangekomen en van deze laptop verwijderd (1 was al weg). In totaal 12 bezoeken aangekomen op kantoor."
        );
        assert_eq!(
            t.en,
            "receipt 3: 5 visits arrived and deleted from this laptop (1 already gone). 12 visits arrived at the office in all."
        );
        let t = outcome_text(&ReceiptOutcome {
            number: 1,
            deleted: 1,
            already_gone: 0,
            not_matching: 2,
            arrived_total: 1,
            cases_closed: 2,
        });
        assert!(
            t.nl.contains("2 casussen gesloten door kantoor"),
            "{}",
            t.nl
        );
        assert!(t.en.contains("2 cases closed by the office"), "{}", t.en);
        assert!(t.nl.contains("1 bezoek aangekomen"), "{}", t.nl);
        assert!(t.nl.contains("2 bezoeken kwamen niet overeen"), "{}", t.nl);
        assert!(t.en.contains("2 visits did not match"), "{}", t.en);
    }

    #[test]
    fn a_folder_or_a_large_file_is_not_read() {
        let tmp = tempfile::tempdir().unwrap();
        let e = read_receipt_file(tmp.path()).unwrap_err();
        assert!(e.en.contains("a folder"), "{}", e.en);
        let big = tmp.path().join("big.age");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_RECEIPT_BYTES as u64 + 1).unwrap();
        let e = read_receipt_file(&big).unwrap_err();
        assert!(e.en.contains("larger than"), "{}", e.en);
        let e = read_receipt_file(&tmp.path().join("missing.age")).unwrap_err();
        assert!(e.nl.starts_with("dit bestand bestaat niet"), "{}", e.nl);
    }
}
