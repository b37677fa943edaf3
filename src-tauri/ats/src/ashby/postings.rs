//! Job postings: where an Ashby job's description and pay range live. `job.list` names a job's
//! postings (`jobPostingIds`); `jobPosting.info {jobPostingId}` returns one with `descriptionHtml`
//! and `compensation.compensationTierSummary` ("$72K – $270K • 1% – 2.25% • Offers Bonus";
//! repo api-evangelist/ashby openapi/ashby-job-posting-api-openapi.yml, permission jobsRead).
//! One request per job of a jobs page, so only for the jobs the pass lists: every job on a full
//! pass, the changed ones on a syncToken delta. A posting edited without its job is therefore
//! seen at the next full pass (whether Ashby's job delta includes posting edits is
//! **unconfirmed**; the sandbox assumes it does not).

use serde_json::{json, Value};

use super::rpc::refusal_error;
use super::Ashby;
use crate::Page;
use model::error::{Error, Result};
use model::JobDetails;

/// A posting's details: the HTML description and the compensation summary, each absent when
/// empty.
pub(super) fn posting_details(posting: &Value) -> JobDetails {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    JobDetails {
        description_html: text(posting.get("descriptionHtml")),
        compensation: text(posting.pointer("/compensation/compensationTierSummary")),
    }
}

impl Ashby {
    /// `jobPosting.info`'s posting; the error as the sync reports it.
    async fn posting(&self, id: &str) -> Result<Value> {
        match self.post_raw("jobPosting.info", &json!({ "jobPostingId": id })).await? {
            Ok(mut v) => match v.get_mut("results").map(Value::take) {
                Some(p @ Value::Object(_)) => Ok(p),
                _ => Err(crate::record::invalid("Ashby", "jobPosting.info", "without the posting", &v.to_string())),
            },
            Err(r) if r.code.contains("not_found") => Err(Error::NotFound(format!("Ashby has no job posting {id}"))),
            Err(r) => Err(refusal_error("jobPosting.info", &r)),
        }
    }

    /// Reads the first posting of each job of the page (`results`: the page's raw jobs) onto
    /// the page's job. A posting Ashby does not show (gone, or a key without the permission)
    /// leaves its job's stored details as they were and the page says so, once; a key Ashby
    /// no longer accepts, no answer or a rate limit stop the page as any request would.
    pub(super) async fn add_posting_details(&self, page: &mut Page, results: &[Value]) -> Result<()> {
        let mut unreadable = Vec::new();
        for raw in results {
            let (Some(job_id), Some(posting_id)) =
                (raw.get("id").and_then(Value::as_str), raw.pointer("/jobPostingIds/0").and_then(Value::as_str))
            else {
                continue;
            };
            let Some(job) = page.batch.jobs.iter_mut().find(|j| j.remote_id == job_id) else { continue };
            match self.posting(posting_id).await {
                Ok(p) => job.details = Some(posting_details(&p)),
                Err(e @ (Error::Unauthorized(_) | Error::Unreachable(_) | Error::RateLimited(_))) => return Err(e),
                Err(Error::PermissionDenied(m)) => {
                    page.warnings.push(format!("Job descriptions and pay ranges were not synced from Ashby: {m}"));
                    return Ok(());
                }
                Err(e) => {
                    tracing::warn!(job = job_id, posting = posting_id, error = %e, "an Ashby job posting could not be read");
                    unreadable.push(format!("{:?}", job.title));
                }
            }
        }
        if !unreadable.is_empty() {
            page.warnings.push(format!(
                "Ashby did not return the job posting of {} job{} ({}): their descriptions and pay ranges are kept as \
                 last synced. Check in Ashby that the posting still exists (the job's Job Postings tab), then sync again.",
                unreadable.len(),
                if unreadable.len() == 1 { "" } else { "s" },
                unreadable.join(", ")
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posting_gives_its_html_and_its_compensation_summary_when_present() {
        let p = json!({ "id": "jp-1", "descriptionHtml": "<p>Build</p>", "descriptionPlain": "Build",
                        "compensation": { "compensationTierSummary": "$72K – $270K • Offers Bonus",
                                          "shouldDisplayCompensationOnJobBoard": false } });
        let d = posting_details(&p);
        assert_eq!(d.description_html.as_deref(), Some("<p>Build</p>"));
        assert_eq!(d.compensation.as_deref(), Some("$72K – $270K • Offers Bonus"));
        let d =
            posting_details(&json!({ "descriptionHtml": " ", "compensation": { "compensationTierSummary": null } }));
        assert_eq!(d, JobDetails::default());
        assert_eq!(posting_details(&json!({ "descriptionHtml": "<p>x</p>" })).compensation, None);
    }
}
