//! The crate graph is the layer diagram (README "Layout"); this reads it from `cargo metadata` and
//! fails when a dependency crosses a layer: the model knows no other Talentdeck crate and neither
//! clap nor tauri, the store and the connectors do not know each other, and only the binary
//! package depends on tauri.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Each workspace package's normal (non-dev) dependencies, by package name.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"].as_array().unwrap().iter().filter(|d| d["kind"].is_null());
            (p["name"].as_str().unwrap().to_string(), deps.map(|d| d["name"].as_str().unwrap().to_string()).collect())
        })
        .collect()
}

#[test]
fn the_crate_graph_is_the_layer_diagram() {
    let g = graph();
    let deps = |p: &str| g.get(p).unwrap_or_else(|| panic!("no package {p}: {:?}", g.keys()));
    let ours = |p: &str| deps(p).iter().filter(|d| d.starts_with("talentdeck")).cloned().collect::<BTreeSet<_>>();
    let set = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();

    assert_eq!(ours("talentdeck-model"), set(&[]), "the model is the bottom layer");
    for p in ["talentdeck-store", "talentdeck-ats", "talentdeck-vault", "talentdeck-sandbox"] {
        assert_eq!(ours(p), set(&["talentdeck-model"]), "{p} stands on the model alone");
    }
    assert_eq!(
        ours("talentdeck-core"),
        set(&["talentdeck-model", "talentdeck-store", "talentdeck-ats", "talentdeck-vault", "talentdeck-sandbox"])
    );
    for (p, d) in &g {
        if p != "talentdeck" {
            assert!(!d.iter().any(|d| d.starts_with("tauri")), "only the binary imports tauri, not {p}");
        }
    }
    assert!(!deps("talentdeck-model").contains("clap"), "the data model does not depend on the CLI parser");
    assert!(deps("talentdeck").contains("tauri"), "the shell is where the window comes from");
}
