//! Resume files end to end, for each provider, against the in-process sandbox ATS over real
//! HTTP on 127.0.0.1: a sync stores file metadata only; bounded file steps then fetch every
//! resume byte for byte into the data folder, where it opens offline; files deleted or
//! replaced in the ATS leave the data folder; expired links are renewed; oversized files and
//! missing permissions are reported, never retried in a loop, and lose nothing. The text of
//! downloaded PDFs feeds the talent search, read by the built binary in a child process: broken,
//! hostile and oversized files cost a warning naming them, never the sync.
//!
//! Connections keep their secret in the OS keychain: run inside a private D-Bus session with an
//! unlocked throwaway gnome-keyring, as test.sh does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::Utc;
use talentdeck::app::{App, ConnectInput, SyncOutcome};
use talentdeck::model::{Provider, TalentRow};
use talentdeck::sandbox::{tiny_pdf, Faults, Mutation, Sandbox, SandboxConfig, SandboxInfo, UploadResume};
use talentdeck::sync::files::{FileLimits, FilesReport, FILES_DIR};
use talentdeck::sync::text::TextExtractor;

const NAME: &str = "Files test";
const TALENTS: usize = 200;
const PROVIDERS: [Provider; 3] = [Provider::Greenhouse, Provider::Lever, Provider::Ashby];

struct Env {
    sb: Sandbox,
    app: App,
    id: i64,
    dir: tempfile::TempDir,
}

async fn env(provider: Provider, faults: Faults) -> Env {
    let mut cfg = SandboxConfig::new(provider);
    cfg.talents = TALENTS;
    cfg.faults = faults;
    let sb = Sandbox::start(cfg).await.expect("the sandbox starts");
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).expect("the store opens");
    let conn = app.connect(connect_input(sb.info()), Utc::now()).await.expect("the sandbox credential connects");
    let env = Env { sb, app, id: conn.id, dir };
    env.sync(false).await;
    env
}

fn connect_input(info: &SandboxInfo) -> ConnectInput {
    ConnectInput::for_sandbox(info, NAME)
}

impl Env {
    async fn sync(&self, full: bool) {
        match self.app.sync(self.id, full, talentdeck::model::Trigger::Manual, &|_| {}).await.expect("the sync runs") {
            SyncOutcome::Ran(r) => assert!(r.error.is_none(), "the sync succeeds: {:?}", r.error),
            SyncOutcome::Joined => panic!("no other sync was running"),
        }
    }

    async fn step(&self, limits: &FileLimits) -> FilesReport {
        self.app.fetch_files(self.id, limits).await.expect("the file step runs").expect("no other step was running")
    }

    /// File steps of `max_files` until nothing is left to list or fetch; returns the steps taken.
    async fn fetch_everything(&self, max_files: u32) -> Vec<FilesReport> {
        let limits = FileLimits { max_files, ..FileLimits::default() };
        let mut steps = Vec::new();
        loop {
            let r = self.step(&limits).await;
            assert!(r.stopped.is_none(), "the step ran to its end: {:?}", r.stopped);
            let idle = r.downloaded == 0 && r.listed == 0;
            steps.push(r);
            if idle {
                return steps;
            }
            assert!(steps.len() < 50, "the file steps converge");
        }
    }

    fn talents(&self) -> Vec<TalentRow> {
        self.app.search_talents(Some(self.id), "", 100_000).unwrap()
    }

    /// Every downloaded file by its talent's remote id: (file name, path).
    fn local_files(&self) -> BTreeMap<String, Vec<(String, PathBuf)>> {
        let mut out: BTreeMap<String, Vec<(String, PathBuf)>> = BTreeMap::new();
        for t in self.talents() {
            for f in t.files.iter().filter(|f| f.downloaded) {
                let stored = self.app.store_for_tests().stored_file(f.id).unwrap();
                let path = self.dir.path().join(stored.local_path.unwrap());
                out.entry(t.remote_id.clone()).or_default().push((f.filename.clone(), path));
            }
        }
        out
    }

    fn files_on_disk(&self) -> BTreeSet<PathBuf> {
        files_in(&self.dir.path().join(FILES_DIR).join(self.id.to_string()))
    }
}

fn files_in(dir: &Path) -> BTreeSet<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => BTreeSet::new(),
    }
}

/// The data folder holds exactly the sandbox's resumes, byte for byte, one per talent.
fn assert_files_match(env: &Env, provider: Provider) {
    let expected = env.sb.expected_files();
    let local = env.local_files();
    assert_eq!(
        local.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{provider}: every talent with a resume has it downloaded, and nobody else has a file"
    );
    for (talent, files) in &local {
        let (name, bytes) = &expected[talent];
        assert_eq!(files.len(), 1, "{provider}: talent {talent} has one resume locally: {files:?}");
        let (local_name, path) = &files[0];
        assert_eq!(local_name, name, "{provider}: talent {talent}'s file name");
        assert_eq!(&std::fs::read(path).unwrap(), bytes, "{provider}: talent {talent}'s resume bytes");
    }
    let on_disk = env.files_on_disk();
    let recorded: BTreeSet<PathBuf> = local.values().flatten().map(|(_, p)| p.clone()).collect();
    assert_eq!(on_disk, recorded, "{provider}: the files folder holds exactly the recorded files");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_resume_is_fetched_in_bounded_steps_and_opens_offline() {
    for provider in PROVIDERS {
        let env = env(provider, Faults::default()).await;
        let expected = env.sb.expected_files();
        assert!(expected.len() > 30, "{provider}: the sandbox has resumes to fetch ({})", expected.len());
        assert!(env.files_on_disk().is_empty(), "{provider}: a sync stores metadata only, never bytes");

        let steps = env.fetch_everything(25).await;
        let downloaded: u64 = steps.iter().map(|s| s.downloaded).sum();
        assert!(steps.iter().all(|s| s.downloaded <= 25), "{provider}: each step stays within its bound");
        assert!(steps.len() >= 3, "{provider}: {} files took several bounded steps", expected.len());
        assert_eq!(downloaded as usize, expected.len(), "{provider}: each resume was downloaded once");
        assert_eq!(steps.last().unwrap().pending, 0, "{provider}: nothing left to fetch");
        assert!(steps.iter().all(|s| s.failed == 0), "{provider}: no download failed");
        assert_files_match(&env, provider);

        // A step with nothing to do makes no requests for files.
        let before = env.sb.stats().requests;
        let idle = env.step(&FileLimits::default()).await;
        assert_eq!((idle.downloaded, idle.listed), (0, 0));
        assert!(env.sb.stats().requests - before <= 1, "{provider}: an idle step asks the ATS (almost) nothing");

        // Offline: the ATS is gone, the downloaded resume still opens from the data folder.
        let talent = env.talents().into_iter().find(|t| !t.files.is_empty()).unwrap();
        let Env { sb, app, dir, .. } = env;
        sb.shutdown().await;
        let path =
            app.open_file(talent.files[0].id, &FileLimits::default()).await.expect("a downloaded file opens offline");
        assert!(path.starts_with(dir.path()), "{provider}: files live in the data folder");
        assert!(std::fs::read(&path).unwrap().starts_with(b"%PDF"), "{provider}: the resume is the PDF");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_deleted_or_replaced_in_the_ats_leave_the_data_folder() {
    for provider in PROVIDERS {
        let env = env(provider, Faults::default()).await;
        env.fetch_everything(500).await;
        let before = env.local_files();

        let report = env.sb.mutate(Mutation { delete_talents: 40, replace_resumes: 5, ..Default::default() });
        let deleted_with_files: Vec<&String> =
            report.deleted_talents.iter().filter(|t| before.contains_key(*t)).collect();
        assert!(!deleted_with_files.is_empty(), "{provider}: some deleted talents had a resume downloaded");
        // Greenhouse and Ashby list no deletions: the reconciling full pass finds them.
        env.sync(provider != Provider::Lever).await;
        for t in &deleted_with_files {
            for (_, path) in &before[*t] {
                assert!(!path.exists(), "{provider}: the deleted talent {t}'s resume left the disk at the sync");
            }
        }

        env.fetch_everything(500).await;
        let after = env.local_files();
        for t in &report.replaced_resumes {
            let (old_name, old_path) = &before[t][0];
            let now = &after[t];
            assert_eq!(now.len(), 1, "{provider}: talent {t} has only the new resume: {now:?}");
            assert_ne!(&now[0].0, old_name, "{provider}: talent {t}'s resume is the new upload");
            assert!(!old_path.exists() || old_path == &now[0].1, "{provider}: the old upload left the disk");
        }
        assert_files_match(&env, provider);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_links_are_renewed_and_a_resume_is_fetched_on_demand() {
    for provider in PROVIDERS {
        let env = env(provider, Faults::default()).await;
        // Links handed out by the sync expire (Greenhouse's after 7 days) before anything is fetched.
        env.sb.mutate(Mutation { expire_file_links: true, ..Default::default() });

        // Opening one talent's resume fetches it right away (Lever reads the file list first).
        let expected = env.sb.expected_files();
        let talent = env.talents().into_iter().find(|t| expected.contains_key(&t.remote_id)).unwrap();
        let files = env.app.talent_files(talent.id).await.unwrap();
        assert_eq!(files.len(), 1, "{provider}: the talent's resume is known");
        let path =
            env.app.open_file(files[0].id, &FileLimits::default()).await.expect("the resume downloads on demand");
        assert_eq!(std::fs::read(&path).unwrap(), expected[&talent.remote_id].1, "{provider}: the right resume");

        let steps = env.fetch_everything(500).await;
        assert!(steps.iter().all(|s| s.failed == 0), "{provider}: expired links were renewed, not failed");
        assert_files_match(&env, provider);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_files_are_refused_once_with_a_reason_and_lose_nothing() {
    let env = env(Provider::Greenhouse, Faults::default()).await;
    let tiny = FileLimits { max_file_bytes: 200, ..FileLimits::default() };
    let first = env.step(&tiny).await;
    assert_eq!(first.downloaded, 0, "every sandbox resume is larger than 200 bytes");
    assert!(first.failed > 0 && first.stopped.is_none(), "each oversized file fails on its own: {first:?}");
    assert!(env.files_on_disk().is_empty(), "no partial file is left behind");
    let talent = env.talents().into_iter().find(|t| !t.files.is_empty()).unwrap();
    let reason = talent.files[0].error.clone().expect("the file says why it is not offline");
    assert!(reason.contains("MB") && reason.contains("open it in the ATS"), "an actionable reason: {reason}");
    let err = env.app.open_file(talent.files[0].id, &tiny).await.unwrap_err();
    assert_eq!(err.code(), "too_large", "{err}");

    // Not retried in a loop: the next step has nothing to do; every record is still there.
    let again = env.step(&tiny).await;
    assert_eq!((again.downloaded, again.failed, again.pending), (0, 0, 0));
    assert_eq!(env.talents().len(), env.sb.expected(talentdeck::store::ExportKind::Talents).len());
    let log = env.app.log(Some(env.id), 10).unwrap();
    assert!(
        log.iter().any(|l| l.level.as_str() == "warning" && l.message.contains("could not be")),
        "the log tells: {log:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_resume_permission_stops_the_step_by_name_and_syncing_goes_on() {
    let faults = Faults { deny_scopes: vec!["resumes:read:admin".into()], ..Faults::default() };
    let env = env(Provider::Lever, faults).await;
    let r = env.step(&FileLimits::default()).await;
    let err = r.stopped.unwrap_or_else(|| {
        panic!("the step stops at the refusal: listed {}, downloaded {}, pending {}", r.listed, r.downloaded, r.pending)
    });
    assert_eq!(err.code(), "permission_denied");
    assert!(err.to_string().contains("resumes:read:admin"), "the missing permission is named: {err}");
    assert_eq!(r.downloaded, 0);
    let log = env.app.log(Some(env.id), 10).unwrap();
    assert!(
        log.iter().any(|l| l.detail.as_deref().is_some_and(|d| d.contains("resumes:read:admin"))),
        "logged: {log:?}"
    );
    // The connection itself is fine: the sync still runs and the data is all there.
    env.sync(false).await;
    assert_eq!(env.talents().len(), env.sb.expected(talentdeck::store::ExportKind::Talents).len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_fetches_one_talents_files_then_a_step_of_the_rest() {
    let env = env(Provider::Greenhouse, Faults::default()).await;
    let expected = env.sb.expected_files();
    let (talent, (_, bytes)) = expected.iter().next().unwrap();
    let td = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_talentdeck"))
            .args(args)
            .arg("--data-dir")
            .arg(env.dir.path())
            .env_remove("TALENTDECK_DATA_DIR")
            .output()
            .unwrap()
    };
    let out = td(&["files", NAME, "--talent", talent]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    let path = PathBuf::from(printed.trim());
    assert_eq!(&std::fs::read(&path).unwrap(), bytes, "the printed path holds the talent's resume");

    let out = td(&["files", NAME, "--max-files", "10"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line = String::from_utf8(out.stdout).unwrap();
    let left = expected.len() - 11;
    assert_eq!(line.trim_end().split(" (").next().unwrap(), format!("{NAME}: 10 downloaded"), "{line}");
    // The step also read the text of what it downloaded (the binary reads it with itself).
    assert!(
        line.trim_end().ends_with(&format!(
            "0 could not be, 0 removed, {left} still to fetch; text for search read from 10 files, 0 unreadable"
        )),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purging_a_connection_deletes_its_files() {
    let env = env(Provider::Ashby, Faults::default()).await;
    env.fetch_everything(500).await;
    assert!(!env.files_on_disk().is_empty());
    env.app.disconnect(env.id, true, Utc::now()).await.expect("the purge runs");
    assert!(
        !env.dir.path().join(FILES_DIR).join(env.id.to_string()).exists(),
        "the purged connection's files folder is gone"
    );
}

/// The built binary's `extract-text`, with a size bound a test file can cross.
fn reader(max_file_bytes: u64) -> TextExtractor {
    TextExtractor { max_file_bytes, ..TextExtractor::binary(env!("CARGO_BIN_EXE_talentdeck")) }
}

/// A PDF whose font names an encoding the parser does not know: it panics on it, which ends
/// that reader (the files after it get a new one).
fn panicking_pdf() -> Vec<u8> {
    let pdf = String::from_utf8(tiny_pdf(&["Panic at the parser".into()])).unwrap();
    let (from, to) = ("/BaseFont /Helvetica >>", "/BaseFont /Helvetica /Encoding /Bogus >>");
    let pdf = pdf.replace(from, to);
    // The font is the last object: only the cross-reference table after it moved.
    let (head, tail) = pdf.rsplit_once("startxref\n").unwrap();
    let at: usize = tail.lines().next().unwrap().parse().unwrap();
    format!("{head}startxref\n{}\n%%EOF\n", at + to.len() - from.len()).into_bytes()
}

/// Bytes no PDF reader can make sense of (a fixed pseudo-random sequence).
fn garbage(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// File steps of `app` until one reads no text: returns every file name reported unreadable.
async fn read_all_text(app: &App, id: i64) -> (u64, Vec<(String, String)>) {
    let (mut read, mut unreadable) = (0, Vec::new());
    for _ in 0..10 {
        let r = app.fetch_files(id, &FileLimits::default()).await.expect("the file step runs").expect("not running");
        assert!(r.stopped.is_none(), "{:?}", r.stopped);
        if r.read == 0 && r.unreadable.is_empty() {
            return (read, unreadable);
        }
        read += r.read;
        unreadable.extend(r.unreadable);
    }
    panic!("the text steps converge");
}

fn found(app: &App, id: i64, word: &str) -> Vec<String> {
    app.search_talents(Some(id), word, 100).unwrap().into_iter().map(|t| t.remote_id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_text_feeds_search_and_broken_or_huge_pdfs_only_warn() {
    const WORD: &str = "Quetzalcoatlus"; // in no sandbox record: only the resume can match it
    const HIDDEN: &str = "Brontosaurus"; // only in a resume over the size bound
    const MAX: u64 = 8 * 1024;
    for provider in PROVIDERS {
        let env = env(provider, Faults::default()).await;
        let with_resume: Vec<String> = env.sb.expected_files().into_keys().collect();
        let [good, random, truncated, huge, panicky] = [0, 1, 2, 3, 4].map(|i| with_resume[i].clone());
        let good_pdf = tiny_pdf(&["Jane Roe".into(), format!("Fieldwork on {WORD} fossils, 2019-2024")]);
        let mut huge_pdf = tiny_pdf(&[format!("{HIDDEN} expert")]);
        huge_pdf.extend(vec![b'%'; 3 * MAX as usize]); // a comment after %%EOF
        let uploads = [
            (&good, good_pdf.clone()),
            (&random, garbage(3000)),
            (&truncated, good_pdf[..good_pdf.len() / 2].to_vec()),
            (&huge, huge_pdf),
            (&panicky, panicking_pdf()),
        ];
        for (talent, bytes) in uploads {
            let r = env.sb.mutate(Mutation {
                upload_resume: Some(UploadResume { talent: talent.clone(), bytes }),
                ..Default::default()
            });
            assert!(r.not_found.is_empty(), "{provider}: {talent} has a resume to replace");
        }
        // Greenhouse and Ashby list no deletions: the reconciling full pass drops the old uploads.
        env.sync(provider != Provider::Lever).await;
        // Downloaded before Talentdeck read text (an app with no reader): search cannot see it yet.
        env.fetch_everything(500).await;
        assert_files_match(&env, provider);
        assert!(found(&env.app, env.id, WORD).is_empty(), "{provider}: no text read yet");

        // The next file steps read every downloaded resume, old ones included.
        let app = App::open(env.dir.path()).unwrap().with_text_extractor(Some(reader(MAX)));
        let (read, unreadable) = read_all_text(&app, env.id).await;
        assert_eq!(read as usize, with_resume.len() - 4, "{provider}: every other resume's text was read");
        assert_eq!(
            found(&app, env.id, WORD),
            vec![good.clone()],
            "{provider}: a word only in a resume finds its talent"
        );
        assert_eq!(
            found(&app, env.id, &WORD.to_lowercase()[3..9]),
            vec![good.clone()],
            "{provider}: any fragment of it too"
        );
        assert!(found(&app, env.id, HIDDEN).is_empty(), "{provider}: an oversized resume is not read");

        let name_of = |talent: &str| {
            let t = app
                .search_talents(Some(env.id), "", 100_000)
                .unwrap()
                .into_iter()
                .find(|t| t.remote_id == talent)
                .unwrap();
            t.files[0].filename.clone()
        };
        let mut names: Vec<&str> = unreadable.iter().map(|(n, _)| n.as_str()).collect();
        names.sort();
        let mut expected = vec![name_of(&random), name_of(&truncated), name_of(&huge), name_of(&panicky)];
        expected.sort();
        assert_eq!(names, expected, "{provider}: exactly the broken and the huge files are reported: {unreadable:?}");
        let why = |talent: &str| unreadable.iter().find(|(n, _)| *n == name_of(talent)).unwrap().1.clone();
        let huge_why = why(&huge);
        assert!(
            huge_why.contains("MB") && huge_why.contains("more than"),
            "{provider}: says it is too large: {huge_why}"
        );
        assert_eq!(why(&panicky), "the PDF reader failed on it (unexpected encoding \"Bogus\")", "{provider}");
        let log = app.log(Some(env.id), 50).unwrap();
        for name in &expected {
            assert!(
                log.iter().any(|l| l.level.as_str() == "warning"
                    && l.message.contains(name.as_str())
                    && l.message.contains("could not be read for search")),
                "{provider}: a warning names {name}: {log:?}"
            );
        }
        // Nothing was lost or failed: every talent is there, and unreadable files are not retried.
        assert_eq!(app.search_talents(Some(env.id), "", 100_000).unwrap().len(), env.talents().len());
        assert_eq!(read_all_text(&app, env.id).await, (0, vec![]), "{provider}: nothing is read twice");
        env.sync(false).await;

        // A new resume replaces the old one's text in search.
        let newer = tiny_pdf(&["Jane Roe".into(), "Now into Ankylosaurus digs".into()]);
        env.sb.mutate(Mutation {
            upload_resume: Some(UploadResume { talent: good.clone(), bytes: newer }),
            ..Default::default()
        });
        env.sync(provider != Provider::Lever).await;
        let (read, _) = read_all_text(&app, env.id).await;
        assert_eq!(read, 1, "{provider}: the new resume was downloaded and read");
        assert_eq!(found(&app, env.id, "Ankylosaurus"), vec![good.clone()], "{provider}: the new resume is searchable");
        assert!(found(&app, env.id, WORD).is_empty(), "{provider}: the replaced resume's text left the index");
        let stored = app.search_talents(Some(env.id), "", 100_000).unwrap();
        let name = stored.into_iter().find(|t| t.remote_id == good).unwrap().name;
        assert!(found(&app, env.id, &name).contains(&good), "{provider}: {name} is still found by name");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preview_gets_only_downloaded_pdfs_and_images_under_a_cap() {
    use talentdeck::app::PREVIEW_MAX_BYTES;
    let env = env(Provider::Greenhouse, Faults::default()).await;
    let expected = env.sb.expected_files();
    let mut with_resume = expected.keys().cloned();
    let [pdf, png, docx] = [0; 3].map(|_| with_resume.next().unwrap());
    let png_bytes = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 64]].concat();
    for (talent, bytes) in [(&png, png_bytes.clone()), (&docx, b"PK\x03\x04 a Word file".to_vec())] {
        env.sb.mutate(Mutation {
            upload_resume: Some(UploadResume { talent: talent.clone(), bytes }),
            ..Default::default()
        });
    }
    env.sync(true).await;
    let file_of = |talent: &str| {
        let t = env.talents().into_iter().find(|t| t.remote_id == talent).unwrap();
        assert_eq!(t.files.len(), 1);
        t.files[0].clone()
    };
    let limits = FileLimits::default();

    // Not downloaded yet: the preview fetches it, as opening does, and it stays offline.
    assert!(!file_of(&pdf).downloaded);
    let bytes = env.app.preview_file(file_of(&pdf).id, &limits, PREVIEW_MAX_BYTES).await.expect("a PDF previews");
    assert_eq!(bytes, expected[&pdf].1, "the preview is the resume, byte for byte");
    assert!(file_of(&pdf).downloaded);
    let bytes = env.app.preview_file(file_of(&png).id, &limits, PREVIEW_MAX_BYTES).await.expect("an image previews");
    assert_eq!(bytes, png_bytes);

    let err = env.app.preview_file(file_of(&docx).id, &limits, PREVIEW_MAX_BYTES).await.unwrap_err();
    assert_eq!(err.code(), "validation", "{err}");
    assert!(err.to_string().contains("open it with the system app"), "{err}");
    let err = env.app.preview_file(file_of(&pdf).id, &limits, 100).await.unwrap_err();
    assert_eq!(err.code(), "too_large", "{err}");
    assert!(err.to_string().contains("previews stop at"), "{err}");
    let err = env.app.preview_file(999_999, &limits, PREVIEW_MAX_BYTES).await.unwrap_err();
    assert_eq!(err.code(), "not_found", "{err}");
}
