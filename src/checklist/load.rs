//! Reads one checklist file (TOML) into a `Checklist`, reporting every
//! problem it finds with the line and column of the offending value.
//!
//! This is the first of two phases: it checks the file on its own. The
//! second (`resolve`) compiles conditions, which may name other checklists.
//! Never panics and never stops at the first problem.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::checklist::condition::{Expr, parse};
use crate::checklist::diagnostic::{
    Diagnostic, LineIndex, Location, Msg, Sink, codes, did_you_mean,
};
use crate::checklist::model::*;
use crate::i18n::Text;

/// Largest checklist file accepted.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
/// Most items a checklist may have.
pub const MAX_ITEMS: usize = 2000;
/// Most options a choice item may have (answers are kept as bit sets).
pub const MAX_OPTIONS: usize = 64;
/// The checklist format version this program reads.
pub const FORMAT: i64 = 1;

const ROOT_KEYS: &[&str] = &[
    "format",
    "id",
    "version",
    "applies_to",
    "title",
    "description",
    "notice",
    "age_bands",
    "sections",
    "red_flags",
    "scores",
    "outcomes",
];
const AGE_BAND_KEYS: &[&str] = &["id", "min", "max", "label"];
const SECTION_KEYS: &[&str] = &[
    "id",
    "title",
    "help",
    "show_if",
    "age_bands",
    "repeat",
    "entry_label",
    "max_entries",
    "items",
];
const ITEM_KEYS: &[&str] = &[
    "id",
    "kind",
    "text",
    "help",
    "required",
    "show_if",
    "age_bands",
    "band_text",
    "options",
    "points",
    "min",
    "max",
    "min_label",
    "max_label",
    "integer",
    "unit",
    "max_length",
    "red_flags",
];
const OPTION_KEYS: &[&str] = &["id", "nl", "en", "points"];
const FLAG_KEYS: &[&str] = &["id", "when", "level", "message", "action"];
const SCORE_KEYS: &[&str] = &["id", "title", "method", "items", "sections", "bands"];
const BAND_KEYS: &[&str] = &["id", "from", "to", "age_band", "label", "meaning"];
const OUTCOME_KEYS: &[&str] = &["id", "title", "rules"];
const RULE_KEYS: &[&str] = &["when", "value", "label", "meaning"];
const TEXT_KEYS: &[&str] = &["nl", "en"];
const KINDS: &[&str] = &[
    "yes_no",
    "yes_no_unknown",
    "single_choice",
    "multi_choice",
    "scale",
    "short_text",
    "long_text",
    "number",
    "date",
];

pub(super) type Val<'i> = Spanned<DeValue<'i>>;

/// A table and the span used for "missing key" messages.
#[derive(Clone)]
pub(super) struct Tbl<'t, 'i> {
    pub(super) t: &'t DeTable<'i>,
    pub(super) span: Range<usize>,
    pub(super) what: &'static str,
}

impl<'t, 'i> Tbl<'t, 'i> {
    pub(super) fn get(&self, key: &str) -> Option<&'t Val<'i>> {
        self.t.get(key)
    }
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a text",
        DeValue::Integer(_) => "a whole number",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "true or false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// The Dutch of the English phrases that name things in messages ("an
/// item", "a whole number"); a phrase not listed stays as it is.
fn dutch(en: &str) -> &str {
    match en {
        "a text" => "een tekst",
        "a whole number" => "een geheel getal",
        "a decimal number" => "een kommagetal",
        "true or false" => "true of false",
        "a date" => "een datum",
        "a list" => "een lijst",
        "a table" => "een tabel",
        "a text in quotes" => "een tekst tussen aanhalingstekens",
        "a number" => "een getal",
        "a list of names in quotes" => "een lijst van namen tussen aanhalingstekens",
        "the checklist" => "de checklist",
        "a section" => "een onderdeel",
        "a red flag" => "een rode vlag",
        "an age band" => "een leeftijdsgroep",
        "an item" => "een vraag",
        "a table of texts per age band" => "een tabel met teksten per leeftijdsgroep",
        "a whole number of points" => "een geheel aantal punten",
        "an option" => "een optie",
        "a score" => "een score",
        "a score band" => "een scoregrens",
        "an outcome" => "een uitkomst",
        "an outcome rule" => "een regel van een uitkomst",
        "true or a table such as { per = \"child\" }" => {
            "true of een tabel zoals { per = \"child\" }"
        }
        "`repeat`" => "`repeat`",
        other => other,
    }
}

fn valid_id(s: &str, first_digit_ok: bool) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_lowercase() || (first_digit_ok && first.is_ascii_digit()))
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn int_of(v: &DeValue<'_>) -> Option<i64> {
    let i = v.as_integer()?;
    i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()
}

fn float_of(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(_) => int_of(v).map(|i| i as f64),
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite()),
        _ => None,
    }
}

pub(super) struct Reader<'s> {
    pub(super) sink: Sink<'s>,
    /// Where each id was first defined, per kind of thing, for "first
    /// defined here" on a duplicate.
    first: std::collections::HashMap<(&'static str, String), Range<usize>>,
}

impl<'s> Reader<'s> {
    /// Note where `id` of this kind is defined; the first place stays.
    fn defined(&mut self, kind: &'static str, id: &str, span: &Range<usize>) {
        self.first
            .entry((kind, id.to_string()))
            .or_insert_with(|| span.clone());
    }

    /// "item `x` is defined twice", pointing at the first definition too.
    fn duplicate(&mut self, kind: &'static str, id: &str, span: &Range<usize>) {
        let (nl, en) = match kind {
            "age band" => ("leeftijdsgroep", "age band"),
            "section" => ("onderdeel", "section"),
            "item" => ("vraag", "item"),
            "red flag" => ("rode vlag", "red flag"),
            "score" => ("score", "score"),
            _ => ("uitkomst", "outcome"),
        };
        let first = self.first.get(&(kind, id.to_string())).cloned();
        let at = first.map(|f| self.sink.locate(f));
        let d = self.sink.report(
            codes::DUPLICATE_ID,
            span,
            Msg::new(
                format!("{nl} `{id}` staat er twee keer"),
                format!("{en} `{id}` is defined twice"),
            ),
            Some(Msg::new(
                "geef elk een eigen id",
                "give each an id of its own",
            )),
        );
        if let Some(at) = at {
            d.secondary.push(crate::checklist::diagnostic::Secondary {
                at,
                label: Msg::new("hier voor het eerst", "first defined here"),
            });
        }
    }

    pub(super) fn keys(&mut self, t: &Tbl<'_, '_>, allowed: &[&str]) {
        for (k, _) in t.t.iter() {
            let key = k.get_ref().as_ref();
            if !allowed.contains(&key) {
                let msg = Msg::new(
                    format!("onbekende sleutel `{key}` in {}", dutch(t.what)),
                    format!("unknown key `{key}` in {}", t.what),
                );
                let help = did_you_mean(key, allowed.iter().copied()).unwrap_or_else(|| {
                    let all = allowed.join(", ");
                    Msg::new(
                        format!("de sleutels van {} zijn: {all}", dutch(t.what)),
                        format!("the keys of {} are: {all}", t.what),
                    )
                });
                self.sink
                    .report(codes::UNKNOWN_KEY, &k.span(), msg, Some(help));
            }
        }
    }

    fn missing(&mut self, t: &Tbl<'_, '_>, key: &str, help: Option<Msg>) {
        let msg = Msg::new(
            format!("in {} ontbreekt `{key}`", dutch(t.what)),
            format!("{} is missing `{key}`", t.what),
        );
        self.sink.report(codes::MISSING_KEY, &t.span, msg, help);
    }

    pub(super) fn wrong_type(&mut self, key: &str, v: &Val<'_>, expected: &str) {
        let found = type_name(v.get_ref());
        self.sink.report(
            codes::WRONG_TYPE,
            &v.span(),
            Msg::new(
                format!(
                    "`{key}` moet {} zijn, niet {}",
                    dutch(expected),
                    dutch(found)
                ),
                format!("`{key}` must be {expected}, not {found}"),
            ),
            None::<Msg>,
        );
    }

    pub(super) fn str_opt(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<(String, Range<usize>)> {
        let v = t.get(key)?;
        match v.get_ref().as_str() {
            Some(s) => Some((s.to_string(), v.span())),
            None => {
                self.wrong_type(key, v, "a text in quotes");
                None
            }
        }
    }

    fn str_req(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<(String, Range<usize>)> {
        if t.get(key).is_none() {
            self.missing(t, key, None);
            return None;
        }
        self.str_opt(t, key)
    }

    fn id_req(&mut self, t: &Tbl<'_, '_>, first_digit_ok: bool) -> Option<(String, Range<usize>)> {
        let (id, span) = self.str_req(t, "id")?;
        if !valid_id(&id, first_digit_ok) {
            self.sink.error_help(
                &span,
                Msg::new(
                    format!("`{id}` is geen geldig id"),
                    format!("`{id}` is not a valid id"),
                ),
                Msg::new(
                    "een id heeft kleine letters, cijfers, `_` en `-`, begint met een letter en is hoogstens 64 tekens lang",
                    "ids use lower-case letters, digits, `_` and `-`, start with a letter and are at most 64 characters",
                ),
            );
            return None;
        }
        Some((id, span))
    }

    pub(super) fn int_opt(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<(i64, Range<usize>)> {
        let v = t.get(key)?;
        match int_of(v.get_ref()) {
            Some(i) => Some((i, v.span())),
            None => {
                self.wrong_type(key, v, "a whole number");
                None
            }
        }
    }

    fn float_opt(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<(f64, Range<usize>)> {
        let v = t.get(key)?;
        match float_of(v.get_ref()) {
            Some(f) => Some((f, v.span())),
            None => {
                self.wrong_type(key, v, "a number");
                None
            }
        }
    }

    fn bool_opt(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<bool> {
        let v = t.get(key)?;
        match v.get_ref().as_bool() {
            Some(b) => Some(b),
            None => {
                self.wrong_type(key, v, "true or false");
                None
            }
        }
    }

    fn text_of(&mut self, key: &str, v: &Val<'_>) -> Option<Text> {
        let Some(t) = v.get_ref().as_table() else {
            self.sink.report(
                codes::WRONG_TYPE,
                &v.span(),
                Msg::new(
                    format!("`{key}` moet een tabel met Nederlandse en Engelse tekst zijn"),
                    format!("`{key}` must be a table with Dutch and English text"),
                ),
                Some(Msg::new(
                    format!("schrijf {key} = {{ nl = \"…\", en = \"…\" }}"),
                    format!("write {key} = {{ nl = \"…\", en = \"…\" }}"),
                )),
            );
            return None;
        };
        let span = v.span();
        let tbl = Tbl {
            t,
            span: span.clone(),
            what: "a text",
        };
        self.keys(&tbl, TEXT_KEYS);
        let mut get = |lang: &str, name: &str, naam: &str| -> Option<String> {
            match t.get(lang) {
                None => {
                    self.sink.report(
                        codes::MISSING_LANGUAGE,
                        &span,
                        Msg::new(
                            format!("`{key}` heeft geen {naam} tekst"),
                            format!("`{key}` has no {name} text"),
                        ),
                        Some(Msg::new(
                            format!("voeg `{lang} = \"…\"` toe"),
                            format!("add `{lang} = \"…\"`"),
                        )),
                    );
                    None
                }
                Some(v) => match v.get_ref().as_str() {
                    Some(s) if s.trim().is_empty() => {
                        self.sink.report(
                            codes::MISSING_LANGUAGE,
                            &v.span(),
                            Msg::new(
                                format!("de {naam} tekst van `{key}` is leeg"),
                                format!("the {name} text of `{key}` is empty"),
                            ),
                            None::<Msg>,
                        );
                        None
                    }
                    Some(s) => Some(s.to_string()),
                    None => {
                        self.wrong_type(lang, v, "a text in quotes");
                        None
                    }
                },
            }
        };
        let nl = get("nl", "Dutch", "Nederlandse");
        let en = get("en", "English", "Engelse");
        Some(Text::new(nl?, en?))
    }

    pub(super) fn text_opt(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<Text> {
        let v = t.get(key)?;
        self.text_of(key, v)
    }

    pub(super) fn text_req(&mut self, t: &Tbl<'_, '_>, key: &str) -> Option<Text> {
        if t.get(key).is_none() {
            self.missing(
                t,
                key,
                Some(Msg::new(
                    format!("voeg toe: {key} = {{ nl = \"…\", en = \"…\" }}"),
                    format!("add {key} = {{ nl = \"…\", en = \"…\" }}"),
                )),
            );
            return None;
        }
        self.text_opt(t, key)
    }

    /// An array of tables (`[[key]]` or `key = [{…}, …]`).
    fn tables<'t, 'i>(
        &mut self,
        t: &Tbl<'t, 'i>,
        key: &str,
        what: &'static str,
    ) -> Vec<Tbl<'t, 'i>> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let Some(arr) = v.get_ref().as_array() else {
            self.sink.report(
                codes::WRONG_TYPE,
                &v.span(),
                Msg::new(
                    format!("`{key}` moet een lijst van tabellen zijn"),
                    format!("`{key}` must be a list of tables"),
                ),
                Some(Msg::new(
                    format!("schrijf elk als [[{key}]] of als {key} = [{{ … }}, …]"),
                    format!("write each as [[{key}]] or as {key} = [{{ … }}, …]"),
                )),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in arr.iter() {
            match e.get_ref() {
                DeValue::Table(inner) => out.push(Tbl {
                    t: inner,
                    span: e.span(),
                    what,
                }),
                other => self.sink.error(
                    &e.span(),
                    Msg::new(
                        format!(
                            "elk element van `{key}` moet een tabel zijn, niet {}",
                            dutch(type_name(other))
                        ),
                        format!(
                            "each entry of `{key}` must be a table, not {}",
                            type_name(other)
                        ),
                    ),
                ),
            }
        }
        out
    }

    fn str_list(&mut self, t: &Tbl<'_, '_>, key: &str) -> Vec<(String, Range<usize>)> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let Some(arr) = v.get_ref().as_array() else {
            self.wrong_type(key, v, "a list of names in quotes");
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in arr.iter() {
            match e.get_ref().as_str() {
                Some(s) => out.push((s.to_string(), e.span())),
                None => self.wrong_type(key, e, "a list of names in quotes"),
            }
        }
        out
    }

    fn condition(&mut self, t: &Tbl<'_, '_>, key: &str, place: Place) -> Option<Condition> {
        let (text, span) = self.str_opt(t, key)?;
        let ast = match parse::parse(&text) {
            Ok(ast) => Some(ast),
            Err(e) => {
                crate::checklist::resolve::report_condition_error(&mut self.sink, key, &span, e);
                None
            }
        };
        Some(Condition {
            text,
            place,
            value_span: span,
            ast,
            expr: Expr::Const(false),
        })
    }
}

/// Byte offset in the file of byte `at` of a TOML string's decoded value.
pub(crate) fn string_offset(src: &str, span: &Range<usize>, at: usize) -> usize {
    let raw = src.get(span.clone()).unwrap_or("");
    if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        return span.start;
    }
    if raw.starts_with('\'') {
        return span.start + 1 + at.min(raw.len().saturating_sub(2));
    }
    if !raw.starts_with('"') {
        return span.start;
    }
    let body = &raw[1..];
    let mut decoded = 0;
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if decoded >= at || c == '"' {
            return span.start + 1 + i;
        }
        if c == '\\' {
            match chars.next() {
                Some((_, 'u')) => {
                    let hex: String = chars.by_ref().take(4).map(|(_, c)| c).collect();
                    decoded += u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .map_or(1, char::len_utf8);
                }
                Some((_, 'U')) => {
                    let hex: String = chars.by_ref().take(8).map(|(_, c)| c).collect();
                    decoded += u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .map_or(1, char::len_utf8);
                }
                Some(_) => decoded += 1,
                None => break,
            }
        } else {
            decoded += c.len_utf8();
        }
    }
    span.start + 1
}

/// Read one checklist file. The result still needs `resolve` before use.
pub fn parse_file(path: &str, bytes: &[u8], origin: Origin) -> Result<Checklist, Vec<Diagnostic>> {
    match read_file(path, bytes, origin) {
        (Some(c), d) if d.is_empty() => Ok(c),
        (_, d) => Err(d),
    }
}

/// Read one checklist file as far as it can be read: the checklist (with
/// defaults where something was wrong) unless the file is not TOML at all,
/// and every problem found. Validation uses the partial checklist to check
/// conditions too, so an author sees all problems at once.
pub fn read_file(path: &str, bytes: &[u8], origin: Origin) -> (Option<Checklist>, Vec<Diagnostic>) {
    if bytes.len() > MAX_FILE_BYTES {
        // The bytes may be cut off past the limit: say no more than that.
        return (None, vec![larger_than_allowed(path)]);
    }
    let src = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
            let mut sink = Sink::new(path, good);
            let at = e.valid_up_to();
            sink.report(
                codes::NOT_UTF8,
                &(good.len()..good.len()),
                Msg::new(
                    format!("het bestand is geen geldige UTF-8-tekst (bij byte {at})"),
                    format!("the file is not valid UTF-8 (at byte {at})"),
                ),
                Some(Msg::new(
                    "sla het bestand op als UTF-8-tekst",
                    "save the file as UTF-8 text",
                )),
            );
            return (None, sink.diagnostics);
        }
    };
    if src.trim().is_empty() {
        return (
            None,
            vec![
                Diagnostic::whole_file(
                    path,
                    codes::EMPTY,
                    Msg::new("het bestand is leeg", "the file is empty"),
                )
                .with_help(Msg::new(
                    "een checklist begint met `id`, `version` en `applies_to`; zie docs/CHECKLISTS.md",
                    "a checklist starts with `id`, `version` and `applies_to`; see docs/CHECKLISTS.md",
                )),
            ],
        );
    }
    let hash = ContentHash(Sha256::digest(bytes).into());
    let (doc, errors) = DeTable::parse_recoverable(src);
    let mut b = Builder {
        r: Reader {
            sink: Sink::new(path, src),
            first: Default::default(),
        },
        items: Vec::new(),
        sections: Vec::new(),
        flags: Vec::new(),
        flag_ids: HashSet::new(),
        age_bands: Vec::new(),
        applies_to: AppliesTo::Visit,
        broken_kind: HashSet::new(),
    };
    if let Some(e) = errors.first() {
        // Only the first: the parser recovers and goes on, but what it
        // reports after a syntax error mostly follows from that one (one
        // missing `}` gave twelve errors).
        let span = e.span().unwrap_or(0..0);
        let open = unclosed_brace(src, span.start);
        let help = open.map(|at| {
            let (line, column) = LineIndex::new(src).locate(src, at);
            Msg::new(
                format!(
                    "staat de `{{` op regel {line}, kolom {column} nog open? sluit die met `}}`"
                ),
                format!(
                    "is the `{{` at line {line}, column {column} still open? close it with `}}`"
                ),
            )
        });
        let d =
            b.r.sink
                .report(codes::TOML_SYNTAX, &span, toml_message(e.message()), help);
        if let Some(at) = open {
            let at = Location::of(path, src, at..at + 1);
            d.secondary.push(crate::checklist::diagnostic::Secondary {
                at,
                label: Msg::new("hier geopend", "opened here"),
            });
        }
        return (None, b.r.sink.diagnostics);
    }
    let root = Tbl {
        t: doc.get_ref(),
        span: 0..0,
        what: "the checklist",
    };
    let checklist = b.checklist(&root, src, hash, origin, path);
    (Some(checklist), b.r.sink.diagnostics)
}

/// The diagnostic for a file above `MAX_FILE_BYTES`, with its true size.
pub fn too_large(path: &str, size: u64) -> Diagnostic {
    Diagnostic::whole_file(
        path,
        codes::TOO_LARGE,
        Msg::new(
            format!(
                "het bestand is {size} bytes; een checklist mag hoogstens {MAX_FILE_BYTES} bytes zijn"
            ),
            format!("the file is {size} bytes; a checklist file may be at most {MAX_FILE_BYTES} bytes"),
        ),
    )
    .with_help(Msg::new(
        "verdeel het over meer checklists",
        "split it into several checklists",
    ))
}

/// The diagnostic for a file above `MAX_FILE_BYTES` of unknown size.
pub fn larger_than_allowed(path: &str) -> Diagnostic {
    Diagnostic::whole_file(
        path,
        codes::TOO_LARGE,
        Msg::new(
            format!(
                "het bestand is groter dan {MAX_FILE_BYTES} bytes, het meeste dat een checklist mag zijn"
            ),
            format!("the file is larger than {MAX_FILE_BYTES} bytes, the most a checklist file may be"),
        ),
    )
    .with_help(Msg::new(
        "verdeel het over meer checklists",
        "split it into several checklists",
    ))
}

/// A TOML syntax message of the `toml` crate in Dutch and English. The
/// crate speaks English; the messages it has are translated here, and one
/// it gains later reads "de TOML-schrijfwijze klopt hier niet" in Dutch.
fn toml_message(en: &str) -> Msg {
    const NL: &[(&str, &str)] = &[
        (
            "missing comma between key-value pairs",
            "er ontbreekt een komma tussen twee sleutels",
        ),
        (
            "missing comma between array elements",
            "er ontbreekt een komma tussen twee elementen van de lijst",
        ),
        (
            "missing key for inline table element",
            "er ontbreekt een sleutel in de tabel",
        ),
        (
            "missing assignment between key-value pairs",
            "er ontbreekt een `=` tussen sleutel en waarde",
        ),
        ("missing value for key", "de sleutel heeft geen waarde"),
        ("missing value", "er ontbreekt een waarde"),
        (
            "missing opening quote",
            "er ontbreekt een aanhalingsteken aan het begin",
        ),
        ("key with no value", "een sleutel zonder waarde"),
        ("unclosed inline table", "een tabel `{` is niet gesloten"),
        ("unclosed array table", "een kop `[[` is niet gesloten"),
        ("unclosed array", "een lijst `[` is niet gesloten"),
        ("unclosed table", "een kop `[` is niet gesloten"),
        ("duplicate key", "deze sleutel staat er twee keer"),
        (
            "string values must be quoted",
            "tekst moet tussen aanhalingstekens staan",
        ),
        (
            "invalid basic string",
            "ongeldige tekst tussen aanhalingstekens",
        ),
        (
            "invalid multi-line basic string",
            "ongeldige tekst over meer regels",
        ),
        (
            "invalid unquoted key",
            "ongeldige sleutel (zet hem tussen aanhalingstekens of gebruik a-z, 0-9, _ en -)",
        ),
        ("invalid value", "ongeldige waarde"),
        (
            "invalid key-value pair",
            "ongeldige regel: verwacht `sleutel = waarde`",
        ),
        (
            "extra comma in inline table",
            "een komma te veel in de tabel",
        ),
        ("extra comma in array", "een komma te veel in de lijst"),
        ("extra `=`", "een `=` te veel"),
        ("unexpected content", "onverwachte tekst"),
        ("unexpected key or value", "onverwachte sleutel of waarde"),
        (
            "cannot recurse further; max recursion depth met",
            "te diep genest",
        ),
    ];
    let (head, expected) = match en.split_once(", expected ") {
        Some((h, x)) => (h, Some(x)),
        None => (en, None),
    };
    let nl_head = NL
        .iter()
        .find(|(e, _)| *e == head)
        .map_or("de TOML-schrijfwijze klopt hier niet", |(_, n)| n);
    let nl = match expected {
        Some(x) => format!("TOML: {nl_head}, verwacht: {x}"),
        None => format!("TOML: {nl_head}"),
    };
    Msg::new(nl, format!("TOML syntax: {en}"))
}

/// Where a TOML syntax error may come from an unclosed `{` earlier on: the
/// byte offset of the innermost one still open before the error.
fn unclosed_brace(src: &str, at: usize) -> Option<usize> {
    let mut open: Vec<(char, usize)> = Vec::new();
    let mut in_str: Option<char> = None;
    let mut comment = false;
    let before = src.get(..at.min(src.len())).unwrap_or(src);
    let mut chars = before.char_indices();
    while let Some((i, c)) = chars.next() {
        if comment {
            comment = c != '\n';
            continue;
        }
        match (in_str, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => in_str = None,
            (Some(_), '\n') => in_str = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => in_str = Some(c),
            (None, '#') => comment = true,
            (None, '{' | '[') => open.push((c, i)),
            (None, '}' | ']') => {
                open.pop();
            }
            _ => {}
        }
    }
    // Only an inline table: a list may rightly stay open over many lines.
    open.iter().rev().find(|(c, _)| *c == '{').map(|(_, i)| *i)
}

struct Builder<'s> {
    r: Reader<'s>,
    items: Vec<Item>,
    sections: Vec<Section>,
    flags: Vec<RedFlag>,
    flag_ids: HashSet<String>,
    age_bands: Vec<AgeBand>,
    applies_to: AppliesTo,
    /// Items whose kind could not be read (reported once, not again).
    broken_kind: HashSet<usize>,
}

fn yes_no_options(unknown: bool) -> Vec<ChoiceOption> {
    let mut v = vec![
        ChoiceOption {
            id: "ja".into(),
            label: Text::new("Ja", "Yes"),
            points: None,
        },
        ChoiceOption {
            id: "nee".into(),
            label: Text::new("Nee", "No"),
            points: None,
        },
    ];
    if unknown {
        v.push(ChoiceOption {
            id: "onbekend".into(),
            label: Text::new("Weet niet", "Don't know"),
            points: None,
        });
    }
    v
}

impl<'s> Builder<'s> {
    fn checklist(
        &mut self,
        root: &Tbl<'_, '_>,
        src: &str,
        hash: ContentHash,
        origin: Origin,
        path: &str,
    ) -> Checklist {
        self.r.keys(root, ROOT_KEYS);
        if let Some((f, span)) = self.r.int_opt(root, "format")
            && f != FORMAT
        {
            self.r.sink.error_help(
                &span,
Msg::new(format!("checklistformaat {f} kent deze versie van safevisit niet"), format!("checklist format {f} is not known to this version of safevisit")),
Msg::new(format!("deze versie leest formaat {FORMAT}; werk safevisit bij of schrijf `format = {FORMAT}`"), format!("this version reads format {FORMAT}; update safevisit or write `format = {FORMAT}`")),
            );
        }
        let mut id_span = 0..0;
        let mut version_span = 0..0;
        let id = self.r.id_req(root, false).map(|(id, span)| {
            id_span = span.clone();
            use crate::checklist::condition::compile::{PERSON, PREVIOUS, ROSTER};
            if id == ROSTER || id == PERSON || id == PREVIOUS {
                // `roster.children` and `person.age` in a condition read the
                // roster, `previous.value` the previous visit.
                self.r.sink.error_help(
                    &span,
Msg::new(format!("`{id}` is een woord van de voorwaardentaal en kan geen checklist-id zijn"), format!("`{id}` is a word of the condition language and cannot be a checklist id")),
Msg::new(format!("noem het bijvoorbeeld `{id}-lijst`"), format!("call it for example `{id}-lijst`")),
                );
            }
            id
        });
        let version = match self.r.int_opt(root, "version") {
            None if root.get("version").is_none() => {
                self.r.missing(
                    root,
                    "version",
                    Some(Msg::new(
                        "voeg `version = 1` toe; verhoog het bij elke wijziging",
                        "add `version = 1`; raise it with every change",
                    )),
                );
                None
            }
            None => None,
            Some((v, span)) => match u32::try_from(v).inspect(|_| version_span = span.clone()) {
                Ok(v) if v >= 1 => Some(v),
                _ => {
                    self.r.sink.error(
                        &span,
                        Msg::new(
                            "`version` moet een geheel getal vanaf 1 zijn",
                            "`version` must be a whole number from 1 up",
                        ),
                    );
                    None
                }
            },
        };
        let applies_to = match self.r.str_req(root, "applies_to") {
            Some((s, span)) => match s.as_str() {
                "visit" => Some(AppliesTo::Visit),
                "child" => Some(AppliesTo::Child),
                "caregiver" => Some(AppliesTo::Caregiver),
                other => {
                    self.r.sink.error_help(
                        &span,
                        Msg::new(
                            format!("`applies_to` kan niet \"{other}\" zijn"),
                            format!("`applies_to` cannot be \"{other}\""),
                        ),
                        did_you_mean(other, ["visit", "child", "caregiver"]).unwrap_or_else(|| {
                            Msg::new(
                                "gebruik \"visit\", \"child\" of \"caregiver\"",
                                "use \"visit\", \"child\" or \"caregiver\"",
                            )
                        }),
                    );
                    None
                }
            },
            None => None,
        };
        self.applies_to = applies_to.unwrap_or(AppliesTo::Visit);
        let title = self.r.text_req(root, "title");
        let description = self.r.text_req(root, "description");
        let notice = if root.get("notice").is_none() {
            self.r.missing(
                root,
                "notice",
                Some(Msg::new("elke checklist zegt dat scores en uitkomsten beslisondersteuning zijn, nooit een besluit: voeg notice = { nl = \"…\", en = \"…\" } toe", "every checklist says that its scores and outcomes are decision support, never a decision: add notice = { nl = \"…\", en = \"…\" }")),
            );
            None
        } else {
            self.r.text_opt(root, "notice")
        };
        self.age_bands(root);
        let section_tables = self.r.tables(root, "sections", "a section");
        if section_tables.is_empty() && root.get("sections").is_none() {
            self.r.missing(
                root,
                "sections",
                Some(Msg::new(
                    "voeg minstens één [[sections]] met vragen toe",
                    "add at least one [[sections]] with items",
                )),
            );
        }
        let mut section_ids = HashSet::new();
        for st in &section_tables {
            self.section(st, &mut section_ids);
        }
        if self.items.len() > MAX_ITEMS {
            self.r.sink.error(
                &section_tables.last().map_or(0..0, |t| t.span.clone()),
                Msg::new(
                    format!(
                        "de checklist heeft {} vragen; hoogstens {MAX_ITEMS} mogen",
                        self.items.len()
                    ),
                    format!(
                        "the checklist has {} items; at most {MAX_ITEMS} are allowed",
                        self.items.len()
                    ),
                ),
            );
        }
        for ft in self.r.tables(root, "red_flags", "a red flag") {
            self.flag(&ft, None);
        }
        let scores = self.scores(root);
        let outcomes = self.outcomes(root);
        Checklist {
            id: id.unwrap_or_default(),
            version: version.unwrap_or(1),
            applies_to: self.applies_to,
            title: title.unwrap_or_default(),
            description: description.unwrap_or_default(),
            notice: notice.unwrap_or_default(),
            age_bands: std::mem::take(&mut self.age_bands),
            sections: std::mem::take(&mut self.sections),
            items: std::mem::take(&mut self.items),
            red_flags: std::mem::take(&mut self.flags),
            scores,
            outcomes,
            hash,
            origin,
            path: path.to_string(),
            source: Arc::from(src),
            id_span,
            version_span,
            foreign: Vec::new(),
            rank: 0,
            eval_order: Vec::new(),
            previous_items: Vec::new(),
        }
    }

    fn age_bands(&mut self, root: &Tbl<'_, '_>) {
        let tables = self.r.tables(root, "age_bands", "an age band");
        if !tables.is_empty() && self.applies_to != AppliesTo::Child {
            self.r.sink.error_help(
                &tables[0].span,
                Msg::new(
                    "leeftijdsgroepen horen alleen bij checklists die per kind worden ingevuld",
                    "age bands only apply to checklists filled in for each child",
                ),
                Msg::new(
                    "zet `applies_to = \"child\"` of haal de leeftijdsgroepen weg",
                    "set `applies_to = \"child\"` or remove the age bands",
                ),
            );
        }
        if tables.len() > 16 {
            self.r.sink.error(
                &tables[16].span,
                Msg::new(
                    "hoogstens 16 leeftijdsgroepen mogen",
                    "at most 16 age bands are allowed",
                ),
            );
        }
        for t in tables.iter().take(16) {
            self.r.keys(t, AGE_BAND_KEYS);
            let id = self.r.id_req(t, false);
            let min = self.r.int_opt(t, "min");
            let max = self.r.int_opt(t, "max");
            if t.get("min").is_none() {
                self.r.missing(t, "min", None);
            }
            if t.get("max").is_none() {
                self.r.missing(t, "max", None);
            }
            let label = self.r.text_req(t, "label");
            let (Some((id, id_span)), Some((min, min_span)), Some((max, max_span)), Some(label)) =
                (id, min, max, label)
            else {
                continue;
            };
            if !(0..=17).contains(&min) {
                self.r.sink.error(
                    &min_span,
                    Msg::new(
                        "`min` van een leeftijdsgroep moet een leeftijd van 0 tot en met 17 zijn",
                        "an age band's `min` must be an age from 0 to 17",
                    ),
                );
                continue;
            }
            if !(min..=17).contains(&max) {
                self.r.sink.error(
                    &max_span,
Msg::new("`max` van een leeftijdsgroep moet een leeftijd van `min` tot en met 17 zijn", "an age band's `max` must be an age from `min` to 17"),
                );
                continue;
            }
            if self.age_bands.iter().any(|b| b.id == id) {
                self.r.duplicate("age band", &id, &id_span);
                continue;
            }
            self.r.defined("age band", &id, &id_span);
            if let Some(other) = self
                .age_bands
                .iter()
                .find(|b| i64::from(b.min) <= max && min <= i64::from(b.max))
            {
                self.r.sink.error(
                    &min_span,
                    Msg::new(
                        format!(
                            "leeftijdsgroep `{id}` ({min}–{max}) overlapt met `{}` ({}–{})",
                            other.id, other.min, other.max
                        ),
                        format!(
                            "age band `{id}` ({min}–{max}) overlaps age band `{}` ({}–{})",
                            other.id, other.min, other.max
                        ),
                    ),
                );
                continue;
            }
            self.age_bands.push(AgeBand {
                id,
                min: min as u8,
                max: max as u8,
                label,
            });
        }
    }

    fn age_mask(&mut self, t: &Tbl<'_, '_>) -> AgeMask {
        if t.get("age_bands").is_none() {
            return AgeMask::ALL;
        }
        let mut mask = 0u32;
        for (name, span) in self.r.str_list(t, "age_bands") {
            match self.age_bands.iter().position(|b| b.id == name) {
                Some(i) => mask |= 1 << i,
                None => {
                    let help = did_you_mean(&name, self.age_bands.iter().map(|b| b.id.as_str()))
                        .unwrap_or_else(|| {
                            if self.age_bands.is_empty() {
                                Msg::new(
                                    "de checklist heeft geen [[age_bands]]",
                                    "the checklist defines no [[age_bands]]",
                                )
                            } else {
                                let all = self
                                    .age_bands
                                    .iter()
                                    .map(|b| b.id.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ");
                                Msg::new(
                                    format!("de leeftijdsgroepen zijn {all}"),
                                    format!("the age bands are {all}"),
                                )
                            }
                        });
                    self.r.sink.report(
                        codes::UNKNOWN_NAME,
                        &span,
                        Msg::new(
                            format!("onbekende leeftijdsgroep `{name}`"),
                            format!("unknown age band `{name}`"),
                        ),
                        Some(help),
                    );
                }
            }
        }
        AgeMask(mask)
    }

    fn section(&mut self, t: &Tbl<'_, '_>, ids: &mut HashSet<String>) {
        self.r.keys(t, SECTION_KEYS);
        let index = self.sections.len();
        let id = self.r.id_req(t, false);
        if let Some((id, span)) = &id {
            if !ids.insert(id.clone()) {
                self.r.duplicate("section", id, span);
            }
            self.r.defined("section", id, span);
        }
        let title = self.r.text_req(t, "title");
        let help = self.r.text_opt(t, "help");
        let show_if = self.r.condition(t, "show_if", Place::SectionShowIf(index));
        let age_bands = self.age_mask(t);
        let repeat = super::repeat::repeat(&mut self.r, t);
        let start = self.items.len();
        let item_tables = self.r.tables(t, "items", "an item");
        if item_tables.is_empty() {
            self.r.sink.error_help(
                &t.span,
                Msg::new(
                    "dit onderdeel heeft geen vragen",
                    "this section has no items",
                ),
                Msg::new(
                    "voeg vragen toe als [[sections.items]]",
                    "add items as [[sections.items]]",
                ),
            );
        }
        // Register the section first so items can see whether it repeats.
        self.sections.push(Section {
            id: id.map(|(id, _)| id).unwrap_or_default(),
            title: title.unwrap_or_default(),
            help,
            show_if,
            age_bands,
            repeat,
            items: start..start,
        });
        for it in &item_tables {
            self.item(it, index);
        }
        self.sections[index].items = start..self.items.len();
    }

    fn item(&mut self, t: &Tbl<'_, '_>, section: usize) {
        self.r.keys(t, ITEM_KEYS);
        let index = self.items.len();
        let id = self.r.id_req(t, false);
        if let Some((id, span)) = &id {
            self.r.defined("item", id, span);
            if self.items.iter().any(|i| &i.id == id) {
                self.r.duplicate("item", id, span);
            } else if crate::checklist::condition::compile::KEYWORDS.contains(&id.as_str()) {
                self.r.sink.error_help(
                    span,
Msg::new(format!("`{id}` is een woord van de voorwaardentaal en kan geen id van een vraag zijn"), format!("`{id}` is a word of the condition language and cannot be an item id")),
Msg::new(format!("noem het bijvoorbeeld `{id}_item`"), format!("call it for example `{id}_item`")),
                );
            }
        }
        let text = self.r.text_req(t, "text");
        let help = self.r.text_opt(t, "help");
        let required = self.r.bool_opt(t, "required").unwrap_or(false);
        let show_if = self.r.condition(t, "show_if", Place::ItemShowIf(index));
        let age_bands = self.age_mask(t);
        let band_text = self.band_text(t);
        let kind = self.kind(t);
        let mut options = Vec::new();
        let mut scale_points = Vec::new();
        if let Some(kind) = &kind {
            self.kind_keys(t, kind);
            match kind {
                ItemKind::YesNo | ItemKind::YesNoUnknown => {
                    options = yes_no_options(*kind == ItemKind::YesNoUnknown);
                    self.option_points(t, &mut options);
                }
                ItemKind::Single | ItemKind::Multi => options = self.options(t, kind),
                ItemKind::Scale { min, max, .. } => scale_points = self.scale_points(t, *min, *max),
                _ => {}
            }
        }
        let mut flags = Vec::new();
        for ft in self.r.tables(t, "red_flags", "a red flag") {
            if let Some(f) = self.flag(&ft, Some(index)) {
                flags.push(f);
            }
        }
        if kind.is_none() {
            self.broken_kind.insert(index);
        }
        self.items.push(Item {
            id: id.map(|(id, _)| id).unwrap_or_default(),
            section,
            kind: kind.unwrap_or(ItemKind::YesNo),
            text: text.unwrap_or_default(),
            band_text,
            help,
            required,
            show_if,
            age_bands,
            options,
            scale_points,
            red_flags: flags,
        });
    }

    fn band_text(&mut self, t: &Tbl<'_, '_>) -> Vec<(usize, Text)> {
        let Some(v) = t.get("band_text") else {
            return Vec::new();
        };
        let Some(table) = v.get_ref().as_table() else {
            self.r
                .wrong_type("band_text", v, "a table of texts per age band");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, tv) in table.iter() {
            let name = k.get_ref().as_ref();
            match self.age_bands.iter().position(|b| b.id == name) {
                Some(b) => {
                    if let Some(text) = self.r.text_of(name, tv) {
                        out.push((b, text));
                    }
                }
                None => {
                    let help = did_you_mean(name, self.age_bands.iter().map(|b| b.id.as_str()))
                        .unwrap_or_else(|| {
                            Msg::new(
                                "de sleutels van `band_text` zijn de ids van de [[age_bands]] van de checklist",
                                "`band_text` is keyed by the ids of the checklist's [[age_bands]]",
                            )
                        });
                    self.r.sink.report(
                        codes::UNKNOWN_NAME,
                        &k.span(),
                        Msg::new(
                            format!("onbekende leeftijdsgroep `{name}`"),
                            format!("unknown age band `{name}`"),
                        ),
                        Some(help),
                    );
                }
            }
        }
        out
    }

    fn kind(&mut self, t: &Tbl<'_, '_>) -> Option<ItemKind> {
        let (kind, span) = self.r.str_req(t, "kind")?;
        let text = |r: &mut Reader<'_>, key: &str| r.text_req(t, key);
        Some(match kind.as_str() {
            "yes_no" => ItemKind::YesNo,
            "yes_no_unknown" => ItemKind::YesNoUnknown,
            "single_choice" => ItemKind::Single,
            "multi_choice" => ItemKind::Multi,
            "scale" => {
                let min = self.r.int_opt(t, "min");
                let max = self.r.int_opt(t, "max");
                if t.get("min").is_none() {
                    self.r.missing(
                        t,
                        "min",
                        Some(Msg::new(
                            "een schaal heeft `min` en `max` nodig, bijvoorbeeld 0 en 3",
                            "a scale needs `min` and `max`, for example 0 and 3",
                        )),
                    );
                }
                if t.get("max").is_none() {
                    self.r.missing(
                        t,
                        "max",
                        Some(Msg::new(
                            "een schaal heeft `min` en `max` nodig, bijvoorbeeld 0 en 3",
                            "a scale needs `min` and `max`, for example 0 and 3",
                        )),
                    );
                }
                let min_label = text(&mut self.r, "min_label");
                let max_label = text(&mut self.r, "max_label");
                let (Some((min, _)), Some((max, max_span))) = (min, max) else {
                    return None;
                };
                if max <= min || max - min > 100 {
                    self.r.sink.error(
                        &max_span,
Msg::new("`max` van een schaal moet boven `min` liggen, met hoogstens 100 stappen", "a scale's `max` must be above `min`, with at most 100 steps"),
                    );
                    return None;
                }
                ItemKind::Scale {
                    min,
                    max,
                    min_label: min_label?,
                    max_label: max_label?,
                }
            }
            "short_text" | "long_text" => {
                let default = if kind == "short_text" { 200 } else { 10_000 };
                let max_length = match self.r.int_opt(t, "max_length") {
                    Some((n, _)) if (1..=100_000).contains(&n) => n as usize,
                    Some((_, span)) => {
                        self.r.sink.error(
                            &span,
                            Msg::new(
                                "`max_length` moet van 1 tot 100000 tekens zijn",
                                "`max_length` must be from 1 to 100000 characters",
                            ),
                        );
                        default
                    }
                    None => default,
                };
                if kind == "short_text" {
                    ItemKind::ShortText { max_length }
                } else {
                    ItemKind::LongText { max_length }
                }
            }
            "number" => {
                let min = self.r.float_opt(t, "min").map(|x| x.0);
                let max = self.r.float_opt(t, "max");
                if let (Some(lo), Some((hi, span))) = (min, &max)
                    && hi < &lo
                {
                    self.r.sink.error(
                        span,
                        Msg::new("`max` ligt onder `min`", "`max` is below `min`"),
                    );
                }
                ItemKind::Number {
                    min,
                    max: max.map(|x| x.0),
                    integer: self.r.bool_opt(t, "integer").unwrap_or(false),
                    unit: self.r.text_opt(t, "unit"),
                }
            }
            "date" => ItemKind::Date,
            other => {
                self.r.sink.error_help(
                    &span,
                    Msg::new(
                        format!("onbekend soort vraag \"{other}\""),
                        format!("unknown item kind \"{other}\""),
                    ),
                    did_you_mean(other, KINDS.iter().copied()).unwrap_or_else(|| {
                        let all = KINDS.join(", ");
                        Msg::new(
                            format!("de soorten zijn {all}"),
                            format!("the kinds are {all}"),
                        )
                    }),
                );
                return None;
            }
        })
    }

    /// Report keys that do not belong to the item's kind.
    fn kind_keys(&mut self, t: &Tbl<'_, '_>, kind: &ItemKind) {
        let allowed: &[&str] = match kind {
            ItemKind::YesNo | ItemKind::YesNoUnknown => &["points"],
            ItemKind::Single | ItemKind::Multi => &["options"],
            ItemKind::Scale { .. } => &["min", "max", "min_label", "max_label", "points"],
            ItemKind::ShortText { .. } | ItemKind::LongText { .. } => &["max_length"],
            ItemKind::Number { .. } => &["min", "max", "integer", "unit"],
            ItemKind::Date => &[],
        };
        let specific = [
            "options",
            "points",
            "min",
            "max",
            "min_label",
            "max_label",
            "integer",
            "unit",
            "max_length",
        ];
        for key in specific {
            if !allowed.contains(&key)
                && let Some((k, _)) = t.t.get_key_value(key)
            {
                self.r.sink.error(
                    &k.span(),
                    Msg::new(
                        format!("`{key}` hoort niet bij vragen van soort `{}`", kind.key()),
                        format!("`{key}` does not apply to items of kind `{}`", kind.key()),
                    ),
                );
            }
        }
        if matches!(kind, ItemKind::Single | ItemKind::Multi) && t.get("options").is_none() {
            self.r.missing(
                t,
                "options",
                Some(Msg::new(
                    "voeg toe: options = [{ id = \"…\", nl = \"…\", en = \"…\" }, …]",
                    "add options = [{ id = \"…\", nl = \"…\", en = \"…\" }, …]",
                )),
            );
        }
    }

    fn option_points(&mut self, t: &Tbl<'_, '_>, options: &mut [ChoiceOption]) {
        let Some(v) = t.get("points") else { return };
        let Some(table) = v.get_ref().as_table() else {
            self.r.sink.error_help(
                &v.span(),
                Msg::new(
                    "`points` van een ja/nee-vraag moet een tabel met punten per antwoord zijn",
                    "`points` of a yes/no item must be a table of points per answer",
                ),
                Msg::new(
                    "bijvoorbeeld points = { ja = 1 }",
                    "for example points = { ja = 1 }",
                ),
            );
            return;
        };
        for (k, pv) in table.iter() {
            let name = k.get_ref().as_ref();
            let Some(o) = options.iter_mut().find(|o| o.id == name) else {
                let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
                self.r.sink.error_help(
                    &k.span(),
                    Msg::new(
                        format!("deze vraag heeft geen antwoord `{name}`"),
                        format!("this item has no answer `{name}`"),
                    ),
                    Msg::new(
                        format!("de antwoorden zijn {}", ids.join(", ")),
                        format!("its answers are {}", ids.join(", ")),
                    ),
                );
                continue;
            };
            match int_of(pv.get_ref()) {
                Some(p) => o.points = Some(p),
                None => self.r.wrong_type(name, pv, "a whole number of points"),
            }
        }
    }

    fn options(&mut self, t: &Tbl<'_, '_>, kind: &ItemKind) -> Vec<ChoiceOption> {
        let tables = self.r.tables(t, "options", "an option");
        let mut out: Vec<ChoiceOption> = Vec::new();
        let minimum = if *kind == ItemKind::Single { 2 } else { 1 };
        if t.get("options").is_some() && tables.len() < minimum {
            let span = t.get("options").map(|v| v.span()).unwrap_or_default();
            self.r.sink.error(
                &span,
                Msg::new(
                    format!(
                        "een vraag van soort {} heeft minstens {minimum} {} nodig",
                        kind.key(),
                        if minimum > 1 { "opties" } else { "optie" }
                    ),
                    format!(
                        "a {} item needs at least {minimum} option{}",
                        kind.key(),
                        if minimum > 1 { "s" } else { "" }
                    ),
                ),
            );
        }
        if tables.len() > MAX_OPTIONS {
            self.r.sink.error(
                &tables[MAX_OPTIONS].span,
                Msg::new(
                    format!("hoogstens {MAX_OPTIONS} opties mogen"),
                    format!("at most {MAX_OPTIONS} options are allowed"),
                ),
            );
        }
        for ot in tables.iter().take(MAX_OPTIONS) {
            self.r.keys(ot, OPTION_KEYS);
            let id = self.r.id_req(ot, true);
            let nl = self.r.str_req(ot, "nl");
            let en = self.r.str_req(ot, "en");
            let points = self.r.int_opt(ot, "points").map(|p| p.0);
            for (lang, v) in [("nl", &nl), ("en", &en)] {
                if let Some((s, span)) = v
                    && s.trim().is_empty()
                {
                    self.r.sink.error(
                        span,
                        Msg::new(
                            format!("het `{lang}`-label van deze optie is leeg"),
                            format!("the `{lang}` label of this option is empty"),
                        ),
                    );
                }
            }
            let (Some((id, span)), Some((nl, _)), Some((en, _))) = (id, nl, en) else {
                continue;
            };
            if out.iter().any(|o| o.id == id) {
                self.r.sink.report(
                    codes::DUPLICATE_ID,
                    &span,
                    Msg::new(
                        format!("optie `{id}` staat er twee keer"),
                        format!("option `{id}` appears twice"),
                    ),
                    None::<Msg>,
                );
                continue;
            }
            out.push(ChoiceOption {
                id,
                label: Text::new(nl, en),
                points,
            });
        }
        out
    }

    fn scale_points(&mut self, t: &Tbl<'_, '_>, min: i64, max: i64) -> Vec<i64> {
        let steps = (max - min + 1) as usize;
        let Some(v) = t.get("points") else {
            return (min..=max).collect();
        };
        let Some(arr) = v.get_ref().as_array() else {
            self.r.sink.error_help(
                &v.span(),
Msg::new("`points` van een schaal moet een lijst met de punten van elke waarde zijn", "`points` of a scale must be a list with the points of each value"),
Msg::new(format!("schrijf voor een schaal van {min} tot {max} {steps} getallen, bijvoorbeeld points = [0, 1, 3, 5]"), format!("for a scale from {min} to {max}, write {steps} numbers, for example points = [0, 1, 3, 5]")),
            );
            return (min..=max).collect();
        };
        if arr.len() != steps {
            self.r.sink.error(
                &v.span(),
Msg::new(format!("deze schaal heeft {steps} waarden van {min} tot {max}, maar `points` noemt er {}", arr.len()), format!("this scale has {steps} values from {min} to {max}, but `points` lists {}", arr.len())),
            );
            return (min..=max).collect();
        }
        let mut out = Vec::with_capacity(steps);
        for e in arr.iter() {
            match int_of(e.get_ref()) {
                Some(p) => out.push(p),
                None => {
                    self.r.wrong_type("points", e, "a whole number");
                    out.push(0);
                }
            }
        }
        out
    }

    fn flag(&mut self, t: &Tbl<'_, '_>, item: Option<usize>) -> Option<usize> {
        self.r.keys(t, FLAG_KEYS);
        let index = self.flags.len();
        let id = self.r.id_req(t, false);
        if let Some((id, span)) = &id {
            if !self.flag_ids.insert(id.clone()) {
                self.r.duplicate("red flag", id, span);
            }
            self.r.defined("red flag", id, span);
        }
        if t.get("when").is_none() {
            self.r.missing(
                t,
                "when",
                Some(Msg::new(
                    "de voorwaarde die de vlag laat afgaan, bijvoorbeeld when = 'item == \"ja\"'",
                    "the condition that raises the flag, for example when = 'item == \"ja\"'",
                )),
            );
        }
        let when = self.r.condition(t, "when", Place::Flag(index));
        let level = match self.r.str_req(t, "level") {
            Some((s, span)) => match FlagLevel::from_key(&s) {
                Some(l) => Some(l),
                None => {
                    self.r.sink.error_help(
                        &span,
                        Msg::new(
                            format!("onbekend niveau van een rode vlag \"{s}\""),
                            format!("unknown red-flag level \"{s}\""),
                        ),
                        did_you_mean(&s, ["acute", "structural", "attention"]).unwrap_or_else(
                            || {
                                Msg::new(
                                    "gebruik \"acute\", \"structural\" of \"attention\"",
                                    "use \"acute\", \"structural\" or \"attention\"",
                                )
                            },
                        ),
                    );
                    None
                }
            },
            None => None,
        };
        let message = self.r.text_req(t, "message");
        let action = self.r.text_req(t, "action");
        self.flags.push(RedFlag {
            id: id.map(|x| x.0).unwrap_or_default(),
            item,
            when: when?,
            level: level?,
            message: message?,
            action: action?,
        });
        Some(index)
    }

    fn scores(&mut self, root: &Tbl<'_, '_>) -> Vec<Score> {
        let mut out: Vec<Score> = Vec::new();
        for t in self.r.tables(root, "scores", "a score") {
            self.r.keys(&t, SCORE_KEYS);
            let id = self.r.id_req(&t, false);
            if let Some((id, span)) = &id {
                if out.iter().any(|s| &s.id == id) {
                    self.r.duplicate("score", id, span);
                }
                self.r.defined("score", id, span);
            }
            let title = self.r.text_req(&t, "title");
            let method = match self.r.str_opt(&t, "method") {
                None => ScoreMethod::Sum,
                Some((m, span)) => match m.as_str() {
                    "sum" => ScoreMethod::Sum,
                    "count" => ScoreMethod::Count,
                    other => {
                        self.r.sink.error_help(
                            &span,
                            Msg::new(
                                format!("onbekende scoremethode \"{other}\""),
                                format!("unknown score method \"{other}\""),
                            ),
                            Msg::new("gebruik \"sum\" of \"count\"", "use \"sum\" or \"count\""),
                        );
                        ScoreMethod::Sum
                    }
                },
            };
            let items = self.score_items(&t);
            let bands_t = self.r.tables(&t, "bands", "a score band");
            if bands_t.is_empty() {
                self.r.sink.error_help(
                    &t.span,
                    Msg::new("deze score heeft geen grenzen", "this score has no bands"),
                    Msg::new(
                        "voeg [[scores.bands]] toe met `from`, `to`, `label` en `meaning`",
                        "add [[scores.bands]] with `from`, `to`, `label` and `meaning`",
                    ),
                );
            }
            let mut bands = Vec::new();
            let mut band_spans = Vec::new();
            for bt in &bands_t {
                if let Some(b) = self.band(bt) {
                    bands.push(b);
                    // Gaps and overlaps are about where a band starts.
                    band_spans.push(bt.get("from").map_or(bt.span.clone(), |v| v.span()));
                }
            }
            let (Some((id, _)), Some(title)) = (id, title) else {
                continue;
            };
            let mut score = Score {
                id,
                title,
                method,
                items,
                bands,
                range: (0, 0),
            };
            score.range = self.score_range(&score, None);
            self.check_bands(&score, &band_spans, &t.span);
            out.push(score);
        }
        out
    }

    fn score_items(&mut self, t: &Tbl<'_, '_>) -> Vec<usize> {
        let mut items = Vec::new();
        for (name, span) in self.r.str_list(t, "items") {
            match self.items.iter().position(|i| i.id == name) {
                Some(i) => items.push((i, span)),
                None => {
                    let help = did_you_mean(&name, self.items.iter().map(|i| i.id.as_str()));
                    match help {
                        Some(h) => {
                            self.r.sink.report(
                                codes::UNKNOWN_NAME,
                                &span,
                                Msg::new(
                                    format!("onbekende vraag `{name}`"),
                                    format!("unknown item `{name}`"),
                                ),
                                Some(h),
                            );
                        }
                        None => {
                            self.r.sink.report(
                                codes::UNKNOWN_NAME,
                                &span,
                                Msg::new(
                                    format!("onbekende vraag `{name}`"),
                                    format!("unknown item `{name}`"),
                                ),
                                None::<Msg>,
                            );
                        }
                    }
                }
            }
        }
        for (name, span) in self.r.str_list(t, "sections") {
            match self.sections.iter().position(|s| s.id == name) {
                Some(s) => {
                    for i in self.sections[s].items.clone() {
                        if self.items[i].has_points() {
                            items.push((i, span.clone()));
                        }
                    }
                }
                None => {
                    let help = did_you_mean(&name, self.sections.iter().map(|s| s.id.as_str()));
                    match help {
                        Some(h) => {
                            self.r.sink.report(
                                codes::UNKNOWN_NAME,
                                &span,
                                Msg::new(
                                    format!("onbekend onderdeel `{name}`"),
                                    format!("unknown section `{name}`"),
                                ),
                                Some(h),
                            );
                        }
                        None => {
                            self.r.sink.report(
                                codes::UNKNOWN_NAME,
                                &span,
                                Msg::new(
                                    format!("onbekend onderdeel `{name}`"),
                                    format!("unknown section `{name}`"),
                                ),
                                None::<Msg>,
                            );
                        }
                    }
                }
            }
        }
        if t.get("items").is_none() && t.get("sections").is_none() {
            self.r.missing(
                t,
                "items",
                Some(Msg::new(
                    "noem de vragen die meetellen, of hun `sections`",
                    "list the items that count, or their `sections`",
                )),
            );
        }
        let mut out = Vec::new();
        for (i, span) in items {
            let item = &self.items[i];
            if self.broken_kind.contains(&i) {
                // Its kind is already reported; it may well have points.
                continue;
            }
            if matches!(
                item.kind,
                ItemKind::ShortText { .. }
                    | ItemKind::LongText { .. }
                    | ItemKind::Number { .. }
                    | ItemKind::Date
            ) {
                self.r.sink.report(
                    codes::SCORE,
                    &span,
                    Msg::new(
                        format!(
                            "vraag `{}` is van soort {} en kan niet meetellen in een score",
                            item.id,
                            item.kind.key()
                        ),
                        format!(
                            "item `{}` is of kind {} and cannot count towards a score",
                            item.id,
                            item.kind.key()
                        ),
                    ),
                    Some(Msg::new(
                        "alleen schalen en keuzevragen met `points` tellen mee",
                        "only scales and choice items with `points` count",
                    )),
                );
            } else if !item.has_points() {
                self.r.sink.error_help(
                    &span,
                    Msg::new(
                        format!("vraag `{}` heeft geen punten om te tellen", item.id),
                        format!("item `{}` has no points to count", item.id),
                    ),
                    Msg::new(
                        "geef de opties `points`, of gebruik een schaalvraag",
                        "give its options `points`, or use a scale item",
                    ),
                );
            } else if self.sections[item.section].repeat.is_some() {
                self.r.sink.error(
                    &span,
Msg::new(format!("vraag `{}` staat in een herhaalbaar onderdeel en kan niet meetellen in een score", item.id), format!("item `{}` sits in a repeatable section and cannot count towards a score", item.id)),
                );
            } else if !out.contains(&i) {
                out.push(i);
            }
        }
        out
    }

    fn band(&mut self, t: &Tbl<'_, '_>) -> Option<Band> {
        self.r.keys(t, BAND_KEYS);
        let id = self.r.id_req(t, false);
        let from = self.r.int_opt(t, "from");
        if t.get("from").is_none() {
            self.r.missing(t, "from", None);
        }
        let to = self.r.int_opt(t, "to");
        let age_band = match self.r.str_opt(t, "age_band") {
            None => None,
            Some((name, span)) => match self.age_bands.iter().position(|b| b.id == name) {
                Some(i) => Some(i),
                None => {
                    let help = did_you_mean(&name, self.age_bands.iter().map(|b| b.id.as_str()))
                        .unwrap_or_else(|| {
                            Msg::new(
                                "noem een van de [[age_bands]] van de checklist",
                                "name one of the checklist's [[age_bands]]",
                            )
                        });
                    self.r.sink.report(
                        codes::UNKNOWN_NAME,
                        &span,
                        Msg::new(
                            format!("onbekende leeftijdsgroep `{name}`"),
                            format!("unknown age band `{name}`"),
                        ),
                        Some(help),
                    );
                    return None;
                }
            },
        };
        let label = self.r.text_req(t, "label");
        let meaning = self.r.text_req(t, "meaning");
        let (from, from_span) = from?;
        if let Some((to, span)) = &to
            && *to < from
        {
            self.r.sink.report(
                codes::SCORE,
                span,
                Msg::new(
                    format!("`to` ({to}) ligt onder `from` ({from})"),
                    format!("`to` ({to}) is below `from` ({from})"),
                ),
                None::<Msg>,
            );
            return None;
        }
        let _ = from_span;
        Some(Band {
            id: id?.0,
            from,
            to: to.map(|t| t.0),
            age_band,
            label: label?,
            meaning: meaning?,
        })
    }

    /// Lowest and highest value a score can take for a person in `age_band`.
    fn score_range(&self, score: &Score, age_band: Option<usize>) -> (i64, i64) {
        let (mut lo, mut hi) = (0i64, 0i64);
        for &i in &score.items {
            let item = &self.items[i];
            if !item.age_bands.admits(age_band)
                || !self.sections[item.section].age_bands.admits(age_band)
            {
                continue;
            }
            let points: Vec<i64> = match item.kind {
                ItemKind::Scale { .. } => item.scale_points.clone(),
                _ => item.options.iter().map(|o| o.points.unwrap_or(0)).collect(),
            };
            let (ilo, ihi) = match (score.method, &item.kind) {
                (ScoreMethod::Count, _) => (0, i64::from(points.iter().any(|&p| p > 0))),
                (ScoreMethod::Sum, ItemKind::Multi) => (
                    points.iter().filter(|&&p| p < 0).sum(),
                    points.iter().filter(|&&p| p > 0).sum(),
                ),
                // Unanswered counts as zero, so zero is always reachable.
                (ScoreMethod::Sum, _) => (
                    points.iter().copied().min().unwrap_or(0).min(0),
                    points.iter().copied().max().unwrap_or(0).max(0),
                ),
            };
            lo = lo.saturating_add(ilo);
            hi = hi.saturating_add(ihi);
        }
        (lo, hi)
    }

    fn check_bands(&mut self, score: &Score, spans: &[Range<usize>], score_span: &Range<usize>) {
        let specific = score.bands.iter().any(|b| b.age_band.is_some());
        let groups: Vec<Option<usize>> = if specific {
            if let Some(i) = score.bands.iter().position(|b| b.age_band.is_none()) {
                self.r.sink.error_help(
                    &spans[i],
                    Msg::new(
                        format!(
                            "grens `{}` van score `{}` noemt geen leeftijdsgroep, andere wel",
                            score.bands[i].id, score.id
                        ),
                        format!(
                            "band `{}` of score `{}` names no age band while others do",
                            score.bands[i].id, score.id
                        ),
                    ),
                    Msg::new(
                        "geef elke grens een `age_band`, of geen enkele",
                        "give every band an `age_band`, or none of them",
                    ),
                );
                return;
            }
            (0..self.age_bands.len()).map(Some).collect()
        } else {
            vec![None]
        };
        for group in groups {
            let mut idx: Vec<usize> = (0..score.bands.len())
                .filter(|&i| score.bands[i].age_band == group)
                .collect();
            let for_group = group.map_or(String::new(), |g| {
                format!(" for age band `{}`", self.age_bands[g].id)
            });
            let voor_groep = group.map_or(String::new(), |g| {
                format!(" voor leeftijdsgroep `{}`", self.age_bands[g].id)
            });
            if idx.is_empty() {
                self.r.sink.error(
                    score_span,
                    Msg::new(
                        format!("score `{}` heeft geen grenzen{voor_groep}", score.id),
                        format!("score `{}` has no bands{for_group}", score.id),
                    ),
                );
                continue;
            }
            idx.sort_by_key(|&i| score.bands[i].from);
            let (lo, hi) = self.score_range(score, group);
            let mut seen = HashSet::new();
            for &i in &idx {
                if !seen.insert(score.bands[i].id.as_str()) {
                    self.r.sink.error(
                        &spans[i],
                        Msg::new(
                            format!(
                                "grens `{}` staat er twee keer{voor_groep}",
                                score.bands[i].id
                            ),
                            format!("band `{}` appears twice{for_group}", score.bands[i].id),
                        ),
                    );
                }
            }
            let first = &score.bands[idx[0]];
            if first.from > lo {
                self.r.sink.error_help(
                    &spans[idx[0]],
Msg::new(format!("score `{}` kan {lo} zijn, maar de laagste grens begint bij {}{voor_groep}", score.id, first.from), format!("score `{}` can be {lo}, but its lowest band starts at {}{for_group}", score.id, first.from)),
Msg::new(format!("laat grens `{}` bij {lo} beginnen", first.id), format!("let band `{}` start at {lo}", first.id)),
                );
            }
            for w in idx.windows(2) {
                let (a, b) = (&score.bands[w[0]], &score.bands[w[1]]);
                match a.to {
                    None => self.r.sink.error_help(
                        &spans[w[0]],
Msg::new(format!("grens `{}` heeft geen `to`, maar grens `{}` komt erna", a.id, b.id), format!("band `{}` has no `to`, but band `{}` comes after it", a.id, b.id)),
Msg::new("alleen de hoogste grens mag `to` weglaten", "only the highest band may leave out `to`"),
                    ),
                    Some(to) if b.from <= to => self.r.sink.error(
                        &spans[w[1]],
Msg::new(format!("grens `{}` ({}–{}) overlapt met grens `{}` ({}–{to}){voor_groep}", b.id, b.from, b.to.map_or("…".into(), |t| t.to_string()), a.id, a.from), format!("band `{}` ({}–{}) overlaps band `{}` ({}–{to}){for_group}", b.id, b.from, b.to.map_or("…".into(), |t| t.to_string()), a.id, a.from)),
                    ),
                    Some(to) if b.from > to + 1 => self.r.sink.error_help(
                        &spans[w[1]],
Msg::new(format!("er zit een gat tussen grens `{}` (tot en met {to}) en grens `{}` (vanaf {}){voor_groep}", a.id, b.id, b.from), format!("there is a gap between band `{}` (up to {to}) and band `{}` (from {}){for_group}", a.id, b.id, b.from)),
Msg::new(format!("laat grens `{}` bij {} beginnen", b.id, to + 1), format!("let band `{}` start at {}", b.id, to + 1)),
                    ),
                    _ => {}
                }
            }
            let last = &score.bands[*idx.last().unwrap_or(&0)];
            if let Some(to) = last.to
                && to < hi
            {
                self.r.sink.error_help(
                    &spans[*idx.last().unwrap_or(&0)],
Msg::new(format!("score `{}` kan {hi} halen, maar de hoogste grens eindigt bij {to}{voor_groep}", score.id), format!("score `{}` can reach {hi}, but its highest band ends at {to}{for_group}", score.id)),
Msg::new(format!("laat grens `{}` tot {hi} gaan, of laat `to` weg", last.id), format!("let band `{}` go up to {hi}, or leave out its `to`", last.id)),
                );
            }
        }
    }

    fn outcomes(&mut self, root: &Tbl<'_, '_>) -> Vec<Outcome> {
        let mut out: Vec<Outcome> = Vec::new();
        for t in self.r.tables(root, "outcomes", "an outcome") {
            self.r.keys(&t, OUTCOME_KEYS);
            let index = out.len();
            let id = self.r.id_req(&t, false);
            if let Some((id, span)) = &id {
                if out.iter().any(|o| &o.id == id) {
                    self.r.duplicate("outcome", id, span);
                }
                self.r.defined("outcome", id, span);
            }
            let title = self.r.text_req(&t, "title");
            let rule_tables = self.r.tables(&t, "rules", "an outcome rule");
            if rule_tables.is_empty() {
                self.r.sink.error_help(
                    &t.span,
                    Msg::new(
                        "deze uitkomst heeft geen regels",
                        "this outcome has no rules",
                    ),
                    Msg::new(
                        "voeg [[outcomes.rules]] toe met `when`, `value` en `label`",
                        "add [[outcomes.rules]] with `when`, `value` and `label`",
                    ),
                );
            }
            let mut rules = Vec::new();
            for (n, rt) in rule_tables.iter().enumerate() {
                self.r.keys(rt, RULE_KEYS);
                let when = self.r.condition(rt, "when", Place::OutcomeRule(index));
                if when.is_none() && rt.get("when").is_none() && n + 1 < rule_tables.len() {
                    self.r.sink.error_help(
                        &rt.span,
Msg::new("alleen de laatste regel mag `when` weglaten", "only the last rule may leave out `when`"),
Msg::new("een regel zonder `when` geldt altijd, dus de regels erna komen nooit aan bod", "a rule without `when` always holds, so the rules after it would never be used"),
                    );
                }
                let value = match self.r.str_req(rt, "value") {
                    Some((v, span)) if !valid_id(&v, true) => {
                        self.r.sink.error_help(
                            &span,
                            Msg::new(
                                format!("`{v}` is geen geldige waarde van een uitkomst"),
                                format!("`{v}` is not a valid outcome value"),
                            ),
                            Msg::new(
                                "waarden gebruiken kleine letters, cijfers, `_` en `-`",
                                "values use lower-case letters, digits, `_` and `-`",
                            ),
                        );
                        None
                    }
                    other => other.map(|x| x.0),
                };
                let label = self.r.text_req(rt, "label");
                let meaning = self.r.text_opt(rt, "meaning");
                if let (Some(value), Some(label)) = (value, label) {
                    rules.push(Rule {
                        when,
                        value,
                        label,
                        meaning,
                    });
                }
            }
            if let (Some((id, _)), Some(title)) = (id, title) {
                out.push(Outcome { id, title, rules });
            }
        }
        out
    }
}
