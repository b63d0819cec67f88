//! Re-deriving a visit after one answer on a 300-item checklist, and loading
//! and validating the bundled checklists.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/big_checklist.rs"]
mod big_checklist;
use big_checklist::big_checklist;
use safevisit::checklist::model::Origin;
use safevisit::checklist::{Catalog, SourceFile};
use safevisit::visit::{Answer, Visit, derive};
use time::macros::{date, datetime};

fn visit_with_answers() -> (Visit, usize) {
    let text = big_checklist();
    let cat = Catalog::build(
        Vec::new(),
        vec![SourceFile {
            path: "groot.toml".into(),
            bytes: text.into_bytes(),
            origin: Origin::File("groot.toml".into()),
        }],
    );
    assert!(cat.problems.is_empty(), "{:?}", cat.problems);
    let c = cat.get("groot").unwrap().clone();
    assert_eq!(c.items.len(), 300);
    let now = datetime!(2026-03-04 10:00);
    let mut v = Visit::new("v".into(), "Appelboom".into(), date!(2026 - 03 - 04), now);
    v.use_checklist(&c);
    // Half of the items answered.
    for i in (0..300).step_by(2) {
        let a = match i % 3 {
            0 => Answer::Choice((i % 2) as u16),
            1 => Answer::Number((i % 4) as f64),
            _ => Answer::Text(safevisit::visit::SecretText::new("Sem verstopt zich")),
        };
        v.set_answer(0, i, None, Some(a), now).unwrap();
    }
    (v, c.item_index("i4_0").unwrap())
}

/// A visit-level checklist that leans on the roster: a section per family
/// member (10 yes/no items, half behind a `show_if` in the entry) and a
/// summary of 40 items, each shown by an aggregate over the entries or a
/// roster fact; outcomes and flags read aggregates too.
fn roster_checklist() -> String {
    let mut t = String::from(
        r#"id = "rooster"
version = 1
applies_to = "visit"
title = { nl = "Rooster", en = "Roster" }
description = { nl = "Bank.", en = "Bench." }
notice = { nl = "Beslisondersteuning.", en = "Decision support." }

[[sections]]
id = "leden"
title = { nl = "Per gezinslid", en = "Per family member" }
repeat = { per = "person" }
"#,
    );
    for i in 0..10 {
        let show = if i % 2 == 1 {
            format!("show_if = 'p{} == \"ja\"'\n", i - 1)
        } else {
            String::new()
        };
        t += &format!(
            "\n[[sections.items]]\nid = \"p{i}\"\nkind = \"yes_no\"\nrequired = true\n{show}text = {{ nl = \"P{i}\", en = \"P{i}\" }}\n"
        );
    }
    t += "\n[[sections]]\nid = \"samen\"\ntitle = { nl = \"Samen\", en = \"Together\" }\n";
    for i in 0..40 {
        let p = i % 10;
        let cond = match i % 4 {
            0 => format!("any(leden, p{p} == \"ja\")"),
            1 => format!("all(leden, answered(p{p}))"),
            2 => format!("count(leden, p{p} == \"nee\") >= roster.children_under(12) + 1"),
            _ => "roster.youngest < 4 or count(leden) < roster.people".to_string(),
        };
        t += &format!(
            "\n[[sections.items]]\nid = \"s{i}\"\nkind = \"yes_no\"\nshow_if = '{cond}'\ntext = {{ nl = \"S{i}\", en = \"S{i}\" }}\n"
        );
    }
    for i in 0..5 {
        t += &format!(
            "\n[[red_flags]]\nid = \"f{i}\"\nwhen = 'count(leden, p{i} == \"ja\") > roster.caregivers'\nlevel = \"attention\"\nmessage = {{ nl = \"F\", en = \"F\" }}\naction = {{ nl = \"A\", en = \"A\" }}\n"
        );
    }
    t += "\n[[outcomes]]\nid = \"o\"\ntitle = { nl = \"O\", en = \"O\" }\n";
    for i in 0..9 {
        t += &format!(
            "\n[[outcomes.rules]]\nwhen = 'all(leden, p{i} == \"ja\")'\nvalue = \"v{i}\"\nlabel = {{ nl = \"V\", en = \"V\" }}\n"
        );
    }
    t += "\n[[outcomes.rules]]\nvalue = \"rest\"\nlabel = { nl = \"R\", en = \"R\" }\n";
    t
}

/// Familie Kersenboom grown large: two caregivers and six children, half
/// of every entry answered.
fn roster_visit() -> Visit {
    use safevisit::visit::{Caregiver, Child};
    let cat = Catalog::build(
        Vec::new(),
        vec![SourceFile {
            path: "rooster.toml".into(),
            bytes: roster_checklist().into_bytes(),
            origin: Origin::File("rooster.toml".into()),
        }],
    );
    assert!(cat.problems.is_empty(), "{:?}", cat.problems);
    let c = cat.get("rooster").unwrap().clone();
    let now = datetime!(2026-03-04 10:00);
    let mut v = Visit::new("v".into(), "Kersenboom".into(), date!(2026 - 03 - 04), now);
    for (id, alias, role) in [(1, "Iris", "moeder"), (2, "Ruben", "vader")] {
        v.roster.caregivers.push(Caregiver {
            id,
            alias: alias.into(),
            role: role.into(),
        });
    }
    for (id, age) in (3..9).zip([2u8, 4, 7, 9, 12, 15]) {
        v.roster.children.push(Child {
            id,
            alias: format!("Kind {id}"),
            age,
        });
    }
    v.use_checklist(&c);
    for e in 0..8 {
        for i in (0..10).step_by(2) {
            let a = Answer::Choice(((e + i) % 2) as u16);
            v.set_answer(0, i, Some(e), Some(a), now).unwrap();
        }
    }
    v
}

fn bench(c: &mut Criterion) {
    let (mut v, item) = visit_with_answers();
    let now = datetime!(2026-03-04 10:01);
    let mut flip = 0u16;
    c.bench_function("derive after one answer (300 items)", |b| {
        b.iter(|| {
            flip ^= 1;
            v.set_answer(0, item, None, Some(Answer::Choice(flip)), now)
                .unwrap();
            black_box(derive(black_box(&v)))
        })
    });
    let mut v = roster_visit();
    c.bench_function(
        "derive after one answer (8 roster entries, 40 aggregates)",
        |b| {
            b.iter(|| {
                flip ^= 1;
                v.set_answer(0, 2, Some(3), Some(Answer::Choice(flip)), now)
                    .unwrap();
                black_box(derive(black_box(&v)))
            })
        },
    );
    c.bench_function("load and validate the bundled checklists", |b| {
        b.iter(|| black_box(Catalog::bundled()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
