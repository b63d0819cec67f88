//! The application state and `update`: what happens on every key, tick and
//! reply. Screens are components; this module routes to them and handles
//! what belongs to the whole app (hide, lock, language, help, quit).
//!
//! No I/O here: effects go out as values, and the clock and the id source
//! come in from the shell.

use std::sync::Arc;

use time::{Duration, PrimitiveDateTime};

use crate::case::CaseCard;
use crate::checklist::Catalog;
use crate::i18n::{Lang, Text};
use crate::tui::event::{CaseEntry, Effect, Event, Key, ListEntry, Reply, UnlockFailure};
use crate::tui::keys::{self, Action, Ctx};
use crate::tui::screens::case::CaseScreen;
use crate::tui::screens::home::HomeScreen;
use crate::tui::screens::new_visit::NewVisitScreen;
use crate::tui::screens::onboarding::OnboardingScreen;
use crate::tui::screens::unlock::UnlockScreen;
use crate::tui::screens::visit::VisitScreen;
use crate::tui::theme::Theme;
use crate::visit::Visit;

/// The smallest terminal the app draws in (below 80×24 in a compact
/// layout, see `tui::view`).
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;

/// Where new visit ids come from: random in real use, a sequence in replays.
pub trait IdGen: Send {
    fn visit_id(&mut self) -> String;
}

/// Random version-4 UUIDs.
pub struct RandomIds;

impl IdGen for RandomIds {
    fn visit_id(&mut self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}

/// Deterministic ids for replays: `00000000-0000-4000-8000-000000000001`, …
#[derive(Default)]
pub struct SequentialIds {
    next: u64,
}

impl IdGen for SequentialIds {
    fn visit_id(&mut self) -> String {
        self.next += 1;
        format!("00000000-0000-4000-8000-{:012}", self.next)
    }
}

/// A line of feedback under the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: Text,
    pub error: bool,
}

impl Message {
    pub fn info(text: Text) -> Message {
        Message { text, error: false }
    }

    pub fn error(text: Text) -> Message {
        Message { text, error: true }
    }
}

pub enum Screen {
    Onboarding(Box<OnboardingScreen>),
    Unlock(UnlockScreen),
    Home(HomeScreen),
    NewVisit(Box<NewVisitScreen>),
    Visit(Box<VisitScreen>),
    Case(Box<CaseScreen>),
}

/// What a screen asks the app to do after handling an input.
pub enum Transition {
    Stay,
    Home,
    NewVisit,
    Visit(Box<VisitScreen>),
    /// Show a case (read-only).
    Case(Box<CaseScreen>),
    /// A new visit that follows this case (the form filled from its card).
    FollowUp(Box<CaseCard>),
}

/// What a screen may use and change while handling an input.
pub struct AppCtx<'a> {
    pub now: PrimitiveDateTime,
    pub lang: Lang,
    pub catalog: &'a Catalog,
    pub ids: &'a mut dyn IdGen,
    pub entries: &'a [ListEntry],
    /// The open cases, in the home screen's order.
    pub cases: &'a [CaseEntry],
    pub effects: Vec<Effect>,
    pub message: Option<Message>,
    /// Take the message under the screen away (it was about a step that is
    /// behind the worker now); `message`, if set, takes its place.
    pub clear_message: bool,
    /// Move on to the next question after a single-key answer (a setting,
    /// off unless the worker turns it on).
    pub auto_advance: bool,
}

/// How the app starts.
pub struct Options {
    pub lang: Lang,
    pub theme: Theme,
    pub size: (u16, u16),
    pub now: PrimitiveDateTime,
    pub lock_after: Duration,
    pub catalog: Arc<Catalog>,
    pub ids: Box<dyn IdGen>,
    /// Whether the data directory already holds a vault.
    pub vault_exists: bool,
}

pub struct State {
    pub lang: Lang,
    pub theme: Theme,
    pub size: (u16, u16),
    pub now: PrimitiveDateTime,
    pub last_input: PrimitiveDateTime,
    pub lock_after: Duration,
    pub catalog: Arc<Catalog>,
    pub ids: Box<dyn IdGen>,
    pub screen: Screen,
    /// The quick-hide screen is up.
    pub hidden: bool,
    /// The key help is up.
    pub help: bool,
    /// The first line of the key help on screen (it scrolls).
    pub help_scroll: usize,
    pub unlocked: bool,
    pub entries: Vec<ListEntry>,
    /// The open cases (labels and what is due; the cards stay in the vault).
    pub cases: Vec<CaseEntry>,
    /// Visits that arrived at the office and were deleted (a count only).
    pub arrived: u64,
    pub message: Option<Message>,
    pub quitting: bool,
    /// "Stop safevisit?" is asked (`q`).
    pub quit_asked: bool,
    /// Move on after a single-key answer (`--auto-advance`, or Alt-m in a
    /// visit); off by default.
    pub auto_advance: bool,
    /// `checklists preview`: an in-memory visit; every screen says so.
    pub preview: bool,
}

impl State {
    pub fn new(o: Options) -> State {
        let screen = if o.vault_exists {
            Screen::Unlock(UnlockScreen::new(None))
        } else {
            Screen::Onboarding(Box::default())
        };
        let mut state = State {
            lang: o.lang,
            theme: o.theme,
            size: o.size,
            now: o.now,
            last_input: o.now,
            lock_after: o.lock_after,
            catalog: o.catalog,
            ids: o.ids,
            screen,
            hidden: false,
            help: false,
            help_scroll: 0,
            unlocked: false,
            entries: Vec::new(),
            cases: Vec::new(),
            arrived: 0,
            message: None,
            quitting: false,
            quit_asked: false,
            auto_advance: false,
            preview: false,
        };
        state.catalog_problems();
        state
    }

    /// Checklist files that failed validation are named, with their first error.
    fn catalog_problems(&mut self) {
        if let Some(p) = self.catalog.problems.first() {
            let more = self.catalog.problems.len() - 1;
            let tail_nl = if more > 0 {
                format!(" (en {more} andere)")
            } else {
                String::new()
            };
            let tail_en = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            self.message = Some(Message::error(Text::new(
                format!(
                    "Checklist niet geladen{tail_nl}: {}",
                    p.first_in(crate::i18n::Lang::Nl)
                ),
                format!(
                    "Checklist not loaded{tail_en}: {}",
                    p.first_in(crate::i18n::Lang::En)
                ),
            )));
        }
    }

    /// The key context of what is on screen now.
    pub fn ctx(&self) -> Ctx {
        if self.hidden {
            return Ctx::Hidden;
        }
        if self.quit_asked {
            return Ctx::QuitConfirm;
        }
        match &self.screen {
            Screen::Onboarding(_) => Ctx::Onboarding,
            Screen::Unlock(_) => Ctx::Unlock,
            Screen::Home(h) => h.ctx(),
            Screen::NewVisit(n) => n.ctx(),
            Screen::Visit(v) => v.ctx(),
            Screen::Case(c) => c.ctx(),
        }
    }

    /// Whether keys now go into a passphrase field (never recorded).
    pub fn typing_secret(&self) -> bool {
        match &self.screen {
            Screen::Unlock(_) => !self.hidden,
            Screen::Onboarding(o) => o.typing_secret(),
            _ => false,
        }
    }

    /// Whether a typed character goes into a text field now (and is not a
    /// command key such as `n` on the home screen).
    pub fn typing_text(&self) -> bool {
        keys::letters_type(self.ctx())
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_WIDTH || self.size.1 < MIN_HEIGHT
    }

    /// The visit open on screen, if any.
    pub fn open_visit(&self) -> Option<&Visit> {
        match &self.screen {
            Screen::Visit(v) => Some(&v.visit),
            _ => None,
        }
    }
}

/// Handle one event; return the effects for the shell to carry out.
pub fn update(state: &mut State, event: Event) -> Vec<Effect> {
    let mut effects = Vec::new();
    match event {
        Event::Resize(w, h) => state.size = (w, h),
        Event::Tick(now) => tick(state, now, &mut effects),
        Event::Key(key) => key_event(state, key, &mut effects),
        Event::Paste(text) => {
            // What was pasted may be a secret: wiped once handled.
            let text = zeroize::Zeroizing::new(text);
            let text: &str = &text;
            if !state.hidden && !state.help && !state.too_small() {
                let transition = with_ctx(state, &mut effects, |screen, ctx| match screen {
                    Screen::Onboarding(s) => s.paste(text, ctx),
                    Screen::Unlock(s) => s.paste(text),
                    Screen::NewVisit(s) => s.paste(text, ctx),
                    Screen::Visit(s) => s.paste(text, ctx),
                    Screen::Home(s) => s.paste(text),
                    Screen::Case(s) => s.paste(text),
                });
                apply(state, transition, &mut effects);
            }
        }
        Event::Reply(reply) => on_reply(state, reply, &mut effects),
        Event::Terminate => quit(state, &mut effects),
    }
    effects
}

fn tick(state: &mut State, now: PrimitiveDateTime, effects: &mut Vec<Effect>) {
    let new_day = now.date() != state.now.date();
    state.now = now;
    if state.unlocked && now - state.last_input >= state.lock_after {
        lock(state, effects, false);
        state.message = Some(Message::info(Text::new(
            format!(
                "Automatisch vergrendeld na {} minuten zonder gebruik.",
                state.lock_after.whole_minutes()
            ),
            format!(
                "Locked automatically after {} minutes without use.",
                state.lock_after.whole_minutes()
            ),
        )));
        return;
    }
    if let Screen::Visit(v) = &mut state.screen
        && let Some(e) = v.autosave(now)
    {
        effects.push(e);
    }
    // What is due in a case depends on the day: list again after midnight.
    if new_day && state.unlocked && matches!(state.screen, Screen::Home(_)) {
        effects.push(Effect::List);
    }
}

fn key_event(state: &mut State, key: Key, effects: &mut Vec<Effect>) {
    state.last_input = state.now;
    if state.hidden {
        if key == Key::Ctrl('c') {
            quit(state, effects);
        } else {
            state.hidden = false;
            effects.push(Effect::ClearScreen);
        }
        return;
    }
    let ctx = state.ctx();
    let action = keys::action(ctx, key);
    if state.too_small() {
        match action {
            Some(Action::Hide) => hide(state, effects),
            Some(Action::Quit) => quit(state, effects),
            _ => {}
        }
        return;
    }
    if state.help {
        // The arrows and page keys scroll the help; any other key closes it.
        let last = crate::tui::view::help_last_scroll(state);
        let page = crate::tui::view::help_page(state.size).max(1);
        state.help_scroll = match key {
            Key::Up => state.help_scroll.saturating_sub(1),
            Key::Down => state.help_scroll + 1,
            Key::PageUp => state.help_scroll.saturating_sub(page),
            Key::PageDown => state.help_scroll + page,
            Key::Home => 0,
            Key::End => last,
            _ => {
                state.help = false;
                return;
            }
        }
        .min(last);
        return;
    }
    // A new key clears the last informational message; errors stay until
    // something succeeds.
    if state.message.as_ref().is_some_and(|m| !m.error) {
        state.message = None;
    }
    match action {
        Some(Action::Hide) => return hide(state, effects),
        Some(Action::Language) => {
            state.lang = state.lang.toggled();
            return;
        }
        Some(Action::Help) => {
            state.help = true;
            state.help_scroll = 0;
            return;
        }
        Some(Action::Lock) => return lock(state, effects, false),
        Some(Action::Quit) => return quit(state, effects),
        Some(Action::AskQuit) => {
            state.quit_asked = true;
            return;
        }
        // Only "stop" or "back" answer the question.
        _ if state.quit_asked => {
            if action == Some(Action::Cancel) {
                state.quit_asked = false;
            }
            return;
        }
        Some(Action::AutoAdvance) => {
            state.auto_advance = !state.auto_advance;
            state.message = Some(Message::info(if state.auto_advance {
                Text::new(
                    "Automatisch verder: aan. Na een antwoord met één toets gaat u door naar de volgende vraag (Alt-m: uit).",
                    "Auto-advance: on. A single-key answer moves on to the next question (Alt-m: off).",
                )
            } else {
                Text::new(
                    "Automatisch verder: uit (Alt-m: aan).",
                    "Auto-advance: off (Alt-m: on).",
                )
            }));
            return;
        }
        Some(Action::Redraw) => {
            effects.push(Effect::ClearScreen);
            return;
        }
        _ => {}
    }
    let transition = with_ctx(state, effects, |screen, ctx| match screen {
        Screen::Onboarding(s) => s.key(key, action, ctx),
        Screen::Unlock(s) => s.key(key, action, ctx),
        Screen::Home(s) => s.key(key, action, ctx),
        Screen::NewVisit(s) => s.key(key, action, ctx),
        Screen::Visit(s) => s.key(key, action, ctx),
        Screen::Case(s) => s.key(key, action, ctx),
    });
    apply(state, transition, effects);
}

/// Run a screen handler with an `AppCtx`, then take back its effects and message.
fn with_ctx(
    state: &mut State,
    effects: &mut Vec<Effect>,
    f: impl FnOnce(&mut Screen, &mut AppCtx<'_>) -> Transition,
) -> Transition {
    let mut ctx = AppCtx {
        now: state.now,
        lang: state.lang,
        catalog: &state.catalog,
        ids: state.ids.as_mut(),
        entries: &state.entries,
        cases: &state.cases,
        effects: Vec::new(),
        message: None,
        clear_message: false,
        auto_advance: state.auto_advance,
    };
    let t = f(&mut state.screen, &mut ctx);
    effects.append(&mut ctx.effects);
    if ctx.clear_message {
        state.message = None;
    }
    if let Some(m) = ctx.message {
        state.message = Some(m);
    }
    t
}

fn apply(state: &mut State, t: Transition, effects: &mut Vec<Effect>) {
    match t {
        Transition::Stay => {}
        Transition::Home => {
            // Back from a case: on the list of cases, at that case.
            let home = match &state.screen {
                Screen::Case(c) => HomeScreen::at_case(&state.cases, &c.card().case_id),
                _ => HomeScreen::default(),
            };
            state.screen = Screen::Home(home);
            effects.push(Effect::List);
        }
        Transition::NewVisit => {
            state.screen = Screen::NewVisit(Box::new(NewVisitScreen::new(
                state.now,
                &state.catalog,
                &state.cases,
            )));
        }
        Transition::Visit(v) => state.screen = Screen::Visit(v),
        Transition::Case(c) => state.screen = Screen::Case(c),
        Transition::FollowUp(card) => {
            let mut screen = NewVisitScreen::new(state.now, &state.catalog, &state.cases);
            screen.follow(*card, state.now.date());
            state.screen = Screen::NewVisit(Box::new(screen));
        }
    }
}

/// Save what is open, drop the identity, and ask for the passphrase again.
fn lock(state: &mut State, effects: &mut Vec<Effect>, hide: bool) {
    let resume = match &mut state.screen {
        Screen::Visit(v) => {
            effects.push(v.save_effect());
            Some(v.visit.id.clone())
        }
        Screen::Unlock(u) => u.resume.clone(),
        _ => None,
    };
    if state.unlocked {
        effects.push(Effect::Lock);
    }
    state.unlocked = false;
    state.entries.clear();
    state.cases.clear();
    state.arrived = 0;
    state.help = false;
    state.quit_asked = false;
    state.hidden = hide;
    // Nothing of the visit may stay in a terminal cell the next screen does
    // not happen to overwrite.
    effects.push(Effect::ClearScreen);
    // Decrypted answers leave memory with the screen that held them.
    if !matches!(state.screen, Screen::Onboarding(_)) {
        state.screen = Screen::Unlock(UnlockScreen::new(resume));
    }
}

fn hide(state: &mut State, effects: &mut Vec<Effect>) {
    lock(state, effects, true);
    state.message = None;
}

fn quit(state: &mut State, effects: &mut Vec<Effect>) {
    if let Screen::Visit(v) = &mut state.screen {
        effects.push(v.save_effect());
    }
    if state.unlocked {
        effects.push(Effect::Lock);
    }
    state.unlocked = false;
    state.quitting = true;
    effects.push(Effect::Quit);
}

fn on_reply(state: &mut State, reply: Reply, effects: &mut Vec<Effect>) {
    let lang_msg = |nl: &str, en: &str| Text::new(nl, en);
    match reply {
        Reply::Initialized(Ok(())) => {
            state.unlocked = true;
            state.screen = Screen::Home(HomeScreen::default());
            state.message = Some(Message::info(lang_msg(
                "Klaar: deze laptop is ingesteld. Begin met n (nieuw bezoek).",
                "Done: this laptop is set up. Start with n (new visit).",
            )));
            effects.push(Effect::List);
        }
        Reply::Initialized(Err(text)) => {
            if let Screen::Onboarding(s) = &mut state.screen {
                s.failed();
            }
            state.message = Some(Message::error(text));
        }
        Reply::RecipientsFile(result) => {
            if let Screen::Onboarding(s) = &mut state.screen
                && let Some(m) = s.recipients_file(result)
            {
                state.message = Some(m);
            }
        }
        Reply::Unlocked(Ok(listing)) => {
            state.unlocked = true;
            state.last_input = state.now;
            state.entries = listing.entries;
            state.cases = listing.cases;
            state.arrived = listing.arrived;
            state.message = None;
            let resume = match &state.screen {
                Screen::Unlock(u) => u.resume.clone(),
                _ => None,
            };
            state.screen = Screen::Home(HomeScreen::default());
            if let Some(id) = resume {
                effects.push(Effect::LoadDraft(id));
            }
        }
        Reply::Notice(text) => state.message = Some(Message::info(text)),
        Reply::Unlocked(Err(failure)) => {
            if let Screen::Unlock(u) = &mut state.screen {
                u.failed();
            }
            state.message = Some(Message::error(match failure {
                UnlockFailure::WrongPassphrase => lang_msg(
                    "Het wachtwoord klopt niet. Probeer het opnieuw.",
                    "The passphrase is not correct. Try again.",
                ),
                UnlockFailure::Other(t) => t,
            }));
        }
        Reply::Listed(Ok(listing)) => {
            state.entries = listing.entries;
            state.cases = listing.cases;
            state.arrived = listing.arrived;
            if let Screen::Home(h) = &mut state.screen {
                h.clamp(&state.entries, &state.cases);
            }
        }
        Reply::Case(result) => {
            let t = with_ctx(state, effects, |screen, ctx| match screen {
                Screen::Home(s) => s.case_loaded(result, ctx),
                Screen::NewVisit(s) => s.case_loaded(result, ctx),
                _ => Transition::Stay,
            });
            apply(state, t, effects);
        }
        Reply::CaseClosed(Ok(())) => {
            if let Screen::Case(c) = &state.screen {
                let label = c.card().label.clone();
                state.message = Some(Message::info(Text::new(
                    format!("Casus {label} gesloten. Kantoor hoort het bij de volgende export."),
                    format!("Case {label} closed. The office hears of it with the next export."),
                )));
            }
            state.screen = Screen::Home(HomeScreen::default());
            effects.push(Effect::List);
        }
        Reply::CaseClosed(Err(t)) => state.message = Some(Message::error(t)),
        Reply::Listed(Err(t)) | Reply::Discarded(Err(t)) | Reply::Draft(Err(t)) => {
            state.message = Some(Message::error(t));
        }
        Reply::Discarded(Ok(())) => effects.push(Effect::List),
        Reply::Draft(Ok(record)) => {
            let catalog = state.catalog.clone();
            match Visit::from_record(&record, |id| catalog.get(id).cloned()) {
                Ok((visit, notes)) => {
                    // What changed stays on screen (like an error) until
                    // another message takes its place.
                    if !notes.is_empty() {
                        let nl: Vec<&str> = notes.iter().map(|n| n.nl.as_str()).collect();
                        let en: Vec<&str> = notes.iter().map(|n| n.en.as_str()).collect();
                        state.message = Some(Message::error(Text::new(
                            format!("Let op: {}", nl.join(" ")),
                            format!("Note: {}", en.join(" ")),
                        )));
                    }
                    state.screen = Screen::Visit(Box::new(VisitScreen::resume(visit, state.now)));
                }
                Err(e) => {
                    state.message = Some(Message::error(Text::new(
                        format!(
                            "Dit concept is niet te openen: {}.",
                            e.to_string().trim_end_matches('.')
                        ),
                        format!(
                            "This draft cannot be opened: {}.",
                            e.to_string().trim_end_matches('.')
                        ),
                    )))
                }
            }
        }
        Reply::Saved(result) => {
            if let Screen::Visit(v) = &mut state.screen {
                v.saved(&result, state.now);
            }
            if let Err(t) = result {
                state.message = Some(Message::error(Text::new(
                    format!(
                        "Opslaan is mislukt: {}. De antwoorden staan nog in het geheugen; safevisit probeert het opnieuw.",
                        t.nl.trim_end_matches('.')
                    ),
                    format!(
                        "Saving failed: {}. The answers are still in memory; safevisit will try again.",
                        t.en.trim_end_matches('.')
                    ),
                )));
            } else if state
                .message
                .as_ref()
                .is_some_and(|m| m.error && m.text.nl.starts_with("Opslaan"))
            {
                state.message = None;
            }
        }
        Reply::Finalized(Ok(seq)) => {
            state.screen = Screen::Home(HomeScreen::default());
            state.message = Some(Message::info(Text::new(
                format!("Bezoek afgerond (nummer {seq}). Het staat klaar voor export."),
                format!("Visit finalized (number {seq}). It is ready for export."),
            )));
            effects.push(Effect::List);
        }
        Reply::Finalized(Err(t)) => {
            // Not finalized: the visit stays a draft, dirty, and the next
            // tick saves it again (the header says it is not saved).
            if let Screen::Visit(v) = &mut state.screen {
                v.finalize_failed(&t, state.now);
            }
            state.message = Some(Message::error(Text::new(
                format!(
                    "Afronden is mislukt: {} Het bezoek is NIET afgerond; het blijft een concept en safevisit slaat het opnieuw op.",
                    t.nl
                ),
                format!(
                    "Finalizing failed: {} The visit is NOT finalized; it stays a draft and safevisit saves it again.",
                    t.en
                ),
            )));
        }
        Reply::Exported(Ok(done)) => {
            state.message = Some(Message::info(match &done.path {
                Some(p) => Text::new(
                    format!(
                        "{} bezoek(en) geëxporteerd naar {}. Breng dit bestand naar kantoor; alleen kantoor kan het openen.",
                        done.visits,
                        p.display()
                    ),
                    format!(
                        "{} visit(s) exported to {}. Take this file to the office; only the office can open it.",
                        done.visits,
                        p.display()
                    ),
                ),
                None => lang_msg(
                    "Er is niets nieuws om te exporteren.",
                    "There is nothing new to export.",
                ),
            }));
            if let Screen::Home(h) = &mut state.screen {
                h.exported();
            }
            effects.push(Effect::List);
        }
        Reply::Exported(Err(t)) => state.message = Some(Message::error(t)),
        Reply::ReceiptApplied(result) => {
            if let Screen::Home(h) = &mut state.screen {
                h.receipt_done();
            }
            state.message = Some(match result {
                Ok(t) => Message::info(Text::new(
                    format!("{}.", capitalized(t.nl.trim_end_matches('.'))),
                    format!("{}.", capitalized(t.en.trim_end_matches('.'))),
                )),
                Err(t) => Message::error(Text::new(
                    format!("Ontvangstbewijs niet verwerkt: {}", t.nl),
                    format!("Receipt not applied: {}", t.en),
                )),
            });
            effects.push(Effect::List);
        }
    }
}

/// `s` with its first letter in upper case (messages start a sentence).
fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
