//! The one binary: with no subcommand it opens the desktop window, with one it runs headless.
// Release builds on Windows must not open a console next to the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// The benchmarks are developer tooling, built only with `--features bench` (bench.sh, test.sh).
#[cfg(feature = "bench")]
mod bench;
#[cfg(feature = "bench")]
mod bench_push;
#[cfg(feature = "bench")]
mod bench_search;
mod cli;
mod extract_text;
#[cfg(any(test, feature = "desktop"))]
mod ipc;
#[cfg(feature = "desktop")]
mod shell;

fn main() -> std::process::ExitCode {
    cli::main()
}
