//! First run: what safevisit does and keeps, the organisation's recipients
//! (bare `age1…` keys, a file of them, or the organisation's card, whose
//! organisation and fingerprint are shown for a check and whose signing key
//! is pinned), a device name, and a passphrase typed twice with strength
//! feedback. The same rules as `safevisit init` apply; the vault checks
//! them again.

use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::cards::{OrgCard, is_org_card};
use crate::commands::org_card::shown_name;
use crate::i18n::{Lang, Text};
use crate::store::passphrase::{check_strength_with, estimate_with};
use crate::store::recipients::{holds_secret_key, parse_recipient, parse_recipients_file};
use crate::tui::app::{AppCtx, Message, Transition};
use crate::tui::event::{Effect, Key};
use crate::tui::keys::Action;
use crate::tui::view::ViewCtx;
use crate::tui::widgets::{Field, Masked, wrap_prefixed};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Step {
    #[default]
    Welcome,
    Recipients,
    Device,
    Passphrase,
}

pub struct OnboardingScreen {
    step: Step,
    recipient: Field,
    recipients: Vec<String>,
    /// The organisation's card, when its path was given.
    card: Option<OrgCard>,
    device: Field,
    pass1: Masked,
    pass2: Masked,
    second: bool,
    waiting: bool,
    /// A secret key is being typed (a terminal without bracketed paste
    /// sends a paste as keys): its remaining letters and digits are dropped.
    swallowing: bool,
    /// The first line of the welcome text on screen (it scrolls in a small
    /// window).
    welcome_scroll: u16,
}

impl Default for OnboardingScreen {
    fn default() -> Self {
        OnboardingScreen {
            step: Step::Welcome,
            recipient: Field::single_no_undo(""),
            recipients: Vec::new(),
            card: None,
            device: Field::single(""),
            pass1: Masked::default(),
            pass2: Masked::default(),
            second: false,
            waiting: false,
            swallowing: false,
            welcome_scroll: 0,
        }
    }
}

fn error(nl: impl Into<String>, en: impl Into<String>) -> Option<Message> {
    Some(Message::error(Text::new(nl, en)))
}

/// What the worker is told when a secret key was typed or pasted: it is
/// gone from the field and the screen, and never repeated in the message.
fn secret_key_refused() -> Option<Message> {
    error(
        "Dit is een GEHEIME sleutel (AGE-SECRET-KEY-…). Die is niet bewaard en van het scherm gehaald. Vraag uw organisatie om een nieuwe sleutel: deze is nu niet meer geheim. Plak hier alleen de publieke sleutel (age1…).",
        "This is a SECRET key (AGE-SECRET-KEY-…). It was not kept and is off the screen. Ask your organisation for a new key: this one is no longer secret. Paste only the public key (age1…) here.",
    )
}

/// The key in what was typed or pasted: `age1…` alone, or as `age-keygen`
/// prints it (`Public key: age1…`, `# public key: age1…`).
fn without_label(text: &str) -> &str {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    for label in ["# public key:", "public key:"] {
        if lower.starts_with(label) {
            // ASCII lower-casing keeps byte offsets.
            return t[label.len()..].trim();
        }
    }
    t
}

/// The strength of a passphrase from 0 (very weak) to 4 (strong), for the meter.
fn strength(p: &str) -> u8 {
    if p.is_empty() {
        0
    } else {
        estimate_with(p, &[]).score
    }
}

impl OnboardingScreen {
    pub fn key(&mut self, key: Key, _action: Option<Action>, ctx: &mut AppCtx<'_>) -> Transition {
        if self.waiting {
            return Transition::Stay;
        }
        if self.swallowing {
            if matches!(key, Key::Char(c) if c.is_ascii_alphanumeric()) {
                return Transition::Stay;
            }
            self.swallowing = false;
        }
        match self.step {
            Step::Welcome => match key {
                Key::Enter => self.go(Step::Recipients, ctx),
                // The view stops at the last line; this only bounds the count.
                Key::Down => self.welcome_scroll = (self.welcome_scroll + 1).min(40),
                Key::PageDown => self.welcome_scroll = (self.welcome_scroll + 8).min(40),
                Key::End => self.welcome_scroll = 40,
                Key::Up => self.welcome_scroll = self.welcome_scroll.saturating_sub(1),
                Key::PageUp => self.welcome_scroll = self.welcome_scroll.saturating_sub(8),
                Key::Home => self.welcome_scroll = 0,
                _ => {}
            },
            Step::Recipients => match key {
                Key::Enter => self.add_recipient(ctx),
                Key::Tab => {
                    if self.recipients.is_empty() && self.card.is_none() {
                        ctx.message = error(
                            "Voeg eerst minstens één sleutel van uw organisatie toe (age1…).",
                            "Add at least one key of your organisation first (age1…).",
                        );
                    } else {
                        self.go(Step::Device, ctx);
                    }
                }
                Key::BackTab => self.go(Step::Welcome, ctx),
                Key::Delete if self.recipient.is_empty() => {
                    if self.recipients.pop().is_none() {
                        self.card = None;
                    }
                }
                _ => {
                    self.recipient.handle(key);
                    // A secret key typed (or pasted as keys) leaves the
                    // screen at once, and so does the rest of it.
                    if holds_secret_key(&zeroize::Zeroizing::new(self.recipient.text())) {
                        self.recipient.wipe();
                        self.swallowing = true;
                        ctx.message = secret_key_refused();
                    }
                }
            },
            Step::Device => match key {
                Key::Enter | Key::Tab => {
                    if self.device.text().trim().is_empty() {
                        ctx.message = error(
                            "Geef deze laptop een naam, bijvoorbeeld laptop-3.",
                            "Give this laptop a name, for example laptop-3.",
                        );
                    } else {
                        self.go(Step::Passphrase, ctx);
                    }
                }
                Key::BackTab => self.go(Step::Recipients, ctx),
                _ => {
                    self.device.handle(key);
                }
            },
            Step::Passphrase => match key {
                Key::BackTab if !self.second => self.go(Step::Device, ctx),
                Key::Tab | Key::BackTab => self.second = !self.second,
                Key::Enter if !self.second => {
                    let device = self.device.text();
                    match self
                        .pass1
                        .with(|p| check_strength_with(p, &[device.trim()]))
                    {
                        Ok(_) => self.second = true,
                        Err(weak) => {
                            ctx.message = Some(Message::error(Text::new(
                                weak.describe(Lang::Nl),
                                weak.describe(Lang::En),
                            )))
                        }
                    }
                }
                Key::Enter => {
                    if !self.pass1.matches(&self.pass2) {
                        self.pass2.clear();
                        ctx.message = error(
                            "De twee wachtwoorden zijn niet gelijk. Typ het tweede opnieuw.",
                            "The two passphrases differ. Type the second one again.",
                        );
                    } else {
                        self.waiting = true;
                        self.pass2.clear();
                        ctx.effects.push(Effect::Init {
                            recipients: self.recipients.clone(),
                            org_card: self.card.clone(),
                            device_name: self.device.text().trim().to_string(),
                            passphrase: self.pass1.take(),
                        });
                    }
                }
                _ => {
                    if self.second {
                        self.pass2.handle(key);
                    } else {
                        self.pass1.handle(key);
                    }
                }
            },
        }
        Transition::Stay
    }

    /// Move to another step: the message about this one goes.
    fn go(&mut self, step: Step, ctx: &mut AppCtx<'_>) {
        if step != self.step {
            self.step = step;
            ctx.clear_message = true;
        }
    }

    fn add_recipient(&mut self, ctx: &mut AppCtx<'_>) {
        let typed = zeroize::Zeroizing::new(self.recipient.text());
        if holds_secret_key(&typed) {
            self.recipient.wipe();
            ctx.message = secret_key_refused();
            return;
        }
        let text = without_label(&typed).to_string();
        if text.is_empty() {
            if !self.recipients.is_empty() || self.card.is_some() {
                self.go(Step::Device, ctx);
            }
            return;
        }
        if text.starts_with("age1") {
            if let Err(e) = parse_recipient(&text) {
                ctx.message = Some(Message::error(Text::new(
                    e.describe(Lang::Nl),
                    e.describe(Lang::En),
                )));
                return;
            }
            if !self.recipients.contains(&text) {
                self.recipients.push(text);
            }
            self.recipient.set_text("");
            ctx.clear_message = true;
        } else {
            ctx.effects
                .push(Effect::ReadRecipientsFile(PathBuf::from(text)));
        }
    }

    /// The contents of a recipients file arrived (or not).
    pub fn recipients_file(&mut self, result: Result<String, Text>) -> Option<Message> {
        // The file may hold a secret key by mistake: wiped once read.
        let text = match result {
            Ok(t) => zeroize::Zeroizing::new(t),
            Err(e) => return Some(Message::error(e)),
        };
        let label = self.recipient.text().trim().to_string();
        if is_org_card(&text) {
            return self.org_card(&text);
        }
        let parsed = match parse_recipients_file(&text, &label) {
            Ok(list) => list,
            Err(e) => {
                return Some(Message::error(Text::new(
                    e.describe(Lang::Nl),
                    e.describe(Lang::En),
                )));
            }
        };
        let mut added = 0;
        for r in parsed {
            let r = r.to_string();
            if !self.recipients.contains(&r) {
                self.recipients.push(r);
                added += 1;
            }
        }
        self.recipient.set_text("");
        match added {
            0 => error(
                "Het bestand bevat geen nieuwe sleutels.",
                "The file holds no new keys.",
            ),
            1 => Some(Message::info(Text::new(
                "1 sleutel toegevoegd uit het bestand.",
                "1 key added from the file.",
            ))),
            n => Some(Message::info(Text::new(
                format!("{n} sleutels toegevoegd uit het bestand."),
                format!("{n} keys added from the file."),
            ))),
        }
    }

    /// An organisation card was read: checked (format, fingerprint), kept,
    /// and shown with its organisation and fingerprint for a check.
    fn org_card(&mut self, text: &str) -> Option<Message> {
        let card = match OrgCard::parse(text) {
            Ok(card) => card,
            Err(e) => {
                return Some(Message::error(Text::new(
                    e.describe(Lang::Nl),
                    e.describe(Lang::En),
                )));
            }
        };
        let fingerprint = card.fingerprint();
        self.card = Some(card);
        self.recipient.set_text("");
        Some(Message::info(Text::new(
            format!(
                "Organisatiekaart gelezen, vingerafdruk {fingerprint}. Vergelijk die met wat kantoor zegt."
            ),
            format!(
                "Organisation card read, fingerprint {fingerprint}. Compare it with what the office says."
            ),
        )))
    }

    pub fn paste(&mut self, text: &str, ctx: &mut AppCtx<'_>) -> Transition {
        match self.step {
            // A pasted secret key never reaches a field or the screen.
            Step::Recipients | Step::Device if holds_secret_key(text) => {
                self.recipient.wipe();
                ctx.message = secret_key_refused();
            }
            Step::Recipients => {
                self.recipient.paste(text.trim());
            }
            Step::Device => {
                self.device.paste(text);
            }
            Step::Passphrase => {
                if self.second {
                    self.pass2.paste(text)
                } else {
                    self.pass1.paste(text)
                }
            }
            Step::Welcome => {}
        }
        Transition::Stay
    }

    /// Whether keys now go into a passphrase field.
    pub fn typing_secret(&self) -> bool {
        self.step == Step::Passphrase
    }

    pub fn failed(&mut self) {
        self.waiting = false;
        self.second = false;
        self.pass1.clear();
        self.pass2.clear();
    }

    pub fn view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        let t = |nl, en| v.lang.pick(nl, en);
        let steps = [
            t("Welkom", "Welcome"),
            t("Sleutels", "Keys"),
            t("Laptop", "Laptop"),
            t("Wachtwoord", "Passphrase"),
        ];
        let current = self.step as usize;
        let mut spans = vec![Span::raw(" ")];
        for (i, s) in steps.iter().enumerate() {
            let style = if i == current {
                v.theme.selected()
            } else {
                v.theme.dim()
            };
            spans.push(Span::styled(format!(" {}. {s} ", i + 1), style));
            spans.push(Span::raw(" "));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(v.theme.dim())
            .title(Span::styled(
                format!(
                    " {} ",
                    t(
                        "Eerste keer: deze laptop instellen",
                        "First run: set up this laptop"
                    )
                ),
                v.theme.title(),
            ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let [bar, body] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
        f.render_widget(Paragraph::new(Line::from(spans)), bar);
        match self.step {
            Step::Welcome => self.welcome(f, body, v.lang),
            Step::Recipients => self.recipients_view(f, body, v),
            Step::Device => {
                let [intro, field, _] = Layout::vertical([
                    Constraint::Length(4),
                    Constraint::Length(3),
                    Constraint::Min(0),
                ])
                .areas(body);
                f.render_widget(
                    Paragraph::new(t(
                        "Geef deze laptop een naam. Het kantoor ziet die naam bij elk bezoek dat u stuurt, bijvoorbeeld laptop-3 of wijkteam-noord-2. Gebruik geen namen van gezinnen.",
                        "Give this laptop a name. The office sees it with every visit you send, for example laptop-3 or wijkteam-noord-2. Do not use family names.",
                    ))
                    .wrap(Wrap { trim: true }),
                    intro,
                );
                self.device.render(
                    f,
                    field,
                    t(" Naam van deze laptop ", " Name of this laptop "),
                    true,
                    v.theme,
                );
            }
            Step::Passphrase => self.passphrase_view(f, body, v),
        }
    }

    fn welcome(&self, f: &mut Frame, area: Rect, lang: Lang) {
        let text = lang.pick(
            "safevisit helpt u tijdens een huisbezoek met de checklists voor veiligheid, traumascreening, gezinsanalyse en hulp.\n\n\
             Wat u invult, staat alleen versleuteld op deze laptop. Een afgerond bezoek kan alleen uw organisatie nog openen, \
             ook u niet: zo is er niets te lezen als de laptop kwijtraakt.\n\n\
             U heeft nodig: de organisatiekaart van uw leidinggevende (een bestand; of de sleutel van uw organisatie, die begint met age1…) en een sterk wachtwoord \
             dat u niet vergeet. Zonder dat wachtwoord zijn uw concepten niet meer te openen.\n\n\
             F12 of Ctrl-Spatie verbergt het scherm direct, ook midden in een tekst; probeer het nu (een toets brengt u terug). Na 5 minuten zonder gebruik vergrendelt safevisit vanzelf.\n\n\
             Druk op Enter om te beginnen.",
            "safevisit helps you during a home visit with the checklists for safety, trauma screening, family analysis and help.\n\n\
             What you record is kept only encrypted on this laptop. A finalized visit can only be opened by your organisation, \
             not even by you: so there is nothing to read if the laptop is lost.\n\n\
             You need: the organisation card from your supervisor (a file; or your organisation's key, which starts with age1…) and a strong passphrase you will not \
             forget. Without it your drafts cannot be opened again.\n\n\
             F12 or Ctrl-Space hides the screen at once, even in the middle of a text; try it now (a key brings you back). After 5 minutes without use safevisit locks itself.\n\n\
             Press Enter to begin.",
        );
        // Wrapped here, so a window too short for all of it can scroll
        // (↑/↓) and say so; Enter always begins.
        let mut lines: Vec<String> = Vec::new();
        for para in text.split('\n') {
            if para.is_empty() {
                lines.push(String::new());
            } else {
                lines.extend(wrap_prefixed("", para, usize::from(area.width)));
            }
        }
        if area.height == 0 {
            return;
        }
        let total = lines.len() as u16;
        if total <= area.height {
            f.render_widget(Paragraph::new(lines.join("\n")), area);
            f.set_cursor_position((area.x, area.y));
            return;
        }
        let page = area.height - 1;
        let first = self.welcome_scroll.min(total - page);
        let shown: Vec<Line> = lines
            .into_iter()
            .skip(usize::from(first))
            .take(usize::from(page))
            .map(Line::from)
            .collect();
        let [body, hint] =
            Layout::vertical([Constraint::Length(page), Constraint::Length(1)]).areas(area);
        f.render_widget(Paragraph::new(shown), body);
        let more = if first + page < total {
            lang.pick(
                "↓ meer tekst · Enter: beginnen",
                "↓ more text · Enter: begin",
            )
        } else {
            lang.pick("↑ terug · Enter: beginnen", "↑ back · Enter: begin")
        };
        f.render_widget(Paragraph::new(more), hint);
        f.set_cursor_position((area.x, area.y));
    }

    fn recipients_view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        let t = |nl, en| v.lang.pick(nl, en);
        let [intro, field, list] = Layout::vertical([
            Constraint::Length(4),
            Constraint::Length(3),
            Constraint::Min(1),
        ])
        .areas(area);
        f.render_widget(
            Paragraph::new(t(
                "Plak de sleutel van uw organisatie (age1…) en druk op Enter, of typ het pad van de organisatiekaart of van een bestand met sleutels. Voeg bij voorkeur ook een reservesleutel toe. Tab: verder.",
                "Paste your organisation's key (age1…) and press Enter, or type the path of the organisation card or of a file of keys. Preferably add a backup key too. Tab: continue.",
            ))
            .wrap(Wrap { trim: true }),
            intro,
        );
        self.recipient.render(
            f,
            field,
            t(" Sleutel of bestand ", " Key or file "),
            true,
            v.theme,
        );
        let mut lines: Vec<Line> = Vec::new();
        if let Some(card) = &self.card {
            let name = if card.organisation.is_empty() {
                t("(geen naam)", "(no name)").to_string()
            } else {
                shown_name(&card.organisation)
            };
            lines.push(Line::from(format!(
                "  ✓ {}: {name}",
                t("Organisatiekaart", "Organisation card")
            )));
            lines.push(Line::styled(
                format!(
                    "    {}: {}",
                    t("Vingerafdruk", "Fingerprint"),
                    card.fingerprint()
                ),
                v.theme.title(),
            ));
            lines.push(Line::from(format!(
                "    {} {} + {} {}",
                card.recipients.len(),
                t("sleutel(s)", "key(s)"),
                card.backup_recipients.len(),
                t("reserve", "backup")
            )));
            lines.push(Line::styled(
                t(
                    "    Klopt de vingerafdruk met wat kantoor zegt? Zo niet: Del (leeg veld) haalt de kaart weg.",
                    "    Does the fingerprint match what the office says? If not: Del (empty field) removes the card.",
                ),
                v.theme.warn(),
            ));
        }
        lines.extend(self.recipients.iter().map(|r| {
            let short = if r.len() > 24 {
                format!("{}…{}", &r[..14], &r[r.len() - 8..])
            } else {
                r.clone()
            };
            Line::from(format!("  ✓ {short}"))
        }));
        let total =
            self.recipients.len() + self.card.as_ref().map_or(0, |c| c.all_recipients().len());
        if total == 1 {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                t(
                    "Let op: met één sleutel gaat alles verloren als die sleutel kwijtraakt. Voeg een tweede (reserve)sleutel toe die offline bewaard wordt.",
                    "Note: with one key, everything is lost if that key is lost. Add a second (backup) key that is kept offline.",
                ),
                v.theme.warn(),
            ));
        }
        if !self.recipients.is_empty() {
            lines.push(Line::styled(
                t(
                    "Del (leeg veld): laatste sleutel weghalen",
                    "Del (empty field): remove the last key",
                ),
                v.theme.dim(),
            ));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), list);
    }

    fn passphrase_view(&self, f: &mut Frame, area: Rect, v: &ViewCtx<'_>) {
        let t = |nl, en| v.lang.pick(nl, en);
        let [intro, p1, meter, p2, hint] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Length(2),
            Constraint::Length(3),
            Constraint::Min(1),
        ])
        .areas(area);
        f.render_widget(
            Paragraph::new(t(
                "Kies een wachtwoord: een lange zin van vier of meer woorden die niet bij elkaar horen is sterk en goed te onthouden.",
                "Choose a passphrase: a long phrase of four or more unrelated words is strong and easy to remember.",
            ))
            .wrap(Wrap { trim: true }),
            intro,
        );
        self.pass1.render(
            f,
            p1,
            t(" Wachtwoord ", " Passphrase "),
            !self.second && !self.waiting,
            v.theme,
        );
        let score = self.pass1.with(strength);
        let (label, style) = match score {
            0 | 1 => (t("zwak", "weak"), v.theme.error()),
            2 => (t("matig", "fair"), v.theme.warn()),
            3 => (t("goed", "good"), v.theme.ok()),
            _ => (t("sterk", "strong"), v.theme.ok()),
        };
        let bar: String =
            "■".repeat(usize::from(score) * 5) + &"·".repeat(20 - usize::from(score) * 5);
        let meter_line = if self.pass1.is_empty() {
            Line::raw("")
        } else {
            Line::from(vec![
                Span::raw(format!(" {}: ", t("Sterkte", "Strength"))),
                Span::styled(bar, style),
                Span::styled(format!(" {label}"), style),
            ])
        };
        f.render_widget(Paragraph::new(meter_line), meter);
        self.pass2.render(
            f,
            p2,
            t(" Nog een keer ", " Once more "),
            self.second && !self.waiting,
            v.theme,
        );
        let h = if self.waiting {
            t(
                "Bezig met instellen… (dit duurt een paar seconden)",
                "Setting up… (this takes a few seconds)",
            )
        } else {
            t(
                "Enter: verder · Tab: ander veld",
                "Enter: continue · Tab: other field",
            )
        };
        f.render_widget(Paragraph::new(Line::styled(h, v.theme.dim())), hint);
    }
}
