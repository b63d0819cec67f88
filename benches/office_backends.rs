//! The office import on both ledgers in one run: 10,000 records (the
//! `office` bench's fixture: ten bundles of 1,000 visits of about 300
//! answers each), every output included, into SQLite (`DIR/safevisit.sqlite`)
//! and into PostgreSQL (`--ledger`), alternately, three times each. The
//! target (issue 23): PostgreSQL at least half SQLite's rate. Figures:
//! docs/PERFORMANCE.md, "The ledger on PostgreSQL".
//!
//! PostgreSQL is the database of `SAFEVISIT_TEST_POSTGRES` (a schema of
//! its own per run, dropped after); without it only SQLite is measured and
//! the bench says so.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use safevisit::i18n::Lang;
use safevisit::supervisor::{Identity, Office};

mod office_support;
use office_support::{BUNDLES, Fixture, PER_BUNDLE, fixture, identities};

/// The binary's allocator (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RECORDS: usize = BUNDLES * PER_BUNDLE;
/// Runs of each (`OFFICE_BACKENDS_RUNS`, default 3).
fn run_count() -> usize {
    std::env::var("OFFICE_BACKENDS_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3)
}

fn runs_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("office-backends-runs")
}

/// One import of every bundle into a new office folder on `ledger`, the
/// laptop enrolled first (untimed); its time.
fn import_once(f: &Fixture, ids: &[Identity], dir: &Path, ledger: Option<&str>) -> Duration {
    let card = safevisit::cards::DeviceCard::parse(
        &safevisit::cards::read_card_file(&f.card).expect("card"),
    )
    .expect("card");
    {
        let office = Office::open_at(dir, ledger).expect("office");
        safevisit::supervisor::devices::enrol(office.ledger(), &card, "2025-03-04T12:00:00", false)
            .expect("enrol");
    }
    let _ = std::process::Command::new("sync").status();
    let clock = Instant::now();
    let mut office = Office::open_at(dir, ledger).expect("office");
    let run = office
        .import(&f.bundles, ids, "2025-03-04T12:00:00", Lang::Nl, &())
        .expect("import");
    let took = clock.elapsed();
    assert_eq!(run.new_visits(), RECORDS as u64, "every record imported");
    eprintln!(
        "  ledger (inserts, commits) {:.2} s, outputs {:.2} s",
        run.timings.ledger.as_secs_f64(),
        run.timings.outputs.as_secs_f64()
    );
    took
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn rate(d: Duration) -> f64 {
    RECORDS as f64 / d.as_secs_f64()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then
    // nothing is measured.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let f = fixture();
    let ids = identities(&f);
    let runs = runs_dir();
    let _ = std::fs::remove_dir_all(&runs);
    std::fs::create_dir_all(&runs).expect("runs folder");
    let pg = std::env::var("SAFEVISIT_TEST_POSTGRES").ok();
    if pg.is_none() {
        eprintln!("skipped: PostgreSQL: SAFEVISIT_TEST_POSTGRES is not set; SQLite only");
    }
    let (mut lite, mut post) = (Vec::new(), Vec::new());
    for n in 0..run_count() {
        let dir = runs.join(format!("sqlite-{n}"));
        let t = import_once(&f, &ids, &dir, None);
        eprintln!(
            "sqlite     run {n}: {:.2} s ({:.0} records/s)",
            t.as_secs_f64(),
            rate(t)
        );
        lite.push(t);
        let _ = std::fs::remove_dir_all(&dir);
        if let Some(base) = &pg {
            let schema = format!("sv_bench_{}_{n}", std::process::id());
            let mut c = postgres::Client::connect(base, postgres::NoTls).expect("connect");
            c.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .expect("schema");
            let conninfo = format!("{base} options='-c search_path={schema}'");
            let dir = runs.join(format!("postgres-{n}"));
            // The schema goes, and the server's log with it, even when
            // the run fails (the disk is shared).
            let t = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                import_once(&f, &ids, &dir, Some(&conninfo))
            }));
            c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE; CHECKPOINT"))
                .expect("drop");
            let t = t.unwrap_or_else(|e| std::panic::resume_unwind(e));
            eprintln!(
                "postgresql run {n}: {:.2} s ({:.0} records/s)",
                t.as_secs_f64(),
                rate(t)
            );
            post.push(t);
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    let l = median(&mut lite);
    println!(
        "office import, {RECORDS} records, all outputs: SQLite median {:.2} s ({:.0} records/s)",
        l.as_secs_f64(),
        rate(l)
    );
    if !post.is_empty() {
        let p = median(&mut post);
        println!(
            "office import, {RECORDS} records, all outputs: PostgreSQL median {:.2} s ({:.0} records/s), {:.0}% of SQLite's rate (target: at least 50%)",
            p.as_secs_f64(),
            rate(p),
            100.0 * rate(p) / rate(l)
        );
    }
    let _ = std::fs::remove_dir_all(&runs);
}
