//! Posture tests: policies (1.16, 1.17, 1.19, 1.22).

use super::*;

#[test]
fn attached_customer_admin_policy() {
    let mut inv = clean();
    let mut role_ci = role(
        "ci",
        trust_stmt(json!({"Service": "codebuild.amazonaws.com"}), None),
    );
    role_ci.attached_managed_policies = vec![attached(
        "GodMode",
        &format!("arn:aws:iam::{ACCT}:policy/GodMode"),
    )];
    inv.role_detail_list.push(role_ci);
    inv.policies.push(managed(
        "GodMode",
        json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}),
        1,
    ));
    let f = run(&inv);
    let x = one(&f, ADMIN_POLICY);
    assert_eq!(
        x.resources[0].arn,
        format!("arn:aws:iam::{ACCT}:policy/GodMode")
    );
    assert_eq!(x.resources[0].kind, "AwsIamPolicy");
    assert_eq!(x.control_id.as_deref(), Some("IAM.1"));
    assert!(x.description.contains("role ci"));
}

#[test]
fn admin_policy_negatives() {
    // Unattached.
    let mut inv = clean();
    inv.policies.push(managed("Unused", allow(json!("*")), 0));
    none(&run(&inv), ADMIN_POLICY);
    // `*` only on some resources.
    let mut inv = clean();
    inv.policies.push(managed(
        "Scoped",
        json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}]}),
        2,
    ));
    none(&run(&inv), ADMIN_POLICY);
    // A Deny of everything is not an admin grant.
    let mut inv = clean();
    inv.policies.push(managed(
        "DenyAll",
        json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}),
        2,
    ));
    none(&run(&inv), ADMIN_POLICY);
    // AWS-managed AdministratorAccess is not a customer-managed policy.
    let mut inv = clean();
    let mut p = managed("AdministratorAccess", allow(json!("*")), 3);
    p.arn = "arn:aws:iam::aws:policy/AdministratorAccess".into();
    inv.policies.push(p);
    none(&run(&inv), ADMIN_POLICY);
}

#[test]
fn no_support_role() {
    let mut inv = clean();
    inv.role_detail_list[0].attached_managed_policies.clear();
    let f = run(&inv);
    assert_eq!(
        one(&f, NO_SUPPORT_ROLE).control_id.as_deref(),
        Some("IAM.18")
    );
    none(&run(&clean()), NO_SUPPORT_ROLE);
}

#[test]
fn expired_server_certificate() {
    let mut inv = clean();
    inv.server_certificates[0].expiration = ago(30);
    let f = run(&inv);
    let x = one(&f, EXPIRED_CERT);
    assert_eq!(x.title, "Server certificate www expired 30 days ago");
    assert_eq!(x.control_id.as_deref(), Some("IAM.26"));
    none(&run(&clean()), EXPIRED_CERT);
}

#[test]
fn cloudshell_full_access_on_identities() {
    let mut inv = clean();
    inv.group_detail_list[0]
        .attached_managed_policies
        .push(aws_policy("AWSCloudShellFullAccess"));
    inv.role_detail_list[0]
        .attached_managed_policies
        .push(aws_policy("AWSCloudShellFullAccess"));
    let f = run(&inv);
    let hits = only(&f, CLOUDSHELL);
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].control_id.as_deref(), Some("IAM.27"));
    none(&run(&clean()), CLOUDSHELL);
}
