//! GuardDuty GetFindings (REST wire shape) -> Finding.
use super::NormalizeError;
use crate::model::Finding;

pub fn normalize(raw: &serde_json::Value, region: &str) -> Result<Finding, NormalizeError> {
    let _ = (raw, region);
    todo!("helper: normalizer")
}
