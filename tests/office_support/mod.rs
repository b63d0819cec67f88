//! Shared helpers for the export and office tests: laptops (test vaults)
//! with finalized visits of the fictional families, bundles, key files,
//! and running `safevisit supervisor import` as the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use safevisit::cards::DeviceCard;
use safevisit::export::{bundle, export_bundle};
use safevisit::i18n::Text;
use safevisit::store::recipients::Recipient;
use safevisit::store::{InitOptions, Vault};
use safevisit::supervisor::{Identity, Office, devices, keys};
use safevisit::visit::record::{OutcomeRecord, PersonRecord, ScoreRecord, Summary};
use secrecy::ExposeSecret;

use crate::vault_support as common;

pub mod pg;

pub const NOW: &str = "2025-03-04T12:00:00";

/// The standard `age` tool, or a failure that says how to install it.
pub fn require_age() {
    for (tool, arg) in [("age", "--version"), ("age-keygen", "--version")] {
        let ok = Command::new(tool)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "this test needs the standard `{tool}` tool, which is not installed. \
             Install it (Debian/Ubuntu: `apt-get install age`); CI installs it."
        );
    }
}

/// A laptop: a test vault in `dir` for device `device_id`, encrypting
/// finalized visits to `org` (and any `more` recipients).
pub fn laptop(
    dir: &Path,
    device_id: &str,
    device_name: &str,
    org: &[&age::x25519::Identity],
) -> Vault {
    let vault = Vault::init(
        dir,
        InitOptions {
            recipients: org.iter().map(|k| Recipient::from(k.to_public())).collect(),
            device_name: device_name.into(),
            passphrase: common::passphrase(),
            device_id: Some(device_id.into()),
            scrypt_log_n: Some(common::TEST_LOG_N),
        },
    )
    .expect("init a test vault");
    remember_card(&vault);
    vault
}

/// Every device card of the laptops made in this test process.
static CARDS: std::sync::Mutex<Vec<DeviceCard>> = std::sync::Mutex::new(Vec::new());

/// Remember `vault`'s device card, for [`enrol_signers`].
pub fn remember_card(vault: &Vault) {
    let card = vault.device_card().expect("the laptop's device card");
    CARDS.lock().unwrap_or_else(|e| e.into_inner()).push(card);
}

/// Enrol at `office` the laptop that signed each of `bundles` (a card
/// remembered by [`laptop`] whose key verifies the bundle's manifest), as
/// an office does before it imports, through the library as `supervisor
/// enrol --yes` does. A bundle that does not open, is unsigned or has no
/// such card is left for the import to judge; a device already enrolled
/// with another card stays as it is.
pub fn enrol_signers(office: &Path, keys: &[&Path], bundles: &[&Path]) {
    let ids: Vec<Identity> = keys
        .iter()
        .filter_map(|k| keys::load_identities(k).ok())
        .flatten()
        .collect();
    let refs: Vec<&dyn age::Identity> = ids
        .iter()
        .map(|i| i.as_ref() as &dyn age::Identity)
        .collect();
    for b in bundles {
        let Ok(file) = std::fs::File::open(b) else {
            continue;
        };
        let Ok(opened) = bundle::open(std::io::BufReader::new(file), &refs) else {
            continue;
        };
        let card = CARDS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|c| {
                c.device_id == opened.manifest.device.id && opened.verify(&c.signing_key).is_ok()
            })
            .cloned();
        if let Some(card) = card {
            let office = Office::open(office).expect("open the office");
            let _ = devices::enrol(office.ledger(), &card, NOW, false);
        }
    }
}

/// What the derivation said about a visit to the Appelboom family: a
/// structural safety verdict, Sem (child 2) referred for a trauma
/// assessment, the help waiting.
pub fn summary() -> Summary {
    let outcome = |checklist: &str, person, outcome: &str, value: &str| OutcomeRecord {
        checklist: checklist.into(),
        person,
        outcome: outcome.into(),
        title: Text::new("titel", "title"),
        value: Some(value.into()),
        label: Some(Text::new(value, value)),
    };
    Summary {
        scores: vec![
            ScoreRecord {
                checklist: "veiligheid".into(),
                person: PersonRecord::Visit,
                score: "risico".into(),
                title: Text::new("Risico op herhaling", "Risk of recurrence"),
                value: 4,
                band: Some("midden".into()),
                band_label: Some(Text::new("Midden", "Medium")),
                answered: 12,
                visible: 12,
            },
            ScoreRecord {
                checklist: "trauma-kind".into(),
                person: PersonRecord::Child(1),
                score: "reacties".into(),
                title: Text::new("Reacties", "Reactions"),
                value: 6,
                band: Some("laag".into()),
                band_label: None,
                answered: 20,
                visible: 20,
            },
            ScoreRecord {
                checklist: "trauma-kind".into(),
                person: PersonRecord::Child(2),
                score: "reacties".into(),
                title: Text::new("Reacties", "Reactions"),
                value: 24,
                band: Some("hoog".into()),
                band_label: None,
                answered: 20,
                visible: 20,
            },
        ],
        outcomes: vec![
            outcome("veiligheid", PersonRecord::Visit, "oordeel", "structureel"),
            outcome(
                "trauma-kind",
                PersonRecord::Child(1),
                "verwijzing",
                "geen_aanwijzing",
            ),
            outcome(
                "trauma-kind",
                PersonRecord::Child(2),
                "verwijzing",
                "verwijzen",
            ),
            outcome("hulp-en-regie", PersonRecord::Visit, "hulp", "wacht"),
        ],
        missing_required: 2,
    }
}

/// Finalize `n` visits (numbered from `from`) with `answers` answers each;
/// their ids are `PREFIX-NNNNN`.
pub fn finalize(vault: &mut Vault, prefix: &str, from: u64, n: u64, answers: usize) -> Vec<String> {
    (from..from + n)
        .map(|i| {
            let id = format!("{prefix}-{i:05}");
            let rec = common::record(&id, &format!("Appelboom {i}"), answers, (i % 3) as usize, i);
            vault.finalize(rec, summary(), NOW).expect("finalize");
            id
        })
        .collect()
}

/// Export into `folder` (the default name); the bundle's path.
pub fn export(vault: &mut Vault, folder: &Path) -> PathBuf {
    export_bundle(vault, Some(folder), false, NOW)
        .expect("export")
        .path
        .expect("something to export")
}

/// An identity file holding `key`, as `age-keygen` writes it.
pub fn key_file(dir: &Path, name: &str, key: &age::x25519::Identity) -> PathBuf {
    let path = dir.join(name);
    let text = format!(
        "# created: 2025-03-04T12:00:00+01:00\n# public key: {}\n{}\n",
        key.to_public(),
        key.to_string().expose_secret()
    );
    std::fs::write(&path, text).expect("write key file");
    path
}

/// `safevisit supervisor import --allow-unsigned -i KEY… --out OFFICE
/// BUNDLE…`, in English, after enrolling the laptops that signed the
/// bundles ([`enrol_signers`]). `--allow-unsigned` lets hand-made format-1
/// bundles in; enrolment, signatures and their refusals have tests of
/// their own (tests/office_trust.rs).
pub fn import(office: &Path, keys: &[&Path], bundles: &[&Path]) -> Output {
    enrol_signers(office, keys, bundles);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_safevisit"));
    cmd.args([
        "--lang",
        "en",
        "supervisor",
        "import",
        "--allow-unsigned",
        "--out",
    ])
    .arg(office);
    for k in keys {
        cmd.arg("-i").arg(k);
    }
    cmd.args(bundles);
    cmd.output().expect("run safevisit")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A number from the ledger.
pub fn count(office: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(office.join("safevisit.sqlite")).expect("open ledger");
    conn.query_row(sql, [], |r| r.get(0)).expect("query")
}

/// The JSON files in `office/visits`.
pub fn json_files(office: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(office.join("visits"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The data rows of `office/visits.csv` (without the header).
pub fn csv_rows(office: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(office.join("visits.csv")).expect("visits.csv");
    text.split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A copy of a folder and everything in it.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
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
