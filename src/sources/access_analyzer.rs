//! IAM Access Analyzer: `ListAnalyzers` → for each active analyzer `ListFindingsV2` →
//! `GetFindingV2` per finding (a few at a time). Analyzers and findings are kept as the REST
//! wire JSON (camelCase) captured from the response bodies; `analyzerArn` is added to a finding
//! when the response lacks it. A state-only read (`check` without `--all-findings`) stops at
//! `ListAnalyzers`.

use super::pages::Pager;
use super::{BodyCapture, LoadMsg, Progress, RegionResult, describe_error, report, take_array};
use crate::snapshot::{AccessAnalyzerRegion, ServiceStatus};
use aws_config::SdkConfig;
use aws_sdk_accessanalyzer::Client;
use aws_sdk_accessanalyzer::types::AnalyzerStatus;
use serde_json::Value;
use std::sync::Arc;

pub const SOURCE: &str = "access-analyzer";
/// GetFindingV2 calls in flight at once per region.
pub const CONCURRENCY: usize = 4;

/// Reads Access Analyzer in `region`: its analyzers and their active findings, or with
/// `read_findings` off only the analyzers (`ListAnalyzers`).
pub async fn load(
    conf: &SdkConfig,
    region: &str,
    p: &Progress,
    read_findings: bool,
) -> RegionResult {
    // Throttling shows in the progress while the SDK retries (coverage, issue 13).
    let watch = super::ThrottleWatch::new(SOURCE, Some(region), p);
    let client = super::aws::client!(aws_sdk_accessanalyzer, conf, watch);
    let mut out = RegionResult::default();

    let mut analyzers: Vec<Value> = Vec::new();
    let mut active: Vec<String> = Vec::new();
    let mut pager = Pager::default();
    loop {
        let capture = BodyCapture::new();
        let page = match Box::pin(
            client
                .list_analyzers()
                .set_next_token(pager.token())
                .customize()
                .interceptor(capture.clone())
                .send(),
        )
        .await
        {
            Ok(page) => page,
            Err(e) => {
                out.problems.push(RegionResult::problem(
                    SOURCE,
                    region,
                    describe_error("access-analyzer:ListAnalyzers", &e),
                ));
                return out;
            }
        };
        for a in page.analyzers() {
            let enabled = a.status() == &AnalyzerStatus::Active;
            if enabled {
                active.push(a.arn().to_string());
            }
            out.services.push(ServiceStatus {
                service: SOURCE.into(),
                region: region.into(),
                enabled,
                detail: Some(a.r#type().as_str().to_string()),
            });
        }
        match capture.take_json() {
            Ok(mut body) => analyzers.extend(take_array(&mut body, "analyzers")),
            Err(e) => out.problems.push(RegionResult::problem(
                SOURCE,
                region,
                format!("access-analyzer:ListAnalyzers: {e}"),
            )),
        }
        match pager.advance(page.next_token(), "access-analyzer:ListAnalyzers") {
            Ok(true) => {}
            Ok(false) => break,
            Err(why) => {
                out.problems
                    .push(RegionResult::problem(SOURCE, region, why));
                break;
            }
        }
    }
    if out.services.is_empty() {
        // No analyzer: Access Analyzer is off here. A coverage fact, not an error.
        out.services.push(ServiceStatus {
            service: SOURCE.into(),
            region: region.into(),
            enabled: false,
            detail: None,
        });
        out.access_analyzer = Some(AccessAnalyzerRegion {
            region: region.into(),
            analyzers,
            findings: Vec::new(),
        });
        return out;
    }

    let mut findings = Vec::new();
    // A state-only read stops at the analyzers.
    let active = if read_findings { active } else { Vec::new() };
    for analyzer in &active {
        let mut ids: Vec<String> = Vec::new();
        let mut pager = Pager::default();
        loop {
            match Box::pin(
                client
                    .list_findings_v2()
                    .analyzer_arn(analyzer)
                    .set_next_token(pager.token())
                    .send(),
            )
            .await
            {
                Ok(page) => {
                    ids.extend(page.findings().iter().map(|f| f.id().to_string()));
                    match pager.advance(page.next_token(), "access-analyzer:ListFindingsV2") {
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
                        if ids.is_empty() {
                            describe_error("access-analyzer:ListFindingsV2", &e)
                        } else {
                            format!(
                                "{}; the analyzer's findings after the first {} were not listed",
                                describe_error("access-analyzer:ListFindingsV2", &e),
                                ids.len()
                            )
                        },
                    ));
                    break;
                }
            }
        }
        let (got, problems) = get_findings(&client, analyzer, ids, region, findings.len(), p).await;
        findings.extend(got);
        out.problems.extend(problems);
    }
    out.access_analyzer = Some(AccessAnalyzerRegion {
        region: region.into(),
        analyzers,
        findings,
    });
    out
}

/// GetFindingV2 for every id, `CONCURRENCY` at a time, in the order of `ids`.
async fn get_findings(
    client: &Client,
    analyzer: &str,
    ids: Vec<String>,
    region: &str,
    before: usize,
    p: &Progress,
) -> (Vec<Value>, Vec<crate::model::SourceProblem>) {
    let total = ids.len();
    let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, id) in ids.into_iter().enumerate() {
        let client = client.clone();
        let analyzer = analyzer.to_string();
        let limit = limit.clone();
        tasks.spawn(Box::pin(async move {
            let _permit = limit.acquire_owned().await;
            (i, Box::pin(get_finding(client, analyzer, id)).await)
        }));
    }
    let mut got: Vec<(usize, Value)> = Vec::new();
    let mut batch: Vec<Value> = Vec::new();
    let mut problems = Vec::new();
    let mut first_error: Option<String> = None;
    let mut errors = 0usize;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, Ok(v))) => {
                if p.is_some() {
                    batch.push(v.clone());
                }
                got.push((i, v));
                if got.len().is_multiple_of(25) || got.len() == total {
                    report(
                        p,
                        LoadMsg {
                            source: SOURCE,
                            region: Some(region.to_string()),
                            unit: "findings",
                            done: before + got.len(),
                            total: Some(before + total),
                            records: std::mem::take(&mut batch),
                        },
                    );
                }
            }
            Ok((_, Err(e))) => {
                errors += 1;
                first_error.get_or_insert(e);
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert(format!("task failed: {e}"));
            }
        }
    }
    if let Some(e) = first_error {
        let more = if errors > 1 {
            format!(" ({errors} findings could not be read)")
        } else {
            String::new()
        };
        problems.push(RegionResult::problem(SOURCE, region, format!("{e}{more}")));
    }
    got.sort_by_key(|(i, _)| *i);
    (got.into_iter().map(|(_, v)| v).collect(), problems)
}

/// One finding, following `findingDetails` pages (GetFindingV2 paginates them).
async fn get_finding(client: Client, analyzer: String, id: String) -> Result<Value, String> {
    let mut pager = Pager::default();
    let mut finding: Option<Value> = None;
    loop {
        let capture = BodyCapture::new();
        let page = Box::pin(
            client
                .get_finding_v2()
                .analyzer_arn(&analyzer)
                .id(&id)
                .set_next_token(pager.token())
                .customize()
                .interceptor(capture.clone())
                .send(),
        )
        .await
        .map_err(|e| describe_error("access-analyzer:GetFindingV2", &e))?;
        let mut body = capture
            .take_json()
            .map_err(|e| format!("access-analyzer:GetFindingV2: {e}"))?;
        match finding.as_mut() {
            None => finding = Some(body),
            Some(f) => {
                let more = take_array(&mut body, "findingDetails");
                if let Some(Value::Array(details)) = f.get_mut("findingDetails") {
                    details.extend(more);
                }
            }
        }
        if !pager.advance(page.next_token(), "access-analyzer:GetFindingV2")? {
            break;
        }
    }
    let mut finding = finding.unwrap_or(Value::Null);
    if let Value::Object(map) = &mut finding {
        map.remove("nextToken");
        map.entry("analyzerArn")
            .or_insert_with(|| Value::String(analyzer.clone()));
    }
    Ok(finding)
}
