//! GuardDuty GetFindings (REST wire shape) -> Finding.
//!
//! Choices:
//! - Severity in GuardDuty's bands ([`Severity::from_guardduty`]); `raw_score` is the number.
//! - Workflow: Archived when `service.archived` is true, else New (GuardDuty has no other state).
//! - First / last seen: `service.eventFirstSeen` / `eventLastSeen` (the activity), falling back
//!   to `createdAt` / `updatedAt` (the finding record).
//! - Resources, primary first (the one `resourceType` names), then everything else the finding
//!   carries, each once: the principal of `accessKeyDetails` (IAM user ARN, role ARN for an
//!   assumed role, `arn:…:iam::ACCT:root` for root) followed by the access key itself (arn = key
//!   id, kind AwsIamAccessKey); the EC2 instance (also when only named by an instance-role
//!   session, as in InstanceCredentialExfiltration); S3 buckets; EKS / ECS clusters, Lambda
//!   functions and RDS instances.
use super::{NormalizeError, display_name, parse_arn, parse_time, str_at};
use crate::model::{Finding, Remediation, ResourceRef, Severity, Source, SourceRecord, Workflow};
use serde_json::Value;

const SOURCE: &str = "guardduty";

pub fn normalize(raw: &Value, region: &str) -> Result<Finding, NormalizeError> {
    let id = str_at(raw, &["id"]).ok_or_else(|| NormalizeError::new(SOURCE, None, "no id"))?;
    let fail = |m: &str| NormalizeError::new(SOURCE, Some(id), m);
    let title = str_at(raw, &["title"]).ok_or_else(|| fail("no title"))?;

    let service = raw.get("service").unwrap_or(&Value::Null);
    let first_seen = parse_time(service.get("eventFirstSeen"))
        .or_else(|| parse_time(raw.get("createdAt")))
        .or_else(|| parse_time(raw.get("updatedAt")))
        .ok_or_else(|| fail("no valid eventFirstSeen / createdAt time"))?;
    let last_seen = parse_time(service.get("eventLastSeen"))
        .or_else(|| parse_time(raw.get("updatedAt")))
        .unwrap_or(first_seen)
        .max(first_seen);

    let score = raw.get("severity").and_then(score);
    let account = str_at(raw, &["accountId"])
        .or_else(|| str_at(raw, &["arn"]).and_then(|a| parse_arn(a).map(|a| a.account)))
        .unwrap_or("")
        .to_string();
    let finding_region = str_at(raw, &["region"]).unwrap_or(region).to_string();
    let partition = str_at(raw, &["partition"]).unwrap_or("aws");
    let kind = str_at(raw, &["type"]).unwrap_or("Unknown").to_string();
    let archived = service.get("archived").and_then(Value::as_bool) == Some(true);

    let ctx = Ctx {
        partition,
        account: &account,
        region: &finding_region,
    };
    Ok(Finding {
        id: format!("gd:{id}"),
        source: Source::GuardDuty,
        product: "GuardDuty".to_string(),
        remediation: Some(remediation(&kind)),
        kind,
        title: title.to_string(),
        description: str_at(raw, &["description"]).unwrap_or("").to_string(),
        severity: score
            .map(Severity::from_guardduty)
            .unwrap_or(Severity::Informational),
        raw_score: score,
        resources: resources(raw.get("resource").unwrap_or(&Value::Null), &ctx),
        account,
        region: finding_region.clone(),
        first_seen,
        last_seen,
        workflow: if archived {
            Workflow::Archived
        } else {
            Workflow::New
        },
        compliance: None,
        control_id: None,
        controls: Vec::new(),
        records: vec![SourceRecord {
            source: Source::GuardDuty,
            id: id.to_string(),
            product_arn: None,
            // The detector's region: where Archive / UpdateFindingsFeedback must be sent.
            region: region.to_string(),
            raw: raw.clone(),
        }],
    })
}

/// The severity is a number on the wire; tolerate it as a string too.
fn score(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        .filter(|n: &f64| n.is_finite())
}

struct Ctx<'a> {
    partition: &'a str,
    account: &'a str,
    region: &'a str,
}

fn resource(arn: String, kind: &str, name: &str, region: Option<&str>) -> ResourceRef {
    ResourceRef {
        arn,
        kind: kind.to_string(),
        name: name.to_string(),
        region: region.map(str::to_string),
    }
}

fn resources(res: &Value, ctx: &Ctx) -> Vec<ResourceRef> {
    type Extractor = fn(&Value, &Ctx) -> Vec<ResourceRef>;
    let by_type: [(&str, Extractor); 7] = [
        ("AccessKey", principal),
        ("Instance", instance),
        ("S3Bucket", buckets),
        ("EKSCluster", eks),
        ("ECSCluster", ecs),
        ("Lambda", lambda),
        ("RDSDBInstance", rds),
    ];
    let primary = str_at(res, &["resourceType"]).unwrap_or("");
    let mut out: Vec<ResourceRef> = Vec::new();
    let ordered = by_type
        .iter()
        .filter(|(t, _)| *t == primary)
        .chain(by_type.iter().filter(|(t, _)| *t != primary));
    for (_, extract) in ordered {
        for r in extract(res, ctx) {
            if !out.iter().any(|o| o.arn == r.arn) {
                out.push(r);
            }
        }
    }
    out
}

/// `accessKeyDetails`: who made the calls, then the key they used.
fn principal(res: &Value, ctx: &Ctx) -> Vec<ResourceRef> {
    let Some(d) = res.get("accessKeyDetails") else {
        return Vec::new();
    };
    let p = ctx.partition;
    let acct = ctx.account;
    let user_type = str_at(d, &["userType"]).unwrap_or("");
    let user = str_at(d, &["userName"]);
    let mut out = Vec::new();
    match (user_type, user) {
        ("Root", _) => {
            let arn = format!("arn:{p}:iam::{acct}:root");
            let name = display_name(&arn);
            out.push(resource(arn, "AwsAccount", &name, None))
        }
        ("IAMUser", Some(name)) => out.push(resource(
            format!("arn:{p}:iam::{acct}:user/{name}"),
            "AwsIamUser",
            name,
            None,
        )),
        ("AssumedRole", Some(name)) => out.push(resource(
            format!("arn:{p}:iam::{acct}:role/{name}"),
            "AwsIamRole",
            name,
            None,
        )),
        ("FederatedUser", Some(name)) => out.push(resource(
            format!("arn:{p}:sts::{acct}:federated-user/{name}"),
            "Other",
            name,
            None,
        )),
        (_, Some(name)) => out.push(resource(name.to_string(), "Other", name, None)),
        _ => {}
    }
    if let Some(key) = str_at(d, &["accessKeyId"]) {
        out.push(resource(key.to_string(), "AwsIamAccessKey", key, None));
    }
    // An instance role's session is named after the instance (`AROA…:i-0abc…`).
    if user_type == "AssumedRole"
        && let Some(session) = str_at(d, &["principalId"]).and_then(|p| p.split_once(':'))
        && session.1.starts_with("i-")
    {
        out.push(instance_ref(session.1, ctx));
    }
    out
}

fn instance_ref(id: &str, ctx: &Ctx) -> ResourceRef {
    resource(
        format!(
            "arn:{}:ec2:{}:{}:instance/{id}",
            ctx.partition, ctx.region, ctx.account
        ),
        "AwsEc2Instance",
        id,
        Some(ctx.region),
    )
}

fn instance(res: &Value, ctx: &Ctx) -> Vec<ResourceRef> {
    str_at(res, &["instanceDetails", "instanceId"])
        .map(|id| vec![instance_ref(id, ctx)])
        .unwrap_or_default()
}

fn buckets(res: &Value, ctx: &Ctx) -> Vec<ResourceRef> {
    let Some(list) = res.get("s3BucketDetails").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|b| {
            let name = str_at(b, &["name"])
                .or_else(|| str_at(b, &["arn"]).and_then(|a| parse_arn(a).map(|a| a.resource)))?;
            let arn = str_at(b, &["arn"])
                .map(str::to_string)
                .unwrap_or_else(|| format!("arn:{}:s3:::{name}", ctx.partition));
            Some(resource(arn, "AwsS3Bucket", name, Some(ctx.region)))
        })
        .collect()
}

/// Resources named by an ARN (and a name) in one detail object.
fn by_arn(
    res: &Value,
    detail: &str,
    arn_key: &str,
    name_key: &str,
    kind: &str,
) -> Vec<ResourceRef> {
    let Some(d) = res.get(detail) else {
        return Vec::new();
    };
    let Some(arn) = str_at(d, &[arn_key]) else {
        return Vec::new();
    };
    let name = str_at(d, &[name_key])
        .map(str::to_string)
        .unwrap_or_else(|| super::display_name(arn));
    let region = super::arn_region(arn);
    vec![resource(arn.to_string(), kind, &name, region.as_deref())]
}

fn eks(res: &Value, _: &Ctx) -> Vec<ResourceRef> {
    by_arn(res, "eksClusterDetails", "arn", "name", "AwsEksCluster")
}

fn ecs(res: &Value, _: &Ctx) -> Vec<ResourceRef> {
    by_arn(res, "ecsClusterDetails", "arn", "name", "AwsEcsCluster")
}

fn lambda(res: &Value, _: &Ctx) -> Vec<ResourceRef> {
    by_arn(
        res,
        "lambdaDetails",
        "functionArn",
        "functionName",
        "AwsLambdaFunction",
    )
}

fn rds(res: &Value, _: &Ctx) -> Vec<ResourceRef> {
    by_arn(
        res,
        "rdsDbInstanceDetails",
        "dbInstanceArn",
        "dbInstanceIdentifier",
        "AwsRdsDbInstance",
    )
}

const TYPES_DOC: &str = "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types";

/// Finding types read `ThreatPurpose:ResourceTypeAffected/ThreatFamily.Mechanism!Artifact`;
/// the affected resource type picks the docs page and the first steps.
fn remediation(kind: &str) -> Remediation {
    let affected = kind
        .split_once(':')
        .map(|(_, rest)| rest.split('/').next().unwrap_or(rest))
        .unwrap_or("");
    let (page, text) = match affected {
        "IAMUser" | "IAM" => (
            "iam",
            "If the activity is not expected, treat the credentials as compromised: deactivate \
             or rotate the access key, revoke the principal's active sessions, and review its \
             recent CloudTrail activity and permissions.",
        ),
        "EC2" => (
            "ec2",
            "If the activity is not expected, isolate the instance (a security group with no \
             rules), snapshot its volumes for forensics, and rotate credentials it held, \
             including its instance-role sessions.",
        ),
        "S3" => (
            "s3",
            "Review the bucket's policy, ACLs and Block Public Access settings and the principal \
             that made the requests; remove access that is not intended.",
        ),
        _ => (
            "active",
            "Review the finding; if the activity is not expected, follow GuardDuty's \
             remediation guidance for this finding type.",
        ),
    };
    Remediation {
        text: text.to_string(),
        url: Some(format!("{TYPES_DOC}-{page}.html")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An IAM finding in the GetFindings wire shape (as in the GuardDuty API reference).
    pub(crate) fn iam_finding() -> Value {
        json!({
          "accountId": "111122223333",
          "arn": "arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/46ba0ac2845071e23ccdeb2ae03bfdea",
          "createdAt": "2024-05-15T20:31:40.000Z",
          "description": "API GetCallerIdentity was invoked from IP address 198.51.100.7 which is on a threat list.",
          "id": "46ba0ac2845071e23ccdeb2ae03bfdea",
          "partition": "aws",
          "region": "us-east-1",
          "resource": {
            "accessKeyDetails": {
              "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
              "principalId": "AIDACKCEVSQ6C2EXAMPLE",
              "userName": "alice",
              "userType": "IAMUser"
            },
            "resourceType": "AccessKey"
          },
          "schemaVersion": "2.0",
          "service": {
            "action": {
              "actionType": "AWS_API_CALL",
              "awsApiCallAction": {
                "api": "GetCallerIdentity",
                "callerType": "Remote IP",
                "remoteIpDetails": {"ipAddressV4": "198.51.100.7"},
                "serviceName": "sts.amazonaws.com"
              }
            },
            "archived": false,
            "count": 3,
            "detectorId": "12abc34d567e8fa901bc2d34e56789f0",
            "eventFirstSeen": "2024-05-15T20:30:59.000Z",
            "eventLastSeen": "2024-05-15T20:38:12.000Z",
            "resourceRole": "TARGET",
            "serviceName": "guardduty"
          },
          "severity": 8,
          "title": "API GetCallerIdentity was invoked from a known malicious IP address.",
          "type": "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
          "updatedAt": "2024-05-15T20:38:50.000Z"
        })
    }

    #[test]
    fn iam_user_access_key_finding() {
        let f = normalize(&iam_finding(), "us-east-1").unwrap();
        assert_eq!(f.id, "gd:46ba0ac2845071e23ccdeb2ae03bfdea");
        assert_eq!(f.source, Source::GuardDuty);
        assert_eq!(f.product, "GuardDuty");
        assert_eq!(f.kind, "UnauthorizedAccess:IAMUser/MaliciousIPCaller");
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.raw_score, Some(8.0));
        assert_eq!(f.workflow, Workflow::New);
        assert_eq!(f.account, "111122223333");
        assert_eq!(
            f.title,
            "API GetCallerIdentity was invoked from a known malicious IP address."
        );
        assert_eq!(f.first_seen.to_rfc3339(), "2024-05-15T20:30:59+00:00");
        assert_eq!(f.last_seen.to_rfc3339(), "2024-05-15T20:38:12+00:00");
        assert_eq!(f.resources.len(), 2);
        assert_eq!(f.resources[0].arn, "arn:aws:iam::111122223333:user/alice");
        assert_eq!(f.resources[0].kind, "AwsIamUser");
        assert_eq!(f.resources[0].name, "alice");
        assert_eq!(f.resources[0].region, None);
        assert_eq!(f.resources[1].arn, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(f.resources[1].kind, "AwsIamAccessKey");
        let rem = f.remediation.unwrap();
        assert_eq!(
            rem.url.as_deref(),
            Some(
                "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html"
            )
        );
        assert_eq!(f.records[0].id, "46ba0ac2845071e23ccdeb2ae03bfdea");
        assert_eq!(f.records[0].product_arn, None);
        assert_eq!(f.records[0].raw, iam_finding());
    }

    #[test]
    fn archived_root_finding() {
        let mut raw = iam_finding();
        raw["resource"]["accessKeyDetails"] = json!({
            "accessKeyId": "ASIAIOSFODNN7EXAMPLE", "principalId": "111122223333",
            "userName": "Root", "userType": "Root"});
        raw["service"]["archived"] = json!(true);
        raw["severity"] = json!(2.0);
        raw["type"] = json!("Policy:IAMUser/RootCredentialUsage");
        let f = normalize(&raw, "us-east-1").unwrap();
        assert_eq!(f.workflow, Workflow::Archived);
        assert_eq!(f.severity, Severity::Low);
        assert_eq!(f.resources[0].arn, "arn:aws:iam::111122223333:root");
        assert_eq!(f.resources[0].kind, "AwsAccount");
        assert_eq!(f.resources[0].name, "account 111122223333 (root)");
    }

    #[test]
    fn instance_credential_exfiltration() {
        let raw = json!({
          "accountId": "111122223333",
          "arn": "arn:aws:guardduty:eu-west-1:111122223333:detector/d1/finding/f1",
          "createdAt": "2024-06-18T14:05:00.000Z",
          "id": "f1",
          "partition": "aws",
          "region": "eu-west-1",
          "resource": {
            "accessKeyDetails": {
              "accessKeyId": "ASIAEXAMPLEKEY",
              "principalId": "AROAEXAMPLEPRINCIPAL:i-0abc123def4567890",
              "userName": "app-server-role",
              "userType": "AssumedRole"
            },
            "resourceType": "AccessKey"
          },
          "service": {"archived": false, "serviceName": "guardduty"},
          "severity": 8.0,
          "title": "Credentials for the EC2 instance role app-server-role were used from an external IP address.",
          "type": "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
          "updatedAt": "2024-06-18T14:21:00.000Z"
        });
        let f = normalize(&raw, "eu-west-1").unwrap();
        let arns: Vec<&str> = f.resources.iter().map(|r| r.arn.as_str()).collect();
        assert_eq!(
            arns,
            vec![
                "arn:aws:iam::111122223333:role/app-server-role",
                "ASIAEXAMPLEKEY",
                "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc123def4567890",
            ]
        );
        assert_eq!(f.resources[0].kind, "AwsIamRole");
        assert_eq!(f.resources[2].kind, "AwsEc2Instance");
        // No eventFirstSeen: createdAt / updatedAt.
        assert_eq!(f.first_seen.to_rfc3339(), "2024-06-18T14:05:00+00:00");
        assert_eq!(f.last_seen.to_rfc3339(), "2024-06-18T14:21:00+00:00");
    }

    #[test]
    fn ec2_and_s3_findings() {
        let ec2 = json!({
          "accountId": "111122223333", "id": "e1", "region": "us-east-1", "partition": "aws",
          "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-02T00:00:00Z",
          "resource": {"resourceType": "Instance", "instanceDetails": {
              "instanceId": "i-99999999", "instanceType": "m3.xlarge",
              "iamInstanceProfile": {"arn": "arn:aws:iam::111122223333:instance-profile/web", "id": "AIPA1"}}},
          "service": {"archived": false},
          "severity": 5, "title": "198.51.100.1 is performing SSH brute force attacks against i-99999999.",
          "type": "UnauthorizedAccess:EC2/SSHBruteForce"
        });
        let f = normalize(&ec2, "us-east-1").unwrap();
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(
            f.resources[0].arn,
            "arn:aws:ec2:us-east-1:111122223333:instance/i-99999999"
        );
        assert_eq!(f.resources[0].name, "i-99999999");
        assert_eq!(f.resources[0].region.as_deref(), Some("us-east-1"));
        assert!(f.remediation.unwrap().url.unwrap().ends_with("-ec2.html"));

        let s3 = json!({
          "accountId": "111122223333", "id": "s1", "region": "us-east-1",
          "createdAt": "2024-01-01T00:00:00Z",
          "resource": {
            "resourceType": "S3Bucket",
            "accessKeyDetails": {"accessKeyId": "AKIAX", "userName": "bob", "userType": "IAMUser"},
            "s3BucketDetails": [{"arn": "arn:aws:s3:::acme-logs", "name": "acme-logs", "type": "Destination"},
                                {"name": "acme-data"}]
          },
          "severity": 9.5, "title": "Unusual S3 API invocation",
          "type": "Exfiltration:S3/AnomalousBehavior"
        });
        let f = normalize(&s3, "us-east-1").unwrap();
        assert_eq!(f.severity, Severity::Critical);
        let arns: Vec<&str> = f.resources.iter().map(|r| r.arn.as_str()).collect();
        assert_eq!(
            arns,
            vec![
                "arn:aws:s3:::acme-logs",
                "arn:aws:s3:::acme-data",
                "arn:aws:iam::111122223333:user/bob",
                "AKIAX"
            ]
        );
        assert_eq!(f.workflow, Workflow::New, "no service block: not archived");
    }

    #[test]
    fn missing_fields() {
        let e = normalize(&json!({"title": "t"}), "r").unwrap_err();
        assert_eq!((e.source_name, e.id.as_str()), ("guardduty", "<no id>"));
        let e = normalize(
            &json!({"id": "g1", "createdAt": "2024-01-01T00:00:00Z"}),
            "r",
        )
        .unwrap_err();
        assert_eq!(e.id, "g1");
        assert!(e.message.contains("title"));
        // Everything optional missing or mistyped still loads.
        let f = normalize(
            &json!({"id": "g2", "title": "t", "updatedAt": "2024-01-01T00:00:00Z",
                    "resource": "x", "service": 1, "severity": "7.5"}),
            "ap-south-1",
        )
        .unwrap();
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.region, "ap-south-1");
        assert_eq!(f.kind, "Unknown");
        assert!(f.resources.is_empty());
    }
}
