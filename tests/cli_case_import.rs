//! `safevisit case-import FILE…`: a laptop takes over a case the office
//! handed to it. Only a handover signed by the pinned organisation key and
//! meant for this device is taken; the case then opens like one of its own.
//! Runs under `setsid`, without a terminal.

mod vault_support;
use vault_support as common;

use std::path::Path;
use std::process::Command;

use safevisit::cards::OrgCard;
use safevisit::case::CaseCard;
use safevisit::handover::{self, Handover};
use safevisit::signing::SigningKey;
use safevisit::store::Vault;
use safevisit::store::recipients::Recipient;

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let o = Command::new("setsid")
        .arg(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", "nl"])
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("SAFEVISIT_DATA_DIR")
        .output()
        .expect("run safevisit");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

#[test]
fn a_signed_handover_for_this_laptop_is_taken_and_a_forged_one_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    // The laptop that made the case (its card is what the office hands on).
    let (mut old, _org) = common::test_vault(&tmp.path().join("old"));
    old.finalize(
        common::small("appelboom-1", 1),
        common::summary(),
        "2025-03-04T11:00:00",
    )
    .unwrap();
    let card: CaseCard = old.case("appelboom-1").unwrap().unwrap().clone();
    drop(old);

    // The new laptop, which trusts the organisation's key.
    let org = SigningKey::generate().unwrap();
    let office = age::x25519::Identity::generate();
    let dir = tmp.path().join("new");
    let mut opts = common::init_options(&office);
    opts.recipients.clear();
    let org_card = OrgCard {
        organisation: "Jeugdzorg Voorbeeldstad".into(),
        recipients: vec![Recipient::from(office.to_public())],
        backup_recipients: vec![],
        signing_key: org.public().clone(),
    };
    let v = Vault::init_with_org_card(&dir, opts, &org_card).unwrap();
    let device = v.device_card().unwrap();
    drop(v);
    let seal = |h: &Handover, key: &SigningKey, name: &str| {
        let path = tmp.path().join(name);
        std::fs::write(&path, handover::seal(h, key, &device.recipient, 0).unwrap()).unwrap();
        path
    };
    let good = seal(
        &Handover::new(&device.device_id, "2025-03-10T09:00:00", card.clone()),
        &org,
        "good.age",
    );
    let forged = seal(
        &Handover::new(&device.device_id, "2025-03-10T09:00:00", card.clone()),
        &SigningKey::generate().unwrap(),
        "forged.age",
    );
    let elsewhere = seal(
        &Handover::new("another-laptop", "2025-03-10T09:00:00", card.clone()),
        &org,
        "elsewhere.age",
    );
    let pass = tmp.path().join("pass.txt");
    std::fs::write(&pass, format!("{}\n", common::PASSPHRASE)).unwrap();
    let (code, stdout, stderr) = run(
        &dir,
        &[
            "case-import",
            forged.to_str().unwrap(),
            elsewhere.to_str().unwrap(),
            good.to_str().unwrap(),
            "--passphrase-file",
            pass.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("forged.age: de handtekening"), "{stderr}");
    assert!(stderr.contains("niet voor deze laptop"), "{stderr}");
    assert!(
        stdout.contains("casus appelboom-1 overgenomen (1 afspraken, 1 bezoeken)"),
        "{stdout}"
    );
    // Counts and ids only: no label, no name.
    assert!(
        !stdout.contains("Appelboom") && !stdout.contains("Lotte"),
        "{stdout}"
    );

    let mut v = Vault::open(&dir).unwrap();
    v.unlock(&common::passphrase()).unwrap();
    let cases = v.cases().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0], card);
    drop(v);
    // The same handover again changes nothing.
    let (code, stdout, _) = run(
        &dir,
        &[
            "case-import",
            good.to_str().unwrap(),
            "--passphrase-file",
            pass.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0));
    assert!(stdout.contains("staat al op deze laptop"), "{stdout}");
}
