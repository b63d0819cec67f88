//! `supervisor erase` and `supervisor retention` (docs/SUPERVISOR.md,
//! "Gegevens wissen / Erasing a family" and "Bewaartermijn / Retention").
//! The work is in `supervisor::erase`; this prints and picks exit codes.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::exit;
use crate::commands::export::now_stamp;
use crate::commands::office::existing_office;
use crate::commands::supervisor::Failure;
use crate::i18n::Lang;
use crate::supervisor::audit::action;
use crate::supervisor::erase::{self, Period, Plan, RETENTION_REASON, Target};
use crate::supervisor::reports::clean;

fn fail(e: impl std::fmt::Display) -> Failure {
    (exit::FAILURE, e.to_string())
}

fn usage(lang: Lang, nl: &str, en: &str) -> Failure {
    (exit::USAGE, lang.pick(nl, en).to_string())
}

/// A visit or case id as the import accepts them: a safe file name.
fn safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The plan, one line per visit and file.
fn print_plan(plan: &Plan, lang: Lang) {
    for v in &plan.visits {
        let case = v.case_id.as_deref().unwrap_or("-");
        if v.erased_before {
            println!(
                "{}",
                match lang {
                    Lang::Nl => format!(
                        "  bezoek {} (casus {case}, apparaat {}, volgnummer {}): al gewist, alleen bestanden",
                        v.visit_id, v.device_id, v.sequence
                    ),
                    Lang::En => format!(
                        "  visit {} (case {case}, device {}, sequence {}): erased before, files only",
                        v.visit_id, v.device_id, v.sequence
                    ),
                }
            );
        } else {
            println!(
                "{}",
                match lang {
                    Lang::Nl => format!(
                        "  bezoek {} van {} (casus {case}, apparaat {}, volgnummer {})",
                        v.visit_id, v.date, v.device_id, v.sequence
                    ),
                    Lang::En => format!(
                        "  visit {} of {} (case {case}, device {}, sequence {})",
                        v.visit_id, v.date, v.device_id, v.sequence
                    ),
                }
            );
        }
    }
    for c in &plan.cases_gone {
        println!(
            "  {} {c}",
            lang.pick("casus verdwijnt helemaal:", "case removed entirely:")
        );
    }
    for f in &plan.files {
        println!("  {} {}", lang.pick("bestand", "file"), f.display());
    }
}

/// `supervisor erase (--visit ID | --case ID) [--reason TEXT] [--dry-run] --out DIR`.
pub fn erase(
    visit: Option<&str>,
    case: Option<&str>,
    reason: Option<&str>,
    dry_run: bool,
    out: &Path,
    ledger: Option<&str>,
    lang: Lang,
) -> Result<ExitCode, Failure> {
    let target = match (visit, case) {
        (Some(v), None) => Target::Visit(v),
        (None, Some(c)) => Target::Case(c),
        _ => {
            return Err(usage(
                lang,
                "geef --visit ID of --case ID",
                "give --visit ID or --case ID",
            ));
        }
    };
    let id = match target {
        Target::Visit(i) | Target::Case(i) => i,
    };
    if !safe_id(id) {
        return Err(usage(
            lang,
            "dat is geen bezoek- of casusnummer (alleen letters, cijfers, - en _); zie visits.csv of cases.csv",
            "that is not a visit or case id (letters, digits, - and _ only); see visits.csv or cases.csv",
        ));
    }
    let reason = reason.unwrap_or("");
    let mut office = existing_office(out, ledger, lang)?;
    let plan = erase::plan(office.ledger(), out, target)
        .map_err(|e| fail(crate::supervisor::OfficeError::from(e).describe(lang)))?;
    if plan.visits.is_empty() && plan.cases_gone.is_empty() {
        return Err(fail(match (target, lang) {
            (Target::Visit(_), Lang::Nl) => format!(
                "bezoek {id} staat niet in het grootboek en is niet eerder gewist; zie de kolom visit_id van visits.csv"
            ),
            (Target::Visit(_), Lang::En) => format!(
                "visit {id} is not in the ledger and was not erased before; see the visit_id column of visits.csv"
            ),
            (Target::Case(_), Lang::Nl) => format!(
                "casus {id} staat niet in het grootboek en is niet eerder gewist; zie de kolom case_id van cases.csv"
            ),
            (Target::Case(_), Lang::En) => format!(
                "case {id} is not in the ledger and was not erased before; see the case_id column of cases.csv"
            ),
        }));
    }
    if dry_run {
        println!(
            "{}",
            lang.pick(
                "Proefrun: dit zou worden gewist (er is niets veranderd):",
                "Dry run: this would be erased (nothing was changed):"
            )
        );
        print_plan(&plan, lang);
        return Ok(ExitCode::SUCCESS);
    }
    let now = now_stamp();
    let (plan, done) = office
        .erase(target, reason, &now, lang, action::ERASE)
        .map_err(|e| fail(e.describe(lang)))?;
    print_plan(&plan, lang);
    println!(
        "{}",
        match lang {
            Lang::Nl => format!(
                "Gewist: {} bezoek(en) uit het grootboek, {} bestand(en) verwijderd; visits.csv, cases.csv, summary.txt en report/ zijn opnieuw geschreven.",
                done.visits, done.files_removed
            ),
            Lang::En => format!(
                "Erased: {} visit(s) from the ledger, {} file(s) removed; visits.csv, cases.csv, summary.txt and report/ are written again.",
                done.visits, done.files_removed
            ),
        }
    );
    if done.finished > 0 {
        println!(
            "{}",
            match lang {
                Lang::Nl => format!(
                    "{} bezoek(en) waren al gewist (een eerdere run stopte halverwege); hun bestanden zijn nu ook weg.",
                    done.finished
                ),
                Lang::En => format!(
                    "{} visit(s) were erased before (an earlier run stopped midway); their files are now gone too.",
                    done.finished
                ),
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `supervisor retention [--set-period P] [--dry-run] [--today DATE] --out DIR`.
pub fn retention(
    set_period: Option<&str>,
    dry_run: bool,
    today: Option<&str>,
    out: &Path,
    ledger: Option<&str>,
    lang: Lang,
) -> Result<ExitCode, Failure> {
    let now = now_stamp();
    let mut office = existing_office(out, ledger, lang)?;
    let ledger_err = |e| fail(crate::supervisor::OfficeError::from(e).describe(lang));
    if let Some(p) = set_period {
        let Some(period) = Period::parse(p) else {
            return Err(usage(
                lang,
                "--set-period: geef jaren (7y of 7j) of dagen (400d)",
                "--set-period: give years (7y) or days (400d)",
            ));
        };
        erase::set_retention_period(office.ledger(), period, &now).map_err(ledger_err)?;
        println!(
            "{}",
            match lang {
                Lang::Nl => format!(
                    "Bewaartermijn ingesteld: {} na het laatste bezoek van een casus.",
                    period.describe(lang)
                ),
                Lang::En => format!(
                    "Retention period set: {} after a case's last visit.",
                    period.describe(lang)
                ),
            }
        );
        return Ok(ExitCode::SUCCESS);
    }
    let today = match today {
        None => crate::visit::record::parse_date(now.get(..10).unwrap_or(&now)),
        Some(d) => crate::visit::record::parse_date(d),
    };
    let Some(today) = today else {
        return Err(usage(
            lang,
            "--today is geen datum: geef JJJJ-MM-DD",
            "--today is not a date: give YYYY-MM-DD",
        ));
    };
    let Some(period) = erase::retention_period(office.ledger()).map_err(ledger_err)? else {
        println!(
            "{}",
            lang.pick(
                "Er is geen bewaartermijn ingesteld; er is niets gewist. Stel er een in met: safevisit supervisor retention --set-period 7y --out MAP",
                "No retention period is set; nothing was erased. Set one with: safevisit supervisor retention --set-period 7y --out DIR"
            )
        );
        return Ok(ExitCode::SUCCESS);
    };
    let cutoff = crate::visit::record::format_date(period.cutoff(today));
    let (cases, visits) = erase::expired(office.ledger(), period, today).map_err(ledger_err)?;
    println!(
        "{}",
        match lang {
            Lang::Nl => format!(
                "Bewaartermijn {}: casussen met een laatste bezoek vóór {cutoff} {}: {} casus(sen), {} los(se) bezoek(en).",
                period.describe(lang),
                if dry_run { "zouden gaan" } else { "gaan" },
                cases.len(),
                visits.len()
            ),
            Lang::En => format!(
                "Retention period {}: cases whose last visit is before {cutoff} {}: {} case(s), {} visit(s) without a case.",
                period.describe(lang),
                if dry_run { "would go" } else { "go" },
                cases.len(),
                visits.len()
            ),
        }
    );
    if !dry_run && cases.is_empty() && visits.is_empty() {
        // A run that found nothing is in the audit log too.
        crate::supervisor::audit::append(
            office.ledger().conn(),
            &crate::supervisor::audit::Entry {
                at: now.clone(),
                action: action::RETENTION,
                details: serde_json::json!({ "period": period.as_text(), "cutoff": cutoff, "erased_now": 0 }),
            },
        )
        .map_err(ledger_err)?;
    }
    let targets: Vec<Target<'_>> = cases
        .iter()
        .map(|(c, _)| Target::Case(c))
        .chain(visits.iter().map(|(v, _)| Target::Visit(v)))
        .collect();
    for (target, last) in targets
        .iter()
        .zip(cases.iter().chain(visits.iter()).map(|(_, d)| d))
    {
        let (kind, id) = match *target {
            Target::Case(c) => (lang.pick("casus", "case"), c),
            Target::Visit(v) => (lang.pick("bezoek", "visit"), v),
        };
        println!(
            "  {kind} {} ({} {last})",
            clean(id),
            lang.pick("laatste bezoek", "last visit")
        );
    }
    let mut erased = 0usize;
    if !dry_run {
        // One erasure for all: one transaction, one vacuum, the outputs
        // written once. With nothing to erase it still finishes an
        // earlier erasure that stopped before its files.
        let (_, done) = office
            .erase_all(&targets, RETENTION_REASON, &now, lang, action::RETENTION)
            .map_err(|e| fail(e.describe(lang)))?;
        erased = done.visits;
    }
    if dry_run {
        println!(
            "{}",
            lang.pick(
                "Proefrun: er is niets veranderd.",
                "Dry run: nothing was changed."
            )
        );
    } else {
        println!(
            "{}",
            match lang {
                Lang::Nl => format!("Gewist: {erased} bezoek(en)."),
                Lang::En => format!("Erased: {erased} visit(s)."),
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
