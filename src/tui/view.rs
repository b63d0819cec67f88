//! Drawing: `view(&State, &mut Frame)`. Computes nothing that belongs in
//! `update`; reads the state and the key table, and draws.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use time::PrimitiveDateTime;

use crate::i18n::Lang;
use crate::tui::app::{MIN_HEIGHT, MIN_WIDTH, Screen, State};
use crate::tui::event::{CaseEntry, ListEntry};
use crate::tui::keys;
use crate::tui::screens::centered;
use crate::tui::theme::Theme;
use crate::tui::widgets::{footer_lines, wrap_prefixed};

/// From this size up the full layout (section pane beside the question);
/// below it, down to `MIN_WIDTH`×`MIN_HEIGHT`, the compact one.
pub const FULL_WIDTH: u16 = 80;
pub const FULL_HEIGHT: u16 = 24;

/// Whether a terminal of `size` (columns, rows) gets the compact layout.
pub fn compact(size: (u16, u16)) -> bool {
    size.0 < FULL_WIDTH || size.1 < FULL_HEIGHT
}

/// What every screen's view may read besides its own state.
pub struct ViewCtx<'a> {
    pub lang: Lang,
    /// Below 80×24: one pane, fewer frames (see `compact`).
    pub compact: bool,
    pub theme: &'a Theme,
    pub now: PrimitiveDateTime,
    pub entries: &'a [ListEntry],
    /// The open cases, in the home screen's order.
    pub cases: &'a [CaseEntry],
    /// Visits that arrived at the office (a count; their labels are gone).
    pub arrived: u64,
    /// `checklists preview`: nothing is kept (`tui::preview`).
    pub preview: bool,
}

pub fn view(state: &State, f: &mut Frame) {
    let area = f.area();
    // Quick-hide: a blank screen that says nothing about what was there.
    if state.hidden {
        return;
    }
    if state.too_small() {
        let text = format!(
            "{}Maak het venster minstens {MIN_WIDTH}×{MIN_HEIGHT} tekens groot (nu {}×{}).\n\
             Make the window at least {MIN_WIDTH}×{MIN_HEIGHT} characters (now {}×{}).\n\nF12: verbergen / hide",
            if state.preview {
                "VOORBEELD / PREVIEW\n"
            } else {
                ""
            },
            area.width,
            area.height,
            area.width,
            area.height
        );
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let v = ViewCtx {
        lang: state.lang,
        compact: compact(state.size),
        theme: &state.theme,
        now: state.now,
        entries: &state.entries,
        cases: &state.cases,
        arrived: state.arrived,
        preview: state.preview,
    };
    // A long message wraps onto up to four lines rather than being
    // cut off.
    let msg_lines = state.message.as_ref().map_or(1, |m| {
        wrapped_height(m.text.get(state.lang), area.width).clamp(1, 4)
    });
    let [head, body, msg, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(msg_lines),
        Constraint::Length(2),
    ])
    .areas(area);
    let marker = state
        .preview
        .then(|| preview_marker(matches!(state.screen, Screen::Unlock(_)), state.lang));
    header(f, head, &v, marker);
    match &state.screen {
        Screen::Onboarding(s) => s.view(f, body, &v),
        Screen::Unlock(s) => s.view(f, body, &v),
        Screen::Home(s) => s.view(f, body, &v),
        Screen::NewVisit(s) => s.view(f, body, &v),
        Screen::Visit(s) => s.view(f, body, &v),
        Screen::Case(s) => s.view(f, body, &v),
    }
    if state.quit_asked {
        crate::tui::screens::quit::render(f, body, &v, state.open_visit().is_some());
    }
    if let Some(m) = &state.message {
        let style = if m.error {
            state.theme.error()
        } else {
            state.theme.ok()
        };
        f.render_widget(
            Paragraph::new(Line::styled(m.text.get(state.lang).to_string(), style))
                .wrap(Wrap { trim: true }),
            msg,
        );
    }
    let ctx = state.ctx();
    f.render_widget(
        Paragraph::new(footer_lines(
            &keys::footer(ctx, state.lang),
            foot.width,
            2,
            &state.theme,
        )),
        foot,
    );
    if state.help {
        let [_, below_header] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        help(f, below_header, state);
    }
}

/// The header's left side in `checklists preview`: nothing is kept (and on
/// the lock screen, that any passphrase opens).
fn preview_marker(unlock: bool, lang: Lang) -> &'static str {
    match (unlock, lang) {
        (false, Lang::Nl) => " VOORBEELD / PREVIEW — niets wordt bewaard",
        (false, Lang::En) => " PREVIEW / VOORBEELD — nothing is kept",
        (true, Lang::Nl) => " VOORBEELD — elk wachtwoord opent",
        (true, Lang::En) => " PREVIEW — any passphrase opens",
    }
}

fn header(f: &mut Frame, area: Rect, v: &ViewCtx<'_>, marker: Option<&'static str>) {
    let right = format!(
        "{} · {:02}:{:02} ",
        v.lang.code().to_uppercase(),
        v.now.hour(),
        v.now.minute()
    );
    let left = marker.unwrap_or_else(|| {
        v.lang.pick(
            " safevisit — veilig op huisbezoek",
            " safevisit — safe home visits",
        )
    });
    let style = if marker.is_some() {
        v.theme.warn()
    } else {
        v.theme.title()
    };
    let pad = (area.width as usize).saturating_sub(left.chars().count() + right.chars().count());
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(left, style),
            Span::raw(" ".repeat(pad)),
            Span::styled(right, v.theme.dim()),
        ])),
        area,
    );
}

/// How many lines of the key help fit in a terminal of `size` (the help
/// box covers everything below the header: its border and hint line aside).
pub fn help_page(size: (u16, u16)) -> usize {
    usize::from(size.1.saturating_sub(1 + 2 + 1))
}

/// The help box's width in a terminal `columns` wide.
fn help_width(columns: u16) -> u16 {
    76.min(columns)
}

/// The last first line the key help can scroll to.
pub fn help_last_scroll(state: &State) -> usize {
    help_lines(state, help_width(state.size.0).saturating_sub(2))
        .len()
        .saturating_sub(help_page(state.size))
}

/// The key help as lines `width` columns wide: key names in a column, each
/// label wrapped under itself, so no entry is ever cut at the edge.
pub fn help_lines(state: &State, width: u16) -> Vec<Line<'static>> {
    let key_col = if width >= 60 { 20 } else { 14 };
    let mut lines = Vec::new();
    for (k, label) in keys::help(state.ctx(), state.lang) {
        let first = format!("{k:<key_col$} ");
        let key_len = first.chars().count();
        for (n, l) in wrap_prefixed(&first, label, usize::from(width))
            .into_iter()
            .enumerate()
        {
            if n == 0 {
                let rest: String = l.chars().skip(key_len).collect();
                lines.push(Line::from(vec![
                    Span::styled(first.clone(), state.theme.key()),
                    Span::raw(rest),
                ]));
            } else {
                lines.push(Line::raw(l));
            }
        }
    }
    lines
}

fn help(f: &mut Frame, area: Rect, state: &State) {
    let lang = state.lang;
    let width = help_width(area.width);
    let all = help_lines(state, width.saturating_sub(2));
    let page = help_page((area.width, area.height + 1));
    let total = all.len();
    let first = state.help_scroll.min(total.saturating_sub(page));
    let shown = total.min(page);
    let height = (shown as u16 + 3).min(area.height);
    let boxed = centered(area, width, height);
    f.render_widget(Clear, boxed);
    let mut lines: Vec<Line> = all.into_iter().skip(first).take(page).collect();
    let hint = if total > page {
        let at = format!(
            "({}–{} {} {total})",
            first + 1,
            first + shown,
            lang.pick("van", "of")
        );
        let long = format!(
            "{} {at}",
            lang.pick(
                "↑↓ PageUp/PageDown Home/End: bladeren · andere toets: sluiten",
                "↑↓ PageUp/PageDown Home/End: scroll · any other key: close",
            )
        );
        if long.chars().count() <= usize::from(width.saturating_sub(2)) {
            long
        } else {
            // A narrow window: the same keys, shorter.
            format!(
                "{} ({}–{}/{total})",
                lang.pick(
                    "↑↓ PgUp/Dn Home End: bladeren · Esc: sluiten",
                    "↑↓ PgUp/Dn Home End: scroll · Esc: close",
                ),
                first + 1,
                first + shown,
            )
        }
    } else {
        lang.pick(
            "Een toets sluit dit venster.",
            "Any key closes this window.",
        )
        .to_string()
    };
    lines.push(Line::styled(hint, state.theme.dim()));
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(state.theme.title())
                .title(format!(" {} ", lang.pick("Toetsen", "Keys"))),
        ),
        boxed,
    );
    // The cursor on the first line shown, where a screen reader starts.
    if boxed.width > 2 && boxed.height > 2 {
        f.set_cursor_position((boxed.x + 1, boxed.y + 1));
    }
}

/// The lines `text` takes when wrapped at word boundaries to `width`
/// columns (a word longer than the width is broken).
fn wrapped_height(text: &str, width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let mut lines = 1usize;
    let mut used = 0usize;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        let need = if used == 0 { len } else { used + 1 + len };
        if need <= width {
            used = need;
        } else {
            if used > 0 {
                lines += 1;
            }
            lines += len.saturating_sub(1) / width;
            used = (len - 1) % width + 1;
        }
    }
    u16::try_from(lines).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::wrapped_height;

    #[test]
    fn wrapped_height_counts_word_wrapped_lines() {
        assert_eq!(wrapped_height("", 10), 1);
        assert_eq!(wrapped_height("kort", 10), 1);
        assert_eq!(wrapped_height("precies tien", 12), 1);
        // "aaaa bbbb" fits 9 columns; at 8 the second word moves down.
        assert_eq!(wrapped_height("aaaa bbbb", 9), 1);
        assert_eq!(wrapped_height("aaaa bbbb", 8), 2);
        // A word longer than the line is broken over lines.
        assert_eq!(wrapped_height("abcdefghijkl", 5), 3);
        assert_eq!(wrapped_height("ab abcdefghij", 5), 3);
    }
}
