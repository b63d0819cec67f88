//! How the app stops and redraws, through the real `update` and the shell:
//! a stop signal (SIGTERM, SIGHUP, SIGINT arrive as `Event::Terminate`)
//! saves what was typed a moment ago, drops the identity and quits;
//! quick-hide, lock and Ctrl-L clear the whole terminal before the next
//! frame.

mod tui_support;

use safevisit::i18n::Lang;
use safevisit::tui::app::update;
use safevisit::tui::event::{Event, Key};
use safevisit::tui::shell::VaultPort;
use tui_support::{Harness, PASSPHRASE, start_appelboom};

fn fixture() -> Harness {
    Harness::unlocked_fixture()
}

fn effect_names(effects: &[safevisit::tui::event::Effect]) -> Vec<String> {
    effects.iter().map(|e| format!("{e:?}")).collect()
}

#[test]
fn a_stop_signal_saves_what_was_just_typed_and_quits_locked() {
    let mut h = fixture();
    start_appelboom(&mut h);
    h.key("n").key("Tab").text("Sem logeert bij opa");
    let saves = h.shell.port.saves;
    // No tick: the half-second autosave has not run.
    h.shell.handle(Event::Terminate);
    assert_eq!(h.shell.port.saves, saves + 1, "the stop saved the draft");
    assert!(h.shell.state.quitting);
    assert!(!h.shell.state.unlocked, "the identity was dropped");
    let (rec, _) = h.shell.port.records().next().expect("a draft");
    let json = serde_json::to_string(rec).unwrap();
    assert!(
        json.contains("Sem logeert bij opa"),
        "the last keystrokes are in the draft"
    );
    // Nothing after the stop reaches the vault.
    let listed = h.shell.port.list();
    assert!(listed.is_err(), "the vault is locked");
}

#[test]
fn a_stop_signal_on_a_locked_app_just_quits() {
    let mut h = Harness::locked(Lang::Nl);
    let effects = update(&mut h.shell.state, Event::Terminate);
    assert_eq!(effect_names(&effects), ["Quit"]);
    assert!(h.shell.state.quitting);
}

#[test]
fn hide_lock_and_ctrl_l_clear_the_whole_terminal() {
    let mut h = fixture();
    start_appelboom(&mut h);
    for key in [Key::Ctrl('l'), Key::F(8)] {
        let effects = update(&mut h.shell.state, Event::Key(key));
        assert!(
            effect_names(&effects).iter().any(|e| e == "ClearScreen"),
            "{key:?}: {:?}",
            effect_names(&effects)
        );
    }
    // Unlock again, then quick-hide with the chord that types nothing.
    h.text(PASSPHRASE).key("Enter");
    assert!(h.has("Appelboom"), "{}", h.screen());
    let effects = update(&mut h.shell.state, Event::Key(Key::Ctrl(' ')));
    assert!(effect_names(&effects).iter().any(|e| e == "ClearScreen"));
    assert!(h.shell.state.hidden);
    // Waking the hidden screen clears again before the lock screen.
    let effects = update(&mut h.shell.state, Event::Key(Key::Enter));
    assert!(effect_names(&effects).iter().any(|e| e == "ClearScreen"));
}
