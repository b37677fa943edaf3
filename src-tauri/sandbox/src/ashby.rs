//! Ashby: RPC style (`POST /<resource>.<action>`, JSON body), HTTP Basic with the API key,
//! errors as HTTP 200 `{success: false, errorInfo}`, pages `{results, moreDataAvailable,
//! nextCursor}` and syncToken deltas on candidates, applications and jobs.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::http::{self, Req};
use super::world::{fmt_uid, now_ms, ts, Coll, StageKind, World, START};
use super::Shared;

/// The API version answered when the client pins none.
pub(super) const API_VERSION: &str = "2026-01-01";
const MAX_LIMIT: u64 = 100;

fn endpoint(req: &Req) -> &str {
    req.path.trim_start_matches('/')
}

pub(super) fn scope(req: &Req) -> Option<&'static str> {
    Some(match endpoint(req) {
        "candidate.list"
        | "candidate.info"
        | "candidate.listNotes"
        | "application.list"
        | "application.info"
        | "application.listHistory"
        | "file.info" => "candidatesRead",
        "candidate.createNote" | "application.changeStage" => "candidatesWrite",
        "job.list" | "job.info" | "jobInterviewPlan.info" | "jobPosting.info" => "jobsRead",
        "interviewStage.list" | "interviewStage.info" | "interviewPlan.list" | "archiveReason.list" => {
            "hiringProcessMetadataRead"
        }
        "department.list" | "location.list" | "user.list" => "organizationRead",
        _ => return None,
    })
}

/// Ashby reports most errors with HTTP 200 and `success: false`.
fn fail(sh: &Shared, code: &str, message: &str) -> Response {
    sh.error(StatusCode::OK, code, message)
}

fn ok(results: Value) -> Response {
    http::json(StatusCode::OK, &json!({ "success": true, "results": results }))
}

pub(super) fn handle(sh: &Shared, req: &Req) -> Response {
    if req.method != axum::http::Method::POST {
        return sh.error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Ashby endpoints take POST with a JSON body",
        );
    }
    let body = match req.json() {
        Ok(b @ Value::Object(_)) => b,
        Ok(_) => return fail(sh, "invalid_input", "the request body must be a JSON object"),
        Err(e) => return fail(sh, "invalid_input", &e),
    };
    match endpoint(req) {
        "job.list" => job_list(sh, &body),
        "job.info" => info(sh, &body, "id", "job_not_found", |w, s| w.job_by_rid(s).map(|j| job_json(w, j))),
        "jobInterviewPlan.info" => job_interview_plan(sh, &body),
        "jobPosting.info" => info(sh, &body, "jobPostingId", "job_posting_not_found", posting_json),
        "interviewStage.list" => interview_stages(sh, &body),
        "interviewStage.info" => info(sh, &body, "interviewStageId", "interview_stage_not_found", |w, s| {
            w.stage_by_rid(s).map(|st| stage_json(w, st))
        }),
        "interviewPlan.list" => simple_list(sh, &body, "plans", |w| {
            (0..w.jobs.len())
                .map(|j| {
                    let job = &w.jobs[j];
                    json!({ "id": fmt_uid(job.plan_uid), "title": format!("{} interview plan", job.title), "isArchived": job.state == "Archived" })
                })
                .collect()
        }),
        "candidate.list" => candidate_list(sh, &body),
        "candidate.info" => info(sh, &body, "id", "candidate_not_found", |w, s| {
            w.talent_by_rid(s).filter(|&t| w.talents[t].live()).map(|t| candidate_json(sh, w, t))
        }),
        "application.list" => application_list(sh, &body),
        "application.info" => info(sh, &body, "applicationId", "application_not_found", |w, s| {
            w.app_by_rid(s).filter(|&a| !w.apps[a].deleted).map(|a| application_json(w, a))
        }),
        "application.listHistory" => application_history(sh, &body),
        "archiveReason.list" => simple_list(sh, &body, "reasons", |w| {
            w.reasons
                .iter()
                .map(|r| json!({ "id": fmt_uid(r.uid), "text": r.text, "reasonType": r.kind, "isArchived": false }))
                .collect()
        }),
        "department.list" => simple_list(sh, &body, "departments", |w| {
            w.departments
                .iter()
                .map(|d| json!({ "id": fmt_uid(d.uid), "name": d.name, "isArchived": false, "parentId": null }))
                .collect()
        }),
        "location.list" => simple_list(sh, &body, "locations", |w| {
            w.offices
                .iter()
                .map(|o| {
                    json!({
                        "id": fmt_uid(o.uid), "name": o.name, "isArchived": false, "isRemote": o.name.starts_with("Remote"),
                        "address": { "postalAddress": { "addressLocality": o.name } },
                    })
                })
                .collect()
        }),
        "user.list" => simple_list(sh, &body, "users", |w| {
            w.users
                .iter()
                .map(|u| {
                    json!({
                        "id": fmt_uid(u.uid), "firstName": u.first, "lastName": u.last, "email": u.email,
                        "globalRole": if u.site_admin { "Organization Admin" } else { "Elevated Access" },
                        "isEnabled": !u.deactivated, "updatedAt": ts(START),
                    })
                })
                .collect()
        }),
        "file.info" => file_info(sh, &body),
        "application.changeStage" => change_stage(sh, &body),
        "candidate.createNote" => create_note(sh, &body),
        "candidate.listNotes" => list_notes(sh, &body),
        other => sh.error(StatusCode::NOT_FOUND, "unknown_endpoint", &format!("there is no endpoint {other:?}")),
    }
}

fn str_field<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

fn info(
    sh: &Shared,
    body: &Value,
    key: &str,
    not_found: &str,
    find: impl Fn(&World, &str) -> Option<Value>,
) -> Response {
    let Some(id) = str_field(body, key) else {
        return fail(sh, "invalid_input", &format!("{key} is required"));
    };
    match find(&sh.world(), id) {
        Some(v) => ok(v),
        None => fail(sh, not_found, &format!("no record with {key} {id}")),
    }
}

// ---- paging and syncToken ----

/// One list request: which collection, which positions qualify, and how to write one.
struct List<'a> {
    tag: &'static str,
    /// The collection syncTokens cover, or None where the endpoint has no syncToken.
    coll: Option<Coll>,
    len: usize,
    keep: Box<dyn Fn(usize) -> bool + 'a>,
    seq: Box<dyn Fn(usize) -> u64 + 'a>,
    write: WriteRow<'a>,
}

/// Writes row `i` of a list as JSON.
type WriteRow<'a> = Box<dyn Fn(&mut Vec<u8>, usize) + 'a>;

impl<'a> List<'a> {
    /// A list without syncTokens: every row, in order.
    fn plain(tag: &'static str, len: usize, write: impl Fn(&mut Vec<u8>, usize) + 'a) -> List<'a> {
        List { tag, coll: None, len, keep: Box::new(|_| true), seq: Box::new(|_| 0), write: Box::new(write) }
    }
}

/// The cursor carries the position, the change sequence the run started at (which the final
/// syncToken will cover) and the token's sequence for a delta run.
fn page(sh: &Shared, w: &World, body: &Value, l: List<'_>) -> Response {
    let limit = match body.get("limit") {
        None | Some(Value::Null) => MAX_LIMIT,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => return fail(sh, "invalid_input", &format!("limit must be an integer between 1 and {MAX_LIMIT}")),
        },
    } as usize;
    let (start, snap, since) = if let Some(c) = str_field(body, "cursor") {
        let parsed = http::decode_cursor(c).and_then(|text| {
            let p: Vec<&str> = text.split('|').collect();
            match p.as_slice() {
                ["ab", tag, pos, snap, since] if *tag == l.tag => Some((
                    pos.parse().ok()?,
                    snap.parse().ok()?,
                    if *since == "-" { None } else { Some(since.parse().ok()?) },
                )),
                _ => None,
            }
        });
        match parsed {
            Some(p) => p,
            None => return fail(sh, "invalid_next_cursor", "the cursor is invalid or belongs to another list"),
        }
    } else if let (Some(token), Some(coll)) = (str_field(body, "syncToken"), l.coll) {
        let found = super::lock(&sh.sync_tokens).get(token).copied();
        let since = match found {
            Some((c, seq)) if c == coll => seq,
            _ => return fail(sh, "sync_token_invalid", "the syncToken is not valid for this list; run a full sync"),
        };
        let (mut changed, mut total) = (0usize, 0usize);
        for i in 0..l.len {
            if (l.keep)(i) {
                total += 1;
                if (l.seq)(i) > since {
                    changed += 1;
                }
            }
        }
        if changed as f64 > w.sync_limit * total as f64 {
            return fail(
                sh,
                "incremental_sync_too_large",
                &format!("{changed} of {total} records changed since the syncToken; run a full sync"),
            );
        }
        (0, w.seq, Some(since))
    } else {
        (0, w.seq, None)
    };

    let mut out = Vec::with_capacity(limit * 1200 + 128);
    out.extend_from_slice(b"{\"success\":true,\"results\":[");
    let keep = |i| (l.keep)(i) && since.is_none_or(|s| (l.seq)(i) > s);
    let next = http::push_rows(&mut out, start, l.len, limit, keep, &l.write);
    out.extend_from_slice(b"],\"moreDataAvailable\":");
    match next {
        Some(i) => {
            let since = since.map_or("-".to_string(), |s| s.to_string());
            let cursor = http::encode_cursor(&format!("ab|{}|{i}|{snap}|{since}", l.tag));
            out.extend_from_slice(format!("true,\"nextCursor\":\"{cursor}\"").as_bytes());
        }
        None => {
            out.extend_from_slice(b"false");
            if let Some(coll) = l.coll {
                let mut tokens = super::lock(&sh.sync_tokens);
                let n = tokens.len() as u64 + 1;
                let token = format!("ab_st_{:016x}{:08x}", super::world::mix(sh.seed ^ 0x5EED, n), n);
                tokens.insert(token.clone(), (coll, snap));
                out.extend_from_slice(format!(",\"syncToken\":\"{token}\"").as_bytes());
            }
        }
    }
    out.push(b'}');
    http::bytes_response(StatusCode::OK, "application/json; charset=utf-8", out)
}

fn simple_list(sh: &Shared, body: &Value, tag: &'static str, all: impl Fn(&World) -> Vec<Value>) -> Response {
    let w = sh.world();
    let items = all(&w);
    page(
        sh,
        &w,
        body,
        List::plain(tag, items.len(), |out, i| {
            http::push_json(out, &items[i]);
        }),
    )
}

/// `status` may be one string or a list of them.
fn statuses(body: &Value) -> Option<Vec<String>> {
    match body.get("status")? {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(a) => Some(a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()),
        _ => None,
    }
}

// ---- jobs and plans ----

fn job_json(w: &World, j: usize) -> Value {
    let job = &w.jobs[j];
    json!({
        "id": fmt_uid(job.uid),
        "title": job.title,
        "confidential": false,
        "status": job.state,
        "employmentType": job.employment,
        "locationId": job.offices.first().map(|&o| fmt_uid(w.offices[o].uid)),
        "secondaryLocationIds": job.offices.iter().skip(1).map(|&o| fmt_uid(w.offices[o].uid)).collect::<Vec<_>>(),
        "departmentId": job.department.map(|d| fmt_uid(w.departments[d].uid)),
        "defaultInterviewPlanId": fmt_uid(job.plan_uid),
        "interviewPlanIds": [fmt_uid(job.plan_uid)],
        "jobPostingIds": if job.state == "Open" { json!([posting_uid(w, j)]) } else { json!([]) },
        "customFields": [],
        "hiringTeam": [{ "userId": fmt_uid(w.users[job.owner].uid), "role": "Hiring Manager" }],
        "author": { "id": fmt_uid(w.users[0].uid), "firstName": w.users[0].first, "lastName": w.users[0].last },
        "openedAt": job.opened_at.map(ts),
        "closedAt": job.closed_at.map(ts),
        "createdAt": ts(job.created_at),
        "updatedAt": ts(job.updated_at),
    })
}

/// An open job's posting id.
fn posting_uid(w: &World, j: usize) -> String {
    fmt_uid(super::world::derived_uid(w.seed, 0x4A50, w.jobs[j].id))
}

/// `jobPosting.info`'s posting (fields of repo api-evangelist/ashby
/// openapi/ashby-job-posting-api-openapi.yml): an open job's, unless it was lost.
fn posting_json(w: &World, id: &str) -> Option<Value> {
    let j = (0..w.jobs.len()).find(|&j| w.jobs[j].state == "Open" && posting_uid(w, j) == id)?;
    let job = &w.jobs[j];
    if job.posting_lost {
        return None;
    }
    let html = w.job_description(j);
    let summary = w.job_salary(j).map(|(min, max)| format!("${}K – ${}K", min / 1000, max / 1000));
    Some(json!({
        "id": id,
        "title": job.title,
        "descriptionPlain": format!("Join us as {}.", job.title),
        "descriptionHtml": html,
        "descriptionParts": { "descriptionBody": { "html": html, "plain": format!("Join us as {}.", job.title) } },
        "departmentName": job.department.map(|d| w.departments[d].name),
        "teamName": job.department.map(|d| w.departments[d].name),
        "jobId": fmt_uid(job.uid),
        "locationName": job.offices.first().map(|&o| w.offices[o].name),
        "isListed": true,
        "compensation": {
            "compensationTierSummary": summary,
            "summaryComponents": [],
            "compensationTiers": [],
            "shouldDisplayCompensationOnJobBoard": summary.is_some(),
        },
        "updatedAt": ts(job.posted_at),
    }))
}

fn job_list(sh: &Shared, body: &Value) -> Response {
    // Drafts only when asked for by name.
    let wanted = statuses(body).unwrap_or_else(|| vec!["Open".into(), "Closed".into(), "Archived".into()]);
    let w = sh.world();
    page(
        sh,
        &w,
        body,
        List {
            tag: "jobs",
            coll: Some(Coll::Jobs),
            len: w.jobs.len(),
            keep: Box::new(|j| wanted.iter().any(|s| s == w.jobs[j].state)),
            seq: Box::new(|j| w.jobs[j].seq),
            write: Box::new(|out, j| {
                http::push_json(out, &job_json(&w, j));
            }),
        },
    )
}

fn stage_json(w: &World, s: usize) -> Value {
    let st = &w.stages[s];
    let job = &w.jobs[st.job.expect("ashby stages belong to a job's plan")];
    json!({
        "id": fmt_uid(st.uid),
        "title": st.name,
        "type": st.kind.ashby(),
        "orderInInterviewPlan": st.position,
        "interviewStageGroupId": fmt_uid(super::world::derived_uid(w.seed, 0x4752, st.kind as u64)),
        "interviewPlanId": fmt_uid(job.plan_uid),
    })
}

fn job_interview_plan(sh: &Shared, body: &Value) -> Response {
    let Some(id) = str_field(body, "jobId") else {
        return fail(sh, "invalid_input", "jobId is required");
    };
    let w = sh.world();
    let Some(j) = w.job_by_rid(id) else {
        return fail(sh, "job_not_found", &format!("no job {id}"));
    };
    let job = &w.jobs[j];
    ok(json!({
        "jobId": fmt_uid(job.uid),
        "interviewPlanId": fmt_uid(job.plan_uid),
        "stages": job.stages.iter().map(|&s| stage_json(&w, s)).collect::<Vec<_>>(),
    }))
}

fn interview_stages(sh: &Shared, body: &Value) -> Response {
    let Some(id) = str_field(body, "interviewPlanId") else {
        return fail(sh, "invalid_input", "interviewPlanId is required");
    };
    let w = sh.world();
    let Some(j) = w.job_by_plan(id) else {
        return fail(sh, "interview_plan_not_found", &format!("no interview plan {id}"));
    };
    let stages = &w.jobs[j].stages;
    page(
        sh,
        &w,
        body,
        List::plain("stages", stages.len(), |out, i| {
            http::push_json(out, &stage_json(&w, stages[i]));
        }),
    )
}

// ---- candidates ----

fn file_handle(r: &super::world::Resume) -> String {
    http::encode_cursor(&format!("fh|{}", fmt_uid(r.uid)))
}

fn candidate_json(sh: &Shared, w: &World, ti: usize) -> Value {
    let t = &w.talents[ti];
    let email_kind = |k: &str| match k {
        "work" => "Work",
        "personal" => "Personal",
        _ => "Other",
    };
    let phone_kind = |k: &str| if k == "work" { "Work" } else { "Mobile" };
    let emails: Vec<Value> = t
        .emails
        .iter()
        .enumerate()
        .map(|(i, e)| json!({ "value": e.value, "type": email_kind(e.kind), "isPrimary": i == 0 }))
        .collect();
    let phones: Vec<Value> = t
        .phones
        .iter()
        .enumerate()
        .map(|(i, p)| json!({ "value": p.value, "type": phone_kind(p.kind), "isPrimary": i == 0 }))
        .collect();
    let tags: Vec<Value> = t
        .tags
        .iter()
        .map(|tag| {
            let k = super::data::TAGS.iter().position(|x| x == tag).unwrap_or(0) as u64;
            json!({ "id": fmt_uid(super::world::derived_uid(w.seed, 0x7A67, k)), "title": tag, "isArchived": false })
        })
        .collect();
    let id = fmt_uid(t.uid);
    let mut v = json!({
        "id": id,
        "createdAt": ts(t.created_at),
        "updatedAt": ts(t.updated_at),
        "name": t.name(),
        "primaryEmailAddress": emails.first(),
        "emailAddresses": emails,
        "primaryPhoneNumber": phones.first(),
        "phoneNumbers": phones,
        "socialLinks": [],
        "tags": tags,
        "position": t.title,
        "company": t.company,
        "school": null,
        "applicationIds": t.apps.iter().filter(|&&a| !w.apps[a].deleted).map(|&a| fmt_uid(w.apps[a].uid)).collect::<Vec<_>>(),
        "resumeFileHandle": t.resume.as_ref().map(|r| json!({ "id": fmt_uid(r.uid), "name": r.filename, "handle": file_handle(r) })),
        "fileHandles": [],
        "customFields": [],
        "profileUrl": format!("{}/candidates/{id}", sh.origin),
        "source": null,
        "creditedToUser": null,
        "timezone": t.timezone,
        "location": null,
    });
    match t.corrupt {
        Some(0) => {
            let joined: Vec<&str> = t.emails.iter().map(|e| e.value.as_str()).collect();
            v["emailAddresses"] = json!(joined.join(", "));
        }
        Some(_) => v["name"] = json!(t.id % 100_000),
        None => {}
    }
    v
}

fn candidate_list(sh: &Shared, body: &Value) -> Response {
    let w = sh.world();
    page(
        sh,
        &w,
        body,
        List {
            tag: "candidates",
            coll: Some(Coll::Candidates),
            len: w.talents.len(),
            keep: Box::new(|t| w.talents[t].live()),
            seq: Box::new(|t| w.talents[t].seq),
            write: Box::new(|out, t| {
                http::push_json(out, &candidate_json(sh, &w, t));
            }),
        },
    )
}

// ---- applications ----

/// In Ashby the status follows the current stage's type.
fn application_status(w: &World, ai: usize) -> &'static str {
    match w.apps[ai].stage.map(|s| w.stages[s].kind) {
        Some(StageKind::Archived) => "Archived",
        Some(StageKind::Hired) => "Hired",
        Some(StageKind::Lead) => "Lead",
        _ => "Active",
    }
}

fn application_json(w: &World, ai: usize) -> Value {
    let a = &w.apps[ai];
    let t = &w.talents[a.talent];
    let job = a.job.map(|j| &w.jobs[j]);
    let archived = application_status(w, ai) == "Archived";
    json!({
        "id": fmt_uid(a.uid),
        "createdAt": ts(a.created_at),
        "updatedAt": ts(a.updated_at),
        "status": application_status(w, ai),
        "customFields": [],
        "candidate": {
            "id": fmt_uid(t.uid),
            "name": t.name(),
            "primaryEmailAddress": t.emails.first().map(|e| json!({ "value": e.value, "type": "Personal", "isPrimary": true })),
            "primaryPhoneNumber": t.phones.first().map(|p| json!({ "value": p.value, "type": "Mobile", "isPrimary": true })),
        },
        "job": job.map(|j| json!({
            "id": fmt_uid(j.uid),
            "title": j.title,
            "locationId": j.offices.first().map(|&o| fmt_uid(w.offices[o].uid)),
            "departmentId": j.department.map(|d| fmt_uid(w.departments[d].uid)),
        })),
        "currentInterviewStage": a.stage.map(|s| stage_json(w, s)),
        "source": { "id": fmt_uid(super::world::derived_uid(w.seed, 0x5352, a.source.len() as u64)), "title": a.source, "isArchived": false },
        "archiveReason": a.reason.filter(|_| archived).map(|r| {
            let r = &w.reasons[r];
            json!({ "id": fmt_uid(r.uid), "text": r.text, "reasonType": r.kind, "isArchived": false })
        }),
        "archivedAt": if archived { a.closed_at.map(ts) } else { None },
        "creditedToUser": { "id": fmt_uid(w.users[a.recruiter].uid), "firstName": w.users[a.recruiter].first, "lastName": w.users[a.recruiter].last },
        "hiringTeam": [],
        "appliedViaJobPostingId": null,
    })
}

fn application_list(sh: &Shared, body: &Value) -> Response {
    let created_after = body.get("createdAfter").and_then(Value::as_i64);
    let wanted = statuses(body);
    let w = sh.world();
    let job = match str_field(body, "jobId") {
        Some(id) => match w.job_by_rid(id) {
            Some(j) => Some(j),
            None => return fail(sh, "job_not_found", &format!("no job {id}")),
        },
        None => None,
    };
    page(
        sh,
        &w,
        body,
        List {
            tag: "applications",
            coll: Some(Coll::Applications),
            len: w.apps.len(),
            keep: Box::new(|a| {
                let app = &w.apps[a];
                !app.deleted
                    && created_after.is_none_or(|c| app.created_at > c)
                    && job.is_none_or(|j| app.job == Some(j))
                    && wanted.as_ref().is_none_or(|s| s.iter().any(|s| s == application_status(&w, a)))
            }),
            seq: Box::new(|a| w.apps[a].seq),
            write: Box::new(|out, a| {
                http::push_json(out, &application_json(&w, a));
            }),
        },
    )
}

fn application_history(sh: &Shared, body: &Value) -> Response {
    let Some(id) = str_field(body, "applicationId") else {
        return fail(sh, "invalid_input", "applicationId is required");
    };
    let w = sh.world();
    let Some(ai) = w.app_by_rid(id).filter(|&a| !w.apps[a].deleted) else {
        return fail(sh, "application_not_found", &format!("no application {id}"));
    };
    let rows = &w.apps[ai].history;
    page(
        sh,
        &w,
        body,
        List::plain("history", rows.len(), |out, i| {
            let h = &w.history[rows[i]];
            let st = &w.stages[h.stage];
            http::push_json(
                out,
                &json!({
                    "id": fmt_uid(h.uid),
                    "stageId": fmt_uid(st.uid),
                    "title": st.name,
                    "stageNumber": st.position,
                    "enteredStageAt": ts(h.entered),
                    "leftStageAt": h.exited.map(ts),
                    "actorId": fmt_uid(w.users[h.user].uid),
                }),
            );
        }),
    )
}

fn file_info(sh: &Shared, body: &Value) -> Response {
    let Some(handle) = str_field(body, "fileHandle") else {
        return fail(sh, "invalid_input", "fileHandle is required");
    };
    let w = sh.world();
    let found = http::decode_cursor(handle)
        .and_then(|t| t.strip_prefix("fh|").map(str::to_string))
        .and_then(|uid| w.talent_by_file(&uid))
        .filter(|&t| w.talents[t].live());
    match found.and_then(|t| super::file_url(sh, &w.talents[t])) {
        Some(url) => ok(json!({ "url": url })),
        None => fail(sh, "file_not_found", "no file with this handle"),
    }
}

// ---- writes ----

/// `application.changeStage {applicationId, interviewStageId, archiveReasonId?}`; the reason is
/// required when the target stage is of type Archived.
fn change_stage(sh: &Shared, body: &Value) -> Response {
    let (Some(app_id), Some(stage_id)) = (str_field(body, "applicationId"), str_field(body, "interviewStageId")) else {
        return fail(sh, "invalid_input", "applicationId and interviewStageId are required");
    };
    let mut w = sh.world_mut();
    let Some(ai) = w.app_by_rid(app_id).filter(|&a| !w.apps[a].deleted) else {
        return fail(sh, "application_not_found", &format!("no application {app_id}"));
    };
    let job = w.apps[ai].job;
    let Some(stage) = w.stage_by_rid(stage_id).filter(|&s| w.stages[s].job == job) else {
        return fail(sh, "interview_stage_not_found", "no such stage in this application's interview plan");
    };
    let reason = match str_field(body, "archiveReasonId") {
        Some(r) => match w.reason_by_rid(r) {
            Some(r) => Some(r),
            None => return fail(sh, "archive_reason_not_found", &format!("no archive reason {r}")),
        },
        None => None,
    };
    if w.stages[stage].kind == StageKind::Archived && reason.is_none() {
        return fail(sh, "invalid_input", "archiveReasonId is required when moving to an Archived stage");
    }
    w.move_app(ai, stage, now_ms(), 0);
    if w.stages[stage].kind == StageKind::Archived {
        w.apps[ai].reason = reason;
    }
    ok(application_json(&w, ai))
}

fn note_json(w: &World, n: usize) -> Value {
    let note = &w.notes[n];
    let u = &w.users[note.user];
    json!({
        "id": fmt_uid(note.uid),
        "createdAt": ts(note.created_at),
        "content": note.body,
        "isPrivate": false,
        "author": { "id": fmt_uid(u.uid), "firstName": u.first, "lastName": u.last, "email": u.email },
    })
}

/// `candidate.listNotes {candidateId}`: the candidate's notes, paged like every list.
fn list_notes(sh: &Shared, body: &Value) -> Response {
    let Some(cid) = str_field(body, "candidateId") else {
        return fail(sh, "invalid_input", "candidateId is required");
    };
    let w = sh.world();
    let Some(ti) = w.talent_by_rid(cid).filter(|&t| w.talents[t].live()) else {
        return fail(sh, "candidate_not_found", &format!("no candidate {cid}"));
    };
    let notes: Vec<usize> = (0..w.notes.len()).filter(|&n| w.notes[n].talent == ti).collect();
    page(
        sh,
        &w,
        body,
        List::plain("notes", notes.len(), |out, i| {
            http::push_json(out, &note_json(&w, notes[i]));
        }),
    )
}

/// `candidate.createNote {candidateId, note}`; `note` is text or `{type, value}`.
fn create_note(sh: &Shared, body: &Value) -> Response {
    let Some(cid) = str_field(body, "candidateId") else {
        return fail(sh, "invalid_input", "candidateId is required");
    };
    let text = match body.get("note") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o.get("value").and_then(Value::as_str).unwrap_or_default().to_string(),
        _ => String::new(),
    };
    if text.trim().is_empty() {
        return fail(sh, "invalid_input", "note is required");
    }
    let mut w = sh.world_mut();
    let Some(ti) = w.talent_by_rid(cid).filter(|&t| w.talents[t].live()) else {
        return fail(sh, "candidate_not_found", &format!("no candidate {cid}"));
    };
    let n = w.add_note(ti, None, 0, text, now_ms());
    let mut v = note_json(&w, n);
    v["isPrivate"] = json!(body.get("isPrivate").and_then(Value::as_bool).unwrap_or(false));
    ok(v)
}
