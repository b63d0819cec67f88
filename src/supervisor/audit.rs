//! The office's audit log (ledger schema 6, table `audit_log`): who did
//! what to the ledger and its outputs, and when. One row per action, with
//! the time, the operating-system user, the command as typed (secrets
//! removed) and the action's details as a small JSON object: ids, counts,
//! reasons, file names — never an answer, a note, a family label or a name.
//!
//! The log is append-only: this program only ever inserts into it
//! ([`append`]), and triggers on both databases refuse an `UPDATE` or
//! `DELETE` of its rows (`ledger::append_only_sql`). An erasure leaves it
//! as it is.

use crate::supervisor::db::{Db, p};
use crate::supervisor::ledger::LedgerError;

/// What happened (the `action` column). Stable words: the log is read by
/// people and by scripts.
pub mod action {
    pub const IMPORT: &str = "import";
    pub const ENROL: &str = "enrol";
    pub const REVOKE: &str = "revoke";
    pub const CLOSE_CASE: &str = "close-case";
    pub const HANDOVER: &str = "handover";
    pub const RECEIPTS: &str = "receipts";
    pub const OUTPUTS: &str = "outputs";
    pub const MIGRATE: &str = "migrate";
    pub const ERASE: &str = "erase";
    pub const RETENTION: &str = "retention";
    pub const RETENTION_PERIOD: &str = "retention-period";
}

/// One entry to append.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// When (the office's clock, `YYYY-MM-DDTHH:MM:SS`, like the rest of
    /// the ledger).
    pub at: String,
    /// One of [`action`].
    pub action: &'static str,
    /// Ids, counts, reasons: never answer text.
    pub details: serde_json::Value,
}

/// One entry as read back.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Logged {
    pub id: i64,
    pub at: String,
    pub os_user: String,
    pub command: String,
    pub action: String,
    pub details: serde_json::Value,
}

/// Append `entry`, with this process's user and command line. Call it in
/// the transaction of the change it describes, so that both land or
/// neither does.
pub fn append(db: &Db, entry: &Entry) -> Result<(), LedgerError> {
    append_as(db, entry, &os_user(), &command_line())
}

/// [`append`] with the user and command given (tests).
pub fn append_as(db: &Db, entry: &Entry, user: &str, command: &str) -> Result<(), LedgerError> {
    db.execute(
        "INSERT INTO audit_log (at, os_user, command, action, details) VALUES (?1, ?2, ?3, ?4, ?5)",
        p![
            entry.at,
            user,
            command,
            entry.action,
            entry.details.to_string()
        ],
    )?;
    Ok(())
}

/// The log, oldest first; from `since` (a date or time, compared as
/// text: `2026-12-01` includes that whole day) when given.
pub fn read(db: &Db, since: Option<&str>) -> Result<Vec<Logged>, LedgerError> {
    let rows = db.query(
        "SELECT audit_id, at, os_user, command, action, details FROM audit_log
         WHERE at >= ?1 ORDER BY audit_id",
        p![since.unwrap_or("")],
    )?;
    rows.iter()
        .map(|r| {
            let details: String = r.get(5)?;
            Ok(Logged {
                id: r.get(0)?,
                at: r.get(1)?,
                os_user: r.get(2)?,
                command: r.get(3)?,
                action: r.get(4)?,
                details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
            })
        })
        .collect()
}

/// The office's clock as the ledger writes it (`YYYY-MM-DDTHH:MM:SS`,
/// local time where known), for entries of actions that have no clock of
/// their own (a migration).
pub fn now() -> String {
    let now = time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    crate::visit::record::format_stamp(time::PrimitiveDateTime::new(now.date(), now.time()))
}

/// A stable reason code for a problem: its variant's name in kebab case
/// (`WrongHash` → `wrong-hash`), from its `Debug` form, so that nothing it
/// carries (a path, a message) reaches the log.
pub fn code(problem: &impl std::fmt::Debug) -> String {
    let debug = format!("{problem:?}");
    let name: String = debug
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '_' {
            out.push('-');
        } else {
            out.push(c);
        }
    }
    out
}

/// The operating-system user running this program: `$USER` or
/// `$LOGNAME`, else the numeric user id.
pub fn os_user() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| format!("uid {}", rustix::process::getuid().as_raw()))
}

/// This process's command line, for the log: the program's name without
/// its folder, then the arguments, with anything that looks like a
/// secret removed.
pub fn command_line() -> String {
    let args: Vec<String> = std::env::args().collect();
    clean_command(&args)
}

/// `args` as one line for the log: the program's file name, each argument
/// quoted where it has spaces, a `password=…` (in a connection string) and
/// a URL's `user:password@` replaced by `***`.
pub fn clean_command(args: &[String]) -> String {
    let mut out = Vec::with_capacity(args.len());
    for (i, a) in args.iter().enumerate() {
        let a = if i == 0 {
            std::path::Path::new(a)
                .file_name()
                .map_or_else(|| a.clone(), |n| n.to_string_lossy().into_owned())
        } else {
            hide_secrets(a)
        };
        let a: String = a.chars().filter(|c| !c.is_control()).collect();
        if a.is_empty() || a.contains(char::is_whitespace) {
            out.push(format!("'{}'", a.replace('\'', "'\\''")));
        } else {
            out.push(a);
        }
    }
    out.join(" ")
}

fn hide_secrets(a: &str) -> String {
    let mut s = a.to_string();
    // key=value connection strings: password=… up to the next space.
    let lower = s.to_ascii_lowercase();
    if let Some(at) = lower.find("password=") {
        let start = at + "password=".len();
        let end = s[start..].find(' ').map_or(s.len(), |e| start + e);
        s.replace_range(start..end, "***");
    }
    // URLs: scheme://user:password@host
    if let Some(scheme) = s.find("://") {
        let rest = scheme + 3;
        if let Some(at) = s[rest..].find('@').map(|a| rest + a)
            && let Some(colon) = s[rest..at].find(':').map(|c| rest + c)
        {
            s.replace_range(colon + 1..at, "***");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_carry_only_the_variant_name() {
        #[derive(Debug)]
        #[allow(dead_code)]
        enum P {
            WrongHash,
            Read(String),
            BadTime { field: &'static str },
        }
        assert_eq!(code(&P::WrongHash), "wrong-hash");
        assert_eq!(code(&P::Read("/home/iris/geheim.svb".into())), "read");
        assert_eq!(code(&P::BadTime { field: "date" }), "bad-time");
    }

    #[test]
    fn secrets_never_reach_the_log() {
        let args: Vec<String> = [
            "/usr/local/bin/safevisit",
            "supervisor",
            "import",
            "--ledger",
            "postgresql://kantoor:geheim@localhost/sv",
            "host=/run/pg dbname=sv password=geheim2 user=kantoor",
            "--reason",
            "verzoek van de ouders",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let line = clean_command(&args);
        assert!(!line.contains("geheim"), "{line}");
        assert!(line.starts_with(
            "safevisit supervisor import --ledger postgresql://kantoor:***@localhost/sv"
        ));
        assert!(line.contains("password=***"), "{line}");
        assert!(line.ends_with("--reason 'verzoek van de ouders'"), "{line}");
    }

    #[test]
    fn the_log_is_append_only_and_read_oldest_first() {
        let db = Db::sqlite(rusqlite::Connection::open_in_memory().unwrap());
        db.execute_batch(&crate::supervisor::ledger::schema_sql())
            .unwrap();
        db.execute_batch(crate::supervisor::ledger::append_only_sql(
            crate::supervisor::db::Dialect::Sqlite,
        ))
        .unwrap();
        for (at, n) in [("2026-11-30T09:00:00", 1), ("2026-12-01T10:00:00", 2)] {
            append_as(
                &db,
                &Entry {
                    at: at.into(),
                    action: action::IMPORT,
                    details: serde_json::json!({ "new": n }),
                },
                "kantoor",
                "safevisit supervisor import",
            )
            .unwrap();
        }
        let all = read(&db, None).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].details["new"], 1);
        assert_eq!(all[1].os_user, "kantoor");
        let since = read(&db, Some("2026-12-01")).unwrap();
        assert_eq!(since.len(), 1);
        assert!(
            db.execute("UPDATE audit_log SET action = 'x'", p![])
                .is_err()
        );
        assert!(db.execute("DELETE FROM audit_log", p![]).is_err());
        assert_eq!(read(&db, None).unwrap().len(), 2);
    }
}
