//! The rows of the review's tabs, wrapped to the width they are drawn at:
//! open required items grouped by person, scores with their band legend,
//! every answer grouped by person and list, and every flag with what was
//! done about it. Pure: builds lines from the visit, draws nothing.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::checklist::model::Score;
use crate::i18n::Lang;
use crate::tui::screens::review::show_answer;
use crate::tui::screens::visit::sheet_order;
use crate::tui::view::ViewCtx;
use crate::visit::derive::ScoreValue;
use crate::visit::{Derived, FlagState, Person, Visit};

/// One screen line of a tab.
pub enum Row {
    Text(Line<'static>),
    /// A line of open item `n` (tab 1): Enter goes to that item.
    Open(usize, Line<'static>),
    /// A heading: whose (level 0) or which list (level 1) the lines below
    /// are about. The review names the headings in force at the top of the
    /// page on its frame, so a page deep in a list still says whose it is.
    Heading(u8, String, Line<'static>),
    Gauge {
        label: String,
        ratio: f64,
        style: Style,
    },
}

/// A row of the first tab: an invalid typed value (the index into
/// `Visit::pending`) or a missing required item.
#[derive(Clone, Copy)]
pub struct Open {
    pub sheet: usize,
    pub item: usize,
    pub entry: Option<usize>,
    pub invalid: Option<usize>,
}

/// The first tab's items, in the order they are listed: every invalid
/// draft value ("ongeldig", they block finalizing), then every missing
/// required item, grouped by person as the F3 picker orders the lists.
pub fn open_places(visit: &Visit, derived: &Derived) -> Vec<Open> {
    let invalid = derived.invalid.iter().filter_map(|&p| {
        let (sheet, item, entry) = visit.pending_place(p)?;
        Some(Open {
            sheet,
            item,
            entry,
            invalid: Some(p),
        })
    });
    let missing = sheet_order(visit).into_iter().flat_map(|s| {
        derived.sheets[s].missing.iter().map(move |m| Open {
            sheet: s,
            item: m.item,
            entry: m.entry,
            invalid: None,
        })
    });
    invalid.chain(missing).collect()
}

/// How many required items are missing in the whole visit.
pub fn missing_count(derived: &Derived) -> usize {
    derived.sheets.iter().map(|d| d.missing.len()).sum()
}

/// Whom a sheet (or flag) is about, as a heading.
pub fn person(visit: &Visit, p: Person, lang: Lang) -> String {
    match p {
        Person::Visit => lang
            .pick("Bezoek (het hele gezin)", "Visit (the whole family)")
            .to_string(),
        p => visit.roster.name(p),
    }
}

/// `text` wrapped at word boundaries to `width` columns (a longer word is
/// broken); its own line breaks are kept. Never empty.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut used = 0usize;
        for word in para.split_whitespace() {
            let mut word: Vec<char> = word.chars().collect();
            if used > 0 && used + 1 + word.len() > width {
                out.push(std::mem::take(&mut line));
                used = 0;
            }
            while used == 0 && word.len() > width {
                let rest = word.split_off(width);
                out.push(word.into_iter().collect());
                word = rest;
            }
            if used > 0 {
                line.push(' ');
                used += 1;
            }
            used += word.len();
            line.extend(word);
        }
        out.push(line);
    }
    out
}

/// `text` wrapped to `width` after an indent, as styled lines.
fn wrapped(text: &str, indent: usize, width: usize, style: Style) -> Vec<Line<'static>> {
    let pad = " ".repeat(indent);
    wrap(text, width.saturating_sub(indent))
        .into_iter()
        .map(|l| Line::styled(format!("{pad}{l}"), style))
        .collect()
}

/// Tab 1: the open items, grouped by person and list, each with its
/// section and the question's own text, wrapped.
pub fn open_rows(
    v: &ViewCtx<'_>,
    visit: &Visit,
    open: &[Open],
    sel: usize,
    width: usize,
) -> Vec<Row> {
    let t = |nl, en| v.lang.pick(nl, en);
    let mut rows = Vec::new();
    if open.is_empty() {
        rows.push(Row::Text(Line::styled(
            t(
                "Alle verplichte vragen zijn beantwoord.",
                "Every required question is answered.",
            ),
            v.theme.ok(),
        )));
        return rows;
    }
    rows.push(Row::Text(Line::styled(
        t(
            "Enter: naar de vraag · ↑/↓ kiezen · PageUp/PageDown bladeren",
            "Enter: go to the question · ↑/↓ choose · PageUp/PageDown page",
        ),
        v.theme.dim(),
    )));
    let mut group: Option<(bool, Option<Person>, usize)> = None;
    for (n, o) in open.iter().enumerate() {
        let sheet = &visit.sheets[o.sheet];
        let c = &sheet.checklist;
        let it = &c.items[o.item];
        // A heading for the invalid values, and for each person and list.
        let invalid = o.invalid.is_some();
        let here = (invalid, (!invalid).then_some(sheet.person), o.sheet);
        if group.is_none_or(|g| g.0 != here.0 || (!invalid && g.1 != here.1)) {
            rows.push(Row::Text(Line::raw("")));
            let head = if invalid {
                t(
                    "Ongeldige antwoorden (verbeter of wis ze voor u afrondt)",
                    "Invalid answers (mend or clear them before you finalize)",
                )
                .to_string()
            } else {
                person(visit, sheet.person, v.lang)
            };
            rows.push(Row::Heading(
                0,
                head.clone(),
                Line::styled(
                    head,
                    if invalid {
                        v.theme.error()
                    } else {
                        v.theme.title()
                    },
                ),
            ));
        }
        if group.is_none_or(|g| g.2 != here.2 || g.0 != here.0) {
            let title = c.title.get(v.lang).to_string();
            rows.push(Row::Heading(
                1,
                title.clone(),
                Line::styled(format!(" {title}"), v.theme.key()),
            ));
        }
        group = Some(here);
        // "Afspraak 2", or the person of an entry made from the roster.
        let entry = o.entry.map_or(String::new(), |e| {
            format!(
                " · {}",
                visit.entry_title(o.sheet, it.section, e).get(v.lang)
            )
        });
        // An invalid value shows what was typed, on one line.
        let mark = match o.invalid.and_then(|p| visit.pending.get(p)) {
            Some(p) => format!(
                " · {} «{}»",
                v.lang.pick("ongeldig", "invalid"),
                p.text.as_str().replace('\n', " ⏎ ")
            ),
            None => String::new(),
        };
        let chosen = n == sel;
        let style = if chosen {
            v.theme.selected()
        } else if invalid {
            v.theme.error()
        } else {
            v.theme.normal()
        };
        let marker = if chosen { " ▶ " } else { "   " };
        let text = format!(
            "{}{entry}{mark}: {}",
            c.sections[it.section].title.get(v.lang),
            it.text.get(v.lang)
        );
        for (k, l) in wrap(&text, width.saturating_sub(5)).into_iter().enumerate() {
            let lead = if k == 0 { marker } else { "   " };
            rows.push(Row::Open(n, Line::styled(format!("{lead}  {l}"), style)));
        }
    }
    rows
}

/// The bands of a score that apply to a person in `age_band`.
fn bands_for(score: &Score, age_band: Option<usize>) -> Vec<usize> {
    let specific = score.bands.iter().any(|b| b.age_band.is_some());
    (0..score.bands.len())
        .filter(|&i| {
            let b = &score.bands[i];
            !specific || b.age_band.is_none() || b.age_band == age_band
        })
        .collect()
}

/// The legend of a score bar: each band's edges and label, the band this
/// score falls in marked with ▶ and the score (never by colour alone).
pub fn legend(score: &Score, sv: &ScoreValue, age_band: Option<usize>, lang: Lang) -> String {
    let parts: Vec<String> = bands_for(score, age_band)
        .into_iter()
        .map(|i| {
            let b = &score.bands[i];
            let edges = match b.to {
                Some(to) if to == b.from => format!("{}", b.from),
                Some(to) => format!("{}–{to}", b.from),
                None => format!("{}+", b.from),
            };
            if sv.band == Some(i) {
                match lang {
                    Lang::Nl => format!("▶ {edges} {} (hier: {})", b.label.nl, sv.value),
                    Lang::En => format!("▶ {edges} {} (here: {})", b.label.en, sv.value),
                }
            } else {
                format!("{edges} {}", b.label.get(lang))
            }
        })
        .collect();
    format!("{}: {}", lang.pick("Grenzen", "Bands"), parts.join(" · "))
}

/// Tab 2: every score against its bands, with a legend and the band's
/// meaning wrapped, and every outcome; each checklist's block starts with
/// its notice.
pub fn score_rows(v: &ViewCtx<'_>, visit: &Visit, derived: &Derived, width: usize) -> Vec<Row> {
    let t = |nl, en| v.lang.pick(nl, en);
    let mut rows = vec![Row::Text(Line::styled(
        t(
            "beslisondersteuning, geen besluit",
            "decision support, not a decision",
        ),
        v.theme.warn(),
    ))];
    for s in sheet_order(visit) {
        let sheet = &visit.sheets[s];
        let c = &sheet.checklist;
        let d = &derived.sheets[s];
        // A list not taken has no scores (tab 1 says why it was not taken).
        if (c.scores.is_empty() && c.outcomes.is_empty()) || visit.sheet_set_aside(s) {
            continue;
        }
        rows.push(Row::Text(Line::raw("")));
        let head = format!(
            "{} · {}",
            person(visit, sheet.person, v.lang),
            c.title.get(v.lang)
        );
        let mut lines = wrapped(&head, 0, width, v.theme.title()).into_iter();
        if let Some(first) = lines.next() {
            rows.push(Row::Heading(0, head.clone(), first));
        }
        for l in lines {
            rows.push(Row::Text(l));
        }
        // The checklist's own notice (docs/CHECKLISTS.md): what its scores
        // and outcomes may and may not be used for, with every block of them.
        let notice = c.notice.get(v.lang);
        if !notice.is_empty() {
            let text = format!("{}: {notice}", t("Let op", "Note"));
            for l in wrapped(&text, 0, width, v.theme.warn()) {
                rows.push(Row::Text(l));
            }
        }
        for (score, sv) in c.scores.iter().zip(&d.scores) {
            let (lo, hi) = score.range;
            let ratio = if hi > lo {
                (sv.value - lo) as f64 / (hi - lo) as f64
            } else {
                0.0
            };
            let band = sv.band.map(|b| &score.bands[b]);
            let band_label = band.map_or_else(
                || t("(nog niets beantwoord)", "(nothing answered yet)").to_string(),
                |b| b.label.get(v.lang).to_string(),
            );
            rows.push(Row::Text(Line::from(vec![
                Span::raw(format!("{}: ", score.title.get(v.lang))),
                Span::styled(band_label, v.theme.title()),
            ])));
            rows.push(Row::Gauge {
                label: format!(
                    "{} ({}–{}) · {}/{} {}",
                    sv.value,
                    lo,
                    hi,
                    sv.answered,
                    sv.visible,
                    t("beantwoord", "answered")
                ),
                ratio,
                style: v.theme.gauge(),
            });
            for l in wrapped(
                &legend(score, sv, d.age_band, v.lang),
                3,
                width,
                v.theme.normal(),
            ) {
                rows.push(Row::Text(l));
            }
            if let Some(b) = band {
                for l in wrapped(b.meaning.get(v.lang), 3, width, v.theme.dim()) {
                    rows.push(Row::Text(l));
                }
            }
        }
        for (oi, o) in c.outcomes.iter().enumerate() {
            let rule = d.outcomes[oi].map(|r| &o.rules[r]);
            let value = rule.map_or_else(
                || t("(nog geen uitkomst)", "(no outcome yet)").to_string(),
                |r| r.label.get(v.lang).to_string(),
            );
            rows.push(Row::Text(Line::from(vec![
                Span::raw(format!("{}: ", o.title.get(v.lang))),
                Span::styled(value, v.theme.title()),
            ])));
            if let Some(m) = rule.and_then(|r| r.meaning.as_ref()) {
                for l in wrapped(m.get(v.lang), 3, width, v.theme.dim()) {
                    rows.push(Row::Text(l));
                }
            }
        }
    }
    rows
}

/// Tab 3: every answer, grouped by person and list, section and entry;
/// questions and answers wrapped (a long text answer whole, line by line).
pub fn answer_rows(v: &ViewCtx<'_>, visit: &Visit, derived: &Derived, width: usize) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut last_person = None;
    for s in sheet_order(visit) {
        let sheet = &visit.sheets[s];
        let c = &sheet.checklist;
        let d = &derived.sheets[s];
        if last_person != Some(sheet.person) {
            if last_person.is_some() {
                rows.push(Row::Text(Line::raw("")));
            }
            last_person = Some(sheet.person);
            let who = person(visit, sheet.person, v.lang);
            rows.push(Row::Heading(
                0,
                who.clone(),
                Line::styled(who, v.theme.title()),
            ));
        }
        let title = c.title.get(v.lang).to_string();
        let mut lines = wrapped(&title, 1, width, v.theme.title()).into_iter();
        if let Some(first) = lines.next() {
            rows.push(Row::Heading(1, title.clone(), first));
        }
        for l in lines {
            rows.push(Row::Text(l));
        }
        for (si, sec) in c.sections.iter().enumerate() {
            if !d.section_visible[si] {
                continue;
            }
            for l in wrapped(sec.title.get(v.lang), 2, width, v.theme.key()) {
                rows.push(Row::Text(l));
            }
            let entries: Vec<Option<usize>> = if sec.repeat.is_some() {
                (0..sheet.entries[si].len()).map(Some).collect()
            } else {
                vec![None]
            };
            if entries.is_empty() {
                rows.push(Row::Text(Line::styled(
                    format!("    {}", v.lang.pick("(geen)", "(none)")),
                    v.theme.dim(),
                )));
            }
            for entry in entries {
                if let Some(e) = entry {
                    rows.push(Row::Text(Line::styled(
                        format!("   {}", visit.entry_title(s, si, e).get(v.lang)),
                        v.theme.key(),
                    )));
                }
                for i in sec.items.clone() {
                    if !d.visible(c, i, entry) {
                        continue;
                    }
                    let q = c.items[i].text_for(d.age_band).get(v.lang);
                    for l in wrapped(q, 4, width, v.theme.normal()) {
                        rows.push(Row::Text(l));
                    }
                    let answered = sheet.answer(i, entry).is_some();
                    match sheet.answer(i, entry) {
                        Some(crate::visit::Answer::Text(text)) => {
                            // A long answer whole, keeping its own lines.
                            for l in wrapped(text.as_str(), 8, width, v.theme.title()) {
                                rows.push(Row::Text(l));
                            }
                        }
                        Some(a) => {
                            for l in
                                wrapped(&show_answer(c, i, a, v.lang), 8, width, v.theme.title())
                            {
                                rows.push(Row::Text(l));
                            }
                        }
                        None => rows.push(Row::Text(Line::styled(
                            format!(
                                "        — {}",
                                if c.items[i].required {
                                    v.lang.pick("open (verplicht)", "open (required)")
                                } else {
                                    v.lang.pick("niet beantwoord", "not answered")
                                }
                            ),
                            if c.items[i].required {
                                v.theme.required()
                            } else {
                                v.theme.dim()
                            },
                        ))),
                    }
                    // An answer given under an earlier version of the
                    // checklist (a draft continued on a newer one) says so.
                    if answered
                        && entry.is_none()
                        && let Some(e) = sheet
                            .earlier
                            .iter()
                            .find(|e| e.items.contains(&c.items[i].id))
                    {
                        rows.push(Row::Text(Line::styled(
                            format!(
                                "        ({} {})",
                                v.lang.pick("gegeven onder versie", "given under version"),
                                e.version
                            ),
                            v.theme.dim(),
                        )));
                    }
                }
            }
        }
    }
    rows
}

/// Tab 4, "Vlaggen en acties": every flag raised in this visit, grouped by
/// person, with its level and state in words, its message, what the
/// worker did, and why it was withdrawn.
pub fn flag_rows(v: &ViewCtx<'_>, visit: &Visit, width: usize) -> Vec<Row> {
    let t = |nl, en| v.lang.pick(nl, en);
    let mut rows = Vec::new();
    if visit.flags.is_empty() {
        rows.push(Row::Text(Line::styled(
            t("Er zijn geen rode vlaggen.", "There are no red flags."),
            v.theme.ok(),
        )));
        return rows;
    }
    let order = sheet_order(visit);
    let rank = |p: Person| {
        order
            .iter()
            .position(|&s| visit.sheets[s].person == p)
            .unwrap_or(usize::MAX)
    };
    let mut flags: Vec<usize> = (0..visit.flags.len()).collect();
    flags.sort_by_key(|&i| rank(visit.flags[i].person));
    let mut last = None;
    let hm = |at: time::PrimitiveDateTime| format!("{:02}:{:02}", at.hour(), at.minute());
    for i in flags {
        let fl = &visit.flags[i];
        if last != Some(fl.person) {
            if last.is_some() {
                rows.push(Row::Text(Line::raw("")));
            }
            last = Some(fl.person);
            let who = person(visit, fl.person, v.lang);
            rows.push(Row::Heading(
                0,
                who.clone(),
                Line::styled(who, v.theme.title()),
            ));
        }
        let level_style = match (fl.state, fl.level) {
            (FlagState::Active, crate::checklist::model::FlagLevel::Acute) => v.theme.error(),
            (FlagState::Active, _) => v.theme.warn(),
            _ => v.theme.dim(),
        };
        let checklist = visit
            .sheets
            .iter()
            .find(|s| s.checklist.id == fl.checklist)
            .map(|s| s.checklist.title.get(v.lang).to_string())
            .unwrap_or_else(|| fl.checklist.clone());
        for l in wrapped(
            &format!(
                "⚑ {} · {} · {} {} · {checklist}",
                fl.level.label().get(v.lang).to_uppercase(),
                fl.state.label().get(v.lang),
                t("gemeld", "raised"),
                hm(fl.raised_at),
            ),
            1,
            width,
            level_style,
        ) {
            rows.push(Row::Text(l));
        }
        for l in wrapped(fl.message.get(v.lang), 3, width, v.theme.normal()) {
            rows.push(Row::Text(l));
        }
        let done = fl.action_taken.as_str();
        let action = match fl.acknowledged_at {
            Some(at) if !done.trim().is_empty() => {
                format!("{} ({}): {done}", t("Gedaan", "Done"), hm(at))
            }
            Some(at) => format!("{} ({})", t("Bevestigd", "Acknowledged"), hm(at)),
            None => t(
                "Nog niet bevestigd: wat heeft u gedaan?",
                "Not acknowledged yet: what did you do?",
            )
            .to_string(),
        };
        for l in wrapped(
            &action,
            3,
            width,
            if fl.acknowledged_at.is_some() {
                v.theme.normal()
            } else {
                v.theme.error()
            },
        ) {
            rows.push(Row::Text(l));
        }
        let when = fl.state_at.map(hm).unwrap_or_default();
        let state_line = match fl.state {
            FlagState::Withdrawn => Some(format!(
                "{} {when}: {}",
                t("Ingetrokken om", "Withdrawn at"),
                fl.withdrawn_reason.as_str()
            )),
            FlagState::Lapsed => Some(format!(
                "{} {when} {}",
                t("Vervallen om", "Lapsed at"),
                t("(het antwoord is veranderd)", "(the answer was changed)")
            )),
            FlagState::Active => None,
        };
        if let Some(s) = state_line {
            for l in wrapped(&s, 3, width, v.theme.dim()) {
                rows.push(Row::Text(l));
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::{Row, answer_rows, legend, wrap};
    use crate::checklist::model::{Band, Score, ScoreMethod};
    use crate::i18n::{Lang, Text};
    use crate::visit::derive::ScoreValue;

    fn band(id: &str, from: i64, to: Option<i64>, age_band: Option<usize>) -> Band {
        Band {
            id: id.into(),
            from,
            to,
            age_band,
            label: Text::new(id, id),
            meaning: Text::new("", ""),
        }
    }

    #[test]
    fn the_legend_names_every_band_and_marks_where_the_score_falls() {
        let score = Score {
            id: "risico".into(),
            title: Text::new("Risico", "Risk"),
            method: ScoreMethod::Sum,
            items: Vec::new(),
            bands: vec![
                band("laag", 0, Some(2), None),
                band("midden", 3, Some(5), None),
                band("hoog", 6, None, None),
            ],
            range: (0, 13),
        };
        let sv = ScoreValue {
            value: 7,
            band: Some(2),
            answered: 12,
            visible: 12,
        };
        assert_eq!(
            legend(&score, &sv, None, Lang::Nl),
            "Grenzen: 0–2 laag · 3–5 midden · ▶ 6+ hoog (hier: 7)"
        );
        // Nothing answered: no band is marked.
        let none = ScoreValue::default();
        assert!(!legend(&score, &none, None, Lang::En).contains('▶'));
        // Bands of another age band are left out.
        let mut young = score.clone();
        young.bands = vec![
            band("a", 0, Some(3), Some(0)),
            band("b", 0, Some(5), Some(1)),
            band("c", 4, None, Some(0)),
        ];
        let sv = ScoreValue {
            value: 4,
            band: Some(2),
            ..ScoreValue::default()
        };
        assert_eq!(
            legend(&young, &sv, Some(0), Lang::En),
            "Bands: 0–3 a · ▶ 4+ c (here: 4)"
        );
    }

    #[test]
    fn wrap_breaks_at_words_keeps_line_breaks_and_never_cuts() {
        assert_eq!(wrap("aaaa bbbb", 9), vec!["aaaa bbbb"]);
        assert_eq!(wrap("aaaa bbbb", 8), vec!["aaaa", "bbbb"]);
        assert_eq!(wrap("een\ntwee drie", 20), vec!["een", "twee drie"]);
        assert_eq!(wrap("abcdefghijkl", 5), vec!["abcde", "fghij", "kl"]);
        assert_eq!(wrap("", 5), vec![""]);
        // Every character is still there.
        let text = "Sinds de geboorte van Mila controleert Ruben haar telefoon en het geld.";
        let joined: String = wrap(text, 17).join(" ");
        assert_eq!(joined, text);
        assert!(wrap(text, 17).iter().all(|l| l.chars().count() <= 17));
    }

    #[test]
    fn an_answer_given_under_an_earlier_version_says_so() {
        use crate::checklist::Catalog;
        use crate::tui::theme::Theme;
        use crate::tui::view::ViewCtx;
        use crate::visit::record::EarlierVersion;
        use crate::visit::{Answer, Visit, derive};
        let now = time::macros::datetime!(2026-03-04 10:00);
        let catalog = Catalog::bundled();
        let c = catalog.get("veiligheid").unwrap();
        let mut visit = Visit::new("v".into(), "Kersenboom".into(), now.date(), now);
        visit.use_checklist(c);
        let first = c.item_index("acuut_geweld").unwrap();
        visit
            .set_answer(0, first, None, Some(Answer::Choice(1)), now)
            .unwrap();
        let theme = Theme::from_no_color(true);
        let v = ViewCtx {
            lang: Lang::Nl,
            compact: false,
            theme: &theme,
            now,
            entries: &[],
            cases: &[],
            arrived: 0,
            preview: false,
        };
        let text = |visit: &Visit| -> String {
            answer_rows(&v, visit, &derive(visit), 76)
                .iter()
                .filter_map(|r| match r {
                    Row::Text(l) => Some(l.to_string()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(!text(&visit).contains("gegeven onder versie"));
        visit.sheets[0].earlier = vec![EarlierVersion {
            version: 1,
            hash: "0".repeat(64),
            items: vec![c.items[first].id.clone()],
        }];
        let shown = text(&visit);
        assert_eq!(
            shown.matches("(gegeven onder versie 1)").count(),
            1,
            "{shown}"
        );
    }
}
