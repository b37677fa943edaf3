//! Duplicate detection (issue 13) over a real SQLite store: what counts as the same e-mail or
//! phone, the weak name+company hint, decisions that survive re-syncs, search folding linked
//! records into one person, keys recomputed only for what a sync changed, and the CLI.
//! Two sandbox ATS connections seeded alike share every candidate, so they are each other's
//! duplicates across connections; the format cases are written through the store's write API.

use std::process::Command;

use chrono::{TimeZone, Utc};
use serde_json::json;
use talentdeck::app::{App, SyncOutcome};
use talentdeck::model::{Provider, Talent};
use talentdeck::store::{Batch, DuplicateOf, NewConnection, Store};

fn new_conn(name: &str, provider: Provider) -> NewConnection {
    NewConnection {
        name: name.into(),
        provider,
        base_url: "http://127.0.0.1:1/v3".into(),
        auth_url: None,
        settings: Default::default(),
        sandbox: false,
    }
}

fn talent(id: &str, name: &str, company: Option<&str>, emails: &[&str], phones: &[&str]) -> Talent {
    Talent {
        remote_id: id.into(),
        name: name.into(),
        first_name: None,
        last_name: None,
        emails: emails.iter().map(|s| s.to_string()).collect(),
        phones: phones.iter().map(|s| s.to_string()).collect(),
        company: company.map(str::to_string),
        title: None,
        tags: vec![],
        updated_at: Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
        extra: json!({}).into(),
    }
}

/// A store with two connections (Greenhouse "A", Lever "B").
struct Fixture {
    store: Store,
    a: i64,
    b: i64,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let a = store.create_connection(&new_conn("A", Provider::Greenhouse), Utc::now()).unwrap().id;
    let b = store.create_connection(&new_conn("B", Provider::Lever), Utc::now()).unwrap().id;
    Fixture { store, a, b, _dir: dir }
}

impl Fixture {
    fn write(&mut self, cid: i64, talents: Vec<Talent>) -> u64 {
        let batch = Batch { talents, ..Batch::default() };
        self.store.write_batch(cid, &batch, None, Utc::now()).unwrap().rekeyed
    }

    fn id(&self, cid: i64, remote_id: &str) -> i64 {
        self.store
            .raw()
            .query_row(
                "SELECT id FROM talents WHERE connection_id = ?1 AND remote_id = ?2",
                rusqlite::params![cid, remote_id],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn others(&self, cid: i64, remote_id: &str) -> Vec<(String, Vec<(String, bool)>)> {
        summary(&self.store.duplicates_of(self.id(cid, remote_id)).unwrap())
    }
}

/// (other's remote id, [(evidence kind, strong)]).
fn summary(d: &[DuplicateOf]) -> Vec<(String, Vec<(String, bool)>)> {
    d.iter()
        .map(|d| (d.other.remote_id.clone(), d.evidence.iter().map(|e| (e.kind.clone(), e.strong)).collect()))
        .collect()
}

fn ev(kind: &str, strong: bool) -> Vec<(String, bool)> {
    vec![(kind.to_string(), strong)]
}

#[test]
fn gmail_addresses_match_without_dots_and_plus_tags_other_domains_only_ignore_case() {
    let mut f = fixture();
    f.write(
        f.a,
        vec![
            talent("a1", "Anna Smith", None, &["Anna.Smith+jobs@GoogleMail.com"], &[]),
            talent("a2", "Bo Lind", None, &["bo.lind+jobs@example.com"], &[]),
            talent("a3", "Cy Oh", None, &["Cy.Oh@Example.org"], &[]),
        ],
    );
    f.write(
        f.b,
        vec![
            talent("b1", "A. Smith", None, &["annasmith@gmail.com"], &[]),
            talent("b2", "Bo Lind", None, &["bo.lind@example.com"], &[]),
            talent("b3", "C. Oh", None, &["cy.oh@example.org"], &[]),
        ],
    );
    // Across connections, whatever the dots, the tag, the case or googlemail.com.
    assert_eq!(f.others(f.a, "a1"), vec![("b1".to_string(), ev("email", true))]);
    let pair = &f.store.duplicates_of(f.id(f.a, "a1")).unwrap()[0];
    assert_eq!(pair.evidence[0].key, "annasmith@gmail.com");
    assert_eq!((pair.other.connection.as_str(), pair.other.provider), ("B", Provider::Lever));
    // Elsewhere a +tag may be another mailbox: no match. Case alone never separates.
    assert!(f.others(f.a, "a2").is_empty(), "{:?}", f.others(f.a, "a2"));
    assert_eq!(f.others(f.b, "b3"), vec![("a3".to_string(), ev("email", true))]);
}

#[test]
fn phones_match_in_e164_whatever_the_format_and_numbers_without_country_code_are_not_guessed() {
    let mut f = fixture();
    f.write(
        f.a,
        vec![
            talent("a1", "Ann", None, &[], &["+44 20 7946 0123"]),
            talent("a2", "Ben", None, &[], &["+1 (415) 555-0134"]),
            talent("a3", "Cat", None, &[], &["020 7946 0999"]),
        ],
    );
    f.write(
        f.b,
        vec![
            talent("b1", "Anne", None, &[], &["+44 (0)20 7946-0123"]),
            talent("b2", "Benjamin", None, &[], &["+14155550134"]),
            // The same digits as a3 with a country code: a3 has none, so no match is guessed.
            talent("b3", "Cathy", None, &[], &["+44 20 7946 0999"]),
        ],
    );
    assert_eq!(f.others(f.a, "a1"), vec![("b1".to_string(), ev("phone", true))]);
    assert_eq!(f.store.duplicates_of(f.id(f.a, "a1")).unwrap()[0].evidence[0].key, "+442079460123");
    assert_eq!(f.others(f.b, "b2"), vec![("a2".to_string(), ev("phone", true))]);
    assert!(f.others(f.a, "a3").is_empty());
    assert!(f.others(f.b, "b3").is_empty());
}

#[test]
fn the_same_name_and_company_is_a_weak_signal_shown_as_such() {
    let mut f = fixture();
    f.write(
        f.a,
        vec![
            talent("a1", "Élodie  Durand", Some("ACME Corp"), &["elodie@acme.example"], &[]),
            talent("a2", "Élodie Durand", Some("Other Ltd"), &["ed@other.example"], &[]),
            talent("a3", "Élodie Durand", None, &["e.durand@home.example"], &[]),
        ],
    );
    f.write(f.b, vec![talent("b1", "élodie durand", Some("Acme   corp"), &["e.d@private.example"], &[])]);
    assert_eq!(f.others(f.a, "a1"), vec![("b1".to_string(), ev("name_company", false))]);
    let pairs = f.store.duplicate_pairs().unwrap();
    assert_eq!(pairs.len(), 1, "a name alone or a different company is no evidence: {pairs:?}");
    assert!(!pairs[0].strong);
    // Strong pairs come first in the list.
    f.write(f.b, vec![talent("b2", "Ed", None, &["ED@other.example"], &[])]);
    let pairs = f.store.duplicate_pairs().unwrap();
    assert_eq!(pairs.iter().map(|p| p.strong).collect::<Vec<_>>(), vec![true, false]);
}

#[test]
fn not_a_duplicate_is_remembered_and_same_person_folds_search_into_one_row() {
    let mut f = fixture();
    f.write(
        f.a,
        vec![
            talent("a1", "Ann Lee", None, &["ann@lee.example"], &[]),
            talent("a2", "Bea Kim", None, &["bea@kim.example"], &[]),
        ],
    );
    let mut newer = talent("b1", "Ann Lee", None, &["ANN@lee.example"], &[]);
    newer.updated_at = Utc.with_ymd_and_hms(2026, 4, 1, 9, 0, 0).unwrap();
    f.write(f.b, vec![newer, talent("b2", "Bea Kim", None, &["bea@kim.example"], &[])]);
    assert_eq!(f.store.duplicate_pairs().unwrap().len(), 2);
    let (a1, b1, a2, b2) = (f.id(f.a, "a1"), f.id(f.b, "b1"), f.id(f.a, "a2"), f.id(f.b, "b2"));

    f.store.mark_not_duplicate(b2, a2, Utc::now()).unwrap();
    f.store.link_same_person(a1, b1, Utc::now()).unwrap();
    // Both decided: nothing left to review; the profile still shows the linked record.
    assert!(f.store.duplicate_pairs().unwrap().is_empty());
    assert!(f.store.duplicates_of(a2).unwrap().is_empty());
    let of_a1 = f.store.duplicates_of(a1).unwrap();
    assert_eq!((of_a1.len(), of_a1[0].other.id, of_a1[0].linked), (1, b1, true));

    // A later sync changes both records of the dismissed pair (same e-mail still): still dismissed.
    let rekeyed = f.write(f.a, vec![talent("a2", "Bea Kim-Park", None, &["bea@kim.example"], &["+44 20 7946 0001"])]);
    assert_eq!(rekeyed, 1);
    f.write(f.b, vec![talent("b2", "Bea Park", None, &["bea@kim.example"], &["+44 20 7946 0001"])]);
    assert!(f.store.duplicate_pairs().unwrap().is_empty());

    // Search: one row for Ann (the newer record), found through either record's data.
    let rows = f.store.search_talents(None, "ann", 50).unwrap();
    assert_eq!(rows.iter().map(|r| (r.id, r.linked_records)).collect::<Vec<_>>(), vec![(b1, 1)]);
    let all = f.store.search_talents(None, "", 50).unwrap();
    assert_eq!(all.len(), 3, "Ann once, Bea's two records: {all:?}");
    // Within one connection its own record stands for the person.
    let in_a = f.store.search_talents(Some(f.a), "lee", 50).unwrap();
    assert_eq!(in_a.iter().map(|r| r.id).collect::<Vec<_>>(), vec![a1]);

    // Unlinked: two rows again, and the pair is back for review.
    f.store.unlink(a1).unwrap();
    assert_eq!(f.store.search_talents(None, "ann", 50).unwrap().len(), 2);
    assert_eq!(f.store.duplicate_pairs().unwrap().len(), 1);
    // Nonsense is refused with a reason.
    assert!(f.store.mark_not_duplicate(a1, a1, Utc::now()).is_err());
    assert!(f.store.link_same_person(a1, 999_999, Utc::now()).is_err());
}

#[test]
fn an_incremental_sync_of_100_changes_in_a_100k_store_rekeys_only_those() {
    let mut f = fixture();
    let make = |i: usize, tag: &str| {
        talent(
            &format!("t{i}"),
            &format!("Person {i}"),
            Some("Acme"),
            &[&format!("person.{i}{tag}@example.com")],
            &[&format!("+44 20 79{:06}", i % 1_000_000)],
        )
    };
    let all: Vec<Talent> = (0..100_000).map(|i| make(i, "")).collect();
    let mut rekeyed = 0;
    for chunk in all.chunks(10_000) {
        rekeyed += f
            .store
            .write_batch(f.a, &Batch { talents: chunk.to_vec(), ..Batch::default() }, None, Utc::now())
            .unwrap()
            .rekeyed;
    }
    assert_eq!(rekeyed, 100_000);
    // The next pass re-reads 1,000 talents (an overlap window), 100 of them changed: one of
    // them now has the e-mail of talent 99,999.
    let mut page: Vec<Talent> = (0..1_000).map(|i| make(i, "")).collect();
    for t in page.iter_mut().take(100) {
        t.emails = vec![format!("{}.new@example.com", t.remote_id)];
    }
    page[0].emails = vec!["person.99999@example.com".into()];
    let counts = f.store.write_batch(f.a, &Batch { talents: page, ..Batch::default() }, None, Utc::now()).unwrap();
    assert_eq!((counts.updated, counts.rekeyed, counts.unchanged), (100, 100, 900));
    assert_eq!(f.others(f.a, "t0"), vec![("t99999".to_string(), ev("email", true))]);
    // Weak pairs: every talent is "Person i" at Acme, all different, so none.
    assert_eq!(f.store.duplicate_pairs().unwrap().len(), 1);
}

#[test]
fn a_store_from_before_duplicate_detection_gets_keys_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite3");
    {
        let mut old = Store::open_at_version(&path, 5).unwrap();
        let cid = old.create_connection(&new_conn("A", Provider::Ashby), Utc::now()).unwrap().id;
        for (id, remote, email) in [(1, "x", "Kai.Ro+cv@gmail.com"), (2, "y", "kairo@googlemail.com")] {
            old.raw()
                .execute(
                    "INSERT INTO talents (id, connection_id, remote_id, name, updated_at, synced_at) VALUES (?1, ?2, ?3, 'Kai', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                    rusqlite::params![id, cid, remote],
                )
                .unwrap();
            old.raw()
                .execute(
                    "INSERT INTO talent_emails (talent_id, position, email) VALUES (?1, 0, ?2)",
                    rusqlite::params![id, email],
                )
                .unwrap();
        }
    }
    let store = Store::open(&path).unwrap();
    let pairs = store.duplicate_pairs().unwrap();
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0].evidence[0].key, "kairo@gmail.com");
}

// ---- over the sandbox ATS and the CLI ----

async fn synced(app: &App, id: i64, full: bool) {
    match app.sync(id, full, talentdeck::model::Trigger::Manual, &|_| {}).await.unwrap() {
        SyncOutcome::Ran(r) => assert!(r.error.is_none(), "{:?}", r.error),
        SyncOutcome::Joined => panic!("no other sync was running"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sandbox_connections_sharing_candidates_are_each_others_duplicates_and_decisions_survive_a_resync() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    // Two sandboxes with the same seed: the same 300 candidates in two accounts.
    let one = app.start_sandbox(Provider::Greenhouse, Utc::now()).await.unwrap().id;
    let two = app.start_sandbox(Provider::Greenhouse, Utc::now()).await.unwrap().id;
    synced(&app, one, false).await;
    synced(&app, two, false).await;
    let talents = app.store_for_tests().counts(one).unwrap().into_iter().find(|(k, _)| *k == "talents").unwrap().1;
    let pairs = app.duplicates().unwrap();
    let across: Vec<_> =
        pairs.iter().filter(|p| p.a.connection_id != p.b.connection_id && p.a.remote_id == p.b.remote_id).collect();
    assert_eq!(across.len() as i64, talents, "every candidate pairs with its twin in the other account");
    assert!(across.iter().all(|p| p.strong && p.evidence.iter().any(|e| e.kind == "email")));
    // The seeds' "same person entered twice" (same name and e-mail) are found within one account.
    assert!(pairs.iter().any(|p| p.a.connection_id == one && p.b.connection_id == one && p.strong));

    // Dismiss one pair, then make a full re-sync rewrite both records (their stored copies look
    // stale), so their keys are computed again: the pair stays dismissed.
    let (a, b) = (across[0].a.id, across[0].b.id);
    app.mark_not_duplicate(a, b, Utc::now()).unwrap();
    app.store_for_tests()
        .raw()
        .execute("UPDATE talents SET updated_at = '2000-01-01T00:00:00.000Z' WHERE id IN (?1, ?2)", [a, b])
        .unwrap();
    synced(&app, one, true).await;
    synced(&app, two, true).await;
    let keys: i64 = app
        .store_for_tests()
        .raw()
        .query_row("SELECT COUNT(*) FROM talent_match_keys WHERE talent_id = ?1", [a], |r| r.get(0))
        .unwrap();
    assert!(keys > 0);
    let after = app.duplicates().unwrap();
    assert!(!after.iter().any(|p| (p.a.id, p.b.id) == (a.min(b), a.max(b))), "the dismissed pair came back");
    assert_eq!(after.len(), pairs.len() - 1);
    assert!(app.duplicates_of(a).unwrap().iter().all(|d| d.other.id != b));
}

#[test]
fn cli_duplicates_json_lists_pairs_with_their_evidence() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open_dir(dir.path()).unwrap();
        let a = store.create_connection(&new_conn("A", Provider::Greenhouse), Utc::now()).unwrap().id;
        let b = store.create_connection(&new_conn("B", Provider::Ashby), Utc::now()).unwrap().id;
        let batch = |t: Talent| Batch { talents: vec![t], ..Batch::default() };
        store
            .write_batch(
                a,
                &batch(talent("g1", "Ann Lee", Some("Acme"), &["ann.lee@gmail.com"], &["+44 20 7946 0123"])),
                None,
                Utc::now(),
            )
            .unwrap();
        store
            .write_batch(
                b,
                &batch(talent("h1", "Ann Lee", Some("Acme"), &["annlee+x@gmail.com"], &["+442079460123"])),
                None,
                Utc::now(),
            )
            .unwrap();
    }
    let run = |json: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_talentdeck"));
        c.env_remove("TALENTDECK_DATA_DIR").arg("duplicates").arg("--data-dir").arg(dir.path());
        if json {
            c.arg("--json");
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let v: serde_json::Value = serde_json::from_str(&run(true)).unwrap();
    let pairs = v.as_array().unwrap();
    assert_eq!(pairs.len(), 1);
    let p = &pairs[0];
    assert_eq!((p["a"]["connection"].as_str(), p["a"]["remote_id"].as_str()), (Some("A"), Some("g1")));
    assert_eq!((p["b"]["provider"].as_str(), p["b"]["remote_id"].as_str()), (Some("ashby"), Some("h1")));
    assert_eq!(p["strong"], json!(true));
    assert_eq!(
        p["evidence"],
        json!([
            {"kind": "email", "key": "annlee@gmail.com", "strong": true},
            {"kind": "phone", "key": "+442079460123", "strong": true},
            {"kind": "name_company", "key": "ann lee | acme", "strong": false},
        ])
    );
    let text = run(false);
    assert!(text.contains("same e-mail annlee@gmail.com") && text.contains("1 pairs (1 likely, 0 weak)"), "{text}");
}

#[test]
fn a_key_shared_by_many_talents_suggests_nothing() {
    let mut f = fixture();
    // jobs@ typed in for eleven people, a common name at one employer for four: not evidence.
    let shared: Vec<Talent> = (0..11)
        .map(|i| talent(&format!("s{i}"), &format!("P{i}"), None, &["jobs@agency.example"], &[]))
        .chain((0..4).map(|i| talent(&format!("n{i}"), "Li Wei", Some("BigCo"), &[&format!("li{i}@x.example")], &[])))
        .collect();
    f.write(f.a, shared);
    assert!(f.store.duplicate_pairs().unwrap().is_empty());
    assert!(f.others(f.a, "s0").is_empty());
    // Ten holders of an address still pair up (45 pairs), three of a name and company too.
    let mut f = fixture();
    f.write(
        f.a,
        (0..10).map(|i| talent(&format!("s{i}"), &format!("P{i}"), None, &["jobs@agency.example"], &[])).collect(),
    );
    f.write(f.b, (0..3).map(|i| talent(&format!("n{i}"), "Li Wei", Some("BigCo"), &[], &[])).collect());
    let pairs = f.store.duplicate_pairs().unwrap();
    assert_eq!((pairs.iter().filter(|p| p.strong).count(), pairs.iter().filter(|p| !p.strong).count()), (45, 3));
    assert_eq!(f.others(f.b, "n0").len(), 2);
}
