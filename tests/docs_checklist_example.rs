//! The complete example in docs/CHECKLISTS.md validates as it stands.

use safevisit::checklist::catalog::validate;
use safevisit::checklist::model::Origin;
use safevisit::checklist::{Catalog, SourceFile};

fn example() -> String {
    example_under("## A complete example")
}

/// The first TOML block under a heading of docs/CHECKLISTS.md.
fn example_under(heading: &str) -> String {
    let doc = std::fs::read_to_string(format!("{}/docs/CHECKLISTS.md", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    let start = doc.find(heading).expect("section exists");
    let rest = &doc[start..];
    let open = rest.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let close = rest[open..].find("```").expect("closed");
    rest[open..open + close].to_string()
}

#[test]
fn the_complete_example_validates_and_loads() {
    let text = example();
    let file = SourceFile {
        path: "voorbeeld-kind.toml".into(),
        bytes: text.into_bytes(),
        origin: Origin::File("voorbeeld-kind.toml".into()),
    };
    let d = validate(vec![file.clone()]);
    assert!(
        d.is_empty(),
        "{}",
        d.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let cat = Catalog::build(SourceFile::bundled(), vec![file]);
    let c = cat.get("voorbeeld-kind").expect("offered");
    assert_eq!(c.age_bands.len(), 2);
    assert_eq!(c.sections.len(), 2);
    assert!(c.sections[1].repeat.is_some());
    assert_eq!(c.scores[0].bands.len(), 4);
}

#[test]
fn the_per_person_example_validates_and_fills_its_entries_from_the_roster() {
    use safevisit::visit::{Caregiver, Child, Person, Visit, derive};
    let file = SourceFile {
        path: "voorbeeld-gezin.toml".into(),
        bytes: example_under("## A second example: per person").into_bytes(),
        origin: Origin::File("voorbeeld-gezin.toml".into()),
    };
    let d = validate(vec![file.clone()]);
    assert!(
        d.is_empty(),
        "{}",
        d.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let cat = Catalog::build(SourceFile::bundled(), vec![file]);
    let c = cat.get("voorbeeld-gezin").expect("offered");
    let now = time::macros::datetime!(2026-03-04 10:00);
    let mut visit = Visit::new("v".into(), "Kersenboom".into(), now.date(), now);
    visit.roster.caregivers.push(Caregiver {
        id: 1,
        alias: "Iris".into(),
        role: "moeder".into(),
    });
    visit.roster.children.push(Child {
        id: 2,
        alias: "Mila".into(),
        age: 2,
    });
    visit.use_checklist(c);
    let per_kind = c.section_index("per_kind").unwrap();
    assert_eq!(
        visit.sheets[0].entry_person[per_kind],
        vec![Some(Person::Child(2))]
    );
    let derived = derive(&visit);
    let opvang = c.item_index("opvang").unwrap();
    assert!(derived.sheets[0].visible(c, opvang, None), "Mila is 2");
    let alleen = c.item_index("kv_alleen").unwrap();
    assert!(!derived.sheets[0].visible(c, alleen, Some(0)), "Mila is 2");
    let gehoord = c.outcomes.iter().position(|o| o.id == "gehoord").unwrap();
    assert_eq!(derived.sheets[0].outcome_value(c, gehoord), Some("niet"));
}
