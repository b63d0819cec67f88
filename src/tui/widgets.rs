//! Input widgets: a masked passphrase field that keeps its secret out of
//! everything but itself, and text fields on top of `ratatui-textarea`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui_textarea::{CursorMove, Input, Key as TaKey, TextArea, WrapMode};
use secrecy::SecretString;
use zeroize::{Zeroize, Zeroizing};

use crate::tui::event::Key;
use crate::tui::theme::Theme;

/// Our key as the text-area widget's input.
pub fn to_input(key: Key) -> Input {
    let (k, ctrl, alt) = match key {
        Key::Char(c) => (TaKey::Char(c), false, false),
        Key::Ctrl(c) => (TaKey::Char(c), true, false),
        Key::Alt(c) => (TaKey::Char(c), false, true),
        Key::Enter => (TaKey::Enter, false, false),
        Key::Esc => (TaKey::Esc, false, false),
        Key::Tab => (TaKey::Tab, false, false),
        Key::BackTab => (TaKey::Tab, false, false),
        Key::Up => (TaKey::Up, false, false),
        Key::Down => (TaKey::Down, false, false),
        Key::Left => (TaKey::Left, false, false),
        Key::Right => (TaKey::Right, false, false),
        Key::PageUp => (TaKey::PageUp, false, false),
        Key::PageDown => (TaKey::PageDown, false, false),
        Key::Home => (TaKey::Home, false, false),
        Key::End => (TaKey::End, false, false),
        Key::Backspace => (TaKey::Backspace, false, false),
        Key::Delete => (TaKey::Delete, false, false),
        Key::F(n) => (TaKey::F(n), false, false),
    };
    Input {
        key: k,
        ctrl,
        alt,
        shift: key == Key::BackTab,
    }
}

/// A passphrase being typed. Never drawn, never cloned; wiped when taken or dropped.
#[derive(Default)]
pub struct Masked {
    buf: Zeroizing<String>,
}

impl Masked {
    /// Feed a key; returns whether it was consumed.
    pub fn handle(&mut self, key: Key) -> bool {
        match key {
            Key::Char(c) => {
                if self.buf.chars().count() < 1024 {
                    self.buf.push(c);
                }
                true
            }
            Key::Backspace => {
                self.buf.pop();
                true
            }
            Key::Ctrl('u') => {
                self.clear();
                true
            }
            _ => false,
        }
    }

    pub fn paste(&mut self, text: &str) {
        // A pasted passphrase ends at the first line break.
        self.buf
            .push_str(text.split(['\r', '\n']).next().unwrap_or(""));
    }

    pub fn len(&self) -> usize {
        self.buf.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The secret, leaving the field empty.
    pub fn take(&mut self) -> SecretString {
        let s = SecretString::from(self.buf.as_str().to_string());
        self.clear();
        s
    }

    /// Read the secret in place (for strength feedback), without copying it out.
    pub fn with<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(&self.buf)
    }

    pub fn matches(&self, other: &Masked) -> bool {
        *self.buf == *other.buf
    }

    pub fn clear(&mut self) {
        // Zeroizing wipes the old allocation on replacement.
        self.buf = Zeroizing::new(String::new());
    }

    /// Draw dots, one per character; the passphrase itself is never drawn.
    pub fn render(&self, f: &mut Frame, area: Rect, title: &str, focused: bool, theme: &Theme) {
        let dots: String = "•".repeat(self.len().min(area.width.saturating_sub(4) as usize));
        let border = if focused { theme.title() } else { theme.dim() };
        let p = Paragraph::new(dots).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(border)
                .title(title.to_string()),
        );
        f.render_widget(p, area);
        if focused {
            let x = area.x + 1 + (self.len() as u16).min(area.width.saturating_sub(3));
            f.set_cursor_position((x, area.y + 1));
        }
    }
}

/// A text field: one line or several, with real editing (cursor, words, undo).
pub struct Field {
    area: TextArea<'static>,
    multiline: bool,
    /// Whether undo keeps copies of what was typed (not for a field that may
    /// receive a secret by mistake).
    undo: bool,
}

impl Field {
    pub fn single(text: &str) -> Field {
        Field::make(text, false, true)
    }

    pub fn multi(text: &str) -> Field {
        Field::make(text, true, true)
    }

    /// A one-line field without undo: nothing typed is kept anywhere but in
    /// the field itself, so `wipe` removes every copy.
    pub fn single_no_undo(text: &str) -> Field {
        Field::make(text, false, false)
    }

    fn make(text: &str, multiline: bool, undo: bool) -> Field {
        let lines: Vec<String> = if multiline {
            text.split('\n').map(str::to_string).collect()
        } else {
            vec![text.replace('\n', " ")]
        };
        let mut area = TextArea::new(lines);
        area.set_cursor_line_style(Style::new());
        if multiline {
            area.set_wrap_mode(WrapMode::WordOrGlyph);
        }
        if !undo {
            area.set_max_histories(0);
        }
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        let mut field = Field {
            area,
            multiline,
            undo,
        };
        field.set_focus(true);
        field
    }

    /// Feed a key; returns whether the text changed. Enter only breaks lines
    /// in a multi-line field; Tab never reaches the text.
    pub fn handle(&mut self, key: Key) -> bool {
        match key {
            Key::Enter if !self.multiline => false,
            Key::Tab | Key::BackTab | Key::Esc | Key::F(_) => false,
            Key::Alt(_) => false,
            _ => {
                let before = self.area.lines().to_vec();
                self.area.input(to_input(key));
                self.area.lines() != before.as_slice()
            }
        }
    }

    /// Insert pasted text. Terminals send a line break as CR (some as CRLF):
    /// each becomes a new line in a multi-line field and a space in a
    /// one-line field.
    pub fn paste(&mut self, text: &str) -> bool {
        let lines = text.replace("\r\n", "\n").replace('\r', "\n");
        let text = if self.multiline {
            lines
        } else {
            lines.replace('\n', " ")
        };
        self.area.insert_str(text)
    }

    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn is_empty(&self) -> bool {
        self.area.is_empty()
    }

    pub fn set_text(&mut self, text: &str) {
        *self = Field::make(text, self.multiline, self.undo);
    }

    /// Empty the field and overwrite what it held in memory (a secret that
    /// was typed or pasted by mistake).
    pub fn wipe(&mut self) {
        let old = std::mem::replace(self, Field::make("", self.multiline, self.undo));
        for mut line in old.area.into_lines() {
            line.zeroize();
        }
    }

    pub fn is_multiline(&self) -> bool {
        self.multiline
    }

    /// Show or hide the cursor (only the focused field shows one).
    pub fn set_focus(&mut self, focused: bool) {
        let style = if focused {
            Style::new().add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            Style::new()
        };
        self.area.set_cursor_style(style);
    }

    /// Draw the text alone, without a border (a one-line form row); the
    /// focused field puts the terminal's cursor at its insertion point.
    pub fn render_inline(&self, f: &mut Frame, area: Rect, focused: bool) {
        f.render_widget(&self.area, area);
        if focused {
            self.place_cursor(f, area);
        }
    }

    pub fn render(&self, f: &mut Frame, area: Rect, title: &str, focused: bool, theme: &Theme) {
        let border = if focused { theme.title() } else { theme.dim() };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(title.to_string());
        let inner = block.inner(area);
        f.render_widget(block, area);
        f.render_widget(&self.area, inner);
        if focused {
            self.place_cursor(f, inner);
        }
    }

    /// The real terminal cursor at the insertion point (screen readers and
    /// braille displays follow it), within `area` where the text was drawn.
    fn place_cursor(&self, f: &mut Frame, area: Rect) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let at = self.area.screen_cursor();
        let (top_row, top_col) = self.area.scroll_offset();
        let row = (at.row as u16).saturating_sub(top_row).min(area.height - 1);
        let col = (at.col as u16).saturating_sub(top_col).min(area.width - 1);
        f.set_cursor_position((area.x + col, area.y + row));
    }
}

/// `text` wrapped at word boundaries to `width` columns, the first line
/// after `first` and the rest indented by as many columns (a word longer
/// than the line is broken). Options and labels wrap this way instead of
/// being cut at the edge.
pub fn wrap_prefixed(first: &str, text: &str, width: usize) -> Vec<String> {
    let indent = first.chars().count();
    let room = width.saturating_sub(indent).max(8);
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut used = 0usize;
    let push = |line: &mut String, out: &mut Vec<String>| {
        let lead = if out.is_empty() {
            first.to_string()
        } else {
            " ".repeat(indent)
        };
        out.push(format!("{lead}{line}"));
        line.clear();
    };
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let len = word.len();
            let need = if used == 0 { len } else { used + 1 + len };
            if need <= room {
                if used > 0 {
                    line.push(' ');
                }
                line.extend(word.iter());
                used = need;
                break;
            }
            if used > 0 {
                push(&mut line, &mut out);
                used = 0;
                continue;
            }
            // A word longer than a whole line: break it.
            let rest = word.split_off(room);
            line.extend(word.iter());
            push(&mut line, &mut out);
            word = rest;
        }
    }
    if used > 0 || out.is_empty() {
        push(&mut line, &mut out);
    }
    out
}

/// Footer lines of `(key, label)` pairs, wrapped onto at most `rows` lines of `width`.
pub fn footer_lines(
    entries: &[(String, &str)],
    width: u16,
    rows: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (k, label) in entries {
        let need = k.chars().count() + label.chars().count() + 3;
        if used + need > width as usize && !spans.is_empty() {
            lines.push(Line::from(std::mem::take(&mut spans)));
            used = 0;
            if lines.len() == rows {
                return lines;
            }
        }
        spans.push(Span::styled(k.clone(), theme.key()));
        spans.push(Span::raw(format!(" {label}  ")));
        used += need;
    }
    if !spans.is_empty() {
        lines.push(Line::from(spans));
    }
    lines
}

/// `s` cut to `n` characters, with an ellipsis when cut.
pub fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_cr_breaks_the_line_in_a_multi_line_field() {
        let mut f = Field::multi("");
        f.paste("afspraak dinsdag\rGeplakt A\r\nGeplakt B\nC");
        assert_eq!(f.text(), "afspraak dinsdag\nGeplakt A\nGeplakt B\nC");
        let mut f = Field::single("");
        f.paste("een\rtwee\r\ndrie");
        assert_eq!(f.text(), "een twee drie");
    }

    #[test]
    fn a_pasted_passphrase_ends_at_a_cr_too() {
        let mut m = Masked::default();
        m.paste("kersen boom\rtweede regel");
        assert!(m.with(|p| p == "kersen boom"));
    }

    #[test]
    fn wrapped_options_keep_every_word_and_indent_under_the_label() {
        let lines = wrap_prefixed(" ( ) 1 ", "Ja, er is nu acuut gevaar voor een kind", 24);
        assert_eq!(
            lines,
            vec![
                " ( ) 1 Ja, er is nu",
                "       acuut gevaar voor",
                "       een kind",
            ]
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 24));
        assert_eq!(wrap_prefixed("> ", "kort", 40), vec!["> kort"]);
        assert_eq!(wrap_prefixed("> ", "", 40), vec!["> "]);
        // A word longer than the room is broken, not cut.
        let long = wrap_prefixed("", "abcdefghijklmnopqrst", 8);
        assert_eq!(long, vec!["abcdefgh", "ijklmnop", "qrst"]);
    }

    #[test]
    fn wipe_empties_a_field() {
        let mut f = Field::single_no_undo("");
        f.paste("AGE-SECRET-KEY-1QQQ");
        f.wipe();
        assert!(f.is_empty());
        assert_eq!(f.text(), "");
    }
}
