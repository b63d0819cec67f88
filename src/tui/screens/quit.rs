//! "Stop safevisit?": asked by `q` from every screen outside a text field,
//! so a stray `q` never ends the app. Stopping loses nothing (the open
//! draft is saved first), so Enter or `q` again is enough; Esc or `n` go
//! back. An answer key such as `j` never confirms, as in every dialog.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::screens::centered;
use crate::tui::view::ViewCtx;

/// The dialog's lines: the question, what happens to the work, the keys.
pub fn lines(v: &ViewCtx<'_>, visit_open: bool) -> Vec<Line<'static>> {
    let t = |nl: &'static str, en: &'static str| v.lang.pick(nl, en);
    vec![
        Line::styled(t("safevisit stoppen?", "Quit safevisit?"), v.theme.title()),
        Line::from(if v.preview {
            t(
                "Dit is een voorbeeld: alles wat u invulde verdwijnt.",
                "This is a preview: everything you filled in is gone.",
            )
        } else if visit_open {
            t(
                "Het bezoek wordt eerst opgeslagen; u opent het later weer met uw wachtwoord.",
                "The visit is saved first; you open it again later with your passphrase.",
            )
        } else {
            t(
                "Alles is opgeslagen; u opent safevisit later weer met uw wachtwoord.",
                "Everything is saved; you open safevisit again later with your passphrase.",
            )
        }),
        Line::raw(""),
        Line::styled(
            t(
                "Enter of q: ja, stoppen    Esc of n: nee, terug",
                "Enter or q: yes, quit    Esc or n: no, back",
            ),
            v.theme.key(),
        ),
    ]
}

pub fn render(f: &mut Frame, area: Rect, v: &ViewCtx<'_>, visit_open: bool) {
    let boxed = centered(area, 60, 7);
    f.render_widget(Clear, boxed);
    f.render_widget(
        Paragraph::new(lines(v, visit_open))
            .wrap(Wrap { trim: true })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(v.theme.title()),
            ),
        boxed,
    );
    // The real cursor on the question (screen readers read it out).
    if boxed.width > 2 && boxed.height > 2 {
        f.set_cursor_position((boxed.x + 1, boxed.y + 1));
    }
}
