//! The logging baseline (issue 15), from CloudTrail's trails in every region read: at least one
//! multi-region trail that is logging every management event (reads and writes), and per trail
//! log file validation, KMS encryption and CloudWatch Logs delivery. A region whose trails
//! could not be read, or a trail whose status or selectors could not be, yields no pass: the
//! account-wide rule stays silent (unknown) unless a good trail was seen anyway.

use super::Out;
use super::rules::*;
use crate::model::ResourceRef;
use crate::model::trail::{Management, Trail};
use serde_json::json;

pub(crate) fn check(out: &mut Out<'_>) {
    if out.input.trails.is_empty() {
        return;
    }
    let known: Vec<&Trail> = out
        .input
        .trails
        .iter()
        .flat_map(|r| r.trails.iter().flatten())
        .collect();
    for t in &known {
        per_trail(out, t);
    }
    // The account-wide rule needs every region read (a good trail may be homed in the one that
    // failed) unless a good trail was seen; and no trail whose status is unknown.
    let good = known.iter().any(|t| t.covers_account() == Some(true));
    let all_read = out.input.regions.iter().all(|region| {
        out.input
            .trails
            .iter()
            .any(|r| &r.region == region && r.trails.is_some())
    });
    let undecided = known.iter().any(|t| t.covers_account().is_none());
    if good || !all_read || undecided {
        return;
    }
    let why: Vec<String> = known
        .iter()
        .map(|t| {
            let mut gaps = Vec::new();
            if !t.multi_region {
                gaps.push("single-region");
            }
            if t.logging == Some(false) {
                gaps.push("not logging");
            }
            match t.management {
                Some(Management::ReadOnly) => gaps.push("read events only"),
                Some(Management::WriteOnly) => gaps.push("write events only"),
                Some(Management::None) => gaps.push("no management events"),
                _ => {}
            }
            format!("{} ({})", t.name, gaps.join(", "))
        })
        .collect();
    let res = out.account_resource();
    out.push(
        TRAIL_MISSING,
        res,
        if known.is_empty() {
            format!("Account {} has no CloudTrail trail", out.account())
        } else {
            format!(
                "No CloudTrail trail logs every management event in every region ({})",
                why.join("; ")
            )
        },
        if known.is_empty() {
            "No trail is homed in any region read, so API activity is kept only in the 90-day event history.".to_string()
        } else {
            format!("Trails found, none sufficient: {}.", why.join("; "))
        },
        json!({"trails": known.iter().map(|t| json!({
            "name": t.name, "arn": t.arn, "home_region": t.home_region,
            "multi_region": t.multi_region, "logging": t.logging, "management": t.management,
        })).collect::<Vec<_>>()}),
    );
}

fn trail_resource(t: &Trail) -> ResourceRef {
    ResourceRef {
        arn: t.arn.clone(),
        kind: "AwsCloudTrailTrail".into(),
        name: t.name.clone(),
        region: Some(t.home_region.clone()),
    }
}

fn per_trail(out: &mut Out<'_>, t: &Trail) {
    let evidence = json!({"trail": t.name, "arn": t.arn, "home_region": t.home_region,
        "log_file_validation": t.log_file_validation, "kms_key_id": t.kms_key_id,
        "cloudwatch_logs_log_group_arn": t.cloudwatch_logs_log_group_arn, "s3_bucket": t.s3_bucket});
    if !t.log_file_validation {
        out.push(
            TRAIL_VALIDATION,
            trail_resource(t),
            format!("Trail {} has log file validation off", t.name),
            format!(
                "Trail {} ({}) writes no digest files, so changes to its log files cannot be detected.",
                t.name, t.home_region
            ),
            evidence.clone(),
        );
    }
    if t.kms_key_id.as_deref().is_none_or(str::is_empty) {
        out.push(
            TRAIL_KMS,
            trail_resource(t),
            format!("Trail {} is not encrypted with a KMS key", t.name),
            format!(
                "Trail {} ({}) delivers log files encrypted with S3-managed keys only.",
                t.name, t.home_region
            ),
            evidence.clone(),
        );
    }
    if t.cloudwatch_logs_log_group_arn
        .as_deref()
        .is_none_or(str::is_empty)
    {
        out.push(
            TRAIL_CLOUDWATCH,
            trail_resource(t),
            format!("Trail {} does not deliver to CloudWatch Logs", t.name),
            format!(
                "Trail {} ({}) has no CloudWatch Logs log group, so no metric filter or alarm can see its events.",
                t.name, t.home_region
            ),
            evidence,
        );
    }
}

/// AWS Config per region: a recorder that records every supported resource type and is
/// recording, with a delivery channel; global resource types (IAM) recorded in at least one
/// region (judged only when every region was read). A region whose parts were not read is
/// left out (unknown).
pub(crate) fn config(out: &mut Out<'_>) {
    use crate::model::recorder::ConfigRegion;
    let regions: Vec<&ConfigRegion> = out.input.recorders.iter().collect();
    if regions.is_empty() {
        return;
    }
    let known = |r: &ConfigRegion| {
        r.delivery_channels.is_some()
            && r.recorders
                .as_ref()
                .is_some_and(|rs| rs.iter().all(|x| x.recording.is_some()))
    };
    let all_known = out
        .input
        .regions
        .iter()
        .all(|region| regions.iter().any(|r| &r.region == region && known(r)));
    let global_somewhere = regions
        .iter()
        .flat_map(|r| r.recorders.iter().flatten())
        .any(|x| x.include_global && x.recording == Some(true));
    for (i, r) in regions.iter().enumerate() {
        if !known(r) {
            continue;
        }
        let recorders = r.recorders.as_deref().unwrap_or_default();
        let channels = r.delivery_channels.as_deref().unwrap_or_default();
        let mut gaps: Vec<String> = Vec::new();
        match recorders.first() {
            None => gaps.push("no configuration recorder".into()),
            Some(x) => {
                if x.recording != Some(true) {
                    gaps.push(format!("recorder {} is stopped", x.name));
                }
                if !x.all_supported {
                    gaps.push(format!(
                        "recorder {} records only some resource types",
                        x.name
                    ));
                }
            }
        }
        if channels.is_empty() {
            gaps.push("no delivery channel".into());
        }
        // Global types: said once, on the first region, when no region records them.
        if gaps.is_empty() && i == 0 && all_known && !global_somewhere {
            gaps.push("no region records global resource types (IAM)".into());
        }
        if gaps.is_empty() {
            continue;
        }
        let res = ResourceRef {
            arn: format!(
                "arn:{}:config:{}:{}:",
                out.partition(),
                r.region,
                out.account()
            ),
            kind: "AwsAccount".into(),
            name: format!("{} ({})", out.account(), r.region),
            region: Some(r.region.clone()),
        };
        out.push(
            CONFIG_OFF,
            res,
            format!("AWS Config in {}: {}", r.region, gaps.join(", ")),
            format!(
                "AWS Config in {} does not record every resource: {}.",
                r.region,
                gaps.join("; ")
            ),
            json!({"region": r.region, "recorders": recorders, "delivery_channels": channels}),
        );
    }
}
