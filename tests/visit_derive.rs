//! The visit model's derivations on a checklist that uses every engine
//! feature: visibility, age bands, hidden answers, repeatable sections,
//! qualified references, scores with per-age-band bands, outcomes, flags.

use std::sync::Arc;

use safevisit::checklist::model::Origin;
use safevisit::checklist::{Catalog, Checklist, SourceFile};
use safevisit::visit::{Answer, Caregiver, Child, Person, SecretText, SheetStatus, Visit, derive};
use time::macros::{date, datetime};

const NOW: time::PrimitiveDateTime = datetime!(2026-03-04 10:00);

fn catalog() -> Catalog {
    let files = ["engine-kind.toml", "engine-bezoek.toml"]
        .iter()
        .map(|f| {
            let path = format!(
                "{}/tests/fixtures/checklists/{f}",
                env!("CARGO_MANIFEST_DIR")
            );
            SourceFile {
                bytes: std::fs::read(&path).unwrap(),
                origin: Origin::File(path.clone()),
                path,
            }
        })
        .collect();
    let cat = Catalog::build(Vec::new(), files);
    for p in &cat.problems {
        for d in &p.diagnostics {
            eprintln!("{d}");
        }
    }
    assert!(cat.problems.is_empty());
    cat
}

struct Fixture {
    visit: Visit,
    kind: Arc<Checklist>,
    bezoek: Arc<Checklist>,
}

/// Familie Appelboom: Noor (5) and Sem (11), Lotte and Bram.
fn appelboom() -> Fixture {
    let cat = catalog();
    let kind = cat.get("engine-kind").unwrap().clone();
    let bezoek = cat.get("engine-bezoek").unwrap().clone();
    let mut visit = Visit::new("v1".into(), "Appelboom".into(), date!(2026 - 03 - 04), NOW);
    visit.roster.children = vec![
        Child {
            id: 1,
            alias: "Noor".into(),
            age: 5,
        },
        Child {
            id: 2,
            alias: "Sem".into(),
            age: 11,
        },
    ];
    visit.roster.caregivers = vec![
        Caregiver {
            id: 3,
            alias: "Lotte".into(),
            role: "moeder".into(),
        },
        Caregiver {
            id: 4,
            alias: "Bram".into(),
            role: "vader".into(),
        },
    ];
    visit.use_checklist(&bezoek);
    visit.use_checklist(&kind);
    Fixture {
        visit,
        kind,
        bezoek,
    }
}

impl Fixture {
    fn sheet(&self, id: &str, person: Person) -> usize {
        self.visit
            .sheets
            .iter()
            .position(|s| s.checklist.id == id && s.person == person)
            .unwrap()
    }

    fn item(&self, c: &Checklist, id: &str) -> usize {
        c.item_index(id).unwrap()
    }

    fn choose(&mut self, sheet: usize, item: &str, option: &str) {
        let c = self.visit.sheets[sheet].checklist.clone();
        let i = self.item(&c, item);
        let o = c.items[i].option_index(option).unwrap() as u16;
        self.visit
            .set_answer(sheet, i, None, Some(Answer::Choice(o)), NOW)
            .unwrap();
    }

    fn set(&mut self, sheet: usize, item: &str, entry: Option<usize>, a: Option<Answer>) {
        let c = self.visit.sheets[sheet].checklist.clone();
        let i = self.item(&c, item);
        self.visit.set_answer(sheet, i, entry, a, NOW).unwrap();
    }
}

#[test]
fn a_per_child_checklist_gets_a_sheet_per_child_and_outside_the_bands_says_so() {
    let mut f = appelboom();
    // A child of 2 is outside both bands: a sheet with status te_jong and
    // nothing to answer, never a silent absence.
    f.visit.roster.children.push(Child {
        id: 9,
        alias: "Mila".into(),
        age: 2,
    });
    let kind = f.kind.clone();
    f.visit.use_checklist(&kind);
    let persons: Vec<(Person, SheetStatus)> = f
        .visit
        .sheets
        .iter()
        .filter(|s| s.checklist.id == "engine-kind")
        .map(|s| (s.person, s.status))
        .collect();
    assert_eq!(
        persons,
        vec![
            (Person::Child(1), SheetStatus::Taken),
            (Person::Child(2), SheetStatus::Taken),
            (Person::Child(9), SheetStatus::OutsideBands),
        ]
    );
    let d = derive(&f.visit);
    let mila = &d.sheets[f.sheet("engine-kind", Person::Child(9))];
    assert_eq!(mila.age_band, None);
    assert!(mila.missing.is_empty());
    assert!(mila.item_visible.iter().all(|v| !v));
    assert_eq!(
        d.sheets[f.sheet("engine-kind", Person::Child(1))].age_band,
        Some(0)
    );
    assert_eq!(
        d.sheets[f.sheet("engine-kind", Person::Child(2))].age_band,
        Some(1)
    );
    // The wording follows the age band.
    let gesproken = &kind.items[kind.item_index("gesproken").unwrap()];
    assert_eq!(gesproken.text_for(Some(0)).nl, "Gesproken met de ouder?");
    assert_eq!(gesproken.text_for(Some(1)).nl, "Gesproken?");
}

#[test]
fn show_if_age_and_age_bands_decide_visibility() {
    let mut f = appelboom();
    let noor = f.sheet("engine-kind", Person::Child(1));
    let sem = f.sheet("engine-kind", Person::Child(2));
    let alleen = f.item(&f.kind.clone(), "alleen");
    let d = derive(&f.visit);
    assert!(
        !d.sheets[sem].item_visible[alleen],
        "hidden until gesproken == ja"
    );
    f.choose(noor, "gesproken", "ja");
    f.choose(sem, "gesproken", "ja");
    let d = derive(&f.visit);
    assert!(
        !d.sheets[noor].item_visible[alleen],
        "Noor (5) is not in band `oud`"
    );
    assert!(
        d.sheets[sem].item_visible[alleen],
        "Sem (11) is in band `oud` and over 8"
    );
    // Required and visible, so missing for Sem only.
    assert!(d.sheets[sem].missing.iter().any(|m| m.item == alleen));
    assert!(!d.sheets[noor].missing.iter().any(|m| m.item == alleen));
}

#[test]
fn hidden_answers_are_kept_but_count_for_nothing() {
    let mut f = appelboom();
    let sem = f.sheet("engine-kind", Person::Child(2));
    let kind = f.kind.clone();
    f.choose(sem, "gesproken", "ja");
    f.choose(sem, "alleen", "ja");
    f.set(
        sem,
        "woorden",
        None,
        Some(Answer::Text(SecretText::new("ik verstop me op mijn kamer"))),
    );
    let woorden = f.item(&kind, "woorden");
    assert!(derive(&f.visit).sheets[sem].item_visible[woorden]);
    // Hiding `alleen` hides `woorden` too (a chain of show_if).
    f.choose(sem, "gesproken", "nee");
    let d = derive(&f.visit);
    let alleen = f.item(&kind, "alleen");
    assert!(!d.sheets[sem].item_visible[alleen]);
    assert!(!d.sheets[sem].item_visible[woorden]);
    assert!(d.sheets[sem].missing.iter().all(|m| m.item != alleen));
    // ...and the answers are still there.
    assert!(f.visit.sheets[sem].answers[woorden].is_some());
    f.choose(sem, "gesproken", "ja");
    assert!(derive(&f.visit).sheets[sem].item_visible[woorden]);
}

#[test]
fn scores_use_points_and_bands_per_age_band() {
    let mut f = appelboom();
    let noor = f.sheet("engine-kind", Person::Child(1));
    let sem = f.sheet("engine-kind", Person::Child(2));
    // bang (2) + boos (1) = 3, scale value 1 → 1 point: 4 in all.
    for s in [noor, sem] {
        f.set(s, "gevoel", None, Some(Answer::Multi(0b011)));
        f.set(s, "cijfer", None, Some(Answer::Number(1.0)));
    }
    let d = derive(&f.visit);
    let n = &d.sheets[noor].scores[0];
    let s = &d.sheets[sem].scores[0];
    assert_eq!((n.value, s.value), (4, 4));
    assert_eq!((n.answered, n.visible), (2, 2));
    let kind = f.kind.clone();
    let bands = &kind.scores[0].bands;
    // 4 is `hoog` for 3–6 (from 4) but `laag` for 7–17 (up to 5).
    assert_eq!(bands[n.band.unwrap()].id, "hoog");
    assert_eq!(bands[n.band.unwrap()].age_band, Some(0));
    assert_eq!(bands[s.band.unwrap()].id, "laag");
    // Edges for 7–17: 5 laag, 6 hoog; scale weights 0/1/3/5.
    f.set(sem, "cijfer", None, Some(Answer::Number(2.0))); // 3 + 3 = 6
    let d = derive(&f.visit);
    assert_eq!(d.sheets[sem].scores[0].value, 6);
    assert_eq!(bands[d.sheets[sem].scores[0].band.unwrap()].id, "hoog");
    f.set(sem, "gevoel", None, Some(Answer::Multi(0b010))); // 1 + 3 = 4... boos only
    f.set(sem, "cijfer", None, Some(Answer::Number(2.0)));
    let d = derive(&f.visit);
    assert_eq!(d.sheets[sem].scores[0].value, 4);
    f.set(sem, "gevoel", None, Some(Answer::Multi(0b001))); // bang 2 + 3 = 5
    let d = derive(&f.visit);
    assert_eq!(d.sheets[sem].scores[0].value, 5);
    assert_eq!(bands[d.sheets[sem].scores[0].band.unwrap()].id, "laag");
}

#[test]
fn outcomes_take_the_first_rule_that_holds_and_may_use_earlier_outcomes() {
    let mut f = appelboom();
    let noor = f.sheet("engine-kind", Person::Child(1));
    let kind = f.kind.clone();
    let value = |f: &Fixture, o: usize| {
        derive(&f.visit).sheets[noor]
            .outcome_value(&kind, o)
            .map(str::to_string)
    };
    assert_eq!(value(&f, 0).as_deref(), Some("onbekend"));
    assert_eq!(value(&f, 1).as_deref(), Some("nee"));
    f.set(noor, "cijfer", None, Some(Answer::Number(0.0)));
    assert_eq!(value(&f, 0).as_deref(), Some("volgen"));
    f.set(noor, "cijfer", None, Some(Answer::Number(2.0))); // 3 points: laag
    assert_eq!(value(&f, 0).as_deref(), Some("volgen"));
    f.set(noor, "cijfer", None, Some(Answer::Number(3.0))); // 5 points: hoog for 3–6
    assert_eq!(value(&f, 0).as_deref(), Some("verwijzen"));
    assert_eq!(
        value(&f, 1).as_deref(),
        Some("ja"),
        "outcome(advies) == verwijzen"
    );
}

#[test]
fn qualified_references_read_the_visit_level_sheet() {
    let mut f = appelboom();
    let bezoek = f.sheet("engine-bezoek", Person::Visit);
    let noor = f.sheet("engine-kind", Person::Child(1));
    let extra = f.kind.section_index("extra").unwrap();
    assert!(!derive(&f.visit).sheets[noor].section_visible[extra]);
    f.choose(bezoek, "gezien", "nee");
    let d = derive(&f.visit);
    assert!(d.sheets[noor].section_visible[extra]);
    let waarom = f.kind.item_index("waarom").unwrap();
    assert!(d.sheets[noor].missing.iter().any(|m| m.item == waarom));
    // `!=` with a missing answer is false: unanswered shows no explanation.
    let toel = f.bezoek.item_index("toelichting").unwrap();
    assert!(d.sheets[bezoek].item_visible[toel]);
    f.visit
        .set_answer(
            bezoek,
            f.bezoek.item_index("gezien").unwrap(),
            None,
            None,
            NOW,
        )
        .unwrap();
    assert!(!derive(&f.visit).sheets[bezoek].item_visible[toel]);
}

#[test]
fn repeatable_sections_have_entries_with_their_own_visibility_and_flags() {
    let mut f = appelboom();
    let noor = f.sheet("engine-kind", Person::Child(1));
    let sec = f.kind.section_index("afspraken").unwrap();
    let e0 = f.visit.add_entry(noor, sec, NOW).unwrap();
    let e1 = f.visit.add_entry(noor, sec, NOW).unwrap();
    f.set(
        noor,
        "wie",
        Some(e0),
        Some(Answer::Text(SecretText::new("Lotte"))),
    );
    f.set(noor, "dringend", Some(e1), Some(Answer::Choice(0)));
    let d = derive(&f.visit);
    let waarom = f.kind.item_index("waarom_dringend").unwrap();
    let wie = f.kind.item_index("wie").unwrap();
    assert!(!d.sheets[noor].visible(&f.kind, waarom, Some(e0)));
    assert!(d.sheets[noor].visible(&f.kind, waarom, Some(e1)));
    // Missing: `wie` of entry 1 and `waarom_dringend` of entry 1.
    let missing: Vec<(usize, Option<usize>)> = d.sheets[noor]
        .missing
        .iter()
        .map(|m| (m.item, m.entry))
        .collect();
    assert!(missing.contains(&(wie, Some(e1))));
    assert!(missing.contains(&(waarom, Some(e1))));
    assert!(!missing.contains(&(wie, Some(e0))));
    // A flag fires per entry.
    f.set(
        noor,
        "waarom_dringend",
        Some(e1),
        Some(Answer::Text(SecretText::new("nu"))),
    );
    let d = derive(&f.visit);
    let flag = f
        .kind
        .red_flags
        .iter()
        .position(|x| x.id == "dringend")
        .unwrap();
    assert!(
        d.sheets[noor]
            .flags
            .iter()
            .any(|x| x.flag == flag && x.entry == Some(e1))
    );
    // entries(afspraken) >= 2 makes outcome `herhaal` yes.
    assert_eq!(d.sheets[noor].outcome_value(&f.kind, 1), Some("ja"));
    // At most three entries.
    f.visit.add_entry(noor, sec, NOW).unwrap();
    assert!(f.visit.add_entry(noor, sec, NOW).is_err());
    // Removing entry 0 moves the raised flag's entry along with the answers.
    let new = f.visit.raise_new_flags(&d, NOW);
    assert_eq!(new.len(), 1);
    f.visit.remove_entry(noor, sec, e0, NOW).unwrap();
    assert_eq!(f.visit.flags[0].entry, Some(0));
    let d = derive(&f.visit);
    assert!(
        d.sheets[noor]
            .flags
            .iter()
            .any(|x| x.flag == flag && x.entry == Some(0))
    );
}

#[test]
fn flags_are_raised_once_and_keep_their_acknowledgement() {
    let mut f = appelboom();
    let noor = f.sheet("engine-kind", Person::Child(1));
    let sem = f.sheet("engine-kind", Person::Child(2));
    f.set(noor, "gevoel", None, Some(Answer::Multi(0b001)));
    let d = derive(&f.visit);
    assert_eq!(f.visit.raise_new_flags(&d, NOW), vec![0]);
    assert!(f.visit.raise_new_flags(&d, NOW).is_empty(), "raised once");
    assert_eq!(f.visit.unacknowledged_flags().count(), 1);
    assert!(
        f.visit
            .acknowledge_flag(0, SecretText::new("doorgevraagd"), NOW)
    );
    assert_eq!(f.visit.unacknowledged_flags().count(), 0);
    // The flag stays listed when its answer changes.
    f.set(noor, "gevoel", None, Some(Answer::Multi(0b100)));
    let d = derive(&f.visit);
    assert!(d.sheets[noor].flags.is_empty());
    assert_eq!(f.visit.flags.len(), 1);
    // Checklist-level flag: score >= 6 and two children.
    f.set(sem, "gevoel", None, Some(Answer::Multi(0b011)));
    f.set(sem, "cijfer", None, Some(Answer::Number(2.0)));
    let d = derive(&f.visit);
    let veel = f
        .kind
        .red_flags
        .iter()
        .position(|x| x.id == "veel_last")
        .unwrap();
    assert!(
        d.sheets[sem]
            .flags
            .iter()
            .any(|x| x.flag == veel && x.entry.is_none())
    );
    // Sem's `bang` and the checklist-level flag are new; the more urgent first.
    let new = f.visit.raise_new_flags(&d, NOW);
    assert_eq!(new.len(), 2);
    assert_eq!(f.visit.flags[new[0]].flag, "veel_last");
    assert_eq!(
        f.visit.flags[new[0]].level,
        safevisit::checklist::model::FlagLevel::Structural
    );
    assert_eq!(f.visit.flags[new[1]].flag, "bang");
    assert_eq!(f.visit.flags[new[1]].person, Person::Child(2));
}

#[test]
fn answers_that_do_not_fit_their_item_are_refused() {
    let mut f = appelboom();
    let noor = f.sheet("engine-kind", Person::Child(1));
    let kind = f.kind.clone();
    let cijfer = kind.item_index("cijfer").unwrap();
    let gewicht = kind.item_index("gewicht").unwrap();
    let gevoel = kind.item_index("gevoel").unwrap();
    let gesproken = kind.item_index("gesproken").unwrap();
    let v = &mut f.visit;
    assert!(
        v.set_answer(noor, cijfer, None, Some(Answer::Number(4.0)), NOW)
            .is_err()
    );
    assert!(
        v.set_answer(noor, cijfer, None, Some(Answer::Number(1.5)), NOW)
            .is_err()
    );
    assert!(
        v.set_answer(noor, gewicht, None, Some(Answer::Number(-1.0)), NOW)
            .is_err()
    );
    assert!(
        v.set_answer(noor, gewicht, None, Some(Answer::Number(f64::NAN)), NOW)
            .is_err()
    );
    assert!(
        v.set_answer(noor, gewicht, None, Some(Answer::Number(20.5)), NOW)
            .is_ok()
    );
    assert!(
        v.set_answer(noor, gevoel, None, Some(Answer::Multi(0b1000)), NOW)
            .is_err()
    );
    assert!(
        v.set_answer(noor, gesproken, None, Some(Answer::Choice(2)), NOW)
            .is_err()
    );
    assert!(
        v.set_answer(noor, gesproken, None, Some(Answer::Number(1.0)), NOW)
            .is_err()
    );
    let wie = kind.item_index("wie").unwrap();
    assert!(
        v.set_answer(
            noor,
            wie,
            None,
            Some(Answer::Text(SecretText::new("x"))),
            NOW
        )
        .is_err(),
        "repeat items need an entry"
    );
}

#[test]
fn records_round_trip_and_keep_answers_that_no_longer_fit() {
    let mut f = appelboom();
    let noor = f.sheet("engine-kind", Person::Child(1));
    let sec = f.kind.section_index("afspraken").unwrap();
    f.choose(noor, "gesproken", "ja");
    f.set(
        noor,
        "sinds",
        None,
        Some(Answer::Date(date!(2026 - 01 - 15))),
    );
    f.set(noor, "gevoel", None, Some(Answer::Multi(0b101)));
    let e = f.visit.add_entry(noor, sec, NOW).unwrap();
    f.set(
        noor,
        "wie",
        Some(e),
        Some(Answer::Text(SecretText::new("Bram"))),
    );
    let cat = catalog();
    let rec = f.visit.to_record();
    let (back, notes) = Visit::from_record(&rec, |id| cat.get(id).cloned()).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(back.to_record(), rec);
    // A record naming an option the checklist no longer has keeps it aside.
    let mut old = rec.clone();
    let s = old
        .sheets
        .iter_mut()
        .find(|s| s.checklist.id == "engine-kind")
        .unwrap();
    s.answers
        .iter_mut()
        .find(|a| a.item == "gesproken")
        .unwrap()
        .value = safevisit::visit::record::AnswerValue::Choice("misschien".into());
    s.checklist.hash = "0".repeat(64);
    let (back, notes) = Visit::from_record(&old, |id| cat.get(id).cloned()).unwrap();
    assert_eq!(back.orphans.len(), 1);
    assert_eq!(back.orphans[0].item, "gesproken");
    assert!(notes.iter().any(|n| n.nl.contains("engine-kind")
        && n.nl.contains("1 antwoord past niet meer")
        && n.en.contains("1 answer fits no longer")));
    // A checklist that is gone keeps all its answers aside.
    let (back, notes) = Visit::from_record(&rec, |id| {
        (id != "engine-kind")
            .then(|| cat.get(id).cloned())
            .flatten()
    })
    .unwrap();
    assert!(back.orphans.len() >= 4);
    assert!(
        notes
            .iter()
            .any(|n| n.nl.contains("is er niet meer") && n.en.contains("no longer available"))
    );
}

#[test]
fn typed_text_is_kept_beside_the_answers_and_invalid_text_is_counted() {
    let mut f = appelboom();
    let noor = f.sheet("engine-kind", Person::Child(1));
    let gewicht = f.kind.item_index("gewicht").unwrap();
    let sinds = f.kind.item_index("sinds").unwrap();
    let wie = f.kind.item_index("wie").unwrap();
    // Typed, not yet taken: no answer, and valid text is not invalid.
    assert!(f.visit.set_pending(noor, sinds, None, Some("vandaag"), NOW));
    assert!(!f.visit.set_pending(noor, sinds, None, Some("vandaag"), NOW));
    assert!(f.visit.set_pending(noor, gewicht, None, Some("250"), NOW));
    assert!(f.visit.sheets[noor].answer(gewicht, None).is_none());
    let d = derive(&f.visit);
    assert_eq!(d.invalid, vec![1], "250 is out of 0–200; vandaag is a date");
    // Through the record and back, as typed.
    let rec = f.visit.to_record();
    assert_eq!(rec.pending.len(), 2);
    let (back, _) = Visit::from_record(&rec, |id| {
        [&f.kind, &f.bezoek]
            .into_iter()
            .find(|c| c.id == id)
            .cloned()
    })
    .unwrap();
    assert_eq!(back.pending_at(noor, gewicht, None), Some("250"));
    assert_eq!(back.pending_at(noor, sinds, None), Some("vandaag"));
    assert_eq!(derive(&back).invalid, vec![1]);
    // Forgotten when mended.
    assert!(f.visit.set_pending(noor, gewicht, None, None, NOW));
    assert!(derive(&f.visit).invalid.is_empty());
    // Typed text goes with its entry: removing an earlier entry moves it up,
    // removing its own entry removes it.
    let sec = f.kind.section_index("afspraken").unwrap();
    let e0 = f.visit.add_entry(noor, sec, NOW).unwrap();
    let e1 = f.visit.add_entry(noor, sec, NOW).unwrap();
    f.visit.set_pending(noor, wie, Some(e1), Some("Lotte"), NOW);
    f.visit.remove_entry(noor, sec, e0, NOW).unwrap();
    assert_eq!(f.visit.pending_at(noor, wie, Some(0)), Some("Lotte"));
    f.visit.remove_entry(noor, sec, 0, NOW).unwrap();
    assert_eq!(f.visit.pending_at(noor, wie, Some(0)), None);
    assert_eq!(f.visit.pending.len(), 1, "only `vandaag` is left");
}

#[test]
fn a_flag_lapses_comes_back_and_a_withdrawn_one_is_raised_anew_only_after_it_cleared() {
    use safevisit::visit::FlagState;
    let later = datetime!(2026-03-04 10:05);
    let mut f = appelboom();
    let noor = f.sheet("engine-kind", Person::Child(1));
    f.set(noor, "gevoel", None, Some(Answer::Multi(0b001)));
    let d = derive(&f.visit);
    assert_eq!(f.visit.raise_new_flags(&d, NOW), vec![0]);
    assert!(
        f.visit
            .acknowledge_flag(0, SecretText::new("doorgevraagd"), NOW)
    );
    // The answer changes: the flag lapses, with the time.
    f.set(noor, "gevoel", None, Some(Answer::Multi(0b100)));
    let d = derive(&f.visit);
    let ch = f.visit.update_flags(&d, |_, _| true, later);
    assert_eq!(ch.lapsed, vec![0]);
    assert_eq!(f.visit.flags[0].state, FlagState::Lapsed);
    assert_eq!(f.visit.flags[0].state_at, Some(later));
    assert_eq!(f.visit.active_flags().count(), 0);
    // Back again: active again, acknowledgement kept, no new flag.
    f.set(noor, "gevoel", None, Some(Answer::Multi(0b001)));
    let d = derive(&f.visit);
    let ch = f.visit.update_flags(&d, |_, _| true, later);
    assert_eq!(ch.reactivated, vec![0]);
    assert!(ch.raised.is_empty());
    assert_eq!(f.visit.flags[0].state, FlagState::Active);
    assert_eq!(f.visit.unacknowledged_flags().count(), 0);
    // Withdrawing needs a reason.
    assert!(!f.visit.withdraw_flag(0, SecretText::new("  "), later));
    assert!(
        f.visit
            .withdraw_flag(0, SecretText::new("verkeerde toets"), later)
    );
    assert_eq!(f.visit.flags[0].state, FlagState::Withdrawn);
    // While the condition holds, a withdrawn flag stays withdrawn and alone.
    let ch = f.visit.update_flags(&d, |_, _| true, later);
    assert!(ch.raised.is_empty() && ch.lapsed.is_empty());
    // Once it stopped holding and holds again, it is a new event.
    f.set(noor, "gevoel", None, Some(Answer::Multi(0b100)));
    let d = derive(&f.visit);
    f.visit.update_flags(&d, |_, _| true, later);
    assert_eq!(f.visit.flags[0].state, FlagState::Withdrawn);
    f.set(noor, "gevoel", None, Some(Answer::Multi(0b001)));
    let d = derive(&f.visit);
    let ch = f.visit.update_flags(&d, |_, _| true, later);
    assert_eq!(ch.raised, vec![1]);
    assert_eq!(f.visit.flags.len(), 2);
    assert_eq!(f.visit.flags[0].state, FlagState::Withdrawn);
    assert_eq!(f.visit.flags[1].state, FlagState::Active);
    // The record keeps the states.
    let rec = f.visit.to_record();
    assert_eq!(rec.flags[0].state, "withdrawn");
    assert_eq!(rec.flags[0].withdrawn_reason.as_str(), "verkeerde toets");
    assert_eq!(rec.flags[1].state, "active");
    // The home list counts the active flag only.
    let entry = safevisit::store::index::IndexEntry::of(&rec);
    assert_eq!((entry.red_flags, entry.open_flags), (1, 1));
}

#[test]
fn a_flag_about_a_later_section_waits_until_that_section_is_passed() {
    use safevisit::visit::flags::waits_for;
    let cat = Catalog::bundled();
    let c = cat.get("veiligheid").unwrap().clone();
    let flag = |id: &str| c.red_flags.iter().position(|f| f.id == id).unwrap();
    let section = |id: &str| c.section_index(id).unwrap();
    // On an item: never waits.
    assert_eq!(waits_for(&c, flag("acuut_geweld")), None);
    // No safety plan: reads the plan's entries (and the verdict's items).
    assert_eq!(waits_for(&c, flag("geen_plan")), Some(section("plan")));
    // The reporting code against the verdict.
    assert_eq!(
        waits_for(&c, flag("meldcode_tegenstrijdig")),
        Some(section("afweging"))
    );
    let mut visit = Visit::new("v2".into(), "Kersenboom".into(), date!(2026 - 03 - 04), NOW);
    visit.use_checklist(&c);
    let item = c.item_index("acuut_geweld").unwrap();
    let ja = c.items[item].option_index("ja").unwrap() as u16;
    visit
        .set_answer(0, item, None, Some(Answer::Choice(ja)), NOW)
        .unwrap();
    let d = derive(&visit);
    // At the first section: the acute flag now, no safety plan not yet.
    let ch = visit.update_flags(&d, |_, s| s < section("acuut"), NOW);
    let raised: Vec<&str> = ch
        .raised
        .iter()
        .map(|&i| visit.flags[i].flag.as_str())
        .collect();
    assert_eq!(raised, ["acuut_geweld"]);
    // Past the plan (or in the review): it is raised, at that time.
    let later = datetime!(2026-03-04 10:30);
    let ch = visit.update_flags(&d, |_, _| true, later);
    let raised: Vec<&str> = ch
        .raised
        .iter()
        .map(|&i| visit.flags[i].flag.as_str())
        .collect();
    assert_eq!(raised, ["geen_plan"]);
    assert_eq!(visit.flags[1].raised_at, later);
}
