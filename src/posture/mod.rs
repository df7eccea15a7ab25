//! The posture engine: rules as pure functions over the IAM inventory and service state.
use crate::model::{Finding, IamInventory};
use crate::snapshot::ServiceStatus;
use chrono::{DateTime, Utc};

/// What the rules need besides the inventory.
#[derive(Debug, Clone)]
pub struct PostureInput<'a> {
    pub account: &'a str,
    pub regions: &'a [String],
    pub iam: Option<&'a IamInventory>,
    pub services: &'a [ServiceStatus],
    pub now: DateTime<Utc>,
    pub config: &'a PostureConfig,
}

/// Tunables from the config file (`[posture]`); defaults follow CIS v3.0.0 and our IAM guidance.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostureConfig {
    /// Tag key that names a user's owner.
    pub owner_tag: String,
    /// Users whose name matches one of these globs, or that carry `break_glass_tag`, are break-glass / incident-response users.
    pub break_glass_names: Vec<String>,
    pub break_glass_tag: String,
    /// Days without use after which credentials count as unused (CIS 1.12: 45).
    pub unused_days: i64,
    /// Days after which an access key must be rotated (CIS 1.14: 90).
    pub rotation_days: i64,
}

impl Default for PostureConfig {
    fn default() -> Self {
        PostureConfig {
            owner_tag: "owner".into(),
            break_glass_names: vec![
                "break-glass*".into(),
                "breakglass*".into(),
                "incident-response*".into(),
            ],
            break_glass_tag: "guardpost:break-glass".into(),
            unused_days: 45,
            rotation_days: 90,
        }
    }
}

/// Runs every rule; the returned findings have source Posture.
pub fn evaluate(input: &PostureInput<'_>) -> Vec<Finding> {
    let _ = input;
    todo!("helper: posture")
}
