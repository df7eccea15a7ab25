use super::store::{self, Event, Record};
use super::*;
use crate::dataset::{Dataset, Origin};
use crate::posture::PostureConfig;
use crate::snapshot::Snapshot;

fn demo() -> Dataset {
    Dataset::from_snapshot(Snapshot::demo(), Origin::Demo, &PostureConfig::default())
}

fn now() -> DateTime<Utc> {
    "2026-11-20T09:00:00Z".parse().unwrap()
}

fn gd(data: &Dataset, kind: &str) -> Finding {
    data.findings
        .iter()
        .find(|f| f.kind == kind)
        .unwrap_or_else(|| panic!("demo has {kind}"))
        .clone()
}

fn incident(data: &Dataset, book: &str, subject: Subject) -> Incident {
    let rec = Record {
        v: 1,
        ts: now(),
        incident: "inc-test".into(),
        caller: Some("arn:aws:iam::111122223333:user/alice".into()),
        event: Event::Started {
            playbook: Box::new(playbook(book).unwrap()),
            subject,
            account: data.account.id.clone(),
        },
    };
    store::replay(vec![rec]).unwrap()
}

#[test]
fn every_playbook_parses_and_every_step_is_known() {
    let books = playbooks();
    assert_eq!(books.len(), 5);
    let data = demo();
    for b in &books {
        assert!(!b.steps.is_empty(), "{}", b.id);
        let inc = incident(
            &data,
            &b.id,
            Subject {
                access_key_id: Some("AKIA2UU5CGGEXZ4PVKDV".into()),
                user: Some("ci-deploy".into()),
                role: Some("ec2-app-role".into()),
                finding_ids: vec![],
            },
        );
        for step in &b.steps {
            match &step.kind {
                StepKind::Action { .. } => {
                    if let Err(e) = action_plan(step, &inc, &data, now()) {
                        panic!("{}/{}: {e}", b.id, step.id);
                    }
                }
                StepKind::Inspect { inspect: k } if k == "cloudtrail" => {}
                StepKind::Inspect { inspect: k } => {
                    inspect::facts(k, &data, &inc)
                        .unwrap_or_else(|e| panic!("{}/{}: {e}", b.id, step.id));
                }
                _ => {}
            }
        }
    }
    assert!(
        playbook("nope")
            .unwrap_err()
            .contains("compromised-access-key")
    );
}

#[test]
fn compromised_key_steps_follow_the_containment_order() {
    let b = playbook("compromised-access-key").unwrap();
    let pos = |id: &str| b.steps.iter().position(|s| s.id == id).unwrap();
    assert!(pos("owner") < pos("save"));
    assert!(pos("save") < pos("deactivate"));
    assert!(pos("deactivate") < pos("revoke-user"));
    assert!(pos("revoke-user") < pos("quarantine"));
    assert!(
        pos("replace") < pos("delete"),
        "a new key before deleting the old one"
    );
    assert!(b.steps.iter().any(|s| s.kind
        == StepKind::Inspect {
            inspect: "cloudtrail".into()
        }));
    assert!(b.steps[pos("console")].optional);
}

#[test]
fn suggests_the_playbook_and_subject_from_a_guardduty_finding() {
    let data = demo();
    let (b, s) = suggest(
        &data,
        &gd(&data, "UnauthorizedAccess:IAMUser/MaliciousIPCaller"),
    );
    assert_eq!(b.id, "compromised-access-key");
    assert_eq!(s.access_key_id.as_deref(), Some("AKIA2UU5CGGEXZ4PVKDV"));
    assert_eq!(s.user.as_deref(), Some("ci-deploy"));

    let (b, s) = suggest(&data, &gd(&data, "Policy:IAMUser/RootCredentialUsage"));
    assert_eq!(b.id, "root-credential-usage");
    assert_eq!(s.user, None);

    let (b, s) = suggest(
        &data,
        &gd(
            &data,
            "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
        ),
    );
    assert_eq!(b.id, "instance-credential-exfiltration");
    assert_eq!(s.role.as_deref(), Some("ec2-app-role"));
    assert_eq!(
        s.access_key_id, None,
        "temporary ASIA keys are not the subject"
    );
}

#[test]
fn an_unknown_key_or_finding_starts_nothing() {
    let data = demo();
    let e = subject_for_key(&data, "AKIADOESNOTEXIST0000").unwrap_err();
    assert!(e.contains("not in account 111122223333"), "{e}");
    assert!(find_finding(&data, "no-such-finding").is_none());
    let s = subject_for_key(&data, "AKIA2UU5CGGEXZ4PVKDV").unwrap();
    assert_eq!(s.user.as_deref(), Some("ci-deploy"));
    assert!(
        !s.finding_ids.is_empty(),
        "the findings naming the key are linked"
    );
    // A GuardDuty finding is found by its own id too.
    let f = gd(&data, "Recon:IAMUser/MaliciousIPCaller");
    let gd_id = f.records[0].id.clone();
    assert_eq!(find_finding(&data, &gd_id).unwrap().id, f.id);
}

#[test]
fn action_steps_build_plans_for_the_subject() {
    let data = demo();
    let s = subject_for_key(&data, "AKIA2UU5CGGEXZ4PVKDV").unwrap();
    let inc = incident(&data, "compromised-access-key", s);
    let step = |id: &str| {
        inc.playbook
            .steps
            .iter()
            .find(|s| s.id == id)
            .unwrap()
            .clone()
    };
    let p = action_plan(&step("deactivate"), &inc, &data, now())
        .unwrap()
        .unwrap();
    assert_eq!(p.calls[0].operation, "UpdateAccessKey");
    assert_eq!(p.calls[0].params["AccessKeyId"], "AKIA2UU5CGGEXZ4PVKDV");
    let p = action_plan(&step("save"), &inc, &data, now())
        .unwrap()
        .unwrap();
    assert!(p.calls.is_empty() && p.capture.is_some());
    let p = action_plan(&step("findings"), &inc, &data, now())
        .unwrap()
        .unwrap();
    assert_eq!(p.calls[0].operation, "BatchUpdateFindings");
    assert_eq!(p.calls[0].params["Workflow"]["Status"], "NOTIFIED");
    assert!(
        p.calls[0].params["Note"]["Text"]
            .as_str()
            .unwrap()
            .contains("inc-test")
    );
    // ci-deploy has no console password: nothing to do.
    assert_eq!(
        action_plan(&step("console"), &inc, &data, now()).unwrap(),
        None
    );
}

#[test]
fn progress_replays_and_a_failed_step_stops_the_playbook() {
    let data = demo();
    let mut inc = incident(&data, "root-credential-usage", Subject::default());
    assert_eq!(inc.current(), Some(0));
    let step = |inc: &Incident, i: usize, outcome: StepStatus| Record {
        v: 1,
        ts: now(),
        incident: inc.id.clone(),
        caller: None,
        event: Event::Step {
            step: inc.playbook.steps[i].id.clone(),
            outcome,
            seen: vec!["seen".into()],
            did: vec![],
            journal_id: None,
        },
    };
    let r0 = step(&inc, 0, StepStatus::Done);
    inc.apply(&r0);
    let r1 = step(
        &inc,
        1,
        StepStatus::Failed {
            error: "AccessDenied".into(),
        },
    );
    inc.apply(&r1);
    assert_eq!(inc.current(), Some(1), "stops at the failed step");
    let r2 = step(
        &inc,
        1,
        StepStatus::Skipped {
            reason: "root is with legal".into(),
        },
    );
    inc.apply(&r2);
    assert_eq!(inc.current(), Some(2));
    let md = timeline::markdown(&inc);
    assert!(md.contains("skipped: root is with legal"), "{md}");
    assert!(md.contains("FAILED: AccessDenied"), "{md}");
    let js = timeline::json(&inc);
    assert_eq!(js["steps"][1]["status"], "skipped");
    assert_eq!(js["timeline"].as_array().unwrap().len(), 4);
}

#[test]
fn the_store_round_trips_and_resumes_the_newest_unfinished() {
    let dir = tempfile_dir("store");
    let data = demo();
    let s = subject_for_key(&data, "AKIA2UU5CGGEXZ4PVKDV").unwrap();
    let book = playbook("compromised-access-key").unwrap();
    let inc = store::start(
        &dir,
        "inc-a",
        book.clone(),
        s.clone(),
        "111122223333",
        None,
        now(),
    )
    .unwrap();
    assert!(store::start(&dir, "inc-a", book, s, "111122223333", None, now()).is_err());
    let rec = Record {
        v: 1,
        ts: now(),
        incident: inc.id.clone(),
        caller: Some("arn:aws:iam::111122223333:user/bob".into()),
        event: Event::Step {
            step: "readiness".into(),
            outcome: StepStatus::Done,
            seen: vec!["ok".into()],
            did: vec![],
            journal_id: None,
        },
    };
    store::append(&dir, &rec).unwrap();
    let back = store::find(&dir, None).unwrap();
    assert_eq!(back.id, "inc-a");
    assert_eq!(back.current(), Some(1));
    assert_eq!(
        back.steps[0].by.as_deref(),
        Some("arn:aws:iam::111122223333:user/bob")
    );
    // A corrupt line names the file and line.
    std::fs::write(store::path_of(&dir, "inc-b"), "{oops\n").unwrap();
    let e = store::find(&dir, Some("inc-b")).unwrap_err();
    assert!(e.contains("line 1"), "{e}");
    assert!(
        store::find(&dir, Some("inc-zzz"))
            .unwrap_err()
            .contains("no incident inc-zzz")
    );
}

fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("guardpost-incident-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn suggestions_follow_the_finding_not_the_resource_kind() {
    let data = demo();
    // A role that trusts `*` is a question of who assumed it, not stolen instance credentials.
    let trust = data
        .findings
        .iter()
        .find(|f| f.kind == crate::posture::rules::TRUST_ANY)
        .expect("the demo has a role that trusts *");
    let (b, s) = suggest(&data, trust);
    assert_eq!(b.id, "role-exposure");
    assert!(s.role.is_some(), "{s:?}");
    // Activity of a break-glass user (a posture finding on it) suggests the break-glass playbook.
    let bg = data
        .findings
        .iter()
        .find(|f| f.kind.starts_with("iam.break-glass."))
        .expect("the demo has a break-glass finding");
    let (b, s) = suggest(&data, bg);
    assert_eq!(b.id, "break-glass-used", "{:?}", bg.kind);
    assert!(
        s.user
            .as_deref()
            .is_some_and(|u| u.starts_with("break-glass"))
    );
}

#[test]
fn break_glass_names_come_from_the_datasets_config() {
    // A user named by the configured globs is break-glass for the suggestion too (not only for
    // the default names).
    let cfg = PostureConfig {
        break_glass_names: vec!["ci-*".into()],
        ..PostureConfig::default()
    };
    let data = Dataset::from_snapshot(Snapshot::demo(), Origin::Demo, &cfg);
    let (b, s) = suggest(
        &data,
        &gd(&data, "UnauthorizedAccess:IAMUser/MaliciousIPCaller"),
    );
    assert_eq!(s.user.as_deref(), Some("ci-deploy"));
    assert_eq!(b.id, "break-glass-used");
}

#[test]
fn the_role_exposure_playbook_plans_against_the_role() {
    let data = demo();
    let book = playbook("role-exposure").unwrap();
    let inc = incident(
        &data,
        "role-exposure",
        Subject {
            role: Some("ec2-app-role".into()),
            ..Default::default()
        },
    );
    let revoke = book.steps.iter().find(|s| s.id == "revoke").unwrap();
    let plan = action_plan(revoke, &inc, &data, now()).unwrap().unwrap();
    let calls: Vec<String> = plan.calls.iter().map(|c| c.params.to_string()).collect();
    assert!(
        calls.iter().any(|c| c.contains("ec2-app-role")),
        "{calls:?}"
    );
    let trust = book.steps.iter().find(|s| s.id == "trust").unwrap();
    let StepKind::Manual { text } = &trust.kind else {
        panic!("manual")
    };
    assert!(fill(text, &inc.subject).contains("--role-name ec2-app-role"));
}
