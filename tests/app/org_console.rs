//! The console over an organization, driven through `update` with events as the runtime sends
//! them: accounts listed, each account's dataset arriving (the demo account under three ids),
//! one that could not be read, `:account` switching, the acct: filter, and actions refused
//! while every account is shown.
use crate::common;
use common::demo::press;
use guardpost::app::{Effect, Event, Pane, State, View, update};
use guardpost::dataset::{Dataset, Origin};
use guardpost::model::org::OrgAccount;
use guardpost::posture::PostureConfig;
use guardpost::snapshot::Snapshot;

fn account(id: &str, name: &str) -> OrgAccount {
    OrgAccount {
        id: id.into(),
        name: name.into(),
        status: "ACTIVE".into(),
        ou_path: "Root/prod".into(),
        chain: vec![],
    }
}

/// The demo account re-labelled as `id` (its findings and ARNs keep the demo's own account,
/// so only the dataset's account and the findings' `account` field change).
fn data_of(id: &str) -> Box<Dataset> {
    let mut snap = Snapshot::demo();
    snap.account.id = id.into();
    let mut d = Dataset::from_snapshot(snap, Origin::Live, &PostureConfig::default());
    for f in &mut d.findings {
        f.account = id.into();
    }
    Box::new(d)
}

fn org_state() -> State {
    let mut st = State::new(false, (160, 45));
    update(&mut st, Event::Tick(chrono::Utc::now()));
    update(
        &mut st,
        Event::OrgListed {
            organization: Some("o-test".into()),
            accounts: vec![
                account("111111111111", "payments"),
                account("222222222222", "sandbox"),
                account("333333333333", "legacy"),
                account("444444444444", "payroll"),
            ],
            note: None,
        },
    );
    st
}

/// An account's read arrives (the all-accounts view may wait for the next tick).
fn arrive(st: &mut State, id: &str) {
    update(
        st,
        Event::AccountRead {
            id: id.into(),
            result: Ok(data_of(id)),
            at: chrono::Utc::now(),
        },
    );
}

/// An account's read arrives and the clock ticks (the all-accounts view shows it).
fn read(st: &mut State, id: &str) {
    arrive(st, id);
    update(
        st,
        Event::Tick(chrono::Utc::now() + chrono::TimeDelta::seconds(2)),
    );
}

fn status(st: &State) -> String {
    st.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[test]
fn accounts_fill_in_and_an_unread_one_stays_unknown_with_its_reason() {
    let mut st = org_state();
    assert_eq!(
        st.pane,
        Pane::Accounts,
        "the console opens on the Accounts pane"
    );
    assert_eq!(st.data.as_ref().unwrap().findings.len(), 0);
    // While the Accounts pane is on screen, its row shows the account; the all-accounts view is
    // not rebuilt (nothing on screen shows it) until the user leaves the pane.
    read(&mut st, "111111111111");
    assert_eq!(st.data.as_ref().unwrap().findings.len(), 0);
    assert_eq!(
        st.org
            .as_ref()
            .unwrap()
            .row("111111111111")
            .unwrap()
            .load
            .label(),
        "read"
    );
    let effects = press(&mut st, ":overview<Enter>");
    assert!(effects.is_empty());
    assert_eq!(st.pane, Pane::Overview);
    let one = st.data.as_ref().unwrap().findings.len();
    assert!(one > 0);
    arrive(&mut st, "222222222222");
    // Within a second of the last rebuild, the all-accounts view waits for the clock's tick
    // (the Accounts pane's row shows the account at once).
    assert_eq!(st.data.as_ref().unwrap().findings.len(), one);
    let row = st.org.as_ref().unwrap().row("222222222222").unwrap();
    assert_eq!(row.load.label(), "read");
    st.status = None;
    update(
        &mut st,
        Event::Tick(chrono::Utc::now() + chrono::TimeDelta::seconds(2)),
    );
    assert_eq!(
        st.data.as_ref().unwrap().findings.len(),
        2 * one,
        "side by side, not merged"
    );
    assert!(st.status.is_none(), "a tick announces nothing");
    update(
        &mut st,
        Event::AccountRead {
            id: "333333333333".into(),
            result: Err("cannot assume role OrganizationAccountAccessRole: AccessDenied".into()),
            at: chrono::Utc::now(),
        },
    );
    update(
        &mut st,
        Event::Tick(chrono::Utc::now() + chrono::TimeDelta::seconds(4)),
    );
    assert!(
        status(&st).contains("account legacy (333333333333) could not be read"),
        "{}",
        status(&st)
    );
    let data = st.data.clone().unwrap();
    assert!(
        data.problems
            .iter()
            .any(|p| p.source.contains("legacy") && p.message.contains("AccessDenied")),
        "the overview lists it: {:?}",
        data.problems
    );
    assert_eq!(st.loading.as_deref(), Some("1 accounts still reading"));
    // The all-accounts score says it covers only the accounts read.
    guardpost::app::run_command(&mut st, "overview");
    let screen = common::demo::text(&st);
    assert!(screen.contains("over 2 of 4 accounts"), "{screen}");
    let org = st.org.as_ref().unwrap();
    assert_eq!(org.pending(), 1);
    // The pane's rows: every account, in the organization's order.
    match st.stack_of(Pane::Accounts).first() {
        Some(View::Accounts(v)) => assert_eq!(v.list.rows.len(), 4),
        other => panic!("{other:?}"),
    }
}

#[test]
fn account_switches_the_console_and_actions_need_one_account() {
    let mut st = org_state();
    for id in ["111111111111", "222222222222", "444444444444"] {
        read(&mut st, id);
    }
    // With all accounts shown, `x` and `u` say to pick one first.
    press(&mut st, "<Tab>");
    let effects = press(&mut st, "x");
    assert!(effects.is_empty());
    assert!(
        status(&st).contains("all accounts are shown"),
        "{}",
        status(&st)
    );

    // A unique prefix of a name is enough; an ambiguous one is named as such.
    let effects = guardpost::app::run_command(&mut st, "account pay");
    assert!(effects.is_empty());
    assert!(
        status(&st).contains("matches 2 accounts"),
        "{}",
        status(&st)
    );
    let effects = guardpost::app::run_command(&mut st, "account paym");
    assert_eq!(
        effects,
        vec![Effect::UseAccount(Some("111111111111".into()))]
    );
    assert_eq!(st.data.as_ref().unwrap().account.id, "111111111111");
    assert_eq!(
        st.org.as_ref().unwrap().current.as_deref(),
        Some("111111111111")
    );
    assert_eq!(st.pane, Pane::Overview);

    // An account that could not be read is not shown as if it were.
    update(
        &mut st,
        Event::AccountRead {
            id: "333333333333".into(),
            result: Err("denied".into()),
            at: chrono::Utc::now(),
        },
    );
    let effects = guardpost::app::run_command(&mut st, "account legacy");
    assert!(effects.is_empty());
    assert!(
        status(&st).contains("could not be read: denied"),
        "{}",
        status(&st)
    );
    assert_eq!(st.data.as_ref().unwrap().account.id, "111111111111");

    let effects = guardpost::app::run_command(&mut st, "account *");
    assert_eq!(effects, vec![Effect::UseAccount(None)]);
    assert!(st.data.as_ref().unwrap().is_organization());
}

#[test]
fn acct_filter_keeps_one_accounts_findings() {
    let mut st = org_state();
    read(&mut st, "111111111111");
    read(&mut st, "222222222222");
    press(&mut st, ":findings<Enter>");
    press(&mut st, "/acct:sandbox<Enter>");
    let data = st.data.clone().unwrap();
    match st.view() {
        Some(View::Findings(l)) => {
            assert!(!l.rows.is_empty());
            assert!(
                l.rows
                    .iter()
                    .all(|&i| data.findings[i].account == "222222222222")
            );
        }
        other => panic!("{other:?}"),
    }
    // By id prefix too.
    press(&mut st, "/<Esc>/acct:1111<Enter>");
    match st.view() {
        Some(View::Findings(l)) => assert!(
            !l.rows.is_empty()
                && l.rows
                    .iter()
                    .all(|&i| data.findings[i].account == "111111111111")
        ),
        other => panic!("{other:?}"),
    }
}
