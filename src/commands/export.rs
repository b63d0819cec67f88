//! `safevisit export [--out FILE] [--all]`: the finalized visits not yet
//! exported, as one encrypted bundle for the office. Unlocks the vault
//! with `--passphrase-file` or by asking on the terminal; never prints a
//! label or an answer.

use std::process::ExitCode;

use crate::cli::{ExportArgs, Global, exit};
use crate::commands::secret_input;
use crate::export::export_bundle;
use crate::i18n::Lang;
use crate::store::{Vault, paths};
use crate::visit::record::format_stamp;

pub fn run(args: &ExportArgs, global: &Global) -> ExitCode {
    let lang: Lang = global.lang.into();
    match export(args, global, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("{}: {msg}", lang.pick("fout", "error"));
            ExitCode::from(exit::FAILURE)
        }
    }
}

/// The local time as `YYYY-MM-DDTHH:MM:SS` (UTC when the offset is unknown).
pub fn now_stamp() -> String {
    let now = time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    format_stamp(time::PrimitiveDateTime::new(now.date(), now.time()))
}

fn export(args: &ExportArgs, global: &Global, lang: Lang) -> Result<(), String> {
    let now = now_stamp();
    let dir = paths::data_dir(global.data_dir.clone())?;
    let mut vault = Vault::open(&dir).map_err(|e| e.describe(lang))?;
    secret_input::unlock_vault(&mut vault, global, lang)?;
    let result = export_bundle(&mut vault, args.out.as_deref(), args.all, &now);
    for note in vault.recovered() {
        eprintln!("{}", note.describe(lang));
    }
    for note in vault.quarantined() {
        eprintln!("{}", note.describe(lang));
    }
    let outcome = result.map_err(|e| e.describe(lang))?;
    match (&outcome.path, lang) {
        (None, _) => println!(
            "{}",
            lang.pick(
                "Er is niets nieuws om te exporteren; er is geen bestand geschreven.",
                "There is nothing new to export; no file was written."
            )
        ),
        (Some(p), Lang::Nl) => println!(
            "{} bezoek(en) geëxporteerd naar {}\nBreng dit bestand naar kantoor (USB-stick of gedeelde map); alleen kantoor kan het openen.",
            outcome.visits,
            p.display()
        ),
        (Some(p), Lang::En) => println!(
            "{} visit(s) exported to {}\nTake this file to the office (USB stick or shared folder); only the office can open it.",
            outcome.visits,
            p.display()
        ),
    }
    Ok(())
}
