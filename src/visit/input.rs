//! Typed text to an answer: what a number, scale, date or text field holds
//! becomes an answer only when it reads as one for its item. Anything else
//! is refused with the reason, in Dutch and English, and the text itself is
//! kept by the caller (as an invalid draft value) — never truncated or
//! dropped.
//!
//! Pure: "today" comes in as a value (for `vandaag` / `gisteren`).

use time::{Date, Duration, Month};

use crate::checklist::model::ItemKind;
use crate::i18n::Text;
use crate::visit::record::format_date;
use crate::visit::{Answer, AnswerError, SecretText, check_answer};

/// What `text`, typed into the field of an item of `kind` with `options`
/// options, means: `Ok(None)` clears the answer (an empty field),
/// `Ok(Some(answer))` is an answer that fits the item, `Err(why)` says why
/// the text is no answer.
pub fn parse_input(
    kind: &ItemKind,
    options: usize,
    text: &str,
    today: Date,
) -> Result<Option<Answer>, Text> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let answer = match kind {
        ItemKind::Date => parse_date_input(trimmed, today)
            .map(Answer::Date)
            .ok_or_else(|| {
                Text::new(
                    "Dit is geen datum. Schrijf bijvoorbeeld 28-11-2026, 2026-11-28 of vandaag.",
                    "This is not a date. Write for example 28-11-2026, 2026-11-28 or today.",
                )
            })?,
        ItemKind::Number { integer, .. } => {
            Answer::Number(parse_number(trimmed).ok_or_else(|| {
                // The example fits the item: no decimals where only whole
                // numbers are taken.
                if *integer {
                    Text::new(
                        "Dit is geen getal. Schrijf alleen cijfers, bijvoorbeeld 12.",
                        "This is not a number. Write only digits, for example 12.",
                    )
                } else {
                    Text::new(
                        "Dit is geen getal. Schrijf alleen cijfers, bijvoorbeeld 12 of 2,5.",
                        "This is not a number. Write only digits, for example 12 or 2.5.",
                    )
                }
            })?)
        }
        ItemKind::Scale { .. } => Answer::Number(
            parse_number(trimmed)
                .ok_or_else(|| Text::new("Dit is geen getal.", "This is not a number."))?,
        ),
        ItemKind::ShortText { .. } | ItemKind::LongText { .. } => {
            Answer::Text(SecretText::new(text))
        }
        // Choices are answered by a key, never typed.
        _ => {
            return Err(Text::new(
                "Deze vraag beantwoordt u met een toets, niet met tekst.",
                "This question is answered with a key, not with text.",
            ));
        }
    };
    check_answer(kind, options, &answer).map_err(|e| why(&e))?;
    Ok(Some(answer))
}

/// Why a value does not fit, in words the worker can act on.
fn why(e: &AnswerError) -> Text {
    match e {
        AnswerError::OutOfRange { min, max } => {
            let (nl, en) = match (min.as_str(), max.as_str()) {
                ("…", hi) => (format!("van hoogstens {hi}"), format!("of at most {hi}")),
                (lo, "…") => (format!("van minstens {lo}"), format!("of at least {lo}")),
                (lo, hi) => (
                    format!("van {lo} tot en met {hi}"),
                    format!("from {lo} to {hi}"),
                ),
            };
            Text::new(
                format!("Dit getal past niet: het moet een getal {nl} zijn."),
                format!("This number does not fit: it must be a number {en}."),
            )
        }
        AnswerError::NotWhole => Text::new(
            "Dit getal past niet: het moet een heel getal zijn.",
            "This number does not fit: it must be a whole number.",
        ),
        AnswerError::TooLong(n) => Text::new(
            format!("Deze tekst is te lang: hoogstens {n} tekens."),
            format!("This text is too long: at most {n} characters."),
        ),
        other => Text::new(
            format!("Dit antwoord past niet: {other}."),
            format!("This answer does not fit: {other}."),
        ),
    }
}

/// A number as typed: digits with an optional sign, and a decimal comma or
/// point. Nothing else (no exponent, no `inf`, no thousands separator).
fn parse_number(s: &str) -> Option<f64> {
    let t = s.replace(',', ".");
    let body = t.strip_prefix(['-', '+']).unwrap_or(&t);
    let ok = !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit() || c == '.')
        && body.chars().filter(|&c| c == '.').count() <= 1
        && body.chars().any(|c| c.is_ascii_digit());
    if !ok {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A date as Dutch (and English) workers write it: `2026-11-28`,
/// `28-11-2026`, `8-3-2026` (also with `/` or `.`), `vandaag`/`today`,
/// `gisteren`/`yesterday`.
pub fn parse_date_input(s: &str, today: Date) -> Option<Date> {
    let s = s.trim();
    match s.to_lowercase().as_str() {
        "vandaag" | "today" => return Some(today),
        "gisteren" | "yesterday" => return today.checked_sub(Duration::days(1)),
        _ => {}
    }
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let num = |p: &str, max_len: usize| -> Option<u32> {
        (!p.is_empty() && p.len() <= max_len && p.chars().all(|c| c.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (year, month, day) = if a.len() == 4 {
        (num(a, 4)?, num(b, 2)?, num(c, 2)?)
    } else if c.len() == 4 {
        (num(c, 4)?, num(b, 2)?, num(a, 2)?)
    } else {
        return None;
    };
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()
}

/// How an answer reads in its typing field: a whole number without `.0`,
/// a date as `JJJJ-MM-DD`, text as typed. Empty without an answer.
pub fn field_text(answer: Option<&Answer>) -> String {
    match answer {
        Some(Answer::Number(n)) => format_number(*n),
        Some(Answer::Date(d)) => format_date(*d),
        Some(Answer::Text(t)) => t.as_str().to_string(),
        _ => String::new(),
    }
}

/// A number as the worker reads it: `12`, not `12.0`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Text;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 05);

    fn number(min: Option<f64>, max: Option<f64>, integer: bool) -> ItemKind {
        ItemKind::Number {
            unit: None,
            min,
            max,
            integer,
        }
    }

    fn scale() -> ItemKind {
        ItemKind::Scale {
            min: 0,
            max: 10,
            min_label: Text::new("niets", "nothing"),
            max_label: Text::new("heel veel", "very much"),
        }
    }

    #[test]
    fn dates_in_every_form_workers_write_them() {
        let want = date!(2026 - 11 - 28);
        for s in [
            "2026-11-28",
            "28-11-2026",
            "28/11/2026",
            "28.11.2026",
            " 28-11-2026 ",
            "2026/11/28",
        ] {
            assert_eq!(parse_date_input(s, TODAY), Some(want), "{s}");
        }
        assert_eq!(
            parse_date_input("8-3-2026", TODAY),
            Some(date!(2026 - 03 - 08))
        );
        assert_eq!(
            parse_date_input("2026-3-8", TODAY),
            Some(date!(2026 - 03 - 08))
        );
        for s in ["vandaag", "Vandaag", "today", "TODAY"] {
            assert_eq!(parse_date_input(s, TODAY), Some(TODAY), "{s}");
        }
        for s in ["gisteren", "yesterday"] {
            assert_eq!(
                parse_date_input(s, TODAY),
                Some(date!(2026 - 12 - 04)),
                "{s}"
            );
        }
        for s in [
            "31-02-2026",
            "28-13-2026",
            "28-11-26",
            "2026-11",
            "morgen",
            "28 11 2026",
            "2026-11-28-1",
            "+8-3-2026",
            "",
        ] {
            assert_eq!(parse_date_input(s, TODAY), None, "{s}");
        }
    }

    #[test]
    fn a_date_is_stored_as_an_iso_date_and_a_bad_one_says_why() {
        let a = parse_input(&ItemKind::Date, 0, "28-11-2026", TODAY).unwrap();
        assert_eq!(a, Some(Answer::Date(date!(2026 - 11 - 28))));
        assert_eq!(field_text(a.as_ref()), "2026-11-28");
        let e = parse_input(&ItemKind::Date, 0, "28-11", TODAY).unwrap_err();
        assert!(e.nl.contains("geen datum"), "{}", e.nl);
        assert!(e.en.contains("not a date"), "{}", e.en);
    }

    #[test]
    fn numbers_out_of_range_or_not_whole_are_refused_with_the_reason() {
        let k = number(Some(0.0), Some(50.0), true);
        assert_eq!(
            parse_input(&k, 0, "12", TODAY).unwrap(),
            Some(Answer::Number(12.0))
        );
        let e = parse_input(&k, 0, "75", TODAY).unwrap_err();
        assert!(e.nl.contains("van 0 tot en met 50"), "{}", e.nl);
        assert!(e.en.contains("from 0 to 50"), "{}", e.en);
        let e = parse_input(&k, 0, "2,5", TODAY).unwrap_err();
        assert!(e.nl.contains("heel getal"), "{}", e.nl);
        for s in ["12a", "1e3", "inf", "NaN", "1.2.3", "-", "1 000"] {
            let e = parse_input(&k, 0, s, TODAY).unwrap_err();
            assert!(e.nl.contains("geen getal"), "{s}: {}", e.nl);
        }
        let open = number(Some(1.0), None, false);
        assert_eq!(
            parse_input(&open, 0, "2,5", TODAY).unwrap(),
            Some(Answer::Number(2.5))
        );
        let e = parse_input(&open, 0, "0", TODAY).unwrap_err();
        assert!(e.nl.contains("minstens 1"), "{}", e.nl);
    }

    #[test]
    fn a_scale_takes_the_whole_typed_value() {
        assert_eq!(
            parse_input(&scale(), 0, "10", TODAY).unwrap(),
            Some(Answer::Number(10.0))
        );
        assert!(parse_input(&scale(), 0, "11", TODAY).is_err());
        assert!(parse_input(&scale(), 0, "-1", TODAY).is_err());
    }

    #[test]
    fn an_empty_field_clears_the_answer() {
        for k in [number(None, None, false), ItemKind::Date, scale()] {
            assert_eq!(parse_input(&k, 0, "  ", TODAY).unwrap(), None);
        }
        let t = ItemKind::ShortText { max_length: 5 };
        assert_eq!(parse_input(&t, 0, "", TODAY).unwrap(), None);
    }

    #[test]
    fn text_is_taken_as_typed_unless_too_long() {
        let t = ItemKind::ShortText { max_length: 10 };
        assert_eq!(
            parse_input(&t, 0, " Iris ", TODAY).unwrap(),
            Some(Answer::Text(SecretText::new(" Iris ")))
        );
        let e = parse_input(&t, 0, "Iris Kersenboom", TODAY).unwrap_err();
        assert!(e.nl.contains("hoogstens 10 tekens"), "{}", e.nl);
    }

    #[test]
    fn whole_numbers_read_without_a_fraction() {
        assert_eq!(format_number(12.0), "12");
        assert_eq!(format_number(-3.0), "-3");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(field_text(Some(&Answer::Number(7.0))), "7");
        assert_eq!(field_text(None), "");
    }
}
