//! Every pane rendered at 80x24 and 200x50 from the demo account, compared with insta snapshots
//! (tests/snapshots/). Review changes with `cargo insta review`.
use crate::common;
use common::demo::{gapped, loaded, loaded_with, press, screen, text};
use guardpost::app::{self, Event, State};
use guardpost::ui::theme::Theme;

/// Snapshots keep the names they had when this file was its own test binary:
/// tests/snapshots/ui_snapshots__NAME.snap.
macro_rules! assert_screen {
    ($name:expr, $value:expr $(,)?) => {
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("ui_snapshots__{}", $name), $value);
        })
    };
}

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

fn check(name: &str, keys: &str) {
    check_at(name, keys, &SIZES);
}

fn check_at(name: &str, keys: &str, sizes: &[(u16, u16)]) {
    for &(w, h) in sizes {
        let mut st = loaded(w, h);
        press(&mut st, keys);
        let t = screen(&st, &Theme::default());
        assert_screen!(format!("{name}_{w}x{h}"), t.backend());
    }
}

#[test]
fn overview() {
    check("overview", "");
}

#[test]
fn findings_table() {
    // Also at 120x34, where the title used to get 8 columns (see ui_readable).
    check_at("findings", "<Tab>", &[(80, 24), (120, 34), (200, 50)]);
}

#[test]
fn findings_grouped_by_control_and_resource() {
    check("findings_grouped", "<Tab>v");
}

#[test]
fn findings_grouped_by_resource() {
    check("findings_by_resource", "<Tab>vv");
}

#[test]
fn findings_filtered() {
    check("findings_filtered", "<Tab>/sev:high+ ci-deploy<Enter>");
}

#[test]
fn detail() {
    check("detail", ":guardduty<Enter><Enter>");
}

#[test]
fn detail_raw_json() {
    check("detail_raw", ":guardduty<Enter><Enter>y");
}

#[test]
fn resource_of_a_user() {
    check("resource_user", ":iam<Enter>/ci-deploy<Enter><Enter>");
}

#[test]
fn resources_pane() {
    check("resources", "<Tab><Tab>");
}

#[test]
fn iam_users() {
    check("iam_users", ":iam<Enter>");
}

#[test]
fn iam_roles() {
    check("iam_roles", ":iam<Enter>l");
}

#[test]
fn iam_policies() {
    check("iam_policies", ":iam<Enter>lll");
}

#[test]
fn help() {
    check("help", "?");
}

#[test]
fn command_line() {
    check("command_line", ":fin");
}

#[test]
fn loading_and_errors() {
    let mut st = State::new(true, (80, 24));
    app::update(&mut st, Event::Loading("loading the demo account".into()));
    assert_screen!("loading_80x24", screen(&st, &Theme::default()).backend());
    app::update(
        &mut st,
        Event::LoadFailed("snapshot x.json has version 9; this guardpost reads version 1".into()),
    );
    assert_screen!(
        "load_failed_80x24",
        screen(&st, &Theme::default()).backend()
    );
}

#[test]
fn too_small() {
    let st = loaded(50, 10);
    assert_screen!("too_small_50x10", screen(&st, &Theme::default()).backend());
}

#[test]
fn action_menu_and_confirm_dialog() {
    check(
        "action_menu",
        ":posture<Enter>/legacy-backup has an access key<Enter><Enter>x",
    );
    check(
        "action_confirm",
        ":posture<Enter>/legacy-backup has an access key<Enter><Enter>x<Enter>",
    );
}

#[test]
fn incident_walkthrough() {
    use guardpost::incident::{self, store};
    for (w, h) in SIZES {
        let mut st = loaded(w, h);
        let data = st.data.clone().unwrap();
        let subject = incident::subject_for_key(&data, "AKIA2UU5CGGEXZ4PVKDV").unwrap();
        let rec = store::Record {
            v: 1,
            ts: "2026-11-20T03:12:00Z".parse().unwrap(),
            incident: "inc-20261120-031200-AKIA2UU5CGGEXZ4PVKDV".into(),
            caller: None,
            event: store::Event::Started {
                playbook: Box::new(incident::playbook("compromised-access-key").unwrap()),
                subject,
                account: "111122223333".into(),
            },
        };
        let inc = store::replay(vec![rec]).unwrap();
        app::update(&mut st, Event::IncidentOpened(Box::new(inc)));
        // The tick fixes "now" so ages in the facts are stable.
        app::update(
            &mut st,
            Event::Tick("2026-11-20T09:00:00Z".parse().unwrap()),
        );
        // One Enter per step: readiness, then the owner; the cursor is on step 3 with the
        // owner's facts under it.
        press(&mut st, "<Enter><Enter>");
        // Step times come from the clock: blank them for a stable snapshot.
        if let Some(ui) = st.incident.as_mut() {
            for s in &mut ui.inc.steps {
                s.at = None;
            }
        }
        let t = screen(&st, &Theme::default());
        assert_screen!(format!("incident_{w}x{h}"), t.backend());
    }
}

/// Unknown is not zero: with GuardDuty denied everywhere and Security Hub partial in
/// eu-west-1, no count from them is a plain number, the overview says what is missing, the
/// Sources box names the missing permission, and an empty GuardDuty list says why.
#[test]
fn coverage_gaps() {
    for (w, h) in [(80, 24), (120, 34)] {
        let mut st = loaded_with(gapped(), w, h);
        let screen_text = text(&st);
        assert!(
            screen_text.contains("Incomplete data: Security Hub partial in eu-west-1"),
            "{screen_text}"
        );
        assert!(
            screen_text.contains("GuardDuty denied in 3 regions"),
            "{screen_text}"
        );
        // GUARDD column: nothing read, so unknown; SECHUB: a lower bound.
        assert!(screen_text.contains("       ?"), "{screen_text}");
        assert!(screen_text.contains('≥'), "{screen_text}");
        assert_screen!(
            format!("coverage_overview_{w}x{h}"),
            screen(&st, &Theme::default()).backend()
        );

        press(&mut st, ":guardduty<Enter>");
        let list = text(&st);
        assert!(
            list.contains("This list may be incomplete: GuardDuty us-east-1: denied"),
            "{list}"
        );
        assert!(!list.contains("No open findings here.\n"), "{list}");
        assert_screen!(
            format!("coverage_empty_guardduty_{w}x{h}"),
            screen(&st, &Theme::default()).backend()
        );
    }
}

/// The Sources box shows the state of what could not be read, not a bare "on".
#[test]
fn coverage_sources_box() {
    let st = loaded_with(gapped(), 120, 34);
    let t = text(&st);
    assert!(
        t.contains("GuardDuty denied (guardduty:ListFindings)"),
        "{t}"
    );
    assert!(
        t.contains("SecHub partial (ThrottlingException: Rate exceeded)"),
        "{t}"
    );
    assert!(!t.contains("every source loaded"), "{t}");
    // The complete demo keeps its plain numbers and no banner.
    let demo = text(&loaded(120, 34));
    assert!(!demo.contains("Incomplete data"), "{demo}");
    assert!(!demo.contains('≥'), "{demo}");
}

/// A GuardDuty finding merged with its Security Hub copy shows each source's workflow when
/// they disagree (the demo's Bitcoin finding: NEW in GuardDuty, NOTIFIED in Security Hub).
#[test]
fn detail_shows_workflow_per_source() {
    let mut st = loaded(120, 34);
    press(
        &mut st,
        ":guardduty<Enter>/Bitcoin-related domain<Enter><Enter>",
    );
    let t = text(&st);
    assert!(t.contains("Bitcoin-related domain"), "{t}");
    assert!(t.contains("Workflow      GD NEW · SH NOTIFIED"), "{t}");
}

/// `:who-can-admin` and Enter on its row: the principal's page on its "can become" tree.
#[test]
fn who_can_admin_and_the_can_become_tree() {
    let mut st = loaded(120, 34);
    press(&mut st, ":who-can-admin<Enter>");
    assert_screen!(
        "who_can_admin_120x34",
        screen(&st, &Theme::default()).backend()
    );
    press(&mut st, "<Enter>");
    assert_screen!(
        "can_become_tree_120x34",
        screen(&st, &Theme::default()).backend()
    );
}

/// A two-hop path with its conditions (the demo plus frank → hop → top, see who_can_admin.rs).
#[test]
fn can_become_tree_of_two_hops() {
    let mut st = loaded_with(crate::who_can_admin::two_hops(), 120, 34);
    press(&mut st, ":who-can-admin<Enter>/frank<Enter><Enter>");
    assert_screen!(
        "can_become_two_hops_120x34",
        screen(&st, &Theme::default()).backend()
    );
}
