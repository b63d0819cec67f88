//! Office speed: importing 10,000 records (ten bundles of 1,000 visits of
//! about 300 answers each), every output included (ledger, visits/*.json,
//! visits.csv, summary.txt), measured side by side in one run with a shell
//! loop of the standard `age -d` per record (over 200 records, scaled to
//! 10,000), and with the same bytes written alone (the machine's share of
//! the outputs). Then where the time goes per record: each stage alone on one
//! core, decryption alone on every core (the limit it sets), and the stage
//! times inside a real import. Figures: docs/PERFORMANCE.md, "Export and
//! office".
//!
//! The fixture is built once under `target/office-bench-10k-v3`; the
//! office folders of the runs go to `target/office-bench-runs` and are
//! removed at the end.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use rayon::prelude::*;
use safevisit::export::bundle;
use safevisit::i18n::Lang;
use safevisit::store::envelope::{MAX_RECORD_BYTES, decode_record, decrypt};
use safevisit::supervisor::import::visit_row;
use safevisit::supervisor::ledger::{BundleSeen, Ledger};
use safevisit::supervisor::{Identity, Office, reports};
use sha2::Digest;

mod office_support;

/// The binary's allocator (src/main.rs), so the bench measures what
/// `safevisit supervisor import` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Flush what earlier runs left in the page cache (untimed), so each
/// import starts as a supervisor's would, not behind the write-back of the
/// 420 MB the previous run wrote.
fn settle() {
    let _ = Command::new("sync").status();
}

/// After [`settle`]: let the kernel drop the cached pages of a finished
/// run's files (untimed; the files stay on disk). Without this, the runs
/// would pile up 840 MB of page cache each (17 GB over a bench), far more
/// than an office machine holds after one import; on a virtual machine
/// whose unused memory goes back to the host, every page beyond what the
/// machine recently used then costs a fault in the host. Nothing is
/// deleted: see the note on office folders in [`office`].
fn forget_cached(dir: &Path) {
    use std::os::fd::AsRawFd;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            forget_cached(&path);
        } else if let Ok(file) = std::fs::File::open(&path) {
            // SAFETY: a plain system call on a descriptor this function
            // owns for the duration of the call; it touches no memory.
            unsafe {
                libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED);
            }
        }
    }
}
use office_support::{ANSWERS, BUNDLES, Fixture, LOOP_RECORDS, PER_BUNDLE, fixture, identities};

const RECORDS: usize = BUNDLES * PER_BUNDLE;

fn runs_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("office-bench-runs")
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn per_second(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn micros(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e6 / n as f64
}

fn age_available() -> bool {
    Command::new("age")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// One import of all ten bundles into a new office folder, the laptop
/// enrolled first (not timed: an office does that once), with signatures
/// checked and a receipt written.
fn import_once(
    f: &Fixture,
    ids: &[Identity],
    dir: &Path,
) -> (Duration, safevisit::supervisor::ImportRun) {
    let card = safevisit::cards::DeviceCard::parse(
        &safevisit::cards::read_card_file(&f.card).expect("card"),
    )
    .expect("card");
    let receipts_key = safevisit::supervisor::keys::load_signing_key(&f.key_file).expect("key");
    {
        let office = Office::open(dir).expect("office");
        safevisit::supervisor::devices::enrol(office.ledger(), &card, "2025-03-04T12:00:00", false)
            .expect("enrol");
    }
    let clock = Instant::now();
    let mut office = Office::open(dir).expect("office");
    office.set_policy(safevisit::supervisor::ImportPolicy {
        allow_unsigned: false,
        receipts_key,
    });
    let run = office
        .import(&f.bundles, ids, "2025-03-04T12:00:00", Lang::Nl, &())
        .expect("import");
    let took = clock.elapsed();
    assert_eq!(run.new_visits(), RECORDS as u64, "every record imported");
    assert_eq!(run.receipts.written.len(), 1, "a receipt for the laptop");
    (took, run)
}

/// What an import writes, in bytes: the ledger file and the visits' JSON
/// files (their number and their mean size), read off an office folder.
struct Written {
    ledger: u64,
    files: usize,
    file_bytes: usize,
}

fn written_by(dir: &Path) -> Written {
    let ledger = std::fs::metadata(dir.join("safevisit.sqlite"))
        .expect("ledger")
        .len();
    let sizes: Vec<u64> = std::fs::read_dir(dir.join("visits"))
        .expect("visits")
        .map(|e| e.expect("entry").metadata().expect("size").len())
        .collect();
    Written {
        ledger,
        files: sizes.len(),
        file_bytes: (sizes.iter().sum::<u64>() / sizes.len().max(1) as u64) as usize,
    }
}

/// The machine's own share: the same bytes as an import writes, with
/// nothing else done, on two threads as the import does — one file of the
/// ledger's size in 64 KiB pages with an fsync for each of the ten bundle
/// commits, and the JSON files through the import's own atomic write.
fn write_only(w: &Written, dir: &Path) -> Duration {
    std::fs::create_dir_all(dir.join("visits")).expect("folder");
    let page = vec![0x5au8; 65536];
    let doc = vec![b'x'; w.file_bytes];
    let clock = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            use std::io::Write;
            let mut f = std::fs::File::create(dir.join("ledger-bytes")).expect("file");
            let pages = w.ledger.div_ceil(65536);
            for n in 0..pages {
                f.write_all(&page).expect("write");
                if (n + 1) % pages.div_ceil(BUNDLES as u64) == 0 {
                    f.sync_all().expect("fsync");
                }
            }
            f.sync_all().expect("fsync");
        });
        for n in 0..w.files {
            reports::write_derived(&dir.join("visits").join(format!("{n:05}.json")), &doc)
                .expect("json file");
        }
    });
    clock.elapsed()
}

fn office(c: &mut Criterion) {
    let f = fixture();
    let ids = identities(&f);
    let runs = runs_dir();
    if runs.exists() {
        let _ = std::fs::remove_dir_all(&runs);
        eprintln!(
            "removed the office folders an interrupted bench left; on ext4 without a journal, \
             file creation is slow for up to five minutes after a mass removal, so the figures \
             of this run may be too high"
        );
    }
    std::fs::create_dir_all(&runs).expect("runs folder");
    let with_age = age_available();
    if !with_age {
        eprintln!(
            "the standard `age` tool is not installed, so the age -d loop is left out \
             (Debian/Ubuntu: `apt-get install age`)"
        );
    }
    let loop_script = format!(
        "for f in '{}'/*.age; do age -d -i '{}' -o /dev/null \"$f\" || exit 1; done",
        f.records_dir.display(),
        f.key_file.display()
    );

    // Side by side: each timed import is followed by an untimed age loop,
    // so that both see the same machine load; then the loop alone is timed.
    // Office folders are kept until the end: ext4 without a journal does
    // not reuse an inode freed less than a minute ago (five while its table
    // block is unwritten) and scans past every such inode for each new
    // file, so removing 20,000 files just before a run makes its file
    // creation quadratic. Their cached pages are dropped instead
    // (`forget_cached`).
    let mut imports: Vec<Duration> = Vec::new();
    let mut loops: Vec<Duration> = Vec::new();
    let mut writes: Vec<Duration> = Vec::new();
    let mut written: Option<Written> = None;
    let mut n = 0usize;
    let mut g = c.benchmark_group("office");
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(40));
    g.bench_function("import_10k_records_all_outputs", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                n += 1;
                settle();
                let dir = runs.join(format!("run-{n}"));
                let (took, _) = import_once(&f, &ids, &dir);
                imports.push(took);
                timed += took;
                // Untimed for criterion: the same bytes written alone.
                let w = written.get_or_insert_with(|| written_by(&dir));
                settle();
                forget_cached(&dir);
                let alone = runs.join(format!("write-{n}"));
                writes.push(write_only(w, &alone));
                settle();
                forget_cached(&alone);
                if with_age {
                    let ok = Command::new("sh").arg("-c").arg(&loop_script).status();
                    assert!(ok.is_ok_and(|s| s.success()), "age loop failed");
                }
            }
            timed
        })
    });
    if with_age {
        g.bench_function("age_d_loop_200_records", |b| {
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    let clock = Instant::now();
                    let ok = Command::new("sh").arg("-c").arg(&loop_script).status();
                    let took = clock.elapsed();
                    assert!(ok.is_ok_and(|s| s.success()), "age loop failed");
                    loops.push(took);
                    timed += took;
                }
                timed
            })
        });
    }
    g.finish();

    // ---- where the time goes ----
    // The 10,000 record files, in memory.
    let key_ids: Vec<&dyn age::Identity> = ids
        .iter()
        .map(|i| i.as_ref() as &dyn age::Identity)
        .collect();
    let mut records: Vec<Vec<u8>> = Vec::with_capacity(RECORDS);
    for path in &f.bundles {
        let file = std::io::BufReader::new(std::fs::File::open(path).expect("bundle"));
        let mut opened = bundle::open(file, &key_ids).expect("open bundle");
        while let Some(file) = opened.next_file().expect("record") {
            records.push(file.data);
        }
    }
    assert_eq!(records.len(), RECORDS);
    let sample = &records[..1000];

    // Each stage alone, one core, 1,000 records.
    let clock = Instant::now();
    for r in sample {
        black_box(sha2::Sha256::digest(r));
    }
    let hash = clock.elapsed();
    // The import's decryption: age's own identity and stream reader (each
    // plaintext dropped at once).
    let clock = Instant::now();
    for r in sample {
        black_box(decrypt(r, &key_ids, MAX_RECORD_BYTES).expect("decrypt"));
    }
    let decrypt_one = clock.elapsed();
    let plains: Vec<_> = sample
        .iter()
        .map(|r| decrypt(r, &key_ids, MAX_RECORD_BYTES).expect("decrypt"))
        .collect();
    let clock = Instant::now();
    let recs: Vec<_> = plains
        .iter()
        .map(|p| decode_record(p).expect("decode"))
        .collect();
    let decode = clock.elapsed();
    let clock = Instant::now();
    let rows: Vec<_> = recs
        .into_iter()
        .map(|r| visit_row(r, "ab".repeat(32), 1).expect("row"))
        .collect();
    let document = clock.elapsed();
    let ledger_dir = runs.join("ledger-only");
    std::fs::create_dir_all(&ledger_dir).expect("folder");
    let mut ledger = Ledger::open(&ledger_dir.join("safevisit.sqlite")).expect("ledger");
    let clock = Instant::now();
    let seen = BundleSeen {
        sha256: "00".repeat(32),
        file_name: "bundle".into(),
        size: 0,
        seen_at: "2025-03-04T12:00:00".into(),
    };
    let mut tx = ledger
        .begin_bundle(
            &seen,
            ("device-bench", "laptop-bench"),
            "2025-03-04T12:00:00",
            1000,
        )
        .expect("begin");
    for (row, ct) in rows.iter().zip(sample) {
        tx.add(row, ct).expect("add");
    }
    tx.commit(1000, 0, 0, 0).expect("commit");
    let ledger_t = clock.elapsed();
    let docs: Vec<(String, Vec<u8>)> = rows
        .iter()
        .map(|r| (r.visit_id.clone(), r.doc.clone()))
        .collect();
    let clock = Instant::now();
    reports::write_docs(&ledger_dir, &docs).expect("docs");
    let json_files = clock.elapsed();
    let doc_bytes: usize = docs.iter().map(|d| d.1.len()).sum::<usize>() / docs.len();
    drop((plains, rows, docs));

    // Of a record's decryption, the header alone: parsed, the file key
    // unwrapped (X25519, HKDF, ChaCha20-Poly1305 of 32 bytes) and the MAC
    // checked, without the payload.
    let clock = Instant::now();
    for r in sample {
        let d = age::Decryptor::new_buffered(&r[..]).expect("header");
        black_box(d.decrypt(key_ids.iter().copied()).expect("unwraps"));
    }
    let header_one = clock.elapsed();

    // Decryption alone on every core: the limit it sets.
    let clock = Instant::now();
    records.par_iter().for_each(|r| {
        let ids: Vec<&dyn age::Identity> = ids
            .iter()
            .map(|i| i.as_ref() as &dyn age::Identity)
            .collect();
        black_box(decrypt(r, &ids, MAX_RECORD_BYTES).expect("decrypt"));
    });
    let decrypt_all = clock.elapsed();

    // Inside a real import (stage times summed over threads).
    n += 1;
    let (took, run) = import_once(&f, &ids, &runs.join(format!("run-{n}")));
    let t = run.timings;

    let import_median = median(&mut imports);
    let record_bytes = records.iter().map(Vec::len).sum::<usize>() / RECORDS;
    eprintln!(
        "\n==== office: import of {RECORDS} records ({BUNDLES} bundles x {PER_BUNDLE} visits, {ANSWERS} answers; record file {record_bytes} B, visit JSON {doc_bytes} B) ===="
    );
    eprintln!(
        "import, all outputs: median {:.2} s over {} runs = {:.0} records/s ({:.1} us/record)",
        import_median.as_secs_f64(),
        imports.len(),
        per_second(RECORDS, import_median),
        micros(import_median, RECORDS)
    );
    if with_age && !loops.is_empty() {
        let loop_median = median(&mut loops);
        let per_record = loop_median / LOOP_RECORDS as u32;
        eprintln!(
            "age -d loop: median {:.2} s for {LOOP_RECORDS} records = {:.0} records/s ({:.0} us/record); scaled to {RECORDS}: {:.1} s",
            loop_median.as_secs_f64(),
            per_second(LOOP_RECORDS, loop_median),
            micros(loop_median, LOOP_RECORDS),
            per_record.as_secs_f64() * RECORDS as f64
        );
        eprintln!(
            "import is {:.0}x the age -d loop",
            per_second(RECORDS, import_median) / per_second(LOOP_RECORDS, loop_median)
        );
    }
    if !writes.is_empty() {
        let write_median = median(&mut writes);
        eprintln!(
            "the same bytes written alone (ledger-sized file + {} JSON files, two threads): median {:.2} s over {} runs = {:.0}% of the import",
            written.as_ref().map_or(0, |w| w.files),
            write_median.as_secs_f64(),
            writes.len(),
            100.0 * write_median.as_secs_f64() / import_median.as_secs_f64()
        );
    }
    eprintln!(
        "decryption alone, all cores ({} threads): {:.2} s = {:.0} records/s (the limit it sets)",
        rayon::current_num_threads(),
        decrypt_all.as_secs_f64(),
        per_second(RECORDS, decrypt_all)
    );
    eprintln!("each stage alone, one core, us per record:");
    eprintln!(
        "  hash check {:.1} | decrypt {:.1} | decode {:.1} | JSON document + findings + rows {:.1} | ledger insert + commit {:.1} | JSON file write {:.1}",
        micros(hash, 1000),
        micros(decrypt_one, 1000),
        micros(decode, 1000),
        micros(document, 1000),
        micros(ledger_t, 1000),
        micros(json_files, 1000),
    );
    eprintln!(
        "  of the decrypt: the age header (parsed, file key unwrapped with age's X25519 identity, MAC checked) {:.1}",
        micros(header_one, 1000),
    );
    eprintln!(
        "inside one import ({:.2} s), us per record (summed over threads, so waiting for a core counts):",
        took.as_secs_f64()
    );
    eprintln!(
        "  bundle layer {:.1} | hash check {:.1} | decrypt {:.1} | decode {:.1} | document {:.1} | ledger {:.1} | outputs {:.1}",
        micros(t.bundle, RECORDS),
        micros(t.hash, RECORDS),
        micros(t.decrypt, RECORDS),
        micros(t.decode, RECORDS),
        micros(t.document, RECORDS),
        micros(t.ledger, RECORDS),
        micros(t.outputs, RECORDS),
    );
    let _ = std::fs::remove_dir_all(&runs);
}

criterion_group!(benches, office);
criterion_main!(benches);
