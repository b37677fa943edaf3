//! Resume text for search: the text of each downloaded PDF is read by a child process (this very
//! binary's hidden `extract-text` command), never in the app's own process. PDF parsers meet
//! hostile input: a file can make one panic, loop forever or allocate without end, and a thread
//! with `catch_unwind` survives only the first. A child under a timeout, with its output capped
//! and its memory limited (by itself, see the binary's `extract_text.rs`), costs the app nothing
//! worse than a killed process and a warning naming the file.
//!
//! The store keeps the text per file and folds it into the talent's search row (schema 11).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use model::error::{Error, Result};

/// The binary's hidden command that prints a PDF's text (`talentdeck extract-text FILE`).
pub const EXTRACT_COMMAND: &str = "extract-text";

/// How text is read from files, and the bounds that keep one file from stalling the app.
#[derive(Debug, Clone)]
pub struct TextExtractor {
    /// The program; `args` come first, then the file's path.
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// A reader still running after this is killed, and the file marked unreadable.
    pub timeout: Duration,
    /// A larger file is not read at all (skipped with a warning naming it).
    pub max_file_bytes: u64,
    /// Text kept per file: the reader is stopped once it has printed this much.
    pub max_text_bytes: usize,
    /// One file step reads files for at most about this long; the rest wait for the next step.
    pub step_budget: Duration,
}

/// The binary registers itself here at start (see [`TextExtractor::register_binary`]), so every
/// `App` it opens reads resume text; libraries and tests that register nothing read none.
static BINARY: OnceLock<PathBuf> = OnceLock::new();

impl TextExtractor {
    /// `binary extract-text FILE` with the default bounds: 20 s and 10 MB per file (a resume is
    /// a few pages: a larger "resume" is a scan or an attack, neither with text worth the wait),
    /// 200 KB of text (a hundred pages of prose), a minute per step.
    pub fn binary(binary: impl Into<PathBuf>) -> Self {
        TextExtractor {
            program: binary.into(),
            args: vec![EXTRACT_COMMAND.into()],
            timeout: Duration::from_secs(20),
            max_file_bytes: 10 * 1024 * 1024,
            max_text_bytes: 200 * 1024,
            step_budget: Duration::from_secs(60),
        }
    }

    /// Makes `binary` (the running executable, which has the `extract-text` command) the reader
    /// of every `App` opened from now on in this process.
    pub fn register_binary(binary: impl Into<PathBuf>) {
        let _ = BINARY.set(binary.into());
    }

    /// The registered reader, if the process registered one.
    pub fn registered() -> Option<Self> {
        BINARY.get().map(Self::binary)
    }

    /// The text of the PDF at `path`, at most `max_text_bytes` of it (cut at a character).
    /// Errors name what went wrong, never the file (the caller does): `TooLarge` for a file
    /// over the bound, `InvalidResponse` for one the reader refused, crashed on or timed out
    /// on, `Internal` when the reader could not be started at all.
    pub async fn extract(&self, path: &Path) -> Result<String> {
        let size = tokio::fs::metadata(path).await?.len();
        if size > self.max_file_bytes {
            return Err(Error::TooLarge(format!(
                "it is {:.1} MB, more than the {:.1} MB whose text is read for search",
                size as f64 / 1_048_576.0,
                self.max_file_bytes as f64 / 1_048_576.0
            )));
        }
        let mut child = tokio::process::Command::new(&self.program)
            .args(&self.args)
            .arg(path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Whatever stops waiting for it (a timeout, the app closing) kills it.
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                Error::Internal(format!("the resume text reader {} could not be started: {e}", self.program.display()))
            })?;
        let stdout = child.stdout.take().expect("piped");
        let stderr = child.stderr.take().expect("piped");
        // Its own task: the reason matters only once stdout has ended, and a reader that keeps
        // stderr open must not hold up a text that is complete.
        let mut reason = tokio::spawn(async move {
            let mut err = Vec::new();
            let _ = stderr.take(2048).read_to_end(&mut err).await;
            err
        });
        let cap = self.max_text_bytes;
        let run = async {
            let mut out = Vec::new();
            // One byte past the cap tells a full reader from one that had exactly that much.
            stdout.take(cap as u64 + 1).read_to_end(&mut out).await?;
            if out.len() > cap {
                // Enough text: the rest of the file is not worth the wait.
                let _ = child.start_kill();
                let _ = child.wait().await;
                return Ok(bounded_text(out, cap));
            }
            let status = child.wait().await?;
            if status.success() {
                return Ok(bounded_text(out, cap));
            }
            let err = (&mut reason).await.unwrap_or_default();
            let err = String::from_utf8_lossy(&err);
            let why = err.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("no reason given");
            let why: String = why.chars().take(200).collect();
            Err(Error::InvalidResponse(if err.contains("panicked") {
                format!("the PDF reader failed on it ({why})")
            } else if status.code().is_none() {
                format!("the PDF reader was stopped ({status}): the file is too complex or hostile")
            } else {
                format!("it is not a readable PDF ({why})")
            }))
        };
        let outcome = tokio::time::timeout(self.timeout, run).await;
        reason.abort();
        match outcome {
            Ok(r) => r,
            Err(_) => {
                // Killed and reaped now, not left to `kill_on_drop`'s background reaper.
                let _ = child.kill().await;
                Err(Error::InvalidResponse(format!(
                    "reading its text took more than {} s and was stopped",
                    self.timeout.as_secs_f32()
                )))
            }
        }
    }
}

/// The first `cap` bytes of `bytes` as text, cut at a character boundary; invalid UTF-8 from a
/// misbehaving reader becomes U+FFFD rather than an error.
fn bounded_text(mut bytes: Vec<u8>, cap: usize) -> String {
    bytes.truncate(cap);
    let valid = match std::str::from_utf8(&bytes) {
        Ok(_) => bytes.len(),
        // An incomplete character at the end (the cut): drop it; anything else is replaced.
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => bytes.len(),
    };
    bytes.truncate(valid);
    String::from_utf8_lossy(&bytes).trim().to_string()
}

/// Whether the file at `path`, named `filename` in the ATS, is a PDF: by its name, or by the
/// `%PDF-` header (which the format lets start anywhere in the first 1024 bytes).
pub async fn is_pdf(path: &Path, filename: &str) -> Result<bool> {
    if filename.to_ascii_lowercase().ends_with(".pdf") {
        return Ok(true);
    }
    let mut head = Vec::with_capacity(1024);
    tokio::fs::File::open(path).await?.take(1024).read_to_end(&mut head).await?;
    Ok(head.windows(5).any(|w| w == b"%PDF-"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A stand-in reader: a shell script instead of the binary, to test the bounds themselves.
    fn script(body: &str, timeout: Duration, max_text_bytes: usize) -> TextExtractor {
        TextExtractor {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), body.into(), "reader".into()],
            timeout,
            max_file_bytes: 1024,
            max_text_bytes,
            step_budget: Duration::from_secs(60),
        }
    }

    fn file(bytes: &[u8]) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), bytes).unwrap();
        f
    }

    #[tokio::test]
    async fn a_reader_that_hangs_is_killed_at_the_timeout() {
        let f = file(b"%PDF-1.4");
        let pid_file = tempfile::NamedTempFile::new().unwrap();
        let body = format!("echo $$ > {}; exec sleep 30", pid_file.path().display());
        let started = std::time::Instant::now();
        let err = script(&body, Duration::from_millis(500), 100).extract(f.path()).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "the timeout bounds the wait: {:?}", started.elapsed());
        assert!(err.to_string().contains("took more than"), "{err}");
        let pid = std::fs::read_to_string(pid_file.path()).unwrap().trim().to_string();
        // Killed and reaped: no process with that id is left (not even a zombie) shortly after.
        let gone = (0..50).any(|_| {
            std::thread::sleep(Duration::from_millis(20));
            !Path::new(&format!("/proc/{pid}")).exists()
        });
        assert!(gone, "the reader {pid} was killed");
    }

    #[tokio::test]
    async fn endless_output_is_cut_at_the_cap_and_the_reader_stopped() {
        let f = file(b"%PDF-1.4");
        let started = std::time::Instant::now();
        let text = script("yes 'Zoë Müller'", Duration::from_secs(10), 1001).extract(f.path()).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(5), "stopped once the cap was reached");
        assert!(text.len() <= 1001 && text.len() > 990, "{}", text.len());
        assert!(text.starts_with("Zoë Müller\nZoë Müller"), "{text:?}");
        assert!(!text.ends_with('\u{FFFD}'), "cut at a character boundary: {text:?}");
    }

    #[tokio::test]
    async fn a_failing_reader_gives_its_reason_and_a_large_file_is_not_read() {
        let f = file(b"%PDF-1.4");
        let err = script("echo 'Invalid file header' >&2; exit 1", Duration::from_secs(10), 100)
            .extract(f.path())
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "it is not a readable PDF (Invalid file header)");
        let big = file(&[b'x'; 2000]);
        let err = script("echo never run", Duration::from_secs(10), 100).extract(big.path()).await.unwrap_err();
        assert!(matches!(err, Error::TooLarge(_)), "{err}");
        let text = script("printf 'Ada  Lovelace\\n'", Duration::from_secs(10), 100).extract(f.path()).await.unwrap();
        assert_eq!(text, "Ada  Lovelace");
    }

    #[tokio::test]
    async fn pdfs_are_known_by_name_or_header() {
        let pdf = file(b"\n\n%PDF-1.7 rest");
        assert!(is_pdf(pdf.path(), "cv").await.unwrap());
        let docx = file(b"PK\x03\x04 word");
        assert!(!is_pdf(docx.path(), "cv.docx").await.unwrap());
        assert!(is_pdf(docx.path(), "CV.PDF").await.unwrap(), "a .pdf name is tried (and fails loudly if it lies)");
    }
}
