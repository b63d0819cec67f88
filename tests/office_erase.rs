//! Erasing a family at the office (`supervisor erase`) and the retention
//! period (`supervisor retention`), on SQLite and on PostgreSQL: after an
//! erasure no output file holds the visits, the SQLite file no longer
//! holds their bytes, a tombstone keeps the gap check quiet and stops a
//! re-import, and an erasure stopped between the ledger and the files is
//! finished by running it again.
//!
//! The PostgreSQL runs need `SAFEVISIT_TEST_POSTGRES` (each works in a
//! schema of its own, dropped at the end); without it they say they were
//! skipped.

mod office_support;
mod vault_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use office_support::pg::PgSchema;
use office_support::*;
use safevisit::store::Vault;
use safevisit::supervisor::{Office, devices};

/// The distinctive text of the family that is erased (its label).
const MARKER: &str = "Kastanjelaan stoeptegel 4711";

/// One office: its folder, its ledger (`None`: SQLite), the org key, the
/// laptop and the bundle with every visit.
struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    dir: PathBuf,
    ledger: Option<String>,
    key: PathBuf,
    laptop: Vault,
    bundle: PathBuf,
}

/// Finalize a visit of case `case` on `date` with `label`.
fn visit(vault: &mut Vault, id: &str, case: &str, label: &str, date: &str) {
    let mut rec = vault_support::record(id, label, 8, 1, 1);
    rec.case_id = case.into();
    rec.date = date.into();
    rec.created_at = format!("{date}T10:00:00");
    rec.updated_at = format!("{date}T11:00:00");
    vault.finalize(rec, summary(), NOW).expect("finalize");
}

/// Two visits of the Kastanje family (2018, 2019: long ago), then a visit
/// of the Appelboom family (2025) and one of the Kersenboom family
/// (2024), exported in one bundle and imported.
fn setup(ledger: Option<String>) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let org = age::x25519::Identity::generate();
    let key = key_file(&root, "org-key.txt", &org);
    let mut laptop = laptop(&root.join("laptop"), "device-a", "laptop-3", &[&org]);
    visit(
        &mut laptop,
        "kastanje-00001",
        "kastanje-1",
        MARKER,
        "2018-05-02",
    );
    visit(
        &mut laptop,
        "kastanje-00002",
        "kastanje-1",
        MARKER,
        "2019-02-11",
    );
    visit(
        &mut laptop,
        "appelboom-00003",
        "appelboom-1",
        "Appelboom",
        "2025-03-04",
    );
    visit(
        &mut laptop,
        "kersenboom-00004",
        "kersenboom-1",
        "Kersenboom",
        "2024-01-15",
    );
    let bundle = export(&mut laptop, &root);
    let dir = root.join("office");
    {
        let office = Office::open_at(&dir, ledger.as_deref()).expect("open the office");
        let card = laptop.device_card().unwrap();
        devices::enrol(office.ledger(), &card, NOW, false).expect("enrol");
    }
    let s = Setup {
        _tmp: tmp,
        root,
        dir,
        ledger,
        key,
        laptop,
        bundle,
    };
    let o = s.run(&[
        "import",
        "-i",
        s.key.to_str().unwrap(),
        s.bundle.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    s
}

impl Setup {
    /// `safevisit --lang en supervisor ARGS --out DIR [--ledger …]`.
    fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, None)
    }

    fn run_env(&self, args: &[&str], env: Option<(&str, &str)>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_safevisit"));
        cmd.args(["--lang", "en", "supervisor", args[0]])
            .arg("--out")
            .arg(&self.dir)
            .args(&args[1..])
            .env_remove("SAFEVISIT_LEDGER");
        if let Some(l) = &self.ledger {
            cmd.arg("--ledger").arg(l);
        }
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        cmd.output().expect("run safevisit")
    }

    /// A number from the ledger.
    fn count(&self, sql: &str) -> i64 {
        match &self.ledger {
            None => count(&self.dir, sql),
            Some(l) => {
                let mut c = postgres::Client::connect(l, postgres::NoTls).unwrap();
                c.query_one(sql, &[]).unwrap().get::<_, i64>(0)
            }
        }
    }

    /// Every output file (not the ledger itself): relative path and text.
    fn outputs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        walk(&self.dir, &self.dir, &mut out);
        out.retain(|(p, _)| !p.starts_with("safevisit.sqlite") && p != "safevisit.lock");
        out
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(root, &p, out);
        } else {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            out.push((rel, text));
        }
    }
}

/// No output file names or holds any of `words`.
fn nothing_holds(s: &Setup, words: &[&str]) {
    let outputs = s.outputs();
    assert!(outputs.len() > 5, "the outputs are there: {outputs:?}");
    for (path, text) in &outputs {
        for w in words {
            assert!(!path.contains(w), "{path} is still there");
            assert!(!text.contains(w), "{path} still holds {w}");
        }
    }
}

fn exists(s: &Setup, rel: &str) -> bool {
    s.dir.join(rel).is_file()
}

/// Erasing a whole case: its visits and case go from the ledger and from
/// every output; the other families stay; a tombstone per visit; the
/// SQLite file no longer holds the family's text; a re-import (the same
/// bundle, and a new bundle with every visit) brings nothing back and
/// reports no gap.
fn erase_a_case(ledger: Option<String>) {
    let mut s = setup(ledger);
    for f in [
        "visits/kastanje-00001.json",
        "visits/kastanje-00002.json",
        "cases/kastanje-1.json",
        "report/visits/kastanje-00001.html",
        "report/cases/kastanje-1.html",
    ] {
        assert!(exists(&s, f), "{f} written by the import");
    }
    assert!(
        std::fs::read_to_string(s.dir.join("visits.csv"))
            .unwrap()
            .contains(MARKER)
    );

    // The dry run lists the visits, their dates and devices and the files,
    // and changes nothing.
    let o = s.run(&["erase", "--case", "kastanje-1", "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Dry run"), "{out}");
    assert!(out.contains("visit kastanje-00001 of 2018-05-02"), "{out}");
    assert!(out.contains("device device-a"), "{out}");
    assert!(out.contains("file visits/kastanje-00002.json"), "{out}");
    assert!(out.contains("report/cases/kastanje-1.html"), "{out}");
    assert!(!out.contains(MARKER), "the dry run names no family: {out}");
    assert_eq!(s.count("SELECT count(*) FROM visits"), 4);
    assert!(exists(&s, "cases/kastanje-1.json"));

    // What the log held before the erasure (the imports, at least).
    let logged_before = s.count("SELECT count(*) FROM audit_log");
    let imports_before = s.count("SELECT count(*) FROM audit_log WHERE action = 'import'");
    assert!(imports_before >= 1, "the import is in the audit log");
    let o = s.run(&[
        "erase",
        "--case",
        "kastanje-1",
        "--reason",
        "verzoek van de ouders",
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("Erased: 2 visit(s)"), "{}", stdout(&o));
    // The erasure leaves the log as it was, and adds to it.
    assert_eq!(
        s.count("SELECT count(*) FROM audit_log WHERE action = 'import'"),
        imports_before
    );
    assert!(s.count("SELECT count(*) FROM audit_log") > logged_before);

    assert_eq!(s.count("SELECT count(*) FROM visits"), 2);
    assert_eq!(
        s.count("SELECT count(*) FROM cases WHERE case_id = 'kastanje-1'"),
        0
    );
    assert_eq!(
        s.count(
            "SELECT count(*) FROM tombstones WHERE case_id = 'kastanje-1' AND reason = 'verzoek van de ouders' AND device_id = 'device-a'"
        ),
        2
    );
    assert_eq!(
        s.count("SELECT count(*) FROM audit_log WHERE action = 'erase'"),
        1
    );
    assert_eq!(
        s.count("SELECT count(*) FROM audit_log WHERE details LIKE '%Kastanjelaan%'"),
        0,
        "the audit log holds ids, never the family's label"
    );
    // Every output: no file, no line, no page of the family.
    nothing_holds(&s, &["kastanje", MARKER]);
    // The other families are still there.
    for f in [
        "visits/appelboom-00003.json",
        "cases/kersenboom-1.json",
        "report/visits/appelboom-00003.html",
        "report/cases/kersenboom-1.html",
    ] {
        assert!(exists(&s, f), "{f} kept");
    }
    let csv = std::fs::read_to_string(s.dir.join("cases.csv")).unwrap();
    assert!(
        csv.contains("appelboom-1") && csv.contains("kersenboom-1"),
        "{csv}"
    );
    if s.ledger.is_none() {
        // After the vacuum the bytes are gone from the ledger's file.
        let bytes = std::fs::read(s.dir.join("safevisit.sqlite")).unwrap();
        let found = bytes.windows(MARKER.len()).any(|w| w == MARKER.as_bytes());
        assert!(
            !found,
            "the SQLite file still holds the erased family's text"
        );
    }

    // The same bundle again: known, the erased visits named as such.
    let o = s.run(&[
        "import",
        "-i",
        s.key.to_str().unwrap(),
        s.bundle.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("2 visit(s) erased, not re-imported"),
        "{}",
        stderr(&o)
    );
    assert!(
        stdout(&o).contains("erased, not re-imported: 2"),
        "{}",
        stdout(&o)
    );
    // A new bundle with every visit (another file): the erased visits are
    // not imported again, and the tombstones leave no gap.
    let again =
        safevisit::export::export_bundle(&mut s.laptop, Some(&s.root.join("again")), true, NOW)
            .expect("export")
            .path
            .expect("a bundle");
    let o = s.run(&[
        "import",
        "-i",
        s.key.to_str().unwrap(),
        again.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("0 new"), "{out}");
    assert!(out.contains("gaps: 0"), "{out}");
    assert!(out.contains("erased, not re-imported: 2"), "{out}");
    assert!(!out.contains("conflicts"), "{out}");
    assert_eq!(s.count("SELECT count(*) FROM visits"), 2);
    assert_eq!(s.count("SELECT count(*) FROM conflicts"), 0);
    nothing_holds(&s, &["kastanje", MARKER]);
    let summary = std::fs::read_to_string(s.dir.join("summary.txt")).unwrap();
    assert!(summary.contains("GAPS (0)"), "{summary}");
    assert!(
        summary.contains("highest sequence 4, 0 missing"),
        "{summary}"
    );
}

#[test]
fn erase_a_case_on_sqlite() {
    erase_a_case(None);
}

#[test]
fn erase_a_case_on_postgres() {
    let Some(pg) = PgSchema::new("erase_a_case_on_postgres") else {
        return;
    };
    erase_a_case(Some(pg.conninfo()));
}

/// Erasing one visit of a case that keeps another: the visit's files go,
/// the case's file and row are written again without it.
fn erase_a_visit(ledger: Option<String>) {
    let s = setup(ledger);
    let o = s.run(&["erase", "--visit", "kastanje-00002"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(!exists(&s, "visits/kastanje-00002.json"));
    assert!(!exists(&s, "report/visits/kastanje-00002.html"));
    assert!(exists(&s, "visits/kastanje-00001.json"));
    assert!(exists(&s, "cases/kastanje-1.json"));
    nothing_holds(&s, &["kastanje-00002"]);
    assert_eq!(
        s.count("SELECT CAST(visits AS BIGINT) FROM cases WHERE case_id = 'kastanje-1'"),
        1
    );
    assert_eq!(
        s.count(
            "SELECT count(*) FROM tombstones WHERE visit_id = 'kastanje-00002' AND reason = ''"
        ),
        1
    );
    let case = std::fs::read_to_string(s.dir.join("cases/kastanje-1.json")).unwrap();
    assert!(
        case.contains("kastanje-00001") && case.contains("2018-05-02"),
        "{case}"
    );
    // An unknown id is refused and changes nothing.
    let o = s.run(&["erase", "--visit", "walnoot-00009"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not in the ledger"), "{}", stderr(&o));
    let o = s.run(&["erase", "--case", "walnoot-1"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not in the ledger"), "{}", stderr(&o));
    assert_eq!(s.count("SELECT count(*) FROM visits"), 3);
    assert_eq!(
        s.count("SELECT count(*) FROM audit_log WHERE action = 'erase'"),
        1,
        "only the real erasure is in the log"
    );
}

#[test]
fn erase_a_visit_on_sqlite() {
    erase_a_visit(None);
}

#[test]
fn erase_a_visit_on_postgres() {
    let Some(pg) = PgSchema::new("erase_a_visit_on_postgres") else {
        return;
    };
    erase_a_visit(Some(pg.conninfo()));
}

/// Killed after the ledger's transaction, before the files: the visits
/// are tombstones, their files still there; running the erasure again
/// removes the files, writes the outputs and says so.
fn killed_midway(ledger: Option<String>) {
    let s = setup(ledger);
    let o = s.run_env(
        &["erase", "--case", "kastanje-1"],
        Some(("SAFEVISIT_FAULT_ERASE_AFTER_COMMIT", "1")),
    );
    assert!(!o.status.success(), "the fault point stops it");
    assert_eq!(
        s.count("SELECT count(*) FROM visits WHERE case_id = 'kastanje-1'"),
        0
    );
    assert_eq!(s.count("SELECT count(*) FROM tombstones"), 2);
    assert!(
        exists(&s, "visits/kastanje-00001.json"),
        "files not yet removed"
    );
    assert!(exists(&s, "cases/kastanje-1.json"));

    let o = s.run(&["erase", "--case", "kastanje-1"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("2 visit(s) were erased before"), "{out}");
    nothing_holds(&s, &["kastanje", MARKER]);
    assert_eq!(s.count("SELECT count(*) FROM tombstones"), 2);
}

/// An erasure stopped after the ledger, finished by the next writing of
/// the outputs: here a retention run that finds nothing new to erase.
#[test]
fn killed_midway_then_finished_by_retention() {
    let s = setup(None);
    let o = s.run_env(
        &["erase", "--case", "kastanje-1"],
        Some(("SAFEVISIT_FAULT_ERASE_AFTER_COMMIT", "1")),
    );
    assert!(!o.status.success(), "the fault point stops it");
    assert!(exists(&s, "visits/kastanje-00001.json"));
    assert!(exists(&s, "report/cases/kastanje-1.html"));
    let o = s.run(&["retention", "--set-period", "50y"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = s.run(&["retention", "--today", "2025-06-01"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    nothing_holds(&s, &["kastanje", MARKER]);
    // The other families stay.
    assert_eq!(s.count("SELECT count(*) FROM visits"), 2);
}

#[test]
fn killed_midway_on_sqlite() {
    killed_midway(None);
}

#[test]
fn killed_midway_on_postgres() {
    let Some(pg) = PgSchema::new("killed_midway_on_postgres") else {
        return;
    };
    killed_midway(Some(pg.conninfo()));
}

/// Retention with a fake clock: without a period nothing happens; with
/// five years, on 2025-06-01 the Kastanje case (last visit 2019-02-11) has
/// passed it and the others have not; the dry run changes nothing, the
/// real run erases through the erasure's path (tombstones, the reason,
/// the audit log).
fn retention(ledger: Option<String>) {
    let s = setup(ledger);
    let o = s.run(&["retention", "--today", "2025-06-01"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("No retention period is set"),
        "{}",
        stdout(&o)
    );
    assert_eq!(s.count("SELECT count(*) FROM visits"), 4);

    let o = s.run(&["retention", "--set-period", "5x"]);
    assert!(!o.status.success(), "a period it cannot read is refused");
    let o = s.run(&["retention", "--set-period", "5y"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        s.count("SELECT count(*) FROM audit_log WHERE action = 'retention-period'"),
        1
    );

    let o = s.run(&["retention", "--dry-run", "--today", "2025-06-01"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("before 2020-06-01"), "{out}");
    assert!(
        out.contains("case kastanje-1 (last visit 2019-02-11)"),
        "{out}"
    );
    assert!(!out.contains("kersenboom"), "{out}");
    assert!(out.contains("nothing was changed"), "{out}");
    assert_eq!(s.count("SELECT count(*) FROM visits"), 4);
    assert!(exists(&s, "cases/kastanje-1.json"));

    // On 2029-02-01 Kersenboom (2024-01-15) has passed too.
    let o = s.run(&["retention", "--dry-run", "--today", "2029-02-01"]);
    assert!(stdout(&o).contains("case kersenboom-1"), "{}", stdout(&o));

    let o = s.run(&["retention", "--today", "2025-06-01"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("Erased: 2 visit(s)"), "{}", stdout(&o));
    assert_eq!(s.count("SELECT count(*) FROM visits"), 2);
    assert_eq!(
        s.count(
            "SELECT count(*) FROM tombstones WHERE reason = 'bewaartermijn verstreken / retention period passed'"
        ),
        2
    );
    assert_eq!(
        s.count("SELECT count(*) FROM audit_log WHERE action = 'retention'"),
        1
    );
    nothing_holds(&s, &["kastanje", MARKER]);
    assert!(exists(&s, "cases/kersenboom-1.json"));

    // On 2031-01-01 both other cases have passed: one erasure for both.
    let o = s.run(&["retention", "--today", "2031-01-01"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("Erased: 2 visit(s)"), "{}", stdout(&o));
    assert_eq!(s.count("SELECT count(*) FROM visits"), 0);
    assert_eq!(s.count("SELECT count(*) FROM cases"), 0);
    assert_eq!(s.count("SELECT count(*) FROM tombstones"), 4);
    assert_eq!(
        s.count("SELECT count(*) FROM audit_log WHERE action = 'retention'"),
        2
    );
    assert!(json_files(&s.dir).is_empty());
    assert!(!exists(&s, "cases/kersenboom-1.json"));
    assert!(!exists(&s, "report/cases/appelboom-1.html"));
    let csv = std::fs::read_to_string(s.dir.join("cases.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
}

#[test]
fn retention_on_sqlite() {
    retention(None);
}

#[test]
fn retention_on_postgres() {
    let Some(pg) = PgSchema::new("retention_on_postgres") else {
        return;
    };
    retention(Some(pg.conninfo()));
}
