//! `safevisit case-import FILE…`: take over a case that the office handed
//! to this laptop (`safevisit supervisor handover`). Each file is checked
//! (decrypted with this laptop's key, signature verified against the pinned
//! organisation key, meant for this device) before its card is kept. Prints
//! the case id and the number of agreements, never a label or a name.

use std::process::ExitCode;

use crate::cli::{CaseImportArgs, Global, exit};
use crate::commands::receipt::{no_org_key, read_office_file};
use crate::commands::secret_input;
use crate::i18n::{Lang, Text};
use crate::store::{Vault, paths};

pub fn run(args: &CaseImportArgs, global: &Global) -> ExitCode {
    let lang: Lang = global.lang.into();
    match import(args, global, lang) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(exit::FAILURE),
        Err(msg) => {
            eprintln!("{}: {msg}", lang.pick("fout", "error"));
            ExitCode::from(exit::FAILURE)
        }
    }
}

fn what() -> Text {
    Text::new("overdracht van een casus", "handover of a case")
}

/// `Ok(true)` when every file was taken.
fn import(args: &CaseImportArgs, global: &Global, lang: Lang) -> Result<bool, String> {
    let dir = paths::data_dir(global.data_dir.clone())?;
    let mut vault = Vault::open(&dir).map_err(|e| e.describe(lang))?;
    // Everything that is not a readable file is refused before the
    // passphrase is asked.
    let mut all_ok = true;
    let mut files = Vec::new();
    for path in &args.files {
        match read_office_file(path, crate::handover::MAX_BYTES, &what()) {
            Ok(bytes) => files.push((path, bytes)),
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
    if files.is_empty() {
        return Ok(false);
    }
    secret_input::unlock_vault(&mut vault, global, lang)?;
    let Some(org) = vault.org_signing_key() else {
        return Err(no_org_key().get(lang).to_string());
    };
    for (path, bytes) in files {
        match vault.import_handover(&bytes, &org) {
            Ok((h, true)) => println!(
                "{}: {}",
                path.display(),
                match lang {
                    Lang::Nl => format!(
                        "casus {} overgenomen ({} afspraken, {} bezoeken). Hij staat nu op het beginscherm.",
                        h.case_id,
                        h.card.agreements.len(),
                        h.card.visits
                    ),
                    Lang::En => format!(
                        "case {} taken over ({} agreements, {} visits). It is now on the home screen.",
                        h.case_id,
                        h.card.agreements.len(),
                        h.card.visits
                    ),
                }
            ),
            Ok((h, false)) => println!(
                "{}: {}",
                path.display(),
                match lang {
                    Lang::Nl => format!(
                        "casus {} staat al op deze laptop, even nieuw of nieuwer. Er is niets veranderd.",
                        h.case_id
                    ),
                    Lang::En => format!(
                        "case {} is already on this laptop, as new or newer. Nothing was changed.",
                        h.case_id
                    ),
                }
            ),
            Err(e) => {
                all_ok = false;
                eprintln!(
                    "{}: {}: {}",
                    lang.pick("fout", "error"),
                    path.display(),
                    e.describe(lang)
                );
            }
        }
    }
    Ok(all_ok)
}
