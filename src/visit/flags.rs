//! The life of a raised red flag: raised (active), lapsed when its condition
//! no longer holds, active again when it holds again, or withdrawn by the
//! worker as a mistake (with a reason). And which flags wait until the
//! worker has passed the sections they are about.
//!
//! Rules (docs/USER-GUIDE.md, "Rode vlaggen"):
//! - a flag fires, has no record yet and is not waiting: a record is made
//!   (`active`, `raised_at` = now, the time it is shown);
//! - an `active` flag whose condition no longer holds becomes `lapsed`, with
//!   the time; a `lapsed` flag whose condition holds again becomes `active`
//!   again, with the time. It keeps its acknowledgement and action: what the
//!   worker wrote still stands, so it needs no fresh acknowledgement (one
//!   never acknowledged still needs it);
//! - a `withdrawn` flag stays withdrawn. Once its condition has stopped
//!   holding, a later firing is a new event: a new record is raised;
//! - a flag on no item whose condition reads items of sections waits until
//!   the worker has passed the last of those sections (or opened the review).
//!
//! Pure: no I/O, no clock.

use time::PrimitiveDateTime;

use crate::checklist::condition::{Expr, Operand};
use crate::checklist::model::Checklist;
use crate::visit::{Derived, RaisedFlag, SecretText, Visit};

/// Where a raised flag stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlagState {
    /// Raised, and its condition holds.
    #[default]
    Active,
    /// Its condition no longer holds because an answer changed.
    Lapsed,
    /// The worker marked it a mistake, with a reason.
    Withdrawn,
}

impl FlagState {
    /// The key in the record and the visit JSON.
    pub fn key(self) -> &'static str {
        match self {
            FlagState::Active => "active",
            FlagState::Lapsed => "lapsed",
            FlagState::Withdrawn => "withdrawn",
        }
    }

    pub fn from_key(s: &str) -> Option<FlagState> {
        match s {
            "active" => Some(FlagState::Active),
            "lapsed" => Some(FlagState::Lapsed),
            "withdrawn" => Some(FlagState::Withdrawn),
            _ => None,
        }
    }

    pub fn label(self) -> crate::i18n::Text {
        use crate::i18n::Text;
        match self {
            FlagState::Active => Text::new("actief", "active"),
            FlagState::Lapsed => Text::new("vervallen", "lapsed"),
            FlagState::Withdrawn => Text::new("ingetrokken", "withdrawn"),
        }
    }
}

/// What one update of the flags changed (indices into `Visit::flags`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagChanges {
    /// Newly raised, the most urgent first: shown together in one panel.
    pub raised: Vec<usize>,
    pub lapsed: Vec<usize>,
    /// Lapsed flags whose condition holds again.
    pub reactivated: Vec<usize>,
}

/// The last section (index) a checklist-level flag's condition reads, if
/// it is on no item and reads any: the flag waits until the worker has
/// passed that section. Follows scores, bands and outcomes to the items
/// they read; items of other checklists do not count.
pub fn waits_for(c: &Checklist, flag: usize) -> Option<usize> {
    let def = c.red_flags.get(flag)?;
    if def.item.is_some() {
        return None;
    }
    let mut last = None;
    let mut seen_outcomes = vec![false; c.outcomes.len()];
    expr_sections(c, &def.when.expr, &mut last, &mut seen_outcomes);
    last
}

fn expr_sections(c: &Checklist, e: &Expr, last: &mut Option<usize>, seen: &mut [bool]) {
    let item = |i: usize, last: &mut Option<usize>| {
        if let Some(it) = c.items.get(i) {
            *last = (*last).max(Some(it.section));
        }
    };
    match e {
        // The previous visit is known from the start: nothing to wait for.
        Expr::Const(_) | Expr::FollowUp => {}
        Expr::And(parts) | Expr::Or(parts) => {
            for p in parts.iter() {
                expr_sections(c, p, last, seen);
            }
        }
        Expr::Not(inner) => expr_sections(c, inner, last, seen),
        Expr::Cmp(_, a, b) => {
            operand_sections(c, a, last, seen);
            operand_sections(c, b, last, seen);
        }
        Expr::ChoiceIn { item: r, .. } | Expr::Has { item: r, .. } | Expr::Answered(r) => {
            if r.checklist.is_none() && !r.previous {
                item(usize::from(r.item), last);
            }
        }
        Expr::In {
            operand, values, ..
        } => {
            operand_sections(c, operand, last, seen);
            for v in values.iter() {
                operand_sections(c, v, last, seen);
            }
        }
        Expr::Aggregate { section, cond, .. } => {
            *last = (*last).max(Some(usize::from(*section)));
            expr_sections(c, cond, last, seen);
        }
    }
}

fn operand_sections(c: &Checklist, o: &Operand, last: &mut Option<usize>, seen: &mut [bool]) {
    let item = |i: usize, last: &mut Option<usize>| {
        if let Some(it) = c.items.get(i) {
            *last = (*last).max(Some(it.section));
        }
    };
    match o {
        Operand::Item(r) | Operand::Count(r) => {
            if r.checklist.is_none() && !r.previous {
                item(usize::from(r.item), last);
            }
        }
        Operand::Entries(s) => *last = (*last).max(Some(usize::from(*s))),
        Operand::CountWhere { section, cond } => {
            *last = (*last).max(Some(usize::from(*section)));
            expr_sections(c, cond, last, seen);
        }
        Operand::Sum(parts) => {
            for p in parts.iter() {
                operand_sections(c, p, last, seen);
            }
        }
        Operand::Score(s) | Operand::Band(s) => {
            if let Some(score) = c.scores.get(usize::from(*s)) {
                for &i in &score.items {
                    item(i, last);
                }
            }
        }
        Operand::Outcome(o) => {
            let o = usize::from(*o);
            if o < seen.len() && !seen[o] {
                seen[o] = true;
                for rule in &c.outcomes[o].rules {
                    if let Some(w) = &rule.when {
                        expr_sections(c, &w.expr, last, seen);
                    }
                }
            }
        }
        Operand::Num(_)
        | Operand::PreviousValue
        | Operand::Text(_)
        | Operand::Date(_)
        | Operand::Age
        | Operand::Children
        | Operand::Caregivers
        | Operand::Roster(_)
        | Operand::EntryAge => {}
    }
}

impl Visit {
    /// Bring the raised flags in line with what fires now (see the module
    /// rules). `passed(sheet, section)` says whether the worker has passed
    /// that section of that sheet; flags about a section not yet passed
    /// wait. The newly raised come first by urgency.
    pub fn update_flags(
        &mut self,
        derived: &Derived,
        passed: impl Fn(usize, usize) -> bool,
        now: PrimitiveDateTime,
    ) -> FlagChanges {
        let mut out = FlagChanges::default();
        for (si, (sheet, sd)) in self.sheets.iter().zip(&derived.sheets).enumerate() {
            let c = &sheet.checklist;
            // What fires now on this sheet.
            for fired in &sd.flags {
                let def = &c.red_flags[fired.flag];
                let last = self.flags.iter().rposition(|f| {
                    f.checklist == c.id
                        && f.person == sheet.person
                        && f.flag == def.id
                        && f.entry == fired.entry
                });
                match last.map(|i| (i, self.flags[i].state)) {
                    Some((_, FlagState::Active)) => continue,
                    Some((i, FlagState::Lapsed)) => {
                        let f = &mut self.flags[i];
                        f.state = FlagState::Active;
                        f.state_at = Some(now);
                        out.reactivated.push(i);
                        continue;
                    }
                    Some((i, FlagState::Withdrawn)) if !self.flags[i].condition_cleared => {
                        continue;
                    }
                    _ => {}
                }
                if waits_for(c, fired.flag).is_some_and(|s| !passed(si, s)) {
                    continue;
                }
                self.flags.push(RaisedFlag {
                    checklist: c.id.clone(),
                    person: sheet.person,
                    flag: def.id.clone(),
                    item: def.item.map(|i| c.items[i].id.clone()),
                    entry: fired.entry,
                    level: def.level,
                    message: def.message.clone(),
                    advice: def.action.clone(),
                    raised_at: now,
                    acknowledged_at: None,
                    action_taken: SecretText::default(),
                    state: FlagState::Active,
                    state_at: None,
                    withdrawn_reason: SecretText::default(),
                    condition_cleared: false,
                });
                out.raised.push(self.flags.len() - 1);
            }
        }
        // What no longer fires: only flags of a sheet and a flag definition
        // still in use (a flag of a checklist no longer loaded stays as it is).
        for (i, f) in self.flags.iter_mut().enumerate() {
            if out.raised.contains(&i) || f.state == FlagState::Lapsed {
                continue;
            }
            let Some((sheet, sd)) = self
                .sheets
                .iter()
                .zip(&derived.sheets)
                .find(|(s, _)| s.checklist.id == f.checklist && s.person == f.person)
            else {
                continue;
            };
            let Some(def) = sheet
                .checklist
                .red_flags
                .iter()
                .position(|d| d.id == f.flag)
            else {
                continue;
            };
            let fires = sd.flags.iter().any(|x| x.flag == def && x.entry == f.entry);
            if fires {
                continue;
            }
            match f.state {
                FlagState::Active => {
                    f.state = FlagState::Lapsed;
                    f.state_at = Some(now);
                    out.lapsed.push(i);
                }
                FlagState::Withdrawn => f.condition_cleared = true,
                FlagState::Lapsed => {}
            }
        }
        // Acute flags first, so the most urgent shows first.
        out.raised.sort_by_key(|&i| self.flags[i].level);
        if out != FlagChanges::default() {
            self.updated_at = now;
        }
        out
    }

    /// Record the flags that fire now and were not raised before (none
    /// waits); returns the indices (into `flags`) of the newly raised ones.
    pub fn raise_new_flags(&mut self, derived: &Derived, now: PrimitiveDateTime) -> Vec<usize> {
        self.update_flags(derived, |_, _| true, now).raised
    }

    /// The worker acknowledged a flag and wrote what was done.
    pub fn acknowledge_flag(
        &mut self,
        flag: usize,
        action_taken: SecretText,
        now: PrimitiveDateTime,
    ) -> bool {
        let Some(f) = self.flags.get_mut(flag) else {
            return false;
        };
        f.acknowledged_at = Some(now);
        f.action_taken = action_taken;
        self.updated_at = now;
        true
    }

    /// The worker marks a flag a mistake. Needs a reason that is not blank;
    /// a flag already withdrawn stays as it was. Returns whether it was
    /// withdrawn now.
    pub fn withdraw_flag(
        &mut self,
        flag: usize,
        reason: SecretText,
        now: PrimitiveDateTime,
    ) -> bool {
        if reason.as_str().trim().is_empty() {
            return false;
        }
        let Some(f) = self.flags.get_mut(flag) else {
            return false;
        };
        if f.state == FlagState::Withdrawn {
            return false;
        }
        f.state = FlagState::Withdrawn;
        f.state_at = Some(now);
        f.withdrawn_reason = reason;
        f.condition_cleared = false;
        self.updated_at = now;
        true
    }

    /// After a visit is read back: a withdrawn flag whose condition no
    /// longer holds is raised anew when it holds again.
    pub fn note_cleared_withdrawals(&mut self, derived: &Derived) {
        for f in &mut self.flags {
            if f.state != FlagState::Withdrawn {
                continue;
            }
            let fires = self
                .sheets
                .iter()
                .zip(&derived.sheets)
                .find(|(s, _)| s.checklist.id == f.checklist && s.person == f.person)
                .and_then(|(s, sd)| {
                    let def = s.checklist.red_flags.iter().position(|d| d.id == f.flag)?;
                    Some(sd.flags.iter().any(|x| x.flag == def && x.entry == f.entry))
                });
            if fires == Some(false) {
                f.condition_cleared = true;
            }
        }
    }

    /// Active flags not yet acknowledged.
    pub fn unacknowledged_flags(&self) -> impl Iterator<Item = usize> + '_ {
        self.flags
            .iter()
            .enumerate()
            .filter(|(_, f)| f.state == FlagState::Active && f.acknowledged_at.is_none())
            .map(|(i, _)| i)
    }

    /// Flags that count: the active ones.
    pub fn active_flags(&self) -> impl Iterator<Item = &RaisedFlag> + '_ {
        self.flags.iter().filter(|f| f.state == FlagState::Active)
    }
}
