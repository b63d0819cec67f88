//! The question overview, "Ga naar vraag / Go to question" (Ctrl-G): every
//! list of the visit (grouped by person, as the F3 picker orders them), its
//! sections, repeat entries and questions, each question with its short
//! answer or an open/required marker. Enter jumps there; `/` searches the
//! question texts (both languages) and the answers, filtering live; `n`/`N`
//! go to the next or previous match.
//!
//! A text answer is searched but never shown beyond the one clipped line
//! the overview shows for every answer: a match inside it shows no extract.
//!
//! Pure: the rows are built from the visit once when the overview opens
//! (answers cannot change while it is open) and only the rows on screen are
//! drawn, so it opens at once on a visit of a thousand questions.

use std::cell::Cell;
use std::collections::HashSet;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::i18n::Lang;
use crate::tui::event::Key;
use crate::tui::keys::{Action, Ctx};
use crate::tui::screens::review::show_answer;
use crate::tui::screens::visit::Pos;
use crate::tui::view::ViewCtx;
use crate::tui::widgets::{Field, clip};
use crate::visit::{Derived, Person, Visit};

/// What a row of the overview stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A list (checklist) of one person or of the visit.
    Sheet,
    Section,
    /// One entry of a repeatable section.
    Entry,
    Question,
}

/// One row: where it is, where Enter goes, and (for a question) whether it
/// is open and required, and the folded text a search looks in.
#[derive(Debug, Clone)]
pub struct Row {
    pub kind: RowKind,
    pub sheet: usize,
    pub section: usize,
    pub item: usize,
    pub entry: Option<usize>,
    /// Where Enter on this row goes.
    pub target: Pos,
    /// A question that is required and not answered.
    pub open: bool,
}

/// What a key did in the overview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Stay,
    Close,
    Jump(Pos),
}

pub struct Overview {
    rows: Vec<Row>,
    /// What a search looks in, per row (built at the first search).
    hay: Option<Vec<String>>,
    /// The rows shown under the current search: indices into `rows`.
    shown: Vec<usize>,
    /// The selected row: an index into `shown`.
    sel: usize,
    query: Field,
    /// The search field has the focus (letters type).
    searching: bool,
    /// The first row on screen and the rows that fit, as last drawn (the
    /// list scrolls only as far as the selection needs).
    top: Cell<usize>,
    page: Cell<usize>,
}

/// Lowercase, without accents: what a search compares ("één" finds "een").
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        out.push(match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            '’' | '‘' => '\'',
            c => c,
        });
    }
    out
}

/// Whether folded text holds every word of a (folded) query.
pub fn matches(hay: &str, folded_query: &str) -> bool {
    folded_query.split_whitespace().all(|w| hay.contains(w))
}

/// The overview's rows: the sheets in `order` (person first), and in each
/// sheet its stops in flow order, with a row for each section and entry
/// they enter. Only places the flow can stop at are listed, so every
/// jump lands.
pub fn rows(visit: &Visit, derived: &Derived, stops: &[Pos], order: &[usize]) -> Vec<Row> {
    let mut by_sheet: Vec<Vec<Pos>> = vec![Vec::new(); visit.sheets.len()];
    for p in stops {
        let s = match *p {
            Pos::Item { sheet, .. } | Pos::AddEntry { sheet, .. } => sheet,
        };
        if let Some(v) = by_sheet.get_mut(s) {
            v.push(*p);
        }
    }
    let mut out = Vec::with_capacity(stops.len() + stops.len() / 4);
    for &s in order {
        let Some(sheet) = visit.sheets.get(s) else {
            continue;
        };
        let sheet_stops = &by_sheet[s];
        let Some(&first) = sheet_stops.first() else {
            continue;
        };
        let c = &sheet.checklist;
        let d = &derived.sheets[s];
        let missing: HashSet<(usize, Option<usize>)> =
            d.missing.iter().map(|m| (m.item, m.entry)).collect();
        out.push(Row {
            kind: RowKind::Sheet,
            sheet: s,
            section: 0,
            item: 0,
            entry: None,
            target: first,
            open: !missing.is_empty(),
        });
        let mut section = None;
        let mut entry = None;
        for &p in sheet_stops {
            let (sec, item, e) = match p {
                Pos::Item { item, entry, .. } => (c.items[item].section, Some(item), entry),
                Pos::AddEntry { section, .. } => (section, None, None),
            };
            if section != Some(sec) {
                section = Some(sec);
                entry = None;
                out.push(Row {
                    kind: RowKind::Section,
                    sheet: s,
                    section: sec,
                    item: 0,
                    entry: None,
                    target: p,
                    open: false,
                });
            }
            let Some(item) = item else { continue };
            if e.is_some() && e != entry {
                entry = e;
                out.push(Row {
                    kind: RowKind::Entry,
                    sheet: s,
                    section: sec,
                    item,
                    entry: e,
                    target: p,
                    open: false,
                });
            }
            out.push(Row {
                kind: RowKind::Question,
                sheet: s,
                section: sec,
                item,
                entry: e,
                target: p,
                open: missing.contains(&(item, e)),
            });
        }
    }
    out
}

/// What a search looks in, per row: a question's texts (Dutch and
/// English, for its person's age band) and its answer (in both languages),
/// folded; nothing for the other rows. Built at the first search, so that
/// opening the overview costs no text work.
pub fn haystacks(visit: &Visit, derived: &Derived, rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            if r.kind != RowKind::Question {
                return String::new();
            }
            let sheet = &visit.sheets[r.sheet];
            let c = &sheet.checklist;
            let text = c.items[r.item].text_for(derived.sheets[r.sheet].age_band);
            let mut hay = String::new();
            for t in [&text.nl, &text.en] {
                hay.push_str(&fold(t));
                hay.push('\n');
            }
            if let Some(a) = sheet.answer(r.item, r.entry) {
                for lang in [Lang::Nl, Lang::En] {
                    hay.push_str(&fold(&show_answer(c, r.item, a, lang)));
                    hay.push('\n');
                }
            }
            hay
        })
        .collect()
}

/// The rows shown for a query: every row when it is empty, else each
/// matching question with the sheet, section and entry rows above it.
/// `hay` is [`haystacks`] of the rows.
pub fn filter(rows: &[Row], hay: &[String], query: &str) -> Vec<usize> {
    let q = fold(query);
    if q.trim().is_empty() {
        return (0..rows.len()).collect();
    }
    let mut out = Vec::new();
    // The header rows above the next match, not yet shown.
    let mut heads: [Option<usize>; 3] = [None; 3];
    for (i, r) in rows.iter().enumerate() {
        match r.kind {
            RowKind::Sheet => heads = [Some(i), None, None],
            RowKind::Section => heads[1..].copy_from_slice(&[Some(i), None]),
            RowKind::Entry => heads[2] = Some(i),
            RowKind::Question if matches(&hay[i], &q) => {
                for h in heads.iter_mut() {
                    if let Some(h) = h.take() {
                        out.push(h);
                    }
                }
                out.push(i);
            }
            RowKind::Question => {}
        }
    }
    out
}

impl Overview {
    /// The overview with the row of `here` selected; `search` focuses the
    /// search field.
    pub fn new(rows: Vec<Row>, here: Pos, search: bool) -> Overview {
        let sel = rows
            .iter()
            .position(|r| r.kind == RowKind::Question && r.target == here)
            .or_else(|| rows.iter().position(|r| r.target == here))
            .unwrap_or(0);
        Overview {
            shown: (0..rows.len()).collect(),
            rows,
            hay: None,
            sel,
            query: Field::single_no_undo(""),
            searching: search,
            top: Cell::new(0),
            page: Cell::new(10),
        }
    }

    pub fn ctx(&self) -> Ctx {
        if self.searching {
            Ctx::Search
        } else {
            Ctx::Overview
        }
    }

    /// The rows shown now, in order.
    pub fn shown(&self) -> impl Iterator<Item = &Row> {
        self.shown.iter().map(|&i| &self.rows[i])
    }

    /// The selected row.
    pub fn selected(&self) -> Option<&Row> {
        self.shown.get(self.sel).map(|&i| &self.rows[i])
    }

    /// Questions shown that match the search (all questions without one).
    pub fn match_count(&self) -> usize {
        self.shown().filter(|r| r.kind == RowKind::Question).count()
    }

    fn refilter(&mut self, visit: &Visit, derived: &Derived) {
        let keep = self.shown.get(self.sel).copied();
        let hay = self
            .hay
            .get_or_insert_with(|| haystacks(visit, derived, &self.rows));
        self.shown = filter(&self.rows, hay, &self.query.text());
        // The first match, or the row that was selected if it is still shown.
        self.sel = if self.query.text().trim().is_empty() {
            keep.and_then(|k| self.shown.iter().position(|&i| i == k))
                .unwrap_or(0)
        } else {
            self.shown
                .iter()
                .position(|&i| self.rows[i].kind == RowKind::Question)
                .unwrap_or(0)
        };
    }

    /// The next (or previous) row after the selection that is a match —
    /// with no search, an open required question — wrapping round.
    fn step_match(&mut self, forward: bool) {
        let n = self.shown.len();
        if n == 0 {
            return;
        }
        let searching = !self.query.text().trim().is_empty();
        let wanted = |r: &Row| r.kind == RowKind::Question && (searching || r.open);
        for k in 1..=n {
            let i = if forward {
                (self.sel + k) % n
            } else {
                (self.sel + n - k % n) % n
            };
            if wanted(&self.rows[self.shown[i]]) {
                self.sel = i;
                return;
            }
        }
    }

    /// A key; the visit is what the rows were built from (for a search).
    pub fn key(
        &mut self,
        key: Key,
        action: Option<Action>,
        visit: &Visit,
        derived: &Derived,
    ) -> Outcome {
        let last = self.shown.len().saturating_sub(1);
        let page = self.page.get().max(1);
        match action {
            Some(Action::Cancel) if self.searching => self.searching = false,
            Some(Action::Cancel) => return Outcome::Close,
            Some(Action::Select) => {
                return self
                    .selected()
                    .map_or(Outcome::Stay, |r| Outcome::Jump(r.target));
            }
            Some(Action::Up) => self.sel = self.sel.saturating_sub(1),
            Some(Action::Down) => self.sel = (self.sel + 1).min(last),
            Some(Action::PageUp) => self.sel = self.sel.saturating_sub(page),
            Some(Action::PageDown) => self.sel = (self.sel + page).min(last),
            Some(Action::First) => self.sel = 0,
            Some(Action::Last) => self.sel = last,
            Some(Action::Search) => self.searching = true,
            Some(Action::NextMatch) => self.step_match(true),
            Some(Action::PrevMatch) => self.step_match(false),
            None if self.searching && self.query.handle(key) => self.refilter(visit, derived),
            _ => {}
        }
        Outcome::Stay
    }

    pub fn paste(&mut self, text: &str, visit: &Visit, derived: &Derived) {
        if self.searching && self.query.paste(&text.replace(['\n', '\r'], " ")) {
            self.refilter(visit, derived);
        }
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
        f.render_widget(Clear, area);
        let open: usize = self
            .rows
            .iter()
            .filter(|r| r.open && r.kind == RowKind::Question)
            .count();
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.title())
            .title(Span::styled(
                match v.lang {
                    Lang::Nl => format!(" Ga naar vraag · {open} open verplicht "),
                    Lang::En => format!(" Go to question · {open} open required "),
                },
                v.theme.title(),
            ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let [search, list] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
        let query = self.query.text();
        let label = t(" Zoeken (/): ", " Search (/): ");
        let [lab, field, count] = Layout::horizontal([
            Constraint::Length(label.chars().count() as u16),
            Constraint::Min(8),
            Constraint::Length(18),
        ])
        .areas(search);
        f.render_widget(
            Paragraph::new(Span::styled(
                label,
                if self.searching {
                    v.theme.selected()
                } else {
                    v.theme.key()
                },
            )),
            lab,
        );
        if self.searching || !query.is_empty() {
            self.query.render_inline(f, field, self.searching);
        }
        if !query.trim().is_empty() {
            let n = self.match_count();
            f.render_widget(
                Paragraph::new(Span::styled(
                    match v.lang {
                        Lang::Nl => format!("{n} gevonden"),
                        Lang::En => format!("{n} found"),
                    },
                    v.theme.dim(),
                )),
                count,
            );
        }
        let height = list.height as usize;
        self.page.set(height.saturating_sub(1).max(1));
        let mut top = self.top.get();
        if self.sel < top {
            top = self.sel;
        } else if height > 0 && self.sel >= top + height {
            top = self.sel + 1 - height;
        }
        top = top.min(self.shown.len().saturating_sub(height));
        self.top.set(top);
        if self.shown.is_empty() {
            f.render_widget(
                Paragraph::new(Line::styled(
                    t("Niets gevonden.", "Nothing found."),
                    v.theme.dim(),
                )),
                list,
            );
            return;
        }
        let width = list.width as usize;
        let lines: Vec<Line> = self
            .shown
            .iter()
            .enumerate()
            .skip(top)
            .take(height)
            .map(|(n, &i)| row_line(&self.rows[i], n == self.sel, width, v, visit, derived))
            .collect();
        f.render_widget(Paragraph::new(lines), list);
        // The real cursor on the chosen row while the list has the focus
        // (screen readers follow it); in the search field it stays there.
        if !self.searching && height > 0 {
            let row = self.sel.saturating_sub(top).min(height - 1) as u16;
            f.set_cursor_position((list.x, list.y + row));
        }
    }
}

/// How one row reads on screen, clipped to the width (never wrapped: a
/// text answer shows no more than this one line).
fn row_line(
    r: &Row,
    selected: bool,
    width: usize,
    v: &ViewCtx<'_>,
    visit: &Visit,
    derived: &Derived,
) -> Line<'static> {
    let t = |nl, en| v.lang.pick(nl, en);
    let sheet = &visit.sheets[r.sheet];
    let c = &sheet.checklist;
    let mark = if selected { "▶" } else { " " };
    let style = |base| if selected { v.theme.selected() } else { base };
    match r.kind {
        RowKind::Sheet => {
            let who = match sheet.person {
                Person::Visit => t("Bezoek", "Visit").to_string(),
                p => visit.roster.name(p),
            };
            let open = derived.sheets[r.sheet].missing.len();
            // "open" is the same word in Dutch and English.
            let tail = if r.open {
                format!("  ({open} open)")
            } else {
                "  ✓".to_string()
            };
            let head = format!("{mark}{who} · ");
            let room = width.saturating_sub(head.chars().count() + tail.chars().count());
            Line::styled(
                format!("{head}{}{tail}", clip(c.title.get(v.lang), room.max(4))),
                style(v.theme.title()),
            )
        }
        RowKind::Section => Line::styled(
            clip(
                &format!("{mark} {}", c.sections[r.section].title.get(v.lang)),
                width,
            ),
            style(v.theme.key()),
        ),
        RowKind::Entry => {
            let title = r.entry.map_or_else(String::new, |e| {
                visit
                    .entry_title(r.sheet, r.section, e)
                    .get(v.lang)
                    .to_string()
            });
            Line::styled(
                clip(&format!("{mark}   {title}"), width),
                style(v.theme.normal()),
            )
        }
        RowKind::Question => {
            let indent = if r.entry.is_some() { "     " } else { "   " };
            let it = &c.items[r.item];
            let age_band = derived.sheets[r.sheet].age_band;
            let q = it.text_for(age_band).get(v.lang);
            let (answer, answer_style) = match sheet.answer(r.item, r.entry) {
                Some(a) => (show_answer(c, r.item, a, v.lang), v.theme.ok()),
                None if r.open => (
                    t("open · verplicht", "open · required").to_string(),
                    v.theme.required(),
                ),
                None => ("—".to_string(), v.theme.dim()),
            };
            let head = format!("{mark}{indent}");
            let room = width.saturating_sub(head.chars().count() + 1);
            // The question gets about three fifths; the answer the rest.
            let a_room = (room * 2 / 5).max(6).min(room);
            let answer = clip(&answer.replace('\n', " "), a_room);
            let q_room = room.saturating_sub(answer.chars().count() + 1);
            let q = clip(q, q_room);
            let pad = room.saturating_sub(q.chars().count() + answer.chars().count());
            Line::from(vec![
                Span::styled(
                    format!("{head}{q}{}", " ".repeat(pad + 1)),
                    style(v.theme.normal()),
                ),
                Span::styled(
                    answer,
                    if selected {
                        v.theme.selected()
                    } else {
                        answer_style
                    },
                ),
            ])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::Catalog;
    use crate::tui::screens::visit::VisitScreen;
    use crate::visit::{Answer, Caregiver};
    use time::macros::datetime;

    /// Familie Kersenboom: the safety check, then Ruben's and Iris's
    /// screenings added in that order (Iris is first on the roster).
    fn kersenboom() -> VisitScreen {
        let cat = Catalog::bundled();
        let now = datetime!(2026-12-05 10:00);
        let mut v = Visit::new("v1".into(), "Kersenboom".into(), now.date(), now);
        for (id, alias) in [(1, "Iris"), (2, "Ruben")] {
            v.roster.caregivers.push(Caregiver {
                id,
                alias: alias.into(),
                role: if id == 1 { "moeder" } else { "vader" }.into(),
            });
        }
        let ouder = cat.get("trauma-ouder").unwrap().clone();
        v.add_sheet(ouder.clone(), Person::Caregiver(2)).unwrap();
        v.add_sheet(cat.get("veiligheid").unwrap().clone(), Person::Visit)
            .unwrap();
        v.add_sheet(ouder, Person::Caregiver(1)).unwrap();
        let first = v.sheets[1].checklist.item_index("acuut_geweld").unwrap();
        v.set_answer(1, first, None, Some(Answer::Choice(1)), now)
            .unwrap();
        VisitScreen::new(v, now)
    }

    #[test]
    fn rows_lead_with_the_visit_then_the_roster_and_every_question_jumps() {
        let screen = kersenboom();
        let rows = screen.overview_rows();
        let sheets: Vec<usize> = rows
            .iter()
            .filter(|r| r.kind == RowKind::Sheet)
            .map(|r| r.sheet)
            .collect();
        // The visit's own list, then Iris (first on the roster), then Ruben.
        assert_eq!(sheets, vec![1, 2, 0]);
        // One question row for every question stop, each jumping to it.
        let stops = screen.all_stops();
        let questions: Vec<&Row> = rows
            .iter()
            .filter(|r| r.kind == RowKind::Question)
            .collect();
        let item_stops = stops
            .iter()
            .filter(|p| matches!(p, Pos::Item { .. }))
            .count();
        assert_eq!(questions.len(), item_stops);
        assert!(questions.iter().all(|r| stops.contains(&r.target)));
        // The answered question is not open; the next required one is.
        assert!(!questions[0].open);
        assert!(questions[1].open);
        // A section row goes to its first stop.
        let section = rows.iter().find(|r| r.kind == RowKind::Section).unwrap();
        assert_eq!(section.target, questions[0].target);
    }

    #[test]
    fn a_search_keeps_matches_with_their_headings_and_finds_answers() {
        let screen = kersenboom();
        let rows = screen.overview_rows();
        let hay = haystacks(&screen.visit, screen.derived(), &rows);
        let filter = |q: &str| filter(&rows, &hay, q);
        let shown = filter("GEDREIGD wapen");
        let kinds: Vec<RowKind> = shown.iter().map(|&i| rows[i].kind).collect();
        assert_eq!(
            kinds,
            vec![RowKind::Sheet, RowKind::Section, RowKind::Question]
        );
        // Answers are searched: "Nee" is the answer to the first question
        // (in either language), and a word in both narrows it to that one.
        let by_answer = filter("ernstig nee");
        assert_eq!(by_answer.len(), 3);
        assert_eq!(filter("ernstig no").len(), 3);
        // An empty search shows everything; a search for nothing, nothing.
        assert_eq!(filter("  ").len(), rows.len());
        assert!(filter("olifant").is_empty());
        // Questions asked in both parents' lists match in both, each under
        // its own person.
        let both = filter("geduld");
        let people: Vec<usize> = both
            .iter()
            .filter(|&&i| rows[i].kind == RowKind::Sheet)
            .map(|&i| rows[i].sheet)
            .collect();
        assert_eq!(people, vec![2, 0]);
    }

    #[test]
    fn n_goes_from_match_to_match_and_wraps() {
        let screen = kersenboom();
        let here = screen.position();
        let (v, d) = (&screen.visit, screen.derived());
        let mut o = Overview::new(screen.overview_rows(), here, true);
        for c in "geduld".chars() {
            o.key(Key::Char(c), None, v, d);
        }
        let first = o.selected().unwrap().sheet;
        assert_eq!(first, 2, "the first match is Iris's");
        o.key(Key::Esc, Some(Action::Cancel), v, d);
        assert_eq!(o.ctx(), Ctx::Overview, "Esc leaves the search field first");
        o.key(Key::Char('n'), Some(Action::NextMatch), v, d);
        assert_eq!(o.selected().unwrap().sheet, 0, "then Ruben's");
        o.key(Key::Char('n'), Some(Action::NextMatch), v, d);
        assert_eq!(o.selected().unwrap().sheet, 2, "and round again");
        let target = o.selected().unwrap().target;
        assert_eq!(
            o.key(Key::Enter, Some(Action::Select), v, d),
            Outcome::Jump(target)
        );
        assert_eq!(o.key(Key::Esc, Some(Action::Cancel), v, d), Outcome::Close);
    }

    #[test]
    fn fold_ignores_case_and_accents() {
        assert_eq!(fold("Één Keer ÜBER"), "een keer uber");
        assert_eq!(fold("Ruben’s"), "ruben's");
    }

    #[test]
    fn every_word_of_the_query_must_match() {
        let hay = fold("Controleert een partner de ander?\nDoes a partner control the other?\nja");
        assert!(matches(&hay, "partner"));
        assert!(matches(&hay, &fold("CONTROLEERT ander")));
        assert!(matches(&hay, "control other"));
        assert!(!matches(&hay, "partner wapen"));
        // An empty query matches everything.
        assert!(matches(&hay, ""));
    }
}
