//! Property tests: the TOML loader, the condition parser and the validator
//! never panic, whatever they are fed; derivations keep their invariants for
//! any answers.

use proptest::prelude::*;
use safevisit::checklist::catalog::{BUNDLED, validate};
use safevisit::checklist::condition::parse::parse;
use safevisit::checklist::load::read_file;
use safevisit::checklist::model::{ItemKind, Origin};
use safevisit::checklist::{Catalog, SourceFile};
use safevisit::visit::{Answer, Child, Person, SecretText, Visit, derive};
use time::macros::{date, datetime};

fn file(bytes: Vec<u8>) -> SourceFile {
    SourceFile {
        path: "p.toml".into(),
        bytes,
        origin: Origin::File("p.toml".into()),
    }
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/checklists/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn seeds() -> Vec<String> {
    let mut v: Vec<String> = BUNDLED.iter().map(|(_, t)| t.to_string()).collect();
    v.push(fixture("engine-kind.toml"));
    v.push(fixture("engine-bezoek.toml"));
    v
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    ReplaceWord(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let words = prop::sample::select(vec![
        "\"",
        "'",
        "[",
        "]",
        "[[sections]]",
        "[[sections.items]]",
        "{",
        "}",
        "=",
        "==",
        "and",
        "not",
        "(",
        ")",
        "show_if",
        "kind",
        "yes_no",
        "x",
        "ja",
        "1",
        "-3",
        "1e400",
        "\n",
        "\u{0}",
        "é",
        "\\",
        "#",
        "id",
        "\"\"\"",
        "answered(",
        "score(",
        "band(",
        "age",
        ".",
        "in [",
        "true",
    ]);
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), words.clone()).prop_map(|(a, w)| Mutation::Insert(a, w.to_string())),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), words).prop_map(|(a, w)| Mutation::ReplaceWord(a, w.to_string())),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut s = text.to_string();
    let boundary = |s: &str, at: usize| {
        let mut at = at % (s.len() + 1);
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    match m {
        Mutation::Delete(a, n) => {
            let start = boundary(&s, *a);
            let end = boundary(&s, (start + n).min(s.len()));
            s.replace_range(start..end.max(start), "");
        }
        Mutation::Insert(a, w) => {
            let at = boundary(&s, *a);
            s.insert_str(at, w);
        }
        Mutation::DuplicateLine(a) => {
            let mut lines: Vec<&str> = s.lines().collect();
            if !lines.is_empty() {
                let i = a % lines.len();
                lines.insert(i, lines[i]);
            }
            s = lines.join("\n");
        }
        Mutation::SwapLines(a, b) => {
            let mut lines: Vec<&str> = s.lines().collect();
            if !lines.is_empty() {
                let (i, j) = (a % lines.len(), b % lines.len());
                lines.swap(i, j);
            }
            s = lines.join("\n");
        }
        Mutation::ReplaceWord(a, w) => {
            let words: Vec<(usize, &str)> = s.split_word_bound_indices_compat();
            if !words.is_empty() {
                let (i, old) = words[a % words.len()];
                let old = old.to_string();
                s.replace_range(i..i + old.len(), w);
            }
        }
    }
    s
}

trait WordBounds {
    fn split_word_bound_indices_compat(&self) -> Vec<(usize, &str)>;
}

impl WordBounds for String {
    fn split_word_bound_indices_compat(&self) -> Vec<(usize, &str)> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in self.char_indices() {
            let word = c.is_alphanumeric() || c == '_';
            match (word, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    out.push((s, &self[s..i]));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((s, &self[s..]));
        }
        out
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn loader_survives_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_file("p.toml", &bytes, Origin::File("p.toml".into()));
    }

    #[test]
    fn loader_survives_random_text(text in "\\PC{0,300}") {
        let _ = validate(vec![file(text.into_bytes())]);
    }

    #[test]
    fn condition_parser_survives_random_text(text in "[a-z_\\.\\(\\)\\[\\]\"' =!<>,0-9-]{0,80}") {
        let _ = parse(&text);
    }

    #[test]
    fn validator_survives_mutated_valid_files(seed in 0usize..4, muts in prop::collection::vec(mutation(), 1..6)) {
        let seeds = seeds();
        let mut text = seeds[seed % seeds.len()].clone();
        for m in &muts {
            text = apply(&text, m);
        }
        let diagnostics = validate(vec![file(text.clone().into_bytes())]);
        // Every diagnostic points inside the file.
        let lines = text.lines().count().max(1) + 1;
        for d in &diagnostics {
            prop_assert!(d.line >= 1 && d.line <= lines, "{d}");
            prop_assert!(d.column >= 1);
        }
    }
}

fn engine_catalog() -> Catalog {
    let files = ["engine-kind.toml", "engine-bezoek.toml"]
        .iter()
        .map(|n| file(fixture(n).into_bytes()))
        .enumerate()
        .map(|(i, mut f)| {
            f.path = format!("f{i}.toml");
            f
        })
        .collect();
    Catalog::build(Vec::new(), files)
}

/// An arbitrary answer for an item, valid or not.
fn answer_for(kind: &ItemKind, options: usize, pick: u64, text: &str) -> Answer {
    match kind {
        k if k.is_single_option() => Answer::Choice((pick % (options as u64 + 1)) as u16),
        ItemKind::Multi => Answer::Multi(pick & ((1u64 << (options + 1)) - 1)),
        ItemKind::Scale { min, max, .. } => {
            Answer::Number((min + (pick as i64 % (max - min + 3))) as f64 - 1.0)
        }
        ItemKind::Number { .. } => Answer::Number((pick % 300) as f64 - 50.0),
        ItemKind::Date => Answer::Date(date!(2026 - 01 - 01)),
        _ => Answer::Text(SecretText::new(text)),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn derivations_keep_their_invariants(
        ages in prop::collection::vec(0u8..18, 0..4),
        picks in prop::collection::vec(any::<u64>(), 40),
        entries in 0usize..4,
        text in "[a-z ]{0,6}",
    ) {
        let cat = engine_catalog();
        prop_assert!(cat.problems.is_empty());
        let now = datetime!(2026-03-04 10:00);
        let mut v = Visit::new("v".into(), "Kersenboom".into(), date!(2026 - 03 - 04), now);
        v.roster.children = ages.iter().enumerate().map(|(i, &age)| Child { id: i as u32 + 1, alias: format!("kind{i}"), age }).collect();
        for c in cat.all() {
            v.use_checklist(c);
        }
        let mut p = picks.iter().cycle();
        for s in 0..v.sheets.len() {
            let c = v.sheets[s].checklist.clone();
            for (si, sec) in c.sections.iter().enumerate() {
                if sec.repeat.is_some() {
                    for _ in 0..entries {
                        let _ = v.add_entry(s, si, now);
                    }
                }
            }
            for (i, it) in c.items.iter().enumerate() {
                let a = answer_for(&it.kind, it.options.len(), *p.next().unwrap(), &text);
                let entry = c.in_repeat(i).then_some(0);
                // Invalid answers are refused, never stored.
                let _ = v.set_answer(s, i, entry, Some(a), now);
            }
        }
        let d = derive(&v);
        prop_assert_eq!(d.sheets.len(), v.sheets.len());
        for (sheet, sd) in v.sheets.iter().zip(&d.sheets) {
            let c = &sheet.checklist;
            for m in &sd.missing {
                prop_assert!(c.items[m.item].required);
                prop_assert!(sd.visible(c, m.item, m.entry));
                prop_assert!(sheet.answer(m.item, m.entry).is_none());
            }
            for (i, it) in c.items.iter().enumerate() {
                if sd.item_visible[i] {
                    prop_assert!(sd.section_visible[it.section]);
                }
            }
            for (score, sv) in c.scores.iter().zip(&sd.scores) {
                prop_assert!(sv.answered <= sv.visible);
                prop_assert!(sv.value >= score.range.0 && sv.value <= score.range.1);
                // Validated bands cover every reachable value; nothing answered, no band.
                prop_assert_eq!(sv.band.is_some(), sv.answered > 0);
            }
            for f in &sd.flags {
                if let Some(i) = c.red_flags[f.flag].item {
                    prop_assert!(sd.visible(c, i, f.entry));
                }
            }
            // A child outside every band has a te_jong sheet with nothing
            // to answer.
            if let Person::Child(id) = sheet.person
                && !c.admits_age(v.roster.child(id).unwrap().age)
            {
                prop_assert_eq!(sheet.status, safevisit::visit::SheetStatus::OutsideBands);
                prop_assert!(sd.section_visible.iter().all(|x| !x));
                prop_assert!(sd.missing.is_empty());
            }
        }
        // Raising flags twice adds nothing the second time.
        let mut v2 = v.clone();
        v2.raise_new_flags(&d, now);
        prop_assert!(v2.raise_new_flags(&d, now).is_empty());
    }
}
