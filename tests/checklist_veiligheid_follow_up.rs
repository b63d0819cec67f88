//! The follow-up sections of the safety check (`veiligheid`, version 3),
//! end to end with the Appelboom family: a first visit with a safety plan,
//! a scaling answer, an acute flag and the verdict "acuut onveilig" makes a
//! case card; the follow-up a month later starts from that card, evaluates
//! each agreement, looks again at the flag, rescales beside last time's
//! number, and asks whether the unsafety has stopped.

mod common;

use common::{Case, Family, now};
use safevisit::case::CaseCard;
use safevisit::visit::SecretText;

fn first_visit() -> Case {
    let mut case = Case::family(Family::Appelboom, &["veiligheid"]);
    case.visit.id = "appelboom-1".into();
    case.visit.case_id = "appelboom-1".into();
    let s = case.sheet("veiligheid", "");
    case.set_all(
        s,
        &[("acuut_geweld", "ja"), ("eigen_oordeel", "acuut_onveilig")],
    );
    let e = case.add_entry(s, "plan");
    case.set_entry_all(
        s,
        e,
        &[
            ("plan_wie", "Bram (vader)"),
            ("plan_wat", "slaapt bij zijn broer als de ruzie oploopt"),
            ("plan_wanneer", "2026-03-20"),
        ],
    );
    let e = case.add_entry(s, "plan");
    case.set_entry_all(
        s,
        e,
        &[
            ("plan_wie", "Lotte (moeder)"),
            ("plan_wat", "naar de huisarts"),
        ],
    );
    let e = case.add_entry(s, "schaalvragen");
    case.set_entry_all(
        s,
        e,
        &[
            ("sv_wie", "Lotte"),
            ("sv_rol", "ouder"),
            ("sv_kind", "Noor"),
            ("sv_cijfer", "6"),
        ],
    );
    let d = case.derived();
    case.visit.raise_new_flags(&d, now());
    let f = case
        .visit
        .flags
        .iter()
        .position(|f| f.flag == "acuut_geweld")
        .expect("the acute flag is raised");
    case.visit
        .acknowledge_flag(f, SecretText::new("Overlegd met Veilig Thuis"), now());
    case
}

fn follow_up() -> (Case, usize) {
    let first = first_visit();
    let card = CaseCard::from_record(&first.visit.to_record(), None);
    let mut case = Case::family(Family::Appelboom, &["veiligheid"]);
    case.visit.id = "appelboom-2".into();
    case.visit
        .start_follow_up(card.follow_up(), card.case_id.clone());
    let s = case.sheet("veiligheid", "");
    (case, s)
}

fn section(case: &Case, s: usize, id: &str) -> usize {
    case.checklist(s).section_index(id).unwrap()
}

/// The entries a red flag fires in.
fn fired_in(case: &Case, s: usize, flag: &str) -> Vec<usize> {
    let c = case.checklist(s);
    case.derived().sheets[s]
        .flags
        .iter()
        .filter(|f| c.red_flags[f.flag].id == flag)
        .filter_map(|f| f.entry)
        .collect()
}

const FOLLOW_UP_SECTIONS: [&str; 4] = [
    "sinds_vorige",
    "vorige_afspraken",
    "vorige_signalen",
    "vorige_schaal",
];

#[test]
fn the_follow_up_sections_come_first_and_only_in_a_follow_up() {
    let case = Case::family(Family::Appelboom, &["veiligheid"]);
    let s = case.sheet("veiligheid", "");
    let c = case.checklist(s);
    let first: Vec<&str> = c.sections[..4].iter().map(|x| x.id.as_str()).collect();
    assert_eq!(first, FOLLOW_UP_SECTIONS);
    let d = case.derived();
    for id in FOLLOW_UP_SECTIONS {
        assert!(!d.sheets[s].section_visible[section(&case, s, id)], "{id}");
    }
    assert!(
        d.sheets[s]
            .missing
            .iter()
            .all(|m| c.items[m.item].section >= 4),
        "a first visit misses nothing of the follow-up"
    );

    let (case, s) = follow_up();
    let d = case.derived();
    for id in FOLLOW_UP_SECTIONS {
        assert!(d.sheets[s].section_visible[section(&case, s, id)], "{id}");
    }
}

#[test]
fn each_previous_agreement_flag_and_scaling_answer_has_its_entry_and_title() {
    let (case, s) = follow_up();
    let titles = |id: &str| -> Vec<String> {
        let sec = section(&case, s, id);
        (0..case.visit.sheets[s].entries[sec].len())
            .map(|e| case.visit.entry_title(s, sec, e).nl)
            .collect()
    };
    assert_eq!(
        titles("vorige_afspraken"),
        [
            "Bram (vader): slaapt bij zijn broer als de ruzie oploopt · uiterlijk 2026-03-20",
            "Lotte (moeder): naar de huisarts",
        ]
    );
    assert_eq!(
        titles("vorige_signalen"),
        ["Acuut: Acuut gevaar voor ernstig geweld. · gedaan: Overlegd met Veilig Thuis"]
    );
    assert_eq!(
        titles("vorige_schaal"),
        ["Lotte (ouder of verzorger) gaf 6 over Noor"]
    );
}

#[test]
fn an_agreement_not_kept_raises_its_flag_and_asks_what_happened() {
    let (mut case, s) = follow_up();
    case.set_entry(s, 1, "va_nagekomen", "ja");
    assert!(!case.visible_in(s, 1, "va_wat"));
    case.set_entry(s, 0, "va_nagekomen", "nee");
    assert!(case.visible_in(s, 0, "va_wat"));
    let fired = fired_in(&case, s, "va_niet");
    assert_eq!(fired, [0]);
}

#[test]
fn a_drop_of_two_on_the_same_persons_scale_raises_a_flag() {
    let (mut case, s) = follow_up();
    case.set_entry(s, 0, "vsc_cijfer", "5");
    assert!(fired_in(&case, s, "vsc_gedaald").is_empty());
    case.set_entry(s, 0, "vsc_cijfer", "4");
    assert_eq!(fired_in(&case, s, "vsc_gedaald"), [0]);
    assert!(fired_in(&case, s, "vsc_laag").is_empty());
}

#[test]
fn a_warning_sign_still_a_worry_is_flagged_again() {
    let (mut case, s) = follow_up();
    case.set_entry(s, 0, "vs_nog_zorg", "nee");
    assert!(fired_in(&case, s, "vs_nog_zorg").is_empty());
    case.set_entry(s, 0, "vs_nog_zorg", "onbekend");
    assert_eq!(fired_in(&case, s, "vs_nog_zorg"), [0]);
}

#[test]
fn last_times_verdict_decides_whether_the_unsafety_question_is_asked() {
    let (mut case, s) = follow_up();
    assert!(case.visible(s, "vv_onveiligheid_gestopt"));
    case.set(s, "vv_onveiligheid_gestopt", "nee");
    assert!(
        case.derived().sheets[s]
            .flags
            .iter()
            .any(|f| case.checklist(s).red_flags[f.flag].id == "vv_onveiligheid_niet_gestopt")
    );

    // Last time "veilig": not asked.
    let mut first = first_visit();
    let fs = first.sheet("veiligheid", "");
    first.set(fs, "eigen_oordeel", "veilig");
    let card = CaseCard::from_record(&first.visit.to_record(), None);
    let mut case = Case::family(Family::Appelboom, &["veiligheid"]);
    case.visit
        .start_follow_up(card.follow_up(), card.case_id.clone());
    let s = case.sheet("veiligheid", "");
    assert!(!case.visible(s, "vv_onveiligheid_gestopt"));
    assert!(case.visible(s, "vv_veranderd"));
}

#[test]
fn the_record_keeps_the_verdict_for_the_next_visit() {
    let case = first_visit();
    let s = case.sheet("veiligheid", "");
    let c = case.checklist(s);
    let kept: Vec<&str> = c
        .previous_items
        .iter()
        .map(|&i| c.items[i].id.as_str())
        .collect();
    assert_eq!(kept, ["eigen_oordeel"]);
    let rec = case.visit.to_record();
    assert!(
        rec.case_keeps
            .iter()
            .any(|k| k.checklist == "veiligheid" && k.item == "eigen_oordeel")
    );
}
