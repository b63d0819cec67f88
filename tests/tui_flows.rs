//! The worker's flows, driven through the real `update` and `view`:
//! a whole visit with a red flag, autosave, resume after a restart,
//! auto-lock, quick-hide, the too-small terminal, a failing save.

mod tui_support;

use safevisit::i18n::Lang;
use safevisit::tui::event::ListStatus;
use safevisit::tui::shell::VaultPort;
use safevisit::visit::record::AnswerValue;
use time::Duration;
use tui_support::{Harness, start_appelboom};

fn fixture() -> Harness {
    Harness::unlocked_fixture()
}

fn draft(h: &Harness) -> safevisit::visit::record::VisitRecord {
    let (r, s) = h.shell.port.records().next().expect("a record");
    assert_eq!(s, ListStatus::Draft);
    r.clone()
}

#[test]
fn a_whole_visit_with_a_red_flag_is_finalized() {
    let mut h = fixture();
    start_appelboom(&mut h);
    // engine-bezoek: gezien = nee, toelichting typed.
    h.key("n").key("Tab").text("Sem was bij opa").key("Tab");
    // Noor: through her sheet; add an urgent agreement that raises an acute flag.
    h.key("j")
        .key("Tab")
        .key("2")
        .key("Tab")
        .key("1")
        .key("Tab")
        .text("18")
        .key("Tab")
        .text("2026-01-15")
        .key("Tab");
    h.text("bij opa").key("Tab");
    assert!(h.has("Aantal: 0"), "{}", h.screen());
    h.key("Enter")
        .text("Lotte")
        .key("Tab")
        .key("j")
        .key("Tab")
        .text("nu");
    assert!(!h.has("RODE VLAG"), "typed text is not yet an answer");
    h.key("Tab");
    assert!(h.has("RODE VLAG · ACUUT"), "{}", h.screen());
    assert!(h.has("Bel 112."));
    // The panel stays until acknowledged: other keys do not close it.
    h.key("Tab").key("F6").key("Esc");
    assert!(h.has("RODE VLAG · ACUUT"));
    h.key("Enter");
    assert!(
        h.has("Schrijf kort op wat u heeft gedaan"),
        "an empty action is refused"
    );
    h.text("Met Lotte 112 gebeld").key("Enter");
    assert!(!h.has("RODE VLAG"));
    assert!(h.has("⚑ 1 vlag(gen) (1 acuut)"));
    // Review: missing items are listed, then finalize.
    h.key("F6");
    assert!(h.has("Controleren en afronden"));
    h.key("Alt-f");
    assert!(
        h.has("NIET meer openen"),
        "the confirm step says so:\n{}",
        h.screen()
    );
    // `j` is never a confirmation: it types into the dialog's field.
    h.key("j").key("Enter");
    assert!(h.has("Dat is niet „Appe”"), "{}", h.screen());
    assert!(h.shell.port.records().all(|(_, s)| s == ListStatus::Draft));
    h.key("Backspace").text("appe").key("Enter");
    assert!(h.has("Bezoek afgerond (nummer 1)"), "{}", h.screen());
    assert!(h.has("Klaar voor export (1)"));
    let (rec, status) = h.shell.port.records().next().unwrap();
    assert_eq!(status, ListStatus::Finalized);
    let fin = rec.finalized.as_ref().unwrap();
    assert_eq!(fin.sequence, 1);
    assert_eq!(rec.flags.len(), 1);
    assert_eq!(rec.flags[0].level, "acute");
    assert_eq!(rec.flags[0].action_taken.as_str(), "Met Lotte 112 gebeld");
    assert_eq!(rec.flags[0].raised_at, "2026-03-04T10:00:00");
    assert!(rec.flags[0].acknowledged_at.is_some());
    assert!(fin.summary.scores.iter().any(|s| s.score == "last"));
    // A finalized visit cannot be opened on the laptop.
    h.key("Enter");
    assert!(h.has("niet meer te openen"), "{}", h.screen());
}

#[test]
fn typing_is_saved_within_a_second_and_on_every_navigation() {
    let mut h = fixture();
    start_appelboom(&mut h);
    let saves = h.shell.port.saves;
    h.key("n").key("Tab").text("Sem was bij opa");
    assert_eq!(
        h.shell.port.saves,
        saves + 1,
        "the navigation saved the answer `nee`"
    );
    h.wait(Duration::milliseconds(200));
    assert_eq!(h.shell.port.saves, saves + 1, "not yet");
    h.wait(Duration::milliseconds(400));
    assert_eq!(h.shell.port.saves, saves + 2, "saved within a second");
    // Saved as typed text of its item, not yet as its answer.
    let rec = draft(&h);
    let answer = |rec: &safevisit::visit::record::VisitRecord| {
        rec.sheets
            .iter()
            .find(|s| s.checklist.id == "engine-bezoek")
            .and_then(|s| s.answers.iter().find(|a| a.item == "toelichting"))
            .map(|a| a.value.clone())
    };
    assert_eq!(answer(&rec), None);
    assert_eq!(rec.pending.len(), 1);
    assert_eq!(rec.pending[0].item, "toelichting");
    assert_eq!(rec.pending[0].text.as_str(), "Sem was bij opa");
    assert!(h.has("● opgeslagen"));
    // Leaving the item takes it as the answer, and saves.
    h.key("Tab");
    assert_eq!(h.shell.port.saves, saves + 3);
    let rec = draft(&h);
    assert!(matches!(answer(&rec), Some(AnswerValue::Text(t)) if t.as_str() == "Sem was bij opa"));
    assert!(rec.pending.is_empty());
}

#[test]
fn a_draft_resumes_at_the_item_where_the_worker_was() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.key("n")
        .key("Tab")
        .text("Sem was bij opa")
        .key("Tab")
        .key("j")
        .key("Tab");
    assert!(h.has("Gevoel"));
    h.key("F10");
    // Restart: a new app on the same vault.
    let vault = std::mem::take(&mut h.shell.port);
    let mut h2 = Harness::with_catalog(Lang::Nl, vault, true, Harness::fixture_catalog());
    h2.unlock();
    assert!(h2.has("Concepten (1)"));
    h2.key("Enter");
    assert!(h2.has("Noor (5) · Motortest kind"), "{}", h2.screen());
    assert!(h2.has("Gevoel"), "resumed at the item:\n{}", h2.screen());
}

#[test]
fn idle_auto_lock_saves_drops_the_visit_and_resumes_after_unlock() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.key("n").key("Tab").text("bij opa");
    h.wait(Duration::minutes(4));
    assert!(h.has("Motortest bezoek"), "not yet locked");
    h.wait(Duration::minutes(1));
    assert!(
        h.has("Automatisch vergrendeld na 5 minuten"),
        "{}",
        h.screen()
    );
    assert!(h.has("Wachtwoord"));
    assert!(!h.has("bij opa"));
    assert!(
        h.shell.state.open_visit().is_none(),
        "the decrypted visit left memory"
    );
    assert!(h.shell.port.list().is_err(), "the vault is locked");
    // What was typed is saved as typed, not taken as an answer.
    let rec = draft(&h);
    assert!(
        !rec.sheets
            .iter()
            .flat_map(|s| &s.answers)
            .any(|a| a.item == "toelichting")
    );
    assert_eq!(rec.pending.len(), 1);
    assert_eq!(rec.pending[0].text.as_str(), "bij opa");
    h.unlock();
    assert!(
        h.has("Motortest bezoek"),
        "the visit came back:\n{}",
        h.screen()
    );
    assert!(h.has("bij opa"), "back in its field:\n{}", h.screen());
    // Typing goes on where it stopped; leaving takes it.
    h.text(", daarna thuis").key("Tab").key("F10");
    let rec = draft(&h);
    assert!(rec.pending.is_empty());
    assert!(rec.sheets.iter().flat_map(|s| &s.answers).any(|a| {
        a.item == "toelichting"
            && matches!(&a.value, AnswerValue::Text(t) if t.as_str() == "bij opa, daarna thuis")
    }));
}

#[test]
fn quick_hide_blanks_the_screen_and_locks() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.key("n").key("Tab").text("bij opa");
    h.key("F12");
    assert!(
        h.screen().chars().all(char::is_whitespace),
        "nothing on screen:\n{}",
        h.screen()
    );
    assert!(h.shell.state.open_visit().is_none());
    assert!(h.shell.port.list().is_err(), "locked");
    h.key("Enter");
    assert!(h.has("vergrendeld"));
    h.text("fout wachtwoord").key("Enter");
    assert!(h.has("Het wachtwoord klopt niet"));
    h.unlock();
    assert!(h.has("bij opa"), "{}", h.screen());
}

#[test]
fn a_half_typed_value_survives_quick_hide_as_typed_text_not_as_an_answer() {
    let mut h = fixture();
    start_appelboom(&mut h);
    // Noor's sheet: yes/no, multi, then the 0–3 scale and the 0–200 number.
    h.key("n").key("Tab").text("bij opa").key("Tab");
    h.key("j").key("Tab").key("2").key("Tab").key("Tab");
    assert!(h.has("Getal (kg) 0–200"), "{}", h.screen());
    h.text("1");
    h.key("F12");
    let rec = draft(&h);
    assert_eq!(rec.pending.len(), 1, "the typed `1` is in the draft");
    assert_eq!(rec.pending[0].item, "gewicht");
    assert_eq!(rec.pending[0].text.as_str(), "1");
    assert!(
        !rec.sheets
            .iter()
            .flat_map(|s| &s.answers)
            .any(|a| a.item == "gewicht"),
        "but not as an answer"
    );
    h.key("Enter").unlock();
    assert!(h.has("Getal (kg) 0–200"), "{}", h.screen());
    // Typing goes on; Enter takes the whole number.
    h.text("8").key("Enter");
    let rec = draft(&h);
    assert!(rec.pending.is_empty());
    let a = rec
        .sheets
        .iter()
        .flat_map(|s| &s.answers)
        .find(|a| a.item == "gewicht")
        .expect("taken");
    assert_eq!(a.value, AnswerValue::Number(18.0));
}

#[test]
fn a_small_terminal_gets_a_message_and_ignores_keys() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.resize(58, 20);
    assert!(h.has("minstens 60×20"));
    assert!(h.has("now 58×20"));
    h.key("j");
    h.resize(80, 24);
    assert!(
        h.has("( ) 1 Ja"),
        "the key was not taken as an answer:\n{}",
        h.screen()
    );
    h.resize(120, 40);
    assert!(h.has("Motortest bezoek"));
}

#[test]
fn a_failed_save_is_reported_and_tried_again() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.shell.port.fail_next_save = true;
    h.key("n").key("Tab");
    assert!(
        h.has("Opslaan is mislukt: de schijf is vol"),
        "{}",
        h.screen()
    );
    assert!(h.has("○ niet opgeslagen"));
    let saves = h.shell.port.saves;
    h.wait(Duration::seconds(1));
    assert_eq!(h.shell.port.saves, saves + 1);
    assert!(!h.has("Opslaan is mislukt"));
    assert!(h.has("● opgeslagen"));
}

#[test]
fn an_unacknowledged_red_flag_comes_back_after_a_restart() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.key("n")
        .key("Tab")
        .key("Tab")
        .key("j")
        .key("Tab")
        .key("1");
    assert!(h.has("RODE VLAG · AANDACHT"), "{}", h.screen());
    h.text("nog niets");
    // Killed before acknowledging: only what was saved survives.
    h.wait(Duration::seconds(1));
    let vault = std::mem::take(&mut h.shell.port);
    let mut h2 = Harness::with_catalog(Lang::Nl, vault, true, Harness::fixture_catalog());
    h2.unlock().key("Enter");
    assert!(
        h2.has("RODE VLAG · AANDACHT"),
        "the panel is back:\n{}",
        h2.screen()
    );
    h2.text("Doorgevraagd bij Noor").key("Enter");
    assert!(!h2.has("RODE VLAG"));
    h2.key("F6").key("Alt-f").text("appe").key("Enter");
    assert!(h2.has("Bezoek afgerond"), "{}", h2.screen());
}

#[test]
fn the_language_switches_with_f7() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.key("F7");
    assert!(h.has("Engine test visit"));
    assert!(h.has("EN · 10:00"));
    h.key("F7");
    assert!(h.has("Motortest bezoek"));
}

/// One acknowledged acute flag on the Appelboom visit (engine-bezoek: the
/// worker saw Noor; an urgent agreement with Lotte).
fn appelboom_with_an_acute_flag(h: &mut Harness) {
    start_appelboom(h);
    h.key("n").key("Tab").text("Sem was bij opa").key("Tab");
    h.key("j")
        .key("Tab")
        .key("2")
        .key("Tab")
        .key("1")
        .key("Tab")
        .text("18")
        .key("Tab")
        .text("2026-01-15")
        .key("Tab");
    h.text("bij opa").key("Tab");
    h.key("Enter")
        .text("Lotte")
        .key("Tab")
        .key("j")
        .key("Tab")
        .text("nu")
        .key("Tab");
    assert!(h.has("RODE VLAG · ACUUT"), "{}", h.screen());
    h.text("Met Lotte 112 gebeld").key("Enter");
    assert!(!h.has("RODE VLAG"), "{}", h.screen());
}

#[test]
fn discarding_a_draft_needs_the_first_letters_of_its_name() {
    let mut h = fixture();
    appelboom_with_an_acute_flag(&mut h);
    h.key("F10");
    assert!(h.has("Concepten (1)"), "{}", h.screen());
    h.key("Delete");
    // The dialog names the draft and its acute flag, and what to type.
    assert!(
        h.has("Appelboom (2026-03-04) — 1 vlag, acuut"),
        "{}",
        h.screen()
    );
    assert!(h.has("typ „Appe”"), "{}", h.screen());
    // The answer keys do nothing: `j` and `y` only type, Enter then refuses.
    h.key("j").key("y").key("1").key("Enter");
    assert!(h.has("Dat is niet „Appe”"), "{}", h.screen());
    assert_eq!(h.shell.port.records().count(), 1);
    // Esc cancels; the draft is still there.
    h.key("Esc");
    assert!(!h.has("Concept weggooien"), "{}", h.screen());
    assert!(h.has("Concepten (1)"));
    assert_eq!(h.shell.port.records().count(), 1);
    // A paste does not count as typing.
    h.key("Delete");
    h.shell
        .handle(safevisit::tui::event::Event::Paste("Appe".into()));
    h.key("Enter");
    assert_eq!(h.shell.port.records().count(), 1);
    // The first letters, in any case, and Enter discard it.
    h.key("Esc").key("Delete").text("aPPe").key("Enter");
    assert_eq!(h.shell.port.records().count(), 0, "{}", h.screen());
    assert!(h.has("Concepten (0)"), "{}", h.screen());
}

#[test]
fn finalizing_names_the_visit_and_needs_the_first_letters_of_its_name() {
    let mut h = fixture();
    appelboom_with_an_acute_flag(&mut h);
    h.key("F6").key("Alt-f");
    assert!(h.has("Bezoek afronden?"), "{}", h.screen());
    assert!(
        h.has("Appelboom (2026-03-04) — 1 vlag, acuut,"),
        "{}",
        h.screen()
    );
    assert!(h.has("open vragen"), "{}", h.screen());
    assert!(h.has("versleuteld voor uw organisatie"), "{}", h.screen());
    for k in ["j", "y", "1", "Enter"] {
        h.key(k);
    }
    assert!(h.shell.port.records().all(|(_, s)| s == ListStatus::Draft));
    // Esc cancels and leaves the review as it was.
    h.key("Esc");
    assert!(!h.has("Bezoek afronden?"), "{}", h.screen());
    assert!(h.has("Controleren en afronden"));
    h.key("F9").text("Appe").key("Enter");
    assert!(h.has("Bezoek afgerond (nummer 1)"), "{}", h.screen());
    assert!(
        h.shell
            .port
            .records()
            .all(|(_, s)| s == ListStatus::Finalized)
    );
}

#[test]
fn a_failed_finalize_is_not_shown_as_saved_and_the_draft_is_saved_again() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.key("n").key("Tab");
    h.wait(Duration::seconds(1));
    assert!(h.has("● opgeslagen"), "{}", h.screen());
    h.shell.port.fail_next_finalize = true;
    h.key("F6").key("Alt-f").text("appe").key("Enter");
    assert!(h.has("Afronden is mislukt"), "{}", h.screen());
    assert!(
        h.has("○ niet opgeslagen: schijf vol — probeert opnieuw"),
        "{}",
        h.screen()
    );
    assert!(!h.has("● opgeslagen"));
    assert!(h.shell.port.records().all(|(_, s)| s == ListStatus::Draft));
    // The next tick saves the draft again, and the header says so.
    let saves = h.shell.port.saves;
    h.wait(Duration::seconds(1));
    assert_eq!(h.shell.port.saves, saves + 1, "{}", h.screen());
    assert!(h.has("● opgeslagen"), "{}", h.screen());
    assert!(!h.has("niet opgeslagen"));
    // And finalizing works once the disk has room.
    h.key("Alt-f").text("appe").key("Enter");
    assert!(h.has("Bezoek afgerond (nummer 1)"), "{}", h.screen());
}

#[test]
fn a_failed_autosave_says_why_in_the_header_until_a_save_works() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.shell.port.fail_next_save = true;
    h.key("n").key("Tab");
    assert!(
        h.has("○ niet opgeslagen: schijf vol — probeert opnieuw"),
        "{}",
        h.screen()
    );
    h.shell.port.fail_next_save = true;
    h.wait(Duration::seconds(1));
    assert!(h.has("○ niet opgeslagen: schijf vol"), "{}", h.screen());
    h.wait(Duration::seconds(1));
    assert!(h.has("● opgeslagen"), "{}", h.screen());
    assert!(!h.has("schijf vol"));
}

#[test]
fn leaving_a_filled_new_visit_form_asks_first() {
    let mut h = fixture();
    // An empty form goes at once.
    h.key("n").key("Esc");
    assert!(h.has("Concepten (0)"), "{}", h.screen());
    h.key("n").text("Kersenboom");
    h.key("Alt-k")
        .text("Mila")
        .key("Enter")
        .text("4")
        .key("Enter");
    for leave in ["Esc", "F10"] {
        h.key(leave);
        assert!(
            h.has("Dit formulier weggooien?"),
            "{leave}:\n{}",
            h.screen()
        );
        assert!(h.has("Kersenboom, 1 kind"), "{}", h.screen());
        // No answer key throws it away; Enter on the default button goes back.
        h.key("j").key("y").key("n").key("Enter");
        assert!(!h.has("Dit formulier weggooien?"), "{}", h.screen());
        assert!(h.has("Nieuw bezoek"), "{}", h.screen());
        assert!(h.has("Kersenboom"));
        assert!(h.has("Mila, 4 jaar"), "{}", h.screen());
    }
    // Esc in the dialog returns to the form, everything still filled in.
    h.key("Esc").key("Esc");
    assert!(
        h.has("Nieuw bezoek") && h.has("Mila, 4 jaar"),
        "{}",
        h.screen()
    );
    // Tab to "Weggooien", then Enter: home, nothing saved.
    h.key("F10").key("Tab").key("Enter");
    assert!(h.has("Concepten (0)"), "{}", h.screen());
    assert_eq!(h.shell.port.records().count(), 0);
}

#[test]
fn removing_an_entry_needs_alt_d_twice_never_j() {
    let mut h = fixture();
    appelboom_with_an_acute_flag(&mut h);
    // Back into the entry.
    h.key("BackTab");
    assert!(h.has("Afspraak 1"), "{}", h.screen());
    h.key("Alt-d");
    assert!(h.has("Deze afspraak met alle antwoorden weghalen?"));
    // The answer keys do nothing here.
    h.key("j").key("y").key("1");
    assert!(h.has("Deze afspraak met alle antwoorden weghalen?"));
    h.key("Esc");
    assert!(!h.has("weghalen?"));
    assert!(h.has("Afspraak 1"));
    h.key("Alt-d").key("Alt-d");
    assert!(!h.has("weghalen?"));
    assert!(h.has("Aantal: 0"), "{}", h.screen());
}

#[test]
fn only_open_questions_wraps_round_to_earlier_lists() {
    let mut h = fixture();
    start_appelboom(&mut h);
    // To the last list (Sem), with every list still open.
    h.key("F3").key("Down").key("Down").key("Enter");
    assert!(h.has("Lijst 3 van 3"), "{}", h.screen());
    h.key("F5");
    let mut wrapped = false;
    for _ in 0..40 {
        if h.has("Verder vanaf het begin") {
            wrapped = true;
            break;
        }
        h.key("Tab");
    }
    assert!(wrapped, "{}", h.screen());
    assert!(h.has("open verplichte vragen in eerdere lijsten"));
    assert!(h.has("Lijst 1 van 3"), "{}", h.screen());
    assert!(!h.has("Er zijn geen open verplichte vragen meer"));
}

#[test]
fn a_persons_sheet_leads_with_the_person_in_the_header_pane_and_picker() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.key("F3");
    assert!(h.has("Bezoek · Motortest bezoek"), "{}", h.screen());
    assert!(h.has("Noor (5) · Motortest kind"), "{}", h.screen());
    assert!(h.has("Sem (11) · Motortest kind"), "{}", h.screen());
    h.key("Down").key("Enter");
    let header = h.screen().lines().nth(1).unwrap_or_default().to_string();
    assert!(
        header.starts_with(" Noor (5) · Motortest kind · Appelboom"),
        "{header}"
    );
    assert!(
        h.has("┌ Noor (5) ─"),
        "the section pane says whose: {}",
        h.screen()
    );
}

#[test]
fn the_sections_popup_opens_at_the_current_section() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.key("F3").key("Down").key("Enter");
    h.key("PageDown");
    assert!(h.has("┌ Afspraken "), "{}", h.screen());
    // F2 and Enter at once: still here, not back at the first section.
    h.key("F2").key("Enter");
    assert!(h.has("┌ Afspraken "), "{}", h.screen());
    h.key("F2").key("Up").key("Enter");
    assert!(h.has("┌ Basis "), "{}", h.screen());
}

#[test]
fn f5_says_how_many_open_questions_wait_in_other_lists() {
    let mut h = fixture();
    start_appelboom(&mut h);
    // One open required question in the visit's own list, one in Noor's
    // and one in Sem's.
    h.key("F5");
    assert!(
        h.has("1 in deze lijst, nog 2 open in andere lijsten"),
        "{}",
        h.screen()
    );
}

#[test]
fn auto_advance_is_off_by_default_and_moves_on_after_one_key_when_on() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.key("F3").key("Down").key("Enter");
    assert!(h.has("Vraag 1 van 5"), "{}", h.screen());
    // Off: `j` answers and stays.
    h.key("j");
    assert!(h.has("Vraag 1 van 5"), "{}", h.screen());
    assert!(!h.shell.state.auto_advance);
    // On (Alt-m): `n` answers and goes on to the next question.
    h.key("Alt-m");
    assert!(h.has("Automatisch verder: aan"), "{}", h.screen());
    h.key("n");
    assert!(h.has("Vraag 2 van 5"), "{}", h.screen());
    // Typing on a scale or in a field never moves on by itself.
    h.key("2");
    assert!(h.has("Vraag 2 van 5"), "{}", h.screen());
    h.key("Alt-m");
    assert!(h.has("Automatisch verder: uit"), "{}", h.screen());
}

#[test]
fn q_asks_before_quitting_from_home_and_from_a_question() {
    let mut h = fixture();
    h.key("q");
    assert!(h.has("safevisit stoppen?"), "{}", h.screen());
    assert!(!h.shell.state.quitting);
    // An answer key never says yes; Esc says no.
    h.key("j");
    assert!(!h.shell.state.quitting);
    h.key("Esc");
    assert!(!h.has("safevisit stoppen?"));
    start_appelboom(&mut h);
    h.key("q");
    assert!(h.has("Het bezoek wordt eerst opgeslagen"), "{}", h.screen());
    h.key("Enter");
    assert!(h.shell.state.quitting);
}

#[test]
fn the_pop_up_lists_honour_home_and_end() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.key("F3").key("End").key("Enter");
    assert!(h.has("Sem (11) · Motortest kind"), "{}", h.screen());
    h.key("F3").key("Home").key("Enter");
    assert!(h.has("Lijst 1 van 3"), "{}", h.screen());
}

#[test]
fn a_person_is_removed_only_with_a_reason_and_typed_letters_and_the_draft_keeps_them() {
    let mut h = fixture();
    start_appelboom(&mut h);
    // Alt-g, down to Bram (Noor, Sem, +kind, Lotte, Bram), Alt-d.
    h.key("Alt-g");
    h.keys(&["Down", "Down", "Down", "Down"]).key("Alt-d");
    assert!(h.has("Uit het overzicht halen"), "{}", h.screen());
    // No reason: refused.
    h.key("Enter");
    assert!(h.has("Schrijf kort waarom"), "{}", h.screen());
    h.text("Woont hier niet.").key("Enter");
    assert!(h.has("typ „Bram”"), "{}", h.screen());
    // A paste does not count as typing the letters, nor do answer keys.
    h.shell
        .handle(safevisit::tui::event::Event::Paste("Bram".into()));
    h.key("Enter");
    assert!(h.has("Dat is niet „Bram”"), "{}", h.screen());
    h.key("Esc").key("Enter");
    h.text("bram").key("Enter");
    assert!(
        h.has("Bram (vader) — verwijderd: Woont hier niet."),
        "{}",
        h.screen()
    );
    // Saved at once: Bram stays on the roster, listed as removed.
    let (rec, _) = h.shell.port.records().next().expect("a record");
    assert_eq!(rec.removed.len(), 1);
    assert_eq!(rec.removed[0].reason.as_str(), "Woont hier niet.");
    assert!(rec.caregivers.iter().any(|c| c.alias == "Bram"));
    // Put back with Alt-d.
    h.key("Alt-d");
    assert!(
        h.has("Bram (vader) staat weer in het overzicht"),
        "{}",
        h.screen()
    );
    let (rec, _) = h.shell.port.records().next().expect("a record");
    assert!(rec.removed.is_empty());
}
