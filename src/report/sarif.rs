//! SARIF 2.1.0 (OASIS). One run; `tool.driver.rules` lists every checked posture rule plus one
//! entry per other rule id that has a result (`--all-findings`). AWS resources have no file, so
//! results carry a logical location (the ARN, kind = resource type) and no physical location.

use super::{Report, ReportFinding};
use crate::model::{Severity, Source};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// `tool.driver.informationUri`: the package's `repository` when Cargo.toml names one. The
/// project has no public home yet, and a made-up address would send readers nowhere.
pub fn information_uri() -> Option<&'static str> {
    Some(env!("CARGO_PKG_REPOSITORY")).filter(|u| !u.is_empty())
}

/// error for critical / high, warning for medium, note for low / informational.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Informational => "note",
    }
}

/// SARIF `security-severity` (0.0-10.0), which code-scanning UIs use to rank results.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Informational => "0.0",
    }
}

fn control_tags(controls: impl Iterator<Item = (String, String)>) -> Vec<String> {
    let mut tags = vec!["security".to_string()];
    tags.extend(controls.map(|(fw, id)| format!("{fw}/{id}")));
    tags
}

fn posture_rule(r: &crate::posture::RuleInfo) -> Value {
    json!({
        "id": r.id,
        "name": r.id,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.rationale},
        "help": {"text": r.remediation},
        "defaultConfiguration": {"level": level(r.severity)},
        "properties": {
            "tags": control_tags(r.controls().into_iter().map(|c| (c.framework, c.id))),
            "security-severity": security_severity(r.severity),
            "precision": "high",
        },
    })
}

/// A rule entry for a finding from another source (its control id or finding type).
fn source_rule(f: &ReportFinding) -> Value {
    json!({
        "id": f.rule,
        "name": f.rule,
        "shortDescription": {"text": f.rule_title},
        "fullDescription": {"text": format!("{} finding {}", f.source.label(), f.rule)},
        "help": {"text": f.remediation.clone().unwrap_or_else(|| "See the source service's documentation for this finding type.".into())},
        "defaultConfiguration": {"level": level(f.severity)},
        "properties": {
            "tags": control_tags(f.controls.iter().map(|c| (c.framework.clone(), c.id.clone()))),
            "security-severity": security_severity(f.severity),
        },
    })
}

fn result(f: &ReportFinding, rule_index: usize, fw: Option<super::Framework>) -> Value {
    let mut text = f.title.clone();
    if !text.ends_with('.') {
        text.push('.');
    }
    let mut properties = json!({
        "severity": super::sev_json(f.severity),
        "source": f.source,
        "account": f.account,
        "region": f.region,
        "status": f.status,
        "security-severity": security_severity(f.severity),
    });
    // Escalation evidence in the result's property bag (same shape as the JSON report's).
    if let Some(e) = &f.escalation {
        properties["escalation"] = e.clone();
    }
    // With --framework: the finding's ids in that framework (CIS 5.0 `1.9`).
    if let Some(fw) = fw {
        properties["frameworkControls"] = json!(fw.ids(&f.controls));
    }
    json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "kind": "fail",
        "message": {"text": text},
        "locations": [{
            "logicalLocations": [{
                "name": f.resource.name,
                "fullyQualifiedName": f.resource.arn,
                "kind": f.resource.kind,
            }],
        }],
        "partialFingerprints": {
            // Stable across runs: the same rule on the same resource is the same result.
            "guardpostFindingId/v1": f.id,
        },
        "properties": properties,
    })
}

pub fn to_value(r: &Report) -> Value {
    let mut rules: Vec<Value> = r.rules.iter().map(|x| posture_rule(x)).collect();
    let mut index: BTreeMap<String, usize> = r
        .rules
        .iter()
        .enumerate()
        .map(|(i, x)| (x.id.to_string(), i))
        .collect();
    let mut results = Vec::with_capacity(r.findings.len());
    for f in &r.findings {
        let i = match index.get(&f.rule) {
            Some(i) => *i,
            None => {
                let i = rules.len();
                rules.push(if f.source == Source::Posture {
                    match crate::posture::rules::rule(&f.rule) {
                        Some(info) => posture_rule(info),
                        None => source_rule(f),
                    }
                } else {
                    source_rule(f)
                });
                index.insert(f.rule.clone(), i);
                i
            }
        };
        results.push(result(f, i, r.framework.as_ref().map(|s| s.framework)));
    }
    let mut properties = json!({
        "account": r.account,
        "regions": r.regions,
        "origin": r.origin,
        "capturedAt": r.time_label(),
        "profile": r.profile,
        "failOn": r.fail_on.label(),
        "score": r.score(),
        "warnings": r.warnings,
    });
    if let Some(scope) = &r.framework {
        properties["framework"] = json!(scope.framework.name());
        properties["frameworkRulesOutside"] = json!(scope.rules_outside);
        properties["frameworkFindingsOutside"] = json!(scope.findings_outside);
    }
    let mut driver = json!({
        "name": "guardpost",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if let Some(uri) = information_uri() {
        driver["informationUri"] = json!(uri);
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "automationDetails": {"id": format!("guardpost-check/{}/", r.account)},
            "invocations": [{"executionSuccessful": true}],
            "results": results,
            "properties": properties,
        }],
    })
}
