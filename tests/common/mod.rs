//! Helpers shared by integration tests: the export contract as comparable records, and a
//! record-by-record comparison with the sandbox's own idea of what a correct sync holds.
#![allow(dead_code)] // each test binary uses its own subset

use serde_json::Value;
use talentdeck::app::App;
use talentdeck::sandbox::Sandbox;
use talentdeck::store::ExportKind;

pub const KINDS: [ExportKind; 4] = [ExportKind::Jobs, ExportKind::Stages, ExportKind::Talents, ExportKind::Applications];

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
    records
        .iter()
        .filter_map(|r| r["remote_id"].as_str())
        .filter(|id| !seen.insert(*id))
        .map(str::to_string)
        .collect()
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
