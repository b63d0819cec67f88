//! A readable outline of a checklist (`safevisit checklists show ID`):
//! sections, items, conditions, red flags, scores with bands and outcomes,
//! in the chosen language.

use std::fmt::Write;

use crate::checklist::model::{
    AppliesTo, Checklist, ItemKind, Origin, PreviousKind, RepeatPer, RosterKind, ScoreMethod,
};
use crate::i18n::Lang;

fn kind_label(kind: &ItemKind, lang: Lang) -> String {
    let (nl, en) = match kind {
        ItemKind::YesNo => ("ja/nee", "yes/no"),
        ItemKind::YesNoUnknown => ("ja/nee/weet niet", "yes/no/don't know"),
        ItemKind::Single => ("één keuze", "single choice"),
        ItemKind::Multi => ("meerdere keuzes", "multiple choice"),
        ItemKind::Scale { min, max, .. } => {
            return match lang {
                Lang::Nl => format!("schaal {min}–{max}"),
                Lang::En => format!("scale {min}–{max}"),
            };
        }
        ItemKind::ShortText { .. } => ("korte tekst", "short text"),
        ItemKind::LongText { .. } => ("lange tekst", "long text"),
        ItemKind::Number { .. } => ("getal", "number"),
        ItemKind::Date => ("datum", "date"),
    };
    lang.pick(nl, en).to_string()
}

/// Who a checklist is filled in for, in words.
pub fn applies_label(a: AppliesTo, lang: Lang) -> &'static str {
    match a {
        AppliesTo::Visit => lang.pick("het bezoek als geheel", "the visit as a whole"),
        AppliesTo::Child => lang.pick("elk kind", "each child"),
        AppliesTo::Caregiver => lang.pick("elke ouder of verzorger", "each parent or caregiver"),
    }
}

/// The outline as plain text.
pub fn outline(c: &Checklist, lang: Lang) -> String {
    let t = |nl: &'static str, en: &'static str| lang.pick(nl, en);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} — {} ({} {})",
        c.id,
        c.title.get(lang),
        t("versie", "version"),
        c.version
    );
    let origin = match &c.origin {
        Origin::Bundled => t("meegeleverd", "bundled").to_string(),
        Origin::File(p) => p.clone(),
    };
    let _ = writeln!(o, "{}: {}", t("Bron", "Source"), origin);
    let _ = writeln!(
        o,
        "{}: {}",
        t("Voor", "For"),
        applies_label(c.applies_to, lang)
    );
    let _ = writeln!(o, "{}: {}", t("Inhoud", "Hash"), c.hash.to_hex());
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", c.description.get(lang));
    let _ = writeln!(o);
    let _ = writeln!(o, "{}: {}", t("Let op", "Note"), c.notice.get(lang));
    if !c.age_bands.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "{}:", t("Leeftijdsgroepen", "Age bands"));
        for b in &c.age_bands {
            let _ = writeln!(
                o,
                "  {} — {} ({}–{} {})",
                b.id,
                b.label.get(lang),
                b.min,
                b.max,
                t("jaar", "years")
            );
        }
    }
    let bands_of = |mask: crate::checklist::model::AgeMask| -> Option<String> {
        if mask == crate::checklist::model::AgeMask::ALL || c.age_bands.is_empty() {
            return None;
        }
        let names: Vec<&str> = c
            .age_bands
            .iter()
            .enumerate()
            .filter(|(i, _)| mask.admits(Some(*i)))
            .map(|(_, b)| b.id.as_str())
            .collect();
        Some(names.join(", "))
    };
    for (si, s) in c.sections.iter().enumerate() {
        let _ = writeln!(o);
        let _ = write!(o, "{}. {}", si + 1, s.title.get(lang));
        if let Some(r) = &s.repeat {
            let _ = match r.per {
                Some(RepeatPer::Previous(per)) => {
                    let what = match per {
                        PreviousKind::Agreement => t("per afspraak", "per agreement"),
                        PreviousKind::Flag => t("per signaal", "per warning sign"),
                        PreviousKind::Scaling => t("per schaalvraag", "per scaling answer"),
                    };
                    write!(
                        o,
                        "  [{}: {}, {}]",
                        t("herhaald", "repeated"),
                        what,
                        t(
                            "uit het vorige bezoek, alleen bij een vervolgbezoek",
                            "from the previous visit, in a follow-up only"
                        )
                    )
                }
                Some(RepeatPer::Roster(per)) => {
                    let who = match per {
                        RosterKind::Child => t("per kind", "per child"),
                        RosterKind::Caregiver => t("per ouder of verzorger", "per caregiver"),
                        RosterKind::Person => t("per gezinslid", "per family member"),
                    };
                    write!(
                        o,
                        "  [{}: {}, {}]",
                        t("herhaald", "repeated"),
                        who,
                        t("uit het gezinsoverzicht", "from the roster")
                    )
                }
                None => write!(
                    o,
                    "  [{}: {}, {} {}]",
                    t("herhaalbaar", "repeatable"),
                    r.entry_label.get(lang),
                    t("max.", "max."),
                    r.max_entries
                ),
            };
        }
        let _ = writeln!(o);
        if let Some(b) = bands_of(s.age_bands) {
            let _ = writeln!(o, "   {}: {b}", t("alleen voor", "only for"));
        }
        if let Some(cond) = &s.show_if {
            let _ = writeln!(o, "   {}: {}", t("toon als", "show if"), cond.text);
        }
        if let Some(h) = &s.help {
            let _ = writeln!(o, "   {}", h.get(lang));
        }
        for i in s.items.clone() {
            let it = &c.items[i];
            let required = if it.required {
                t(", verplicht", ", required")
            } else {
                ""
            };
            let _ = writeln!(
                o,
                "   - {} ({}{}) {}",
                it.id,
                kind_label(&it.kind, lang),
                required,
                it.text.get(lang)
            );
            for (b, text) in &it.band_text {
                let _ = writeln!(o, "       [{}] {}", c.age_bands[*b].id, text.get(lang));
            }
            if let Some(b) = bands_of(it.age_bands) {
                let _ = writeln!(o, "       {}: {b}", t("alleen voor", "only for"));
            }
            if let Some(cond) = &it.show_if {
                let _ = writeln!(o, "       {}: {}", t("toon als", "show if"), cond.text);
            }
            match &it.kind {
                ItemKind::Single | ItemKind::Multi => {
                    for opt in &it.options {
                        let pts = opt.points.map_or(String::new(), |p| format!(" [{p}]"));
                        let _ = writeln!(o, "       · {} — {}{pts}", opt.id, opt.label.get(lang));
                    }
                }
                ItemKind::YesNo | ItemKind::YesNoUnknown if it.has_points() => {
                    let pts: Vec<String> = it
                        .options
                        .iter()
                        .map(|opt| format!("{} = {}", opt.id, opt.points.unwrap_or(0)))
                        .collect();
                    let _ = writeln!(o, "       {}: {}", t("punten", "points"), pts.join(", "));
                }
                ItemKind::Scale {
                    min,
                    max,
                    min_label,
                    max_label,
                } => {
                    let _ = writeln!(
                        o,
                        "       {min} = {}, {max} = {}",
                        min_label.get(lang),
                        max_label.get(lang)
                    );
                }
                ItemKind::Number { min, max, .. } if min.is_some() || max.is_some() => {
                    let lo = min.map_or("…".into(), |m| m.to_string());
                    let hi = max.map_or("…".into(), |m| m.to_string());
                    let _ = writeln!(o, "       {}: {lo}–{hi}", t("bereik", "range"));
                }
                _ => {}
            }
            if let Some(h) = &it.help {
                let _ = writeln!(o, "       {}: {}", t("hulp", "help"), h.get(lang));
            }
            for &f in &it.red_flags {
                flag_line(&mut o, c, f, lang, "       ");
            }
        }
    }
    let loose: Vec<usize> = (0..c.red_flags.len())
        .filter(|&f| c.red_flags[f].item.is_none())
        .collect();
    if !loose.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{}:",
            t("Rode vlaggen van de hele lijst", "Checklist-wide red flags")
        );
        for f in loose {
            flag_line(&mut o, c, f, lang, "  ");
        }
    }
    if !c.scores.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{}:",
            t(
                "Scores (beslisondersteuning, geen besluit)",
                "Scores (decision support, not a decision)"
            )
        );
        for s in &c.scores {
            let method = match s.method {
                ScoreMethod::Sum => t("som van de punten", "sum of points"),
                ScoreMethod::Count => t("aantal items met punten", "number of items with points"),
            };
            let _ = writeln!(
                o,
                "  {} — {} ({method}, {} {}, {}–{})",
                s.id,
                s.title.get(lang),
                s.items.len(),
                t("items", "items"),
                s.range.0,
                s.range.1
            );
            for b in &s.bands {
                let to = b.to.map_or("…".into(), |x| x.to_string());
                let age = b
                    .age_band
                    .map_or(String::new(), |a| format!("[{}] ", c.age_bands[a].id));
                let _ = writeln!(
                    o,
                    "     {age}{}–{to}  {} — {}",
                    b.from,
                    b.label.get(lang),
                    b.meaning.get(lang)
                );
            }
        }
    }
    if !c.outcomes.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{}:",
            t(
                "Uitkomsten (beslisondersteuning, geen besluit)",
                "Outcomes (decision support, not a decision)"
            )
        );
        for out in &c.outcomes {
            let _ = writeln!(o, "  {} — {}", out.id, out.title.get(lang));
            for r in &out.rules {
                let when = r.when.as_ref().map_or_else(
                    || t("anders", "otherwise").to_string(),
                    |w| format!("{} {}", t("als", "if"), w.text),
                );
                let _ = writeln!(o, "     {when} → {} ({})", r.label.get(lang), r.value);
                if let Some(m) = &r.meaning {
                    let _ = writeln!(o, "       {}", m.get(lang));
                }
            }
        }
    }
    o
}

fn flag_line(o: &mut String, c: &Checklist, f: usize, lang: Lang, indent: &str) {
    let flag = &c.red_flags[f];
    let _ = writeln!(
        o,
        "{indent}! {} [{}] {}: {}",
        lang.pick("rode vlag", "red flag"),
        flag.level.label().get(lang),
        lang.pick("als", "if"),
        flag.when.text
    );
    let _ = writeln!(o, "{indent}  {}", flag.message.get(lang));
    let _ = writeln!(o, "{indent}  → {}", flag.action.get(lang));
}
