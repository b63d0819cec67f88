//! The deliberate act behind every irreversible action (discarding a draft,
//! finalizing a visit): the worker types the first letters of the visit's
//! label and presses Enter. No answer key (`j`, `y`, a digit) ever confirms,
//! a paste does not count, and Esc always cancels.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::i18n::Lang;
use crate::tui::event::Key;
use crate::tui::keys::Action;
use crate::tui::screens::centered;
use crate::tui::view::ViewCtx;
use crate::tui::widgets::Field;

/// How many letters of the label the worker types.
pub const CONFIRM_LETTERS: usize = 4;

/// What a key did to the confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// Still asking.
    Pending,
    /// The right letters and Enter: do it.
    Confirmed,
    /// Esc: nothing happens.
    Cancelled,
}

/// A dialog that asks for the first letters of a label.
pub struct TypedConfirm {
    expected: String,
    field: Field,
    wrong: bool,
}

/// The letters to type for `label`: its first [`CONFIRM_LETTERS`] characters
/// that are not spaces (all of them for a shorter label; `fallback` for an
/// empty one).
pub fn letters_for(label: &str, fallback: &str) -> String {
    let letters: String = label
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(CONFIRM_LETTERS)
        .collect();
    if letters.is_empty() {
        fallback.to_string()
    } else {
        letters
    }
}

fn normalized(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

impl TypedConfirm {
    pub fn new(label: &str, fallback: &str) -> TypedConfirm {
        TypedConfirm {
            expected: letters_for(label, fallback),
            field: Field::single(""),
            wrong: false,
        }
    }

    /// What the worker has to type, as the dialog shows it.
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// Feed a key (the dialog's context is `Ctx::Prompt`: letters type).
    pub fn key(&mut self, key: Key, action: Option<Action>) -> Confirm {
        match action {
            Some(Action::Cancel) => Confirm::Cancelled,
            Some(Action::Select) => {
                if normalized(&self.field.text()) == normalized(&self.expected) {
                    Confirm::Confirmed
                } else {
                    self.wrong = true;
                    Confirm::Pending
                }
            }
            Some(_) => Confirm::Pending,
            None => {
                if self.field.handle(key) {
                    self.wrong = false;
                }
                Confirm::Pending
            }
        }
    }

    /// Draw the dialog: `lines` say what will happen, then the field.
    pub fn render(
        &self,
        f: &mut Frame,
        area: Rect,
        v: &ViewCtx<'_>,
        title: &str,
        lines: Vec<Line<'static>>,
    ) {
        let t = |nl, en| v.lang.pick(nl, en);
        // The text wrapped at the inner width (a row spare for word wrap),
        // the field, the foot, the border.
        // 70 columns, less in a narrow window (the box keeps a margin).
        let width = 70usize.min(usize::from(area.width.saturating_sub(4)).max(20));
        let text_rows: usize = lines
            .iter()
            .map(|l| l.width().div_ceil(width).max(1))
            .sum::<usize>()
            + 1;
        let height = (text_rows + 3 + 1 + 2) as u16;
        let boxed = centered(area, width as u16 + 2, height);
        f.render_widget(Clear, boxed);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.error())
            .title(format!(" {title} "));
        let inner = block.inner(boxed);
        f.render_widget(block, boxed);
        let [text, input, foot] = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(3),
            Constraint::Length(1),
        ])
        .areas(inner);
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), text);
        let [input, _] =
            Layout::horizontal([Constraint::Length(24), Constraint::Min(1)]).areas(input);
        self.field.render(
            f,
            input,
            &format!(" {} {} ", t("Typ", "Type"), self.expected),
            true,
            v.theme,
        );
        let foot_line = if self.wrong {
            Line::styled(
                match v.lang {
                    Lang::Nl => format!("Dat is niet „{}”. Esc: terug.", self.expected),
                    Lang::En => format!("That is not “{}”. Esc: go back.", self.expected),
                },
                v.theme.error(),
            )
        } else {
            Line::styled(
                t(
                    "Esc: terug, er gebeurt niets",
                    "Esc: go back, nothing happens",
                ),
                v.theme.dim(),
            )
        };
        f.render_widget(Paragraph::new(foot_line).style(Style::new()), foot);
    }
}

/// "1 vlag", "13 vlaggen", "geen vlaggen", with "waarvan 3 acuut".
pub fn flags_phrase(flags: usize, acute: usize, lang: Lang) -> String {
    let base = match (lang, flags) {
        (Lang::Nl, 0) => "geen vlaggen".to_string(),
        (Lang::Nl, 1) => "1 vlag".to_string(),
        (Lang::Nl, n) => format!("{n} vlaggen"),
        (Lang::En, 0) => "no flags".to_string(),
        (Lang::En, 1) => "1 flag".to_string(),
        (Lang::En, n) => format!("{n} flags"),
    };
    match (lang, flags, acute) {
        (_, _, 0) => base,
        (Lang::Nl, 1, _) => format!("{base}, acuut"),
        (Lang::En, 1, _) => format!("{base}, acute"),
        (Lang::Nl, _, a) => format!("{base}, waarvan {a} acuut"),
        (Lang::En, _, a) => format!("{base}, {a} of them acute"),
    }
}

/// "1 open vraag", "25 open vragen", "geen open vragen".
pub fn open_phrase(open: usize, lang: Lang) -> String {
    match (lang, open) {
        (Lang::Nl, 0) => "geen open vragen".to_string(),
        (Lang::Nl, 1) => "1 open vraag".to_string(),
        (Lang::Nl, n) => format!("{n} open vragen"),
        (Lang::En, 0) => "no open questions".to_string(),
        (Lang::En, 1) => "1 open question".to_string(),
        (Lang::En, n) => format!("{n} open questions"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(c: &mut TypedConfirm, s: &str) {
        for ch in s.chars() {
            assert_eq!(c.key(Key::Char(ch), None), Confirm::Pending);
        }
    }

    #[test]
    fn only_the_first_letters_of_the_label_and_enter_confirm() {
        let mut c = TypedConfirm::new("Kersenboom", "weg");
        assert_eq!(c.expected(), "Kers");
        typed(&mut c, "j");
        assert_eq!(c.key(Key::Enter, Some(Action::Select)), Confirm::Pending);
        assert!(c.wrong);
        let mut c = TypedConfirm::new("Kersenboom", "weg");
        typed(&mut c, "kErS");
        assert!(!c.wrong);
        assert_eq!(c.key(Key::Enter, Some(Action::Select)), Confirm::Confirmed);
        let mut c = TypedConfirm::new("Kersenboom", "weg");
        typed(&mut c, "kers");
        assert_eq!(c.key(Key::Esc, Some(Action::Cancel)), Confirm::Cancelled);
    }

    #[test]
    fn short_and_spaced_labels_and_an_empty_one() {
        assert_eq!(letters_for("De Vries", "x"), "DeVr");
        assert_eq!(letters_for("Al", "x"), "Al");
        assert_eq!(letters_for("  ", "weggooien"), "weggooien");
        let mut c = TypedConfirm::new("De Vries", "x");
        typed(&mut c, "de vr");
        assert_eq!(c.key(Key::Enter, Some(Action::Select)), Confirm::Confirmed);
    }

    #[test]
    fn dutch_singular_and_plural() {
        assert_eq!(flags_phrase(13, 3, Lang::Nl), "13 vlaggen, waarvan 3 acuut");
        assert_eq!(flags_phrase(1, 0, Lang::Nl), "1 vlag");
        assert_eq!(flags_phrase(1, 1, Lang::Nl), "1 vlag, acuut");
        assert_eq!(flags_phrase(0, 0, Lang::Nl), "geen vlaggen");
        assert_eq!(flags_phrase(2, 1, Lang::En), "2 flags, 1 of them acute");
        assert_eq!(open_phrase(1, Lang::Nl), "1 open vraag");
        assert_eq!(open_phrase(25, Lang::Nl), "25 open vragen");
        assert_eq!(open_phrase(1, Lang::En), "1 open question");
    }
}
