//! IAM Access Analyzer GetFindingV2 (REST wire shape) -> Finding.
//!
//! Access Analyzer has no severity of its own. Our mapping, most exposed first:
//! - ExternalAccess that is public (`isPublic`): **Critical** — anyone can use the access.
//! - ExternalAccess to another account through an IAM role trust policy, a KMS key or a
//!   Secrets Manager secret: **High** — assuming a role or decrypting / reading secrets hands
//!   over credentials or data directly.
//! - Other cross-account ExternalAccess: **Medium**; when every external principal is an AWS
//!   service principal: **Low**.
//! - UnusedIAMUserAccessKey and UnusedIAMUserPassword: **Medium** — a long-lived credential
//!   nobody uses is pure risk (CIS 1.12 asks to disable them).
//! - UnusedIAMRole, UnusedPermission: **Low** — excess privilege, not an exposed credential.
//! - InternalAccess (within the zone of trust) and unknown types: **Low**.
//!
//! Workflow: ARCHIVED -> Archived, RESOLVED -> Resolved, ACTIVE (or anything else) -> New.
//! "Days unused" are counted up to `analyzedAt` (else `updatedAt`), never the clock, so the
//! result is a pure function of the record.
use super::{NormalizeError, arn_region, display_name, parse_arn, parse_time, str_at};
use crate::model::{Finding, Remediation, ResourceRef, Severity, Source, SourceRecord, Workflow};
use chrono::{DateTime, Utc};
use serde_json::Value;

const SOURCE: &str = "access-analyzer";

/// `analyzer` is the ListAnalyzers entry the finding came from (for its type and ARN).
pub fn normalize(
    raw: &Value,
    region: &str,
    analyzer: Option<&Value>,
) -> Result<Finding, NormalizeError> {
    let id = str_at(raw, &["id"]).ok_or_else(|| NormalizeError::new(SOURCE, None, "no id"))?;
    let fail = |m: &str| NormalizeError::new(SOURCE, Some(id), m);

    let created = parse_time(raw.get("createdAt"));
    let updated = parse_time(raw.get("updatedAt"));
    let analyzed = parse_time(raw.get("analyzedAt"));
    let first_seen = created
        .or(updated)
        .or(analyzed)
        .ok_or_else(|| fail("no valid createdAt / updatedAt time"))?;
    let last_seen = updated.or(analyzed).unwrap_or(first_seen).max(first_seen);
    let reference = analyzed.or(updated).unwrap_or(last_seen);

    let analyzer_arn =
        str_at(raw, &["analyzerArn"]).or_else(|| analyzer.and_then(|a| str_at(a, &["arn"])));
    let finding_type = str_at(raw, &["findingType"]).unwrap_or("ExternalAccess");
    let resource_arn = str_at(raw, &["resource"]);
    let resource_type = str_at(raw, &["resourceType"]).unwrap_or("");
    let details: Vec<&Value> = raw
        .get("findingDetails")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();

    let account = str_at(raw, &["resourceOwnerAccount"])
        .or_else(|| resource_arn.and_then(parse_arn).map(|a| a.account))
        .or_else(|| analyzer_arn.and_then(parse_arn).map(|a| a.account))
        .unwrap_or("")
        .to_string();

    let label = resource_label(resource_type);
    let name = resource_arn
        .map(display_name)
        .unwrap_or_else(|| "(unknown)".into());
    let subject = format!("{label} {name}");
    let summary = summarize(finding_type, &details, resource_type, &subject, reference);

    let mut resources = Vec::new();
    if let Some(arn) = resource_arn {
        resources.push(ResourceRef {
            arn: arn.to_string(),
            kind: resource_kind(resource_type),
            name: name.clone(),
            region: arn_region(arn),
        });
    }
    resources.extend(summary.extra_resources);

    let mut description = summary.description;
    if let Some(err) = str_at(raw, &["error"]) {
        description.push_str(&format!("\nAnalysis error: {err}"));
    }

    // The analyzer ARN is needed to act on the finding (UpdateFindings) and to match Security
    // Hub's copies; the snapshot adds it to the raw record, so do the same for live records.
    let mut raw_record = raw.clone();
    if let (Some(arn), Some(obj)) = (analyzer_arn, raw_record.as_object_mut()) {
        obj.entry("analyzerArn")
            .or_insert_with(|| Value::String(arn.to_string()));
    }

    Ok(Finding {
        id: format!("aa:{id}"),
        source: Source::AccessAnalyzer,
        product: "IAM Access Analyzer".to_string(),
        kind: finding_type.to_string(),
        title: summary.title,
        description,
        severity: summary.severity,
        raw_score: None,
        account,
        region: region.to_string(),
        resources,
        first_seen,
        last_seen,
        workflow: match str_at(raw, &["status"])
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("ARCHIVED") => Workflow::Archived,
            Some("RESOLVED") => Workflow::Resolved,
            _ => Workflow::New,
        },
        compliance: None,
        control_id: None,
        controls: Vec::new(),
        remediation: Some(remediation(finding_type)),
        records: vec![SourceRecord {
            source: Source::AccessAnalyzer,
            id: id.to_string(),
            product_arn: None,
            region: region.to_string(),
            raw: raw_record,
        }],
    })
}

/// Access Analyzer resource types (`AWS::S3::Bucket`) as ASFF resource types (`AwsS3Bucket`).
pub fn resource_kind(resource_type: &str) -> String {
    let known = match resource_type {
        "AWS::S3::Bucket" => "AwsS3Bucket",
        "AWS::S3Express::DirectoryBucket" => "AwsS3Bucket",
        "AWS::IAM::Role" => "AwsIamRole",
        "AWS::IAM::User" => "AwsIamUser",
        "AWS::KMS::Key" => "AwsKmsKey",
        "AWS::Lambda::Function" => "AwsLambdaFunction",
        "AWS::Lambda::LayerVersion" => "AwsLambdaLayerVersion",
        "AWS::SQS::Queue" => "AwsSqsQueue",
        "AWS::SNS::Topic" => "AwsSnsTopic",
        "AWS::SecretsManager::Secret" => "AwsSecretsManagerSecret",
        "AWS::EFS::FileSystem" => "AwsEfsFileSystem",
        "AWS::EC2::Snapshot" => "AwsEc2Snapshot",
        "AWS::ECR::Repository" => "AwsEcrRepository",
        "AWS::RDS::DBSnapshot" => "AwsRdsDbSnapshot",
        "AWS::RDS::DBClusterSnapshot" => "AwsRdsDbClusterSnapshot",
        "AWS::DynamoDB::Table" => "AwsDynamoDbTable",
        "AWS::DynamoDB::Stream" => "AwsDynamoDbStream",
        "" => "Other",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    // Anything newer: `AWS::Svc::Type` -> `AwsSvcType`, ASFF's naming pattern.
    let parts: Vec<&str> = resource_type.split("::").collect();
    match parts.as_slice() {
        ["AWS", svc, ty] => {
            let mut svc = svc.to_ascii_lowercase();
            if let Some(first) = svc.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            format!("Aws{svc}{ty}")
        }
        _ => "Other".to_string(),
    }
}

/// How a person names the resource type in a sentence.
fn resource_label(resource_type: &str) -> &str {
    match resource_type {
        "AWS::S3::Bucket" => "S3 bucket",
        "AWS::S3Express::DirectoryBucket" => "S3 directory bucket",
        "AWS::IAM::Role" => "Role",
        "AWS::IAM::User" => "User",
        "AWS::KMS::Key" => "KMS key",
        "AWS::Lambda::Function" => "Lambda function",
        "AWS::Lambda::LayerVersion" => "Lambda layer",
        "AWS::SQS::Queue" => "SQS queue",
        "AWS::SNS::Topic" => "SNS topic",
        "AWS::SecretsManager::Secret" => "Secret",
        "AWS::EFS::FileSystem" => "EFS file system",
        "AWS::EC2::Snapshot" => "EBS snapshot",
        "AWS::ECR::Repository" => "ECR repository",
        "AWS::RDS::DBSnapshot" => "RDS snapshot",
        "AWS::RDS::DBClusterSnapshot" => "RDS cluster snapshot",
        "AWS::DynamoDB::Table" => "DynamoDB table",
        "AWS::DynamoDB::Stream" => "DynamoDB stream",
        "" => "Resource",
        other => other,
    }
}

struct Summary {
    title: String,
    description: String,
    severity: Severity,
    extra_resources: Vec<ResourceRef>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// Principal values (`{"AWS": "444455556666"}`, `{"Service": "..."}`), account roots shown as
/// the account id, without repeats, with their principal type.
fn principals(details: &[&Value], key: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for d in details {
        let Some(map) = d
            .get(key)
            .and_then(|x| x.get("principal"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        for (ptype, v) in map {
            for s in strings(Some(v)) {
                let shown = match parse_arn(&s) {
                    Some(a) if a.service == "iam" && a.resource == "root" => a.account.to_string(),
                    _ => s,
                };
                if !out.iter().any(|(_, x)| *x == shown) {
                    out.push((ptype.clone(), shown));
                }
            }
        }
    }
    out
}

/// "a, b, c +2 more".
fn short_list(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(" +{} more", items.len() - max));
    }
    s
}

fn days_since(last: Option<DateTime<Utc>>, reference: DateTime<Utc>) -> Option<i64> {
    last.map(|l| (reference - l).num_days().max(0))
}

fn unused_phrase(days: Option<i64>) -> String {
    match days {
        Some(d) => format!("unused for {d} days"),
        None => "never used".to_string(),
    }
}

fn summarize(
    finding_type: &str,
    details: &[&Value],
    resource_type: &str,
    subject: &str,
    reference: DateTime<Utc>,
) -> Summary {
    let detail = |key: &str| details.iter().find_map(|d| d.get(key));
    let last_accessed = |key: &str| parse_time(detail(key).and_then(|d| d.get("lastAccessed")));
    let mut extra_resources = Vec::new();
    let (title, description, severity) = match finding_type {
        "ExternalAccess" => {
            let key = "externalAccessDetails";
            let public = details.iter().any(|d| {
                d.get(key)
                    .and_then(|x| x.get("isPublic"))
                    .and_then(Value::as_bool)
                    == Some(true)
            });
            let who = principals(details, key);
            let names: Vec<String> = who.iter().map(|(_, p)| p.clone()).collect();
            let actions: Vec<String> = details
                .iter()
                .flat_map(|d| strings(d.get(key).and_then(|x| x.get("action"))))
                .collect();
            let only_services = !who.is_empty() && who.iter().all(|(t, _)| t == "Service");
            let severity = if public {
                Severity::Critical
            } else if matches!(
                resource_type,
                "AWS::IAM::Role" | "AWS::KMS::Key" | "AWS::SecretsManager::Secret"
            ) && !only_services
            {
                Severity::High
            } else if only_services {
                Severity::Low
            } else {
                Severity::Medium
            };
            let title = if public {
                format!("{subject} allows public access")
            } else if names.is_empty() {
                format!("{subject} allows external access")
            } else {
                format!("{subject} is shared with {}", short_list(&names, 3))
            };
            let mut desc = format!(
                "A resource-based policy grants {} access to {}.",
                if public { "public" } else { "cross-account" },
                if names.is_empty() {
                    "principals outside the zone of trust".to_string()
                } else {
                    names.join(", ")
                }
            );
            if !actions.is_empty() {
                desc.push_str(&format!("\nActions: {}", short_list(&actions, 10)));
            }
            for d in details {
                if let Some(c) = d
                    .get(key)
                    .and_then(|x| x.get("condition"))
                    .and_then(Value::as_object)
                    && !c.is_empty()
                {
                    desc.push_str(&format!("\nCondition: {}", Value::Object(c.clone())));
                }
            }
            (title, desc, severity)
        }
        "InternalAccess" => {
            let names: Vec<String> = principals(details, "internalAccessDetails")
                .into_iter()
                .map(|(_, p)| p)
                .collect();
            let title = if names.is_empty() {
                format!("{subject} is accessible inside the zone of trust")
            } else {
                format!("{subject} is accessible by {}", short_list(&names, 3))
            };
            let desc = "Principals inside the zone of trust can access this resource.".into();
            (title, desc, Severity::Low)
        }
        "UnusedIAMRole" => {
            let days = days_since(last_accessed("unusedIamRoleDetails"), reference);
            let title = format!("{subject} {}", unused_phrase(days));
            let desc = "The role has not been used within the analyzer's tracking period. \
                        Remove it if nobody needs it."
                .into();
            (title, desc, Severity::Low)
        }
        "UnusedIAMUserAccessKey" => {
            let d = detail("unusedIamUserAccessKeyDetails");
            let key = d.and_then(|d| str_at(d, &["accessKeyId"]));
            let days = days_since(last_accessed("unusedIamUserAccessKeyDetails"), reference);
            if let Some(k) = key {
                extra_resources.push(ResourceRef {
                    arn: k.to_string(),
                    kind: "AwsIamAccessKey".into(),
                    name: k.to_string(),
                    region: None,
                });
            }
            let title = match key {
                Some(k) => format!(
                    "Access key {k} of {} {}",
                    subject.to_lowercase_first(),
                    unused_phrase(days)
                ),
                None => format!(
                    "An access key of {} is {}",
                    subject.to_lowercase_first(),
                    unused_phrase(days)
                ),
            };
            let desc = "An active access key has not been used within the tracking period. \
                        Deactivate and delete it if nobody needs it."
                .into();
            (title, desc, Severity::Medium)
        }
        "UnusedIAMUserPassword" => {
            let days = days_since(last_accessed("unusedIamUserPasswordDetails"), reference);
            let title = format!(
                "Console password of {} {}",
                subject.to_lowercase_first(),
                unused_phrase(days)
            );
            let desc = "The user's console password has not been used within the tracking \
                        period. Delete the login profile if nobody needs it."
                .into();
            (title, desc, Severity::Medium)
        }
        "UnusedPermission" => {
            let mut services: Vec<String> = Vec::new();
            let mut lines: Vec<String> = Vec::new();
            for d in details {
                let Some(p) = d.get("unusedPermissionDetails") else {
                    continue;
                };
                let Some(ns) = str_at(p, &["serviceNamespace"]) else {
                    continue;
                };
                if !services.iter().any(|s| s == ns) {
                    services.push(ns.to_string());
                }
                let actions: Vec<String> = p
                    .get("actions")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| str_at(x, &["action"]))
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                let days = days_since(parse_time(p.get("lastAccessed")), reference);
                let mut line = format!("{ns}: {}", unused_phrase(days));
                if !actions.is_empty() {
                    line.push_str(&format!(" ({})", short_list(&actions, 5)));
                }
                lines.push(line);
            }
            let title = match services.len() {
                0 => format!("{subject} has unused permissions"),
                1 => format!("{subject} has unused {} permissions", services[0]),
                n => format!(
                    "{subject} has unused permissions in {n} services ({})",
                    short_list(&services, 3)
                ),
            };
            let mut desc = "Permissions granted but not used within the tracking period; \
                            remove them for least privilege."
                .to_string();
            for l in lines {
                desc.push('\n');
                desc.push_str(&l);
            }
            (title, desc, Severity::Low)
        }
        other => (
            format!("{other} on {subject}"),
            String::new(),
            Severity::Low,
        ),
    };
    Summary {
        title,
        description,
        severity,
        extra_resources,
    }
}

trait LowerFirst {
    fn to_lowercase_first(&self) -> String;
}

impl LowerFirst for str {
    /// "User bob" reads "user bob" mid-sentence.
    fn to_lowercase_first(&self) -> String {
        let mut c = self.chars();
        match c.next() {
            Some(f) => f.to_lowercase().chain(c).collect(),
            None => String::new(),
        }
    }
}

const FINDINGS_DOC: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html";

fn remediation(finding_type: &str) -> Remediation {
    let text = match finding_type {
        "ExternalAccess" => {
            "If the access is not intended, change the resource-based policy (or ACL / access \
             point) that grants it; if it is intended, archive the finding."
        }
        "InternalAccess" => {
            "If the access is not intended, narrow the identity or resource policies that grant it."
        }
        "UnusedIAMRole" => "Delete the role if nobody needs it; otherwise archive the finding.",
        "UnusedIAMUserAccessKey" => "Deactivate the access key, then delete it if nothing breaks.",
        "UnusedIAMUserPassword" => "Delete the user's login profile (console password).",
        "UnusedPermission" => {
            "Replace the policies with ones that grant only the actions the principal uses."
        }
        _ => "Review the finding in the IAM Access Analyzer console.",
    };
    Remediation {
        text: text.to_string(),
        url: Some(FINDINGS_DOC.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ANALYZER: &str = "arn:aws:access-analyzer:us-east-1:111122223333:analyzer/acct-analyzer";

    /// GetFindingV2 response for an external-access finding (API reference shape).
    pub(crate) fn external() -> Value {
        json!({
          "analyzedAt": "2024-11-10T16:17:40Z",
          "createdAt": "2024-11-10T16:17:47Z",
          "findingDetails": [{
            "externalAccessDetails": {
              "action": ["s3:GetObject", "s3:GetObjectVersion"],
              "condition": {},
              "isPublic": false,
              "principal": {"AWS": "444455556666"},
              "sources": [{"type": "POLICY"}],
              "resourceControlPolicyRestriction": "NOT_APPLICABLE"
            }
          }],
          "findingType": "ExternalAccess",
          "id": "dad90d5d-63b4-6575-b0fa-ef9c556ge798",
          "resource": "arn:aws:s3:::acme-logs",
          "resourceOwnerAccount": "111122223333",
          "resourceType": "AWS::S3::Bucket",
          "status": "ACTIVE",
          "updatedAt": "2024-11-10T16:43:49Z"
        })
    }

    #[test]
    fn external_cross_account_bucket() {
        let analyzer = json!({"arn": ANALYZER, "name": "acct-analyzer", "type": "ACCOUNT"});
        let f = normalize(&external(), "us-east-1", Some(&analyzer)).unwrap();
        assert_eq!(f.id, "aa:dad90d5d-63b4-6575-b0fa-ef9c556ge798");
        assert_eq!(f.source, Source::AccessAnalyzer);
        assert_eq!(f.product, "IAM Access Analyzer");
        assert_eq!(f.kind, "ExternalAccess");
        assert_eq!(f.title, "S3 bucket acme-logs is shared with 444455556666");
        assert!(f.description.contains("s3:GetObject"));
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(f.raw_score, None);
        assert_eq!(f.workflow, Workflow::New);
        assert_eq!(f.account, "111122223333");
        assert_eq!(f.resources[0].arn, "arn:aws:s3:::acme-logs");
        assert_eq!(f.resources[0].kind, "AwsS3Bucket");
        assert_eq!(f.resources[0].name, "acme-logs");
        assert_eq!(f.first_seen.to_rfc3339(), "2024-11-10T16:17:47+00:00");
        assert_eq!(f.last_seen.to_rfc3339(), "2024-11-10T16:43:49+00:00");
        // The analyzer ARN is recorded for actions and dedupe.
        assert_eq!(f.records[0].raw["analyzerArn"], json!(ANALYZER));
        assert_eq!(f.records[0].id, "dad90d5d-63b4-6575-b0fa-ef9c556ge798");
    }

    #[test]
    fn external_public_and_role_trust() {
        let mut raw = external();
        raw["findingDetails"][0]["externalAccessDetails"]["isPublic"] = json!(true);
        raw["findingDetails"][0]["externalAccessDetails"]["principal"] = json!({"AWS": "*"});
        raw["status"] = json!("ARCHIVED");
        let f = normalize(&raw, "us-east-1", None).unwrap();
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!(f.title, "S3 bucket acme-logs allows public access");
        assert_eq!(f.workflow, Workflow::Archived);
        assert!(f.records[0].raw.get("analyzerArn").is_none());

        let role = json!({
          "analyzedAt": "2024-11-10T16:17:40Z", "createdAt": "2024-11-10T16:17:47Z",
          "updatedAt": "2024-11-10T16:17:47Z", "id": "r1", "status": "RESOLVED",
          "findingType": "ExternalAccess", "resourceType": "AWS::IAM::Role",
          "resource": "arn:aws:iam::111122223333:role/ci/deploy", "resourceOwnerAccount": "111122223333",
          "findingDetails": [{"externalAccessDetails": {
              "action": ["sts:AssumeRole"], "isPublic": false,
              "principal": {"AWS": "arn:aws:iam::444455556666:root"}}},
            {"externalAccessDetails": {"action": ["sts:AssumeRole"], "isPublic": false,
              "principal": {"AWS": "arn:aws:iam::777788889999:role/x"}}}],
          "analyzerArn": ANALYZER
        });
        let f = normalize(&role, "us-east-1", None).unwrap();
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.workflow, Workflow::Resolved);
        assert_eq!(
            f.title,
            "Role deploy is shared with 444455556666, arn:aws:iam::777788889999:role/x"
        );
        assert_eq!(f.resources[0].kind, "AwsIamRole");
        assert_eq!(f.resources[0].region, None);
    }

    #[test]
    fn unused_role() {
        let raw = json!({
          "analyzedAt": "2024-11-20T00:00:00Z", "createdAt": "2024-11-01T00:00:00Z",
          "updatedAt": "2024-11-20T00:00:00Z", "id": "u-role", "status": "ACTIVE",
          "findingType": "UnusedIAMRole", "resourceType": "AWS::IAM::Role",
          "resource": "arn:aws:iam::111122223333:role/legacy-batch", "resourceOwnerAccount": "111122223333",
          "findingDetails": [{"unusedIamRoleDetails": {"lastAccessed": "2024-07-23T00:00:00Z"}}]
        });
        let f = normalize(&raw, "us-east-1", None).unwrap();
        assert_eq!(f.title, "Role legacy-batch unused for 120 days");
        assert_eq!(f.severity, Severity::Low);
        assert_eq!(f.kind, "UnusedIAMRole");
        // Never used within the tracking period: no lastAccessed.
        let mut never = raw.clone();
        never["findingDetails"] = json!([{"unusedIamRoleDetails": {}}]);
        let f = normalize(&never, "us-east-1", None).unwrap();
        assert_eq!(f.title, "Role legacy-batch never used");
    }

    #[test]
    fn unused_key_password_permission() {
        let key = json!({
          "analyzedAt": "2024-11-20T00:00:00Z", "createdAt": "2024-11-01T00:00:00Z",
          "updatedAt": "2024-11-20T00:00:00Z", "id": "u-key", "status": "ACTIVE",
          "findingType": "UnusedIAMUserAccessKey", "resourceType": "AWS::IAM::User",
          "resource": "arn:aws:iam::111122223333:user/bob", "resourceOwnerAccount": "111122223333",
          "findingDetails": [{"unusedIamUserAccessKeyDetails": {
              "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "lastAccessed": "2024-05-04T00:00:00Z"}}]
        });
        let f = normalize(&key, "us-east-1", None).unwrap();
        assert_eq!(
            f.title,
            "Access key AKIAIOSFODNN7EXAMPLE of user bob unused for 200 days"
        );
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(f.resources.len(), 2);
        assert_eq!(f.resources[0].kind, "AwsIamUser");
        assert_eq!(f.resources[1].arn, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(f.resources[1].kind, "AwsIamAccessKey");

        let pw = json!({
          "analyzedAt": "2024-11-20T00:00:00Z", "createdAt": "2024-11-01T00:00:00Z",
          "id": "u-pw", "status": "ACTIVE", "findingType": "UnusedIAMUserPassword",
          "resourceType": "AWS::IAM::User", "resource": "arn:aws:iam::111122223333:user/bob",
          "resourceOwnerAccount": "111122223333",
          "findingDetails": [{"unusedIamUserPasswordDetails": {"lastAccessed": "2024-08-17T00:00:00Z"}}]
        });
        let f = normalize(&pw, "us-east-1", None).unwrap();
        assert_eq!(f.title, "Console password of user bob unused for 95 days");

        let perm = json!({
          "analyzedAt": "2024-11-20T00:00:00Z", "createdAt": "2024-11-01T00:00:00Z",
          "id": "u-perm", "status": "ACTIVE", "findingType": "UnusedPermission",
          "resourceType": "AWS::IAM::Role", "resource": "arn:aws:iam::111122223333:role/app",
          "resourceOwnerAccount": "111122223333",
          "findingDetails": [
            {"unusedPermissionDetails": {"serviceNamespace": "s3",
               "actions": [{"action": "s3:DeleteBucket"}, {"action": "s3:PutBucketPolicy", "lastAccessed": "2024-01-01T00:00:00Z"}],
               "lastAccessed": "2024-01-01T00:00:00Z"}},
            {"unusedPermissionDetails": {"serviceNamespace": "iam"}}
          ]
        });
        let f = normalize(&perm, "us-east-1", None).unwrap();
        assert_eq!(
            f.title,
            "Role app has unused permissions in 2 services (s3, iam)"
        );
        assert_eq!(f.severity, Severity::Low);
        assert!(f.description.contains("s3:DeleteBucket"));
        assert!(f.description.contains("iam: never used"));
    }

    #[test]
    fn kinds() {
        assert_eq!(resource_kind("AWS::KMS::Key"), "AwsKmsKey");
        assert_eq!(
            resource_kind("AWS::SecretsManager::Secret"),
            "AwsSecretsManagerSecret"
        );
        assert_eq!(resource_kind("AWS::Glue::Table"), "AwsGlueTable");
        assert_eq!(resource_kind("weird"), "Other");
    }

    #[test]
    fn missing_fields() {
        let e = normalize(&json!({"status": "ACTIVE"}), "r", None).unwrap_err();
        assert_eq!(
            (e.source_name, e.id.as_str()),
            ("access-analyzer", "<no id>")
        );
        let e = normalize(&json!({"id": "a1"}), "r", None).unwrap_err();
        assert_eq!(e.id, "a1");
        // Only an id and a time: still a finding.
        let f = normalize(
            &json!({"id": "a2", "createdAt": 1_700_000_000, "findingDetails": "x", "resource": 5}),
            "eu-west-1",
            None,
        )
        .unwrap();
        assert_eq!(f.kind, "ExternalAccess");
        assert_eq!(f.title, "Resource (unknown) allows external access");
        assert!(f.resources.is_empty());
        assert_eq!(f.region, "eu-west-1");
    }
}
