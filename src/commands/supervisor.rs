//! `safevisit supervisor keygen [-o FILE]` and `safevisit supervisor import
//! -i IDENTITY… --out DIR BUNDLE…`: the office side.
//!
//! Exit codes of import: 0 all imported; 3 something was rejected or kept
//! aside as a conflict (the sound input was still imported); 2 a usage
//! error; 1 any other failure.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use secrecy::ExposeSecret;

use crate::cli::{Global, SupervisorCommand, exit};
use crate::commands::export::now_stamp;
use crate::i18n::Lang;
use crate::supervisor::reports::clean;
use crate::supervisor::{
    BundleOutcome, Identity, ImportPolicy, ImportRun, Office, Origin, Progress, keys,
};

pub fn run(cmd: &SupervisorCommand, global: &Global) -> ExitCode {
    let lang: Lang = global.lang.into();
    let result = match cmd {
        SupervisorCommand::Keygen {
            output,
            add_signing_key: Some(path),
        } if output.is_none() => crate::commands::office::add_signing_key(path, lang),
        SupervisorCommand::Keygen { output, .. } => keygen(output.as_deref(), lang),
        SupervisorCommand::Import {
            identities,
            out,
            bundles,
            allow_unsigned,
        } => import(identities, out, bundles, *allow_unsigned, lang),
        other => crate::commands::office::run(other, lang),
    };
    match result {
        Ok(code) => code,
        Err((code, msg)) => {
            eprintln!("{}: {msg}", lang.pick("fout", "error"));
            ExitCode::from(code)
        }
    }
}

pub(crate) type Failure = (u8, String);

fn keygen(output: Option<&Path>, lang: Lang) -> Result<ExitCode, Failure> {
    let now = time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    let created = now
        .replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    match output {
        Some(path) => {
            let key = keys::generate_with_signing_key(&created)
                .map_err(|e| (exit::FAILURE, e.to_string()))?;
            keys::write_key_file(path, &key).map_err(|e| (exit::FAILURE, e.describe(lang)))?;
            println!("{}", key.recipient);
            eprintln!(
                "{}",
                match lang {
                    Lang::Nl => format!(
                        "Organisatiesleutel en ondertekensleutel geschreven naar {} (alleen voor u leesbaar). Houd dit bestand geheim en maak er een back-up van.\n\
                         Maak de organisatiekaart voor de laptops (safevisit init --org-card org-kaart.toml): safevisit supervisor org-card -i {} --out org-kaart.toml\n\
                         (Alleen de publieke sleutel hierboven kan ook, maar dan kan de laptop geen ontvangstbewijzen controleren: safevisit init --recipient {})\n\
                         Maak ook een tweede, reservesleutel die u offline bewaart, en zet die met --backup age1… op de kaart (zie docs/SUPERVISOR.md).",
                        path.display(),
                        path.display(),
                        key.recipient
                    ),
                    Lang::En => format!(
                        "Organisation key and signing key written to {} (readable by you only). Keep this file secret and back it up.\n\
                         Make the organisation card for the laptops (safevisit init --org-card org-card.toml): safevisit supervisor org-card -i {} --out org-card.toml\n\
                         (The public key above alone also works, but then the laptop cannot check receipts: safevisit init --recipient {})\n\
                         Also make a second, backup key that you keep offline, and put it on the card with --backup age1… (see docs/SUPERVISOR.md).",
                        path.display(),
                        path.display(),
                        key.recipient
                    ),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        None if std::io::stdout().is_terminal() => Err((
            exit::USAGE,
            lang.pick(
                "schrijf de sleutel naar een bestand met -o BESTAND; een geheime sleutel wordt niet op het scherm gezet",
                "write the key to a file with -o FILE; a secret key is not shown on a terminal",
            )
            .into(),
        )),
        None => {
            let key = keys::generate_with_signing_key(&created)
                .map_err(|e| (exit::FAILURE, e.to_string()))?;
            print!("{}", key.file_text.expose_secret());
            eprintln!(
                "{}: {}",
                lang.pick("Publieke sleutel", "Public key"),
                key.recipient
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The progress bar on stderr (only when stderr is a terminal).
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn add_total(&self, n: u64) {
        self.0.inc_length(n);
    }
    fn done(&self, n: u64) {
        self.0.inc(n);
    }
}

fn bar(lang: Lang) -> Bar {
    if !std::io::stderr().is_terminal() {
        return Bar(indicatif::ProgressBar::hidden());
    }
    let b =
        indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr());
    let template = match lang {
        Lang::Nl => "{bar:40} {pos}/{len} bezoeken  {elapsed}",
        Lang::En => "{bar:40} {pos}/{len} visits  {elapsed}",
    };
    if let Ok(style) = indicatif::ProgressStyle::default_bar().template(template) {
        b.set_style(style);
    }
    Bar(b)
}

fn import(
    identity_files: &[PathBuf],
    out: &Path,
    bundles: &[PathBuf],
    allow_unsigned: bool,
    lang: Lang,
) -> Result<ExitCode, Failure> {
    // Before any thread starts (reading the local offset needs that).
    let now = now_stamp();
    let mut identities: Vec<Identity> = Vec::new();
    let mut receipts_key = None;
    for f in identity_files {
        identities.extend(keys::load_identities(f).map_err(|e| (exit::FAILURE, e.describe(lang)))?);
        if receipts_key.is_none() {
            receipts_key =
                keys::load_signing_key(f).map_err(|e| (exit::FAILURE, e.describe(lang)))?;
        }
    }
    let mut office = Office::open(out).map_err(|e| (exit::FAILURE, e.describe(lang)))?;
    office.set_policy(ImportPolicy {
        allow_unsigned,
        receipts_key,
    });
    let progress = bar(lang);
    let run = office.import(bundles, &identities, &now, lang, &progress);
    progress.0.finish_and_clear();
    let run = run.map_err(|e| (exit::FAILURE, e.describe(lang)))?;
    report(&run, lang);
    println!("{}", run.result_line(lang));
    Ok(if run.all_imported() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::REJECTED)
    })
}

/// What went wrong or needs attention, on stderr, naming each file.
fn report(run: &ImportRun, lang: Lang) {
    for b in &run.bundles {
        match &b.outcome {
            BundleOutcome::Rejected(problem) => eprintln!(
                "{}: {}: {}",
                b.file,
                lang.pick("afgewezen", "rejected"),
                problem.describe(lang)
            ),
            BundleOutcome::Known => eprintln!(
                "{}: {}",
                b.file,
                lang.pick(
                    "al eerder volledig geïmporteerd; niets toegevoegd",
                    "already imported completely before; nothing added"
                )
            ),
            BundleOutcome::Imported | BundleOutcome::Partly => {}
        }
        if b.origin == Some(Origin::Unsigned) {
            eprintln!(
                "{}: {}",
                b.file,
                lang.pick(
                    "LET OP: NIET ONDERTEKEND, aangenomen met --allow-unsigned; wie deze bundel maakte is niet vastgesteld (zie summary.txt, NIET ONDERTEKEND)",
                    "WARNING: UNSIGNED, accepted with --allow-unsigned; who made this bundle is not established (see summary.txt, UNSIGNED)"
                )
            );
        }
        if let (Some(claimed), Some((id, _))) = (&b.claimed_name, &b.device) {
            eprintln!(
                "{}",
                match lang {
                    Lang::Nl => format!(
                        "{}: de bundel noemt apparaat {id} \"{}\"; die naam is niet overgenomen (een bundel hernoemt nooit een apparaat)",
                        b.file,
                        clean(claimed)
                    ),
                    Lang::En => format!(
                        "{}: the bundle calls device {id} \"{}\"; that name was not taken over (a bundle never renames a device)",
                        b.file,
                        clean(claimed)
                    ),
                }
            );
        }
        for r in &b.rejections {
            eprintln!(
                "{}: {}: {}",
                b.file,
                lang.pick("afgewezen", "rejected"),
                r.describe(lang)
            );
        }
        for c in &b.conflicts {
            let what = match (lang, c.same_visit) {
                (Lang::Nl, true) => format!(
                    "bezoek {} (volgnummer {}) kwam eerder aan met een andere inhoud",
                    c.visit_id, c.sequence
                ),
                (Lang::Nl, false) => format!(
                    "bezoek {} claimt volgnummer {} dat al een ander bezoek heeft",
                    c.visit_id, c.sequence
                ),
                (Lang::En, true) => format!(
                    "visit {} (sequence {}) arrived before with different contents",
                    c.visit_id, c.sequence
                ),
                (Lang::En, false) => format!(
                    "visit {} claims sequence {} which another visit has",
                    c.visit_id, c.sequence
                ),
            };
            eprintln!(
                "{}: {}: {what}; {}",
                b.file,
                lang.pick("conflict", "conflict"),
                lang.pick(
                    "apart bewaard, niet samengevoegd (zie summary.txt)",
                    "kept aside, not merged (see summary.txt)"
                )
            );
        }
    }
    for g in &run.closed {
        let range = if g.first == g.last {
            g.first.to_string()
        } else {
            format!("{}–{}", g.first, g.last)
        };
        eprintln!(
            "{}",
            match lang {
                Lang::Nl => format!(
                    "apparaat {} ({}): bezoek(en) {range} zijn nu aangekomen; dit gat is dicht",
                    crate::supervisor::reports::clean(&g.device_name),
                    g.device_id
                ),
                Lang::En => format!(
                    "device {} ({}): visit(s) {range} have now arrived; this gap is closed",
                    crate::supervisor::reports::clean(&g.device_name),
                    g.device_id
                ),
            }
        );
    }
    for g in &run.gaps {
        eprintln!("{}", g.describe(lang));
    }
    if !run.receipts.no_key_for.is_empty() {
        eprintln!(
            "{}",
            match lang {
                Lang::Nl => format!(
                    "LET OP: geen ontvangstbewijzen geschreven (voor {}): de sleutelbestanden bij -i bevatten geen ondertekensleutel. \
                     Voeg er een toe met `safevisit supervisor keygen --add-signing-key BESTAND`, maak de organisatiekaart opnieuw, en importeer dezelfde bundels nog eens.",
                    run.receipts.no_key_for.join(", ")
                ),
                Lang::En => format!(
                    "WARNING: no receipts written (for {}): the identity files given with -i hold no signing key. \
                     Add one with `safevisit supervisor keygen --add-signing-key FILE`, make the organisation card again, and import the same bundles once more.",
                    run.receipts.no_key_for.join(", ")
                ),
            }
        );
    }
}
