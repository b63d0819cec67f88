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
        Some("open") => measure("listed {n} visits", support::open_and_list),
        Some("home") => measure("home screen with {n} visits drawn", support::start_to_home),
        _ => {
            eprintln!("usage: vault_memory build | open | home");
            std::process::exit(2);
        }
    }
}

/// Time `run` on the vault (or `VAULT_DIR`) and report the peak resident set.
fn measure(what: &str, run: fn(&std::path::Path) -> usize) {
    let dir = std::env::var_os("VAULT_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(support::big_vault_dir);
    let start = std::time::Instant::now();
    let n = run(&dir);
    let took = start.elapsed();
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_string)
        })
        .unwrap_or_default();
    println!("{} in {took:?}; {hwm}", what.replace("{n}", &n.to_string()));
}
