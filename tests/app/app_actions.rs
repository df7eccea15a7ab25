//! The action flow in the pure state machine on the demo account: what `x`, the confirm
//! dialog, `u`, read-only and the journal do, key by key.
use crate::common;
use common::demo::{loaded, press, text};
use guardpost::app::{self, Effect, Event, Mode};
use guardpost::remediation::journal::{Body, Journal, Status};
use guardpost::remediation::{ApiCall, catalog};

fn plan_of(effects: &[Effect]) -> &guardpost::remediation::Plan {
    match effects.iter().find(|e| matches!(e, Effect::Execute { .. })) {
        Some(Effect::Execute { plan, .. }) => plan,
        _ => panic!("no Execute in {effects:?}"),
    }
}

#[test]
fn x_on_an_old_key_finding_previews_update_access_key_and_defaults_to_no() {
    let mut st = loaded(160, 45);
    press(
        &mut st,
        ":posture<Enter>/legacy-backup has an access key<Enter><Enter>x",
    );
    let Mode::Actions(menu) = &st.mode else {
        panic!("menu expected: {:?}", st.mode)
    };
    assert_eq!(
        menu.plans[0].title,
        "Deactivate access key AKIA3NPRL2B7LO2ZHFU7 of legacy-backup"
    );
    press(&mut st, "<Enter>");
    let screen = text(&st);
    assert!(screen.contains("iam:UpdateAccessKey (global)"), "{screen}");
    assert!(screen.contains(r#""AccessKeyId":"AKIA3NPRL2B7LO2ZHFU7","Status":"Inactive""#));
    assert!(screen.contains("default No"));
    // Enter is No: nothing runs.
    let effects = press(&mut st, "<Enter>");
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(st.mode, Mode::Normal);
    // y runs exactly the previewed plan.
    let effects = press(&mut st, "x<Enter>y");
    let plan = plan_of(&effects);
    assert_eq!(plan.calls[0].params["AccessKeyId"], "AKIA3NPRL2B7LO2ZHFU7");
    assert!(matches!(st.mode, Mode::Running(_)));
}

#[test]
fn irreversible_actions_need_the_name_typed() {
    let mut st = common::demo::delete_key_dialog();
    assert!(text(&st).contains("IRREVERSIBLE. Type AKIA3NPRL2B7LO2ZHFU7"));
    // y is just a typed character here, not a yes.
    let effects = press(&mut st, "y<Enter>");
    assert!(effects.is_empty());
    assert!(matches!(st.mode, Mode::Confirm(_)));
    press(&mut st, "<Backspace>");
    let effects = press(&mut st, "AKIA3NPRL2B7LO2ZHFU7<Enter>");
    assert_eq!(plan_of(&effects).calls[0].operation, "DeleteAccessKey");
}

#[test]
fn marked_findings_get_one_batched_preview() {
    let mut st = loaded(160, 45);
    press(&mut st, ":securityhub<Enter><Space><Space><Space>x");
    let Mode::Actions(menu) = &st.mode else {
        panic!("{:?}", st.mode)
    };
    assert_eq!(menu.subject, "3 marked findings");
    let p = &menu.plans[0];
    assert_eq!(p.title, "Set 3 Security Hub findings to NOTIFIED");
    let ids: usize = p
        .calls
        .iter()
        .map(|c| c.params["FindingIdentifiers"].as_array().unwrap().len())
        .sum();
    assert_eq!(ids, 3);
    // Tab edits the note that goes with the status change.
    press(&mut st, "<Enter><Tab>");
    press(&mut st, " (ticket 42)<Enter>");
    let effects = press(&mut st, "y");
    let p = plan_of(&effects);
    assert_eq!(
        p.calls[0].params["Note"]["Text"],
        "NOTIFIED in guardpost (ticket 42)"
    );
}

#[test]
fn read_only_offers_no_actions_and_no_undo() {
    let mut st = loaded(160, 45);
    st.read_only = true;
    let effects = press(&mut st, ":posture<Enter><Enter>x");
    assert!(effects.is_empty());
    assert_eq!(st.mode, Mode::Normal);
    assert!(st.status.as_ref().unwrap().text.contains("read-only"));
    press(&mut st, "u");
    assert!(st.status.as_ref().unwrap().text.contains("read-only"));
}

fn journal_with(entries: impl FnOnce(&mut Journal)) -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let mut j = Journal::open(&path);
    entries(&mut j);
    (dir, Journal::open(&path))
}

#[test]
fn an_interrupted_action_shows_as_unknown_and_enter_verifies_it() {
    let plan = catalog::deactivate_access_key("alice", "AKIA1");
    let (_d, j) = journal_with(|j| {
        j.append(
            "a1",
            Body::Plan {
                plan: Box::new(plan.clone()),
                account: String::new(),
                caller: None,
                dry_run: false,
                run: None,
            },
        )
        .unwrap();
        j.append(
            "a1",
            Body::Intent {
                call: 0,
                api: plan.calls[0].clone(),
            },
        )
        .unwrap();
    });
    let mut st = loaded(160, 45);
    app::update(
        &mut st,
        Event::Journal {
            entries: j.entries(),
            problem: None,
            path: "journal.jsonl".into(),
            first: true,
        },
    );
    let status = st.status.clone().unwrap().text;
    assert!(
        status.contains("1 action(s) with an unknown outcome"),
        "{status}"
    );
    let header = |st: &app::State| text(st).lines().next().unwrap_or_default().to_string();
    assert!(!header(&loaded(160, 45)).contains("UNVERIFIED"));
    assert!(header(&st).contains("1 UNVERIFIED"), "{}", header(&st));
    press(&mut st, ":journal<Enter>");
    assert!(text(&st).contains("UNKNOWN — verify"), "{}", text(&st));
    // The status line has moved on; the header still keeps the entry in view.
    assert!(header(&st).contains("1 UNVERIFIED"), "{}", header(&st));
    let effects = press(&mut st, "<Enter>");
    assert_eq!(effects, vec![Effect::Verify("a1".into())]);
}

#[test]
fn u_undoes_the_last_action_of_this_account_only() {
    let plan = catalog::deactivate_access_key("alice", "AKIA1");
    let done = |j: &mut Journal, id: &str, account: &str| {
        j.append(
            id,
            Body::Plan {
                plan: Box::new(plan.clone()),
                account: account.into(),
                caller: None,
                dry_run: false,
                run: None,
            },
        )
        .unwrap();
        // The call and its result, as the executor journals them (undo plans are rebuilt from
        // the calls that took effect).
        j.append(
            id,
            Body::Intent {
                call: 0,
                api: plan.calls[0].clone(),
            },
        )
        .unwrap();
        j.append(
            id,
            Body::Result {
                call: 0,
                ok: true,
                output: None,
                error: None,
            },
        )
        .unwrap();
        j.append(id, Body::Done { status: Status::Succeeded, message: "ok".into(), undo: vec![ApiCall::iam("UpdateAccessKey", serde_json::json!({"UserName": "alice", "AccessKeyId": "AKIA1", "Status": "Active"}))] }).unwrap();
    };
    let (_d, j) = journal_with(|j| {
        done(j, "mine", "111122223333");
        done(j, "other-account", "999999999999");
    });
    let mut st = loaded(160, 45);
    st.act.account = "111122223333".into();
    app::update(
        &mut st,
        Event::Journal {
            entries: j.entries(),
            problem: None,
            path: "j".into(),
            first: false,
        },
    );
    press(&mut st, "u");
    let Mode::Confirm(c) = &st.mode else {
        panic!("{:?}", st.mode)
    };
    assert_eq!(c.plan.undo_of.as_deref(), Some("mine"));
    assert_eq!(c.plan.calls[0].params["Status"], "Active");
}

#[test]
fn a_corrupt_journal_is_reported_and_actions_are_refused() {
    let mut st = loaded(160, 45);
    app::update(
        &mut st,
        Event::Journal {
            entries: vec![],
            problem: Some("journal.jsonl line 3 is corrupt".into()),
            path: "journal.jsonl".into(),
            first: true,
        },
    );
    assert!(
        st.status
            .clone()
            .unwrap()
            .text
            .contains("line 3 is corrupt")
    );
    let effects = press(&mut st, ":posture<Enter><Enter>x<Enter>y");
    assert!(effects.is_empty(), "{effects:?}");
    assert!(st.status.clone().unwrap().text.contains("cannot act"));
}

#[test]
fn incident_on_a_guardduty_finding_suggests_the_playbook_and_walks_it() {
    let mut st = loaded(160, 45);
    let effects = press(
        &mut st,
        ":guardduty<Enter>/MaliciousIPCaller ci-deploy<Enter>:incident<Enter>",
    );
    let Some(Effect::IncidentStart(b)) = effects.first() else {
        panic!("{effects:?}")
    };
    let (book, subject) = &**b;
    assert_eq!(book.id, "compromised-access-key");
    assert_eq!(
        subject.access_key_id.as_deref(),
        Some("AKIA2UU5CGGEXZ4PVKDV")
    );
    // The loop creates the incident and opens it.
    let dir = tempfile::tempdir().unwrap();
    let inc = guardpost::incident::store::start(
        dir.path(),
        "inc-1",
        book.clone(),
        subject.clone(),
        "111122223333",
        None,
        chrono::Utc::now(),
    )
    .unwrap();
    app::update(&mut st, Event::IncidentOpened(Box::new(inc)));
    assert!(text(&st).contains("Compromised IAM access key — 0/15"));
    // Enter: the readiness facts, recorded for the file.
    let effects = press(&mut st, "<Enter>");
    assert!(
        matches!(effects.as_slice(), [Effect::IncidentAppend(_)]),
        "{effects:?}"
    );
    assert!(text(&st).contains("1/15"));
    // One Enter per step: the cursor went on to the owner step by itself; Enter inspects it,
    // and its facts stay on screen under the next step.
    let screen = text(&st);
    assert!(screen.contains("── step 1 just finished"), "{screen}");
    press(&mut st, "<Enter>");
    let screen = text(&st);
    assert!(
        screen.contains("owner tag owner: platform-team"),
        "{screen}"
    );
    assert!(screen.contains("── step 2 just finished"), "{screen}");
    assert_eq!(st.incident.as_ref().unwrap().cursor, 2);
    // Steps run in order: skipping needs a reason.
    press(&mut st, "s");
    assert!(matches!(st.mode, Mode::Prompt(_)));
    let effects = press(&mut st, "<Enter>");
    assert!(effects.is_empty(), "an empty reason is refused");
    let effects = press(&mut st, "known CI pattern<Enter>");
    let Some(Effect::IncidentAppend(rec)) = effects.first() else {
        panic!("{effects:?}")
    };
    let v = serde_json::to_value(&**rec).unwrap();
    assert_eq!(v["status"], "skipped");
    assert_eq!(v["reason"], "known CI pattern");
    // roles (facts), then save: an action step opens the usual confirm dialog.
    press(&mut st, "<Enter><Enter>");
    let Mode::Confirm(c) = &st.mode else {
        panic!("{:?}", st.mode)
    };
    assert_eq!(c.plan.action, "iam.save-configuration");
    let effects = press(&mut st, "y");
    let [Effect::Execute { origin, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let origin = *origin;
    // Its outcome completes the step with the journal entry.
    let outcome = guardpost::remediation::executor::Outcome {
        id: "j-1".into(),
        title: c_title(&st),
        status: Status::DryRun,
        message: "dry run".into(),
        results: vec![],
        undo: vec![],
        targets: vec![],
    };
    let effects = app::update(
        &mut st,
        Event::ActionDone {
            origin,
            result: Box::new(Ok(outcome)),
        },
    );
    let Some(Effect::IncidentAppend(rec)) = effects.first() else {
        panic!("{effects:?}")
    };
    let v = serde_json::to_value(&**rec).unwrap();
    assert_eq!(v["step"], "save");
    assert_eq!(v["journal_id"], "j-1");
    // A dry run is recorded as one, never as "done".
    assert_eq!(v["status"], "dry-run");
    assert!(text(&st).contains("5/15"), "{}", text(&st));
    assert!(text(&st).contains("dry run"), "{}", text(&st));
}

fn c_title(st: &guardpost::app::State) -> String {
    st.incident.as_ref().unwrap().inc.playbook.steps[4]
        .title
        .clone()
}

#[test]
fn the_walkthrough_keeps_the_selected_step_visible_on_a_small_terminal() {
    let mut st = loaded(80, 24);
    let data = st.data.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let inc = guardpost::incident::store::start(
        dir.path(),
        "inc-2",
        guardpost::incident::playbook("compromised-access-key").unwrap(),
        guardpost::incident::subject_for_key(&data, "AKIA2UU5CGGEXZ4PVKDV").unwrap(),
        "111122223333",
        None,
        chrono::Utc::now(),
    )
    .unwrap();
    app::update(&mut st, Event::IncidentOpened(Box::new(inc)));
    assert!(!text(&st).contains("15. Set the related findings"));
    press(&mut st, "jjjjjjjjjjjjjjjjjj");
    assert!(
        text(&st).contains("15. Set the related findings"),
        "{}",
        text(&st)
    );
}

/// Opens the confirm dialog of the first action on legacy-backup's old key, typed slowly.
fn confirm_open() -> guardpost::app::State {
    let mut st = loaded(160, 45);
    press(
        &mut st,
        ":posture<Enter>/legacy-backup has an access key<Enter><Enter>x<Enter>",
    );
    assert!(matches!(st.mode, Mode::Confirm(_)), "{:?}", st.mode);
    st
}

#[test]
fn a_burst_of_x_enter_y_runs_nothing_and_says_why() {
    let mut st = loaded(160, 45);
    press(
        &mut st,
        ":posture<Enter>/legacy-backup has an access key<Enter><Enter>",
    );
    // One write: `x`, Enter, `y` arrive before any frame is drawn.
    let effects = common::demo::burst(&mut st, "x<Enter>y");
    assert!(effects.is_empty(), "{effects:?}");
    assert!(matches!(st.mode, Mode::Actions(_)), "{:?}", st.mode);
    let status = st.status.clone().unwrap().text;
    assert!(status.contains("2 key(s) ignored"), "{status}");
    // The same burst once the menu is on screen: the dialog drops the `y`.
    let effects = common::demo::burst(&mut st, "<Enter>y");
    assert!(effects.is_empty(), "{effects:?}");
    assert!(matches!(st.mode, Mode::Confirm(_)), "{:?}", st.mode);
    assert!(
        st.status
            .clone()
            .unwrap()
            .text
            .contains("same burst as the key that opened the confirm dialog")
    );
}

#[test]
fn y_counts_only_once_the_dialog_has_been_on_screen_for_300_ms() {
    use std::time::Duration;
    let mut st = confirm_open();
    let Mode::Confirm(c) = &st.mode else {
        unreachable!()
    };
    let shown = c.guard.drawn_at.expect("drawn");
    let y = || {
        Event::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char('y'),
        ))
    };
    app::update(&mut st, Event::Clock(shown + Duration::from_millis(100)));
    let effects = app::update(&mut st, y());
    assert!(effects.is_empty(), "{effects:?}");
    assert!(st.status.clone().unwrap().text.contains("y ignored"));
    app::update(&mut st, Event::Clock(shown + Duration::from_millis(350)));
    let effects = app::update(&mut st, y());
    assert_eq!(plan_of(&effects).calls[0].operation, "UpdateAccessKey");
}

#[test]
fn a_paste_never_picks_or_confirms_an_action() {
    let mut st = confirm_open();
    let effects = app::update(&mut st, Event::Paste("y".into()));
    assert!(effects.is_empty());
    assert!(matches!(st.mode, Mode::Confirm(_)));
    assert!(st.status.clone().unwrap().text.contains("paste ignored"));
    // Nor in normal mode, where it would be keys.
    press(&mut st, "<Esc>");
    let effects = app::update(&mut st, Event::Paste("x\ry".into()));
    assert!(effects.is_empty());
    assert_eq!(st.mode, Mode::Normal);
}

#[test]
fn a_paste_fills_the_typed_name_but_still_needs_enter() {
    let mut st = common::demo::delete_key_dialog();
    let effects = app::update(&mut st, Event::Paste("AKIA3NPRL2B7LO2ZHFU7".into()));
    assert!(effects.is_empty());
    assert!(text(&st).contains("AKIA3NPRL2B7LO2ZHFU7█"), "{}", text(&st));
    let effects = press(&mut st, "<Enter>");
    assert_eq!(plan_of(&effects).calls[0].operation, "DeleteAccessKey");
}

#[test]
fn reactivating_a_key_is_never_the_default_is_labelled_and_needs_the_name_typed() {
    let mut st = loaded(160, 45);
    // heidi's only key is inactive: the catalog offers to reactivate it.
    press(&mut st, ":iam<Enter>/heidi<Enter>x");
    let Mode::Actions(menu) = &st.mode else {
        panic!("{:?}", st.mode)
    };
    assert_ne!(menu.plans[menu.cursor].action, "iam.activate-access-key");
    assert_eq!(
        menu.plans.last().map(|p| p.action.as_str()),
        Some("iam.activate-access-key")
    );
    assert!(text(&st).contains("(weakens security)"), "{}", text(&st));
    press(&mut st, "G<Enter>");
    assert!(
        text(&st).contains("WEAKENS SECURITY. Type AKIAYPTDWDIHCXANKA6Y"),
        "{}",
        text(&st)
    );
    // `y` is just a typed character here.
    let effects = press(&mut st, "y<Enter>");
    assert!(effects.is_empty(), "{effects:?}");
    press(&mut st, "<Backspace>");
    let effects = press(&mut st, "AKIAYPTDWDIHCXANKA6Y<Enter>");
    assert_eq!(plan_of(&effects).calls[0].params["Status"], "Active");
}

#[test]
fn undoing_a_containment_needs_the_name_typed() {
    let plan = catalog::deactivate_access_key("alice", "AKIA1");
    let (_d, j) = journal_with(|j| {
        j.append(
            "c1",
            Body::Plan {
                plan: Box::new(plan.clone()),
                account: String::new(),
                caller: None,
                dry_run: true,
                run: None,
            },
        )
        .unwrap();
        j.append("c1", Body::Done { status: Status::DryRun, message: "dry run".into(), undo: vec![ApiCall::iam("UpdateAccessKey", serde_json::json!({"UserName": "alice", "AccessKeyId": "AKIA1", "Status": "Active"}))] }).unwrap();
    });
    let mut st = loaded(160, 45);
    st.act.dry_run = true;
    app::update(
        &mut st,
        Event::Journal {
            entries: j.entries(),
            problem: None,
            path: "j".into(),
            first: false,
        },
    );
    press(&mut st, "u");
    let Mode::Confirm(c) = &st.mode else {
        panic!("{:?}", st.mode)
    };
    assert!(c.needs_typing());
    assert!(press(&mut st, "y").is_empty());
    press(&mut st, "<Backspace>");
    let effects = press(&mut st, "AKIA1<Enter>");
    assert_eq!(plan_of(&effects).undo_of.as_deref(), Some("c1"));
}
