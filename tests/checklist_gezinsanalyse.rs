//! The family analysis (`gezinsanalyse`) with the fictional families:
//! signals per family profile and the profiles they suggest, dangerous
//! moments of intimate terror, the pile-up of problems, the working
//! hypothesis, and the views of each child and each parent; and (version 2)
//! the visit itself: first or follow-up visit, who was spoken to apart,
//! the interpreter, what the family was told.

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
            "it_dreiging_kinderen",
            "it_dreiging_zelfdoding",
            "it_seksuele_dwang",
            "it_stalking",
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

/// A visit where each parent was spoken to apart, so the questions about
/// intimate terror are asked.
fn visit_apart(family: Family) -> (Case, usize) {
    let (mut case, s) = visit(family);
    apart(&mut case, s, &["ja", "ja"]);
    (case, s)
}

/// Whether each parent (in roster order) was spoken to apart.
fn apart(case: &mut Case, s: usize, answers: &[&str]) {
    for (entry, a) in answers.iter().enumerate() {
        case.set_entry(s, entry, "ov_apart", a);
    }
}

#[test]
fn every_profile_score_suggests_its_profile_from_four_signals() {
    let (mut case, s) = visit_apart(Family::Kersenboom);
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
    let (mut case, s) = visit_apart(Family::Kersenboom);
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
    let (mut case, s) = visit_apart(Family::Kersenboom);
    case.set(s, "it_wurgen", "ja");
    assert_eq!(case.flags(s), vec!["levensgevaar"]);
    case.set(s, "it_wurgen", "nee");

    // Thinking of leaving is not a signal of the profile, but with fear or
    // threats it is the most dangerous moment.
    case.set(s, "it_weggaan", "ja");
    assert_eq!(case.score(s, "intieme_terreur"), 0);
    assert!(case.flags(s).is_empty());
    let danger = [
        "it_angst",
        "it_dreiging",
        "it_dreiging_kinderen",
        "it_dreiging_zelfdoding",
        "it_controle",
        "it_wurgen",
        "it_stalking",
    ];
    for signal in danger {
        case.set_each(s, &danger, "nee");
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
    let (mut case, s) = visit_apart(Family::Kersenboom);
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
fn the_views_are_made_per_child_and_per_parent_from_the_roster() {
    let (case, s) = visit(Family::Perenstraat);
    let c = case.checklist(s);
    let kids = c.section_index("stem_kind").expect("section");
    let parents = c.section_index("stem_ouder").expect("section");
    let titles = |section: usize| -> Vec<String> {
        (0..case.visit.sheets[s].entries[section].len())
            .map(|e| {
                case.visit
                    .entry_title(s, section, e)
                    .get(safevisit::i18n::Lang::Nl)
                    .to_string()
            })
            .collect()
    };
    assert_eq!(titles(kids), ["Finn (9)", "Lieke (14)"]);
    assert_eq!(titles(parents), ["Eva (moeder)", "Daan (vader)"]);
    // No name, age or role is asked again.
    for gone in ["kv_wie", "kv_leeftijd", "ov_wie"] {
        assert!(c.item_index(gone).is_none(), "{gone}");
    }
}

#[test]
fn children_from_eight_are_spoken_to_alone_and_younger_ones_observed() {
    let (mut case, s) = visit(Family::Perenstraat);
    let (finn, lieke) = (0, 1);
    // Nothing but "spoken to?" until the child was spoken to.
    assert!(!case.visible_in(s, finn, "kv_alleen"));
    assert!(!case.visible_in(s, finn, "kv_woorden"));
    case.set_entry(s, finn, "kv_gehoord", "ja");
    // Finn's age is the roster's: 9, then corrected to 7 and back.
    for age in [7, 8, 9] {
        case.visit.roster.children[0].age = age;
        assert_eq!(case.visible_in(s, finn, "kv_alleen"), age >= 8, "age {age}");
        assert_eq!(
            case.visible_in(s, finn, "kv_observatie"),
            age < 8,
            "age {age}"
        );
    }
    assert!(!case.visible_in(s, lieke, "kv_waarom_niet"));
    case.set_entry_all(
        s,
        lieke,
        &[
            ("kv_gehoord", "ja"),
            ("kv_alleen", "ja"),
            ("kv_woorden", "Ik wil niet kiezen."),
            ("kv_wens", "Dat papa en mama stoppen met ruzie via mij."),
            ("kv_weet_plan", "ja"),
            ("kv_veilig", "ja"),
        ],
    );
    assert!(
        !case
            .missing(s)
            .iter()
            .any(|m| m.starts_with("kv_") && m.ends_with("@1")),
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
    // Seven years old in the roster: not asked whether alone, so no flag.
    case.visit.roster.children[0].age = 7;
    assert_eq!(case.flags(s), vec!["kind_voelt_zich_onveilig@0"]);
}
#[test]
fn each_parent_says_whether_they_agree_and_why_not() {
    let (mut case, s) = visit(Family::Perenstraat);
    let eva = 0;
    case.set_entry(s, eva, "ov_apart", "ja");
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
fn heard_and_involved_are_derived_from_the_views() {
    let (mut case, s) = visit(Family::Perenstraat);
    let (finn, lieke, eva, daan) = (0, 1, 0, 1);
    // The summary is no longer asked.
    let c = case.checklist(s);
    assert!(c.item_index("kinderen_gehoord").is_none());
    assert!(c.item_index("ouders_plan").is_none());
    assert!(c.item_index("ouders_apart").is_none());
    assert_eq!(case.outcome(s, "inspraak").as_deref(), Some("onvolledig"));
    assert_eq!(case.outcome(s, "kinderen_gehoord"), None);
    // Both children spoken to alone; the plan not yet discussed with Daan.
    for kid in [finn, lieke] {
        case.set_entry_all(s, kid, &[("kv_gehoord", "ja"), ("kv_alleen", "ja")]);
    }
    case.set_entry(s, eva, "ov_plan", "eens");
    case.set_entry(s, daan, "ov_plan", "niet_besproken");
    assert_eq!(case.outcome(s, "kinderen_gehoord").as_deref(), Some("alle"));
    assert_eq!(
        case.outcome(s, "ouders_plan").as_deref(),
        Some("niet_besproken")
    );
    assert_eq!(case.outcome(s, "inspraak").as_deref(), Some("niet_gehoord"));
    case.set_entry(s, daan, "ov_plan", "eens");
    assert_eq!(case.outcome(s, "ouders_plan").as_deref(), Some("eens"));
    assert_eq!(case.outcome(s, "inspraak").as_deref(), Some("gehoord"));
    case.set_entry(s, daan, "ov_plan", "deels");
    assert_eq!(case.outcome(s, "ouders_plan").as_deref(), Some("oneens"));
    assert_eq!(
        case.outcome(s, "inspraak").as_deref(),
        Some("gehoord_oneens")
    );
    // Lieke (14) was there, but not alone: not every child was heard,
    // whatever the worker would have summed up.
    case.set_entry(s, lieke, "kv_alleen", "nee");
    assert_eq!(
        case.outcome(s, "kinderen_gehoord").as_deref(),
        Some("deels")
    );
    assert_eq!(
        case.outcome(s, "inspraak").as_deref(),
        Some("deels_gehoord")
    );
    // Neither child spoken to.
    for kid in [finn, lieke] {
        case.set_entry(s, kid, "kv_gehoord", "nee");
    }
    assert_eq!(case.outcome(s, "kinderen_gehoord").as_deref(), Some("geen"));
    assert_eq!(case.outcome(s, "inspraak").as_deref(), Some("niet_gehoord"));

    // Without children in the family, the parents' views decide alone.
    let mut roster = Family::Kersenboom.roster();
    roster.children.clear();
    let mut case = Case::new(roster, &["gezinsanalyse"]);
    let s = case.sheet("gezinsanalyse", "");
    assert_eq!(case.outcome(s, "kinderen_gehoord"), None);
    case.set_entry(s, 0, "ov_plan", "eens");
    assert_eq!(case.outcome(s, "inspraak").as_deref(), Some("onvolledig"));
    case.set_entry(s, 1, "ov_plan", "eens");
    assert_eq!(case.outcome(s, "inspraak").as_deref(), Some("gehoord"));
}
#[test]
fn a_child_not_spoken_to_is_flagged_and_a_child_added_gets_a_view() {
    let (mut case, s) = visit(Family::Perenstraat);
    case.set_entry(s, 0, "kv_gehoord", "ja");
    assert!(!case.fires(s, "niet_elk_kind_gehoord"));
    assert!(!case.visible_in(s, 1, "kv_waarom_niet"));
    case.set_entry(s, 1, "kv_gehoord", "nee");
    assert!(case.fires(s, "niet_elk_kind_gehoord"));
    assert!(case.visible_in(s, 1, "kv_waarom_niet"), "why not, and when");
    // A child added mid-visit gets an entry, and counts until heard.
    case.set_entry(s, 1, "kv_gehoord", "ja");
    case.set_entry(s, 1, "kv_alleen", "ja");
    case.set_entry(s, 0, "kv_alleen", "ja");
    assert_eq!(case.outcome(s, "kinderen_gehoord").as_deref(), Some("alle"));
    case.visit
        .add_child("Mees", 4, &[], common::now())
        .expect("child added");
    case.visit.sync_roster_entries(common::now());
    let c = case.checklist(s);
    let kids = c.section_index("stem_kind").expect("section");
    assert_eq!(case.visit.sheets[s].entries[kids].len(), 3);
    assert_eq!(
        case.outcome(s, "kinderen_gehoord").as_deref(),
        Some("deels")
    );
    case.set_entry(s, 2, "kv_gehoord", "ja");
    assert!(case.visible_in(s, 2, "kv_observatie"), "Mees is 4");
    assert_eq!(case.outcome(s, "kinderen_gehoord").as_deref(), Some("alle"));
}
#[test]
fn intimate_terror_is_asked_only_when_the_parents_were_spoken_to_apart() {
    let (mut case, s) = visit(Family::Kersenboom);
    // Not before the worker says how the parents were spoken to.
    assert!(!case.section_visible(s, "intieme_terreur"));
    assert!(!case.visible(s, "it_elders"));
    assert_eq!(case.outcome(s, "ouders_apart"), None);
    apart(&mut case, s, &["nee", "nee"]);
    assert_eq!(case.outcome(s, "ouders_apart").as_deref(), Some("nee"));
    assert!(!case.section_visible(s, "intieme_terreur"));
    assert!(case.visible(s, "it_elders"));
    for (answers, derived) in [(["ja", "ja"], "ja"), (["nee", "ja"], "deels")] {
        apart(&mut case, s, &answers);
        assert_eq!(case.outcome(s, "ouders_apart").as_deref(), Some(derived));
        assert!(case.section_visible(s, "intieme_terreur"), "{derived}");
        assert!(!case.visible(s, "it_elders"), "{derived}");
    }
    // Signals noted while apart count; once the views say "only together",
    // they are hidden and count for nothing.
    case.set_each(
        s,
        &["it_controle", "it_geld", "it_angst", "it_isolement"],
        "ja",
    );
    assert_eq!(case.band(s, "intieme_terreur").as_deref(), Some("veel"));
    apart(&mut case, s, &["nee", "nee"]);
    assert_eq!(case.score(s, "intieme_terreur"), 0);
    assert!(!case.missing(s).iter().any(|m| m.starts_with("it_controle")));
    assert!(case.missing(s).iter().any(|m| m == "it_elders"));

    // One parent in the roster: the questions are asked.
    let mut roster = Family::Kersenboom.roster();
    roster.caregivers.truncate(1);
    let case = Case::new(roster, &["gezinsanalyse"]);
    let s = case.sheet("gezinsanalyse", "");
    assert_eq!(
        case.outcome(s, "ouders_apart").as_deref(),
        Some("een_ouder")
    );
    assert!(case.section_visible(s, "intieme_terreur"));
}
#[test]
fn intimate_terror_with_a_parent_not_spoken_to_apart_is_flagged() {
    // Iris and Ruben were only seen together.
    let (mut case, s) = visit(Family::Kersenboom);
    apart(&mut case, s, &["nee", "nee"]);
    assert!(!case.fires(s, "terreur_niet_apart"));
    case.set(s, "it_elders", "ja");
    assert!(case.fires(s, "terreur_niet_apart"), "signs from the file");
    case.set(s, "it_elders", "onbekend");
    assert!(!case.fires(s, "terreur_niet_apart"));
    case.set(s, "hoofdprofiel", "intieme_terreur");
    assert!(case.fires(s, "terreur_niet_apart"), "the main profile");
    case.set(s, "hoofdprofiel", "stress");
    case.set(s, "ook_profielen", "intieme_terreur");
    assert!(
        case.fires(s, "terreur_niet_apart"),
        "a profile that plays a part"
    );
    case.set(s, "hoofdprofiel", "intieme_terreur");
    apart(&mut case, s, &["ja", "nee"]);
    assert!(case.fires(s, "terreur_niet_apart"), "only some apart");
    apart(&mut case, s, &["ja", "ja"]);
    assert!(!case.fires(s, "terreur_niet_apart"));
}
#[test]
fn a_complex_divorce_with_signs_of_intimate_terror_is_flagged() {
    // Eva and Daan are separated; Daan keeps following Eva and she is afraid.
    let (mut case, s) = visit_apart(Family::Perenstraat);
    case.set_each(s, &["cs_uit_elkaar", "cs_strijd", "cs_procedures"], "ja");
    case.set(s, "hoofdprofiel", "scheiding");
    case.set(s, "it_stalking", "ja");
    assert!(!case.fires(s, "scheiding_of_terreur"), "one signal");
    case.set(s, "it_angst", "ja");
    assert_eq!(case.band(s, "intieme_terreur").as_deref(), Some("enkele"));
    assert!(case.fires(s, "scheiding_of_terreur"));
    case.set(s, "hoofdprofiel", "intieme_terreur");
    assert!(!case.fires(s, "scheiding_of_terreur"));
    // The profile carries its full name.
    let c = case.checklist(s);
    let hp = &c.items[c.item_index("hoofdprofiel").expect("item")];
    let label = &hp.options[hp.option_index("scheiding").expect("option")].label;
    assert_eq!(label.nl, "Complexe (conflict)scheiding");
}

#[test]
fn a_chosen_profile_without_any_sign_is_flagged() {
    let (mut case, s) = visit_apart(Family::Appelboom);
    for (profile, items) in PROFILES {
        case.set_each(s, items, "nee");
        case.set(s, "hoofdprofiel", profile);
        assert!(case.fires(s, "profiel_zonder_signalen"), "{profile}");
        case.set(s, items[0], "ja");
        assert!(!case.fires(s, "profiel_zonder_signalen"), "{profile}");
        case.set(s, items[0], "nee");
    }
    case.set(s, "hoofdprofiel", "geen");
    assert!(!case.fires(s, "profiel_zonder_signalen"));
}

#[test]
fn threats_are_split_and_a_suicide_threat_is_flagged_with_113() {
    let (mut case, s) = visit_apart(Family::Kersenboom);
    case.set_each(s, &["it_dreiging", "it_dreiging_kinderen"], "ja");
    assert!(!case.fires(s, "dreigt_met_zelfdoding"));
    case.set(s, "it_dreiging_zelfdoding", "ja");
    assert!(case.fires(s, "dreigt_met_zelfdoding"));
    assert_eq!(case.score(s, "intieme_terreur"), 3);
    let c = case.checklist(s);
    let f = c
        .red_flags
        .iter()
        .find(|f| f.id == "dreigt_met_zelfdoding")
        .expect("flag");
    for text in [&f.action.nl, &f.action.en] {
        assert!(text.contains("0800-0113") && text.contains("112") && text.contains("0800-2000"));
    }
    let violence = &c.items[c.item_index("it_dreiging").expect("item")].text.nl;
    assert!(
        !violence.contains("kinderen") && !violence.contains("zelf"),
        "{violence}"
    );
}

#[test]
fn a_child_as_interpreter_and_a_family_interpreter_are_flagged() {
    let (mut case, s) = visit(Family::Appelboom);
    assert!(!case.visible(s, "taal"));
    for (tolk, flag) in [
        ("professioneel", None),
        ("niet_nodig", None),
        ("geen", Some("geen_professionele_tolk")),
        ("familielid", Some("geen_professionele_tolk")),
        ("kind", Some("kind_als_tolk")),
    ] {
        case.set(s, "tolk", tolk);
        assert_eq!(
            case.flags(s),
            flag.into_iter().map(String::from).collect::<Vec<_>>(),
            "{tolk}"
        );
        assert_eq!(case.visible(s, "taal"), tolk != "niet_nodig", "{tolk}");
    }
}

#[test]
fn the_family_is_told_what_is_recorded_and_that_a_report_follows() {
    let (mut case, s) = visit(Family::Appelboom);
    case.set_all(s, &[("info_vastleggen", "ja"), ("info_verslag", "ja")]);
    assert!(!case.fires(s, "gezin_niet_geinformeerd"));
    case.set(s, "info_verslag", "nee");
    assert!(case.fires(s, "gezin_niet_geinformeerd"));
    case.set_all(s, &[("info_vastleggen", "nee"), ("info_verslag", "ja")]);
    assert!(case.fires(s, "gezin_niet_geinformeerd"));
}

#[test]
fn a_follow_up_visit_looks_back_at_the_plan() {
    let (mut case, s) = visit(Family::Appelboom);
    assert!(!case.section_visible(s, "vervolg"));
    case.set(s, "bezoek_soort", "eerste");
    assert!(!case.section_visible(s, "vervolg"));
    assert!(!case.missing(s).iter().any(|m| m.starts_with("vv_")));
    case.set(s, "bezoek_soort", "vervolg");
    assert!(case.section_visible(s, "vervolg"));
    assert!(case.missing(s).iter().any(|m| m == "vv_afspraken"));
    case.set_all(
        s,
        &[("vv_afspraken", "nagekomen"), ("vv_veiligheid", "beter")],
    );
    assert!(!case.visible(s, "vv_welke_niet"));
    assert!(!case.fires(s, "vervolg_zorgen"));
    case.set(s, "vv_afspraken", "deels");
    assert!(case.visible(s, "vv_welke_niet"));
    assert!(case.fires(s, "vervolg_zorgen"));
    case.set_all(
        s,
        &[("vv_afspraken", "geen_plan"), ("vv_veiligheid", "slechter")],
    );
    assert!(case.fires(s, "vervolg_zorgen"));
    case.set(s, "vv_veiligheid", "onbekend");
    assert!(!case.fires(s, "vervolg_zorgen"));
}

#[test]
fn a_parent_not_spoken_to_apart_is_flagged_per_entry() {
    let (mut case, s) = visit(Family::Kersenboom);
    apart(&mut case, s, &["nee", "ja"]);
    assert_eq!(case.flags(s), vec!["ouder_niet_apart@0"]);
}
