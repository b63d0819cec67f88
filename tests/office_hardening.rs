//! The office against forged and hostile records inside well-formed
//! bundles (docs/SUPERVISOR.md, "Tampering, damage and foreign input";
//! review F2, F6, F7, F10, F14, F16) and the two CSV files: a conflict
//! never hides an acute red flag, record dates and sequence numbers are
//! checked, rejections are bounded and never added twice, control and bidi
//! characters are escaped everywhere, weak permissions are warned about,
//! and every per-person cell has one slot per roster person.

mod office_support;
mod vault_support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use office_support::*;
use safevisit::export::bundle;
use safevisit::export::manifest::{self, Device, Manifest, ManifestVisit, record_file};
use safevisit::store::envelope;
use safevisit::visit::record::{
    ChildRecord, FinalRecord, PersonRecord, ScoreRecord, Summary, VisitRecord,
};
use sha2::{Digest, Sha256};

/// A finalized record of device `device-a` (as a forger, or a laptop,
/// would write it).
fn finalized(mut rec: VisitRecord, sequence: u64) -> VisitRecord {
    rec.finalized = Some(FinalRecord {
        sequence,
        finalized_at: "2025-03-04T11:00:00".into(),
        device_id: "device-a".into(),
        device_name: "laptop-3".into(),
        summary: Summary::default(),
    });
    rec
}

/// A bundle of `records` claiming device `device-a` (`laptop-3`), made with
/// the organisation's public key only, plus `extra` files the manifest
/// does not list.
fn forged(
    dir: &Path,
    name: &str,
    org: &age::x25519::Identity,
    records: &[VisitRecord],
    extra: &[(String, Vec<u8>)],
) -> PathBuf {
    let public = org.to_public();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut visits = Vec::new();
    for rec in records {
        let fin = rec.finalized.as_ref().unwrap();
        let plain = envelope::encode_record(rec).unwrap();
        let cipher = envelope::encrypt(&plain, &[&public]).unwrap();
        visits.push(ManifestVisit {
            case_id: None,
            follows: None,
            id: rec.id.clone(),
            sequence: fin.sequence,
            file: record_file(fin.sequence),
            size: cipher.len() as u64,
            sha256: format!("{:x}", Sha256::digest(&cipher)),
            finalized_at: "2025-03-04T11:00:00".into(),
            checklists: vec![],
        });
        files.push((record_file(fin.sequence), cipher));
    }
    files.extend(extra.iter().cloned());
    let m = Manifest {
        closed_cases: Vec::new(),
        format: manifest::FORMAT.into(),
        // Format 1 (unsigned): the import takes it with --allow-unsigned,
        // as office_support::import passes.
        version: 1,
        device: Device {
            id: "device-a".into(),
            name: "laptop-3".into(),
        },
        created_at: NOW.into(),
        visits,
    };
    let refs: Vec<(String, &[u8])> = files
        .iter()
        .map(|(n, d)| (n.clone(), d.as_slice()))
        .collect();
    let bytes = bundle::write(Vec::new(), &[&public], &m, None, &refs, 0).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn summary_text(office: &Path) -> String {
    std::fs::read_to_string(office.join("summary.txt")).unwrap()
}

/// The lines of one section of the summary (without its title).
fn section(summary: &str, title: &str) -> Vec<String> {
    summary
        .split("\n\n")
        .find(|s| s.starts_with(title))
        .unwrap_or_else(|| panic!("no section {title} in {summary}"))
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

#[test]
fn a_forged_visit_that_takes_a_number_first_cannot_hide_the_genuine_acute_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    // A forger without the laptop's signing key is refused outright
    // (tests/office_trust.rs). One with a copy of the laptop and its
    // passphrase (a disk image, or a laptop restored from an old backup)
    // signs like the laptop, and takes its next number first.
    let mut laptop_a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    copy_dir(&root.join("a"), &root.join("a2"));
    let mut copy = vault_support::reopen(&root.join("a2"));
    let fake = vault_support::record("imposter-1", "Nep", 3, 0, 7);
    copy.finalize(fake, summary(), NOW).unwrap();
    std::fs::create_dir_all(root.join("copy")).unwrap();
    let forgery = export(&mut copy, &root.join("copy"));
    // The genuine visit #1, with an acute red flag.
    let rec = vault_support::record("kersenboom-00001", "Kersenboom", 5, 1, 1);
    laptop_a.finalize(rec, summary(), NOW).unwrap();
    let genuine = export(&mut laptop_a, root);
    let office = root.join("kantoor");

    let out = import(&office, &[&key], &[&forgery, &genuine]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.lines()
            .any(|l| l.contains("claims sequence 1 which another visit has")
                && l.contains("the version kept aside has 1 acute red flag(s)")),
        "{err}"
    );
    // Still never merged: the forgery holds #1 in `visits`.
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM visits WHERE visit_id = 'imposter-1'"
        ),
        1
    );
    assert_eq!(count(&office, "SELECT count(*) FROM conflicts"), 1);
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM conflict_flags WHERE level = 'acute' AND flag = 'vlag_0'"
        ),
        1
    );

    let summary = summary_text(&office);
    let acute = section(&summary, "ACUTE RED FLAGS");
    assert_eq!(acute.len(), 1, "{summary}");
    assert!(acute[0].contains("kersenboom-00001"), "{}", acute[0]);
    assert!(
        acute[0].contains("Acute danger of serious violence."),
        "{}",
        acute[0]
    );
    assert!(
        acute[0].ends_with("[conflict: two visits claim this number]"),
        "{}",
        acute[0]
    );
    // CONFLICTS names both versions: device and times of each.
    let conflicts = section(&summary, "CONFLICTS (1)");
    assert_eq!(conflicts.len(), 3, "{summary}");
    assert!(
        conflicts[1].contains("in the ledger: visit imposter-1, device laptop-3, date 2025-03-04, finalized 2025-03-04T12:00:00, imported 20"),
        "{}",
        conflicts[1]
    );
    assert!(
        conflicts[1].ends_with("0 acute red flags"),
        "{}",
        conflicts[1]
    );
    assert!(
        conflicts[2].contains("kept aside: visit kersenboom-00001, device laptop-3, date 2025-03-04, finalized 2025-03-04T12:00:00, found 20"),
        "{}",
        conflicts[2]
    );
    assert!(
        conflicts[2].ends_with("1 acute red flags"),
        "{}",
        conflicts[2]
    );

    // In Dutch, the same mark.
    let out = Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["supervisor", "import", "--out"])
        .arg(&office)
        .arg("-i")
        .arg(&key)
        .arg(&genuine)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let summary = summary_text(&office);
    let acute = section(&summary, "ACUTE SIGNALEN");
    assert!(
        acute[0].ends_with("[conflict: twee bezoeken claimen dit volgnummer]"),
        "{summary}"
    );
    // Seen again, nothing is stored twice.
    assert_eq!(count(&office, "SELECT count(*) FROM conflict_flags"), 1);
}

#[test]
fn record_dates_in_the_future_and_numbers_out_of_range_are_refused_not_clamped() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let sound = finalized(
        vault_support::record("appelboom-00001", "Appelboom", 3, 0, 1),
        1,
    );
    let mut far = finalized(
        vault_support::record("appelboom-00002", "Ver weg", 3, 1, 2),
        2,
    );
    far.date = "9999-12-31".into();
    let huge = finalized(
        vault_support::record("appelboom-00003", "Groot", 3, 0, 3),
        (1u64 << 63) + 5,
    );
    let mut nonsense = finalized(
        vault_support::record("appelboom-00004", "Onzin", 3, 0, 4),
        4,
    );
    nonsense.date = "2026-13-45".into();
    let mut later = finalized(
        vault_support::record("appelboom-00005", "Later", 3, 0, 5),
        5,
    );
    later.finalized.as_mut().unwrap().finalized_at = "gisteren".into();
    let bundle = forged(
        root,
        "dates.age",
        &org,
        &[sound, far, huge, nonsense, later],
        &[],
    );
    let office = root.join("kantoor");

    let out = import(&office, &[&key], &[&bundle]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "1 new, 0 already imported, 4 rejected, gaps: 0"
    );
    let err = stderr(&out);
    for line in [
        "dates.age: rejected: visit appelboom-00002 (sequence 2): its date lies in the future",
        "dates.age: rejected: visit appelboom-00003 (sequence 9223372036854775813): its sequence number is 0 or larger than the ledger can hold",
        "dates.age: rejected: visit appelboom-00004 (sequence 4): its date is not a valid date or time",
        "dates.age: rejected: visit appelboom-00005 (sequence 5): its finalized_at is not a valid date or time",
    ] {
        assert!(err.contains(line), "no {line:?} in\n{err}");
    }
    // Nothing clamped: the number is left out of the ledger, not stored as
    // 2^63 − 1, and no gap reaches up to it.
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 1);
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM rejections WHERE visit_id = 'appelboom-00003' AND sequence IS NULL"
        ),
        1
    );
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM rejections WHERE sequence > 1000000"
        ),
        0
    );
    let summary = summary_text(&office);
    assert!(!summary.contains("9999-12-31"), "{summary}");
    assert!(summary.contains("ACUTE RED FLAGS (0)"), "{summary}");
    // The true number is named, never i64::MAX, and there is no gap noise.
    assert!(
        summary.contains("(sequence 9223372036854775813)"),
        "{summary}"
    );
    assert!(!summary.contains("9223372036854775807"), "{summary}");
    assert!(summary.contains("GAPS (0)"), "{summary}");

    // In Dutch: the reasons are Dutch.
    let out = Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["supervisor", "import", "--allow-unsigned", "--out"])
        .arg(&office)
        .arg("-i")
        .arg(&key)
        .arg(&bundle)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("bezoek appelboom-00002 (volgnummer 2): de datum (date) ligt in de toekomst"),
        "{err}"
    );
    assert!(
        err.contains("het volgnummer is 0 of groter dan de database kan bewaren"),
        "{err}"
    );
}

#[test]
fn a_rejected_bundle_imported_again_adds_no_rows_and_no_summary_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let sound = finalized(
        vault_support::record("appelboom-00001", "Appelboom", 3, 0, 1),
        1,
    );
    let mut far = finalized(
        vault_support::record("appelboom-00002", "Ver weg", 3, 0, 2),
        2,
    );
    far.created_at = "9999-12-31T10:00:00".into();
    let partly = forged(root, "partly.age", &org, &[sound, far], &[]);
    let junk = root.join("junk.age");
    std::fs::write(&junk, b"geen bundel\n").unwrap();
    let office = root.join("kantoor");

    let out = import(&office, &[&key], &[&partly, &junk]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let rows = count(&office, "SELECT count(*) FROM rejections");
    assert_eq!(rows, 1);
    let before = section(&summary_text(&office), "REJECTED");
    assert_eq!(before.len(), 2, "{before:?}");

    for _ in 0..2 {
        let out = import(&office, &[&key], &[&partly, &junk]);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    }
    assert_eq!(count(&office, "SELECT count(*) FROM rejections"), rows);
    assert_eq!(section(&summary_text(&office), "REJECTED"), before);
}

#[test]
fn ten_thousand_unlisted_files_give_a_bounded_report() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let sound = finalized(
        vault_support::record("appelboom-00001", "Appelboom", 3, 0, 1),
        1,
    );
    let extra: Vec<(String, Vec<u8>)> = (0..10_000)
        .map(|i| (format!("rommel/{i:05}"), Vec::new()))
        .collect();
    let bundle = forged(root, "vol.age", &org, &[sound], &extra);
    let office = root.join("kantoor");

    let out = import(&office, &[&key], &[&bundle]);
    assert_eq!(out.status.code(), Some(3));
    // Every rejection is counted …
    assert_eq!(
        stdout(&out).trim(),
        "1 new, 0 already imported, 10000 rejected, gaps: 0"
    );
    // … but at most 100 are named, and one line says how many more.
    let max = safevisit::supervisor::import::MAX_REJECTIONS;
    let err = stderr(&out);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("vol.age") && !l.contains("UNSIGNED"))
        .collect();
    assert_eq!(lines.len(), max + 1, "{err}");
    assert!(
        lines[max].ends_with("… and 9900 more rejections (counted only)"),
        "{}",
        lines[max]
    );
    assert_eq!(
        count(&office, "SELECT count(*) FROM rejections"),
        max as i64 + 1
    );
    assert_eq!(
        count(
            &office,
            "SELECT rejected FROM bundles WHERE file_name = 'vol.age'"
        ),
        10_000
    );
    let rejected = section(&summary_text(&office), "REJECTED");
    assert_eq!(rejected.len(), max + 1);
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 1);
}

#[test]
fn control_and_bidi_characters_never_reach_the_summary_the_csv_or_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let label = "Kersen\u{202E}moob\u{1b}]0;PWNED\u{7}\u{1b}[2J";
    let rec = finalized(vault_support::record("kersenboom-00001", label, 3, 1, 1), 1);
    let bundle = forged(root, "ok.age", &org, &[rec], &[]);
    let hostile_name = root.join("bundel-\u{202E}ega.age");
    std::fs::write(&hostile_name, b"geen bundel\n").unwrap();
    let office = root.join("kantoor");

    let out = import(&office, &[&key], &[&bundle, &hostile_name]);
    assert_eq!(out.status.code(), Some(3));
    let unsafe_char = |c: char| c == '\u{1b}' || c == '\u{202E}' || c == '\u{7}';
    let err = stderr(&out);
    assert!(!err.contains(unsafe_char), "{err:?}");
    assert!(err.contains("bundel-\\u{202e}ega.age"), "{err}");
    let summary = summary_text(&office);
    assert!(!summary.contains(unsafe_char), "{summary:?}");
    assert!(
        summary.contains("Kersen\\u{202e}moob\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J"),
        "{summary}"
    );
    let csv = std::fs::read_to_string(office.join("visits.csv")).unwrap();
    assert!(!csv.contains(unsafe_char), "{csv:?}");
    assert!(csv.contains("Kersen\\u{202e}moob"), "{csv}");
    // The visit's JSON keeps the worker's exact text (JSON-escaped).
    let json = std::fs::read_to_string(office.join("visits/kersenboom-00001.json")).unwrap();
    assert!(!json.contains('\u{1b}'));
}

#[test]
fn an_identity_readable_by_others_and_an_office_writable_by_others_are_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let mut laptop_a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    finalize(&mut laptop_a, "appelboom", 1, 1, 3);
    let bundle = export(&mut laptop_a, root);
    let office = root.join("kantoor");
    std::fs::create_dir(&office).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&office, std::fs::Permissions::from_mode(0o777)).unwrap();

    // Warnings, not failures: the import still runs.
    let out = import(&office, &[&key], &[&bundle]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("is readable by others too (mode 0644)") && err.contains("chmod 600"),
        "{err}"
    );
    assert!(
        err.contains("others can write to the office folder") && err.contains("(mode 0777)"),
        "{err}"
    );

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(&office, std::fs::Permissions::from_mode(0o700)).unwrap();
    let out = import(&office, &[&key], &[&bundle]);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[test]
fn keygen_to_a_redirected_stdout_says_to_use_o() {
    let tmp = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(tmp.path().join("org-key.txt")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", "en", "supervisor", "keygen"])
        .stdout(file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("safevisit supervisor keygen -o FILE"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ids_that_differ_only_in_case_never_share_a_json_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let first = finalized(
        vault_support::record("appelboom-00001", "Appelboom", 3, 0, 1),
        1,
    );
    let second = finalized(vault_support::record("Appelboom-00001", "Nep", 3, 0, 2), 2);
    let bundle = forged(root, "case.age", &org, &[first, second], &[]);
    let office = root.join("kantoor");

    let out = import(&office, &[&key], &[&bundle]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains(
            "visit Appelboom-00001 (sequence 2): another visit has the same id apart from case"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 1);
    assert_eq!(json_files(&office), vec!["appelboom-00001.json"]);
}

/// A visit of the Kersenboom family with three children where only the
/// first and the last have a trauma screening (Mila, the middle one, is
/// too young), and only the second caregiver a caregiver screening.
fn three_children() -> (VisitRecord, Summary) {
    let mut rec = vault_support::record("kersenboom-00001", "Kersenboom", 5, 0, 1);
    rec.children = vec![
        ChildRecord {
            id: 1,
            alias: "Daan".into(),
            age: 9,
        },
        ChildRecord {
            id: 2,
            alias: "Mila".into(),
            age: 2,
        },
        ChildRecord {
            id: 3,
            alias: "Sara".into(),
            age: 12,
        },
    ];
    let score = |checklist: &str, person, score: &str, value, band: &str| ScoreRecord {
        checklist: checklist.into(),
        person,
        score: score.into(),
        title: safevisit::i18n::Text::new("t", "t"),
        value,
        band: Some(band.into()),
        band_label: None,
        answered: 10,
        visible: 10,
    };
    let summary = Summary {
        scores: vec![
            // Not in roster order on purpose.
            score(
                "trauma-kind",
                PersonRecord::Child(3),
                "reacties",
                24,
                "hoog",
            ),
            score("trauma-kind", PersonRecord::Child(1), "reacties", 6, "laag"),
            score(
                "trauma-ouder",
                PersonRecord::Caregiver(2),
                "steun",
                3,
                "laag",
            ),
        ],
        outcomes: vec![],
        missing_required: 0,
    };
    (rec, summary)
}

#[test]
fn a_child_without_a_value_keeps_its_slot_and_excel_gets_its_own_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let mut laptop_a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    let (rec, summary) = three_children();
    laptop_a.finalize(rec, summary, NOW).unwrap();
    let bundle = export(&mut laptop_a, root);
    let office = root.join("kantoor");
    office_support::enrol_signers(&office, &[&key], &[&bundle]);

    let out = Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", "en", "supervisor", "import", "--excel", "--out"])
        .arg(&office)
        .arg("-i")
        .arg(&key)
        .arg(&bundle)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // visits.csv: `,` between cells, one `;`-slot per child, the middle
    // child's empty — Sara's 24 can never move to Mila.
    let text = std::fs::read_to_string(office.join("visits.csv")).unwrap();
    assert!(!text.starts_with('\u{FEFF}'));
    let mut lines = text.split("\r\n");
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(head.len(), row.len());
    let cell = |col: &str| row[head.iter().position(|h| *h == col).unwrap()];
    assert_eq!(cell("trauma-kind.reacties"), "6;;24");
    assert_eq!(cell("trauma-kind.reacties.band"), "laag;;hoog");
    // Caregivers are numbered apart from the children: two slots.
    assert_eq!(cell("trauma-ouder.steun"), ";3");
    assert_eq!(cell("children"), "3");

    // visits-excel.csv: a BOM, `;` between cells, `|` between slots.
    let bytes = std::fs::read(office.join("visits-excel.csv")).unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut lines = text.split("\r\n");
    let head_x: Vec<&str> = lines.next().unwrap().split(';').collect();
    let row_x: Vec<&str> = lines.next().unwrap().split(';').collect();
    assert_eq!(head_x, head);
    assert_eq!(row_x.len(), head_x.len());
    let cell = |col: &str| row_x[head_x.iter().position(|h| *h == col).unwrap()];
    assert_eq!(cell("trauma-kind.reacties"), "6||24");
    assert_eq!(cell("trauma-ouder.steun"), "|3");
    assert_eq!(cell("visit_id"), "kersenboom-00001");

    // Asked for once, the Excel file is kept up to date by later imports.
    finalize(&mut laptop_a, "appelboom", 2, 1, 3);
    let next = export(&mut laptop_a, root);
    let out = import(&office, &[&key], &[&next]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(office.join("visits-excel.csv")).unwrap();
    assert_eq!(text.split("\r\n").filter(|l| !l.is_empty()).count(), 3);
}

#[test]
fn a_value_of_a_person_not_in_the_roster_or_a_second_value_gets_no_slot() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    // Roster: children 1 and 2 (Noor, Sem). A forged summary gives child 1
    // two values, child 7 (not in the roster) one, child 2 none.
    let mut rec = finalized(
        vault_support::record("appelboom-00001", "Appelboom", 3, 0, 1),
        1,
    );
    let score = |person, value| ScoreRecord {
        checklist: "trauma-kind".into(),
        person,
        score: "reacties".into(),
        title: safevisit::i18n::Text::new("t", "t"),
        value,
        band: Some(format!("b{value}")),
        band_label: None,
        answered: 1,
        visible: 1,
    };
    rec.finalized.as_mut().unwrap().summary.scores = vec![
        score(PersonRecord::Child(7), 77),
        score(PersonRecord::Child(1), 6),
        score(PersonRecord::Child(1), 99),
    ];
    let bundle = forged(root, "slots.age", &org, &[rec], &[]);
    let office = root.join("kantoor");
    let out = import(&office, &[&key], &[&bundle]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let text = std::fs::read_to_string(office.join("visits.csv")).unwrap();
    let mut lines = text.split("\r\n");
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(head.len(), row.len());
    let cell = |col: &str| row[head.iter().position(|h| *h == col).unwrap()];
    // Two children, two slots: Noor's first value, Sem's empty.
    assert_eq!(cell("trauma-kind.reacties"), "6;");
    assert_eq!(cell("trauma-kind.reacties.band"), "b6;");
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM visits WHERE roster_children = '1 2' AND roster_caregivers = '1 2'"
        ),
        1
    );
}
