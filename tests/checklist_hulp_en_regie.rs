//! Help and coordination (`hulp-en-regie`) with the fictional families:
//! help per family member with the waiting list, coordination and
//! evaluation, the legal framework and whether it was understood, and the
//! contact plan around a removal.

mod common;

use common::{Case, Family};

fn visit(family: Family) -> (Case, usize) {
    let case = Case::family(family, &["hulp-en-regie"]);
    let s = case.sheet("hulp-en-regie", "");
    (case, s)
}

const WAIT: [&str; 4] = [
    "hp_wachtlijst",
    "hp_wacht_sinds",
    "hp_start",
    "hp_overbrugging",
];

#[test]
fn help_per_family_member_opens_step_by_step() {
    let (mut case, s) = visit(Family::Appelboom);
    // The roster's order: the caregivers first, then the children.
    let lotte = 0;
    let shown = |case: &Case| -> Vec<&str> {
        [
            "hp_wat",
            "hp_loopt",
            "hp_welke",
            "hp_wachtlijst",
            "hp_wacht_sinds",
            "hp_start",
            "hp_overbrugging",
        ]
        .into_iter()
        .filter(|i| case.visible_in(s, lotte, i))
        .collect()
    };
    assert!(shown(&case).is_empty());
    case.set_entry(s, lotte, "hp_nodig", "nee");
    assert!(shown(&case).is_empty());
    case.set_entry(s, lotte, "hp_nodig", "onbekend");
    assert!(shown(&case).is_empty());

    // The Appelbooms need debt counselling; they wait for it since March.
    case.set_entry(s, lotte, "hp_nodig", "ja");
    assert_eq!(shown(&case), vec!["hp_wat", "hp_loopt"]);
    case.set_entry_all(s, lotte, &[("hp_wat", "schulden"), ("hp_loopt", "nee")]);
    assert_eq!(shown(&case), vec!["hp_wat", "hp_loopt", "hp_wachtlijst"]);
    case.set_entry(s, lotte, "hp_wachtlijst", "ja");
    assert_eq!(
        shown(&case),
        vec![
            "hp_wat",
            "hp_loopt",
            "hp_wachtlijst",
            "hp_wacht_sinds",
            "hp_start",
            "hp_overbrugging"
        ]
    );
    assert!(case.missing(s).contains(&"hp_wacht_sinds@0".to_string()));
    assert!(
        !case.missing(s).contains(&"hp_start@0".to_string()),
        "the expected start may be unknown"
    );
    case.set_entry_all(
        s,
        lotte,
        &[("hp_wacht_sinds", "2026-03-01"), ("hp_overbrugging", "ja")],
    );
    assert!(
        !case.missing(s).iter().any(|m| m.ends_with("@0")),
        "{:?}",
        case.missing(s)
    );

    for (answer, welke, wacht) in [
        ("ja", true, false),
        ("past_niet", true, true),
        ("deels", true, true),
        ("nee", false, true),
    ] {
        case.set_entry(s, lotte, "hp_loopt", answer);
        assert_eq!(case.visible_in(s, lotte, "hp_welke"), welke, "{answer}");
        assert_eq!(
            case.visible_in(s, lotte, "hp_wachtlijst"),
            wacht,
            "{answer}"
        );
        for item in WAIT {
            assert_eq!(case.visible_in(s, lotte, item), wacht, "{answer}: {item}");
        }
    }
}

#[test]
fn missing_help_and_waiting_without_bridging_are_flagged_per_person() {
    let (mut case, s) = visit(Family::Appelboom);
    let (lotte, sem) = (0, 3);
    case.set_entry_all(s, lotte, &[("hp_nodig", "ja"), ("hp_loopt", "nee")]);
    case.set_entry_all(s, sem, &[("hp_nodig", "ja"), ("hp_loopt", "deels")]);
    case.set_entry(s, lotte, "hp_wachtlijst", "nee");
    case.set_entry(s, sem, "hp_wachtlijst", "nee");
    // Part of Sem's help runs, so only Lotte has nothing at all.
    assert_eq!(case.flags(s), vec!["hulp_ontbreekt@0"]);
    case.set_entry_all(
        s,
        lotte,
        &[("hp_wachtlijst", "ja"), ("hp_overbrugging", "nee")],
    );
    assert_eq!(case.flags(s), vec!["wachten_zonder_hulp@0"]);
    case.set_entry(s, lotte, "hp_overbrugging", "ja");
    assert!(case.flags(s).is_empty());
    // No longer needed: the hidden answers raise nothing.
    case.set_entry(s, lotte, "hp_overbrugging", "nee");
    case.set_entry(s, lotte, "hp_nodig", "nee");
    assert!(case.flags(s).is_empty());
}

#[test]
fn every_family_member_has_an_entry_from_the_roster() {
    let (mut case, s) = visit(Family::Appelboom);
    let c = case.checklist(s);
    let section = c.section_index("per_gezinslid").expect("section");
    let titles: Vec<String> = (0..case.visit.sheets[s].entries[section].len())
        .map(|e| {
            case.visit
                .entry_title(s, section, e)
                .get(safevisit::i18n::Lang::Nl)
                .to_string()
        })
        .collect();
    assert_eq!(
        titles,
        ["Lotte (moeder)", "Bram (vader)", "Noor (5)", "Sem (11)"]
    );
    // Name and role are not asked again; the worker cannot add anyone.
    assert!(c.item_index("hp_wie").is_none());
    assert!(c.item_index("hp_rol").is_none());
    assert!(case.visit.add_entry(s, section, common::now()).is_err());
    // A child added mid-visit gets an entry.
    case.visit
        .add_child("Mees", 1, &[], common::now())
        .expect("child added");
    case.visit.sync_roster_entries(common::now());
    assert_eq!(case.visit.sheets[s].entries[section].len(), 5);
    assert_eq!(
        case.visit
            .entry_title(s, section, 4)
            .get(safevisit::i18n::Lang::Nl),
        "Mees (1)"
    );
}

#[test]
fn the_help_outcome_is_derived_from_the_entries() {
    let (mut case, s) = visit(Family::Appelboom);
    let (lotte, bram, noor, sem) = (0, 1, 2, 3);
    // The summary is no longer asked.
    assert!(case.checklist(s).item_index("hulp_overzicht").is_none());
    assert_eq!(case.outcome(s, "hulp").as_deref(), Some("onvolledig"));
    for who in [lotte, bram, noor] {
        case.set_entry(s, who, "hp_nodig", "nee");
    }
    assert_eq!(
        case.outcome(s, "hulp").as_deref(),
        Some("onvolledig"),
        "Sem not answered yet"
    );
    case.set_entry(s, sem, "hp_nodig", "onbekend");
    assert_eq!(case.outcome(s, "hulp").as_deref(), Some("niet_nodig"));
    // Sem gets the help he needs.
    case.set_entry(s, sem, "hp_nodig", "ja");
    assert_eq!(case.outcome(s, "hulp").as_deref(), Some("onvolledig"));
    case.set_entry(s, sem, "hp_loopt", "ja");
    assert_eq!(case.outcome(s, "hulp").as_deref(), Some("loopt"));
    // Lotte needs debt counselling: not asked yet whether she waits.
    case.set_entry_all(s, lotte, &[("hp_nodig", "ja"), ("hp_loopt", "nee")]);
    assert_eq!(case.outcome(s, "hulp").as_deref(), Some("onvolledig"));
    case.set_entry(s, lotte, "hp_wachtlijst", "ja");
    assert_eq!(case.outcome(s, "hulp").as_deref(), Some("wacht"));
    // Bram needs help that is not in place and not requested: that weighs
    // most, whatever else runs.
    case.set_entry_all(
        s,
        bram,
        &[
            ("hp_nodig", "ja"),
            ("hp_loopt", "past_niet"),
            ("hp_wachtlijst", "nee"),
        ],
    );
    assert_eq!(case.outcome(s, "hulp").as_deref(), Some("ontbreekt"));
    // Bram removed from the roster: his entry counts for nothing.
    let bram_id = case.visit.roster.caregivers[1].id;
    case.visit
        .remove_person(
            safevisit::visit::Person::Caregiver(bram_id),
            "woont elders",
            common::now(),
        )
        .expect("removed");
    assert_eq!(case.outcome(s, "hulp").as_deref(), Some("wacht"));
}

#[test]
fn coordination_needs_someone_one_plan_and_an_evaluation_date() {
    let (mut case, s) = visit(Family::Perenstraat);
    assert!(!case.visible(s, "regie_naam"));
    assert_eq!(case.outcome(s, "regie").as_deref(), Some("onvolledig"));
    case.set(s, "regie_wie", "niemand");
    assert!(!case.visible(s, "regie_naam"));
    assert_eq!(case.flags(s), vec!["geen_regie"]);
    assert_eq!(case.outcome(s, "regie").as_deref(), Some("geen_regie"));

    case.set(s, "regie_wie", "jeugdbescherming");
    assert!(case.visible(s, "regie_naam"));
    assert!(case.flags(s).is_empty());
    case.set(s, "een_plan", "nee");
    assert_eq!(case.flags(s), vec!["geen_gezamenlijk_plan"]);
    assert_eq!(
        case.outcome(s, "regie").as_deref(),
        Some("geen_gezamenlijk_plan")
    );
    case.set(s, "een_plan", "ja");
    assert_eq!(case.outcome(s, "regie").as_deref(), Some("onvolledig"));
    case.set(s, "evaluatie_datum", "2026-06-01");
    assert_eq!(case.outcome(s, "regie").as_deref(), Some("geregeld"));
    case.set(s, "organisaties", "4");
    assert_eq!(case.outcome(s, "regie").as_deref(), Some("geregeld"));
}

#[test]
fn the_legal_framework_asks_the_right_follow_up_questions() {
    let (mut case, s) = visit(Family::Perenstraat);
    for (kader, soort, misverstand) in [
        ("vrijwillig", false, true),
        ("drang", false, true),
        ("maatregel", true, false),
        ("onduidelijk", false, false),
    ] {
        case.set(s, "kader", kader);
        assert_eq!(case.visible(s, "maatregel_soort"), soort, "{kader}");
        assert_eq!(case.visible(s, "kader_misverstand"), misverstand, "{kader}");
    }
    assert!(!case.visible(s, "kader_begrepen"));
    case.set(s, "kader_uitgelegd", "ja");
    assert!(case.visible(s, "kader_begrepen"));
    case.set(s, "kader_uitgelegd", "nee");
    assert!(!case.visible(s, "kader_begrepen"));
}

#[test]
fn whether_the_framework_is_clear_to_the_parents() {
    let (mut case, s) = visit(Family::Appelboom);
    assert_eq!(
        case.outcome(s, "kader_helder").as_deref(),
        Some("onvolledig")
    );
    case.set(s, "kader", "onduidelijk");
    assert_eq!(case.flags(s), vec!["kader_onduidelijk"]);
    assert_eq!(
        case.outcome(s, "kader_helder").as_deref(),
        Some("onduidelijk")
    );

    case.set(s, "kader", "drang");
    case.set(s, "kader_uitgelegd", "nee");
    assert_eq!(case.flags(s), vec!["kader_niet_uitgelegd"]);
    assert_eq!(
        case.outcome(s, "kader_helder").as_deref(),
        Some("niet_uitgelegd")
    );

    case.set(s, "kader_uitgelegd", "ja");
    for answer in ["nee", "onbekend"] {
        case.set(s, "kader_begrepen", answer);
        assert_eq!(case.flags(s), vec!["kader_niet_begrepen"]);
        assert_eq!(
            case.outcome(s, "kader_helder").as_deref(),
            Some("niet_begrepen")
        );
    }
    case.set(s, "kader_begrepen", "ja");
    assert_eq!(
        case.outcome(s, "kader_helder").as_deref(),
        Some("onvolledig")
    );
    // Lotte thinks the children must leave home: they need not.
    case.set(s, "kader_misverstand", "ja");
    assert_eq!(case.flags(s), vec!["misverstand_uithuisplaatsing"]);
    assert_eq!(
        case.outcome(s, "kader_helder").as_deref(),
        Some("niet_begrepen")
    );
    case.set(s, "kader_misverstand", "nee");
    assert!(case.flags(s).is_empty());
    assert_eq!(case.outcome(s, "kader_helder").as_deref(), Some("begrepen"));

    // Under a supervision order the misunderstanding is asked too (it is no
    // removal), and so is whether a parent thinks their authority is gone.
    case.set(s, "kader", "maatregel");
    case.set(s, "maatregel_soort", "ots");
    assert!(case.visible(s, "kader_misverstand") && case.visible(s, "kader_gezag"));
    assert_eq!(
        case.outcome(s, "kader_helder").as_deref(),
        Some("onvolledig")
    );
    case.set(s, "kader_gezag", "ja");
    assert_eq!(case.flags(s), vec!["misverstand_gezag"]);
    assert_eq!(
        case.outcome(s, "kader_helder").as_deref(),
        Some("niet_begrepen")
    );
    case.set(s, "kader_gezag", "nee");
    assert_eq!(case.outcome(s, "kader_helder").as_deref(), Some("begrepen"));
    case.set(s, "kader_misverstand", "ja");
    assert_eq!(case.flags(s), vec!["misverstand_uithuisplaatsing"]);
    // With an authorisation to place the child, or guardianship, a removal
    // is real: that question is not asked; under guardianship neither is
    // the one about authority.
    case.set(s, "maatregel_soort", "ots_uhp");
    assert!(!case.visible(s, "kader_misverstand") && case.visible(s, "kader_gezag"));
    assert!(case.flags(s).is_empty());
    assert_eq!(case.outcome(s, "kader_helder").as_deref(), Some("begrepen"));
    case.set(s, "maatregel_soort", "voogdij");
    assert!(!case.visible(s, "kader_misverstand") && !case.visible(s, "kader_gezag"));
    assert_eq!(case.outcome(s, "kader_helder").as_deref(), Some("begrepen"));
}

#[test]
fn the_contact_plan_appears_only_around_a_removal_per_child() {
    let (mut case, s) = visit(Family::Perenstraat);
    let (finn, lieke) = (0, 1);
    assert!(!case.section_visible(s, "omgang"));
    assert!(!case.visible(s, "uhp_sinds"));
    case.set(s, "uhp", "geen");
    assert!(!case.section_visible(s, "omgang"));
    assert_eq!(
        case.outcome(s, "omgang").as_deref(),
        Some("niet_van_toepassing")
    );
    case.set(s, "uhp", "dreigt");
    assert!(case.section_visible(s, "omgang"));
    assert!(!case.visible(s, "uhp_sinds"));
    case.set(s, "uhp", "gebeurd");
    assert!(case.visible(s, "uhp_sinds"));
    // One entry per child, from the roster.
    let c = case.checklist(s);
    let omgang = c.section_index("omgang").expect("section");
    assert_eq!(case.visit.sheets[s].entries[omgang].len(), 2);
    assert!(c.item_index("om_per_kind").is_none());

    // Lieke lives elsewhere now; Finn stays home: nothing to ask for him.
    case.set_entry(s, finn, "om_geldt", "nee");
    assert!(!case.visible_in(s, finn, "om_afspraak"));
    assert!(!case.visible_in(s, finn, "om_belemmering"));
    case.set_entry(s, lieke, "om_geldt", "elders");
    let details = ["om_hoe_vaak", "om_waar", "om_begeleid", "om_veilig"];
    for item in details {
        assert!(!case.visible_in(s, lieke, item), "{item}");
    }
    case.set_entry(s, lieke, "om_afspraak", "ja");
    for item in details {
        assert!(case.visible_in(s, lieke, item), "{item}");
    }
    // Hidden again when the removal is off the table.
    case.set(s, "uhp", "geen");
    assert!(!case.visible_in(s, lieke, "om_afspraak"));
    for item in details {
        assert!(!case.visible_in(s, lieke, item), "{item}");
    }
}
#[test]
fn no_contact_agreement_after_a_removal_is_flagged() {
    let (mut case, s) = visit(Family::Perenstraat);
    let lieke = 1;
    case.set(s, "uhp", "gebeurd");
    case.set_entry_all(s, lieke, &[("om_geldt", "dreigt"), ("om_afspraak", "nee")]);
    assert!(
        case.flags(s).is_empty(),
        "before a removal it is not yet urgent"
    );
    assert_eq!(case.outcome(s, "omgang").as_deref(), Some("geen_afspraak"));
    case.set_entry(s, lieke, "om_geldt", "elders");
    assert_eq!(case.flags(s), vec!["geen_omgangsafspraak@1"]);
}
#[test]
fn how_often_contact_is_agreed_gives_the_contact_outcome() {
    let (mut case, s) = visit(Family::Perenstraat);
    let (finn, lieke) = (0, 1);
    case.set(s, "uhp", "gebeurd");
    case.set_entry_all(s, lieke, &[("om_geldt", "elders"), ("om_afspraak", "ja")]);
    assert_eq!(case.outcome(s, "omgang").as_deref(), Some("onvolledig"));
    case.set_entry(s, finn, "om_geldt", "nee");
    for (often, outcome) in [
        ("vaker_per_week", "regelmatig"),
        ("wekelijks", "regelmatig"),
        ("twee_weken", "regelmatig"),
        ("maandelijks", "weinig"),
        ("minder", "weinig"),
    ] {
        case.set_entry(s, lieke, "om_hoe_vaak", often);
        assert_eq!(
            case.outcome(s, "omgang").as_deref(),
            Some(outcome),
            "{often}"
        );
    }
    // Finn is placed too, with weekly contact: Lieke's monthly contact
    // still makes it little; both weekly makes it regular.
    case.set_entry_all(
        s,
        finn,
        &[
            ("om_geldt", "elders"),
            ("om_afspraak", "ja"),
            ("om_hoe_vaak", "wekelijks"),
        ],
    );
    case.set_entry(s, lieke, "om_hoe_vaak", "maandelijks");
    assert_eq!(case.outcome(s, "omgang").as_deref(), Some("weinig"));
    case.set_entry(s, lieke, "om_hoe_vaak", "wekelijks");
    assert_eq!(case.outcome(s, "omgang").as_deref(), Some("regelmatig"));
    // No child concerned after all.
    case.set_entry(s, finn, "om_geldt", "nee");
    case.set_entry(s, lieke, "om_geldt", "nee");
    assert_eq!(
        case.outcome(s, "omgang").as_deref(),
        Some("niet_van_toepassing")
    );
}
#[test]
fn unsafe_or_unsupervised_contact_despite_danger_is_flagged() {
    let (mut case, s) = visit(Family::Perenstraat);
    let lieke = 1;
    case.set(s, "uhp", "gebeurd");
    case.set_entry_all(
        s,
        lieke,
        &[
            ("om_geldt", "elders"),
            ("om_afspraak", "ja"),
            ("om_hoe_vaak", "wekelijks"),
            ("om_waar", "neutraal"),
            ("om_begeleid", "onbegeleid"),
            ("om_veilig", "ja"),
            ("om_belemmering", "afstand"),
        ],
    );
    assert!(case.flags(s).is_empty());
    case.set_entry(s, lieke, "om_veilig", "nee");
    assert_eq!(case.flags(s), vec!["contact_onveilig@1"]);
    case.set_entry(s, lieke, "om_veilig", "onbekend");
    case.set_entry(s, lieke, "om_belemmering", "afstand,veiligheid");
    assert_eq!(case.flags(s), vec!["onbegeleid_ondanks_gevaar"]);
    case.set_entry(s, lieke, "om_begeleid", "deels");
    assert!(case.flags(s).is_empty());
}
#[test]
fn what_stands_in_the_way_asks_what_would_solve_it() {
    let (mut case, s) = visit(Family::Perenstraat);
    let finn = 0;
    case.set(s, "uhp", "dreigt");
    case.set_entry_all(s, finn, &[("om_geldt", "dreigt"), ("om_afspraak", "ja")]);
    assert!(!case.visible_in(s, finn, "om_toelichting"));
    case.set_entry(s, finn, "om_belemmering", "niets");
    assert!(!case.visible_in(s, finn, "om_toelichting"));
    case.set_entry(s, finn, "om_belemmering", "");
    assert!(!case.visible_in(s, finn, "om_toelichting"));
    case.set_entry(s, finn, "om_belemmering", "conflict,kind_wil_niet");
    assert!(case.visible_in(s, finn, "om_toelichting"));
}
#[test]
fn what_runs_beside_the_framework_and_the_rights_that_go_with_it() {
    let (mut case, s) = visit(Family::Perenstraat);
    case.set(s, "kader", "drang");
    case.set(s, "kader_lopend", "geen");
    // Outside court the lawyer and the judge are not asked.
    assert!(!case.visible(s, "recht_advocaat"));
    assert!(!case.visible(s, "kind_gehoord_rechter"));
    for item in ["recht_vertrouwenspersoon", "recht_klacht"] {
        assert!(case.visible(s, item), "{item}");
    }
    // A Raad investigation brings the court rights in view.
    case.set(s, "kader_lopend", "raad,huisverbod");
    assert!(case.visible(s, "recht_advocaat"));
    assert!(case.visible(s, "kind_gehoord_rechter"));
    case.set_all(
        s,
        &[
            ("recht_vertrouwenspersoon", "ja"),
            ("recht_klacht", "ja"),
            ("recht_advocaat", "ja"),
            ("kind_gehoord_rechter", "ja"),
        ],
    );
    assert!(!case.fires(s, "rechten_onbekend"));
    for (item, value) in [
        ("recht_vertrouwenspersoon", "nee"),
        ("recht_klacht", "nee"),
        ("recht_advocaat", "nee"),
        ("kind_gehoord_rechter", "nee"),
        ("kind_gehoord_rechter", "onbekend"),
    ] {
        case.set(s, item, value);
        assert!(case.fires(s, "rechten_onbekend"), "{item} = {value}");
        case.set(s, item, "ja");
    }
    case.set(s, "kind_gehoord_rechter", "geen_kind_12");
    assert!(!case.fires(s, "rechten_onbekend"));
    // Without children the judge question is not asked.
    let mut roster = Family::Perenstraat.roster();
    roster.children.clear();
    let mut case = Case::new(roster, &["hulp-en-regie"]);
    let s = case.sheet("hulp-en-regie", "");
    case.set(s, "kader", "maatregel");
    assert!(case.visible(s, "recht_advocaat"));
    assert!(!case.visible(s, "kind_gehoord_rechter"));
}

#[test]
fn the_contact_plan_asks_about_say_and_siblings() {
    let (mut case, s) = visit(Family::Perenstraat);
    let lieke = 1;
    case.set(s, "uhp", "dreigt");
    case.set_entry(s, lieke, "om_geldt", "dreigt");
    assert!(!case.visible_in(s, lieke, "om_inspraak"));
    assert!(!case.visible(s, "om_broers_zussen"));
    case.set_entry(s, lieke, "om_afspraak", "ja");
    assert!(case.visible_in(s, lieke, "om_inspraak"));
    case.set_entry(s, lieke, "om_inspraak", "nee");
    assert_eq!(case.flags(s), vec!["geen_inspraak_omgang@1"]);
    case.set_entry(s, lieke, "om_inspraak", "ja");
    assert!(case.flags(s).is_empty());
    // Lieke lives elsewhere now; Finn stays home.
    case.set(s, "uhp", "gebeurd");
    assert!(case.visible(s, "om_broers_zussen"));
    case.set(s, "om_broers_zussen", "nee");
    assert_eq!(case.flags(s), vec!["geen_contact_broers_zussen"]);
    case.set(s, "om_broers_zussen", "ja");
    assert!(case.flags(s).is_empty());
    // Obstacles are named without blame.
    let c = case.checklist(s);
    let it = &c.items[c.item_index("om_belemmering").expect("item")];
    assert!(it.option_index("ouder_komt_niet").is_none());
    let label = &it.options[it.option_index("gaat_niet_door").expect("option")].label;
    assert_eq!(label.nl, "Afspraken gaan vaak niet door");
    // Mila, the only child: her own wishes are asked in her entry.
    let mut case = Case::family(Family::Kersenboom, &["hulp-en-regie"]);
    let s = case.sheet("hulp-en-regie", "");
    case.set(s, "uhp", "dreigt");
    assert!(!case.visible_in(s, 0, "om_kind_wil"));
    case.set_entry(s, 0, "om_geldt", "dreigt");
    assert!(case.visible_in(s, 0, "om_kind_wil"));
}
