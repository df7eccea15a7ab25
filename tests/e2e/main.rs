//! End to end: the real binary in tmux (some against the emulator).
#[path = "../common/mod.rs"]
mod common;
#[path = "../live/mod.rs"]
mod live;

mod e2e_coverage;
mod e2e_fix;
mod e2e_incident;
mod e2e_live;
mod e2e_org;
mod e2e_read_only;
mod e2e_remediation;
mod e2e_tmux;
mod e2e_who_can_admin;
