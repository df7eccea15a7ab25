//! `check --org` end to end: an AWS Organization in the emulator (moto's Organizations and
//! cross-account STS over real HTTP), the real binary reading every account through
//! OrganizationAccountAccessRole, an SCP on one OU, and a member whose role cannot be assumed.

use crate::live;

use live::org::{OUTSIDER, ROLE, setup};
use serde_json::{Value, json};

fn account<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["accounts"]
        .as_array()
        .unwrap_or_else(|| panic!("no accounts in {report:#}"))
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("account {id} not in the report"))
}

fn findings<'a>(a: &'a Value, rule: &str) -> Vec<&'a Value> {
    a["report"]["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("account {} has no report: {a:#}", a["id"]))
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

#[test]
fn check_org_reads_every_account_bounds_escalation_by_scp_and_reports_an_unreadable_one_as_unknown()
{
    let emu = live::emulator::start().expect("the emulator starts (tests/emulator)");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let org = rt.block_on(setup(&emu));
    // The legacy account's role cannot be assumed.
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(
            &json!({"kind": "access_denied", "service": "sts", "operation": "AssumeRole",
            "params": {"RoleArn": format!("arn:aws:iam::{}:role/{ROLE}", org.legacy)}}),
        ),
    );
    emu.control("DELETE", "/_guardpost/requests", None);
    let home = tempfile::tempdir().unwrap();
    let (report, err, code) = live::check_json(
        home.path(),
        &emu.url,
        &["us-east-1"],
        &["--org", "--services", "iam"],
    );
    // An account that could not be read is not a pass.
    assert_eq!(code, Some(2), "{err}\n{report:#}");
    assert_eq!(report["kind"], "organization");
    let schema = |name: &str| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs")
            .join(name);
        let text = std::fs::read_to_string(path).unwrap();
        jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
    };
    let (org_schema, account_schema) =
        (schema("check-org.schema.json"), schema("check.schema.json"));
    let errors: Vec<String> = org_schema
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    for a in report["accounts"].as_array().unwrap() {
        if let Some(r) = a.get("report") {
            let errors: Vec<String> = account_schema
                .iter_errors(r)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", a["id"]);
        }
    }
    assert_eq!(report["result"], "unknown", "{report:#}");
    assert_eq!(report["summary"]["accounts"], 4);
    assert_eq!(report["summary"]["read"], 3);
    assert_eq!(report["summary"]["unknown"], 1);
    assert!(
        err.contains(&format!("account {} could not be read", org.legacy)),
        "{err}"
    );

    let legacy = account(&report, &org.legacy);
    assert_eq!(legacy["state"], "unknown");
    let why = legacy["reason"].as_str().unwrap();
    assert!(
        why.contains("cannot assume role OrganizationAccountAccessRole")
            && why.contains("AccessDenied"),
        "{why}"
    );
    assert!(legacy.get("report").is_none());

    let payments = account(&report, &org.payments);
    assert_eq!(payments["name"], "payments");
    assert_eq!(payments["ou_path"], "Root/workloads/prod");
    assert_eq!(payments["scps"], "read");
    assert_eq!(payments["report"]["account"], org.payments.as_str());
    // Per-account coverage: IAM read completely in this account.
    assert_eq!(
        payments["report"]["coverage"]["sources"]["iam"]["global"]["state"], "complete",
        "{:#}",
        payments["report"]["coverage"]
    );
    // Every finding belongs to the account it is listed under.
    for a in report["accounts"].as_array().unwrap() {
        for f in a["report"]["findings"].as_array().into_iter().flatten() {
            assert_eq!(f["account"], a["id"], "{f:#}");
        }
    }

    // The SCP on prod closes the payments deployer's escalation; sandbox's is open.
    let blocked = findings(payments, "iam.principal.privilege-escalation");
    let blocked: Vec<_> = blocked
        .iter()
        .filter(|f| f["resource"]["name"] == "deployer")
        .collect();
    assert_eq!(blocked.len(), 1, "{payments:#}");
    assert_eq!(blocked[0]["severity"], "LOW");
    let title = blocked[0]["title"].as_str().unwrap();
    assert!(
        title.contains("an SCP blocks")
            && title.contains("iam:AttachUserPolicy denied by SCP no-user-policy-attach")
            && title.contains(&org.prod_ou),
        "{title}"
    );
    let paths = blocked[0]["escalation"].as_array().unwrap();
    assert!(
        paths.iter().all(|p| p["blocked_by"].is_string()),
        "{paths:?}"
    );

    let sandbox = account(&report, &org.sandbox);
    assert_eq!(sandbox["ou_path"], "Root");
    let open: Vec<_> = findings(sandbox, "iam.principal.privilege-escalation")
        .into_iter()
        .filter(|f| f["resource"]["name"] == "deployer")
        .collect();
    assert_eq!(open.len(), 1, "{sandbox:#}");
    assert_ne!(open[0]["severity"], "LOW");
    assert!(
        open[0]["title"]
            .as_str()
            .unwrap()
            .contains("can escalate privileges")
    );
    assert!(
        open[0]["escalation"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p.get("blocked_by").is_none())
    );

    // Trust across the organization's border, both ends named.
    let outside = findings(payments, "iam.role.trusts-outside-organization");
    assert_eq!(outside.len(), 1, "{payments:#}");
    assert_eq!(outside[0]["resource"]["name"], "vendor-access");
    assert_eq!(outside[0]["severity"], "LOW", "an ExternalId-pinned vendor");
    let t = outside[0]["title"].as_str().unwrap();
    assert!(
        t.contains(&format!("account {} (payments)", org.payments))
            && t.contains(&format!("account {OUTSIDER} outside the organization")),
        "{t}"
    );
    let inside = findings(payments, "iam.role.external-trust-unrestricted");
    let t = inside
        .iter()
        .find(|f| f["resource"]["name"] == "ops-from-sandbox")
        .unwrap_or_else(|| panic!("{payments:#}"))["title"]
        .as_str()
        .unwrap();
    assert!(
        t.contains(&format!("account {} (sandbox)", org.sandbox)),
        "{t}"
    );

    // Across accounts: the management account's alice can become admin in every member whose
    // role could be read (legacy's could not: it is not claimed either way).
    let reach = findings(
        account(&report, &org.mgmt),
        "iam.principal.cross-account-admin",
    );
    let alice: Vec<_> = reach
        .iter()
        .filter(|f| f["resource"]["name"] == "alice")
        .collect();
    assert_eq!(alice.len(), 1, "{reach:?}");
    assert_eq!(alice[0]["severity"], "HIGH");
    let t = alice[0]["title"].as_str().unwrap();
    assert!(
        t.contains("can become administrator in 2 accounts (2 without MFA)"),
        "{t}"
    );

    // SARIF: one run per account; the unread one is a failed run naming why, not a clean one.
    let out = live::guardpost(
        home.path(),
        &emu.url,
        &["us-east-1"],
        &[
            "check",
            "--org",
            "--services",
            "iam",
            "--format",
            "sarif",
            "--fail-on",
            "none",
        ],
    )
    .output()
    .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(&sarif).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 4);
    let failed: Vec<&Value> = runs
        .iter()
        .filter(|r| r["invocations"][0]["executionSuccessful"] == false)
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains(&format!("account {} could not be read", org.legacy))
    );

    // The management account is read with the caller's own credentials (SCPs never bind it);
    // each member through its role.
    let mgmt = account(&report, &org.mgmt);
    assert_eq!(mgmt["state"], "read");
    assert_eq!(mgmt["scps"], "do not apply (management account)");
    let assumed: Vec<String> = emu
        .calls("sts", "AssumeRole", "us-east-1")
        .iter()
        .map(|c| c["params"]["RoleArn"].as_str().unwrap().to_string())
        .collect();
    let mut want: Vec<String> = [&org.payments, &org.sandbox, &org.legacy]
        .iter()
        .map(|a| format!("arn:aws:iam::{a}:role/{ROLE}"))
        .collect();
    want.sort();
    let mut got = assumed.clone();
    got.sort();
    got.dedup();
    assert_eq!(got, want);
}

#[test]
fn check_org_narrows_to_named_accounts_and_refuses_an_unknown_one() {
    let emu = live::emulator::start().expect("the emulator starts (tests/emulator)");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let org = rt.block_on(setup(&emu));
    let home = tempfile::tempdir().unwrap();
    let (report, err, code) = live::check_json(
        home.path(),
        &emu.url,
        &["us-east-1"],
        &[
            "--org",
            "--services",
            "iam",
            "--account",
            "sandbox",
            "--account",
            &org.payments,
        ],
    );
    assert_eq!(code, Some(0), "{err}\n{report:#}");
    let ids: Vec<&str> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let mut want = vec![org.payments.as_str(), org.sandbox.as_str()];
    want.sort();
    assert_eq!(ids, want);

    // --fail-on applies across accounts: sandbox's open escalation fails the run.
    let out = live::guardpost(
        home.path(),
        &emu.url,
        &["us-east-1"],
        &[
            "check",
            "--org",
            "--services",
            "iam",
            "--account",
            "sandbox",
            "--fail-on",
            "high",
        ],
    )
    .output()
    .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{table}");
    assert!(
        table.contains(&format!("== {} (sandbox) in Root ==", org.sandbox)),
        "{table}"
    );

    let out = live::guardpost(
        home.path(),
        &emu.url,
        &["us-east-1"],
        &["check", "--org", "--account", "nope"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--account \"nope\" is not an account of the organization (4 accounts)"),
        "{err}"
    );
}

/// Security Hub and GuardDuty administered by the `sandbox` account (the organization's
/// security tooling account) for `payments` and the management account, findings seeded in
/// each account's own name.
async fn delegate_findings(emu: &live::emulator::Emulator, org: &live::org::Org) {
    let ctx = live::context(&emu.url, &["us-east-1"]).await.unwrap();
    let mgmt = ctx.region_config("us-east-1");
    aws_sdk_securityhub::Client::new(&mgmt)
        .enable_organization_admin_account()
        .admin_account_id(&org.sandbox)
        .send()
        .await
        .unwrap();
    aws_sdk_guardduty::Client::new(&mgmt)
        .enable_organization_admin_account()
        .admin_account_id(&org.sandbox)
        .send()
        .await
        .unwrap();
    // The members turn the services on in the region (AWS shows no findings of a member
    // whose Security Hub is off there).
    let payments = live::org::member_conf(&ctx, &org.payments, "us-east-1").await;
    aws_sdk_securityhub::Client::new(&payments)
        .enable_security_hub()
        .send()
        .await
        .unwrap();
    aws_sdk_guardduty::Client::new(&payments)
        .create_detector()
        .enable(true)
        .send()
        .await
        .unwrap();
    aws_sdk_securityhub::Client::new(&mgmt)
        .enable_security_hub()
        .send()
        .await
        .unwrap();
    let admin = live::org::member_conf(&ctx, &org.sandbox, "us-east-1").await;
    let sh = aws_sdk_securityhub::Client::new(&admin);
    let gd = aws_sdk_guardduty::Client::new(&admin);
    for member in [&org.payments, &org.mgmt] {
        sh.create_members()
            .account_details(
                aws_sdk_securityhub::types::AccountDetails::builder()
                    .account_id(member.as_str())
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    let detector = gd.list_detectors().send().await.unwrap().detector_ids()[0].clone();
    gd.create_members()
        .detector_id(detector)
        .account_details(
            aws_sdk_guardduty::types::AccountDetail::builder()
                .account_id(&org.payments)
                .email("payments@example.com")
                .build(),
        )
        .send()
        .await
        .unwrap();
    for (account, sh_ids, gd_ids) in [
        (
            &org.payments,
            vec!["payments-sh-1", "payments-sh-2"],
            vec!["0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a"],
        ),
        (&org.sandbox, vec!["sandbox-sh-1"], vec![]),
        (&org.mgmt, vec!["mgmt-sh-1"], vec![]),
    ] {
        emu.control(
            "POST",
            "/_guardpost/seed",
            Some(&json!({
                "account": account,
                "securityhub": {"us-east-1": sh_ids.iter().map(|id| json!({"Id": id, "Severity": {"Label": "HIGH"}, "Title": format!("seeded {id}")})).collect::<Vec<_>>()},
                "guardduty": {"us-east-1": gd_ids.iter().map(|id| json!({"id": id, "severity": 8.0})).collect::<Vec<_>>()},
            })),
        );
    }
}

fn finding_ids(a: &Value, source: &str) -> Vec<String> {
    let mut out: Vec<String> = a["report"]["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no report: {a:#}"))
        .iter()
        .filter(|f| f["source"] == source)
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn check_org_takes_findings_from_the_delegated_administrator_and_splits_them_by_account() {
    let emu = live::emulator::start().expect("the emulator starts (tests/emulator)");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let org = rt.block_on(setup(&emu));
    rt.block_on(delegate_findings(&emu, &org));
    emu.control("DELETE", "/_guardpost/requests", None);
    let home = tempfile::tempdir().unwrap();
    let args = [
        "--org",
        "--all-findings",
        "--services",
        "securityhub,guardduty",
        "--account",
        "payments",
        "--account",
        "sandbox",
        "--account",
        "master",
    ];
    let (report, err, code) = live::check_json(home.path(), &emu.url, &["us-east-1"], &args);
    assert_eq!(code, Some(0), "{err}\n{report:#}");
    assert!(
        err.contains(&format!(
            "findings from the delegated administrators: Security Hub from {s}, GuardDuty from {s}",
            s = org.sandbox
        )),
        "{err}"
    );
    let payments = account(&report, &org.payments);
    let sh = finding_ids(payments, "SecurityHub");
    assert_eq!(sh.len(), 2, "{sh:?}");
    assert!(sh.iter().all(|id| id.contains("payments-sh-")), "{sh:?}");
    let gd = finding_ids(payments, "GuardDuty");
    assert_eq!(gd.len(), 1, "{gd:?}");
    assert_eq!(
        finding_ids(account(&report, &org.sandbox), "SecurityHub").len(),
        1
    );
    let mgmt_sh = finding_ids(account(&report, &org.mgmt), "SecurityHub");
    assert!(
        mgmt_sh.len() == 1 && mgmt_sh[0].contains("mgmt-sh-1"),
        "{mgmt_sh:?}"
    );
    // The payments account's coverage says where its findings came from.
    let cov = &payments["report"]["coverage"]["sources"]["securityhub"]["us-east-1"];
    assert_eq!(cov["state"], "complete", "{cov:#}");
    assert!(
        cov["notes"]
            .to_string()
            .contains(&format!("delegated administrator ({})", org.sandbox)),
        "{cov:#}"
    );
    // One stream from the administrator: no member was asked for its findings.
    let asked: Vec<String> = emu
        .calls("securityhub", "GetFindings", "us-east-1")
        .iter()
        .map(|c| c["account"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !asked.is_empty() && asked.iter().all(|a| *a == org.sandbox),
        "{asked:?}"
    );
    let listed: Vec<String> = emu
        .calls("guardduty", "ListFindings", "us-east-1")
        .iter()
        .map(|c| c["account"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !listed.is_empty() && listed.iter().all(|a| *a == org.sandbox),
        "{listed:?}"
    );

    // Every Organizations call is one the documented read-only policy grants.
    let policy = live::DocsPolicy::load("iam-policy-readonly.json");
    let all = emu.control("GET", "/_guardpost/requests?service=organizations", None);
    let ops: std::collections::BTreeSet<String> = all["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(live::logged_action)
        .collect();
    assert!(
        ops.contains("organizations:ListDelegatedAdministrators"),
        "{ops:?}"
    );
    assert!(
        ops.contains("organizations:ListAccountsForParent"),
        "{ops:?}"
    );
    for op in &ops {
        assert!(policy.allows(op), "{} does not allow {op}", policy.name);
    }

    // The administrator cannot be reached: the members' findings are unknown, not zero.
    live::org::deny_role(&emu, &org.sandbox);
    let (report, err, code) = live::check_json(
        home.path(),
        &emu.url,
        &["us-east-1"],
        &[
            "--org",
            "--all-findings",
            "--services",
            "securityhub",
            "--account",
            "payments",
        ],
    );
    assert_eq!(code, Some(0), "{err}\n{report:#}");
    let payments = account(&report, &org.payments);
    let cov = &payments["report"]["coverage"]["sources"]["securityhub"]["us-east-1"];
    assert_eq!(cov["state"], "failed", "{cov:#}");
    assert!(
        cov["reason"].as_str().unwrap().contains(&format!(
            "the delegated administrator {} could not be read",
            org.sandbox
        )),
        "{cov:#}"
    );
    assert_eq!(payments["report"]["coverage"]["complete"], false);
    assert_eq!(report["complete"], false);
}

#[test]
fn snapshot_save_org_keeps_every_account_and_checks_the_same_offline() {
    let emu = live::emulator::start().expect("the emulator starts (tests/emulator)");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let org = rt.block_on(setup(&emu));
    live::org::deny_role(&emu, &org.legacy);
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("org.json");
    let out = live::guardpost(
        home.path(),
        &emu.url,
        &["us-east-1"],
        &["snapshot", "save", "--org", file.to_str().unwrap()],
    )
    .output()
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("(4 accounts, 1 could not be read)"), "{err}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["format"], "guardpost-org-snapshot");
    let legacy = saved["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"]["id"] == org.legacy.as_str())
        .unwrap();
    assert!(legacy["unknown"].as_str().unwrap().contains("AccessDenied"));
    assert!(legacy.get("snapshot").is_none());

    // Offline, the file checks as the organization checked live.
    let live_run = live::check_json(home.path(), &emu.url, &["us-east-1"], &["--org"]).0;
    let (offline, err, code) = live::check_json(
        home.path(),
        &emu.url,
        &["us-east-1"],
        &["--snapshot", file.to_str().unwrap()],
    );
    assert_eq!(
        code,
        Some(2),
        "the unreadable account keeps it unknown: {err}"
    );
    let pairs = |r: &Value| -> Vec<(String, String, String)> {
        let mut v: Vec<_> = r["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| {
                a["report"]["findings"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|f| {
                        (
                            f["account"].as_str().unwrap().to_string(),
                            f["rule"].as_str().unwrap().to_string(),
                            f["resource"]["arn"].as_str().unwrap().to_string(),
                        )
                    })
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(pairs(&offline), pairs(&live_run));
    assert_eq!(offline["summary"]["unknown"], 1);
    assert!(!pairs(&offline).is_empty());
}

#[test]
fn check_org_resume_reads_only_failed_and_missing_accounts_again() {
    let emu = live::emulator::start().expect("the emulator starts (tests/emulator)");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let org = rt.block_on(setup(&emu));
    live::org::deny_role(&emu, &org.legacy);
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("org-state.json");
    let args = [
        "--org",
        "--services",
        "iam",
        "--resume",
        state.to_str().unwrap(),
    ];
    let (first, err, code) = live::check_json(home.path(), &emu.url, &["us-east-1"], &args);
    assert_eq!(code, Some(2), "{err}");
    assert!(state.exists());

    emu.control("DELETE", "/_guardpost/requests", None);
    let (second, err, code) = live::check_json(home.path(), &emu.url, &["us-east-1"], &args);
    assert_eq!(code, Some(2), "legacy still cannot be read: {err}");
    assert!(err.contains("3 accounts from"), "{err}");
    // Only the account that failed is tried again; nothing of the others is read.
    let assumed: Vec<String> = emu
        .calls("sts", "AssumeRole", "us-east-1")
        .iter()
        .map(|c| c["params"]["RoleArn"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !assumed.is_empty() && assumed.iter().all(|r| r.contains(&org.legacy)),
        "{assumed:?}"
    );
    assert!(
        emu.calls("iam", "GetAccountAuthorizationDetails", "us-east-1")
            .is_empty()
    );
    let ids = |r: &Value| -> Vec<String> {
        let mut v: Vec<String> = r["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| {
                a["report"]["findings"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&first), ids(&second));
    assert_eq!(second["summary"]["read"], 3);
    assert_eq!(second["summary"]["unknown"], 1);

    // A damaged state file is an error (exit 2) that names it, not a silent full re-read.
    std::fs::write(
        &state,
        "{\"format\": \"guardpost-org-snapshot\", \"version\": 1, ",
    )
    .unwrap();
    let (_, err, code) = live::check_json(home.path(), &emu.url, &["us-east-1"], &args);
    assert_eq!(code, Some(2));
    assert!(err.contains("org-state.json"), "{err}");
}
