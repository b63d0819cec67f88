//! Type-checks the parts of the condition language that read more than one
//! answer or the roster: aggregates over the entries of a repeatable section
//! (`count(s)`, `count(s, condition)`, `any(s, condition)`,
//! `all(s, condition)`), roster facts (`roster.children`, `roster.youngest`,
//! `roster.children_under(3)`, …) and sums of numbers (`a + b`).
//!
//! Inside an aggregate, names are the items of one entry of its section; the
//! condition is evaluated once per entry.

use std::ops::Range;

use super::compile::{ROSTER, Scope, Typed};
use super::parse::{Ast, CondError, Ident, Node};
use super::{Expr, Operand, RosterFact};
use crate::checklist::diagnostic::{Msg, did_you_mean};
use crate::checklist::model::RosterKind;

/// Roster facts read as `roster.NAME`.
pub const ROSTER_FACTS: [&str; 5] = ["children", "caregivers", "people", "youngest", "oldest"];
/// Roster facts read as `roster.NAME(age)`.
pub const ROSTER_CALLS: [&str; 2] = ["children_under", "children_from"];

impl<'a> Scope<'a> {
    /// `roster.children`, `roster.youngest`, …
    pub(super) fn roster_name(&mut self, name: &Ident) -> Result<Typed<'a>, CondError> {
        Ok(Typed::Num(match name.name.as_str() {
            "children" => Operand::Children,
            "caregivers" => Operand::Caregivers,
            "people" => Operand::Roster(RosterFact::People),
            "youngest" => Operand::Roster(RosterFact::Youngest),
            "oldest" => Operand::Roster(RosterFact::Oldest),
            other if ROSTER_CALLS.contains(&other) => {
                return Err(CondError::new(
                    name.span.clone(),
                    Msg::new(
                        format!("`roster.{other}` heeft een leeftijd tussen haakjes nodig"),
                        format!("`roster.{other}` needs an age between parentheses"),
                    ),
                )
                .with_help(Msg::new(
                    format!("bijvoorbeeld `roster.{other}(4) > 0`"),
                    format!("for example `roster.{other}(4) > 0`"),
                )));
            }
            other => {
                let known = ROSTER_FACTS.iter().chain(ROSTER_CALLS.iter()).copied();
                return Err(CondError::new(
                    name.span.clone(),
                    Msg::new(
                        format!("het gezin kent geen feit `{other}`"),
                        format!("the roster has no fact `{other}`"),
                    ),
                )
                .with_help(did_you_mean(other, known).unwrap_or_else(|| {
                    let facts = format!(
                        "{}, {}",
                        ROSTER_FACTS.join(", "),
                        ROSTER_CALLS.map(|c| format!("{c}(age)")).join(", ")
                    );
                    Msg::new(
                        format!("de feiten van het gezin zijn {facts}"),
                        format!("the roster facts are {facts}"),
                    )
                })));
            }
        }))
    }

    /// `person.age`: in an entry of a section repeated per child (or per
    /// person), the age of the child the entry is about.
    pub(super) fn person_name(
        &mut self,
        scope: &Ident,
        name: &Ident,
    ) -> Result<Typed<'a>, CondError> {
        if name.name != "age" {
            return Err(CondError::new(
                name.span.clone(),
                Msg::new(
                    format!("het gezin kent geen `person.{}`", name.name),
                    format!("the roster knows no `person.{}`", name.name),
                ),
            )
            .with_help(Msg::new(
                "`person.age` is de leeftijd van het kind waar een invulling over gaat",
                "`person.age` is the age of the child an entry is about",
            )));
        }
        let per = self
            .own_repeat_section()
            .and_then(|s| self.this.sections[s].repeat.as_ref())
            .and_then(|r| r.roster_kind());
        match per {
            Some(RosterKind::Child | RosterKind::Person) => Ok(Typed::Num(Operand::EntryAge)),
            Some(RosterKind::Caregiver) => Err(CondError::new(
                scope.span.start..name.span.end,
Msg::new("`person.age` is niet bekend voor ouders en verzorgers: het gezin kent hun rol, niet hun leeftijd", "`person.age` is not known for caregivers: the roster has their role, not their age"),
            )),
            None => Err(CondError::new(
                scope.span.start..name.span.end,
Msg::new("`person.age` bestaat alleen in een onderdeel dat per kind of per persoon herhaald wordt", "`person.age` is only known in a section repeated per child or per person"),
            )
            .with_help(Msg::new("gebruik het in de vragen van een onderdeel met `repeat = { per = \"child\" }`, of binnen `count`, `any` of `all` daarover", "use it in the items of a section with `repeat = { per = \"child\" }`, or inside `count`, `any` or `all` over one"))),
        }
    }

    /// `roster.children_under(3)`, `roster.children_from(8)`.
    pub(super) fn roster_call(
        &mut self,
        scope: &Ident,
        func: &Ident,
        args: &'a [Node],
        span: &Range<usize>,
    ) -> Result<Typed<'a>, CondError> {
        if scope.name != ROSTER {
            return Err(CondError::new(
                scope.span.start..func.span.end,
                Msg::new(
                    format!("onbekende functie `{}.{}`", scope.name, func.name),
                    format!("unknown function `{}.{}`", scope.name, func.name),
                ),
            )
            .with_help(Msg::new(
                format!(
                    "de functies met een punt zijn roster.{}",
                    ROSTER_CALLS.join(", roster.")
                ),
                format!(
                    "the functions with a dot are roster.{}",
                    ROSTER_CALLS.join(", roster.")
                ),
            )));
        }
        if !ROSTER_CALLS.contains(&func.name.as_str()) {
            let mut err = CondError::new(
                func.span.clone(),
                Msg::new(
                    format!("het gezin kent geen functie `{}`", func.name),
                    format!("the roster has no function `{}`", func.name),
                ),
            );
            if let Some(h) = did_you_mean(&func.name, ROSTER_CALLS) {
                err = err.with_help(h);
            } else if ROSTER_FACTS.contains(&func.name.as_str()) {
                err = err.with_help(Msg::new(
                    format!("schrijf `roster.{}` zonder haakjes", func.name),
                    format!("write `roster.{}` without parentheses", func.name),
                ));
            }
            return Err(err);
        }
        let age = match args {
            [
                Node {
                    ast: Ast::Num(n),
                    span: s,
                },
            ] => {
                if n.fract() != 0.0 || !(0.0..=18.0).contains(n) {
                    return Err(CondError::new(
                        s.clone(),
                        Msg::new(
                            "de leeftijd moet een geheel getal van 0 tot en met 18 zijn",
                            "the age must be a whole number from 0 to 18",
                        ),
                    ));
                }
                *n as u8
            }
            [other] => {
                return Err(CondError::new(
                    other.span.clone(),
                    Msg::new(
                        format!(
                            "`roster.{}` neemt een leeftijd in jaren, een getal",
                            func.name
                        ),
                        format!("`roster.{}` takes an age in years, a number", func.name),
                    ),
                ));
            }
            _ => {
                return Err(CondError::new(
                    span.clone(),
                    Msg::new(
                        format!("`roster.{}` neemt één leeftijd in jaren", func.name),
                        format!("`roster.{}` takes one age in years", func.name),
                    ),
                )
                .with_help(Msg::new(
                    format!("bijvoorbeeld `roster.{}(4)`", func.name),
                    format!("for example `roster.{}(4)`", func.name),
                )));
            }
        };
        Ok(Typed::Num(Operand::Roster(
            if func.name == "children_under" {
                RosterFact::ChildrenUnder(age)
            } else {
                RosterFact::ChildrenFrom(age)
            },
        )))
    }

    /// `count(s)` and `count(s, c)` over a section, `any(s, c)`, `all(s, c)`.
    /// `None`: not an aggregate (`count(item)` of a multiple-choice item, or
    /// another function).
    pub(super) fn aggregate_call(
        &mut self,
        func: &Ident,
        args: &'a [Node],
        span: &Range<usize>,
    ) -> Result<Option<Typed<'a>>, CondError> {
        let name = func.name.as_str();
        let section_arg = |n: &Node| match &n.ast {
            Ast::Name {
                checklist: None,
                name,
            } => Some(name.name.clone()),
            _ => None,
        };
        match (name, args) {
            ("any" | "all", _) => {}
            ("count", [_, _, ..]) => {}
            // `count(x)`: an item's options when `x` is an item, the entries
            // of a section when it is a section.
            ("count", [arg]) => {
                let Some(id) = section_arg(arg) else {
                    return Ok(None);
                };
                if self.this.item_index(&id).is_some() {
                    return Ok(None);
                }
                if self.this.section_index(&id).is_none() {
                    let names = self.this.items.iter().map(|i| i.id.as_str()).chain(
                        self.this
                            .sections
                            .iter()
                            .filter(|s| s.repeat.is_some())
                            .map(|s| s.id.as_str()),
                    );
                    let mut err = CondError::new(
                        arg.span.clone(),
Msg::new(format!("onbekend onderdeel of onbekende vraag `{id}` in `count`"), format!("unknown section or item `{id}` in `count`")),
                    )
                    .with_help("`count` counts the entries of a repeatable section, or the options chosen in a multiple-choice item");
                    if let Some(h) = did_you_mean(&id, names) {
                        err = err.with_help(h);
                    }
                    return Err(err);
                }
            }
            _ => return Ok(None),
        }
        let usage = Msg::new(
            format!("schrijf `{name}(onderdeel, voorwaarde)`"),
            format!("write `{name}(section, condition)`"),
        );
        let (first, cond) = match args {
            [first] if name == "count" => (first, None),
            [first, cond] => (first, Some(cond)),
            [] | [_] => {
                return Err(CondError::new(
                    span.clone(),
                    Msg::new(
                        format!("`{name}` heeft een herhaalbaar onderdeel en een voorwaarde nodig"),
                        format!("`{name}` needs a repeatable section and a condition"),
                    ),
                )
                .with_help(usage));
            }
            [_, _, extra, ..] => {
                return Err(CondError::new(
                    extra.span.clone(),
                    Msg::new(
                        format!("`{name}` neemt een onderdeel en één voorwaarde"),
                        format!("`{name}` takes a section and one condition"),
                    ),
                )
                .with_help(Msg::new(
                    "combineer voorwaarden met `and` of `or`",
                    "combine conditions with `and` or `or`",
                )));
            }
        };
        let section = self.aggregate_section(name, first)?;
        let Some(cond) = cond else {
            return Ok(Some(Typed::Num(Operand::Entries(section as u16))));
        };
        if self.aggregate.is_some() {
            return Err(CondError::new(
                span.clone(),
                Msg::new(
                    format!("`{name}` kan niet binnen een andere `count`, `any` of `all` staan"),
                    format!("`{name}` cannot stand inside another `count`, `any` or `all`"),
                ),
            ));
        }
        if self.own_repeat_section() == Some(section) {
            return Err(CondError::new(
                span.clone(),
                Msg::new(
                    format!(
                        "`{name}({}, …)` kan niet in onderdeel `{}` zelf staan",
                        self.this.sections[section].id, self.this.sections[section].id
                    ),
                    format!(
                        "`{name}({}, …)` cannot stand inside section `{}` itself",
                        self.this.sections[section].id, self.this.sections[section].id
                    ),
                ),
            )
            .with_help(Msg::new(
                "een voorwaarde binnen een herhaalbaar onderdeel leest de eigen invulling",
                "a condition inside a repeatable section reads its own entry",
            )));
        }
        self.aggregate = Some(section);
        let inner = self.condition(cond);
        self.aggregate = None;
        let inner = Box::new(inner?);
        let section = section as u16;
        Ok(Some(match name {
            "count" => Typed::Num(Operand::CountWhere {
                section,
                cond: inner,
            }),
            _ => Typed::Bool(Expr::Aggregate {
                all: name == "all",
                section,
                cond: inner,
            }),
        }))
    }

    /// The repeatable section an aggregate names.
    fn aggregate_section(&self, func: &str, arg: &Node) -> Result<usize, CondError> {
        let name = match &arg.ast {
            Ast::Name {
                checklist: None,
                name,
            } => name,
            Ast::Name {
                checklist: Some(c), ..
            } => {
                return Err(CondError::new(
                    c.span.clone(),
                    Msg::new(
                        format!("`{func}` kan alleen een onderdeel van deze checklist noemen"),
                        format!("`{func}` can only name a section of this checklist"),
                    ),
                ));
            }
            _ => {
                return Err(CondError::new(
                    arg.span.clone(),
                    Msg::new(
                        format!("`{func}` neemt eerst het id van een herhaalbaar onderdeel"),
                        format!("`{func}` takes the id of a repeatable section first"),
                    ),
                )
                .with_help(Msg::new(
                    format!("schrijf `{func}(onderdeel, voorwaarde)`"),
                    format!("write `{func}(section, condition)`"),
                )));
            }
        };
        let Some(idx) = self.this.section_index(&name.name) else {
            let mut err = CondError::new(
                name.span.clone(),
                Msg::new(
                    format!("onbekend onderdeel `{}`", name.name),
                    format!("unknown section `{}`", name.name),
                ),
            );
            let repeatable = self
                .this
                .sections
                .iter()
                .filter(|s| s.repeat.is_some())
                .map(|s| s.id.as_str());
            if let Some(h) = did_you_mean(&name.name, repeatable) {
                err = err.with_help(h);
            }
            return Err(err);
        };
        if self.this.sections[idx].repeat.is_none() {
            return Err(CondError::new(
                name.span.clone(),
                Msg::new(
                    format!(
                        "onderdeel `{}` is niet herhaalbaar, dus `{func}` heeft geen invullingen om langs te gaan",
                        name.name
                    ),
                    format!(
                        "section `{}` is not repeatable, so `{func}` has no entries to go through",
                        name.name
                    ),
                ),
            ));
        }
        Ok(idx)
    }

    /// Inside an aggregate over `section`, a name must be an item of that
    /// section: the condition reads one entry at a time.
    pub(super) fn aggregate_item(
        &self,
        section: usize,
        local: bool,
        checklist: Option<&Ident>,
        name: &Ident,
    ) -> Result<(), CondError> {
        let sec = &self.this.sections[section];
        if !local {
            let c = checklist.expect("qualified reference");
            return Err(CondError::new(
                c.span.start..name.span.end,
                Msg::new(
                    format!(
                        "binnen `count`, `any` of `all` over `{}` leest een voorwaarde de vragen van de invullingen, niet van checklist `{}`",
                        sec.id, c.name
                    ),
                    format!(
                        "inside `count`, `any` or `all` over `{}` a condition reads the items of its entries, not of checklist `{}`",
                        sec.id, c.name
                    ),
                ),
            ));
        }
        match self.this.item_index(&name.name) {
            Some(i) if sec.items.contains(&i) => Ok(()),
            Some(_) => Err(CondError::new(
                name.span.clone(),
Msg::new(format!("`{}` is geen vraag van onderdeel `{}`", name.name, sec.id), format!("`{}` is not an item of section `{}`", name.name, sec.id)),
            )
            .with_help(Msg::new(format!("binnen `count`, `any` of `all` over `{}` leest een voorwaarde de vragen van één invulling", sec.id), format!("inside `count`, `any` or `all` over `{}` a condition reads the items of one entry", sec.id)))),
            // Unknown items get the ordinary message.
            None => Ok(()),
        }
    }

    /// `a + b`: both numbers.
    pub(super) fn sum(&mut self, a: &'a Node, b: &'a Node) -> Result<Typed<'a>, CondError> {
        let mut parts = Vec::new();
        for side in [a, b] {
            match self.typed(side)? {
                Typed::Num(Operand::Sum(inner)) => parts.extend(inner.into_vec()),
                Typed::Num(o) => parts.push(o),
                Typed::NumLit(n) => parts.push(Operand::Num(n)),
                other => {
                    return Err(CondError::new(
                        side.span.clone(),
                        Msg::new(
                            format!("`+` telt getallen op; dit is {}", other.describe_nl()),
                            format!("`+` adds numbers; this is {}", other.describe()),
                        ),
                    ));
                }
            }
        }
        Ok(Typed::Num(Operand::Sum(parts.into_boxed_slice())))
    }
}
