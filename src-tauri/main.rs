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

// A sync allocates and frees millions of small values (each page's records, strings, rows to
// write), most of them on the fetching threads and dropped on the writer's. glibc's malloc and
// free, called mostly for Rust's values, were a tenth of a 100,000-talent sync's CPU samples;
// with jemalloc the sync takes about 5 % less CPU time at the same peak RSS (BENCHMARKS.md,
// stop 30). SQLite and the C libraries keep the system's malloc.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    // jemalloc gives freed memory back to the OS a few seconds after it was freed, but only when
    // something allocates again; its background thread does it when the process then sits idle
    // (the window after a sync). Where it cannot start one, the memory is returned at the next
    // allocations instead.
    #[cfg(not(target_env = "msvc"))]
    let _ = tikv_jemalloc_ctl::background_thread::write(true);
    cli::main()
}
