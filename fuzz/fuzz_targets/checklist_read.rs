//! The checklist reader: arbitrary bytes as a checklist file, read (TOML,
//! the format, conditions) and resolved on its own (the bundled checklists
//! would make each run a hundred times slower), and every diagnostic
//! rendered and written as JSON.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use safevisit::checklist::load::read_file;
use safevisit::checklist::model::Origin;
use safevisit::checklist::resolve::resolve;
use safevisit::i18n::Lang;

fuzz_target!(|data: &[u8]| {
    let (checklist, mut diagnostics) = read_file("fuzz.toml", data, Origin::File("fuzz.toml".into()));
    if let Some(c) = checklist {
        diagnostics.extend(resolve(vec![c]).1);
    }
    let sources = HashMap::from([(
        "fuzz.toml".to_string(),
        String::from_utf8_lossy(data).into_owned(),
    )]);
    for d in diagnostics.iter().take(8) {
        let _ = d.render(Lang::Nl, &sources);
        let _ = d.to_json(Lang::En);
    }
});
