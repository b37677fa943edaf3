//! The two-way sync commands: pipeline, mapping, move, reject, note, reasons, push, outbox,
//! resolve. Each calls one use case in `app` and renders it.

use std::io::Write;
use std::process::ExitCode;

use chrono::Utc;
use clap::Subcommand;

use talentdeck::app::{field_directions, App, Direction, MoveTarget};
use talentdeck::error::{Error, Result};
use talentdeck::model::{OutboxKind, OutboxRow, OutboxState};
use talentdeck::store::Resolution;

use super::{connection_id, opt_connection_id};

#[derive(Subcommand)]
pub enum PipelineAction {
    /// Add an active stage
    Add {
        name: String,
        /// Put it after this stage [default: first]
        #[arg(long, value_name = "STAGE")]
        after: Option<String>,
    },
    /// Rename a stage (its mappings follow it)
    Rename { old: String, new: String },
    /// Remove a stage; its mappings move to another stage
    Remove {
        name: String,
        /// The stage that takes over its mappings
        #[arg(long, value_name = "STAGE")]
        into: String,
    },
}

#[derive(Subcommand)]
pub enum MappingAction {
    /// Every ATS stage of a connection and the Talentdeck stage it maps to
    Show {
        /// The connection's name
        name: String,
        /// Only this job's overrides (its id in the ATS)
        #[arg(long, value_name = "JOB_REMOTE_ID")]
        job: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Map an ATS stage (by name: every job's stage of that name) to a Talentdeck stage
    Set {
        name: String,
        #[arg(long, value_name = "ATS_STAGE")]
        ats_stage: String,
        /// The Talentdeck stage
        #[arg(long, value_name = "STAGE")]
        to: String,
        /// Only for this job (an override of the connection-wide mapping)
        #[arg(long, value_name = "JOB_REMOTE_ID")]
        job: Option<String>,
    },
    /// What Talentdeck suggests for each ATS stage; --apply stores the suggestions for stages
    /// without a recruiter's mapping
    Suggest {
        name: String,
        #[arg(long)]
        apply: bool,
    },
    /// Undo the connection's last mapping change
    Undo { name: String },
    /// Redo the mapping change undone last (while no change was made since)
    Redo { name: String },
}

pub enum TwoWay<'a> {
    Pipeline(Option<&'a PipelineAction>, bool),
    Mapping(&'a MappingAction),
    Move { application: &'a str, target: MoveTarget, connection: Option<&'a str> },
    Reject { application: &'a str, reason: &'a str, connection: Option<&'a str> },
    Note { talent: &'a str, text: &'a str, connection: Option<&'a str> },
    Reasons { name: &'a str, json: bool },
    Outbox { connection: Option<&'a str>, json: bool },
    Resolve { id: i64, how: Resolution },
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

fn stage_label(id: Option<&str>, name: Option<&str>) -> String {
    match (name, id) {
        (Some(n), _) => n.to_string(),
        (None, Some(i)) => format!("stage {i}"),
        (None, None) => "-".into(),
    }
}

/// One line about an outbox row.
fn describe(r: &OutboxRow) -> String {
    let what = match r.kind {
        OutboxKind::Move => format!(
            "move {} from {} to {}",
            r.application_remote_id.as_deref().unwrap_or("?"),
            stage_label(r.from_stage.as_deref(), r.from_stage_name.as_deref()),
            stage_label(r.to_stage.as_deref(), r.to_stage_name.as_deref())
        ),
        OutboxKind::Reject => format!(
            "reject {} ({})",
            r.application_remote_id.as_deref().unwrap_or("?"),
            r.reason_name.as_deref().or(r.reason.as_deref()).unwrap_or("?")
        ),
        OutboxKind::Note => format!("note on talent {}", r.talent_remote_id.as_deref().unwrap_or("?")),
    };
    let mut line = format!("#{} {:<8} {} [{}]", r.id, r.state.as_str(), what, r.connection);
    if r.state == OutboxState::Conflict {
        line.push_str(&format!(
            " — the ATS has it in {}; settle with `talentdeck resolve {} --keep-ats` or `--apply-mine`",
            stage_label(r.ats_stage.as_deref(), r.ats_stage_name.as_deref()),
            r.id
        ));
    } else if let Some(e) = &r.error {
        line.push_str(&format!(" — {e}"));
    }
    line
}

pub fn run(app: &App, cmd: TwoWay<'_>) -> Result<ExitCode> {
    let now = Utc::now();
    let mut out = std::io::stdout().lock();
    match cmd {
        TwoWay::Pipeline(action, json) => {
            match action {
                None => {}
                Some(PipelineAction::Add { name, after }) => {
                    app.add_pipeline_stage(name, after.as_deref())?;
                }
                Some(PipelineAction::Rename { old, new }) => {
                    app.rename_pipeline_stage(old, new)?;
                }
                Some(PipelineAction::Remove { name, into }) => app.remove_pipeline_stage(name, into)?,
            }
            let stages = app.pipeline()?;
            if json {
                print_json(&stages)?;
            } else {
                for s in stages {
                    writeln!(out, "{:>2}. {:<24} {}", s.position + 1, s.name, s.kind)?;
                }
            }
        }
        TwoWay::Mapping(MappingAction::Show { name, job, json }) => {
            let rows = app.mappings(connection_id(app, name)?, job.as_deref())?;
            if *json {
                print_json(&rows)?;
            } else {
                let provider = app.connection_named(name)?.provider;
                let dirs: Vec<String> = field_directions(provider)
                    .iter()
                    .map(|(f, d)| {
                        let arrow = match d {
                            Direction::Both => "both ways",
                            Direction::ToAts => "Talentdeck → ATS",
                            Direction::FromAts => "ATS → Talentdeck",
                        };
                        format!("{f}: {arrow}")
                    })
                    .collect();
                writeln!(out, "{name} ({provider}) — {}", dirs.join("; "))?;
                for r in &rows {
                    let to = match (&r.stage, r.suggested) {
                        (None, _) => "UNMAPPED".to_string(),
                        (Some(s), true) => format!("{s} (suggested)"),
                        (Some(s), false) => s.clone(),
                    };
                    let scope = r.job_remote_id.as_ref().map(|j| format!("job {j}: ")).unwrap_or_default();
                    writeln!(
                        out,
                        "  {scope}{:<32} → {:<24} {} active application(s)",
                        r.ats_stage, to, r.applications
                    )?;
                }
                let unmapped = rows.iter().filter(|r| r.stage.is_none()).count();
                if unmapped > 0 {
                    writeln!(
                        out,
                        "{unmapped} ATS stage(s) unmapped: their applications show as \"unmapped\". Map them with \
                         `talentdeck mapping set {name:?} --ats-stage <ATS stage> --to <stage>`"
                    )?;
                }
            }
        }
        TwoWay::Mapping(MappingAction::Set { name, ats_stage, to, job }) => {
            app.set_mapping(connection_id(app, name)?, ats_stage, to, job.as_deref(), now)?;
            let scope = job.as_ref().map(|j| format!(" for job {j}")).unwrap_or_default();
            writeln!(
                out,
                "{name}: {ats_stage:?}{scope} now maps to {to:?} (`talentdeck mapping undo {name:?}` undoes it)"
            )?;
        }
        TwoWay::Mapping(MappingAction::Suggest { name, apply }) => {
            for s in app.suggest_mappings(connection_id(app, name)?, *apply, now)? {
                let current = match (&s.current, s.confirmed) {
                    (None, _) => "unmapped".to_string(),
                    (Some(c), true) => format!("{c} (set by a recruiter, kept)"),
                    (Some(c), false) => format!("{c} (suggested)"),
                };
                writeln!(out, "{:<32} → {:<12} now: {current}", s.ats_stage, s.suggested.as_deref().unwrap_or("?"))?;
            }
        }
        TwoWay::Mapping(MappingAction::Undo { name }) => {
            let e = app.undo_mapping(connection_id(app, name)?, now)?;
            let scope = e.job_remote_id.as_ref().map(|j| format!(" for job {j}")).unwrap_or_default();
            writeln!(
                out,
                "{name}: undid {:?}{scope} → {} (made by {} at {}); it maps to {} again",
                e.ats_stage,
                e.after.as_deref().unwrap_or("unmapped"),
                e.by,
                e.at.to_rfc3339(),
                e.before.as_deref().unwrap_or("nothing")
            )?;
        }
        TwoWay::Mapping(MappingAction::Redo { name }) => {
            let e = app.redo_mapping(connection_id(app, name)?, now)?;
            let scope = e.job_remote_id.as_ref().map(|j| format!(" for job {j}")).unwrap_or_default();
            writeln!(
                out,
                "{name}: redid {:?}{scope}: it maps to {} again",
                e.ats_stage,
                e.after.as_deref().unwrap_or("nothing")
            )?;
        }
        TwoWay::Move { application, target, connection } => {
            let row = app.move_application(opt_connection_id(app, connection)?, application, &target, now)?;
            writeln!(out, "Queued {}", describe(&row))?;
        }
        TwoWay::Reject { application, reason, connection } => {
            let row = app.reject(opt_connection_id(app, connection)?, application, reason, now)?;
            writeln!(out, "Queued {}", describe(&row))?;
        }
        TwoWay::Note { talent, text, connection } => {
            let row = app.note(opt_connection_id(app, connection)?, talent, text, now)?;
            writeln!(out, "Queued {}", describe(&row))?;
        }
        TwoWay::Reasons { name, json } => {
            let reasons = app.reasons(connection_id(app, name)?)?;
            if json {
                print_json(&reasons)?;
            } else {
                for r in reasons {
                    writeln!(out, "{:<24} {}", r.remote_id, r.name)?;
                }
            }
        }
        TwoWay::Outbox { connection, json } => {
            let rows = app.outbox(opt_connection_id(app, connection)?)?;
            if json {
                print_json(&rows)?;
            } else if rows.is_empty() {
                writeln!(out, "Nothing queued.")?;
            } else {
                for r in &rows {
                    writeln!(out, "{}", describe(r))?;
                }
            }
        }
        TwoWay::Resolve { id, how } => {
            let row = app.resolve(id, how, now)?;
            match how {
                Resolution::KeepAts => writeln!(out, "Dropped #{id}: the ATS's stage stands")?,
                Resolution::ApplyMine => writeln!(out, "Queued again: {}", describe(&row))?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `talentdeck push [NAME]`.
pub fn push(app: &App, rt: &tokio::runtime::Runtime, name: Option<&str>) -> Result<ExitCode> {
    let conns = match name {
        Some(n) => vec![app.connection_named(n)?],
        None => app.connections()?,
    };
    let mut waiting = 0;
    let mut failed = 0;
    let mut reasons = Vec::new();
    for conn in conns {
        let report = rt.block_on(app.push(conn.id))?;
        if report.sent + report.conflicts + report.failed + report.waiting > 0 {
            println!("{}: {}", conn.name, report.summary());
        }
        waiting += report.waiting;
        failed += report.failed;
        if let Some(e) = report.stopped {
            reasons.push(format!("{}: {e}", conn.name));
        }
        for r in app.outbox(Some(conn.id))?.iter().filter(|r| r.state == OutboxState::Conflict) {
            println!("  {}", describe(r));
        }
    }
    if waiting == 0 && failed == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    let why = if reasons.is_empty() { String::new() } else { format!(" ({})", reasons.join("; ")) };
    Err(Error::Validation(format!(
        "{waiting} change(s) still wait and {failed} were refused{why}; `talentdeck outbox` shows them"
    )))
}
