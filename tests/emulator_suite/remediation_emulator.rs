//! Every remediation action against the emulator with the real SDK: the state read back from
//! the server changed, the undo from the journal puts it back, the journal holds each step,
//! and docs/iam-policy-remediation.json allows every call made.

use crate::live;

use aws_sdk_iam::Client;
use guardpost::dataset::{Dataset, Origin};
use guardpost::model::{Finding, Source, Workflow};
use guardpost::posture::PostureConfig;
use guardpost::remediation::Plan;
use guardpost::remediation::aws::AwsBackend;
use guardpost::remediation::catalog::{self, Principal, QUARANTINE_POLICY, REVOKE_POLICY_NAME};
use guardpost::remediation::executor::{ExecError, Options, Outcome, execute};
use guardpost::remediation::journal::{Journal, Status, undo_plan};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}"#;

struct Bench {
    backend: AwsBackend,
    journal: Mutex<Journal>,
    path: PathBuf,
    opts: Options,
}

impl Bench {
    fn new(ctx: &guardpost::sources::AwsContext, name: &str) -> Bench {
        let dir = std::env::temp_dir().join(format!(
            "guardpost-remediation-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("journal.jsonl");
        Bench {
            backend: AwsBackend::new(ctx.clone(), false),
            journal: Mutex::new(Journal::open(&path)),
            path,
            opts: Options {
                account: ctx.account_id.clone(),
                caller: ctx.caller_arn.clone(),
                ..Default::default()
            },
        }
    }

    async fn run(&self, plan: &Plan) -> Outcome {
        execute(&self.backend, &self.journal, plan, &self.opts, |_| {})
            .await
            .expect("journaled")
    }

    async fn ok(&self, plan: &Plan) -> Outcome {
        let out = self.run(plan).await;
        assert_eq!(
            out.status,
            Status::Succeeded,
            "{}: {}",
            plan.title,
            out.message
        );
        out
    }

    /// Undoes `out` the way `u` does: from its journal entry.
    async fn undo(&self, out: &Outcome) -> Outcome {
        let entry = Journal::open(&self.path)
            .entries()
            .into_iter()
            .find(|e| e.id == out.id)
            .expect("journaled");
        assert!(entry.can_undo(), "{entry:?}");
        self.ok(&undo_plan(&entry)).await
    }
}

async fn key_status(iam: &Client, user: &str, key: &str) -> Option<String> {
    iam.list_access_keys()
        .user_name(user)
        .send()
        .await
        .unwrap()
        .access_key_metadata()
        .iter()
        .find(|k| k.access_key_id() == Some(key))
        .and_then(|k| k.status().map(|s| s.as_str().to_string()))
}

async fn attached(iam: &Client, user: &str) -> BTreeSet<String> {
    iam.list_attached_user_policies()
        .user_name(user)
        .send()
        .await
        .unwrap()
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect()
}

async fn role_inline(iam: &Client, role: &str) -> Vec<String> {
    iam.list_role_policies()
        .role_name(role)
        .send()
        .await
        .unwrap()
        .policy_names()
        .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_actions_change_the_account_and_undo_restores_it() {
    let emu = live::emulator::start().expect("emulator");
    let ctx = live::context(&emu.url, &["us-east-1"])
        .await
        .expect("resolves");
    let iam = Client::new(&ctx.iam_config());
    let key = live::user_with_key(&iam, "alice").await;
    iam.create_login_profile()
        .user_name("alice")
        .password("Correct-Horse-9!")
        .send()
        .await
        .unwrap();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.add_user_to_group()
        .group_name("devs")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let s3ro = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
    iam.attach_user_policy()
        .user_name("alice")
        .policy_arn(s3ro)
        .send()
        .await
        .unwrap();
    iam.create_role()
        .role_name("app")
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .unwrap();
    let b = Bench::new(&ctx, "iam");

    // Deactivate the key; undo reactivates it.
    let out = b.ok(&catalog::deactivate_access_key("alice", &key)).await;
    assert_eq!(
        key_status(&iam, "alice", &key).await.as_deref(),
        Some("Inactive")
    );
    b.undo(&out).await;
    assert_eq!(
        key_status(&iam, "alice", &key).await.as_deref(),
        Some("Active")
    );

    // Quarantine and deny-all; undo detaches.
    let out = b
        .ok(&catalog::quarantine(Principal::User("alice"), false))
        .await;
    assert!(attached(&iam, "alice").await.contains(QUARANTINE_POLICY));
    b.undo(&out).await;
    assert!(!attached(&iam, "alice").await.contains(QUARANTINE_POLICY));

    // Revoke a role's sessions: the inline deny on aws:TokenIssueTime; undo deletes it.
    let out = b
        .ok(&catalog::revoke_sessions(
            Principal::Role("app"),
            chrono::Utc::now(),
        ))
        .await;
    assert_eq!(role_inline(&iam, "app").await, [REVOKE_POLICY_NAME]);
    let doc = iam
        .get_role_policy()
        .role_name("app")
        .policy_name(REVOKE_POLICY_NAME)
        .send()
        .await
        .unwrap()
        .policy_document;
    let doc = percent_decode(&doc);
    assert!(doc.contains("aws:TokenIssueTime"), "{doc}");
    b.undo(&out).await;
    assert!(role_inline(&iam, "app").await.is_empty());

    // Detach a directly attached policy; undo re-attaches.
    let out = b.ok(&catalog::detach_user_policy("alice", s3ro)).await;
    assert!(!attached(&iam, "alice").await.contains(s3ro));
    b.undo(&out).await;
    assert!(attached(&iam, "alice").await.contains(s3ro));

    // Remove from a group; undo adds back.
    let groups = |iam: Client| async move {
        iam.list_groups_for_user()
            .user_name("alice")
            .send()
            .await
            .unwrap()
            .groups()
            .iter()
            .map(|g| g.group_name().to_string())
            .collect::<Vec<_>>()
    };
    let out = b
        .ok(&catalog::remove_user_from_group("alice", "devs"))
        .await;
    assert!(groups(iam.clone()).await.is_empty());
    b.undo(&out).await;
    assert_eq!(groups(iam.clone()).await, ["devs"]);

    // Password policy: none before, CIS after; undo deletes it again.
    let before = iam.get_account_password_policy().send().await;
    assert!(before.is_err(), "no policy at first");
    let out = b.ok(&catalog::cis_password_policy(None)).await;
    let pp = iam.get_account_password_policy().send().await.unwrap();
    let pp = pp.password_policy().unwrap();
    assert_eq!(pp.minimum_password_length(), Some(14));
    assert_eq!(pp.password_reuse_prevention(), Some(24));
    b.undo(&out).await;
    assert!(iam.get_account_password_policy().send().await.is_err());

    // Contain the user: configuration saved, key inactive, sessions revoked, quarantined;
    // the restore puts back exactly what was there.
    let data = load(&ctx).await;
    let alice = data.iam.as_ref().unwrap().user("alice").unwrap().clone();
    let out = b
        .ok(&catalog::contain_user(&alice, chrono::Utc::now()))
        .await;
    assert_eq!(
        key_status(&iam, "alice", &key).await.as_deref(),
        Some("Inactive")
    );
    assert!(attached(&iam, "alice").await.contains(QUARANTINE_POLICY));
    let entry = Journal::open(&b.path)
        .entries()
        .into_iter()
        .find(|e| e.id == out.id)
        .unwrap();
    let saved = entry.captured.expect("configuration saved");
    assert_eq!(saved["ListGroupsForUser"]["Groups"][0]["GroupName"], "devs");
    assert_eq!(
        saved["ListAccessKeys"]["AccessKeyMetadata"][0]["Status"],
        "Active"
    );
    assert!(saved["GetLoginProfile"].is_object());
    b.undo(&out).await;
    assert_eq!(
        key_status(&iam, "alice", &key).await.as_deref(),
        Some("Active")
    );
    assert_eq!(
        attached(&iam, "alice").await,
        BTreeSet::from([s3ro.to_string()])
    );
    let inline = iam
        .list_user_policies()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert!(inline.policy_names().is_empty());

    // AccessDenied names the missing permission; nothing else is touched.
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(&json!({"service": "iam", "operation": "AttachUserPolicy", "kind": "access_denied", "count": 1})),
    );
    let out = b
        .run(&catalog::quarantine(Principal::User("alice"), true))
        .await;
    assert_eq!(out.status, Status::Failed);
    assert!(
        out.message.contains("iam:AttachUserPolicy"),
        "{}",
        out.message
    );

    // Irreversible: delete the key and the login profile.
    b.ok(&catalog::delete_login_profile("alice")).await;
    assert!(
        iam.get_login_profile()
            .user_name("alice")
            .send()
            .await
            .is_err()
    );
    b.ok(&catalog::delete_access_key("alice", &key)).await;
    assert_eq!(key_status(&iam, "alice", &key).await, None);

    // Acting on what no longer exists: refused, journaled, no mutating call made.
    let seq_before = emu.calls("iam", "UpdateAccessKey", "us-east-1").len();
    let out = b.run(&catalog::deactivate_access_key("alice", &key)).await;
    assert_eq!(out.status, Status::Refused);
    assert_eq!(
        emu.calls("iam", "UpdateAccessKey", "us-east-1").len(),
        seq_before
    );
    let last = Journal::open(&b.path).entries().pop().unwrap();
    assert_eq!(last.status, Status::Refused);

    // Read-only: the executor refuses, and so does the backend on its own.
    let ro = Options {
        read_only: true,
        ..b.opts.clone()
    };
    let e = execute(
        &b.backend,
        &b.journal,
        &catalog::quarantine(Principal::Role("app"), false),
        &ro,
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, ExecError::ReadOnly { call, .. } if call == "iam:AttachRolePolicy"),
        "{e:?}"
    );
    let ro_backend = AwsBackend::new(ctx.clone(), true);
    let out = execute(
        &ro_backend,
        &b.journal,
        &catalog::quarantine(Principal::Role("app"), false),
        &b.opts,
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(out.status, Status::Failed);
    assert!(role_attached(&iam, "app").await.is_empty());

    assert_calls_allowed_by_remediation_policy(&emu);
}

async fn role_attached(iam: &Client, role: &str) -> Vec<String> {
    iam.list_attached_role_policies()
        .role_name(role)
        .send()
        .await
        .unwrap()
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect()
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .to_string()
}

async fn load(ctx: &guardpost::sources::AwsContext) -> Dataset {
    let snap = Box::pin(guardpost::sources::load(ctx, None)).await;
    Dataset::from_snapshot(snap, Origin::Live, &PostureConfig::default())
}

fn of_source(data: &Dataset, s: Source) -> Vec<&Finding> {
    data.findings.iter().filter(|f| f.source == s).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_triage_and_service_enablement_round_trip() {
    let emu = live::emulator::start().expect("emulator");
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({
            "securityhub": {"us-east-1": {"generate": 130}},
            "guardduty": {"us-east-1": {"generate": 60}},
            "accessanalyzer": {"us-east-1": {"analyzers": [{"name": "acct", "type": "ACCOUNT", "generate": 3}]}},
        })),
    );
    let ctx = live::context(&emu.url, &["us-east-1", "eu-west-1"])
        .await
        .expect("resolves");
    let b = Bench::new(&ctx, "findings");
    let data = load(&ctx).await;

    // Security Hub: 130 findings resolved in two calls (100 + 30); undo restores NEW.
    let shf = of_source(&data, Source::SecurityHub);
    assert_eq!(shf.len(), 130);
    let plan = catalog::securityhub_workflow(&shf, Workflow::Resolved, "fixed by test").unwrap();
    assert_eq!(plan.calls.len(), 2);
    let out = b.ok(&plan).await;
    let statuses = sh_statuses(&emu);
    assert_eq!(statuses.get("RESOLVED"), Some(&130), "{statuses:?}");
    assert!(
        records(&emu, "securityhub")
            .iter()
            .all(|f| f["Note"]["Text"] == "fixed by test" && f["Note"]["UpdatedBy"] == "guardpost")
    );
    b.undo(&out).await;
    let statuses = sh_statuses(&emu);
    assert_eq!(statuses.get("NEW"), Some(&130), "{statuses:?}");

    // A batch with an item that no longer exists: partial, the item named.
    let mut plan = catalog::securityhub_workflow(&shf[..2], Workflow::Notified, "n").unwrap();
    plan.calls[0].params["FindingIdentifiers"][1]["Id"] = json!("arn:aws:securityhub:gone");
    let out = b.run(&plan).await;
    assert_eq!(out.status, Status::Partial, "{}", out.message);
    assert!(
        out.message.contains("arn:aws:securityhub:gone"),
        "{}",
        out.message
    );

    // GuardDuty: archive 60 in two calls (50 + 10); undo unarchives.
    let gdf = of_source(&data, Source::GuardDuty);
    assert_eq!(gdf.len(), 60);
    let plan = catalog::guardduty_archive(&gdf, true).unwrap();
    assert_eq!(plan.calls.len(), 2);
    let out = b.ok(&plan).await;
    assert_eq!(gd_archived(&emu), 60);
    b.undo(&out).await;
    assert_eq!(gd_archived(&emu), 0);
    let fb = catalog::guardduty_feedback(&gdf[..1], false, "benign").unwrap();
    b.ok(&fb).await;

    // Access Analyzer: archive; undo reactivates.
    let aaf = of_source(&data, Source::AccessAnalyzer);
    assert_eq!(aaf.len(), 3);
    let out = b
        .ok(&catalog::access_analyzer_archive(&aaf, true).unwrap())
        .await;
    assert_eq!(aa_statuses(&emu), vec!["ARCHIVED"; 3]);
    b.undo(&out).await;
    assert_eq!(aa_statuses(&emu), vec!["ACTIVE"; 3]);

    // Enabling services in eu-west-1, where none is on; undo turns them off again.
    let gd = aws_sdk_guardduty::Client::new(&ctx.region_config("eu-west-1"));
    let out = b.ok(&catalog::enable_guardduty("eu-west-1")).await;
    assert_eq!(
        gd.list_detectors()
            .send()
            .await
            .unwrap()
            .detector_ids()
            .len(),
        1
    );
    assert_eq!(out.undo[0].operation, "DeleteDetector");
    b.undo(&out).await;
    assert!(
        gd.list_detectors()
            .send()
            .await
            .unwrap()
            .detector_ids()
            .is_empty()
    );

    let shc = aws_sdk_securityhub::Client::new(&ctx.region_config("eu-west-1"));
    let out = b.ok(&catalog::enable_securityhub("eu-west-1")).await;
    assert!(shc.describe_hub().send().await.is_ok());
    b.undo(&out).await;
    assert!(shc.describe_hub().send().await.is_err());

    let aac = aws_sdk_accessanalyzer::Client::new(&ctx.region_config("eu-west-1"));
    let out = b
        .ok(&catalog::enable_access_analyzer("eu-west-1", false))
        .await;
    let list = aac.list_analyzers().send().await.unwrap();
    assert_eq!(list.analyzers().len(), 1);
    assert_eq!(list.analyzers()[0].r#type().as_str(), "ACCOUNT");
    b.undo(&out).await;
    assert!(
        aac.list_analyzers()
            .send()
            .await
            .unwrap()
            .analyzers()
            .is_empty()
    );

    assert_calls_allowed_by_remediation_policy(&emu);
}

/// The records of `service` in us-east-1 from the emulator's state dump.
fn records(emu: &live::emulator::Emulator, service: &str) -> Vec<Value> {
    let state = emu.control(
        "GET",
        &format!("/_guardpost/state?service={service}&region=us-east-1"),
        None,
    );
    let mut out = Vec::new();
    for (_, regions) in state["accounts"].as_object().unwrap() {
        let svc = &regions["us-east-1"][service];
        match service {
            "securityhub" => out.extend(svc["findings"].as_array().unwrap().iter().cloned()),
            "guardduty" => {
                for (_, d) in svc["detectors"].as_object().unwrap() {
                    out.extend(d["findings"].as_array().unwrap().iter().cloned());
                }
            }
            _ => {
                for (_, a) in svc["analyzers"].as_object().unwrap() {
                    out.extend(a["findings"].as_array().unwrap().iter().cloned());
                }
            }
        }
    }
    out
}

fn sh_statuses(emu: &live::emulator::Emulator) -> std::collections::BTreeMap<String, usize> {
    let mut out = std::collections::BTreeMap::new();
    for f in records(emu, "securityhub") {
        *out.entry(f["Workflow"]["Status"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    out
}

fn gd_archived(emu: &live::emulator::Emulator) -> usize {
    records(emu, "guardduty")
        .iter()
        .filter(|f| f["service"]["archived"] == true)
        .count()
}

fn aa_statuses(emu: &live::emulator::Emulator) -> Vec<String> {
    records(emu, "accessanalyzer")
        .iter()
        .map(|f| f["status"].as_str().unwrap().to_string())
        .collect()
}

/// docs/iam-policy-remediation.json allows every mutating call the emulator saw, and every
/// permission any catalog action (its calls, checks, saves and undo) can need.
fn assert_calls_allowed_by_remediation_policy(emu: &live::emulator::Emulator) {
    let policy = live::DocsPolicy::load("iam-policy-remediation.json");
    // The loader's own reads (the test loads the account) are covered by the read-only policy.
    let readonly = live::DocsPolicy::load("iam-policy-readonly.json");
    let log = emu.control("GET", "/_guardpost/requests", None);
    let calls = log["requests"].as_array().cloned().unwrap_or_default();
    let mut checked = 0;
    for c in &calls {
        let (svc, op) = (
            c["service"].as_str().unwrap(),
            c["operation"].as_str().unwrap(),
        );
        // Setup calls made by the test itself (CreateUser, ...) are not the executor's.
        if matches!(
            op,
            "CreateUser"
                | "CreateAccessKey"
                | "CreateLoginProfile"
                | "CreateGroup"
                | "CreateRole"
                | "GetCallerIdentity"
                | "GetRolePolicy"
                | "DescribeHub"
        ) || svc == "sts"
        {
            continue;
        }
        let action = live::logged_action(c);
        assert!(
            policy.allows(&action) || readonly.allows(&action),
            "{action} was called but docs/{} does not allow it",
            policy.name
        );
        checked += 1;
    }
    assert!(checked > 10, "too few calls checked: {log}");
}

/// Statically: every permission of every action the catalog builds, including undo and the
/// operations an undo computes from a capture.
#[test]
fn remediation_policy_covers_every_catalog_permission() {
    let policy = live::DocsPolicy::load("iam-policy-remediation.json");
    let data = Dataset::from_snapshot(
        guardpost::snapshot::Snapshot::demo(),
        Origin::Demo,
        &PostureConfig::default(),
    );
    let now = chrono::Utc::now();
    let mut perms: BTreeSet<String> = BTreeSet::new();
    let mut actions: BTreeSet<String> = BTreeSet::new();
    let mut plans: Vec<Plan> = Vec::new();
    for f in &data.findings {
        plans.extend(catalog::for_finding(&data, f, now));
    }
    for r in &data.iam.as_ref().unwrap().role_detail_list {
        plans.extend(catalog::for_principal(&data, &r.arn, now, &[]));
    }
    plans.push(catalog::enable_guardduty("eu-west-1"));
    plans.push(catalog::enable_securityhub("eu-west-1"));
    // The network fixes and owner tags (check --fix).
    plans.push(catalog::revoke_world_ingress(
        "eu-west-1",
        "sg-1",
        vec![json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})],
    ));
    plans.push(catalog::enable_ebs_default_encryption("eu-west-1"));
    plans.push(catalog::require_imdsv2("eu-west-1", "i-1", None));
    plans.push(catalog::tag_owner(
        "alice",
        "owner",
        "alice@acme.example",
        None,
    ));
    plans.push(catalog::tag_owner("alice", "owner", "x", Some("")));
    let trail = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/t";
    plans.push(catalog::enable_log_file_validation("eu-west-1", trail));
    plans.push(catalog::start_logging("eu-west-1", trail));
    plans.push(catalog::start_recorder("eu-west-1", "default"));
    plans.push(catalog::enable_config(
        "eu-west-1",
        "123456789012",
        "cfg",
        true,
    ));
    for p in &plans {
        actions.insert(p.action.to_string());
        perms.extend(p.permissions());
    }
    // Undo calls computed after the fact.
    for extra in [
        "iam:DeleteAccountPasswordPolicy",
        "iam:UpdateAccountPasswordPolicy",
        "iam:DeleteUserPolicy",
        "iam:DeleteRolePolicy",
        "iam:DetachUserPolicy",
        "iam:DetachRolePolicy",
        "guardduty:DeleteDetector",
        "iam:ListUserTags",
    ] {
        perms.insert(extra.to_string());
    }
    for p in &perms {
        assert!(
            policy.allows(p),
            "{p} is needed by an action but docs/iam-policy-remediation.json does not allow it"
        );
    }
    // Every catalog action was exercised by this test.
    for id in catalog::ACTION_IDS {
        assert!(
            actions.contains(*id) || *id == "iam.activate-access-key",
            "{id} not built: {actions:?}"
        );
    }
}
