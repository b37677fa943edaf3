//! Lever Data API v1: HTTP Basic with the API key, `{data, hasNext, next}` pages walked with
//! `offset=<next>`, millisecond timestamps, an account-wide pipeline, and deletions that stay
//! visible under `/opportunities/deleted`.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::http::{self, Req};
use super::world::{fmt_uid, now_ms, Ms, Status, World};
use super::Shared;

const MAX_LIMIT: usize = 100;

pub(super) fn scope(req: &Req) -> Option<&'static str> {
    let segs = req.segments("/v1/")?;
    let get = req.method == Method::GET;
    Some(match segs.as_slice() {
        ["postings", ..] => "postings:read:admin",
        ["stages"] => "stages:read:admin",
        ["archive_reasons"] => "archive_reasons:read:admin",
        ["users"] => "users:read:admin",
        ["applications", "deleted"] | ["opportunities", _, "applications"] => "applications:read:admin",
        ["opportunities", _, "resumes", ..] => "resumes:read:admin",
        ["opportunities", _, "notes"] if get => "notes:read:admin",
        ["opportunities", _, "notes"] => "notes:write:admin",
        ["opportunities", _, "stage" | "archived"] => "opportunities:write:admin",
        ["opportunities", ..] => "opportunities:read:admin",
        _ => return None,
    })
}

fn error(sh: &Shared, status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::NOT_FOUND => "ResourceNotFound",
        StatusCode::METHOD_NOT_ALLOWED => "MethodNotAllowed",
        _ => "BadRequestError",
    };
    sh.error(status, code, message)
}

pub(super) fn handle(sh: &Shared, req: &Req) -> Response {
    let Some(segs) = req.segments("/v1/") else {
        return error(sh, StatusCode::NOT_FOUND, "not found");
    };
    let m = &req.method;
    match segs.as_slice() {
        ["postings"] if m == Method::GET => postings(sh, req),
        ["postings", "deleted"] if m == Method::GET => deleted(sh, req, "pd", |_| &[]),
        ["postings", id] if m == Method::GET => posting(sh, id),
        ["stages"] if m == Method::GET => {
            small_list(sh, req, "st", |w| (0..w.stages.len()).map(|s| stage_json(w, s)).collect())
        }
        ["archive_reasons"] if m == Method::GET => archive_reasons(sh, req),
        ["users"] if m == Method::GET => {
            small_list(sh, req, "us", |w| (0..w.users.len()).map(|u| user_json(w, u)).collect())
        }
        ["opportunities"] if m == Method::GET => opportunities(sh, req),
        ["opportunities", "deleted"] if m == Method::GET => deleted(sh, req, "od", |w| w.deleted_opps.as_slice()),
        ["applications", "deleted"] if m == Method::GET => deleted(sh, req, "ad", |w| w.deleted_apps.as_slice()),
        ["opportunities", id] if m == Method::GET => opportunity(sh, req, id),
        ["opportunities", id, "applications"] if m == Method::GET => opportunity_applications(sh, id),
        ["opportunities", id, "resumes"] if m == Method::GET => resumes(sh, id),
        ["opportunities", id, "resumes", rid, "download"] if m == Method::GET => download(sh, id, rid),
        ["opportunities", id, "notes"] if m == Method::GET => notes(sh, id),
        ["opportunities", id, "notes"] if m == Method::POST => create_note(sh, req, id),
        ["opportunities", id, "stage"] if m == Method::PUT => change_stage(sh, req, id),
        ["opportunities", id, "archived"] if m == Method::PUT => change_archived(sh, req, id),
        _ => error(sh, StatusCode::NOT_FOUND, "not found"),
    }
}

// ---- paging ----

/// `limit` (1..100) and the `offset` token of the previous page's `next`. The token is a
/// position in the collection, so the same filters must be sent with it (as Lever expects).
fn paging(pairs: &[(String, String)], tag: &str) -> Result<(usize, usize), String> {
    let limit = match pairs.iter().find(|(k, _)| k == "limit") {
        Some((_, v)) => match v.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => return Err(format!("limit must be an integer between 1 and {MAX_LIMIT}")),
        },
        None => MAX_LIMIT,
    };
    let start = match pairs.iter().find(|(k, _)| k == "offset") {
        Some((_, v)) => {
            let text = http::decode_cursor(v).ok_or("invalid offset")?;
            match text.split_once(':') {
                Some((t, n)) if t == tag => n.parse().map_err(|_| "invalid offset")?,
                _ => return Err("invalid offset (it belongs to another list)".into()),
            }
        }
        None => 0,
    };
    Ok((limit, start))
}

/// Writes one page of `{data, hasNext, next}` over positions `start..len` that pass `keep`.
fn page(
    tag: &str,
    limit: usize,
    start: usize,
    len: usize,
    keep: impl Fn(usize) -> bool,
    write: impl Fn(&mut Vec<u8>, usize),
) -> Response {
    let mut out = Vec::with_capacity(limit * 900 + 64);
    out.extend_from_slice(b"{\"data\":[");
    let next = http::push_rows(&mut out, start, len, limit, keep, write);
    out.extend_from_slice(b"],\"hasNext\":");
    match next {
        Some(i) => {
            out.extend_from_slice(b"true,\"next\":");
            out.extend_from_slice(Value::String(http::encode_cursor(&format!("{tag}:{i}"))).to_string().as_bytes());
        }
        None => out.extend_from_slice(b"false"),
    }
    out.push(b'}');
    http::bytes_response(StatusCode::OK, "application/json; charset=utf-8", out)
}

fn small_list(sh: &Shared, req: &Req, tag: &str, all: impl Fn(&World) -> Vec<Value>) -> Response {
    let (limit, start) = match paging(&req.pairs(), tag) {
        Ok(p) => p,
        Err(e) => return error(sh, StatusCode::BAD_REQUEST, &e),
    };
    let items = all(&sh.world());
    page(
        tag,
        limit,
        start,
        items.len(),
        |_| true,
        |out, i| {
            http::push_json(out, &items[i]);
        },
    )
}

fn ms_param(pairs: &[(String, String)], key: &str) -> Result<Option<Ms>, String> {
    match pairs.iter().find(|(k, _)| k == key) {
        Some((_, v)) => v.parse().map(Some).map_err(|_| format!("{key} must be a timestamp in milliseconds")),
        None => Ok(None),
    }
}

/// Start inclusive, end exclusive, so consecutive windows tile without overlap.
fn in_window(t: Ms, start: Option<Ms>, end: Option<Ms>) -> bool {
    start.is_none_or(|s| t >= s) && end.is_none_or(|e| t < e)
}

/// Every value of a repeatable parameter, commas splitting too (`expand=a,b` = `expand=a&expand=b`).
fn multi(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs.iter().filter(|(k, _)| k == key).flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string())).collect()
}

// ---- postings, stages, reasons, users ----

fn posting_json(sh: &Shared, w: &World, j: usize) -> Value {
    let job = &w.jobs[j];
    let mut categories = Map::new();
    if let Some(d) = job.department {
        categories.insert("department".into(), json!(w.departments[d].name));
        categories.insert("team".into(), json!(format!("{} Team", w.departments[d].name)));
    }
    if let Some(&o) = job.offices.first() {
        categories.insert("location".into(), json!(w.offices[o].name));
    }
    categories.insert("commitment".into(), json!(job.employment));
    categories.insert("allLocations".into(), json!(job.offices.iter().map(|&o| w.offices[o].name).collect::<Vec<_>>()));
    let owner = fmt_uid(w.users[job.owner].uid);
    let id = fmt_uid(job.uid);
    let mut posting = json!({
        "id": id,
        "text": job.title,
        "state": job.state,
        "distributionChannels": match job.state { "published" => json!(["public", "internal"]), "internal" => json!(["internal"]), _ => json!([]) },
        "confidentiality": "non-confidential",
        "user": owner,
        "owner": owner,
        "hiringManager": owner,
        "categories": categories,
        "tags": [],
        // Lever's posting content: the description as text and HTML, titled lists (their
        // `content` is the `<li>` items' HTML) and a closing (hire.lever.co/developer/documentation,
        // "Retrieve a single posting").
        "content": {
            "description": format!("Join us as {}.", job.title),
            "descriptionHtml": w.job_description(j),
            "lists": [{ "text": "Requirements", "content": "<li>Three years in a similar role</li><li>Clear writing</li>" }],
            "closing": "We answer every application.",
            "closingHtml": "<p>We answer every application.</p>",
        },
        "workplaceType": if job.offices.is_empty() { "remote" } else { "onsite" },
        "createdAt": job.created_at,
        "updatedAt": job.updated_at,
        "urls": {
            "list": format!("{}/jobs", sh.origin),
            "show": format!("{}/jobs/{id}", sh.origin),
            "apply": format!("{}/jobs/{id}/apply", sh.origin),
        },
    });
    // Absent, not null, when the posting has no range.
    if let Some((min, max)) = w.job_salary(j) {
        posting["salaryRange"] = json!({ "min": min, "max": max, "currency": "USD", "interval": "per-year-salary" });
    }
    posting
}

fn postings(sh: &Shared, req: &Req) -> Response {
    let pairs = req.pairs();
    let parsed = paging(&pairs, "po")
        .and_then(|p| Ok((p, ms_param(&pairs, "updated_at_start")?, ms_param(&pairs, "updated_at_end")?)));
    let ((limit, start), from, to) = match parsed {
        Ok(p) => p,
        Err(e) => return error(sh, StatusCode::BAD_REQUEST, &e),
    };
    let states = multi(&pairs, "state");
    let w = sh.world();
    page(
        "po",
        limit,
        start,
        w.jobs.len(),
        |j| {
            let job = &w.jobs[j];
            in_window(job.updated_at, from, to) && (states.is_empty() || states.iter().any(|s| s == job.state))
        },
        |out, j| {
            http::push_json(out, &posting_json(sh, &w, j));
        },
    )
}

fn posting(sh: &Shared, id: &str) -> Response {
    let w = sh.world();
    match w.job_by_rid(id) {
        Some(j) => http::json(StatusCode::OK, &json!({ "data": posting_json(sh, &w, j) })),
        None => error(sh, StatusCode::NOT_FOUND, "posting not found"),
    }
}

fn stage_json(w: &World, s: usize) -> Value {
    json!({ "id": fmt_uid(w.stages[s].uid), "text": w.stages[s].name })
}

fn user_json(w: &World, u: usize) -> Value {
    let user = &w.users[u];
    json!({
        "id": fmt_uid(user.uid),
        "name": format!("{} {}", user.first, user.last),
        "username": user.first.to_lowercase(),
        "email": user.email,
        "accessRole": if user.site_admin { "super admin" } else { "team member" },
        "photo": null,
        "createdAt": super::world::START,
        "deactivatedAt": if user.deactivated { json!(super::world::END - 90 * super::world::DAY) } else { Value::Null },
    })
}

fn archive_reasons(sh: &Shared, req: &Req) -> Response {
    let pairs = req.pairs();
    let kind = multi(&pairs, "type");
    small_list(sh, req, "ar", |w| {
        w.reasons
            .iter()
            .filter(|r| kind.is_empty() || kind.iter().any(|k| k == r.kind))
            .map(|r| json!({ "id": fmt_uid(r.uid), "text": r.text, "status": "active", "type": r.kind }))
            .collect()
    })
}

/// `/postings/deleted`, `/opportunities/deleted`, `/applications/deleted`: `{id, deletedAt}`.
fn deleted(sh: &Shared, req: &Req, tag: &str, list: impl Fn(&World) -> &[super::world::Deleted]) -> Response {
    let pairs = req.pairs();
    let parsed = paging(&pairs, tag)
        .and_then(|p| Ok((p, ms_param(&pairs, "deleted_at_start")?, ms_param(&pairs, "deleted_at_end")?)));
    let ((limit, start), from, to) = match parsed {
        Ok(p) => p,
        Err(e) => return error(sh, StatusCode::BAD_REQUEST, &e),
    };
    let w = sh.world();
    let items = list(&w);
    page(
        tag,
        limit,
        start,
        items.len(),
        |i| in_window(items[i].at, from, to),
        |out, i| {
            http::push_json(out, &json!({ "id": fmt_uid(items[i].uid), "deletedAt": items[i].at }));
        },
    )
}

// ---- opportunities ----

#[derive(Default)]
struct Expand {
    applications: bool,
    stage: bool,
    contact: bool,
    owner: bool,
}

fn expand(pairs: &[(String, String)]) -> Expand {
    let mut e = Expand::default();
    for v in multi(pairs, "expand") {
        match v.as_str() {
            "applications" => e.applications = true,
            "stage" => e.stage = true,
            "contact" => e.contact = true,
            "owner" => e.owner = true,
            _ => {}
        }
    }
    e
}

fn archived_json(w: &World, ai: usize) -> Value {
    let a = &w.apps[ai];
    match (a.status, a.reason) {
        (Status::Active, _) | (_, None) => Value::Null,
        (_, Some(r)) => {
            json!({ "reason": fmt_uid(w.reasons[r].uid), "archivedAt": a.closed_at.unwrap_or(a.updated_at) })
        }
    }
}

fn phones_json(w: &World, ai: usize) -> Value {
    let t = &w.talents[w.apps[ai].talent];
    Value::Array(t.phones.iter().map(|p| json!({ "type": p.kind, "value": p.value })).collect())
}

fn location(w: &World, ai: usize) -> String {
    let tz = w.talents[w.apps[ai].talent].timezone;
    tz.rsplit('/').next().unwrap_or(tz).replace('_', " ")
}

/// The application object of an opportunity (Lever: one per opportunity with a posting).
fn application_json(w: &World, ai: usize) -> Option<Value> {
    let a = &w.apps[ai];
    let j = a.job?;
    let t = &w.talents[a.talent];
    let owner = fmt_uid(w.users[w.jobs[j].owner].uid);
    Some(json!({
        "id": fmt_uid(a.app_uid),
        "opportunityId": fmt_uid(a.uid),
        "candidateId": fmt_uid(a.uid),
        "type": "posting",
        "posting": fmt_uid(w.jobs[j].uid),
        "postingOwner": owner,
        "postingHiringManager": owner,
        "user": null,
        "name": t.name(),
        "email": t.emails.first().map(|e| e.value.as_str()),
        "phone": t.phones.first().map(|p| json!({ "type": p.kind, "value": p.value })),
        "createdAt": a.created_at,
        "archived": archived_json(w, ai),
        "requisitionForHire": null,
        "customQuestions": [],
    }))
}

fn opportunity_json(sh: &Shared, w: &World, ai: usize, ex: &Expand) -> Value {
    let a = &w.apps[ai];
    let t = &w.talents[a.talent];
    let (headline, tags) = w.lever_headline_tags(ai);
    let id = fmt_uid(a.uid);
    let contact_id = fmt_uid(t.uid);
    let emails: Vec<&str> = t.emails.iter().map(|e| e.value.as_str()).collect();
    let contact = if ex.contact {
        json!({
            "id": contact_id, "name": t.name(), "headline": headline, "isAnonymized": false,
            "location": { "name": location(w, ai) }, "emails": emails, "phones": phones_json(w, ai),
        })
    } else {
        json!(contact_id)
    };
    let stage = match (a.stage, ex.stage) {
        (Some(s), true) => stage_json(w, s),
        (Some(s), false) => json!(fmt_uid(w.stages[s].uid)),
        (None, _) => Value::Null,
    };
    let applications = match (ex.applications, application_json(w, ai)) {
        (_, None) => json!([]),
        (true, Some(obj)) => json!([obj]),
        (false, Some(_)) => json!([fmt_uid(a.app_uid)]),
    };
    let owner = if ex.owner { user_json(w, a.recruiter) } else { json!(fmt_uid(w.users[a.recruiter].uid)) };
    let stage_changes: Vec<Value> = a
        .history
        .iter()
        .map(|&h| {
            let h = &w.history[h];
            json!({
                "toStageId": fmt_uid(w.stages[h.stage].uid),
                "toStageIndex": w.stages[h.stage].position,
                "updatedAt": h.entered,
                "userId": fmt_uid(w.users[h.user].uid),
            })
        })
        .collect();
    let last_advanced = a.history.last().map(|&h| w.history[h].entered).unwrap_or(a.created_at);
    let mut v = json!({
        "id": id,
        "name": t.name(),
        "headline": headline.unwrap_or(""),
        "contact": contact,
        "emails": emails,
        "phones": phones_json(w, ai),
        "confidentiality": "non-confidential",
        "location": location(w, ai),
        "links": [],
        "stage": stage,
        "stageChanges": stage_changes,
        "archived": archived_json(w, ai),
        "tags": tags,
        "sources": [a.source],
        "origin": if a.sourced { "sourced" } else { "applied" },
        "sourcedBy": if a.sourced { json!(fmt_uid(w.users[a.recruiter].uid)) } else { Value::Null },
        "owner": owner,
        "followers": [fmt_uid(w.users[a.recruiter].uid)],
        "applications": applications,
        "createdAt": a.created_at,
        "updatedAt": a.updated_at,
        "lastInteractionAt": a.updated_at,
        "lastAdvancedAt": last_advanced,
        "snoozedUntil": null,
        "isAnonymized": false,
        "dataProtection": null,
        "urls": { "list": format!("{}/candidates", sh.origin), "show": format!("{}/candidates/{id}", sh.origin) },
    });
    match t.corrupt {
        Some(0) => v["emails"] = json!(emails.join(", ")),
        Some(_) => v["name"] = json!(t.id % 100_000),
        None => {}
    }
    v
}

fn opportunities(sh: &Shared, req: &Req) -> Response {
    let pairs = req.pairs();
    let windows = (|| -> Result<_, String> {
        Ok((
            paging(&pairs, "op")?,
            [
                (ms_param(&pairs, "updated_at_start")?, ms_param(&pairs, "updated_at_end")?),
                (ms_param(&pairs, "created_at_start")?, ms_param(&pairs, "created_at_end")?),
                (ms_param(&pairs, "archived_at_start")?, ms_param(&pairs, "archived_at_end")?),
            ],
        ))
    })();
    let ((limit, start), [updated, created, archived_at]) = match windows {
        Ok(p) => p,
        Err(e) => return error(sh, StatusCode::BAD_REQUEST, &e),
    };
    let archived = match pairs.iter().find(|(k, _)| k == "archived").map(|(_, v)| v.as_str()) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return error(sh, StatusCode::BAD_REQUEST, "archived must be true or false"),
    };
    let ex = expand(&pairs);
    let w = sh.world();
    let resolve = |key: &str, f: &dyn Fn(&str) -> Option<usize>| -> Option<Vec<Option<usize>>> {
        let v = multi(&pairs, key);
        (!v.is_empty()).then(|| v.iter().map(|s| f(s)).collect())
    };
    let postings = resolve("posting_id", &|s| w.job_by_rid(s));
    let stages = resolve("stage_id", &|s| w.stage_by_rid(s));
    let contacts = resolve("contact_id", &|s| w.talent_by_rid(s));
    let emails: Vec<String> = multi(&pairs, "email").into_iter().map(|e| e.to_lowercase()).collect();
    let tags = multi(&pairs, "tag");
    let origins = multi(&pairs, "origin");
    page(
        "op",
        limit,
        start,
        w.apps.len(),
        |ai| {
            let a = &w.apps[ai];
            if a.deleted {
                return false;
            }
            let is_archived = a.status != Status::Active;
            let t = &w.talents[a.talent];
            in_window(a.updated_at, updated.0, updated.1)
                && in_window(a.created_at, created.0, created.1)
                && (archived_at == (None, None)
                    || (is_archived && in_window(a.closed_at.unwrap_or(0), archived_at.0, archived_at.1)))
                && archived.is_none_or(|want| want == is_archived)
                && postings.as_ref().is_none_or(|p| p.contains(&a.job))
                && stages.as_ref().is_none_or(|s| s.contains(&a.stage))
                && contacts.as_ref().is_none_or(|c| c.contains(&Some(a.talent)))
                && (emails.is_empty() || t.emails.iter().any(|e| emails.contains(&e.value.to_lowercase())))
                && (tags.is_empty() || w.lever_headline_tags(ai).1.iter().any(|t| tags.iter().any(|x| x == t)))
                && (origins.is_empty() || origins.iter().any(|o| o == if a.sourced { "sourced" } else { "applied" }))
        },
        |out, ai| {
            http::push_json(out, &opportunity_json(sh, &w, ai, &ex));
        },
    )
}

fn find_opp(w: &World, id: &str) -> Option<usize> {
    w.app_by_rid(id).filter(|&a| !w.apps[a].deleted)
}

fn opportunity(sh: &Shared, req: &Req, id: &str) -> Response {
    let w = sh.world();
    match find_opp(&w, id) {
        Some(ai) => http::json(StatusCode::OK, &json!({ "data": opportunity_json(sh, &w, ai, &expand(&req.pairs())) })),
        None => error(sh, StatusCode::NOT_FOUND, "opportunity not found"),
    }
}

fn opportunity_applications(sh: &Shared, id: &str) -> Response {
    let w = sh.world();
    match find_opp(&w, id) {
        Some(ai) => {
            let data: Vec<Value> = application_json(&w, ai).into_iter().collect();
            http::json(StatusCode::OK, &json!({ "data": data, "hasNext": false }))
        }
        None => error(sh, StatusCode::NOT_FOUND, "opportunity not found"),
    }
}

/// The resume hangs off the contact's first opportunity (where it was uploaded).
fn resume_of(w: &World, ai: usize) -> Option<&super::world::Resume> {
    let t = &w.talents[w.apps[ai].talent];
    (t.apps.first() == Some(&ai)).then_some(t.resume.as_ref()).flatten()
}

fn resumes(sh: &Shared, id: &str) -> Response {
    let w = sh.world();
    let Some(ai) = find_opp(&w, id) else {
        return error(sh, StatusCode::NOT_FOUND, "opportunity not found");
    };
    let t = &w.talents[w.apps[ai].talent];
    let data: Vec<Value> = resume_of(&w, ai)
        .map(|r| {
            json!({
                "id": fmt_uid(r.uid),
                "createdAt": r.created_at,
                "file": {
                    "name": r.filename,
                    "ext": "pdf",
                    "downloadUrl": format!("{}/v1/opportunities/{id}/resumes/{}/download", sh.origin, fmt_uid(r.uid)),
                    "uploadedAt": r.created_at,
                    "size": super::resume_pdf(t).len(),
                },
                "parsedData": {
                    "positions": t.company.map(|c| json!([{ "org": c, "title": t.title, "summary": "", "location": null }])).unwrap_or(json!([])),
                    "schools": [],
                },
            })
        })
        .into_iter()
        .collect();
    http::json(StatusCode::OK, &json!({ "data": data, "hasNext": false }))
}

fn download(sh: &Shared, id: &str, rid: &str) -> Response {
    let w = sh.world();
    let found = find_opp(&w, id).and_then(|ai| resume_of(&w, ai).filter(|r| fmt_uid(r.uid) == rid).map(|_| ai));
    match found {
        Some(ai) => {
            http::bytes_response(StatusCode::OK, "application/pdf", super::resume_pdf(&w.talents[w.apps[ai].talent]))
        }
        None => error(sh, StatusCode::NOT_FOUND, "resume not found"),
    }
}

fn note_json(w: &World, n: usize) -> Value {
    let note = &w.notes[n];
    json!({
        "id": fmt_uid(note.uid),
        "text": note.body,
        "fields": [{ "type": "text", "text": "Note", "value": note.body }],
        "user": fmt_uid(w.users[note.user].uid),
        "secret": false,
        "completedAt": note.created_at,
        "createdAt": note.created_at,
        "deletedAt": null,
    })
}

fn notes(sh: &Shared, id: &str) -> Response {
    let w = sh.world();
    let Some(ai) = find_opp(&w, id) else {
        return error(sh, StatusCode::NOT_FOUND, "opportunity not found");
    };
    let data: Vec<Value> =
        (0..w.notes.len()).filter(|&n| w.notes[n].app == Some(ai)).map(|n| note_json(&w, n)).collect();
    http::json(StatusCode::OK, &json!({ "data": data, "hasNext": false }))
}

// ---- writes ----

/// A write body: JSON, or form-encoded fields (Lever accepts both).
fn body(req: &Req) -> Result<Value, String> {
    let is_form = req.header("content-type").is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        let map: Map<String, Value> =
            url::form_urlencoded::parse(&req.body).into_owned().map(|(k, v)| (k, Value::String(v))).collect();
        return Ok(Value::Object(map));
    }
    req.json()
}

/// `perform_as`: optional, but when sent it must name a user (the acting recruiter).
fn perform_as(w: &World, req: &Req) -> Result<usize, String> {
    match req.pairs().into_iter().find(|(k, _)| k == "perform_as") {
        Some((_, id)) => w.user_by_rid(&id).ok_or_else(|| format!("perform_as {id} is not a user of this account")),
        None => Ok(0),
    }
}

fn write_prelude(sh: &Shared, req: &Req, id: &str) -> Result<(Value, usize, usize), Response> {
    let body = body(req).map_err(|e| error(sh, StatusCode::BAD_REQUEST, &e))?;
    let w = sh.world();
    let ai = find_opp(&w, id).ok_or_else(|| error(sh, StatusCode::NOT_FOUND, "opportunity not found"))?;
    let user = perform_as(&w, req).map_err(|e| error(sh, StatusCode::BAD_REQUEST, &e))?;
    Ok((body, ai, user))
}

/// `PUT /v1/opportunities/{id}/stage` `{stage}` → the updated opportunity.
fn change_stage(sh: &Shared, req: &Req, id: &str) -> Response {
    let (body, ai, user) = match write_prelude(sh, req, id) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut w = sh.world_mut();
    let Some(stage) = body.get("stage").and_then(Value::as_str).and_then(|s| w.stage_by_rid(s)) else {
        return error(sh, StatusCode::BAD_REQUEST, "stage must be the id of a pipeline stage (GET /stages)");
    };
    if w.apps[ai].deleted {
        return error(sh, StatusCode::NOT_FOUND, "opportunity not found");
    }
    w.move_app(ai, stage, now_ms(), user);
    http::json(StatusCode::OK, &json!({ "data": opportunity_json(sh, &w, ai, &Expand::default()) }))
}

/// `PUT /v1/opportunities/{id}/archived` `{reason}` (null unarchives) → the updated opportunity.
fn change_archived(sh: &Shared, req: &Req, id: &str) -> Response {
    let (body, ai, _) = match write_prelude(sh, req, id) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut w = sh.world_mut();
    let reason = match body.get("reason") {
        None => {
            return error(
                sh,
                StatusCode::BAD_REQUEST,
                "reason is required (an archive reason id, or null to unarchive)",
            )
        }
        Some(Value::Null) => None,
        Some(v) => match v.as_str().and_then(|r| w.reason_by_rid(r)) {
            Some(r) => Some(r),
            None => {
                return error(
                    sh,
                    StatusCode::BAD_REQUEST,
                    "reason must be the id of an archive reason (GET /archive_reasons)",
                )
            }
        },
    };
    if w.apps[ai].deleted {
        return error(sh, StatusCode::NOT_FOUND, "opportunity not found");
    }
    w.close_app(ai, reason, now_ms());
    http::json(StatusCode::OK, &json!({ "data": opportunity_json(sh, &w, ai, &Expand::default()) }))
}

/// `POST /v1/opportunities/{id}/notes` `{value}` → 201 `{data: {noteId}}`.
fn create_note(sh: &Shared, req: &Req, id: &str) -> Response {
    let (body, ai, user) = match write_prelude(sh, req, id) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(text) = body.get("value").and_then(Value::as_str).filter(|s| !s.trim().is_empty()) else {
        return error(sh, StatusCode::BAD_REQUEST, "value (the note text) is required");
    };
    let mut w = sh.world_mut();
    if w.apps[ai].deleted {
        return error(sh, StatusCode::NOT_FOUND, "opportunity not found");
    }
    let ti = w.apps[ai].talent;
    let n = w.add_note(ti, Some(ai), user, text.to_string(), now_ms());
    http::json(StatusCode::CREATED, &json!({ "data": { "noteId": fmt_uid(w.notes[n].uid) } }))
}
