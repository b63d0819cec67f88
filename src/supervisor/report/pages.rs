//! The report's pages as HTML (maud templates, checked when compiled;
//! every value escaped). Each page links only within the report folder and
//! its one style sheet, and says that it is decision support.
//!
//! Pure: builds markup, writes nothing.

use std::borrow::Cow;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::data::{ConflictFlag, ConflictLine, Refused, VisitLine};
use super::doc::{Both, Flag, Person, VisitDoc};
use super::svg::{self, Point, Scale};
use crate::checklist::Catalog;
use crate::i18n::Lang;
use crate::supervisor::Gap;
use crate::supervisor::cases::{Case, VERDICT_ORDER};
use crate::supervisor::ledger::MissingPrevious;
use crate::supervisor::reports::cleaned;

/// Text from a laptop, made safe to show: control, bidi and format
/// characters written out (maud escapes `<`, `&` and quotes).
fn t(s: &str) -> Cow<'_, str> {
    cleaned(s)
}

fn pick(lang: Lang, nl: &'static str, en: &'static str) -> &'static str {
    lang.pick(nl, en)
}

/// The notice on every page.
pub fn decision_support(lang: Lang) -> &'static str {
    pick(
        lang,
        "Beslisondersteuning, geen besluit. Scores, banden en uitkomsten helpen u kijken; het oordeel is aan u en uw team. Dit overzicht rangschikt gezinnen niet op een getal.",
        "Decision support, never a decision. Scores, bands and outcomes help you look; the judgement is yours and your team's. This overview does not rank families by a number.",
    )
}

/// A whole page: `root` is the way back to the report folder ("" or "../").
fn page(lang: Lang, root: &str, title: &str, body: Markup) -> String {
    let code = match lang {
        Lang::Nl => "nl",
        Lang::En => "en",
    };
    html! {
        (DOCTYPE)
        html lang=(code) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) }
                link rel="stylesheet" href={ (root) "style.css" };
            }
            body {
                p.notice role="note" { (decision_support(lang)) }
                (body)
                footer {
                    p { (decision_support(lang)) }
                    p { a href={ (root) "index.html" } { (pick(lang, "Naar het overzicht", "To the overview")) } }
                }
            }
        }
    }
    .into_string()
}

pub fn level_name(lang: Lang, level: &str) -> String {
    match level {
        "acute" => pick(lang, "acuut", "acute").into(),
        "structural" => pick(lang, "structureel", "structural").into(),
        "attention" => pick(lang, "aandacht", "attention").into(),
        other => t(other).into_owned(),
    }
}

/// A flag's state in words: active (acknowledged or not), lapsed, withdrawn.
pub fn state_name(lang: Lang, f: &Flag) -> String {
    match f.state.as_str() {
        "active" | "" => match &f.acknowledged_at {
            Some(at) => format!(
                "{} {}",
                pick(lang, "actief, bevestigd", "active, acknowledged"),
                t(at)
            ),
            None => pick(lang, "actief, niet bevestigd", "active, not acknowledged").into(),
        },
        "lapsed" => pick(lang, "vervallen", "lapsed").into(),
        "withdrawn" => pick(lang, "ingetrokken (vergissing)", "withdrawn (mistake)").into(),
        other => t(other).into_owned(),
    }
}

fn person(lang: Lang, p: &Person) -> String {
    let alias = p.alias.as_deref().map(t).unwrap_or_default();
    match p.kind.as_str() {
        "child" => format!("{} {alias}", pick(lang, "kind", "child")),
        "caregiver" => format!("{} {alias}", pick(lang, "ouder/verzorger", "caregiver")),
        _ => String::new(),
    }
}

/// The worker's verdict in words (the option's label in the bundled or the
/// office's veiligheid checklist), or its key.
pub fn verdict_name(catalog: &Catalog, lang: Lang, verdict: &str) -> String {
    catalog
        .get("veiligheid")
        .and_then(|c| c.items.iter().find(|i| i.id == "eigen_oordeel"))
        .and_then(|i| i.options.iter().find(|o| o.id == verdict))
        .map(|o| match lang {
            Lang::Nl => o.label.nl.clone(),
            Lang::En => o.label.en.clone(),
        })
        .unwrap_or_else(|| t(verdict).into_owned())
}

/// The label of a band of `veiligheid`'s risk score (`risico`), as the
/// checklists name it; the id itself when no checklist knows it.
pub fn risk_band_name(catalog: &Catalog, lang: Lang, band: &str) -> String {
    catalog
        .get("veiligheid")
        .and_then(|c| c.scores.iter().find(|s| s.id == "risico"))
        .and_then(|s| s.bands.iter().find(|b| b.id == band))
        .map(|b| match lang {
            Lang::Nl => b.label.nl.clone(),
            Lang::En => b.label.en.clone(),
        })
        .unwrap_or_else(|| t(band).into_owned())
}

/// A link to a visit's page from the report folder (`root` "" or "../").
fn visit_href(root: &str, id: &str) -> String {
    format!("{root}visits/{}.html", super::file_name(id))
}

fn case_href(root: &str, id: &str) -> String {
    format!("{root}cases/{}.html", super::file_name(id))
}

/// An acute flag on the index: of a visit in the ledger, or of a version
/// kept aside as a conflict.
pub struct AcuteLine<'a> {
    pub visit: Option<&'a VisitLine>,
    pub flag: Option<&'a Flag>,
    pub conflict: Option<&'a ConflictFlag>,
}

impl AcuteLine<'_> {
    /// Newest first, then by laptop and sequence (never by a score).
    pub fn key(&self) -> (std::cmp::Reverse<&str>, &str, i64) {
        match (self.visit, self.conflict) {
            (Some(v), _) => (
                std::cmp::Reverse(v.date.as_str()),
                v.device_name.as_str(),
                v.sequence,
            ),
            (None, Some(c)) => (
                std::cmp::Reverse(c.date.as_str()),
                c.device_name.as_str(),
                c.sequence,
            ),
            (None, None) => (std::cmp::Reverse(""), "", 0),
        }
    }
}

/// Everything the index shows.
pub struct Index<'a> {
    pub last_import: Option<&'a str>,
    pub acute: &'a [AcuteLine<'a>],
    pub gaps: &'a [Gap],
    pub conflicts: &'a [ConflictLine],
    pub refused: &'a [Refused],
    pub missing: &'a [MissingPrevious],
    pub visits: &'a [VisitLine],
    pub cases: &'a [Case],
}

pub fn index(lang: Lang, catalog: &Catalog, ix: &Index<'_>) -> String {
    let title = pick(
        lang,
        "safevisit — overzicht voor kantoor",
        "safevisit — office overview",
    );
    let none = pick(lang, "Geen.", "None.");
    let body = html! {
        header {
            h1 { (title) }
            p.meta {
                (pick(lang, "Laatste import", "Last import")) ": " (ix.last_import.map(t).unwrap_or(Cow::Borrowed("-")))
                " · " (ix.visits.len()) " " (pick(lang, "bezoeken", "visits"))
                " · " (ix.cases.len()) " " (pick(lang, "casussen", "cases"))
            }
        }
        nav {
            a href="#acuut" { (pick(lang, "Acute signalen", "Acute red flags")) }
            a href="#gaten" { (pick(lang, "Ontbrekende bezoeken", "Gaps")) }
            a href="#conflicten" { (pick(lang, "Conflicten", "Conflicts")) }
            a href="#afgewezen" { (pick(lang, "Afgewezen", "Rejected")) }
            a href="#vorig-ontbreekt" { (pick(lang, "Vorig bezoek ontbreekt", "Previous visit missing")) }
            a href="#bezoeken" { (pick(lang, "Bezoeken", "Visits")) }
            a href="#casussen" { (pick(lang, "Casussen", "Cases")) }
        }
        section #acuut .acute {
            h2 { (pick(lang, "Acute signalen", "Acute red flags")) " (" (ix.acute.len()) ")" }
            p.hint { (pick(lang, "Nieuwste eerst. Actieve acute signalen van elk bezoek, ook van versies die als conflict apart staan.", "Newest first. Active acute red flags of every visit, also of versions kept aside as conflicts.")) }
            @if ix.acute.is_empty() {
                p { (none) }
            } @else {
                table {
                    thead { tr {
                        th { (pick(lang, "Datum", "Date")) }
                        th { (pick(lang, "Gezin", "Family")) }
                        th { (pick(lang, "Apparaat", "Device")) }
                        th { (pick(lang, "Signaal", "Red flag")) }
                        th { (pick(lang, "Wat is gedaan", "What was done")) }
                        th { (pick(lang, "Status", "State")) }
                    } }
                    tbody {
                        @for a in ix.acute {
                            (acute_row(lang, a))
                        }
                    }
                }
            }
        }
        section #gaten {
            h2 { (pick(lang, "Ontbrekende bezoeken (volgnummers)", "Gaps (sequence numbers)")) " (" (ix.gaps.len()) ")" }
            @if ix.gaps.is_empty() { p { (none) } } @else {
                ul { @for g in ix.gaps { li.gap { (g.describe(lang)) } } }
            }
        }
        section #conflicten {
            h2 { (pick(lang, "Conflicten", "Conflicts")) " (" (ix.conflicts.len()) ")" }
            @if ix.conflicts.is_empty() { p { (none) } } @else {
                ul { @for c in ix.conflicts {
                    li.conflict {
                        "#" (c.id) " " (t(&c.visit_id)) " (" (t(&c.device_name)) " #" (c.sequence) "): "
                        @if c.kind == "same_visit" {
                            (pick(lang, "een andere versie van een al geïmporteerd bezoek", "a different copy of a visit already imported"))
                        } @else {
                            (pick(lang, "een ander bezoek met een volgnummer dat al bestaat", "another visit under a sequence number already taken"))
                        }
                        "; " (pick(lang, "in bundel", "in bundle")) " " (t(&c.file_name)) " (" (t(&c.found_at)) "); "
                        (c.acute) " " (pick(lang, "acute signalen", "acute red flags")) "; "
                        (pick(lang, "apart bewaard, niet samengevoegd", "kept aside, not merged"))
                    }
                } }
            }
        }
        section #afgewezen {
            h2 { (pick(lang, "Afgewezen bundels en bezoeken", "Rejected bundles and visits")) " (" (ix.refused.len()) ")" }
            @if ix.refused.is_empty() { p { (none) } } @else {
                ul { @for r in ix.refused {
                    li.refused {
                        (t(&r.seen_at)) " " (t(&r.file_name)) ": "
                        (t(if lang == Lang::Nl { &r.reason_nl } else { &r.reason_en }))
                    }
                } }
            }
        }
        section #vorig-ontbreekt {
            h2 { (pick(lang, "Vorig bezoek ontbreekt", "Previous visit missing")) " (" (ix.missing.len()) ")" }
            @if ix.missing.is_empty() { p { (none) } } @else {
                ul { @for m in ix.missing {
                    li.missing {
                        a href=(visit_href("", &m.visit_id)) { (t(&m.visit_id)) }
                        " (" (t(&m.date)) ", " (t(&m.device_name)) ") "
                        (pick(lang, "volgt op", "follows")) " " (t(&m.follows)) ", "
                        (pick(lang, "dat niet is aangekomen", "which has not arrived"))
                    }
                } }
            }
        }
        section #bezoeken {
            h2 { (pick(lang, "Bezoeken per apparaat en datum", "Visits by device and date")) }
            @if ix.visits.is_empty() { p { (none) } }
            @for (device, visits) in by_device(ix.visits) {
                h3 { (t(&visits[0].device_name)) " " span.id { "(" (t(device)) ")" } }
                table.visits {
                    thead { tr {
                        th { (pick(lang, "Datum", "Date")) }
                        th { "#" }
                        th { (pick(lang, "Gezin", "Family")) }
                        th { (pick(lang, "Eigen oordeel", "Own verdict")) }
                        th { (pick(lang, "Signalen (acuut/structureel/aandacht)", "Red flags (acute/structural/attention)")) }
                    } }
                    tbody { @for v in visits {
                        tr {
                            td { (t(&v.date)) }
                            td { (v.sequence) }
                            td { a href=(visit_href("", &v.id)) { (t(&v.label)) } }
                            td { (v.verdict.as_deref().map(|x| verdict_name(catalog, lang, x)).unwrap_or_default()) }
                            td { (v.flags[0]) " / " (v.flags[1]) " / " (v.flags[2]) }
                        }
                    } }
                }
            }
        }
        section #casussen {
            h2 { (pick(lang, "Casussen (op naam)", "Cases (by name)")) " (" (ix.cases.len()) ")" }
            @if ix.cases.is_empty() { p { (none) } } @else {
                table.cases {
                    thead { tr {
                        th { (pick(lang, "Gezin", "Family")) }
                        th { (pick(lang, "Bezoeken", "Visits")) }
                        th { (pick(lang, "Laatste bezoek", "Last visit")) }
                        th { (pick(lang, "Gesloten", "Closed")) }
                    } }
                    tbody { @for c in ix.cases {
                        tr {
                            td { a href=(case_href("", &c.case_id)) { (t(&c.label)) } }
                            td { (c.visits.len()) }
                            td { (c.last().map(|v| t(&v.date)).unwrap_or_default()) }
                            td { (c.closed_on.as_deref().map(t).unwrap_or_default()) }
                        }
                    } }
                }
            }
        }
    };
    page(lang, "", title, body)
}

fn acute_row(lang: Lang, a: &AcuteLine<'_>) -> Markup {
    match (a.visit, a.flag, a.conflict) {
        (Some(v), Some(f), _) => html! {
            tr.flag.acute data-flag=(f.flag) {
                td.date { (t(&v.date)) }
                td { a href=(visit_href("", &v.id)) { (t(&v.label)) } }
                td { (t(&v.device_name)) " #" (v.sequence) }
                td {
                    strong { (t(f.message.pick(lang))) }
                    br;
                    span.id { (t(&f.checklist)) "/" (t(&f.flag)) }
                    @let who = person(lang, &f.person);
                    @if !who.is_empty() { " (" (who) ")" }
                }
                td.done { (t(&f.action_taken)) }
                td { (state_name(lang, f)) }
            }
        },
        (_, _, Some(c)) => html! {
            tr.flag.acute.conflict data-flag=(c.flag) {
                td.date { (t(&c.date)) }
                td { (t(&c.label)) }
                td { (t(&c.device_name)) " #" (c.sequence) }
                td {
                    strong { (t(if lang == Lang::Nl { &c.message_nl } else { &c.message_en })) }
                    br;
                    span.id { (t(&c.checklist)) "/" (t(&c.flag)) }
                }
                td.done {
                    (pick(lang, "Onbekend: deze versie staat apart als conflict (", "Unknown: this version is kept aside as a conflict ("))
                    @if c.kind == "same_visit" {
                        (pick(lang, "twee versies van dit bezoek", "two versions of this visit"))
                    } @else {
                        (pick(lang, "twee bezoeken claimen dit volgnummer", "two visits claim this number"))
                    }
                    "). " (pick(lang, "Zie de conflicten hieronder.", "See the conflicts below."))
                }
                td { @if c.acknowledged {
                    (pick(lang, "actief, bevestigd", "active, acknowledged"))
                } @else {
                    (pick(lang, "actief, niet bevestigd", "active, not acknowledged"))
                } }
            }
        },
        _ => html! {},
    }
}

/// Visits grouped by device, in the order given.
fn by_device(visits: &[VisitLine]) -> Vec<(&str, &[VisitLine])> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=visits.len() {
        if i == visits.len() || visits[i].device_id != visits[start].device_id {
            out.push((visits[start].device_id.as_str(), &visits[start..i]));
            start = i;
        }
    }
    out
}

fn both(lang: Lang, b: &Both) -> Cow<'_, str> {
    t(b.pick(lang))
}

/// A visit's page.
pub fn visit(lang: Lang, catalog: &Catalog, v: &VisitLine, doc: Option<&VisitDoc>) -> String {
    let title = format!("{} — {}", t(&v.label), t(&v.date));
    let body = html! {
        header {
            p.crumbs { a href="../index.html" { (pick(lang, "Overzicht", "Overview")) } }
            h1 { (t(&v.label)) " " span.id { (t(&v.date)) } }
            p.meta {
                (pick(lang, "Bezoek", "Visit")) " " (t(&v.id)) " · "
                (pick(lang, "apparaat", "device")) " " (t(&v.device_name)) " #" (v.sequence)
                @if let Some(case) = &v.case_id {
                    " · " a href=(case_href("../", case)) { (pick(lang, "casus", "case")) }
                }
                @if let Some(prev) = &v.follows {
                    " · " (pick(lang, "volgt op", "follows")) " " a href=(visit_href("../", prev)) { (t(prev)) }
                }
            }
        }
        section #oordeel {
            h2 { (pick(lang, "Eigen oordeel van de werker", "The worker's own verdict")) }
            p.verdict { @match &v.verdict {
                Some(x) => (verdict_name(catalog, lang, x)),
                None => (pick(lang, "Niet ingevuld.", "Not given.")),
            } }
        }
        @match doc {
            None => {
                p.problem { (pick(lang, "Het document van dit bezoek is niet te lezen; zie visits/ in de kantoormap.", "This visit's document cannot be read; see visits/ in the office folder.")) }
            }
            Some(doc) => {
                section #signalen {
                    h2 { (pick(lang, "Signalen", "Red flags")) " (" (doc.red_flags.len()) ")" }
                    @if doc.red_flags.is_empty() { p { (pick(lang, "Geen.", "None.")) } } @else {
                        table {
                            thead { tr {
                                th { (pick(lang, "Niveau", "Level")) }
                                th { (pick(lang, "Signaal", "Red flag")) }
                                th { (pick(lang, "Wat is gedaan", "What was done")) }
                                th { (pick(lang, "Status", "State")) }
                            } }
                            tbody { @for f in flags_in_order(&doc.red_flags) {
                                tr class={ "flag " (level_class(&f.level)) } data-flag=(f.flag) {
                                    td { (level_name(lang, &f.level)) }
                                    td {
                                        strong { (both(lang, &f.message)) } br;
                                        span.id { (t(&f.checklist)) "/" (t(&f.flag)) }
                                        @let who = person(lang, &f.person);
                                        @if !who.is_empty() { " (" (who) ")" }
                                        br; span.id { (pick(lang, "gemeld", "raised")) " " (t(&f.raised_at)) }
                                    }
                                    td.done { (t(&f.action_taken)) }
                                    td {
                                        (state_name(lang, f))
                                        @if let Some(r) = f.withdrawn_reason.as_deref().filter(|r| !r.is_empty()) {
                                            br; (pick(lang, "reden", "reason")) ": " (t(r))
                                        }
                                    }
                                }
                            } }
                        }
                    }
                }
                section #scores {
                    h2 { (pick(lang, "Scores tegen hun banden", "Scores against their bands")) }
                    @if doc.scores.is_empty() { p { (pick(lang, "Geen.", "None.")) } }
                    @for s in &doc.scores {
                        @let checklist = catalog.get(&s.checklist);
                        @let def = checklist.and_then(|c| c.scores.iter().find(|x| x.id == s.score));
                        @let age = s.person.id.and_then(|id| doc.age(&s.person.kind, id));
                        @let group = checklist.zip(age).and_then(|(c, a)| c.age_band_for(a));
                        @let scale = Scale::of_score(def, &[(s.value, s.band.as_deref())], group, lang);
                        @let band_label = s.band_label.as_ref().map(|b| both(lang, b).into_owned())
                            .or_else(|| s.band.as_deref().map(|b| t(b).into_owned()));
                        @let who = person(lang, &s.person);
                        @let says = format!("{}{}: {} {}", t(s.title.pick(lang)),
                            if who.is_empty() { String::new() } else { format!(" ({who})") },
                            s.value, band_label.as_deref().map(|b| format!("({b})")).unwrap_or_default());
                        figure.score data-score=(s.score) {
                            figcaption {
                                strong { (both(lang, &s.title)) }
                                @if !who.is_empty() { " — " (who) }
                                ": " span.value { (s.value) }
                                @if let Some(b) = &band_label { " — " span.bandname { (b) } }
                                span.id { " (" (s.answered) "/" (s.visible) " " (pick(lang, "vragen beantwoord", "questions answered")) ")" }
                            }
                            @if s.answered == 0 {
                                p.unmeasured { (pick(lang, "Niet gemeten: geen vraag van deze score beantwoord.", "Not measured: no question of this score answered.")) }
                            } @else {
                                (svg::band_bar(&scale, s.value, &says))
                                (legend(&scale))
                            }
                        }
                    }
                }
                section #uitkomsten {
                    h2 { (pick(lang, "Uitkomsten", "Outcomes")) }
                    @if doc.outcomes.is_empty() { p { (pick(lang, "Geen.", "None.")) } } @else {
                        table {
                            tbody { @for o in &doc.outcomes {
                                tr {
                                    th { (both(lang, &o.title)) span.id { " " (t(&o.checklist)) } }
                                    td { (person(lang, &o.person)) }
                                    td { @match (&o.label, &o.value) {
                                        (Some(l), _) => (both(lang, l)),
                                        (None, Some(v)) => (t(v)),
                                        (None, None) => (pick(lang, "onvolledig", "incomplete")),
                                    } }
                                }
                            } }
                        }
                    }
                }
                section #gezin {
                    h2 { (pick(lang, "Gezin (roepnamen)", "Household (aliases)")) }
                    ul {
                        @for c in &doc.roster.children {
                            li { (pick(lang, "kind", "child")) " " (t(&c.alias)) ", " (c.age) " " (pick(lang, "jaar", "years"))
                                @if c.removed { " — " (pick(lang, "uit het overzicht gehaald", "removed from the roster")) } }
                        }
                        @for c in &doc.roster.caregivers {
                            li { (t(&c.role)) " " (t(&c.alias))
                                @if c.removed { " — " (pick(lang, "uit het overzicht gehaald", "removed from the roster")) } }
                        }
                    }
                }
            }
        }
    };
    page(lang, "../", &title, body)
}

/// The bands of a chart in words, with their ranges.
fn legend(scale: &Scale) -> Markup {
    html! {
        @if !scale.bands.is_empty() {
            ul.legend { @for b in &scale.bands {
                li { (t(&b.label)) ": " (b.from) "–" (b.to) }
            } }
        }
    }
}

fn level_class(level: &str) -> &'static str {
    match level {
        "acute" => "acute",
        "structural" => "structural",
        "attention" => "attention",
        _ => "other",
    }
}

/// Active flags first, acute before structural before attention, then as
/// raised.
fn flags_in_order(flags: &[Flag]) -> Vec<&Flag> {
    let rank = |f: &Flag| {
        let level = match f.level.as_str() {
            "acute" => 0,
            "structural" => 1,
            "attention" => 2,
            _ => 3,
        };
        (f.state != "active", level)
    };
    let mut out: Vec<&Flag> = flags.iter().collect();
    out.sort_by_key(|f| rank(f));
    out
}

/// One series of a case page: a score of one person over the visits.
pub struct Series {
    pub checklist: String,
    pub score: String,
    pub person: Person,
    /// The person's age at the latest visit that names them (the age band
    /// whose bands the chart shades).
    pub age: Option<u8>,
    /// Per visit of the case, in order: the value and band, if recorded.
    pub values: Vec<Option<(i64, Option<String>)>>,
}

/// A case's page: the verdict and risk over time, each child's screening
/// scores over time, the visits in order.
pub fn case(lang: Lang, catalog: &Catalog, case: &Case, series: &[Series]) -> String {
    let title = format!("{} — {}", t(&case.label), pick(lang, "casus", "case"));
    let verdicts = Scale {
        lo: 0,
        hi: VERDICT_ORDER.len() as i64 - 1,
        bands: VERDICT_ORDER
            .iter()
            .enumerate()
            .map(|(i, v)| svg::Span {
                id: (*v).to_string(),
                label: verdict_name(catalog, lang, v),
                from: i as i64,
                to: i as i64,
            })
            .collect(),
    };
    let verdict_points: Vec<Point> = case
        .visits
        .iter()
        .map(|v| {
            let rank = v
                .verdict
                .as_deref()
                .and_then(|x| VERDICT_ORDER.iter().position(|o| *o == x));
            Point {
                date: t(&v.date).into_owned(),
                value: rank.map(|r| r as i64),
                note: v
                    .verdict
                    .as_deref()
                    .map(|x| verdict_name(catalog, lang, x))
                    .unwrap_or_else(|| pick(lang, "niet ingevuld", "not given").into()),
            }
        })
        .collect();
    let charts: Vec<Markup> = series
        .iter()
        .map(|s| {
            let checklist = catalog.get(&s.checklist);
            let def = checklist.and_then(|c| c.scores.iter().find(|x| x.id == s.score));
            let group = checklist.zip(s.age).and_then(|(c, a)| c.age_band_for(a));
            let recorded: Vec<(i64, Option<&str>)> = s
                .values
                .iter()
                .flatten()
                .map(|(v, b)| (*v, b.as_deref()))
                .collect();
            let scale = Scale::of_score(def, &recorded, group, lang);
            let name = def
                .map(|d| match lang {
                    Lang::Nl => d.title.nl.clone(),
                    Lang::En => d.title.en.clone(),
                })
                .unwrap_or_else(|| t(&s.score).into_owned());
            let who = person(lang, &s.person);
            let points: Vec<Point> = case
                .visits
                .iter()
                .zip(&s.values)
                .map(|(v, x)| Point {
                    date: t(&v.date).into_owned(),
                    value: x.as_ref().map(|(n, _)| *n),
                    note: match x {
                        Some((n, b)) => format!(
                            "{n}{}",
                            b.as_deref()
                                .and_then(|b| scale.bands.iter().find(|s| s.id == b))
                                .map(|s| format!(" ({})", s.label))
                                .unwrap_or_default()
                        ),
                        None => pick(lang, "niet gemeten", "not measured").into(),
                    },
                })
                .collect();
            let heading = if who.is_empty() {
                format!("{} ({})", name, t(&s.checklist))
            } else {
                format!("{} — {} ({})", who, name, t(&s.checklist))
            };
            html! {
                figure.series data-score=(s.score) data-person=(s.person.id.unwrap_or(0)) {
                    figcaption { strong { (heading) } }
                    (svg::line_chart(&scale, &points, &heading, false))
                    (legend(&scale))
                }
            }
        })
        .collect();
    let body = html! {
        header {
            p.crumbs { a href="../index.html" { (pick(lang, "Overzicht", "Overview")) } }
            h1 { (t(&case.label)) }
            p.meta {
                (case.visits.len()) " " (pick(lang, "bezoeken", "visits"))
                @if let Some(c) = &case.closed_on {
                    " · " (pick(lang, "gesloten op", "closed on")) " " (t(c))
                    @if let Some(r) = &case.closed_reason { " (" (t(r)) ")" }
                }
            }
        }
        section #verloop {
            h2 { (pick(lang, "Eigen oordeel en risico in de tijd", "Verdict and risk over time")) }
            figure.series.verdict {
                figcaption { strong { (pick(lang, "Eigen oordeel van de werker per bezoek", "The worker's own verdict per visit")) } }
                (svg::line_chart(&verdicts, &verdict_points, pick(lang, "Eigen oordeel per bezoek", "Verdict per visit"), true))
            }
        }
        section #screening {
            h2 { (pick(lang, "Scores in de tijd", "Scores over time")) }
            @if charts.is_empty() { p { (pick(lang, "Geen scores.", "No scores.")) } }
            @for c in &charts { (c) }
        }
        section #bezoeken {
            h2 { (pick(lang, "Bezoeken", "Visits")) }
            table.visits {
                thead { tr {
                    th { (pick(lang, "Datum", "Date")) }
                    th { (pick(lang, "Apparaat", "Device")) }
                    th { (pick(lang, "Eigen oordeel", "Own verdict")) }
                    th { (pick(lang, "Risicoband", "Risk band")) }
                    th { (pick(lang, "Signalen (acuut/structureel/aandacht)", "Red flags (acute/structural/attention)")) }
                } }
                tbody { @for v in &case.visits {
                    tr {
                        td { a href=(visit_href("../", &v.id)) { (t(&v.date)) } }
                        td { (t(&v.device_name)) " #" (v.sequence) }
                        td { (v.verdict.as_deref().map(|x| verdict_name(catalog, lang, x)).unwrap_or_default()) }
                        td { (v.band.as_deref().map(|b| risk_band_name(catalog, lang, b)).unwrap_or_default()) }
                        td { (v.flags[0]) " / " (v.flags[1]) " / " (v.flags[2]) }
                    }
                } }
            }
        }
    };
    page(lang, "../", &title, body)
}

/// The one style sheet: readable on a laptop, printed on A4. No fonts,
/// images or imports: the system's sans-serif.
pub const STYLE: PreEscaped<&str> = PreEscaped(
    r#"body { font-family: sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #111; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #999; }
h3 { font-size: 1.05rem; }
.notice { background: #eef2f7; border-left: 4px solid #345; padding: .5rem .75rem; }
.meta, .hint, .id { color: #444; font-size: .9rem; }
nav a { margin-right: 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #ccc; }
section.acute h2 { color: #8b0000; border-bottom: 2px solid #8b0000; }
tr.acute td:first-child { border-left: 6px solid #8b0000; }
tr.structural td:first-child { border-left: 6px solid #b35900; }
tr.attention td:first-child { border-left: 6px solid #777; }
td.done { white-space: pre-wrap; }
td.date { white-space: nowrap; }
figure { margin: 1rem 0; }
svg { max-width: 100%; height: auto; display: block; }
svg .scale { fill: #fff; stroke: #777; }
svg .band { stroke: #fff; }
svg .s0 { fill: #eef1f5; } svg .s1 { fill: #d5dde8; } svg .s2 { fill: #b3c1d4; } svg .s3 { fill: #8ea2bd; } svg .s4 { fill: #6c84a3; }
svg .marker { stroke: #000; stroke-width: 3; }
svg .marker-head, svg .dot { fill: #000; }
svg .line { fill: none; stroke: #000; stroke-width: 2; }
svg text { font-family: sans-serif; font-size: 11px; fill: #222; }
ul.legend { list-style: none; padding: 0; margin: .2rem 0; font-size: .9rem; color: #333; }
ul.legend li { display: inline; margin-right: 1rem; }
@page { size: A4; margin: 15mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  nav, footer p:last-child { display: none; }
  a { color: inherit; text-decoration: none; }
  tr, figure { break-inside: avoid; }
  h2 { break-after: avoid; }
  .notice { border: 1px solid #345; }
}
"#,
);
