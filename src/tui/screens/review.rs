//! Review and finalize, in four tabs: open required items grouped by person
//! (each a jump away), scores drawn against their bands with a legend and
//! the decision-support line, every answer wrapped and grouped by person
//! and list, and every flag with what was done ("Vlaggen en acties"). Each
//! tab pages (PageUp/PageDown, Home/End). A confirm step says a finalized
//! visit can no longer be opened on this laptop. The tabs' rows are built
//! in `review_tabs`.

use std::cell::Cell;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph};

use crate::checklist::model::{Checklist, FlagLevel};
use crate::i18n::Lang;
use crate::tui::event::Key;
use crate::tui::keys::Action;
use crate::tui::screens::confirm::{Confirm, TypedConfirm, flags_phrase, open_phrase};
use crate::tui::screens::review_tabs::{
    Row, answer_rows, flag_rows, missing_count, open_places, open_rows, person, score_rows,
};
use crate::tui::view::ViewCtx;
use crate::tui::widgets::clip;
use crate::visit::record::format_date;
use crate::visit::{Answer, Derived, Visit};

#[derive(Default)]
pub struct Review {
    tab: usize,
    /// The chosen open item (tab 1).
    sel: usize,
    /// The first line shown (tabs 2 to 4).
    scroll: usize,
    /// The body's height and the current tab's line count, as last drawn
    /// (for PageUp/PageDown and End).
    page: Cell<usize>,
    lines: Cell<usize>,
    /// The first line shown on tab 1, as last drawn (it follows the choice).
    top: Cell<usize>,
    /// The finalize dialog: the first letters of the label to type.
    confirming: Option<TypedConfirm>,
}

/// The review's tabs, in order (Tab and Shift-Tab go round).
const TABS: usize = 4;

pub enum ReviewOutcome {
    Stay,
    Close,
    Jump {
        sheet: usize,
        item: usize,
        entry: Option<usize>,
    },
    Finalize,
    /// Open the read-back with the family.
    ReadBack,
}

/// The headings in force at the end of `rows` (the top of a page): the
/// person, and the list when one follows the person.
fn page_context(rows: &[Row]) -> Option<String> {
    let mut list = None;
    for row in rows.iter().rev() {
        match row {
            Row::Heading(1, text, _) if list.is_none() => list = Some(text.as_str()),
            Row::Heading(0, who, _) => {
                return Some(match list {
                    Some(l) => format!("{who} · {l}"),
                    None => who.clone(),
                });
            }
            _ => {}
        }
    }
    None
}

/// An answer as the worker reads it.
pub fn show_answer(c: &Checklist, item: usize, a: &Answer, lang: Lang) -> String {
    let it = &c.items[item];
    match a {
        Answer::Choice(i) => it
            .options
            .get(*i as usize)
            .map_or(String::new(), |o| o.label.get(lang).to_string()),
        Answer::Multi(bits) => it
            .options
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, o)| o.label.get(lang))
            .collect::<Vec<_>>()
            .join(", "),
        Answer::Number(n) => {
            if n.fract() == 0.0 {
                format!("{}", *n as i64)
            } else {
                n.to_string()
            }
        }
        Answer::Text(t) => t.as_str().replace('\n', " ⏎ "),
        Answer::Date(d) => format_date(*d),
    }
}

impl Review {
    /// The finalize dialog is open (letters type into it).
    pub fn confirming(&self) -> bool {
        self.confirming.is_some()
    }

    pub fn key(
        &mut self,
        key: Key,
        action: Option<Action>,
        visit: &Visit,
        derived: &Derived,
    ) -> ReviewOutcome {
        if let Some(confirm) = &mut self.confirming {
            return match confirm.key(key, action) {
                Confirm::Confirmed => {
                    self.confirming = None;
                    ReviewOutcome::Finalize
                }
                Confirm::Cancelled => {
                    self.confirming = None;
                    ReviewOutcome::Stay
                }
                Confirm::Pending => ReviewOutcome::Stay,
            };
        }
        let page = self.page.get().max(1);
        let open = || open_places(visit, derived).len();
        // Tab 1 moves the choice (about two lines an item); the others scroll.
        let step = |sel: &mut usize, scroll: &mut usize, by: isize, tab: usize, lines: usize| {
            let (at, last, by) = if tab == 0 {
                (*sel, open().saturating_sub(1), by)
            } else {
                (*scroll, lines.saturating_sub(page), by)
            };
            let to = if by < 0 {
                at.saturating_sub(by.unsigned_abs())
            } else {
                (at + by as usize).min(last)
            };
            if tab == 0 {
                *sel = to;
            } else {
                *scroll = to;
            }
        };
        let lines = self.lines.get();
        let tab = self.tab;
        let item_page = if tab == 0 { (page / 2).max(1) } else { page } as isize;
        match action {
            Some(Action::Cancel) => return ReviewOutcome::Close,
            Some(Action::NextTab) | Some(Action::Prev) => {
                self.tab = if action == Some(Action::Prev) {
                    (self.tab + TABS - 1) % TABS
                } else {
                    (self.tab + 1) % TABS
                };
                self.sel = 0;
                self.scroll = 0;
                self.top.set(0);
            }
            Some(Action::Up) => step(&mut self.sel, &mut self.scroll, -1, tab, lines),
            Some(Action::Down) => step(&mut self.sel, &mut self.scroll, 1, tab, lines),
            Some(Action::PageUp) => step(&mut self.sel, &mut self.scroll, -item_page, tab, lines),
            Some(Action::PageDown) => step(&mut self.sel, &mut self.scroll, item_page, tab, lines),
            Some(Action::First) => {
                step(&mut self.sel, &mut self.scroll, isize::MIN / 2, tab, lines)
            }
            Some(Action::Last) => step(&mut self.sel, &mut self.scroll, isize::MAX / 2, tab, lines),
            Some(Action::Select) if self.tab == 0 => {
                if let Some(o) = open_places(visit, derived).get(self.sel) {
                    return ReviewOutcome::Jump {
                        sheet: o.sheet,
                        item: o.item,
                        entry: o.entry,
                    };
                }
            }
            Some(Action::Finalize) => {
                self.confirming = Some(TypedConfirm::new(&visit.label, "afronden"));
            }
            Some(Action::ReadBack) => return ReviewOutcome::ReadBack,
            _ => {}
        }
        ReviewOutcome::Stay
    }

    pub fn view(
        &self,
        f: &mut Frame,
        area: Rect,
        v: &ViewCtx<'_>,
        visit: &Visit,
        derived: &Derived,
    ) {
        let t = |nl, en| v.lang.pick(nl, en);
        let missing = missing_count(derived);
        let open = open_places(visit, derived);
        let invalid = derived.invalid.len();
        let tabs = self.tab_names(v, visit, missing, invalid);
        // The tabs on up to two lines, none broken in the middle.
        let mut bar_lines: Vec<Vec<Span>> = vec![vec![Span::raw(" ")]];
        let mut used = 1usize;
        let room = area.width.saturating_sub(2) as usize;
        for (i, name) in tabs.iter().enumerate() {
            // The tab on screen is marked in words too, not by colour alone.
            let (style, name) = if i == self.tab {
                (v.theme.selected(), format!("[{name}]"))
            } else {
                (v.theme.dim(), format!(" {name} "))
            };
            let w = name.chars().count() + 1;
            if used + w > room && used > 1 {
                bar_lines.push(vec![Span::raw(" ")]);
                used = 1;
            }
            used += w;
            let line = bar_lines.last_mut().expect("one line at least");
            line.push(Span::styled(name, style));
            line.push(Span::raw(" "));
        }
        // Read back or not, after the tabs where it fits (two lines at most).
        // In a narrow window, where the tabs fill both lines, the first
        // tab says it in its first row instead.
        let mark = read_back_span(v, visit);
        let w = mark.content.chars().count() + 2;
        let mut mark_row = None;
        if used + w <= room {
            let line = bar_lines.last_mut().expect("one line at least");
            line.push(Span::raw(" "));
            line.push(mark);
        } else if bar_lines.len() < 2 {
            bar_lines.push(vec![Span::raw(" "), mark]);
        } else {
            mark_row = Some(Row::Text(Line::from(mark)));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.title())
            .title(Span::styled(
                format!(" {} ", t("Controleren en afronden", "Review and finalize")),
                v.theme.title(),
            ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let [bar, body, foot] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        f.render_widget(
            Paragraph::new(bar_lines.into_iter().map(Line::from).collect::<Vec<_>>()),
            bar,
        );
        let width = body.width as usize;
        let rows = match self.tab {
            0 => mark_row
                .into_iter()
                .chain(status_rows(v, visit, width))
                .chain(open_rows(v, visit, &open, self.sel, width))
                .collect(),
            1 => score_rows(v, visit, derived, width),
            2 => answer_rows(v, visit, derived, width),
            _ => flag_rows(v, visit, width),
        };
        let height = body.height as usize;
        self.page.set(height);
        self.lines.set(rows.len());
        let last_first = rows.len().saturating_sub(height);
        let first = if self.tab == 0 {
            // Keep the chosen item's lines in view (with its heading when
            // it is the first).
            let lines_of = |n: usize| {
                let mut it = rows
                    .iter()
                    .enumerate()
                    .filter(move |(_, r)| matches!(r, Row::Open(k, _) if *k == n))
                    .map(|(i, _)| i);
                let a = it.next();
                (a, it.next_back().or(a))
            };
            let mut top = self.top.get();
            if let (Some(a), Some(b)) = lines_of(self.sel) {
                let a = if self.sel == 0 { 0 } else { a };
                if a < top {
                    top = a;
                } else if b >= top + height {
                    top = b + 1 - height.min(b + 1);
                }
            }
            let top = top.min(last_first);
            self.top.set(top);
            top
        } else {
            self.scroll.min(last_first)
        };
        let total = rows.len();
        // Whose lines these are, when the page starts below the heading.
        let context = if first > 0 && !matches!(rows.get(first), Some(Row::Heading(0, _, _))) {
            page_context(&rows[..=first.min(rows.len().saturating_sub(1))])
        } else {
            None
        };
        // The real cursor on the selected open item, or at the top of what
        // is shown (screen readers and braille displays follow it).
        let selected = match self.tab {
            0 => rows
                .iter()
                .position(|r| matches!(r, Row::Open(k, _) if *k == self.sel)),
            _ => None,
        };
        if body.height > 0 {
            // On the ▶ of the selected item (after its one-space indent).
            let (row, x) = selected.map_or((0, body.x), |i| (i.saturating_sub(first), body.x + 1));
            f.set_cursor_position((x, body.y + (row as u16).min(body.height - 1)));
        }
        for (n, row) in rows.into_iter().skip(first).take(height).enumerate() {
            let r = Rect::new(body.x, body.y + n as u16, body.width, 1);
            match row {
                Row::Text(line) | Row::Open(_, line) | Row::Heading(_, _, line) => {
                    f.render_widget(Paragraph::new(line), r)
                }
                Row::Gauge {
                    label,
                    ratio,
                    style,
                } => {
                    let [bar, text] =
                        Layout::horizontal([Constraint::Length(32), Constraint::Min(1)]).areas(r);
                    let g = Gauge::default()
                        .ratio(ratio.clamp(0.0, 1.0))
                        .label("")
                        .use_unicode(true)
                        .gauge_style(style);
                    f.render_widget(Paragraph::new("  "), bar);
                    let [_, inner] =
                        Layout::horizontal([Constraint::Length(2), Constraint::Min(1)]).areas(bar);
                    f.render_widget(g, inner);
                    f.render_widget(Paragraph::new(format!(" {label}")), text);
                }
            }
        }
        if let Some(c) = context {
            let room = (area.width as usize).saturating_sub(24);
            let c = format!(" {} ", clip(&c, room));
            let w = c.chars().count() as u16;
            f.render_widget(
                Paragraph::new(Span::styled(c, v.theme.title())),
                Rect::new(area.x + 2, area.y + area.height - 1, w, 1),
            );
        }
        // Where the page is, when there is more than one.
        if total > height {
            let pos = match v.lang {
                Lang::Nl => format!(
                    " {}–{} van {total} ",
                    first + 1,
                    (first + height).min(total)
                ),
                Lang::En => format!(" {}–{} of {total} ", first + 1, (first + height).min(total)),
            };
            let w = pos.chars().count() as u16;
            if area.width > w + 4 {
                f.render_widget(
                    Paragraph::new(Span::styled(pos, v.theme.dim())),
                    Rect::new(area.x + area.width - w - 2, area.y + area.height - 1, w, 1),
                );
            }
        }
        let unack = visit.unacknowledged_flags().count();
        let foot_line = if invalid > 0 {
            Line::styled(
                t(
                    "Verbeter of wis eerst de ongeldige antwoorden (Enter: naar de vraag).",
                    "First mend or clear the invalid answers (Enter: go to the question).",
                ),
                v.theme.error(),
            )
        } else if unack > 0 {
            Line::styled(
                t(
                    "Bevestig eerst alle rode vlaggen voordat u afrondt.",
                    "Acknowledge every red flag before finalizing.",
                ),
                v.theme.error(),
            )
        } else {
            Line::styled(
                t(
                    "Alt-f of F9: bezoek afronden · Esc: terug naar de vragen",
                    "Alt-f or F9: finalize visit · Esc: back to the questions",
                ),
                v.theme.dim(),
            )
        };
        f.render_widget(Paragraph::new(foot_line), foot);
        if let Some(confirm) = &self.confirming {
            // Lapsed and withdrawn flags do not count, here as at the office.
            let active = visit.active_flags().count();
            let acute = visit
                .active_flags()
                .filter(|f| f.level == FlagLevel::Acute)
                .count();
            let what = format!(
                "{} ({}) — {}, {}",
                visit.label,
                format_date(visit.date),
                flags_phrase(active, acute, v.lang),
                open_phrase(missing, v.lang)
            );
            let mut lines = vec![
                Line::styled(
                    t("Bezoek afronden?", "Finalize this visit?"),
                    v.theme.title(),
                ),
                Line::styled(what, v.theme.warn()),
                Line::from(t(
                    "Na afronden wordt het bezoek versleuteld voor uw organisatie. U kunt het op deze laptop dan NIET meer openen of wijzigen.",
                    "Once finalized, the visit is encrypted for your organisation. You can then NOT open or change it on this laptop any more.",
                )),
            ];
            if missing > 0 {
                lines.push(Line::styled(
                    t(
                        "Open verplichte vragen gaan onbeantwoord naar kantoor.",
                        "Open required questions go to the office unanswered.",
                    ),
                    v.theme.warn(),
                ));
            }
            lines.push(Line::from(match v.lang {
                Lang::Nl => format!(
                    "Afronden: typ „{}” (de eerste letters van de naam) en druk op Enter.",
                    confirm.expected()
                ),
                Lang::En => format!(
                    "To finalize: type “{}” (the first letters of the name) and press Enter.",
                    confirm.expected()
                ),
            }));
            confirm.render(f, area, v, t("Bezoek afronden", "Finalize visit"), lines);
        }
    }

    /// The tab names, with counts.
    fn tab_names(
        &self,
        v: &ViewCtx<'_>,
        visit: &Visit,
        missing: usize,
        invalid: usize,
    ) -> [String; TABS] {
        let t = |nl, en| v.lang.pick(nl, en);
        [
            if invalid > 0 {
                format!(
                    "1 {} ({missing}, {invalid} {})",
                    t("Open verplicht", "Open required"),
                    t("ongeldig", "invalid")
                )
            } else {
                format!("1 {} ({missing})", t("Open verplicht", "Open required"))
            },
            t("2 Scores en uitkomsten", "2 Scores and outcomes").to_string(),
            t("3 Alle antwoorden", "3 All answers").to_string(),
            format!(
                "4 {} ({})",
                t("Vlaggen en acties", "Flags and actions"),
                visit.flags.len()
            ),
        ]
    }
}

/// Whether the agreements were read back with the family, for the tab
/// bar (on every tab; `l` opens the read-back, `m` in it marks it).
fn read_back_span(v: &ViewCtx<'_>, visit: &Visit) -> Span<'static> {
    match visit.read_back {
        Some(at) => Span::styled(
            format!(
                "{}: ✓ {:02}:{:02}",
                v.lang.pick("Voorgelezen", "Read back"),
                at.hour(),
                at.minute()
            ),
            v.theme.ok(),
        ),
        None => Span::styled(
            v.lang
                .pick("Voorgelezen: nog niet (l)", "Read back: not yet (l)")
                .to_string(),
            v.theme.dim(),
        ),
    }
}

/// The first tab's top lines (ROSTER lane): every list not taken, with its
/// status and reason; every child outside the age groups of a list; every
/// person removed from the roster, with why. Nothing about a person is
/// silently absent. Empty when every list is taken.
fn status_rows(v: &ViewCtx<'_>, visit: &Visit, width: usize) -> Vec<Row> {
    use crate::visit::SheetStatus;
    let mut lines: Vec<(String, Style)> = Vec::new();
    for (_, why) in visit.outside_band_sheets() {
        lines.push((why.get(v.lang).to_string(), v.theme.warn()));
    }
    for s in &visit.sheets {
        if matches!(s.status, SheetStatus::Taken | SheetStatus::OutsideBands) {
            continue;
        }
        lines.push((
            format!(
                "{} · {}: {} — {}",
                person(visit, s.person, v.lang),
                s.checklist.title.get(v.lang),
                s.status.label().get(v.lang),
                s.status_reason.as_str()
            ),
            v.theme.normal(),
        ));
    }
    for r in &visit.removed {
        lines.push((
            match v.lang {
                Lang::Nl => format!(
                    "{} uit het overzicht gehaald: {} (lijsten en antwoorden bewaard)",
                    person(visit, r.person, v.lang),
                    r.reason.as_str()
                ),
                Lang::En => format!(
                    "{} removed from the roster: {} (lists and answers kept)",
                    person(visit, r.person, v.lang),
                    r.reason.as_str()
                ),
            },
            v.theme.dim(),
        ));
    }
    if lines.is_empty() {
        return Vec::new();
    }
    let mut rows = vec![Row::Text(Line::styled(
        v.lang.pick("Niet afgenomen", "Not taken").to_string(),
        v.theme.title(),
    ))];
    // Wrapped, never cut: the reason is the point of the line.
    for (text, style) in lines {
        for part in wrap_words(&text, width.saturating_sub(4).max(20)) {
            rows.push(Row::Text(Line::styled(format!("  {part}"), style)));
        }
    }
    rows.push(Row::Text(Line::raw("")));
    rows
}

/// Words into lines of at most `width` characters (a longer word is cut);
/// later lines are indented by two.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let room = if out.is_empty() { width } else { width - 2 };
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > room {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out.into_iter()
        .enumerate()
        .map(|(i, l)| {
            let l: String = l.chars().take(width).collect();
            if i == 0 { l } else { format!("  {l}") }
        })
        .collect()
}
