//! Posture tests: inactive users, unused roles.

use super::break_glass::break_glass_user;
use super::*;

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
