//! docs/SUPERVISOR.md documents every column of `visits.csv` and the ledger
//! schema verbatim; these tests keep the manual and the program in step.

use std::path::Path;

use safevisit::supervisor::Ledger;
use safevisit::supervisor::ledger::schema_sql;
use safevisit::supervisor::reports::{header, measure_columns};

fn manual() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/SUPERVISOR.md"))
        .expect("docs/SUPERVISOR.md")
}

/// The text between `<!-- NAME…-->` and `<!-- /NAME -->`.
fn section<'a>(text: &'a str, name: &str) -> &'a str {
    let open = format!("<!-- {name}");
    let start = text.find(&open).unwrap_or_else(|| panic!("no {open}"));
    let start = start + text[start..].find("-->").unwrap() + 3;
    let end = text
        .find(&format!("<!-- /{name} -->"))
        .unwrap_or_else(|| panic!("no end of {name}"));
    &text[start..end]
}

#[test]
fn every_csv_column_is_documented_in_order() {
    let doc = manual();
    let table = section(&doc, "csv-columns");
    let mut documented: Vec<String> = Vec::new();
    for line in table.lines().filter(|l| l.starts_with("| `")) {
        let first = line.split(" | ").next().unwrap();
        documented.extend(first.split('`').skip(1).step_by(2).map(str::to_string));
    }
    let tmp = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(&tmp.path().join("safevisit.sqlite")).unwrap();
    let columns = header(&measure_columns(&ledger).unwrap());
    assert_eq!(documented, columns);
}

#[test]
fn every_cases_csv_column_is_documented_in_order() {
    let doc = manual();
    let table = section(&doc, "case-columns");
    let documented: Vec<String> = table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_string))
        .collect();
    let columns: Vec<String> = safevisit::supervisor::cases::CSV_COLUMNS
        .iter()
        .map(|(c, _)| c.to_string())
        .collect();
    assert_eq!(documented, columns);
    // And the file's header is those columns.
    let tmp = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(&tmp.path().join("safevisit.sqlite")).unwrap();
    let (csv, rows) = safevisit::supervisor::cases::csv(&ledger).unwrap();
    assert_eq!(rows, 0);
    assert_eq!(csv, format!("{}\r\n", columns.join(",")));
}

#[test]
fn the_ledger_schema_is_documented_verbatim() {
    let doc = manual();
    let block = section(&doc, "ledger-schema");
    let sql = block
        .split("```sql\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("an sql block");
    assert_eq!(sql, schema_sql());
}

#[test]
fn exit_codes_are_in_the_help() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["supervisor", "import", "--help"])
        .output()
        .unwrap();
    // (clap wraps the text to the terminal width.)
    let help = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(help.contains("0 all imported"), "{help}");
    assert!(help.contains("3 something was rejected"), "{help}");
    assert!(help.contains("2 usage error"), "{help}");
    assert!(help.contains("1 any other failure"), "{help}");
}
