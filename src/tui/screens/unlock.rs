//! The unlock screen: a masked passphrase prompt. A wrong passphrase says so
//! and stays; the passphrase is never drawn and is wiped once sent.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::i18n::Text;
use crate::tui::app::{AppCtx, Message, Transition};
use crate::tui::event::{Effect, Key};
use crate::tui::keys::Action;
use crate::tui::screens::centered;
use crate::tui::view::ViewCtx;
use crate::tui::widgets::Masked;

pub struct UnlockScreen {
    /// The draft to reopen after unlocking (after a lock or quick-hide).
    pub resume: Option<String>,
    input: Masked,
    waiting: bool,
    failures: u32,
}

impl UnlockScreen {
    pub fn new(resume: Option<String>) -> UnlockScreen {
        UnlockScreen {
            resume,
            input: Masked::default(),
            waiting: false,
            failures: 0,
        }
    }

    pub fn key(&mut self, key: Key, _action: Option<Action>, ctx: &mut AppCtx<'_>) -> Transition {
        if self.waiting {
            return Transition::Stay;
        }
        if key == Key::Enter {
            if self.input.is_empty() {
                ctx.message = Some(Message::error(Text::new(
                    "Typ eerst uw wachtwoord.",
                    "Type your passphrase first.",
                )));
            } else {
                self.waiting = true;
                ctx.effects.push(Effect::Unlock(self.input.take()));
            }
        } else {
            self.input.handle(key);
        }
        Transition::Stay
    }

    pub fn paste(&mut self, text: &str) -> Transition {
        self.input.paste(text);
        Transition::Stay
    }

    pub fn failed(&mut self) {
        self.waiting = false;
        self.failures += 1;
    }

    pub fn view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        let t = |nl, en| v.lang.pick(nl, en);
        let boxed = centered(area, 60, 11);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.title())
            .title(format!(" safevisit — {} ", t("vergrendeld", "locked")));
        let inner = block.inner(boxed);
        f.render_widget(block, boxed);
        let [intro, field, hint] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Min(1),
        ])
        .areas(inner);
        let mut lines = vec![Line::from(t(
            "Typ uw wachtwoord om verder te gaan.",
            "Type your passphrase to continue.",
        ))];
        if self.resume.is_some() {
            lines.push(Line::styled(
                t(
                    "Uw bezoek gaat daarna verder waar u was.",
                    "Your visit then continues where you were.",
                ),
                v.theme.dim(),
            ));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), intro);
        self.input.render(
            f,
            field,
            t(" Wachtwoord ", " Passphrase "),
            !self.waiting,
            v.theme,
        );
        let hint_text = if self.waiting {
            t("Bezig met ontgrendelen…", "Unlocking…")
        } else {
            t("Enter: ontgrendelen", "Enter: unlock")
        };
        f.render_widget(Paragraph::new(Line::styled(hint_text, v.theme.dim())), hint);
    }
}
