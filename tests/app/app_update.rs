//! `update` transitions on the demo account: what a user would notice after each key.
use crate::common;
use common::demo::{loaded, press, text};
use guardpost::app::{Effect, Mode, Pane, Scope, View};
use guardpost::model::{Severity, Source};

fn findings_view(st: &guardpost::app::State) -> &guardpost::app::FindingList {
    match st.view() {
        Some(View::Findings(l)) => l,
        other => panic!("expected a findings table, got {other:?}"),
    }
}

#[test]
fn tab_cycles_panes_and_esc_returns_to_overview() {
    let mut st = loaded(160, 45);
    assert_eq!(st.pane, Pane::Overview);
    press(&mut st, "<Tab>");
    assert_eq!(st.pane, Pane::Findings);
    press(&mut st, "<Tab><Tab>");
    assert_eq!(st.pane, Pane::Iam);
    press(&mut st, "<Tab>");
    assert_eq!(st.pane, Pane::Overview);
    press(&mut st, "<BackTab>");
    assert_eq!(st.pane, Pane::Iam);
    press(&mut st, "<Esc>");
    assert_eq!(st.pane, Pane::Overview);
}

#[test]
fn overview_count_drills_into_matching_findings() {
    let mut st = loaded(160, 45);
    let data = st.data.clone().unwrap();
    // First line is CRITICAL; `l` moves to the Security Hub column.
    press(&mut st, "l<Enter>");
    let l = findings_view(&st);
    assert_eq!(
        l.scope,
        Scope::Severity(Severity::Critical, Some(Source::SecurityHub))
    );
    assert!(!l.rows.is_empty());
    for &i in &l.rows {
        let f = &data.findings[i];
        assert_eq!(f.severity, Severity::Critical);
        assert!(f.sources().contains(&Source::SecurityHub));
        assert!(f.workflow.is_open());
    }
    assert_eq!(
        l.rows.len(),
        st.summary.by_source[0][0],
        "the count shown is the count listed"
    );
    assert_eq!(st.breadcrumbs(), vec!["Overview", "critical Security Hub"]);
    press(&mut st, "<Esc>");
    assert!(matches!(st.view(), Some(View::Overview(_))));
}

#[test]
fn guardduty_finding_to_resource_and_back() {
    let mut st = loaded(160, 45);
    let data = st.data.clone().unwrap();
    press(&mut st, ":guardduty<Enter>");
    assert_eq!(st.pane, Pane::Findings);
    let l = findings_view(&st);
    assert!(
        l.rows
            .iter()
            .all(|&i| data.findings[i].sources().contains(&Source::GuardDuty))
    );
    // Deduplicated: GuardDuty findings that Security Hub copied show both sources.
    assert!(
        l.rows
            .iter()
            .any(|&i| data.findings[i].sources() == vec![Source::GuardDuty, Source::SecurityHub]),
        "some GuardDuty findings carry their Security Hub copy"
    );
    let first = l.selected_finding().unwrap();
    press(&mut st, "<Enter>");
    let Some(View::Detail(d)) = st.view() else {
        panic!("detail expected")
    };
    assert_eq!(d.finding, first);
    let screen = text(&st);
    assert!(
        screen.contains(&data.findings[first].title[..30.min(data.findings[first].title.len())]),
        "{screen}"
    );
    press(&mut st, "<Enter>");
    let Some(View::Resource(r)) = st.view() else {
        panic!("resource expected")
    };
    let res = &data.resources.resources[r.resource];
    assert!(
        res.findings.contains(&first),
        "the resource page lists the finding we came from"
    );
    assert_eq!(st.breadcrumbs().len(), 4, "{:?}", st.breadcrumbs());
    press(&mut st, "<Esc><Esc>");
    assert!(matches!(st.view(), Some(View::Findings(_))));
}

#[test]
fn filter_narrows_and_esc_clears() {
    let mut st = loaded(160, 45);
    press(&mut st, "<Tab>");
    let all = findings_view(&st).rows.len();
    press(&mut st, "/ci-deploy");
    assert_eq!(st.mode, Mode::Filter("ci-deploy".into()));
    let data = st.data.clone().unwrap();
    let l = findings_view(&st);
    assert!(!l.rows.is_empty() && l.rows.len() < all);
    press(&mut st, "<Enter>");
    assert_eq!(st.mode, Mode::Normal);
    assert_eq!(
        findings_view(&st).filter.text,
        "ci-deploy",
        "Enter keeps the filter"
    );
    press(&mut st, "/ sev:critical+<Enter>");
    // `/` edits the current filter: the terms add up.
    let l = findings_view(&st);
    assert!(
        l.rows
            .iter()
            .all(|&i| data.findings[i].severity == Severity::Critical)
    );
    press(&mut st, "/<Esc>");
    assert_eq!(findings_view(&st).rows.len(), all);
}

#[test]
fn sort_and_group() {
    let mut st = loaded(160, 45);
    let data = st.data.clone().unwrap();
    press(&mut st, "<Tab>s");
    let l = findings_view(&st);
    assert!(
        l.rows
            .windows(2)
            .all(|w| data.findings[w[0]].last_seen >= data.findings[w[1]].last_seen)
    );
    assert_eq!(st.status.as_ref().unwrap().text, "sorted by time");
    press(&mut st, "v");
    let l = findings_view(&st);
    let ssh = l
        .groups
        .iter()
        .find(|g| g.control == "EC2.13" && g.resource_arn.ends_with("sg-0a1b2c3d4e5f60718"))
        .expect("the SSH security group is one group");
    assert_eq!(ssh.members.len(), 3, "three standards, one row");
    let pos = l.groups.iter().position(|g| std::ptr::eq(g, ssh)).unwrap();
    for _ in 0..pos {
        press(&mut st, "j");
    }
    press(&mut st, "<Enter>");
    let l = findings_view(&st);
    assert_eq!(l.rows.len(), 3);
    press(&mut st, "<Esc>vv");
    assert!(
        findings_view(&st).groups.is_empty(),
        "v cycles back to ungrouped"
    );
}

#[test]
fn help_opens_and_closes_and_lists_keys() {
    let mut st = loaded(160, 45);
    press(&mut st, "?");
    assert!(matches!(st.mode, Mode::Help { .. }));
    let s = text(&st);
    assert!(s.contains("fuzzy") && s.contains("quit"), "{s}");
    press(&mut st, "<Esc>");
    assert_eq!(st.mode, Mode::Normal);
}

#[test]
fn unknown_command_says_so_and_quit_quits() {
    let mut st = loaded(160, 45);
    press(&mut st, ":frobnicate<Enter>");
    let status = st.status.clone().unwrap();
    assert!(
        status.text.contains("unknown command :frobnicate"),
        "{status:?}"
    );
    assert!(text(&st).contains("unknown command :frobnicate"));
    assert_eq!(press(&mut st, "q"), vec![Effect::Quit]);
    assert_eq!(press(&mut st, ":q<Enter>"), vec![Effect::Quit]);
}

#[test]
fn iam_pane_drills_into_a_user() {
    let mut st = loaded(160, 45);
    press(&mut st, ":iam<Enter>/ci-deploy<Enter><Enter>");
    let Some(View::Resource(_)) = st.view() else {
        panic!("resource view expected")
    };
    let s = text(&st);
    assert!(
        s.contains("arn:aws:iam::111122223333:user/ci-deploy"),
        "{s}"
    );
    assert!(
        s.contains("Access keys") && s.contains("days old"),
        "keys with age:\n{s}"
    );
    // Posture findings sit on the user's page beside the service findings.
    assert!(s.contains("PO") && s.contains("GD"), "{s}");
}

#[test]
fn copy_arn_emits_a_clipboard_effect() {
    let mut st = loaded(160, 45);
    press(&mut st, ":iam<Enter>/ci-deploy<Enter>");
    let eff = press(&mut st, "c");
    assert_eq!(
        eff,
        vec![Effect::Copy(
            "arn:aws:iam::111122223333:user/ci-deploy".into()
        )]
    );
}

#[test]
fn marks_toggle() {
    let mut st = loaded(160, 45);
    press(&mut st, "<Tab><Space><Space>");
    assert_eq!(findings_view(&st).marked.len(), 2);
    press(&mut st, "k<Space>");
    assert_eq!(findings_view(&st).marked.len(), 1);
}

#[test]
fn region_command_and_closed_toggle() {
    let mut st = loaded(160, 45);
    let data = st.data.clone().unwrap();
    press(&mut st, ":region eu-west-1<Enter>");
    let l = findings_view(&st);
    assert!(
        !l.rows.is_empty()
            && l.rows
                .iter()
                .all(|&i| data.findings[i].region == "eu-west-1")
    );
    let open = l.rows.len();
    press(&mut st, "a");
    assert!(
        findings_view(&st).rows.len() > open,
        "a shows closed findings too"
    );
    press(&mut st, ":region mars-north-1<Enter>");
    assert!(st.status.as_ref().unwrap().text.contains("unknown region"));
}

#[test]
fn refresh_keeps_the_place_filter_and_selection() {
    use guardpost::app::{Event, update};
    let mut st = loaded(160, 45);
    press(&mut st, "<Tab>/ci-deploy<Enter>vjj");
    let before = findings_view(&st).selected_group().unwrap().members.clone();
    let before_ids: Vec<String> = before
        .iter()
        .map(|&i| st.data.as_ref().unwrap().findings[i].id.clone())
        .collect();
    press(&mut st, "<Enter>");
    let crumbs = st.breadcrumbs();
    let effects = press(&mut st, "r");
    assert_eq!(effects, vec![Effect::Reload]);
    update(&mut st, Event::Loaded(Box::new(common::demo::demo())));
    assert_eq!(st.pane, Pane::Findings);
    assert_eq!(st.breadcrumbs(), crumbs, "same place after the refresh");
    press(&mut st, "<Esc>");
    let l = findings_view(&st);
    assert_eq!(l.filter.text, "ci-deploy");
    assert_eq!(l.group, guardpost::app::GroupMode::ControlResource);
    let data = st.data.clone().unwrap();
    let after_ids: Vec<String> = l
        .selected_group()
        .unwrap()
        .members
        .iter()
        .map(|&i| data.findings[i].id.clone())
        .collect();
    assert_eq!(after_ids, before_ids, "the same group stays selected");
}

#[test]
fn failed_refresh_keeps_the_data_and_says_why() {
    use guardpost::app::{Event, Level, update};
    let mut st = loaded(160, 45);
    let n = st.data.as_ref().unwrap().findings.len();
    update(
        &mut st,
        Event::LoadFailed("cannot read snapshot /tmp/gone.json".into()),
    );
    assert_eq!(st.data.as_ref().unwrap().findings.len(), n);
    let status = st.status.clone().unwrap();
    assert_eq!(status.level, Level::Error);
    let s = text(&st);
    assert!(s.contains("cannot read snapshot /tmp/gone.json"), "{s}");
    assert!(
        s.contains("Top affected resources"),
        "the data stays on screen:\n{s}"
    );
}

#[test]
fn incident_works_on_a_users_resource_page_like_x() {
    let mut st = loaded(160, 45);
    // ci-deploy's page (from the IAM pane) has a finding under the cursor.
    press(&mut st, ":iam<Enter>/ci-deploy<Enter><Enter>");
    assert!(matches!(st.view(), Some(View::Resource(_))));
    let effects = press(&mut st, ":incident<Enter>");
    let Some(Effect::IncidentStart(b)) = effects.first() else {
        panic!("{effects:?} {:?}", st.status)
    };
    assert_eq!(b.0.id, "compromised-access-key");
    assert_eq!(b.1.user.as_deref(), Some("ci-deploy"));
    // Tab completes it.
    press(&mut st, ":inc<Tab>");
    assert_eq!(st.mode, Mode::Command("incident ".into()));
}
