//! The incident walkthrough as a responder drives it: one Enter per step, a manual step never
//! ticked unseen, the step pane scrolls, several incidents open at once, `q` asks while one is
//! unfinished, dry runs are never "done".

use crate::common;
use common::demo::{burst, loaded, press, text};
use guardpost::app::{self, Effect, Event, Mode};
use guardpost::incident::{self, Incident, StepStatus, store};

fn start(id: &str, book: &str, subject: incident::Subject) -> Incident {
    let dir = tempfile::tempdir().unwrap();
    store::start(
        dir.path(),
        id,
        incident::playbook(book).unwrap(),
        subject,
        "111122223333",
        Some("arn:aws:iam::111122223333:user/alice".into()),
        chrono::Utc::now(),
    )
    .unwrap()
}

fn role_exposure() -> Incident {
    start(
        "inc-role",
        "role-exposure",
        incident::Subject {
            role: Some("ec2-app-role".into()),
            ..Default::default()
        },
    )
}

fn key_incident(st: &guardpost::app::State) -> Incident {
    let data = st.data.clone().unwrap();
    start(
        "inc-key",
        "compromised-access-key",
        incident::subject_for_key(&data, "AKIA2UU5CGGEXZ4PVKDV").unwrap(),
    )
}

fn status(st: &guardpost::app::State, step: usize) -> StepStatus {
    st.incident.as_ref().unwrap().inc.steps[step].status.clone()
}

#[test]
fn a_double_enter_never_ticks_a_manual_step_the_responder_has_not_seen() {
    let mut st = loaded(160, 45);
    let inc = role_exposure();
    assert!(matches!(
        inc.playbook.steps[2].kind,
        incident::StepKind::Manual { .. }
    ));
    app::update(&mut st, Event::IncidentOpened(Box::new(inc)));
    // Step 1 (the role): one Enter, the cursor goes on to step 2.
    press(&mut st, "<Enter>");
    assert_eq!(status(&st, 0), StepStatus::Done);
    assert_eq!(st.incident.as_ref().unwrap().cursor, 1);
    // Enter Enter in one burst: step 2 runs, the cursor lands on the manual step 3, and the
    // second Enter is refused — step 3 has not been on screen yet.
    burst(&mut st, "<Enter><Enter>");
    assert!(
        status(&st, 1) != StepStatus::Pending,
        "{:?}",
        status(&st, 1)
    );
    assert_eq!(st.incident.as_ref().unwrap().cursor, 2);
    assert_eq!(status(&st, 2), StepStatus::Pending);
    let msg = st.status.clone().unwrap().text;
    assert!(msg.contains("step 3 has only just appeared"), "{msg}");
    // Once it has been on screen, Enter ticks it and records what was done by hand.
    let effects = press(&mut st, "<Enter>");
    assert!(
        matches!(effects.as_slice(), [Effect::IncidentAppend(_)]),
        "{effects:?}"
    );
    assert_eq!(status(&st, 2), StepStatus::Done);
    let did = &st.incident.as_ref().unwrap().inc.steps[2].did;
    assert!(did[0].contains("role/ec2-app-role"), "{did:?}");
}

#[test]
fn enter_on_a_step_looked_at_with_k_shows_the_step_to_do_and_runs_nothing() {
    let mut st = loaded(160, 45);
    let inc = role_exposure();
    app::update(&mut st, Event::IncidentOpened(Box::new(inc)));
    press(&mut st, "<Enter>");
    press(&mut st, "k");
    assert_eq!(st.incident.as_ref().unwrap().cursor, 0);
    let effects = press(&mut st, "<Enter>");
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(st.incident.as_ref().unwrap().cursor, 1);
    assert_eq!(status(&st, 1), StepStatus::Pending);
    assert!(
        st.status
            .clone()
            .unwrap()
            .text
            .contains("step 2 is the one to do")
    );
}

#[test]
fn the_step_pane_scrolls_and_says_there_is_more() {
    let mut st = loaded(80, 24);
    let inc = key_incident(&st);
    app::update(&mut st, Event::IncidentOpened(Box::new(inc)));
    // Readiness and the owner: long facts on a short terminal.
    press(&mut st, "<Enter><Enter>");
    let screen = text(&st);
    assert!(screen.contains("more below (PgDn)"), "{screen}");
    press(&mut st, "<PgDn>");
    let screen = text(&st);
    assert!(screen.contains("PgUp"), "{screen}");
    assert!(st.incident.as_ref().unwrap().scroll > 0);
    // Moving to another step starts it from the top.
    press(&mut st, "k");
    assert_eq!(st.incident.as_ref().unwrap().scroll, 0);
}

#[test]
fn several_incidents_stay_open_and_brackets_switch_between_them() {
    let mut st = loaded(160, 45);
    let a = key_incident(&st);
    let b = role_exposure();
    app::update(&mut st, Event::IncidentOpened(Box::new(a)));
    press(&mut st, "<Enter>");
    app::update(&mut st, Event::IncidentOpened(Box::new(b)));
    assert_eq!(st.incident.as_ref().unwrap().inc.id, "inc-role");
    assert_eq!(st.parked_incidents.len(), 1);
    assert!(text(&st).contains("1 more open (]/[)"), "{}", text(&st));
    press(&mut st, "]");
    let ui = st.incident.as_ref().unwrap();
    assert_eq!(ui.inc.id, "inc-key");
    // Its progress and cursor were kept.
    assert_eq!(ui.inc.steps[0].status, StepStatus::Done);
    assert_eq!(ui.cursor, 1);
    assert!(text(&st).contains("Compromised IAM access key — 1/15"));
    press(&mut st, "[");
    assert_eq!(st.incident.as_ref().unwrap().inc.id, "inc-role");
    // :incident on the same subject shows the open incident instead of starting another.
    press(&mut st, "]");
    let effects = press(
        &mut st,
        ":guardduty<Enter>/MaliciousIPCaller ci-deploy<Enter>:incident<Enter>",
    );
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(st.incident.as_ref().unwrap().inc.id, "inc-key");
    assert!(
        st.status
            .clone()
            .unwrap()
            .text
            .contains("inc-key is in progress")
    );
}

#[test]
fn q_asks_while_an_incident_is_unfinished_and_says_how_to_resume() {
    let mut st = loaded(160, 45);
    let inc = key_incident(&st);
    app::update(&mut st, Event::IncidentOpened(Box::new(inc)));
    let effects = press(&mut st, "q");
    assert!(effects.is_empty(), "{effects:?}");
    let Mode::Prompt(p) = &st.mode else {
        panic!("{:?}", st.mode)
    };
    assert!(p.label.contains("15 step(s) left"), "{}", p.label);
    assert!(
        text(&st).contains("guardpost incident resume inc-key"),
        "{}",
        text(&st)
    );
    // n stays.
    let effects = press(&mut st, "n");
    assert!(effects.is_empty());
    assert!(matches!(st.mode, Mode::Normal));
    // y quits; :q asks the same; :q! and Ctrl-C never ask.
    let effects = press(&mut st, "qy");
    assert!(matches!(effects.as_slice(), [Effect::Quit]), "{effects:?}");
    let effects = press(&mut st, ":q<Enter>");
    assert!(effects.is_empty(), "{effects:?}");
    press(&mut st, "<Esc>");
    let effects = press(&mut st, ":q!<Enter>");
    assert!(matches!(effects.as_slice(), [Effect::Quit]), "{effects:?}");
    let effects = press(&mut st, "<C-c>");
    assert!(matches!(effects.as_slice(), [Effect::Quit]), "{effects:?}");
}

#[test]
fn without_an_open_incident_q_quits_at_once() {
    let mut st = loaded(160, 45);
    let effects = press(&mut st, "q");
    assert!(matches!(effects.as_slice(), [Effect::Quit]), "{effects:?}");
}

#[test]
fn key_ages_are_the_same_on_the_user_page_and_in_the_incident() {
    let mut st = loaded(160, 45);
    let data = st.data.clone().unwrap();
    let u = data
        .iam
        .as_ref()
        .unwrap()
        .user("ci-deploy")
        .unwrap()
        .clone();
    let k = u
        .access_keys
        .iter()
        .find(|k| k.access_key_id == "AKIA2UU5CGGEXZ4PVKDV")
        .unwrap();
    let age = guardpost::model::age_days(k.create_date, data.captured_at);
    let used = k.last_used.as_ref().and_then(|l| l.last_used_date).unwrap();
    let ago = guardpost::model::days_ago(used, data.captured_at);
    let inc = key_incident(&st);
    // Ages are as of the data (the inspection takes no wall clock).
    let facts = incident::inspect::facts("key-owner", &data, &inc).unwrap();
    let line = facts
        .seen
        .iter()
        .find(|l| l.contains("AKIA2UU5CGGEXZ4PVKDV"))
        .unwrap();
    assert!(line.contains(&format!("({age} days)")), "{line}");
    assert!(line.contains(&format!("({ago})")), "{line}");
    // The user's page says the same.
    press(&mut st, ":iam<Enter>/ci-deploy<Enter><Enter>");
    let screen = text(&st);
    assert!(screen.contains(&format!("({ago}) with sts")), "{screen}");
}

#[test]
fn a_dry_run_step_is_written_as_a_dry_run_in_the_timeline() {
    let mut st = loaded(160, 45);
    let mut inc = key_incident(&st);
    let rec = store::Record {
        v: store::VERSION,
        ts: chrono::Utc::now(),
        incident: inc.id.clone(),
        caller: Some("local user ann (no AWS identity)".into()),
        event: store::Event::Step {
            step: "save".into(),
            outcome: StepStatus::DryRun,
            seen: vec!["dry run: nothing was called".into()],
            did: vec![],
            journal_id: Some("j-1".into()),
        },
    };
    inc.apply(&rec);
    let md = incident::timeline::markdown(&inc);
    assert!(md.contains("| local user ann (no AWS identity) |"), "{md}");
    assert!(md.contains("| dry run |"), "{md}");
    assert!(!md.contains("— done"), "{md}");
    let js = incident::timeline::json(&inc);
    let save = js["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "save")
        .unwrap();
    assert_eq!(save["status"], "dry run");
    // The walkthrough goes on past it.
    app::update(&mut st, Event::IncidentOpened(Box::new(inc)));
    assert_eq!(st.incident.as_ref().unwrap().inc.current(), Some(0));
}
