//! The safety check (`veiligheid`) with the fictional families: acute and
//! structural unsafety, the child check, facts with their source, safety now
//! and the risk band, the five questions of the reporting code, scaling
//! questions, the safety plan, and the verdicts.

mod common;

use common::{Case, Family};

const ACUTE: [(&str, &str); 7] = [
    ("acuut_geweld", "acuut_geweld"),
    ("acuut_wapen", "acuut_wapen"),
    ("acuut_doden", "acuut_doden"),
    ("acuut_zelfdoding_ouder", "acuut_zelfdoding_ouder"),
    ("kind_zonder_zorg", "kind_zonder_zorg"),
    ("acuut_baby", "acuut_baby"),
    ("acuut_seksueel", "acuut_seksueel"),
];
/// The ten "now" items: the item, its safe answer and its worrying one
/// (`vn_ouder_beschermt` is asked positively, so "ja" is safe there).
const NOW: [(&str, &str, &str); 10] = [
    ("vn_letsel", "nee", "ja"),
    ("vn_geweld_recent", "nee", "ja"),
    ("vn_dreiging", "nee", "ja"),
    ("vn_angst", "nee", "ja"),
    ("vn_toezicht", "nee", "ja"),
    ("vn_basiszorg", "nee", "ja"),
    ("vn_middelen", "nee", "ja"),
    ("vn_psychisch", "nee", "ja"),
    ("vn_kind_zegt", "nee", "ja"),
    ("vn_ouder_beschermt", "ja", "nee"),
];
const STRUCTURAL: [&str; 4] = [
    "herhaald_geweld",
    "getuige_geweld",
    "verwaarlozing",
    "hulp_zonder_effect",
];
/// Risk factors worth one point; `rf_eerder_geweld` is worth two.
const RISK_ONE: [&str; 12] = [
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
    "rf_wapens",
];

fn appelboom() -> (Case, usize) {
    let case = Case::family(Family::Appelboom, &["veiligheid"]);
    let s = case.sheet("veiligheid", "");
    (case, s)
}

/// The ten "now" items: the first `worries` worrying, the rest safe.
fn now_items(case: &mut Case, s: usize, worries: usize) {
    for (i, (item, safe, unsafe_)) in NOW.iter().enumerate() {
        case.set(s, item, if i < worries { unsafe_ } else { safe });
    }
}

/// The worker's own judgement, with its reasoning and who it was checked with.
fn judge(case: &mut Case, s: usize, verdict: &str) {
    case.set_all(
        s,
        &[
            ("eigen_oordeel", verdict),
            (
                "onderbouwing",
                "Lotte en Bram houden zich aan de afspraken.",
            ),
            ("getoetst_met", "collega"),
        ],
    );
}

/// A visit in which nothing is wrong today: every required question of the
/// ordinary sections answered, all calm, and the worker judges it safe.
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
            ("eergerelateerd", "nee"),
            ("kinderen_gezien", "ja"),
            ("volwassene_problemen", "ja"),
            (
                "volwassene_problemen_kinderen",
                "Noor en Sem horen de ruzies over geld; oma past dan op.",
            ),
            ("andere_kinderen", "nee"),
            ("zwangerschap", "nee"),
            ("kinderen_veilig", "ja"),
        ],
    );
    // The child check per child: one entry per child of the roster.
    for child in 0..case.visit.roster.children.len() {
        case.set_entry_all(
            s,
            child,
            &[
                ("kc_relatie", "woont"),
                ("kc_gezien", "ja"),
                ("kc_veilig", "ja"),
            ],
        );
    }
    now_items(case, s, 0);
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
            (
                "sos_gevaar",
                "De wijkcoach is bang dat Sem zich blijft verstoppen als Lotte en Bram schreeuwen.",
            ),
            ("sos_goed", "Lotte en Bram willen allebei hulp."),
            (
                "sos_moet",
                "Drie maanden geen ruzie waar de kinderen bij zijn.",
            ),
            ("zicht_wie", "Wijkteam, de vaste wijkcoach"),
            ("zicht_tot", "2026-06-01"),
            ("volgend_contact", "2026-03-18"),
        ],
    );
    judge(case, s, "veilig");
}

/// Answer the steps and questions of the reporting code that lead to a
/// report.
fn report(case: &mut Case, s: usize) {
    case.set_all(
        s,
        &[
            ("mc_vermoeden", "ja"),
            ("stap_collegiaal", "ja"),
            ("stap_vt_advies", "nee"),
            ("stap_gesprek", "ja"),
            ("mc_onveilig", "ja"),
            ("melding", "gedaan"),
            ("melding_datum", "2026-03-04"),
            ("melding_gezin", "ja"),
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
fn the_checklist_is_version_3() {
    let (case, s) = appelboom();
    assert_eq!(case.checklist(s).version, 3);
}

#[test]
fn each_acute_item_raises_its_acute_flag_and_makes_the_verdict_acute() {
    for (item, flag) in ACUTE {
        let (mut case, s) = appelboom();
        calm(&mut case, s);
        report(&mut case, s);
        judge(&mut case, s, "acuut_onveilig");
        assert!(!case.visible(s, "acuut_anders"));
        case.set(s, item, "ja");
        // Unsafe without a safety plan yet: that is flagged too.
        let mut expected = vec![
            flag.to_string(),
            "geen_plan".to_string(),
            "melden_onveilig".to_string(),
        ];
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
        let mut missing = vec!["acuut_anders".to_string()];
        if item == "acuut_seksueel" {
            missing.insert(0, "seksueel_recent".to_string());
        }
        assert_eq!(case.missing(s), missing, "{item}");
        assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("onveilig"));
        assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("acuut"));
        assert_eq!(case.outcome(s, "afweging").as_deref(), Some("melden"));
    }
}

#[test]
fn a_parents_suicide_threat_names_113_and_the_children() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    case.set(s, "acuut_zelfdoding_ouder", "ja");
    assert!(case.fires(s, "acuut_zelfdoding_ouder"));
    let c = case.checklist(s);
    let def = c
        .red_flags
        .iter()
        .find(|f| f.id == "acuut_zelfdoding_ouder")
        .unwrap();
    assert!(def.action.nl.contains("0800-0113") && def.action.nl.contains("kinderen"));
    // A threat to kill others is its own question; neither says "gezinsdrama".
    let doden = c.items.iter().find(|i| i.id == "acuut_doden").unwrap();
    assert!(!doden.text.nl.contains("zichzelf"));
}

#[test]
fn sexual_violence_within_a_week_points_to_the_sexual_assault_centre() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    assert!(!case.visible(s, "seksueel_recent"));
    case.set(s, "acuut_seksueel", "ja");
    assert!(case.visible(s, "seksueel_recent"));
    assert!(!case.fires(s, "seksueel_recent"));
    case.set(s, "seksueel_recent", "onbekend");
    assert!(!case.fires(s, "seksueel_recent"));
    case.set(s, "seksueel_recent", "ja");
    assert!(case.fires(s, "seksueel_recent"));
    let c = case.checklist(s);
    let def = c
        .red_flags
        .iter()
        .find(|f| f.id == "seksueel_recent")
        .unwrap();
    assert_eq!(def.level.key(), "acute");
    assert!(
        def.action
            .nl
            .contains("Centrum Seksueel Geweld (0800-0188)")
    );
    assert!(def.action.en.contains("0800-0188"));
    // The wording does not hinge on the child's wish, and names online abuse.
    let item = c.items.iter().find(|i| i.id == "acuut_seksueel").unwrap();
    assert!(item.text.nl.contains("online"));
    let help = item.help.as_ref().unwrap();
    assert!(help.nl.contains("wat het kind er ook van vond"));
    assert!(!help.nl.contains("niet wilde"));
    let action = &c
        .red_flags
        .iter()
        .find(|f| f.id == "acuut_seksueel")
        .unwrap()
        .action;
    assert!(action.nl.contains("pleger") && !action.nl.contains("dader"));
}

#[test]
fn acute_answers_with_meldcode_question_1_no_are_a_contradiction_and_still_report() {
    // Familie Perenstraat: Eva and Daan, Finn (9) and Lieke (14). Acute
    // violence "ja", but the worker answers meldcode question 1 "nee".
    let mut case = Case::family(Family::Perenstraat, &["veiligheid"]);
    let s = case.sheet("veiligheid", "");
    calm(&mut case, s);
    judge(&mut case, s, "acuut_onveilig");
    case.set(s, "acuut_geweld", "ja");
    case.set(s, "acuut_anders", "Daan sloeg Eva gisteren; Finn zag het.");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("acuut"));
    // The verdict decides the weighing: reporting is the norm.
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("melden"));
    assert!(case.fires(s, "meldcode_tegenstrijdig"));
    let c = case.checklist(s);
    let def = c
        .red_flags
        .iter()
        .find(|f| f.id == "meldcode_tegenstrijdig")
        .unwrap();
    assert_eq!(def.level.key(), "structural");
    // The flag names both sides: the verdict and the meldcode question.
    assert!(def.message.nl.contains("acuut") && def.message.nl.contains("meldcode vraag 1 of 2"));
    assert!(def.action.nl.contains("0800-2000"));
    // Whether the report was made is asked.
    assert!(case.visible(s, "melding"));
    assert!(case.missing(s).contains(&"melding".to_string()));

    // Question 1 "ja" and question 2 "nee" is just as contradictory.
    case.set_all(s, &[("mc_vermoeden", "ja"), ("mc_onveilig", "nee")]);
    assert!(case.fires(s, "meldcode_tegenstrijdig"));
    case.set(s, "mc_onveilig", "ja");
    assert!(!case.fires(s, "meldcode_tegenstrijdig"));
    assert!(case.fires(s, "melden_onveilig"));
}

#[test]
fn structural_answers_with_question_2_no_are_a_contradiction() {
    for item in STRUCTURAL {
        let (mut case, s) = appelboom();
        calm(&mut case, s);
        case.set_all(s, &[("mc_vermoeden", "ja"), ("mc_onveilig", "nee")]);
        assert!(!case.fires(s, "meldcode_tegenstrijdig"));
        assert_eq!(case.outcome(s, "afweging").as_deref(), Some("onvolledig"));
        case.set(s, item, "ja");
        assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("structureel"));
        assert!(case.fires(s, "meldcode_tegenstrijdig"), "{item}");
        assert_eq!(
            case.outcome(s, "afweging").as_deref(),
            Some("melden"),
            "{item}"
        );
    }
    // A worry about now (not acute, not structural) with question 1 "nee"
    // is flagged too, but the weighing follows the questions.
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    case.set(s, "vn_angst", "ja");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("onveilig"));
    assert!(case.fires(s, "meldcode_tegenstrijdig"));
    assert_eq!(
        case.outcome(s, "afweging").as_deref(),
        Some("geen_vermoeden")
    );
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
fn structural_unsafety_raises_structural_flags_that_make_reporting_the_norm() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    report(&mut case, s);
    judge(&mut case, s, "structureel_onveilig");
    case.set(s, "herhaald_geweld", "onbekend");
    assert!(!case.visible(s, "patroon"));
    // "Weet niet" raises no structural flag, but keeps the verdict open.
    assert_eq!(case.flags(s), vec!["melden_onveilig", "veel_onbekend"]);
    case.set(s, "herhaald_geweld", "ja");
    assert!(case.visible(s, "patroon"));
    assert_eq!(
        case.flags(s),
        vec!["geen_plan", "herhaald_geweld", "melden_onveilig"]
    );
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("structureel"));
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("melden"));
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
            "melden_onveilig",
            "verwaarlozing"
        ]
    );
    let c = case.checklist(s);
    for f in STRUCTURAL {
        let def = c.red_flags.iter().find(|d| d.id == f).expect("flag");
        assert_eq!(def.level.key(), "structural", "{f}");
        assert!(def.action.nl.contains("de norm"), "{f}: {}", def.action.nl);
        assert!(!def.action.nl.to_lowercase().contains("overweeg"), "{f}");
        assert!(def.action.en.contains("the norm"), "{f}");
    }
    // Witnessing alone is structural unsafety too, and so is a worry about
    // now beside it: structural comes before "not safe now".
    case.set_all(
        s,
        &[
            ("herhaald_geweld", "nee"),
            ("verwaarlozing", "nee"),
            ("hulp_zonder_effect", "nee"),
            ("vn_angst", "ja"),
        ],
    );
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("structureel"));
    assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("onveilig"));
}

#[test]
fn honour_related_violence_goes_through_veilig_thuis_without_the_family() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    for item in ["eer_vormen", "eer_familie", "eer_reis"] {
        assert!(!case.visible(s, item), "{item}");
    }
    case.set(s, "eergerelateerd", "onbekend");
    assert!(!case.visible(s, "eer_familie"));
    assert_eq!(
        case.outcome(s, "oordeel").as_deref(),
        Some("te_veel_onbekend")
    );
    case.set(s, "eergerelateerd", "ja");
    for item in ["eer_vormen", "eer_familie", "eer_reis"] {
        assert!(case.visible(s, item), "{item}");
    }
    // Structural unsafety: whether the report was made is asked too.
    assert_eq!(case.missing(s), vec!["eer_familie", "eer_reis", "melding"]);
    case.set_all(
        s,
        &[
            ("eer_vormen", "huwelijksdwang, achterlating"),
            ("eer_familie", "ja"),
            ("eer_reis", "nee"),
        ],
    );
    assert!(case.fires(s, "eergerelateerd"));
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("structureel"));
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("melden"));
    let c = case.checklist(s);
    let flag = |id: &str| c.red_flags.iter().find(|f| f.id == id).unwrap().clone();
    let eer = flag("eergerelateerd");
    assert!(eer.action.nl.contains("niet met de familie") && eer.action.nl.contains("112"));
    assert!(eer.action.nl.contains("0800-2000"));

    // Question 2 "ja": the report flag does not say "tell the parents".
    case.set_all(s, &[("mc_vermoeden", "ja"), ("mc_onveilig", "ja")]);
    assert!(case.fires(s, "melden_onveilig_eer"));
    assert!(!case.fires(s, "melden_onveilig"));
    assert!(
        flag("melden_onveilig")
            .action
            .nl
            .contains("Vertel de ouders")
    );
    let gated = flag("melden_onveilig_eer");
    assert!(gated.action.nl.contains("Vertel de familie niet"));
    assert!(!gated.action.nl.contains("Vertel de ouders dat u meldt"));

    // A plan that leans on the network asks to consult Veilig Thuis first.
    let e = case.add_entry(s, "plan");
    case.set_entry_all(
        s,
        e,
        &[
            ("plan_wie", "Lieke"),
            (
                "plan_wat",
                "Belt de vertrouwensdocent als er over trouwen gepraat wordt.",
            ),
            ("plan_wanneer", "2026-03-11"),
            ("plan_als_misgaat", "Lieke belt 112."),
            ("plan_kind_weet", "ja"),
        ],
    );
    assert!(!case.fires(s, "plan_netwerk_eer@0"));
    case.set_entry(s, e, "plan_netwerk", "oom");
    assert!(case.fires(s, "plan_netwerk_eer@0"));

    // Plans to travel to the country of origin are acute.
    case.set(s, "eer_reis", "ja");
    assert!(case.fires(s, "eer_reis"));
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("acuut"));
    assert_eq!(flag("eer_reis").level.key(), "acute");
    // The plan help warns for intimate terror and honour-related violence.
    let plan = c.sections.iter().find(|x| x.id == "plan").unwrap();
    let help = &plan.help.as_ref().unwrap().nl;
    assert!(help.contains("intieme terreur") && help.contains("eergerelateerd"));
}

#[test]
fn the_child_check_asks_about_unseen_children_and_each_childs_safety() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    assert!(!case.visible(s, "kinderen_niet_gezien_waarom"));
    case.set(s, "kinderen_gezien", "nee");
    assert!(case.visible(s, "kinderen_niet_gezien_waarom"));
    assert_eq!(
        case.missing(s),
        vec!["kinderen_niet_gezien_waarom", "toegang_geweigerd"]
    );
    // No worries about safety and no young child: attention only.
    assert_eq!(case.flags(s), vec!["kinderen_niet_gezien"]);
    case.set(s, "kinderen_gezien", "ja");

    case.set(s, "kinderen_veilig", "onbekend");
    // Not knowing whether a child is safe: the worker's "veilig" now differs
    // from the computed "te veel onbekend".
    assert_eq!(
        case.flags(s),
        vec![
            "kind_veiligheid_onbekend",
            "oordeel_wijkt_af",
            "veel_onbekend"
        ]
    );
    assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("onvolledig"));
    judge(&mut case, s, "acuut_onveilig");
    case.set(s, "kinderen_veilig", "nee");
    assert_eq!(
        case.flags(s),
        vec!["geen_plan", "kind_onveilig", "meldcode_tegenstrijdig"]
    );
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("acuut"));

    // Per child: Noor is safe, about Sem the worker is not sure.
    // The roster's order: Noor, then Sem.
    let (noor, sem) = (0, 1);
    case.set_entry_all(
        s,
        noor,
        &[
            ("kc_relatie", "woont"),
            ("kc_gezien", "ja"),
            ("kc_veilig", "ja"),
            ("kc_vorm", "geen"),
        ],
    );
    case.set_entry_all(
        s,
        sem,
        &[
            ("kc_relatie", "woont"),
            ("kc_gezien", "ja"),
            ("kc_veilig", "onbekend"),
            ("kc_vorm", "getuige_geweld, psychische_mishandeling"),
        ],
    );
    assert!(!case.visible_in(s, noor, "kc_zorg"));
    assert!(case.visible_in(s, sem, "kc_zorg"));
    assert!(case.missing(s).contains(&"kc_zorg@1".to_string()));
    assert!(!case.fires(s, "kc_onveilig@1"));
    assert!(!case.fires(s, "kc_niet_gezien@1"));
    // Not seen, and not known to be safe: consult today.
    case.set_entry(s, sem, "kc_gezien", "nee");
    assert!(case.fires(s, "kc_niet_gezien@1"));
    case.set_entry(s, sem, "kc_veilig", "nee");
    assert!(!case.fires(s, "kc_niet_gezien@1"));
    assert!(case.fires(s, "kc_onveilig@1"));
    assert!(!case.fires(s, "kc_onveilig@0"));
    // Siblings who live elsewhere have a place too.
    let c = case.checklist(s);
    let rel = c.items.iter().find(|i| i.id == "kc_relatie").unwrap();
    assert!(rel.option_index("uithuisgeplaatst").is_some());
    assert!(rel.option_index("andere_ouder").is_some());
}

#[test]
fn a_child_not_seen_with_worries_or_a_baby_is_raised_and_refused_access_is_acute() {
    // Familie Appelboom: Noor is 5, Sem 11; a baby sister visits at weekends.
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    case.set(s, "kinderen_gezien", "nee");
    assert!(!case.fires(s, "kind_niet_gezien_zorg"));
    case.set(s, "rf_jong_kind", "ja");
    assert!(case.fires(s, "kind_niet_gezien_zorg"));

    // Familie Kersenboom: Mila is 2, so the roster alone says there is a
    // very young child.
    let mut case = Case::family(Family::Kersenboom, &["veiligheid"]);
    let s = case.sheet("veiligheid", "");
    calm(&mut case, s);
    assert!(!case.fires(s, "kind_niet_gezien_zorg"));
    case.set(s, "kinderen_gezien", "nee");
    assert!(case.fires(s, "kind_niet_gezien_zorg"), "Mila is 2");
    case.set(s, "getuige_geweld", "ja");
    assert!(case.fires(s, "kind_niet_gezien_zorg"));
    let c = case.checklist(s);
    let def = c
        .red_flags
        .iter()
        .find(|f| f.id == "kind_niet_gezien_zorg")
        .unwrap();
    assert_eq!(def.level.key(), "structural");
    assert!(def.action.nl.contains("vandaag") && def.action.nl.contains("acuut"));

    case.set(s, "toegang_geweigerd", "nee");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("structureel"));
    case.set(s, "toegang_geweigerd", "ja");
    assert!(case.fires(s, "toegang_geweigerd"));
    assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("onveilig"));
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("acuut"));
}

#[test]
fn an_unborn_child_in_a_violent_home_is_flagged() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    case.set(s, "zwangerschap", "ja");
    assert!(!case.fires(s, "ongeboren_kind"));
    case.set(s, "rf_eerder_geweld", "ja");
    assert!(case.fires(s, "ongeboren_kind"));
    let c = case.checklist(s);
    let def = c
        .red_flags
        .iter()
        .find(|f| f.id == "ongeboren_kind")
        .unwrap();
    assert_eq!(def.level.key(), "structural");
    assert!(def.action.nl.contains("0800-2000") && def.action.nl.contains("verloskundige"));
}

#[test]
fn adult_problems_ask_what_they_mean_for_the_children() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    assert!(case.visible(s, "volwassene_problemen_kinderen"));
    case.clear(s, "volwassene_problemen_kinderen");
    assert_eq!(case.missing(s), vec!["volwassene_problemen_kinderen"]);
    case.set(s, "volwassene_problemen", "nee");
    assert!(!case.visible(s, "volwassene_problemen_kinderen"));
    assert!(case.missing(s).is_empty());
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
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("veilig"));
    case.set(s, "andere_kinderen", "ja");
    assert!(case.visible(s, "kinderen_veilig"));
    case.clear(s, "kinderen_veilig");
    assert_eq!(case.missing(s), vec!["kinderen_veilig"]);
    assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("onvolledig"));
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("onvolledig"));

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
    for (worries, band) in [(0, "geen"), (1, "zorg"), (2, "zorg"), (10, "zorg")] {
        now_items(&mut case, s, worries);
        assert_eq!(case.score(s, "zorgen_nu"), worries as i64);
        assert_eq!(case.band(s, "zorgen_nu").as_deref(), Some(band));
        let verdict = if worries == 0 { "veilig" } else { "onveilig" };
        assert_eq!(
            case.outcome(s, "veilig_nu").as_deref(),
            Some(verdict),
            "{worries} worries"
        );
        assert_eq!(
            case.outcome(s, "oordeel").as_deref(),
            Some(verdict),
            "{worries} worries"
        );
    }
    // The positively asked item: "no parent protects" is the worry.
    now_items(&mut case, s, 0);
    case.set(s, "vn_ouder_beschermt", "nee");
    assert_eq!(case.score(s, "zorgen_nu"), 1);
    assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("onveilig"));
    // Unanswered is not safe: the verdict waits for every question.
    now_items(&mut case, s, 0);
    case.clear(s, "vn_ouder_beschermt");
    assert_eq!(case.band(s, "zorgen_nu").as_deref(), Some("geen"));
    assert_eq!(case.outcome(s, "veilig_nu").as_deref(), Some("onvolledig"));
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("onvolledig"));
}

#[test]
fn dont_know_on_a_now_item_is_never_safe() {
    for (item, _, _) in NOW {
        let (mut case, s) = appelboom();
        calm(&mut case, s);
        case.set(s, item, "onbekend");
        assert_eq!(case.score(s, "zorgen_nu"), 0, "{item}");
        assert_eq!(
            case.outcome(s, "veilig_nu").as_deref(),
            Some("onvolledig"),
            "{item}"
        );
        assert_eq!(
            case.outcome(s, "oordeel").as_deref(),
            Some("te_veel_onbekend"),
            "{item}"
        );
        assert!(case.fires(s, "veel_onbekend"), "{item}");
    }
}

/// Set the risk factors so that they add up to `total`.
fn risk(case: &mut Case, s: usize, total: usize) {
    case.set(s, "rf_eerder_geweld", "nee");
    case.set(s, "eerdere_zorgen", "nee");
    case.set_each(s, &RISK_ONE, "nee");
    let mut ones = total;
    if total >= 2 {
        case.set(s, "rf_eerder_geweld", "ja");
        ones -= 2;
    }
    if ones > RISK_ONE.len() {
        case.set(s, "eerdere_zorgen", "ja");
        ones -= 1;
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
        (15, "hoog", "risico"),
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
    // Earlier violence counts double; earlier reports and weapons count.
    risk(&mut case, s, 0);
    case.set(s, "rf_eerder_geweld", "ja");
    assert_eq!(case.score(s, "risico"), 2);
    case.set(s, "eerdere_zorgen", "ja");
    assert_eq!(case.score(s, "risico"), 3);
    assert!(case.visible(s, "eerdere_zorgen_wat"));
    case.set(s, "rf_wapens", "ja");
    assert_eq!(case.score(s, "risico"), 4);
    // A low risk with a factor unanswered is not yet a verdict.
    risk(&mut case, s, 0);
    case.clear(s, "rf_stress");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("onvolledig"));
}

#[test]
fn every_risk_factor_dont_know_is_too_much_unknown_never_safe() {
    // The review's "all unknowns" visit, with Familie Perenstraat: all acute
    // items "nee", the structural items and every risk factor "weet niet".
    let mut case = Case::family(Family::Perenstraat, &["veiligheid"]);
    let s = case.sheet("veiligheid", "");
    calm(&mut case, s);
    case.set_each(s, &STRUCTURAL, "onbekend");
    case.set(s, "rf_eerder_geweld", "onbekend");
    case.set_each(s, &RISK_ONE, "onbekend");
    assert_eq!(case.score(s, "risico"), 0);
    assert_eq!(case.band(s, "risico").as_deref(), Some("laag"));
    assert_eq!(
        case.outcome(s, "oordeel").as_deref(),
        Some("te_veel_onbekend")
    );
    assert!(case.fires(s, "veel_onbekend"));
    // The worker called it safe: that differs from the computation.
    assert!(case.fires(s, "oordeel_wijkt_af"));
    judge(&mut case, s, "voorwaardelijk_veilig");
    assert!(!case.fires(s, "oordeel_wijkt_af"));

    // One single "weet niet" is enough to withhold "veilig".
    for item in RISK_ONE
        .iter()
        .copied()
        .chain(["rf_eerder_geweld", "eerdere_zorgen", "eergerelateerd"])
        .chain(STRUCTURAL)
    {
        let (mut case, s) = appelboom();
        calm(&mut case, s);
        case.set(s, item, "onbekend");
        assert_eq!(
            case.outcome(s, "oordeel").as_deref(),
            Some("te_veel_onbekend"),
            "{item}"
        );
        case.set(s, item, "nee");
        assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("veilig"));
    }
}

#[test]
fn the_reporting_code_comes_one_question_after_another() {
    let (mut case, s) = appelboom();
    let questions = [
        "mc_vermoeden",
        "stap_collegiaal",
        "stap_vt_advies",
        "stap_gesprek",
        "mc_onveilig",
        "mc_hulp_na_melding",
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
    let steps = [
        "mc_vermoeden",
        "stap_collegiaal",
        "stap_vt_advies",
        "stap_gesprek",
    ];
    assert_eq!(shown(&case), [&steps[..], &["mc_onveilig"]].concat());
    case.set(s, "mc_onveilig", "ja");
    // After question 2 "ja": what help the worker still offers.
    assert_eq!(
        shown(&case),
        [&steps[..], &["mc_onveilig", "mc_hulp_na_melding"]].concat()
    );
    assert_eq!(case.flags(s), vec!["melden_onveilig"]);
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("melden"));
    assert!(case.visible(s, "melding"));

    case.set(s, "mc_onveilig", "nee");
    case.set(s, "mc_hulp", "nee");
    assert_eq!(case.flags(s), vec!["melden_geen_hulp"]);
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("melden"));
    case.set(s, "mc_hulp", "ja");
    assert_eq!(
        shown(&case),
        [&steps[..], &["mc_onveilig", "mc_hulp", "mc_aanvaard"]].concat()
    );
    case.set(s, "mc_aanvaard", "nee");
    assert_eq!(case.flags(s), vec!["melden_niet_aanvaard"]);
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("melden"));
    case.set(s, "mc_aanvaard", "ja");
    assert_eq!(
        shown(&case),
        [
            &steps[..],
            &["mc_onveilig", "mc_hulp", "mc_aanvaard", "mc_duurzaam"]
        ]
        .concat()
    );
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("onvolledig"));
    case.set(s, "mc_duurzaam", "nee");
    assert_eq!(case.flags(s), vec!["melden_niet_duurzaam"]);
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("melden"));
    case.set(s, "mc_duurzaam", "onbekend");
    assert!(case.flags(s).is_empty());
    assert!(!case.visible(s, "melding"));
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
fn the_aftermath_of_a_report_is_recorded() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    report(&mut case, s);
    assert!(case.visible(s, "melding_datum"));
    assert!(case.visible(s, "melding_afspraken"));
    assert!(!case.visible(s, "melding_waarom_niet"));
    assert!(case.missing(s).is_empty(), "{:?}", case.missing(s));
    case.set(s, "melding", "niet");
    assert!(case.fires(s, "melding_niet"));
    assert_eq!(case.missing(s), vec!["melding_waarom_niet"]);
    assert!(!case.visible(s, "melding_gezin"));
    case.set(s, "melding", "gepland");
    assert!(!case.fires(s, "melding_niet"));
    assert!(case.visible(s, "melding_gezin"));
    assert!(!case.visible(s, "melding_datum"));
}

#[test]
fn a_very_low_scaling_answer_is_raised_by_who_gave_it() {
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
        &[
            ("sv_wie", "Lotte"),
            ("sv_rol", "ouder"),
            ("sv_kind", "Noor"),
            ("sv_cijfer", "3"),
        ],
    );
    // A child's 2 is structural: the child may not be able to stay home.
    assert_eq!(case.flags(s), vec!["sv_laag_kind_of_hulpverlener@0"]);
    case.set_entry(s, sem, "sv_cijfer", "3");
    case.set_entry(s, lotte, "sv_cijfer", "2");
    assert_eq!(case.flags(s), vec!["sv_laag@1"]);
    case.set_entry(s, lotte, "sv_cijfer", "10");
    assert!(case.flags(s).is_empty());
    let c = case.checklist(s);
    let structural = c
        .red_flags
        .iter()
        .find(|f| f.id == "sv_laag_kind_of_hulpverlener")
        .unwrap();
    assert_eq!(structural.level.key(), "structural");
}

#[test]
fn unsafety_without_a_safety_plan_is_flagged_until_there_is_an_agreement() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    judge(&mut case, s, "acuut_onveilig");
    assert!(!case.fires(s, "geen_plan"));
    case.set(s, "vn_angst", "ja");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("onveilig"));
    assert!(case.fires(s, "geen_plan"));
    assert!(!case.visible(s, "plan_voldoende"));
    let e = case.add_entry(s, "plan");
    assert!(!case.fires(s, "geen_plan"));
    assert!(case.visible(s, "plan_voldoende") && case.visible(s, "plan_evaluatie"));
    assert_eq!(
        case.missing(s),
        vec![
            "plan_wie@0",
            "plan_wat@0",
            "plan_wanneer@0",
            "plan_als_misgaat@0",
            "plan_kind_weet@0",
            "plan_voldoende",
            "plan_evaluatie"
        ]
    );
    case.set_entry_all(
        s,
        e,
        &[
            ("plan_wie", "Lotte"),
            ("plan_wat", "Belt haar zus als de ruzie oploopt."),
            ("plan_wanneer", "2026-03-11"),
            (
                "plan_als_misgaat",
                "Lotte gaat met de kinderen naar haar zus.",
            ),
            ("plan_netwerk", "zus van Lotte"),
            ("plan_kind_weet", "ja"),
        ],
    );
    assert!(!case.fires(s, "plan_netwerk_eer@0"));
    case.set_all(
        s,
        &[("plan_evaluatie", "2026-04-01"), ("plan_voldoende", "nee")],
    );
    assert!(case.missing(s).is_empty(), "{:?}", case.missing(s));
    assert!(case.fires(s, "plan_niet_voldoende"));
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("onveilig"));
}

#[test]
fn a_sufficient_plan_makes_not_safe_now_conditionally_safe() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    case.set(s, "vn_angst", "ja");
    let e = case.add_entry(s, "plan");
    case.set_entry_all(
        s,
        e,
        &[
            ("plan_wie", "Bram"),
            ("plan_wat", "Gaat een week bij zijn broer slapen."),
            ("plan_wanneer", "2026-03-05"),
            ("plan_als_misgaat", "Lotte belt 112."),
            ("plan_kind_weet", "niet_passend"),
        ],
    );
    case.set_all(
        s,
        &[("plan_voldoende", "ja"), ("plan_evaluatie", "2026-03-11")],
    );
    assert_eq!(
        case.outcome(s, "oordeel").as_deref(),
        Some("voorwaardelijk_veilig")
    );
    assert!(!case.fires(s, "plan_niet_voldoende"));
    assert!(!case.fires(s, "geen_plan"));
    // The worker's "veilig" differs from "voorwaardelijk veilig".
    assert!(case.fires(s, "oordeel_wijkt_af"));
    judge(&mut case, s, "voorwaardelijk_veilig");
    assert!(!case.fires(s, "oordeel_wijkt_af"));
    // Acute or structural unsafety is never made conditional by a plan.
    case.set(s, "getuige_geweld", "ja");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("structureel"));
    case.set(s, "acuut_wapen", "ja");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("acuut"));
}

#[test]
fn the_workers_own_verdict_is_required_and_flagged_when_it_differs() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    for item in ["eigen_oordeel", "onderbouwing", "getoetst_met"] {
        case.clear(s, item);
    }
    assert_eq!(
        case.missing(s),
        vec!["eigen_oordeel", "onderbouwing", "getoetst_met"]
    );
    assert!(!case.fires(s, "oordeel_wijkt_af"));
    let c = case.checklist(s);
    let own = c.items.iter().find(|i| i.id == "eigen_oordeel").unwrap();
    for option in [
        "acuut_onveilig",
        "structureel_onveilig",
        "zorgelijke_leefsituatie",
        "voorwaardelijk_veilig",
        "veilig",
    ] {
        assert!(own.option_index(option).is_some(), "{option}");
    }
    // Computed "veilig": only the worker's "veilig" agrees.
    for (own, differs) in [
        ("veilig", false),
        ("voorwaardelijk_veilig", true),
        ("zorgelijke_leefsituatie", true),
        ("structureel_onveilig", true),
        ("acuut_onveilig", true),
    ] {
        judge(&mut case, s, own);
        assert_eq!(case.fires(s, "oordeel_wijkt_af"), differs, "{own}");
    }
    // Computed "risico": a multi-problem judgement fits; "structureel" not.
    risk(&mut case, s, 4);
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("risico"));
    judge(&mut case, s, "zorgelijke_leefsituatie");
    assert!(!case.fires(s, "oordeel_wijkt_af"));
    judge(&mut case, s, "structureel_onveilig");
    assert!(case.fires(s, "oordeel_wijkt_af"));
    // Computed "acuut" and the worker judges it conditionally safe.
    risk(&mut case, s, 0);
    case.set(s, "acuut_baby", "ja");
    judge(&mut case, s, "voorwaardelijk_veilig");
    assert!(case.fires(s, "oordeel_wijkt_af"));
    judge(&mut case, s, "acuut_onveilig");
    assert!(!case.fires(s, "oordeel_wijkt_af"));

    // Checked with no one, while not safe: attention.
    case.set(s, "getoetst_met", "niemand");
    assert!(case.fires(s, "niet_getoetst"));
    case.set(s, "getoetst_met", "aandachtsfunctionaris, veilig_thuis");
    assert!(!case.fires(s, "niet_getoetst"));
}

#[test]
fn signs_of_safety_danger_statements_network_and_sight_of_safety() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    // The danger statement is asked; the safety goals are `sos_moet`.
    case.clear(s, "sos_gevaar");
    assert_eq!(case.missing(s), vec!["sos_gevaar"]);
    case.set(
        s,
        "sos_gevaar",
        "De wijkcoach is bang dat Lotte en Bram blijven schreeuwen en gooien; Sem verstopt zich en slaapt slecht.",
    );
    let n = case.add_entry(s, "netwerk");
    case.set_entry_all(
        s,
        n,
        &[
            ("nw_wie", "oma Appelboom"),
            ("nw_taak", "Haalt de kinderen op als het thuis misgaat."),
            ("nw_weet", "ja"),
        ],
    );
    case.set_all(
        s,
        &[
            (
                "sos_bestaande_veiligheid",
                "Als Bram boos wordt, gaat hij wandelen.",
            ),
            ("sos_complicerend", "Schulden."),
            ("sos_kind_route", "drie_huizen"),
        ],
    );
    assert!(case.missing(s).is_empty(), "{:?}", case.missing(s));
    for item in ["zicht_wie", "zicht_tot", "volgend_contact"] {
        let c = case.checklist(s);
        let it = c.items.iter().find(|i| i.id == item).unwrap();
        assert!(it.required, "{item}");
    }
    case.clear(s, "volgend_contact");
    assert_eq!(case.missing(s), vec!["volgend_contact"]);
}

#[test]
fn the_form_of_maltreatment_is_chosen_per_child() {
    let (case, s) = appelboom();
    let c = case.checklist(s);
    let vorm = c.items.iter().find(|i| i.id == "kc_vorm").unwrap();
    let section = c.sections.iter().find(|x| x.id == "kinderen").unwrap();
    assert!(section.repeat.is_some());
    assert!(section.items.contains(&c.item_index("kc_vorm").unwrap()));
    for option in [
        "lichamelijke_mishandeling",
        "psychische_mishandeling",
        "lichamelijke_verwaarlozing",
        "psychische_verwaarlozing",
        "seksueel_misbruik",
        "getuige_geweld",
        "eergerelateerd",
    ] {
        assert!(vorm.option_index(option).is_some(), "{option}");
    }
}

#[test]
fn the_verdict_rules_hold_in_order() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    risk(&mut case, s, 6);
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("risico"));
    // A worry about now comes before the risk band.
    case.set(s, "vn_dreiging", "ja");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("onveilig"));
    // Structural unsafety comes before a worry about now.
    case.set(s, "herhaald_geweld", "ja");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("structureel"));
    // Acute danger comes first of all.
    case.set(s, "kinderen_veilig", "nee");
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("acuut"));
}

/// A draft begun on version 1 of the safety check resumes with the current version (3):
/// answers that still fit are kept in place (yes/no answers on the "now"
/// items fit their new yes/no/don't-know kind), the answer to the question
/// that was turned around (`vn_beschermen`, now asked positively as
/// `vn_ouder_beschermt`) is kept aside and never read the other way round,
/// and the verdict waits for the new questions.
#[test]
fn a_draft_begun_on_version_1_opens_with_the_current_version() {
    use safevisit::checklist::{Catalog, SourceFile};
    use safevisit::visit::Visit;
    use safevisit::visit::record::AnswerValue;

    let v1_text = std::fs::read(format!(
        "{}/tests/fixtures/checklists/veiligheid-v1.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let files: Vec<SourceFile> = SourceFile::bundled()
        .into_iter()
        .map(|mut f| {
            if f.path.ends_with("veiligheid.toml") {
                f.bytes = v1_text.clone();
            }
            f
        })
        .collect();
    let v1_cat = Catalog::build(files, Vec::new());
    assert!(v1_cat.problems.is_empty());
    let v1 = v1_cat.get("veiligheid").unwrap().clone();
    assert_eq!(v1.version, 1);

    let mut case = Case::family(Family::Appelboom, &[]);
    case.visit.use_checklist(&v1);
    let s = case.sheet("veiligheid", "");
    case.set_all(
        s,
        &[
            ("acuut_geweld", "nee"),
            ("herhaald_geweld", "ja"),
            ("vn_letsel", "nee"),
            ("vn_beschermen", "nee"),
            ("mc_vermoeden", "ja"),
            ("mc_onveilig", "nee"),
        ],
    );
    let e = case.add_entry(s, "plan");
    case.set_entry_all(
        s,
        e,
        &[
            ("plan_wie", "Lotte"),
            ("plan_wat", "Belt haar zus als de ruzie oploopt."),
            ("plan_wanneer", "2026-03-11"),
        ],
    );
    let rec = case.visit.to_record();

    let now_cat = common::catalog();
    let (visit, _notes) =
        Visit::from_record(&rec, |id| now_cat.get(id).cloned()).expect("the draft opens");
    let case = Case { visit };
    let s = case.sheet("veiligheid", "");
    assert_eq!(case.checklist(s).version, 3);
    let answer = |item: &str| {
        let c = case.checklist(s);
        case.visit.sheets[s].answers[c.item_index(item).unwrap()].clone()
    };
    assert!(answer("acuut_geweld").is_some());
    assert!(answer("herhaald_geweld").is_some());
    assert!(
        answer("vn_letsel").is_some(),
        "yes/no fits yes/no/don't know"
    );
    assert!(answer("vn_ouder_beschermt").is_none());
    let kept: Vec<_> = case
        .visit
        .orphans
        .iter()
        .filter(|o| o.checklist == "veiligheid")
        .collect();
    assert!(
        kept.iter()
            .any(|o| o.item == "vn_beschermen" && o.value == AnswerValue::Choice("nee".into())),
        "{:?}",
        kept.iter().map(|o| &o.item).collect::<Vec<_>>()
    );
    // The plan's agreement came along.
    let plan = case.checklist(s).section_index("plan").unwrap();
    assert_eq!(case.visit.sheets[s].entries[plan].len(), 1);
    // The verdict: structural unsafety still decides, and question 2 "nee"
    // against it is now flagged.
    assert_eq!(case.outcome(s, "oordeel").as_deref(), Some("structureel"));
    assert_eq!(case.outcome(s, "afweging").as_deref(), Some("melden"));
    assert!(case.fires(s, "meldcode_tegenstrijdig"));
    // The new questions are asked.
    for item in ["acuut_zelfdoding_ouder", "eergerelateerd", "eigen_oordeel"] {
        assert!(case.missing(s).contains(&item.to_string()), "{item}");
    }
}

#[test]
fn the_child_check_is_made_per_child_from_the_roster() {
    let (case, s) = appelboom();
    let c = case.checklist(s);
    let kinderen = c.section_index("kinderen").expect("section");
    let titles: Vec<String> = (0..case.visit.sheets[s].entries[kinderen].len())
        .map(|e| {
            case.visit
                .entry_title(s, kinderen, e)
                .get(safevisit::i18n::Lang::Nl)
                .to_string()
        })
        .collect();
    assert_eq!(titles, ["Noor (5)", "Sem (11)"]);
    assert!(
        c.item_index("kc_wie").is_none(),
        "the name is not asked again"
    );
}

#[test]
fn the_summary_that_contradicts_the_child_check_is_flagged() {
    let (mut case, s) = appelboom();
    calm(&mut case, s);
    assert!(!case.fires(s, "kindcheck_gezien_tegenspraak"));
    assert!(!case.fires(s, "kindcheck_veilig_tegenspraak"));
    // "All children seen", but Sem was at school.
    case.set_entry(s, 1, "kc_gezien", "nee");
    assert!(case.fires(s, "kindcheck_gezien_tegenspraak"));
    case.set(s, "kinderen_gezien", "nee");
    assert!(!case.fires(s, "kindcheck_gezien_tegenspraak"));
    // "All children safe", but about Sem the worker does not know.
    case.set_entry(s, 1, "kc_veilig", "onbekend");
    assert!(case.fires(s, "kindcheck_veilig_tegenspraak"));
    case.set(s, "kinderen_veilig", "onbekend");
    assert!(!case.fires(s, "kindcheck_veilig_tegenspraak"));

    // "No child under 4" while the roster has Mila (2).
    let mut case = Case::family(Family::Kersenboom, &["veiligheid"]);
    let s = case.sheet("veiligheid", "");
    case.set(s, "rf_jong_kind", "ja");
    assert!(!case.fires(s, "jong_kind_tegenspraak"));
    case.set(s, "rf_jong_kind", "nee");
    assert!(case.fires(s, "jong_kind_tegenspraak"));
    // Not for the Appelbooms: Noor is 5.
    let (mut case, s) = appelboom();
    case.set(s, "rf_jong_kind", "nee");
    assert!(!case.fires(s, "jong_kind_tegenspraak"));
}
