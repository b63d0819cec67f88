//! The office benchmark's fixture: ten bundles of 1,000 finalized visits of
//! about 300 answers each (10,000 records), an organisation key, and 200
//! of the records as separate files for the `age -d` loop — built once and
//! kept under `target/`.
//!
//! The bundles are made with the export's own writer and manifest
//! (`export::bundle::write`, `export::manifest_of`), from records encrypted
//! exactly as a vault encrypts finalized visits; going through 10,000 vault
//! finalizes would only make the fixture slower to build.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use safevisit::export::bundle;
use safevisit::export::manifest::record_file;
use safevisit::export::manifest_of;
use safevisit::i18n::Text;
use safevisit::store::FinalizedFile;
use safevisit::store::envelope::{encode_record, encrypt};
use safevisit::visit::record::{
    ChecklistStamp, FinalRecord, OutcomeRecord, PersonRecord, ScoreRecord, Summary,
};
use secrecy::ExposeSecret;
use sha2::Digest;

#[path = "../../tests/vault_support/mod.rs"]
pub mod common;

pub const BUNDLES: usize = 10;
pub const PER_BUNDLE: usize = 1_000;
pub const ANSWERS: usize = 300;
/// Records given to the `age -d` loop.
pub const LOOP_RECORDS: usize = 200;

pub struct Fixture {
    pub dir: PathBuf,
    pub bundles: Vec<PathBuf>,
    /// The organisation's identity file, with its signing key (receipts).
    pub key_file: PathBuf,
    pub records_dir: PathBuf,
    /// The benchmark laptop's device card, enrolled before each import.
    pub card: PathBuf,
}

fn dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("office-bench-10k-v3")
}

fn fixture_at(dir: &Path) -> Fixture {
    Fixture {
        dir: dir.to_path_buf(),
        bundles: (0..BUNDLES)
            .map(|b| dir.join(format!("bundle-{b:02}.age")))
            .collect(),
        key_file: dir.join("org-key.txt"),
        records_dir: dir.join("records"),
        card: dir.join("device.card"),
    }
}

/// What the derivation says about a visit to the Appelboom family: scores
/// and outcomes for the visit and for each of the two children.
pub fn summary() -> Summary {
    let score = |checklist: &str, person, score: &str, value, band: &str| ScoreRecord {
        checklist: checklist.into(),
        person,
        score: score.into(),
        title: Text::new("Score", "Score"),
        value,
        band: Some(band.into()),
        band_label: Some(Text::new(band, band)),
        answered: 10,
        visible: 10,
    };
    let outcome = |checklist: &str, person, outcome: &str, value: &str| OutcomeRecord {
        checklist: checklist.into(),
        person,
        outcome: outcome.into(),
        title: Text::new("Uitkomst", "Outcome"),
        value: Some(value.into()),
        label: Some(Text::new(value, value)),
    };
    let (v, c1, c2) = (
        PersonRecord::Visit,
        PersonRecord::Child(1),
        PersonRecord::Child(2),
    );
    Summary {
        scores: vec![
            score("veiligheid", v, "zorgen_nu", 1, "zorg"),
            score("veiligheid", v, "risico", 4, "midden"),
            score("trauma-kind", c1, "gebeurtenissen", 1, "enkele"),
            score("trauma-kind", c1, "reacties", 6, "laag"),
            score("trauma-kind", c2, "gebeurtenissen", 3, "meerdere"),
            score("trauma-kind", c2, "reacties", 24, "hoog"),
            score("gezinsanalyse", v, "stress", 5, "veel"),
            score("gezinsanalyse", v, "stapeling", 4, "stapeling"),
        ],
        outcomes: vec![
            outcome("veiligheid", v, "veilig_nu", "veilig"),
            outcome("veiligheid", v, "oordeel", "structureel"),
            outcome("veiligheid", v, "afweging", "hulp"),
            outcome("trauma-kind", c1, "verwijzing", "geen_aanwijzing"),
            outcome("trauma-kind", c2, "verwijzing", "verwijzen"),
            outcome("gezinsanalyse", v, "analyse", "stress"),
            outcome("hulp-en-regie", v, "hulp", "wacht"),
            outcome("hulp-en-regie", v, "regie", "geregeld"),
        ],
        missing_required: 1,
    }
}

/// A visit id as the vault makes them (a UUID v4), but reproducible: the
/// ledger's indexes see ids in random order, as at a real office.
pub fn visit_id(seq: u64) -> String {
    let mut x = seq.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let (a, b) = (next(), next());
    let bytes: Vec<u8> = a.to_le_bytes().into_iter().chain(b.to_le_bytes()).collect();
    let mut u = [0u8; 16];
    u.copy_from_slice(&bytes);
    u[6] = (u[6] & 0x0f) | 0x40;
    u[8] = (u[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(u).to_string()
}

/// The fixture, built if missing (takes a few seconds once).
pub fn fixture() -> Fixture {
    let dir = dir();
    let f = fixture_at(&dir);
    if dir.join("done").exists() {
        return f;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&f.records_dir).expect("fixture folder");
    let org = age::x25519::Identity::generate();
    let org_signing = safevisit::signing::SigningKey::generate().expect("signing key");
    std::fs::write(
        &f.key_file,
        format!(
            "# created: 2025-03-04T12:00:00+01:00\n# public key: {}\n{}\n{}",
            org.to_public(),
            org.to_string().expose_secret(),
            safevisit::supervisor::keys::signing_key_line(&org_signing).as_str()
        ),
    )
    .expect("key file");
    let recipient = org.to_public();
    // The benchmark's laptop signs its bundles like a real one, and is
    // enrolled by its card (receipts are encrypted to its own recipient).
    let signing_key = safevisit::signing::SigningKey::generate().expect("signing key");
    let card = safevisit::cards::DeviceCard {
        device_id: "device-bench".into(),
        device_name: "laptop-bench".into(),
        recipient: age::x25519::Identity::generate().to_public().into(),
        signing_key: signing_key.public().clone(),
    };
    std::fs::write(&f.card, card.to_text()).expect("device card");
    for (b, path) in f.bundles.iter().enumerate() {
        let files: Vec<FinalizedFile> = (0..PER_BUNDLE)
            .into_par_iter()
            .map(|i| {
                let seq = (b * PER_BUNDLE + i + 1) as u64;
                let id = visit_id(seq);
                let mut rec = common::record(
                    &id,
                    &format!("Appelboom {seq}"),
                    ANSWERS,
                    (seq % 3) as usize,
                    seq,
                );
                rec.finalized = Some(FinalRecord {
                    sequence: seq,
                    finalized_at: "2025-03-04T11:00:00".into(),
                    device_id: "device-bench".into(),
                    device_name: "laptop-bench".into(),
                    summary: summary(),
                });
                let ct =
                    encrypt(&encode_record(&rec).expect("encode"), &[&recipient]).expect("encrypt");
                let sha: String = sha2::Sha256::digest(&ct)
                    .iter()
                    .map(|x| format!("{x:02x}"))
                    .collect();
                FinalizedFile {
                    case_id: id.clone(),
                    follows: None,
                    visit_id: id,
                    sequence: seq,
                    path: PathBuf::new(),
                    file_name: String::new(),
                    ciphertext: ct,
                    sha256: sha,
                    checklists: vec![ChecklistStamp {
                        id: "veiligheid".into(),
                        version: 1,
                        hash: "5f".repeat(32),
                    }],
                    finalized_at: "2025-03-04T11:00:00".into(),
                    exported: false,
                }
            })
            .collect();
        if b == 0 {
            for f2 in files.iter().take(LOOP_RECORDS) {
                std::fs::write(
                    f.records_dir.join(format!("{:05}.age", f2.sequence)),
                    &f2.ciphertext,
                )
                .expect("record file");
            }
        }
        let manifest = manifest_of(
            "device-bench",
            "laptop-bench",
            "2025-03-04T12:00:00",
            &files,
        );
        let named: Vec<(String, &[u8])> = files
            .iter()
            .map(|x| (record_file(x.sequence), x.ciphertext.as_slice()))
            .collect();
        let out = std::io::BufWriter::new(std::fs::File::create(path).expect("bundle file"));
        let sig = bundle::sign_manifest(&manifest, &signing_key).expect("sign");
        bundle::write(out, &[&recipient], &manifest, Some(&sig), &named, 0).expect("bundle");
    }
    std::fs::write(dir.join("done"), b"").expect("mark done");
    f
}

/// The organisation identity of the fixture.
pub fn identities(f: &Fixture) -> Vec<safevisit::supervisor::Identity> {
    safevisit::supervisor::keys::load_identities(&f.key_file).expect("key")
}
