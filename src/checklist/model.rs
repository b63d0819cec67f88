//! The checklist as the rest of the program sees it: validated, with every
//! reference resolved to an index and every condition compiled.
//!
//! Pure data; never touches the file system.

use std::ops::Range;
use std::sync::Arc;

use crate::checklist::condition::{Expr, parse::Node};
use crate::i18n::Text;
pub use crate::visit::record::PreviousKind;

/// SHA-256 of a checklist file's exact bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(pub [u8; 32]);

impl ContentHash {
    /// Lower-case hexadecimal, as records and reports show it.
    pub fn to_hex(&self) -> String {
        use std::fmt::Write;
        self.0.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }
}

/// Where a checklist came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in the binary from `checklists/`.
    Bundled,
    /// Loaded from an organisation's folder or a file named on the command line.
    File(String),
}

/// To whom a checklist applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppliesTo {
    /// Filled in once per visit.
    Visit,
    /// Filled in for each child of the roster (in the child's age band).
    Child,
    /// Filled in for each caregiver of the roster.
    Caregiver,
}

impl AppliesTo {
    pub fn key(self) -> &'static str {
        match self {
            AppliesTo::Visit => "visit",
            AppliesTo::Child => "child",
            AppliesTo::Caregiver => "caregiver",
        }
    }
}

/// An age band of a per-child checklist, for example 3–6 or 7–17 years.
#[derive(Debug, Clone, PartialEq)]
pub struct AgeBand {
    pub id: String,
    pub min: u8,
    pub max: u8,
    pub label: Text,
}

/// A set of age bands as a bit mask; `AgeMask::ALL` when the author named none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeMask(pub u32);

impl AgeMask {
    pub const ALL: AgeMask = AgeMask(u32::MAX);

    /// Whether an element restricted to this mask is shown to a person in
    /// `band` (`None`: the checklist has no bands, or the person has no age).
    pub fn admits(self, band: Option<usize>) -> bool {
        match band {
            None => true,
            Some(b) => self.0 & (1 << b) != 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Repeat {
    /// What one entry is called ("Afspraak" / "Agreement").
    pub entry_label: Text,
    /// Most entries a worker may add.
    pub max_entries: u16,
    /// `Some`: entries made by the program, never added or removed by hand
    /// (`repeat = { per = … }`): one per roster member of a kind, or one
    /// per agreement, flag or scaling answer of the previous visit.
    pub per: Option<RepeatPer>,
}

/// What the entries of a section with `repeat = { per = … }` are made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RepeatPer {
    /// One entry per roster member of this kind (`child`, `caregiver`, `person`).
    Roster(RosterKind),
    /// One entry per agreement, flag or scaling answer of the previous
    /// visit (`agreement`, `flag`, `scaling`): a follow-up visit only.
    Previous(PreviousKind),
}

impl RepeatPer {
    /// Every value of `per`, as checklist files write it.
    pub const KEYS: [&'static str; 6] = [
        "child",
        "caregiver",
        "person",
        "agreement",
        "flag",
        "scaling",
    ];

    /// The value as checklist files write it.
    pub fn key(self) -> &'static str {
        match self {
            RepeatPer::Roster(k) => k.key(),
            RepeatPer::Previous(k) => k.key(),
        }
    }

    pub fn from_key(key: &str) -> Option<RepeatPer> {
        RosterKind::from_key(key)
            .map(RepeatPer::Roster)
            .or_else(|| PreviousKind::from_key(key).map(RepeatPer::Previous))
    }

    /// What an entry is called when the author gave no `entry_label`.
    pub fn default_label(self) -> Text {
        match self {
            RepeatPer::Roster(k) => k.default_label(),
            RepeatPer::Previous(PreviousKind::Agreement) => {
                Text::new("Vorige afspraak", "Previous agreement")
            }
            RepeatPer::Previous(PreviousKind::Flag) => {
                Text::new("Vorig signaal", "Previous warning sign")
            }
            RepeatPer::Previous(PreviousKind::Scaling) => {
                Text::new("Vorige schaalvraag", "Previous scaling question")
            }
        }
    }
}

/// Whom a roster-driven repeatable section has an entry for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RosterKind {
    /// Every child of the roster.
    Child,
    /// Every parent or caregiver of the roster.
    Caregiver,
    /// Everyone of the roster: the caregivers first, then the children.
    Person,
}

impl RosterKind {
    /// The kind as checklist files write it.
    pub fn key(self) -> &'static str {
        match self {
            RosterKind::Child => "child",
            RosterKind::Caregiver => "caregiver",
            RosterKind::Person => "person",
        }
    }

    pub fn from_key(key: &str) -> Option<RosterKind> {
        match key {
            "child" => Some(RosterKind::Child),
            "caregiver" => Some(RosterKind::Caregiver),
            "person" => Some(RosterKind::Person),
            _ => None,
        }
    }

    /// What an entry is called when the author gave no `entry_label`.
    pub fn default_label(self) -> Text {
        match self {
            RosterKind::Child => Text::new("Kind", "Child"),
            RosterKind::Caregiver => Text::new("Ouder of verzorger", "Parent or caregiver"),
            RosterKind::Person => Text::new("Gezinslid", "Family member"),
        }
    }
}

impl Repeat {
    /// Whether the entries come from the roster (one per person).
    pub fn from_roster(&self) -> bool {
        self.roster_kind().is_some()
    }

    /// Whether the entries come from the previous visit (a follow-up).
    pub fn from_previous(&self) -> bool {
        self.previous_kind().is_some()
    }

    /// Whether the entries are made by the program (from the roster or
    /// from the previous visit): the worker cannot add or remove them.
    pub fn entries_made(&self) -> bool {
        self.per.is_some()
    }

    /// The roster kind of a roster-driven section.
    pub fn roster_kind(&self) -> Option<RosterKind> {
        match self.per {
            Some(RepeatPer::Roster(k)) => Some(k),
            _ => None,
        }
    }

    /// The list of the previous visit a follow-up section is made from.
    pub fn previous_kind(&self) -> Option<PreviousKind> {
        match self.per {
            Some(RepeatPer::Previous(k)) => Some(k),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub title: Text,
    pub help: Option<Text>,
    pub show_if: Option<Condition>,
    pub age_bands: AgeMask,
    pub repeat: Option<Repeat>,
    /// The section's items, as a range of indices into `Checklist::items`.
    pub items: Range<usize>,
}

/// The kind of answer an item takes.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind {
    /// Options `ja` and `nee`.
    YesNo,
    /// Options `ja`, `nee` and `onbekend`.
    YesNoUnknown,
    /// One of the item's options.
    Single,
    /// Any number of the item's options.
    Multi,
    /// A whole number from `min` to `max`, with labels for the two ends.
    Scale {
        min: i64,
        max: i64,
        min_label: Text,
        max_label: Text,
    },
    ShortText {
        max_length: usize,
    },
    LongText {
        max_length: usize,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
        integer: bool,
        unit: Option<Text>,
    },
    /// A calendar date, `YYYY-MM-DD`.
    Date,
}

impl ItemKind {
    /// The kind's name as written in checklist files.
    pub fn key(&self) -> &'static str {
        match self {
            ItemKind::YesNo => "yes_no",
            ItemKind::YesNoUnknown => "yes_no_unknown",
            ItemKind::Single => "single_choice",
            ItemKind::Multi => "multi_choice",
            ItemKind::Scale { .. } => "scale",
            ItemKind::ShortText { .. } => "short_text",
            ItemKind::LongText { .. } => "long_text",
            ItemKind::Number { .. } => "number",
            ItemKind::Date => "date",
        }
    }

    /// Yes/no, yes/no/unknown and single choice: the answer is one option.
    pub fn is_single_option(&self) -> bool {
        matches!(
            self,
            ItemKind::YesNo | ItemKind::YesNoUnknown | ItemKind::Single
        )
    }

    pub fn is_text(&self) -> bool {
        matches!(self, ItemKind::ShortText { .. } | ItemKind::LongText { .. })
    }
}

/// An option of a choice item (yes/no items get theirs implicitly).
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceOption {
    pub id: String,
    pub label: Text,
    pub points: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    /// Index of the section that holds this item.
    pub section: usize,
    pub kind: ItemKind,
    pub text: Text,
    /// Wording per age band (index into `Checklist::age_bands`), overriding `text`.
    pub band_text: Vec<(usize, Text)>,
    pub help: Option<Text>,
    pub required: bool,
    pub show_if: Option<Condition>,
    pub age_bands: AgeMask,
    /// Options of yes/no, yes/no/unknown, single and multiple choice items.
    pub options: Vec<ChoiceOption>,
    /// Points per scale value (`max - min + 1` entries); empty for other kinds.
    pub scale_points: Vec<i64>,
    /// Red flags attached to this item (indices into `Checklist::red_flags`).
    pub red_flags: Vec<usize>,
}

impl Item {
    /// The wording for a person in `band`.
    pub fn text_for(&self, band: Option<usize>) -> &Text {
        band.and_then(|b| self.band_text.iter().find(|(i, _)| *i == b))
            .map_or(&self.text, |(_, t)| t)
    }

    /// Index of the option with this id.
    pub fn option_index(&self, id: &str) -> Option<usize> {
        self.options.iter().position(|o| o.id == id)
    }

    /// Whether answers to this item can count towards a score.
    pub fn has_points(&self) -> bool {
        match self.kind {
            ItemKind::Scale { .. } => true,
            ItemKind::YesNo | ItemKind::YesNoUnknown | ItemKind::Single | ItemKind::Multi => {
                self.options.iter().any(|o| o.points.is_some())
            }
            _ => false,
        }
    }
}

/// How urgent a red flag is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlagLevel {
    /// Immediate danger: act now (112, Veilig Thuis 0800-2000).
    Acute,
    /// Repeated or lasting unsafety.
    Structural,
    /// Worth attention and follow-up.
    Attention,
}

impl FlagLevel {
    pub fn key(self) -> &'static str {
        match self {
            FlagLevel::Acute => "acute",
            FlagLevel::Structural => "structural",
            FlagLevel::Attention => "attention",
        }
    }

    pub fn from_key(key: &str) -> Option<FlagLevel> {
        match key {
            "acute" => Some(FlagLevel::Acute),
            "structural" => Some(FlagLevel::Structural),
            "attention" => Some(FlagLevel::Attention),
            _ => None,
        }
    }

    pub fn label(self) -> Text {
        match self {
            FlagLevel::Acute => Text::new("acuut", "acute"),
            FlagLevel::Structural => Text::new("structureel", "structural"),
            FlagLevel::Attention => Text::new("aandacht", "attention"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RedFlag {
    pub id: String,
    /// The item the flag belongs to; `None` for a checklist-level flag.
    pub item: Option<usize>,
    pub when: Condition,
    pub level: FlagLevel,
    /// What is wrong.
    pub message: Text,
    /// What to do now.
    pub action: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreMethod {
    /// The sum of the points of the answered, visible items.
    Sum,
    /// The number of answered, visible items that scored more than zero points.
    Count,
}

#[derive(Debug, Clone)]
pub struct Band {
    pub id: String,
    pub from: i64,
    /// Inclusive upper bound; `None` for an open-ended last band.
    pub to: Option<i64>,
    /// The age band this band applies to; `None` for every person.
    pub age_band: Option<usize>,
    pub label: Text,
    pub meaning: Text,
}

impl Band {
    pub fn contains(&self, value: i64) -> bool {
        value >= self.from && self.to.is_none_or(|to| value <= to)
    }
}

#[derive(Debug, Clone)]
pub struct Score {
    pub id: String,
    pub title: Text,
    pub method: ScoreMethod,
    /// The items that count (indices into `Checklist::items`).
    pub items: Vec<usize>,
    pub bands: Vec<Band>,
    /// Lowest and highest value the items allow.
    pub range: (i64, i64),
}

impl Score {
    /// The band `value` falls in for a person in `age_band`.
    pub fn band_for(&self, value: i64, age_band: Option<usize>) -> Option<usize> {
        let specific = self.bands.iter().any(|b| b.age_band.is_some());
        self.bands.iter().position(|b| {
            (!specific || b.age_band == age_band || b.age_band.is_none()) && b.contains(value)
        })
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// `None`: the rule always holds (only allowed last).
    pub when: Option<Condition>,
    pub value: String,
    pub label: Text,
    pub meaning: Option<Text>,
}

/// A value derived from the answers by ordered rules: the first that holds wins.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: String,
    pub title: Text,
    pub rules: Vec<Rule>,
}

/// Where a condition sits, which decides what it may refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    SectionShowIf(usize),
    ItemShowIf(usize),
    Flag(usize),
    OutcomeRule(usize),
}

/// A condition: its text, where it stands in the file, and its compiled form.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The condition as the author wrote it (TOML escapes decoded).
    pub text: String,
    pub place: Place,
    /// Byte range of the TOML string value in the file.
    pub value_span: Range<usize>,
    pub(crate) ast: Option<Node>,
    pub expr: Expr,
}

/// A validated checklist, ready for visits.
#[derive(Debug, Clone)]
pub struct Checklist {
    pub id: String,
    pub version: u32,
    pub applies_to: AppliesTo,
    pub title: Text,
    pub description: Text,
    pub notice: Text,
    pub age_bands: Vec<AgeBand>,
    pub sections: Vec<Section>,
    pub items: Vec<Item>,
    pub red_flags: Vec<RedFlag>,
    pub scores: Vec<Score>,
    pub outcomes: Vec<Outcome>,
    pub hash: ContentHash,
    pub origin: Origin,
    /// The file name or path used in messages.
    pub path: String,
    /// The file's text, kept for located messages during resolution.
    pub(crate) source: Arc<str>,
    /// Byte ranges of the `id` and `version` values, for messages that
    /// point at the checklist as a whole.
    pub id_span: std::ops::Range<usize>,
    pub version_span: std::ops::Range<usize>,
    /// Ids of other checklists this one refers to; `ItemRef::checklist`
    /// indexes into this list.
    pub foreign: Vec<String>,
    /// Derivation rank: higher than every checklist this one refers to.
    pub rank: u32,
    /// Sections and items in an order where everything a `show_if` depends on
    /// comes first.
    pub eval_order: Vec<VisNode>,
    /// Items of this checklist that a condition refers to with
    /// `previous(item)`, by index: their closed answers are kept in the
    /// case card for the next visit.
    pub previous_items: Vec<usize>,
}

/// A node of the visibility graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisNode {
    Section(usize),
    Item(usize),
}

impl Checklist {
    pub fn item_index(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|i| i.id == id)
    }

    pub fn section_index(&self, id: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.id == id)
    }

    /// The age band a child of `age` falls in; `None` if the checklist has no
    /// bands or the age is outside them all.
    pub fn age_band_for(&self, age: u8) -> Option<usize> {
        self.age_bands
            .iter()
            .position(|b| (b.min..=b.max).contains(&age))
    }

    /// Whether a child of `age` gets this checklist at all.
    pub fn admits_age(&self, age: u8) -> bool {
        self.age_bands.is_empty() || self.age_band_for(age).is_some()
    }

    /// Whether the item sits in a repeatable section.
    pub fn in_repeat(&self, item: usize) -> bool {
        self.sections[self.items[item].section].repeat.is_some()
    }
}
