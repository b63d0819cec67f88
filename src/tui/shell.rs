//! The imperative shell around the app: carries out effects against a
//! vault, feeds the replies back into `update`, draws frames, and — in a
//! real terminal — reads keys, ticks the clock, and always restores the
//! terminal (on exit, on error and on panic).

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use ratatui::Terminal;
use ratatui::backend::Backend;
use secrecy::SecretString;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use time::{Date, PrimitiveDateTime};

use crate::case::CaseCard;
use crate::i18n::Text;
use crate::tui::app::{State, update};
use crate::tui::event::{
    CaseEntry, Effect, Event, ExportDone, Key, ListEntry, Listing, Reply, UnlockFailure,
};
use crate::tui::view::view;
use crate::visit::record::VisitRecord;

/// What the app needs from the vault. Errors come back as texts in both
/// languages that say what happened and what to do; never a secret.
pub trait VaultPort {
    /// Make the vault. `org_card`: the organisation's card, whose
    /// recipients are added to `recipients` and whose signing key is pinned.
    fn init(
        &mut self,
        recipients: &[String],
        org_card: Option<&crate::cards::OrgCard>,
        device_name: &str,
        passphrase: SecretString,
    ) -> Result<(), Text>;
    fn unlock(&mut self, passphrase: SecretString) -> Result<Vec<ListEntry>, UnlockFailure>;
    fn lock(&mut self);
    fn list(&mut self) -> Result<Vec<ListEntry>, Text>;
    fn load_draft(&mut self, id: &str) -> Result<VisitRecord, Text>;
    fn save_draft(&mut self, record: &VisitRecord) -> Result<(), Text>;
    fn discard_draft(&mut self, id: &str) -> Result<(), Text>;
    /// Finalize: `record.finalized` carries the summary and time; the vault
    /// fills in the sequence number and the device.
    fn finalize(&mut self, record: VisitRecord) -> Result<u64, Text>;
    fn export(
        &mut self,
        out: Option<PathBuf>,
        all: bool,
        now: PrimitiveDateTime,
    ) -> Result<ExportDone, Text>;
    /// How many visits arrived at the office and were deleted (receipts).
    fn arrived(&mut self) -> u64;
    /// Apply the receipt in `path`: what it did (counts only), or why it
    /// changed nothing.
    fn apply_receipt(&mut self, path: &Path) -> Result<Text, Text>;
    /// What the vault did on its own since it was last asked, to tell the
    /// worker once (shown after the reply to the effect that caused it).
    fn take_notices(&mut self) -> Vec<Text> {
        Vec::new()
    }
    /// The open cases as the home screen lists them, seen on `today`
    /// (label and what is due, next due first; `event::case_entries`).
    fn cases(&mut self, today: Date) -> Result<Vec<CaseEntry>, Text>;
    /// The card of an open case; `None` when it is closed (or unknown).
    fn case(&mut self, id: &str) -> Result<Option<CaseCard>, Text>;
    /// Close a case: `reason` is a key of `case::CLOSE_REASONS`. The card
    /// is deleted; the closure goes to the office with the next export.
    fn close_case(&mut self, id: &str, reason: &str, now: PrimitiveDateTime) -> Result<(), Text>;
    /// How many days a case may stay untouched before the home screen
    /// flags it for closing.
    fn case_retention_days(&mut self) -> u32;
}

/// Where the time comes from: the wall clock, or a replay's script.
pub trait Clock {
    fn now(&self) -> PrimitiveDateTime;
}

/// The local wall clock (UTC when the local offset cannot be read).
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> PrimitiveDateTime {
        let now =
            time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
        PrimitiveDateTime::new(now.date(), now.time())
    }
}

/// The app with its terminal and its vault.
pub struct Shell<B: Backend, P: VaultPort> {
    pub terminal: Terminal<B>,
    pub state: State,
    pub port: P,
    /// Clear the whole terminal before the next frame. Set at the start —
    /// a crashed or killed run may have left its screen behind, and
    /// ratatui only writes the cells it thinks have changed — and by
    /// `Effect::ClearScreen` (hide, lock, Ctrl-L).
    clear_next: bool,
}

impl<B: Backend, P: VaultPort> Shell<B, P> {
    pub fn new(terminal: Terminal<B>, state: State, port: P) -> Shell<B, P> {
        Shell {
            terminal,
            state,
            port,
            clear_next: true,
        }
    }

    /// Handle one event and everything it sets off, until the app is quiet.
    pub fn handle(&mut self, event: Event) {
        let mut queue = VecDeque::from([event]);
        while let Some(ev) = queue.pop_front() {
            for effect in update(&mut self.state, ev) {
                if let Some(reply) = self.execute(effect) {
                    queue.push_back(Event::Reply(reply));
                }
                for notice in self.port.take_notices() {
                    queue.push_back(Event::Reply(Reply::Notice(notice)));
                }
            }
        }
    }

    fn execute(&mut self, effect: Effect) -> Option<Reply> {
        Some(match effect {
            Effect::Init {
                recipients,
                org_card,
                device_name,
                passphrase,
            } => Reply::Initialized(self.port.init(
                &recipients,
                org_card.as_ref(),
                &device_name,
                passphrase,
            )),
            Effect::Unlock(p) => Reply::Unlocked(match self.port.unlock(p) {
                Ok(entries) => self.listing(entries).map_err(UnlockFailure::Other),
                Err(e) => Err(e),
            }),
            Effect::Lock => {
                self.port.lock();
                return None;
            }
            Effect::List => Reply::Listed(self.port.list().and_then(|e| self.listing(e))),
            Effect::LoadDraft(id) => Reply::Draft(self.port.load_draft(&id).map(Box::new)),
            Effect::SaveDraft(rec) => Reply::Saved(self.port.save_draft(&rec)),
            Effect::DiscardDraft(id) => Reply::Discarded(self.port.discard_draft(&id)),
            Effect::Finalize(rec) => Reply::Finalized(self.port.finalize(*rec)),
            Effect::Export { out, all, now } => Reply::Exported(self.port.export(out, all, now)),
            Effect::ReadRecipientsFile(path) => Reply::RecipientsFile(read_recipients_file(&path)),
            Effect::ApplyReceipt(path) => Reply::ReceiptApplied(self.port.apply_receipt(&path)),
            Effect::LoadCase(id) => Reply::Case(self.port.case(&id).map(|c| c.map(Box::new))),
            Effect::CloseCase {
                case_id,
                reason,
                now,
            } => Reply::CaseClosed(self.port.close_case(&case_id, &reason, now)),
            Effect::ClearScreen => {
                self.clear_next = true;
                return None;
            }
            Effect::Quit => return None,
        })
    }

    /// What the home screen lists. What is due in a case is seen on the
    /// app's own day (the injected clock), so replays stay the same.
    fn listing(&mut self, entries: Vec<ListEntry>) -> Result<Listing, Text> {
        Ok(Listing {
            entries,
            arrived: self.port.arrived(),
            cases: self.port.cases(self.state.now.date())?,
        })
    }

    pub fn draw(&mut self) -> Result<(), B::Error> {
        if self.clear_next {
            // Clears the screen and forgets the last frame, so every cell
            // of the next one is written.
            self.terminal.clear()?;
            self.clear_next = false;
        }
        let state = &self.state;
        self.terminal.draw(|f| view(state, f))?;
        Ok(())
    }
}

/// Read a recipients file the worker named. Errors say in plain words what
/// is wrong with the file (never the system's English text) and what to do.
fn read_recipients_file(path: &Path) -> Result<String, Text> {
    const LIMIT: u64 = 64 * 1024;
    let shown = path.display();
    let failed = |e: &io::Error| {
        let (nl, en) = io_problem(e);
        Text::new(
            format!("Het bestand {shown} {nl}. Plak een sleutel (age1…) of geef een ander pad."),
            format!("The file {shown} {en}. Paste a key (age1…) or give another path."),
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| failed(&e))?;
    if meta.is_dir() {
        return Err(Text::new(
            format!("{shown} is een map, geen bestand. Geef het pad van het sleutelbestand."),
            format!("{shown} is a folder, not a file. Give the path of the key file."),
        ));
    }
    if !meta.is_file() {
        // A pipe or a device could block or never end.
        return Err(Text::new(
            format!("{shown} is geen gewoon bestand. Geef het pad van het sleutelbestand."),
            format!("{shown} is not a regular file. Give the path of the key file."),
        ));
    }
    if meta.len() > LIMIT {
        return Err(Text::new(
            format!("{shown} is te groot voor een sleutelbestand."),
            format!("{shown} is too large for a recipients file."),
        ));
    }
    std::fs::read_to_string(path).map_err(|e| failed(&e))
}

/// What an I/O error means for a file, in Dutch and English, to follow
/// "Het bestand X" / "The file X".
fn io_problem(e: &io::Error) -> (&'static str, &'static str) {
    match e.kind() {
        io::ErrorKind::NotFound => ("bestaat niet", "does not exist"),
        io::ErrorKind::PermissionDenied => (
            "is niet te openen: geen toegang",
            "cannot be opened: no access",
        ),
        io::ErrorKind::IsADirectory => ("is een map", "is a folder"),
        io::ErrorKind::NotADirectory => (
            "bestaat niet (een deel van het pad is geen map)",
            "does not exist (part of the path is not a folder)",
        ),
        io::ErrorKind::InvalidData => ("is geen tekstbestand", "is not a text file"),
        io::ErrorKind::InvalidFilename => (
            "heeft een ongeldige naam (te lang?)",
            "has an invalid name (too long?)",
        ),
        _ => ("is niet te lezen", "cannot be read"),
    }
}

/// Turn a terminal event into an app event: key presses only, pastes and
/// resizes. Key releases, mouse and focus events never reach `update`.
pub fn from_crossterm(ev: crossterm::event::Event) -> Option<Event> {
    use crossterm::event::{Event as CE, KeyCode, KeyEventKind, KeyModifiers};
    match ev {
        CE::Key(k) if k.kind != KeyEventKind::Release => {
            let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
            let alt = k.modifiers.contains(KeyModifiers::ALT);
            let key = match k.code {
                KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
                KeyCode::Char(c) if alt => Key::Alt(c),
                KeyCode::Char(c) => Key::Char(c),
                KeyCode::Enter => Key::Enter,
                KeyCode::Esc => Key::Esc,
                KeyCode::Tab if k.modifiers.contains(KeyModifiers::SHIFT) => Key::BackTab,
                KeyCode::Tab => Key::Tab,
                KeyCode::BackTab => Key::BackTab,
                KeyCode::Up => Key::Up,
                KeyCode::Down => Key::Down,
                KeyCode::Left => Key::Left,
                KeyCode::Right => Key::Right,
                KeyCode::PageUp => Key::PageUp,
                KeyCode::PageDown => Key::PageDown,
                KeyCode::Home => Key::Home,
                KeyCode::End => Key::End,
                KeyCode::Backspace => Key::Backspace,
                KeyCode::Delete => Key::Delete,
                KeyCode::F(n) if (1..=12).contains(&n) => Key::F(n),
                _ => return None,
            };
            Some(Event::Key(key))
        }
        CE::Paste(s) => Some(Event::Paste(s)),
        CE::Resize(w, h) => Some(Event::Resize(w, h)),
        _ => None,
    }
}

/// Something that watches the live session (the `--record` script writer).
/// `secret` says the event goes into a passphrase field; `text` that a
/// typed character goes into a text field (else it is a command key).
pub trait Recorder {
    fn event(&mut self, at: PrimitiveDateTime, event: &Event, secret: bool, text: bool);
    fn finish(&mut self);
}

/// How often the clock ticks in a real terminal.
const TICK: StdDuration = StdDuration::from_millis(200);

/// How the app in the real terminal ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The worker quit.
    Quit,
    /// A signal (SIGTERM, SIGHUP or SIGINT) stopped it, after the open
    /// draft was saved and the secrets dropped. Holds the signal number.
    Signal(i32),
}

/// The signals that stop the app cleanly. The handler only records which
/// one came (async-signal-safe); the event loop sees it within a tick and
/// does the saving and restoring itself.
fn stop_signals() -> io::Result<Arc<AtomicUsize>> {
    let flag = Arc::new(AtomicUsize::new(0));
    for sig in [SIGTERM, SIGHUP, SIGINT] {
        signal_hook::flag::register_usize(sig, Arc::clone(&flag), sig as usize)?;
    }
    Ok(flag)
}

/// Run the app in the real terminal until it quits or a signal stops it.
/// Whatever ends it — quit, signal, or a terminal that fails (a closed
/// window) — the open draft is saved, the identity dropped and the
/// terminal restored.
pub fn run_terminal<P: VaultPort>(
    mut state: State,
    port: P,
    clock: &dyn Clock,
    mut recorder: Option<&mut dyn Recorder>,
) -> io::Result<Ending> {
    install_panic_hook();
    let signals = stop_signals()?;
    let mut guard = TerminalGuard::enter()?;
    let size = crossterm::terminal::size()?;
    state.size = size;
    state.now = clock.now();
    state.last_input = state.now;
    let backend = ratatui::backend::CrosstermBackend::new(io::stdout());
    let terminal = Terminal::new(backend)?;
    let mut shell = Shell::new(terminal, state, port);
    let result = event_loop(&mut shell, clock, &mut recorder, &signals);
    if !shell.state.quitting {
        // A signal or a failed terminal: save and lock, as quitting does.
        shell.handle(Event::Terminate);
    }
    if let Some(r) = recorder {
        r.finish();
    }
    guard.leave()?;
    result
}

fn event_loop<B: Backend, P: VaultPort>(
    shell: &mut Shell<B, P>,
    clock: &dyn Clock,
    recorder: &mut Option<&mut dyn Recorder>,
    signals: &AtomicUsize,
) -> io::Result<Ending>
where
    io::Error: From<B::Error>,
{
    shell.draw()?;
    while !shell.state.quitting {
        let signal = signals.load(Ordering::SeqCst);
        if signal != 0 {
            return Ok(Ending::Signal(signal as i32));
        }
        let ready = match crossterm::event::poll(TICK) {
            Ok(ready) => ready,
            // A signal interrupted the wait: look at the flag first.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let event = if ready {
            match crossterm::event::read() {
                Ok(ev) => match from_crossterm(ev) {
                    Some(e) => e,
                    None => continue,
                },
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        } else {
            Event::Tick(clock.now())
        };
        if !matches!(event, Event::Tick(_)) {
            // The app reads the time from ticks: bring it up to date first.
            let now = clock.now();
            shell.handle(Event::Tick(now));
            if let Some(r) = recorder.as_mut() {
                r.event(
                    now,
                    &event,
                    shell.state.typing_secret(),
                    shell.state.typing_text(),
                );
            }
        }
        shell.handle(event);
        shell.draw()?;
    }
    Ok(Ending::Quit)
}

/// Raw mode, the alternate screen and bracketed paste, undone on drop.
struct TerminalGuard {
    active: bool,
}

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        crossterm::terminal::enable_raw_mode()?;
        let guard = TerminalGuard { active: true };
        crossterm::execute!(
            io::stdout(),
            crossterm::terminal::EnterAlternateScreen,
            crossterm::event::EnableBracketedPaste,
            crossterm::cursor::Hide
        )?;
        Ok(guard)
    }

    fn leave(&mut self) -> io::Result<()> {
        if self.active {
            self.active = false;
            restore_terminal();
        }
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = self.leave();
    }
}

fn restore_terminal() {
    // Blank the alternate screen before leaving it: a terminal without an
    // alternate screen would otherwise keep the visit in view.
    let _ = crossterm::execute!(
        io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
        crossterm::event::DisableBracketedPaste,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = crossterm::terminal::disable_raw_mode();
}

/// On a panic: restore the terminal, and say where without the payload — a
/// panic message could hold data, so it is never printed.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        restore_terminal();
        let place = info
            .location()
            .map_or_else(|| "?".to_string(), |l| format!("{}:{}", l.file(), l.line()));
        eprintln!(
            "safevisit is onverwacht gestopt (interne fout bij {place}). Uw antwoorden tot de laatste opslag zijn bewaard; start safevisit opnieuw.\n\
             safevisit stopped unexpectedly (internal error at {place}). Your answers up to the last save are kept; start safevisit again."
        );
    }));
}
