//! `guardpost check` end to end against the project's emulator (tests/emulator/, moto for IAM
//! and STS): principals are created with real IAM / STS calls through the Rust SDK, old ones
//! under the emulator's backdated clock (`POST /_guardpost/clock`), then the real binary runs
//! `check --format json --endpoint-url ...` and the test asserts the exact (rule, resource)
//! pairs flagged, that each healthy principal passes the rules it is built to pass, and the
//! exit codes of `--fail-on`.

use crate::live;

use aws_sdk_iam::Client;
use aws_sdk_iam::types::Tag;
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::process::Output;

/// The account of a cross-account human principal (trusted with or without MFA).
const PARTNER: &str = "444455556666";
/// A third-party vendor's account (trusted with an external id).
const VENDOR: &str = "777788889999";

fn doc(v: Value) -> String {
    v.to_string()
}

fn trust(principal: Value, condition: Option<Value>) -> String {
    let mut s = json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
    if let Some(c) = condition {
        s["Condition"] = c;
    }
    doc(json!({"Version": "2012-10-17", "Statement": [s]}))
}

fn owner() -> Tag {
    Tag::builder().key("owner").value("team-a").build().unwrap()
}

async fn user(iam: &Client, name: &str) {
    iam.create_user()
        .user_name(name)
        .tags(owner())
        .send()
        .await
        .unwrap();
}

async fn console(iam: &Client, name: &str) {
    iam.create_login_profile()
        .user_name(name)
        .password("Correct-Horse-Battery-9!")
        .send()
        .await
        .unwrap();
}

async fn mfa(iam: &Client, name: &str) {
    let d = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name(name)
        .send()
        .await
        .unwrap();
    let serial = d.virtual_mfa_device().unwrap().serial_number().to_string();
    iam.enable_mfa_device()
        .user_name(name)
        .serial_number(serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .unwrap();
}

/// Creates an access key and returns (id, secret).
async fn access_key(iam: &Client, name: &str) -> (String, String) {
    let k = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap();
    let k = k.access_key().unwrap();
    (
        k.access_key_id().to_string(),
        k.secret_access_key().to_string(),
    )
}

async fn role(iam: &Client, name: &str, trust_doc: String) -> String {
    let r = iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust_doc)
        .send()
        .await
        .unwrap();
    r.role().unwrap().arn().to_string()
}

/// An STS call signed with these credentials: moto records the key's (or the assumed role's)
/// last use at the emulator's current time.
async fn use_credentials(
    conf: &aws_config::SdkConfig,
    id: &str,
    secret: &str,
    token: Option<&str>,
) {
    let creds = aws_sdk_sts::config::Credentials::new(
        id,
        secret,
        token.map(str::to_string),
        None,
        "seeded",
    );
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(conf)
            .credentials_provider(creds)
            .build(),
    );
    sts.get_caller_identity().send().await.unwrap();
}

/// Assumes `role_arn` and makes one call with the session (marks the role as used now).
async fn use_role(conf: &aws_config::SdkConfig, role_arn: &str) {
    let sts = aws_sdk_sts::Client::new(conf);
    let r = sts
        .assume_role()
        .role_arn(role_arn)
        .role_session_name("seed")
        .send()
        .await
        .unwrap();
    let c = r.credentials().unwrap();
    use_credentials(
        conf,
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token()),
    )
    .await;
}

fn set_clock(emu: &live::emulator::Emulator, days_ago: Option<i64>) {
    let at = days_ago.map(|d| (Utc::now() - Duration::days(d)).to_rfc3339());
    emu.control(
        "POST",
        "/_guardpost/clock",
        Some(&json!({ "frozen_at": at })),
    );
}

/// The seeded account: misconfigured principals and healthy ones.
async fn seed(emu: &live::emulator::Emulator, conf: &aws_config::SdkConfig, acct: &str) {
    let iam = Client::new(conf);

    // --- 200 days ago: an old, unrotated key (used 150 days ago) and a role never used since.
    set_clock(emu, Some(200));
    user(&iam, "old-key").await;
    let (id, secret) = access_key(&iam, "old-key").await;
    role(
        &iam,
        "old-unused-role",
        trust(json!({"Service": "ec2.amazonaws.com"}), None),
    )
    .await;
    let stale = role(
        &iam,
        "stale-role",
        trust(json!({"AWS": format!("arn:aws:iam::{acct}:root")}), None),
    )
    .await;
    set_clock(emu, Some(150));
    use_credentials(conf, &id, &secret, None).await;
    use_role(conf, &stale).await;
    set_clock(emu, None);

    // --- Misconfigured, created now.
    // A console user without MFA.
    user(&iam, "console-no-mfa").await;
    console(&iam, "console-no-mfa").await;
    // A user with two active keys.
    user(&iam, "two-keys").await;
    access_key(&iam, "two-keys").await;
    access_key(&iam, "two-keys").await;
    // An inline policy on a user.
    user(&iam, "inline-user").await;
    iam.put_user_policy()
        .user_name("inline-user")
        .policy_name("read-bucket")
        .policy_document(doc(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-data/*"}]})))
        .send()
        .await
        .unwrap();
    // A customer managed "*:*" policy, attached (to a group without members).
    let star = iam
        .create_policy()
        .policy_name("StarAdmin")
        .policy_document(doc(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]})))
        .send()
        .await
        .unwrap();
    let star_arn = star.policy().unwrap().arn().unwrap().to_string();
    iam.create_group()
        .group_name("star-group")
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("star-group")
        .policy_arn(&star_arn)
        .send()
        .await
        .unwrap();
    // A role trusted by another account without MFA, and one trusting anyone.
    role(
        &iam,
        "cross-account-no-mfa",
        trust(json!({"AWS": format!("arn:aws:iam::{PARTNER}:root")}), None),
    )
    .await;
    role(&iam, "trust-anyone", trust(json!({"AWS": "*"}), None)).await;
    // An escalation path: iam:PassRole + ec2:RunInstances through a group, to a role that
    // trusts EC2 and holds something the user does not (a PassRole path counts only with such
    // a target: issue 14).
    iam.put_role_policy()
        .role_name("old-unused-role")
        .policy_name("read-data")
        .policy_document(doc(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-data/*"}]})))
        .send()
        .await
        .unwrap();
    iam.create_group()
        .group_name("launchers")
        .send()
        .await
        .unwrap();
    iam.put_group_policy()
        .group_name("launchers")
        .policy_name("launch")
        .policy_document(doc(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}]})))
        .send()
        .await
        .unwrap();
    user(&iam, "passrole-user").await;
    iam.add_user_to_group()
        .group_name("launchers")
        .user_name("passrole-user")
        .send()
        .await
        .unwrap();
    // A break-glass user with an access key (and no MFA).
    user(&iam, "break-glass-ops").await;
    access_key(&iam, "break-glass-ops").await;

    // --- Healthy.
    // A console user with MFA, in a group, without keys.
    let read = iam
        .create_policy()
        .policy_name("ReadBuckets")
        .policy_document(doc(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]})))
        .send()
        .await
        .unwrap();
    iam.create_group()
        .group_name("readers")
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("readers")
        .policy_arn(read.policy().unwrap().arn().unwrap())
        .send()
        .await
        .unwrap();
    user(&iam, "healthy-user").await;
    console(&iam, "healthy-user").await;
    mfa(&iam, "healthy-user").await;
    iam.add_user_to_group()
        .group_name("readers")
        .user_name("healthy-user")
        .send()
        .await
        .unwrap();
    // A cross-account role that requires MFA.
    role(
        &iam,
        "partner-mfa",
        trust(
            json!({"AWS": format!("arn:aws:iam::{PARTNER}:root")}),
            Some(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        ),
    )
    .await;
    // A third party's role with an external id, used today.
    let vendor = role(
        &iam,
        "vendor-extid",
        trust(
            json!({"AWS": format!("arn:aws:iam::{VENDOR}:root")}),
            Some(json!({"StringEquals": {"sts:ExternalId": "acme-7f3a"}})),
        ),
    )
    .await;
    use_role(conf, &vendor).await;
    // Account: a support role and a strong password policy (so those rules pass).
    role(
        &iam,
        "support",
        trust(json!({"AWS": format!("arn:aws:iam::{acct}:root")}), None),
    )
    .await;
    iam.attach_role_policy()
        .role_name("support")
        .policy_arn("arn:aws:iam::aws:policy/AWSSupportAccess")
        .send()
        .await
        .unwrap();
    iam.update_account_password_policy()
        .minimum_password_length(14)
        .password_reuse_prevention(24)
        .send()
        .await
        .unwrap();
}

/// The binary with a clean environment and test credentials, pointed at the emulator.
fn guardpost(home: &std::path::Path, url: &str, args: &[&str]) -> Output {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    live::guardpost(home, url, &["us-east-1"], &all)
        .env("AWS_REGION", "us-east-1")
        .output()
        .expect("run guardpost")
}

fn pairs(report: &Value, pred: impl Fn(&str) -> bool) -> BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["resource"]["arn"].as_str().unwrap().to_string(),
            )
        })
        .filter(|(rule, _)| pred(rule))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_flags_exactly_the_seeded_misconfigurations() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let ctx = live::context(&emu.url, &["us-east-1"])
        .await
        .expect("resolves");
    let acct = ctx.account_id.clone();
    let conf = ctx.iam_config();
    Box::pin(seed(&emu, &conf, &acct)).await;
    emu.control("DELETE", "/_guardpost/requests", None);

    let home = tempfile::tempdir().unwrap();
    let out = guardpost(home.path(), &emu.url, &["--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert!(
        !stderr.contains("could not be read"),
        "every source was read:\n{stderr}"
    );

    let user = |n: &str| format!("arn:aws:iam::{acct}:user/{n}");
    let role = |n: &str| format!("arn:aws:iam::{acct}:role/{n}");
    let p = |rule: &str, arn: String| (rule.to_string(), arn);
    let want: BTreeSet<(String, String)> = [
        // Created 200 days ago, key last used 150 days ago.
        p("iam.user.access-key-not-rotated", user("old-key")),
        p("iam.user.unused-credentials", user("old-key")),
        p("iam.user.inactive", user("old-key")),
        // Never used since creation 200 days ago / last used 150 days ago.
        p("iam.role.unused", role("old-unused-role")),
        p("iam.role.unused", role("stale-role")),
        p("iam.user.console-without-mfa", user("console-no-mfa")),
        p("iam.user.multiple-active-keys", user("two-keys")),
        p("iam.user.direct-policies", user("inline-user")),
        p(
            "iam.policy.admin-star",
            format!("arn:aws:iam::{acct}:policy/StarAdmin"),
        ),
        p(
            "iam.role.external-trust-unrestricted",
            role("cross-account-no-mfa"),
        ),
        p("iam.role.trust-any-principal", role("trust-anyone")),
        p("iam.principal.privilege-escalation", user("passrole-user")),
        p("iam.break-glass.access-key", user("break-glass-ops")),
        p("iam.break-glass.no-mfa", user("break-glass-ops")),
        // moto reports no root MFA (GetAccountSummary AccountMFAEnabled 0).
        p("iam.root.no-mfa", format!("arn:aws:iam::{acct}:root")),
    ]
    .into_iter()
    .collect();
    let got = pairs(&report, |r| r.starts_with("iam."));
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:#?}\nunexpected: {extra:#?}"
    );

    // Each healthy principal is flagged by nothing (not only by the rules it is built to
    // pass: it passes every rule).
    for arn in [
        user("healthy-user"),
        role("partner-mfa"),
        role("vendor-extid"),
        role("support"),
    ] {
        let hits: Vec<_> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["resource"]["arn"] == json!(arn))
            .map(|f| f["rule"].clone())
            .collect();
        assert!(hits.is_empty(), "{arn} flagged by {hits:?}");
    }
    // Titles carry the ages that came from the backdated clock.
    let title = |rule: &str, arn: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule && f["resource"]["arn"] == arn)
            .map(|f| f["title"].as_str().unwrap().to_string())
            .unwrap()
    };
    let t = title("iam.user.inactive", &user("old-key"));
    assert!(
        t.contains("inactive for 150 days") || t.contains("inactive for 149 days"),
        "{t}"
    );
    let t = title("iam.role.unused", &role("old-unused-role"));
    assert!(t.contains("never used"), "{t}");
    let t = title("iam.role.unused", &role("stale-role"));
    assert!(t.contains("last used 15"), "{t}");

    // RoleLastUsed comes from the authorization details (empty for a role never used, as the
    // titles above show), description and session length from one ListRoles: no GetRole.
    assert_eq!(emu.calls("iam", "ListRoles", "us-east-1").len(), 1);
    assert!(emu.calls("iam", "GetRole", "us-east-1").is_empty());
    // AWS managed policies: left out of the authorization details, the attached one read alone.
    let policies: Vec<String> = emu
        .calls("iam", "GetPolicy", "us-east-1")
        .iter()
        .filter_map(|c| c["params"]["PolicyArn"].as_str().map(str::to_string))
        .collect();
    assert_eq!(policies, ["arn:aws:iam::aws:policy/AWSSupportAccess"]);

    // --fail-on: critical (trust-anyone) fails, none never fails; a medium-only rule set
    // passes a high threshold and fails a medium one.
    let code = |args: &[&str]| {
        guardpost(home.path(), &emu.url, args)
            .status
            .code()
            .unwrap()
    };
    assert_eq!(code(&["--fail-on", "critical"]), 1);
    assert_eq!(code(&["--fail-on", "none"]), 0);
    let medium = ["--rule", "iam.user.multiple-active-keys"];
    assert_eq!(code(&[&medium[..], &["--fail-on", "high"]].concat()), 0);
    assert_eq!(code(&[&medium[..], &["--fail-on", "medium"]].concat()), 1);
    assert_eq!(code(&["--rule", "iam.no-such-rule"]), 2);
}

/// `check` reads what its rules need (issue 15): the finding sources' state (DescribeHub,
/// ListDetectors + GetDetector, ListAnalyzers), never their findings unless --all-findings;
/// `--services` narrows the rules and the reads; an unknown service is exit 2 before any call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reads_only_what_its_rules_need() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let ctx = live::context(&emu.url, &["us-east-1"])
        .await
        .expect("resolves");
    let acct = ctx.account_id.clone();
    // us-east-1: every finding source on with findings; eu-west-1: all of them off.
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({
            "account": acct,
            "securityhub": {"us-east-1": {"generate": 230}, "eu-west-1": {"enabled": false}},
            "guardduty": {"us-east-1": {"generate": 5}},
            "accessanalyzer": {"us-east-1": [{"name": "ext", "generate": 3}]},
        })),
    );
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        emu.control("DELETE", "/_guardpost/requests", None);
        let mut all = vec!["check", "--format", "json", "--fail-on", "none"];
        all.extend_from_slice(args);
        let out = live::guardpost(home.path(), &emu.url, &["us-east-1", "eu-west-1"], &all)
            .output()
            .expect("run guardpost");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        (out, stderr)
    };
    let calls = |service: &str, op: &str| {
        ["us-east-1", "eu-west-1"]
            .iter()
            .map(|r| emu.calls(service, op, r).len())
            .sum::<usize>()
    };
    let finding_reads = |label: &str| {
        for (service, op) in [
            ("securityhub", "GetFindings"),
            ("guardduty", "ListFindings"),
            ("guardduty", "GetFindings"),
            ("accessanalyzer", "ListFindingsV2"),
            ("accessanalyzer", "GetFindingV2"),
        ] {
            assert_eq!(calls(service, op), 0, "{label}: {service}:{op} was called");
        }
    };

    // Posture only: the state of every finding source in both regions, no finding read.
    let (out, stderr) = run(&[]);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    finding_reads("check");
    for (service, op) in [
        ("securityhub", "DescribeHub"),
        ("guardduty", "ListDetectors"),
        ("accessanalyzer", "ListAnalyzers"),
    ] {
        assert_eq!(calls(service, op), 2, "{service}:{op} once per region");
    }
    // Every call of the state-only read is in the documented read-only policy.
    let policy = live::DocsPolicy::load("iam-policy-readonly.json");
    let log = emu.control("GET", "/_guardpost/requests", None);
    for c in log["requests"].as_array().unwrap() {
        let action = live::logged_action(c);
        assert!(
            policy.allows(&action),
            "check called {action}, not in the policy"
        );
    }
    let r: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let cov = &r["coverage"]["sources"];
    assert_eq!(cov["securityhub"]["us-east-1"]["state"], "state_only");
    assert_eq!(cov["guardduty"]["us-east-1"]["state"], "state_only");
    assert_eq!(cov["access-analyzer"]["us-east-1"]["state"], "state_only");
    assert_eq!(cov["securityhub"]["eu-west-1"]["state"], "off");
    assert_eq!(r["coverage"]["complete"], true);
    let service_rules = pairs(&r, |rule| rule.starts_with("service."));
    let region = |svc: &str, reg: &str| format!("arn:aws:{svc}:{reg}:{acct}:");
    let want: BTreeSet<(String, String)> = [
        (
            "service.securityhub.disabled",
            region("securityhub", "eu-west-1"),
        ),
        (
            "service.guardduty.disabled",
            region("guardduty", "eu-west-1"),
        ),
        (
            "service.access-analyzer.no-external-analyzer",
            region("access-analyzer", "eu-west-1"),
        ),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b))
    .collect();
    assert_eq!(service_rules, want, "{r:#}");
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["source"] == "Posture"),
        "only posture findings without --all-findings"
    );

    // --all-findings reads them: Security Hub's 230 in three pages, GuardDuty's and the
    // analyzer's.
    let (out, stderr) = run(&["--all-findings"]);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Three pages in us-east-1, and the one call that finds it off in eu-west-1.
    assert_eq!(
        emu.calls("securityhub", "GetFindings", "us-east-1").len(),
        3
    );
    assert_eq!(
        emu.calls("securityhub", "GetFindings", "eu-west-1").len(),
        1
    );
    assert_eq!(calls("accessanalyzer", "GetFindingV2"), 3);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(count_of(&r, "SecurityHub"), 230);
    assert_eq!(count_of(&r, "GuardDuty"), 5);
    assert_eq!(count_of(&r, "AccessAnalyzer"), 3);
    assert_eq!(
        r["coverage"]["sources"]["securityhub"]["us-east-1"]["state"],
        "complete"
    );

    // --services iam: IAM only, the other services neither called nor checked.
    let (out, stderr) = run(&["--services", "iam"]);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for (service, op) in [
        ("securityhub", "DescribeHub"),
        ("guardduty", "ListDetectors"),
        ("accessanalyzer", "ListAnalyzers"),
    ] {
        assert_eq!(
            calls(service, op),
            0,
            "--services iam called {service}:{op}"
        );
    }
    assert!(
        !emu.calls("iam", "GetAccountAuthorizationDetails", "us-east-1")
            .is_empty()
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(pairs(&r, |rule| rule.starts_with("service.")).is_empty());
    assert!(
        r["coverage"]["sources"].get("securityhub").is_none(),
        "{r:#}"
    );
    let rules = r["rules"].as_array().unwrap();
    assert!(!rules.is_empty());
    assert!(
        rules
            .iter()
            .all(|x| x.as_str().unwrap().starts_with("iam.")),
        "{rules:?}"
    );

    // --services guardduty --all-findings: GuardDuty's findings and rule, nothing else.
    let (out, stderr) = run(&["--services", "guardduty", "--all-findings"]);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(calls("securityhub", "GetFindings"), 0);
    assert_eq!(calls("iam", "GetAccountAuthorizationDetails"), 0);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(count_of(&r, "GuardDuty"), 5);
    assert_eq!(count_of(&r, "SecurityHub"), 0);

    // An unknown service: exit 2 naming the valid ones, before any request.
    let (out, stderr) = run(&["--services", "iam,s4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("unknown service \"s4\"") && stderr.contains("valid services:"),
        "{stderr}"
    );
    assert!(
        emu.calls("sts", "GetCallerIdentity", "us-east-1")
            .is_empty()
    );
}

fn count_of(report: &Value, source: &str) -> usize {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["source"] == source)
        .count()
}
