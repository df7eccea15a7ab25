//! Posture tests: password policy (1.8, 1.9).

use super::*;

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
