//! The `repeat` key of a section: a repeatable section whose entries the
//! worker adds (`repeat = true`), or a roster-driven one with exactly one
//! entry per roster member (`repeat = { per = "child" }`, `"caregiver"` or
//! `"person"`), or a follow-up section with exactly one entry per
//! agreement, flag or scaling answer of the previous visit
//! (`repeat = { per = "agreement" }`, `"flag"` or `"scaling"`).
//!
//! Pure: reads the spanned TOML tree of one section.

use toml::de::DeValue;

use crate::checklist::diagnostic::{Msg, did_you_mean};
use crate::checklist::load::{Reader, Tbl};
use crate::checklist::model::{Repeat, RepeatPer};

/// Most entries a worker may add when the author gives no `max_entries`.
pub const DEFAULT_MAX_ENTRIES: u16 = 50;
/// The keys of the table form `repeat = { … }`.
const REPEAT_KEYS: &[&str] = &["per"];

/// Read `repeat`, `entry_label` and `max_entries` of a section table.
pub(super) fn repeat(r: &mut Reader<'_>, t: &Tbl<'_, '_>) -> Option<Repeat> {
    let Some(v) = t.get("repeat") else {
        not_repeatable(r, t);
        return None;
    };
    match v.get_ref() {
        DeValue::Boolean(false) => {
            not_repeatable(r, t);
            None
        }
        DeValue::Boolean(true) => {
            let entry_label = r.text_req(t, "entry_label");
            let max_entries = match r.int_opt(t, "max_entries") {
                Some((n, _)) if (1..=1000).contains(&n) => n as u16,
                Some((_, span)) => {
                    r.sink.error(
                        &span,
                        Msg::new(
                            "`max_entries` moet van 1 tot en met 1000 zijn",
                            "`max_entries` must be from 1 to 1000",
                        ),
                    );
                    DEFAULT_MAX_ENTRIES
                }
                None => DEFAULT_MAX_ENTRIES,
            };
            // Without its `entry_label` (reported) the section still
            // repeats: conditions on its entries are checked as such.
            Some(Repeat {
                entry_label: entry_label.unwrap_or_default(),
                max_entries,
                per: None,
            })
        }
        DeValue::Table(inner) => {
            let table = Tbl {
                t: inner,
                span: v.span(),
                what: "`repeat`",
            };
            r.keys(&table, REPEAT_KEYS);
            let Some((per, span)) = r.str_opt(&table, "per") else {
                if table.get("per").is_none() {
                    r.sink.error_help(
                        &v.span(),
Msg::new("`repeat` als tabel heeft `per` nodig", "`repeat` as a table needs `per`"),
Msg::new("schrijf repeat = { per = \"child\" } (of \"caregiver\", \"person\", \"agreement\", \"flag\", \"scaling\"), of repeat = true", "write repeat = { per = \"child\" } (or \"caregiver\", \"person\", \"agreement\", \"flag\", \"scaling\"), or repeat = true"),
                    );
                }
                return None;
            };
            let Some(kind) = RepeatPer::from_key(&per) else {
                r.sink.error_help(
                    &span,
Msg::new(format!("`per` kan niet \"{per}\" zijn"), format!("`per` cannot be \"{per}\"")),
                    did_you_mean(&per, RepeatPer::KEYS).unwrap_or_else(|| {
                        Msg::new("gebruik \"child\", \"caregiver\" of \"person\" (iedereen) voor het gezin, of \"agreement\", \"flag\" of \"scaling\" voor het vorige bezoek", "use \"child\", \"caregiver\" or \"person\" (everyone) for the roster, or \"agreement\", \"flag\" or \"scaling\" for the previous visit")
                    }),
                );
                return None;
            };
            if let Some(m) = t.get("max_entries") {
                let (what, one, wat, een) = match kind {
                    RepeatPer::Roster(_) => ("roster member", "person", "gezinslid", "persoon"),
                    RepeatPer::Previous(_) => (
                        "agreement, flag or scaling answer of the previous visit",
                        "item of the previous visit",
                        "afspraak, vlag of schaalvraag van het vorige bezoek",
                        "punt van het vorige bezoek",
                    ),
                };
                r.sink.error_help(
                    &m.span(),
                    Msg::new(format!("`max_entries` hoort niet bij een onderdeel dat per {wat} herhaald wordt"), format!("`max_entries` does not apply to a section repeated per {what}")),
                    Msg::new(format!("het heeft precies één invulling per {een}: haal `max_entries` weg"), format!("it has exactly one entry per {one}: remove `max_entries`")),
                );
            }
            let entry_label = if t.get("entry_label").is_some() {
                r.text_opt(t, "entry_label")?
            } else {
                kind.default_label()
            };
            Some(Repeat {
                entry_label,
                max_entries: 1000,
                per: Some(kind),
            })
        }
        _ => {
            r.wrong_type("repeat", v, "true or a table such as { per = \"child\" }");
            None
        }
    }
}

/// `entry_label` and `max_entries` on a section that does not repeat.
fn not_repeatable(r: &mut Reader<'_>, t: &Tbl<'_, '_>) {
    for key in ["entry_label", "max_entries"] {
        if let Some(v) = t.get(key) {
            r.sink.error_help(
                &v.span(),
                Msg::new(
                    format!("`{key}` hoort alleen bij herhaalbare onderdelen"),
                    format!("`{key}` only applies to repeatable sections"),
                ),
                Msg::new(
                    "voeg `repeat = true` toe of haal het weg",
                    "add `repeat = true` or remove it",
                ),
            );
        }
    }
}
