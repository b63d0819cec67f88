//! The `safevisit` binary: parse the command line, dispatch, exit.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use safevisit::cli::{Cli, Command, exit};
use safevisit::commands;

/// mimalloc: the office import, which allocates and frees many small
/// strings on every core at once, runs about a tenth faster than on the
/// system allocator (docs/PERFORMANCE.md, "Export and office").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Before anything secret is in memory: no core dumps (src/harden.rs).
    if let Err(e) = safevisit::harden::harden_process() {
        eprintln!(
            "waarschuwing: kerndumps konden niet worden uitgezet ({e}).\nwarning: core dumps could not be turned off ({e})."
        );
    }
    let cli = Cli::parse();
    match &cli.command {
        None => commands::app::run(&cli),
        Some(Command::Init(args)) => commands::init::run(args, &cli.global),
        Some(Command::Replay(args)) => commands::replay::run(args, &cli.global),
        Some(Command::Status) => commands::status::run(&cli.global),
        Some(Command::Checklists(cmd)) => commands::checklists::run(cmd, &cli.global),
        Some(Command::Export(args)) => commands::export::run(args, &cli.global),
        Some(Command::Receipt(args)) => commands::receipt::run(args, &cli.global),
        Some(Command::CaseImport(args)) => commands::case_import::run(args, &cli.global),
        Some(Command::Supervisor(cmd)) => commands::supervisor::run(cmd, &cli.global),
        Some(Command::DeviceCard(args)) => commands::device_card::run(args, &cli.global),
        Some(Command::OrgCard(args)) => commands::org_card::run(args, &cli.global),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "safevisit",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Some(Command::Man) => {
            match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(exit::FAILURE)
                }
            }
        }
    }
}
