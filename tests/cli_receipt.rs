//! `safevisit receipt FILE…` as a worker runs it: applies the office's
//! receipts, prints counts only, names the file and the reason of a
//! failure (exit 1), refuses a FIFO at once, and `status` shows the count.
//!
//! Commands run under `setsid`, without a terminal, so that anything that
//! would ask for a passphrase fails instead of waiting.

mod vault_support;
use vault_support as common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{PASSPHRASE, small, summary};
use safevisit::cards::OrgCard;
use safevisit::receipt::{self, Receipt, ReceiptVisit};
use safevisit::signing::SigningKey;
use safevisit::store::Vault;
use safevisit::store::recipients::Recipient;

fn cmd(dir: &Path, lang: &str, args: &[&str]) -> Command {
    let mut c = Command::new("setsid");
    c.arg(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", lang])
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("SAFEVISIT_DATA_DIR");
    c
}

fn run(dir: &Path, lang: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let o: Output = cmd(dir, lang, args).output().expect("run safevisit");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// A laptop that took the organisation card: draft a, finalized b, c, d.
/// Returns the organisation's signing key and the receipt visits for b, c.
fn setup(dir: &Path, with_card: bool) -> (SigningKey, Vec<ReceiptVisit>) {
    let org = SigningKey::generate().unwrap();
    let office = age::x25519::Identity::generate();
    let mut opts = common::init_options(&office);
    let mut v = if with_card {
        let card = OrgCard {
            organisation: "Jeugdzorg Voorbeeldstad".into(),
            recipients: vec![Recipient::from(office.to_public())],
            backup_recipients: vec![],
            signing_key: org.public().clone(),
        };
        opts.recipients.clear();
        Vault::init_with_org_card(dir, opts, &card).unwrap()
    } else {
        Vault::init(dir, opts).unwrap()
    };
    v.save_draft(&small("bezoek-a", 1)).unwrap();
    for id in ["bezoek-b", "bezoek-c", "bezoek-d"] {
        v.finalize(small(id, 1), summary(), "2025-03-04T11:00:00")
            .unwrap();
    }
    let visits = v
        .finalized_records(true)
        .unwrap()
        .into_iter()
        .filter(|f| f.visit_id != "bezoek-d")
        .map(|f| ReceiptVisit {
            id: f.visit_id,
            sequence: f.sequence,
            sha256: f.sha256,
        })
        .collect();
    (org, visits)
}

/// Seal a receipt for the laptop in `dir` into `out`.
fn write_receipt(dir: &Path, out: &Path, org: &SigningKey, r: &Receipt) {
    let mut v = Vault::open(dir).unwrap();
    v.unlock(&common::passphrase()).unwrap();
    let to = v.device_card().unwrap().recipient;
    std::fs::write(out, receipt::seal(r, org, &to, 0).unwrap()).unwrap();
}

fn pass_file(dir: &Path) -> String {
    let p = dir.join("pass.txt");
    std::fs::write(&p, format!("{PASSPHRASE}\n")).unwrap();
    p.to_str().unwrap().to_string()
}

/// The tests of this file run one at a time: a process spawned by one test
/// (fork, then exec) holds a copy of every open file of this process until
/// its exec, so a vault another test had just closed could still look
/// locked (`AlreadyOpen`) for a moment.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn a_receipt_deletes_what_arrived_and_status_counts_it() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (org, visits) = setup(&dir, true);
    let pass = pass_file(tmp.path());
    let good: PathBuf = tmp.path().join("device-test-1-1.age");
    write_receipt(
        &dir,
        &good,
        &org,
        &Receipt::new("device-test-1", 1, "2025-03-05T09:00:00", visits.clone()),
    );
    // Another file signed by someone else: named, refused, exit 1; the
    // good one is still applied.
    let forged = tmp.path().join("device-test-1-2.age");
    let other = SigningKey::generate().unwrap();
    write_receipt(
        &dir,
        &forged,
        &other,
        &Receipt::new("device-test-1", 2, "2025-03-05T09:00:00", visits),
    );
    let (code, stdout, stderr) = run(
        &dir,
        "nl",
        &[
            "receipt",
            forged.to_str().unwrap(),
            good.to_str().unwrap(),
            "--passphrase-file",
            &pass,
        ],
    );
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!("fout: {}: de handtekening", forged.display()))
            && stderr.contains("Er is niets veranderd."),
        "{stderr}"
    );
    assert!(
        stdout.contains(&format!(
            "{}: ontvangstbewijs 1: 2 bezoeken aangekomen en van deze laptop verwijderd. In totaal 2 bezoeken aangekomen op kantoor.",
            good.display()
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("Appelboom") && !stderr.contains("Appelboom"));

    // Again: harmless, exit 0.
    let (code, stdout, _) = run(
        &dir,
        "en",
        &[
            "receipt",
            good.to_str().unwrap(),
            "--passphrase-file",
            &pass,
        ],
    );
    assert_eq!(code, Some(0));
    assert!(
        stdout
            .contains("receipt 1: 0 visits arrived and deleted from this laptop (2 already gone)"),
        "{stdout}"
    );

    // A visit that arrived leaves its case open: the family is still followed.
    let (code, stdout, stderr) = run(&dir, "en", &["status", "--passphrase-file", &pass]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stdout,
        "drafts:                       1\nfinalized, not yet exported:  1\nexported:                     0\narrived at the office:        2\nopen cases:                   3\n"
    );
}

#[test]
fn without_the_organisation_card_it_says_to_take_it() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (org, visits) = setup(&dir, false);
    let pass = pass_file(tmp.path());
    let file = tmp.path().join("r.age");
    write_receipt(
        &dir,
        &file,
        &org,
        &Receipt::new("device-test-1", 1, "2025-03-05T09:00:00", visits),
    );
    let (code, _, stderr) = run(
        &dir,
        "en",
        &[
            "receipt",
            file.to_str().unwrap(),
            "--passphrase-file",
            &pass,
        ],
    );
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("safevisit org-card") && stderr.contains("Nothing was changed"),
        "{stderr}"
    );
    let mut v = Vault::open(&dir).unwrap();
    v.unlock(&common::passphrase()).unwrap();
    assert_eq!(v.list().unwrap().len(), 4);
}

#[test]
fn a_fifo_is_refused_at_once() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (org, visits) = setup(&dir, true);
    let fifo = tmp.path().join("receipt.age");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let pass = pass_file(tmp.path());
    let mut child = cmd(
        &dir,
        "en",
        &[
            "receipt",
            fifo.to_str().unwrap(),
            "--passphrase-file",
            &pass,
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("safevisit receipt waited on a FIFO");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.code(), Some(1));
    assert!(
        stderr.contains("a pipe (FIFO), not a receipt")
            && stderr.contains(&*fifo.to_string_lossy()),
        "{stderr}"
    );

    // Beside a sound receipt: the FIFO is named, the receipt still applied, exit 1.
    let good = tmp.path().join("good.age");
    write_receipt(
        &dir,
        &good,
        &org,
        &Receipt::new("device-test-1", 1, "2025-03-05T09:00:00", visits),
    );
    let (code, stdout, stderr) = run(
        &dir,
        "en",
        &[
            "receipt",
            fifo.to_str().unwrap(),
            good.to_str().unwrap(),
            "--passphrase-file",
            &pass,
        ],
    );
    assert_eq!(code, Some(1));
    assert!(stderr.contains("a pipe (FIFO)"), "{stderr}");
    assert!(stdout.contains("2 visits arrived and deleted"), "{stdout}");
}
