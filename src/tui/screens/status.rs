//! The status of a person's sheet (Alt-a on the visit screen, or from the
//! F3 picker): taken, not present, deliberately not (for safety), or
//! declined, with a short reason for anything but taken. Answers already
//! given stay; a sheet not taken no longer counts as open.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::i18n::Text;
use crate::tui::event::Key;
use crate::tui::keys::Action;
use crate::tui::screens::centered;
use crate::tui::view::ViewCtx;
use crate::tui::widgets::{Field, clip};
use crate::visit::{SheetStatus, Visit};

/// What a key did to the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusOutcome {
    Pending,
    Cancelled,
    /// Enter: set this status with this reason (the visit checks it).
    Apply(SheetStatus, String),
}

pub struct StatusDialog {
    pub sheet: usize,
    choice: usize,
    reason: Field,
    /// Why the last Enter was refused.
    pub error: Option<Text>,
}

impl StatusDialog {
    /// The dialog for a sheet, at its current status and reason.
    pub fn new(visit: &Visit, sheet: usize) -> StatusDialog {
        let s = &visit.sheets[sheet];
        let choice = SheetStatus::CHOSEN
            .iter()
            .position(|c| *c == s.status)
            .unwrap_or(0);
        StatusDialog {
            sheet,
            choice,
            reason: Field::single(s.status_reason.as_str()),
            error: None,
        }
    }

    pub fn chosen(&self) -> SheetStatus {
        SheetStatus::CHOSEN[self.choice]
    }

    /// Feed a key: ↑/↓ choose the status, letters type the reason.
    pub fn key(&mut self, key: Key, action: Option<Action>) -> StatusOutcome {
        match (action, key) {
            (Some(Action::Cancel), _) => StatusOutcome::Cancelled,
            (Some(Action::Select), _) => StatusOutcome::Apply(self.chosen(), self.reason.text()),
            (_, Key::Up) => {
                self.choice = self.choice.saturating_sub(1);
                self.error = None;
                StatusOutcome::Pending
            }
            (_, Key::Down) | (Some(Action::Next), _) => {
                self.choice = (self.choice + 1) % SheetStatus::CHOSEN.len();
                self.error = None;
                StatusOutcome::Pending
            }
            (None, _) => {
                if self.reason.handle(key) {
                    self.error = None;
                }
                StatusOutcome::Pending
            }
            _ => StatusOutcome::Pending,
        }
    }

    pub fn paste(&mut self, text: &str) {
        self.reason.paste(text);
    }

    pub fn view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>, visit: &Visit) {
        let t = |nl, en| v.lang.pick(nl, en);
        let width = 64u16;
        let boxed = centered(area, width, 17);
        f.render_widget(Clear, boxed);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.title())
            .title(format!(
                " {} ",
                t("Status van deze lijst", "Status of this list")
            ));
        let inner = block.inner(boxed);
        f.render_widget(block, boxed);
        let [who, list, field, foot] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(5),
            Constraint::Length(3),
            Constraint::Min(1),
        ])
        .areas(inner);
        let s = &visit.sheets[self.sheet];
        let name = visit.roster.name(s.person);
        let room = (inner.width as usize).saturating_sub(name.chars().count() + 3);
        f.render_widget(
            Paragraph::new(Line::styled(
                format!("{name} · {}", clip(s.checklist.title.get(v.lang), room)),
                v.theme.title(),
            )),
            who,
        );
        let lines: Vec<Line> = SheetStatus::CHOSEN
            .iter()
            .enumerate()
            .map(|(i, st)| {
                let on = i == self.choice;
                let text = format!(
                    "{}({}) {}",
                    if on { "▶ " } else { "  " },
                    if on { "•" } else { " " },
                    st.label().get(v.lang)
                );
                Line::styled(
                    text,
                    if on {
                        v.theme.selected()
                    } else {
                        v.theme.normal()
                    },
                )
            })
            .collect();
        f.render_widget(Paragraph::new(lines), list);
        let label = if self.chosen() == SheetStatus::Taken {
            t(" Waarom (niet nodig) ", " Why (not needed) ")
        } else {
            t(" Waarom? (kort, verplicht) ", " Why? (short, required) ")
        };
        self.reason.render(f, field, label, true, v.theme);
        let mut foot_lines = vec![Line::styled(
            t(
                "↑/↓: status · Enter: vastleggen · Esc: terug",
                "↑/↓: status · Enter: save · Esc: back",
            ),
            v.theme.dim(),
        )];
        match &self.error {
            Some(e) => foot_lines.push(Line::styled(e.get(v.lang).to_string(), v.theme.error())),
            None => foot_lines.push(Line::from(Span::raw(t(
                "Gegeven antwoorden blijven bewaard. Een lijst die niet is afgenomen telt niet meer als open.",
                "Answers given are kept. A list that was not taken no longer counts as open.",
            )))),
        }
        f.render_widget(Paragraph::new(foot_lines).wrap(Wrap { trim: true }), foot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_choose_letters_type_and_enter_applies() {
        let mut visit = Visit::new(
            "v".into(),
            "Kersenboom".into(),
            time::macros::date!(2026 - 12 - 05),
            time::macros::datetime!(2026-12-05 10:00),
        );
        visit.roster.caregivers.push(crate::visit::Caregiver {
            id: 3,
            alias: "Ruben".into(),
            role: "vader".into(),
        });
        let c = crate::checklist::Catalog::bundled()
            .get("trauma-ouder")
            .unwrap()
            .clone();
        visit.use_checklist(&c);
        let mut d = StatusDialog::new(&visit, 0);
        assert_eq!(d.chosen(), SheetStatus::Taken);
        d.key(Key::Down, None);
        d.key(Key::Down, None);
        assert_eq!(d.chosen(), SheetStatus::DeliberatelyNot);
        for ch in "bang".chars() {
            // `j` and `n` type here; they answer nothing.
            assert_eq!(d.key(Key::Char(ch), None), StatusOutcome::Pending);
        }
        assert_eq!(
            d.key(Key::Enter, Some(Action::Select)),
            StatusOutcome::Apply(SheetStatus::DeliberatelyNot, "bang".into())
        );
        d.key(Key::Up, None);
        d.key(Key::Up, None);
        d.key(Key::Up, None);
        assert_eq!(d.chosen(), SheetStatus::Taken);
        assert_eq!(
            d.key(Key::Esc, Some(Action::Cancel)),
            StatusOutcome::Cancelled
        );
    }
}
