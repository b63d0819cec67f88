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
    c.bench_function("load and validate the bundled checklists", |b| {
        b.iter(|| black_box(Catalog::bundled()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
