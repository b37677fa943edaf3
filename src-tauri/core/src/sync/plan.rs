//! The pure part of the engine: from a resource's stored cursor, decide what its next pass
//! reads. Takes the clock as an argument so the time arithmetic is testable.

use chrono::{DateTime, Duration, Utc};

use ats::{Incremental, Since};
use model::Resource;
use store::{parse_ts, ts, Cursor};

/// Incremental passes re-read this much before the last cursor: a record updated in the same
/// second as the cursor, or stamped by a server whose clock is a little behind ours, is read
/// again rather than missed. Upserts are idempotent, so the overlap costs only bandwidth.
pub const OVERLAP: Duration = Duration::minutes(5);

/// Providers that hide hard deletes (Greenhouse, Ashby) are reconciled by a full listing at
/// least this often, so records deleted in the ATS disappear within a day.
pub const RECONCILE_EVERY: Duration = Duration::hours(24);

/// One planned pass over a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    pub resource: Resource,
    pub kind: Incremental,
    pub since: Since,
    /// Lists everything, so records not seen are deleted once it completes.
    pub full: bool,
    /// When the pass began (for a resumed pass: when it first began). The next incremental
    /// cursor, the upper bound of the time window and the "seen" mark.
    pub started_at: DateTime<Utc>,
    /// The page to resume from, from an interrupted run.
    pub resume_page: Option<String>,
    /// The cursor this pass started from.
    pub prev: Cursor,
}

pub fn plan_pass(cursor: &Cursor, kind: Incremental, force_full: bool, now: DateTime<Utc>) -> Pass {
    let resource = cursor.resource.expect("a cursor of a resource");
    let full_pass = |started_at| Pass {
        resource,
        kind,
        since: Since::Everything,
        full: true,
        started_at,
        resume_page: None,
        prev: cursor.clone(),
    };
    if force_full {
        return full_pass(now);
    }
    if let Some(page) = &cursor.page_cursor {
        // Resume the interrupted pass where it stopped, with the window it started with.
        let started_at = cursor.pass_started_at.as_deref().and_then(|t| parse_ts(t).ok()).unwrap_or(now);
        let since = since_of(cursor.cursor.as_deref(), kind);
        return Pass {
            full: since == Since::Everything,
            since,
            started_at,
            resume_page: Some(page.clone()),
            ..full_pass(now)
        };
    }
    let reconcile_due = match cursor.last_full_at.as_deref().and_then(|t| parse_ts(t).ok()) {
        Some(t) => now - t >= RECONCILE_EVERY,
        None => true,
    };
    let since = since_of(cursor.cursor.as_deref(), kind);
    if since == Since::Everything || reconcile_due {
        return full_pass(now);
    }
    Pass { since, full: false, ..full_pass(now) }
}

fn since_of(cursor: Option<&str>, kind: Incremental) -> Since {
    match (kind, cursor) {
        (Incremental::UpdatedAt, Some(t)) => match parse_ts(t) {
            Ok(t) => Since::UpdatedSince(t - OVERLAP),
            Err(_) => Since::Everything,
        },
        (Incremental::Token, Some(token)) => Since::Token(token.to_string()),
        _ => Since::Everything,
    }
}

impl Pass {
    /// The cursor stored with a page that has a next page. A full pass forgets the incremental
    /// cursor until it completes, so a resumed run knows it is still a full pass.
    pub fn checkpoint(&self, next: Option<String>) -> Cursor {
        Cursor {
            resource: Some(self.resource),
            cursor: if self.full { None } else { self.prev.cursor.clone() },
            page_cursor: next,
            pass_started_at: Some(ts(&self.started_at)),
            last_full_at: self.prev.last_full_at.clone(),
        }
    }

    /// The cursor stored with the pass's last page.
    pub fn completed_cursor(&self, sync_token: Option<String>) -> Cursor {
        Cursor {
            resource: Some(self.resource),
            cursor: match self.kind {
                Incremental::UpdatedAt => Some(ts(&self.started_at)),
                Incremental::Token => sync_token.or_else(|| self.prev.cursor.clone()),
                Incremental::None => None,
            },
            page_cursor: None,
            pass_started_at: None,
            last_full_at: if self.full { Some(ts(&self.started_at)) } else { self.prev.last_full_at.clone() },
        }
    }

    /// The provider invalidated its token: read everything instead.
    pub fn restart_full(&self) -> Pass {
        Pass { since: Since::Everything, full: true, resume_page: None, ..self.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, h, 0, 0).unwrap()
    }

    #[test]
    fn first_pass_is_full_then_incremental_with_overlap() {
        let c = Cursor::for_resource(Resource::Talents);
        let p = plan_pass(&c, Incremental::UpdatedAt, false, at(10));
        assert!(p.full);
        assert_eq!(p.since, Since::Everything);
        let done = p.completed_cursor(None);
        assert_eq!(done.cursor.as_deref(), Some("2026-11-20T10:00:00.000Z"));
        let next = plan_pass(&done, Incremental::UpdatedAt, false, at(11));
        assert!(!next.full);
        assert_eq!(next.since, Since::UpdatedSince(at(10) - OVERLAP));
        // --full overrides the cursor.
        assert!(plan_pass(&done, Incremental::UpdatedAt, true, at(11)).full);
        // A day later, a reconciling full pass is due.
        assert!(plan_pass(&done, Incremental::UpdatedAt, false, at(10) + RECONCILE_EVERY).full);
    }

    #[test]
    fn an_interrupted_pass_resumes_with_its_own_window() {
        let c = Cursor::for_resource(Resource::Applications);
        let full = plan_pass(&c, Incremental::UpdatedAt, false, at(9));
        let mid = full.checkpoint(Some("page-7".into()));
        let resumed = plan_pass(&mid, Incremental::UpdatedAt, false, at(12));
        assert_eq!(resumed.resume_page.as_deref(), Some("page-7"));
        assert_eq!(resumed.started_at, at(9), "the resumed pass keeps its start as its window and cursor");
        assert!(resumed.full, "an interrupted full pass is still a full pass");

        let done = full.completed_cursor(None);
        let incr = plan_pass(&done, Incremental::UpdatedAt, false, at(10));
        let mid = incr.checkpoint(Some("p2".into()));
        let resumed = plan_pass(&mid, Incremental::UpdatedAt, false, at(11));
        assert!(!resumed.full);
        assert_eq!(resumed.since, Since::UpdatedSince(at(9) - OVERLAP));
    }

    #[test]
    fn token_passes_keep_the_providers_token() {
        let c = Cursor::for_resource(Resource::Talents);
        let p = plan_pass(&c, Incremental::Token, false, at(9));
        let done = p.completed_cursor(Some("tok-1".into()));
        let next = plan_pass(&done, Incremental::Token, false, at(10));
        assert_eq!(next.since, Since::Token("tok-1".into()));
        assert!(next.restart_full().full);
    }
}
