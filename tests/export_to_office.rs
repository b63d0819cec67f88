//! A worker's finalized visits travel as one bundle: the standard `age`
//! tool opens it (and every record inside it), the office import fills the
//! ledger, the JSON files, the CSV and the summary, and a second import
//! adds nothing. Keys made by `safevisit supervisor keygen` and by
//! `age-keygen` work both ways.
//!
//! These tests need the standard `age` tool; without it they fail with a
//! message saying what to install (CI installs it).

mod office_support;
mod vault_support;

use std::process::{Command, Stdio};

use office_support::*;
use safevisit::export::export_bundle;
use safevisit::export::manifest::Manifest;
use safevisit::store::envelope::decode_record;
use safevisit::visit::report::{Status, visit_json};

fn run_ok(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("run a tool");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn the_standard_tools_open_a_bundle_and_every_record_in_it() {
    require_age();
    let tmp = tempfile::tempdir().unwrap();
    let org = age::x25519::Identity::generate();
    let mut vault = laptop(
        &tmp.path().join("laptop"),
        "device-appelboom",
        "laptop-3",
        &[&org],
    );
    let ids = finalize(&mut vault, "appelboom", 1, 3, 20);
    let stick = tmp.path().join("stick");
    std::fs::create_dir(&stick).unwrap();
    let bundle = export(&mut vault, &stick);
    assert_eq!(
        bundle.file_name().unwrap().to_str().unwrap(),
        "safevisit-laptop-3-1-3.age"
    );
    let key = key_file(tmp.path(), "org-key.txt", &org);

    // age -d -i org-key.txt BUNDLE | tar -x
    let tar = run_ok(
        Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&key)
            .arg(&bundle),
    );
    let out = tmp.path().join("uitgepakt");
    std::fs::create_dir(&out).unwrap();
    let mut untar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(&out)
        .stdin(Stdio::piped())
        .spawn()
        .expect("tar");
    std::io::Write::write_all(untar.stdin.as_mut().unwrap(), &tar).unwrap();
    assert!(untar.wait().unwrap().success());

    let manifest = Manifest::parse(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest.device.id, "device-appelboom");
    assert_eq!(manifest.device.name, "laptop-3");
    assert_eq!(manifest.visits.len(), 3);
    for (v, id) in manifest.visits.iter().zip(&ids) {
        assert_eq!(&v.id, id);
        let file = out.join(&v.file);
        let bytes = std::fs::read(&file).unwrap();
        // The record is the vault's file, unchanged.
        let digest: String = sha2_hex(&bytes);
        assert_eq!(digest, v.sha256);
        assert_eq!(bytes.len() as u64, v.size);
        let plain = run_ok(Command::new("age").arg("-d").arg("-i").arg(&key).arg(&file));
        let rec = decode_record(&plain).expect("a record");
        assert_eq!(&rec.id, id);
        assert_eq!(rec.finalized.as_ref().unwrap().sequence, v.sequence);
    }
    // The visits are marked exported; nothing new is left.
    let again = export_bundle(&mut vault, Some(&stick), false, NOW).unwrap();
    assert_eq!(again.path, None);
    assert_eq!(std::fs::read_dir(&stick).unwrap().count(), 1);
    assert_eq!(vault.counts().unwrap().exported, 3);
}

fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn import_fills_the_ledger_and_the_outputs_and_a_second_import_adds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let org = age::x25519::Identity::generate();
    let mut vault = laptop(
        &tmp.path().join("laptop"),
        "device-appelboom",
        "laptop-3",
        &[&org],
    );
    let ids = finalize(&mut vault, "appelboom", 1, 4, 30);
    let bundle = export(&mut vault, tmp.path());
    let key = key_file(tmp.path(), "org-key.txt", &org);
    let office = tmp.path().join("kantoor");

    let first = import(&office, &[&key], &[&bundle]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(
        stdout(&first).trim(),
        "4 new, 0 already imported, 0 rejected, gaps: 0"
    );
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 4);
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM bundles WHERE outcome = 'imported'"
        ),
        1
    );
    // Red flags (visit i raises i % 3 of them: 1, 2, 0, 1), scores and outcomes.
    assert_eq!(count(&office, "SELECT count(*) FROM red_flags"), 4);
    assert_eq!(count(&office, "SELECT count(*) FROM scores"), 4 * 3);
    assert_eq!(count(&office, "SELECT count(*) FROM outcomes"), 4 * 4);
    // The answers stay queryable inside the JSON document.
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM documents WHERE json_extract(doc, '$.sheets[0].answers.vraag_000') IN ('ja', 'nee')"
        ),
        4
    );

    // One JSON file per visit, the same document replay's --json writes.
    let files = json_files(&office);
    assert_eq!(files.len(), 4);
    let expected_first = {
        let mut v = std::fs::read(office.join("visits").join(format!("{}.json", ids[0]))).unwrap();
        v.pop();
        serde_json::from_slice::<serde_json::Value>(&v).unwrap()
    };
    let mut rec = vault_support::record(&ids[0], "Appelboom 1", 30, 1, 1);
    rec.finalized = Some(safevisit::visit::record::FinalRecord {
        sequence: 1,
        finalized_at: NOW.into(),
        device_id: "device-appelboom".into(),
        device_name: "laptop-3".into(),
        summary: summary(),
    });
    let summary_ = rec.finalized.as_ref().unwrap().summary.clone();
    assert_eq!(
        expected_first,
        visit_json(&rec, Status::Finalized, &summary_)
    );

    // The CSV: a header and one row per visit, in sequence order.
    let rows = csv_rows(&office);
    assert_eq!(rows.len(), 4);
    assert!(rows[0].starts_with(&format!(
        "{},device-appelboom,laptop-3,1,2025-03-04,Appelboom 1,",
        ids[0]
    )));
    let header = std::fs::read_to_string(office.join("visits.csv")).unwrap();
    let header: Vec<&str> = header.lines().next().unwrap().split(',').collect();
    let cell = |row: &str, col: &str| -> String {
        let i = header
            .iter()
            .position(|h| *h == col)
            .unwrap_or_else(|| panic!("no column {col}"));
        row.split(',').nth(i).unwrap().to_string()
    };
    assert_eq!(cell(&rows[0], "veiligheid.risico"), "4");
    assert_eq!(cell(&rows[0], "veiligheid.risico.band"), "midden");
    // Per child: one value per child, in roster order.
    assert_eq!(cell(&rows[0], "trauma-kind.reacties"), "6;24");
    assert_eq!(
        cell(&rows[0], "trauma-kind.verwijzing"),
        "geen_aanwijzing;verwijzen"
    );
    // The computed verdict; the worker's own is not in these records.
    assert_eq!(
        cell(&rows[0], "finding.safety_verdict_computed"),
        "structureel"
    );
    assert_eq!(cell(&rows[0], "finding.safety_verdict"), "");
    assert_eq!(cell(&rows[0], "finding.trauma_children"), "verwijzen");
    assert_eq!(cell(&rows[0], "finding.trauma_children_referred"), "1");
    assert_eq!(cell(&rows[0], "finding.help"), "wacht");
    assert_eq!(cell(&rows[1], "flags_acute"), "1");
    assert_eq!(cell(&rows[1], "flags_structural"), "1");
    assert_eq!(cell(&rows[2], "flags_acute"), "0");

    // The summary: acute red flags first.
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    let acute = summary.find("ACUTE RED FLAGS (3)").expect(&summary);
    let gaps = summary.find("GAPS (0)").expect(&summary);
    assert!(acute < gaps);
    assert!(summary.contains("Acute danger of serious violence."));

    // Again: nothing new, and the outputs are unchanged.
    let csv_before = std::fs::read(office.join("visits.csv")).unwrap();
    let second = import(&office, &[&key], &[&bundle]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert_eq!(
        stdout(&second).trim(),
        "0 new, 4 already imported, 0 rejected, gaps: 0"
    );
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 4);
    assert_eq!(count(&office, "SELECT count(*) FROM bundles"), 2);
    assert_eq!(
        std::fs::read(office.join("visits.csv")).unwrap(),
        csv_before
    );

    // A re-export of everything (for a lost stick) is recognised visit by visit.
    let all = export_bundle(&mut vault, Some(tmp.path()), true, "2025-03-05T09:00:00")
        .unwrap()
        .path
        .unwrap();
    assert_ne!(all, bundle);
    let third = import(&office, &[&key], &[&all]);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    assert!(stdout(&third).starts_with("0 new, 4 already imported"));

    // The office folder and its files are private.
    use std::os::unix::fs::PermissionsExt;
    for f in ["safevisit.sqlite", "visits.csv", "summary.txt"] {
        let mode = std::fs::metadata(office.join(f))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{f}");
    }
    let mode = std::fs::metadata(&office).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

#[test]
fn keygen_interoperates_with_the_standard_age_tool() {
    require_age();
    let tmp = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_safevisit");

    // safevisit keygen → age -e -r RECIPIENT → age -d -i KEYFILE.
    let key = tmp.path().join("org-key.txt");
    let out = Command::new(bin)
        .args(["--lang", "en", "supervisor", "keygen", "-o"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let recipient = stdout(&out).trim().to_string();
    assert!(recipient.starts_with("age1"), "{recipient}");
    let public = run_ok(Command::new("age-keygen").arg("-y").arg(&key));
    assert_eq!(String::from_utf8(public).unwrap().trim(), recipient);
    let plain = tmp.path().join("hallo.txt");
    std::fs::write(&plain, "Lotte en Bram").unwrap();
    let enc = tmp.path().join("hallo.age");
    run_ok(
        Command::new("age")
            .arg("-r")
            .arg(&recipient)
            .arg("-o")
            .arg(&enc)
            .arg(&plain),
    );
    let dec = run_ok(Command::new("age").arg("-d").arg("-i").arg(&key).arg(&enc));
    assert_eq!(dec, b"Lotte en Bram");
    // Never over an existing file.
    let again = Command::new(bin)
        .args(["supervisor", "keygen", "-o"])
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    // Without -o and a pipe for stdout: the identity on stdout, as age-keygen.
    let piped = Command::new(bin)
        .args(["supervisor", "keygen"])
        .output()
        .unwrap();
    assert!(piped.status.success());
    assert!(stdout(&piped).contains("AGE-SECRET-KEY-1"));

    // age-keygen → laptops encrypt to it → safevisit import with it.
    let agekey = tmp.path().join("age-keygen.txt");
    run_ok(Command::new("age-keygen").arg("-o").arg(&agekey));
    let text = std::fs::read_to_string(&agekey).unwrap();
    let secret = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap();
    let identity: age::x25519::Identity = secret.parse().unwrap();
    let mut vault = laptop(
        &tmp.path().join("laptop"),
        "device-kersenboom",
        "laptop-7",
        &[&identity],
    );
    finalize(&mut vault, "kersenboom", 1, 2, 10);
    let bundle = export(&mut vault, tmp.path());
    let office = tmp.path().join("kantoor");
    let imported = import(&office, &[&agekey], &[&bundle]);
    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 2);
}

#[test]
fn after_a_key_rotation_both_keys_are_given() {
    let tmp = tempfile::tempdir().unwrap();
    let old = age::x25519::Identity::generate();
    let new = age::x25519::Identity::generate();
    let mut before = laptop(&tmp.path().join("oud"), "device-a", "laptop-a", &[&old]);
    finalize(&mut before, "oud", 1, 2, 5);
    let old_bundle = export(&mut before, tmp.path());
    let mut after = laptop(&tmp.path().join("nieuw"), "device-b", "laptop-b", &[&new]);
    finalize(&mut after, "nieuw", 1, 2, 5);
    let new_bundle = export(&mut after, tmp.path());
    let old_key = key_file(tmp.path(), "oud.txt", &old);
    let new_key = key_file(tmp.path(), "nieuw.txt", &new);
    let office = tmp.path().join("kantoor");

    // Only the new key: the old bundle is refused, the new one lands.
    let partial = import(&office, &[&new_key], &[&old_bundle, &new_bundle]);
    assert_eq!(partial.status.code(), Some(3));
    assert!(
        stderr(&partial).contains("encrypted to another key"),
        "{}",
        stderr(&partial)
    );
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 2);
    // Both keys: everything.
    let both = import(&office, &[&new_key, &old_key], &[&old_bundle, &new_bundle]);
    assert_eq!(both.status.code(), Some(0), "{}", stderr(&both));
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 4);
    // The refusal is history now; the summary no longer lists it.
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(summary.contains("REJECTED (0)"), "{summary}");
}

#[test]
fn identity_problems_are_exit_1_and_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let public = tmp.path().join("publiek.txt");
    std::fs::write(
        &public,
        "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\n",
    )
    .unwrap();
    let bundle = tmp.path().join("bundel.age");
    std::fs::write(&bundle, b"x").unwrap();
    let out = import(&tmp.path().join("kantoor"), &[&public], &[&bundle]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("publiek.txt"), "{}", stderr(&out));
    assert!(stderr(&out).contains("line 1"), "{}", stderr(&out));
    // Usage errors are exit 2 (clap): no --out.
    let usage = Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["supervisor", "import", "-i"])
        .arg(&public)
        .arg(&bundle)
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn an_organisations_own_checklist_gets_columns_only_when_the_office_knows_it() {
    use safevisit::i18n::Text;
    use safevisit::supervisor::Ledger;
    use safevisit::supervisor::reports::{header, measure_columns};
    use safevisit::visit::record::{OutcomeRecord, PersonRecord, ScoreRecord};

    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let mut vault = laptop(&root.join("laptop"), "device-a", "laptop-3", &[&org]);
    // Three visits; the last two also used the organisation's own
    // checklist "engine-kind" (a score and an outcome per child), and
    // carry scores of a checklist "netwerk" that nobody gave the office.
    let plain = finalize(&mut vault, "appelboom", 1, 1, 5);
    let mut own = Vec::new();
    for i in 2..=3u64 {
        let id = format!("appelboom-{i:05}");
        let rec = vault_support::record(&id, &format!("Appelboom {i}"), 5, 0, i);
        let mut s = summary();
        for child in [2, 1] {
            for checklist in ["engine-kind", "netwerk"] {
                s.scores.push(ScoreRecord {
                    checklist: checklist.into(),
                    person: PersonRecord::Child(child),
                    score: if checklist == "netwerk" {
                        "steun"
                    } else {
                        "last"
                    }
                    .into(),
                    title: Text::new("Last", "Burden"),
                    value: i64::try_from(i * 10).unwrap() + i64::from(child),
                    band: Some("laag".into()),
                    band_label: None,
                    answered: 3,
                    visible: 3,
                });
            }
            s.outcomes.push(OutcomeRecord {
                checklist: "engine-kind".into(),
                person: PersonRecord::Child(child),
                outcome: "advies".into(),
                title: Text::new("Advies", "Advice"),
                value: Some(format!("volgen-{i}-{child}")),
                label: None,
            });
        }
        vault.finalize(rec, s, NOW).unwrap();
        own.push(id);
    }
    let bundle = export(&mut vault, root);
    let office = root.join("kantoor");

    // From the bundle alone: no columns of either (F9); the values stay in
    // the ledger and in the JSON files.
    let out = import(&office, &[&key], &[&bundle]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(office.join("visits.csv")).unwrap();
    let head: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert!(
        !head
            .iter()
            .any(|h| h.starts_with("netwerk.") || h.starts_with("engine-kind.")),
        "{head:?}"
    );
    let ledger = Ledger::open_read_only(&office.join("safevisit.sqlite")).unwrap();
    assert_eq!(head, header(&measure_columns(&ledger).unwrap()));
    drop(ledger);
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM scores WHERE checklist = 'netwerk'"
        ),
        4
    );

    // The office is given the checklist (`--checklists DIR`): its columns
    // come after every bundled one; "netwerk" still gets none.
    let lists = root.join("eigen-lijsten");
    std::fs::create_dir(&lists).unwrap();
    // (engine-kind refers to engine-bezoek: the three come together.)
    for name in [
        "engine-kind.toml",
        "engine-bezoek.toml",
        "engine-gezin.toml",
    ] {
        std::fs::copy(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/checklists")
                .join(name),
            lists.join(name),
        )
        .unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", "en", "--checklists"])
        .arg(&lists)
        .args(["supervisor", "import", "--out"])
        .arg(&office)
        .arg("-i")
        .arg(&key)
        .arg(&bundle)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(office.join("visits.csv")).unwrap();
    let head: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert!(!head.iter().any(|h| h.starts_with("netwerk.")), "{head:?}");
    let at = |col: &str| {
        head.iter()
            .position(|h| *h == col)
            .unwrap_or_else(|| panic!("no column {col} in {head:?}"))
    };
    let score = at("engine-kind.last");
    assert_eq!(at("engine-kind.last.band"), score + 1);
    assert_eq!(at("engine-kind.advies"), score + 2);
    assert!(at("hulp-en-regie.hulp") < score);
    assert!(score < at("finding.safety_verdict"));

    let rows = csv_rows(&office);
    assert_eq!(rows.len(), 3);
    let cell = |row: &str, col: &str| row.split(',').nth(at(col)).unwrap().to_string();
    assert!(rows[0].starts_with(&plain[0]));
    assert_eq!(cell(&rows[0], "engine-kind.last"), "");
    assert_eq!(cell(&rows[0], "engine-kind.advies"), "");
    assert_eq!(cell(&rows[0], "veiligheid.risico"), "4");
    for (row, (id, i)) in rows[1..].iter().zip(own.iter().zip(2..)) {
        assert!(row.starts_with(id.as_str()), "{row}");
        // Per child, in roster order (child 1 first).
        assert_eq!(
            cell(row, "engine-kind.last"),
            format!("{};{}", i * 10 + 1, i * 10 + 2)
        );
        assert_eq!(cell(row, "engine-kind.last.band"), "laag;laag");
        assert_eq!(
            cell(row, "engine-kind.advies"),
            format!("volgen-{i}-1;volgen-{i}-2")
        );
        assert_eq!(cell(row, "veiligheid.risico"), "4");
        assert_eq!(cell(row, "trauma-kind.reacties"), "6;24");
    }
}

#[test]
fn only_active_red_flags_are_counted_and_listed_at_the_office() {
    let tmp = tempfile::tempdir().unwrap();
    let org = age::x25519::Identity::generate();
    let mut vault = laptop(
        &tmp.path().join("laptop"),
        "device-kersenboom",
        "laptop-5",
        &[&org],
    );
    // Three acute flags: one active, one lapsed (the answer changed), one
    // withdrawn by the worker as a mistake.
    let mut rec = vault_support::record("kersenboom-00001", "Kersenboom", 10, 3, 1);
    for f in &mut rec.flags {
        f.level = "acute".into();
    }
    rec.flags[0].flag = "actief_signaal".into();
    rec.flags[1].flag = "vervallen_signaal".into();
    rec.flags[1].state = "lapsed".into();
    rec.flags[1].state_at = Some("2025-03-04T10:20:00".into());
    rec.flags[2].flag = "ingetrokken_signaal".into();
    rec.flags[2].state = "withdrawn".into();
    rec.flags[2].state_at = Some("2025-03-04T10:21:00".into());
    rec.flags[2].withdrawn_reason =
        safevisit::visit::SecretText::new("Verkeerde toets bij Mila, antwoord hersteld.");
    vault.finalize(rec, summary(), NOW).expect("finalize");
    let bundle = export(&mut vault, tmp.path());
    let key = key_file(tmp.path(), "org-key.txt", &org);
    let office = tmp.path().join("kantoor");
    let out = import(&office, &[&key], &[&bundle]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // The ledger keeps all three, each with its state.
    assert_eq!(count(&office, "SELECT count(*) FROM red_flags"), 3);
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM red_flags WHERE state = 'active'"
        ),
        1
    );
    // The CSV counts the active one only; the others have columns of their own.
    let header = std::fs::read_to_string(office.join("visits.csv")).unwrap();
    let header: Vec<&str> = header.lines().next().unwrap().split(',').collect();
    let rows = csv_rows(&office);
    let cell = |col: &str| -> String {
        let i = header.iter().position(|h| *h == col).unwrap();
        rows[0].split(',').nth(i).unwrap().to_string()
    };
    assert_eq!(cell("flags_acute"), "1");
    assert_eq!(cell("flags_structural"), "0");
    assert_eq!(cell("flags_open"), "1");
    assert_eq!(cell("flags_lapsed"), "1");
    assert_eq!(cell("flags_withdrawn"), "1");

    // The summary lists the active one as acute, the others apart.
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    let acute_at = summary.find("ACUTE RED FLAGS (1)").expect(&summary);
    let apart_at = summary
        .find("LAPSED AND WITHDRAWN RED FLAGS (not counted) (2)")
        .expect(&summary);
    let acute = &summary[acute_at..apart_at];
    assert!(acute.contains("actief_signaal"), "{summary}");
    assert!(!acute.contains("vervallen_signaal"), "{summary}");
    assert!(!acute.contains("ingetrokken_signaal"), "{summary}");
    let apart = &summary[apart_at..];
    assert!(apart.contains("vervallen_signaal [acute]: lapsed 2025-03-04T10:20:00"));
    assert!(apart.contains("ingetrokken_signaal [acute]: withdrawn (mistake) 2025-03-04T10:21:00"));
    // The per-device count of acute flags counts the active one.
    assert!(summary.contains("laptop-5"), "{summary}");

    // The visit JSON gives each its state, and the reason of the withdrawn one.
    let doc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(office.join("visits").join("kersenboom-00001.json")).unwrap(),
    )
    .unwrap();
    let flags = doc["red_flags"].as_array().unwrap();
    let states: Vec<&str> = flags.iter().map(|f| f["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["active", "lapsed", "withdrawn"]);
    assert!(flags[0]["state_changed_at"].is_null());
    assert!(flags[0]["withdrawn_reason"].is_null());
    assert_eq!(flags[1]["state_changed_at"], "2025-03-04T10:20:00");
    assert_eq!(
        flags[2]["withdrawn_reason"],
        "Verkeerde toets bij Mila, antwoord hersteld."
    );
}

#[test]
fn sheet_status_removed_people_and_roster_ids_reach_the_office() {
    use safevisit::visit::SecretText;
    use safevisit::visit::record::{
        AnswerRecord, AnswerValue, CaregiverRecord, ChecklistStamp, ChildRecord, EntryRecord,
        PersonRecord, RemovedRecord, SheetRecord,
    };

    let tmp = tempfile::tempdir().unwrap();
    let org = age::x25519::Identity::generate();
    let mut vault = laptop(
        &tmp.path().join("laptop"),
        "device-kersenboom",
        "laptop-5",
        &[&org],
    );
    // Familie Kersenboom: Mila (2) outside the trauma screening's bands,
    // Iris screened, Ruben deliberately not (Iris is afraid of him), and a
    // cousin added by mistake and removed again.
    let mut rec = vault_support::record("kersenboom-00002", "Kersenboom", 4, 0, 1);
    rec.children = vec![
        ChildRecord {
            id: 1,
            alias: "Mila".into(),
            age: 2,
        },
        ChildRecord {
            id: 4,
            alias: "Daan".into(),
            age: 8,
        },
    ];
    rec.caregivers = vec![
        CaregiverRecord {
            id: 2,
            alias: "Iris".into(),
            role: "moeder".into(),
        },
        CaregiverRecord {
            id: 3,
            alias: "Ruben".into(),
            role: "vader".into(),
        },
    ];
    let stamp = |id: &str| ChecklistStamp {
        id: id.into(),
        version: 1,
        hash: "0".repeat(64),
    };
    let sheet = |id: &str, person, status: &str, reason: &str| SheetRecord {
        checklist: stamp(id),
        person,
        answers: Vec::new(),
        entries: Vec::new(),
        status: status.into(),
        status_reason: SecretText::new(reason),
        earlier: Vec::new(),
    };
    rec.sheets[0].entries[0].person = Some(PersonRecord::Caregiver(2));
    rec.sheets.push(sheet(
        "trauma-kind",
        PersonRecord::Child(1),
        "te_jong",
        "Mila (2) valt buiten de leeftijdsgroepen van Traumascreening kind (3 tot en met 17 jaar)",
    ));
    let mut daan = sheet("trauma-kind", PersonRecord::Child(4), "afgenomen", "");
    daan.answers.push(AnswerRecord {
        item: "ev_ongeluk".into(),
        value: AnswerValue::Choice("nee".into()),
    });
    // Record format 5: the answer was given under an earlier file of the
    // checklist (the same version number, another hash).
    daan.earlier.push(safevisit::visit::record::EarlierVersion {
        version: 1,
        hash: "1".repeat(64),
        items: vec!["ev_ongeluk".into()],
    });
    rec.sheets.push(daan);
    rec.sheets.push(sheet(
        "trauma-ouder",
        PersonRecord::Caregiver(2),
        "afgenomen",
        "",
    ));
    rec.sheets.push(sheet(
        "trauma-ouder",
        PersonRecord::Caregiver(3),
        "bewust_niet",
        "Iris is bang voor hem; niet bevragen.",
    ));
    rec.sheets.push(SheetRecord {
        entries: vec![EntryRecord {
            previous: None,
            section: "per_lid".into(),
            answers: Vec::new(),
            person: Some(PersonRecord::Child(1)),
        }],
        ..sheet("hulp-en-regie", PersonRecord::Visit, "afgenomen", "")
    });
    rec.removed.push(RemovedRecord {
        person: PersonRecord::Child(4),
        reason: SecretText::new("neefje, woont hier niet"),
        at: "2025-03-04T10:30:00".into(),
    });
    vault.finalize(rec, summary(), NOW).expect("finalize");
    let bundle = export(&mut vault, tmp.path());
    let key = key_file(tmp.path(), "org-key.txt", &org);
    let office = tmp.path().join("kantoor");
    let out = import(&office, &[&key], &[&bundle]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // The CSV: a column per status (taken is not counted) and the removed.
    let text = std::fs::read_to_string(office.join("visits.csv")).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let rows = csv_rows(&office);
    let cell = |col: &str| -> String {
        let i = header.iter().position(|h| *h == col).expect(col);
        rows[0].split(',').nth(i).unwrap().to_string()
    };
    assert_eq!(cell("sheets_niet_aanwezig"), "0");
    assert_eq!(cell("sheets_bewust_niet"), "1");
    assert_eq!(cell("sheets_weigert"), "0");
    assert_eq!(cell("sheets_te_jong"), "1");
    assert_eq!(cell("people_removed"), "1");
    assert_eq!(
        count(
            &office,
            "SELECT sheets_bewust_niet + sheets_te_jong FROM visits"
        ),
        2
    );

    // summary.txt lists the visit with its counts, never the reasons.
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(
        summary.contains("LISTS NOT TAKEN (the reasons are in the visit) (1)"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "deliberately not (safety) 1, outside the age groups 1, removed from the roster 1"
        ),
        "{summary}"
    );
    assert!(!summary.contains("bang voor hem"), "{summary}");
    assert!(!summary.contains("neefje"), "{summary}");

    // The visit JSON: status and reason on every sheet, roster ids on
    // entries, and who was removed, when and why.
    let doc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(office.join("visits").join("kersenboom-00002.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(doc["schema_version"], 5);
    let sheets = doc["sheets"].as_array().unwrap();
    let of = |checklist: &str, id: u32| {
        sheets
            .iter()
            .find(|s| s["checklist"] == checklist && s["person"]["id"] == id)
            .unwrap()
    };
    let ruben = of("trauma-ouder", 3);
    assert_eq!(ruben["status"], "bewust_niet");
    assert_eq!(
        ruben["status_reason"],
        "Iris is bang voor hem; niet bevragen."
    );
    assert_eq!(ruben["person"]["alias"], "Ruben");
    let iris = of("trauma-ouder", 2);
    assert_eq!(iris["status"], "afgenomen");
    assert!(iris["status_reason"].is_null());
    let mila = of("trauma-kind", 1);
    assert_eq!(mila["status"], "te_jong");
    assert!(
        mila["status_reason"]
            .as_str()
            .unwrap()
            .starts_with("Mila (2) valt buiten de leeftijdsgroepen")
    );
    // Daan's sheet and answer stay, marked as about a removed person.
    assert_eq!(of("trauma-kind", 4)["answers"]["ev_ongeluk"], "nee");
    // The office sees the sheet's version and the version each answer was
    // given under where it differs.
    assert_eq!(of("trauma-kind", 4)["version"], 1);
    assert_eq!(
        of("trauma-kind", 4)["earlier_versions"],
        serde_json::json!([{ "hash": "1".repeat(64), "items": ["ev_ongeluk"], "version": 1 }])
    );
    assert_eq!(
        of("trauma-kind", 1)["earlier_versions"],
        serde_json::json!([])
    );
    let daan = doc["roster"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == 4)
        .unwrap();
    assert_eq!(daan["removed"], true);
    assert_eq!(doc["roster"]["children"][0]["removed"], false);
    assert_eq!(doc["removed"][0]["person"]["id"], 4);
    assert_eq!(doc["removed"][0]["reason"], "neefje, woont hier niet");
    assert_eq!(doc["removed"][0]["at"], "2025-03-04T10:30:00");
    // Entries carry the roster member they are about (or null).
    let plan = &sheets[0]["entries"]["plan"][0];
    assert_eq!(plan["person"]["kind"], "caregiver");
    assert_eq!(plan["person"]["id"], 2);
    assert_eq!(plan["person"]["alias"], "Iris");
    assert_eq!(plan["answers"]["plan_wie"], "Lotte");
    let hulp = sheets
        .iter()
        .find(|s| s["checklist"] == "hulp-en-regie")
        .unwrap();
    assert_eq!(hulp["entries"]["per_lid"][0]["person"]["alias"], "Mila");
}
