use super::*;
use crate::remediation::catalog;
use crate::remediation::journal::Journal;
use std::sync::Mutex as StdMutex;

/// Records calls; answers from a script keyed by operation.
#[derive(Default)]
struct Fake {
    calls: StdMutex<Vec<ApiCall>>,
    fail: Vec<(&'static str, CallError)>,
    answers: Vec<(&'static str, Value)>,
}

impl Backend for Fake {
    async fn call(&self, call: &ApiCall) -> Result<Value, CallError> {
        self.calls.lock().unwrap().push(call.clone());
        if let Some((_, e)) = self.fail.iter().find(|(op, _)| *op == call.operation) {
            return Err(e.clone());
        }
        Ok(self
            .answers
            .iter()
            .find(|(op, _)| *op == call.operation)
            .map(|(_, v)| v.clone())
            .unwrap_or(json!({})))
    }
}

fn key_listed(status: &str) -> (&'static str, Value) {
    (
        "ListAccessKeys",
        json!({"AccessKeyMetadata": [{"AccessKeyId": "AKIA1", "Status": status}]}),
    )
}

fn tmp_journal(name: &str) -> (std::path::PathBuf, StdMutex<Journal>) {
    let dir = std::env::temp_dir().join(format!("guardpost-exec-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("journal.jsonl");
    (path.clone(), StdMutex::new(Journal::open(&path)))
}

fn run<B: Backend>(
    b: &B,
    j: &StdMutex<Journal>,
    plan: &Plan,
    opts: &Options,
) -> Result<Outcome, ExecError> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(execute(b, j, plan, opts, |_| {}))
}

#[test]
fn read_only_refuses_before_any_call_or_journal_write() {
    let fake = Fake::default();
    let (path, j) = tmp_journal("ro");
    let plan = catalog::deactivate_access_key("alice", "AKIA1");
    let opts = Options {
        read_only: true,
        read_only_reason: "[profiles.prod] read_only = true".into(),
        ..Default::default()
    };
    let e = run(&fake, &j, &plan, &opts).unwrap_err();
    assert_eq!(
        e,
        ExecError::ReadOnly {
            call: "iam:UpdateAccessKey".into(),
            reason: "[profiles.prod] read_only = true".into()
        }
    );
    assert!(e.to_string().contains("[profiles.prod]"), "says why: {e}");
    assert!(fake.calls.lock().unwrap().is_empty());
    assert!(!path.exists());
}

#[test]
fn dry_run_journals_the_plan_and_calls_nothing() {
    let fake = Fake::default();
    let (path, j) = tmp_journal("dry");
    let plan = catalog::deactivate_access_key("alice", "AKIA1");
    let opts = Options {
        dry_run: true,
        ..Default::default()
    };
    let out = run(&fake, &j, &plan, &opts).unwrap();
    assert_eq!(out.status, Status::DryRun);
    assert!(fake.calls.lock().unwrap().is_empty());
    let entries = Journal::open(&path).entries();
    assert_eq!(entries.len(), 1);
    assert!(entries[0].dry_run);
    assert_eq!(entries[0].status, Status::DryRun);
    assert_eq!(entries[0].plan, plan);
}

#[test]
fn a_deleted_key_is_refused_and_nothing_is_changed() {
    let fake = Fake {
        answers: vec![("ListAccessKeys", json!({"AccessKeyMetadata": []}))],
        ..Default::default()
    };
    let (path, j) = tmp_journal("gone");
    let out = run(
        &fake,
        &j,
        &catalog::deactivate_access_key("alice", "AKIA1"),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(out.status, Status::Refused);
    assert!(out.message.contains("no longer true"), "{}", out.message);
    let ops: Vec<String> = fake
        .calls
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.operation.clone())
        .collect();
    assert_eq!(ops, ["ListAccessKeys"]);
    assert_eq!(Journal::open(&path).entries()[0].status, Status::Refused);
}

#[test]
fn success_journals_intent_result_and_undo() {
    let fake = Fake {
        answers: vec![key_listed("Active")],
        ..Default::default()
    };
    let (path, j) = tmp_journal("ok");
    let out = run(
        &fake,
        &j,
        &catalog::deactivate_access_key("alice", "AKIA1"),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(out.status, Status::Succeeded);
    assert_eq!(out.undo[0].params["Status"], "Active");
    let journal = Journal::open(&path);
    let kinds: Vec<String> = journal
        .records()
        .iter()
        .map(|r| {
            serde_json::to_value(&r.body).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(kinds, ["plan", "intent", "result", "done"]);
    let last = journal.last_undoable("", false).expect("undoable");
    assert_eq!(last.id, out.id);
    // The undo, once it succeeded, marks the entry undone. It re-reads the key first: the
    // account now has it inactive, as the action left it.
    let undo = crate::remediation::journal::undo_plan(&last);
    let after = Fake {
        answers: vec![key_listed("Inactive")],
        ..Default::default()
    };
    let out2 = run(&after, &j, &undo, &Options::default()).unwrap();
    assert_eq!(out2.status, Status::Succeeded);
    let journal = Journal::open(&path);
    assert!(journal.last_undoable("", false).is_none());
    assert_eq!(
        journal.entries()[0].undone_by.as_deref(),
        Some(out2.id.as_str())
    );
}

#[test]
fn a_failing_call_stops_the_action_and_names_the_permission() {
    let fake = Fake {
        fail: vec![(
            "PutUserPolicy",
            CallError {
                code: Some("AccessDenied".into()),
                message: "AccessDenied: missing permission iam:PutUserPolicy".into(),
            },
        )],
        ..Default::default()
    };
    let (path, j) = tmp_journal("partial");
    let data = crate::dataset::Dataset::from_snapshot(
        crate::snapshot::Snapshot::demo(),
        crate::dataset::Origin::Demo,
        &crate::posture::PostureConfig::default(),
    );
    let u = data.iam.as_ref().unwrap().user("ci-deploy").unwrap();
    let plan = catalog::contain_user(u, chrono::Utc::now());
    let out = run(&fake, &j, &plan, &Options::default()).unwrap();
    assert_eq!(out.status, Status::Partial);
    assert!(out.message.contains("iam:PutUserPolicy"));
    // Two keys deactivated, then the revoke policy failed, quarantine never attempted.
    let made: Vec<String> = fake
        .calls
        .lock()
        .unwrap()
        .iter()
        .filter(|c| c.is_mutating())
        .map(|c| c.operation.clone())
        .collect();
    assert_eq!(
        made,
        ["UpdateAccessKey", "UpdateAccessKey", "PutUserPolicy"]
    );
    assert_eq!(
        out.results.last().unwrap().detail,
        "not called: an earlier call failed"
    );
    let e = &Journal::open(&path).entries()[0];
    assert_eq!(e.status, Status::Partial);
    assert!(e.captured.is_some(), "the configuration was saved first");
}

#[test]
fn a_crash_between_intent_and_result_reads_back_as_unknown() {
    let (path, j) = tmp_journal("crash");
    let plan = catalog::deactivate_access_key("alice", "AKIA1");
    {
        let mut j = j.lock().unwrap();
        j.append(
            "x1",
            crate::remediation::journal::Body::Plan {
                plan: Box::new(plan.clone()),
                account: "1".into(),
                caller: None,
                dry_run: false,
                run: None,
            },
        )
        .unwrap();
        j.append(
            "x1",
            crate::remediation::journal::Body::Intent {
                call: 0,
                api: plan.calls[0].clone(),
            },
        )
        .unwrap();
    }
    let e = &Journal::open(&path).entries()[0];
    assert_eq!(e.status, Status::Unknown);
    assert!(!e.can_undo());
}

#[test]
fn a_corrupt_or_newer_journal_is_never_written() {
    let (path, _) = tmp_journal("corrupt");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "{not json\n").unwrap();
    let j = StdMutex::new(Journal::open(&path));
    assert!(
        j.lock()
            .unwrap()
            .problem()
            .unwrap()
            .contains("line 1 is corrupt")
    );
    let fake = Fake {
        answers: vec![key_listed("Active")],
        ..Default::default()
    };
    let e = run(
        &fake,
        &j,
        &catalog::deactivate_access_key("alice", "AKIA1"),
        &Options::default(),
    )
    .unwrap_err();
    assert!(matches!(e, ExecError::Journal(_)));
    assert!(fake.calls.lock().unwrap().is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{not json\n");

    std::fs::write(&path, "{\"v\":9,\"kind\":\"whatever\"}\n").unwrap();
    let j = Journal::open(&path);
    assert!(
        j.problem().unwrap().contains("version 9"),
        "{:?}",
        j.problem()
    );
}
