//! How long unlocking takes at each scrypt work factor on this machine:
//! the measurement behind the default in docs/SECURITY.md.
//!
//! ```text
//! cargo run --release --example scrypt_timing
//! ```

use std::time::Instant;

use age::secrecy::SecretString;

fn main() {
    let pass = SecretString::from("paars kanaal vijftien ballon".to_string());
    for log_n in 14..=20u8 {
        let mut r = age::scrypt::Recipient::new(pass.clone());
        r.set_work_factor(log_n);
        let ct = age::encrypt(&r, b"AGE-SECRET-KEY-1...").expect("encrypt");
        let mut id = age::scrypt::Identity::new(pass.clone());
        id.set_max_work_factor(22);
        let runs = if log_n >= 19 { 2 } else { 4 };
        let start = Instant::now();
        for _ in 0..runs {
            age::decrypt(&id, &ct).expect("decrypt");
        }
        let each = start.elapsed() / runs;
        println!(
            "log_n {log_n:2}: {:7.1} ms per unlock (memory {} MiB)",
            each.as_secs_f64() * 1000.0,
            ((128u64 << log_n) * 8) >> 20
        );
    }
}
