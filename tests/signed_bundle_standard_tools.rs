//! End to end with the standard tools, as a supervisor could check a
//! bundle by hand: `safevisit export`, then `age -d -i` with the test
//! organisation key, `tar -x`, and `minisign -V -p device.pub -m
//! manifest.json` with the key from `safevisit device-card --pub`. A
//! changed manifest fails. Skipped (said loudly) where `age` or `minisign`
//! is not installed; CI installs both.

mod office_support;
mod vault_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn have(tool: &str, arg: &str) -> bool {
    Command::new(tool).arg(arg).output().is_ok()
}

fn safevisit(dir: &Path, pass: &Path, args: &[&str]) -> Output {
    Command::new("setsid")
        .arg(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", "en"])
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .arg("--passphrase-file")
        .arg(pass)
        .env_remove("SAFEVISIT_DATA_DIR")
        .output()
        .expect("run safevisit (needs `setsid` from util-linux)")
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn export_then_age_tar_and_minisign_verify_the_manifest() {
    if !have("age", "--version") || !have("minisign", "-v") {
        eprintln!("skipped: the `age` or `minisign` tool is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let key_text = std::fs::read_to_string(fixture("test-org-key.txt")).unwrap();
    let org = age::x25519::Identity::from_str(
        key_text
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
            .unwrap(),
    )
    .unwrap();
    let mut v = office_support::laptop(&dir, "device-kersenboom", "laptop-3", &[&org]);
    office_support::finalize(&mut v, "kersenboom", 1, 3, 5);
    drop(v);
    let pass = tmp.path().join("pass.txt");
    std::fs::write(&pass, format!("{}\n", vault_support::PASSPHRASE)).unwrap();

    let out_dir = tmp.path().join("stick");
    std::fs::create_dir(&out_dir).unwrap();
    ok(&safevisit(
        &dir,
        &pass,
        &["export", "--out", out_dir.to_str().unwrap()],
    ));
    let bundle = std::fs::read_dir(&out_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let pubfile = tmp.path().join("device.pub");
    ok(&safevisit(
        &dir,
        &pass,
        &["device-card", "--pub", pubfile.to_str().unwrap()],
    ));

    let tar = tmp.path().join("bundle.tar");
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(fixture("test-org-key.txt"))
        .arg("-o")
        .arg(&tar)
        .arg(&bundle)
        .output()
        .unwrap();
    ok(&out);
    let x = tmp.path().join("x");
    std::fs::create_dir(&x).unwrap();
    ok(&Command::new("tar")
        .arg("-xf")
        .arg(&tar)
        .arg("-C")
        .arg(&x)
        .output()
        .unwrap());
    assert!(x.join("manifest.json.minisig").is_file());
    assert!(x.join("visits/00000003.visit.age").is_file());

    let verify = || {
        Command::new("minisign")
            .arg("-V")
            .arg("-p")
            .arg(&pubfile)
            .arg("-m")
            .arg(x.join("manifest.json"))
            .output()
            .unwrap()
    };
    let out = verify();
    ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("safevisit-bundle device=device-kersenboom created="),
        "{stdout}"
    );

    // One changed character in the manifest: minisign refuses it.
    let manifest = std::fs::read_to_string(x.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"sequence\": 3"));
    std::fs::write(
        x.join("manifest.json"),
        manifest.replace("\"sequence\": 3", "\"sequence\": 4"),
    )
    .unwrap();
    assert!(!verify().status.success());
}
