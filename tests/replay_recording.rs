//! Replay for testers: a recorded run reads like a hand-written script and
//! replays to the same visits; a failing run still says where the visits
//! stood and what on the screen came nearest to the expectation.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use safevisit::checklist::Catalog;
use safevisit::replay::record::{ScriptWriter, header};
use safevisit::replay::run::{RunOptions, json_document, run_script, run_script_recording};
use safevisit::replay::script::{FileLoader, default_now, parse};

fn replay_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/replay")
}

fn options() -> RunOptions {
    RunOptions {
        catalog: Arc::new(Catalog::bundled()),
        data_dir: None,
        snapshots: None,
        update_snapshots: false,
        collect_json: true,
    }
}

const PASSPHRASE: &str = "appelboom tuinhek regenjas zeventien";

#[test]
fn a_recorded_run_replays_to_the_same_visits() {
    let path = replay_dir().join("full-visit.replay");
    let text = std::fs::read_to_string(&path).unwrap();
    let steps = parse(&path, &text, &mut FileLoader).unwrap();
    let opts = options();
    let mut writer = ScriptWriter::new(Vec::new());
    let original = run_script_recording(&path, &steps, &opts, Some(&mut writer));
    assert!(original.failure.is_none(), "{:?}", original.failure);
    let body = String::from_utf8(writer.into_inner()).unwrap();
    let recording = header(80, 24, "nl", default_now(), true) + &body;

    // Reads like a hand-written script: the passphrase is not there, the
    // `n` of a new visit is a key (not folded into the label), runs of one
    // key are `*N`, and typed text is one step.
    assert!(!recording.contains(PASSPHRASE));
    assert!(recording.contains("type \"CHANGE-ME\"\n"));
    assert!(
        recording.contains("key n\ntype \"Appelboom\"\n"),
        "{recording}"
    );
    assert!(recording.contains("key Tab*2\n"), "{recording}");
    assert!(recording.contains("key Down*15\n"), "{recording}");
    assert!(!recording.contains("type \"nAppelboom\""));
    assert!(
        recording.contains("type \"Sem zegt dat hij zich verstopt als het luid wordt.\"\n"),
        "{recording}"
    );

    // The tester puts the vault's passphrase in; the recording replays.
    let fixed = recording.replace("CHANGE-ME", PASSPHRASE);
    let rec_path = Path::new("recorded.replay");
    let rec_steps = parse(rec_path, &fixed, &mut FileLoader).unwrap_or_else(|e| panic!("{e:?}"));
    let replayed = run_script(rec_path, &rec_steps, &opts);
    assert!(replayed.failure.is_none(), "{:?}", replayed.failure);
    let a = json_document(&[original]);
    let b = json_document(&[replayed]);
    assert!(!a["runs"][0]["visits"].as_array().unwrap().is_empty());
    assert_eq!(a["runs"][0]["visits"], b["runs"][0]["visits"]);
}

#[test]
fn a_failing_run_keeps_its_visits_and_names_the_nearest_text() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("broken.replay");
    std::fs::write(
        &script,
        format!(
            "passphrase \"{PASSPHRASE}\"\ntype \"{PASSPHRASE}\"\nkey Enter\n\
             key n\ntype \"Kersenboom\"\nkey Tab*2\ntype \"thuis\"\n\
             key Alt-o\ntype \"Iris\"\nkey Enter\ntype \"moeder\"\nkey Enter Down*15 Enter\n\
             wait 2s\nexpect \"Veiligheidscheck - bezoek\"\n"
        ),
    )
    .unwrap();
    let text = std::fs::read_to_string(&script).unwrap();
    let steps = parse(&script, &text, &mut FileLoader).unwrap();
    let outcome = run_script(&script, &steps, &options());
    let failure = outcome.failure.clone().expect("the expectation fails");
    assert!(failure.contains("nearest on the screen"), "{failure}");
    assert!(
        failure.contains("nearest on the screen (row ")
            && failure.contains("\"Veiligheidscheck — bezoek"),
        "{failure}"
    );
    // The draft made before the failing step is in the JSON.
    let doc = json_document(&[outcome]);
    assert_eq!(doc["runs"][0]["passed"], false);
    let visits = doc["runs"][0]["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 1, "{doc}");
    assert_eq!(visits[0]["status"], "draft");
}

#[test]
fn list_keys_prints_every_key_name_the_scripts_know() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["replay", "--list-keys"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for name in [
        "Enter",
        "BackTab",
        "PageDown",
        "Space",
        "F12",
        "Ctrl-Space",
        "Ctrl-x",
        "Alt-k",
        "Alt-9",
    ] {
        assert!(
            text.split_whitespace().any(|w| w == name),
            "{name} missing:\n{text}"
        );
    }
    assert!(text.contains("*N"), "{text}");
}
