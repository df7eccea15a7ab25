//! Pure tests of the library: the app state machine, the screens (insta), config and themes,
//! snapshots, docs that are generated from code. One binary.
#[path = "../common/mod.rs"]
mod common;

mod app_actions;
mod app_live;
mod app_update;
mod app_ux;
mod config_theme;
mod demo_posture;
mod demo_snapshot;
mod docs_keys;
mod fuzz_inputs;
mod hostile_strings;
mod incident_flow;
mod incident_store;
mod journal_safety;
mod org_console;
mod snapshot_errors;
mod ui_readable;
mod ui_snapshots;
mod who_can_admin;
