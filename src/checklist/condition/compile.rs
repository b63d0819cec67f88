//! Type-checks a parsed condition against its checklist and compiles it.
//!
//! Everything that could go wrong during a visit is an error here instead:
//! an unknown item, an option the item does not have, comparing a yes/no
//! answer with a number, a reference the checklist cannot resolve.

use std::ops::Range;

use super::parse::{Ast, CmpOp, CondError, Ident, Node};
use super::{Expr, ItemRef, Operand};
use crate::checklist::diagnostic::{Msg, did_you_mean};
use crate::checklist::model::{AppliesTo, Checklist, Item, ItemKind, Place};

/// The name before the dot of roster facts: `roster.children`.
pub const ROSTER: &str = "roster";
/// The name before the dot of what the roster knows of an entry's person:
/// `person.age`.
pub const PERSON: &str = "person";

/// The name before the dot of what the previous visit knows of an entry
/// made from it: `previous.value`. Also the function `previous(item)`.
pub const PREVIOUS: &str = "previous";

/// Names with a meaning of their own in conditions.
pub const KEYWORDS: [&str; 4] = ["age", "children", "caregivers", "follow_up"];
/// Functions of the condition language.
pub const FUNCTIONS: [&str; 9] = [
    "answered", "score", "band", "outcome", "entries", "count", "any", "all", "previous",
];

/// What a condition is compiled against.
pub struct Scope<'a> {
    pub this: &'a Checklist,
    pub place: Place,
    /// Every checklist a qualified reference may name (this one included or not).
    pub others: &'a [&'a Checklist],
    /// Foreign checklist ids referenced so far; grows as references are found.
    pub foreign: &'a mut Vec<String>,
    /// The repeatable section of the aggregate (`count(s, …)`, `any`, `all`)
    /// being compiled: inside it, names are items of one of its entries.
    pub aggregate: Option<usize>,
    /// Errors found besides the one `condition` returns: each side of an
    /// `and` or `or` is checked even when the other failed, so that an
    /// author sees every mistake of a condition at once.
    pub errors: Vec<CondError>,
}

impl<'a> Scope<'a> {
    /// A scope for a condition at `place`.
    pub fn new(
        this: &'a Checklist,
        place: Place,
        others: &'a [&'a Checklist],
        foreign: &'a mut Vec<String>,
    ) -> Scope<'a> {
        Scope {
            this,
            place,
            others,
            foreign,
            aggregate: None,
            errors: Vec::new(),
        }
    }
}

pub(super) enum Typed<'a> {
    Num(Operand),
    Choice(ItemRef, &'a Item),
    Multi(ItemRef, &'a Item),
    Text(Operand),
    Date(Operand),
    Band(u16),
    Outcome(u16),
    Bool(Expr),
    StrLit(String),
    NumLit(f64),
    BoolLit(bool),
    List(&'a [Node]),
}

impl Typed<'_> {
    /// What this is, in Dutch.
    pub(super) fn describe_nl(&self) -> &'static str {
        match self {
            Typed::Num(_) | Typed::NumLit(_) => "een getal",
            Typed::Choice(_, item) => match item.kind {
                ItemKind::YesNo => "een ja/nee-antwoord",
                ItemKind::YesNoUnknown => "een ja/nee/weet-niet-antwoord",
                _ => "een antwoord met één keuze",
            },
            Typed::Multi(..) => "een antwoord met meer keuzes",
            Typed::Text(_) => "een tekstantwoord",
            Typed::Date(_) => "een datum",
            Typed::Band(_) => "een scoregrens",
            Typed::Outcome(_) => "een uitkomst",
            Typed::Bool(_) | Typed::BoolLit(_) => "een voorwaarde (waar of onwaar)",
            Typed::StrLit(_) => "een tekst",
            Typed::List(_) => "een lijst",
        }
    }

    pub(super) fn describe(&self) -> &'static str {
        match self {
            Typed::Num(_) | Typed::NumLit(_) => "a number",
            Typed::Choice(_, item) => match item.kind {
                ItemKind::YesNo => "a yes/no answer",
                ItemKind::YesNoUnknown => "a yes/no/unknown answer",
                _ => "a single-choice answer",
            },
            Typed::Multi(..) => "a multiple-choice answer",
            Typed::Text(_) => "a text answer",
            Typed::Date(_) => "a date",
            Typed::Band(_) => "a score band",
            Typed::Outcome(_) => "an outcome",
            Typed::Bool(_) | Typed::BoolLit(_) => "a condition (true or false)",
            Typed::StrLit(_) => "a text",
            Typed::List(_) => "a list",
        }
    }

    fn is_literal(&self) -> bool {
        matches!(
            self,
            Typed::StrLit(_) | Typed::NumLit(_) | Typed::BoolLit(_) | Typed::List(_)
        )
    }
}

/// An item reference, typed by the item's kind.
pub(super) fn typed_item(r: ItemRef, item: &Item) -> Typed<'_> {
    match item.kind {
        ItemKind::YesNo | ItemKind::YesNoUnknown | ItemKind::Single => Typed::Choice(r, item),
        ItemKind::Multi => Typed::Multi(r, item),
        ItemKind::Scale { .. } | ItemKind::Number { .. } => Typed::Num(Operand::Item(r)),
        ItemKind::ShortText { .. } | ItemKind::LongText { .. } => Typed::Text(Operand::Item(r)),
        ItemKind::Date => Typed::Date(Operand::Item(r)),
    }
}

fn option_list(item: &Item) -> String {
    item.options
        .iter()
        .map(|o| format!("\"{}\"", o.id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// Parse a `YYYY-MM-DD` date into a Julian day number.
pub fn parse_date(s: &str) -> Option<i32> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, fmt).ok().map(|d| d.to_julian_day())
}

impl<'a> Scope<'a> {
    /// Compile a whole condition; it must be true or false.
    pub fn condition(&mut self, node: &'a Node) -> Result<Expr, CondError> {
        match self.typed(node)? {
            Typed::Bool(e) => Ok(e),
            Typed::BoolLit(b) => Ok(Expr::Const(b)),
            Typed::Choice(_, item) => {
                let first = item.options.first().map_or("ja", |o| o.id.as_str());
                Err(CondError::new(
                    node.span.clone(),
                    Msg::new(
                        format!("`{}` is een antwoord, geen voorwaarde", item.id),
                        format!("`{}` is an answer, not a condition", item.id),
                    ),
                )
                .with_help(Msg::new(
                    format!(
                        "vergelijk het met een van de opties, bijvoorbeeld `{} == \"{first}\"`",
                        item.id
                    ),
                    format!(
                        "compare it with one of its options, for example `{} == \"{first}\"`",
                        item.id
                    ),
                )))
            }
            other => Err(CondError::new(
                node.span.clone(),
                Msg::new(
                    format!("dit is {}, geen voorwaarde", other.describe_nl()),
                    format!("this is {}, not a condition", other.describe()),
                ),
            )
            .with_help(Msg::new(
                "vergelijk het met iets, bijvoorbeeld `== \"ja\"` of `>= 2`",
                "compare it with something, for example `== \"ja\"` or `>= 2`",
            ))),
        }
    }

    pub(super) fn typed(&mut self, node: &'a Node) -> Result<Typed<'a>, CondError> {
        Ok(match &node.ast {
            Ast::Bool(b) => Typed::BoolLit(*b),
            Ast::Num(n) => Typed::NumLit(*n),
            Ast::Str(s) => Typed::StrLit(s.clone()),
            Ast::List(elems) => Typed::List(elems),
            Ast::Name { checklist, name } => self.name(checklist.as_ref(), name)?,
            Ast::Call { scope, func, args } => self.call(scope.as_ref(), func, args, &node.span)?,
            Ast::Add(a, b) => self.sum(a, b)?,
            Ast::Cmp(op, a, b) => Typed::Bool(self.cmp(*op, a, b)?),
            Ast::In {
                needle,
                haystack,
                negated,
            } => Typed::Bool(self.contains(needle, haystack, *negated)?),
            Ast::And(a, b) | Ast::Or(a, b) => {
                let is_and = matches!(node.ast, Ast::And(..));
                let mut parts = Vec::new();
                let mut failed: Option<CondError> = None;
                for side in [a, b] {
                    let e = match self.condition(side) {
                        Ok(e) => e,
                        Err(err) => {
                            match &failed {
                                None => failed = Some(err),
                                Some(_) => self.errors.push(err),
                            }
                            continue;
                        }
                    };
                    match (e, is_and) {
                        (Expr::And(inner), true) | (Expr::Or(inner), false) => {
                            parts.extend(inner.into_vec())
                        }
                        (e, _) => parts.push(e),
                    }
                }
                if let Some(err) = failed {
                    return Err(err);
                }
                let parts = parts.into_boxed_slice();
                Typed::Bool(if is_and {
                    Expr::And(parts)
                } else {
                    Expr::Or(parts)
                })
            }
            Ast::Not(inner) => Typed::Bool(Expr::Not(Box::new(self.condition(inner)?))),
        })
    }

    fn name(&mut self, checklist: Option<&Ident>, name: &Ident) -> Result<Typed<'a>, CondError> {
        if let Some(c) = checklist
            && c.name == ROSTER
        {
            return self.roster_name(name);
        }
        if let Some(c) = checklist
            && c.name == PERSON
        {
            return self.person_name(c, name);
        }
        if let Some(c) = checklist
            && c.name == PREVIOUS
        {
            return self.previous_name(c, name);
        }
        if checklist.is_none() {
            match name.name.as_str() {
                "age" => {
                    if self.this.applies_to != AppliesTo::Child {
                        return Err(CondError::new(
                            name.span.clone(),
                            Msg::new(
                                "`age` bestaat alleen in checklists die per kind worden ingevuld",
                                "`age` is only known in checklists that apply to each child",
                            ),
                        )
                        .with_help(Msg::new(
                            "gebruik `children` voor het aantal kinderen in het gezin",
                            "use `children` for the number of children in the roster",
                        )));
                    }
                    return Ok(Typed::Num(Operand::Age));
                }
                "children" => return Ok(Typed::Num(Operand::Children)),
                "caregivers" => return Ok(Typed::Num(Operand::Caregivers)),
                "follow_up" => return Ok(Typed::Bool(Expr::FollowUp)),
                _ => {}
            }
        }
        let (r, item) = self.item(checklist, name)?;
        Ok(typed_item(r, item))
    }

    /// The repeatable section a condition stands in, if any (inside an
    /// aggregate: the aggregate's section).
    pub(super) fn own_repeat_section(&self) -> Option<usize> {
        if self.aggregate.is_some() {
            return self.aggregate;
        }
        let item = match self.place {
            Place::ItemShowIf(i) => Some(i),
            Place::Flag(f) => self.this.red_flags.get(f).and_then(|f| f.item),
            _ => None,
        }?;
        let s = self.this.items[item].section;
        self.this.sections[s].repeat.as_ref().map(|_| s)
    }

    pub(super) fn item(
        &mut self,
        checklist: Option<&Ident>,
        name: &Ident,
    ) -> Result<(ItemRef, &'a Item), CondError> {
        let local = checklist.is_none_or(|c| c.name == self.this.id);
        if let Some(agg) = self.aggregate {
            self.aggregate_item(agg, local, checklist, name)?;
        }
        if local {
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
                let candidates = self
                    .this
                    .items
                    .iter()
                    .map(|i| i.id.as_str())
                    .chain(KEYWORDS.iter().copied().filter(|_| checklist.is_none()));
                if let Some(help) = did_you_mean(&name.name, candidates) {
                    err = err.with_help(help);
                }
                return Err(err);
            };
            let section = self.this.items[idx].section;
            if let Some(_repeat) = &self.this.sections[section].repeat
                && self.own_repeat_section() != Some(section)
            {
                return Err(CondError::new(
                    name.span.clone(),
Msg::new(format!("`{}` staat in het herhaalbare onderdeel `{}` en heeft een antwoord per invulling", name.name, self.this.sections[section].id), format!("`{}` sits in the repeatable section `{}` and has an answer per entry", name.name, self.this.sections[section].id)),
                )
                .with_help(Msg::new(format!("alleen vragen van dat onderdeel kunnen ernaar verwijzen; lees de invullingen met `count({0})`, `count({0}, …)`, `any({0}, …)` of `all({0}, …)`", self.this.sections[section].id), format!("only items of that section can refer to it; use `count({0})`, `count({0}, …)`, `any({0}, …)` or `all({0}, …)` to read its entries", self.this.sections[section].id))));
            }
            return Ok((
                ItemRef {
                    checklist: None,
                    item: idx as u16,
                    previous: false,
                },
                &self.this.items[idx],
            ));
        }
        let cname = checklist.expect("qualified reference");
        let Some(other) = self.others.iter().copied().find(|c| c.id == cname.name) else {
            let mut err = CondError::new(
                cname.span.clone(),
                Msg::new(
                    format!("onbekende checklist `{}`", cname.name),
                    format!("unknown checklist `{}`", cname.name),
                ),
            );
            if let Some(help) = did_you_mean(&cname.name, self.others.iter().map(|c| c.id.as_str()))
            {
                err = err.with_help(help);
            }
            return Err(err);
        };
        if other.applies_to != AppliesTo::Visit && other.applies_to != self.this.applies_to {
            return Err(CondError::new(
                cname.span.clone(),
                Msg::new(
                    format!(
                        "`{}` wordt per {} ingevuld, `{}` per {}: er is niet één antwoord om naar te verwijzen",
                        other.id,
                        other.applies_to.key(),
                        self.this.id,
                        self.this.applies_to.key()
                    ),
                    format!(
                        "`{}` is filled in per {}, `{}` per {}: there is no single answer to refer to",
                        other.id,
                        other.applies_to.key(),
                        self.this.id,
                        self.this.applies_to.key()
                    ),
                ),
            ));
        }
        let Some(idx) = other.item_index(&name.name) else {
            let mut err = CondError::new(
                name.span.clone(),
                Msg::new(
                    format!(
                        "onbekende vraag `{}` in checklist `{}`",
                        name.name, other.id
                    ),
                    format!("unknown item `{}` in checklist `{}`", name.name, other.id),
                ),
            );
            if let Some(help) = did_you_mean(&name.name, other.items.iter().map(|i| i.id.as_str()))
            {
                err = err.with_help(help);
            }
            return Err(err);
        };
        if other.in_repeat(idx) {
            return Err(CondError::new(
                name.span.clone(),
                Msg::new(
                    format!(
                        "`{}.{}` staat in een herhaalbaar onderdeel en heeft een antwoord per invulling",
                        other.id, name.name
                    ),
                    format!(
                        "`{}.{}` sits in a repeatable section and has an answer per entry",
                        other.id, name.name
                    ),
                ),
            ));
        }
        let slot = match self.foreign.iter().position(|f| *f == other.id) {
            Some(i) => i,
            None => {
                self.foreign.push(other.id.clone());
                self.foreign.len() - 1
            }
        };
        Ok((
            ItemRef {
                checklist: Some(slot as u16),
                item: idx as u16,
                previous: false,
            },
            &other.items[idx],
        ))
    }

    fn call(
        &mut self,
        scope: Option<&Ident>,
        func: &Ident,
        args: &'a [Node],
        span: &Range<usize>,
    ) -> Result<Typed<'a>, CondError> {
        if let Some(scope) = scope {
            return self.roster_call(scope, func, args, span);
        }
        if let Some(t) = self.aggregate_call(func, args, span)? {
            return Ok(t);
        }
        if !FUNCTIONS.contains(&func.name.as_str()) {
            let mut err = CondError::new(
                func.span.clone(),
                Msg::new(
                    format!("onbekende functie `{}`", func.name),
                    format!("unknown function `{}`", func.name),
                ),
            );
            err = err.with_help(did_you_mean(&func.name, FUNCTIONS).unwrap_or_else(|| {
                let all = FUNCTIONS.join(", ");
                Msg::new(
                    format!("de functies zijn {all}"),
                    format!("the functions are {all}"),
                )
            }));
            return Err(err);
        }
        let arg = match args {
            [] => {
                return Err(CondError::new(
                    span.clone(),
                    Msg::new(
                        format!("`{}` heeft een naam tussen de haakjes nodig", func.name),
                        format!("`{}` needs a name between the parentheses", func.name),
                    ),
                ));
            }
            [arg] => arg,
            [_, extra, ..] => {
                return Err(CondError::new(
                    extra.span.clone(),
                    Msg::new(
                        format!("`{}` neemt één naam", func.name),
                        format!("`{}` takes one name", func.name),
                    ),
                ));
            }
        };
        if let Some(t) = self.previous_arg(func, arg)? {
            return Ok(t);
        }
        let Ast::Name { checklist, name } = &arg.ast else {
            return Err(CondError::new(
                arg.span.clone(),
                Msg::new(
                    format!("`{}` neemt een naam, geen waarde", func.name),
                    format!("`{}` takes a name, not a value", func.name),
                ),
            ));
        };
        let in_show_if = matches!(self.place, Place::SectionShowIf(_) | Place::ItemShowIf(_));
        let local_only = |what: &str| -> Result<(), CondError> {
            match checklist {
                Some(c) => Err(CondError::new(
                    c.span.clone(),
                    Msg::new(
                        format!(
                            "`{}` kan alleen {} van deze checklist noemen",
                            func.name,
                            match what {
                                "score" => "een score",
                                "outcome" => "een uitkomst",
                                _ => "een onderdeel",
                            }
                        ),
                        format!("`{}` can only name a {what} of this checklist", func.name),
                    ),
                )),
                None => Ok(()),
            }
        };
        match func.name.as_str() {
            "previous" => self.previous_item(checklist.as_ref(), name),
            "answered" => {
                let (r, _) = self.item(checklist.as_ref(), name)?;
                Ok(Typed::Bool(Expr::Answered(r)))
            }
            "count" => {
                let (r, item) = self.item(checklist.as_ref(), name)?;
                if item.kind != ItemKind::Multi {
                    return Err(CondError::new(
                        name.span.clone(),
                        Msg::new(
                            format!(
                                "`count` telt de gekozen opties van een vraag met meer keuzes; `{}` is er geen",
                                item.id
                            ),
                            format!(
                                "`count` counts the options chosen in a multiple-choice item; `{}` is not one",
                                item.id
                            ),
                        ),
                    ));
                }
                Ok(Typed::Num(Operand::Count(r)))
            }
            "score" | "band" => {
                local_only("score")?;
                if in_show_if {
                    return Err(CondError::new(
                        func.span.clone(),
Msg::new(format!("`{}` kan niet in `show_if` staan", func.name), format!("`{}` cannot be used in `show_if`", func.name)),
                    )
                    .with_help(Msg::new("scores volgen uit wat getoond wordt; gebruik ze in rode vlaggen en uitkomsten", "scores are derived from what is shown; use them in red flags and outcomes")));
                }
                let Some(idx) = self.this.scores.iter().position(|s| s.id == name.name) else {
                    let mut err =
                        CondError::new(name.span.clone(), format!("unknown score `{}`", name.name));
                    if let Some(h) =
                        did_you_mean(&name.name, self.this.scores.iter().map(|s| s.id.as_str()))
                    {
                        err = err.with_help(h);
                    }
                    return Err(err);
                };
                Ok(if func.name == "score" {
                    Typed::Num(Operand::Score(idx as u16))
                } else {
                    Typed::Band(idx as u16)
                })
            }
            "outcome" => {
                local_only("outcome")?;
                if in_show_if {
                    return Err(CondError::new(
                        func.span.clone(),
                        Msg::new(
                            "`outcome` kan niet in `show_if` staan",
                            "`outcome` cannot be used in `show_if`",
                        ),
                    ));
                }
                let Some(idx) = self.this.outcomes.iter().position(|o| o.id == name.name) else {
                    let mut err = CondError::new(
                        name.span.clone(),
                        Msg::new(
                            format!("onbekende uitkomst `{}`", name.name),
                            format!("unknown outcome `{}`", name.name),
                        ),
                    );
                    if let Some(h) =
                        did_you_mean(&name.name, self.this.outcomes.iter().map(|s| s.id.as_str()))
                    {
                        err = err.with_help(h);
                    }
                    return Err(err);
                };
                if let Place::OutcomeRule(current) = self.place
                    && idx >= current
                {
                    return Err(CondError::new(
                        name.span.clone(),
Msg::new(format!("uitkomst `{}` is op deze plek nog niet bepaald", name.name), format!("outcome `{}` is not derived yet at this point", name.name)),
                    )
                    .with_help(Msg::new("een regel van een uitkomst kan alleen uitkomsten gebruiken die ervoor staan", "an outcome rule can only use outcomes listed before it")));
                }
                Ok(Typed::Outcome(idx as u16))
            }
            "entries" => {
                local_only("section")?;
                let Some(idx) = self.this.section_index(&name.name) else {
                    let mut err = CondError::new(
                        name.span.clone(),
                        Msg::new(
                            format!("onbekend onderdeel `{}`", name.name),
                            format!("unknown section `{}`", name.name),
                        ),
                    );
                    if let Some(h) =
                        did_you_mean(&name.name, self.this.sections.iter().map(|s| s.id.as_str()))
                    {
                        err = err.with_help(h);
                    }
                    return Err(err);
                };
                if self.this.sections[idx].repeat.is_none() {
                    return Err(CondError::new(
                        name.span.clone(),
                        Msg::new(
                            format!(
                                "onderdeel `{}` is niet herhaalbaar en heeft dus geen invullingen om te tellen",
                                name.name
                            ),
                            format!(
                                "section `{}` is not repeatable, so it has no entries to count",
                                name.name
                            ),
                        ),
                    ));
                }
                Ok(Typed::Num(Operand::Entries(idx as u16)))
            }
            _ => unreachable!("checked against FUNCTIONS above"),
        }
    }

    fn option_bit(&self, item: &Item, value: &str, span: &Range<usize>) -> Result<u64, CondError> {
        match item.option_index(value) {
            Some(i) => Ok(1u64 << i),
            None => {
                let err = CondError::new(
                    span.clone(),
                    Msg::new(
                        format!("vraag `{}` heeft geen optie \"{value}\"", item.id),
                        format!("item `{}` has no option \"{value}\"", item.id),
                    ),
                );
                Err(err.with_help(
                    did_you_mean(value, item.options.iter().map(|o| o.id.as_str())).unwrap_or_else(
                        || {
                            let all = option_list(item);
                            Msg::new(
                                format!("de opties zijn {all}"),
                                format!("its options are {all}"),
                            )
                        },
                    ),
                ))
            }
        }
    }

    fn check_str(
        &self,
        typed: &Typed<'_>,
        value: &str,
        span: &Range<usize>,
    ) -> Result<Operand, CondError> {
        match typed {
            Typed::Band(s) => {
                let score = &self.this.scores[*s as usize];
                if !score.bands.iter().any(|b| b.id == value) {
                    let ids: Vec<&str> = score.bands.iter().map(|b| b.id.as_str()).collect();
                    return Err(CondError::new(
                        span.clone(),
                        Msg::new(
                            format!("score `{}` heeft geen grens \"{value}\"", score.id),
                            format!("score `{}` has no band \"{value}\"", score.id),
                        ),
                    )
                    .with_help(
                        did_you_mean(value, ids.iter().copied()).unwrap_or_else(|| {
                            let all = ids.join(", ");
                            Msg::new(
                                format!("de grenzen zijn {all}"),
                                format!("its bands are {all}"),
                            )
                        }),
                    ));
                }
                Ok(Operand::Text(value.into()))
            }
            Typed::Outcome(o) => {
                let outcome = &self.this.outcomes[*o as usize];
                if !outcome.rules.iter().any(|r| r.value == value) {
                    let ids: Vec<&str> = outcome.rules.iter().map(|r| r.value.as_str()).collect();
                    return Err(CondError::new(
                        span.clone(),
                        Msg::new(
                            format!("uitkomst `{}` heeft geen waarde \"{value}\"", outcome.id),
                            format!("outcome `{}` has no value \"{value}\"", outcome.id),
                        ),
                    )
                    .with_help(
                        did_you_mean(value, ids.iter().copied()).unwrap_or_else(|| {
                            let all = ids.join(", ");
                            Msg::new(
                                format!("de waarden zijn {all}"),
                                format!("its values are {all}"),
                            )
                        }),
                    ));
                }
                Ok(Operand::Text(value.into()))
            }
            Typed::Date(_) => parse_date(value).map(Operand::Date).ok_or_else(|| {
                CondError::new(
                    span.clone(),
                    Msg::new(
                        format!("\"{value}\" is geen datum"),
                        format!("\"{value}\" is not a date"),
                    ),
                )
                .with_help(Msg::new(
                    "schrijf datums als \"JJJJ-MM-DD\", bijvoorbeeld \"2026-03-04\"",
                    "write dates as \"YYYY-MM-DD\", for example \"2026-03-04\"",
                ))
            }),
            _ => Ok(Operand::Text(value.into())),
        }
    }

    fn mismatch(&self, span: Range<usize>, a: &Typed<'_>, b: &Typed<'_>) -> CondError {
        let mut err = CondError::new(
            span,
            Msg::new(
                format!(
                    "kan {} niet vergelijken met {}",
                    a.describe_nl(),
                    b.describe_nl()
                ),
                format!("cannot compare {} with {}", a.describe(), b.describe()),
            ),
        );
        if let Typed::Choice(_, item) = a {
            let all = option_list(item);
            err = err.with_help(Msg::new(
                format!("de opties van `{}` zijn {all}", item.id),
                format!("the options of `{}` are {all}", item.id),
            ));
        } else if let Typed::Multi(_, item) = a {
            let first = item.options.first().map_or("x", |o| o.id.as_str());
            err = err.with_help(Msg::new(
                format!(
                    "test een optie van een vraag met meer keuzes zo: `\"{first}\" in {}`",
                    item.id
                ),
                format!(
                    "to test an option of a multiple-choice item write `\"{first}\" in {}`",
                    item.id
                ),
            ));
        }
        err
    }

    fn cmp(&mut self, op: CmpOp, a: &'a Node, b: &'a Node) -> Result<Expr, CondError> {
        let ta = self.typed(a)?;
        let tb = self.typed(b)?;
        // Put the answer on the left: `"ja" == x` reads as `x == "ja"`.
        let (op, ta, tb, na, nb) = if ta.is_literal() && !tb.is_literal() {
            (flip(op), tb, ta, b, a)
        } else {
            (op, ta, tb, a, b)
        };
        let whole = a.span.start.min(b.span.start)..a.span.end.max(b.span.end);
        if ta.is_literal() {
            return Err(CondError::new(
                whole,
                Msg::new(
                    "dit vergelijkt twee vaste waarden",
                    "this compares two fixed values",
                ),
            )
            .with_help(Msg::new(
                "vergelijk een vraag, een score of een uitkomst met een waarde",
                "compare an item, a score or an outcome with a value",
            )));
        }
        let equality_only = |what: &str| -> Result<(), CondError> {
            if op.is_equality() {
                Ok(())
            } else {
                Err(CondError::new(
                    whole.clone(),
                    Msg::new(
                        format!(
                            "{} kan alleen met `==` of `!=` vergeleken worden",
                            match what {
                                "an answer with options" => "een antwoord met opties",
                                "a text answer" => "een tekstantwoord",
                                "a score band" => "een scoregrens",
                                _ => "een uitkomst",
                            }
                        ),
                        format!("{what} can only be compared with `==` or `!=`"),
                    ),
                )
                .with_help(Msg::new(
                    "gebruik `in [...]` om meer waarden toe te laten",
                    "use `in [...]` to allow several values",
                )))
            }
        };
        match (&ta, &tb) {
            (Typed::Num(x), Typed::Num(y)) => Ok(Expr::Cmp(op, x.clone(), y.clone())),
            (Typed::Num(x), Typed::NumLit(n)) => Ok(Expr::Cmp(op, x.clone(), Operand::Num(*n))),
            (Typed::Date(x), Typed::Date(y)) => Ok(Expr::Cmp(op, x.clone(), y.clone())),
            (Typed::Choice(r, item), Typed::StrLit(s)) => {
                equality_only("an answer with options")?;
                let set = self.option_bit(item, s, &nb.span)?;
                Ok(Expr::ChoiceIn {
                    item: *r,
                    set,
                    negated: op == CmpOp::Ne,
                })
            }
            (Typed::Text(x), Typed::StrLit(s)) => {
                equality_only("a text answer")?;
                Ok(Expr::Cmp(op, x.clone(), Operand::Text(s.as_str().into())))
            }
            (Typed::Date(x), Typed::StrLit(s)) => {
                let d = self.check_str(&ta, s, &nb.span)?;
                Ok(Expr::Cmp(op, x.clone(), d))
            }
            (Typed::Band(s), Typed::StrLit(v)) => {
                equality_only("a score band")?;
                let lit = self.check_str(&ta, v, &nb.span)?;
                Ok(Expr::Cmp(op, Operand::Band(*s), lit))
            }
            (Typed::Outcome(o), Typed::StrLit(v)) => {
                equality_only("an outcome")?;
                let lit = self.check_str(&ta, v, &nb.span)?;
                Ok(Expr::Cmp(op, Operand::Outcome(*o), lit))
            }
            _ => Err(self.mismatch(
                if tb.is_literal() {
                    nb.span.clone()
                } else {
                    na.span.clone().start..nb.span.end
                },
                &ta,
                &tb,
            )),
        }
    }

    fn contains(
        &mut self,
        needle: &'a Node,
        haystack: &'a Node,
        negated: bool,
    ) -> Result<Expr, CondError> {
        let tn = self.typed(needle)?;
        let th = self.typed(haystack)?;
        match (&tn, th) {
            (Typed::StrLit(s), Typed::Multi(r, item)) => {
                let bit = self.option_bit(item, s, &needle.span)?;
                Ok(Expr::Has {
                    item: r,
                    option: bit.trailing_zeros() as u8,
                    negated,
                })
            }
            (_, Typed::List(elems)) => {
                if elems.is_empty() {
                    return Err(CondError::new(
                        haystack.span.clone(),
                        Msg::new("de lijst is leeg", "the list is empty"),
                    ));
                }
                if let Typed::Choice(r, item) = &tn {
                    let mut set = 0;
                    for e in elems {
                        let Ast::Str(s) = &e.ast else {
                            return Err(self.mismatch(e.span.clone(), &tn, &self.literal(e)));
                        };
                        set |= self.option_bit(item, s, &e.span)?;
                    }
                    return Ok(Expr::ChoiceIn {
                        item: *r,
                        set,
                        negated,
                    });
                }
                let operand = match &tn {
                    Typed::Num(o) | Typed::Text(o) | Typed::Date(o) => o.clone(),
                    Typed::Band(s) => Operand::Band(*s),
                    Typed::Outcome(o) => Operand::Outcome(*o),
                    other => {
                        return Err(CondError::new(
                            needle.span.clone(),
                            Msg::new(
                                format!("`in [...]` kan {} niet testen", other.describe_nl()),
                                format!("`in [...]` cannot test {}", other.describe()),
                            ),
                        ));
                    }
                };
                let mut values = Vec::with_capacity(elems.len());
                for e in elems {
                    let v = match (&tn, &e.ast) {
                        (Typed::Num(_), Ast::Num(n)) => Operand::Num(*n),
                        (
                            Typed::Text(_) | Typed::Band(_) | Typed::Outcome(_) | Typed::Date(_),
                            Ast::Str(s),
                        ) => self.check_str(&tn, s, &e.span)?,
                        _ => return Err(self.mismatch(e.span.clone(), &tn, &self.literal(e))),
                    };
                    values.push(v);
                }
                Ok(Expr::In {
                    operand,
                    values: values.into_boxed_slice(),
                    negated,
                })
            }
            (_, other) => Err(CondError::new(
                haystack.span.clone(),
                Msg::new(
                    format!(
                        "`in` heeft een lijst `[...]` of een vraag met meer keuzes nodig, niet {}",
                        other.describe_nl()
                    ),
                    format!(
                        "`in` needs a list `[...]` or a multiple-choice item, not {}",
                        other.describe()
                    ),
                ),
            )),
        }
    }

    fn literal(&self, n: &'a Node) -> Typed<'a> {
        match &n.ast {
            Ast::Str(s) => Typed::StrLit(s.clone()),
            Ast::Num(x) => Typed::NumLit(*x),
            Ast::Bool(b) => Typed::BoolLit(*b),
            Ast::List(l) => Typed::List(l),
            _ => Typed::Bool(Expr::Const(false)),
        }
    }
}
