//! The roster operations and the sheet-status rules, on the bundled
//! checklists and Familie Kersenboom: Iris (moeder), Ruben (vader), Mila (2).
//! The child screening is its version 1 (tests/fixtures/checklists-v1),
//! whose age groups start at 3, so that Mila is outside every band of it
//! (version 2 has an observation list for 0 to 2).

use std::sync::Arc;

use time::PrimitiveDateTime;
use time::macros::{date, datetime};

use super::*;
use crate::checklist::Catalog;
use crate::visit::{Answer, derive};

const NOW: PrimitiveDateTime = datetime!(2026-12-05 10:00);

struct Kersenboom {
    visit: Visit,
    kind: Arc<Checklist>,
    ouder: Arc<Checklist>,
    in_use: Vec<Arc<Checklist>>,
}

/// The bundled checklists, with the child screening of version 1 (age
/// groups 3–6 and 7–17) in place of the bundled one.
fn catalog() -> Catalog {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/checklists-v1/trauma-kind.toml"
    );
    let file = crate::checklist::SourceFile {
        bytes: include_bytes!("../../../tests/fixtures/checklists-v1/trauma-kind.toml").to_vec(),
        origin: crate::checklist::model::Origin::File(path.to_string()),
        path: path.to_string(),
    };
    // A folder's older version does not replace a newer bundled one, so
    // the bundled child screening is left out.
    let bundled = crate::checklist::SourceFile::bundled()
        .into_iter()
        .filter(|f| !f.path.contains("trauma-kind"))
        .collect();
    let cat = Catalog::build(bundled, vec![file]);
    assert!(cat.problems.is_empty());
    assert_eq!(cat.get("trauma-kind").unwrap().version, 1);
    cat
}

fn kersenboom() -> Kersenboom {
    let cat = catalog();
    let kind = cat.get("trauma-kind").unwrap().clone();
    let ouder = cat.get("trauma-ouder").unwrap().clone();
    let veiligheid = cat.get("veiligheid").unwrap().clone();
    let mut visit = Visit::new("v1".into(), "Kersenboom".into(), date!(2026 - 12 - 05), NOW);
    visit.roster.children.push(Child {
        id: 1,
        alias: "Mila".into(),
        age: 2,
    });
    visit.roster.caregivers.push(Caregiver {
        id: 2,
        alias: "Iris".into(),
        role: "moeder".into(),
    });
    visit.roster.caregivers.push(Caregiver {
        id: 3,
        alias: "Ruben".into(),
        role: "vader".into(),
    });
    for c in [&veiligheid, &kind, &ouder] {
        visit.use_checklist(c);
    }
    let in_use = visit.checklists_in_use();
    Kersenboom {
        visit,
        kind,
        ouder,
        in_use,
    }
}

impl Kersenboom {
    fn sheet(&self, id: &str, person: Person) -> usize {
        self.visit
            .sheets
            .iter()
            .position(|s| s.checklist.id == id && s.person == person)
            .unwrap()
    }

    fn open(&self, sheet: usize) -> usize {
        derive(&self.visit).sheets[sheet].missing.len()
    }

    fn yes(&mut self, sheet: usize, item: &str) {
        let c = self.visit.sheets[sheet].checklist.clone();
        let i = c.item_index(item).unwrap();
        let o = c.items[i].option_index("ja").unwrap() as u16;
        self.visit
            .set_answer(sheet, i, None, Some(Answer::Choice(o)), NOW)
            .unwrap();
    }
}

#[test]
fn a_child_outside_every_band_gets_a_te_jong_sheet_with_nothing_to_answer() {
    let k = kersenboom();
    let mila = k.sheet("trauma-kind", Person::Child(1));
    let s = &k.visit.sheets[mila];
    assert_eq!(s.status, SheetStatus::OutsideBands);
    assert_eq!(
        s.status_reason.as_str(),
        "Mila (2) valt buiten de leeftijdsgroepen van Traumascreening kind (3 tot en met 17 jaar)"
    );
    let d = derive(&k.visit);
    assert!(d.sheets[mila].section_visible.iter().all(|v| !v));
    assert!(d.sheets[mila].missing.is_empty());
    let said = k.visit.outside_band_sheets();
    assert_eq!(said.len(), 1);
    assert_eq!(said[0].0, mila);
    assert_eq!(
        said[0].1.en,
        "Mila (2) is outside the age groups of Child trauma screening (3 to 17 years)"
    );
}

#[test]
fn bewust_niet_needs_a_reason_satisfies_the_required_items_and_keeps_answers() {
    let mut k = kersenboom();
    let ruben = k.sheet("trauma-ouder", Person::Caregiver(3));
    let open = k.open(ruben);
    assert!(open > 20, "Ruben's sheet starts with {open} open questions");
    let first = k.visit.sheets[ruben].checklist.items[0].id.clone();
    k.yes(ruben, &first);
    let open = k.open(ruben);
    assert_eq!(
        k.visit
            .set_status(ruben, SheetStatus::DeliberatelyNot, "  ", NOW),
        Err(RosterError::ReasonNeeded)
    );
    assert_eq!(k.visit.sheets[ruben].status, SheetStatus::Taken);
    k.visit
        .set_status(
            ruben,
            SheetStatus::DeliberatelyNot,
            " Iris is bang voor hem ",
            NOW,
        )
        .unwrap();
    let s = &k.visit.sheets[ruben];
    assert_eq!(s.status, SheetStatus::DeliberatelyNot);
    assert_eq!(s.status_reason.as_str(), "Iris is bang voor hem");
    assert!(s.answers[0].is_some(), "the answer given stays");
    assert_eq!(k.open(ruben), 0);
    assert!(k.visit.sheet_set_aside(ruben));
    // Iris's sheet is untouched.
    let iris = k.sheet("trauma-ouder", Person::Caregiver(2));
    assert!(k.open(iris) > 20);
    // Back to taken: open again, the reason gone, the answer still there.
    k.visit
        .set_status(ruben, SheetStatus::Taken, "", NOW)
        .unwrap();
    assert_eq!(k.open(ruben), open);
    assert_eq!(k.visit.sheets[ruben].status_reason.as_str(), "");
    assert!(k.visit.sheets[ruben].answers[0].is_some());
}

#[test]
fn te_jong_follows_the_age_and_the_visit_sheets_have_no_status() {
    let mut k = kersenboom();
    let mila = k.sheet("trauma-kind", Person::Child(1));
    assert_eq!(
        k.visit
            .set_status(mila, SheetStatus::NotPresent, "slaapt", NOW),
        Err(RosterError::OutsideBandsFollowsAge)
    );
    let ruben = k.sheet("trauma-ouder", Person::Caregiver(3));
    assert_eq!(
        k.visit
            .set_status(ruben, SheetStatus::OutsideBands, "x", NOW),
        Err(RosterError::OutsideBandsFollowsAge)
    );
    let visit_sheet = k.sheet("veiligheid", Person::Visit);
    assert_eq!(
        k.visit
            .set_status(visit_sheet, SheetStatus::Declined, "x", NOW),
        Err(RosterError::NotAPersonsSheet)
    );
}

#[test]
fn a_child_added_mid_visit_gets_the_per_child_sheets_in_use() {
    let mut k = kersenboom();
    let before = k.visit.sheets.len();
    let in_use = k.in_use.clone();
    let (p, change) = k.visit.add_child("Daan", 8, &in_use, NOW).unwrap();
    assert_eq!(change.sheets_added, 1);
    assert_eq!(k.visit.sheets.len(), before + 1);
    let daan = k.sheet("trauma-kind", p);
    assert_eq!(k.visit.sheets[daan].status, SheetStatus::Taken);
    assert_eq!(derive(&k.visit).sheets[daan].age_band, Some(1));
    assert!(k.open(daan) > 0);
    // Ids are never reused, and bad input is refused.
    assert_eq!(p, Person::Child(4));
    assert_eq!(
        k.visit.add_child(" ", 4, &in_use, NOW).err(),
        Some(RosterError::EmptyAlias)
    );
    assert_eq!(
        k.visit.add_child("Bo", 18, &in_use, NOW).err(),
        Some(RosterError::AgeOutOfRange)
    );
    let (oma, change) = k.visit.add_caregiver("Ans", "oma", &in_use, NOW).unwrap();
    assert_eq!(change.sheets_added, 1);
    k.sheet("trauma-ouder", oma);
    assert_eq!(
        k.visit.add_caregiver("Ans", "", &in_use, NOW).err(),
        Some(RosterError::EmptyRole)
    );
}

#[test]
fn an_age_corrected_across_a_band_edge_keeps_the_shared_answers() {
    let mut k = kersenboom();
    let in_use = k.in_use.clone();
    let (p, _) = k.visit.add_child("Daan", 8, &in_use, NOW).unwrap();
    let daan = k.sheet("trauma-kind", p);
    k.yes(daan, "afname_alleen"); // only for 7–17
    k.yes(daan, "ev_ongeluk"); // every band
    let Person::Child(id) = p else { unreachable!() };
    let change = k.visit.correct_child(id, "Daan", 6, NOW).unwrap();
    assert_eq!(change.band_changed, 1);
    let d = derive(&k.visit);
    let c = &k.kind;
    let alleen = c.item_index("afname_alleen").unwrap();
    let ongeluk = c.item_index("ev_ongeluk").unwrap();
    assert_eq!(d.sheets[daan].age_band, Some(0));
    assert!(d.sheets[daan].item_visible[ongeluk]);
    assert!(!d.sheets[daan].item_visible[alleen]);
    // Both answers stay in the sheet; only the shared one counts.
    assert!(k.visit.sheets[daan].answers[alleen].is_some());
    assert!(k.visit.sheets[daan].answers[ongeluk].is_some());
    // Out of every band: te_jong, nothing to answer, answers kept.
    let change = k.visit.correct_child(id, "Daan", 2, NOW).unwrap();
    assert_eq!(change.now_outside, 1);
    assert_eq!(k.visit.sheets[daan].status, SheetStatus::OutsideBands);
    assert_eq!(k.open(daan), 0);
    assert!(k.visit.sheets[daan].answers[ongeluk].is_some());
    // Back in: taken, and the old band's answer counts again.
    let change = k.visit.correct_child(id, "Daan", 9, NOW).unwrap();
    assert_eq!(change.back_inside, 1);
    assert_eq!(k.visit.sheets[daan].status, SheetStatus::Taken);
    assert_eq!(k.visit.sheets[daan].status_reason.as_str(), "");
    let d = derive(&k.visit);
    assert!(d.sheets[daan].item_visible[alleen]);
    // Mila, corrected to 3, comes inside the young band.
    let mila = k.sheet("trauma-kind", Person::Child(1));
    k.visit.correct_child(1, "Mila", 3, NOW).unwrap();
    assert_eq!(k.visit.sheets[mila].status, SheetStatus::Taken);
    assert!(k.open(mila) > 0);
    assert_eq!(
        k.visit.correct_child(99, "X", 3, NOW),
        Err(RosterError::NoSuchPerson)
    );
}

#[test]
fn a_removed_person_is_kept_aside_and_can_come_back() {
    let mut k = kersenboom();
    let ruben = k.sheet("trauma-ouder", Person::Caregiver(3));
    let first = k.visit.sheets[ruben].checklist.items[0].id.clone();
    k.yes(ruben, &first);
    let open = k.open(ruben);
    assert_eq!(
        k.visit.remove_person(Person::Caregiver(3), "", NOW),
        Err(RosterError::ReasonNeeded)
    );
    k.visit
        .remove_person(Person::Caregiver(3), "woont hier niet", NOW)
        .unwrap();
    assert!(k.visit.is_removed(Person::Caregiver(3)));
    assert_eq!(k.visit.removed[0].reason.as_str(), "woont hier niet");
    // Still on the roster (the sheet keeps his name), his answers kept,
    // his questions no longer open, and he no longer counts as a caregiver.
    assert!(k.visit.roster.caregiver(3).is_some());
    assert!(k.visit.sheets[ruben].answers[0].is_some());
    assert_eq!(k.open(ruben), 0);
    assert_eq!(k.visit.present_caregivers().count(), 1);
    assert_eq!(
        k.visit.remove_person(Person::Caregiver(3), "nogmaals", NOW),
        Err(RosterError::AlreadyRemoved)
    );
    // A checklist taken into use later gives him no new sheet.
    let ouder = k.ouder.clone();
    let n = k.visit.sheets.len();
    k.visit.use_checklist(&ouder);
    assert_eq!(k.visit.sheets.len(), n);
    // Undo: back, with his answers and open questions as before.
    k.visit.restore_person(Person::Caregiver(3), NOW).unwrap();
    assert!(!k.visit.is_removed(Person::Caregiver(3)));
    assert_eq!(k.open(ruben), open);
    assert_eq!(
        k.visit.restore_person(Person::Caregiver(3), NOW),
        Err(RosterError::NotRemoved)
    );
    assert_eq!(
        k.visit.remove_person(Person::Visit, "x", NOW),
        Err(RosterError::NoSuchPerson)
    );
}

#[test]
fn a_caregiver_is_corrected_in_place() {
    let mut k = kersenboom();
    k.visit
        .correct_caregiver(3, "Ruben", "partner", NOW)
        .unwrap();
    assert_eq!(k.visit.roster.caregiver(3).unwrap().role, "partner");
    assert_eq!(
        k.visit.correct_caregiver(3, "Ruben", " ", NOW),
        Err(RosterError::EmptyRole)
    );
    assert_eq!(k.visit.roster.caregiver(3).unwrap().role, "partner");
}

#[test]
fn a_sheet_not_taken_gives_no_scores_or_outcomes_to_the_office() {
    let mut k = kersenboom();
    let ruben = k.sheet("trauma-ouder", Person::Caregiver(3));
    k.visit
        .set_status(ruben, SheetStatus::DeliberatelyNot, "bang", NOW)
        .unwrap();
    let summary = crate::visit::record::summary(&k.visit, &derive(&k.visit));
    let about = |p: Person| {
        let p = crate::visit::record::PersonRecord::from(p);
        summary.outcomes.iter().filter(|o| o.person == p).count()
            + summary.scores.iter().filter(|s| s.person == p).count()
    };
    // Not "onvolledig" for Ruben or Mila: not screened, and the status says why.
    assert_eq!(about(Person::Caregiver(3)), 0);
    assert_eq!(about(Person::Child(1)), 0);
    assert!(about(Person::Caregiver(2)) > 0);
}
