//! Office trust, end to end through the real binary: the organisation's
//! signing key in its identity file (still a standard age identity file),
//! the organisation card, two laptops enrolled by their cards with a
//! fingerprint check, their signed bundles imported, forged bundles (made
//! with the organisation's public key alone: unsigned, or signed by a new
//! key that claims an enrolled laptop) rejected while sound ones land, a
//! revoked laptop, a bundle that never renames a device, and receipts that
//! list exactly what arrived and open with the laptop's own identity.

mod office_support;
mod vault_support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::str::FromStr;

use std::io::Read;

use office_support::*;
use safevisit::cards::{DeviceCard, OrgCard};
use safevisit::export::bundle;
use safevisit::export::manifest::{self, record_file};
use safevisit::export::manifest_of;
use safevisit::receipt;
use safevisit::signing::{SigningKey, VerifyingKey};
use safevisit::store::Vault;
use safevisit::store::recipients::Recipient;
use safevisit::supervisor::keys;

/// `safevisit --lang en ARGS…`, stdin closed (never a terminal).
fn safevisit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", "en"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run safevisit")
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `supervisor keygen -o FILE`: the identity file and its age identity.
fn org_key(root: &Path) -> (PathBuf, age::x25519::Identity) {
    let path = root.join("org-key.txt");
    let out = safevisit(&["supervisor", "keygen", "-o", p(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .expect("an age identity");
    (path, age::x25519::Identity::from_str(line).unwrap())
}

fn org_public(key_file: &Path) -> VerifyingKey {
    keys::load_signing_key(key_file)
        .unwrap()
        .expect("a signing key")
        .public()
        .clone()
}

/// A laptop's card, the identity its receipts are encrypted to, and its key.
struct Card {
    path: PathBuf,
    card: DeviceCard,
    identity: age::x25519::Identity,
}

fn card(root: &Path, device_id: &str, name: &str) -> Card {
    let identity = age::x25519::Identity::generate();
    let card = DeviceCard {
        device_id: device_id.into(),
        device_name: name.into(),
        recipient: Recipient::from(identity.to_public()),
        signing_key: SigningKey::generate().unwrap().public().clone(),
    };
    let path = root.join(format!("{device_id}-{}.card", &card.fingerprint()[..4]));
    std::fs::write(&path, card.to_text()).unwrap();
    Card {
        path,
        card,
        identity,
    }
}

/// The laptop's own X25519 identity, opened from `identity.age` with the
/// test passphrase (as `age -d` would): receipts are encrypted to it.
fn device_identity(vault: &Vault) -> age::x25519::Identity {
    let bytes = std::fs::read(vault.dir().join("identity.age")).unwrap();
    let decryptor = age::Decryptor::new(&bytes[..]).unwrap();
    let pass = age::scrypt::Identity::new(vault_support::passphrase());
    let mut plain = String::new();
    decryptor
        .decrypt(std::iter::once(&pass as &dyn age::Identity))
        .unwrap()
        .read_to_string(&mut plain)
        .unwrap();
    let line = plain
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .expect("the device key");
    age::x25519::Identity::from_str(line).unwrap()
}

/// The laptop's real device card (`safevisit device-card`), written to a file.
fn card_of(root: &Path, vault: &Vault) -> Card {
    let card = vault.device_card().unwrap();
    let path = root.join(format!("{}.card", card.device_id));
    std::fs::write(&path, card.to_text()).unwrap();
    Card {
        path,
        card,
        identity: device_identity(vault),
    }
}

/// A bundle of `vault`'s finalized visits made by hand and encrypted with
/// the organisation's public key alone: format 1 and unsigned when `key`
/// is `None`, else format 2 signed by `key` (which may be a stranger's).
fn forged(
    root: &Path,
    name: &str,
    vault: &mut Vault,
    org: &age::x25519::Identity,
    key: Option<&SigningKey>,
) -> PathBuf {
    let files = vault.finalized_records(true).unwrap();
    let dev = vault.device();
    let mut m = manifest_of(&dev.id, &dev.name, NOW, &files);
    let sig = match key {
        Some(k) => Some(bundle::sign_manifest(&m, k).unwrap()),
        None => {
            m.version = 1;
            None
        }
    };
    assert!(m.version <= manifest::VERSION);
    let named: Vec<(String, &[u8])> = files
        .iter()
        .map(|f| (record_file(f.sequence), f.ciphertext.as_slice()))
        .collect();
    let bytes = bundle::write(
        Vec::new(),
        &[&org.to_public()],
        &m,
        sig.as_deref(),
        &named,
        0,
    )
    .unwrap();
    let path = root.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn enrol(office: &Path, c: &Card, extra: &[&str]) -> Output {
    let mut args = vec!["supervisor", "enrol", p(&c.path), "--out", p(office)];
    args.extend_from_slice(extra);
    safevisit(&args)
}

fn import_args(office: &Path, key: &Path, extra: &[&str], bundles: &[&Path]) -> Output {
    let mut args = vec!["supervisor", "import", "-i", p(key), "--out", p(office)];
    args.extend_from_slice(extra);
    args.extend(bundles.iter().map(|b| p(b)));
    safevisit(&args)
}

fn text(office: &Path, sql: &str) -> Option<String> {
    let conn = rusqlite::Connection::open(office.join("safevisit.sqlite")).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn the_keygen_file_stays_a_standard_age_identity_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (key, org) = org_key(tmp.path());
    let body = std::fs::read_to_string(&key).unwrap();
    assert!(body.contains(keys::SIGNING_KEY_PREFIX), "{body}");
    assert!(keys::load_signing_key(&key).unwrap().is_some());
    assert_eq!(keys::load_identities(&key).unwrap().len(), 1);
    let has_age = Command::new("age")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_age {
        eprintln!(
            "SKIPPED the age interop half: the standard `age` tool is not installed (apt-get install age)"
        );
        return;
    }
    let y = Command::new("age-keygen")
        .arg("-y")
        .arg(&key)
        .output()
        .unwrap();
    assert!(y.status.success(), "{}", String::from_utf8_lossy(&y.stderr));
    assert_eq!(
        String::from_utf8_lossy(&y.stdout).trim(),
        org.to_public().to_string()
    );
    let plain = tmp.path().join("plain.txt");
    let sealed = tmp.path().join("plain.txt.age");
    std::fs::write(&plain, "Kersenboom: Iris, Ruben, Mila").unwrap();
    let enc = Command::new("age")
        .args([
            "-r",
            &org.to_public().to_string(),
            "-o",
            p(&sealed),
            p(&plain),
        ])
        .output()
        .unwrap();
    assert!(enc.status.success());
    let dec = Command::new("age")
        .args(["-d", "-i", p(&key), p(&sealed)])
        .output()
        .unwrap();
    assert!(
        dec.status.success(),
        "{}",
        String::from_utf8_lossy(&dec.stderr)
    );
    assert_eq!(dec.stdout, b"Kersenboom: Iris, Ruben, Mila");
}

#[test]
fn an_older_key_file_gets_a_signing_key_added_and_keeps_its_age_key() {
    let tmp = tempfile::tempdir().unwrap();
    let org = age::x25519::Identity::generate();
    let key = key_file(tmp.path(), "old-key.txt", &org);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let before = std::fs::read_to_string(&key).unwrap();
    // Signing needs the key: org-card says how to add it.
    let card = safevisit(&["supervisor", "org-card", "-i", p(&key)]);
    assert_eq!(card.status.code(), Some(1));
    assert!(
        stderr(&card).contains("supervisor keygen --add-signing-key"),
        "{}",
        stderr(&card)
    );
    let out = safevisit(&["supervisor", "keygen", "--add-signing-key", p(&key)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after = std::fs::read_to_string(&key).unwrap();
    assert!(after.starts_with(&before));
    assert!(keys::load_signing_key(&key).unwrap().is_some());
    assert_eq!(keys::load_identities(&key).unwrap().len(), 1);
    let again = safevisit(&["supervisor", "keygen", "--add-signing-key", p(&key)]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), after);
}

#[test]
fn the_org_card_names_the_recipients_the_backup_and_the_signing_key() {
    let tmp = tempfile::tempdir().unwrap();
    let (key, org) = org_key(tmp.path());
    let backup = age::x25519::Identity::generate().to_public().to_string();
    let path = tmp.path().join("org.card");
    let out = safevisit(&[
        "supervisor",
        "org-card",
        "-i",
        p(&key),
        "--backup",
        &backup,
        "--name",
        "Jeugdzorg Voorbeeldstad",
        "--out",
        p(&path),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let card = OrgCard::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(stdout(&out).trim(), card.fingerprint());
    assert_eq!(card.organisation, "Jeugdzorg Voorbeeldstad");
    assert_eq!(card.recipients.len(), 1);
    assert_eq!(card.recipients[0].to_string(), org.to_public().to_string());
    assert_eq!(card.backup_recipients[0].to_string(), backup);
    assert_eq!(card.signing_key, org_public(&key));
    // Nothing secret on the card.
    assert!(!std::fs::read_to_string(&path).unwrap().contains("SECRET"));
}

#[test]
fn enrolment_checks_the_fingerprint_and_never_swaps_a_card_silently() {
    let tmp = tempfile::tempdir().unwrap();
    let office = tmp.path().join("kantoor");
    let a = card(tmp.path(), "device-a", "wijkteam-noord-1");
    let devices = |office: &Path| {
        if office.join("safevisit.sqlite").is_file() {
            count(
                office,
                "SELECT count(*) FROM devices WHERE signing_key IS NOT NULL",
            )
        } else {
            0
        }
    };
    // No terminal and no check: a usage error, nothing enrolled.
    let out = enrol(&office, &a, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(devices(&office), 0);
    // A fingerprint read out wrongly: refused.
    let other = card(tmp.path(), "device-a", "wijkteam-noord-1");
    let out = enrol(&office, &a, &["--fingerprint", &other.card.fingerprint()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("does not match"), "{}", stderr(&out));
    assert_eq!(devices(&office), 0);
    // Typed back in lower case without dashes: enrolled.
    let typed = a.card.fingerprint().replace('-', "").to_lowercase();
    let out = enrol(&office, &a, &["--fingerprint", &typed]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains(&a.card.fingerprint()));
    assert_eq!(devices(&office), 1);
    let pinned = text(
        &office,
        "SELECT signing_key FROM devices WHERE device_id = 'device-a'",
    );
    assert_eq!(pinned, Some(a.card.signing_key.to_base64()));
    // The same card again changes nothing.
    let out = enrol(&office, &a, &["--yes"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("nothing changed"), "{}", stdout(&out));
    // Another card for the same device: refused unless --replace.
    let out = enrol(&office, &other, &["--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--replace"), "{}", stderr(&out));
    assert_eq!(
        text(
            &office,
            "SELECT signing_key FROM devices WHERE device_id = 'device-a'"
        ),
        Some(a.card.signing_key.to_base64())
    );
    let out = enrol(&office, &other, &["--yes", "--replace"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        text(
            &office,
            "SELECT signing_key FROM devices WHERE device_id = 'device-a'"
        ),
        Some(other.card.signing_key.to_base64())
    );
    // A damaged card is refused before anything is asked.
    let damaged = tmp.path().join("damaged.card");
    std::fs::write(
        &damaged,
        a.card
            .to_text()
            .replace("wijkteam-noord-1", "wijkteam-noord-9"),
    )
    .unwrap();
    let out = safevisit(&[
        "supervisor",
        "enrol",
        p(&damaged),
        "--out",
        p(&office),
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("fingerprint"), "{}", stderr(&out));
}

#[test]
fn two_enrolled_laptops_land_and_forged_bundles_do_not() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (key, org) = org_key(root);
    let office = root.join("kantoor");
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    let mut b = laptop(&root.join("b"), "device-b", "laptop-7", &[&org]);
    let ca = card_of(root, &a);
    let cb = card_of(root, &b);
    for c in [&ca, &cb] {
        let out = enrol(&office, c, &["--fingerprint", &c.card.fingerprint()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let ids_a = finalize(&mut a, "appelboom", 1, 2, 5);
    finalize(&mut b, "kersenboom", 1, 1, 5);

    // Made with the organisation's public key alone, claiming laptop A:
    // unsigned, or signed by a key of the forger's own.
    let unsigned = forged(root, "vervalst-ongetekend.age", &mut a, &org, None);
    let stranger = SigningKey::generate().unwrap();
    let wrongly = forged(root, "vervalst-getekend.age", &mut a, &org, Some(&stranger));
    // A laptop the office never enrolled, signing its own bundle.
    let mut c = laptop(&root.join("c"), "device-c", "laptop-9", &[&org]);
    finalize(&mut c, "vlinder", 1, 1, 5);
    let unknown = export(&mut c, root);
    let out = import_args(&office, &key, &[], &[&unsigned, &wrongly, &unknown]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "0 new, 0 already imported, 3 rejected, gaps: 0"
    );
    let err = stderr(&out);
    assert!(
        err.contains("vervalst-ongetekend.age: rejected: it is not signed"),
        "{err}"
    );
    assert!(
        err.contains("vervalst-getekend.age: rejected: its signature does not verify against the key pinned when device device-a was enrolled"),
        "{err}"
    );
    let unknown_name = unknown.file_name().unwrap().to_str().unwrap();
    assert!(
        err.contains(&format!(
            "{unknown_name}: rejected: device device-c is not enrolled; enrol the device first with supervisor enrol CARD"
        )),
        "{err}"
    );
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 0);
    // A refused bundle adds no device.
    assert_eq!(count(&office, "SELECT count(*) FROM devices"), 2);
    // The Dutch reason names the enrolment command.
    assert_eq!(
        text(
            &office,
            "SELECT reason_nl FROM bundles WHERE file_name = 'vervalst-ongetekend.age'"
        )
        .map(|r| r.contains("--allow-unsigned")),
        Some(true)
    );
    let nl = text(
        &office,
        &format!("SELECT reason_nl FROM bundles WHERE file_name = '{unknown_name}'"),
    )
    .unwrap();
    assert!(
        nl.contains("schrijf het apparaat eerst in met supervisor enrol KAART"),
        "{nl}"
    );

    // The sound, signed bundles land beside a forged one in the same run.
    let sound_a = export(&mut a, root);
    let sound_b = export(&mut b, root);
    let out = import_args(&office, &key, &[], &[&sound_a, &wrongly, &sound_b]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("3 new, 0 already imported, 1 rejected, gaps: 0"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM bundles WHERE signature = 'verified'"
        ),
        2
    );
    let got: Vec<String> = {
        let conn = rusqlite::Connection::open(office.join("safevisit.sqlite")).unwrap();
        let mut st = conn
            .prepare("SELECT visit_id FROM visits WHERE device_id = 'device-a' ORDER BY sequence")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(got, ids_a);
    // The forged copy of the same visits is no conflict: it never got in.
    assert_eq!(count(&office, "SELECT count(*) FROM conflicts"), 0);
    // Signed bundles are nothing to warn about.
    assert!(!stderr(&out).contains("UNSIGNED"));
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(!summary.contains("UNSIGNED"), "{summary}");
}

#[test]
fn unsigned_bundles_are_taken_only_when_allowed_and_then_named_loudly() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (key, org) = org_key(root);
    let office = root.join("kantoor");
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    let mut b = laptop(&root.join("b"), "device-b", "laptop-7", &[&org]);
    let ca = card_of(root, &a);
    let ids_a = finalize(&mut a, "appelboom", 1, 2, 5);
    let ids_b = finalize(&mut b, "kersenboom", 1, 1, 5);
    // Format-1 bundles, as laptops made them before signing.
    let bundle_a = forged(root, "oud-a.age", &mut a, &org, None);
    let bundle_b = forged(root, "oud-b.age", &mut b, &org, None);
    let signed_unknown = export(&mut b, root);

    let out = import_args(
        &office,
        &key,
        &["--allow-unsigned"],
        &[&bundle_a, &bundle_b, &signed_unknown],
    );
    // The signed bundle of a device not enrolled is still refused.
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("3 new, 0 already imported, 1 rejected"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        stderr(&out).matches("WARNING: UNSIGNED").count(),
        2,
        "{}",
        stderr(&out)
    );
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(
        summary.find("UNSIGNED (2)") < summary.find("ACUTE"),
        "{summary}"
    );
    let section = summary
        .split("UNSIGNED (2)")
        .nth(1)
        .expect("an UNSIGNED section")
        .split("\n\n")
        .next()
        .unwrap();
    for id in ids_a.iter().chain(&ids_b) {
        assert!(section.contains(id.as_str()), "{section}");
    }
    assert!(
        section.contains("oud-a.age") && section.contains("oud-b.age"),
        "{section}"
    );
    // The unknown device got its first name from its bundle.
    assert_eq!(
        text(
            &office,
            "SELECT name FROM devices WHERE device_id = 'device-b'"
        ),
        Some("laptop-7".into())
    );
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM bundles WHERE signature = 'unsigned'"
        ),
        2
    );
    // Once enrolled, a laptop signs: an unsigned bundle that names it is
    // refused even with --allow-unsigned, since anyone with the
    // organisation's public key can write one.
    assert_eq!(enrol(&office, &ca, &["--yes"]).status.code(), Some(0));
    finalize(&mut a, "appelboom", 3, 1, 5);
    let forged_a = forged(root, "vals-a.age", &mut a, &org, None);
    let out = import_args(&office, &key, &["--allow-unsigned"], &[&forged_a]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("device device-a is enrolled (or revoked)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM visits WHERE device_id = 'device-a'"
        ),
        2
    );
    // The JSON list of devices.
    let out = safevisit(&["supervisor", "devices", "--out", p(&office), "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let a_row = list.iter().find(|d| d["device_id"] == "device-a").unwrap();
    assert_eq!(a_row["enrolled"], true);
    assert_eq!(a_row["fingerprint"], ca.card.fingerprint());
    assert_eq!(a_row["visits"], 2);
    let b_row = list.iter().find(|d| d["device_id"] == "device-b").unwrap();
    assert_eq!(b_row["enrolled"], false);
    assert!(b_row["last_bundle"].is_string());
    // The text list says who is not enrolled.
    let out = safevisit(&["supervisor", "devices", "--out", p(&office)]);
    assert!(stdout(&out).contains("NOT enrolled"), "{}", stdout(&out));

    // Enrolled now, laptop B's signed bundle lands; the refusal is made good.
    let cb = card_of(root, &b);
    let out = enrol(&office, &cb, &["--yes"]);
    assert!(
        stdout(&out).contains("knew it from earlier bundles"),
        "{}",
        stdout(&out)
    );
    let out = import_args(&office, &key, &[], &[&signed_unknown]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    let rejected = summary.split("REJECTED").nth(1).unwrap();
    // Only the forged unsigned bundle of the enrolled laptop stays listed.
    assert!(rejected.starts_with(" (1)"), "{rejected}");
    let name = signed_unknown.file_name().unwrap().to_string_lossy();
    let section = rejected.split("\n\n").next().unwrap();
    assert!(!section.contains(name.as_ref()), "{section}");
    assert!(section.contains("vals-a.age"), "{section}");
}

#[test]
fn receipts_list_exactly_the_visits_that_arrived() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (key, org) = org_key(root);
    let org_pub = org_public(&key);
    let office = root.join("kantoor");
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    let mut b = laptop(&root.join("b"), "device-b", "laptop-7", &[&org]);
    let ca = card_of(root, &a);
    let cb = card_of(root, &b);
    assert_eq!(enrol(&office, &ca, &["--yes"]).status.code(), Some(0));
    assert_eq!(enrol(&office, &cb, &["--yes"]).status.code(), Some(0));
    // A backup of laptop A before its first visit (keys included).
    copy_dir(&root.join("a"), &root.join("a-backup"));
    let ids_a = finalize(&mut a, "appelboom", 1, 3, 5);
    let ids_b = finalize(&mut b, "kersenboom", 1, 2, 5);
    let bundle_a = export(&mut a, root);
    let bundle_b = export(&mut b, root);
    let out = import_args(&office, &key, &[], &[&bundle_a, &bundle_b]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .trim()
            .ends_with(", receipts: receipts/device-a-1.age receipts/device-b-1.age"),
        "{}",
        stdout(&out)
    );
    let folder = office.join("receipts");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&folder), 0o700);
    let file = folder.join("device-a-1.age");
    assert_eq!(mode(&file), 0o600);
    let r = receipt::open(&std::fs::read(&file).unwrap(), &ca.identity, &org_pub).unwrap();
    assert_eq!(r.device_id, "device-a");
    assert_eq!(r.number, 1);
    let ledger = |device: &str| -> Vec<(String, u64, String)> {
        let conn = rusqlite::Connection::open(office.join("safevisit.sqlite")).unwrap();
        let mut st = conn
            .prepare(
                "SELECT visit_id, sequence, record_sha256 FROM visits
                 WHERE device_id = ?1 ORDER BY sequence",
            )
            .unwrap();
        st.query_map([device], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    let listed = |r: &receipt::Receipt| -> Vec<(String, u64, String)> {
        r.visits
            .iter()
            .map(|v| (v.id.clone(), v.sequence, v.sha256.clone()))
            .collect()
    };
    assert_eq!(listed(&r), ledger("device-a"));
    assert_eq!(
        r.visits.iter().map(|v| v.id.clone()).collect::<Vec<_>>(),
        ids_a
    );
    let rb = receipt::open(
        &std::fs::read(folder.join("device-b-1.age")).unwrap(),
        &cb.identity,
        &org_pub,
    )
    .unwrap();
    assert_eq!(
        rb.visits.iter().map(|v| v.id.clone()).collect::<Vec<_>>(),
        ids_b
    );
    // Each laptop opens only its own; another organisation key does not verify.
    assert!(receipt::open(&std::fs::read(&file).unwrap(), &cb.identity, &org_pub).is_err());
    let stranger = SigningKey::generate().unwrap();
    assert!(
        receipt::open(
            &std::fs::read(&file).unwrap(),
            &ca.identity,
            stranger.public()
        )
        .is_err()
    );

    // The laptop set up again from an old backup (same keys) finalizes
    // other visits under numbers 1–3 and a new 4th: the three are
    // conflicts and never in a receipt; the 4th is.
    let mut restored = vault_support::reopen(&root.join("a-backup"));
    let other = finalize(&mut restored, "vlinder", 1, 4, 5);
    let bundle_c = export(&mut restored, root);
    let out = import_args(&office, &key, &[], &[&bundle_c]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stdout(&out).contains("conflicts: 3"), "{}", stdout(&out));
    let r2 = receipt::open(
        &std::fs::read(folder.join("device-a-2.age")).unwrap(),
        &ca.identity,
        &org_pub,
    )
    .unwrap();
    assert_eq!(r2.number, 2);
    assert_eq!(
        r2.visits.iter().map(|v| v.id.clone()).collect::<Vec<_>>(),
        vec![other[3].clone()]
    );
    assert!(!folder.join("device-b-2.age").exists());
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM receipts WHERE device_id = 'device-a'"
        ),
        2
    );

    // A lost receipt comes back: the laptop exports everything again; the
    // visits already in the ledger with the same record are in the next one.
    let again = safevisit::export::export_bundle(&mut a, Some(&root.join("opnieuw")), true, NOW)
        .unwrap()
        .path
        .unwrap();
    let out = import_args(&office, &key, &[], &[&again]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r3 = receipt::open(
        &std::fs::read(folder.join("device-a-3.age")).unwrap(),
        &ca.identity,
        &org_pub,
    )
    .unwrap();
    assert_eq!(
        r3.visits.iter().map(|v| v.id.clone()).collect::<Vec<_>>(),
        ids_a
    );

    // The very same bundle file again: nothing is decrypted or added, and
    // the receipt is written again (the next number).
    let out = import_args(&office, &key, &[], &[&bundle_b]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("already imported completely before"));
    assert!(
        stdout(&out).contains("receipts/device-b-2.age"),
        "{}",
        stdout(&out)
    );
    let rb2 = receipt::open(
        &std::fs::read(folder.join("device-b-2.age")).unwrap(),
        &cb.identity,
        &org_pub,
    )
    .unwrap();
    assert_eq!(listed(&rb2), ledger("device-b"));
}

#[test]
fn without_a_signing_key_one_warning_and_no_receipts() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "age-keygen-key.txt", &org);
    let office = root.join("kantoor");
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    let ca = card_of(root, &a);
    assert_eq!(enrol(&office, &ca, &["--yes"]).status.code(), Some(0));
    finalize(&mut a, "appelboom", 1, 2, 5);
    let bundle = export(&mut a, root);
    let out = import_args(&office, &key, &[], &[&bundle]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).matches("no receipts written").count(),
        1,
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--add-signing-key"));
    assert!(!stdout(&out).contains("receipts"));
    assert!(!office.join("receipts").exists());
    assert_eq!(count(&office, "SELECT count(*) FROM receipts"), 0);
}

#[test]
fn a_revoked_laptops_new_bundle_is_refused_and_its_old_visits_stay() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (key, org) = org_key(root);
    let office = root.join("kantoor");
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    let mut b = laptop(&root.join("b"), "device-b", "laptop-7", &[&org]);
    for v in [&a, &b] {
        assert_eq!(
            enrol(&office, &card_of(root, v), &["--yes"]).status.code(),
            Some(0)
        );
    }
    finalize(&mut a, "appelboom", 1, 2, 5);
    let first = export(&mut a, root);
    let out = import_args(&office, &key, &[], &[&first]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Unknown devices cannot be revoked; a bad date is a usage error.
    let out = safevisit(&["supervisor", "revoke", "device-x", "--out", p(&office)]);
    assert_eq!(out.status.code(), Some(1));
    let out = safevisit(&[
        "supervisor",
        "revoke",
        "device-a",
        "--out",
        p(&office),
        "--since",
        "gisteren",
    ]);
    assert_eq!(out.status.code(), Some(2));
    // The laptop was lost on the day the next bundle was made.
    let out = safevisit(&[
        "supervisor",
        "revoke",
        "device-a",
        "--out",
        p(&office),
        "--since",
        &NOW[..10],
        "--reason",
        "laptop kwijt in de trein",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("2 visits in the ledger stay"),
        "{}",
        stdout(&out)
    );

    finalize(&mut a, "appelboom", 3, 1, 5);
    let second = export(&mut a, root);
    finalize(&mut b, "kersenboom", 1, 1, 5);
    let sound = export(&mut b, root);
    // Not even --allow-unsigned lets a revoked laptop in.
    let out = import_args(&office, &key, &["--allow-unsigned"], &[&second, &sound]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("device device-a is revoked since 2025-03-04T00:00:00 and this bundle was made at 2025-03-04T12:00:00"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).starts_with("1 new, 0 already imported, 1 rejected"));
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM visits WHERE device_id = 'device-a'"
        ),
        2
    );
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM visits WHERE device_id = 'device-b'"
        ),
        1
    );
    let out = safevisit(&["supervisor", "devices", "--out", p(&office), "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let a_row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device_id"] == "device-a")
        .unwrap()
        .clone();
    assert_eq!(a_row["revoked_since"], "2025-03-04T00:00:00");
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(
        summary.contains("REVOKED: bundles made from 2025-03-04T00:00:00 on are rejected"),
        "{summary}"
    );
    assert_eq!(a_row["revoke_reason"], "laptop kwijt in de trein");
    assert_eq!(a_row["visits"], 2);
    // A revocation is never moved later.
    let out = safevisit(&[
        "supervisor",
        "revoke",
        "device-a",
        "--out",
        p(&office),
        "--since",
        "2026-01-01",
    ]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_bundle_never_renames_a_device() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (key, org) = org_key(root);
    let office = root.join("kantoor");
    let mut a = laptop(&root.join("a"), "device-a", "wijkteam-noord-1", &[&org]);
    let ca = card_of(root, &a);
    assert_eq!(enrol(&office, &ca, &["--yes"]).status.code(), Some(0));
    finalize(&mut a, "appelboom", 1, 1, 5);
    // A bundle signed by the laptop's own key whose manifest gives another
    // name (the laptop's vault.toml edited, or a forger who has the key).
    let files = a.finalized_records(true).unwrap();
    let m = manifest_of("device-a", "HACKED-NAME", NOW, &files);
    let sig = bundle::sign_manifest(&m, a.signing_key().unwrap()).unwrap();
    let named: Vec<(String, &[u8])> = files
        .iter()
        .map(|f| (record_file(f.sequence), f.ciphertext.as_slice()))
        .collect();
    let path = root.join("andere-naam.age");
    std::fs::write(
        &path,
        bundle::write(Vec::new(), &[&org.to_public()], &m, Some(&sig), &named, 0).unwrap(),
    )
    .unwrap();
    let out = import_args(&office, &key, &[], &[&path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("calls device device-a \"HACKED-NAME\"; that name was not taken over"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        text(
            &office,
            "SELECT name FROM devices WHERE device_id = 'device-a'"
        ),
        Some("wijkteam-noord-1".into())
    );
    let rows = csv_rows(&office);
    assert!(rows[0].contains(",wijkteam-noord-1,"), "{}", rows[0]);
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(!summary.contains("HACKED"), "{summary}");
}

/// A copy of a folder and everything in it.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// `safevisit --lang en ARGS…` on a pseudo-terminal (util-linux `script`),
/// typing `input`.
fn on_terminal(args: &[&str], input: &str) -> Option<Output> {
    let has_script = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("SKIPPED: util-linux `script` is not installed (apt-get install util-linux)");
        return None;
    }
    let mut line = format!("'{}' --lang en", env!("CARGO_BIN_EXE_safevisit"));
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).unwrap();
    Some(child.wait_with_output().unwrap())
}

#[test]
fn on_a_terminal_enrolment_asks_for_the_whole_fingerprint() {
    let tmp = tempfile::tempdir().unwrap();
    let office = tmp.path().join("kantoor");
    let a = card(tmp.path(), "device-a", "wijkteam-noord-1");
    let fp = a.card.fingerprint();
    let first = &fp[..4];
    // The first group alone is not enough: a forger can match 20 bits.
    let wrong = first.to_string();
    let args = ["supervisor", "enrol", p(&a.path), "--out", p(&office)];
    let Some(out) = on_terminal(&args, &format!("{wrong}\n")) else {
        return;
    };
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(shown.contains(&fp), "{shown}");
    assert!(shown.contains("whole fingerprint"), "{shown}");
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("not confirmed"), "{shown}");
    assert!(
        !office.join("safevisit.sqlite").exists()
            || count(&office, "SELECT count(*) FROM devices") == 0
    );
    let typed = fp.replace('-', "").to_lowercase();
    let out = on_terminal(&args, &format!("{typed}\n")).unwrap();
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("Device device-a enrolled"), "{shown}");
    assert_eq!(
        text(
            &office,
            "SELECT fingerprint FROM devices WHERE device_id = 'device-a'"
        ),
        Some(fp)
    );
}
