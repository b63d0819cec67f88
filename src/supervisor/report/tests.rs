//! The report's pure parts: the band scale and where values land on it,
//! the charts' markup, page file names, escaping.

use super::doc::{Both, Flag, Person, VisitDoc};
use super::svg::{self, Point, Scale, Span};
use super::{file_name, pages};
use crate::checklist::Catalog;
use crate::i18n::Lang;

fn attr(tag: &str, name: &str) -> f64 {
    let key = format!(" {name}=\"");
    let at = tag
        .find(&key)
        .unwrap_or_else(|| panic!("{name} not in {tag}"))
        + key.len();
    tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
}

/// The opening tag that holds `marker`.
fn tag<'a>(svg: &'a str, marker: &str) -> &'a str {
    let at = svg
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in {svg}"));
    let start = svg[..at].rfind('<').unwrap();
    &svg[start..at + svg[at..].find('>').unwrap()]
}

fn risico() -> Scale {
    let catalog = Catalog::bundled();
    let score = catalog
        .get("veiligheid")
        .and_then(|c| c.scores.iter().find(|s| s.id == "risico"))
        .cloned();
    Scale::of_score(score.as_ref(), &[(9, Some("hoog"))], None, Lang::Nl)
}

#[test]
fn the_risk_scale_has_the_checklists_bands_in_order() {
    let scale = risico();
    let ids: Vec<&str> = scale.bands.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["laag", "midden", "hoog"]);
    assert_eq!((scale.lo, scale.hi), (0, 15));
    assert_eq!(
        scale
            .bands
            .iter()
            .map(|b| (b.from, b.to))
            .collect::<Vec<_>>(),
        [(0, 2), (3, 5), (6, 15)]
    );
    assert_eq!(scale.band_of(5).map(|b| b.id.as_str()), Some("midden"));
}

#[test]
fn every_value_is_drawn_inside_its_own_band_and_no_other() {
    let scale = risico();
    for value in 0..=15 {
        let svg = svg::band_bar(&scale, value, "risico").into_string();
        let x = attr(tag(&svg, "class=\"marker\""), "x1");
        let mine = scale.band_of(value).unwrap().id.clone();
        for b in &scale.bands {
            let r = tag(&svg, &format!("data-band=\"{}\"", b.id));
            let (left, right) = (attr(r, "x"), attr(r, "x") + attr(r, "width"));
            assert_eq!(
                left < x && x < right,
                b.id == mine,
                "value {value} at {x}; band {} spans {left}–{right}",
                b.id
            );
        }
    }
}

#[test]
fn higher_values_sit_further_right() {
    let scale = risico();
    let xs: Vec<f64> = (0..=15)
        .map(|v| {
            let svg = svg::band_bar(&scale, v, "").into_string();
            attr(tag(&svg, "class=\"marker\""), "x1")
        })
        .collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
    // The scale's ends: the first slot starts at the left, the last ends at the right.
    assert!(xs[0] > 4.0 && xs[15] < svg::BAR.0 - 4.0);
}

#[test]
fn age_specific_bands_follow_the_band_the_value_was_recorded_in() {
    let catalog = Catalog::bundled();
    let score = catalog
        .get("trauma-kind")
        .and_then(|c| c.scores.iter().find(|s| s.id == "reacties"))
        .expect("trauma-kind reacties");
    let groups: Vec<Option<usize>> = score.bands.iter().map(|b| b.age_band).collect();
    assert!(
        groups.iter().any(Option::is_some),
        "reacties has bands per age band"
    );
    // With the person's age band known, the scale is that age band's.
    for b in score.bands.iter().filter(|b| b.age_band.is_some()) {
        let value = b.from;
        let scale = Scale::of_score(Some(score), &[(value, Some(&b.id))], b.age_band, Lang::En);
        let band = scale.band_of(value).expect("a band");
        assert_eq!(band.id, b.id);
        assert_eq!(
            (band.from, band.label.as_str()),
            (b.from, b.label.en.as_str())
        );
        for other in &scale.bands {
            let of_this_age = score.bands.iter().any(|x| {
                x.id == other.id
                    && x.from == other.from
                    && (x.age_band == b.age_band || x.age_band.is_none())
            });
            assert!(of_this_age, "{} is not of the age band", other.id);
        }
    }
    // Without it, the set that puts the value in its recorded band: a
    // value that only one age band calls `b.id` picks that age band.
    for b in score.bands.iter().filter(|b| b.age_band.is_some()) {
        let unique = score
            .bands
            .iter()
            .filter(|x| x.contains(b.from) && x.id == b.id)
            .count()
            == 1;
        if unique {
            let scale = Scale::of_score(Some(score), &[(b.from, Some(&b.id))], None, Lang::En);
            assert_eq!(
                scale.band_of(b.from).map(|x| x.from),
                Some(b.from),
                "{}",
                b.id
            );
        }
    }
}

#[test]
fn a_score_without_a_definition_still_gets_a_scale() {
    let scale = Scale::of_score(None, &[(7, None)], None, Lang::Nl);
    assert!(scale.bands.is_empty());
    assert!(scale.lo <= 7 && 7 <= scale.hi);
    let svg = svg::band_bar(&scale, 7, "x").into_string();
    assert!(svg.contains("data-value=\"7\""));
}

#[test]
fn the_line_chart_puts_each_value_in_its_stripe_and_breaks_for_missing_visits() {
    let scale = Scale {
        lo: 0,
        hi: 9,
        bands: vec![
            Span {
                id: "laag".into(),
                label: "Laag".into(),
                from: 0,
                to: 2,
            },
            Span {
                id: "hoog".into(),
                label: "Hoog: veel".into(),
                from: 3,
                to: 9,
            },
        ],
    };
    let points: Vec<Point> = [Some(1), None, Some(5)]
        .iter()
        .enumerate()
        .map(|(i, v)| Point {
            date: format!("2026-0{}-01", i + 1),
            value: *v,
            note: String::new(),
        })
        .collect();
    let svg = svg::line_chart(&scale, &points, "Mila", false).into_string();
    assert_eq!(
        svg.matches("<circle").count(),
        2,
        "no dot for the visit that did not measure"
    );
    for (value, band) in [(1, "laag"), (5, "hoog")] {
        let dot = tag(&svg, &format!("data-value=\"{value}\""));
        let stripe = tag(&svg, &format!("data-band=\"{band}\""));
        let (top, bottom) = (
            attr(stripe, "y"),
            attr(stripe, "y") + attr(stripe, "height"),
        );
        let y = attr(dot, "cy");
        assert!(
            top < y && y < bottom,
            "{value} at {y}, {band} {top}–{bottom}"
        );
    }
    // Every visit's date is on the axis; the band named up to its colon.
    for d in ["2026-01-01", "2026-02-01", "2026-03-01"] {
        assert!(svg.contains(d));
    }
    assert!(svg.contains(">Hoog</text>"));
    assert!(!svg.contains("<script") && !svg.contains("http"));
}

#[test]
fn band_names_beside_a_chart_never_overlap() {
    let bands: Vec<Span> = (0..5)
        .map(|i| Span {
            id: format!("b{i}"),
            label: format!("band {i}"),
            from: i,
            to: i,
        })
        .collect();
    let scale = Scale {
        lo: 0,
        hi: 60,
        bands,
    };
    let svg = svg::line_chart(&scale, &[], "", false).into_string();
    let ys: Vec<f64> = svg
        .match_indices("class=\"band-name\"")
        .map(|(i, _)| attr(&svg[i..i + svg[i..].find('>').unwrap()], "y"))
        .collect();
    assert_eq!(ys.len(), 5);
    assert!(ys.windows(2).all(|w| w[0] - w[1] >= 12.0 - 1e-9), "{ys:?}");
}

#[test]
fn page_names_are_plain_ids_or_a_hash() {
    assert_eq!(file_name("kb-1_A"), "kb-1_A");
    for hostile in ["../x", "a/b", "", "x.html", "é", &"a".repeat(65)] {
        let name = file_name(hostile);
        assert!(
            name.starts_with("h-") && name.len() == 66,
            "{hostile:?} → {name}"
        );
        assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    }
    assert_ne!(file_name("../x"), file_name("../y"));
}

fn hostile_doc() -> VisitDoc {
    VisitDoc {
        id: "v-1".into(),
        red_flags: vec![Flag {
            checklist: "veiligheid".into(),
            flag: "acuut_geweld".into(),
            level: "acute".into(),
            message: Both {
                nl: "<b>gevaar</b>".into(),
                en: "danger".into(),
            },
            person: Person {
                kind: "child".into(),
                id: Some(1),
                alias: Some("<i>Mila</i>\u{202e}".into()),
            },
            action_taken: "</td><script>x()</script>".into(),
            state: "active".into(),
            ..Flag::default()
        }],
        ..VisitDoc::default()
    }
}

#[test]
fn a_visit_page_escapes_what_came_from_the_laptop() {
    let line = super::data::VisitLine {
        visit_no: 1,
        id: "v-1".into(),
        device_id: "d".into(),
        device_name: "<script>dev</script>".into(),
        sequence: 1,
        date: "2026-12-01".into(),
        label: "Kersenboom <script>alert(1)</script>".into(),
        case_id: Some("../../x".into()),
        follows: None,
        verdict: Some("<img src=x>".into()),
        flags: [1, 0, 0],
    };
    let html = pages::visit(Lang::Nl, &Catalog::bundled(), &line, Some(&hostile_doc()));
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img") && !html.contains("<i>") && !html.contains("<b>gevaar"));
    assert!(!html.contains('\u{202e}'));
    assert!(html.contains("Kersenboom &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;/td&gt;&lt;script&gt;x()&lt;/script&gt;"));
    assert!(
        html.contains("\\u{202e}"),
        "the bidi control is written out"
    );
    // The case link goes to a hashed name inside the folder.
    assert!(html.contains(&format!("href=\"../cases/{}.html\"", file_name("../../x"))));
}

#[test]
fn a_visit_page_without_a_readable_document_says_so() {
    let line = super::data::VisitLine {
        visit_no: 1,
        id: "v-1".into(),
        device_id: "d".into(),
        device_name: "n".into(),
        sequence: 1,
        date: "2026-12-01".into(),
        label: "Appelboom".into(),
        case_id: None,
        follows: None,
        verdict: None,
        flags: [0, 0, 0],
    };
    let html = pages::visit(Lang::En, &Catalog::bundled(), &line, None);
    assert!(html.contains("This visit's document cannot be read"));
    assert!(VisitDoc::parse(b"not json").is_none());
}
