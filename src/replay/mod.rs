//! Replay: scripted, headless, deterministic sessions through the real app
//! (`tui::update` and `tui::view` on a ratatui `TestBackend`).

pub mod record;
pub mod run;
pub mod script;
