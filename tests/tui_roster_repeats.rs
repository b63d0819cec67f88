//! A roster-driven repeatable section in the worker's app: each entry is
//! headed by its person from the roster, and the worker cannot add or
//! remove entries there (Alt-n, Alt-d say why, in Dutch and English).

mod tui_support;

use safevisit::checklist::model::Origin;
use safevisit::checklist::{Catalog, SourceFile};
use safevisit::i18n::Lang;
use safevisit::tui::memory_vault::MemoryVault;
use tui_support::{Harness, PASSPHRASE, start_appelboom};

/// The app with only the fixture `engine-gezin` offered, on Familie
/// Appelboom: Noor (5), Sem (11), Lotte (moeder), Bram (vader).
fn appelboom(lang: Lang) -> Harness {
    let f = "engine-gezin.toml";
    let path = format!(
        "{}/tests/fixtures/checklists/{f}",
        env!("CARGO_MANIFEST_DIR")
    );
    let catalog = Catalog::build(
        Vec::new(),
        vec![SourceFile {
            bytes: std::fs::read(&path).unwrap(),
            origin: Origin::File(f.to_string()),
            path: f.to_string(),
        }],
    );
    assert!(catalog.problems.is_empty());
    let mut h = Harness::with_catalog(
        lang,
        MemoryVault::with_passphrase(PASSPHRASE),
        true,
        catalog,
    );
    h.unlock();
    start_appelboom(&mut h);
    h
}

#[test]
fn each_entry_is_headed_by_its_person() {
    let mut h = appelboom(Lang::Nl);
    insta::assert_snapshot!("roster_entry_header_nl", h.screen());
    assert!(
        h.has("Hulp per gezinslid · Lotte (moeder)"),
        "{}",
        h.screen()
    );
    h.key("n").key("Tab");
    assert!(h.has("Hulp per gezinslid · Bram (vader)"), "{}", h.screen());
    h.key("n").key("Tab").key("n").key("Tab");
    assert!(h.has("Hulp per gezinslid · Sem (11)"), "{}", h.screen());
    // No "add another" stop: the next section follows the last person.
    h.key("n").key("Tab");
    assert!(h.has("De kijk van het kind · Noor (5)"), "{}", h.screen());
    assert!(!h.has("nog een toevoegen ("), "{}", h.screen());
}

#[test]
fn alt_n_and_alt_d_refuse_in_a_roster_section_and_say_why() {
    let mut h = appelboom(Lang::Nl);
    h.key("Alt-n");
    assert!(
        h.has("Niet toegevoegd: deze lijst heeft één deel per persoon uit"),
        "{}",
        h.screen()
    );
    assert!(
        h.has("Hulp per gezinslid · Lotte (moeder)"),
        "{}",
        h.screen()
    );
    h.key("Alt-d");
    assert!(
        h.has("Niet weggehaald: deze lijst heeft één deel"),
        "{}",
        h.screen()
    );
    assert!(
        !h.has("weghalen?"),
        "no confirmation is asked: {}",
        h.screen()
    );

    let mut h = appelboom(Lang::En);
    insta::assert_snapshot!("roster_entry_header_en", h.screen());
    h.key("Alt-n");
    assert!(
        h.has("Not added: this list has one part per person of the household"),
        "{}",
        h.screen()
    );
    h.key("Alt-d");
    assert!(
        h.has("Not removed: this list has one part per person"),
        "{}",
        h.screen()
    );
}
