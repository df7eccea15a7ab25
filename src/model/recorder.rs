//! AWS Config's recorders and delivery channels, per region, as the logging rule reads them
//! (issue 15). Each part is `None` when it could not be read: the rule is then unknown there.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigRegion {
    pub region: String,
    /// DescribeConfigurationRecorders joined with DescribeConfigurationRecorderStatus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorders: Option<Vec<Recorder>>,
    /// DescribeDeliveryChannels: the channels' names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_channels: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorder {
    pub name: String,
    /// `recordingGroup.allSupported`.
    #[serde(default)]
    pub all_supported: bool,
    /// `recordingGroup.includeGlobalResourceTypes` (IAM users, roles, policies, groups).
    #[serde(default)]
    pub include_global: bool,
    /// The status's `recording`; `None` when the status could not be read.
    #[serde(default)]
    pub recording: Option<bool>,
}
