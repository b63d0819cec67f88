//! Cases on the laptop screen, driven through the real `update` and `view`:
//! the home screen's case list (order and marks), a case opened read-only,
//! closed with a reason, and a follow-up visit started from it — also when
//! the case was closed meanwhile.

mod tui_support;

use safevisit::case::{CaseCard, CaseChild};
use safevisit::i18n::Lang;
use safevisit::tui::event::ListStatus;
use safevisit::tui::memory_vault::MemoryVault;
use safevisit::visit::SecretText;
use safevisit::visit::record::{
    AgreementRecord, CaregiverRecord, CaseFlagRecord, PersonRecord, ScalingRecord,
};
use tui_support::{Harness, PASSPHRASE};

/// A card of a fictional family, last visited on `last`.
fn card(id: &str, label: &str, last: &str) -> CaseCard {
    CaseCard {
        case_id: id.to_string(),
        label: label.to_string(),
        opened_on: last.to_string(),
        children: Vec::new(),
        caregivers: Vec::new(),
        agreements: Vec::new(),
        flags: Vec::new(),
        evaluation_date: None,
        next_contact: None,
        last_visit: format!("{id}-bezoek"),
        last_visit_date: last.to_string(),
        visits: 1,
        scaling: Vec::new(),
        verdict: None,
        framework: None,
        read_back_on: None,
        values: Vec::new(),
        updated_at: format!("{last}T16:00:00"),
    }
}

fn agreement(who: &str, what: &str, by: &str, if_wrong: &str) -> AgreementRecord {
    AgreementRecord {
        who: SecretText::new(who),
        what: SecretText::new(what),
        by_when: Some(by.to_string()),
        if_wrong: SecretText::new(if_wrong),
    }
}

/// Familie Kersenboom: Mila (2 on 2025-01-10), Iris (moeder), Ruben
/// (vader); two agreements, the first past its deadline on 2026-03-04; an
/// acute flag still active.
fn kersenboom() -> CaseCard {
    let mut c = card("case-kersenboom", "Kersenboom", "2025-01-10");
    c.children = vec![CaseChild {
        id: 1,
        alias: "Mila".into(),
        age: 2,
        age_on: "2025-01-10".into(),
    }];
    c.caregivers = vec![
        CaregiverRecord {
            id: 2,
            alias: "Iris".into(),
            role: "moeder".into(),
        },
        CaregiverRecord {
            id: 3,
            alias: "Ruben".into(),
            role: "vader".into(),
        },
    ];
    c.agreements = vec![
        agreement(
            "Iris",
            "Belt de buurvrouw als Ruben boos wordt",
            "2026-03-01",
            "Mila gaat naar oma",
        ),
        agreement(
            "Ruben",
            "Gaat naar de huisarts",
            "2026-05-01",
            "Iris belt Veilig Thuis",
        ),
    ];
    c.flags = vec![CaseFlagRecord {
        checklist: "veiligheid".into(),
        person: PersonRecord::Visit,
        flag: "acuut_gevaar".into(),
        level: "acute".into(),
        message: safevisit::i18n::Text::new("Acuut gevaar", "Acute danger"),
        state: "active".into(),
        action_taken: SecretText::new("Met Iris 112 gebeld"),
        raised_on: "2025-01-10".into(),
    }];
    c.evaluation_date = Some("2026-04-01".into());
    // Touched recently: not due for closing.
    c.updated_at = "2026-02-01T16:00:00".into();
    c
}

/// A locked in-memory vault with these cases, unlocked on the fixture
/// checklists (2026-03-04 10:00).
fn with_cases(cards: Vec<CaseCard>, retention: Option<u32>) -> Harness {
    with_cases_in(Lang::Nl, cards, retention, Harness::fixture_catalog())
}

fn with_cases_in(
    lang: Lang,
    cards: Vec<CaseCard>,
    retention: Option<u32>,
    catalog: safevisit::checklist::Catalog,
) -> Harness {
    let mut vault = MemoryVault::with_passphrase(PASSPHRASE);
    for c in cards {
        vault.cases.insert(c.case_id.clone(), c);
    }
    vault.retention_days = retention;
    let mut h = Harness::with_catalog(lang, vault, true, catalog);
    h.unlock();
    h
}

/// The screen line that holds `s`.
fn row_of(h: &Harness, s: &str) -> usize {
    h.screen()
        .lines()
        .position(|l| l.contains(s))
        .unwrap_or_else(|| panic!("{s} not on screen:\n{}", h.screen()))
}

fn line_with(h: &Harness, s: &str) -> String {
    h.screen().lines().nth(row_of(h, s)).unwrap().to_string()
}

#[test]
fn cases_are_listed_next_due_first_with_their_marks() {
    let mut perenstraat = card("case-peren", "Perenstraat", "2025-08-01");
    perenstraat.next_contact = None;
    let mut appelboom = card("case-appel", "Appelboom", "2026-02-20");
    appelboom.next_contact = Some("2026-03-20".into());
    let h = with_cases(vec![perenstraat, appelboom, kersenboom()], None);
    assert!(h.has("Casussen (3)"), "{}", h.screen());
    // Next due first: Kersenboom's overdue agreement (2026-03-01), then
    // Appelboom's contact (2026-03-20), then Perenstraat with no date.
    let (k, a, p) = (
        row_of(&h, "Kersenboom"),
        row_of(&h, "Appelboom"),
        row_of(&h, "Perenstraat"),
    );
    assert!(k < a && a < p, "{}", h.screen());
    let kl = line_with(&h, "Kersenboom");
    assert!(kl.contains("2026-03-01"), "{kl}");
    assert!(kl.contains("⚑ 1 acuut"), "{kl}");
    assert!(kl.contains("! afspraak"), "{kl}");
    assert!(
        !kl.contains("! evaluatie"),
        "evaluation is not yet due: {kl}"
    );
    let al = line_with(&h, "Appelboom");
    assert!(al.contains("2026-03-20") && !al.contains('!'), "{al}");
    // Untouched since 2025-08-01: more than 180 days on 2026-03-04.
    let pl = line_with(&h, "Perenstraat");
    assert!(pl.contains("—") && pl.contains("sluiten?"), "{pl}");
    assert!(!al.contains("sluiten?") && !kl.contains("sluiten?"));
    // The visits are still listed below.
    assert!(row_of(&h, "Concepten (0)") > p);
    // Opened, it asks whether the case is done.
    let mut h = h;
    h.key("Tab").key("Down").key("Down").key("Enter");
    assert!(h.has("Casus: Perenstraat"), "{}", h.screen());
    assert!(
        h.has("Deze casus is lang niet aangeraakt"),
        "{}",
        h.screen()
    );
    h.key("Esc").key("Up").key("Enter");
    assert!(h.has("Casus: Appelboom"));
    assert!(!h.has("lang niet aangeraakt"));
}

#[test]
fn the_retention_period_is_the_vaults_and_dates_past_today_are_marked() {
    let mut appelboom = card("case-appel", "Appelboom", "2026-01-20");
    appelboom.next_contact = Some("2026-03-03".into());
    appelboom.evaluation_date = Some("2026-02-01".into());
    // 43 days untouched: due for closing with a 30-day period, not 180.
    let h = with_cases(vec![appelboom.clone()], Some(30));
    let l = line_with(&h, "Appelboom");
    assert!(l.contains("sluiten?"), "{l}");
    assert!(l.contains("! evaluatie") && l.contains("! contact"), "{l}");
    let h = with_cases(vec![appelboom], None);
    assert!(!line_with(&h, "Appelboom").contains("sluiten?"));
}

#[test]
fn no_cases_no_case_list() {
    let h = with_cases(Vec::new(), None);
    assert!(!h.has("Casussen"), "{}", h.screen());
    assert!(h.has("Concepten (0)"));
}

#[test]
fn a_case_opens_read_only_with_its_card() {
    let mut h = with_cases(vec![kersenboom()], None);
    // Tab moves to the cases, Enter opens the one selected.
    h.key("Tab");
    assert!(h.has("Enter: openen"), "{}", h.screen());
    h.key("Enter");
    assert!(h.has("Casus: Kersenboom"), "{}", h.screen());
    // Mila was 2 on 2025-01-10: 3 on 2026-03-04.
    assert!(h.has("Mila, 3 jaar"), "{}", h.screen());
    assert!(h.has("Iris (moeder)") && h.has("Ruben (vader)"));
    assert!(h.has("Iris: Belt de buurvrouw als Ruben boos wordt"));
    assert!(
        line_with(&h, "2026-03-01").contains("te laat"),
        "{}",
        h.screen()
    );
    assert!(!line_with(&h, "2026-05-01").contains("te laat"));
    assert!(h.has("Als het misgaat: Mila gaat naar oma"));
    assert!(h.has("Evaluatie") && h.has("2026-04-01"));
    // Further down: the flag and what was done.
    h.key("End");
    assert!(
        h.has("ACUUT (actief, 2025-01-10): Acuut gevaar"),
        "{}",
        h.screen()
    );
    assert!(h.has("Gedaan: Met Iris 112 gebeld"));
    // Past the end it stays at the end: one step up shows one line more.
    h.keys(&["Down", "Down", "PageDown"]);
    let end = h.screen();
    h.key("Up");
    assert_ne!(h.screen(), end, "one key up moves back at once");
    h.key("Home");
    assert!(h.has("Laatste bezoek"));
    // Esc goes home, on the list of cases.
    h.key("Esc");
    assert!(h.has("Casussen (1) · Enter: openen"), "{}", h.screen());
    assert!(line_with(&h, "Kersenboom").contains("▶"));
    assert!(!h.has("Casus: Kersenboom"));
}

#[test]
fn lock_and_quick_hide_take_the_case_off_the_screen() {
    let mut h = with_cases(vec![kersenboom()], None);
    h.keys(&["c", "Enter"]);
    assert!(h.has("Belt de buurvrouw"));
    h.key("Ctrl-Space");
    assert!(!h.has("Belt de buurvrouw") && !h.has("Kersenboom"));
    h.key("a");
    assert!(h.has("Typ uw wachtwoord"), "{}", h.screen());
    h.unlock();
    assert!(h.has("Casussen (1)") && !h.has("Belt de buurvrouw"));
    h.keys(&["c", "Enter", "F8"]);
    assert!(!h.has("Belt de buurvrouw") && h.has("Typ uw wachtwoord"));
}

#[test]
fn closing_a_case_asks_a_reason_and_the_first_letters() {
    let mut h = with_cases(vec![kersenboom()], None);
    h.keys(&["Tab", "Enter", "s"]);
    assert!(h.has("Waarom sluit u de casus?"), "{}", h.screen());
    // The second reason: handed over.
    h.keys(&["Down", "Enter"]);
    assert!(h.has("Deze casus sluiten?"), "{}", h.screen());
    assert!(h.has("Overgedragen aan een andere hulpverlener"));
    assert!(h.has("typ „Kers”"), "{}", h.screen());
    // An answer key never confirms.
    h.text("j").key("Enter");
    assert!(h.has("Dat is niet „Kers”"));
    assert!(h.shell.port.cases.contains_key("case-kersenboom"));
    // Esc goes back to the reasons, and again to the case.
    h.key("Esc");
    assert!(h.has("Waarom sluit u de casus?"));
    h.key("Enter").text("kers").key("Enter");
    assert!(h.shell.port.cases.is_empty());
    assert_eq!(
        h.shell.port.closed,
        vec![(
            "case-kersenboom".to_string(),
            "overgedragen".to_string(),
            "2026-03-04T10:00:00".to_string()
        )]
    );
    assert!(h.has("Casus Kersenboom gesloten"), "{}", h.screen());
    assert!(!h.has("Casussen"), "{}", h.screen());
}

/// Down to the form's "Start visit" and press it.
fn start_visit(h: &mut Harness) {
    for _ in 0..30 {
        h.key("Down");
    }
    h.key("Enter");
}

#[test]
fn a_follow_up_starts_from_the_case_with_its_household() {
    let mut h = with_cases(vec![kersenboom()], None);
    h.keys(&["Tab", "Enter", "v"]);
    assert!(h.has("Nieuw bezoek"), "{}", h.screen());
    assert!(h.has("Vervolgbezoek van Kersenboom (vorige: 2025-01-10)"));
    // The household for correction: Mila's age advanced to today.
    assert!(h.has("Mila, 3 jaar"), "{}", h.screen());
    assert!(h.has("Iris (moeder)") && h.has("Ruben (vader)"));
    // A new baby is added here.
    h.key("Alt-k")
        .text("Tijn")
        .key("Enter")
        .text("0")
        .key("Enter");
    start_visit(&mut h);
    assert!(h.has("Kersenboom · 2026-03-04"), "{}", h.screen());
    let (rec, status) = h.shell.port.records().next().expect("a draft");
    assert_eq!(status, ListStatus::Draft);
    assert_eq!(rec.case_id, "case-kersenboom");
    assert_ne!(rec.id, rec.case_id);
    assert_eq!(rec.label, "Kersenboom");
    let f = rec.follow_up.as_ref().expect("a follow-up");
    assert_eq!(f.follows, "case-kersenboom-bezoek");
    assert_eq!(f.previous_date, "2025-01-10");
    assert_eq!(f.agreements.len(), 2);
    assert_eq!(f.flags.len(), 1, "the active flag is looked at again");
    // Ids kept for the people carried over; the new child gets a new one.
    let kids: Vec<(u32, &str, u8)> = rec
        .children
        .iter()
        .map(|c| (c.id, c.alias.as_str(), c.age))
        .collect();
    assert_eq!(kids, vec![(1, "Mila", 3), (4, "Tijn", 0)]);
    let ids: Vec<u32> = rec.caregivers.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![2, 3]);
}

#[test]
fn a_follow_up_can_be_chosen_on_the_new_visit_form() {
    let mut appelboom = card("case-appel", "Appelboom", "2026-02-20");
    appelboom.next_contact = Some("2026-03-20".into());
    let mut h = with_cases(vec![kersenboom(), appelboom], None);
    h.key("n");
    assert!(h.has("Eerste bezoek · Enter: vervolgbezoek van een casus"));
    // Letters go into the label as before.
    h.text("Peer");
    assert!(h.has("Peer"));
    h.keys(&["Up", "Enter"]);
    assert!(h.has("Eerste bezoek (nieuw gezin)"), "{}", h.screen());
    assert!(h.has("Vervolgbezoek van Kersenboom"));
    // The cases in the home screen's order: Kersenboom, then Appelboom.
    h.keys(&["Down", "Down", "Enter"]);
    assert!(
        h.has("Vervolgbezoek van Appelboom (vorige: 2026-02-20)"),
        "{}",
        h.screen()
    );
    start_visit(&mut h);
    let (rec, _) = h.shell.port.records().next().expect("a draft");
    assert_eq!(rec.case_id, "case-appel");
    assert_eq!(rec.label, "Appelboom");
    assert!(rec.follow_up.is_some());
}

#[test]
fn a_case_closed_meanwhile_starts_a_first_visit_with_the_household() {
    let mut h = with_cases(vec![kersenboom()], None);
    h.keys(&["Tab", "Enter", "v"]);
    assert!(h.has("Mila, 3 jaar"));
    // The case goes while the form is open (a receipt from the office).
    h.shell.port.cases.clear();
    start_visit(&mut h);
    assert!(
        h.has("De casus Kersenboom is intussen gesloten"),
        "{}",
        h.screen()
    );
    let (rec, _) = h.shell.port.records().next().expect("a draft");
    assert_eq!(rec.case_id, rec.id, "a first visit starts its own case");
    assert!(rec.follow_up.is_none());
    let kids: Vec<(&str, u8)> = rec
        .children
        .iter()
        .map(|c| (c.alias.as_str(), c.age))
        .collect();
    assert_eq!(kids, vec![("Mila", 3)]);
    assert_eq!(rec.caregivers.len(), 2);
}

#[test]
fn a_finalized_visit_becomes_a_case_on_the_home_screen() {
    let mut h = Harness::unlocked_fixture();
    tui_support::start_appelboom(&mut h);
    h.key("F6").key("Alt-f").text("appe").key("Enter");
    assert!(h.has("Bezoek afgerond (nummer 1)"), "{}", h.screen());
    assert!(h.has("Casussen (1)"), "{}", h.screen());
    assert!(h.has("Appelboom"));
    h.keys(&["Tab", "Enter"]);
    assert!(h.has("Casus: Appelboom"), "{}", h.screen());
    assert!(h.has("Noor, 5 jaar") && h.has("Lotte (moeder)"));
}

/// Three cases on the home screen, and one opened, as text snapshots at
/// 80×24 (and the home screen at 60×20), in Dutch and English.
#[test]
fn snapshots_of_the_case_list_and_the_case_view() {
    for lang in [Lang::Nl, Lang::En] {
        let l = lang.code();
        let mut k = kersenboom();
        k.verdict = Some("voorwaardelijk_veilig".into());
        k.framework = Some("drang".into());
        k.scaling = vec![ScalingRecord {
            who: SecretText::new("Iris"),
            role: Some("ouder".into()),
            about: SecretText::new("Mila"),
            value: 6,
        }];
        let mut appelboom = card("case-appel", "Appelboom", "2026-02-20");
        appelboom.next_contact = Some("2026-03-20".into());
        let perenstraat = card("case-peren", "Perenstraat", "2025-08-01");
        let mut h = with_cases_in(
            lang,
            vec![k, appelboom, perenstraat],
            None,
            safevisit::checklist::Catalog::bundled(),
        );
        insta::assert_snapshot!(format!("cases_home_{l}"), h.screen());
        h.key("Tab");
        insta::assert_snapshot!(format!("cases_home_focused_{l}"), h.screen());
        h.resize(60, 20);
        insta::assert_snapshot!(format!("cases_home_60x20_{l}"), h.screen());
        h.resize(80, 24);
        h.key("Enter");
        insta::assert_snapshot!(format!("case_view_{l}"), h.screen());
        h.resize(60, 20);
        insta::assert_snapshot!(format!("case_view_60x20_{l}"), h.screen());
        h.resize(80, 24);
        h.key("End");
        insta::assert_snapshot!(format!("case_view_end_{l}"), h.screen());
        h.key("s");
        insta::assert_snapshot!(format!("case_close_reason_{l}"), h.screen());
        h.key("Enter");
        insta::assert_snapshot!(format!("case_close_confirm_{l}"), h.screen());
        // Back to the case, and on to a follow-up: the form from the card.
        h.keys(&["Esc", "Esc", "v"]);
        insta::assert_snapshot!(format!("case_follow_up_form_{l}"), h.screen());
        h.keys(&["Up", "Up", "Up", "Up", "Up", "Up", "Enter"]);
        insta::assert_snapshot!(format!("case_follow_up_picker_{l}"), h.screen());
    }
}

#[test]
fn the_agreements_are_read_back_from_the_case() {
    let mut h = with_cases(vec![kersenboom()], None);
    h.keys(&["Tab", "Enter", "l"]);
    assert!(h.has("Belt de buurvrouw"), "{}", h.screen());
    assert!(!h.has("Casus: Kersenboom"));
    // Never a flag, or what the worker did about it.
    assert!(!h.has("Acuut gevaar") && !h.has("Met Iris 112 gebeld"));
    // Quick-hide works here as everywhere.
    h.key("Ctrl-Space");
    assert!(!h.has("Belt de buurvrouw"));
    h.key("a").unlock().keys(&["Tab", "Enter", "l", "Esc"]);
    assert!(h.has("Casus: Kersenboom"), "{}", h.screen());
}

#[test]
fn the_key_help_names_the_case_keys() {
    let mut h = with_cases(vec![kersenboom()], None);
    h.key("F1");
    let line = line_with(&h, "naar casussen / bezoeken");
    assert!(line.contains("Tab") && line.contains('c'), "{line}");
    h.key("Esc").keys(&["Tab", "Enter", "F1"]);
    for label in ["vervolgbezoek", "voorlezen", "casus sluiten", "terug"] {
        assert!(h.has(label), "{label}:\n{}", h.screen());
    }
    assert!(line_with(&h, "vervolgbezoek").contains('v'));
    assert!(line_with(&h, "casus sluiten").contains('s'));
}

#[test]
fn what_is_due_is_seen_again_after_midnight() {
    let mut appelboom = card("case-appel", "Appelboom", "2026-02-20");
    appelboom.next_contact = Some("2026-03-04".into());
    let mut h = with_cases(vec![appelboom], None);
    // The laptop stays open on the home screen into the night.
    let late = time::macros::datetime!(2026-03-04 23:58);
    h.shell.state.now = late;
    h.shell.state.last_input = late;
    h.now = late;
    h.wait(time::Duration::minutes(1));
    assert!(!line_with(&h, "Appelboom").contains("! contact"));
    h.wait(time::Duration::minutes(2));
    assert!(
        line_with(&h, "Appelboom").contains("! contact"),
        "{}",
        h.screen()
    );
}
