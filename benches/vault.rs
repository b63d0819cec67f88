//! Vault speed: autosave against a bare durable write of the same bytes,
//! and opening a vault of 10,000 visits to the listed index.
//! Figures: docs/PERFORMANCE.md, section "Vault".

use std::hint::black_box;
use std::time::{Duration, Instant};

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
    let same_bytes =
        encrypt(&encode_record(&rec).expect("encode"), &[&key.to_public()]).expect("encrypt");
    eprintln!("autosave: record ciphertext is {} bytes", same_bytes.len());
    // The bare write goes to the same folder as the draft (same directory fsync).
    let bare = dir.path().join("vault/drafts/.bare-benchmark");

    // The two are measured interleaved: each timed write is followed by an
    // untimed one of the other kind, so that both see the same disk, page
    // cache and machine load.
    let mut g = c.benchmark_group("autosave");
    g.measurement_time(Duration::from_secs(15));
    g.bench_function("bare_durable_write", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                vault.save_draft(&rec).expect("save");
                let t = Instant::now();
                write_atomic(&RealFs, black_box(&bare), black_box(&same_bytes)).expect("write");
                timed += t.elapsed();
            }
            timed
        })
    });
    g.bench_function("save_draft", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                write_atomic(&RealFs, &bare, &same_bytes).expect("write");
                let t = Instant::now();
                vault.save_draft(black_box(&rec)).expect("save");
                timed += t.elapsed();
            }
            timed
        })
    });
    g.finish();
    paired_ratio(&mut vault, &rec, &bare, &same_bytes);
    let mut g = c.benchmark_group("autosave");
    // Where the difference goes: encoding and encrypting the record.
    let device = age::x25519::Identity::generate().to_public();
    g.bench_function("encode_and_encrypt_only", |b| {
        b.iter(|| {
            encrypt(&encode_record(black_box(&rec)).expect("encode"), &[&device]).expect("encrypt")
        })
    });
    g.finish();
}

/// The ratio measured pair by pair (the order alternating), which is less
/// sensitive to a machine whose load changes during the run: the median of
/// 1,000 pairs, and the ratio of the two medians.
fn paired_ratio(
    vault: &mut safevisit::store::Vault,
    rec: &safevisit::visit::record::VisitRecord,
    bare: &std::path::Path,
    bytes: &[u8],
) {
    let mut ratios = Vec::with_capacity(1000);
    let mut saves = Vec::with_capacity(1000);
    let mut writes = Vec::with_capacity(1000);
    for i in 0..1000 {
        let time_save = |v: &mut safevisit::store::Vault| {
            let t = Instant::now();
            v.save_draft(rec).expect("save");
            t.elapsed().as_secs_f64()
        };
        let time_write = || {
            let t = Instant::now();
            write_atomic(&RealFs, bare, bytes).expect("write");
            t.elapsed().as_secs_f64()
        };
        let (s, w) = if i % 2 == 0 {
            let s = time_save(vault);
            (s, time_write())
        } else {
            let w = time_write();
            (time_save(vault), w)
        };
        ratios.push(s / w);
        saves.push(s);
        writes.push(w);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let (ms, mw) = (median(&mut saves), median(&mut writes));
    eprintln!(
        "autosave/paired: median save_draft {:.1} µs, median bare write {:.1} µs, ratio of medians {:.3}, median of pair ratios {:.3}",
        ms * 1e6,
        mw * 1e6,
        ms / mw,
        median(&mut ratios)
    );
}

fn open_10k(c: &mut Criterion) {
    let dir = support::big_vault();
    assert_eq!(
        support::open_and_list(&dir),
        support::FINALIZED + support::DRAFTS
    );
    let mut g = c.benchmark_group("open");
    g.bench_function("open_unlock_list_10000", |b| {
        b.iter(|| black_box(support::open_and_list(&dir)))
    });
    g.finish();
}

/// Finalize with its case card against finalize without one (a record
/// whose case id is empty makes no card: today's finalize before cases),
/// measured pair by pair, the order alternating.
fn finalize_with_case_card(_: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut vault, _org) = common::test_vault(&dir.path().join("vault"));
    let mut n = 0u64;
    let mut finalize = |v: &mut safevisit::store::Vault, card: bool| {
        n += 1;
        let id = format!("bezoek-{n}");
        let mut rec = common::record(&id, "Appelboom", 60, 2, n);
        rec.case_id = if card { id } else { String::new() };
        let t = Instant::now();
        v.finalize(rec, common::summary(), "2025-03-04T11:00:00")
            .expect("finalize");
        t.elapsed().as_secs_f64()
    };
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for i in 0..400 {
        if i % 2 == 0 {
            with.push(finalize(&mut vault, true));
            without.push(finalize(&mut vault, false));
        } else {
            without.push(finalize(&mut vault, false));
            with.push(finalize(&mut vault, true));
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let (mw, mo) = (median(&mut with), median(&mut without));
    eprintln!(
        "finalize/paired: median with case card {:.2} ms, without {:.2} ms, ratio {:.3}",
        mw * 1e3,
        mo * 1e3,
        mw / mo
    );
}

criterion_group!(benches, autosave, open_10k, finalize_with_case_card);
criterion_main!(benches);
