//! `checklists validate` on the forms that read the previous visit:
//! `previous(item)`, `previous.value`, `follow_up`, and sections repeated
//! per agreement, flag or scaling answer. Every misuse is an error at
//! validation time, located at the offending name, with the message a
//! checklist author reads.

mod validation_support;
use validation_support::{HEAD, check, find, render};

/// A checklist with a section `schaal` per scaling answer (item `cijfer`),
/// one `afspraken` per agreement (item `nagekomen`), a hand-filled `plan`
/// (item `wie`), and an ordinary section `a` (items `oordeel`, a single
/// choice, `score`, a number, `datum`, a date, `zorgen`, a multiple choice,
/// `notitie`, a text), and `cond` as the `show_if` of an item `y` of `a`.
fn with_condition(cond: &str) -> String {
    format!(
        r#"{HEAD}
[[sections]]
id = "schaal"
title = {{ nl = "Schaal", en = "Scale" }}
repeat = {{ per = "scaling" }}

[[sections.items]]
id = "cijfer"
kind = "number"
text = {{ nl = "Cijfer", en = "Score" }}

[[sections]]
id = "afspraken"
title = {{ nl = "Afspraken", en = "Agreements" }}
repeat = {{ per = "agreement" }}

[[sections.items]]
id = "nagekomen"
kind = "yes_no"
text = {{ nl = "Nagekomen?", en = "Kept?" }}

[[sections]]
id = "plan"
title = {{ nl = "Plan", en = "Plan" }}
repeat = true
entry_label = {{ nl = "Afspraak", en = "Agreement" }}

[[sections.items]]
id = "wie"
kind = "short_text"
text = {{ nl = "Wie?", en = "Who?" }}

[[sections]]
id = "a"
title = {{ nl = "A", en = "A" }}

[[sections.items]]
id = "oordeel"
kind = "single_choice"
text = {{ nl = "Oordeel", en = "Judgement" }}
options = [
  {{ id = "onveilig", nl = "Onveilig", en = "Unsafe" }},
  {{ id = "veilig", nl = "Veilig", en = "Safe" }},
]

[[sections.items]]
id = "score"
kind = "number"
text = {{ nl = "Score", en = "Score" }}

[[sections.items]]
id = "datum"
kind = "date"
text = {{ nl = "Datum", en = "Date" }}

[[sections.items]]
id = "zorgen"
kind = "multi_choice"
text = {{ nl = "Zorgen", en = "Worries" }}
options = [
  {{ id = "geld", nl = "Geld", en = "Money" }},
  {{ id = "huis", nl = "Huis", en = "House" }},
]

[[sections.items]]
id = "notitie"
kind = "long_text"
text = {{ nl = "Notitie", en = "Note" }}

[[sections.items]]
id = "y"
kind = "yes_no"
text = {{ nl = "Y?", en = "Y?" }}
show_if = '{cond}'
"#
    )
}

#[test]
fn valid_forms_that_read_the_previous_visit_pass() {
    for cond in [
        "follow_up",
        "not follow_up",
        r#"previous(oordeel) == "onveilig""#,
        r#"previous(oordeel) in ["onveilig", "veilig"]"#,
        r#"follow_up and previous(oordeel) != "veilig""#,
        "answered(previous(oordeel))",
        "previous(score) >= 3 and score < previous(score)",
        r#"previous(datum) < "2026-05-01""#,
        r#""geld" in previous(zorgen)"#,
        "count(previous(zorgen)) >= 2",
        r#"proef.oordeel == "veilig" and previous(proef.oordeel) == "onveilig""#,
        "any(schaal, cijfer + 2 <= previous.value)",
        r#"count(afspraken, nagekomen == "nee") >= 1"#,
        // Reading itself at the previous visit is no circle.
        "previous(y) == \"ja\"",
    ] {
        let d = check(&with_condition(cond));
        assert!(d.is_empty(), "{cond}:\n{}", render(&d));
    }
}

#[test]
fn misused_previous_forms_are_located_errors() {
    let cases = [
        // (condition, message, the name the column points at)
        (
            "previous(oordeell) == \"veilig\"",
            "unknown item `oordeell` in checklist `proef`",
            "oordeell",
        ),
        (
            "previous(notitie) == \"x\"",
            "`notitie` is a text item: text answers are never kept between visits",
            "notitie",
        ),
        (
            "answered(previous(wie))",
            "`wie` sits in the repeatable section `plan`",
            "wie",
        ),
        (
            "previous(nagekomen) == \"ja\"",
            "`nagekomen` sits in the repeatable section `afspraken`",
            "nagekomen",
        ),
        (
            "previous(andere.x) == \"ja\"",
            "`previous` can only name an item of this checklist",
            "andere",
        ),
        (
            "previous(oordeel) == \"acuut\"",
            "item `oordeel` has no option \"acuut\"",
            "\"acuut\"",
        ),
        (
            "previous(oordeel) > 2",
            "cannot compare a single-choice answer with a number",
            "2",
        ),
        (
            "previous(oordeel)",
            "`oordeel` is an answer, not a condition",
            "previous",
        ),
        (
            "count(previous(oordeel)) > 1",
            "`count` counts the options chosen in a multiple-choice item",
            "previous(oordeel))",
        ),
        (
            "previous.value > 3",
            "`previous.value` is only known in a section repeated per scaling answer",
            "previous.value",
        ),
        (
            "any(afspraken, previous.value > 3)",
            "`previous.value` is only known in a section repeated per scaling answer",
            "previous.value",
        ),
        (
            "any(schaal, previous.cijfer > 3)",
            "the previous visit has no `previous.cijfer`",
            "cijfer >",
        ),
        (
            "follow_up == \"ja\"",
            "cannot compare a condition (true or false) with a text",
            "\"ja\"",
        ),
    ];
    for (cond, message, at) in cases {
        let src = with_condition(cond);
        let d = check(&src);
        let x = find(&d, message);
        assert!(x.message.starts_with("in `show_if`: "), "{x}");
        let line_no = src.lines().position(|l| l.starts_with("show_if")).unwrap();
        assert_eq!(x.line, line_no + 1, "{cond}: {x}");
        let line = src.lines().nth(line_no).unwrap();
        let col = line.find(at).unwrap_or_else(|| panic!("{at:?} in {line}")) + 1;
        assert_eq!(x.column, col, "{cond}: {x}");
    }
}

#[test]
fn previous_suggests_the_item_meant() {
    let d = check(&with_condition("previous(oordel) == \"veilig\""));
    let x = find(&d, "unknown item `oordel`");
    assert_eq!(x.help.as_deref(), Some("did you mean `oordeel`?"));
}

#[test]
fn repeat_per_previous_visit_is_validated() {
    let src = with_condition("true").replace(
        "repeat = { per = \"scaling\" }",
        "repeat = { per = \"scalling\" }",
    );
    let d = check(&src);
    let x = find(&d, "`per` cannot be \"scalling\"");
    assert_eq!(x.help.as_deref(), Some("did you mean `scaling`?"));
    let src = with_condition("true").replace(
        "repeat = { per = \"agreement\" }",
        "repeat = { per = \"agreement\" }\nmax_entries = 5",
    );
    let d = check(&src);
    find(
        &d,
        "`max_entries` does not apply to a section repeated per agreement, flag or scaling answer of the previous visit",
    );
}

#[test]
fn the_words_of_the_previous_visit_cannot_be_ids() {
    let d = check(&with_condition("true").replace("id = \"score\"", "id = \"follow_up\""));
    find(
        &d,
        "`follow_up` is a word of the condition language and cannot be an item id",
    );
    let d = check(&with_condition("true").replace("id = \"proef\"", "id = \"previous\""));
    find(
        &d,
        "`previous` is a word of the condition language and cannot be a checklist id",
    );
}
