//! How the visit flow looks: header, section pane, the current item with
//! its input, pop-ups and the flag list. Reads the screen's state, changes
//! nothing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::*;
use crate::tui::widgets::wrap_prefixed;

impl VisitScreen {
    pub fn view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        // The read-back has the whole screen: nothing of the visit beside it.
        if let Some(r) = &self.readback {
            r.view(f, area, v);
            return;
        }
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        self.header(f, head, v);
        if let Some(review) = &self.review {
            review.view(f, body, v, &self.visit, &self.derived);
        } else if v.compact {
            // Below 80×24: the question alone; the header line names the
            // section (F2 lists them all).
            self.item_view(f, body, v);
        } else {
            // The section pane grows with the window: 30 columns at 80,
            // up to 50 on a wide screen, so longer titles fit.
            let pane = section_pane_width(body.width);
            let [left, right] =
                Layout::horizontal([Constraint::Length(pane), Constraint::Min(20)]).areas(body);
            self.sections_view(f, left, v);
            self.item_view(f, right, v);
        }
        match &self.popup {
            Some(Popup::Sections(i)) => self.sections_popup(f, area, v, *i),
            Some(Popup::Persons(i)) => self.persons_popup(f, area, v, *i),
            Some(Popup::Flags(i)) => self.flags_popup(f, area, v, *i),
            Some(Popup::RemoveEntry) => {
                let boxed = centered(area, 56, 6);
                f.render_widget(Clear, boxed);
                let text = v.lang.pick(
                    "Deze afspraak met alle antwoorden weghalen?\nAlt-d nogmaals: weghalen    Esc of n: terug",
                    "Remove this entry with all its answers?\nAlt-d again: remove    Esc or n: back",
                );
                f.render_widget(
                    Paragraph::new(text).wrap(Wrap { trim: true }).block(
                        Block::default()
                            .borders(Borders::ALL)
                            .border_style(v.theme.error()),
                    ),
                    boxed,
                );
                f.set_cursor_position((boxed.x + 1, boxed.y + 1));
            }
            None => {}
        }
        if let Some(o) = &self.overview {
            o.view(f, body, v, &self.visit, &self.derived);
        }
        if let Some(r) = &self.roster {
            r.view(f, area, v, &self.visit);
        }
        if let Some(d) = &self.status {
            d.view(f, area, v, &self.visit);
        }
        if self.flags.is_open() {
            self.flags.view(f, area, v, &self.visit);
        }
    }

    /// A sheet's status as a short tag ("bewust niet", "verwijderd"), or
    /// nothing for a sheet taken.
    fn status_tag(&self, sheet: usize, lang: Lang) -> Option<String> {
        let s = self.visit.sheets.get(sheet)?;
        if self.visit.is_removed(s.person) {
            return Some(lang.pick("verwijderd", "removed").to_string());
        }
        (s.status != SheetStatus::Taken).then(|| s.status.short_label().get(lang).to_string())
    }

    fn person_label(&self, sheet: usize, lang: Lang) -> String {
        match self.visit.sheets[sheet].person {
            Person::Visit => lang.pick("bezoek", "visit").to_string(),
            p => self.visit.roster.name(p),
        }
    }

    fn header(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        let t = |nl, en| v.lang.pick(nl, en);
        let s = self.sheet();
        let save = if let Some(why) = &self.save_error {
            Span::styled(
                match v.lang {
                    Lang::Nl => format!("○ niet opgeslagen: {} — probeert opnieuw", why.nl),
                    Lang::En => format!("○ not saved: {} — trying again", why.en),
                },
                v.theme.error(),
            )
        } else if self.dirty_since.is_some() {
            Span::styled(
                format!("○ {}", t("niet opgeslagen", "not saved")),
                v.theme.warn(),
            )
        } else {
            let at = self.saved_at.map_or(String::new(), |t| {
                format!(" {:02}:{:02}", t.hour(), t.minute())
            });
            // Compact: the dot and the time say "saved"; the not-saved
            // states above keep their words.
            // A preview keeps nothing: "in memory", never "saved".
            let word = if v.compact {
                ""
            } else if v.preview {
                t(" in geheugen", " in memory")
            } else {
                t(" opgeslagen", " saved")
            };
            Span::styled(format!("●{word}{at}"), v.theme.dim())
        };
        let width = area.width as usize;
        let save_len = save.content.chars().count() + 1;
        let room = width.saturating_sub(save_len + 1);
        let left = match self.visit.sheets.get(s) {
            // Compact: whose sheet and which section, the checklist's title
            // giving way first.
            Some(sheet) if v.compact && self.review.is_none() => {
                let who = match sheet.person {
                    Person::Visit => self.visit.label.clone(),
                    _ => self.person_label(s, v.lang),
                };
                let section = self.section_label(v.lang);
                let head = format!(" {who} · ");
                let tail = format!(" · {section}");
                let used = head.chars().count() + tail.chars().count();
                if used + 10 <= room {
                    format!(
                        "{head}{}{tail}",
                        clip(sheet.checklist.title.get(v.lang), room - used)
                    )
                } else {
                    format!("{head}{section}")
                }
            }
            // A person's sheet leads with the person, whole: two parents'
            // screenings must never look alike. The checklist's title gives
            // way first, then the visit's name and date.
            Some(sheet) if sheet.person != Person::Visit => {
                let who = match self.status_tag(s, v.lang) {
                    Some(tag) => format!(" {} [{tag}] · ", self.person_label(s, v.lang)),
                    None => format!(" {} · ", self.person_label(s, v.lang)),
                };
                let tail = format!(" · {} · {}", self.visit.label, format_date(self.visit.date));
                let title = sheet.checklist.title.get(v.lang);
                let used = who.chars().count() + tail.chars().count();
                if used + 12 <= room {
                    format!("{who}{}{tail}", clip(title, room - used))
                } else {
                    let used = who.chars().count();
                    format!("{who}{}", clip(title, room.saturating_sub(used).max(1)))
                }
            }
            Some(sheet) => format!(
                " {} · {} · {} — {}",
                self.visit.label,
                format_date(self.visit.date),
                sheet.checklist.title.get(v.lang),
                self.person_label(s, v.lang)
            ),
            None => format!(" {} · {}", self.visit.label, format_date(self.visit.date)),
        };
        let left: String = left
            .chars()
            .take(width.saturating_sub(save_len + 1))
            .collect();
        let pad = width.saturating_sub(left.chars().count() + save_len);
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(left, v.theme.title()),
                Span::raw(" ".repeat(pad)),
                save,
            ])),
            area,
        );
    }

    fn sections_view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        let t = |nl, en| v.lang.pick(nl, en);
        let s = self.sheet();
        let c = self.checklist(s);
        let d = &self.derived.sheets[s];
        let current = self.section();
        // The section chosen in the pane while it has the focus.
        let chosen = self
            .pane
            .and_then(|i| self.section_rows().get(i).map(|r| r.1));
        let mut lines = Vec::new();
        for (si, sec) in c.sections.iter().enumerate() {
            if !d.section_visible[si] {
                continue;
            }
            let p = d.progress[si];
            // The section chosen in the focused pane is marked in text too.
            let mark = match chosen {
                Some(c) if c == si && si != current => "»",
                _ if si == current => "▶",
                _ => " ",
            };
            let done = if p.required > 0 && p.complete() {
                "✓"
            } else {
                " "
            };
            let count = if sec.repeat.is_some() {
                // Entries kept aside (people removed from the roster) do not count.
                let kept = d.entry_kept_aside[si].iter().filter(|k| **k).count();
                format!("{}×", self.visit.sheets[s].entries[si].len() - kept)
            } else {
                format!("{}/{}", p.answered, p.visible)
            };
            let tw = (area.width as usize).saturating_sub(10).max(8);
            let title = clip(sec.title.get(v.lang), tw);
            let style = match chosen {
                Some(c) if c == si => v.theme.selected(),
                None if si == current => v.theme.selected(),
                _ => v.theme.normal(),
            };
            lines.push(Line::styled(
                format!("{mark}{done}{title:<tw$}{count:>6}"),
                style,
            ));
        }
        lines.push(Line::raw(""));
        let total = self.visit.sheets.len();
        lines.push(Line::styled(
            format!(
                " {} {} {} {total} (F3)",
                t("Lijst", "List"),
                s + 1,
                t("van", "of")
            ),
            v.theme.dim(),
        ));
        let missing: usize = self.derived.sheets.iter().map(|d| d.missing.len()).sum();
        lines.push(Line::styled(
            format!(" {}: {missing}", t("Open verplicht", "Open required")),
            v.theme.dim(),
        ));
        if self.only_missing {
            lines.push(Line::styled(
                format!(" {}", t("(alleen open verplicht)", "(only open required)")),
                v.theme.warn(),
            ));
        }
        // Only active flags count: lapsed and withdrawn ones are in F4.
        let flags = self.visit.active_flags().count();
        if flags > 0 {
            let acute = self
                .visit
                .active_flags()
                .filter(|f| f.level == FlagLevel::Acute)
                .count();
            let text = if acute > 0 {
                format!(
                    " ⚑ {flags} {} ({acute} {}) F4",
                    t("vlag(gen)", "flag(s)"),
                    t("acuut", "acute")
                )
            } else {
                format!(" ⚑ {flags} {} F4", t("vlag(gen)", "flag(s)"))
            };
            lines.push(Line::styled(
                text,
                if acute > 0 {
                    v.theme.error()
                } else {
                    v.theme.warn()
                },
            ));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if chosen.is_some() {
                v.theme.title()
            } else {
                v.theme.dim()
            })
            .title(
                match self.visit.sheets.get(self.sheet()).map(|s| s.person) {
                    // Whose sections these are, on the pane itself.
                    Some(p) if p != Person::Visit => format!(
                        " {} ",
                        clip(
                            &self.visit.roster.name(p),
                            (area.width as usize).saturating_sub(4)
                        )
                    ),
                    _ => format!(" {} ", t("Secties", "Sections")),
                },
            );
        f.render_widget(Paragraph::new(lines).block(block), area);
    }

    /// The current section's title, with the entry of a repeatable one.
    fn section_label(&self, lang: Lang) -> String {
        let c = self.checklist(self.sheet());
        let sec = &c.sections[self.section()];
        match (self.pos, &sec.repeat) {
            // "Afspraak 2", or the person of an entry made from the roster,
            // read-only: "Mila (2)".
            (Pos::Item { entry: Some(e), .. }, Some(_)) => format!(
                "{} · {}",
                sec.title.get(lang),
                self.visit
                    .entry_title(self.sheet(), self.section(), e)
                    .get(lang)
            ),
            _ => sec.title.get(lang).to_string(),
        }
    }

    fn item_view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        let t = |nl, en| v.lang.pick(nl, en);
        let s = self.sheet();
        let c = self.checklist(s);
        let si = self.section();
        let sec = &c.sections[si];
        let inner = if v.compact {
            // No frame in the compact layout: every column is for the question.
            Rect {
                x: area.x + 1,
                width: area.width.saturating_sub(2),
                ..area
            }
        } else {
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(v.theme.dim())
                .title(Span::styled(
                    format!(
                        " {} ",
                        clip(
                            &self.section_label(v.lang),
                            usize::from(area.width.saturating_sub(4))
                        )
                    ),
                    v.theme.title(),
                ));
            let inner = block.inner(area);
            f.render_widget(block, area);
            inner
        };
        if inner.width == 0 || inner.height == 0 {
            return;
        }
        let width = inner.width as usize;
        match self.pos {
            Pos::AddEntry { sheet, section } => {
                let r = sec
                    .repeat
                    .as_ref()
                    .map(|r| r.entry_label.get(v.lang))
                    .unwrap_or_default();
                let n = self.visit.sheets[sheet].entries[section].len();
                let mut lines = vec![
                    Line::from(format!("{}: {n}", t("Aantal", "Number"))),
                    Line::raw(""),
                    Line::from(format!(
                        "Enter: {} ({r})",
                        t("nog een toevoegen", "add another")
                    )),
                    Line::from(format!("Tab: {}", t("verder", "continue"))),
                ];
                if let Some(h) = &sec.help {
                    lines.push(Line::raw(""));
                    lines.push(Line::styled(h.get(v.lang).to_string(), v.theme.dim()));
                }
                f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
                // The cursor on what Enter does.
                f.set_cursor_position((inner.x, inner.y + 2.min(inner.height - 1)));
            }
            Pos::Item { item, entry, .. } => {
                let it = &c.items[item];
                let d = &self.derived.sheets[s];
                let visible_in_section: Vec<usize> = sec
                    .items
                    .clone()
                    .filter(|&i| d.visible(c, i, entry))
                    .collect();
                let n = visible_in_section
                    .iter()
                    .position(|&i| i == item)
                    .map_or(0, |p| p + 1);
                let mut head = vec![Span::styled(
                    format!(
                        "{} {n} {} {}",
                        t("Vraag", "Question"),
                        t("van", "of"),
                        visible_in_section.len()
                    ),
                    v.theme.dim(),
                )];
                if let Some(tag) = self.status_tag(s, v.lang) {
                    // A list kept aside: nothing here is required now.
                    let key = if self.visit.is_removed(self.visit.sheets[s].person) {
                        "Alt-g"
                    } else {
                        "Alt-a"
                    };
                    head.push(Span::styled(format!("  · {tag} ({key})"), v.theme.warn()));
                } else if it.required {
                    // A word and a star, never the colour alone.
                    head.push(Span::styled(
                        format!("  · * {}", t("verplicht", "required")),
                        v.theme.required(),
                    ));
                }
                let text = it.text_for(d.age_band).get(v.lang).to_string();
                let mut q_lines = vec![Line::from(head)];
                // In a follow-up section: what this entry is about, from the
                // previous visit, in full (the frame's title may cut it, and
                // the compact layout has none). The number given last time
                // is beside the scaling question asked again.
                if let (Some(e), Some(true)) =
                    (entry, sec.repeat.as_ref().map(|r| r.from_previous()))
                {
                    let about = self.visit.entry_title(s, si, e);
                    q_lines.extend(
                        wrap_prefixed(
                            &format!("{} ", t("Vorige keer:", "Last time:")),
                            about.get(v.lang),
                            width,
                        )
                        .into_iter()
                        .map(|l| Line::styled(l, v.theme.warn())),
                    );
                }
                q_lines.push(Line::raw(""));
                q_lines.extend(
                    wrap_prefixed("", &text, width)
                        .into_iter()
                        .map(|l| Line::styled(l, v.theme.title())),
                );
                // What comes under the input: why a value does not fit, the
                // item's help.
                let mut extra: Vec<Line> = Vec::new();
                if let Some(e) = &self.input_error {
                    extra.extend(
                        wrap_prefixed("", e.get(v.lang), width)
                            .into_iter()
                            .map(|l| Line::styled(l, v.theme.error())),
                    );
                }
                if let Some(h) = &it.help {
                    extra.push(Line::raw(""));
                    extra.extend(
                        wrap_prefixed("", h.get(v.lang), width)
                            .into_iter()
                            .map(|l| Line::styled(l, v.theme.dim())),
                    );
                }
                let avail = inner.height;
                let qh = (q_lines.len() as u16).min(avail / 2 + 1);
                let below = avail.saturating_sub(qh + 1);
                let grows = matches!(it.kind, ItemKind::LongText { .. });
                let want = self.input_height(c, item, inner.width, v);
                let input_h = if grows {
                    // The text box takes what the help leaves, at least 5 rows.
                    below
                        .saturating_sub(extra.len() as u16)
                        .max(5.min(below))
                        .max(want.min(below))
                } else {
                    want.min(below)
                };
                let [q, _gap, input, rest] = Layout::vertical([
                    Constraint::Length(qh),
                    Constraint::Length(1),
                    Constraint::Length(input_h),
                    Constraint::Min(0),
                ])
                .areas(inner);
                f.render_widget(Paragraph::new(q_lines), q);
                self.input_view(f, input, v, c, item, entry);
                f.render_widget(Paragraph::new(extra), rest);
            }
        }
    }

    /// The rows an item's input takes at `width` columns, options and
    /// labels wrapped.
    fn input_height(&self, c: &Checklist, item: usize, width: u16, v: &ViewCtx<'_>) -> u16 {
        let it = &c.items[item];
        let rows = match &it.kind {
            k if k.is_single_option() || *k == ItemKind::Multi => {
                option_rows(&it.options, v, width)
            }
            ItemKind::Scale {
                min,
                max,
                min_label,
                max_label,
            } => {
                let values =
                    ((max - min + 1).max(1) as usize * 3 + 1).div_ceil(width.max(1) as usize);
                let typed = matches!(&self.input, Input::Scale { typed } if !typed.is_empty());
                values
                    + usize::from(typed)
                    + scale_label_lines(*min, *max, min_label, max_label, v, width).len()
            }
            ItemKind::LongText { .. } => 7,
            _ => 3,
        };
        u16::try_from(rows).unwrap_or(u16::MAX)
    }

    fn input_view(
        &self,
        f: &mut Frame,
        area: Rect,
        v: &ViewCtx<'_>,
        c: &Checklist,
        item: usize,
        entry: Option<usize>,
    ) {
        let it = &c.items[item];
        let answer = self.visit.sheets[self.sheet()].answer(item, entry);
        let t = |nl, en| v.lang.pick(nl, en);
        match (&it.kind, &self.input) {
            (k, _) if k.is_single_option() => {
                let chosen = match answer {
                    Some(Answer::Choice(i)) => Some(*i as usize),
                    _ => None,
                };
                let (lines, starts) = option_lines(&it.options, v, area.width, |i| {
                    let on = chosen == Some(i);
                    (on, format!(" ({})", if on { "•" } else { " " }))
                });
                // The cursor on the chosen option, or on the first.
                let at = starts.get(chosen.unwrap_or(0)).copied().unwrap_or(0);
                scrolled_options(f, area, lines, at);
            }
            (ItemKind::Multi, Input::Multi { highlight }) => {
                let bits = match answer {
                    Some(Answer::Multi(b)) => *b,
                    _ => 0,
                };
                let (lines, starts) = option_lines(&it.options, v, area.width, |i| {
                    let on = bits & (1 << i) != 0;
                    let marker = if i == *highlight { "▶" } else { " " };
                    (on, format!("{marker}[{}]", if on { "x" } else { " " }))
                });
                let at = starts.get(*highlight).copied().unwrap_or(0);
                scrolled_options(f, area, lines, at);
            }
            (
                ItemKind::Scale {
                    min,
                    max,
                    min_label,
                    max_label,
                },
                input,
            ) => {
                let typed = match input {
                    Input::Scale { typed } if !typed.is_empty() => Some(typed.as_str()),
                    _ => None,
                };
                // The value typed (not yet taken) shows in place of the answer.
                let value = match (typed, answer) {
                    (Some(t), _) => t.parse::<i64>().ok(),
                    (None, Some(Answer::Number(n))) => Some(*n as i64),
                    _ => None,
                };
                let mut spans = vec![Span::raw(" ")];
                let mut cursor_col = 1u16;
                for x in *min..=*max {
                    let on = value == Some(x);
                    let style = if on {
                        v.theme.selected()
                    } else {
                        v.theme.normal()
                    };
                    if on || (value.is_none() && x == *min) {
                        cursor_col = spans.iter().map(|s| s.width() as u16).sum::<u16>();
                    }
                    spans.push(Span::styled(
                        if on {
                            format!("[{x}]")
                        } else {
                            format!(" {x} ")
                        },
                        style,
                    ));
                }
                let values = Line::from(spans);
                let value_rows = (values.width() as u16).div_ceil(area.width.max(1)).max(1);
                let mut lines = vec![values];
                if let Some(t) = typed {
                    lines.push(Line::styled(
                        format!(
                            " {}: {t} · {}",
                            v.lang.pick("Getypt", "Typed"),
                            v.lang
                                .pick("Enter of Tab: vastleggen", "Enter or Tab: take it")
                        ),
                        v.theme.warn(),
                    ));
                }
                lines.extend(
                    scale_label_lines(*min, *max, min_label, max_label, v, area.width)
                        .into_iter()
                        .map(|l| Line::styled(l, v.theme.dim())),
                );
                f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
                if area.width > 0 && area.height > 0 {
                    let row = cursor_col / area.width;
                    f.set_cursor_position((
                        area.x + cursor_col % area.width,
                        area.y + row.min(value_rows - 1).min(area.height - 1),
                    ));
                }
            }
            (_, Input::Text(field)) => {
                let title = if field.is_multiline() {
                    t(
                        " Antwoord (Enter: nieuwe regel, Tab: verder) ",
                        " Answer (Enter: new line, Tab: next) ",
                    )
                } else {
                    t(" Antwoord ", " Answer ")
                };
                field.render(f, area, title, true, v.theme);
            }
            (ItemKind::Date, Input::Checked(field)) => field.render(
                f,
                area,
                t(
                    " Datum (DD-MM-JJJJ, JJJJ-MM-DD, vandaag) ",
                    " Date (DD-MM-YYYY, YYYY-MM-DD, today) ",
                ),
                true,
                v.theme,
            ),
            (ItemKind::Number { unit, min, max, .. }, Input::Checked(field)) => {
                let mut title = t(" Getal", " Number").to_string();
                if let Some(u) = unit {
                    title.push_str(&format!(" ({})", u.get(v.lang)));
                }
                if min.is_some() || max.is_some() {
                    let lo = min.map_or("…".into(), format_number);
                    let hi = max.map_or("…".into(), format_number);
                    title.push_str(&format!(" {lo}–{hi}"));
                }
                title.push(' ');
                field.render(f, area, &title, true, v.theme);
            }
            _ => {}
        }
    }

    fn popup_list(
        &self,
        f: &mut Frame,
        area: Rect,
        v: &ViewCtx<'_>,
        title: &str,
        items: Vec<ListItem<'static>>,
        selected: usize,
    ) {
        let heights: Vec<usize> = items.iter().map(ListItem::height).collect();
        let rows: usize = heights.iter().sum();
        let height = (rows as u16 + 2).clamp(3, area.height.saturating_sub(2).max(3));
        let boxed = centered(area, POPUP_WIDTH, height);
        f.render_widget(Clear, boxed);
        let list = List::new(items)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(v.theme.title())
                    .title(format!(
                        " {} ",
                        clip(title, usize::from(boxed.width.saturating_sub(4)))
                    )),
            )
            .highlight_style(v.theme.selected())
            .highlight_symbol("▶ ");
        let mut state = ListState::default().with_selected(Some(selected));
        f.render_stateful_widget(list, boxed, &mut state);
        // The real cursor on the selected row (after the list scrolled).
        let above: usize = heights
            .iter()
            .skip(state.offset())
            .take(selected.saturating_sub(state.offset()))
            .sum();
        let inner_h = boxed.height.saturating_sub(2);
        if inner_h > 0 {
            f.set_cursor_position((boxed.x + 1, boxed.y + 1 + (above as u16).min(inner_h - 1)));
        }
    }

    fn sections_popup(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>, sel: usize) {
        let items = self
            .section_rows()
            .into_iter()
            .map(|(s, si)| {
                let c = self.checklist(s);
                let p = self.derived.sheets[s].progress[si];
                let count = format!(" {}/{}", p.answered, p.visible);
                let room = usize::from(POPUP_WIDTH.min(area.width))
                    .saturating_sub(4 + count.chars().count())
                    .max(8);
                let title = clip(c.sections[si].title.get(v.lang), room.min(40));
                let tw = room.min(40);
                ListItem::new(format!("{title:<tw$}{count}"))
            })
            .collect();
        self.popup_list(
            f,
            area,
            v,
            v.lang.pick("Naar sectie", "Go to section"),
            items,
            sel,
        );
    }

    fn persons_popup(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>, sel: usize) {
        let items = self
            .picker_order()
            .into_iter()
            .map(|s| {
                let missing = self.derived.sheets[s].missing.len();
                let tag = self.status_tag(s, v.lang);
                let status = if let Some(tag) = &tag {
                    tag.clone()
                } else if missing == 0 {
                    "✓".to_string()
                } else {
                    format!("{missing} {}", v.lang.pick("open", "open"))
                };
                // Whom first, whole, and how much is open; the checklist's
                // title gives way (70 wide, less the border and the marker).
                let who = match self.visit.sheets[s].person {
                    Person::Visit => v.lang.pick("Bezoek", "Visit").to_string(),
                    _ => self.person_label(s, v.lang),
                };
                let head = format!("{who} · ");
                let tail = format!("  ({status})");
                let room = usize::from(POPUP_WIDTH.min(area.width))
                    .saturating_sub(4 + head.chars().count() + tail.chars().count())
                    .max(8);
                let line = format!(
                    "{head}{}{tail}",
                    clip(self.checklist(s).title.get(v.lang), room)
                );
                // A list kept aside is there, dimmed, never hidden.
                if tag.is_some() {
                    ListItem::new(line).style(v.theme.dim())
                } else {
                    ListItem::new(line)
                }
            })
            .collect();
        self.popup_list(
            f,
            area,
            v,
            v.lang.pick(
                "Lijst of persoon (Alt-a: status)",
                "List or person (Alt-a: status)",
            ),
            items,
            sel,
        );
    }

    fn flags_popup(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>, sel: usize) {
        let items: Vec<ListItem> = self
            .visit
            .flags
            .iter()
            .map(|fl| {
                let who = match fl.person {
                    Person::Visit => String::new(),
                    p => format!(" ({})", self.visit.person_name(p, v.lang)),
                };
                let status = match fl.state {
                    FlagState::Withdrawn => "✗",
                    FlagState::Lapsed => "–",
                    FlagState::Active if fl.acknowledged_at.is_some() => "✓",
                    FlagState::Active => "!",
                };
                let state = match fl.state {
                    FlagState::Active => String::new(),
                    s => format!(" — {}", s.label().get(v.lang)),
                };
                let style = if fl.state != FlagState::Active {
                    v.theme.dim()
                } else if fl.level == FlagLevel::Acute {
                    v.theme.error()
                } else {
                    Style::new()
                };
                // Whole messages, wrapped under the first line's text.
                let first = format!(
                    "{status} {:02}:{:02} [{}] ",
                    fl.raised_at.hour(),
                    fl.raised_at.minute(),
                    fl.level.label().get(v.lang),
                );
                let room = usize::from(POPUP_WIDTH.min(area.width)).saturating_sub(4);
                let mut lines: Vec<Line> = wrap_prefixed(
                    &first,
                    &format!("{}{who}{state}", fl.message.get(v.lang)),
                    room,
                )
                .into_iter()
                .map(|l| Line::styled(l, style))
                .collect();
                // What was done, and why it was withdrawn, under the flag
                // (the review's "Vlaggen en acties" tab has them whole).
                let done = fl.action_taken.as_str().replace('\n', " ");
                if !done.trim().is_empty() {
                    lines.push(Line::styled(
                        format!("      {}: {done}", v.lang.pick("gedaan", "done")),
                        v.theme.dim(),
                    ));
                }
                if fl.state == FlagState::Withdrawn {
                    lines.push(Line::styled(
                        format!(
                            "      {}: {}",
                            v.lang.pick("reden intrekken", "reason withdrawn"),
                            fl.withdrawn_reason.as_str().replace('\n', " ")
                        ),
                        v.theme.dim(),
                    ));
                }
                ListItem::new(lines)
            })
            .collect();
        let items = if items.is_empty() {
            vec![ListItem::new(
                v.lang.pick("Nog geen rode vlaggen.", "No red flags yet."),
            )]
        } else {
            items
        };
        self.popup_list(
            f,
            area,
            v,
            v.lang.pick(
                "Rode vlaggen van dit bezoek · Alt-w: vergissing, intrekken",
                "Red flags of this visit · Alt-w: mistake, withdraw",
            ),
            items,
            sel,
        );
    }
}

/// The popups' width (less in a narrow window).
const POPUP_WIDTH: u16 = 70;

/// How wide the section pane is in a body `width` columns wide.
pub(crate) fn section_pane_width(width: u16) -> u16 {
    (width / 4 + 10).clamp(30, 50)
}

/// The options, each a marker, its number and its label wrapped under
/// itself; chosen options stand out (and have a marker, never the colour
/// alone). Also gives the row each option starts on.
fn option_lines<'a>(
    options: &[crate::checklist::model::ChoiceOption],
    v: &ViewCtx<'_>,
    width: u16,
    mark: impl Fn(usize) -> (bool, String),
) -> (Vec<Line<'a>>, Vec<u16>) {
    let mut lines = Vec::new();
    let mut starts = Vec::new();
    for (i, o) in options.iter().enumerate() {
        let (on, marker) = mark(i);
        let style = if on {
            v.theme.selected()
        } else {
            v.theme.normal()
        };
        starts.push(lines.len() as u16);
        let first = format!("{marker} {} ", i + 1);
        for l in wrap_prefixed(&first, o.label.get(v.lang), usize::from(width)) {
            lines.push(Line::styled(l, style));
        }
    }
    (lines, starts)
}

/// The rows the options take at `width`.
fn option_rows(
    options: &[crate::checklist::model::ChoiceOption],
    v: &ViewCtx<'_>,
    width: u16,
) -> usize {
    // The markers are all four columns wide ("▶[x]", " ( )").
    options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            wrap_prefixed(
                &format!("    {} ", i + 1),
                o.label.get(v.lang),
                usize::from(width),
            )
            .len()
        })
        .sum()
}

/// Draw option lines in `area`, scrolled so the row `at` (the cursor's)
/// is in view, and put the terminal's cursor there.
fn scrolled_options(f: &mut Frame, area: Rect, lines: Vec<Line<'_>>, at: u16) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let scroll = at.saturating_sub(area.height - 1);
    f.render_widget(Paragraph::new(lines).scroll((scroll, 0)), area);
    f.set_cursor_position((area.x + 1, area.y + at - scroll));
}

/// A scale's end labels, wrapped: "0 = nooit   4 = heel vaak".
fn scale_label_lines(
    min: i64,
    max: i64,
    min_label: &Text,
    max_label: &Text,
    v: &ViewCtx<'_>,
    width: u16,
) -> Vec<String> {
    wrap_prefixed(
        " ",
        &format!(
            "{min} = {} · {max} = {}",
            min_label.get(v.lang),
            max_label.get(v.lang)
        ),
        usize::from(width),
    )
}
