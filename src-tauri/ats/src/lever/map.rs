//! Lever records onto the model: postings → jobs, the pipeline → stages, and each opportunity
//! → an application and (see `talents`) its contact's talent. Stage names and archive reasons
//! (whether one means hired) come from lists read once and cached.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Map, Value};

use super::talents::Rank;
use super::Lever;
use crate::http;
use crate::record::{self, kind_of, Read, Rec};
use crate::Skipped;
use model::error::Result;
use model::{Application, ApplicationStatus, Attachment, Extra, Job, JobDetails, JobStatus, Stage, Talent};

/// Stage names and archive-reason types, read once per connector (again if a record names one
/// not seen yet). Replaced whole on reload, never edited.
#[derive(Default)]
pub(super) struct Lookups {
    stages: HashMap<String, String>,
    /// Archive reason id → whether its type is "hired".
    reasons: HashMap<String, bool>,
    /// Ids asked for that the last reload did not find: no reload storm over a deleted stage.
    missing: HashSet<String>,
}

/// An opportunity, read and checked.
#[derive(Debug, Clone)]
pub(super) struct Opp {
    id: String,
    pub(super) contact: String,
    name: String,
    emails: Vec<String>,
    phones: Vec<String>,
    headline: Option<String>,
    tags: Vec<String>,
    stage: Option<String>,
    posting: Option<String>,
    /// `Some(reason)` when archived.
    archived: Option<Option<String>>,
    updated_ms: i64,
    updated_at: DateTime<Utc>,
    extra: Extra,
}

impl Lookups {
    /// Whether the opportunity's stage and archive reason are known (or known to be missing).
    fn knows(&self, o: &Opp) -> bool {
        let stage = o.stage.as_ref().is_none_or(|s| self.stages.contains_key(s) || self.missing.contains(s));
        let reason = o.reason().is_none_or(|r| self.reasons.contains_key(r) || self.missing.contains(r));
        stage && reason
    }
}

impl Opp {
    pub(super) fn reason(&self) -> Option<&str> {
        self.archived.as_ref().and_then(|r| r.as_deref())
    }

    pub(super) fn rank(&self) -> Rank {
        (self.updated_ms, self.id.clone())
    }

    pub(super) fn talent(&self) -> Talent {
        Talent {
            remote_id: self.contact.clone(),
            name: self.name.clone(),
            first_name: None,
            last_name: None,
            emails: self.emails.clone(),
            phones: self.phones.clone(),
            company: self.headline.clone(),
            title: None,
            tags: self.tags.clone(),
            updated_at: self.updated_at,
            extra: json!({ "opportunity": self.id }).into(),
        }
    }

    pub(super) fn application(&self, l: &Lookups) -> Application {
        let status = match &self.archived {
            None => ApplicationStatus::Active,
            Some(Some(r)) if l.reasons.get(r).copied().unwrap_or(false) => ApplicationStatus::Hired,
            Some(_) => ApplicationStatus::Rejected,
        };
        Application {
            remote_id: self.id.clone(),
            talent_remote_id: self.contact.clone(),
            job_remote_id: self.posting.clone(),
            stage_remote_id: self.stage.clone(),
            stage_name: self.stage.as_ref().and_then(|s| l.stages.get(s).cloned()),
            status,
            updated_at: self.updated_at,
            extra: self.extra.clone(),
        }
    }
}

impl Lever {
    /// The lookups, reloaded when a stage or archive reason id not seen yet turns up (ids the
    /// last reload did not find are remembered as missing, so they do not reload every page).
    pub(super) async fn lookups(&self, opps: &[Opp]) -> Result<Arc<Lookups>> {
        let mut cache = self.lookups.lock().await;
        if let Some(l) = cache.as_ref() {
            if opps.iter().all(|o| l.knows(o)) {
                return Ok(l.clone());
            }
        }
        let mut fresh = Lookups::default();
        let before = cache.as_ref().map(|l| l.missing.clone()).unwrap_or_default();
        for s in self.list_all("/stages").await? {
            if let (Some(id), Some(text)) = (s.get("id").and_then(Value::as_str), s.get("text").and_then(Value::as_str))
            {
                fresh.stages.insert(id.to_string(), text.to_string());
            }
        }
        for r in self.list_all("/archive_reasons").await? {
            if let Some(id) = r.get("id").and_then(Value::as_str) {
                fresh.reasons.insert(id.to_string(), r.get("type").and_then(Value::as_str) == Some("hired"));
            }
        }
        let asked = opps.iter().flat_map(|o| o.stage.iter().map(String::as_str).chain(o.reason()));
        fresh.missing = before
            .iter()
            .map(String::as_str)
            .chain(asked)
            .filter(|id| !fresh.stages.contains_key(*id) && !fresh.reasons.contains_key(*id))
            .map(str::to_string)
            .collect();
        let fresh = Arc::new(fresh);
        *cache = Some(fresh.clone());
        Ok(fresh)
    }
}

/// A resume record: `{id, createdAt, file: {name, downloadUrl, uploadedAt, size}}`. `uploadedAt`
/// marks the version (falling back to `createdAt`), so a re-upload is fetched again.
pub(super) fn parse_resume(r: &Rec<'_>, opp: &str, contact: &str) -> Read<Attachment> {
    let remote_id = r.str_id("id")?;
    let file = r.object("file")?.ok_or_else(|| r.skip("file", "missing"))?;
    let name = file.opt_str("name")?.filter(|n| !n.trim().is_empty());
    let uploaded = match file.value("uploadedAt").and_then(|v| v.as_i64()) {
        Some(ms) => {
            let out_of_range = || file.skip("uploadedAt", format!("{ms} is out of range"));
            Utc.timestamp_millis_opt(ms).single().ok_or_else(out_of_range)?
        }
        None => r.ms("createdAt")?.1,
    };
    Ok(Attachment {
        remote_id,
        talent_remote_id: contact.to_string(),
        application_remote_id: Some(opp.to_string()),
        filename: name.unwrap_or_else(|| "resume".to_string()),
        kind: "resume".to_string(),
        url: file.opt_str("downloadUrl")?,
        updated_at: Some(uploaded),
    })
}

/// A record's id, as listed and reported.
pub(super) fn record_id(rec: &Value) -> Option<String> {
    rec.get("id").and_then(record::id_of)
}

/// `contact` as an id, or as the object `expand=contact` makes of it.
pub(super) fn contact_id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string),
        _ => None,
    }
}

pub(super) fn unreadable_deletion(rec: &Value) -> Skipped {
    Skipped {
        remote_id: None,
        field: "id".into(),
        reason: format!("a deletion record without an id: {}", http::excerpt(&rec.to_string())),
    }
}

pub(super) fn parse_posting(r: &Rec<'_>) -> Read<Job> {
    let remote_id = r.str_id("id")?;
    let title = r.str("text")?;
    let state = r.str("state")?;
    let status = match state.as_str() {
        "published" | "internal" => JobStatus::Open,
        "closed" => JobStatus::Closed,
        "draft" | "pending" => JobStatus::Draft,
        "rejected" => JobStatus::Archived,
        other => return Err(r.skip("state", format!("unknown posting state {other:?}"))),
    };
    let categories = r.object("categories")?;
    let category = |k: &str| categories.as_ref().map_or(Ok(None), |c| c.opt_str(k));
    let department = category("department")?;
    let location = category("location")?;
    let (_, updated_at) = r.ms("updatedAt")?;
    let mut extra = json!({ "state": state });
    for k in ["team", "commitment"] {
        if let Some(v) = category(k)? {
            extra[k] = json!(v);
        }
    }
    if let Some(c) = r.opt_str("confidentiality")? {
        extra["confidentiality"] = json!(c);
    }
    let description_html = r.object("content")?.and_then(|c| posting_html(&c));
    let compensation = r.object("salaryRange")?.and_then(|s| salary_text(&s));
    // The posting is the job: what it lacks, the job lacks.
    let details = Some(JobDetails { description_html, compensation });
    Ok(Job { remote_id, title, status, department, location, updated_at, extra: extra.into(), details })
}

/// A posting's `content` as one HTML document: the description, each titled list (Lever gives a
/// list's `content` as its `<li>` items) and the closing. Text-only fields are escaped; the
/// store sanitises the result. `None` when the posting has no content at all.
fn posting_html(content: &Rec<'_>) -> Option<String> {
    let text = |k: &str| content.value(k)?.as_str().filter(|s| !s.trim().is_empty()).map(str::to_string);
    let html_or_text = |html: &str, plain: &str| match (text(html), text(plain)) {
        (Some(h), _) => Some(h),
        (None, Some(p)) => Some(format!("<p>{}</p>", ammonia::clean_text(&p))),
        (None, None) => None,
    };
    let mut out = html_or_text("descriptionHtml", "description").unwrap_or_default();
    let lists = content.value("lists");
    for list in lists.as_deref().and_then(Value::as_array).into_iter().flatten() {
        let title = list.get("text").and_then(Value::as_str).unwrap_or_default();
        let items = list.get("content").and_then(Value::as_str).unwrap_or_default();
        if !items.trim().is_empty() {
            out.push_str(&format!("<h3>{}</h3><ul>{items}</ul>", ammonia::clean_text(title)));
        }
    }
    out.push_str(&html_or_text("closingHtml", "closing").unwrap_or_default());
    (!out.is_empty()).then_some(out)
}

/// `salaryRange` `{min, max, currency, interval}` as "USD 60,000–90,000 per year".
fn salary_text(range: &Rec<'_>) -> Option<String> {
    let amount = |k: &str| range.value(k)?.as_f64().map(|n| thousands(n.round() as i64));
    let span = match (amount("min"), amount("max")) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => return None,
    };
    let text = |k: &str| range.value(k).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let currency = text("currency");
    // Lever's intervals: per-year-salary, per-month-salary, per-hour-wage, one-time, …
    let interval = text("interval");
    let per = interval.split('-').take(2).collect::<Vec<_>>().join(" ");
    Some([currency.as_str(), &span, &per].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" "))
}

fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

pub(super) fn parse_stage(r: &Rec<'_>, position: i64) -> Read<Stage> {
    let remote_id = r.str_id("id")?;
    let name = r.str("text")?;
    Ok(Stage { remote_id, job_remote_id: None, name, position, ats_type: None })
}

pub(super) fn parse_opportunity(r: &Rec<'_>) -> Read<Opp> {
    let id = r.str_id("id")?;
    let contact = match r.get("contact")? {
        Some(c) => contact_id(&c).ok_or_else(|| r.skip("contact", "expected a contact id"))?,
        None => return Err(r.skip("contact", "missing")),
    };
    let name = r.str("name")?;
    let emails = r.strings("emails")?;
    let phones = match r.get("phones")?.as_deref() {
        None => Vec::new(),
        Some(Value::Array(a)) => {
            let mut out = Vec::with_capacity(a.len());
            for p in a {
                match p {
                    Value::Object(m) => match m.get("value") {
                        Some(Value::String(s)) if !s.trim().is_empty() => out.push(s.clone()),
                        None | Some(Value::Null) | Some(Value::String(_)) => {}
                        Some(v) => return Err(r.skip("phones", format!("a phone value is {}", kind_of(v)))),
                    },
                    Value::String(s) => out.push(s.clone()),
                    v => return Err(r.skip("phones", format!("expected phone objects, found {}", kind_of(v)))),
                }
            }
            out
        }
        Some(v) => return Err(r.skip("phones", format!("expected a list, found {}", kind_of(v)))),
    };
    let headline = r.opt_str("headline")?.filter(|h| !h.trim().is_empty());
    let tags = r.strings("tags")?;
    let stage = match r.get("stage")?.as_deref() {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        // expand=stage
        Some(Value::Object(m)) => Some(
            m.get("id").and_then(Value::as_str).ok_or_else(|| r.skip("stage", "a stage without an id"))?.to_string(),
        ),
        Some(v) => return Err(r.skip("stage", format!("expected a stage id, found {}", kind_of(v)))),
    };
    let posting = match r.items("applications", "a list")?.first() {
        None => None,
        // Expanded: the application object names its posting (null for a lead).
        Some(app) if app.is_object() => app.opt_str("posting")?,
        // Not expanded: only an application id; the posting is unknown.
        Some(app) if app.kind() == "a string" => None,
        Some(app) => return Err(r.skip("applications", format!("expected application objects, found {}", app.kind()))),
    };
    let archived = match r.object("archived")? {
        None => None,
        Some(a) => Some(a.opt_str("reason")?),
    };
    let (updated_ms, updated_at) = r.ms("updatedAt")?;
    let mut extra = Map::new();
    if let Some(o) = r.opt_str("origin")? {
        extra.insert("origin".into(), json!(o));
    }
    if let Some(Some(reason)) = &archived {
        extra.insert("archive_reason".into(), json!(reason));
    }
    Ok(Opp {
        id,
        contact,
        name,
        emails,
        phones,
        headline,
        tags,
        stage,
        posting,
        archived,
        updated_ms,
        updated_at,
        extra: Value::Object(extra).into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_opportunity_is_skipped_naming_the_field() {
        let v = json!({ "id": "o1", "contact": "c1", "name": 5, "updatedAt": 1 });
        let s = parse_opportunity(&Rec::new(&v)).unwrap_err();
        assert_eq!((s.remote_id.as_deref(), s.field.as_str()), (Some("o1"), "name"));
        let v = json!({ "id": "o1", "contact": "c1", "name": "A", "emails": "a@x, b@x", "updatedAt": 1 });
        assert_eq!(parse_opportunity(&Rec::new(&v)).unwrap_err().field, "emails");
    }
}
