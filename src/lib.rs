//! guardpost: a terminal console for AWS account security.
//!
//! Architecture (docs/architecture.md): sources and actions do I/O and send events;
//! [`app::update`] is a pure state machine; [`ui::render`] draws the state.

pub mod app;
pub mod check;
pub mod config;
pub mod console;
pub mod dataset;
pub mod fix;
pub mod incident;
#[cfg(test)]
mod layering;
pub mod merge;
pub mod model;
pub mod normalize;
pub mod posture;
pub mod remediation;
pub mod report;
pub mod runtime;
pub mod sanitize;
pub mod snapshot;
pub mod sources;
pub mod storage;
#[doc(hidden)]
pub mod synth;
pub mod toml_diag;
pub mod ui;
