//! The replay script format (docs/REPLAY.md): one step a line, `#`
//! comments, blank lines ignored. Every mistake is reported as
//! `SCRIPT:LINE:COLUMN: error: …` before anything runs.
//!
//! Parsing is pure; `include` reads other scripts through a loader passed in.

use std::fmt;
use std::path::{Path, PathBuf};

use time::{Duration, PrimitiveDateTime};

use crate::i18n::Lang;
use crate::tui::event::Key;

/// Largest repeat count of a key (`key Down*1000`).
pub const MAX_REPEAT: usize = 1000;
/// Deepest chain of includes.
const MAX_INCLUDE_DEPTH: usize = 16;

#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    Size(u16, u16),
    Lang(Lang),
    Now(PrimitiveDateTime),
    Passphrase(String),
    Keys(Vec<Key>),
    Type(String),
    Paste(String),
    /// Types the recipient (`age1…`) of the run's test organisation key.
    TypeOrgKey,
    Wait(Duration),
    Expect(String),
    ExpectNot(String),
    Snapshot(String),
}

/// A step and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub kind: StepKind,
    pub file: String,
    pub line: usize,
}

/// A mistake in a script, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// The step words, for suggestions.
pub const STEPS: &[&str] = &[
    "size",
    "lang",
    "now",
    "passphrase",
    "key",
    "type",
    "paste",
    "type-org-key",
    "wait",
    "expect",
    "expect-not",
    "snapshot",
    "include",
];

/// The default start of the injected clock.
pub fn default_now() -> PrimitiveDateTime {
    time::macros::datetime!(2026-03-04 10:00)
}

/// Reads included scripts.
pub trait Loader {
    fn load(&mut self, path: &Path) -> Result<String, String>;
}

/// Reads included scripts from the file system.
pub struct FileLoader;

impl Loader for FileLoader {
    fn load(&mut self, path: &Path) -> Result<String, String> {
        read_script(path)
    }
}

/// The largest replay script (or stored snapshot) read: far above any
/// real script, far below what would strain memory.
pub const SCRIPT_CAP: u64 = 4 * 1024 * 1024;

/// Read a script or snapshot file as text: a regular file of at most
/// [`SCRIPT_CAP`] bytes (a FIFO or a device is refused without blocking,
/// a larger file without reading it), in UTF-8.
pub fn read_script(path: &Path) -> Result<String, String> {
    use crate::input::ReadError;
    let shown = path.display();
    match crate::input::read_capped(path, SCRIPT_CAP) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| format!("cannot read {shown}: it is not UTF-8 text")),
        Err(ReadError::Io(e)) => Err(format!("cannot read {shown}: {e}")),
        Err(ReadError::NotRegular(kind)) => Err(format!(
            "cannot read {shown}: it is {}, not a file",
            kind.name(crate::i18n::Lang::En)
        )),
        Err(ReadError::TooLarge(size)) => Err(format!(
            "cannot read {shown}: it has {size} bytes, more than the {SCRIPT_CAP} a script may have"
        )),
    }
}

/// A word of a script quoted in an error: at most 60 characters.
fn quoted(word: &str) -> String {
    match word.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &word[..at]),
        None => word.to_string(),
    }
}

/// A line being read: the text and the byte position reached.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn skip_space(&mut self) {
        while let Some(c) = self.text[self.pos..].chars().next() {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_space();
        self.pos >= self.text.len() || self.text[self.pos..].starts_with('#')
    }

    fn column(&self) -> usize {
        self.text[..self.pos].chars().count() + 1
    }

    /// A run of non-space characters.
    fn word(&mut self) -> (usize, &str) {
        self.skip_space();
        let col = self.column();
        let start = self.pos;
        while let Some(c) = self.text[self.pos..].chars().next() {
            if c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
        (col, &self.text[start..self.pos])
    }

    /// A quoted string with `\"` and `\\` escapes.
    fn quoted(&mut self) -> Result<String, (usize, String)> {
        self.skip_space();
        let col = self.column();
        if !self.text[self.pos..].starts_with('"') {
            return Err((
                col,
                "expected text in double quotes, for example \"Appelboom\"".into(),
            ));
        }
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.text[self.pos..].chars().next() else {
                return Err((col, "this text has no closing quote".into()));
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let esc_col = self.column() - 1;
                    match self.text[self.pos..].chars().next() {
                        Some(e @ ('"' | '\\')) => {
                            out.push(e);
                            self.pos += 1;
                        }
                        Some(other) => {
                            return Err((
                                esc_col,
                                format!("unknown escape `\\{other}`; write `\\\"` or `\\\\`"),
                            ));
                        }
                        None => return Err((col, "this text has no closing quote".into())),
                    }
                }
                c => out.push(c),
            }
        }
    }
}

fn parse_duration(s: &str) -> Option<Duration> {
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map(|i| s.split_at(i))?;
    let n: i64 = num.parse().ok()?;
    match unit {
        "ms" => Some(Duration::milliseconds(n)),
        "s" => Some(Duration::seconds(n)),
        "m" => Some(Duration::minutes(n)),
        "h" => Some(Duration::hours(n)),
        _ => None,
    }
}

fn parse_now(s: &str) -> Option<PrimitiveDateTime> {
    let long = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let short = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    PrimitiveDateTime::parse(s, long)
        .or_else(|_| PrimitiveDateTime::parse(s, short))
        .ok()
}

/// Parse a script and everything it includes.
pub fn parse(
    path: &Path,
    text: &str,
    loader: &mut dyn Loader,
) -> Result<Vec<Step>, Vec<ScriptError>> {
    let mut steps = Vec::new();
    let mut errors = Vec::new();
    parse_into(
        path,
        text,
        loader,
        &mut vec![path.to_path_buf()],
        &mut steps,
        &mut errors,
    );
    if errors.is_empty() {
        Ok(steps)
    } else {
        Err(errors)
    }
}

fn parse_into(
    path: &Path,
    text: &str,
    loader: &mut dyn Loader,
    chain: &mut Vec<PathBuf>,
    steps: &mut Vec<Step>,
    errors: &mut Vec<ScriptError>,
) {
    let file = path.display().to_string();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let mut err = |column: usize, message: String| {
            errors.push(ScriptError {
                file: file.clone(),
                line: line_no,
                column,
                message,
            })
        };
        let mut c = Cursor { text: line, pos: 0 };
        if c.at_end() {
            continue;
        }
        let (col, word) = c.word();
        let word = word.to_string();
        let kind = match word.as_str() {
            "size" => {
                let (col, arg) = c.word();
                let parsed = arg
                    .split_once('x')
                    .and_then(|(w, h)| Some((w.parse::<u16>().ok()?, h.parse::<u16>().ok()?)))
                    .filter(|(w, h)| (1..=1000).contains(w) && (1..=1000).contains(h));
                match parsed {
                    Some((w, h)) => StepKind::Size(w, h),
                    None => {
                        err(
                            col,
                            format!("`size` needs WIDTHxHEIGHT, for example 80x24, not `{arg}`"),
                        );
                        continue;
                    }
                }
            }
            "lang" => {
                let (col, arg) = c.word();
                match Lang::from_code(arg) {
                    Some(l) => StepKind::Lang(l),
                    None => {
                        err(col, format!("`lang` is `nl` or `en`, not `{arg}`"));
                        continue;
                    }
                }
            }
            "now" => {
                let (col, arg) = c.word();
                match parse_now(arg) {
                    Some(t) => StepKind::Now(t),
                    None => {
                        err(
                            col,
                            format!("`now` needs a time such as 2026-03-04T10:00, not `{arg}`"),
                        );
                        continue;
                    }
                }
            }
            "wait" => {
                let (col, arg) = c.word();
                match parse_duration(arg) {
                    Some(d) => StepKind::Wait(d),
                    None => {
                        err(
                            col,
                            format!(
                                "`wait` needs a duration such as 500ms, 30s, 5m or 1h, not `{arg}`"
                            ),
                        );
                        continue;
                    }
                }
            }
            "key" => {
                let mut keys = Vec::new();
                let mut bad = false;
                while !c.at_end() {
                    let (col, name) = c.word();
                    let (name, count) = match name.split_once('*') {
                        Some((k, n)) => match n.parse::<usize>() {
                            Ok(n) if (1..=MAX_REPEAT).contains(&n) => (k, n),
                            _ => {
                                err(
                                    col,
                                    format!(
                                        "`{name}`: the repeat count must be from 1 to {MAX_REPEAT}"
                                    ),
                                );
                                bad = true;
                                continue;
                            }
                        },
                        None => (name, 1),
                    };
                    match Key::parse(name) {
                        Some(k) => keys.extend(std::iter::repeat_n(k, count)),
                        None => {
                            err(
                                col,
                                format!("unknown key `{name}`; see docs/REPLAY.md for key names"),
                            );
                            bad = true;
                        }
                    }
                }
                if bad {
                    continue;
                }
                if keys.is_empty() {
                    err(c.column(), "`key` needs at least one key name".into());
                    continue;
                }
                StepKind::Keys(keys)
            }
            "type" | "paste" | "expect" | "expect-not" | "passphrase" | "include" => {
                let s = match c.quoted() {
                    Ok(s) => s,
                    Err((col, m)) => {
                        err(col, m);
                        continue;
                    }
                };
                match word.as_str() {
                    "type" => StepKind::Type(s),
                    "paste" => StepKind::Paste(s),
                    "expect" | "expect-not" if s.is_empty() => {
                        err(col, format!("`{word}` needs a non-empty text"));
                        continue;
                    }
                    "expect" => StepKind::Expect(s),
                    "expect-not" => StepKind::ExpectNot(s),
                    "passphrase" => StepKind::Passphrase(s),
                    _ => {
                        // include: relative to the including script.
                        let target = path.parent().unwrap_or(Path::new("")).join(&s);
                        if !c.at_end() {
                            let (col, extra) = c.word();
                            err(col, format!("unexpected `{extra}` after the step"));
                            continue;
                        }
                        if chain.contains(&target) {
                            err(
                                col,
                                format!("`{}` includes itself (through {})", s, chain.len()),
                            );
                            continue;
                        }
                        if chain.len() >= MAX_INCLUDE_DEPTH {
                            err(col, "includes are nested too deeply".into());
                            continue;
                        }
                        match loader.load(&target) {
                            Ok(t) => {
                                chain.push(target.clone());
                                parse_into(&target, &t, loader, chain, steps, errors);
                                chain.pop();
                            }
                            Err(m) => err(col, m),
                        }
                        continue;
                    }
                }
            }
            "snapshot" => {
                let (col, name) = c.word();
                let ok = !name.is_empty()
                    && name
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_');
                if !ok {
                    err(
                        col,
                        "`snapshot` needs a name of letters, digits, `-` and `_`".into(),
                    );
                    continue;
                }
                StepKind::Snapshot(name.to_string())
            }
            "type-org-key" => StepKind::TypeOrgKey,
            other => {
                let hint = crate::checklist::diagnostic::did_you_mean(other, STEPS.iter().copied())
                    .map_or_else(String::new, |h| format!("; {h}"));
                err(col, format!("unknown step `{}`{hint}", quoted(other)));
                continue;
            }
        };
        if !c.at_end() {
            let (col, extra) = c.word();
            err(col, format!("unexpected `{extra}` after the step"));
            continue;
        }
        steps.push(Step {
            kind,
            file: file.clone(),
            line: line_no,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Mem(HashMap<PathBuf, String>);

    impl Loader for Mem {
        fn load(&mut self, path: &Path) -> Result<String, String> {
            self.0
                .get(path)
                .cloned()
                .ok_or_else(|| format!("cannot read {}: not found", path.display()))
        }
    }

    fn parse_str(text: &str) -> Result<Vec<Step>, Vec<ScriptError>> {
        parse(Path::new("t.replay"), text, &mut Mem(HashMap::new()))
    }

    #[test]
    fn every_step_parses() {
        let steps = parse_str(
            "# a comment\n\nsize 100x30\nlang en\nnow 2026-03-04T10:00\npassphrase \"appel peer\"\n\
             key Enter Down*3 Ctrl-x F12   # trailing comment\ntype \"zei \\\"nee\\\" \\\\ klaar\"\n\
             wait 5m\nexpect \"Home\"\nexpect-not \"RODE\"\nsnapshot home-1\ntype-org-key\npaste \"x\"\n",
        )
        .unwrap();
        let kinds: Vec<StepKind> = steps.iter().map(|s| s.kind.clone()).collect();
        assert_eq!(kinds[0], StepKind::Size(100, 30));
        assert_eq!(kinds[1], StepKind::Lang(Lang::En));
        assert_eq!(kinds[3], StepKind::Passphrase("appel peer".into()));
        assert_eq!(
            kinds[4],
            StepKind::Keys(vec![
                Key::Enter,
                Key::Down,
                Key::Down,
                Key::Down,
                Key::Ctrl('x'),
                Key::F(12)
            ])
        );
        assert_eq!(kinds[5], StepKind::Type("zei \"nee\" \\ klaar".into()));
        assert_eq!(kinds[6], StepKind::Wait(Duration::minutes(5)));
        assert_eq!(kinds[9], StepKind::Snapshot("home-1".into()));
        assert_eq!(kinds[10], StepKind::TypeOrgKey);
        assert_eq!(steps[4].line, 7);
    }

    #[test]
    fn mistakes_are_located_and_all_reported() {
        let errs = parse_str(
            "kye Enter\nkey Entr\ntype \"open\nsize 80\nwait 5y\nkey Down*0\nexpect \"a\" b\n",
        )
        .unwrap_err();
        let shown: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown[0],
            "t.replay:1:1: error: unknown step `kye`; did you mean `key`?"
        );
        assert_eq!(
            shown[1],
            "t.replay:2:5: error: unknown key `Entr`; see docs/REPLAY.md for key names"
        );
        assert_eq!(
            shown[2],
            "t.replay:3:6: error: this text has no closing quote"
        );
        assert!(shown[3].starts_with("t.replay:4:6: error: `size` needs WIDTHxHEIGHT"));
        assert!(shown[4].starts_with("t.replay:5:6: error: `wait` needs a duration"));
        assert!(shown[5].starts_with("t.replay:6:5: error: `Down*0`: the repeat count"));
        assert_eq!(
            shown[6],
            "t.replay:7:12: error: unexpected `b` after the step"
        );
        assert_eq!(errs.len(), 7);
    }

    #[test]
    fn includes_are_relative_and_cycles_are_refused() {
        let mut files = HashMap::new();
        files.insert(
            PathBuf::from("dir/open.replay"),
            "passphrase \"a b c d\"\nkey Enter\n".to_string(),
        );
        files.insert(
            PathBuf::from("dir/loop.replay"),
            "include \"loop.replay\"\n".to_string(),
        );
        let mut mem = Mem(files);
        let steps = parse(
            Path::new("dir/main.replay"),
            "include \"open.replay\"\nexpect \"x\"\n",
            &mut mem,
        )
        .unwrap();
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].file, "dir/open.replay");
        assert_eq!(steps[2].file, "dir/main.replay");
        let errs = parse(
            Path::new("dir/loop.replay"),
            "include \"loop.replay\"\n",
            &mut mem,
        )
        .unwrap_err();
        assert!(errs[0].message.contains("includes itself"));
        let errs = parse(
            Path::new("dir/main.replay"),
            "include \"gone.replay\"\n",
            &mut mem,
        )
        .unwrap_err();
        assert!(errs[0].message.contains("cannot read"));
    }
}
