//! The local store on real SQLite files: migrations, uniqueness, idempotent upserts, search.

use chrono::{TimeZone, Utc};
use serde_json::json;
use talentdeck::model::{Application, ApplicationStatus, Job, JobStatus, Provider, Resource, Talent};
use talentdeck::store::{schema_version, Batch, Cursor, Deletion, ExportKind, NewConnection, PageWrite, Store};

fn new_conn(name: &str) -> NewConnection {
    NewConnection {
        name: name.into(),
        provider: Provider::Greenhouse,
        base_url: "http://127.0.0.1:1/v3".into(),
        auth_url: None,
        settings: Default::default(),
        sandbox: false,
    }
}

fn talent(id: &str, name: &str, emails: &[&str]) -> Talent {
    Talent {
        remote_id: id.into(),
        name: name.into(),
        first_name: None,
        last_name: None,
        emails: emails.iter().map(|s| s.to_string()).collect(),
        phones: vec!["+44 20 7946 0000".into()],
        company: Some("Analytical Engines Ltd".into()),
        title: Some("Engineer".into()),
        tags: vec!["referral".into()],
        updated_at: Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
        extra: json!({}).into(),
    }
}

fn export_all(store: &Store, kind: ExportKind) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    store
        .export(kind, None, |v| {
            out.push(v);
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn fresh_file_migrates_to_the_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    assert_eq!(store.current_version().unwrap(), schema_version());
    assert!(store.integrity_ok().unwrap());
    let journal: String = store.raw().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(journal, "wal");
    let fks: i64 = store.raw().query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(fks, 1);
    // Reopening an up-to-date file is a no-op.
    drop(store);
    assert_eq!(Store::open_dir(dir.path()).unwrap().current_version().unwrap(), schema_version());
}

/// The window and a CLI command started together on a new data folder both create and migrate
/// the same file (CI once failed on "database is locked" and on "table already exists").
#[test]
fn openers_racing_on_a_new_file_all_get_the_migrated_store() {
    for _round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("talentdeck.sqlite3");
        let start = std::sync::Arc::new(std::sync::Barrier::new(6));
        let openers: Vec<_> = (0..6)
            .map(|_| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    Store::open(&path).map(|s| s.current_version().unwrap()).map_err(|e| e.to_string())
                })
            })
            .collect();
        for opener in openers {
            assert_eq!(opener.join().unwrap(), Ok(schema_version()));
        }
    }
}

#[test]
fn a_file_from_an_older_schema_is_upgraded_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talentdeck.sqlite3");
    let now = Utc::now();
    {
        // Schema 1: every later migration (search index, resume files) runs over its data.
        let mut old = Store::open_at_version(&path, 1).unwrap();
        assert_eq!(old.current_version().unwrap(), 1);
        let c = old.create_connection(&new_conn("Acme"), now).unwrap();
        // Schema 1 has no search index: write the rows the way schema 1 code did.
        old.raw()
            .execute(
                "INSERT INTO talents (connection_id, remote_id, name, tags, updated_at, synced_at)
                 VALUES (?1, '42', 'Zoë Ångström', '[\"rust\"]', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                [c.id],
            )
            .unwrap();
        old.raw()
            .execute(
                "INSERT INTO talent_emails (talent_id, position, email) VALUES (last_insert_rowid(), 0, 'zoe@example.org')",
                [],
            )
            .unwrap();
        old.raw()
            .execute(
                "INSERT INTO attachments (connection_id, remote_id, talent_remote_id, filename, kind, synced_at)
                 VALUES (?1, '7', '42', 'zoe_cv.pdf', 'resume', '2026-01-01T00:00:00.000Z')",
                [c.id],
            )
            .unwrap();
        old.raw()
            .execute(
                "INSERT INTO stage_history (connection_id, application_remote_id, stage_remote_id, stage_name, entered_at)
                 VALUES (?1, '9', '3', 'Screen', '2026-01-02T00:00:00.000Z')",
                [c.id],
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.current_version().unwrap(), schema_version());
    let found = store.search_talents(None, "ngstr", 10).unwrap();
    assert_eq!(found.len(), 1, "talents stored before the upgrade are searchable after it");
    assert_eq!(found[0].emails, vec!["zoe@example.org".to_string()]);
    assert_eq!(found[0].files.len(), 1, "the talent's file is listed");
    assert!(!found[0].files[0].downloaded && found[0].files[0].error.is_none());
    let cid = store.connections().unwrap()[0].id;
    let due = store.files_to_fetch(cid, 10).unwrap();
    assert_eq!(due.len(), 1, "a file stored before the upgrade is fetched after it");
    assert_eq!(due[0].attachment.filename, "zoe_cv.pdf");
    let history = store.counts(cid).unwrap().into_iter().find(|(r, _)| *r == "stage_history").unwrap().1;
    assert_eq!(history, 1, "stage history is carried into its rebuilt table");
}

#[test]
fn match_keys_carry_over_their_rebuilt_table() {
    // Schema 13 rebuilds the match keys' table (its check without IN): the keys move with it,
    // and the check still refuses what it refused.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talentdeck.sqlite3");
    let now = Utc::now();
    {
        let mut old = Store::open_at_version(&path, 12).unwrap();
        let a = old.create_connection(&new_conn("Acme"), now).unwrap();
        let b = old.create_connection(&new_conn("Globex"), now).unwrap();
        let ada = Batch { talents: vec![talent("1", "Ada Lovelace", &["Ada@Example.com"])], ..Batch::default() };
        old.write_batch(a.id, &ada, None, now).unwrap();
        old.write_batch(b.id, &ada, None, now).unwrap();
        assert_eq!(old.duplicate_pairs().unwrap().len(), 1);
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.current_version().unwrap(), schema_version());
    let pairs = store.duplicate_pairs().unwrap();
    assert_eq!(pairs.len(), 1, "the pair is still found");
    assert!(pairs[0].evidence.iter().any(|e| e.kind == "email" && e.key == "ada@example.com"), "{pairs:?}");
    let wrong = store.raw().execute("INSERT INTO talent_match_keys (talent_id, kind, key) VALUES (1, 'fax', 'x')", []);
    assert!(wrong.is_err(), "an unknown kind of key is refused");
    // New rows are written and matched as before.
    let c = store.create_connection(&new_conn("Initech"), now).unwrap();
    let grace = Batch { talents: vec![talent("2", "Grace Hopper", &["ada@example.com"])], ..Batch::default() };
    store.write_batch(c.id, &grace, None, now).unwrap();
    let grace = store.search_talents(None, "Grace", 1).unwrap()[0].id;
    assert_eq!(store.duplicates_of(grace).unwrap().len(), 2, "new keys match the ones carried over");
}

#[test]
fn contacts_carry_over_their_rebuilt_tables_in_order() {
    // Schema 14 rebuilds the e-mail and phone tables without rowids: every talent keeps its
    // contacts, in the order the ATS listed them, and a sync after the upgrade still tells an
    // unchanged talent from a changed one.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talentdeck.sqlite3");
    let now = Utc::now();
    let mut ada = talent("1", "Ada Lovelace", &["ada@example.com", "a.lovelace@example.org"]);
    ada.phones = vec!["+44 20 7946 0001".into(), "+1 202 555 0100".into()];
    let cid = {
        let mut old = Store::open_at_version(&path, 13).unwrap();
        let c = old.create_connection(&new_conn("Acme"), now).unwrap();
        old.write_batch(c.id, &Batch { talents: vec![ada.clone()], ..Batch::default() }, None, now).unwrap();
        c.id
    };
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.current_version().unwrap(), schema_version());
    let found = store.search_talents(None, "lovelace@", 10).unwrap();
    assert_eq!(found.len(), 1, "found by a fragment of its second address");
    assert_eq!(found[0].emails, ada.emails);
    assert_eq!(found[0].phones, ada.phones);
    let again = store.write_batch(cid, &Batch { talents: vec![ada.clone()], ..Batch::default() }, None, now).unwrap();
    assert_eq!((again.created, again.updated), (0, 0), "the same talent again is unchanged");
    ada.phones.reverse();
    let moved = store.write_batch(cid, &Batch { talents: vec![ada.clone()], ..Batch::default() }, None, now).unwrap();
    assert_eq!(moved.updated, 1, "phones listed in another order are a change");
    assert_eq!(store.search_talents(None, "lovelace@", 10).unwrap()[0].phones, ada.phones);
}

#[test]
fn applications_carry_over_their_rebuilt_table_and_a_status_is_still_checked() {
    // Schema 15 rebuilds the applications table to check a status with = instead of IN: every
    // application keeps its id and content, a sync after the upgrade finds them unchanged, and
    // the database still refuses a status that is not one of the three.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talentdeck.sqlite3");
    let now = Utc::now();
    let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    let app = |id: &str, status| Application {
        remote_id: id.into(),
        talent_remote_id: "1".into(),
        job_remote_id: Some("7".into()),
        stage_remote_id: Some("70".into()),
        stage_name: Some("Onsite".into()),
        status,
        updated_at: t,
        extra: json!({"source": "Referral"}).into(),
    };
    let batch = Batch {
        talents: vec![talent("1", "Ada Lovelace", &["ada@example.com"])],
        applications: vec![
            app("100", ApplicationStatus::Active),
            app("101", ApplicationStatus::Rejected),
            app("102", ApplicationStatus::Hired),
        ],
        ..Batch::default()
    };
    let rows = |db: &rusqlite::Connection| -> Vec<(i64, String, String, String)> {
        db.prepare("SELECT id, remote_id, status, extra FROM applications ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let (cid, before) = {
        let mut old = Store::open_at_version(&path, 14).unwrap();
        let c = old.create_connection(&new_conn("Acme"), now).unwrap();
        old.write_batch(c.id, &batch, None, now).unwrap();
        (c.id, rows(old.raw()))
    };
    assert_eq!(before.len(), 3);
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.current_version().unwrap(), schema_version());
    assert_eq!(rows(store.raw()), before, "same ids, same rows");
    let again = store.write_batch(cid, &batch, None, now).unwrap();
    assert_eq!((again.created, again.updated), (0, 0), "the same applications again are unchanged");
    let bad = store.raw().execute(
        "INSERT INTO applications (connection_id, remote_id, talent_remote_id, status, updated_at, synced_at)
         VALUES (?1, '103', '1', 'archived', 'x', 'x')",
        [cid],
    );
    assert!(bad.is_err(), "a status outside active, rejected and hired is refused");
}

#[test]
fn talents_stored_before_the_search_index_dropped_its_text_copy_are_found_as_before() {
    // Schema 16 rebuilds the search index without its copy of the indexed text. Talents stored
    // before the upgrade are found by the same fragments (diacritics folded, e-mails by a
    // piece). A talent changed after it is found by its new name only, and a deleted one is
    // not found. The index now holds terms only: its text columns read as NULL.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talentdeck.sqlite3");
    let now = Utc::now();
    let mut zoe = talent("1", "Zoë Müller", &["zoe.muller@acme.example"]);
    zoe.company = Some("Initech".into());
    let batch = Batch { talents: vec![zoe, talent("2", "Ada Lovelace", &["ada@example.com"])], ..Batch::default() };
    let cid = {
        let mut old = Store::open_at_version(&path, 15).unwrap();
        let c = old.create_connection(&new_conn("Acme"), now).unwrap();
        old.write_batch(c.id, &batch, None, now).unwrap();
        c.id
    };
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.current_version().unwrap(), schema_version());
    let found = |store: &Store, q: &str| -> Vec<String> {
        store.search_talents(None, q, 50).unwrap().into_iter().map(|t| t.name).collect()
    };
    assert_eq!(found(&store, "muller"), vec!["Zoë Müller"]);
    assert_eq!(found(&store, "initech zoe"), vec!["Zoë Müller"]);
    assert_eq!(found(&store, "ACME.EX"), vec!["Zoë Müller"]);
    assert_eq!(found(&store, "lovelace"), vec!["Ada Lovelace"]);

    let mut renamed = talent("2", "Ada King", &["ada@example.com"]);
    renamed.updated_at += chrono::Duration::days(1);
    let changed = store.write_batch(cid, &Batch { talents: vec![renamed], ..Batch::default() }, None, now).unwrap();
    assert_eq!(changed.updated, 1);
    assert_eq!(found(&store, "king"), vec!["Ada King"]);
    assert!(found(&store, "lovelace").is_empty(), "the old name is no longer found");
    let gone = Deletion { resource: Resource::Talents, remote_id: "1".into() };
    store.write_batch(cid, &Batch { deletions: vec![gone], ..Batch::default() }, None, now).unwrap();
    assert!(found(&store, "muller").is_empty(), "a deleted talent is not found");

    let (rows, copies): (i64, i64) = store
        .raw()
        .query_row("SELECT count(*), count(name) FROM talent_search", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((rows, copies), (1, 0), "one row per stored talent, and no copy of its text");
}

#[test]
fn a_database_from_a_newer_version_is_refused_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talentdeck.sqlite3");
    drop(Store::open(&path).unwrap());
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.pragma_update(None, "user_version", (schema_version() + 5) as i64).unwrap();
    }
    let err = Store::open(&path).err().expect("a newer schema must be refused");
    assert_eq!(err.code(), "store_too_new");
    assert!(err.to_string().contains("newer Talentdeck"));
}

#[test]
fn remote_ids_are_unique_per_connection_and_upserts_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let now = Utc::now();
    let a = store.create_connection(&new_conn("Acme"), now).unwrap();
    let b = store.create_connection(&new_conn("Globex"), now).unwrap();

    let batch = Batch { talents: vec![talent("1", "Ada Lovelace", &["ada@example.com"])], ..Batch::default() };
    let first = store.write_batch(a.id, &batch, None, now).unwrap();
    assert_eq!((first.created, first.updated), (1, 0));
    // The same remote id again, e.g. from an overlap window: no duplicate, nothing changed.
    let again = store.write_batch(a.id, &batch, None, now).unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 1));
    // The same remote id in another connection is another record.
    assert_eq!(store.write_batch(b.id, &batch, None, now).unwrap().created, 1);
    // A changed record is updated in place.
    let mut changed = batch.clone();
    changed.talents[0].title = Some("Principal Engineer".into());
    assert_eq!(store.write_batch(a.id, &changed, None, now).unwrap().updated, 1);
    assert_eq!(export_all(&store, ExportKind::Talents).len(), 2);

    // The database itself refuses a duplicate (connection, remote_id).
    let dup = store.raw().execute(
        "INSERT INTO talents (connection_id, remote_id, name, updated_at, synced_at) VALUES (?1, '1', 'x', 'x', 'x')",
        [a.id],
    );
    assert!(dup.is_err(), "(connection_id, remote_id) must be unique");

    // A connection name is unique too.
    assert_eq!(store.create_connection(&new_conn("Acme"), now).unwrap_err().code(), "conflict");
}

#[test]
fn search_finds_talents_by_non_ascii_name_fragments_and_by_email() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let now = Utc::now();
    let c = store.create_connection(&new_conn("Acme"), now).unwrap();
    let batch = Batch {
        talents: vec![
            talent("1", "Søren Kierkegaard", &["soren@philosophy.dk"]),
            talent("2", "田中 太郎", &["taro.tanaka@example.jp"]),
            talent("3", "Łukasz Müller", &["lukasz@example.pl", "l.mueller@work.example"]),
            talent("4", "Ada Lovelace", &["ada@example.com"]),
        ],
        ..Batch::default()
    };
    store.write_batch(c.id, &batch, None, now).unwrap();

    fn found(store: &Store, q: &str) -> Vec<String> {
        store.search_talents(None, q, 50).unwrap().into_iter().map(|t| t.name).collect()
    }
    assert_eq!(found(&store, "øren"), vec!["Søren Kierkegaard"]);
    assert_eq!(found(&store, "田中 太郎"), vec!["田中 太郎"]);
    assert_eq!(found(&store, "Müll"), vec!["Łukasz Müller"]);
    assert_eq!(found(&store, "muller"), vec!["Łukasz Müller"], "diacritics are folded");
    assert_eq!(found(&store, "mueller@work"), vec!["Łukasz Müller"], "a second email is searchable");
    assert_eq!(found(&store, "taro.tanaka@example.jp"), vec!["田中 太郎"]);
    assert_eq!(found(&store, "Ada lovelace"), vec!["Ada Lovelace"], "every word must match, case-insensitively");
    assert!(found(&store, "nobody-like-this").is_empty());
    assert_eq!(found(&store, "").len(), 4, "a blank query lists everyone");

    // The index follows updates and deletions without the caller doing anything.
    let mut renamed = batch.talents[3].clone();
    renamed.emails = vec!["countess@example.com".into()];
    store.write_batch(c.id, &Batch { talents: vec![renamed], ..Batch::default() }, None, now).unwrap();
    assert!(found(&store, "ada@example").is_empty());
    assert_eq!(found(&store, "countess"), vec!["Ada Lovelace"]);
    let gone =
        Batch { deletions: vec![Deletion { resource: Resource::Talents, remote_id: "1".into() }], ..Batch::default() };
    assert_eq!(store.write_batch(c.id, &gone, None, now).unwrap().deleted, 1);
    assert!(found(&store, "Søren").is_empty());
}

#[test]
fn a_full_pass_keeps_every_talent_it_listed_and_removes_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let c = store.create_connection(&new_conn("Acme"), t0).unwrap();
    let cursor = Cursor::for_resource(Resource::Talents);
    // One full pass of one page: `talents` written, `listed` seen, the rest pruned.
    let pass_with = |s: &mut Store, talents: Vec<Talent>, listed: &[&str], seen_at, now| {
        let batch = Batch { talents, ..Batch::default() };
        let listed: Vec<String> = listed.iter().map(|id| id.to_string()).collect();
        let w = PageWrite {
            batch: &batch,
            listed: Some((Resource::Talents, &listed)),
            seen_at,
            cursor: &cursor,
            prune: true,
        };
        s.in_transaction(|s| s.write_page(c.id, &w, now)).unwrap();
    };
    let pass = |s: &mut Store, talents: &[&str], listed: &[&str], seen_at, now| {
        pass_with(s, talents.iter().map(|id| talent(id, &format!("Talent {id}"), &[])).collect(), listed, seen_at, now)
    };
    let stored = |s: &Store| -> Vec<String> {
        let mut q = s.raw().prepare("SELECT remote_id FROM talents ORDER BY remote_id").unwrap();
        q.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    let secs = chrono::Duration::seconds;
    pass(&mut store, &["1", "2", "3"], &["1", "2", "3"], t0, t0 + secs(1));
    assert_eq!(stored(&store), ["1", "2", "3"]);

    // The next full pass: 1 unchanged, 4 new, 2 listed but skipped as malformed (not deleted),
    // 3 no longer in the ATS.
    let t1 = t0 + secs(600);
    pass(&mut store, &["1", "4"], &["1", "2", "4"], t1, t1 + secs(1));
    assert_eq!(stored(&store), ["1", "2", "4"]);

    // The clock went back an hour during a pass: a talent it created is not older than the pass.
    let t2 = t1 + secs(600);
    pass(&mut store, &["5"], &["1", "2", "4", "5"], t2, t2 - secs(3600));
    assert_eq!(stored(&store), ["1", "2", "4", "5"]);

    // Only talent 1's e-mail changed: an updated talent whose own row was not rewritten.
    let t3 = t2 + secs(600);
    pass_with(&mut store, vec![talent("1", "Talent 1", &["one@example.com"])], &["1", "2", "4", "5"], t3, t3 + secs(1));
    assert_eq!(stored(&store), ["1", "2", "4", "5"]);
}

#[test]
fn a_group_of_pages_leaves_the_search_index_as_its_last_page_left_the_talents() {
    // The sync commits several pages at once and writes their talents' search rows at the
    // commit: a talent changed or deleted by a later page of the group is found as it ends up.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let now = Utc::now();
    let c = store.create_connection(&new_conn("Acme"), now).unwrap();
    let cursor = Cursor::for_resource(Resource::Talents);
    let page = |talents: Vec<Talent>, deletions: Vec<Deletion>| Batch { talents, deletions, ..Batch::default() };
    let write = |s: &mut Store, b: &Batch| {
        s.write_page(c.id, &PageWrite { batch: b, listed: None, seen_at: now, cursor: &cursor, prune: false }, now)
    };
    let ada = talent("1", "Ada Lovelace", &["ada@example.com"]);
    let mut countess = ada.clone();
    countess.emails = vec!["countess@example.com".into()];
    store
        .in_transaction(|s| {
            write(s, &page(vec![ada.clone(), talent("2", "Søren Kierkegaard", &["soren@example.dk"])], vec![]))?;
            write(s, &page(vec![countess], vec![Deletion { resource: Resource::Talents, remote_id: "2".into() }]))
        })
        .unwrap();
    let found = |store: &Store, q: &str| -> Vec<String> {
        store.search_talents(None, q, 50).unwrap().into_iter().map(|t| t.name).collect()
    };
    assert_eq!(found(&store, "countess"), vec!["Ada Lovelace"]);
    assert!(found(&store, "ada@example").is_empty(), "the first page's e-mail is gone");
    assert!(found(&store, "Søren").is_empty(), "a talent deleted later in the group is not found");

    // A group that fails changes no search row; the next group indexes what is stored.
    let mut renamed = ada.clone();
    renamed.emails = vec!["ada.king@example.com".into()];
    let failed = store.in_transaction(|s| {
        write(s, &page(vec![renamed, talent("3", "Grace Hopper", &["grace@example.com"])], vec![]))?;
        Err::<(), _>(talentdeck::model::error::Error::Internal("the next page failed".into()))
    });
    assert!(failed.is_err());
    store.in_transaction(|s| write(s, &page(vec![talent("4", "Alan Turing", &["alan@example.com"])], vec![]))).unwrap();
    assert!(found(&store, "Grace").is_empty());
    assert_eq!(found(&store, "countess"), vec!["Ada Lovelace"], "the failed group's change is not indexed either");
    assert_eq!(found(&store, "Turing"), vec!["Alan Turing"]);
    let rows: i64 = store.raw().query_row("SELECT count(*) FROM talent_search", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 2, "one search row per stored talent");

    // A talent created and deleted in one group leaves its id to the next one created (SQLite
    // reuses the highest rowid once it is free): that id is found by the new talent only.
    store
        .in_transaction(|s| {
            write(s, &page(vec![talent("5", "Emmy Noether", &["emmy@example.de"])], vec![]))?;
            write(s, &page(vec![], vec![Deletion { resource: Resource::Talents, remote_id: "5".into() }]))?;
            write(s, &page(vec![talent("6", "Kurt Gödel", &["kurt@example.at"])], vec![]))
        })
        .unwrap();
    assert!(found(&store, "Noether").is_empty(), "the deleted talent's row went with it");
    assert_eq!(found(&store, "godel"), vec!["Kurt Gödel"]);
    let rows: i64 = store.raw().query_row("SELECT count(*) FROM talent_search", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 3);
}

#[test]
fn deleting_a_talent_takes_its_applications_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let now = Utc::now();
    let c = store.create_connection(&new_conn("Acme"), now).unwrap();
    let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    let batch = Batch {
        jobs: vec![Job {
            remote_id: "10".into(),
            title: "Backend Engineer".into(),
            status: JobStatus::Open,
            department: Some("Engineering".into()),
            location: None,
            updated_at: t,
            extra: json!({}).into(),
            details: None,
        }],
        talents: vec![talent("1", "Ada Lovelace", &["ada@example.com"])],
        applications: vec![Application {
            remote_id: "100".into(),
            talent_remote_id: "1".into(),
            job_remote_id: Some("10".into()),
            stage_remote_id: Some("7".into()),
            stage_name: Some("Phone Screen".into()),
            status: ApplicationStatus::Active,
            updated_at: t,
            extra: json!({}).into(),
        }],
        ..Batch::default()
    };
    store.write_batch(c.id, &batch, None, now).unwrap();
    assert_eq!(export_all(&store, ExportKind::Applications).len(), 1);
    let gone =
        Batch { deletions: vec![Deletion { resource: Resource::Talents, remote_id: "1".into() }], ..Batch::default() };
    store.write_batch(c.id, &gone, None, now).unwrap();
    assert!(export_all(&store, ExportKind::Talents).is_empty());
    assert!(export_all(&store, ExportKind::Applications).is_empty(), "a deleted person's applications go too");
    assert_eq!(export_all(&store, ExportKind::Jobs).len(), 1);
}

/// Two jobs whose pipelines share stage names (as Greenhouse templates do), one application.
fn two_pipelines(store: &mut Store) -> i64 {
    let conn = store.create_connection(&new_conn("Pipelines"), Utc::now()).unwrap();
    let stage = |id: &str, job: &str, name: &str, position| talentdeck::model::Stage {
        remote_id: id.into(),
        job_remote_id: Some(job.into()),
        name: name.into(),
        position,
        ats_type: None,
    };
    let batch = Batch {
        stages: vec![
            stage("11", "1", "Application Review", 0),
            stage("12", "1", "Phone Screen", 1),
            stage("13", "1", "Onsite", 2),
            stage("21", "2", "Application Review", 0),
            stage("22", "2", "Onsite", 1),
        ],
        ..Batch::default()
    };
    store.write_batch(conn.id, &batch, None, Utc::now()).unwrap();
    conn.id
}

#[test]
fn a_mapping_set_once_by_name_serves_every_job_until_a_job_overrides_it_and_every_edit_undoes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let cid = two_pipelines(&mut store);
    let interview = store.pipeline_stage("interview").unwrap();
    let screen = store.pipeline_stage("Screen").unwrap();
    let now = Utc::now();
    store.set_mapping(cid, None, "onsite", Some(interview.id), false, "ada", now).unwrap();
    // One name, both jobs: a move to Interview lands on each job's own Onsite stage.
    assert_eq!(store.outbound_stage(cid, Some("1"), interview.id).unwrap().unwrap().0, "13");
    assert_eq!(store.outbound_stage(cid, Some("2"), interview.id).unwrap().unwrap().0, "22");
    // Job 1 overrides: its Phone Screen is where Interview moves land; job 2 keeps the name's.
    store.set_mapping(cid, Some("1"), "Phone Screen", Some(interview.id), false, "ada", now).unwrap();
    assert_eq!(store.outbound_stage(cid, Some("1"), interview.id).unwrap().unwrap().0, "12");
    assert_eq!(store.outbound_stage(cid, Some("2"), interview.id).unwrap().unwrap().0, "22");
    assert_eq!(store.outbound_stage(cid, Some("2"), screen.id).unwrap(), None, "nothing maps to Screen yet");
    // An unknown ATS stage is refused with the stages there are.
    let err = store.set_mapping(cid, None, "Nope", Some(screen.id), false, "ada", now).unwrap_err().to_string();
    assert!(err.contains("Onsite") && err.contains("Nope"), "{err}");
    // History, newest first; undo walks it back.
    let edits = store.mapping_edits(cid, 10).unwrap();
    assert_eq!(edits.len(), 2);
    assert_eq!((edits[0].job_remote_id.as_deref(), edits[0].by.as_str()), (Some("1"), "ada"));
    store.undo_mapping(cid, now).unwrap();
    assert_eq!(store.outbound_stage(cid, Some("1"), interview.id).unwrap().unwrap().0, "13");
    store.undo_mapping(cid, now).unwrap();
    assert_eq!(store.outbound_stage(cid, Some("1"), interview.id).unwrap(), None);
    assert!(store.undo_mapping(cid, now).is_err(), "nothing left to undo");
}

#[test]
fn redo_reapplies_the_edits_undone_last_until_a_new_edit_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let cid = two_pipelines(&mut store);
    let screen = store.pipeline_stage("Screen").unwrap();
    let interview = store.pipeline_stage("Interview").unwrap();
    let now = Utc::now();
    assert!(store.redo_mapping(cid, now).is_err(), "nothing undone yet");
    store.set_mapping(cid, None, "Phone Screen", Some(screen.id), false, "ada", now).unwrap();
    store.set_mapping(cid, None, "Phone Screen", Some(interview.id), false, "ada", now).unwrap();
    store.set_mapping(cid, None, "Onsite", Some(interview.id), false, "ada", now).unwrap();
    store.undo_mapping(cid, now).unwrap();
    store.undo_mapping(cid, now).unwrap();
    assert_eq!(store.mapped_stage(cid, None, "Phone Screen").unwrap().unwrap().0, screen.id);
    assert_eq!(store.mapped_stage(cid, None, "Onsite").unwrap(), None);

    // The edit undone last comes back first, and shows in the history again.
    let redone = store.redo_mapping(cid, now).unwrap();
    assert_eq!((redone.ats_stage.as_str(), redone.after.as_deref()), ("Phone Screen", Some("Interview")));
    assert_eq!(store.mapped_stage(cid, None, "Phone Screen").unwrap().unwrap().0, interview.id);
    assert_eq!(store.mapping_edits(cid, 10).unwrap().len(), 2);
    store.redo_mapping(cid, now).unwrap();
    assert_eq!(store.mapped_stage(cid, None, "Onsite").unwrap().unwrap().0, interview.id);
    assert!(store.redo_mapping(cid, now).is_err(), "everything is redone");

    // A new edit after an undo ends the redo: redoing would overwrite the recruiter's newer choice.
    store.undo_mapping(cid, now).unwrap();
    store.set_mapping(cid, None, "Application Review", Some(screen.id), false, "ada", now).unwrap();
    assert!(store.redo_mapping(cid, now).is_err());
    assert_eq!(store.mapped_stage(cid, None, "Onsite").unwrap(), None);
}

#[test]
fn job_pipelines_list_each_jobs_stages_in_order_with_the_applications_in_each() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let cid = two_pipelines(&mut store);
    let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    let app = |id: &str, job: &str, status| Application {
        remote_id: id.into(),
        talent_remote_id: "1".into(),
        job_remote_id: Some(job.into()),
        stage_remote_id: None,
        stage_name: Some("onsite".into()),
        status,
        updated_at: t,
        extra: json!({}).into(),
    };
    let batch = Batch {
        talents: vec![talent("1", "Ada Lovelace", &["ada@example.com"])],
        applications: vec![
            app("100", "1", ApplicationStatus::Active),
            app("101", "1", ApplicationStatus::Active),
            app("102", "1", ApplicationStatus::Rejected),
            app("200", "2", ApplicationStatus::Active),
        ],
        ..Batch::default()
    };
    store.write_batch(cid, &batch, None, Utc::now()).unwrap();
    let pipelines = store.job_pipelines(cid).unwrap();
    let names: Vec<(Option<&str>, Vec<&str>)> = pipelines
        .iter()
        .map(|p| (p.job_remote_id.as_deref(), p.stages.iter().map(|s| s.name.as_str()).collect()))
        .collect();
    assert_eq!(
        names,
        vec![
            (Some("1"), vec!["Application Review", "Phone Screen", "Onsite"]),
            (Some("2"), vec!["Application Review", "Onsite"]),
        ]
    );
    // Counted per job, by name whatever its case, active applications only.
    let onsite: Vec<i64> = pipelines.iter().map(|p| p.stages.last().unwrap().applications).collect();
    assert_eq!(onsite, vec![2, 1]);
    assert_eq!(pipelines[0].stages[0].applications, 0);
}

#[test]
fn removing_a_pipeline_stage_hands_its_mappings_to_the_stage_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let cid = two_pipelines(&mut store);
    let added = store.add_pipeline_stage("Phone Screen", Some("Screen")).unwrap();
    assert_eq!(added.position, store.pipeline_stage("Screen").unwrap().position + 1);
    store.set_mapping(cid, None, "Phone Screen", Some(added.id), false, "ada", Utc::now()).unwrap();
    store.rename_pipeline_stage("phone screen", "Call").unwrap();
    assert_eq!(
        store.mapped_stage(cid, None, "Phone Screen").unwrap().unwrap().0,
        added.id,
        "the mapping follows a rename"
    );
    store.remove_pipeline_stage("Call", "Screen").unwrap();
    let screen = store.pipeline_stage("Screen").unwrap();
    assert_eq!(store.mapped_stage(cid, None, "phone screen").unwrap().unwrap().0, screen.id);
    assert!(store.pipeline().unwrap().iter().all(|s| s.name != "Call"));
    // Positions stay dense, and the only Rejected stage cannot go.
    let positions: Vec<i64> = store.pipeline().unwrap().iter().map(|s| s.position).collect();
    assert_eq!(positions, (0..positions.len() as i64).collect::<Vec<_>>());
    assert!(store.remove_pipeline_stage("Rejected", "Offer").is_err());
}

/// Issue 14: a search typed while a sync holds the writer (it does, for a group of pages at a
/// time) answers from the last commit instead of waiting. With no read-only connections (the
/// layout before), the same search waits for the writer.
#[test]
fn a_search_during_a_write_reads_the_last_commit_instead_of_waiting() {
    use std::sync::mpsc;
    use std::time::Duration;
    use talentdeck::app::App;

    fn search_while_writer_held(readers: usize) -> Option<Vec<String>> {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open_with_readers(dir.path(), readers).unwrap();
        let now = Utc::now();
        {
            let mut st = app.store_for_tests();
            let c = st.create_connection(&new_conn("Acme"), now).unwrap();
            let batch = Batch { talents: vec![talent("1", "Ada Lovelace", &["ada@example.com"])], ..Batch::default() };
            st.write_batch(c.id, &batch, None, now).unwrap();
        }
        let (tx, rx) = mpsc::channel();
        std::thread::scope(|s| {
            // The "sync": holds the writer inside an open transaction with an uncommitted row.
            let writer = app.store_for_tests();
            writer.raw().execute_batch("BEGIN IMMEDIATE; UPDATE talents SET name = 'Uncommitted'").unwrap();
            let app = &app;
            s.spawn(move || {
                let names: Vec<String> =
                    app.search_talents(None, "", 10).unwrap().into_iter().map(|t| t.name).collect();
                let _ = tx.send(names);
            });
            let got = rx.recv_timeout(Duration::from_secs(2)).ok();
            writer.raw().execute_batch("ROLLBACK").unwrap();
            drop(writer); // lets a waiting search finish, so the scope can end
            got
        })
    }

    assert_eq!(
        search_while_writer_held(talentdeck::app::READERS),
        Some(vec!["Ada Lovelace".to_string()]),
        "the search answers at once, from the last commit"
    );
    assert_eq!(search_while_writer_held(0), None, "without readers the search waits for the writer");
}

#[test]
fn a_reader_refuses_writes_and_sees_each_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let reader = Store::open_reader(store.path()).unwrap();
    let now = Utc::now();
    let c = store.create_connection(&new_conn("Acme"), now).unwrap();
    assert_eq!(reader.connection(c.id).unwrap().name, "Acme", "a commit is visible to the reader");
    let refused = reader.raw().execute("DELETE FROM connections", []).unwrap_err();
    assert!(refused.to_string().contains("readonly"), "{refused}");
    assert_eq!(store.connections().unwrap().len(), 1);
}

/// Issue 13: a Greenhouse job and its posts change apart. A job read without its details keeps
/// the stored ones (it does not wipe them); details read without the job change only them; a
/// job read with its details (Lever) sets them, an empty description included.
#[test]
fn job_details_and_the_rest_of_a_job_are_written_without_wiping_each_other() {
    use talentdeck::model::JobDetails;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let now = Utc::now();
    let c = store.create_connection(&new_conn("Acme"), now).unwrap();
    let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    let job = |title: &str, details: Option<JobDetails>| Job {
        remote_id: "10".into(),
        title: title.into(),
        status: JobStatus::Open,
        department: None,
        location: None,
        updated_at: t,
        extra: json!({}).into(),
        details,
    };
    let details = |html: Option<&str>, pay: Option<&str>| JobDetails {
        description_html: html.map(String::from),
        compensation: pay.map(String::from),
    };
    let write = |store: &mut Store, b: Batch| store.write_batch(c.id, &b, None, now).unwrap();
    let stored = |store: &Store| store.job_details(c.id, "10").unwrap();
    let title = |store: &Store| export_all(store, ExportKind::Jobs)[0]["title"].clone();

    let both = details(Some("<p>Build <b>things</b></p>"), Some("USD 1–2"));
    write(&mut store, Batch { jobs: vec![job("Engineer", Some(both))], ..Batch::default() });
    assert_eq!(stored(&store), (Some("<p>Build <b>things</b></p>".into()), Some("USD 1–2".into())));

    // The job changes; its details were not read this time.
    let counts = write(&mut store, Batch { jobs: vec![job("Senior Engineer", None)], ..Batch::default() });
    assert_eq!(counts.updated, 1);
    assert_eq!(title(&store), "Senior Engineer");
    assert_eq!(stored(&store), (Some("<p>Build <b>things</b></p>".into()), Some("USD 1–2".into())), "kept");

    // Only its post changes: sanitised on the way in like any description, the job untouched.
    let post = details(Some(r#"<p onclick="x()">Ship</p><script>alert(1)</script>"#), None);
    let counts = write(&mut store, Batch { job_details: vec![("10".into(), post.clone())], ..Batch::default() });
    assert_eq!(counts.updated, 1);
    assert_eq!(stored(&store), (Some("<p>Ship</p>".into()), None));
    assert_eq!(title(&store), "Senior Engineer");
    // The same details again change nothing; details of a job not stored go nowhere.
    let again =
        Batch { job_details: vec![("10".into(), post), ("99".into(), details(Some("x"), None))], ..Batch::default() };
    assert_eq!(write(&mut store, again).updated, 0);
    assert_eq!(export_all(&store, ExportKind::Jobs).len(), 1);

    // A job read with its details says exactly what they are: none.
    write(&mut store, Batch { jobs: vec![job("Senior Engineer", Some(JobDetails::default()))], ..Batch::default() });
    assert_eq!(stored(&store), (None, None));
}
