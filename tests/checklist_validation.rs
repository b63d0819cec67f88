//! `checklists validate` finds every mistake at once, located at the
//! offending value, with suggestions — and never panics.

use safevisit::checklist::SourceFile;
use safevisit::checklist::catalog::validate;
use safevisit::checklist::model::Origin;

mod validation_support;
use validation_support::{HEAD, check, find, render};

#[test]
fn a_valid_minimal_checklist_has_no_diagnostics() {
    let src = format!(
        "{HEAD}\n[[sections]]\nid = \"a\"\ntitle = {{ nl = \"A\", en = \"A\" }}\n\n[[sections.items]]\nid = \"x\"\nkind = \"yes_no\"\ntext = {{ nl = \"X?\", en = \"X?\" }}\n"
    );
    let d = check(&src);
    assert!(d.is_empty(), "{}", render(&d));
}

#[test]
fn many_mistakes_are_each_reported_with_their_location() {
    let src = r#"id = "proef"
version = 0
applies_to = "visitt"
title = { nl = "Proef" }
description = { nl = "Proef.", en = "Trial." }
notice = { nl = "B", en = "D" }
colour = "rood"

[[sections]]
id = "a"
title = { nl = "A", en = "A" }

[[sections.items]]
id = "kind_veilig"
kind = "yes_no"
text = { nl = "Veilig?", en = "Safe?" }

[[sections.items]]
id = "vraag"
kind = "yes_no"
text = { nl = "V", en = "Q" }
show_if = 'kind_veilg == "ja"'
requird = true

[[sections.items]]
id = "keuze"
kind = "single_choice"
text = { nl = "K", en = "C" }
options = [{ id = "x", nl = "X", en = "X" }, { id = "x", nl = "Y", en = "Y" }]

[[sections.items]]
id = "getal"
kind = "number"
text = { nl = "G", en = "N" }
show_if = 'kind_veilig == 3'

[[sections.items]]
id = "soort"
kind = "yes_noo"
text = { nl = "S", en = "K" }
"#;
    let d = check(src);
    let at = |needle: &str| {
        let x = find(&d, needle);
        (x.line, x.column)
    };
    assert_eq!(at("`version` must be"), (2, 11));
    assert_eq!(at("`applies_to` cannot be"), (3, 14));
    assert_eq!(
        find(&d, "`applies_to` cannot be").help.as_deref(),
        Some("did you mean `visit`?")
    );
    assert_eq!(at("`title` has no English text"), (4, 9));
    assert_eq!(at("unknown key `colour`"), (7, 1));
    // Inside a condition: the line of the condition, the column of the name.
    assert_eq!(at("unknown item `kind_veilg`"), (22, 12));
    assert_eq!(
        find(&d, "unknown item `kind_veilg`").help.as_deref(),
        Some("did you mean `kind_veilig`?")
    );
    assert_eq!(at("unknown key `requird`"), (23, 1));
    assert_eq!(
        find(&d, "unknown key `requird`").help.as_deref(),
        Some("did you mean `required`?")
    );
    assert_eq!(at("option `x` appears twice"), (29, 53));
    assert!(find(&d, "cannot compare a yes/no answer with a number").line == 35);
    assert_eq!(at("unknown item kind \"yes_noo\""), (39, 8));
    assert_eq!(d.len(), 9, "{}", render(&d));
    // Sorted by position.
    let lines: Vec<usize> = d.iter().map(|x| x.line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
}

fn with_items(items: &str) -> String {
    format!("{HEAD}\n[[sections]]\nid = \"a\"\ntitle = {{ nl = \"A\", en = \"A\" }}\n{items}")
}

fn item(id: &str, extra: &str) -> String {
    format!(
        "\n[[sections.items]]\nid = \"{id}\"\nkind = \"yes_no\"\ntext = {{ nl = \"{id}\", en = \"{id}\" }}\n{extra}\n"
    )
}

#[test]
fn condition_type_errors_are_found_at_validation_time() {
    let cases = [
        (
            "show_if = 'x == \"misschien\"'",
            "item `x` has no option \"misschien\"",
        ),
        (
            "show_if = 'x > \"ja\"'",
            "can only be compared with `==` or `!=`",
        ),
        ("show_if = 'x'", "is an answer, not a condition"),
        (
            "show_if = 'age > 3'",
            "`age` is only known in checklists that apply to each child",
        ),
        (
            "show_if = 'score(s) > 1'",
            "`score` cannot be used in `show_if`",
        ),
        (
            "show_if = 'band(s) == \"x\"'",
            "`band` cannot be used in `show_if`",
        ),
        (
            "show_if = 'anders.x == \"ja\"'",
            "unknown checklist `anders`",
        ),
        (
            "show_if = 'x == \"ja\" and'",
            "expected an item, a value or `(`",
        ),
        ("show_if = 'x = \"ja\"'", "a single `=` is not a comparison"),
        ("show_if = 'ansered(x)'", "unknown function `ansered`"),
        ("show_if = '1 == 1'", "compares two fixed values"),
        ("show_if = 'x in []'", "the list is empty"),
        (
            "show_if = 'children == \"twee\"'",
            "cannot compare a number with a text",
        ),
    ];
    for (cond, expected) in cases {
        let src = with_items(&(item("x", "") + &item("y", cond)));
        let d = check(&src);
        let x = find(&d, expected);
        let line = src.lines().position(|l| l.starts_with("show_if")).unwrap() + 1;
        assert_eq!(x.line, line, "{cond}: {x}");
        assert!(x.message.starts_with("in `show_if`: "), "{x}");
    }
}

#[test]
fn show_if_cycles_are_errors() {
    let src = with_items(
        &(item("a1", "show_if = 'b1 == \"ja\"'") + &item("b1", "show_if = 'a1 == \"ja\"'")),
    );
    let d = check(&src);
    let x = find(&d, "`show_if` depends on itself");
    assert!(x.message.contains("`a1` → `b1` → `a1`"), "{x}");
    // Self-reference too.
    let d = check(&with_items(&item("c1", "show_if = 'c1 == \"ja\"'")));
    find(&d, "`c1` → `c1`");
}

#[test]
fn score_bands_must_cover_the_range_without_gaps_or_overlaps() {
    let items = item("p", "points = { ja = 2 }") + &item("q", "points = { ja = 3 }");
    let band = |id: &str, from: i64, to: Option<i64>| {
        let to = to.map_or(String::new(), |t| format!("to = {t}\n"));
        format!(
            "\n[[scores.bands]]\nid = \"{id}\"\nfrom = {from}\n{to}label = {{ nl = \"{id}\", en = \"{id}\" }}\nmeaning = {{ nl = \"m\", en = \"m\" }}\n"
        )
    };
    let score = |bands: &str| {
        with_items(&items)
            + "\n[[scores]]\nid = \"s\"\ntitle = { nl = \"S\", en = \"S\" }\nitems = [\"p\", \"q\"]\n"
            + bands
    };
    // 0..=5 possible.
    assert!(check(&score(&(band("laag", 0, Some(2)) + &band("hoog", 3, None)))).is_empty());
    let d = check(&score(&(band("laag", 0, Some(2)) + &band("hoog", 4, None))));
    find(
        &d,
        "there is a gap between band `laag` (up to 2) and band `hoog` (from 4)",
    );
    let d = check(&score(&(band("laag", 0, Some(3)) + &band("hoog", 3, None))));
    find(&d, "overlaps band `laag`");
    let d = check(&score(&(band("laag", 1, Some(2)) + &band("hoog", 3, None))));
    find(&d, "can be 0, but its lowest band starts at 1");
    let d = check(&score(
        &(band("laag", 0, Some(2)) + &band("hoog", 3, Some(4))),
    ));
    find(&d, "can reach 5, but its highest band ends at 4");
    let d = check(&score(&(band("laag", 0, None) + &band("hoog", 3, None))));
    find(&d, "has no `to`, but band `hoog` comes after it");
    let d = check(&score(""));
    find(&d, "this score has no bands");
}

#[test]
fn missing_texts_empty_options_and_kind_keys_are_reported() {
    let d = check(&with_items(
        "\n[[sections.items]]\nid = \"k\"\nkind = \"single_choice\"\ntext = { nl = \"\", en = \"K\" }\noptions = [{ id = \"a\", nl = \"A\", en = \"A\" }]\nmin = 3\n",
    ));
    find(&d, "the Dutch text of `text` is empty");
    find(&d, "a single_choice item needs at least 2 options");
    find(&d, "`min` does not apply to items of kind `single_choice`");
    let d = check(&with_items(
        "\n[[sections.items]]\nid = \"k\"\nkind = \"multi_choice\"\ntext = { nl = \"K\", en = \"K\" }\n",
    ));
    find(&d, "an item is missing `options`");
    let d = check(&with_items(""));
    find(&d, "this section has no items");
}

#[test]
fn duplicate_ids_are_reported() {
    let d = check(&with_items(&(item("x", "") + &item("x", ""))));
    find(&d, "item `x` is defined twice");
    let two = validate(vec![
        SourceFile {
            path: "a.toml".into(),
            bytes: with_items(&item("x", "")).into_bytes(),
            origin: Origin::File("a.toml".into()),
        },
        SourceFile {
            path: "b.toml".into(),
            bytes: with_items(&item("x", "")).into_bytes(),
            origin: Origin::File("b.toml".into()),
        },
    ]);
    find(&two, "checklist id `proef` is also used by a.toml");
}

#[test]
fn toml_syntax_errors_are_located() {
    let d = check("id = \"x\"\nversion = 1\ntitle = { nl = \"a\", en = }\n");
    assert_eq!(d.len(), 1, "{}", render(&d));
    assert_eq!((d[0].line, d[0].column), (3, 26));
    assert!(d[0].message.starts_with("TOML syntax:"));
    let d = check("id = \"x\"\nid = \"y\"\n");
    assert_eq!(d[0].line, 2);
    assert!(d[0].message.contains("duplicate key"));
}

#[test]
fn empty_binary_and_huge_files_get_a_clear_error() {
    let d = check("");
    assert_eq!(d[0].message, "the file is empty");
    let d = validate(vec![SourceFile {
        path: "b.toml".into(),
        bytes: vec![b'a', 0xff, 0xfe],
        origin: Origin::File("b.toml".into()),
    }]);
    assert!(d[0].message.contains("not valid UTF-8"));
    assert_eq!((d[0].line, d[0].column), (1, 2));
    let huge = "# x\n".repeat(300_000);
    let d = check(&huge);
    assert!(d[0].message.contains("the most a checklist file may be"));
}

#[test]
fn an_organisation_file_replaces_a_bundled_checklist_only_with_a_higher_version() {
    use safevisit::checklist::Catalog;
    let bundled = Catalog::bundled();
    let base = bundled.get("veiligheid").unwrap();
    let text = safevisit::checklist::catalog::BUNDLED
        .iter()
        .find(|(n, _)| *n == "veiligheid.toml")
        .unwrap()
        .1;
    let bumped = text.replacen(
        &format!("version = {}", base.version),
        &format!("version = {}", base.version + 1),
        1,
    );
    let file = |bytes: &str| SourceFile {
        path: "org/veiligheid.toml".into(),
        bytes: bytes.as_bytes().to_vec(),
        origin: Origin::File("org/veiligheid.toml".into()),
    };
    let cat = Catalog::build(SourceFile::bundled(), vec![file(&bumped)]);
    assert_eq!(cat.get("veiligheid").unwrap().version, base.version + 1);
    assert_eq!(
        cat.get("veiligheid").unwrap().origin,
        Origin::File("org/veiligheid.toml".into())
    );
    // Same version: the bundled one stays, with a note.
    let cat = Catalog::build(SourceFile::bundled(), vec![file(text)]);
    assert_eq!(cat.get("veiligheid").unwrap().origin, Origin::Bundled);
    assert_eq!(cat.notes.len(), 1);
    // A broken higher version is named with its first error; the bundled one stays offered.
    let broken = bumped.replacen("kind = \"yes_no\"", "kind = \"ja_nee\"", 1);
    let cat = Catalog::build(SourceFile::bundled(), vec![file(&broken)]);
    assert_eq!(cat.get("veiligheid").unwrap().origin, Origin::Bundled);
    assert_eq!(cat.problems.len(), 1);
    assert!(
        cat.problems[0]
            .first()
            .contains("unknown item kind \"ja_nee\"")
    );
}
