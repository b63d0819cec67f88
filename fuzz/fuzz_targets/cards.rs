//! Device and organisation cards: arbitrary text parsed as either card
//! (format, fields, recipients, signing key, fingerprint).
#![no_main]

use libfuzzer_sys::fuzz_target;
use safevisit::cards::{DeviceCard, OrgCard};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(card) = DeviceCard::parse(&text) {
        let _ = card.fingerprint();
    }
    if let Ok(card) = OrgCard::parse(&text) {
        let _ = card.fingerprint();
        let _ = card.all_recipients();
    }
});
