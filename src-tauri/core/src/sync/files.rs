//! Resume files: the bounded step that follows a sync, and the lazy fetch of one file when a
//! recruiter opens it. A sync stores file metadata only and never waits for bytes.
//!
//! Bytes go to `<data dir>/files/<connection id>/`, streamed into a temporary file under a size
//! limit and renamed into place, so a crash never leaves half a resume where a whole one is
//! expected. Files the ATS no longer has are swept from the disk: an erasure in the ATS reaches
//! the data folder too. Each step then reads the text of downloaded PDFs for search (see
//! [`super::text`]): new downloads, and copies downloaded before Talentdeck read text at all.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use chrono::Utc;
use tokio::io::AsyncWriteExt;

use ats::Connector;
use model::error::{Error, Result};
use store::{Store, StoredFile};

use super::text::{self, TextExtractor};

/// The folder of the data dir that holds downloaded files.
pub const FILES_DIR: &str = "files";
/// Temporary files being written start with this; the sweep leaves young ones alone.
const PART_PREFIX: &str = ".part-";
/// A temporary file this young may belong to a download in flight: not swept.
const PART_GRACE: Duration = Duration::from_secs(600);
/// Makes each download's temporary file its own (a lazy open may race the background step).
static PART_SEQ: AtomicU64 = AtomicU64::new(0);

/// How much one step may do. Each step takes the next slice; the scheduler's next run goes on.
#[derive(Debug, Clone)]
pub struct FileLimits {
    /// Files downloaded per step.
    pub max_files: u32,
    /// File lists read per step, where the provider lists files per application (Lever).
    pub max_listings: u32,
    /// A file larger than this is not downloaded (the recruiter is told to open it in the ATS).
    pub max_file_bytes: u64,
}

impl Default for FileLimits {
    fn default() -> Self {
        FileLimits { max_files: 100, max_listings: 200, max_file_bytes: 25 * 1024 * 1024 }
    }
}

/// What a step did.
#[derive(Debug, Default)]
pub struct FilesReport {
    /// File lists read (Lever).
    pub listed: u64,
    pub downloaded: u64,
    pub bytes: u64,
    /// Files that could not be downloaded (too large, gone); each keeps its reason.
    pub failed: u64,
    /// Files removed from the disk because the ATS no longer has them.
    pub removed: u64,
    /// Files still to download after this step.
    pub pending: u64,
    /// Downloaded PDFs whose text was read for search.
    pub read: u64,
    /// Files whose text could not be read (file name, why): logged as warnings, never retried
    /// until a new copy is downloaded, never failing the step.
    pub unreadable: Vec<(String, String)>,
    /// Why the step stopped early (credential refused, ATS unreachable); the next step retries.
    pub stopped: Option<Error>,
}

impl FilesReport {
    /// One line for the sync log and the CLI.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} downloaded ({:.1} MB), {} could not be, {} removed, {} still to fetch",
            self.downloaded,
            self.bytes as f64 / 1_048_576.0,
            self.failed,
            self.removed,
            self.pending
        );
        if self.listed > 0 {
            s.push_str(&format!("; {} file lists read", self.listed));
        }
        if self.read > 0 || !self.unreadable.is_empty() {
            s.push_str(&format!(
                "; text for search read from {} files, {} unreadable",
                self.read,
                self.unreadable.len()
            ));
        }
        s
    }

    /// Whether the step did (or tried) anything worth telling.
    pub fn eventful(&self) -> bool {
        self.listed + self.downloaded + self.failed + self.removed + self.read > 0
            || !self.unreadable.is_empty()
            || self.stopped.is_some()
    }
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether an error concerns one file (record it on the file, go on) rather than the whole
/// connection (stop the step; the next one retries).
fn about_this_file(e: &Error) -> bool {
    matches!(e, Error::NotFound(_) | Error::TooLarge(_) | Error::InvalidResponse(_))
}

/// One step for connection `cid`: read due file lists (Lever), download the next files, read
/// the text of downloaded PDFs (with `extractor`; none: no text is read), then sweep files the
/// ATS deleted.
pub async fn step(
    store: &Mutex<Store>,
    data_dir: &Path,
    cid: i64,
    connector: &dyn Connector,
    limits: &FileLimits,
    extractor: Option<&TextExtractor>,
) -> Result<FilesReport> {
    let mut report = FilesReport::default();
    let due = lock(store).applications_to_list_files(cid, limits.max_listings)?;
    for (application, talent) in due {
        match connector.files_of(&application, &talent).await {
            Ok(Some(files)) => {
                lock(store).set_application_files(cid, &application, &files, Utc::now())?;
                report.listed += 1;
            }
            Ok(None) => break, // the sync passes carry this provider's files
            Err(e) if about_this_file(&e) => {
                tracing::warn!(application = %application, error = %e, "could not read an application's file list");
            }
            Err(e) => {
                report.stopped = Some(e);
                break;
            }
        }
    }
    if report.stopped.is_none() {
        // Bound first: a guard in the `for` head would be held through the loop.
        let next = lock(store).files_to_fetch(cid, limits.max_files)?;
        for f in next {
            match download(store, data_dir, connector, &f, limits.max_file_bytes).await {
                Ok((_, size)) => {
                    report.downloaded += 1;
                    report.bytes += size;
                }
                Err(e) if about_this_file(&e) => {
                    lock(store).file_failed(f.id, &e.to_string())?;
                    report.failed += 1;
                }
                Err(e) => {
                    report.stopped = Some(e);
                    break;
                }
            }
        }
    }
    // Local work: done even when the ATS stopped the downloads.
    if let Some(extractor) = extractor {
        read_texts(store, data_dir, cid, extractor, limits.max_files, &mut report).await?;
    }
    report.removed = sweep(store, data_dir, cid)?;
    report.pending = lock(store).files_pending(cid)?;
    Ok(report)
}

/// Reads the text of up to `max` downloaded files of `cid` not read yet, with one reader
/// process (replaced after a file that ends it) and for about `extractor.step_budget` at most.
/// A file that cannot be read is recorded with the reason and listed in the report; only a
/// reader that cannot start at all stops this (to be tried again at the next step), and even
/// that does not fail the step.
async fn read_texts(
    store: &Mutex<Store>,
    data_dir: &Path,
    cid: i64,
    extractor: &TextExtractor,
    max: u32,
    report: &mut FilesReport,
) -> Result<()> {
    let started = Instant::now();
    let due = lock(store).files_to_read(cid, max)?;
    // One reader for the step (dropped on an early return: killed with it).
    let mut reader = extractor.reader();
    for f in due {
        if started.elapsed() > extractor.step_budget {
            break;
        }
        let Some(rel) = f.local_path.as_deref() else { continue };
        let path = data_dir.join(rel);
        if !path.is_file() {
            // Deleted by hand: nothing to read until it is downloaded again (which resets this).
            lock(store).file_text_read(f.id, rel, Err("the downloaded copy is missing"), Utc::now())?;
            continue;
        }
        let outcome = match text::is_pdf(&path, &f.attachment.filename).await {
            Ok(true) => reader.extract(&path).await.map(Some),
            Ok(false) => Ok(None), // a Word file, an image: no text read (yet)
            Err(e) => Err(e),
        };
        match outcome {
            Ok(text) => {
                // A scan has no text layer: nothing to search, and nothing wrong either.
                let text = text.filter(|t| !t.is_empty());
                lock(store).file_text_read(f.id, rel, Ok(text.as_deref()), Utc::now())?;
                report.read += u64::from(text.is_some());
            }
            Err(e @ Error::Internal(_)) => {
                tracing::warn!(error = %e, "resume text is not read for search");
                break;
            }
            Err(e) => {
                let why = e.to_string();
                lock(store).file_text_read(f.id, rel, Err(&why), Utc::now())?;
                report.unreadable.push((f.attachment.filename.clone(), why));
            }
        }
    }
    reader.close().await;
    Ok(())
}

/// Where file `f`'s bytes are, if they are in the data folder (a copy deleted by hand counts
/// as missing).
pub fn local_copy(data_dir: &Path, f: &StoredFile) -> Option<PathBuf> {
    let path = data_dir.join(f.local_path.as_ref()?);
    path.is_file().then_some(path)
}

/// The local copy of file `f`, downloaded now if it is not in the data folder yet (or its
/// copy went missing). A file that cannot be had keeps the reason, as in a step.
pub async fn fetch_one(
    store: &Mutex<Store>,
    data_dir: &Path,
    f: &StoredFile,
    connector: &dyn Connector,
    limits: &FileLimits,
) -> Result<PathBuf> {
    if let Some(path) = local_copy(data_dir, f) {
        return Ok(path);
    }
    match download(store, data_dir, connector, f, limits.max_file_bytes).await {
        Ok((path, _)) => Ok(path),
        Err(e) => {
            if about_this_file(&e) {
                lock(store).file_failed(f.id, &e.to_string())?;
            }
            Err(e)
        }
    }
}

/// Reads the due file lists of one talent (Lever), so opening them finds every file.
pub async fn list_talent_files(
    store: &Mutex<Store>,
    cid: i64,
    talent_id: i64,
    connector: &dyn Connector,
) -> Result<()> {
    let due = lock(store).applications_of_talent_to_list_files(talent_id)?;
    for (application, talent) in due {
        match connector.files_of(&application, &talent).await? {
            Some(files) => lock(store).set_application_files(cid, &application, &files, Utc::now())?,
            None => break,
        }
    }
    Ok(())
}

/// Streams file `f` into the connection's folder under `max_bytes`; returns its path and size.
async fn download(
    store: &Mutex<Store>,
    data_dir: &Path,
    connector: &dyn Connector,
    f: &StoredFile,
    max_bytes: u64,
) -> Result<(PathBuf, u64)> {
    let too_large = |size: u64| {
        Error::TooLarge(format!(
            "{:?} is {:.1} MB, more than the {} MB Talentdeck keeps offline; open it in the ATS",
            f.attachment.filename,
            size as f64 / 1_048_576.0,
            max_bytes / 1_048_576
        ))
    };
    // Transport errors quote the link, and file links carry file names (people's names): the
    // message that reaches the sync log (and diagnostics bundles) says where, not which file.
    let provider = connector.provider().display_name();
    let mut resp = connector.open_file(&f.attachment).await.map_err(|e| match e {
        Error::Unreachable(_) => Error::Unreachable(format!(
            "{provider} or its file storage could not be reached for a download; the next file step retries"
        )),
        e => e,
    })?;
    if let Some(len) = resp.content_length().filter(|&n| n > max_bytes) {
        return Err(too_large(len));
    }
    let dir = data_dir.join(FILES_DIR).join(f.connection_id.to_string());
    tokio::fs::create_dir_all(&dir).await?;
    let name = disk_name(f.id, &f.attachment.filename);
    let part =
        dir.join(format!("{PART_PREFIX}{}-{}-{name}", std::process::id(), PART_SEQ.fetch_add(1, Ordering::Relaxed)));
    let written = async {
        let mut out = tokio::fs::File::create(&part).await?;
        let mut size = 0u64;
        // Chunk by chunk: a lying or missing Content-Length cannot make us hold or write more.
        while let Some(chunk) = resp.chunk().await.map_err(|_| {
            Error::Unreachable(format!("a download from {provider} broke off; the next file step retries"))
        })? {
            size += chunk.len() as u64;
            if size > max_bytes {
                return Err(too_large(size));
            }
            out.write_all(&chunk).await?;
        }
        out.sync_all().await?;
        Ok(size)
    }
    .await;
    let size = match written {
        Ok(size) => size,
        Err(e) => {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(e);
        }
    };
    let path = dir.join(&name);
    let rel = Path::new(FILES_DIR).join(f.connection_id.to_string()).join(&name);
    // Renamed and recorded under the store's lock, which the sweep holds too: it never sees
    // a file in place but not yet recorded.
    let mut store = lock(store);
    let placed = std::fs::rename(&part, &path)
        .map_err(Error::from)
        .and_then(|()| store.file_saved(f.id, &rel.to_string_lossy(), size, Utc::now()));
    match placed {
        Ok(true) => Ok((path, size)),
        Ok(false) => {
            // A sync deleted the record while we downloaded it: the bytes must not stay either.
            let _ = std::fs::remove_file(&path);
            Err(Error::NotFound(format!("{:?} was deleted in the ATS meanwhile", f.attachment.filename)))
        }
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            Err(e)
        }
    }
}

/// `<id>-<name>`: the local id keeps names unique; the name is reduced to characters every
/// file system accepts, so a provider's file name can never leave the folder (`../`), hide
/// itself (leading dot) or break on Windows (`:`, `\`).
pub fn disk_name(id: i64, filename: &str) -> String {
    let (stem, ext) = match filename.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && (1..=8).contains(&e.len()) && e.chars().all(|c| c.is_ascii_alphanumeric()) => {
            (s, Some(e.to_ascii_lowercase()))
        }
        _ => (filename, None),
    };
    let mut clean: String =
        stem.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).take(80).collect();
    clean = clean.trim_matches('_').to_string();
    if clean.is_empty() {
        clean = "file".to_string();
    }
    match ext {
        Some(e) => format!("{id}-{clean}.{e}"),
        None => format!("{id}-{clean}"),
    }
}

/// Removes files of `cid` that no stored attachment refers to (deleted or replaced in the ATS)
/// and temporary files left by a crash. Returns how many went.
pub fn sweep(store: &Mutex<Store>, data_dir: &Path, cid: i64) -> Result<u64> {
    let dir = data_dir.join(FILES_DIR).join(cid.to_string());
    // Held throughout, so a download cannot place a file between the listing and the removal.
    let store = lock(store);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let keep: HashSet<PathBuf> = store.local_files(cid)?.into_iter().map(|p| data_dir.join(p)).collect();
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        if keep.contains(&path) {
            continue;
        }
        let in_flight = entry.file_name().to_string_lossy().starts_with(PART_PREFIX)
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .map(|t| SystemTime::now().duration_since(t).unwrap_or_default() < PART_GRACE)
                .unwrap_or(true);
        if in_flight {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => removed += 1,
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "could not remove a file the ATS deleted"),
        }
    }
    Ok(removed)
}

/// Deletes every downloaded file of `cid` (the connection was purged).
pub fn remove_all(data_dir: &Path, cid: i64) -> Result<()> {
    match std::fs::remove_dir_all(data_dir.join(FILES_DIR).join(cid.to_string())) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::disk_name;

    #[test]
    fn disk_names_stay_inside_the_folder_and_keep_the_extension() {
        assert_eq!(disk_name(7, "Ada_Lovelace_resume.PDF"), "7-Ada_Lovelace_resume.pdf");
        assert_eq!(disk_name(8, "../../etc/passwd"), "8-etc_passwd");
        assert_eq!(disk_name(9, ".bashrc"), "9-bashrc");
        assert_eq!(disk_name(10, "C:\\cv<script>.docx"), "10-C__cv_script.docx");
        assert_eq!(disk_name(11, "Zoë Müller – CV.pdf"), "11-Zoë_Müller___CV.pdf");
        assert_eq!(disk_name(12, ""), "12-file");
        assert_eq!(disk_name(13, "résumé"), "13-résumé");
        let long = "x".repeat(500) + ".pdf";
        assert!(disk_name(14, &long).len() < 100);
    }
}
