//! Type-checks the parts of the condition language that read the previous
//! visit of the case: `previous(item)` (the closed answer to an item of
//! this checklist at the previous visit, for the same person),
//! `answered(previous(item))`, `count(previous(item))`, and
//! `previous.value` (in an entry of a section repeated per scaling answer:
//! the number given then). The keyword `follow_up` is compiled with the
//! other keywords.
//!
//! Only closed answers are kept between visits (choices, numbers, dates;
//! never text), and only outside repeatable sections: everything else is an
//! error here, so that a checklist never waits for a value that cannot come.

use super::compile::{PREVIOUS, Scope, Typed, typed_item};
use super::parse::{Ast, CondError, Ident, Node};
use super::{Expr, ItemRef, Operand};
use crate::checklist::diagnostic::{Msg, did_you_mean};
use crate::checklist::model::PreviousKind;

/// What `previous.NAME` can read.
pub const PREVIOUS_FACTS: [&str; 1] = ["value"];

impl<'a> Scope<'a> {
    /// `previous(item)`: the item's answer at the previous visit.
    pub(super) fn previous_item(
        &mut self,
        checklist: Option<&Ident>,
        name: &Ident,
    ) -> Result<Typed<'a>, CondError> {
        if let Some(c) = checklist
            && c.name != self.this.id
        {
            return Err(CondError::new(
                c.span.clone(),
Msg::new("`previous` kan alleen een vraag van deze checklist noemen", "`previous` can only name an item of this checklist"),
            )
            .with_help(Msg::new(format!("gebruik `previous` in checklist `{}` zelf om de antwoorden van het vorige bezoek te lezen", c.name), format!("use `previous` in checklist `{}` itself to read its answers of the previous visit", c.name))));
        }
        let Some(idx) = self.this.item_index(&name.name) else {
            let mut err = CondError::new(
                name.span.clone(),
                Msg::new(
                    format!(
                        "onbekende vraag `{}` in checklist `{}`",
                        name.name, self.this.id
                    ),
                    format!(
                        "unknown item `{}` in checklist `{}`",
                        name.name, self.this.id
                    ),
                ),
            );
            if let Some(help) =
                did_you_mean(&name.name, self.this.items.iter().map(|i| i.id.as_str()))
            {
                err = err.with_help(help);
            }
            return Err(err);
        };
        let item = &self.this.items[idx];
        if self.this.in_repeat(idx) {
            return Err(CondError::new(
                name.span.clone(),
Msg::new(format!("`{}` staat in het herhaalbare onderdeel `{}`: de antwoorden van het vorige bezoek worden niet één voor één bewaard", item.id, self.this.sections[item.section].id), format!("`{}` sits in the repeatable section `{}`: its answers of the previous visit are not kept one by one", item.id, self.this.sections[item.section].id)),
            )
            .with_help(Msg::new("`previous` leest vragen buiten herhaalbare onderdelen; afspraken, vlaggen en schaalvragen van het vorige bezoek komen terug als invullingen van een onderdeel met `repeat = { per = \"agreement\" }` (of \"flag\", \"scaling\")", "`previous` reads items outside repeatable sections; agreements, flags and scaling answers of the previous visit come back as entries of a section with `repeat = { per = \"agreement\" }` (or \"flag\", \"scaling\")")));
        }
        if item.kind.is_text() {
            return Err(CondError::new(
                name.span.clone(),
Msg::new(format!("`{}` is een tekstvraag: tekstantwoorden worden nooit tussen bezoeken bewaard", item.id), format!("`{}` is a text item: text answers are never kept between visits", item.id)),
            )
            .with_help(Msg::new("`previous` leest gesloten antwoorden: keuzes, getallen, schalen en datums", "`previous` reads closed answers: choices, numbers, scales and dates")));
        }
        Ok(typed_item(
            ItemRef {
                checklist: None,
                item: idx as u16,
                previous: true,
            },
            item,
        ))
    }

    /// `answered(previous(x))` and `count(previous(x))`: `Some` when the
    /// argument is a `previous(…)` call.
    pub(super) fn previous_arg(
        &mut self,
        func: &Ident,
        arg: &'a Node,
    ) -> Result<Option<Typed<'a>>, CondError> {
        let Ast::Call {
            scope: None,
            func: inner,
            ..
        } = &arg.ast
        else {
            return Ok(None);
        };
        if inner.name != PREVIOUS || !matches!(func.name.as_str(), "answered" | "count") {
            return Ok(None);
        }
        let typed = self.typed(arg)?;
        let (r, multi) = match &typed {
            Typed::Choice(r, _) => (*r, false),
            Typed::Multi(r, _) => (*r, true),
            Typed::Num(Operand::Item(r)) | Typed::Date(Operand::Item(r)) => (*r, false),
            _ => return Ok(None),
        };
        Ok(Some(if func.name == "answered" {
            Typed::Bool(Expr::Answered(r))
        } else if multi {
            Typed::Num(Operand::Count(r))
        } else {
            return Err(CondError::new(
                arg.span.clone(),
                Msg::new(
                    "`count` telt de gekozen opties van een vraag met meer keuzes; dit is er geen",
                    "`count` counts the options chosen in a multiple-choice item; this is not one",
                ),
            ));
        }))
    }

    /// `previous.value`: in an entry of a section repeated per scaling
    /// answer of the previous visit, the number given then.
    pub(super) fn previous_name(
        &mut self,
        scope: &Ident,
        name: &Ident,
    ) -> Result<Typed<'a>, CondError> {
        if !PREVIOUS_FACTS.contains(&name.name.as_str()) {
            return Err(CondError::new(
                name.span.clone(),
Msg::new(format!("het vorige bezoek heeft geen `previous.{}`", name.name), format!("the previous visit has no `previous.{}`", name.name)),
            )
            .with_help(Msg::new("`previous.value` is het getal van de vorige schaalvraag waar een invulling over gaat; schrijf `previous(vraag)` om een vraag van het vorige bezoek te lezen", "`previous.value` is the number of the previous scaling answer an entry is about; to read an item of the previous visit write `previous(item)`")));
        }
        let kind = self
            .own_repeat_section()
            .and_then(|s| self.this.sections[s].repeat.as_ref())
            .and_then(|r| r.previous_kind());
        match kind {
            Some(PreviousKind::Scaling) => Ok(Typed::Num(Operand::PreviousValue)),
            _ => Err(CondError::new(
                scope.span.start..name.span.end,
Msg::new("`previous.value` bestaat alleen in een onderdeel dat per schaalvraag van het vorige bezoek herhaald wordt", "`previous.value` is only known in a section repeated per scaling answer of the previous visit"),
            )
            .with_help(Msg::new("gebruik het in de vragen van een onderdeel met `repeat = { per = \"scaling\" }`, of binnen `count`, `any` of `all` daarover", "use it in the items of a section with `repeat = { per = \"scaling\" }`, or inside `count`, `any` or `all` over one"))),
        }
    }
}
