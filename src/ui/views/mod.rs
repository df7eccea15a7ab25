//! One draw file per view.
pub(crate) mod detail;
pub mod findings;
pub mod iam;
pub mod incident;
pub mod overview;
pub mod resource;
