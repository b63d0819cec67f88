//! How the visit flow looks: header, section pane, the current item with
//! its input, pop-ups and the flag list. Reads the screen's state, changes
//! nothing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::*;

impl VisitScreen {
    pub fn view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        self.header(f, head, v);
        if let Some(review) = &self.review {
            review.view(f, body, v, &self.visit, &self.derived);
        } else {
            let [left, right] =
                Layout::horizontal([Constraint::Length(30), Constraint::Min(20)]).areas(body);
            self.sections_view(f, left, v);
            self.item_view(f, right, v);
        }
        match &self.popup {
            Some(Popup::Sections(i)) => self.sections_popup(f, area, v, *i),
            Some(Popup::Persons(i)) => self.persons_popup(f, area, v, *i),
            Some(Popup::Flags(i)) => self.flags_popup(f, area, v, *i),
            Some(Popup::RemoveEntry) => {
                let boxed = centered(area, 56, 5);
                f.render_widget(Clear, boxed);
                let text = v.lang.pick(
                    "Deze afspraak met alle antwoorden weghalen?\nAlt-d nogmaals: weghalen    Esc of n: terug",
                    "Remove this entry with all its answers?\nAlt-d again: remove    Esc or n: back",
                );
                f.render_widget(
                    Paragraph::new(text).block(
                        Block::default()
                            .borders(Borders::ALL)
                            .border_style(v.theme.error()),
                    ),
                    boxed,
                );
            }
            None => {}
        }
        if self.flags.is_open() {
            self.flags.view(f, area, v, &self.visit);
        }
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
            Span::styled(format!("● {}{at}", t("opgeslagen", "saved")), v.theme.dim())
        };
        let width = area.width as usize;
        let save_len = save.content.chars().count() + 1;
        let room = width.saturating_sub(save_len + 1);
        let left = match self.visit.sheets.get(s) {
            // A person's sheet leads with the person, whole: two parents'
            // screenings must never look alike. The checklist's title gives
            // way first, then the visit's name and date.
            Some(sheet) if sheet.person != Person::Visit => {
                let who = format!(" {} · ", self.person_label(s, v.lang));
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
        let mut lines = Vec::new();
        for (si, sec) in c.sections.iter().enumerate() {
            if !d.section_visible[si] {
                continue;
            }
            let p = d.progress[si];
            let mark = if si == current { "▶" } else { " " };
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
            let title = clip(sec.title.get(v.lang), 20);
            let style = if si == current {
                v.theme.selected()
            } else {
                v.theme.normal()
            };
            lines.push(Line::styled(
                format!("{mark}{done}{title:<20}{count:>6}"),
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
            .border_style(v.theme.dim())
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

    fn item_view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        let t = |nl, en| v.lang.pick(nl, en);
        let s = self.sheet();
        let c = self.checklist(s);
        let si = self.section();
        let sec = &c.sections[si];
        let mut title = format!(" {} ", sec.title.get(v.lang));
        if let Pos::Item { entry: Some(e), .. } = self.pos
            && sec.repeat.is_some()
        {
            // A roster-driven entry names its person, read-only: "Mila (2)".
            title = format!(
                " {} · {} ",
                sec.title.get(v.lang),
                self.visit.entry_title(s, si, e).get(v.lang)
            );
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.dim())
            .title(Span::styled(title, v.theme.title()));
        let inner = block.inner(area);
        f.render_widget(block, area);
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
                if it.required {
                    head.push(Span::styled(
                        format!("  · {}", t("verplicht", "required")),
                        v.theme.required(),
                    ));
                }
                let text = it.text_for(d.age_band).get(v.lang).to_string();
                let question = Paragraph::new(vec![
                    Line::from(head),
                    Line::raw(""),
                    Line::styled(text.clone(), v.theme.title()),
                ])
                .wrap(Wrap { trim: true });
                let qh = (wrapped_height(&text, inner.width) + 2).min(inner.height / 2 + 1);
                let input_h = self.input_height(c, item);
                let [q, gap, input, rest] = Layout::vertical([
                    Constraint::Length(qh),
                    Constraint::Length(1),
                    Constraint::Length(input_h),
                    Constraint::Min(0),
                ])
                .areas(inner);
                let _ = gap;
                f.render_widget(question, q);
                self.input_view(f, input, v, c, item, entry);
                let mut extra = Vec::new();
                if let Some(e) = &self.input_error {
                    extra.push(Line::styled(e.get(v.lang).to_string(), v.theme.error()));
                }
                if let Some(h) = &it.help {
                    extra.push(Line::raw(""));
                    extra.push(Line::styled(h.get(v.lang).to_string(), v.theme.dim()));
                }
                f.render_widget(Paragraph::new(extra).wrap(Wrap { trim: true }), rest);
            }
        }
    }

    fn input_height(&self, c: &Checklist, item: usize) -> u16 {
        match &c.items[item].kind {
            k if k.is_single_option() => c.items[item].options.len() as u16,
            ItemKind::Multi => c.items[item].options.len() as u16,
            ItemKind::Scale { .. } => 4,
            ItemKind::LongText { .. } => 7,
            _ => 3,
        }
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
                let lines = option_lines(&it.options, v, |i| {
                    let on = chosen == Some(i);
                    (on, format!(" ({})", if on { "•" } else { " " }))
                });
                f.render_widget(Paragraph::new(lines), area);
            }
            (ItemKind::Multi, Input::Multi { highlight }) => {
                let bits = match answer {
                    Some(Answer::Multi(b)) => *b,
                    _ => 0,
                };
                let lines = option_lines(&it.options, v, |i| {
                    let on = bits & (1 << i) != 0;
                    let marker = if i == *highlight { "▶" } else { " " };
                    (on, format!("{marker}[{}]", if on { "x" } else { " " }))
                });
                f.render_widget(Paragraph::new(lines), area);
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
                for x in *min..=*max {
                    let on = value == Some(x);
                    let style = if on {
                        v.theme.selected()
                    } else {
                        v.theme.normal()
                    };
                    spans.push(Span::styled(
                        if on {
                            format!("[{x}]")
                        } else {
                            format!(" {x} ")
                        },
                        style,
                    ));
                }
                let mut lines = vec![Line::from(spans)];
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
                lines.push(Line::styled(
                    format!(
                        " {min} = {}   {max} = {}",
                        min_label.get(v.lang),
                        max_label.get(v.lang)
                    ),
                    v.theme.dim(),
                ));
                f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
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
        let height = (items.len() as u16 + 2).clamp(3, area.height.saturating_sub(2));
        let boxed = centered(area, 70, height);
        f.render_widget(Clear, boxed);
        let list = List::new(items)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(v.theme.title())
                    .title(format!(" {title} ")),
            )
            .highlight_style(v.theme.selected())
            .highlight_symbol("▶ ");
        let mut state = ListState::default().with_selected(Some(selected));
        f.render_stateful_widget(list, boxed, &mut state);
    }

    fn sections_popup(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>, sel: usize) {
        let items = self
            .section_rows()
            .into_iter()
            .map(|(s, si)| {
                let c = self.checklist(s);
                let p = self.derived.sheets[s].progress[si];
                ListItem::new(format!(
                    "{:<40} {}/{}",
                    c.sections[si].title.get(v.lang),
                    p.answered,
                    p.visible
                ))
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
                let status = if missing == 0 {
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
                let room = 70usize
                    .min(area.width as usize)
                    .saturating_sub(4 + head.chars().count() + tail.chars().count())
                    .max(8);
                ListItem::new(format!(
                    "{head}{}{tail}",
                    clip(self.checklist(s).title.get(v.lang), room)
                ))
            })
            .collect();
        self.popup_list(
            f,
            area,
            v,
            v.lang.pick("Lijst of persoon", "List or person"),
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
                    p => format!(" ({})", self.visit.roster.name(p)),
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
                ListItem::new(Line::styled(
                    format!(
                        "{status} {:02}:{:02} [{}] {}{who}{state}",
                        fl.raised_at.hour(),
                        fl.raised_at.minute(),
                        fl.level.label().get(v.lang),
                        fl.message.get(v.lang)
                    ),
                    style,
                ))
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

/// One line per option: a marker, the option's number and its label; chosen
/// options stand out.
fn option_lines<'a>(
    options: &[crate::checklist::model::ChoiceOption],
    v: &ViewCtx<'_>,
    mark: impl Fn(usize) -> (bool, String),
) -> Vec<Line<'a>> {
    options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let (on, marker) = mark(i);
            let style = if on {
                v.theme.selected()
            } else {
                v.theme.normal()
            };
            Line::styled(format!("{marker} {} {}", i + 1, o.label.get(v.lang)), style)
        })
        .collect()
}

/// Lines a text takes when wrapped at `width` (an estimate by words).
fn wrapped_height(text: &str, width: u16) -> u16 {
    let width = width.max(1) as usize;
    let mut lines = 1u16;
    let mut col = 0usize;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        if col > 0 && col + 1 + w > width {
            lines += 1;
            col = w;
        } else {
            col += if col > 0 { w + 1 } else { w };
        }
    }
    lines
}
