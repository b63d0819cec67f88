//! The visit flow: a section list with progress beside the current item, an
//! input fit for each item kind, red-flag panels that stay until
//! acknowledged, pop-ups to jump between sections, persons and flags, and
//! the review. Every change is derived at once and saved within a second.
//!
//! Answers are committed, not keystrokes: a number, scale, date or text is
//! taken (and its red flags and derived values evaluated) when the worker
//! leaves the item or presses Enter, never half-typed. Until then the typed
//! text is kept in the visit as pending text (autosaved with the draft, so
//! a lock, a quick-hide or a crash gives it back in its field as typed).
//! Text that does not read as an answer stays as typed, the item says why,
//! and leaving keeps it as an invalid draft value that blocks finalizing.

mod view;

use time::{Duration, PrimitiveDateTime};

use crate::checklist::model::{Checklist, FlagLevel, ItemKind};
use crate::i18n::{Lang, Text};
use crate::tui::app::{AppCtx, Message, Transition};
use crate::tui::event::{Effect, Key};
use crate::tui::keys::{Action, Ctx};
use crate::tui::screens::centered;
use crate::tui::screens::flag_panel::FlagPanel;
use crate::tui::screens::overview::{self, Overview};
use crate::tui::screens::readback::{ReadBack, ReadBackOutcome, ReadBackScreen};
use crate::tui::screens::review::{Review, ReviewOutcome};
use crate::tui::screens::roster::{RosterOutcome, RosterPanel};
use crate::tui::screens::status::{StatusDialog, StatusOutcome};
use crate::tui::view::ViewCtx;
use crate::tui::widgets::{Field, clip};
use crate::visit::input::{field_text, format_number, parse_input};
use crate::visit::record::{FinalRecord, format_date, format_stamp, summary};
use crate::visit::{Answer, Cursor, Derived, FlagState, Person, SheetStatus, Visit, derive};

/// How long a change may wait before it is saved.
const SAVE_AFTER: Duration = Duration::milliseconds(500);

/// How far PageUp/PageDown move in a pop-up list or the section pane.
const POPUP_PAGE: usize = 10;

/// The reason of a failed save in a few words, for the header (the message
/// line under the screen has the whole text).
fn short_reason(error: &Text) -> Text {
    let nl = error.nl.to_lowercase();
    let known = [
        ("schijf is vol", "schijf vol", "disk full"),
        ("schijfquotum", "schijfquotum op", "disk quota used up"),
        ("alleen-lezen", "schijf alleen-lezen", "disk read-only"),
        ("geen toestemming", "geen toestemming", "permission denied"),
        ("vergrendeld", "kluis vergrendeld", "vault locked"),
    ];
    known
        .iter()
        .find(|(needle, _, _)| nl.contains(needle))
        .map_or_else(
            || Text::new("fout bij schrijven", "write error"),
            |(_, nl, en)| Text::new(*nl, *en),
        )
}

/// A place in the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pos {
    Item {
        sheet: usize,
        item: usize,
        entry: Option<usize>,
    },
    /// After the entries of a repeatable section: add another?
    AddEntry { sheet: usize, section: usize },
}

enum Input {
    None,
    Multi {
        highlight: usize,
    },
    /// Digits typed or stepped with ←/→; taken on Enter or leaving, so
    /// typing `1` then `0` gives 10 and never 1 first.
    Scale {
        typed: String,
    },
    Text(Field),
    /// Numbers and dates: taken on Enter or leaving.
    Checked(Field),
}

enum Popup {
    Sections(usize),
    Persons(usize),
    Flags(usize),
    RemoveEntry,
}

pub struct VisitScreen {
    pub visit: Visit,
    derived: Derived,
    pos: Pos,
    input: Input,
    popup: Option<Popup>,
    only_missing: bool,
    dirty_since: Option<PrimitiveDateTime>,
    saved_at: Option<PrimitiveDateTime>,
    flags: FlagPanel,
    /// The furthest (sheet, section) the worker has been at: the sections
    /// before it are passed, and flags about them no longer wait.
    reached: (usize, usize),
    review: Option<Review>,
    /// The read-back with the family (`l` in the review), over the review.
    readback: Option<ReadBackScreen>,
    /// What was read back when it was marked: when the agreements, the
    /// framework or the dates change after that, the mark is taken back.
    read_back_seen: Option<ReadBack>,
    /// The question overview (Ctrl-G, `/`).
    overview: Option<Overview>,
    /// The section pane has the focus, with this row of `section_rows`
    /// chosen.
    pane: Option<usize>,
    finalizing: bool,
    /// Why the last save or finalize failed (short); cleared by a save that works.
    save_error: Option<Text>,
    /// Why the typed text of the current item is no answer (shown under it).
    input_error: Option<Text>,
    /// The household panel (Alt-g), when open.
    roster: Option<RosterPanel>,
    /// The status dialog of a person's sheet (Alt-a), when open.
    status: Option<StatusDialog>,
}

impl VisitScreen {
    /// A visit just created.
    pub fn new(visit: Visit, now: PrimitiveDateTime) -> VisitScreen {
        let derived = derive(&visit);
        // A draft marked read back was read back as it was saved.
        let read_back_seen = visit.read_back.map(|_| ReadBack::from_visit(&visit));
        let mut s = VisitScreen {
            visit,
            derived,
            pos: Pos::Item {
                sheet: 0,
                item: 0,
                entry: None,
            },
            input: Input::None,
            popup: None,
            only_missing: false,
            dirty_since: None,
            saved_at: Some(now),
            flags: FlagPanel::default(),
            reached: (0, 0),
            review: None,
            readback: None,
            read_back_seen,
            overview: None,
            pane: None,
            finalizing: false,
            save_error: None,
            input_error: None,
            roster: None,
            status: None,
        };
        let first = s.stops().first().copied();
        if let Some(p) = first {
            s.pos = p;
        }
        // A draft whose every checklist is gone has no question to show:
        // the review is all there is (and finalizing keeps what was kept aside).
        if s.visit.sheets.is_empty() {
            s.review = Some(Review::default());
        }
        s.reached = s.sheet_section(s.pos);
        s.load_input();
        s
    }

    /// A draft reopened: at the item where the worker was.
    pub fn resume(mut visit: Visit, now: PrimitiveDateTime) -> VisitScreen {
        // A newer checklist version may have made a section roster-driven:
        // its entries come from the roster now.
        let synced = visit.sync_roster_entries(now);
        let cursor = visit.cursor;
        let mut s = VisitScreen::new(visit, now);
        if synced {
            s.dirty_since = Some(now);
        }
        let wanted = Pos::Item {
            sheet: cursor.sheet,
            item: cursor.item,
            entry: cursor.entry,
        };
        if s.stops().contains(&wanted) {
            s.pos = wanted;
        } else if let Some(p) = s.next_after(wanted) {
            s.pos = p;
        }
        s.reached = s.sheet_section(s.pos);
        // Flags raised but never acknowledged come back up.
        s.visit.note_cleared_withdrawals(&s.derived);
        s.flags = FlagPanel::resume(&s.visit);
        s.load_input();
        s
    }

    /// Where the flow stands now.
    pub fn position(&self) -> Pos {
        self.pos
    }

    /// Whether a red-flag panel waits for acknowledgement.
    pub fn flag_panel_open(&self) -> bool {
        self.flags.is_open()
    }

    /// Whether the review is open.
    pub fn in_review(&self) -> bool {
        self.review.is_some()
    }

    fn checklist(&self, sheet: usize) -> &Checklist {
        &self.visit.sheets[sheet].checklist
    }

    /// Every place the flow can stop, in order. A sheet kept aside (not
    /// taken, or of a person removed from the roster) is passed by, unless
    /// the worker is on it (F3 goes there).
    fn stops(&self) -> Vec<Pos> {
        self.stops_with(Some(self.sheet()))
    }

    /// The stops, with the sheets kept aside left out except `keep`.
    fn stops_with(&self, keep: Option<usize>) -> Vec<Pos> {
        let mut out = Vec::new();
        for (s, sheet) in self.visit.sheets.iter().enumerate() {
            if Some(s) != keep && self.visit.sheet_set_aside(s) {
                continue;
            }
            let c = &sheet.checklist;
            let d = &self.derived.sheets[s];
            for (si, sec) in c.sections.iter().enumerate() {
                if !d.section_visible[si] {
                    continue;
                }
                if sec.repeat.is_some() {
                    for e in 0..sheet.entries[si].len() {
                        for i in sec.items.clone() {
                            if d.entry_visible[si][e][i - sec.items.start] {
                                out.push(Pos::Item {
                                    sheet: s,
                                    item: i,
                                    entry: Some(e),
                                });
                            }
                        }
                    }
                    // Entries of a roster-driven section come from the
                    // roster, those of a follow-up section from the visit
                    // it follows: no place to add one.
                    if !sec.repeat.as_ref().is_some_and(|r| r.entries_made()) {
                        out.push(Pos::AddEntry {
                            sheet: s,
                            section: si,
                        });
                    }
                } else {
                    for i in sec.items.clone() {
                        if d.item_visible[i] {
                            out.push(Pos::Item {
                                sheet: s,
                                item: i,
                                entry: None,
                            });
                        }
                    }
                }
            }
        }
        out
    }

    /// A key that orders places in the flow, for places that may have gone.
    fn order_key(&self, p: Pos) -> (usize, usize, usize, usize) {
        match p {
            Pos::Item { sheet, item, entry } => {
                let section = self
                    .visit
                    .sheets
                    .get(sheet)
                    .and_then(|s| s.checklist.items.get(item))
                    .map_or(0, |i| i.section);
                (sheet, section, entry.unwrap_or(0), item)
            }
            Pos::AddEntry { sheet, section } => (sheet, section, usize::MAX, usize::MAX),
        }
    }

    fn is_missing(&self, p: Pos) -> bool {
        match p {
            Pos::Item { sheet, item, entry } => self.derived.sheets[sheet]
                .missing
                .iter()
                .any(|m| m.item == item && m.entry == entry),
            Pos::AddEntry { .. } => false,
        }
    }

    fn next_after(&self, from: Pos) -> Option<Pos> {
        let k = self.order_key(from);
        self.stops()
            .into_iter()
            .find(|p| self.order_key(*p) > k && (!self.only_missing || self.is_missing(*p)))
    }

    /// The sheets as the F3 picker lists them (see [`sheet_order`]).
    fn picker_order(&self) -> Vec<usize> {
        sheet_order(&self.visit)
    }

    /// The first open required question, in list order, other than the
    /// current place.
    fn first_missing_elsewhere(&self) -> Option<Pos> {
        self.stops()
            .into_iter()
            .find(|p| *p != self.pos && self.is_missing(*p))
    }

    fn prev_before(&self, from: Pos) -> Option<Pos> {
        let k = self.order_key(from);
        self.stops()
            .into_iter()
            .rev()
            .find(|p| self.order_key(*p) < k && (!self.only_missing || self.is_missing(*p)))
    }

    fn sheet(&self) -> usize {
        match self.pos {
            Pos::Item { sheet, .. } | Pos::AddEntry { sheet, .. } => sheet,
        }
    }

    fn section(&self) -> usize {
        match self.pos {
            Pos::Item { sheet, item, .. } => self.checklist(sheet).items[item].section,
            Pos::AddEntry { section, .. } => section,
        }
    }

    pub fn ctx(&self) -> Ctx {
        if self.flags.is_open() {
            return self.flags.ctx();
        }
        if self.status.is_some() {
            return Ctx::Prompt;
        }
        if let Some(r) = &self.readback {
            return r.ctx();
        }
        if let Some(r) = &self.roster {
            return r.ctx();
        }
        if let Some(p) = &self.popup {
            return match p {
                Popup::RemoveEntry => Ctx::Confirm,
                _ => Ctx::Popup,
            };
        }
        if let Some(o) = &self.overview {
            return o.ctx();
        }
        if let Some(r) = &self.review {
            return if r.confirming() {
                // The finalize dialog: the worker types letters of the label.
                Ctx::Prompt
            } else {
                Ctx::Review
            };
        }
        if self.pane.is_some() {
            return Ctx::Pane;
        }
        match self.pos {
            Pos::AddEntry { .. } => Ctx::AddEntry,
            Pos::Item { sheet, item, .. } => match &self.checklist(sheet).items[item].kind {
                k if k.is_single_option() => Ctx::Choice,
                ItemKind::Multi => Ctx::Multi,
                ItemKind::Scale { .. } => Ctx::Scale,
                ItemKind::LongText { .. } => Ctx::Text,
                _ => Ctx::Field,
            },
        }
    }

    /// Rebuild the input widget for the current place: the typed text kept
    /// for it if there is any (with why it is no answer), else its answer.
    fn load_input(&mut self) {
        self.input_error = None;
        self.input = match self.pos {
            Pos::AddEntry { .. } => Input::None,
            Pos::Item { sheet, item, entry } => {
                // A draft whose checklists changed may point nowhere.
                let Some(c) = self.visit.sheets.get(sheet).map(|s| s.checklist.clone()) else {
                    self.input = Input::None;
                    return;
                };
                let Some(it) = c.items.get(item) else {
                    self.input = Input::None;
                    return;
                };
                let pending = self
                    .visit
                    .pending_at(sheet, item, entry)
                    .map(str::to_string);
                if let Some(text) = &pending
                    && let Err(why) = parse_input(&it.kind, it.options.len(), text, self.visit.date)
                {
                    self.input_error = Some(why);
                }
                let text = pending
                    .unwrap_or_else(|| field_text(self.visit.sheets[sheet].answer(item, entry)));
                match &it.kind {
                    ItemKind::Multi => Input::Multi { highlight: 0 },
                    ItemKind::Scale { .. } => Input::Scale {
                        // Only typed digits; the answer shows as the chosen value.
                        typed: self
                            .visit
                            .pending_at(sheet, item, entry)
                            .unwrap_or_default()
                            .to_string(),
                    },
                    ItemKind::ShortText { .. } => Input::Text(Field::single(&text)),
                    ItemKind::LongText { .. } => Input::Text(Field::multi(&text)),
                    ItemKind::Number { .. } | ItemKind::Date => {
                        Input::Checked(Field::single(&text))
                    }
                    _ => Input::None,
                }
            }
        };
    }

    /// The text in the current item's typing field, for the kinds that type.
    fn typed_text(&self) -> Option<String> {
        match &self.input {
            Input::Text(field) | Input::Checked(field) => Some(field.text()),
            Input::Scale { typed } => Some(typed.clone()),
            _ => None,
        }
    }

    /// The typing field changed: keep its text in the visit as pending
    /// (so it is autosaved) while it differs from the answer. Nothing is
    /// taken as an answer here.
    fn sync_pending(&mut self, now: PrimitiveDateTime) {
        let Pos::Item { sheet, item, entry } = self.pos else {
            return;
        };
        let Some(text) = self.typed_text() else {
            return;
        };
        let keep = match &self.input {
            // An empty scale field means nothing typed: the answer stands.
            Input::Scale { .. } => !text.is_empty(),
            _ => text != field_text(self.visit.sheets[sheet].answer(item, entry)),
        };
        self.input_error = None;
        if self
            .visit
            .set_pending(sheet, item, entry, keep.then_some(text.as_str()), now)
        {
            // What is typed never raises a flag or changes an answer, but
            // the count of invalid values must follow it: an invalid value
            // cleared by hand no longer blocks finalizing.
            self.derived = derive(&self.visit);
            self.dirty_since.get_or_insert(now);
        }
    }

    /// Take what is typed at the current item as its answer: `Ok(true)`
    /// when an answer was taken, `Ok(false)` when nothing was typed, and
    /// `Err(why)` when the text is no answer — it then stays as typed, as
    /// an invalid draft value, and the answer it replaced is cleared.
    pub fn commit_input(&mut self, now: PrimitiveDateTime) -> Result<bool, Text> {
        let Pos::Item { sheet, item, entry } = self.pos else {
            return Ok(false);
        };
        if self.visit.pending_index(sheet, item, entry).is_none() {
            return Ok(false);
        }
        let Some(text) = self.typed_text() else {
            return Ok(false);
        };
        let c = self.visit.sheets[sheet].checklist.clone();
        let it = &c.items[item];
        match parse_input(&it.kind, it.options.len(), &text, now.date()) {
            Ok(answer) => {
                if let Err(e) = self.visit.set_answer(sheet, item, entry, answer, now) {
                    let why = Text::new(
                        format!("Dit antwoord past niet: {e}"),
                        format!("This answer does not fit: {e}"),
                    );
                    self.input_error = Some(why.clone());
                    return Err(why);
                }
                self.visit.set_pending(sheet, item, entry, None, now);
                self.changed(now);
                // The field shows what was taken (a date as JJJJ-MM-DD).
                self.load_input();
                Ok(true)
            }
            Err(why) => {
                if self.visit.sheets[sheet].answer(item, entry).is_some() {
                    let _ = self.visit.set_answer(sheet, item, entry, None, now);
                }
                self.changed(now);
                self.input_error = Some(why.clone());
                Err(why)
            }
        }
    }

    /// Leaving the current item: take what is typed; what is no answer is
    /// kept as an invalid draft value, and the worker is told.
    fn leave(&mut self, ctx: &mut AppCtx<'_>) {
        if let Err(why) = self.commit_input(ctx.now) {
            ctx.message = Some(Message::info(Text::new(
                format!(
                    "Niet vastgelegd: {} Wat u typte is bewaard als ongeldig antwoord; verbeter of wis het voor u afrondt.",
                    why.nl
                ),
                format!(
                    "Not taken: {} What you typed is kept as an invalid answer; mend or clear it before you finalize.",
                    why.en
                ),
            )));
        }
    }

    /// Move to a place, saving first when anything changed: every
    /// navigation makes the answers so far durable.
    fn goto(&mut self, pos: Pos, ctx: &mut AppCtx<'_>) {
        self.leave(ctx);
        self.pos = pos;
        self.reached = self.reached.max(self.sheet_section(pos));
        if let Pos::Item { sheet, item, entry } = pos {
            self.visit.cursor = Cursor { sheet, item, entry };
        }
        self.load_input();
        // Flags about the sections just passed may be due now.
        self.update_flags(ctx.now);
        if self.dirty_since.is_some() {
            ctx.effects.push(self.save_effect());
        }
    }

    /// Record an answer, derive, and raise any new red flags.
    fn answer(&mut self, answer: Option<Answer>, ctx: &mut AppCtx<'_>) {
        let Pos::Item { sheet, item, entry } = self.pos else {
            return;
        };
        if let Err(e) = self.visit.set_answer(sheet, item, entry, answer, ctx.now) {
            ctx.message = Some(Message::error(Text::new(
                format!("Dit antwoord past niet: {e}"),
                format!("This answer does not fit: {e}"),
            )));
            return;
        }
        self.changed(ctx.now);
    }

    fn changed(&mut self, now: PrimitiveDateTime) {
        self.derived = derive(&self.visit);
        self.update_flags(now);
        self.dirty_since.get_or_insert(now);
    }

    /// Raise, lapse and bring back flags as the answers now say. A flag
    /// about sections the worker has not passed yet waits (until the
    /// cursor is past them, or the review is open).
    fn update_flags(&mut self, now: PrimitiveDateTime) {
        let reached = self.reached;
        let all = self.review.is_some();
        let changes =
            self.visit
                .update_flags(&self.derived, |s, sec| all || (s, sec) < reached, now);
        if changes != crate::visit::FlagChanges::default() {
            self.dirty_since.get_or_insert(now);
        }
        self.flags.take(changes, &self.visit);
    }

    /// The effect that saves the draft now.
    pub fn save_effect(&mut self) -> Effect {
        if let Pos::Item { sheet, item, entry } = self.pos {
            self.visit.cursor = Cursor { sheet, item, entry };
        }
        self.dirty_since = None;
        Effect::SaveDraft(Box::new(self.visit.to_record()))
    }

    /// A save is due when a change has waited long enough.
    pub fn autosave(&mut self, now: PrimitiveDateTime) -> Option<Effect> {
        match self.dirty_since {
            Some(t) if now - t >= SAVE_AFTER => Some(self.save_effect()),
            _ => None,
        }
    }

    pub fn saved(&mut self, result: &Result<(), Text>, now: PrimitiveDateTime) {
        match result {
            Ok(()) => {
                self.saved_at = Some(now);
                self.save_error = None;
            }
            // Keep it dirty, so the next tick tries again.
            Err(e) => {
                self.dirty_since.get_or_insert(now);
                self.save_error = Some(short_reason(e));
            }
        }
    }

    /// Finalizing failed: the visit is still a draft with unsaved changes
    /// as far as anyone knows, so it is dirty again and the next tick saves
    /// the draft; the header says why it is not saved.
    pub fn finalize_failed(&mut self, error: &Text, now: PrimitiveDateTime) {
        self.finalizing = false;
        self.dirty_since.get_or_insert(now);
        self.save_error = Some(short_reason(error));
    }

    /// The short reason of the last failed save, if it has not worked since.
    pub fn save_error(&self) -> Option<&Text> {
        self.save_error.as_ref()
    }

    pub fn key(&mut self, key: Key, action: Option<Action>, ctx: &mut AppCtx<'_>) -> Transition {
        let t = self.key_inner(key, action, ctx);
        self.check_read_back(ctx);
        if let Some(n) = self.flags.take_notice()
            && ctx.message.is_none()
        {
            ctx.message = Some(Message::info(n));
        }
        t
    }

    /// The family heard what was read back: when the agreements, the
    /// framework or the dates change after the mark, the mark is taken
    /// back (and saved), and the worker is told to read back again.
    fn check_read_back(&mut self, ctx: &mut AppCtx<'_>) {
        if self.visit.read_back.is_none() || self.finalizing {
            return;
        }
        let Some(seen) = &self.read_back_seen else {
            return;
        };
        if ReadBack::from_visit(&self.visit) == *seen {
            return;
        }
        self.visit.read_back = None;
        self.read_back_seen = None;
        ctx.effects.push(self.save_effect());
        ctx.message = Some(Message::info(Text::new(
            "De afspraken, het kader of de datums zijn veranderd na het voorlezen: niet meer gemarkeerd als voorgelezen. Lees opnieuw voor (F6, l).",
            "The agreements, the framework or the dates changed after reading back: no longer marked as read back. Read back again (F6, l).",
        )));
    }

    fn key_inner(&mut self, key: Key, action: Option<Action>, ctx: &mut AppCtx<'_>) -> Transition {
        if self.finalizing {
            return Transition::Stay;
        }
        if self.flags.is_open() {
            if self.flags.key(&mut self.visit, key, action, ctx) {
                // A flag and what was done about it are saved at once.
                ctx.effects.push(self.save_effect());
            }
            return Transition::Stay;
        }
        if self.status.is_some() {
            self.status_key(key, action, ctx);
            return Transition::Stay;
        }
        if let Some(r) = &mut self.readback {
            match r.key(key, action) {
                ReadBackOutcome::Stay => {}
                ReadBackOutcome::Close => self.readback = None,
                ReadBackOutcome::Mark(on) => {
                    // Undoable until finalizing; saved at once, like a flag.
                    self.visit.read_back = on.then_some(ctx.now);
                    self.read_back_seen = on.then(|| r.content().clone());
                    r.set_marked(self.visit.read_back);
                    self.visit.updated_at = ctx.now;
                    ctx.effects.push(self.save_effect());
                }
            }
            return Transition::Stay;
        }
        if let Some(panel) = &mut self.roster {
            match panel.key(key, action, &mut self.visit, ctx.now) {
                RosterOutcome::Stay => {}
                RosterOutcome::Close => self.roster = None,
                RosterOutcome::Changed(text) => {
                    self.roster_changed(ctx);
                    ctx.message = Some(Message::info(text));
                }
            }
            return Transition::Stay;
        }
        if self.popup.is_some() {
            self.popup_key(action, ctx);
            return Transition::Stay;
        }
        if let Some(o) = &mut self.overview {
            match o.key(key, action, &self.visit, &self.derived) {
                overview::Outcome::Stay => {}
                overview::Outcome::Close => self.overview = None,
                overview::Outcome::Jump(p) => {
                    self.overview = None;
                    self.pane = None;
                    self.goto(p, ctx);
                }
            }
            return Transition::Stay;
        }
        if self.pane.is_some() && self.pane_key(action, ctx) {
            return Transition::Stay;
        }
        if action == Some(Action::Finalize)
            && self.review.as_ref().is_some_and(|r| !r.confirming())
            && self.refuse_finalize(ctx)
        {
            return Transition::Stay;
        }
        if let Some(review) = &mut self.review {
            let outcome = review.key(key, action, &self.visit, &self.derived);
            match outcome {
                ReviewOutcome::Stay => {}
                ReviewOutcome::Close if self.visit.sheets.is_empty() => {
                    ctx.message = Some(Message::info(Text::new(
                        "Dit bezoek heeft geen vragen die nu te tonen zijn. Rond het af (Alt-f) of ga naar het startscherm (F10).",
                        "This visit has no questions that can be shown now. Finalize it (Alt-f) or go to the home screen (F10).",
                    )));
                }
                ReviewOutcome::Close => self.review = None,
                ReviewOutcome::Jump { sheet, item, entry } => {
                    self.review = None;
                    self.goto(Pos::Item { sheet, item, entry }, ctx);
                }
                ReviewOutcome::Finalize => self.finalize(ctx),
                ReviewOutcome::ReadBack => {
                    self.readback = Some(ReadBackScreen::from_visit(&self.visit, ctx.lang));
                }
            }
            if let Some(Action::Home) = action {
                ctx.effects.push(self.save_effect());
                return Transition::Home;
            }
            return Transition::Stay;
        }
        match action {
            // Enter takes the typed value; one that is no answer stays on
            // screen, and the item says why (Tab leaves it as invalid).
            Some(Action::Next) if key == Key::Enter && self.commit_input(ctx.now).is_err() => {}
            Some(Action::Next) => self.next(ctx),
            Some(Action::Prev) => {
                if let Some(p) = self.prev_before(self.pos) {
                    self.goto(p, ctx);
                }
            }
            Some(Action::NextSection) => self.jump_section(1, ctx),
            Some(Action::PrevSection) => self.jump_section(-1, ctx),
            Some(Action::Sections) => {
                // Open at the section the worker is in.
                let here = (self.sheet(), self.section());
                let at = self.section_rows().iter().position(|r| *r == here);
                self.popup = Some(Popup::Sections(at.unwrap_or(0)));
            }
            Some(Action::Persons) => {
                let here = self.sheet();
                let at = self.picker_order().iter().position(|&s| s == here);
                self.popup = Some(Popup::Persons(at.unwrap_or(0)));
            }
            Some(Action::Flags) => self.popup = Some(Popup::Flags(0)),
            Some(Action::FocusPane) => {
                let here = (self.sheet(), self.section());
                let at = self.section_rows().iter().position(|r| *r == here);
                self.pane = Some(at.unwrap_or(0));
            }
            Some(Action::Overview) | Some(Action::Search) => {
                let rows = self.overview_rows();
                self.overview = Some(Overview::new(
                    rows,
                    self.pos,
                    action == Some(Action::Search),
                ));
            }
            Some(Action::OnlyMissing) => {
                self.only_missing = !self.only_missing;
                if self.only_missing && !self.is_missing(self.pos) {
                    self.next(ctx);
                }
                // What moving on said (a wrap round, an invalid value) stands.
                if ctx.message.is_none() {
                    ctx.message = Some(Message::info(if self.only_missing {
                        // Counted from the list the worker is in now.
                        let here = self.derived.sheets[self.sheet()].missing.len();
                        let total: usize =
                            self.derived.sheets.iter().map(|d| d.missing.len()).sum();
                        let elsewhere = total - here;
                        Text::new(
                            format!(
                                "Alleen nog open verplichte vragen: {here} in deze lijst, nog {elsewhere} open in andere lijsten (F5: alles)."
                            ),
                            format!(
                                "Only open required questions: {here} in this list, {elsewhere} open in other lists (F5: all)."
                            ),
                        )
                    } else {
                        Text::new("Alle vragen.", "All questions.")
                    }));
                }
            }
            Some(Action::Review) => {
                self.leave(ctx);
                self.review = Some(Review::default());
                // Every flag still waiting is due now.
                self.update_flags(ctx.now);
                if self.dirty_since.is_some() {
                    ctx.effects.push(self.save_effect());
                }
            }
            Some(Action::Home) => {
                self.leave(ctx);
                ctx.effects.push(self.save_effect());
                return Transition::Home;
            }
            Some(Action::AddEntry) => {
                self.leave(ctx);
                self.add_entry(ctx);
            }
            Some(Action::RemoveEntry) => {
                if !self.refuse_roster_entry(false, ctx)
                    && matches!(self.pos, Pos::Item { entry: Some(_), .. })
                {
                    self.popup = Some(Popup::RemoveEntry);
                }
            }
            Some(Action::Roster) => {
                self.leave(ctx);
                self.roster = Some(RosterPanel::default());
            }
            Some(Action::SheetStatus) => {
                let sheet = self.sheet();
                self.open_status(sheet, ctx);
            }
            _ => self.input_key(key, action, ctx),
        }
        Transition::Stay
    }

    fn next(&mut self, ctx: &mut AppCtx<'_>) {
        match self.next_after(self.pos) {
            Some(p) => self.goto(p, ctx),
            // Only open required questions, none after this one: start again
            // from the first list, so none is reported gone while it waits
            // in an earlier list.
            None if self.only_missing && self.first_missing_elsewhere().is_some() => {
                if let Some(p) = self.first_missing_elsewhere() {
                    // This says more than "only open questions".
                    ctx.message = None;
                    self.goto(p, ctx);
                    let open: usize = self.derived.sheets.iter().map(|d| d.missing.len()).sum();
                    // What leaving said (an invalid value) goes first.
                    if ctx.message.is_none() {
                        ctx.message = Some(Message::info(Text::new(
                            format!(
                                "Verder vanaf het begin: nog {open} open verplichte {} in eerdere lijsten (F5: alles).",
                                if open == 1 { "vraag" } else { "vragen" }
                            ),
                            format!(
                                "On from the start: {open} open required {} left in earlier lists (F5: all).",
                                if open == 1 { "question" } else { "questions" }
                            ),
                        )));
                    }
                }
            }
            None => {
                self.leave(ctx);
                self.review = Some(Review::default());
                self.update_flags(ctx.now);
                if self.dirty_since.is_some() {
                    ctx.effects.push(self.save_effect());
                }
                if ctx.message.is_some() {
                    // Leaving said something (an invalid value): let it show.
                    self.review = Some(Review::default());
                    return;
                }
                ctx.message = Some(Message::info(if self.only_missing {
                    Text::new(
                        "Er zijn geen open verplichte vragen meer.",
                        "There are no open required questions left.",
                    )
                } else {
                    Text::new(
                        "Dit was de laatste vraag. Controleer en rond af.",
                        "That was the last question. Check and finalize.",
                    )
                }));
            }
        }
    }

    fn jump_section(&mut self, delta: isize, ctx: &mut AppCtx<'_>) {
        let stops = self.stops();
        let here = (self.sheet(), self.section());
        let target = if delta > 0 {
            stops
                .iter()
                .find(|p| self.sheet_section(**p) > here)
                .copied()
        } else {
            // The first stop of the previous section.
            let prev = stops
                .iter()
                .rev()
                .find(|p| self.sheet_section(**p) < here)
                .map(|p| self.sheet_section(*p));
            prev.and_then(|ps| {
                stops
                    .iter()
                    .find(|p| self.sheet_section(**p) == ps)
                    .copied()
            })
        };
        if let Some(p) = target {
            self.goto(p, ctx);
        }
    }

    fn sheet_section(&self, p: Pos) -> (usize, usize) {
        match p {
            Pos::Item { sheet, item, .. } => (
                sheet,
                // A visit with no sheets left still has a position.
                self.visit
                    .sheets
                    .get(sheet)
                    .and_then(|s| s.checklist.items.get(item))
                    .map_or(0, |it| it.section),
            ),
            Pos::AddEntry { sheet, section } => (sheet, section),
        }
    }

    /// Alt-n and Alt-d in a section with one entry per roster member: say
    /// why not. Returns whether the key was refused.
    fn refuse_roster_entry(&mut self, add: bool, ctx: &mut AppCtx<'_>) -> bool {
        let (sheet, section) = (self.sheet(), self.section());
        let repeat = self.checklist(sheet).sections[section].repeat.clone();
        let (from_roster, from_previous) = repeat
            .as_ref()
            .map_or((false, false), |r| (r.from_roster(), r.from_previous()));
        let (nl, en) = if add {
            ("Niet toegevoegd", "Not added")
        } else {
            ("Niet weggehaald", "Not removed")
        };
        if from_roster {
            ctx.message = Some(Message::error(Text::new(
                format!(
                    "{nl}: deze lijst heeft één deel per persoon uit het gezinsoverzicht. Personen voegt u toe of haalt u weg in het overzicht."
                ),
                format!(
                    "{en}: this list has one part per person of the household roster. Add or remove people in the roster."
                ),
            )));
        } else if from_previous {
            ctx.message = Some(Message::error(Text::new(
                format!(
                    "{nl}: deze lijst heeft één deel per afspraak, signaal of schaalvraag van het vorige bezoek."
                ),
                format!(
                    "{en}: this list has one part per agreement, flag or scaling answer of the previous visit."
                ),
            )));
        }
        from_roster || from_previous
    }

    fn add_entry(&mut self, ctx: &mut AppCtx<'_>) {
        let (sheet, section) = (self.sheet(), self.section());
        if self.checklist(sheet).sections[section].repeat.is_none()
            || self.refuse_roster_entry(true, ctx)
        {
            return;
        }
        match self.visit.add_entry(sheet, section, ctx.now) {
            Ok(e) => {
                self.changed(ctx.now);
                let first = self
                    .stops()
                    .into_iter()
                    .find(|p| matches!(p, Pos::Item { sheet: s, entry: Some(x), item } if *s == sheet && *x == e && self.checklist(sheet).items[*item].section == section));
                if let Some(p) = first {
                    self.goto(p, ctx);
                }
            }
            Err(err) => {
                ctx.message = Some(Message::error(Text::new(
                    format!("Niet toegevoegd: {err}"),
                    format!("Not added: {err}"),
                )));
            }
        }
    }

    fn popup_key(&mut self, action: Option<Action>, ctx: &mut AppCtx<'_>) {
        let Some(mut popup) = self.popup.take() else {
            return;
        };
        let len = match popup {
            Popup::Sections(_) => self.section_rows().len(),
            Popup::Persons(_) => self.visit.sheets.len(),
            Popup::Flags(_) => self.visit.flags.len(),
            Popup::RemoveEntry => 0,
        };
        match (&mut popup, action) {
            (_, Some(Action::Cancel)) => {}
            (Popup::RemoveEntry, Some(Action::Yes)) => {
                if let Pos::Item {
                    sheet,
                    item,
                    entry: Some(e),
                } = self.pos
                {
                    let section = self.checklist(sheet).items[item].section;
                    if self.visit.remove_entry(sheet, section, e, ctx.now).is_ok() {
                        self.changed(ctx.now);
                        let to = self
                            .prev_before(Pos::AddEntry { sheet, section })
                            .filter(|p| self.sheet_section(*p) == (sheet, section))
                            .unwrap_or(Pos::AddEntry { sheet, section });
                        self.goto(to, ctx);
                    }
                }
            }
            (Popup::RemoveEntry, Some(Action::No)) => {}
            (Popup::Sections(i) | Popup::Persons(i) | Popup::Flags(i), Some(Action::Up)) => {
                *i = i.saturating_sub(1);
                self.popup = Some(popup);
            }
            (Popup::Sections(i) | Popup::Persons(i) | Popup::Flags(i), Some(Action::Down)) => {
                *i = (*i + 1).min(len.saturating_sub(1));
                self.popup = Some(popup);
            }
            (Popup::Sections(i) | Popup::Persons(i) | Popup::Flags(i), Some(Action::First)) => {
                *i = 0;
                self.popup = Some(popup);
            }
            (Popup::Sections(i) | Popup::Persons(i) | Popup::Flags(i), Some(Action::Last)) => {
                *i = len.saturating_sub(1);
                self.popup = Some(popup);
            }
            (Popup::Sections(i) | Popup::Persons(i) | Popup::Flags(i), Some(Action::PageUp)) => {
                *i = i.saturating_sub(POPUP_PAGE);
                self.popup = Some(popup);
            }
            (Popup::Sections(i) | Popup::Persons(i) | Popup::Flags(i), Some(Action::PageDown)) => {
                *i = (*i + POPUP_PAGE).min(len.saturating_sub(1));
                self.popup = Some(popup);
            }
            (Popup::Sections(i), Some(Action::Select)) => {
                if let Some((sheet, section)) = self.section_rows().get(*i).copied()
                    && let Some(p) = self
                        .stops()
                        .into_iter()
                        .find(|p| self.sheet_section(*p) == (sheet, section))
                {
                    self.goto(p, ctx);
                }
            }
            (Popup::Persons(i), Some(Action::Select)) => {
                let Some(&sheet) = self.picker_order().get(*i) else {
                    return;
                };
                if let Some(p) = self
                    .stops_with(Some(sheet))
                    .into_iter()
                    .find(|p| self.sheet_section(*p).0 == sheet)
                {
                    self.goto(p, ctx);
                } else if let Some((_, why)) = self
                    .visit
                    .outside_band_sheets()
                    .into_iter()
                    .find(|(s, _)| *s == sheet)
                {
                    // Nothing to answer: say why, never a silent nothing.
                    ctx.message = Some(Message::info(why));
                }
            }
            (Popup::Persons(i), Some(Action::SheetStatus)) => {
                let at = *i;
                self.popup = Some(popup);
                if let Some(&sheet) = self.picker_order().get(at) {
                    self.open_status(sheet, ctx);
                }
            }
            (Popup::Flags(i), Some(Action::Withdraw)) => {
                let i = *i;
                self.popup = Some(popup);
                if let Err(t) = self.flags.withdraw_from_list(&self.visit, i) {
                    ctx.message = Some(Message::error(t));
                }
            }
            (Popup::Flags(i), Some(Action::Select)) => {
                if let Some(p) = self.flag_pos(*i) {
                    self.goto(p, ctx);
                }
            }
            _ => self.popup = Some(popup),
        }
    }

    /// A key while the section pane has the focus: ↑/↓ (and the page keys)
    /// choose a section, Enter goes there, → or Esc go back to the
    /// questions. Returns false for a key the pane leaves to the flow (an
    /// F-key, Ctrl-G): the pane lets go of the focus first.
    fn pane_key(&mut self, action: Option<Action>, ctx: &mut AppCtx<'_>) -> bool {
        let Some(at) = self.pane else { return false };
        let rows = self.section_rows();
        let last = rows.len().saturating_sub(1);
        let to = |i: usize| Some(i.min(last));
        match action {
            Some(Action::Up) => self.pane = to(at.saturating_sub(1)),
            Some(Action::Down) => self.pane = to(at + 1),
            Some(Action::First) => self.pane = to(0),
            Some(Action::Last) => self.pane = to(last),
            Some(Action::PageUp) => self.pane = to(at.saturating_sub(POPUP_PAGE)),
            Some(Action::PageDown) => self.pane = to(at + POPUP_PAGE),
            Some(Action::FocusItems) => self.pane = None,
            Some(Action::Select) => {
                self.pane = None;
                if let Some((sheet, section)) = rows.get(at).copied()
                    && let Some(p) = self
                        .stops()
                        .into_iter()
                        .find(|p| self.sheet_section(*p) == (sheet, section))
                {
                    self.goto(p, ctx);
                }
            }
            None => {}
            Some(_) => {
                self.pane = None;
                return false;
            }
        }
        true
    }

    /// The question overview's rows for this visit as it stands.
    pub fn overview_rows(&self) -> Vec<overview::Row> {
        overview::rows(
            &self.visit,
            &self.derived,
            &self.stops(),
            &self.picker_order(),
        )
    }

    /// What is derived from the answers now.
    pub fn derived(&self) -> &Derived {
        &self.derived
    }

    /// Every place the flow can stop at, in flow order.
    pub fn all_stops(&self) -> Vec<Pos> {
        self.stops()
    }

    /// The section pane's focused row, if it has the focus.
    pub fn pane_focus(&self) -> Option<usize> {
        self.pane
    }

    /// The visible sections of the current sheet.
    fn section_rows(&self) -> Vec<(usize, usize)> {
        let s = self.sheet();
        let d = &self.derived.sheets[s];
        (0..self.checklist(s).sections.len())
            .filter(|&si| d.section_visible[si])
            .map(|si| (s, si))
            .collect()
    }

    /// Where a raised flag's item is, if it is still on the flow.
    fn flag_pos(&self, flag: usize) -> Option<Pos> {
        let f = self.visit.flags.get(flag)?;
        let sheet = self
            .visit
            .sheets
            .iter()
            .position(|s| s.checklist.id == f.checklist && s.person == f.person)?;
        let item = self.checklist(sheet).item_index(f.item.as_deref()?)?;
        let p = Pos::Item {
            sheet,
            item,
            entry: f.entry,
        };
        self.stops().contains(&p).then_some(p)
    }

    fn input_key(&mut self, key: Key, action: Option<Action>, ctx: &mut AppCtx<'_>) {
        let Pos::Item { sheet, item, entry } = self.pos else {
            return;
        };
        let c = self.visit.sheets[sheet].checklist.clone();
        let it = &c.items[item];
        let current = self.visit.sheets[sheet].answer(item, entry).cloned();
        match &it.kind {
            k if k.is_single_option() => {
                let chosen = match action {
                    Some(Action::Yes) if *k != ItemKind::Single => it.option_index("ja"),
                    Some(Action::No) if *k != ItemKind::Single => it.option_index("nee"),
                    Some(Action::Unknown) => it.option_index("onbekend"),
                    Some(Action::Digit) => digit(key)
                        .and_then(|d| d.checked_sub(1))
                        .filter(|&d| d < it.options.len()),
                    // (←/→ no longer step through the options: ← gives the
                    // section pane the focus.)
                    Some(Action::Clear) => {
                        self.answer(None, ctx);
                        return;
                    }
                    _ => None,
                };
                if let Some(o) = chosen {
                    self.answer(Some(Answer::Choice(o as u16)), ctx);
                    // One key answered it: on to the next question when the
                    // worker asked for that, unless a red flag needs her now.
                    if ctx.auto_advance && !self.flags.is_open() && ctx.message.is_none() {
                        self.next(ctx);
                    }
                }
            }
            ItemKind::Multi => {
                let Input::Multi { highlight } = &mut self.input else {
                    return;
                };
                let bits = match current {
                    Some(Answer::Multi(b)) => b,
                    _ => 0,
                };
                let toggle = match action {
                    Some(Action::Up) => {
                        *highlight = highlight.saturating_sub(1);
                        None
                    }
                    Some(Action::Down) => {
                        *highlight = (*highlight + 1).min(it.options.len() - 1);
                        None
                    }
                    Some(Action::Toggle) => Some(*highlight),
                    Some(Action::Digit) => digit(key)
                        .and_then(|d| d.checked_sub(1))
                        .filter(|&d| d < it.options.len()),
                    Some(Action::Clear) => {
                        self.answer(None, ctx);
                        return;
                    }
                    _ => None,
                };
                if let Some(o) = toggle {
                    *highlight = o;
                    let bits = bits ^ (1u64 << o);
                    self.answer(
                        if bits == 0 {
                            None
                        } else {
                            Some(Answer::Multi(bits))
                        },
                        ctx,
                    );
                }
            }
            ItemKind::Scale { min, max, .. } => {
                let (min, max) = (*min, *max);
                let Input::Scale { typed } = &mut self.input else {
                    return;
                };
                match action {
                    Some(Action::Digit) => {
                        let Some(d) = key_char(key) else { return };
                        typed.push(d);
                    }
                    // One step from the value shown (typed, else the answer);
                    // taken on Enter or leaving, like typed digits.
                    Some(Action::Decrease) | Some(Action::Increase) => {
                        let up = action == Some(Action::Increase);
                        let shown = typed
                            .parse::<i64>()
                            .ok()
                            .filter(|v| (min..=max).contains(v))
                            .or(match current {
                                Some(Answer::Number(n)) => Some(n as i64),
                                _ => None,
                            });
                        let v = match shown {
                            Some(n) if up => (n + 1).min(max),
                            Some(n) => (n - 1).max(min),
                            None => min,
                        };
                        *typed = v.to_string();
                    }
                    Some(Action::Clear) => {
                        if typed.is_empty() {
                            // Nothing typed: Del clears the answer itself, at once.
                            self.answer(None, ctx);
                            return;
                        }
                        if key == Key::Backspace {
                            typed.pop();
                        } else {
                            typed.clear();
                        }
                    }
                    _ => return,
                }
                self.sync_pending(ctx.now);
            }
            ItemKind::ShortText { .. }
            | ItemKind::LongText { .. }
            | ItemKind::Number { .. }
            | ItemKind::Date => {
                let (Input::Text(field) | Input::Checked(field)) = &mut self.input else {
                    return;
                };
                if field.handle(key) {
                    self.sync_pending(ctx.now);
                }
            }
            _ => {}
        }
    }

    pub fn paste(&mut self, text: &str, ctx: &mut AppCtx<'_>) -> Transition {
        if self.finalizing {
            return Transition::Stay;
        }
        if self.flags.is_open() {
            self.flags.paste(text);
            return Transition::Stay;
        }
        if let Some(o) = &mut self.overview {
            o.paste(text, &self.visit, &self.derived);
            return Transition::Stay;
        }
        if let Some(d) = &mut self.status {
            d.paste(text);
            return Transition::Stay;
        }
        if let Some(r) = &mut self.roster {
            r.paste(text);
            return Transition::Stay;
        }
        if self.popup.is_some() || self.review.is_some() || self.pane.is_some() {
            return Transition::Stay;
        }
        let pasted = match &mut self.input {
            Input::Text(field) | Input::Checked(field) => field.paste(text),
            _ => false,
        };
        // Pasted text is typed text: taken on Enter or leaving, like keys.
        if pasted {
            self.sync_pending(ctx.now);
        }
        Transition::Stay
    }

    /// Open the status dialog of a person's sheet (the visit's own lists,
    /// and a child outside every age band, say why not instead).
    fn open_status(&mut self, sheet: usize, ctx: &mut AppCtx<'_>) {
        let Some(s) = self.visit.sheets.get(sheet) else {
            return;
        };
        if s.person == Person::Visit {
            ctx.message = Some(Message::info(
                crate::visit::roster::RosterError::NotAPersonsSheet.text(),
            ));
            return;
        }
        if s.status == SheetStatus::OutsideBands {
            if let Some((_, why)) = self
                .visit
                .outside_band_sheets()
                .into_iter()
                .find(|(i, _)| *i == sheet)
            {
                ctx.message = Some(Message::info(why));
            }
            return;
        }
        self.leave(ctx);
        self.status = Some(StatusDialog::new(&self.visit, sheet));
    }

    fn status_key(&mut self, key: Key, action: Option<Action>, ctx: &mut AppCtx<'_>) {
        let Some(d) = &mut self.status else { return };
        match d.key(key, action) {
            StatusOutcome::Pending => {}
            StatusOutcome::Cancelled => self.status = None,
            StatusOutcome::Apply(status, reason) => {
                let sheet = d.sheet;
                match self.visit.set_status(sheet, status, &reason, ctx.now) {
                    Ok(()) => {
                        self.status = None;
                        self.changed(ctx.now);
                        ctx.effects.push(self.save_effect());
                        let who = self.visit.roster.name(self.visit.sheets[sheet].person);
                        let label = status.label();
                        ctx.message = Some(Message::info(if status == SheetStatus::Taken {
                            Text::new(
                                format!(
                                    "{who}: deze lijst wordt afgenomen; open vragen tellen weer mee."
                                ),
                                format!("{who}: this list is taken; open questions count again."),
                            )
                        } else {
                            Text::new(
                                format!(
                                    "{who}: {}. De vragen tellen niet meer als open; gegeven antwoorden blijven bewaard.",
                                    label.nl
                                ),
                                format!(
                                    "{who}: {}. The questions no longer count as open; answers given are kept.",
                                    label.en
                                ),
                            )
                        }));
                    }
                    Err(e) => d.error = Some(e.text()),
                }
            }
        }
    }

    /// The roster changed (people added, corrected, removed): derive, save,
    /// and keep the flow on a place that still exists.
    fn roster_changed(&mut self, ctx: &mut AppCtx<'_>) {
        self.changed(ctx.now);
        ctx.effects.push(self.save_effect());
        if !self.stops().contains(&self.pos)
            && let Some(p) = self
                .next_after(self.pos)
                .or_else(|| self.stops().first().copied())
        {
            self.pos = p;
            self.load_input();
        }
    }

    /// Invalid draft values block finalizing: says so (how many, and how to
    /// reach them) and returns true while there are any.
    fn refuse_finalize(&self, ctx: &mut AppCtx<'_>) -> bool {
        let n = self.derived.invalid.len();
        if n == 0 {
            return false;
        }
        ctx.message = Some(Message::error(Text::new(
            format!(
                "Nog niet afronden: {n} ongeldig(e) antwoord(en). Ze staan bovenaan bij 1 Open; Enter gaat erheen. Verbeter of wis ze eerst."
            ),
            format!(
                "Not finalized yet: {n} invalid answer(s). They are at the top of tab 1 Open; Enter goes there. Mend or clear them first."
            ),
        )));
        true
    }

    fn finalize(&mut self, ctx: &mut AppCtx<'_>) {
        if self.refuse_finalize(ctx) {
            return;
        }
        if self.visit.unacknowledged_flags().next().is_some() {
            ctx.message = Some(Message::error(Text::new(
                "Bevestig eerst alle rode vlaggen.",
                "Acknowledge every red flag first.",
            )));
            return;
        }
        let mut rec = self.visit.to_record();
        rec.finalized = Some(FinalRecord {
            sequence: 0,
            finalized_at: format_stamp(ctx.now),
            device_id: String::new(),
            device_name: String::new(),
            summary: summary(&self.visit, &self.derived),
        });
        self.finalizing = true;
        self.dirty_since = None;
        ctx.effects.push(Effect::Finalize(Box::new(rec)));
    }
}

/// The sheets grouped by person, as the F3 picker, the overview and the
/// review list them: the visit's own lists first, then each child, then
/// each caregiver, in roster order, and in list order within a person.
pub fn sheet_order(visit: &Visit) -> Vec<usize> {
    let roster = &visit.roster;
    let key = |p: Person| match p {
        Person::Visit => (0, 0),
        Person::Child(id) => (
            1,
            roster
                .children
                .iter()
                .position(|c| c.id == id)
                .unwrap_or(usize::MAX),
        ),
        Person::Caregiver(id) => (
            2,
            roster
                .caregivers
                .iter()
                .position(|c| c.id == id)
                .unwrap_or(usize::MAX),
        ),
    };
    let mut order: Vec<usize> = (0..visit.sheets.len()).collect();
    order.sort_by_key(|&s| key(visit.sheets[s].person));
    order
}

fn key_char(key: Key) -> Option<char> {
    match key {
        Key::Char(c) if c.is_ascii_digit() => Some(c),
        _ => None,
    }
}

/// The digit a key stands for, `0` counting as 10.
fn digit(key: Key) -> Option<usize> {
    key_char(key)
        .and_then(|c| c.to_digit(10))
        .map(|d| if d == 0 { 10 } else { d as usize })
}
