//! What the validation tests share: validate one checklist text as
//! `lijst.toml`, find a diagnostic by its message, and the head of a
//! minimal checklist.
#![allow(dead_code)]

use safevisit::checklist::catalog::validate;
use safevisit::checklist::model::Origin;
use safevisit::checklist::{Diagnostic, SourceFile};

pub fn check(src: &str) -> Vec<Diagnostic> {
    validate(vec![SourceFile {
        path: "lijst.toml".into(),
        bytes: src.as_bytes().to_vec(),
        origin: Origin::File("lijst.toml".into()),
    }])
}

/// Find the diagnostic whose message contains `needle`.
pub fn find<'d>(d: &'d [Diagnostic], needle: &str) -> &'d Diagnostic {
    d.iter()
        .find(|x| x.message.contains(needle))
        .unwrap_or_else(|| panic!("no diagnostic containing {needle:?} in:\n{}", render(d)))
}

pub fn render(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

pub const HEAD: &str = r#"id = "proef"
version = 1
applies_to = "visit"
title = { nl = "Proef", en = "Trial" }
description = { nl = "Proef.", en = "Trial." }
notice = { nl = "Beslisondersteuning, geen besluit.", en = "Decision support, not a decision." }
"#;
