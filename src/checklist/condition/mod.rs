//! The condition language of `show_if`, red flags and outcome rules.
//!
//! `parse` turns text into a syntax tree; `compile` type-checks it against
//! the checklist and resolves every name to an index; `Expr::eval` evaluates
//! the compiled form against an `Env` (the answers of one person's sheet).
//!
//! Semantics an author relies on: an item that is unanswered or hidden has
//! no value, and every comparison with a missing value is false — `!=`,
//! `not in` and `<` included. `not (x == "ja")` is true when `x` is missing;
//! `answered(x)` tests for a value.
//!
//! `previous(x)` reads the closed answer to `x` at the previous visit of the
//! case (kept in the case card, for the same person); in a first visit, or
//! when nothing was kept, it is missing like an unanswered item. `follow_up`
//! holds in a follow-up visit.
//!
//! Pure: no I/O, no clock.

pub mod aggregate;
pub mod compile;
pub mod parse;
pub mod previous;

pub use parse::{CmpOp, CondError};

/// A reference to an item's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemRef {
    /// `None`: this checklist; `Some(i)`: `Checklist::foreign[i]`.
    pub checklist: Option<u16>,
    pub item: u16,
    /// `previous(item)`: the item's answer at the previous visit of the
    /// case (always of this checklist), not its answer now.
    pub previous: bool,
}

/// A value a comparison reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Num(f64),
    Text(Box<str>),
    /// A date literal, as a Julian day number.
    Date(i32),
    Item(ItemRef),
    /// The current child's age.
    Age,
    Children,
    Caregivers,
    Score(u16),
    /// The id of the band a score falls in.
    Band(u16),
    /// The value of an outcome.
    Outcome(u16),
    /// The number of entries of a repeatable section (kept-aside entries
    /// of people removed from the roster do not count).
    Entries(u16),
    /// The number of options chosen in a multiple-choice item.
    Count(ItemRef),
    /// A fact of the visit's roster (`roster.youngest`, …).
    Roster(RosterFact),
    /// `person.age`: the age of the child an entry of a roster-driven
    /// section is about; missing for a caregiver.
    EntryAge,
    /// The number of entries of a repeatable section where a condition over
    /// the entry's items holds: `count(section, condition)`.
    CountWhere {
        section: u16,
        cond: Box<Expr>,
    },
    /// Numbers added: `a + b + …`; missing when any part is.
    Sum(Box<[Operand]>),
    /// `previous.value`: in an entry of a section repeated per scaling
    /// answer of the previous visit, the number given then.
    PreviousValue,
}

/// A fact of the roster that conditions can read. People removed from the
/// roster during the visit do not count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RosterFact {
    /// Children and caregivers together.
    People,
    /// The youngest child's age; missing without children.
    Youngest,
    /// The oldest child's age; missing without children.
    Oldest,
    /// The number of children younger than this age.
    ChildrenUnder(u8),
    /// The number of children of this age or older.
    ChildrenFrom(u8),
}

/// A compiled, type-checked condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Const(bool),
    And(Box<[Expr]>),
    Or(Box<[Expr]>),
    Not(Box<Expr>),
    Cmp(CmpOp, Operand, Operand),
    /// A single-option item (`==`, `!=`, `in`, `not in` against option ids),
    /// as a bit set of option indices.
    ChoiceIn {
        item: ItemRef,
        set: u64,
        negated: bool,
    },
    /// `"option" in multi_item`.
    Has {
        item: ItemRef,
        option: u8,
        negated: bool,
    },
    /// `x in [...]` for numbers and texts.
    In {
        operand: Operand,
        values: Box<[Operand]>,
        negated: bool,
    },
    Answered(ItemRef),
    /// `follow_up`: the visit follows an earlier visit of the same case.
    FollowUp,
    /// `any(section, condition)` (`all: false`) or `all(section, condition)`
    /// over the entries of a repeatable section. `all` over no entries holds.
    Aggregate {
        all: bool,
        section: u16,
        cond: Box<Expr>,
    },
}

/// The value of an operand while evaluating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val<'a> {
    Missing,
    Num(f64),
    /// Index of the chosen option.
    Choice(u16),
    /// Bit set of chosen options.
    Multi(u64),
    Text(&'a str),
    /// Julian day number.
    Date(i32),
}

/// What a condition can see while it is evaluated.
pub trait Env {
    /// The answer to an item, or `Val::Missing` when unanswered or hidden.
    fn item(&self, r: ItemRef) -> Val<'_>;
    fn age(&self) -> Option<u8>;
    fn children(&self) -> usize;
    fn caregivers(&self) -> usize;
    fn score(&self, score: u16) -> Option<i64>;
    fn band(&self, score: u16) -> Option<&str>;
    fn outcome(&self, outcome: u16) -> Option<&str>;
    fn entries(&self, section: u16) -> usize;
    fn roster(&self, fact: RosterFact) -> Option<u8>;
    /// The age of the child the current entry is about, if any.
    fn entry_age(&self) -> Option<u8>;
    /// Over the counted entries of a repeatable section: how many there
    /// are, and in how many `cond` holds (evaluated with the entry's items).
    fn aggregate(&self, section: u16, cond: &Expr) -> (usize, usize);
    /// Whether the visit is a follow-up of an earlier visit of the case.
    fn follow_up(&self) -> bool;
    /// The number of the previous visit's scaling answer the current entry
    /// is about, if any.
    fn previous_value(&self) -> Option<f64>;
}

impl Operand {
    fn value<'e, E: Env>(&'e self, env: &'e E) -> Val<'e> {
        match self {
            Operand::Num(n) => Val::Num(*n),
            Operand::Text(t) => Val::Text(t),
            Operand::Date(d) => Val::Date(*d),
            Operand::Item(r) => env.item(*r),
            Operand::Age => env.age().map_or(Val::Missing, |a| Val::Num(f64::from(a))),
            Operand::Children => Val::Num(env.children() as f64),
            Operand::Caregivers => Val::Num(env.caregivers() as f64),
            Operand::Score(s) => env.score(*s).map_or(Val::Missing, |v| Val::Num(v as f64)),
            Operand::Band(s) => env.band(*s).map_or(Val::Missing, Val::Text),
            Operand::Outcome(o) => env.outcome(*o).map_or(Val::Missing, Val::Text),
            Operand::Entries(s) => Val::Num(env.entries(*s) as f64),
            Operand::Count(r) => match env.item(*r) {
                Val::Multi(bits) => Val::Num(f64::from(bits.count_ones())),
                _ => Val::Missing,
            },
            Operand::Roster(f) => env
                .roster(*f)
                .map_or(Val::Missing, |n| Val::Num(f64::from(n))),
            Operand::EntryAge => env
                .entry_age()
                .map_or(Val::Missing, |a| Val::Num(f64::from(a))),
            Operand::CountWhere { section, cond } => {
                Val::Num(env.aggregate(*section, cond).1 as f64)
            }
            Operand::PreviousValue => env.previous_value().map_or(Val::Missing, Val::Num),
            Operand::Sum(parts) => {
                let mut total = 0.0;
                for p in parts.iter() {
                    match p.value(env) {
                        Val::Num(n) => total += n,
                        _ => return Val::Missing,
                    }
                }
                Val::Num(total)
            }
        }
    }
}

fn compare(op: CmpOp, a: Val<'_>, b: Val<'_>) -> bool {
    use std::cmp::Ordering;
    let ord = match (a, b) {
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(&y),
        (Val::Date(x), Val::Date(y)) => Some(x.cmp(&y)),
        (Val::Text(x), Val::Text(y)) => Some(x.cmp(y)),
        (Val::Choice(x), Val::Choice(y)) => Some(x.cmp(&y)),
        _ => None,
    };
    let Some(ord) = ord else { return false };
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }
}

impl Expr {
    /// Evaluate the condition.
    pub fn eval<E: Env>(&self, env: &E) -> bool {
        match self {
            Expr::Const(b) => *b,
            Expr::And(parts) => parts.iter().all(|p| p.eval(env)),
            Expr::Or(parts) => parts.iter().any(|p| p.eval(env)),
            Expr::Not(inner) => !inner.eval(env),
            Expr::Cmp(op, a, b) => compare(*op, a.value(env), b.value(env)),
            Expr::ChoiceIn { item, set, negated } => match env.item(*item) {
                Val::Choice(i) => (set & (1u64 << i) != 0) != *negated,
                _ => false,
            },
            Expr::Has {
                item,
                option,
                negated,
            } => match env.item(*item) {
                Val::Multi(bits) => (bits & (1u64 << option) != 0) != *negated,
                _ => false,
            },
            Expr::In {
                operand,
                values,
                negated,
            } => {
                let v = operand.value(env);
                if v == Val::Missing {
                    return false;
                }
                values.iter().any(|x| compare(CmpOp::Eq, v, x.value(env))) != *negated
            }
            Expr::Answered(r) => env.item(*r) != Val::Missing,
            Expr::FollowUp => env.follow_up(),
            Expr::Aggregate { all, section, cond } => {
                let (entries, holding) = env.aggregate(*section, cond);
                if *all {
                    holding == entries
                } else {
                    holding > 0
                }
            }
        }
    }

    /// Every item reference in the condition, in order.
    pub fn item_refs(&self, out: &mut Vec<ItemRef>) {
        fn operand(o: &Operand, out: &mut Vec<ItemRef>) {
            match o {
                Operand::Item(r) | Operand::Count(r) => out.push(*r),
                Operand::CountWhere { cond, .. } => cond.item_refs(out),
                Operand::Sum(parts) => parts.iter().for_each(|p| operand(p, out)),
                _ => {}
            }
        }
        match self {
            Expr::Const(_) | Expr::FollowUp => {}
            Expr::And(parts) | Expr::Or(parts) => parts.iter().for_each(|p| p.item_refs(out)),
            Expr::Not(inner) => inner.item_refs(out),
            Expr::Cmp(_, a, b) => {
                operand(a, out);
                operand(b, out);
            }
            Expr::ChoiceIn { item, .. } | Expr::Has { item, .. } | Expr::Answered(item) => {
                out.push(*item)
            }
            Expr::In {
                operand: o, values, ..
            } => {
                operand(o, out);
                values.iter().for_each(|v| operand(v, out));
            }
            Expr::Aggregate { cond, .. } => cond.item_refs(out),
        }
    }
}
