//! Peak memory of opening a vault of 10,000 visits and listing it.
//!
//! ```text
//! cargo run --release --example vault_memory -- build     # once: builds the vault under target/
//! /usr/bin/time -v target/release/examples/vault_memory open
//! /usr/bin/time -v target/release/examples/vault_memory home   # the app's start to its home screen
//! ```
//!
//! `open` also prints the peak resident set size (VmHWM) it saw itself.
//! `VAULT_DIR=DIR` opens another vault made the same way (for example a copy
//! without `index.age`, to time a rebuild).

#[path = "../benches/support/mod.rs"]
mod support;

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("build") => {
            let dir = support::big_vault();
            println!("vault of 10,000 visits at {}", dir.display());
        }
        Some("open") => {
            let dir = std::env::var_os("VAULT_DIR")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(support::big_vault_dir);
            let start = std::time::Instant::now();
            let n = support::open_and_list(&dir);
            let took = start.elapsed();
            let hwm = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmHWM"))
                        .map(str::to_string)
                })
                .unwrap_or_default();
            println!("listed {n} visits in {took:?}; {hwm}");
        }
        Some("home") => {
            let dir = std::env::var_os("VAULT_DIR")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(support::big_vault_dir);
            let start = std::time::Instant::now();
            let n = support::start_to_home(&dir);
            let took = start.elapsed();
            let hwm = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmHWM"))
                        .map(str::to_string)
                })
                .unwrap_or_default();
            println!("home screen with {n} visits drawn in {took:?}; {hwm}");
        }
        _ => {
            eprintln!("usage: vault_memory build | open | home");
            std::process::exit(2);
        }
    }
}
