//! `safevisit init` and `safevisit status` as a user runs them: what they
//! print, what they refuse, and that a passphrase never comes from the
//! command line or the environment.
//!
//! Commands run under `setsid`, without a terminal, so that anything that
//! would ask for a passphrase fails instead of waiting.

mod vault_support;
use vault_support as common;

use std::path::Path;
use std::process::{Command, Output};

use common::{PASSPHRASE, small, summary, test_vault};
use safevisit::store::Vault;

const ORG: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const BACKUP: &str = "age1029enxydy9lldw8q2q3tm7gkph045w0cpxk0qyj90ce93xkc949qeu88qs";

fn safevisit(dir: &Path, args: &[&str]) -> Output {
    Command::new("setsid")
        .arg(env!("CARGO_BIN_EXE_safevisit"))
        .args(["--lang", "en"])
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("SAFEVISIT_DATA_DIR")
        .output()
        .expect("run safevisit (needs `setsid` from util-linux)")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn pass_file(dir: &Path, pass: &str) -> String {
    let p = dir.join("pass.txt");
    std::fs::write(&p, format!("{pass}\n")).unwrap();
    std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    p.display().to_string()
}

#[test]
fn init_then_status() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let pass = pass_file(tmp.path(), PASSPHRASE);
    let out = safevisit(
        &dir,
        &[
            "init",
            "--recipient",
            ORG,
            "--recipient",
            BACKUP,
            "--device-name",
            "laptop-3",
            "--passphrase-file",
            &pass,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("Vault created") && stdout.contains("laptop-3") && stdout.contains(BACKUP),
        "{stdout}"
    );
    assert!(!stderr.contains("only one recipient"), "{stderr}");
    assert!(!stdout.contains(PASSPHRASE) && !stderr.contains(PASSPHRASE));
    let v = Vault::open(&dir).unwrap();
    assert!(!v.device().test_vault);
    drop(v);

    // No finalized visit yet: status needs no passphrase (there is no terminal to ask one).
    let out = safevisit(&dir, &["status"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("drafts:                       0"),
        "{stdout}"
    );

    // Again: refused, the vault untouched.
    let identity = std::fs::read(dir.join("identity.age")).unwrap();
    let out = safevisit(
        &dir,
        &[
            "init",
            "--recipient",
            ORG,
            "--device-name",
            "x",
            "--passphrase-file",
            &pass,
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("There is already a vault") && stderr.contains("never overwrites"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(dir.join("identity.age")).unwrap(), identity);
}

#[test]
fn status_asks_for_the_passphrase_only_when_it_needs_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (mut v, _org) = test_vault(&dir);
    v.save_draft(&small("bezoek-a", 1)).unwrap();
    v.finalize(small("bezoek-b", 1), summary(), "2025-03-04T11:00:00")
        .unwrap();
    v.finalize(small("bezoek-c", 1), summary(), "2025-03-04T12:00:00")
        .unwrap();
    v.mark_exported(&["bezoek-b".into()]).unwrap();
    // Each finalized visit opened a case; one is closed again.
    v.close_case("bezoek-c", "verhuisd", "2025-03-05T09:00:00")
        .unwrap();
    drop(v);

    // Without a terminal or a file: says how to give it.
    let out = safevisit(&dir, &["status"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("--passphrase-file"), "{stderr}");

    let pass = pass_file(tmp.path(), PASSPHRASE);
    let out = safevisit(&dir, &["status", "--passphrase-file", &pass]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "drafts:                       1\nfinalized, not yet exported:  1\nexported:                     1\narrived at the office:        0\nopen cases:                   1\n"
    );
    assert!(stderr.contains("test vault"), "{stderr}");
    assert!(!stdout.contains("Appelboom"), "status shows counts only");

    let wrong = pass_file(tmp.path(), "kersenboom tuinhek zeventien regenjaz");
    let out = safevisit(&dir, &["status", "--passphrase-file", &wrong]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("passphrase does not match"), "{stderr}");
    assert!(!stderr.contains("regenjaz") && !stdout.contains("regenjaz"));
}

#[test]
fn init_refuses_bad_input_with_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let pass = pass_file(tmp.path(), PASSPHRASE);

    let out = safevisit(
        &dir,
        &["init", "--device-name", "x", "--passphrase-file", &pass],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("No organisation recipient") && stderr.contains("--recipient age1"),
        "{stderr}"
    );

    let file = tmp.path().join("org.txt");
    std::fs::write(&file, format!("# office\n{ORG}\n\nage1notakey\n")).unwrap();
    let out = safevisit(
        &dir,
        &[
            "init",
            "--recipients-file",
            file.to_str().unwrap(),
            "--device-name",
            "x",
            "--passphrase-file",
            &pass,
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains(&format!("{}:4: ", file.display())),
        "{stderr}"
    );

    let secret = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
    let out = safevisit(
        &dir,
        &[
            "init",
            "--recipient",
            secret,
            "--device-name",
            "x",
            "--passphrase-file",
            &pass,
        ],
    );
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("SECRET key") && !stderr.contains("GFPYYSJZ"),
        "{stderr}"
    );

    let weak = pass_file(tmp.path(), "welkom2025!!");
    let out = safevisit(
        &dir,
        &[
            "init",
            "--recipient",
            ORG,
            "--device-name",
            "x",
            "--passphrase-file",
            &weak,
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("too easy to guess") && stderr.contains("What passes"),
        "{stderr}"
    );
    assert!(!stderr.contains("welkom2025"));
    assert!(!dir.join("vault.toml").exists());
}

#[test]
fn a_passphrase_on_the_command_line_or_in_the_environment_is_impossible() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    // There is no such option: a usage error.
    let out = safevisit(
        &dir,
        &["init", "--recipient", ORG, "--passphrase", PASSPHRASE],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("vault.toml").exists());
    // An environment variable is never read: without a terminal or a file, init stops.
    for var in ["SAFEVISIT_PASSPHRASE", "PASSPHRASE", "AGE_PASSPHRASE"] {
        let out = Command::new("setsid")
            .arg(env!("CARGO_BIN_EXE_safevisit"))
            .args([
                "--lang",
                "en",
                "init",
                "--recipient",
                ORG,
                "--device-name",
                "x",
                "--data-dir",
            ])
            .arg(&dir)
            .env(var, PASSPHRASE)
            .output()
            .unwrap();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{var}: {stderr}");
        assert!(stderr.contains("no terminal"), "{var}: {stderr}");
        assert!(!dir.join("vault.toml").exists());
    }
}

#[test]
fn one_recipient_gets_a_warning_and_a_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let pass = pass_file(tmp.path(), PASSPHRASE);
    let out = Command::new("setsid")
        .arg(env!("CARGO_BIN_EXE_safevisit"))
        .args([
            "init",
            "--recipient",
            ORG,
            "--device-name",
            "laptop-1",
            "--passphrase-file",
            &pass,
            "--data-dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    // Dutch by default.
    assert!(
        stderr.contains("maar één ontvanger") && stderr.contains("back-up"),
        "{stderr}"
    );
    assert!(stdout.contains("Kluis aangemaakt"), "{stdout}");
}

#[test]
fn status_on_a_second_instance_and_on_no_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let none = safevisit(&tmp.path().join("nothing"), &["status"]);
    let (_, stderr) = text(&none);
    assert_eq!(none.status.code(), Some(1));
    assert!(stderr.contains("safevisit init"), "{stderr}");

    let dir = tmp.path().join("data");
    let (v, _org) = test_vault(&dir);
    let out = safevisit(&dir, &["status"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("safevisit is already open on this data directory"),
        "{stderr}"
    );
    drop(v);
    assert!(safevisit(&dir, &["status"]).status.success());
}
