//! Finding triage: Security Hub workflow status, GuardDuty archive and feedback, Access Analyzer
//! archive, batched per service, region and container.

use super::{AA_BATCH, Action, GD_BATCH, SH_BATCH};
use crate::model::{Finding, Source, Workflow};
use crate::remediation::{ApiCall, Plan, UndoPlan};
use serde_json::{Value, json};

/// One Security Hub finding to update: its identifiers and its status now.
#[derive(Debug, Clone, PartialEq)]
pub struct ShTarget {
    pub id: String,
    pub product_arn: String,
    pub region: String,
    pub previous: Workflow,
}

fn sh_targets(findings: &[&Finding]) -> Vec<ShTarget> {
    let mut out = Vec::new();
    for f in findings {
        for rec in f.records.iter().filter(|r| r.source == Source::SecurityHub) {
            let Some(product_arn) = rec.product_arn.clone() else {
                continue;
            };
            let previous = rec.raw["Workflow"]["Status"]
                .as_str()
                .and_then(Workflow::parse)
                .unwrap_or(f.workflow);
            out.push(ShTarget {
                id: rec.id.clone(),
                product_arn,
                region: rec.region.clone(),
                previous,
            });
        }
    }
    out
}

pub(crate) fn sh_update_calls(targets: &[&ShTarget], status: Workflow, note: &str) -> Vec<ApiCall> {
    let mut by_region: Vec<(&str, Vec<&ShTarget>)> = Vec::new();
    for t in targets {
        match by_region.iter_mut().find(|(r, _)| *r == t.region) {
            Some((_, v)) => v.push(t),
            None => by_region.push((&t.region, vec![t])),
        }
    }
    let mut calls = Vec::new();
    for (region, ts) in by_region {
        for chunk in ts.chunks(SH_BATCH) {
            let ids: Vec<Value> = chunk
                .iter()
                .map(|t| json!({"Id": t.id, "ProductArn": t.product_arn}))
                .collect();
            calls.push(ApiCall::regional(
                "securityhub",
                "BatchUpdateFindings",
                region,
                json!({
                    "FindingIdentifiers": ids,
                    "Workflow": {"Status": status.label()},
                    "Note": {"Text": note, "UpdatedBy": "guardpost"},
                }),
            ));
        }
    }
    calls
}

/// Set Security Hub's workflow status of the findings' Security Hub records (the findings'
/// own, or Security Hub's copies of GuardDuty / Access Analyzer findings).
pub fn securityhub_workflow(findings: &[&Finding], status: Workflow, note: &str) -> Option<Plan> {
    let targets = sh_targets(findings);
    if targets.is_empty() {
        return None;
    }
    let all: Vec<&ShTarget> = targets.iter().collect();
    let calls = sh_update_calls(&all, status, note);
    // Undo: one update per previous status.
    let mut undo = Vec::new();
    for prev in [
        Workflow::New,
        Workflow::Notified,
        Workflow::Resolved,
        Workflow::Suppressed,
    ] {
        let group: Vec<&ShTarget> = targets.iter().filter(|t| t.previous == prev).collect();
        if !group.is_empty() {
            undo.extend(sh_update_calls(
                &group,
                prev,
                &format!("guardpost: undo of {}", status.label()),
            ));
        }
    }
    let n = targets.len();
    Some(Plan {
        action: Action::SecurityHubWorkflow,
        title: format!(
            "Set {} Security Hub finding{} to {}",
            n,
            if n == 1 { "" } else { "s" },
            status.label()
        ),
        targets: targets.iter().map(|t| t.id.clone()).collect(),
        confirm_text: status.label().into(),
        calls,
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Calls { calls: undo },
        destructive: false,
        notes: match status {
            Workflow::Resolved | Workflow::Suppressed => vec![format!(
                "{} findings leave the default view (workflow NEW / NOTIFIED); press `a` to show closed ones.",
                status.label()
            )],
            _ => vec![],
        },
        undo_of: None,
    })
}

/// One service's records of some findings, grouped by region and by the container its API
/// acts through (GuardDuty detector, Access Analyzer analyzer): `(region, container, ids)`.
type Groups = Vec<(String, String, Vec<String>)>;

fn group_records(
    findings: &[&Finding],
    source: Source,
    container: impl Fn(&Value) -> Option<&str>,
) -> Groups {
    let mut out: Groups = Vec::new();
    for f in findings {
        for rec in f.records.iter().filter(|r| r.source == source) {
            let Some(c) = container(&rec.raw) else {
                continue;
            };
            match out.iter_mut().find(|(r, x, _)| *r == rec.region && x == c) {
                Some((_, _, ids)) => ids.push(rec.id.clone()),
                None => out.push((rec.region.clone(), c.to_string(), vec![rec.id.clone()])),
            }
        }
    }
    out
}

/// One call per `batch` ids of each group.
fn batched(
    groups: &Groups,
    batch: usize,
    call: impl Fn(&str, &str, &[String]) -> ApiCall,
) -> Vec<ApiCall> {
    groups
        .iter()
        .flat_map(|(region, c, ids)| {
            ids.chunks(batch)
                .map(|chunk| call(region, c, chunk))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn ids_of(groups: &Groups) -> Vec<String> {
    groups.iter().flat_map(|(_, _, ids)| ids.clone()).collect()
}

/// The findings' GuardDuty records by region and detector.
fn gd_groups(findings: &[&Finding]) -> Groups {
    group_records(findings, Source::GuardDuty, |raw| {
        // GetFindings puts it in service.detectorId; the finding ARN names it too.
        raw["service"]["detectorId"].as_str().or_else(|| {
            raw["arn"]
                .as_str()
                .and_then(|a| a.split("/detector/").nth(1))
                .and_then(|rest| rest.split('/').next())
        })
    })
}

fn gd_calls(groups: &Groups, op: &str, extra: &Value) -> Vec<ApiCall> {
    batched(groups, GD_BATCH, |region, det, ids| {
        let mut params = json!({"DetectorId": det, "FindingIds": ids});
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        ApiCall::regional("guardduty", op, region, params)
    })
}

pub fn guardduty_archive(findings: &[&Finding], archive: bool) -> Option<Plan> {
    let (op, back, verb) = if archive {
        ("ArchiveFindings", "UnarchiveFindings", "Archive")
    } else {
        ("UnarchiveFindings", "ArchiveFindings", "Unarchive")
    };
    let groups = gd_groups(findings);
    let calls = gd_calls(&groups, op, &json!({}));
    if calls.is_empty() {
        return None;
    }
    let targets = ids_of(&groups);
    Some(Plan {
        action: if archive {
            Action::GuardDutyArchive
        } else {
            Action::GuardDutyUnarchive
        },
        title: format!("{verb} {} GuardDuty finding(s)", targets.len()),
        targets,
        confirm_text: verb.to_lowercase(),
        calls,
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Calls {
            calls: gd_calls(&groups, back, &json!({})),
        },
        destructive: false,
        notes: if archive {
            vec!["Archiving hides the finding; GuardDuty still updates it if the activity recurs (it is not a suppression rule).".into()]
        } else {
            vec![]
        },
        undo_of: None,
    })
}

pub fn guardduty_feedback(findings: &[&Finding], useful: bool, comment: &str) -> Option<Plan> {
    let fb = if useful { "USEFUL" } else { "NOT_USEFUL" };
    let groups = gd_groups(findings);
    let calls = gd_calls(
        &groups,
        "UpdateFindingsFeedback",
        &json!({"Feedback": fb, "Comments": comment}),
    );
    if calls.is_empty() {
        return None;
    }
    let targets = ids_of(&groups);
    Some(Plan {
        action: Action::GuardDutyFeedback,
        title: format!(
            "Mark {} GuardDuty finding(s) {}",
            targets.len(),
            if useful { "useful" } else { "not useful" }
        ),
        targets,
        confirm_text: fb.into(),
        calls,
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Irreversible {
            reason: "GuardDuty does not return earlier feedback, so it cannot be put back (new feedback replaces it)".into(),
        },
        destructive: false,
        notes: vec![],
        undo_of: None,
    })
}

fn aa_calls(groups: &Groups, status: &str) -> Vec<ApiCall> {
    batched(groups, AA_BATCH, |region, analyzer, ids| {
        ApiCall::regional(
            "access-analyzer",
            "UpdateFindings",
            region,
            json!({"analyzerArn": analyzer, "ids": ids, "status": status}),
        )
    })
}

pub fn access_analyzer_archive(findings: &[&Finding], archive: bool) -> Option<Plan> {
    let (status, back, verb) = if archive {
        ("ARCHIVED", "ACTIVE", "Archive")
    } else {
        ("ACTIVE", "ARCHIVED", "Unarchive")
    };
    let groups = group_records(findings, Source::AccessAnalyzer, |raw| {
        raw["analyzerArn"].as_str()
    });
    let calls = aa_calls(&groups, status);
    if calls.is_empty() {
        return None;
    }
    let targets = ids_of(&groups);
    Some(Plan {
        action: if archive {
            Action::AccessAnalyzerArchive
        } else {
            Action::AccessAnalyzerUnarchive
        },
        title: format!("{verb} {} Access Analyzer finding(s)", targets.len()),
        targets,
        confirm_text: verb.to_lowercase(),
        calls,
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Calls {
            calls: aa_calls(&groups, back),
        },
        destructive: false,
        notes: if archive {
            vec!["Archiving accepts the access as intended; the access itself is unchanged.".into()]
        } else {
            vec![]
        },
        undo_of: None,
    })
}
