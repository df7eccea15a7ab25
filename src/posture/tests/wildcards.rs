//! Posture tests: service wildcards (FSBP IAM.21).

use super::*;

#[test]
fn customer_policies_with_service_wildcards() {
    let mut inv = clean();
    inv.policies.push(managed(
        "KmsAdmin",
        allow(json!(["kms:*", "s3:GetObject", "KMS:*", "cloudtrail:*"])),
        0,
    ));
    let f = run(&inv);
    let x = one(&f, SERVICE_WILDCARD);
    assert_eq!(
        x.resources[0].arn,
        format!("arn:aws:iam::{ACCT}:policy/KmsAdmin")
    );
    assert_eq!(
        x.title,
        "Customer-managed policy KmsAdmin allows every action of a service: cloudtrail:*, kms:*"
    );
    assert_eq!(x.control_id.as_deref(), Some("IAM.21"));
    assert_eq!(x.severity, Severity::Low);
    // Not service wildcards: "*", "*:*", prefixes, NotAction, Deny; AWS managed policies.
    for doc in [
        allow(json!("*")),
        allow(json!("*:*")),
        allow(json!(["s3:Get*", "ec2:Describe*"])),
        json!({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}),
        json!({"Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}),
    ] {
        let mut inv = clean();
        inv.policies[0].document = doc.clone();
        none(&run(&inv), SERVICE_WILDCARD);
    }
    let mut inv = clean();
    let mut aws = managed("AmazonS3FullAccess", allow(json!("s3:*")), 1);
    aws.arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess".into();
    inv.policies.push(aws);
    none(&run(&inv), SERVICE_WILDCARD);
}

#[test]
fn inline_policies_with_service_wildcards_hang_on_their_principal() {
    let mut inv = clean();
    alice(&mut inv).user_policy_list = vec![inline("trail", allow(json!("cloudtrail:*")))];
    inv.role_detail_list[0].role_policy_list = vec![inline("keys", allow(json!(["kms:*"])))];
    inv.role_detail_list[1].role_policy_list = vec![inline("slr", allow(json!("s3:*")))];
    let f = run(&inv);
    let hits: Vec<(&str, &str)> = only(&f, SERVICE_WILDCARD)
        .iter()
        .map(|x| (x.resources[0].kind.as_str(), x.title.as_str()))
        .collect();
    assert_eq!(
        hits,
        [
            (
                "AwsIamRole",
                "An inline policy of role support allows every action of a service: kms:*"
            ),
            (
                "AwsIamUser",
                "An inline policy of user alice allows every action of a service: cloudtrail:*"
            ),
        ]
    );
}
