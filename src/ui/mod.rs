//! The components of the app. Each receives `Rc`/`Shared` data and emits callbacks; none
//! holds rule semantics.

pub mod compare;
pub mod diagram;
pub mod explanation;
pub mod focus;
pub mod inspector;
pub mod lint;
pub mod matrix;
pub mod needs;
pub mod notices;
pub mod overview;
pub mod problems;
pub mod progress;
pub mod query;
pub mod rules;
pub mod toolbar;
pub mod tree;
pub mod widgets;
