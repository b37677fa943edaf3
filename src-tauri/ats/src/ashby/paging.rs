//! Ashby's `{limit, cursor, syncToken}` paging: `moreDataAvailable` / `nextCursor`, a
//! `syncToken` on a pass's last page, and the position each page hands the engine. Then the
//! passes: jobs, candidates and applications (incremental through `syncToken`), and stages,
//! read from every job's interview plans.

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::map::{application, files, job, stage, talent, Org};
use super::rpc::{gone, is_cursor_error, refusal_error, unsupported};
use super::{Ashby, JOB_STATUSES};
use crate::record::{self, Read, Rec};
use crate::{Page, PageRequest, Since};
use model::error::{Error, Result};
use model::Resource;

/// Ashby's page size limit (also its default).
const PAGE_LIMIT: u64 = 100;

/// What `Page::next` carries: everything needed to ask for the following page, even from a
/// new process after a crash.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Resume {
    /// The resource the pass is over (a guard against a checkpoint of another pass).
    r: String,
    /// Ashby's `nextCursor` (of `job.list` in the Stages pass).
    c: String,
    /// The `syncToken` the delta run started from, sent with every page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    t: Option<String>,
}

/// One list page as Ashby returns it.
pub(super) struct ListPage {
    results: Vec<Value>,
    next_cursor: Option<String>,
    sync_token: Option<String>,
}

impl Ashby {
    /// One page of a list endpoint, its shape checked.
    async fn list_page(&self, what: &str, body: &Value) -> Result<ListPage> {
        let v = self.post(what, body).await?;
        parse_list(what, body, v)
    }

    /// Every record of a small list (departments, locations, a plan's stages).
    pub(super) async fn list_all(&self, what: &str, base: Value) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut body = base.clone();
            body["limit"] = json!(PAGE_LIMIT);
            if let Some(c) = &cursor {
                body["cursor"] = json!(c);
            }
            let page = self.list_page(what, &body).await?;
            out.extend(page.results);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(out),
            }
        }
    }

    /// The first page body of a pass over a token-capable list, or the body for `resume`.
    fn list_body(resource: Resource, token: Option<&str>, cursor: Option<&str>) -> Value {
        let mut body = json!({ "limit": PAGE_LIMIT });
        if resource == Resource::Jobs || resource == Resource::Stages {
            body["status"] = json!(JOB_STATUSES);
        }
        if let Some(t) = token {
            body["syncToken"] = json!(t);
        }
        if let Some(c) = cursor {
            body["cursor"] = json!(c);
        }
        body
    }

    /// Where a pass stands: its syncToken (for a delta) and the cursor of the next page. A
    /// stored position that cannot be used (unreadable, or another resource's) starts the pass
    /// over from its first page: listing again is always correct, only slower.
    pub(super) fn position(req: &PageRequest) -> (Option<String>, Option<String>) {
        if let Some(p) = &req.page {
            match serde_json::from_str::<Resume>(p) {
                Ok(r) if r.r == req.resource.as_str() => return (r.t, Some(r.c)),
                _ => tracing::warn!(
                    resource = req.resource.as_str(),
                    "the stored Ashby page position is unusable; starting the pass over"
                ),
            }
        }
        let token = match &req.since {
            Since::Token(t) => Some(t.clone()),
            // Ashby has no updated-since filter: anything else is a full listing.
            Since::Everything | Since::UpdatedSince(_) => None,
        };
        (token, None)
    }

    /// One page of `job.list`, `candidate.list` or `application.list`.
    pub(super) async fn record_page(&self, req: &PageRequest) -> Result<Page> {
        let what = match req.resource {
            Resource::Jobs => "job.list",
            Resource::Talents => "candidate.list",
            Resource::Applications => "application.list",
            other => return Err(unsupported(other)),
        };
        let (token, cursor) = Self::position(req);
        let body = Self::list_body(req.resource, token.as_deref(), cursor.as_deref());
        let list = match self.list_page(what, &body).await {
            // A full pass resumed after its cursor died: list from the start again (records
            // already written are upserted again, harmlessly). A delta pass instead lets the
            // engine fall back to a full pass.
            Err(Error::ResyncRequired(why)) if cursor.is_some() && token.is_none() && is_cursor_error(&why) => {
                tracing::info!(resource = req.resource.as_str(), "Ashby's page cursor expired; restarting the listing");
                let body = Self::list_body(req.resource, None, None);
                self.list_page(what, &body).await?
            }
            other => other?,
        };
        let mut page = Page::default();
        match req.resource {
            Resource::Jobs => {
                let mut deps = Vec::new();
                let mut locs = Vec::new();
                for v in &list.results {
                    if let Some(d) = v.get("departmentId").and_then(Value::as_str) {
                        deps.push(d);
                    }
                    if let Some(l) = v.get("locationId").and_then(Value::as_str) {
                        locs.push(l);
                    }
                }
                let org =
                    if list.results.is_empty() { Arc::new(Org::default()) } else { self.org(&deps, &locs).await? };
                for v in &list.results {
                    record::read_into(&mut page, "Ashby", &Rec::new(v), |r| job(r, &org), |p, j| p.batch.jobs.push(j));
                }
                self.add_posting_details(&mut page, &list.results).await?;
            }
            Resource::Talents => {
                for v in &list.results {
                    let read = |r: &Rec<'_>| -> Read<_> { Ok((talent(r)?, files(r))) };
                    record::read_into(&mut page, "Ashby", &Rec::new(v), read, |p, (t, files)| {
                        match files {
                            // The candidate carries its complete file list: any other stored
                            // file of theirs was removed in Ashby.
                            Ok(files) => {
                                p.batch.files_of_talents.push(t.remote_id.clone());
                                p.batch.attachments.extend(files);
                            }
                            // Keep the candidate and the files stored for them; say why.
                            Err(s) => {
                                tracing::warn!(remote_id = ?s.remote_id, field = %s.field, reason = %s.reason, "ignoring an unreadable Ashby file handle");
                            }
                        }
                        p.batch.talents.push(t);
                    });
                }
            }
            _ => {
                for v in &list.results {
                    let push = |p: &mut Page, a| p.batch.applications.push(a);
                    record::read_into(&mut page, "Ashby", &Rec::new(v), application, push);
                }
            }
        }
        match list.next_cursor {
            Some(c) => page.next = Some(encode_resume(req.resource, c, token)),
            None => {
                page.sync_token = list.sync_token;
                if page.sync_token.is_none() {
                    tracing::warn!(
                        endpoint = what,
                        "Ashby sent no syncToken on the last page; the next pass will be a full one"
                    );
                }
            }
        }
        Ok(page)
    }

    /// One page of the Stages pass: a page of `job.list`, then the stages of those jobs' plans.
    pub(super) async fn stage_page(&self, req: &PageRequest) -> Result<Page> {
        let (_, cursor) = Self::position(req);
        let body = Self::list_body(Resource::Stages, None, cursor.as_deref());
        let list = match self.list_page("job.list", &body).await {
            Err(Error::ResyncRequired(why)) if cursor.is_some() && is_cursor_error(&why) => {
                self.list_page("job.list", &Self::list_body(Resource::Stages, None, None)).await?
            }
            other => other?,
        };
        let mut page = Page::default();
        let mut seen = HashSet::new();
        for job in &list.results {
            let Some(job_id) = job.get("id").and_then(Value::as_str) else {
                continue; // the Jobs pass reports the malformed job
            };
            let mut plans: Vec<String> = Vec::new();
            if let Some(p) = job.get("defaultInterviewPlanId").and_then(Value::as_str) {
                plans.push(p.to_string());
            }
            for p in
                job.get("interviewPlanIds").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
            {
                if !plans.iter().any(|x| x == p) {
                    plans.push(p.to_string());
                }
            }
            let mut stages = Vec::new();
            if plans.is_empty() {
                // No plan id on the job: ask for it.
                match self.post_raw("jobInterviewPlan.info", &json!({ "jobId": job_id })).await? {
                    Ok(v) => match v.get("results").and_then(|r| r.get("stages")).and_then(Value::as_array) {
                        Some(a) => stages.extend(a.iter().cloned()),
                        None => {
                            let what = "POST /jobInterviewPlan.info";
                            return Err(record::invalid("Ashby", what, "without a stages list", &v.to_string()));
                        }
                    },
                    Err(r) if gone(&r.code) => {}
                    Err(r) => return Err(refusal_error("jobInterviewPlan.info", &r)),
                }
            }
            for plan in &plans {
                match self.list_all("interviewStage.list", json!({ "interviewPlanId": plan })).await {
                    Ok(s) => stages.extend(s),
                    // The job or plan went away since job.list answered: nothing to list.
                    Err(Error::InvalidResponse(m))
                        if m.contains("interview_plan_not_found") || m.contains("job_not_found") => {}
                    Err(e) => return Err(e),
                }
            }
            for v in &stages {
                let id = v.get("id").and_then(Value::as_str).map(str::to_string);
                if let Some(id) = &id {
                    // A plan shared by jobs lists its stages once per page.
                    if !seen.insert(id.clone()) {
                        continue;
                    }
                }
                record::read_into(
                    &mut page,
                    "Ashby",
                    &Rec::new(v),
                    |r| stage(r, job_id),
                    |p, s| p.batch.stages.push(s),
                );
            }
        }
        if let Some(c) = list.next_cursor {
            page.next = Some(encode_resume(Resource::Stages, c, None));
        }
        Ok(page)
    }
}

fn encode_resume(resource: Resource, cursor: String, token: Option<String>) -> String {
    serde_json::to_string(&Resume { r: resource.as_str().to_string(), c: cursor, t: token })
        .expect("a resume position serializes")
}

fn parse_list(what: &str, sent: &Value, v: Value) -> Result<ListPage> {
    let bad = |why: &str, v: &Value| {
        record::invalid("Ashby", &format!("POST /{what}"), &format!("with {why}"), &v.to_string())
    };
    let results = match v.get("results") {
        Some(Value::Array(a)) => a.clone(),
        _ => return Err(bad("no results list", &v)),
    };
    let more = match v.get("moreDataAvailable") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("a moreDataAvailable that is not true or false", &v)),
    };
    let next_cursor = if more {
        match v.get("nextCursor").and_then(Value::as_str) {
            Some(c) if !c.is_empty() && sent.get("cursor").and_then(Value::as_str) != Some(c) => Some(c.to_string()),
            Some(c) if !c.is_empty() => return Err(bad("the same nextCursor again (the list would never end)", &v)),
            _ => return Err(bad("moreDataAvailable but no nextCursor", &v)),
        }
    } else {
        None
    };
    let sync_token = v.get("syncToken").and_then(Value::as_str).map(str::to_string);
    Ok(ListPage { results, next_cursor, sync_token })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn resume_positions_round_trip_and_are_checked() {
        let s = encode_resume(Resource::Talents, "abc".into(), Some("tok".into()));
        let req = |r: Resource, page: Option<String>| PageRequest {
            resource: r,
            since: Since::Everything,
            until: Utc::now(),
            page,
        };
        assert_eq!(Ashby::position(&req(Resource::Talents, Some(s.clone()))), (Some("tok".into()), Some("abc".into())));
        // Another resource's position, or garbage: the pass starts over.
        assert_eq!(Ashby::position(&req(Resource::Jobs, Some(s))), (None, None));
        let mut r = req(Resource::Jobs, Some("garbage".into()));
        r.since = Since::Token("t1".into());
        assert_eq!(Ashby::position(&r), (Some("t1".into()), None));
    }
}
