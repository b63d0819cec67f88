//! The rule for the device passphrase, shared by `safevisit init` and the
//! onboarding screens: at least [`MIN_CHARS`] characters and a strength
//! score of at least [`MIN_SCORE`] from the `zxcvbn` estimator.
//!
//! Pure: never stores, prints or logs the passphrase; a [`Weakness`] says
//! what is wrong in general terms, never which part of it.

use zxcvbn::feedback::Warning;

use crate::i18n::Lang;

/// The fewest characters a passphrase may have.
pub const MIN_CHARS: usize = 12;

/// The lowest acceptable score on zxcvbn's scale of 0 to 4: at least 10^10
/// estimated guesses. With the scrypt work factor of the device identity
/// (docs/SECURITY.md) that is years of work a stolen laptop.
pub const MIN_SCORE: u8 = 4;

/// Words that make a passphrase easy to guess in this setting; zxcvbn
/// treats them as known words.
const CONTEXT_WORDS: &[&str] = &[
    "safevisit",
    "safe visit",
    "veilig",
    "huisbezoek",
    "jeugdzorg",
    "veilig thuis",
    "wachtwoord",
    "wachtwoordzin",
    "geheim",
    "welkom",
    "laptop",
    "passphrase",
];

/// How strong a passphrase is, for a strength meter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strength {
    /// zxcvbn's score, 0 (guessed at once) to 4 (more than 10^10 guesses).
    pub score: u8,
    /// log10 of the estimated number of guesses.
    pub guesses_log10: f64,
    /// The length in characters.
    pub chars: usize,
}

impl Strength {
    /// Whether the passphrase meets the rule.
    pub fn acceptable(&self) -> bool {
        self.chars >= MIN_CHARS && self.score >= MIN_SCORE
    }
}

/// What makes a passphrase easy to guess (zxcvbn's finding, translated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    CommonPassword,
    SingleWord,
    Names,
    DatesOrYears,
    Patterns,
}

/// Why a passphrase is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Weakness {
    #[error("the passphrase is empty")]
    Empty,
    #[error("the passphrase has {chars} characters; it needs at least {MIN_CHARS}")]
    TooShort { chars: usize },
    #[error("the passphrase is too easy to guess (strength {score} of 4; it needs {MIN_SCORE})")]
    TooGuessable { score: u8, hint: Option<Hint> },
}

impl Weakness {
    /// What is wrong and what would pass, in Dutch or English.
    pub fn describe(&self, lang: Lang) -> String {
        let advice = lang.pick(
            "Wat wel werkt: vier of meer gewone woorden die niets met elkaar of met u te maken hebben, \
             zoals 'paars kanaal vijftien ballon' (neem dit voorbeeld niet over). \
             Hoofdletters, cijfers en tekens zijn niet nodig.",
            "What passes: four or more ordinary words that have nothing to do with each other or with you, \
             like 'purple canal fifteen balloon' (do not use this example). \
             Capitals, digits and symbols are not needed.",
        );
        let what = match self {
            Weakness::Empty => lang
                .pick("De wachtwoordzin is leeg.", "The passphrase is empty.")
                .to_string(),
            Weakness::TooShort { chars } => match lang {
                Lang::Nl => format!(
                    "De wachtwoordzin is te kort: {chars} tekens, minstens {MIN_CHARS} nodig."
                ),
                Lang::En => format!(
                    "The passphrase is too short: {chars} characters, at least {MIN_CHARS} needed."
                ),
            },
            Weakness::TooGuessable { score, hint } => {
                let why = hint.map(|h| match (h, lang) {
                    (Hint::CommonPassword, Lang::Nl) => " Dit lijkt op een veelgebruikt wachtwoord.",
                    (Hint::CommonPassword, Lang::En) => " This is like a commonly used password.",
                    (Hint::SingleWord, Lang::Nl) => " Eén woord alleen is makkelijk te raden.",
                    (Hint::SingleWord, Lang::En) => " A word by itself is easy to guess.",
                    (Hint::Names, Lang::Nl) => " Namen zijn makkelijk te raden.",
                    (Hint::Names, Lang::En) => " Names are easy to guess.",
                    (Hint::DatesOrYears, Lang::Nl) => " Datums en jaartallen zijn makkelijk te raden.",
                    (Hint::DatesOrYears, Lang::En) => " Dates and years are easy to guess.",
                    (Hint::Patterns, Lang::Nl) => {
                        " Herhalingen, reeksen (abc, 123) en toetsenbordpatronen zijn makkelijk te raden."
                    }
                    (Hint::Patterns, Lang::En) => {
                        " Repeats, sequences (abc, 123) and keyboard patterns are easy to guess."
                    }
                });
                match lang {
                    Lang::Nl => format!(
                        "De wachtwoordzin is te makkelijk te raden (sterkte {score} van 4, minstens {MIN_SCORE} nodig).{}",
                        why.unwrap_or("")
                    ),
                    Lang::En => format!(
                        "The passphrase is too easy to guess (strength {score} of 4, {MIN_SCORE} needed).{}",
                        why.unwrap_or("")
                    ),
                }
            }
        };
        format!("{what} {advice}")
    }
}

fn hint(w: Warning) -> Hint {
    match w {
        Warning::ThisIsATop10Password
        | Warning::ThisIsATop100Password
        | Warning::ThisIsACommonPassword
        | Warning::ThisIsSimilarToACommonlyUsedPassword => Hint::CommonPassword,
        Warning::AWordByItselfIsEasyToGuess => Hint::SingleWord,
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
        | Warning::CommonNamesAndSurnamesAreEasyToGuess => Hint::Names,
        Warning::RecentYearsAreEasyToGuess | Warning::DatesAreOftenEasyToGuess => {
            Hint::DatesOrYears
        }
        _ => Hint::Patterns,
    }
}

/// The strength of `passphrase` (for a meter; always answers).
/// `context` adds words that should count as known (the device name).
pub fn estimate_with(passphrase: &str, context: &[&str]) -> Strength {
    let mut inputs: Vec<&str> = CONTEXT_WORDS.to_vec();
    inputs.extend_from_slice(context);
    let e = zxcvbn::zxcvbn(passphrase, &inputs);
    Strength {
        score: u8::from(e.score()),
        guesses_log10: e.guesses_log10(),
        chars: passphrase.chars().count(),
    }
}

/// The strength of `passphrase`.
pub fn estimate(passphrase: &str) -> Strength {
    estimate_with(passphrase, &[])
}

/// Check `passphrase` against the rule: the strength, or why it is refused.
pub fn check_strength(passphrase: &str) -> Result<Strength, Weakness> {
    check_strength_with(passphrase, &[])
}

/// [`check_strength`], with extra words that count as known.
pub fn check_strength_with(passphrase: &str, context: &[&str]) -> Result<Strength, Weakness> {
    if passphrase.is_empty() {
        return Err(Weakness::Empty);
    }
    let chars = passphrase.chars().count();
    if chars < MIN_CHARS {
        return Err(Weakness::TooShort { chars });
    }
    let mut inputs: Vec<&str> = CONTEXT_WORDS.to_vec();
    inputs.extend_from_slice(context);
    let e = zxcvbn::zxcvbn(passphrase, &inputs);
    let score = u8::from(e.score());
    if score < MIN_SCORE {
        return Err(Weakness::TooGuessable {
            score,
            hint: e.feedback().and_then(|f| f.warning()).map(hint),
        });
    }
    Ok(Strength {
        score,
        guesses_log10: e.guesses_log10(),
        chars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_common_are_refused_with_what_passes() {
        assert_eq!(check_strength(""), Err(Weakness::Empty));
        assert_eq!(
            check_strength("Noor2019!"),
            Err(Weakness::TooShort { chars: 9 })
        );
        let e = check_strength("password1234").unwrap_err();
        assert!(matches!(e, Weakness::TooGuessable { .. }), "{e:?}");
        assert!(e.describe(Lang::Nl).contains("vier of meer gewone woorden"));
        assert!(e.describe(Lang::En).contains("four or more ordinary words"));
        assert!(check_strength("wachtwoordzin123").is_err());
        assert!(check_strength("safevisitsafevisit").is_err());
    }

    #[test]
    fn several_unrelated_words_pass() {
        for p in [
            "paars kanaal vijftien ballon",
            "correct horse battery staple",
            "Lieke fietst langs de gracht",
        ] {
            let s = check_strength(p).unwrap_or_else(|e| panic!("{p:?}: {e}"));
            assert!(s.acceptable());
            assert_eq!(s.score, 4);
        }
    }

    #[test]
    fn the_meter_always_answers() {
        assert_eq!(estimate("").score, 0);
        assert!(estimate("aaaaaaaaaaaa").score < MIN_SCORE);
        assert_eq!(estimate("paars kanaal vijftien ballon").score, 4);
    }
}
