//! `update` and the screen for live-only events: streaming partial datasets.
mod common;
use common::demo::{press, text};
use guardpost::app::{self, Event, State, View};
use guardpost::dataset::{Dataset, Origin};
use guardpost::posture::PostureConfig;
use guardpost::snapshot::Snapshot;

fn dataset(snap: Snapshot) -> Box<Dataset> {
    Box::new(Dataset::from_snapshot(
        snap,
        Origin::Live,
        &PostureConfig::default(),
    ))
}

/// The demo as a live load would stream it: GuardDuty first, then Security Hub, then all.
fn stages() -> [Snapshot; 3] {
    let full = Snapshot::demo();
    let mut first = full.clone();
    first.securityhub.clear();
    first.access_analyzer.clear();
    first.iam = None;
    first.services.clear();
    let mut second = first.clone();
    second.securityhub = full.securityhub.clone();
    [first, second, full]
}

fn selected_id(st: &State) -> String {
    let data = st.data.as_ref().unwrap();
    match st.view() {
        Some(View::Findings(l)) => data.findings[l.selected_finding().unwrap()].id.clone(),
        other => panic!("expected a findings table, got {other:?}"),
    }
}

#[test]
fn partial_datasets_grow_and_keep_the_users_place() {
    let [first, second, full] = stages();
    let mut st = State::new(false, (160, 45));
    app::update(
        &mut st,
        Event::Loading("SecurityHub us-east-1 1/? · GuardDuty us-east-1 done".into()),
    );
    app::update(&mut st, Event::Partial(dataset(first)));
    assert!(st.partial);
    let n1 = st.data.as_ref().unwrap().findings.len();
    assert!(n1 > 0);
    let screen = text(&st);
    assert!(
        screen.contains(&format!("{n1} findings so far")),
        "{screen}"
    );
    assert!(
        screen.contains("loading: SecurityHub us-east-1 1/? · GuardDuty us-east-1 done"),
        "{screen}"
    );
    // The user is already working: findings pane, third row.
    press(&mut st, "<Tab>jj");
    let picked = selected_id(&st);
    assert!(text(&st).contains("loading: SecurityHub us-east-1 1/?"));

    app::update(
        &mut st,
        Event::Loading("AccessAnalyzer us-east-1 3/9 · 4/7 done".into()),
    );
    app::update(&mut st, Event::Partial(dataset(second)));
    let n2 = st.data.as_ref().unwrap().findings.len();
    assert!(n2 > n1, "{n1} then {n2}");
    assert_eq!(
        selected_id(&st),
        picked,
        "the cursor stays on the same finding"
    );
    assert!(text(&st).contains(&format!("{n2} findings so far")));

    app::update(&mut st, Event::Loaded(dataset(full)));
    let n3 = st.data.as_ref().unwrap().findings.len();
    assert!(n3 > n2, "{n2} then {n3}");
    assert!(!st.partial);
    assert!(st.loading.is_none());
    assert_eq!(selected_id(&st), picked);
    let screen = text(&st);
    assert!(
        screen.contains(&format!("loaded {n3} findings")),
        "{screen}"
    );
    assert!(!screen.contains("loading:"), "{screen}");
}

#[test]
fn a_refresh_keeps_complete_data_until_the_new_load_finishes() {
    let [first, _, full] = stages();
    let mut st = State::new(false, (160, 45));
    app::update(&mut st, Event::Loaded(dataset(full.clone())));
    let n = st.data.as_ref().unwrap().findings.len();
    // A refresh streams too, but a partial never replaces complete data.
    app::update(&mut st, Event::Loading("SecurityHub us-east-1 1/?".into()));
    app::update(&mut st, Event::Partial(dataset(first)));
    assert_eq!(st.data.as_ref().unwrap().findings.len(), n);
    assert!(!st.partial);
    assert!(text(&st).contains("loading: SecurityHub us-east-1 1/?"));
    app::update(&mut st, Event::Loaded(dataset(full)));
    assert_eq!(st.data.as_ref().unwrap().findings.len(), n);
    assert!(st.loading.is_none());
}

#[test]
fn a_roles_resource_view_shows_description_and_max_session() {
    let mut st = common::demo::loaded(160, 45);
    // IAM pane, Roles tab, open the first role.
    press(&mut st, "<BackTab>l<Enter>");
    assert!(
        matches!(st.view(), Some(View::Resource(_))),
        "{:?}",
        st.view()
    );
    let data = st.data.clone().unwrap();
    let Some(View::Resource(r)) = st.view() else {
        unreachable!()
    };
    let arn = &data.resources.resources[r.resource].arn;
    let role = data
        .iam
        .as_ref()
        .unwrap()
        .role_detail_list
        .iter()
        .find(|x| &x.arn == arn)
        .unwrap();
    let screen = text(&st);
    let secs = role
        .max_session_duration
        .expect("the demo's roles have one");
    let want = if secs % 3600 == 0 {
        format!("{}h", secs / 3600)
    } else {
        format!("{}h {}m", secs / 3600, secs % 3600 / 60)
    };
    assert!(screen.contains("Max session"), "{screen}");
    assert!(screen.contains(&want), "{want} in {screen}");
    if let Some(d) = &role.description {
        assert!(screen.contains(d.as_str()), "{screen}");
    }
}
