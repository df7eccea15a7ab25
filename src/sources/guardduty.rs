//! GuardDuty: `ListDetectors` → `ListFindings` (`service.archived` eq `false`, 50 ids a page)
//! (`equals`; `eq` is deprecated) → `GetFindings` for each page of ids (at most 50 a call). Findings are kept as the REST wire
//! JSON (camelCase) captured from each GetFindings response body. A state-only read (`check`
//! without `--all-findings`) stops after `GetDetector`.

use super::pages::Pager;
use super::{BodyCapture, LoadMsg, Progress, RegionResult, describe_error, report, take_array};
use crate::snapshot::{GuardDutyRegion, ServiceStatus};
use aws_config::SdkConfig;
use aws_sdk_guardduty::types::{Condition, DetectorStatus, FindingCriteria};

pub const SOURCE: &str = "guardduty";
/// ListFindings and GetFindings: at most 50 ids.
pub const PAGE_SIZE: i32 = 50;

/// Active (not archived) findings.
pub fn active_criteria() -> FindingCriteria {
    FindingCriteria::builder()
        .criterion(
            "service.archived",
            Condition::builder().equals("false").build(),
        )
        .build()
}

fn status(region: &str, enabled: bool, detail: Option<String>) -> ServiceStatus {
    ServiceStatus {
        service: SOURCE.into(),
        region: region.into(),
        enabled,
        detail,
    }
}

/// Reads GuardDuty in `region`: the detector and its active findings, or with `findings` off
/// only the detector's state (`ListDetectors`, `GetDetector`).
pub async fn load(conf: &SdkConfig, region: &str, p: &Progress, findings: bool) -> RegionResult {
    // Throttling shows in the progress while the SDK retries (coverage, issue 13).
    let watch = super::ThrottleWatch::new(SOURCE, Some(region), p);
    let client = super::aws::client!(aws_sdk_guardduty, conf, watch);
    let mut out = RegionResult::default();

    // ListDetectors (one detector per region in practice; paginate anyway).
    let mut detectors = Vec::new();
    let mut pager = Pager::default();
    loop {
        match Box::pin(client.list_detectors().set_next_token(pager.token()).send()).await {
            Ok(page) => {
                detectors.extend(page.detector_ids().iter().cloned());
                match pager.advance(page.next_token(), "guardduty:ListDetectors") {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(why) => {
                        out.problems
                            .push(RegionResult::problem(SOURCE, region, why));
                        break;
                    }
                }
            }
            Err(e) => {
                out.problems.push(RegionResult::problem(
                    SOURCE,
                    region,
                    describe_error("guardduty:ListDetectors", &e),
                ));
                return out;
            }
        }
    }
    let Some(detector) = detectors.first().cloned() else {
        // No detector: GuardDuty is off here. A coverage fact, not an error.
        out.services.push(status(region, false, None));
        return out;
    };

    // A suspended detector still lists, but finds nothing new.
    let enabled = match Box::pin(client.get_detector().detector_id(&detector).send()).await {
        Ok(d) => d.status() != Some(&DetectorStatus::Disabled),
        Err(e) => {
            out.problems.push(RegionResult::problem(
                SOURCE,
                region,
                describe_error("guardduty:GetDetector", &e),
            ));
            true
        }
    };
    out.services
        .push(status(region, enabled, Some(detector.clone())));
    if !findings {
        return out;
    }

    let mut findings = Vec::new();
    let mut pager = Pager::default();
    'pages: loop {
        let list = match Box::pin(
            client
                .list_findings()
                .detector_id(&detector)
                .finding_criteria(active_criteria())
                .max_results(PAGE_SIZE)
                .set_next_token(pager.token())
                .send(),
        )
        .await
        {
            Ok(list) => list,
            Err(e) => {
                // Say what was lost when some pages had been read.
                let lost = if pager.pages() > 0 {
                    format!(
                        "; finding ids after page {} not listed, {} findings read",
                        pager.pages(),
                        findings.len()
                    )
                } else {
                    String::new()
                };
                out.problems.push(RegionResult::problem(
                    SOURCE,
                    region,
                    format!("{}{lost}", describe_error("guardduty:ListFindings", &e)),
                ));
                break;
            }
        };
        let next = pager.advance(list.next_token(), "guardduty:ListFindings");
        for ids in list.finding_ids().chunks(PAGE_SIZE as usize) {
            let capture = BodyCapture::new();
            let got = Box::pin(
                client
                    .get_findings()
                    .detector_id(&detector)
                    .set_finding_ids(Some(ids.to_vec()))
                    .customize()
                    .interceptor(capture.clone())
                    .send(),
            )
            .await;
            if let Err(e) = got {
                let later = if next == Ok(true) {
                    " (and the later pages of ids)"
                } else {
                    ""
                };
                out.problems.push(RegionResult::problem(
                    SOURCE,
                    region,
                    format!(
                        "{}; {} findings of this page not read{later}, {} read",
                        describe_error("guardduty:GetFindings", &e),
                        ids.len(),
                        findings.len()
                    ),
                ));
                break 'pages;
            }
            match capture.take_json() {
                Ok(mut body) => {
                    let records = take_array(&mut body, "findings");
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
                        format!("guardduty:GetFindings: {e}"),
                    ));
                    break 'pages;
                }
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
    tracing::info!(region, pages = pager.pages(), "guardduty read");
    out.guardduty = Some(GuardDutyRegion {
        region: region.into(),
        detector_id: Some(detector),
        findings,
    });
    out
}
