//! What opening a draft against today's checklists does to its answers:
//! the note for the worker when a checklist changed or is gone, and which
//! answers date from which earlier version (record format 5).
//!
//! Pure: no I/O.

use crate::checklist::model::Checklist;
use crate::i18n::Text;
use crate::visit::Sheet;
use crate::visit::record::{EarlierVersion, SheetRecord};

/// Which answers of a sheet were given under which earlier version, after
/// the sheet was read from `sr` against checklist `c`: the record's own
/// list, and, when `c` is not the file the record was written with, the
/// answers carried over from that file under its version. Only items that
/// still hold an answer are listed; an item listed for an older version
/// stays with it.
pub(super) fn earlier_versions(
    c: &Checklist,
    sr: &SheetRecord,
    sheet: &Sheet,
) -> Vec<EarlierVersion> {
    let answered = |id: &str| match c.item_index(id) {
        None => false,
        Some(i) => {
            let si = c.items[i].section;
            let sec = &c.sections[si];
            if sec.repeat.is_some() {
                sheet.entries[si]
                    .iter()
                    .any(|e| e.get(i - sec.items.start).is_some_and(Option::is_some))
            } else {
                sheet.answers[i].is_some()
            }
        }
    };
    let mut out: Vec<EarlierVersion> = sr
        .earlier
        .iter()
        .map(|e| EarlierVersion {
            version: e.version,
            hash: e.hash.clone(),
            items: e.items.iter().filter(|i| answered(i)).cloned().collect(),
        })
        .collect();
    if c.hash.to_hex() != sr.checklist.hash {
        let listed: Vec<&String> = out.iter().flat_map(|e| &e.items).collect();
        let items: Vec<String> = c
            .items
            .iter()
            .map(|it| &it.id)
            .filter(|id| answered(id) && !listed.contains(id))
            .cloned()
            .collect();
        out.push(EarlierVersion {
            version: sr.checklist.version,
            hash: sr.checklist.hash.clone(),
            items,
        });
    }
    out.retain(|e| !e.items.is_empty());
    out
}

/// What opening a draft did to the answers of one checklist.
pub(super) struct ChecklistChange {
    pub(super) id: String,
    /// The version the draft was started with.
    pub(super) from: u32,
    /// The version available now, if any.
    pub(super) to: Option<u32>,
    /// The file is not the one the draft was started with.
    pub(super) changed: bool,
    /// Answers that no longer fit and were kept aside.
    pub(super) kept_aside: usize,
}

/// "1 antwoord staat" / "2 antwoorden staan": the count with its verb.
fn answers_nl(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 antwoord {one}")
    } else {
        format!("{n} antwoorden {many}")
    }
}

fn answers_en(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 answer {one}")
    } else {
        format!("{n} answers {many}")
    }
}

impl ChecklistChange {
    /// The note for the worker, if anything happened; `flags` is the number
    /// of red flags the record holds for this checklist.
    pub(super) fn note(&self, flags: usize) -> Option<Text> {
        let id = &self.id;
        let n = self.kept_aside;
        match self.to {
            None => {
                let (flags_nl, flags_en) = if flags > 0 {
                    (" Rode vlaggen ervan blijven staan.", " Its red flags stay.")
                } else {
                    ("", "")
                };
                if n == 0 {
                    return Some(Text::new(
                        format!(
                            "Checklist {id} (versie {}) is er niet meer of heeft een fout; er stonden nog geen antwoorden in.{flags_nl}",
                            self.from
                        ),
                        format!(
                            "Checklist {id} (version {}) is no longer available or has an error; it held no answers yet.{flags_en}",
                            self.from
                        ),
                    ));
                }
                Some(Text::new(
                    format!(
                        "Checklist {id} (versie {}) is er niet meer of heeft een fout. {} apart en {} bewaard, ook na afronden.{flags_nl}",
                        self.from,
                        answers_nl(n, "staat", "staan"),
                        if n == 1 { "blijft" } else { "blijven" },
                    ),
                    format!(
                        "Checklist {id} (version {}) is no longer available or has an error. {} kept aside, also after finalizing.{flags_en}",
                        self.from,
                        answers_en(n, "is", "are"),
                    ),
                ))
            }
            Some(to) if self.changed || n > 0 => {
                let (what_nl, what_en) = if to == self.from {
                    (
                        format!("Checklist {id} is aangepast (versie {to})."),
                        format!("Checklist {id} was changed (version {to})."),
                    )
                } else {
                    (
                        format!("Checklist {id} is nu versie {to} (was {}).", self.from),
                        format!("Checklist {id} is now version {to} (was {}).", self.from),
                    )
                };
                if n == 0 {
                    Some(Text::new(
                        format!("{what_nl} Alle antwoorden passen nog."),
                        format!("{what_en} All answers still fit."),
                    ))
                } else {
                    Some(Text::new(
                        format!(
                            "{what_nl} {} niet meer; apart bewaard.",
                            answers_nl(n, "past", "passen"),
                        ),
                        format!(
                            "{what_en} {} no longer; kept aside.",
                            answers_en(n, "fits", "fit"),
                        ),
                    ))
                }
            }
            Some(_) => None,
        }
    }
}
