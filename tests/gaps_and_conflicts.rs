//! The ledger knows what is missing and what does not fit: sequence gaps
//! per device are reported and closed when the visits arrive later; a
//! different record under a known visit id, or another visit under a known
//! sequence number, is a conflict — kept aside with its ciphertext, never
//! merged, reported with exit 3.

mod office_support;
mod vault_support;

use office_support::*;

#[test]
fn two_devices_with_a_gap_that_closes_later() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    let mut b = laptop(&root.join("b"), "device-b", "laptop-7", &[&org]);
    finalize(&mut a, "appelboom", 1, 13, 5);
    let first = export(&mut a, root);
    finalize(&mut a, "appelboom", 14, 2, 5);
    let held_back = export(&mut a, root);
    finalize(&mut a, "appelboom", 16, 3, 5);
    let third = export(&mut a, root);
    finalize(&mut b, "kersenboom", 1, 2, 5);
    let other = export(&mut b, root);
    let office = root.join("kantoor");

    // A gap is no reason to refuse anything: exit 0, and it is named.
    let out = import(&office, &[&key], &[&first, &third, &other]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "18 new, 0 already imported, 0 rejected, gaps: 1"
    );
    assert!(
        stderr(&out).contains("device laptop-3 (device-a): visits 14–15 have not arrived"),
        "{}",
        stderr(&out)
    );
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(
        summary.contains("GAPS (1)\n  device laptop-3 (device-a): visits 14–15 have not arrived"),
        "{summary}"
    );
    assert!(
        summary.contains("laptop-3 (device-a): 16 visits, highest sequence 18, 2 missing"),
        "{summary}"
    );
    assert!(
        summary.contains("laptop-7 (device-b): 2 visits, highest sequence 2, 0 missing"),
        "{summary}"
    );

    // The visits arrive: the gap closes.
    let out = import(&office, &[&key], &[&held_back]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "2 new, 0 already imported, 0 rejected, gaps: 0"
    );
    assert!(
        stderr(&out).contains(
            "device laptop-3 (device-a): visit(s) 14–15 have now arrived; this gap is closed"
        ),
        "{}",
        stderr(&out)
    );
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(summary.contains("GAPS (0)"), "{summary}");
    let rows = csv_rows(&office);
    assert_eq!(rows.len(), 20);
    // Sorted by device name, then sequence.
    assert!(
        rows[13].starts_with("appelboom-00014,device-a,laptop-3,14,"),
        "{}",
        rows[13]
    );
    assert!(
        rows[18].starts_with("kersenboom-00001,device-b,laptop-7,1,"),
        "{}",
        rows[18]
    );
}

#[test]
fn a_different_record_under_a_known_id_is_kept_aside() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let org = age::x25519::Identity::generate();
    let key = key_file(root, "org-key.txt", &org);
    let mut a = laptop(&root.join("a"), "device-a", "laptop-3", &[&org]);
    // A backup of the laptop before its first visit (with its keys: the
    // office knows its bundles by its signing key).
    copy_dir(&root.join("a"), &root.join("a2"));
    finalize(&mut a, "appelboom", 1, 2, 5);
    let original = export(&mut a, root);
    // The same device set up again from that old backup: its visits reuse
    // ids and sequence numbers with other contents.
    let mut again = vault_support::reopen(&root.join("a2"));
    let rec = vault_support::record("appelboom-00001", "Appelboom anders", 5, 0, 99);
    again.finalize(rec, summary(), NOW).unwrap();
    let rec = vault_support::record("appelboom-nieuw", "Appelboom nieuw", 5, 0, 98);
    again.finalize(rec, summary(), NOW).unwrap();
    let clash = export(&mut again, root);
    let office = root.join("kantoor");

    let out = import(&office, &[&key], &[&original, &clash]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "2 new, 0 already imported, 0 rejected, gaps: 0, conflicts: 2"
    );
    assert!(
        stderr(&out)
            .contains("visit appelboom-00001 (sequence 1) arrived before with different contents"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("visit appelboom-nieuw claims sequence 2 which another visit has"),
        "{}",
        stderr(&out)
    );
    // The original stays; the conflicting copies are kept, still encrypted.
    assert_eq!(count(&office, "SELECT count(*) FROM visits"), 2);
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM visits WHERE label = 'Appelboom 1'"
        ),
        1
    );
    assert_eq!(count(&office, "SELECT count(*) FROM conflicts"), 2);
    assert_eq!(
        count(
            &office,
            "SELECT count(*) FROM conflicts WHERE kind = 'same_visit' AND substr(ciphertext, 1, 21) = CAST('age-encryption.org/v1' AS BLOB)"
        ),
        1
    );
    let summary = std::fs::read_to_string(office.join("summary.txt")).unwrap();
    assert!(summary.contains("CONFLICTS (2)"), "{summary}");
    assert!(
        summary.contains("a different copy of a visit already imported"),
        "{summary}"
    );

    // Seen again, the conflict is reported again but not stored twice.
    let out = import(&office, &[&key], &[&clash]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(count(&office, "SELECT count(*) FROM conflicts"), 2);
}
