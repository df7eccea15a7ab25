//! ASFF (Security Hub GetFindings) -> Finding.
//!
//! Choices:
//! - Severity from `Severity.Label`; else `Severity.Normalized` in Security Hub's bands
//!   ([`Severity::from_normalized`]); else `FindingProviderFields.Severity.Label`; else
//!   Informational. `raw_score` is `Severity.Normalized`.
//! - Workflow from `Workflow.Status`, else the deprecated `WorkflowState`. An open finding whose
//!   `RecordState` is ARCHIVED (the provider says it is no longer current, e.g. GuardDuty
//!   archived it) is shown as Archived; a user's RESOLVED / SUPPRESSED stays as set.
//! - `Finding.region` is the finding's own `Region` (where the issue is); the
//!   [`SourceRecord::region`] is the region it was read from, where BatchUpdateFindings goes.
//! - Copies of GuardDuty / Access Analyzer findings are normalized like any other finding
//!   (product "GuardDuty" / "IAM Access Analyzer"); [`crate::merge::dedupe`] joins them.
use super::{
    NormalizeError, arn_region, display_name, is_access_analyzer_product, is_guardduty_product,
    parse_arn, parse_time, str_at,
};
use crate::model::{
    ComplianceStatus, Control, Finding, Remediation, ResourceRef, Severity, Source, SourceRecord,
    Workflow, framework,
};
use serde_json::Value;
use std::collections::BTreeSet;

const SOURCE: &str = "securityhub";

/// Normalizes one ASFF finding as GetFindings returns it.
pub fn normalize(raw: &Value, region: &str) -> Result<Finding, NormalizeError> {
    let id = str_at(raw, &["Id"]).ok_or_else(|| NormalizeError::new(SOURCE, None, "no Id"))?;
    let fail = |m: &str| NormalizeError::new(SOURCE, Some(id), m);
    let title = str_at(raw, &["Title"]).ok_or_else(|| fail("no Title"))?;
    let product_arn = str_at(raw, &["ProductArn"]);

    let first_seen = parse_time(raw.get("FirstObservedAt"))
        .or_else(|| parse_time(raw.get("CreatedAt")))
        .or_else(|| parse_time(raw.get("UpdatedAt")))
        .or_else(|| parse_time(raw.get("LastObservedAt")))
        .ok_or_else(|| fail("no valid FirstObservedAt / CreatedAt / UpdatedAt time"))?;
    let last_seen = parse_time(raw.get("LastObservedAt"))
        .or_else(|| parse_time(raw.get("UpdatedAt")))
        .unwrap_or(first_seen)
        .max(first_seen);

    let (severity, raw_score) = severity(raw);
    let account = str_at(raw, &["AwsAccountId"])
        .map(str::to_string)
        .or_else(|| parse_arn(id).map(|a| a.account.to_string()))
        .unwrap_or_default();
    let finding_region = str_at(raw, &["Region"]).unwrap_or(region).to_string();

    Ok(Finding {
        id: format!("sh:{id}"),
        source: Source::SecurityHub,
        product: product(raw, product_arn),
        kind: first_str(raw, &["Types"])
            .or_else(|| first_str(raw, &["FindingProviderFields", "Types"]))
            .or_else(|| str_at(raw, &["GeneratorId"]))
            .unwrap_or("Unknown")
            .to_string(),
        title: title.to_string(),
        description: str_at(raw, &["Description"]).unwrap_or("").to_string(),
        severity,
        raw_score,
        account,
        region: finding_region.clone(),
        resources: resources(raw),
        first_seen,
        last_seen,
        workflow: workflow(raw),
        compliance: str_at(raw, &["Compliance", "Status"]).and_then(compliance_status),
        control_id: control_id(raw),
        controls: controls(raw),
        remediation: remediation(raw),
        records: vec![SourceRecord {
            source: Source::SecurityHub,
            id: id.to_string(),
            product_arn: product_arn.map(str::to_string),
            region: region.to_string(),
            raw: raw.clone(),
        }],
    })
}

/// First string element of an array at `path`.
fn first_str<'a>(raw: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = raw;
    for k in path {
        cur = cur.get(k)?;
    }
    cur.as_array()?
        .iter()
        .find_map(|v| v.as_str().filter(|s| !s.is_empty()))
}

fn severity(raw: &Value) -> (Severity, Option<f64>) {
    let normalized = raw
        .get("Severity")
        .and_then(|s| s.get("Normalized"))
        .and_then(Value::as_f64);
    let sev = str_at(raw, &["Severity", "Label"])
        .and_then(Severity::parse)
        .or_else(|| normalized.map(Severity::from_normalized))
        .or_else(|| {
            str_at(raw, &["FindingProviderFields", "Severity", "Label"]).and_then(Severity::parse)
        })
        .unwrap_or(Severity::Informational);
    (sev, normalized)
}

pub(crate) fn workflow(raw: &Value) -> Workflow {
    let wf = str_at(raw, &["Workflow", "Status"])
        .and_then(Workflow::parse)
        .or_else(|| {
            // The deprecated WorkflowState, for findings from older integrations.
            match str_at(raw, &["WorkflowState"])?
                .to_ascii_uppercase()
                .as_str()
            {
                "NEW" => Some(Workflow::New),
                "ASSIGNED" | "IN_PROGRESS" => Some(Workflow::Notified),
                "DEFERRED" => Some(Workflow::Suppressed),
                "RESOLVED" => Some(Workflow::Resolved),
                _ => None,
            }
        })
        .unwrap_or(Workflow::New);
    let archived =
        str_at(raw, &["RecordState"]).is_some_and(|s| s.eq_ignore_ascii_case("ARCHIVED"));
    if archived && wf.is_open() {
        Workflow::Archived
    } else {
        wf
    }
}

fn compliance_status(s: &str) -> Option<ComplianceStatus> {
    match s.to_ascii_uppercase().as_str() {
        "PASSED" => Some(ComplianceStatus::Passed),
        "WARNING" => Some(ComplianceStatus::Warning),
        "FAILED" => Some(ComplianceStatus::Failed),
        "NOT_AVAILABLE" => Some(ComplianceStatus::NotAvailable),
        _ => None,
    }
}

fn product(raw: &Value, product_arn: Option<&str>) -> String {
    // The spec names the native products this way whatever the copy's ProductName says.
    match product_arn {
        Some(p) if is_guardduty_product(p) => return "GuardDuty".to_string(),
        Some(p) if is_access_analyzer_product(p) => return "IAM Access Analyzer".to_string(),
        _ => {}
    }
    str_at(raw, &["ProductName"])
        .or_else(|| str_at(raw, &["ProductFields", "aws/securityhub/ProductName"]))
        .map(str::to_string)
        .or_else(|| {
            product_arn
                .and_then(|p| p.rsplit('/').next())
                .filter(|s| !s.is_empty() && *s != "securityhub")
                .map(str::to_string)
        })
        .unwrap_or_else(|| "Security Hub".to_string())
}

fn resources(raw: &Value) -> Vec<ResourceRef> {
    let Some(list) = raw.get("Resources").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|r| {
            let raw_id = str_at(r, &["Id"])?;
            let kind = str_at(r, &["Type"]).unwrap_or("Other");
            // The account pseudo id becomes the root ARN that GuardDuty and the posture rules
            // use, so every account-level finding lands on one resource page.
            let account_arn = raw_id.strip_prefix("AWS::::Account:").map(|acct| {
                let partition = str_at(r, &["Partition"]).unwrap_or("aws");
                format!("arn:{partition}:iam::{acct}:root")
            });
            let id = account_arn.as_deref().unwrap_or(raw_id);
            // IAM is global: keep IAM ARNs region-less so they index with the inventory.
            let global = parse_arn(id).is_some_and(|a| a.service == "iam");
            let region = if global {
                None
            } else {
                str_at(r, &["Region"])
                    .map(str::to_string)
                    .or_else(|| arn_region(id))
            };
            Some(ResourceRef {
                arn: id.to_string(),
                kind: kind.to_string(),
                name: display_name(id),
                region,
            })
        })
        .collect()
}

fn remediation(raw: &Value) -> Option<Remediation> {
    let text = str_at(raw, &["Remediation", "Recommendation", "Text"]);
    let url = str_at(raw, &["Remediation", "Recommendation", "Url"]);
    if text.is_none() && url.is_none() {
        return None;
    }
    Some(Remediation {
        text: text.unwrap_or("").to_string(),
        url: url.map(str::to_string),
    })
}

/// A standard named by a StandardsId (`standards/cis-aws-foundations-benchmark/v/3.0.0`) or a
/// control GeneratorId (`aws-foundational-security-best-practices/v/1.0.0/IAM.5`,
/// `arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/1.10`).
struct StandardRef {
    name: String,
    version: String,
    /// The trailing control / requirement, present in GeneratorIds.
    control: Option<String>,
}

fn parse_standard(s: &str) -> Option<StandardRef> {
    let segs: Vec<&str> = s.split('/').collect();
    let v = segs.iter().position(|x| *x == "v")?;
    let name = segs.get(v.checked_sub(1)?)?;
    let version = segs.get(v + 1)?;
    if name.is_empty() || version.is_empty() {
        return None;
    }
    let control = segs[v + 2..]
        .iter()
        .rev()
        .find(|x| !x.is_empty() && **x != "rule")
        .map(|x| x.to_string());
    Some(StandardRef {
        name: name.to_string(),
        version: version.to_string(),
        control,
    })
}

fn cis_framework(version: &str) -> String {
    match version {
        "1.2.0" => framework::CIS_1_2.to_string(),
        "1.4.0" => framework::CIS_1_4.to_string(),
        "3.0.0" => framework::CIS_3_0.to_string(),
        "5.0.0" => framework::CIS_5_0.to_string(),
        "6.0.0" => framework::CIS_6_0.to_string(),
        v => format!("cis-aws-foundations-{v}"),
    }
}

fn pci_framework(version: &str) -> String {
    match version {
        "3.2.1" => framework::PCI_DSS.to_string(),
        v => format!("pci-dss-{v}"),
    }
}

/// How a control finding's framework identifies its checks.
#[derive(PartialEq)]
enum Scheme {
    /// By security control id (FSBP, tagging, Control Tower...).
    ControlId,
    /// By the benchmark's own requirement numbers (CIS, PCI, NIST), found in RelatedRequirements.
    Requirement,
}

fn standard_framework(name: &str, version: &str) -> (String, Scheme) {
    if name.contains("foundational-security-best-practices")
        || name.contains("aws-foundation-best-practices")
    {
        (framework::FSBP.to_string(), Scheme::ControlId)
    } else if name == "cis-aws-foundations-benchmark" {
        (cis_framework(version), Scheme::Requirement)
    } else if name == "pci-dss" {
        (pci_framework(version), Scheme::Requirement)
    } else if name == "nist-800-53" {
        let fw = if version.starts_with('5') {
            framework::NIST_800_53.to_string()
        } else {
            format!("nist-800-53-{version}")
        };
        (fw, Scheme::Requirement)
    } else if name == "nist-800-171" {
        let major = version.split('.').next().unwrap_or(version);
        (format!("nist-800-171-r{major}"), Scheme::Requirement)
    } else {
        (format!("{name}-{version}"), Scheme::ControlId)
    }
}

/// `Compliance.RelatedRequirements` entries as Security Hub writes them:
/// `CIS AWS Foundations Benchmark v3.0.0/1.10`, `PCI DSS v3.2.1/3.4`, `PCI DSS 3.4` (older),
/// `NIST.800-53.r5 AC-2(1)`, `NIST.800-171.r2/3.3.8`.
fn parse_requirement(req: &str) -> Option<Control> {
    let req = req.trim();
    let (fw, id) = if let Some(rest) = req.strip_prefix("CIS AWS Foundations Benchmark v") {
        let (ver, id) = rest.split_once('/')?;
        (cis_framework(ver), id)
    } else if let Some(rest) = req.strip_prefix("PCI DSS v") {
        let (ver, id) = rest.split_once('/')?;
        (pci_framework(ver), id)
    } else if let Some(id) = req.strip_prefix("PCI DSS ") {
        // Before versioned requirements only PCI DSS 3.2.1 existed.
        (framework::PCI_DSS.to_string(), id)
    } else if let Some(rest) = req.strip_prefix("NIST.800-53.r") {
        let (rev, id) = rest.split_once([' ', '/'])?;
        let fw = if rev == "5" {
            framework::NIST_800_53.to_string()
        } else {
            format!("nist-800-53-r{rev}")
        };
        (fw, id)
    } else if let Some(rest) = req.strip_prefix("NIST.800-171.r") {
        let (rev, id) = rest.split_once(['/', ' '])?;
        (format!("nist-800-171-r{rev}"), id)
    } else {
        return None;
    };
    let id = id.trim();
    (!id.is_empty()).then(|| Control::new(&fw, id))
}

/// A GeneratorId that names a control (standard control or consolidated `security-control/X`).
fn is_control_generator(generator: &str) -> bool {
    generator.starts_with("security-control/") || parse_standard(generator).is_some()
}

fn control_id(raw: &Value) -> Option<String> {
    if let Some(id) = str_at(raw, &["Compliance", "SecurityControlId"]) {
        return Some(id.to_string());
    }
    let generator = str_at(raw, &["GeneratorId"])?;
    if !is_control_generator(generator) {
        return None;
    }
    generator
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Every `{framework, id}` the finding maps to: requirement numbers from RelatedRequirements
/// (CIS, PCI, NIST), the security control id for control-id standards (FSBP), and for
/// requirement standards without RelatedRequirements (older findings) the control named in
/// the GeneratorId / ProductFields. Sorted and without repeats.
fn controls(raw: &Value) -> Vec<Control> {
    let mut out: BTreeSet<Control> = BTreeSet::new();
    if let Some(reqs) = raw
        .get("Compliance")
        .and_then(|c| c.get("RelatedRequirements"))
        .and_then(Value::as_array)
    {
        out.extend(
            reqs.iter()
                .filter_map(Value::as_str)
                .filter_map(parse_requirement),
        );
    }
    let with_requirements: BTreeSet<String> = out.iter().map(|c| c.framework.clone()).collect();

    let security_control = str_at(raw, &["Compliance", "SecurityControlId"]);
    let product_control = str_at(raw, &["ProductFields", "ControlId"])
        .or_else(|| str_at(raw, &["ProductFields", "RuleId"]));
    let product_standard = str_at(raw, &["ProductFields", "StandardsArn"])
        .or_else(|| str_at(raw, &["ProductFields", "StandardsGuideArn"]))
        .and_then(parse_standard);

    let mut standards: Vec<StandardRef> = raw
        .get("Compliance")
        .and_then(|c| c.get("AssociatedStandards"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| str_at(s, &["StandardsId"]))
                .filter_map(parse_standard)
                .collect()
        })
        .unwrap_or_default();
    if let Some(g) = str_at(raw, &["GeneratorId"]).and_then(parse_standard) {
        standards.push(g);
    }
    for std in &standards {
        let (fw, scheme) = standard_framework(&std.name, &std.version);
        // The standard-specific control id from the generator or ProductFields, when they
        // are about this same standard.
        let own = std.control.clone().or_else(|| {
            product_standard
                .as_ref()
                .filter(|p| p.name == std.name && p.version == std.version)
                .and(product_control.map(str::to_string))
        });
        let id = match scheme {
            Scheme::ControlId => security_control.map(str::to_string).or(own),
            Scheme::Requirement if with_requirements.contains(&fw) => None,
            Scheme::Requirement => own,
        };
        if let Some(id) = id {
            out.insert(Control::new(&fw, &id));
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Consolidated control finding, shaped like the Security Hub user guide's
    /// "Sample consolidated finding for multiple standards", on an IAM user.
    fn consolidated() -> Value {
        json!({
          "SchemaVersion": "2018-10-08",
          "Id": "arn:aws:securityhub:us-east-1:123456789012:security-control/IAM.5/finding/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
          "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub",
          "ProductName": "Security Hub",
          "CompanyName": "AWS",
          "Region": "us-east-1",
          "GeneratorId": "security-control/IAM.5",
          "AwsAccountId": "123456789012",
          "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
          "FirstObservedAt": "2024-08-09T14:57:04.521Z",
          "LastObservedAt": "2025-05-30T03:30:17.407Z",
          "CreatedAt": "2024-08-09T14:57:04.521Z",
          "UpdatedAt": "2025-05-30T03:30:32.781Z",
          "Severity": {"Label": "MEDIUM", "Normalized": 40, "Original": "MEDIUM"},
          "Title": "MFA should be enabled for all IAM users that have a console password",
          "Description": "This control checks whether AWS multi-factor authentication (MFA) is enabled for all IAM users that use a console password.",
          "Remediation": {"Recommendation": {
            "Text": "For information on how to correct this issue, consult the AWS Security Hub CSPM controls documentation.",
            "Url": "https://docs.aws.amazon.com/console/securityhub/IAM.5/remediation"}},
          "ProductFields": {
            "RelatedAWSResources:0/name": "securityhub-mfa-enabled-for-iam-console-access-01a2b345",
            "RelatedAWSResources:0/type": "AWS::Config::ConfigRule",
            "aws/securityhub/ProductName": "Security Hub",
            "aws/securityhub/CompanyName": "AWS",
            "Resources:0/Id": "arn:aws:iam::123456789012:user/eng/alice",
            "aws/securityhub/FindingId": "arn:aws:securityhub:us-east-1::product/aws/securityhub/arn:aws:securityhub:us-east-1:123456789012:security-control/IAM.5/finding/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
          },
          "Resources": [{
            "Type": "AwsIamUser",
            "Id": "arn:aws:iam::123456789012:user/eng/alice",
            "Partition": "aws",
            "Region": "us-east-1"
          }],
          "Compliance": {
            "Status": "FAILED",
            "SecurityControlId": "IAM.5",
            "RelatedRequirements": [
              "CIS AWS Foundations Benchmark v1.2.0/1.2",
              "CIS AWS Foundations Benchmark v1.4.0/1.10",
              "CIS AWS Foundations Benchmark v3.0.0/1.10",
              "NIST.800-53.r5 AC-2(1)",
              "NIST.800-53.r5 IA-2(1)",
              "PCI DSS v3.2.1/8.3.1"
            ],
            "AssociatedStandards": [
              {"StandardsId": "ruleset/cis-aws-foundations-benchmark/v/1.2.0"},
              {"StandardsId": "standards/aws-foundational-security-best-practices/v/1.0.0"},
              {"StandardsId": "standards/cis-aws-foundations-benchmark/v/1.4.0"},
              {"StandardsId": "standards/cis-aws-foundations-benchmark/v/3.0.0"},
              {"StandardsId": "standards/nist-800-53/v/5.0.0"},
              {"StandardsId": "standards/pci-dss/v/3.2.1"}
            ]
          },
          "Workflow": {"Status": "NEW"},
          "WorkflowState": "NEW",
          "RecordState": "ACTIVE",
          "FindingProviderFields": {
            "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
            "Severity": {"Normalized": 40, "Label": "MEDIUM", "Original": "MEDIUM"}
          },
          "ProcessedAt": "2025-05-30T03:31:00.831Z"
        })
    }

    /// Security Hub's CIS v5.0.0 / v6.0.0 requirements land in the frameworks the posture
    /// rules use, so `check --all-findings --framework cis-5.0` keeps them.
    #[test]
    fn newer_cis_requirements_use_the_shared_framework_ids() {
        assert_eq!(
            parse_requirement("CIS AWS Foundations Benchmark v5.0.0/1.9"),
            Some(Control::new(framework::CIS_5_0, "1.9"))
        );
        assert_eq!(
            parse_requirement("CIS AWS Foundations Benchmark v6.0.0/2.9"),
            Some(Control::new(framework::CIS_6_0, "2.9"))
        );
    }

    #[test]
    fn consolidated_control_finding() {
        let f = normalize(&consolidated(), "us-east-1").unwrap();
        assert_eq!(
            f.id,
            "sh:arn:aws:securityhub:us-east-1:123456789012:security-control/IAM.5/finding/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
        );
        assert_eq!(f.source, Source::SecurityHub);
        assert_eq!(f.product, "Security Hub");
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(f.raw_score, Some(40.0));
        assert_eq!(f.workflow, Workflow::New);
        assert_eq!(f.compliance, Some(ComplianceStatus::Failed));
        assert_eq!(f.control_id.as_deref(), Some("IAM.5"));
        assert_eq!(f.account, "123456789012");
        assert_eq!(f.region, "us-east-1");
        assert_eq!(
            f.title,
            "MFA should be enabled for all IAM users that have a console password"
        );
        let r = &f.resources[0];
        assert_eq!(r.arn, "arn:aws:iam::123456789012:user/eng/alice");
        assert_eq!(r.kind, "AwsIamUser");
        assert_eq!(r.name, "alice");
        assert_eq!(r.region, None, "IAM resources are global");
        assert_eq!(
            f.controls,
            vec![
                Control::new(framework::FSBP, "IAM.5"),
                Control::new(framework::CIS_1_2, "1.2"),
                Control::new(framework::CIS_1_4, "1.10"),
                Control::new(framework::CIS_3_0, "1.10"),
                Control::new(framework::NIST_800_53, "AC-2(1)"),
                Control::new(framework::NIST_800_53, "IA-2(1)"),
                Control::new(framework::PCI_DSS, "8.3.1"),
            ]
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
        );
        let rem = f.remediation.unwrap();
        assert_eq!(
            rem.url.as_deref(),
            Some("https://docs.aws.amazon.com/console/securityhub/IAM.5/remediation")
        );
        assert_eq!(f.records.len(), 1);
        assert_eq!(
            f.records[0].product_arn.as_deref(),
            Some("arn:aws:securityhub:us-east-1::product/aws/securityhub")
        );
        assert_eq!(f.records[0].raw, consolidated());
    }

    /// CIS v1.2.0 finding without consolidation (user guide sample): no RelatedRequirements,
    /// the rule number is in the GeneratorId.
    #[test]
    fn cis_1_2_rule_from_generator() {
        let raw = json!({
          "SchemaVersion": "2018-10-08",
          "Id": "arn:aws:securityhub:us-east-2:123456789012:subscription/cis-aws-foundations-benchmark/v/1.2.0/1.10/finding/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
          "ProductArn": "arn:aws:securityhub:us-east-2::product/aws/securityhub",
          "ProductName": "Security Hub CSPM",
          "CompanyName": "AWS",
          "Region": "us-east-2",
          "GeneratorId": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/1.10",
          "AwsAccountId": "123456789012",
          "Types": ["Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"],
          "FirstObservedAt": "2020-08-29T04:10:06.337Z",
          "LastObservedAt": "2021-09-28T16:10:05.350Z",
          "CreatedAt": "2020-08-29T04:10:06.337Z",
          "UpdatedAt": "2021-09-28T16:10:00.087Z",
          "Severity": {"Product": 40, "Label": "MEDIUM", "Normalized": 40, "Original": "MEDIUM"},
          "Title": "1.10 Ensure IAM password policy prevents password reuse",
          "ProductFields": {
            "StandardsGuideArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
            "RuleId": "1.10"
          },
          "Resources": [{"Type": "AwsAccount", "Id": "AWS::::Account:123456789012", "Partition": "aws", "Region": "us-east-2"}],
          "Compliance": {
            "Status": "FAILED",
            "AssociatedStandards": [{"StandardsId": "ruleset/cis-aws-foundations-benchmark/v/1.2.0"}]
          },
          "WorkflowState": "NEW",
          "Workflow": {"Status": "NOTIFIED"},
          "RecordState": "ACTIVE"
        });
        let f = normalize(&raw, "us-east-2").unwrap();
        assert_eq!(f.control_id.as_deref(), Some("1.10"));
        assert_eq!(f.controls, vec![Control::new(framework::CIS_1_2, "1.10")]);
        assert_eq!(f.workflow, Workflow::Notified);
        assert_eq!(f.description, "");
        assert_eq!(f.remediation, None);
        assert_eq!(f.resources[0].name, "account 123456789012 (root)");
        assert_eq!(f.resources[0].kind, "AwsAccount");
        assert_eq!(
            f.resources[0].region, None,
            "the account is one global resource"
        );
    }

    /// FSBP finding without consolidation (user guide sample, incl. its
    /// `aws-foundation-best-practices` StandardsId spelling) and the older PCI format.
    #[test]
    fn fsbp_and_pci_unconsolidated() {
        let fsbp = json!({
          "Id": "arn:aws:securityhub:us-east-2:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0/EC2.19/finding/x",
          "ProductArn": "arn:aws:securityhub:us-east-2::product/aws/securityhub",
          "GeneratorId": "aws-foundational-security-best-practices/v/1.0.0/EC2.19",
          "AwsAccountId": "123456789012",
          "CreatedAt": "2020-08-06T02:18:23.076Z",
          "UpdatedAt": "2021-09-28T16:10:00.093Z",
          "Severity": {"Label": "CRITICAL", "Normalized": 90},
          "Title": "EC2.19 Security groups should not allow unrestricted access to ports with high risk",
          "Resources": [{"Type": "AwsEc2SecurityGroup", "Id": "arn:aws:ec2:us-east-2:123456789012:security-group/sg-0123456789abcdef0", "Region": "us-east-2"}],
          "Compliance": {"Status": "FAILED", "SecurityControlId": "EC2.19",
            "AssociatedStandards": [{"StandardsId": "standards/aws-foundation-best-practices/v/1.0.0"}]},
          "Workflow": {"Status": "NEW"},
          "RecordState": "ACTIVE"
        });
        let f = normalize(&fsbp, "us-east-2").unwrap();
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!(f.controls, vec![Control::new(framework::FSBP, "EC2.19")]);
        assert_eq!(f.resources[0].name, "sg-0123456789abcdef0");
        assert_eq!(f.resources[0].region.as_deref(), Some("us-east-2"));
        // No FirstObservedAt: CreatedAt is the first sighting.
        assert_eq!(f.first_seen.to_rfc3339(), "2020-08-06T02:18:23.076+00:00");

        let pci = json!({
          "Id": "arn:aws:securityhub:us-east-2:123456789012:subscription/pci-dss/v/3.2.1/PCI.CloudTrail.1/finding/x",
          "GeneratorId": "pci-dss/v/3.2.1/PCI.CloudTrail.1",
          "AwsAccountId": "123456789012",
          "CreatedAt": "2020-08-06T02:18:23.089Z",
          "UpdatedAt": "2021-09-28T16:10:00.090Z",
          "Severity": {"Label": "MEDIUM", "Normalized": 40},
          "Title": "PCI.CloudTrail.1 CloudTrail logs should be encrypted at rest using AWS KMS CMKs",
          "Compliance": {"Status": "FAILED", "RelatedRequirements": ["PCI DSS 3.4"],
            "SecurityControlId": "CloudTrail.2",
            "AssociatedStandards": [{"StandardsId": "standards/pci-dss/v/3.2.1"}]}
        });
        let f = normalize(&pci, "us-east-2").unwrap();
        assert_eq!(f.control_id.as_deref(), Some("CloudTrail.2"));
        assert_eq!(f.controls, vec![Control::new(framework::PCI_DSS, "3.4")]);
        assert!(f.resources.is_empty());
    }

    /// GuardDuty finding as Security Hub carries it (GuardDuty's ASFF mapping).
    #[test]
    fn guardduty_copy() {
        let raw = json!({
          "SchemaVersion": "2018-10-08",
          "Id": "arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/46ba0ac2845071e23ccdeb2ae03bfdea",
          "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty",
          "ProductName": "GuardDuty",
          "CompanyName": "Amazon",
          "Region": "us-east-1",
          "GeneratorId": "arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0",
          "AwsAccountId": "111122223333",
          "Types": ["TTPs/Initial Access/UnauthorizedAccess:IAMUser-MaliciousIPCaller"],
          "FirstObservedAt": "2024-05-15T20:30:59.000Z",
          "LastObservedAt": "2024-05-15T20:38:12.000Z",
          "CreatedAt": "2024-05-15T20:31:40.000Z",
          "UpdatedAt": "2024-05-15T20:38:50.000Z",
          "Severity": {"Product": 8, "Label": "HIGH", "Normalized": 60},
          "Title": "API GetCallerIdentity was invoked from a known malicious IP address.",
          "Description": "API GetCallerIdentity was invoked from IP address 198.51.100.7 which is on a threat list.",
          "SourceUrl": "https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=46ba0ac2845071e23ccdeb2ae03bfdea",
          "ProductFields": {
            "aws/guardduty/service/archived": "false",
            "aws/guardduty/service/count": "3",
            "aws/guardduty/service/detectorId": "12abc34d567e8fa901bc2d34e56789f0",
            "aws/guardduty/service/serviceName": "guardduty",
            "aws/guardduty/service/action/actionType": "AWS_API_CALL",
            "aws/securityhub/FindingId": "arn:aws:securityhub:us-east-1::product/aws/guardduty/arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/46ba0ac2845071e23ccdeb2ae03bfdea",
            "aws/securityhub/ProductName": "GuardDuty",
            "aws/securityhub/CompanyName": "Amazon"
          },
          "Resources": [{
            "Type": "AwsIamAccessKey",
            "Id": "AWS::IAM::AccessKey:AKIAIOSFODNN7EXAMPLE",
            "Partition": "aws",
            "Region": "us-east-1",
            "Details": {"AwsIamAccessKey": {"PrincipalId": "AIDACKCEVSQ6C2EXAMPLE", "PrincipalName": "alice", "PrincipalType": "IAMUser"}}
          }],
          "WorkflowState": "NEW",
          "Workflow": {"Status": "NEW"},
          "RecordState": "ARCHIVED"
        });
        let f = normalize(&raw, "eu-west-1").unwrap();
        assert_eq!(f.product, "GuardDuty");
        assert_eq!(f.source, Source::SecurityHub);
        assert_eq!(f.severity, Severity::High, "Label wins over Normalized");
        assert_eq!(f.raw_score, Some(60.0));
        assert_eq!(f.control_id, None);
        assert!(f.controls.is_empty());
        assert_eq!(f.workflow, Workflow::Archived, "RecordState ARCHIVED");
        assert_eq!(f.region, "us-east-1");
        assert_eq!(
            f.records[0].region, "eu-west-1",
            "read from the aggregation region"
        );
        assert_eq!(f.resources[0].name, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(
            f.kind,
            "TTPs/Initial Access/UnauthorizedAccess:IAMUser-MaliciousIPCaller"
        );
    }

    #[test]
    fn severity_fallbacks() {
        let base = |sev: Value| json!({"Id": "x", "Title": "t", "CreatedAt": "2024-01-01T00:00:00Z", "Severity": sev});
        let s = |v: Value| normalize(&base(v), "r").unwrap().severity;
        assert_eq!(s(json!({"Normalized": 0})), Severity::Informational);
        assert_eq!(s(json!({"Normalized": 39})), Severity::Low);
        assert_eq!(s(json!({"Normalized": 40})), Severity::Medium);
        assert_eq!(s(json!({"Normalized": 89})), Severity::High);
        assert_eq!(s(json!({"Normalized": 100})), Severity::Critical);
        assert_eq!(
            s(json!({"Label": "INFORMATIONAL"})),
            Severity::Informational
        );
        assert_eq!(s(json!(null)), Severity::Informational);
    }

    #[test]
    fn missing_required_fields_are_errors() {
        let e = normalize(&json!({"Title": "t"}), "us-east-1").unwrap_err();
        assert_eq!(e.id, "<no id>");
        assert_eq!(e.source_name, "securityhub");
        let e = normalize(
            &json!({"Id": "abc", "CreatedAt": "2024-01-01T00:00:00Z"}),
            "r",
        )
        .unwrap_err();
        assert_eq!(e.id, "abc");
        assert!(e.message.contains("Title"));
        let e = normalize(&json!({"Id": "abc", "Title": "t"}), "r").unwrap_err();
        assert!(e.to_string().contains("abc"));
    }

    #[test]
    fn odd_shapes_never_panic() {
        let raw = json!({
            "Id": "x", "Title": "t", "UpdatedAt": "2024-01-01T00:00:00Z",
            "Severity": "HIGH", "Types": "nope", "Resources": [{"Type": 3}, {"Id": 7}, "str"],
            "Compliance": {"RelatedRequirements": [1, "CIS AWS Foundations Benchmark v", "PCI DSS v/"],
                           "AssociatedStandards": "x"},
            "GeneratorId": "/v/", "Workflow": [], "Remediation": {"Recommendation": 1}
        });
        let f = normalize(&raw, "r").unwrap();
        assert_eq!(f.region, "r");
        assert_eq!(f.account, "");
        assert!(f.resources.is_empty());
        assert!(f.controls.is_empty());
        assert_eq!(f.kind, "/v/");
        assert_eq!(f.first_seen, f.last_seen);
    }
}
