use super::*;
use crate::check::{CheckArgs, select};
use crate::config::CheckConfig;
use crate::dataset::Origin;
use crate::model::network::{Ec2Region, Instance, Permission, SecurityGroup};
use crate::posture::PostureConfig;
use crate::remediation::UndoPlan;
use crate::snapshot::Snapshot;
use serde_json::json;

fn now() -> DateTime<Utc> {
    "2026-11-20T09:00:00Z".parse().unwrap()
}

fn data(snap: Snapshot) -> Dataset {
    Dataset::from_snapshot(snap, Origin::Demo, &PostureConfig::default())
}

/// The posture failures of `rules` in `data`, as `check` computes them.
fn failing(data: &Dataset, rules: &[&str]) -> Vec<Finding> {
    let args = CheckArgs {
        rules: rules.iter().map(|r| r.to_string()).collect(),
        ..Default::default()
    };
    let sel = select(&args, &CheckConfig::default()).unwrap();
    crate::check::posture_findings(data, &sel, &PostureConfig::default())
}

fn deactivated(user: &str, key: &str, days_ago: i64, account: &str) -> Entry {
    Entry {
        id: format!("j-{key}"),
        started: now() - Duration::days(days_ago),
        plan: catalog::deactivate_access_key(user, key),
        account: account.into(),
        caller: None,
        dry_run: false,
        run: Some("run-1".into()),
        status: Status::Succeeded,
        message: String::new(),
        undo: Vec::new(),
        results: Vec::new(),
        outputs: Vec::new(),
        captured: None,
        undone_by: None,
        verified: None,
    }
}

fn titles(set: &FixSet) -> Vec<String> {
    set.fixes.iter().map(|f| f.plan.title.clone()).collect()
}

#[test]
fn services_and_the_password_policy_get_one_plan_each() {
    let d = data(Snapshot::demo());
    let f = failing(
        &d,
        &[r::SH_DISABLED, r::AA_MISSING, r::PW_MIN_LENGTH, r::PW_REUSE],
    );
    let set = plan(&d, &f, &FixOptions::default(), &[], now());
    // The demo's ap-southeast-2 has neither Security Hub nor an analyzer.
    assert!(
        titles(&set).contains(&"Enable Security Hub in ap-southeast-2".to_string()),
        "{:?}",
        titles(&set)
    );
    assert!(
        titles(&set)
            .contains(&"Create an external-access analyzer (free) in ap-southeast-2".to_string()),
        "{:?}",
        titles(&set)
    );
    let pw: Vec<&Fix> = set
        .fixes
        .iter()
        .filter(|f| f.plan.action == catalog::Action::PasswordPolicyCis)
        .collect();
    assert_eq!(pw.len(), 1, "one password policy plan: {:?}", titles(&set));
    assert_eq!(pw[0].rules, vec![r::PW_MIN_LENGTH, r::PW_REUSE]);
    assert!(set.skipped.is_empty(), "{:?}", set.skipped);
}

#[test]
fn keys_are_deactivated_when_unused_and_deleted_only_later_and_only_when_allowed() {
    let d = data(Snapshot::demo());
    let f = failing(&d, &[r::USER_ACCESS_KEY]);
    let acct = d.account.id.clone();
    let opts = FixOptions::default();
    let set = plan(&d, &f, &opts, &[], now());
    // legacy-backup's 2022 key has not been used for months: deactivated, not deleted.
    let legacy: Vec<&Fix> = set
        .fixes
        .iter()
        .filter(|f| f.plan.targets == ["AKIA3NPRL2B7LO2ZHFU7"])
        .collect();
    assert_eq!(legacy.len(), 1, "{:?}", titles(&set));
    assert_eq!(legacy[0].plan.action, catalog::Action::DeactivateAccessKey);
    // Every deactivation is of an active key idle for at least unused_days.
    let iam = d.iam.as_ref().unwrap();
    for fix in &set.fixes {
        assert_eq!(fix.plan.action, catalog::Action::DeactivateAccessKey);
        let u = iam.user_by_arn(&fix.resource).unwrap();
        let (_, used) = crate::posture::last_used(iam, u);
        let k = u
            .access_keys
            .iter()
            .find(|k| k.access_key_id == fix.plan.targets[0])
            .unwrap();
        let last = used
            .iter()
            .find(|(id, _)| id == &k.access_key_id)
            .and_then(|(_, t)| *t)
            .unwrap_or(k.create_date);
        assert!(k.is_active() && (now() - last).num_days() >= opts.unused_days);
    }
    // terraform's key is in use: left alone, and said so.
    assert!(
        set.skipped
            .iter()
            .any(|s| s.why.contains("AKIAJNH7F6DK5V34F6VE was used") && s.why.contains("days ago")),
        "{:?}",
        set.skipped
    );
    // heidi's key is inactive, but guardpost did not deactivate it: never deleted.
    let heidi = "AKIAYPTDWDIHCXANKA6Y";
    assert!(
        set.skipped
            .iter()
            .any(|s| s.why.contains(heidi) && s.why.contains("did not deactivate")),
        "{:?}",
        set.skipped
    );

    // guardpost deactivated it 10 days ago: not yet.
    let j = [deactivated("heidi", heidi, 10, &acct)];
    let set = plan(&d, &f, &opts, &j, now());
    assert!(
        set.skipped
            .iter()
            .any(|s| s.why.contains(heidi) && s.why.contains("deactivated 10 days ago")),
        "{:?}",
        set.skipped
    );
    // 40 days ago: due, but deleting is irreversible and the rule was not named.
    let j = [deactivated("heidi", heidi, 40, &acct)];
    let set = plan(&d, &f, &opts, &j, now());
    assert!(
        !set.fixes
            .iter()
            .any(|f| f.plan.action == catalog::Action::DeleteAccessKey)
    );
    assert!(
        set.skipped
            .iter()
            .any(|s| s.why.contains(heidi)
                && s.why.contains("--fix-irreversible iam.user.access-key")),
        "{:?}",
        set.skipped
    );
    // Named: deleted.
    let allowed = FixOptions {
        irreversible: vec![r::USER_ACCESS_KEY.into()],
        ..opts.clone()
    };
    let set = plan(&d, &f, &allowed, &j, now());
    let del: Vec<&Fix> = set
        .fixes
        .iter()
        .filter(|f| f.plan.action == catalog::Action::DeleteAccessKey)
        .collect();
    assert_eq!(del.len(), 1);
    assert_eq!(del[0].plan.targets, [heidi]);
    assert!(del[0].plan.irreversible());
    // A deactivation in another account, a dry run or one undone since does not count.
    for e in [
        deactivated("heidi", heidi, 40, "999999999999"),
        Entry {
            dry_run: true,
            ..deactivated("heidi", heidi, 40, &acct)
        },
        Entry {
            undone_by: Some("later".into()),
            ..deactivated("heidi", heidi, 40, &acct)
        },
    ] {
        let set = plan(&d, &f, &allowed, &[e], now());
        assert!(
            !set.fixes
                .iter()
                .any(|f| f.plan.action == catalog::Action::DeleteAccessKey)
        );
    }
}

#[test]
fn owner_tags_come_from_the_mapping_and_undo_restores_what_was_there() {
    let d = data(Snapshot::demo());
    let f = failing(&d, &[r::NO_OWNER]);
    let set = plan(&d, &f, &FixOptions::default(), &[], now());
    assert!(set.fixes.is_empty());
    assert!(
        set.skipped
            .iter()
            .any(|s| s.why == "no owner for eve in the --owners file"),
        "{:?}",
        set.skipped
    );
    let opts = FixOptions {
        owners: [("eve".to_string(), "eve@acme.example".to_string())].into(),
        ..Default::default()
    };
    let set = plan(&d, &f, &opts, &[], now());
    assert_eq!(titles(&set), ["Tag user eve with owner=eve@acme.example"]);
    let p = &set.fixes[0].plan;
    assert_eq!(
        p.calls[0].params,
        json!({"UserName": "eve", "Tags": [{"Key": "owner", "Value": "eve@acme.example"}]})
    );
    let UndoPlan::Calls { calls } = &p.undo else {
        panic!("known undo")
    };
    assert_eq!(calls[0].operation, "UntagUser");
    assert_eq!(
        calls[0].params,
        json!({"UserName": "eve", "TagKeys": ["owner"]})
    );
}

fn world(proto: &str, from: i32, to: i32, v4: &[&str], v6: &[&str]) -> Permission {
    Permission {
        protocol: proto.into(),
        from_port: Some(from),
        to_port: Some(to),
        ipv4: v4.iter().map(|s| s.to_string()).collect(),
        ipv6: v6.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

#[test]
fn world_open_admin_rules_are_revoked_exactly_and_the_rest_stays() {
    let mut snap = Snapshot::demo();
    snap.ec2 = vec![Ec2Region {
        region: "us-east-1".into(),
        security_groups: Some(vec![SecurityGroup {
            id: "sg-1".into(),
            name: "ssh".into(),
            vpc_id: Some("vpc-1".into()),
            ingress: vec![
                // 22 from the world and from a private range; IPv6 world too.
                world("tcp", 22, 22, &["0.0.0.0/0", "10.0.0.0/8"], &["::/0"]),
                // A web port open to the world is not an admin port: stays.
                world("tcp", 443, 443, &["0.0.0.0/0"], &[]),
            ],
            egress: vec![],
        }]),
        network_acls: Some(vec![]),
        vpcs: Some(vec![]),
        instances: Some(vec![Instance {
            id: "i-1".into(),
            state: "running".into(),
            name: Some("web".into()),
            http_tokens: Some("optional".into()),
            http_endpoint: Some("enabled".into()),
        }]),
        ebs_encryption_by_default: Some(false),
    }];
    let d = data(snap);
    let f = failing(
        &d,
        &[
            r::SG_ADMIN_OPEN,
            r::IMDSV1,
            r::EBS_DEFAULT_ENCRYPTION,
            r::SG_DEFAULT_OPEN,
        ],
    );
    let set = plan(&d, &f, &FixOptions::default(), &[], now());
    let by = |a: catalog::Action| {
        set.fixes
            .iter()
            .find(|f| f.plan.action == a)
            .unwrap_or_else(|| panic!("{a} missing: {:?}", titles(&set)))
    };
    let revoke = &by(catalog::Action::RevokeWorldIngress).plan;
    assert_eq!(revoke.calls[0].operation, "RevokeSecurityGroupIngress");
    assert_eq!(revoke.calls[0].region.as_deref(), Some("us-east-1"));
    assert_eq!(
        revoke.calls[0].params,
        json!({"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
               "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]})
    );
    assert_eq!(
        revoke.title,
        "Revoke inbound tcp 22 from 0.0.0.0/0, tcp 22 from ::/0 on sg-1 in us-east-1"
    );
    let UndoPlan::Calls { calls } = &revoke.undo else {
        panic!("known undo")
    };
    assert_eq!(calls[0].operation, "AuthorizeSecurityGroupIngress");
    assert_eq!(calls[0].params, revoke.calls[0].params);
    let imds = &by(catalog::Action::RequireImdsV2).plan;
    assert_eq!(
        imds.calls[0].params,
        json!({"InstanceId": "i-1", "HttpTokens": "required"})
    );
    assert_eq!(
        imds.title,
        "Require IMDSv2 on instance i-1 (web) in us-east-1"
    );
    let ebs = &by(catalog::Action::EnableEbsDefaultEncryption).plan;
    assert_eq!(ebs.calls[0].operation, "EnableEbsEncryptionByDefault");
    // The undo of each is rebuilt from the journal as the catalog's inverse.
    for p in [revoke, imds, ebs] {
        let undo = catalog::rebuild_undo(p, &[true], &serde_json::Value::Null, &[]).unwrap();
        let UndoPlan::Calls { calls } = &p.undo else {
            panic!()
        };
        assert_eq!(&undo.calls, calls, "{}", p.title);
        assert!(p.action.weakens(true), "undoing {} reopens", p.action);
    }
    // The default group is reported, not emptied.
    assert!(
        set.fixes
            .iter()
            .all(|f| !f.rules.contains(&r::SG_DEFAULT_OPEN.to_string()))
    );
}

#[test]
fn rules_without_a_fix_say_why() {
    let d = data(Snapshot::demo());
    let f = failing(&d, &[r::ROOT_NO_HARDWARE_MFA, r::CONSOLE_NO_MFA]);
    assert!(!f.is_empty());
    let set = plan(&d, &f, &FixOptions::default(), &[], now());
    assert!(set.fixes.is_empty());
    assert_eq!(set.skipped.len(), f.len());
    assert!(
        set.skipped.iter().all(
            |s| s.why.contains("no automatic fix") || s.why.contains("root user's own sign-in")
        )
    );
}
