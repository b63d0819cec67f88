//! A case, read-only: what the laptop keeps of a family between visits
//! (the case card) — the household with today's ages, the agreements with
//! their deadlines, the flags and what was done, the dates that matter
//! next, the scaling answers and the verdict. From here the worker starts
//! a follow-up visit (`v`), reads the agreements back with the family
//! (`l`), or closes the case with a reason (`s`, confirmed by typing the
//! first letters of its label).
//!
//! Nothing here changes the card: closing goes out as an effect. The card
//! leaves memory with this screen (lock and quick-hide replace it).

use std::cell::Cell;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use time::Date;

use crate::case::{CLOSE_REASONS, CaseCard, items};
use crate::checklist::Catalog;
use crate::i18n::{Lang, Text};
use crate::tui::app::{AppCtx, Transition};
use crate::tui::event::{Effect, Key};
use crate::tui::keys::{Action, Ctx};
use crate::tui::screens::centered;
use crate::tui::screens::confirm::{Confirm, TypedConfirm};
use crate::tui::screens::readback::{ReadBackOutcome, ReadBackScreen};
use crate::tui::theme::Theme;
use crate::tui::view::ViewCtx;
use crate::tui::widgets::wrap_prefixed;
use crate::visit::record::{PersonRecord, parse_date};

/// Closing the case: first the reason, then the typed confirmation.
enum Closing {
    /// The reason list, with the one under the cursor.
    Reason(usize),
    Confirm(usize, Box<TypedConfirm>),
}

pub struct CaseScreen {
    card: Box<CaseCard>,
    /// The verdict and the legal framework as the checklists word them.
    verdict: Option<Text>,
    framework: Option<Text>,
    /// The scaling answers' roles, worded.
    roles: Vec<Option<Text>>,
    /// Untouched for the retention period: the view asks whether to close.
    retention_due: bool,
    scroll: usize,
    /// The last line the card can scroll to and the height of a page, as
    /// last drawn (the card wraps to the window's width).
    last: Cell<usize>,
    page: Cell<usize>,
    closing: Option<Closing>,
    /// Reading the agreements back with the family, over the card.
    readback: Option<ReadBackScreen>,
}

/// The label of option `option` of `item` in `checklist`, if the catalog has it.
fn option_label(catalog: &Catalog, checklist: &str, item: &str, option: &str) -> Option<Text> {
    let c = catalog.get(checklist)?;
    let it = c.items.iter().find(|i| i.id == item)?;
    let o = it.option_index(option)?;
    Some(it.options[o].label.clone())
}

/// A date as the case view shows it, with "te laat" when it is past.
fn dated(date: &str, today: Date, lang: Lang) -> (String, bool) {
    let late = parse_date(date).is_some_and(|d| d < today);
    let text = if late {
        format!("{date}  ! {}", lang.pick("te laat", "overdue"))
    } else {
        date.to_string()
    };
    (text, late)
}

impl CaseScreen {
    /// `retention_due`: the case was untouched for the retention period
    /// (as the home screen listed it).
    pub fn new(card: Box<CaseCard>, catalog: &Catalog, retention_due: bool) -> CaseScreen {
        let verdict = card.verdict.as_deref().map(|v| {
            option_label(catalog, items::CHECKLIST, items::VERDICT, v)
                .unwrap_or_else(|| Text::new(v, v))
        });
        let framework = card.framework.as_deref().map(|v| {
            option_label(catalog, items::FRAMEWORK_CHECKLIST, items::FRAMEWORK, v)
                .unwrap_or_else(|| Text::new(v, v))
        });
        let roles = card
            .scaling
            .iter()
            .map(|s| {
                s.role.as_deref().map(|r| {
                    option_label(catalog, items::CHECKLIST, items::SCALING_ROLE, r)
                        .unwrap_or_else(|| Text::new(r, r))
                })
            })
            .collect();
        CaseScreen {
            card,
            verdict,
            framework,
            roles,
            retention_due,
            scroll: 0,
            last: Cell::new(0),
            page: Cell::new(1),
            closing: None,
            readback: None,
        }
    }

    pub fn card(&self) -> &CaseCard {
        &self.card
    }

    pub fn ctx(&self) -> Ctx {
        if let Some(r) = &self.readback {
            return r.ctx();
        }
        match self.closing {
            None => Ctx::Case,
            Some(Closing::Reason(_)) => Ctx::Popup,
            Some(Closing::Confirm(..)) => Ctx::Prompt,
        }
    }

    /// A paste never confirms, and nothing here takes text otherwise.
    pub fn paste(&mut self, _text: &str) -> Transition {
        Transition::Stay
    }

    pub fn key(&mut self, key: Key, action: Option<Action>, ctx: &mut AppCtx<'_>) -> Transition {
        if let Some(r) = &mut self.readback {
            // From a case the read-back is read only: nothing to mark.
            if r.key(key, action) == ReadBackOutcome::Close {
                self.readback = None;
            }
            return Transition::Stay;
        }
        match &mut self.closing {
            Some(Closing::Reason(i)) => {
                match action {
                    Some(Action::Up) => *i = i.saturating_sub(1),
                    Some(Action::Down) => *i = (*i + 1).min(CLOSE_REASONS.len() - 1),
                    Some(Action::First) => *i = 0,
                    Some(Action::Last) => *i = CLOSE_REASONS.len() - 1,
                    Some(Action::Select) => {
                        let confirm = TypedConfirm::new(&self.card.label, "sluiten");
                        self.closing = Some(Closing::Confirm(*i, Box::new(confirm)));
                    }
                    Some(Action::Cancel) => self.closing = None,
                    _ => {}
                }
                return Transition::Stay;
            }
            Some(Closing::Confirm(i, confirm)) => {
                match confirm.key(key, action) {
                    Confirm::Confirmed => {
                        ctx.effects.push(Effect::CloseCase {
                            case_id: self.card.case_id.clone(),
                            reason: CLOSE_REASONS[*i].0.to_string(),
                            now: ctx.now,
                        });
                        self.closing = None;
                    }
                    Confirm::Cancelled => self.closing = Some(Closing::Reason(*i)),
                    Confirm::Pending => {}
                }
                return Transition::Stay;
            }
            None => {}
        }
        let (last, page) = (self.last.get(), self.page.get().max(1));
        match action {
            Some(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            Some(Action::Down) => self.scroll = (self.scroll + 1).min(last),
            Some(Action::PageUp) => self.scroll = self.scroll.saturating_sub(page),
            Some(Action::PageDown) => self.scroll = (self.scroll + page).min(last),
            Some(Action::First) => self.scroll = 0,
            Some(Action::Last) => self.scroll = last,
            Some(Action::Cancel) => return Transition::Home,
            Some(Action::CloseCase) => self.closing = Some(Closing::Reason(0)),
            Some(Action::FollowUp) => return Transition::FollowUp(self.card.clone()),
            Some(Action::ReadBack) => {
                self.readback = Some(ReadBackScreen::from_card(
                    &self.card,
                    ctx.lang,
                    ctx.now.date(),
                ));
            }
            _ => {}
        }
        Transition::Stay
    }

    /// The card as lines `width` columns wide, seen on `today`.
    fn lines(&self, width: usize, today: Date, lang: Lang, theme: &Theme) -> Vec<Line<'static>> {
        let t = |nl: &'static str, en: &'static str| lang.pick(nl, en);
        let c = &*self.card;
        let mut out: Vec<Line<'static>> = Vec::new();
        if self.retention_due {
            for l in wrap_prefixed(
                "",
                t(
                    "Deze casus is lang niet aangeraakt. Is hij af? Sluiten kan met s.",
                    "This case has not been touched for long. Is it done? Close it with s.",
                ),
                width,
            ) {
                out.push(Line::styled(l, theme.warn()));
            }
            out.push(Line::raw(""));
        }
        let wrapped = |out: &mut Vec<Line<'static>>, prefix: &str, text: &str, style: Style| {
            for l in wrap_prefixed(prefix, text, width) {
                out.push(Line::styled(l, style));
            }
        };
        let field = |out: &mut Vec<Line<'static>>, label: &str, value: String, style: Style| {
            let prefix = format!("{label:<18}");
            for (n, l) in wrap_prefixed(&prefix, &value, width)
                .into_iter()
                .enumerate()
            {
                if n == 0 {
                    let rest: String = l.chars().skip(prefix.chars().count()).collect();
                    out.push(Line::from(vec![
                        Span::styled(prefix.clone(), theme.dim()),
                        Span::styled(rest, style),
                    ]));
                } else {
                    out.push(Line::styled(l, style));
                }
            }
        };
        let visits = match (lang, c.visits) {
            (Lang::Nl, 1) => "1 bezoek".to_string(),
            (Lang::Nl, n) => format!("{n} bezoeken"),
            (Lang::En, 1) => "1 visit".to_string(),
            (Lang::En, n) => format!("{n} visits"),
        };
        field(
            &mut out,
            t("Laatste bezoek", "Last visit"),
            format!(
                "{} ({visits}; {} {})",
                c.last_visit_date,
                t("sinds", "since"),
                c.opened_on
            ),
            theme.normal(),
        );
        for (label, date) in [
            (t("Volgend contact", "Next contact"), &c.next_contact),
            (t("Evaluatie", "Evaluation"), &c.evaluation_date),
        ] {
            match date {
                Some(d) => {
                    let (text, late) = dated(d, today, lang);
                    field(
                        &mut out,
                        label,
                        text,
                        if late { theme.warn() } else { theme.normal() },
                    );
                }
                None => field(
                    &mut out,
                    label,
                    t("niet afgesproken", "not set").to_string(),
                    theme.dim(),
                ),
            }
        }
        field(
            &mut out,
            t("Eigen oordeel", "Own verdict"),
            self.verdict.as_ref().map_or_else(
                || t("niet ingevuld", "not given").to_string(),
                |v| v.get(lang).to_string(),
            ),
            theme.normal(),
        );
        if let Some(f) = &self.framework {
            field(
                &mut out,
                t("Kader", "Framework"),
                f.get(lang).to_string(),
                theme.normal(),
            );
        }
        field(
            &mut out,
            t("Voorgelezen", "Read back"),
            c.read_back_on
                .clone()
                .unwrap_or_else(|| t("nog niet", "not yet").to_string()),
            theme.normal(),
        );

        // The household, with the ages of today.
        out.push(Line::raw(""));
        out.push(Line::styled(t("Gezin", "Household"), theme.title()));
        let roster = c.roster_on(today);
        if roster.children.is_empty() && roster.caregivers.is_empty() {
            out.push(Line::styled(
                format!("   {}", t("niemand vastgelegd", "no one recorded")),
                theme.dim(),
            ));
        }
        for ch in &roster.children {
            wrapped(
                &mut out,
                "   ",
                &format!("{}, {} {}", ch.alias, ch.age, t("jaar", "years")),
                theme.normal(),
            );
        }
        for cg in &roster.caregivers {
            wrapped(
                &mut out,
                "   ",
                &format!("{} ({})", cg.alias, cg.role),
                theme.normal(),
            );
        }

        // The agreements: who, what, by when, what if it goes wrong.
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!("{} ({})", t("Afspraken", "Agreements"), c.agreements.len()),
            theme.title(),
        ));
        if c.agreements.is_empty() {
            out.push(Line::styled(
                format!("   {}", t("geen afspraken", "no agreements")),
                theme.dim(),
            ));
        }
        for (n, a) in c.agreements.iter().enumerate() {
            let who = a.who.as_str().trim();
            let head = if who.is_empty() {
                a.what.as_str().trim().to_string()
            } else {
                format!("{who}: {}", a.what.as_str().trim())
            };
            wrapped(&mut out, &format!("{:>3}. ", n + 1), &head, theme.normal());
            let (by, late) = match &a.by_when {
                Some(d) => dated(d, today, lang),
                None => (t("geen datum", "no date").to_string(), false),
            };
            wrapped(
                &mut out,
                "     ",
                &format!("{} {by}", t("Vóór:", "By:")),
                if late { theme.warn() } else { theme.dim() },
            );
            if !a.if_wrong.as_str().trim().is_empty() {
                wrapped(
                    &mut out,
                    "     ",
                    &format!(
                        "{} {}",
                        t("Als het misgaat:", "If it goes wrong:"),
                        a.if_wrong.as_str().trim()
                    ),
                    theme.dim(),
                );
            }
        }

        // The flags with their state and what was done.
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!("{} ({})", t("Vlaggen", "Flags"), c.flags.len()),
            theme.title(),
        ));
        if c.flags.is_empty() {
            out.push(Line::styled(
                format!("   {}", t("geen vlaggen", "no flags")),
                theme.dim(),
            ));
        }
        for f in &c.flags {
            let level = match f.level.as_str() {
                "acute" => t("ACUUT", "ACUTE"),
                "structural" => t("STRUCTUREEL", "STRUCTURAL"),
                _ => t("AANDACHT", "ATTENTION"),
            };
            let state = match f.state.as_str() {
                "active" => t("actief", "active"),
                "lapsed" => t("vervallen", "lapsed"),
                "withdrawn" => t("ingetrokken", "withdrawn"),
                _ => t("onbekend", "unknown"),
            };
            let who = match f.person {
                PersonRecord::Visit => String::new(),
                PersonRecord::Child(id) => c
                    .children
                    .iter()
                    .find(|ch| ch.id == id)
                    .map_or_else(String::new, |ch| format!(" · {}", ch.alias)),
                PersonRecord::Caregiver(id) => c
                    .caregivers
                    .iter()
                    .find(|cg| cg.id == id)
                    .map_or_else(String::new, |cg| format!(" · {}", cg.alias)),
            };
            let style = match (f.state.as_str(), f.level.as_str()) {
                ("active", "acute") => theme.error(),
                ("active", _) => theme.warn(),
                _ => theme.dim(),
            };
            wrapped(
                &mut out,
                "   ⚑ ",
                &format!(
                    "{level} ({state}, {}){who}: {}",
                    f.raised_on,
                    f.message.get(lang)
                ),
                style,
            );
            if !f.action_taken.as_str().trim().is_empty() {
                wrapped(
                    &mut out,
                    "     ",
                    &format!(
                        "{} {}",
                        t("Gedaan:", "Done:"),
                        f.action_taken.as_str().trim()
                    ),
                    theme.dim(),
                );
            }
        }

        // The scaling answers of the last visit.
        out.push(Line::raw(""));
        out.push(Line::styled(
            t("Schaalvragen (0–10)", "Scaling questions (0–10)"),
            theme.title(),
        ));
        if c.scaling.is_empty() {
            out.push(Line::styled(
                format!("   {}", t("geen antwoorden", "no answers")),
                theme.dim(),
            ));
        }
        for (s, role) in c.scaling.iter().zip(&self.roles) {
            let mut who = s.who.as_str().trim().to_string();
            if let Some(r) = role {
                who = format!("{who} ({})", r.get(lang));
            }
            let about = s.about.as_str().trim();
            let about = if about.is_empty() {
                String::new()
            } else {
                format!(" {} {about}", t("over", "about"))
            };
            wrapped(
                &mut out,
                "   ",
                &format!("{who}{about}: {}", s.value),
                theme.normal(),
            );
        }
        out
    }

    pub fn view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        if let Some(r) = &self.readback {
            return r.view(f, area, v);
        }
        let t = |nl, en| v.lang.pick(nl, en);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.dim())
            .title(Span::styled(
                format!(" {} {} ", t("Casus:", "Case:"), self.card.label),
                v.theme.title(),
            ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let width = usize::from(inner.width.saturating_sub(1)).max(10);
        let lines = self.lines(width, v.now.date(), v.lang, v.theme);
        let height = usize::from(inner.height);
        let last = lines.len().saturating_sub(height);
        self.last.set(last);
        self.page.set(height);
        let first = self.scroll.min(last);
        let shown: Vec<Line> = lines.into_iter().skip(first).take(height).collect();
        f.render_widget(Paragraph::new(shown), inner);
        if first < last && inner.height > 0 {
            // More below: say so in the bottom border.
            let more = format!(" ↓ {} ", t("meer", "more"));
            let x = area.right().saturating_sub(more.chars().count() as u16 + 2);
            f.render_widget(
                Paragraph::new(Span::styled(more, v.theme.dim())),
                Rect::new(x, area.bottom() - 1, 8, 1),
            );
        }
        if inner.height > 0 {
            f.set_cursor_position((inner.x, inner.y));
        }
        match &self.closing {
            Some(Closing::Reason(sel)) => self.reason_view(f, area, v, *sel),
            Some(Closing::Confirm(i, confirm)) => {
                let (_, nl, en) = CLOSE_REASONS[*i];
                let lines = vec![
                    Line::styled(
                        t("Deze casus sluiten?", "Close this case?"),
                        v.theme.title(),
                    ),
                    Line::styled(
                        format!("{} — {}", self.card.label, v.lang.pick(nl, en)),
                        v.theme.error(),
                    ),
                    Line::from(t(
                        "De casuskaart wordt van deze laptop verwijderd: de afspraken en de vorige antwoorden zijn er dan niet meer voor een vervolgbezoek. Kantoor hoort bij de volgende export dat de casus is gesloten, met de reden.",
                        "The case card is deleted from this laptop: the agreements and the previous answers are then gone for a follow-up visit. The office hears with the next export that the case is closed, and why.",
                    )),
                    Line::from(match v.lang {
                        Lang::Nl => format!(
                            "Sluiten: typ „{}” (de eerste letters van de naam) en druk op Enter.",
                            confirm.expected()
                        ),
                        Lang::En => format!(
                            "To close: type “{}” (the first letters of the name) and press Enter.",
                            confirm.expected()
                        ),
                    }),
                ];
                confirm.render(f, area, v, t("Casus sluiten", "Close case"), lines);
            }
            None => {}
        }
    }

    fn reason_view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>, sel: usize) {
        let t = |nl, en| v.lang.pick(nl, en);
        let height = CLOSE_REASONS.len() as u16 + 4;
        let boxed = centered(area, 64, height);
        f.render_widget(Clear, boxed);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.title())
            .title(format!(
                " {} ",
                t("Waarom sluit u de casus?", "Why do you close the case?")
            ));
        let inner = block.inner(boxed);
        f.render_widget(block, boxed);
        let mut lines = Vec::new();
        for (n, (_, nl, en)) in CLOSE_REASONS.iter().enumerate() {
            let on = n == sel;
            let line = Line::raw(format!(
                "{}{}",
                if on { " ▶ " } else { "   " },
                v.lang.pick(nl, en)
            ));
            lines.push(if on {
                line.style(v.theme.selected())
            } else {
                line
            });
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            t(
                "↑↓: kiezen · Enter: verder · Esc: terug",
                "↑↓: choose · Enter: next · Esc: back",
            ),
            v.theme.dim(),
        ));
        f.render_widget(Paragraph::new(lines), inner);
        if inner.height > 0 {
            f.set_cursor_position((inner.x + 1, inner.y + sel as u16));
        }
    }
}
