//! The complete example in docs/CHECKLISTS.md validates as it stands.

use safevisit::checklist::catalog::validate;
use safevisit::checklist::model::Origin;
use safevisit::checklist::{Catalog, SourceFile};

fn example() -> String {
    let doc = std::fs::read_to_string(format!("{}/docs/CHECKLISTS.md", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    let start = doc.find("## A complete example").expect("section exists");
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
