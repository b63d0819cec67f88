//! A record's plaintext: arbitrary bytes decoded as a visit record, both
//! as they are and behind a valid header of each known format version,
//! then everything the import derives from a record that decodes (the
//! visit JSON, the findings, the ledger rows).
#![no_main]

use libfuzzer_sys::fuzz_target;
use safevisit::store::envelope::{self, RECORD};
use safevisit::supervisor::import::visit_row;

fuzz_target!(|data: &[u8]| {
    decode(data);
    if let Some((&pick, rest)) = data.split_first() {
        // Versions 1 to the current one, and one beyond it.
        let version = u16::from(pick) % (RECORD.version + 1) + 1;
        let mut plain = RECORD.magic.to_vec();
        plain.extend_from_slice(&version.to_le_bytes());
        plain.extend_from_slice(rest);
        decode(&plain);
    }
});

fn decode(plain: &[u8]) {
    if let Ok(rec) = envelope::decode_record(plain) {
        let version = envelope::split(RECORD, plain).map_or(0, |(v, _)| v);
        let _ = visit_row(rec, "00".repeat(32), version);
    }
}
