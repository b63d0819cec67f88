//! A follow-up visit: the visit of a case after the first. It knows what
//! the previous visit left behind ([`FollowUpRecord`]: the agreements, the
//! flags still active, the scaling answers, the closed answers a checklist
//! refers to with `previous(item)`), and its follow-up sections
//! (`repeat = { per = "agreement" }`, `"flag"`, `"scaling"`) get exactly
//! one entry per item of those lists, made by the program.
//!
//! Which items a sheet gets an entry for: every agreement and every scaling
//! answer (they belong to the visit); the flags too in a checklist filled in
//! once per visit, and in a checklist per child or caregiver only the flags
//! raised for that person.
//!
//! Without a follow-up (a first visit), or with an empty list, a follow-up
//! section has no entries and is not shown at all.
//!
//! Pure: no I/O, no clock.

use crate::checklist::model::{AppliesTo, Checklist, PreviousKind};
use crate::i18n::Text;
use crate::visit::record::{AnswerValue, FollowUpRecord, PersonRecord, PreviousRef, parse_date};
use crate::visit::{Answer, Person, Sheet, Visit, check_answer};

/// The longest entry title, in characters, before it is cut off with `…`.
pub const TITLE_MAX: usize = 80;

/// `text` cut to at most `max` characters, ending in `…` when cut. Line
/// breaks read as spaces: a title is one line.
pub fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut out: String = flat.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// The indices (into the follow-up's list of `kind`) a sheet of
/// `checklist` for `person` has an entry for.
pub fn previous_indices(
    follow_up: &FollowUpRecord,
    kind: PreviousKind,
    checklist: &Checklist,
    person: Person,
) -> Vec<u32> {
    let n = match kind {
        PreviousKind::Agreement => follow_up.agreements.len(),
        PreviousKind::Scaling => follow_up.scaling.len(),
        PreviousKind::Flag => follow_up.flags.len(),
    };
    (0..n)
        .filter(|&i| match kind {
            PreviousKind::Flag if checklist.applies_to != AppliesTo::Visit => {
                follow_up.flags[i].person == PersonRecord::from(person)
            }
            _ => true,
        })
        .map(|i| i as u32)
        .collect()
}

/// Per item of the sheet's checklist: its closed answer at the previous
/// visit, for the same person, when the checklist reads it with
/// `previous(item)`. Empty in a first visit. A kept value that no longer
/// fits the item (the checklist changed) reads as no answer.
pub fn previous_answers(visit: &Visit, sheet: &Sheet) -> Vec<Option<Answer>> {
    let c = &sheet.checklist;
    let Some(f) = visit.follow_up.as_ref() else {
        return Vec::new();
    };
    if c.previous_items.is_empty() {
        return Vec::new();
    }
    let person = PersonRecord::from(sheet.person);
    let mut out = vec![None; c.items.len()];
    for &i in &c.previous_items {
        let Some(it) = c.items.get(i) else { continue };
        let Some(v) = f
            .values
            .iter()
            .find(|v| v.checklist == c.id && v.person == person && v.item == it.id)
        else {
            continue;
        };
        let a = match &v.value {
            AnswerValue::Choice(id) => it.option_index(id).map(|o| Answer::Choice(o as u16)),
            AnswerValue::Multi(ids) => ids
                .iter()
                .try_fold(0u64, |bits, id| Some(bits | 1 << it.option_index(id)?))
                .map(Answer::Multi),
            AnswerValue::Number(n) => Some(Answer::Number(*n)),
            AnswerValue::Date(d) => parse_date(d).map(Answer::Date),
            AnswerValue::Text(_) => None,
        };
        out[i] = a.filter(|a| check_answer(&it.kind, it.options.len(), a).is_ok());
    }
    out
}

impl Visit {
    /// Make this visit a follow-up of a case: it belongs to `case_id` and
    /// knows `follow_up` (from the case card). The follow-up sections of
    /// the sheets it has get their entries now; sheets added later get
    /// theirs when they are made. Call it once, when the visit starts.
    pub fn start_follow_up(&mut self, follow_up: FollowUpRecord, case_id: String) {
        self.follow_up = Some(follow_up);
        self.case_id = case_id;
        for sheet in 0..self.sheets.len() {
            self.sync_sheet_previous_entries(sheet);
        }
    }

    /// Whether this visit follows an earlier one of the same case.
    pub fn is_follow_up(&self) -> bool {
        self.follow_up.is_some()
    }

    /// What of the previous visit an entry is about, if it was made from
    /// the follow-up.
    pub fn entry_previous(
        &self,
        sheet: usize,
        section: usize,
        entry: usize,
    ) -> Option<PreviousRef> {
        self.sheets
            .get(sheet)?
            .entry_previous
            .get(section)?
            .get(entry)
            .copied()
            .flatten()
    }

    /// Give every follow-up section of a sheet one entry per item of the
    /// follow-up it is made from, in the follow-up's order. Never drops an
    /// entry or an answer. Returns whether anything changed.
    pub(crate) fn sync_sheet_previous_entries(&mut self, sheet: usize) -> bool {
        let Some(follow_up) = self.follow_up.as_ref() else {
            return false;
        };
        let Some(s) = self.sheets.get(sheet) else {
            return false;
        };
        let c = s.checklist.clone();
        let plan: Vec<(usize, PreviousKind, Vec<u32>)> = c
            .sections
            .iter()
            .enumerate()
            .filter_map(|(si, sec)| {
                let kind = sec.repeat.as_ref()?.previous_kind()?;
                Some((si, kind, previous_indices(follow_up, kind, &c, s.person)))
            })
            .collect();
        let mut changed = false;
        for (si, kind, wanted) in plan {
            let width = c.sections[si].items.len();
            let s = &mut self.sheets[sheet];
            for &index in &wanted {
                let r = Some(PreviousRef { kind, index });
                if !s.entry_previous[si].contains(&r) {
                    s.entries[si].push(vec![None; width]);
                    s.entry_person[si].push(None);
                    s.entry_previous[si].push(r);
                    changed = true;
                }
            }
            // The follow-up's order; entries of another kind (a draft made
            // before the section was a follow-up section) after them.
            let rank = |r: &Option<PreviousRef>| {
                r.filter(|r| r.kind == kind)
                    .map_or(u64::MAX, |r| u64::from(r.index))
            };
            let mut order: Vec<usize> = (0..s.entries[si].len()).collect();
            order.sort_by_key(|&e| (rank(&s.entry_previous[si][e]), e));
            if order.iter().enumerate().any(|(new, &old)| new != old) {
                self.permute_entries(sheet, si, &order);
                changed = true;
            }
        }
        changed
    }

    /// The title of an entry made from the follow-up: what the previous
    /// visit recorded, on one line. Only what the worker typed herself and
    /// the checklists' own texts.
    pub(crate) fn previous_entry_title(&self, sheet: usize, r: PreviousRef) -> Option<Text> {
        let f = self.follow_up.as_ref()?;
        let i = r.index as usize;
        let (nl, en) = match r.kind {
            PreviousKind::Agreement => {
                let a = f.agreements.get(i)?;
                let who = a.who.as_str().trim();
                let what = a.what.as_str().trim();
                let who = one_line(who, 30);
                let head = match (who.is_empty(), what.is_empty()) {
                    (false, false) => format!("{who}: {what}"),
                    (true, false) => what.to_string(),
                    (false, true) => who.to_string(),
                    (true, true) => String::new(),
                };
                match &a.by_when {
                    Some(d) => {
                        let head = one_line(&head, TITLE_MAX - 22);
                        (
                            format!("{head} · uiterlijk {d}"),
                            format!("{head} · by {d}"),
                        )
                    }
                    None => (head.clone(), head),
                }
            }
            PreviousKind::Flag => {
                let fl = f.flags.get(i)?;
                let level = crate::checklist::model::FlagLevel::from_key(&fl.level)
                    .map(|l| l.label())
                    .unwrap_or_else(|| Text::new(fl.level.clone(), fl.level.clone()));
                let who = match fl.person {
                    PersonRecord::Visit => String::new(),
                    PersonRecord::Child(id) => format!(", {}", self.roster.name(Person::Child(id))),
                    PersonRecord::Caregiver(id) => {
                        format!(", {}", self.roster.name(Person::Caregiver(id)))
                    }
                };
                let done = one_line(fl.action_taken.as_str(), 30);
                let (done_nl, done_en) = if done.is_empty() {
                    (String::new(), String::new())
                } else {
                    (format!(" · gedaan: {done}"), format!(" · done: {done}"))
                };
                let mut level_nl = level.nl.clone();
                if let Some(first) = level_nl.get(..1) {
                    level_nl = first.to_uppercase() + &level_nl[1..];
                }
                let mut level_en = level.en.clone();
                if let Some(first) = level_en.get(..1) {
                    level_en = first.to_uppercase() + &level_en[1..];
                }
                // Room for what was done: the message gives way first.
                let room = |level: &str, done: &str| {
                    let used = level.chars().count() + who.chars().count() + 2;
                    TITLE_MAX
                        .saturating_sub(used + done.chars().count())
                        .max(20)
                };
                let (msg_nl, msg_en) = (
                    one_line(&fl.message.nl, room(&level_nl, &done_nl)),
                    one_line(&fl.message.en, room(&level_en, &done_en)),
                );
                (
                    format!("{level_nl}{who}: {msg_nl}{done_nl}"),
                    format!("{level_en}{who}: {msg_en}{done_en}"),
                )
            }
            PreviousKind::Scaling => {
                let sc = f.scaling.get(i)?;
                let who = one_line(sc.who.as_str(), 30);
                let role = sc.role.as_deref().map(|role| {
                    self.sheets
                        .get(sheet)
                        .and_then(|s| {
                            let c = &s.checklist;
                            let item = c.item_index(crate::case::items::SCALING_ROLE)?;
                            let o = c.items[item].option_index(role)?;
                            Some(c.items[item].options[o].label.clone())
                        })
                        .unwrap_or_else(|| Text::new(role, role))
                });
                let about = one_line(sc.about.as_str(), 24);
                // "Hulpverlener (ook uzelf)" reads as "hulpverlener" here.
                let short = |r: &str| r.split(" (").next().unwrap_or(r).to_lowercase();
                let name = |role: Option<&str>| match (who.is_empty(), role) {
                    (false, Some(r)) => format!("{who} ({})", short(r)),
                    (false, None) => who.to_string(),
                    (true, Some(r)) => r.to_string(),
                    (true, None) => String::new(),
                };
                let name_nl = name(role.as_ref().map(|r| r.nl.as_str()));
                let name_en = name(role.as_ref().map(|r| r.en.as_str()));
                let (about_nl, about_en) = if about.is_empty() {
                    (String::new(), String::new())
                } else {
                    (format!(" over {about}"), format!(" about {about}"))
                };
                let v = sc.value;
                if name_nl.is_empty() {
                    (
                        format!("Vorige keer: {v}{about_nl}"),
                        format!("Last time: {v}{about_en}"),
                    )
                } else {
                    (
                        format!("{name_nl} gaf {v}{about_nl}"),
                        format!("{name_en} gave {v}{about_en}"),
                    )
                }
            }
        };
        Some(Text::new(
            one_line(&nl, TITLE_MAX),
            one_line(&en, TITLE_MAX),
        ))
    }
}
