//! Promises the bundled checklists make in their wording, checked over every
//! checklist so that a new or changed one keeps them: acute red flags say
//! what to do now with 112 and Veilig Thuis, every checklist calls its
//! scores and outcomes decision support, every scored screening says it is
//! unvalidated and replaceable by a licensed instrument, and no text claims
//! a diagnosis.

mod common;

use common::catalog;
use safevisit::checklist::model::{Checklist, FlagLevel, ItemKind};
use safevisit::i18n::Text;

/// Every text of a checklist, with where it stands.
fn texts(c: &Checklist) -> Vec<(String, &Text)> {
    let mut out: Vec<(String, &Text)> = vec![
        ("title".into(), &c.title),
        ("description".into(), &c.description),
        ("notice".into(), &c.notice),
    ];
    for b in &c.age_bands {
        out.push((format!("age band {}", b.id), &b.label));
    }
    for s in &c.sections {
        out.push((format!("section {}", s.id), &s.title));
        if let Some(h) = &s.help {
            out.push((format!("section {} help", s.id), h));
        }
    }
    for it in &c.items {
        out.push((format!("item {}", it.id), &it.text));
        out.extend(
            it.band_text
                .iter()
                .map(|(_, t)| (format!("item {} band text", it.id), t)),
        );
        if let Some(h) = &it.help {
            out.push((format!("item {} help", it.id), h));
        }
        out.extend(
            it.options
                .iter()
                .map(|o| (format!("item {} option {}", it.id, o.id), &o.label)),
        );
    }
    for f in &c.red_flags {
        out.push((format!("flag {}", f.id), &f.message));
        out.push((format!("flag {} action", f.id), &f.action));
    }
    for s in &c.scores {
        out.push((format!("score {}", s.id), &s.title));
        for b in &s.bands {
            out.push((format!("score {} band {}", s.id, b.id), &b.label));
            out.push((format!("score {} band {} meaning", s.id, b.id), &b.meaning));
        }
    }
    for o in &c.outcomes {
        out.push((format!("outcome {}", o.id), &o.title));
        for r in &o.rules {
            out.push((format!("outcome {} {}", o.id, r.value), &r.label));
            if let Some(m) = &r.meaning {
                out.push((format!("outcome {} {} meaning", o.id, r.value), m));
            }
        }
    }
    out
}

#[test]
fn every_acute_flag_names_112_and_veilig_thuis_in_both_languages() {
    let cat = catalog();
    let mut acute = 0;
    for c in cat.all() {
        for f in c.red_flags.iter().filter(|f| f.level == FlagLevel::Acute) {
            acute += 1;
            for (lang, action) in [("nl", &f.action.nl), ("en", &f.action.en)] {
                assert!(
                    action.contains("112") && action.contains("0800-2000"),
                    "{}: acute flag `{}` ({lang}) must name 112 and Veilig Thuis 0800-2000",
                    c.id,
                    f.id
                );
            }
        }
    }
    assert!(acute >= 10, "the bundled set has acute flags ({acute})");
}

#[test]
fn every_checklist_calls_its_results_decision_support() {
    for c in catalog().all() {
        assert!(
            c.notice.nl.contains("beslisondersteuning, geen besluit"),
            "{}",
            c.id
        );
        assert!(
            c.notice.en.contains("decision support, not a decision"),
            "{}",
            c.id
        );
    }
}

#[test]
fn every_scored_screening_says_it_is_unvalidated_and_replaceable() {
    let cat = catalog();
    let scored: Vec<_> = cat.all().iter().filter(|c| !c.scores.is_empty()).collect();
    assert!(scored.len() >= 4);
    for c in scored {
        let nl = &c.description.nl;
        let en = &c.description.en;
        assert!(
            nl.contains("niet gevalideerd") && nl.contains("licentie"),
            "{}: {nl}",
            c.id
        );
        assert!(
            en.contains("not validated") && en.contains("licence"),
            "{}: {en}",
            c.id
        );
    }
}

#[test]
fn no_text_claims_a_diagnosis() {
    for c in catalog().all() {
        for (place, t) in texts(c) {
            let nl = t.nl.to_lowercase();
            let en = t.en.to_lowercase();
            assert_eq!(
                nl.matches("diagnose").count(),
                nl.matches("geen diagnose").count(),
                "{} {place}: {}",
                c.id,
                t.nl
            );
            assert_eq!(
                en.matches("diagnos").count(),
                en.matches("not a diagnosis").count(),
                "{} {place}: {}",
                c.id,
                t.en
            );
        }
    }
}

#[test]
fn trauma_screenings_refer_for_assessment_and_say_it_is_no_diagnosis() {
    let cat = catalog();
    for id in ["trauma-kind", "trauma-ouder"] {
        let c = cat.get(id).expect("bundled");
        let o = c
            .outcomes
            .iter()
            .find(|o| o.id == "verwijzing")
            .expect("outcome `verwijzing`");
        let refer = o
            .rules
            .iter()
            .find(|r| r.value == "verwijzen")
            .expect("value `verwijzen`");
        assert!(
            refer
                .label
                .nl
                .contains("Verwijzen voor onderzoek naar trauma"),
            "{id}"
        );
        let m = refer.meaning.as_ref().expect("meaning");
        assert!(
            m.nl.contains("geen diagnose") && m.en.contains("not a diagnosis"),
            "{id}"
        );
    }
}

/// The four lists of the content review (trauma screenings, family
/// analysis, help and coordination).
const CONTENT_LISTS: [&str; 4] = [
    "trauma-kind",
    "trauma-ouder",
    "gezinsanalyse",
    "hulp-en-regie",
];

#[test]
fn content_lists_are_version_2() {
    let cat = catalog();
    for id in CONTENT_LISTS {
        assert_eq!(cat.get(id).expect("bundled").version, 2, "{id}");
    }
}

#[test]
fn content_lists_use_the_words_of_the_field() {
    let cat = catalog();
    for id in CONTENT_LISTS {
        let c = cat.get(id).expect("bundled");
        for (place, t) in texts(c) {
            let nl = t.nl.to_lowercase();
            let en = t.en.to_lowercase();
            // "pleger", not the criminal-law "dader"; no media euphemism.
            assert!(!nl.contains("dader"), "{id} {place}: {}", t.nl);
            assert!(!nl.contains("gezinsdrama"), "{id} {place}: {}", t.nl);
            // "zelfdoding"; only the organisation keeps its name.
            assert_eq!(
                nl.matches("zelfmoord").count(),
                nl.matches("zelfmoordpreventie").count(),
                "{id} {place}: {}",
                t.nl
            );
            // A child is never "it" in English.
            for phrase in [
                "itself",
                "its own words",
                "made it ",
                "it feels",
                "it loves",
                "its age",
            ] {
                assert!(!en.contains(phrase), "{id} {place}: {}", t.en);
            }
            // The profile's full name.
            assert!(!nl.contains("complexe scheiding"), "{id} {place}: {}", t.nl);
        }
    }
}

#[test]
fn decisive_yes_no_items_of_the_content_lists_carry_no_double_negative() {
    let cat = catalog();
    for id in CONTENT_LISTS {
        let c = cat.get(id).expect("bundled");
        for it in c.items.iter().filter(|it| {
            matches!(it.kind, ItemKind::YesNo | ItemKind::YesNoUnknown)
                && it.options.iter().any(|o| o.points.is_some())
        }) {
            let nl = it.text.nl.to_lowercase();
            let count: usize = ["geen", "niet", "niemand", "nooit"]
                .iter()
                .map(|w| {
                    nl.split(|ch: char| !ch.is_alphanumeric())
                        .filter(|word| word == w)
                        .count()
                })
                .sum();
            assert!(count <= 1, "{id} {}: {}", it.id, it.text.nl);
        }
    }
}

#[test]
fn both_trauma_screenings_record_the_referral_under_fixed_ids() {
    let cat = catalog();
    for id in ["trauma-kind", "trauma-ouder"] {
        let c = cat.get(id).expect("bundled");
        let gedaan = &c.items[c.item_index("verwijzing_gedaan").expect("item")];
        let ids: Vec<&str> = gedaan.options.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["ja", "besproken", "nee"], "{id}");
        for item in ["verwijzing_naar", "verwijzing_datum"] {
            assert!(c.item_index(item).is_some(), "{id}: {item}");
        }
        let refer = c
            .outcomes
            .iter()
            .find(|o| o.id == "verwijzing")
            .and_then(|o| o.rules.iter().find(|r| r.value == "verwijzen"))
            .expect("verwijzen");
        let m = refer.meaning.as_ref().expect("meaning");
        assert!(m.nl.contains("niet-gevalideerde lijst"), "{id}: {}", m.nl);
        assert!(m.en.contains("unvalidated list"), "{id}: {}", m.en);
    }
}
/// Since the 2019 meldcode, reporting acute and structural unsafety to
/// Veilig Thuis is the norm, not an option: no structural flag of any
/// checklist says "overweeg een melding" (or "consider a report"), and every
/// structural flag of the safety check says reporting is the norm or needed.
#[test]
fn structural_flags_state_the_reporting_norm_and_never_consider_a_report() {
    let cat = catalog();
    for c in cat.all() {
        for f in c
            .red_flags
            .iter()
            .filter(|f| f.level == FlagLevel::Structural)
        {
            let nl = f.action.nl.to_lowercase();
            let en = f.action.en.to_lowercase();
            assert!(
                !nl.contains("overweeg een melding") && !nl.contains("overweeg melden"),
                "{}: structural flag `{}` offers reporting as an option: {}",
                c.id,
                f.id,
                f.action.nl
            );
            assert!(
                !en.contains("consider a report") && !en.contains("consider reporting"),
                "{}: structural flag `{}` offers reporting as an option: {}",
                c.id,
                f.id,
                f.action.en
            );
        }
    }
    let veiligheid = cat.get("veiligheid").expect("bundled");
    let structural: Vec<_> = veiligheid
        .red_flags
        .iter()
        .filter(|f| f.level == FlagLevel::Structural)
        .collect();
    assert!(structural.len() >= 10, "{}", structural.len());
    for f in &structural {
        assert!(
            f.action.nl.contains("0800-2000") && f.action.en.contains("0800-2000"),
            "veiligheid: structural flag `{}` names Veilig Thuis",
            f.id
        );
    }
    // The flags of structural unsafety itself say reporting is the norm.
    for id in [
        "herhaald_geweld",
        "getuige_geweld",
        "verwaarlozing",
        "hulp_zonder_effect",
        "eergerelateerd",
        "ongeboren_kind",
        "melden_onveilig",
        "melden_onveilig_eer",
        "meldcode_tegenstrijdig",
    ] {
        let f = structural
            .iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("structural flag `{id}`"));
        assert!(
            f.action.nl.contains("de norm") || f.message.nl.contains("de norm"),
            "veiligheid: `{id}` must say reporting is the norm: {}",
            f.action.nl
        );
        assert!(
            f.action.en.contains("the norm") || f.message.en.contains("the norm"),
            "veiligheid: `{id}` (en): {}",
            f.action.en
        );
    }
}

/// Every acute flag of the safety check names 112 and Veilig Thuis in both
/// languages (the general test above holds it for all checklists; this one
/// also counts the safety check's own acute flags, so none can silently
/// drop to another level).
#[test]
fn every_acute_flag_of_the_safety_check_names_112_and_veilig_thuis() {
    let cat = catalog();
    let c = cat.get("veiligheid").expect("bundled");
    let acute: Vec<_> = c
        .red_flags
        .iter()
        .filter(|f| f.level == FlagLevel::Acute)
        .collect();
    for id in [
        "acuut_geweld",
        "acuut_wapen",
        "acuut_doden",
        "acuut_zelfdoding_ouder",
        "kind_zonder_zorg",
        "acuut_baby",
        "acuut_seksueel",
        "seksueel_recent",
        "toegang_geweigerd",
        "eer_reis",
        "kind_onveilig",
        "kc_onveilig",
    ] {
        assert!(acute.iter().any(|f| f.id == id), "acute flag `{id}`");
    }
    for f in acute {
        for action in [&f.action.nl, &f.action.en] {
            assert!(
                action.contains("112") && action.contains("0800-2000"),
                "veiligheid: acute flag `{}`: {action}",
                f.id
            );
        }
    }
}

/// The safety check's language (issue 9): "pleger", not "dader";
/// "zelfdoding", not "zelfmoord" (the name 113 Zelfmoordpreventie aside); no
/// "gezinsdrama"; and a child is never "it" in English.
#[test]
fn the_safety_check_speaks_of_pleger_and_zelfdoding_and_never_calls_a_child_it() {
    let cat = catalog();
    let c = cat.get("veiligheid").expect("bundled");
    for (place, t) in texts(c) {
        let nl = t.nl.to_lowercase().replace("zelfmoordpreventie", "");
        for word in ["dader", "zelfmoord", "gezinsdrama"] {
            assert!(
                !nl.contains(word),
                "veiligheid {place}: `{word}` in {}",
                t.nl
            );
        }
        let en = format!(" {} ", t.en.to_lowercase());
        for phrase in [" itself", " its own", "it does not feel", "what it needs"] {
            assert!(
                !en.contains(phrase),
                "veiligheid {place}: `{phrase}` in {}",
                t.en
            );
        }
    }
}
