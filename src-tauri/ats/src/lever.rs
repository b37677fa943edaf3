//! Lever Data API v1 (shared/ats-apis.md §2): HTTP Basic with the API key as username,
//! `{data, hasNext, next}` pages walked with `offset=<next>`, millisecond timestamps, an
//! account-wide pipeline, and deletions listed under `/opportunities/deleted` and
//! `/postings/deleted`.
//!
//! Lever has no talent listing: a talent is the person behind the opportunities (`contact`),
//! and its person fields come from that contact's most recently updated opportunity (ties: the
//! larger opportunity id). Opportunities come in no useful order, so a page may hold an older
//! opportunity of a contact whose newer one was already written. The connector never lets the
//! older one overwrite the newer: within a pass it remembers the best opportunity it emitted per
//! contact, and when that memory does not cover the pass (a pass resumed after a crash, by a
//! fresh connector) it asks Lever for the contacts' opportunities (`contact_id=…`) instead.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::http::{self, HttpClient, RetryPolicy, Stats};
use super::record::{self, kind_of, Read, Rec};
use super::{Connector, Endpoint, Incremental, Page, PageRequest, Since, Skipped, StoredTalents};
use model::error::{Error, Result};
use model::{
    Application, ApplicationStatus, Attachment, Job, JobStatus, Provider, RejectionReason, RemoteNote, Resource, Stage,
    Talent,
};
use model::Deletion;

/// Lever's largest page.
const PAGE_SIZE: &str = "100";
/// Contacts asked about in one `contact_id=…` request (keeps the URL near 2.5 kB).
const CONTACTS_PER_LOOKUP: usize = 50;

/// The Lever connector. One instance serves one connection; it caches the pipeline and the
/// archive reasons, and remembers per pass which opportunity each contact's talent came from.
pub struct Lever {
    base: String,
    secret: SecretString,
    /// The Lever user writes are made as (`perform_as`), from the connection's settings.
    perform_as: Option<String>,
    http: HttpClient,
    lookups: tokio::sync::Mutex<Option<Arc<Lookups>>>,
    memory: Mutex<Option<PassMemory>>,
    /// What the store holds of talents, when this connector resumes an interrupted pass.
    stored: Mutex<Option<StoredTalents>>,
}

/// Stage names and archive-reason types, read once per connector (again if a record names one
/// not seen yet). Replaced whole on reload, never edited.
#[derive(Default)]
struct Lookups {
    stages: HashMap<String, String>,
    /// Archive reason id → whether its type is "hired".
    reasons: HashMap<String, bool>,
    /// Ids asked for that the last reload did not find: no reload storm over a deleted stage.
    missing: HashSet<String>,
}

/// What an opportunity pass has emitted as each contact's talent.
struct PassMemory {
    pass: String,
    /// True when this memory saw every page of the pass so far, in order: a contact absent from
    /// it has not been emitted in this pass. False after a resume or a rewind (a page asked for
    /// again after a failed write): absent contacts must be looked up.
    complete: bool,
    /// The `seq` the next page request must carry (that of the token handed out last): any
    /// other means emitted pages may never have been written (a rewind) or the pass is not ours.
    expect: u64,
    best: HashMap<String, Rank>,
}

/// Which opportunity is a contact's most recent: updatedAt, then the larger id.
type Rank = (i64, String);

/// `Page.next` of every Lever pass, stored by the engine and handed back verbatim.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Token {
    /// Identifies the pass (opportunities): whether this connector's memory covers it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pass: String,
    /// The page's number in the pass (opportunities).
    #[serde(default, skip_serializing_if = "is_zero")]
    seq: u64,
    phase: Phase,
    /// Lever's `next` of the previous page, sent as `offset`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offset: Option<String>,
    /// Stages: how many records the previous pages held (positions continue from here).
    #[serde(default, skip_serializing_if = "is_zero")]
    index: i64,
}

fn is_zero<T: Default + PartialEq>(n: &T) -> bool {
    *n == T::default()
}

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Phase {
    /// The records (`/postings`, `/stages`, `/opportunities`).
    List,
    /// An incremental pass's deletions (`/postings/deleted`, `/opportunities/deleted`).
    Deleted,
}

impl Token {
    fn new(phase: Phase, offset: Option<String>) -> Token {
        Token { pass: String::new(), seq: 0, phase, offset, index: 0 }
    }

    fn encode(&self) -> String {
        serde_json::to_string(self).expect("a token serializes")
    }

    fn decode(s: &str) -> Result<Token> {
        serde_json::from_str(s).map_err(|e| {
            Error::Internal(format!(
                "the saved Lever page token {} is not one this version writes: {e}",
                http::excerpt(s)
            ))
        })
    }
}

/// One `{data, hasNext, next}` page.
struct ListPage {
    data: Vec<Value>,
    next: Option<String>,
}

/// An opportunity, read and checked.
#[derive(Debug, Clone)]
struct Opp {
    id: String,
    contact: String,
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
    extra: Value,
}

impl Lookups {
    /// Whether the opportunity's stage and archive reason are known (or known to be missing).
    fn knows(&self, o: &Opp) -> bool {
        let stage = o.stage.as_ref().map_or(true, |s| self.stages.contains_key(s) || self.missing.contains(s));
        let reason = o.reason().map_or(true, |r| self.reasons.contains_key(r) || self.missing.contains(r));
        stage && reason
    }
}

impl Opp {
    fn reason(&self) -> Option<&str> {
        self.archived.as_ref().and_then(|r| r.as_deref())
    }

    fn rank(&self) -> Rank {
        (self.updated_ms, self.id.clone())
    }

    fn talent(&self) -> Talent {
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
            extra: json!({ "opportunity": self.id }),
        }
    }

    fn application(&self, l: &Lookups) -> Application {
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
    pub fn new(endpoint: Endpoint) -> Lever {
        let perform_as = endpoint
            .settings
            .get("perform_as")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        Lever {
            perform_as,
            base: endpoint.base_url.trim_end_matches('/').to_string(),
            secret: endpoint.secret,
            // Documented as 10 requests/second per key (unconfirmed, ats-apis.md §2.4).
            http: HttpClient::new("Lever", 10, Duration::from_secs(1), RetryPolicy::default()),
            lookups: tokio::sync::Mutex::new(None),
            memory: Mutex::new(None),
            stored: Mutex::new(None),
        }
    }

    // ---- HTTP ----

    /// GETs `path` and parses the body as JSON; returns the body too, for error excerpts.
    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<(Value, String)> {
        let url = format!("{}{path}", self.base);
        let what = format!("GET {path}");
        let mut broken = 0;
        loop {
            let resp = self
                .http
                .send(&what, || {
                    self.http.inner().get(&url).basic_auth(self.secret.expose_secret(), Some("")).query(query)
                })
                .await
                .map_err(|e| explain_denial(e, &what))?;
            let body = match resp.text().await {
                Ok(b) => b,
                // The status was fine but the body broke off: ask again, a couple of times.
                Err(_) if broken < 2 => {
                    broken += 1;
                    continue;
                }
                Err(e) => {
                    return Err(Error::Unreachable(format!(
                        "Lever's answer to {what} broke off: {}",
                        http::redact(&e.to_string())
                    )))
                }
            };
            return match serde_json::from_str(&body) {
                Ok(v) => Ok((v, body)),
                Err(_) => Err(record::invalid("Lever", &what, "with something that is not JSON", &body)),
            };
        }
    }

    /// Sends a write (see [`HttpClient::send_write`]) as the connection's `perform_as` user when
    /// one is set (optional except on create, ats-apis.md §2.2) and returns the body's JSON
    /// (`Null` when empty).
    async fn write(&self, method: reqwest::Method, path: &str, body: &Value) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let what = format!("{method} {path}");
        let query: Vec<(&str, &str)> = self.perform_as.iter().map(|u| ("perform_as", u.as_str())).collect();
        let resp = self
            .http
            .send_write(&what, || {
                self.http
                    .inner()
                    .request(method.clone(), &url)
                    .basic_auth(self.secret.expose_secret(), Some(""))
                    .query(&query)
                    .json(body)
            })
            .await
            .map_err(|e| explain_denial(e, &what))?;
        // The write is done: an answer that breaks off or is not JSON changes nothing.
        let text = resp.text().await.unwrap_or_default();
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// One page of a list endpoint. `offset` is the previous page's `next`.
    async fn list(&self, path: &str, mut query: Vec<(&str, String)>, offset: Option<&str>) -> Result<ListPage> {
        query.insert(0, ("limit", PAGE_SIZE.to_string()));
        if let Some(o) = offset {
            query.push(("offset", o.to_string()));
        }
        let (v, body) = self.get(path, &query).await?;
        let wrong = |why: &str| record::invalid("Lever", &format!("GET {path}"), why, &body);
        let Value::Object(mut o) = v else {
            return Err(wrong("with JSON that is not a page"));
        };
        let data = match o.remove("data") {
            Some(Value::Array(a)) => a,
            _ => return Err(wrong("without a data list")),
        };
        let has_next = match o.get("hasNext") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(wrong("with a hasNext that is not true or false")),
        };
        let next = if has_next {
            match o.get("next") {
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                _ => return Err(wrong("with hasNext but no next token")),
            }
        } else {
            None
        };
        if next.is_some() && next.as_deref() == offset {
            return Err(wrong("with the same next token it was sent (pagination does not advance)"));
        }
        Ok(ListPage { data, next })
    }

    /// Every record of a small list (stages, archive reasons).
    async fn list_all(&self, path: &str) -> Result<Vec<Value>> {
        let mut all = Vec::new();
        let mut offset: Option<String> = None;
        loop {
            let p = self.list(path, Vec::new(), offset.as_deref()).await?;
            all.extend(p.data);
            match p.next {
                Some(n) => offset = Some(n),
                None => return Ok(all),
            }
        }
    }

    // ---- the cached pipeline and archive reasons ----

    /// The lookups, reloaded when a stage or archive reason id not seen yet turns up (ids the
    /// last reload did not find are remembered as missing, so they do not reload every page).
    async fn lookups(&self, opps: &[Opp]) -> Result<Arc<Lookups>> {
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

    // ---- passes ----

    async fn jobs_page(&self, req: &PageRequest, token: Token) -> Result<Page> {
        let mut page = Page::default();
        match token.phase {
            Phase::List => {
                let lp = self.list("/postings", window(req)?, token.offset.as_deref()).await?;
                for rec in &lp.data {
                    record::read_into(&mut page, "Lever", &Rec::new(rec), parse_posting, |p, j| p.batch.jobs.push(j));
                }
                page.next = match lp.next {
                    Some(offset) => Some(Token::new(Phase::List, Some(offset))),
                    None if deleted_since(req).is_some() => Some(Token::new(Phase::Deleted, None)),
                    None => None,
                }
                .map(|t| t.encode());
            }
            Phase::Deleted => {
                let Some(since) = deleted_since(req) else { return Ok(page) };
                let lp = self
                    .list("/postings/deleted", vec![("deleted_at_start", since.to_string())], token.offset.as_deref())
                    .await?;
                for rec in &lp.data {
                    match record_id(rec) {
                        Some(id) => page.batch.deletions.push(Deletion { resource: Resource::Jobs, remote_id: id }),
                        None => page.skipped.push(unreadable_deletion(rec)),
                    }
                }
                page.next = lp.next.map(|o| Token::new(Phase::Deleted, Some(o)).encode());
            }
        }
        Ok(page)
    }

    /// The pipeline, always whole: positions are indexes in Lever's list, across pages.
    async fn stages_page(&self, token: Token) -> Result<Page> {
        let mut page = Page::default();
        let lp = self.list("/stages", Vec::new(), token.offset.as_deref()).await?;
        for (i, rec) in lp.data.iter().enumerate() {
            let position = token.index + i as i64;
            let stage = |r: &Rec<'_>| parse_stage(r, position);
            record::read_into(&mut page, "Lever", &Rec::new(rec), stage, |p, s| p.batch.stages.push(s));
        }
        let index = token.index + lp.data.len() as i64;
        page.next = lp.next.map(|o| Token { index, ..Token::new(Phase::List, Some(o)) }.encode());
        Ok(page)
    }

    async fn applications_page(&self, req: &PageRequest, token: Token) -> Result<Page> {
        match token.phase {
            Phase::List => self.opportunities_page(req, token).await,
            Phase::Deleted => self.deleted_opportunities_page(req, token).await,
        }
    }

    async fn opportunities_page(&self, req: &PageRequest, token: Token) -> Result<Page> {
        let pass = if req.page.is_none() {
            // A new pass: the memory starts empty and covers it from here.
            let pass = format!("{:016x}", rand::random::<u64>());
            *lock(&self.memory) =
                Some(PassMemory { pass: pass.clone(), complete: true, expect: 0, best: HashMap::new() });
            pass
        } else {
            token.pass.clone()
        };
        let seq = token.seq;
        let mut query = window(req)?;
        query.push(("expand", "applications".to_string()));
        let lp = self.list("/opportunities", query, token.offset.as_deref()).await?;

        let mut page = Page::default();
        let mut opps = Vec::with_capacity(lp.data.len());
        for rec in &lp.data {
            record::read_into(&mut page, "Lever", &Rec::new(rec), parse_opportunity, |_, o| opps.push(o));
        }

        let lookups = self.lookups(&opps).await?;
        page.batch.applications = opps.iter().map(|o| o.application(&lookups)).collect();
        page.batch.talents = self.talents_of(&pass, seq, &opps).await?;

        let more = |phase, offset| Token { pass: pass.clone(), seq: seq + 1, ..Token::new(phase, offset) };
        page.next = match lp.next {
            Some(offset) => Some(more(Phase::List, Some(offset))),
            None => {
                // The listing is done: the memory is no longer needed.
                let mut mem = lock(&self.memory);
                if mem.as_ref().is_some_and(|m| m.pass == pass) {
                    *mem = None;
                }
                deleted_since(req).map(|_| more(Phase::Deleted, None))
            }
        }
        .map(|t| t.encode());
        Ok(page)
    }

    /// The talents a page of opportunities carries: per contact, the page's most recent
    /// opportunity, emitted only if nothing more recent was emitted for that contact in this
    /// pass (or, when the memory does not cover the pass, exists in Lever at all).
    async fn talents_of(&self, pass: &str, seq: u64, opps: &[Opp]) -> Result<Vec<Talent>> {
        // The page's most recent opportunity per contact, in the order contacts first appear.
        let mut page_best: Vec<&Opp> = Vec::new();
        let mut at: HashMap<&str, usize> = HashMap::new();
        for o in opps {
            match at.get(o.contact.as_str()) {
                Some(&i) if o.rank() > page_best[i].rank() => page_best[i] = o,
                Some(_) => {}
                None => {
                    at.insert(o.contact.as_str(), page_best.len());
                    page_best.push(o);
                }
            }
        }
        let mut out = Vec::new();
        let mut unknown: Vec<&Opp> = Vec::new();
        {
            let mut guard = lock(&self.memory);
            if !guard.as_ref().is_some_and(|m| m.pass == pass && m.expect == seq) {
                // Resumed by a connector that did not see the pass's earlier pages, or a page
                // asked for again: what was emitted since may not have been written.
                *guard =
                    Some(PassMemory { pass: pass.to_string(), complete: false, expect: seq, best: HashMap::new() });
            }
            let mem = guard.as_mut().expect("just set");
            mem.expect = seq + 1;
            for &o in &page_best {
                match mem.best.get(&o.contact) {
                    Some(r) if o.rank() >= *r => {
                        mem.best.insert(o.contact.clone(), o.rank());
                        out.push(o.talent());
                    }
                    Some(_) => {}
                    None if mem.complete => {
                        mem.best.insert(o.contact.clone(), o.rank());
                        out.push(o.talent());
                    }
                    None => unknown.push(o),
                }
            }
        }
        if unknown.is_empty() {
            return Ok(out);
        }
        let contacts: Vec<String> = unknown.iter().map(|o| o.contact.clone()).collect();
        let stored = lock(&self.stored).clone();
        if let Some(stored) = stored {
            // A resumed pass: the pages before the crash were written, each contact's talent
            // from its best opportunity so far (`extra.opportunity`). A contact the store does
            // not hold was not emitted; one it holds from a better opportunity keeps it. (A
            // talent kept from an earlier pass's opportunity deleted since is corrected by the
            // deletion phase or the next full pass.)
            let known = stored(&contacts)?;
            let mut guard = lock(&self.memory);
            for o in unknown {
                let kept = known.get(&o.contact).and_then(|(at, extra)| {
                    let id = extra.get("opportunity")?.as_str()?.to_string();
                    Some((at.timestamp_millis(), id))
                });
                let best = match kept {
                    Some(k) if k > o.rank() => k,
                    _ => {
                        out.push(o.talent());
                        o.rank()
                    }
                };
                if let Some(mem) = guard.as_mut().filter(|m| m.pass == pass) {
                    mem.best.insert(o.contact.clone(), best);
                }
            }
            return Ok(out);
        }
        let latest = self.latest_of(&contacts).await?;
        let mut guard = lock(&self.memory);
        for o in unknown {
            let best = match latest.get(&o.contact) {
                Some(Some(l)) if l.rank() > o.rank() => l,
                _ => o,
            };
            if let Some(mem) = guard.as_mut().filter(|m| m.pass == pass) {
                mem.best.insert(o.contact.clone(), best.rank());
            }
            out.push(best.talent());
        }
        Ok(out)
    }

    /// Each contact's most recent readable opportunity in Lever now. A contact maps to `None`
    /// when Lever lists opportunities of it but none is readable; it is absent when it has none.
    async fn latest_of(&self, contacts: &[String]) -> Result<HashMap<String, Option<Opp>>> {
        let wanted: HashSet<&str> = contacts.iter().map(String::as_str).collect();
        let mut out: HashMap<String, Option<Opp>> = HashMap::new();
        for chunk in contacts.chunks(CONTACTS_PER_LOOKUP) {
            let query: Vec<(&str, String)> = chunk.iter().map(|c| ("contact_id", c.clone())).collect();
            let mut offset: Option<String> = None;
            loop {
                let lp = self.list("/opportunities", query.clone(), offset.as_deref()).await?;
                for rec in &lp.data {
                    let Some(contact) = rec.get("contact").and_then(contact_id) else { continue };
                    if !wanted.contains(contact.as_str()) {
                        continue;
                    }
                    let slot = out.entry(contact).or_insert(None);
                    if let Ok(o) = parse_opportunity(&Rec::new(rec)) {
                        if slot.as_ref().map_or(true, |b| o.rank() > b.rank()) {
                            *slot = Some(o);
                        }
                    }
                }
                match lp.next {
                    Some(n) => offset = Some(n),
                    None => break,
                }
            }
        }
        Ok(out)
    }

    /// `/opportunities/deleted` since the pass's start. Lever's records carry the id and
    /// `deletedAt`; should one name its `contact`, that talent is settled here too (deleted if no
    /// opportunity of it remains, re-read from the remaining most recent one otherwise).
    async fn deleted_opportunities_page(&self, req: &PageRequest, token: Token) -> Result<Page> {
        let mut page = Page::default();
        let Some(since) = deleted_since(req) else { return Ok(page) };
        let lp = self
            .list("/opportunities/deleted", vec![("deleted_at_start", since.to_string())], token.offset.as_deref())
            .await?;
        let mut contacts = Vec::new();
        for rec in &lp.data {
            match record_id(rec) {
                Some(id) => page.batch.deletions.push(Deletion { resource: Resource::Applications, remote_id: id }),
                None => page.skipped.push(unreadable_deletion(rec)),
            }
            if let Some(c) = rec.get("contact").and_then(contact_id) {
                if !contacts.contains(&c) {
                    contacts.push(c);
                }
            }
        }
        if !contacts.is_empty() {
            let latest = self.latest_of(&contacts).await?;
            for c in contacts {
                match latest.get(&c) {
                    None => page.batch.deletions.push(Deletion { resource: Resource::Talents, remote_id: c }),
                    Some(Some(o)) => page.batch.talents.push(o.talent()),
                    Some(None) => {} // only unreadable opportunities left: leave the talent be
                }
            }
        }
        page.next = lp.next.map(|o| Token::new(Phase::Deleted, Some(o)).encode());
        Ok(page)
    }
}

#[async_trait]
impl Connector for Lever {
    fn provider(&self) -> Provider {
        Provider::Lever
    }

    /// Opportunities yield both the talents and the applications: there is no talent pass.
    fn resources(&self) -> Vec<Resource> {
        vec![Resource::Jobs, Resource::Stages, Resource::Applications]
    }

    fn incremental(&self, resource: Resource) -> Incremental {
        match resource {
            Resource::Jobs | Resource::Applications => Incremental::UpdatedAt,
            _ => Incremental::None,
        }
    }

    /// The first request proves the key (401 → reconnect); each one checks a permission the
    /// key must have been given (403 names it).
    async fn verify(&self) -> Result<()> {
        // Every permission is checked, so one reconnect fixes all the missing ones.
        let mut denied = Vec::new();
        for path in ["/postings", "/opportunities", "/stages", "/archive_reasons"] {
            let query = vec![("limit", "1".to_string())];
            match self.get(path, &query).await {
                Ok(_) => {}
                Err(Error::PermissionDenied(m)) => denied.push(m),
                Err(e) => return Err(e),
            }
        }
        // The writes Talentdeck makes: stage changes and notes.
        for (method, path) in [(reqwest::Method::PUT, "/opportunities/{id}/stage"), (reqwest::Method::POST, "/opportunities/{id}/notes")] {
            let url = format!("{}{}", self.base, path.replace("{id}", super::PROBE_ID));
            let what = format!("{method} {path}");
            let sent = self
                .http
                .send(&what, || {
                    self.http.inner().request(method.clone(), &url).basic_auth(self.secret.expose_secret(), Some("")).json(&json!({}))
                })
                .await
                .map(drop)
                .map_err(|e| explain_denial(e, &what));
            if let Some(m) = super::probe_denial(sent)? {
                denied.push(m);
            }
        }
        match denied.len() {
            0 => Ok(()),
            1 => Err(Error::PermissionDenied(denied.remove(0))),
            n => Err(Error::PermissionDenied(format!("Lever refused {n} permissions Talentdeck needs: {}", denied.join("; ")))),
        }
    }

    fn use_stored_talents(&self, lookup: StoredTalents) {
        *lock(&self.stored) = Some(lookup);
    }

    async fn page(&self, req: &PageRequest) -> Result<Page> {
        let token = match &req.page {
            None => Token::new(Phase::List, None),
            Some(s) => Token::decode(s)?,
        };
        let page = match req.resource {
            Resource::Jobs => self.jobs_page(req, token).await?,
            Resource::Stages => self.stages_page(token).await?,
            Resource::Applications => self.applications_page(req, token).await?,
            other => return Err(Error::Internal(format!("Lever has no {} pass", other.as_str()))),
        };
        tracing::debug!(
            resource = req.resource.as_str(),
            records = page.batch.len(),
            deletions = page.batch.deletions.len(),
            skipped = page.skipped.len(),
            more = page.next.is_some(),
            "lever page"
        );
        Ok(page)
    }

    /// `GET /v1/opportunities/{id}/resumes`: the opportunity's resumes (one request per
    /// opportunity, hence read lazily rather than during a sync). A resume that cannot be read
    /// is left out with a warning; the others are kept.
    async fn files_of(&self, application_remote_id: &str, talent_remote_id: &str) -> Result<Option<Vec<Attachment>>> {
        let opp = path_segment(application_remote_id)?;
        let records = self.list_all(&format!("/opportunities/{opp}/resumes")).await?;
        let mut files = Vec::with_capacity(records.len());
        for v in &records {
            match parse_resume(&Rec::new(v), application_remote_id, talent_remote_id) {
                Ok(f) => files.push(f),
                Err(s) => tracing::warn!(remote_id = ?s.remote_id, field = %s.field, reason = %s.reason, "skipped an unreadable Lever resume"),
            }
        }
        Ok(Some(files))
    }

    /// The download endpoint, with the API key. The key is only ever sent to the API's own
    /// host: a `downloadUrl` elsewhere is replaced by the documented path.
    async fn open_file(&self, file: &Attachment) -> Result<reqwest::Response> {
        let documented = || -> Result<String> {
            let opp = file.application_remote_id.as_deref().ok_or_else(|| {
                Error::Internal(format!("the Lever resume {} is stored without its opportunity", file.remote_id))
            })?;
            Ok(format!(
                "{}/opportunities/{}/resumes/{}/download",
                self.base,
                path_segment(opp)?,
                path_segment(&file.remote_id)?
            ))
        };
        let url = match file.url.as_deref() {
            Some(u) if same_origin(u, &self.base) => u.to_string(),
            _ => documented()?,
        };
        let what = "GET /v1/opportunities/{id}/resumes/{resumeId}/download";
        let sent = self.http.send(what, || self.http.inner().get(&url).basic_auth(self.secret.expose_secret(), Some(""))).await;
        sent.map_err(|e| match e {
            Error::InvalidResponse(m) if m.contains("HTTP 404") => Error::NotFound(format!(
                "Lever no longer has the resume {:?}; the next sync removes it here",
                file.filename
            )),
            e => explain_denial(e, what),
        })
    }

    fn stats(&self) -> &Stats {
        &self.http.stats
    }

    fn pacer(&self) -> crate::pace::SharedPacer {
        self.http.pacer_handle()
    }

    fn share_pacer(&mut self, pacer: crate::pace::SharedPacer) {
        self.http.share_pacer(pacer);
    }

    /// `GET /v1/opportunities/{id}?expand=applications` (the application is the opportunity, as
    /// in the sync), mapped by the sync's own [`Opp::application`].
    async fn application(&self, remote_id: &str) -> Result<Application> {
        let id = opportunity_segment(remote_id)?;
        let gone = || Error::NotFound(format!("Lever no longer has the opportunity {remote_id}"));
        let (v, body) = match self.get(&format!("/opportunities/{id}"), &[("expand", "applications".to_string())]).await {
            Ok(r) => r,
            Err(Error::InvalidResponse(m)) if m.contains("HTTP 404") => return Err(gone()),
            Err(e) => return Err(e),
        };
        let Some(data) = v.get("data").filter(|d| d.is_object()) else {
            return Err(record::invalid("Lever", "GET /opportunities/{id}", "without the opportunity", &body));
        };
        let opp = parse_opportunity(&Rec::new(data)).map_err(|s| record::unreadable("Lever", "opportunity", remote_id, &s))?;
        let lookups = self.lookups(std::slice::from_ref(&opp)).await?;
        Ok(opp.application(&lookups))
    }

    /// `PUT /v1/opportunities/{id}/stage {stage}`. Lever has no stale-stage guard: the caller
    /// reads before it writes.
    async fn move_application(&self, app: &Application, to: &str) -> Result<()> {
        let id = opportunity_segment(&app.remote_id)?;
        self.write(reqwest::Method::PUT, &format!("/opportunities/{id}/stage"), &json!({ "stage": to })).await.map(drop)
    }

    /// `PUT /v1/opportunities/{id}/archived {reason}`.
    async fn reject(&self, app: &Application, reason: &str) -> Result<()> {
        let id = opportunity_segment(&app.remote_id)?;
        self.write(reqwest::Method::PUT, &format!("/opportunities/{id}/archived"), &json!({ "reason": reason }))
            .await
            .map(drop)
    }

    /// `POST /v1/opportunities/{id}/notes {value}`: Lever notes live on an opportunity.
    async fn add_note(&self, _talent: &str, application: Option<&str>, body: &str) -> Result<()> {
        let id = opportunity_segment(note_opportunity(application)?)?;
        self.write(reqwest::Method::POST, &format!("/opportunities/{id}/notes"), &json!({ "value": body })).await.map(drop)
    }

    /// `GET /v1/opportunities/{id}/notes`, every page.
    async fn notes(&self, _talent: &str, application: Option<&str>) -> Result<Vec<RemoteNote>> {
        let id = opportunity_segment(note_opportunity(application)?)?;
        let records = match self.list_all(&format!("/opportunities/{id}/notes")).await {
            Err(Error::InvalidResponse(m)) if m.contains("HTTP 404") => {
                return Err(Error::NotFound(format!("Lever no longer has the opportunity {id}")))
            }
            other => other?,
        };
        let mut out = Vec::with_capacity(records.len());
        for v in &records {
            match (record_id(v), note_text(v)) {
                (Some(remote_id), Some(body)) => {
                    // Epoch milliseconds, like every Lever time.
                    let created_at =
                        v.get("createdAt").and_then(Value::as_i64).and_then(|ms| Utc.timestamp_millis_opt(ms).single());
                    out.push(RemoteNote { remote_id, body, author: None, created_at })
                }
                _ => tracing::warn!(id = ?record_id(v), "a Lever note without an id or a text was ignored"),
            }
        }
        Ok(out)
    }

    /// `GET /v1/archive_reasons?type=non-hired`: a "hired" reason would make a hire of it.
    async fn rejection_reasons(&self) -> Result<Vec<RejectionReason>> {
        let mut out = Vec::new();
        let mut offset: Option<String> = None;
        loop {
            let p = self.list("/archive_reasons", vec![("type", "non-hired".to_string())], offset.as_deref()).await?;
            for r in &p.data {
                // Filtered here too: the list must never offer a hired reason for a rejection.
                let non_hired = r.get("type").and_then(Value::as_str) == Some("non-hired");
                let active = r.get("status").and_then(Value::as_str).map_or(true, |s| s == "active");
                match (record_id(r), r.get("text").and_then(Value::as_str)) {
                    (Some(remote_id), Some(name)) if non_hired && active => {
                        out.push(RejectionReason { remote_id, name: name.to_string() })
                    }
                    (Some(_), Some(_)) => {}
                    _ => tracing::warn!(id = ?record_id(r), "a Lever archive reason without an id or a text was ignored"),
                }
            }
            match p.next {
                Some(n) => offset = Some(n),
                None => return Ok(out),
            }
        }
    }
}

/// The opportunity a Lever note is written to or read from.
fn note_opportunity(application: Option<&str>) -> Result<&str> {
    application.ok_or_else(|| {
        Error::Validation("Lever keeps notes on an opportunity, and this talent has none in Lever to put it on".into())
    })
}

/// An opportunity id for a write's path; one that cannot be a Lever id names no record.
fn opportunity_segment(id: &str) -> Result<&str> {
    path_segment(id).map_err(|_| Error::Validation(format!("{id:?} is not a Lever opportunity id")))
}

/// A note's text. Lever's reference shows it in `fields[].value` (with `text` as a label or
/// the text itself); a top-level `value`, as sent on create, is accepted too (**unconfirmed**
/// which form the live API returns).
fn note_text(v: &Value) -> Option<String> {
    if let Some(s) = v.get("value").and_then(Value::as_str) {
        return Some(s.to_string());
    }
    let fields = v.get("fields").and_then(Value::as_array);
    if let Some(s) = fields.into_iter().flatten().find_map(|f| f.get("value").and_then(Value::as_str)) {
        return Some(s.to_string());
    }
    v.get("text").and_then(Value::as_str).map(str::to_string)
}

/// A Lever id as one URL path segment; anything else in an id is refused rather than sent.
fn path_segment(id: &str) -> Result<&str> {
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(id)
    } else {
        Err(Error::InvalidResponse(format!("{id:?} is not a Lever id")))
    }
}

fn same_origin(a: &str, b: &str) -> bool {
    let origin = |s: &str| url::Url::parse(s).ok().map(|u| u.origin());
    matches!((origin(a), origin(b)), (Some(x), Some(y)) if x == y)
}

/// A resume record: `{id, createdAt, file: {name, downloadUrl, uploadedAt, size}}`. `uploadedAt`
/// marks the version (falling back to `createdAt`), so a re-upload is fetched again.
fn parse_resume(r: &Rec<'_>, opp: &str, contact: &str) -> Read<Attachment> {
    let remote_id = r.str_id("id")?;
    let file = r.object("file")?.ok_or_else(|| r.skip("file", "missing"))?;
    let name = file.opt_str("name")?.filter(|n| !n.trim().is_empty());
    let uploaded = match file.value("uploadedAt").and_then(|v| v.as_i64()) {
        Some(ms) => {
            Utc.timestamp_millis_opt(ms).single().ok_or_else(|| file.skip("uploadedAt", format!("{ms} is out of range")))?
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

// ---- helpers ----

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The `updated_at_start/end` filter of an incremental pass.
fn window(req: &PageRequest) -> Result<Vec<(&'static str, String)>> {
    match &req.since {
        Since::Everything => Ok(Vec::new()),
        Since::UpdatedSince(t) => Ok(vec![
            ("updated_at_start", t.timestamp_millis().to_string()),
            ("updated_at_end", req.until.timestamp_millis().to_string()),
        ]),
        Since::Token(_) => Err(Error::Internal("Lever has no incremental token; pass a time instead".into())),
    }
}

/// `deleted_at_start` of an incremental pass (no end: a deletion after the pass began is
/// harmless to apply now).
fn deleted_since(req: &PageRequest) -> Option<i64> {
    match &req.since {
        Since::UpdatedSince(t) => Some(t.timestamp_millis()),
        _ => None,
    }
}

/// If a 403 names the permission (Lever says e.g. "the API key lacks the permission
/// stages:read:admin"), say which one and for what.
fn explain_denial(e: Error, what: &str) -> Error {
    match e {
        Error::PermissionDenied(msg) => match permission_in(&msg) {
            Some(p) => Error::PermissionDenied(format!(
                "the Lever API key lacks the permission {p}, which Talentdeck needs for {what}; a Lever Super Admin can grant it to the key"
            )),
            None => Error::PermissionDenied(msg),
        },
        e => e,
    }
}

/// A word shaped like a Lever permission (`resource:read|write:scope`).
fn permission_in(msg: &str) -> Option<&str> {
    msg.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')).find(|w| {
        let parts: Vec<&str> = w.split(':').collect();
        parts.len() == 3 && parts.iter().all(|p| !p.is_empty()) && matches!(parts[1], "read" | "write")
    })
}

/// A record's id, as listed and reported.
fn record_id(rec: &Value) -> Option<String> {
    rec.get("id").and_then(record::id_of)
}

/// `contact` as an id, or as the object `expand=contact` makes of it.
fn contact_id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string),
        _ => None,
    }
}

fn unreadable_deletion(rec: &Value) -> Skipped {
    Skipped {
        remote_id: None,
        field: "id".into(),
        reason: format!("a deletion record without an id: {}", http::excerpt(&rec.to_string())),
    }
}

fn parse_posting(r: &Rec<'_>) -> Read<Job> {
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
    Ok(Job { remote_id, title, status, department, location, updated_at, extra, description_html, compensation })
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
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn parse_stage(r: &Rec<'_>, position: i64) -> Read<Stage> {
    let remote_id = r.str_id("id")?;
    let name = r.str("text")?;
    Ok(Stage { remote_id, job_remote_id: None, name, position, ats_type: None })
}

fn parse_opportunity(r: &Rec<'_>) -> Read<Opp> {
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
        Some(app) => {
            return Err(r.skip("applications", format!("expected application objects, found {}", app.kind())))
        }
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
        extra: Value::Object(extra),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_stay_small() {
        let t = Token { pass: "ab".into(), seq: 3, ..Token::new(Phase::List, Some("xyz".into())) };
        assert_eq!(t.encode(), r#"{"pass":"ab","seq":3,"phase":"list","offset":"xyz"}"#);
        assert_eq!(Token::new(Phase::Deleted, None).encode(), r#"{"phase":"deleted"}"#);
        assert_eq!(Token::decode(&t.encode()).unwrap(), t);
        assert!(Token::decode("garbage").is_err());
    }

    #[test]
    fn finds_the_permission_in_a_403() {
        assert_eq!(permission_in("Lever refused GET /stages (HTTP 403): {\"message\":\"the API key lacks the permission stages:read:admin\"}"), Some("stages:read:admin"));
        assert_eq!(permission_in("no permission here: 12:30:00"), None);
    }

    #[test]
    fn a_malformed_opportunity_is_skipped_naming_the_field() {
        let v = json!({ "id": "o1", "contact": "c1", "name": 5, "updatedAt": 1 });
        let s = parse_opportunity(&Rec::new(&v)).unwrap_err();
        assert_eq!((s.remote_id.as_deref(), s.field.as_str()), (Some("o1"), "name"));
        let v = json!({ "id": "o1", "contact": "c1", "name": "A", "emails": "a@x, b@x", "updatedAt": 1 });
        assert_eq!(parse_opportunity(&Rec::new(&v)).unwrap_err().field, "emails");
    }
}
