//! Posture tests: baseline and shape.

use super::*;

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
        regions: &["us-east-1".to_string()],
        ..input(None, &cfg)
    });
    assert!(f.is_empty());
}
