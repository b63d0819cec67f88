//! `safevisit supervisor audit [--out DIR | --ledger URL] [--since DATE]
//! [--json]`: the office's audit log, oldest first (docs/SUPERVISOR.md,
//! "Het auditlog / The audit log").

use std::path::Path;
use std::process::ExitCode;

use crate::cli::exit;
use crate::commands::supervisor::Failure;
use crate::i18n::Lang;
use crate::supervisor::audit::{self, Logged};
use crate::supervisor::ledger::{FILE, Location};

pub fn show(
    out: Option<&Path>,
    ledger: Option<&str>,
    since: Option<&str>,
    json: bool,
    lang: Lang,
) -> Result<ExitCode, Failure> {
    let location = match (ledger, out) {
        (Some(l), _) if !l.trim().is_empty() => Location::Postgres(l.trim().to_string()),
        (_, Some(dir)) => {
            let path = dir.join(FILE);
            if !path.is_file() {
                return Err((
                    exit::FAILURE,
                    match lang {
                        Lang::Nl => format!(
                            "{} is geen kantoormap (er staat geen safevisit.sqlite in); geef met --out de map van de import",
                            dir.display()
                        ),
                        Lang::En => format!(
                            "{} is not an office folder (it holds no safevisit.sqlite); give the import's folder with --out",
                            dir.display()
                        ),
                    },
                ));
            }
            Location::Sqlite(path)
        }
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
    let since = match since {
        None => None,
        Some(s) => Some(
            crate::supervisor::devices::normalize_since(s).ok_or_else(|| {
                (
                    exit::USAGE,
                    match lang {
                        Lang::Nl => format!(
                            "--since {s}: geen datum; schrijf JJJJ-MM-DD of JJJJ-MM-DDTUU:MM:SS"
                        ),
                        Lang::En => {
                            format!(
                                "--since {s}: not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS"
                            )
                        }
                    },
                )
            })?,
        ),
    };
    let describe = |e: crate::supervisor::LedgerError| {
        (
            exit::FAILURE,
            match lang {
                Lang::Nl => e.describe_nl(),
                Lang::En => e.to_string(),
            },
        )
    };
    let ledger = location.open().map_err(describe)?;
    let entries = audit::read(ledger.conn(), since.as_deref()).map_err(describe)?;
    if json {
        let text =
            serde_json::to_string_pretty(&entries).map_err(|e| (exit::FAILURE, e.to_string()))?;
        println!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        println!(
            "{}",
            lang.pick(
                "Het auditlog heeft (in deze periode) nog geen regels.",
                "The audit log has no entries (in this period) yet."
            )
        );
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", table(&entries, lang));
    Ok(ExitCode::SUCCESS)
}

/// The log as a readable table: time, user, action and what it did on one
/// line, the command on the next.
pub fn table(entries: &[Logged], lang: Lang) -> String {
    use crate::supervisor::reports::clean;
    let user_width = entries
        .iter()
        .map(|e| clean(&e.os_user).chars().count())
        .chain([lang.pick("gebruiker", "user").len()])
        .max()
        .unwrap_or(0);
    let action_width = entries
        .iter()
        .map(|e| e.action.len())
        .chain([lang.pick("actie", "action").len()])
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "{:<19}  {:<user_width$}  {:<action_width$}  {}\n",
        lang.pick("tijd", "time"),
        lang.pick("gebruiker", "user"),
        lang.pick("actie", "action"),
        lang.pick("wat", "what"),
    );
    for e in entries {
        out.push_str(&format!(
            "{:<19}  {:<user_width$}  {:<action_width$}  {}\n",
            clean(&e.at),
            clean(&e.os_user),
            clean(&e.action),
            clean(&summary(e, lang)),
        ));
        out.push_str(&format!(
            "{:<19}  {} {}\n",
            "",
            lang.pick("opdracht:", "command:"),
            clean(&e.command)
        ));
    }
    out
}

/// One line on what an entry did: the counts of an import, else its
/// details as `key=value`.
fn summary(e: &Logged, lang: Lang) -> String {
    let d = &e.details;
    let n = |k: &str| d[k].as_i64().unwrap_or(0);
    if e.action == audit::action::IMPORT {
        let mut s = match lang {
            Lang::Nl => format!(
                "{} bundel(s): {} nieuw, {} al geïmporteerd, {} conflicten, {} afgewezen",
                n("bundles"),
                n("new"),
                n("duplicate"),
                n("conflicts"),
                n("rejected")
            ),
            Lang::En => format!(
                "{} bundle(s): {} new, {} already imported, {} conflicts, {} rejected",
                n("bundles"),
                n("new"),
                n("duplicate"),
                n("conflicts"),
                n("rejected")
            ),
        };
        if let Some(f) = d["failed"].as_str() {
            s.push_str(&format!(
                "; {} ({f})",
                lang.pick("afgebroken", "stopped by an error")
            ));
        }
        return s;
    }
    match d {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str, details: serde_json::Value) -> Logged {
        Logged {
            id: 1,
            at: "2026-12-01T09:30:00".into(),
            os_user: "kantoor".into(),
            command: "safevisit supervisor revoke laptop-2 --out /srv/kantoor".into(),
            action: action.into(),
            details,
        }
    }

    #[test]
    fn the_table_names_time_user_action_and_command() {
        let t = table(
            &[
                entry(
                    "import",
                    serde_json::json!({"bundles": 2, "new": 5, "duplicate": 1, "conflicts": 0, "rejected": 1}),
                ),
                entry(
                    "revoke",
                    serde_json::json!({"device": "laptop-2", "since": "2026-11-30T00:00:00", "reason": null}),
                ),
            ],
            Lang::Nl,
        );
        assert!(t.starts_with("tijd"), "{t}");
        assert!(
            t.contains("2 bundel(s): 5 nieuw, 1 al geïmporteerd, 0 conflicten, 1 afgewezen"),
            "{t}"
        );
        assert!(
            t.contains("device=laptop-2 since=2026-11-30T00:00:00"),
            "{t}"
        );
        assert!(!t.contains("reason="), "{t}");
        assert!(
            t.contains("opdracht: safevisit supervisor revoke laptop-2 --out /srv/kantoor"),
            "{t}"
        );
        let en = table(
            &[entry("import", serde_json::json!({"failed": "ledger"}))],
            Lang::En,
        );
        assert!(en.contains("stopped by an error (ledger)"), "{en}");
    }
}
