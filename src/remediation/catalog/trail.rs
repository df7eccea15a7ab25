//! CloudTrail fixes of the logging baseline: turn on log file validation, start a trail that
//! was stopped. Both are undone by the opposite call.

use super::Action;
use crate::remediation::{ApiCall, Plan, Precondition, UndoPlan};
use serde_json::json;

/// The trail's name from its ARN (`arn:aws:cloudtrail:REGION:ACCT:trail/NAME`).
fn name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

pub fn enable_log_file_validation(region: &str, trail_arn: &str) -> Plan {
    let call = |on: bool| {
        ApiCall::regional(
            "cloudtrail",
            "UpdateTrail",
            region,
            json!({"Name": trail_arn, "EnableLogFileValidation": on}),
        )
    };
    Plan {
        action: Action::EnableLogFileValidation,
        title: format!(
            "Turn on log file validation of trail {} ({region})",
            name(trail_arn)
        ),
        targets: vec![trail_arn.into()],
        confirm_text: name(trail_arn).into(),
        calls: vec![call(true)],
        preconditions: vec![Precondition::TrailValidation {
            region: region.into(),
            trail: trail_arn.into(),
            enabled: false,
        }],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![call(false)],
        },
        destructive: false,
        notes: vec![
            "CloudTrail writes an hourly digest file beside the logs from now on; files delivered before stay unvalidated.".into(),
        ],
        undo_of: None,
    }
}

pub fn start_logging(region: &str, trail_arn: &str) -> Plan {
    let call = |op: &str| ApiCall::regional("cloudtrail", op, region, json!({"Name": trail_arn}));
    Plan {
        action: Action::StartLogging,
        title: format!("Start logging on trail {} ({region})", name(trail_arn)),
        targets: vec![trail_arn.into()],
        confirm_text: name(trail_arn).into(),
        calls: vec![call("StartLogging")],
        preconditions: vec![Precondition::TrailLogging {
            region: region.into(),
            trail: trail_arn.into(),
            logging: false,
        }],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![call("StopLogging")],
        },
        destructive: false,
        notes: vec![
            "The trail delivers to its S3 bucket again; events from while it was stopped are only in the 90-day event history.".into(),
            "The first copy of management events in each region is free; more trails are billed.".into(),
        ],
        undo_of: None,
    }
}

/// Start logging on the multi-region trail of `data` that records every management event but
/// was stopped, if there is one.
pub fn stopped_trail(data: &crate::dataset::Dataset) -> Option<Plan> {
    use crate::model::trail::Management;
    data.trails
        .iter()
        .flat_map(|r| r.trails.iter().flatten())
        .find(|t| {
            t.multi_region && t.logging == Some(false) && t.management == Some(Management::All)
        })
        .map(|t| start_logging(&t.home_region, &t.arn))
}
