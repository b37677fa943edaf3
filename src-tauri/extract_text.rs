//! `talentdeck extract-text FILE`: prints a PDF's text to stdout, for search. The app runs this
//! in a child process under a timeout and an output cap (core's `sync::text`): the PDF parser
//! meets hostile files, and a panic, an endless loop or a runaway allocation here ends this
//! process only. It also limits its own memory and CPU time, so a file that would exhaust the
//! machine fails quickly instead of slowing everything down until the timeout.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Address space the reader may use: far more than any resume needs, far less than the machine.
#[cfg(unix)]
const MAX_MEMORY: u64 = 1024 * 1024 * 1024;
/// CPU seconds, above the app's timeout: a backstop for a reader whose parent went away.
#[cfg(unix)]
const MAX_CPU_SECONDS: u64 = 60;

pub fn run(file: &Path) -> ExitCode {
    limit_resources();
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let text = match pdf_extract::extract_text_from_mem(&bytes) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    // The parent stops reading once it has enough: a closed pipe is a normal end here.
    let _ = out.write_all(squeeze(&text).as_bytes()).and_then(|()| out.flush());
    ExitCode::SUCCESS
}

/// The text with control characters dropped and each run of blanks reduced to one space, or to
/// one line break where the run held one: layout spacing is most of a PDF's text otherwise.
fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len() / 2);
    let mut gap: Option<char> = None;
    for c in text.chars() {
        if c.is_whitespace() {
            if c == '\n' || gap.is_none() {
                gap = Some(if c == '\n' { '\n' } else { ' ' });
            }
        } else if !c.is_control() {
            if let Some(g) = gap.take() {
                if !out.is_empty() {
                    out.push(g);
                }
            }
            out.push(c);
        }
    }
    out
}

#[cfg(unix)]
fn limit_resources() {
    let set = |resource, max: u64| {
        let lim = libc::rlimit { rlim_cur: max as libc::rlim_t, rlim_max: max as libc::rlim_t };
        // SAFETY: setrlimit reads the struct we pass and touches no memory of ours.
        unsafe { libc::setrlimit(resource, &lim) };
    };
    set(libc::RLIMIT_AS, MAX_MEMORY);
    set(libc::RLIMIT_CPU, MAX_CPU_SECONDS);
}

#[cfg(not(unix))]
fn limit_resources() {
    // Windows: the parent's timeout and output cap still bound the reader.
}

#[cfg(test)]
mod tests {
    use super::squeeze;

    #[test]
    fn layout_spacing_is_squeezed() {
        assert_eq!(squeeze("  Ada   Lovelace \n\n\n  Analyst\t\tat  Acme\u{0}\n"), "Ada Lovelace\nAnalyst at Acme");
        assert_eq!(squeeze("Zoë\u{A0}Müller"), "Zoë Müller");
    }
}
