//! A record's plaintext: arbitrary bytes decoded as a visit record, both
//! as they are and behind a valid header of each known format version,
//! then everything the import derives from a record that decodes (the
//! visit JSON, the findings, the ledger rows, the case card); and the same
//! bytes as a case card behind its header (the laptop's `cases/`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use safevisit::store::envelope::{self, CASE, RECORD};
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
        let mut card = CASE.magic.to_vec();
        card.extend_from_slice(&u16::from(pick % 2 + 1).to_le_bytes());
        card.extend_from_slice(rest);
        if let Ok(c) = safevisit::store::vault::decode_card(&card) {
            let _ = c.follow_up();
            if let Some(today) = safevisit::visit::record::parse_date("2026-12-05") {
                let _ = c.due(today, 180);
                let _ = c.roster_on(today);
            }
        }
    }
});

fn decode(plain: &[u8]) {
    if let Ok(rec) = envelope::decode_record(plain) {
        let version = envelope::split(RECORD, plain).map_or(0, |(v, _)| v);
        let card = safevisit::case::CaseCard::from_record(&rec, None);
        let _ = safevisit::case::CaseCard::from_record(&rec, Some(&card));
        let _ = visit_row(rec, "00".repeat(32), version);
    }
}
