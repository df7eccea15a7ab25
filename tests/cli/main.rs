//! `guardpost check` and other command-line runs of the real binary (no emulator, no tmux).

#[path = "../common/mod.rs"]
mod common;

mod check_cli;
mod framework_cli;
mod local_files_cli;
mod net_cli;
