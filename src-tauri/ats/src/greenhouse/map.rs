//! Harvest v3 records onto the model: jobs (with department and office names, read once and
//! cached), stages, candidates, applications, stage history and attachments.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::paging::ListBody;
use super::Greenhouse;
use crate::record::{Read, Rec};
use model::error::Result;
use model::{Application, ApplicationStatus, Attachment, Job, JobStatus, Stage, StageChange, Talent};

/// Department and office names by id, for jobs (which carry only the ids).
#[derive(Default)]
pub(super) struct Names {
    departments: HashMap<u64, String>,
    offices: HashMap<u64, String>,
}

impl Greenhouse {
    async fn load_names(&self) -> Result<Names> {
        let index = |pages: Vec<ListBody>, list: &str| -> Result<HashMap<u64, String>> {
            let mut m = HashMap::new();
            for page in &pages {
                for r in page.records()? {
                    match (r.value("id").and_then(|v| v.as_u64()), r.value("name").as_deref()) {
                        (Some(id), Some(Value::String(name))) => {
                            m.insert(id, name.clone());
                        }
                        _ => {
                            tracing::warn!(list, id = ?r.id, "a Greenhouse record without an id or a name was ignored")
                        }
                    }
                }
            }
            Ok(m)
        };
        let departments = index(self.fetch_all("departments").await?, "departments")?;
        let offices = index(self.fetch_all("offices").await?, "offices")?;
        Ok(Names { departments, offices })
    }

    /// The department and office names, loaded once per connector; loaded again (once per
    /// page) if a job names one created since.
    pub(super) async fn names_for(&self, jobs: &[Rec<'_>]) -> Result<Arc<Names>> {
        let mut slot = self.names.lock().await;
        let mut fresh = false;
        if slot.is_none() {
            *slot = Some(Arc::new(self.load_names().await?));
            fresh = true;
        }
        let names = slot.clone().expect("loaded above");
        let unknown = jobs.iter().any(|j| {
            let dept =
                j.value("department_id").and_then(|d| d.as_u64()).is_some_and(|d| !names.departments.contains_key(&d));
            let office = first_office(j).is_some_and(|o| !names.offices.contains_key(&o));
            dept || office
        });
        if unknown && !fresh {
            let reloaded = Arc::new(self.load_names().await?);
            *slot = Some(reloaded.clone());
            return Ok(reloaded);
        }
        Ok(names)
    }
}

fn first_office(job: &Rec) -> Option<u64> {
    job.value("office_ids")?.as_array()?.first()?.as_u64()
}

pub(super) fn job(r: &Rec, names: &Names) -> Read<Job> {
    let remote_id = r.int_id("id")?;
    let title = r.text("name")?;
    let status = match r.str("status")?.as_str() {
        "open" => JobStatus::Open,
        "closed" => JobStatus::Closed,
        "draft" => JobStatus::Draft,
        other => return Err(r.skip("status", format!("unknown job status {other:?} (expected open, closed or draft)"))),
    };
    let department_id = r.opt("department_id", "an integer id", Value::as_u64)?;
    let office_ids = r
        .opt("office_ids", "a list of integer ids", |v| {
            v.as_array()?.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>()
        })?
        .unwrap_or_default();
    let updated_at = r.time("updated_at")?;
    Ok(Job {
        remote_id,
        title,
        status,
        department: department_id.and_then(|d| names.departments.get(&d).cloned()),
        // The first office is the one recruiters see as "the" location.
        location: office_ids.first().and_then(|o| names.offices.get(o).cloned()),
        updated_at,
        extra: r.extra(&[
            "closed_at",
            "confidential",
            "created_at",
            "custom_fields",
            "department_id",
            "office_ids",
            "opened_at",
            "requisition_id",
        ]),
        // The text lives on the job's posts, read apart (`posts`): the stored text stays.
        details: None,
    })
}

pub(super) fn stage(r: &Rec) -> Read<Stage> {
    Ok(Stage {
        remote_id: r.int_id("id")?,
        // v3 stages always belong to a job; tolerate a null rather than drop the stage.
        job_remote_id: r.opt_int_id("job_id")?,
        name: r.text("name")?,
        position: r.int("sort_order")?,
        ats_type: None,
    })
}

pub(super) fn talent(r: &Rec) -> Read<Talent> {
    let remote_id = r.int_id("id")?;
    let first_name = r.opt_str("first_name")?;
    let last_name = r.opt_str("last_name")?;
    let name =
        format!("{} {}", first_name.as_deref().unwrap_or(""), last_name.as_deref().unwrap_or("")).trim().to_string();
    if name.is_empty() {
        return Err(r.skip("first_name", "the candidate has neither a first nor a last name"));
    }
    Ok(Talent {
        remote_id,
        name,
        first_name,
        last_name,
        emails: r.strings_in("email_addresses", "value")?,
        phones: r.strings_in("phone_numbers", "value")?,
        company: r.opt_str("company")?,
        title: r.opt_str("title")?,
        tags: r.strings("tags")?,
        updated_at: r.time("updated_at")?,
        extra: r.extra(&["created_at", "custom_fields", "last_activity_at", "preferred_name"]),
    })
}

pub(super) fn application(r: &Rec) -> Read<Application> {
    let remote_id = r.int_id("id")?;
    let talent_remote_id = r.int_id("candidate_id")?;
    let prospect = r.opt_bool("prospect")?.unwrap_or(false);
    let job_id = r.opt_int_id("job_id")?;
    let status = match r.str("status")?.as_str() {
        "in_process" => ApplicationStatus::Active,
        "rejected" => ApplicationStatus::Rejected,
        "hired" => ApplicationStatus::Hired,
        // A prospect turned into a candidate: still in play.
        "converted" => ApplicationStatus::Active,
        other => {
            return Err(r.skip(
                "status",
                format!("unknown application status {other:?} (expected in_process, rejected, hired or converted)"),
            ))
        }
    };
    Ok(Application {
        remote_id,
        talent_remote_id,
        // The export contract: a prospect has no job.
        job_remote_id: if prospect { None } else { job_id },
        stage_remote_id: r.opt_int_id("job_interview_stage_id")?,
        stage_name: r.opt_str("stage_name")?,
        status,
        updated_at: r.time("updated_at")?,
        extra: r.extra(&[
            "coordinator_id",
            "created_at",
            "custom_fields",
            "job_post_id",
            "prospect",
            "prospective_job_ids",
            "recruiter_id",
            "referrer_id",
            "rejected_at",
            "rejection_reason_id",
            "source",
            "source_id",
        ]),
    })
}

pub(super) fn stage_change(r: &Rec) -> Read<StageChange> {
    r.int_id("id")?;
    Ok(StageChange {
        application_remote_id: r.int_id("application_id")?,
        stage_remote_id: r.int_id("job_interview_stage_id")?,
        // application_stages carry only the stage id; the stage's name is in the stages pass.
        stage_name: None,
        entered_at: r.time("entered_at")?,
        exited_at: r.opt_time("exited_at")?,
    })
}

pub(super) fn attachment(r: &Rec) -> Read<Attachment> {
    let kind = match r.opt_str("type")?.as_deref() {
        Some("resume") => "resume",
        Some("cover_letter") => "cover_letter",
        _ => "other",
    };
    Ok(Attachment {
        remote_id: r.int_id("id")?,
        talent_remote_id: r.int_id("candidate_id")?,
        application_remote_id: r.opt_int_id("application_id")?,
        filename: r.text("filename")?,
        kind: kind.to_string(),
        // A signed URL (about 7 days); the bytes are fetched later, never here.
        url: r.opt_str("url")?,
        updated_at: r.opt_time("updated_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::paging::read_list;
    use super::*;
    use crate::Skipped;

    #[test]
    fn a_malformed_candidate_is_skipped_with_its_id_and_field() {
        let read = |v: Value| talent(&Rec::list(&format!("[{v}]")).unwrap()[0]);
        let s = read(serde_json::json!({ "id": 42, "first_name": 7, "last_name": "Lovelace", "updated_at": "2026-01-01T00:00:00.000Z" })).unwrap_err();
        assert_eq!((s.remote_id.as_deref(), s.field.as_str()), (Some("42"), "first_name"));
        let v = serde_json::json!({ "id": 43, "first_name": "Ada", "email_addresses": "a@x.test, b@x.test", "updated_at": "2026-01-01T00:00:00.000Z" });
        assert_eq!(read(v).unwrap_err().field, "email_addresses");
        assert_eq!(
            read(serde_json::json!("not an object")).unwrap_err(),
            Skipped { remote_id: None, field: "record".into(), reason: "expected an object, found a string".into() }
        );
    }

    #[tokio::test]
    async fn a_page_is_read_in_place_whatever_its_encoding_and_non_lists_are_refused() {
        let answer = |body: &[u8]| reqwest::Response::from(::http::Response::new(body.to_vec()));
        let mut body = br#"[{"id": 1, "first_name": "Ren"#.to_vec();
        body.push(0xE9); // Latin-1 "é": not UTF-8
        body.extend_from_slice(
            br#"e", "last_name": "Dupr\u00e9", "tags": ["a"], "updated_at": "2026-01-01T00:00:00Z", "ti\u0074le": "CTO", "company": null}]"#,
        );
        let page = read_list(answer(&body), "GET /v3/candidates").await.unwrap();
        let t = talent(&page.records().unwrap()[0]).unwrap();
        // Escapes are read in values and in keys; null reads as absent.
        assert_eq!((t.name.as_str(), t.title.as_deref(), t.company), ("Ren\u{FFFD}e Dupré", Some("CTO"), None));
        assert_eq!((t.remote_id.as_str(), t.tags), ("1", vec!["a".to_string()]));
        let e =
            read_list(answer(br#"{"error": "nope"}"#), "GET /v3/candidates").await.unwrap().records().err().unwrap();
        assert!(e.to_string().contains("something other than a list of records"), "{e}");
        let e = read_list(answer(b"<html>busy</html>"), "GET /v3/candidates").await.unwrap().records().err().unwrap();
        assert!(e.to_string().contains("something other than JSON: <html>busy</html>"), "{e}");
    }
}
