//! The worker's app: an Elm-style terminal UI.
//!
//! `app::update(&mut State, Event) -> Vec<Effect>` decides what happens;
//! `view::view(&State, &mut Frame)` draws it; the `shell` carries out the
//! effects (vault, clock, terminal). The event source is a trait, so the same
//! app runs in a real terminal and headlessly in replays. Nothing in here
//! writes to disk or prints: answers leave only as effects for the vault.

pub mod app;
pub mod event;
pub mod keys;
pub mod memory_vault;
pub mod preview;
pub mod screens;
pub mod shell;
pub mod store_port;
pub mod theme;
pub mod view;
pub mod widgets;

pub use app::{State, update};
pub use event::{Effect, Event, Key, Reply};
pub use view::view;
