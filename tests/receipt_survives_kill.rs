//! `safevisit receipt` killed by SIGKILL at random moments while it deletes
//! what arrived: after the next unlock the index and `final/` agree — every
//! visit of the receipt is either still listed with its files, or gone with
//! its files and counted — and nothing is reported missing or moved aside.
//! Applying the receipt again then finishes the job.

mod vault_support;
use vault_support as common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use safevisit::cards::OrgCard;
use safevisit::receipt::{self, Receipt, ReceiptVisit};
use safevisit::signing::SigningKey;
use safevisit::store::recipients::Recipient;
use safevisit::store::{RecoveryNote, Vault};

const VISITS: u64 = 120;
const ROUNDS: u32 = 12;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else if e.file_name() != "lock" {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn run_receipt(dir: &Path, file: &Path, pass: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", "en", "receipt"])
        .arg(file)
        .arg("--data-dir")
        .arg(dir)
        .arg("--passphrase-file")
        .arg(pass)
        .env_remove("SAFEVISIT_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// A small deterministic random source (no clock in the assertions).
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn a_receipt_killed_at_any_moment_is_consistent_after_unlock() {
    let tmp = tempfile::tempdir().unwrap();
    let template = tmp.path().join("template");
    let org = SigningKey::generate().unwrap();
    let office = age::x25519::Identity::generate();
    let mut opts = common::init_options(&office);
    opts.recipients.clear();
    let card = OrgCard {
        organisation: "Jeugdzorg Voorbeeldstad".into(),
        recipients: vec![Recipient::from(office.to_public())],
        backup_recipients: vec![],
        signing_key: org.public().clone(),
    };
    let mut v = Vault::init_with_org_card(&template, opts, &card).unwrap();
    for i in 1..=VISITS {
        v.finalize(
            common::small(&format!("bezoek-{i:04}"), i),
            common::summary(),
            "2025-03-04T11:00:00",
        )
        .unwrap();
    }
    let visits: Vec<ReceiptVisit> = v
        .finalized_records(true)
        .unwrap()
        .into_iter()
        .map(|f| ReceiptVisit {
            id: f.visit_id,
            sequence: f.sequence,
            sha256: f.sha256,
        })
        .collect();
    let r = Receipt::new("device-test-1", 1, "2025-03-05T09:00:00", visits);
    let file = tmp.path().join("device-test-1-1.age");
    let to = v.device_card().unwrap().recipient;
    std::fs::write(&file, receipt::seal(&r, &org, &to, 0).unwrap()).unwrap();
    drop(v);
    let pass = tmp.path().join("pass.txt");
    std::fs::write(&pass, format!("{}\n", common::PASSPHRASE)).unwrap();

    // How long a whole run takes, to kill within it.
    let whole = tmp.path().join("whole");
    copy_dir(&template, &whole);
    let started = Instant::now();
    let status = run_receipt(&whole, &file, &pass).wait().unwrap();
    let span = started.elapsed();
    assert!(status.success());

    let mut seed = 0x5eed_2026_u64;
    let (mut before, mut midway, mut after) = (0, 0, 0);
    for round in 0..ROUNDS {
        let dir = tmp.path().join(format!("round-{round}"));
        copy_dir(&template, &dir);
        let mut child = run_receipt(&dir, &file, &pass);
        let at = Duration::from_micros(next(&mut seed) % (span.as_micros() as u64 + 1));
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL (it may have finished already)
        child.wait().unwrap();

        let mut v = common::reopen(&dir);
        let listed = v.list().unwrap().len() as u64;
        let arrived = v.arrived().unwrap().visits;
        let files = std::fs::read_dir(dir.join("final")).unwrap().count() as u64;
        // All or nothing, and the files agree with the index.
        assert!(
            (listed == VISITS && arrived == 0) || (listed == 0 && arrived == VISITS),
            "round {round}: {listed} listed, {arrived} arrived"
        );
        assert_eq!(files, 2 * listed, "round {round}");
        assert!(v.quarantined().is_empty(), "round {round}");
        assert!(
            !v.recovered().iter().any(|n| matches!(
                n,
                RecoveryNote::FinalizedMissing { .. } | RecoveryNote::FinalizedAdded { .. }
            )),
            "round {round}: {:?}",
            v.recovered()
        );
        let completed = v.recovered().iter().any(
            |n| matches!(n, RecoveryNote::ReceiptCompleted { visits } if *visits as u64 == VISITS),
        );
        match (listed, completed) {
            (0, true) => midway += 1,
            (0, false) => after += 1,
            _ => before += 1,
        }
        // Again: finished either way.
        let again = v
            .apply_receipt_file(&std::fs::read(&file).unwrap(), org.public())
            .unwrap();
        assert_eq!(again.deleted + again.already_gone, VISITS as usize);
        assert!(v.list().unwrap().is_empty());
        assert_eq!(v.arrived().unwrap().visits, VISITS);
    }
    println!(
        "{ROUNDS} kills over {span:?}: {before} before the commit point, {midway} while deleting (completed at unlock), {after} after it"
    );
}
