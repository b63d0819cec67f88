//! Located, compiler-style messages about a checklist file.
//!
//! A diagnostic names the file, the range of the offending value (line and
//! column of its start and end), a stable code (`SV0201`), what is wrong in
//! Dutch and English, and where it helps, what to do (`help:`) and other
//! places that explain it (`secondary`: "first defined here", each step of
//! a cycle, the file a reference was written against).
//!
//! `render` draws one like rustc does (the source line, a caret underline,
//! labels) with `annotate-snippets`; `to_json` gives the same for editors and
//! CI. Pure: the sources to quote are handed in.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use serde::Serialize;

use crate::i18n::Lang;

/// A message in Dutch and English. Dutch may be missing for a message that
/// has not been translated yet; English is then shown in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Msg {
    pub nl: Option<String>,
    pub en: String,
}

impl Msg {
    /// A message in both languages.
    pub fn new(nl: impl Into<String>, en: impl Into<String>) -> Msg {
        Msg {
            nl: Some(nl.into()),
            en: en.into(),
        }
    }

    /// The text in `lang` (English where no Dutch is known).
    pub fn get(&self, lang: Lang) -> &str {
        match (lang, &self.nl) {
            (Lang::Nl, Some(nl)) => nl,
            _ => &self.en,
        }
    }

    /// Both texts with `suffix` (nl, en) put after them.
    pub fn suffixed(self, nl: &str, en: &str) -> Msg {
        Msg {
            nl: self.nl.map(|t| format!("{t}{nl}")),
            en: format!("{}{en}", self.en),
        }
    }

    /// Both texts with `prefix` (nl, en) put before them.
    pub fn prefixed(self, nl: &str, en: &str) -> Msg {
        Msg {
            nl: self.nl.map(|t| format!("{nl}{t}")),
            en: format!("{en}{}", self.en),
        }
    }
}

impl From<String> for Msg {
    fn from(en: String) -> Msg {
        Msg { nl: None, en }
    }
}

impl From<&str> for Msg {
    fn from(en: &str) -> Msg {
        Msg {
            nl: None,
            en: en.to_string(),
        }
    }
}

/// A message reads as its English text where a `str` is wanted (tests,
/// logs); what a person reads goes through `get(lang)`.
impl std::ops::Deref for Msg {
    type Target = str;
    fn deref(&self) -> &str {
        &self.en
    }
}

impl PartialEq<&str> for Msg {
    fn eq(&self, other: &&str) -> bool {
        self.en == *other
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// How bad a diagnostic is. Only errors keep a file from loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Hint,
}

impl Severity {
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Severity::Error => lang.pick("fout", "error"),
            Severity::Warning => lang.pick("waarschuwing", "warning"),
            Severity::Hint => lang.pick("tip", "hint"),
        }
    }
}

/// The stable codes of diagnostics, documented in docs/CHECKLISTS.md
/// ("Foutcodes / Diagnostic codes"). A code never changes meaning; new
/// problems get new codes.
pub mod codes {
    /// The file is larger than a checklist file may be.
    pub const TOO_LARGE: &str = "SV0101";
    /// The path is not a regular file, or cannot be read.
    pub const NOT_A_FILE: &str = "SV0102";
    /// The file is not UTF-8 text.
    pub const NOT_UTF8: &str = "SV0103";
    /// The file is empty.
    pub const EMPTY: &str = "SV0104";
    /// TOML syntax.
    pub const TOML_SYNTAX: &str = "SV0105";
    /// A key that the format does not know.
    pub const UNKNOWN_KEY: &str = "SV0201";
    /// A required key is missing.
    pub const MISSING_KEY: &str = "SV0202";
    /// A value of the wrong type.
    pub const WRONG_TYPE: &str = "SV0203";
    /// A value the format does not allow here (a bad id, a range, a kind…).
    pub const INVALID_VALUE: &str = "SV0204";
    /// An id used twice.
    pub const DUPLICATE_ID: &str = "SV0205";
    /// A text without its Dutch or English half.
    pub const MISSING_LANGUAGE: &str = "SV0206";
    /// Scores and bands: gaps, overlaps, points that cannot be counted.
    pub const SCORE: &str = "SV0207";
    /// A limit of the format (items, options, length).
    pub const LIMIT: &str = "SV0208";
    /// Syntax of a condition.
    pub const CONDITION_SYNTAX: &str = "SV0301";
    /// A condition names something that does not exist.
    pub const UNKNOWN_NAME: &str = "SV0302";
    /// A condition compares things that cannot be compared.
    pub const CONDITION_TYPE: &str = "SV0303";
    /// A condition uses something where it is not allowed.
    pub const CONDITION_PLACE: &str = "SV0304";
    /// `show_if` depends on itself.
    pub const SHOW_IF_CYCLE: &str = "SV0401";
    /// Checklists refer to each other in a circle.
    pub const CHECKLIST_CIRCLE: &str = "SV0402";
    /// Two files give the same checklist id.
    pub const ID_TWICE: &str = "SV0403";
    /// Another checklist shipped with the file no longer loads with it.
    pub const BREAKS_OTHER: &str = "SV0501";
    /// Same id and version in two places, with different content.
    pub const SAME_VERSION_DIFFERS: &str = "SV0502";
    /// A version that is not above the one it would replace: not used.
    pub const VERSION_NOT_ABOVE: &str = "SV0503";

    /// Every code with its short description (nl, en), in order.
    pub const ALL: &[(&str, &str, &str)] = &[
        (
            TOO_LARGE,
            "het bestand is te groot",
            "the file is too large",
        ),
        (
            NOT_A_FILE,
            "geen gewoon bestand, of niet te lezen",
            "not a regular file, or cannot be read",
        ),
        (NOT_UTF8, "geen UTF-8-tekst", "not UTF-8 text"),
        (EMPTY, "het bestand is leeg", "the file is empty"),
        (TOML_SYNTAX, "TOML-schrijfwijze", "TOML syntax"),
        (UNKNOWN_KEY, "onbekende sleutel", "unknown key"),
        (MISSING_KEY, "sleutel ontbreekt", "missing key"),
        (WRONG_TYPE, "verkeerd soort waarde", "wrong type of value"),
        (INVALID_VALUE, "waarde niet toegestaan", "value not allowed"),
        (DUPLICATE_ID, "id twee keer gebruikt", "id used twice"),
        (
            MISSING_LANGUAGE,
            "Nederlandse of Engelse tekst ontbreekt",
            "Dutch or English text missing",
        ),
        (
            SCORE,
            "score of grenzen kloppen niet",
            "score or bands do not fit",
        ),
        (LIMIT, "grens van het formaat", "limit of the format"),
        (
            CONDITION_SYNTAX,
            "schrijfwijze van een voorwaarde",
            "condition syntax",
        ),
        (
            UNKNOWN_NAME,
            "onbekende naam in een voorwaarde",
            "unknown name in a condition",
        ),
        (
            CONDITION_TYPE,
            "voorwaarde vergelijkt wat niet past",
            "condition compares what does not fit",
        ),
        (
            CONDITION_PLACE,
            "niet toegestaan op deze plek",
            "not allowed in this place",
        ),
        (
            SHOW_IF_CYCLE,
            "`show_if` hangt van zichzelf af",
            "`show_if` depends on itself",
        ),
        (
            CHECKLIST_CIRCLE,
            "checklists verwijzen in een kring naar elkaar",
            "checklists refer to each other in a circle",
        ),
        (
            ID_TWICE,
            "twee bestanden met hetzelfde checklist-id",
            "two files with the same checklist id",
        ),
        (
            BREAKS_OTHER,
            "een andere checklist laadt niet meer",
            "another checklist no longer loads",
        ),
        (
            SAME_VERSION_DIFFERS,
            "zelfde id en versie, andere inhoud",
            "same id and version, different content",
        ),
        (
            VERSION_NOT_ABOVE,
            "versie niet hoger: wordt niet gebruikt",
            "version not above: not used",
        ),
    ];
}

/// A place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it (or `bundled:<name>` for embedded files).
    pub path: String,
    /// Byte range in the file's text.
    pub span: Range<usize>,
    /// 1-based line and column (in characters) of the start.
    pub line: usize,
    pub column: usize,
    /// 1-based line and column just past the end.
    pub end_line: usize,
    pub end_column: usize,
}

impl Location {
    /// The location of `span` in `src`.
    pub fn of(path: &str, src: &str, span: Range<usize>) -> Location {
        let index = LineIndex::new(src);
        Location::with_index(path, src, &index, span)
    }

    fn with_index(path: &str, src: &str, index: &LineIndex, span: Range<usize>) -> Location {
        let start = span.start.min(src.len());
        let end = span.end.clamp(start, src.len());
        let (line, column) = index.locate(src, start);
        let (end_line, end_column) = index.locate(src, end);
        Location {
            path: path.to_string(),
            span: start..end,
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// Another place that explains a diagnostic, with a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secondary {
    pub at: Location,
    pub label: Msg,
}

/// One problem found in a checklist file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user named it (or `bundled:<name>` for embedded files).
    pub path: String,
    /// 1-based line of the offending value.
    pub line: usize,
    /// 1-based column (in characters) of the offending value.
    pub column: usize,
    /// 1-based line and column just past the offending value.
    pub end_line: usize,
    pub end_column: usize,
    /// Byte range of the offending value.
    pub span: Range<usize>,
    pub severity: Severity,
    /// A stable code, `SVnnnn` (`codes`).
    pub code: &'static str,
    pub message: Msg,
    pub help: Option<Msg>,
    pub secondary: Vec<Secondary>,
}

impl Diagnostic {
    /// An error at `at`.
    pub fn at(at: Location, code: &'static str, message: impl Into<Msg>) -> Diagnostic {
        Diagnostic {
            path: at.path,
            line: at.line,
            column: at.column,
            end_line: at.end_line,
            end_column: at.end_column,
            span: at.span,
            severity: Severity::Error,
            code,
            message: message.into(),
            help: None,
            secondary: Vec::new(),
        }
    }

    /// An error about a whole file, at its start.
    pub fn whole_file(path: &str, code: &'static str, message: impl Into<Msg>) -> Diagnostic {
        Diagnostic::at(
            Location {
                path: path.to_string(),
                span: 0..0,
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
            },
            code,
            message,
        )
    }

    pub fn with_help(mut self, help: impl Into<Msg>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    pub fn with_secondary(mut self, at: Location, label: impl Into<Msg>) -> Diagnostic {
        self.secondary.push(Secondary {
            at,
            label: label.into(),
        });
        self
    }

    /// The primary location.
    pub fn location(&self) -> Location {
        Location {
            path: self.path.clone(),
            span: self.span.clone(),
            line: self.line,
            column: self.column,
            end_line: self.end_line,
            end_column: self.end_column,
        }
    }

    /// One line, `path:line:col: error[SV0201]: message`, with `help:` on
    /// the next line; as the app and the list command show a problem.
    pub fn short(&self, lang: Lang) -> String {
        let mut s = format!(
            "{}:{}:{}: {}[{}]: {}",
            self.path,
            self.line,
            self.column,
            self.severity.name(lang),
            self.code,
            self.message.get(lang)
        );
        if let Some(help) = &self.help {
            s.push_str(&format!(
                "\n  {}: {}",
                lang.pick("hulp", "help"),
                help.get(lang)
            ));
        }
        s
    }

    /// Drawn like rustc: the source line, a caret underline and labels,
    /// with the secondary places. `sources` maps a path to its text; a path
    /// without one is shown as `path:line:col` only.
    pub fn render(&self, lang: Lang, sources: &HashMap<String, String>) -> String {
        use annotate_snippets::{AnnotationKind, Element, Group, Level, Origin, Renderer, Snippet};

        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Hint => Level::NOTE,
        }
        .with_name(self.severity.name(lang));
        // Annotations on lines of their own: a span over several lines (a
        // whole table) is cut at the end of its first line.
        let one_line = |src: &str, span: &Range<usize>| -> Range<usize> {
            let start = span.start.min(src.len());
            let mut end = span.end.clamp(start, src.len());
            if let Some(nl) = src[start..end].find('\n') {
                end = start + nl;
            }
            // A zero-width span (a missing key, the end of the file) still
            // gets one caret where there is a character to put it under.
            if end == start && start < src.len() && !src[start..].starts_with('\n') {
                end = start + src[start..].chars().next().map_or(0, char::len_utf8);
            }
            start..end
        };
        let title = level
            .clone()
            .primary_title(self.message.get(lang).to_string())
            .id(self.code);
        let mut elements: Vec<Element<'_>> = Vec::new();
        // The primary file first, then the other files in order of mention.
        let mut files: Vec<&str> = vec![self.path.as_str()];
        for s in &self.secondary {
            if !files.contains(&s.at.path.as_str()) {
                files.push(&s.at.path);
            }
        }
        for file in files {
            let Some(src) = sources.get(file) else {
                // Nothing to quote (a file that could not be read): the
                // place alone.
                if file == self.path {
                    elements.push(
                        Origin::path(file.to_string())
                            .line(self.line)
                            .char_column(self.column)
                            .into(),
                    );
                }
                for s in self.secondary.iter().filter(|s| s.at.path == file) {
                    elements.push(
                        Level::NOTE
                            .no_name()
                            .message(format!(
                                "{}:{}:{}: {}",
                                s.at.path,
                                s.at.line,
                                s.at.column,
                                s.label.get(lang)
                            ))
                            .into(),
                    );
                }
                continue;
            };
            let mut snippet = Snippet::source(src.as_str())
                .path(file.to_string())
                .fold(true);
            if file == self.path {
                snippet =
                    snippet.annotation(AnnotationKind::Primary.span(one_line(src, &self.span)));
            }
            for s in self.secondary.iter().filter(|s| s.at.path == file) {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(one_line(src, &s.at.span))
                        .label(s.label.get(lang).to_string()),
                );
            }
            elements.push(snippet.into());
        }
        let mut group: Group<'_> = title.elements(elements);
        if let Some(help) = &self.help {
            group = group.element(
                Level::HELP
                    .with_name(lang.pick("hulp", "help"))
                    .message(help.get(lang).to_string()),
            );
        }
        Renderer::plain().render(&[group])
    }

    /// The diagnostic as JSON (docs/CHECKLISTS.md, "Diagnostics as JSON").
    pub fn to_json(&self, lang: Lang) -> serde_json::Value {
        let loc = |l: &Location| {
            serde_json::json!({
                "file": l.path,
                "line": l.line,
                "column": l.column,
                "end_line": l.end_line,
                "end_column": l.end_column,
            })
        };
        let mut v = loc(&self.location());
        let o = v.as_object_mut().expect("an object");
        o.insert(
            "severity".into(),
            serde_json::to_value(self.severity).unwrap_or_default(),
        );
        o.insert("code".into(), self.code.into());
        o.insert("message".into(), self.message.get(lang).into());
        o.insert(
            "help".into(),
            self.help
                .as_ref()
                .map_or(serde_json::Value::Null, |h| h.get(lang).into()),
        );
        o.insert(
            "secondary".into(),
            self.secondary
                .iter()
                .map(|s| {
                    let mut v = loc(&s.at);
                    v.as_object_mut()
                        .expect("an object")
                        .insert("label".into(), s.label.get(lang).into());
                    v
                })
                .collect::<Vec<_>>()
                .into(),
        );
        v
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short(Lang::En))
    }
}

/// Turns byte offsets of a source text into 1-based line and column numbers.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(src: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// Line and column (both 1-based; the column counts characters) of `offset`.
    pub fn locate(&self, src: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(src.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let mut end = offset;
        while !src.is_char_boundary(end) {
            end -= 1;
        }
        let column = src[start..end].chars().count() + 1;
        (line + 1, column)
    }
}

/// Collects diagnostics for one file.
#[derive(Debug)]
pub struct Sink<'a> {
    pub path: &'a str,
    pub src: &'a str,
    /// Built on the first diagnostic: most files have none.
    index: Option<LineIndex>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    pub fn new(path: &'a str, src: &'a str) -> Sink<'a> {
        Sink {
            path,
            src,
            index: None,
            diagnostics: Vec::new(),
        }
    }

    /// The location of `span` in this file.
    pub fn locate(&mut self, span: Range<usize>) -> Location {
        let src = self.src;
        let index = self.index.get_or_insert_with(|| LineIndex::new(src));
        Location::with_index(self.path, src, index, span)
    }

    /// Report an error at `span` (a value the format does not allow).
    pub fn error(&mut self, span: &Range<usize>, message: impl Into<Msg>) {
        self.report(codes::INVALID_VALUE, span, message, None::<Msg>);
    }

    /// Report an error with a `help:` line.
    pub fn error_help(
        &mut self,
        span: &Range<usize>,
        message: impl Into<Msg>,
        help: impl Into<Msg>,
    ) {
        self.report(codes::INVALID_VALUE, span, message, Some(help));
    }

    /// Report an error with its code, and a `help:` line if given.
    pub fn report(
        &mut self,
        code: &'static str,
        span: &Range<usize>,
        message: impl Into<Msg>,
        help: Option<impl Into<Msg>>,
    ) -> &mut Diagnostic {
        let at = self.locate(span.clone());
        let mut d = Diagnostic::at(at, code, message);
        d.help = help.map(Into::into);
        self.diagnostics.push(d);
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// Report an error at a byte offset (a zero-width span).
    pub fn push(&mut self, offset: usize, message: impl Into<Msg>, help: Option<impl Into<Msg>>) {
        self.report(codes::INVALID_VALUE, &(offset..offset), message, help);
    }
}

/// The nearest of `candidates` to `name`, when it is close enough to be a
/// plausible misspelling: fewest edits first (transpositions count as one),
/// then the most similar.
pub fn nearest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let mut best: Option<(&str, usize, f64)> = None;
    for c in candidates {
        let edits = strsim::damerau_levenshtein(name, c);
        let similar = strsim::jaro_winkler(name, c);
        let better = match best {
            None => true,
            Some((_, e, s)) => edits < e || (edits == e && similar > s),
        };
        if better {
            best = Some((c, edits, similar));
        }
    }
    let (c, edits, similar) = best?;
    let short = name.chars().count().min(c.chars().count());
    // Short names need a closer match before a suggestion is more help than noise.
    let allowed = (short / 3).max(1);
    (edits <= allowed || (short > 3 && similar >= 0.85)).then_some(c)
}

/// "did you mean `x`?" for the nearest candidate, if any.
pub fn did_you_mean<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<Msg> {
    nearest(name, candidates)
        .map(|c| Msg::new(format!("bedoelt u `{c}`?"), format!("did you mean `{c}`?")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_lines_and_characters() {
        let src = "ab\nçd\n\nx";
        let idx = LineIndex::new(src);
        assert_eq!(idx.locate(src, 0), (1, 1));
        assert_eq!(idx.locate(src, 1), (1, 2));
        assert_eq!(idx.locate(src, 3), (2, 1));
        // 'ç' is two bytes; 'd' is the second character of line 2.
        assert_eq!(idx.locate(src, 5), (2, 2));
        assert_eq!(idx.locate(src, 7), (3, 1));
        assert_eq!(idx.locate(src, 8), (4, 1));
        assert_eq!(idx.locate(src, 99), (4, 2));
    }

    #[test]
    fn nearest_suggests_close_names_only() {
        let names = ["kind_veilig", "kind_aanwezig", "acuut_gevaar"];
        assert_eq!(nearest("kind_veilg", names), Some("kind_veilig"));
        assert_eq!(nearest("acuut_gevar", names), Some("acuut_gevaar"));
        assert_eq!(nearest("zzz", names), None);
    }

    fn sample() -> (Diagnostic, HashMap<String, String>) {
        let src = "id = \"proef\"\nkind = \"ja_nee\"\n";
        let d = Diagnostic::at(
            Location::of("a.toml", src, 20..28),
            codes::INVALID_VALUE,
            Msg::new("onbekend soort `ja_nee`", "unknown kind `ja_nee`"),
        )
        .with_help(Msg::new("bedoelt u `yes_no`?", "did you mean `yes_no`?"));
        (d, HashMap::from([("a.toml".to_string(), src.to_string())]))
    }

    #[test]
    fn short_form_is_compiler_style_in_one_language() {
        let (d, _) = sample();
        assert_eq!(
            d.short(Lang::En),
            "a.toml:2:8: error[SV0204]: unknown kind `ja_nee`\n  help: did you mean `yes_no`?"
        );
        assert_eq!(
            d.short(Lang::Nl),
            "a.toml:2:8: fout[SV0204]: onbekend soort `ja_nee`\n  hulp: bedoelt u `yes_no`?"
        );
        assert_eq!((d.end_line, d.end_column), (2, 16));
    }

    #[test]
    fn render_quotes_the_line_with_carets() {
        let (d, sources) = sample();
        let out = d.render(Lang::En, &sources);
        assert!(
            out.contains("error[SV0204]: unknown kind `ja_nee`"),
            "{out}"
        );
        assert!(out.contains("a.toml:2:8"), "{out}");
        assert!(out.contains("kind = \"ja_nee\""), "{out}");
        assert!(out.contains("^^^^^^^^"), "{out}");
        assert!(out.contains("did you mean `yes_no`?"), "{out}");
        let nl = d.render(Lang::Nl, &sources);
        assert!(nl.contains("fout[SV0204]: onbekend soort"), "{nl}");
        assert!(!nl.contains("unknown"), "{nl}");
    }

    #[test]
    fn untranslated_messages_fall_back_to_english() {
        let m = Msg::from("only English");
        assert_eq!(m.get(Lang::Nl), "only English");
        assert_eq!(Msg::new("ja", "yes").get(Lang::Nl), "ja");
    }
}
