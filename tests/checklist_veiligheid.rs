//! The safety check (`veiligheid`) with the fictional families: acute and
//! structural unsafety, the child check, facts with their source, safety now
//! and the risk band, the five questions of the reporting code, scaling
//! questions, the safety plan, and the verdicts.

mod common;

use common::{Case, Family};

const ACUTE: [(&str, &str); 6] = [
    ("acuut_geweld", "acuut_geweld"),
    ("acuut_wapen", "acuut_wapen"),
    ("acuut_doden", "acuut_doden"),
    ("kind_zonder_zorg", "kind_zonder_zorg"),
    ("acuut_baby", "acuut_baby"),
    ("acuut_seksueel", "acuut_seksueel"),
];
const NOW: [&str; 10] = [
    "vn_letsel",
    "vn_geweld_recent",
    "vn_dreiging",
    "vn_angst",
    "vn_toezicht",
    "vn_basiszorg",
    "vn_middelen",
    "vn_psychisch",
    "vn_kind_zegt",
    "vn_beschermen",
];
/// Risk factors worth one point; `rf_eerder_geweld` is worth two.
const RISK_ONE: [&str; 11] = [
    "rf_middelen",
    "rf_psychisch",
    "rf_stress",
    "rf_jong_kind",
    "rf_isolement",
    "rf_ontkennen",
    "rf_eigen_jeugd",
    "rf_scheiding",
    "rf_hulp_afgehouden",
    "rf_kind_zorg",
    "rf_partner_controle",
];

fn appelboom() -> (Case, usize) {
    let case = Case::family(Family::Appelboom, &["veiligheid"]);
    let s = case.sheet("veiligheid", "");
    (case, s)
}

/// A visit in which nothing is wrong today: every required question of the
/// ordinary sections answered, all calm.
fn calm(case: &mut Case, s: usize) {
    for (item, _) in ACUTE {
        case.set(s, item, "nee");
    }
    case.set_all(
        s,
        &[
            ("herhaald_geweld", "nee"),
            ("getuige_geweld", "nee"),
            ("verwaarlozing", "nee"),
            ("eerdere_zorgen", "nee"),
            ("hulp_zonder_effect", "nee"),
            ("kinderen_gezien", "ja"),
            ("volwassene_problemen", "ja"),
            ("andere_kinderen", "nee"),
            ("kinderen_veilig", "ja"),
        ],
    );
    case.set_each(s, &NOW, "nee");
    case.set(s, "rf_eerder_geweld", "nee");
    case.set_each(s, &RISK_ONE, "nee");
    case.set_all(
        s,
        &[
            ("mc_vermoeden", "nee"),
            (
                "sos_zorgen",
                "Ruzies lopen op sinds Bram zijn baan verloor.",
            ),
            ("sos_goed", "Lotte en Bram willen allebei hulp."),
            ("sos_moet", "Geen ruzie waar de kinderen bij zijn."),
        ],
    );
}

#[test]
fn a_calm_visit_is_complete_safe_now_and_low_risk() {
    let (mut case, s) = appelboom();
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("onvolledig"));
    assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("onvolledig"));
    calm(&mut case, s);
    assert!(
        case.missing(s).is_empty(),
        "still missing: {:?}",
        case.missing(s)
    );
    assert!(case.flags(s).is_empty(), "flags: {:?}", case.flags(s));
    assert_eq!(case.score(s, "zorgen_nu"), 0);
    assert_eq!(case.band(s, "zorgen_nu").as_deref(), Some("geen"));
    assert_eq!(case.score(s, "risico"), 0);
    assert_eq!(case.band(s, "risico").as_deref(), Some("laag"));
    assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("veilig"));
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("veilig"));
    assert_eq!(
        case.outcome(s, "afweging").as_deref(),
        Some("geen_vermoeden")
    );
}

#[test]
fn each_acute_item_raises_its_acute_flag_and_makes_the_verdict_acute() {
    for (item, flag) in ACUTE {
        let (mut case, s) = appelboom();
        calm(&mut case, s);
        assert!(!case.visible(s, "acuut_anders"));
        case.set(s, item, "ja");
        // Unsafe without a safety plan yet: that is flagged too.
        let mut expected = vec![flag.to_string(), "geen_plan".to_string()];
        expected.sort();
        assert_eq!(case.flags(s), expected, "{item}");
        let c = case.checklist(s);
        let def = c.red_flags.iter().find(|f| f.id == flag).expect("flag");
        assert_eq!(def.level.key(), "acute");
        assert!(
            def.action.nl.contains("112") && def.action.nl.contains("0800-2000"),
            "{flag}"
        );
        assert!(
            case.visible(s, "acuut_anders"),
            "{item} shows what was seen"
        );
        assert_eq!(case.missing(s), vec!["acuut_anders".to_string()]);
        assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("onveilig"));
        assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("acuut"));
    }
}

#[test]
fn the_acute_description_hides_again_and_keeps_its_answer() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    case.set(s, "acuut_wapen", "ja");
    case.set(s, "acuut_anders", "Bram zwaaide met een mes in de keuken.");
    case.set(s, "acuut_wapen", "nee");
    assert!(!case.visible(s, "acuut_anders"));
    assert!(case.missing(s).is_empty());
    assert!(case.flags(s).is_empty());
    let i = case.checklist(s).item_index("acuut_anders").expect("item");
    assert!(
        case.visit.sheets[s].answers[i].is_some(),
        "a hidden answer is kept"
    );
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("veilig"));
}

#[test]
fn structural_unsafety_raises_structural_flags_and_shows_the_pattern() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    case.set(s, "herhaald_geweld", "onbekend");
    assert!(!case.visible(s, "patroon"));
    assert!(case.flags(s).is_empty());
    case.set(s, "herhaald_geweld", "ja");
    assert!(case.visible(s, "patroon"));
    assert_eq!(case.flags(s), vec!["geen_plan", "herhaald_geweld"]);
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("structureel"));
    case.set_all(
        s,
        &[
            ("getuige_geweld", "ja"),
            ("verwaarlozing", "ja"),
            ("hulp_zonder_effect", "ja"),
        ],
    );
    assert_eq!(
        case.flags(s),
        vec![
            "geen_plan",
            "getuige_geweld",
            "herhaald_geweld",
            "hulp_zonder_effect",
            "verwaarlozing"
        ]
    );
    let c = case.checklist(s);
    for f in case.flags(s).into_iter().filter(|f| f != "geen_plan") {
        let def = c.red_flags.iter().find(|d| d.id == f).expect("flag");
        assert_eq!(def.level.key(), "structural", "{f}");
    }
    // Witnessing alone is structural unsafety too.
    case.set_all(s, &[("herhaald_geweld", "nee"), ("verwaarlozing", "nee")]);
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("structureel"));
}

#[test]
fn the_child_check_asks_about_unseen_children_and_each_childs_safety() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    assert!(!case.visible(s, "kinderen_niet_gezien_waarom"));
    case.set(s, "kinderen_gezien", "nee");
    assert!(case.visible(s, "kinderen_niet_gezien_waarom"));
    assert_eq!(case.missing(s), vec!["kinderen_niet_gezien_waarom"]);
    assert_eq!(case.flags(s), vec!["kinderen_niet_gezien"]);
    case.set(s, "kinderen_gezien", "ja");

    case.set(s, "kinderen_veilig", "onbekend");
    assert_eq!(case.flags(s), vec!["kind_veiligheid_onbekend"]);
    assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("onvolledig"));
    case.set(s, "kinderen_veilig", "nee");
    assert_eq!(case.flags(s), vec!["geen_plan", "kind_onveilig"]);
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("acuut"));

    // Per child: Noor is safe, about Sem the worker is not sure.
    let noor = case.add_entry(s, "kinderen");
    let sem = case.add_entry(s, "kinderen");
    case.set_entry_all(
        s,
        noor,
        &[
            ("kc_wie", "Noor"),
            ("kc_relatie", "woont"),
            ("kc_gezien", "ja"),
            ("kc_veilig", "ja"),
        ],
    );
    case.set_entry_all(
        s,
        sem,
        &[
            ("kc_wie", "Sem"),
            ("kc_relatie", "woont"),
            ("kc_gezien", "ja"),
            ("kc_veilig", "onbekend"),
        ],
    );
    assert!(!case.visible_in(s, noor, "kc_zorg"));
    assert!(case.visible_in(s, sem, "kc_zorg"));
    assert!(case.missing(s).contains(&"kc_zorg@1".to_string()));
    assert!(!case.fires(s, "kc_onveilig@1"));
    case.set_entry(s, sem, "kc_veilig", "nee");
    assert!(case.fires(s, "kc_onveilig@1"));
    assert!(!case.fires(s, "kc_onveilig@0"));
}

#[test]
fn whether_all_children_are_safe_is_asked_only_when_there_are_children() {
    let mut roster = Family::Kersenboom.roster();
    roster.children.clear();
    let mut case = Case::new(roster, &["veiligheid"]);
    let s = case.sheet("veiligheid", "");
    calm(&mut case, s);
    // `calm` answered it, but with no children it is hidden and not counted.
    assert!(!case.visible(s, "kinderen_veilig"));
    assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("veilig"));
    case.set(s, "andere_kinderen", "ja");
    assert!(case.visible(s, "kinderen_veilig"));
    case.clear(s, "kinderen_veilig");
    assert_eq!(case.missing(s), vec!["kinderen_veilig"]);
    assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("onvolledig"));

    let (case, s) = appelboom();
    assert!(case.visible(s, "kinderen_veilig"));
}

#[test]
fn facts_keep_their_source_and_ask_who_told_them() {
    let (mut case, s) = appelboom();
    let told = case.add_entry(s, "feiten");
    let seen = case.add_entry(s, "feiten");
    case.set_entry_all(
        s,
        told,
        &[
            (
                "feit_wat",
                "Sem zegt: ik verstop me op mijn kamer als het hard gaat.",
            ),
            ("feit_bron", "kind_vertelt"),
        ],
    );
    case.set_entry_all(
        s,
        seen,
        &[
            ("feit_wat", "Gat in de deur van de woonkamer."),
            ("feit_bron", "zelf_gezien"),
        ],
    );
    assert!(case.visible_in(s, told, "feit_wie"));
    assert!(!case.visible_in(s, seen, "feit_wie"));
    assert!(case.missing(s).contains(&"feit_wie@0".to_string()));
    for (source, asks) in [
        ("zelf_gezien", false),
        ("zelf_gehoord", false),
        ("kind_vertelt", true),
        ("ouder_vertelt", true),
        ("ander_vertelt", true),
        ("dossier", false),
    ] {
        case.set_entry(s, seen, "feit_bron", source);
        assert_eq!(case.visible_in(s, seen, "feit_wie"), asks, "{source}");
    }
}

#[test]
fn one_worry_about_now_means_not_safe_now() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    for (yes, band) in [(0, "geen"), (1, "zorg"), (2, "zorg"), (10, "zorg")] {
        case.set_each(s, &NOW, "nee");
        case.set_each(s, &NOW[..yes], "ja");
        assert_eq!(case.score(s, "zorgen_nu"), yes as i64);
        assert_eq!(case.band(s, "zorgen_nu").as_deref(), Some(band));
        let verdict = if yes == 0 { "veilig" } else { "onveilig" };
        assert_eq!(
            case.outcome(s, "veilig_nu").as_deref(),
            Some(verdict),
            "{yes} worries"
        );
        assert_eq!(
            case.outcome(s, "oordeel").as_deref(),
            Some(verdict),
            "{yes} worries"
        );
    }
    // Unanswered is not safe: the verdict waits for every question.
    case.set_each(s, &NOW, "nee");
    case.clear(s, "vn_beschermen");
    assert_eq!(case.band(s, "zorgen_nu").as_deref(), Some("geen"));
    assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("onvolledig"));
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("onvolledig"));
}

/// Set the risk factors so that they add up to `total`.
fn risk(case: &mut Case, s: usize, total: usize) {
    case.set(s, "rf_eerder_geweld", "nee");
    case.set_each(s, &RISK_ONE, "nee");
    let mut ones = total;
    if total >= 2 {
        case.set(s, "rf_eerder_geweld", "ja");
        ones -= 2;
    }
    case.set_each(s, &RISK_ONE[..ones], "ja");
}

#[test]
fn risk_bands_at_their_edges_and_the_verdict_that_follows() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    for (total, band, verdict) in [
        (0, "laag", "veilig"),
        (1, "laag", "veilig"),
        (2, "laag", "veilig"),
        (3, "midden", "risico"),
        (5, "midden", "risico"),
        (6, "hoog", "risico"),
        (7, "hoog", "risico"),
        (13, "hoog", "risico"),
    ] {
        risk(&mut case, s, total);
        assert_eq!(case.score(s, "risico"), total as i64);
        assert_eq!(
            case.band(s, "risico").as_deref(),
            Some(band),
            "risk {total}"
        );
        assert_eq!(
            case.outcome(s, "oordeel").as_deref(),
            Some(verdict),
            "risk {total}"
        );
    }
    // Earlier violence counts double; "don't know" counts nothing.
    risk(&mut case, s, 0);
    case.set(s, "rf_eerder_geweld", "ja");
    assert_eq!(case.score(s, "risico"), 2);
    case.set(s, "rf_eerder_geweld", "onbekend");
    case.set_each(s, &RISK_ONE, "onbekend");
    assert_eq!(case.score(s, "risico"), 0);
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("veilig"));
    // A low risk with a factor unanswered is not yet a verdict.
    case.clear(s, "rf_stress");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("onvolledig"));
}

#[test]
fn the_five_questions_of_the_reporting_code_come_one_after_another() {
    let (mut case, s) = appelboom();
    let questions = [
        "mc_vermoeden",
        "mc_onveilig",
        "mc_hulp",
        "mc_aanvaard",
        "mc_duurzaam",
    ];
    let shown = |case: &Case| -> Vec<&str> {
        questions
            .iter()
            .copied()
            .filter(|q| case.visible(s, q))
            .collect()
    };
    assert_eq!(shown(&case), vec!["mc_vermoeden"]);
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("onvolledig"));
    case.set(s, "mc_vermoeden", "nee");
    assert_eq!(shown(&case), vec!["mc_vermoeden"]);
    assert_eq!(
        case.outcome(s, "afweging").as_deref(),
        Some("geen_vermoeden")
    );

    case.set(s, "mc_vermoeden", "ja");
    assert_eq!(shown(&case), vec!["mc_vermoeden", "mc_onveilig"]);
    case.set(s, "mc_onveilig", "ja");
    assert_eq!(shown(&case), vec!["mc_vermoeden", "mc_onveilig"]);
    assert_eq!(case.flags(s), vec!["melden_onveilig"]);
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("melden"));

    case.set(s, "mc_onveilig", "nee");
    case.set(s, "mc_hulp", "nee");
    assert_eq!(case.flags(s), vec!["melden_geen_hulp"]);
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("melden"));
    case.set(s, "mc_hulp", "ja");
    assert_eq!(
        shown(&case),
        vec!["mc_vermoeden", "mc_onveilig", "mc_hulp", "mc_aanvaard"]
    );
    case.set(s, "mc_aanvaard", "nee");
    assert_eq!(case.flags(s), vec!["melden_niet_aanvaard"]);
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("melden"));
    case.set(s, "mc_aanvaard", "ja");
    assert_eq!(shown(&case), questions.to_vec());
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("onvolledig"));
    case.set(s, "mc_duurzaam", "nee");
    assert_eq!(case.flags(s), vec!["melden_niet_duurzaam"]);
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("melden"));
    case.set(s, "mc_duurzaam", "onbekend");
    assert!(case.flags(s).is_empty());
    assert_eq!(
        case.outcome(s, "afweging").as_deref(),
        Some("opnieuw_afwegen")
    );
    case.set(s, "mc_duurzaam", "ja");
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("hulp"));

    // Going back to the first question hides the rest; their answers are
    // kept but raise nothing and decide nothing.
    case.set(s, "mc_duurzaam", "nee");
    case.set(s, "mc_vermoeden", "nee");
    assert_eq!(shown(&case), vec!["mc_vermoeden"]);
    assert!(case.flags(s).is_empty());
    assert_eq!(
        case.outcome(s, "afweging").as_deref(),
        Some("geen_vermoeden")
    );
}

#[test]
fn answering_question_two_with_no_despite_acute_danger_is_flagged() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    case.set_all(s, &[("mc_vermoeden", "ja"), ("mc_onveilig", "nee")]);
    assert!(!case.fires(s, "vraag2_klopt_niet"));
    case.set(s, "acuut_geweld", "ja");
    assert!(case.fires(s, "vraag2_klopt_niet"));
    case.set(s, "mc_onveilig", "ja");
    assert!(!case.fires(s, "vraag2_klopt_niet"));
}

#[test]
fn a_very_low_scaling_answer_asks_for_attention() {
    let (mut case, s) = appelboom();
    let sem = case.add_entry(s, "schaalvragen");
    let lotte = case.add_entry(s, "schaalvragen");
    case.set_entry_all(
        s,
        sem,
        &[("sv_wie", "Sem"), ("sv_rol", "kind"), ("sv_cijfer", "2")],
    );
    case.set_entry_all(
        s,
        lotte,
        &[("sv_wie", "Lotte"), ("sv_rol", "ouder"), ("sv_cijfer", "3")],
    );
    assert_eq!(case.flags(s), vec!["sv_laag@0"]);
    case.set_entry(s, sem, "sv_cijfer", "0");
    case.set_entry(s, lotte, "sv_cijfer", "10");
    assert_eq!(case.flags(s), vec!["sv_laag@0"]);
    case.set_entry(s, sem, "sv_cijfer", "3");
    assert!(case.flags(s).is_empty());
}

#[test]
fn unsafety_without_a_safety_plan_is_flagged_until_there_is_an_agreement() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    assert!(!case.fires(s, "geen_plan"));
    case.set(s, "vn_angst", "ja");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("onveilig"));
    assert!(case.fires(s, "geen_plan"));
    let e = case.add_entry(s, "plan");
    assert!(!case.fires(s, "geen_plan"));
    assert_eq!(
        case.missing(s),
        vec!["plan_wie@0", "plan_wat@0", "plan_wanneer@0"]
    );
    case.set_entry_all(
        s,
        e,
        &[
            ("plan_wie", "Lotte"),
            ("plan_wat", "Belt haar zus als de ruzie oploopt."),
            ("plan_wanneer", "2026-03-11"),
        ],
    );
    assert!(case.missing(s).is_empty());
}

#[test]
fn the_verdict_rules_hold_in_order() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    risk(&mut case, s, 6);
    case.set(s, "herhaald_geweld", "ja");
    // Structural unsafety comes before the risk band.
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("structureel"));
    // A worry about now comes before structural unsafety.
    case.set(s, "vn_dreiging", "ja");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("onveilig"));
    // Acute danger comes first of all.
    case.set(s, "kinderen_veilig", "nee");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("acuut"));
}
