//! `safevisit init`: set this laptop up — device key, signing key,
//! organisation recipients (bare `age1…` lines or the organisation's card,
//! whose signing key is then pinned), passphrase. Refuses an existing
//! vault, a malformed or missing recipient, a damaged card and a weak
//! passphrase, each with what to do instead.

use std::path::Path;
use std::process::ExitCode;

use crate::cards::{OrgCard, is_org_card};
use crate::cli::{Global, InitArgs, exit};
use crate::commands::org_card::{print_card, read_org_card};
use crate::commands::secret_input;
use crate::i18n::Lang;
use crate::store::recipients::{Recipient, dedup, parse_recipient_from, parse_recipients_file};
use crate::store::{InitOptions, StoreError, Vault, paths};

pub fn run(args: &InitArgs, global: &Global) -> ExitCode {
    let lang: Lang = global.lang.into();
    match init(args, global, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("{}: {msg}", lang.pick("fout", "error"));
            ExitCode::from(exit::FAILURE)
        }
    }
}

fn init(args: &InitArgs, global: &Global, lang: Lang) -> Result<(), String> {
    let dir = paths::data_dir(global.data_dir.clone())?;
    // Refuse early, before asking anything.
    if Vault::exists(&dir) {
        return Err(StoreError::AlreadyExists { dir }.describe(lang));
    }
    let (recipients, card) = recipients(args, lang)?;
    if let Some(card) = &card {
        print_card(card, lang);
        eprintln!(
            "{}",
            lang.pick(
                "Vergelijk deze vingerafdruk met wat kantoor zegt, voordat u de laptop gebruikt.",
                "Compare this fingerprint with what the office says before you use the laptop.",
            )
        );
    }
    let all: Vec<Recipient> = match &card {
        Some(c) => dedup(
            recipients
                .iter()
                .cloned()
                .chain(c.all_recipients())
                .collect(),
        ),
        None => recipients.clone(),
    };
    let recipients = all;
    if recipients.is_empty() {
        return Err(StoreError::NoRecipient.describe(lang));
    }
    let device_name = match &args.device_name {
        Some(n) => n.clone(),
        None => default_device_name().ok_or_else(|| {
            lang.pick(
                "geef deze laptop een naam met --device-name NAAM (zoals kantoor de laptop ziet)",
                "give this laptop a name with --device-name NAME (as the office will see it)",
            )
            .to_string()
        })?,
    };
    crate::store::config::valid_device_name(&device_name)
        .map_err(|e| StoreError::InvalidDeviceName(e).describe(lang))?;
    let passphrase =
        secret_input::new_passphrase(global.passphrase_file.as_deref(), &device_name, lang)?;
    if recipients.len() == 1 {
        eprintln!(
            "{}",
            lang.pick(
                "waarschuwing: er is maar één ontvanger. Raakt kantoor die sleutel kwijt, dan is elk afgerond bezoek onleesbaar. \
                 Voeg een tweede ontvanger toe als back-up, waarvan de geheime sleutel offline wordt bewaard (op papier of een USB-stick in een kluis).",
                "warning: there is only one recipient. If the office loses that key, every finalized visit is unreadable. \
                 Add a second, backup recipient whose secret key is kept offline (on paper or a USB stick in a safe).",
            )
        );
    }
    let opts = InitOptions {
        recipients: recipients.clone(),
        device_name,
        passphrase,
        device_id: None,
        scrypt_log_n: None,
    };
    let vault = match &card {
        Some(card) => Vault::init_with_org_card(&dir, opts, card),
        None => Vault::init(&dir, opts),
    }
    .map_err(|e| e.describe(lang))?;
    let device = vault.device();
    let fingerprint = vault
        .device_card()
        .map(|c| c.fingerprint())
        .map_err(|e| e.describe(lang))?;
    match lang {
        Lang::Nl => {
            println!("Kluis aangemaakt in {}", dir.display());
            println!("  apparaat:   {} ({})", device.name, device.id);
            println!("  ontvangers: {}", recipients.len());
            for r in &recipients {
                println!("    {r}");
            }
            if card.is_some() {
                println!("  organisatiesleutel vastgelegd (ontvangstbewijzen)");
            }
            println!("  apparaatkaart: vingerafdruk {fingerprint}");
            println!("Geef kantoor de apparaatkaart: safevisit device-card --out KAART");
            println!("Start de app met: safevisit");
        }
        Lang::En => {
            println!("Vault created in {}", dir.display());
            println!("  device:     {} ({})", device.name, device.id);
            println!("  recipients: {}", recipients.len());
            for r in &recipients {
                println!("    {r}");
            }
            if card.is_some() {
                println!("  organisation key pinned (receipts)");
            }
            println!("  device card: fingerprint {fingerprint}");
            println!("Give the office the device card: safevisit device-card --out CARD");
            println!("Start the app with: safevisit");
        }
    }
    Ok(())
}

/// The bare recipients given, and the organisation card (from `--org-card`,
/// or a card given to `--recipients-file`). At most one card.
fn recipients(args: &InitArgs, lang: Lang) -> Result<(Vec<Recipient>, Option<OrgCard>), String> {
    let mut out = Vec::new();
    let mut cards = Vec::new();
    if let Some(path) = &args.org_card {
        cards.push(read_org_card(path, lang)?);
    }
    for r in &args.recipients {
        out.push(parse_recipient_from(r, "--recipient").map_err(|e| e.describe(lang))?);
    }
    for file in &args.recipients_file {
        match read_recipients_file(file, lang)? {
            RecipientsFile::Card(card) => cards.push(card),
            RecipientsFile::Lines(found) => out.extend(found),
        }
    }
    if cards.len() > 1 {
        return Err(lang
            .pick(
                "er is meer dan één organisatiekaart gegeven; geef er één",
                "more than one organisation card was given; give one",
            )
            .to_string());
    }
    Ok((dedup(out), cards.pop()))
}

enum RecipientsFile {
    Lines(Vec<Recipient>),
    Card(OrgCard),
}

fn read_recipients_file(path: &Path, lang: Lang) -> Result<RecipientsFile, String> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| match lang {
        Lang::Nl => format!("het ontvangersbestand {shown} is niet te lezen: {e}"),
        Lang::En => format!("cannot read the recipients file {shown}: {e}"),
    })?;
    if is_org_card(&text) {
        // Read again through the card reader (regular file, size limit).
        return read_org_card(path, lang).map(RecipientsFile::Card);
    }
    let found = parse_recipients_file(&text, &shown).map_err(|e| e.describe(lang))?;
    if found.is_empty() {
        return Err(match lang {
            Lang::Nl => format!("{shown} bevat geen ontvanger (alleen lege regels of commentaar)"),
            Lang::En => format!("{shown} holds no recipient (only blank lines or comments)"),
        });
    }
    Ok(RecipientsFile::Lines(found))
}

/// The host name, when it makes a valid device name.
fn default_device_name() -> Option<String> {
    let name = std::fs::read_to_string("/etc/hostname").ok()?;
    let name = name.trim().to_string();
    crate::store::config::valid_device_name(&name)
        .ok()
        .map(|()| name)
}
