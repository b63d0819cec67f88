//! Interoperability with the standard `age` tool: keys made by
//! `age-keygen` work as recipients, `age -d -i org-key` opens a finalized
//! record, and `age -d` opens the device identity with the passphrase.
//!
//! The `age` tool reads a passphrase only from a terminal, so the test
//! gives it one: `script` (util-linux) runs it on a pseudo-terminal and the
//! test types the passphrase when `age` asks for it.
//!
//! These tests need `age`, `age-keygen` and `script`; without them they
//! fail with a message saying what to install (CI installs them).

mod vault_support;
use vault_support as common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{PASSPHRASE, summary};
use safevisit::store::envelope::decode_record;
use safevisit::store::recipients::parse_recipients_file;
use safevisit::store::{InitOptions, Vault};
use secrecy::SecretString;

fn require(tool: &str, args: &[&str]) {
    let ok = Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "this test needs the standard `{tool}` tool, which is not installed. \
         Install it (Debian/Ubuntu: `apt-get install age util-linux`); CI installs it."
    );
}

fn require_age() {
    require("age", &["--version"]);
    require("age-keygen", &["--version"]);
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run a tool");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `age-keygen -o DIR/org.txt`; returns (identity file, public key).
fn age_keygen(dir: &Path) -> (PathBuf, String) {
    let key = dir.join("org.txt");
    run(Command::new("age-keygen").arg("-o").arg(&key));
    let public = run(Command::new("age-keygen").arg("-y").arg(&key)).stdout;
    (key, String::from_utf8(public).unwrap().trim().to_string())
}

/// `age -d -o OUT FILE`, typing `passphrase` on a pseudo-terminal.
fn age_decrypt_with_passphrase(file: &Path, out: &Path, passphrase: &str) {
    require("script", &["--version"]);
    let cmd = format!("age -d -o '{}' '{}'", out.display(), file.display());
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start script");
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
    while !String::from_utf8_lossy(&seen)
        .to_lowercase()
        .contains("passphrase")
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(chunk) => seen.extend(chunk),
            Err(_) => panic!(
                "age did not ask for a passphrase; it said: {}",
                String::from_utf8_lossy(&seen)
            ),
        }
    }
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("{passphrase}\n").as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    // Keep the terminal open until age is done.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "age did not finish");
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    assert!(status.success(), "age -d with the passphrase failed: {err}");
}

#[test]
fn age_keygen_keys_are_recipients_and_age_opens_a_finalized_record() {
    require_age();
    let tmp = tempfile::tempdir().unwrap();
    let (key, public) = age_keygen(tmp.path());
    let recipients = parse_recipients_file(&format!("# kantoor\n{public}\n"), "org.pub").unwrap();
    let mut v = Vault::init(
        &tmp.path().join("data"),
        InitOptions {
            recipients,
            device_name: "laptop-interop".into(),
            passphrase: common::passphrase(),
            device_id: None,
            scrypt_log_n: Some(common::TEST_LOG_N),
        },
    )
    .unwrap();
    let rec = common::small("bezoek-age", 1);
    v.save_draft(&rec).unwrap();
    let seq = v
        .finalize(rec.clone(), summary(), "2025-03-04T11:00:00")
        .unwrap();
    let file = &v.finalized_records(false).unwrap()[0];
    assert_eq!(file.sequence, seq);

    let plain = run(Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&key)
        .arg(&file.path))
    .stdout;
    let opened = decode_record(&plain).unwrap();
    assert_eq!(opened.id, rec.id);
    assert_eq!(opened.sheets, rec.sheets);
    assert_eq!(opened.finalized.unwrap().sequence, seq);
}

#[test]
fn age_opens_the_device_identity_with_the_passphrase() {
    require_age();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, _org) = common::test_vault(&dir);
    let draft = common::small("bezoek-draft", 1);
    v.save_draft(&draft).unwrap();
    v.finalize(
        common::small("bezoek-final", 1),
        summary(),
        "2025-03-04T11:00:00",
    )
    .unwrap();
    drop(v);

    let identity = tmp.path().join("device-identity.txt");
    age_decrypt_with_passphrase(&dir.join("identity.age"), &identity, PASSPHRASE);
    let text = std::fs::read_to_string(&identity).unwrap();
    assert!(text.contains("# device-id: device-test-1"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("AGE-SECRET-KEY-1")));

    // That identity opens drafts with the standard tool…
    let plain = run(Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&identity)
        .arg(dir.join("drafts/bezoek-draft.age")))
    .stdout;
    assert_eq!(decode_record(&plain).unwrap(), draft);
    // …but not a finalized visit: that is for the organisation only.
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&identity)
        .arg(dir.join("final/00000001.visit.age"))
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "the device identity opened a finalized visit"
    );
}

/// The whole path of a new user: `safevisit init` with a key from
/// `age-keygen` and the default work factor, then the standard tool opens
/// the device identity with the passphrase and a finalized record with the
/// organisation key.
#[test]
fn a_new_user_inits_with_age_keygen_keys() {
    require_age();
    let tmp = tempfile::tempdir().unwrap();
    let (key, public) = age_keygen(tmp.path());
    let pubfile = tmp.path().join("org.pub");
    std::fs::write(&pubfile, format!("# organisatie\n{public}\n")).unwrap();
    let passfile = tmp.path().join("pass.txt");
    std::fs::write(&passfile, format!("{PASSPHRASE}\n")).unwrap();
    let dir = tmp.path().join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", "en", "init", "--device-name", "laptop-3"])
        .arg("--recipients-file")
        .arg(&pubfile)
        .arg("--passphrase-file")
        .arg(&passfile)
        .arg("--data-dir")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "init failed: {stdout}{stderr}");
    assert!(!stdout.contains(PASSPHRASE) && !stderr.contains(PASSPHRASE));

    let mut v = Vault::open(&dir).unwrap();
    assert!(!v.device().test_vault);
    v.unlock(&SecretString::from(PASSPHRASE.to_string()))
        .unwrap();
    v.finalize(
        common::small("bezoek-1", 1),
        summary(),
        "2025-03-04T11:00:00",
    )
    .unwrap();
    drop(v);

    let identity = tmp.path().join("device.txt");
    age_decrypt_with_passphrase(&dir.join("identity.age"), &identity, PASSPHRASE);
    assert!(
        std::fs::read_to_string(&identity)
            .unwrap()
            .contains("# device-name: laptop-3")
    );
    let plain = run(Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&key)
        .arg(dir.join("final/00000001.visit.age")))
    .stdout;
    assert_eq!(decode_record(&plain).unwrap().id, "bezoek-1");
}
