//! The live layer against the project's emulator (tests/emulator/: moto for IAM and STS, the
//! project's own Security Hub, GuardDuty and Access Analyzer), with the real Rust SDK over HTTP.
//! IAM principals are created with the SDK's IAM client; findings are seeded through the
//! emulator's control API. Skipped (with a note) when the emulator is not in this checkout.

use crate::live;

use aws_sdk_iam::Client;
use guardpost::dataset::{Dataset, Origin};
use guardpost::model::Source;
use guardpost::model::iam::CredentialReportRow;
use guardpost::posture::PostureConfig;
use guardpost::snapshot::Snapshot;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const E1: &str = "us-east-1";
const W1: &str = "eu-west-1";

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn field_set(findings: &[Value], key: &str) -> BTreeSet<String> {
    findings
        .iter()
        .map(|f| f[key].as_str().unwrap().to_string())
        .collect()
}

fn on(snap: &Snapshot, service: &str, region: &str) -> Vec<bool> {
    snap.services
        .iter()
        .filter(|s| s.service == service && s.region == region)
        .map(|s| s.enabled)
        .collect()
}

fn problems(snap: &Snapshot, source: &str, region: Option<&str>) -> Vec<String> {
    snap.problems
        .iter()
        .filter(|p| p.source == source && p.region.as_deref() == region)
        .map(|p| p.message.clone())
        .collect()
}

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}"#;
const ADMIN_LIKE: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
/// Characters that must survive URL-encoding: spaces, %, +, &, =, quotes.
const INLINE: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"odd chars","Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*","Condition":{"StringLike":{"aws:userid":"a+b&c=d 100%"}}}]}"#;

async fn seed(iam: &Client) {
    // alice: console user with a virtual MFA device.
    iam.create_user().user_name("alice").send().await.unwrap();
    iam.create_login_profile()
        .user_name("alice")
        .password("Correct-Horse-9!")
        .send()
        .await
        .unwrap();
    let mfa = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice")
        .send()
        .await
        .unwrap();
    let serial = mfa
        .virtual_mfa_device()
        .unwrap()
        .serial_number()
        .to_string();
    iam.enable_mfa_device()
        .user_name("alice")
        .serial_number(&serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .unwrap();
    // bob: two access keys, an inline policy, in the Developers group, tagged.
    iam.create_user()
        .user_name("bob")
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("owner")
                .value("team-a")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    for _ in 0..2 {
        iam.create_access_key()
            .user_name("bob")
            .send()
            .await
            .unwrap();
    }
    iam.put_user_policy()
        .user_name("bob")
        .policy_name("deploy")
        .policy_document(INLINE)
        .send()
        .await
        .unwrap();
    iam.create_group()
        .group_name("Developers")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("Developers")
        .user_name("bob")
        .send()
        .await
        .unwrap();
    let policy = iam
        .create_policy()
        .policy_name("AcmeFullAccess")
        .policy_document(ADMIN_LIKE)
        .send()
        .await
        .unwrap();
    let policy_arn = policy.policy().unwrap().arn().unwrap().to_string();
    iam.attach_group_policy()
        .group_name("Developers")
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
    // A partner role with AdministratorAccess (an AWS managed policy).
    iam.create_role()
        .role_name("partner-admin")
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("partner-admin")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    iam.update_account_password_policy()
        .minimum_password_length(14)
        .require_symbols(true)
        .password_reuse_prevention(24)
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_inventory_round_trips_through_the_emulator() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let ctx = live::context(&emu.url, &["us-east-1"])
        .await
        .expect("resolves");
    let iam = Client::new(&ctx.iam_config());
    Box::pin(seed(&iam)).await;

    let (ptx, mut prx) = tokio::sync::mpsc::unbounded_channel();
    let r = Box::pin(guardpost::sources::iam::load(
        &ctx.iam_config(),
        &ctx.account_id,
        &Some(ptx),
    ))
    .await;
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let inv = r.inventory.expect("an inventory");
    let mut progress = Vec::new();
    while let Ok(m) = prx.try_recv() {
        progress.push(m);
    }
    eprintln!("progress: {progress:?}");

    assert_eq!(inv.account_id, ctx.account_id);
    let mut users: Vec<&str> = inv
        .user_detail_list
        .iter()
        .map(|u| u.user_name.as_str())
        .collect();
    users.sort();
    assert_eq!(users, ["alice", "bob"]);

    let alice = inv.user("alice").unwrap();
    assert!(alice.has_console());
    assert_eq!(alice.mfa_devices.len(), 1);
    assert!(alice.mfa_devices[0].is_virtual());
    assert!(alice.access_keys.is_empty());

    let bob = inv.user("bob").unwrap();
    assert!(
        !bob.has_console(),
        "GetLoginProfile NoSuchEntity = no console"
    );
    assert_eq!(bob.access_keys.len(), 2);
    assert!(
        bob.access_keys
            .iter()
            .all(|k| k.is_active() && k.access_key_id.starts_with("AKIA"))
    );
    assert!(bob.access_keys.iter().all(|k| k.last_used_date().is_none()));
    assert_eq!(bob.group_list, ["Developers"]);
    assert_eq!(bob.tag("owner"), Some("team-a"));
    assert_eq!(bob.user_policy_list.len(), 1);
    assert_eq!(
        bob.user_policy_list[0].policy_document,
        serde_json::from_str::<serde_json::Value>(INLINE).unwrap(),
        "the URL-encoded inline policy decodes to the original document"
    );

    let dev = inv.group("Developers").unwrap();
    assert_eq!(
        dev.attached_managed_policies[0].policy_name,
        "AcmeFullAccess"
    );
    let acme = inv
        .policies
        .iter()
        .find(|p| p.policy_name == "AcmeFullAccess")
        .expect("customer managed policy");
    assert_eq!(acme.document["Statement"][0]["Action"], json!("*"));
    assert!(!acme.is_aws_managed());

    let role = inv
        .role_detail_list
        .iter()
        .find(|r| r.role_name == "partner-admin")
        .unwrap();
    assert_eq!(
        role.assume_role_policy_document,
        serde_json::from_str::<serde_json::Value>(TRUST).unwrap()
    );
    assert_eq!(
        role.attached_managed_policies[0].policy_arn,
        "arn:aws:iam::aws:policy/AdministratorAccess"
    );
    // AWS managed policies: only the attached ones are kept (moto returns ~1,600).
    let aws_managed: Vec<&str> = inv
        .policies
        .iter()
        .filter(|p| p.is_aws_managed())
        .map(|p| p.policy_name.as_str())
        .collect();
    assert_eq!(aws_managed, ["AdministratorAccess"]);
    let admin = inv
        .policy("arn:aws:iam::aws:policy/AdministratorAccess")
        .unwrap();
    assert_eq!(admin.document["Statement"][0]["Action"], json!("*"));

    let pp = inv.password_policy.as_ref().expect("a password policy");
    assert_eq!(pp.minimum_password_length, Some(14));
    assert!(pp.require_symbols);
    assert_eq!(pp.password_reuse_prevention, Some(24));
    assert_eq!(inv.summary_map.get("Users"), Some(&2));

    let report_users: Vec<&str> = inv
        .credential_report
        .iter()
        .map(|r| r.user.as_str())
        .filter(|u| *u != CredentialReportRow::ROOT_USER)
        .collect();
    assert!(
        report_users.contains(&"alice") && report_users.contains(&"bob"),
        "{report_users:?}"
    );
    let bob_row = inv
        .credential_report
        .iter()
        .find(|r| r.user == "bob")
        .unwrap();
    assert_eq!(bob_row.access_key_1_active, "true");
    assert_eq!(bob_row.access_key_2_active, "true");

    // No password policy → None (NoSuchEntity is a fact, not an error).
    iam.delete_account_password_policy().send().await.unwrap();
    let r = Box::pin(guardpost::sources::iam::load(
        &ctx.iam_config(),
        &ctx.account_id,
        &None,
    ))
    .await;
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(r.inventory.unwrap().password_policy.is_none());
}

/// Every AWS operation the loader called is allowed by docs/iam-policy-readonly.json.
fn assert_loader_calls_allowed_by_readonly_policy(emu: &live::emulator::Emulator) {
    let policy = live::DocsPolicy::load("iam-policy-readonly.json");
    let log = emu.control("GET", "/_guardpost/requests", None);
    let calls = match &log {
        Value::Array(a) => a.clone(),
        v => v["requests"].as_array().cloned().unwrap_or_default(),
    };
    assert!(calls.len() > 10, "the request log is too short: {log}");
    let mut seen = BTreeSet::new();
    for c in &calls {
        let action = live::logged_action(c);
        assert!(
            policy.allows(&action),
            "the loader called {action}, which docs/{} does not allow",
            policy.name
        );
        seen.insert(action.to_ascii_lowercase());
    }
    for must in [
        "securityhub:getfindings",
        "guardduty:listfindings",
        "iam:getaccountauthorizationdetails",
        "ec2:describesecuritygroups",
        "ec2:describeinstances",
        "ec2:getebsencryptionbydefault",
    ] {
        assert!(seen.contains(must), "{must} not called: {seen:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_account_loads_with_pagination_and_coverage() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let seeded = emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({
            "securityhub": {E1: {"generate": 250, "findings": [
                {"Id": "resolved-1", "Workflow": {"Status": "RESOLVED"}},
                {"Id": "suppressed-1", "Workflow": {"Status": "SUPPRESSED"}},
                {"Id": "archived-1", "RecordState": "ARCHIVED"},
                {"Id": "notified-1", "Workflow": {"Status": "NOTIFIED"}}
            ]}},
            "guardduty": {E1: {"generate": 120, "findings": [
                {"id": "archived0000000000000000000000001", "service": {"archived": true}}
            ]}},
            "accessanalyzer": {E1: {"analyzers": [
                {"name": "external", "type": "ACCOUNT", "generate": 130},
                {"name": "unused", "type": "ACCOUNT_UNUSED_ACCESS", "generate": 3}
            ]}}
        })),
    );
    let ctx = live::context(&emu.url, &[E1, W1]).await.expect("resolves");
    Box::pin(seed(&Client::new(&ctx.iam_config()))).await;
    // Only the loader's own calls are checked against the read-only policy below.
    emu.control("DELETE", "/_guardpost/requests", None);

    let snap = Box::pin(guardpost::sources::load(&ctx, None)).await;
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
    assert_eq!(snap.account.id, ctx.account_id);
    assert_loader_calls_allowed_by_readonly_policy(&emu);

    // Security Hub: the 250 generated + the NOTIFIED one; not RESOLVED, SUPPRESSED, ARCHIVED.
    let mut want = strings(&seeded["securityhub"][E1]["findingIds"]);
    for gone in ["resolved-1", "suppressed-1", "archived-1"] {
        assert!(want.remove(gone));
    }
    assert_eq!(want.len(), 251);
    assert_eq!(snap.securityhub.len(), 1);
    assert_eq!(field_set(&snap.securityhub[0].findings, "Id"), want);
    assert_eq!(snap.securityhub[0].findings.len(), 251, "no duplicates");
    assert_eq!(
        emu.calls("securityhub", "GetFindings", E1).len(),
        3,
        "3 pages of 100"
    );
    // Raw and lossless: the stored record is what the emulator holds.
    let state = emu.control(
        "GET",
        "/_guardpost/state?region=us-east-1&service=securityhub",
        None,
    );
    let held: Vec<Value> = state["accounts"][&ctx.account_id][E1]["securityhub"]["findings"]
        .as_array()
        .unwrap()
        .clone();
    let first = &snap.securityhub[0].findings[0];
    assert!(held.contains(first), "{first}");

    // GuardDuty: 120 active (3 ListFindings pages, 3 GetFindings calls), not the archived one.
    let mut want = strings(&seeded["guardduty"][E1]["findingIds"]);
    assert!(want.remove("archived0000000000000000000000001"));
    assert_eq!(field_set(&snap.guardduty[0].findings, "id"), want);
    assert_eq!(snap.guardduty[0].findings.len(), 120);
    assert_eq!(
        snap.guardduty[0].detector_id.as_deref(),
        seeded["guardduty"][E1]["detectorId"].as_str()
    );
    assert_eq!(emu.calls("guardduty", "ListFindings", E1).len(), 3);
    assert_eq!(emu.calls("guardduty", "GetFindings", E1).len(), 3);

    // Access Analyzer: every finding of both analyzers, ListFindingsV2 paged (130 > 100).
    let aa = snap
        .access_analyzer
        .iter()
        .find(|a| a.region == E1)
        .unwrap();
    assert_eq!(aa.analyzers.len(), 2);
    let mut want = BTreeSet::new();
    for a in seeded["accessanalyzer"][E1]["analyzers"]
        .as_array()
        .unwrap()
    {
        want.extend(strings(&a["findingIds"]));
    }
    assert_eq!(field_set(&aa.findings, "id"), want);
    assert_eq!(aa.findings.len(), 133);
    assert!(aa.findings.iter().all(|f| f["analyzerArn"].is_string()));
    assert!(emu.calls("accessanalyzer", "ListFindingsV2", E1).len() >= 3);
    assert_eq!(emu.calls("accessanalyzer", "GetFindingV2", E1).len(), 133);

    // Coverage: on in us-east-1, off in eu-west-1.
    assert_eq!(on(&snap, "securityhub", E1), [true]);
    assert_eq!(on(&snap, "guardduty", E1), [true]);
    assert_eq!(on(&snap, "access-analyzer", E1), [true, true]);
    assert_eq!(on(&snap, "securityhub", W1), [false]);
    assert_eq!(on(&snap, "guardduty", W1), [false]);
    assert_eq!(on(&snap, "access-analyzer", W1), [false]);

    // IAM came along, GetAccountAuthorizationDetails 1000 items a page, without the ~1,600 AWS
    // managed policies (Filter); paging over several pages is the next test's.
    let inv = snap.iam.as_ref().unwrap();
    assert!(inv.user("alice").is_some() && inv.user("bob").is_some());
    let gaad = emu.calls("iam", "GetAccountAuthorizationDetails", E1);
    assert!(!gaad.is_empty(), "{gaad:?}");
    assert!(gaad.iter().all(|c| c["params"]["MaxItems"] == "1000"));
    assert!(
        gaad.iter()
            .all(|c| c["params"]["Filter.member.4"] == "LocalManagedPolicy"),
        "{gaad:?}"
    );

    // Through the unchanged pipeline: normalized, posture says what is off in eu-west-1.
    let data = Dataset::from_snapshot(snap, Origin::Live, &PostureConfig::default());
    assert!(data.problems.is_empty(), "{:?}", data.problems);
    let titles: Vec<&str> = data
        .findings
        .iter()
        .filter(|f| f.source == Source::Posture)
        .map(|f| f.title.as_str())
        .collect();
    for want in [
        "Security Hub is not enabled in eu-west-1",
        "GuardDuty is not enabled in eu-west-1",
        "No IAM Access Analyzer analyzer in eu-west-1",
    ] {
        assert!(titles.contains(&want), "missing {want:?} in {titles:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_isolated_per_source_and_region() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({
            "securityhub": {E1: {"generate": 5}, W1: {"generate": 5}},
            "guardduty": {E1: {"generate": 5}, W1: {"generate": 5}},
            "accessanalyzer": {E1: {"analyzers": [{"name": "a", "generate": 2}]},
                               W1: {"analyzers": [{"name": "a", "generate": 2}]}}
        })),
    );
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(&json!([
            {"kind": "access_denied", "service": "securityhub", "operation": "GetFindings", "region": E1},
            {"kind": "access_denied", "service": "guardduty", "operation": "ListFindings", "region": E1},
            {"kind": "not_enabled", "service": "securityhub", "region": W1},
            {"kind": "throttle", "service": "accessanalyzer", "operation": "ListAnalyzers", "region": W1, "count": 2},
            {"kind": "throttle", "service": "guardduty", "operation": "GetFindings", "region": W1, "count": 2},
            {"kind": "throttle", "service": "iam", "operation": "GetAccountSummary", "count": 2}
        ])),
    );
    let ctx = live::context(&emu.url, &[E1, W1]).await.expect("resolves");
    let snap = Box::pin(guardpost::sources::load(&ctx, None)).await;

    // Access denied names the IAM action; the source's other regions are unaffected.
    assert_eq!(
        problems(&snap, "securityhub", Some(E1)),
        ["AccessDenied: missing permission securityhub:GetFindings"]
    );
    assert!(
        on(&snap, "securityhub", E1).is_empty(),
        "denied = unknown, not disabled"
    );
    assert_eq!(
        problems(&snap, "guardduty", Some(E1)),
        ["AccessDenied: missing permission guardduty:ListFindings"]
    );
    assert_eq!(
        on(&snap, "guardduty", E1),
        [true],
        "the detector was listed"
    );
    // Not enabled is a coverage fact, not a problem.
    assert!(problems(&snap, "securityhub", Some(W1)).is_empty());
    assert_eq!(on(&snap, "securityhub", W1), [false]);
    // Throttled calls were retried by the SDK and everything loaded.
    assert!(
        problems(&snap, "access-analyzer", Some(W1)).is_empty(),
        "{:?}",
        snap.problems
    );
    assert_eq!(emu.calls("accessanalyzer", "ListAnalyzers", W1).len(), 3);
    let aa = snap
        .access_analyzer
        .iter()
        .find(|a| a.region == W1)
        .unwrap();
    assert_eq!(aa.findings.len(), 2);
    assert!(
        problems(&snap, "guardduty", Some(W1)).is_empty(),
        "{:?}",
        snap.problems
    );
    let gd = snap.guardduty.iter().find(|g| g.region == W1).unwrap();
    assert_eq!(gd.findings.len(), 5);
    assert!(
        problems(&snap, "iam", None).is_empty(),
        "{:?}",
        snap.problems
    );
    assert!(snap.iam.as_ref().unwrap().summary_map.contains_key("Users"));
    // Exactly the two denials, nothing else.
    assert_eq!(snap.problems.len(), 2, "{:?}", snap.problems);
    // Access Analyzer in us-east-1 was untouched by the other faults.
    let aa = snap
        .access_analyzer
        .iter()
        .find(|a| a.region == E1)
        .unwrap();
    assert_eq!(aa.findings.len(), 2);
}

/// GetAccountAuthorizationDetails over many pages (small pages so the principals themselves
/// span pages), and ListRoles for every role's description and maximum session duration.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_authorization_details_follow_markers_over_many_pages() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let ctx = live::context(&emu.url, &[E1]).await.expect("resolves");
    let iam = Client::new(&ctx.iam_config());
    // 60 users and 5 roles at 25 a page: three pages (AWS managed policies are filtered out).
    let users: Vec<String> = (0..60).map(|i| format!("user-{i:02}")).collect();
    for u in &users {
        iam.create_user().user_name(u).send().await.unwrap();
    }
    let roles: Vec<String> = (0..5).map(|i| format!("role-{i}")).collect();
    for (i, r) in roles.iter().enumerate() {
        iam.create_role()
            .role_name(r)
            .assume_role_policy_document(TRUST)
            .description(format!("role number {i}"))
            .max_session_duration(3600 * (i as i32 + 1))
            .send()
            .await
            .unwrap();
    }
    emu.control("DELETE", "/_guardpost/requests", None);

    let r = Box::pin(guardpost::sources::iam::load_paged(
        &ctx.iam_config(),
        &ctx.account_id,
        25,
        &None,
    ))
    .await;
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let inv = r.inventory.unwrap();

    // Many pages, each asked for with MaxItems and the previous page's Marker.
    let calls = emu.calls("iam", "GetAccountAuthorizationDetails", E1);
    assert!(calls.len() > 2, "{} pages", calls.len());
    assert!(calls.iter().all(|c| c["params"]["MaxItems"] == "25"));
    assert!(calls[0]["params"].get("Marker").is_none());
    assert!(calls[1..].iter().all(|c| c["params"]["Marker"].is_string()));
    assert!(calls.iter().all(|c| c["items"].as_u64().unwrap() <= 25));
    // 30 users + 5 roles: the principals alone span two pages; every one of them loaded once.
    let mut got: Vec<&str> = inv
        .user_detail_list
        .iter()
        .map(|u| u.user_name.as_str())
        .collect();
    got.sort();
    assert_eq!(got, users);
    let mut got: Vec<&str> = inv
        .role_detail_list
        .iter()
        .map(|r| r.role_name.as_str())
        .collect();
    got.sort();
    assert_eq!(got, roles);
    // AWS managed policies on the later pages were read too (and dropped: none is attached).
    assert!(inv.policies.iter().all(|p| !p.is_aws_managed()));

    // Description and max session duration from one ListRoles; GetRole for none of them (the
    // authorization details carry each role's RoleLastUsed, empty for a role never used).
    assert_eq!(emu.calls("iam", "ListRoles", E1).len(), 1);
    assert_eq!(emu.calls("iam", "GetRole", E1).len(), 0);
    for (i, name) in roles.iter().enumerate() {
        let role = inv
            .role_detail_list
            .iter()
            .find(|r| &r.role_name == name)
            .unwrap();
        assert_eq!(
            role.description.as_deref(),
            Some(format!("role number {i}").as_str())
        );
        assert_eq!(role.max_session_duration, Some(3600 * (i as i32 + 1)));
    }
}

/// Streaming: with GuardDuty slowed down, a partial snapshot holding Security Hub's findings
/// (and none of GuardDuty's) arrives while GuardDuty is still paging.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_snapshots_arrive_before_a_slow_source_finishes() {
    use guardpost::sources::LoadUpdate;
    let Some(emu) = live::emulator::start() else {
        return;
    };
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({
            "securityhub": {E1: {"generate": 150}},
            "guardduty": {E1: {"generate": 60}}
        })),
    );
    // Two ListFindings pages at 2.5 s each: GuardDuty takes over 5 s, which leaves Security Hub
    // (two pages, no delay) time to finish even on a loaded 2-core CI machine.
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(&json!({"kind": "latency", "ms": 2500, "service": "guardduty", "operation": "ListFindings"})),
    );
    let ctx = live::context(&emu.url, &[E1]).await.expect("resolves");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let started = std::time::Instant::now();
    let collect = tokio::spawn(async move {
        let mut got = Vec::new();
        while let Some(u) = rx.recv().await {
            got.push((started.elapsed(), u));
        }
        got
    });
    let snap = Box::pin(guardpost::sources::load(&ctx, Some(tx))).await;
    let finished = started.elapsed();
    let updates = collect.await.unwrap();

    assert_eq!(snap.securityhub[0].findings.len(), 150);
    assert_eq!(snap.guardduty[0].findings.len(), 60);
    let partials: Vec<(std::time::Duration, &Snapshot)> = updates
        .iter()
        .filter_map(|(t, u)| match u {
            LoadUpdate::Partial(s) => Some((*t, s.as_ref())),
            LoadUpdate::Progress(_) => None,
        })
        .collect();
    let count = |s: &Snapshot| -> (usize, usize) {
        (
            s.securityhub.iter().map(|b| b.findings.len()).sum(),
            s.guardduty.iter().map(|b| b.findings.len()).sum(),
        )
    };
    let early = partials
        .iter()
        // GuardDuty's first page may already be in: what matters is that Security Hub's whole
        // answer is shown while GuardDuty is still incomplete.
        .find(|(_, s)| count(s).0 == 150 && count(s).1 < 60)
        .unwrap_or_else(|| {
            panic!(
                "no partial with Security Hub done and GuardDuty pending: {:?}",
                partials
                    .iter()
                    .map(|(t, s)| (t, count(s)))
                    .collect::<Vec<_>>()
            )
        });
    assert!(
        early.0 + std::time::Duration::from_millis(1000) < finished,
        "the partial came at {:?}, the load ended at {finished:?}",
        early.0
    );
    // Partials are throttled (~4 a second at most) and only ever grow.
    for w in partials.windows(2) {
        assert!(
            w[1].0 - w[0].0 >= std::time::Duration::from_millis(200),
            "{:?}",
            (w[0].0, w[1].0)
        );
        let (a, b) = (count(w[0].1), count(w[1].1));
        assert!(b.0 >= a.0 && b.1 >= a.1, "{a:?} then {b:?}");
    }
    // Progress said which source was still running.
    let texts: Vec<String> = updates
        .iter()
        .filter_map(|(_, u)| match u {
            LoadUpdate::Progress(p) => Some(p.text()),
            LoadUpdate::Partial(_) => None,
        })
        .collect();
    // (Done sources are named while there is room, else counted: `4/5 done`.)
    assert!(
        texts.iter().any(|t| t.contains("GuardDuty us-east-1")
            && !t.contains("GuardDuty us-east-1 done")
            && (t.contains("SecurityHub us-east-1 done") || !t.contains("SecurityHub"))),
        "{texts:?}"
    );
    // A partial goes through the normal pipeline.
    let data = Dataset::from_snapshot(early.1.clone(), Origin::Live, &PostureConfig::default());
    assert!(
        data.findings
            .iter()
            .any(|f| f.source == Source::SecurityHub)
    );
}

// ------------------------------------------------------------------ MFA and role switching

const TARGET: &str = "111122223333";
const ROLE: &str = "arn:aws:iam::111122223333:role/SecurityAudit";
const MFA: &str = "arn:aws:iam::123456789012:mfa/alice";
const BAD_CODE: &str = "MultiFactorAuthentication failed with invalid MFA one time pass code.";

type Asked = std::sync::Arc<std::sync::Mutex<Vec<guardpost::sources::session::CodeRequest>>>;

/// Answers prompts with `codes` in turn, recording every question.
fn answering(
    codes: &[&str],
) -> (
    Asked,
    impl FnMut(&guardpost::sources::session::CodeRequest) -> Result<String, String> + Send + use<>,
) {
    let asked: Asked = Default::default();
    let log = asked.clone();
    let mut codes: std::collections::VecDeque<String> =
        codes.iter().map(|c| c.to_string()).collect();
    (asked, move |r| {
        log.lock().unwrap().push(r.clone());
        codes.pop_front().ok_or_else(|| "no more codes".to_string())
    })
}

fn role_options(emu: &live::emulator::Emulator) -> guardpost::sources::LiveOptions {
    guardpost::sources::LiveOptions {
        role_arn: Some(ROLE.into()),
        mfa_serial: Some(MFA.into()),
        duration_secs: Some(3600),
        ..live::options(&emu.url, &[E1])
    }
}

fn all_calls(emu: &live::emulator::Emulator) -> Vec<Value> {
    emu.control("GET", "/_guardpost/requests", None)["requests"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mfa_role_switch_assumes_the_role_and_signs_every_later_call_with_it() {
    use guardpost::sources::AwsContext;
    let Some(emu) = live::emulator::start() else {
        return;
    };
    // The target account's own findings: only readable as the assumed role.
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({"account": TARGET, "securityhub": {E1: {"generate": 5}}})),
    );
    let (asked, mut ask) = answering(&["123456"]);
    let before = chrono::Utc::now();
    let ctx = Box::pin(AwsContext::resolve_with_prompt(
        &role_options(&emu),
        live::loader(),
        &mut ask,
    ))
    .await
    .expect("the role is assumed");

    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].mfa_serial, MFA);
    assert_eq!((asked[0].attempt, asked[0].error.as_deref()), (1, None));

    // AssumeRole with the role, the device and the code, signed with the source credentials.
    let assume = emu.calls("sts", "AssumeRole", E1);
    assert_eq!(assume.len(), 1, "{assume:?}");
    let p = &assume[0]["params"];
    assert_eq!(p["RoleArn"], ROLE);
    assert_eq!(p["SerialNumber"], MFA);
    assert_eq!(p["TokenCode"], "123456");
    assert_eq!(p["DurationSeconds"], "3600");
    assert_eq!(p["RoleSessionName"], "guardpost");
    assert_eq!(assume[0]["accessKeyId"], "testing");

    // We are the role in the target account now, for an hour.
    assert_eq!(ctx.account_id, TARGET);
    assert!(
        ctx.caller_arn
            .as_deref()
            .unwrap()
            .ends_with(":assumed-role/SecurityAudit/guardpost"),
        "{:?}",
        ctx.caller_arn
    );
    let session = ctx.session.clone().expect("a session");
    assert!(session.mfa);
    let left = (session.expires - before).num_seconds();
    assert!((3500..=3700).contains(&left), "expires in {left} s");

    // Every call after AssumeRole is signed with the role's temporary key, none with ours.
    let snap = Box::pin(guardpost::sources::load(&ctx, None)).await;
    assert_eq!(snap.account.id, TARGET);
    assert_eq!(snap.securityhub[0].findings.len(), 5, "{:?}", snap.problems);
    let seq = assume[0]["seq"].as_u64().unwrap();
    let later: Vec<Value> = all_calls(&emu)
        .into_iter()
        .filter(|c| c["seq"].as_u64().unwrap() > seq)
        .collect();
    assert!(later.len() > 10, "{later:?}");
    let keys: BTreeSet<String> = later
        .iter()
        .map(|c| c["accessKeyId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        keys.len(),
        1,
        "one temporary key signs everything: {keys:?}"
    );
    let key = keys.into_iter().next().unwrap();
    assert!(key.starts_with("ASIA"), "{key}");
    assert!(
        later
            .iter()
            .any(|c| c["operation"] == "GetCallerIdentity" && c["service"] == "sts")
    );
    assert!(later.iter().all(|c| c["account"] == TARGET));
    // The snapshot holds no credentials.
    let text = snap.to_json();
    assert!(!text.contains(&key) && !text.contains("SessionToken"));

    // Renewing with a new code: another AssumeRole, another key, same account.
    let renewed = Box::pin(ctx.renew(Some("654321"))).await.expect("renewed");
    let assume = emu.calls("sts", "AssumeRole", E1);
    assert_eq!(assume.len(), 2);
    assert_eq!(assume[1]["params"]["TokenCode"], "654321");
    assert_eq!(renewed.account_id, TARGET);
    emu.control("DELETE", "/_guardpost/requests", None);
    let r = Box::pin(guardpost::sources::securityhub::load(
        &renewed.region_config(E1),
        E1,
        &None,
        true,
    ))
    .await;
    assert_eq!(r.securityhub.unwrap().findings.len(), 5);
    let used = emu.calls("securityhub", "GetFindings", E1)[0]["accessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(used.starts_with("ASIA") && used != key, "{used} vs {key}");
    // A code that is not 6 digits never reaches STS.
    assert!(Box::pin(renewed.renew(Some("12a456"))).await.is_err());
    assert_eq!(emu.calls("sts", "AssumeRole", E1).len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_mfa_code_asks_again_with_the_error_up_to_three_times() {
    use guardpost::sources::session::SessionError;
    use guardpost::sources::{AwsContext, LiveSetupError};
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let wrong = |count: u32| {
        json!({"kind": "error", "service": "sts", "operation": "AssumeRole", "code": "AccessDenied",
               "status": 403, "message": BAD_CODE, "count": count})
    };

    // One wrong code, then a good one. A malformed answer is refused without calling STS.
    emu.control("POST", "/_guardpost/fault", Some(&wrong(1)));
    let (asked, mut ask) = answering(&["111111", "12 34", "222222"]);
    let ctx = Box::pin(AwsContext::resolve_with_prompt(
        &role_options(&emu),
        live::loader(),
        &mut ask,
    ))
    .await
    .expect("the second good-looking code works");
    assert_eq!(ctx.account_id, TARGET);
    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 3);
    assert_eq!(asked[1].attempt, 2);
    assert!(
        asked[1].error.as_deref().unwrap().contains(BAD_CODE),
        "{:?}",
        asked[1].error
    );
    assert_eq!(
        asked[2].error.as_deref(),
        Some("the MFA code must be 6 digits")
    );
    let codes: Vec<Value> = emu
        .calls("sts", "AssumeRole", E1)
        .iter()
        .map(|c| c["params"]["TokenCode"].clone())
        .collect();
    assert_eq!(codes, [json!("111111"), json!("222222")]);

    // Three wrong codes: no more asking, a clear error.
    emu.control("DELETE", "/_guardpost/requests", None);
    emu.control("POST", "/_guardpost/fault", Some(&wrong(3)));
    let (asked, mut ask) = answering(&["111111", "222222", "333333", "444444"]);
    let err = Box::pin(AwsContext::resolve_with_prompt(
        &role_options(&emu),
        live::loader(),
        &mut ask,
    ))
    .await
    .unwrap_err();
    assert_eq!(asked.lock().unwrap().len(), 3);
    assert!(
        matches!(
            &err,
            LiveSetupError::Session(SessionError::Mfa { attempts: 3, .. })
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("MFA failed 3 times") && msg.contains(BAD_CODE),
        "{msg}"
    );
    assert_eq!(emu.calls("sts", "AssumeRole", E1).len(), 3);

    // A code given up front (--mfa-code) is tried once and never prompts.
    emu.control("DELETE", "/_guardpost/requests", None);
    emu.control("POST", "/_guardpost/fault", Some(&wrong(1)));
    let (asked, mut ask) = answering(&["555555"]);
    let opts = guardpost::sources::LiveOptions {
        mfa_code: Some(guardpost::sources::session::MfaCode("999999".into())),
        ..role_options(&emu)
    };
    let err = Box::pin(AwsContext::resolve_with_prompt(
        &opts,
        live::loader(),
        &mut ask,
    ))
    .await
    .unwrap_err();
    assert!(asked.lock().unwrap().is_empty());
    assert!(err.to_string().contains(BAD_CODE), "{err}");
    assert_eq!(emu.calls("sts", "AssumeRole", E1).len(), 1);
    // Debug output never shows the code.
    assert!(!format!("{opts:?}").contains("999999"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mfa_without_a_role_uses_get_session_token() {
    use guardpost::sources::AwsContext;
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let opts = guardpost::sources::LiveOptions {
        mfa_serial: Some(MFA.into()),
        duration_secs: Some(900),
        ..live::options(&emu.url, &[E1])
    };
    let (_, mut ask) = answering(&["246810"]);
    let ctx = Box::pin(AwsContext::resolve_with_prompt(
        &opts,
        live::loader(),
        &mut ask,
    ))
    .await
    .unwrap();
    let calls = emu.calls("sts", "GetSessionToken", E1);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["params"]["SerialNumber"], MFA);
    assert_eq!(calls[0]["params"]["TokenCode"], "246810");
    assert_eq!(calls[0]["params"]["DurationSeconds"], "900");
    assert!(emu.calls("sts", "AssumeRole", E1).is_empty());
    assert_eq!(
        ctx.account_id, "123456789012",
        "same account, MFA-authenticated"
    );
    let s = ctx.session.clone().unwrap();
    assert!(s.mfa && s.role_arn.is_none());
    // The identity check after it is signed with the session's key (moto always hands out
    // its documentation example key for GetSessionToken), not with the long-term one.
    let who = emu.calls("sts", "GetCallerIdentity", E1);
    assert_eq!(who.last().unwrap()["accessKeyId"], "AKIAIOSFODNN7EXAMPLE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_credentials_are_recognised_in_a_load() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({"securityhub": {E1: {"generate": 3}}})),
    );
    let ctx = live::context(&emu.url, &[E1]).await.unwrap();
    let snap = Box::pin(guardpost::sources::load(&ctx, None)).await;
    assert!(!guardpost::sources::credentials_expired(&snap));
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(
            &json!({"kind": "error", "service": "securityhub", "operation": "GetFindings",
                     "code": "ExpiredTokenException", "status": 403,
                     "message": "The security token included in the request is expired"}),
        ),
    );
    let snap = Box::pin(guardpost::sources::load(&ctx, None)).await;
    assert!(
        guardpost::sources::credentials_expired(&snap),
        "{:?}",
        snap.problems
    );
    assert!(
        problems(&snap, "securityhub", Some(E1))[0]
            .starts_with("ExpiredToken: securityhub:GetFindings"),
        "{:?}",
        snap.problems
    );
}

/// Per-user reads follow a fresh credential report: a user it shows without keys, MFA or
/// password is not asked about them. A report older than the trusted age (IAM serves one for
/// four hours) decides nothing: a key created after it was generated is still found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_user_reads_skip_only_what_a_fresh_credential_report_rules_out() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let ctx = live::context(&emu.url, &[E1]).await.expect("resolves");
    let iam = Client::new(&ctx.iam_config());
    Box::pin(seed(&iam)).await; // alice: console + virtual MFA; bob: two keys
    for u in ["carol", "dave", "erin"] {
        iam.create_user().user_name(u).send().await.unwrap();
    }
    emu.control("DELETE", "/_guardpost/requests", None);
    let conf = ctx.iam_config();
    let load = || Box::pin(guardpost::sources::iam::load(&conf, &ctx.account_id, &None));
    let asked = |op: &str| -> BTreeSet<String> {
        emu.calls("iam", op, E1)
            .iter()
            .filter_map(|c| c["params"]["UserName"].as_str().map(str::to_string))
            .collect()
    };
    let names = |v: &[&str]| -> BTreeSet<String> { v.iter().map(|s| s.to_string()).collect() };

    // Fresh report (generated by this read): only what a user holds is read.
    let r = load().await;
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(asked("ListAccessKeys"), names(&["bob"]));
    assert_eq!(asked("ListMFADevices"), names(&["alice"]));
    assert_eq!(asked("GetLoginProfile"), names(&["alice"]));
    let inv = r.inventory.unwrap();
    assert_eq!(inv.user("bob").unwrap().access_keys.len(), 2);
    assert!(inv.user("alice").unwrap().has_console());
    assert_eq!(inv.user("alice").unwrap().mfa_devices.len(), 1);

    // carol gets a key after the report; the report is then an hour old (still served by IAM).
    let key = iam
        .create_access_key()
        .user_name("carol")
        .send()
        .await
        .unwrap();
    let key_id = key.access_key().unwrap().access_key_id().to_string();
    emu.control(
        "POST",
        "/_guardpost/iam/credential-report/age",
        Some(&json!({"account": ctx.account_id, "seconds": 3600})),
    );
    emu.control("DELETE", "/_guardpost/requests", None);
    let r = load().await;
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    // The report is the old one (no carol key in it), so it rules nothing out: everyone is read.
    let generated = emu.calls("iam", "GenerateCredentialReport", E1);
    assert!(!generated.is_empty());
    let everyone = names(&["alice", "bob", "carol", "dave", "erin"]);
    assert_eq!(asked("ListAccessKeys"), everyone);
    assert_eq!(asked("ListMFADevices"), everyone);
    assert_eq!(asked("GetLoginProfile"), everyone);
    let inv = r.inventory.unwrap();
    let carol = inv.user("carol").unwrap();
    assert_eq!(
        carol
            .access_keys
            .iter()
            .map(|k| k.access_key_id.as_str())
            .collect::<Vec<_>>(),
        [key_id.as_str()]
    );
    let row = inv
        .credential_report
        .iter()
        .find(|r| r.user == "carol")
        .unwrap();
    assert_eq!(
        row.access_key_1_last_rotated, "N/A",
        "the report is the old one"
    );
}
