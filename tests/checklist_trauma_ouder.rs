//! The caregiver screening (`trauma-ouder`) with the fictional families:
//! the partner-violence question only when the parent is alone, events and
//! reactions, parenting stress, the support network, their bands at every
//! edge, and the outcomes.

mod common;

use common::{Case, Family};

const EVENTS: [&str; 10] = [
    "ev_partner",
    "ev_jeugd",
    "ev_seksueel",
    "ev_ongeluk",
    "ev_verlies",
    "ev_ziekte",
    "ev_aanval",
    "ev_oorlog",
    "ev_kind_weg",
    "ev_anders",
];
const REACTIONS: [&str; 16] = [
    "r_herinneringen",
    "r_nachtmerries",
    "r_opnieuw",
    "r_overstuur",
    "r_lichaam",
    "r_niet_denken",
    "r_vermijden",
    "r_schuld",
    "r_wantrouwen",
    "r_gevoel",
    "r_interesse",
    "r_afstand",
    "r_prikkelbaar",
    "r_alert",
    "r_slapen",
    "r_concentratie",
];
const IMPACT: [&str; 4] = ["im_kinderen", "im_werk", "im_contact", "im_huishouden"];
const STRESS: [&str; 8] = [
    "os_moe",
    "os_geduld",
    "os_machteloos",
    "os_tekort",
    "os_geen_tijd",
    "os_ruzie",
    "os_alleen",
    "os_controle",
];
const SUPPORT: [&str; 6] = [
    "st_bellen",
    "st_oppas",
    "st_praten",
    "st_praktisch",
    "st_familie",
    "st_buurt",
];

fn kersenboom() -> (Case, usize) {
    let case = Case::family(Family::Kersenboom, &["trauma-ouder"]);
    let iris = case.sheet("trauma-ouder", "Iris");
    (case, iris)
}

/// Iris, spoken to alone, tells that Ruben keeps the money and checks her
/// phone; nothing else happened to her.
fn iris_alone(case: &mut Case, iris: usize) {
    case.set(iris, "alleen", "ja");
    case.set_each(iris, &EVENTS, "nee");
    case.set_all(iris, &[("ev_partner", "ja"), ("ev_partner_nu", "onbekend")]);
}

#[test]
fn every_caregiver_gets_a_sheet() {
    let case = Case::family(Family::Appelboom, &["trauma-ouder"]);
    assert_eq!(case.visit.sheets.len(), 2);
    case.sheet("trauma-ouder", "Lotte");
    case.sheet("trauma-ouder", "Bram");
}

#[test]
fn partner_violence_is_only_asked_when_the_parent_is_alone() {
    let (mut case, iris) = kersenboom();
    assert!(!case.visible(iris, "ev_partner"));
    case.set(iris, "alleen", "nee");
    assert!(!case.visible(iris, "ev_partner"));
    assert_eq!(case.flags(iris), vec!["niet_alleen"]);
    // Without that question the screen cannot say "no event".
    case.set_each(iris, &EVENTS[1..], "nee");
    assert_eq!(
        case.outcome(iris, "verwijzing").as_deref(),
        Some("onvolledig")
    );

    case.set(iris, "alleen", "ja");
    assert!(case.visible(iris, "ev_partner"));
    assert!(case.flags(iris).is_empty());
    assert!(!case.visible(iris, "ev_partner_nu"));
    case.set(iris, "ev_partner", "nee");
    assert_eq!(
        case.outcome(iris, "verwijzing").as_deref(),
        Some("geen_gebeurtenis")
    );
    assert!(!case.section_visible(iris, "reacties"));

    case.set(iris, "ev_partner", "ja");
    assert!(case.visible(iris, "ev_partner_nu"));
    assert!(case.section_visible(iris, "reacties"));
    case.set(iris, "ev_partner_nu", "ja");
    assert_eq!(case.flags(iris), vec!["partnergeweld_nu"]);
    let c = case.checklist(iris);
    let f = c
        .red_flags
        .iter()
        .find(|f| f.id == "partnergeweld_nu")
        .expect("flag");
    assert_eq!(f.level.key(), "acute");
    assert!(f.action.nl.contains("112") && f.action.nl.contains("0800-2000"));

    // If Ruben walks in, the question hides and its flag stops.
    case.set(iris, "alleen", "nee");
    assert!(!case.fires(iris, "partnergeweld_nu"));
    assert!(!case.visible(iris, "ev_partner_nu"));
}

#[test]
fn any_event_opens_the_reactions() {
    let (mut case, iris) = kersenboom();
    case.set(iris, "alleen", "ja");
    for event in EVENTS {
        case.set_each(iris, &EVENTS, "nee");
        assert!(!case.section_visible(iris, "reacties"));
        case.set(iris, event, "ja");
        assert!(case.section_visible(iris, "reacties"), "{event}");
        assert!(case.section_visible(iris, "dagelijks_leven"), "{event}");
    }
    case.set_each(iris, &EVENTS, "nee");
    assert!(!case.visible(iris, "ev_anders_wat"));
    case.set(iris, "ev_anders", "ja");
    assert!(case.visible(iris, "ev_anders_wat"));
    for (n, band) in [
        (0, "geen"),
        (1, "enkele"),
        (2, "enkele"),
        (3, "meerdere"),
        (10, "meerdere"),
    ] {
        case.set_each(iris, &EVENTS, "nee");
        case.set_each(iris, &EVENTS[..n], "ja");
        assert_eq!(
            case.band(iris, "gebeurtenissen").as_deref(),
            Some(band),
            "{n} events"
        );
    }
}

#[test]
fn reaction_bands_and_the_referral_at_their_edges() {
    let (mut case, iris) = kersenboom();
    iris_alone(&mut case, iris);
    case.set_each(iris, &IMPACT, "nee");
    for (total, band, outcome) in [
        (0, "laag", "geen_aanwijzing"),
        (15, "laag", "geen_aanwijzing"),
        (16, "verhoogd", "volgen"),
        (23, "verhoogd", "volgen"),
        (24, "hoog", "verwijzen"),
        (48, "hoog", "verwijzen"),
    ] {
        case.fill_scales(iris, &REACTIONS, total);
        assert_eq!(case.score(iris, "reacties"), total);
        assert_eq!(
            case.band(iris, "reacties").as_deref(),
            Some(band),
            "{total}"
        );
        assert_eq!(
            case.outcome(iris, "verwijzing").as_deref(),
            Some(outcome),
            "{total}"
        );
    }
    // Raised with hindrance in caring for the child: refer.
    case.fill_scales(iris, &REACTIONS, 16);
    case.set(iris, "im_kinderen", "ja");
    assert_eq!(case.band(iris, "impact").as_deref(), Some("wel"));
    assert_eq!(
        case.outcome(iris, "verwijzing").as_deref(),
        Some("verwijzen")
    );
    // Raised and a daily-life answer still open: not finished.
    case.clear(iris, "im_kinderen");
    assert_eq!(case.band(iris, "impact").as_deref(), Some("geen"));
    assert_eq!(
        case.outcome(iris, "verwijzing").as_deref(),
        Some("onvolledig")
    );
    // Low with a reaction open: not finished either.
    case.fill_scales(iris, &REACTIONS, 15);
    case.clear(iris, "r_concentratie");
    assert_eq!(
        case.outcome(iris, "verwijzing").as_deref(),
        Some("onvolledig")
    );
}

#[test]
fn thoughts_of_suicide_raise_an_acute_flag() {
    let (mut case, iris) = kersenboom();
    case.set(iris, "alleen", "ja");
    case.set(iris, "zelfdoding", "nee");
    assert!(case.flags(iris).is_empty());
    case.set(iris, "zelfdoding", "onbekend");
    assert!(case.flags(iris).is_empty());
    case.set(iris, "zelfdoding", "ja");
    assert_eq!(case.flags(iris), vec!["zelfdoding"]);
    let c = case.checklist(iris);
    let f = c
        .red_flags
        .iter()
        .find(|f| f.id == "zelfdoding")
        .expect("flag");
    assert_eq!(f.level.key(), "acute");
    for number in ["112", "0800-0113", "0800-2000"] {
        assert!(f.action.nl.contains(number), "{number}");
    }
}

#[test]
fn parenting_stress_bands_and_the_fear_of_losing_control() {
    let case = Case::family(Family::Appelboom, &["trauma-ouder"]);
    let lotte = case.sheet("trauma-ouder", "Lotte");
    let mut case = case;
    case.set(lotte, "alleen", "ja");
    // `os_controle` comes last, so it stays 0 until the total exceeds 21.
    for (total, band) in [
        (0, "laag"),
        (7, "laag"),
        (8, "verhoogd"),
        (15, "verhoogd"),
        (16, "hoog"),
        (21, "hoog"),
    ] {
        case.fill_scales(lotte, &STRESS, total);
        assert_eq!(case.score(lotte, "opvoedstress"), total);
        assert_eq!(
            case.band(lotte, "opvoedstress").as_deref(),
            Some(band),
            "{total}"
        );
        assert!(!case.fires(lotte, "bang_voor_controleverlies"));
    }
    case.set(lotte, "os_controle", "1");
    assert!(!case.fires(lotte, "bang_voor_controleverlies"));
    case.set(lotte, "os_controle", "2");
    assert!(case.fires(lotte, "bang_voor_controleverlies"));
    case.set(lotte, "os_controle", "3");
    assert!(case.fires(lotte, "bang_voor_controleverlies"));
    case.fill_scales(lotte, &STRESS, 24);
    assert_eq!(case.band(lotte, "opvoedstress").as_deref(), Some("hoog"));
}

#[test]
fn support_bands_and_little_support_flagged_only_when_all_is_asked() {
    let (mut case, iris) = kersenboom();
    // Nothing asked yet: no band, and no flag is raised on silence.
    assert_eq!(case.band(iris, "steun").as_deref(), None);
    assert!(!case.fires(iris, "weinig_steun"));
    for (n, band) in [
        (0, "weinig"),
        (1, "weinig"),
        (2, "beperkt"),
        (3, "beperkt"),
        (4, "voldoende"),
        (6, "voldoende"),
    ] {
        case.set_each(iris, &SUPPORT, "nee");
        case.set_each(iris, &SUPPORT[..n], "ja");
        assert_eq!(case.score(iris, "steun"), n as i64);
        assert_eq!(case.band(iris, "steun").as_deref(), Some(band), "{n}");
        assert_eq!(case.fires(iris, "weinig_steun"), band == "weinig", "{n}");
    }
    case.set_each(iris, &SUPPORT, "nee");
    case.clear(iris, "st_buurt");
    assert!(!case.fires(iris, "weinig_steun"));

    case.set(iris, "alleen", "ja");
    case.set(iris, "st_onveilig", "ja");
    assert!(case.fires(iris, "netwerk_onveilig"));
}

#[test]
fn parenting_support_outcome_follows_stress_and_support() {
    let (mut case, iris) = kersenboom();
    case.set(iris, "alleen", "ja");
    assert_eq!(
        case.outcome(iris, "opvoedsteun").as_deref(),
        Some("onvolledig")
    );
    case.fill_scales(iris, &STRESS, 7);
    case.set_each(iris, &SUPPORT, "ja");
    assert_eq!(
        case.outcome(iris, "opvoedsteun").as_deref(),
        Some("draagbaar")
    );
    case.fill_scales(iris, &STRESS, 8);
    assert_eq!(
        case.outcome(iris, "opvoedsteun").as_deref(),
        Some("aandacht")
    );
    case.fill_scales(iris, &STRESS, 16);
    assert_eq!(
        case.outcome(iris, "opvoedsteun").as_deref(),
        Some("bespreken_nodig")
    );

    // Iris has almost no one: Ruben keeps her away from others.
    case.fill_scales(iris, &STRESS, 3);
    case.set_each(iris, &SUPPORT, "nee");
    case.set(iris, "st_familie", "ja");
    assert_eq!(
        case.outcome(iris, "opvoedsteun").as_deref(),
        Some("bespreken_nodig")
    );
    case.set(iris, "st_buurt", "ja");
    assert_eq!(
        case.outcome(iris, "opvoedsteun").as_deref(),
        Some("aandacht")
    );
    case.set_each(iris, &SUPPORT[..2], "ja");
    assert_eq!(
        case.outcome(iris, "opvoedsteun").as_deref(),
        Some("draagbaar")
    );
    // A support answer open: the outcome waits.
    case.clear(iris, "st_oppas");
    assert_eq!(
        case.outcome(iris, "opvoedsteun").as_deref(),
        Some("onvolledig")
    );
}

#[test]
fn sensitive_questions_wait_until_the_parent_is_alone() {
    const SENSITIVE: [&str; 5] = [
        "ev_partner",
        "ev_seksueel",
        "zelfdoding",
        "os_controle",
        "st_onveilig",
    ];
    let (mut case, iris) = kersenboom();
    for item in SENSITIVE {
        assert!(!case.visible(iris, item), "{item} before asking");
    }
    case.set(iris, "alleen", "nee");
    for item in SENSITIVE {
        assert!(!case.visible(iris, item), "{item} with Ruben present");
    }
    // Its only question waits, so the part is not shown empty.
    assert!(!case.section_visible(iris, "veiligheid"));
    // Answers given anyway count for nothing while Ruben is there.
    case.set(iris, "zelfdoding", "ja");
    assert!(!case.fires(iris, "zelfdoding"));
    case.set(iris, "alleen", "ja");
    for item in SENSITIVE {
        assert!(case.visible(iris, item), "{item} alone");
    }
    assert!(case.fires(iris, "zelfdoding"));
    let c = case.checklist(iris);
    let f = c
        .red_flags
        .iter()
        .find(|f| f.id == "niet_alleen")
        .expect("flag");
    for word in ["partnergeweld", "seksueel", "zelfdoding"] {
        assert!(f.message.nl.contains(word), "{word}");
    }
    let partner = &c.items[c.item_index("ev_partner").expect("item")].text.nl;
    assert!(
        partner.contains("seks") && partner.contains("achtervolgd"),
        "{partner}"
    );
}

#[test]
fn with_the_partner_present_parenting_support_can_be_told_but_the_screen_stays_open() {
    let (mut case, iris) = kersenboom();
    case.set(iris, "alleen", "nee");
    case.set_each(iris, &EVENTS, "nee");
    case.fill_scales(iris, &STRESS[..7], 5);
    case.set_each(iris, &SUPPORT, "ja");
    // Parenting stress without the fear-of-losing-control question.
    assert_eq!(
        case.outcome(iris, "opvoedsteun").as_deref(),
        Some("draagbaar")
    );
    // No event named, but the questions that matter most were not asked.
    assert_eq!(
        case.outcome(iris, "verwijzing").as_deref(),
        Some("onvolledig")
    );
    case.set(iris, "alleen", "ja");
    assert_eq!(
        case.outcome(iris, "opvoedsteun").as_deref(),
        Some("onvolledig"),
        "alone, the last stress question is asked and open"
    );
    case.set_each(iris, &["ev_partner", "ev_seksueel"], "nee");
    assert_eq!(
        case.outcome(iris, "verwijzing").as_deref(),
        Some("geen_gebeurtenis")
    );
}

#[test]
fn a_positive_screen_asks_whether_the_referral_was_made() {
    let (mut case, iris) = kersenboom();
    iris_alone(&mut case, iris);
    let c = case.checklist(iris);
    let gedaan = &c.items[c.item_index("verwijzing_gedaan").expect("item")];
    let ids: Vec<&str> = gedaan.options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["ja", "besproken", "nee"]);
    assert!(case.section_visible(iris, "verwijzing"));
    case.fill_scales(iris, &REACTIONS, 30);
    assert_eq!(
        case.outcome(iris, "verwijzing").as_deref(),
        Some("verwijzen")
    );
    case.set(iris, "verwijzing_gedaan", "nee");
    assert!(case.fires(iris, "verwijzing_niet_gedaan"));
    assert!(case.visible(iris, "verwijzing_waarom"));
    case.set(iris, "verwijzing_gedaan", "ja");
    assert!(!case.fires(iris, "verwijzing_niet_gedaan"));
    assert!(case.visible(iris, "verwijzing_naar") && case.visible(iris, "verwijzing_datum"));
    // Without an event the referral part is not shown.
    case.set(iris, "ev_partner", "nee");
    assert!(!case.section_visible(iris, "verwijzing"));
}
