//! ASFF (Security Hub GetFindings) -> Finding.
use super::NormalizeError;
use crate::model::Finding;

/// Normalizes one ASFF finding as GetFindings returns it.
pub fn normalize(raw: &serde_json::Value, region: &str) -> Result<Finding, NormalizeError> {
    let _ = (raw, region);
    todo!("helper: normalizer")
}
