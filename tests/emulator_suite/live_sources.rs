//! The live data layer with the real SDK clients over real HTTP, against the in-process fake
//! in tests/live/fake_aws.rs (Security Hub, GuardDuty, Access Analyzer, STS). IAM against the
//! moto-based emulator is in tests/emulator_suite/live_emulator.rs.

use crate::live;

use guardpost::dataset::{Dataset, Origin};
use guardpost::model::Source;
use guardpost::posture::PostureConfig;
use guardpost::snapshot::{ServiceStatus, Snapshot};
use guardpost::sources::{LoadProgress, LoadUpdate};
use live::fake_aws::{ACCOUNT, Analyzer, Behavior, CALLER, FakeAws, Spec};
use serde_json::{Value, json};
use std::time::Instant;

const E1: &str = "us-east-1";
const W1: &str = "eu-west-1";

fn sh_finding(template: &Value, region: &str, i: usize, record: &str, workflow: &str) -> Value {
    let mut f = template.clone();
    f["Id"] = json!(format!(
        "arn:aws:securityhub:{region}:{ACCOUNT}:subscription/aws-foundational-security-best-practices/v/1.0.0/EC2.{i}/finding/{i:08}"
    ));
    f["AwsAccountId"] = json!(ACCOUNT);
    f["Region"] = json!(region);
    f["RecordState"] = json!(record);
    f["Workflow"] = json!({ "Status": workflow });
    // A field no model knows about must survive: the capture is lossless.
    f["ProductFields"]["guardpost/test-index"] = json!(i.to_string());
    f
}

fn gd_finding(template: &Value, region: &str, detector: &str, i: usize, archived: bool) -> Value {
    let mut f = template.clone();
    let id = format!("{i:032x}");
    f["id"] = json!(id);
    f["arn"] = json!(format!(
        "arn:aws:guardduty:{region}:{ACCOUNT}:detector/{detector}/finding/{id}"
    ));
    f["accountId"] = json!(ACCOUNT);
    f["region"] = json!(region);
    f["service"]["archived"] = json!(archived);
    f["service"]["detectorId"] = json!(detector);
    f["service"]["guardpostUnknownField"] = json!({ "kept": i });
    f
}

fn aa_finding(template: &Value, i: usize, details: usize) -> Value {
    let mut f = template.clone();
    f.as_object_mut().unwrap().remove("analyzerArn");
    f["id"] = json!(format!("aa-{i:04}"));
    f["resource"] = json!(format!("arn:aws:s3:::bucket-{i}"));
    f["resourceOwnerAccount"] = json!(ACCOUNT);
    let d = f["findingDetails"][0].clone();
    f["findingDetails"] = json!(
        (0..details)
            .map(|k| {
                let mut d = d.clone();
                d["externalAccessDetails"]["action"] = json!([format!("s3:Action{k}")]);
                d
            })
            .collect::<Vec<_>>()
    );
    f
}

fn analyzer_arn(region: &str, name: &str) -> String {
    format!("arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/{name}")
}

fn status<'a>(snap: &'a Snapshot, service: &str, region: &str) -> Vec<&'a ServiceStatus> {
    snap.services
        .iter()
        .filter(|s| s.service == service && s.region == region)
        .collect()
}

fn ids(findings: &[Value], key: &str) -> Vec<String> {
    findings
        .iter()
        .map(|f| f[key].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_every_source_with_pagination_and_keeps_raw_json() {
    let (sh_t, gd_t, aa_t) = live::templates();
    // Security Hub: 250 open findings (3 pages) plus records the default filter must skip.
    let mut sh: Vec<Value> = (0..250)
        .map(|i| {
            let wf = if i % 5 == 0 { "NOTIFIED" } else { "NEW" };
            sh_finding(&sh_t, E1, i, "ACTIVE", wf)
        })
        .collect();
    sh.extend((250..260).map(|i| sh_finding(&sh_t, E1, i, "ACTIVE", "RESOLVED")));
    sh.extend((260..265).map(|i| sh_finding(&sh_t, E1, i, "ARCHIVED", "NEW")));
    let expected_sh: Vec<Value> = sh[..250].to_vec();
    // GuardDuty: 120 active (3 list pages, 3 GetFindings calls) plus 7 archived.
    let detector = "12abc34d567e8fa901bc2d34e56789f0";
    let mut gd: Vec<Value> = (0..120)
        .map(|i| gd_finding(&gd_t, E1, detector, i, false))
        .collect();
    gd.extend((120..127).map(|i| gd_finding(&gd_t, E1, detector, i, true)));
    let expected_gd: Vec<Value> = gd[..120].to_vec();
    // Access Analyzer: two analyzers; 25 findings with 3 details each (details come 2 a page).
    let ext = analyzer_arn(E1, "ConsoleAnalyzer");
    let unused = analyzer_arn(E1, "UnusedAccess");
    let ext_findings: Vec<Value> = (0..25).map(|i| aa_finding(&aa_t, i, 3)).collect();
    let unused_findings: Vec<Value> = (100..103).map(|i| aa_finding(&aa_t, i, 1)).collect();

    let mut spec = Spec {
        aa_list_page: 10,
        aa_details_page: 2,
        ..Spec::default()
    };
    spec.securityhub.insert(E1.into(), Behavior::On(sh));
    spec.securityhub.insert(W1.into(), Behavior::Off);
    spec.guardduty
        .insert(E1.into(), Behavior::On((detector.into(), gd)));
    spec.guardduty.insert(W1.into(), Behavior::Off);
    spec.access_analyzer.insert(
        E1.into(),
        Behavior::On(vec![
            Analyzer {
                arn: ext.clone(),
                kind: "ACCOUNT".into(),
                status: "ACTIVE".into(),
                findings: ext_findings.clone(),
            },
            Analyzer {
                arn: unused.clone(),
                kind: "ACCOUNT_UNUSED_ACCESS".into(),
                status: "ACTIVE".into(),
                findings: unused_findings.clone(),
            },
        ]),
    );
    spec.access_analyzer.insert(W1.into(), Behavior::Off);
    let fake = FakeAws::start(spec);

    let ctx = live::context(&fake.url, &[E1, W1]).await.expect("resolves");
    assert_eq!(ctx.account_id, ACCOUNT);
    assert_eq!(ctx.caller_arn.as_deref(), Some(CALLER));
    assert_eq!(ctx.regions, vec![E1.to_string(), W1.to_string()]);

    let started = Instant::now();
    let (ptx, mut prx) = tokio::sync::mpsc::unbounded_channel();
    let snap = guardpost::sources::load(&ctx, Some(ptx)).await;
    let elapsed = started.elapsed();
    let mut messages = Vec::new();
    while let Ok(m) = prx.try_recv() {
        messages.push(m);
    }

    // Security Hub: exactly the open findings, byte-for-byte the wire JSON, 3 pages.
    assert_eq!(snap.securityhub.len(), 1, "only us-east-1 has a hub");
    assert_eq!(snap.securityhub[0].region, E1);
    assert_eq!(snap.securityhub[0].findings, expected_sh);
    assert_eq!(fake.count("securityhub", E1, "POST", "/findings"), 3);
    // ≤ 3 requests a second: 3 pages take at least 2/3 s.
    assert!(
        elapsed.as_millis() >= 600,
        "Security Hub pages were not rate limited: {elapsed:?}"
    );
    let first = fake
        .requests()
        .into_iter()
        .find(|r| r.service == "securityhub")
        .unwrap();
    let body: Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(body["MaxResults"], 100);
    assert_eq!(
        body["Filters"]["RecordState"],
        json!([{"Value": "ACTIVE", "Comparison": "EQUALS"}])
    );
    assert_eq!(
        body["Filters"]["WorkflowStatus"],
        json!([{"Value": "NEW", "Comparison": "EQUALS"}, {"Value": "NOTIFIED", "Comparison": "EQUALS"}])
    );

    // GuardDuty: active findings only, in order, raw; 3 list pages and 3 GetFindings calls.
    assert_eq!(snap.guardduty.len(), 1);
    assert_eq!(snap.guardduty[0].detector_id.as_deref(), Some(detector));
    assert_eq!(snap.guardduty[0].findings, expected_gd);
    let gd_lists = fake
        .requests()
        .iter()
        .filter(|r| r.service == "guardduty" && r.path.ends_with("/findings"))
        .count();
    let gd_gets = fake
        .requests()
        .iter()
        .filter(|r| r.service == "guardduty" && r.path.ends_with("/findings/get"))
        .count();
    assert_eq!((gd_lists, gd_gets), (3, 3));

    // Access Analyzer: every finding of both analyzers, details merged across pages,
    // analyzerArn added, ListFindingsV2 paged (25 findings at 10 a page = 3 pages).
    let aa = snap
        .access_analyzer
        .iter()
        .find(|a| a.region == E1)
        .unwrap();
    assert_eq!(aa.analyzers.len(), 2);
    assert_eq!(aa.analyzers[0]["type"], "ACCOUNT");
    assert_eq!(aa.findings.len(), 28);
    let mut want: Vec<String> = ids(&ext_findings, "id");
    want.extend(ids(&unused_findings, "id"));
    assert_eq!(ids(&aa.findings, "id"), want);
    for (got, seeded) in aa.findings.iter().zip(ext_findings.iter()) {
        let mut expected = seeded.clone();
        expected["analyzerArn"] = json!(ext);
        assert_eq!(got, &expected, "finding with all details pages merged");
    }
    assert_eq!(aa.findings[27]["analyzerArn"], json!(unused));
    assert_eq!(
        fake.count("access-analyzer", E1, "POST", "/findingv2"),
        3 + 1
    );
    // 25 findings x 2 detail pages + 3 x 1.
    assert_eq!(fake.count("access-analyzer", E1, "GET", "/findingv2/"), 53);

    // Coverage: on in us-east-1, off in eu-west-1 (not errors).
    let on = |s: &[&ServiceStatus]| s.iter().map(|s| s.enabled).collect::<Vec<_>>();
    assert_eq!(on(&status(&snap, "securityhub", E1)), [true]);
    assert_eq!(on(&status(&snap, "securityhub", W1)), [false]);
    assert_eq!(on(&status(&snap, "guardduty", E1)), [true]);
    assert_eq!(
        status(&snap, "guardduty", E1)[0].detail.as_deref(),
        Some(detector)
    );
    assert_eq!(on(&status(&snap, "guardduty", W1)), [false]);
    let aa_e1: Vec<_> = status(&snap, "access-analyzer", E1)
        .iter()
        .map(|s| (s.enabled, s.detail.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        aa_e1,
        [
            (true, "ACCOUNT".to_string()),
            (true, "ACCOUNT_UNUSED_ACCESS".to_string())
        ]
    );
    assert_eq!(on(&status(&snap, "access-analyzer", W1)), [false]);

    // Only IAM, EC2, CloudTrail's trails and AWS Config failed (this fake serves none of them); every
    // finding source loaded cleanly.
    assert!(
        snap.problems.iter().all(|p| [
            "iam",
            "ec2",
            "cloudtrail",
            "config",
            "cloudwatch",
            "s3",
            "account"
        ]
        .contains(&p.source.as_str())),
        "{:?}",
        snap.problems
    );
    // Streaming progress: every source x region reported, and all of them finished.
    let progress: Vec<LoadProgress> = messages
        .iter()
        .filter_map(|m| match m {
            LoadUpdate::Progress(p) => Some(p.clone()),
            LoadUpdate::Partial(_) => None,
        })
        .collect();
    let last = progress.last().expect("progress was reported");
    assert!(last.is_finished(), "{last:?}");
    assert_eq!(
        last.sources.len(),
        2 * 7 + 3,
        "3 finding services, EC2, CloudTrail, Config and CloudWatch x 2 regions + S3, IAM and Account"
    );
    let of = |source: &str, region: &str| {
        last.sources
            .iter()
            .find(|s| s.source == source && s.region.as_deref() == Some(region))
            .unwrap()
            .clone()
    };
    let sh = of("securityhub", E1);
    assert_eq!((sh.done, sh.items), (3, 250), "3 pages, 250 findings");
    assert_eq!(of("guardduty", E1).items, 120);
    assert!(
        progress
            .iter()
            .any(|p| p.text().contains("SecurityHub us-east-1 1/?")),
        "{:?}",
        progress.iter().map(|p| p.text()).collect::<Vec<_>>()
    );

    // The snapshot is a valid snapshot and flows through the unchanged pipeline.
    assert_eq!(snap.account.id, ACCOUNT);
    assert_eq!(snap.account.caller_arn.as_deref(), Some(CALLER));
    let reparsed = Snapshot::parse(&snap.to_json(), std::path::Path::new("live")).unwrap();
    assert_eq!(reparsed, snap);
    let data = Dataset::from_snapshot(snap, Origin::Live, &PostureConfig::default());
    let normalize_problems: Vec<_> = data
        .problems
        .iter()
        .filter(|p| {
            ![
                "iam",
                "ec2",
                "cloudtrail",
                "config",
                "cloudwatch",
                "s3",
                "account",
            ]
            .contains(&p.source.as_str())
        })
        .collect();
    assert!(normalize_problems.is_empty(), "{normalize_problems:?}");
    let titles: Vec<&str> = data
        .findings
        .iter()
        .filter(|f| f.source == Source::Posture)
        .map(|f| f.title.as_str())
        .collect();
    for want in [
        "Security Hub is not enabled in eu-west-1",
        "GuardDuty is not enabled in eu-west-1",
        "No IAM Access Analyzer analyzer in eu-west-1",
    ] {
        assert!(titles.contains(&want), "missing {want:?} in {titles:?}");
    }
    assert!(
        !titles
            .iter()
            .any(|t| t.contains("us-east-1") && t.contains("not enabled"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_denied_names_the_action_and_throttling_is_retried() {
    let (sh_t, gd_t, _) = live::templates();
    let mut spec = Spec::default();
    spec.securityhub.insert(E1.into(), Behavior::Denied);
    spec.guardduty.insert(E1.into(), Behavior::Denied);
    spec.access_analyzer.insert(E1.into(), Behavior::Denied);
    // eu-west-1 works, but its first requests are throttled.
    let sh: Vec<Value> = (0..30)
        .map(|i| sh_finding(&sh_t, W1, i, "ACTIVE", "NEW"))
        .collect();
    let gd: Vec<Value> = (0..5)
        .map(|i| gd_finding(&gd_t, W1, "d1", i, false))
        .collect();
    spec.securityhub.insert(W1.into(), Behavior::On(sh.clone()));
    spec.guardduty
        .insert(W1.into(), Behavior::On(("d1".into(), gd.clone())));
    spec.access_analyzer.insert(W1.into(), Behavior::Off);
    spec.throttle.insert(("securityhub".into(), W1.into()), 2);
    spec.throttle.insert(("guardduty".into(), W1.into()), 1);
    let fake = FakeAws::start(spec);

    let ctx = live::context(&fake.url, &[E1, W1]).await.expect("resolves");
    let snap = guardpost::sources::load(&ctx, None).await;

    let problem = |source: &str, region: &str| -> Vec<String> {
        snap.problems
            .iter()
            .filter(|p| p.source == source && p.region.as_deref() == Some(region))
            .map(|p| p.message.clone())
            .collect()
    };
    assert_eq!(
        problem("securityhub", E1),
        ["AccessDenied: missing permission securityhub:GetFindings"]
    );
    assert_eq!(
        problem("guardduty", E1),
        ["AccessDenied: missing permission guardduty:ListDetectors"]
    );
    assert_eq!(
        problem("access-analyzer", E1),
        ["AccessDenied: missing permission access-analyzer:ListAnalyzers"]
    );
    // Denied is unknown coverage, not "disabled".
    assert!(status(&snap, "securityhub", E1).is_empty());
    assert!(status(&snap, "guardduty", E1).is_empty());
    assert!(status(&snap, "access-analyzer", E1).is_empty());

    // Throttled requests were retried by the SDK; everything loaded, no problem reported.
    assert!(problem("securityhub", W1).is_empty(), "{:?}", snap.problems);
    assert!(problem("guardduty", W1).is_empty(), "{:?}", snap.problems);
    let sh_w1 = snap.securityhub.iter().find(|b| b.region == W1).unwrap();
    assert_eq!(sh_w1.findings, sh);
    assert_eq!(
        fake.count("securityhub", W1, "POST", "/findings"),
        3,
        "2 throttled + 1"
    );
    let gd_w1 = snap.guardduty.iter().find(|b| b.region == W1).unwrap();
    assert_eq!(gd_w1.findings, gd);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_endpoint_is_a_setup_error_with_the_network_text() {
    // Nothing listens on this port (bound, then dropped).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = live::context(&format!("http://127.0.0.1:{port}"), &[E1])
        .await
        .expect_err("nothing listens");
    let msg = err.to_string();
    assert!(msg.contains("sts:GetCallerIdentity"), "{msg}");
    assert!(msg.contains("network error"), "{msg}");
}
