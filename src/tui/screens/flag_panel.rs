//! The red-flag panel of the visit flow. The flags raised by one answer
//! share one panel: each with its level, message and what to do now; one
//! action text acknowledges them all (Enter). A panel raised by mistake is
//! withdrawn with Alt-w and a reason that may not be blank; the F4 list can
//! withdraw a single flag later the same way.

use std::collections::VecDeque;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::checklist::model::FlagLevel;
use crate::i18n::Text;
use crate::tui::app::{AppCtx, Message};
use crate::tui::event::Key;
use crate::tui::keys::{Action, Ctx};
use crate::tui::screens::centered;
use crate::tui::view::ViewCtx;
use crate::tui::widgets::Field;
use crate::visit::{FlagChanges, FlagState, Person, SecretText, Visit};

/// Asking why flags are withdrawn.
struct Reason {
    field: Field,
    /// The flags to withdraw.
    flags: Vec<usize>,
    /// Asked from the flags list (F4), not from the panel.
    from_list: bool,
}

#[derive(Default)]
pub struct FlagPanel {
    /// Panels waiting, each the flags raised by one answer.
    queue: VecDeque<Vec<usize>>,
    action: Option<Field>,
    reason: Option<Reason>,
    /// Told once the key is handled (a flag lapsed or came back).
    notice: Option<Text>,
}

impl FlagPanel {
    /// The panels of flags raised and never acknowledged (a resumed draft):
    /// flags raised at the same moment by one answer share a panel.
    pub fn resume(visit: &Visit) -> FlagPanel {
        let mut p = FlagPanel::default();
        for i in visit.unacknowledged_flags() {
            let at = visit.flags[i].raised_at;
            match p.queue.back_mut() {
                Some(g) if g.first().is_some_and(|&j| visit.flags[j].raised_at == at) => g.push(i),
                _ => p.queue.push_back(vec![i]),
            }
        }
        p
    }

    /// Whether a panel (or a withdrawal's reason) waits for the worker.
    pub fn is_open(&self) -> bool {
        !self.queue.is_empty() || self.reason.is_some()
    }

    pub fn ctx(&self) -> Ctx {
        if self.reason.is_some() {
            Ctx::FlagWithdraw
        } else {
            Ctx::FlagPanel
        }
    }

    /// Take in what an update of the flags changed.
    pub fn take(&mut self, changes: FlagChanges, visit: &Visit) {
        let mut group = changes.raised;
        let mut back = Vec::new();
        for &i in &changes.reactivated {
            if visit.flags[i].acknowledged_at.is_none() {
                group.push(i);
            } else {
                back.push(i);
            }
        }
        if !group.is_empty() {
            if self.queue.is_empty() {
                self.action = None;
            }
            self.queue.push_back(group);
        }
        let msg = |i: &usize| visit.flags[*i].message.clone();
        self.notice = if let Some(f) = back.first().map(msg) {
            Some(Text::new(
                format!("Rode vlag weer actief: {}", f.nl),
                format!("Red flag active again: {}", f.en),
            ))
        } else {
            changes.lapsed.first().map(msg).map(|f| {
                Text::new(
                    format!("Rode vlag vervallen (antwoord gewijzigd): {}", f.nl),
                    format!("Red flag lapsed (answer changed): {}", f.en),
                )
            })
        };
    }

    pub fn take_notice(&mut self) -> Option<Text> {
        self.notice.take()
    }

    /// Ask the reason to withdraw one flag, from the flags list.
    pub fn withdraw_from_list(&mut self, visit: &Visit, flag: usize) -> Result<(), Text> {
        match visit.flags.get(flag).map(|f| f.state) {
            Some(FlagState::Withdrawn) => Err(Text::new(
                "Deze vlag is al ingetrokken.",
                "This flag is withdrawn already.",
            )),
            Some(_) => {
                self.reason = Some(Reason {
                    field: Field::single(""),
                    flags: vec![flag],
                    from_list: true,
                });
                Ok(())
            }
            None => Err(Text::new("Geen vlag gekozen.", "No flag chosen.")),
        }
    }

    /// A key while the panel is open; returns whether the visit changed
    /// (and must be saved now).
    pub fn key(
        &mut self,
        visit: &mut Visit,
        key: Key,
        action: Option<Action>,
        ctx: &mut AppCtx<'_>,
    ) -> bool {
        if let Some(r) = &mut self.reason {
            match action {
                Some(Action::Cancel) => {
                    self.reason = None;
                    return false;
                }
                Some(Action::Withdraw) => {
                    let text = r.field.text();
                    if text.trim().is_empty() {
                        ctx.message = Some(Message::error(Text::new(
                            "Schrijf de reden op: waarom is dit een vergissing? Dan Enter.",
                            "Write the reason: why is this a mistake? Then Enter.",
                        )));
                        return false;
                    }
                    let mut done = 0;
                    for &i in &r.flags {
                        if visit.withdraw_flag(i, SecretText::new(text.clone()), ctx.now) {
                            done += 1;
                        }
                    }
                    if !r.from_list {
                        self.queue.pop_front();
                        self.action = None;
                    }
                    self.reason = None;
                    ctx.message = Some(Message::info(Text::new(
                        format!(
                            "Ingetrokken ({done}): staat in het bezoek als vergissing, met uw reden. Klopt het antwoord niet? Pas het aan."
                        ),
                        format!(
                            "Withdrawn ({done}): kept in the visit as a mistake, with your reason. Is the answer wrong? Change it."
                        ),
                    )));
                    return done > 0;
                }
                _ => {
                    r.field.handle(key);
                    return false;
                }
            }
        }
        let Some(group) = self.queue.front().cloned() else {
            return false;
        };
        let field = self.action.get_or_insert_with(|| Field::single(""));
        match action {
            Some(Action::Acknowledge) => {
                let text = field.text();
                if text.trim().is_empty() {
                    ctx.message = Some(Message::error(Text::new(
                        "Schrijf kort op wat u heeft gedaan of gaat doen, en druk dan op Enter. Een vergissing? Alt-w.",
                        "Write briefly what you did or will do, then press Enter. A mistake? Alt-w.",
                    )));
                    return false;
                }
                for &i in &group {
                    visit.acknowledge_flag(i, SecretText::new(text.clone()), ctx.now);
                }
                self.queue.pop_front();
                self.action = None;
                ctx.message = Some(Message::info(Text::new(
                    "Vastgelegd: de vlag, de tijd en wat u deed staan in het bezoek.",
                    "Recorded: the flag, the time and what you did are part of the visit.",
                )));
                true
            }
            Some(Action::Withdraw) => {
                self.reason = Some(Reason {
                    field: Field::single(""),
                    flags: group,
                    from_list: false,
                });
                false
            }
            _ => {
                field.handle(key);
                false
            }
        }
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(r) = &mut self.reason {
            r.field.paste(text);
        } else if !self.queue.is_empty() {
            self.action
                .get_or_insert_with(|| Field::single(""))
                .paste(text);
        }
    }

    pub fn view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>, visit: &Visit) {
        let t = |nl, en| v.lang.pick(nl, en);
        let (flags, from_list) = match (&self.reason, self.queue.front()) {
            (Some(r), _) => (r.flags.as_slice(), r.from_list),
            (None, Some(g)) => (g.as_slice(), false),
            (None, None) => return,
        };
        let flags: Vec<_> = flags.iter().filter_map(|&i| visit.flags.get(i)).collect();
        let Some(first) = flags.first() else {
            return;
        };
        let width = 74u16.min(area.width);
        let inner_w = width.saturating_sub(2);
        let mut body = Vec::new();
        for (n, fl) in flags.iter().enumerate() {
            if n > 0 {
                body.push(Line::from(""));
            }
            let level = fl.level.label().get(v.lang).to_uppercase();
            let style = if fl.level == FlagLevel::Acute {
                v.theme.acute()
            } else {
                v.theme.title()
            };
            body.push(Line::from(vec![
                Span::styled(format!("⚑ {level} "), style),
                Span::styled(fl.message.get(v.lang).to_string(), v.theme.title()),
            ]));
            if fl.person != Person::Visit {
                body.push(Line::styled(
                    format!(
                        "  {}: {}",
                        t("Over", "About"),
                        visit.person_name(fl.person, v.lang)
                    ),
                    v.theme.dim(),
                ));
            }
            body.push(Line::from(vec![
                Span::styled(
                    format!("  {} ", t("Wat nu:", "What to do now:")),
                    v.theme.warn(),
                ),
                Span::raw(fl.advice.get(v.lang).to_string()),
            ]));
        }
        let body_h: u16 = body
            .iter()
            .map(|l| {
                let w: usize = l.spans.iter().map(|s| s.content.chars().count()).sum();
                (w as u16).div_ceil(inner_w.max(1)).max(1)
            })
            .sum();
        let height = (body_h + 2 + 3 + 1 + 1).max(12).min(area.height);
        let boxed = centered(area, width, height);
        f.render_widget(Clear, boxed);
        let count = if self.queue.len() > 1 && !from_list {
            format!(" (1 {} {})", t("van", "of"), self.queue.len())
        } else {
            String::new()
        };
        // Whom the flags are about leads, as everywhere a person's sheet
        // is shown (the flags of one answer share one person).
        let who = if first.person != Person::Visit && flags.iter().all(|f| f.person == first.person)
        {
            format!(" {} ·", visit.person_name(first.person, v.lang))
        } else {
            String::new()
        };
        let title = if flags.len() > 1 {
            format!(
                "{who} {} {} · {}{count} ",
                flags.len(),
                t("RODE VLAGGEN", "RED FLAGS"),
                first.level.label().get(v.lang).to_uppercase()
            )
        } else {
            format!(
                "{who} {} · {}{count} ",
                t("RODE VLAG", "RED FLAG"),
                first.level.label().get(v.lang).to_uppercase()
            )
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(ratatui::widgets::BorderType::Thick)
            .border_style(v.theme.flag_border())
            .title(Span::styled(title, v.theme.acute()));
        let inner = block.inner(boxed);
        f.render_widget(block, boxed);
        let [b, field, hint] = Layout::vertical([
            Constraint::Min(3),
            Constraint::Length(3),
            Constraint::Length(1),
        ])
        .areas(inner);
        f.render_widget(Paragraph::new(body).wrap(Wrap { trim: false }), b);
        if let Some(r) = &self.reason {
            r.field.render(
                f,
                field,
                t(
                    " Vergissing: waarom intrekken? (verplicht) ",
                    " Mistake: why withdraw? (required) ",
                ),
                true,
                v.theme,
            );
            f.render_widget(
                Paragraph::new(Line::styled(
                    t(
                        "Enter: intrekken · Esc: terug",
                        "Enter: withdraw · Esc: back",
                    ),
                    v.theme.dim(),
                )),
                hint,
            );
        } else {
            match &self.action {
                Some(a) => a.render(
                    f,
                    field,
                    t(" Wat heeft u gedaan? ", " What did you do? "),
                    true,
                    v.theme,
                ),
                None => Field::single("").render(
                    f,
                    field,
                    t(" Wat heeft u gedaan? ", " What did you do? "),
                    true,
                    v.theme,
                ),
            }
            let all = if flags.len() > 1 {
                t(" (alle)", " (all)")
            } else {
                ""
            };
            f.render_widget(
                Paragraph::new(Line::styled(
                    format!(
                        "{}{all} · {}",
                        t("Enter: bevestigen", "Enter: acknowledge"),
                        t("Alt-w: vergissing, intrekken", "Alt-w: mistake, withdraw"),
                    ),
                    v.theme.dim(),
                )),
                hint,
            );
        }
    }
}
