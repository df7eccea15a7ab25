//! `:who-can-admin` and the "can become" tree of a principal's page (issue 14 item 5): the
//! demo's carol can rewrite the managed policy she holds (AcmePolicyManager) into admin.
use crate::common;
use common::demo::{loaded, loaded_with, press, text};
use guardpost::app::views::paths;
use guardpost::app::{Mode, PageTab, View};
use guardpost::dataset::{Dataset, Origin};
use guardpost::model::SourceProblem;
use guardpost::posture::PostureConfig;
use guardpost::snapshot::Snapshot;

const CAROL: &str = "arn:aws:iam::111122223333:user/carol";

/// The principal page on top of the stack: its ARN and tab.
fn page(st: &guardpost::app::State) -> (String, PageTab) {
    let data = st.data.clone().unwrap();
    match st.view() {
        Some(View::Resource(r)) => (data.resources.resources[r.resource].arn.clone(), r.tab),
        other => panic!("not a resource page: {other:?}"),
    }
}

#[test]
fn who_can_admin_lists_carol_with_her_shortest_path() {
    let mut st = loaded(120, 34);
    press(&mut st, ":who-can-admin<Enter>");
    let t = text(&st);
    let row = t
        .lines()
        .find(|l| l.contains("user/carol"))
        .unwrap_or_else(|| panic!("carol is listed:\n{t}"));
    assert!(row.contains("CreateNewPolicyVersion"), "{row}");
    assert!(row.contains("AcmePolicyManager (managed)"), "{row}");
    assert!(row.contains("   1 "), "one hop: {row}");
    // Admins already are: counted, not listed.
    assert!(t.contains("already admin"), "{t}");
    assert!(!t.contains("user/terraform"), "{t}");
}

#[test]
fn enter_on_a_row_opens_that_principal_on_its_tree() {
    let mut st = loaded(120, 34);
    press(&mut st, ":who-can-admin<Enter><Enter>");
    assert_eq!(page(&st), (CAROL.to_string(), PageTab::CanBecome));
    let t = text(&st);
    assert!(t.contains("Who can admin › carol"), "breadcrumb:\n{t}");
    assert!(t.contains("CreateNewPolicyVersion → ADMIN"), "{t}");
    assert!(
        t.contains("granted by AcmePolicyManager (managed) › ManagePolicies"),
        "the policy and statement that grant the hop:\n{t}"
    );
    // Esc goes back to the list.
    press(&mut st, "<Esc>");
    assert!(matches!(st.view(), Some(View::WhoCanAdmin(_))));
}

#[test]
fn a_tree_taller_than_its_box_says_how_many_more_and_scrolls() {
    let mut st = loaded(80, 24);
    press(&mut st, ":who-can-admin<Enter><Enter>");
    let t = text(&st);
    assert!(t.contains("more below · j/k scroll"), "{t}");
    assert!(!t.contains("allows ec2:ModifyInstanceAttribute"), "{t}");
    press(&mut st, "G");
    let t = text(&st);
    assert!(
        t.contains("allows ec2:ModifyInstanceAttribute"),
        "the last row:\n{t}"
    );
    assert!(t.contains("above · j/k scroll"), "{t}");
    assert!(!t.contains("more below"), "{t}");
}

#[test]
fn h_l_switch_a_users_page_between_findings_and_the_tree() {
    let mut st = loaded(120, 34);
    press(&mut st, ":iam<Enter>/ci-deploy<Enter><Enter>");
    let (arn, tab) = page(&st);
    assert!(arn.ends_with(":user/ci-deploy"));
    assert_eq!(tab, PageTab::Findings);
    let t = text(&st);
    assert!(
        t.contains("Escalation      can gain more permissions · 2 paths · h/l: can become"),
        "{t}"
    );
    press(&mut st, "l");
    assert_eq!(page(&st).1, PageTab::CanBecome);
    let t = text(&st);
    assert!(t.contains("‹can become [2 paths]›"), "{t}");
    assert!(t.contains("granted by ci-deploy-inline (inline)"), "{t}");
    press(&mut st, "h");
    assert_eq!(page(&st).1, PageTab::Findings);
    // A group has no tree: h/l stay on its findings.
    let mut st = loaded(120, 34);
    press(&mut st, ":iam<Enter>ll<Enter>");
    let (arn, _) = page(&st);
    assert!(arn.contains(":group/"), "{arn}");
    press(&mut st, "l");
    assert_eq!(page(&st).1, PageTab::Findings);
    assert!(!text(&st).contains("can become"));
}

#[test]
fn enter_on_a_hop_opens_the_principal_it_becomes() {
    let mut st = loaded(120, 34);
    let data = st.data.clone().unwrap();
    let tree = paths::tree(&data, CAROL).unwrap();
    let (i, to) = tree
        .rows
        .iter()
        .enumerate()
        .find_map(|(i, r)| r.opens.as_deref().filter(|a| *a != CAROL).map(|a| (i, a)))
        .expect("carol becomes another principal");
    press(&mut st, ":who-can-admin<Enter><Enter>");
    press(&mut st, &"j".repeat(i));
    press(&mut st, "<Enter>");
    assert_eq!(page(&st), (to.to_string(), PageTab::CanBecome));
    assert!(to.ends_with(":role/ec2-app-role"), "{to}");
}

/// The demo cut down to an administrator and a read-only user: nobody can become admin.
fn no_path(problem: Option<&str>) -> Dataset {
    let mut snap = Snapshot::demo();
    let iam = snap.iam.as_mut().unwrap();
    iam.user_detail_list
        .retain(|u| u.user_name == "alice" || u.user_name == "dave");
    iam.role_detail_list.clear();
    snap.problems.retain(|p| p.source != "iam");
    if let Some(m) = problem {
        snap.problems.push(SourceProblem {
            source: "iam".into(),
            region: None,
            message: m.into(),
        });
    }
    snap.coverage = None;
    Dataset::from_snapshot(snap, Origin::Demo, &PostureConfig::default())
}

#[test]
fn an_empty_list_says_nobody_only_when_iam_was_read_completely() {
    let mut st = loaded_with(no_path(None), 120, 34);
    press(&mut st, ":who-can-admin<Enter>");
    let t = text(&st);
    assert!(t.contains("No principal can become admin"), "{t}");

    let mut st = loaded_with(
        no_path(Some(
            "AccessDenied: missing permission iam:GetAccountAuthorizationDetails",
        )),
        120,
        34,
    );
    press(&mut st, ":who-can-admin<Enter>");
    let t = text(&st);
    assert!(!t.contains("No principal can become admin"), "{t}");
    assert!(t.contains("No path to admin found in what was read"), "{t}");
    assert!(t.contains("may be incomplete: IAM:"), "{t}");
}

#[test]
fn who_can_admin_completes_with_tab() {
    let mut st = loaded(120, 34);
    press(&mut st, ":who<Tab>");
    assert!(
        matches!(&st.mode, Mode::Command(c) if c == "who-can-admin "),
        "{:?}",
        st.mode
    );
    press(&mut st, "<Enter>");
    assert!(matches!(st.view(), Some(View::WhoCanAdmin(_))));
}

#[test]
fn hostile_names_in_the_tree_are_escaped() {
    let mut snap = Snapshot::demo();
    let iam = snap.iam.as_mut().unwrap();
    let carol = iam
        .user_detail_list
        .iter_mut()
        .find(|u| u.user_name == "carol")
        .unwrap();
    carol.arn = "arn:aws:iam::111122223333:user/car\u{1b}[2Jol".into();
    snap.coverage = None;
    let data = Dataset::from_snapshot(snap, Origin::Demo, &PostureConfig::default());
    let rows = paths::admin_rows(&data);
    let row = rows.iter().find(|r| r.arn.contains("car")).unwrap();
    assert!(!row.name.contains('\u{1b}'), "{:?}", row.name);
    let tree = paths::tree(&data, &row.arn).unwrap();
    for r in &tree.rows {
        assert!(!r.text().contains('\u{1b}'), "{:?}", r.text());
    }
}

fn role(name: &str, trust: serde_json::Value) -> guardpost::model::IamRole {
    guardpost::model::IamRole {
        role_name: name.into(),
        role_id: format!("AROA{}", name.to_uppercase()),
        arn: format!("arn:aws:iam::111122223333:role/{name}"),
        path: "/".into(),
        create_date: "2025-01-01T00:00:00Z".parse().unwrap(),
        description: None,
        max_session_duration: None,
        assume_role_policy_document: trust,
        tags: vec![],
        attached_managed_policies: vec![],
        role_policy_list: vec![],
        permissions_boundary: None,
        role_last_used: None,
    }
}

/// The demo plus a two-hop way to admin: frank (with MFA, from the office network) assumes
/// `hop`, which assumes `top`, an administrator.
pub fn two_hops() -> Dataset {
    use guardpost::model::{AttachedPolicy, InlinePolicy};
    use serde_json::json;
    let mut snap = Snapshot::demo();
    let iam = snap.iam.as_mut().unwrap();
    let root = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]});
    let mut hop = role("hop", root.clone());
    hop.role_policy_list.push(InlinePolicy {
        policy_name: "next".into(),
        policy_document: json!({"Version": "2012-10-17", "Statement": [{"Sid": "ToTop",
            "Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": "arn:aws:iam::111122223333:role/top"}]}),
    });
    let mut top = role("top", root);
    top.attached_managed_policies.push(AttachedPolicy {
        policy_name: "AdministratorAccess".into(),
        policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
    });
    iam.role_detail_list.extend([hop, top]);
    let frank = iam
        .user_detail_list
        .iter_mut()
        .find(|u| u.user_name == "frank")
        .unwrap();
    frank.user_policy_list.push(InlinePolicy {
        policy_name: "jump".into(),
        policy_document: json!({"Version": "2012-10-17", "Statement": [{"Sid": "ToHop",
            "Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": "arn:aws:iam::111122223333:role/hop",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}),
    });
    snap.coverage = None;
    Dataset::from_snapshot(snap, Origin::Demo, &PostureConfig::default())
}

#[test]
fn a_two_hop_path_shows_each_hop_its_statement_and_its_conditions() {
    let data = two_hops();
    let frank = "arn:aws:iam::111122223333:user/frank";
    let rows: Vec<String> = paths::tree(&data, frank)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.text())
        .collect();
    let all = rows.join("\n");
    let first = rows
        .iter()
        .position(|r| r.starts_with("├─ AssumeRole  user/frank → role/hop  (becomes)"))
        .unwrap_or_else(|| panic!("{all}"));
    assert!(
        rows[0].starts_with("AssumeRole → ADMIN (role/top, 2 hops)"),
        "{all}"
    );
    assert!(
        rows[first + 1].contains("granted by jump (inline) › ToHop")
            && rows[first + 1].contains("needs MFA")
            && rows[first + 1].contains("depends on aws:SourceIp"),
        "{all}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("└─ AssumeRole  role/hop → role/top  (becomes)")),
        "{all}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("granted by next (inline) › ToTop")),
        "{all}"
    );
    let listed = paths::admin_rows(&data);
    let f = listed
        .iter()
        .find(|r| r.arn == frank)
        .expect("frank listed");
    assert_eq!(f.hops, 2);
    assert!(f.caveat.contains("needs MFA"), "{f:?}");
}

/// A reload keeps the list, its selection and the tree page on top of it; a principal whose
/// path is gone leaves the list.
#[test]
fn a_reload_keeps_the_list_and_the_tree() {
    use guardpost::app::{Event, update};
    let mut st = loaded_with(two_hops(), 120, 34);
    let at = paths::admin_rows(st.data.as_ref().unwrap())
        .iter()
        .position(|r| r.arn.ends_with(":user/frank"))
        .unwrap();
    press(&mut st, ":who-can-admin<Enter>");
    press(&mut st, &"j".repeat(at));
    let selected = |st: &guardpost::app::State| match st.stack().get(1) {
        Some(View::WhoCanAdmin(w)) => w.selected().map(|r| r.arn.clone()),
        other => panic!("{other:?}"),
    };
    let frank = selected(&st).unwrap();
    assert!(frank.ends_with(":user/frank"), "{frank}");
    press(&mut st, "<Enter>j");
    update(&mut st, Event::Loaded(Box::new(two_hops())));
    assert_eq!(page(&st), (frank.clone(), PageTab::CanBecome));
    assert_eq!(selected(&st), Some(frank.clone()));
    // Without the two roles frank has no path: back on the list, without him.
    update(&mut st, Event::Loaded(Box::new(common::demo::demo())));
    press(&mut st, "<Esc>");
    assert!(
        matches!(st.view(), Some(View::WhoCanAdmin(_))),
        "{:?}",
        st.view()
    );
    assert!(!text(&st).contains("user/frank"));
}
