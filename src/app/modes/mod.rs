//! Modes: what owns the keyboard over a view — line editing (filter, command, help), the act
//! menu / confirm / progress / outcome, the walkthrough's prompt and the MFA prompt.
pub mod act;
pub mod line;
pub mod mfa;
pub mod prompt;
