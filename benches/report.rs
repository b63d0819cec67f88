//! Office report speed: `DIR/report/` written from a ledger of 10,000
//! visits in 1,000 cases (ten visits each, on ten laptops), every page
//! (index, 10,000 visit pages, 1,000 case pages). Each visit's document
//! is about the size of a full visit's (300 answers, 40 KB, skipped
//! unread by the report), with three red flags (one acute on every tenth
//! visit), the risk score and two children's screening scores.
//! Figures: docs/PERFORMANCE.md, "Het rapport / The report".
//!
//! Not a timed test: it prints the times of three runs and their median.

use std::path::Path;
use std::time::{Duration, Instant};

use safevisit::checklist::Catalog;
use safevisit::i18n::Lang;
use safevisit::supervisor::db::Db;
use safevisit::supervisor::ledger::{FILE, Ledger};
use safevisit::supervisor::report::write_report;

#[path = "../tests/report_support/mod.rs"]
mod report_support;
use report_support::*;

/// The binary's allocator (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CASES: usize = 1_000;
const PER_CASE: usize = 10;

fn build(dir: &Path, cases: usize) {
    let mut conn = office(dir);
    let devices: Vec<String> = (0..10).map(|d| format!("dev-{d}")).collect();
    {
        let tx = conn.transaction().expect("transaction");
        for d in &devices {
            tx.execute(
                "INSERT INTO devices (device_id, name, first_seen, last_seen)
                 VALUES (?1, ?1, '2026-01-01T09:00:00', '2026-12-05T09:00:00')",
                [d],
            )
            .expect("device");
        }
        let bands = ["laag", "midden", "hoog"];
        let verdicts = [
            "veilig",
            "voorwaardelijk_veilig",
            "zorgelijke_leefsituatie",
            "structureel_onveilig",
            "acuut_onveilig",
        ];
        let mut no = 0i64;
        let mut seq = vec![0i64; devices.len()];
        for c in 0..cases {
            let case = format!("case-{c:04}");
            for k in 0..PER_CASE {
                no += 1;
                let d = (c + k) % devices.len();
                seq[d] += 1;
                let date = format!("2026-{:02}-{:02}", 1 + k, 1 + c % 28);
                let device: &'static str = Box::leak(devices[d].clone().into_boxed_str());
                let mut v = visit(
                    &format!("v-{no:06}"),
                    device,
                    seq[d],
                    &date,
                    "Kersenboom",
                    &case,
                );
                v.children = vec![(1, "Mila".into(), 2), (2, "Noor".into(), 5)];
                v.caregivers = vec![(1, "Iris".into(), "moeder"), (2, "Ruben".into(), "vader")];
                v.verdict = Some(verdicts[(c + k) % verdicts.len()]);
                let risk = ((c * 7 + k * 3) % 16) as i64;
                v.scores = vec![
                    score(
                        "veiligheid",
                        "risico",
                        None,
                        risk,
                        Some(bands[(risk.min(8) / 3) as usize]),
                    ),
                    score(
                        "trauma-kind",
                        "gebeurtenissen",
                        Some(("child", 1)),
                        (k % 5) as i64,
                        None,
                    ),
                    score(
                        "trauma-kind",
                        "gebeurtenissen",
                        Some(("child", 2)),
                        ((k + 2) % 5) as i64,
                        None,
                    ),
                ];
                v.flags = vec![
                    flag(
                        "structural",
                        "herhaald_geweld",
                        "Structurele onveiligheid: geweld dat terugkomt.",
                        "Veilig Thuis gebeld voor advies.",
                    ),
                    flag(
                        "attention",
                        "niet_getoetst",
                        "Uw oordeel is nog met niemand getoetst.",
                        "Morgen collegiaal overleg.",
                    ),
                ];
                if no % 10 == 0 {
                    v.flags.push(flag(
                        "acute",
                        "acuut_geweld",
                        "Er is nu direct gevaar door geweld.",
                        "112 gebeld; moeder en kind naar de opvang.",
                    ));
                }
                v.padding = 300;
                add(&tx, no, &v);
            }
        }
        tx.commit().expect("commit");
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then
    // only a small smoke run (20 cases).
    let bench = std::env::args().any(|a| a == "--bench");
    let cases = if bench { CASES } else { 20 };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(if bench {
        "target/report-bench"
    } else {
        "target/report-bench-smoke"
    });
    let ledger_path = dir.join(FILE);
    if !ledger_path.exists() || !bench {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("bench folder");
        let clock = Instant::now();
        build(&dir, cases);
        eprintln!(
            "fixture: {cases} cases x {PER_CASE} visits in {:?}",
            clock.elapsed()
        );
    }
    let ledger = Ledger::open(&ledger_path).expect("ledger");
    let catalog = Catalog::bundled();
    // The first run writes every page (a new office, or the first import
    // after an upgrade); the next ones are the import after import, where
    // most pages are already there as they were.
    if bench {
        let _ = std::fs::remove_dir_all(dir.join("report"));
    }
    let runs = if bench { 3 } else { 1 };
    let mut times: Vec<Duration> = Vec::new();
    for run in 0..runs {
        let _ = std::process::Command::new("sync").status();
        let db = Db::open_sqlite(&ledger_path).expect("db");
        let clock = Instant::now();
        let written = write_report(&ledger, &db, &dir, Lang::Nl, &catalog).expect("report");
        let took = clock.elapsed();
        println!(
            "report run {}: {} visit pages, {} case pages ({} unchanged) in {:.2} s \
             (visits {:.2} s of which writing files {:.2} s, cases {:.2} s, index {:.2} s)",
            run + 1,
            written.visit_pages,
            written.case_pages,
            written.unchanged,
            took.as_secs_f64(),
            written.took[0].as_secs_f64(),
            written.writing.as_secs_f64(),
            written.took[1].as_secs_f64(),
            written.took[2].as_secs_f64(),
        );
        times.push(took);
    }
    times.sort();
    println!(
        "report: median {:.2} s for {} visits, {cases} cases",
        times[times.len() / 2].as_secs_f64(),
        cases * PER_CASE
    );
}
