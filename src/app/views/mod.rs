//! The views of a pane's navigation stack.
pub mod findings;
pub mod incident;
pub mod overview;
