//! The parts of a visit's JSON document (docs/FORMATS.md, "Visit JSON")
//! that the report shows: red flags with what was done, scores, outcomes
//! and the roster. Everything else in the document is skipped unread.

use serde::Deserialize;

use crate::i18n::Lang;

/// A text in both languages.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Both {
    #[serde(default)]
    pub nl: String,
    #[serde(default)]
    pub en: String,
}

impl Both {
    pub fn pick(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl if !self.nl.is_empty() => &self.nl,
            Lang::En if !self.en.is_empty() => &self.en,
            _ if !self.nl.is_empty() => &self.nl,
            _ => &self.en,
        }
    }
}

/// Whom an entry is about: the visit, or a child or caregiver by alias.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Person {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub alias: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Flag {
    #[serde(default)]
    pub checklist: String,
    #[serde(default)]
    pub flag: String,
    /// `acute`, `structural` or `attention`.
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub message: Both,
    #[serde(default)]
    pub person: Person,
    #[serde(default)]
    pub raised_at: String,
    #[serde(default)]
    pub acknowledged_at: Option<String>,
    /// What the worker did (written before the flag could be closed).
    #[serde(default)]
    pub action_taken: String,
    /// `active`, `lapsed` or `withdrawn`.
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub state_changed_at: Option<String>,
    #[serde(default)]
    pub withdrawn_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Score {
    #[serde(default)]
    pub checklist: String,
    #[serde(default)]
    pub score: String,
    #[serde(default)]
    pub title: Both,
    #[serde(default)]
    pub person: Person,
    #[serde(default)]
    pub value: i64,
    #[serde(default)]
    pub band: Option<String>,
    #[serde(default)]
    pub band_label: Option<Both>,
    #[serde(default)]
    pub answered: u32,
    #[serde(default)]
    pub visible: u32,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Outcome {
    #[serde(default)]
    pub checklist: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub title: Both,
    #[serde(default)]
    pub person: Person,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub label: Option<Both>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Child {
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub alias: String,
    #[serde(default)]
    pub age: i64,
    #[serde(default)]
    pub removed: bool,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Caregiver {
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub alias: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub removed: bool,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Roster {
    #[serde(default)]
    pub children: Vec<Child>,
    #[serde(default)]
    pub caregivers: Vec<Caregiver>,
}

/// What the report reads of a visit's document.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct VisitDoc {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub finalized_at: Option<String>,
    #[serde(default)]
    pub red_flags: Vec<Flag>,
    #[serde(default)]
    pub scores: Vec<Score>,
    #[serde(default)]
    pub outcomes: Vec<Outcome>,
    #[serde(default)]
    pub roster: Roster,
}

impl VisitDoc {
    /// The document, or `None` when it is not a visit document (the page
    /// then says so rather than failing the import).
    pub fn parse(bytes: &[u8]) -> Option<VisitDoc> {
        serde_json::from_slice(bytes).ok()
    }

    /// A child's age, from this visit's roster.
    pub fn age(&self, kind: &str, id: i64) -> Option<u8> {
        if kind != "child" {
            return None;
        }
        self.roster
            .children
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| u8::try_from(c.age).ok())
    }

    /// The alias of a child or caregiver, from this visit's roster.
    pub fn alias(&self, kind: &str, id: i64) -> Option<&str> {
        match kind {
            "child" => self
                .roster
                .children
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.alias.as_str()),
            "caregiver" => self
                .roster
                .caregivers
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.alias.as_str()),
            _ => None,
        }
    }
}
