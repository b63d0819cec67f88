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
use crate::checklist::diagnostic::did_you_mean;
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
                "`previous` can only name an item of this checklist",
            )
            .with_help(format!(
                "use `previous` in checklist `{}` itself to read its answers of the previous visit",
                c.name
            )));
        }
        let Some(idx) = self.this.item_index(&name.name) else {
            let mut err = CondError::new(
                name.span.clone(),
                format!(
                    "unknown item `{}` in checklist `{}`",
                    name.name, self.this.id
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
                format!(
                    "`{}` sits in the repeatable section `{}`: its answers of the previous visit are not kept one by one",
                    item.id, self.this.sections[item.section].id
                ),
            )
            .with_help("`previous` reads items outside repeatable sections; agreements, flags and scaling answers of the previous visit come back as entries of a section with `repeat = { per = \"agreement\" }` (or \"flag\", \"scaling\")"));
        }
        if item.kind.is_text() {
            return Err(CondError::new(
                name.span.clone(),
                format!(
                    "`{}` is a text item: text answers are never kept between visits",
                    item.id
                ),
            )
            .with_help("`previous` reads closed answers: choices, numbers, scales and dates"));
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
                "`count` counts the options chosen in a multiple-choice item; this is not one",
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
                format!("the previous visit has no `previous.{}`", name.name),
            )
            .with_help(
                "`previous.value` is the number of the previous scaling answer an entry is about; to read an item of the previous visit write `previous(item)`",
            ));
        }
        let kind = self
            .own_repeat_section()
            .and_then(|s| self.this.sections[s].repeat.as_ref())
            .and_then(|r| r.previous_kind());
        match kind {
            Some(PreviousKind::Scaling) => Ok(Typed::Num(Operand::PreviousValue)),
            _ => Err(CondError::new(
                scope.span.start..name.span.end,
                "`previous.value` is only known in a section repeated per scaling answer of the previous visit",
            )
            .with_help("use it in the items of a section with `repeat = { per = \"scaling\" }`, or inside `count`, `any` or `all` over one")),
        }
    }
}
