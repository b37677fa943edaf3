//! Ashby records onto the model: jobs (department and location names from `department.list`
//! and `location.list`, read once and cached, re-read once when a job names an id the cache
//! does not know), interview stages, candidates with their file handles, and applications.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{json, Value};

use super::Ashby;
use crate::record::{Read, Rec};
use model::error::Result;
use model::{Application, ApplicationStatus, Attachment, Job, JobStatus, Stage, Talent};

#[derive(Default)]
pub(super) struct Org {
    departments: HashMap<String, String>,
    locations: HashMap<String, String>,
    /// Ids jobs named that a fresh read did not know: not worth another read.
    missing: HashSet<String>,
}

impl Ashby {
    async fn load_org(&self) -> Result<Org> {
        let mut org = Org::default();
        for v in self.list_all("department.list", json!({ "includeArchived": true })).await? {
            if let (Some(id), Some(name)) = (v.get("id").and_then(Value::as_str), v.get("name").and_then(Value::as_str))
            {
                org.departments.insert(id.to_string(), name.to_string());
            }
        }
        for v in self.list_all("location.list", json!({ "includeArchived": true })).await? {
            if let (Some(id), Some(name)) = (v.get("id").and_then(Value::as_str), v.get("name").and_then(Value::as_str))
            {
                org.locations.insert(id.to_string(), name.to_string());
            }
        }
        Ok(org)
    }

    /// The cached names; read again (once) if one of `need` is unknown, e.g. a department
    /// created since the cache was filled.
    pub(super) async fn org(&self, need_departments: &[&str], need_locations: &[&str]) -> Result<Arc<Org>> {
        let mut guard = self.org.lock().await;
        if let Some(org) = guard.as_ref() {
            let known = need_departments.iter().all(|d| org.departments.contains_key(*d) || org.missing.contains(*d))
                && need_locations.iter().all(|l| org.locations.contains_key(*l) || org.missing.contains(*l));
            if known {
                return Ok(org.clone());
            }
        }
        let mut org = self.load_org().await?;
        if let Some(old) = guard.as_ref() {
            org.missing.extend(old.missing.iter().cloned());
        }
        for d in need_departments {
            if !org.departments.contains_key(*d) {
                tracing::warn!(department = %d, "an Ashby job names a department department.list does not know");
                org.missing.insert(d.to_string());
            }
        }
        for l in need_locations {
            if !org.locations.contains_key(*l) {
                tracing::warn!(location = %l, "an Ashby job names a location location.list does not know");
                org.missing.insert(l.to_string());
            }
        }
        let org = Arc::new(org);
        *guard = Some(org.clone());
        Ok(org)
    }
}

/// A stage's type: `type` in `interviewStage.list` and `jobInterviewPlan.info`,
/// `interviewStageType` in some of Ashby's reference pages (**unconfirmed** which; both read).
pub(super) fn stage_type(r: &Rec<'_>) -> Option<String> {
    r.value("type").or_else(|| r.value("interviewStageType")).and_then(|t| t.as_str().map(str::to_string))
}

pub(super) fn job(r: &Rec<'_>, org: &Org) -> Read<Job> {
    let remote_id = r.id()?;
    let title = r.str("title")?;
    let status = match r.str("status")?.as_str() {
        "Open" => JobStatus::Open,
        "Closed" => JobStatus::Closed,
        "Draft" => JobStatus::Draft,
        "Archived" => JobStatus::Archived,
        _ => return Err(r.skip("status", "not one of Open, Closed, Draft, Archived")),
    };
    // An id the lists do not know (warned about once, in `Ashby::org`) leaves the name empty.
    let department = r.opt_str("departmentId")?.and_then(|id| org.departments.get(&id).cloned());
    let location = r.opt_str("locationId")?.and_then(|id| org.locations.get(&id).cloned());
    Ok(Job {
        remote_id,
        title,
        status,
        department,
        location,
        updated_at: r.time("updatedAt")?,
        extra: r.extra_non_null(&[
            "closedAt",
            "confidential",
            "customFields",
            "defaultInterviewPlanId",
            "employmentType",
            "interviewPlanIds",
            "jobPostingIds",
            "openedAt",
        ]),
        // The text lives on the job's posting, read after the page (`Ashby::add_posting_details`).
        details: None,
    })
}

pub(super) fn stage(r: &Rec<'_>, job_id: &str) -> Read<Stage> {
    let remote_id = r.id()?;
    let position = r.int("orderInInterviewPlan")?;
    Ok(Stage {
        remote_id,
        job_remote_id: Some(job_id.to_string()),
        name: r.str("title")?,
        position,
        ats_type: stage_type(r),
    })
}

pub(super) fn talent(r: &Rec<'_>) -> Read<Talent> {
    Ok(Talent {
        remote_id: r.id()?,
        name: r.str("name")?,
        first_name: None,
        last_name: None,
        emails: r.strings_in("emailAddresses", "value")?,
        phones: r.strings_in("phoneNumbers", "value")?,
        company: r.opt_str("company")?,
        title: r.opt_str("position")?,
        tags: r.strings_in("tags", "title")?,
        updated_at: r.time("updatedAt")?,
        extra: r.extra_non_null(&[
            "createdAt",
            "customFields",
            "profileUrl",
            "school",
            "socialLinks",
            "source",
            "timezone",
        ]),
    })
}

/// The candidate's files: `resumeFileHandle` and `fileHandles[]`, each `{id, name, handle}`.
/// The handle is kept in `url`: `file.info` turns it into a short-lived download link.
pub(super) fn files(r: &Rec<'_>) -> Read<Vec<Attachment>> {
    let talent_remote_id = r.id()?;
    let read = |f: &Rec<'_>, kind: &str| -> Read<Attachment> {
        let name = f.value("name").and_then(|n| n.as_str().filter(|s| !s.is_empty()).map(str::to_string));
        Ok(Attachment {
            remote_id: f.str_id("id")?,
            talent_remote_id: talent_remote_id.clone(),
            application_remote_id: None,
            filename: name.unwrap_or_else(|| "file".to_string()),
            kind: kind.to_string(),
            url: Some(f.str_id("handle")?),
            updated_at: None,
        })
    };
    let mut out = Vec::new();
    if let Some(f) = r.object("resumeFileHandle")? {
        out.push(read(&f, "resume")?);
    }
    for f in r.items("fileHandles", "a list")? {
        let f = read(&f, "other")?;
        if !out.iter().any(|o| o.remote_id == f.remote_id) {
            out.push(f);
        }
    }
    Ok(out)
}

pub(super) fn application(r: &Rec<'_>) -> Read<Application> {
    let remote_id = r.id()?;
    // A linked record, when present, must name itself.
    let id_of = |linked: &Option<Rec<'_>>| {
        linked.as_ref().map(|l| l.req("id", "a string id", |v| v.as_str().map(str::to_string))).transpose()
    };
    let candidate = r.object("candidate")?;
    let talent_remote_id = id_of(&candidate)?.ok_or_else(|| r.skip("candidate", "missing"))?;
    let job_remote_id = id_of(&r.object("job")?)?;
    let stage = r.object("currentInterviewStage")?;
    let stage_remote_id = id_of(&stage)?;
    let stage_name = stage.as_ref().map(|s| s.opt_str("title")).transpose()?.flatten();
    let status = match r.str("status")?.as_str() {
        "Archived" => ApplicationStatus::Rejected,
        "Hired" => ApplicationStatus::Hired,
        _ => ApplicationStatus::Active,
    };
    Ok(Application {
        remote_id,
        talent_remote_id,
        job_remote_id,
        stage_remote_id,
        stage_name,
        status,
        updated_at: r.time("updatedAt")?,
        extra: r.extra_non_null(&["archiveReason", "archivedAt", "createdAt", "customFields", "source", "status"]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record;
    use crate::Page;

    #[test]
    fn a_malformed_candidate_is_skipped_by_field() {
        let mut page = Page::default();
        let good = json!({ "id": "c1", "name": "Ada", "emailAddresses": [{ "value": "a@x.test" }], "updatedAt": "2026-01-02T03:04:05.000Z" });
        let bad = json!({ "id": "c2", "name": "Bob", "emailAddresses": "a@x.test, b@x.test", "updatedAt": "2026-01-02T03:04:05.000Z" });
        for v in [&good, &bad, &json!(7)] {
            record::read_into(&mut page, "Ashby", &Rec::new(v), talent, |p, t| p.batch.talents.push(t));
        }
        assert_eq!(page.batch.talents.len(), 1);
        assert_eq!(page.listed, vec!["c1".to_string(), "c2".to_string()]);
        assert_eq!(page.skipped.len(), 2);
        assert_eq!(page.skipped[0].remote_id.as_deref(), Some("c2"));
        assert_eq!(page.skipped[0].field, "emailAddresses");
        assert!(!page.skipped[0].reason.contains("a@x.test"), "no personal data in reasons");
    }
}
