//! End-to-end, "unknown is not zero" (issue 13) as a responder sees it: the real binary in tmux
//! against the emulator with GuardDuty denied everywhere, Security Hub failing in one region
//! and CloudTrail refusing every lookup. The overview says what is missing, no count from an
//! incomplete source is a plain number, the empty GuardDuty list says why it may be empty, and
//! an incident's CloudTrail step ends "unknown" — on screen and in the exported timeline.

use crate::common;
use crate::live;

use common::tmux::{Tmux, assert_restored};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_and_failing_sources_and_cloudtrail_are_shown_as_unknown() {
    let emu = live::emulator::start().expect("emulator");
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({
            "securityhub": {"us-east-1": {"generate": 6}, "eu-west-1": {"generate": 6}},
            "guardduty": {"us-east-1": {"generate": 4}, "eu-west-1": {"generate": 4}}
        })),
    );
    let ctx = live::context(&emu.url, &["us-east-1"])
        .await
        .expect("resolves");
    let iam = aws_sdk_iam::Client::new(&ctx.iam_config());
    live::user_with_key(&iam, "oncall-anna").await;
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(&json!([
            {"kind": "access_denied", "service": "guardduty", "operation": "ListFindings"},
            {"kind": "error", "service": "securityhub", "operation": "GetFindings", "region": "eu-west-1",
             "code": "InternalFailure", "status": 400, "message": "the findings store is unavailable"},
            {"kind": "access_denied", "service": "cloudtrail", "operation": "LookupEvents"},
            // Access Analyzer throttled in eu-west-1 on every call: retried, then given up.
            {"kind": "throttle", "service": "accessanalyzer", "region": "eu-west-1", "count": 1000}
        ])),
    );

    let home = tempfile::tempdir().unwrap();
    let cmd = format!(
        "cd {home} && {env} {bin} --endpoint-url {url} --region us-east-1 --region eu-west-1",
        home = home.path().display(),
        env = live::binary_env(home.path()),
        bin = env!("CARGO_BIN_EXE_guardpost"),
        url = emu.url,
    );
    let t = Tmux::start("coverage", 120, 34, &cmd);
    t.wait_for("Posture score");
    // Once the load has ended (the throttled source retried to the end) ...
    let s = t.wait_for("loaded ");
    // ... the banner says what is missing, with the permission.
    assert!(s.contains("Incomplete data:"), "{s}");
    assert!(s.contains("throttled in eu-west-1"), "{s}");
    assert!(s.contains("GuardDuty denied in 2 regions"), "{s}");
    assert!(s.contains("guardduty:ListFindings"), "{s}");
    // The GuardDuty column is unknown, never 0; Security Hub's counts are lower bounds.
    let row = s
        .lines()
        .find(|l| l.contains("HIGH") && l.contains('│'))
        .unwrap_or_else(|| panic!("no HIGH row:\n{s}"));
    assert!(row.contains('?'), "{row}");
    assert!(s.contains('≥'), "{s}");

    // The empty GuardDuty list says why it may be empty.
    t.keys(&[":"]);
    t.text("guardduty");
    t.keys(&["Enter"]);
    let s = t.wait_for("Findings › GuardDuty");
    assert!(s.contains("This list may be incomplete"), "{s}");
    assert!(
        s.contains("GuardDuty us-east-1: denied (guardduty:ListFindings)"),
        "{s}"
    );
    // Its count is not a plain 0.
    assert!(!s.contains("GuardDuty [0]"), "{s}");
    assert!(s.contains("GuardDuty [?]"), "{s}");

    // An incident on the user: its CloudTrail step is unknown, not "no activity".
    t.keys(&[":"]);
    t.text("iam");
    t.keys(&["Enter"]);
    t.keys(&["/"]);
    t.text("oncall-anna");
    t.keys(&["Enter"]);
    t.wait_for("oncall-anna");
    t.keys(&[":"]);
    t.text("incident break-glass-used");
    t.keys(&["Enter"]);
    t.wait_for("Break-glass access used — 0/");
    // readiness, the principal (one Enter each), the note, related findings.
    t.keys(&["Enter"]);
    t.wait_for("— 1/");
    t.keys(&["Enter"]);
    t.wait_for("— 2/");
    t.keys(&["Enter"]);
    t.wait_for("Who used it");
    t.text("drill, ticket SEC-12");
    t.keys(&["Enter"]);
    t.wait_for("— 3/");
    t.keys(&["Enter"]);
    // Related findings: found (a posture finding names the user), or — with GuardDuty unread —
    // unknown, which is skipped with a reason like a responder would.
    let s = t.wait_until("the related findings to answer", |s| {
        s.contains("— 4/") || s.contains("Unknown — findings not read completely")
    });
    if !s.contains("— 4/") {
        t.keys(&["s"]);
        t.wait_for("because:");
        t.text("GuardDuty unreadable, checked in the console");
        t.keys(&["Enter"]);
        t.wait_for("— 4/");
    }
    // CloudTrail, every region refusing.
    t.keys(&["Enter"]);
    let s = t.wait_for("Unknown — CloudTrail LookupEvents failed in");
    assert!(s.contains("AccessDenied"), "{s}");
    assert!(!s.contains("no CloudTrail event for"), "{s}");
    // Still the step to do: an unknown step is not progress.
    assert!(s.contains("— 4/7"), "{s}");
    t.keys(&["e"]);
    t.wait_for("timeline written");
    let dir = home.path().join("state/incidents");
    let md_path = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .expect("the exported timeline");
    t.keys(&["q"]);
    t.wait_for("Quit?");
    t.keys(&["y"]);
    assert_restored(&t.wait_exit());
    let md = std::fs::read_to_string(&md_path).unwrap();
    assert!(
        md.contains("unknown — CloudTrail LookupEvents failed in"),
        "{md}"
    );
    assert!(!md.contains("no CloudTrail event for"), "{md}");
}
