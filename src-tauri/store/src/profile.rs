//! The talent profile: one talent with everything synced about them (contacts, custom fields
//! under the ATS's own names, applications with their stage history as a timeline, files),
//! the notes cache read when a profile opens, and the provider's web address of a record.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde_json::Value;

use super::files::FILE_ORDER;
use super::{parse_ts, ts, Store};
use model::error::{Error, Result};
use model::{
    ApplicationStatus, FileRef, LabelledValue, ProfileApplication, ProfileNote, Provider, RemoteNote, StageStay,
    TalentNotes, TalentProfile,
};

/// A JSON value from the ATS as text a recruiter can read; `None` for null or empty.
fn as_text(v: &Value) -> Option<String> {
    let s = match v {
        Value::Null => return None,
        Value::String(s) => s.trim().to_string(),
        Value::Bool(b) => if *b { "Yes" } else { "No" }.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().filter_map(as_text).collect::<Vec<_>>().join(", "),
        // Option objects and the like: their label; an amount with its unit; else the JSON.
        Value::Object(o) => {
            if let Some(t) =
                ["value", "name", "title", "label", "text"].iter().find_map(|k| o.get(*k).and_then(as_text))
            {
                t
            } else if let (Some(amount), Some(unit)) =
                (o.get("amount").and_then(as_text), o.get("unit").and_then(as_text))
            {
                format!("{amount} {unit}")
            } else {
                v.to_string()
            }
        }
    };
    (!s.is_empty()).then_some(s)
}

/// Custom fields under the ATS's field names. Greenhouse: an object keyed by field key whose
/// values are `{name, type, value}` (v3) or bare values (keyed by the field key only); Ashby:
/// `customFields[]` of `{title, value}` (its reference shows only empty lists: `name` is read
/// too, **unconfirmed** which the live API sends). Empty values are left out.
fn custom_fields(extra: &Value) -> Vec<LabelledValue> {
    let mut out = Vec::new();
    if let Some(o) = extra.get("custom_fields").and_then(Value::as_object) {
        for (key, v) in o {
            let (label, value) = match v.as_object() {
                Some(f) if f.contains_key("value") => {
                    (f.get("name").and_then(Value::as_str).unwrap_or(key).to_string(), f.get("value").and_then(as_text))
                }
                _ => (key.clone(), as_text(v)),
            };
            if let Some(value) = value {
                out.push(LabelledValue { label, value });
            }
        }
    }
    for f in extra.get("customFields").and_then(Value::as_array).into_iter().flatten() {
        let label = f.get("title").or_else(|| f.get("name")).and_then(Value::as_str);
        if let (Some(label), Some(value)) = (label, f.get("value").and_then(as_text)) {
            out.push(LabelledValue { label: label.to_string(), value });
        }
    }
    out
}

/// Links: Ashby `socialLinks[{type, url}]`. Greenhouse's `website_addresses`/`social_media_addresses`
/// and Lever's `links` are not synced yet. Only http(s) addresses are kept: they are shown as text
/// the recruiter can copy, never opened from the webview.
fn links(extra: &Value) -> Vec<LabelledValue> {
    let mut out = Vec::new();
    for l in extra.get("socialLinks").and_then(Value::as_array).into_iter().flatten() {
        let url = l.get("url").and_then(Value::as_str).map(str::trim).unwrap_or("");
        if url.starts_with("https://") || url.starts_with("http://") {
            let label = l.get("type").and_then(Value::as_str).unwrap_or("Link");
            out.push(LabelledValue { label: label.to_string(), value: url.to_string() });
        }
    }
    out
}

/// Where a record came from: Ashby's `source {title}`, Greenhouse's `source {public_name}`;
/// Lever keeps only the opportunity's `origin` (e.g. "sourced", "applied").
fn source(extra: &Value) -> Option<String> {
    match extra.get("source") {
        Some(Value::Object(o)) => ["public_name", "title", "name"].iter().find_map(|k| o.get(*k).and_then(as_text)),
        Some(v) => as_text(v),
        None => extra.get("origin").and_then(as_text),
    }
}

/// The rejection reason of a closed application: its name where the ATS sent it with the
/// application (Ashby `archiveReason {text}`, Greenhouse v1 `rejection_reason {name}`), else its
/// id (Greenhouse `rejection_reason_id`, Lever `archive_reason`) looked up in the synced reasons.
fn rejection_reason(extra: &Value, lookup: impl Fn(&str) -> Option<String>) -> Option<String> {
    for k in ["archiveReason", "rejection_reason"] {
        if let Some(o) = extra.get(k).and_then(Value::as_object) {
            if let Some(name) = ["text", "name"].iter().find_map(|f| o.get(*f).and_then(as_text)) {
                return Some(name);
            }
            if let Some(name) = o.get("id").and_then(as_text).and_then(|id| lookup(&id)) {
                return Some(name);
            }
        }
    }
    ["rejection_reason_id", "archive_reason"]
        .iter()
        .find_map(|k| extra.get(*k).and_then(as_text))
        .map(|id| lookup(&id).unwrap_or_else(|| format!("reason {id} (not among the synced reasons)")))
}

/// A record's page in the provider's web app. Built here from the record's own ids, never
/// taken from the webview. `None`: sandbox records, which live in no web app.
///
/// - Greenhouse: `https://app.greenhouse.io/people/{candidate_id}` (`?application_id=` for one
///   application). These addresses are **not** in shared/ats-apis.md (the Harvest API has no
///   web URL field); they are the app's address scheme as used by integrations. A regional
///   (EU) account's host is not handled.
/// - Lever: `https://hire.lever.co/candidates/{opportunity_id}`, as the opportunity's documented
///   `urls.show`; the candidate's page is their most recent opportunity.
/// - Ashby: the candidate's synced `profileUrl` when it is on `https://app.ashbyhq.com/`, else
///   `https://app.ashbyhq.com/candidates/{id}`. Ashby documents no application page: an
///   application opens its candidate's profile.
pub fn web_url(
    provider: Provider,
    sandbox: bool,
    talent: &str,
    extra: &Value,
    application: Option<&str>,
) -> Option<String> {
    if sandbox {
        return None;
    }
    let safe = |id: &str| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    match provider {
        Provider::Greenhouse => {
            if !safe(talent) {
                return None;
            }
            Some(match application {
                Some(a) if safe(a) => format!("https://app.greenhouse.io/people/{talent}?application_id={a}"),
                Some(_) => return None,
                None => format!("https://app.greenhouse.io/people/{talent}"),
            })
        }
        Provider::Lever => {
            let opportunity = application.or_else(|| extra.get("opportunity").and_then(Value::as_str))?;
            safe(opportunity).then(|| format!("https://hire.lever.co/candidates/{opportunity}"))
        }
        Provider::Ashby => {
            let synced = extra.get("profileUrl").and_then(Value::as_str).filter(|u| {
                u.strip_prefix("https://app.ashbyhq.com/")
                    .is_some_and(|rest| !rest.contains(['"', '<', '>', ' ', '\\']))
            });
            match synced {
                Some(u) => Some(u.to_string()),
                None => safe(talent).then(|| format!("https://app.ashbyhq.com/candidates/{talent}")),
            }
        }
    }
}

/// What the profile needs of a talent row.
struct TalentHead {
    cid: i64,
    remote_id: String,
    extra: Value,
    provider: Provider,
    sandbox: bool,
}

impl Store {
    fn talent_head(&self, talent_id: i64) -> Result<TalentHead> {
        let row = self
            .db
            .query_row(
                "SELECT t.connection_id, t.remote_id, t.extra, c.provider, c.sandbox
                 FROM talents t JOIN connections c ON c.id = t.connection_id WHERE t.id = ?1",
                [talent_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((cid, remote_id, extra, provider, sandbox)) = row else {
            return Err(Error::NotFound(format!(
                "talent {talent_id} is no longer in the local database (deleted in the ATS?); search again"
            )));
        };
        let provider =
            Provider::parse(&provider).ok_or_else(|| Error::Store(format!("unknown provider {provider:?}")))?;
        Ok(TalentHead { cid, remote_id, extra: serde_json::from_str(&extra)?, provider, sandbox })
    }

    /// Talent `talent_id` (a local id) as the profile shows it; `now` ends the current stays.
    pub fn talent_profile(&self, talent_id: i64, now: DateTime<Utc>) -> Result<TalentProfile> {
        let head = self.talent_head(talent_id)?;
        type Row = (String, Option<String>, Option<String>, String, String, String, String);
        let (name, title, company, tags, updated, synced, connection): Row = self.db.query_row(
            "SELECT t.name, t.title, t.company, t.tags, t.updated_at, t.synced_at, c.name
             FROM talents t JOIN connections c ON c.id = t.connection_id WHERE t.id = ?1",
            [talent_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )?;
        let list = |sql: &str| -> Result<Vec<String>> {
            let mut st = self.db.prepare_cached(sql)?;
            let rows = st.query_map([talent_id], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let emails = list("SELECT email FROM talent_emails WHERE talent_id = ?1 ORDER BY position")?;
        let phones = list("SELECT phone FROM talent_phones WHERE talent_id = ?1 ORDER BY position")?;

        let reasons = self.reasons(head.cid)?;
        let lookup = |id: &str| reasons.iter().find(|r| r.remote_id == id).map(|r| r.name.clone());
        let mut st = self.db.prepare_cached(
            "SELECT a.remote_id, a.job_remote_id, j.title, a.stage_name, a.status, a.updated_at, a.extra
             FROM applications a
             LEFT JOIN jobs j ON j.connection_id = a.connection_id AND j.remote_id = a.job_remote_id
             WHERE a.connection_id = ?1 AND a.talent_remote_id = ?2 AND a.remote_deleted_at IS NULL
             ORDER BY a.updated_at DESC, a.remote_id",
        )?;
        let rows = st.query_map(params![head.cid, head.remote_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut applications = Vec::new();
        let mut first_source = None;
        for row in rows {
            let (remote_id, job, job_title, ats_stage, status, updated, extra) = row?;
            let extra: Value = serde_json::from_str(&extra)?;
            let status = ApplicationStatus::parse(&status).unwrap_or(ApplicationStatus::Active);
            // The same mapping in force as the job's board shows.
            let mapper = self.stage_mapper(head.cid, job.as_deref())?;
            let stage = mapper.stage_of(status, ats_stage.as_deref()).and_then(|id| mapper.name_of(id));
            let rejection_reason = match status {
                ApplicationStatus::Rejected => rejection_reason(&extra, lookup),
                _ => None,
            };
            let app_source = source(&extra);
            first_source = first_source.or(app_source.clone());
            applications.push(ProfileApplication {
                has_ats_page: web_url(head.provider, head.sandbox, &head.remote_id, &head.extra, Some(&remote_id))
                    .is_some(),
                timeline: self.timeline(head.cid, &remote_id, now)?,
                remote_id,
                job_remote_id: job,
                job_title,
                ats_stage,
                stage,
                status,
                rejection_reason,
                source: app_source,
                updated_at: parse_ts(&updated)?,
            });
        }

        Ok(TalentProfile {
            id: talent_id,
            connection_id: head.cid,
            connection,
            provider: head.provider,
            has_ats_page: web_url(head.provider, head.sandbox, &head.remote_id, &head.extra, None).is_some(),
            name,
            title,
            company,
            emails,
            phones,
            tags: serde_json::from_str(&tags)?,
            links: links(&head.extra),
            source: source(&head.extra).or(first_source),
            custom_fields: custom_fields(&head.extra),
            updated_at: parse_ts(&updated)?,
            synced_at: parse_ts(&synced)?,
            files: self.file_refs(head.cid, &head.remote_id)?,
            applications,
            remote_id: head.remote_id,
        })
    }

    /// An application's stays, oldest first, each with its stage's name where the history or
    /// the job's stages know it.
    fn timeline(&self, cid: i64, application: &str, now: DateTime<Utc>) -> Result<Vec<StageStay>> {
        let mut st = self.db.prepare_cached(
            "SELECT COALESCE(h.stage_name,
                             (SELECT s.name FROM job_stages s WHERE s.connection_id = h.connection_id
                                AND s.remote_id = h.stage_remote_id),
                             h.stage_remote_id),
                    h.entered_at, h.exited_at
             FROM stage_history h WHERE h.connection_id = ?1 AND h.application_remote_id = ?2
             ORDER BY h.entered_at, h.stage_remote_id",
        )?;
        let rows = st.query_map(params![cid, application], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?))
        })?;
        rows.map(|row| {
            let (stage, entered, exited) = row?;
            let entered_at = parse_ts(&entered)?;
            let exited_at = exited.as_deref().map(parse_ts).transpose()?;
            let days = (exited_at.unwrap_or(now) - entered_at).num_days().max(0);
            Ok(StageStay { stage, entered_at, exited_at, days })
        })
        .collect()
    }

    fn file_refs(&self, cid: i64, talent: &str) -> Result<Vec<FileRef>> {
        let mut st = self.db.prepare_cached(&format!(
            "SELECT id, filename, kind, size_bytes, local_path IS NOT NULL, download_error FROM attachments
             WHERE connection_id = ?1 AND talent_remote_id = ?2 ORDER BY {FILE_ORDER}"
        ))?;
        let rows = st.query_map(params![cid, talent], |r| {
            Ok(FileRef {
                id: r.get(0)?,
                filename: r.get(1)?,
                kind: r.get(2)?,
                size_bytes: r.get(3)?,
                downloaded: r.get(4)?,
                error: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The provider's web page of talent `talent_id`, or of one of their applications.
    pub fn ats_url(&self, talent_id: i64, application: Option<&str>) -> Result<String> {
        let head = self.talent_head(talent_id)?;
        if let Some(a) = application {
            let theirs: bool = self.db.query_row(
                "SELECT EXISTS (SELECT 1 FROM applications WHERE connection_id = ?1 AND remote_id = ?2 AND talent_remote_id = ?3)",
                params![head.cid, a, head.remote_id],
                |r| r.get(0),
            )?;
            if !theirs {
                return Err(Error::NotFound(format!("this talent has no application {a:?} (sync again?)")));
            }
        }
        let application = match (head.provider, application) {
            // Lever's candidate page is an opportunity's: their most recent one.
            (Provider::Lever, None) => self.latest_application(head.cid, &head.remote_id)?,
            (_, a) => a.map(str::to_string),
        };
        web_url(head.provider, head.sandbox, &head.remote_id, &head.extra, application.as_deref()).ok_or_else(|| {
            Error::Validation(if head.sandbox {
                "sandbox records have no page in a real ATS".to_string()
            } else {
                format!("this record's ATS id does not make a {} web address", head.provider.display_name())
            })
        })
    }

    /// The talent's most recently updated application (where Lever files notes), if any.
    pub fn latest_application(&self, cid: i64, talent: &str) -> Result<Option<String>> {
        Ok(self
            .db
            .query_row(
                "SELECT remote_id FROM applications WHERE connection_id = ?1 AND talent_remote_id = ?2
                 ORDER BY updated_at DESC, remote_id DESC LIMIT 1",
                params![cid, talent],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The connection and remote id of talent `talent_id` (a local id).
    pub fn talent_ref(&self, talent_id: i64) -> Result<(i64, String)> {
        let head = self.talent_head(talent_id)?;
        Ok((head.cid, head.remote_id))
    }

    /// The notes cached for a talent, newest first (`stale: false`; the caller says otherwise).
    pub fn cached_notes(&self, cid: i64, talent: &str) -> Result<TalentNotes> {
        let fetched: Option<String> = self
            .db
            .query_row(
                "SELECT read_at FROM talent_notes_read WHERE connection_id = ?1 AND talent_remote_id = ?2",
                params![cid, talent],
                |r| r.get(0),
            )
            .optional()?;
        let mut st = self.db.prepare_cached(
            "SELECT remote_id, body, author, created_at FROM talent_notes
             WHERE connection_id = ?1 AND talent_remote_id = ?2
             ORDER BY created_at IS NULL, created_at DESC, remote_id DESC",
        )?;
        let rows = st.query_map(params![cid, talent], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let notes = rows
            .map(|row| {
                let (remote_id, body, author, created) = row?;
                Ok(ProfileNote { remote_id, body, author, created_at: created.as_deref().map(parse_ts).transpose()? })
            })
            .collect::<Result<_>>()?;
        Ok(TalentNotes { notes, fetched_at: fetched.as_deref().map(parse_ts).transpose()?, stale: false, error: None })
    }

    /// Replaces a talent's cached notes with what the ATS just listed.
    pub fn replace_notes(&mut self, cid: i64, talent: &str, notes: &[RemoteNote], now: DateTime<Utc>) -> Result<()> {
        self.in_transaction(|s| {
            s.db.execute("DELETE FROM talent_notes WHERE connection_id = ?1 AND talent_remote_id = ?2", params![cid, talent])?;
            let mut st = s.db.prepare_cached(
                "INSERT OR REPLACE INTO talent_notes (connection_id, talent_remote_id, remote_id, body, author, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for n in notes {
                st.execute(params![cid, talent, n.remote_id, n.body, n.author, n.created_at.as_ref().map(ts)])?;
            }
            s.db.execute(
                "INSERT OR REPLACE INTO talent_notes_read (connection_id, talent_remote_id, read_at) VALUES (?1, ?2, ?3)",
                params![cid, talent, ts(&now)],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn custom_fields_read_both_providers_shapes_and_skip_empty_values() {
        let gh = json!({ "custom_fields": {
            "employment_type": { "name": "Employment Type", "type": "single_select", "value": "Full-time" },
            "salary": { "name": "Desired salary", "type": "currency", "value": { "amount": 90000, "unit": "EUR" } },
            "remote_ok": true,
            "empty": { "name": "Empty", "value": null },
        }});
        let got: Vec<(String, String)> = custom_fields(&gh).into_iter().map(|f| (f.label, f.value)).collect();
        assert!(got.contains(&("Employment Type".into(), "Full-time".into())));
        assert!(got.contains(&("Desired salary".into(), "90000 EUR".into())));
        assert!(got.contains(&("remote_ok".into(), "Yes".into())));
        assert_eq!(got.len(), 3, "{got:?}");
        let ashby = json!({ "customFields": [{ "title": "Visa", "value": ["H-1B", "EU"] }, { "title": "Blank", "value": "" }] });
        assert_eq!(custom_fields(&ashby), vec![LabelledValue { label: "Visa".into(), value: "H-1B, EU".into() }]);
    }

    #[test]
    fn web_urls_are_built_from_ids_and_never_from_an_untrusted_address() {
        let none = json!({});
        assert_eq!(
            web_url(Provider::Greenhouse, false, "123", &none, Some("9")).as_deref(),
            Some("https://app.greenhouse.io/people/123?application_id=9")
        );
        assert_eq!(web_url(Provider::Greenhouse, true, "123", &none, None), None, "sandbox records have no web page");
        assert_eq!(web_url(Provider::Greenhouse, false, "1/../x", &none, None), None);
        let lever = json!({ "opportunity": "opp-1" });
        assert_eq!(
            web_url(Provider::Lever, false, "c", &lever, None).as_deref(),
            Some("https://hire.lever.co/candidates/opp-1")
        );
        let evil = json!({ "profileUrl": "https://evil.example/app.ashbyhq.com/" });
        assert_eq!(
            web_url(Provider::Ashby, false, "c-1", &evil, None).as_deref(),
            Some("https://app.ashbyhq.com/candidates/c-1")
        );
        let good = json!({ "profileUrl": "https://app.ashbyhq.com/candidates/c-1?tab=x" });
        assert_eq!(
            web_url(Provider::Ashby, false, "c-1", &good, None).as_deref(),
            Some("https://app.ashbyhq.com/candidates/c-1?tab=x")
        );
    }
}
