//! A new visit: date, place, who was present, the roster (children by first
//! name or alias and age, caregivers by alias and role), and the checklists
//! to use, with sensible defaults.
//!
//! A visit may follow an open case (chosen here, or started from the case
//! view): the form then starts from the case card — the label, and the
//! household with the same ids and the children's ages advanced to the
//! visit's date — for the worker to correct. At the start the case is
//! looked up once more: a case closed meanwhile is said so, and the visit
//! starts as a first visit with the household copied.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use time::{Date, PrimitiveDateTime};

use crate::case::CaseCard;
use crate::checklist::{AppliesTo, Catalog};
use crate::i18n::{Lang, Text};
use crate::tui::app::{AppCtx, Message, Transition};
use crate::tui::event::{CaseEntry, Effect, Key};
use crate::tui::keys::{Action, Ctx};
use crate::tui::screens::centered;
use crate::tui::screens::visit::VisitScreen;
use crate::tui::view::ViewCtx;
use crate::tui::widgets::{Field, clip};
use crate::visit::record::{format_date, parse_date};
use crate::visit::{Caregiver, Child, SheetStatus, Visit};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    /// A first visit, or the follow-up of an open case.
    Kind,
    Label,
    Date,
    Place,
    Present,
    AddChild,
    Child(usize),
    AddCaregiver,
    Caregiver(usize),
    Checklist(usize),
    Start,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waiting {
    Fill,
    Start,
}

struct Adding {
    caregiver: bool,
    name: Field,
    second: Field,
    on_second: bool,
}

pub struct NewVisitScreen {
    label: Field,
    date: Field,
    place: Field,
    present: Field,
    /// Children and caregivers; the id is kept for people carried over
    /// from a case card (`None`: added here).
    children: Vec<(Option<u32>, String, u8)>,
    caregivers: Vec<(Option<u32>, String, String)>,
    /// The open cases a visit may follow: id, label.
    cases: Vec<(String, String)>,
    /// The case this visit follows.
    follows: Option<Box<CaseCard>>,
    /// The case picker (a pop-up over the form), with its selection:
    /// 0 is "a first visit", then the cases.
    picking: Option<usize>,
    /// A case card was asked for: to fill the form from it (`Fill`), or to
    /// check that the case is still open before the visit starts (`Start`).
    waiting: Option<Waiting>,
    /// Checklist id, title, applies to, chosen.
    checklists: Vec<(String, Text, AppliesTo, bool)>,
    /// The per-child checklists, to say which a child is outside the age
    /// groups of.
    per_child: Vec<std::sync::Arc<crate::checklist::Checklist>>,
    focus: usize,
    adding: Option<Adding>,
    /// The date the form started with (a changed date counts as filled in).
    first_date: String,
    /// Leaving a filled form asks first: `Some(true)` when the focus is on
    /// "Weggooien", `Some(false)` on "Terug naar het formulier" (the default).
    leaving: Option<bool>,
}

impl NewVisitScreen {
    pub fn new(now: PrimitiveDateTime, catalog: &Catalog, cases: &[CaseEntry]) -> NewVisitScreen {
        let first_date = format_date(now.date());
        let mut s = NewVisitScreen {
            label: Field::single(""),
            date: Field::single(&first_date),
            place: Field::single(""),
            present: Field::single(""),
            children: Vec::new(),
            caregivers: Vec::new(),
            cases: cases
                .iter()
                .map(|c| (c.case_id.clone(), c.label.clone()))
                .collect(),
            follows: None,
            picking: None,
            waiting: None,
            checklists: catalog
                .all()
                .iter()
                .map(|c| (c.id.clone(), c.title.clone(), c.applies_to, true))
                .collect(),
            per_child: catalog
                .all()
                .iter()
                .filter(|c| c.applies_to == AppliesTo::Child && !c.age_bands.is_empty())
                .cloned()
                .collect(),
            focus: 0,
            adding: None,
            first_date,
            leaving: None,
        };
        // The label is where the worker starts typing, also when the kind
        // of visit can be chosen above it.
        s.focus = usize::from(s.has_kind());
        s.focus_fields();
        s
    }

    /// Fill the form from a case card: a follow-up visit of that case, on
    /// `date` (the children's ages advanced to it).
    pub fn follow(&mut self, card: CaseCard, date: Date) {
        let roster = card.roster_on(date);
        self.label = Field::single(&card.label);
        self.children = roster
            .children
            .into_iter()
            .map(|c| (Some(c.id), c.alias, c.age))
            .collect();
        self.caregivers = roster
            .caregivers
            .into_iter()
            .map(|c| (Some(c.id), c.alias, c.role))
            .collect();
        if !self.cases.iter().any(|(id, _)| *id == card.case_id) {
            self.cases.push((card.case_id.clone(), card.label.clone()));
        }
        self.follows = Some(Box::new(card));
        // On to the household, to check it.
        self.focus_row(Row::AddChild);
    }

    fn focus_row(&mut self, row: Row) {
        self.focus = self.rows().iter().position(|r| *r == row).unwrap_or(0);
        self.focus_fields();
    }

    /// The case this visit follows, if any (tests and the view).
    pub fn follows(&self) -> Option<&CaseCard> {
        self.follows.as_deref()
    }

    fn has_kind(&self) -> bool {
        !self.cases.is_empty() || self.follows.is_some()
    }

    /// The reply to `Effect::LoadCase` from this form.
    pub fn case_loaded(
        &mut self,
        result: Result<Option<Box<CaseCard>>, Text>,
        ctx: &mut AppCtx<'_>,
    ) -> Transition {
        let Some(waiting) = self.waiting.take() else {
            return Transition::Stay;
        };
        let card = match result {
            Ok(card) => card,
            Err(t) => {
                ctx.message = Some(Message::error(t));
                return Transition::Stay;
            }
        };
        match (waiting, card) {
            (Waiting::Fill, Some(card)) => {
                let date = parse_date(self.date.text().trim()).unwrap_or(ctx.now.date());
                self.follow(*card, date);
                Transition::Stay
            }
            (Waiting::Fill, None) => {
                ctx.message = Some(Message::error(Text::new(
                    "Deze casus is intussen gesloten. Kies een andere, of begin een eerste bezoek.",
                    "This case was closed meanwhile. Choose another, or start a first visit.",
                )));
                Transition::Stay
            }
            (Waiting::Start, Some(card)) => {
                self.follows = Some(card);
                self.begin(ctx)
            }
            (Waiting::Start, None) => {
                let label = self
                    .follows
                    .take()
                    .map(|c| c.label.clone())
                    .unwrap_or_default();
                let t = self.begin(ctx);
                ctx.message = Some(Message::error(Text::new(
                    format!(
                        "De casus {label} is intussen gesloten. Dit is daarom een eerste bezoek; het gezin is overgenomen."
                    ),
                    format!(
                        "The case {label} was closed meanwhile, so this is a first visit; the household was copied."
                    ),
                )));
                t
            }
        }
    }

    fn rows(&self) -> Vec<Row> {
        let mut r = Vec::new();
        if self.has_kind() {
            r.push(Row::Kind);
        }
        r.extend([
            Row::Label,
            Row::Date,
            Row::Place,
            Row::Present,
            Row::AddChild,
        ]);
        r.extend((0..self.children.len()).map(Row::Child));
        r.push(Row::AddCaregiver);
        r.extend((0..self.caregivers.len()).map(Row::Caregiver));
        r.extend((0..self.checklists.len()).map(Row::Checklist));
        r.push(Row::Start);
        r
    }

    fn row(&self) -> Row {
        let rows = self.rows();
        rows[self.focus.min(rows.len() - 1)]
    }

    fn field_mut(&mut self, row: Row) -> Option<&mut Field> {
        match row {
            Row::Label => Some(&mut self.label),
            Row::Date => Some(&mut self.date),
            Row::Place => Some(&mut self.place),
            Row::Present => Some(&mut self.present),
            _ => None,
        }
    }

    fn focus_fields(&mut self) {
        let row = self.row();
        for r in [Row::Label, Row::Date, Row::Place, Row::Present] {
            if let Some(f) = self.field_mut(r) {
                f.set_focus(r == row);
            }
        }
    }

    /// Whether the worker has filled in anything that leaving would lose.
    fn filled(&self) -> bool {
        [&self.label, &self.place, &self.present]
            .iter()
            .any(|f| !f.text().trim().is_empty())
            || self.date.text().trim() != self.first_date
            || !self.children.is_empty()
            || !self.caregivers.is_empty()
            || self.checklists.iter().any(|c| !c.3)
            || self.follows.is_some()
    }

    pub fn ctx(&self) -> Ctx {
        if self.adding.is_some() || self.leaving.is_some() {
            Ctx::Prompt
        } else if self.picking.is_some() {
            Ctx::Popup
        } else {
            Ctx::NewVisit
        }
    }

    fn move_focus(&mut self, delta: isize) {
        let n = self.rows().len() as isize;
        self.focus = (self.focus as isize + delta).clamp(0, n - 1) as usize;
        self.focus_fields();
    }

    pub fn key(&mut self, key: Key, action: Option<Action>, ctx: &mut AppCtx<'_>) -> Transition {
        if self.adding.is_some() {
            self.adding_key(key, action, ctx);
            return Transition::Stay;
        }
        if let Some(sel) = self.picking {
            match action {
                Some(Action::Up) => self.picking = Some(sel.saturating_sub(1)),
                Some(Action::Down) => self.picking = Some((sel + 1).min(self.cases.len())),
                Some(Action::First) => self.picking = Some(0),
                Some(Action::Last) => self.picking = Some(self.cases.len()),
                Some(Action::Cancel) => self.picking = None,
                Some(Action::Select) => {
                    self.picking = None;
                    match sel.checked_sub(1).and_then(|i| self.cases.get(i)) {
                        // A first visit: what is filled in stays, without the case.
                        None => self.follows = None,
                        Some((id, _)) => {
                            self.waiting = Some(Waiting::Fill);
                            ctx.effects.push(Effect::LoadCase(id.clone()));
                        }
                    }
                }
                _ => {}
            }
            return Transition::Stay;
        }
        if let Some(on_discard) = self.leaving {
            // Only Enter on "Weggooien" throws the form away; letters and
            // digits do nothing here.
            match action {
                Some(Action::Cancel) => self.leaving = None,
                Some(Action::Next) => self.leaving = Some(!on_discard),
                Some(Action::Select) if on_discard => return Transition::Home,
                Some(Action::Select) => self.leaving = None,
                _ => {}
            }
            return Transition::Stay;
        }
        let row = self.row();
        match action {
            Some(Action::Cancel) | Some(Action::Home) => {
                if !self.filled() {
                    return Transition::Home;
                }
                self.leaving = Some(false);
            }
            Some(Action::Down) | Some(Action::Next) => self.move_focus(1),
            Some(Action::Up) | Some(Action::Prev) => self.move_focus(-1),
            Some(Action::AddChild) => self.open_adding(false),
            Some(Action::AddCaregiver) => self.open_adding(true),
            Some(Action::Remove) => self.remove(row),
            Some(Action::Select) => match row {
                Row::Kind => {
                    let at = self
                        .follows
                        .as_ref()
                        .and_then(|c| self.cases.iter().position(|(id, _)| *id == c.case_id));
                    self.picking = Some(at.map_or(0, |i| i + 1));
                }
                Row::Label | Row::Date | Row::Place | Row::Present => self.move_focus(1),
                Row::AddChild => self.open_adding(false),
                Row::AddCaregiver => self.open_adding(true),
                Row::Checklist(i) => self.checklists[i].3 = !self.checklists[i].3,
                Row::Start => return self.start(ctx),
                Row::Child(_) | Row::Caregiver(_) => {}
            },
            _ => {
                if key == Key::Delete && matches!(row, Row::Child(_) | Row::Caregiver(_)) {
                    self.remove(row);
                } else if let Some(f) = self.field_mut(row) {
                    f.handle(key);
                }
            }
        }
        Transition::Stay
    }

    pub fn paste(&mut self, text: &str, _ctx: &mut AppCtx<'_>) -> Transition {
        if self.leaving.is_some() {
            return Transition::Stay;
        }
        if let Some(a) = &mut self.adding {
            if a.on_second {
                a.second.paste(text)
            } else {
                a.name.paste(text)
            };
        } else {
            let row = self.row();
            if let Some(f) = self.field_mut(row) {
                f.paste(text);
            }
        }
        Transition::Stay
    }

    fn remove(&mut self, row: Row) {
        match row {
            Row::Child(i) => {
                self.children.remove(i);
            }
            Row::Caregiver(i) => {
                self.caregivers.remove(i);
            }
            _ => return,
        }
        self.move_focus(0);
    }

    fn open_adding(&mut self, caregiver: bool) {
        self.adding = Some(Adding {
            caregiver,
            name: Field::single(""),
            second: Field::single(""),
            on_second: false,
        });
        if let Some(a) = &mut self.adding {
            a.second.set_focus(false);
        }
    }

    fn adding_key(&mut self, key: Key, action: Option<Action>, ctx: &mut AppCtx<'_>) {
        let Some(a) = &mut self.adding else { return };
        match action {
            Some(Action::Cancel) => self.adding = None,
            Some(Action::Next) => {
                a.on_second = !a.on_second;
                a.name.set_focus(!a.on_second);
                a.second.set_focus(a.on_second);
            }
            Some(Action::Select) => {
                if !a.on_second {
                    a.on_second = true;
                    a.name.set_focus(false);
                    a.second.set_focus(true);
                    return;
                }
                let name = a.name.text().trim().to_string();
                let second = a.second.text().trim().to_string();
                if name.is_empty() {
                    ctx.message = Some(Message::error(Text::new(
                        "Vul een voornaam of alias in.",
                        "Fill in a first name or alias.",
                    )));
                    return;
                }
                if a.caregiver {
                    if second.is_empty() {
                        ctx.message = Some(Message::error(Text::new(
                            "Vul een rol in, bijvoorbeeld moeder, vader of pleegouder.",
                            "Fill in a role, for example mother, father or foster parent.",
                        )));
                        return;
                    }
                    self.caregivers.push((None, name, second));
                } else {
                    match second.parse::<u8>() {
                        Ok(age) if age <= 17 => self.children.push((None, name, age)),
                        _ => {
                            ctx.message = Some(Message::error(Text::new(
                                "Vul een leeftijd in van 0 tot en met 17.",
                                "Fill in an age from 0 to 17.",
                            )));
                            return;
                        }
                    }
                }
                self.adding = None;
            }
            _ => {
                if a.on_second {
                    a.second.handle(key);
                } else {
                    a.name.handle(key);
                }
            }
        }
    }

    fn start(&mut self, ctx: &mut AppCtx<'_>) -> Transition {
        let fail = |ctx: &mut AppCtx<'_>, nl: &str, en: &str| {
            ctx.message = Some(Message::error(Text::new(nl, en)));
            Transition::Stay
        };
        let label = self.label.text().trim().to_string();
        if label.is_empty() {
            self.focus_row(Row::Label);
            return fail(
                ctx,
                "Geef het bezoek een korte naam voor de lijst (geen volledige namen), bijvoorbeeld Appelboom.",
                "Give the visit a short name for the list (no full names), for example Appelboom.",
            );
        }
        if parse_date(self.date.text().trim()).is_none() {
            self.focus_row(Row::Date);
            return fail(
                ctx,
                "Schrijf de datum als JJJJ-MM-DD.",
                "Write the date as YYYY-MM-DD.",
            );
        }
        if let Some(card) = &self.follows {
            // Is the case still open? The reply starts the visit.
            self.waiting = Some(Waiting::Start);
            ctx.effects.push(Effect::LoadCase(card.case_id.clone()));
            return Transition::Stay;
        }
        self.begin(ctx)
    }

    /// Make the visit from the form (checked by `start`): a follow-up of
    /// `self.follows`, or a first visit.
    fn begin(&mut self, ctx: &mut AppCtx<'_>) -> Transition {
        let fail = |ctx: &mut AppCtx<'_>, nl: &str, en: &str| {
            ctx.message = Some(Message::error(Text::new(nl, en)));
            Transition::Stay
        };
        let label = self.label.text().trim().to_string();
        let Some(date) = parse_date(self.date.text().trim()) else {
            return Transition::Stay;
        };
        let mut visit = Visit::new(ctx.ids.visit_id(), label, date, ctx.now);
        visit.place = self.place.text().trim().to_string();
        visit.present = self.present.text().trim().to_string();
        // People carried over keep their ids (the previous visit's answers
        // and flags name them); people added here get new ones.
        let carried = self.follows.as_ref().map(|c| c.roster_on(date));
        let mut id = self
            .children
            .iter()
            .filter_map(|c| c.0)
            .chain(self.caregivers.iter().filter_map(|c| c.0))
            .max()
            .unwrap_or(0);
        for (known, alias, age) in &self.children {
            let (cid, age) = match known {
                Some(k) => {
                    // The age on the visit's date (the form showed it on
                    // the date it was filled from).
                    let age = carried
                        .as_ref()
                        .and_then(|r| r.children.iter().find(|c| c.id == *k))
                        .map_or(*age, |c| c.age);
                    (*k, age)
                }
                None => {
                    id += 1;
                    (id, *age)
                }
            };
            visit.roster.children.push(Child {
                id: cid,
                alias: alias.clone(),
                age,
            });
        }
        for (known, alias, role) in &self.caregivers {
            let cid = known.unwrap_or_else(|| {
                id += 1;
                id
            });
            visit.roster.caregivers.push(Caregiver {
                id: cid,
                alias: alias.clone(),
                role: role.clone(),
            });
        }
        for (cid, _, _, on) in &self.checklists {
            if *on && let Some(c) = ctx.catalog.get(cid) {
                visit.use_checklist(c);
            }
        }
        // A child outside every age band gets a sheet that says so, but a
        // visit needs at least one list to fill in.
        if visit
            .sheets
            .iter()
            .all(|s| s.status == SheetStatus::OutsideBands)
        {
            return fail(
                ctx,
                "Kies minstens één checklist die past bij dit gezin (lijsten per kind hebben kinderen in de juiste leeftijd nodig).",
                "Choose at least one checklist that fits this family (per-child lists need children of the right age).",
            );
        }
        if let Some(card) = &self.follows {
            visit.start_follow_up(card.follow_up(), card.case_id.clone());
        }
        let mut screen = VisitScreen::new(visit, ctx.now);
        ctx.effects.push(screen.save_effect());
        Transition::Visit(Box::new(screen))
    }

    pub fn view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        let t = |nl, en| v.lang.pick(nl, en);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.dim())
            .title(Span::styled(
                format!(" {} ", t("Nieuw bezoek", "New visit")),
                v.theme.title(),
            ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let rows = self.rows();
        let current = self.row();
        let height = inner.height as usize;
        // Keep the focused row in view.
        let first = self.focus.saturating_sub(height.saturating_sub(2));
        let label_w = 22u16;
        for (n, row) in rows.iter().enumerate().skip(first).take(height) {
            let y = inner.y + (n - first) as u16;
            let line_area = Rect::new(inner.x, y, inner.width, 1);
            let focused = *row == current;
            let marker = if focused { "▶ " } else { "  " };
            let field_row = |f: &mut Frame, label: &str, field: &Field| {
                let [l, r] = Layout::horizontal([Constraint::Length(label_w), Constraint::Min(1)])
                    .areas(line_area);
                f.render_widget(Paragraph::new(format!("{marker}{label}")), l);
                if focused {
                    f.render_widget(
                        ratatui::widgets::Block::default().style(v.theme.selected()),
                        r,
                    );
                }
                field.render_inline(f, r, focused);
            };
            let style = if focused {
                v.theme.selected()
            } else {
                v.theme.normal()
            };
            let w = label_w as usize - 2;
            // Form rows: a label column, then a field or a line of text.
            let (label, rest, style) = match *row {
                Row::Kind => (
                    t("Soort bezoek", "Kind of visit"),
                    match &self.follows {
                        Some(c) => match v.lang {
                            Lang::Nl => format!(
                                "Vervolgbezoek van {} (vorige: {})",
                                c.label, c.last_visit_date
                            ),
                            Lang::En => {
                                format!("Follow-up of {} (last: {})", c.label, c.last_visit_date)
                            }
                        },
                        None => t(
                            "Eerste bezoek · Enter: vervolgbezoek van een casus",
                            "First visit · Enter: follow-up of a case",
                        )
                        .to_string(),
                    },
                    style,
                ),
                Row::Label => {
                    field_row(f, t("Naam voor de lijst", "Name for the list"), &self.label);
                    continue;
                }
                Row::Date => {
                    field_row(f, t("Datum", "Date"), &self.date);
                    continue;
                }
                Row::Place => {
                    field_row(f, t("Plaats", "Place"), &self.place);
                    continue;
                }
                Row::Present => {
                    field_row(f, t("Aanwezig", "Present"), &self.present);
                    continue;
                }
                Row::AddChild => (
                    t("Kinderen", "Children"),
                    format!("+ {} (Alt-k)", t("kind toevoegen", "add child")),
                    style,
                ),
                Row::Child(i) => {
                    let (_, alias, age) = &self.children[i];
                    let mut text = format!("{alias}, {age} {}", t("jaar", "years"));
                    // Never a silent absence: the lists this child is
                    // outside the age groups of are named at once.
                    let outside = self.outside_lists(*age, v.lang);
                    let style = if outside.is_empty() || focused {
                        style
                    } else {
                        v.theme.warn()
                    };
                    if !outside.is_empty() {
                        text.push_str(&format!(
                            " — {} {}",
                            t("valt buiten", "outside the age groups of"),
                            outside.join(", ")
                        ));
                    }
                    ("", text, style)
                }
                Row::AddCaregiver => (
                    t("Ouders/verzorgers", "Parents/caregivers"),
                    format!("+ {} (Alt-o)", t("ouder toevoegen", "add caregiver")),
                    style,
                ),
                Row::Caregiver(i) => {
                    let (_, alias, role) = &self.caregivers[i];
                    ("", format!("{alias} ({role})"), style)
                }
                Row::Checklist(i) => {
                    let (_, title, applies, on) = &self.checklists[i];
                    let who = crate::checklist::outline::applies_label(*applies, v.lang);
                    let head = if i == 0 {
                        t("Checklists", "Checklists")
                    } else {
                        ""
                    };
                    (
                        head,
                        format!(
                            "[{}] {} ({who})",
                            if *on { "x" } else { " " },
                            title.get(v.lang)
                        ),
                        style,
                    )
                }
                Row::Start => (
                    "",
                    format!("[ {} ]", t("Bezoek starten", "Start visit")),
                    if focused { style } else { v.theme.title() },
                ),
            };
            let text = clip(
                &format!("{marker}{label:<w$}{rest}"),
                line_area.width as usize,
            );
            f.render_widget(Paragraph::new(text).style(style), line_area);
            if focused {
                // The real cursor on the focused row, at its marker.
                f.set_cursor_position((line_area.x, line_area.y));
            }
        }
        if let Some(a) = &self.adding {
            let title = if a.caregiver {
                t("Ouder of verzorger", "Parent or caregiver")
            } else {
                t("Kind", "Child")
            };
            let help = Line::styled(
                t(
                    "Enter: verder/toevoegen · Esc: annuleren",
                    "Enter: next/add · Esc: cancel",
                ),
                v.theme.dim(),
            );
            let form = PersonForm {
                title,
                name: &a.name,
                second: &a.second,
                on_second: a.on_second,
                child: !a.caregiver,
            };
            form.render(f, centered(area, 56, 10), v, help);
        }
        if let Some(sel) = self.picking {
            self.picker_view(f, area, v, sel);
        }
        if let Some(on_discard) = self.leaving {
            self.leaving_view(f, area, v, on_discard);
        }
    }

    fn picker_view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>, sel: usize) {
        let t = |nl, en| v.lang.pick(nl, en);
        let n = self.cases.len() + 1;
        let boxed = centered(area, 56, (n as u16 + 4).min(area.height));
        f.render_widget(Clear, boxed);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.title())
            .title(format!(" {} ", t("Soort bezoek", "Kind of visit")));
        let inner = block.inner(boxed);
        f.render_widget(block, boxed);
        let rows = usize::from(inner.height.saturating_sub(2)).max(1);
        let first = sel.saturating_sub(rows - 1);
        let mut lines = Vec::new();
        for i in (0..n).skip(first).take(rows) {
            let text = match i.checked_sub(1).and_then(|c| self.cases.get(c)) {
                None => t("Eerste bezoek (nieuw gezin)", "First visit (new family)").to_string(),
                Some((_, label)) => format!("{} {label}", t("Vervolgbezoek van", "Follow-up of")),
            };
            let on = i == sel;
            let line = Line::raw(clip(
                &format!("{}{text}", if on { " ▶ " } else { "   " }),
                usize::from(inner.width),
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
                "↑↓: kiezen · Enter: nemen · Esc: terug",
                "↑↓: choose · Enter: take · Esc: back",
            ),
            v.theme.dim(),
        ));
        f.render_widget(Paragraph::new(lines), inner);
        if inner.height > 0 {
            f.set_cursor_position((inner.x + 1, inner.y + (sel - first) as u16));
        }
    }

    /// The chosen per-child lists a child of `age` is outside every age
    /// band of, with their age range ("Traumascreening kind (3–17)").
    fn outside_lists(&self, age: u8, lang: Lang) -> Vec<String> {
        self.per_child
            .iter()
            .filter(|c| {
                self.checklists
                    .iter()
                    .any(|(id, _, _, on)| *on && *id == c.id)
                    && crate::visit::roster::outside_bands(c, age)
            })
            .map(|c| {
                let lo = c.age_bands.iter().map(|b| b.min).min().unwrap_or(0);
                let hi = c.age_bands.iter().map(|b| b.max).max().unwrap_or(0);
                format!("{} ({lo}–{hi})", c.title.get(lang))
            })
            .collect()
    }

    fn leaving_view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>, on_discard: bool) {
        let t = |nl, en| v.lang.pick(nl, en);
        let label = self.label.text().trim().to_string();
        let mut what: Vec<String> = Vec::new();
        if !label.is_empty() {
            what.push(label);
        }
        let (nc, ng) = (self.children.len(), self.caregivers.len());
        if nc > 0 {
            what.push(match (v.lang, nc) {
                (Lang::Nl, 1) => "1 kind".to_string(),
                (Lang::Nl, n) => format!("{n} kinderen"),
                (Lang::En, 1) => "1 child".to_string(),
                (Lang::En, n) => format!("{n} children"),
            });
        }
        if ng > 0 {
            what.push(match (v.lang, ng) {
                (Lang::Nl, 1) => "1 ouder/verzorger".to_string(),
                (Lang::Nl, n) => format!("{n} ouders/verzorgers"),
                (Lang::En, 1) => "1 caregiver".to_string(),
                (Lang::En, n) => format!("{n} caregivers"),
            });
        }
        let lost = if what.is_empty() {
            t(
                "Wat u heeft ingevuld gaat verloren.",
                "What you filled in is lost.",
            )
            .to_string()
        } else {
            match v.lang {
                Lang::Nl => format!("Wat u heeft ingevuld gaat verloren: {}.", what.join(", ")),
                Lang::En => format!("What you filled in is lost: {}.", what.join(", ")),
            }
        };
        let button = |text: &str, on: bool, style| {
            Span::styled(
                format!("{}[ {text} ]", if on { "▶ " } else { "  " }),
                if on { v.theme.selected() } else { style },
            )
        };
        let lines = vec![
            Line::styled(
                t("Dit formulier weggooien?", "Throw this form away?"),
                v.theme.title(),
            ),
            Line::raw(""),
            Line::from(lost),
            Line::raw(""),
            Line::from(vec![
                button(
                    t("Terug naar het formulier", "Back to the form"),
                    !on_discard,
                    v.theme.normal(),
                ),
                Span::raw("  "),
                button(t("Weggooien", "Throw away"), on_discard, v.theme.error()),
            ]),
            Line::raw(""),
            Line::styled(
                t(
                    "Tab: andere knop · Enter: kiezen · Esc: terug naar het formulier",
                    "Tab: other button · Enter: choose · Esc: back to the form",
                ),
                v.theme.dim(),
            ),
        ];
        // Two rows more where the text wraps in a narrow window.
        let boxed = centered(area, 68, if area.width >= 70 { 10 } else { 12 });
        f.render_widget(Clear, boxed);
        f.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: true }).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(v.theme.error()),
            ),
            boxed,
        );
        // The cursor on the chosen button. Its row depends on how the text
        // above wrapped, so find it in what was drawn.
        let x = if on_discard {
            t(
                "  [ Terug naar het formulier ]  ",
                "  [ Back to the form ]  ",
            )
            .chars()
            .count() as u16
        } else {
            0
        };
        let buf = f.buffer_mut();
        let row = (boxed.y..boxed.bottom())
            .find(|&y| (boxed.x..boxed.right()).any(|x| buf[(x, y)].symbol() == "["));
        if let Some(y) = row {
            f.set_cursor_position((boxed.x + 1 + x.min(boxed.width.saturating_sub(3)), y));
        }
    }
}

/// The two-field form for a person: a name, and an age (a child) or a role
/// (a caregiver). Drawn by the new-visit screen and the household screen.
pub struct PersonForm<'a> {
    pub title: &'a str,
    pub name: &'a Field,
    pub second: &'a Field,
    /// The focus is on the age or role field.
    pub on_second: bool,
    pub child: bool,
}

impl PersonForm<'_> {
    /// Draw the form in `boxed`, with `help` (a hint or an error) under it.
    pub fn render(&self, f: &mut Frame, boxed: Rect, v: &ViewCtx<'_>, help: Line<'_>) {
        let t = |nl, en| v.lang.pick(nl, en);
        f.render_widget(Clear, boxed);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.title())
            .title(format!(" {} ", self.title));
        let inner = block.inner(boxed);
        f.render_widget(block, boxed);
        let [n, s, h] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Min(1),
        ])
        .areas(inner);
        self.name.render(
            f,
            n,
            t(" Voornaam of alias ", " First name or alias "),
            !self.on_second,
            v.theme,
        );
        let second = if self.child {
            t(" Leeftijd (0–17) ", " Age (0–17) ")
        } else {
            t(" Rol (moeder, vader, …) ", " Role (mother, father, …) ")
        };
        self.second.render(f, s, second, self.on_second, v.theme);
        f.render_widget(Paragraph::new(help).wrap(Wrap { trim: true }), h);
    }
}
