//! A write layer that fails at every single step of every change the vault
//! makes (a full disk, an I/O error): the previous version survives, no
//! visit is lost, and the error says what happened.

mod vault_support;
use vault_support as common;

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::{passphrase, reopen, small, summary, test_vault};
use safevisit::i18n::Lang;
use safevisit::store::atomic::{Fs, RealFs, Step};
use safevisit::store::envelope::open_record;
use safevisit::store::{Status, StoreError, Vault};
use safevisit::visit::record::VisitRecord;

/// Fails the `fail_at`-th call (counted from when it is armed) with `error`.
/// A failing write first writes half of the bytes, as a full disk does.
struct Faulty {
    armed: AtomicBool,
    calls: AtomicUsize,
    fail_at: usize,
    error: fn() -> io::Error,
    failed: AtomicBool,
}

impl Faulty {
    fn new(fail_at: usize, error: fn() -> io::Error) -> Arc<Faulty> {
        Arc::new(Faulty {
            armed: AtomicBool::new(false),
            calls: AtomicUsize::new(0),
            fail_at,
            error,
            failed: AtomicBool::new(false),
        })
    }

    fn hit(&self) -> bool {
        if !self.armed.load(Ordering::SeqCst) {
            return false;
        }
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n == self.fail_at {
            self.failed.store(true, Ordering::SeqCst);
            true
        } else {
            false
        }
    }

    fn check(&self) -> io::Result<()> {
        if self.hit() {
            Err((self.error)())
        } else {
            Ok(())
        }
    }
}

impl Fs for Faulty {
    fn create_new(&self, path: &Path) -> io::Result<File> {
        self.check()?;
        RealFs.create_new(path)
    }
    fn write_all(&self, file: &mut File, bytes: &[u8]) -> io::Result<()> {
        if self.hit() {
            file.write_all(&bytes[..bytes.len() / 2])?;
            return Err((self.error)());
        }
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

fn disk_full() -> io::Error {
    io::Error::from(io::ErrorKind::StorageFull)
}

fn io_error() -> io::Error {
    io::Error::from_raw_os_error(5) // EIO
}

/// The state every run starts from: draft A (version 1), finalized B.
fn setup(dir: &Path) -> age::x25519::Identity {
    let (mut v, org) = test_vault(dir);
    v.save_draft(&small("bezoek-a", 1)).unwrap();
    v.finalize(small("bezoek-b", 1), summary(), "2025-03-04T11:00:00")
        .unwrap();
    org
}

fn relabelled(n: u64) -> VisitRecord {
    let mut r = small("bezoek-a", n);
    r.label = "Kersenboom".into();
    r
}

/// Run `op` with the `k`-th step failing, for k = 1, 2, … until `op` runs
/// through without reaching a failing step; after each failure, reopen the
/// vault with the real file system and run `check`.
fn every_step(
    name: &str,
    error: fn() -> io::Error,
    op: &dyn Fn(&mut Vault) -> Result<(), StoreError>,
    check: &dyn Fn(&mut Vault, &age::x25519::Identity, &StoreError),
) -> usize {
    for k in 1..200 {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let org = setup(&dir);
        let faulty = Faulty::new(k, error);
        let mut v = Vault::open_with(&dir, faulty.clone()).unwrap();
        v.unlock(&passphrase()).unwrap();
        faulty.armed.store(true, Ordering::SeqCst);
        let result = op(&mut v);
        drop(v);
        if !faulty.failed.load(Ordering::SeqCst) {
            result.unwrap_or_else(|e| panic!("{name}: fails without a fault: {e}"));
            return k - 1;
        }
        let err = result.expect_err(&format!(
            "{name}: step {k} failed but the call reported success"
        ));
        // The error names the step and the cause, in both languages.
        if let StoreError::Write { step, source, .. } = &err {
            let en = err.describe(Lang::En);
            let nl = err.describe(Lang::Nl);
            assert!(
                en.contains(step.en()) && nl.contains(step.nl()),
                "{name} step {k}: {en}"
            );
            if source.kind() == io::ErrorKind::StorageFull {
                assert!(
                    en.contains("the disk is full") && en.contains("Free some space"),
                    "{en}"
                );
                assert!(nl.contains("de schijf is vol"), "{nl}");
            }
            let outcome = match step {
                Step::SyncDir => "new version is in place",
                Step::Remove => "nothing was lost",
                Step::CreateDir => "Nothing was changed",
                _ => "previous version is unchanged",
            };
            assert!(en.contains(outcome), "{name} step {k}: {en}");
        } else {
            panic!("{name} step {k}: unexpected error {err:?}");
        }
        let mut v = reopen(&dir);
        check(&mut v, &org, &err);
        assert!(
            v.quarantined().is_empty(),
            "{name} step {k}: {:?}",
            v.quarantined()
        );
        let leftovers: Vec<_> = common::walk(&dir)
            .into_iter()
            .filter(|p| p.file_name().unwrap().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty(), "{name} step {k}: {leftovers:?}");
        // Finalized B is intact whatever failed.
        let b = v.finalized_records(true).unwrap();
        assert!(
            b.iter().any(|f| f.visit_id == "bezoek-b"),
            "{name} step {k}"
        );
    }
    panic!("{name}: never ran through");
}

fn kept_step(err: &StoreError) -> bool {
    matches!(err, StoreError::Write { step, .. } if step.previous_version_kept())
}

#[test]
fn autosave_survives_a_failure_at_every_step() {
    for error in [disk_full as fn() -> io::Error, io_error] {
        let steps = every_step(
            "autosave",
            error,
            &|v| v.save_draft(&small("bezoek-a", 2)),
            &|v, _, err| {
                let got = v.load_draft("bezoek-a").unwrap();
                if kept_step(err) {
                    assert_eq!(got, small("bezoek-a", 1));
                } else {
                    assert_eq!(got, small("bezoek-a", 2));
                }
            },
        );
        // The common case is one durable write: create, write, sync, rename, sync dir.
        assert_eq!(steps, 5);
    }
}

#[test]
fn a_save_that_changes_the_listing_survives_a_failure_at_every_step() {
    for error in [disk_full as fn() -> io::Error, io_error] {
        let steps = every_step(
            "relabel",
            error,
            &|v| v.save_draft(&relabelled(2)),
            &|v, _, _| {
                let got = v.load_draft("bezoek-a").unwrap();
                assert!(got == small("bezoek-a", 1) || got == relabelled(2));
                let entry = v
                    .list()
                    .unwrap()
                    .into_iter()
                    .find(|e| e.id == "bezoek-a")
                    .unwrap();
                assert_eq!(entry.status, Status::Draft);
            },
        );
        assert_eq!(steps, 10);
    }
}

#[test]
fn a_new_visit_survives_a_failure_at_every_step() {
    every_step(
        "new visit",
        disk_full,
        &|v| v.save_draft(&small("bezoek-n", 1)),
        &|v, _, _| {
            // Either not saved at all, or saved and readable: never listed and unreadable.
            let listed = v.list().unwrap().iter().any(|e| e.id == "bezoek-n");
            if listed {
                assert_eq!(v.load_draft("bezoek-n").unwrap(), small("bezoek-n", 1));
            }
            assert_eq!(v.load_draft("bezoek-a").unwrap(), small("bezoek-a", 1));
        },
    );
}

#[test]
fn finalize_survives_a_failure_at_every_step() {
    for error in [disk_full as fn() -> io::Error, io_error] {
        let steps = every_step(
            "finalize",
            error,
            &|v| {
                v.finalize(small("bezoek-a", 2), summary(), "2025-03-04T12:00:00")
                    .map(|_| ())
            },
            &|v, org, _| {
                let entry = v
                    .list()
                    .unwrap()
                    .into_iter()
                    .find(|e| e.id == "bezoek-a")
                    .unwrap();
                match entry.status {
                    // Failed before the intent was durable: still the draft.
                    Status::Draft => {
                        assert_eq!(v.load_draft("bezoek-a").unwrap(), small("bezoek-a", 1));
                        // No case card without its finalized record.
                        assert!(v.case("bezoek-a").unwrap().is_none());
                    }
                    // The intent was durable: the next unlock completed it.
                    _ => {
                        assert_eq!(entry.sequence, Some(2));
                        let f = v.finalized_records(false).unwrap();
                        let file = f.iter().find(|f| f.visit_id == "bezoek-a").unwrap();
                        let rec = open_record(&file.ciphertext, &[org]).unwrap();
                        assert_eq!(rec.finalized.unwrap().sequence, 2);
                        assert!(matches!(
                            v.load_draft("bezoek-a"),
                            Err(StoreError::AlreadyFinalized { .. })
                        ));
                        // Never a finalized record without its case card.
                        let card = v.case("bezoek-a").unwrap().expect("a case card");
                        assert_eq!(card.last_visit, "bezoek-a");
                        assert_eq!(card.visits, 1);
                    }
                }
                // Numbers are never used twice.
                let next = v
                    .finalize(small("bezoek-z", 1), summary(), "2025-03-04T13:00:00")
                    .unwrap();
                assert!(
                    next >= 2 + u64::from(entry.status != Status::Draft),
                    "{next}"
                );
            },
        );
        // Six atomic writes (intent, sequence, record, stub, case card,
        // index) of five steps, and two durable removals of two.
        assert_eq!(steps, 34);
    }
}

/// A follow-up finalized with a failure at every step: the case card is
/// carried on from the card on disk (never made again from nothing), so
/// its history survives a finalize completed at the next unlock.
#[test]
fn a_follow_up_finalize_keeps_the_case_history_at_every_step() {
    let follow_up = || {
        let mut r = small("bezoek-a", 2);
        r.date = "2025-04-04".into();
        r.case_id = "bezoek-b".into();
        r.follow_up = Some(safevisit::visit::record::FollowUpRecord {
            follows: "bezoek-b".into(),
            previous_date: "2025-03-04".into(),
            ..Default::default()
        });
        r
    };
    let steps = every_step(
        "follow-up finalize",
        disk_full,
        &|v| {
            v.finalize(follow_up(), summary(), "2025-04-04T12:00:00")
                .map(|_| ())
        },
        &|v, _, _| {
            let finalized = v
                .list()
                .unwrap()
                .into_iter()
                .any(|e| e.id == "bezoek-a" && e.status != Status::Draft);
            let card = v.case("bezoek-b").unwrap().expect("the case stays");
            assert_eq!(card.opened_on, "2025-03-04");
            if finalized {
                assert_eq!((card.visits, card.last_visit.as_str()), (2, "bezoek-a"));
            } else {
                assert_eq!((card.visits, card.last_visit.as_str()), (1, "bezoek-b"));
            }
            assert_eq!(v.case_summaries().unwrap().len(), 1);
        },
    );
    assert_eq!(steps, 34);
}

#[test]
fn a_failed_finalize_completes_when_called_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    setup(&dir);
    // Fail the sequence-file write (the 6th step: the intent took 5).
    let faulty = Faulty::new(6, disk_full);
    let mut v = Vault::open_with(&dir, faulty.clone()).unwrap();
    v.unlock(&passphrase()).unwrap();
    faulty.armed.store(true, Ordering::SeqCst);
    let e = v
        .finalize(small("bezoek-a", 2), summary(), "2025-03-04T12:00:00")
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Write {
                step: Step::CreateTemp,
                ..
            }
        ),
        "{e:?}"
    );
    // Autosave of a visit that is being finalized is refused, not lost.
    assert!(matches!(
        v.save_draft(&small("bezoek-a", 3)),
        Err(StoreError::AlreadyFinalized { .. })
    ));
    // Retried (the disk has room again): the same number, the content of the first call.
    assert_eq!(
        v.finalize(small("bezoek-a", 9), summary(), "2025-03-04T12:30:00")
            .unwrap(),
        2
    );
    let entry = v
        .list()
        .unwrap()
        .into_iter()
        .find(|e| e.id == "bezoek-a")
        .unwrap();
    assert_eq!(entry.finalized_at.as_deref(), Some("2025-03-04T12:00:00"));
}

#[test]
fn discard_survives_a_failure_at_every_step() {
    every_step(
        "discard",
        disk_full,
        &|v| v.discard_draft("bezoek-a"),
        &|v, _, _| match v.load_draft("bezoek-a") {
            Ok(rec) => assert_eq!(rec, small("bezoek-a", 1)),
            Err(StoreError::NoSuchDraft { .. }) => {
                assert!(!v.list().unwrap().iter().any(|e| e.id == "bezoek-a"))
            }
            Err(e) => panic!("{e:?}"),
        },
    );
}

#[test]
fn mark_exported_survives_a_failure_at_every_step() {
    every_step(
        "mark_exported",
        disk_full,
        &|v| v.mark_exported(&["bezoek-b".to_string()]),
        &|v, org, _| {
            let all = v.finalized_records(true).unwrap();
            let b = all.iter().find(|f| f.visit_id == "bezoek-b").unwrap();
            assert!(open_record(&b.ciphertext, &[org]).is_ok());
            let status = v
                .list()
                .unwrap()
                .into_iter()
                .find(|e| e.id == "bezoek-b")
                .unwrap()
                .status;
            assert!(matches!(status, Status::Finalized | Status::Exported));
        },
    );
}

#[test]
fn an_interrupted_init_can_be_run_again() {
    for k in 1..200 {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let org = common::org_key();
        let faulty = Faulty::new(k, disk_full);
        faulty.armed.store(true, Ordering::SeqCst);
        let result = Vault::init_with(&dir, common::init_options(&org), faulty.clone());
        if !faulty.failed.load(Ordering::SeqCst) {
            result.unwrap();
            assert!(k > 20, "init took only {} steps", k - 1);
            return;
        }
        let err = result.expect_err("a failed step must be reported");
        assert!(matches!(err, StoreError::Write { .. }), "step {k}: {err:?}");
        if Vault::exists(&dir) {
            // Only the last step (flushing the folder after vault.toml) leaves a vault.
            let mut v = Vault::open(&dir).unwrap();
            v.unlock(&passphrase()).unwrap();
            assert_eq!(v.list().unwrap().len(), 0);
        } else {
            // Anything less is no vault, and init runs again over it.
            let mut v = Vault::init(&dir, common::init_options(&org)).unwrap();
            v.save_draft(&small("bezoek-a", 1)).unwrap();
        }
    }
    panic!("init never ran through");
}
