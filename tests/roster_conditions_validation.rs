//! `checklists validate` on roster-driven repeats, roster facts and
//! aggregates over entries: every misuse is an error at validation time,
//! located at the offending name, with the message a checklist author reads.

mod validation_support;
use validation_support::{HEAD, check, find, render};

/// A checklist with a roster-driven section `leden` (items `nodig`, a
/// yes/no, and `leeftijd`, a number), a hand-filled one `plan` (item
/// `wie`), an ordinary section `a` (item `x`), and `cond` as the `show_if`
/// of an item `y` of `a`.
fn with_condition(cond: &str) -> String {
    format!(
        r#"{HEAD}
[[sections]]
id = "leden"
title = {{ nl = "Leden", en = "Members" }}
repeat = {{ per = "person" }}

[[sections.items]]
id = "nodig"
kind = "yes_no"
text = {{ nl = "Nodig?", en = "Needed?" }}

[[sections.items]]
id = "leeftijd"
kind = "number"
text = {{ nl = "Leeftijd", en = "Age" }}

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
id = "x"
kind = "yes_no"
text = {{ nl = "X?", en = "X?" }}

[[sections.items]]
id = "y"
kind = "yes_no"
text = {{ nl = "Y?", en = "Y?" }}
show_if = '{cond}'
"#
    )
}

#[test]
fn valid_roster_facts_aggregates_and_sums_pass() {
    for cond in [
        "roster.children > 0 and roster.caregivers >= 1",
        "roster.people == 3 or roster.youngest < 4 or roster.oldest >= 12",
        "roster.children_under(4) > 0 and roster.children_from(8) == 0",
        "count(plan) < roster.children + roster.caregivers",
        "entries(plan) + 1 > roster.people",
        r#"count(leden, nodig == "ja") >= 2"#,
        r#"any(leden, nodig == "ja" and leeftijd < 18)"#,
        r#"all(leden, answered(nodig)) and x == "ja""#,
        r#"not any(plan, wie == "Iris")"#,
        "any(leden, person.age < 4)",
    ] {
        let d = check(&with_condition(cond));
        assert!(d.is_empty(), "{cond}:\n{}", render(&d));
    }
}

#[test]
fn misused_aggregates_and_roster_facts_are_located_errors() {
    let cases = [
        // (condition, message, the name the column points at)
        (
            "count(plam) > 0",
            "unknown section or item `plam` in `count`",
            "plam",
        ),
        (
            r#"count(plam, wie == "x") > 0"#,
            "unknown section `plam`",
            "plam",
        ),
        (
            r#"any(a, x == "ja")"#,
            "section `a` is not repeatable, so `any` has no entries to go through",
            "a, x",
        ),
        (
            r#"any(leden, x == "ja")"#,
            "`x` is not an item of section `leden`",
            "x ==",
        ),
        (
            r#"all(leden, wie == "Iris")"#,
            "`wie` is not an item of section `leden`",
            "wie",
        ),
        (
            r#"count(leden, nodig) > 1"#,
            "`nodig` is an answer, not a condition",
            "nodig)",
        ),
        (
            r#"count(leden, nodig == "ja") == "ja""#,
            "cannot compare a number with a text",
            "\"ja\"'",
        ),
        (
            r#"any(leden)"#,
            "`any` needs a repeatable section and a condition",
            "any",
        ),
        (
            r#"any(leden, count(plan, wie == "x") > 0)"#,
            "cannot stand inside another `count`, `any` or `all`",
            "count(plan",
        ),
        (
            r#"any(leden, nodig == "ja", x == "ja")"#,
            "`any` takes a section and one condition",
            "x == \"ja\")",
        ),
        (
            r#"nodig == "ja""#,
            "sits in the repeatable section `leden`",
            "nodig",
        ),
        (
            "roster.kinderen > 0",
            "the roster has no fact `kinderen`",
            "kinderen",
        ),
        (
            "roster.children_under > 0",
            "`roster.children_under` needs an age between parentheses",
            "children_under",
        ),
        (
            r#"roster.children_under("drie") > 0"#,
            "`roster.children_under` takes an age in years, a number",
            "\"drie\"",
        ),
        (
            "roster.children_under(30) > 0",
            "the age must be a whole number from 0 to 18",
            "30",
        ),
        (
            r#"roster.youngest == "jong""#,
            "cannot compare a number with a text",
            "\"jong\"",
        ),
        (
            "person.age >= 8",
            "`person.age` is only known in a section repeated per child or per person",
            "person",
        ),
        (
            "any(plan, person.age >= 8)",
            "`person.age` is only known in a section repeated per child or per person",
            "person",
        ),
        (
            r#"any(leden, person.naam == "Mila")"#,
            "the roster knows no `person.naam`",
            "naam",
        ),
        (
            r#"x + 1 > 2"#,
            "`+` adds numbers; this is a yes/no answer",
            "x +",
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
fn helpful_suggestions_for_roster_facts_and_sections() {
    let d = check(&with_condition("roster.youngst < 4"));
    let x = find(&d, "the roster has no fact `youngst`");
    assert_eq!(x.help.as_deref(), Some("did you mean `youngest`?"));
    let d = check(&with_condition(r#"any(ledem, nodig == "ja")"#));
    let x = find(&d, "unknown section `ledem`");
    assert_eq!(x.help.as_deref(), Some("did you mean `leden`?"));
    let d = check(&with_condition("count(pla) > 0"));
    let x = find(&d, "unknown section or item `pla` in `count`");
    assert_eq!(x.help.as_deref(), Some("did you mean `plan`?"));
}

#[test]
fn an_aggregate_over_the_own_section_and_a_circle_through_entries_are_errors() {
    // Inside `leden`, a condition reads its own entry, not all of them.
    let src = with_condition("true").replace(
        "id = \"leeftijd\"\nkind = \"number\"",
        "id = \"leeftijd\"\nkind = \"number\"\nshow_if = 'any(leden, nodig == \"ja\")'",
    );
    let d = check(&src);
    find(
        &d,
        "`any(leden, …)` cannot stand inside section `leden` itself",
    );
    // The section shown only when one of its own entries says so.
    let src = with_condition("true").replace(
        "repeat = { per = \"person\" }",
        "repeat = { per = \"person\" }\nshow_if = 'any(leden, nodig == \"ja\")'",
    );
    let d = check(&src);
    find(&d, "depends on itself");
}

#[test]
fn repeat_per_roster_member_is_validated() {
    let d = check(&with_condition("true").replace(
        "repeat = { per = \"person\" }",
        "repeat = { per = \"kid\" }",
    ));
    let x = find(&d, "`per` cannot be \"kid\"");
    assert_eq!(
        x.help.as_deref(),
        Some(
            "use \"child\", \"caregiver\" or \"person\" (everyone) for the roster, or \"agreement\", \"flag\" or \"scaling\" for the previous visit"
        )
    );
    let d = check(&with_condition("true").replace(
        "repeat = { per = \"person\" }",
        "repeat = { per = \"chlid\" }",
    ));
    assert_eq!(
        find(&d, "`per` cannot be \"chlid\"").help.as_deref(),
        Some("did you mean `child`?")
    );
    let d = check(&with_condition("true").replace(
        "repeat = { per = \"person\" }",
        "repeat = { per = \"child\" }\nmax_entries = 4",
    ));
    let x = find(
        &d,
        "`max_entries` does not apply to a section repeated per roster member",
    );
    assert_eq!(x.line, 12);
    let d = check(&with_condition("true").replace(
        "repeat = { per = \"person\" }",
        "repeat = { voor = \"child\" }",
    ));
    find(&d, "unknown key `voor` in `repeat`");
    let d = check(
        &with_condition("true").replace("repeat = { per = \"person\" }", "repeat = \"child\""),
    );
    find(
        &d,
        "`repeat` must be true or a table such as { per = \"child\" }, not a text",
    );
}

#[test]
fn roster_and_person_are_not_checklist_ids() {
    for id in ["roster", "person"] {
        let d = check(&with_condition("true").replace("id = \"proef\"", &format!("id = \"{id}\"")));
        find(
            &d,
            &format!("`{id}` is a word of the condition language and cannot be a checklist id"),
        );
    }
}

#[test]
fn person_age_is_not_known_for_caregivers() {
    let src = with_condition("true")
        .replace(
            "repeat = { per = \"person\" }",
            "repeat = { per = \"caregiver\" }",
        )
        .replace(
            "id = \"leeftijd\"\nkind = \"number\"",
            "id = \"leeftijd\"\nkind = \"number\"\nshow_if = 'person.age > 20'",
        );
    let d = check(&src);
    find(
        &d,
        "`person.age` is not known for caregivers: the roster has their role, not their age",
    );
}
