use safevisit::supervisor::ledger::{BundleSeen, Ledger};
use std::time::Instant;
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() {
    let d = std::path::Path::new("target/office-bench-10k-v2");
    let ids = safevisit::supervisor::keys::load_identities(&d.join("org-key.txt")).unwrap();
    let ids: Vec<&dyn age::Identity> = ids
        .iter()
        .map(|i| i.as_ref() as &dyn age::Identity)
        .collect();
    let recs: Vec<Vec<u8>> = (1..=200)
        .map(|i| std::fs::read(d.join(format!("records/{i:05}.age"))).unwrap())
        .collect();
    let dir = std::path::PathBuf::from("/root/scratch/y/ledger-scratch");
    std::fs::create_dir_all(&dir).unwrap();
    let mut ledger = Ledger::open(&dir.join(format!("l-{}.sqlite", std::process::id()))).unwrap();
    let mut total = 0.0;
    for b in 0..25 {
        let rows: Vec<_> = recs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let p = safevisit::store::payload::decrypt(r, &ids, 1 << 24).unwrap();
                let mut rec = safevisit::store::envelope::decode_record(&p).unwrap();
                rec.id = format!("{}-{b}-{i}", rec.id);
                let fin = rec.finalized.as_mut().unwrap();
                fin.sequence = (b * 200 + i + 1) as u64;
                safevisit::supervisor::import::visit_row(rec, "ab".repeat(32), 1).unwrap()
            })
            .collect();
        let seen = BundleSeen {
            sha256: format!("{b:064}"),
            file_name: "bundle".into(),
            size: b as u64,
            seen_at: "2025-03-04T12:00:00".into(),
        };
        let t = Instant::now();
        let mut tx = ledger
            .begin_bundle(
                &seen,
                ("device-bench", "laptop-bench"),
                "2025-03-04T12:00:00",
                200,
            )
            .unwrap();
        for (row, ct) in rows.iter().zip(&recs) {
            tx.add(row, ct).unwrap();
        }
        tx.commit(200, 0, 0, 0).unwrap();
        total += t.elapsed().as_secs_f64();
    }
    println!("ledger {:.1} us/record", total * 1e6 / 5000.0);
}
