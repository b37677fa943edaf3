//! Lever has no talent listing: a talent is the person behind the opportunities (`contact`),
//! and its person fields come from that contact's most recently updated opportunity (ties: the
//! larger opportunity id). Opportunities come in no useful order, so a page may hold an older
//! opportunity of a contact whose newer one was already written. The connector never lets the
//! older one overwrite the newer: within a pass it remembers the best opportunity it emitted per
//! contact, and when that memory does not cover the pass (a pass resumed after a crash, by a
//! fresh connector) it asks Lever for the contacts' opportunities (`contact_id=…`) instead.

use std::collections::{HashMap, HashSet};

use super::map::{contact_id, parse_opportunity, Opp};
use super::{lock, Lever};
use crate::record::Rec;
use model::error::Result;
use model::Talent;

/// Contacts asked about in one `contact_id=…` request (keeps the URL near 2.5 kB).
const CONTACTS_PER_LOOKUP: usize = 50;

/// What an opportunity pass has emitted as each contact's talent.
pub(super) struct PassMemory {
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
pub(super) type Rank = (i64, String);

impl Lever {
    /// Starts the memory of a new opportunity pass: empty, and covering the pass from here.
    /// Returns the pass's id, which its page tokens carry.
    pub(super) fn start_pass(&self) -> String {
        let pass = format!("{:016x}", rand::random::<u64>());
        *lock(&self.memory) = Some(PassMemory { pass: pass.clone(), complete: true, expect: 0, best: HashMap::new() });
        pass
    }

    /// The listing of `pass` is done: its memory is no longer needed.
    pub(super) fn end_pass(&self, pass: &str) {
        let mut mem = lock(&self.memory);
        if mem.as_ref().is_some_and(|m| m.pass == pass) {
            *mem = None;
        }
    }

    /// The talents a page of opportunities carries: per contact, the page's most recent
    /// opportunity, emitted only if nothing more recent was emitted for that contact in this
    /// pass (or, when the memory does not cover the pass, exists in Lever at all).
    pub(super) async fn talents_of(&self, pass: &str, seq: u64, opps: &[Opp]) -> Result<Vec<Talent>> {
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
    pub(super) async fn latest_of(&self, contacts: &[String]) -> Result<HashMap<String, Option<Opp>>> {
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
                        if slot.as_ref().is_none_or(|b| o.rank() > b.rank()) {
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
}
