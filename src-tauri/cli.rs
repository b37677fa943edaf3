//! The headless front door: parse, call `app`, render. With no subcommand the desktop window
//! opens. Errors print one line to stderr and exit non-zero.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};

use talentdeck::app::{self, App, ConnectInput, ReconnectInput, SyncOutcome};
use talentdeck::error::{Error, Result};
use talentdeck::model::{ConnectionState, Provider};
use talentdeck::runner::{Observer, Runner};
use talentdeck::sandbox::{Faults, RateLimit, Sandbox, SandboxConfig};
use talentdeck::store::ExportKind;
use talentdeck::sync::files::FileLimits;
use talentdeck::sync::text::{self, TextExtractor};

mod two_way;
use two_way::{MappingAction, PipelineAction, TwoWay};

#[derive(Parser)]
#[command(
    name = "talentdeck",
    version,
    about = "Talentdeck: your ATS (Greenhouse, Lever, Ashby) synced to your desktop, searchable offline.",
    long_about = "Talentdeck: your ATS (Greenhouse, Lever, Ashby) synced to your desktop, searchable offline.\n\n\
                  Run without a command to open the desktop window; the commands below run headless."
)]
pub struct Cli {
    /// Folder holding Talentdeck's database and downloaded files [default: the platform's app-data folder]
    #[arg(long, global = true, env = "TALENTDECK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// With no command: open the window connected to the built-in sandbox ATS of this provider
    #[arg(long, value_parser = provider_arg(), value_name = "PROVIDER")]
    pub try_sandbox: Option<Provider>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Providers by name (the model stays free of clap, so the CLI lists the names itself).
fn provider_arg() -> impl TypedValueParser<Value = Provider> {
    PossibleValuesParser::new(Provider::ALL.map(Provider::as_str))
        .map(|s| Provider::parse(&s).expect("a listed provider"))
}

fn export_kind_arg() -> impl TypedValueParser<Value = ExportKind> {
    PossibleValuesParser::new(ExportKind::ALL.map(ExportKind::as_str))
        .map(|s| ExportKind::parse(&s).expect("a listed kind"))
}

#[derive(Subcommand)]
pub enum Command {
    /// Run a simulator of an ATS's HTTP API on 127.0.0.1 (no account needed)
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Connect an ATS account. The secret (Lever/Ashby API key, Greenhouse client secret) is read
    /// from stdin, never from a flag; on a terminal it is prompted for without echo
    Connect {
        #[arg(value_parser = provider_arg())]
        provider: Provider,
        /// A name for this connection, e.g. "Acme Greenhouse"
        #[arg(long)]
        name: String,
        /// Greenhouse: the Harvest v3 OAuth client id
        #[arg(long)]
        client_id: Option<String>,
        /// Greenhouse: the id of the Greenhouse user the integration acts as. Lever (optional):
        /// the user moves, rejections and notes are credited to (`perform_as`)
        #[arg(long)]
        user_id: Option<String>,
        /// The API's address, for regional hosts or a sandbox [default: the provider's]
        #[arg(long)]
        base_url: Option<String>,
        /// Greenhouse: the OAuth token URL [default: https://auth.greenhouse.io/token]
        #[arg(long)]
        auth_url: Option<String>,
    },
    /// Replace a connection's credential (after it expired or was revoked). The new secret is read
    /// from stdin like `connect`'s and verified first; syncing then resumes where it stopped
    Reconnect {
        /// The connection's name
        name: String,
        /// Greenhouse: a new Harvest v3 OAuth client id [default: the current one]
        #[arg(long)]
        client_id: Option<String>,
        /// Greenhouse: a new id of the user the integration acts as [default: the current one]
        #[arg(long)]
        user_id: Option<String>,
    },
    /// Remove a connection's credential from the keychain and stop syncing it. Its imported data
    /// stays browsable (read-only) unless --purge
    Disconnect {
        /// The connection's name
        name: String,
        /// Also delete everything imported from it, and the connection itself
        #[arg(long)]
        purge: bool,
    },
    /// Write a diagnostics bundle for support (JSON): versions, states and their history, recent
    /// runs and errors, local counts; secrets and personal data redacted
    Diagnose {
        /// Only this connection [default: all]
        name: Option<String>,
        /// Write to this file instead of stdout
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Sync a connection (or every connection) now: incremental after the first full sync
    Sync {
        /// The connection's name [default: all connections]
        name: Option<String>,
        /// Re-read everything and remove what the ATS deleted
        #[arg(long)]
        full: bool,
    },
    /// Keep every connection synced on its schedule without a window (as the desktop app does while
    /// open): syncs when due, then fetches files, and prints what each run did. Stops on Ctrl+C
    Run,
    /// Download resume files into the data folder: the next slice of every connection's files
    /// (the desktop app does this after each sync), or all files of one talent
    Files {
        /// The connection's name [default: all connections]
        name: Option<String>,
        /// Only this talent's files (its id in the ATS, as `export talents` prints it); prints their paths
        #[arg(long, value_name = "REMOTE_ID", requires = "name")]
        talent: Option<String>,
        /// Files downloaded per connection in this step
        #[arg(long, default_value_t = FileLimits::default().max_files)]
        max_files: u32,
        /// Files larger than this many MB are not downloaded
        #[arg(long, default_value_t = FileLimits::default().max_file_bytes / 1_048_576)]
        max_file_mb: u64,
    },
    /// Read PDFs' text as asked on stdin: run by Talentdeck itself, in a child process it can
    /// time out and kill, to read resumes for search
    #[command(name = text::EXTRACT_COMMAND, hide = true)]
    ExtractText {
        /// Text sent per file, at most
        #[arg(long = text::MAX_TEXT_FLAG)]
        max_text_bytes: usize,
    },
    /// Show each connection's health: state, indicator, last successful sync, last error
    Status {
        /// Print a JSON array instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Write local records as JSON Lines to stdout (a stable contract, see README)
    Export {
        #[arg(value_parser = export_kind_arg())]
        kind: ExportKind,
        /// Only this connection's records
        #[arg(long, value_name = "NAME")]
        connection: Option<String>,
    },
    /// Set how often the desktop app syncs a connection on its own (default every 15 minutes)
    Schedule {
        /// The connection's name
        name: String,
        /// Minutes between automatic syncs (5 to 10080); 0 turns automatic sync off
        #[arg(long, value_name = "MINUTES")]
        every: u32,
    },
    /// List likely duplicate talents (within and across connections), pair by pair with their
    /// evidence: the same e-mail or phone (strong), or only the same name and company (weak)
    Duplicates {
        /// Print a JSON array of pairs instead of text
        #[arg(long)]
        json: bool,
    },
    /// Print the sync log, newest first
    Log {
        #[arg(long, value_name = "NAME")]
        connection: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Talentdeck's own pipeline: print it, or add, rename or remove a stage
    Pipeline {
        #[command(subcommand)]
        action: Option<PipelineAction>,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// How a connection's ATS stages map onto Talentdeck's pipeline: show, set, suggest, undo, redo
    #[command(subcommand)]
    Mapping(MappingAction),
    /// Move an application to another stage: recorded at once, pushed to the ATS when it can be
    /// reached (`talentdeck push`, or the app after every change and sync)
    Move {
        /// The application's id in the ATS (as `export applications` prints it)
        application: String,
        /// A Talentdeck stage, resolved through the mapping for the application's job
        #[arg(long, required_unless_present = "ats_stage", conflicts_with = "ats_stage")]
        stage: Option<String>,
        /// An ATS stage of the application's job, by name or id
        #[arg(long, value_name = "NAME_OR_ID")]
        ats_stage: Option<String>,
        #[arg(long, value_name = "NAME")]
        connection: Option<String>,
    },
    /// Reject an application with one of the ATS's reasons (`talentdeck reasons NAME` lists them)
    Reject {
        application: String,
        /// The reason's name (case-insensitive) or id
        #[arg(long)]
        reason: String,
        #[arg(long, value_name = "NAME")]
        connection: Option<String>,
    },
    /// Add a note to a talent, exactly as typed
    Note {
        /// The talent's id in the ATS (as `export talents` prints it)
        talent: String,
        text: String,
        #[arg(long, value_name = "NAME")]
        connection: Option<String>,
    },
    /// The rejection reasons a connection's ATS accepts (synced with its stages)
    Reasons {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Send queued changes to the ATS now. Exit 0 when nothing is left pending (conflicts are
    /// listed); non-zero when changes still wait or were refused
    Push {
        /// The connection's name [default: all connections]
        name: Option<String>,
    },
    /// List queued changes and what became of them (pending, sent, conflict, failed)
    Outbox {
        #[arg(long, value_name = "NAME")]
        connection: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Settle a conflict: keep what the ATS says (your change is dropped) or apply yours again
    Resolve {
        /// The outbox row's id (`talentdeck outbox`)
        id: i64,
        #[arg(long, conflicts_with = "apply_mine")]
        keep_ats: bool,
        #[arg(long)]
        apply_mine: bool,
    },
    /// Benchmark sync against the Greenhouse sandbox: a plain download of every page, a full
    /// sync and an incremental sync (see BENCHMARKS.md). Needs an unlocked keychain
    #[cfg(feature = "bench")]
    Bench {
        /// Talents in the sandbox (each with its applications) [default: 100000; 5000 with --paced]
        #[arg(long)]
        talents: Option<usize>,
        /// Talents changed in the sandbox before the incremental sync
        #[arg(long, default_value_t = 100)]
        changes: usize,
        /// Instead: push this many queued moves to the sandbox under the provider's documented
        /// rate limit and compare the time with what the limit allows
        #[arg(long, value_name = "MOVES")]
        push: Option<usize>,
        /// Instead: connect to and fully sync a sandbox account of `--talents` (default here
        /// 5,000) under the provider's documented rate limit and compare the time with what the
        /// limit allows
        #[arg(long, conflicts_with = "push")]
        paced: bool,
        /// The provider whose sandbox `--push` or `--paced` uses
        #[arg(long, value_parser = provider_arg(), default_value = "greenhouse")]
        provider: Provider,
        /// Instead: time the window's reads (search, Talents and Jobs pages, status) while a
        /// full sync of a second sandbox account of `--talents` runs, with reads waiting for
        /// the writer and with read-only connections (no keychain needed)
        #[arg(long, conflicts_with_all = ["push", "paced"])]
        search: bool,
        /// Print one JSON object instead of a table
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum SandboxCommand {
    /// Serve a simulated provider API until killed; prints one JSON line with its address and credentials
    Serve(ServeArgs),
}

#[derive(Args)]
pub struct ServeArgs {
    #[arg(long, value_parser = provider_arg())]
    provider: Provider,
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Seed of the generated data: the same seed gives the same data
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 12)]
    jobs: usize,
    #[arg(long, default_value_t = 300)]
    talents: usize,
    /// A credential (API key or Greenhouse client secret) to accept; repeatable [default: generated]
    #[arg(long = "credential", value_name = "SECRET")]
    credentials: Vec<String>,
    /// Enforce a rate limit, e.g. 50/30s, 10/1s, 1000/1m
    #[arg(long, value_name = "R/WINDOW")]
    rate_limit: Option<RateLimit>,
    /// Delay every API response by this many milliseconds
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Answer this fraction of API requests with a 5xx error (0..1)
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,
    /// Revoke the credential after N authenticated requests (401 from then on)
    #[arg(long, value_name = "N")]
    expire_credential_after: Option<u64>,
    /// A permission the credential lacks (403 naming it); repeatable
    #[arg(long = "deny-scope", value_name = "PERMISSION")]
    deny_scopes: Vec<String>,
}

/// Entry point of the `talentdeck` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::ExtractText { max_text_bytes }) = &cli.command {
        return crate::extract_text::run(*max_text_bytes);
    }
    // Every App opened from here on reads resume text with this very binary's `extract-text`.
    if let Ok(exe) = std::env::current_exe() {
        TextExtractor::register_binary(exe);
    }
    init_tracing();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("talentdeck: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("TALENTDECK_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

fn data_dir(cli: &Cli) -> Result<PathBuf> {
    match &cli.data_dir {
        Some(d) => Ok(d.clone()),
        None => app::default_data_dir(),
    }
}

/// `talentdeck run`'s observer: prints a connection's health whenever a run changes it.
#[derive(Default)]
struct Printer {
    last: std::sync::Mutex<std::collections::HashMap<i64, String>>,
}

impl Observer for Printer {
    fn status_changed(&self, app: &App) {
        let Ok(all) = app.status(Utc::now()) else { return };
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        for s in all {
            let line = format!(
                "{}: {}{}",
                s.name,
                s.state.as_str(),
                s.state_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
            );
            if last.get(&s.id) != Some(&line) {
                println!("{} {line}", Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                last.insert(s.id, line);
            }
        }
    }
    fn models_changed(&self, _: i64) {}
}

/// The connection a person names on the command line (the use cases take ids).
fn connection_id(app: &App, name: &str) -> Result<i64> {
    Ok(app.connection_named(name)?.id)
}

fn opt_connection_id(app: &App, name: Option<&str>) -> Result<Option<i64>> {
    name.map(|n| connection_id(app, n)).transpose()
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("could not start the async runtime: {e}")))
}

fn run(cli: Cli) -> Result<ExitCode> {
    let Some(command) = &cli.command else {
        return open_window(data_dir(&cli)?, cli.try_sandbox);
    };
    match command {
        Command::Sandbox(SandboxCommand::Serve(args)) => serve_sandbox(args),
        Command::Pipeline { action, json } => {
            two_way::run(&App::open(&data_dir(&cli)?)?, TwoWay::Pipeline(action.as_ref(), *json))
        }
        Command::Mapping(action) => two_way::run(&App::open(&data_dir(&cli)?)?, TwoWay::Mapping(action)),
        Command::Move { application, stage, ats_stage, connection } => {
            let target = match (stage, ats_stage) {
                (Some(s), _) => app::MoveTarget::Pipeline(s.clone()),
                (None, Some(a)) => app::MoveTarget::Ats(a.clone()),
                (None, None) => return Err(Error::Validation("say where to: --stage or --ats-stage".into())),
            };
            two_way::run(
                &App::open(&data_dir(&cli)?)?,
                TwoWay::Move { application, target, connection: connection.as_deref() },
            )
        }
        Command::Reject { application, reason, connection } => two_way::run(
            &App::open(&data_dir(&cli)?)?,
            TwoWay::Reject { application, reason, connection: connection.as_deref() },
        ),
        Command::Note { talent, text, connection } => two_way::run(
            &App::open(&data_dir(&cli)?)?,
            TwoWay::Note { talent, text, connection: connection.as_deref() },
        ),
        Command::Reasons { name, json } => {
            two_way::run(&App::open(&data_dir(&cli)?)?, TwoWay::Reasons { name, json: *json })
        }
        Command::Push { name } => {
            let app = App::open(&data_dir(&cli)?)?;
            two_way::push(&app, &runtime()?, name.as_deref())
        }
        Command::Outbox { connection, json } => two_way::run(
            &App::open(&data_dir(&cli)?)?,
            TwoWay::Outbox { connection: connection.as_deref(), json: *json },
        ),
        Command::Resolve { id, keep_ats, apply_mine } => {
            let how = app::resolution(*keep_ats, *apply_mine)?;
            two_way::run(&App::open(&data_dir(&cli)?)?, TwoWay::Resolve { id: *id, how })
        }
        Command::Connect { provider, name, client_id, user_id, base_url, auth_url } => {
            let app = App::open(&data_dir(&cli)?)?;
            let secret = read_secret(*provider)?;
            let input = ConnectInput {
                provider: *provider,
                name: name.clone(),
                secret,
                client_id: client_id.clone(),
                user_id: user_id.clone(),
                base_url: base_url.clone(),
                auth_url: auth_url.clone(),
            };
            let conn = runtime()?.block_on(app.connect(input, Utc::now()))?;
            println!(
                "Connected {:?} ({}). Run `talentdeck sync {:?}` to import its data.",
                conn.name, conn.provider, conn.name
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Reconnect { name, client_id, user_id } => {
            let app = App::open(&data_dir(&cli)?)?;
            let conn = app.connection_named(name)?;
            let secret = read_secret(conn.provider)?;
            let input = ReconnectInput { secret, client_id: client_id.clone(), user_id: user_id.clone() };
            let conn = runtime()?.block_on(app.reconnect(conn.id, input, Utc::now()))?;
            println!(
                "Reconnected {:?}. The next `talentdeck sync {:?}` resumes where the last one stopped.",
                conn.name, conn.name
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Disconnect { name, purge } => {
            let app = App::open(&data_dir(&cli)?)?;
            let counts = runtime()?.block_on(app.disconnect(connection_id(&app, name)?, *purge, Utc::now()))?;
            let summary =
                counts.iter().filter(|(_, n)| *n > 0).map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", ");
            let summary = if summary.is_empty() { "no records".to_string() } else { summary };
            if *purge {
                println!(
                    "Disconnected {name:?}: its credential was removed from the keychain and {summary} were deleted."
                );
            } else {
                println!(
                    "Disconnected {name:?}: its credential was removed from the keychain; {summary} stay browsable, read-only. \
                     `talentdeck reconnect {name:?}` syncs it again, `talentdeck disconnect {name:?} --purge` deletes them."
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Diagnose { name, out } => {
            let app = App::open(&data_dir(&cli)?)?;
            let bundle = app.diagnose(opt_connection_id(&app, name.as_deref())?, Utc::now())?;
            let mut text = serde_json::to_string_pretty(&bundle)?;
            text.push('\n');
            match out {
                Some(path) => {
                    std::fs::write(path, text)?;
                    eprintln!("Wrote the diagnostics bundle to {}", path.display());
                }
                None => std::io::stdout().lock().write_all(text.as_bytes())?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Files { name, talent, max_files, max_file_mb } => {
            let app = App::open(&data_dir(&cli)?)?;
            let limits =
                FileLimits { max_files: *max_files, max_file_bytes: max_file_mb * 1_048_576, ..FileLimits::default() };
            fetch_files(&app, name.as_deref(), talent.as_deref(), &limits)
        }
        Command::Sync { name, full } => {
            let app = App::open(&data_dir(&cli)?)?;
            let all = match name {
                Some(n) => vec![app.connection_named(n)?],
                None => app.connections()?,
            };
            if all.is_empty() {
                return Err(Error::NotFound("there are no connections to sync; run `talentdeck connect` first".into()));
            }
            // Syncing "everything" means every connection that can be synced; naming a
            // disconnected one gets the reason it cannot.
            let (targets, skipped): (Vec<_>, Vec<_>) =
                all.into_iter().partition(|c| name.is_some() || c.state != ConnectionState::Disconnected);
            for c in &skipped {
                eprintln!("{}: skipped, disconnected (`talentdeck reconnect {:?}` to sync it again)", c.name, c.name);
            }
            let rt = runtime()?;
            let mut failed = false;
            for conn in targets {
                let progress = ProgressView::new(&conn.name);
                let outcome =
                    rt.block_on(app.sync(conn.id, *full, talentdeck::model::Trigger::Manual, &|p| progress.update(p)))?;
                progress.finish();
                match outcome {
                    SyncOutcome::Joined => eprintln!("{}: joined the sync that was already running", conn.name),
                    SyncOutcome::Ran(report) => {
                        let n =
                            |f: fn(&talentdeck::store::RunCounts) -> u64| report.counts.values().map(f).sum::<u64>();
                        let line = format!(
                            "{}: {} — {} created, {} updated, {} deleted, {} skipped, {} requests{}",
                            conn.name,
                            report.state.as_str(),
                            n(|c| c.created),
                            n(|c| c.updated),
                            n(|c| c.deleted),
                            n(|c| c.skipped),
                            report.requests,
                            if report.rate_limited > 0 {
                                format!(", {} rate-limited", report.rate_limited)
                            } else {
                                String::new()
                            }
                        );
                        match report.error {
                            None => println!("{line}"),
                            Some(e) => {
                                let hint = match talentdeck::lifecycle::state_after_run(Some(&e)) {
                                    ConnectionState::NeedsReconnect | ConnectionState::PermissionDenied => {
                                        format!(" — then run `talentdeck reconnect {:?}` (secret on stdin); syncing resumes where it stopped", conn.name)
                                    }
                                    _ => String::new(),
                                };
                                eprintln!("talentdeck: {}: sync failed: {e}{hint}", conn.name);
                                failed = true;
                            }
                        }
                    }
                }
            }
            Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Run => {
            let app = std::sync::Arc::new(App::open(&data_dir(&cli)?)?);
            let runner = Runner::new(app, std::sync::Arc::new(Printer::default()));
            runtime()?.block_on(async {
                eprintln!("Keeping every connection synced on its schedule; Ctrl+C stops.");
                tokio::select! {
                    _ = runner.run(None) => {}
                    _ = tokio::signal::ctrl_c() => eprintln!("Stopped."),
                }
            });
            Ok(ExitCode::SUCCESS)
        }
        Command::ExtractText { max_text_bytes } => Ok(crate::extract_text::run(*max_text_bytes)),
        Command::Status { json } => {
            let app = App::open(&data_dir(&cli)?)?;
            let statuses = app.status(Utc::now())?;
            let mut out = std::io::stdout().lock();
            if *json {
                serde_json::to_writer_pretty(&mut out, &statuses)?;
                writeln!(out)?;
            } else if statuses.is_empty() {
                writeln!(out, "No connections yet. Run `talentdeck connect` or open the app and try the sandbox ATS.")?;
            } else {
                for s in statuses {
                    let last = s.last_success_at.map(|t| t.to_rfc3339()).unwrap_or_else(|| "never".into());
                    writeln!(
                        out,
                        "{:<24} {:<10} {:<16} {:<8} last success: {}{}{}",
                        s.name,
                        s.provider.as_str(),
                        s.state.as_str(),
                        s.indicator.as_str(),
                        last,
                        s.next_sync_at.map(|t| format!("  next sync: {}", t.to_rfc3339())).unwrap_or_default(),
                        s.last_error.map(|e| format!("  last error: {e}")).unwrap_or_default()
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Schedule { name, every } => {
            let app = App::open(&data_dir(&cli)?)?;
            let id = app.connection_named(name)?.id;
            let s = app.set_sync_interval(id, *every, Utc::now())?;
            match s.sync_interval_minutes {
                Some(m) => println!("{}: syncs every {m} minutes while the app is open", s.name),
                None => println!("{}: automatic sync is off; sync it with `talentdeck sync` or from the app", s.name),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { kind, connection } => {
            let app = App::open(&data_dir(&cli)?)?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            app.export(*kind, connection.as_deref(), |record| {
                serde_json::to_writer(&mut out, &record)?;
                out.write_all(b"\n")?;
                Ok(())
            })?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(feature = "bench")]
        Command::Bench { push: Some(moves), provider, json, .. } => {
            let report = crate::bench_push::run(*provider, *moves, &|step| eprintln!("bench: {step}"))?;
            print_report(&report, *json, crate::bench_push::render)
        }
        #[cfg(feature = "bench")]
        Command::Bench { paced: true, provider, talents, json, .. } => {
            let talents = talents.unwrap_or(5_000);
            let report = crate::bench_push::run_sync(*provider, talents, &|step| eprintln!("bench: {step}"))?;
            print_report(&report, *json, crate::bench_push::render_sync)
        }
        #[cfg(feature = "bench")]
        Command::Bench { search: true, talents, json, .. } => {
            let report = crate::bench_search::run(talents.unwrap_or(100_000), &|step| eprintln!("bench: {step}"))?;
            print_report(&report, *json, crate::bench_search::render)
        }
        #[cfg(feature = "bench")]
        Command::Bench { talents, changes, json, .. } => {
            let opts = crate::bench::BenchOptions { talents: talents.unwrap_or(100_000), changes: *changes };
            let report = crate::bench::run(&opts, &|step| eprintln!("bench: {step}"))?;
            print_report(&report, *json, crate::bench::render)
        }
        Command::Duplicates { json } => {
            let app = App::open(&data_dir(&cli)?)?;
            let pairs = app.duplicates()?;
            let mut out = std::io::stdout().lock();
            if *json {
                serde_json::to_writer_pretty(&mut out, &pairs)?;
                writeln!(out)?;
            } else if pairs.is_empty() {
                writeln!(out, "No likely duplicates.")?;
            } else {
                let record = |r: &talentdeck::store::DuplicateRecord| {
                    format!("{} (#{}, {} {}, {})", r.name, r.id, r.connection, r.remote_id, r.provider)
                };
                for p in &pairs {
                    let evidence: Vec<String> =
                        p.evidence.iter().map(|e| format!("same {} {}", evidence_label(&e.kind), e.key)).collect();
                    let strength = if p.strong { "likely" } else { "weak, name and company only" };
                    writeln!(out, "{}\n  = {}\n  {strength}: {}", record(&p.a), record(&p.b), evidence.join("; "))?;
                }
                let strong = pairs.iter().filter(|p| p.strong).count();
                writeln!(out, "{} pairs ({strong} likely, {} weak)", pairs.len(), pairs.len() - strong)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Log { connection, limit } => {
            let app = App::open(&data_dir(&cli)?)?;
            let mut out = std::io::stdout().lock();
            for e in app.log(opt_connection_id(&app, connection.as_deref())?, *limit)? {
                writeln!(
                    out,
                    "{} {:<7} {:<20} {}{}",
                    e.at.to_rfc3339(),
                    e.level.as_str(),
                    e.connection.unwrap_or_default(),
                    e.message,
                    e.detail.map(|d| format!(" ({d})")).unwrap_or_default()
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn evidence_label(kind: &str) -> &str {
    match kind {
        "email" => "e-mail",
        "name_company" => "name and company",
        other => other,
    }
}

/// Reads the secret from stdin: prompted without echo on a terminal, else the first line.
fn read_secret(provider: Provider) -> Result<String> {
    use std::io::IsTerminal;
    let what = if provider == Provider::Greenhouse { "Greenhouse client secret" } else { "API key" };
    let secret = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{} {what}: ", provider.display_name()))?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line
    };
    let secret = secret.trim().to_string();
    if secret.is_empty() {
        return Err(Error::Validation(format!("no {what} was given on stdin")));
    }
    Ok(secret)
}

/// Sync progress: a bar per connection on a terminal, plain lines otherwise.
struct ProgressView {
    bar: Option<indicatif::ProgressBar>,
    name: String,
    last_line: std::sync::Mutex<std::time::Instant>,
}

impl ProgressView {
    fn new(name: &str) -> ProgressView {
        use std::io::IsTerminal;
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::new_spinner();
            b.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {prefix}: {msg} [{elapsed}]").expect("template"),
            );
            b.set_prefix(name.to_string());
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b
        });
        ProgressView { bar, name: name.to_string(), last_line: std::sync::Mutex::new(std::time::Instant::now()) }
    }

    fn update(&self, p: &talentdeck::sync::Progress) {
        let msg = format!(
            "{}: {} records, {} pages{}",
            p.resource.as_str(),
            p.records,
            p.pages,
            if p.done { " (done)" } else { "" }
        );
        match &self.bar {
            Some(b) => b.set_message(msg),
            None => {
                // Plain lines, at most one a second (plus each finished resource), for logs.
                let mut last = self.last_line.lock().unwrap_or_else(|e| e.into_inner());
                if p.done || last.elapsed() >= std::time::Duration::from_secs(1) {
                    eprintln!("{}: {msg}", self.name);
                    *last = std::time::Instant::now();
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// `talentdeck files`: one file step per connection, or every file of one talent (paths printed).
fn fetch_files(app: &App, name: Option<&str>, talent: Option<&str>, limits: &FileLimits) -> Result<ExitCode> {
    let rt = runtime()?;
    let mut failed = false;
    if let (Some(name), Some(remote_id)) = (name, talent) {
        let conn = app.connection_named(name)?;
        let talent_id = app.talent_id(conn.id, remote_id)?;
        let files = rt.block_on(app.talent_files(talent_id))?;
        if files.is_empty() {
            println!("{name}: talent {remote_id} has no files");
        }
        for f in files {
            match rt.block_on(app.open_file(f.id, limits)) {
                Ok(path) => println!("{}", path.display()),
                Err(e) => {
                    eprintln!("talentdeck: {}: {e}", f.attachment.filename);
                    failed = true;
                }
            }
        }
        return Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS });
    }
    let all = match name {
        Some(n) => vec![app.connection_named(n)?],
        None => app.connections()?,
    };
    for conn in all {
        match rt.block_on(app.fetch_files(conn.id, limits))? {
            None if conn.state.awaits_credential() => {
                eprintln!("{}: skipped, {} (`talentdeck reconnect {:?}` first)", conn.name, conn.state, conn.name)
            }
            None => eprintln!("{}: skipped, its files are already being fetched", conn.name),
            Some(r) => {
                println!("{}: {}", conn.name, r.summary());
                if let Some(e) = r.stopped {
                    eprintln!("talentdeck: {}: stopped early: {e}", conn.name);
                    failed = true;
                }
            }
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn serve_sandbox(args: &ServeArgs) -> Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.fail_rate) {
        return Err(Error::Validation("--fail-rate must be between 0 and 1".into()));
    }
    let cfg = SandboxConfig {
        provider: args.provider,
        port: args.port,
        seed: args.seed,
        jobs: args.jobs,
        talents: args.talents,
        credentials: args.credentials.clone(),
        faults: Faults {
            rate_limit: args.rate_limit.clone(),
            latency: std::time::Duration::from_millis(args.latency_ms),
            fail_rate: args.fail_rate,
            expire_credential_after: args.expire_credential_after,
            deny_scopes: args.deny_scopes.clone(),
        },
    };
    runtime()?.block_on(async {
        let sandbox = Sandbox::start(cfg).await?;
        {
            let mut out = std::io::stdout().lock();
            serde_json::to_writer(&mut out, sandbox.info())?;
            writeln!(out)?;
            out.flush()?;
        }
        wait_for_shutdown().await;
        sandbox.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}

async fn wait_for_shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(feature = "desktop")]
fn open_window(data_dir: PathBuf, try_sandbox: Option<Provider>) -> Result<ExitCode> {
    crate::shell::run(data_dir, try_sandbox)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "desktop"))]
fn open_window(_data_dir: PathBuf, _try_sandbox: Option<Provider>) -> Result<ExitCode> {
    Err(Error::Validation(
        "this build of Talentdeck has no desktop window (built without the `desktop` feature); run a command, see --help".into(),
    ))
}

/// A benchmark's report: one pretty JSON object with `--json`, else its table.
#[cfg(feature = "bench")]
fn print_report<R: serde::Serialize>(report: &R, json: bool, render: fn(&R) -> String) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, report)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render(report))?;
    }
    Ok(ExitCode::SUCCESS)
}
