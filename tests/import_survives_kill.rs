//! A killed import (SIGKILL at a random moment: while bundles are decrypted,
//! inserted, committed, or while the outputs are written) leaves the ledger
//! and the outputs consistent, and running the import again completes the
//! work: every visit in the ledger once, a JSON file for each equal to its
//! document, the CSV and summary complete, no temporary file left behind.
//! This file has its own `main` (harness = false): it runs the real binary.

mod office_support;
mod vault_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use office_support::*;

const ROUNDS: usize = 16;
const BUNDLES: u64 = 8;
const PER_BUNDLE: u64 = 40;

fn main() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let mut vault = laptop(&root.join("laptop"), "device-a", "laptop-3", &[&org]);
    let mut bundles = Vec::new();
    for b in 0..BUNDLES {
        finalize(&mut vault, "appelboom", 1 + b * PER_BUNDLE, PER_BUNDLE, 30);
        bundles.push(export(&mut vault, root));
    }
    let total = (BUNDLES * PER_BUNDLE) as i64;

    // A full run, to know how long one takes.
    let clock = Instant::now();
    let full = run(&root.join("kantoor-0"), &key, &bundles);
    assert!(full.status.success(), "{}", stderr(&full));
    let whole = clock.elapsed();
    check(&root.join("kantoor-0"), total);

    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(7, |d| d.as_nanos() as u64)
        | 1;
    let mut killed_mid_way = 0;
    for round in 1..=ROUNDS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let office = root.join(format!("kantoor-{round}"));
        let delay = whole.mul_f64((seed % 1000) as f64 / 1000.0 * 1.1);
        let mut child = command(&office, &key, &bundles)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start import");
        std::thread::sleep(delay);
        if child.try_wait().expect("poll").is_none() {
            killed_mid_way += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        // Whatever the kill left is consistent with itself...
        // (Killed early, the ledger may not even have its tables yet.)
        if office.join("safevisit.sqlite").exists()
            && count(
                &office,
                "SELECT count(*) FROM sqlite_master WHERE name = 'visits'",
            ) == 1
        {
            let n = count(&office, "SELECT count(*) FROM visits");
            assert!(
                n % PER_BUNDLE as i64 == 0,
                "round {round}: a bundle landed in part ({n} visits)"
            );
            // The outputs never show a visit the ledger does not hold.
            let conn = rusqlite::Connection::open(office.join("safevisit.sqlite")).unwrap();
            for name in json_files(&office) {
                if let Some(id) = name.strip_suffix(".json") {
                    let known: i64 = conn
                        .query_row(
                            "SELECT count(*) FROM visits WHERE visit_id = ?1",
                            [id],
                            |r| r.get(0),
                        )
                        .unwrap();
                    assert_eq!(
                        known, 1,
                        "round {round}: visits/{name} without a ledger row"
                    );
                }
            }
        }
        // ...and a second run completes it.
        let again = run(&office, &key, &bundles);
        assert!(
            again.status.success(),
            "round {round} (killed after {delay:?}): {}",
            stderr(&again)
        );
        check(&office, total);
    }
    assert!(killed_mid_way > 0, "no import was killed while it ran");
    println!(
        "test import_survives_kill: {ROUNDS} kills ({killed_mid_way} mid-way, a full import takes {whole:.1?}) ... ok ({:.1?})",
        started.elapsed()
    );
}

fn command(office: &Path, key: &Path, bundles: &[PathBuf]) -> Command {
    let refs: Vec<&Path> = bundles.iter().map(PathBuf::as_path).collect();
    enrol_signers(office, &[key], &refs);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_safevisit"));
    cmd.args([
        "--lang",
        "en",
        "supervisor",
        "import",
        "--allow-unsigned",
        "-i",
    ])
    .arg(key)
    .arg("--out")
    .arg(office)
    .args(bundles);
    cmd
}

fn run(office: &Path, key: &Path, bundles: &[PathBuf]) -> std::process::Output {
    command(office, key, bundles).output().expect("run import")
}

/// The office folder holds exactly the expected state.
fn check(office: &Path, total: i64) {
    assert_eq!(count(office, "SELECT count(*) FROM visits"), total);
    assert_eq!(
        count(
            office,
            "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'json_written_through'"
        ),
        count(office, "SELECT max(visit_no) FROM visits")
    );
    let conn = rusqlite::Connection::open(office.join("safevisit.sqlite")).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let mut st = conn
        .prepare("SELECT v.visit_id, d.doc FROM documents d JOIN visits v USING (visit_no)")
        .unwrap();
    let docs: Vec<(String, Vec<u8>)> = st
        .query_map([], |r| {
            Ok((r.get(0)?, r.get_ref(1)?.as_bytes().unwrap().to_vec()))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, doc) in &docs {
        let file = std::fs::read(office.join("visits").join(format!("{id}.json")))
            .unwrap_or_else(|e| panic!("visits/{id}.json: {e}"));
        assert_eq!(&file, doc, "visits/{id}.json differs from the ledger");
    }
    assert_eq!(
        json_files(office).len() as i64,
        total,
        "stray files in visits/"
    );
    assert_eq!(csv_rows(office).len() as i64, total);
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(summary.contains(&format!("visits: {total}")), "{summary}");
    for dir in [office.to_path_buf(), office.join("visits")] {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(!name.contains(".tmp-"), "temporary file left: {name}");
        }
    }
}
