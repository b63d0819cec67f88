//! Record format 3: a sheet's status and reason, the roster member of an
//! entry, and people removed from the roster survive a save and a reload.

mod common;

use common::{Case, Family, now};
use safevisit::store::envelope::{decode_record, encode_record};
use safevisit::visit::{Person, Removed, SecretText, SheetStatus, Visit};

#[test]
fn status_entry_person_and_removals_survive_a_reload() {
    let mut case = Case::family(Family::Kersenboom, &["veiligheid", "trauma-ouder"]);
    let ruben = case.sheet("trauma-ouder", "Ruben");
    let v = &mut case.visit;
    v.sheets[ruben].status = SheetStatus::DeliberatelyNot;
    v.sheets[ruben].status_reason = SecretText::new("Iris is bang voor Ruben");
    let safety = v
        .sheets
        .iter()
        .position(|s| s.checklist.id == "veiligheid")
        .unwrap();
    let section = v.sheets[safety]
        .checklist
        .sections
        .iter()
        .position(|s| s.repeat.as_ref().is_some_and(|r| r.per.is_none()))
        .unwrap();
    let mila = v.roster.children[0].id;
    let e = v.add_entry(safety, section, now()).unwrap();
    v.sheets[safety].entry_person[section][e] = Some(Person::Child(mila));
    let second = v.add_entry(safety, section, now()).unwrap();
    v.removed.push(Removed {
        person: Person::Caregiver(v.roster.caregivers[1].id),
        reason: SecretText::new("bij vergissing ingevoerd"),
        at: now(),
    });

    let bytes = encode_record(&v.to_record()).unwrap();
    let rec = decode_record(&bytes).unwrap();
    let cat = common::catalog();
    let (back, _) = Visit::from_record(&rec, |id| cat.get(id).cloned()).unwrap();

    let ruben_back = back
        .sheets
        .iter()
        .find(|s| s.checklist.id == "trauma-ouder" && s.person == v.sheets[ruben].person)
        .unwrap();
    assert_eq!(ruben_back.status, SheetStatus::DeliberatelyNot);
    assert_eq!(ruben_back.status_reason.as_str(), "Iris is bang voor Ruben");
    let iris_back = back
        .sheets
        .iter()
        .find(|s| s.checklist.id == "trauma-ouder" && s.person != v.sheets[ruben].person)
        .unwrap();
    assert_eq!(iris_back.status, SheetStatus::Taken);
    let safety_back = back
        .sheets
        .iter()
        .find(|s| s.checklist.id == "veiligheid")
        .unwrap();
    assert_eq!(
        safety_back.entry_person[section],
        vec![Some(Person::Child(mila)), None]
    );
    assert_eq!(second, 1);
    assert_eq!(back.removed, v.removed);
}

#[test]
fn removing_an_entry_keeps_the_people_of_the_others() {
    let mut case = Case::family(Family::Kersenboom, &["veiligheid"]);
    let v = &mut case.visit;
    let section = v.sheets[0]
        .checklist
        .sections
        .iter()
        .position(|s| s.repeat.as_ref().is_some_and(|r| r.per.is_none()))
        .unwrap();
    for (i, child) in [Some(Person::Child(1)), None, Some(Person::Child(7))]
        .into_iter()
        .enumerate()
    {
        assert_eq!(v.add_entry(0, section, now()).unwrap(), i);
        v.sheets[0].entry_person[section][i] = child;
    }
    v.remove_entry(0, section, 1, now()).unwrap();
    assert_eq!(
        v.sheets[0].entry_person[section],
        vec![Some(Person::Child(1)), Some(Person::Child(7))]
    );
    assert_eq!(v.sheets[0].entries[section].len(), 2);
}

#[test]
fn every_status_has_a_key_that_reads_back() {
    for s in SheetStatus::ALL {
        assert_eq!(SheetStatus::from_key(s.key()), Some(s));
    }
    assert_eq!(SheetStatus::from_key("onbekend"), None);
}
