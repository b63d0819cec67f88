//! What the office's `visits.csv` makes of a finalized visit: the worker's
//! own safety verdict beside the computed one, the safety plan's count and
//! first deadline, the next contact, the framework; one `;`-separated slot
//! per roster child and caregiver in the per-person cells, also for a child
//! without a sheet; and findings derived from the per-person entries, so
//! that they agree with them. The visits are filled in through the real
//! checklist engine with the fictional families, finalized, taken into a
//! ledger as the import does, and read back from the CSV.

mod common;

use common::{Case, Family};
use safevisit::supervisor::Ledger;
use safevisit::supervisor::import::visit_row;
use safevisit::supervisor::ledger::BundleSeen;
use safevisit::supervisor::reports::csv;
use safevisit::visit::derive;
use safevisit::visit::record::{FinalRecord, summary};

/// The CSV as (header, rows), split on commas (the test values hold none).
fn table(ledger: &Ledger) -> (Vec<String>, Vec<Vec<String>>) {
    let (text, _) = csv(ledger, None).unwrap();
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let head = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (head, rows)
}

fn cell<'a>(head: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = head
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    &row[i]
}

/// Finalize `case` as visit number `sequence` and take it into `ledger`.
fn import(ledger: &mut Ledger, case: &Case, id: &str, sequence: u64) {
    let mut rec = case.visit.to_record();
    rec.id = id.into();
    rec.finalized = Some(FinalRecord {
        sequence,
        finalized_at: "2026-03-04T12:00:00".into(),
        device_id: "device-1".into(),
        device_name: "laptop-3".into(),
        summary: summary(&case.visit, &derive(&case.visit)),
    });
    let row = visit_row(rec, format!("{sequence:064}"), 2).expect("a finalized visit");
    let seen = BundleSeen {
        sha256: format!("{sequence:064}"),
        file_name: format!("bundle-{sequence}.age"),
        size: 1,
        seen_at: "2026-03-04T13:00:00".into(),
    };
    let mut tx = ledger
        .begin_bundle(&seen, ("device-1", "laptop-3"), "2026-03-04T12:30:00", 1)
        .unwrap();
    tx.add(&row, b"ciphertext").unwrap();
    tx.commit(1, 0, 0, 0).unwrap();
}

#[test]
fn per_person_cells_keep_one_slot_per_roster_child_and_caregiver() {
    let tmp = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(&tmp.path().join("safevisit.sqlite")).unwrap();

    // Familie Appelboom where only Sem (11), the second child, has a child
    // screening (as with a list that has no age band for Noor).
    let mut case = Case::family(Family::Appelboom, &["trauma-kind", "trauma-ouder"]);
    case.visit.sheets.retain(|s| {
        !(s.checklist.id == "trauma-kind" && s.person == safevisit::visit::Person::Child(1))
    });
    assert!(
        case.try_sheet("trauma-kind", safevisit::visit::Person::Child(1))
            .is_none()
    );
    case.sheet("trauma-kind", "Sem");
    import(&mut ledger, &case, "appelboom-noor-2", 1);

    // Familie Kersenboom: Mila (2) alone, no sheet at all for a child.
    let case = Case::family(Family::Kersenboom, &["trauma-ouder"]);
    import(&mut ledger, &case, "kersenboom", 2);

    let (head, rows) = table(&ledger);
    let appelboom = &rows[0];
    let sem_value = cell(&head, appelboom, "trauma-kind.verwijzing");
    // Noor's slot is empty and comes first; Sem's is the second.
    assert!(sem_value.starts_with(';'), "{sem_value}");
    assert_eq!(sem_value.split(';').count(), 2, "{sem_value}");
    assert!(!sem_value.split(';').nth(1).unwrap().is_empty());
    // A score with nothing answered yet: value 0 and no band. Both keep
    // two slots — the band cell is two empty slots, not one empty cell.
    let score = cell(&head, appelboom, "trauma-kind.gebeurtenissen");
    assert_eq!(score, ";0");
    let band = cell(&head, appelboom, "trauma-kind.gebeurtenissen.band");
    assert_eq!(band, ";");
    // Two caregivers, two slots.
    let parents = cell(&head, appelboom, "trauma-ouder.verwijzing");
    assert_eq!(parents.split(';').count(), 2, "{parents}");
    let kersenboom = &rows[1];
    assert_eq!(cell(&head, kersenboom, "trauma-kind.verwijzing"), "");
    assert_eq!(
        cell(&head, kersenboom, "trauma-ouder.verwijzing")
            .split(';')
            .count(),
        2
    );
}

#[test]
fn the_workers_verdict_the_plan_and_the_framework_reach_the_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(&tmp.path().join("safevisit.sqlite")).unwrap();
    let mut case = Case::family(Family::Appelboom, &["veiligheid", "hulp-en-regie"]);
    let s = case.sheet("veiligheid", "");
    case.set_all(
        s,
        &[
            ("herhaald_geweld", "ja"),
            ("eigen_oordeel", "voorwaardelijk_veilig"),
            ("volgend_contact", "2026-03-11"),
        ],
    );
    for (who, by) in [("Lotte", "2026-03-20"), ("Bram", "2026-03-07")] {
        let e = case.add_entry(s, "plan");
        case.set_entry_all(
            s,
            e,
            &[
                ("plan_wie", who),
                ("plan_wat", "Belt de wijkcoach als de ruzie oploopt."),
                ("plan_wanneer", by),
            ],
        );
    }
    case.set(s, "plan_evaluatie", "2026-04-01");
    let h = case.sheet("hulp-en-regie", "");
    case.set(h, "kader", "drang");
    import(&mut ledger, &case, "appelboom-plan", 1);

    let (head, rows) = table(&ledger);
    let row = &rows[0];
    assert_eq!(
        cell(&head, row, "finding.safety_verdict"),
        "voorwaardelijk_veilig"
    );
    assert_eq!(
        cell(&head, row, "finding.safety_verdict_computed"),
        "structureel"
    );
    assert_eq!(cell(&head, row, "veiligheid.oordeel"), "structureel");
    assert_eq!(cell(&head, row, "finding.plan_agreements"), "2");
    assert_eq!(
        cell(&head, row, "finding.plan_first_deadline"),
        "2026-03-07"
    );
    assert_eq!(cell(&head, row, "finding.plan_evaluation"), "2026-04-01");
    assert_eq!(cell(&head, row, "finding.next_contact"), "2026-03-11");
    assert_eq!(cell(&head, row, "finding.framework"), "drang");
}

#[test]
fn derived_findings_agree_with_the_checklists_own_outcomes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(&tmp.path().join("safevisit.sqlite")).unwrap();
    // Familie Perenstraat: the entries come from the roster (Eva, Daan,
    // Finn, Lieke); no one needs help. Lieke (14) was spoken to alone,
    // Finn (9) only with his mother there. No name or age is typed.
    let mut case = Case::family(Family::Perenstraat, &["hulp-en-regie", "gezinsanalyse"]);
    let h = case.sheet("hulp-en-regie", "");
    for who in 0..4 {
        case.set_entry(h, who, "hp_nodig", "nee");
    }
    assert_eq!(case.outcome(h, "hulp").as_deref(), Some("niet_nodig"));
    let g = case.sheet("gezinsanalyse", "");
    let (finn, lieke) = (0, 1);
    case.set_entry_all(
        g,
        lieke,
        &[
            ("kv_gehoord", "ja"),
            ("kv_alleen", "ja"),
            ("kv_woorden", "Ik wil niet kiezen."),
        ],
    );
    case.set_entry_all(g, finn, &[("kv_gehoord", "ja"), ("kv_alleen", "nee")]);
    for parent in 0..2 {
        case.set_entry_all(g, parent, &[("ov_plan", "eens"), ("ov_gehoord", "ja")]);
    }
    assert_eq!(
        case.outcome(g, "kinderen_gehoord").as_deref(),
        Some("deels")
    );
    assert_eq!(
        case.outcome(g, "inspraak").as_deref(),
        Some("deels_gehoord")
    );
    import(&mut ledger, &case, "perenstraat", 1);

    let (head, rows) = table(&ledger);
    let row = &rows[0];
    assert_eq!(cell(&head, row, "hulp-en-regie.hulp"), "niet_nodig");
    assert_eq!(cell(&head, row, "finding.help"), "niet_nodig");
    assert_eq!(cell(&head, row, "finding.help_needed"), "0");
    assert_eq!(cell(&head, row, "gezinsanalyse.kinderen_gehoord"), "deels");
    assert_eq!(cell(&head, row, "finding.children_heard"), "deels");
    assert_eq!(cell(&head, row, "gezinsanalyse.ouders_plan"), "eens");
    assert_eq!(cell(&head, row, "finding.parents_heard"), "eens");
    assert_eq!(cell(&head, row, "gezinsanalyse.inspraak"), "deels_gehoord");
    assert_eq!(cell(&head, row, "finding.involvement"), "deels_gehoord");
}
