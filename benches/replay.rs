//! The full-visit replay end to end: a fresh test vault, every keystroke
//! drawn, every autosave durable, the visit finalized.

use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use safevisit::checklist::Catalog;
use safevisit::replay::run::{RunOptions, run_script};
use safevisit::replay::script::{FileLoader, parse};

fn bench(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/replay/full-visit.replay");
    let text = std::fs::read_to_string(&path).unwrap();
    let steps = parse(&path, &text, &mut FileLoader).unwrap();
    let opts = RunOptions {
        catalog: Arc::new(Catalog::bundled()),
        data_dir: None,
        snapshots: None,
        update_snapshots: false,
        collect_json: false,
    };
    let mut group = c.benchmark_group("replay");
    group.sample_size(20);
    group.bench_function("full-visit.replay end to end", |b| {
        b.iter(|| {
            let out = run_script(&path, &steps, &opts);
            assert!(out.failure.is_none());
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
