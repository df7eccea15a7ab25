//! AWS Config fixes: start a recorder that was stopped, or set one up (recorder for every
//! supported type, delivery channel to a bucket the user names, started). Undone by stopping,
//! and for a set-up recorder by deleting the channel and the recorder it made.

use super::Action;
use crate::remediation::{ApiCall, Plan, UndoPlan};
use serde_json::json;

/// The recorder name AWS's console uses; a set-up recorder gets it.
pub const RECORDER_NAME: &str = "default";

pub fn start_recorder(region: &str, name: &str) -> Plan {
    let call = |op: &str| {
        ApiCall::regional(
            "config",
            op,
            region,
            json!({"ConfigurationRecorderName": name}),
        )
    };
    Plan {
        action: Action::StartConfigRecorder,
        title: format!("Start the AWS Config recorder {name} in {region}"),
        targets: vec![format!("config:{region}")],
        confirm_text: region.into(),
        calls: vec![call("StartConfigurationRecorder")],
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![call("StopConfigurationRecorder")],
        },
        destructive: false,
        notes: vec!["AWS Config is billed per configuration item recorded.".into()],
        undo_of: None,
    }
}

/// A recorder for every supported resource type (`global`: IAM's too), its delivery channel
/// to `bucket`, started, with AWS Config's service-linked role.
pub fn enable_config(region: &str, account: &str, bucket: &str, global: bool) -> Plan {
    let role = format!(
        "arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
    );
    let call = |op: &str, params| ApiCall::regional("config", op, region, params);
    Plan {
        action: Action::EnableConfig,
        title: format!("Record every resource with AWS Config in {region} (delivery to {bucket})"),
        targets: vec![format!("config:{region}")],
        confirm_text: region.into(),
        calls: vec![
            call(
                "PutConfigurationRecorder",
                json!({"ConfigurationRecorder": {"name": RECORDER_NAME, "roleARN": role,
                    "recordingGroup": {"allSupported": true, "includeGlobalResourceTypes": global}}}),
            ),
            call(
                "PutDeliveryChannel",
                json!({"DeliveryChannel": {"name": RECORDER_NAME, "s3BucketName": bucket}}),
            ),
            call(
                "StartConfigurationRecorder",
                json!({"ConfigurationRecorderName": RECORDER_NAME}),
            ),
        ],
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![
                call(
                    "StopConfigurationRecorder",
                    json!({"ConfigurationRecorderName": RECORDER_NAME}),
                ),
                call(
                    "DeleteDeliveryChannel",
                    json!({"DeliveryChannelName": RECORDER_NAME}),
                ),
                call(
                    "DeleteConfigurationRecorder",
                    json!({"ConfigurationRecorderName": RECORDER_NAME}),
                ),
            ],
        },
        destructive: false,
        notes: vec![
            "AWS Config is billed per configuration item recorded.".into(),
            "Needs the AWSServiceRoleForConfig service-linked role (iam:CreateServiceLinkedRole --aws-service-name config.amazonaws.com) and a bucket policy that lets AWS Config write.".into(),
        ],
        undo_of: None,
    }
}

/// Start the recorder of `region` in `data` when it records every supported type, has a
/// delivery channel and was stopped.
pub fn stopped_recorder(data: &crate::dataset::Dataset, region: &str) -> Option<Plan> {
    let c = data.config_recorders.iter().find(|c| c.region == region)?;
    let has_channel = c.delivery_channels.as_ref().is_some_and(|d| !d.is_empty());
    let x = c.recorders.as_ref()?.first()?;
    (x.all_supported && has_channel && x.recording == Some(false))
        .then(|| start_recorder(region, &x.name))
}
