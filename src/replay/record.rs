//! `safevisit --record FILE`: the live session written as a replay script.
//! Runs typed into a text field become `type` lines, other keys `key`
//! lines (`key Down*5` for a run of one key), idle gaps `wait` lines. A
//! passphrase is never written: what is typed into a passphrase field
//! becomes `CHANGE-ME`, and the script starts with a placeholder
//! `passphrase "CHANGE-ME"`.

use std::io::Write;

use time::PrimitiveDateTime;
use zeroize::Zeroize;

use crate::replay::script::MAX_REPEAT;
use crate::store::recipients::holds_secret_key;
use crate::tui::event::{Event, Key};

/// What a recorded script starts with.
pub fn header(
    width: u16,
    height: u16,
    lang: &str,
    now: PrimitiveDateTime,
    vault_exists: bool,
) -> String {
    let mut s = String::from(
        "# Recorded by `safevisit --record`.\n\
         # WARNING: this file holds everything that was typed (except passphrases).\n\
         # Record fictional test data only, never a real visit.\n",
    );
    s.push_str(&format!("size {width}x{height}\nlang {lang}\n"));
    s.push_str(&format!(
        "now {}\n",
        crate::visit::record::format_stamp(now)
            .get(..16)
            .unwrap_or_default()
    ));
    if vault_exists {
        s.push_str("# The passphrase is not recorded: put the test vault's passphrase here and in the typed line below.\n");
        s.push_str("passphrase \"CHANGE-ME\"\n");
    }
    s
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            // Control characters cannot be typed in a script line.
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Turns events into script lines: a run of characters typed into a text
/// field becomes one `type` step, a run of the same key one `key X*N` step.
pub struct ScriptWriter<W: Write> {
    out: W,
    typed: String,
    secret: bool,
    /// A key pressed `count` times in a row, not yet written.
    repeated: Option<(Key, usize)>,
    last: Option<PrimitiveDateTime>,
}

impl<W: Write> ScriptWriter<W> {
    pub fn new(out: W) -> ScriptWriter<W> {
        ScriptWriter {
            out,
            typed: String::new(),
            secret: false,
            repeated: None,
            last: None,
        }
    }

    fn flush_keys(&mut self) -> std::io::Result<()> {
        match self.repeated.take() {
            // A key name that would read back as something else (`#` starts
            // a comment, `*` a repeat): typed, which sends the same key.
            Some((Key::Char(c), n))
                if Key::parse(&Key::Char(c).name()) != Some(Key::Char(c))
                    || c == '#'
                    || c == '*' =>
            {
                writeln!(self.out, "type {}", quote(&c.to_string().repeat(n)))
            }
            Some((k, 1)) => writeln!(self.out, "key {}", k.name()),
            Some((k, n)) => writeln!(self.out, "key {}*{n}", k.name()),
            None => Ok(()),
        }
    }

    fn flush_typed(&mut self) -> std::io::Result<()> {
        if self.secret {
            writeln!(self.out, "type \"CHANGE-ME\"")?;
            self.secret = false;
        }
        if !self.typed.is_empty() {
            if holds_secret_key(&self.typed) {
                self.typed.zeroize();
                self.typed.clear();
                writeln!(self.out, "# a secret key was typed here and left out")?;
            } else {
                let line = format!("type {}", quote(&self.typed));
                self.typed.clear();
                writeln!(self.out, "{line}")?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.flush_keys()?;
        self.flush_typed()
    }

    fn key(&mut self, k: Key) -> std::io::Result<()> {
        self.flush_typed()?;
        match &mut self.repeated {
            Some((last, n)) if *last == k && *n < MAX_REPEAT => *n += 1,
            _ => {
                self.flush_keys()?;
                self.repeated = Some((k, 1));
            }
        }
        Ok(())
    }

    /// Record one event; `secret` says whether it goes into a passphrase
    /// field, `text` whether a typed character goes into a text field (else
    /// the character is a command, such as `n` on the home screen, and is
    /// written as a key).
    pub fn event(
        &mut self,
        at: PrimitiveDateTime,
        event: &Event,
        secret: bool,
        text: bool,
    ) -> std::io::Result<()> {
        if let Some(last) = self.last {
            let gap = (at - last).whole_seconds();
            if gap >= 1 {
                self.flush()?;
                writeln!(self.out, "wait {gap}s")?;
            }
        }
        self.last = Some(at);
        match event {
            Event::Key(Key::Char(_)) if secret => {
                self.flush_keys()?;
                if !self.typed.is_empty() {
                    self.flush_typed()?;
                }
                self.secret = true;
            }
            Event::Key(Key::Char(c)) if text => {
                self.flush_keys()?;
                if self.secret {
                    self.flush_typed()?;
                }
                self.typed.push(*c);
            }
            Event::Key(Key::Backspace) if secret => {}
            Event::Key(k) => self.key(*k)?,
            Event::Paste(_) if secret => {
                self.flush()?;
                self.secret = true;
            }
            Event::Paste(text) if holds_secret_key(text) => {
                self.flush()?;
                writeln!(self.out, "# a secret key was pasted here and left out")?;
            }
            Event::Paste(text) => {
                self.flush()?;
                writeln!(self.out, "paste {}", quote(text))?;
            }
            Event::Resize(w, h) => {
                self.flush()?;
                writeln!(self.out, "size {w}x{h}")?;
            }
            Event::Tick(_) | Event::Reply(_) | Event::Terminate => {}
        }
        self.out.flush()
    }

    /// Write what is pending; call at the end of the session.
    pub fn finish(&mut self) -> std::io::Result<()> {
        self.flush()?;
        self.out.flush()
    }

    /// The writer's output (for tests and in-memory recordings).
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> crate::tui::shell::Recorder for ScriptWriter<W> {
    fn event(&mut self, at: PrimitiveDateTime, event: &Event, secret: bool, text: bool) {
        // A recording that cannot be written must not stop the visit.
        let _ = ScriptWriter::event(self, at, event, secret, text);
    }

    fn finish(&mut self) {
        let _ = ScriptWriter::finish(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::datetime;

    #[test]
    fn typed_runs_keys_waits_and_no_passphrase() {
        let mut w = ScriptWriter::new(Vec::new());
        let t0 = datetime!(2026-03-04 10:00);
        let ev = |k| Event::Key(k);
        for c in "geheim wachtwoord".chars() {
            w.event(t0, &ev(Key::Char(c)), true, true).unwrap();
        }
        w.event(t0, &ev(Key::Enter), true, true).unwrap();
        for c in "Sem zei \"nee\"".chars() {
            w.event(t0, &ev(Key::Char(c)), false, true).unwrap();
        }
        w.event(t0 + Duration::seconds(3), &ev(Key::Tab), false, true)
            .unwrap();
        w.event(
            t0 + Duration::seconds(3),
            &Event::Paste("a\\b".into()),
            false,
            true,
        )
        .unwrap();
        w.finish().unwrap();
        let text = String::from_utf8(w.into_inner()).unwrap();
        assert_eq!(
            text,
            "type \"CHANGE-ME\"\nkey Enter\ntype \"Sem zei \\\"nee\\\"\"\nwait 3s\nkey Tab\npaste \"a\\\\b\"\n"
        );
        assert!(!text.contains("geheim"));
    }

    #[test]
    fn the_written_script_parses() {
        let mut w = ScriptWriter::new(Vec::new());
        let t0 = datetime!(2026-03-04 10:00);
        w.event(t0, &Event::Key(Key::Char('x')), false, true)
            .unwrap();
        w.event(t0, &Event::Key(Key::F(12)), false, false).unwrap();
        w.event(t0, &Event::Key(Key::F(12)), false, false).unwrap();
        w.event(t0, &Event::Key(Key::Down), false, false).unwrap();
        w.event(t0, &Event::Resize(100, 30), false, false).unwrap();
        w.finish().unwrap();
        let script = header(80, 24, "nl", t0, true) + &String::from_utf8(w.into_inner()).unwrap();
        struct NoFiles;
        impl crate::replay::script::Loader for NoFiles {
            fn load(&mut self, _: &std::path::Path) -> Result<String, String> {
                Err("no".into())
            }
        }
        let steps =
            crate::replay::script::parse(std::path::Path::new("r.replay"), &script, &mut NoFiles)
                .unwrap();
        // size, lang, now, passphrase; type "x", key F12*2, key Down, size.
        assert_eq!(steps.len(), 8);
        assert_eq!(
            steps[5].kind,
            crate::replay::script::StepKind::Keys(vec![Key::F(12), Key::F(12)])
        );
    }

    #[test]
    fn runs_of_text_and_keys_are_merged_and_command_letters_stay_keys() {
        let mut w = ScriptWriter::new(Vec::new());
        let t0 = datetime!(2026-03-04 10:00);
        let ev = |k| Event::Key(k);
        // `n` on the home screen is a command, not text.
        w.event(t0, &ev(Key::Char('n')), false, false).unwrap();
        for c in "Kastanje".chars() {
            w.event(t0, &ev(Key::Char(c)), false, true).unwrap();
        }
        for _ in 0..5 {
            w.event(t0, &ev(Key::Down), false, true).unwrap();
        }
        w.event(t0, &ev(Key::Char('j')), false, false).unwrap();
        w.event(t0, &ev(Key::Char('j')), false, false).unwrap();
        w.event(t0, &ev(Key::Tab), false, false).unwrap();
        w.event(t0, &ev(Key::Char('1')), false, false).unwrap();
        w.event(t0, &ev(Key::Char('0')), false, false).unwrap();
        w.event(t0, &ev(Key::Char(' ')), false, false).unwrap();
        w.event(t0, &ev(Key::Down), false, false).unwrap();
        w.finish().unwrap();
        let text = String::from_utf8(w.into_inner()).unwrap();
        assert_eq!(
            text,
            "key n\ntype \"Kastanje\"\nkey Down*5\nkey j*2\nkey Tab\nkey 1\nkey 0\nkey Space\nkey Down\n"
        );
    }
}
