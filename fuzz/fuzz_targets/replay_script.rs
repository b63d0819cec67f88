//! The replay script parser: arbitrary text as a script; an `include`
//! reads the same text again (so cycles and depth are exercised), other
//! paths are missing.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use safevisit::replay::script::{Loader, parse};

struct Same(String);

impl Loader for Same {
    fn load(&mut self, path: &Path) -> Result<String, String> {
        if path.ends_with("zelf.replay") {
            Ok(self.0.clone())
        } else {
            Err("not found".into())
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut loader = Same(text.to_string());
    let _ = parse(Path::new("zelf.replay"), text, &mut loader);
});
