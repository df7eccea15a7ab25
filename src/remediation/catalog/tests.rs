use super::*;
use crate::dataset::{Dataset, Origin};
use crate::model::PasswordPolicy;
use crate::model::{ComplianceStatus, Severity, SourceRecord};
use crate::posture::PostureConfig;
use crate::remediation::{Capture, UndoPlan};
use crate::snapshot::Snapshot;
use serde_json::{Value, json};

fn demo() -> Dataset {
    Dataset::from_snapshot(Snapshot::demo(), Origin::Demo, &PostureConfig::default())
}

fn now() -> DateTime<Utc> {
    "2026-11-20T09:00:00Z".parse().unwrap()
}

#[test]
fn deactivate_key_is_update_access_key_and_undo_reactivates() {
    let p = deactivate_access_key("alice", "AKIAEXAMPLE");
    assert_eq!(p.calls.len(), 1);
    assert_eq!(p.calls[0].operation, "UpdateAccessKey");
    assert_eq!(
        p.calls[0].params,
        json!({"UserName": "alice", "AccessKeyId": "AKIAEXAMPLE", "Status": "Inactive"})
    );
    let UndoPlan::Calls { calls } = &p.undo else {
        panic!("undo expected")
    };
    assert_eq!(calls[0].params["Status"], "Active");
    assert_eq!(
        p.permissions(),
        vec!["iam:UpdateAccessKey", "iam:ListAccessKeys"]
    );
    assert!(p.notes.iter().any(|n| n.contains("36 hours")));
    assert!(!p.irreversible());
}

#[test]
fn delete_key_and_login_profile_are_irreversible() {
    assert!(delete_access_key("bob", "AKIA1").irreversible());
    let lp = delete_login_profile("bob");
    assert!(lp.irreversible());
    assert_eq!(lp.confirm_text, "bob");
    assert_eq!(lp.calls[0].operation, "DeleteLoginProfile");
}

#[test]
fn quarantine_says_it_is_not_deny_all() {
    let q = quarantine(Principal::Role("app"), false);
    assert_eq!(q.calls[0].operation, "AttachRolePolicy");
    assert_eq!(q.calls[0].params["PolicyArn"], QUARANTINE_POLICY);
    assert!(q.notes[0].contains("NOT deny-all"));
    let d = quarantine(Principal::User("eve"), true);
    assert_eq!(d.calls[0].operation, "AttachUserPolicy");
    assert_eq!(d.calls[0].params["PolicyArn"], DENY_ALL_POLICY);
    let UndoPlan::Calls { calls } = &d.undo else {
        panic!()
    };
    assert_eq!(calls[0].operation, "DetachUserPolicy");
}

#[test]
fn revoke_sessions_denies_tokens_issued_before_now() {
    let p = revoke_sessions(Principal::Role("app"), now());
    let c = &p.calls[0];
    assert_eq!(c.operation, "PutRolePolicy");
    assert_eq!(c.params["PolicyName"], REVOKE_POLICY_NAME);
    let doc: Value = serde_json::from_str(c.params["PolicyDocument"].as_str().unwrap()).unwrap();
    assert_eq!(doc["Statement"][0]["Effect"], "Deny");
    assert_eq!(
        doc["Statement"][0]["Condition"]["DateLessThan"]["aws:TokenIssueTime"],
        "2026-11-20T09:00:00Z"
    );
    let UndoPlan::Calls { calls } = &p.undo else {
        panic!()
    };
    assert_eq!(calls[0].operation, "DeleteRolePolicy");
}

#[test]
fn password_policy_raises_to_cis_and_keeps_stricter_settings() {
    let p = cis_password_policy(None);
    assert_eq!(p.calls[0].params["MinimumPasswordLength"], 14);
    assert_eq!(p.calls[0].params["PasswordReusePrevention"], 24);
    let strict = PasswordPolicy {
        minimum_password_length: Some(20),
        password_reuse_prevention: Some(5),
        ..Default::default()
    };
    let p = cis_password_policy(Some(&strict));
    assert_eq!(p.calls[0].params["MinimumPasswordLength"], 20);
    assert_eq!(p.calls[0].params["PasswordReusePrevention"], 24);
    // Undo: none before -> delete; a policy before -> put it back as it was.
    assert_eq!(
        undo_from_capture(&p, &json!({"GetAccountPasswordPolicy": null}))[0].operation,
        "DeleteAccountPasswordPolicy"
    );
    let back = undo_from_capture(
        &p,
        &json!({"GetAccountPasswordPolicy": {"MinimumPasswordLength": 8, "RequireSymbols": false}}),
    );
    assert_eq!(back[0].operation, "UpdateAccountPasswordPolicy");
    assert_eq!(back[0].params["MinimumPasswordLength"], 8);
    assert_eq!(back[0].params["RequireSymbols"], false);
}

#[test]
fn contain_user_deactivates_active_keys_only_and_restores_from_capture() {
    let data = demo();
    let iam = data.iam.as_ref().unwrap();
    let u = iam.user("terraform").unwrap(); // one active, one inactive key
    let p = contain_user(u, now());
    let ops: Vec<&str> = p.calls.iter().map(|c| c.operation.as_str()).collect();
    assert_eq!(
        ops,
        ["UpdateAccessKey", "PutUserPolicy", "AttachUserPolicy"]
    );
    assert_eq!(p.calls[0].params["AccessKeyId"], "AKIAJNH7F6DK5V34F6VE");
    assert_eq!(
        p.capture,
        Some(Capture::User {
            user: "terraform".into()
        })
    );
    let captured = json!({
        "ListAccessKeys": {"AccessKeyMetadata": [
            {"AccessKeyId": "AKIAJNH7F6DK5V34F6VE", "Status": "Active"},
            {"AccessKeyId": "AKIAMDZ7UUB244QNJGXO", "Status": "Inactive"}]},
        "ListUserPolicies": {"PolicyNames": []},
        // The quarantine policy was already attached: the restore must not detach it.
        "ListAttachedUserPolicies": {"AttachedPolicies": [{"PolicyArn": QUARANTINE_POLICY}]},
    });
    let undo = undo_from_capture(&p, &captured);
    let ops: Vec<(&str, &Value)> = undo
        .iter()
        .map(|c| (c.operation.as_str(), &c.params))
        .collect();
    assert_eq!(ops.len(), 2, "{ops:?}");
    assert_eq!(ops[0].0, "UpdateAccessKey");
    assert_eq!(ops[0].1["Status"], "Active");
    assert_eq!(ops[1].0, "DeleteUserPolicy");
}

fn sh_finding(i: usize, region: &str, status: &str) -> Finding {
    Finding {
        id: format!("sh:{i}"),
        source: Source::SecurityHub,
        product: "Security Hub".into(),
        kind: "x".into(),
        title: "t".into(),
        description: String::new(),
        severity: Severity::High,
        raw_score: None,
        account: "111122223333".into(),
        region: region.into(),
        resources: vec![],
        first_seen: now(),
        last_seen: now(),
        workflow: Workflow::parse(status).unwrap(),
        compliance: Some(ComplianceStatus::Failed),
        control_id: None,
        controls: vec![],
        remediation: None,
        records: vec![SourceRecord {
            source: Source::SecurityHub,
            id: format!("finding-{i}"),
            product_arn: Some("arn:aws:securityhub:us-east-1::product/aws/securityhub".into()),
            region: region.into(),
            raw: json!({"Workflow": {"Status": status}}),
        }],
    }
}

#[test]
fn securityhub_workflow_batches_by_100_per_region_and_undoes_per_previous_status() {
    let fs: Vec<Finding> = (0..250)
        .map(|i| {
            sh_finding(
                i,
                if i < 210 { "us-east-1" } else { "eu-west-1" },
                if i % 2 == 0 { "NEW" } else { "NOTIFIED" },
            )
        })
        .collect();
    let refs: Vec<&Finding> = fs.iter().collect();
    let p = securityhub_workflow(&refs, Workflow::Resolved, "fixed").unwrap();
    let sizes: Vec<(Option<&str>, usize)> = p
        .calls
        .iter()
        .map(|c| {
            (
                c.region.as_deref(),
                c.params["FindingIdentifiers"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        sizes,
        [
            (Some("us-east-1"), 100),
            (Some("us-east-1"), 100),
            (Some("us-east-1"), 10),
            (Some("eu-west-1"), 40)
        ]
    );
    assert_eq!(p.calls[0].params["Workflow"]["Status"], "RESOLVED");
    assert_eq!(
        p.calls[0].params["Note"],
        json!({"Text": "fixed", "UpdatedBy": "guardpost"})
    );
    let UndoPlan::Calls { calls } = &p.undo else {
        panic!()
    };
    let statuses: Vec<&str> = calls
        .iter()
        .map(|c| c.params["Workflow"]["Status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains(&"NEW") && statuses.contains(&"NOTIFIED"),
        "{statuses:?}"
    );
    let undone: usize = calls
        .iter()
        .map(|c| c.params["FindingIdentifiers"].as_array().unwrap().len())
        .sum();
    assert_eq!(undone, 250);
}

#[test]
fn guardduty_archive_batches_by_50_with_the_detector() {
    let data = demo();
    let gd: Vec<&Finding> = data
        .findings
        .iter()
        .filter(|f| f.source == Source::GuardDuty)
        .collect();
    assert!(!gd.is_empty());
    let p = guardduty_archive(&gd, true).unwrap();
    for c in &p.calls {
        assert_eq!(c.operation, "ArchiveFindings");
        assert!(c.params["FindingIds"].as_array().unwrap().len() <= GD_BATCH);
        assert_eq!(c.params["DetectorId"].as_str().unwrap().len(), 32, "{c:?}");
    }
    let n: usize = p
        .calls
        .iter()
        .map(|c| c.params["FindingIds"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        n,
        gd.iter()
            .map(|f| f
                .records
                .iter()
                .filter(|r| r.source == Source::GuardDuty)
                .count())
            .sum::<usize>()
    );
    let UndoPlan::Calls { calls } = &p.undo else {
        panic!()
    };
    assert!(calls.iter().all(|c| c.operation == "UnarchiveFindings"));
}

#[test]
fn old_key_finding_offers_deactivating_that_key_first() {
    let data = demo();
    let f = data
        .findings
        .iter()
        .find(|f| f.kind == r::KEY_ROTATION && f.title.contains("legacy-backup"))
        .expect("demo has legacy-backup's old key");
    let plans = for_finding(&data, f, now());
    assert_eq!(plans[0].action, "iam.deactivate-access-key");
    assert_eq!(
        plans[0].calls[0].params["AccessKeyId"],
        "AKIA3NPRL2B7LO2ZHFU7"
    );
    // Directly attached policy can be detached; posture findings have no service triage.
    assert!(plans.iter().any(|p| p.action == "iam.detach-user-policy"));
    assert!(!plans.iter().any(|p| p.action == "securityhub.workflow"));
}

#[test]
fn service_disabled_findings_offer_enabling_and_say_what_costs_money() {
    let data = demo();
    let f = data
        .findings
        .iter()
        .find(|f| f.kind == r::AA_MISSING)
        .expect("demo has a region without an analyzer");
    let plans = for_finding(&data, f, now());
    assert_eq!(plans[0].calls[0].operation, "CreateAnalyzer");
    assert_eq!(plans[0].calls[0].params["type"], "ACCOUNT");
    assert_eq!(plans[1].calls[0].params["type"], "ACCOUNT_UNUSED_ACCESS");
    assert!(plans[1].title.contains("PAID") && plans[1].notes[0].contains("COSTS MONEY"));
}

#[test]
fn guardduty_finding_offers_triage_and_its_security_hub_copy() {
    let data = demo();
    let f = data
        .findings
        .iter()
        .find(|f| f.source == Source::GuardDuty && f.has_source(Source::SecurityHub))
        .expect("demo has a GuardDuty finding with a Security Hub copy");
    let actions: Vec<String> = for_finding(&data, f, now())
        .into_iter()
        .map(|p| p.action.to_string())
        .collect();
    for a in [
        "guardduty.archive",
        "guardduty.feedback",
        "securityhub.workflow",
    ] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} missing from {actions:?}"
        );
    }
}

#[test]
fn every_action_id_is_listed() {
    let data = demo();
    let mut seen: Vec<String> = Vec::new();
    for f in &data.findings {
        seen.extend(
            for_finding(&data, f, now())
                .into_iter()
                .map(|p| p.action.to_string()),
        );
    }
    for id in seen {
        assert!(
            ACTION_IDS.contains(&id.as_str()),
            "{id} is not in ACTION_IDS"
        );
    }
}

/// A GuardDuty finding merged with its NOTIFIED Security Hub copy: resolving it in Security Hub
/// and undoing puts the copy back to NOTIFIED (its own status), not the native NEW.
#[test]
fn undo_of_a_merged_findings_workflow_restores_the_copys_own_status() {
    use crate::merge::tests::{gd_copy, gd_native};
    use crate::model::Workflow;
    let id = "46ba0ac2845071e23ccdeb2ae03bfdea";
    let mut copy = gd_copy(id, "us-east-1");
    copy.records[0].raw["Workflow"]["Status"] = serde_json::json!("NOTIFIED");
    let out = crate::merge::dedupe(vec![gd_native(id), copy]);
    let plan = super::securityhub_workflow(&[&out[0]], Workflow::Resolved, "")
        .expect("a Security Hub record to update");
    let undo = serde_json::to_string(&plan.undo).unwrap();
    assert!(undo.contains("NOTIFIED"), "{undo}");
    assert!(!undo.contains("\"NEW\""), "{undo}");
}

/// `x` on the baseline's posture findings offers the same fixes as `check --fix`.
#[test]
fn baseline_findings_offer_their_fix_in_the_tui() {
    use crate::model::network::{Ec2Region, Instance, Permission, SecurityGroup};
    let mut snap = Snapshot::demo();
    snap.ec2 = vec![Ec2Region {
        region: "us-east-1".into(),
        security_groups: Some(vec![SecurityGroup {
            id: "sg-9".into(),
            name: "ssh".into(),
            vpc_id: None,
            ingress: vec![Permission {
                protocol: "tcp".into(),
                from_port: Some(22),
                to_port: Some(22),
                ipv4: vec!["0.0.0.0/0".into()],
                ..Default::default()
            }],
            egress: vec![],
        }]),
        instances: Some(vec![Instance {
            id: "i-9".into(),
            state: "running".into(),
            http_tokens: Some("optional".into()),
            http_endpoint: Some("enabled".into()),
            ..Default::default()
        }]),
        ebs_encryption_by_default: Some(false),
        ..Default::default()
    }];
    let data = Dataset::from_snapshot(snap, Origin::Demo, &PostureConfig::default());
    let offered = |rule: &str| -> Vec<Action> {
        let f = data
            .findings
            .iter()
            .find(|f| f.kind == rule)
            .unwrap_or_else(|| panic!("no {rule} finding"));
        for_finding(&data, f, now())
            .into_iter()
            .map(|p| p.action)
            .collect()
    };
    assert_eq!(offered(r::SG_ADMIN_OPEN), [Action::RevokeWorldIngress]);
    assert_eq!(offered(r::IMDSV1), [Action::RequireImdsV2]);
    assert_eq!(
        offered(r::EBS_DEFAULT_ENCRYPTION),
        [Action::EnableEbsDefaultEncryption]
    );
}
