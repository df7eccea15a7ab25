//! Posture rule tests: each rule against a clean baseline account (negative) and a minimal
//! change that breaks it (positive), all at a fixed `now`.

use crate::model::{
    AccessKey, AccessKeyLastUsed, AttachedPolicy, Control, CredentialReportRow, IamGroup, IamRole,
    IamUser, InlinePolicy, LoginProfile, ManagedPolicy, MfaDevice, PasswordPolicy, RootAccount,
    ServerCertificate, Tag, framework,
};
use crate::posture::policy::{self, glob_match, parse_document};
use crate::posture::rules::*;
use crate::posture::*;
use chrono::{Duration, TimeZone};

const ACCT: &str = "111122223333";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap()
}

fn ago(days: i64) -> DateTime<Utc> {
    now() - Duration::days(days)
}

fn user(name: &str) -> IamUser {
    IamUser {
        user_name: name.into(),
        user_id: format!("AIDA{}", name.to_uppercase()),
        arn: format!("arn:aws:iam::{ACCT}:user/{name}"),
        path: "/".into(),
        create_date: ago(400),
        password_last_used: None,
        tags: vec![Tag {
            key: "owner".into(),
            value: "platform-team".into(),
        }],
        group_list: vec![],
        attached_managed_policies: vec![],
        user_policy_list: vec![],
        permissions_boundary: None,
        access_keys: vec![],
        mfa_devices: vec![],
        login_profile: None,
    }
}

fn key(id: &str, created: i64, used: Option<i64>) -> AccessKey {
    AccessKey {
        access_key_id: id.into(),
        status: "Active".into(),
        create_date: ago(created),
        last_used: Some(AccessKeyLastUsed {
            last_used_date: used.map(ago),
            service_name: Some(if used.is_some() { "s3" } else { "N/A" }.into()),
            region: None,
        }),
    }
}

fn mfa(name: &str) -> MfaDevice {
    MfaDevice {
        serial_number: format!("arn:aws:iam::{ACCT}:mfa/{name}"),
        enable_date: ago(300),
    }
}

fn login(created: i64) -> Option<LoginProfile> {
    Some(LoginProfile {
        create_date: ago(created),
        password_reset_required: false,
    })
}

fn attached(name: &str, arn: &str) -> AttachedPolicy {
    AttachedPolicy {
        policy_name: name.into(),
        policy_arn: arn.into(),
    }
}

fn aws_policy(name: &str) -> AttachedPolicy {
    attached(name, &format!("arn:aws:iam::aws:policy/{name}"))
}

fn inline(name: &str, doc: Value) -> InlinePolicy {
    InlinePolicy {
        policy_name: name.into(),
        policy_document: doc,
    }
}

fn allow(actions: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
}

fn managed(name: &str, doc: Value, count: i32) -> ManagedPolicy {
    ManagedPolicy {
        policy_name: name.into(),
        policy_id: format!("ANPA{}", name.to_uppercase()),
        arn: format!("arn:aws:iam::{ACCT}:policy/{name}"),
        path: "/".into(),
        default_version_id: "v1".into(),
        attachment_count: count,
        is_attachable: true,
        create_date: ago(500),
        update_date: ago(500),
        description: None,
        document: doc,
    }
}

fn role(name: &str, trust: Value) -> IamRole {
    IamRole {
        role_name: name.into(),
        role_id: format!("AROA{}", name.to_uppercase()),
        arn: format!("arn:aws:iam::{ACCT}:role/{name}"),
        path: "/".into(),
        create_date: ago(500),
        description: None,
        max_session_duration: None,
        assume_role_policy_document: trust,
        tags: vec![],
        attached_managed_policies: vec![],
        role_policy_list: vec![],
        permissions_boundary: None,
        role_last_used: None,
    }
}

fn trust_stmt(principal: Value, condition: Option<Value>) -> Value {
    let mut s = json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
    if let Some(c) = condition {
        s["Condition"] = c;
    }
    json!({"Version": "2012-10-17", "Statement": [s]})
}

fn mfa_cond() -> Value {
    json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})
}

fn root_row() -> CredentialReportRow {
    CredentialReportRow {
        user: "<root_account>".into(),
        arn: format!("arn:aws:iam::{ACCT}:root"),
        user_creation_time: ago(2000).to_rfc3339(),
        password_enabled: "not_supported".into(),
        password_last_used: ago(200).to_rfc3339(),
        password_last_changed: "not_supported".into(),
        password_next_rotation: "not_supported".into(),
        mfa_active: "true".into(),
        access_key_1_active: "false".into(),
        access_key_1_last_rotated: "N/A".into(),
        access_key_1_last_used_date: "N/A".into(),
        access_key_1_last_used_region: "N/A".into(),
        access_key_1_last_used_service: "N/A".into(),
        access_key_2_active: "false".into(),
        access_key_2_last_rotated: "N/A".into(),
        access_key_2_last_used_date: "N/A".into(),
        access_key_2_last_used_region: "N/A".into(),
        access_key_2_last_used_service: "N/A".into(),
        cert_1_active: "false".into(),
        cert_1_last_rotated: "N/A".into(),
        cert_2_active: "false".into(),
        cert_2_last_rotated: "N/A".into(),
    }
}

/// A well-run account: no rule fires.
fn clean() -> IamInventory {
    let mut alice = user("alice");
    alice.login_profile = login(300);
    alice.password_last_used = Some(ago(2));
    alice.mfa_devices = vec![mfa("alice")];
    alice.group_list = vec!["devs".into()];
    alice.access_keys = vec![key("AKIAALICE0000000001", 30, Some(1))];
    let devs = IamGroup {
        group_name: "devs".into(),
        group_id: "AGPADEVS".into(),
        arn: format!("arn:aws:iam::{ACCT}:group/devs"),
        path: "/".into(),
        create_date: ago(500),
        attached_managed_policies: vec![attached(
            "ReadOnlyish",
            &format!("arn:aws:iam::{ACCT}:policy/ReadOnlyish"),
        )],
        group_policy_list: vec![inline(
            "self-service",
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": ["iam:CreateAccessKey", "iam:UpdateLoginProfile", "iam:ListAccessKeys"],
                "Resource": "arn:aws:iam::*:user/${aws:username}"}]}),
        )],
    };
    let mut support = role(
        "support",
        trust_stmt(json!({"AWS": format!("arn:aws:iam::{ACCT}:root")}), None),
    );
    support.attached_managed_policies = vec![aws_policy("AWSSupportAccess")];
    let mut linked = role(
        "AWSServiceRoleForSupport",
        trust_stmt(json!({"Service": "support.amazonaws.com"}), None),
    );
    linked.path = "/aws-service-role/support.amazonaws.com/".into();
    IamInventory {
        account_id: ACCT.into(),
        user_detail_list: vec![alice],
        group_detail_list: vec![devs],
        role_detail_list: vec![support, linked],
        policies: vec![managed(
            "ReadOnlyish",
            allow(json!(["s3:Get*", "ec2:Describe*"])),
            1,
        )],
        password_policy: Some(PasswordPolicy {
            minimum_password_length: Some(14),
            password_reuse_prevention: Some(24),
            ..Default::default()
        }),
        summary_map: Default::default(),
        root: RootAccount {
            account_mfa_enabled: true,
            account_access_keys_present: false,
            virtual_mfa: false,
            password_last_used: Some(ago(200)),
        },
        server_certificates: vec![ServerCertificate {
            server_certificate_name: "www".into(),
            server_certificate_id: "ASCAWWW".into(),
            arn: format!("arn:aws:iam::{ACCT}:server-certificate/www"),
            upload_date: ago(100),
            expiration: now() + Duration::days(200),
        }],
        credential_report: vec![root_row()],
    }
}

fn run(inv: &IamInventory) -> Vec<Finding> {
    run_cfg(inv, &PostureConfig::default())
}

fn run_cfg(inv: &IamInventory, cfg: &PostureConfig) -> Vec<Finding> {
    evaluate(&input(Some(inv), cfg))
}

/// The posture input of account `ACCT` with `iam` alone: no regions, baseline facts, services
/// or organization (a test sets what it needs with `..input(...)`).
fn input<'a>(iam: Option<&'a IamInventory>, cfg: &'a PostureConfig) -> PostureInput<'a> {
    PostureInput {
        account: ACCT,
        regions: &[],
        iam,
        ec2: &[],
        trails: &[],
        recorders: &[],
        monitoring: &[],
        s3: None,
        contacts: None,
        services: &[],
        now: now(),
        config: cfg,
        org: None,
    }
}

fn kinds(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.kind.as_str()).collect()
}

fn only<'a>(f: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    f.iter().filter(|x| x.kind == rule).collect()
}

fn one<'a>(f: &'a [Finding], rule: &str) -> &'a Finding {
    let v = only(f, rule);
    assert_eq!(v.len(), 1, "expected one {rule}, got {:?}", kinds(f));
    v[0]
}

fn none(f: &[Finding], rule: &str) {
    assert!(
        only(f, rule).is_empty(),
        "unexpected {rule}: {:#?}",
        only(f, rule)
    );
}

fn alice(inv: &mut IamInventory) -> &mut IamUser {
    &mut inv.user_detail_list[0]
}

mod baseline;
mod break_glass;
mod escalation;
mod evaluation;
mod inactive;
mod matching;
mod password;
mod policies;
mod robustness;
mod root;
mod services;
mod trust;
mod unparseable;
mod users;
mod wildcards;
