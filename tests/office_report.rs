//! The office report (`DIR/report/`): acute red flags first, a page per
//! visit and per case, every score on its bands, each child's screening
//! over time; self-contained (nothing outside the folder), escaped, files
//! 0600 in folders 0700; and the same pages in a real browser (Debian's
//! headless `chromium`), with screenshots kept under
//! `target/test-artefacts/`.

mod office_support;
mod report_support;
mod vault_support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use report_support::*;
use safevisit::checklist::Catalog;
use safevisit::i18n::Lang;
use safevisit::supervisor::db::Db;
use safevisit::supervisor::ledger::{FILE, Ledger};
use safevisit::supervisor::report::{self, write_report};

/// Write the report of the office at `dir` in `lang`.
fn write(dir: &Path, lang: Lang) -> report::ReportWritten {
    let ledger = Ledger::open(&dir.join(FILE)).expect("open the ledger");
    let db = Db::open_sqlite(&dir.join(FILE)).expect("open the ledger for the report");
    write_report(&ledger, &db, dir, lang, &Catalog::bundled()).expect("write the report")
}

/// The office of the fictional families, its report written in `lang`.
fn families_office(lang: Lang) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let conn = office(dir.path());
    families(&conn);
    drop(conn);
    write(dir.path(), lang);
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Every file under `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The part of `html` from `start` to the next `end` (or the rest).
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in the page"));
    let rest = &html[from..];
    &rest[..rest[start.len()..]
        .find(end)
        .map_or(rest.len(), |i| i + start.len())]
}

/// The values of attribute `name` on the page.
fn attributes<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let key = format!(" {name}=\"");
    html.match_indices(&key)
        .map(|(i, _)| {
            let rest = &html[i + key.len()..];
            &rest[..rest.find('"').unwrap_or(rest.len())]
        })
        .collect()
}

fn number(tag: &str, attr: &str) -> f64 {
    attributes(tag, attr)
        .first()
        .unwrap_or_else(|| panic!("{attr} not in {tag}"))
        .parse()
        .unwrap_or_else(|_| panic!("{attr} of {tag} is not a number"))
}

#[test]
fn the_report_has_an_index_a_page_per_visit_and_per_case_with_private_modes() {
    let dir = families_office(Lang::Nl);
    let root = dir.path().join("report");
    for page in [
        "index.html",
        "style.css",
        "visits/kb-1.html",
        "visits/kb-2.html",
        "visits/kb-3.html",
        "visits/ab-1.html",
        "cases/kb-1.html",
        "cases/ab-1.html",
    ] {
        let p = root.join(page);
        let mode = std::fs::metadata(&p)
            .unwrap_or_else(|e| panic!("{page}: {e}"))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{page} must be 0600");
    }
    for folder in ["", "visits", "cases"] {
        let mode = std::fs::metadata(root.join(folder))
            .expect("folder")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "report/{folder} must be 0700");
    }
    // And the stamp that says for what the visit pages were drawn.
    assert!(root.join(report::STAMP).is_file());
    assert_eq!(files(&root).len(), 9, "{:?}", files(&root));
}

#[test]
fn the_index_shows_acute_flags_first_newest_first_with_what_was_done() {
    let dir = families_office(Lang::Nl);
    let index = read(&dir.path().join("report/index.html"));
    // The sections in the order a supervisor needs them.
    let order = [
        "id=\"acuut\"",
        "id=\"gaten\"",
        "id=\"conflicten\"",
        "id=\"afgewezen\"",
        "id=\"vorig-ontbreekt\"",
        "id=\"bezoeken\"",
        "id=\"casussen\"",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|s| index.find(s).unwrap_or_else(|| panic!("{s} missing")))
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "sections out of order: {at:?}"
    );

    let acute = between(&index, "id=\"acuut\"", "</section>");
    let flags = attributes(acute, "data-flag");
    // Appelboom (12-04), then Kersenboom's two (12-03), then the acute
    // flag kept aside in a conflict (12-02): by date, never by a score.
    assert_eq!(
        flags,
        [
            "kind_onveilig",
            "acuut_geweld",
            "acuut_doden",
            "acuut_kind_alleen"
        ]
    );
    assert!(acute.contains("112 gebeld; Iris en Mila naar de opvang."));
    assert!(acute.contains("Sem slaapt vannacht bij zijn oma."));
    assert!(acute.contains("(kind Sem)"));
    assert!(acute.contains("href=\"visits/kb-3.html\""));
    assert!(acute.contains("wijkteam-noord-1 #3"));
    assert!(acute.contains("actief, bevestigd"));
    assert!(acute.contains("apart als conflict"));
    // Structural and attention flags are not acute.
    assert!(!acute.contains("herhaald_geweld") && !acute.contains("niet_getoetst"));

    let gaps = between(&index, "id=\"gaten\"", "</section>");
    assert!(gaps.contains("bezoek 4 is niet aangekomen"), "{gaps}");
    let refused = between(&index, "id=\"afgewezen\"", "</section>");
    assert!(refused.contains("zuid.age: geen bundel"), "{refused}");
    let visits = between(&index, "id=\"bezoeken\"", "</section>");
    for id in ["kb-1", "kb-2", "kb-3", "ab-1"] {
        assert!(
            visits.contains(&format!("href=\"visits/{id}.html\"")),
            "{id}"
        );
    }
    // By device, then date: Kersenboom's visits before Appelboom's.
    assert!(visits.find("kb-1.html") < visits.find("ab-1.html"));
}

#[test]
fn every_page_says_it_is_decision_support_in_its_language() {
    for (lang, code, words) in [
        (Lang::Nl, "nl", "Beslisondersteuning, geen besluit"),
        (Lang::En, "en", "Decision support, never a decision"),
    ] {
        let dir = families_office(lang);
        for f in files(&dir.path().join("report")) {
            if f.extension().is_some_and(|e| e == "html") {
                let page = read(&f);
                assert!(page.starts_with("<!DOCTYPE html>"), "{}", f.display());
                assert!(
                    page.contains(&format!("<html lang=\"{code}\">")),
                    "{}",
                    f.display()
                );
                assert!(page.contains(words), "{} lacks the notice", f.display());
            }
        }
    }
    let en = families_office(Lang::En);
    let index = read(&en.path().join("report/index.html"));
    assert!(index.contains("Acute red flags") && index.contains("What was done"));
    assert!(index.contains("EN: Er is nu direct gevaar door geweld."));
}

/// A reference on a page: where it points, or `None` for an anchor on the
/// same page.
fn target(page: &Path, root: &Path, link: &str) -> Option<PathBuf> {
    let path = link.split('#').next().unwrap_or("");
    if path.is_empty() {
        return None;
    }
    let mut at = page.parent().expect("a folder").to_path_buf();
    for part in path.split('/') {
        match part {
            ".." => {
                assert!(
                    at != root,
                    "{link} on {} leaves the report folder",
                    page.display()
                );
                at.pop();
            }
            "." | "" => panic!("{link} on {} is not a plain relative link", page.display()),
            p => at.push(p),
        }
    }
    Some(at)
}

#[test]
fn no_page_refers_to_anything_outside_the_report_folder() {
    let dir = families_office(Lang::Nl);
    let root = dir.path().join("report");
    for f in files(&root) {
        let text = read(&f);
        let lower = text.to_lowercase();
        for bad in [
            "http:",
            "https:",
            "//",
            "file:",
            "<script",
            "@import",
            "url(",
            "javascript:",
            "<iframe",
            "<object",
            "<embed",
            "<img",
            "data:",
        ] {
            assert!(!lower.contains(bad), "{} contains {bad}", f.display());
        }
        for attr in ["href", "src", "srcset", "action", "xlink:href", "poster"] {
            for link in attributes(&text, attr) {
                assert!(
                    !link.contains(':') && !link.starts_with('/'),
                    "{attr}={link} on {}",
                    f.display()
                );
                if let Some(t) = target(&f, &root, link) {
                    assert!(t.starts_with(&root), "{link} on {}", f.display());
                    assert!(t.is_file(), "{link} on {} points at nothing", f.display());
                }
            }
        }
    }
}

#[test]
fn a_hostile_family_label_renders_as_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let conn = office(dir.path());
    let mut v = visit(
        "hx-1",
        "dev-zuid",
        1,
        "2026-12-01",
        "<script>alert(1)</script>\"><img src=x onerror=alert(2)>\u{202e}kcab",
        "hx-1",
    );
    v.children = vec![(1, "<b>Mila</b>".into(), 2)];
    v.flags = vec![flag(
        "acute",
        "acuut_geweld",
        "Direct gevaar.",
        "<script>steal()</script>",
    )];
    v.scores = vec![score("veiligheid", "risico", None, 3, Some("midden"))];
    add(&conn, 1, &v);
    // A case id that is no plain id cannot name a path.
    conn.execute_batch(
        "UPDATE visits SET case_id = '../../etc/x' WHERE visit_id = 'hx-1';
         UPDATE cases SET case_id = '../../etc/x';",
    )
    .expect("hostile case id");
    drop(conn);
    write(dir.path(), Lang::Nl);
    let root = dir.path().join("report");
    for f in files(&root) {
        let text = read(&f);
        assert!(!text.contains("<script"), "{}", f.display());
        assert!(!text.contains("<img"), "{}", f.display());
        assert!(!text.contains("<b>Mila"), "{}", f.display());
        assert!(
            !text.contains('\u{202e}'),
            "{} holds a bidi control",
            f.display()
        );
        assert!(f.starts_with(&root));
    }
    let index = read(&root.join("index.html"));
    assert!(index.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x"));
    assert!(index.contains("&lt;script&gt;steal()&lt;/script&gt;"));
    let visit = read(&root.join("visits/hx-1.html"));
    assert!(visit.contains("&lt;b&gt;Mila&lt;/b&gt;"));
    let cases: Vec<PathBuf> = files(&root.join("cases"));
    assert_eq!(cases.len(), 1);
    let name = cases[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("h-") && name.ends_with(".html"), "{name}");
}

#[test]
fn only_new_or_missing_visit_pages_are_drawn_again_unless_the_language_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let conn = office(dir.path());
    families(&conn);
    let first = write(dir.path(), Lang::Nl);
    assert_eq!((first.visit_pages, first.case_pages), (4, 2));

    // Nothing new: no visit page drawn, and the index and case pages are
    // the same bytes (left untouched), with the old acute flags and what
    // was done still on the index.
    let again = write(dir.path(), Lang::Nl);
    assert_eq!(again.visit_pages, 0);
    assert_eq!(again.unchanged, 2 + 1, "case pages and index unchanged");
    let index = read(&dir.path().join("report/index.html"));
    let acute = between(&index, "id=\"acuut\"", "</section>");
    assert_eq!(attributes(acute, "data-flag").len(), 4);
    assert!(acute.contains("112 gebeld; Iris en Mila naar de opvang."));
    assert!(read(&dir.path().join("report/cases/kb-1.html")).contains("kind Mila"));

    // A new visit: its page only; its case and the index change.
    let mut k4 = visit("kb-4", "dev-noord", 4, "2026-12-05", "Kersenboom", "kb-1");
    k4.children = vec![(1, "Mila".into(), 2)];
    k4.flags = vec![flag(
        "acute",
        "acuut_baby",
        "Een baby is in gevaar.",
        "Huisarts kijkt vandaag.",
    )];
    add(&conn, 5, &k4);
    let new = write(dir.path(), Lang::Nl);
    assert_eq!(new.visit_pages, 1);
    assert!(dir.path().join("report/visits/kb-4.html").is_file());
    let index = read(&dir.path().join("report/index.html"));
    let acute = between(&index, "id=\"acuut\"", "</section>");
    assert_eq!(
        attributes(acute, "data-flag")[0],
        "acuut_baby",
        "newest first"
    );
    assert!(read(&dir.path().join("report/cases/kb-1.html")).contains("../visits/kb-4.html"));

    // A page deleted by hand comes back.
    std::fs::remove_file(dir.path().join("report/visits/kb-1.html")).expect("remove");
    let back = write(dir.path(), Lang::Nl);
    assert_eq!(back.visit_pages, 1);
    assert!(dir.path().join("report/visits/kb-1.html").is_file());

    // Another language: every page again.
    let en = write(dir.path(), Lang::En);
    assert_eq!(en.visit_pages, 5);
    for id in ["kb-1", "kb-2", "kb-3", "kb-4", "ab-1"] {
        let page = read(&dir.path().join(format!("report/visits/{id}.html")));
        assert!(page.contains("<html lang=\"en\">"), "{id}");
    }
}

/// The band rectangle `band` of an SVG: its left and right edge.
fn band_edges(svg: &str, band: &str) -> (f64, f64) {
    let tag = between(svg, &format!("data-band=\"{band}\""), ">");
    let x = number(tag, "x");
    (x, x + number(tag, "width"))
}

#[test]
fn each_score_is_drawn_inside_its_band_on_the_visit_page() {
    let dir = families_office(Lang::Nl);
    let page = read(&dir.path().join("report/visits/kb-3.html"));
    // risico 9 lies in `hoog` (6–15), Mila's gebeurtenissen 4 in `meerdere`.
    for (score, band, value) in [("risico", "hoog", 9), ("gebeurtenissen", "meerdere", 4)] {
        let figure = between(&page, &format!("data-score=\"{score}\""), "</figure>");
        let (left, right) = band_edges(figure, band);
        let marker = between(figure, "class=\"marker\"", ">");
        assert_eq!(number(marker, "data-value"), value as f64);
        let x = number(marker, "x1");
        assert!(
            left < x && x < right,
            "{score} {value} at {x}, {band} is {left}–{right}"
        );
        for other in attributes(figure, "data-band") {
            if other != band {
                let (l, r) = band_edges(figure, other);
                assert!(!(l < x && x < r), "{score} marker also inside {other}");
            }
        }
    }
    // What was done, the verdict, the outcomes and the aliases are there.
    assert!(page.contains("112 gebeld; Iris en Mila naar de opvang."));
    assert!(page.contains("Acuut onveilig"));
    assert!(page.contains("Veiligheidsoordeel"));
    for alias in ["Mila", "Iris", "Ruben"] {
        assert!(between(&page, "id=\"gezin\"", "</section>").contains(alias));
    }
    // Acute first on the visit page too.
    let flags = attributes(between(&page, "id=\"signalen\"", "</section>"), "data-flag");
    assert_eq!(flags, ["acuut_geweld", "acuut_doden", "niet_getoetst"]);
}

#[test]
fn the_case_page_charts_the_verdict_risk_and_each_childs_screening_over_time() {
    let dir = families_office(Lang::Nl);
    let page = read(&dir.path().join("report/cases/kb-1.html"));
    let dots = |figure: &str| -> Vec<(f64, f64, f64)> {
        figure
            .match_indices("<circle")
            .map(|(i, _)| {
                let tag = &figure[i..i + figure[i..].find('>').unwrap()];
                (
                    number(tag, "data-value"),
                    number(tag, "cx"),
                    number(tag, "cy"),
                )
            })
            .collect()
    };
    // Mila's screening: 0, 2, 4 over three visits, rising on the chart
    // (SVG's y grows downwards), each dot in its band's stripe.
    let mila = between(&page, "data-score=\"gebeurtenissen\"", "</figure>");
    assert!(mila.contains("kind Mila"));
    let points = dots(mila);
    assert_eq!(
        points.iter().map(|p| p.0).collect::<Vec<_>>(),
        [0.0, 2.0, 4.0]
    );
    assert!(
        points[0].1 < points[1].1 && points[1].1 < points[2].1,
        "in date order"
    );
    assert!(
        points[0].2 > points[1].2 && points[1].2 > points[2].2,
        "rising"
    );
    for ((_, _, y), band) in points.iter().zip(["geen", "enkele", "meerdere"]) {
        let tag = between(mila, &format!("data-band=\"{band}\""), ">");
        let top = number(tag, "y");
        assert!(top < *y && *y < top + number(tag, "height"), "{band}");
    }
    // The risk score and the verdict, from conditionally safe to acute.
    let risk = dots(between(&page, "data-score=\"risico\"", "</figure>"));
    assert_eq!(
        risk.iter().map(|p| p.0).collect::<Vec<_>>(),
        [2.0, 4.0, 9.0]
    );
    let verdict = dots(between(&page, "class=\"series verdict\"", "</figure>"));
    assert_eq!(
        verdict.iter().map(|p| p.0).collect::<Vec<_>>(),
        [1.0, 3.0, 4.0]
    );
    // The visits in order, with links.
    let visits = between(&page, "id=\"bezoeken\"", "</section>");
    let links = attributes(visits, "href");
    assert_eq!(
        links,
        [
            "../visits/kb-1.html",
            "../visits/kb-2.html",
            "../visits/kb-3.html"
        ]
    );
}

/// Debian's chromium, or `None` (the test then says it was skipped).
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        let ok = Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| PathBuf::from(name))
    })
}

/// Run headless chromium on `page` with `args`; its stdout. One run at a
/// time, with a generous limit (a shared two-core machine).
fn run_chromium(bin: &Path, profile: &Path, page: &Path, args: &[String]) -> String {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start chromium");
    let started = std::time::Instant::now();
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("chromium did not finish {} in 180 s", page.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("chromium output");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_real_browser_shows_the_acute_section_first_and_every_flag() {
    let Some(bin) = chromium() else {
        eprintln!("skipped: chromium not found");
        return;
    };
    let dir = families_office(Lang::Nl);
    let root = dir.path().join("report");
    let profile = tempfile::tempdir().expect("profile dir");
    let artefacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artefacts");
    std::fs::create_dir_all(&artefacts).expect("artefacts folder");

    let dom = run_chromium(
        &bin,
        profile.path(),
        &root.join("index.html"),
        &["--dump-dom".into()],
    );
    assert!(dom.contains("<html lang=\"nl\">"), "{dom}");
    let body = between(&dom, "<body>", "</body>");
    // The first section of the rendered page is the acute one.
    let first = &body[body.find("<section").expect("a section")..];
    let tag = &first[..first.find('>').expect("a tag")];
    assert!(tag.contains("id=\"acuut\""), "the first section is {tag}");
    let acute = between(body, "<h2>Acute signalen", "</section>");
    for flag in [
        "kind_onveilig",
        "acuut_geweld",
        "acuut_doden",
        "acuut_kind_alleen",
    ] {
        assert!(
            acute.contains(&format!("data-flag=\"{flag}\"")),
            "{flag} not rendered"
        );
    }
    assert!(acute.contains("112 gebeld; Iris en Mila naar de opvang."));

    let visit = root.join("visits/kb-3.html");
    let dom = run_chromium(&bin, profile.path(), &visit, &["--dump-dom".into()]);
    let flags = between(&dom, "id=\"signalen\"", "</section>");
    for flag in ["acuut_geweld", "acuut_doden", "niet_getoetst"] {
        assert!(
            flags.contains(&format!("data-flag=\"{flag}\"")),
            "{flag} not rendered"
        );
    }
    assert!(
        dom.contains("<svg class=\"bar\""),
        "the band bars are inline SVG"
    );

    for (page, name) in [
        (root.join("index.html"), "report-index.png"),
        (visit, "report-visit.png"),
        (root.join("cases/kb-1.html"), "report-case.png"),
    ] {
        let shot = artefacts.join(name);
        let _ = std::fs::remove_file(&shot);
        run_chromium(
            &bin,
            profile.path(),
            &page,
            &[
                format!("--screenshot={}", shot.display()),
                "--window-size=1280,1600".into(),
            ],
        );
        let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot {name}: {e}"));
        assert!(png.starts_with(b"\x89PNG"), "{name} is not a PNG");
        assert!(
            png.len() > 10_000,
            "{name} looks empty ({} bytes)",
            png.len()
        );
    }
}

#[test]
fn an_import_writes_the_report_beside_the_other_outputs() {
    use office_support::*;
    let dir = tempfile::tempdir().expect("temp dir");
    let org = age::x25519::Identity::generate();
    let key = key_file(dir.path(), "org-key.txt", &org);
    let mut laptop = laptop(
        &dir.path().join("laptop"),
        "dev-a",
        "wijkteam-noord-1",
        &[&org],
    );
    let ids = finalize(&mut laptop, "ab", 1, 2, 10);
    let bundle = export(&mut laptop, &dir.path().join("out"));
    let office = dir.path().join("kantoor");
    let out = import(&office, &[&key], &[&bundle]);
    assert!(out.status.success(), "{}", stderr(&out));
    let index = read(&office.join("report/index.html"));
    assert!(
        index.contains("<html lang=\"en\">"),
        "the import ran with --lang en"
    );
    for id in &ids {
        assert!(
            index.contains(&format!("href=\"visits/{id}.html\"")),
            "{id}"
        );
        let page = office.join(format!("report/visits/{id}.html"));
        assert!(read(&page).contains("Decision support, never a decision"));
    }
}
