//! Security Hub: `GetFindings` (RecordState ACTIVE, WorkflowStatus NEW or NOTIFIED), 100 per
//! page to the end, at most 3 requests per second per region. Findings are kept as the ASFF
//! wire JSON captured from each response body. A state-only read (`check` without
//! `--all-findings`) calls only `DescribeHub`.

use super::pages::Pager;
use super::{
    BodyCapture, LoadMsg, Progress, RegionResult, TokenBucket, describe_error, report, take_array,
};
use crate::snapshot::{SecurityHubRegion, ServiceStatus};
use aws_config::SdkConfig;
use aws_sdk_securityhub::types::{AwsSecurityFindingFilters, StringFilter, StringFilterComparison};

pub const SOURCE: &str = "securityhub";
/// GetFindings' maximum page size.
pub const PAGE_SIZE: i32 = 100;
/// Security Hub's GetFindings quota: 3 requests per second (burst 6); we stay at 3.
pub const REQUESTS_PER_SECOND: f64 = 3.0;

fn eq(value: &str) -> StringFilter {
    StringFilter::builder()
        .value(value)
        .comparison(StringFilterComparison::Equals)
        .build()
}

/// The default filter: active records whose workflow is still open.
pub fn default_filters() -> AwsSecurityFindingFilters {
    AwsSecurityFindingFilters::builder()
        .record_state(eq("ACTIVE"))
        .workflow_status(eq("NEW"))
        .workflow_status(eq("NOTIFIED"))
        .build()
}

/// Reads Security Hub in `region`: its open findings, or with `findings` off only whether it
/// is on (`DescribeHub`).
pub async fn load(conf: &SdkConfig, region: &str, p: &Progress, findings: bool) -> RegionResult {
    // Throttling shows in the progress while the SDK retries (coverage, issue 13).
    let watch = super::ThrottleWatch::new(SOURCE, Some(region), p);
    let client = super::aws::client!(aws_sdk_securityhub, conf, watch);
    if findings {
        read_findings(&client, region, p).await
    } else {
        read_state(&client, region).await
    }
}

fn status(region: &str, enabled: bool) -> ServiceStatus {
    ServiceStatus {
        service: SOURCE.into(),
        region: region.into(),
        enabled,
        detail: None,
    }
}

/// `DescribeHub`: subscribed or not (InvalidAccessException), nothing else.
async fn read_state(client: &aws_sdk_securityhub::Client, region: &str) -> RegionResult {
    let mut out = RegionResult::default();
    match Box::pin(client.describe_hub().send()).await {
        Ok(_) => out.services.push(status(region, true)),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_invalid_access_exception()) =>
        {
            out.services.push(status(region, false));
        }
        Err(e) => out.problems.push(RegionResult::problem(
            SOURCE,
            region,
            describe_error("securityhub:DescribeHub", &e),
        )),
    }
    out
}

async fn read_findings(
    client: &aws_sdk_securityhub::Client,
    region: &str,
    p: &Progress,
) -> RegionResult {
    let mut out = RegionResult::default();
    let mut findings = Vec::new();
    let mut bucket = TokenBucket::new(REQUESTS_PER_SECOND, 1.0);
    let mut pager = Pager::default();
    loop {
        bucket.acquire().await;
        let capture = BodyCapture::new();
        let result = Box::pin(
            client
                .get_findings()
                .filters(default_filters())
                .max_results(PAGE_SIZE)
                .set_next_token(pager.token())
                .customize()
                .interceptor(capture.clone())
                .send(),
        )
        .await;
        let page = match result {
            Ok(page) => page,
            Err(e) => {
                let disabled = e
                    .as_service_error()
                    .is_some_and(|s| s.is_invalid_access_exception());
                if disabled && pager.pages() == 0 {
                    // Not subscribed in this region: a coverage fact, not an error.
                    out.services.push(status(region, false));
                    return out;
                }
                // Say what was lost: a page that failed after its retries ends the read.
                let lost = if pager.pages() > 0 {
                    format!(
                        "; stopped at page {}: {} findings read, the rest not",
                        pager.pages() + 1,
                        findings.len()
                    )
                } else {
                    String::new()
                };
                out.problems.push(RegionResult::problem(
                    SOURCE,
                    region,
                    format!("{}{lost}", describe_error("securityhub:GetFindings", &e)),
                ));
                break;
            }
        };
        let next = pager.advance(page.next_token(), "securityhub:GetFindings");
        match capture.take_json() {
            Ok(mut body) => {
                let records = take_array(&mut body, "Findings");
                report(
                    p,
                    LoadMsg {
                        source: SOURCE,
                        region: Some(region.to_string()),
                        unit: "pages",
                        done: pager.pages(),
                        total: None,
                        records: if p.is_some() {
                            records.clone()
                        } else {
                            Vec::new()
                        },
                    },
                );
                findings.extend(records);
            }
            Err(e) => {
                out.problems.push(RegionResult::problem(
                    SOURCE,
                    region,
                    format!("securityhub:GetFindings page {}: {e}", pager.pages()),
                ));
                break;
            }
        }
        match next {
            Ok(true) => {}
            Ok(false) => break,
            Err(why) => {
                out.problems
                    .push(RegionResult::problem(SOURCE, region, why));
                break;
            }
        }
    }
    let pages = pager.pages();
    if pages > 0 {
        out.services.push(status(region, true));
        out.securityhub = Some(SecurityHubRegion {
            region: region.into(),
            findings,
        });
    }
    tracing::info!(region, pages, "security hub read");
    out
}
