//! Posture tests: unparseable documents.

use super::*;

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
