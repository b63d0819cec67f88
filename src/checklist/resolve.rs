//! The second loading phase: compiles every condition against the whole set
//! of checklists (qualified references may name another checklist), finds
//! cycles, and fixes the order in which visibility is derived.

use std::collections::HashMap;

use crate::checklist::condition::compile::Scope;
use crate::checklist::condition::{Expr, ItemRef};
use crate::checklist::diagnostic::{Diagnostic, Sink};
use crate::checklist::load::string_offset;
use crate::checklist::model::{Checklist, Condition, Place, VisNode};

/// Compile and check a set of checklists together. Returns the checklists
/// that passed and the diagnostics of those that did not. A checklist that
/// fails is left out, and the rest are checked again without it, so that no
/// surviving checklist refers to one that was dropped.
pub fn resolve(mut set: Vec<Checklist>) -> (Vec<Checklist>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    loop {
        let failed = resolve_once(&mut set);
        if failed.is_empty() {
            assign_ranks(&mut set);
            return (set, diagnostics);
        }
        let mut keep = Vec::with_capacity(set.len());
        for (i, c) in set.into_iter().enumerate() {
            match failed.get(&i) {
                Some(d) => diagnostics.extend(d.iter().cloned()),
                None => keep.push(c),
            }
        }
        set = keep;
    }
}

/// One pass; returns the diagnostics per failed checklist index.
fn resolve_once(set: &mut [Checklist]) -> HashMap<usize, Vec<Diagnostic>> {
    let mut failed = HashMap::new();
    let mut compiled: Vec<(Vec<Expr>, Vec<String>)> = Vec::with_capacity(set.len());
    {
        let all: Vec<&Checklist> = set.iter().collect();
        for (i, c) in set.iter().enumerate() {
            let mut sink = Sink::new(&c.path, &c.source);
            let mut foreign = Vec::new();
            let mut exprs = Vec::new();
            for cond in conditions(c) {
                let Some(ast) = &cond.ast else {
                    exprs.push(Expr::Const(false));
                    continue;
                };
                let mut scope = Scope::new(c, cond.place, &all, &mut foreign);
                match scope.condition(ast) {
                    Ok(e) => exprs.push(e),
                    Err(e) => {
                        let at = string_offset(&c.source, &cond.value_span, e.span.start);
                        let key = match cond.place {
                            Place::Flag(_) | Place::OutcomeRule(_) => "when",
                            _ => "show_if",
                        };
                        sink.push(at, format!("in `{key}`: {}", e.message), e.help);
                        exprs.push(Expr::Const(false));
                    }
                }
            }
            if !sink.diagnostics.is_empty() {
                failed.insert(i, sink.diagnostics);
            }
            compiled.push((exprs, foreign));
        }
    }
    for (c, (exprs, foreign)) in set.iter_mut().zip(compiled) {
        let mut exprs = exprs.into_iter();
        for cond in conditions_mut(c) {
            cond.expr = exprs.next().unwrap_or(Expr::Const(false));
        }
        c.foreign = foreign;
        c.previous_items = previous_items(c);
    }
    for (i, c) in set.iter_mut().enumerate() {
        match eval_order(c) {
            Ok(order) => c.eval_order = order,
            Err(d) => failed.entry(i).or_insert_with(Vec::new).push(d),
        }
    }
    for (i, d) in checklist_cycles(set) {
        failed.entry(i).or_insert_with(Vec::new).push(d);
    }
    failed
}

/// Every condition of a checklist in a fixed order.
fn conditions(c: &Checklist) -> impl Iterator<Item = &Condition> {
    let sections = c.sections.iter().filter_map(|s| s.show_if.as_ref());
    let items = c.items.iter().filter_map(|i| i.show_if.as_ref());
    let flags = c.red_flags.iter().map(|f| &f.when);
    let rules = c
        .outcomes
        .iter()
        .flat_map(|o| o.rules.iter().filter_map(|r| r.when.as_ref()));
    sections.chain(items).chain(flags).chain(rules)
}

fn conditions_mut(c: &mut Checklist) -> impl Iterator<Item = &mut Condition> {
    let sections = c.sections.iter_mut().filter_map(|s| s.show_if.as_mut());
    let items = c.items.iter_mut().filter_map(|i| i.show_if.as_mut());
    let flags = c.red_flags.iter_mut().map(|f| &mut f.when);
    let rules = c
        .outcomes
        .iter_mut()
        .flat_map(|o| o.rules.iter_mut().filter_map(|r| r.when.as_mut()));
    sections.chain(items).chain(flags).chain(rules)
}

fn local_refs(cond: Option<&Condition>) -> Vec<usize> {
    let mut refs: Vec<ItemRef> = Vec::new();
    if let Some(c) = cond {
        c.expr.item_refs(&mut refs);
    }
    // `previous(x)` reads the previous visit: no dependency now.
    refs.into_iter()
        .filter(|r| r.checklist.is_none() && !r.previous)
        .map(|r| r.item as usize)
        .collect()
}

/// The items a condition of the checklist reads with `previous(item)`, in
/// item order: the case card keeps their closed answers for the next visit.
fn previous_items(c: &Checklist) -> Vec<usize> {
    let mut refs: Vec<ItemRef> = Vec::new();
    for cond in conditions(c) {
        cond.expr.item_refs(&mut refs);
    }
    let mut items: Vec<usize> = refs
        .into_iter()
        .filter(|r| r.previous && r.checklist.is_none())
        .map(|r| r.item as usize)
        .collect();
    items.sort_unstable();
    items.dedup();
    items
}

/// Sections and items ordered so that whatever a `show_if` reads is derived
/// before it; an error if some `show_if` depends on itself.
fn eval_order(c: &Checklist) -> Result<Vec<VisNode>, Diagnostic> {
    let n_sections = c.sections.len();
    let node = |v: VisNode| match v {
        VisNode::Section(s) => s,
        VisNode::Item(i) => n_sections + i,
    };
    let deps = |v: VisNode| -> Vec<VisNode> {
        match v {
            VisNode::Section(s) => local_refs(c.sections[s].show_if.as_ref())
                .into_iter()
                .map(VisNode::Item)
                .collect(),
            VisNode::Item(i) => {
                let mut d = vec![VisNode::Section(c.items[i].section)];
                d.extend(
                    local_refs(c.items[i].show_if.as_ref())
                        .into_iter()
                        .map(VisNode::Item),
                );
                d
            }
        }
    };
    // 0 = new, 1 = on the stack, 2 = done
    let mut state = vec![0u8; n_sections + c.items.len()];
    let mut order = Vec::with_capacity(state.len());
    let roots: Vec<VisNode> = (0..n_sections)
        .map(VisNode::Section)
        .chain((0..c.items.len()).map(VisNode::Item))
        .collect();
    for root in roots {
        if state[node(root)] != 0 {
            continue;
        }
        // Iterative depth-first search, keeping the path for the message.
        let mut stack: Vec<(VisNode, Vec<VisNode>, usize)> = vec![(root, deps(root), 0)];
        state[node(root)] = 1;
        while let Some(top) = stack.last_mut() {
            if top.2 < top.1.len() {
                let next = top.1[top.2];
                top.2 += 1;
                match state[node(next)] {
                    0 => {
                        state[node(next)] = 1;
                        let d = deps(next);
                        stack.push((next, d, 0));
                    }
                    1 => {
                        let start = stack.iter().position(|f| f.0 == next).unwrap_or(0);
                        let path: Vec<VisNode> = stack[start..].iter().map(|f| f.0).collect();
                        return Err(cycle_diagnostic(c, &path, next));
                    }
                    _ => {}
                }
            } else {
                state[node(top.0)] = 2;
                order.push(top.0);
                stack.pop();
            }
        }
    }
    Ok(order)
}

fn vis_name(c: &Checklist, v: VisNode) -> String {
    match v {
        VisNode::Section(s) => format!("section `{}`", c.sections[s].id),
        VisNode::Item(i) => format!("`{}`", c.items[i].id),
    }
}

fn cycle_diagnostic(c: &Checklist, path: &[VisNode], back: VisNode) -> Diagnostic {
    let names: Vec<String> = path
        .iter()
        .chain(std::iter::once(&back))
        .map(|v| vis_name(c, *v))
        .collect();
    // Point at the first `show_if` on the cycle.
    let cond = path.iter().find_map(|v| match v {
        VisNode::Section(s) => c.sections[*s].show_if.as_ref(),
        VisNode::Item(i) => c.items[*i].show_if.as_ref(),
    });
    let mut sink = Sink::new(&c.path, &c.source);
    let at = cond.map_or(0, |cond| cond.value_span.start);
    sink.push(
        at,
        format!("`show_if` depends on itself: {}", names.join(" → ")),
        Some(
            "whether an item is shown cannot depend, directly or through others, on itself".into(),
        ),
    );
    sink.diagnostics.remove(0)
}

/// Checklists that refer to each other in a circle cannot be derived in any
/// order; each one on such a circle is reported.
fn checklist_cycles(set: &[Checklist]) -> Vec<(usize, Diagnostic)> {
    let index: HashMap<&str, usize> = set
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut out = Vec::new();
    for (start, c) in set.iter().enumerate() {
        // Is `start` reachable from itself?
        let mut seen = vec![false; set.len()];
        let mut stack: Vec<(usize, Vec<usize>)> = vec![(start, vec![start])];
        let mut found: Option<Vec<usize>> = None;
        while let Some((at, path)) = stack.pop() {
            for f in &set[at].foreign {
                let Some(&next) = index.get(f.as_str()) else {
                    continue;
                };
                if next == start {
                    found = Some(path.clone());
                    break;
                }
                if !seen[next] {
                    seen[next] = true;
                    let mut p = path.clone();
                    p.push(next);
                    stack.push((next, p));
                }
            }
            if found.is_some() {
                break;
            }
        }
        if let Some(path) = found {
            let names: Vec<&str> = path
                .iter()
                .chain(std::iter::once(&start))
                .map(|&i| set[i].id.as_str())
                .collect();
            let mut sink = Sink::new(&c.path, &c.source);
            sink.push(
                0,
                format!(
                    "checklists refer to each other in a circle: {}",
                    names.join(" → ")
                ),
                Some("one of them must stop referring to the other".into()),
            );
            out.push((start, sink.diagnostics.remove(0)));
        }
    }
    out
}

/// Give each checklist a rank above every checklist it refers to, so that a
/// visit derives its sheets in rank order. The set has no cycles here.
fn assign_ranks(set: &mut [Checklist]) {
    fn rank_of(i: usize, set: &[Checklist], memo: &mut [Option<u32>]) -> u32 {
        if let Some(r) = memo[i] {
            return r;
        }
        memo[i] = Some(0); // guards against a cycle, which resolve has excluded
        let r = set[i]
            .foreign
            .iter()
            .filter_map(|f| set.iter().position(|c| &c.id == f))
            .map(|j| rank_of(j, set, memo) + 1)
            .max()
            .unwrap_or(0);
        memo[i] = Some(r);
        r
    }
    let mut memo = vec![None; set.len()];
    let ranks: Vec<u32> = (0..set.len()).map(|i| rank_of(i, set, &mut memo)).collect();
    for (c, r) in set.iter_mut().zip(ranks) {
        c.rank = r;
    }
}
