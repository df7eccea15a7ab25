//! Posture tests: trust policies.

use super::*;

fn run_trust(trust: Value) -> Vec<Finding> {
    let mut inv = clean();
    inv.role_detail_list.push(role("shared", trust));
    run(&inv)
}

#[test]
fn trust_anyone_without_condition_is_critical() {
    let f = run_trust(trust_stmt(json!("*"), None));
    let x = one(&f, TRUST_ANY);
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(
        x.title,
        "Role shared can be assumed by any AWS principal (with no condition)"
    );
    let f = run_trust(trust_stmt(json!({"AWS": "*"}), None));
    assert_eq!(one(&f, TRUST_ANY).severity, Severity::Critical);
    none(&f, TRUST_EXTERNAL);
}

#[test]
fn trust_anyone_with_weak_or_strong_conditions() {
    let f = run_trust(trust_stmt(
        json!({"AWS": ["*"]}),
        Some(json!({"StringEquals": {"sts:ExternalId": "abc"}})),
    ));
    assert_eq!(one(&f, TRUST_ANY).severity, Severity::High);
    let f = run_trust(trust_stmt(
        json!({"AWS": "*"}),
        Some(json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})),
    ));
    none(&f, TRUST_ANY);
    // A wildcard org id restricts nothing.
    let f = run_trust(trust_stmt(
        json!("*"),
        Some(json!({"StringLike": {"aws:PrincipalOrgID": "*"}})),
    ));
    one(&f, TRUST_ANY);
}

#[test]
fn cross_account_trust_without_mfa() {
    let f = run_trust(trust_stmt(json!({"AWS": "444455556666"}), None));
    let x = one(&f, TRUST_EXTERNAL);
    assert_eq!(x.severity, Severity::Medium);
    assert!(x.title.contains("account 444455556666"), "{}", x.title);
    // Principal as a list mixing own and foreign accounts.
    let f = run_trust(trust_stmt(
        json!({"AWS": [format!("arn:aws:iam::{ACCT}:root"), "arn:aws:iam::444455556666:role/x"]}),
        None,
    ));
    let x = one(&f, TRUST_EXTERNAL);
    assert_eq!(
        x.records[0].raw["evidence"]["principals"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Own account only: fine.
    none(
        &run_trust(trust_stmt(
            json!({"AWS": format!("arn:aws:iam::{ACCT}:role/ops")}),
            None,
        )),
        TRUST_EXTERNAL,
    );
    // Services: fine.
    none(
        &run_trust(trust_stmt(json!({"Service": ["ec2.amazonaws.com"]}), None)),
        TRUST_EXTERNAL,
    );
}

#[test]
fn bool_mfa_counts_but_bool_if_exists_does_not() {
    let p = json!({"AWS": "arn:aws:iam::444455556666:root"});
    none(
        &run_trust(trust_stmt(p.clone(), Some(mfa_cond()))),
        TRUST_EXTERNAL,
    );
    none(
        &run_trust(trust_stmt(
            p.clone(),
            Some(json!({"Bool": {"aws:MultiFactorAuthPresent": true}})),
        )),
        TRUST_EXTERNAL,
    );
    none(
        &run_trust(trust_stmt(
            p.clone(),
            Some(json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})),
        )),
        TRUST_EXTERNAL,
    );
    one(
        &run_trust(trust_stmt(
            p.clone(),
            Some(json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})),
        )),
        TRUST_EXTERNAL,
    );
    one(
        &run_trust(trust_stmt(
            p,
            Some(json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}})),
        )),
        TRUST_EXTERNAL,
    );
}

#[test]
fn third_party_with_external_id_is_fine() {
    let p = json!({"AWS": "arn:aws:iam::999988887777:root"});
    none(
        &run_trust(trust_stmt(
            p.clone(),
            Some(json!({"StringEquals": {"sts:ExternalId": "vendor-123"}})),
        )),
        TRUST_EXTERNAL,
    );
    // A negated ExternalId test is no protection.
    one(
        &run_trust(trust_stmt(
            p,
            Some(json!({"StringNotEquals": {"sts:ExternalId": "x"}})),
        )),
        TRUST_EXTERNAL,
    );
}

#[test]
fn cross_account_trust_on_admin_role_is_high() {
    let mut inv = clean();
    let mut r = role("admin-x", trust_stmt(json!({"AWS": "444455556666"}), None));
    r.attached_managed_policies = vec![aws_policy("AdministratorAccess")];
    inv.role_detail_list.push(r);
    let f = run(&inv);
    let x = one(&f, TRUST_EXTERNAL);
    assert_eq!(x.severity, Severity::High);
    assert!(x.title.starts_with("Admin role admin-x trusts"));
    one(&f, ADMIN);
}

#[test]
fn federated_trust_needs_subject_or_saml_condition() {
    let gh = format!("arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com");
    let web = |c: Option<Value>| {
        let mut d = trust_stmt(json!({"Federated": gh.clone()}), c);
        d["Statement"][0]["Action"] = json!("sts:AssumeRoleWithWebIdentity");
        d
    };
    let f = run_trust(web(Some(
        json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}),
    )));
    assert!(one(&f, TRUST_EXTERNAL).title.contains("federated"));
    none(
        &run_trust(web(Some(
            json!({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}),
        ))),
        TRUST_EXTERNAL,
    );
    let saml = format!("arn:aws:iam::{ACCT}:saml-provider/Okta");
    let mut d = trust_stmt(
        json!({"Federated": saml.clone()}),
        Some(json!({"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})),
    );
    d["Statement"][0]["Action"] = json!("sts:AssumeRoleWithSAML");
    none(&run_trust(d), TRUST_EXTERNAL);
    let mut d = trust_stmt(json!({"Federated": saml}), None);
    d["Statement"][0]["Action"] = json!("sts:AssumeRoleWithSAML");
    one(&run_trust(d), TRUST_EXTERNAL);
}

#[test]
fn deny_trust_statements_are_ignored() {
    let d =
        json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}]});
    let f = run_trust(d);
    none(&f, TRUST_ANY);
    none(&f, TRUST_EXTERNAL);
}

/// A role trusting an account missing from the organization's account list: outside the
/// organization when the list was read from Organizations, not known when it is the config's
/// `[org] accounts` fallback (which may name only some of the organization's accounts).
#[test]
fn outside_the_organization_only_when_organizations_listed_the_accounts() {
    use crate::model::org::{AccountRef, OrgMembership};
    let mut inv = clean();
    inv.role_detail_list.push(role(
        "partner",
        trust_stmt(json!({"AWS": "arn:aws:iam::999988887777:root"}), None),
    ));
    let cfg = PostureConfig::default();
    let member = |org_id: Option<&str>| OrgMembership {
        organization_id: org_id.map(str::to_string),
        management_account: None,
        ou_path: String::new(),
        accounts: vec![AccountRef {
            id: ACCT.into(),
            name: "this".into(),
        }],
        scps: None,
        scp_error: None,
    };
    let run_org = |m: &OrgMembership| {
        crate::posture::evaluate_with(
            &PostureInput {
                org: Some(m),
                ..input(Some(&inv), &cfg)
            },
            &[crate::posture::rules::ORG_TRUST_OUTSIDE],
        )
    };
    let f = run_org(&member(Some("o-abc")));
    let outside = one(&f, crate::posture::rules::ORG_TRUST_OUTSIDE);
    assert!(outside.title.contains("999988887777"), "{}", outside.title);
    let f = run_org(&member(None));
    none(&f, crate::posture::rules::ORG_TRUST_OUTSIDE);
}
