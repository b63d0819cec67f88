//! Signatures made by safevisit verify with the standard `minisign` tool,
//! and a changed byte does not. Skipped (said loudly) where `minisign` is
//! not installed; CI installs it.

use std::process::Command;

use safevisit::signing::SigningKey;

fn minisign_available() -> bool {
    Command::new("minisign").arg("-v").output().is_ok()
}

#[test]
fn the_standard_minisign_tool_verifies_a_safevisit_signature() {
    if !minisign_available() {
        eprintln!("skipped: the `minisign` tool is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate().unwrap();
    let data = dir.path().join("manifest.json");
    std::fs::write(&data, b"{\"format\": \"safevisit-bundle\"}\n").unwrap();
    let sig = key
        .sign(
            &std::fs::read(&data).unwrap(),
            "safevisit-bundle device=laptop-3",
        )
        .unwrap();
    std::fs::write(dir.path().join("manifest.json.minisig"), &sig).unwrap();
    let pubfile = dir.path().join("device.pub");
    std::fs::write(&pubfile, key.public().to_minisign_file()).unwrap();

    let ok = Command::new("minisign")
        .args(["-V", "-p"])
        .arg(&pubfile)
        .arg("-m")
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "minisign -V failed: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("safevisit-bundle device=laptop-3"));

    // -P with the base64 key alone works too.
    let ok = Command::new("minisign")
        .args(["-V", "-P", &key.public().to_base64(), "-m"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(ok.status.success());

    std::fs::write(&data, b"{\"format\": \"safevisit-bundlE\"}\n").unwrap();
    let bad = Command::new("minisign")
        .args(["-V", "-p"])
        .arg(&pubfile)
        .arg("-m")
        .arg(&data)
        .output()
        .unwrap();
    assert!(!bad.status.success(), "a changed byte must not verify");
}

#[test]
fn safevisit_verifies_a_signature_made_by_the_standard_tool() {
    if !minisign_available() {
        eprintln!("skipped: the `minisign` tool is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pk = dir.path().join("k.pub");
    let sk = dir.path().join("k.key");
    let gen_ = Command::new("minisign")
        .args(["-G", "-W", "-p"])
        .arg(&pk)
        .arg("-s")
        .arg(&sk)
        .output()
        .unwrap();
    assert!(
        gen_.status.success(),
        "{}",
        String::from_utf8_lossy(&gen_.stderr)
    );
    let data = dir.path().join("receipt.json");
    std::fs::write(&data, b"{}\n").unwrap();
    let s = Command::new("minisign")
        .args(["-S", "-s"])
        .arg(&sk)
        .arg("-m")
        .arg(&data)
        .args(["-t", "from the standard tool"])
        .output()
        .unwrap();
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let pub_text = std::fs::read_to_string(&pk).unwrap();
    let key =
        safevisit::signing::VerifyingKey::from_base64(pub_text.lines().nth(1).unwrap()).unwrap();
    let sig = std::fs::read_to_string(dir.path().join("receipt.json.minisig")).unwrap();
    assert_eq!(key.verify(b"{}\n", &sig).unwrap(), "from the standard tool");
    assert!(key.verify(b"{ }\n", &sig).is_err());
}
