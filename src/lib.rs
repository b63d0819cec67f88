//! safevisit: guided, encrypted home-visit checklists for youth care.
//!
//! The pure core (`checklist`, `visit`) knows nothing of terminals, files or
//! keys; the shell (`commands`, `store`, and the modules that follow) does
//! the I/O. `cli` holds the command-line definitions.

pub mod cards;
pub mod case;
pub mod checklist;
pub mod cli;
pub mod commands;
pub mod export;
pub mod handover;
pub mod harden;
pub mod i18n;
pub mod input;
pub mod receipt;
pub mod replay;
pub mod sealed;
pub mod signing;
pub mod store;
pub mod supervisor;
pub mod tui;
pub mod visit;
