//! The app in a real terminal (tmux): it starts, takes keys, restores the
//! terminal when it quits, and `--record` writes a script — without the
//! passphrase — that replays.

use std::path::Path;
use std::process::Command;
use std::thread::sleep;
use std::time::Duration;

const PASSPHRASE: &str = "appelboom tuinhek regenjas zeventien";

struct Tmux {
    session: String,
}

impl Tmux {
    fn start(cmd: &str) -> Tmux {
        let ok = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "this test needs tmux: apt-get install tmux (.ci/run installs it)"
        );
        let session = format!("safevisit-test-{}", std::process::id());
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
        let t = Tmux { session };
        t.wait_for("Typ uw wachtwoord");
        t
    }

    fn literal(&self, text: &str) {
        Command::new("tmux")
            .args(["send-keys", "-t", &self.session, "-l", text])
            .status()
            .unwrap();
        sleep(Duration::from_millis(100));
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
        for _ in 0..100 {
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

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_safevisit")
}

#[test]
fn a_recorded_live_session_replays_and_never_holds_the_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    // A test vault, made the way replay makes one.
    let setup = tmp.path().join("setup.replay");
    std::fs::write(&setup, format!("passphrase \"{PASSPHRASE}\"\n")).unwrap();
    let out = Command::new(bin())
        .args(["replay", "--data-dir"])
        .arg(&dir)
        .arg(&setup)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let script = tmp.path().join("live.replay");
    let cmd = format!(
        "{} --data-dir {} --record {}",
        bin(),
        dir.display(),
        script.display()
    );
    let t = Tmux::start(&cmd);
    t.literal(PASSPHRASE);
    t.key("Enter");
    t.wait_for("Concepten (0)");
    t.key("n");
    t.wait_for("Nieuw bezoek");
    t.literal("Kersenboom");
    t.key("F10");
    t.wait_for("Concepten (0)");
    t.key("q");
    for _ in 0..50 {
        if t.dead() {
            break;
        }
        sleep(Duration::from_millis(100));
    }
    assert!(t.dead(), "the app quit");
    // The alternate screen was left: nothing of the app stays on the terminal.
    assert!(!t.screen().contains("Concepten"), "{}", t.screen());

    let recorded = std::fs::read_to_string(&script).unwrap();
    assert!(!recorded.contains(PASSPHRASE), "{recorded}");
    assert!(
        !recorded.contains("appelboom"),
        "no part of the passphrase: {recorded}"
    );
    assert!(recorded.contains("WARNING: this file holds everything that was typed"));
    assert!(recorded.contains("passphrase \"CHANGE-ME\""));
    assert!(recorded.contains("type \"CHANGE-ME\""));
    assert!(
        recorded.contains("type \"nKersenboom\""),
        "typed runs are grouped: {recorded}"
    );
    assert!(recorded.contains("key F10"));

    // With the placeholder filled in, the recording replays in a fresh vault.
    let filled = recorded.replace("CHANGE-ME", PASSPHRASE) + "expect \"Concepten (0)\"\n";
    let replayable = tmp.path().join("filled.replay");
    std::fs::write(&replayable, filled).unwrap();
    let out = Command::new(bin())
        .arg("replay")
        .arg(&replayable)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.ends_with("1 passed, 0 failed\n"));
    assert!(Path::new(&replayable).exists());
}
