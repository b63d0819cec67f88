//! The checklist reader: arbitrary bytes as a checklist file, read and
//! validated (TOML, the format, conditions, resolution with the bundled
//! checklists), and every diagnostic rendered and written as JSON.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use safevisit::checklist::catalog::validate;
use safevisit::checklist::model::Origin;
use safevisit::checklist::SourceFile;
use safevisit::i18n::Lang;

fuzz_target!(|data: &[u8]| {
    let diagnostics = validate(vec![SourceFile {
        path: "fuzz.toml".into(),
        bytes: data.to_vec(),
        origin: Origin::File("fuzz.toml".into()),
    }]);
    let sources = HashMap::from([(
        "fuzz.toml".to_string(),
        String::from_utf8_lossy(data).into_owned(),
    )]);
    for d in diagnostics.iter().take(8) {
        let _ = d.render(Lang::Nl, &sources);
        let _ = d.to_json(Lang::En);
    }
});
