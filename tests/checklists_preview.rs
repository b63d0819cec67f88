//! `safevisit checklists preview` in a real terminal (tmux): it opens the
//! named checklist in a visit of a fictional family, says PREVIEW on the
//! screen, quits, and leaves nothing behind: the data directory is never
//! made and no file appears.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::Duration;

struct Tmux {
    session: String,
}

impl Tmux {
    fn open(cmd: &str) -> Tmux {
        let ok = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "this test needs tmux: apt-get install tmux (.ci/run installs it)"
        );
        let session = format!("safevisit-preview-{}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                "80",
                "-y",
                "24",
                cmd,
            ])
            .status()
            .unwrap();
        assert!(status.success());
        let _ = Command::new("tmux")
            .args(["set-option", "-t", &session, "remain-on-exit", "on"])
            .status();
        Tmux { session }
    }

    fn key(&self, key: &str) {
        Command::new("tmux")
            .args(["send-keys", "-t", &self.session, key])
            .status()
            .unwrap();
        sleep(Duration::from_millis(100));
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, text: &str) {
        // Generous: CI runs the other test binaries beside this one.
        for _ in 0..200 {
            if self.screen().contains(text) {
                return;
            }
            sleep(Duration::from_millis(100));
        }
        panic!("`{text}` never appeared:\n{}", self.screen());
    }

    fn dead(&self) -> bool {
        let out = Command::new("tmux")
            .args(["display-message", "-p", "-t", &self.session, "#{pane_dead}"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        }
        out.push(p);
    }
    out.sort();
    out
}

#[test]
fn a_preview_opens_the_checklist_quits_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("trauma-kind.toml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists/trauma-kind.toml"),
        &file,
    )
    .unwrap();
    let data = tmp.path().join("data");
    let before = files_under(tmp.path());
    let cmd = format!(
        "env HOME={home} XDG_DATA_HOME={home}/xdg SAFEVISIT_DATA_DIR={data} {bin} checklists preview {file} --child-age 4 --caregivers 2",
        home = tmp.path().display(),
        data = data.display(),
        bin = env!("CARGO_BIN_EXE_safevisit"),
        file = file.display(),
    );
    let t = Tmux::open(&cmd);
    t.wait_for("VOORBEELD / PREVIEW — niets wordt bewaard");
    // Straight into the named list, for the fictional child Mila (4).
    t.wait_for("Mila (4) · Traumascreening");
    // Answer the first question; the draft lives in memory only.
    t.key("1");
    t.wait_for("(•) 1");
    t.key("q");
    t.wait_for("Dit is een voorbeeld");
    t.key("Enter");
    for _ in 0..50 {
        if t.dead() {
            break;
        }
        sleep(Duration::from_millis(100));
    }
    assert!(t.dead(), "the preview quit:\n{}", t.screen());
    assert!(!t.screen().contains("VOORBEELD"), "{}", t.screen());
    assert!(!data.exists(), "the data directory was never made");
    assert_eq!(files_under(tmp.path()), before, "no file appeared");
}

#[test]
fn a_broken_checklist_is_reported_and_nothing_opens() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("kapot.toml");
    std::fs::write(&file, "id = \"kapot\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["checklists", "preview"])
        .arg(&file)
        .env("SAFEVISIT_DATA_DIR", tmp.path().join("data"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("kapot.toml:"), "{stderr}");
    assert!(stderr.contains("Niets geopend"), "{stderr}");
    assert!(!tmp.path().join("data").exists());
}
