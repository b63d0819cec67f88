//! The headless runner: each script drives the real app (`tui::update` and
//! `tui::view` on a ratatui `TestBackend`) against a real vault — a fresh
//! temporary test vault, or one in `--data-dir` — with an injected clock and
//! sequential ids, so the same script gives the same screens and records.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use time::{Duration, PrimitiveDateTime};

use crate::case::CaseCard;
use crate::checklist::Catalog;
use crate::i18n::{Lang, Text};
use crate::replay::script::{Step, StepKind, default_now};
use crate::store::envelope::open_record;
use crate::store::test_org_key::{read_test_org_key, write_test_org_key};
use crate::store::{InitOptions, Status as StoreStatus, Vault};
use crate::tui::app::{Options, SequentialIds, State};
use crate::tui::event::{CaseEntry, Event, ExportDone, Key, ListEntry, UnlockFailure};
use crate::tui::shell::{Recorder, Shell, VaultPort};
use crate::tui::store_port::{InitSettings, StoreVault};
use crate::tui::theme::Theme;
use crate::visit::record::{VisitRecord, summary};
use crate::visit::report::{Status, visit_json};
use crate::visit::{Visit, derive};

/// The scrypt work factor of replay vaults: fast, and marks them as test vaults.
pub const REPLAY_LOG_N: u8 = 2;
/// The fixed device id of replay vaults (ids must not vary between runs).
pub const REPLAY_DEVICE_ID: &str = "replay-device";
pub const REPLAY_DEVICE_NAME: &str = "replay";

/// How scripts are run.
pub struct RunOptions {
    pub catalog: Arc<Catalog>,
    /// Use (and keep) this data directory instead of a temporary one.
    pub data_dir: Option<PathBuf>,
    /// Where snapshots are kept (default: `snapshots/` beside each script).
    pub snapshots: Option<PathBuf>,
    pub update_snapshots: bool,
    /// Collect the visits of each run for `--json`.
    pub collect_json: bool,
}

/// What one script did.
pub struct ScriptOutcome {
    pub script: String,
    /// `None` when every step held; else the report: location, what was
    /// expected, and the screen.
    pub failure: Option<String>,
    /// Snapshots written by `--update-snapshots`.
    pub written: Vec<PathBuf>,
    pub visits: Vec<Value>,
}

/// The vault as the app sees it, remembering the run's passphrase so the
/// runner can read the drafts back for `--json` (test vaults only).
struct ReplayVault {
    inner: StoreVault,
    passphrase: Option<SecretString>,
    /// Where exports with an empty or relative path land: the folder that
    /// holds the vault (the temporary folder of a run, or the parent of
    /// `--data-dir`). Paths in messages are shown relative to it, so a
    /// script's screens do not depend on where it ran.
    exports: PathBuf,
}

impl VaultPort for ReplayVault {
    fn arrived(&mut self) -> u64 {
        self.inner.arrived()
    }

    fn apply_receipt(&mut self, path: &Path) -> Result<Text, Text> {
        self.inner.apply_receipt(path)
    }

    fn init(
        &mut self,
        recipients: &[String],
        org_card: Option<&crate::cards::OrgCard>,
        device_name: &str,
        passphrase: SecretString,
    ) -> Result<(), Text> {
        let keep = SecretString::from(passphrase.expose_secret().to_string());
        self.inner
            .init(recipients, org_card, device_name, passphrase)?;
        self.passphrase = Some(keep);
        Ok(())
    }

    fn unlock(&mut self, passphrase: SecretString) -> Result<Vec<ListEntry>, UnlockFailure> {
        let keep = SecretString::from(passphrase.expose_secret().to_string());
        let r = self.inner.unlock(passphrase)?;
        self.passphrase = Some(keep);
        Ok(r)
    }

    fn lock(&mut self) {
        self.inner.lock()
    }

    fn cases(&mut self, today: time::Date) -> Result<Vec<CaseEntry>, Text> {
        self.inner.cases(today)
    }

    fn case(&mut self, id: &str) -> Result<Option<CaseCard>, Text> {
        self.inner.case(id)
    }

    fn close_case(&mut self, id: &str, reason: &str, now: PrimitiveDateTime) -> Result<(), Text> {
        self.inner.close_case(id, reason, now)
    }

    fn case_retention_days(&mut self) -> u32 {
        self.inner.case_retention_days()
    }

    fn take_notices(&mut self) -> Vec<Text> {
        self.inner.take_notices()
    }

    fn list(&mut self) -> Result<Vec<ListEntry>, Text> {
        self.inner.list()
    }

    fn load_draft(&mut self, id: &str) -> Result<VisitRecord, Text> {
        self.inner.load_draft(id)
    }

    fn save_draft(&mut self, record: &VisitRecord) -> Result<(), Text> {
        self.inner.save_draft(record)
    }

    fn discard_draft(&mut self, id: &str) -> Result<(), Text> {
        self.inner.discard_draft(id)
    }

    fn finalize(&mut self, record: VisitRecord) -> Result<u64, Text> {
        self.inner.finalize(record)
    }

    fn export(
        &mut self,
        out: Option<PathBuf>,
        all: bool,
        now: PrimitiveDateTime,
    ) -> Result<ExportDone, Text> {
        let out = match out {
            Some(p) if p.is_absolute() => p,
            Some(p) => self.exports.join(p),
            None => self.exports.clone(),
        };
        let mut done = self.inner.export(Some(out), all, now)?;
        if let Some(p) = &done.path
            && let Ok(rel) = p.strip_prefix(&self.exports)
        {
            done.path = Some(rel.to_path_buf());
        }
        Ok(done)
    }
}

/// The screen as text: one line per row, trailing spaces trimmed.
pub fn screen_text(backend: &TestBackend) -> String {
    let buf = backend.buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The settings collected before the app starts.
struct Setup {
    size: (u16, u16),
    lang: Lang,
    now: PrimitiveDateTime,
    passphrase: Option<String>,
}

struct Run<'a, 'r> {
    recorder: Option<&'r mut dyn Recorder>,
    opts: &'a RunOptions,
    script: &'a Path,
    shell: Shell<TestBackend, ReplayVault>,
    now: PrimitiveDateTime,
    org: age::x25519::Identity,
    written: Vec<PathBuf>,
}

fn at(step: &Step) -> String {
    format!("{}:{}", step.file, step.line)
}

/// Run one parsed script.
pub fn run_script(script: &Path, steps: &[Step], opts: &RunOptions) -> ScriptOutcome {
    run_script_recording(script, steps, opts, None)
}

/// Run one parsed script, showing every event it makes to `recorder` as
/// the live terminal shows its events to `--record` (the round-trip test
/// records a run and replays the recording).
pub fn run_script_recording(
    script: &Path,
    steps: &[Step],
    opts: &RunOptions,
    recorder: Option<&mut dyn Recorder>,
) -> ScriptOutcome {
    let name = script.display().to_string();
    let fail = |failure: String| ScriptOutcome {
        script: name.clone(),
        failure: Some(failure),
        written: Vec::new(),
        visits: Vec::new(),
    };
    let temp;
    let dir = match &opts.data_dir {
        Some(d) => d.clone(),
        None => match tempfile::Builder::new()
            .prefix("safevisit-replay-")
            .tempdir()
        {
            Ok(t) => {
                temp = t;
                temp.path().join("vault")
            }
            Err(e) => return fail(format!("{name}: cannot make a temporary vault: {e}")),
        },
    };
    let mut setup = Setup {
        size: (80, 24),
        lang: Lang::Nl,
        now: default_now(),
        passphrase: None,
    };
    // Steps before the first action set up the run.
    let first_action = steps
        .iter()
        .position(|s| {
            !matches!(
                s.kind,
                StepKind::Size(..) | StepKind::Lang(_) | StepKind::Now(_) | StepKind::Passphrase(_)
            )
        })
        .unwrap_or(steps.len());
    for s in &steps[..first_action] {
        match &s.kind {
            StepKind::Size(w, h) => setup.size = (*w, *h),
            StepKind::Lang(l) => setup.lang = *l,
            StepKind::Now(t) => setup.now = *t,
            StepKind::Passphrase(p) => setup.passphrase = Some(p.clone()),
            _ => {}
        }
    }
    let mut run = match start(&dir, &setup, opts, script) {
        Ok(r) => r,
        Err(e) => return fail(format!("{name}: {e}")),
    };
    run.recorder = recorder;
    for step in &steps[first_action..] {
        if let Err(report) = run.step(step) {
            // The visits as they stood when the step failed help to see why.
            let visits = if opts.collect_json {
                run.tick(run.now + Duration::seconds(1));
                run.visits().unwrap_or_default()
            } else {
                Vec::new()
            };
            return ScriptOutcome {
                script: name,
                failure: Some(report),
                written: run.written,
                visits,
            };
        }
    }
    if let Some(r) = run.recorder.as_mut() {
        r.finish();
    }
    // The run ends as if a second passed: pending autosaves land.
    run.tick(run.now + Duration::seconds(1));
    let visits = if opts.collect_json {
        match run.visits() {
            Ok(v) => v,
            Err(e) => return fail(format!("{name}: the visits could not be read back: {e}")),
        }
    } else {
        Vec::new()
    };
    ScriptOutcome {
        script: name,
        failure: None,
        written: run.written,
        visits,
    }
}

fn start<'a, 'r>(
    dir: &Path,
    setup: &Setup,
    opts: &'a RunOptions,
    script: &'a Path,
) -> Result<Run<'a, 'r>, String> {
    let settings = InitSettings {
        device_id: Some(REPLAY_DEVICE_ID.into()),
        scrypt_log_n: Some(REPLAY_LOG_N),
    };
    let exists = Vault::exists(dir);
    let mut org = age::x25519::Identity::generate();
    let (vault, passphrase) = if exists {
        let v = Vault::open(dir).map_err(|e| e.describe(Lang::En))?;
        if !v.device().test_vault {
            return Err(format!(
                "{} is not a test vault; replay only runs against vaults it made",
                dir.display()
            ));
        }
        if let Some(k) = read_test_org_key(dir).map_err(|e| e.describe(Lang::En))? {
            org = k;
        }
        (Some(v), setup.passphrase.clone())
    } else if let Some(p) = &setup.passphrase {
        let v = Vault::init(
            dir,
            InitOptions {
                recipients: vec![crate::store::Recipient::from(org.to_public())],
                device_name: REPLAY_DEVICE_NAME.into(),
                passphrase: SecretString::from(p.clone()),
                device_id: settings.device_id.clone(),
                scrypt_log_n: settings.scrypt_log_n,
            },
        )
        .map_err(|e| e.describe(Lang::En))?;
        write_test_org_key(&v, &org).map_err(|e| e.describe(Lang::En))?;
        let mut v = v;
        v.lock();
        (Some(v), Some(p.clone()))
    } else {
        (None, None)
    };
    let state = State::new(Options {
        lang: setup.lang,
        theme: Theme::from_no_color(true),
        size: setup.size,
        now: setup.now,
        lock_after: Duration::minutes(5),
        catalog: opts.catalog.clone(),
        ids: Box::new(SequentialIds::default()),
        vault_exists: vault.is_some(),
    });
    let terminal =
        Terminal::new(TestBackend::new(setup.size.0, setup.size.1)).map_err(|e| e.to_string())?;
    let exports = match dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => p.to_path_buf(),
        None => PathBuf::from("."),
    };
    let port = ReplayVault {
        inner: StoreVault::new(dir, vault, settings),
        passphrase: passphrase.map(SecretString::from),
        exports,
    };
    let mut shell = Shell::new(terminal, state, port);
    shell.draw().map_err(|e| e.to_string())?;
    Ok(Run {
        recorder: None,
        opts,
        script,
        shell,
        now: setup.now,
        org,
        written: Vec::new(),
    })
}

/// The text on the screen most like `wanted`: the stretch of a row of the
/// same length with the smallest edit distance (row numbers from 1), when
/// it is at least half alike.
pub fn nearest(screen: &str, wanted: &str) -> Option<(usize, String)> {
    let len = wanted.chars().count();
    let mut best: Option<(f64, usize, String)> = None;
    for (row, line) in screen.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        if chars.is_empty() {
            continue;
        }
        let width = len.min(chars.len());
        for start in 0..=chars.len() - width {
            let window: String = chars[start..start + width].iter().collect();
            let score = strsim::normalized_levenshtein(&window, wanted);
            if best.as_ref().is_none_or(|(b, _, _)| score > *b) {
                best = Some((score, row + 1, window));
            }
        }
    }
    best.filter(|(score, _, _)| *score >= 0.5)
        .map(|(_, row, text)| (row, text.trim().to_string()))
}

/// A line-by-line difference of two screens.
fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i).copied(), a.get(i).copied());
        if x != y {
            if let Some(x) = x {
                out.push_str(&format!("  -{:>3} | {x}\n", i + 1));
            }
            if let Some(y) = y {
                out.push_str(&format!("  +{:>3} | {y}\n", i + 1));
            }
        }
    }
    out
}

impl Run<'_, '_> {
    fn record(&mut self, event: &Event) {
        if let Some(r) = self.recorder.as_mut() {
            let state = &self.shell.state;
            r.event(self.now, event, state.typing_secret(), state.typing_text());
        }
    }

    fn key(&mut self, k: Key) {
        self.record(&Event::Key(k));
        self.shell.handle(Event::Key(k));
        // Every keystroke is drawn, as in a real terminal.
        let _ = self.shell.draw();
    }

    fn tick(&mut self, now: PrimitiveDateTime) {
        self.now = now;
        self.shell.handle(Event::Tick(now));
        let _ = self.shell.draw();
    }

    fn screen(&self) -> String {
        screen_text(self.shell.terminal.backend())
    }

    fn step(&mut self, step: &Step) -> Result<(), String> {
        match &step.kind {
            StepKind::Size(w, h) => {
                self.record(&Event::Resize(*w, *h));
                self.shell.terminal.backend_mut().resize(*w, *h);
                self.shell.handle(Event::Resize(*w, *h));
                let _ = self.shell.terminal.clear();
                let _ = self.shell.draw();
            }
            StepKind::Lang(l) => {
                self.shell.state.lang = *l;
                let _ = self.shell.draw();
            }
            StepKind::Now(t) => self.tick(*t),
            StepKind::Wait(d) => self.tick(self.now + *d),
            StepKind::Passphrase(_) => {
                return Err(format!(
                    "{}: `passphrase` must come before the first key, type or expect step\n",
                    at(step)
                ));
            }
            StepKind::Keys(keys) => {
                for k in keys {
                    self.key(*k);
                }
            }
            StepKind::Type(text) => {
                for c in text.chars() {
                    self.key(Key::Char(c));
                }
            }
            StepKind::TypeOrgKey => {
                let r = self.org.to_public().to_string();
                for c in r.chars() {
                    self.key(Key::Char(c));
                }
            }
            StepKind::Paste(text) => {
                self.record(&Event::Paste(text.clone()));
                self.shell.handle(Event::Paste(text.clone()));
                let _ = self.shell.draw();
            }
            StepKind::Expect(text) => {
                let screen = self.screen();
                if !screen.lines().any(|l| l.contains(text.as_str())) {
                    let hint = nearest(&screen, text).map_or_else(String::new, |(row, near)| {
                        format!("  nearest on the screen (row {row}): \"{near}\"\n")
                    });
                    return Err(format!(
                        "{}: expected \"{text}\" on the screen\n{hint}{screen}",
                        at(step)
                    ));
                }
            }
            StepKind::ExpectNot(text) => {
                let screen = self.screen();
                if screen.lines().any(|l| l.contains(text.as_str())) {
                    return Err(format!(
                        "{}: expected \"{text}\" not to be on the screen\n{screen}",
                        at(step)
                    ));
                }
            }
            StepKind::Snapshot(name) => self.snapshot(step, name)?,
        }
        Ok(())
    }

    fn snapshot(&mut self, step: &Step, name: &str) -> Result<(), String> {
        let dir = match &self.opts.snapshots {
            Some(d) => d.clone(),
            None => self
                .script
                .parent()
                .unwrap_or(Path::new("."))
                .join("snapshots"),
        };
        let path = dir.join(format!("{name}.txt"));
        let screen = self.screen();
        if self.opts.update_snapshots {
            std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::write(&path, &screen))
                .map_err(|e| {
                    format!(
                        "{}: cannot write snapshot {}: {e}\n",
                        at(step),
                        path.display()
                    )
                })?;
            self.written.push(path);
            return Ok(());
        }
        match crate::replay::script::read_script(&path) {
            Ok(stored) if stored == screen => Ok(()),
            Ok(stored) => Err(format!(
                "{}: the screen differs from snapshot {} (- stored, + now):\n{}\n{screen}",
                at(step),
                path.display(),
                diff(&stored, &screen)
            )),
            Err(_) => Err(format!(
                "{}: there is no stored snapshot {}; run with --update-snapshots to write it\n{screen}",
                at(step),
                path.display()
            )),
        }
    }

    /// Every visit of the run as JSON: drafts (read with the run's
    /// passphrase) and finalized visits (read with the test organisation key).
    fn visits(&mut self) -> Result<Vec<Value>, String> {
        let passphrase = self
            .shell
            .port
            .passphrase
            .as_ref()
            .map(|p| SecretString::from(p.expose_secret().to_string()));
        let catalog = self.opts.catalog.clone();
        let org = self.org.clone();
        let Some(vault) = self.shell.port.inner.vault() else {
            return Ok(Vec::new());
        };
        if !vault.is_unlocked() {
            let Some(p) = passphrase else {
                return Ok(Vec::new());
            };
            vault.unlock(&p).map_err(|e| e.describe(Lang::En))?;
        }
        let mut out = Vec::new();
        for entry in vault.list().map_err(|e| e.describe(Lang::En))? {
            if entry.status != StoreStatus::Draft {
                continue;
            }
            let rec = vault
                .load_draft(&entry.id)
                .map_err(|e| e.describe(Lang::En))?;
            let (visit, _) = Visit::from_record(&rec, |id| catalog.get(id).cloned())
                .map_err(|e| e.to_string())?;
            let s = summary(&visit, &derive(&visit));
            out.push(visit_json(&rec, Status::Draft, &s));
        }
        for file in vault
            .finalized_records(true)
            .map_err(|e| e.describe(Lang::En))?
        {
            let rec = open_record(&file.ciphertext, &[&org]).map_err(|e| e.to_string())?;
            let s = rec
                .finalized
                .as_ref()
                .map(|f| f.summary.clone())
                .unwrap_or_default();
            out.push(visit_json(&rec, Status::Finalized, &s));
        }
        out.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        Ok(out)
    }
}

/// The `--json` document of a whole replay.
pub fn json_document(outcomes: &[ScriptOutcome]) -> Value {
    json!({
        "schema_version": crate::visit::report::SCHEMA_VERSION,
        "runs": outcomes
            .iter()
            .map(|o| json!({ "script": o.script, "passed": o.failure.is_none(), "visits": o.visits }))
            .collect::<Vec<_>>(),
    })
}
