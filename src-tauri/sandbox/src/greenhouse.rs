//! Greenhouse Harvest v3: OAuth client-credentials tokens, cursor pagination signalled only by
//! `Link: <…>; rel="next"`, results by id descending, `updated_at=gte|…|lte|…` filters.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::http::{self, Req};
use super::world::{ts, Ms, Status, World, END, START};
use super::Shared;

const TOKEN_LIFETIME_SECS: u64 = 3600;
const MAX_IDS: usize = 50;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Res {
    Jobs,
    Stages,
    Candidates,
    Applications,
    AppStages,
    Attachments,
    Departments,
    Offices,
    Users,
    Reasons,
    Notes,
    JobPosts,
}

impl Res {
    const ALL: [Res; 12] = [
        Res::Jobs,
        Res::Stages,
        Res::Candidates,
        Res::Applications,
        Res::AppStages,
        Res::Attachments,
        Res::Departments,
        Res::Offices,
        Res::Users,
        Res::Reasons,
        Res::Notes,
        Res::JobPosts,
    ];

    fn name(self) -> &'static str {
        match self {
            Res::Jobs => "jobs",
            Res::Stages => "job_interview_stages",
            Res::Candidates => "candidates",
            Res::Applications => "applications",
            Res::AppStages => "application_stages",
            Res::Attachments => "attachments",
            Res::Departments => "departments",
            Res::Offices => "offices",
            Res::Users => "users",
            Res::Reasons => "rejection_reasons",
            Res::Notes => "notes",
            Res::JobPosts => "job_posts",
        }
    }

    fn scope(self) -> &'static str {
        match self {
            Res::Jobs => "harvest:jobs:list",
            Res::Stages => "harvest:job_interview_stages:list",
            Res::Candidates => "harvest:candidates:list",
            Res::Applications => "harvest:applications:list",
            Res::AppStages => "harvest:application_stages:list",
            Res::Attachments => "harvest:attachments:list",
            Res::Departments => "harvest:departments:list",
            Res::Offices => "harvest:offices:list",
            Res::Users => "harvest:users:list",
            Res::Reasons => "harvest:rejection_reasons:list",
            Res::Notes => "harvest:notes:list",
            Res::JobPosts => "harvest:job_posts:list",
        }
    }

    fn parse(s: &str) -> Option<Res> {
        Res::ALL.into_iter().find(|r| r.name() == s)
    }
}

pub(super) fn scope(req: &Req) -> Option<&'static str> {
    let segs = req.segments("/v3/")?;
    if req.method == Method::GET {
        return match segs.as_slice() {
            [name] => Res::parse(name).map(Res::scope),
            _ => None,
        };
    }
    match segs.as_slice() {
        ["applications", _, "move"] => Some("harvest:applications:move"),
        ["applications", _, "reject"] => Some("harvest:applications:reject"),
        ["notes"] => Some("harvest:notes:create"),
        _ => None,
    }
}

fn error(sh: &Shared, status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable_entity",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        _ => "bad_request",
    };
    sh.error(status, code, message)
}

/// `POST /token`: client credentials (HTTP Basic client_id:client_secret) acting as `sub`.
pub(super) fn token(sh: &Shared, req: &Req) -> Response {
    let oauth = |status: StatusCode, error: &str, description: &str| {
        let mut r = http::json(status, &json!({ "error": error, "error_description": description }));
        http::set(&mut r, "cache-control", "no-store");
        r
    };
    if req.method != Method::POST {
        return oauth(StatusCode::METHOD_NOT_ALLOWED, "invalid_request", "use POST");
    }
    let mut params = req.pairs();
    params.extend(url::form_urlencoded::parse(&req.body).into_owned());
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let mut auth = sh.auth();
    let cred = req.basic_auth().and_then(|(id, secret)| (id == auth.client_id).then(|| auth.find(&secret)).flatten());
    let Some(cred) = cred else {
        drop(auth);
        sh.count_unauthorized();
        return oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong client secret (send them with HTTP Basic)",
        );
    };
    if param("grant_type") != Some("client_credentials") {
        return oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "this client may only use grant_type=client_credentials",
        );
    }
    if param("sub") != Some(auth.user_id.as_str()) {
        return oauth(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "sub must be the id of a Greenhouse user of this account",
        );
    }
    let token = auth.issue_token(cred, sh.seed, std::time::Duration::from_secs(TOKEN_LIFETIME_SECS));
    drop(auth);
    sh.count_token();
    let mut r = http::json(
        StatusCode::OK,
        &json!({ "access_token": token, "token_type": "bearer", "expires_in": TOKEN_LIFETIME_SECS }),
    );
    http::set(&mut r, "cache-control", "no-store");
    r
}

pub(super) fn handle(sh: &Shared, req: &Req) -> Response {
    let Some(segs) = req.segments("/v3/") else {
        return error(sh, StatusCode::NOT_FOUND, "not found");
    };
    match (req.method == Method::GET, req.method == Method::POST, segs.as_slice()) {
        (true, _, [name]) => match Res::parse(name) {
            Some(res) => list(sh, req, res),
            None => error(sh, StatusCode::NOT_FOUND, "not found"),
        },
        (_, true, ["applications", id, "move"]) => move_application(sh, req, id),
        (_, true, ["applications", id, "reject"]) => reject_application(sh, req, id),
        (_, true, ["notes"]) => create_note(sh, req),
        _ => error(sh, StatusCode::NOT_FOUND, "not found"),
    }
}

// ---- listing ----

#[derive(Clone, Copy)]
enum Op {
    Gte,
    Gt,
    Lte,
    Lt,
}

#[derive(Default)]
struct Filter {
    ids: Option<Vec<u64>>,
    candidate_ids: Option<Vec<u64>>,
    job_ids: Option<Vec<u64>>,
    application_ids: Option<Vec<u64>>,
    status: Option<Vec<String>>,
    updated: Vec<(Op, Ms)>,
    created: Vec<(Op, Ms)>,
    current: Option<bool>,
}

fn in_range(conds: &[(Op, Ms)], t: Ms) -> bool {
    conds.iter().all(|&(op, v)| match op {
        Op::Gte => t >= v,
        Op::Gt => t > v,
        Op::Lte => t <= v,
        Op::Lt => t < v,
    })
}

fn has(list: &Option<Vec<u64>>, id: u64) -> bool {
    list.as_ref().is_none_or(|l| l.contains(&id))
}

fn parse_ids(key: &str, v: &str) -> Result<Vec<u64>, String> {
    let ids: Result<Vec<u64>, _> = v.split(',').map(|s| s.trim().parse::<u64>()).collect();
    let ids = ids.map_err(|_| format!("{key} must be a comma-separated list of integer ids"))?;
    if ids.len() > MAX_IDS {
        return Err(format!("{key} accepts at most {MAX_IDS} ids"));
    }
    Ok(ids)
}

/// `gte|2026-01-01T00:00:00.000Z` or `gte|…|lte|…`.
fn parse_range(key: &str, v: &str) -> Result<Vec<(Op, Ms)>, String> {
    let bad = || format!("{key} must look like gte|2026-01-01T00:00:00.000Z or gte|<iso>|lte|<iso>");
    let parts: Vec<&str> = v.split('|').collect();
    if !parts.len().is_multiple_of(2) || parts.is_empty() {
        return Err(bad());
    }
    parts
        .chunks(2)
        .map(|c| {
            let op = match c[0] {
                "gte" => Op::Gte,
                "gt" => Op::Gt,
                "lte" => Op::Lte,
                "lt" => Op::Lt,
                _ => return Err(bad()),
            };
            // A literal '+' in an unescaped offset arrives as a space after form decoding.
            let t = chrono::DateTime::parse_from_rfc3339(&c[1].replace(' ', "+")).map_err(|_| bad())?;
            Ok((op, t.timestamp_millis()))
        })
        .collect()
}

fn parse_filter(pairs: &[(String, String)]) -> Result<Filter, String> {
    let mut f = Filter::default();
    for (k, v) in pairs {
        match k.as_str() {
            "ids" => f.ids = Some(parse_ids(k, v)?),
            "candidate_ids" => f.candidate_ids = Some(parse_ids(k, v)?),
            "job_ids" => f.job_ids = Some(parse_ids(k, v)?),
            "application_ids" => f.application_ids = Some(parse_ids(k, v)?),
            "status" => f.status = Some(v.split(',').map(|s| s.trim().to_string()).collect()),
            "updated_at" => f.updated = parse_range(k, v)?,
            "created_at" => f.created = parse_range(k, v)?,
            "current" => f.current = Some(v == "true"),
            _ => {}
        }
    }
    Ok(f)
}

/// What a page request resolves to: page size, the id to continue below, and the filters.
struct Page {
    per_page: usize,
    before: Option<u64>,
    filter: Filter,
    /// The original filter parameters, carried inside the cursor.
    query: String,
}

fn parse_page(res: Res, pairs: &[(String, String)]) -> Result<Page, String> {
    if let Some((_, cursor)) = pairs.iter().find(|(k, _)| k == "cursor") {
        if pairs.len() > 1 {
            return Err("When passing a cursor, do not include other query params.".into());
        }
        let bad = || "the cursor is invalid or was issued for another endpoint".to_string();
        let text = http::decode_cursor(cursor).ok_or_else(bad)?;
        let mut it = text.splitn(5, '|');
        let (Some("v3"), Some(name), Some(per_page), Some(before), Some(query)) =
            (it.next(), it.next(), it.next(), it.next(), it.next())
        else {
            return Err(bad());
        };
        if name != res.name() {
            return Err(bad());
        }
        let filter_pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        return Ok(Page {
            per_page: per_page.parse().map_err(|_| bad())?,
            before: Some(before.parse().map_err(|_| bad())?),
            filter: parse_filter(&filter_pairs)?,
            query: query.to_string(),
        });
    }
    let per_page = match pairs.iter().find(|(k, _)| k == "per_page") {
        Some((_, v)) => match v.parse::<usize>() {
            Ok(n) if (1..=500).contains(&n) => n,
            _ => return Err("per_page must be an integer between 1 and 500".into()),
        },
        None => 100,
    };
    let rest: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k != "per_page").collect();
    let query =
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(rest.iter().map(|(k, v)| (k, v))).finish();
    Ok(Page { per_page, before: None, filter: parse_filter(pairs)?, query })
}

fn list(sh: &Shared, req: &Req, res: Res) -> Response {
    let page = match parse_page(res, &req.pairs()) {
        Ok(p) => p,
        Err(msg) => return error(sh, StatusCode::UNPROCESSABLE_ENTITY, &msg),
    };
    let w = sh.world();
    let f = &page.filter;
    let (len, id_of): (usize, Box<dyn Fn(usize) -> u64 + '_>) = match res {
        Res::Jobs => (w.jobs.len(), Box::new(|i| w.jobs[i].id)),
        Res::Stages => (w.stages.len(), Box::new(|i| w.stages[i].id)),
        Res::Candidates => (w.talents.len(), Box::new(|i| w.talents[i].id)),
        Res::Applications => (w.apps.len(), Box::new(|i| w.apps[i].id)),
        Res::AppStages => (w.history.len(), Box::new(|i| w.history[i].id)),
        // Attachments are the talents' resumes; their ids grow with the talent's, so the
        // talent id orders them (and keeps the key monotonic over talents without one).
        Res::Attachments => (w.talents.len(), Box::new(|i| w.talents[i].id)),
        Res::Departments => (w.departments.len(), Box::new(|i| w.departments[i].id)),
        Res::Offices => (w.offices.len(), Box::new(|i| w.offices[i].id)),
        Res::Users => (w.users.len(), Box::new(|i| w.users[i].id)),
        Res::Reasons => (w.reasons.len(), Box::new(|i| w.reasons[i].id)),
        Res::Notes => (w.notes.len(), Box::new(|i| w.notes[i].id)),
        // Two slots per job (its public post, then its internal one): ids grow with the job's.
        Res::JobPosts => (w.jobs.len() * 2, Box::new(|i| post_id(&w, i))),
    };
    let keep = |i: usize| -> bool {
        match res {
            Res::Jobs => {
                let j = &w.jobs[i];
                has(&f.ids, j.id)
                    && f.status.as_ref().is_none_or(|s| s.iter().any(|s| s == j.state))
                    && in_range(&f.updated, j.updated_at)
                    && in_range(&f.created, j.created_at)
            }
            Res::Stages => {
                let s = &w.stages[i];
                let job = &w.jobs[s.job.expect("greenhouse stages belong to a job")];
                has(&f.ids, s.id)
                    && has(&f.job_ids, job.id)
                    && in_range(&f.updated, s.created_at)
                    && in_range(&f.created, s.created_at)
            }
            Res::Candidates => {
                let t = &w.talents[i];
                t.live()
                    && has(&f.ids, t.id)
                    && in_range(&f.updated, t.updated_at)
                    && in_range(&f.created, t.created_at)
            }
            Res::Applications => {
                let a = &w.apps[i];
                !a.deleted
                    && has(&f.ids, a.id)
                    && has(&f.candidate_ids, w.talents[a.talent].id)
                    && (f.job_ids.is_none() || a.job.is_some_and(|j| has(&f.job_ids, w.jobs[j].id)))
                    && f.status.as_ref().is_none_or(|s| s.iter().any(|s| s == app_status(a.status)))
                    && in_range(&f.updated, a.updated_at)
                    && in_range(&f.created, a.created_at)
            }
            Res::AppStages => {
                let h = &w.history[i];
                let a = &w.apps[h.app];
                let current = a.history.last() == Some(&i);
                !a.deleted
                    && has(&f.ids, h.id)
                    && has(&f.application_ids, a.id)
                    && f.current.is_none_or(|c| c == current)
                    && in_range(&f.updated, h.exited.unwrap_or(h.entered))
                    && in_range(&f.created, h.entered)
            }
            Res::Attachments => {
                let t = &w.talents[i];
                match &t.resume {
                    Some(r) => {
                        t.live()
                            && has(&f.ids, r.id)
                            && has(&f.candidate_ids, t.id)
                            && in_range(&f.updated, r.created_at)
                            && in_range(&f.created, r.created_at)
                    }
                    None => false,
                }
            }
            Res::Departments | Res::Offices | Res::Users | Res::Reasons => has(&f.ids, id_of(i)),
            Res::Notes => {
                let n = &w.notes[i];
                has(&f.ids, n.id) && has(&f.candidate_ids, w.talents[n.talent].id) && w.talents[n.talent].live()
            }
            Res::JobPosts => {
                let j = &w.jobs[i / 2];
                has_post(&w, i)
                    && has(&f.ids, post_id(&w, i))
                    && has(&f.job_ids, j.id)
                    && in_range(&f.updated, post_updated_at(&w, i))
                    && in_range(&f.created, j.created_at)
            }
        }
    };
    // Results go by id, descending: start just below the cursor's id.
    let end = match page.before {
        Some(b) => {
            let (mut lo, mut hi) = (0, len);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if id_of(mid) < b {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        }
        None => len,
    };
    let mut picked = Vec::with_capacity(page.per_page);
    let mut more = false;
    for i in (0..end).rev() {
        if keep(i) {
            if picked.len() == page.per_page {
                more = true;
                break;
            }
            picked.push(i);
        }
    }
    let mut out = Vec::with_capacity(picked.len() * 600 + 2);
    out.push(b'[');
    for (k, &i) in picked.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        http::push_json(&mut out, &item_json(sh, &w, res, i));
    }
    out.push(b']');
    let mut r = http::bytes_response(StatusCode::OK, "application/json; charset=utf-8", out);
    if more {
        let last = id_of(*picked.last().expect("a page with more has items"));
        let cursor = http::encode_cursor(&format!("v3|{}|{}|{}|{}", res.name(), page.per_page, last, page.query));
        http::set(&mut r, "link", &format!("<{}/v3/{}?cursor={}>; rel=\"next\"", sh.origin, res.name(), cursor));
    }
    r
}

fn app_status(s: Status) -> &'static str {
    match s {
        Status::Active => "in_process",
        Status::Rejected => "rejected",
        Status::Hired => "hired",
    }
}

fn item_json(sh: &Shared, w: &World, res: Res, i: usize) -> Value {
    match res {
        Res::Candidates => {
            let t = &w.talents[i];
            let typed = |list: &[super::world::Contact]| -> Vec<Value> {
                list.iter().map(|c| json!({ "type": c.kind, "value": c.value })).collect()
            };
            let mut v = json!({
                "id": t.id,
                "first_name": t.first,
                "last_name": t.last,
                "preferred_name": t.preferred,
                "company": t.company,
                "title": t.title,
                "email_addresses": typed(&t.emails),
                "phone_numbers": typed(&t.phones),
                "addresses": [],
                "website_addresses": [],
                "social_media_addresses": [],
                "tags": t.tags,
                "private": false,
                "can_email": true,
                "time_zone": t.timezone,
                "linked_user_ids": [],
                "last_activity_at": ts(t.updated_at),
                "custom_fields": {},
                "created_at": ts(t.created_at),
                "updated_at": ts(t.updated_at),
            });
            match t.corrupt {
                Some(0) => {
                    let joined: Vec<&str> = t.emails.iter().map(|e| e.value.as_str()).collect();
                    v["email_addresses"] = Value::String(joined.join(", "));
                }
                Some(_) => v["first_name"] = json!(t.id % 100_000),
                None => {}
            }
            v
        }
        Res::Applications => {
            let a = &w.apps[i];
            json!({
                "id": a.id,
                "candidate_id": w.talents[a.talent].id,
                "job_id": a.job.map(|j| w.jobs[j].id),
                "prospect": a.job.is_none(),
                "prospective_job_ids": [],
                "status": app_status(a.status),
                "job_interview_stage_id": a.stage.map(|s| w.stages[s].id),
                "stage_name": w.stage_text(a.stage),
                "source": { "id": 12 + a.source.len() as u64, "public_name": a.source },
                "referrer_id": null,
                "recruiter_id": w.users[a.recruiter].id,
                "coordinator_id": null,
                "job_post_id": a.job.map(|j| 600_000 + w.jobs[j].id % 10_000),
                "applied_at": ts(a.created_at),
                "rejected_at": (a.status == Status::Rejected).then(|| ts(a.closed_at.unwrap_or(a.updated_at))),
                "rejection_reason_id": a.reason.filter(|_| a.status == Status::Rejected).map(|r| w.reasons[r].id),
                "last_activity_at": ts(a.updated_at),
                "custom_fields": {},
                "created_at": ts(a.created_at),
                "updated_at": ts(a.updated_at),
            })
        }
        Res::AppStages => {
            let h = &w.history[i];
            let a = &w.apps[h.app];
            let end = h.exited.unwrap_or_else(super::world::now_ms);
            json!({
                "id": h.id,
                "application_id": a.id,
                "job_interview_stage_id": w.stages[h.stage].id,
                "entered_at": ts(h.entered),
                "exited_at": h.exited.map(ts),
                "current": a.history.last() == Some(&i),
                "days_in_stage": (end - h.entered).max(0) / super::world::DAY,
                "created_at": ts(h.entered),
                "updated_at": ts(h.exited.unwrap_or(h.entered)),
            })
        }
        Res::Jobs => {
            let j = &w.jobs[i];
            json!({
                "id": j.id,
                "name": j.title,
                "requisition_id": format!("REQ-{}", j.id % 10_000),
                "status": j.state,
                "department_id": j.department.map(|d| w.departments[d].id),
                "office_ids": j.offices.iter().map(|&o| w.offices[o].id).collect::<Vec<_>>(),
                "confidential": false,
                "is_template": false,
                "copied_from_id": null,
                "notes": null,
                "hiring_team": { "hiring_manager_ids": [w.users[j.owner].id], "recruiter_ids": [w.users[0].id] },
                "opened_at": j.opened_at.map(ts),
                "closed_at": j.closed_at.map(ts),
                "custom_fields": { "employment_type": { "name": "Employment Type", "type": "single_select", "value": j.employment } },
                "created_at": ts(j.created_at),
                "updated_at": ts(j.updated_at),
            })
        }
        Res::Stages => {
            let s = &w.stages[i];
            json!({
                "id": s.id,
                "job_id": s.job.map(|j| w.jobs[j].id),
                "name": s.name,
                "sort_order": s.position,
                "active": true,
                "created_at": ts(s.created_at),
                "updated_at": ts(s.created_at),
            })
        }
        Res::Attachments => {
            let t = &w.talents[i];
            let r = t.resume.as_ref().expect("attachments are resumes");
            json!({
                "id": r.id,
                "candidate_id": t.id,
                "application_id": t.apps.first().map(|&a| w.apps[a].id),
                "filename": r.filename,
                "type": "resume",
                "url": super::file_url(sh, t),
                "created_at": ts(r.created_at),
                "updated_at": ts(r.created_at),
            })
        }
        Res::Departments => {
            let d = &w.departments[i];
            json!({ "id": d.id, "name": d.name, "parent_id": null, "external_id": null, "created_at": ts(START), "updated_at": ts(START) })
        }
        Res::Offices => {
            let o = &w.offices[i];
            json!({
                "id": o.id, "name": o.name, "location": { "name": o.name }, "parent_id": null, "external_id": null,
                "created_at": ts(START), "updated_at": ts(START),
            })
        }
        Res::Users => {
            let u = &w.users[i];
            let updated = if u.deactivated { END - 90 * super::world::DAY } else { START };
            json!({
                "id": u.id, "name": format!("{} {}", u.first, u.last), "first_name": u.first, "last_name": u.last,
                "primary_email_address": u.email, "site_admin": u.site_admin, "deactivated": u.deactivated,
                "created_at": ts(START), "updated_at": ts(updated),
            })
        }
        Res::Reasons => {
            let r = &w.reasons[i];
            json!({
                "id": r.id, "name": r.text, "type": { "id": r.kind.len(), "name": r.kind },
                "created_at": ts(START), "updated_at": ts(START),
            })
        }
        Res::Notes => note_json(w, i),
        Res::JobPosts => post_json(w, i),
    }
}

// ---- job posts ----
//
// Slot 2j is job j's public post (its description; live while the job is open), slot 2j+1 an
// internal post (for internal applicants only: no `content`, just `internal_content`) that
// every third job (index 2, 5, 8, …) has. A draft job has no post; inactive posts are left out, as Greenhouse does by
// default. The fields are the documented (v1) job post's.

fn post_id(w: &World, i: usize) -> u64 {
    600_000_000 + w.jobs[i / 2].id * 2 + (i % 2) as u64
}

fn has_post(w: &World, i: usize) -> bool {
    let job = &w.jobs[i / 2];
    job.state != "draft" && (i.is_multiple_of(2) || (i / 2) % 3 == 2)
}

fn post_updated_at(w: &World, i: usize) -> Ms {
    let job = &w.jobs[i / 2];
    if i.is_multiple_of(2) {
        job.posted_at
    } else {
        job.created_at
    }
}

fn post_json(w: &World, i: usize) -> Value {
    let j = i / 2;
    let job = &w.jobs[j];
    let public = i.is_multiple_of(2);
    let (content, internal_content) = if public {
        (json!(w.job_description(j)), Value::Null)
    } else {
        (json!(""), json!(format!("<p>Internal applicants: talk to {} first.</p>", w.users[job.owner].first)))
    };
    json!({
        "id": post_id(w, i),
        "title": job.title,
        "location": { "name": job.offices.first().map(|&o| w.offices[o].name) },
        "internal": !public,
        "external": public,
        "live": !public || job.state == "open",
        "job_id": job.id,
        "content": content,
        "internal_content": internal_content,
        "questions": [],
        "created_at": ts(job.created_at),
        "updated_at": ts(post_updated_at(w, i)),
    })
}

fn note_json(w: &World, i: usize) -> Value {
    let n = &w.notes[i];
    json!({
        "id": n.id,
        "candidate_id": w.talents[n.talent].id,
        "application_id": n.app.map(|a| w.apps[a].id),
        "user_id": w.users[n.user].id,
        "body": n.body,
        "visibility": "public",
        "created_at": ts(n.created_at),
        "updated_at": ts(n.created_at),
    })
}

// ---- writes ----

fn body_json(sh: &Shared, req: &Req) -> Result<Value, Response> {
    req.json().map_err(|e| error(sh, StatusCode::UNPROCESSABLE_ENTITY, &e))
}

/// `POST /v3/applications/{id}/move`: `from_stage_id` must be the current stage; then
/// `to_stage_id`, or `to_job_id` (that job's first stage), or neither (advance one stage).
fn move_application(sh: &Shared, req: &Req, id: &str) -> Response {
    let body = match body_json(sh, req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(from) = body.get("from_stage_id").and_then(http::id_str) else {
        return error(sh, StatusCode::UNPROCESSABLE_ENTITY, "from_stage_id is required");
    };
    let user = sh.auth().user;
    let mut w = sh.world_mut();
    let Some(ai) = w.app_by_rid(id).filter(|&a| !w.apps[a].deleted) else {
        return error(sh, StatusCode::NOT_FOUND, "application not found");
    };
    let app = &w.apps[ai];
    let (Some(job), Some(current)) = (app.job, app.stage) else {
        return error(sh, StatusCode::UNPROCESSABLE_ENTITY, "a prospect application is not in a job's pipeline");
    };
    if app.status != Status::Active {
        return error(
            sh,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("the application is {}; only active applications can be moved", app_status(app.status)),
        );
    }
    if w.stages[current].id.to_string() != from {
        return error(
            sh,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("from_stage_id {from} is not the application's current stage ({})", w.stages[current].id),
        );
    }
    let (target_job, target) = if let Some(to) = body.get("to_stage_id").and_then(http::id_str) {
        match w.stage_by_rid(&to).filter(|&s| w.stages[s].job == Some(job)) {
            Some(s) => (job, s),
            None => {
                return error(
                    sh,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("to_stage_id {to} is not a stage of this application's job"),
                )
            }
        }
    } else if let Some(to) = body.get("to_job_id").and_then(http::id_str) {
        match w.job_by_rid(&to).filter(|&j| !w.jobs[j].stages.is_empty()) {
            Some(j) => (j, w.jobs[j].stages[0]),
            None => return error(sh, StatusCode::UNPROCESSABLE_ENTITY, &format!("to_job_id {to} is not a job")),
        }
    } else {
        let pipeline = &w.jobs[job].stages;
        let pos = pipeline.iter().position(|&s| s == current).unwrap_or(0);
        match pipeline.get(pos + 1) {
            Some(&s) => (job, s),
            None => return error(sh, StatusCode::UNPROCESSABLE_ENTITY, "the application is already in the last stage"),
        }
    };
    if target == current {
        return error(sh, StatusCode::UNPROCESSABLE_ENTITY, "the application is already in that stage");
    }
    w.apps[ai].job = Some(target_job);
    w.move_app(ai, target, super::world::now_ms(), user);
    http::empty(StatusCode::NO_CONTENT)
}

/// `POST /v3/applications/{id}/reject` with a required `rejection_reason_id`.
fn reject_application(sh: &Shared, req: &Req, id: &str) -> Response {
    let body = match body_json(sh, req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(reason) = body.get("rejection_reason_id").and_then(http::id_str) else {
        return error(sh, StatusCode::UNPROCESSABLE_ENTITY, "rejection_reason_id is required");
    };
    let mut w = sh.world_mut();
    let Some(ai) = w.app_by_rid(id).filter(|&a| !w.apps[a].deleted) else {
        return error(sh, StatusCode::NOT_FOUND, "application not found");
    };
    let Some(r) = w.reason_by_rid(&reason) else {
        return error(sh, StatusCode::UNPROCESSABLE_ENTITY, &format!("rejection_reason_id {reason} does not exist"));
    };
    if w.apps[ai].status != Status::Active {
        let s = app_status(w.apps[ai].status);
        return error(sh, StatusCode::UNPROCESSABLE_ENTITY, &format!("the application is already {s}"));
    }
    w.close_app(ai, Some(r), super::world::now_ms());
    http::empty(StatusCode::NO_CONTENT)
}

/// `POST /v3/notes` `{candidate_id, application_id?, user_id?, body, visibility?}` → 201.
fn create_note(sh: &Shared, req: &Req) -> Response {
    let body = match body_json(sh, req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let token_user = sh.auth().user;
    let mut w = sh.world_mut();
    let Some(ti) = body
        .get("candidate_id")
        .and_then(http::id_str)
        .and_then(|c| w.talent_by_rid(&c))
        .filter(|&t| w.talents[t].live())
    else {
        return error(
            sh,
            StatusCode::UNPROCESSABLE_ENTITY,
            "candidate_id is required and must name an existing candidate",
        );
    };
    let Some(text) = body.get("body").and_then(Value::as_str).filter(|s| !s.trim().is_empty()) else {
        return error(sh, StatusCode::UNPROCESSABLE_ENTITY, "body is required");
    };
    let app = match body.get("application_id").and_then(http::id_str) {
        Some(a) => match w.app_by_rid(&a).filter(|&a| w.apps[a].talent == ti && !w.apps[a].deleted) {
            Some(a) => Some(a),
            None => {
                return error(
                    sh,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "application_id is not an application of this candidate",
                )
            }
        },
        None => None,
    };
    let user = match body.get("user_id").and_then(http::id_str) {
        Some(u) => match w.user_by_rid(&u) {
            Some(u) => u,
            None => return error(sh, StatusCode::UNPROCESSABLE_ENTITY, "user_id is not a user"),
        },
        None => token_user,
    };
    let n = w.add_note(ti, app, user, text.to_string(), super::world::now_ms());
    http::json(StatusCode::CREATED, &note_json(&w, n))
}
