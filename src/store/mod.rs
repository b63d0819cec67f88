//! The vault: the only code that touches the data directory.
//!
//! Never writes anything sensitive in plaintext, never logs an answer.

pub mod checklist_folder;
pub mod paths;
