//! The child trauma screening (`trauma-kind`) with the fictional families:
//! age bands and their wording, the events, the reactions gated on them,
//! daily-life impact, the cut-offs per age band, the safety questions, and
//! the outcome — a referral for assessment, never a diagnosis.

mod common;

use common::{Case, Family};
use safevisit::i18n::Lang;
use safevisit::visit::Person;

const EVENTS: [&str; 15] = [
    "ev_ongeluk",
    "ev_ramp",
    "ev_ziekenhuis",
    "ev_verlies",
    "ev_geweld_gezien",
    "ev_geslagen",
    "ev_vernederd",
    "ev_verwaarloosd",
    "ev_seksueel",
    "ev_buiten",
    "ev_gepest",
    "ev_weggehaald",
    "ev_vlucht",
    "ev_dreiging",
    "ev_anders",
];
const REACTIONS: [&str; 20] = [
    "r_herinneringen",
    "r_nachtmerries",
    "r_opnieuw",
    "r_overstuur",
    "r_lichaam",
    "r_niet_denken",
    "r_vermijden",
    "r_vergeten",
    "r_schuld",
    "r_zelfbeeld",
    "r_wantrouwen",
    "r_bang",
    "r_boos",
    "r_verdrietig",
    "r_geen_plezier",
    "r_afstand",
    "r_alert",
    "r_slapen",
    "r_concentratie",
    "r_gedrag",
];
const IMPACT: [&str; 5] = [
    "im_thuis",
    "im_vrienden",
    "im_school",
    "im_plezier",
    "im_blij",
];

fn appelboom() -> Case {
    Case::family(Family::Appelboom, &["trauma-kind"])
}

/// Sem hides in his room when it gets loud: he saw and heard the quarrels.
fn sem_saw_the_quarrels(case: &mut Case) -> usize {
    let sem = case.sheet("trauma-kind", "Sem");
    case.set_each(sem, &EVENTS, "nee");
    case.set(sem, "ev_geweld_gezien", "ja");
    sem
}

fn band_of(case: &Case, sheet: usize) -> Option<String> {
    let c = case.checklist(sheet);
    case.derived().sheets[sheet]
        .age_band
        .map(|b| c.age_bands[b].id.clone())
}

#[test]
fn every_child_from_three_gets_a_sheet_in_the_right_age_band() {
    let case = appelboom();
    let noor = case.sheet("trauma-kind", "Noor");
    let sem = case.sheet("trauma-kind", "Sem");
    assert_eq!(band_of(&case, noor).as_deref(), Some("jong"));
    assert_eq!(band_of(&case, sem).as_deref(), Some("oud"));

    // Mila (2) is too young for this screening: her sheet says so (te_jong)
    // and has nothing to answer, never a silent absence.
    let case = Case::family(Family::Kersenboom, &["trauma-kind"]);
    let mila = case.visit.roster.children[0].id;
    let sheet = case
        .try_sheet("trauma-kind", Person::Child(mila))
        .expect("Mila has a te_jong sheet");
    assert_eq!(
        case.visit.sheets[sheet].status,
        safevisit::visit::SheetStatus::OutsideBands
    );
    assert_eq!(band_of(&case, sheet), None);
    assert!(case.derived().sheets[sheet].missing.is_empty());

    // The age-band edges: 3 and 6 are young, 7 and 17 old.
    let mut roster = Family::Perenstraat.roster();
    for (child, age) in roster.children.iter_mut().zip([6u8, 7]) {
        child.age = age;
    }
    let case = Case::new(roster, &["trauma-kind"]);
    let finn = case.sheet("trauma-kind", "Finn");
    let lieke = case.sheet("trauma-kind", "Lieke");
    assert_eq!(band_of(&case, finn).as_deref(), Some("jong"));
    assert_eq!(band_of(&case, lieke).as_deref(), Some("oud"));
    for (age, band) in [(3u8, "jong"), (17, "oud")] {
        let mut roster = Family::Perenstraat.roster();
        roster.children[0].age = age;
        let case = Case::new(roster, &["trauma-kind"]);
        assert_eq!(
            band_of(&case, case.sheet("trauma-kind", "Finn")).as_deref(),
            Some(band)
        );
    }
}

#[test]
fn young_children_are_asked_about_and_older_children_are_asked() {
    let case = appelboom();
    let c = case.checklist(0);
    let ongeluk = &c.items[c.item_index("ev_ongeluk").expect("item")];
    let noor = case.sheet("trauma-kind", "Noor");
    let sem = case.sheet("trauma-kind", "Sem");
    let text = |sheet: usize| {
        ongeluk
            .text_for(case.derived().sheets[sheet].age_band)
            .get(Lang::Nl)
            .to_string()
    };
    assert!(text(noor).starts_with("Heeft uw kind"), "{}", text(noor));
    assert!(text(sem).starts_with("Heb je"), "{}", text(sem));

    // Who answers differs by band.
    assert!(
        case.visible(noor, "afname_verzorger") && case.visible(noor, "afname_verzorger_veilig")
    );
    assert!(!case.visible(noor, "afname_alleen"));
    assert!(case.visible(sem, "afname_alleen"));
    assert!(
        !case.visible(sem, "afname_verzorger") && !case.visible(sem, "afname_verzorger_veilig")
    );
    // The self-harm question is asked of children from 7.
    assert!(case.visible(sem, "zelfbeschadiging"));
    assert!(!case.visible(noor, "zelfbeschadiging"));
}

#[test]
fn who_answers_can_raise_attention() {
    let mut case = appelboom();
    let noor = case.sheet("trauma-kind", "Noor");
    let sem = case.sheet("trauma-kind", "Sem");
    case.set_all(
        noor,
        &[
            ("afname_verzorger", "moeder"),
            ("afname_verzorger_veilig", "ja"),
        ],
    );
    case.set(sem, "afname_alleen", "ja");
    assert!(case.flags(noor).is_empty() && case.flags(sem).is_empty());
    case.set(noor, "afname_verzorger_veilig", "nee");
    case.set(sem, "afname_alleen", "nee");
    assert_eq!(case.flags(noor), vec!["verzorger_niet_passend"]);
    assert_eq!(case.flags(sem), vec!["niet_alleen"]);
}

#[test]
fn without_an_event_the_reactions_are_not_asked_and_the_screen_stops() {
    let mut case = appelboom();
    let sem = case.sheet("trauma-kind", "Sem");
    assert!(!case.section_visible(sem, "reacties"));
    assert!(!case.section_visible(sem, "dagelijks_leven"));
    assert_eq!(
        case.outcome(sem, "verwijzing").as_deref(),
        Some("onvolledig")
    );
    case.set_each(sem, &EVENTS, "nee");
    assert!(!case.section_visible(sem, "reacties"));
    assert_eq!(case.score(sem, "gebeurtenissen"), 0);
    assert_eq!(case.band(sem, "gebeurtenissen").as_deref(), Some("geen"));
    assert_eq!(
        case.outcome(sem, "verwijzing").as_deref(),
        Some("geen_gebeurtenis")
    );
    // Any single event opens the reactions and daily life.
    for event in EVENTS {
        case.set_each(sem, &EVENTS, "nee");
        case.set(sem, event, "ja");
        assert!(case.section_visible(sem, "reacties"), "{event}");
        assert!(case.section_visible(sem, "dagelijks_leven"), "{event}");
        assert_eq!(case.visible_items_of(sem, "reacties").len(), 20);
        assert_eq!(
            case.outcome(sem, "verwijzing").as_deref(),
            Some("onvolledig"),
            "{event}"
        );
    }
}

#[test]
fn follow_up_questions_appear_only_after_a_yes_and_acute_ones_raise_acute_flags() {
    let mut case = appelboom();
    let sem = case.sheet("trauma-kind", "Sem");
    case.set_each(sem, &EVENTS, "nee");
    for item in ["ev_geslagen_nu", "ev_seksueel_nu", "ev_anders_wat"] {
        assert!(!case.visible(sem, item), "{item}");
    }
    case.set(sem, "ev_geslagen", "ja");
    assert!(case.visible(sem, "ev_geslagen_nu"));
    assert!(case.missing(sem).contains(&"ev_geslagen_nu".to_string()));
    case.set(sem, "ev_geslagen_nu", "onbekend");
    assert!(case.flags(sem).is_empty());
    case.set(sem, "ev_geslagen_nu", "ja");
    assert_eq!(case.flags(sem), vec!["geweld_gaat_door"]);

    case.set(sem, "ev_seksueel", "ja");
    assert!(case.visible(sem, "ev_seksueel_nu"));
    assert_eq!(
        case.flags(sem),
        vec!["geweld_gaat_door", "seksueel_misbruik"]
    );
    case.set(sem, "ev_seksueel_nu", "ja");
    assert_eq!(
        case.flags(sem),
        vec![
            "geweld_gaat_door",
            "misbruik_gaat_door",
            "seksueel_misbruik"
        ]
    );
    let c = case.checklist(sem);
    for id in ["geweld_gaat_door", "misbruik_gaat_door"] {
        let f = c.red_flags.iter().find(|f| f.id == id).expect("flag");
        assert_eq!(f.level.key(), "acute");
        assert!(f.action.nl.contains("112") && f.action.nl.contains("0800-2000"));
    }

    // Taking the event back hides the follow-up; its flag stops.
    case.set(sem, "ev_geslagen", "nee");
    assert!(!case.visible(sem, "ev_geslagen_nu"));
    assert!(!case.fires(sem, "geweld_gaat_door"));

    case.set(sem, "ev_anders", "ja");
    assert!(case.visible(sem, "ev_anders_wat"));
    assert!(
        !case.missing(sem).contains(&"ev_anders_wat".to_string()),
        "a few words are optional"
    );
}

#[test]
fn the_number_of_events_falls_in_its_bands() {
    let mut case = appelboom();
    let sem = case.sheet("trauma-kind", "Sem");
    for (n, band) in [
        (0, "geen"),
        (1, "enkele"),
        (2, "enkele"),
        (3, "meerdere"),
        (15, "meerdere"),
    ] {
        case.set_each(sem, &EVENTS, "nee");
        case.set_each(sem, &EVENTS[..n], "ja");
        assert_eq!(case.score(sem, "gebeurtenissen"), n as i64);
        assert_eq!(
            case.band(sem, "gebeurtenissen").as_deref(),
            Some(band),
            "{n} events"
        );
    }
    // Follow-up questions do not count as events.
    case.set_each(sem, &EVENTS, "nee");
    case.set(sem, "ev_geslagen", "ja");
    case.set(sem, "ev_geslagen_nu", "ja");
    assert_eq!(case.score(sem, "gebeurtenissen"), 1);
}

#[test]
fn reaction_cut_offs_differ_per_age_band() {
    let mut case = appelboom();
    let sem = sem_saw_the_quarrels(&mut case);
    let noor = case.sheet("trauma-kind", "Noor");
    case.set_each(noor, &EVENTS, "nee");
    case.set(noor, "ev_geweld_gezien", "ja");
    for (who, sheet, edges) in [
        (
            "Noor",
            noor,
            [
                (0, "laag"),
                (11, "laag"),
                (12, "verhoogd"),
                (17, "verhoogd"),
                (18, "hoog"),
                (60, "hoog"),
            ],
        ),
        (
            "Sem",
            sem,
            [
                (0, "laag"),
                (14, "laag"),
                (15, "verhoogd"),
                (20, "verhoogd"),
                (21, "hoog"),
                (60, "hoog"),
            ],
        ),
    ] {
        for (total, band) in edges {
            case.fill_scales(sheet, &REACTIONS, total);
            assert_eq!(case.score(sheet, "reacties"), total);
            assert_eq!(
                case.band(sheet, "reacties").as_deref(),
                Some(band),
                "{who} at {total}"
            );
        }
    }
}

#[test]
fn impact_counts_each_area_of_daily_life() {
    let mut case = appelboom();
    let sem = sem_saw_the_quarrels(&mut case);
    for (n, band) in [(0, "geen"), (1, "wel"), (5, "wel")] {
        case.set_each(sem, &IMPACT, "nee");
        case.set_each(sem, &IMPACT[..n], "ja");
        assert_eq!(case.score(sem, "impact"), n as i64);
        assert_eq!(case.band(sem, "impact").as_deref(), Some(band));
    }
}

#[test]
fn a_positive_screen_refers_for_assessment_and_says_it_is_no_diagnosis() {
    let mut case = appelboom();
    let sem = sem_saw_the_quarrels(&mut case);
    case.set_each(sem, &IMPACT, "nee");

    // At or above the high cut-off: refer, whatever daily life says.
    case.fill_scales(sem, &REACTIONS, 21);
    assert_eq!(
        case.outcome(sem, "verwijzing").as_deref(),
        Some("verwijzen")
    );
    // Raised without hindrance: follow up.
    case.fill_scales(sem, &REACTIONS, 20);
    assert_eq!(case.outcome(sem, "verwijzing").as_deref(), Some("volgen"));
    case.fill_scales(sem, &REACTIONS, 15);
    assert_eq!(case.outcome(sem, "verwijzing").as_deref(), Some("volgen"));
    // Raised with hindrance at school: refer.
    case.set(sem, "im_school", "ja");
    assert_eq!(
        case.outcome(sem, "verwijzing").as_deref(),
        Some("verwijzen")
    );
    case.set(sem, "im_school", "nee");
    // Below the cut-off, every reaction answered: no sign now.
    case.fill_scales(sem, &REACTIONS, 14);
    assert_eq!(
        case.outcome(sem, "verwijzing").as_deref(),
        Some("geen_aanwijzing")
    );

    let c = case.checklist(sem);
    let o = c
        .outcomes
        .iter()
        .find(|o| o.id == "verwijzing")
        .expect("outcome");
    let refer = o
        .rules
        .iter()
        .find(|r| r.value == "verwijzen")
        .expect("rule");
    let meaning = refer.meaning.as_ref().expect("meaning");
    assert!(meaning.nl.contains("geen diagnose") && meaning.en.contains("not a diagnosis"));
    assert!(c.notice.nl.contains("geen diagnose") && c.notice.en.contains("not a diagnosis"));
}

#[test]
fn the_young_cut_off_applies_to_noor() {
    let mut case = appelboom();
    let noor = case.sheet("trauma-kind", "Noor");
    case.set_each(noor, &EVENTS, "nee");
    case.set(noor, "ev_geweld_gezien", "ja");
    case.set_each(noor, &IMPACT, "nee");
    for (total, outcome) in [
        (11, "geen_aanwijzing"),
        (12, "volgen"),
        (17, "volgen"),
        (18, "verwijzen"),
    ] {
        case.fill_scales(noor, &REACTIONS, total);
        assert_eq!(
            case.outcome(noor, "verwijzing").as_deref(),
            Some(outcome),
            "Noor at {total}"
        );
    }
}

#[test]
fn an_unfinished_screen_says_so_instead_of_guessing() {
    let mut case = appelboom();
    let sem = sem_saw_the_quarrels(&mut case);
    case.set_each(sem, &IMPACT, "nee");
    // Fourteen points, one reaction not yet asked: it could still rise.
    case.fill_scales(sem, &REACTIONS, 14);
    case.clear(sem, "r_gedrag");
    assert_eq!(case.band(sem, "reacties").as_deref(), Some("laag"));
    assert_eq!(
        case.outcome(sem, "verwijzing").as_deref(),
        Some("onvolledig")
    );
    // Raised, but a daily-life question open: hindrance could still show.
    case.fill_scales(sem, &REACTIONS, 16);
    case.clear(sem, "im_blij");
    assert_eq!(
        case.outcome(sem, "verwijzing").as_deref(),
        Some("onvolledig")
    );
    // High is high, however many answers are still open.
    case.fill_scales(sem, &REACTIONS[..7], 21);
    for r in &REACTIONS[7..] {
        case.clear(sem, r);
    }
    assert_eq!(
        case.outcome(sem, "verwijzing").as_deref(),
        Some("verwijzen")
    );
}

#[test]
fn hidden_reactions_are_kept_but_count_for_nothing() {
    let mut case = appelboom();
    let sem = sem_saw_the_quarrels(&mut case);
    case.fill_scales(sem, &REACTIONS, 30);
    assert_eq!(
        case.outcome(sem, "verwijzing").as_deref(),
        Some("verwijzen")
    );
    case.set(sem, "ev_geweld_gezien", "nee");
    assert!(!case.section_visible(sem, "reacties"));
    assert_eq!(case.score(sem, "reacties"), 0);
    assert_eq!(
        case.outcome(sem, "verwijzing").as_deref(),
        Some("geen_gebeurtenis")
    );
    let c = case.checklist(sem);
    let kept = REACTIONS
        .iter()
        .filter(|r| case.visit.sheets[sem].answers[c.item_index(r).expect("item")].is_some())
        .count();
    assert_eq!(kept, 20, "the answers stay in the visit");
}

#[test]
fn safety_questions_raise_flags_with_what_to_do_now() {
    let mut case = appelboom();
    let sem = case.sheet("trauma-kind", "Sem");
    let noor = case.sheet("trauma-kind", "Noor");
    case.set_all(
        sem,
        &[
            ("veilig_thuis", "onbekend"),
            ("zelfbeschadiging", "onbekend"),
            ("overstuur", "nee"),
        ],
    );
    assert!(case.flags(sem).is_empty());
    case.set(sem, "veilig_thuis", "nee");
    assert_eq!(case.flags(sem), vec!["voelt_zich_onveilig"]);
    case.set(sem, "zelfbeschadiging", "ja");
    assert_eq!(
        case.flags(sem),
        vec!["voelt_zich_onveilig", "zelfbeschadiging"]
    );
    case.set(sem, "overstuur", "ja");
    assert_eq!(
        case.flags(sem),
        vec!["overstuur", "voelt_zich_onveilig", "zelfbeschadiging"]
    );

    let c = case.checklist(sem);
    let f = c
        .red_flags
        .iter()
        .find(|f| f.id == "zelfbeschadiging")
        .expect("flag");
    assert_eq!(f.level.key(), "acute");
    for number in ["112", "0800-0113", "0800-2000"] {
        assert!(
            f.action.nl.contains(number) && f.action.en.contains(number),
            "{number}"
        );
    }
    // Noor is not asked the self-harm question, so it cannot fire for her.
    case.set(noor, "zelfbeschadiging", "ja");
    assert!(!case.fires(noor, "zelfbeschadiging"));
}
