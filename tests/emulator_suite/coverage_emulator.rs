//! "Unknown is not zero" (issue 13): coverage per source x region from a live load against the
//! emulator with denied, throttled, partial and failing sources; the check's JSON `coverage`,
//! `--require-complete`; CloudTrail failing in every region making an incident step unknown;
//! unknown regions on the command line.

use crate::common;
use crate::live;

use guardpost::app::{self, Effect, Event};
use guardpost::dataset::{Dataset, Origin};
use guardpost::incident::StepStatus;
use guardpost::incident::inspect::Outcome;
use guardpost::model::{Count, CoverageState, Source};
use guardpost::posture::PostureConfig;
use guardpost::sources::LoadUpdate;
use serde_json::{Value, json};
use std::process::{Command, Output, Stdio};

const E1: &str = "us-east-1";
const W1: &str = "eu-west-1";

fn run(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guardpost"))
        .args(args)
        .env_remove("GUARDPOST_CONFIG")
        .env_remove("TERM")
        .env("XDG_CONFIG_HOME", dir.join("config-home"))
        .env("GUARDPOST_STATE_DIR", dir.join("state"))
        .stdin(Stdio::null())
        .output()
        .expect("run guardpost")
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/check.schema.json"),
    )
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_throttled_partial_and_failing_sources_are_never_clean() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({
            "securityhub": {E1: {"generate": 5}, W1: {"generate": 5}},
            "guardduty": {E1: {"generate": 5}, W1: {"generate": 5}},
            "accessanalyzer": {E1: {"analyzers": [{"name": "a", "generate": 4}]}}
        })),
    );
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(&json!([
            // Every ListFindings denied: GuardDuty is denied, not "on with 0 findings".
            {"kind": "access_denied", "service": "guardduty", "operation": "ListFindings"},
            // Security Hub throttled twice (slowly, so the retrying shows), then answers.
            {"kind": "throttle", "service": "securityhub", "operation": "GetFindings", "region": E1, "count": 2},
            {"kind": "latency", "ms": 600, "service": "securityhub", "operation": "GetFindings", "region": E1},
            // Another error, with hostile text.
            {"kind": "error", "service": "securityhub", "operation": "GetFindings", "region": W1,
             "code": "InvalidInputException", "status": 400, "message": "bad\u{1b}[31m input"},
            // One of four Access Analyzer findings cannot be read: partial, 3 read.
            {"kind": "access_denied", "service": "accessanalyzer", "operation": "GetFindingV2", "region": E1, "count": 1}
        ])),
    );
    let ctx = live::context(&emu.url, &[E1, W1]).await.expect("resolves");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let collect = tokio::spawn(async move {
        let mut got = Vec::new();
        while let Some(u) = rx.recv().await {
            got.push(u);
        }
        got
    });
    let snap = Box::pin(guardpost::sources::load(&ctx, Some(tx))).await;
    let updates = collect.await.unwrap();

    // While the SDK retried, the progress said so (Event::Loading shows this text) ...
    let texts: Vec<String> = updates
        .iter()
        .filter_map(|u| match u {
            LoadUpdate::Progress(p) => Some(p.text()),
            LoadUpdate::Partial(_) => None,
        })
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("SecurityHub us-east-1 throttled (attempt 2)")),
        "{texts:#?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("SecurityHub us-east-1 throttled (attempt 3)")),
        "{texts:#?}"
    );
    // ... and so did the partial snapshots' coverage.
    assert!(
        updates.iter().any(|u| matches!(u, LoadUpdate::Partial(s)
            if s.coverage.as_ref().and_then(|c| c.get("securityhub", Some(E1))).map(|c| &c.state)
                == Some(&CoverageState::Throttled { attempt: 2 }))),
        "no partial snapshot showed Security Hub throttled"
    );

    let cov = snap.coverage.clone().expect("a live load records coverage");
    let state = |s: &str, r: Option<&str>| cov.get(s, r).unwrap().state.clone();
    let denied = CoverageState::Denied {
        permission: "guardduty:ListFindings".into(),
    };
    assert_eq!(state("guardduty", Some(E1)), denied);
    assert_eq!(state("guardduty", Some(W1)), denied);
    // The throttled source was retried to the end: complete, all 5 read.
    assert_eq!(state("securityhub", Some(E1)), CoverageState::Complete);
    assert_eq!(cov.get("securityhub", Some(E1)).unwrap().records, 5);
    assert_eq!(
        state("securityhub", Some(W1)),
        CoverageState::Failed {
            reason: "securityhub:GetFindings failed: InvalidInputException: bad\\u{1b}[31m input"
                .into()
        }
    );
    assert_eq!(
        state("access-analyzer", Some(E1)),
        CoverageState::Partial {
            reason: "AccessDenied: missing permission access-analyzer:GetFindingV2".into()
        }
    );
    assert_eq!(cov.get("access-analyzer", Some(E1)).unwrap().records, 3);
    assert_eq!(state("access-analyzer", Some(W1)), CoverageState::Off);
    assert_eq!(state("iam", None), CoverageState::Complete);
    assert!(!cov.is_complete());

    // The counts know what they are.
    let data = Dataset::from_snapshot(snap.clone(), Origin::Live, &PostureConfig::default());
    let c = &data.coverage;
    assert_eq!(
        c.count(&data.findings, Source::GuardDuty, Some(E1), None),
        Count::Unknown
    );
    assert_eq!(
        c.count(&data.findings, Source::GuardDuty, None, None)
            .to_string(),
        "?"
    );
    assert_eq!(
        c.count(&data.findings, Source::AccessAnalyzer, Some(E1), None),
        Count::AtLeast(3)
    );
    assert_eq!(
        c.count(&data.findings, Source::SecurityHub, Some(E1), None),
        Count::Exact(5)
    );
    assert_eq!(
        c.count(&data.findings, Source::AccessAnalyzer, Some(W1), None),
        Count::Off
    );
    let line = c.summary_line().expect("incomplete coverage has a line");
    assert_eq!(
        line,
        "Security Hub failed in eu-west-1 (securityhub:GetFindings failed: InvalidInputException: bad\\u{1b}[31m input) \
         · GuardDuty denied in 2 regions (guardduty:ListFindings) \
         · Access Analyzer partial in us-east-1 (AccessDenied: missing permission access-analyzer:GetFindingV2)"
    );
    assert_eq!(
        c.empty_reason(Source::GuardDuty, Some(W1)).as_deref(),
        Some("may be incomplete: GuardDuty eu-west-1: denied (guardduty:ListFindings)")
    );

    // A snapshot keeps it; `check` reports it, and --require-complete exits 2.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("snap.json");
    std::fs::write(&file, snap.to_json()).unwrap();
    let back = guardpost::snapshot::Snapshot::load(&file).unwrap();
    assert_eq!(back.coverage, snap.coverage);
    let f = file.display().to_string();
    let o = run(
        &[
            "check",
            "--snapshot",
            &f,
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
        dir.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors: Vec<String> = schema().iter_errors(&r).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(r["coverage"]["complete"], false);
    assert_eq!(
        r["coverage"]["sources"]["guardduty"][E1],
        json!({"state": "denied", "permission": "guardduty:ListFindings", "records": 0})
    );
    assert_eq!(
        r["coverage"]["sources"]["securityhub"][E1]["state"],
        "complete"
    );
    assert_eq!(
        r["coverage"]["sources"]["access-analyzer"][E1]["records"],
        3
    );
    assert_eq!(
        r["coverage"]["sources"]["iam"]["global"]["state"],
        "complete"
    );
    // Security Hub's state in eu-west-1 is unknown: its rule neither passes nor fails.
    let unknown = r["unknown_rules"].as_array().unwrap();
    assert!(
        unknown
            .iter()
            .any(|u| u["rule"] == "service.securityhub.disabled"
                && u["reason"]
                    .as_str()
                    .unwrap()
                    .starts_with("Security Hub state unknown in eu-west-1: failed")),
        "{unknown:#?}"
    );
    assert_eq!(r["summary"]["unknown_rules"], unknown.len());
    let o = run(
        &[
            "check",
            "--snapshot",
            &f,
            "--fail-on",
            "none",
            "--require-complete",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("INCOMPLETE: Security Hub failed in eu-west-1"),
        "{table}"
    );
    assert!(!table.contains('\u{1b}'), "{table}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("coverage is incomplete (--require-complete): Security Hub failed"),
        "{err}"
    );
    let o = run(
        &[
            "check",
            "--snapshot",
            &f,
            "--format",
            "markdown",
            "--fail-on",
            "none",
        ],
        dir.path(),
    );
    let md = String::from_utf8_lossy(&o.stdout);
    assert!(md.contains("- **Coverage:** INCOMPLETE: "), "{md}");
    assert!(
        md.contains("  - GuardDuty us-east-1: denied (guardduty:ListFindings)"),
        "{md}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloudtrail_failing_in_every_region_leaves_the_step_unknown_not_done() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let key = "AKIA2UU5CGGEXZ4PVKDV";
    let ctx = live::context(&emu.url, &[E1]).await.expect("resolves");
    let regions = guardpost::runtime::effects::incident_regions(&ctx.regions);
    assert_eq!(regions.len(), 17);
    let end = chrono::Utc::now();
    let lookup = || {
        guardpost::sources::cloudtrail::lookup_access_key(
            &ctx,
            key,
            &regions,
            end - chrono::Duration::days(90),
            end,
            1000,
        )
    };

    // Every region answers, nothing found: that is an answer.
    let nothing = guardpost::incident::inspect::cloudtrail_facts(&Box::pin(lookup()).await);
    assert_eq!(nothing.outcome, Outcome::Nothing);
    assert_eq!(nothing.status(), StepStatus::Done);
    assert!(
        nothing.seen[0].ends_with("(every region answered: 17)"),
        "{:?}",
        nothing.seen
    );

    // Every region refuses: unknown, naming the regions and why.
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(
            &json!({"kind": "access_denied", "service": "cloudtrail", "operation": "LookupEvents"}),
        ),
    );
    let failed = guardpost::incident::inspect::cloudtrail_facts(&Box::pin(lookup()).await);
    let reason = match &failed.outcome {
        Outcome::Unknown { reason } => reason.clone(),
        o => panic!("{o:?}"),
    };
    assert!(
        reason.starts_with(
            "CloudTrail LookupEvents failed in 17 regions: AccessDenied: missing permission cloudtrail:LookupEvents (us-east-1, us-east-2, "
        ),
        "{reason}"
    );

    // Through the walkthrough: the step is unknown, stays the current one, and the timeline
    // says so.
    let mut st = common::demo::loaded(120, 34);
    let data = st.data.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let inc = guardpost::incident::store::start(
        dir.path(),
        "inc-ct",
        guardpost::incident::playbook("compromised-access-key").unwrap(),
        guardpost::incident::subject_for_key(&data, key).unwrap(),
        "111122223333",
        None,
        chrono::Utc::now(),
    )
    .unwrap();
    let step = inc
        .playbook
        .steps
        .iter()
        .position(|s| s.id == "cloudtrail")
        .expect("a CloudTrail step");
    app::update(&mut st, Event::IncidentOpened(Box::new(inc)));
    let effects = app::update(
        &mut st,
        Event::IncidentLookedUp {
            step,
            result: Ok(failed),
        },
    );
    assert!(
        matches!(effects.as_slice(), [Effect::IncidentAppend(_)]),
        "{effects:?}"
    );
    let inc = &st.incident.as_ref().unwrap().inc;
    assert_eq!(inc.steps[step].status.label(), "unknown");
    assert!(inc.steps[step].status != StepStatus::Done);
    let md = guardpost::incident::timeline::markdown(inc);
    assert!(
        md.contains("| unknown — CloudTrail LookupEvents failed in 17 regions: AccessDenied: missing permission cloudtrail:LookupEvents (us-east-1, "),
        "{md}"
    );
    assert!(!md.contains("no CloudTrail event for"), "{md}");
    let js = guardpost::incident::timeline::json(inc);
    assert_eq!(js["steps"][step]["status"], "unknown");
}

#[test]
fn an_unknown_region_is_bad_input_before_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--demo", "--region", "nosuch-1"][..],
        &["--region", "nosuch-1"][..],
        &["check", "--demo", "--region", "nosuch-1"][..],
    ] {
        let o = run(args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("unknown region \"nosuch-1\"; valid regions: us-east-1, us-east-2,"),
            "{args:?}: {err}"
        );
        assert!(o.stdout.is_empty(), "{args:?}: nothing drawn or reported");
    }
    // The demo is complete: --require-complete passes it through to the normal verdict.
    let o = run(
        &["check", "--demo", "--require-complete", "--fail-on", "none"],
        dir.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
