//! Posture tests: policy evaluation.

use super::*;

#[test]
fn glob_matching_is_case_insensitive_with_wildcards() {
    assert!(glob_match("iam:*", "IAM:PutUserPolicy"));
    assert!(glob_match("IAM:put*", "iam:PutRolePolicy"));
    assert!(glob_match("*", "ec2:RunInstances"));
    assert!(glob_match("iam:?reateAccessKey", "iam:CreateAccessKey"));
    assert!(glob_match("iam:*Policy*", "iam:AttachUserPolicy"));
    assert!(!glob_match("iam:Put*", "iam:PassRole"));
    assert!(!glob_match("s3:*", "iam:PassRole"));
    assert!(!glob_match("iam:CreateAccessKey", "iam:CreateAccessKeys"));
    assert!(glob_match("", "") && !glob_match("", "a"));
}

/// Adds a user with one inline policy and returns its findings.
fn with_user_policy(doc: Value) -> (IamInventory, Vec<Finding>) {
    let mut inv = clean();
    let mut u = user("dev");
    u.user_policy_list = vec![inline("p", doc)];
    inv.user_detail_list.push(u);
    let f = run(&inv);
    (inv, f)
}

/// Administrator roles trusting EC2, Lambda and CloudFormation: the targets a PassRole or
/// existing-resource method needs before it counts (issue 14: targets are real).
fn add_service_targets(inv: &mut IamInventory) {
    for svc in ["ec2", "lambda", "cloudformation"] {
        let mut r = role(
            &format!("{svc}-admin"),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": format!("{svc}.amazonaws.com")}, "Action": "sts:AssumeRole"}]}),
        );
        r.attached_managed_policies
            .push(aws_policy("AdministratorAccess"));
        inv.role_detail_list.push(r);
    }
}

/// [`with_user_policy`] in an account that also has [`add_service_targets`]' roles.
fn with_targets(doc: Value) -> (IamInventory, Vec<Finding>) {
    let (mut inv, _) = with_user_policy(doc);
    add_service_targets(&mut inv);
    let f = run(&inv);
    (inv, f)
}

fn dev_arn() -> String {
    format!("arn:aws:iam::{ACCT}:user/dev")
}

fn methods(inv: &IamInventory) -> Vec<&'static str> {
    policy::escalation_paths(inv, &dev_arn())
        .iter()
        .map(|p| p.method)
        .collect()
}

#[test]
fn passrole_with_run_instances_is_escalation() {
    // No role trusts EC2 in the baseline: nothing to pass, no finding.
    let (_, f) = with_user_policy(allow(json!(["iam:PassRole", "ec2:RunInstances"])));
    none(&f, PRIVESC);
    let (inv, f) = with_targets(allow(json!(["iam:PassRole", "ec2:RunInstances"])));
    let x = one(&f, PRIVESC);
    assert_eq!(
        x.title,
        "User dev can escalate privileges with iam:PassRole + ec2:RunInstances (CreateEC2WithExistingInstanceProfile) granted by p (inline)"
    );
    assert_eq!(methods(&inv), ["CreateEC2WithExistingInstanceProfile"]);
    assert!(!policy::is_admin(&inv, &dev_arn()));
}

#[test]
fn passrole_alone_or_partial_combo_is_not_escalation() {
    let (_, f) = with_targets(allow(json!(["iam:PassRole", "lambda:CreateFunction"])));
    none(&f, PRIVESC);
    let (inv, f) = with_targets(allow(json!([
        "iam:PassRole",
        "lambda:CreateFunction",
        "lambda:InvokeFunction"
    ])));
    one(&f, PRIVESC);
    assert_eq!(methods(&inv), ["PassExistingRoleToNewLambdaThenInvoke"]);
    none(&run(&clean()), PRIVESC);
}

#[test]
fn wildcards_and_case_insensitive_actions() {
    // Group and role policy writes count only on a group or role that reaches dev: none here.
    let (inv, _) = with_user_policy(allow(json!("iam:Put*")));
    assert_eq!(methods(&inv), ["PutUserPolicy"]);
    let (inv, f) = with_user_policy(allow(json!("IAM:createaccesskey")));
    assert_eq!(methods(&inv), ["CreateAccessKey"]);
    assert!(one(&f, PRIVESC).title.contains("iam:CreateAccessKey"));
    let (inv, _) = with_targets(allow(json!("iam:*")));
    let m = methods(&inv);
    for want in [
        "AttachUserPolicy",
        "PutUserPolicy",
        "UpdateRolePolicyToAssumeIt",
        "CreateUserWithAdminPolicy",
        "CreateAccessKey",
    ] {
        assert!(m.contains(&want), "{want}: {m:?}");
    }
}

#[test]
fn not_action_allow_grants_the_rest() {
    let (inv, f) = with_user_policy(json!({"Statement": [{"Effect": "Allow",
        "NotAction": ["s3:*", "ec2:*"], "Resource": "*"}]}));
    let m = methods(&inv);
    assert!(m.contains(&"AttachUserPolicy"));
    assert!(!m.contains(&"CreateEC2WithExistingInstanceProfile"));
    one(&f, PRIVESC);
    // NotAction covering IAM leaves no IAM path.
    let (inv, _) = with_user_policy(json!({"Statement": [{"Effect": "Allow",
        "NotAction": ["iam:*", "lambda:*"], "Resource": "*"}]}));
    assert!(methods(&inv).is_empty(), "{:?}", methods(&inv));
}

#[test]
fn explicit_deny_overrides_allow() {
    let (inv, f) = with_user_policy(json!({"Statement": [
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["iam:Put*", "iam:Attach*", "iam:Create*", "iam:Update*",
            "iam:SetDefaultPolicyVersion", "iam:AddUserToGroup"], "Resource": "*"}
    ]}));
    assert!(methods(&inv).is_empty(), "{:?}", methods(&inv));
    none(&f, PRIVESC);
    // A Deny through a NotAction (deny everything but reads) also counts.
    let (inv, _) = with_user_policy(json!({"Statement": [
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": ["iam:Get*", "iam:List*"], "Resource": "*"}
    ]}));
    assert!(methods(&inv).is_empty());
}

#[test]
fn conditional_or_scoped_deny_does_not_close_the_path() {
    let (inv, _) = with_user_policy(json!({"Statement": [
        {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}},
        {"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::*:user/admin"}
    ]}));
    assert_eq!(methods(&inv), ["CreateAccessKey"]);
}

#[test]
fn self_service_credential_management_is_not_escalation() {
    // The baseline's group grants CreateAccessKey/UpdateLoginProfile on ${aws:username} only.
    assert!(
        policy::escalation_paths(&clean(), &format!("arn:aws:iam::{ACCT}:user/alice")).is_empty()
    );
    let (inv, _) = with_user_policy(json!({"Statement": [{"Effect": "Allow",
        "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::*:user/*"}]}));
    assert_eq!(methods(&inv), ["CreateAccessKey"]);
}

#[test]
fn group_policies_count_for_members() {
    let mut inv = clean();
    add_service_targets(&mut inv);
    inv.group_detail_list[0].group_policy_list.push(inline(
        "pass",
        allow(json!(["iam:PassRole", "cloudformation:CreateStack"])),
    ));
    let f = run(&inv);
    let x = one(&f, PRIVESC);
    assert!(
        x.description.contains("pass (inline, via group devs)"),
        "{}",
        x.description
    );
}

#[test]
fn permissions_boundary_limits_paths() {
    let mut inv = clean();
    let mut u = user("dev");
    u.user_policy_list = vec![inline("p", allow(json!("iam:*")))];
    u.permissions_boundary = Some(attached(
        "Boundary",
        &format!("arn:aws:iam::{ACCT}:policy/Boundary"),
    ));
    inv.user_detail_list.push(u);
    inv.policies.push(managed(
        "Boundary",
        allow(json!(["iam:CreateAccessKey", "s3:*"])),
        0,
    ));
    assert_eq!(methods(&inv), ["CreateAccessKey"]);
}

#[test]
fn admins_are_reported_as_admin_not_privesc() {
    // AdministratorAccess via a group; the document is not in the inventory (built-in fallback).
    let mut inv = clean();
    inv.group_detail_list[0]
        .attached_managed_policies
        .push(aws_policy("AdministratorAccess"));
    let f = run(&inv);
    let x = one(&f, ADMIN);
    assert_eq!(
        x.title,
        "User alice has full administrator rights (via AdministratorAccess (managed, via group devs))"
    );
    none(&f, PRIVESC);
    assert!(policy::is_admin(
        &inv,
        &format!("arn:aws:iam::{ACCT}:user/alice")
    ));
    assert!(policy::escalation_paths(&inv, &format!("arn:aws:iam::{ACCT}:user/alice")).is_empty());
    none(&run(&clean()), ADMIN);
}

#[test]
fn admin_with_hard_iam_deny_is_not_admin() {
    let (inv, f) = with_targets(json!({"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
    ]}));
    assert!(!policy::is_admin(&inv, &dev_arn()));
    // The only admins are the target roles.
    assert!(
        only(&f, ADMIN)
            .iter()
            .all(|x| x.resources[0].arn != dev_arn())
    );
    // IAM is closed, but lambda code replacement (and the other existing-resource methods on
    // the admin roles trusting a service) remain.
    let m = methods(&inv);
    assert!(m.contains(&"EditExistingLambdaFunctionWithRole"), "{m:?}");
    for id in &m {
        let method = policy::catalog().iter().find(|x| x.id == *id).unwrap();
        assert!(
            method.actions.iter().all(|a| !a.action.starts_with("iam:")),
            "{id} needs IAM"
        );
    }
    // A conditional Deny leaves the admin an admin.
    let (inv, f) = with_user_policy(json!({"Statement": [
        {"Effect": "Allow", "Action": "*:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
    ]}));
    assert!(policy::is_admin(&inv, &dev_arn()));
    assert_eq!(only(&f, ADMIN).len(), 1);
}

#[test]
fn unknown_principal_has_no_paths() {
    assert!(policy::escalation_paths(&clean(), "arn:aws:iam::1:user/nobody").is_empty());
    assert!(!policy::is_admin(&clean(), "arn:aws:iam::1:user/nobody"));
}

#[test]
fn roles_get_privesc_and_service_linked_roles_are_skipped() {
    let mut inv = clean();
    inv.role_detail_list[0]
        .role_policy_list
        .push(inline("p", allow(json!("iam:AttachRolePolicy"))));
    inv.role_detail_list[1]
        .role_policy_list
        .push(inline("p", allow(json!("*"))));
    let f = run(&inv);
    assert_eq!(one(&f, PRIVESC).resources[0].name, "support");
    none(&f, ADMIN);
}
