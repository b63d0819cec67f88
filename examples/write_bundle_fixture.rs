//! Write the golden bundle of the CURRENT bundle format version into a
//! folder (normally `tests/fixtures/`): `bundle-vN.age`, a bundle of the
//! fixture record `record-v1.age` encrypted to `test-org-key.txt`, and
//! `bundle-vN.tar`, its plaintext. From format 2 on the manifest is signed
//! by a new test device key, whose public card and minisign `.pub` file are
//! written beside it (`bundle-vN-device.card`, `bundle-vN-device.pub`; the
//! secret key is thrown away: the fixture only has to verify). Never
//! overwrites (fixtures of earlier versions are promises). See
//! docs/FORMATS.md, "Bundles".
//!
//! ```text
//! cargo run --example write_bundle_fixture -- tests/fixtures
//! ```

use std::path::{Path, PathBuf};

use safevisit::cards::DeviceCard;
use safevisit::export::manifest::{self, Device, Manifest, ManifestChecklist, ManifestVisit};
use safevisit::export::{bundle, tar};
use safevisit::signing::SigningKey;
use safevisit::store::envelope::decode_record;
use safevisit::store::recipients::Recipient;
use sha2::Digest;

fn refuse_existing(p: &Path) {
    if p.exists() {
        eprintln!("{} exists; fixtures are never overwritten", p.display());
        std::process::exit(1);
    }
}

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "tests/fixtures".into()),
    );
    let version = manifest::VERSION;
    let age_path = dir.join(format!("bundle-v{version}.age"));
    let tar_path = dir.join(format!("bundle-v{version}.tar"));
    let card_path = dir.join(format!("bundle-v{version}-device.card"));
    let pub_path = dir.join(format!("bundle-v{version}-device.pub"));
    refuse_existing(&age_path);
    refuse_existing(&tar_path);
    refuse_existing(&card_path);
    refuse_existing(&pub_path);

    let key_text = std::fs::read_to_string(dir.join("test-org-key.txt")).expect("test-org-key.txt");
    let key: age::x25519::Identity = key_text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .expect("a key line")
        .parse()
        .expect("a key");
    let record = std::fs::read(dir.join("record-v1.age")).expect("record-v1.age");
    let plain = std::fs::read(dir.join("record-v1.bin")).expect("record-v1.bin");
    let rec = decode_record(&plain).expect("the fixture record");
    let fin = rec.finalized.as_ref().expect("a finalized record");
    let mut checklists: Vec<ManifestChecklist> = Vec::new();
    for s in &rec.sheets {
        let c = ManifestChecklist::from(&s.checklist);
        if !checklists.contains(&c) {
            checklists.push(c);
        }
    }
    let m = Manifest {
        format: manifest::FORMAT.into(),
        version,
        device: Device {
            id: fin.device_id.clone(),
            name: fin.device_name.clone(),
        },
        created_at: "2025-03-04T12:00:00".into(),
        visits: vec![ManifestVisit {
            id: rec.id.clone(),
            sequence: fin.sequence,
            file: manifest::record_file(fin.sequence),
            size: record.len() as u64,
            sha256: sha2::Sha256::digest(&record)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            finalized_at: fin.finalized_at.clone(),
            checklists,
            case_id: (version >= 3).then(|| rec.case_id.clone()),
            follows: (version >= 3)
                .then(|| rec.follow_up.as_ref().map(|f| f.follows.clone()))
                .flatten(),
        }],
        closed_cases: Vec::new(),
    };
    let device_key = SigningKey::generate().expect("a signing key");
    let card = DeviceCard {
        device_id: m.device.id.clone(),
        device_name: m.device.name.clone(),
        recipient: Recipient::from(age::x25519::Identity::generate().to_public()),
        signing_key: device_key.public().clone(),
    };
    let signature = bundle::sign_manifest(&m, &device_key).expect("sign");
    // 2025-03-04T12:00:00 as seconds since 1970 (the tar entries' time).
    let mtime = 1_741_089_600;
    let mut plain_tar = ::tar::Builder::new(Vec::new());
    tar::append(&mut plain_tar, manifest::NAME, &m.to_json(), mtime).expect("tar");
    tar::append(
        &mut plain_tar,
        manifest::SIGNATURE_NAME,
        signature.as_bytes(),
        mtime,
    )
    .expect("tar");
    tar::append(&mut plain_tar, &m.visits[0].file, &record, mtime).expect("tar");
    let plain_tar = plain_tar.into_inner().expect("tar");
    let files = vec![(m.visits[0].file.clone(), record.as_slice())];
    let sealed = bundle::write(
        Vec::new(),
        &[&key.to_public()],
        &m,
        Some(&signature),
        &files,
        mtime,
    )
    .expect("bundle");
    std::fs::write(&card_path, card.to_text()).expect("write");
    println!("wrote {}", card_path.display());
    std::fs::write(&pub_path, card.signing_key.to_minisign_file()).expect("write");
    println!("wrote {}", pub_path.display());
    std::fs::write(&tar_path, &plain_tar).expect("write");
    println!("wrote {}", tar_path.display());
    std::fs::write(&age_path, &sealed).expect("write");
    println!("wrote {}", age_path.display());
}
