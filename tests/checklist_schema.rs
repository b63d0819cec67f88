//! The JSON Schema of the checklist format (`safevisit checklists schema`)
//! stays in step with the loader: every bundled checklist and every fixture
//! checklist under tests/ satisfies it, and typical mistakes do not.
//!
//! The schema uses a small part of draft 2020-12, checked here by a small
//! checker: `$ref` (local), `type`, `const`, `enum`, `properties`,
//! `required`, `additionalProperties`, `items`, `minItems`, `maxItems`,
//! `minLength`, `maxLength`, `minimum`, `maximum`, `anyOf`, `allOf`,
//! `if`/`then` and the two id `pattern`s. A keyword it does not know makes
//! the test fail, so the schema cannot grow past what is checked.

use std::path::Path;
use std::process::Command;

use serde_json::{Map, Value};

const KNOWN: &[&str] = &[
    "$schema",
    "$id",
    "$defs",
    "$ref",
    "title",
    "description",
    "type",
    "const",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "anyOf",
    "allOf",
    "if",
    "then",
    "pattern",
];

fn id_like(s: &str, first_digit_ok: bool) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_lowercase() || (first_digit_ok && first.is_ascii_digit()))
        && s.chars().count() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

struct Checker<'s> {
    root: &'s Value,
}

impl Checker<'_> {
    fn check(&self, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
        let s = schema.as_object().expect("a schema is an object");
        for k in s.keys() {
            assert!(
                KNOWN.contains(&k.as_str()),
                "keyword `{k}` is not checked here"
            );
        }
        if let Some(r) = s.get("$ref") {
            let name = r
                .as_str()
                .unwrap()
                .strip_prefix("#/$defs/")
                .expect("a local $ref");
            self.check(&self.root["$defs"][name], v, at, errors);
        }
        if let Some(t) = s.get("type") {
            let ok = match t.as_str().unwrap() {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                other => panic!("type {other}"),
            };
            if !ok {
                errors.push(format!("{at}: not of type {t}"));
                return;
            }
        }
        if let Some(c) = s.get("const")
            && v != c
        {
            errors.push(format!("{at}: not {c}"));
        }
        if let Some(e) = s.get("enum")
            && !e.as_array().unwrap().contains(v)
        {
            errors.push(format!("{at}: {v} not in {e}"));
        }
        if let Some(p) = s.get("pattern") {
            let s = v.as_str().unwrap_or("");
            let ok = match p.as_str().unwrap() {
                "^[a-z][a-z0-9_-]{0,63}$" => id_like(s, false),
                "^[a-z0-9][a-z0-9_-]{0,63}$" => id_like(s, true),
                other => panic!("pattern {other} is not checked here"),
            };
            if !ok {
                errors.push(format!("{at}: {s:?} does not match {p}"));
            }
        }
        if let Some(text) = v.as_str() {
            let n = text.chars().count() as u64;
            if s.get("minLength").is_some_and(|m| n < m.as_u64().unwrap()) {
                errors.push(format!("{at}: too short"));
            }
            if s.get("maxLength").is_some_and(|m| n > m.as_u64().unwrap()) {
                errors.push(format!("{at}: too long"));
            }
        }
        if let Some(x) = v.as_f64() {
            if s.get("minimum").is_some_and(|m| x < m.as_f64().unwrap()) {
                errors.push(format!("{at}: below minimum"));
            }
            if s.get("maximum").is_some_and(|m| x > m.as_f64().unwrap()) {
                errors.push(format!("{at}: above maximum"));
            }
        }
        if let Some(obj) = v.as_object() {
            self.object(s, obj, at, errors);
        }
        if let Some(arr) = v.as_array() {
            if s.get("minItems")
                .is_some_and(|m| (arr.len() as u64) < m.as_u64().unwrap())
            {
                errors.push(format!("{at}: too few items"));
            }
            if s.get("maxItems")
                .is_some_and(|m| (arr.len() as u64) > m.as_u64().unwrap())
            {
                errors.push(format!("{at}: too many items"));
            }
            if let Some(items) = s.get("items") {
                for (i, e) in arr.iter().enumerate() {
                    self.check(items, e, &format!("{at}[{i}]"), errors);
                }
            }
        }
        if let Some(any) = s.get("anyOf") {
            let fits = any.as_array().unwrap().iter().any(|alt| {
                let mut e = Vec::new();
                self.check(alt, v, at, &mut e);
                e.is_empty()
            });
            if !fits {
                errors.push(format!("{at}: fits none of anyOf"));
            }
        }
        for sub in s
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.check(sub, v, at, errors);
        }
        if let Some(cond) = s.get("if") {
            let mut e = Vec::new();
            self.check(cond, v, at, &mut e);
            if e.is_empty()
                && let Some(then) = s.get("then")
            {
                self.check(then, v, at, errors);
            }
        }
    }

    fn object(
        &self,
        s: &Map<String, Value>,
        obj: &Map<String, Value>,
        at: &str,
        errors: &mut Vec<String>,
    ) {
        for r in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !obj.contains_key(r.as_str().unwrap()) {
                errors.push(format!("{at}: missing {r}"));
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        for (k, val) in obj {
            let here = format!("{at}.{k}");
            match props.and_then(|p| p.get(k)) {
                Some(p) => self.check(p, val, &here, errors),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => errors.push(format!("{here}: not allowed")),
                    Some(extra @ Value::Object(_)) => self.check(extra, val, &here, errors),
                    _ => {}
                },
            }
        }
    }
}

fn schema() -> Value {
    serde_json::from_str(safevisit::checklist::schema::SCHEMA).expect("the schema is JSON")
}

fn errors_of(toml_text: &str) -> Vec<String> {
    let doc: toml::Table = toml::from_str(toml_text).expect("TOML");
    let json = serde_json::to_value(doc).unwrap();
    let schema = schema();
    let mut errors = Vec::new();
    Checker { root: &schema }.check(&schema, &json, "$", &mut errors);
    errors
}

fn checklist_files() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [
        "checklists",
        "tests/fixtures/checklists",
        "tests/fixtures/checklists-v1",
    ] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_bundled_and_fixture_checklist_satisfies_the_schema() {
    let files = checklist_files();
    assert!(files.len() >= 12, "{files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let errors = errors_of(&text);
        assert!(errors.is_empty(), "{}:\n{}", f.display(), errors.join("\n"));
    }
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let good = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checklists/engine-bezoek.toml"),
    )
    .unwrap();
    assert!(errors_of(&good).is_empty());
    let cases = [
        ("required = true", "requird = true", "requird: not allowed"),
        (
            "applies_to = \"visit\"",
            "applies_to = \"bezoek\"",
            "applies_to",
        ),
        ("version = 1", "version = 0", "below minimum"),
        (
            "id = \"engine-bezoek\"",
            "id = \"Engine\"",
            "does not match",
        ),
        ("kind = \"yes_no_unknown\"", "kind = \"ja_nee\"", "not in"),
    ];
    for (from, to, expected) in cases {
        assert!(good.contains(from), "fixture lacks {from}");
        let errors = errors_of(&good.replacen(from, to, 1));
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "{to}: {errors:?}"
        );
        // And the loader agrees.
        let d = safevisit::checklist::catalog::validate(vec![safevisit::checklist::SourceFile {
            path: "x.toml".into(),
            bytes: good.replacen(from, to, 1).into_bytes(),
            origin: safevisit::checklist::model::Origin::File("x.toml".into()),
        }]);
        assert!(!d.is_empty(), "the loader accepts {to}");
    }
}

#[test]
fn the_command_prints_the_schema() {
    let out = Command::new(env!("CARGO_BIN_EXE_safevisit"))
        .args(["checklists", "schema"])
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, schema());
    assert_eq!(
        printed["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}
