//! `safevisit org-card CARD [--yes] [--replace]`: an existing laptop takes
//! the organisation's card. Shows the card's organisation and fingerprint
//! for a check with the office, asks to type `j`/`y` (or takes `--yes`
//! without a terminal), then pins the card's signing key (receipts are
//! checked with it) and makes its recipients and backups the laptop's
//! recipients, sealed with the passphrase.
//!
//! A laptop that already trusts another organisation key refuses a card
//! with a different signing key unless `--replace`: otherwise whoever
//! hands the laptop a card could make it trust receipts signed by anyone.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cards::{OrgCard, read_card_file};
use crate::cli::{Global, OrgCardArgs, exit};
use crate::commands::secret_input;
use crate::i18n::Lang;
use crate::store::{StoreError, Vault, paths};

pub fn run(args: &OrgCardArgs, global: &Global) -> ExitCode {
    let lang: Lang = global.lang.into();
    match org_card(args, global, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("{}: {msg}", lang.pick("fout", "error"));
            ExitCode::from(exit::FAILURE)
        }
    }
}

/// A name from a card, safe to show: control and bidi/format characters
/// (which could make the name read as something else) become `?`.
pub fn shown_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}');
            if c.is_control() || bidi { '?' } else { c }
        })
        .collect()
}

/// Read and check an organisation card file, with the error in words.
pub fn read_org_card(path: &std::path::Path, lang: Lang) -> Result<OrgCard, String> {
    let text =
        read_card_file(path).map_err(|e| format!("{}: {}", path.display(), e.describe(lang)))?;
    OrgCard::parse(&text).map_err(|e| format!("{}: {}", path.display(), e.describe(lang)))
}

/// What a person checks before a card is trusted: organisation, fingerprint,
/// how many recipients. Printed on stderr.
pub fn print_card(card: &OrgCard, lang: Lang) {
    let name = if card.organisation.is_empty() {
        lang.pick("(geen naam)", "(no name)").to_string()
    } else {
        shown_name(&card.organisation)
    };
    eprintln!("{}: {name}", lang.pick("Organisatie", "Organisation"));
    eprintln!(
        "{}: {}",
        lang.pick("Vingerafdruk", "Fingerprint"),
        card.fingerprint()
    );
    eprintln!(
        "{}: {} + {} {}",
        lang.pick("Ontvangers", "Recipients"),
        card.recipients.len(),
        card.backup_recipients.len(),
        lang.pick("back-up", "backup")
    );
}

fn org_card(args: &OrgCardArgs, global: &Global, lang: Lang) -> Result<(), String> {
    let card = read_org_card(&args.card, lang)?;
    let dir = paths::data_dir(global.data_dir.clone())?;
    let mut vault = Vault::open(&dir).map_err(|e| e.describe(lang))?;
    let passphrase = secret_input::unlock_vault_keeping(&mut vault, global, lang)?;
    for note in vault.recovered() {
        eprintln!("{}", note.describe(lang));
    }
    print_card(&card, lang);
    if let Some(pinned) = vault.pinned_org() {
        if pinned.signing_key == card.signing_key && pinned.card_fingerprint == card.fingerprint() {
            eprintln!(
                "{}",
                lang.pick(
                    "Deze kaart is al vastgelegd op deze laptop; er is niets veranderd.",
                    "This card is already pinned on this laptop; nothing was changed.",
                )
            );
            return Ok(());
        }
        if !args.replace {
            let (pinned, offered) = (pinned.card_fingerprint, card.fingerprint());
            return Err(if pinned_key_differs(&vault, &card) {
                StoreError::OrgKeyDiffers { pinned, offered }
            } else {
                StoreError::OrgCardDiffers { pinned, offered }
            }
            .describe(lang));
        }
        eprintln!(
            "{}",
            lang.pick(
                "LET OP: deze kaart vervangt de organisatiekaart die deze laptop vertrouwt (de ondertekeningssleutel of de ontvangers). Doe dit alleen als kantoor het bevestigt.",
                "WARNING: this card replaces the organisation card this laptop trusts (the signing key or the recipients). Only do this when the office confirms it.",
            )
        );
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(lang
                .pick(
                    "er is geen terminal om te bevestigen; controleer de vingerafdruk met kantoor en geef --yes mee. Er is niets veranderd.",
                    "there is no terminal to confirm on; check the fingerprint with the office and pass --yes. Nothing was changed.",
                )
                .to_string());
        }
        eprint!(
            "{}",
            lang.pick(
                "Klopt de vingerafdruk met wat kantoor zegt? Typ j om de kaart vast te leggen: ",
                "Does the fingerprint match what the office says? Type y to pin the card: ",
            )
        );
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| e.to_string())?;
        if !matches!(
            answer.trim().to_lowercase().as_str(),
            "j" | "ja" | "y" | "yes"
        ) {
            return Err(lang
                .pick(
                    "niet bevestigd; er is niets veranderd.",
                    "not confirmed; nothing was changed.",
                )
                .to_string());
        }
    }
    vault
        .pin_org_card(&card, &passphrase, args.replace)
        .map_err(|e| e.describe(lang))?;
    drop(passphrase);
    println!(
        "{}",
        lang.pick(
            "De organisatiekaart is vastgelegd: ontvangstbewijzen van kantoor worden met deze sleutel gecontroleerd, en afgeronde bezoeken worden voor de ontvangers van de kaart versleuteld.",
            "The organisation card is pinned: receipts from the office are checked with its key, and finalized visits are encrypted to the card's recipients.",
        )
    );
    Ok(())
}

/// Whether the card's signing key differs from the pinned one.
fn pinned_key_differs(vault: &Vault, card: &OrgCard) -> bool {
    vault
        .pinned_org()
        .is_some_and(|p| p.signing_key != card.signing_key)
}
