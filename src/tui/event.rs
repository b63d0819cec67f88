//! What goes into `update` (events) and what comes out (effects).
//!
//! Events are already filtered at the edge: a key press, a paste, a resize,
//! a clock tick, or the reply to an effect. `update` never sees a platform
//! quirk, and never performs an effect itself.

use std::fmt;
use std::path::PathBuf;

use secrecy::SecretString;
use time::PrimitiveDateTime;

use crate::case::{CaseCard, CaseSummary, Due, sort_by_due};
use crate::i18n::Text;
use crate::visit::record::VisitRecord;

/// A key press, independent of the terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Alt(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Backspace,
    Delete,
    F(u8),
}

impl Key {
    /// The key as the footer and the replay scripts name it.
    pub fn name(self) -> String {
        match self {
            Key::Char(' ') => "Space".into(),
            Key::Ctrl(' ') => "Ctrl-Space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{c}"),
            Key::Alt(c) => format!("Alt-{c}"),
            Key::Enter => "Enter".into(),
            Key::Esc => "Esc".into(),
            Key::Tab => "Tab".into(),
            Key::BackTab => "BackTab".into(),
            Key::Up => "Up".into(),
            Key::Down => "Down".into(),
            Key::Left => "Left".into(),
            Key::Right => "Right".into(),
            Key::PageUp => "PageUp".into(),
            Key::PageDown => "PageDown".into(),
            Key::Home => "Home".into(),
            Key::End => "End".into(),
            Key::Backspace => "Backspace".into(),
            Key::Delete => "Delete".into(),
            Key::F(n) => format!("F{n}"),
        }
    }

    /// Every key name `parse` knows, in groups (heading, names). Characters
    /// are named by themselves (`a`, `7`, `?`), except the space.
    pub fn known_names() -> Vec<(&'static str, Vec<String>)> {
        let named = [
            Key::Enter,
            Key::Esc,
            Key::Tab,
            Key::BackTab,
            Key::Up,
            Key::Down,
            Key::Left,
            Key::Right,
            Key::PageUp,
            Key::PageDown,
            Key::Home,
            Key::End,
            Key::Backspace,
            Key::Delete,
            Key::Char(' '),
        ];
        let letters = || ('a'..='z').chain('0'..='9');
        vec![
            ("named keys", named.iter().map(|k| k.name()).collect()),
            (
                "function keys",
                (1..=12).map(|n| Key::F(n).name()).collect(),
            ),
            (
                "with Ctrl (a letter or digit; Ctrl-X is read as Ctrl-x)",
                std::iter::once(Key::Ctrl(' ').name())
                    .chain(letters().map(|c| Key::Ctrl(c).name()))
                    .collect(),
            ),
            (
                "with Alt (any one character, for example Alt-? and Alt-K)",
                letters().map(|c| Key::Alt(c).name()).collect(),
            ),
            (
                "characters (any one character is its own name)",
                ('a'..='z')
                    .chain('A'..='Z')
                    .chain('0'..='9')
                    .chain("?/.,-+()[]:;!'".chars())
                    .map(|c| Key::Char(c).name())
                    .collect(),
            ),
        ]
    }

    /// Parse a key name as `name` writes it (`Enter`, `F12`, `Ctrl-x`, `a`, `Space`).
    pub fn parse(name: &str) -> Option<Key> {
        let named = match name {
            "Enter" => Key::Enter,
            "Esc" => Key::Esc,
            "Tab" => Key::Tab,
            "BackTab" => Key::BackTab,
            "Up" => Key::Up,
            "Down" => Key::Down,
            "Left" => Key::Left,
            "Right" => Key::Right,
            "PageUp" => Key::PageUp,
            "PageDown" => Key::PageDown,
            "Home" => Key::Home,
            "End" => Key::End,
            "Backspace" => Key::Backspace,
            "Delete" => Key::Delete,
            "Space" => Key::Char(' '),
            _ => {
                let single = |s: &str| {
                    let mut cs = s.chars();
                    match (cs.next(), cs.next()) {
                        (Some(c), None) => Some(c),
                        _ => None,
                    }
                };
                if name == "Ctrl-Space" {
                    return Some(Key::Ctrl(' '));
                }
                if let Some(rest) = name.strip_prefix("Ctrl-") {
                    return single(rest).map(|c| Key::Ctrl(c.to_ascii_lowercase()));
                }
                if let Some(rest) = name.strip_prefix("Alt-") {
                    return single(rest).map(Key::Alt);
                }
                if let Some(n) = name.strip_prefix('F').and_then(|n| n.parse::<u8>().ok()) {
                    return (1..=12).contains(&n).then_some(Key::F(n));
                }
                return single(name).map(Key::Char);
            }
        };
        Some(named)
    }
}

#[cfg(test)]
mod key_name_tests {
    use super::Key;

    #[test]
    fn every_listed_key_name_parses_back_to_its_key() {
        let groups = Key::known_names();
        assert_eq!(groups.len(), 5);
        for (_, names) in &groups {
            for name in names {
                let key = Key::parse(name).unwrap_or_else(|| panic!("{name} does not parse"));
                assert_eq!(&key.name(), name);
            }
        }
        assert!(groups[0].1.contains(&"Space".to_string()));
        assert!(groups[1].1.contains(&"F12".to_string()));
    }
}

/// An entry of the home screen's lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    pub id: String,
    /// `YYYY-MM-DD`
    pub date: String,
    pub label: String,
    pub status: ListStatus,
    pub sequence: Option<u64>,
    pub flags: u32,
    pub acute_flags: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStatus {
    Draft,
    Finalized,
    Exported,
}

/// An open case as the home screen lists it: its label and what is due
/// on the day it was listed (never an answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEntry {
    pub case_id: String,
    pub label: String,
    pub due: Due,
}

/// The open cases as the home screen lists them, seen on `today`: the next
/// due date first (`case::sort_by_due`).
pub fn case_entries(
    cases: impl IntoIterator<Item = CaseSummary>,
    today: time::Date,
    retention_days: u32,
) -> Vec<CaseEntry> {
    let mut due: Vec<(CaseSummary, Due)> = cases
        .into_iter()
        .map(|c| {
            let d = c.due(today, retention_days);
            (c, d)
        })
        .collect();
    sort_by_due(&mut due);
    due.into_iter()
        .map(|(c, due)| CaseEntry {
            case_id: c.case_id,
            label: c.label,
            due,
        })
        .collect()
}

/// What the home screen lists: the visits on this laptop, how many
/// arrived at the office and were deleted (a count, no label), and the
/// open cases.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Listing {
    pub entries: Vec<ListEntry>,
    pub arrived: u64,
    pub cases: Vec<CaseEntry>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportDone {
    /// The bundle written; `None` when there was nothing new to export.
    pub path: Option<PathBuf>,
    pub visits: usize,
}

/// Why unlocking failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnlockFailure {
    WrongPassphrase,
    Other(Text),
}

/// The reply to an effect, fed back into `update`.
#[derive(Debug, Clone)]
pub enum Reply {
    Initialized(Result<(), Text>),
    Unlocked(Result<Listing, UnlockFailure>),
    Listed(Result<Listing, Text>),
    Draft(Result<Box<VisitRecord>, Text>),
    Saved(Result<(), Text>),
    Discarded(Result<(), Text>),
    Finalized(Result<u64, Text>),
    Exported(Result<ExportDone, Text>),
    /// The lines of a recipients file, read for onboarding.
    RecipientsFile(Result<String, Text>),
    /// A receipt was applied: what it did (counts only), or why not.
    ReceiptApplied(Result<Text, Text>),
    /// Something the vault did on its own that the worker is told once
    /// (a signing key made at the first unlock of an older vault).
    Notice(Text),
    /// The card of a case (`None`: the case is closed, or unknown).
    Case(Result<Option<Box<CaseCard>>, Text>),
    /// A case was closed.
    CaseClosed(Result<(), Text>),
}

/// An input to `update`.
#[derive(Debug, Clone)]
pub enum Event {
    Key(Key),
    /// Text pasted in one go (bracketed paste).
    Paste(String),
    Resize(u16, u16),
    /// The process was told to stop (SIGTERM, SIGHUP, SIGINT), or the
    /// terminal failed: save what is open, drop the secrets, quit.
    Terminate,
    /// The clock moved on.
    Tick(PrimitiveDateTime),
    Reply(Reply),
}

/// Something `update` asks the shell to do.
pub enum Effect {
    Init {
        recipients: Vec<String>,
        /// The organisation's card, when one was given: its recipients are
        /// added and its signing key pinned.
        org_card: Option<crate::cards::OrgCard>,
        device_name: String,
        passphrase: SecretString,
    },
    Unlock(SecretString),
    /// Drop the unlocked identity from memory.
    Lock,
    List,
    LoadDraft(String),
    SaveDraft(Box<VisitRecord>),
    DiscardDraft(String),
    Finalize(Box<VisitRecord>),
    Export {
        out: Option<PathBuf>,
        all: bool,
        /// The creation time written into the bundle's manifest.
        now: PrimitiveDateTime,
    },
    ReadRecipientsFile(PathBuf),
    /// Apply the office's receipt in this file (verify, then delete the
    /// visits that arrived).
    ApplyReceipt(PathBuf),
    /// Read the card of an open case (the reply goes to the screen that asked).
    LoadCase(String),
    /// Close a case with a reason key of `case::CLOSE_REASONS`.
    CloseCase {
        case_id: String,
        reason: String,
        now: PrimitiveDateTime,
    },
    /// Clear the terminal and draw every cell anew: nothing drawn before
    /// (a previous run's answers, a hidden visit) may survive under the
    /// next screen.
    ClearScreen,
    Quit,
}

impl fmt::Debug for Effect {
    // Effects carry passphrases and answers: name them, never their contents.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Effect::Init { .. } => "Init",
            Effect::Unlock(_) => "Unlock",
            Effect::Lock => "Lock",
            Effect::List => "List",
            Effect::LoadDraft(_) => "LoadDraft",
            Effect::SaveDraft(_) => "SaveDraft",
            Effect::DiscardDraft(_) => "DiscardDraft",
            Effect::Finalize(_) => "Finalize",
            Effect::Export { .. } => "Export",
            Effect::ReadRecipientsFile(_) => "ReadRecipientsFile",
            Effect::ApplyReceipt(_) => "ApplyReceipt",
            Effect::LoadCase(_) => "LoadCase",
            Effect::CloseCase { .. } => "CloseCase",
            Effect::ClearScreen => "ClearScreen",
            Effect::Quit => "Quit",
        };
        f.write_str(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_round_trip() {
        for k in [
            Key::Char('a'),
            Key::Char(' '),
            Key::Ctrl('x'),
            Key::Alt('n'),
            Key::Enter,
            Key::BackTab,
            Key::F(1),
            Key::F(12),
            Key::PageDown,
        ] {
            assert_eq!(Key::parse(&k.name()), Some(k), "{}", k.name());
        }
        assert_eq!(Key::parse("F13"), None);
        assert_eq!(Key::parse("Ctrl-"), None);
        assert_eq!(Key::parse("Foo"), None);
    }
}
