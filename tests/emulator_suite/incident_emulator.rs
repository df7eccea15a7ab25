//! The compromised-key playbook end to end against the emulator, driven key by key through the
//! app's state machine with the real executor, store and SDK (the terminal loop's effects are
//! carried out here): the key ends Inactive, the quarantine policy attached, the role sessions
//! revoked, the Security Hub finding NOTIFIED with the incident's note, the timeline holds every
//! step — and a second responder resumes after the first one was interrupted.

use crate::common;
use crate::live;

use common::demo::press;
use guardpost::app::{self, Effect, Event, Mode, State};
use guardpost::dataset::{Dataset, Origin};
use guardpost::incident::{self, StepKind, StepStatus, store, timeline};
use guardpost::posture::PostureConfig;
use guardpost::remediation::aws::AwsBackend;
use guardpost::remediation::catalog::{QUARANTINE_POLICY, REVOKE_POLICY_NAME};
use guardpost::remediation::executor::{Options, execute};
use guardpost::remediation::journal::Journal;
use guardpost::sources::AwsContext;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Mutex;

const ACCOUNT: &str = "123456789012";

struct Loop {
    ctx: AwsContext,
    backend: AwsBackend,
    journal: Mutex<Journal>,
    dir: PathBuf,
    opts: Options,
}

impl Loop {
    async fn load(&self) -> Dataset {
        let snap = Box::pin(guardpost::sources::load(&self.ctx, None)).await;
        Dataset::from_snapshot(snap, Origin::Live, &PostureConfig::default())
    }

    /// Carries out effects the way the terminal loop does, feeding results back as events.
    async fn pump(&self, st: &mut State, mut effects: Vec<Effect>) {
        while let Some(e) = effects.pop() {
            let more = match e {
                Effect::Execute { plan, origin } => {
                    let out = execute(&self.backend, &self.journal, &plan, &self.opts, |_| {})
                        .await
                        .map_err(|e| e.to_string());
                    app::update(
                        st,
                        Event::ActionDone {
                            origin,
                            result: Box::new(out),
                        },
                    )
                }
                Effect::IncidentAppend(mut rec) => {
                    rec.caller = self.opts.caller.clone();
                    store::append(&self.dir, &rec).unwrap();
                    vec![]
                }
                Effect::IncidentLookup { step, value, .. } => {
                    let end = chrono::Utc::now();
                    let a = guardpost::sources::cloudtrail::lookup_access_key(
                        &self.ctx,
                        &value,
                        &self.ctx.regions,
                        end - chrono::Duration::days(90),
                        end,
                        1000,
                    )
                    .await;
                    app::update(
                        st,
                        Event::IncidentLookedUp {
                            step,
                            result: Ok(incident::inspect::cloudtrail_facts(&a)),
                        },
                    )
                }
                Effect::Reload => {
                    let d = self.load().await;
                    app::update(st, Event::Loaded(Box::new(d)))
                }
                _ => vec![],
            };
            effects.extend(more);
        }
    }

    /// Does the current step the way a responder would: Enter, then y / the typed name / text.
    async fn step(&self, st: &mut State) -> String {
        let (i, kind, id) = {
            let ui = st.incident.as_ref().expect("incident open");
            let i = ui.inc.current().expect("a step to do");
            let def = &ui.inc.playbook.steps[i];
            (i, def.kind.clone(), def.id.clone())
        };
        // Put the cursor on it (Enter on a finished step moves there).
        if st.incident.as_ref().unwrap().cursor != i {
            let e = press(st, "<Enter>");
            self.pump(st, e).await;
        }
        let e = press(st, "<Enter>");
        self.pump(st, e).await;
        match (&kind, &st.mode) {
            (StepKind::Action { .. }, Mode::Confirm(c)) if c.needs_typing() => {
                let name = c.plan.confirm_text.clone();
                let e = press(st, &format!("{name}<Enter>"));
                self.pump(st, e).await;
                let e = press(st, "<Esc>");
                self.pump(st, e).await;
            }
            (StepKind::Action { .. }, Mode::Confirm(_)) => {
                let e = press(st, "y");
                self.pump(st, e).await;
                // Close the result dialog.
                let e = press(st, "<Esc>");
                self.pump(st, e).await;
            }
            (StepKind::Note { .. }, Mode::Prompt(_)) => {
                let e = press(st, "owner platform-team paged via #oncall 03:12<Enter>");
                self.pump(st, e).await;
            }
            _ => {}
        }
        id
    }
}

fn state_with(data: Dataset) -> State {
    let mut st = State::new(false, (160, 45));
    app::update(&mut st, Event::Tick(chrono::Utc::now()));
    app::update(&mut st, Event::Loaded(Box::new(data)));
    st
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compromised_key_playbook_end_to_end_with_resume() {
    let emu = live::emulator::start().expect("emulator");
    let ctx = live::context(&emu.url, &["us-east-1", "eu-west-1"])
        .await
        .expect("resolves");
    let iam = aws_sdk_iam::Client::new(&ctx.iam_config());
    let key = live::user_with_key(&iam, "ci-deploy").await;
    iam.put_user_policy()
        .user_name("ci-deploy")
        .policy_name("assume-deploy")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/deploy-role"}]}"#)
        .send()
        .await
        .unwrap();
    iam.create_role()
        .role_name("deploy-role")
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap();
    let user_arn = format!("arn:aws:iam::{ACCOUNT}:user/ci-deploy");
    let seeded = emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({
            "securityhub": {"us-east-1": {"findings": [{
                "Title": "ci-deploy's key used from a malicious IP",
                "Severity": {"Label": "HIGH"},
                "Types": ["TTPs/Initial Access/UnauthorizedAccess:IAMUser-MaliciousIPCaller"],
                "Resources": [{"Type": "AwsIamUser", "Id": user_arn, "Partition": "aws", "Region": "us-east-1"}],
            }]}},
            "guardduty": {"us-east-1": {"findings": [{
                "type": "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
                "severity": 8.0,
                "resource": {"resourceType": "AccessKey", "accessKeyDetails": {
                    "accessKeyId": key, "principalId": "AIDAEXAMPLE", "userName": "ci-deploy", "userType": "IAMUser"}},
            }]}},
            "cloudtrail": {
                "us-east-1": {"events": [
                    {"EventName": "ListBuckets", "EventSource": "s3.amazonaws.com", "AccessKeyId": key, "Username": "ci-deploy", "sourceIPAddress": "198.51.100.7", "EventTime": (chrono::Utc::now() - chrono::Duration::hours(3)).to_rfc3339()},
                    {"EventName": "CreateUser", "EventSource": "iam.amazonaws.com", "AccessKeyId": key, "Username": "ci-deploy", "sourceIPAddress": "198.51.100.7", "errorCode": "AccessDenied", "EventTime": (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339()},
                ]},
                "eu-west-1": {"events": [
                    {"EventName": "DescribeInstances", "EventSource": "ec2.amazonaws.com", "AccessKeyId": key, "Username": "ci-deploy", "sourceIPAddress": "203.0.113.9", "EventTime": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339()},
                ]},
            },
        })),
    );
    let sh_id = seeded["securityhub"]["us-east-1"]["findingIds"][0]
        .as_str()
        .unwrap()
        .to_string();

    let state_dir = tempfile::tempdir().unwrap();
    let lp = Loop {
        backend: AwsBackend::new(ctx.clone(), false),
        journal: Mutex::new(Journal::open(&state_dir.path().join("journal.jsonl"))),
        dir: state_dir.path().join("incidents"),
        opts: Options {
            account: ctx.account_id.clone(),
            caller: ctx.caller_arn.clone(),
            ..Default::default()
        },
        ctx: ctx.clone(),
    };

    // Responder 1: from the GuardDuty alert, `guardpost incident --finding ID` does this.
    let data = lp.load().await;
    let gd = data
        .findings
        .iter()
        .find(|f| f.kind == "UnauthorizedAccess:IAMUser/MaliciousIPCaller")
        .expect("the GuardDuty finding loaded");
    let (book, subject) = incident::suggest(&data, gd);
    assert_eq!(book.id, "compromised-access-key");
    assert_eq!(subject.access_key_id.as_deref(), Some(key.as_str()));
    let now = chrono::Utc::now();
    let id = incident::new_id(now, &subject);
    let inc = store::start(
        &lp.dir,
        &id,
        book,
        subject,
        &data.account.id,
        ctx.caller_arn.clone(),
        now,
    )
    .unwrap();
    let mut st = state_with(data);
    app::update(&mut st, Event::IncidentOpened(Box::new(inc)));
    // Through "deactivate": readiness, owner, related, roles, save, deactivate.
    for want in [
        "readiness",
        "owner",
        "related",
        "roles",
        "save",
        "deactivate",
    ] {
        assert_eq!(lp.step(&mut st).await, want);
    }
    let status = |iam: aws_sdk_iam::Client, key: String| async move {
        iam.list_access_keys()
            .user_name("ci-deploy")
            .send()
            .await
            .unwrap()
            .access_key_metadata()
            .iter()
            .find(|k| k.access_key_id() == Some(key.as_str()))
            .and_then(|k| k.status().map(|s| s.as_str().to_string()))
    };
    assert_eq!(
        status(iam.clone(), key.clone()).await.as_deref(),
        Some("Inactive")
    );
    let related = &st.incident.as_ref().unwrap().inc.steps[2].seen;
    assert!(
        related.iter().any(|l| l.contains("MaliciousIPCaller")),
        "{related:?}"
    );
    let roles = &st.incident.as_ref().unwrap().inc.steps[3].seen;
    assert!(
        roles.iter().any(|l| l.starts_with("deploy-role")),
        "{roles:?}"
    );
    // Interrupted: the first responder's terminal goes away here.
    drop(st);

    // Responder 2: `guardpost incident resume`.
    let inc = store::find(&lp.dir, None).expect("an unfinished incident");
    assert_eq!(inc.id, id);
    assert_eq!(inc.playbook.steps[inc.current().unwrap()].id, "revoke-user");
    let mut st = state_with(lp.load().await);
    app::update(&mut st, Event::IncidentOpened(Box::new(inc)));
    for want in ["revoke-user", "revoke-roles", "quarantine"] {
        assert_eq!(lp.step(&mut st).await, want);
    }
    // No console password to delete: recorded as nothing to do.
    assert_eq!(lp.step(&mut st).await, "console");
    assert_eq!(lp.step(&mut st).await, "cloudtrail");
    let seen = st.incident.as_ref().unwrap().inc.steps[10].seen.clone();
    assert!(seen[0].starts_with("3 event(s)"), "{seen:?}");
    assert!(
        seen.iter().any(|l| l.contains("198.51.100.7 (2)")),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|l| l.contains("[AccessDenied]")),
        "{seen:?}"
    );
    assert_eq!(lp.step(&mut st).await, "notify");
    // The replacement key is the owner's job: skipped with a reason.
    let e = press(&mut st, "s");
    lp.pump(&mut st, e).await;
    let e = press(&mut st, "workload moved to a role<Enter>");
    lp.pump(&mut st, e).await;
    assert_eq!(lp.step(&mut st).await, "delete");
    assert_eq!(lp.step(&mut st).await, "findings");
    let inc = &st.incident.as_ref().unwrap().inc;
    assert!(inc.finished(), "{:#?}", inc.steps);

    // The account now.
    assert_eq!(
        status(iam.clone(), key.clone()).await,
        None,
        "deleted in the eradicate step"
    );
    let attached: Vec<String> = iam
        .list_attached_user_policies()
        .user_name("ci-deploy")
        .send()
        .await
        .unwrap()
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect();
    assert_eq!(attached, [QUARANTINE_POLICY]);
    for (kind, name) in [("user", "ci-deploy"), ("role", "deploy-role")] {
        let names = if kind == "user" {
            iam.list_user_policies()
                .user_name(name)
                .send()
                .await
                .unwrap()
                .policy_names()
                .to_vec()
        } else {
            iam.list_role_policies()
                .role_name(name)
                .send()
                .await
                .unwrap()
                .policy_names()
                .to_vec()
        };
        assert!(
            names.contains(&REVOKE_POLICY_NAME.to_string()),
            "{kind} {name}: {names:?}"
        );
    }
    let state = emu.control(
        "GET",
        "/_guardpost/state?service=securityhub&region=us-east-1",
        None,
    );
    let f = state["accounts"][ACCOUNT]["us-east-1"]["securityhub"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["Id"] == sh_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(f["Workflow"]["Status"], "NOTIFIED");
    assert!(
        f["Note"]["Text"].as_str().unwrap().contains(&id),
        "{}",
        f["Note"]
    );

    // The timeline: every step, who, what; both responders' work in one file.
    let inc = store::find(&lp.dir, Some(&id)).unwrap();
    assert!(inc.steps.iter().all(|s| s.status != StepStatus::Pending));
    assert!(
        matches!(&inc.steps[12].status, StepStatus::Skipped { reason } if reason == "workload moved to a role")
    );
    assert!(
        inc.steps[5].journal_id.is_some(),
        "the action step links its journal entry"
    );
    let md = timeline::markdown(&inc);
    for want in [
        "Compromised IAM access key",
        "Deactivate the key",
        "iam:UpdateAccessKey",
        "skipped: workload moved to a role",
        "owner platform-team paged",
        "198.51.100.7",
    ] {
        assert!(md.contains(want), "{want} missing from the timeline:\n{md}");
    }
    let js = timeline::json(&inc);
    assert_eq!(js["steps"].as_array().unwrap().len(), 15);
    assert_eq!(js["finished"], true);

    // Root and break-glass playbooks look up by user name.
    let end = chrono::Utc::now();
    let by_user = guardpost::sources::cloudtrail::lookup_username(
        &ctx,
        "ci-deploy",
        &ctx.regions,
        end - chrono::Duration::days(90),
        end,
        100,
    )
    .await;
    assert_eq!(by_user.events.len(), 3, "{by_user:?}");
    let calls = emu.calls("cloudtrail", "LookupEvents", "eu-west-1");
    assert!(
        calls.iter().any(|c| c.to_string().contains("Username")),
        "{calls:?}"
    );
}
