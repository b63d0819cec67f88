//! Home: drafts to resume, finalized visits waiting for export, exported
//! visits, with counts, and the count of visits that arrived at the office
//! (no labels); start a visit, export, apply a receipt, discard a draft.
//! Above them, when there are any, the open cases: next due first, with
//! marks for what is overdue and for a case untouched too long; Tab (or
//! `c`) moves between the two lists, Enter opens a case.

use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::case::{CaseCard, Due};
use crate::i18n::{Lang, Text};
use crate::tui::app::{AppCtx, Message, Transition};
use crate::tui::event::{CaseEntry, Effect, Key, ListEntry, ListStatus};
use crate::tui::keys::{Action, Ctx};
use crate::tui::screens::case::CaseScreen;
use crate::tui::screens::centered;
use crate::tui::screens::confirm::{Confirm, TypedConfirm, flags_phrase};
use crate::tui::theme::Theme;
use crate::tui::view::ViewCtx;
use crate::tui::widgets::{Field, clip, wrap_prefixed};

#[derive(Default)]
pub struct HomeScreen {
    selected: usize,
    export: Option<Box<Field>>,
    exporting: bool,
    /// The path of a receipt being typed.
    receipt: Option<Box<Field>>,
    applying: bool,
    /// The draft to discard, and the letters of its label to type.
    discard: Option<Box<(ListEntry, TypedConfirm)>>,
    /// The list of cases has the focus (else the visits).
    on_cases: bool,
    case_selected: usize,
    /// A case's card was asked for (Enter on a case).
    opening: bool,
}

/// Entries in the order they are listed: drafts, finalized, exported.
fn ordered(entries: &[ListEntry]) -> Vec<&ListEntry> {
    let mut v: Vec<&ListEntry> = entries.iter().collect();
    v.sort_by(|a, b| {
        let rank = |e: &ListEntry| match e.status {
            ListStatus::Draft => 0,
            ListStatus::Finalized => 1,
            ListStatus::Exported => 2,
        };
        rank(a)
            .cmp(&rank(b))
            .then_with(|| b.date.cmp(&a.date))
            .then_with(|| b.sequence.cmp(&a.sequence))
            .then_with(|| a.label.cmp(&b.label))
            .then_with(|| a.id.cmp(&b.id))
    });
    v
}

impl HomeScreen {
    pub fn ctx(&self) -> Ctx {
        if self.export.is_some() || self.receipt.is_some() || self.discard.is_some() {
            Ctx::Prompt
        } else {
            Ctx::Home
        }
    }

    /// Home with the focus on the list of cases, at the case `id`.
    pub fn at_case(cases: &[CaseEntry], id: &str) -> HomeScreen {
        HomeScreen {
            on_cases: !cases.is_empty(),
            case_selected: cases.iter().position(|c| c.case_id == id).unwrap_or(0),
            ..HomeScreen::default()
        }
    }

    /// Keep the selection inside the lists after they changed.
    pub fn clamp(&mut self, entries: &[ListEntry], cases: &[CaseEntry]) {
        self.selected = self.selected.min(entries.len().saturating_sub(1));
        self.case_selected = self.case_selected.min(cases.len().saturating_sub(1));
        if cases.is_empty() {
            self.on_cases = false;
        }
    }

    /// The card of the case asked for with Enter.
    pub fn case_loaded(
        &mut self,
        result: Result<Option<Box<CaseCard>>, Text>,
        ctx: &mut AppCtx<'_>,
    ) -> Transition {
        if !std::mem::take(&mut self.opening) {
            return Transition::Stay;
        }
        match result {
            Ok(Some(card)) => {
                let retention_due = ctx
                    .cases
                    .iter()
                    .find(|c| c.case_id == card.case_id)
                    .is_some_and(|c| c.due.retention_due);
                Transition::Case(Box::new(CaseScreen::new(card, ctx.catalog, retention_due)))
            }
            Ok(None) => {
                ctx.message = Some(Message::info(Text::new(
                    "Deze casus is intussen gesloten.",
                    "This case was closed meanwhile.",
                )));
                ctx.effects.push(Effect::List);
                Transition::Stay
            }
            Err(t) => {
                ctx.message = Some(Message::error(t));
                Transition::Stay
            }
        }
    }

    pub fn exported(&mut self) {
        self.exporting = false;
    }

    /// The receipt was applied, or failed.
    pub fn receipt_done(&mut self) {
        self.applying = false;
    }

    /// Pasted text goes into the path being typed (export or receipt).
    pub fn paste(&mut self, text: &str) -> Transition {
        if let Some(f) = self.receipt.as_mut().or(self.export.as_mut()) {
            f.paste(text);
        }
        Transition::Stay
    }

    pub fn key(&mut self, key: Key, action: Option<Action>, ctx: &mut AppCtx<'_>) -> Transition {
        if let Some(field) = &mut self.export {
            match action {
                Some(Action::Select) => {
                    let text = field.text();
                    let out = (!text.trim().is_empty()).then(|| PathBuf::from(text.trim()));
                    self.export = None;
                    self.exporting = true;
                    ctx.effects.push(Effect::Export {
                        out,
                        all: false,
                        now: ctx.now,
                    });
                }
                Some(Action::Cancel) => self.export = None,
                _ => {
                    field.handle(key);
                }
            }
            return Transition::Stay;
        }
        if let Some(field) = &mut self.receipt {
            match action {
                Some(Action::Select) => {
                    let text = field.text();
                    if text.trim().is_empty() {
                        ctx.message = Some(Message::error(Text::new(
                            "Typ of plak eerst het pad van het ontvangstbewijs (Esc: terug).",
                            "Type or paste the path of the receipt first (Esc: back).",
                        )));
                    } else {
                        self.receipt = None;
                        self.applying = true;
                        ctx.clear_message = true;
                        ctx.effects
                            .push(Effect::ApplyReceipt(PathBuf::from(text.trim())));
                    }
                }
                Some(Action::Cancel) => self.receipt = None,
                _ => {
                    field.handle(key);
                }
            }
            return Transition::Stay;
        }
        if let Some(d) = &mut self.discard {
            let (entry, confirm) = &mut **d;
            match confirm.key(key, action) {
                Confirm::Confirmed => {
                    ctx.effects.push(Effect::DiscardDraft(entry.id.clone()));
                    self.discard = None;
                }
                Confirm::Cancelled => self.discard = None,
                Confirm::Pending => {}
            }
            return Transition::Stay;
        }
        if self.on_cases && ctx.cases.is_empty() {
            self.on_cases = false;
        }
        if self.on_cases {
            match action {
                Some(Action::Up) => {
                    self.case_selected = self.case_selected.saturating_sub(1);
                    return Transition::Stay;
                }
                Some(Action::Down) => {
                    self.case_selected =
                        (self.case_selected + 1).min(ctx.cases.len().saturating_sub(1));
                    return Transition::Stay;
                }
                Some(Action::Open) => {
                    if let Some(c) = ctx.cases.get(self.case_selected) {
                        self.opening = true;
                        ctx.effects.push(Effect::LoadCase(c.case_id.clone()));
                    }
                    return Transition::Stay;
                }
                Some(Action::Discard) => return Transition::Stay,
                _ => {}
            }
        }
        let list = ordered(ctx.entries);
        match action {
            Some(Action::SwitchList) => {
                self.on_cases = !self.on_cases && !ctx.cases.is_empty();
            }
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Down) => {
                self.selected = (self.selected + 1).min(list.len().saturating_sub(1))
            }
            Some(Action::NewVisit) => return Transition::NewVisit,
            Some(Action::Export) if !self.exporting => {
                self.export = Some(Box::new(Field::single("")));
            }
            Some(Action::Receipt) if !self.applying => {
                self.receipt = Some(Box::new(Field::single("")));
            }
            Some(Action::Open) => match list.get(self.selected) {
                Some(e) if e.status == ListStatus::Draft => {
                    ctx.effects.push(Effect::LoadDraft(e.id.clone()))
                }
                Some(_) => {
                    ctx.message = Some(Message::info(Text::new(
                        "Een afgerond bezoek is niet meer te openen op deze laptop; zo blijft het veilig als de laptop kwijtraakt.",
                        "A finalized visit cannot be opened on this laptop any more; that keeps it safe if the laptop is lost.",
                    )))
                }
                None => {}
            },
            Some(Action::Discard) => {
                if let Some(e) = list
                    .get(self.selected)
                    .filter(|e| e.status == ListStatus::Draft)
                {
                    let confirm = TypedConfirm::new(&e.label, "weggooien");
                    self.discard = Some(Box::new(((*e).clone(), confirm)));
                }
            }
            _ => {}
        }
        Transition::Stay
    }

    pub fn view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        let t = |nl, en| v.lang.pick(nl, en);
        let visits_area = if v.cases.is_empty() {
            area
        } else {
            let [cases, visits] = Layout::vertical([
                Constraint::Length(self.cases_height(area, v)),
                Constraint::Min(3),
            ])
            .areas(area);
            self.cases_view(f, cases, v);
            visits
        };
        let list = ordered(v.entries);
        let count = |s: ListStatus| list.iter().filter(|e| e.status == s).count();
        let mut lines: Vec<Line> = Vec::new();
        let mut selected_line = 0;
        let groups = [
            (
                ListStatus::Draft,
                t("Concepten", "Drafts"),
                t("geen", "none"),
            ),
            (
                ListStatus::Finalized,
                t("Klaar voor export", "Ready for export"),
                t("geen", "none"),
            ),
            (
                ListStatus::Exported,
                t("Geëxporteerd", "Exported"),
                t("geen", "none"),
            ),
        ];
        let mut i = 0;
        for (status, title, none) in groups {
            lines.push(Line::styled(
                format!("{title} ({})", count(status)),
                v.theme.title(),
            ));
            let mut any = false;
            for e in list.iter().filter(|e| e.status == status) {
                any = true;
                let is_sel = i == self.selected && !self.on_cases;
                if is_sel {
                    selected_line = lines.len();
                }
                let seq = e.sequence.map_or(String::new(), |s| format!("#{s:<4} "));
                let mut spans = vec![
                    Span::raw(if is_sel { " ▶ " } else { "   " }),
                    Span::raw(format!("{seq}{}  ", e.date)),
                    Span::raw(format!("{:<24}", clip(&e.label, 24))),
                ];
                if e.flags > 0 {
                    let text = if e.acute_flags > 0 {
                        format!("⚑ {} ({} {})", e.flags, e.acute_flags, t("acuut", "acute"))
                    } else {
                        format!("⚑ {}", e.flags)
                    };
                    spans.push(Span::styled(
                        text,
                        if e.acute_flags > 0 {
                            v.theme.error()
                        } else {
                            v.theme.warn()
                        },
                    ));
                }
                let mut line = Line::from(spans);
                if is_sel {
                    line = line.style(v.theme.selected());
                }
                lines.push(line);
                i += 1;
            }
            if !any {
                lines.push(Line::styled(format!("   {none}"), v.theme.dim()));
            }
            lines.push(Line::raw(""));
        }
        // What arrived at the office is deleted from the laptop: a count only.
        if v.arrived > 0 {
            lines.push(Line::styled(
                format!(
                    "{} ({})",
                    t("Aangekomen op kantoor", "Arrived at the office"),
                    v.arrived
                ),
                v.theme.title(),
            ));
            lines.push(Line::styled(
                match v.lang {
                    Lang::Nl => format!(
                        "   {} aangekomen op kantoor en van deze laptop verwijderd",
                        if v.arrived == 1 {
                            "1 bezoek".to_string()
                        } else {
                            format!("{} bezoeken", v.arrived)
                        }
                    ),
                    Lang::En => format!(
                        "   {} arrived at the office and deleted from this laptop",
                        if v.arrived == 1 {
                            "1 visit".to_string()
                        } else {
                            format!("{} visits", v.arrived)
                        }
                    ),
                },
                v.theme.dim(),
            ));
            lines.push(Line::raw(""));
        }
        if list.is_empty() {
            let width = usize::from(area.width.saturating_sub(2));
            // After a receipt there were visits: none is open on this laptop.
            let empty = if v.arrived > 0 {
                t(
                    "Geen open bezoeken op deze laptop. Druk op n om een nieuw bezoek te beginnen.",
                    "No open visits on this laptop. Press n to start a new visit.",
                )
            } else {
                t(
                    "Nog geen bezoeken. Druk op n om een nieuw bezoek te beginnen.",
                    "No visits yet. Press n to start a new visit.",
                )
            };
            for l in wrap_prefixed("", empty, width) {
                lines.push(Line::from(l));
            }
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.dim())
            .title(Span::styled(
                format!(" {} ", t("Bezoeken", "Visits")),
                v.theme.title(),
            ));
        let inner = block.inner(visits_area);
        let inner_height = inner.height as usize;
        let scroll = selected_line.saturating_sub(inner_height.saturating_sub(2));
        f.render_widget(
            Paragraph::new(lines)
                .block(block)
                .scroll((scroll as u16, 0)),
            visits_area,
        );
        // The real cursor on the selected visit (screen readers follow it),
        // or at the top of an empty list.
        let row = if list.is_empty() {
            0
        } else {
            selected_line - scroll
        };
        if inner.height > 0 && !self.on_cases {
            f.set_cursor_position((inner.x + 1, inner.y + (row as u16).min(inner.height - 1)));
        }

        if let Some(field) = &self.export {
            let boxed = centered(area, 70, 9);
            f.render_widget(Clear, boxed);
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(v.theme.title())
                .title(format!(" {} ", t("Exporteren", "Export")));
            let inner = block.inner(boxed);
            f.render_widget(block, boxed);
            let [intro, input] =
                Layout::vertical([Constraint::Length(3), Constraint::Length(3)]).areas(inner);
            f.render_widget(
                Paragraph::new(t(
                    "Waar moet de bundel komen? Een map (bijvoorbeeld de USB-stick) of een bestandsnaam. Leeg: een standaardnaam in de huidige map.",
                    "Where should the bundle go? A folder (the USB stick, say) or a file name. Empty: a default name in the current folder.",
                ))
                .wrap(Wrap { trim: true }),
                intro,
            );
            field.render(f, input, t(" Pad ", " Path "), true, v.theme);
        }
        if let Some(field) = &self.receipt {
            let boxed = centered(area, 70, 10);
            f.render_widget(Clear, boxed);
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(v.theme.title())
                .title(format!(" {} ", t("Ontvangstbewijs", "Receipt")));
            let inner = block.inner(boxed);
            f.render_widget(block, boxed);
            let [intro, input] =
                Layout::vertical([Constraint::Length(4), Constraint::Length(3)]).areas(inner);
            f.render_widget(
                Paragraph::new(t(
                    "Waar staat het ontvangstbewijs van kantoor? Typ of plak het pad van het bestand. De bezoeken die zijn aangekomen worden van deze laptop verwijderd.",
                    "Where is the receipt from the office? Type or paste the path of the file. The visits that arrived are deleted from this laptop.",
                ))
                .wrap(Wrap { trim: true }),
                intro,
            );
            field.render(f, input, t(" Pad ", " Path "), true, v.theme);
        }
        if let Some(d) = &self.discard {
            let (e, confirm) = &**d;
            let what = format!(
                "{} ({}) — {}",
                e.label,
                e.date,
                flags_phrase(e.flags as usize, e.acute_flags as usize, v.lang)
            );
            let lines = vec![
                Line::styled(
                    t("Dit concept weggooien?", "Discard this draft?"),
                    v.theme.title(),
                ),
                Line::styled(what, v.theme.error()),
                Line::from(t(
                    "Alle antwoorden, vlaggen en afspraken van dit concept gaan verloren en komen nooit bij kantoor. Dit kan niet ongedaan worden.",
                    "Every answer, flag and agreement of this draft is lost and never reaches the office. This cannot be undone.",
                )),
                Line::from(match v.lang {
                    Lang::Nl => format!(
                        "Weggooien: typ „{}” (de eerste letters van de naam) en druk op Enter.",
                        confirm.expected()
                    ),
                    Lang::En => format!(
                        "To discard: type “{}” (the first letters of the name) and press Enter.",
                        confirm.expected()
                    ),
                }),
            ];
            confirm.render(f, area, v, t("Concept weggooien", "Discard draft"), lines);
        }
    }
}

/// Room for the case list: at most two fifths of the home screen.
fn cases_max_rows(area: Rect) -> usize {
    usize::from(area.height * 2 / 5).saturating_sub(2).max(1)
}

/// The marks of a case on the home screen: what is overdue (`!`), acute
/// and other active flags, and "close?" after the retention period. Each
/// with whether it is urgent (drawn in the error colour; the mark says it
/// in words too).
pub fn case_marks(due: &Due, lang: Lang) -> Vec<(String, bool)> {
    let mut marks = Vec::new();
    if due.acute_flags > 0 {
        marks.push((
            format!("⚑ {} {}", due.acute_flags, lang.pick("acuut", "acute")),
            true,
        ));
    } else if due.active_flags > 0 {
        marks.push((format!("⚑ {}", due.active_flags), false));
    }
    match (lang, due.overdue_agreements) {
        (_, 0) => {}
        (Lang::Nl, 1) => marks.push(("! afspraak".to_string(), true)),
        (Lang::Nl, n) => marks.push((format!("! {n} afspraken"), true)),
        (Lang::En, 1) => marks.push(("! agreement".to_string(), true)),
        (Lang::En, n) => marks.push((format!("! {n} agreements"), true)),
    }
    if due.evaluation_overdue {
        marks.push((format!("! {}", lang.pick("evaluatie", "evaluation")), true));
    }
    if due.contact_overdue {
        marks.push((format!("! {}", lang.pick("contact", "contact")), true));
    }
    if due.retention_due {
        marks.push((lang.pick("sluiten?", "close?").to_string(), false));
    }
    marks
}

/// Where the label ends and the marks start in a case row.
const CASE_LABEL: usize = 18;

impl HomeScreen {
    /// The rows of one case: the date, the label, then its marks, wrapped
    /// under the marks column when they do not fit (never cut off).
    fn case_lines(
        &self,
        c: &CaseEntry,
        selected: bool,
        width: usize,
        lang: Lang,
        theme: &Theme,
    ) -> Vec<Line<'static>> {
        let next = c.due.next.map_or_else(|| "—".to_string(), crate::case::day);
        let head = format!(
            "{}{next:<10}  {:<CASE_LABEL$}  ",
            if selected { " ▶ " } else { "   " },
            clip(&c.label, CASE_LABEL)
        );
        let indent = head.chars().count();
        let mut lines: Vec<Vec<Span<'static>>> = vec![vec![Span::raw(head)]];
        let mut used = indent;
        for (n, (mark, urgent)) in case_marks(&c.due, lang).into_iter().enumerate() {
            let len = mark.chars().count();
            let sep = if n == 0 || used == indent { 0 } else { 2 };
            if used + sep + len > width && used > indent {
                lines.push(vec![Span::raw(" ".repeat(indent))]);
                used = indent;
            } else if sep > 0 {
                lines.last_mut().unwrap().push(Span::raw("  "));
                used += sep;
            }
            let style = if urgent { theme.error() } else { theme.warn() };
            lines.last_mut().unwrap().push(Span::styled(mark, style));
            used += len;
        }
        lines
            .into_iter()
            .map(|spans| {
                let line = Line::from(spans);
                if selected {
                    line.style(theme.selected())
                } else {
                    line
                }
            })
            .collect()
    }

    fn cases_height(&self, area: Rect, v: &ViewCtx<'_>) -> u16 {
        let width = usize::from(area.width.saturating_sub(2));
        let rows: usize = v
            .cases
            .iter()
            .take(cases_max_rows(area) + 1)
            .map(|c| self.case_lines(c, false, width, v.lang, v.theme).len())
            .sum();
        (rows.min(cases_max_rows(area)) + 2) as u16
    }

    fn cases_view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        let t = |nl, en| v.lang.pick(nl, en);
        let width = usize::from(area.width.saturating_sub(2));
        let mut lines: Vec<Line> = Vec::new();
        let mut selected_line = 0;
        for (i, c) in v.cases.iter().enumerate() {
            let sel = self.on_cases && i == self.case_selected;
            if sel {
                selected_line = lines.len();
            }
            lines.extend(self.case_lines(c, sel, width, v.lang, v.theme));
        }
        let hint = if self.on_cases {
            t("Enter: openen", "Enter: open")
        } else {
            t("Tab: kiezen", "Tab: choose")
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if self.on_cases {
                v.theme.title()
            } else {
                v.theme.dim()
            })
            .title(Span::styled(
                format!(
                    " {} ({}) · {hint} · ! = {} ",
                    t("Casussen", "Cases"),
                    v.cases.len(),
                    t("te laat", "overdue")
                ),
                v.theme.title(),
            ));
        let inner = block.inner(area);
        let height = usize::from(inner.height);
        let scroll = selected_line.saturating_sub(height.saturating_sub(1));
        f.render_widget(
            Paragraph::new(lines)
                .block(block)
                .scroll((scroll as u16, 0)),
            area,
        );
        if self.on_cases && inner.height > 0 {
            let row = (selected_line - scroll) as u16;
            f.set_cursor_position((inner.x + 1, inner.y + row.min(inner.height - 1)));
        }
    }
}
