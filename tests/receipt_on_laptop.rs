//! Receipts applied on the laptop: the office says which visits arrived,
//! the laptop deletes exactly those (records, stubs, labels) and keeps a
//! count. A receipt that does not verify, is for another laptop or lists
//! another hash changes nothing; twice is harmless; a failure at any step
//! leaves the index and the files in agreement after the next unlock.

mod vault_support;
use vault_support as common;

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::{passphrase, reopen, small, summary, test_vault};
use safevisit::receipt::{self, Receipt, ReceiptError, ReceiptVisit};
use safevisit::signing::{SignatureError, SigningKey};
use safevisit::store::atomic::{Fs, RealFs};
use safevisit::store::{ReceiptApplyError, Status, Vault};

/// A vault with: draft `bezoek-a`; finalized `bezoek-b` (1), `bezoek-c`
/// (2), `bezoek-d` (3); `bezoek-b` and `bezoek-c` exported.
fn setup(dir: &Path) -> Vault {
    let (mut v, _org) = test_vault(dir);
    v.save_draft(&small("bezoek-a", 1)).unwrap();
    for id in ["bezoek-b", "bezoek-c", "bezoek-d"] {
        v.finalize(small(id, 1), summary(), "2025-03-04T11:00:00")
            .unwrap();
    }
    v.mark_exported(&["bezoek-b".into(), "bezoek-c".into()])
        .unwrap();
    v
}

/// What the office would list for `ids`: id, sequence, record hash.
fn arrived(v: &mut Vault, ids: &[&str]) -> Vec<ReceiptVisit> {
    v.finalized_records(true)
        .unwrap()
        .into_iter()
        .filter(|f| ids.contains(&f.visit_id.as_str()))
        .map(|f| ReceiptVisit {
            id: f.visit_id,
            sequence: f.sequence,
            sha256: f.sha256,
        })
        .collect()
}

fn receipt_for(v: &Vault, number: u64, visits: Vec<ReceiptVisit>) -> Receipt {
    Receipt::new(&v.device().id, number, "2025-03-05T09:00:00", visits)
}

fn seal(v: &Vault, r: &Receipt, org: &SigningKey) -> Vec<u8> {
    receipt::seal(r, org, &v.device_card().unwrap().recipient, 0).unwrap()
}

fn ids(v: &Vault) -> Vec<(String, Status)> {
    v.list()
        .unwrap()
        .into_iter()
        .map(|e| (e.id, e.status))
        .collect()
}

fn final_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("final"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_receipt_deletes_exactly_what_arrived() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut v = setup(&dir);
    let org = SigningKey::generate().unwrap();
    let visits = arrived(&mut v, &["bezoek-b"]);
    let bytes = seal(&v, &receipt_for(&v, 1, visits), &org);

    let out = v.apply_receipt_file(&bytes, org.public()).unwrap();
    assert_eq!(
        (out.number, out.deleted, out.already_gone, out.not_matching),
        (1, 1, 0, 0)
    );
    assert_eq!(out.arrived_total, 1);
    // The draft, the exported visit not in the receipt (c) and the
    // finalized one (d) stay; b is gone, label and files.
    let expect = vec![
        ("bezoek-a".to_string(), Status::Draft),
        ("bezoek-d".to_string(), Status::Finalized),
        ("bezoek-c".to_string(), Status::Exported),
    ];
    assert_eq!(ids(&v), expect);
    assert_eq!(
        final_files(&dir),
        [
            "00000002.stub.age",
            "00000002.visit.age",
            "00000003.stub.age",
            "00000003.visit.age"
        ]
    );
    let c = v.counts().unwrap();
    assert_eq!((c.drafts, c.finalized, c.exported, c.arrived), (1, 1, 1, 1));
    drop(v);

    // After a new unlock: the same, nothing repaired, the count kept.
    let mut v = reopen(&dir);
    assert_eq!(ids(&v), expect);
    assert!(v.recovered().is_empty(), "{:?}", v.recovered());
    assert!(v.quarantined().is_empty());
    assert_eq!(v.arrived().unwrap().visits, 1);
    assert_eq!(v.arrived().unwrap().last_receipt, 1);
    // The rest still exports, and numbers go on past the arrived one.
    assert_eq!(v.finalized_records(true).unwrap().len(), 2);
    let seq = v
        .finalize(small("bezoek-e", 1), summary(), "2025-03-05T10:00:00")
        .unwrap();
    assert_eq!(seq, 4);
}

#[test]
fn applying_the_same_receipt_twice_is_harmless() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut v = setup(&dir);
    let org = SigningKey::generate().unwrap();
    let visits = arrived(&mut v, &["bezoek-b", "bezoek-c"]);
    let bytes = seal(&v, &receipt_for(&v, 1, visits), &org);
    let first = v.apply_receipt_file(&bytes, org.public()).unwrap();
    assert_eq!((first.deleted, first.already_gone), (2, 0));
    let index_before = std::fs::read(dir.join("index.age")).unwrap();
    let again = v.apply_receipt_file(&bytes, org.public()).unwrap();
    assert_eq!(
        (again.deleted, again.already_gone, again.not_matching),
        (0, 2, 0)
    );
    assert_eq!(again.arrived_total, 2, "counted once");
    // Nothing was written the second time.
    assert_eq!(std::fs::read(dir.join("index.age")).unwrap(), index_before);
    assert_eq!(ids(&v).len(), 2);
}

#[test]
fn a_tampered_receipt_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut v = setup(&dir);
    let org = SigningKey::generate().unwrap();
    let visits = arrived(&mut v, &["bezoek-b", "bezoek-c"]);
    let genuine = receipt_for(&v, 1, visits.clone());
    let json = genuine.to_json();
    let sig = org.sign(&json, "safevisit-receipt").unwrap();
    // One byte of receipt.json changed (the receipt number), the original
    // signature kept, then encrypted to the laptop again.
    let text = String::from_utf8(json).unwrap();
    let changed = text.replacen("\"number\": 1", "\"number\": 7", 1);
    assert_ne!(changed, text);
    let mut plain = Vec::new();
    {
        let mut t = tar::Builder::new(&mut plain);
        safevisit::export::tar::append(&mut t, receipt::NAME, changed.as_bytes(), 0).unwrap();
        safevisit::export::tar::append(&mut t, receipt::SIG_NAME, sig.as_bytes(), 0).unwrap();
        t.finish().unwrap();
    }
    let recipient = v.device_card().unwrap().recipient;
    let r: &dyn age::Recipient = recipient.age();
    let enc = age::Encryptor::with_recipients(std::iter::once(r)).unwrap();
    let mut bytes = Vec::new();
    let mut w = enc.wrap_output(&mut bytes).unwrap();
    io::Write::write_all(&mut w, &plain).unwrap();
    w.finish().unwrap();

    let before = (ids(&v), final_files(&dir));
    let index_before = std::fs::read(dir.join("index.age")).unwrap();
    let e = v.apply_receipt_file(&bytes, org.public()).unwrap_err();
    assert!(
        matches!(
            e,
            ReceiptApplyError::Open(ReceiptError::Signature(SignatureError::Mismatch))
        ),
        "{e:?}"
    );
    let msg = e.describe(safevisit::i18n::Lang::Nl);
    assert!(msg.contains("handtekening") && msg.ends_with("Er is niets veranderd."));
    // Signed by another key than the pinned one: refused too.
    let other = SigningKey::generate().unwrap();
    let forged = seal(&v, &genuine, &other);
    assert!(matches!(
        v.apply_receipt_file(&forged, org.public()),
        Err(ReceiptApplyError::Open(ReceiptError::Signature(
            SignatureError::OtherKey { .. }
        )))
    ));
    assert_eq!((ids(&v), final_files(&dir)), before);
    assert_eq!(std::fs::read(dir.join("index.age")).unwrap(), index_before);
    assert_eq!(v.arrived().unwrap().visits, 0);
}

#[test]
fn a_receipt_for_another_laptop_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut v = setup(&dir);
    let org = SigningKey::generate().unwrap();
    let visits = arrived(&mut v, &["bezoek-b"]);
    // Signed by the organisation and encrypted to this laptop, but naming
    // another device.
    let r = Receipt::new("device-test-2", 1, "2025-03-05T09:00:00", visits.clone());
    let before = (ids(&v), final_files(&dir));
    let e = v
        .apply_receipt_file(&seal(&v, &r, &org), org.public())
        .unwrap_err();
    assert!(
        matches!(&e, ReceiptApplyError::OtherDevice { receipt, .. } if receipt == "device-test-2"),
        "{e:?}"
    );
    assert!(
        e.describe(safevisit::i18n::Lang::En)
            .ends_with("Nothing was changed.")
    );
    // Encrypted to another laptop: it does not even open.
    let elsewhere = age::x25519::Identity::generate();
    let bytes = receipt::seal(
        &receipt_for(&v, 1, visits),
        &org,
        &elsewhere.to_public().into(),
        0,
    )
    .unwrap();
    assert!(matches!(
        v.apply_receipt_file(&bytes, org.public()),
        Err(ReceiptApplyError::Open(ReceiptError::NotForThisDevice))
    ));
    assert_eq!((ids(&v), final_files(&dir)), before);
}

#[test]
fn a_receipt_with_another_hash_or_a_draft_deletes_nothing_of_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut v = setup(&dir);
    let org = SigningKey::generate().unwrap();
    let mut visits = arrived(&mut v, &["bezoek-b", "bezoek-c"]);
    // b with another hash; c with another sequence number; the draft a;
    // a visit this laptop never had, with a number it never gave out.
    visits[0].sha256 = "0".repeat(64);
    visits[1].sequence = 3;
    visits.push(ReceiptVisit {
        id: "bezoek-a".into(),
        sequence: 9,
        sha256: "1".repeat(64),
    });
    visits.push(ReceiptVisit {
        id: "bezoek-x".into(),
        sequence: 10,
        sha256: "2".repeat(64),
    });
    let before = (ids(&v), final_files(&dir));
    let out = v
        .apply_receipt_file(&seal(&v, &receipt_for(&v, 1, visits), &org), org.public())
        .unwrap();
    assert_eq!((out.deleted, out.already_gone, out.not_matching), (0, 0, 4));
    assert_eq!((ids(&v), final_files(&dir)), before);
    assert_eq!(v.arrived().unwrap().visits, 0);
}

/// Fails the `fail_at`-th step (counted from when it is armed).
struct Faulty {
    armed: AtomicBool,
    calls: AtomicUsize,
    fail_at: usize,
    failed: AtomicBool,
}

impl Faulty {
    fn check(&self) -> io::Result<()> {
        if !self.armed.load(Ordering::SeqCst) {
            return Ok(());
        }
        if self.calls.fetch_add(1, Ordering::SeqCst) + 1 == self.fail_at {
            self.failed.store(true, Ordering::SeqCst);
            return Err(io::Error::from(io::ErrorKind::StorageFull));
        }
        Ok(())
    }
}

impl Fs for Faulty {
    fn create_new(&self, path: &Path) -> io::Result<File> {
        self.check()?;
        RealFs.create_new(path)
    }
    fn write_all(&self, file: &mut File, bytes: &[u8]) -> io::Result<()> {
        self.check()?;
        RealFs.write_all(file, bytes)
    }
    fn sync_file(&self, file: &File) -> io::Result<()> {
        self.check()?;
        RealFs.sync_file(file)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.check()?;
        RealFs.rename(from, to)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        self.check()?;
        RealFs.sync_dir(dir)
    }
    fn remove_file(&self, path: &Path) -> io::Result<()> {
        self.check()?;
        RealFs.remove_file(path)
    }
    fn create_dir(&self, path: &Path) -> io::Result<()> {
        self.check()?;
        RealFs.create_dir(path)
    }
}

/// A copy of the data directory as it is at this moment: what a kill
/// (or a power cut after the last durable step) leaves behind.
fn snapshot(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target: PathBuf = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            snapshot(&e.path(), &target);
        } else if e.file_name() != "lock" {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_receipt_interrupted_at_any_step_is_consistent_after_unlock() {
    let org = SigningKey::generate().unwrap();
    for k in 1..100 {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let mut v = setup(&dir);
        let visits = arrived(&mut v, &["bezoek-b", "bezoek-c"]);
        let bytes = seal(&v, &receipt_for(&v, 1, visits), &org);
        drop(v);
        let faulty = Arc::new(Faulty {
            armed: AtomicBool::new(false),
            calls: AtomicUsize::new(0),
            fail_at: k,
            failed: AtomicBool::new(false),
        });
        let mut v = Vault::open_with(&dir, faulty.clone()).unwrap();
        v.unlock(&passphrase()).unwrap();
        faulty.armed.store(true, Ordering::SeqCst);
        let result = v.apply_receipt_file(&bytes, org.public());
        // The state a kill at this step leaves: copied while the step failed.
        let killed = tmp.path().join("killed");
        snapshot(&dir, &killed);
        drop(v);
        if !faulty.failed.load(Ordering::SeqCst) {
            let out = result.unwrap();
            assert_eq!(out.deleted, 2);
            // One index write (5 steps), four removals, one flush of
            // final/, and the index again.
            assert_eq!(k - 1, 5 + 4 + 1 + 5);
            return;
        }
        assert!(
            matches!(result, Err(ReceiptApplyError::Store(_))),
            "step {k}: {result:?}"
        );
        for d in [&dir, &killed] {
            let mut v = reopen(d);
            let listed = ids(&v);
            let files = final_files(d);
            let b_listed = listed.iter().any(|(id, _)| id == "bezoek-b");
            let c_listed = listed.iter().any(|(id, _)| id == "bezoek-c");
            let arrived = v.arrived().unwrap().visits;
            // All or nothing: both listed with their files, or both gone
            // with their files and counted.
            assert_eq!(b_listed, c_listed, "step {k}: {listed:?}");
            let completed = v.recovered().iter().any(|n| {
                matches!(
                    n,
                    safevisit::store::RecoveryNote::ReceiptCompleted { visits: 2 }
                )
            });
            if b_listed {
                assert_eq!(arrived, 0, "step {k}");
                assert_eq!(files.len(), 6, "step {k}: {files:?}");
                assert!(!completed, "step {k}");
            } else {
                // Failed after the commit point (step 5, the first index in
                // place) and before the second index was in place (step 15):
                // the unlock finished the deletions and says so.
                assert_eq!(
                    completed,
                    (5..15).contains(&k),
                    "step {k}: {:?}",
                    v.recovered()
                );
                assert_eq!(arrived, 2, "step {k}");
                assert_eq!(
                    files,
                    ["00000003.stub.age", "00000003.visit.age"],
                    "step {k}"
                );
            }
            // Nothing was reported missing or moved aside, and the rest is intact.
            assert!(
                v.quarantined().is_empty(),
                "step {k}: {:?}",
                v.quarantined()
            );
            assert!(
                !v.recovered().iter().any(|n| matches!(
                    n,
                    safevisit::store::RecoveryNote::FinalizedMissing { .. }
                        | safevisit::store::RecoveryNote::FinalizedAdded { .. }
                )),
                "step {k}: {:?}",
                v.recovered()
            );
            assert!(listed.iter().any(|(id, _)| id == "bezoek-a"));
            assert!(listed.iter().any(|(id, _)| id == "bezoek-d"));
            // Applying the receipt again finishes the job either way.
            let again = v.apply_receipt_file(&bytes, org.public()).unwrap();
            assert_eq!(again.deleted + again.already_gone, 2, "step {k}");
            assert_eq!(v.arrived().unwrap().visits, 2);
            assert_eq!(ids(&v).len(), 2);
        }
    }
    panic!("the receipt never ran through");
}

#[test]
fn when_everything_arrived_the_count_and_the_numbers_survive() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut v = setup(&dir);
    let org = SigningKey::generate().unwrap();
    let visits = arrived(&mut v, &["bezoek-b", "bezoek-c", "bezoek-d"]);
    let out = v
        .apply_receipt_file(&seal(&v, &receipt_for(&v, 4, visits), &org), org.public())
        .unwrap();
    assert_eq!(out.deleted, 3);
    assert!(final_files(&dir).is_empty());
    drop(v);

    // Locked, final/ is empty, but the count is in the index: the counts
    // need the passphrase (they would otherwise say 0 arrived).
    let locked = Vault::open(&dir).unwrap();
    assert!(matches!(
        locked.counts(),
        Err(safevisit::store::StoreError::Locked)
    ));
    drop(locked);

    // Even with the sequence file lost, no number is given out again.
    std::fs::remove_file(dir.join("sequence")).unwrap();
    let mut v = reopen(&dir);
    let c = v.counts().unwrap();
    assert_eq!((c.drafts, c.finalized, c.exported, c.arrived), (1, 0, 0, 3));
    assert_eq!(v.arrived().unwrap().last_receipt, 4);
    let seq = v
        .finalize(small("bezoek-e", 1), summary(), "2025-03-05T10:00:00")
        .unwrap();
    assert_eq!(seq, 4);
}
