//! Tests of the ledger: its migrations from every older schema.

use super::*;
use rusqlite::{Connection, params};

/// The version-4 schema: version 5 without its cases.
fn schema_v4() -> String {
    let mut s = schema_sql();
    let at = s.find("CREATE TABLE cases").unwrap();
    s.truncate(at);
    for (c, kind) in CASE_COLUMNS {
        s = s.replace(&format!("  {c} {kind},\n"), "");
    }
    assert!(!s.contains("case_id") && !s.contains("follows"));
    s
}

#[test]
fn a_version_4_ledger_gets_a_case_for_every_visit() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(FILE);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&schema_v4()).unwrap();
        conn.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('schema_version', '4'), ('json_written_through', '0');
             INSERT INTO devices (device_id, name, first_seen, last_seen) VALUES ('d1', 'laptop-5', 't', 't');
             INSERT INTO bundles (bundle_id, sha256, file_name, size, seen_at, outcome)
                 VALUES (1, 'x', 'b.age', 1, 't', 'imported');",
        )
        .unwrap();
        for (n, (id, date, label)) in [
            ("appelboom-1", "2025-03-04", "Appelboom"),
            ("kersenboom-1", "2025-03-11", "Kersenboom"),
        ]
        .iter()
        .enumerate()
        {
            conn.execute(
                "INSERT INTO visits (visit_id, device_id, sequence, date, label, created_at, finalized_at,
                     record_sha256, record_version, bundle_id, imported_at, checklists, children, caregivers,
                     flags_acute, flags_structural, flags_attention, flags_open, missing_required)
                 VALUES (?1, 'd1', ?2, ?3, ?4, 't', 't', 'h', 3, 1, 't', 'veiligheid@1', 1, 2, 0, 0, 0, 0, 0)",
                params![id, n as i64 + 1, date, label],
            )
            .unwrap();
        }
    }
    let ledger = Ledger::open(&path).unwrap();
    let c = &ledger.conn().as_sqlite().unwrap();
    let version: String = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION.to_string());
    // Each old visit is a case of its own, named after it.
    let cases: Vec<(String, String, String, String, i64)> = c
        .prepare(
            "SELECT case_id, label, first_date, last_visit, visits FROM cases ORDER BY case_id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        cases,
        vec![
            (
                "appelboom-1".into(),
                "Appelboom".into(),
                "2025-03-04".into(),
                "appelboom-1".into(),
                1
            ),
            (
                "kersenboom-1".into(),
                "Kersenboom".into(),
                "2025-03-11".into(),
                "kersenboom-1".into(),
                1
            ),
        ]
    );
    let (follows, kept): (Option<String>, Option<i64>) = c
        .query_row(
            "SELECT follows, agreements_kept FROM visits WHERE visit_id = 'appelboom-1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((follows, kept), (None, None));
    assert!(ledger.missing_previous().unwrap().is_empty());
    // Visits from before have no card to hand over; the new tables are empty.
    assert_eq!(ledger.case_card("appelboom-1").unwrap(), None);
    for table in ["case_notices", "case_cards", "handovers"] {
        let n: i64 = c
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
    drop(ledger);
    // Opened again: already version 5.
    Ledger::open(&path).unwrap();
}

/// The version-3 schema: version 4 without its new columns and tables.
fn schema_v3() -> String {
    let s = schema_v4();
    let start = s.find("CREATE TABLE conflict_flags").unwrap();
    let end = s.find("CREATE INDEX visits_by_lower_id").unwrap();
    let end = end + s[end..].find('\n').unwrap() + 1;
    let s = format!("{}{}", &s[..start], &s[end..]);
    let s = s.replace(
        "  date TEXT,\n  created_at TEXT,\n  finalized_at TEXT,\n  label TEXT,\n  flags_acute INTEGER NOT NULL DEFAULT 0,\n  UNIQUE (visit_id, record_sha256)",
        "  UNIQUE (visit_id, record_sha256)",
    );
    let s = s.replace("  roster_children TEXT,\n  roster_caregivers TEXT,\n", "");
    assert!(!s.contains("conflict_flags") && !s.contains("flags_acute INTEGER NOT NULL DEFAULT"));
    assert!(!s.contains("roster_children"));
    let mut s = s;
    for c in DEVICE_TRUST_COLUMNS {
        s = s.replace(&format!(",\n  {c} TEXT"), "");
    }
    s = s.replace(
        ",\n  signature TEXT CHECK (signature IN ('verified', 'unsigned'))",
        "",
    );
    let at = s.find("CREATE TABLE receipts").unwrap();
    s.truncate(at);
    s
}

#[test]
fn a_version_3_ledger_gains_the_conflict_versions() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(FILE);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&schema_v3()).unwrap();
        conn.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('schema_version', '3'), ('json_written_through', '0');",
        )
        .unwrap();
    }
    let ledger = Ledger::open(&path).unwrap();
    let version: String = ledger
        .conn()
        .as_sqlite()
        .unwrap()
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION.to_string());
    ledger
        .conn()
        .as_sqlite()
        .unwrap()
        .prepare("SELECT date, finalized_at, label, flags_acute FROM conflicts")
        .unwrap();
    ledger
        .conn()
        .as_sqlite()
        .unwrap()
        .prepare("SELECT roster_children, roster_caregivers FROM visits")
        .unwrap();
    ledger
        .conn()
        .as_sqlite()
        .unwrap()
        .prepare("SELECT flag, level, state FROM conflict_flags")
        .unwrap();
    drop(ledger);
    Ledger::open(&path).unwrap();
}

/// The version-2 schema: version 3 without its new columns.
fn schema_v2() -> String {
    let mut s = schema_v3();
    for c in STATUS_COLUMNS {
        s = s.replace(&format!("  {c} INTEGER NOT NULL DEFAULT 0,\n"), "");
    }
    s
}

/// The version-1 schema: version 2 without its new columns.
fn schema_v1() -> String {
    schema_v2()
        .replace("  flags_lapsed INTEGER NOT NULL DEFAULT 0,\n", "")
        .replace("  flags_withdrawn INTEGER NOT NULL DEFAULT 0,\n", "")
        .replace("  state TEXT NOT NULL DEFAULT 'active',\n", "")
        .replace("  state_at TEXT,\n", "")
}

#[test]
fn a_ledger_without_the_newer_finding_columns_gets_them_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(FILE);
    let newer = [
        "finding.safety_verdict_computed",
        "finding.plan_agreements",
        "finding.plan_first_deadline",
        "finding.plan_evaluation",
        "finding.next_contact",
        "finding.trauma_referred_not_acted",
        "finding.framework",
    ];
    {
        let conn = Connection::open(&path).unwrap();
        let mut older = schema_v3();
        for c in newer {
            let line = older
                .lines()
                .find(|l| {
                    l.trim_start()
                        .starts_with(&format!("{} ", finding_column(c)))
                })
                .unwrap()
                .to_string();
            older = older.replace(&format!("{line}\n"), "");
        }
        assert_ne!(older, schema_v3());
        conn.execute_batch(&older).unwrap();
        conn.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('schema_version', '3'), ('json_written_through', '0');
             INSERT INTO devices VALUES ('d1', 'laptop-5', 't', 't');
             INSERT INTO bundles (bundle_id, sha256, file_name, size, seen_at, outcome)
                 VALUES (1, 'x', 'b.age', 1, 't', 'imported');
             INSERT INTO visits (visit_id, device_id, sequence, date, label, created_at, finalized_at,
                 record_sha256, record_version, bundle_id, imported_at, checklists, children, caregivers,
                 flags_acute, flags_structural, flags_attention, flags_open, missing_required,
                 finding_safety_verdict)
             VALUES ('v1', 'd1', 1, '2025-03-04', 'Kersenboom', 't', 't', 'h', 2, 1, 't',
                 'veiligheid@1', 1, 2, 0, 0, 0, 0, 0, 'structureel');",
        )
        .unwrap();
    }
    let ledger = Ledger::open(&path).unwrap();
    for c in newer {
        let v: Option<String> = ledger
            .conn()
            .as_sqlite()
            .unwrap()
            .query_row(
                &format!("SELECT {} FROM visits", finding_column(c)),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(v, None, "{c}");
    }
    let old: String = ledger
        .conn()
        .as_sqlite()
        .unwrap()
        .query_row("SELECT finding_safety_verdict FROM visits", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(old, "structureel");
    drop(ledger);
    // Opened again: nothing to add.
    Ledger::open(&path).unwrap();
}

#[test]
fn a_version_2_ledger_gains_the_status_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(FILE);
    {
        let conn = Connection::open(&path).unwrap();
        let v2 = schema_v2();
        assert!(!v2.contains("sheets_te_jong"));
        conn.execute_batch(&v2).unwrap();
        conn.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('schema_version', '2'), ('json_written_through', '0');",
        )
        .unwrap();
    }
    let ledger = Ledger::open(&path).unwrap();
    let version: String = ledger
        .conn()
        .as_sqlite()
        .unwrap()
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION.to_string());
    for c in STATUS_COLUMNS {
        ledger
            .conn()
            .as_sqlite()
            .unwrap()
            .prepare(&format!("SELECT {c} FROM visits"))
            .unwrap();
    }
}

#[test]
fn a_version_1_ledger_is_migrated_and_its_flags_are_active() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(FILE);
    {
        let conn = Connection::open(&path).unwrap();
        let v1 = schema_v1();
        assert_ne!(v1, schema_sql());
        conn.execute_batch(&v1).unwrap();
        conn.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('schema_version', '1'), ('json_written_through', '0');
             INSERT INTO devices VALUES ('d1', 'laptop-5', 't', 't');
             INSERT INTO bundles (bundle_id, sha256, file_name, size, seen_at, outcome)
                 VALUES (1, 'x', 'b.age', 1, 't', 'imported');",
        )
        .unwrap();
        let findings = findings::COLUMNS.len();
        let cols = 19 + findings;
        let marks: Vec<String> = (1..=cols).map(|i| format!("?{i}")).collect();
        let mut sql = String::from(
            "INSERT INTO visits (visit_id, device_id, sequence, date, label, created_at, finalized_at,
             record_sha256, record_version, bundle_id, imported_at, checklists, children, caregivers,
             flags_acute, flags_structural, flags_attention, flags_open, missing_required",
        );
        for (c, _) in findings::COLUMNS {
            sql.push_str(", ");
            sql.push_str(&finding_column(c));
        }
        sql.push_str(&format!(") VALUES ({})", marks.join(", ")));
        let mut values: Vec<rusqlite::types::Value> = vec![
            String::from("v1").into(),
            String::from("d1").into(),
            1i64.into(),
            String::from("2025-03-04").into(),
            String::from("Kersenboom").into(),
            String::from("t").into(),
            String::from("t").into(),
            String::from("h").into(),
            1i64.into(),
            1i64.into(),
            String::from("t").into(),
            String::from("veiligheid@1").into(),
            3i64.into(),
            1i64.into(),
            1i64.into(),
            0i64.into(),
            0i64.into(),
            0i64.into(),
            0i64.into(),
        ];
        values.extend((0..findings).map(|_| rusqlite::types::Value::Null));
        conn.execute(&sql, rusqlite::params_from_iter(values))
            .unwrap();
        conn.execute_batch(
            "INSERT INTO red_flags (visit_no, n, checklist, person_kind, flag, level,
                 message_nl, message_en, raised_at)
             VALUES (1, 0, 'veiligheid', 'visit', 'acuut_geweld', 'acute', 'm', 'm', 't');",
        )
        .unwrap();
    }
    let ledger = Ledger::open(&path).unwrap();
    let c = &ledger.conn().as_sqlite().unwrap();
    let version: String = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION.to_string());
    let state: String = c
        .query_row("SELECT state FROM red_flags", [], |r| r.get(0))
        .unwrap();
    assert_eq!(state, "active");
    let (lapsed, withdrawn): (i64, i64) = c
        .query_row(
            "SELECT flags_lapsed, flags_withdrawn FROM visits",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((lapsed, withdrawn), (0, 0));
    let removed: i64 = c
        .query_row("SELECT people_removed FROM visits", [], |r| r.get(0))
        .unwrap();
    assert_eq!(removed, 0);
    drop(ledger);
    // Opened again: already version 5, nothing to do.
    Ledger::open(&path).unwrap();
}

#[test]
fn a_version_3_ledger_keeps_its_devices_not_enrolled() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(FILE);
    {
        let conn = Connection::open(&path).unwrap();
        let v3 = schema_v3();
        assert!(!v3.contains("signing_key") && !v3.contains("receipts"));
        conn.execute_batch(&v3).unwrap();
        conn.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('schema_version', '3'), ('json_written_through', '0');
             INSERT INTO devices VALUES ('d1', 'laptop-5', 't1', 't2');
             INSERT INTO bundles (bundle_id, sha256, file_name, size, seen_at, outcome, device_id)
                 VALUES (1, 'x', 'b.age', 1, 't', 'imported', 'd1');",
        )
        .unwrap();
    }
    let ledger = Ledger::open(&path).unwrap();
    let c = &ledger.conn().as_sqlite().unwrap();
    let version: String = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION.to_string());
    let (name, key, enrolled, signature): (String, Option<String>, Option<String>, Option<String>) =
        c.query_row(
            "SELECT d.name, d.signing_key, d.enrolled_at, b.signature
             FROM devices d JOIN bundles b ON b.device_id = d.device_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(name, "laptop-5");
    assert_eq!((key, enrolled, signature), (None, None, None));
    let receipts: i64 = c
        .query_row("SELECT count(*) FROM receipts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(receipts, 0);
    drop(ledger);
    Ledger::open(&path).unwrap();
}

/// A schema of its own in the PostgreSQL test database
/// (`SAFEVISIT_TEST_POSTGRES`), dropped when done; `None`, and "skipped"
/// on stderr, without one.
struct PgSchema {
    base: String,
    name: String,
}

impl PgSchema {
    fn new(test: &str) -> Option<PgSchema> {
        let Ok(base) = std::env::var("SAFEVISIT_TEST_POSTGRES") else {
            eprintln!(
                "skipped: {test}: SAFEVISIT_TEST_POSTGRES is not set (no PostgreSQL to test against)"
            );
            return None;
        };
        let name = format!("sv_ledger_{test}_{}", std::process::id());
        let mut c = postgres::Client::connect(&base, postgres::NoTls).unwrap();
        c.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
        ))
        .unwrap();
        Some(PgSchema { base, name })
    }

    fn conninfo(&self) -> String {
        format!("{} options='-c search_path={}'", self.base, self.name)
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.base, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA {} CASCADE", self.name));
        }
    }
}

/// The migration steps are written once for both databases: a version-4
/// ledger on PostgreSQL is refused until `supervisor migrate` brings it
/// to version 5, with the same cases as on SQLite.
#[test]
fn a_version_4_postgres_ledger_is_refused_until_migrated() {
    let Some(pg) = PgSchema::new("v4") else {
        return;
    };
    let conninfo = pg.conninfo();
    {
        let db = Db::postgres(crate::supervisor::pgconn::connect(&conninfo).unwrap());
        db.execute_batch(&pg_schema(&schema_v4())).unwrap();
        db.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('schema_version', '4'), ('json_written_through', '0');
             INSERT INTO devices (device_id, name, first_seen, last_seen) VALUES ('d1', 'laptop-5', 't', 't');
             INSERT INTO bundles (sha256, file_name, size, seen_at, outcome)
                 VALUES ('x', 'b.age', 1, 't', 'imported');",
        )
        .unwrap();
        for (n, (id, date, label)) in [
            ("appelboom-1", "2025-03-04", "Appelboom"),
            ("kersenboom-1", "2025-03-11", "Kersenboom"),
        ]
        .iter()
        .enumerate()
        {
            db.execute(
                "INSERT INTO visits (visit_id, device_id, sequence, date, label, created_at, finalized_at,
                     record_sha256, record_version, bundle_id, imported_at, checklists, children, caregivers,
                     flags_acute, flags_structural, flags_attention, flags_open, missing_required)
                 VALUES (?1, 'd1', ?2, ?3, ?4, 't', 't', 'h', 3, 1, 't', 'veiligheid@1', 1, 2, 0, 0, 0, 0, 0)",
                p![id, n + 1, date, label],
            )
            .unwrap();
        }
    }
    assert!(matches!(
        Ledger::open_postgres(&conninfo),
        Err(LedgerError::Older { found: 4 })
    ));
    let location = Location::Postgres(conninfo.clone());
    assert_eq!(Ledger::migrate(&location).unwrap(), (4, 6));
    assert_eq!(Ledger::migrate(&location).unwrap(), (6, 6));
    let ledger = Ledger::open_postgres(&conninfo).unwrap();
    // The migration is in the audit log it made; the second, which changed
    // nothing, is not.
    let log = crate::supervisor::audit::read(ledger.conn(), None).unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].action, "migrate");
    assert_eq!(log[0].details["from"], 4);
    assert_eq!(log[0].details["to"], 6);
    let cases: Vec<(String, String, i64)> = ledger
        .conn()
        .query(
            "SELECT case_id, last_visit, visits FROM cases ORDER BY case_id",
            p![],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0).unwrap(), r.get(1).unwrap(), r.get(2).unwrap()))
        .collect();
    assert_eq!(
        cases,
        vec![
            ("appelboom-1".into(), "appelboom-1".into(), 1),
            ("kersenboom-1".into(), "kersenboom-1".into(), 1),
        ]
    );
    assert!(ledger.missing_previous().unwrap().is_empty());
    assert_eq!(ledger.case_card("appelboom-1").unwrap(), None);
}
