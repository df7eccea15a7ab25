//! `guardpost check` and other command-line runs of the real binary (no emulator, no tmux).

mod check_cli;
mod local_files_cli;
