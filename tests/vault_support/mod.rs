//! Shared helpers for the vault tests, benches and examples: fictional
//! records (the families of the project's test data only), test keys and
//! test vaults with a low scrypt work factor.
#![allow(dead_code)]

use std::path::Path;

use safevisit::i18n::Text;
use safevisit::store::recipients::Recipient;
use safevisit::store::{InitOptions, Vault};
use safevisit::visit::SecretText;
use safevisit::visit::record::{
    AnswerRecord, AnswerValue, CaregiverRecord, ChecklistStamp, ChildRecord, EntryRecord,
    FlagRecord, PersonRecord, SheetRecord, Summary, VisitRecord,
};
use secrecy::SecretString;

/// The passphrase of every test vault (strong enough for the rule).
pub const PASSPHRASE: &str = "kersenboom tuinhek zeventien regenjas";

/// The scrypt work factor of test vaults: fast, and marks them as test vaults.
pub const TEST_LOG_N: u8 = 2;

pub fn passphrase() -> SecretString {
    SecretString::from(PASSPHRASE.to_string())
}

/// An organisation key for tests.
pub fn org_key() -> age::x25519::Identity {
    age::x25519::Identity::generate()
}

pub fn init_options(org: &age::x25519::Identity) -> InitOptions {
    InitOptions {
        recipients: vec![Recipient::from(org.to_public())],
        device_name: "laptop-test".into(),
        passphrase: passphrase(),
        device_id: Some("device-test-1".into()),
        scrypt_log_n: Some(TEST_LOG_N),
    }
}

/// A new test vault in `dir`, unlocked, with its organisation key.
pub fn test_vault(dir: &Path) -> (Vault, age::x25519::Identity) {
    let org = org_key();
    let vault = Vault::init(dir, init_options(&org)).expect("init a test vault");
    (vault, org)
}

/// Open and unlock the vault in `dir`.
pub fn reopen(dir: &Path) -> Vault {
    let mut v = Vault::open(dir).expect("open");
    v.unlock(&passphrase()).expect("unlock");
    v
}

fn stamp() -> ChecklistStamp {
    ChecklistStamp {
        id: "veiligheid".into(),
        version: 1,
        hash: "5f2b8c0d9e1a4b7c6d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c".into(),
    }
}

/// A visit to the Appelboom family with `answers` answers (some of them
/// free text) and `flags` red flags; `n` varies the content.
pub fn record(id: &str, label: &str, answers: usize, flags: usize, n: u64) -> VisitRecord {
    let texts = [
        "Lotte vertelt dat de ruzies over geld de laatste weken vaker voorkomen; Bram is sinds maart zonder werk.",
        "Noor (5) speelt rustig in de kamer; Sem (11) wil even apart praten en vertelt over het geschreeuw 's avonds.",
        "Afgesproken: Lotte belt de schuldhulp, Bram gaat mee naar het eerste gesprek. Evaluatie over twee weken.",
    ];
    let sheet_answers = (0..answers)
        .map(|i| AnswerRecord {
            item: format!("vraag_{i:03}"),
            value: match i % 4 {
                0 => AnswerValue::Choice(
                    if (i as u64 + n).is_multiple_of(2) {
                        "ja"
                    } else {
                        "nee"
                    }
                    .into(),
                ),
                1 => AnswerValue::Number(((i as u64 + n) % 11) as f64),
                2 => AnswerValue::Text(SecretText::new(format!(
                    "{} (versie {n})",
                    texts[i % texts.len()]
                ))),
                _ => AnswerValue::Multi(vec!["schulden".into(), "werkloosheid".into()]),
            },
        })
        .collect();
    VisitRecord {
        case_id: id.into(),
        follow_up: None,
        read_back_at: None,
        case_keeps: Vec::new(),
        id: id.into(),
        label: label.into(),
        date: "2025-03-04".into(),
        place: "thuis, woonkamer".into(),
        present: "Lotte, Bram, Noor, Sem".into(),
        children: vec![
            ChildRecord {
                id: 1,
                alias: "Noor".into(),
                age: 5,
            },
            ChildRecord {
                id: 2,
                alias: "Sem".into(),
                age: 11,
            },
        ],
        caregivers: vec![
            CaregiverRecord {
                id: 1,
                alias: "Lotte".into(),
                role: "moeder".into(),
            },
            CaregiverRecord {
                id: 2,
                alias: "Bram".into(),
                role: "vader".into(),
            },
        ],
        sheets: vec![SheetRecord {
            checklist: stamp(),
            person: PersonRecord::Visit,
            answers: sheet_answers,
            entries: vec![EntryRecord {
                previous: None,
                section: "plan".into(),
                answers: vec![AnswerRecord {
                    item: "plan_wie".into(),
                    value: AnswerValue::Text(SecretText::new("Lotte")),
                }],
                person: None,
            }],
            status: "afgenomen".into(),
            status_reason: SecretText::default(),
            earlier: Vec::new(),
        }],
        flags: (0..flags)
            .map(|i| FlagRecord {
                checklist: "veiligheid".into(),
                person: PersonRecord::Visit,
                flag: format!("vlag_{i}"),
                item: Some("acuut_geweld".into()),
                entry: None,
                level: if i == 0 { "acute" } else { "structural" }.into(),
                message: Text::new(
                    "Acuut gevaar voor ernstig geweld.",
                    "Acute danger of serious violence.",
                ),
                advice: Text::new(
                    "Bel 112 bij direct gevaar.",
                    "Call 112 in immediate danger.",
                ),
                raised_at: "2025-03-04T10:12:00".into(),
                acknowledged_at: None,
                action_taken: SecretText::new(""),
                state: "active".into(),
                state_at: None,
                withdrawn_reason: SecretText::default(),
            })
            .collect(),
        cursor: None,
        created_at: "2025-03-04T10:00:00".into(),
        updated_at: format!("2025-03-04T10:{:02}:00", n % 60),
        orphans: vec![],
        pending: vec![],
        finalized: None,
        removed: vec![],
    }
}

/// A small record.
pub fn small(id: &str, n: u64) -> VisitRecord {
    record(id, "Appelboom", 6, 1, n)
}

pub fn summary() -> Summary {
    Summary::default()
}

/// Every file and folder under `dir`, recursively.
pub fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    walk_skipping(dir, &|_| false)
}

/// Every path below `dir`, without descending into the folders for which
/// `skip` says so.
pub fn walk_skipping(dir: &Path, skip: &dyn Fn(&Path) -> bool) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                if skip(&p) {
                    continue;
                }
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out
}
