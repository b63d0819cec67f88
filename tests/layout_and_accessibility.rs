//! The layout uses the window and stays usable down to 60×20; the real
//! terminal cursor sits on the focused item on every screen (screen readers
//! and braille displays follow it); colours come only from the 16 ANSI
//! colours, so the terminal's own (high-contrast) theme applies.

mod tui_support;

use ratatui::style::Color;
use safevisit::i18n::Lang;
use safevisit::tui::memory_vault::MemoryVault;
use safevisit::tui::theme::Theme;
use tui_support::{Harness, PASSPHRASE, start_appelboom};

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

/// The screen row the terminal cursor is on, and its column; panics when
/// the cursor is hidden.
fn cursor(h: &Harness) -> (String, u16) {
    let b = h.shell.terminal.backend();
    assert!(
        b.cursor_visible(),
        "the cursor is hidden on:\n{}",
        h.screen()
    );
    let p = b.cursor_position();
    let row = h
        .screen()
        .lines()
        .nth(p.y as usize)
        .unwrap_or("")
        .to_string();
    (row, p.x)
}

/// The text of the cursor's row from the cursor on.
fn at_cursor(h: &Harness) -> String {
    let (row, x) = cursor(h);
    row.chars().skip(x as usize).collect()
}

/// An unlocked app with a new visit started on the one checklist `toml`.
fn visit_of(toml: &str) -> Harness {
    use safevisit::checklist::model::Origin;
    use safevisit::checklist::{Catalog, SourceFile};
    let cat = Catalog::build(
        Vec::new(),
        vec![SourceFile {
            path: "lang.toml".into(),
            bytes: toml.as_bytes().to_vec(),
            origin: Origin::File("lang.toml".into()),
        }],
    );
    assert!(cat.problems.is_empty(), "{:?}", cat.problems);
    let mut h = Harness::with_catalog(
        Lang::Nl,
        MemoryVault::with_passphrase(PASSPHRASE),
        true,
        cat,
    );
    h.unlock();
    h.key("n").text("Kersenboom");
    for _ in 0..20 {
        h.key("Down");
    }
    h.key("Enter");
    h
}

fn ansi16(c: Color) -> bool {
    !matches!(c, Color::Rgb(..) | Color::Indexed(_))
}

#[test]
fn the_theme_uses_only_the_16_ansi_colours() {
    for no_color in [false, true] {
        let t = Theme::from_no_color(no_color);
        let styles = [
            t.normal(),
            t.title(),
            t.dim(),
            t.selected(),
            t.key(),
            t.ok(),
            t.warn(),
            t.error(),
            t.acute(),
            t.flag_border(),
            t.required(),
            t.gauge(),
        ];
        for s in styles {
            for c in [s.fg, s.bg, s.underline_color].into_iter().flatten() {
                assert!(ansi16(c), "{c:?} is not one of the 16 ANSI colours");
                assert!(!no_color, "NO_COLOR still paints {c:?}");
            }
        }
    }
}

#[test]
fn every_screen_draws_with_the_16_ansi_colours_only() {
    let mut h = Harness::with_catalog(
        Lang::Nl,
        MemoryVault::with_passphrase(PASSPHRASE),
        true,
        Harness::fixture_catalog(),
    );
    h.shell.state.theme = Theme::from_no_color(false);
    let mut screens = 0;
    let mut coloured = 0;
    let mut check = |h: &mut Harness, what: &str| {
        h.shell.draw().unwrap();
        let buf = h.shell.terminal.backend().buffer();
        for cell in buf.content() {
            for c in [cell.fg, cell.bg, cell.underline_color] {
                assert!(ansi16(c), "{what}: {c:?} is not an ANSI colour");
                if c != Color::Reset {
                    coloured += 1;
                }
            }
        }
        screens += 1;
    };
    check(&mut h, "unlock");
    h.unlock();
    check(&mut h, "home");
    start_appelboom(&mut h);
    check(&mut h, "visit");
    for k in [
        "F1", "Esc", "F2", "Esc", "F3", "Esc", "F4", "Esc", "F6", "Alt-f",
    ] {
        h.key(k);
        check(&mut h, k);
    }
    // Noor's sheet: a red flag panel.
    h.keys(&[
        "Esc", "Esc", "F3", "Down", "Enter", "F2", "Down", "Enter", "Enter",
    ]);
    h.text("Lotte")
        .keys(&["Tab", "j", "Tab"])
        .text("nu")
        .key("Tab");
    assert!(h.has("RODE VLAG"), "{}", h.screen());
    check(&mut h, "flag panel");
    h.resize(60, 20);
    check(&mut h, "flag panel 60×20");
    assert!(screens >= 14);
    assert!(coloured > 0, "the colour theme painted nothing");
}

#[test]
fn the_cursor_sits_on_the_focused_item_on_every_screen() {
    for (w, hgt) in [(80, 24), (60, 20)] {
        let mut h = Harness::locked(Lang::Nl);
        h.resize(w, hgt);
        // Unlock: in the passphrase field, after what was typed (dots).
        h.text("abc");
        let (row, x) = cursor(&h);
        assert!(row.contains("│•••"), "{row}");
        assert_eq!(row.chars().nth(x as usize - 1), Some('•'), "{row}");
        let mut h = fixture(Lang::Nl);
        h.resize(w, hgt);
        // Home: on the list.
        let (row, _) = cursor(&h);
        assert!(row.contains("Concepten"), "{row}");
        // New visit: in the name field, after what was typed.
        h.key("n").text("Appel");
        let (row, x) = cursor(&h);
        assert!(row.contains("▶ Naam voor de lijst"), "{row}");
        assert_eq!(row.chars().nth(x as usize - 1), Some('l'), "{row}");
        h.key("Down");
        assert!(cursor(&h).0.contains("▶ Datum"), "{}", h.screen());
        h.key("Esc").key("Tab").key("Enter");
        start_appelboom(&mut h);
        // Home again after F10 has the draft: the cursor on its row.
        h.key("F10");
        let (row, _) = cursor(&h);
        assert!(row.contains("▶") && row.contains("Appelboom"), "{row}");
        h.key("Enter");
        // A yes/no question: on the first option, then on the chosen one.
        assert!(at_cursor(&h).contains("( ) 1 Ja"), "{}", h.screen());
        h.key("2");
        assert!(at_cursor(&h).contains("(•) 2 Nee"), "{}", h.screen());
        // A text field: at the insertion point.
        h.key("Tab").text("thuis");
        let (row, x) = cursor(&h);
        assert!(row.contains("thuis"), "{row}");
        assert_eq!(
            row.chars().skip(x as usize - 5).take(5).collect::<String>(),
            "thuis"
        );
        // Pop-ups: on the selected row.
        h.key("F3");
        assert!(at_cursor(&h).starts_with("▶ Bezoek"), "{}", h.screen());
        h.key("Down");
        assert!(at_cursor(&h).starts_with("▶ Noor"), "{}", h.screen());
        h.key("Enter");
        // Multiple choice: on the highlighted option.
        h.key("j").key("Tab").key("Down");
        let (row, _) = cursor(&h);
        assert!(row.contains("▶[ ] 2 Boos"), "{}", h.screen());
        assert!(at_cursor(&h).starts_with("[ ] 2 Boos"), "{}", h.screen());
        // A scale: on the value.
        h.key("Tab").key("2");
        assert!(at_cursor(&h).starts_with("[2]"), "{}", h.screen());
        h.key("F2");
        assert!(at_cursor(&h).starts_with("▶ Basis"), "{}", h.screen());
        h.key("Esc");
        // The key help: at its first line.
        h.key("F1");
        assert!(at_cursor(&h).starts_with("F12"), "{}", h.screen());
        h.key("Esc");
        // The review: on the selected open item.
        h.key("F6");
        assert!(at_cursor(&h).starts_with("▶"), "{}", h.screen());
        // The finalize dialog: in the field for the typed letters.
        h.key("Alt-f").text("Ap");
        let (row, x) = cursor(&h);
        assert_eq!(row.chars().nth(x as usize - 1), Some('p'), "{row}");
        // Hidden: no cursor at all.
        h.key("F12");
        assert!(!h.shell.terminal.backend().cursor_visible());
    }
}

#[test]
fn below_80x24_the_visit_is_one_pane_with_the_section_in_the_header() {
    let mut h = fixture(Lang::Nl);
    start_appelboom(&mut h);
    h.key("F3").key("Down").key("Enter");
    assert!(h.has("┌ Noor (5) "), "{}", h.screen());
    h.resize(60, 20);
    let screen = h.screen();
    assert!(
        !screen.contains("┌ Noor (5) "),
        "no section pane:\n{screen}"
    );
    let header = screen.lines().nth(1).unwrap();
    assert!(
        header.starts_with(" Noor (5) · ") && header.contains("· Basis"),
        "whose sheet and which section:\n{screen}"
    );
    assert!(screen.contains("Vraag 1 van 5"), "{screen}");
    // Answering still works in the compact layout.
    h.key("j");
    assert!(h.has("(•) 1 Ja"), "{}", h.screen());
    // One column or row less than 60×20: the refusal, with the size needed.
    h.resize(59, 20);
    assert!(h.has("minstens 60×20"), "{}", h.screen());
    h.resize(60, 19);
    assert!(h.has("minstens 60×20"), "{}", h.screen());
    h.resize(80, 24);
    assert!(h.has("┌ Noor (5) "), "{}", h.screen());
}

#[test]
fn the_section_pane_grows_with_the_window() {
    let mut h = fixture(Lang::Nl);
    start_appelboom(&mut h);
    let pane = |h: &Harness| {
        let s = h.screen();
        let row = s.lines().nth(2).unwrap().to_string();
        // The pane's top border runs up to its corner.
        row.chars().position(|c| c == '┐').unwrap() + 1
    };
    assert_eq!(pane(&h), 30);
    h.resize(120, 30);
    assert_eq!(pane(&h), 40);
    h.resize(200, 40);
    assert_eq!(pane(&h), 50);
}

/// Every entry of the key help can be scrolled into view whole: all its
/// words on screen, in order, at 60×20 and 80×24.
#[test]
fn the_key_help_is_complete_at_60x20_and_80x24() {
    for (w, hgt) in [(60, 20), (80, 24)] {
        for lang in [Lang::Nl, Lang::En] {
            let mut h = fixture(lang);
            start_appelboom(&mut h);
            h.resize(w, hgt);
            h.key("F1");
            let entries = safevisit::tui::keys::help(h.shell.state.ctx(), lang);
            let mut seen = String::new();
            for _ in 0..entries.len() + 2 {
                seen.push_str(&h.screen());
                h.key("Down");
            }
            assert!(h.shell.state.help, "↓ scrolls, it does not close");
            // Joined over the help's lines, a wrapped label reads whole.
            let words: Vec<&str> = seen
                .lines()
                .filter_map(|l| {
                    l.strip_prefix('│')
                        .or_else(|| l.split_once('│').map(|x| x.1))
                })
                .flat_map(|l| l.trim_end_matches('│').split_whitespace())
                .collect();
            let joined = words.join(" ");
            for (k, label) in &entries {
                let want = format!(
                    "{} {}",
                    k.split_whitespace().collect::<Vec<_>>().join(" "),
                    label.split_whitespace().collect::<Vec<_>>().join(" ")
                );
                assert!(
                    joined.contains(&want),
                    "{w}×{hgt} {lang:?}: “{want}” is not whole in the help:\n{seen}"
                );
            }
            // End reaches the last entry; Home the first.
            h.key("End");
            let last = entries.last().unwrap();
            assert!(h.has(&last.0), "{}", h.screen());
            h.key("Home");
            assert!(h.has(&entries[0].0), "{}", h.screen());
            h.key("PageDown").key("PageUp");
            assert!(h.has(&entries[0].0), "{}", h.screen());
        }
    }
}

#[test]
fn long_options_wrap_instead_of_being_cut() {
    let toml = r#"
format = 1
id = "lang"
version = 1
applies_to = "visit"
title = { nl = "Lange opties", en = "Long options" }
description = { nl = "Testlijst.", en = "Test checklist." }
notice = { nl = "Beslisondersteuning, geen besluit.", en = "Decision support, not a decision." }

[[sections]]
id = "a"
title = { nl = "Een sectie met een heel lange titel die niet past", en = "A section" }

[[sections.items]]
id = "keuze"
kind = "single_choice"
text = { nl = "Welke situatie past het best bij wat u vandaag in dit gezin heeft gezien en gehoord?", en = "Which?" }
options = [
  { id = "een", nl = "Er is vandaag niets gezien of gehoord dat op direct gevaar voor een van de kinderen wijst", en = "One" },
  { id = "twee", nl = "Er zijn zorgen over de veiligheid thuis, maar nog geen direct gevaar voor de kinderen", en = "Two" },
]
"#;
    let mut h = visit_of(toml);
    for (w, hgt) in [(80, 24), (60, 20)] {
        h.resize(w, hgt);
        let words: Vec<String> = h
            .screen()
            .lines()
            .flat_map(|l| {
                // The question's pane only (right of the section pane).
                let l = l.rsplit_once("││").map_or(l, |x| x.1);
                l.replace('│', " ")
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        let joined = words.join(" ");
        for whole in [
            "Welke situatie past het best bij wat u vandaag in dit gezin heeft gezien en gehoord?",
            "1 Er is vandaag niets gezien of gehoord dat op direct gevaar voor een van de kinderen wijst",
            "2 Er zijn zorgen over de veiligheid thuis, maar nog geen direct gevaar voor de kinderen",
        ] {
            assert!(
                joined.contains(whole),
                "{w}×{hgt}: cut option:\n{}",
                h.screen()
            );
        }
    }
}

#[test]
fn the_text_box_grows_with_the_window() {
    let toml = r#"
format = 1
id = "lang"
version = 1
applies_to = "visit"
title = { nl = "Lange tekst", en = "Long text" }
description = { nl = "Testlijst.", en = "Test checklist." }
notice = { nl = "Beslisondersteuning, geen besluit.", en = "Decision support, not a decision." }

[[sections]]
id = "a"
title = { nl = "Zorgen", en = "Worries" }

[[sections.items]]
id = "zorgen"
kind = "long_text"
text = { nl = "Zorgen: wat is er gebeurd, en waar zijn we bang voor?", en = "Worries?" }
help = { nl = "Schrijf in de woorden van het gezin.", en = "In the family's words." }
"#;
    let mut h = visit_of(toml);
    h.text("Iris vertelt het.")
        .key("Enter")
        .text("Tweede regel");
    // The rows between the text box's top and bottom border.
    let box_rows = |h: &Harness| {
        let s = h.screen();
        let lines: Vec<&str> = s.lines().collect();
        let top = lines.iter().position(|l| l.contains("┌ Antwoord")).unwrap();
        let bottom = (top + 1..lines.len())
            .find(|&i| lines[i].contains("└──"))
            .unwrap();
        bottom - top - 1
    };
    let mut last = 0;
    for (w, hgt) in [(60, 20), (80, 24), (100, 36)] {
        h.resize(w, hgt);
        let rows = box_rows(&h);
        assert!(rows >= 5, "{w}×{hgt}: {rows} rows:\n{}", h.screen());
        assert!(
            rows > last,
            "{w}×{hgt}: the box did not grow:\n{}",
            h.screen()
        );
        // The help under it stays on screen.
        assert!(
            h.has("Schrijf in de woorden van het gezin."),
            "{}",
            h.screen()
        );
        // The cursor at the insertion point, after "Tweede regel".
        let (row, x) = cursor(&h);
        assert!(row.contains("Tweede regel"), "{row}");
        let before: String = row.chars().take(x as usize).collect();
        assert!(before.ends_with("Tweede regel"), "{row}");
        last = rows;
    }
}

/// At 60×20 every screen shows what is needed to go on: its field, its
/// buttons, the keys that leave it.
#[test]
fn every_screen_is_usable_at_60x20() {
    let small = |h: &mut Harness| {
        h.resize(60, 20);
    };
    let mut h = Harness::first_run(Lang::Nl);
    small(&mut h);
    // The welcome text scrolls and says how to begin.
    assert!(h.has("Enter: beginnen"), "{}", h.screen());
    assert!(!h.has("Druk op Enter om te beginnen."), "{}", h.screen());
    h.key("End");
    assert!(h.has("Druk op Enter om te beginnen."), "{}", h.screen());
    h.key("Enter");
    assert!(h.has("┌ Sleutel of bestand"), "{}", h.screen());
    let mut h = Harness::locked(Lang::Nl);
    small(&mut h);
    assert!(
        h.has("┌ Wachtwoord") && h.has("Enter: ontgrendelen"),
        "{}",
        h.screen()
    );
    h.unlock();
    assert!(
        h.has("beginnen."),
        "the empty list's hint wraps:\n{}",
        h.screen()
    );
    h.key("n");
    assert!(h.has("[ Bezoek starten ]"), "{}", h.screen());
    h.text("Kersenboom").key("Esc");
    assert!(
        h.has("[ Weggooien ]") && h.has("formulier"),
        "{}",
        h.screen()
    );
    h.key("Esc").key("Alt-k");
    assert!(
        h.has("┌ Leeftijd (0–17)") && h.has("Esc: annuleren"),
        "{}",
        h.screen()
    );
    h.key("Esc");
    let mut h = Harness::with_catalog(
        Lang::Nl,
        MemoryVault::with_passphrase(PASSPHRASE),
        true,
        Harness::fixture_catalog(),
    );
    small(&mut h);
    h.unlock();
    start_appelboom(&mut h);
    h.keys(&[
        "F3", "Down", "Enter", "F2", "Down", "Down", "Enter", "Enter",
    ]);
    h.text("Lotte")
        .keys(&["Tab", "j", "Tab"])
        .text("nu")
        .key("Tab");
    assert!(
        h.has("RODE VLAG") && h.has("┌ Wat heeft u gedaan?") && h.has("Enter: bevestigen"),
        "{}",
        h.screen()
    );
    h.text("112 gebeld").key("Enter");
    h.key("F4");
    assert!(h.has("[acuut] Nu!"), "{}", h.screen());
    h.key("Esc").key("F10").key("e");
    assert!(h.has("┌ Pad"), "{}", h.screen());
    h.key("Esc").key("Delete");
    assert!(h.has("Typ Appe") && h.has("Esc: terug"), "{}", h.screen());
    h.key("Esc").key("Enter").key("F6");
    assert!(h.has("Alt-f of F9"), "{}", h.screen());
    h.key("Alt-f");
    assert!(h.has("Typ Appe") && h.has("Esc: terug"), "{}", h.screen());
}
