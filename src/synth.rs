//! Synthetic findings at scale, for benchmarks and scale tests only (never shown as real data:
//! the origin is labelled "synthetic").
use crate::model::*;
use chrono::{DateTime, Duration, TimeZone, Utc};

const KINDS: &[(&str, &str, Source)] = &[
    (
        "EC2.13",
        "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
        Source::SecurityHub,
    ),
    (
        "S3.8",
        "S3 general purpose buckets should block public access",
        Source::SecurityHub,
    ),
    (
        "IAM.5",
        "MFA should be enabled for all IAM users that have a console password",
        Source::SecurityHub,
    ),
    (
        "Recon:IAMUser/MaliciousIPCaller",
        "API was invoked from a known malicious IP address",
        Source::GuardDuty,
    ),
    (
        "UnauthorizedAccess:EC2/SSHBruteForce",
        "SSH brute force attacks against an instance",
        Source::GuardDuty,
    ),
    (
        "ExternalAccess",
        "Resource is shared with an external account",
        Source::AccessAnalyzer,
    ),
    (
        "iam.user.console-without-mfa",
        "User has console access without MFA",
        Source::Posture,
    ),
];

/// `n` findings spread over 4 regions, ~n/5 resources, deterministic.
pub fn findings(n: usize) -> Vec<Finding> {
    let base: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
    let regions = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"];
    (0..n)
        .map(|i| {
            let (kind, title, source) = KINDS[i % KINDS.len()];
            let region = regions[(i / 7) % regions.len()];
            let res = i / 5;
            let (arn, rkind, name) = match source {
                Source::GuardDuty | Source::Posture => (
                    format!("arn:aws:iam::111122223333:user/synthetic-user-{res:06}"),
                    "AwsIamUser",
                    format!("synthetic-user-{res:06}"),
                ),
                _ => (
                    format!("arn:aws:ec2:{region}:111122223333:security-group/sg-{res:017x}"),
                    "AwsEc2SecurityGroup",
                    format!("sg-{res:017x}"),
                ),
            };
            let severity = Severity::ALL[(i * 7 + i / 3) % 5];
            let seen = base - Duration::minutes((i as i64 * 37) % (60 * 24 * 90));
            let id = format!("synthetic-{i:08}");
            Finding {
                id: format!("{}:{id}", source.short().to_lowercase()),
                source,
                product: source.label().to_string(),
                kind: kind.to_string(),
                title: format!("{title} ({name})"),
                description: format!("Synthetic finding {i} for scale tests."),
                severity,
                raw_score: None,
                account: "111122223333".into(),
                region: region.into(),
                resources: vec![ResourceRef {
                    arn,
                    kind: rkind.into(),
                    name,
                    region: Some(region.into()),
                }],
                first_seen: seen - Duration::days(3),
                last_seen: seen,
                workflow: if i % 11 == 0 {
                    Workflow::Notified
                } else {
                    Workflow::New
                },
                compliance: None,
                control_id: Some(kind.to_string()),
                controls: vec![],
                remediation: None,
                records: vec![SourceRecord {
                    source,
                    id,
                    product_arn: None,
                    region: region.into(),
                    raw: serde_json::Value::Null,
                }],
            }
        })
        .collect()
}
