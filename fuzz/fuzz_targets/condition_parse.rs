//! The condition language: arbitrary text parsed, and compiled as the
//! `show_if` of an item in a small checklist (names, types, every error).
#![no_main]

use libfuzzer_sys::fuzz_target;
use safevisit::checklist::condition::parse::parse;
use safevisit::checklist::load::read_file;
use safevisit::checklist::model::Origin;
use safevisit::checklist::resolve::resolve;

const HEAD: &str = r#"id = "proef"
version = 1
applies_to = "visit"
title = { nl = "Proef", en = "Trial" }
description = { nl = "Proef.", en = "Trial." }
notice = { nl = "Geen besluit.", en = "Not a decision." }

[[sections]]
id = "plan"
title = { nl = "Plan", en = "Plan" }
repeat = true
entry_label = { nl = "Afspraak", en = "Agreement" }

[[sections.items]]
id = "wie"
kind = "single_choice"
text = { nl = "Wie?", en = "Who?" }
options = [{ id = "moeder", nl = "Moeder", en = "Mother" }, { id = "vader", nl = "Vader", en = "Father" }]

[[sections]]
id = "nu"
title = { nl = "Nu", en = "Now" }

[[sections.items]]
id = "kinderen_veilig"
kind = "yes_no_unknown"
text = { nl = "Veilig?", en = "Safe?" }
points = { nee = 2 }

[[sections.items]]
id = "aantal"
kind = "number"
text = { nl = "Hoeveel?", en = "How many?" }

[[sections.items]]
id = "laatste_hulp"
kind = "date"
text = { nl = "Wanneer?", en = "When?" }

[[sections.items]]
id = "getoetst"
kind = "short_text"
text = { nl = "Wat?", en = "What?" }
"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse(text);
    // As a TOML string, whatever it holds.
    let quoted = toml::Value::String(text.to_string()).to_string();
    let src = format!("{HEAD}show_if = {quoted}\n");
    let (checklist, _) = read_file("proef.toml", src.as_bytes(), Origin::File("proef.toml".into()));
    if let Some(c) = checklist {
        let _ = resolve(vec![c]);
    }
});
