//! Posture rule tests: each rule against a clean baseline account (negative) and a minimal
//! change that breaks it (positive), all at a fixed `now`.

use super::policy::{self, glob_match, parse_document};
use super::rules::*;
use super::*;
use crate::model::{
    AccessKey, AccessKeyLastUsed, AttachedPolicy, Control, CredentialReportRow, IamGroup, IamRole,
    IamUser, InlinePolicy, LoginProfile, ManagedPolicy, MfaDevice, PasswordPolicy, RootAccount,
    ServerCertificate, Tag, framework,
};
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
    evaluate(&PostureInput {
        account: ACCT,
        regions: &[],
        iam: Some(inv),
        services: &[],
        now: now(),
        config: cfg,
    })
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

// ---------------------------------------------------------------- baseline and shape

#[test]
fn clean_account_has_no_findings() {
    let f = run(&clean());
    assert!(f.is_empty(), "{:#?}", kinds(&f));
}

#[test]
fn finding_shape_follows_conventions() {
    let mut inv = clean();
    alice(&mut inv).access_keys = vec![key("AKIAOLD", 412, Some(1))];
    let f = run(&inv);
    let x = one(&f, KEY_ROTATION);
    let arn = format!("arn:aws:iam::{ACCT}:user/alice");
    assert_eq!(x.id, format!("po:iam.user.access-key-not-rotated:{arn}"));
    assert_eq!(x.source, Source::Posture);
    assert_eq!(x.product, "guardpost");
    assert_eq!(x.region, "global");
    assert_eq!(x.account, ACCT);
    assert_eq!(x.control_id.as_deref(), Some("IAM.3"));
    assert!(
        x.controls
            .contains(&Control::new(framework::CIS_3_0, "1.14"))
    );
    assert!(x.controls.contains(&Control::new(framework::FSBP, "IAM.3")));
    assert_eq!(x.resources[0].kind, "AwsIamUser");
    assert_eq!(x.resources[0].arn, arn);
    assert_eq!((x.first_seen, x.last_seen), (now(), now()));
    assert_eq!(x.workflow, Workflow::New);
    assert_eq!(x.compliance, Some(ComplianceStatus::Failed));
    assert!(x.remediation.is_some());
    assert_eq!(x.records.len(), 1);
    let rec = &x.records[0];
    assert_eq!(rec.source, Source::Posture);
    assert_eq!(rec.id, format!("iam.user.access-key-not-rotated:{arn}"));
    assert_eq!(rec.product_arn, None);
    assert_eq!(rec.raw["rule"], "iam.user.access-key-not-rotated");
    assert_eq!(rec.raw["evidence"]["keys"][0]["age_days"], 412);
}

#[test]
fn rule_without_fsbp_control_uses_rule_id_as_control_id() {
    let mut inv = clean();
    alice(&mut inv).tags.clear();
    let f = run(&inv);
    assert_eq!(one(&f, NO_OWNER).control_id.as_deref(), Some(NO_OWNER));
}

#[test]
fn output_is_sorted_by_rule_then_resource_and_deterministic() {
    let mut inv = clean();
    inv.password_policy = None;
    inv.root.account_access_keys_present = true;
    let mut bob = user("bob");
    bob.tags.clear();
    let mut carol = user("carol");
    carol.tags.clear();
    inv.user_detail_list.insert(0, carol);
    inv.user_detail_list.push(bob);
    let f = run(&inv);
    let keys: Vec<(String, String)> = f
        .iter()
        .map(|x| (x.kind.clone(), x.resources[0].arn.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(f, run(&inv));
    let owners: Vec<&str> = only(&f, NO_OWNER)
        .iter()
        .map(|x| x.resources[0].name.as_str())
        .collect();
    assert_eq!(owners, ["bob", "carol"]);
}

#[test]
fn catalog_is_complete_and_ids_unique() {
    let mut ids: Vec<&str> = rules().iter().map(|r| r.id).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n);
    for r in rules() {
        assert!(!r.title.is_empty() && !r.rationale.is_empty() && !r.remediation.is_empty());
    }
    assert_eq!(rule(CONSOLE_NO_MFA).unwrap().control_id(), "IAM.5");
    assert_eq!(rule(GD_DISABLED).unwrap().control_id(), "GuardDuty.1");
    assert_eq!(rule(SH_DISABLED).unwrap().control_id(), SH_DISABLED);
}

#[test]
fn no_inventory_runs_only_service_rules() {
    let cfg = PostureConfig::default();
    let f = evaluate(&PostureInput {
        account: ACCT,
        regions: &["us-east-1".to_string()],
        iam: None,
        services: &[],
        now: now(),
        config: &cfg,
    });
    assert!(f.is_empty());
}

// ---------------------------------------------------------------- root (CIS 1.4-1.7)

#[test]
fn root_access_key_from_summary_or_report() {
    let mut inv = clean();
    inv.root.account_access_keys_present = true;
    let f = run(&inv);
    let x = one(&f, ROOT_ACCESS_KEY);
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(x.resources[0].arn, format!("arn:aws:iam::{ACCT}:root"));
    assert_eq!(x.resources[0].kind, "AwsAccount");
    assert_eq!(x.control_id.as_deref(), Some("IAM.4"));

    let mut inv = clean();
    inv.credential_report[0].access_key_2_active = "true".into();
    one(&run(&inv), ROOT_ACCESS_KEY);

    none(&run(&clean()), ROOT_ACCESS_KEY);
}

#[test]
fn root_without_mfa() {
    let mut inv = clean();
    inv.root.account_mfa_enabled = false;
    inv.credential_report[0].mfa_active = "false".into();
    let f = run(&inv);
    one(&f, ROOT_NO_MFA);
    // No MFA at all is one finding, not also a "not hardware" one.
    none(&f, ROOT_NO_HARDWARE_MFA);

    // The report's mfa_active alone is enough evidence of MFA.
    let mut inv = clean();
    inv.root.account_mfa_enabled = false;
    none(&run(&inv), ROOT_NO_MFA);
}

#[test]
fn root_virtual_mfa_is_not_hardware() {
    let mut inv = clean();
    inv.root.virtual_mfa = true;
    let f = run(&inv);
    assert_eq!(
        one(&f, ROOT_NO_HARDWARE_MFA).control_id.as_deref(),
        Some("IAM.6")
    );
    none(&f, ROOT_NO_MFA);
    none(&run(&clean()), ROOT_NO_HARDWARE_MFA);
}

#[test]
fn root_recent_use_from_report_row() {
    let mut inv = clean();
    inv.credential_report[0].password_last_used = ago(10).to_rfc3339();
    let f = run(&inv);
    let x = one(&f, ROOT_RECENT_USE);
    assert!(x.title.contains("10 days ago"), "{}", x.title);
    assert_eq!(x.records[0].raw["evidence"]["credential"], "password");
}

#[test]
fn root_recent_use_by_access_key() {
    let mut inv = clean();
    inv.credential_report[0].access_key_1_last_used_date = ago(5).to_rfc3339();
    let f = run(&inv);
    let x = one(&f, ROOT_RECENT_USE);
    assert!(x.title.contains("access key 1"), "{}", x.title);
}

#[test]
fn root_recent_use_from_root_account_facts() {
    let mut inv = clean();
    inv.credential_report.clear();
    inv.root.password_last_used = Some(ago(3));
    one(&run(&inv), ROOT_RECENT_USE);
}

#[test]
fn root_not_recently_used_or_no_information() {
    let mut inv = clean();
    inv.root.password_last_used = None;
    inv.credential_report[0].password_last_used = "no_information".into();
    inv.credential_report[0].access_key_1_last_used_date = "N/A".into();
    none(&run(&inv), ROOT_RECENT_USE);
    // 200 days ago (the baseline) is outside the 90-day window.
    none(&run(&clean()), ROOT_RECENT_USE);
    // A non-root row used yesterday is not root use.
    let mut inv = clean();
    let mut row = root_row();
    row.user = "alice".into();
    row.password_last_used = ago(1).to_rfc3339();
    inv.credential_report.push(row);
    none(&run(&inv), ROOT_RECENT_USE);
}

// ---------------------------------------------------------------- password policy (1.8, 1.9)

#[test]
fn no_password_policy_fails_length_and_reuse() {
    let mut inv = clean();
    inv.password_policy = None;
    let f = run(&inv);
    assert!(one(&f, PW_MIN_LENGTH).title.contains("no password policy"));
    one(&f, PW_REUSE);
}

#[test]
fn short_password_length() {
    let mut inv = clean();
    inv.password_policy
        .as_mut()
        .unwrap()
        .minimum_password_length = Some(8);
    let f = run(&inv);
    let x = one(&f, PW_MIN_LENGTH);
    assert_eq!(
        x.title,
        "Password policy allows 8-character passwords (minimum 14)"
    );
    assert_eq!(x.control_id.as_deref(), Some("IAM.15"));
    none(&f, PW_REUSE);
    none(&run(&clean()), PW_MIN_LENGTH);
}

#[test]
fn password_reuse_prevention() {
    let mut inv = clean();
    inv.password_policy
        .as_mut()
        .unwrap()
        .password_reuse_prevention = Some(5);
    one(&run(&inv), PW_REUSE);
    inv.password_policy
        .as_mut()
        .unwrap()
        .password_reuse_prevention = None;
    assert_eq!(
        one(&run(&inv), PW_REUSE).title,
        "Password policy allows password reuse"
    );
    none(&run(&clean()), PW_REUSE);
}

// ---------------------------------------------------------------- users (1.10-1.15)

#[test]
fn console_user_without_mfa() {
    let mut inv = clean();
    alice(&mut inv).mfa_devices.clear();
    let f = run(&inv);
    let x = one(&f, CONSOLE_NO_MFA);
    assert_eq!(x.title, "User alice can sign in to the console without MFA");
    assert_eq!(x.control_id.as_deref(), Some("IAM.5"));
    // No console password: no MFA needed for this rule.
    alice(&mut inv).login_profile = None;
    none(&run(&inv), CONSOLE_NO_MFA);
    none(&run(&clean()), CONSOLE_NO_MFA);
}

#[test]
fn console_user_with_never_used_key() {
    let mut inv = clean();
    alice(&mut inv).access_keys.push(key("AKIANEVER", 20, None));
    let f = run(&inv);
    assert!(one(&f, INITIAL_KEY).title.contains("AKIANEVER"));
    // Not a console user: the rule does not apply.
    alice(&mut inv).login_profile = None;
    none(&run(&inv), INITIAL_KEY);
    none(&run(&clean()), INITIAL_KEY);
}

fn run_opt_in(inv: &IamInventory) -> Vec<Finding> {
    evaluate_with(
        &PostureInput {
            account: ACCT,
            regions: &[],
            iam: Some(inv),
            services: &[],
            now: now(),
            config: &PostureConfig::default(),
        },
        OPT_IN_RULES,
    )
}

#[test]
fn user_access_key_is_opt_in() {
    // clean(): alice has one active key. The default set never reports it.
    none(&run(&clean()), USER_ACCESS_KEY);
    assert!(!is_default(USER_ACCESS_KEY) && rule(USER_ACCESS_KEY).is_some());
    assert!(is_default(KEY_ROTATION) && !is_default("no.such.rule"));
    let f = run_opt_in(&clean());
    let x = one(&f, USER_ACCESS_KEY);
    assert_eq!(x.resources[0].name, "alice");
    assert_eq!(x.control_id.as_deref(), Some(USER_ACCESS_KEY));
    assert_eq!(
        x.title,
        "User alice has 1 access key(s), 1 active (AKIAALICE0000000001)"
    );
    // Asking for opt-in rules changes nothing else.
    let rest: Vec<Finding> = f
        .into_iter()
        .filter(|x| x.kind != USER_ACCESS_KEY)
        .collect();
    assert_eq!(rest, run(&clean()));
}

#[test]
fn user_access_key_counts_inactive_keys_and_not_keyless_users() {
    let mut inv = clean();
    alice(&mut inv).access_keys.clear();
    none(&run_opt_in(&inv), USER_ACCESS_KEY);
    let mut k = key("AKIAOFF", 20, None);
    k.status = "Inactive".into();
    alice(&mut inv).access_keys.push(k);
    let f = run_opt_in(&inv);
    let x = one(&f, USER_ACCESS_KEY);
    assert!(x.title.contains("0 active (AKIAOFF)"), "{}", x.title);
    let rec = &x.records[0].raw["evidence"]["keys"][0];
    assert_eq!(rec["status"], "Inactive");
}

#[test]
fn inactive_never_used_key_is_not_initial_key() {
    let mut inv = clean();
    let mut k = key("AKIANEVER", 20, None);
    k.status = "Inactive".into();
    alice(&mut inv).access_keys.push(k);
    none(&run(&inv), INITIAL_KEY);
}

#[test]
fn credential_report_fills_key_last_used() {
    let mut inv = clean();
    let mut k = key("AKIAREPORT", 20, None);
    k.last_used = None;
    let created = k.create_date;
    alice(&mut inv).access_keys = vec![k];
    let mut row = root_row();
    row.user = "alice".into();
    row.arn = format!("arn:aws:iam::{ACCT}:user/alice");
    row.access_key_1_active = "true".into();
    row.access_key_1_last_rotated = created.to_rfc3339();
    row.access_key_1_last_used_date = ago(2).to_rfc3339();
    inv.credential_report.push(row);
    none(&run(&inv), INITIAL_KEY);
    // With `N/A` in the report the key counts as never used.
    inv.credential_report[1].access_key_1_last_used_date = "N/A".into();
    one(&run(&inv), INITIAL_KEY);
}

#[test]
fn unused_password_and_key() {
    let mut inv = clean();
    let a = alice(&mut inv);
    a.password_last_used = Some(ago(60));
    a.access_keys = vec![key("AKIASTALE", 80, Some(50))];
    let f = run(&inv);
    let x = one(&f, UNUSED_CREDS);
    assert!(
        x.title.contains("console password unused for 60 days"),
        "{}",
        x.title
    );
    assert!(
        x.title.contains("key AKIASTALE unused for 50 days"),
        "{}",
        x.title
    );
    assert_eq!(x.control_id.as_deref(), Some("IAM.22"));
    none(&run(&clean()), UNUSED_CREDS);
}

#[test]
fn never_used_password_counts_from_creation() {
    let mut inv = clean();
    alice(&mut inv).password_last_used = None;
    let mut row = root_row();
    row.user = "alice".into();
    row.arn = format!("arn:aws:iam::{ACCT}:user/alice");
    row.password_enabled = "true".into();
    row.password_last_used = "no_information".into();
    inv.credential_report.push(row);
    let f = run(&inv);
    assert!(
        one(&f, UNUSED_CREDS)
            .title
            .contains("console password never used (300 days old)")
    );
    // A fresh login profile is not unused yet.
    alice(&mut inv).login_profile = login(10);
    none(&run(&inv), UNUSED_CREDS);
}

#[test]
fn unused_threshold_is_inclusive_and_ignores_inactive_keys() {
    let mut inv = clean();
    alice(&mut inv).password_last_used = Some(ago(45));
    one(&run(&inv), UNUSED_CREDS);
    alice(&mut inv).password_last_used = Some(ago(44));
    none(&run(&inv), UNUSED_CREDS);
    let mut k = key("AKIAOFF", 300, Some(200));
    k.status = "Inactive".into();
    alice(&mut inv).access_keys.push(k);
    none(&run(&inv), UNUSED_CREDS);
}

#[test]
fn more_than_one_active_key() {
    let mut inv = clean();
    alice(&mut inv)
        .access_keys
        .push(key("AKIASECOND", 10, Some(1)));
    let f = run(&inv);
    assert!(one(&f, MULTI_KEYS).title.contains("2 active access keys"));
    let mut inv = clean();
    let mut k = key("AKIASECOND", 10, Some(1));
    k.status = "Inactive".into();
    alice(&mut inv).access_keys.push(k);
    none(&run(&inv), MULTI_KEYS);
}

#[test]
fn old_key_not_rotated() {
    let mut inv = clean();
    let mut ci = user("ci-deploy");
    ci.access_keys = vec![key("AKIAIOSFODNN7EXAMPLE", 412, Some(1))];
    inv.user_detail_list.push(ci);
    let f = run(&inv);
    assert_eq!(
        one(&f, KEY_ROTATION).title,
        "User ci-deploy has an access key not rotated in 412 days (AKIAIOSFODNN7EXAMPLE)"
    );
}

#[test]
fn key_rotation_boundary_and_inactive() {
    let mut inv = clean();
    alice(&mut inv).access_keys = vec![key("AKIA90", 90, Some(1))];
    none(&run(&inv), KEY_ROTATION);
    alice(&mut inv).access_keys = vec![key("AKIA91", 91, Some(1))];
    one(&run(&inv), KEY_ROTATION);
    let mut k = key("AKIAOLD", 500, Some(400));
    k.status = "Inactive".into();
    alice(&mut inv).access_keys = vec![k];
    none(&run(&inv), KEY_ROTATION);
}

#[test]
fn two_old_keys_make_one_finding() {
    let mut inv = clean();
    alice(&mut inv).access_keys = vec![key("AKIAA", 100, Some(1)), key("AKIAB", 300, Some(1))];
    let f = run(&inv);
    assert!(
        one(&f, KEY_ROTATION)
            .title
            .contains("2 access keys not rotated in over 90 days (oldest 300 days, AKIAB)")
    );
}

#[test]
fn users_with_direct_policies() {
    let mut inv = clean();
    alice(&mut inv).attached_managed_policies = vec![aws_policy("ReadOnlyAccess")];
    let f = run(&inv);
    assert_eq!(one(&f, USER_POLICIES).control_id.as_deref(), Some("IAM.2"));
    let mut inv = clean();
    alice(&mut inv).user_policy_list = vec![inline("mine", allow(json!("s3:ListBucket")))];
    one(&run(&inv), USER_POLICIES);
    none(&run(&clean()), USER_POLICIES);
}

#[test]
fn users_without_owner_tag() {
    let mut inv = clean();
    alice(&mut inv).tags[0].value = " ".into();
    one(&run(&inv), NO_OWNER);
    let cfg = PostureConfig {
        owner_tag: "team".into(),
        ..Default::default()
    };
    one(&run_cfg(&clean(), &cfg), NO_OWNER);
    let mut inv = clean();
    alice(&mut inv).tags[0].key = "Owner".into();
    none(&run(&inv), NO_OWNER);
}

// ---------------------------------------------------------------- policies (1.16, 1.17, 1.19, 1.22)

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

// ---------------------------------------------------------------- services per region

fn status(service: &str, region: &str, enabled: bool, detail: Option<&str>) -> ServiceStatus {
    ServiceStatus {
        service: service.into(),
        region: region.into(),
        enabled,
        detail: detail.map(str::to_string),
    }
}

fn run_services(services: &[ServiceStatus]) -> Vec<Finding> {
    let cfg = PostureConfig::default();
    let regions = ["us-east-1".to_string(), "eu-west-1".to_string()];
    evaluate(&PostureInput {
        account: ACCT,
        regions: &regions,
        iam: None,
        services,
        now: now(),
        config: &cfg,
    })
}

#[test]
fn access_analyzer_unused_access_only_does_not_count() {
    let f = run_services(&[
        status(
            "access-analyzer",
            "us-east-1",
            true,
            Some("ACCOUNT_UNUSED_ACCESS"),
        ),
        status("access-analyzer", "eu-west-1", true, Some("ACCOUNT")),
    ]);
    let x = one(&f, AA_MISSING);
    assert_eq!(x.region, "us-east-1");
    assert_eq!(
        x.resources[0].arn,
        format!("arn:aws:access-analyzer:us-east-1:{ACCT}:")
    );
    assert_eq!(x.resources[0].region.as_deref(), Some("us-east-1"));
    assert_eq!(x.control_id.as_deref(), Some("IAM.28"));
    assert!(
        x.controls
            .contains(&Control::new(framework::CIS_3_0, "1.20"))
    );
    assert!(x.title.contains("only ACCOUNT_UNUSED_ACCESS"));
}

#[test]
fn access_analyzer_detail_formats() {
    let f = run_services(&[
        status(
            "access-analyzer",
            "us-east-1",
            true,
            Some("arn:aws:access-analyzer:us-east-1:111122223333:analyzer/x; type=ORGANIZATION"),
        ),
        status("access-analyzer", "eu-west-1", true, None),
    ]);
    none(&f, AA_MISSING);
    let f = run_services(&[
        status("access-analyzer", "us-east-1", false, None),
        status(
            "access-analyzer",
            "eu-west-1",
            true,
            Some("type=organization_unused_access"),
        ),
    ]);
    assert_eq!(only(&f, AA_MISSING).len(), 2);
    assert_eq!(
        super::account::analyzer_type(Some("arn:x; type=ACCOUNT")).as_deref(),
        Some("ACCOUNT")
    );
    assert_eq!(
        super::account::analyzer_type(Some("account")).as_deref(),
        Some("ACCOUNT")
    );
    assert_eq!(super::account::analyzer_type(Some("arn:aws:x")), None);
}

#[test]
fn guardduty_and_security_hub_disabled_per_region() {
    let f = run_services(&[
        status("guardduty", "us-east-1", false, None),
        status("guardduty", "eu-west-1", true, Some("detector 12ab")),
        status("securityhub", "eu-west-1", false, None),
        status("securityhub", "us-east-1", true, None),
        // Outside the selected regions: ignored.
        status("guardduty", "ap-south-1", false, None),
    ]);
    let gd = one(&f, GD_DISABLED);
    assert_eq!(gd.region, "us-east-1");
    assert_eq!(gd.control_id.as_deref(), Some("GuardDuty.1"));
    assert_eq!(
        gd.resources[0].arn,
        format!("arn:aws:guardduty:us-east-1:{ACCT}:")
    );
    let sh = one(&f, SH_DISABLED);
    assert_eq!(sh.region, "eu-west-1");
    assert_eq!(
        sh.id,
        format!("po:service.securityhub.disabled:arn:aws:securityhub:eu-west-1:{ACCT}:")
    );
}

#[test]
fn unknown_service_state_is_not_a_finding() {
    assert!(run_services(&[]).is_empty());
    let f = run_services(&[
        status("guardduty", "us-east-1", true, None),
        status("securityhub", "us-east-1", true, None),
        status("access-analyzer", "us-east-1", true, Some("ACCOUNT")),
    ]);
    assert!(f.is_empty());
}

// ---------------------------------------------------------------- unparseable documents

#[test]
fn unparseable_managed_policy_is_reported_and_rules_go_on() {
    let mut inv = clean();
    inv.policies[0].document = json!("{\"Statement\": [ oops");
    alice(&mut inv).mfa_devices.clear();
    let f = run(&inv);
    let x = one(&f, UNPARSEABLE);
    assert_eq!(
        x.resources[0].arn,
        format!("arn:aws:iam::{ACCT}:policy/ReadOnlyish")
    );
    assert_eq!(x.severity, Severity::Low);
    assert!(x.title.starts_with("Policy document could not be parsed"));
    one(&f, CONSOLE_NO_MFA);
    none(&run(&clean()), UNPARSEABLE);
}

#[test]
fn unparseable_inline_and_trust_documents() {
    let mut inv = clean();
    alice(&mut inv).user_policy_list = vec![inline("bad", json!("not json"))];
    inv.role_detail_list[0].assume_role_policy_document = json!("%7B%22Version");
    let f = run(&inv);
    let hits = only(&f, UNPARSEABLE);
    assert_eq!(hits.len(), 2);
    assert!(
        hits.iter()
            .any(|h| h.resources[0].kind == "AwsIamRole" && h.title.contains("trust policy"))
    );
    assert!(
        hits.iter()
            .any(|h| h.resources[0].kind == "AwsIamUser" && h.title.contains("bad (inline)"))
    );
}

#[test]
fn odd_documents_do_not_panic() {
    for doc in [
        json!(null),
        json!({}),
        json!([]),
        json!(42),
        json!({"Statement": 3}),
        json!({"Statement": [1, "x"]}),
        json!({"Statement": {"Effect": "Maybe", "Action": "*"}}),
        json!({"Statement": {"Effect": "Allow"}}),
        json!({"Statement": {"Effect": "Allow", "Action": [1]}}),
        json!({"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "s3:*"}}),
        json!({"Statement": {"Effect": "Allow", "Action": "*", "Principal": "someone"}}),
        json!({"Statement": {"Effect": "Allow", "Action": "*", "Principal": {"Weird": "x"}}}),
        json!({"Statement": {"Effect": "Allow", "Action": "*", "Condition": "x"}}),
        json!({"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"Bool": 1}}}),
    ] {
        assert!(parse_document(&doc).is_err(), "{doc}");
        let mut inv = clean();
        inv.policies[0].document = doc.clone();
        inv.role_detail_list[0].assume_role_policy_document = doc.clone();
        alice(&mut inv).user_policy_list = vec![inline("odd", doc)];
        let f = run(&inv);
        assert!(!only(&f, UNPARSEABLE).is_empty());
    }
    // An empty statement list parses (and grants nothing).
    assert_eq!(parse_document(&json!({"Statement": []})).unwrap().len(), 0);
}

// ---------------------------------------------------------------- policy evaluation

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
    let (inv, f) = with_user_policy(allow(json!(["iam:PassRole", "ec2:RunInstances"])));
    let x = one(&f, PRIVESC);
    assert_eq!(
        x.title,
        "User dev can escalate privileges with iam:PassRole + ec2:RunInstances (CreateEC2WithExistingInstanceProfile)"
    );
    assert_eq!(methods(&inv), ["CreateEC2WithExistingInstanceProfile"]);
    assert!(!policy::is_admin(&inv, &dev_arn()));
}

#[test]
fn passrole_alone_or_partial_combo_is_not_escalation() {
    let (_, f) = with_user_policy(allow(json!(["iam:PassRole", "lambda:CreateFunction"])));
    none(&f, PRIVESC);
    let (inv, f) = with_user_policy(allow(json!([
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
    let (inv, _) = with_user_policy(allow(json!("iam:Put*")));
    assert_eq!(
        methods(&inv),
        ["PutUserPolicy", "PutGroupPolicy", "PutRolePolicy"]
    );
    let (inv, f) = with_user_policy(allow(json!("IAM:createaccesskey")));
    assert_eq!(methods(&inv), ["CreateAccessKey"]);
    assert!(one(&f, PRIVESC).title.contains("iam:CreateAccessKey"));
    let (inv, _) = with_user_policy(allow(json!("iam:*")));
    assert!(methods(&inv).len() >= 13, "{:?}", methods(&inv));
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
    let (inv, f) = with_user_policy(json!({"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
    ]}));
    assert!(!policy::is_admin(&inv, &dev_arn()));
    none(&f, ADMIN);
    // IAM is closed, but lambda code replacement remains.
    assert_eq!(methods(&inv), ["EditExistingLambdaFunctionWithRole"]);
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

// ---------------------------------------------------------------- trust policies

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

// ---------------------------------------------------------------- break-glass users

fn break_glass_user() -> IamUser {
    let mut u = user("break-glass-1");
    u.login_profile = login(300);
    u.password_last_used = Some(ago(1));
    u.mfa_devices = vec![mfa("bg")];
    u.user_policy_list = vec![inline(
        "assume",
        json!({"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": format!("arn:aws:iam::{ACCT}:role/emergency")}}),
    )];
    u
}

#[test]
fn well_configured_break_glass_user() {
    let mut inv = clean();
    inv.user_detail_list.push(break_glass_user());
    let f = run(&inv);
    none(&f, BG_KEY);
    none(&f, BG_NO_MFA);
    none(&f, BG_EXCESS);
}

#[test]
fn break_glass_with_key_without_mfa_with_extra_permissions() {
    let mut inv = clean();
    let mut u = break_glass_user();
    u.access_keys = vec![key("AKIABG", 10, Some(1))];
    u.mfa_devices.clear();
    u.group_list = vec!["devs".into()];
    inv.user_detail_list.push(u);
    let f = run(&inv);
    assert_eq!(
        one(&f, BG_KEY).title,
        "Break-glass user break-glass-1 has an access key (AKIABG)"
    );
    one(&f, BG_NO_MFA);
    let x = one(&f, BG_EXCESS);
    assert!(
        x.title.contains("ReadOnlyish (managed, via group devs)"),
        "{}",
        x.title
    );
}

#[test]
fn break_glass_by_tag_and_wildcard_grants() {
    let mut inv = clean();
    let mut u = user("emergency-admin");
    u.mfa_devices = vec![mfa("e")];
    u.tags.push(Tag {
        key: "guardpost:break-glass".into(),
        value: "true".into(),
    });
    u.user_policy_list = vec![inline("sts", allow(json!("sts:*")))];
    inv.user_detail_list.push(u);
    let f = run(&inv);
    one(&f, BG_EXCESS);
    // The same user without the tag or a matching name is not break-glass.
    inv.user_detail_list[1].tags.pop();
    none(&run(&inv), BG_EXCESS);
    // Non-break-glass users with keys are not break-glass findings.
    none(&run(&clean()), BG_KEY);
}

// ---------------------------------------------------------------- inactive users, unused roles

/// A credential-report row for `name` with every date column "no date".
fn report_row_for(name: &str) -> CredentialReportRow {
    let mut row = root_row();
    row.user = name.into();
    row.arn = format!("arn:aws:iam::{ACCT}:user/{name}");
    row.user_creation_time = ago(400).to_rfc3339();
    row.password_enabled = "false".into();
    row.password_last_used = "N/A".into();
    row.mfa_active = "false".into();
    row
}

#[test]
fn inactive_user_from_password_and_keys() {
    let mut inv = clean();
    let a = alice(&mut inv);
    a.password_last_used = Some(ago(120));
    a.access_keys = vec![key("AKIAOLDUSE", 200, Some(95))];
    let f = run(&inv);
    let x = one(&f, INACTIVE_USER);
    assert_eq!(
        x.title,
        "User alice has been inactive for 95 days (last activity: key AKIAOLDUSE)"
    );
    assert_eq!(x.severity, Severity::Medium);
    assert_eq!(
        x.resources[0].arn,
        format!("arn:aws:iam::{ACCT}:user/alice")
    );
    assert_eq!(x.control_id.as_deref(), Some(INACTIVE_USER));
    assert_eq!(x.records[0].raw["evidence"]["days_inactive"], 95);
    assert_eq!(x.records[0].raw["evidence"]["threshold_days"], 90);
    // Distinct from the per-credential rule, which fires too (45 days).
    one(&f, UNUSED_CREDS);
    // Any recent use makes the user active, even of an inactive key.
    let mut k = key("AKIARECENT", 300, Some(10));
    k.status = "Inactive".into();
    alice(&mut inv).access_keys.push(k);
    let f = run(&inv);
    none(&f, INACTIVE_USER);
    one(&f, UNUSED_CREDS);
    none(&run(&clean()), INACTIVE_USER);
}

#[test]
fn inactive_user_threshold_is_inclusive_and_configurable() {
    let mut inv = clean();
    alice(&mut inv).access_keys.clear();
    alice(&mut inv).password_last_used = Some(ago(90));
    one(&run(&inv), INACTIVE_USER);
    alice(&mut inv).password_last_used = Some(ago(89));
    none(&run(&inv), INACTIVE_USER);
    let cfg: PostureConfig = toml::from_str("inactive_user_days = 30").unwrap();
    assert_eq!(cfg.unused_role_days, 90);
    let x = run_cfg(&inv, &cfg);
    assert_eq!(
        one(&x, INACTIVE_USER).records[0].raw["evidence"]["threshold_days"],
        30
    );
}

#[test]
fn never_used_user_counts_from_creation_with_na_and_no_information() {
    let mut inv = clean();
    let mut bob = user("bob");
    bob.access_keys = vec![key("AKIABOBNEVER", 400, None)];
    bob.login_profile = login(400);
    inv.user_detail_list.push(bob);
    let mut row = report_row_for("bob");
    row.password_enabled = "true".into();
    row.password_last_used = "no_information".into();
    row.access_key_1_active = "true".into();
    row.access_key_1_last_rotated = ago(400).to_rfc3339();
    row.access_key_1_last_used_date = "N/A".into();
    row.access_key_2_last_used_date = "not_supported".into();
    inv.credential_report.push(row);
    let f = run(&inv);
    let x = one(&f, INACTIVE_USER);
    assert_eq!(
        x.title,
        "User bob never used its credentials (400 days since creation)"
    );
    assert_eq!(x.records[0].raw["evidence"]["last_activity"], Value::Null);
    // A young user that never used its credentials is not inactive yet.
    inv.user_detail_list[1].create_date = ago(20);
    inv.credential_report[1].user_creation_time = ago(20).to_rfc3339();
    none(&run(&inv), INACTIVE_USER);
    // The report's creation time wins when the record's is missing (epoch).
    inv.user_detail_list[1].create_date = DateTime::<Utc>::default();
    none(&run(&inv), INACTIVE_USER);
}

#[test]
fn inactive_user_reads_dates_only_the_credential_report_has() {
    let mut inv = clean();
    let mut bob = user("bob");
    // The record knows the key but not its use (GetAccessKeyLastUsed failed).
    let mut k = key("AKIABOB", 300, None);
    k.last_used = None;
    bob.access_keys = vec![k];
    inv.user_detail_list.push(bob);
    let mut row = report_row_for("bob");
    row.access_key_1_active = "true".into();
    row.access_key_1_last_rotated = "N/A".into(); // cannot be matched to the key
    row.access_key_2_active = "true".into();
    row.access_key_2_last_used_date = ago(3).to_rfc3339();
    inv.credential_report.push(row);
    none(&run(&inv), INACTIVE_USER);
    inv.credential_report[1].access_key_2_last_used_date = ago(100).to_rfc3339();
    assert!(
        one(&run(&inv), INACTIVE_USER)
            .title
            .contains("inactive for 100 days (last activity: access_key_2)")
    );
    // Unknown values in a date column are no date, not an error.
    inv.credential_report[1].access_key_2_last_used_date = "some-new-value".into();
    assert!(
        one(&run(&inv), INACTIVE_USER)
            .title
            .contains("never used its credentials")
    );
    inv.credential_report[1].access_key_2_last_used_date = ago(100).to_rfc3339();
    // The same date in the record and in the report: the record's name wins.
    inv.user_detail_list[1].access_keys[0].last_used = Some(AccessKeyLastUsed {
        last_used_date: Some(ago(100)),
        service_name: Some("s3".into()),
        region: None,
    });
    assert!(
        one(&run(&inv), INACTIVE_USER)
            .title
            .contains("inactive for 100 days (last activity: key AKIABOB)")
    );
}

#[test]
fn root_row_and_users_without_credentials_are_not_inactive() {
    let mut inv = clean();
    // Root unused for years with active keys in the report: root is not an IAM user.
    inv.credential_report[0].password_last_used = ago(900).to_rfc3339();
    inv.credential_report[0].access_key_1_active = "true".into();
    inv.credential_report[0].access_key_1_last_used_date = ago(800).to_rfc3339();
    // A user with no password and no key (e.g. only in the inventory for its policies).
    inv.user_detail_list.push(user("no-creds"));
    inv.credential_report.push(report_row_for("no-creds"));
    let f = run(&inv);
    none(&f, INACTIVE_USER);
    assert!(
        !f.iter().any(
            |x| x.resources[0].arn == format!("arn:aws:iam::{ACCT}:root")
                && x.kind.starts_with("iam.user.")
        ),
        "{:?}",
        kinds(&f)
    );
}

#[test]
fn break_glass_users_are_not_inactive() {
    let mut inv = clean();
    let mut u = break_glass_user();
    u.password_last_used = Some(ago(300));
    inv.user_detail_list.push(u);
    let f = run(&inv);
    none(&f, INACTIVE_USER);
}

fn used_role(name: &str, created: i64, used: Option<Option<i64>>) -> IamRole {
    let mut r = role(
        name,
        trust_stmt(json!({"Service": "ec2.amazonaws.com"}), None),
    );
    r.create_date = ago(created);
    r.role_last_used = used.map(|d| crate::model::iam::RoleLastUsed {
        last_used_date: d.map(ago),
        region: d.map(|_| "eu-west-1".to_string()),
    });
    r
}

#[test]
fn unused_role_by_last_use_or_never_used_since_creation() {
    let mut inv = clean();
    inv.role_detail_list
        .push(used_role("stale", 500, Some(Some(120))));
    inv.role_detail_list
        .push(used_role("fresh", 500, Some(Some(3))));
    inv.role_detail_list
        .push(used_role("never-old", 200, Some(None)));
    inv.role_detail_list
        .push(used_role("never-young", 30, Some(None)));
    inv.role_detail_list.push(used_role("unknown", 900, None));
    let f = run(&inv);
    let hits: Vec<(&str, &str)> = only(&f, UNUSED_ROLE)
        .iter()
        .map(|x| (x.resources[0].name.as_str(), x.title.as_str()))
        .collect();
    assert_eq!(
        hits,
        [
            (
                "never-old",
                "Role never-old was never used (200 days since creation)"
            ),
            (
                "stale",
                "Role stale was last used 120 days ago (in eu-west-1)"
            ),
        ]
    );
    let x = only(&f, UNUSED_ROLE)[1];
    assert_eq!(x.severity, Severity::Low);
    assert_eq!(x.resources[0].kind, "AwsIamRole");
    assert_eq!(x.records[0].raw["evidence"]["days_unused"], 120);
}

#[test]
fn unused_role_threshold_config_and_exemptions() {
    let mut inv = clean();
    inv.role_detail_list
        .push(used_role("r", 500, Some(Some(90))));
    one(&run(&inv), UNUSED_ROLE);
    inv.role_detail_list[2] = used_role("r", 500, Some(Some(89)));
    none(&run(&inv), UNUSED_ROLE);
    let cfg: PostureConfig = toml::from_str("unused_role_days = 30").unwrap();
    one(&run_cfg(&inv, &cfg), UNUSED_ROLE);
    // Service-linked roles and emergency roles sit unused on purpose.
    inv.role_detail_list[1].role_last_used = Some(crate::model::iam::RoleLastUsed {
        last_used_date: None,
        region: None,
    });
    inv.role_detail_list[2] = used_role("incident-response", 500, Some(None));
    let mut tagged = used_role("emergency", 500, Some(Some(400)));
    tagged.tags.push(Tag {
        key: "guardpost:break-glass".into(),
        value: "true".into(),
    });
    inv.role_detail_list.push(tagged);
    none(&run(&inv), UNUSED_ROLE);
}

// ---------------------------------------------------------------- service wildcards (FSBP IAM.21)

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

// ---------------------------------------------------------------- config, docs, robustness

#[test]
fn partial_config_keeps_defaults_and_thresholds_apply() {
    let cfg: PostureConfig = toml::from_str("unused_days = 30\nrotation_days = 20").unwrap();
    assert_eq!(cfg.owner_tag, "owner");
    assert_eq!(cfg.min_password_length, 14);
    assert!(toml::from_str::<PostureConfig>("typo = 1").is_err());
    // alice's key is 30 days old (used yesterday) and her password used 2 days ago.
    let f = run_cfg(&clean(), &cfg);
    one(&f, KEY_ROTATION);
    none(&f, UNUSED_CREDS);
}

#[test]
fn docs_list_every_rule() {
    let doc = include_str!("../../docs/posture-rules.md");
    for r in rules() {
        assert!(
            doc.contains(&format!("`{}`", r.id)),
            "docs/posture-rules.md lacks {}",
            r.id
        );
    }
}

/// A tiny deterministic generator of policy-shaped JSON: parsing and evaluating it must never
/// panic, whatever it holds.
#[test]
fn generated_documents_never_panic() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    fn arbitrary(next: &mut dyn FnMut(u64) -> u64, depth: u32) -> Value {
        const KEYS: [&str; 12] = [
            "Statement",
            "Effect",
            "Action",
            "NotAction",
            "Resource",
            "NotResource",
            "Principal",
            "NotPrincipal",
            "Condition",
            "AWS",
            "Federated",
            "Bool",
        ];
        const STRS: [&str; 10] = [
            "Allow",
            "Deny",
            "*",
            "iam:*",
            "iam:PassRole",
            "ec2:RunInstances",
            "arn:aws:iam::444455556666:root",
            "aws:MultiFactorAuthPresent",
            "true",
            "ü*?",
        ];
        match if depth > 3 { next(3) } else { next(6) } {
            0 => json!(STRS[next(10) as usize]),
            1 => json!(next(2) == 0),
            2 => json!(next(100)),
            3 | 4 => {
                let mut m = serde_json::Map::new();
                for _ in 0..next(5) {
                    m.insert(KEYS[next(12) as usize].into(), arbitrary(next, depth + 1));
                }
                Value::Object(m)
            }
            _ => Value::Array((0..next(4)).map(|_| arbitrary(next, depth + 1)).collect()),
        }
    }
    for _ in 0..500 {
        let doc = arbitrary(&mut next, 0);
        let _ = parse_document(&doc);
        let mut inv = clean();
        inv.role_detail_list[0].assume_role_policy_document = arbitrary(&mut next, 0);
        alice(&mut inv).user_policy_list = vec![inline("g", doc)];
        let _ = run(&inv);
    }
}
