//! The command line of checklists, completions, the manual page and help.

use std::path::Path;
use std::process::{Command, Output};

fn safevisit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(args)
        .env_remove("SAFEVISIT_DATA_DIR")
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .env("XDG_DATA_HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn list_shows_the_five_bundled_checklists() {
    let out = safevisit(&["checklists", "list"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for id in [
        "veiligheid",
        "trauma-kind",
        "trauma-ouder",
        "gezinsanalyse",
        "hulp-en-regie",
    ] {
        assert!(text.lines().any(|l| l.starts_with(id)), "{id} in\n{text}");
    }
    assert!(text.contains("meegeleverd"));
}

#[test]
fn show_prints_an_outline_in_the_chosen_language() {
    let out = safevisit(&["checklists", "show", "trauma-kind", "--lang", "en"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with("trauma-kind — "));
    assert!(text.contains("Age bands:"));
    assert!(text.contains("decision support, not a decision"));
    let out = safevisit(&["checklists", "show", "trauma-knd"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bedoelt u `trauma-kind`?"));
}

#[test]
fn validate_is_clean_for_the_bundled_files_and_exits_1_on_mistakes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists");
    let out = safevisit(&["checklists", "validate", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("5 bestanden in orde"));
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("kapot.toml");
    std::fs::write(
        &bad,
        "id = \"kapot\"\nversion = 1\napplies_to = \"bezoek\"\n",
    )
    .unwrap();
    let out = safevisit(&[
        "checklists",
        "validate",
        bad.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "error[SV0204]: `applies_to` cannot be \"bezoek\"\n --> {}:3:14",
            bad.display()
        )),
        "{text}"
    );
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains("errors in 1 of 1 file"),
        "{text}"
    );
}

#[test]
fn completions_and_the_manual_page_come_from_the_command_definitions() {
    for shell in ["bash", "zsh", "fish"] {
        let out = safevisit(&["completions", shell]);
        assert!(out.status.success());
        let text = stdout(&out);
        assert!(
            text.contains("safevisit") && text.contains("supervisor"),
            "{shell}"
        );
    }
    let out = safevisit(&["man"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains(".TH safevisit"));
    assert!(text.contains("replay"));
}

#[test]
fn help_has_examples_and_exit_codes_and_usage_errors_exit_2() {
    let out = safevisit(&["--help"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("Exit codes: 0 success"));
    assert!(text.contains("safevisit checklists validate"));
    let out = safevisit(&["checklists", "--no-such-option"]);
    assert_eq!(out.status.code(), Some(2));
    let out = safevisit(&["--lang", "de", "checklists", "list"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The editor settings the docs suggest beside the checklists
/// (`.taplo.toml`, `taplo.toml`) are no checklists: a folder holding them
/// validates as its checklists do, and laptops do not warn about them.
#[test]
fn editor_settings_beside_the_checklists_are_not_checklists() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    std::fs::create_dir(&org).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists/veiligheid.toml"),
        org.join("veiligheid.toml"),
    )
    .unwrap();
    let taplo = "[[rule]]\ninclude = [\"**/*.toml\"]\nexclude = [\".taplo.toml\"]\n\n[rule.schema]\npath = \"./checklist.schema.json\"\n";
    std::fs::write(org.join(".taplo.toml"), taplo).unwrap();
    std::fs::write(org.join("taplo.toml"), taplo).unwrap();
    let out = safevisit(&[
        "--lang",
        "en",
        "checklists",
        "validate",
        org.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout(&out).contains("taplo"), "{}", stdout(&out));
    let out = safevisit(&[
        "--lang",
        "en",
        "--checklists",
        org.to_str().unwrap(),
        "checklists",
        "list",
    ]);
    let all = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("taplo"), "{all}");
}
