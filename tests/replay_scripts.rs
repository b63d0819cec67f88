//! The project's own TUI scripts run under `cargo test`, and replay keeps
//! its promises: deterministic JSON, no plaintext in the vault, located
//! failure reports, exit codes, and a test organisation key beside a
//! `--data-dir` vault that the standard `age` tool can use.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use safevisit::checklist::Catalog;
use safevisit::replay::run::{RunOptions, ScriptOutcome, json_document, run_script};
use safevisit::replay::script::{FileLoader, parse};

fn replay_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/replay")
}

fn options(data_dir: Option<PathBuf>, json: bool) -> RunOptions {
    RunOptions {
        catalog: Arc::new(Catalog::bundled()),
        data_dir,
        snapshots: None,
        update_snapshots: false,
        collect_json: json,
    }
}

fn run(path: &Path, opts: &RunOptions) -> ScriptOutcome {
    let text = std::fs::read_to_string(path).unwrap();
    let steps = parse(path, &text, &mut FileLoader).unwrap_or_else(|e| panic!("{e:?}"));
    run_script(path, &steps, opts)
}

#[test]
fn every_script_in_tests_replay_passes() {
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(replay_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "replay"))
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 8, "the scripts are there");
    let opts = options(None, false);
    let failures: Vec<String> = scripts
        .iter()
        .filter_map(|s| run(s, &opts).failure)
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_full_visit_gives_identical_json_every_run() {
    let path = replay_dir().join("full-visit.replay");
    let opts = options(None, true);
    let a = json_document(&[run(&path, &opts)]);
    let b = json_document(&[run(&path, &opts)]);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    let visit = &a["runs"][0]["visits"][0];
    assert_eq!(a["runs"][0]["passed"], true);
    assert_eq!(visit["status"], "finalized");
    assert_eq!(visit["sequence"], 1);
    assert_eq!(visit["device"]["id"], "replay-device");
    assert_eq!(visit["roster"]["children"].as_array().unwrap().len(), 2);
    assert_eq!(visit["roster"]["caregivers"].as_array().unwrap().len(), 2);
    // All five checklists, a sheet per child and per caregiver.
    assert_eq!(visit["checklists"].as_array().unwrap().len(), 5);
    assert_eq!(visit["sheets"].as_array().unwrap().len(), 7);
    let flags = visit["red_flags"].as_array().unwrap();
    assert!(!flags.is_empty());
    assert!(
        flags
            .iter()
            .all(|f| f["action_taken"].as_str().is_some_and(|a| a.len() > 12))
    );
    assert!(flags.iter().all(|f| f["acknowledged_at"].is_string()));
    let text = serde_json::to_string(visit).unwrap();
    assert!(text.contains("Sem zegt dat hij zich verstopt als het luid wordt."));
}

#[test]
fn dutch_dates_are_stored_as_iso_dates_and_whole_numbers_as_integers() {
    let path = replay_dir().join("dates-and-numbers.replay");
    let doc = json_document(&[run(&path, &options(None, true))]);
    assert_eq!(doc["runs"][0]["passed"], true, "{doc}");
    let visit = &doc["runs"][0]["visits"][0];
    let sheet = |id: &str| {
        visit["sheets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["checklist"] == id)
            .unwrap()
            .clone()
    };
    let plan = &sheet("veiligheid")["entries"]["plan"];
    // Typed as 28-11-2026 and as vandaag (the script's clock: 2026-03-04).
    assert_eq!(plan[0]["answers"]["plan_wanneer"], "2026-11-28");
    assert_eq!(plan[1]["answers"]["plan_wanneer"], "2026-03-04");
    let hulp = sheet("hulp-en-regie");
    // Typed as Gisteren.
    assert_eq!(hulp["answers"]["evaluatie_datum"], "2026-03-03");
    assert!(hulp["answers"]["organisaties"].is_i64());
    let text = serde_json::to_string(&hulp["answers"]).unwrap();
    assert!(text.contains(r#""organisaties":12"#), "{text}");
    assert!(!text.contains("12.0"), "{text}");
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_typed_answer_is_in_the_json_but_nowhere_in_the_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let outcome = run(
        &replay_dir().join("full-visit.replay"),
        &options(Some(dir.clone()), true),
    );
    assert!(outcome.failure.is_none(), "{:?}", outcome.failure);
    let canary = "Sem zegt dat hij zich verstopt";
    assert!(
        serde_json::to_string(&outcome.visits)
            .unwrap()
            .contains(canary)
    );
    let files = files_under(&dir);
    assert!(files.len() >= 4);
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "{} holds the answer in plaintext",
            f.display()
        );
    }
}

#[test]
fn a_broken_expectation_names_its_line_and_shows_the_screen() {
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("kapot.replay");
    std::fs::write(
        &script,
        "passphrase \"appelboom tuinhek regenjas zeventien\"\n# comment\nexpect \"Dit staat er niet\"\n",
    )
    .unwrap();
    let out = run(&script, &options(None, false));
    let failure = out.failure.expect("it fails");
    let first = failure.lines().next().unwrap();
    assert_eq!(
        first,
        format!(
            "{}:3: expected \"Dit staat er niet\" on the screen",
            script.display()
        )
    );
    assert!(
        failure.contains("Typ uw wachtwoord"),
        "the screen follows:\n{failure}"
    );
}

#[test]
fn a_changed_screen_is_reported_against_its_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("s.replay");
    std::fs::write(
        &script,
        "passphrase \"appelboom tuinhek regenjas zeventien\"\nsnapshot slot\n",
    )
    .unwrap();
    let missing = run(&script, &options(None, false)).failure.unwrap();
    assert!(missing.contains("there is no stored snapshot"), "{missing}");
    let mut opts = options(None, false);
    opts.update_snapshots = true;
    assert!(run(&script, &opts).failure.is_none());
    assert!(tmp.path().join("snapshots/slot.txt").exists());
    assert!(
        run(&script, &options(None, false)).failure.is_none(),
        "the stored one matches"
    );
    std::fs::write(
        &script,
        "lang en\npassphrase \"appelboom tuinhek regenjas zeventien\"\nsnapshot slot\n",
    )
    .unwrap();
    let changed = run(&script, &options(None, false)).failure.unwrap();
    assert!(changed.contains("differs from snapshot"), "{changed}");
    assert!(changed.contains("-  "), "{changed}");
    assert!(changed.contains("Type your passphrase"), "{changed}");
}

fn safevisit(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(args)
        .env_remove("SAFEVISIT_DATA_DIR")
        .output()
        .unwrap()
}

#[test]
fn the_command_prints_a_summary_and_exits_by_the_result() {
    let tmp = tempfile::tempdir().unwrap();
    let good = replay_dir().join("wrong-passphrase.replay");
    let bad = tmp.path().join("bad.replay");
    std::fs::write(
        &bad,
        "passphrase \"appelboom tuinhek regenjas zeventien\"\nexpect \"Niet hier\"\n",
    )
    .unwrap();
    let out = safevisit(&["replay", good.to_str().unwrap(), bad.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout.lines().last(), Some("1 passed, 1 failed"));
    assert!(stdout.contains("bad.replay:2: expected \"Niet hier\" on the screen"));
    let out = safevisit(&["replay", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().last(),
        Some("1 passed, 0 failed")
    );
    // A mistake in a script: located, and nothing runs.
    let typo = tmp.path().join("typo.replay");
    std::fs::write(&typo, "passphrase \"x y z w\"\nkye Enter\n").unwrap();
    let out = safevisit(&["replay", good.to_str().unwrap(), typo.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:2:1: error: unknown step `kye`",
            typo.display()
        )),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("passed"));
}

#[test]
fn a_data_dir_run_leaves_a_test_key_that_opens_the_finalized_visit_with_age() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let script = replay_dir().join("full-visit.replay");
    let json = tmp.path().join("run.json");
    let out = safevisit(&[
        "replay",
        "--data-dir",
        dir.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        script.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let key = dir.join("test-org-key.txt");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let record = files_under(&dir.join("final"))
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with(".visit.age"))
        .expect("a finalized record");
    let age = Command::new("age")
        .args(["-d", "-i"])
        .arg(&key)
        .arg(&record)
        .output()
        .expect("the standard `age` tool is needed: apt-get install age (.ci/run installs it)");
    assert!(
        age.status.success(),
        "{}",
        String::from_utf8_lossy(&age.stderr)
    );
    assert!(age.stdout.len() > 100);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(doc["runs"][0]["visits"][0]["status"], "finalized");
}

#[test]
fn a_second_app_on_the_same_data_directory_is_refused_before_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let out = safevisit(&[
        "replay",
        "--data-dir",
        dir.to_str().unwrap(),
        replay_dir()
            .join("wrong-passphrase.replay")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    // This process holds the vault open.
    let _held = safevisit::store::Vault::open(&dir).unwrap();
    let out = safevisit(&["--data-dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("al geopend") || stderr.contains("already open"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("terminal"),
        "refused before the terminal check: {stderr}"
    );
    // Without a terminal the app says what to use instead.
    drop(_held);
    let out = safevisit(&["--data-dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("safevisit replay"));
}

#[test]
fn a_bundle_exported_from_the_home_screen_is_imported_at_the_office() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let script = replay_dir().join("export.replay");
    let out = safevisit(&[
        "replay",
        "--data-dir",
        dir.to_str().unwrap(),
        script.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The bundle lands beside the vault, under its default name.
    let bundle = tmp.path().join("safevisit-replay-1-1.age");
    assert!(bundle.is_file(), "no bundle at {}", bundle.display());
    let office = tmp.path().join("office");
    // The office enrols the laptop by its device card first.
    let mut vault = safevisit::store::Vault::open(&dir).unwrap();
    vault
        .unlock(&secrecy::SecretString::from(
            "appelboom tuinhek regenjas zeventien",
        ))
        .unwrap();
    let card = tmp.path().join("laptop.card");
    std::fs::write(&card, vault.device_card().unwrap().to_text()).unwrap();
    drop(vault);
    let out = safevisit(&[
        "supervisor",
        "enrol",
        card.to_str().unwrap(),
        "--out",
        office.to_str().unwrap(),
        "--yes",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = safevisit(&[
        "supervisor",
        "import",
        "-i",
        dir.join("test-org-key.txt").to_str().unwrap(),
        "--out",
        office.to_str().unwrap(),
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(office.join("visits.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.lines().nth(1).unwrap().contains("replay"), "{csv}");
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(summary.contains("replay"), "{summary}");
}

/// The red flags of the one visit a script leaves, from `--json`.
fn flags_of(script: &str) -> Vec<serde_json::Value> {
    let outcome = run(&replay_dir().join(script), &options(None, true));
    assert!(outcome.failure.is_none(), "{:?}", outcome.failure);
    let doc = json_document(&[outcome]);
    let visits = doc["runs"][0]["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 1);
    visits[0]["red_flags"].as_array().unwrap().clone()
}

#[test]
fn a_flag_whose_answer_changed_is_lapsed_in_the_json() {
    let flags = flags_of("flag-lapse.replay");
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0]["flag"], "acuut_geweld");
    assert_eq!(flags[0]["state"], "lapsed");
    assert!(flags[0]["state_changed_at"].is_string());
    assert!(flags[0]["withdrawn_reason"].is_null());
    // What the worker wrote stays with it.
    assert_eq!(
        flags[0]["action_taken"],
        "Eva en de kinderen zijn veilig bij de buren."
    );
}

#[test]
fn withdrawn_flags_keep_their_reason_in_the_json() {
    let flags = flags_of("flag-withdraw.replay");
    let states: Vec<&str> = flags.iter().map(|f| f["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["withdrawn", "withdrawn"], "{flags:?}");
    assert_eq!(
        flags[0]["withdrawn_reason"],
        "Verkeerde toets: Eva vertelde over vroeger, geen acuut geweld nu."
    );
    // Withdrawn from the panel: never acknowledged.
    assert!(flags[0]["acknowledged_at"].is_null());
    assert_eq!(flags[1]["flag"], "acuut_wapen");
    assert_eq!(flags[1]["action_taken"], "Doorgevraagd bij Eva.");
    assert_eq!(
        flags[1]["withdrawn_reason"],
        "Mila speelde met een speelgoedpistool; geen echte dreiging."
    );
    assert!(flags.iter().all(|f| f["state_changed_at"].is_string()));
}

#[test]
fn two_flags_from_one_answer_are_acknowledged_together() {
    let flags = flags_of("flag-group.replay");
    let names: Vec<&str> = flags.iter().map(|f| f["flag"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["acuut_geweld", "meldcode_tegenstrijdig"],
        "{flags:?}"
    );
    assert!(flags.iter().all(|f| f["state"] == "active"));
    assert!(
        flags
            .iter()
            .all(|f| f["action_taken"] == "Met Eva besproken; Veilig Thuis gebeld.")
    );
    assert_eq!(flags[0]["raised_at"], flags[1]["raised_at"]);
}

#[test]
fn a_sheet_marked_bewust_niet_reaches_the_json_with_its_reason() {
    let path = replay_dir().join("bewust-niet.replay");
    let doc = json_document(&[run(&path, &options(None, true))]);
    assert_eq!(doc["runs"][0]["passed"], true, "{doc}");
    let visit = &doc["runs"][0]["visits"][0];
    assert_eq!(visit["status"], "finalized");
    let sheets = visit["sheets"].as_array().unwrap();
    let of = |checklist: &str, alias: &str| {
        sheets
            .iter()
            .find(|s| s["checklist"] == checklist && s["person"]["alias"] == alias)
            .unwrap_or_else(|| panic!("{checklist} {alias}"))
    };
    let ruben = of("trauma-ouder", "Ruben");
    assert_eq!(ruben["status"], "bewust_niet");
    assert_eq!(
        ruben["status_reason"],
        "Iris is bang voor hem; hij is er niet."
    );
    assert_eq!(of("trauma-ouder", "Iris")["status"], "afgenomen");
    // Mila (2) has the child screening's observation list for 0 to 2.
    let mila = of("trauma-kind", "Mila");
    assert_eq!(mila["status"], "afgenomen");
    assert_eq!(mila["status_reason"], serde_json::Value::Null);
    // Ruben's 22 are not missing; Iris's are.
    let missing = visit["missing_required"].as_u64().unwrap();
    assert_eq!(missing, 148);
}
