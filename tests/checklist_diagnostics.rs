//! How validation speaks to an author: rendered like rustc (source line,
//! carets, labels, secondary places) in one language, with stable codes;
//! as JSON for editors and CI; in the context of the files a checklist
//! ships with; and without ever blocking on or swallowing odd input.

mod validation_support;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use safevisit::checklist::SourceFile;
use safevisit::checklist::catalog::{validate, validate_in_context};
use safevisit::checklist::diagnostic::{Diagnostic, Severity, codes};
use safevisit::checklist::model::Origin;
use safevisit::i18n::Lang;
use validation_support::{HEAD, check, find, render};

fn file(path: &str, text: &str) -> SourceFile {
    SourceFile {
        path: path.into(),
        bytes: text.as_bytes().to_vec(),
        origin: Origin::File(path.into()),
    }
}

fn rendered(d: &[Diagnostic], src: &str, lang: Lang) -> String {
    let sources = HashMap::from([("lijst.toml".to_string(), src.to_string())]);
    d.iter()
        .map(|x| x.render(lang, &sources))
        .collect::<Vec<_>>()
        .join("\n")
}

const SECTION: &str = r#"
[[sections]]
id = "gezin"
title = { nl = "Gezin", en = "Family" }
"#;

/// One checklist per kind of mistake; each rendered in Dutch and English.
fn cases() -> Vec<(&'static str, String)> {
    let item = |body: &str| format!("{HEAD}{SECTION}\n[[sections.items]]\n{body}\n");
    vec![
        (
            "toml_unclosed_brace",
            format!(
                "{HEAD}{SECTION}\n[[sections.items]]\nid = \"a\"\nkind = \"yes_no\"\ntext = {{ nl = \"Veilig?\", en = \"Safe?\"\nhelp = {{ nl = \"x\", en = \"y\" }}\n"
            ),
        ),
        (
            "unknown_key",
            item(
                "id = \"a\"\nkind = \"yes_no\"\ntext = { nl = \"Veilig?\", en = \"Safe?\" }\nrequird = true",
            ),
        ),
        (
            "missing_key",
            item("id = \"a\"\ntext = { nl = \"Veilig?\", en = \"Safe?\" }"),
        ),
        (
            "wrong_type",
            item(
                "id = \"a\"\nkind = \"yes_no\"\ntext = { nl = \"Veilig?\", en = \"Safe?\" }\nrequired = \"ja\"",
            ),
        ),
        (
            "unknown_kind",
            item("id = \"a\"\nkind = \"ja_nee\"\ntext = { nl = \"Veilig?\", en = \"Safe?\" }"),
        ),
        (
            "missing_english",
            item("id = \"a\"\nkind = \"yes_no\"\ntext = { nl = \"Veilig?\" }"),
        ),
        (
            "duplicate_item",
            item(
                "id = \"a\"\nkind = \"yes_no\"\ntext = { nl = \"Veilig?\", en = \"Safe?\" }\n\n[[sections.items]]\nid = \"a\"\nkind = \"yes_no\"\ntext = { nl = \"Nog eens?\", en = \"Again?\" }",
            ),
        ),
        (
            "condition_two_mistakes",
            item(
                "id = \"a\"\nkind = \"yes_no\"\ntext = { nl = \"Veilig?\", en = \"Safe?\" }\n\n[[sections.items]]\nid = \"b\"\nkind = \"number\"\ntext = { nl = \"Hoeveel?\", en = \"How many?\" }\nshow_if = 'aa == \"ja\" and a == 3'",
            ),
        ),
        (
            "show_if_cycle",
            item(
                "id = \"a\"\nkind = \"yes_no\"\ntext = { nl = \"Veilig?\", en = \"Safe?\" }\nshow_if = 'b == \"ja\"'\n\n[[sections.items]]\nid = \"b\"\nkind = \"yes_no\"\ntext = { nl = \"Nog?\", en = \"More?\" }\nshow_if = 'a == \"nee\"'",
            ),
        ),
        ("empty_file", String::new()),
    ]
}

#[test]
fn each_kind_of_mistake_renders_like_a_compiler_in_dutch_and_english() {
    for (name, src) in cases() {
        let d = check(&src);
        assert!(!d.is_empty(), "{name}: no diagnostic");
        for d in &d {
            assert!(
                codes::ALL.iter().any(|(c, _, _)| *c == d.code),
                "{name}: undocumented code {}",
                d.code
            );
        }
        let nl = rendered(&d, &src, Lang::Nl);
        let en = rendered(&d, &src, Lang::En);
        assert!(nl.contains("fout["), "{name}:\n{nl}");
        assert!(en.contains("error["), "{name}:\n{en}");
        // One language per message: the Dutch rendering holds none of the
        // English words the validator uses.
        for english in [
            "unknown ",
            "missing ",
            "must be ",
            "cannot ",
            "defined twice",
            "depends on",
        ] {
            assert!(!nl.contains(english), "{name}: `{english}` in Dutch:\n{nl}");
        }
        insta::assert_snapshot!(format!("{name}_nl"), nl);
        insta::assert_snapshot!(format!("{name}_en"), en);
    }
}

#[test]
fn one_missing_brace_is_one_error_pointing_at_the_brace() {
    let (_, src) = cases().remove(0);
    let d = check(&src);
    assert_eq!(d.len(), 1, "{}", render(&d));
    assert_eq!(d[0].code, codes::TOML_SYNTAX);
    let opened = &d[0].secondary[0].at;
    let line = src.lines().nth(opened.line - 1).unwrap();
    assert!(line.starts_with("text = {"), "{line}");
    assert_eq!(opened.column, 8);
}

#[test]
fn every_mistake_in_one_condition_is_reported() {
    let src = &cases()[7].1;
    let d = check(src);
    find(&d, "unknown item `aa`");
    find(&d, "cannot compare a yes/no answer with a number");
    let d = check(&src.replace(
        "'aa == \"ja\" and a == 3'",
        "'children > 1 and \"één\" != \"ééé\" and aa == \"ja\"'",
    ));
    find(&d, "this compares two fixed values");
    find(&d, "unknown item `aa`");
}

#[test]
fn a_duplicate_points_at_the_first_definition() {
    let src = &cases()[6].1;
    let d = check(src);
    let dup = find(&d, "item `a` is defined twice");
    assert_eq!(dup.code, codes::DUPLICATE_ID);
    let first = &dup.secondary[0].at;
    assert!(first.line < dup.line);
    assert_eq!(&src[first.span.clone()], "\"a\"");
    assert_eq!(dup.secondary[0].label.get(Lang::En), "first defined here");
}

#[test]
fn a_cycle_names_every_step_with_its_place() {
    let src = &cases()[8].1;
    let d = check(src);
    let cycle = find(&d, "`show_if` depends on itself");
    assert_eq!(cycle.code, codes::SHOW_IF_CYCLE);
    assert_eq!(cycle.secondary.len(), 2, "{cycle:?}");
    let spans: Vec<&str> = cycle
        .secondary
        .iter()
        .map(|s| &src[s.at.span.clone()])
        .collect();
    assert_eq!(spans, ["b", "a"]);
    assert!(
        cycle.secondary[0]
            .label
            .get(Lang::Nl)
            .contains("hangt af van")
    );
    // The primary place is inside the condition, not at its quote.
    assert_eq!(&src[cycle.span.clone()], "b");
}

const NETWERKKAART: &str = r#"id = "netwerkkaart"
version = 1
applies_to = "caregiver"
title = { nl = "Netwerkkaart", en = "Network map" }
description = { nl = "Wie helpt.", en = "Who helps." }
notice = { nl = "Beslisondersteuning, geen besluit.", en = "Decision support, not a decision." }

[[sections]]
id = "opvang"
title = { nl = "Opvang", en = "Shelter" }
show_if = 'veiligheid.kinderen_veilig == "nee"'

[[sections.items]]
id = "opvang_netwerk"
kind = "yes_no"
text = { nl = "Kan iemand de kinderen opvangen?", en = "Can someone take the children in?" }
"#;

fn bundled_veiligheid() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists/veiligheid.toml"),
    )
    .unwrap()
}

/// The bundled `veiligheid` with `kinderen_veilig` renamed and the
/// version raised: valid on its own.
fn breaking_veiligheid() -> String {
    let v = bundled_veiligheid();
    let version = v
        .lines()
        .find(|l| l.starts_with("version = "))
        .unwrap()
        .to_string();
    let n: u32 = version["version = ".len()..].parse().unwrap();
    v.replace("kinderen_veilig\"", "kinderen_veilig_nu\"")
        .replace("kinderen_veilig ", "kinderen_veilig_nu ")
        .replace("kinderen_veilig)", "kinderen_veilig_nu)")
        .replace(&version, &format!("version = {}", n + 1))
}

#[test]
fn a_replacement_that_breaks_another_checklist_is_an_error_naming_both() {
    let nieuw = breaking_veiligheid();
    let alone = validate(vec![file("nieuw/veiligheid.toml", &nieuw)]);
    assert!(alone.is_empty(), "{}", render(&alone));
    let d = validate_in_context(
        vec![file("nieuw/veiligheid.toml", &nieuw)],
        vec![file("org/netwerkkaart.toml", NETWERKKAART)],
    );
    assert_eq!(d.len(), 1, "{}", render(&d));
    assert_eq!(d[0].code, codes::BREAKS_OTHER);
    assert_eq!(d[0].severity, Severity::Error);
    assert_eq!(d[0].path, "nieuw/veiligheid.toml");
    assert!(d[0].message.contains("org/netwerkkaart.toml"), "{}", d[0]);
    let other = &d[0].secondary[0];
    assert_eq!(other.at.path, "org/netwerkkaart.toml");
    assert_eq!(&NETWERKKAART[other.at.span.clone()], "kinderen_veilig");
    // The organisation's file is fine with the bundled one.
    let ok = validate_in_context(vec![file("org/netwerkkaart.toml", NETWERKKAART)], vec![]);
    assert!(ok.is_empty(), "{}", render(&ok));
}

#[test]
fn versions_that_would_not_be_used_are_pointed_out() {
    let bundled = bundled_veiligheid();
    // Same version as the bundled file, other wording: never used.
    let same = bundled.replacen("Veiligheidscheck", "Veiligheidscheck (org)", 1);
    let d = validate(vec![file("org/veiligheid.toml", &same)]);
    assert_eq!(d.len(), 1, "{}", render(&d));
    assert_eq!(
        (d[0].severity, d[0].code),
        (Severity::Hint, codes::VERSION_NOT_ABOVE)
    );
    assert_eq!(d[0].secondary[0].at.path, "bundled:veiligheid.toml");
    // The bundled file itself is not a problem.
    assert!(validate(vec![file("checklists/veiligheid.toml", &bundled)]).is_empty());
    // Same id and version in two organisation folders, different content.
    let a = NETWERKKAART.to_string();
    let b = NETWERKKAART.replace("Wie helpt.", "Wie helpt er?");
    let d = validate_in_context(
        vec![file("org-a/netwerkkaart.toml", &a)],
        vec![file("org-b/netwerkkaart.toml", &b)],
    );
    assert_eq!(d.len(), 1, "{}", render(&d));
    assert_eq!(
        (d[0].severity, d[0].code),
        (Severity::Warning, codes::SAME_VERSION_DIFFERS)
    );
}

fn safevisit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(args)
        .env_remove("SAFEVISIT_DATA_DIR")
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .env("XDG_DATA_HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .unwrap()
}

#[test]
fn validate_with_checklists_reports_the_breakage_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    let nieuw = dir.path().join("nieuw");
    std::fs::create_dir_all(&org).unwrap();
    std::fs::create_dir_all(&nieuw).unwrap();
    std::fs::write(org.join("netwerkkaart.toml"), NETWERKKAART).unwrap();
    let v = nieuw.join("veiligheid.toml");
    std::fs::write(&v, breaking_veiligheid()).unwrap();
    let out = safevisit(&["checklists", "validate", v.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = safevisit(&[
        "checklists",
        "validate",
        "--checklists",
        org.to_str().unwrap(),
        v.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("fout[SV0501]: met dit bestand laadt checklist `netwerkkaart`"),
        "{text}"
    );
    assert!(text.contains("netwerkkaart.toml:11:"), "{text}");
    assert!(text.contains("onbekende vraag `kinderen_veilig`"), "{text}");
}

#[test]
fn json_output_lists_every_diagnostic_with_its_range() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("kapot.toml");
    std::fs::write(&bad, &cases()[6].1).unwrap();
    let out = safevisit(&[
        "checklists",
        "validate",
        "--format",
        "json",
        "--lang",
        "en",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"], 1);
    assert_eq!(v["errors"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["file"], bad.to_str().unwrap());
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "SV0205");
    assert_eq!(d["message"], "item `a` is defined twice");
    assert_eq!(d["help"], "give each an id of its own");
    assert_eq!(d["line"], d["end_line"]);
    assert_eq!(
        d["end_column"].as_u64().unwrap() - d["column"].as_u64().unwrap(),
        3,
        "the range covers \"a\""
    );
    assert_eq!(d["secondary"][0]["label"], "first defined here");
    assert!(d["secondary"][0]["line"].as_u64() < d["line"].as_u64());
    // Dutch with --lang nl; an OK file gives an empty list and exit 0.
    let out = safevisit(&[
        "checklists",
        "validate",
        "--format",
        "json",
        bad.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["diagnostics"][0]["message"],
        "vraag `a` staat er twee keer"
    );
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists/veiligheid.toml");
    let out = safevisit(&[
        "checklists",
        "validate",
        "--format",
        "json",
        good.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn devices_fifos_and_oversized_files_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pijp.toml");
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        &fifo,
        rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
    )
    .unwrap();
    let zero = dir.path().join("nul.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let big = dir.path().join("groot.toml");
    std::fs::write(&big, vec![b'#'; 3 * 1024 * 1024 + 17]).unwrap();
    let clock = Instant::now();
    let out = safevisit(&[
        "checklists",
        "validate",
        "--lang",
        "en",
        "--format",
        "short",
        "/dev/zero",
        fifo.to_str().unwrap(),
        zero.to_str().unwrap(),
        big.to_str().unwrap(),
    ]);
    // Generous: a loaded machine; what matters is that it returned at all.
    assert!(clock.elapsed() < Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("/dev/zero:1:1: error[SV0102]: this is not a regular file but a device"),
        "{text}"
    );
    assert!(
        text.contains("pijp.toml:1:1: error[SV0102]: this is not a regular file but a pipe (FIFO)"),
        "{text}"
    );
    assert!(text.contains("nul.toml:1:1: error[SV0102]"), "{text}");
    assert!(
        text.contains("groot.toml:1:1: error[SV0101]: the file is 3145745 bytes; a checklist file may be at most 1048576 bytes"),
        "{text}"
    );
    assert!(text.contains("4 errors in 4 of 4 files"), "{text}");
}

#[test]
fn every_code_is_documented_in_the_checklist_guide() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/CHECKLISTS.md"))
            .unwrap();
    for (code, nl, en) in codes::ALL {
        assert!(
            doc.contains(&format!("| `{code}` | {nl} | {en} |")),
            "{code} is not in the table of docs/CHECKLISTS.md"
        );
    }
    let mut seen: Vec<&str> = codes::ALL.iter().map(|c| c.0).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), codes::ALL.len(), "a code is listed twice");
}

/// Many kinds of mistakes, each in a small checklist: every message, help
/// and label has its Dutch text (none falls back to English).
#[test]
fn every_message_of_these_mistakes_has_a_dutch_text() {
    let item = |body: &str| format!("{HEAD}{SECTION}\n[[sections.items]]\n{body}\n");
    let yes_no = "id = \"a\"\nkind = \"yes_no\"\ntext = { nl = \"Veilig?\", en = \"Safe?\" }";
    let mut sources: Vec<String> = cases().into_iter().map(|(_, s)| s).collect();
    for extra in [
        "show_if = 'a = \"ja\"'",
        "show_if = 'a == \"ja\" && a == \"nee\"'",
        "show_if = 'a == \"misschien\"'",
        "show_if = 'score(x) > 1'",
        "show_if = 'age > 3'",
        "show_if = 'a'",
        "show_if = 'onbekend.x == 1'",
        "show_if = 'a in []'",
        "show_if = '(a == \"ja\"'",
        "show_if = 'entries(gezin) > 0'",
        "show_if = 'roster.oudste > 1'",
        "show_if = 'person.age > 3'",
        "show_if = 'previous.value > 3'",
        "show_if = 'a == \"2026-13-01\" or laatste < \"gisteren\"'",
        "points = { ja = 1, misschien = 2 }",
        "min = 3",
        "max_length = 20",
        "band_text.oud = { nl = \"x\", en = \"y\" }",
        "[[sections.items.red_flags]]\nid = \"f\"\nwhen = 'a == \"ja\"'\nlevel = \"hoog\"\nmessage = { nl = \"x\", en = \"y\" }\naction = { nl = \"x\", en = \"y\" }",
        "[[sections.items.red_flags]]\nid = \"f\"\nlevel = \"acute\"\nmessage = { nl = \"x\", en = \"y\" }",
    ] {
        sources.push(item(&format!("{yes_no}\n{extra}")));
    }
    for body in [
        "id = \"s\"\nkind = \"scale\"\ntext = { nl = \"Hoe?\", en = \"How?\" }\nmin = 0\nmax = 200",
        "id = \"s\"\nkind = \"scale\"\ntext = { nl = \"Hoe?\", en = \"How?\" }\nmin = 0\nmax = 3\nmin_label = { nl = \"a\", en = \"b\" }\nmax_label = { nl = \"a\", en = \"b\" }\npoints = [1, 2]",
        "id = \"k\"\nkind = \"single_choice\"\ntext = { nl = \"Wie?\", en = \"Who?\" }\noptions = [{ id = \"x\", nl = \"X\", en = \"X\" }, { id = \"x\", nl = \"\", en = \"Y\" }]",
        "id = \"n\"\nkind = \"number\"\ntext = { nl = \"Hoeveel?\", en = \"How many?\" }\nmin = 5\nmax = 1\nunit = \"jaar\"",
        "id = \"Fout\"\nkind = \"yes_no\"\ntext = { nl = \"x\", en = \"y\" }",
        "id = \"children\"\nkind = \"yes_no\"\ntext = { nl = \"x\", en = \"y\" }",
    ] {
        sources.push(item(body));
    }
    let scored = format!(
        "{}\n[[scores]]\nid = \"s\"\ntitle = {{ nl = \"S\", en = \"S\" }}\nitems = [\"a\", \"zz\"]\n\n[[scores.bands]]\nid = \"laag\"\nfrom = 1\nto = 0\nlabel = {{ nl = \"L\", en = \"L\" }}\nmeaning = {{ nl = \"L\", en = \"L\" }}\n\n[[outcomes]]\nid = \"o\"\ntitle = {{ nl = \"O\", en = \"O\" }}\n\n[[outcomes.rules]]\nvalue = \"Hoog\"\nlabel = {{ nl = \"H\", en = \"H\" }}\n\n[[outcomes.rules]]\nwhen = 'band(s) == \"midden\" or outcome(p) == \"x\"'\nvalue = \"laag\"\nlabel = {{ nl = \"L\", en = \"L\" }}\n",
        item(yes_no)
    );
    sources.push(scored);
    sources.push(
        HEAD.replace("version = 1", "format = 2\nversion = 0")
            .replace("\"visit\"", "\"bezoek\""),
    );
    let mut seen = 0;
    let mut english_only = Vec::new();
    for src in &sources {
        for d in check(src) {
            seen += 1;
            if d.message.nl.is_none() {
                english_only.push(format!("message: {}", d.message.en));
            }
            if let Some(h) = d.help.as_ref().filter(|h| h.nl.is_none()) {
                english_only.push(format!("help of {}: {}", d.message.en, h.en));
            }
            for s in d.secondary.iter().filter(|s| s.label.nl.is_none()) {
                english_only.push(format!("label: {}", s.label.en));
            }
        }
    }
    assert!(english_only.is_empty(), "{}", english_only.join("\n"));
    assert!(seen >= 40, "only {seen} diagnostics");
}

#[test]
fn one_mistake_does_not_cascade_into_others() {
    // A repeatable section without its `entry_label`: still repeatable.
    let src = format!(
        "{HEAD}\n[[sections]]\nid = \"plan\"\ntitle = {{ nl = \"Plan\", en = \"Plan\" }}\nrepeat = true\n\n[[sections.items]]\nid = \"wie\"\nkind = \"short_text\"\ntext = {{ nl = \"Wie?\", en = \"Who?\" }}\n\n[[red_flags]]\nid = \"geen_plan\"\nwhen = 'entries(plan) == 0'\nlevel = \"attention\"\nmessage = {{ nl = \"Geen plan.\", en = \"No plan.\" }}\naction = {{ nl = \"Maak er een.\", en = \"Make one.\" }}\n"
    );
    let d = check(&src);
    assert_eq!(d.len(), 1, "{}", render(&d));
    find(&d, "is missing `entry_label`");
    // A scale whose range is wrong is not also "without points" in a score.
    let score = |body: &str| {
        format!(
            "{HEAD}{SECTION}\n[[sections.items]]\n{body}\n\n[[scores]]\nid = \"s\"\ntitle = {{ nl = \"S\", en = \"S\" }}\nitems = [\"x\"]\n\n[[scores.bands]]\nid = \"alles\"\nfrom = 0\nlabel = {{ nl = \"A\", en = \"A\" }}\nmeaning = {{ nl = \"A\", en = \"A\" }}\n"
        )
    };
    let d = check(&score(
        "id = \"x\"\nkind = \"scale\"\ntext = { nl = \"Hoe?\", en = \"How?\" }\nmin = 0\nmax = 200\nmin_label = { nl = \"a\", en = \"a\" }\nmax_label = { nl = \"b\", en = \"b\" }",
    ));
    assert_eq!(d.len(), 1, "{}", render(&d));
    find(&d, "a scale's `max` must be above `min`");
    // A text item in a score says so plainly.
    let d = check(&score(
        "id = \"x\"\nkind = \"short_text\"\ntext = { nl = \"Wat?\", en = \"What?\" }",
    ));
    find(
        &d,
        "item `x` is of kind short_text and cannot count towards a score",
    );
}

#[test]
fn an_overlap_of_bands_points_at_where_the_band_starts() {
    let src = format!(
        "{HEAD}{SECTION}\n[[sections.items]]\nid = \"x\"\nkind = \"scale\"\ntext = {{ nl = \"Hoe?\", en = \"How?\" }}\nmin = 0\nmax = 10\nmin_label = {{ nl = \"a\", en = \"a\" }}\nmax_label = {{ nl = \"b\", en = \"b\" }}\n\n[[scores]]\nid = \"s\"\ntitle = {{ nl = \"S\", en = \"S\" }}\nitems = [\"x\"]\n\n[[scores.bands]]\nid = \"zwak\"\nfrom = 0\nto = 5\nlabel = {{ nl = \"Z\", en = \"W\" }}\nmeaning = {{ nl = \"Z\", en = \"W\" }}\n\n[[scores.bands]]\nid = \"matig\"\nfrom = 5\nlabel = {{ nl = \"M\", en = \"M\" }}\nmeaning = {{ nl = \"M\", en = \"M\" }}\n"
    );
    let d = check(&src);
    let overlap = find(&d, "band `matig` (5–…) overlaps band `zwak`");
    let line = src.lines().nth(overlap.line - 1).unwrap();
    assert_eq!(line, "from = 5");
    assert_eq!(&src[overlap.span.clone()], "5");
}

#[test]
fn the_catalog_warns_when_one_version_has_two_contents() {
    use safevisit::checklist::Catalog;
    let bundled = bundled_veiligheid();
    let version = bundled
        .lines()
        .find(|l| l.starts_with("version = "))
        .unwrap();
    let n: u32 = version["version = ".len()..].parse().unwrap();
    let other = bundled.replacen("Veiligheidscheck", "Veiligheidscheck (org)", 1);
    let cat = Catalog::build(
        SourceFile::bundled(),
        vec![file("org/veiligheid.toml", &other)],
    );
    assert_eq!(cat.notes.len(), 1);
    assert!(
        cat.notes[0].en.contains(&format!(
            "different content with the same version; raise `version` to {}",
            n + 1
        )),
        "{}",
        cat.notes[0].en
    );
    assert!(cat.notes[0].get(Lang::Nl).contains("verhoog `version`"));
    // The same file again (same content): only the plain note.
    let cat = Catalog::build(
        SourceFile::bundled(),
        vec![file("org/veiligheid.toml", &bundled)],
    );
    assert!(!cat.notes[0].en.contains("warning"), "{}", cat.notes[0].en);
}

#[test]
fn the_laptops_checklist_folder_skips_odd_files_and_never_reads_past_the_limit() {
    use safevisit::checklist::Catalog;
    use safevisit::store::checklist_folder::read_checklist_folder;
    let dir = tempfile::tempdir().unwrap();
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        dir.path().join("a-pijp.toml"),
        rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
    )
    .unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("b-nul.toml")).unwrap();
    std::fs::write(dir.path().join("c-groot.toml"), vec![b'#'; 5 * 1024 * 1024]).unwrap();
    std::fs::write(dir.path().join("netwerkkaart.toml"), NETWERKKAART).unwrap();
    let clock = Instant::now();
    let files = read_checklist_folder(dir.path()).unwrap();
    assert!(clock.elapsed() < Duration::from_secs(60));
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.path.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(names, ["c-groot.toml", "netwerkkaart.toml"]);
    // Never more than one byte past the limit in memory.
    assert_eq!(files[0].bytes.len(), 1024 * 1024 + 1);
    let cat = Catalog::build(SourceFile::bundled(), files);
    assert!(cat.get("netwerkkaart").is_some());
    assert_eq!(cat.problems.len(), 1);
    assert!(
        cat.problems[0]
            .first()
            .contains("the file is larger than 1048576 bytes"),
        "{}",
        cat.problems[0].first()
    );
}

/// The diagnostics of validation in context, rendered in both languages:
/// a new version of an organisation's checklist that breaks another one,
/// and a version that would not be used.
#[test]
fn context_diagnostics_render_with_both_files() {
    let basis = |version: u32, item: &str| {
        format!(
            "id = \"basis\"\nversion = {version}\napplies_to = \"visit\"\ntitle = {{ nl = \"Basis\", en = \"Base\" }}\ndescription = {{ nl = \"B.\", en = \"B.\" }}\nnotice = {{ nl = \"Geen besluit.\", en = \"Not a decision.\" }}\n\n[[sections]]\nid = \"nu\"\ntitle = {{ nl = \"Nu\", en = \"Now\" }}\n\n[[sections.items]]\nid = \"{item}\"\nkind = \"yes_no\"\ntext = {{ nl = \"Veilig?\", en = \"Safe?\" }}\n"
        )
    };
    let kaart = NETWERKKAART.replace("veiligheid.kinderen_veilig", "basis.veilig");
    let old = basis(1, "veilig");
    let new = basis(2, "veilig_nu");
    let same = basis(1, "veilig").replace("Veilig?", "Veilig nu?");
    let sources = HashMap::from([
        ("org/basis.toml".to_string(), old.clone()),
        ("org/netwerkkaart.toml".to_string(), kaart.clone()),
        ("nieuw/basis.toml".to_string(), new.clone()),
        ("ander/basis.toml".to_string(), same.clone()),
    ]);
    let context = || {
        vec![
            file("org/basis.toml", &old),
            file("org/netwerkkaart.toml", &kaart),
        ]
    };
    let broken = validate_in_context(vec![file("nieuw/basis.toml", &new)], context());
    assert_eq!(broken.len(), 1, "{}", render(&broken));
    let differs = validate_in_context(vec![file("ander/basis.toml", &same)], context());
    assert_eq!(differs.len(), 1, "{}", render(&differs));
    for (name, d) in [
        ("breaks_other", &broken[0]),
        ("same_version_differs", &differs[0]),
    ] {
        insta::assert_snapshot!(format!("context_{name}_nl"), d.render(Lang::Nl, &sources));
        insta::assert_snapshot!(format!("context_{name}_en"), d.render(Lang::En, &sources));
    }
}

#[test]
fn the_hint_for_an_equal_bundled_version_says_how_to_replace_it() {
    let bundled = bundled_veiligheid();
    let version = bundled
        .lines()
        .find(|l| l.starts_with("version = "))
        .unwrap();
    let n: u32 = version["version = ".len()..].parse().unwrap();
    let same = bundled.replacen("Veiligheidscheck", "Veiligheidscheck (org)", 1);
    let d = validate(vec![file("org/veiligheid.toml", &same)]);
    assert_eq!(
        d[0].help.as_ref().unwrap().get(Lang::En),
        format!("raise `version` to {} to replace the bundled one", n + 1)
    );
}
