//! Review and finalize: missing required items (each a jump away), scores
//! drawn against their bands with the decision-support line, outcomes, all
//! answers by section, and a confirm step that says a finalized visit can
//! no longer be opened on this laptop.

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
use crate::tui::view::ViewCtx;
use crate::visit::record::format_date;
use crate::visit::{Answer, Derived, Person, Visit};

#[derive(Default)]
pub struct Review {
    tab: usize,
    sel: usize,
    scroll: usize,
    /// The finalize dialog: the first letters of the label to type.
    confirming: Option<TypedConfirm>,
}

pub enum ReviewOutcome {
    Stay,
    Close,
    Jump {
        sheet: usize,
        item: usize,
        entry: Option<usize>,
    },
    Finalize,
}

enum Row {
    Text(Line<'static>),
    Gauge {
        label: String,
        ratio: f64,
        style: Style,
    },
}

/// Every missing required item of the visit, in order.
fn missing(derived: &Derived) -> Vec<(usize, usize, Option<usize>)> {
    derived
        .sheets
        .iter()
        .enumerate()
        .flat_map(|(s, d)| d.missing.iter().map(move |m| (s, m.item, m.entry)))
        .collect()
}

/// A row of the first tab: an invalid typed value (the index into
/// `Visit::pending`) or a missing required item.
#[derive(Clone, Copy)]
struct Open {
    sheet: usize,
    item: usize,
    entry: Option<usize>,
    invalid: Option<usize>,
}

/// The first tab's rows: every invalid draft value ("ongeldig", they block
/// finalizing), then every missing required item.
fn open_places(visit: &Visit, derived: &Derived) -> Vec<Open> {
    let invalid = derived.invalid.iter().filter_map(|&p| {
        let (sheet, item, entry) = visit.pending_place(p)?;
        Some(Open {
            sheet,
            item,
            entry,
            invalid: Some(p),
        })
    });
    let missing = missing(derived)
        .into_iter()
        .map(|(sheet, item, entry)| Open {
            sheet,
            item,
            entry,
            invalid: None,
        });
    invalid.chain(missing).collect()
}

fn person(visit: &Visit, p: Person, lang: Lang) -> String {
    match p {
        Person::Visit => lang.pick("bezoek", "visit").to_string(),
        p => visit.roster.name(p),
    }
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
        match action {
            Some(Action::Cancel) => ReviewOutcome::Close,
            Some(Action::NextTab) => {
                self.tab = (self.tab + 1) % 3;
                self.sel = 0;
                self.scroll = 0;
                ReviewOutcome::Stay
            }
            Some(Action::Up) => {
                if self.tab == 0 {
                    self.sel = self.sel.saturating_sub(1);
                } else {
                    self.scroll = self.scroll.saturating_sub(1);
                }
                ReviewOutcome::Stay
            }
            Some(Action::Down) => {
                if self.tab == 0 {
                    self.sel =
                        (self.sel + 1).min(open_places(visit, derived).len().saturating_sub(1));
                } else {
                    self.scroll += 1;
                }
                ReviewOutcome::Stay
            }
            Some(Action::Select) if self.tab == 0 => {
                match open_places(visit, derived).get(self.sel) {
                    Some(o) => ReviewOutcome::Jump {
                        sheet: o.sheet,
                        item: o.item,
                        entry: o.entry,
                    },
                    None => ReviewOutcome::Stay,
                }
            }
            Some(Action::Finalize) => {
                self.confirming = Some(TypedConfirm::new(&visit.label, "afronden"));
                ReviewOutcome::Stay
            }
            _ => ReviewOutcome::Stay,
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
        let missing = missing(derived);
        let open = open_places(visit, derived);
        let invalid = derived.invalid.len();
        let tabs = [
            if invalid > 0 {
                format!(
                    "1 {} ({}, {invalid} {})",
                    t("Open verplicht", "Open required"),
                    missing.len(),
                    t("ongeldig", "invalid")
                )
            } else {
                format!(
                    "1 {} ({})",
                    t("Open verplicht", "Open required"),
                    missing.len()
                )
            },
            t("2 Scores en uitkomsten", "2 Scores and outcomes").to_string(),
            t("3 Alle antwoorden", "3 All answers").to_string(),
        ];
        let mut spans = vec![Span::raw(" ")];
        for (i, name) in tabs.iter().enumerate() {
            let style = if i == self.tab {
                v.theme.selected()
            } else {
                v.theme.dim()
            };
            spans.push(Span::styled(format!(" {name} "), style));
            spans.push(Span::raw(" "));
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
        f.render_widget(Paragraph::new(Line::from(spans)), bar);
        let rows = match self.tab {
            0 => self.missing_rows(v, visit, &open),
            1 => scores_rows(v, visit, derived),
            _ => answer_rows(v, visit, derived),
        };
        let height = body.height as usize;
        let first = if self.tab == 0 {
            // Keep the selected missing item (rows start after one intro line) in view.
            (self.sel + 2).saturating_sub(height)
        } else {
            self.scroll.min(rows.len().saturating_sub(height))
        };
        for (n, row) in rows.into_iter().skip(first).take(height).enumerate() {
            let r = Rect::new(body.x, body.y + n as u16, body.width, 1);
            match row {
                Row::Text(line) => f.render_widget(Paragraph::new(line), r),
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
                open_phrase(missing.len(), v.lang)
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
            if !missing.is_empty() {
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

    fn missing_rows(&self, v: &ViewCtx<'_>, visit: &Visit, missing: &[Open]) -> Vec<Row> {
        let mut rows = Vec::new();
        if missing.is_empty() {
            rows.push(Row::Text(Line::styled(
                v.lang
                    .pick(
                        "Alle verplichte vragen zijn beantwoord.",
                        "Every required question is answered.",
                    )
                    .to_string(),
                v.theme.ok(),
            )));
            return rows;
        }
        rows.push(Row::Text(Line::styled(
            v.lang
                .pick("Enter: naar de vraag", "Enter: go to the question")
                .to_string(),
            v.theme.dim(),
        )));
        for (n, o) in missing.iter().enumerate() {
            let sheet = &visit.sheets[o.sheet];
            let c = &sheet.checklist;
            let it = &c.items[o.item];
            let entry_text = o.entry.map_or(String::new(), |e| format!(" #{}", e + 1));
            // An invalid value shows what was typed, on one line.
            let mark = match o.invalid.and_then(|p| visit.pending.get(p)) {
                Some(p) => format!(
                    "{} «{}»: ",
                    v.lang.pick("ongeldig", "invalid"),
                    p.text.as_str().replace('\n', " ⏎ ")
                ),
                None => String::new(),
            };
            let text = format!(
                "{} {mark}{} ({}) · {}{entry_text}: {}",
                if n == self.sel { "▶" } else { " " },
                c.title.get(v.lang),
                person(visit, sheet.person, v.lang),
                c.sections[it.section].title.get(v.lang),
                it.text.get(v.lang)
            );
            let style = if n == self.sel {
                v.theme.selected()
            } else if o.invalid.is_some() {
                v.theme.error()
            } else {
                v.theme.normal()
            };
            rows.push(Row::Text(Line::styled(text, style)));
        }
        rows
    }
}

fn scores_rows(v: &ViewCtx<'_>, visit: &Visit, derived: &Derived) -> Vec<Row> {
    let t = |nl, en| v.lang.pick(nl, en);
    let mut rows = vec![Row::Text(Line::styled(
        t(
            "beslisondersteuning, geen besluit",
            "decision support, not a decision",
        )
        .to_string(),
        v.theme.warn(),
    ))];
    for (s, sheet) in visit.sheets.iter().enumerate() {
        let c = &sheet.checklist;
        let d = &derived.sheets[s];
        if c.scores.is_empty() && c.outcomes.is_empty() {
            continue;
        }
        rows.push(Row::Text(Line::raw("")));
        rows.push(Row::Text(Line::styled(
            format!(
                "{} — {}",
                c.title.get(v.lang),
                person(visit, sheet.person, v.lang)
            ),
            v.theme.title(),
        )));
        for (score, sv) in c.scores.iter().zip(&d.scores) {
            let (lo, hi) = score.range;
            let ratio = if hi > lo {
                (sv.value - lo) as f64 / (hi - lo) as f64
            } else {
                0.0
            };
            let band = sv.band.map(|b| &score.bands[b]);
            let band_label = band.map_or_else(
                || t("(nog niets beantwoord)", "(nothing answered yet)").to_string(),
                |b| b.label.get(v.lang).to_string(),
            );
            rows.push(Row::Text(Line::from(vec![
                Span::raw(format!("{}: ", score.title.get(v.lang))),
                Span::styled(band_label, v.theme.title()),
            ])));
            let label = format!(
                "{} ({}–{}) · {}/{} {}",
                sv.value,
                lo,
                hi,
                sv.answered,
                sv.visible,
                t("beantwoord", "answered")
            );
            rows.push(Row::Gauge {
                label,
                ratio,
                style: v.theme.gauge(),
            });
            if let Some(b) = band {
                rows.push(Row::Text(Line::styled(
                    format!("   {}", b.meaning.get(v.lang)),
                    v.theme.dim(),
                )));
            }
        }
        for (oi, o) in c.outcomes.iter().enumerate() {
            let value = d.outcomes[oi]
                .map(|r| o.rules[r].label.get(v.lang).to_string())
                .unwrap_or_else(|| t("(nog geen uitkomst)", "(no outcome yet)").to_string());
            rows.push(Row::Text(Line::from(vec![
                Span::raw(format!("{}: ", o.title.get(v.lang))),
                Span::styled(value, v.theme.title()),
            ])));
        }
    }
    rows
}

fn answer_rows(v: &ViewCtx<'_>, visit: &Visit, derived: &Derived) -> Vec<Row> {
    let mut rows = Vec::new();
    let width = 74usize;
    for (s, sheet) in visit.sheets.iter().enumerate() {
        let c = &sheet.checklist;
        let d = &derived.sheets[s];
        rows.push(Row::Text(Line::styled(
            format!(
                "{} — {}",
                c.title.get(v.lang),
                person(visit, sheet.person, v.lang)
            ),
            v.theme.title(),
        )));
        for (si, sec) in c.sections.iter().enumerate() {
            if !d.section_visible[si] {
                continue;
            }
            rows.push(Row::Text(Line::styled(
                format!("  {}", sec.title.get(v.lang)),
                v.theme.key(),
            )));
            let entries: Vec<Option<usize>> = if sec.repeat.is_some() {
                (0..sheet.entries[si].len()).map(Some).collect()
            } else {
                vec![None]
            };
            for entry in entries {
                if let Some(e) = entry {
                    let title = visit.entry_title(s, si, e);
                    rows.push(Row::Text(Line::raw(format!("    {}", title.get(v.lang)))));
                }
                for i in sec.items.clone() {
                    if !d.visible(c, i, entry) {
                        continue;
                    }
                    let shown = sheet
                        .answer(i, entry)
                        .map_or_else(|| "—".to_string(), |a| show_answer(c, i, a, v.lang));
                    let q: String = c.items[i]
                        .text
                        .get(v.lang)
                        .chars()
                        .take(width / 2)
                        .collect();
                    let line = format!("    {q}: {shown}");
                    rows.push(Row::Text(Line::raw(
                        line.chars().take(width + 4).collect::<String>(),
                    )));
                }
            }
        }
    }
    rows
}
