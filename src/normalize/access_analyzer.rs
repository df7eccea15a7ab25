//! IAM Access Analyzer GetFindingV2 (REST wire shape) -> Finding.
use super::NormalizeError;
use crate::model::Finding;

/// `analyzer` is the ListAnalyzers entry the finding came from (for its type and ARN).
pub fn normalize(
    raw: &serde_json::Value,
    region: &str,
    analyzer: Option<&serde_json::Value>,
) -> Result<Finding, NormalizeError> {
    let _ = (raw, region, analyzer);
    todo!("helper: normalizer")
}
