//! Modes: what owns the keyboard over a view (the act menu, confirm and progress, the MFA prompt).
pub mod act;
pub mod mfa;
