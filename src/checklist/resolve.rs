//! The second loading phase: compiles every condition against the whole set
//! of checklists (qualified references may name another checklist), finds
//! cycles, and fixes the order in which visibility is derived.

use std::collections::HashMap;

use crate::checklist::condition::CondError;
use crate::checklist::condition::compile::Scope;
use crate::checklist::condition::{Expr, ItemRef};
use crate::checklist::diagnostic::{Diagnostic, Location, Msg, Sink, codes};
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
                let result = scope.condition(ast);
                let mut errors = std::mem::take(&mut scope.errors);
                match result {
                    Ok(e) => exprs.push(e),
                    Err(e) => {
                        errors.insert(0, e);
                        exprs.push(Expr::Const(false));
                    }
                }
                let key = match cond.place {
                    Place::Flag(_) | Place::OutcomeRule(_) => "when",
                    _ => "show_if",
                };
                for e in errors {
                    report_condition_error(&mut sink, key, &cond.value_span, e);
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
            Err(d) => failed.entry(i).or_insert_with(Vec::new).push(*d),
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
fn eval_order(c: &Checklist) -> Result<Vec<VisNode>, Box<Diagnostic>> {
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
                        return Err(Box::new(cycle_diagnostic(c, &path, next)));
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

/// An error inside a condition string, at its place in the file.
pub(crate) fn report_condition_error(
    sink: &mut Sink<'_>,
    key: &str,
    value_span: &std::ops::Range<usize>,
    e: CondError,
) {
    let start = string_offset(sink.src, value_span, e.span.start);
    let end = string_offset(sink.src, value_span, e.span.end).max(start);
    let message = e
        .message
        .prefixed(&format!("in `{key}`: "), &format!("in `{key}`: "));
    sink.report(e.code, &(start..end), message, e.help.map(|h| *h));
}

fn vis_name(c: &Checklist, v: VisNode) -> (String, String) {
    match v {
        VisNode::Section(s) => (
            format!("onderdeel `{}`", c.sections[s].id),
            format!("section `{}`", c.sections[s].id),
        ),
        VisNode::Item(i) => (
            format!("`{}`", c.items[i].id),
            format!("`{}`", c.items[i].id),
        ),
    }
}

/// The byte range, in the file, of the first whole-word `name` in the
/// text of a condition (or of the whole string when it is not found).
fn name_in_condition(src: &str, cond: &Condition, name: &str) -> std::ops::Range<usize> {
    let text = &cond.text;
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.';
    let found = text.match_indices(name).find(|(i, _)| {
        let before = text[..*i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(|c| c != '.' && is_word(c))
    });
    match found {
        Some((i, _)) => {
            string_offset(src, &cond.value_span, i)
                ..string_offset(src, &cond.value_span, i + name.len())
        }
        None => cond.value_span.clone(),
    }
}

fn cycle_diagnostic(c: &Checklist, path: &[VisNode], back: VisNode) -> Diagnostic {
    let steps: Vec<VisNode> = path.iter().copied().chain(std::iter::once(back)).collect();
    let names: Vec<(String, String)> = steps.iter().map(|v| vis_name(c, *v)).collect();
    let chain = |nl: bool| {
        names
            .iter()
            .map(|(n, e)| if nl { n.as_str() } else { e.as_str() })
            .collect::<Vec<_>>()
            .join(" → ")
    };
    // Each step `a → b` is a `show_if` of `a` that names `b` (or an item
    // in a section, which is shown only with its section: no place then).
    let mut places: Vec<(std::ops::Range<usize>, Msg)> = Vec::new();
    for w in steps.windows(2) {
        let (from, to) = (w[0], w[1]);
        let cond = match from {
            VisNode::Section(s) => c.sections[s].show_if.as_ref(),
            VisNode::Item(i) => c.items[i].show_if.as_ref(),
        };
        let (Some(cond), VisNode::Item(j)) = (cond, to) else {
            continue;
        };
        let (from_nl, from_en) = vis_name(c, from);
        let (to_nl, to_en) = vis_name(c, to);
        places.push((
            name_in_condition(&c.source, cond, &c.items[j].id),
            Msg::new(
                format!("{from_nl} hangt af van {to_nl}"),
                format!("{from_en} depends on {to_en}"),
            ),
        ));
    }
    let mut sink = Sink::new(&c.path, &c.source);
    let primary = places.first().map_or(0..0, |p| p.0.clone());
    sink.report(
        codes::SHOW_IF_CYCLE,
        &primary,
        Msg::new(
            format!("`show_if` hangt van zichzelf af: {}", chain(true)),
            format!("`show_if` depends on itself: {}", chain(false)),
        ),
        Some(Msg::new(
            "of iets getoond wordt, kan niet (direct of via andere vragen) van zichzelf afhangen",
            "whether an item is shown cannot depend, directly or through others, on itself",
        )),
    );
    let mut d = sink.diagnostics.remove(0);
    for (span, label) in places {
        let at = sink.locate(span);
        d = d.with_secondary(at, label);
    }
    d
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
            let id_span = c.id_span.clone();
            let circle = names.join(" → ");
            sink.report(
                codes::CHECKLIST_CIRCLE,
                &id_span,
                Msg::new(
                    format!("checklists verwijzen in een kring naar elkaar: {circle}"),
                    format!("checklists refer to each other in a circle: {circle}"),
                ),
                Some(Msg::new(
                    "een van hen moet ophouden naar de ander te verwijzen",
                    "one of them must stop referring to the other",
                )),
            );
            let mut d = sink.diagnostics.remove(0);
            // Each step of the circle: a condition of one that names the next.
            let mut ring = path.clone();
            ring.push(start);
            for w in ring.windows(2) {
                let (a, b) = (&set[w[0]], &set[w[1]]);
                let qualified = format!("{}.", b.id);
                if let Some(cond) = conditions(a).find(|k| k.text.contains(&qualified)) {
                    let span = name_in_condition(&a.source, cond, &b.id);
                    d = d.with_secondary(
                        Location::of(&a.path, &a.source, span),
                        Msg::new(
                            format!("`{}` verwijst naar `{}`", a.id, b.id),
                            format!("`{}` refers to `{}`", a.id, b.id),
                        ),
                    );
                }
            }
            out.push((start, d));
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
