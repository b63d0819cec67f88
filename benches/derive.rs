//! Re-deriving a visit after one answer on a 300-item checklist, and loading
//! and validating the bundled checklists.

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use safevisit::checklist::model::Origin;
use safevisit::checklist::{Catalog, SourceFile};
use safevisit::visit::{Answer, Visit, derive};
use time::macros::{date, datetime};

/// A 300-item checklist: 10 sections of 30 items, a third of them behind a
/// `show_if`, yes/no items with red flags, a scored scale per section with
/// bands, and outcomes that read the scores.
fn big_checklist() -> String {
    let mut s = String::from(
        "id = \"groot\"\nversion = 1\napplies_to = \"visit\"\ntitle = { nl = \"Groot\", en = \"Big\" }\n\
         description = { nl = \"x\", en = \"x\" }\nnotice = { nl = \"x\", en = \"x\" }\n",
    );
    for sec in 0..10 {
        let _ = write!(
            s,
            "\n[[sections]]\nid = \"s{sec}\"\ntitle = {{ nl = \"S{sec}\", en = \"S{sec}\" }}\n"
        );
        for i in 0..30 {
            let id = format!("i{sec}_{i}");
            let kind = match i % 3 {
                0 => "kind = \"yes_no\"\npoints = { ja = 1 }",
                1 => {
                    "kind = \"scale\"\nmin = 0\nmax = 3\nmin_label = { nl = \"nooit\", en = \"never\" }\nmax_label = { nl = \"vaak\", en = \"often\" }"
                }
                _ => "kind = \"short_text\"",
            };
            let _ = write!(
                s,
                "\n[[sections.items]]\nid = \"{id}\"\n{kind}\nrequired = true\ntext = {{ nl = \"Vraag {id}\", en = \"Question {id}\" }}\n"
            );
            if i % 3 == 1 {
                let _ = writeln!(
                    s,
                    "show_if = 'i{sec}_{} == \"ja\" or i{sec}_{} != \"nee\"'",
                    i - 1,
                    i - 1
                );
            }
            if i % 3 == 0 && i % 2 == 0 {
                let _ = write!(
                    s,
                    "\n[[sections.items.red_flags]]\nid = \"f{id}\"\nwhen = '{id} == \"ja\"'\nlevel = \"attention\"\n\
                     message = {{ nl = \"m\", en = \"m\" }}\naction = {{ nl = \"a\", en = \"a\" }}\n"
                );
            }
        }
    }
    for sec in 0..10 {
        let _ = write!(
            s,
            "\n[[scores]]\nid = \"sc{sec}\"\ntitle = {{ nl = \"t\", en = \"t\" }}\nsections = [\"s{sec}\"]\n\
             \n[[scores.bands]]\nid = \"laag\"\nfrom = 0\nto = 20\nlabel = {{ nl = \"l\", en = \"l\" }}\nmeaning = {{ nl = \"m\", en = \"m\" }}\n\
             \n[[scores.bands]]\nid = \"hoog\"\nfrom = 21\nlabel = {{ nl = \"h\", en = \"h\" }}\nmeaning = {{ nl = \"m\", en = \"m\" }}\n"
        );
    }
    let _ = write!(
        s,
        "\n[[outcomes]]\nid = \"o\"\ntitle = {{ nl = \"o\", en = \"o\" }}\n\
         \n[[outcomes.rules]]\nwhen = 'band(sc0) == \"hoog\" or score(sc1) > 30'\nvalue = \"a\"\nlabel = {{ nl = \"a\", en = \"a\" }}\n\
         \n[[outcomes.rules]]\nwhen = 'answered(i0_0) and i0_0 == \"ja\"'\nvalue = \"b\"\nlabel = {{ nl = \"b\", en = \"b\" }}\n\
         \n[[outcomes.rules]]\nvalue = \"c\"\nlabel = {{ nl = \"c\", en = \"c\" }}\n"
    );
    s
}

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
