//! The ledger: `DIR/safevisit.sqlite`, the office's only truth. A real
//! SQLite database (through rusqlite, SQLite bundled), one transaction per
//! bundle, so a crash or a kill leaves it at the last committed bundle.
//! The schema is documented in docs/SUPERVISOR.md ("The ledger") and
//! checked against it by a test.
//!
//! Everything the office writes besides this file is derived from it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::supervisor::db::{Db, DbError, Dialect, Param, ToParam, p, pg_schema};
use crate::supervisor::findings;

/// The ledger's file name in the office folder.
pub const FILE: &str = "safevisit.sqlite";

/// The file in the office folder that notes how far this folder's visit
/// and case files are written, for a ledger on PostgreSQL (shared by
/// several office folders, each with its own marks).
pub const MARKS_FILE: &str = "safevisit.marks";

/// The schema version this program writes and reads.
pub const SCHEMA_VERSION: i64 = 6;

/// Why the ledger failed. The import stops: nothing half-done is committed.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("the ledger database failed: {0}")]
    Sql(#[from] DbError),
    #[error("cannot create the ledger file {path}: {source}")]
    Create {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the ledger has schema version {found}; this program knows version {SCHEMA_VERSION} (a newer safevisit made it)"
    )]
    Newer { found: i64 },
    #[error(
        "the ledger has schema version {found}; this program needs version {SCHEMA_VERSION}: run `safevisit supervisor migrate --ledger …` first"
    )]
    Older { found: i64 },
    #[error("this is not a safevisit ledger (its tables are not the expected ones)")]
    Foreign,
    #[error("{}", .0.describe(crate::i18n::Lang::En))]
    Connect(crate::supervisor::pgconn::ConnectError),
    #[error("cannot note the written files in {path}: {source}")]
    Marks {
        path: String,
        source: std::io::Error,
    },
    #[error("internal error: a worker thread stopped unexpectedly")]
    Internal,
}

impl LedgerError {
    /// The error in Dutch (the databases' own messages are English: the
    /// common ones are named by their code).
    pub fn describe_nl(&self) -> String {
        match self {
            LedgerError::Sql(DbError::Sqlite(e)) => {
                use rusqlite::ErrorCode as C;
                let what = match e.sqlite_error_code() {
                    Some(C::DiskFull) => "de schijf is vol",
                    Some(C::DatabaseCorrupt) => "het databasebestand is beschadigd",
                    Some(C::NotADatabase) => "het bestand is geen database",
                    Some(C::ReadOnly) => "de database is alleen-lezen",
                    Some(C::DatabaseBusy | C::DatabaseLocked) => {
                        "de database is bezet door een ander programma"
                    }
                    Some(C::CannotOpen) => "de database is niet te openen",
                    Some(C::PermissionDenied) => "geen toestemming",
                    Some(C::SystemIoFailure) => "lezen of schrijven op de schijf mislukte",
                    _ => "een onverwachte fout van SQLite",
                };
                format!("de database gaf een fout: {what}")
            }
            LedgerError::Sql(e @ DbError::Postgres(_)) => {
                format!("de PostgreSQL-database gaf een fout: {e}")
            }
            LedgerError::Sql(e) => format!("de database gaf een onverwacht antwoord: {e}"),
            LedgerError::Create { path, source } => format!(
                "het databasebestand {path} kon niet worden gemaakt ({})",
                crate::supervisor::import::io_nl(source)
            ),
            LedgerError::Newer { found } => format!(
                "de database heeft schemaversie {found}; dit programma kent versie {SCHEMA_VERSION} (een nieuwere safevisit maakte haar)"
            ),
            LedgerError::Older { found } => format!(
                "de database heeft schemaversie {found}; dit programma heeft versie {SCHEMA_VERSION} nodig: voer eerst `safevisit supervisor migrate --ledger …` uit"
            ),
            LedgerError::Foreign => {
                "dit is geen safevisit-database (de tabellen zijn niet de verwachte)".into()
            }
            LedgerError::Connect(e) => e.describe(crate::i18n::Lang::Nl),
            LedgerError::Marks { path, source } => format!(
                "kan in {path} niet noteren welke bestanden geschreven zijn ({})",
                crate::supervisor::import::io_nl(source)
            ),
            LedgerError::Internal => "interne fout: een werkdraad stopte onverwacht".into(),
        }
    }
}

/// The `finding.*` CSV column as an SQL column name: `finding_safety_verdict`.
pub fn finding_column(csv: &str) -> String {
    csv.replace('.', "_")
}

/// The per-visit counts of sheets by status and of people removed from the
/// roster (ledger schema 3), in column order; `visits.csv` has them too.
pub const STATUS_COLUMNS: [&str; 5] = [
    "sheets_niet_aanwezig",
    "sheets_bewust_niet",
    "sheets_weigert",
    "sheets_te_jong",
    "people_removed",
];

/// The table of receipts written (schema 4), in `schema_sql()` and in the
/// migration from version 3.
const RECEIPTS_SQL: &str = "CREATE TABLE receipts (
  device_id TEXT NOT NULL REFERENCES devices (device_id),
  n INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  file TEXT NOT NULL,
  visits INTEGER NOT NULL,
  PRIMARY KEY (device_id, n)
);
";

/// The red flags of versions kept aside as conflicts, and the lookup of
/// visit ids regardless of case (schema 4), in `schema_sql()` and in the
/// migration from version 3.
const CONFLICT_FLAGS_SQL: &str = "CREATE TABLE conflict_flags (
  conflict_id INTEGER NOT NULL REFERENCES conflicts (conflict_id),
  n INTEGER NOT NULL,
  checklist TEXT NOT NULL,
  person_kind TEXT NOT NULL,
  person_id INTEGER,
  flag TEXT NOT NULL,
  level TEXT NOT NULL,
  message_nl TEXT NOT NULL,
  message_en TEXT NOT NULL,
  raised_at TEXT NOT NULL,
  acknowledged_at TEXT,
  state TEXT NOT NULL,
  PRIMARY KEY (conflict_id, n)
) WITHOUT ROWID;
CREATE INDEX visits_by_lower_id ON visits (lower(visit_id));
";

/// The cases (schema 5): one row per case, kept up to date by every
/// bundle that brings one of its visits or closes it; in `schema_sql()`
/// and in the migration from version 4. A case without a visit in the
/// ledger yet (closed on a laptop before its visits arrived) has no dates.
const CASES_SQL: &str = "CREATE TABLE cases (
  case_id TEXT PRIMARY KEY,
  label TEXT NOT NULL DEFAULT '',
  first_date TEXT,
  last_date TEXT,
  last_visit TEXT,
  visits INTEGER NOT NULL DEFAULT 0,
  devices INTEGER NOT NULL DEFAULT 0,
  closed_on TEXT,
  closed_reason TEXT,
  closed_by TEXT,
  closed_seen_at TEXT
);
CREATE TABLE case_cards (
  visit_no INTEGER PRIMARY KEY REFERENCES visits (visit_no),
  card TEXT NOT NULL
);
CREATE TABLE handovers (
  case_id TEXT NOT NULL,
  device_id TEXT NOT NULL REFERENCES devices (device_id),
  visit_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  file TEXT NOT NULL
);
CREATE TABLE case_notices (
  case_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  receipt_n INTEGER,
  PRIMARY KEY (case_id, device_id)
) WITHOUT ROWID;
CREATE INDEX visits_by_case ON visits (case_id, date);
CREATE INDEX visits_by_follows ON visits (follows);
";

/// The columns schema 5 adds to `visits`: the case, the visit followed,
/// and the agreements of the previous visit evaluated as kept, partly
/// kept and not kept (a follow-up only).
pub const CASE_COLUMNS: [(&str, &str); 5] = [
    ("case_id", "TEXT"),
    ("follows", "TEXT"),
    ("agreements_kept", "INTEGER"),
    ("agreements_partly", "INTEGER"),
    ("agreements_not", "INTEGER"),
];

/// The audit log and the tombstones of erased visits (schema 6), in
/// `schema_sql()` and in the migration from version 5. The audit log is
/// append-only: [`append_only_sql`] adds the triggers that refuse to
/// change or delete its rows, on either database.
const PROTECTION_SQL: &str = "CREATE TABLE audit_log (
  audit_id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  os_user TEXT NOT NULL,
  command TEXT NOT NULL,
  action TEXT NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX audit_log_by_at ON audit_log (at);
CREATE TABLE tombstones (
  visit_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  case_id TEXT,
  erased_at TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX tombstones_by_device ON tombstones (device_id, sequence);
";

/// The triggers that keep `audit_log` append-only (no program of ours
/// updates or deletes its rows; these refuse it from anyone else's SQL
/// too, short of dropping the trigger).
pub fn append_only_sql(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
 BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
 BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"
        }
        Dialect::Postgres => {
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
 $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
 FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
 FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
"
        }
    }
}

/// The SQL that creates the schema (version 6; the audit log's triggers
/// come from [`append_only_sql`]).
pub fn schema_sql() -> String {
    let statuses: String = STATUS_COLUMNS
        .iter()
        .map(|c| format!("  {c} INTEGER NOT NULL DEFAULT 0,\n"))
        .collect();
    let findings: String = findings::COLUMNS
        .iter()
        .map(|(c, _)| {
            let kind = if findings::is_count(c) {
                "INTEGER"
            } else {
                "TEXT"
            };
            format!("  {} {kind},\n", finding_column(c))
        })
        .collect();
    let conflict_flags = CONFLICT_FLAGS_SQL;
    let receipts = RECEIPTS_SQL;
    let cases = CASES_SQL;
    let case_columns: String = CASE_COLUMNS
        .iter()
        .map(|(c, kind)| format!("  {c} {kind},\n"))
        .collect();
    format!(
        "CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE devices (
  device_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  signing_key TEXT,
  fingerprint TEXT,
  recipient TEXT,
  enrolled_at TEXT,
  revoked_at TEXT,
  revoked_since TEXT,
  revoke_reason TEXT
);
CREATE TABLE bundles (
  bundle_id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL,
  file_name TEXT NOT NULL,
  size INTEGER NOT NULL,
  seen_at TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('imported', 'partly', 'rejected', 'known')),
  reason TEXT,
  reason_nl TEXT,
  device_id TEXT,
  created_at TEXT,
  visits_listed INTEGER NOT NULL DEFAULT 0,
  new INTEGER NOT NULL DEFAULT 0,
  duplicate INTEGER NOT NULL DEFAULT 0,
  conflicts INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  signature TEXT CHECK (signature IN ('verified', 'unsigned'))
);
CREATE INDEX bundles_by_sha256 ON bundles (sha256);
CREATE TABLE visits (
  visit_no INTEGER PRIMARY KEY,
  visit_id TEXT NOT NULL UNIQUE,
  device_id TEXT NOT NULL REFERENCES devices (device_id),
  sequence INTEGER NOT NULL,
  date TEXT NOT NULL,
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  finalized_at TEXT NOT NULL,
  record_sha256 TEXT NOT NULL,
  record_version INTEGER NOT NULL,
  bundle_id INTEGER NOT NULL REFERENCES bundles (bundle_id),
  imported_at TEXT NOT NULL,
  checklists TEXT NOT NULL,
  children INTEGER NOT NULL,
  caregivers INTEGER NOT NULL,
  flags_acute INTEGER NOT NULL,
  flags_structural INTEGER NOT NULL,
  flags_attention INTEGER NOT NULL,
  flags_open INTEGER NOT NULL,
  missing_required INTEGER NOT NULL,
{findings}  flags_lapsed INTEGER NOT NULL DEFAULT 0,
  flags_withdrawn INTEGER NOT NULL DEFAULT 0,
{statuses}  roster_children TEXT,
  roster_caregivers TEXT,
{case_columns}  UNIQUE (device_id, sequence)
);
CREATE TABLE documents (
  visit_no INTEGER PRIMARY KEY REFERENCES visits (visit_no),
  doc TEXT NOT NULL
);
CREATE TABLE red_flags (
  visit_no INTEGER NOT NULL REFERENCES visits (visit_no),
  n INTEGER NOT NULL,
  checklist TEXT NOT NULL,
  person_kind TEXT NOT NULL,
  person_id INTEGER,
  flag TEXT NOT NULL,
  level TEXT NOT NULL,
  item TEXT,
  entry INTEGER,
  message_nl TEXT NOT NULL,
  message_en TEXT NOT NULL,
  raised_at TEXT NOT NULL,
  acknowledged_at TEXT,
  state TEXT NOT NULL DEFAULT 'active',
  state_at TEXT,
  PRIMARY KEY (visit_no, n)
) WITHOUT ROWID;
CREATE INDEX red_flags_by_level ON red_flags (level);
CREATE TABLE scores (
  visit_no INTEGER NOT NULL REFERENCES visits (visit_no),
  n INTEGER NOT NULL,
  checklist TEXT NOT NULL,
  person_kind TEXT NOT NULL,
  person_id INTEGER,
  score TEXT NOT NULL,
  value INTEGER NOT NULL,
  band TEXT,
  answered INTEGER NOT NULL,
  visible INTEGER NOT NULL,
  PRIMARY KEY (visit_no, n)
) WITHOUT ROWID;
CREATE TABLE outcomes (
  visit_no INTEGER NOT NULL REFERENCES visits (visit_no),
  n INTEGER NOT NULL,
  checklist TEXT NOT NULL,
  person_kind TEXT NOT NULL,
  person_id INTEGER,
  outcome TEXT NOT NULL,
  value TEXT,
  PRIMARY KEY (visit_no, n)
) WITHOUT ROWID;
CREATE TABLE conflicts (
  conflict_id INTEGER PRIMARY KEY,
  visit_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('same_visit', 'same_sequence')),
  record_sha256 TEXT NOT NULL,
  bundle_id INTEGER NOT NULL REFERENCES bundles (bundle_id),
  found_at TEXT NOT NULL,
  ciphertext BLOB NOT NULL,
  date TEXT,
  created_at TEXT,
  finalized_at TEXT,
  label TEXT,
  flags_acute INTEGER NOT NULL DEFAULT 0,
  UNIQUE (visit_id, record_sha256)
);
{conflict_flags}CREATE TABLE rejections (
  rejection_id INTEGER PRIMARY KEY,
  bundle_id INTEGER NOT NULL REFERENCES bundles (bundle_id),
  visit_id TEXT,
  sequence INTEGER,
  file TEXT,
  reason TEXT NOT NULL,
  reason_nl TEXT NOT NULL
);
{receipts}{cases}{PROTECTION_SQL}"
    )
}

/// One step of the schema: what brings a ledger of version `to - 1` to
/// version `to`. The steps are written once for both databases (their
/// DDL in SQLite's words, turned into PostgreSQL's by [`ddl`]); they run
/// inside the one transaction of [`migrate_db`], which notes the new
/// version. A future schema 6 is one more entry.
pub struct Migration {
    pub to: i64,
    pub apply: fn(&Db) -> Result<(), LedgerError>,
}

/// Every step, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        to: 2,
        apply: migrate_v1,
    },
    Migration {
        to: 3,
        apply: migrate_v2,
    },
    Migration {
        to: 4,
        apply: migrate_v3,
    },
    Migration {
        to: 5,
        apply: migrate_v4,
    },
    Migration {
        to: 6,
        apply: migrate_v5,
    },
];

/// Schema SQL in the form of the ledger's database.
fn ddl(db: &Db, sql: &str) -> String {
    match db.dialect() {
        Dialect::Sqlite => sql.to_string(),
        Dialect::Postgres => pg_schema(sql),
    }
}

/// Run schema SQL (written for SQLite) on the ledger's database.
fn run_ddl(db: &Db, sql: &str) -> Result<(), LedgerError> {
    db.execute_batch(&ddl(db, sql))?;
    Ok(())
}

/// Version 1 → 2: the red flags' states (every flag of a version-1 ledger
/// was active) and the visits' counts of lapsed and withdrawn flags.
fn migrate_v1(db: &Db) -> Result<(), LedgerError> {
    run_ddl(
        db,
        "ALTER TABLE visits ADD COLUMN flags_lapsed INTEGER NOT NULL DEFAULT 0;
         ALTER TABLE visits ADD COLUMN flags_withdrawn INTEGER NOT NULL DEFAULT 0;
         ALTER TABLE red_flags ADD COLUMN state TEXT NOT NULL DEFAULT 'active';
         ALTER TABLE red_flags ADD COLUMN state_at TEXT;",
    )
}

/// The columns of `table` (SQLite's `pragma_table_info`, PostgreSQL's
/// `information_schema`).
pub fn table_columns(db: &Db, table: &str) -> Result<Vec<String>, LedgerError> {
    let sql = match db.dialect() {
        Dialect::Sqlite => "SELECT name FROM pragma_table_info(?1)",
        Dialect::Postgres => {
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position"
        }
    };
    let mut out = Vec::new();
    for r in db.query(sql, p![table])? {
        out.push(r.get(0)?);
    }
    Ok(out)
}

/// How many tables the ledger's database (its schema) holds.
fn table_count(db: &Db) -> Result<i64, LedgerError> {
    let sql = match db.dialect() {
        Dialect::Sqlite => "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
        Dialect::Postgres => {
            "SELECT count(*) FROM information_schema.tables
             WHERE table_schema = current_schema()"
        }
    };
    Ok(db.one(sql, p![])?)
}

/// The finding columns a ledger made by an earlier safevisit lacks (a new
/// finding is a new column; the schema version stays).
fn missing_finding_columns(db: &Db) -> Result<Vec<&'static str>, LedgerError> {
    let have = table_columns(db, "visits")?;
    Ok(findings::COLUMNS
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !have.contains(&finding_column(c)))
        .collect())
}

/// Add the finding columns the ledger lacks: the visits imported before
/// have them empty. Nothing when every column is there.
fn add_finding_columns(db: &Db) -> Result<usize, LedgerError> {
    let missing = missing_finding_columns(db)?;
    let added = missing.len();
    for c in missing {
        let kind = if findings::is_count(c) {
            "INTEGER"
        } else {
            "TEXT"
        };
        run_ddl(
            db,
            &format!(
                "ALTER TABLE visits ADD COLUMN {} {kind};",
                finding_column(c)
            ),
        )?;
    }
    Ok(added)
}

/// Version 2 → 3: the counts of sheets by status and of people removed
/// (0: version-2 records knew neither).
fn migrate_v2(db: &Db) -> Result<(), LedgerError> {
    for c in STATUS_COLUMNS {
        run_ddl(
            db,
            &format!("ALTER TABLE visits ADD COLUMN {c} INTEGER NOT NULL DEFAULT 0;"),
        )?;
    }
    Ok(())
}

/// The columns ledger schema 4 adds to `devices` (enrolment and revocation).
pub const DEVICE_TRUST_COLUMNS: [&str; 7] = [
    "signing_key",
    "fingerprint",
    "recipient",
    "enrolled_at",
    "revoked_at",
    "revoked_since",
    "revoke_reason",
];

/// Version 3 → 4: devices gain their pinned card and revocation (empty: a
/// device of a version-3 ledger is not enrolled, its old bundles stay, new
/// ones need enrolment), bundles their signature state (empty for bundles
/// imported before), and the table of receipts.
///
/// Also: a conflict keeps the kept-aside version's dates, label and red
/// flags (so that its acute flags reach the summary), a visit keeps its
/// roster's ids (the CSV's per-person slots), and visit ids are looked up
/// regardless of case. Conflicts recorded before have no flags noted;
/// visits imported before have no roster ids (the CSV reads them from the
/// visit's document).
fn migrate_v3(db: &Db) -> Result<(), LedgerError> {
    for c in DEVICE_TRUST_COLUMNS {
        run_ddl(db, &format!("ALTER TABLE devices ADD COLUMN {c} TEXT;"))?;
    }
    run_ddl(
        db,
        "ALTER TABLE bundles ADD COLUMN signature TEXT CHECK (signature IN ('verified', 'unsigned'));
         ALTER TABLE visits ADD COLUMN roster_children TEXT;
         ALTER TABLE visits ADD COLUMN roster_caregivers TEXT;
         ALTER TABLE conflicts ADD COLUMN date TEXT;
         ALTER TABLE conflicts ADD COLUMN created_at TEXT;
         ALTER TABLE conflicts ADD COLUMN finalized_at TEXT;
         ALTER TABLE conflicts ADD COLUMN label TEXT;
         ALTER TABLE conflicts ADD COLUMN flags_acute INTEGER NOT NULL DEFAULT 0;",
    )?;
    run_ddl(db, CONFLICT_FLAGS_SQL)?;
    run_ddl(db, RECEIPTS_SQL)
}

/// Version 4 → 5: every visit gets its case (a visit imported before is a
/// case of its own, named after it), and the table of cases is filled
/// from them.
fn migrate_v4(db: &Db) -> Result<(), LedgerError> {
    for (c, kind) in CASE_COLUMNS {
        run_ddl(db, &format!("ALTER TABLE visits ADD COLUMN {c} {kind};"))?;
    }
    db.execute_batch("UPDATE visits SET case_id = visit_id;")?;
    run_ddl(db, CASES_SQL)?;
    db.execute(REFRESH_ALL_CASES_SQL, p![])?;
    Ok(())
}

/// Version 5 → 6: the audit log (append-only) and the tombstones of
/// erased visits, both empty.
fn migrate_v5(db: &Db) -> Result<(), LedgerError> {
    run_ddl(db, PROTECTION_SQL)?;
    db.execute_batch(append_only_sql(db.dialect()))?;
    Ok(())
}

/// The schema version in the ledger's `meta` (`None`: not a number).
fn stored_version(db: &Db) -> Result<Option<i64>, LedgerError> {
    let v: Option<String> = db
        .query_opt("SELECT value FROM meta WHERE key = 'schema_version'", p![])
        .map_err(|_| LedgerError::Foreign)?
        .map(|r| r.get(0))
        .transpose()?;
    Ok(v.and_then(|v| v.parse::<i64>().ok()))
}

/// Bring the ledger to [`SCHEMA_VERSION`] in one transaction (on
/// PostgreSQL its DDL is transactional too, and `meta` is locked first,
/// so that two migrations at once run one after the other): the version
/// before and after. A newer ledger is refused.
pub fn migrate_db(db: &Db) -> Result<(i64, i64), LedgerError> {
    let tx = db.transaction()?;
    if db.dialect() == Dialect::Postgres {
        tx.execute_batch("LOCK TABLE meta IN EXCLUSIVE MODE")?;
    }
    let from = match stored_version(&tx)? {
        Some(v) if v > SCHEMA_VERSION => return Err(LedgerError::Newer { found: v }),
        Some(v) if v >= 1 => v,
        _ => return Err(LedgerError::Foreign),
    };
    for m in MIGRATIONS.iter().filter(|m| m.to > from) {
        (m.apply)(&tx)?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'schema_version'",
            p![m.to.to_string()],
        )?;
    }
    let added = add_finding_columns(&tx)?;
    if from < SCHEMA_VERSION || added > 0 {
        crate::supervisor::audit::append(
            &tx,
            &crate::supervisor::audit::Entry {
                at: crate::supervisor::audit::now(),
                action: crate::supervisor::audit::action::MIGRATE,
                details: serde_json::json!({
                    "from": from,
                    "to": SCHEMA_VERSION,
                    "finding_columns_added": added,
                }),
            },
        )?;
    }
    tx.commit()?;
    Ok((from, SCHEMA_VERSION))
}

/// The visits of a case in their order: by date, then when they were
/// finalized, then as they arrived.
pub const CASE_ORDER: &str = "date, finalized_at, visit_no";

/// Bring the row of every case in `visits` up to date (`?1`-free: every case).
const REFRESH_ALL_CASES_SQL: &str =
    "INSERT INTO cases (case_id, label, first_date, last_date, last_visit, visits, devices)
 SELECT v.case_id,
        (SELECT l.label FROM visits l WHERE l.case_id = v.case_id
          ORDER BY l.date DESC, l.finalized_at DESC, l.visit_no DESC LIMIT 1),
        min(v.date), max(v.date),
        (SELECT l.visit_id FROM visits l WHERE l.case_id = v.case_id
          ORDER BY l.date DESC, l.finalized_at DESC, l.visit_no DESC LIMIT 1),
        count(*), count(DISTINCT v.device_id)
 FROM visits v WHERE v.case_id IS NOT NULL GROUP BY v.case_id
 ON CONFLICT (case_id) DO UPDATE SET label = excluded.label, first_date = excluded.first_date,
    last_date = excluded.last_date, last_visit = excluded.last_visit,
    visits = excluded.visits, devices = excluded.devices";

/// Bring the row of case `?1` up to date with its visits.
pub(crate) const REFRESH_CASE_SQL: &str =
    "INSERT INTO cases (case_id, label, first_date, last_date, last_visit, visits, devices)
 SELECT ?1,
        (SELECT l.label FROM visits l WHERE l.case_id = ?1
          ORDER BY l.date DESC, l.finalized_at DESC, l.visit_no DESC LIMIT 1),
        min(v.date), max(v.date),
        (SELECT l.visit_id FROM visits l WHERE l.case_id = ?1
          ORDER BY l.date DESC, l.finalized_at DESC, l.visit_no DESC LIMIT 1),
        count(*), count(DISTINCT v.device_id)
 FROM visits v WHERE v.case_id = ?1
 ON CONFLICT (case_id) DO UPDATE SET label = excluded.label, first_date = excluded.first_date,
    last_date = excluded.last_date, last_visit = excluded.last_visit,
    visits = excluded.visits, devices = excluded.devices";

fn i64_of(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A person as the ledger stores it: `visit`, `child` or `caregiver`, and an id.
pub fn person_cols(p: crate::visit::record::PersonRecord) -> (&'static str, Option<i64>) {
    use crate::visit::record::PersonRecord as P;
    match p {
        P::Visit => ("visit", None),
        P::Child(i) => ("child", Some(i64::from(i))),
        P::Caregiver(i) => ("caregiver", Some(i64::from(i))),
    }
}

/// One visit ready for the ledger (built in parallel from the record).
#[derive(Debug, Clone, PartialEq)]
pub struct VisitRow {
    pub visit_id: String,
    pub device_id: String,
    pub sequence: u64,
    pub date: String,
    pub label: String,
    pub created_at: String,
    pub finalized_at: String,
    pub record_sha256: String,
    pub record_version: u16,
    /// `id@version` of every checklist used, space-separated.
    pub checklists: String,
    pub children: u32,
    pub caregivers: u32,
    /// Active flags only: acute, structural, attention, not acknowledged.
    pub flag_counts: [u32; 4],
    /// Flags that lapsed (their condition stopped holding).
    pub flags_lapsed: u32,
    /// Flags the worker withdrew as a mistake.
    pub flags_withdrawn: u32,
    pub missing_required: u32,
    /// Sheets `niet_aanwezig`, `bewust_niet`, `weigert`, `te_jong`, and
    /// people removed from the roster ([`STATUS_COLUMNS`]).
    pub status_counts: [u32; 5],
    /// The ids of the roster's children and of its caregivers, ascending,
    /// space-separated (`1 2 3`): one CSV slot each.
    pub roster: [String; 2],
    /// The case the visit belongs to (its own id for a record from before
    /// record format 4).
    pub case_id: String,
    /// The visit this one follows (a follow-up only).
    pub follows: Option<String>,
    /// A follow-up's evaluation of the previous agreements: kept, partly
    /// kept, not kept (`None`: not a follow-up).
    pub agreements: Option<[u32; 3]>,
    /// The case card the laptop made of this visit (JSON of
    /// `case::CaseCard`), for a handover.
    pub card: Vec<u8>,
    pub findings: Vec<Option<String>>,
    pub flags: Vec<FlagRow>,
    pub scores: Vec<ScoreRow>,
    pub outcomes: Vec<OutcomeRow>,
    /// The visit JSON (docs/FORMATS.md, "Visit JSON").
    pub doc: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FlagRow {
    pub checklist: String,
    pub person: (&'static str, Option<i64>),
    pub flag: String,
    pub level: String,
    pub item: Option<String>,
    pub entry: Option<u32>,
    pub message_nl: String,
    pub message_en: String,
    pub raised_at: String,
    pub acknowledged_at: Option<String>,
    /// `active`, `lapsed` or `withdrawn`.
    pub state: String,
    pub state_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRow {
    pub checklist: String,
    pub person: (&'static str, Option<i64>),
    pub score: String,
    pub value: i64,
    pub band: Option<String>,
    pub answered: u32,
    pub visible: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRow {
    pub checklist: String,
    pub person: (&'static str, Option<i64>),
    pub outcome: String,
    pub value: Option<String>,
}

/// What the ledger made of one visit of a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    New,
    /// The same record (same ciphertext) was already in the ledger.
    Duplicate,
    /// A different record under a known visit id: kept aside.
    ConflictSameVisit,
    /// Another visit under a known device and sequence number: kept aside.
    ConflictSameSequence,
    /// Its id differs only in case from a visit in the ledger: refused
    /// (both would share `visits/ID.json` on a case-insensitive disk).
    IdCaseClash,
    /// The visit was erased at the office (a tombstone holds its id): it
    /// is not imported again.
    Erased,
}

/// The row of a bundle before it is imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleSeen {
    pub sha256: String,
    pub file_name: String,
    pub size: u64,
    pub seen_at: String,
}

/// A visit that is in the ledger under a device (for gaps and reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub device_id: String,
    pub name: String,
    pub first_seen: String,
    pub last_seen: String,
}

/// Where the ledger is kept: a SQLite file (the default,
/// `DIR/safevisit.sqlite`) or a PostgreSQL database (a connection string
/// without a password: `postgresql://user@host/db` or `host=… dbname=…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// The ledger of the office folder `dir`: `ledger` (from `--ledger` or
    /// `SAFEVISIT_LEDGER`) when given, else `DIR/safevisit.sqlite`.
    pub fn for_office(dir: &Path, ledger: Option<&str>) -> Location {
        match ledger {
            Some(l) if !l.trim().is_empty() => Location::Postgres(l.trim().to_string()),
            _ => Location::Sqlite(dir.join(FILE)),
        }
    }

    /// Open the ledger here (created when missing).
    pub fn open(&self) -> Result<Ledger, LedgerError> {
        match self {
            Location::Sqlite(path) => Ledger::open(path),
            Location::Postgres(conninfo) => Ledger::open_postgres(conninfo),
        }
    }

    /// A second connection to the ledger, for reading beside the first.
    pub fn open_reader(&self) -> Result<Ledger, LedgerError> {
        match self {
            Location::Sqlite(path) => Ledger::open_read_only(path),
            Location::Postgres(conninfo) => Ok(Ledger {
                db: Db::postgres(crate::supervisor::pgconn::connect(conninfo)?),
                location: self.clone(),
                marks: None,
            }),
        }
    }

    /// Whether a ledger is there already (a SQLite file; a PostgreSQL
    /// database is asked when opened).
    pub fn exists(&self) -> bool {
        match self {
            Location::Sqlite(path) => path.is_file(),
            Location::Postgres(_) => true,
        }
    }
}

pub struct Ledger {
    db: Db,
    location: Location,
    /// Where this office folder's marks are kept (a ledger on PostgreSQL,
    /// shared by several folders); `None`: in the ledger's `meta`.
    marks: Option<PathBuf>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").finish_non_exhaustive()
    }
}

impl Ledger {
    /// Open the ledger at `path`, creating it (mode 0600) with the schema
    /// when missing. An older schema is migrated; a newer one is refused.
    pub fn open(path: &Path) -> Result<Ledger, LedgerError> {
        if !path.exists() {
            // Made first with mode 0600: SQLite gives its journal files the
            // database file's permissions.
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|source| LedgerError::Create {
                    path: path.display().to_string(),
                    source,
                })?;
        }
        let db = Db::open_sqlite(path)?;
        // A rollback journal, not WAL: an import mostly appends, and new
        // pages then reach the disk once (WAL writes every page twice).
        // Truncated rather than deleted after a commit, which saves a
        // folder sync per transaction.
        // Large pages keep a visit's JSON document in one page.
        // Every commit is durable (synchronous = FULL).
        let _: String = db.one("PRAGMA journal_mode = TRUNCATE", p![])?;
        db.execute_batch(
            "PRAGMA page_size = 65536;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -16384;",
        )?;
        if table_count(&db)? == 0 {
            create_schema(&db)?;
        } else {
            match stored_version(&db)? {
                Some(SCHEMA_VERSION) => {
                    if !missing_finding_columns(&db)?.is_empty() {
                        migrate_db(&db)?;
                    }
                }
                // SQLite: an older ledger is brought up to date at once.
                Some(v) if (1..SCHEMA_VERSION).contains(&v) => {
                    migrate_db(&db)?;
                }
                Some(found) if found > SCHEMA_VERSION => return Err(LedgerError::Newer { found }),
                _ => return Err(LedgerError::Foreign),
            }
        }
        Ok(Ledger {
            db,
            location: Location::Sqlite(path.to_path_buf()),
            marks: None,
        })
    }

    /// Open the ledger in the PostgreSQL database of `conninfo`, creating
    /// its tables (the current schema version) in an empty database. A ledger of
    /// another version is refused: an older one until `supervisor
    /// migrate` brought it up to date.
    pub fn open_postgres(conninfo: &str) -> Result<Ledger, LedgerError> {
        let db = Db::postgres(crate::supervisor::pgconn::connect(conninfo)?);
        if table_count(&db)? == 0 {
            // Two supervisors starting on an empty database at once: one
            // makes the tables, the other then finds them.
            let tx = db.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock(7316141)", p![])?;
            if table_count(&tx)? == 0 {
                tx.execute_batch(&pg_schema(&schema_sql()))?;
                tx.execute_batch(append_only_sql(Dialect::Postgres))?;
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?1), ('json_written_through', '0')",
                    p![SCHEMA_VERSION.to_string()],
                )?;
            }
            tx.commit()?;
            // The visit documents compressed with lz4 rather than
            // PostgreSQL's default pglz, several times slower to write
            // (a server built without lz4 keeps its default).
            let _ = db.execute_batch(
                "ALTER TABLE documents ALTER COLUMN doc SET COMPRESSION lz4;
                 ALTER TABLE case_cards ALTER COLUMN card SET COMPRESSION lz4;",
            );
        }
        match stored_version(&db)? {
            Some(SCHEMA_VERSION) => {
                if !missing_finding_columns(&db)?.is_empty() {
                    return Err(LedgerError::Older {
                        found: SCHEMA_VERSION,
                    });
                }
            }
            Some(found) if found > SCHEMA_VERSION => return Err(LedgerError::Newer { found }),
            Some(found) if found >= 1 => return Err(LedgerError::Older { found }),
            _ => return Err(LedgerError::Foreign),
        }
        Ok(Ledger {
            db,
            location: Location::Postgres(conninfo.to_string()),
            marks: None,
        })
    }

    /// `supervisor migrate`: bring the ledger at `location` to this
    /// program's schema; the version before and after.
    pub fn migrate(location: &Location) -> Result<(i64, i64), LedgerError> {
        let db = match location {
            Location::Sqlite(path) => {
                if !path.is_file() {
                    return Err(LedgerError::Create {
                        path: path.display().to_string(),
                        source: std::io::Error::from(std::io::ErrorKind::NotFound),
                    });
                }
                Db::open_sqlite(path)?
            }
            Location::Postgres(conninfo) => {
                Db::postgres(crate::supervisor::pgconn::connect(conninfo)?)
            }
        };
        if table_count(&db)? == 0 {
            return Err(LedgerError::Foreign);
        }
        migrate_db(&db)
    }

    /// A second, read-only connection to an existing ledger (reports are
    /// built on two threads at once).
    pub fn open_read_only(path: &Path) -> Result<Ledger, LedgerError> {
        Ok(Ledger {
            db: Db::open_sqlite_read_only(path)?,
            location: Location::Sqlite(path.to_path_buf()),
            marks: None,
        })
    }

    /// A second connection to this ledger, for reading beside this one.
    pub fn reader(&self) -> Result<Ledger, LedgerError> {
        self.location.open_reader()
    }

    /// Where the ledger is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// This ledger's id (`ledger_id` in `meta`), made on first use: an
    /// office folder filled from a shared ledger names it
    /// (`safevisit.ledger-id`), so that it is never mixed with another.
    pub fn ledger_id(&self) -> Result<String, LedgerError> {
        let fresh = uuid::Uuid::new_v4().to_string();
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES ('ledger_id', ?1) ON CONFLICT (key) DO NOTHING",
            p![fresh],
        )?;
        Ok(self
            .db
            .one("SELECT value FROM meta WHERE key = 'ledger_id'", p![])?)
    }

    /// Keep this office folder's marks (how far its visit and case files
    /// are written) in the file `path` rather than in the ledger: for a
    /// ledger shared by several folders.
    pub fn keep_marks_in(&mut self, path: PathBuf) {
        self.marks = Some(path);
    }

    /// The connection, for the queries of the reports.
    pub fn conn(&self) -> &Db {
        &self.db
    }

    /// A mark (`json_written_through`, `cases_written_through`): 0 when
    /// none was noted.
    pub fn mark(&self, name: &str) -> Result<i64, LedgerError> {
        match &self.marks {
            Some(path) => Ok(read_marks(path)?.get(name).copied().unwrap_or(0)),
            None => {
                let v: Option<String> = self
                    .db
                    .query_opt("SELECT value FROM meta WHERE key = ?1", p![name])?
                    .map(|r| r.get(0))
                    .transpose()?;
                Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
            }
        }
    }

    /// Note a mark; with `forward`, only when it moves forward.
    pub fn set_mark(&self, name: &str, value: i64, forward: bool) -> Result<(), LedgerError> {
        set_mark(&self.db, self.marks.as_deref(), name, value, forward)
    }

    /// A bundle with this hash imported completely before: how many visits
    /// it listed, and its device.
    pub fn imported_before(
        &self,
        sha256: &str,
    ) -> Result<Option<(u64, Option<String>)>, LedgerError> {
        let r = self.db.query_opt(
            "SELECT visits_listed, device_id FROM bundles
             WHERE sha256 = ?1 AND outcome = 'imported' ORDER BY bundle_id LIMIT 1",
            p![sha256],
        )?;
        Ok(match r {
            Some(r) => Some((r.get::<i64>(0)?.max(0) as u64, r.get(1)?)),
            None => None,
        })
    }

    /// Whether a bundle file of exactly this size was imported completely
    /// before (then its hash is worth taking before decrypting it).
    pub fn imported_with_size(&self, size: u64) -> Result<bool, LedgerError> {
        Ok(self
            .db
            .query_opt(
                "SELECT 1 FROM bundles WHERE size = ?1 AND outcome = 'imported' LIMIT 1",
                p![i64_of(size)],
            )?
            .is_some())
    }

    /// Remember a bundle that was not imported (refused as a whole), or one
    /// seen again after a complete import (`known`).
    pub fn record_bundle(
        &mut self,
        seen: &BundleSeen,
        outcome: &str,
        reason: Option<(&str, &str)>,
        device_id: Option<&str>,
        listed: u64,
    ) -> Result<(), LedgerError> {
        self.db.execute(
            "INSERT INTO bundles (sha256, file_name, size, seen_at, outcome, reason, reason_nl,
                                  device_id, visits_listed, duplicate)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            p![
                seen.sha256,
                seen.file_name,
                i64_of(seen.size),
                seen.seen_at,
                outcome,
                reason.map(|r| r.0),
                reason.map(|r| r.1),
                device_id,
                i64_of(listed),
                if outcome == "known" {
                    i64_of(listed)
                } else {
                    0
                },
            ],
        )?;
        Ok(())
    }

    /// Start importing a bundle: one transaction, committed by
    /// [`BundleTx::commit`] and rolled back when dropped without it.
    ///
    /// On PostgreSQL the transaction first locks the ledger's head row
    /// (`meta`'s `schema_version`): the bundles of two imports at once
    /// are recorded one after the other, so visit numbers follow the
    /// order of commits and a device's sequence numbers are looked at
    /// by one bundle at a time (docs/ARCHITECTURE.md).
    pub fn begin_bundle(
        &mut self,
        seen: &BundleSeen,
        device: (&str, &str),
        created_at: &str,
        listed: u64,
    ) -> Result<BundleTx<'_>, LedgerError> {
        let tx = self.db.transaction()?;
        lock_head(&tx)?;
        tx.execute(
            "INSERT INTO devices (device_id, name, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (device_id) DO UPDATE SET last_seen = excluded.last_seen",
            p![device.0, device.1, seen.seen_at],
        )?;
        let bundle_id: i64 = tx.one(
            "INSERT INTO bundles (sha256, file_name, size, seen_at, outcome, device_id, created_at, visits_listed)
             VALUES (?1, ?2, ?3, ?4, 'partly', ?5, ?6, ?7) RETURNING bundle_id",
            p![
                seen.sha256,
                seen.file_name,
                i64_of(seen.size),
                seen.seen_at,
                device.0,
                created_at,
                i64_of(listed)
            ],
        )?;
        let erased = tx
            .query("SELECT visit_id FROM tombstones", p![])?
            .iter()
            .map(|r| r.get(0))
            .collect::<Result<_, _>>()?;
        Ok(BundleTx {
            tx,
            marks: self.marks.as_deref(),
            bundle_id,
            now: seen.seen_at.clone(),
            insert_visit: insert_visit_sql(),
            written_through: None,
            touched: BTreeSet::new(),
            erased,
        })
    }

    /// Every device with the sequence numbers of its visits, ascending.
    pub fn sequences(&self) -> Result<BTreeMap<String, (String, Vec<u64>)>, LedgerError> {
        let mut out: BTreeMap<String, (String, Vec<u64>)> = BTreeMap::new();
        for r in self.db.query("SELECT device_id, name FROM devices", p![])? {
            out.insert(r.get(0)?, (r.get(1)?, Vec::new()));
        }
        // An erased visit (a tombstone) is not missing: it arrived once.
        self.db.for_each(
            "SELECT device_id, sequence FROM visits UNION SELECT device_id, sequence FROM tombstones
             ORDER BY 1, 2",
            p![],
            |r| {
                let id: String = r.get(0)?;
                if let Some(entry) = out.get_mut(&id) {
                    entry.1.push(r.get::<i64>(1)?.max(0) as u64);
                }
                Ok::<(), LedgerError>(())
            },
        )?;
        Ok(out)
    }

    /// The JSON files of every visit up to this `visit_no` are written.
    pub fn docs_written_through(&self) -> Result<i64, LedgerError> {
        self.mark("json_written_through")
    }

    /// Note the JSON files written up to `visit_no` (never moves back).
    pub fn set_docs_written_through(&mut self, visit_no: i64) -> Result<(), LedgerError> {
        self.set_mark("json_written_through", visit_no, true)
    }

    /// The newest visit's `visit_no` (0 without visits).
    pub fn last_visit_no(&self) -> Result<i64, LedgerError> {
        Ok(self
            .db
            .one("SELECT coalesce(max(visit_no), 0) FROM visits", p![])?)
    }

    /// Documents of the visits after `visit_no` (in order): `(visit id, document)`, in
    /// batches of at most `batch`, handed to `f` one batch at a time.
    pub fn docs_after(
        &self,
        visit_no: i64,
        batch: usize,
        mut f: impl FnMut(Vec<(String, Vec<u8>)>) -> Result<(), crate::supervisor::OutputError>,
    ) -> Result<usize, crate::supervisor::OutputError> {
        let mut chunk = Vec::with_capacity(batch);
        let mut n = 0;
        self.db.for_each(
            "SELECT v.visit_id, d.doc FROM documents d JOIN visits v ON v.visit_no = d.visit_no
             WHERE d.visit_no > ?1 ORDER BY d.visit_no",
            p![visit_no],
            |mut r| {
                let id: String = r.get(0).map_err(LedgerError::from)?;
                chunk.push((id, r.take_bytes(1)));
                if chunk.len() == batch {
                    n += chunk.len();
                    f(std::mem::take(&mut chunk))?;
                }
                Ok::<(), crate::supervisor::OutputError>(())
            },
        )?;
        if !chunk.is_empty() {
            n += chunk.len();
            f(chunk)?;
        }
        Ok(n)
    }

    /// The documents of these visits: `(visit id, document)`.
    pub fn docs_of(&self, ids: &[String]) -> Result<Vec<(String, Vec<u8>)>, LedgerError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(mut r) = self.db.query_opt(
                "SELECT d.doc FROM documents d JOIN visits v ON v.visit_no = d.visit_no WHERE v.visit_id = ?1",
                p![id],
            )? {
                out.push((id.clone(), r.take_bytes(0)));
            }
        }
        Ok(out)
    }

    /// Every visit id in the ledger.
    pub fn visit_ids(&self) -> Result<Vec<String>, LedgerError> {
        let mut ids = Vec::new();
        self.db.for_each("SELECT visit_id FROM visits", p![], |r| {
            ids.push(r.get(0)?);
            Ok::<(), LedgerError>(())
        })?;
        Ok(ids)
    }
}

/// In a transaction on PostgreSQL: lock the ledger's head row (`meta`'s
/// `schema_version`) until the transaction ends, so that the transactions
/// of two imports that write the same rows (a bundle's, a device's next
/// receipt number) run one after the other. Nothing on SQLite, where one
/// import at a time holds the folder's lock.
pub fn lock_head(db: &Db) -> Result<(), LedgerError> {
    if db.dialect() == Dialect::Postgres {
        db.query_row(
            "SELECT value FROM meta WHERE key = 'schema_version' FOR UPDATE",
            p![],
        )?;
    }
    Ok(())
}

/// Make the schema in an empty SQLite ledger.
fn create_schema(db: &Db) -> Result<(), LedgerError> {
    let tx = db.transaction()?;
    tx.execute_batch(&schema_sql())?;
    tx.execute_batch(append_only_sql(Dialect::Sqlite))?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?1), ('json_written_through', '0')",
        p![SCHEMA_VERSION.to_string()],
    )?;
    tx.commit()?;
    Ok(())
}

/// The marks in a marks file (`name value` lines); none when it is missing.
fn read_marks(path: &Path) -> Result<BTreeMap<String, i64>, LedgerError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(LedgerError::Marks {
                path: path.display().to_string(),
                source,
            });
        }
    };
    Ok(text
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(' ')?;
            Some((k.to_string(), v.trim().parse().ok()?))
        })
        .collect())
}

/// Note a mark in the marks file `path` (written whole and renamed into
/// place, mode 0600) or, without one, in the ledger's `meta`.
fn set_mark(
    db: &Db,
    path: Option<&Path>,
    name: &str,
    value: i64,
    forward: bool,
) -> Result<(), LedgerError> {
    let Some(path) = path else {
        let sql = if forward {
            "UPDATE meta SET value = ?2 WHERE key = ?1 AND CAST(value AS BIGINT) < ?3"
        } else {
            "UPDATE meta SET value = ?2 WHERE key = ?1"
        };
        let changed = if forward {
            db.execute(sql, p![name, value.to_string(), value])?
        } else {
            db.execute(sql, p![name, value.to_string()])?
        };
        if changed == 0 {
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                p![name, value.to_string()],
            )?;
        }
        return Ok(());
    };
    let mut marks = read_marks(path)?;
    let old = marks.get(name).copied().unwrap_or(0);
    if forward && old >= value {
        return Ok(());
    }
    marks.insert(name.to_string(), value);
    let text: String = marks.iter().map(|(k, v)| format!("{k} {v}\n")).collect();
    crate::supervisor::reports::write_derived(path, text.as_bytes()).map_err(|e| {
        LedgerError::Marks {
            path: path.display().to_string(),
            source: std::io::Error::other(e.to_string()),
        }
    })
}

/// Mark a case closed (`by`: a device id, or `office`), unless it is
/// closed already; 1 when it was marked.
fn close_case(
    db: &Db,
    case_id: &str,
    closed_on: &str,
    reason: &str,
    by: &str,
    now: &str,
) -> Result<u64, LedgerError> {
    db.execute(
        "INSERT INTO cases (case_id) VALUES (?1) ON CONFLICT (case_id) DO NOTHING",
        p![case_id],
    )?;
    let n = db.execute(
        "UPDATE cases SET closed_on = ?2, closed_reason = ?3, closed_by = ?4, closed_seen_at = ?5
         WHERE case_id = ?1 AND closed_on IS NULL",
        p![case_id, closed_on, reason, by, now],
    )?;
    if n == 1 {
        notify_closed(db, case_id)?;
    }
    Ok(n)
}

/// Every device with visits of the closed case `case_id`, except the one
/// that closed it, is to learn of the closing in its next receipt
/// (`case_notices`; a device told before is not told again).
fn notify_closed(db: &Db, case_id: &str) -> Result<(), LedgerError> {
    db.execute(
        "INSERT INTO case_notices (case_id, device_id)
         SELECT DISTINCT v.case_id, v.device_id FROM visits v JOIN cases c ON c.case_id = v.case_id
         WHERE v.case_id = ?1 AND c.closed_on IS NOT NULL AND v.device_id <> coalesce(c.closed_by, '')
         ON CONFLICT (case_id, device_id) DO NOTHING",
        p![case_id],
    )?;
    Ok(())
}

/// A follow-up whose previous visit is not in the ledger (yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingPrevious {
    pub case_id: String,
    /// The follow-up that arrived.
    pub visit_id: String,
    pub device_id: String,
    pub device_name: String,
    pub date: String,
    /// The visit it follows, which has not arrived.
    pub follows: String,
}

impl Ledger {
    /// Every follow-up whose previous visit has not arrived, by case.
    pub fn missing_previous(&self) -> Result<Vec<MissingPrevious>, LedgerError> {
        let mut out = Vec::new();
        for r in self.db.query(
            "SELECT v.case_id, v.visit_id, v.device_id, coalesce(d.name, v.device_id), v.date, v.follows
             FROM visits v LEFT JOIN devices d ON d.device_id = v.device_id
             WHERE v.follows IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM visits p WHERE p.visit_id = v.follows)
             ORDER BY v.case_id, v.date, v.visit_no",
            p![],
        )? {
            out.push(MissingPrevious {
                case_id: r.get(0)?,
                visit_id: r.get(1)?,
                device_id: r.get(2)?,
                device_name: r.get(3)?,
                date: r.get(4)?,
                follows: r.get(5)?,
            });
        }
        Ok(out)
    }

    /// The case card of a visit (JSON), if the ledger made one (visits
    /// imported before ledger schema 5 have none).
    pub fn case_card(&self, visit_id: &str) -> Result<Option<Vec<u8>>, LedgerError> {
        Ok(self
            .db
            .query_opt(
                "SELECT c.card FROM case_cards c JOIN visits v ON v.visit_no = c.visit_no
                 WHERE v.visit_id = ?1",
                p![visit_id],
            )?
            .map(|mut r| r.take_bytes(0)))
    }

    /// Note a handover of `case_id` (its card after `visit_id`) to
    /// `device_id`, written to `file`: the laptop gets no notice to drop
    /// the card, every other laptop that holds visits of the case does.
    /// One transaction.
    pub fn note_handover(
        &mut self,
        case_id: &str,
        device_id: &str,
        visit_id: &str,
        now: &str,
        file: &str,
    ) -> Result<(), LedgerError> {
        let tx = self.db.transaction()?;
        tx.execute(
            "INSERT INTO handovers (case_id, device_id, visit_id, created_at, file)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            p![case_id, device_id, visit_id, now, file],
        )?;
        tx.execute(
            "DELETE FROM case_notices WHERE case_id = ?1 AND device_id = ?2",
            p![case_id, device_id],
        )?;
        tx.execute(
            "INSERT INTO case_notices (case_id, device_id)
             SELECT DISTINCT case_id, device_id FROM visits WHERE case_id = ?1 AND device_id <> ?2
             ON CONFLICT (case_id, device_id) DO UPDATE SET receipt_n = NULL",
            p![case_id, device_id],
        )?;
        crate::supervisor::audit::append(
            &tx,
            &crate::supervisor::audit::Entry {
                at: now.to_string(),
                action: crate::supervisor::audit::action::HANDOVER,
                details: serde_json::json!({
                    "case": case_id,
                    "device": device_id,
                    "after_visit": visit_id,
                    "file": format!("{}/{file}", crate::handover::FOLDER),
                }),
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The devices that are to learn of a closed case in their next receipt.
    pub fn devices_with_closings(&self) -> Result<Vec<String>, LedgerError> {
        let mut out = Vec::new();
        for r in self.db.query(
            "SELECT DISTINCT device_id FROM case_notices WHERE receipt_n IS NULL ORDER BY device_id",
            p![],
        )? {
            out.push(r.get(0)?);
        }
        Ok(out)
    }

    /// Mark a case closed by the office (`supervisor close-case`): `false`
    /// when it was closed already (the first closing stays).
    pub fn close_case(
        &mut self,
        case_id: &str,
        closed_on: &str,
        reason: &str,
        now: &str,
    ) -> Result<bool, LedgerError> {
        let tx = self.db.transaction()?;
        let n = close_case(&tx, case_id, closed_on, reason, "office", now)?;
        crate::supervisor::audit::append(
            &tx,
            &crate::supervisor::audit::Entry {
                at: now.to_string(),
                action: crate::supervisor::audit::action::CLOSE_CASE,
                details: serde_json::json!({
                    "case": case_id,
                    "closed_on": closed_on,
                    "reason": reason,
                    "already_closed": n != 1,
                }),
            },
        )?;
        tx.commit()?;
        Ok(n == 1)
    }
}

/// One bundle being imported: everything in one transaction.
pub struct BundleTx<'a> {
    tx: crate::supervisor::db::Tx<'a>,
    /// The office folder's marks file, if the marks are kept there.
    marks: Option<&'a Path>,
    bundle_id: i64,
    now: String,
    insert_visit: String,
    written_through: Option<i64>,
    /// The cases that got a visit in this bundle (their rows are brought
    /// up to date before the commit).
    touched: BTreeSet<String>,
    /// The ids of erased visits (tombstones), read once per bundle.
    erased: std::collections::HashSet<String>,
}

/// Insert `rows` rows of `cols` columns into `table`, as few statements
/// as can be (one per 64 rows): a round trip per row would be most of
/// the time on PostgreSQL.
fn insert_rows(
    db: &Db,
    table: &str,
    cols: &str,
    width: usize,
    values: &[Param<'_>],
) -> Result<(), LedgerError> {
    // SQLite has no round trips to save: one cached statement, row by row.
    let chunk_rows = match db.dialect() {
        Dialect::Sqlite => 1,
        Dialect::Postgres => 64,
    };
    for chunk in values.chunks(width * chunk_rows) {
        let rows = chunk.len() / width;
        let mut sql = format!("INSERT INTO {table} ({cols}) VALUES ");
        for r in 0..rows {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..width {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push('?');
                sql.push_str(&(r * width + c + 1).to_string());
            }
            sql.push(')');
        }
        db.execute(&sql, chunk)?;
    }
    Ok(())
}

/// Bytes that are UTF-8 text (a serialized JSON document) as text, else
/// as bytes (never changed into other text).
fn utf8_param(b: &[u8]) -> Param<'_> {
    match std::str::from_utf8(b) {
        Ok(s) => Param::Text(s),
        Err(_) => Param::Blob(b),
    }
}

/// Rows for one table: `width` values each, in `values`.
struct Rows<'a> {
    table: &'static str,
    cols: &'static str,
    width: usize,
    values: Vec<Param<'a>>,
}

/// `(?o+1, …), (…)`: the placeholders of `rows` rows of `width` values,
/// numbered from `offset + 1`.
fn placeholders(rows: usize, width: usize, offset: usize) -> String {
    let mut sql = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('?');
            sql.push_str(&(offset + r * width + c + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

/// Insert the rows of several tables. On PostgreSQL in one statement
/// (one round trip: each table's rows in a `WITH … AS (INSERT …)`); on
/// SQLite, which has no round trips to save, row by row.
fn insert_all(db: &Db, parts: Vec<Rows<'_>>) -> Result<(), LedgerError> {
    let parts: Vec<Rows<'_>> = parts.into_iter().filter(|p| !p.values.is_empty()).collect();
    let total: usize = parts.iter().map(|p| p.values.len()).sum();
    // PostgreSQL takes at most 65,535 parameters in one statement.
    if db.dialect() == Dialect::Sqlite || total > 30_000 {
        for p in &parts {
            insert_rows(db, p.table, p.cols, p.width, &p.values)?;
        }
        return Ok(());
    }
    let mut sql = String::from("WITH ");
    let mut values: Vec<Param<'_>> = Vec::with_capacity(total);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "i{i} AS (INSERT INTO {} ({}) VALUES {})",
            p.table,
            p.cols,
            placeholders(p.values.len() / p.width, p.width, values.len())
        ));
        values.extend_from_slice(&p.values);
    }
    sql.push_str(" SELECT 1");
    db.execute(&sql, &values)?;
    Ok(())
}

/// The statement that inserts a visit row.
fn insert_visit_sql() -> String {
    let mut cols = String::from(
        "visit_id, device_id, sequence, date, label, created_at, finalized_at, record_sha256,
         record_version, bundle_id, imported_at, checklists, children, caregivers, flags_acute,
         flags_structural, flags_attention, flags_open, missing_required",
    );
    for (c, _) in findings::COLUMNS {
        cols.push_str(", ");
        cols.push_str(&finding_column(c));
    }
    cols.push_str(", flags_lapsed, flags_withdrawn");
    for c in STATUS_COLUMNS {
        cols.push_str(", ");
        cols.push_str(c);
    }
    cols.push_str(", roster_children, roster_caregivers");
    for (c, _) in CASE_COLUMNS {
        cols.push_str(", ");
        cols.push_str(c);
    }
    let marks: Vec<String> =
        (1..=23 + CASE_COLUMNS.len() + STATUS_COLUMNS.len() + findings::COLUMNS.len())
            .map(|i| format!("?{i}"))
            .collect();
    // A visit id or a (device, sequence) already in the ledger inserts
    // nothing; the caller then finds out which.
    format!(
        "INSERT INTO visits ({cols}) VALUES ({}) ON CONFLICT DO NOTHING RETURNING visit_no",
        marks.join(", ")
    )
}

impl BundleTx<'_> {
    /// Add one decoded visit: new, a duplicate of a known one, or a
    /// conflict (kept aside with its ciphertext, never merged).
    pub fn add(&mut self, v: &VisitRow, ciphertext: &[u8]) -> Result<Added, LedgerError> {
        if self.erased.contains(&v.visit_id) {
            return Ok(Added::Erased);
        }
        let clash = self.tx.query_opt(
            "SELECT visit_id FROM visits WHERE lower(visit_id) = lower(?1) AND visit_id <> ?1 LIMIT 1",
            p![v.visit_id],
        )?;
        if clash.is_some() {
            return Ok(Added::IdCaseClash);
        }
        if let Some(no) = self.insert_visit(v)? {
            return self.add_details(no, v);
        }
        // The visit id or its sequence number is taken: the same record
        // again, or a conflict.
        let known: Option<String> = self
            .tx
            .query_opt(
                "SELECT record_sha256 FROM visits WHERE visit_id = ?1",
                p![v.visit_id],
            )?
            .map(|r| r.get(0))
            .transpose()?;
        let kind = match known {
            Some(sha) if sha == v.record_sha256 => return Ok(Added::Duplicate),
            Some(_) => Added::ConflictSameVisit,
            None => Added::ConflictSameSequence,
        };
        // The kept-aside version was decrypted and checked like any other:
        // its dates, label and red flags are kept with it, so that an acute
        // flag can never hide behind a conflict.
        let acute = v.flag_counts[0];
        let inserted = self.tx.query_opt(
            "INSERT INTO conflicts (visit_id, device_id, sequence, kind, record_sha256, bundle_id, found_at, ciphertext,
                                    date, created_at, finalized_at, label, flags_acute)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (visit_id, record_sha256) DO NOTHING RETURNING conflict_id",
            p![
                v.visit_id,
                v.device_id,
                i64_of(v.sequence),
                if kind == Added::ConflictSameVisit {
                    "same_visit"
                } else {
                    "same_sequence"
                },
                v.record_sha256,
                self.bundle_id,
                self.now,
                ciphertext,
                v.date,
                v.created_at,
                v.finalized_at,
                v.label,
                acute
            ],
        )?;
        if let Some(r) = inserted {
            let id: i64 = r.get(0)?;
            let mut values: Vec<Param<'_>> = Vec::with_capacity(v.flags.len() * 12);
            for (n, f) in v.flags.iter().enumerate() {
                values.extend([
                    Param::Int(id),
                    Param::Int(n as i64),
                    f.checklist.to_param(),
                    f.person.0.to_param(),
                    f.person.1.to_param(),
                    f.flag.to_param(),
                    f.level.to_param(),
                    f.message_nl.to_param(),
                    f.message_en.to_param(),
                    f.raised_at.to_param(),
                    f.acknowledged_at.to_param(),
                    f.state.to_param(),
                ]);
            }
            insert_rows(
                &self.tx,
                "conflict_flags",
                "conflict_id, n, checklist, person_kind, person_id, flag, level,
                 message_nl, message_en, raised_at, acknowledged_at, state",
                12,
                &values,
            )?;
        }
        Ok(kind)
    }

    /// Insert the visit's row: its number, or `None` when its id or its
    /// (device, sequence) is already in the ledger (nothing is inserted
    /// then).
    fn insert_visit(&mut self, v: &VisitRow) -> Result<Option<i64>, LedgerError> {
        let n_cols = 23 + CASE_COLUMNS.len() + STATUS_COLUMNS.len() + findings::COLUMNS.len();
        let mut values: Vec<Param<'_>> = Vec::with_capacity(n_cols);
        let [acute, structural, attention, open] = v.flag_counts.map(i64::from);
        values.extend([
            v.visit_id.to_param(),
            v.device_id.to_param(),
            Param::Int(i64_of(v.sequence)),
            v.date.to_param(),
            v.label.to_param(),
            v.created_at.to_param(),
            v.finalized_at.to_param(),
            v.record_sha256.to_param(),
            Param::Int(v.record_version.into()),
            Param::Int(self.bundle_id),
            self.now.to_param(),
            v.checklists.to_param(),
            Param::Int(v.children.into()),
            Param::Int(v.caregivers.into()),
            Param::Int(acute),
            Param::Int(structural),
            Param::Int(attention),
            Param::Int(open),
            Param::Int(v.missing_required.into()),
        ]);
        // Counts as numbers, so that `finding_help_waiting > 0` compares
        // numbers, not text.
        for ((c, _), f) in findings::COLUMNS.iter().zip(&v.findings) {
            if findings::is_count(c) {
                values.push(
                    f.as_deref()
                        .and_then(|x| x.parse::<i64>().ok())
                        .map_or(Param::Null, Param::Int),
                );
            } else {
                values.push(f.to_param());
            }
        }
        values.push(v.flags_lapsed.to_param());
        values.push(v.flags_withdrawn.to_param());
        for n in &v.status_counts {
            values.push(n.to_param());
        }
        values.push(v.roster[0].to_param());
        values.push(v.roster[1].to_param());
        values.push(v.case_id.to_param());
        values.push(v.follows.to_param());
        match v.agreements {
            Some(a) => values.extend(a.map(|x| Param::Int(x.into()))),
            None => values.extend_from_slice(&[Param::Null; 3]),
        }
        Ok(self
            .tx
            .query_opt(&self.insert_visit, &values)?
            .map(|r| r.get(0))
            .transpose()?)
    }

    /// The rest of a visit just inserted as `no`: its document, red flags,
    /// scores and outcomes.
    fn add_details(&mut self, no: i64, v: &VisitRow) -> Result<Added, LedgerError> {
        // Everything else of the visit hangs off its number: appended in
        // order, where random visit ids would scatter writes over the tables.
        if !self.touched.contains(&v.case_id) {
            self.touched.insert(v.case_id.clone());
        }
        let mut parts: Vec<Rows<'_>> = Vec::with_capacity(5);
        parts.push(Rows {
            table: "documents",
            cols: "visit_no, doc",
            width: 2,
            values: vec![Param::Int(no), utf8_param(&v.doc)],
        });
        if !v.card.is_empty() {
            parts.push(Rows {
                table: "case_cards",
                cols: "visit_no, card",
                width: 2,
                values: vec![Param::Int(no), utf8_param(&v.card)],
            });
        }
        let mut values: Vec<Param<'_>> = Vec::with_capacity(v.flags.len() * 15);
        for (n, f) in v.flags.iter().enumerate() {
            values.extend([
                Param::Int(no),
                Param::Int(n as i64),
                f.checklist.to_param(),
                f.person.0.to_param(),
                f.person.1.to_param(),
                f.flag.to_param(),
                f.level.to_param(),
                f.item.to_param(),
                f.entry.to_param(),
                f.message_nl.to_param(),
                f.message_en.to_param(),
                f.raised_at.to_param(),
                f.acknowledged_at.to_param(),
                f.state.to_param(),
                f.state_at.to_param(),
            ]);
        }
        parts.push(Rows {
            table: "red_flags",
            cols: "visit_no, n, checklist, person_kind, person_id, flag, level, item, entry,
             message_nl, message_en, raised_at, acknowledged_at, state, state_at",
            width: 15,
            values,
        });
        let mut values: Vec<Param<'_>> = Vec::with_capacity(v.scores.len() * 10);
        for (n, s) in v.scores.iter().enumerate() {
            values.extend([
                Param::Int(no),
                Param::Int(n as i64),
                s.checklist.to_param(),
                s.person.0.to_param(),
                s.person.1.to_param(),
                s.score.to_param(),
                Param::Int(s.value),
                s.band.to_param(),
                s.answered.to_param(),
                s.visible.to_param(),
            ]);
        }
        parts.push(Rows {
            table: "scores",
            cols: "visit_no, n, checklist, person_kind, person_id, score, value, band, answered, visible",
            width: 10,
            values,
        });
        let mut values: Vec<Param<'_>> = Vec::with_capacity(v.outcomes.len() * 7);
        for (n, o) in v.outcomes.iter().enumerate() {
            values.extend([
                Param::Int(no),
                Param::Int(n as i64),
                o.checklist.to_param(),
                o.person.0.to_param(),
                o.person.1.to_param(),
                o.outcome.to_param(),
                o.value.to_param(),
            ]);
        }
        parts.push(Rows {
            table: "outcomes",
            cols: "visit_no, n, checklist, person_kind, person_id, outcome, value",
            width: 7,
            values,
        });
        insert_all(&self.tx, parts)?;
        Ok(Added::New)
    }

    /// The SHA-256 of the bundle file (known once it was read to its end).
    ///
    /// The same file seen before (partly imported): its rejections are
    /// already in the ledger, and this bundle's are dropped again, so that
    /// a re-import adds no second set of rows (nor of summary lines).
    pub fn set_sha256(&mut self, sha256: &str) -> Result<(), LedgerError> {
        self.tx.execute(
            "UPDATE bundles SET sha256 = ?1 WHERE bundle_id = ?2",
            p![sha256, self.bundle_id],
        )?;
        self.tx.execute(
            "DELETE FROM rejections WHERE bundle_id = ?1 AND EXISTS (
                 SELECT 1 FROM bundles b WHERE b.sha256 = ?2 AND b.bundle_id < ?1
                 AND b.outcome = 'partly')",
            p![self.bundle_id, sha256],
        )?;
        Ok(())
    }

    /// How the bundle's manifest signature went: `verified`, or `unsigned`
    /// (accepted with `--allow-unsigned`).
    pub fn set_signature(&mut self, state: &str) -> Result<(), LedgerError> {
        self.tx.execute(
            "UPDATE bundles SET signature = ?1 WHERE bundle_id = ?2",
            p![state, self.bundle_id],
        )?;
        Ok(())
    }

    /// Also note, in this transaction, the JSON files written up to
    /// `visit_no` (those of earlier bundles), saving a commit of its own.
    pub fn note_docs_written_through(&mut self, visit_no: i64) {
        self.written_through = Some(visit_no);
    }

    /// A record of this bundle that was refused (or a file that does not
    /// belong): the reason in English and Dutch.
    pub fn reject(
        &mut self,
        visit_id: Option<&str>,
        sequence: Option<u64>,
        file: Option<&str>,
        reason: (&str, &str),
    ) -> Result<(), LedgerError> {
        self.tx.execute(
            "INSERT INTO rejections (bundle_id, visit_id, sequence, file, reason, reason_nl)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            p![
                self.bundle_id,
                visit_id,
                // A number beyond the ledger's range is left out, never clamped.
                sequence.and_then(|s| i64::try_from(s).ok()),
                file,
                reason.0,
                reason.1
            ],
        )?;
        Ok(())
    }

    /// Cases closed on the laptop (the bundle's manifest): noted unless
    /// the case was closed before (the first closing stays). A case id or
    /// reason that is not valid is left out; `by` is the device.
    pub fn close_cases(
        &mut self,
        closed: &[crate::export::manifest::ClosedCase],
        by: &str,
    ) -> Result<u64, LedgerError> {
        let mut n = 0;
        for c in closed {
            if !crate::visit::record::valid_case_id(&c.case_id)
                || !crate::case::valid_close_reason(&c.reason)
                || crate::visit::record::parse_date(&c.closed_on).is_none()
            {
                continue;
            }
            // "Overgedragen" on a laptop means someone else goes on with the
            // family: the office decides who (`supervisor handover`, or
            // `close-case` when the case leaves the organisation). And a
            // laptop that closes a case the office handed to another laptop
            // only drops its own card.
            let handed_elsewhere: bool = self.tx.one(
                "SELECT EXISTS (SELECT 1 FROM handovers WHERE case_id = ?1 AND device_id <> ?2)",
                p![c.case_id, by],
            )?;
            if c.reason == "overgedragen" || handed_elsewhere {
                continue;
            }
            n += close_case(&self.tx, &c.case_id, &c.closed_on, &c.reason, by, &self.now)?;
        }
        Ok(n)
    }

    /// The cases this bundle brought visits of, so far.
    pub fn touched_cases(&self) -> &BTreeSet<String> {
        &self.touched
    }

    /// Record the counts and commit the bundle.
    pub fn commit(
        self,
        new: u64,
        duplicate: u64,
        conflicts: u64,
        rejected: u64,
    ) -> Result<(), LedgerError> {
        let outcome = if conflicts + rejected == 0 {
            "imported"
        } else {
            "partly"
        };
        for case in &self.touched {
            self.tx.execute(REFRESH_CASE_SQL, p![case])?;
            // A visit of a case closed meanwhile: its laptop is told.
            notify_closed(&self.tx, case)?;
        }
        // In the ledger, the mark goes with the bundle; in a marks file,
        // right after its commit (a mark behind only means files written
        // again).
        if let (Some(visit_no), None) = (self.written_through, self.marks) {
            set_mark(&self.tx, None, "json_written_through", visit_no, true)?;
        }
        self.tx.execute(
            "UPDATE bundles SET outcome = ?1, new = ?2, duplicate = ?3, conflicts = ?4, rejected = ?5
             WHERE bundle_id = ?6",
            p![
                outcome,
                i64_of(new),
                i64_of(duplicate),
                i64_of(conflicts),
                i64_of(rejected),
                self.bundle_id
            ],
        )?;
        let (db, marks, through) = (self.tx.db(), self.marks, self.written_through);
        self.tx.commit()?;
        if let (Some(visit_no), Some(path)) = (through, marks) {
            set_mark(db, Some(path), "json_written_through", visit_no, true)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
