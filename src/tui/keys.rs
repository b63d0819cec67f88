//! The one table of key bindings. The key handlers ask it which action a key
//! means, and the footer and the help screen are drawn from it, so what the
//! screen says a key does is what it does.

use crate::i18n::Lang;
use crate::tui::event::Key;

/// Where the worker is, which decides what keys mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    Onboarding,
    Unlock,
    Hidden,
    Home,
    NewVisit,
    /// Yes/no, yes/no/unknown and single choice.
    Choice,
    Multi,
    Scale,
    /// Short and long text (letters type).
    Text,
    /// Numbers and dates (letters type).
    Field,
    /// The "add another entry" stop after a repeatable section.
    AddEntry,
    FlagPanel,
    /// The reason to withdraw a red flag as a mistake (letters type).
    FlagWithdraw,
    /// A list in a pop-up (sections, persons, flags).
    Popup,
    Review,
    Confirm,
    /// A small form in a pop-up (a path, a child's name and age): letters type.
    Prompt,
    /// The section pane has the focus: ↑/↓ choose a section, Enter goes there.
    Pane,
    /// The question overview ("ga naar vraag"), its list focused.
    Overview,
    /// The overview's search field (letters type).
    Search,
    /// "Stop safevisit?" (asked by `q`).
    QuitConfirm,
    /// The household during a visit (Alt-g): the list of people.
    Roster,
    /// A case, read-only (from the home screen's case list).
    Case,
    /// Reading back with the family, from a case (read only).
    ReadBack,
    /// Reading back with the family at the end of a visit (it can be marked).
    ReadBackVisit,
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Hide,
    Help,
    /// Clear the terminal and draw everything anew (Ctrl-L).
    Redraw,
    Language,
    Lock,
    Quit,
    NewVisit,
    Open,
    Export,
    /// Apply a receipt from the office (asks for its path).
    Receipt,
    Discard,
    Up,
    Down,
    Select,
    Cancel,
    Next,
    Prev,
    NextSection,
    PrevSection,
    Sections,
    Persons,
    Flags,
    OnlyMissing,
    Review,
    Home,
    AddEntry,
    RemoveEntry,
    Clear,
    Yes,
    No,
    Unknown,
    Digit,
    Toggle,
    Decrease,
    Increase,
    Finalize,
    NextTab,
    AddChild,
    AddCaregiver,
    Remove,
    Acknowledge,
    /// Withdraw a red flag as a mistake (asks the reason, then does it).
    Withdraw,
    /// Ask whether to stop (`q` outside text fields).
    AskQuit,
    /// The question overview ("ga naar vraag").
    Overview,
    /// Search questions and answers (opens the overview with its search field).
    Search,
    NextMatch,
    PrevMatch,
    /// Move the focus to the section pane.
    FocusPane,
    /// Move the focus back to the questions.
    FocusItems,
    First,
    Last,
    PageUp,
    PageDown,
    /// Turn auto-advance (after a single-key answer) on or off.
    AutoAdvance,
    /// The household during a visit: add, correct, remove people.
    Roster,
    /// The status of a person's sheet (taken, not present, …).
    SheetStatus,
    /// Home: move between the list of visits and the list of cases.
    SwitchList,
    /// A case: start a follow-up visit.
    FollowUp,
    /// A case: close it (asks the reason, then the first letters).
    CloseCase,
    /// Open (or close) the read-back with the family.
    ReadBack,
    /// Mark that the agreements were read back with the family (or take
    /// the mark back).
    MarkReadBack,
    /// The read-back's own language (the family's, not the worker's).
    ReadBackLanguage,
}

pub struct Binding {
    pub action: Action,
    pub keys: &'static [Key],
    /// How the footer names the keys, when not simply the first key.
    pub shown: Option<&'static str>,
    pub contexts: &'static [Ctx],
    pub label: (&'static str, &'static str),
    /// Shown in the footer (everything is in the help screen).
    pub footer: bool,
}

use Ctx::*;

/// Every context inside a visit's item flow.
const FLOW: &[Ctx] = &[Choice, Multi, Scale, Text, Field, AddEntry];
/// Flow contexts where letters do not type.
const FLOW_KEYS: &[Ctx] = &[Choice, Multi, Scale, AddEntry];
/// The flow and its section pane: where the visit's pop-ups open.
const NAV: &[Ctx] = &[Choice, Multi, Scale, Text, Field, AddEntry, Pane];
/// Where a typed letter goes into a text field (not a command).
const LETTERS_TYPE: &[Ctx] = &[
    Onboarding,
    Unlock,
    NewVisit,
    Text,
    Field,
    FlagPanel,
    FlagWithdraw,
    Prompt,
    Search,
];

/// Whether a typed character goes into a text field here (the `--record`
/// writer keeps such runs as one `type` step, and other letters as keys).
pub fn letters_type(ctx: Ctx) -> bool {
    LETTERS_TYPE.contains(&ctx)
}

/// Where `q` asks whether to stop: everywhere unlocked that types no letters.
const QUIT_ASKS: &[Ctx] = &[
    Home,
    Choice,
    Multi,
    Scale,
    AddEntry,
    Popup,
    Review,
    Pane,
    Overview,
    ReadBack,
    ReadBackVisit,
    Case,
];
/// The read-back with the family, from a case and from a visit.
const READ_BACK: &[Ctx] = &[ReadBack, ReadBackVisit];
/// Lists that page: Home/End and PageUp/PageDown.
/// (Not the search field: there Home and End move through the text.)
const PAGED: &[Ctx] = &[Popup, Review, Pane, Overview, ReadBack, ReadBackVisit, Case];
/// Everywhere the worker is unlocked and not in a modal panel.
const UNLOCKED: &[Ctx] = &[
    Home,
    NewVisit,
    Choice,
    Multi,
    Scale,
    Text,
    Field,
    AddEntry,
    Popup,
    Review,
    Prompt,
    Confirm,
    Pane,
    Overview,
    Search,
    QuitConfirm,
    Roster,
    Case,
    ReadBack,
    ReadBackVisit,
];
const EVERYWHERE: &[Ctx] = &[
    Onboarding,
    Unlock,
    Home,
    NewVisit,
    Choice,
    Multi,
    Scale,
    Text,
    Field,
    AddEntry,
    FlagPanel,
    FlagWithdraw,
    Popup,
    Review,
    Confirm,
    Prompt,
    Pane,
    Overview,
    Search,
    QuitConfirm,
    Roster,
    Case,
    ReadBack,
    ReadBackVisit,
];

const DIGITS: &[Key] = &[
    Key::Char('1'),
    Key::Char('2'),
    Key::Char('3'),
    Key::Char('4'),
    Key::Char('5'),
    Key::Char('6'),
    Key::Char('7'),
    Key::Char('8'),
    Key::Char('9'),
    Key::Char('0'),
];

pub const BINDINGS: &[Binding] = &[
    Binding {
        action: Action::Hide,
        // Ctrl-Space as well: F12 is a media key on many laptops, and a
        // chord that types nothing is safe inside any text field.
        keys: &[Key::F(12), Key::Ctrl(' ')],
        shown: Some("F12/Ctrl-Space"),
        contexts: EVERYWHERE,
        label: ("verbergen", "hide"),
        footer: true,
    },
    Binding {
        action: Action::Next,
        keys: &[Key::Tab],
        shown: None,
        contexts: FLOW,
        label: ("volgende", "next"),
        footer: true,
    },
    Binding {
        action: Action::Next,
        keys: &[Key::Enter, Key::Down],
        shown: None,
        contexts: &[Choice, Scale],
        label: ("volgende", "next"),
        footer: false,
    },
    Binding {
        action: Action::Next,
        keys: &[Key::Enter],
        shown: None,
        contexts: &[Multi, Field],
        label: ("volgende", "next"),
        footer: false,
    },
    Binding {
        action: Action::Prev,
        keys: &[Key::BackTab],
        shown: Some("S-Tab"),
        contexts: FLOW,
        label: ("vorige", "previous"),
        footer: true,
    },
    Binding {
        action: Action::Prev,
        keys: &[Key::Up],
        shown: None,
        contexts: &[Choice, Scale],
        label: ("vorige", "previous"),
        footer: false,
    },
    Binding {
        action: Action::Yes,
        keys: &[Key::Char('j'), Key::Char('y')],
        shown: Some("j/n/w"),
        contexts: &[Choice],
        label: ("ja/nee/weet niet", "yes/no/unknown"),
        footer: true,
    },
    Binding {
        action: Action::No,
        keys: &[Key::Char('n')],
        shown: None,
        contexts: &[Choice],
        label: ("nee", "no"),
        footer: false,
    },
    Binding {
        action: Action::Unknown,
        keys: &[Key::Char('w'), Key::Char('u')],
        shown: None,
        contexts: &[Choice],
        label: ("weet niet", "don't know"),
        footer: false,
    },
    Binding {
        action: Action::Digit,
        keys: DIGITS,
        shown: Some("1-9"),
        contexts: &[Choice, Multi, Scale],
        label: ("kiezen", "choose"),
        footer: true,
    },
    Binding {
        action: Action::Toggle,
        keys: &[Key::Char(' ')],
        shown: None,
        contexts: &[Multi],
        label: ("aan/uit", "toggle"),
        footer: true,
    },
    Binding {
        action: Action::Up,
        keys: &[Key::Up],
        shown: None,
        contexts: &[Multi],
        label: ("omhoog", "up"),
        footer: false,
    },
    Binding {
        action: Action::Down,
        keys: &[Key::Down],
        shown: None,
        contexts: &[Multi],
        label: ("omlaag", "down"),
        footer: false,
    },
    Binding {
        action: Action::Decrease,
        keys: &[Key::Left],
        shown: Some("←/→"),
        contexts: &[Scale],
        label: ("kleiner/groter", "less/more"),
        footer: true,
    },
    Binding {
        action: Action::Increase,
        keys: &[Key::Right],
        shown: None,
        contexts: &[Scale],
        label: ("groter", "more"),
        footer: false,
    },
    // ← moves to the section pane where it changes no answer (on a scale
    // it lowers the value; Esc goes there from everywhere in the flow).
    Binding {
        action: Action::FocusPane,
        keys: &[Key::Left, Key::Esc],
        shown: None,
        contexts: &[Choice, Multi, AddEntry],
        label: ("naar de secties", "to the sections"),
        footer: false,
    },
    Binding {
        action: Action::FocusPane,
        keys: &[Key::Esc],
        shown: None,
        contexts: FLOW,
        label: ("naar de secties", "to the sections"),
        footer: false,
    },
    Binding {
        action: Action::FocusItems,
        keys: &[Key::Right, Key::Esc],
        shown: Some("→/Esc"),
        contexts: &[Pane],
        label: ("terug naar de vragen", "back to the questions"),
        footer: true,
    },
    Binding {
        action: Action::Clear,
        keys: &[Key::Delete, Key::Backspace],
        shown: Some("Del"),
        contexts: FLOW_KEYS,
        label: ("wissen", "clear"),
        footer: false,
    },
    Binding {
        action: Action::AddEntry,
        keys: &[Key::Enter, Key::Alt('n')],
        shown: Some("Enter"),
        contexts: &[AddEntry],
        label: ("toevoegen", "add"),
        footer: true,
    },
    Binding {
        action: Action::AddEntry,
        keys: &[Key::Alt('n')],
        shown: None,
        contexts: FLOW,
        label: ("afspraak toevoegen", "add entry"),
        footer: false,
    },
    Binding {
        action: Action::RemoveEntry,
        keys: &[Key::Alt('d')],
        shown: None,
        contexts: FLOW,
        label: ("afspraak weghalen", "remove entry"),
        footer: false,
    },
    Binding {
        action: Action::NextSection,
        keys: &[Key::PageDown],
        shown: None,
        contexts: FLOW,
        label: ("volgende sectie", "next section"),
        footer: false,
    },
    Binding {
        action: Action::PrevSection,
        keys: &[Key::PageUp],
        shown: None,
        contexts: FLOW,
        label: ("vorige sectie", "previous section"),
        footer: false,
    },
    Binding {
        action: Action::Sections,
        keys: &[Key::F(2), Key::Alt('s')],
        shown: None,
        contexts: NAV,
        label: ("secties", "sections"),
        footer: true,
    },
    Binding {
        action: Action::Persons,
        keys: &[Key::F(3), Key::Alt('p')],
        shown: None,
        contexts: NAV,
        label: ("lijst/persoon", "list/person"),
        footer: true,
    },
    Binding {
        action: Action::Flags,
        keys: &[Key::F(4), Key::Alt('v')],
        shown: None,
        contexts: NAV,
        label: ("vlaggen", "flags"),
        footer: true,
    },
    Binding {
        action: Action::OnlyMissing,
        keys: &[Key::F(5), Key::Alt('o')],
        shown: None,
        contexts: NAV,
        label: ("alleen open verplicht", "only open required"),
        footer: false,
    },
    Binding {
        action: Action::Review,
        keys: &[Key::F(6), Key::Alt('r')],
        shown: None,
        contexts: NAV,
        label: ("afronden", "review"),
        footer: true,
    },
    Binding {
        action: Action::Home,
        keys: &[Key::F(10), Key::Alt('h')],
        shown: None,
        contexts: &[
            Choice, Multi, Scale, Text, Field, AddEntry, Review, NewVisit, Pane,
        ],
        label: ("startscherm", "home"),
        footer: true,
    },
    Binding {
        action: Action::Overview,
        keys: &[Key::Ctrl('g')],
        shown: Some("Ctrl-G"),
        contexts: NAV,
        label: ("ga naar vraag", "go to question"),
        footer: true,
    },
    Binding {
        action: Action::NewVisit,
        keys: &[Key::Char('n'), Key::Alt('n')],
        shown: None,
        contexts: &[Home],
        label: ("nieuw bezoek", "new visit"),
        footer: true,
    },
    Binding {
        action: Action::Open,
        keys: &[Key::Enter],
        shown: None,
        contexts: &[Home],
        label: ("openen", "open"),
        footer: true,
    },
    Binding {
        action: Action::Up,
        keys: &[Key::Up, Key::Char('k')],
        shown: None,
        contexts: &[
            Home,
            Popup,
            Review,
            Pane,
            Overview,
            ReadBack,
            ReadBackVisit,
            Case,
        ],
        label: ("omhoog", "up"),
        footer: false,
    },
    Binding {
        action: Action::Down,
        keys: &[Key::Down, Key::Char('j')],
        shown: None,
        contexts: &[
            Home,
            Popup,
            Review,
            Pane,
            Overview,
            ReadBack,
            ReadBackVisit,
            Case,
        ],
        label: ("omlaag", "down"),
        footer: false,
    },
    Binding {
        action: Action::Up,
        keys: &[Key::Up],
        shown: None,
        contexts: &[NewVisit, Search, Roster],
        label: ("omhoog", "up"),
        footer: false,
    },
    Binding {
        action: Action::Down,
        keys: &[Key::Down],
        shown: None,
        contexts: &[NewVisit, Search, Roster],
        label: ("omlaag", "down"),
        footer: false,
    },
    Binding {
        action: Action::Export,
        keys: &[Key::Char('e'), Key::Alt('e')],
        shown: None,
        contexts: &[Home],
        label: ("exporteren", "export"),
        footer: true,
    },
    Binding {
        action: Action::Receipt,
        keys: &[Key::Char('o'), Key::Alt('o')],
        shown: None,
        contexts: &[Home],
        label: ("ontvangstbewijs", "receipt"),
        footer: true,
    },
    Binding {
        action: Action::SwitchList,
        keys: &[Key::Tab, Key::Char('c')],
        shown: None,
        contexts: &[Home],
        label: ("naar casussen / bezoeken", "to cases / visits"),
        footer: false,
    },
    Binding {
        action: Action::FollowUp,
        keys: &[Key::Char('v')],
        shown: None,
        contexts: &[Case],
        label: ("vervolgbezoek", "follow-up visit"),
        footer: true,
    },
    Binding {
        action: Action::ReadBack,
        keys: &[Key::Char('l')],
        shown: None,
        contexts: &[Case],
        label: ("voorlezen", "read back"),
        footer: true,
    },
    Binding {
        action: Action::CloseCase,
        keys: &[Key::Char('s')],
        shown: None,
        contexts: &[Case],
        label: ("casus sluiten", "close case"),
        footer: true,
    },
    Binding {
        action: Action::Cancel,
        keys: &[Key::Esc],
        shown: None,
        contexts: &[Case],
        label: ("terug", "back"),
        footer: true,
    },
    Binding {
        action: Action::Discard,
        keys: &[Key::Delete],
        shown: Some("Del"),
        contexts: &[Home],
        label: ("concept weggooien", "discard draft"),
        footer: false,
    },
    Binding {
        action: Action::Search,
        keys: &[Key::Char('/')],
        shown: None,
        contexts: &[Choice, Multi, Scale, AddEntry, Pane],
        label: ("zoeken", "search"),
        footer: false,
    },
    Binding {
        action: Action::Search,
        keys: &[Key::Char('/')],
        shown: None,
        contexts: &[Overview],
        label: ("zoeken", "search"),
        footer: true,
    },
    Binding {
        action: Action::NextMatch,
        keys: &[Key::Char('n')],
        shown: Some("n/N"),
        contexts: &[Overview],
        label: ("volgende/vorige treffer", "next/previous match"),
        footer: true,
    },
    Binding {
        action: Action::PrevMatch,
        keys: &[Key::Char('N')],
        shown: None,
        contexts: &[Overview],
        label: ("vorige treffer", "previous match"),
        footer: false,
    },
    Binding {
        action: Action::First,
        keys: &[Key::Home],
        shown: None,
        contexts: PAGED,
        label: ("naar het begin", "to the top"),
        footer: false,
    },
    Binding {
        action: Action::Last,
        keys: &[Key::End],
        shown: None,
        contexts: PAGED,
        label: ("naar het eind", "to the end"),
        footer: false,
    },
    Binding {
        action: Action::PageUp,
        keys: &[Key::PageUp],
        shown: None,
        contexts: &[
            Popup,
            Review,
            Pane,
            Overview,
            Search,
            ReadBack,
            ReadBackVisit,
            Case,
        ],
        label: ("pagina terug", "page up"),
        footer: false,
    },
    Binding {
        action: Action::PageDown,
        keys: &[Key::PageDown],
        shown: None,
        contexts: &[
            Popup,
            Review,
            Pane,
            Overview,
            Search,
            ReadBack,
            ReadBackVisit,
            Case,
        ],
        label: ("pagina verder", "page down"),
        footer: false,
    },
    Binding {
        action: Action::AutoAdvance,
        keys: &[Key::Alt('m')],
        shown: None,
        contexts: NAV,
        label: (
            "automatisch verder na één toets (aan/uit)",
            "auto-advance after a single key (on/off)",
        ),
        footer: false,
    },
    Binding {
        action: Action::Language,
        keys: &[Key::F(7), Key::Alt('t')],
        shown: None,
        contexts: EVERYWHERE,
        label: ("English", "Nederlands"),
        footer: true,
    },
    Binding {
        action: Action::Lock,
        keys: &[Key::F(8), Key::Alt('l')],
        shown: None,
        contexts: UNLOCKED,
        label: ("vergrendelen", "lock"),
        footer: true,
    },
    Binding {
        action: Action::Help,
        // Alt-? as well: some terminals keep F1 for their own help.
        keys: &[Key::F(1), Key::Alt('?')],
        shown: None,
        contexts: EVERYWHERE,
        label: ("hulp", "help"),
        footer: true,
    },
    Binding {
        action: Action::Help,
        keys: &[Key::Char('?')],
        shown: None,
        // Only where `?` types nothing.
        contexts: &[
            Home,
            Choice,
            Multi,
            Scale,
            AddEntry,
            Review,
            Pane,
            Overview,
            ReadBack,
            ReadBackVisit,
            Case,
        ],
        label: ("hulp", "help"),
        footer: false,
    },
    Binding {
        action: Action::Redraw,
        keys: &[Key::Ctrl('l')],
        shown: None,
        contexts: EVERYWHERE,
        label: ("scherm opnieuw tekenen", "redraw the screen"),
        footer: false,
    },
    Binding {
        action: Action::AskQuit,
        keys: &[Key::Char('q')],
        shown: None,
        contexts: &[Home],
        label: ("stoppen", "quit"),
        footer: true,
    },
    Binding {
        action: Action::AskQuit,
        keys: &[Key::Char('q')],
        shown: None,
        contexts: QUIT_ASKS,
        label: ("stoppen", "quit"),
        footer: false,
    },
    Binding {
        action: Action::Quit,
        keys: &[Key::Enter, Key::Char('q'), Key::Ctrl('c')],
        shown: None,
        contexts: &[QuitConfirm],
        label: ("ja, stoppen", "yes, quit"),
        footer: true,
    },
    Binding {
        action: Action::Cancel,
        keys: &[Key::Esc, Key::Char('n')],
        shown: None,
        contexts: &[QuitConfirm],
        label: ("nee, terug", "no, back"),
        footer: true,
    },
    Binding {
        action: Action::Quit,
        keys: &[Key::Ctrl('c')],
        shown: None,
        contexts: &[Home],
        label: ("stoppen", "quit"),
        footer: false,
    },
    Binding {
        action: Action::Quit,
        keys: &[Key::Ctrl('c')],
        shown: None,
        contexts: &[Unlock, Onboarding],
        label: ("stoppen", "quit"),
        footer: true,
    },
    Binding {
        action: Action::Quit,
        keys: &[Key::Ctrl('c')],
        shown: None,
        contexts: &[Hidden],
        label: ("stoppen", "quit"),
        footer: false,
    },
    Binding {
        action: Action::Select,
        keys: &[Key::Enter],
        shown: None,
        contexts: &[
            Popup, Review, NewVisit, Prompt, Pane, Overview, Search, Roster,
        ],
        label: ("kiezen", "select"),
        footer: true,
    },
    Binding {
        action: Action::Cancel,
        keys: &[Key::Esc],
        shown: None,
        contexts: &[
            Popup,
            Review,
            Confirm,
            NewVisit,
            Prompt,
            Overview,
            Search,
            Roster,
            ReadBack,
            ReadBackVisit,
        ],
        label: ("terug", "back"),
        footer: true,
    },
    Binding {
        action: Action::Next,
        keys: &[Key::Tab],
        shown: None,
        contexts: &[Prompt],
        label: ("volgend veld", "next field"),
        footer: true,
    },
    Binding {
        action: Action::NextTab,
        keys: &[Key::Tab],
        shown: None,
        contexts: &[Review],
        label: ("tabblad", "tab"),
        footer: true,
    },
    Binding {
        action: Action::Prev,
        keys: &[Key::BackTab],
        shown: None,
        contexts: &[Review],
        label: ("vorig tabblad", "previous tab"),
        footer: false,
    },
    Binding {
        action: Action::ReadBack,
        keys: &[Key::Char('l')],
        shown: None,
        contexts: &[Review],
        label: ("voorlezen", "read back"),
        // Not in the footer, which is full here (finalizing must stay
        // visible); the review's first tab and the key help name it.
        footer: false,
    },
    Binding {
        action: Action::MarkReadBack,
        keys: &[Key::Char('m')],
        shown: None,
        contexts: &[ReadBackVisit],
        label: ("voorgelezen (aan/uit)", "read back (on/off)"),
        footer: true,
    },
    Binding {
        action: Action::ReadBackLanguage,
        keys: &[Key::Char('t')],
        shown: None,
        contexts: READ_BACK,
        label: ("taal van de tekst", "language of the text"),
        footer: true,
    },
    Binding {
        action: Action::Finalize,
        keys: &[Key::Alt('f'), Key::F(9)],
        shown: None,
        contexts: &[Review],
        label: ("bezoek afronden", "finalize visit"),
        footer: true,
    },
    Binding {
        action: Action::AddChild,
        keys: &[Key::Alt('k')],
        shown: None,
        contexts: &[NewVisit, Roster],
        label: ("kind erbij", "add child"),
        footer: true,
    },
    Binding {
        action: Action::AddCaregiver,
        keys: &[Key::Alt('o')],
        shown: None,
        contexts: &[NewVisit, Roster],
        label: ("ouder erbij", "add caregiver"),
        footer: true,
    },
    Binding {
        action: Action::Remove,
        keys: &[Key::Alt('d')],
        shown: None,
        contexts: &[NewVisit],
        label: ("weghalen", "remove"),
        footer: false,
    },
    Binding {
        action: Action::Remove,
        keys: &[Key::Alt('d')],
        shown: None,
        contexts: &[Roster],
        label: ("weghalen/terugzetten", "remove/put back"),
        footer: true,
    },
    Binding {
        action: Action::Roster,
        keys: &[Key::Alt('g')],
        shown: None,
        contexts: &[Choice, Multi, Scale, Text, Field, AddEntry, Roster],
        label: ("gezin", "household"),
        footer: false,
    },
    Binding {
        action: Action::SheetStatus,
        keys: &[Key::Alt('a')],
        shown: None,
        contexts: &[Choice, Multi, Scale, Text, Field, AddEntry, Popup],
        label: ("status van deze lijst", "status of this list"),
        footer: false,
    },
    Binding {
        action: Action::Next,
        keys: &[Key::Tab],
        shown: None,
        contexts: &[NewVisit, Onboarding],
        label: ("volgend veld", "next field"),
        footer: false,
    },
    Binding {
        action: Action::Prev,
        keys: &[Key::BackTab],
        shown: None,
        contexts: &[NewVisit, Onboarding],
        label: ("vorig veld", "previous field"),
        footer: false,
    },
    Binding {
        // Removing an entry throws its answers away: the same chord again,
        // never an answer key (`j` is "ja" everywhere else).
        action: Action::Yes,
        keys: &[Key::Alt('d')],
        shown: None,
        contexts: &[Confirm],
        label: ("weghalen", "remove"),
        footer: true,
    },
    Binding {
        action: Action::No,
        keys: &[Key::Char('n')],
        shown: None,
        contexts: &[Confirm],
        label: ("nee", "no"),
        footer: true,
    },
    Binding {
        action: Action::Acknowledge,
        keys: &[Key::Enter],
        shown: None,
        contexts: &[FlagPanel],
        label: ("bevestigen", "acknowledge"),
        footer: true,
    },
    // Alt-w: never an answer key, and a text field does not type it, so it
    // cannot fire by accident while the action text is typed.
    Binding {
        action: Action::Withdraw,
        keys: &[Key::Alt('w')],
        shown: None,
        contexts: &[FlagPanel],
        label: ("vergissing: intrekken", "mistake: withdraw"),
        footer: true,
    },
    Binding {
        action: Action::Withdraw,
        keys: &[Key::Alt('w')],
        shown: None,
        contexts: &[Popup],
        label: ("vlag intrekken (F4)", "withdraw flag (F4)"),
        footer: false,
    },
    Binding {
        action: Action::Withdraw,
        keys: &[Key::Enter],
        shown: None,
        contexts: &[FlagWithdraw],
        label: ("intrekken", "withdraw"),
        footer: true,
    },
    Binding {
        action: Action::Cancel,
        keys: &[Key::Esc],
        shown: None,
        contexts: &[FlagWithdraw],
        label: ("terug", "back"),
        footer: true,
    },
];

/// The action a key means in a context.
pub fn action(ctx: Ctx, key: Key) -> Option<Action> {
    BINDINGS
        .iter()
        .find(|b| b.contexts.contains(&ctx) && b.keys.contains(&key))
        .map(|b| b.action)
}

/// The footer entries of a context: key names and labels, in table order.
pub fn footer(ctx: Ctx, lang: Lang) -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| b.footer && b.contexts.contains(&ctx))
        .map(|b| {
            let keys = b.shown.map_or_else(
                || b.keys[0].name(),
                |shown| match lang {
                    // The one key name a Dutch keyboard spells otherwise.
                    Lang::Nl => shown.replace("Space", "Spatie"),
                    Lang::En => shown.to_string(),
                },
            );
            (keys, lang.pick(b.label.0, b.label.1))
        })
        .collect()
}

/// How the help screen names a key: arrows as arrows, `Shift-Tab`, and
/// plain names a Dutch keyboard shows. Replay scripts keep `Key::name`.
pub fn key_label(key: Key, lang: Lang) -> String {
    match key {
        Key::Up => "↑".into(),
        Key::Down => "↓".into(),
        Key::Left => "←".into(),
        Key::Right => "→".into(),
        Key::BackTab => "Shift-Tab".into(),
        Key::Char(' ') => lang.pick("Spatie", "Space").into(),
        Key::Ctrl(' ') => lang.pick("Ctrl-Spatie", "Ctrl-Space").into(),
        Key::Char(c) => c.to_string(),
        // As the keycaps say: Ctrl-L, not Ctrl-l.
        Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
        Key::Alt(c) => format!("Alt-{c}"),
        Key::F(n) => format!("F{n}"),
        Key::Enter => "Enter".into(),
        Key::Esc => "Esc".into(),
        Key::Tab => "Tab".into(),
        Key::PageUp => "PageUp".into(),
        Key::PageDown => "PageDown".into(),
        Key::Home => "Home".into(),
        Key::End => "End".into(),
        Key::Backspace => "Backspace".into(),
        Key::Delete => "Delete".into(),
    }
}

/// The help screen's label of a binding, where the footer's short label
/// (which may stand for several bindings) would be wrong on its own line.
fn help_label(b: &Binding, ctx: Ctx) -> (&'static str, &'static str) {
    match (b.action, ctx) {
        (Action::Yes, Ctx::Choice) => ("ja", "yes"),
        (Action::Decrease, _) => ("lager", "lower"),
        (Action::Increase, _) => ("hoger", "higher"),
        (Action::Digit, Ctx::Multi) => (
            "optie 1–9 aan/uit (verder: ↓ en Spatie)",
            "option 1–9 on/off (beyond: ↓ and Space)",
        ),
        (Action::Digit, Ctx::Scale) => ("waarde typen", "type the value"),
        (Action::AddEntry, Ctx::AddEntry) => ("nog een toevoegen", "add another"),
        (Action::AddEntry, _) => (
            "nog een toevoegen (in een lijst)",
            "add another (in a list)",
        ),
        (Action::RemoveEntry, _) => (
            "deze uit de lijst weghalen",
            "remove this one from the list",
        ),
        (Action::Home, _) => ("naar het startscherm", "to the home screen"),
        (Action::Receipt, _) => (
            "ontvangstbewijs van kantoor verwerken",
            "apply a receipt from the office",
        ),
        (Action::Persons, _) => ("checklist of persoon kiezen", "choose checklist or person"),
        (Action::OnlyMissing, _) => (
            "alleen open verplichte vragen (aan/uit)",
            "only open required questions (on/off)",
        ),
        (Action::Review, _) => ("controleren en afronden", "review and finalize"),
        (Action::Overview, _) => (
            "ga naar vraag: alle lijsten, secties en vragen",
            "go to question: every list, section and question",
        ),
        (Action::Search, Ctx::Overview) => ("zoekveld", "search field"),
        (Action::Search, _) => (
            "zoeken in vragen en antwoorden",
            "search questions and answers",
        ),
        (Action::NextMatch, _) => ("volgende treffer", "next match"),
        (Action::Select, Ctx::Pane) => ("naar deze sectie", "go to this section"),
        (Action::Select, Ctx::Overview | Ctx::Search) => ("naar deze vraag", "go to this question"),
        (Action::Cancel, Ctx::Search) => ("zoekveld verlaten", "leave the search field"),
        (Action::Cancel, Ctx::Overview) => ("sluiten", "close"),
        (Action::Language, _) => ("taal: English", "language: Nederlands"),
        (Action::ReadBack, _) => (
            "voorlezen met het gezin: de afspraken, het kader, wat er nu gebeurt (alleen waar iedereen die meeleest het veilig mag horen)",
            "read back with the family: the agreements, the framework, what happens next (only where everyone reading along may safely hear it)",
        ),
        (Action::MarkReadBack, _) => (
            "gemarkeerd als voorgelezen met het gezin (aan/uit, tot afronden)",
            "marked as read back with the family (on/off, until finalizing)",
        ),
        (Action::ReadBackLanguage, _) => (
            "taal van de tekst voor het gezin (uw scherm blijft zoals het is)",
            "language of the text for the family (your screen stays as it is)",
        ),
        _ => b.label,
    }
}

/// Keys of the text fields (not in the table: the field widget handles
/// them), for the contexts where a field has the keys.
const EDITING: &[(&str, &str, &str)] = &[
    ("← → Home End", "door de tekst", "move through the text"),
    ("Backspace / Delete", "teken wissen", "delete a character"),
    ("Ctrl-W", "woord ervoor wissen", "delete the word before"),
    (
        "Ctrl-K",
        "wissen tot einde regel",
        "delete to the end of the line",
    ),
    (
        "Ctrl-J",
        "wissen tot begin regel",
        "delete to the start of the line",
    ),
    ("Ctrl-U / Ctrl-R", "ongedaan maken / opnieuw", "undo / redo"),
];

/// Keys of a passphrase field.
const PASSPHRASE: &[(&str, &str, &str)] = &[
    ("Backspace", "teken wissen", "delete a character"),
    ("Ctrl-U", "veld leegmaken", "empty the field"),
];

/// Every binding of a context, for the help screen: all keys (by their
/// display names) and labels, one line per label, then the editing keys
/// where the worker types.
pub fn help(ctx: Ctx, lang: Lang) -> Vec<(String, &'static str)> {
    let mut out: Vec<(Vec<String>, &'static str)> = Vec::new();
    for b in BINDINGS.iter().filter(|b| b.contexts.contains(&ctx)) {
        let (nl, en) = help_label(b, ctx);
        let label = lang.pick(nl, en);
        let keys: Vec<String> = if b.action == Action::Digit {
            vec!["1-9, 0".to_string()]
        } else {
            b.keys
                .iter()
                // A key an earlier binding of this context takes does not
                // reach this one.
                .filter(|k| action(ctx, **k) == Some(b.action))
                .map(|k| key_label(*k, lang))
                .collect()
        };
        if keys.is_empty() {
            continue;
        }
        match out.iter_mut().find(|(_, l)| *l == label) {
            Some((ks, _)) => {
                for k in keys {
                    if !ks.contains(&k) {
                        ks.push(k);
                    }
                }
            }
            None => out.push((keys, label)),
        }
    }
    let mut out: Vec<(String, &'static str)> =
        out.into_iter().map(|(k, l)| (k.join(" / "), l)).collect();
    let extra = match ctx {
        Ctx::Text | Ctx::Field | Ctx::Prompt | Ctx::NewVisit | Ctx::FlagPanel | Ctx::Search => {
            EDITING
        }
        Ctx::Onboarding => EDITING,
        Ctx::Unlock => PASSPHRASE,
        _ => &[],
    };
    for (k, nl, en) in extra {
        out.push((k.to_string(), lang.pick(nl, en)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hide_works_everywhere_and_letters_type_in_text() {
        for ctx in EVERYWHERE {
            assert_eq!(action(*ctx, Key::F(12)), Some(Action::Hide), "{ctx:?}");
            assert_eq!(action(*ctx, Key::Ctrl(' ')), Some(Action::Hide), "{ctx:?}");
            assert_eq!(action(*ctx, Key::Alt('?')), Some(Action::Help), "{ctx:?}");
            assert_eq!(
                action(*ctx, Key::Ctrl('l')),
                Some(Action::Redraw),
                "{ctx:?}"
            );
        }
        // `?` opens help only where it types nothing.
        for ctx in [
            Text, Field, Onboarding, Unlock, Prompt, NewVisit, FlagPanel, Search,
        ] {
            assert_eq!(action(ctx, Key::Char('?')), None, "{ctx:?}");
        }
        for ctx in [Home, Choice, Multi, Scale, Review] {
            assert_eq!(action(ctx, Key::Char('?')), Some(Action::Help), "{ctx:?}");
        }
        for ctx in [
            Text,
            Field,
            Onboarding,
            Unlock,
            Prompt,
            NewVisit,
            FlagPanel,
            FlagWithdraw,
            Search,
        ] {
            for c in ['j', 'n', 'q', 'e', 'k', ' '] {
                assert_eq!(action(ctx, Key::Char(c)), None, "{ctx:?} {c}");
            }
        }
    }

    #[test]
    fn q_asks_before_quitting_and_esc_backs_out_outside_text() {
        // `q` asks (never quits at once) wherever it types nothing.
        for ctx in [
            Home, Choice, Multi, Scale, AddEntry, Popup, Review, Pane, Overview,
        ] {
            assert_eq!(
                action(ctx, Key::Char('q')),
                Some(Action::AskQuit),
                "{ctx:?}"
            );
        }
        assert_eq!(action(QuitConfirm, Key::Enter), Some(Action::Quit));
        assert_eq!(action(QuitConfirm, Key::Esc), Some(Action::Cancel));
        // An answer key never confirms.
        assert_eq!(action(QuitConfirm, Key::Char('j')), None);
        // Esc backs out one level everywhere in the visit.
        for ctx in [Choice, Multi, Scale, Text, Field, AddEntry] {
            assert_eq!(action(ctx, Key::Esc), Some(Action::FocusPane), "{ctx:?}");
            assert_eq!(
                action(ctx, Key::Ctrl('g')),
                Some(Action::Overview),
                "{ctx:?}"
            );
        }
        for ctx in [
            Popup,
            Review,
            Overview,
            Search,
            QuitConfirm,
            Confirm,
            Prompt,
        ] {
            assert_eq!(action(ctx, Key::Esc), Some(Action::Cancel), "{ctx:?}");
        }
        assert_eq!(action(Pane, Key::Esc), Some(Action::FocusItems));
        // ← reaches the pane where it changes no answer; on a scale it lowers.
        assert_eq!(action(Choice, Key::Left), Some(Action::FocusPane));
        assert_eq!(action(Scale, Key::Left), Some(Action::Decrease));
        assert_eq!(action(Text, Key::Left), None);
        // `/` searches outside text fields; in the search field it types.
        assert_eq!(action(Choice, Key::Char('/')), Some(Action::Search));
        assert_eq!(action(Search, Key::Char('/')), None);
        assert_eq!(action(Text, Key::Char('/')), None);
    }

    #[test]
    fn every_footer_entry_names_a_key_that_does_its_action() {
        for ctx in EVERYWHERE.iter().chain([&Hidden]) {
            for b in BINDINGS
                .iter()
                .filter(|b| b.footer && b.contexts.contains(ctx))
            {
                // The first key of a shown binding reaches that binding's action.
                assert_eq!(
                    action(*ctx, b.keys[0]),
                    Some(b.action),
                    "{ctx:?} {:?}",
                    b.action
                );
            }
        }
    }

    #[test]
    fn help_names_keys_plainly_and_labels_each_binding_right() {
        let choice = help(Ctx::Choice, Lang::Nl);
        let find = |list: &[(String, &str)], label: &str| {
            list.iter()
                .find(|(_, l)| *l == label)
                .map(|(k, _)| k.clone())
                .unwrap_or_else(|| panic!("{label}: {list:?}"))
        };
        assert_eq!(find(&choice, "ja"), "j / y");
        assert_eq!(find(&choice, "naar de secties"), "← / Esc");
        assert_eq!(find(&choice, "vorige"), "Shift-Tab / ↑");
        assert_eq!(find(&choice, "volgende"), "Tab / Enter / ↓");
        assert!(find(&choice, "nog een toevoegen (in een lijst)").contains("Alt-n"));
        let scale = help(Ctx::Scale, Lang::Nl);
        assert_eq!(find(&scale, "lager"), "←");
        for ctx in EVERYWHERE {
            for (k, l) in help(*ctx, Lang::Nl) {
                for name in k.split(" / ") {
                    assert!(
                        !["Up", "Down", "Left", "Right", "BackTab", "Del"].contains(&name),
                        "{ctx:?}: {k}"
                    );
                }
                assert!(!l.contains("afspraak"), "{ctx:?}: {l}");
                assert!(!l.contains("ja/nee/weet niet"), "{ctx:?}: {l}");
            }
        }
        let text = help(Ctx::Text, Lang::Nl);
        assert_eq!(find(&text, "woord ervoor wissen"), "Ctrl-W");
        assert!(
            help(Ctx::Home, Lang::Nl)
                .iter()
                .any(|(k, l)| k == "Delete" && *l == "concept weggooien")
        );
    }
}
