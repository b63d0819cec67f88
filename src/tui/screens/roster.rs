//! The household during a visit (Alt-g on the visit screen, "Gezin"):
//! add a child or a caregiver who turns up, correct an alias, an age or a
//! role, take a person off the roster (with a reason, confirmed by typing
//! the first letters of their name), or put them back. The pure work is in
//! `visit::roster`; this panel asks and shows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::i18n::{Lang, Text};
use crate::tui::event::Key;
use crate::tui::keys::{Action, Ctx};
use crate::tui::screens::centered;
use crate::tui::screens::confirm::{Confirm, TypedConfirm};
use crate::tui::screens::new_visit::PersonForm;
use crate::tui::view::ViewCtx;
use crate::tui::widgets::{Field, clip};
use crate::visit::roster::{RosterChange, RosterError};
use crate::visit::{Person, SheetStatus, Visit};

/// A line of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Child(u32),
    AddChild,
    Caregiver(u32),
    AddCaregiver,
}

/// Whom the small form adds or corrects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    NewChild,
    NewCaregiver,
    Person(Person),
}

struct Form {
    target: Target,
    name: Field,
    /// Age for a child, role for a caregiver.
    second: Field,
    on_second: bool,
}

struct Removing {
    person: Person,
    reason: Field,
    /// After the reason: type the first letters of the name.
    confirm: Option<TypedConfirm>,
}

/// What the panel asks the visit screen to do.
pub enum RosterOutcome {
    Stay,
    Close,
    /// The roster changed: derive again, save, and say this.
    Changed(Text),
}

#[derive(Default)]
pub struct RosterPanel {
    sel: usize,
    form: Option<Form>,
    removing: Option<Removing>,
    error: Option<Text>,
}

fn rows(visit: &Visit) -> Vec<Row> {
    let mut r: Vec<Row> = visit
        .roster
        .children
        .iter()
        .map(|c| Row::Child(c.id))
        .collect();
    r.push(Row::AddChild);
    r.extend(visit.roster.caregivers.iter().map(|c| Row::Caregiver(c.id)));
    r.push(Row::AddCaregiver);
    r
}

fn plural(lang: Lang, n: usize, one: (&str, &str), many: (&str, &str)) -> String {
    let (nl, en) = if n == 1 { one } else { many };
    if n == 0 {
        format!("{} {}", lang.pick("geen", "no"), lang.pick(nl, en))
    } else {
        format!("{n} {}", lang.pick(nl, en))
    }
}

/// What a change did, in words (both languages).
fn change_text(who: &str, change: &RosterChange, what: (&str, &str)) -> Text {
    let mut nl = format!("{who}: {}.", what.0);
    let mut en = format!("{who}: {}.", what.1);
    if change.sheets_added > 0 {
        nl.push_str(&format!(
            " {} erbij.",
            plural(
                Lang::Nl,
                change.sheets_added,
                ("lijst", ""),
                ("lijsten", "")
            )
        ));
        en.push_str(&format!(
            " {} added.",
            plural(Lang::En, change.sheets_added, ("", "list"), ("", "lists"))
        ));
    }
    if change.band_changed > 0 {
        nl.push_str(" Nu in een andere leeftijdsgroep: antwoorden op vragen die daar niet bij horen zijn apart gezet (niet weg).");
        en.push_str(" Now in another age group: answers to questions it does not have are kept aside (not lost).");
    }
    if change.now_outside > 0 {
        nl.push_str(
            " Valt nu buiten de leeftijdsgroepen: niets te beantwoorden, antwoorden bewaard.",
        );
        en.push_str(" Now outside the age groups: nothing to answer, answers kept.");
    }
    if change.back_inside > 0 {
        nl.push_str(" Weer binnen de leeftijdsgroepen: de lijst is weer af te nemen.");
        en.push_str(" Back inside the age groups: the list can be taken again.");
    }
    Text::new(nl, en)
}

impl RosterPanel {
    /// The key context: the list, or a form where letters type.
    pub fn ctx(&self) -> Ctx {
        if self.form.is_some() || self.removing.is_some() {
            Ctx::Prompt
        } else {
            Ctx::Roster
        }
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(f) = &mut self.form {
            if f.on_second {
                f.second.paste(text);
            } else {
                f.name.paste(text);
            }
        } else if let Some(r) = &mut self.removing
            && r.confirm.is_none()
        {
            // A paste never confirms a removal; it may fill the reason.
            r.reason.paste(text);
        }
    }

    fn open_form(&mut self, target: Target, visit: &Visit) {
        let (name, second) = match target {
            Target::Person(Person::Child(id)) => visit
                .roster
                .child(id)
                .map_or((String::new(), String::new()), |c| {
                    (c.alias.clone(), c.age.to_string())
                }),
            Target::Person(Person::Caregiver(id)) => visit
                .roster
                .caregiver(id)
                .map_or((String::new(), String::new()), |c| {
                    (c.alias.clone(), c.role.clone())
                }),
            _ => (String::new(), String::new()),
        };
        let mut f = Form {
            target,
            name: Field::single(&name),
            second: Field::single(&second),
            on_second: false,
        };
        f.second.set_focus(false);
        self.form = Some(f);
        self.error = None;
    }

    pub fn key(
        &mut self,
        key: Key,
        action: Option<Action>,
        visit: &mut Visit,
        now: time::PrimitiveDateTime,
    ) -> RosterOutcome {
        if self.form.is_some() {
            return self.form_key(key, action, visit, now);
        }
        if self.removing.is_some() {
            return self.removing_key(key, action, visit, now);
        }
        let list = rows(visit);
        self.sel = self.sel.min(list.len() - 1);
        let row = list[self.sel];
        self.error = None;
        match action {
            Some(Action::Cancel) | Some(Action::Roster) => return RosterOutcome::Close,
            Some(Action::Up) => self.sel = self.sel.saturating_sub(1),
            Some(Action::Down) => self.sel = (self.sel + 1).min(list.len() - 1),
            Some(Action::AddChild) => self.open_form(Target::NewChild, visit),
            Some(Action::AddCaregiver) => self.open_form(Target::NewCaregiver, visit),
            Some(Action::Select) => match row {
                Row::AddChild => self.open_form(Target::NewChild, visit),
                Row::AddCaregiver => self.open_form(Target::NewCaregiver, visit),
                Row::Child(id) => self.open_form(Target::Person(Person::Child(id)), visit),
                Row::Caregiver(id) => self.open_form(Target::Person(Person::Caregiver(id)), visit),
            },
            Some(Action::Remove) => {
                let person = match row {
                    Row::Child(id) => Person::Child(id),
                    Row::Caregiver(id) => Person::Caregiver(id),
                    _ => return RosterOutcome::Stay,
                };
                if visit.is_removed(person) {
                    // Undo: back on the roster, with everything as it was.
                    return match visit.restore_person(person, now) {
                        Ok(()) => RosterOutcome::Changed(Text::new(
                            format!(
                                "{} staat weer in het overzicht, met alle lijsten en antwoorden.",
                                visit.roster.name(person)
                            ),
                            format!(
                                "{} is back on the roster, with every list and answer.",
                                visit.roster.name(person)
                            ),
                        )),
                        Err(e) => {
                            self.error = Some(e.text());
                            RosterOutcome::Stay
                        }
                    };
                }
                self.removing = Some(Removing {
                    person,
                    reason: Field::single(""),
                    confirm: None,
                });
            }
            _ => {}
        }
        RosterOutcome::Stay
    }

    fn form_key(
        &mut self,
        key: Key,
        action: Option<Action>,
        visit: &mut Visit,
        now: time::PrimitiveDateTime,
    ) -> RosterOutcome {
        let Some(f) = &mut self.form else {
            return RosterOutcome::Stay;
        };
        match action {
            Some(Action::Cancel) => {
                self.form = None;
                self.error = None;
            }
            Some(Action::Next) => {
                f.on_second = !f.on_second;
                f.name.set_focus(!f.on_second);
                f.second.set_focus(f.on_second);
            }
            Some(Action::Select) if !f.on_second => {
                f.on_second = true;
                f.name.set_focus(false);
                f.second.set_focus(true);
            }
            Some(Action::Select) => {
                let name = f.name.text();
                let second = f.second.text();
                let age = || {
                    second
                        .trim()
                        .parse::<u8>()
                        .map_err(|_| RosterError::AgeOutOfRange)
                };
                let in_use = visit.checklists_in_use();
                let done: Result<Text, RosterError> =
                    match f.target {
                        Target::NewChild => age()
                            .and_then(|a| visit.add_child(&name, a, &in_use, now))
                            .map(|(p, ch)| {
                                change_text(
                                    &visit.roster.name(p),
                                    &ch,
                                    ("in het overzicht gezet", "added to the roster"),
                                )
                            }),
                        Target::NewCaregiver => visit
                            .add_caregiver(&name, &second, &in_use, now)
                            .map(|(p, ch)| {
                                change_text(
                                    &visit.roster.name(p),
                                    &ch,
                                    ("in het overzicht gezet", "added to the roster"),
                                )
                            }),
                        Target::Person(Person::Child(id)) => age()
                            .and_then(|a| visit.correct_child(id, &name, a, now))
                            .map(|ch| {
                                change_text(
                                    &visit.roster.name(Person::Child(id)),
                                    &ch,
                                    ("verbeterd", "corrected"),
                                )
                            }),
                        Target::Person(Person::Caregiver(id)) => {
                            visit.correct_caregiver(id, &name, &second, now).map(|()| {
                                change_text(
                                    &visit.roster.name(Person::Caregiver(id)),
                                    &RosterChange::default(),
                                    ("verbeterd", "corrected"),
                                )
                            })
                        }
                        Target::Person(Person::Visit) => Err(RosterError::NoSuchPerson),
                    };
                match done {
                    Ok(t) => {
                        self.form = None;
                        self.error = None;
                        return RosterOutcome::Changed(t);
                    }
                    Err(e) => self.error = Some(e.text()),
                }
            }
            _ => {
                let field = if f.on_second {
                    &mut f.second
                } else {
                    &mut f.name
                };
                field.handle(key);
            }
        }
        RosterOutcome::Stay
    }

    fn removing_key(
        &mut self,
        key: Key,
        action: Option<Action>,
        visit: &mut Visit,
        now: time::PrimitiveDateTime,
    ) -> RosterOutcome {
        let Some(r) = &mut self.removing else {
            return RosterOutcome::Stay;
        };
        if let Some(c) = &mut r.confirm {
            match c.key(key, action) {
                Confirm::Pending => {}
                Confirm::Cancelled => r.confirm = None,
                Confirm::Confirmed => {
                    let person = r.person;
                    let reason = r.reason.text();
                    self.removing = None;
                    return match visit.remove_person(person, &reason, now) {
                        Ok(()) => {
                            let who = visit.roster.name(person);
                            RosterOutcome::Changed(Text::new(
                                format!(
                                    "{who} is uit het overzicht gehaald. De lijsten en antwoorden blijven bewaard, apart (Alt-d: terugzetten)."
                                ),
                                format!(
                                    "{who} was removed from the roster. Their lists and answers are kept, aside (Alt-d: put back)."
                                ),
                            ))
                        }
                        Err(e) => {
                            self.error = Some(e.text());
                            RosterOutcome::Stay
                        }
                    };
                }
            }
            return RosterOutcome::Stay;
        }
        match action {
            Some(Action::Cancel) => {
                self.removing = None;
                self.error = None;
            }
            Some(Action::Select) => {
                if r.reason.text().trim().is_empty() {
                    self.error = Some(RosterError::ReasonNeeded.text());
                } else {
                    let alias = match r.person {
                        Person::Child(id) => visit.roster.child(id).map(|c| c.alias.clone()),
                        Person::Caregiver(id) => {
                            visit.roster.caregiver(id).map(|c| c.alias.clone())
                        }
                        Person::Visit => None,
                    }
                    .unwrap_or_default();
                    r.confirm = Some(TypedConfirm::new(&alias, "weg"));
                    self.error = None;
                }
            }
            _ => {
                if r.reason.handle(key) {
                    self.error = None;
                }
            }
        }
        RosterOutcome::Stay
    }

    pub fn view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>, visit: &Visit) {
        let t = |nl, en| v.lang.pick(nl, en);
        let boxed = centered(area, 74, area.height.saturating_sub(2).min(20));
        f.render_widget(Clear, boxed);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.title())
            .title(format!(
                " {} ",
                t("Gezin: wie hoort erbij", "Household: who is in it")
            ));
        let inner = block.inner(boxed);
        f.render_widget(block, boxed);
        let [list_area, foot] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(inner);
        let width = list_area.width as usize;
        let list = rows(visit);
        let mut lines: Vec<Line> = Vec::new();
        let mut sel_line = 0;
        for (n, row) in list.iter().enumerate() {
            if matches!(row, Row::Child(_)) && n == 0
                || *row == Row::AddChild && visit.roster.children.is_empty()
            {
                lines.push(Line::styled(t("Kinderen", "Children"), v.theme.title()));
            }
            if matches!(row, Row::Caregiver(_) | Row::AddCaregiver)
                && n > 0
                && list[n - 1] == Row::AddChild
            {
                lines.push(Line::styled(
                    t("Ouders/verzorgers", "Parents/caregivers"),
                    v.theme.title(),
                ));
            }
            let on = n == self.sel && self.form.is_none() && self.removing.is_none();
            let (text, dim) = match *row {
                Row::AddChild => (
                    format!("+ {} (Alt-k)", t("kind toevoegen", "add child")),
                    false,
                ),
                Row::AddCaregiver => (
                    format!("+ {} (Alt-o)", t("ouder toevoegen", "add caregiver")),
                    false,
                ),
                Row::Child(id) => {
                    let p = Person::Child(id);
                    let c = visit.roster.child(id);
                    let base = c.map_or_else(String::new, |c| {
                        format!("{}, {} {}", c.alias, c.age, t("jaar", "years"))
                    });
                    (
                        self.person_line(visit, p, base, v.lang),
                        visit.is_removed(p),
                    )
                }
                Row::Caregiver(id) => {
                    let p = Person::Caregiver(id);
                    let base = visit.roster.name(p);
                    (
                        self.person_line(visit, p, base, v.lang),
                        visit.is_removed(p),
                    )
                }
            };
            if n == self.sel {
                sel_line = lines.len();
            }
            let style = if on {
                v.theme.selected()
            } else if dim {
                v.theme.dim()
            } else {
                v.theme.normal()
            };
            lines.push(Line::styled(
                clip(&format!("{}{text}", if on { "▶ " } else { "  " }), width),
                style,
            ));
        }
        let height = list_area.height as usize;
        let first = (sel_line + 1).saturating_sub(height);
        f.render_widget(
            Paragraph::new(lines.into_iter().skip(first).collect::<Vec<_>>()),
            list_area,
        );
        let foot_text = match &self.error {
            Some(e) => Line::styled(e.get(v.lang).to_string(), v.theme.error()),
            None => Line::styled(
                t(
                    "Enter: verbeteren · Alt-k/Alt-o: erbij · Alt-d: weghalen of terugzetten · Esc: terug",
                    "Enter: correct · Alt-k/Alt-o: add · Alt-d: remove or put back · Esc: back",
                ),
                v.theme.dim(),
            ),
        };
        f.render_widget(Paragraph::new(foot_text).wrap(Wrap { trim: true }), foot);
        if let Some(form) = &self.form {
            self.form_view(f, area, v, form);
        }
        if let Some(r) = &self.removing {
            self.removing_view(f, area, v, visit, r);
        }
    }

    /// A person's line: name, then whether they were removed (and why)
    /// or which lists they are outside the age groups of.
    fn person_line(&self, visit: &Visit, p: Person, base: String, lang: Lang) -> String {
        if let Some(r) = visit.removed.iter().find(|r| r.person == p) {
            return format!(
                "{base} — {}: {}",
                lang.pick("verwijderd", "removed"),
                r.reason.as_str()
            );
        }
        let outside: Vec<String> = visit
            .sheets
            .iter()
            .filter(|s| s.person == p && s.status == SheetStatus::OutsideBands)
            .map(|s| s.checklist.title.get(lang).to_string())
            .collect();
        let not_taken: Vec<String> = visit
            .sheets
            .iter()
            .filter(|s| {
                s.person == p
                    && s.status != SheetStatus::Taken
                    && s.status != SheetStatus::OutsideBands
            })
            .map(|s| {
                format!(
                    "{}: {}",
                    s.status.short_label().get(lang),
                    s.checklist.title.get(lang)
                )
            })
            .collect();
        let mut out = base;
        if !outside.is_empty() {
            out.push_str(&format!(
                " — {} {}",
                lang.pick(
                    "buiten de leeftijdsgroepen van",
                    "outside the age groups of"
                ),
                outside.join(", ")
            ));
        }
        if !not_taken.is_empty() {
            out.push_str(&format!(" — {}", not_taken.join(", ")));
        }
        out
    }

    fn form_view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>, form: &Form) {
        let t = |nl, en| v.lang.pick(nl, en);
        let child = matches!(
            form.target,
            Target::NewChild | Target::Person(Person::Child(_))
        );
        let title = match (form.target, child) {
            (Target::Person(_), true) => t("Kind verbeteren", "Correct child"),
            (Target::Person(_), false) => t("Ouder of verzorger verbeteren", "Correct caregiver"),
            (_, true) => t("Kind erbij", "Add child"),
            (_, false) => t("Ouder of verzorger erbij", "Add caregiver"),
        };
        let help = match &self.error {
            Some(e) => Line::styled(e.get(v.lang).to_string(), v.theme.error()),
            None => Line::styled(
                t(
                    "Enter: verder/vastleggen · Tab: ander veld · Esc: annuleren",
                    "Enter: next/save · Tab: other field · Esc: cancel",
                ),
                v.theme.dim(),
            ),
        };
        let person = PersonForm {
            title,
            name: &form.name,
            second: &form.second,
            on_second: form.on_second,
            child,
        };
        person.render(f, centered(area, 56, 11), v, help);
    }

    fn removing_view(
        &self,
        f: &mut Frame,
        area: Rect,
        v: &ViewCtx<'_>,
        visit: &Visit,
        r: &Removing,
    ) {
        let t = |nl, en| v.lang.pick(nl, en);
        let who = visit.roster.name(r.person);
        let sheets = visit.sheets.iter().filter(|s| s.person == r.person).count();
        let flags = visit
            .flags
            .iter()
            .filter(|fl| fl.person == r.person)
            .count();
        let kept = match v.lang {
            Lang::Nl => format!(
                "{} en {} over {who} blijven bewaard, apart: ze tellen niet meer als open en gaan mee naar kantoor als „verwijderd”.",
                plural(Lang::Nl, sheets, ("lijst", ""), ("lijsten", "")),
                plural(Lang::Nl, flags, ("vlag", ""), ("vlaggen", ""))
            ),
            Lang::En => format!(
                "{} and {} about {who} are kept, aside: they no longer count as open and go to the office as “removed”.",
                plural(Lang::En, sheets, ("", "list"), ("", "lists")),
                plural(Lang::En, flags, ("", "flag"), ("", "flags"))
            ),
        };
        // A sentence starts with a capital ("Geen lijsten …").
        let mut chars = kept.chars();
        let kept: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        if let Some(c) = &r.confirm {
            let lines = vec![
                Line::styled(
                    match v.lang {
                        Lang::Nl => format!("{who} uit het overzicht halen?"),
                        Lang::En => format!("Remove {who} from the roster?"),
                    },
                    v.theme.title(),
                ),
                Line::from(kept),
                Line::from(match v.lang {
                    Lang::Nl => format!("Waarom: {}", r.reason.text().trim()),
                    Lang::En => format!("Why: {}", r.reason.text().trim()),
                }),
                Line::from(match v.lang {
                    Lang::Nl => format!(
                        "Weghalen: typ „{}” (de eerste letters van de naam) en druk op Enter. Terugzetten kan altijd (Alt-d).",
                        c.expected()
                    ),
                    Lang::En => format!(
                        "To remove: type “{}” (the first letters of the name) and press Enter. Putting back is always possible (Alt-d).",
                        c.expected()
                    ),
                }),
            ];
            c.render(
                f,
                area,
                v,
                t("Uit het overzicht halen", "Remove from the roster"),
                lines,
            );
            return;
        }
        let boxed = centered(area, 64, 12);
        f.render_widget(Clear, boxed);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.error())
            .title(format!(
                " {} ",
                t("Uit het overzicht halen", "Remove from the roster")
            ));
        let inner = block.inner(boxed);
        f.render_widget(block, boxed);
        let [text, field, foot] = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(3),
            Constraint::Length(1),
        ])
        .areas(inner);
        f.render_widget(
            Paragraph::new(vec![
                Line::styled(who.clone(), v.theme.title()),
                Line::from(kept),
            ])
            .wrap(Wrap { trim: true }),
            text,
        );
        r.reason.render(
            f,
            field,
            t(
                " Waarom? (bijvoorbeeld: woont hier niet) ",
                " Why? (for example: does not live here) ",
            ),
            true,
            v.theme,
        );
        let foot_line = match &self.error {
            Some(e) => Line::styled(e.get(v.lang).to_string(), v.theme.error()),
            None => Line::styled(
                t("Enter: verder · Esc: terug", "Enter: next · Esc: back"),
                v.theme.dim(),
            ),
        };
        f.render_widget(Paragraph::new(foot_line), foot);
    }
}
