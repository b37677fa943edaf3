//! Lever's paging: `{data, hasNext, next}` pages walked with `offset=<next>`, and the token
//! each pass hands the engine (`Page.next`), from which any page can be asked for again, by a
//! new process after a crash too. Then the passes themselves: postings, the pipeline, and
//! opportunities with their deletions.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::map::{contact_id, parse_opportunity, parse_posting, parse_stage, record_id, unreadable_deletion};
use super::Lever;
use crate::http;
use crate::record::{self, Rec};
use crate::{Page, PageRequest, Since};
use model::error::{Error, Result};
use model::{Deletion, Resource};

/// Lever's largest page.
const PAGE_SIZE: &str = "100";

/// `Page.next` of every Lever pass, stored by the engine and handed back verbatim.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub(super) struct Token {
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
pub(super) enum Phase {
    /// The records (`/postings`, `/stages`, `/opportunities`).
    List,
    /// An incremental pass's deletions (`/postings/deleted`, `/opportunities/deleted`).
    Deleted,
}

impl Token {
    pub(super) fn new(phase: Phase, offset: Option<String>) -> Token {
        Token { pass: String::new(), seq: 0, phase, offset, index: 0 }
    }

    fn encode(&self) -> String {
        serde_json::to_string(self).expect("a token serializes")
    }

    pub(super) fn decode(s: &str) -> Result<Token> {
        serde_json::from_str(s).map_err(|e| {
            Error::Internal(format!(
                "the saved Lever page token {} is not one this version writes: {e}",
                http::excerpt(s)
            ))
        })
    }
}

/// One `{data, hasNext, next}` page.
pub(super) struct ListPage {
    pub(super) data: Vec<Value>,
    pub(super) next: Option<String>,
}

impl Lever {
    /// One page of a list endpoint. `offset` is the previous page's `next`.
    pub(super) async fn list(
        &self,
        path: &str,
        mut query: Vec<(&str, String)>,
        offset: Option<&str>,
    ) -> Result<ListPage> {
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
    pub(super) async fn list_all(&self, path: &str) -> Result<Vec<Value>> {
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

    pub(super) async fn jobs_page(&self, req: &PageRequest, token: Token) -> Result<Page> {
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
    pub(super) async fn stages_page(&self, token: Token) -> Result<Page> {
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

    pub(super) async fn applications_page(&self, req: &PageRequest, token: Token) -> Result<Page> {
        match token.phase {
            Phase::List => self.opportunities_page(req, token).await,
            Phase::Deleted => self.deleted_opportunities_page(req, token).await,
        }
    }

    async fn opportunities_page(&self, req: &PageRequest, token: Token) -> Result<Page> {
        let pass = if req.page.is_none() { self.start_pass() } else { token.pass.clone() };
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
                self.end_pass(&pass);
                deleted_since(req).map(|_| more(Phase::Deleted, None))
            }
        }
        .map(|t| t.encode());
        Ok(page)
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
}
