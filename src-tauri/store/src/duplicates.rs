//! Duplicate detection: match keys per talent, the pairs that share one, and the recruiter's
//! decisions ("not a duplicate", "same person").
//!
//! Keys are rewritten inside the transaction that writes the talent (see `write.rs`), only for a
//! talent that was created or whose name, company, e-mails or phones changed. That is cheaper
//! than a pass after the sync: the talent is already in hand (no re-read), no "changed since"
//! bookkeeping is needed, and keys can never lag behind the data they describe. Deleting a
//! talent removes its keys, decisions and links through the foreign keys. Finding the other
//! records of a key is one index range on `(kind, key)`: nothing ever compares all talents.
//! Keys are global, so records of different connections (and providers) match each other.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Statement};
use serde::Serialize;
use ts_rs::TS;

use super::{parse_ts, ts, Store};
use model::error::{Error, Result};
use model::{Provider, Talent};

/// The kinds of match key, strongest first.
pub const EMAIL: &str = "email";
pub const PHONE: &str = "phone";
/// The same name at the same company: two people can share both, so this is only a hint.
pub const NAME_COMPANY: &str = "name_company";

fn is_strong(kind: &str) -> bool {
    kind != NAME_COMPANY
}

/// A key held by more talents than this is not evidence about any two of them: a shared inbox
/// (jobs@, a recruiter's own address typed in), a placeholder phone, a common name at a large
/// employer. Such keys are kept (they cost nothing) but suggest no pairs, which also bounds the
/// pairs a key can produce.
const MAX_HOLDERS_STRONG: i64 = 10;
const MAX_HOLDERS_WEAK: i64 = 3;

/// The SQL condition "key (kind, key) is held by 2..=cap talents", over `k`'s columns.
const SHARED_FEW: &str = "COUNT(*) > 1 AND COUNT(*) <= CASE WHEN kind = 'name_company' THEN ?2 ELSE ?1 END";

/// Loads libphonenumber's metadata (a one-time cost per process, paid by the first number
/// parsed), so a measurement that follows times the pass, not the start-up.
pub fn warm_up() {
    let _ = phone_key("+44 20 7946 0000");
}

/// The address as a key. Case never distinguishes mailboxes in practice, so every address is
/// lowercased. Gmail also ignores dots and anything after `+` in the local part, and
/// googlemail.com is the same mailbox as gmail.com. Elsewhere dots and `+tags` are kept: other
/// servers may route `anna+jobs@` and `anna@` to different people, or not support tags at all,
/// so folding them could merge two different people.
pub fn email_key(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    let (local, domain) = email.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    if domain == "gmail.com" || domain == "googlemail.com" {
        let local = local.split('+').next().unwrap_or("").replace('.', "");
        if local.is_empty() {
            return None;
        }
        return Some(format!("{local}@gmail.com"));
    }
    Some(email)
}

/// Compiled libphonenumber patterns kept (its default is 100).
const PHONE_PATTERNS: usize = 2_000;

/// The number in E.164, or `None`. A number written without its country code is skipped rather
/// than read with a guessed default region: "020 7946 0000" is London to one recruiter and
/// somewhere else to another, and a wrong guess would invent matches between strangers.
pub fn phone_key(phone: &str) -> Option<String> {
    // libphonenumber compiles its patterns on first use into an LRU of 100, fewer than the
    // numbers of a dozen countries need together: keying an account with numbers from many
    // countries recompiled them over and over (regex compilation was the sync's top cost,
    // ≈ 100 µs per talent). A larger LRU keeps every region's patterns in use compiled.
    static BIGGER_CACHE: std::sync::Once = std::sync::Once::new();
    BIGGER_CACHE.call_once(|| {
        let cache = phonenumber::metadata::DATABASE.cache();
        *cache.lock().unwrap_or_else(|p| p.into_inner()) = regex_cache::RegexCache::new(PHONE_PATTERNS);
    });
    let phone = phone.trim();
    // "00 44 …" is not read either: the international prefix itself depends on the country
    // dialled from (011 in North America), which is the guess we refuse to make.
    if !phone.starts_with('+') {
        return None;
    }
    let n = phonenumber::parse(None, phone).ok()?;
    // E.164 is the country code and the national number as parsed: the crate's formatter writes
    // the same, after matching the country's display patterns an E.164 number never uses
    // (a third of the key's cost).
    Some(format!("+{}{}", n.country().code(), n.national()))
}

/// Name and company, Unicode-lowercased with whitespace collapsed; `None` unless both are there
/// (a name alone is far too common to suggest anything).
pub fn name_company_key(name: &str, company: Option<&str>) -> Option<String> {
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let (name, company) = (fold(name), fold(company?));
    if name.is_empty() || company.is_empty() {
        return None;
    }
    Some(format!("{name} | {company}"))
}

/// Every key of a talent, deduplicated.
pub fn keys_of(name: &str, company: Option<&str>, emails: &[String], phones: &[String]) -> Vec<(&'static str, String)> {
    let mut keys: Vec<(&'static str, String)> = Vec::new();
    keys.extend(emails.iter().filter_map(|e| email_key(e)).map(|k| (EMAIL, k)));
    keys.extend(phones.iter().filter_map(|p| phone_key(p)).map(|k| (PHONE, k)));
    keys.extend(name_company_key(name, company).map(|k| (NAME_COMPANY, k)));
    keys.sort();
    keys.dedup();
    keys
}

/// Rewrites the keys of talent `id` from `t` (what was just written). `fresh`: the talent was
/// just created, so it has no keys to remove.
/// `insert` is [`KEY_INSERT`], prepared by the caller (once for a page's talents).
pub(super) fn rekey(tx: &Connection, insert: &mut Statement<'_>, id: i64, t: &Talent, fresh: bool) -> Result<()> {
    if !fresh {
        tx.prepare_cached("DELETE FROM talent_match_keys WHERE talent_id = ?1")?.execute([id])?;
    }
    insert_keys(insert, id, &keys_of(&t.name, t.company.as_deref(), &t.emails, &t.phones))
}

/// Adds one match key of a talent.
pub(super) const KEY_INSERT: &str =
    "INSERT OR IGNORE INTO talent_match_keys (talent_id, kind, key) VALUES (?1, ?2, ?3)";

/// One statement per key, as for contacts (see `write::insert_list`).
fn insert_keys(insert: &mut Statement<'_>, id: i64, keys: &[(&'static str, String)]) -> Result<()> {
    for (kind, key) in keys {
        insert.execute(params![id, kind, key])?;
    }
    Ok(())
}

/// Rewrites the keys of the stored talents `ids` from what the store holds. Returns how many
/// talents were keyed.
pub(super) fn rekey_stored(tx: &Connection, ids: &[i64]) -> Result<u64> {
    let mut talent = tx.prepare_cached("SELECT name, company FROM talents WHERE id = ?1")?;
    let mut emails = tx.prepare_cached("SELECT email FROM talent_emails WHERE talent_id = ?1")?;
    let mut phones = tx.prepare_cached("SELECT phone FROM talent_phones WHERE talent_id = ?1")?;
    let mut insert = tx.prepare_cached(KEY_INSERT)?;
    let mut n = 0;
    for &id in ids {
        tx.prepare_cached("DELETE FROM talent_match_keys WHERE talent_id = ?1")?.execute([id])?;
        let Some((name, company)) =
            talent.query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))).optional()?
        else {
            continue;
        };
        let e: Vec<String> = emails.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let p: Vec<String> = phones.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        insert_keys(&mut insert, id, &keys_of(&name, company.as_deref(), &e, &p))?;
        n += 1;
    }
    Ok(n)
}

/// Keys the talents stored before duplicate detection existed (queued by the migration).
pub(super) fn backfill(db: &mut Connection) -> Result<()> {
    let pending: bool = db.query_row("SELECT EXISTS (SELECT 1 FROM talent_match_backfill)", [], |r| r.get(0))?;
    if !pending {
        return Ok(());
    }
    let tx = db.transaction()?;
    let ids: Vec<i64> = tx
        .prepare("SELECT talent_id FROM talent_match_backfill")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    rekey_stored(&tx, &ids)?;
    tx.execute("DELETE FROM talent_match_backfill", [])?;
    tx.commit()?;
    Ok(())
}

/// A talent record as the duplicate lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct DuplicateRecord {
    /// The talent's local id.
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub connection_id: i64,
    pub connection: String,
    pub provider: Provider,
    pub remote_id: String,
    pub name: String,
    pub company: Option<String>,
    pub title: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// One thing two records share.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct Evidence {
    /// `email`, `phone` (strong) or `name_company` (weak: shown as a hint only).
    #[ts(type = "'email' | 'phone' | 'name_company'")]
    pub kind: String,
    /// The shared value, normalised (e.g. the E.164 number).
    pub key: String,
    pub strong: bool,
}

/// Two records that look like the same person.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct DuplicatePair {
    pub a: DuplicateRecord,
    pub b: DuplicateRecord,
    /// Strong evidence first.
    pub evidence: Vec<Evidence>,
    /// At least one strong piece of evidence (same e-mail or phone); else only name and company.
    pub strong: bool,
}

/// Another record of the same person, or possibly of the same person, as a profile lists it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct DuplicateOf {
    pub other: DuplicateRecord,
    /// Empty for records linked by hand with nothing in common.
    pub evidence: Vec<Evidence>,
    pub strong: bool,
    /// Linked as the same person by the recruiter.
    pub linked: bool,
}

fn sort_evidence(ev: &mut Vec<Evidence>) {
    // Strong first, then by kind and value.
    ev.sort_by(|x, y| (!x.strong, &x.kind, &x.key).cmp(&(!y.strong, &y.kind, &y.key)));
    ev.dedup();
}

fn ordered(a: i64, b: i64) -> (i64, i64) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

impl Store {
    /// Rewrites the match keys of the given talents from what is stored (the bench times this
    /// as the duplicate pass of an incremental sync). Returns how many were keyed.
    pub fn rekey_talents(&mut self, ids: &[i64]) -> Result<u64> {
        let tx = self.db.transaction()?;
        let n = rekey_stored(&tx, ids)?;
        tx.commit()?;
        Ok(n)
    }

    /// The `n` most recently updated talents (by the ATS's clock), for the bench.
    pub fn newest_talent_ids(&self, n: u32) -> Result<Vec<i64>> {
        let mut stmt = self.db.prepare("SELECT id FROM talents ORDER BY updated_at DESC, id DESC LIMIT ?1")?;
        let ids = stmt.query_map([n], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    fn duplicate_records(&self, ids: &[i64]) -> Result<HashMap<i64, DuplicateRecord>> {
        let mut stmt = self.db.prepare_cached(
            "SELECT t.id, t.connection_id, c.name, c.provider, t.remote_id, t.name, t.company, t.title, t.updated_at
             FROM talents t JOIN connections c ON c.id = t.connection_id
             WHERE t.id IN (SELECT value FROM json_each(?1))",
        )?;
        let rows = stmt.query_map([serde_json::to_string(ids)?], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?;
        let mut out = HashMap::new();
        for r in rows {
            let (id, connection_id, connection, provider, remote_id, name, company, title, updated) = r?;
            let provider =
                Provider::parse(&provider).ok_or_else(|| Error::Store(format!("unknown provider {provider:?}")))?;
            let updated_at = parse_ts(&updated)?;
            out.insert(
                id,
                DuplicateRecord {
                    id,
                    connection_id,
                    connection,
                    provider,
                    remote_id,
                    name,
                    company,
                    title,
                    updated_at,
                },
            );
        }
        Ok(out)
    }

    fn require_talent(&self, id: i64) -> Result<()> {
        let found: bool =
            self.db.query_row("SELECT EXISTS (SELECT 1 FROM talents WHERE id = ?1)", [id], |r| r.get(0))?;
        if !found {
            return Err(Error::NotFound(format!("no talent with id {id} (it may have been deleted in the ATS)")));
        }
        Ok(())
    }

    fn person_of(&self, id: i64) -> Result<Option<i64>> {
        Ok(self
            .db
            .query_row("SELECT person_id FROM talent_links WHERE talent_id = ?1", [id], |r| r.get(0))
            .optional()?)
    }

    /// The other records that share a key with talent `id` (minus the pairs marked "not a
    /// duplicate"), and the records linked to it as the same person; linked ones first, then
    /// strong before weak.
    pub fn duplicates_of(&self, id: i64) -> Result<Vec<DuplicateOf>> {
        self.require_talent(id)?;
        let mut evidence: BTreeMap<i64, Vec<Evidence>> = BTreeMap::new();
        let mut stmt = self.db.prepare_cached(
            "SELECT o.talent_id, k.kind, k.key FROM talent_match_keys k
             JOIN talent_match_keys o ON o.kind = k.kind AND o.key = k.key AND o.talent_id != k.talent_id
             WHERE k.talent_id = ?1
               AND (SELECT COUNT(*) FROM talent_match_keys h WHERE h.kind = k.kind AND h.key = k.key)
                   <= CASE WHEN k.kind = 'name_company' THEN ?3 ELSE ?2 END
               AND NOT EXISTS (SELECT 1 FROM duplicate_dismissals d
                               WHERE d.talent_a = min(?1, o.talent_id) AND d.talent_b = max(?1, o.talent_id))",
        )?;
        let rows = stmt.query_map(params![id, MAX_HOLDERS_STRONG, MAX_HOLDERS_WEAK], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        for r in rows {
            let (other, kind, key) = r?;
            let strong = is_strong(&kind);
            evidence.entry(other).or_default().push(Evidence { kind, key, strong });
        }
        let linked: Vec<i64> = self
            .db
            .prepare_cached(
                "SELECT o.talent_id FROM talent_links l JOIN talent_links o ON o.person_id = l.person_id
                 WHERE l.talent_id = ?1 AND o.talent_id != ?1",
            )?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for &l in &linked {
            evidence.entry(l).or_default();
        }
        let ids: Vec<i64> = evidence.keys().copied().collect();
        let mut records = self.duplicate_records(&ids)?;
        let mut out: Vec<DuplicateOf> = evidence
            .into_iter()
            .filter_map(|(other, mut ev)| {
                sort_evidence(&mut ev);
                let strong = ev.iter().any(|e| e.strong);
                Some(DuplicateOf {
                    other: records.remove(&other)?,
                    evidence: ev,
                    strong,
                    linked: linked.contains(&other),
                })
            })
            .collect();
        out.sort_by(|x, y| {
            (!x.linked, !x.strong, &x.other.name, x.other.id).cmp(&(!y.linked, !y.strong, &y.other.name, y.other.id))
        });
        Ok(out)
    }

    /// Every pair of records that share a key, with what they share: strong pairs first. Pairs
    /// marked "not a duplicate" or already linked as the same person are left out, and so are
    /// keys too common to tell anything (see [`MAX_HOLDERS_STRONG`]).
    pub fn duplicate_pairs(&self) -> Result<Vec<DuplicatePair>> {
        // Only keys held by two talents or more (one pass over the key index), then their pairs.
        let mut stmt = self.db.prepare_cached(&format!(
            "WITH shared AS (SELECT kind, key FROM talent_match_keys GROUP BY kind, key HAVING {SHARED_FEW})
             SELECT a.talent_id, b.talent_id, s.kind, s.key FROM shared s
             JOIN talent_match_keys a ON a.kind = s.kind AND a.key = s.key
             JOIN talent_match_keys b ON b.kind = s.kind AND b.key = s.key AND b.talent_id > a.talent_id
             WHERE NOT EXISTS (SELECT 1 FROM duplicate_dismissals d WHERE d.talent_a = a.talent_id AND d.talent_b = b.talent_id)
               AND NOT EXISTS (SELECT 1 FROM talent_links la JOIN talent_links lb ON lb.person_id = la.person_id
                               WHERE la.talent_id = a.talent_id AND lb.talent_id = b.talent_id)"
        ))?;
        let rows = stmt.query_map([MAX_HOLDERS_STRONG, MAX_HOLDERS_WEAK], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })?;
        let mut pairs: BTreeMap<(i64, i64), Vec<Evidence>> = BTreeMap::new();
        for r in rows {
            let (a, b, kind, key) = r?;
            let strong = is_strong(&kind);
            pairs.entry((a, b)).or_default().push(Evidence { kind, key, strong });
        }
        let mut ids: Vec<i64> = pairs.keys().flat_map(|&(a, b)| [a, b]).collect();
        ids.sort_unstable();
        ids.dedup();
        let records = self.duplicate_records(&ids)?;
        let mut out: Vec<DuplicatePair> = pairs
            .into_iter()
            .filter_map(|((a, b), mut ev)| {
                sort_evidence(&mut ev);
                let strong = ev.iter().any(|e| e.strong);
                Some(DuplicatePair { a: records.get(&a)?.clone(), b: records.get(&b)?.clone(), evidence: ev, strong })
            })
            .collect();
        out.sort_by(|x, y| (!x.strong, &x.a.name, x.a.id, x.b.id).cmp(&(!y.strong, &y.a.name, y.a.id, y.b.id)));
        Ok(out)
    }

    /// Remembers that talents `a` and `b` are different people: the pair is no longer suggested,
    /// whatever later syncs bring.
    pub fn mark_not_duplicate(&mut self, a: i64, b: i64, now: DateTime<Utc>) -> Result<()> {
        self.check_pair(a, b)?;
        if let (Some(pa), Some(pb)) = (self.person_of(a)?, self.person_of(b)?) {
            if pa == pb {
                return Err(Error::Validation("these records are linked as the same person; unlink them first".into()));
            }
        }
        let (a, b) = ordered(a, b);
        self.db.execute(
            "INSERT INTO duplicate_dismissals (talent_a, talent_b, decided_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (talent_a, talent_b) DO NOTHING",
            params![a, b, ts(&now)],
        )?;
        Ok(())
    }

    /// Links talents `a` and `b` as the same person, locally: search shows them as one, and
    /// each profile lists the other. Nothing changes in the ATS. Links are transitive (linking
    /// a record of another group merges the groups); a "not a duplicate" on the pair is undone.
    pub fn link_same_person(&mut self, a: i64, b: i64, now: DateTime<Utc>) -> Result<()> {
        self.check_pair(a, b)?;
        let (pa, pb) = (self.person_of(a)?, self.person_of(b)?);
        let person = pa.or(pb).unwrap_or(a.min(b));
        let tx = self.db.transaction()?;
        if let (Some(pa), Some(pb)) = (pa, pb) {
            tx.execute("UPDATE talent_links SET person_id = ?1 WHERE person_id = ?2", params![pa, pb])?;
        }
        for id in [a, b] {
            tx.execute(
                "INSERT INTO talent_links (talent_id, person_id, linked_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (talent_id) DO NOTHING",
                params![id, person, ts(&now)],
            )?;
        }
        let (x, y) = ordered(a, b);
        tx.execute("DELETE FROM duplicate_dismissals WHERE talent_a = ?1 AND talent_b = ?2", params![x, y])?;
        tx.commit()?;
        Ok(())
    }

    /// Takes talent `id` out of the person it was linked to (the others stay linked together).
    pub fn unlink(&mut self, id: i64) -> Result<()> {
        self.require_talent(id)?;
        let Some(person) = self.person_of(id)? else {
            return Ok(());
        };
        let tx = self.db.transaction()?;
        tx.execute("DELETE FROM talent_links WHERE talent_id = ?1", [id])?;
        // A person of one record is no link at all.
        tx.execute(
            "DELETE FROM talent_links WHERE person_id = ?1 AND (SELECT COUNT(*) FROM talent_links WHERE person_id = ?1) < 2",
            [person],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn check_pair(&self, a: i64, b: i64) -> Result<()> {
        if a == b {
            return Err(Error::Validation("a record cannot be a duplicate of itself".into()));
        }
        self.require_talent(a)?;
        self.require_talent(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_ignores_dots_plus_tags_and_googlemail_other_domains_only_case() {
        assert_eq!(email_key(" Anna.K.Smith+jobs@GoogleMail.com ").as_deref(), Some("annaksmith@gmail.com"));
        assert_eq!(email_key("annaksmith@gmail.com").as_deref(), Some("annaksmith@gmail.com"));
        assert_eq!(email_key("Anna.Smith+jobs@Example.COM").as_deref(), Some("anna.smith+jobs@example.com"));
        assert_ne!(email_key("anna+a@example.com"), email_key("anna+b@example.com"));
        assert_eq!(email_key("not an address"), None);
        assert_eq!(email_key("+tag@gmail.com"), None);
    }

    #[test]
    fn phones_compare_in_e164_and_numbers_without_a_country_code_are_skipped() {
        let k = phone_key("+44 20 7946 0123");
        assert_eq!(k.as_deref(), Some("+442079460123"));
        assert_eq!(phone_key("+44 (0)20 7946-0123"), k);
        assert_eq!(phone_key("0044 20 7946 0123"), None);
        assert_eq!(phone_key("+1 (555) 010-1234").as_deref(), Some("+15550101234"));
        assert_eq!(phone_key("020 7946 0123"), None);
        assert_eq!(phone_key("call me"), None);
        // Italian numbers keep their leading zero in E.164.
        assert_eq!(phone_key("+39 06 6988 4000").as_deref(), Some("+390669884000"));
        // Written the way libphonenumber's own E.164 formatter writes them.
        for raw in ["+44 20 7946 0123", "+39 06 6988 4000", "+49 30 901820", "+81 3-1234-5678", "+1 415 555 0100"] {
            let n = phonenumber::parse(None, raw).unwrap();
            assert_eq!(phone_key(raw), Some(n.format().mode(phonenumber::Mode::E164).to_string()), "{raw}");
        }
    }

    #[test]
    fn name_and_company_fold_case_and_spaces_and_need_both() {
        assert_eq!(
            name_company_key("  ÉLODIE   Durand", Some("ACME  Corp")).as_deref(),
            Some("élodie durand | acme corp")
        );
        assert_eq!(name_company_key("Élodie Durand", None), None);
        assert_eq!(name_company_key("Élodie Durand", Some("  ")), None);
    }
}
