//! `update` and the screen for live-only events: streaming partial datasets.
use crate::common;
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

// ------------------------------------------------------------------ temporary credentials

use chrono::{DateTime, Duration, Utc};
use guardpost::app::{Effect, Mode, Session};
use guardpost::sources::session::MfaCode;

fn at(min: i64) -> DateTime<Utc> {
    "2026-01-01T12:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(min)
}

fn header(st: &State) -> String {
    text(st).lines().next().unwrap().to_string()
}

const WRONG: &str = "sts:AssumeRole: AccessDenied: MultiFactorAuthentication failed with invalid MFA one time pass code.";

#[test]
fn session_expiry_shows_in_the_header_then_a_prompt_renews_it_without_losing_anything() {
    let mut st = common::demo::loaded(160, 45);
    st.session = Some(Session::new(at(58) + Duration::seconds(30), true));
    app::update(&mut st, Event::Tick(at(0)));
    assert!(
        header(&st).contains("MFA session 58m left"),
        "{}",
        header(&st)
    );
    press(&mut st, "<Tab>jj");
    let picked = selected_id(&st);
    let data = st.data.clone().unwrap();

    // Expired: the modal prompt opens by itself; the data stays.
    let fx = app::update(&mut st, Event::Tick(at(59)));
    assert!(fx.is_empty());
    assert!(matches!(st.mode, Mode::Mfa(_)), "{:?}", st.mode);
    let screen = text(&st);
    assert!(screen.contains("MFA code"), "{screen}");
    assert!(screen.contains("Enter a new 6-digit MFA code"), "{screen}");
    assert!(header(&st).contains("MFA session expired"));
    assert!(std::sync::Arc::ptr_eq(st.data.as_ref().unwrap(), &data));

    // Five digits are not a code; letters are ignored; the sixth digit submits.
    assert!(press(&mut st, "12x345<Enter>").is_empty());
    assert!(text(&st).contains("the code has 6 digits"));
    let fx = press(&mut st, "6<Enter>");
    assert_eq!(fx, [Effect::RenewSession(Some(MfaCode("123456".into())))]);
    assert!(text(&st).contains("checking"));
    // The code never shows up in debug output.
    assert!(!format!("{:?} {fx:?}", st.mode).contains("123456"));

    // STS says no: asked again, with the error and the attempt.
    app::update(&mut st, Event::SessionRenewFailed(WRONG.into()));
    let screen = text(&st);
    assert!(
        screen.contains("invalid MFA one time pass code"),
        "{screen}"
    );
    assert!(screen.contains("attempt 2 of 3"), "{screen}");
    let fx = press(&mut st, "654321<Enter>");
    assert_eq!(fx, [Effect::RenewSession(Some(MfaCode("654321".into())))]);

    // Renewed: a reload, the header counts down again, the user is where they were.
    let fx = app::update(
        &mut st,
        Event::SessionRenewed(Session::new(at(59) + Duration::hours(1), true)),
    );
    assert_eq!(fx, [Effect::Reload]);
    assert_eq!(st.mode, Mode::Normal);
    assert!(
        header(&st).contains("MFA session 1h 00m left"),
        "{}",
        header(&st)
    );
    assert_eq!(selected_id(&st), picked);
    assert!(std::sync::Arc::ptr_eq(st.data.as_ref().unwrap(), &data));
}

#[test]
fn three_wrong_codes_give_up_and_r_asks_again() {
    let mut st = common::demo::loaded(160, 45);
    st.session = Some(Session::new(at(10), true));
    app::update(&mut st, Event::Tick(at(11)));
    for i in 1..=3 {
        assert!(matches!(st.mode, Mode::Mfa(_)), "attempt {i}");
        assert_eq!(press(&mut st, "000000<Enter>").len(), 1);
        app::update(&mut st, Event::SessionRenewFailed(WRONG.into()));
    }
    assert_eq!(st.mode, Mode::Normal);
    let screen = text(&st);
    assert!(screen.contains("MFA failed 3 times"), "{screen}");
    // No prompt every second after giving up...
    app::update(&mut st, Event::Tick(at(12)));
    assert_eq!(st.mode, Mode::Normal);
    // ...but r asks again instead of reloading with dead credentials.
    let fx = press(&mut st, "r");
    assert!(fx.is_empty(), "{fx:?}");
    assert!(matches!(st.mode, Mode::Mfa(_)));
}

#[test]
fn expired_token_from_a_load_prompts_and_esc_keeps_the_data() {
    let mut st = common::demo::loaded(160, 45);
    st.session = Some(Session::new(at(30), true));
    app::update(&mut st, Event::Tick(at(0)));
    let n = st.data.as_ref().unwrap().findings.len();
    // The server said ExpiredToken before our clock did.
    app::update(&mut st, Event::SessionExpired);
    assert!(matches!(st.mode, Mode::Mfa(_)));
    assert!(text(&st).contains("the session credentials have expired"));
    press(&mut st, "<Esc>");
    assert_eq!(st.mode, Mode::Normal);
    assert!(text(&st).contains("press r to enter a new MFA code"));
    assert_eq!(st.data.as_ref().unwrap().findings.len(), n);
    app::update(&mut st, Event::Tick(at(1)));
    assert_eq!(st.mode, Mode::Normal, "Esc is respected");

    // A role without MFA renews by itself.
    let mut st = common::demo::loaded(160, 45);
    st.session = Some(Session::new(at(60), false));
    app::update(&mut st, Event::Tick(at(0)));
    assert!(header(&st).contains("role session 1h 00m left"));
    let fx = app::update(&mut st, Event::Tick(at(61)));
    assert_eq!(fx, [Effect::RenewSession(None)]);
    assert_eq!(st.mode, Mode::Normal);
}

#[test]
fn the_mfa_prompt_shows_its_own_key_hints_over_every_view() {
    for keys in [":journal<Enter>", ""] {
        let mut st = common::demo::loaded(160, 45);
        st.session = Some(Session::new(at(1), true));
        press(&mut st, keys);
        app::update(&mut st, Event::Tick(at(2)));
        assert!(matches!(st.mode, Mode::Mfa(_)), "{:?}", st.mode);
        let hints = text(&st).lines().last().unwrap().to_string();
        assert!(hints.contains("0-9 code"), "{keys}: {hints}");
        assert!(!hints.contains("undo"), "{keys}: {hints}");
    }
}
