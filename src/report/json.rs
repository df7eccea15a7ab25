//! The JSON report: a stable, versioned schema (docs/check-json-schema.md,
//! docs/check.schema.json). Fields are never renamed or removed within a `schema_version`.

use super::{Report, ReportFinding, sev_json};
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
pub(super) struct Doc<'a> {
    schema_version: u32,
    account: &'a str,
    account_alias: Option<&'a str>,
    regions: &'a [String],
    origin: &'a str,
    generated_at: String,
    profile: &'a str,
    rules: Vec<&'a str>,
    /// Only with `--framework` (docs/check-json-schema.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    framework: Option<JsonFramework<'a>>,
    fail_on: &'a str,
    result: &'a str,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
    warnings: &'a [String],
    coverage: JsonCoverage,
    unknown_rules: Vec<UnknownRule<'a>>,
}

/// Per source, per region (`global` for IAM): the coverage entry without its keys.
#[derive(Serialize)]
struct JsonCoverage {
    complete: bool,
    sources:
        std::collections::BTreeMap<String, std::collections::BTreeMap<String, serde_json::Value>>,
}

#[derive(Serialize)]
struct JsonFramework<'a> {
    /// The `--framework` value (`cis-5.0`).
    name: &'static str,
    /// The `controls[].framework` value it selects (`cis-aws-foundations-5.0.0`).
    id: &'static str,
    title: &'static str,
    rules_outside: &'a [&'static str],
    findings_outside: usize,
}

#[derive(Serialize)]
struct UnknownRule<'a> {
    rule: &'a str,
    reason: String,
}

fn coverage(r: &Report) -> JsonCoverage {
    let mut sources: std::collections::BTreeMap<_, std::collections::BTreeMap<_, _>> =
        Default::default();
    for e in &r.coverage.entries {
        let mut v = serde_json::to_value(e).expect("coverage serializes");
        if let Some(o) = v.as_object_mut() {
            o.remove("source");
            o.remove("region");
            for key in ["reason", "permission"] {
                if let Some(serde_json::Value::String(t)) = o.get_mut(key) {
                    *t = crate::model::coverage::plain(t);
                }
            }
        }
        sources
            .entry(e.source.clone())
            .or_default()
            .insert(e.region.clone().unwrap_or_else(|| "global".into()), v);
    }
    JsonCoverage {
        complete: r.complete(),
        sources,
    }
}

/// Counts in severity order, worst first.
#[derive(Serialize)]
#[serde(rename_all = "UPPERCASE")]
struct BySeverity {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    informational: usize,
}

#[derive(Serialize)]
struct Summary {
    by_severity: BySeverity,
    /// Findings reported.
    findings: usize,
    /// Findings at or above `fail_on`.
    failing: usize,
    failing_rules: usize,
    passed_rules: usize,
    /// Checked rules whose data could not be read (neither pass nor fail).
    unknown_rules: usize,
    score: u8,
}

#[derive(Serialize)]
struct Resource<'a> {
    arn: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct JsonControl<'a> {
    framework: &'a str,
    id: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    id: &'a str,
    rule: &'a str,
    title: &'a str,
    severity: &'static str,
    resource: Resource<'a>,
    controls: Vec<JsonControl<'a>>,
    /// Only with `--framework`: the ids among `controls` of that framework.
    #[serde(skip_serializing_if = "Option::is_none")]
    framework_controls: Option<Vec<&'a str>>,
    account: &'a str,
    region: &'a str,
    source: crate::model::Source,
    status: crate::model::Workflow,
    remediation: Option<&'a str>,
    /// Only on privilege-escalation findings (docs/check-json-schema.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    escalation: Option<&'a serde_json::Value>,
}

fn finding<'a>(r: &Report, f: &'a ReportFinding) -> JsonFinding<'a> {
    JsonFinding {
        id: &f.id,
        rule: &f.rule,
        title: &f.title,
        severity: sev_json(f.severity),
        resource: Resource {
            arn: &f.resource.arn,
            kind: &f.resource.kind,
            name: &f.resource.name,
        },
        controls: f
            .controls
            .iter()
            .map(|c| JsonControl {
                framework: &c.framework,
                id: &c.id,
            })
            .collect(),
        framework_controls: r.framework.as_ref().map(|s| s.framework.ids(&f.controls)),
        account: &f.account,
        region: &f.region,
        source: f.source,
        status: f.status,
        remediation: f.remediation.as_deref(),
        escalation: f.escalation.as_ref(),
    }
}

pub(super) fn doc(r: &Report) -> Doc<'_> {
    let [critical, high, medium, low, informational] = r.by_severity();
    let by_severity = BySeverity {
        critical,
        high,
        medium,
        low,
        informational,
    };
    Doc {
        schema_version: SCHEMA_VERSION,
        account: &r.account,
        account_alias: r.account_alias.as_deref(),
        regions: &r.regions,
        origin: &r.origin,
        generated_at: r.time_label(),
        profile: &r.profile,
        rules: r.rules.iter().map(|x| x.id).collect(),
        framework: r.framework.as_ref().map(|s| JsonFramework {
            name: s.framework.name(),
            id: s.framework.id(),
            title: s.framework.title(),
            rules_outside: &s.rules_outside,
            findings_outside: s.findings_outside,
        }),
        fail_on: r.fail_on.label(),
        result: if r.failed() { "fail" } else { "pass" },
        summary: Summary {
            by_severity,
            findings: r.findings.len(),
            failing: r.failing_findings(),
            failing_rules: r.failing_rules().len(),
            passed_rules: r.passed_rules(),
            unknown_rules: r.unknown_rules.len(),
            score: r.score(),
        },
        findings: r.findings.iter().map(|f| finding(r, f)).collect(),
        warnings: &r.warnings,
        coverage: coverage(r),
        unknown_rules: r
            .unknown_rules
            .iter()
            .map(|(rule, why)| UnknownRule {
                rule,
                reason: crate::model::coverage::plain(why),
            })
            .collect(),
    }
}

/// The report as a JSON value.
pub fn to_value(r: &Report) -> serde_json::Value {
    serde_json::to_value(doc(r)).expect("the report serializes")
}
