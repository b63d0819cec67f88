//! A whole bundle as the import opens it: the input is the plaintext (a
//! tar archive), encrypted here to the fixed test organisation key of
//! tests/fixtures, then opened with `bundle::open`, its record files read
//! and each decrypted (age) and decoded as the import does. The seeds are
//! real archives whose records are encrypted to that key, so mutations
//! reach the record layer too.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use safevisit::export::bundle;
use safevisit::store::envelope::{self, MAX_RECORD_BYTES, RECORD};
use safevisit::supervisor::import::visit_row;

fn key() -> &'static age::x25519::Identity {
    static KEY: OnceLock<age::x25519::Identity> = OnceLock::new();
    KEY.get_or_init(|| {
        include_str!("../../tests/fixtures/test-org-key.txt")
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
            .and_then(|l| l.parse().ok())
            .expect("the test key")
    })
}

fuzz_target!(|data: &[u8]| {
    let key = key();
    let recipient = key.to_public();
    let Ok(bytes) = envelope::encrypt(data, &[&recipient]) else {
        return;
    };
    let ids: [&dyn age::Identity; 1] = [key];
    let Ok(mut opened) = bundle::open(&bytes[..], &ids) else {
        return;
    };
    while let Ok(Some(file)) = opened.next_file() {
        let Ok(plain) = envelope::decrypt(&file.data, &ids, MAX_RECORD_BYTES) else {
            continue;
        };
        if let Ok(rec) = envelope::decode_record(&plain) {
            let version = envelope::split(RECORD, &plain).map_or(0, |(v, _)| v);
            let _ = visit_row(rec, "00".repeat(32), version);
        }
    }
});
