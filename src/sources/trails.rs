//! CloudTrail's trails, per region, for the logging baseline: `DescribeTrails` (shadow trails
//! included, so an organization trail shows in a member account), then `GetTrailStatus` and
//! `GetEventSelectors` of each trail homed here (or homed in a region not read). A failed
//! DescribeTrails leaves the region unknown; a failed status or selector read leaves that
//! trail's part unknown and is a problem of its own.

use super::{Progress, RegionResult, describe_error};
use crate::model::trail::{Management, Trail, TrailRegion};
use aws_config::SdkConfig;
use aws_sdk_cloudtrail::types::ReadWriteType;

/// The coverage source name (the incident lookups' `cloudtrail` reader is a different one).
pub const SOURCE: &str = "cloudtrail";

pub async fn load(
    conf: &SdkConfig,
    region: &str,
    regions: &[String],
    p: &Progress,
) -> RegionResult {
    let watch = super::ThrottleWatch::new(SOURCE, Some(region), p);
    let client = super::aws::client!(aws_sdk_cloudtrail, conf, watch);
    let mut out = RegionResult::default();
    let listed = match Box::pin(client.describe_trails().include_shadow_trails(true).send()).await {
        Ok(o) => o,
        Err(e) => {
            out.problems.push(RegionResult::problem(
                SOURCE,
                region,
                describe_error("cloudtrail:DescribeTrails", &e),
            ));
            out.trails = Some(TrailRegion {
                region: region.into(),
                trails: None,
            });
            return out;
        }
    };
    let mut trails = Vec::new();
    for t in listed.trail_list() {
        let home = t.home_region().unwrap_or(region);
        // A trail is read once, in its home region, unless that region is not read at all.
        if home != region && regions.iter().any(|r| r == home) {
            continue;
        }
        let arn = t.trail_arn().unwrap_or_default().to_string();
        let mut trail = Trail {
            name: t.name().unwrap_or_default().to_string(),
            arn: arn.clone(),
            home_region: home.to_string(),
            multi_region: t.is_multi_region_trail().unwrap_or(false),
            organization: t.is_organization_trail().unwrap_or(false),
            log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
            kms_key_id: t.kms_key_id().map(str::to_string),
            cloudwatch_logs_log_group_arn: t.cloud_watch_logs_log_group_arn().map(str::to_string),
            s3_bucket: t.s3_bucket_name().map(str::to_string),
            logging: None,
            management: None,
        };
        match Box::pin(client.get_trail_status().name(&arn).send()).await {
            Ok(s) => trail.logging = Some(s.is_logging().unwrap_or(false)),
            Err(e) => out.problems.push(RegionResult::problem(
                SOURCE,
                region,
                describe_error("cloudtrail:GetTrailStatus", &e),
            )),
        }
        match Box::pin(client.get_event_selectors().trail_name(&arn).send()).await {
            Ok(s) => trail.management = Some(management(&s)),
            Err(e) => out.problems.push(RegionResult::problem(
                SOURCE,
                region,
                describe_error("cloudtrail:GetEventSelectors", &e),
            )),
        }
        trails.push(trail);
    }
    out.trails = Some(TrailRegion {
        region: region.into(),
        trails: Some(trails),
    });
    out
}

/// What the selectors record of management events: basic selectors by `ReadWriteType` where
/// `IncludeManagementEvents`; advanced ones by an `eventCategory = Management` selector and its
/// `readOnly` field, if any.
fn management(
    s: &aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> Management {
    let (mut read, mut write) = (false, false);
    for e in s.event_selectors() {
        if !e.include_management_events().unwrap_or(true) {
            continue;
        }
        match e.read_write_type() {
            Some(ReadWriteType::ReadOnly) => read = true,
            Some(ReadWriteType::WriteOnly) => write = true,
            _ => (read, write) = (true, true),
        }
    }
    for a in s.advanced_event_selectors() {
        let fields = a.field_selectors();
        let is_management = fields
            .iter()
            .any(|f| f.field() == "eventCategory" && f.equals().iter().any(|v| v == "Management"));
        if !is_management {
            continue;
        }
        match fields
            .iter()
            .find(|f| f.field() == "readOnly")
            .and_then(|f| f.equals().first())
            .map(String::as_str)
        {
            Some("true") => read = true,
            Some("false") => write = true,
            _ => (read, write) = (true, true),
        }
    }
    match (read, write) {
        (true, true) => Management::All,
        (true, false) => Management::ReadOnly,
        (false, true) => Management::WriteOnly,
        (false, false) => Management::None,
    }
}
