//! Vault speed: autosave against a bare durable write of the same bytes,
//! and opening a vault of 10,000 visits to the listed index.
//! Figures: docs/PERFORMANCE.md, section "Vault".

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use safevisit::store::atomic::{RealFs, write_atomic};
use safevisit::store::envelope::{encode_record, encrypt};

mod support;
use support::common;

fn autosave(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut vault, _org) = common::test_vault(&dir.path().join("vault"));
    // A visit well under way: 60 answers, a third of them free text.
    let rec = common::record("bezoek-autosave", "Appelboom", 60, 2, 1);
    vault.save_draft(&rec).expect("first save");
    let key = age::x25519::Identity::generate();
    let same_bytes = encrypt(&encode_record(&rec).expect("encode"), &[&key.to_public()]).expect("encrypt");
    eprintln!("autosave: record ciphertext is {} bytes", same_bytes.len());
    let bare = dir.path().join("bare.age");

    let mut g = c.benchmark_group("autosave");
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("bare_durable_write", |b| {
        b.iter(|| write_atomic(&RealFs, black_box(&bare), black_box(&same_bytes)).expect("write"))
    });
    g.bench_function("save_draft", |b| b.iter(|| vault.save_draft(black_box(&rec)).expect("save")));
    g.finish();
}

fn open_10k(c: &mut Criterion) {
    let dir = support::big_vault();
    assert_eq!(support::open_and_list(&dir), support::FINALIZED + support::DRAFTS);
    let mut g = c.benchmark_group("open");
    g.bench_function("open_unlock_list_10000", |b| b.iter(|| black_box(support::open_and_list(&dir))));
    g.finish();
}

criterion_group!(benches, autosave, open_10k);
criterion_main!(benches);
