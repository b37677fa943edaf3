//! The sandbox ATS over real HTTP on 127.0.0.1: each simulator pages out exactly the data it
//! generated, with the provider's own auth and pagination, and its faults and mutations behave
//! as connectors will be tested against.

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use talentdeck::model::Provider;
use talentdeck::sandbox::{Faults, Mutation, RateLimit, Sandbox, SandboxConfig, SetUpdatedAt};
use talentdeck::store::ExportKind;

async fn start(provider: Provider, talents: usize, faults: Faults) -> Sandbox {
    let mut cfg = SandboxConfig::new(provider);
    cfg.talents = talents;
    cfg.faults = faults;
    Sandbox::start(cfg).await.expect("the sandbox starts")
}

fn ids(records: &[Value]) -> Vec<String> {
    records.iter().map(|r| r["remote_id"].as_str().expect("remote ids are strings").to_string()).collect()
}

fn cred(sb: &Sandbox, field: &str) -> String {
    sb.info().credentials[field].as_str().expect("credential field").to_string()
}

async fn gh_token(client: &Client, sb: &Sandbox, secret: &str) -> Response {
    let info = sb.info();
    client
        .post(info.auth_url.as_deref().expect("greenhouse has a token endpoint"))
        .basic_auth(info.credentials["client_id"].as_str().unwrap(), Some(secret))
        .form(&[("grant_type", "client_credentials"), ("sub", info.credentials["user_id"].as_str().unwrap())])
        .send()
        .await
        .unwrap()
}

async fn gh_access(client: &Client, sb: &Sandbox) -> String {
    let r = gh_token(client, sb, &cred(sb, "client_secret")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    body["access_token"].as_str().unwrap().to_string()
}

/// The URL of `Link: <…>; rel="next"`, if any.
fn next_link(r: &Response) -> Option<String> {
    let link = r.headers().get("link")?.to_str().ok()?;
    let (url, rel) = link.split_once(';')?;
    assert!(rel.contains("rel=\"next\""), "only rel=next links are sent: {link}");
    Some(url.trim().trim_start_matches('<').trim_end_matches('>').to_string())
}

/// Follows Link rel=next verbatim; returns every record and the number of pages.
async fn gh_all(client: &Client, token: &str, first_url: String) -> (Vec<Value>, usize) {
    let mut url = Some(first_url);
    let (mut all, mut pages) = (Vec::new(), 0);
    while let Some(u) = url {
        let r = client.get(&u).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "GET {u}");
        for h in ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"] {
            assert!(r.headers().contains_key(h), "{h} on every response");
        }
        url = next_link(&r);
        if let Some(n) = &url {
            let query = n.split_once('?').map(|(_, q)| q).unwrap_or_default();
            assert!(query.starts_with("cursor=") && !query.contains('&'), "the next URL carries the cursor alone: {n}");
        }
        let page: Vec<Value> = r.json().await.unwrap();
        let page_ids: Vec<u64> = page.iter().map(|v| v["id"].as_u64().expect("greenhouse ids are numbers")).collect();
        assert!(page_ids.windows(2).all(|w| w[0] > w[1]), "results are sorted by id, descending");
        all.extend(page);
        pages += 1;
    }
    (all, pages)
}

fn assert_same_ids(got: Vec<String>, expected: Vec<String>) {
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "no record is served twice");
    let got: BTreeSet<String> = got.into_iter().collect();
    let expected: BTreeSet<String> = expected.into_iter().collect();
    assert_eq!(got.len(), expected.len());
    assert!(got == expected, "the served ids are exactly the generated ones");
}

async fn lever_all(client: &Client, sb: &Sandbox, path: &str, params: &[(&str, &str)]) -> Vec<Value> {
    let key = cred(sb, "api_key");
    let mut offset: Option<String> = None;
    let mut all = Vec::new();
    loop {
        let mut q: Vec<(&str, &str)> = params.to_vec();
        if let Some(o) = &offset {
            q.push(("offset", o));
        }
        let r =
            client.get(format!("{}{path}", sb.base_url())).basic_auth(&key, Some("")).query(&q).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        all.extend(body["data"].as_array().unwrap().iter().cloned());
        if body["hasNext"] == true {
            offset = Some(body["next"].as_str().expect("next token").to_string());
        } else {
            assert!(body.get("next").is_none_or(Value::is_null));
            return all;
        }
    }
}

/// Pages an Ashby list to its end; returns the records and the final syncToken (lists that
/// support one).
async fn ashby_all(client: &Client, sb: &Sandbox, endpoint: &str, body: Value) -> Result<(Vec<Value>, String), Value> {
    let key = cred(sb, "api_key");
    let mut cursor: Option<String> = None;
    let mut all = Vec::new();
    loop {
        let mut b = body.clone();
        if let Some(c) = &cursor {
            b["cursor"] = json!(c);
        }
        let r = client
            .post(format!("{}/{endpoint}", sb.base_url()))
            .basic_auth(&key, Some(""))
            .json(&b)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers().contains_key("ashby-version"));
        let page: Value = r.json().await.unwrap();
        if page["success"] != true {
            return Err(page);
        }
        all.extend(page["results"].as_array().unwrap().iter().cloned());
        if page["moreDataAvailable"] == true {
            cursor = Some(page["nextCursor"].as_str().expect("nextCursor").to_string());
        } else {
            return Ok((all, page["syncToken"].as_str().unwrap_or_default().to_string()));
        }
    }
}

async fn ashby_post(client: &Client, sb: &Sandbox, key: &str, endpoint: &str, body: Value) -> Response {
    client.post(format!("{}/{endpoint}", sb.base_url())).basic_auth(key, Some("")).json(&body).send().await.unwrap()
}

// ---- paging out the whole account ----

#[tokio::test]
async fn greenhouse_pages_through_all_candidates() {
    let sb = start(Provider::Greenhouse, 2_000, Faults::default()).await;
    let client = Client::new();
    let token = gh_access(&client, &sb).await;
    let (all, pages) = gh_all(&client, &token, format!("{}/candidates?per_page=500", sb.base_url())).await;
    assert_eq!(pages, 4);
    let got: Vec<String> = all.iter().map(|c| c["id"].as_u64().unwrap().to_string()).collect();
    assert_same_ids(got, ids(&sb.expected(ExportKind::Talents)));

    // Applications (including prospects without a job) come out complete too, 100 a page by default.
    let (apps, pages) = gh_all(&client, &token, format!("{}/applications", sb.base_url())).await;
    let expected = sb.expected(ExportKind::Applications);
    assert_eq!(pages, expected.len().div_ceil(100));
    assert_same_ids(apps.iter().map(|a| a["id"].as_u64().unwrap().to_string()).collect(), ids(&expected));
    assert!(apps.iter().any(|a| a["prospect"] == true && a["job_id"].is_null()));
    sb.shutdown().await;
}

#[tokio::test]
async fn lever_pages_through_all_opportunities() {
    let sb = start(Provider::Lever, 1_500, Faults::default()).await;
    let client = Client::new();
    let opps = lever_all(&client, &sb, "/opportunities", &[("limit", "100"), ("expand", "applications")]).await;
    let opp_ids: Vec<String> = opps.iter().map(|o| o["id"].as_str().unwrap().to_string()).collect();
    assert_same_ids(opp_ids, ids(&sb.expected(ExportKind::Applications)));
    let contacts: BTreeSet<String> = opps.iter().map(|o| o["contact"].as_str().unwrap().to_string()).collect();
    let talents = sb.expected(ExportKind::Talents);
    assert_same_ids(contacts.into_iter().collect(), ids(&talents));
    assert!(opps.len() > talents.len(), "some contacts have several opportunities");
    let expanded = opps.iter().find(|o| !o["applications"].as_array().unwrap().is_empty()).unwrap();
    assert!(expanded["applications"][0]["posting"].is_string(), "expand=applications embeds the application");

    // The account-wide pipeline and its archive reasons, a "hired" one among them.
    let stages = lever_all(&client, &sb, "/stages", &[]).await;
    assert_eq!(stages.len(), sb.expected(ExportKind::Stages).len());
    let reasons = lever_all(&client, &sb, "/archive_reasons", &[]).await;
    assert!(reasons.iter().any(|r| r["text"] == "Hired" && r["type"] == "hired"));
    sb.shutdown().await;
}

#[tokio::test]
async fn ashby_pages_through_all_candidates() {
    let sb = start(Provider::Ashby, 1_200, Faults::default()).await;
    let client = Client::new();
    let (all, token) = ashby_all(&client, &sb, "candidate.list", json!({ "limit": 100 })).await.unwrap();
    assert!(token.starts_with("ab_st_"), "the last page carries a syncToken");
    assert_same_ids(
        all.iter().map(|c| c["id"].as_str().unwrap().to_string()).collect(),
        ids(&sb.expected(ExportKind::Talents)),
    );

    // Drafts only when asked for by name.
    let (default_jobs, _) = ashby_all(&client, &sb, "job.list", json!({})).await.unwrap();
    assert!(default_jobs.iter().all(|j| j["status"] != "Draft"));
    let (all_jobs, _) =
        ashby_all(&client, &sb, "job.list", json!({ "status": ["Open", "Closed", "Archived", "Draft"] }))
            .await
            .unwrap();
    assert_eq!(all_jobs.len(), sb.expected(ExportKind::Jobs).len());
    assert!(all_jobs.len() > default_jobs.len());

    // Errors arrive as HTTP 200 with success: false.
    let key = cred(&sb, "api_key");
    let r = ashby_post(&client, &sb, &key, "candidate.list", json!({ "limit": 500 })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["errorInfo"]["code"], "invalid_input");
    sb.shutdown().await;
}

// ---- determinism and the generated data ----

#[tokio::test]
async fn same_seed_gives_the_same_data_and_another_seed_other_data() {
    for provider in Provider::ALL {
        let a = start(provider, 800, Faults::default()).await;
        let b = start(provider, 800, Faults::default()).await;
        let mut cfg = SandboxConfig::new(provider);
        cfg.talents = 800;
        cfg.seed = 2;
        let c = Sandbox::start(cfg).await.unwrap();
        for kind in [ExportKind::Jobs, ExportKind::Stages, ExportKind::Talents, ExportKind::Applications] {
            let (ea, eb) = (a.expected(kind), b.expected(kind));
            assert_eq!(serde_json::to_string(&ea).unwrap(), serde_json::to_string(&eb).unwrap(), "{provider} {kind:?}");
            assert_ne!(ea, c.expected(kind), "{provider} {kind:?} with another seed");
        }
        assert_eq!(a.expected(ExportKind::Talents).len(), 800);
    }
}

#[tokio::test]
async fn the_generated_data_looks_like_a_real_account() {
    let sb = start(Provider::Greenhouse, 3_000, Faults::default()).await;
    let talents = sb.expected(ExportKind::Talents);
    let apps = sb.expected(ExportKind::Applications);
    let names: Vec<&str> = talents.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(names.iter().any(|n| !n.is_ascii()), "non-ASCII names");
    assert!(names.contains(&"<b>Sam</b> <script>x</script>"), "HTML in a name");
    let mut seen = HashSet::new();
    let shared = talents
        .iter()
        .flat_map(|t| t["emails"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_lowercase()))
        .filter(|e| !seen.insert(e.clone()))
        .count();
    assert!(shared > 0, "some talents share an e-mail address");
    assert!(talents.iter().all(|t| (1..=3).contains(&t["emails"].as_array().unwrap().len())));
    let share = |status: &str| apps.iter().filter(|a| a["status"] == status).count() as f64 / apps.len() as f64;
    assert!((0.10..0.20).contains(&share("rejected")), "about 15% rejected: {}", share("rejected"));
    assert!((0.02..0.08).contains(&share("hired")), "about 5% hired: {}", share("hired"));
    let prospects = apps.iter().filter(|a| a["job_remote_id"].is_null()).count() as f64 / apps.len() as f64;
    assert!((0.02..0.08).contains(&prospects), "about 5% prospects: {prospects}");
    for t in talents.iter().chain(&apps) {
        let at = t["updated_at"].as_str().unwrap();
        assert_eq!(at.len(), 24, "RFC 3339 with milliseconds: {at}");
        assert!(at.ends_with('Z') && at.as_bytes()[19] == b'.');
        assert!(("2025-01-01".."2026-11-01").contains(&at), "generated times lie in the past: {at}");
    }
    let jobs = sb.expected(ExportKind::Jobs);
    let statuses: HashSet<&str> = jobs.iter().map(|j| j["status"].as_str().unwrap()).collect();
    assert!(statuses.contains("open") && statuses.contains("closed") && statuses.contains("draft"));
    sb.shutdown().await;
}

// ---- Greenhouse specifics ----

#[tokio::test]
async fn greenhouse_refuses_a_cursor_with_other_params() {
    let sb = start(Provider::Greenhouse, 300, Faults::default()).await;
    let client = Client::new();
    let token = gh_access(&client, &sb).await;
    let r = client.get(format!("{}/candidates?per_page=50", sb.base_url())).bearer_auth(&token).send().await.unwrap();
    let next = next_link(&r).expect("a second page");
    let bad = client.get(format!("{next}&per_page=50")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["message"], "When passing a cursor, do not include other query params.");
    let ok = client.get(&next).bearer_auth(&token).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let too_big =
        client.get(format!("{}/candidates?per_page=501", sb.base_url())).bearer_auth(&token).send().await.unwrap();
    assert_eq!(too_big.status(), StatusCode::UNPROCESSABLE_ENTITY);
    sb.shutdown().await;
}

#[tokio::test]
async fn greenhouse_updated_at_filter_returns_only_newer_records() {
    let sb = start(Provider::Greenhouse, 1_000, Faults::default()).await;
    let client = Client::new();
    let token = gh_access(&client, &sb).await;
    let mut times: Vec<String> =
        sb.expected(ExportKind::Talents).iter().map(|t| t["updated_at"].as_str().unwrap().to_string()).collect();
    times.sort();
    let (lo, hi) = (times[times.len() / 2].clone(), times[times.len() * 3 / 4].clone());

    let url = format!("{}/candidates?per_page=100&updated_at=gte|{lo}", sb.base_url());
    let (newer, _) = gh_all(&client, &token, url).await;
    assert_eq!(newer.len(), times.iter().filter(|t| **t >= lo).count());
    assert!(newer.iter().all(|c| c["updated_at"].as_str().unwrap() >= lo.as_str()));

    let url = format!("{}/candidates?per_page=100&updated_at=gte|{lo}|lte|{hi}", sb.base_url());
    let (window, _) = gh_all(&client, &token, url).await;
    assert_eq!(window.len(), times.iter().filter(|t| **t >= lo && **t <= hi).count());

    // A change made now is found by a filter from a moment ago.
    let report = sb.mutate(Mutation { update_talents: 3, ..Default::default() });
    let url = format!("{}/candidates?updated_at=gte|{}", sb.base_url(), report.at);
    let (changed, _) = gh_all(&client, &token, url).await;
    let mut got: Vec<String> = changed.iter().map(|c| c["id"].as_u64().unwrap().to_string()).collect();
    got.sort();
    assert_eq!(got, report.updated_talents);
    sb.shutdown().await;
}

#[tokio::test]
async fn greenhouse_token_endpoint_checks_secret_and_user() {
    let sb = start(Provider::Greenhouse, 50, Faults::default()).await;
    let client = Client::new();
    let r = gh_token(&client, &sb, "not-the-secret").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");

    let info = sb.info();
    let wrong_sub = client
        .post(info.auth_url.as_deref().unwrap())
        .basic_auth(info.credentials["client_id"].as_str().unwrap(), info.credentials["client_secret"].as_str())
        .form(&[("grant_type", "client_credentials"), ("sub", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_sub.status(), StatusCode::BAD_REQUEST);

    let no_token = client.get(format!("{}/jobs", sb.base_url())).send().await.unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    let bad_token = client.get(format!("{}/jobs", sb.base_url())).bearer_auth("made-up").send().await.unwrap();
    assert_eq!(bad_token.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(sb.stats().unauthorized, 3);
    sb.shutdown().await;
}

#[tokio::test]
async fn greenhouse_moves_and_rejects_with_a_stage_check() {
    let sb = start(Provider::Greenhouse, 200, Faults::default()).await;
    let client = Client::new();
    let token = gh_access(&client, &sb).await;
    let before = sb.expected(ExportKind::Applications);
    let app = before.iter().find(|a| a["status"] == "active" && !a["job_remote_id"].is_null()).unwrap();
    let (id, from) = (app["remote_id"].as_str().unwrap(), app["stage_remote_id"].as_str().unwrap());
    let stages = sb.expected(ExportKind::Stages);
    let to = stages
        .iter()
        .find(|s| s["job_remote_id"] == app["job_remote_id"] && s["remote_id"] != app["stage_remote_id"])
        .unwrap()["remote_id"]
        .as_str()
        .unwrap();
    let url = format!("{}/applications/{id}/move", sb.base_url());
    let stale = client
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({ "from_stage_id": to, "to_stage_id": to }))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::UNPROCESSABLE_ENTITY, "from_stage_id must be the current stage");
    let moved = client
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({ "from_stage_id": from.parse::<u64>().unwrap(), "to_stage_id": to.parse::<u64>().unwrap() }))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::NO_CONTENT);
    let after = sb.expected(ExportKind::Applications);
    let now = after.iter().find(|a| a["remote_id"] == id).unwrap();
    assert_eq!(now["stage_remote_id"], to);
    assert!(now["updated_at"].as_str().unwrap() > app["updated_at"].as_str().unwrap(), "a write bumps updated_at");

    let reasons: Vec<Value> = client
        .get(format!("{}/rejection_reasons", sb.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reject = format!("{}/applications/{id}/reject", sb.base_url());
    let r = client
        .post(&reject)
        .bearer_auth(&token)
        .json(&json!({ "rejection_reason_id": reasons[0]["id"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let rejected = sb.expected(ExportKind::Applications).into_iter().find(|a| a["remote_id"] == id).unwrap();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["stage_remote_id"], to, "a rejected application stays in its stage");
    sb.shutdown().await;
}

#[tokio::test]
async fn lever_writes_move_archive_and_annotate_opportunities() {
    let sb = start(Provider::Lever, 200, Faults::default()).await;
    let client = Client::new();
    let key = cred(&sb, "api_key");
    let app = sb.expected(ExportKind::Applications).into_iter().find(|a| a["status"] == "active").unwrap();
    let id = app["remote_id"].as_str().unwrap();
    let stages = lever_all(&client, &sb, "/stages", &[]).await;
    let offer = stages.last().unwrap()["id"].as_str().unwrap();
    let users = lever_all(&client, &sb, "/users", &[]).await;
    let url = |what: &str| {
        format!("{}/opportunities/{id}/{what}?perform_as={}", sb.base_url(), users[0]["id"].as_str().unwrap())
    };

    let r = client.put(url("stage")).basic_auth(&key, Some("")).json(&json!({ "stage": offer })).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["data"]["stage"], offer);
    let bad =
        client.put(url("stage")).basic_auth(&key, Some("")).json(&json!({ "stage": "nope" })).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    let reasons = lever_all(&client, &sb, "/archive_reasons", &[("type", "hired")]).await;
    assert!(reasons.iter().all(|r| r["type"] == "hired"));
    let r = client
        .put(url("archived"))
        .basic_auth(&key, Some(""))
        .json(&json!({ "reason": reasons[0]["id"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let now = sb.expected(ExportKind::Applications).into_iter().find(|a| a["remote_id"] == id).unwrap();
    assert_eq!((now["status"].as_str(), now["stage_remote_id"].as_str()), (Some("hired"), Some(offer)));

    let r = client
        .post(url("notes"))
        .basic_auth(&key, Some(""))
        .json(&json!({ "value": "Great call" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let notes: Value = client
        .get(format!("{}/opportunities/{id}/notes", sb.base_url()))
        .basic_auth(&key, Some(""))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(notes["data"][0]["text"], "Great call");
    sb.shutdown().await;
}

#[tokio::test]
async fn ashby_change_stage_needs_a_reason_to_archive() {
    let sb = start(Provider::Ashby, 200, Faults::default()).await;
    let client = Client::new();
    let key = cred(&sb, "api_key");
    let app = sb.expected(ExportKind::Applications).into_iter().find(|a| a["status"] == "active").unwrap();
    let archived = sb
        .expected(ExportKind::Stages)
        .into_iter()
        .find(|s| s["job_remote_id"] == app["job_remote_id"] && s["name"] == "Archived")
        .unwrap();
    let body = json!({ "applicationId": app["remote_id"], "interviewStageId": archived["remote_id"] });
    let r: Value = ashby_post(&client, &sb, &key, "application.changeStage", body.clone()).await.json().await.unwrap();
    assert_eq!(r["errorInfo"]["code"], "invalid_input");

    let (reasons, _) = ashby_all(&client, &sb, "archiveReason.list", json!({})).await.unwrap();
    let mut with_reason = body;
    with_reason["archiveReasonId"] = reasons[0]["id"].clone();
    let r: Value = ashby_post(&client, &sb, &key, "application.changeStage", with_reason).await.json().await.unwrap();
    assert_eq!(r["success"], true);
    assert_eq!(r["results"]["status"], "Archived");
    assert_eq!(r["results"]["archiveReason"]["id"], reasons[0]["id"]);
    let now = sb.expected(ExportKind::Applications).into_iter().find(|a| a["remote_id"] == app["remote_id"]).unwrap();
    assert_eq!(now["status"], "rejected");

    // A note is activity on the candidate: it shows up in the next delta.
    let (_, token) = ashby_all(&client, &sb, "candidate.list", json!({})).await.unwrap();
    let note =
        json!({ "candidateId": app["talent_remote_id"], "note": { "type": "text/html", "value": "<p>Call back</p>" } });
    let r: Value = ashby_post(&client, &sb, &key, "candidate.createNote", note).await.json().await.unwrap();
    assert_eq!(r["success"], true);
    let (delta, _) = ashby_all(&client, &sb, "candidate.list", json!({ "syncToken": token })).await.unwrap();
    assert_eq!(delta.len(), 1);
    assert_eq!(delta[0]["id"], app["talent_remote_id"]);

    // Resumes: file.info hands out a URL that serves a PDF.
    let (cands, _) = ashby_all(&client, &sb, "candidate.list", json!({})).await.unwrap();
    let with_resume = cands.iter().find(|c| c["resumeFileHandle"].is_object()).unwrap();
    let handle = with_resume["resumeFileHandle"]["handle"].clone();
    let r: Value =
        ashby_post(&client, &sb, &key, "file.info", json!({ "fileHandle": handle })).await.json().await.unwrap();
    let pdf = client.get(r["results"]["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    sb.shutdown().await;
}

// ---- faults ----

/// The rate-limit headers of a sandbox answer, for comparing with what the provider documents.
fn limit_headers(r: &Response) -> Vec<&'static str> {
    ["retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-rate-limit-limit"]
        .into_iter()
        .filter(|h| r.headers().contains_key(*h))
        .collect()
}

/// Each provider's rate-limit signals, exactly as shared/ats-apis.md documents them (1.3, 2.4,
/// 3.3), so the client is tested against no hint a real provider would not give.
#[tokio::test]
async fn rate_limits_send_only_the_documented_headers() {
    let limit: RateLimit = "3/10s".parse().unwrap();
    assert_eq!(limit, RateLimit { requests: 3, window: Duration::from_secs(10) });
    assert_eq!("1000/1m".parse::<RateLimit>().unwrap().window, Duration::from_secs(60));
    assert!("fast".parse::<RateLimit>().is_err() && "0/1s".parse::<RateLimit>().is_err());
    let faults = || Faults { rate_limit: Some(limit.clone()), ..Default::default() };
    let client = Client::new();

    // Lever: a 429 and nothing else, neither Retry-After nor a budget.
    let sb = start(Provider::Lever, 50, faults()).await;
    let key = cred(&sb, "api_key");
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let r = client.get(format!("{}/stages", sb.base_url())).basic_auth(&key, Some("")).send().await.unwrap();
        assert_eq!(limit_headers(&r), Vec::<&str>::new(), "Lever documents no rate-limit headers ({})", r.status());
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    assert_eq!(sb.stats().rate_limited, 2);
    sb.shutdown().await;

    // Ashby: Retry-After on a 429, no budget headers.
    let sb = start(Provider::Ashby, 50, faults()).await;
    let key = cred(&sb, "api_key");
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let r = ashby_post(&client, &sb, &key, "department.list", json!({})).await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(limit_headers(&r), ["retry-after"]);
            let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=10).contains(&wait), "{wait}");
        } else {
            assert_eq!(limit_headers(&r), Vec::<&str>::new());
        }
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    sb.shutdown().await;

    // Greenhouse counts the budget down on every answer, Reset an epoch timestamp, and adds
    // Retry-After to a 429.
    let sb = start(Provider::Greenhouse, 50, faults()).await;
    let token = gh_access(&client, &sb).await;
    let mut remaining = Vec::new();
    for _ in 0..4 {
        let r = client.get(format!("{}/jobs", sb.base_url())).bearer_auth(&token).send().await.unwrap();
        remaining.push((r.status().as_u16(), r.headers()["x-ratelimit-remaining"].to_str().unwrap().to_string()));
        assert_eq!(r.headers()["x-ratelimit-limit"], "3");
        let reset: u64 = r.headers()["x-ratelimit-reset"].to_str().unwrap().parse().unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert!((now..=now + 11).contains(&reset), "Reset is the window's end as epoch seconds: {reset} (now {now})");
        let retry = r.status() == StatusCode::TOO_MANY_REQUESTS;
        assert_eq!(r.headers().contains_key("retry-after"), retry, "Retry-After only on a 429");
    }
    let expected: Vec<(u16, String)> =
        [(200, "2"), (200, "1"), (200, "0"), (429, "0")].iter().map(|(s, r)| (*s, r.to_string())).collect();
    assert_eq!(remaining, expected);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_expiring_credential_is_refused_after_n_requests() {
    let faults = Faults { expire_credential_after: Some(3), ..Default::default() };
    let sb = start(Provider::Ashby, 50, faults.clone()).await;
    let client = Client::new();
    let key = cred(&sb, "api_key");
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(ashby_post(&client, &sb, &key, "department.list", json!({})).await.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 401, 401]);
    // A reconnect with a fresh credential works again.
    let fresh = sb.rotate_credential();
    let r = ashby_post(&client, &sb, fresh["api_key"].as_str().unwrap(), "department.list", json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let unauthenticated =
        client.post(format!("{}/department.list", sb.base_url())).json(&json!({})).send().await.unwrap();
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    sb.shutdown().await;

    // Greenhouse: the tokens die and the old secret no longer gets new ones.
    let sb = start(Provider::Greenhouse, 50, faults).await;
    let token = gh_access(&client, &sb).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(
            client
                .get(format!("{}/offices", sb.base_url()))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [200, 200, 200, 401]);
    assert_eq!(gh_token(&client, &sb, &cred(&sb, "client_secret")).await.status(), StatusCode::UNAUTHORIZED);
    let fresh = sb.rotate_credential();
    assert_eq!(gh_token(&client, &sb, fresh["client_secret"].as_str().unwrap()).await.status(), StatusCode::OK);
    sb.shutdown().await;
}

#[tokio::test]
async fn denied_scopes_and_injected_failures() {
    let faults = Faults { deny_scopes: vec!["harvest:candidates:list".into()], fail_rate: 0.3, ..Default::default() };
    let sb = start(Provider::Greenhouse, 50, faults).await;
    let client = Client::new();
    let token = gh_access(&client, &sb).await;
    let r = client.get(format!("{}/candidates", sb.base_url())).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("harvest:candidates:list"));

    let mut failures = 0;
    for _ in 0..60 {
        let r = client.get(format!("{}/jobs", sb.base_url())).bearer_auth(&token).send().await.unwrap();
        match r.status().as_u16() {
            200 => {}
            500 | 502 | 503 => failures += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert!((5..=35).contains(&failures), "about 30% of 60 fail: {failures}");
    assert_eq!(sb.stats().failures_injected, failures);
    assert_eq!(sb.stats().forbidden, 1);
    sb.shutdown().await;
}

// ---- two-way sync: lost answers, an unreachable ATS, moves made in the ATS, denied writes ----

/// The origin the control API lives under (the base URL without the API version).
fn origin(sb: &Sandbox) -> String {
    sb.base_url().trim_end_matches("/v3").trim_end_matches("/v1").to_string()
}

/// An active application in a job and another plain stage of its pipeline to move it to.
fn movable(sb: &Sandbox) -> (Value, String) {
    let stages = sb.expected(ExportKind::Stages);
    sb.expected(ExportKind::Applications)
        .into_iter()
        .filter(|a| a["status"] == "active" && !a["job_remote_id"].is_null())
        .find_map(|a| {
            let to = stages.iter().find(|s| {
                // Lever's pipeline is account-wide (no job); Ashby's Hired/Archived are closing moves.
                (s["job_remote_id"] == a["job_remote_id"] || s["job_remote_id"].is_null())
                    && s["remote_id"] != a["stage_remote_id"]
                    && s["name"] != "Hired"
                    && s["name"] != "Archived"
            })?;
            Some((a.clone(), to["remote_id"].as_str().unwrap().to_string()))
        })
        .expect("an application that can move")
}

/// A request that must get no answer at all: a transport error, not an HTTP status.
fn assert_no_answer(r: reqwest::Result<Response>, what: &str) {
    match r {
        Ok(r) => panic!("{what}: answered {}", r.status()),
        Err(e) => assert!(e.is_request() && e.status().is_none() && !e.is_timeout(), "{what}: {e:?}"),
    }
}

#[tokio::test]
async fn a_lost_answer_is_a_transport_error_yet_the_write_is_applied_once() {
    let sb = start(Provider::Greenhouse, 100, Faults::default()).await;
    let client = Client::new();
    let token = gh_access(&client, &sb).await;
    let (app, to) = movable(&sb);
    let (id, talent) = (app["remote_id"].as_str().unwrap(), app["talent_remote_id"].as_str().unwrap());
    let r = client
        .post(format!("{}/_sandbox/lose-answers", origin(&sb)))
        .json(&json!({ "count": 2 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Reads are answered and leave the count alone.
    let r = client.get(format!("{}/jobs", sb.base_url())).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let from = app["stage_remote_id"].as_str().unwrap().parse::<u64>().unwrap();
    let body = json!({ "from_stage_id": from, "to_stage_id": to.parse::<u64>().unwrap() });
    let url = format!("{}/applications/{id}/move", sb.base_url());
    assert_no_answer(client.post(&url).bearer_auth(&token).json(&body).send().await, "the move");
    assert_eq!(sb.application(id).unwrap()["stage_remote_id"], to.as_str(), "the move was applied");

    let notes = format!("{}/notes", sb.base_url());
    let note = |text: &str| json!({ "candidate_id": talent.parse::<u64>().unwrap(), "body": text });
    assert_no_answer(client.post(&notes).bearer_auth(&token).json(&note("Lost in transit")).send().await, "the note");
    // The count is used up: the next write is answered.
    let r = client.post(&notes).bearer_auth(&token).json(&note("Arrived")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let held = sb.notes_of(talent);
    assert_eq!(held.iter().filter(|n| *n == "Lost in transit").count(), 1, "applied exactly once: {held:?}");
    assert_eq!(held.last().map(String::as_str), Some("Arrived"), "oldest first");
    let served: Vec<String> = client
        .get(format!("{}/_sandbox/talents/{talent}/notes", origin(&sb)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, held);

    // Sending the lost move again finds it already done.
    let again = client.post(&url).bearer_auth(&token).json(&body).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(sb.stats().answers_lost, 2);
    sb.shutdown().await;

    // Ashby: its reads are POSTs too, and they are not writes.
    let sb = start(Provider::Ashby, 100, Faults::default()).await;
    let key = cred(&sb, "api_key");
    let talent = sb.expected(ExportKind::Talents)[0]["remote_id"].as_str().unwrap().to_string();
    sb.lose_answers(1);
    let r = ashby_post(&client, &sb, &key, "candidate.info", json!({ "id": talent })).await;
    assert_eq!(r.json::<Value>().await.unwrap()["success"], true);
    let note = json!({ "candidateId": talent, "note": "Call back on Monday" });
    let url = format!("{}/candidate.createNote", sb.base_url());
    assert_no_answer(client.post(&url).basic_auth(&key, Some("")).json(&note).send().await, "createNote");
    let held = sb.notes_of(&talent);
    assert_eq!(held.iter().filter(|n| *n == "Call back on Monday").count(), 1, "{held:?}");
    assert_eq!(sb.stats().answers_lost, 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_ats_answers_nothing_and_applies_nothing() {
    let sb = start(Provider::Greenhouse, 100, Faults::default()).await;
    let client = Client::new();
    let token = gh_access(&client, &sb).await;
    let attachments: Vec<Value> = client
        .get(format!("{}/attachments", sb.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let file = attachments[0]["url"].as_str().unwrap().to_string();
    let (app, to) = movable(&sb);
    let id = app["remote_id"].as_str().unwrap();
    let move_url = format!("{}/applications/{id}/move", sb.base_url());
    let body = json!({ "from_stage_id": app["stage_remote_id"], "to_stage_id": to });
    let requests = sb.stats().requests;

    let r = client.post(format!("{}/_sandbox/unreachable", origin(&sb))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_no_answer(gh_token_result(&client, &sb).await, "the token endpoint");
    assert_no_answer(client.get(format!("{}/jobs", sb.base_url())).bearer_auth(&token).send().await, "a read");
    assert_no_answer(client.post(&move_url).bearer_auth(&token).json(&body).send().await, "a write");
    assert_no_answer(client.get(&file).send().await, "a file download");
    assert_eq!(sb.application(id), Some(app.clone()), "nothing applied");

    // The control API keeps working.
    let held: Value =
        client.get(format!("{}/_sandbox/applications/{id}", origin(&sb))).send().await.unwrap().json().await.unwrap();
    assert_eq!(held, app);
    let stats: Value =
        client.get(format!("{}/_sandbox/stats", origin(&sb))).send().await.unwrap().json().await.unwrap();
    assert_eq!((stats["refused"].as_u64(), stats["requests"].as_u64()), (Some(4), Some(requests)));

    let r = client.post(format!("{}/_sandbox/reachable", origin(&sb))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(gh_token(&client, &sb, &cred(&sb, "client_secret")).await.status(), StatusCode::OK);
    assert_eq!(
        client.post(&move_url).bearer_auth(&token).json(&body).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(client.get(&file).send().await.unwrap().status(), StatusCode::OK);

    // The same from Rust.
    sb.go_unreachable();
    assert_no_answer(client.get(format!("{}/jobs", sb.base_url())).bearer_auth(&token).send().await, "a read");
    sb.come_back();
    let r = client.get(format!("{}/jobs", sb.base_url())).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(sb.stats().refused, 5);
    sb.shutdown().await;
}

async fn gh_token_result(client: &Client, sb: &Sandbox) -> reqwest::Result<Response> {
    let info = sb.info();
    client
        .post(info.auth_url.as_deref().unwrap())
        .basic_auth(info.credentials["client_id"].as_str().unwrap(), info.credentials["client_secret"].as_str())
        .form(&[("grant_type", "client_credentials"), ("sub", info.credentials["user_id"].as_str().unwrap())])
        .send()
        .await
}

#[tokio::test]
async fn a_move_made_in_the_ats_shows_in_expected_with_a_newer_updated_at() {
    let client = Client::new();
    for provider in [Provider::Greenhouse, Provider::Lever, Provider::Ashby] {
        let sb = start(provider, 100, Faults::default()).await;
        let (app, to) = movable(&sb);
        let id = app["remote_id"].as_str().unwrap();
        let report = sb.move_application(id, &to).unwrap();
        assert_eq!(report.moved_applications, [id], "{provider}");
        let now = sb.expected(ExportKind::Applications).into_iter().find(|a| a["remote_id"] == id).unwrap();
        let stage = sb.expected(ExportKind::Stages).into_iter().find(|s| s["remote_id"] == to.as_str()).unwrap();
        assert_eq!((&now["stage_remote_id"], &now["stage_name"]), (&stage["remote_id"], &stage["name"]), "{provider}");
        assert!(now["updated_at"].as_str() > app["updated_at"].as_str(), "{provider}: {now} after {app}");
        assert_eq!(now["updated_at"], report.at.as_str());
        assert_eq!(sb.application(id), Some(now), "{provider}");

        let again = sb.move_application(id, &to).unwrap_err();
        assert!(again.contains("already in stage"), "{provider}: {again}");
        assert!(sb.move_application("4242", &to).is_err() && sb.application("4242").is_none());
        sb.shutdown().await;
    }

    // Over HTTP, and the provider's incremental filter finds the move.
    let sb = start(Provider::Greenhouse, 100, Faults::default()).await;
    let token = gh_access(&client, &sb).await;
    let (app, to) = movable(&sb);
    let (id, from) = (app["remote_id"].as_str().unwrap(), app["stage_remote_id"].as_str().unwrap());
    let url = format!("{}/_sandbox/move", origin(&sb));
    let report: Value =
        client.post(&url).json(&json!({ "application": id, "stage": to })).send().await.unwrap().json().await.unwrap();
    assert_eq!(report["moved_applications"], json!([id]));
    let since = format!("{}/applications?updated_at=gte|{}", sb.base_url(), report["at"].as_str().unwrap());
    let (changed, _) = gh_all(&client, &token, since).await;
    assert_eq!(changed.len(), 1);
    assert_eq!(
        (changed[0]["id"].as_u64(), changed[0]["job_interview_stage_id"].as_u64()),
        (id.parse().ok(), to.parse().ok())
    );
    // A real move: the stay in the old stage ends when the one in the new stage begins.
    let history = format!("{}/application_stages?application_ids={id}", sb.base_url());
    let (stays, _) = gh_all(&client, &token, history).await;
    let current: Vec<&Value> = stays.iter().filter(|h| h["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(
        (current[0]["job_interview_stage_id"].as_u64(), &current[0]["entered_at"]),
        (to.parse().ok(), &report["at"])
    );
    assert!(stays
        .iter()
        .any(|h| h["exited_at"] == report["at"] && h["job_interview_stage_id"].as_u64() == from.parse().ok()));

    let other_job =
        sb.expected(ExportKind::Stages).into_iter().find(|s| s["job_remote_id"] != app["job_remote_id"]).unwrap();
    let r =
        client.post(&url).json(&json!({ "application": id, "stage": other_job["remote_id"] })).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("not in the pipeline"));
    let r = client.get(format!("{}/_sandbox/applications/4242", origin(&sb))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The reasons a push may name, as the ATS lists them.
    let listed: Vec<Value> = client
        .get(format!("{}/rejection_reasons", sb.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed: BTreeSet<(String, String)> = listed
        .iter()
        .map(|r| (r["id"].as_u64().unwrap().to_string(), r["name"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(sb.reasons().into_iter().collect::<BTreeSet<_>>(), listed);
    let served: Vec<Value> =
        client.get(format!("{}/_sandbox/reasons", origin(&sb))).send().await.unwrap().json().await.unwrap();
    let served: BTreeSet<(String, String)> = served
        .iter()
        .map(|r| (r["remote_id"].as_str().unwrap().to_string(), r["name"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(served, listed);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_denied_write_permission_is_a_403_and_changes_nothing() {
    let client = Client::new();
    let deny = |scope: &str| Faults { deny_scopes: vec![scope.to_string()], ..Default::default() };

    let sb = start(Provider::Greenhouse, 100, deny("harvest:applications:move")).await;
    let token = gh_access(&client, &sb).await;
    let (app, to) = movable(&sb);
    let id = app["remote_id"].as_str().unwrap();
    // A refused write is answered even when answers are being lost: it never reached the ATS.
    sb.lose_answers(1);
    let body = json!({ "from_stage_id": app["stage_remote_id"], "to_stage_id": to });
    let r = client
        .post(format!("{}/applications/{id}/move", sb.base_url()))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let err: Value = r.json().await.unwrap();
    assert_eq!(err["error"], "forbidden");
    assert!(err["message"].as_str().unwrap().contains("harvest:applications:move"));
    assert_eq!(sb.application(id).as_ref(), Some(&app));
    let r = client.get(format!("{}/applications?ids={id}", sb.base_url())).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "reads are still allowed");
    assert_eq!((sb.stats().forbidden, sb.stats().answers_lost), (1, 0));
    sb.shutdown().await;

    let sb = start(Provider::Lever, 100, deny("opportunities:write:admin")).await;
    let key = cred(&sb, "api_key");
    let (app, to) = movable(&sb);
    let id = app["remote_id"].as_str().unwrap();
    let users = lever_all(&client, &sb, "/users", &[]).await;
    let url = format!("{}/opportunities/{id}/stage?perform_as={}", sb.base_url(), users[0]["id"].as_str().unwrap());
    let r = client.put(&url).basic_auth(&key, Some("")).json(&json!({ "stage": to })).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let err: Value = r.json().await.unwrap();
    assert_eq!(err["code"], "Forbidden");
    assert!(err["message"].as_str().unwrap().contains("opportunities:write:admin"));
    assert_eq!(sb.application(id).as_ref(), Some(&app));
    let r =
        client.get(format!("{}/opportunities/{id}", sb.base_url())).basic_auth(&key, Some("")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "reads are still allowed");
    sb.shutdown().await;

    let sb = start(Provider::Ashby, 100, deny("candidatesWrite")).await;
    let key = cred(&sb, "api_key");
    let (app, to) = movable(&sb);
    let id = app["remote_id"].as_str().unwrap();
    let r = ashby_post(
        &client,
        &sb,
        &key,
        "application.changeStage",
        json!({ "applicationId": id, "interviewStageId": to }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let err: Value = r.json().await.unwrap();
    assert_eq!((&err["success"], &err["errorInfo"]["code"]), (&json!(false), &json!("missing_endpoint_permission")));
    assert!(err["errorInfo"]["message"].as_str().unwrap().contains("candidatesWrite"));
    assert_eq!(sb.application(id).as_ref(), Some(&app));
    let r: Value =
        ashby_post(&client, &sb, &key, "application.info", json!({ "applicationId": id })).await.json().await.unwrap();
    assert_eq!(r["success"], true, "reads are still allowed");
    sb.shutdown().await;
}

// ---- mutations ----

#[tokio::test]
async fn deleted_talents_vanish_and_lever_lists_them_as_deleted() {
    let sb = start(Provider::Lever, 400, Faults::default()).await;
    let client = Client::new();
    let before = sb.expected(ExportKind::Talents).len();
    let report = sb.mutate(Mutation { delete_talents: 5, ..Default::default() });
    assert_eq!(report.deleted_talents.len(), 5);
    assert!(report.deleted_applications.len() >= 5);
    assert_eq!(sb.expected(ExportKind::Talents).len(), before - 5);

    let opps = lever_all(&client, &sb, "/opportunities", &[]).await;
    assert!(opps.iter().all(|o| !report.deleted_talents.contains(&o["contact"].as_str().unwrap().to_string())));
    assert_same_ids(
        opps.iter().map(|o| o["id"].as_str().unwrap().to_string()).collect(),
        ids(&sb.expected(ExportKind::Applications)),
    );

    let start_ms = (chrono::Utc::now() - chrono::Duration::minutes(5)).timestamp_millis().to_string();
    let deleted = lever_all(&client, &sb, "/opportunities/deleted", &[("deleted_at_start", &start_ms)]).await;
    let mut got: Vec<String> = deleted.iter().map(|d| d["id"].as_str().unwrap().to_string()).collect();
    got.sort();
    let mut want = report.deleted_applications.clone();
    want.sort();
    assert_eq!(got, want);
    assert!(deleted.iter().all(|d| d["deletedAt"].as_i64().unwrap() >= start_ms.parse::<i64>().unwrap()));
    sb.shutdown().await;

    // Greenhouse: a deleted candidate and its applications simply vanish.
    let sb = start(Provider::Greenhouse, 300, Faults::default()).await;
    let report = sb.mutate(Mutation { delete_talents: 4, ..Default::default() });
    let token = gh_access(&client, &sb).await;
    let (cands, _) = gh_all(&client, &token, format!("{}/candidates?per_page=500", sb.base_url())).await;
    assert_eq!(cands.len(), 296);
    let (apps, _) = gh_all(&client, &token, format!("{}/applications?per_page=500", sb.base_url())).await;
    assert!(apps.iter().all(|a| !report.deleted_applications.contains(&a["id"].as_u64().unwrap().to_string())));
    sb.shutdown().await;
}

#[tokio::test]
async fn ashby_sync_token_returns_only_changed_records() {
    let sb = start(Provider::Ashby, 1_000, Faults::default()).await;
    let client = Client::new();
    let (_, token) = ashby_all(&client, &sb, "candidate.list", json!({})).await.unwrap();
    let (nothing, token2) = ashby_all(&client, &sb, "candidate.list", json!({ "syncToken": token })).await.unwrap();
    assert!(nothing.is_empty(), "nothing changed yet");

    let report = sb.mutate(Mutation { update_talents: 7, delete_talents: 2, ..Default::default() });
    let (delta, _) =
        ashby_all(&client, &sb, "candidate.list", json!({ "syncToken": token2, "limit": 3 })).await.unwrap();
    let mut got: Vec<String> = delta.iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
    got.sort();
    let mut want = report.updated_talents.clone();
    want.sort();
    assert_eq!(got, want, "the delta has the updates and not the deletions");

    // Moves show up in the applications delta.
    let (_, app_token) = ashby_all(&client, &sb, "application.list", json!({})).await.unwrap();
    let moved = sb.mutate(Mutation { move_applications: 4, ..Default::default() });
    let (apps, _) = ashby_all(&client, &sb, "application.list", json!({ "syncToken": app_token })).await.unwrap();
    assert_eq!(apps.len(), 4);
    assert!(apps.iter().all(|a| moved.moved_applications.contains(&a["id"].as_str().unwrap().to_string())));

    let err = ashby_all(&client, &sb, "candidate.list", json!({ "syncToken": "not-a-token" })).await.unwrap_err();
    assert_eq!(err["errorInfo"]["code"], "sync_token_invalid");
    sb.mutate(Mutation { update_talents: 300, ..Default::default() });
    let err = ashby_all(&client, &sb, "candidate.list", json!({ "syncToken": token2 })).await.unwrap_err();
    assert_eq!(err["errorInfo"]["code"], "incremental_sync_too_large");
    sb.shutdown().await;
}

#[tokio::test]
async fn corrupt_records_are_served_malformed_and_left_out_of_expected() {
    let sb = start(Provider::Ashby, 200, Faults::default()).await;
    let report = sb.mutate(Mutation { corrupt_talents: 4, ..Default::default() });
    assert_eq!(report.corrupted_talents.len(), 4);
    assert_eq!(sb.expected(ExportKind::Talents).len(), 196);
    let client = Client::new();
    let (all, _) = ashby_all(&client, &sb, "candidate.list", json!({})).await.unwrap();
    assert_eq!(all.len(), 200, "malformed records are still served");
    let bad: Vec<&Value> =
        all.iter().filter(|c| report.corrupted_talents.contains(&c["id"].as_str().unwrap().to_string())).collect();
    assert!(bad.iter().all(|c| !c["emailAddresses"].is_array() || !c["name"].is_string()));
    sb.shutdown().await;
}

#[tokio::test]
async fn the_control_api_mirrors_the_rust_api() {
    let sb = start(Provider::Lever, 300, Faults::default()).await;
    let client = Client::new();
    let origin = sb.base_url().trim_end_matches("/v1").to_string();
    let info: Value = client.get(format!("{origin}/_sandbox/info")).send().await.unwrap().json().await.unwrap();
    assert_eq!(info["provider"], "lever");
    assert_eq!(info["base_url"], sb.base_url());

    let lines = client.get(format!("{origin}/_sandbox/expected/talents")).send().await.unwrap().text().await.unwrap();
    let served: Vec<Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(served, sb.expected(ExportKind::Talents));

    let (target, at) = (served[0]["remote_id"].as_str().unwrap().to_string(), "2026-06-01T12:00:00.000Z");
    let report: Value = client
        .post(format!("{origin}/_sandbox/mutate"))
        .json(&json!({ "update_jobs": 2, "set_updated_at": { "talent": target, "at": at } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["updated_jobs"].as_array().unwrap().len(), 2);
    let talent = sb.expected(ExportKind::Talents).into_iter().find(|t| t["remote_id"] == target.as_str()).unwrap();
    assert_eq!(talent["updated_at"], at);

    let typo =
        client.post(format!("{origin}/_sandbox/mutate")).json(&json!({ "delete_talent": 1 })).send().await.unwrap();
    assert_eq!(typo.status(), StatusCode::BAD_REQUEST);

    let fresh: Value =
        client.post(format!("{origin}/_sandbox/rotate-credential")).send().await.unwrap().json().await.unwrap();
    let r = client
        .get(format!("{}/stages", sb.base_url()))
        .basic_auth(fresh["api_key"].as_str().unwrap(), Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let stats: Value = client.get(format!("{origin}/_sandbox/stats")).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats["requests"], 1, "control calls are not provider requests");

    // set_updated_at goes through the same path from Rust.
    let report = sb.mutate(Mutation {
        set_updated_at: Some(SetUpdatedAt { talent: "no-such-id".into(), at: chrono::Utc::now() }),
        ..Default::default()
    });
    assert_eq!(report.not_found, ["no-such-id"]);
    sb.shutdown().await;
}

// ---- the served data maps onto expected() by the documented rules ----
// These are small reference connectors: if the simulators and `expected()` ever disagree on a
// field, a real connector built to the same rules would fail its comparison too.

fn values(list: &Value) -> Value {
    Value::Array(list.as_array().unwrap().iter().map(|v| v["value"].clone()).collect())
}

fn ms_ts(ms: &Value) -> Value {
    let t = chrono::DateTime::from_timestamp_millis(ms.as_i64().unwrap()).unwrap();
    json!(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

fn by_id(mut records: Vec<Value>) -> Vec<Value> {
    records.sort_by(|a, b| a["remote_id"].as_str().unwrap().cmp(b["remote_id"].as_str().unwrap()));
    records
}

fn id_string(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.to_string()),
        other => other.clone(),
    }
}

fn assert_records(kind: &str, got: Vec<Value>, expected: Vec<Value>) {
    let got = by_id(got);
    assert_eq!(got.len(), expected.len(), "{kind}: count");
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e, "{kind}: the served record maps onto the expected one");
    }
}

#[tokio::test]
async fn greenhouse_data_maps_onto_the_export_contract() {
    let sb = start(Provider::Greenhouse, 500, Faults::default()).await;
    sb.mutate(Mutation { move_applications: 10, update_talents: 10, ..Default::default() });
    let client = Client::new();
    let token = gh_access(&client, &sb).await;
    let get = |path: &str| gh_all(&client, &token, format!("{}/{path}?per_page=500", sb.base_url()));
    let (departments, _) = get("departments").await;
    let (offices, _) = get("offices").await;
    let name_of = |list: &[Value], id: &Value| {
        list.iter().find(|d| d["id"] == *id).map(|d| d["name"].clone()).unwrap_or(Value::Null)
    };

    let (jobs, _) = get("jobs").await;
    let jobs = jobs
        .iter()
        .map(|j| {
            json!({
                "remote_id": id_string(&j["id"]), "title": j["name"], "status": j["status"],
                "department": name_of(&departments, &j["department_id"]),
                "location": j["office_ids"].get(0).map_or(Value::Null, |o| name_of(&offices, o)),
                "updated_at": j["updated_at"],
            })
        })
        .collect();
    assert_records("jobs", jobs, sb.expected(ExportKind::Jobs));

    let (stages, _) = get("job_interview_stages").await;
    let stages = stages
        .iter()
        .map(|s| json!({ "remote_id": id_string(&s["id"]), "job_remote_id": id_string(&s["job_id"]), "name": s["name"], "position": s["sort_order"] }))
        .collect();
    assert_records("stages", stages, sb.expected(ExportKind::Stages));

    let (candidates, _) = get("candidates").await;
    let talents = candidates
        .iter()
        .map(|c| {
            let name = format!("{} {}", c["first_name"].as_str().unwrap(), c["last_name"].as_str().unwrap());
            json!({
                "remote_id": id_string(&c["id"]), "name": name.trim(), "first_name": c["first_name"], "last_name": c["last_name"],
                "emails": values(&c["email_addresses"]), "phones": values(&c["phone_numbers"]),
                "company": c["company"], "title": c["title"], "tags": c["tags"], "updated_at": c["updated_at"],
            })
        })
        .collect();
    assert_records("talents", talents, sb.expected(ExportKind::Talents));

    let (apps, _) = get("applications").await;
    let apps = apps
        .iter()
        .map(|a| {
            json!({
                "remote_id": id_string(&a["id"]), "talent_remote_id": id_string(&a["candidate_id"]),
                "job_remote_id": id_string(&a["job_id"]), "stage_remote_id": id_string(&a["job_interview_stage_id"]),
                "stage_name": a["stage_name"],
                "status": match a["status"].as_str().unwrap() { "in_process" => "active", s => s },
                "updated_at": a["updated_at"],
            })
        })
        .collect();
    assert_records("applications", apps, sb.expected(ExportKind::Applications));
    sb.shutdown().await;
}

#[tokio::test]
async fn lever_data_maps_onto_the_export_contract() {
    let sb = start(Provider::Lever, 500, Faults::default()).await;
    sb.mutate(Mutation { move_applications: 10, update_talents: 10, ..Default::default() });
    let client = Client::new();
    let postings = lever_all(&client, &sb, "/postings", &[]).await;
    let jobs = postings
        .iter()
        .map(|p| {
            let status = match p["state"].as_str().unwrap() {
                "published" | "internal" => "open",
                "closed" => "closed",
                "draft" | "pending" => "draft",
                _ => "archived",
            };
            json!({
                "remote_id": p["id"], "title": p["text"], "status": status,
                "department": p["categories"].get("department").cloned().unwrap_or(Value::Null),
                "location": p["categories"].get("location").cloned().unwrap_or(Value::Null),
                "updated_at": ms_ts(&p["updatedAt"]),
            })
        })
        .collect();
    assert_records("jobs", jobs, sb.expected(ExportKind::Jobs));

    let stages = lever_all(&client, &sb, "/stages", &[]).await;
    let stage_records = stages
        .iter()
        .enumerate()
        .map(|(i, s)| json!({ "remote_id": s["id"], "job_remote_id": null, "name": s["text"], "position": i }))
        .collect();
    assert_records("stages", stage_records, sb.expected(ExportKind::Stages));

    let reasons = lever_all(&client, &sb, "/archive_reasons", &[]).await;
    let opps = lever_all(&client, &sb, "/opportunities", &[("expand", "applications")]).await;
    // A contact's person data comes from its most recently updated opportunity (ties: larger id).
    let mut latest: std::collections::BTreeMap<String, &Value> = Default::default();
    for o in &opps {
        let key = (o["updatedAt"].as_i64().unwrap(), o["id"].as_str().unwrap());
        let contact = o["contact"].as_str().unwrap().to_string();
        match latest.get(&contact) {
            Some(cur) if (cur["updatedAt"].as_i64().unwrap(), cur["id"].as_str().unwrap()) > key => {}
            _ => {
                latest.insert(contact, o);
            }
        }
    }
    let talents = latest
        .iter()
        .map(|(contact, o)| {
            let headline = o["headline"].as_str().filter(|h| !h.is_empty());
            json!({
                "remote_id": contact, "name": o["name"], "first_name": null, "last_name": null,
                "emails": o["emails"], "phones": values(&o["phones"]), "company": headline, "title": null,
                "tags": o["tags"], "updated_at": ms_ts(&o["updatedAt"]),
            })
        })
        .collect();
    assert_records("talents", talents, sb.expected(ExportKind::Talents));

    let apps = opps
        .iter()
        .map(|o| {
            let stage = stages.iter().find(|s| s["id"] == o["stage"]).unwrap();
            let status = match o["archived"].get("reason") {
                None => "active",
                Some(r) if reasons.iter().any(|x| x["id"] == *r && x["type"] == "hired") => "hired",
                Some(_) => "rejected",
            };
            json!({
                "remote_id": o["id"], "talent_remote_id": o["contact"],
                "job_remote_id": o["applications"].get(0).map_or(Value::Null, |a| a["posting"].clone()),
                "stage_remote_id": o["stage"], "stage_name": stage["text"], "status": status,
                "updated_at": ms_ts(&o["updatedAt"]),
            })
        })
        .collect();
    assert_records("applications", apps, sb.expected(ExportKind::Applications));
    sb.shutdown().await;
}

#[tokio::test]
async fn ashby_data_maps_onto_the_export_contract() {
    let sb = start(Provider::Ashby, 500, Faults::default()).await;
    sb.mutate(Mutation { move_applications: 10, update_talents: 10, ..Default::default() });
    let client = Client::new();
    let key = cred(&sb, "api_key");
    let (departments, _) = ashby_all(&client, &sb, "department.list", json!({})).await.unwrap();
    let (locations, _) = ashby_all(&client, &sb, "location.list", json!({})).await.unwrap();
    let name_of = |list: &[Value], id: &Value| {
        list.iter().find(|d| d["id"] == *id).map(|d| d["name"].clone()).unwrap_or(Value::Null)
    };
    let all_statuses = json!({ "status": ["Open", "Closed", "Archived", "Draft"] });
    let (jobs, _) = ashby_all(&client, &sb, "job.list", all_statuses).await.unwrap();
    let job_records = jobs
        .iter()
        .map(|j| {
            json!({
                "remote_id": j["id"], "title": j["title"], "status": j["status"].as_str().unwrap().to_lowercase(),
                "department": name_of(&departments, &j["departmentId"]), "location": name_of(&locations, &j["locationId"]),
                "updated_at": j["updatedAt"],
            })
        })
        .collect();
    assert_records("jobs", job_records, sb.expected(ExportKind::Jobs));

    let mut stages = Vec::new();
    for j in &jobs {
        let r = ashby_post(&client, &sb, &key, "jobInterviewPlan.info", json!({ "jobId": j["id"] })).await;
        let plan: Value = r.json().await.unwrap();
        assert_eq!(plan["results"]["interviewPlanId"], j["defaultInterviewPlanId"]);
        for s in plan["results"]["stages"].as_array().unwrap() {
            stages.push(json!({ "remote_id": s["id"], "job_remote_id": j["id"], "name": s["title"], "position": s["orderInInterviewPlan"] }));
        }
    }
    assert_records("stages", stages, sb.expected(ExportKind::Stages));

    let (candidates, _) = ashby_all(&client, &sb, "candidate.list", json!({})).await.unwrap();
    let talents = candidates
        .iter()
        .map(|c| {
            json!({
                "remote_id": c["id"], "name": c["name"], "first_name": null, "last_name": null,
                "emails": values(&c["emailAddresses"]), "phones": values(&c["phoneNumbers"]),
                "company": c["company"], "title": c["position"],
                "tags": c["tags"].as_array().unwrap().iter().map(|t| t["title"].clone()).collect::<Vec<_>>(),
                "updated_at": c["updatedAt"],
            })
        })
        .collect();
    assert_records("talents", talents, sb.expected(ExportKind::Talents));

    let (apps, _) = ashby_all(&client, &sb, "application.list", json!({})).await.unwrap();
    let apps = apps
        .iter()
        .map(|a| {
            json!({
                "remote_id": a["id"], "talent_remote_id": a["candidate"]["id"], "job_remote_id": a["job"]["id"],
                "stage_remote_id": a["currentInterviewStage"]["id"], "stage_name": a["currentInterviewStage"]["title"],
                "status": match a["status"].as_str().unwrap() { "Archived" => "rejected", "Hired" => "hired", _ => "active" },
                "updated_at": a["updatedAt"],
            })
        })
        .collect();
    assert_records("applications", apps, sb.expected(ExportKind::Applications));
    sb.shutdown().await;
}

/// Not part of the normal run (it generates 100k talents): `cargo test --test sandbox -- --ignored`.
#[tokio::test]
#[ignore]
async fn a_large_account_generates_and_serves_fast() {
    let t0 = std::time::Instant::now();
    let sb = start(Provider::Greenhouse, 100_000, Faults::default()).await;
    let generated = t0.elapsed();
    let client = Client::new();
    let token = gh_access(&client, &sb).await;
    let t1 = std::time::Instant::now();
    let r = client.get(format!("{}/candidates?per_page=500", sb.base_url())).bearer_auth(&token).send().await.unwrap();
    let page: Vec<Value> = r.json().await.unwrap();
    let served = t1.elapsed();
    println!("generated 100k talents in {generated:?}; a 500-candidate page in {served:?}");
    assert_eq!(page.len(), 500);
    assert!(generated < Duration::from_secs(2), "generation took {generated:?}");
    sb.shutdown().await;
}

/// Issue 13: Greenhouse job posts are a v3 list like the others (token, Link-header cursor
/// alone on later pages, id-descending order, `updated_at` and `job_ids` filters, scope), and a
/// description set in the ATS changes the post's `updated_at`, not its job's.
#[tokio::test]
async fn greenhouse_job_posts_are_a_v3_list_and_a_new_description_changes_only_the_post() {
    let sb = start(Provider::Greenhouse, 50, Faults::default()).await;
    let client = Client::new();
    let url = format!("{}/job_posts?per_page=2", sb.base_url());
    assert_eq!(client.get(&url).send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "no token, no posts");
    let token = gh_access(&client, &sb).await;
    let (posts, pages) = gh_all(&client, &token, url).await;
    let jobs = sb.expected(ExportKind::Jobs);
    let drafts = jobs.iter().filter(|j| j["status"] == "draft").count();
    assert!(posts.len() > jobs.len() - drafts && pages > 1, "{} posts in {pages} pages", posts.len());
    for p in &posts {
        for k in ["id", "job_id", "content", "internal_content", "live", "external", "internal", "updated_at"] {
            assert!(p.get(k).is_some(), "{k} in {p}");
        }
    }

    let open = jobs.iter().find(|j| j["status"] == "open").unwrap();
    let job_id = open["remote_id"].as_str().unwrap().to_string();
    let change = talentdeck::sandbox::SetJobDescription { job: job_id.clone(), html: "<p>New</p>".into() };
    let report = sb.mutate(Mutation { set_job_description: Some(change), ..Default::default() });
    assert!(report.updated_jobs.is_empty(), "the job itself did not change: {report:?}");
    assert_eq!(sb.expected(ExportKind::Jobs), jobs);
    let url = format!("{}/job_posts?updated_at=gte|{}", sb.base_url(), report.at);
    let (changed, _) = gh_all(&client, &token, url).await;
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!((changed[0]["job_id"].to_string(), &changed[0]["content"]), (job_id.clone(), &json!("<p>New</p>")));
    let url = format!("{}/jobs?updated_at=gte|{}", sb.base_url(), report.at);
    assert!(gh_all(&client, &token, url).await.0.is_empty());
    let url = format!("{}/job_posts?job_ids={job_id}", sb.base_url());
    let (of_job, _) = gh_all(&client, &token, url).await;
    assert!(!of_job.is_empty() && of_job.iter().all(|p| p["job_id"].as_u64() == job_id.parse().ok()));
    sb.shutdown().await;

    let faults = Faults { deny_scopes: vec!["harvest:job_posts:list".into()], ..Default::default() };
    let sb = start(Provider::Greenhouse, 50, faults).await;
    let token = gh_access(&client, &sb).await;
    let r = client.get(format!("{}/job_posts", sb.base_url())).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client.get(format!("{}/jobs", sb.base_url())).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    sb.shutdown().await;
}

/// Issue 13: `jobPosting.info` answers like Ashby's other methods (Basic auth, POST with a JSON
/// body, `success: false` refusals); its posting carries the description set in the ATS, with a
/// newer `updatedAt` while its job's stays.
#[tokio::test]
async fn ashby_job_posting_info_serves_the_description_and_refuses_like_the_rest() {
    let sb = start(Provider::Ashby, 50, Faults::default()).await;
    let client = Client::new();
    let key = cred(&sb, "api_key");
    let v: Value = ashby_post(&client, &sb, &key, "job.list", json!({})).await.json().await.unwrap();
    let job = v["results"].as_array().unwrap().iter().find(|j| j["status"] == "Open").unwrap().clone();
    let posting = job["jobPostingIds"][0].as_str().unwrap().to_string();

    let r = ashby_post(&client, &sb, "wrong-key", "jobPosting.info", json!({ "jobPostingId": posting })).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = client.get(format!("{}/jobPosting.info", sb.base_url())).basic_auth(&key, Some("")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let v: Value = ashby_post(&client, &sb, &key, "jobPosting.info", json!({})).await.json().await.unwrap();
    assert_eq!((v["success"].clone(), v["errorInfo"]["code"].clone()), (json!(false), json!("invalid_input")));
    let v: Value = ashby_post(&client, &sb, &key, "jobPosting.info", json!({ "jobPostingId": "nope" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["errorInfo"]["code"], "job_posting_not_found");

    let v: Value = ashby_post(&client, &sb, &key, "jobPosting.info", json!({ "jobPostingId": posting }))
        .await
        .json()
        .await
        .unwrap();
    let p = &v["results"];
    assert_eq!((p["id"].as_str(), p["jobId"].clone()), (Some(posting.as_str()), job["id"].clone()));
    assert!(p["descriptionHtml"].as_str().unwrap().contains("<h3>"), "{p}");
    assert!(p["compensation"].get("compensationTierSummary").is_some(), "{p}");

    let change = talentdeck::sandbox::SetJobDescription {
        job: job["id"].as_str().unwrap().to_string(),
        html: "<p>New</p>".into(),
    };
    let report = sb.mutate(Mutation { set_job_description: Some(change), ..Default::default() });
    assert!(report.updated_jobs.is_empty(), "{report:?}");
    let v: Value = ashby_post(&client, &sb, &key, "jobPosting.info", json!({ "jobPostingId": posting }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["results"]["descriptionHtml"], "<p>New</p>");
    assert!(v["results"]["updatedAt"].as_str().unwrap() > job["updatedAt"].as_str().unwrap());
    let v: Value = ashby_post(&client, &sb, &key, "job.info", json!({ "id": job["id"] })).await.json().await.unwrap();
    assert_eq!(v["results"]["updatedAt"], job["updatedAt"], "the job did not change");

    sb.mutate(Mutation { lose_job_posting: job["id"].as_str().map(String::from), ..Default::default() });
    let v: Value = ashby_post(&client, &sb, &key, "jobPosting.info", json!({ "jobPostingId": posting }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["errorInfo"]["code"], "job_posting_not_found");
    sb.shutdown().await;
}
