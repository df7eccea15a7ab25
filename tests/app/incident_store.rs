//! Incident progress shared by two responders: every append holds the file's lock and reads
//! what the other appended, so a step is never recorded (or claimed) twice; a record torn by a
//! crash is skipped with the rest intact; files are private.

use chrono::{Duration, Utc};
use guardpost::incident::store::{self, Event, Record};
use guardpost::incident::{self, Incident, StepStatus, Subject};
use std::path::Path;

fn start(dir: &Path) -> Incident {
    let book = incident::playbook("compromised-access-key").unwrap();
    let subject = Subject {
        access_key_id: Some("AKIA1".into()),
        user: Some("alice".into()),
        ..Default::default()
    };
    store::start(
        dir,
        "inc-1",
        book,
        subject,
        "111122223333",
        Some("arn:aws:iam::111122223333:user/first".into()),
        Utc::now(),
    )
    .unwrap()
}

fn step_done(inc: &Incident, who: &str) -> Record {
    Record {
        v: store::VERSION,
        ts: Utc::now(),
        incident: inc.id.clone(),
        caller: Some(who.into()),
        event: Event::Step {
            step: inc.playbook.steps[0].id.clone(),
            outcome: StepStatus::Done,
            seen: vec![],
            did: vec![],
            journal_id: None,
        },
    }
}

#[test]
fn a_step_finished_by_one_responder_is_not_recorded_again_by_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let inc = start(dir.path());
    // Both responders have the incident open with step 1 pending.
    store::append(dir.path(), &step_done(&inc, "first")).unwrap();
    let err = store::append(dir.path(), &step_done(&inc, "second")).unwrap_err();
    assert!(err.contains("already done by first"), "{err}");
    let back = store::find(dir.path(), Some("inc-1")).unwrap();
    assert_eq!(back.steps[0].by.as_deref(), Some("first"));
}

#[test]
fn a_failed_step_may_be_retried_and_recorded_again() {
    let dir = tempfile::tempdir().unwrap();
    let inc = start(dir.path());
    let mut failed = step_done(&inc, "first");
    if let Event::Step { outcome, .. } = &mut failed.event {
        *outcome = StepStatus::Failed {
            error: "AccessDenied".into(),
        };
    }
    store::append(dir.path(), &failed).unwrap();
    store::append(dir.path(), &step_done(&inc, "first")).unwrap();
    let back = store::find(dir.path(), Some("inc-1")).unwrap();
    assert_eq!(back.steps[0].status, StepStatus::Done);
}

#[test]
fn only_one_session_claims_a_step_until_it_is_done_or_the_claim_lapses() {
    let dir = tempfile::tempdir().unwrap();
    let inc = start(dir.path());
    let step = inc.playbook.steps[0].id.clone();
    let now = Utc::now();
    store::claim(
        dir.path(),
        "inc-1",
        &step,
        "session-a",
        Some("a".into()),
        now,
    )
    .unwrap();
    // The same session may claim again (a retry); another may not.
    store::claim(dir.path(), "inc-1", &step, "session-a", None, now).unwrap();
    let err = store::claim(dir.path(), "inc-1", &step, "session-b", None, now).unwrap_err();
    assert!(err.contains("is being run by a"), "{err}");
    // A claim whose session crashed lapses.
    let later = now + Duration::minutes(store::CLAIM_MINUTES + 1);
    store::claim(dir.path(), "inc-1", &step, "session-b", None, later).unwrap();
    // Once the step is done, nobody claims it.
    store::append(dir.path(), &step_done(&inc, "b")).unwrap();
    let err = store::claim(dir.path(), "inc-1", &step, "session-c", None, later).unwrap_err();
    assert!(err.contains("already done"), "{err}");
    // The timeline shows the claims as step starts.
    let back = store::find(dir.path(), Some("inc-1")).unwrap();
    assert!(incident::timeline::markdown(&back).contains("started"));
}

#[test]
fn a_torn_last_record_is_skipped_and_the_incident_still_loads_and_grows() {
    let dir = tempfile::tempdir().unwrap();
    let inc = start(dir.path());
    let path = store::path_of(dir.path(), "inc-1");
    let line = serde_json::to_string(&step_done(&inc, "first")).unwrap();
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&line[..line.len() / 2]);
    std::fs::write(&path, text).unwrap();
    let back = store::find(dir.path(), Some("inc-1")).unwrap();
    assert_eq!(
        back.steps[0].status,
        StepStatus::Pending,
        "the torn step did not happen"
    );
    store::append(dir.path(), &step_done(&inc, "second")).unwrap();
    let back = store::find(dir.path(), Some("inc-1")).unwrap();
    assert_eq!(back.steps[0].status, StepStatus::Done);
    assert_eq!(back.steps[0].by.as_deref(), Some("second"));
}

#[test]
fn an_oversized_incident_file_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    start(dir.path());
    let path = store::path_of(dir.path(), "inc-1");
    let f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.set_len(guardpost::storage::MAX_INCIDENT_BYTES + 1)
        .unwrap();
    let err = store::load(&path).unwrap_err();
    assert!(err.contains("more than the"), "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn incident_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let incidents = dir.path().join("incidents");
    start(&incidents);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&store::path_of(&incidents, "inc-1")), 0o600);
    assert_eq!(mode(&incidents), 0o700);
}
