//! Erasing a family at the office (`supervisor erase`) and the retention
//! period (`supervisor retention`): docs/SUPERVISOR.md, "Gegevens wissen /
//! Erasing a family" and "Bewaartermijn / Retention".
//!
//! An erasure has two halves:
//!
//! 1. the ledger, in ONE transaction: the visits' rows (and everything
//!    that hangs off them: documents, red flags, scores, outcomes, case
//!    cards, conflicts kept aside under their id, rejections naming them,
//!    handovers), the case's row when no visit of it is left, a tombstone
//!    per visit (id, device, sequence, case, time, reason) and the audit
//!    entry. SQLite is vacuumed afterwards, so that the bytes are gone
//!    from the file; PostgreSQL gets a plain `VACUUM` of the tables.
//! 2. the files: `visits/ID.json`, `cases/CASE.json`, the report's pages,
//!    then `visits.csv`, `cases.csv`, `summary.txt` and the report's index
//!    written again. This half is idempotent: when a run stopped between
//!    the halves, erasing the same visit again (now a tombstone) finishes
//!    it.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::i18n::Lang;
use crate::supervisor::audit;
use crate::supervisor::db::{Dialect, p};
use crate::supervisor::ledger::{LedgerError, REFRESH_CASE_SQL};
use crate::supervisor::reports::{OutputError, VISITS_DIR};
use crate::supervisor::{Ledger, Office, OfficeError, report};

/// The reason a retention run records.
pub const RETENTION_REASON: &str = "bewaartermijn verstreken / retention period passed";

/// The `meta` key of the organisation's retention period.
pub const RETENTION_KEY: &str = "retention_period";

/// Set in the environment (tests only): stop after the ledger's half of
/// an erasure, as if the program were killed there.
pub const FAULT_ENV: &str = "SAFEVISIT_FAULT_ERASE_AFTER_COMMIT";

/// What to erase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    Visit(&'a str),
    Case(&'a str),
}

/// One visit an erasure removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedVisit {
    pub visit_id: String,
    pub device_id: String,
    pub sequence: i64,
    /// The visit's date (empty for a visit erased before).
    pub date: String,
    pub case_id: Option<String>,
    /// Erased before (a tombstone): only its files are left to remove.
    pub erased_before: bool,
}

/// Everything an erasure removes: what `--dry-run` lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub visits: Vec<PlannedVisit>,
    /// Cases left without a visit: their row and files go.
    pub cases_gone: Vec<String>,
    /// Cases that keep other visits: their files are written again.
    pub cases_changed: Vec<String>,
    /// The files to remove (relative to the office folder), those that
    /// are there now.
    pub files: Vec<PathBuf>,
}

impl Plan {
    /// Visits still in the ledger (not erased before).
    pub fn live(&self) -> impl Iterator<Item = &PlannedVisit> {
        self.visits.iter().filter(|v| !v.erased_before)
    }
}

/// What an erasure did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    /// Visits removed from the ledger now.
    pub visits: usize,
    /// Visits erased before whose files this run finished.
    pub finished: usize,
    pub files_removed: usize,
}

fn visit_of(
    r: &crate::supervisor::db::Row,
    erased_before: bool,
) -> Result<PlannedVisit, LedgerError> {
    Ok(PlannedVisit {
        visit_id: r.get(0)?,
        device_id: r.get(1)?,
        sequence: r.get(2)?,
        date: r.get::<Option<String>>(3)?.unwrap_or_default(),
        case_id: r.get(4)?,
        erased_before,
    })
}

/// What erasing `target` removes, from the ledger and from `dir`.
pub fn plan(ledger: &Ledger, dir: &Path, target: Target<'_>) -> Result<Plan, LedgerError> {
    plan_all(ledger, dir, &[target])
}

/// What erasing every one of `targets` removes (one erasure: one
/// transaction, one vacuum, the outputs written once).
pub fn plan_all(ledger: &Ledger, dir: &Path, targets: &[Target<'_>]) -> Result<Plan, LedgerError> {
    let db = ledger.conn();
    let mut visits: Vec<PlannedVisit> = Vec::new();
    let mut cases: BTreeSet<String> = BTreeSet::new();
    for &target in targets {
        let (live_sql, dead_sql, key) = match target {
            Target::Visit(id) => (
                "SELECT visit_id, device_id, sequence, date, case_id FROM visits WHERE visit_id = ?1",
                "SELECT visit_id, device_id, sequence, NULL, case_id FROM tombstones WHERE visit_id = ?1",
                id,
            ),
            Target::Case(id) => (
                "SELECT visit_id, device_id, sequence, date, case_id FROM visits WHERE case_id = ?1
                 ORDER BY date, visit_id",
                "SELECT visit_id, device_id, sequence, NULL, case_id FROM tombstones WHERE case_id = ?1
                 ORDER BY visit_id",
                id,
            ),
        };
        for (sql, before) in [(live_sql, false), (dead_sql, true)] {
            for r in db.query(sql, p![key])? {
                let v = visit_of(&r, before)?;
                if !visits.iter().any(|w| w.visit_id == v.visit_id) {
                    visits.push(v);
                }
            }
        }
        // A case row without visits (closed on a laptop before they
        // arrived) goes too; an unknown case id plans nothing.
        if let Target::Case(id) = target
            && db
                .query_opt("SELECT 1 FROM cases WHERE case_id = ?1", p![id])?
                .is_some()
        {
            cases.insert(id.to_string());
        }
    }
    cases.extend(visits.iter().filter_map(|v| v.case_id.clone()));
    let erasing: HashSet<&str> = visits.iter().map(|v| v.visit_id.as_str()).collect();
    let mut cases_gone = Vec::new();
    let mut cases_changed = Vec::new();
    for case in cases {
        let mut left = 0usize;
        for r in db.query("SELECT visit_id FROM visits WHERE case_id = ?1", p![case])? {
            let id: String = r.get(0)?;
            if !erasing.contains(id.as_str()) {
                left += 1;
            }
        }
        if left == 0 {
            cases_gone.push(case);
        } else {
            cases_changed.push(case);
        }
    }
    let mut files = Vec::new();
    for v in &visits {
        files.push(Path::new(VISITS_DIR).join(format!("{}.json", v.visit_id)));
        files.push(
            Path::new(report::DIR)
                .join("visits")
                .join(format!("{}.html", report::file_name(&v.visit_id))),
        );
    }
    for c in &cases_gone {
        files.push(Path::new("cases").join(format!("{c}.json")));
        files.push(
            Path::new(report::DIR)
                .join("cases")
                .join(format!("{}.html", report::file_name(c))),
        );
    }
    // Only safe names (a visit id from the ledger was checked on import;
    // a case id given on the command line is checked by the caller), and
    // only files that are there.
    files.retain(|f| dir.join(f).is_file());
    Ok(Plan {
        visits,
        cases_gone,
        cases_changed,
        files,
    })
}

/// The ledger's half: remove the plan's live visits in one transaction,
/// with their tombstones and the audit entry, then vacuum. The number of
/// visits removed.
pub fn erase_in_ledger(
    ledger: &Ledger,
    plan: &Plan,
    reason: &str,
    now: &str,
    action: &'static str,
) -> Result<usize, LedgerError> {
    let db = ledger.conn();
    let tx = db.transaction()?;
    crate::supervisor::ledger::lock_head(&tx)?;
    let mut n = 0;
    for v in plan.live() {
        let Some(r) = tx.query_opt(
            "SELECT visit_no FROM visits WHERE visit_id = ?1",
            p![v.visit_id],
        )?
        else {
            // Erased by someone else since the plan was made.
            continue;
        };
        let no: i64 = r.get(0)?;
        for table in ["documents", "red_flags", "scores", "outcomes", "case_cards"] {
            tx.execute(&format!("DELETE FROM {table} WHERE visit_no = ?1"), p![no])?;
        }
        tx.execute("DELETE FROM visits WHERE visit_no = ?1", p![no])?;
        tx.execute(
            "DELETE FROM conflict_flags WHERE conflict_id IN
               (SELECT conflict_id FROM conflicts WHERE visit_id = ?1)",
            p![v.visit_id],
        )?;
        tx.execute("DELETE FROM conflicts WHERE visit_id = ?1", p![v.visit_id])?;
        tx.execute("DELETE FROM rejections WHERE visit_id = ?1", p![v.visit_id])?;
        tx.execute("DELETE FROM handovers WHERE visit_id = ?1", p![v.visit_id])?;
        tx.execute(
            "INSERT INTO tombstones (visit_id, device_id, sequence, case_id, erased_at, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (visit_id) DO NOTHING",
            p![v.visit_id, v.device_id, v.sequence, v.case_id, now, reason],
        )?;
        n += 1;
    }
    for case in &plan.cases_gone {
        tx.execute("DELETE FROM cases WHERE case_id = ?1", p![case])?;
        tx.execute("DELETE FROM handovers WHERE case_id = ?1", p![case])?;
    }
    for case in &plan.cases_changed {
        tx.execute(REFRESH_CASE_SQL, p![case])?;
    }
    let ids: Vec<&str> = plan.visits.iter().map(|v| v.visit_id.as_str()).collect();
    let cases: Vec<&str> = plan.cases_gone.iter().map(String::as_str).collect();
    audit::append(
        &tx,
        &audit::Entry {
            at: now.to_string(),
            action,
            details: serde_json::json!({
                "visits": ids,
                "erased_now": n,
                "cases_removed": cases,
                "reason": reason,
            }),
        },
    )?;
    tx.commit()?;
    vacuum(ledger)?;
    Ok(n)
}

/// Make the removed rows' bytes go: on SQLite a `VACUUM` (the file is
/// written anew without them); on PostgreSQL a plain `VACUUM` of the
/// touched tables, when the role may (the bytes stay in PostgreSQL's
/// files until it reuses the space, and in its WAL and backups).
fn vacuum(ledger: &Ledger) -> Result<(), LedgerError> {
    let db = ledger.conn();
    match db.dialect() {
        Dialect::Sqlite => db.execute_batch("VACUUM")?,
        Dialect::Postgres => {
            // Not the table's owner: PostgreSQL skips it with a warning;
            // its own autovacuum comes later.
            let _ = db.execute_batch(
                "VACUUM visits, documents, red_flags, scores, outcomes, case_cards, conflicts, conflict_flags, rejections, cases",
            );
        }
    }
    Ok(())
}

/// The files' half: remove the plan's files (those that are still there).
pub fn remove_files(dir: &Path, plan: &Plan) -> Result<usize, OutputError> {
    remove_paths(dir, &plan.files)
}

/// Remove these files of the office folder (those that are there): how many.
pub fn remove_paths(dir: &Path, files: &[PathBuf]) -> Result<usize, OutputError> {
    let mut n = 0;
    for f in files {
        let path = dir.join(f);
        match std::fs::remove_file(&path) {
            Ok(()) => n += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(OutputError::Write { path, source }),
        }
    }
    Ok(n)
}

/// Files of erased visits (and of their cases, when no visit of the case
/// is left) that are still in the office folder: what an erasure stopped
/// between the ledger and the files left behind. Every writing of the
/// outputs removes them, so that an import or a retention run finishes
/// such an erasure too.
pub fn leftover_files(ledger: &Ledger, dir: &Path) -> Result<Vec<PathBuf>, LedgerError> {
    let db = ledger.conn();
    let mut files = Vec::new();
    for r in db.query("SELECT visit_id FROM tombstones ORDER BY visit_id", p![])? {
        let id: String = r.get(0)?;
        files.push(Path::new(VISITS_DIR).join(format!("{id}.json")));
        files.push(
            Path::new(report::DIR)
                .join("visits")
                .join(format!("{}.html", report::file_name(&id))),
        );
    }
    for r in db.query(
        "SELECT DISTINCT t.case_id FROM tombstones t
         WHERE t.case_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.case_id = t.case_id)
         ORDER BY t.case_id",
        p![],
    )? {
        let case: String = r.get(0)?;
        files.push(Path::new("cases").join(format!("{case}.json")));
        files.push(
            Path::new(report::DIR)
                .join("cases")
                .join(format!("{}.html", report::file_name(&case))),
        );
    }
    // Ids in the ledger were checked on import (safe file names).
    files.retain(|f| dir.join(f).is_file());
    Ok(files)
}

/// How many of `ids` are erased visits (a re-imported bundle).
pub fn erased_among(ledger: &Ledger, ids: &[String]) -> Result<u64, LedgerError> {
    let mut n = 0;
    for id in ids {
        if ledger
            .conn()
            .query_opt("SELECT 1 FROM tombstones WHERE visit_id = ?1", p![id])?
            .is_some()
        {
            n += 1;
        }
    }
    Ok(n)
}

/// A retention period: whole years or days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Years(u32),
    Days(u32),
}

impl Period {
    /// `7y`, `7j` (jaar), `400d`: at least 1, at most 200 years.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim().to_ascii_lowercase();
        let last = s.chars().last()?;
        let (n, unit) = s.split_at(s.len() - last.len_utf8());
        let n: u32 = n.parse().ok().filter(|n| *n > 0)?;
        match unit {
            "y" | "j" if n <= 200 => Some(Period::Years(n)),
            "d" if n <= 73_000 => Some(Period::Days(n)),
            _ => None,
        }
    }

    pub fn as_text(self) -> String {
        match self {
            Period::Years(n) => format!("{n}y"),
            Period::Days(n) => format!("{n}d"),
        }
    }

    pub fn describe(self, lang: Lang) -> String {
        match (self, lang) {
            (Period::Years(n), Lang::Nl) => format!("{n} jaar"),
            (Period::Years(n), Lang::En) => format!("{n} year(s)"),
            (Period::Days(n), Lang::Nl) => format!("{n} dagen"),
            (Period::Days(n), Lang::En) => format!("{n} days"),
        }
    }

    /// The first date that is still kept on `today`: a case whose last
    /// visit is before it has passed the period.
    pub fn cutoff(self, today: time::Date) -> time::Date {
        match self {
            Period::Years(n) => {
                let year = today.year() - n as i32;
                time::Date::from_calendar_date(year, today.month(), today.day())
                    // 29 February in a year without one: the 28th.
                    .or_else(|_| time::Date::from_calendar_date(year, today.month(), 28))
                    .unwrap_or(time::Date::MIN)
            }
            Period::Days(n) => today
                .checked_sub(time::Duration::days(i64::from(n)))
                .unwrap_or(time::Date::MIN),
        }
    }
}

/// The organisation's retention period, if one is set.
pub fn retention_period(ledger: &Ledger) -> Result<Option<Period>, LedgerError> {
    let v: Option<String> = ledger
        .conn()
        .query_opt("SELECT value FROM meta WHERE key = ?1", p![RETENTION_KEY])?
        .map(|r| r.get(0))
        .transpose()?;
    Ok(v.as_deref().and_then(Period::parse))
}

/// Set the retention period (audited, in one transaction).
pub fn set_retention_period(ledger: &Ledger, period: Period, now: &str) -> Result<(), LedgerError> {
    let tx = ledger.conn().transaction()?;
    let before: Option<String> = tx
        .query_opt("SELECT value FROM meta WHERE key = ?1", p![RETENTION_KEY])?
        .map(|r| r.get(0))
        .transpose()?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        p![RETENTION_KEY, period.as_text()],
    )?;
    audit::append(
        &tx,
        &audit::Entry {
            at: now.to_string(),
            action: audit::action::RETENTION_PERIOD,
            details: serde_json::json!({ "before": before, "period": period.as_text() }),
        },
    )?;
    tx.commit()?;
    Ok(())
}

/// What passed the period: `(case id, its last visit's date)` and
/// `(visit id, date)` of visits without a case.
pub type Expired = (Vec<(String, String)>, Vec<(String, String)>);

/// What passed the period on `today`: cases whose last visit is before
/// the cutoff, and visits without a case dated before it.
pub fn expired(ledger: &Ledger, period: Period, today: time::Date) -> Result<Expired, LedgerError> {
    let cutoff = crate::visit::record::format_date(period.cutoff(today));
    let db = ledger.conn();
    let mut cases = Vec::new();
    for r in db.query(
        "SELECT case_id, max(date) FROM visits WHERE case_id IS NOT NULL
         GROUP BY case_id HAVING max(date) < ?1 ORDER BY case_id",
        p![cutoff],
    )? {
        cases.push((r.get(0)?, r.get(1)?));
    }
    let mut visits = Vec::new();
    for r in db.query(
        "SELECT visit_id, date FROM visits WHERE case_id IS NULL AND date < ?1 ORDER BY visit_id",
        p![cutoff],
    )? {
        visits.push((r.get(0)?, r.get(1)?));
    }
    Ok((cases, visits))
}

impl Office {
    /// Erase `target`: the ledger's half, then the files' half and the
    /// derived files written again. With the fault point set (tests) it
    /// stops after the ledger's half.
    pub fn erase(
        &mut self,
        target: Target<'_>,
        reason: &str,
        now: &str,
        lang: Lang,
        action: &'static str,
    ) -> Result<(Plan, Erased), OfficeError> {
        self.erase_all(&[target], reason, now, lang, action)
    }

    /// [`Office::erase`] of several targets as one erasure.
    pub fn erase_all(
        &mut self,
        targets: &[Target<'_>],
        reason: &str,
        now: &str,
        lang: Lang,
        action: &'static str,
    ) -> Result<(Plan, Erased), OfficeError> {
        let plan = plan_all(&self.ledger, &self.dir, targets)?;
        let mut done = Erased {
            finished: plan.visits.iter().filter(|v| v.erased_before).count(),
            ..Erased::default()
        };
        if plan.visits.is_empty() && plan.cases_gone.is_empty() {
            // Nothing new to erase; the files an earlier, interrupted
            // erasure left behind still go (a retention run finishes it).
            if !leftover_files(&self.ledger, &self.dir)?.is_empty() {
                self.write_outputs_for(lang, &HashSet::new())?;
            }
            return Ok((plan, done));
        }
        done.visits = erase_in_ledger(&self.ledger, &plan, reason, now, action)?;
        if std::env::var_os(FAULT_ENV).is_some() {
            return Err(OfficeError::Output(OutputError::Write {
                path: self.dir.clone(),
                source: std::io::Error::other("stopped after the ledger (fault point)"),
            }));
        }
        self.finish_erasure(&plan, lang, &mut done)?;
        Ok((plan, done))
    }

    /// The files' half of an erasure.
    fn finish_erasure(
        &mut self,
        plan: &Plan,
        lang: Lang,
        done: &mut Erased,
    ) -> Result<(), OfficeError> {
        done.files_removed = remove_files(&self.dir, plan)?;
        // The marks of the files written never point past the last visit:
        // a visit number freed by the erasure may be given again.
        let last = self.ledger.last_visit_no()?;
        for mark in ["json_written_through", "cases_written_through"] {
            if self.ledger.mark(mark)? > last {
                self.ledger.set_mark(mark, last, false)?;
            }
        }
        let changed: HashSet<String> = plan.cases_changed.iter().cloned().collect();
        self.write_outputs_for(lang, &changed)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> time::Date {
        crate::visit::record::parse_date(s).unwrap()
    }

    #[test]
    fn periods_read_and_count_back() {
        assert_eq!(Period::parse("7y"), Some(Period::Years(7)));
        assert_eq!(Period::parse("7J"), Some(Period::Years(7)));
        assert_eq!(Period::parse("400d"), Some(Period::Days(400)));
        for bad in ["", "y", "0y", "7", "7w", "-3d", "999y", "7é", "é"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Period::Years(7).cutoff(date("2025-06-01")),
            date("2018-06-01")
        );
        // 29 February, seven years back: the 28th.
        assert_eq!(
            Period::Years(7).cutoff(date("2024-02-29")),
            date("2017-02-28")
        );
        assert_eq!(
            Period::Days(31).cutoff(date("2025-03-01")),
            date("2025-01-29")
        );
        assert_eq!(
            Period::parse(&Period::Days(9).as_text()),
            Some(Period::Days(9))
        );
    }
}
