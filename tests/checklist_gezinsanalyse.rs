//! The family analysis (`gezinsanalyse`) with the fictional families:
//! signals per family profile and the profiles they suggest, dangerous
//! moments of intimate terror, the pile-up of problems, the working
//! hypothesis, and the views of each child and each parent.

mod common;

use common::{Case, Family};

/// The signal items of each profile, as (section = score id, items).
const PROFILES: [(&str, &[&str]); 5] = [
    (
        "intieme_terreur",
        &[
            "it_controle",
            "it_isolement",
            "it_geld",
            "it_dreiging",
            "it_jaloezie",
            "it_angst",
            "it_wurgen",
        ],
    ),
    (
        "stress",
        &[
            "gs_last",
            "gs_gebeurtenis",
            "gs_ruzie_beide",
            "gs_geen_overwicht",
            "gs_spijt",
            "gs_drank",
        ],
    ),
    (
        "langdurige_zorg",
        &[
            "lz_beperking",
            "lz_psychisch",
            "lz_verslaving",
            "lz_verwaarlozing",
            "lz_steeds_terug",
            "lz_kind_zorgt",
        ],
    ),
    (
        "kindgedrag",
        &[
            "kg_gedrag",
            "kg_spanning",
            "kg_machteloos",
            "kg_hard",
            "kg_zondebok",
            "kg_uitgeput",
        ],
    ),
    (
        "scheiding",
        &[
            "cs_uit_elkaar",
            "cs_strijd",
            "cs_procedures",
            "cs_klem",
            "cs_zwartmaken",
            "cs_boodschapper",
        ],
    ),
];
const PILE_UP: [&str; 8] = [
    "sp_schulden",
    "sp_wonen",
    "sp_werk",
    "sp_gezondheid",
    "sp_psychisch",
    "sp_verslaving",
    "sp_geweld",
    "sp_netwerk",
];

fn visit(family: Family) -> (Case, usize) {
    let case = Case::family(family, &["gezinsanalyse"]);
    let s = case.sheet("gezinsanalyse", "");
    (case, s)
}

#[test]
fn every_profile_score_suggests_its_profile_from_four_signals() {
    let (mut case, s) = visit(Family::Kersenboom);
    for (profile, items) in PROFILES {
        for n in 0..=items.len() {
            case.set_each(s, items, "nee");
            case.set_each(s, &items[..n], "ja");
            let band = match n {
                0 | 1 => "weinig",
                2 | 3 => "enkele",
                _ => "veel",
            };
            assert_eq!(case.score(s, profile), n as i64);
            assert_eq!(
                case.band(s, profile).as_deref(),
                Some(band),
                "{profile} with {n} signals"
            );
        }
        // "Don't know" is no signal.
        case.set_each(s, items, "onbekend");
        assert_eq!(case.score(s, profile), 0, "{profile}");
    }
}

#[test]
fn the_kersenboom_signals_suggest_intimate_terror() {
    let (mut case, s) = visit(Family::Kersenboom);
    // Ruben checks Iris's phone and keeps the money; Iris is afraid.
    case.set_all(
        s,
        &[("it_controle", "ja"), ("it_geld", "ja"), ("it_angst", "ja")],
    );
    assert_eq!(case.band(s, "intieme_terreur").as_deref(), Some("enkele"));
    case.set(s, "it_isolement", "ja");
    assert_eq!(case.band(s, "intieme_terreur").as_deref(), Some("veel"));
    // A profile with nothing answered suggests nothing yet, not "few signals".
    assert_eq!(case.band(s, "stress").as_deref(), None);
    case.set(s, "gs_last", "nee");
    assert_eq!(case.band(s, "stress").as_deref(), Some("weinig"));
}

#[test]
fn serious_violence_and_leaving_raise_acute_flags() {
    let (mut case, s) = visit(Family::Kersenboom);
    case.set(s, "it_wurgen", "ja");
    assert_eq!(case.flags(s), vec!["levensgevaar"]);
    case.set(s, "it_wurgen", "nee");

    // Thinking of leaving is not a signal of the profile, but with fear or
    // threats it is the most dangerous moment.
    case.set(s, "it_weggaan", "ja");
    assert_eq!(case.score(s, "intieme_terreur"), 0);
    assert!(case.flags(s).is_empty());
    for signal in ["it_angst", "it_dreiging", "it_controle", "it_wurgen"] {
        case.set_each(
            s,
            &["it_angst", "it_dreiging", "it_controle", "it_wurgen"],
            "nee",
        );
        case.set(s, signal, "ja");
        assert!(case.fires(s, "weggaan_gevaarlijk"), "{signal}");
    }
    case.set(s, "it_weggaan", "onbekend");
    assert!(!case.fires(s, "weggaan_gevaarlijk"));
    let c = case.checklist(s);
    for id in ["levensgevaar", "weggaan_gevaarlijk"] {
        let f = c.red_flags.iter().find(|f| f.id == id).expect("flag");
        assert_eq!(f.level.key(), "acute");
        assert!(f.action.nl.contains("112") && f.action.nl.contains("0800-2000"));
    }
}

#[test]
fn the_pile_up_of_problems_and_its_flag() {
    let (mut case, s) = visit(Family::Appelboom);
    for (n, band) in [
        (0, "weinig"),
        (1, "weinig"),
        (2, "meerdere"),
        (3, "meerdere"),
        (4, "stapeling"),
        (8, "stapeling"),
    ] {
        case.set_each(s, &PILE_UP, "nee");
        case.set_each(s, &PILE_UP[..n], "ja");
        assert_eq!(case.score(s, "stapeling"), n as i64);
        assert_eq!(case.band(s, "stapeling").as_deref(), Some(band), "{n}");
        assert_eq!(case.fires(s, "problemen_stapelen"), n >= 4, "{n}");
    }
}

#[test]
fn the_analysis_needs_a_profile_a_hypothesis_and_reasons() {
    let (mut case, s) = visit(Family::Appelboom);
    assert_eq!(case.outcome(s, "analyse").as_deref(), Some("onvolledig"));
    case.set(s, "hoofdprofiel", "stress");
    case.set(
        s,
        "werkhypothese",
        "Sinds Bram zijn baan verloor en de schulden groeien, lopen ruzies op.",
    );
    assert_eq!(case.outcome(s, "analyse").as_deref(), Some("onvolledig"));
    assert_eq!(
        case.missing(s).iter().filter(|m| *m == "redenen").count(),
        1
    );
    case.set(
        s,
        "redenen",
        "Beide ouders noemen de schulden; niemand is bang voor de ander.",
    );
    for profile in [
        "intieme_terreur",
        "stress",
        "langdurige_zorg",
        "kindgedrag",
        "scheiding",
    ] {
        case.set(s, "hoofdprofiel", profile);
        assert_eq!(case.outcome(s, "analyse").as_deref(), Some(profile));
    }
    case.set(s, "hoofdprofiel", "geen");
    assert_eq!(case.outcome(s, "analyse").as_deref(), Some("geen_profiel"));
    case.clear(s, "werkhypothese");
    assert_eq!(case.outcome(s, "analyse").as_deref(), Some("onvolledig"));
}

#[test]
fn choosing_against_strong_signals_of_intimate_terror_is_flagged() {
    let (mut case, s) = visit(Family::Kersenboom);
    case.set_each(
        s,
        &["it_controle", "it_geld", "it_angst", "it_isolement"],
        "ja",
    );
    assert!(!case.fires(s, "terreur_niet_gekozen"), "nothing chosen yet");
    case.set(s, "hoofdprofiel", "stress");
    // `ook_profielen` is optional: left unanswered, it does not name the profile.
    assert!(case.fires(s, "terreur_niet_gekozen"));
    assert!(case.fires(s, "stress_of_terreur"));
    case.set(s, "ook_profielen", "kindgedrag");
    assert!(case.fires(s, "terreur_niet_gekozen"));
    case.set(s, "ook_profielen", "kindgedrag,intieme_terreur");
    assert!(!case.fires(s, "terreur_niet_gekozen"));
    case.set(s, "hoofdprofiel", "intieme_terreur");
    case.set(s, "ook_profielen", "");
    assert!(!case.fires(s, "terreur_niet_gekozen"));
    assert!(!case.fires(s, "stress_of_terreur"));

    // Three signals: some, not many — only the stress check speaks.
    case.set(s, "it_isolement", "nee");
    case.set(s, "hoofdprofiel", "stress");
    assert!(!case.fires(s, "terreur_niet_gekozen"));
    assert!(case.fires(s, "stress_of_terreur"));
    // One signal: neither.
    case.set_each(s, &["it_controle", "it_geld"], "nee");
    assert!(!case.fires(s, "stress_of_terreur"));
}

#[test]
fn children_from_eight_are_spoken_to_alone_and_younger_ones_observed() {
    let (mut case, s) = visit(Family::Perenstraat);
    let finn = case.add_entry(s, "stem_kind");
    let lieke = case.add_entry(s, "stem_kind");
    case.set_entry_all(s, finn, &[("kv_wie", "Finn"), ("kv_leeftijd", "9")]);
    case.set_entry_all(s, lieke, &[("kv_wie", "Lieke"), ("kv_leeftijd", "14")]);
    for age in [7, 8] {
        case.set_entry(s, finn, "kv_leeftijd", &age.to_string());
        assert_eq!(case.visible_in(s, finn, "kv_alleen"), age >= 8, "age {age}");
        assert_eq!(
            case.visible_in(s, finn, "kv_observatie"),
            age < 8,
            "age {age}"
        );
    }
    case.set_entry(s, finn, "kv_leeftijd", "9");
    assert!(!case.visible_in(s, lieke, "kv_waarom_niet"));
    case.set_entry_all(
        s,
        lieke,
        &[
            ("kv_alleen", "ja"),
            ("kv_woorden", "Ik wil niet kiezen."),
            ("kv_wens", "Dat papa en mama stoppen met ruzie via mij."),
            ("kv_weet_plan", "ja"),
            ("kv_veilig", "ja"),
        ],
    );
    assert!(
        !case.missing(s).iter().any(|m| m.ends_with("@1")),
        "{:?}",
        case.missing(s)
    );
    case.set_entry(s, finn, "kv_alleen", "nee");
    assert!(case.visible_in(s, finn, "kv_waarom_niet"));
    assert_eq!(case.flags(s), vec!["kind_niet_alleen@0"]);
    case.set_entry(s, finn, "kv_veilig", "nee");
    assert_eq!(
        case.flags(s),
        vec!["kind_niet_alleen@0", "kind_voelt_zich_onveilig@0"]
    );
    // Seven years old: not asked whether alone, so no flag either.
    case.set_entry(s, finn, "kv_leeftijd", "7");
    assert_eq!(case.flags(s), vec!["kind_voelt_zich_onveilig@0"]);
}

#[test]
fn each_parent_says_whether_they_agree_and_why_not() {
    let (mut case, s) = visit(Family::Perenstraat);
    let eva = case.add_entry(s, "stem_ouder");
    case.set_entry_all(s, eva, &[("ov_wie", "Eva"), ("ov_apart", "ja")]);
    for (answer, asks_why) in [
        ("eens", false),
        ("deels", true),
        ("oneens", true),
        ("niet_besproken", false),
    ] {
        case.set_entry(s, eva, "ov_plan", answer);
        assert_eq!(case.visible_in(s, eva, "ov_waarom"), asks_why, "{answer}");
    }
}

#[test]
fn heard_and_involved_summary_outcome() {
    let (mut case, s) = visit(Family::Perenstraat);
    assert!(case.visible(s, "kinderen_gehoord"));
    assert_eq!(case.outcome(s, "inspraak").as_deref(), Some("onvolledig"));
    case.set_all(
        s,
        &[
            ("kinderen_gehoord", "alle"),
            ("ouders_plan", "niet_besproken"),
        ],
    );
    assert_eq!(case.outcome(s, "inspraak").as_deref(), Some("niet_gehoord"));
    case.set(s, "ouders_plan", "eens");
    assert_eq!(case.outcome(s, "inspraak").as_deref(), Some("gehoord"));
    case.set(s, "ouders_plan", "oneens");
    assert_eq!(
        case.outcome(s, "inspraak").as_deref(),
        Some("gehoord_oneens")
    );
    case.set(s, "kinderen_gehoord", "deels");
    assert_eq!(
        case.outcome(s, "inspraak").as_deref(),
        Some("deels_gehoord")
    );
    case.set(s, "kinderen_gehoord", "geen");
    assert_eq!(case.outcome(s, "inspraak").as_deref(), Some("niet_gehoord"));

    // Without children in the family, the parents' answer decides alone.
    let mut roster = Family::Kersenboom.roster();
    roster.children.clear();
    let mut case = Case::new(roster, &["gezinsanalyse"]);
    let s = case.sheet("gezinsanalyse", "");
    assert!(!case.visible(s, "kinderen_gehoord"));
    case.set(s, "ouders_plan", "eens");
    assert_eq!(case.outcome(s, "inspraak").as_deref(), Some("gehoord"));
}

#[test]
fn fewer_child_views_than_children_is_flagged_once_summarised() {
    let (mut case, s) = visit(Family::Perenstraat);
    let finn = case.add_entry(s, "stem_kind");
    case.set_entry_all(s, finn, &[("kv_wie", "Finn"), ("kv_leeftijd", "9")]);
    assert!(
        !case.fires(s, "niet_elk_kind_gehoord"),
        "not before the summary"
    );
    case.set(s, "kinderen_gehoord", "deels");
    assert!(case.fires(s, "niet_elk_kind_gehoord"));
    case.add_entry(s, "stem_kind");
    assert!(!case.fires(s, "niet_elk_kind_gehoord"));
}
