//! Receipts as a laptop reads them, after decryption: arbitrary bytes as
//! the receipt archive (`receipt::open_plain`: receipt.json, its
//! signature checked against a fixed organisation key, the receipt
//! checked) and as receipt.json alone (`Receipt::parse`); the same bytes as
//! a handover's handover.json (`Handover::parse`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use safevisit::receipt::{self, Receipt};
use safevisit::signing::VerifyingKey;

/// The organisation key the seeds in fuzz/corpus/receipt were signed with
/// (a fictional test office).
const SEED_KEY: &str = "RWTu+atud72byrw1Mjwyk5WKo/m1Db4/R4YX4SPqqZuwShjWMWKPU7aA";

fuzz_target!(|data: &[u8]| {
    let Ok(org) = VerifyingKey::from_base64(SEED_KEY) else {
        panic!("the seed key parses");
    };
    let _ = receipt::open_plain(data, &org);
    let _ = Receipt::parse(data);
    let _ = safevisit::handover::Handover::parse(data);
});
