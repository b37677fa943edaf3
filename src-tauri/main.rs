//! The one binary: with no subcommand it opens the desktop window, with one it runs headless.
// Release builds on Windows must not open a console next to the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod bench;
mod bench_push;
mod bench_search;
mod cli;
mod extract_text;
#[cfg(feature = "desktop")]
mod shell;

fn main() -> std::process::ExitCode {
    cli::main()
}
