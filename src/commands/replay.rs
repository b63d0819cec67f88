//! `safevisit replay SCRIPT… [--data-dir DIR] [--snapshots DIR]
//! [--update-snapshots] [--json FILE]`

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use crate::cli::{Global, ReplayArgs, exit};
use crate::replay::run::{RunOptions, json_document, run_script};
use crate::replay::script::{FileLoader, Step, parse};
use crate::tui::event::Key;

/// `replay --list-keys`: every key name of `key` steps, by group.
fn key_list() -> String {
    let mut out = String::new();
    for (heading, names) in Key::known_names() {
        out.push_str(&format!("{heading}:\n"));
        let mut line = String::from(" ");
        for name in names {
            if line.len() + name.len() + 1 > 78 {
                out.push_str(&line);
                out.push('\n');
                line = String::from(" ");
            }
            line.push(' ');
            line.push_str(&name);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("A key is repeated with *N (`key Down*5`, N from 1 to 1000); several keys go on one line (`key Enter Tab`).\n");
    out
}

pub fn run(args: &ReplayArgs, global: &Global) -> ExitCode {
    if args.list_keys {
        print!("{}", key_list());
        return ExitCode::SUCCESS;
    }
    // Every script is checked before anything runs.
    let mut parsed: Vec<(PathBuf, Vec<Step>)> = Vec::new();
    let mut bad = false;
    for path in &args.scripts {
        let text = match crate::replay::script::read_script(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                bad = true;
                continue;
            }
        };
        match parse(path, &text, &mut FileLoader) {
            Ok(steps) => parsed.push((path.clone(), steps)),
            Err(errors) => {
                for e in errors {
                    eprintln!("{e}");
                }
                bad = true;
            }
        }
    }
    if bad {
        eprintln!("nothing was run: fix the scripts above (see docs/REPLAY.md)");
        return ExitCode::from(exit::USAGE);
    }
    let catalog = match super::load_catalog(global) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    for p in &catalog.problems {
        eprintln!("warning: checklist not loaded: {}", p.first());
    }
    let opts = RunOptions {
        catalog: Arc::new(catalog),
        data_dir: global.data_dir.clone(),
        snapshots: args.snapshots.clone(),
        update_snapshots: args.update_snapshots,
        collect_json: args.json.is_some(),
    };
    let mut outcomes = Vec::new();
    for (path, steps) in &parsed {
        let outcome = run_script(path, steps, &opts);
        if let Some(f) = &outcome.failure {
            print!("{f}");
            if !f.ends_with('\n') {
                println!();
            }
        }
        for w in &outcome.written {
            eprintln!("wrote snapshot {}", w.display());
        }
        outcomes.push(outcome);
    }
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    println!("{} passed, {failed} failed", outcomes.len() - failed);
    if let Some(json) = &args.json {
        let mut text = serde_json::to_string_pretty(&json_document(&outcomes)).unwrap_or_default();
        text.push('\n');
        if let Err(e) = std::fs::write(json, text) {
            eprintln!("error: cannot write {}: {e}", json.display());
            return ExitCode::from(exit::FAILURE);
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::FAILURE)
    }
}
