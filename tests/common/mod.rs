pub mod demo;
pub mod tmux;
