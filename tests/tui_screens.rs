//! Every screen of the worker's app as a text snapshot at 80×24, in Dutch
//! and in English, and the visit in the compact layout at 60×20. A snapshot
//! change is reviewed like code.

mod tui_support;

use safevisit::i18n::Lang;
use safevisit::tui::memory_vault::MemoryVault;
use tui_support::{Harness, PASSPHRASE, start_appelboom};

fn name(lang: Lang, screen: &str) -> String {
    format!("{screen}_{}", lang.code())
}

fn both(f: impl Fn(Lang)) {
    for lang in [Lang::Nl, Lang::En] {
        f(lang);
    }
}

fn fixture(lang: Lang) -> Harness {
    let mut h = Harness::with_catalog(
        lang,
        MemoryVault::with_passphrase(PASSPHRASE),
        true,
        Harness::fixture_catalog(),
    );
    h.unlock();
    h
}

#[test]
fn onboarding() {
    both(|lang| {
        let mut h = Harness::first_run(lang);
        insta::assert_snapshot!(name(lang, "onboarding_welcome"), h.screen());
        h.key("Enter");
        h.text("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p")
            .key("Enter");
        insta::assert_snapshot!(name(lang, "onboarding_recipients"), h.screen());
        h.key("Tab").text("laptop-3");
        insta::assert_snapshot!(name(lang, "onboarding_device"), h.screen());
        h.key("Enter").text("kort");
        insta::assert_snapshot!(name(lang, "onboarding_passphrase_weak"), h.screen());
    });
}

#[test]
fn unlock() {
    both(|lang| {
        let mut h = Harness::locked(lang);
        insta::assert_snapshot!(name(lang, "unlock"), h.screen());
        h.text("verkeerd wachtwoord").key("Enter");
        insta::assert_snapshot!(name(lang, "unlock_wrong"), h.screen());
    });
}

#[test]
fn home() {
    both(|lang| {
        let mut h = fixture(lang);
        insta::assert_snapshot!(name(lang, "home_empty"), h.screen());
        start_appelboom(&mut h);
        h.key("F10");
        insta::assert_snapshot!(name(lang, "home_draft"), h.screen());
        h.key("e");
        insta::assert_snapshot!(name(lang, "home_export_prompt"), h.screen());
        h.key("Esc").key("Delete");
        insta::assert_snapshot!(name(lang, "home_discard_confirm"), h.screen());
    });
}

#[test]
fn new_visit() {
    both(|lang| {
        let mut h = fixture(lang);
        h.key("n");
        h.text("Appelboom").key("Tab").key("Tab").text("thuis");
        h.key("Alt-k")
            .text("Noor")
            .key("Enter")
            .text("5")
            .key("Enter");
        h.key("Alt-o").text("Lotte");
        insta::assert_snapshot!(name(lang, "new_visit_add_caregiver"), h.screen());
        h.key("Enter").text("moeder").key("Enter");
        insta::assert_snapshot!(name(lang, "new_visit_form"), h.screen());
        h.key("Esc").key("Tab");
        insta::assert_snapshot!(name(lang, "new_visit_leave"), h.screen());
    });
}

#[test]
fn item_kinds() {
    both(|lang| {
        let mut h = fixture(lang);
        start_appelboom(&mut h);
        insta::assert_snapshot!(name(lang, "item_yes_no_unknown"), h.screen());
        h.key("n").key("Tab");
        insta::assert_snapshot!(name(lang, "item_short_text"), h.screen());
        h.key("F3");
        insta::assert_snapshot!(name(lang, "popup_persons"), h.screen());
        // Noor's sheet: yes/no, then multi, scale, number, date.
        h.key("Down").key("Enter");
        h.key("j").key("Tab");
        h.key("2").key("Down");
        insta::assert_snapshot!(name(lang, "item_multi_choice"), h.screen());
        h.key("Tab").key("2");
        insta::assert_snapshot!(name(lang, "item_scale"), h.screen());
        // Enter takes the value; text that is no number stays, and says why.
        h.key("Tab").text("abc").key("Enter");
        insta::assert_snapshot!(name(lang, "item_number_invalid"), h.screen());
        h.keys(&["Backspace", "Backspace", "Backspace"])
            .text("18,5")
            .key("Tab")
            .text("2026-01-15");
        insta::assert_snapshot!(name(lang, "item_date"), h.screen());
        h.key("F2");
        insta::assert_snapshot!(name(lang, "popup_sections"), h.screen());
        h.key("Esc");
    });
}

#[test]
fn repeatable_section_and_flags() {
    both(|lang| {
        let mut h = fixture(lang);
        start_appelboom(&mut h);
        // Noor's sheet, section "afspraken".
        h.key("F3")
            .key("Down")
            .key("Enter")
            .key("F2")
            .key("Down")
            .key("Enter");
        insta::assert_snapshot!(name(lang, "repeat_add_entry"), h.screen());
        h.key("Enter")
            .text("Lotte")
            .key("Tab")
            .key("j")
            .key("Tab")
            .text("nu")
            .key("Tab");
        insta::assert_snapshot!(name(lang, "red_flag_panel"), h.screen());
        h.text("Met Lotte 112 gebeld").key("Enter");
        h.key("F4");
        insta::assert_snapshot!(name(lang, "popup_flags"), h.screen());
        h.key("Esc").key("F1");
        insta::assert_snapshot!(name(lang, "help"), h.screen());
    });
}

#[test]
fn review() {
    both(|lang| {
        let mut h = fixture(lang);
        start_appelboom(&mut h);
        h.key("n");
        h.key("F6");
        insta::assert_snapshot!(name(lang, "review_missing"), h.screen());
        h.key("Tab");
        insta::assert_snapshot!(name(lang, "review_scores"), h.screen());
        h.key("Tab");
        insta::assert_snapshot!(name(lang, "review_answers"), h.screen());
        h.key("Tab");
        insta::assert_snapshot!(name(lang, "review_flags"), h.screen());
        h.key("Alt-f");
        insta::assert_snapshot!(name(lang, "review_confirm"), h.screen());
    });
}

#[test]
fn overview_search_pane_and_quit() {
    both(|lang| {
        let mut h = fixture(lang);
        start_appelboom(&mut h);
        // On "Toelichting", a text field: Ctrl-G reaches the overview from it.
        h.key("n").key("Tab");
        h.key("Ctrl-g");
        insta::assert_snapshot!(name(lang, "overview"), h.screen());
        h.key("/").text("gesproken");
        insta::assert_snapshot!(name(lang, "overview_search"), h.screen());
        // Esc leaves the search field, Esc closes; Esc again backs out of
        // the question to the section pane.
        h.key("Esc").key("Esc").key("Esc");
        insta::assert_snapshot!(name(lang, "section_pane"), h.screen());
        // `q` outside a text field asks first.
        h.key("q");
        insta::assert_snapshot!(name(lang, "quit_confirm"), h.screen());
    });
}

#[test]
fn hidden_and_too_small() {
    both(|lang| {
        let mut h = fixture(lang);
        start_appelboom(&mut h);
        h.key("F12");
        insta::assert_snapshot!(name(lang, "hidden"), h.screen());
        h.key("Enter");
        insta::assert_snapshot!(name(lang, "unlock_after_hide"), h.screen());
        h.resize(58, 19);
        insta::assert_snapshot!(name(lang, "too_small"), h.screen());
    });
}

#[test]
fn visit_at_60x20_and_80x24() {
    both(|lang| {
        let mut h = fixture(lang);
        start_appelboom(&mut h);
        // Noor's sheet: a multiple choice question with a help text.
        h.key("F3").key("Down").key("Enter");
        h.key("j").key("Tab").key("2");
        for (w, hgt) in [(80, 24), (60, 20)] {
            h.resize(w, hgt);
            insta::assert_snapshot!(name(lang, &format!("visit_{w}x{hgt}")), h.screen());
        }
        // The key help, scrolled two pages down, at the compact size.
        h.key("F1").key("PageDown").key("PageDown");
        insta::assert_snapshot!(name(lang, "help_scrolled_60x20"), h.screen());
        h.key("Esc");
        h.resize(80, 24);
        h.key("F1").key("PageDown");
        insta::assert_snapshot!(name(lang, "help_scrolled_80x24"), h.screen());
    });
}

#[test]
fn roster_and_sheet_status() {
    both(|lang| {
        let mut h = fixture(lang);
        start_appelboom(&mut h);
        // The household during the visit; Mila (2), added, is outside both
        // age groups of the child list.
        h.key("Alt-g");
        h.key("Alt-k").text("Mila").key("Enter").text("2");
        insta::assert_snapshot!(name(lang, "roster_add_child"), h.screen());
        h.key("Enter");
        insta::assert_snapshot!(name(lang, "roster"), h.screen());
        // Removing asks why, then for the first letters of the name.
        h.keys(&["Down", "Down", "Down", "Down", "Down"])
            .key("Alt-d");
        h.text("Woont hier niet.").key("Enter");
        insta::assert_snapshot!(name(lang, "roster_remove_confirm"), h.screen());
        h.key("Esc").key("Esc").key("Esc");
        // Noor's list: not present, with a reason.
        h.key("F3").key("Down").key("Enter").key("Alt-a");
        h.key("Down").text("Noor is bij oma.");
        insta::assert_snapshot!(name(lang, "status_dialog"), h.screen());
        h.key("Enter").key("F3");
        insta::assert_snapshot!(name(lang, "popup_persons_status"), h.screen());
    });
}
