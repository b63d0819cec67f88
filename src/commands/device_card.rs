//! `safevisit device-card [--out FILE] [--pub FILE]`: this laptop's public
//! card — device id and name, its own age recipient, its signing public
//! key — for the office to enrol (`safevisit supervisor enrol CARD`). The
//! card holds no secret; its fingerprint goes to stderr, to be read aloud
//! to the office by phone. `--pub` writes the signing key as a standard
//! minisign `.pub` file, for `minisign -V -p FILE -m manifest.json`.

use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{DeviceCardArgs, Global, exit};
use crate::commands::secret_input;
use crate::i18n::Lang;
use crate::store::{Vault, paths};

pub fn run(args: &DeviceCardArgs, global: &Global) -> ExitCode {
    let lang: Lang = global.lang.into();
    match device_card(args, global, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("{}: {msg}", lang.pick("fout", "error"));
            ExitCode::from(exit::FAILURE)
        }
    }
}

/// Create `path` with `bytes`: mode 0600, never over an existing file,
/// synced before it is reported as written.
pub fn write_new_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if written.is_err() {
        drop(file);
        let _ = std::fs::remove_file(path);
    }
    written
}

fn write_err(path: &Path, e: io::Error, lang: Lang) -> String {
    let shown = path.display();
    match (e.kind(), lang) {
        (io::ErrorKind::AlreadyExists, Lang::Nl) => {
            format!("{shown} bestaat al; safevisit overschrijft het niet. Kies een andere naam.")
        }
        (io::ErrorKind::AlreadyExists, Lang::En) => {
            format!("{shown} already exists; safevisit does not overwrite it. Choose another name.")
        }
        (_, Lang::Nl) => format!(
            "{shown} kon niet worden geschreven ({}).",
            crate::supervisor::import::io_nl(&e)
        ),
        (_, Lang::En) => format!("{shown} could not be written ({e})."),
    }
}

fn device_card(args: &DeviceCardArgs, global: &Global, lang: Lang) -> Result<(), String> {
    // Refuse before asking for the passphrase.
    for p in [&args.out, &args.pub_file].into_iter().flatten() {
        if p.exists() {
            return Err(write_err(p, io::ErrorKind::AlreadyExists.into(), lang));
        }
    }
    let dir = paths::data_dir(global.data_dir.clone())?;
    let mut vault = Vault::open(&dir).map_err(|e| e.describe(lang))?;
    secret_input::unlock_vault(&mut vault, global, lang)?;
    for note in vault.recovered() {
        eprintln!("{}", note.describe(lang));
    }
    let card = vault.device_card().map_err(|e| e.describe(lang))?;
    drop(vault);
    let text = card.to_text();
    match &args.out {
        Some(path) => {
            write_new_file(path, text.as_bytes()).map_err(|e| write_err(path, e, lang))?;
            eprintln!(
                "{} {}",
                lang.pick("Apparaatkaart geschreven naar", "Device card written to"),
                path.display()
            );
        }
        None => print!("{text}"),
    }
    if let Some(path) = &args.pub_file {
        write_new_file(path, card.signing_key.to_minisign_file().as_bytes())
            .map_err(|e| write_err(path, e, lang))?;
        eprintln!(
            "{} {}",
            lang.pick(
                "Publieke ondertekeningssleutel (minisign) geschreven naar",
                "Signing public key (minisign) written to"
            ),
            path.display()
        );
    }
    eprintln!();
    eprintln!(
        "{}: {}",
        lang.pick("Vingerafdruk", "Fingerprint"),
        card.fingerprint()
    );
    eprintln!(
        "{}",
        lang.pick(
            "Lees deze vingerafdruk voor aan kantoor (telefonisch), zodat kantoor weet dat de kaart van deze laptop is.",
            "Read this fingerprint to the office (by phone), so they know the card is this laptop's.",
        )
    );
    Ok(())
}
