//! Write the golden fixtures of the CURRENT format versions into a folder
//! (normally `tests/fixtures/`). Never overwrites: fixtures of earlier
//! versions are promises and stay as they are. See
//! `tests/fixtures/README.md` for when and how to run this.
//!
//! ```text
//! cargo run --example write_fixtures -- tests/fixtures
//! ```

use std::path::{Path, PathBuf};
use std::str::FromStr;

use safevisit::i18n::Text;
use safevisit::store::envelope::{
    self, INDEX, RECORD_VERSION, STUB, encode, encrypt, index_config, record_config,
};
use safevisit::store::index::{Arrived, IndexEntry, IndexFile, Stub};
use safevisit::store::recipients::Recipient;
use safevisit::store::{InitOptions, Vault};
use safevisit::visit::SecretText;
use safevisit::visit::record::*;
use secrecy::SecretString;

#[path = "../tests/vault_support/mod.rs"]
mod common;

/// Whether `p` exists (and is kept: fixtures are never overwritten).
fn kept(p: &Path) -> bool {
    if p.exists() {
        println!("kept {} (fixtures are never overwritten)", p.display());
        return true;
    }
    false
}

fn write(p: PathBuf, bytes: &[u8]) {
    if kept(&p) {
        return;
    }
    std::fs::write(&p, bytes).expect("write fixture");
    println!("wrote {}", p.display());
}

/// The fixture visit: the Kersenboom family (fictional), every kind of
/// answer, a repeated section, an acknowledged acute flag, an orphan, a
/// cursor, and a finalized summary.
pub fn fixture_record() -> VisitRecord {
    let stamp = ChecklistStamp {
        id: "veiligheid".into(),
        version: 1,
        hash: "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8".into(),
    };
    let trauma = ChecklistStamp {
        id: "trauma-kind".into(),
        version: 2,
        hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
    };
    VisitRecord {
        id: "fixture-kersenboom-1".into(),
        label: "Kersenboom".into(),
        date: "2025-03-04".into(),
        place: "thuis".into(),
        present: "Iris, Ruben, Mila".into(),
        children: vec![
            ChildRecord {
                id: 1,
                alias: "Mila".into(),
                age: 2,
            },
            // Removed during the visit (see `removed`); stays on the roster.
            ChildRecord {
                id: 3,
                alias: "Daan".into(),
                age: 9,
            },
        ],
        caregivers: vec![
            CaregiverRecord {
                id: 1,
                alias: "Iris".into(),
                role: "moeder".into(),
            },
            CaregiverRecord {
                id: 2,
                alias: "Ruben".into(),
                role: "vader".into(),
            },
        ],
        sheets: vec![
            SheetRecord {
                checklist: stamp.clone(),
                person: PersonRecord::Visit,
                answers: vec![
                    AnswerRecord {
                        item: "acuut_geweld".into(),
                        value: AnswerValue::Choice("ja".into()),
                    },
                    AnswerRecord {
                        item: "zorgen".into(),
                        value: AnswerValue::Multi(vec!["schulden".into(), "ruzie".into()]),
                    },
                    AnswerRecord {
                        item: "veiligheid_nu".into(),
                        value: AnswerValue::Number(4.0),
                    },
                    AnswerRecord {
                        item: "toelichting".into(),
                        value: AnswerValue::Text(SecretText::new(
                            "Iris vertelt over een ruzie gisteravond; Mila sliep. Ruben is het er niet mee eens.",
                        )),
                    },
                    AnswerRecord {
                        item: "evaluatie".into(),
                        value: AnswerValue::Date("2025-03-18".into()),
                    },
                ],
                entries: vec![
                    EntryRecord {
                        section: "plan".into(),
                        answers: vec![
                            AnswerRecord {
                                item: "plan_wie".into(),
                                value: AnswerValue::Text(SecretText::new("Ruben")),
                            },
                            AnswerRecord {
                                item: "plan_wat".into(),
                                value: AnswerValue::Text(SecretText::new(
                                    "slaapt een week bij zijn broer",
                                )),
                            },
                        ],
                        person: None,
                        previous: None,
                    },
                    // Since version 3: an entry made from the roster names its person.
                    EntryRecord {
                        section: "kinderen".into(),
                        answers: vec![AnswerRecord {
                            item: "kc_gezien".into(),
                            value: AnswerValue::Choice("ja".into()),
                        }],
                        person: Some(PersonRecord::Child(1)),
                        previous: None,
                    },
                    // Since version 4: an entry made from the visit it follows.
                    EntryRecord {
                        section: "vorige_afspraken".into(),
                        answers: vec![AnswerRecord {
                            item: "va_nagekomen".into(),
                            value: AnswerValue::Choice("deels".into()),
                        }],
                        person: None,
                        previous: Some(PreviousRef {
                            kind: PreviousKind::Agreement,
                            index: 0,
                        }),
                    },
                ],
                status: "afgenomen".into(),
                status_reason: SecretText::default(),
                earlier: vec![],
            },
            SheetRecord {
                checklist: trauma,
                person: PersonRecord::Child(1),
                answers: vec![
                    AnswerRecord {
                        item: "slaapt_slecht".into(),
                        value: AnswerValue::Number(2.0),
                    },
                    AnswerRecord {
                        item: "schrikt".into(),
                        value: AnswerValue::Choice("soms".into()),
                    },
                ],
                entries: vec![],
                status: "afgenomen".into(),
                status_reason: SecretText::default(),
                // Since version 5: the draft was started on version 1 of
                // trauma-kind and continued on version 2; `slaapt_slecht`
                // was answered under version 1, `schrikt` under version 2.
                earlier: vec![EarlierVersion {
                    version: 1,
                    hash: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752".into(),
                    items: vec!["slaapt_slecht".into()],
                }],
            },
            // Since version 3: a sheet that was not taken says why.
            SheetRecord {
                checklist: ChecklistStamp {
                    id: "trauma-ouder".into(),
                    version: 1,
                    hash: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae".into(),
                },
                person: PersonRecord::Caregiver(2),
                answers: vec![],
                entries: vec![],
                status: "bewust_niet".into(),
                status_reason: SecretText::new("Iris is bang voor Ruben; niet gevraagd"),
                earlier: vec![],
            },
        ],
        flags: vec![
            FlagRecord {
                checklist: "veiligheid".into(),
                person: PersonRecord::Visit,
                flag: "acuut_geweld".into(),
                item: Some("acuut_geweld".into()),
                entry: None,
                level: "acute".into(),
                message: Text::new(
                    "Acuut gevaar voor ernstig geweld.",
                    "Acute danger of serious violence.",
                ),
                advice: Text::new(
                    "Bel 112 bij direct gevaar.",
                    "Call 112 in immediate danger.",
                ),
                raised_at: "2025-03-04T10:12:00".into(),
                acknowledged_at: Some("2025-03-04T10:13:30".into()),
                action_taken: SecretText::new("Overlegd met Veilig Thuis; afspraak gemaakt."),
                state: "active".into(),
                state_at: None,
                withdrawn_reason: SecretText::default(),
            },
            // Since version 2: a flag the worker withdrew as a mistake.
            FlagRecord {
                checklist: "veiligheid".into(),
                person: PersonRecord::Visit,
                flag: "wapen".into(),
                item: Some("wapen".into()),
                entry: None,
                level: "acute".into(),
                message: Text::new("Dreiging met een wapen.", "Threat with a weapon."),
                advice: Text::new("Bel 112.", "Call 112."),
                raised_at: "2025-03-04T10:14:00".into(),
                acknowledged_at: None,
                action_taken: SecretText::default(),
                state: "withdrawn".into(),
                state_at: Some("2025-03-04T10:14:20".into()),
                withdrawn_reason: SecretText::new("Vergissing: verkeerde toets."),
            },
        ],
        cursor: Some(CursorRecord {
            checklist: "veiligheid".into(),
            person: PersonRecord::Visit,
            item: "toelichting".into(),
            entry: None,
        }),
        created_at: "2025-03-04T10:00:00".into(),
        updated_at: "2025-03-04T10:40:00".into(),
        orphans: vec![OrphanRecord {
            checklist: "veiligheid".into(),
            person: PersonRecord::Visit,
            item: "oude_vraag".into(),
            value: AnswerValue::Choice("nee".into()),
        }],
        // Since version 2: text typed at an item that is not (yet) its answer.
        pending: vec![PendingRecord {
            checklist: "veiligheid".into(),
            person: PersonRecord::Visit,
            item: "evaluatie".into(),
            entry: None,
            text: SecretText::new("18-3-2025"),
        }],
        // Since version 3: someone taken off the roster during the visit.
        removed: vec![RemovedRecord {
            person: PersonRecord::Child(3),
            reason: SecretText::new("bij vergissing ingevoerd"),
            at: "2025-03-04T10:20:00".into(),
        }],
        finalized: Some(FinalRecord {
            sequence: 1,
            finalized_at: "2025-03-04T11:00:00".into(),
            device_id: "fixture-device".into(),
            device_name: "laptop-fixture".into(),
            summary: Summary {
                scores: vec![ScoreRecord {
                    checklist: "veiligheid".into(),
                    person: PersonRecord::Visit,
                    score: "risico".into(),
                    title: Text::new("Risico", "Risk"),
                    value: 7,
                    band: Some("hoog".into()),
                    band_label: Some(Text::new("hoog", "high")),
                    answered: 5,
                    visible: 6,
                }],
                outcomes: vec![OutcomeRecord {
                    checklist: "veiligheid".into(),
                    person: PersonRecord::Visit,
                    outcome: "oordeel".into(),
                    title: Text::new("Veiligheid nu", "Safety now"),
                    value: Some("onveilig".into()),
                    label: Some(Text::new("onveilig", "unsafe")),
                }],
                missing_required: 1,
            },
        }),
        // Since version 4: the case, what the visit it follows left, the
        // read-back, and the items the case card keeps.
        case_id: "case-kersenboom".into(),
        follow_up: Some(FollowUpRecord {
            follows: "fixture-kersenboom-0".into(),
            previous_date: "2025-02-04".into(),
            agreements: vec![AgreementRecord {
                who: SecretText::new("Ruben"),
                what: SecretText::new("gaat naar het huisartsgesprek over drinken"),
                by_when: Some("2025-02-20".into()),
                if_wrong: SecretText::new("Iris belt haar zus en Veilig Thuis"),
            }],
            flags: vec![CaseFlagRecord {
                checklist: "veiligheid".into(),
                person: PersonRecord::Visit,
                flag: "herhaald_geweld".into(),
                level: "structural".into(),
                message: Text::new("Geweld komt vaker voor.", "Violence happens repeatedly."),
                state: "active".into(),
                action_taken: SecretText::new("Besproken met de gedragswetenschapper."),
                raised_on: "2025-02-04".into(),
            }],
            scaling: vec![ScalingRecord {
                who: SecretText::new("Iris"),
                role: Some("ouder".into()),
                about: SecretText::new("Mila"),
                value: 4,
            }],
            values: vec![PreviousValueRecord {
                checklist: "veiligheid".into(),
                person: PersonRecord::Visit,
                item: "eigen_oordeel".into(),
                value: AnswerValue::Choice("structureel_onveilig".into()),
            }],
            verdict: Some("structureel_onveilig".into()),
            evaluation_date: Some("2025-03-04".into()),
        }),
        read_back_at: Some("2025-03-04T10:55:00".into()),
        case_keeps: vec![KeptItem {
            checklist: "veiligheid".into(),
            item: "eigen_oordeel".into(),
        }],
    }
}

fn main() {
    let Some(out) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: write_fixtures DIR");
        std::process::exit(2);
    };
    let v = RECORD_VERSION;
    let key_path = out.join("test-org-key.txt");
    let key_text = std::fs::read_to_string(&key_path).unwrap_or_else(|_| {
        let key = age::x25519::Identity::generate();
        use secrecy::ExposeSecret;
        let text = format!(
            "# TEST ONLY: the organisation key of the golden fixtures. It protects\n\
             # nothing real and must never be used for real visits.\n\
             # public key: {}\n{}\n",
            key.to_public(),
            key.to_string().expose_secret()
        );
        std::fs::write(&key_path, &text).expect("write key");
        println!("wrote {}", key_path.display());
        text
    });
    let key_line = key_text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .expect("a key");
    let key = age::x25519::Identity::from_str(key_line).expect("key");

    // The record: plaintext envelope, ciphertext, JSON.
    let rec = fixture_record();
    let plain = envelope::encode_record(&rec).expect("encode");
    write(out.join(format!("record-v{v}.bin")), &plain);
    write(
        out.join(format!("record-v{v}.age")),
        &encrypt(&plain, &[&key.to_public()]).expect("encrypt"),
    );
    write(
        out.join(format!("record-v{v}.json")),
        (serde_json::to_string_pretty(&rec).expect("json") + "\n").as_bytes(),
    );

    // Index and stub payloads as plaintext test vectors.
    let mut draft = rec.clone();
    draft.finalized = None;
    let mut other = draft.clone();
    other.id = "fixture-kersenboom-2".into();
    // Index version 2: three visits arrived at the office (receipts 1
    // and 2), the files of number 4 still to delete.
    let index = IndexFile {
        entries: vec![IndexEntry::of(&rec), IndexEntry::of(&other)],
        final_dir_mtime: Some((1_741_082_400, 123_456_789)),
        arrived: Arrived {
            visits: 3,
            last_receipt: 2,
            highest_sequence: 4,
        },
        removing: vec![4],
        // Index version 3: the open cases as the home screen lists them.
        cases: Some(vec![safevisit::case::CaseSummary::of(
            &safevisit::case::CaseCard::from_record(&rec, None),
        )]),
    };
    write(
        out.join(format!("index-v{}.bin", INDEX.version)),
        &encode(INDEX, &index, index_config()).expect("index"),
    );
    let stub = Stub::of(&rec, [0xab; 32], 1234);
    write(
        out.join(format!("stub-v{}.bin", STUB.version)),
        &encode(STUB, &stub, record_config()).expect("stub"),
    );

    // The case card made from the fixture visit (a follow-up of its case).
    let card = safevisit::case::CaseCard::from_record(&rec, None);
    write(
        out.join(format!("case-v{}.bin", envelope::CASE.version)),
        &encode(envelope::CASE, &card, record_config()).expect("case card"),
    );

    // A whole vault: one draft, one finalized visit.
    let vault_dir = out.join(format!("vault-v{}", safevisit::store::config::VAULT_FORMAT));
    if kept(&vault_dir) {
        return;
    }
    let mut vault = Vault::init(
        &vault_dir,
        InitOptions {
            recipients: vec![Recipient::from(key.to_public())],
            device_name: "laptop-fixture".into(),
            passphrase: SecretString::from(common::PASSPHRASE.to_string()),
            device_id: Some("fixture-device".into()),
            scrypt_log_n: Some(common::TEST_LOG_N),
        },
    )
    .expect("init");
    let mut d = draft.clone();
    d.id = "fixture-kersenboom-2".into();
    d.finalized = None;
    vault.save_draft(&d).expect("draft");
    let summary = rec.finalized.as_ref().expect("finalized").summary.clone();
    vault
        .finalize(draft, summary, "2025-03-04T11:00:00")
        .expect("finalize");
    drop(vault);
    std::fs::remove_file(vault_dir.join("lock")).expect("remove lock");
    println!("wrote {}", vault_dir.display());
}
