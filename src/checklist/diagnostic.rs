//! Located, compiler-style messages about a checklist file.
//!
//! A diagnostic names the file, the line and column of the offending value,
//! what is wrong, and where it helps, what to do (`help:`).

use std::fmt;
use std::ops::Range;

/// One problem found in a checklist file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user named it (or `bundled:<name>` for embedded files).
    pub path: String,
    /// 1-based line of the offending value.
    pub line: usize,
    /// 1-based column (in characters) of the offending value.
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}",
            self.path, self.line, self.column, self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
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

    /// Report an error at the start of `span`.
    pub fn error(&mut self, span: &Range<usize>, message: impl Into<String>) {
        self.push(span.start, message.into(), None);
    }

    /// Report an error with a `help:` line.
    pub fn error_help(
        &mut self,
        span: &Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(span.start, message.into(), Some(help.into()));
    }

    pub fn push(&mut self, offset: usize, message: String, help: Option<String>) {
        let src = self.src;
        let (line, column) = self
            .index
            .get_or_insert_with(|| LineIndex::new(src))
            .locate(src, offset);
        self.diagnostics.push(Diagnostic {
            path: self.path.to_string(),
            line,
            column,
            message,
            help,
        });
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
pub fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    nearest(name, candidates).map(|c| format!("did you mean `{c}`?"))
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

    #[test]
    fn display_is_compiler_style() {
        let d = Diagnostic {
            path: "a.toml".into(),
            line: 3,
            column: 7,
            message: "unknown item `x`".into(),
            help: Some("did you mean `y`?".into()),
        };
        assert_eq!(
            d.to_string(),
            "a.toml:3:7: error: unknown item `x`\n  help: did you mean `y`?"
        );
    }
}
