//! Reading back with the family: the read-back screen shows the agreements,
//! the framework in plain words, what happens next and where to go with
//! questions — and never a flag, a score, a verdict, a profile or the
//! worker's notes. Opened from the review (`l`), marked read back (`m`,
//! undoable until finalizing), and the mark reaches the record and the case
//! card.
//!
//! Familie Kersenboom (fictional): Iris (moeder), Ruben (vader), Mila (2).

mod common;
mod tui_support;

use common::{Case, Family, now};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use safevisit::case::CaseCard;
use safevisit::i18n::Lang;
use safevisit::tui::event::ListStatus;
use safevisit::tui::memory_vault::MemoryVault;
use safevisit::tui::screens::readback::{Framework, Measure, ReadBack, ReadBackScreen};
use safevisit::tui::shell::VaultPort;
use safevisit::tui::theme::Theme;
use safevisit::tui::view::ViewCtx;
use safevisit::visit::{Visit, derive};
use secrecy::SecretString;
use tui_support::{Harness, PASSPHRASE};

/// Notes only the worker may read: none of them may reach the read-back.
const NOTES: [&str; 4] = [
    "ONDERBOUWING-Ruben controleert de telefoon van Iris elke avond",
    "FEIT-Iris had een blauwe plek op haar arm",
    "KADERWOORDEN-Iris zegt dat Mila weg moet",
    "ACTIE-Met Iris Veilig Thuis gebeld",
];

/// A visit to Familie Kersenboom: a supervision order, two agreements, the
/// next contact and the evaluation, and everything the family must not see
/// on this screen: an acute flag with what was done, the worker's verdict,
/// scores, and long notes.
fn kersenboom() -> Visit {
    let mut case = Case::family(Family::Kersenboom, &["veiligheid", "hulp-en-regie"]);
    case.visit.id = "00000000-0000-4000-8000-000000000042".into();
    case.visit.case_id = case.visit.id.clone();
    case.visit.label = "Kersenboom".into();
    let v = case.sheet("veiligheid", "");
    let h = case.sheet("hulp-en-regie", "");
    case.set_all(
        h,
        &[
            ("kader", "maatregel"),
            ("maatregel_soort", "ots"),
            ("kader_uitgelegd", "ja"),
            ("kader_woorden", NOTES[2]),
        ],
    );
    case.set_all(
        v,
        &[
            ("acuut_geweld", "ja"),
            ("eigen_oordeel", "voorwaardelijk_veilig"),
            ("onderbouwing", NOTES[0]),
            ("volgend_contact", "2026-03-11"),
            ("vn_letsel", "ja"),
            ("vn_dreiging", "ja"),
        ],
    );
    let f = case.add_entry(v, "feiten");
    case.set_entry(v, f, "feit_wat", NOTES[1]);
    let a = case.add_entry(v, "plan");
    case.set_entry_all(
        v,
        a,
        &[
            ("plan_wie", "Iris (moeder)"),
            (
                "plan_wat",
                "Zoekt met de hulpverlener een veilige plek om te slapen, voor zichzelf en Mila.",
            ),
            ("plan_wanneer", "2026-03-20"),
            (
                "plan_als_misgaat",
                "Iris gaat met Mila naar haar zus en belt bij direct gevaar 112.",
            ),
        ],
    );
    let b = case.add_entry(v, "plan");
    case.set_entry_all(
        v,
        b,
        &[
            ("plan_wie", "Ruben (vader)"),
            ("plan_wat", "Meldt zich aan bij de hulp voor zijn boosheid."),
            ("plan_wanneer", "2026-12-18"),
            (
                "plan_als_misgaat",
                "De jeugdbeschermer bespreekt met Iris wat er dan nodig is.",
            ),
        ],
    );
    case.set(v, "plan_evaluatie", "2026-04-03");
    let d = derive(&case.visit);
    case.visit.raise_new_flags(&d, now());
    assert!(
        !case.visit.flags.is_empty(),
        "the visit holds a flag to keep off the screen"
    );
    for fl in &mut case.visit.flags {
        fl.acknowledged_at = Some(now());
        fl.action_taken = safevisit::visit::SecretText::new(NOTES[3]);
    }
    case.visit
}

/// The whole read-back drawn on a screen tall enough to hold all of it.
fn whole(screen: &ReadBackScreen, lang: Lang) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 200)).unwrap();
    let theme = Theme::from_no_color(true);
    let v = ViewCtx {
        lang,
        compact: false,
        theme: &theme,
        now: now(),
        entries: &[],
        cases: &[],
        arrived: 0,
        preview: false,
    };
    t.draw(|f| screen.view(f, f.area(), &v)).unwrap();
    safevisit::replay::run::screen_text(t.backend())
}

/// A harness whose vault holds the visit as a draft, unlocked at home.
fn harness_with(visit: &Visit, lang: Lang) -> Harness {
    let mut vault = MemoryVault::with_passphrase(PASSPHRASE);
    vault
        .unlock(SecretString::from(PASSPHRASE.to_string()))
        .unwrap();
    vault.save_draft(&visit.to_record()).unwrap();
    vault.lock();
    let mut h = Harness::new(lang, vault, true);
    h.unlock();
    h
}

/// From home: open the draft, go to the review, open the read-back.
fn open_read_back(h: &mut Harness) {
    h.key("Enter");
    h.key("F6");
    assert!(
        h.has("Controleren en afronden") || h.has("Review and finalize"),
        "{}",
        h.screen()
    );
    h.key("l");
}

fn draft(h: &Harness) -> safevisit::visit::record::VisitRecord {
    let (r, s) = h.shell.port.records().next().expect("a record");
    assert_eq!(s, ListStatus::Draft);
    r.clone()
}

#[test]
fn the_read_back_never_shows_a_flag_score_verdict_profile_or_note() {
    let visit = kersenboom();
    let mut forbidden: Vec<String> = NOTES.iter().map(|s| s.to_string()).collect();
    for f in &visit.flags {
        for lang in [Lang::Nl, Lang::En] {
            forbidden.push(f.message.get(lang).to_string());
            forbidden.push(f.advice.get(lang).to_string());
        }
    }
    for s in &visit.sheets {
        let c = &s.checklist;
        for score in &c.scores {
            for lang in [Lang::Nl, Lang::En] {
                forbidden.push(score.title.get(lang).to_string());
                forbidden.extend(score.bands.iter().map(|b| b.label.get(lang).to_string()));
            }
        }
        for o in &c.outcomes {
            for lang in [Lang::Nl, Lang::En] {
                forbidden.push(o.title.get(lang).to_string());
            }
        }
        if let Some(i) = c.item_index("eigen_oordeel") {
            for o in &c.items[i].options {
                forbidden.extend([o.label.nl.clone(), o.label.en.clone()]);
            }
        }
    }
    // Short labels ("Laag", "Safe") could stand in any sentence; the rest
    // are distinctive, and there are many of them.
    forbidden.retain(|s| s.chars().count() >= 12);
    assert!(forbidden.len() > 20, "{}", forbidden.len());
    for lang in [Lang::Nl, Lang::En] {
        let screen = whole(&ReadBackScreen::from_visit(&visit, lang), lang);
        // The screen holds the read-back itself…
        assert!(screen.contains("Iris (moeder)"), "{screen}");
        assert!(screen.contains("088 555 1000"), "{screen}");
        // …and nothing else.
        for s in &forbidden {
            assert!(!screen.contains(s.as_str()), "{lang:?}: `{s}` on\n{screen}");
        }
        let lower = screen.to_lowercase();
        for word in [
            "vlag", "flag", "score", "risico", "risk", "profiel", "profile", "oordeel", "verdict",
            "acuut", "acute",
        ] {
            assert!(!lower.contains(word), "{lang:?}: `{word}` on\n{screen}");
        }
    }
}

#[test]
fn the_read_back_of_a_visit_and_of_its_case_card_agree() {
    let visit = kersenboom();
    let rb = ReadBack::from_visit(&visit);
    assert_eq!(rb.framework, Framework::Measure(Measure::Supervision));
    assert_eq!(rb.agreements.len(), 2);
    assert_eq!(rb.agreements[0].who.as_str(), "Iris (moeder)");
    assert_eq!(
        rb.next_contact.map(|d| d.to_string()),
        Some("2026-03-11".into())
    );
    assert_eq!(
        rb.evaluation.map(|d| d.to_string()),
        Some("2026-04-03".into())
    );
    let card = CaseCard::from_record(&visit.to_record(), None);
    let from_card = ReadBack::from_card(&card);
    assert_eq!(from_card.agreements, rb.agreements);
    assert_eq!(from_card.next_contact, rb.next_contact);
    assert_eq!(from_card.evaluation, rb.evaluation);
    // The card keeps only `kader`: a court measure, said without guessing which.
    assert_eq!(from_card.framework, Framework::Measure(Measure::Other));
    let screen = whole(
        &ReadBackScreen::from_card(&card, Lang::Nl, time::macros::date!(2026 - 03 - 04)),
        Lang::Nl,
    );
    assert!(
        screen.contains("betekent niet vanzelf dat uw kind"),
        "{screen}"
    );
    // Read back from the case months later: the dates have passed, and
    // say so with their year.
    let later = whole(
        &ReadBackScreen::from_card(&card, Lang::Nl, time::macros::date!(2026 - 12 - 05)),
        Lang::Nl,
    );
    assert!(later.contains("11 maart 2026 (voorbij)"), "{later}");
    assert!(!screen.contains("(voorbij)"), "{screen}");
    assert!(
        screen.contains("Bij het laatste bezoek niet voorgelezen"),
        "{screen}"
    );
    // No `m` from a case: the card is read only.
    assert!(!screen.contains("m voorgelezen"));
}

#[test]
fn dates_are_read_as_days_and_months_and_another_year_is_said() {
    let screen = whole(
        &ReadBackScreen::from_visit(&kersenboom(), Lang::Nl),
        Lang::Nl,
    );
    assert!(
        screen.contains("Huisbezoek van woensdag 4 maart 2026"),
        "{screen}"
    );
    assert!(screen.contains("uiterlijk vrijdag 20 maart"), "{screen}");
    assert!(screen.contains("uiterlijk vrijdag 18 december"), "{screen}");
    assert!(
        screen.contains("We hebben weer contact op woensdag 11 maart."),
        "{screen}"
    );
    assert!(
        screen.contains("Op vrijdag 3 april kijken we samen of de afspraken werken."),
        "{screen}"
    );
    let en = whole(
        &ReadBackScreen::from_visit(&kersenboom(), Lang::En),
        Lang::En,
    );
    assert!(en.contains("by Friday 20 March"), "{en}");
    assert!(en.contains("on Wednesday 11 March"), "{en}");
}

#[test]
fn an_unanswered_framework_is_not_guessed() {
    let mut case = Case::family(Family::Kersenboom, &["veiligheid", "hulp-en-regie"]);
    let v = case.sheet("veiligheid", "");
    case.set(v, "volgend_contact", "2026-03-11");
    let screen = whole(&ReadBackScreen::from_visit(&case.visit, Lang::Nl), Lang::Nl);
    assert!(screen.contains("Het is nog niet duidelijk"), "{screen}");
    assert!(screen.contains("We zoeken dit uit"), "{screen}");
    for guess in ["De hulp is vrijwillig", "De hulp is verplicht"] {
        assert!(!screen.contains(guess), "{screen}");
    }
    assert!(screen.contains("geen afspraken opgeschreven"), "{screen}");
}

#[test]
fn read_back_screen_80x24_nl() {
    let mut h = harness_with(&kersenboom(), Lang::Nl);
    open_read_back(&mut h);
    insta::assert_snapshot!("read_back_80x24_nl", h.screen());
    // It scrolls: the rest is below, down to the AKJ.
    assert!(h.has("↓ meer"), "{}", h.screen());
    assert!(!h.has("088 555 1000"));
    h.key("End");
    assert!(h.has("088 555 1000"), "{}", h.screen());
    assert!(h.has("einde"));
    h.key("Home");
    assert!(h.has("Wat we samen hebben afgesproken"));
}

#[test]
fn read_back_screen_80x24_en() {
    let mut h = harness_with(&kersenboom(), Lang::En);
    open_read_back(&mut h);
    insta::assert_snapshot!("read_back_80x24_en", h.screen());
}

#[test]
fn the_read_back_has_its_own_language_for_the_family() {
    let mut h = harness_with(&kersenboom(), Lang::Nl);
    open_read_back(&mut h);
    h.key("t");
    assert!(h.has("What we agreed together"), "{}", h.screen());
    // The worker's own screen stays Dutch (header and keys).
    assert!(h.has("veilig op huisbezoek"), "{}", h.screen());
    assert!(h.has("voorgelezen (aan/uit)"), "{}", h.screen());
    h.key("t");
    assert!(h.has("Wat we samen hebben afgesproken"));
}

#[test]
fn marking_read_back_is_saved_undoable_and_reaches_the_record_and_the_card() {
    let mut h = harness_with(&kersenboom(), Lang::Nl);
    open_read_back(&mut h);
    assert!(
        h.has("Nog niet gemarkeerd als voorgelezen"),
        "{}",
        h.screen()
    );
    h.key("m");
    assert!(
        h.has("✓ Voorgelezen met het gezin (10:00)"),
        "{}",
        h.screen()
    );
    assert_eq!(
        draft(&h).read_back_at.as_deref(),
        Some("2026-03-04T10:00:00"),
        "saved at once"
    );
    // Undone before finalizing: the draft says so too.
    h.key("m");
    assert!(h.has("Nog niet gemarkeerd als voorgelezen"));
    assert_eq!(draft(&h).read_back_at, None);
    h.wait(time::Duration::minutes(2));
    h.key("m");
    // Back in the review, it says it was read back.
    h.key("Esc");
    assert!(h.has("Controleren en afronden"), "{}", h.screen());
    assert!(h.has("Voorgelezen: ✓ 10:02"), "{}", h.screen());
    h.key("F9").text("Kers").key("Enter");
    assert!(h.has("Bezoek afgerond"), "{}", h.screen());
    let (rec, status) = h.shell.port.records().next().unwrap();
    assert_eq!(status, ListStatus::Finalized);
    assert_eq!(rec.read_back_at.as_deref(), Some("2026-03-04T10:02:00"));
    let card = CaseCard::from_record(rec, None);
    assert_eq!(card.read_back_on.as_deref(), Some("2026-03-04"));
}

#[test]
fn a_review_not_read_back_says_so_and_quick_hide_blanks_the_read_back() {
    let mut h = harness_with(&kersenboom(), Lang::Nl);
    h.key("Enter").key("F6");
    assert!(h.has("Voorgelezen: nog niet (l)"), "{}", h.screen());
    // The key help names it.
    h.key("F1");
    assert!(h.has("voorlezen met het gezin"), "{}", h.screen());
    h.key("Esc").key("l");
    assert!(h.has("Iris (moeder)"));
    h.key("Ctrl-Space");
    let screen = h.screen();
    assert!(!screen.contains("Iris"), "{screen}");
    assert!(!screen.contains("afgesproken"), "{screen}");
    assert!(screen.trim().is_empty(), "{screen}");
}

#[test]
fn the_read_back_fits_a_60x20_window_and_its_keys_are_in_the_help() {
    let mut h = harness_with(&kersenboom(), Lang::Nl);
    h.resize(60, 20);
    open_read_back(&mut h);
    let screen = h.screen();
    assert!(
        screen.contains("Wat we samen hebben afgesproken"),
        "{screen}"
    );
    assert!(screen.contains("Iris (moeder)"), "{screen}");
    assert!(screen.lines().all(|l| l.chars().count() <= 60), "{screen}");
    // Nothing is cut at the edge: every word of the first agreement is there.
    let flat = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "Zoekt met de hulpverlener een veilige plek om te slapen, voor zichzelf en Mila."
        ),
        "{screen}"
    );
    h.key("F1");
    for label in ["voorgelezen met het gezin", "taal van de tekst", "terug"] {
        assert!(h.has(label), "{label}:\n{}", h.screen());
    }
}

#[test]
fn a_narrow_review_says_whether_it_was_read_back_on_its_first_tab() {
    let mut h = harness_with(&kersenboom(), Lang::Nl);
    h.resize(60, 20);
    h.key("Enter").key("F6");
    assert!(h.has("Voorgelezen: nog niet (l)"), "{}", h.screen());
    h.key("l").key("m").key("Esc");
    assert!(h.has("Voorgelezen: ✓ 10:00"), "{}", h.screen());
}

#[test]
fn changing_what_was_read_back_takes_the_mark_back() {
    let mut h = harness_with(&kersenboom(), Lang::Nl);
    open_read_back(&mut h);
    h.key("m").key("Esc");
    assert!(h.has("Voorgelezen: ✓ 10:00"), "{}", h.screen());
    // Another answer that is not read back leaves the mark alone.
    h.key("Esc").key("F2").key("Home").key("Enter");
    assert!(h.has("Acute onveiligheid"), "{}", h.screen());
    h.key("Tab").key("n");
    assert_eq!(
        draft(&h).read_back_at.as_deref(),
        Some("2026-03-04T10:00:00")
    );
    // The next contact moves: the family has not heard that.
    h.key("Ctrl-g")
        .key("/")
        .text("volgende contact")
        .key("Enter");
    assert!(h.has("Wanneer is het volgende contact"), "{}", h.screen());
    h.key("Home").key("Ctrl-k").text("12-3-2026").key("Enter");
    assert!(h.has("Vraag 7 van 9"), "taken and on: {}", h.screen());
    assert!(h.has("zijn veranderd na het voorlezen"), "{}", h.screen());
    assert_eq!(draft(&h).read_back_at, None, "saved without the mark");
    h.key("F6");
    assert!(h.has("Voorgelezen: nog niet (l)"), "{}", h.screen());
}

#[test]
fn the_read_back_replay_finalizes_with_read_back_at_in_the_visit_json() {
    use safevisit::replay::run::{RunOptions, json_document, run_script};
    use safevisit::replay::script::{FileLoader, parse};
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/replay/read-back.replay");
    let text = std::fs::read_to_string(&path).unwrap();
    let steps = parse(&path, &text, &mut FileLoader).unwrap_or_else(|e| panic!("{e:?}"));
    let opts = RunOptions {
        catalog: std::sync::Arc::new(safevisit::checklist::Catalog::bundled()),
        data_dir: None,
        snapshots: None,
        update_snapshots: false,
        collect_json: true,
    };
    let outcome = run_script(&path, &steps, &opts);
    assert!(outcome.failure.is_none(), "{:?}", outcome.failure);
    let doc = json_document(&[outcome]);
    let visit = &doc["runs"][0]["visits"][0];
    assert_eq!(visit["status"], "finalized", "{doc}");
    // Marked, taken back, marked again a minute later: the last mark counts.
    assert_eq!(visit["read_back_at"], "2026-03-04T10:01:00", "{doc}");
}

#[test]
fn a_follow_up_reads_back_the_earlier_agreements_that_still_stand_and_says_so() {
    // The first visit: two agreements.
    let first = kersenboom();
    let card = CaseCard::from_record(&first.to_record(), None);
    // A month later: Iris's agreement was kept, Ruben's only partly; one new.
    let mut case = Case::family(Family::Kersenboom, &["veiligheid", "hulp-en-regie"]);
    case.visit.id = "00000000-0000-4000-8000-000000000043".into();
    case.visit
        .start_follow_up(card.follow_up(), card.case_id.clone());
    let v = case.sheet("veiligheid", "");
    case.set_entry(v, 0, "va_nagekomen", "ja");
    case.set_entry(v, 1, "va_nagekomen", "deels");
    let e = case.add_entry(v, "plan");
    case.set_entry_all(
        v,
        e,
        &[
            ("plan_wie", "Iris (moeder)"),
            ("plan_wat", "Belt de huisarts voor Mila."),
            ("plan_wanneer", "2026-04-10"),
        ],
    );
    let rb = ReadBack::from_visit(&case.visit);
    let who: Vec<(&str, bool)> = rb
        .agreements
        .iter()
        .map(|a| (a.who.as_str(), a.earlier))
        .collect();
    assert_eq!(who, vec![("Ruben (vader)", true), ("Iris (moeder)", false)]);
    let screen = whole(&ReadBackScreen::from_visit(&case.visit, Lang::Nl), Lang::Nl);
    assert!(
        screen.contains("Afspraak 1 · van de vorige keer"),
        "{screen}"
    );
    assert!(screen.contains("Meldt zich aan bij de hulp"), "{screen}");
    assert!(screen.contains("Afspraak 2\n"), "{screen}");
    assert!(screen.contains("Belt de huisarts voor Mila."), "{screen}");
    // The evaluation itself is the worker's: not read back.
    for word in ["Deels", "deels", "nagekomen", "Nagekomen"] {
        assert!(!screen.contains(word), "{word}: {screen}");
    }
}
