//! The command line: every subcommand, option and exit code, as clap
//! definitions. `main.rs` parses these and dispatches; nothing here does work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::i18n::Lang;

/// Exit codes, as documented in `--help` and the docs.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// Failure: an invalid checklist, a failed replay expectation, an error.
    pub const FAILURE: u8 = 1;
    /// Usage error: a wrong option or argument.
    pub const USAGE: u8 = 2;
    /// Import: some input was rejected (tampered, truncated, foreign); the
    /// sound input was still imported.
    pub const REJECTED: u8 = 3;
}

const AFTER_HELP: &str = "\
Voorbeelden / examples:
  safevisit                                  de app starten / start the app
  safevisit init --recipient age1… --device-name laptop-3
  safevisit init --org-card organisatie.card --device-name laptop-3
  safevisit device-card --out laptop-3.card --pub laptop-3.pub
  safevisit org-card organisatie.card
  safevisit checklists list
  safevisit checklists show trauma-kind --lang en
  safevisit checklists validate mijn-lijst.toml
  safevisit export --out /media/usb/
  safevisit replay tests/replay/*.replay

Exit codes: 0 success; 1 failure (invalid checklist, failed replay, error);
2 usage error; 3 input rejected on import (the sound input still imported).

Passphrases are never taken from the command line or the environment: the
app asks for them, scripts use --passphrase-file.";

/// safevisit — veilig huisbezoek: begeleide checklists voor huisbezoeken in
/// de jeugdzorg, versleuteld op de laptop. Guided checklists for home visits
/// in youth care, encrypted at rest, exported as encrypted bundles.
#[derive(Debug, Parser)]
#[command(name = "safevisit", version, about, long_about = None, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    /// Write this live session as a replay script (fictional test data only).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Lock after this many minutes without a key press.
    #[arg(long, value_name = "MINUTES", default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=120))]
    pub lock_after: u16,

    /// Move on to the next question after a single-key answer (yes/no, a
    /// choice by digit). Off by default; Alt-m turns it on or off in a visit.
    #[arg(long)]
    pub auto_advance: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Data directory (default: the platform's data directory).
    #[arg(long, global = true, env = "SAFEVISIT_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Language of the user interface: nl (default) or en.
    #[arg(long, global = true, value_enum, default_value_t = LangArg::Nl)]
    pub lang: LangArg,

    /// Read the device passphrase from this file (first line) instead of the terminal.
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,

    /// An extra folder of checklist files (adds checklists, or replaces a
    /// bundled one by a higher version). Repeatable.
    #[arg(long = "checklists", global = true, value_name = "DIR")]
    pub checklist_dirs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Nl,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Nl => Lang::Nl,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up this laptop: device key, organisation recipients, passphrase.
    Init(InitArgs),
    /// Counts only: drafts, finalized visits waiting for export, exported, arrived.
    Status,
    /// List, show and validate checklists.
    #[command(subcommand)]
    Checklists(ChecklistsCommand),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff).
    Man,
    /// Write finalized visits to one encrypted bundle for the office.
    Export(ExportArgs),
    /// Apply receipts from the office: delete the visits that arrived.
    Receipt(ReceiptArgs),
    /// Take over a case the office handed to this laptop.
    CaseImport(CaseImportArgs),
    /// Run replay scripts headlessly through the real app.
    Replay(ReplayArgs),
    /// The office side: organisation keys and importing bundles.
    #[command(subcommand)]
    Supervisor(SupervisorCommand),
    /// This laptop's public card (device id, name, keys) for the office to enrol.
    #[command(after_help = DEVICE_CARD_HELP)]
    DeviceCard(DeviceCardArgs),
    /// Take the organisation's card: pin its signing key and its recipients.
    #[command(after_help = ORG_CARD_HELP)]
    OrgCard(OrgCardArgs),
}

const DEVICE_CARD_HELP: &str = "\
Voorbeelden / examples:
  safevisit device-card                       de kaart op het scherm / print the card
  safevisit device-card --out laptop-3.card   als bestand (0600, nooit overschreven)
  safevisit device-card --pub laptop-3.pub    de minisign-sleutel / the minisign key,
                                              for `minisign -V -p laptop-3.pub -m manifest.json`

The card holds no secret. Read its fingerprint (printed on stderr) to the
office by phone, so they know the card they enrol is this laptop's.";

const ORG_CARD_HELP: &str = "\
Voorbeelden / examples:
  safevisit org-card organisatie.card         shows the fingerprint, asks j/y
  safevisit org-card organisatie.card --yes   without a terminal (scripts)

Compare the fingerprint with the office (by phone) before you confirm.
A laptop that already trusts another organisation key refuses a card with a
different signing key unless --replace is given: receipts signed with that
key would otherwise be trusted.";

#[derive(Debug, Args)]
pub struct DeviceCardArgs {
    /// Write the card to this file (mode 0600; never overwrites) instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write the signing public key as a minisign `.pub` file (never overwrites).
    #[arg(long = "pub", value_name = "FILE")]
    pub pub_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct OrgCardArgs {
    /// The organisation card file (from `safevisit supervisor org-card`).
    #[arg(value_name = "CARD")]
    pub card: PathBuf,
    /// Confirm without asking (needed without a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Replace a pinned organisation key by this card's different key.
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// An organisation recipient (age1…). Repeatable.
    #[arg(long = "recipient", value_name = "AGE1…")]
    pub recipients: Vec<String>,
    /// A file of recipients, one per line (# comments allowed). An
    /// organisation card given here is read as a card (as --org-card).
    #[arg(long, value_name = "FILE")]
    pub recipients_file: Vec<PathBuf>,
    /// The organisation's card: its recipients and backups become this
    /// laptop's recipients, and its signing key is pinned (receipts).
    #[arg(long, value_name = "CARD")]
    pub org_card: Option<PathBuf>,
    /// A name for this laptop, as the office will see it.
    #[arg(long, value_name = "NAME")]
    pub device_name: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ChecklistsCommand {
    /// Every available checklist: id, version, title, source.
    List,
    /// A readable outline of one checklist.
    Show {
        /// The checklist id, for example `veiligheid`.
        id: String,
    },
    /// Check checklist files (or folders of them) and report every problem,
    /// together with the bundled checklists and every `--checklists DIR`
    /// they will ship with.
    #[command(after_help = "Examples:\n  \
        safevisit checklists validate org/netwerkkaart.toml\n  \
        safevisit checklists validate --checklists org nieuw/veiligheid.toml\n  \
        safevisit checklists validate --format json org/ > diagnostics.json\n\n\
        Exit codes: 0 no errors (warnings and hints may be printed), 1 errors.")]
    Validate {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// `text`: each problem with its source line, like a compiler;
        /// `short`: one line each (`file:line:col: error[code]: …`);
        /// `json`: a JSON object with every diagnostic, for editors and CI.
        #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
        format: DiagnosticFormat,
    },
    /// Try checklist files in the real app, on a fictional family, with
    /// nothing kept: no vault, no passphrase, nothing written.
    #[command(after_help = PREVIEW_HELP)]
    Preview(PreviewArgs),
    /// Print a JSON Schema (draft 2020-12) of the checklist file format,
    /// for completion and hover help in an editor (docs/CHECKLISTS.md).
    Schema,
}

const PREVIEW_HELP: &str = "\
Voorbeelden / examples:
  safevisit checklists preview netwerkkaart.toml
  safevisit checklists preview trauma-kind.toml --child-age 4 --child-age 11
  safevisit checklists preview org/netwerkkaart.toml --caregivers 1 --lang en

The checklists named (and the bundled or --checklists ones they refer to)
open in a visit of the fictional family Kersenboom: children Mila, Noor, …
with the ages given, caregivers Iris (moeder), Ruben (vader), … Every screen
says VOORBEELD / PREVIEW. Everything lives in memory and is gone when you
quit (q); a lock (F8, F12) opens with any passphrase; nothing is exported.";

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// Checklist files to try.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// A child of this age (repeat for more children). Without it, a
    /// per-child checklist gets one child at the youngest age of its
    /// first age band.
    #[arg(long = "child-age", value_name = "N", value_parser = clap::value_parser!(u8).range(0..=17))]
    pub child_ages: Vec<u8>,
    /// How many caregivers (default 2).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=8))]
    pub caregivers: u8,
}

/// How `checklists validate` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticFormat {
    Text,
    Short,
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Where to write the bundle: a file, or a folder for the default name.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Export every finalized visit again (for a lost stick).
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ReceiptArgs {
    /// Receipt files from the office (`<device>-<n>.age`).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CaseImportArgs {
    /// Handover files from the office (`<device>-<case>.age`).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Replay scripts to run.
    #[arg(required_unless_present = "list_keys", value_name = "SCRIPT")]
    pub scripts: Vec<PathBuf>,
    /// Print every key name a `key` step knows, and stop.
    #[arg(long)]
    pub list_keys: bool,
    /// Folder of stored snapshots (default: `snapshots/` beside each script).
    #[arg(long, value_name = "DIR")]
    pub snapshots: Option<PathBuf>,
    /// Write snapshots instead of comparing them.
    #[arg(long)]
    pub update_snapshots: bool,
    /// Write the visits of the run as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SupervisorCommand {
    /// Make an organisation key (a standard age identity file, with the
    /// organisation's signing key in a comment line).
    Keygen {
        /// Write the identity here (never overwrites).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Add a signing key to an existing identity file (made before
        /// signing keys, or by age-keygen); its age key stays as it is.
        #[arg(long, value_name = "FILE", conflicts_with = "output")]
        add_signing_key: Option<PathBuf>,
    },
    /// Write the organisation card that laptops take at init: recipients,
    /// backup recipients and the signing public key.
    OrgCard {
        /// The organisation identity file (with its signing key).
        #[arg(
            short = 'i',
            long = "identity",
            required = true,
            value_name = "IDENTITY"
        )]
        identity: PathBuf,
        /// A backup recipient (age1…) whose identity is kept offline. Repeatable.
        #[arg(long = "backup", value_name = "RECIPIENT")]
        backups: Vec<String>,
        /// The organisation's name on the card.
        #[arg(long, value_name = "TEXT")]
        name: Option<String>,
        /// Write the card here (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Enrol a laptop by its device card: its bundles are accepted from then on.
    Enrol {
        /// The device card (`safevisit device-card` on the laptop).
        #[arg(value_name = "CARD")]
        card: PathBuf,
        /// The office folder (as for import).
        #[arg(long, required = true, value_name = "DIR")]
        out: PathBuf,
        /// The ledger in a PostgreSQL database instead of DIR/safevisit.sqlite:
        /// a connection string without a password
        /// (postgresql://kantoor@localhost/safevisit or "host=… dbname=…");
        /// the password comes from ~/.pgpass.
        #[arg(
            long,
            env = "SAFEVISIT_LEDGER",
            hide_env_values = true,
            value_name = "URL"
        )]
        ledger: Option<String>,
        /// The fingerprint as read out by phone (needed without a terminal, or --yes).
        #[arg(long, value_name = "XXXX-XXXX-XXXX-XXXX")]
        fingerprint: Option<String>,
        /// Enrol without comparing the fingerprint (it was checked otherwise).
        #[arg(long, conflicts_with = "fingerprint")]
        yes: bool,
        /// Replace the card of an enrolled device (a laptop set up again):
        /// from then on only bundles signed with the new key are accepted.
        #[arg(long)]
        replace: bool,
    },
    /// Revoke a laptop (lost, stolen): its bundles made at or after DATE are
    /// rejected; its visits already imported stay.
    Revoke {
        /// The device id (`safevisit supervisor devices`).
        #[arg(value_name = "DEVICE")]
        device: String,
        /// The office folder (as for import).
        #[arg(long, required = true, value_name = "DIR")]
        out: PathBuf,
        /// The ledger in a PostgreSQL database instead of DIR/safevisit.sqlite:
        /// a connection string without a password
        /// (postgresql://kantoor@localhost/safevisit or "host=… dbname=…");
        /// the password comes from ~/.pgpass.
        #[arg(
            long,
            env = "SAFEVISIT_LEDGER",
            hide_env_values = true,
            value_name = "URL"
        )]
        ledger: Option<String>,
        /// From when: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (default: now).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Why (kept in the ledger).
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Close a case at the office: cases.csv shows it closed, and the next
    /// receipt to every laptop that sent visits of it tells the laptop to
    /// delete its case card (written at once with -i).
    CloseCase {
        /// The case id (`case_id` in cases.csv).
        #[arg(value_name = "CASE")]
        case: String,
        /// The office folder (as for import).
        #[arg(long, required = true, value_name = "DIR")]
        out: PathBuf,
        /// The ledger in a PostgreSQL database instead of DIR/safevisit.sqlite:
        /// a connection string without a password
        /// (postgresql://kantoor@localhost/safevisit or "host=… dbname=…");
        /// the password comes from ~/.pgpass.
        #[arg(
            long,
            env = "SAFEVISIT_LEDGER",
            hide_env_values = true,
            value_name = "URL"
        )]
        ledger: Option<String>,
        /// Why: doel_bereikt, overgedragen, verhuisd, gestopt or anders.
        #[arg(long, required = true, value_name = "KEY")]
        reason: String,
        /// The date it was closed: YYYY-MM-DD (default: today).
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        /// The organisation identity file with the signing key: the
        /// receipts that tell the laptops are written now (else with the
        /// next import).
        #[arg(short = 'i', long = "identity", value_name = "IDENTITY")]
        identity: Option<PathBuf>,
    },
    /// Erase a visit or a whole case (a family) from the ledger and from
    /// every file of the office: visits/, cases/, the CSV files, the
    /// summary and the report. A tombstone (id, device, sequence, time,
    /// reason) keeps the gap check honest and stops a re-import.
    #[command(group(clap::ArgGroup::new("what").required(true).args(["visit", "case"])))]
    Erase {
        /// The visit id (visit_id in visits.csv).
        #[arg(long, value_name = "ID")]
        visit: Option<String>,
        /// The case id (case_id in cases.csv): every visit of the case.
        #[arg(long, value_name = "ID")]
        case: Option<String>,
        /// Why (kept with the tombstone and in the audit log; no names).
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
        /// List what would be erased; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// The office folder (as for import).
        #[arg(long, required = true, value_name = "DIR")]
        out: PathBuf,
        /// The ledger in a PostgreSQL database (as for import).
        #[arg(
            long,
            env = "SAFEVISIT_LEDGER",
            hide_env_values = true,
            value_name = "URL"
        )]
        ledger: Option<String>,
    },
    /// The retention period: set it (--set-period 7y), or erase every case
    /// whose last visit is older than it (through the same path as erase).
    Retention {
        /// Set the organisation's period: years (7y) or days (400d).
        #[arg(long, value_name = "PERIOD")]
        set_period: Option<String>,
        /// List what would be erased; change nothing.
        #[arg(long, conflicts_with = "set_period")]
        dry_run: bool,
        /// The date to count from, YYYY-MM-DD (default: today; for tests).
        #[arg(long, value_name = "DATE", hide = true)]
        today: Option<String>,
        /// The office folder (as for import).
        #[arg(long, required = true, value_name = "DIR")]
        out: PathBuf,
        /// The ledger in a PostgreSQL database (as for import).
        #[arg(
            long,
            env = "SAFEVISIT_LEDGER",
            hide_env_values = true,
            value_name = "URL"
        )]
        ledger: Option<String>,
    },
    /// Hand a case over to another laptop: writes its case card, signed by
    /// the organisation and encrypted to that laptop, for `safevisit
    /// case-import FILE` there.
    Handover {
        /// The case id (`case_id` in cases.csv).
        #[arg(value_name = "CASE")]
        case: String,
        /// The device id of the laptop that takes the case over.
        #[arg(long, required = true, value_name = "DEVICE")]
        to: String,
        /// The office folder (as for import).
        #[arg(long, required = true, value_name = "DIR")]
        out: PathBuf,
        /// The ledger in a PostgreSQL database instead of DIR/safevisit.sqlite:
        /// a connection string without a password
        /// (postgresql://kantoor@localhost/safevisit or "host=… dbname=…");
        /// the password comes from ~/.pgpass.
        #[arg(
            long,
            env = "SAFEVISIT_LEDGER",
            hide_env_values = true,
            value_name = "URL"
        )]
        ledger: Option<String>,
        /// The organisation identity file with the signing key.
        #[arg(
            short = 'i',
            long = "identity",
            required = true,
            value_name = "IDENTITY"
        )]
        identity: PathBuf,
    },
    /// List the devices the office knows.
    Devices {
        /// The office folder (as for import).
        #[arg(long, required = true, value_name = "DIR")]
        out: PathBuf,
        /// The ledger in a PostgreSQL database instead of DIR/safevisit.sqlite:
        /// a connection string without a password
        /// (postgresql://kantoor@localhost/safevisit or "host=… dbname=…");
        /// the password comes from ~/.pgpass.
        #[arg(
            long,
            env = "SAFEVISIT_LEDGER",
            hide_env_values = true,
            value_name = "URL"
        )]
        ledger: Option<String>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Decrypt bundles and record them in the office ledger.
    #[command(
        after_help = "Exit codes: 0 all imported; 3 something was rejected (the sound input was still imported); 2 usage error; 1 any other failure."
    )]
    Import {
        /// An organisation identity file. Repeatable (key rotation).
        #[arg(
            short = 'i',
            long = "identity",
            required = true,
            value_name = "IDENTITY"
        )]
        identities: Vec<PathBuf>,
        /// The office folder: ledger database and reports.
        #[arg(long, required = true, value_name = "DIR")]
        out: PathBuf,
        /// The ledger in a PostgreSQL database instead of DIR/safevisit.sqlite:
        /// a connection string without a password
        /// (postgresql://kantoor@localhost/safevisit or "host=… dbname=…");
        /// the password comes from ~/.pgpass.
        #[arg(
            long,
            env = "SAFEVISIT_LEDGER",
            hide_env_values = true,
            value_name = "URL"
        )]
        ledger: Option<String>,
        /// Accept unsigned (format-1) bundles of enrolled or unknown
        /// devices, during the migration; reported loudly.
        #[arg(long)]
        allow_unsigned: bool,
        /// Also write visits-excel.csv for a spreadsheet in a Dutch locale:
        /// `;` between cells, `|` between the values of one cell, UTF-8
        /// with a BOM (kept up to date by every later import).
        #[arg(long)]
        excel: bool,
        /// Bundle files.
        #[arg(required = true, value_name = "BUNDLE")]
        bundles: Vec<PathBuf>,
    },
    /// Show the office's audit log, oldest first: who imported, enrolled,
    /// revoked, closed, handed over, wrote receipts, migrated or erased
    /// what, and when (never any answer text).
    Audit {
        /// The office folder (as for import).
        #[arg(long, value_name = "DIR", required_unless_present = "ledger")]
        out: Option<PathBuf>,
        /// The ledger in a PostgreSQL database (as for import).
        #[arg(
            long,
            env = "SAFEVISIT_LEDGER",
            hide_env_values = true,
            value_name = "URL"
        )]
        ledger: Option<String>,
        /// Only entries from this day or time on: YYYY-MM-DD or
        /// YYYY-MM-DDTHH:MM:SS.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// As JSON (an array of entries).
        #[arg(long)]
        json: bool,
    },
    /// Bring the ledger's schema up to this safevisit's version, in one
    /// transaction (a ledger on PostgreSQL is not migrated by itself).
    Migrate {
        /// The office folder whose safevisit.sqlite is migrated.
        #[arg(long, value_name = "DIR", required_unless_present = "ledger")]
        out: Option<PathBuf>,
        /// The ledger in a PostgreSQL database (as for import).
        #[arg(
            long,
            env = "SAFEVISIT_LEDGER",
            hide_env_values = true,
            value_name = "URL"
        )]
        ledger: Option<String>,
    },
}
