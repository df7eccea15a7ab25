//! Posture tests: users (1.10-1.15).

use super::*;

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
    evaluate_with(&input(Some(inv), &PostureConfig::default()), OPT_IN_RULES)
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
