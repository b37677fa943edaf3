//! `talentdeck extract-text --max-text-bytes N`: reads PDFs' text for search, one file after
//! another as the app asks (the protocol is core's `sync::text`). The app runs this in a child
//! process under a timeout per file: the PDF parser meets hostile files, and a panic, an endless
//! loop or a runaway allocation here ends this process only. It also limits its own memory and
//! CPU time, so a file that would exhaust the machine fails quickly instead of slowing everything
//! down until the timeout.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use talentdeck::sync::text::{self, Reply};

/// Address space the reader may use: far more than any resume needs, far less than the machine.
#[cfg(unix)]
const MAX_MEMORY: u64 = 1024 * 1024 * 1024;
/// CPU seconds per file, above the app's timeout: a backstop for a reader whose parent went away.
#[cfg(unix)]
const MAX_CPU_SECONDS: u64 = 60;

pub fn run(max_text_bytes: usize) -> ExitCode {
    limit_memory();
    let mut replies = reply_channel();
    let mut requests = std::io::stdin().lock();
    loop {
        let path = match text::read_request(&mut requests) {
            Ok(Some(path)) => path,
            Ok(None) => return ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("not a request: {e}");
                return ExitCode::FAILURE;
            }
        };
        limit_cpu_for_one_file();
        let (read_text, reason);
        let (reply, go_on) = match std::panic::catch_unwind(|| read(&path)) {
            Ok(Ok(t)) => {
                read_text = text::bounded_text(squeeze(&t).into_bytes(), max_text_bytes);
                (Reply::Text(&read_text), true)
            }
            Ok(Err(why)) => {
                reason = why;
                (Reply::Refused(&reason), true)
            }
            Err(panic) => {
                reason = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "it panicked".into());
                // What the panic left half-done is not to be trusted with the next file.
                (Reply::Panicked(&reason), false)
            }
        };
        // A closed pipe: the app stopped waiting (it timed out, or closed); nothing to do.
        if text::write_reply(&mut replies, reply).is_err() || !go_on {
            return ExitCode::FAILURE;
        }
    }
}

fn read(file: &Path) -> Result<String, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read it: {e}"))?;
    pdf_extract::extract_text_from_mem(&bytes).map_err(|e| e.to_string())
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

/// Where replies go: stdout as it was at the start, while stdout itself becomes stderr, so
/// anything the parser prints cannot be taken for a reply.
#[cfg(unix)]
fn reply_channel() -> Box<dyn Write> {
    use std::os::fd::FromRawFd;
    // SAFETY: dup and dup2 only copy descriptors; the new one is owned by the File alone.
    unsafe {
        let fd = libc::dup(1);
        if fd >= 0 && libc::dup2(2, 1) >= 0 {
            return Box::new(std::fs::File::from_raw_fd(fd));
        }
    }
    Box::new(std::io::stdout())
}

#[cfg(not(unix))]
fn reply_channel() -> Box<dyn Write> {
    Box::new(std::io::stdout())
}

#[cfg(unix)]
fn limit_memory() {
    let lim = libc::rlimit { rlim_cur: MAX_MEMORY as libc::rlim_t, rlim_max: MAX_MEMORY as libc::rlim_t };
    // SAFETY: setrlimit reads the struct we pass and touches no memory of ours.
    unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) };
}

/// The CPU limit counts the whole process's time, so each file gets its own: what was used so
/// far plus [`MAX_CPU_SECONDS`] (the hard limit stays, so this can be raised again).
#[cfg(unix)]
fn limit_cpu_for_one_file() {
    // SAFETY: getrusage, getrlimit and setrlimit only read or fill the structs we pass.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 || libc::getrlimit(libc::RLIMIT_CPU, &mut lim) != 0 {
            return;
        }
        let used = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) as u64 + 1;
        lim.rlim_cur = ((used + MAX_CPU_SECONDS) as libc::rlim_t).min(lim.rlim_max);
        libc::setrlimit(libc::RLIMIT_CPU, &lim);
    }
}

#[cfg(not(unix))]
fn limit_memory() {
    // Windows: the parent's timeout still bounds the reader.
}

#[cfg(not(unix))]
fn limit_cpu_for_one_file() {}

#[cfg(test)]
mod tests {
    use super::squeeze;

    #[test]
    fn layout_spacing_is_squeezed() {
        assert_eq!(squeeze("  Ada   Lovelace \n\n\n  Analyst\t\tat  Acme\u{0}\n"), "Ada Lovelace\nAnalyst at Acme");
        assert_eq!(squeeze("Zoë\u{A0}Müller"), "Zoë Müller");
    }
}
