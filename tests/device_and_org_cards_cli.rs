//! `safevisit device-card`, `safevisit org-card` and `init --org-card` as a
//! user runs them: the cards written and read, the fingerprints shown, a
//! file never overwritten, a confirmation that cannot be skipped without
//! `--yes`, and a pinned organisation key that another card cannot replace
//! without `--replace`.
//!
//! Commands run under `setsid`, without a terminal, so that anything that
//! would ask fails instead of waiting.

mod vault_support;
use vault_support as common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::PASSPHRASE;
use safevisit::cards::{DeviceCard, OrgCard};
use safevisit::signing::{SigningKey, VerifyingKey};
use safevisit::store::Vault;
use safevisit::store::recipients::Recipient;

fn safevisit(dir: &Path, args: &[&str]) -> Output {
    Command::new("setsid")
        .arg(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", "en"])
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("SAFEVISIT_DATA_DIR")
        .output()
        .expect("run safevisit (needs `setsid` from util-linux)")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn pass_file(dir: &Path) -> String {
    let p = dir.join("pass.txt");
    std::fs::write(&p, format!("{PASSPHRASE}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p.display().to_string()
}

fn new_recipient() -> Recipient {
    Recipient::from(age::x25519::Identity::generate().to_public())
}

fn org_card(dir: &Path, name: &str) -> (OrgCard, PathBuf) {
    let card = OrgCard {
        organisation: "Jeugdzorg Voorbeeldstad".into(),
        recipients: vec![new_recipient()],
        backup_recipients: vec![new_recipient()],
        signing_key: SigningKey::generate().unwrap().public().clone(),
    };
    let path = dir.join(name);
    std::fs::write(&path, card.to_text()).unwrap();
    (card, path)
}

fn unlocked(dir: &Path) -> Vault {
    let mut v = Vault::open(dir).unwrap();
    v.unlock(&common::passphrase()).unwrap();
    v
}

#[test]
fn init_with_an_org_card_pins_it_and_device_card_writes_the_card_and_pub_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let pass = pass_file(tmp.path());
    let (card, card_path) = org_card(tmp.path(), "org.card");
    let out = safevisit(
        &dir,
        &[
            "init",
            "--org-card",
            card_path.to_str().unwrap(),
            "--device-name",
            "laptop-3",
            "--passphrase-file",
            &pass,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains(&card.fingerprint()), "{stderr}");
    assert!(stderr.contains("Jeugdzorg Voorbeeldstad"), "{stderr}");
    assert!(stdout.contains("organisation key pinned"), "{stdout}");
    // Two recipients from the card: no single-recipient warning.
    assert!(!stderr.contains("only one recipient"), "{stderr}");
    let v = unlocked(&dir);
    assert_eq!(v.org_signing_key(), Some(card.signing_key.clone()));
    assert_eq!(v.recipients().unwrap(), card.all_recipients());
    let key = v.signing_key().unwrap().public().clone();
    drop(v);

    // device-card --out --pub: the card and the minisign key, 0600.
    let card_out = tmp.path().join("laptop-3.card");
    let pub_out = tmp.path().join("laptop-3.pub");
    let out = safevisit(
        &dir,
        &[
            "device-card",
            "--out",
            card_out.to_str().unwrap(),
            "--pub",
            pub_out.to_str().unwrap(),
            "--passphrase-file",
            &pass,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    let written = DeviceCard::parse(&std::fs::read_to_string(&card_out).unwrap()).unwrap();
    assert_eq!(written.device_name, "laptop-3");
    assert_eq!(written.signing_key, key);
    assert!(stderr.contains(&written.fingerprint()), "{stderr}");
    assert!(
        stderr.contains("Read this fingerprint to the office"),
        "{stderr}"
    );
    for p in [&card_out, &pub_out] {
        let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
    }
    let pubfile = std::fs::read_to_string(&pub_out).unwrap();
    assert!(pubfile.starts_with("untrusted comment: minisign public key "));
    assert_eq!(
        VerifyingKey::from_base64(pubfile.lines().nth(1).unwrap()).unwrap(),
        key
    );
    assert!(!stdout.contains(PASSPHRASE) && !stderr.contains(PASSPHRASE));

    // Never overwrites: the existing card stays as it was.
    std::fs::write(&card_out, "oud").unwrap();
    let out = safevisit(
        &dir,
        &[
            "device-card",
            "--out",
            card_out.to_str().unwrap(),
            "--passphrase-file",
            &pass,
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&card_out).unwrap(), "oud");

    // Without --out the card goes to stdout, the fingerprint to stderr.
    let out = safevisit(&dir, &["device-card", "--passphrase-file", &pass]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(DeviceCard::parse(&stdout).unwrap(), written);
    assert!(!stderr.contains("format ="), "{stderr}");
}

#[test]
fn an_org_card_given_as_recipients_file_is_read_as_a_card_and_a_damaged_one_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let pass = pass_file(tmp.path());
    let (card, card_path) = org_card(tmp.path(), "org.card");
    // A changed card fails its fingerprint: no vault is made.
    let damaged = tmp.path().join("damaged.card");
    let text_of = std::fs::read_to_string(&card_path).unwrap();
    std::fs::write(
        &damaged,
        text_of.replace("Jeugdzorg Voorbeeldstad", "Jeugdzorg Nepstad"),
    )
    .unwrap();
    let out = safevisit(
        &dir,
        &[
            "init",
            "--recipients-file",
            damaged.to_str().unwrap(),
            "--device-name",
            "laptop-4",
            "--passphrase-file",
            &pass,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).1.contains("fingerprint does not match"),
        "{:?}",
        text(&out)
    );
    assert!(!Vault::exists(&dir));

    let out = safevisit(
        &dir,
        &[
            "init",
            "--recipients-file",
            card_path.to_str().unwrap(),
            "--device-name",
            "laptop-4",
            "--passphrase-file",
            &pass,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    let v = unlocked(&dir);
    assert_eq!(v.org_signing_key(), Some(card.signing_key.clone()));
    assert_eq!(v.recipients().unwrap(), card.all_recipients());
}

#[test]
fn org_card_on_an_existing_laptop_asks_and_refuses_another_key_without_replace() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let pass = pass_file(tmp.path());
    let (v, _org) = common::test_vault(&dir);
    drop(v);
    let (first, first_path) = org_card(tmp.path(), "first.card");
    let first_path = first_path.to_str().unwrap();

    // No terminal and no --yes: nothing changes.
    let out = safevisit(&dir, &["org-card", first_path, "--passphrase-file", &pass]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains(&first.fingerprint()), "{stderr}");
    assert!(stderr.contains("--yes"), "{stderr}");
    assert!(unlocked(&dir).org_signing_key().is_none());

    let out = safevisit(
        &dir,
        &["org-card", first_path, "--yes", "--passphrase-file", &pass],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    let v = unlocked(&dir);
    assert_eq!(v.org_signing_key(), Some(first.signing_key.clone()));
    assert_eq!(v.recipients().unwrap(), first.all_recipients());
    drop(v);

    // The same signing key but another recipient (the card is not signed,
    // so anyone can write one): refused without --replace, since finalized
    // visits would then be encrypted to that recipient.
    let swapped = OrgCard {
        recipients: vec![new_recipient()],
        ..first.clone()
    };
    let swapped_path = tmp.path().join("swapped.card");
    std::fs::write(&swapped_path, swapped.to_text()).unwrap();
    let out = safevisit(
        &dir,
        &[
            "org-card",
            swapped_path.to_str().unwrap(),
            "--yes",
            "--passphrase-file",
            &pass,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("--replace") && stderr.contains("other recipients"),
        "{stderr}"
    );
    assert_eq!(unlocked(&dir).recipients().unwrap(), first.all_recipients());

    // A card with another signing key: refused, and said why.
    let (second, second_path) = org_card(tmp.path(), "second.card");
    let second_path = second_path.to_str().unwrap();
    let out = safevisit(
        &dir,
        &["org-card", second_path, "--yes", "--passphrase-file", &pass],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("--replace") && stderr.contains("receipts"),
        "{stderr}"
    );
    assert_eq!(
        unlocked(&dir).org_signing_key(),
        Some(first.signing_key.clone())
    );

    let out = safevisit(
        &dir,
        &[
            "org-card",
            second_path,
            "--yes",
            "--replace",
            "--passphrase-file",
            &pass,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("WARNING"), "{stderr}");
    let v = unlocked(&dir);
    assert_eq!(v.org_signing_key(), Some(second.signing_key.clone()));
    assert_eq!(v.recipients().unwrap(), second.all_recipients());
}

/// `safevisit org-card CARD` on a pseudo-terminal (`script` from
/// util-linux): waits for the question, types `answer`, and returns the exit
/// code and everything the terminal showed.
fn org_card_on_a_terminal(dir: &Path, card: &Path, pass: &str, answer: &str) -> (i32, String) {
    use std::io::{Read, Write};
    use std::process::Stdio;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};
    let cmd = format!(
        "'{}' --lang en org-card '{}' --data-dir '{}' --passphrase-file '{}'",
        env!("CARGO_BIN_EXE_safevisit"),
        card.display(),
        dir.display(),
        pass
    );
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .env_remove("SAFEVISIT_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start script (util-linux)");
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !String::from_utf8_lossy(&seen).contains("Type y") {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(chunk) => seen.extend(chunk),
            Err(_) => panic!(
                "org-card did not ask; it said: {}",
                String::from_utf8_lossy(&seen)
            ),
        }
    }
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{answer}\n").as_bytes()).unwrap();
    stdin.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "org-card did not finish");
        std::thread::sleep(Duration::from_millis(20));
    };
    while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(200)) {
        seen.extend(chunk);
    }
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&seen).into_owned(),
    )
}

#[test]
fn org_card_on_a_terminal_pins_only_after_a_typed_yes() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let pass = pass_file(tmp.path());
    let (v, _org) = common::test_vault(&dir);
    drop(v);
    let (card, card_path) = org_card(tmp.path(), "org.card");

    let (code, shown) = org_card_on_a_terminal(&dir, &card_path, &pass, "n");
    assert_eq!(code, 1, "{shown}");
    assert!(shown.contains(&card.fingerprint()), "{shown}");
    assert!(shown.contains("nothing was changed"), "{shown}");
    assert!(unlocked(&dir).org_signing_key().is_none());

    let (code, shown) = org_card_on_a_terminal(&dir, &card_path, &pass, "y");
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("organisation card is pinned"), "{shown}");
    assert_eq!(
        unlocked(&dir).org_signing_key(),
        Some(card.signing_key.clone())
    );
}
