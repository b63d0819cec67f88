use safevisit::checklist::Catalog;

#[test]
fn every_bundled_checklist_loads_without_problems() {
    let cat = Catalog::bundled();
    for p in &cat.problems {
        for d in &p.diagnostics {
            eprintln!("{d}");
        }
    }
    assert!(cat.problems.is_empty(), "bundled checklists have problems");
    assert!(cat.get("veiligheid").is_some());
}
