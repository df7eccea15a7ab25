//! Crash recovery against the emulator with the real SDK: an action whose call reached the
//! server but whose result never reached the journal (guardpost killed mid-call; simulated by
//! cutting the journal right after the intent) reads back as "unknown — verify"; verification
//! re-reads exactly what the call changes, journals "took effect", and `u` then undoes it —
//! after re-reading that the resource is still as the action left it.

use crate::live;

use guardpost::remediation::aws::AwsBackend;
use guardpost::remediation::catalog;
use guardpost::remediation::executor::{Options, execute};
use guardpost::remediation::journal::{Journal, Status, undo_plan};
use guardpost::remediation::verify;
use std::sync::Mutex;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_action_that_reached_the_server_verifies_as_took_effect_and_undoes() {
    let emu = live::emulator::start().expect("emulator");
    let ctx = live::context(&emu.url, &["us-east-1"])
        .await
        .expect("resolves");
    let iam = aws_sdk_iam::Client::new(&ctx.iam_config());
    let key = live::user_with_key(&iam, "crashed").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let backend = AwsBackend::new(ctx.clone(), false);
    let opts = Options {
        account: ctx.account_id.clone(),
        caller: ctx.caller_arn.clone(),
        ..Default::default()
    };

    let out = execute(
        &backend,
        &Mutex::new(Journal::open(&path)),
        &catalog::deactivate_access_key("crashed", &key),
        &opts,
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(out.status, Status::Succeeded, "{}", out.message);
    assert_eq!(live::key_status(&iam, "crashed").await, "Inactive");

    // Killed after the call left: the journal ends with the intent.
    let text = std::fs::read_to_string(&path).unwrap();
    let kept: String = text
        .lines()
        .take_while(|l| !l.contains("\"kind\":\"result\""))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(kept.contains("\"kind\":\"intent\""));
    std::fs::write(&path, kept).unwrap();

    let journal = Mutex::new(Journal::open(&path));
    let entries = journal.lock().unwrap().entries();
    assert_eq!(entries[0].status, Status::Unknown);
    assert_eq!(verify::unverified(&entries).len(), 1);
    assert!(!entries[0].can_undo(), "unknown: nothing to undo yet");

    let before = emu.calls("iam", "UpdateAccessKey", "us-east-1").len();
    let v = verify::verify(&backend, &journal, &out.id).await.unwrap();
    assert_eq!(v.status, Status::Succeeded, "{}", v.message);
    assert!(v.message.contains("took effect"), "{}", v.message);
    assert_eq!(
        emu.calls("iam", "UpdateAccessKey", "us-east-1").len(),
        before,
        "verifying only reads"
    );
    assert!(
        v.results
            .iter()
            .any(|r| r.call.operation == "ListAccessKeys" && r.detail.starts_with("yes")),
        "{:?}",
        v.results
    );

    let entries = Journal::open(&path).entries();
    assert_eq!(entries[0].status, Status::Succeeded);
    assert!(verify::unverified(&entries).is_empty());
    assert!(entries[0].can_undo(), "took effect: u undoes it");

    let undone = execute(&backend, &journal, &undo_plan(&entries[0]), &opts, |_| {})
        .await
        .unwrap();
    assert_eq!(undone.status, Status::Succeeded, "{}", undone.message);
    assert_eq!(live::key_status(&iam, "crashed").await, "Active");
    let entries = Journal::open(&path).entries();
    assert!(entries[0].undone_by.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_that_never_reached_the_server_verifies_as_did_not_take_effect() {
    let emu = live::emulator::start().expect("emulator");
    let ctx = live::context(&emu.url, &["us-east-1"])
        .await
        .expect("resolves");
    let iam = aws_sdk_iam::Client::new(&ctx.iam_config());
    let key = live::user_with_key(&iam, "not-reached").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let backend = AwsBackend::new(ctx.clone(), false);

    // The plan and its intent were journaled, then guardpost died before sending the call.
    let plan = catalog::deactivate_access_key("not-reached", &key);
    {
        use guardpost::remediation::journal::Body;
        let mut j = Journal::open(&path);
        j.append(
            "crash-1",
            Body::Plan {
                plan: Box::new(plan.clone()),
                account: ctx.account_id.clone(),
                caller: None,
                dry_run: false,
                run: None,
            },
        )
        .unwrap();
        j.append(
            "crash-1",
            Body::Intent {
                call: 0,
                api: plan.calls[0].clone(),
            },
        )
        .unwrap();
    }
    let journal = Mutex::new(Journal::open(&path));
    let v = verify::verify(&backend, &journal, "crash-1").await.unwrap();
    assert_eq!(v.status, Status::Failed, "{}", v.message);
    assert!(v.message.contains("did not take effect"), "{}", v.message);
    let e = Journal::open(&path).entries().pop().unwrap();
    assert_eq!(e.status, Status::Failed);
    assert!(!e.can_undo());
    assert_eq!(live::key_status(&iam, "not-reached").await, "Active");
}
