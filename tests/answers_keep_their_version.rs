//! Versions per answer (record format 5): a draft that continues on a newer
//! checklist version keeps which answers were given under which version,
//! in the record and in the visit JSON the office writes.

use std::sync::Arc;

use safevisit::checklist::model::{Checklist, Origin};
use safevisit::checklist::{Catalog, SourceFile};
use safevisit::store::envelope::{decode_record, encode_record};
use safevisit::visit::record::{EarlierVersion, summary};
use safevisit::visit::report::{Status, visit_json};
use safevisit::visit::{Answer, Visit, derive};
use time::macros::{date, datetime};

/// The Kersenboom network map (fictional), in `version` with the wording
/// of the second question changed each time.
fn netwerk(version: u32) -> Arc<Checklist> {
    let text = format!(
        r#"format = 1
id = "kersen-netwerk"
version = {version}
applies_to = "visit"
title = {{ nl = "Netwerkkaart", en = "Network map" }}
description = {{ nl = "Wie helpt dit gezin?", en = "Who helps this family?" }}
notice = {{ nl = "Beslisondersteuning, geen besluit.", en = "Decision support, not a decision." }}

[[sections]]
id = "netwerk"
title = {{ nl = "Netwerk", en = "Network" }}

[[sections.items]]
id = "opvang"
kind = "yes_no"
text = {{ nl = "Is er opvang voor Mila?", en = "Is there care for Mila?" }}

[[sections.items]]
id = "hulp"
kind = "yes_no"
text = {{ nl = "Helpt familie mee (versie {version})?", en = "Does family help (version {version})?" }}

[[sections.items]]
id = "buren"
kind = "yes_no"
text = {{ nl = "Helpen de buren?", en = "Do the neighbours help?" }}
"#
    );
    let catalog = Catalog::build(
        Vec::new(),
        vec![SourceFile {
            path: format!("netwerk-v{version}.toml"),
            bytes: text.into_bytes(),
            origin: Origin::File(format!("netwerk-v{version}.toml")),
        }],
    );
    assert!(catalog.problems.is_empty(), "{:?}", catalog.problems);
    catalog.get("kersen-netwerk").unwrap().clone()
}

fn item(c: &Checklist, id: &str) -> usize {
    c.item_index(id).unwrap()
}

/// The record after a save and a read, as the vault does it.
fn stored(v: &Visit) -> safevisit::visit::record::VisitRecord {
    decode_record(&encode_record(&v.to_record()).unwrap()).unwrap()
}

#[test]
fn answers_given_under_each_version_are_kept_apart() {
    let now = datetime!(2026-03-04 10:00);
    let (v1, v2, v3) = (netwerk(1), netwerk(2), netwerk(3));
    assert_ne!(v1.hash, v2.hash);

    // Started on version 1: two answers.
    let mut visit = Visit::new("v".into(), "Kersenboom".into(), date!(2026 - 03 - 04), now);
    visit.use_checklist(&v1);
    visit
        .set_answer(0, item(&v1, "opvang"), None, Some(Answer::Choice(0)), now)
        .unwrap();
    visit
        .set_answer(0, item(&v1, "hulp"), None, Some(Answer::Choice(1)), now)
        .unwrap();
    let rec = stored(&visit);
    assert!(
        rec.sheets[0].earlier.is_empty(),
        "all given under the version in use"
    );

    // Continued on version 2: both answers were given under version 1.
    let (mut visit, _) = Visit::from_record(&rec, |_| Some(v2.clone())).unwrap();
    let first = EarlierVersion {
        version: 1,
        hash: v1.hash.to_hex(),
        items: vec!["opvang".into(), "hulp".into()],
    };
    assert_eq!(visit.sheets[0].earlier, vec![first.clone()]);
    // `hulp` is answered again (changed) under version 2; `buren` is new;
    // `opvang` is given the same answer again, which changes nothing.
    visit
        .set_answer(0, item(&v2, "hulp"), None, Some(Answer::Choice(0)), now)
        .unwrap();
    visit
        .set_answer(0, item(&v2, "buren"), None, Some(Answer::Choice(0)), now)
        .unwrap();
    visit
        .set_answer(0, item(&v2, "opvang"), None, Some(Answer::Choice(0)), now)
        .unwrap();
    let rec = stored(&visit);
    assert_eq!(rec.sheets[0].checklist.version, 2);
    assert_eq!(
        rec.sheets[0].earlier,
        vec![EarlierVersion {
            items: vec!["opvang".into()],
            ..first.clone()
        }]
    );

    // Continued on version 3: `opvang` stays with version 1, `hulp` and
    // `buren` were given under version 2.
    let (visit, _) = Visit::from_record(&rec, |_| Some(v3.clone())).unwrap();
    let rec = stored(&visit);
    let second = EarlierVersion {
        version: 2,
        hash: v2.hash.to_hex(),
        items: vec!["hulp".into(), "buren".into()],
    };
    assert_eq!(
        rec.sheets[0].earlier,
        vec![
            EarlierVersion {
                items: vec!["opvang".into()],
                ..first
            },
            second
        ]
    );

    // The office's JSON shows the sheet's version and the earlier ones.
    let doc = visit_json(&rec, Status::Draft, &summary(&visit, &derive(&visit)));
    let sheet = &doc["sheets"][0];
    assert_eq!(sheet["version"], 3);
    assert_eq!(sheet["earlier_versions"][0]["version"], 1);
    assert_eq!(
        sheet["earlier_versions"][0]["items"],
        serde_json::json!(["opvang"])
    );
    assert_eq!(sheet["earlier_versions"][1]["version"], 2);
    assert_eq!(
        sheet["earlier_versions"][1]["hash"],
        serde_json::json!(v2.hash.to_hex())
    );
    assert_eq!(doc["schema_version"], 5);
}

#[test]
fn a_cleared_answer_is_listed_under_no_version() {
    let now = datetime!(2026-03-04 10:00);
    let (v1, v2) = (netwerk(1), netwerk(2));
    let mut visit = Visit::new("v".into(), "Kersenboom".into(), date!(2026 - 03 - 04), now);
    visit.use_checklist(&v1);
    visit
        .set_answer(0, item(&v1, "opvang"), None, Some(Answer::Choice(1)), now)
        .unwrap();
    let (mut visit, _) = Visit::from_record(&stored(&visit), |_| Some(v2.clone())).unwrap();
    assert_eq!(visit.sheets[0].earlier.len(), 1);
    visit
        .set_answer(0, item(&v2, "opvang"), None, None, now)
        .unwrap();
    assert!(stored(&visit).sheets[0].earlier.is_empty());
}

#[test]
fn the_same_file_again_adds_no_earlier_version() {
    let now = datetime!(2026-03-04 10:00);
    let v1 = netwerk(1);
    let mut visit = Visit::new("v".into(), "Kersenboom".into(), date!(2026 - 03 - 04), now);
    visit.use_checklist(&v1);
    visit
        .set_answer(0, item(&v1, "opvang"), None, Some(Answer::Choice(1)), now)
        .unwrap();
    let (visit, _) = Visit::from_record(&stored(&visit), |_| Some(netwerk(1))).unwrap();
    assert!(visit.sheets[0].earlier.is_empty());
}
