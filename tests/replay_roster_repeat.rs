//! The replay script of a roster-driven repeat, run with only the fixture
//! checklist that uses it (`engine-gezin`), so this script lives apart from
//! `tests/replay/*.replay` (where `roster-entries.replay` shows the feature
//! in the bundled lists).

use std::path::Path;
use std::sync::Arc;

use safevisit::checklist::model::Origin;
use safevisit::checklist::{Catalog, SourceFile};
use safevisit::replay::run::{RunOptions, run_script};
use safevisit::replay::script::{FileLoader, parse};

#[test]
fn the_roster_repeat_script_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = root.join("tests/fixtures/checklists/engine-gezin.toml");
    let catalog = Catalog::build(
        Vec::new(),
        vec![SourceFile {
            bytes: std::fs::read(&fixture).unwrap(),
            origin: Origin::File("engine-gezin.toml".into()),
            path: "engine-gezin.toml".into(),
        }],
    );
    assert!(catalog.problems.is_empty());
    let opts = RunOptions {
        catalog: Arc::new(catalog),
        data_dir: None,
        snapshots: None,
        update_snapshots: std::env::var_os("UPDATE_REPLAY_SNAPSHOTS").is_some(),
        collect_json: false,
    };
    let path = root.join("tests/replay/fixture/roster-repeat.replay");
    let text = std::fs::read_to_string(&path).unwrap();
    let steps = parse(&path, &text, &mut FileLoader).unwrap_or_else(|e| panic!("{e:?}"));
    let outcome = run_script(&path, &steps, &opts);
    assert!(
        outcome.failure.is_none(),
        "{}",
        outcome.failure.unwrap_or_default()
    );
}
