//! `guardpost check` end to end: the real binary on the demo and on small crafted snapshots.
//! Every format is parsed and checked; JSON against docs/check.schema.json, SARIF against the
//! official SARIF 2.1.0 schema (tests/fixtures/sarif-schema-2.1.0.json, see the .md beside it).

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use tempfile::TempDir;

pub(crate) struct Env {
    dir: TempDir,
}

impl Env {
    pub(crate) fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// The binary with a private config dir and log dir, no terminal and no input.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_guardpost"))
            .args(args)
            .env_remove("GUARDPOST_CONFIG")
            .env_remove("TERM")
            .env("XDG_CONFIG_HOME", self.path("config-home"))
            .env("GUARDPOST_STATE_DIR", self.path("state"))
            .stdin(Stdio::null())
            .output()
            .expect("run guardpost")
    }
}

pub(crate) fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

pub(crate) fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(o), stderr(o)))
}

pub(crate) fn rule_ids(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

const ACCT: &str = "123456789012";

/// A well-run account in one region: no default or sandbox rule fires.
pub(crate) fn clean_snapshot() -> Value {
    let arn = |s: &str| format!("arn:aws:iam::{ACCT}:{s}");
    json!({
        "format": "guardpost-snapshot",
        "version": 1,
        "captured_at": "2026-06-01T12:00:00Z",
        "account": {"id": ACCT, "alias": "sandbox-7"},
        "regions": ["eu-west-1"],
        "iam": {
            "AccountId": ACCT,
            "UserDetailList": [{
                "UserName": "alice",
                "UserId": "AIDAALICE",
                "Arn": arn("user/alice"),
                "CreateDate": "2025-01-01T00:00:00Z",
                "PasswordLastUsed": "2026-05-31T08:00:00Z",
                "Tags": [{"Key": "owner", "Value": "platform"}],
                "MfaDevices": [{"SerialNumber": arn("mfa/alice"), "EnableDate": "2025-01-02T00:00:00Z"}],
                "LoginProfile": {"CreateDate": "2025-01-01T00:00:00Z"}
            }],
            "RoleDetailList": [{
                "RoleName": "support",
                "RoleId": "AROASUPPORT",
                "Arn": arn("role/support"),
                "CreateDate": "2025-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"AWS": arn("root")}, "Action": "sts:AssumeRole",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]},
                "AttachedManagedPolicies": [{"PolicyName": "AWSSupportAccess",
                    "PolicyArn": "arn:aws:iam::aws:policy/AWSSupportAccess"}]
            }],
            "PasswordPolicy": {"MinimumPasswordLength": 14, "PasswordReusePrevention": 24},
            "Root": {"AccountMfaEnabled": true, "AccountAccessKeysPresent": false}
        },
        "services": [
            {"service": "securityhub", "region": "eu-west-1", "enabled": true},
            {"service": "guardduty", "region": "eu-west-1", "enabled": true},
            {"service": "access-analyzer", "region": "eu-west-1", "enabled": true, "detail": "ACCOUNT"}
        ],
        // A healthy network and storage baseline: an emptied default group, an SSH group open
        // only to a private range, an ACL that denies the world first, a VPC with a flow log,
        // an IMDSv2-only instance, EBS encryption by default on.
        "ec2": [{
            "region": "eu-west-1",
            "security_groups": [
                {"id": "sg-default", "name": "default", "vpc_id": "vpc-1"},
                {"id": "sg-ssh", "name": "ssh", "vpc_id": "vpc-1", "ingress": [
                    {"protocol": "tcp", "from_port": 22, "to_port": 22, "ipv4": ["10.0.0.0/8"]}]}
            ],
            "network_acls": [{"id": "acl-1", "vpc_id": "vpc-1", "is_default": true, "entries": [
                {"rule_number": 10, "egress": false, "protocol": "-1", "action": "deny", "cidr": "0.0.0.0/0"},
                {"rule_number": 100, "egress": false, "protocol": "-1", "action": "allow", "cidr": "0.0.0.0/0"}
            ]}],
            "vpcs": [{"id": "vpc-1", "is_default": true, "flow_logs": ["fl-1"]}],
            "instances": [{"id": "i-1", "state": "running", "http_tokens": "required", "http_endpoint": "enabled"}],
            "ebs_encryption_by_default": true
        }],
        // A multi-region trail, logging every management event, validated, KMS-encrypted,
        // delivering to CloudWatch Logs.
        "trails": [{
            "region": "eu-west-1",
            "trails": [{"name": "management", "arn": format!("arn:aws:cloudtrail:eu-west-1:{ACCT}:trail/management"),
                "home_region": "eu-west-1", "multi_region": true, "log_file_validation": true,
                "kms_key_id": "alias/trail", "cloudwatch_logs_log_group_arn": format!("arn:aws:logs:eu-west-1:{ACCT}:log-group:t:*"),
                "s3_bucket": "audit", "logging": true, "management": "all"}]
        }],
        // AWS Config recording every resource type, global ones too, with a channel.
        "config_recorders": [{
            "region": "eu-west-1",
            "recorders": [{"name": "default", "all_supported": true, "include_global": true, "recording": true}],
            "delivery_channels": ["default"]
        }],
        "contacts": {"security": {"name": "Security team", "email": "security@acme.example"}},
        // Every CIS section 4 control: a filter on the trail's group, an alarm, a subscriber.
        "monitoring": [clean_monitoring()],
        // Block Public Access all on; the trail's bucket private, with access logs.
        "s3": {
            "public_access_block": {"block_public_acls": true, "ignore_public_acls": true,
                "block_public_policy": true, "restrict_public_buckets": true},
            "trail_buckets": [{"name": "audit", "trails": ["management"], "policy_public": false,
                "acl_public": false, "public_access_block": {"block_public_acls": true,
                "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true},
                "logging_target": "access-logs"}]
        }
    })
}

fn clean_monitoring() -> Value {
    use guardpost::posture::monitoring::{MONITORS, recommended_pattern};
    let topic = format!("arn:aws:sns:eu-west-1:{ACCT}:security-alerts");
    let metric =
        |m: &guardpost::posture::monitoring::Monitor| json!({"namespace": "CIS", "name": m.rule});
    json!({
        "region": "eu-west-1",
        "metric_filters": MONITORS.iter().map(|m| json!({"name": m.rule, "log_group": "t",
            "pattern": recommended_pattern(m), "metrics": [metric(m)]})).collect::<Vec<_>>(),
        "alarms": MONITORS.iter().map(|m| json!({"name": m.rule, "metrics": [metric(m)],
            "actions": [topic], "actions_enabled": true})).collect::<Vec<_>>(),
        "subscriptions": [{"topic_arn": topic, "protocol": "email", "confirmed": true}]
    })
}

/// The clean account plus bob (console without MFA, an active access key) and Security Hub off.
fn misconfigured_snapshot() -> Value {
    let mut s = clean_snapshot();
    s["iam"]["UserDetailList"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "UserName": "bob",
            "UserId": "AIDABOB",
            "Arn": format!("arn:aws:iam::{ACCT}:user/bob"),
            "CreateDate": "2025-01-01T00:00:00Z",
            "PasswordLastUsed": "2026-05-31T08:00:00Z",
            "Tags": [{"Key": "owner", "Value": "bob"}],
            "LoginProfile": {"CreateDate": "2025-01-01T00:00:00Z"},
            "AccessKeys": [{"AccessKeyId": "AKIABOB0000000000001", "Status": "Active",
                "CreateDate": "2026-05-20T00:00:00Z",
                "LastUsed": {"LastUsedDate": "2026-05-31T00:00:00Z", "ServiceName": "s3"}}]
        }));
    s["services"][0]["enabled"] = json!(false);
    s
}

pub(crate) fn snapshot_file(env: &Env, name: &str, snap: &Value) -> String {
    env.write(name, &serde_json::to_string_pretty(snap).unwrap())
        .display()
        .to_string()
}

pub(crate) fn validator(schema_path: &str) -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(schema_path)).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{schema_path}: {e}"))
}

pub(crate) fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}",
        errors.join("\n")
    );
}

// ---------------------------------------------------------------- crafted snapshots

#[test]
fn clean_account_passes_with_no_findings() {
    let env = Env::new();
    let snap = snapshot_file(&env, "clean.json", &clean_snapshot());
    for profile in ["default", "sandbox"] {
        let o = env.run(&[
            "check",
            "--snapshot",
            &snap,
            "--format",
            "json",
            "--profile-rules",
            profile,
        ]);
        assert_eq!(code(&o), 0, "{profile}: {}", stderr(&o));
        let r = json_out(&o);
        assert_eq!(r["findings"], json!([]), "{profile}");
        assert_eq!(r["result"], "pass");
        assert_eq!(r["summary"]["score"], 100);
        assert_eq!(r["summary"]["failing_rules"], 0);
        assert_eq!(r["warnings"], json!([]));
        assert_eq!(r["profile"], profile);
    }
    let o = env.run(&["check", "--snapshot", &snap]);
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    assert!(text.contains("PASS: nothing at or above LOW"), "{text}");
    assert!(text.contains("No findings."), "{text}");
    assert!(text.contains("account 123456789012 (sandbox-7)"), "{text}");
}

#[test]
fn misconfigured_account_fails_with_the_exact_rules() {
    let env = Env::new();
    let snap = snapshot_file(&env, "bad.json", &misconfigured_snapshot());
    let o = env.run(&["check", "--snapshot", &snap, "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let r = json_out(&o);
    // Worst first: HIGH, then MEDIUM.
    assert_eq!(
        rule_ids(&r),
        [
            "service.securityhub.disabled",
            "iam.user.console-without-mfa"
        ]
    );
    assert_eq!(r["result"], "fail");
    assert_eq!(r["summary"]["by_severity"]["HIGH"], 1);
    assert_eq!(r["summary"]["by_severity"]["MEDIUM"], 1);
    let f = &r["findings"][1];
    assert_eq!(
        f["resource"]["arn"],
        format!("arn:aws:iam::{ACCT}:user/bob")
    );
    assert_eq!(f["resource"]["type"], "AwsIamUser");
    assert_eq!(f["resource"]["name"], "bob");
    assert_eq!(f["region"], "global");
    assert_eq!(f["source"], "Posture");
    assert_eq!(f["status"], "NEW");
    assert!(
        f["controls"]
            .as_array()
            .unwrap()
            .contains(&json!({"framework": "aws-fsbp", "id": "IAM.5"}))
    );
    let sh = &r["findings"][0];
    assert_eq!(sh["region"], "eu-west-1");
    assert_eq!(sh["severity"], "HIGH");

    // The sandbox profile also wants no access keys at all.
    let o = env.run(&[
        "check",
        "--snapshot",
        &snap,
        "--format",
        "json",
        "--profile-rules",
        "sandbox",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        rule_ids(&json_out(&o)),
        [
            "service.securityhub.disabled",
            "iam.user.access-key",
            "iam.user.console-without-mfa"
        ]
    );

    // --rule narrows to the named rules.
    let o = env.run(&[
        "check",
        "--snapshot",
        &snap,
        "--format",
        "json",
        "--rule",
        "iam.user.console-without-mfa",
        "--rule",
        "iam.root.no-mfa",
    ]);
    assert_eq!(code(&o), 1);
    let r = json_out(&o);
    assert_eq!(rule_ids(&r), ["iam.user.console-without-mfa"]);
    assert_eq!(r["profile"], "custom");
    assert_eq!(
        r["rules"],
        json!(["iam.root.no-mfa", "iam.user.console-without-mfa"])
    );
}

#[test]
fn fail_on_sets_the_threshold() {
    let env = Env::new();
    let snap = snapshot_file(&env, "bad.json", &misconfigured_snapshot());
    // Worst finding is HIGH.
    for (level, want) in [
        ("critical", 0),
        ("high", 1),
        ("medium", 1),
        ("low", 1),
        ("info", 1),
        ("none", 0),
    ] {
        let o = env.run(&["check", "--snapshot", &snap, "--fail-on", level]);
        assert_eq!(code(&o), want, "--fail-on {level}: {}", stdout(&o));
    }
    let o = env.run(&[
        "check",
        "--snapshot",
        &snap,
        "--fail-on",
        "critical",
        "--format",
        "json",
    ]);
    let r = json_out(&o);
    assert_eq!(
        (r["result"].as_str(), r["fail_on"].as_str()),
        (Some("pass"), Some("CRITICAL"))
    );
    assert_eq!(r["summary"]["failing"], 0);
    assert_eq!(r["summary"]["findings"], 2);
}

#[test]
fn malformed_snapshot_exits_2_naming_file_and_line() {
    let env = Env::new();
    let p = env.write(
        "broken.json",
        "{\n  \"format\": \"guardpost-snapshot\",\n  \"version\": 1,,\n}\n",
    );
    let o = env.run(&["check", "--snapshot", p.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains(p.to_str().unwrap()) && err.contains("line 3"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
    let o = env.run(&[
        "check",
        "--snapshot",
        env.path("missing.json").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("missing.json"), "{}", stderr(&o));
}

#[test]
fn unknown_rule_or_profile_exits_2_listing_valid_ones() {
    let env = Env::new();
    let o = env.run(&["check", "--demo", "--rule", "iam.user.nope"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("unknown rule \"iam.user.nope\""), "{err}");
    for id in guardpost::posture::rules().iter().map(|r| r.id) {
        assert!(err.contains(id), "{id} missing from: {err}");
    }
    assert!(o.stdout.is_empty());

    let o = env.run(&["check", "--demo", "--profile-rules", "prod"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown rule profile \"prod\"; valid profiles: default, sandbox"),
        "{}",
        stderr(&o)
    );
    // Format and severity values are checked by the argument parser: also exit 2.
    let o = env.run(&["check", "--demo", "--format", "xml"]);
    assert_eq!(code(&o), 2);
    let o = env.run(&["check", "--demo", "--fail-on", "severe"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn config_selects_the_profile_and_the_flag_wins() {
    let env = Env::new();
    let snap = snapshot_file(&env, "bad.json", &misconfigured_snapshot());
    let cfg = env.write("config.toml", "[check]\nprofile = \"sandbox\"\n");
    let cfg = cfg.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "check",
            "--snapshot",
            &snap,
            "--config",
            cfg,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        json_out(&env.run(&args))
    };
    assert_eq!(run(&[])["profile"], "sandbox");
    assert!(rule_ids(&run(&[])).contains(&"iam.user.access-key".to_string()));
    assert_eq!(run(&["--profile-rules", "default"])["profile"], "default");

    let bad = env.write("bad.toml", "[check]\nprofile = \"strict\"\n");
    let o = env.run(&["check", "--demo", "--config", bad.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown rule profile \"strict\"; valid profiles: default, sandbox"),
        "{}",
        stderr(&o)
    );
}

/// A policy document that does not parse is reported on that policy and every other rule
/// still runs; unknown credential-report columns and values are tolerated.
#[test]
fn unparseable_policy_and_odd_credential_report_do_not_stop_the_check() {
    let env = Env::new();
    let mut snap = misconfigured_snapshot();
    let policy_arn = format!("arn:aws:iam::{ACCT}:policy/Broken");
    snap["iam"]["Policies"] = json!([{
        "PolicyName": "Broken", "PolicyId": "ANPABROKEN", "Arn": policy_arn,
        "DefaultVersionId": "v1", "AttachmentCount": 1,
        "CreateDate": "2025-01-01T00:00:00Z", "UpdateDate": "2025-01-01T00:00:00Z",
        "Document": "{\"Statement\": [ oops"
    }]);
    snap["iam"]["RoleDetailList"][0]["AttachedManagedPolicies"]
        .as_array_mut()
        .unwrap()
        .push(json!({"PolicyName": "Broken", "PolicyArn": policy_arn}));
    // Every column of the snapshot's row (the snapshot format needs them all), odd values,
    // and a column guardpost does not know.
    let mut row = serde_json::Map::new();
    for col in [
        "password_last_changed",
        "password_next_rotation",
        "access_key_1_last_rotated",
        "access_key_1_last_used_region",
        "access_key_1_last_used_service",
        "access_key_2_active",
        "access_key_2_last_rotated",
        "access_key_2_last_used_date",
        "access_key_2_last_used_region",
        "access_key_2_last_used_service",
        "cert_1_active",
        "cert_1_last_rotated",
        "cert_2_active",
        "cert_2_last_rotated",
    ] {
        row.insert(col.into(), json!("N/A"));
    }
    for (col, v) in [
        ("user", "alice".to_string()),
        ("arn", format!("arn:aws:iam::{ACCT}:user/alice")),
        ("user_creation_time", "2025-01-01T00:00:00+00:00".into()),
        ("password_enabled", "true".into()),
        ("password_last_used", "some-future-token".into()),
        ("mfa_active", "true".into()),
        ("access_key_1_active", "maybe".into()),
        ("access_key_1_last_used_date", "not_a_date".into()),
        ("a_column_from_2030", "x".into()),
    ] {
        row.insert(col.into(), json!(v));
    }
    snap["iam"]["CredentialReport"] = json!([row]);
    let file = snapshot_file(&env, "odd.json", &snap);
    let o = env.run(&["check", "--snapshot", &file, "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let r = json_out(&o);
    let mut got: Vec<(String, String)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["resource"]["arn"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let user = |n: &str| format!("arn:aws:iam::{ACCT}:user/{n}");
    assert_eq!(
        got,
        [
            ("iam.policy.unparseable".to_string(), policy_arn.clone()),
            ("iam.user.console-without-mfa".to_string(), user("bob")),
            (
                "service.securityhub.disabled".to_string(),
                format!("arn:aws:securityhub:eu-west-1:{ACCT}:")
            ),
        ]
    );
}

// ---------------------------------------------------------------- the demo, every format

#[test]
fn demo_json_validates_against_the_documented_schema() {
    let env = Env::new();
    let schema = validator("docs/check.schema.json");
    let o = env.run(&["check", "--demo", "--format", "json"]);
    assert_eq!(code(&o), 1);
    let r = json_out(&o);
    assert_valid(&schema, &r, "demo JSON");
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["account"], "111122223333");
    assert_eq!(r["origin"], "demo");
    assert_eq!(r["generated_at"], "2026-11-20T09:00:00Z");
    assert_eq!(
        r["regions"],
        json!(["us-east-1", "eu-west-1", "ap-southeast-2"])
    );
    let findings = r["findings"].as_array().unwrap();
    assert_eq!(r["summary"]["findings"], findings.len());
    assert!(findings.iter().all(|f| f["source"] == "Posture"));
    // Sorted worst first.
    let order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"];
    let ranks: Vec<usize> = findings
        .iter()
        .map(|f| order.iter().position(|s| f["severity"] == *s).unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    // The default profile leaves the opt-in rule out.
    assert!(
        !r["rules"]
            .as_array()
            .unwrap()
            .contains(&json!("iam.user.access-key"))
    );
    assert!(!rule_ids(&r).contains(&"iam.user.access-key".to_string()));

    // The schema really bites: a missing or misspelt field is rejected.
    let mut broken = r.clone();
    broken["findings"][0]
        .as_object_mut()
        .unwrap()
        .remove("remediation");
    assert!(!schema.is_valid(&broken));
    let mut broken = r.clone();
    broken["summary"]["by_severity"]["SEVERE"] = json!(1);
    assert!(!schema.is_valid(&broken));

    // --all-findings adds the other sources' open findings; still valid.
    let o = env.run(&["check", "--demo", "--format", "json", "--all-findings"]);
    let all = json_out(&o);
    assert_valid(&schema, &all, "demo JSON --all-findings");
    let sources: std::collections::BTreeSet<&str> = all["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["source"].as_str().unwrap())
        .collect();
    for s in ["Posture", "SecurityHub", "GuardDuty", "AccessAnalyzer"] {
        assert!(sources.contains(s), "{s} missing: {sources:?}");
    }
    assert!(
        all["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| { f["status"] == "NEW" || f["status"] == "NOTIFIED" })
    );
}

#[test]
fn demo_sarif_validates_against_the_sarif_2_1_0_schema() {
    let env = Env::new();
    let schema = validator("tests/fixtures/sarif-schema-2.1.0.json");
    for extra in [
        &[][..],
        &["--all-findings"][..],
        &["--profile-rules", "sandbox"][..],
    ] {
        let mut args = vec!["check", "--demo", "--format", "sarif"];
        args.extend_from_slice(extra);
        let o = env.run(&args);
        assert_eq!(code(&o), 1);
        let s = json_out(&o);
        assert_valid(&schema, &s, &format!("SARIF {extra:?}"));
        assert_eq!(s["version"], "2.1.0");
        let run = &s["runs"][0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "guardpost");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        // Only a real address (Cargo.toml's `repository`), never a made-up one.
        assert_eq!(
            driver.get("informationUri").and_then(|u| u.as_str()),
            Some(env!("CARGO_PKG_REPOSITORY")).filter(|u| !u.is_empty())
        );
        let rules = driver["rules"].as_array().unwrap();
        let results = run["results"].as_array().unwrap();
        assert!(!results.is_empty());
        for res in results {
            let i = res["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], res["ruleId"]);
            let loc = &res["locations"][0]["logicalLocations"][0];
            assert!(
                loc["fullyQualifiedName"]
                    .as_str()
                    .unwrap()
                    .starts_with("arn:")
            );
            assert!(!loc["kind"].as_str().unwrap().is_empty());
            assert!(res["partialFingerprints"]["guardpostFindingId/v1"].is_string());
            let want = match res["properties"]["severity"].as_str().unwrap() {
                "CRITICAL" | "HIGH" => "error",
                "MEDIUM" => "warning",
                _ => "note",
            };
            assert_eq!(res["level"], want);
        }
    }
    // Posture rules carry their description, remediation and control tags.
    let s = json_out(&env.run(&["check", "--demo", "--format", "sarif"]));
    let rules = s["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let r = rules
        .iter()
        .find(|r| r["id"] == "iam.user.console-without-mfa")
        .unwrap();
    assert_eq!(r["shortDescription"]["text"], "Console user without MFA");
    assert!(
        r["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .contains("phishing")
    );
    assert!(r["help"]["text"].as_str().unwrap().contains("MFA"));
    assert_eq!(r["defaultConfiguration"]["level"], "warning");
    let tags = r["properties"]["tags"].as_array().unwrap();
    assert!(tags.contains(&json!("aws-fsbp/IAM.5")), "{tags:?}");
    assert!(
        tags.contains(&json!("cis-aws-foundations-3.0.0/1.10")),
        "{tags:?}"
    );
    // The schema really bites: a result with an unknown level is rejected.
    let mut broken = s.clone();
    broken["runs"][0]["results"][0]["level"] = json!("fatal");
    assert!(!schema.is_valid(&broken));
    // Fingerprints are stable from run to run.
    let again = json_out(&env.run(&["check", "--demo", "--format", "sarif"]));
    assert_eq!(s, again);
}

#[test]
fn demo_markdown_has_header_summary_and_severity_groups() {
    let env = Env::new();
    let o = env.run(&["check", "--demo", "--format", "markdown"]);
    assert_eq!(code(&o), 1);
    let md = stdout(&o);
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(
        headings[0],
        "# guardpost check: account 111122223333 (acme-prod)"
    );
    for h in [
        "## Summary",
        "## Findings",
        "### Critical (1)",
        "### High (18)",
        "### Low (40)",
    ] {
        assert!(headings.contains(&h), "{h} not in {headings:?}");
    }
    assert!(md.contains("- **Regions:** `us-east-1`, `eu-west-1`, `ap-southeast-2`"));
    assert!(md.contains("captured 2026-11-20T09:00:00Z"));
    assert!(md.contains("| Severity | Findings |"));
    assert!(md.contains("| High | 18 |"));
    assert!(md.contains("#### `iam.user.console-without-mfa` User bob can sign in"));
    assert!(md.contains("- **Controls:** aws-fsbp IAM.5"));
    assert!(md.contains("- **Remediation:** "));
    // Severity groups come worst first.
    let pos = |h: &str| md.find(h).unwrap();
    assert!(pos("### Critical") < pos("### High") && pos("### High") < pos("### Medium"));
}

#[test]
fn sandbox_profile_on_the_demo_flags_users_with_access_keys() {
    let env = Env::new();
    let o = env.run(&[
        "check",
        "--demo",
        "--profile-rules",
        "sandbox",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1);
    let r = json_out(&o);
    let mut users: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "iam.user.access-key")
        .map(|f| f["resource"]["name"].as_str().unwrap())
        .collect();
    users.sort();
    // Every demo user with a key, inactive ones (heidi) included; eve, frank, grace and
    // break-glass-1 have none.
    assert_eq!(
        users,
        [
            "alice",
            "bob",
            "break-glass-2",
            "carol",
            "ci-deploy",
            "dave",
            "heidi",
            "legacy-backup",
            "svc-reporting",
            "terraform"
        ]
    );
    let mut rules: Vec<&str> = r["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    rules.sort();
    assert_eq!(rules, {
        let mut s = guardpost::check::SANDBOX_RULES.to_vec();
        s.sort();
        s
    });
    // Security Hub off and no external analyzer in ap-southeast-2.
    let ids = rule_ids(&r);
    assert!(ids.contains(&"service.securityhub.disabled".to_string()));
    assert!(ids.contains(&"service.access-analyzer.no-external-analyzer".to_string()));
    assert!(ids.contains(&"iam.policy.admin-star".to_string()));
    assert!(ids.contains(&"iam.user.console-without-mfa".to_string()));
}

#[test]
fn output_file_gets_the_report_and_stdout_the_verdict() {
    let env = Env::new();
    let out = env.path("report.sarif");
    let o = env.run(&[
        "check",
        "--demo",
        "--format",
        "sarif",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1);
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("FAIL: 97 finding(s) at or above LOW"),
        "{text}"
    );
    assert!(text.contains("report.sarif"), "{text}");
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");

    let nowhere = env.path("no/such/dir/report.json");
    let o = env.run(&["check", "--demo", "--output", nowhere.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("cannot write the report"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn table_is_plain_text_worst_first() {
    let env = Env::new();
    let o = env.run(&["check", "--demo"]);
    assert_eq!(code(&o), 1);
    let text = stdout(&o);
    assert!(!text.contains('\u{1b}'), "escape sequences in: {text}");
    let mut lines = text.lines();
    let head = lines.next().unwrap();
    assert!(
        head.contains("account 111122223333 (acme-prod)")
            && head.contains("us-east-1, eu-west-1, ap-southeast-2")
            && head.contains("demo"),
        "{head}"
    );
    assert!(text.contains("1 critical, 18 high, 38 medium, 40 low, 0 info | score"));
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("SEVERITY"))
        .skip(1)
        .collect();
    assert_eq!(rows.len(), 97);
    assert!(rows[0].starts_with("CRITICAL  iam.role.trust-any-principal"));
    assert!(rows.last().unwrap().starts_with("LOW "));
}

#[test]
fn problems_of_an_older_snapshot_become_coverage_and_no_rule_passes_on_missing_data() {
    let env = Env::new();
    let schema = validator("docs/check.schema.json");
    // A snapshot without `coverage`: Security Hub could not be read in eu-west-1 (so its state
    // there is unknown) and IAM's credential report was denied.
    let mut s = clean_snapshot();
    s["services"].as_array_mut().unwrap().remove(0);
    s["problems"] = json!([
        {"source": "securityhub", "region": "eu-west-1",
         "message": "AccessDenied: missing permission securityhub:GetFindings"},
        {"source": "iam", "message": "AccessDenied: missing permission iam:GetCredentialReport"}
    ]);
    let snap = snapshot_file(&env, "gaps.json", &s);
    let o = env.run(&["check", "--snapshot", &snap, "--format", "json"]);
    assert_eq!(code(&o), 0, "unknown is not a failure: {}", stderr(&o));
    let r = json_out(&o);
    assert_valid(&schema, &r, "JSON with incomplete coverage");
    assert_eq!(r["coverage"]["complete"], false);
    assert_eq!(
        r["coverage"]["sources"]["securityhub"]["eu-west-1"],
        json!({"state": "denied", "permission": "securityhub:GetFindings", "records": 0})
    );
    assert_eq!(
        r["coverage"]["sources"]["iam"]["global"]["notes"],
        json!(["AccessDenied: missing permission iam:GetCredentialReport"])
    );
    assert_eq!(
        r["coverage"]["sources"]["iam"]["global"]["state"],
        "partial"
    );
    assert_eq!(
        r["coverage"]["sources"]["guardduty"]["eu-west-1"]["state"],
        "complete"
    );
    let unknown: Vec<&str> = r["unknown_rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "service.securityhub.disabled",
        "iam.root.no-mfa",
        "iam.user.console-without-mfa",
    ] {
        assert!(unknown.contains(&rule), "{rule}: {unknown:?}");
    }
    assert!(
        !unknown.contains(&"service.guardduty.disabled"),
        "{unknown:?}"
    );
    let sum = &r["summary"];
    assert_eq!(sum["unknown_rules"], unknown.len());
    assert_eq!(
        sum["passed_rules"].as_u64().unwrap() as usize + unknown.len(),
        r["rules"].as_array().unwrap().len(),
        "an unknown rule is not a passed one"
    );

    let o = env.run(&["check", "--snapshot", &snap, "--require-complete"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains(
            "INCOMPLETE: Security Hub denied in eu-west-1 (securityhub:GetFindings) · IAM partial (AccessDenied: missing permission iam:GetCredentialReport)"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "unknown: service.securityhub.disabled: Security Hub state unknown in eu-west-1: denied (securityhub:GetFindings)"
        ),
        "{text}"
    );
    assert!(stderr(&o).contains("coverage is incomplete (--require-complete)"));

    // Everything read: --require-complete changes nothing.
    let clean = snapshot_file(&env, "clean.json", &clean_snapshot());
    let o = env.run(&[
        "check",
        "--snapshot",
        &clean,
        "--require-complete",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json_out(&o)["coverage"]["complete"], true);
    assert_eq!(json_out(&o)["unknown_rules"], json!([]));
}
