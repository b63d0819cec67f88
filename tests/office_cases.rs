//! The case at the office: visits of one family from two laptops and two
//! bundles are linked into one case in date order; a follow-up whose
//! previous visit has not arrived is reported (like a gap) and cleared when
//! it arrives; `cases.csv` shows the trajectory (verdict and risk band over
//! time, the agreements kept at the last evaluation), `cases/<id>.json` the
//! visits and each score per person over time, and the summary lists the
//! cases that worsened and the overdue evaluations. Closings from a
//! laptop's manifest close the case at the office.

mod office_support;
mod vault_support;

use office_support::*;
use safevisit::i18n::Text;
use safevisit::supervisor::Ledger;
use safevisit::supervisor::cases;
use safevisit::supervisor::import::visit_row;
use safevisit::supervisor::ledger::BundleSeen;
use safevisit::visit::SecretText;
use safevisit::visit::record::{
    AnswerRecord, AnswerValue, CaregiverRecord, ChildRecord, EntryRecord, FinalRecord,
    FollowUpRecord, PersonRecord, ScoreRecord, Summary, VisitRecord,
};

/// What a visit says that the case follows.
struct Visit<'a> {
    id: &'a str,
    case_id: &'a str,
    label: &'a str,
    date: &'a str,
    verdict: &'a str,
    risk: (i64, &'a str),
    evaluation: &'a str,
    /// The visit it follows, and the previous agreements' `va_nagekomen`.
    follows: Option<(&'a str, &'a str, &'a [&'a str])>,
}

fn choice(item: &str, value: &str) -> AnswerRecord {
    AnswerRecord {
        item: item.into(),
        value: AnswerValue::Choice(value.into()),
    }
}

/// The record and the derivation's summary of `v`.
fn visit(v: &Visit<'_>) -> (VisitRecord, Summary) {
    let mut rec = vault_support::record(v.id, v.label, 4, 0, 1);
    rec.case_id = v.case_id.into();
    rec.date = v.date.into();
    rec.created_at = format!("{}T10:00:00", v.date);
    rec.updated_at = format!("{}T11:00:00", v.date);
    if v.label == "Kersenboom" {
        rec.children = vec![ChildRecord {
            id: 1,
            alias: "Mila".into(),
            age: 2,
        }];
        rec.caregivers = vec![
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
        ];
    }
    let sheet = &mut rec.sheets[0];
    sheet.answers.push(choice("eigen_oordeel", v.verdict));
    sheet.answers.push(AnswerRecord {
        item: "plan_evaluatie".into(),
        value: AnswerValue::Date(v.evaluation.into()),
    });
    if let Some((follows, previous_date, kept)) = v.follows {
        rec.follow_up = Some(FollowUpRecord {
            follows: follows.into(),
            previous_date: previous_date.into(),
            ..FollowUpRecord::default()
        });
        for k in kept {
            sheet.entries.push(EntryRecord {
                section: "vorige_afspraken".into(),
                answers: vec![
                    choice("va_nagekomen", k),
                    AnswerRecord {
                        item: "va_toelichting".into(),
                        value: AnswerValue::Text(SecretText::new("Lotte belde de schuldhulp.")),
                    },
                ],
                person: None,
                previous: None,
            });
        }
    }
    let score = |checklist: &str, person, id: &str, value, band: &str| ScoreRecord {
        checklist: checklist.into(),
        person,
        score: id.into(),
        title: Text::new("titel", "title"),
        value,
        band: Some(band.into()),
        band_label: None,
        answered: 10,
        visible: 10,
    };
    let summary = Summary {
        scores: vec![
            score(
                "veiligheid",
                PersonRecord::Visit,
                "risico",
                v.risk.0,
                v.risk.1,
            ),
            score(
                "trauma-kind",
                PersonRecord::Child(1),
                "reacties",
                v.risk.0 * 3,
                "laag",
            ),
        ],
        outcomes: Vec::new(),
        missing_required: 0,
    };
    (rec, summary)
}

const APPELBOOM_1: Visit<'static> = Visit {
    id: "appelboom-1",
    case_id: "appelboom-1",
    label: "Appelboom",
    date: "2025-02-04",
    verdict: "structureel_onveilig",
    risk: (5, "midden"),
    evaluation: "2025-03-01",
    follows: None,
};

/// A month later, on another laptop (the case was handed over): the plan
/// evaluated (one agreement kept, one partly), better now.
const APPELBOOM_2: Visit<'static> = Visit {
    id: "appelboom-2",
    case_id: "appelboom-1",
    label: "Appelboom",
    date: "2025-03-04",
    verdict: "voorwaardelijk_veilig",
    risk: (2, "laag"),
    evaluation: "2099-04-01",
    follows: Some(("appelboom-1", "2025-02-04", &["ja", "deels"])),
};

/// Kersenboom: worse at the second visit, and its evaluation date passed.
const KERSENBOOM_1: Visit<'static> = Visit {
    id: "kersenboom-1",
    case_id: "kersenboom-1",
    label: "Kersenboom",
    date: "2025-02-10",
    verdict: "voorwaardelijk_veilig",
    risk: (1, "laag"),
    evaluation: "2025-03-01",
    follows: None,
};

const KERSENBOOM_2: Visit<'static> = Visit {
    id: "kersenboom-2",
    case_id: "kersenboom-1",
    label: "Kersenboom",
    date: "2025-03-03",
    verdict: "voorwaardelijk_veilig",
    risk: (8, "hoog"),
    evaluation: "2025-03-20",
    follows: Some(("kersenboom-1", "2025-02-10", &["nee"])),
};

/// The rows of `cases.csv` as maps from column to cell (the test values
/// hold no commas).
fn cases_csv(office: &std::path::Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = std::fs::read_to_string(office.join("cases.csv")).expect("cases.csv");
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let head: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    lines
        .map(|l| {
            head.iter()
                .cloned()
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

fn row<'a>(
    rows: &'a [std::collections::BTreeMap<String, String>],
    case: &str,
) -> &'a std::collections::BTreeMap<String, String> {
    rows.iter()
        .find(|r| r["case_id"] == case)
        .unwrap_or_else(|| panic!("no row for {case}: {rows:?}"))
}

#[test]
fn a_case_across_two_laptops_and_two_bundles_with_its_previous_visit_late() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    let mut b = laptop(&root.join("b"), "device-b", "laptop-7", &[&org]);
    for v in [&APPELBOOM_1, &KERSENBOOM_1, &KERSENBOOM_2] {
        let (rec, summary) = visit(v);
        a.finalize(rec, summary, NOW).expect("finalize");
    }
    let from_a = export(&mut a, &root.join("out-a"));
    let (rec, summary) = visit(&APPELBOOM_2);
    b.finalize(rec, summary, NOW).expect("finalize");
    let from_b = export(&mut b, &root.join("out-b"));
    let office = root.join("kantoor");

    // The follow-up arrives first: its previous visit is missing.
    let first = import(&office, &[&key], &[&from_b]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let err = stderr(&first);
    assert!(
        err.contains("case appelboom-1: previous visit missing: visit appelboom-2 of 2025-03-04 (device laptop-7, device-b) follows appelboom-1, which has not arrived"),
        "{err}"
    );
    assert!(
        stdout(&first).contains("previous visit missing: 1"),
        "{}",
        stdout(&first)
    );
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(summary.contains("PREVIOUS VISIT MISSING (1)"), "{summary}");
    let rows = cases_csv(&office);
    assert_eq!(rows.len(), 1);
    assert_eq!(row(&rows, "appelboom-1")["previous_missing"], "1");
    assert_eq!(row(&rows, "appelboom-1")["visits"], "1");

    // The first visit arrives: linked into the same case, in date order.
    let second = import(&office, &[&key], &[&from_a]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let err = stderr(&second);
    assert!(
        err.contains("case appelboom-1: the previous visit appelboom-1 has now arrived"),
        "{err}"
    );
    assert!(!err.contains("previous visit missing"), "{err}");
    assert!(!stdout(&second).contains("previous visit missing"));
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(summary.contains("PREVIOUS VISIT MISSING (0)"), "{summary}");
    assert!(summary.contains("cases: 2 open, 0 closed"), "{summary}");

    let rows = cases_csv(&office);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let appelboom = row(&rows, "appelboom-1");
    assert_eq!(appelboom["label"], "Appelboom");
    assert_eq!(appelboom["first_visit"], "2025-02-04");
    assert_eq!(appelboom["last_visit"], "2025-03-04");
    assert_eq!(appelboom["last_visit_id"], "appelboom-2");
    assert_eq!(appelboom["visits"], "2");
    assert_eq!(appelboom["devices"], "2");
    assert_eq!(appelboom["last_verdict"], "voorwaardelijk_veilig");
    assert_eq!(
        appelboom["verdict_trend"],
        "structureel_onveilig>voorwaardelijk_veilig"
    );
    assert_eq!(appelboom["risk_band_trend"], "midden>laag");
    assert_eq!(
        (
            appelboom["agreements_kept"].as_str(),
            appelboom["agreements_partly"].as_str(),
            appelboom["agreements_not"].as_str()
        ),
        ("1", "1", "0")
    );
    assert_eq!(appelboom["evaluated_on"], "2025-03-04");
    assert_eq!(appelboom["evaluation_date"], "2099-04-01");
    assert_eq!(appelboom["evaluation_overdue"], "nee");
    assert_eq!(appelboom["worsened"], "nee");
    assert_eq!(appelboom["previous_missing"], "0");
    assert_eq!(appelboom["closed_on"], "");

    let kersenboom = row(&rows, "kersenboom-1");
    assert_eq!(kersenboom["risk_band_trend"], "laag>hoog");
    assert_eq!(kersenboom["worsened"], "ja");
    assert_eq!(kersenboom["evaluation_overdue"], "ja");
    assert_eq!(kersenboom["agreements_not"], "1");
    assert_eq!(kersenboom["devices"], "1");

    // The summary: the worsened case and the overdue evaluation, after
    // the acute red flags and before the rest.
    let acute = summary.find("ACUTE RED FLAGS").expect(&summary);
    let worse = summary
        .find(
            "CASES: SITUATION WORSENED (verdict or risk towards unsafe since the visit before) (1)",
        )
        .expect(&summary);
    let overdue = summary
        .find("CASES: EVALUATION OVERDUE (1)")
        .expect(&summary);
    let gaps = summary.find("GAPS (0)").expect(&summary);
    assert!(
        acute < worse && worse < overdue && overdue < gaps,
        "{summary}"
    );
    let worse_part = &summary[worse..overdue];
    assert!(
        worse_part.contains(
            "kersenboom-1  \"Kersenboom\"  visit 2025-02-10 → 2025-03-03: verdict voorwaardelijk_veilig → voorwaardelijk_veilig, risk laag → hoog"
        ),
        "{summary}"
    );
    assert!(!worse_part.contains("appelboom"), "{summary}");
    let overdue_part = &summary[overdue..gaps];
    assert!(
        overdue_part.contains("kersenboom-1  \"Kersenboom\"  evaluation was due on 2025-03-20"),
        "{summary}"
    );
    assert!(!overdue_part.contains("appelboom"), "{summary}");

    // cases/appelboom-1.json: the visits in order, the scores over time.
    let path = office.join("cases").join("appelboom-1.json");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("the case file")).unwrap();
    assert_eq!(doc["format"], "safevisit-office-case");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["case_id"], "appelboom-1");
    let visits = doc["visits"].as_array().unwrap();
    let ids: Vec<&str> = visits.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["appelboom-1", "appelboom-2"]);
    assert_eq!(visits[0]["device_id"], "device-a");
    assert_eq!(visits[1]["device_id"], "device-b");
    assert_eq!(visits[1]["follows"], "appelboom-1");
    assert_eq!(visits[0]["follows"], serde_json::Value::Null);
    assert_eq!(visits[1]["verdict"], "voorwaardelijk_veilig");
    assert_eq!(visits[0]["risk_band"], "midden");
    assert_eq!(visits[1]["agreements"]["kept"], 1);
    assert_eq!(visits[1]["agreements"]["partly"], 1);
    assert_eq!(visits[0]["agreements"], serde_json::Value::Null);
    let scores = doc["scores"].as_array().unwrap();
    let risk = scores
        .iter()
        .find(|s| s["score"] == "risico")
        .expect("the risk score");
    assert_eq!(risk["person"]["kind"], "visit");
    let values: Vec<(String, i64, String)> = risk["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["visit"].as_str().unwrap().to_string(),
                p["value"].as_i64().unwrap(),
                p["band"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        values,
        vec![
            ("appelboom-1".into(), 5, "midden".into()),
            ("appelboom-2".into(), 2, "laag".into())
        ]
    );
    let noor = scores
        .iter()
        .find(|s| s["score"] == "reacties")
        .expect("the child's score");
    assert_eq!(noor["person"]["kind"], "child");
    assert_eq!(noor["person"]["id"], 1);
    assert_eq!(noor["person"]["alias"], "Noor");
    assert_eq!(noor["values"].as_array().unwrap().len(), 2);
    // No answer text reaches the case file.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("schuldhulp"), "{text}");

    // Files 0600, the folder 0700.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&office.join("cases")), 0o700);
    assert_eq!(mode(&office.join("cases.csv")), 0o600);
    assert!(office.join("cases").join("kersenboom-1.json").exists());

    // A removed case file is written again by the next import.
    std::fs::remove_file(&path).unwrap();
    let again = import(&office, &[&key], &[&from_a]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(path.exists());
}

/// Take `v` into `ledger` as visit number `sequence` of `device`, in a
/// bundle of its own seen at `seen_at`; `closed`: cases the laptop closed.
fn take(
    ledger: &mut Ledger,
    v: &Visit<'_>,
    device: &str,
    sequence: u64,
    seen_at: &str,
    closed: &[safevisit::export::manifest::ClosedCase],
) {
    let (mut rec, summary) = visit(v);
    rec.finalized = Some(FinalRecord {
        sequence,
        finalized_at: format!("{}T12:00:00", v.date),
        device_id: device.into(),
        device_name: "laptop-3".into(),
        summary,
    });
    let sha = format!("{sequence:064}");
    let row = visit_row(rec, sha.clone(), 4).expect("a finalized visit");
    let seen = BundleSeen {
        sha256: format!("{:064}", seen_at.len() as u64 * 1000 + sequence),
        file_name: format!("bundle-{sequence}.age"),
        size: 1,
        seen_at: seen_at.into(),
    };
    let mut tx = ledger
        .begin_bundle(&seen, (device, "laptop-3"), seen_at, 1)
        .unwrap();
    tx.add(&row, b"ciphertext").unwrap();
    tx.close_cases(closed, device).unwrap();
    tx.commit(1, 0, 0, 0).unwrap();
}

#[test]
fn a_case_closed_on_the_laptop_is_closed_at_the_office_and_not_overdue() {
    let tmp = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(&tmp.path().join("safevisit.sqlite")).unwrap();
    take(
        &mut ledger,
        &KERSENBOOM_1,
        "device-a",
        1,
        "2025-04-10T09:00:00",
        &[],
    );
    take(
        &mut ledger,
        &KERSENBOOM_2,
        "device-a",
        2,
        "2025-04-10T09:00:00",
        &[],
    );
    let (text, rows) = cases::csv(&ledger).unwrap();
    assert_eq!(rows, 1);
    // Seen on 2025-04-10: the evaluation of 2025-03-20 is overdue, and
    // the band went up.
    assert!(text.contains(",ja,ja,0,,\r\n"), "{text}");
    let (worse, overdue) = cases::summary_sections(&ledger, safevisit::i18n::Lang::Nl).unwrap();
    assert_eq!((worse.len(), overdue.len()), (1, 1));
    assert!(
        overdue[0].contains("evaluatie was gepland op 2025-03-20"),
        "{overdue:?}"
    );

    // The laptop closes it; a bad reason or id in a manifest is ignored.
    let closed = |case: &str, reason: &str| safevisit::export::manifest::ClosedCase {
        case_id: case.into(),
        closed_on: "2025-04-12".into(),
        reason: reason.into(),
    };
    let other = Visit {
        id: "appelboom-1",
        ..APPELBOOM_1
    };
    take(
        &mut ledger,
        &other,
        "device-a",
        3,
        "2025-04-12T09:00:00",
        &[
            closed("kersenboom-1", "doel_bereikt"),
            closed("appelboom-1", "=HYPERLINK"),
            // "Overgedragen" on a laptop: the office decides who goes on.
            closed("appelboom-1", "overgedragen"),
            closed("../etc", "verhuisd"),
        ],
    );
    let (text, _) = cases::csv(&ledger).unwrap();
    let kersenboom = text
        .lines()
        .find(|l| l.starts_with("kersenboom-1,"))
        .unwrap();
    assert!(
        kersenboom.ends_with(",nee,nee,0,2025-04-12,doel_bereikt"),
        "{kersenboom}"
    );
    let appelboom = text
        .lines()
        .find(|l| l.starts_with("appelboom-1,"))
        .unwrap();
    assert!(appelboom.ends_with(",0,,"), "{appelboom}");
    assert!(!text.contains("etc"));
    let (worse, overdue) = cases::summary_sections(&ledger, safevisit::i18n::Lang::Nl).unwrap();
    // Closed: no longer listed as worse or overdue; Appelboom is overdue.
    assert!(worse.is_empty(), "{worse:?}");
    assert_eq!(overdue.len(), 1);
    assert!(overdue[0].contains("appelboom-1"));

    // A label that a spreadsheet would run is disarmed, as in visits.csv.
    let hostile = Visit {
        id: "peer-1",
        case_id: "peer-1",
        label: "=HYPERLINK(\"x\")",
        ..APPELBOOM_1
    };
    take(
        &mut ledger,
        &hostile,
        "device-a",
        4,
        "2025-04-12T09:00:00",
        &[],
    );
    let (text, _) = cases::csv(&ledger).unwrap();
    assert!(
        text.contains("peer-1,\"'=HYPERLINK(\"\"x\"\")\","),
        "{text}"
    );

    // A second closing does not move the first.
    assert!(
        !ledger
            .close_case(
                "kersenboom-1",
                "2025-05-01",
                "office",
                "2025-05-01T09:00:00"
            )
            .unwrap()
    );
    let (text, _) = cases::csv(&ledger).unwrap();
    assert!(text.contains("2025-04-12,doel_bereikt"));
}

/// The laptop's own age identity (what opens its receipts).
fn device_identity(vault: &safevisit::store::Vault) -> age::x25519::Identity {
    use std::io::Read;
    use std::str::FromStr;
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

fn safevisit(args: &[&std::ffi::OsStr]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", "en"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_office_closes_a_case_and_the_receipts_tell_every_laptop_that_holds_it() {
    use safevisit::receipt;
    use std::ffi::OsStr;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let added = safevisit(&[
        OsStr::new("supervisor"),
        OsStr::new("keygen"),
        OsStr::new("--add-signing-key"),
        key.as_os_str(),
    ]);
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    let org_pub = safevisit::supervisor::keys::load_signing_key(&key)
        .unwrap()
        .unwrap()
        .public()
        .clone();
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    let mut b = laptop(&root.join("b"), "device-b", "laptop-7", &[&org]);
    for v in [&APPELBOOM_1, &KERSENBOOM_1] {
        let (rec, summary) = visit(v);
        a.finalize(rec, summary, NOW).expect("finalize");
    }
    let from_a = export(&mut a, &root.join("out-a"));
    let (rec, summary) = visit(&APPELBOOM_2);
    b.finalize(rec, summary, NOW).expect("finalize");
    let from_b = export(&mut b, &root.join("out-b"));
    let office = root.join("kantoor");
    let first = import(&office, &[&key], &[&from_a, &from_b]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(office.join("receipts/device-a-1.age").exists());

    let close = |case: &str, reason: &str| {
        safevisit(&[
            OsStr::new("supervisor"),
            OsStr::new("close-case"),
            OsStr::new(case),
            OsStr::new("--out"),
            office.as_os_str(),
            OsStr::new("--reason"),
            OsStr::new(reason),
            OsStr::new("--on"),
            OsStr::new("2025-04-01"),
            OsStr::new("-i"),
            key.as_os_str(),
        ])
    };
    // A reason that is not a key, and a case the office does not hold.
    assert_eq!(close("appelboom-1", "zomaar").status.code(), Some(2));
    let unknown = close("peer-1", "doel_bereikt");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("case peer-1 is not in the ledger"));

    let out = close("appelboom-1", "doel_bereikt");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "Case appelboom-1 (\"Appelboom\", 2 visits) is closed on 2025-04-01 (doel_bereikt)."
        ),
        "{text}"
    );
    // Both laptops hold visits of it: each gets a receipt at once.
    assert!(
        text.contains(
            "Receipt receipts/device-a-2.age for device device-a: it reports 1 closed case(s)."
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Receipt receipts/device-b-2.age for device device-b: it reports 1 closed case(s)."
        ),
        "{text}"
    );
    let opened = receipt::open(
        &std::fs::read(office.join("receipts/device-b-2.age")).unwrap(),
        &device_identity(&b),
        &org_pub,
    )
    .unwrap();
    assert_eq!(opened.version, 2);
    assert_eq!(opened.closed_cases, vec!["appelboom-1".to_string()]);
    assert!(opened.visits.is_empty());

    // cases.csv and the case file say so; Kersenboom stays open.
    let rows = cases_csv(&office);
    assert_eq!(row(&rows, "appelboom-1")["closed_on"], "2025-04-01");
    assert_eq!(row(&rows, "appelboom-1")["closed_reason"], "doel_bereikt");
    assert_eq!(row(&rows, "kersenboom-1")["closed_on"], "");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(office.join("cases/appelboom-1.json")).unwrap())
            .unwrap();
    assert_eq!(doc["closed_reason"], "doel_bereikt");

    // Closing again changes nothing and writes no receipt.
    let again = close("appelboom-1", "verhuisd");
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stdout(&again).contains("was already closed on 2025-04-01"));
    assert!(!stdout(&again).contains("Receipt"));
    assert!(!office.join("receipts/device-a-3.age").exists());

    // The next import's receipt does not tell device A again.
    let next = import(&office, &[&key], &[&from_a]);
    assert_eq!(next.status.code(), Some(0), "{}", stderr(&next));
    let opened = receipt::open(
        &std::fs::read(office.join("receipts/device-a-3.age")).unwrap(),
        &device_identity(&a),
        &org_pub,
    )
    .unwrap();
    assert!(opened.closed_cases.is_empty());
    assert_eq!(opened.version, 1);
    assert_eq!(opened.visits.len(), 2);
}

#[test]
fn a_visit_from_an_old_bundle_is_a_case_of_its_own_named_after_it() {
    use safevisit::supervisor::{BundleOutcome, Identity, Office, keys};
    let fixture = |name: &str| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    };
    let tmp = tempfile::tempdir().unwrap();
    let office_dir = tmp.path().join("kantoor");
    let mut office = Office::open(&office_dir).unwrap();
    office.set_policy(safevisit::supervisor::ImportPolicy {
        allow_unsigned: true,
        ..Default::default()
    });
    let ids: Vec<Identity> = keys::load_identities(&fixture("test-org-key.txt")).unwrap();
    let report = office
        .import_bundle(&fixture("bundle-v1.age"), &ids, "2025-03-05T09:00:00", &())
        .unwrap();
    assert!(matches!(report.outcome, BundleOutcome::Imported));
    assert_eq!(report.cases, vec!["fixture-kersenboom-1".to_string()]);
    office.write_outputs(safevisit::i18n::Lang::Nl).unwrap();
    let rows = cases_csv(&office_dir);
    assert_eq!(rows.len(), 1);
    let r = row(&rows, "fixture-kersenboom-1");
    assert_eq!(r["visits"], "1");
    assert_eq!(r["last_visit_id"], "fixture-kersenboom-1");
    assert_eq!(r["previous_missing"], "0");
    assert_eq!(r["agreements_kept"], "");
    assert!(office_dir.join("cases/fixture-kersenboom-1.json").exists());
}

#[test]
fn a_case_is_handed_over_to_another_laptop_through_the_office() {
    use safevisit::handover::{self, HandoverError};
    use safevisit::receipt;
    use std::ffi::OsStr;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let added = safevisit(&[
        OsStr::new("supervisor"),
        OsStr::new("keygen"),
        OsStr::new("--add-signing-key"),
        key.as_os_str(),
    ]);
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    let org_pub = safevisit::supervisor::keys::load_signing_key(&key)
        .unwrap()
        .unwrap()
        .public()
        .clone();
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    let mut b = laptop(&root.join("b"), "device-b", "laptop-7", &[&org]);
    let (rec, summary) = visit(&APPELBOOM_1);
    a.finalize(rec, summary, NOW).expect("finalize");
    let (rec, summary) = visit(&KERSENBOOM_1);
    b.finalize(rec, summary, NOW).expect("finalize");
    let from_a = export(&mut a, &root.join("out-a"));
    let from_b = export(&mut b, &root.join("out-b"));
    let office = root.join("kantoor");
    let first = import(&office, &[&key], &[&from_a, &from_b]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    let hand = |case: &str, to: &str| {
        safevisit(&[
            OsStr::new("supervisor"),
            OsStr::new("handover"),
            OsStr::new(case),
            OsStr::new("--to"),
            OsStr::new(to),
            OsStr::new("--out"),
            office.as_os_str(),
            OsStr::new("-i"),
            key.as_os_str(),
        ])
    };
    let unknown = hand("appelboom-1", "device-x");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("device device-x is not enrolled"));

    let out = hand("appelboom-1", "device-b");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Case appelboom-1 (\"Appelboom\", 1 visits) is ready for device device-b (laptop-7): handovers/device-b-appelboom-1.age"),
        "{text}"
    );
    // Laptop A, which held the case, is told to drop its card.
    assert!(
        text.contains("Receipt receipts/device-a-2.age for device device-a: it reports 1 case(s)"),
        "{text}"
    );
    assert!(!text.contains("device-b-2"), "{text}");
    let to_a = receipt::open(
        &std::fs::read(office.join("receipts/device-a-2.age")).unwrap(),
        &device_identity(&a),
        &org_pub,
    )
    .unwrap();
    assert_eq!(to_a.closed_cases, vec!["appelboom-1".to_string()]);

    let path = office.join("handovers/device-b-appelboom-1.age");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let bytes = std::fs::read(&path).unwrap();
    // Only laptop B opens it, and only with the organisation's signature.
    assert_eq!(
        handover::open(&bytes, &device_identity(&a), &org_pub),
        Err(HandoverError::NotForThisDevice)
    );
    let stranger = safevisit::signing::SigningKey::generate().unwrap();
    assert!(matches!(
        handover::open(&bytes, &device_identity(&b), stranger.public()),
        Err(HandoverError::Signature(_))
    ));
    let h = handover::open(&bytes, &device_identity(&b), &org_pub).unwrap();
    assert_eq!(h.device_id, "device-b");
    assert_eq!(h.case_id, "appelboom-1");
    let card = &h.card;
    // The card a laptop makes at finalize: the roster, the plan, the verdict.
    assert_eq!(card.case_id, "appelboom-1");
    assert_eq!(card.label, "Appelboom");
    assert_eq!(card.last_visit, "appelboom-1");
    assert_eq!(card.last_visit_date, "2025-02-04");
    assert_eq!(card.visits, 1);
    assert_eq!(card.verdict.as_deref(), Some("structureel_onveilig"));
    assert_eq!(card.evaluation_date.as_deref(), Some("2025-03-01"));
    assert_eq!(card.agreements.len(), 1);
    assert_eq!(card.agreements[0].who.as_str(), "Lotte");
    let aliases: Vec<&str> = card.children.iter().map(|c| c.alias.as_str()).collect();
    assert_eq!(aliases, ["Noor", "Sem"]);
    // No answer text beyond what the card keeps.
    let json = String::from_utf8(h.to_json()).unwrap();
    assert!(!json.contains("schulden"), "{json}");

    // A closed case is not handed over.
    let conn = rusqlite::Connection::open(office.join("safevisit.sqlite")).unwrap();
    conn.execute(
        "UPDATE cases SET closed_on = '2025-04-01', closed_reason = 'verhuisd' WHERE case_id = 'kersenboom-1'",
        [],
    )
    .unwrap();
    drop(conn);
    let closed = hand("kersenboom-1", "device-a");
    assert_eq!(closed.status.code(), Some(1));
    assert!(stderr(&closed).contains("a closed case is not handed over"));
}
