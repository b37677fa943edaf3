//! Resume text for search: the text of each downloaded PDF is read by a child process (this very
//! binary's hidden `extract-text` command), never in the app's own process. PDF parsers meet
//! hostile input: a file can make one panic, loop forever or allocate without end, and a thread
//! with `catch_unwind` survives only the first. A child under a timeout, with its output capped
//! and its memory limited (by itself, see the binary's `extract_text.rs`), costs the app nothing
//! worse than a killed process and a warning naming the file.
//!
//! One reader serves a whole file step ([`TextReader`]): the desktop binary links GTK and WebKit,
//! and starting it costs about 90 ms of CPU (the dynamic loader), far more than reading a resume.
//! A reader that fails on a file, times out or answers garbage is killed, and the next file gets
//! a new one: a hostile file still costs only its own text.
//!
//! The reader's protocol (both ends are here): for each file the app writes `LEN\n` and the
//! path's LEN bytes; the reader answers `KIND LEN\n` and LEN bytes, KIND being `text` (the text),
//! `refused` (why the file is not a readable PDF) or `panicked` (the parser's panic; the reader
//! exits after it). The end of the input ends the reader.
//!
//! The store keeps the text per file and folds it into the talent's search row (schema 11).

use std::ffi::OsString;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout};

use model::error::{Error, Result};

/// The binary's hidden command that reads PDFs' text (`talentdeck extract-text`, see the module).
pub const EXTRACT_COMMAND: &str = "extract-text";
/// The reader's option (a long flag) by which the app passes `max_text_bytes`.
pub const MAX_TEXT_FLAG: &str = "max-text-bytes";
/// A refusal's or a panic's reason is cut at this many bytes.
const MAX_REASON_BYTES: usize = 2048;

/// How text is read from files, and the bounds that keep one file from stalling the app.
#[derive(Debug, Clone)]
pub struct TextExtractor {
    /// The program; `args` come first, then `--`[`MAX_TEXT_FLAG`] and the cap.
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// A reader still working on a file after this is killed, and the file marked unreadable.
    pub timeout: Duration,
    /// A larger file is not read at all (skipped with a warning naming it).
    pub max_file_bytes: u64,
    /// Text kept per file: the reader sends no more, and one that does is replaced.
    pub max_text_bytes: usize,
    /// One file step reads files for at most about this long; the rest wait for the next step.
    pub step_budget: Duration,
}

/// The binary registers itself here at start (see [`TextExtractor::register_binary`]), so every
/// `App` it opens reads resume text; libraries and tests that register nothing read none.
static BINARY: OnceLock<PathBuf> = OnceLock::new();

impl TextExtractor {
    /// `binary extract-text` with the default bounds: 20 s and 10 MB per file (a resume is a few
    /// pages: a larger "resume" is a scan or an attack, neither with text worth the wait), 200 KB
    /// of text (a hundred pages of prose), a minute per step.
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

    /// A reader for a run of files (a file step): its process starts at the first file.
    pub fn reader(&self) -> TextReader<'_> {
        TextReader { extractor: self, running: None }
    }
}

/// One reader process, kept from file to file (see the module). Dropping it kills the process;
/// [`TextReader::close`] lets it end on its own.
pub struct TextReader<'a> {
    extractor: &'a TextExtractor,
    running: Option<Running>,
}

struct Running {
    child: Child,
    requests: ChildStdin,
    answers: BufReader<ChildStdout>,
}

/// A reader's answer about one file, as received.
enum Answer {
    Text(Vec<u8>),
    Refused(String),
    Panicked(String),
    /// The reader's output ended before an answer: it exited or was killed.
    Ended(ExitStatus),
}

impl TextReader<'_> {
    /// The text of the PDF at `path`, at most `max_text_bytes` of it (cut at a character).
    /// Errors name what went wrong, never the file (the caller does): `TooLarge` for a file
    /// over the bound, `InvalidResponse` for one the reader refused, crashed on or timed out
    /// on, `Internal` when the reader could not be started at all.
    pub async fn extract(&mut self, path: &Path) -> Result<String> {
        let ex = self.extractor;
        let size = tokio::fs::metadata(path).await?.len();
        if size > ex.max_file_bytes {
            return Err(Error::TooLarge(format!(
                "it is {:.1} MB, more than the {:.1} MB whose text is read for search",
                size as f64 / 1_048_576.0,
                ex.max_file_bytes as f64 / 1_048_576.0
            )));
        }
        let request = path_bytes(path).ok_or_else(|| {
            Error::Internal(format!("the resume text reader cannot be given the path {}", path.display()))
        })?;
        let cap = ex.max_text_bytes;
        let running = self.running()?;
        let (answer, complete) = match tokio::time::timeout(ex.timeout, running.ask(request, cap)).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) => {
                // Something that is not an answer: the reader is out of step with us.
                self.stop().await;
                return Err(Error::InvalidResponse("the PDF reader failed on it (its answer was garbled)".into()));
            }
            Err(_) => {
                self.stop().await;
                return Err(Error::InvalidResponse(format!(
                    "reading its text took more than {} s and was stopped",
                    ex.timeout.as_secs_f32()
                )));
            }
        };
        if !complete {
            // It sent more than asked for (enough text: the rest is not worth the wait), and is
            // still in the middle of that answer.
            self.stop().await;
        }
        match answer {
            Answer::Text(text) => Ok(bounded_text(text, cap)),
            Answer::Refused(why) => Err(Error::InvalidResponse(format!("it is not a readable PDF ({why})"))),
            Answer::Panicked(why) => {
                self.stop().await;
                Err(Error::InvalidResponse(format!("the PDF reader failed on it ({why})")))
            }
            Answer::Ended(status) => {
                self.running = None;
                Err(Error::InvalidResponse(if status.code().is_none() {
                    format!("the PDF reader was stopped ({status}): the file is too complex or hostile")
                } else {
                    format!("the PDF reader failed on it (it ended with {status})")
                }))
            }
        }
    }

    /// Lets the reader end on its own (its input ends), waiting a moment for it; kills it if it
    /// does not.
    pub async fn close(mut self) {
        if let Some(Running { mut child, requests, answers }) = self.running.take() {
            drop((requests, answers));
            if tokio::time::timeout(Duration::from_secs(2), child.wait()).await.is_err() {
                let _ = child.kill().await;
            }
        }
    }

    /// The running reader, started if there is none (or the last one ended while idle: killed
    /// from outside, which is no file's fault).
    fn running(&mut self) -> Result<&mut Running> {
        if let Some(mut r) = self.running.take() {
            if matches!(r.child.try_wait(), Ok(None)) {
                return Ok(self.running.insert(r));
            }
        }
        let ex = self.extractor;
        let mut child = tokio::process::Command::new(&ex.program)
            .args(&ex.args)
            .arg(format!("--{MAX_TEXT_FLAG}"))
            .arg(ex.max_text_bytes.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // Reasons come in answers; a long-lived reader's chatter would fill an unread pipe.
            .stderr(Stdio::null())
            // Whatever stops waiting for it (a timeout, the app closing) kills it.
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                Error::Internal(format!("the resume text reader {} could not be started: {e}", ex.program.display()))
            })?;
        let requests = child.stdin.take().expect("piped");
        let answers = BufReader::new(child.stdout.take().expect("piped"));
        Ok(self.running.insert(Running { child, requests, answers }))
    }

    /// Kills the reader and reaps it now, not in `kill_on_drop`'s background reaper.
    async fn stop(&mut self) {
        if let Some(mut r) = self.running.take() {
            let _ = r.child.kill().await;
        }
    }
}

impl Running {
    /// Asks for the text of the file at `path`: the answer, cut at `cap` bytes of text (a reason
    /// at [`MAX_REASON_BYTES`]), and whether it came whole. An error is an answer out of protocol.
    async fn ask(&mut self, path: &[u8], cap: usize) -> std::io::Result<(Answer, bool)> {
        let mut request = format!("{}\n", path.len()).into_bytes();
        request.extend_from_slice(path);
        let sent = async {
            self.requests.write_all(&request).await?;
            self.requests.flush().await
        };
        if sent.await.is_err() {
            // It stopped reading: it is ending, and its exit status says how.
            return self.ended().await;
        }
        let mut header = Vec::new();
        (&mut self.answers).take(64).read_until(b'\n', &mut header).await?;
        if header.is_empty() {
            return self.ended().await;
        }
        let (kind, len) = parse_header(&header).ok_or_else(|| garbled(&header))?;
        let limit = if kind == "text" { cap } else { MAX_REASON_BYTES };
        let mut body = Vec::with_capacity(len.min(limit));
        (&mut self.answers).take(len.min(limit) as u64).read_to_end(&mut body).await?;
        if body.len() < len.min(limit) {
            return self.ended().await;
        }
        let reason = || String::from_utf8_lossy(&body).trim().chars().take(200).collect::<String>();
        let answer = match kind {
            "text" => Answer::Text(body),
            "refused" => Answer::Refused(reason()),
            "panicked" => Answer::Panicked(reason()),
            _ => return Err(garbled(&header)),
        };
        Ok((answer, len <= limit))
    }

    /// Its output ended before an answer: it exited or was killed, and its status says how.
    async fn ended(&mut self) -> std::io::Result<(Answer, bool)> {
        Ok((Answer::Ended(self.child.wait().await?), true))
    }
}

fn garbled(header: &[u8]) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("not an answer: {:?}", String::from_utf8_lossy(header)),
    )
}

fn parse_header(header: &[u8]) -> Option<(&str, usize)> {
    let (kind, len) = std::str::from_utf8(header).ok()?.strip_suffix('\n')?.split_once(' ')?;
    Some((kind, len.parse().ok()?))
}

/// The reader's side of the protocol: the next file asked for, `None` at the end of the input.
pub fn read_request(input: &mut impl BufRead) -> std::io::Result<Option<PathBuf>> {
    let mut line = String::new();
    if input.by_ref().take(32).read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let len: usize = line.trim_end().parse().map_err(|_| garbled(line.as_bytes()))?;
    if len > 64 * 1024 {
        return Err(garbled(line.as_bytes()));
    }
    let mut path = vec![0; len];
    input.read_exact(&mut path)?;
    path_from_bytes(path).map(Some).ok_or_else(|| garbled(b"a path"))
}

/// What the reader answers about one file (see the module).
pub enum Reply<'a> {
    Text(&'a str),
    Refused(&'a str),
    Panicked(&'a str),
}

/// The reader's side of the protocol: one answer, written whole and flushed.
pub fn write_reply(out: &mut impl Write, reply: Reply<'_>) -> std::io::Result<()> {
    let (kind, body) = match reply {
        Reply::Text(t) => ("text", t),
        Reply::Refused(why) => ("refused", why),
        Reply::Panicked(why) => ("panicked", why),
    };
    writeln!(out, "{kind} {}", body.len())?;
    out.write_all(body.as_bytes())?;
    out.flush()
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Option<&[u8]> {
    use std::os::unix::ffi::OsStrExt;
    Some(path.as_os_str().as_bytes())
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    Some(OsString::from_vec(bytes).into())
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Option<&[u8]> {
    path.to_str().map(str::as_bytes)
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

/// The first `cap` bytes of `bytes` as text, cut at a character boundary and trimmed; invalid
/// UTF-8 from a misbehaving reader becomes U+FFFD rather than an error. The reader cuts its
/// answers with it too.
pub fn bounded_text(mut bytes: Vec<u8>, cap: usize) -> String {
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

    /// Shell functions for a stand-in reader: `next` reads a request into `$path` (false at the
    /// end of the input), `reply KIND TEXT` answers it.
    const PROTOCOL: &str = r#"
next() { read len || return 1; path=$(dd bs=1 count="$len" 2>/dev/null); }
reply() { printf '%s %s\n%s' "$1" "$(printf %s "$2" | wc -c)" "$2"; }
"#;

    /// A stand-in reader: a shell script instead of the binary, to test the bounds themselves.
    fn script(body: &str, timeout: Duration, max_text_bytes: usize) -> TextExtractor {
        TextExtractor {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), format!("{PROTOCOL}{body}").into(), "reader".into()],
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

    /// Whether process `pid` is gone (not even a zombie) within a second.
    fn gone(pid: &str) -> bool {
        (0..50).any(|_| {
            std::thread::sleep(Duration::from_millis(20));
            !Path::new(&format!("/proc/{pid}")).exists()
        })
    }

    /// Whether process `pid` has ended (a zombie, until its parent reaps it) within a second.
    fn ended(pid: &str) -> bool {
        (0..50).any(|_| {
            std::thread::sleep(Duration::from_millis(20));
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            stat.rsplit_once(')').is_none_or(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
    }

    #[tokio::test]
    async fn a_reader_that_hangs_is_killed_at_the_timeout() {
        let f = file(b"%PDF-1.4");
        let pid_file = tempfile::NamedTempFile::new().unwrap();
        let body = format!("echo $$ > {}; exec sleep 30", pid_file.path().display());
        let started = std::time::Instant::now();
        let ex = script(&body, Duration::from_millis(500), 100);
        let err = ex.reader().extract(f.path()).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "the timeout bounds the wait: {:?}", started.elapsed());
        assert!(err.to_string().contains("took more than"), "{err}");
        let pid = std::fs::read_to_string(pid_file.path()).unwrap().trim().to_string();
        assert!(gone(&pid), "the reader {pid} was killed and reaped");
    }

    #[tokio::test]
    async fn endless_output_is_cut_at_the_cap_and_the_reader_stopped() {
        let f = file(b"%PDF-1.4");
        let started = std::time::Instant::now();
        let ex = script("next; printf 'text 99999999\\n'; exec yes 'Zoë Müller'", Duration::from_secs(10), 1001);
        let text = ex.reader().extract(f.path()).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(5), "stopped once the cap was reached");
        assert!(text.len() <= 1001 && text.len() > 990, "{}", text.len());
        assert!(text.starts_with("Zoë Müller\nZoë Müller"), "{text:?}");
        assert!(!text.ends_with('\u{FFFD}'), "cut at a character boundary: {text:?}");
    }

    #[tokio::test]
    async fn a_refusal_gives_its_reason_and_a_large_file_is_not_read() {
        let f = file(b"%PDF-1.4");
        let ex = script("next; reply refused 'Invalid file header'", Duration::from_secs(10), 100);
        let err = ex.reader().extract(f.path()).await.unwrap_err();
        assert_eq!(err.to_string(), "it is not a readable PDF (Invalid file header)");
        let big = file(&[b'x'; 2000]);
        let ex = script("echo never run", Duration::from_secs(10), 100);
        let err = ex.reader().extract(big.path()).await.unwrap_err();
        assert!(matches!(err, Error::TooLarge(_)), "{err}");
        let ex = script("next; reply text 'Ada  Lovelace\n'", Duration::from_secs(10), 100);
        assert_eq!(ex.reader().extract(f.path()).await.unwrap(), "Ada  Lovelace");
        let ex = script("next; printf 'txet 3\\nAda'; sleep 30", Duration::from_secs(10), 100);
        let err = ex.reader().extract(f.path()).await.unwrap_err();
        assert_eq!(err.to_string(), "the PDF reader failed on it (its answer was garbled)");
    }

    /// One process reads a whole step, and one that dies on a file (or is killed between files)
    /// costs that file alone: the next file gets a new reader.
    #[tokio::test]
    async fn one_reader_serves_the_step_and_is_replaced_when_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        let body = format!(
            r#"while next; do
                echo $$ >> {pids}
                case "$path" in
                    *crash*) exit 3 ;;
                    *panic*) reply panicked 'index out of bounds'; exit 101 ;;
                    *) reply text "text of ${{path##*/}}" ;;
                esac
            done"#,
            pids = pids.display()
        );
        let ex = script(&body, Duration::from_secs(10), 100);
        let mut reader = ex.reader();
        let mut outcomes = Vec::new();
        for name in ["a", "b", "crash", "c", "panic", "d", "e"] {
            let path = dir.path().join(name);
            std::fs::write(&path, b"%PDF-1.4").unwrap();
            if name == "e" {
                // Killed from outside while idle: not e's fault.
                let last = std::fs::read_to_string(&pids).unwrap().lines().last().unwrap().to_string();
                std::process::Command::new("/bin/sh").args(["-c", &format!("kill -9 {last}")]).status().unwrap();
                assert!(ended(&last));
            }
            outcomes.push(reader.extract(&path).await.map_err(|e| e.to_string()));
        }
        reader.close().await;
        assert_eq!(
            outcomes,
            [
                Ok("text of a".to_string()),
                Ok("text of b".into()),
                Err("the PDF reader failed on it (it ended with exit status: 3)".into()),
                Ok("text of c".into()),
                Err("the PDF reader failed on it (index out of bounds)".into()),
                Ok("text of d".into()),
                Ok("text of e".into()),
            ]
        );
        let pids = std::fs::read_to_string(&pids).unwrap();
        let pids: Vec<&str> = pids.lines().collect();
        let first_of_each: Vec<usize> = (0..pids.len()).filter(|&i| i == 0 || pids[i] != pids[i - 1]).collect();
        assert_eq!(first_of_each, [0, 3, 5, 6], "a reader per run of files that did not end it: {pids:?}");
        assert!(gone(pids[6]), "closing ends the last reader");
    }

    #[test]
    fn text_is_cut_at_a_character() {
        assert_eq!(bounded_text("Zoë".into(), 3), "Zo");
        assert_eq!(bounded_text("Zoë".into(), 4), "Zoë");
        assert_eq!(bounded_text("Zoë".into(), 100), "Zoë");
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
