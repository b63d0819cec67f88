//! Checklists as data: the TOML format, loading, validation, the condition
//! language, and the catalog of checklists a worker is offered.
//!
//! Pure: never touches the file system, the clock or the terminal. Files
//! come in as bytes; what reads them from disk lives in the shell.

pub mod catalog;
pub mod condition;
pub mod diagnostic;
pub mod load;
pub mod model;
pub mod outline;
pub mod repeat;
pub mod resolve;
pub mod schema;

pub use catalog::{Catalog, SourceFile};
pub use diagnostic::Diagnostic;
pub use model::{AppliesTo, Checklist, Item, ItemKind};
