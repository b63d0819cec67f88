//! Signature files: arbitrary `.minisig` text checked over arbitrary data
//! against a fixed signing key (the one the seeds were signed with). The
//! input is a 2-byte little-endian length, that many bytes of signature
//! text, then the data.
#![no_main]

use libfuzzer_sys::fuzz_target;
use safevisit::signing::VerifyingKey;

/// The public half of the key the seeds in fuzz/corpus/signature and
/// fuzz/corpus/receipt were signed with (a fictional test office).
const SEED_KEY: &str = "RWTu+atud72byrw1Mjwyk5WKo/m1Db4/R4YX4SPqqZuwShjWMWKPU7aA";

fuzz_target!(|data: &[u8]| {
    let Ok(key) = VerifyingKey::from_base64(SEED_KEY) else {
        panic!("the seed key parses");
    };
    let Some((len, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let at = usize::from(u16::from_le_bytes(*len)).min(rest.len());
    let (sig, signed) = rest.split_at(at);
    let _ = key.verify(signed, &String::from_utf8_lossy(sig));
    let _ = VerifyingKey::from_base64(&String::from_utf8_lossy(sig));
});
