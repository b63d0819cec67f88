//! Getting the device passphrase into the program: from the file given with
//! `--passphrase-file` (scripts) or from the terminal without echo
//! (people). Never from the command line or the environment: both leak.
//!
//! The passphrase is kept in `SecretString` and the buffers it passed
//! through are wiped; it is never printed.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::i18n::Lang;
use crate::store::passphrase::check_strength_with;

/// Read the first line of `path` (without its line end).
pub fn from_file(path: &Path, lang: Lang) -> Result<SecretString, String> {
    let shown = path.display();
    let mut file = std::fs::File::open(path).map_err(|e| match lang {
        Lang::Nl => format!("het wachtwoordzinbestand {shown} is niet te openen: {e}"),
        Lang::En => format!("cannot open the passphrase file {shown}: {e}"),
    })?;
    if let Ok(meta) = file.metadata()
        && meta.permissions().mode() & 0o077 != 0
    {
        eprintln!(
            "{}",
            match lang {
                Lang::Nl => format!(
                    "waarschuwing: {shown} is leesbaar voor anderen; maak het privé met `chmod 600 {shown}`"
                ),
                Lang::En => format!(
                    "warning: {shown} is readable by others; make it private with `chmod 600 {shown}`"
                ),
            }
        );
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(256));
    file.by_ref()
        .take(4096)
        .read_to_end(&mut bytes)
        .map_err(|e| match lang {
            Lang::Nl => format!("het wachtwoordzinbestand {shown} is niet te lezen: {e}"),
            Lang::En => format!("cannot read the passphrase file {shown}: {e}"),
        })?;
    let line_end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let mut line = &bytes[..line_end];
    if line.last() == Some(&b'\r') {
        line = &line[..line.len() - 1];
    }
    let text = std::str::from_utf8(line).map_err(|_| match lang {
        Lang::Nl => format!("de eerste regel van {shown} is geen UTF-8-tekst"),
        Lang::En => format!("the first line of {shown} is not UTF-8 text"),
    })?;
    if text.is_empty() {
        return Err(match lang {
            Lang::Nl => format!(
                "de eerste regel van {shown} is leeg; zet de wachtwoordzin op de eerste regel"
            ),
            Lang::En => {
                format!("the first line of {shown} is empty; put the passphrase on the first line")
            }
        });
    }
    Ok(SecretString::from(text.to_string()))
}

/// Ask for the passphrase on the terminal, without echo.
pub fn prompt(question: &str, lang: Lang) -> Result<SecretString, String> {
    match rpassword::prompt_password(question) {
        Ok(s) => Ok(SecretString::from(s)),
        Err(_) => Err(lang
            .pick(
                "er is geen terminal om de wachtwoordzin te vragen; geef hem met --passphrase-file BESTAND",
                "there is no terminal to ask for the passphrase; give it with --passphrase-file FILE",
            )
            .to_string()),
    }
}

/// A new passphrase for `init`: from the file (checked), or asked twice on
/// the terminal until it is strong enough and both match (three tries).
pub fn new_passphrase(
    file: Option<&Path>,
    device_name: &str,
    lang: Lang,
) -> Result<SecretString, String> {
    if let Some(path) = file {
        let p = from_file(path, lang)?;
        check_strength_with(p.expose_secret(), &[device_name]).map_err(|w| w.describe(lang))?;
        return Ok(p);
    }
    eprintln!(
        "{}",
        lang.pick(
            "Kies een wachtwoordzin voor deze laptop: minstens 12 tekens, het liefst vier of meer gewone woorden.",
            "Choose a passphrase for this laptop: at least 12 characters, best four or more ordinary words.",
        )
    );
    for _ in 0..3 {
        let first = prompt(lang.pick("Wachtwoordzin: ", "Passphrase: "), lang)?;
        if let Err(w) = check_strength_with(first.expose_secret(), &[device_name]) {
            eprintln!("{}", w.describe(lang));
            continue;
        }
        let second = prompt(
            lang.pick("Herhaal de wachtwoordzin: ", "Repeat the passphrase: "),
            lang,
        )?;
        if first.expose_secret() != second.expose_secret() {
            eprintln!(
                "{}",
                lang.pick(
                    "De twee wachtwoordzinnen verschillen. Probeer opnieuw.",
                    "The two passphrases differ. Try again."
                )
            );
            continue;
        }
        return Ok(first);
    }
    Err(lang
        .pick(
            "geen bruikbare wachtwoordzin na drie pogingen",
            "no usable passphrase after three tries",
        )
        .to_string())
}

/// Unlock `vault` with `--passphrase-file`, or by asking on the terminal
/// (three tries). The error says what went wrong and what to do next.
pub fn unlock_vault(
    vault: &mut crate::store::Vault,
    global: &crate::cli::Global,
    lang: Lang,
) -> Result<(), String> {
    use crate::store::StoreError;
    if let Some(file) = &global.passphrase_file {
        let p = from_file(file, lang)?;
        return vault.unlock(&p).map_err(|e| e.describe(lang));
    }
    for _ in 0..3 {
        let p = prompt(lang.pick("Wachtwoordzin: ", "Passphrase: "), lang)?;
        match vault.unlock(&p) {
            Ok(()) => return Ok(()),
            Err(StoreError::WrongPassphrase) => {
                eprintln!("{}", StoreError::WrongPassphrase.describe(lang))
            }
            Err(e) => return Err(e.describe(lang)),
        }
    }
    Err(StoreError::WrongPassphrase.describe(lang))
}

/// [`unlock_vault`], keeping the passphrase that opened it: for commands
/// that seal the device identity again (`safevisit org-card`). The caller
/// drops it (wiped) as soon as it is done.
pub fn unlock_vault_keeping(
    vault: &mut crate::store::Vault,
    global: &crate::cli::Global,
    lang: Lang,
) -> Result<SecretString, String> {
    use crate::store::StoreError;
    if let Some(file) = &global.passphrase_file {
        let p = from_file(file, lang)?;
        vault.unlock(&p).map_err(|e| e.describe(lang))?;
        return Ok(p);
    }
    for _ in 0..3 {
        let p = prompt(lang.pick("Wachtwoordzin: ", "Passphrase: "), lang)?;
        match vault.unlock(&p) {
            Ok(()) => return Ok(p),
            Err(StoreError::WrongPassphrase) => {
                eprintln!("{}", StoreError::WrongPassphrase.describe(lang))
            }
            Err(e) => return Err(e.describe(lang)),
        }
    }
    Err(StoreError::WrongPassphrase.describe(lang))
}
