//! A JSON Schema (draft 2020-12) of the checklist file format, for editors
//! (Taplo / Even Better TOML: completion and hover help). It describes the
//! shape only; conditions, cycles and score ranges are for the validator.
//! A test keeps it in step with the loader: every bundled and fixture
//! checklist must satisfy it (tests/checklist_schema.rs).
//!
//! Pure data.

/// The schema as JSON text.
pub const SCHEMA: &str = include_str!("checklist.schema.json");

/// The schema as printed by `safevisit checklists schema`.
pub fn schema_text() -> &'static str {
    SCHEMA.trim_end()
}
