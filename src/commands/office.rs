//! The office's trust commands: `supervisor keygen --add-signing-key`,
//! `supervisor org-card`, `supervisor enrol`, `supervisor revoke` and
//! `supervisor devices` (docs/SUPERVISOR.md, "Enrolling laptops").

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use crate::cards::{DeviceCard, OrgCard, read_card_file};
use crate::cli::{SupervisorCommand, exit};
use crate::commands::export::now_stamp;
use crate::commands::supervisor::Failure;
use crate::i18n::Lang;
use crate::signing::normalize_fingerprint;
use crate::store::recipients::parse_recipient;
use crate::supervisor::devices::{self, Enrolled};
use crate::supervisor::reports::{clean, write_derived};
use crate::supervisor::{Office, keys};

pub fn run(cmd: &SupervisorCommand, lang: Lang) -> Result<ExitCode, Failure> {
    match cmd {
        SupervisorCommand::OrgCard {
            identity,
            backups,
            name,
            out,
        } => org_card(identity, backups, name.as_deref(), out.as_deref(), lang),
        SupervisorCommand::Enrol {
            card,
            out,
            ledger,
            fingerprint,
            yes,
            replace,
        } => enrol(
            card,
            out,
            ledger.as_deref(),
            fingerprint.as_deref(),
            *yes,
            *replace,
            lang,
        ),
        SupervisorCommand::Revoke {
            device,
            out,
            ledger,
            since,
            reason,
        } => revoke(
            device,
            out,
            ledger.as_deref(),
            since.as_deref(),
            reason.as_deref(),
            lang,
        ),
        SupervisorCommand::Devices { out, ledger, json } => {
            list(out, ledger.as_deref(), *json, lang)
        }
        SupervisorCommand::Handover {
            case,
            to,
            out,
            ledger,
            identity,
        } => handover(case, to, out, ledger.as_deref(), identity, lang),
        SupervisorCommand::CloseCase {
            case,
            out,
            ledger,
            reason,
            on,
            identity,
        } => close_case(
            case,
            out,
            ledger.as_deref(),
            reason,
            on.as_deref(),
            identity.as_deref(),
            lang,
        ),
        SupervisorCommand::Erase {
            visit,
            case,
            reason,
            dry_run,
            out,
            ledger,
        } => crate::commands::erase::erase(
            visit.as_deref(),
            case.as_deref(),
            reason.as_deref(),
            *dry_run,
            out,
            ledger.as_deref(),
            lang,
        ),
        SupervisorCommand::Retention {
            set_period,
            dry_run,
            today,
            out,
            ledger,
        } => crate::commands::erase::retention(
            set_period.as_deref(),
            *dry_run,
            today.as_deref(),
            out,
            ledger.as_deref(),
            lang,
        ),
        SupervisorCommand::Migrate { out, ledger } => {
            migrate(out.as_deref(), ledger.as_deref(), lang)
        }
        SupervisorCommand::Audit {
            out,
            ledger,
            since,
            json,
        } => crate::commands::audit::show(
            out.as_deref(),
            ledger.as_deref(),
            since.as_deref(),
            *json,
            lang,
        ),
        SupervisorCommand::Keygen { .. } | SupervisorCommand::Import { .. } => {
            Err((exit::FAILURE, "internal: handled elsewhere".into()))
        }
    }
}

fn fail(e: impl std::fmt::Display) -> Failure {
    (exit::FAILURE, e.to_string())
}

/// `supervisor keygen --add-signing-key FILE`.
pub fn add_signing_key(path: &Path, lang: Lang) -> Result<ExitCode, Failure> {
    let public = keys::add_signing_key(path).map_err(|e| fail(e.describe(lang)))?;
    eprintln!(
        "{}",
        match lang {
            Lang::Nl => format!(
                "Ondertekensleutel {} toegevoegd aan {}; de age-sleutel is onveranderd. \
                 Maak nu de organisatiekaart: safevisit supervisor org-card -i {} --out org-kaart.toml",
                public.key_id(),
                path.display(),
                path.display()
            ),
            Lang::En => format!(
                "Signing key {} added to {}; the age key is unchanged. \
                 Now make the organisation card: safevisit supervisor org-card -i {} --out org-card.toml",
                public.key_id(),
                path.display(),
                path.display()
            ),
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `supervisor org-card -i KEY [--backup age1…]… [--name TEXT] [--out FILE]`.
fn org_card(
    identity: &Path,
    backups: &[String],
    name: Option<&str>,
    out: Option<&Path>,
    lang: Lang,
) -> Result<ExitCode, Failure> {
    let recipients = keys::identity_recipients(identity).map_err(|e| fail(e.describe(lang)))?;
    let signing = keys::load_signing_key(identity)
        .map_err(|e| fail(e.describe(lang)))?
        .ok_or_else(|| {
            fail(
                keys::SigningKeyError::Missing {
                    path: identity.to_path_buf(),
                }
                .describe(lang),
            )
        })?;
    let mut backup_recipients = Vec::new();
    for b in backups {
        backup_recipients.push(
            parse_recipient(b)
                .map_err(|e| (exit::USAGE, format!("--backup: {}", e.describe(lang))))?,
        );
    }
    let card = OrgCard {
        organisation: name.unwrap_or_default().to_string(),
        recipients,
        backup_recipients,
        signing_key: signing.public().clone(),
    };
    let text = card.to_text();
    // Checked as a laptop will read it (a name too long, too many keys).
    OrgCard::parse(&text).map_err(|e| (exit::USAGE, e.describe(lang)))?;
    match out {
        Some(path) => {
            write_derived(path, text.as_bytes()).map_err(fail)?;
            println!("{}", card.fingerprint());
            eprintln!(
                "{}",
                match lang {
                    Lang::Nl => format!(
                        "Organisatiekaart geschreven naar {} (openbaar, bevat geen geheim). Vingerafdruk hierboven: \
                         lees die voor aan wie een laptop inricht (safevisit init --org-card {}).",
                        path.display(),
                        path.display()
                    ),
                    Lang::En => format!(
                        "Organisation card written to {} (public, holds no secret). Fingerprint above: \
                         read it out to whoever sets up a laptop (safevisit init --org-card {}).",
                        path.display(),
                        path.display()
                    ),
                }
            );
        }
        None => {
            print!("{text}");
            eprintln!(
                "{}: {}",
                lang.pick("Vingerafdruk", "Fingerprint"),
                card.fingerprint()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Ask on the terminal for the whole fingerprint as read out by phone (or
/// j/y when it was compared otherwise). The whole of it: a forger can make
/// keys until the first group matches (about a million tries), never all
/// 80 bits.
fn confirm_on_terminal(fingerprint: &str, lang: Lang) -> Result<bool, Failure> {
    eprint!(
        "{}",
        lang.pick(
            "Bel de medewerker en laat de vingerafdruk voorlezen van het scherm van de laptop (safevisit device-card).\n\
             Typ de hele vingerafdruk zoals hij wordt voorgelezen (16 tekens; streepjes en hoofdletters mogen weg), of j als u hem al helemaal hebt vergeleken: ",
            "Call the worker and have the fingerprint read out from the laptop's screen (safevisit device-card).\n\
             Type the whole fingerprint as it is read out (16 characters; dashes and capitals may be left out), or y if you compared all of it already: "
        )
    );
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(fail)?;
    let typed = line.trim();
    Ok(
        normalize_fingerprint(typed).is_some_and(|t| t == fingerprint)
            || matches!(typed, "j" | "J" | "y" | "Y" | "ja" | "yes"),
    )
}

/// `supervisor enrol CARD --out DIR [--fingerprint F | --yes] [--replace]`.
fn enrol(
    card_path: &Path,
    out: &Path,
    ledger: Option<&str>,
    fingerprint: Option<&str>,
    yes: bool,
    replace: bool,
    lang: Lang,
) -> Result<ExitCode, Failure> {
    let now = now_stamp();
    let text = read_card_file(card_path).map_err(|e| fail(e.describe(lang)))?;
    let card = DeviceCard::parse(&text).map_err(|e| fail(e.describe(lang)))?;
    let fp = card.fingerprint();
    eprintln!(
        "{}: {}\n{}: {}\n{}: {}",
        lang.pick("Apparaat", "Device"),
        card.device_id,
        lang.pick("Naam", "Name"),
        clean(&card.device_name),
        lang.pick("Vingerafdruk", "Fingerprint"),
        fp
    );
    let confirmed = match fingerprint {
        Some(given) => match normalize_fingerprint(given) {
            Some(g) if g == fp => true,
            Some(_) => {
                return Err(fail(lang.pick(
                    "de vingerafdruk klopt niet met de kaart: niets ingeschreven. Controleer of dit de kaart van die laptop is (lees de vingerafdruk opnieuw voor)",
                    "the fingerprint does not match the card: nothing enrolled. Check that this is that laptop's card (read the fingerprint out again)",
                )));
            }
            None => {
                return Err((
                    exit::USAGE,
                    lang.pick(
                        "--fingerprint is geen vingerafdruk (16 tekens, zoals XXXX-XXXX-XXXX-XXXX)",
                        "--fingerprint is not a fingerprint (16 characters, like XXXX-XXXX-XXXX-XXXX)",
                    )
                    .into(),
                ));
            }
        },
        None if yes => true,
        None if std::io::stdin().is_terminal() => confirm_on_terminal(&fp, lang)?,
        None => {
            return Err((
                exit::USAGE,
                lang.pick(
                    "zonder terminal is --fingerprint XXXX-XXXX-XXXX-XXXX nodig (voorgelezen per telefoon), of --yes",
                    "without a terminal, give --fingerprint XXXX-XXXX-XXXX-XXXX (read out by phone), or --yes",
                )
                .into(),
            ));
        }
    };
    if !confirmed {
        return Err(fail(lang.pick(
            "niet bevestigd: niets ingeschreven",
            "not confirmed: nothing enrolled",
        )));
    }
    let office = Office::open_at(out, ledger).map_err(|e| fail(e.describe(lang)))?;
    let done = devices::enrol(office.ledger(), &card, &now, replace)
        .map_err(|e| fail(e.describe(lang)))?;
    let msg = match (&done, lang) {
        (Enrolled::New, Lang::Nl) => format!(
            "Apparaat {} ingeschreven; zijn ondertekende bundels worden vanaf nu aangenomen.",
            card.device_id
        ),
        (Enrolled::New, Lang::En) => format!(
            "Device {} enrolled; its signed bundles are accepted from now on.",
            card.device_id
        ),
        (Enrolled::Pinned { old_name }, Lang::Nl) => format!(
            "Apparaat {} ingeschreven (het kantoor kende het al uit eerdere bundels{}); zijn ondertekende bundels worden vanaf nu aangenomen.",
            card.device_id,
            old_name
                .as_ref()
                .map(|n| format!("; de naam was \"{}\" en komt nu van de kaart", clean(n)))
                .unwrap_or_default()
        ),
        (Enrolled::Pinned { old_name }, Lang::En) => format!(
            "Device {} enrolled (the office knew it from earlier bundles{}); its signed bundles are accepted from now on.",
            card.device_id,
            old_name
                .as_ref()
                .map(|n| format!(
                    "; its name was \"{}\" and now comes from the card",
                    clean(n)
                ))
                .unwrap_or_default()
        ),
        (Enrolled::Unchanged, Lang::Nl) => format!(
            "Apparaat {} was al met deze kaart ingeschreven; er is niets veranderd.",
            card.device_id
        ),
        (Enrolled::Unchanged, Lang::En) => format!(
            "Device {} was already enrolled with this card; nothing changed.",
            card.device_id
        ),
        (Enrolled::Replaced { old_fingerprint }, Lang::Nl) => format!(
            "De kaart van apparaat {} is vervangen (oude vingerafdruk {old_fingerprint}); bundels met de oude sleutel worden niet meer aangenomen.",
            card.device_id
        ),
        (Enrolled::Replaced { old_fingerprint }, Lang::En) => format!(
            "The card of device {} was replaced (old fingerprint {old_fingerprint}); bundles signed with the old key are no longer accepted.",
            card.device_id
        ),
    };
    println!("{msg}");
    Ok(ExitCode::SUCCESS)
}

/// An office folder that must already hold a ledger.
pub(crate) fn existing_office(
    out: &Path,
    ledger: Option<&str>,
    lang: Lang,
) -> Result<Office, Failure> {
    if ledger.is_none() && !out.join(crate::supervisor::ledger::FILE).is_file() {
        return Err(fail(match lang {
            Lang::Nl => format!(
                "{} is geen kantoormap (er staat geen safevisit.sqlite in); geef met --out de map van de import",
                out.display()
            ),
            Lang::En => format!(
                "{} is not an office folder (it holds no safevisit.sqlite); give the import's folder with --out",
                out.display()
            ),
        }));
    }
    Office::open_at(out, ledger).map_err(|e| fail(e.describe(lang)))
}

/// `supervisor revoke DEVICE --out DIR [--since DATE] [--reason TEXT]`.
fn revoke(
    device: &str,
    out: &Path,
    ledger: Option<&str>,
    since: Option<&str>,
    reason: Option<&str>,
    lang: Lang,
) -> Result<ExitCode, Failure> {
    let now = now_stamp();
    let since = match since {
        None => now.clone(),
        Some(s) => devices::normalize_since(s).ok_or_else(|| {
            (
                exit::USAGE,
                lang.pick(
                    "--since is geen datum: geef JJJJ-MM-DD of JJJJ-MM-DDTUU:MM:SS",
                    "--since is not a date: give YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS",
                )
                .to_string(),
            )
        })?,
    };
    if let Some(r) = reason
        && (r.chars().count() > 200 || r.chars().any(char::is_control))
    {
        return Err((
            exit::USAGE,
            lang.pick(
                "--reason: ten hoogste 200 tekens, op één regel",
                "--reason: at most 200 characters, on one line",
            )
            .into(),
        ));
    }
    let office = existing_office(out, ledger, lang)?;
    let d = devices::revoke(office.ledger(), device, &since, reason, &now)
        .map_err(|e| fail(e.describe(lang)))?;
    println!(
        "{}",
        match lang {
            Lang::Nl => format!(
                "Apparaat {} ({}) is ingetrokken: bundels die het maakte vanaf {} worden afgewezen. Zijn {} bezoeken in het grootboek blijven staan.",
                d.device_id,
                clean(&d.name),
                d.revoked_since.as_deref().unwrap_or(&since),
                d.visits
            ),
            Lang::En => format!(
                "Device {} ({}) is revoked: bundles it made from {} on are rejected. Its {} visits in the ledger stay.",
                d.device_id,
                clean(&d.name),
                d.revoked_since.as_deref().unwrap_or(&since),
                d.visits
            ),
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `supervisor handover CASE --to DEVICE --out DIR -i IDENTITY`.
fn handover(
    case: &str,
    to: &str,
    out: &Path,
    ledger: Option<&str>,
    identity: &Path,
    lang: Lang,
) -> Result<ExitCode, Failure> {
    use crate::handover::{self as ho, Handover};
    let now = now_stamp();
    let key = keys::load_signing_key(identity)
        .map_err(|e| fail(e.describe(lang)))?
        .ok_or_else(|| {
            fail(lang.pick(
                "het sleutelbestand bij -i bevat geen ondertekensleutel; voeg er een toe met `safevisit supervisor keygen --add-signing-key BESTAND`",
                "the identity file given with -i holds no signing key; add one with `safevisit supervisor keygen --add-signing-key FILE`",
            ))
        })?;
    let mut office = existing_office(out, ledger, lang)?;
    let ledger_err = |e: crate::supervisor::LedgerError| {
        fail(crate::supervisor::OfficeError::from(e).describe(lang))
    };
    let found = crate::supervisor::cases::load_one(office.ledger(), case)
        .map_err(ledger_err)?
        .filter(|c| !c.visits.is_empty());
    let refuse = |nl: String, en: String| -> Result<ExitCode, Failure> {
        Err(fail(match lang {
            Lang::Nl => nl,
            Lang::En => en,
        }))
    };
    let Some(found) = found else {
        return refuse(
            format!(
                "casus {} staat niet in het grootboek; zie de kolom case_id van cases.csv",
                clean(case)
            ),
            format!(
                "case {} is not in the ledger; see the case_id column of cases.csv",
                clean(case)
            ),
        );
    };
    if let Some(on) = &found.closed_on {
        return refuse(
            format!(
                "casus {case} is gesloten (op {on}); een gesloten casus wordt niet overgedragen"
            ),
            format!("case {case} is closed (on {on}); a closed case is not handed over"),
        );
    }
    let device = devices::device(office.ledger(), to).map_err(ledger_err)?;
    let Some((device, recipient)) = device
        .filter(|d| d.enrolled() && d.revoked_at.is_none())
        .and_then(|d| d.age_recipient().map(|r| (d, r)))
    else {
        return refuse(
            format!(
                "apparaat {} is niet ingeschreven (of ingetrokken); zie supervisor devices",
                clean(to)
            ),
            format!(
                "device {} is not enrolled (or is revoked); see supervisor devices",
                clean(to)
            ),
        );
    };
    let last = found
        .visits
        .last()
        .map(|v| v.id.clone())
        .unwrap_or_default();
    let card = office
        .ledger()
        .case_card(&last)
        .map_err(ledger_err)?
        .and_then(|bytes| serde_json::from_slice::<crate::case::CaseCard>(&bytes).ok());
    let Some(mut card) = card else {
        return refuse(
            format!(
                "van het laatste bezoek {last} heeft het kantoor geen casuskaart (het kwam binnen vóór de casussen); de casus kan pas na een volgend bezoek worden overgedragen"
            ),
            format!(
                "the office holds no case card of the last visit {last} (it arrived before cases); the case can be handed over after its next visit"
            ),
        );
    };
    card.visits = u32::try_from(found.visits.len()).unwrap_or(u32::MAX);
    card.opened_on = found.visits[0].date.clone();
    let h = Handover::new(&device.device_id, &now, card);
    let mtime = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let bytes = ho::seal(&h, &key, &recipient, mtime).map_err(|e| fail(e.describe(lang)))?;
    let folder = out.join(ho::FOLDER);
    if !folder.is_dir() {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&folder)
            .map_err(|e| fail(format!("{}: {e}", folder.display())))?;
    }
    let file = format!("{}-{case}.age", device.device_id);
    write_derived(&folder.join(&file), &bytes).map_err(|e| fail(e.to_string()))?;
    office
        .note_handover(case, &device.device_id, &last, &now, &file)
        .map_err(|e| fail(e.describe(lang)))?;
    println!(
        "{}",
        match lang {
            Lang::Nl => format!(
                "Casus {case} (\"{}\", {} bezoeken) staat klaar voor apparaat {} ({}): {}/{file}. Op die laptop: safevisit case-import BESTAND.",
                clean(&found.label),
                found.visits.len(),
                device.device_id,
                clean(&device.name),
                ho::FOLDER
            ),
            Lang::En => format!(
                "Case {case} (\"{}\", {} visits) is ready for device {} ({}): {}/{file}. On that laptop: safevisit case-import FILE.",
                clean(&found.label),
                found.visits.len(),
                device.device_id,
                clean(&device.name),
                ho::FOLDER
            ),
        }
    );
    // The laptops that held the case are told to drop their card.
    let receipts = office
        .write_pending_receipts(Some(&key), &now)
        .map_err(|e| fail(e.describe(lang)))?;
    for r in &receipts.written {
        println!(
            "{}",
            match lang {
                Lang::Nl => format!(
                    "Ontvangstbewijs receipts/{} voor apparaat {}: het meldt {} casus(sen) die de laptop niet meer houdt.",
                    r.file, r.device_id, r.closed_cases
                ),
                Lang::En => format!(
                    "Receipt receipts/{} for device {}: it reports {} case(s) the laptop no longer keeps.",
                    r.file, r.device_id, r.closed_cases
                ),
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `supervisor close-case CASE --out DIR --reason KEY [--on DATE] [-i IDENTITY]`.
fn close_case(
    case: &str,
    out: &Path,
    ledger: Option<&str>,
    reason: &str,
    on: Option<&str>,
    identity: Option<&Path>,
    lang: Lang,
) -> Result<ExitCode, Failure> {
    use crate::case::CLOSE_REASONS;
    let now = now_stamp();
    let usage = |nl: String, en: String| {
        Err((
            exit::USAGE,
            match lang {
                Lang::Nl => nl,
                Lang::En => en,
            },
        ))
    };
    if !CLOSE_REASONS.iter().any(|(k, _, _)| *k == reason) {
        let keys: Vec<&str> = CLOSE_REASONS.iter().map(|(k, _, _)| *k).collect();
        return usage(
            format!("--reason: kies een van {}", keys.join(", ")),
            format!("--reason: choose one of {}", keys.join(", ")),
        );
    }
    let on = match on {
        None => now.get(..10).unwrap_or(&now).to_string(),
        Some(d) if crate::visit::record::parse_date(d).is_some() => d.to_string(),
        Some(_) => {
            return usage(
                "--on is geen datum: geef JJJJ-MM-DD".into(),
                "--on is not a date: give YYYY-MM-DD".into(),
            );
        }
    };
    let key = match identity {
        None => None,
        Some(f) => {
            let key = keys::load_signing_key(f).map_err(|e| fail(e.describe(lang)))?;
            if key.is_none() {
                return Err(fail(lang.pick(
                    "het sleutelbestand bij -i bevat geen ondertekensleutel; voeg er een toe met `safevisit supervisor keygen --add-signing-key BESTAND`",
                    "the identity file given with -i holds no signing key; add one with `safevisit supervisor keygen --add-signing-key FILE`",
                )));
            }
            key
        }
    };
    let mut office = existing_office(out, ledger, lang)?;
    let known = crate::supervisor::cases::load_one(office.ledger(), case)
        .map_err(|e| fail(crate::supervisor::OfficeError::from(e).describe(lang)))?
        .filter(|c| !c.visits.is_empty());
    let Some(known) = known else {
        return Err(fail(match lang {
            Lang::Nl => format!(
                "casus {} staat niet in het grootboek; zie de kolom case_id van cases.csv",
                clean(case)
            ),
            Lang::En => format!(
                "case {} is not in the ledger; see the case_id column of cases.csv",
                clean(case)
            ),
        }));
    };
    let closed = office
        .close_case(case, &on, reason, &now)
        .map_err(|e| fail(e.describe(lang)))?;
    if !closed {
        let at = crate::supervisor::cases::load_one(office.ledger(), case)
            .ok()
            .flatten()
            .and_then(|c| c.closed_on)
            .unwrap_or_default();
        println!(
            "{}",
            match lang {
                Lang::Nl => format!("Casus {case} was al gesloten op {at}; er is niets veranderd."),
                Lang::En => format!("Case {case} was already closed on {at}; nothing was changed."),
            }
        );
    } else {
        println!(
            "{}",
            match lang {
                Lang::Nl => format!(
                    "Casus {case} (\"{}\", {} bezoeken) is gesloten op {on} ({reason}).",
                    clean(&known.label),
                    known.visits.len()
                ),
                Lang::En => format!(
                    "Case {case} (\"{}\", {} visits) is closed on {on} ({reason}).",
                    clean(&known.label),
                    known.visits.len()
                ),
            }
        );
    }
    let changed: std::collections::HashSet<String> = std::iter::once(case.to_string()).collect();
    office
        .write_outputs_for(lang, &changed)
        .map_err(|e| fail(e.describe(lang)))?;
    let receipts = office
        .write_pending_receipts(key.as_ref(), &now)
        .map_err(|e| fail(e.describe(lang)))?;
    for r in &receipts.written {
        println!(
            "{}",
            match lang {
                Lang::Nl => format!(
                    "Ontvangstbewijs receipts/{} voor apparaat {}: het meldt {} gesloten casus(sen).",
                    r.file, r.device_id, r.closed_cases
                ),
                Lang::En => format!(
                    "Receipt receipts/{} for device {}: it reports {} closed case(s).",
                    r.file, r.device_id, r.closed_cases
                ),
            }
        );
    }
    if !receipts.no_key_for.is_empty() {
        println!(
            "{}",
            match lang {
                Lang::Nl => format!(
                    "De laptops ({}) horen het met het volgende ontvangstbewijs (bij de volgende import met -i, of nu: geef -i met het sleutelbestand).",
                    receipts.no_key_for.join(", ")
                ),
                Lang::En => format!(
                    "The laptops ({}) learn of it with their next receipt (at the next import with -i, or now: give -i with the identity file).",
                    receipts.no_key_for.join(", ")
                ),
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `supervisor devices --out DIR [--json]`.
fn list(out: &Path, ledger: Option<&str>, json: bool, lang: Lang) -> Result<ExitCode, Failure> {
    let office = existing_office(out, ledger, lang)?;
    let all = devices::list(office.ledger()).map_err(fail)?;
    if json {
        let rows: Vec<serde_json::Value> = all
            .iter()
            .map(|d| {
                serde_json::json!({
                    "device_id": d.device_id,
                    "name": d.name,
                    "enrolled": d.enrolled(),
                    "fingerprint": d.fingerprint,
                    "enrolled_at": d.enrolled_at,
                    "revoked_since": d.revoked_since,
                    "revoked_at": d.revoked_at,
                    "revoke_reason": d.revoke_reason,
                    "first_seen": d.first_seen,
                    "last_bundle": d.last_bundle,
                    "visits": d.visits,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows).map_err(fail)?);
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        println!(
            "{}",
            lang.pick(
                "Het kantoor kent nog geen apparaten. Schrijf laptops in met: safevisit supervisor enrol KAART --out MAP",
                "The office knows no devices yet. Enrol laptops with: safevisit supervisor enrol CARD --out DIR"
            )
        );
        return Ok(ExitCode::SUCCESS);
    }
    let none = lang.pick("–", "–");
    for d in &all {
        let state = match (&d.revoked_since, d.enrolled()) {
            (Some(since), _) => format!(
                "{} {since}",
                lang.pick("INGETROKKEN vanaf", "REVOKED since")
            ),
            (None, true) => lang.pick("ingeschreven", "enrolled").to_string(),
            (None, false) => lang
                .pick(
                    "NIET ingeschreven (nieuwe bundels worden afgewezen)",
                    "NOT enrolled (new bundles are rejected)",
                )
                .to_string(),
        };
        println!(
            "{}  {}\n  {}: {}  {}: {}\n  {}: {}  {}: {}  {}: {}",
            d.device_id,
            clean(&d.name),
            lang.pick("vingerafdruk", "fingerprint"),
            d.fingerprint.as_deref().unwrap_or(none),
            lang.pick("ingeschreven op", "enrolled at"),
            d.enrolled_at.as_deref().unwrap_or(none),
            lang.pick("status", "state"),
            state,
            lang.pick("laatste bundel", "last bundle"),
            d.last_bundle.as_deref().unwrap_or(none),
            lang.pick("bezoeken", "visits"),
            d.visits,
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `supervisor migrate [--out DIR | --ledger URL]`: the ledger brought to
/// this program's schema, in one transaction; prints the versions.
fn migrate(out: Option<&Path>, ledger: Option<&str>, lang: Lang) -> Result<ExitCode, Failure> {
    use crate::supervisor::ledger::{Ledger, Location};
    let location = match (ledger, out) {
        (Some(l), _) if !l.trim().is_empty() => Location::Postgres(l.trim().to_string()),
        (_, Some(dir)) => Location::Sqlite(dir.join(crate::supervisor::ledger::FILE)),
        _ => {
            return Err((
                exit::USAGE,
                lang.pick(
                    "geef --out DIR (een SQLite-grootboek) of --ledger URL (PostgreSQL)",
                    "give --out DIR (a SQLite ledger) or --ledger URL (PostgreSQL)",
                )
                .to_string(),
            ));
        }
    };
    let (from, to) = Ledger::migrate(&location).map_err(|e| {
        fail(match lang {
            Lang::Nl => e.describe_nl(),
            Lang::En => e.to_string(),
        })
    })?;
    println!(
        "{}",
        if from == to {
            match lang {
                Lang::Nl => format!("schemaversie {from} → {to}: al bijgewerkt"),
                Lang::En => format!("schema version {from} → {to}: already up to date"),
            }
        } else {
            match lang {
                Lang::Nl => format!("schemaversie {from} → {to}: bijgewerkt"),
                Lang::En => format!("schema version {from} → {to}: migrated"),
            }
        }
    );
    Ok(ExitCode::SUCCESS)
}
