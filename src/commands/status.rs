//! `safevisit status`: counts only — drafts, finalized visits waiting for
//! export, exported, visits that arrived at the office (receipts), and open
//! cases. Asks for the passphrase only when the counts need the index
//! (once a visit is finalized); never prints a secret or a label.

use std::process::ExitCode;

use crate::cli::{Global, exit};
use crate::commands::secret_input;
use crate::i18n::Lang;
use crate::store::{StoreError, Vault, paths};

pub fn run(global: &Global) -> ExitCode {
    let lang: Lang = global.lang.into();
    match status(global, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("{}: {msg}", lang.pick("fout", "error"));
            ExitCode::from(exit::FAILURE)
        }
    }
}

fn status(global: &Global, lang: Lang) -> Result<(), String> {
    let dir = paths::data_dir(global.data_dir.clone())?;
    let mut vault = Vault::open(&dir).map_err(|e| e.describe(lang))?;
    let counts = match vault.counts() {
        Ok(c) => c,
        Err(StoreError::Locked) => {
            secret_input::unlock_vault(&mut vault, global, lang)?;
            vault.counts().map_err(|e| e.describe(lang))?
        }
        Err(e) => return Err(e.describe(lang)),
    };
    if vault.device().test_vault {
        eprintln!(
            "{}",
            lang.pick(
                "let op: dit is een testkluis (lage scrypt-werkfactor); nooit gebruiken voor echte bezoeken",
                "note: this is a test vault (low scrypt work factor); never use it for real visits",
            )
        );
    }
    for note in vault.recovered() {
        eprintln!("{}", note.describe(lang));
    }
    for note in vault.quarantined() {
        eprintln!("{}", note.describe(lang));
    }
    let q = vault.quarantine_count();
    if q > 0 {
        eprintln!(
            "{}",
            match lang {
                Lang::Nl => format!(
                    "let op: quarantine/ bevat {q} bestand(en) die niet konden worden gelezen; zie docs/SECURITY.md"
                ),
                Lang::En => format!(
                    "note: quarantine/ holds {q} file(s) that could not be read; see docs/SECURITY.md"
                ),
            }
        );
    }
    match lang {
        Lang::Nl => {
            println!("concepten:                    {}", counts.drafts);
            println!("afgerond, nog te exporteren:  {}", counts.finalized);
            println!("geëxporteerd:                 {}", counts.exported);
            println!("aangekomen op kantoor:        {}", counts.arrived);
            println!("open casussen:                {}", counts.cases);
        }
        Lang::En => {
            println!("drafts:                       {}", counts.drafts);
            println!("finalized, not yet exported:  {}", counts.finalized);
            println!("exported:                     {}", counts.exported);
            println!("arrived at the office:        {}", counts.arrived);
            println!("open cases:                   {}", counts.cases);
        }
    }
    Ok(())
}
