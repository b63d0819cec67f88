//! Read back with the family: a calm, full-screen view, in plain words, of
//! only what was agreed with the family — the agreements (who, what, by
//! when, what if it goes wrong), the legal framework (what it means and what
//! it does not mean), what happens next and when, and where to go with
//! questions or complaints.
//!
//! Parents often do not know whether help is voluntary or compulsory, and
//! families say they had no say. Reading the agreements back together, on
//! the sofa, is the answer to both; so this view is made to be read aloud
//! and read along: short lines, generous spacing, no frames.
//!
//! What it must never show: a flag, a score, a risk band, a profile, a
//! verdict or the worker's notes. The builder ([`ReadBack`]) therefore
//! takes only the agreements, the framework and the dates from the visit
//! (through the case card's helpers) and nothing else; the tests prove
//! that none of the rest reaches the screen.
//!
//! The content is built once ([`ReadBack::from_visit`],
//! [`ReadBack::from_card`]) and laid out per width and language
//! ([`ReadBack::lines`]); the screen ([`ReadBackScreen`]) scrolls it. The
//! read-back has its own language (`t`), so a worker can read back in
//! English to a family that reads English better without changing her own
//! screen.

use std::cell::Cell;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use time::{Date, Month, PrimitiveDateTime, Weekday};

use crate::case::CaseCard;
use crate::i18n::Lang;
use crate::tui::event::Key;
use crate::tui::keys::{Action, Ctx};
use crate::tui::view::ViewCtx;
use crate::tui::widgets::wrap_prefixed;
use crate::visit::record::{AnswerValue, PersonRecord, VisitRecord, parse_date};
use crate::visit::{SecretText, Visit};

/// The kind of court measure, as `maatregel_soort` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Ondertoezichtstelling (supervision order).
    Supervision,
    /// Ondertoezichtstelling with authorisation to place out of home.
    SupervisionPlacement,
    /// A temporary (emergency) measure.
    Interim,
    /// Guardianship: someone else holds authority.
    Guardianship,
    /// Another measure, or not recorded (a case card keeps only `kader`).
    Other,
}

/// The legal framework of the help, as the family is told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    Voluntary,
    /// Voluntary under pressure (*drang*).
    Pressure,
    Measure(Measure),
    /// Not clear, not answered, or a value this version does not know:
    /// the worker finds out and tells them. Never a guess.
    Unclear,
}

impl Framework {
    /// The framework from the answers to `kader` and `maatregel_soort`.
    pub fn from_answers(kader: Option<&str>, measure: Option<&str>) -> Framework {
        match kader {
            Some("vrijwillig") => Framework::Voluntary,
            Some("drang") => Framework::Pressure,
            Some("maatregel") => Framework::Measure(match measure {
                Some("ots") => Measure::Supervision,
                Some("ots_uhp") => Measure::SupervisionPlacement,
                Some("voorlopig") => Measure::Interim,
                Some("voogdij") => Measure::Guardianship,
                _ => Measure::Other,
            }),
            _ => Framework::Unclear,
        }
    }

    /// What the framework means, and then what it does not mean, in plain
    /// words (two paragraphs, each a few short sentences).
    pub fn explained(self, lang: Lang) -> [&'static str; 2] {
        let two = |a, b| [a, b];
        match (self, lang) {
            (Framework::Voluntary, Lang::Nl) => two(
                "De hulp is vrijwillig. U kiest zelf of u deze hulp wilt. Wilt u stoppen, of wilt u andere hulp? Bespreek het dan met ons.",
                "Vrijwillig betekent niet vrijblijvend. We maken samen afspraken, en we kijken samen of ze werken. De veiligheid van de kinderen gaat altijd voor.",
            ),
            (Framework::Voluntary, Lang::En) => two(
                "The help is voluntary. You choose whether you want this help. Do you want to stop, or do you want other help? Then talk it over with us.",
                "Voluntary does not mean without commitment. We make agreements together, and we look together at whether they work. The children's safety always comes first.",
            ),
            (Framework::Pressure, Lang::Nl) => two(
                "De hulp is vrijwillig, maar niet vrijblijvend. Er zijn zorgen over de veiligheid van de kinderen. Lukt de hulp niet, of blijven de zorgen? Dan kunnen wij de Raad voor de Kinderbescherming vragen om onderzoek te doen. Dat zeggen we u eerlijk.",
                "Dit is geen maatregel van de rechter. Ouders met gezag houden het gezag: u blijft zelf beslissen over uw kind. Het betekent niet dat uw kind uit huis gaat.",
            ),
            (Framework::Pressure, Lang::En) => two(
                "The help is voluntary, but it is not without commitment. There are worries about the children's safety. If the help does not work, or the worries stay, we can ask the Child Care and Protection Board (Raad voor de Kinderbescherming) to investigate. We tell you that honestly.",
                "This is not a court measure. Parents with parental authority keep it: you go on deciding about your child. It does not mean that your child leaves home.",
            ),
            (Framework::Measure(Measure::Supervision), Lang::Nl) => two(
                "De hulp is verplicht. De kinderrechter heeft een ondertoezichtstelling uitgesproken. Een jeugdbeschermer helpt u en let op de veiligheid van de kinderen. De jeugdbeschermer kan afspraken met u maken en aanwijzingen geven.",
                "Ouders met gezag houden het gezag: u blijft beslissen over uw kind, binnen de afspraken met de jeugdbeschermer. Een ondertoezichtstelling betekent niet dat uw kind uit huis gaat.",
            ),
            (Framework::Measure(Measure::Supervision), Lang::En) => two(
                "The help is compulsory. The juvenile court has made a supervision order (ondertoezichtstelling). A youth protection worker helps you and keeps an eye on the children's safety. The youth protection worker can make agreements with you and give instructions.",
                "Parents with parental authority keep it: you go on deciding about your child, within the agreements with the youth protection worker. A supervision order does not mean that your child leaves home.",
            ),
            (Framework::Measure(Measure::SupervisionPlacement), Lang::Nl) => two(
                "De hulp is verplicht. De kinderrechter heeft een ondertoezichtstelling uitgesproken, met een machtiging tot uithuisplaatsing. Dat betekent dat uw kind een tijd ergens anders kan wonen. Een jeugdbeschermer helpt u en let op de veiligheid van de kinderen.",
                "Ouders met gezag houden het gezag. Het betekent niet dat u geen ouder meer bent. De jeugdbeschermer maakt met u afspraken over het contact met uw kind.",
            ),
            (Framework::Measure(Measure::SupervisionPlacement), Lang::En) => two(
                "The help is compulsory. The juvenile court has made a supervision order (ondertoezichtstelling) with an authorisation to place your child out of home. That means your child may live somewhere else for a while. A youth protection worker helps you and keeps an eye on the children's safety.",
                "Parents with parental authority keep it. It does not mean that you are no longer a parent. The youth protection worker makes agreements with you about contact with your child.",
            ),
            (Framework::Measure(Measure::Interim), Lang::Nl) => two(
                "De hulp is verplicht. De kinderrechter heeft snel een maatregel genomen, voor korte tijd. Daarna beslist de rechter opnieuw. U mag dan uw kant van het verhaal vertellen, en u kunt een advocaat vragen.",
                "Het is nog geen beslissing voor lange tijd. Vraag uw jeugdbeschermer wat deze maatregel nu voor u betekent.",
            ),
            (Framework::Measure(Measure::Interim), Lang::En) => two(
                "The help is compulsory. The juvenile court has quickly taken a measure, for a short time. After that, the court decides again. You may then tell your side of the story, and you can ask for a lawyer.",
                "It is not yet a decision for a long time. Ask your youth protection worker what this measure means for you now.",
            ),
            (Framework::Measure(Measure::Guardianship), Lang::Nl) => two(
                "De kinderrechter heeft een voogd benoemd. De voogd heeft het gezag over uw kind, en beslist over de opvoeding en verzorging.",
                "U blijft de ouder van uw kind. Het betekent niet dat u er niet meer toe doet. De voogd bespreekt met u hoe het contact met uw kind gaat.",
            ),
            (Framework::Measure(Measure::Guardianship), Lang::En) => two(
                "The juvenile court has appointed a guardian. The guardian holds parental authority over your child, and decides about upbringing and care.",
                "You remain your child's parent. It does not mean that you no longer matter. The guardian talks with you about how contact with your child goes.",
            ),
            (Framework::Measure(Measure::Other), Lang::Nl) => two(
                "De hulp is verplicht. De kinderrechter heeft een maatregel uitgesproken. Een jeugdbeschermer helpt u en let op de veiligheid van de kinderen.",
                "Een maatregel van de rechter betekent niet vanzelf dat uw kind uit huis gaat. Vraag uw jeugdbeschermer wat deze maatregel precies voor u betekent.",
            ),
            (Framework::Measure(Measure::Other), Lang::En) => two(
                "The help is compulsory. The juvenile court has made a measure. A youth protection worker helps you and keeps an eye on the children's safety.",
                "A court measure does not by itself mean that your child leaves home. Ask your youth protection worker what this measure means for you exactly.",
            ),
            (Framework::Unclear, Lang::Nl) => two(
                "Het is nog niet duidelijk of de hulp vrijwillig of verplicht is. We zoeken dit uit, en we vertellen het u zo snel mogelijk.",
                "Heeft u hier vragen over? Stel ze gerust.",
            ),
            (Framework::Unclear, Lang::En) => two(
                "It is not clear yet whether the help is voluntary or compulsory. We will find out, and we will tell you as soon as we can.",
                "Do you have questions about this? Please ask them.",
            ),
        }
    }
}

/// One agreement of the safety plan, as it is read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    pub who: SecretText,
    pub what: SecretText,
    pub by: Option<Date>,
    pub if_wrong: SecretText,
    /// Made at the previous visit and not (yet) found kept: it still
    /// stands, and the family is told where it comes from.
    pub earlier: bool,
}

/// What is read back with the family: nothing else is on the screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadBack {
    /// The date of the visit (the heading, and the year dates are read in).
    pub visit_date: Option<Date>,
    pub agreements: Vec<Agreement>,
    pub framework: Framework,
    pub next_contact: Option<Date>,
    pub evaluation: Option<Date>,
    /// The day it is read back, when later than the visit (from a case): a
    /// date before it is said with its year and as passed.
    pub today: Option<Date>,
}

/// The checklist and items the framework is read from.
const FRAMEWORK_CHECKLIST: &str = crate::case::items::FRAMEWORK_CHECKLIST;
const MEASURE: &str = "maatregel_soort";

/// The measure chosen in a record (only asked under a court measure).
fn measure_of(rec: &VisitRecord) -> Option<String> {
    rec.sheets
        .iter()
        .filter(|s| s.checklist.id == FRAMEWORK_CHECKLIST && s.person == PersonRecord::Visit)
        .flat_map(|s| s.answers.iter())
        .find(|a| a.item == MEASURE)
        .and_then(|a| match &a.value {
            AnswerValue::Choice(c) => Some(c.clone()),
            _ => None,
        })
}

impl ReadBack {
    /// The read-back of a visit being recorded: its agreements, framework
    /// and dates, read the way the case card reads them.
    pub fn from_visit(visit: &Visit) -> ReadBack {
        let rec = visit.to_record();
        let card = CaseCard::from_record(&rec, None);
        let mut rb = ReadBack::from_card(&card);
        // The card lists a follow-up's open earlier agreements first.
        let earlier = crate::case::open_agreements_of(&rec).len();
        for a in rb.agreements.iter_mut().take(earlier) {
            a.earlier = true;
        }
        if let Framework::Measure(_) = rb.framework {
            rb.framework = Framework::from_answers(Some("maatregel"), measure_of(&rec).as_deref());
        }
        rb.visit_date = Some(visit.date);
        rb
    }

    /// The read-back of a case from its card (the last visit's agreements).
    pub fn from_card(card: &CaseCard) -> ReadBack {
        ReadBack {
            visit_date: parse_date(&card.last_visit_date),
            agreements: card
                .agreements
                .iter()
                .map(|a| Agreement {
                    who: a.who.clone(),
                    what: a.what.clone(),
                    by: a.by_when.as_deref().and_then(parse_date),
                    if_wrong: a.if_wrong.clone(),
                    earlier: false,
                })
                .collect(),
            framework: Framework::from_answers(card.framework.as_deref(), None),
            next_contact: card.next_contact.as_deref().and_then(parse_date),
            evaluation: card.evaluation_date.as_deref().and_then(parse_date),
            today: None,
        }
    }

    /// The same, read back on `today` (a case read back after its visit).
    pub fn seen_on(mut self, today: Date) -> ReadBack {
        self.today = Some(today);
        self
    }

    /// The read-back laid out in lines of at most `width` columns.
    pub fn lines(&self, lang: Lang, width: usize) -> Vec<RbLine> {
        let t = |nl: &'static str, en: &'static str| lang.pick(nl, en);
        let year = self.today.or(self.visit_date).map(Date::year);
        let passed = |d: Date| self.today.is_some_and(|t| d < t);
        let day = |d: Date| {
            if passed(d) {
                let mut s = spoken_date(d, None, lang);
                s.push_str(lang.pick(" (voorbij)", " (passed)"));
                s
            } else {
                spoken_date(d, year, lang)
            }
        };
        let mut out = Vec::new();
        let para = |out: &mut Vec<RbLine>, first: &str, text: &str, kind: Kind| {
            for l in wrap_prefixed(first, text, width) {
                out.push(RbLine { text: l, kind });
            }
        };
        let blank = |out: &mut Vec<RbLine>| out.push(RbLine::blank());

        para(
            &mut out,
            "",
            t("Wat we samen hebben afgesproken", "What we agreed together"),
            Kind::Title,
        );
        if let Some(d) = self.visit_date {
            let on = spoken_date(d, None, lang);
            para(
                &mut out,
                "",
                &match lang {
                    Lang::Nl => format!("Huisbezoek van {on}"),
                    Lang::En => format!("Home visit of {on}"),
                },
                Kind::Quiet,
            );
        }

        blank(&mut out);
        para(
            &mut out,
            "",
            t("De afspraken", "The agreements"),
            Kind::Heading,
        );
        if self.agreements.is_empty() {
            para(
                &mut out,
                "",
                t(
                    "We hebben deze keer geen afspraken opgeschreven.",
                    "We did not write down any agreements this time.",
                ),
                Kind::Body,
            );
        }
        // Labels in one column, so the words line up under each other.
        let labels = [
            t("Wie:", "Who:"),
            t("Wat:", "What:"),
            t("Wanneer:", "When:"),
            t("Als het misgaat:", "If it goes wrong:"),
        ];
        let col = labels[..3]
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            + 4;
        let label = |l: &str| format!("  {l:<w$}", w = col - 2);
        for (n, a) in self.agreements.iter().enumerate() {
            blank(&mut out);
            let from = if a.earlier {
                t(" · van de vorige keer", " · from last time")
            } else {
                ""
            };
            para(
                &mut out,
                "",
                &format!("{} {}{from}", t("Afspraak", "Agreement"), n + 1),
                Kind::Strong,
            );
            let or_open = |s: &SecretText| {
                if s.as_str().trim().is_empty() {
                    t("nog af te spreken", "still to be agreed").to_string()
                } else {
                    s.as_str().split_whitespace().collect::<Vec<_>>().join(" ")
                }
            };
            para(&mut out, &label(labels[0]), &or_open(&a.who), Kind::Body);
            para(&mut out, &label(labels[1]), &or_open(&a.what), Kind::Body);
            let by = match a.by {
                Some(d) => match lang {
                    Lang::Nl => format!("uiterlijk {}", day(d)),
                    Lang::En => format!("by {}", day(d)),
                },
                None => t("nog af te spreken", "still to be agreed").to_string(),
            };
            para(&mut out, &label(labels[2]), &by, Kind::Body);
            if !a.if_wrong.as_str().trim().is_empty() {
                para(&mut out, "  ", labels[3], Kind::Body);
                para(&mut out, &" ".repeat(col), a.if_wrong.as_str(), Kind::Body);
            }
        }

        blank(&mut out);
        para(
            &mut out,
            "",
            t("Vrijwillig of verplicht?", "Voluntary or compulsory?"),
            Kind::Heading,
        );
        let [means, not] = self.framework.explained(lang);
        para(&mut out, "", means, Kind::Body);
        blank(&mut out);
        para(&mut out, "", not, Kind::Body);

        blank(&mut out);
        para(
            &mut out,
            "",
            t("Wat gebeurt er nu?", "What happens next?"),
            Kind::Heading,
        );
        match self.next_contact {
            Some(d) => para(
                &mut out,
                "",
                &match lang {
                    Lang::Nl => format!("We hebben weer contact op {}.", day(d)),
                    Lang::En => format!("We will be in touch again on {}.", day(d)),
                },
                Kind::Body,
            ),
            None => para(
                &mut out,
                "",
                t(
                    "We spreken nog af wanneer we weer contact hebben.",
                    "We will still agree when we are next in touch.",
                ),
                Kind::Body,
            ),
        }
        if let Some(d) = self.evaluation {
            para(
                &mut out,
                "",
                &match lang {
                    Lang::Nl => format!("Op {} kijken we samen of de afspraken werken.", day(d)),
                    Lang::En => format!(
                        "On {} we look together at whether the agreements work.",
                        day(d)
                    ),
                },
                Kind::Body,
            );
        }

        blank(&mut out);
        para(
            &mut out,
            "",
            t("Vragen of klachten?", "Questions or complaints?"),
            Kind::Heading,
        );
        for text in [
            t(
                "Heeft u een vraag, of bent u het ergens niet mee eens? Zeg het tegen ons. Dat mag altijd.",
                "Do you have a question, or do you disagree with something? Tell us. You may always do so.",
            ),
            t(
                "Komen we er samen niet uit? Dan kunt u een klacht indienen. Vraag ons naar de klachtenregeling van onze organisatie.",
                "If we cannot sort it out together, you can make a complaint. Ask us for our organisation's complaints procedure.",
            ),
            t(
                "U kunt ook gratis hulp vragen aan een vertrouwenspersoon jeugd van het AKJ. Die werkt niet voor ons en staat naast u. Ook kinderen en jongeren mogen bellen.",
                "You can also ask for free help from a confidential adviser for youth care (vertrouwenspersoon jeugd) of the AKJ. They do not work for us, and they are on your side. Children and young people may call too.",
            ),
        ] {
            para(&mut out, "", text, Kind::Body);
            blank(&mut out);
        }
        para(&mut out, "", "AKJ: 088 555 1000 · www.akj.nl", Kind::Strong);
        out
    }
}

/// How a line of the read-back is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Title,
    Heading,
    /// An agreement's number, the AKJ's number.
    Strong,
    Body,
    /// The visit's date under the title.
    Quiet,
}

/// One line of the read-back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RbLine {
    pub text: String,
    pub kind: Kind,
}

impl RbLine {
    fn blank() -> RbLine {
        RbLine {
            text: String::new(),
            kind: Kind::Body,
        }
    }
}

/// A date as it is said: "vrijdag 20 december" / "Friday 20 December",
/// with the year when it is not `year` (or when there is no `year`).
pub fn spoken_date(d: Date, year: Option<i32>, lang: Lang) -> String {
    let (weekday, month) = match lang {
        Lang::Nl => (weekday_nl(d.weekday()), month_nl(d.month())),
        Lang::En => (weekday_en(d.weekday()), month_en(d.month())),
    };
    let mut s = format!("{weekday} {} {month}", d.day());
    if year != Some(d.year()) {
        s.push_str(&format!(" {}", d.year()));
    }
    s
}

fn weekday_nl(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "maandag",
        Weekday::Tuesday => "dinsdag",
        Weekday::Wednesday => "woensdag",
        Weekday::Thursday => "donderdag",
        Weekday::Friday => "vrijdag",
        Weekday::Saturday => "zaterdag",
        Weekday::Sunday => "zondag",
    }
}

fn weekday_en(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

fn month_nl(m: Month) -> &'static str {
    match m {
        Month::January => "januari",
        Month::February => "februari",
        Month::March => "maart",
        Month::April => "april",
        Month::May => "mei",
        Month::June => "juni",
        Month::July => "juli",
        Month::August => "augustus",
        Month::September => "september",
        Month::October => "oktober",
        Month::November => "november",
        Month::December => "december",
    }
}

fn month_en(m: Month) -> &'static str {
    match m {
        Month::January => "January",
        Month::February => "February",
        Month::March => "March",
        Month::April => "April",
        Month::May => "May",
        Month::June => "June",
        Month::July => "July",
        Month::August => "August",
        Month::September => "September",
        Month::October => "October",
        Month::November => "November",
        Month::December => "December",
    }
}

/// Whether (and when) it was marked as read back with the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// From a visit: marked at this moment, or not yet.
    Visit(Option<PrimitiveDateTime>),
    /// From a case card: read back on this day (the last visit), or not.
    Card(Option<Date>),
}

/// What a key in the read-back asks of its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadBackOutcome {
    Stay,
    Close,
    /// Mark the visit as read back with the family (`true`), or take the
    /// mark back (`false`). Only from a visit.
    Mark(bool),
}

/// The read-back screen: the content, its own language, and where it is
/// scrolled to.
pub struct ReadBackScreen {
    content: ReadBack,
    /// The language of the read-back (its own: `t` switches it).
    lang: Lang,
    mark: Mark,
    /// The first line shown.
    scroll: usize,
    /// The body's height and the line count, as last drawn.
    page: Cell<usize>,
    lines: Cell<usize>,
}

/// The widest the text runs, so lines stay short enough to read together.
const TEXT_WIDTH: usize = 64;
/// The left margin (at 80 columns and up).
const MARGIN: u16 = 6;

impl ReadBackScreen {
    pub fn new(content: ReadBack, lang: Lang, mark: Mark) -> ReadBackScreen {
        ReadBackScreen {
            content,
            lang,
            mark,
            scroll: 0,
            page: Cell::new(1),
            lines: Cell::new(0),
        }
    }

    /// The read-back of a visit being recorded (it can be marked).
    pub fn from_visit(visit: &Visit, lang: Lang) -> ReadBackScreen {
        ReadBackScreen::new(
            ReadBack::from_visit(visit),
            lang,
            Mark::Visit(visit.read_back),
        )
    }

    /// The read-back of a case (its last visit's agreements; read only).
    pub fn from_card(card: &CaseCard, lang: Lang, today: Date) -> ReadBackScreen {
        let on = card.read_back_on.as_deref().and_then(parse_date);
        ReadBackScreen::new(
            ReadBack::from_card(card).seen_on(today),
            lang,
            Mark::Card(on),
        )
    }

    /// What is read back.
    pub fn content(&self) -> &ReadBack {
        &self.content
    }

    /// The language the read-back is in.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The key context: from a visit the mark can be set.
    pub fn ctx(&self) -> Ctx {
        match self.mark {
            Mark::Visit(_) => Ctx::ReadBackVisit,
            Mark::Card(_) => Ctx::ReadBack,
        }
    }

    /// The visit's mark changed (its owner set it).
    pub fn set_marked(&mut self, at: Option<PrimitiveDateTime>) {
        if let Mark::Visit(_) = self.mark {
            self.mark = Mark::Visit(at);
        }
    }

    pub fn key(&mut self, _key: Key, action: Option<Action>) -> ReadBackOutcome {
        let page = self.page.get().max(1);
        let last = self.lines.get().saturating_sub(page);
        match action {
            Some(Action::Cancel) | Some(Action::ReadBack) => return ReadBackOutcome::Close,
            Some(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            Some(Action::Down) => self.scroll = (self.scroll + 1).min(last),
            Some(Action::PageUp) => self.scroll = self.scroll.saturating_sub(page),
            Some(Action::PageDown) => self.scroll = (self.scroll + page).min(last),
            Some(Action::First) => self.scroll = 0,
            Some(Action::Last) => self.scroll = last,
            Some(Action::ReadBackLanguage) => self.lang = self.lang.toggled(),
            Some(Action::MarkReadBack) => {
                if let Mark::Visit(at) = self.mark {
                    return ReadBackOutcome::Mark(at.is_none());
                }
            }
            _ => {}
        }
        ReadBackOutcome::Stay
    }

    pub fn view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        if area.height < 2 || area.width < 20 {
            return;
        }
        // Generous margins where there is room; the last row says whether
        // it was read back and where the page is.
        let margin = if area.width >= 80 { MARGIN } else { 2 };
        let width = (usize::from(area.width.saturating_sub(2 * margin))).min(TEXT_WIDTH);
        let top = u16::from(area.height >= 12);
        let body = Rect::new(
            area.x + margin,
            area.y + top,
            width as u16,
            area.height - top - 1,
        );
        let lines = self.content.lines(self.lang, width);
        let height = usize::from(body.height);
        self.page.set(height);
        self.lines.set(lines.len());
        let first = self.scroll.min(lines.len().saturating_sub(height));
        let style = |k: Kind| match k {
            Kind::Title => v.theme.title(),
            Kind::Heading => v.theme.title(),
            Kind::Strong => Style::new().add_modifier(Modifier::BOLD),
            Kind::Body => Style::new(),
            Kind::Quiet => v.theme.dim(),
        };
        let shown: Vec<Line> = lines
            .iter()
            .skip(first)
            .take(height)
            .map(|l| Line::styled(l.text.clone(), style(l.kind)))
            .collect();
        f.render_widget(Paragraph::new(shown), body);
        // Screen readers start at the top of what is shown.
        f.set_cursor_position((body.x, body.y));

        let status = self.mark_text(v.lang);
        let pos = if lines.len() > height {
            let more = if first + height < lines.len() {
                v.lang.pick("↓ meer", "↓ more")
            } else {
                v.lang.pick("einde", "end")
            };
            format!(
                "{more} · {}–{} {} {}",
                first + 1,
                (first + height).min(lines.len()),
                v.lang.pick("van", "of"),
                lines.len()
            )
        } else {
            String::new()
        };
        let row = Rect::new(area.x, area.y + area.height - 1, area.width, 1);
        // At least one space between the two.
        let room =
            usize::from(area.width).saturating_sub(pos.chars().count() + 2 * margin as usize + 1);
        let status: String = status.chars().take(room).collect();
        let pad = usize::from(area.width)
            .saturating_sub(status.chars().count() + pos.chars().count() + 2 * margin as usize)
            .max(1);
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::raw(" ".repeat(margin as usize)),
                Span::styled(status, v.theme.dim()),
                Span::raw(" ".repeat(pad)),
                Span::styled(pos, v.theme.dim()),
            ])),
            row,
        );
    }

    /// Whether it was read back, in the worker's language.
    fn mark_text(&self, lang: Lang) -> String {
        match (self.mark, lang) {
            (Mark::Visit(Some(at)), Lang::Nl) => format!(
                "✓ Voorgelezen met het gezin ({:02}:{:02})",
                at.hour(),
                at.minute()
            ),
            (Mark::Visit(Some(at)), Lang::En) => format!(
                "✓ Read back with the family ({:02}:{:02})",
                at.hour(),
                at.minute()
            ),
            (Mark::Visit(None), _) => lang
                .pick(
                    "Nog niet gemarkeerd als voorgelezen",
                    "Not yet marked as read back",
                )
                .to_string(),
            (Mark::Card(Some(d)), Lang::Nl) => {
                format!("Voorgelezen op {}", spoken_date(d, None, lang))
            }
            (Mark::Card(Some(d)), Lang::En) => {
                format!("Read back on {}", spoken_date(d, None, lang))
            }
            (Mark::Card(None), _) => lang
                .pick(
                    "Bij het laatste bezoek niet voorgelezen",
                    "Not read back at the last visit",
                )
                .to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_are_written_out_with_day_and_month_names() {
        let d = date!(2026 - 12 - 18);
        assert_eq!(spoken_date(d, Some(2026), Lang::Nl), "vrijdag 18 december");
        assert_eq!(spoken_date(d, Some(2026), Lang::En), "Friday 18 December");
        // Another year than the visit's is said.
        assert_eq!(
            spoken_date(date!(2027 - 01 - 04), Some(2026), Lang::Nl),
            "maandag 4 januari 2027"
        );
        assert_eq!(
            spoken_date(date!(2026 - 03 - 04), None, Lang::En),
            "Wednesday 4 March 2026"
        );
        // Every month and weekday has its own Dutch name.
        let names: std::collections::BTreeSet<String> = (1..=12)
            .map(|m| {
                let d = Date::from_calendar_date(2026, Month::try_from(m).unwrap(), 1).unwrap();
                spoken_date(d, Some(2026), Lang::Nl)
                    .split(' ')
                    .nth(2)
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(names.len(), 12);
        let days: std::collections::BTreeSet<String> = (1..=7)
            .map(|n| {
                spoken_date(
                    date!(2026 - 03 - 01) + time::Duration::days(n),
                    Some(2026),
                    Lang::Nl,
                )
                .split(' ')
                .next()
                .unwrap()
                .to_string()
            })
            .collect();
        assert_eq!(days.len(), 7);
        assert!(days.contains("zondag") && days.contains("woensdag"));
    }

    #[test]
    fn every_framework_value_is_explained_and_the_unclear_one_never_guesses() {
        let cases = [
            (Some("vrijwillig"), None, Framework::Voluntary),
            (Some("drang"), None, Framework::Pressure),
            (
                Some("maatregel"),
                Some("ots"),
                Framework::Measure(Measure::Supervision),
            ),
            (
                Some("maatregel"),
                Some("ots_uhp"),
                Framework::Measure(Measure::SupervisionPlacement),
            ),
            (
                Some("maatregel"),
                Some("voorlopig"),
                Framework::Measure(Measure::Interim),
            ),
            (
                Some("maatregel"),
                Some("voogdij"),
                Framework::Measure(Measure::Guardianship),
            ),
            (
                Some("maatregel"),
                Some("anders"),
                Framework::Measure(Measure::Other),
            ),
            (Some("maatregel"), None, Framework::Measure(Measure::Other)),
            (Some("onduidelijk"), None, Framework::Unclear),
            (None, None, Framework::Unclear),
            (Some("iets_nieuws"), None, Framework::Unclear),
        ];
        let mut seen = Vec::new();
        for (kader, soort, want) in cases {
            let got = Framework::from_answers(kader, soort);
            assert_eq!(got, want, "{kader:?} {soort:?}");
            for lang in [Lang::Nl, Lang::En] {
                let [means, not] = got.explained(lang);
                assert!(means.len() > 40 && not.len() > 20, "{got:?}");
                seen.push(means);
            }
        }
        let nl = |f: Framework| f.explained(Lang::Nl).join(" ");
        assert!(nl(Framework::Voluntary).contains("vrijwillig"));
        assert!(nl(Framework::Pressure).contains("Raad voor de Kinderbescherming"));
        assert!(nl(Framework::Pressure).contains("geen maatregel van de rechter"));
        assert!(
            nl(Framework::Measure(Measure::Supervision))
                .contains("Een ondertoezichtstelling betekent niet dat uw kind uit huis gaat.")
        );
        assert!(nl(Framework::Measure(Measure::Supervision)).contains("houden het gezag"));
        assert!(nl(Framework::Measure(Measure::Other)).contains("niet vanzelf"));
        // Unclear: the worker finds out and tells; no framework is named as if known.
        let unclear = nl(Framework::Unclear);
        assert!(unclear.contains("zoeken dit uit"));
        assert!(!unclear.contains("De hulp is"));
        let unclear_en = Framework::Unclear.explained(Lang::En).join(" ");
        assert!(unclear_en.contains("find out"));
        // Each value has its own wording.
        let nl_texts: std::collections::BTreeSet<_> = seen.iter().step_by(2).collect();
        assert_eq!(nl_texts.len(), 8);
    }

    fn sample() -> ReadBack {
        ReadBack {
            today: None,
            visit_date: Some(date!(2026 - 03 - 04)),
            agreements: vec![Agreement {
                who: SecretText::new("Iris (moeder)"),
                what: SecretText::new(
                    "Zoekt met de hulpverlener een veilige plek voor zich en Mila.",
                ),
                by: Some(date!(2026 - 03 - 20)),
                if_wrong: SecretText::new("Iris belt 112."),
                earlier: false,
            }],
            framework: Framework::Pressure,
            next_contact: Some(date!(2026 - 03 - 11)),
            evaluation: Some(date!(2027 - 01 - 08)),
        }
    }

    #[test]
    fn lines_keep_to_the_width_and_say_each_part_in_order() {
        for (lang, width) in [(Lang::Nl, 64), (Lang::En, 64), (Lang::Nl, 40)] {
            let lines = sample().lines(lang, width);
            assert!(
                lines.iter().all(|l| l.text.chars().count() <= width),
                "{lang:?} {width}"
            );
            let all: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
            let text = all.join("\n");
            let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} in {text}"));
            if lang == Lang::Nl && width == 64 {
                assert!(at("Wat we samen") < at("De afspraken"));
                assert!(at("De afspraken") < at("Vrijwillig of verplicht?"));
                assert!(at("Vrijwillig of verplicht?") < at("Wat gebeurt er nu?"));
                assert!(at("Wat gebeurt er nu?") < at("Vragen of klachten?"));
                at("Huisbezoek van woensdag 4 maart 2026");
                at("uiterlijk vrijdag 20 maart");
                at("We hebben weer contact op woensdag 11 maart.");
                at("Op vrijdag 8 januari 2027 kijken we samen");
                at("Iris belt 112.");
                at("AKJ: 088 555 1000 · www.akj.nl");
            }
        }
        let en = sample().lines(Lang::En, 64);
        let text: Vec<&str> = en.iter().map(|l| l.text.as_str()).collect();
        let text = text.join("\n");
        assert!(text.contains("by Friday 20 March"), "{text}");
        assert!(text.contains("vertrouwenspersoon jeugd"));
    }

    #[test]
    fn no_agreements_and_no_dates_are_said_plainly() {
        let rb = ReadBack {
            today: None,
            visit_date: None,
            agreements: Vec::new(),
            framework: Framework::Unclear,
            next_contact: None,
            evaluation: None,
        };
        let text: Vec<String> = rb.lines(Lang::Nl, 64).into_iter().map(|l| l.text).collect();
        let text = text.join("\n");
        assert!(text.contains("geen afspraken opgeschreven"));
        assert!(text.contains("We spreken nog af wanneer"));
        assert!(!text.contains("kijken we samen"));
    }

    #[test]
    fn marking_is_only_offered_from_a_visit_and_toggles() {
        let mut s = ReadBackScreen::new(sample(), Lang::Nl, Mark::Visit(None));
        assert_eq!(s.ctx(), Ctx::ReadBackVisit);
        assert_eq!(
            s.key(Key::Char('m'), Some(Action::MarkReadBack)),
            ReadBackOutcome::Mark(true)
        );
        s.set_marked(Some(time::macros::datetime!(2026-03-04 10:42)));
        assert_eq!(
            s.key(Key::Char('m'), Some(Action::MarkReadBack)),
            ReadBackOutcome::Mark(false)
        );
        let mut card = ReadBackScreen::new(sample(), Lang::Nl, Mark::Card(None));
        assert_eq!(card.ctx(), Ctx::ReadBack);
        assert_eq!(
            card.key(Key::Char('m'), Some(Action::MarkReadBack)),
            ReadBackOutcome::Stay
        );
        assert_eq!(
            card.key(Key::Esc, Some(Action::Cancel)),
            ReadBackOutcome::Close
        );
        card.key(Key::Char('t'), Some(Action::ReadBackLanguage));
        assert_eq!(card.lang(), Lang::En);
    }
}
