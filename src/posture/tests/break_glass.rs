//! Posture tests: break-glass users.

use super::*;

pub(super) fn break_glass_user() -> IamUser {
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
