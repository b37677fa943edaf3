//! Job posts (`GET /v3/job_posts`): where a Greenhouse job's description lives. A post changes
//! without its job (and a job without its posts), so posts are a list of their own, read on the
//! last page of each jobs pass over the same window (shared/ats-apis.md §1.3: read incrementally
//! on `updated_at` like the other v3 lists; inactive posts are left out by default).
//!
//! The v3 post's field names are not published: the fields read here are the documented v1 job
//! post's (`job_id`, `content`, `internal_content`, `live`, `external`, `updated_at`), read
//! defensively (a post without a job is ignored, a missing flag is false) — **unconfirmed**.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::paging::ListBody;
use super::{Greenhouse, PER_PAGE};
use crate::record::{Read, Rec};
use crate::{Page, PageRequest, Since};
use model::error::{Error, Result};
use model::{ts, JobDetails};

/// The most job ids one `job_ids` filter takes (v3 parent-id filters, shared/ats-apis.md §1.3).
const MAX_IDS: usize = 50;

/// One job post, as far as the job's description needs it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Post {
    pub id: u64,
    pub job_id: String,
    pub live: bool,
    pub external: bool,
    /// `content`, else `internal_content` (a post for internal applicants only has no public
    /// text), else none.
    pub html: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub(super) fn post(r: &Rec) -> Read<Post> {
    let id = r.req("id", "an integer id", serde_json::Value::as_u64)?;
    let text = |field: &str| -> Read<Option<String>> { Ok(r.opt_str(field)?.filter(|s| !s.trim().is_empty())) };
    Ok(Post {
        id,
        job_id: r.int_id("job_id")?,
        live: r.opt_bool("live")?.unwrap_or(false),
        external: r.opt_bool("external")?.unwrap_or(false),
        html: match text("content")? {
            Some(html) => Some(html),
            None => text("internal_content")?,
        },
        updated_at: r.opt_time("updated_at")?,
    })
}

/// Each job's description from its posts: a live external post (what candidates read) first,
/// then a live one, then any; among equals the most recently updated, then the newest.
pub(super) fn details_by_job(posts: Vec<Post>) -> HashMap<String, JobDetails> {
    let rank = |p: &Post| (p.live && p.external, p.live, p.updated_at, p.id);
    let mut best: HashMap<String, Post> = HashMap::new();
    for p in posts {
        match best.get(&p.job_id) {
            Some(b) if rank(b) >= rank(&p) => {}
            _ => {
                best.insert(p.job_id.clone(), p);
            }
        }
    }
    // Greenhouse posts carry no pay range (in the documented shape).
    best.into_iter().map(|(job, p)| (job, JobDetails { description_html: p.html, compensation: None })).collect()
}

fn read_posts(pages: &[ListBody], out: &mut Vec<Post>) -> Result<()> {
    for page in pages {
        for r in page.records()? {
            match post(&r) {
                Ok(p) => out.push(p),
                Err(s) => tracing::warn!(id = ?s.remote_id, field = %s.field, reason = %s.reason,
                                         "a Greenhouse job post that could not be read was ignored"),
            }
        }
    }
    Ok(())
}

impl Greenhouse {
    /// On the last page of a jobs pass: the details of every job with a post changed in the
    /// pass's window (every job with a post, on a full pass), set on the page's own jobs or
    /// handed over for jobs stored by earlier pages and runs. Read last, so a pass resumed
    /// after a crash still reads them. A credential without the job posts permission syncs
    /// everything else and says what is missing.
    pub(super) async fn add_post_details(&self, page: &mut Page, req: &PageRequest) -> Result<()> {
        let mut params = vec![("per_page", PER_PAGE.to_string())];
        let incremental = match &req.since {
            Since::UpdatedSince(t) => {
                params.push(("updated_at", format!("gte|{}|lte|{}", ts(t), ts(&req.until))));
                true
            }
            _ => false,
        };
        let mut posts = Vec::new();
        match self.list_all("job_posts", &params).await {
            Ok(pages) => read_posts(&pages, &mut posts)?,
            Err(Error::PermissionDenied(m)) => {
                page.warnings.push(format!("Job descriptions were not synced from Greenhouse. {m}"));
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        if incremental && !posts.is_empty() {
            // The changed post may be the lesser of its job's posts: choosing needs them all.
            // (`job_ids` on job_posts is the documented v3 parent-id filter; **unconfirmed**
            // for this list in particular.)
            let jobs: Vec<String> = posts.drain(..).map(|p| p.job_id).collect::<BTreeSet<_>>().into_iter().collect();
            for chunk in jobs.chunks(MAX_IDS) {
                let params = [("per_page", PER_PAGE.to_string()), ("job_ids", chunk.join(","))];
                read_posts(&self.list_all("job_posts", &params).await?, &mut posts)?;
            }
        }
        let mut details = details_by_job(posts);
        for job in &mut page.batch.jobs {
            if let Some(d) = details.remove(&job.remote_id) {
                job.details = Some(d);
            }
        }
        let mut rest: Vec<(String, JobDetails)> = details.into_iter().collect();
        rest.sort_by(|a, b| a.0.cmp(&b.0));
        page.batch.job_details.extend(rest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: u64, job: &str, live: bool, external: bool, html: &str) -> Post {
        let html = Some(html.to_string());
        Post { id, job_id: job.into(), live, external, html, updated_at: None }
    }

    #[test]
    fn a_live_external_post_wins_then_a_live_one_then_any() {
        let d = details_by_job(vec![
            p(1, "7", false, true, "old external"),
            p(2, "7", true, false, "internal"),
            p(3, "7", true, true, "public"),
            p(4, "7", false, false, "draft"),
            p(5, "8", false, true, "closed external"),
            p(6, "8", true, false, "internal, live"),
            p(9, "9", false, false, "older"),
            p(10, "9", false, false, "newer"),
        ]);
        let text = |j: &str| d[j].description_html.as_deref().unwrap();
        assert_eq!((text("7"), text("8"), text("9")), ("public", "internal, live", "newer"));
        assert!(d.values().all(|d| d.compensation.is_none()));
    }

    #[test]
    fn content_falls_back_to_internal_content_and_a_post_without_a_job_is_skipped() {
        let read = |v: serde_json::Value| post(&Rec::new(&v));
        let v = serde_json::json!({ "id": 1, "job_id": 7, "content": " ", "internal_content": "<p>Inside</p>" });
        assert_eq!(read(v).unwrap().html.as_deref(), Some("<p>Inside</p>"));
        let v = serde_json::json!({ "id": 1, "job_id": 7, "content": "<p>Out</p>", "internal_content": "<p>In</p>" });
        assert_eq!(read(v).unwrap().html.as_deref(), Some("<p>Out</p>"));
        let v = serde_json::json!({ "id": 1, "job_id": 7, "content": null, "internal_content": "" });
        assert_eq!(read(v).unwrap().html, None);
        assert_eq!(read(serde_json::json!({ "id": 1, "content": "<p>x</p>" })).unwrap_err().field, "job_id");
    }
}
