//! Issue 13 §3 and §5: the app says no instead of ignoring, and what a k9s user reaches for
//! (completion, negation, marks, `y` on IAM rows, the key-id lookup, sorting resources).
use crate::common;
use common::demo::{loaded, press, text};
use guardpost::app::{Effect, GroupMode, Mode, ResourceSort, State, View};
use guardpost::model::Severity;

fn findings(st: &State) -> &guardpost::app::FindingList {
    match st.view() {
        Some(View::Findings(l)) => l,
        other => panic!("expected a findings table, got {other:?}"),
    }
}

fn status(st: &State) -> String {
    st.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn command_line(st: &State) -> String {
    let s = text(st);
    s.lines()
        .find(|l| l.starts_with(':'))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_bad_filter_term_is_shown_with_the_valid_values_and_the_rest_applies() {
    let mut st = loaded(120, 34);
    press(&mut st, "<Tab>");
    let all = findings(&st).rows.len();
    press(&mut st, "/sev:hgih");
    let s = text(&st);
    assert!(
        s.contains("✗ unknown severity \"hgih\" · critical high medium low info"),
        "the error shows while typing:\n{s}"
    );
    assert_eq!(findings(&st).rows.len(), all, "the bad term is left out");
    press(&mut st, " root<Enter>");
    let l = findings(&st);
    assert!(
        !l.rows.is_empty() && l.rows.len() < all,
        "the rest of the line still filters"
    );
    let s = text(&st);
    assert!(s.contains("filter: unknown severity \"hgih\""), "{s}");
    // The status clears with the next key, but the kept filter's error stays in view.
    press(&mut st, "j");
    assert!(text(&st).contains("filter: unknown severity \"hgih\""));
    // A mistyped field is no silent text search either.
    press(&mut st, "/<Esc>/sevrity:high");
    assert!(text(&st).contains("unknown field \"sevrity:\" (severity:?)"));
}

#[test]
fn negation_leaves_out_words_and_terms() {
    let mut st = loaded(160, 45);
    let data = st.data.clone().unwrap();
    press(&mut st, "<Tab>/!sev:critical !sev:high<Enter>");
    let l = findings(&st);
    assert!(!l.rows.is_empty());
    assert!(
        l.rows
            .iter()
            .all(|&i| data.findings[i].severity < Severity::High)
    );
    // `/` then Esc in the filter clears it first.
    press(&mut st, "/<Esc>/ssh<Enter>");
    let with = findings(&st).rows.len();
    assert!(with > 0);
    press(&mut st, "/<Esc>/!ssh<Enter>");
    let without = findings(&st).rows.clone();
    assert!(!without.is_empty());
    for &i in &without {
        let f = &data.findings[i];
        let hay = format!("{} {} {}", f.title, f.kind, f.region).to_lowercase();
        assert!(!hay.contains("ssh"), "{hay}");
    }
    press(&mut st, "/<Esc>");
    assert_eq!(
        findings(&st).rows.len(),
        with + without.len(),
        "ssh and !ssh split the table"
    );
}

#[test]
fn tab_completes_command_prefixes_and_cycles_the_candidates() {
    let mut st = loaded(160, 45);
    press(&mut st, ":g<Tab>");
    assert_eq!(st.mode, Mode::Command("g".into()));
    let line = command_line(&st);
    assert!(
        line.contains("guardduty") && line.contains("group"),
        "the candidates are listed: {line}"
    );
    press(&mut st, "<Tab>");
    assert_eq!(st.mode, Mode::Command("guardduty".into()));
    press(&mut st, "<Tab>");
    assert_eq!(st.mode, Mode::Command("group".into()));
    press(&mut st, "<Tab>");
    assert_eq!(st.mode, Mode::Command("guardduty".into()), "it wraps");
    press(&mut st, "<Esc>:re<Tab>");
    let line = command_line(&st);
    assert!(
        line.contains("resources") && line.contains("region"),
        "{line}"
    );
    press(&mut st, "<Esc>:se<Tab>");
    assert_eq!(
        st.mode,
        Mode::Command("securityhub ".into()),
        "unique: filled in"
    );
    press(&mut st, "<Esc>:inc<Tab>");
    assert_eq!(st.mode, Mode::Command("incident ".into()));
    press(&mut st, "<Esc>:zz<Tab>");
    assert!(command_line(&st).contains("nothing to complete"));
}

#[test]
fn tab_completes_arguments() {
    let mut st = loaded(160, 45);
    press(&mut st, ":region <Tab>");
    let regions = st.data.as_ref().unwrap().regions.clone();
    assert!(regions.len() > 1);
    let line = command_line(&st);
    for r in &regions {
        assert!(line.contains(r.as_str()), "{r} offered: {line}");
    }
    press(&mut st, "<Esc>:region eu<Tab>");
    let eu: Vec<&String> = regions.iter().filter(|r| r.starts_with("eu")).collect();
    assert_eq!(eu.len(), 1, "{regions:?}");
    assert_eq!(st.mode, Mode::Command(format!("region {}", eu[0])));
    press(&mut st, "<Esc>:sort t<Tab>");
    assert_eq!(st.mode, Mode::Command("sort time".into()));
    press(&mut st, "<Esc>:group <Tab>");
    let line = command_line(&st);
    assert!(line.contains("none") && line.contains("control") && line.contains("resource"));
    press(&mut st, "<Esc>:incident comp<Tab>");
    assert_eq!(
        st.mode,
        Mode::Command("incident compromised-access-key".into())
    );
}

#[test]
fn x_on_marks_a_filter_hides_says_so_and_ctrl_backslash_clears_them() {
    let mut st = loaded(160, 45);
    press(&mut st, ":securityhub<Enter><Space><Space><Space>");
    let marked: Vec<usize> = findings(&st).marked.iter().copied().collect();
    assert_eq!(marked.len(), 3);
    let data = st.data.clone().unwrap();
    // A filter that keeps only the first marked finding (by its exact title words).
    let title = data.findings[findings(&st).rows[0]].title.clone();
    press(&mut st, &format!("/{title}<Enter>"));
    let hidden = findings(&st).marked_hidden();
    assert!(hidden >= 1, "some marks are hidden by the filter");
    press(&mut st, "x");
    let Mode::Actions(menu) = &st.mode else {
        panic!("{:?}", st.mode)
    };
    assert_eq!(
        menu.subject,
        format!("3 marked ({hidden} hidden by the filter)")
    );
    press(&mut st, "<Enter>");
    let s = text(&st);
    assert!(
        s.contains(&format!("For 3 marked ({hidden} hidden by the filter)")),
        "the dialog says so:\n{s}"
    );
    press(&mut st, "<Esc><C-\\>");
    assert!(findings(&st).marked.is_empty());
    assert_eq!(status(&st), "cleared 3 mark(s)");
    press(&mut st, "<C-\\>");
    assert_eq!(status(&st), "no marks to clear");
}

#[test]
fn grouped_ascending_sort_orders_groups_by_their_worst_finding() {
    let mut st = loaded(160, 45);
    press(&mut st, "<Tab>vS");
    let l = findings(&st);
    assert_eq!(l.group, GroupMode::ControlResource);
    assert!(!l.descending);
    let sev: Vec<Severity> = l.groups.iter().map(|g| g.severity).collect();
    assert!(sev.windows(2).all(|w| w[0] <= w[1]), "{sev:?}");
    press(&mut st, "S");
    let sev: Vec<Severity> = findings(&st).groups.iter().map(|g| g.severity).collect();
    assert!(sev.windows(2).all(|w| w[0] >= w[1]), "{sev:?}");
}

#[test]
fn y_on_an_iam_row_copies_its_json() {
    let mut st = loaded(160, 45);
    let eff = press(&mut st, ":iam<Enter>/ci-deploy<Enter>y");
    let [Effect::Copy(json)] = eff.as_slice() else {
        panic!("{eff:?}")
    };
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["UserName"], "ci-deploy");
    assert_eq!(v["Arn"], "arn:aws:iam::111122223333:user/ci-deploy");
    assert!(status(&st).starts_with("copied the JSON of user ci-deploy"));
    // A role's JSON carries its trust document.
    press(&mut st, "/<Esc>l/ec2-app-role<Enter>");
    let eff = press(&mut st, "y");
    let [Effect::Copy(json)] = eff.as_slice() else {
        panic!("{eff:?}")
    };
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["RoleName"], "ec2-app-role");
    assert!(
        v["AssumeRolePolicyDocument"]["Statement"].is_array(),
        "{json}"
    );
}

#[test]
fn an_access_key_id_finds_its_owner_from_any_iam_tab() {
    let mut st = loaded(160, 45);
    // From the Roles tab: the key id switches to the users.
    press(&mut st, ":iam<Enter>l/AKIA3NPRL2B7LO2ZHFU7<Enter>");
    let Some(View::Iam(v)) = st.view() else {
        panic!()
    };
    assert_eq!(v.list.rows.len(), 1);
    assert!(text(&st).contains("legacy-backup"));
    press(&mut st, "/<Esc>/AKIA0000000000000000<Enter>");
    assert!(
        text(&st).contains("no IAM user in this account has access key AKIA0000000000000000"),
        "{}",
        text(&st)
    );
}

#[test]
fn s_sorts_the_resources_pane() {
    let mut st = loaded(160, 45);
    press(&mut st, ":resources<Enter>s");
    let data = st.data.clone().unwrap();
    let Some(View::Resources(v)) = st.view() else {
        panic!()
    };
    assert_eq!(v.sort, ResourceSort::Worst);
    let worst: Vec<Option<Severity>> = v
        .list
        .rows
        .iter()
        .map(|&ri| {
            data.resources.resources[ri]
                .findings
                .iter()
                .map(|&fi| &data.findings[fi])
                .filter(|f| f.workflow.is_open())
                .map(|f| f.severity)
                .max()
        })
        .collect();
    assert!(worst.windows(2).all(|w| w[0] >= w[1]), "{worst:?}");
    assert!(text(&st).contains("resources ["), "{}", text(&st));
    assert!(text(&st).contains("by worst"));
    press(&mut st, "ss");
    let Some(View::Resources(v)) = st.view() else {
        panic!()
    };
    assert_eq!(v.sort, ResourceSort::Name);
    let names: Vec<String> = v
        .list
        .rows
        .iter()
        .map(|&ri| data.resources.resources[ri].name.to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]));
    press(&mut st, "S");
    let Some(View::Resources(v)) = st.view() else {
        panic!()
    };
    assert!(v.reversed);
    let names: Vec<String> = v
        .list
        .rows
        .iter()
        .map(|&ri| data.resources.resources[ri].name.to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] >= w[1]), "S reverses");
    assert!(text(&st).contains("by name, reversed"));
}

#[test]
fn stale_status_lines_clear_on_the_next_key() {
    let mut st = loaded(160, 45);
    press(&mut st, ":frobnicate<Enter>");
    assert!(status(&st).contains("unknown command"));
    press(&mut st, "j");
    assert!(
        !text(&st).contains("unknown command"),
        "the error answered the command, not j"
    );
    press(&mut st, "w");
    assert_eq!(status(&st), "w does nothing here (? lists the keys)");
    // Keys of one burst (no frame between them) do not wipe an answer nobody has seen.
    st.read_only = true;
    common::demo::burst(&mut st, "<Tab>xj");
    assert!(status(&st).contains("read-only"), "{}", status(&st));
    press(&mut st, "j");
    assert_eq!(status(&st), "", "seen, then cleared by the next key");
}

#[test]
fn a_wrong_typed_name_is_answered_in_the_dialog() {
    let mut st = common::demo::delete_key_dialog();
    press(&mut st, "AKIA3NPRL2B7LO2ZHFU<Enter>");
    assert!(matches!(st.mode, Mode::Confirm(_)));
    let s = text(&st);
    assert!(
        s.contains("\"AKIA3NPRL2B7LO2ZHFU\" is not AKIA3NPRL2B7LO2ZHFU7 — nothing was run"),
        "{s}"
    );
    press(&mut st, "7");
    assert!(!text(&st).contains("is not AKIA"), "typing again clears it");
}

#[test]
fn x_says_why_nothing_applies_to_a_policy_or_a_service_linked_role() {
    let mut st = loaded(160, 45);
    press(&mut st, ":iam<Enter>l/AWSServiceRoleForSecurityHub<Enter>x");
    assert_eq!(st.mode, Mode::Normal);
    assert!(
        status(&st).contains("no action for a service-linked role"),
        "{}",
        status(&st)
    );
    press(&mut st, "/<Esc>ll");
    let Some(View::Iam(v)) = st.view() else {
        panic!()
    };
    assert!(!v.list.rows.is_empty(), "the demo has customer policies");
    press(&mut st, "x");
    assert!(
        status(&st).contains("no action for a policy"),
        "{}",
        status(&st)
    );
}

#[test]
fn an_empty_skip_reason_is_refused_out_loud() {
    use guardpost::app::{Event, update};
    let mut st = loaded(160, 45);
    let effects = press(
        &mut st,
        ":guardduty<Enter>/MaliciousIPCaller ci-deploy<Enter>:incident<Enter>",
    );
    let Some(Effect::IncidentStart(b)) = effects.first() else {
        panic!("{effects:?}")
    };
    let (book, subject) = &**b;
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
    update(&mut st, Event::IncidentOpened(Box::new(inc)));
    press(&mut st, "s");
    assert!(matches!(st.mode, Mode::Prompt(_)));
    let effects = press(&mut st, "  <Enter>");
    assert!(effects.is_empty(), "nothing is recorded");
    assert!(matches!(st.mode, Mode::Prompt(_)), "the prompt stays open");
    assert!(
        text(&st).contains("not skipped: a skip needs a reason"),
        "{}",
        text(&st)
    );
    press(&mut st, "n");
    assert!(
        !text(&st).contains("not skipped"),
        "typing answers the complaint"
    );
}

#[test]
fn y_on_a_role_page_without_findings_copies_the_role_with_its_trust_document() {
    let mut st = loaded(160, 45);
    let data = st.data.clone().unwrap();
    let role = data
        .resources
        .resources
        .iter()
        .find(|r| r.kind == "AwsIamRole" && r.findings.is_empty())
        .expect("a role without findings in the demo")
        .name
        .clone();
    press(&mut st, &format!(":iam<Enter>l/{role}<Enter><Enter>"));
    assert!(matches!(st.view(), Some(View::Resource(_))));
    let eff = press(&mut st, "y");
    let [Effect::Copy(json)] = eff.as_slice() else {
        panic!("{eff:?}")
    };
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["RoleName"], role.as_str());
    assert!(v["AssumeRolePolicyDocument"]["Statement"].is_array());
}
