//! Killed by SIGKILL during autosave and finalize, at many random moments:
//! zero visits lost or unreadable.
//!
//! The test binary re-runs itself as a child "writer" (selected by an
//! environment variable) that saves and finalizes as fast as it can and
//! reports every call that returned; the parent kills it at a random
//! moment, reopens the vault and checks every reported visit. This file has
//! its own `main` (harness = false) so that the child is exactly that loop.

mod vault_support;
use vault_support as common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{passphrase, reopen, summary};
use safevisit::store::envelope::open_record;
use safevisit::store::{RecoveryNote, Status, Vault};
use safevisit::visit::record::VisitRecord;

const CHILD_DIR: &str = "SAFEVISIT_TEST_CHILD_DIR";
const CHILD_MODE: &str = "SAFEVISIT_TEST_CHILD_MODE";
const CHILD_ROUND: &str = "SAFEVISIT_TEST_CHILD_ROUND";
const ROUNDS: u64 = 40;

fn rec(id: &str, n: u64) -> VisitRecord {
    let mut r = common::record(id, "Perenstraat", 12, 1, n);
    r.present = n.to_string();
    // Every 5th save changes what the index lists, so both paths are hit.
    if n.is_multiple_of(5) {
        r.label = format!("Perenstraat {n}");
    }
    r
}

fn main() {
    if let Some(dir) = std::env::var_os(CHILD_DIR) {
        child(Path::new(&dir));
        return;
    }
    let started = Instant::now();
    autosave_survives_kill();
    finalize_survives_kill();
    println!(
        "test finalize_survives_kill: autosave and finalize, {} kills each ... ok ({:.1?})",
        ROUNDS,
        started.elapsed()
    );
}

/// The writer: saves (and in finalize mode finalizes) until killed,
/// printing one line for every call that returned Ok.
fn child(dir: &Path) {
    let mode = std::env::var(CHILD_MODE).unwrap_or_default();
    let round: u64 = std::env::var(CHILD_ROUND)
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let mut v = Vault::open(dir).expect("child: open");
    v.unlock(&passphrase()).expect("child: unlock");
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    if mode == "autosave" {
        let ids = ["visit-0", "visit-1", "visit-2"];
        // Continue from what is on disk, so every save is a change.
        let mut n: u64 = 1 + round * 1_000_000;
        loop {
            for id in ids {
                v.save_draft(&rec(id, n)).expect("child: save");
                writeln!(out, "saved {id} {n}").unwrap();
                out.flush().unwrap();
            }
            n += 1;
        }
    } else {
        for i in 0.. {
            let id = format!("fin-{round}-{i}");
            v.save_draft(&rec(&id, 1)).expect("child: save");
            writeln!(out, "saved {id} 1").unwrap();
            out.flush().unwrap();
            let seq = v
                .finalize(rec(&id, 2), summary(), "2025-03-04T11:00:00")
                .expect("child: finalize");
            writeln!(out, "finalized {id} {seq}").unwrap();
            out.flush().unwrap();
        }
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: reproducible delays from the printed seed.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Run the writer in `mode`, kill it after `delay`, return its lines.
fn run_child(dir: &Path, mode: &str, round: u64, delay: Duration) -> Vec<String> {
    let exe: PathBuf = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .env(CHILD_DIR, dir)
        .env(CHILD_MODE, mode)
        .env(CHILD_ROUND, round.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the writer");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    // Wait until the writer has the vault open, then let it run.
    let first = rx.recv_timeout(Duration::from_secs(30));
    assert_eq!(first.as_deref(), Ok("ready"), "the writer did not start");
    std::thread::sleep(delay);
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    reader.join().expect("reader");
    let mut lines: Vec<String> = rx.try_iter().collect();
    if status.success() {
        let mut err = String::new();
        let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
        panic!("the writer ended by itself: {err}");
    }
    lines.retain(|l| l != "ready");
    lines
}

fn autosave_survives_kill() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    drop(common::test_vault(&dir));
    let seed = 0x5afe_0001_u64;
    let mut rng = Rng(seed);
    let mut mid_write = 0;
    for round in 0..ROUNDS {
        let delay = Duration::from_micros(1_000 + rng.next() % 40_000);
        let lines = run_child(&dir, "autosave", round, delay);
        let mut acked: HashMap<String, u64> = HashMap::new();
        for l in &lines {
            let parts: Vec<&str> = l.split(' ').collect();
            if let ["saved", id, n] = parts[..] {
                acked.insert(id.to_string(), n.parse().unwrap());
            }
        }
        let mut v = reopen(&dir);
        for (id, n) in &acked {
            let got = v
                .load_draft(id)
                .unwrap_or_else(|e| panic!("seed {seed:#x} round {round}: {id} lost: {e}"));
            let got_n: u64 = got.present.parse().unwrap();
            // The last reported save, or the one in flight when killed.
            assert!(
                got_n == *n || got_n == n + 1,
                "seed {seed:#x} round {round}: {id} has save {got_n}, last reported {n}"
            );
            assert_eq!(got, rec(id, got_n));
            let entry = v.list().unwrap().into_iter().find(|e| &e.id == id).unwrap();
            assert_eq!(entry.status, Status::Draft);
        }
        assert!(
            v.quarantined().is_empty(),
            "round {round}: {:?}",
            v.quarantined()
        );
        if v.recovered()
            .iter()
            .any(|n| matches!(n, RecoveryNote::TempFilesRemoved { .. }))
        {
            mid_write += 1;
        }
    }
    // The kills must land inside writes, or this proves nothing.
    assert!(mid_write > 0, "no kill landed inside a write");
    println!("autosave: {mid_write} of {ROUNDS} kills landed inside a write");
}

fn finalize_survives_kill() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (v, org) = common::test_vault(&dir);
    drop(v);
    let seed = 0xf14a_112e_u64;
    let mut rng = Rng(seed);
    let mut finalized_total = 0;
    let mut completed = 0;
    for round in 0..ROUNDS {
        let delay = Duration::from_micros(1_000 + rng.next() % 60_000);
        let lines = run_child(&dir, "finalize", round, delay);
        let mut saved: Vec<String> = Vec::new();
        let mut finalized: HashMap<String, u64> = HashMap::new();
        for l in &lines {
            let parts: Vec<&str> = l.split(' ').collect();
            match parts[..] {
                ["saved", id, _] => saved.push(id.to_string()),
                ["finalized", id, seq] => {
                    finalized.insert(id.to_string(), seq.parse().unwrap());
                }
                _ => panic!("unexpected line {l}"),
            }
        }
        let mut v = reopen(&dir);
        let list = v.list().unwrap();
        let by_id: HashMap<&str, _> = list.iter().map(|e| (e.id.as_str(), e)).collect();
        for id in &saved {
            let e = by_id
                .get(id.as_str())
                .unwrap_or_else(|| {
                    panic!(
                        "seed {seed:#x} round {round}: {id} is neither draft nor finalized\nrecovered: {:?}\nquarantined: {:?}\nlast lines: {:?}",
                        v.recovered(),
                        v.quarantined(),
                        &lines[lines.len().saturating_sub(3)..]
                    )
                });
            if let Some(seq) = finalized.get(id) {
                assert_eq!(e.sequence, Some(*seq), "round {round}: {id}");
            }
            if e.status == Status::Draft {
                assert!(
                    !finalized.contains_key(id),
                    "round {round}: finalized {id} came back as a draft"
                );
                assert_eq!(v.load_draft(id).unwrap(), rec(id, 1));
            }
        }
        // Every finalized record opens with the organisation key, and no
        // sequence number is used twice.
        let files = v.finalized_records(true).unwrap();
        let mut seqs: Vec<u64> = files.iter().map(|f| f.sequence).collect();
        seqs.sort();
        seqs.dedup();
        assert_eq!(
            seqs.len(),
            files.len(),
            "round {round}: a sequence number was used twice"
        );
        for f in &files {
            let r = open_record(&f.ciphertext, &[&org]).unwrap();
            assert_eq!(r.id, f.visit_id);
            assert_eq!(r.finalized.as_ref().unwrap().sequence, f.sequence);
            assert_eq!(r, {
                let mut expect = rec(&f.visit_id, 2);
                expect.finalized = r.finalized.clone();
                expect
            });
        }
        assert!(
            v.quarantined().is_empty(),
            "round {round}: {:?}",
            v.quarantined()
        );
        assert!(!dir.join("drafts").read_dir().unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".finalizing.age")
        }));
        finalized_total = files.len();
        completed += v
            .recovered()
            .iter()
            .filter(|n| matches!(n, RecoveryNote::FinalizeCompleted { .. }))
            .count();
    }
    assert!(completed > 0, "no kill landed inside a finalize");
    println!(
        "finalize: {completed} of {ROUNDS} kills landed inside a finalize, which the next unlock completed"
    );
    assert!(
        finalized_total > ROUNDS as usize / 2,
        "the writer finalized too little ({finalized_total}) to prove anything"
    );
}
