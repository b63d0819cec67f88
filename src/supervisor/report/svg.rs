//! The report's charts, drawn in Rust as inline SVG: a score on its band
//! scale (a bar of band segments with a marker), and a value over a
//! family's visits (a line over shaded bands). No script, no font or image
//! fetched; the band names are written beside the chart as text, so that
//! neither colour nor position carries meaning alone.
//!
//! Pure: builds markup, writes nothing.
//!
//! The scale is one of whole numbers: value `v` takes the slot `[v, v+1)`,
//! a band `from..=to` the slots `[from, to+1)`, and a marker sits in the
//! middle of its slot, so a value is always drawn inside its own band.

use maud::{Markup, html};

use crate::checklist::model;
use crate::i18n::Lang;

/// A band on a scale: `from..=to`, low to high.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub id: String,
    pub label: String,
    pub from: i64,
    pub to: i64,
}

/// A scale of whole numbers `lo..=hi` with its bands (possibly none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scale {
    pub lo: i64,
    pub hi: i64,
    pub bands: Vec<Span>,
}

impl Scale {
    /// The scale of `score` for these values, with the bands that recorded
    /// them. A score whose bands depend on the age band (trauma-kind) has
    /// one set per age band: the person's `age_band` when known, otherwise
    /// the set that puts most values in the band they were recorded with.
    pub fn of_score(
        score: Option<&model::Score>,
        points: &[(i64, Option<&str>)],
        age_band: Option<usize>,
        lang: Lang,
    ) -> Scale {
        let (vmin, vmax) = points.iter().fold((i64::MAX, i64::MIN), |(a, b), (v, _)| {
            (a.min(*v), b.max(*v))
        });
        let Some(score) = score else {
            let lo = vmin.min(0);
            return Scale {
                lo,
                hi: vmax.max(lo + 1),
                bands: Vec::new(),
            };
        };
        let mut groups: Vec<Option<usize>> = Vec::new();
        for b in &score.bands {
            if !groups.contains(&b.age_band) {
                groups.push(b.age_band);
            }
        }
        let specific = groups.iter().any(Option::is_some);
        let set = |group: Option<usize>| -> Vec<&model::Band> {
            score
                .bands
                .iter()
                .filter(|b| !specific || b.age_band == group || b.age_band.is_none())
                .collect()
        };
        let matches = |bands: &[&model::Band]| {
            points
                .iter()
                .filter(|(v, band)| {
                    bands
                        .iter()
                        .find(|b| b.contains(*v))
                        .is_some_and(|b| Some(b.id.as_str()) == *band)
                })
                .count()
        };
        let candidates: Vec<Option<usize>> = match (specific, age_band) {
            (false, _) => vec![None],
            (true, Some(g)) if groups.contains(&Some(g)) => vec![Some(g)],
            (true, _) => groups.iter().copied().filter(Option::is_some).collect(),
        };
        let mut best: Vec<&model::Band> = Vec::new();
        let mut best_n = None;
        for g in candidates {
            let bands = set(g);
            let n = matches(&bands);
            if best_n.is_none_or(|b| n > b) {
                best_n = Some(n);
                best = bands;
            }
        }
        best.sort_by_key(|b| b.from);
        let mut lo = score.range.0;
        let mut hi = score.range.1;
        if !points.is_empty() {
            lo = lo.min(vmin);
            hi = hi.max(vmax);
        }
        if let Some(first) = best.first() {
            lo = lo.min(first.from);
        }
        for b in &best {
            if let Some(to) = b.to {
                hi = hi.max(to);
            }
        }
        if hi <= lo {
            hi = lo + 1;
        }
        let bands = best
            .iter()
            .map(|b| Span {
                id: b.id.clone(),
                label: match lang {
                    Lang::Nl => b.label.nl.clone(),
                    Lang::En => b.label.en.clone(),
                },
                from: b.from.max(lo),
                to: b.to.unwrap_or(hi).min(hi),
            })
            .filter(|s| s.to >= s.from)
            .collect();
        Scale { lo, hi, bands }
    }

    /// The share of the scale (0 to 1) where slot `v` starts.
    fn at(&self, v: f64) -> f64 {
        (v - self.lo as f64) / ((self.hi + 1 - self.lo) as f64)
    }

    /// The band `value` lies in.
    pub fn band_of(&self, value: i64) -> Option<&Span> {
        self.bands.iter().find(|b| value >= b.from && value <= b.to)
    }
}

/// A band's name as it fits beside a chart: up to a colon, at most 28
/// characters (the full name is in the legend under the chart).
pub fn short(label: &str) -> String {
    let head = label.split(':').next().unwrap_or(label).trim();
    if head.chars().count() <= 28 {
        head.to_string()
    } else {
        let cut: String = head.chars().take(27).collect();
        format!("{cut}…")
    }
}

fn n1(x: f64) -> String {
    format!("{x:.1}")
}

/// Width and height of the band bar.
pub const BAR: (f64, f64) = (360.0, 40.0);

/// A score on its band scale: a segment per band (shaded light to dark,
/// low to high), a marker at the value, the scale's ends and the band
/// boundaries as numbers. `title`: what a screen reader says.
pub fn band_bar(scale: &Scale, value: i64, title: &str) -> Markup {
    let (w, _) = BAR;
    let x = |v: f64| 4.0 + scale.at(v) * (w - 8.0);
    let n = scale.bands.len();
    let marker = x(value as f64 + 0.5);
    html! {
        svg class="bar" role="img" width=(w) height=(BAR.1)
            viewBox={ "0 0 " (w) " " (BAR.1) } aria-label=(title) {
            title { (title) }
            rect class="scale" x="4" y="6" width=(n1(w - 8.0)) height="16" {}
            @for (i, b) in scale.bands.iter().enumerate() {
                rect class={ "band " (shade(i, n)) } data-band=(b.id) x=(n1(x(b.from as f64)))
                    y="6" width=(n1(x(b.to as f64 + 1.0) - x(b.from as f64))) height="16" {}
                @if i > 0 {
                    text class="tick" x=(n1(x(b.from as f64))) y="36" text-anchor="middle" { (b.from) }
                }
            }
            text class="tick" x="4" y="36" text-anchor="start" { (scale.lo) }
            text class="tick" x=(n1(w - 4.0)) y="36" text-anchor="end" { (scale.hi) }
            line class="marker" data-value=(value) x1=(n1(marker)) x2=(n1(marker)) y1="1" y2="27" {}
            path class="marker-head" d={ "M" (n1(marker - 5.0)) " 1 L" (n1(marker + 5.0)) " 1 L" (n1(marker)) " 7 Z" } {}
        }
    }
}

/// The class of band `i` of `n`: shades from light to dark (neutral:
/// a high band is not always the worse one).
fn shade(i: usize, n: usize) -> &'static str {
    const SHADES: [&str; 5] = ["s0", "s1", "s2", "s3", "s4"];
    if n <= 1 {
        return SHADES[1];
    }
    SHADES[(i * 4 + (n - 1) / 2) / (n - 1)]
}

/// A point of a line chart: the visit's date, its value (none when the
/// visit did not record it), and what the point's tooltip says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub date: String,
    pub value: Option<i64>,
    pub note: String,
}

/// Size of the line chart.
pub const CHART: (f64, f64) = (640.0, 200.0);
const LEFT: f64 = 34.0;
const RIGHT: f64 = 190.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 30.0;

/// Values over visits in order: the bands as horizontal stripes (named at
/// the right), a line through the recorded values, a dot per value, the
/// dates below. `labels`: a value is named by its band (an ordinal scale
/// such as the verdict) instead of by numbers on the axis.
pub fn line_chart(scale: &Scale, points: &[Point], title: &str, ordinal: bool) -> Markup {
    let (w, h) = CHART;
    let plot_w = w - LEFT - RIGHT;
    let plot_h = h - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h * (1.0 - scale.at(v));
    let n = points.len().max(1);
    let x = |i: usize| LEFT + (i as f64 + 0.5) * plot_w / n as f64;
    let step = n.div_ceil(6);
    let coords: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.value.map(|v| (x(i), y(v as f64 + 0.5))))
        .collect();
    let line: String = coords
        .iter()
        .map(|(a, b)| format!("{},{}", n1(*a), n1(*b)))
        .collect::<Vec<_>>()
        .join(" ");
    let nb = scale.bands.len();
    // Each band named level with its middle, but never closer than a line
    // to the name below it (narrow bands would print names over each other).
    let mut names: Vec<f64> = Vec::with_capacity(nb);
    for b in &scale.bands {
        let middle = (y(b.from as f64) + y(b.to as f64 + 1.0)) / 2.0 + 4.0;
        let y = names
            .last()
            .map_or(middle, |below: &f64| middle.min(below - 12.0));
        names.push(y);
    }
    html! {
        svg class="chart" role="img" width=(w) height=(h)
            viewBox={ "0 0 " (w) " " (h) } aria-label=(title) {
            title { (title) }
            rect class="scale" x=(LEFT) y=(TOP) width=(n1(plot_w)) height=(n1(plot_h)) {}
            @for (i, b) in scale.bands.iter().enumerate() {
                rect class={ "band " (shade(i, nb)) } data-band=(b.id) x=(LEFT)
                    y=(n1(y(b.to as f64 + 1.0))) width=(n1(plot_w))
                    height=(n1(y(b.from as f64) - y(b.to as f64 + 1.0))) {}
                text class="band-name" x=(n1(LEFT + plot_w + 6.0)) y=(n1(names[i])) { (short(&b.label)) }
            }
            @if !ordinal {
                text class="tick" x=(n1(LEFT - 4.0)) y=(n1(y(scale.lo as f64 + 0.5) + 4.0)) text-anchor="end" { (scale.lo) }
                text class="tick" x=(n1(LEFT - 4.0)) y=(n1(y(scale.hi as f64 + 0.5) + 4.0)) text-anchor="end" { (scale.hi) }
            }
            @if coords.len() > 1 {
                polyline class="line" points=(line) {}
            }
            @for (i, p) in points.iter().enumerate() {
                @if let Some(v) = p.value {
                    circle class="dot" data-value=(v) cx=(n1(x(i))) cy=(n1(y(v as f64 + 0.5))) r="4" {
                        title { (p.date) ": " (p.note) }
                    }
                }
                @if i % step == 0 || i + 1 == points.len() {
                    text class="tick" x=(n1(x(i))) y=(n1(h - 10.0)) text-anchor="middle" { (p.date) }
                }
            }
        }
    }
}
