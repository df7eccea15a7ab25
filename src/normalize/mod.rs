//! Pure functions from each API's raw JSON to the normalized [`Finding`](crate::model::Finding).

pub mod access_analyzer;
pub mod guardduty;
pub mod securityhub;

/// A record that could not be normalized; the rest of the batch still loads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name} finding {id}: {message}")]
pub struct NormalizeError {
    pub source_name: &'static str,
    /// The record's id when it has one, else `<no id>`.
    pub id: String,
    pub message: String,
}
