//! The ledger on PostgreSQL (`--ledger`): the same outputs as with SQLite,
//! byte for byte; two imports into one PostgreSQL ledger at once; the
//! schema version checked at every start and brought up to date by
//! `supervisor migrate`.
//!
//! These tests need a PostgreSQL server: `SAFEVISIT_TEST_POSTGRES` names a
//! database (a connection string; `.ci/run` starts a cluster and sets it).
//! Each test works in a schema of its own in that database, dropped at
//! the end. Without the variable each test says it was skipped.

mod office_support;
mod vault_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use office_support::pg::PgSchema;
use office_support::*;
use safevisit::i18n::Lang;
use safevisit::supervisor::{Identity, ImportPolicy, Office, devices, keys};

/// Two laptops of one organisation and their bundles: `device-a` with a
/// gap that a later bundle closes, `device-b` with visits with red flags.
struct Bundles {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    ids: Vec<Identity>,
    cards: Vec<safevisit::cards::DeviceCard>,
    /// In the order they are exported.
    files: Vec<PathBuf>,
}

fn bundles() -> Bundles {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let org = age::x25519::Identity::generate();
    let key = key_file(&root, "org-key.txt", &org);
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    let mut b = laptop(&root.join("b"), "device-b", "laptop-7", &[&org]);
    let mut files = Vec::new();
    finalize(&mut a, "appelboom", 1, 6, 12);
    files.push(export(&mut a, &root));
    finalize(&mut a, "appelboom", 7, 3, 12);
    files.push(export(&mut a, &root));
    finalize(&mut b, "kersenboom", 1, 5, 30);
    files.push(export(&mut b, &root));
    finalize(&mut a, "appelboom", 10, 4, 12);
    files.push(export(&mut a, &root));
    finalize(&mut b, "kersenboom", 6, 4, 30);
    files.push(export(&mut b, &root));
    Bundles {
        ids: keys::load_identities(&key).unwrap(),
        cards: vec![a.device_card().unwrap(), b.device_card().unwrap()],
        _tmp: tmp,
        root,
        files,
    }
}

/// An office folder on `ledger` (`None`: SQLite) with both laptops enrolled.
fn office(dir: &Path, ledger: Option<&str>, b: &Bundles) -> Office {
    let office = Office::open_at(dir, ledger).expect("open the office");
    for card in &b.cards {
        devices::enrol(office.ledger(), card, NOW, false).expect("enrol");
    }
    office
}

/// Every output file of an office folder (not the ledger, lock or marks),
/// by path.
fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            if rel.starts_with("safevisit.") {
                continue;
            }
            out.insert(rel, std::fs::read(&path).unwrap());
        }
    }
    out
}

fn assert_same_outputs(a: &Path, b: &Path) {
    let (a, b) = (outputs(a), outputs(b));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (name, bytes) in &a {
        assert!(
            bytes == &b[name],
            "{name} differs:\n--- sqlite\n{}\n--- postgresql\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&b[name])
        );
    }
}

#[test]
fn outputs_are_byte_identical_from_sqlite_and_postgres() {
    let Some(pg) = PgSchema::new("byte_identical") else {
        return;
    };
    let b = bundles();
    let lite_dir = b.root.join("kantoor-sqlite");
    let pg_dir = b.root.join("kantoor-pg");
    let conninfo = pg.conninfo();
    let mut lite = office(&lite_dir, None, &b);
    let mut post = office(&pg_dir, Some(&conninfo), &b);
    // The gap first (bundle 2 held back), then the rest, then one again.
    let runs: [&[usize]; 3] = [&[0, 2], &[3, 1, 4], &[2]];
    for run in runs {
        let files: Vec<PathBuf> = run.iter().map(|&i| b.files[i].clone()).collect();
        for office in [&mut lite, &mut post] {
            office.set_policy(ImportPolicy::default());
            let r = office
                .import(&files, &b.ids, NOW, Lang::Nl, &())
                .expect("import");
            assert!(r.all_imported());
        }
        assert_same_outputs(&lite_dir, &pg_dir);
    }
    let summary = std::fs::read_to_string(pg_dir.join("summary.txt")).unwrap();
    assert!(summary.contains("ONTBREKENDE BEZOEKEN (0)"), "{summary}");
    assert_eq!(csv_rows(&pg_dir).len(), 22);
    assert_eq!(json_files(&pg_dir).len(), 22);
    // The ledger is in PostgreSQL, not in the folder.
    assert!(!pg_dir.join("safevisit.sqlite").exists());
    let n: i64 = pg
        .client()
        .query_one("SELECT count(*) FROM visits", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 22);
    // A regeneration from scratch gives the same files again.
    drop(post);
    std::fs::remove_dir_all(pg_dir.join("visits")).unwrap();
    std::fs::remove_dir_all(pg_dir.join("cases")).unwrap();
    std::fs::remove_file(pg_dir.join("safevisit.marks")).unwrap();
    let mut post = Office::open_at(&pg_dir, Some(&conninfo)).unwrap();
    post.write_outputs(Lang::Nl).unwrap();
    assert_same_outputs(&lite_dir, &pg_dir);
}

#[test]
fn two_imports_at_once_into_one_postgres_ledger() {
    let Some(pg) = PgSchema::new("two_at_once") else {
        return;
    };
    let b = bundles();
    let conninfo = pg.conninfo();
    let dirs = [b.root.join("kantoor-noord"), b.root.join("kantoor-zuid")];
    // Enrolled once: the ledger is shared.
    drop(office(&dirs[0], Some(&conninfo), &b));
    // Overlapping runs, in different orders, at the same time.
    let runs: [Vec<usize>; 2] = [vec![0, 1, 2, 3], vec![3, 2, 4, 1, 0]];
    let reports: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = dirs
            .iter()
            .zip(&runs)
            .map(|(dir, run)| {
                let (conninfo, b) = (&conninfo, &b);
                s.spawn(move || {
                    let mut office = Office::open_at(dir, Some(conninfo)).unwrap();
                    let files: Vec<PathBuf> = run.iter().map(|&i| b.files[i].clone()).collect();
                    office
                        .import(&files, &b.ids, NOW, Lang::En, &())
                        .expect("import")
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // Each visit once, each counted new once over both runs.
    let new: u64 = reports.iter().map(|r| r.new_visits()).sum();
    assert_eq!(new, 22);
    let mut c = pg.client();
    let one =
        |c: &mut postgres::Client, sql: &str| -> i64 { c.query_one(sql, &[]).unwrap().get(0) };
    assert_eq!(one(&mut c, "SELECT count(*) FROM visits"), 22);
    assert_eq!(
        one(&mut c, "SELECT count(DISTINCT visit_id) FROM visits"),
        22
    );
    assert_eq!(one(&mut c, "SELECT count(*) FROM conflicts"), 0);
    assert_eq!(
        one(&mut c, "SELECT CAST(sum(new) AS BIGINT) FROM bundles"),
        22
    );
    // Nine bundle rows: every file of either run once, each complete.
    assert_eq!(one(&mut c, "SELECT count(*) FROM bundles"), 9);
    assert_eq!(
        one(
            &mut c,
            "SELECT count(*) FROM bundles WHERE outcome NOT IN ('imported', 'known')"
        ),
        0
    );
    // Visit numbers follow the commits: a device's visits of one bundle
    // are numbered together, and no gap is left behind.
    for r in &reports {
        assert!(r.gaps.is_empty(), "{:?}", r.gaps);
    }
    // Both folders, brought up to date, hold the same files.
    for dir in &dirs {
        let mut office = Office::open_at(dir, Some(&conninfo)).unwrap();
        office.write_outputs(Lang::En).unwrap();
        assert_eq!(json_files(dir).len(), 22, "{}", dir.display());
    }
    assert_same_outputs(&dirs[0], &dirs[1]);
}

#[test]
fn the_postgres_schema_version_is_checked_and_migrated() {
    let Some(pg) = PgSchema::new("schema_version") else {
        return;
    };
    let conninfo = pg.conninfo();
    let tmp = tempfile::tempdir().unwrap();
    drop(Office::open_at(&tmp.path().join("kantoor"), Some(&conninfo)).unwrap());
    let mut c = pg.client();
    let version = |c: &mut postgres::Client| -> String {
        c.query_one("SELECT value FROM meta WHERE key = 'schema_version'", &[])
            .unwrap()
            .get(0)
    };
    let current = safevisit::supervisor::ledger::SCHEMA_VERSION;
    assert_eq!(version(&mut c), current.to_string());
    let bin = env!("CARGO_BIN_EXE_safevisit");
    let migrate = |lang: &str| {
        std::process::Command::new(bin)
            .args([
                "--lang",
                lang,
                "supervisor",
                "migrate",
                "--ledger",
                &conninfo,
            ])
            .output()
            .unwrap()
    };
    let out = migrate("en");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        format!("schema version {current} → {current}: already up to date")
    );

    // A newer schema: refused, by import and by migrate alike.
    c.batch_execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
        .unwrap();
    let err = Office::open_at(&tmp.path().join("kantoor"), Some(&conninfo)).unwrap_err();
    assert!(
        err.describe(Lang::En).contains("schema version 9"),
        "{}",
        err.describe(Lang::En)
    );
    let out = migrate("nl");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("schemaversie 9"), "{}", stderr(&out));

    // An older one (made by an earlier safevisit: a finding column it did
    // not know yet): refused until migrated.
    c.batch_execute(&format!(
        "UPDATE meta SET value = '{current}' WHERE key = 'schema_version';
         ALTER TABLE visits DROP COLUMN finding_plan_evaluation;"
    ))
    .unwrap();
    let err = Office::open_at(&tmp.path().join("kantoor"), Some(&conninfo)).unwrap_err();
    assert!(
        err.describe(Lang::Nl)
            .contains("voer eerst `safevisit supervisor migrate --ledger …` uit"),
        "{}",
        err.describe(Lang::Nl)
    );
    let out = migrate("en");
    assert!(out.status.success(), "{}", stderr(&out));
    Office::open_at(&tmp.path().join("kantoor"), Some(&conninfo)).unwrap();
}

#[test]
fn a_password_on_the_command_line_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", "nl", "supervisor", "devices", "--out"])
        .arg(tmp.path().join("kantoor"))
        .args([
            "--ledger",
            "postgresql://kantoor:Kersenboom-geheim@localhost/safevisit",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("~/.pgpass") && err.contains("PGPASSFILE"),
        "{err}"
    );
    assert!(!err.contains("Kersenboom-geheim"), "{err}");
}

/// An office folder belongs to one ledger: a forgotten `--ledger` is
/// refused (it would make an empty SQLite ledger and empty outputs beside
/// the shared ledger's files), as is `--ledger` on a SQLite folder or on
/// a folder filled from another PostgreSQL ledger. Nothing is changed.
#[test]
fn an_office_folder_stays_with_its_own_ledger() {
    let (Some(pg), Some(other)) = (PgSchema::new("folder_a"), PgSchema::new("folder_b")) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let shared = tmp.path().join("kantoor-noord");
    drop(Office::open_at(&shared, Some(&pg.conninfo())).unwrap());
    let outputs_before = outputs(&shared);

    let err = Office::open_at(&shared, None).unwrap_err();
    assert!(
        err.describe(Lang::Nl).contains("geef dat mee met --ledger"),
        "{}",
        err.describe(Lang::Nl)
    );
    assert!(!shared.join("safevisit.sqlite").exists());

    let err = Office::open_at(&shared, Some(&other.conninfo())).unwrap_err();
    assert!(
        err.describe(Lang::En)
            .contains("filled from another ledger"),
        "{}",
        err.describe(Lang::En)
    );
    assert_eq!(outputs(&shared), outputs_before);

    let local = tmp.path().join("kantoor-lokaal");
    drop(Office::open_at(&local, None).unwrap());
    let err = Office::open_at(&local, Some(&pg.conninfo())).unwrap_err();
    assert!(
        err.describe(Lang::En)
            .contains("has a SQLite ledger of its own"),
        "{}",
        err.describe(Lang::En)
    );
    // The right pairs still open.
    drop(Office::open_at(&shared, Some(&pg.conninfo())).unwrap());
    drop(Office::open_at(&local, None).unwrap());
}
