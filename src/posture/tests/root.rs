//! Posture tests: root (CIS 1.4-1.7).

use super::*;

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
