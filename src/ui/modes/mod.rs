//! Drawing of the modes that sit over a view (act menu/confirm/progress, the MFA prompt).
pub mod act;
pub mod mfa;
