//! Helpers shared by integration tests: the export contract as comparable records, and a
//! record-by-record comparison with the sandbox's own idea of what a correct sync holds.
#![allow(dead_code)] // each test binary uses its own subset

/// One test per provider: `for_each_provider!(a_test, …)` makes `a_test::greenhouse`,
/// `a_test::lever` and `a_test::ashby`, each calling `a_test(Provider::…)` on a 2-thread runtime.
#[allow(unused_macros)]
macro_rules! for_each_provider {
    ($($test:ident),+ $(,)?) => {
        $(
            mod $test {
                use super::*;

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn greenhouse() {
                    super::$test(Provider::Greenhouse).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn lever() {
                    super::$test(Provider::Lever).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn ashby() {
                    super::$test(Provider::Ashby).await
                }
            }
        )+
    };
}

use serde_json::Value;
use talentdeck::app::App;
use talentdeck::sandbox::Sandbox;
use talentdeck::store::ExportKind;

pub const KINDS: [ExportKind; 4] =
    [ExportKind::Jobs, ExportKind::Stages, ExportKind::Talents, ExportKind::Applications];

pub fn kind_name(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::Jobs => "jobs",
        ExportKind::Stages => "stages",
        ExportKind::Talents => "talents",
        ExportKind::Applications => "applications",
    }
}

/// One connection's `export` output without the `connection` field (which the sandbox cannot
/// know), sorted by remote_id the way `Sandbox::expected` sorts.
pub fn exported(app: &App, kind: ExportKind, connection: &str) -> Vec<Value> {
    let mut out = Vec::new();
    app.export(kind, Some(connection), |mut record| {
        record.as_object_mut().expect("an export record is an object").remove("connection");
        out.push(record);
        Ok(())
    })
    .expect("export");
    sort_by_remote_id(&mut out);
    out
}

pub fn sort_by_remote_id(records: &mut [Value]) {
    records.sort_by(|a, b| a["remote_id"].as_str().cmp(&b["remote_id"].as_str()));
}

/// Remote ids that occur more than once.
pub fn duplicate_ids(records: &[Value]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    records.iter().filter_map(|r| r["remote_id"].as_str()).filter(|id| !seen.insert(*id)).map(str::to_string).collect()
}

/// Compares record by record; on a mismatch names the first differing record, not 5,000 of them.
pub fn assert_same(what: &str, got: &[Value], expected: &[Value]) {
    let dups = duplicate_ids(got);
    assert!(dups.is_empty(), "{what}: duplicate remote ids {:?}", &dups[..dups.len().min(10)]);
    if let Some((g, e)) = got.iter().zip(expected).find(|(g, e)| g != e) {
        panic!("{what}: first differing record:\n  got      {g}\n  expected {e}");
    }
    assert_eq!(got.len(), expected.len(), "{what}: number of records");
}

/// Every kind of the connection's export equals the sandbox's expected data.
pub fn assert_export_matches(app: &App, connection: &str, sb: &Sandbox) {
    for kind in KINDS {
        assert_same(kind_name(kind), &exported(app, kind, connection), &sb.expected(kind));
    }
}

// ---- the export contract's shape from the normalized model (README "The export contract"),
// without `connection`: what a connector's pages must turn into ----

use talentdeck::model::{Application, Job, Stage, Talent};
use talentdeck::store::ts;

pub fn job_out(j: &Job) -> Value {
    serde_json::json!({ "remote_id": j.remote_id, "title": j.title, "status": j.status.as_str(), "department": j.department,
            "location": j.location, "updated_at": ts(&j.updated_at) })
}

pub fn stage_out(s: &Stage) -> Value {
    serde_json::json!({ "remote_id": s.remote_id, "job_remote_id": s.job_remote_id, "name": s.name, "position": s.position })
}

pub fn talent_out(t: &Talent) -> Value {
    serde_json::json!({ "remote_id": t.remote_id, "name": t.name, "first_name": t.first_name, "last_name": t.last_name,
            "emails": t.emails, "phones": t.phones, "company": t.company, "title": t.title, "tags": t.tags,
            "updated_at": ts(&t.updated_at) })
}

pub fn application_out(a: &Application) -> Value {
    serde_json::json!({ "remote_id": a.remote_id, "talent_remote_id": a.talent_remote_id, "job_remote_id": a.job_remote_id,
            "stage_remote_id": a.stage_remote_id, "stage_name": a.stage_name, "status": a.status.as_str(),
            "updated_at": ts(&a.updated_at) })
}
