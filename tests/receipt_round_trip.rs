//! The whole round trip with the real binary: the office makes its key and
//! organisation card, the laptop takes the card, finalizes and exports,
//! the office enrols the laptop and imports its signed bundle, and writes a
//! receipt; the laptop applies it and forgets exactly what arrived — a
//! visit finalized after the export stays.

mod office_support;
mod vault_support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use office_support::{NOW, export, finalize, stderr, stdout};
use safevisit::cards::OrgCard;
use safevisit::store::{InitOptions, Status, Vault};

fn safevisit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", "en"])
        .args(args)
        .stdin(Stdio::null())
        .env_remove("SAFEVISIT_DATA_DIR")
        .output()
        .expect("run safevisit")
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn the_laptop_forgets_exactly_what_the_office_received() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let office = root.join("kantoor");
    let key = root.join("org-key.txt");
    let card_path = root.join("org.card");
    let out = safevisit(&["supervisor", "keygen", "-o", p(&key)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = safevisit(&[
        "supervisor",
        "org-card",
        "-i",
        p(&key),
        "--out",
        p(&card_path),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // The laptop takes the organisation card (a test vault: fast unlock).
    let card = OrgCard::parse(&std::fs::read_to_string(&card_path).unwrap()).unwrap();
    let data = root.join("laptop");
    let mut v = Vault::init_with_org_card(
        &data,
        InitOptions {
            recipients: vec![],
            device_name: "laptop-3".into(),
            passphrase: vault_support::passphrase(),
            device_id: Some("device-a".into()),
            scrypt_log_n: Some(vault_support::TEST_LOG_N),
        },
        &card,
    )
    .unwrap();
    let sent = finalize(&mut v, "appelboom", 1, 3, 5);
    let bundle = export(&mut v, root);
    // Finalized after the export: not at the office, must stay.
    let later = finalize(&mut v, "kersenboom", 4, 1, 5);
    let device_card = root.join("device-a.card");
    std::fs::write(&device_card, v.device_card().unwrap().to_text()).unwrap();
    drop(v);

    // The office enrols the laptop and imports: one receipt.
    let out = safevisit(&[
        "supervisor",
        "enrol",
        p(&device_card),
        "--out",
        p(&office),
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = safevisit(&[
        "supervisor",
        "import",
        "-i",
        p(&key),
        "--out",
        p(&office),
        p(&bundle),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let receipt = office.join("receipts").join("device-a-1.age");
    assert!(receipt.is_file(), "{}", stdout(&out));

    // Back on the laptop.
    let pass = root.join("pass.txt");
    std::fs::write(&pass, format!("{}\n", vault_support::PASSPHRASE)).unwrap();
    let out = safevisit(&[
        "receipt",
        p(&receipt),
        "--data-dir",
        p(&data),
        "--passphrase-file",
        p(&pass),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("receipt 1: 3 visits arrived and deleted from this laptop."),
        "{}",
        stdout(&out)
    );

    let mut v = vault_support::reopen(&data);
    let listed: Vec<(String, Status)> = v
        .list()
        .unwrap()
        .into_iter()
        .map(|e| (e.id, e.status))
        .collect();
    assert_eq!(listed, vec![(later[0].clone(), Status::Finalized)]);
    assert_eq!(v.arrived().unwrap().visits, 3);
    let left: Vec<String> = v
        .finalized_records(true)
        .unwrap()
        .into_iter()
        .map(|f| f.visit_id)
        .collect();
    assert_eq!(left, later);
    assert!(sent.iter().all(|id| !left.contains(id)));
    // Two files left in final/: the later visit's record and stub.
    assert_eq!(std::fs::read_dir(data.join("final")).unwrap().count(), 2);
    drop(v);

    // The next export carries the later visit; its receipt forgets it too.
    let mut v = vault_support::reopen(&data);
    let bundle2 = safevisit::export::export_bundle(&mut v, Some(&root.join("b2")), false, NOW)
        .unwrap()
        .path
        .unwrap();
    drop(v);
    let out = safevisit(&[
        "supervisor",
        "import",
        "-i",
        p(&key),
        "--out",
        p(&office),
        p(&bundle2),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let receipt2 = office.join("receipts").join("device-a-2.age");
    let out = safevisit(&[
        "receipt",
        p(&receipt2),
        "--data-dir",
        p(&data),
        "--passphrase-file",
        p(&pass),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = vault_support::reopen(&data);
    assert!(v.list().unwrap().is_empty());
    assert_eq!(v.arrived().unwrap().visits, 4);
    assert_eq!(std::fs::read_dir(data.join("final")).unwrap().count(), 0);
}
