//! The app in a real terminal (tmux): it starts, takes keys, restores the
//! terminal when it quits, and `--record` writes a script — without the
//! passphrase — that replays. A run killed with `kill -9` leaves nothing
//! under the next start; SIGTERM saves the draft and restores the
//! terminal; Ctrl-Space hides the visit from inside a text field; the
//! terminal's own cursor follows the focus (for screen readers); the
//! running app can leave no core dump.

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
        let t = Tmux::open(cmd);
        t.wait_for("Typ uw wachtwoord");
        t
    }

    /// A shell in the terminal, to run the app in more than once.
    fn shell() -> Tmux {
        Tmux::open("sh")
    }

    fn open(cmd: &str) -> Tmux {
        let ok = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "this test needs tmux: apt-get install tmux (.ci/run installs it)"
        );
        // One session per terminal: the tests of this file run in parallel.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let session = format!("safevisit-test-{}-{n}", std::process::id());
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
        // Generous: CI runs the other test binaries beside this one.
        for _ in 0..200 {
            if self.screen().contains(text) {
                return;
            }
            sleep(Duration::from_millis(100));
        }
        panic!("`{text}` never appeared:\n{}", self.screen());
    }

    /// The terminal's cursor: column, row, and whether it is shown.
    fn cursor(&self) -> (usize, usize, bool) {
        let out = Command::new("tmux")
            .args([
                "display-message",
                "-p",
                "-t",
                &self.session,
                "#{cursor_x} #{cursor_y} #{cursor_flag}",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let v: Vec<usize> = text
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        (v[0], v[1], v[2] == 1)
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
    // A filled form is not thrown away without a deliberate second choice.
    t.wait_for("Dit formulier weggooien?");
    t.key("Tab");
    t.key("Enter");
    t.wait_for("Concepten (0)");
    // `q` asks first; Enter says yes.
    t.key("q");
    t.wait_for("safevisit stoppen?");
    t.key("Enter");
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
        recorded.contains("key n\ntype \"Kersenboom\"\n"),
        "typed runs are grouped, the `n` of a new visit stays a key: {recorded}"
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

/// A test vault in `dir`, made the way replay makes one.
fn test_vault(tmp: &Path) -> std::path::PathBuf {
    let dir = tmp.join("vault");
    let setup = tmp.join("setup.replay");
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
    dir
}

/// The process id of the app running on `dir`, found through /proc.
fn app_pid(dir: &Path) -> u32 {
    let wanted = dir.to_string_lossy().into_owned();
    for _ in 0..50 {
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
                continue;
            };
            let args: Vec<String> = cmdline
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            if args.first().is_some_and(|a| a == bin()) && args.contains(&wanted) {
                return pid;
            }
        }
        sleep(Duration::from_millis(100));
    }
    panic!("the app on {wanted} is not running");
}

fn signal(pid: u32, sig: &str) {
    let status = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Unlock, start a visit of the Kersenboom family, and go to the first
/// long-text question ("Zorgen…"), where the worker types freely.
fn to_a_text_field(t: &Tmux) {
    t.wait_for("Typ uw wachtwoord");
    t.literal(PASSPHRASE);
    t.key("Enter");
    t.wait_for("Concepten (0)");
    t.key("n");
    t.wait_for("Nieuw bezoek");
    t.literal("Kersenboom");
    for _ in 0..15 {
        t.key("Down");
    }
    t.key("Enter");
    t.wait_for("Veiligheidscheck");
    t.key("F2");
    t.wait_for("Naar sectie");
    for _ in 0..8 {
        t.key("Down");
    }
    t.key("Enter");
    t.wait_for("Zorgen: wat is er gebeurd");
}

const CANARY: &str = "GIRAFFENNEK";

/// At the lock screen: unlock, open the one draft, find the canary in it,
/// and quit cleanly.
fn the_draft_holds_the_canary(t: &Tmux) {
    t.literal(PASSPHRASE);
    t.key("Enter");
    t.wait_for("Concepten (1)");
    t.key("Enter");
    t.wait_for(CANARY);
    t.key("F10");
    t.wait_for("Concepten (1)");
    // `q` asks first; Enter says yes.
    t.key("q");
    t.wait_for("safevisit stoppen?");
    t.key("Enter");
}

#[test]
fn a_run_killed_with_sigkill_leaves_nothing_under_the_next_start() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = test_vault(tmp.path());
    let t = Tmux::shell();
    let cmd = format!("{} --data-dir {}", bin(), dir.display());
    t.literal(&cmd);
    t.key("Enter");
    to_a_text_field(&t);
    t.literal(&format!("{CANARY} wil niet gezien worden"));
    t.wait_for(CANARY);
    // Autosave within a second; then the hardest stop there is.
    sleep(Duration::from_millis(1500));
    let pid = app_pid(&dir);
    signal(pid, "-KILL");
    sleep(Duration::from_millis(300));
    // The killed run left its screen, with the answer, in the terminal.
    assert!(t.screen().contains(CANARY), "{}", t.screen());

    // The next start, in the same terminal, clears it before drawing. (The
    // killed run left the terminal raw: Ctrl-J ends the command line.)
    t.literal(&cmd);
    t.key("C-j");
    t.wait_for("Typ uw wachtwoord");
    let lock_screen = t.screen();
    assert!(!lock_screen.contains(CANARY), "{lock_screen}");
    assert!(!lock_screen.contains("Kersenboom"), "{lock_screen}");
    assert!(!lock_screen.contains("Zorgen"), "{lock_screen}");
    // And so does the quick-hide screen.
    t.key("F12");
    sleep(Duration::from_millis(300));
    let hidden = t.screen();
    assert!(hidden.trim().is_empty(), "{hidden}");

    // The answer typed before the kill was saved.
    t.key("Enter");
    t.wait_for("Typ uw wachtwoord");
    the_draft_holds_the_canary(&t);
}

#[test]
fn sigterm_saves_the_draft_and_leaves_a_clean_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = test_vault(tmp.path());
    let cmd = format!("{} --data-dir {}", bin(), dir.display());
    // The shell writes the app's exit status to a file once it is gone.
    let status_file = tmp.path().join("exit-status");
    let t = Tmux::start(&format!(
        "sh -c '{cmd}; echo $? > {}'",
        status_file.display()
    ));
    to_a_text_field(&t);
    // No core dump can be written by the running app.
    let pid = app_pid(&dir);
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");

    t.literal(CANARY);
    t.wait_for(CANARY);
    // At once: before the half-second autosave could run.
    signal(pid, "-TERM");
    let mut status = String::new();
    for _ in 0..200 {
        status = std::fs::read_to_string(&status_file).unwrap_or_default();
        if !status.is_empty() {
            break;
        }
        sleep(Duration::from_millis(100));
    }
    assert_eq!(status.trim(), "143", "128 + SIGTERM");
    // The alternate screen was left and nothing of the visit is in view.
    let after = t.screen();
    assert!(!after.contains(CANARY), "{after}");
    assert!(!after.contains("Kersenboom"), "{after}");

    // The last keystrokes were saved by the signal.
    let t = Tmux::start(&cmd);
    the_draft_holds_the_canary(&t);
}

#[test]
fn ctrl_space_hides_the_visit_from_inside_a_text_field() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = test_vault(tmp.path());
    let cmd = format!("{} --data-dir {}", bin(), dir.display());
    let t = Tmux::start(&cmd);
    to_a_text_field(&t);
    t.literal(CANARY);
    t.wait_for(CANARY);
    t.key("C-Space");
    sleep(Duration::from_millis(300));
    let hidden = t.screen();
    assert!(hidden.trim().is_empty(), "{hidden}");
    // Back, with the text as it was: the chord typed nothing.
    t.key("Enter");
    t.wait_for("Typ uw wachtwoord");
    t.literal(PASSPHRASE);
    t.key("Enter");
    t.wait_for(CANARY);
    t.literal("X");
    t.wait_for(&format!("{CANARY}X"));
    // Ctrl-L redraws without changing anything.
    t.key("C-l");
    t.wait_for(CANARY);
    t.key("F10");
    t.wait_for("Concepten (1)");
    // `q` asks first; Enter says yes.
    t.key("q");
    t.wait_for("safevisit stoppen?");
    t.key("Enter");
}

#[test]
fn closing_the_terminal_saves_the_draft_and_ends_the_app() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = test_vault(tmp.path());
    let cmd = format!("{} --data-dir {}", bin(), dir.display());
    let t = Tmux::start(&cmd);
    to_a_text_field(&t);
    let pid = app_pid(&dir);
    t.literal(CANARY);
    t.wait_for(CANARY);
    // The window is closed: the terminal hangs up under the app.
    drop(t);
    let proc_dir = format!("/proc/{pid}");
    for _ in 0..100 {
        if !Path::new(&proc_dir).exists() {
            break;
        }
        sleep(Duration::from_millis(100));
    }
    assert!(
        !Path::new(&proc_dir).exists(),
        "the app still runs (with the visit in memory) after its terminal closed"
    );

    let t = Tmux::start(&cmd);
    the_draft_holds_the_canary(&t);
}

#[test]
fn the_terminals_own_cursor_follows_the_focus() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = test_vault(tmp.path());
    let cmd = format!("{} --data-dir {}", bin(), dir.display());
    let t = Tmux::start(&cmd);
    to_a_text_field(&t);
    t.literal(CANARY);
    t.wait_for(CANARY);
    // In the text field, right after what was typed.
    let (x, y, shown) = t.cursor();
    assert!(shown, "{}", t.screen());
    let screen = t.screen();
    let row: Vec<char> = screen.lines().nth(y).unwrap().chars().collect();
    let before: String = row[..x].iter().collect();
    assert!(before.ends_with(CANARY), "cursor at {x},{y}:\n{screen}");
    // Hidden: no cursor either.
    t.key("C-Space");
    sleep(Duration::from_millis(300));
    assert!(!t.cursor().2, "the hidden screen shows a cursor");
    t.key("Enter");
    t.wait_for("Typ uw wachtwoord");
    t.literal(PASSPHRASE);
    t.key("Enter");
    t.wait_for(CANARY);
    t.key("F10");
    t.wait_for("Concepten (1)");
    // Home: on the selected draft.
    let (_, y, shown) = t.cursor();
    assert!(shown);
    assert!(
        t.screen().lines().nth(y).unwrap().contains("▶"),
        "{}",
        t.screen()
    );
    t.key("q");
}
