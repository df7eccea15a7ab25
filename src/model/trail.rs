//! CloudTrail's trails as the logging rules read them (issue 15), per region: the trails homed
//! there (DescribeTrails without shadow trails), each with its status (GetTrailStatus) and
//! whether it records management events, reads and writes (GetEventSelectors). `trails` is
//! `None` when DescribeTrails could not be read, and a trail's `logging` / `management` is
//! `None` when its own read failed: then a rule over it is unknown, never a pass.

use serde::{Deserialize, Serialize};

/// One region's trails.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailRegion {
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trails: Option<Vec<Trail>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    pub home_region: String,
    #[serde(default)]
    pub multi_region: bool,
    #[serde(default)]
    pub organization: bool,
    #[serde(default)]
    pub log_file_validation: bool,
    /// The KMS key the log files are encrypted with (SSE-KMS); `None`: S3-managed keys only.
    #[serde(default)]
    pub kms_key_id: Option<String>,
    /// The CloudWatch Logs log group the trail delivers to.
    #[serde(default)]
    pub cloudwatch_logs_log_group_arn: Option<String>,
    #[serde(default)]
    pub s3_bucket: Option<String>,
    /// GetTrailStatus `IsLogging`.
    #[serde(default)]
    pub logging: Option<bool>,
    /// Whether its event selectors record every management event, reads and writes.
    #[serde(default)]
    pub management: Option<Management>,
}

/// What a trail records of management events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Management {
    /// Reads and writes.
    All,
    ReadOnly,
    WriteOnly,
    /// No management events at all (data events only).
    None,
}

impl Trail {
    /// What CIS 3.1 / CloudTrail.1 ask for: multi-region, logging, every management event.
    /// `None` when the status or the selectors could not be read.
    pub fn covers_account(&self) -> Option<bool> {
        if !self.multi_region {
            return Some(false);
        }
        match (self.logging?, self.management?) {
            (true, Management::All) => Some(true),
            _ => Some(false),
        }
    }
}
