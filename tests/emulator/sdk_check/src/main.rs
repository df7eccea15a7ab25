//! Drives every emulated operation through the real Rust SDK (see Cargo.toml for how to run).
//! Seeds and injects faults through the control API itself; panics on any mismatch.

use aws_sdk_securityhub::error::ProvideErrorMetadata;
use aws_sdk_securityhub::error::SdkError;

fn code<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    e: &SdkError<E, R>,
) -> String {
    match e.as_service_error() {
        Some(s) => format!("{}|{}", s.code().unwrap_or("?"), s.message().unwrap_or("")),
        None => format!("NOT A SERVICE ERROR: {e:?}"),
    }
}

fn control(port: &str, path: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    write!(s, "POST /_guardpost/{path} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(
        out.starts_with("HTTP/1.1 200") || out.starts_with("HTTP/1.0 200"),
        "{out}"
    );
    out
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(64 << 20)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { tokio::spawn(run()).await.unwrap() });
    println!("ALL RUST CHECKS PASSED");
}

async fn run() {
    use aws_sdk_securityhub::config::{Credentials, Region};
    let port = std::env::var("EMU_PORT").unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&url)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "static"))
        .load()
        .await;

    control(
        &port,
        "seed",
        r#"{"securityhub":{"us-east-1":{"generate":250}},"guardduty":{"us-east-1":{"generate":120}},"accessanalyzer":{"us-east-1":{"analyzers":[{"name":"unused","type":"ACCOUNT_UNUSED_ACCESS","generate":30}]}}}"#,
    );
    // ---- Security Hub
    {
        use aws_sdk_securityhub::types::*;
        let sh = aws_sdk_securityhub::Client::new(&conf);
        let eu = aws_sdk_securityhub::Client::from_conf(
            aws_sdk_securityhub::config::Builder::from(&conf)
                .region(Region::new("eu-west-1"))
                .build(),
        );
        let e = eu.describe_hub().send().await.unwrap_err();
        println!("sh disabled: {}", code(&e));
        assert!(e.as_service_error().unwrap().is_invalid_access_exception());
        eu.enable_security_hub().send().await.unwrap();
        let hub = eu.describe_hub().send().await.unwrap();
        println!("sh hub: {:?} {:?}", hub.hub_arn(), hub.subscribed_at());
        let e = sh.get_findings().max_results(101).send().await.unwrap_err();
        println!("sh max 101: {}", code(&e));
        assert!(e.as_service_error().unwrap().is_invalid_input_exception());
        let mut pages = sh.get_findings().max_results(100).into_paginator().send();
        let mut sizes = vec![];
        while let Some(p) = pages.next().await {
            sizes.push(p.unwrap().findings().len());
        }
        println!("sh pages: {sizes:?}");
        assert_eq!(sizes, vec![100, 100, 50]);
        let eq = |v: &str| {
            StringFilter::builder()
                .value(v)
                .comparison(StringFilterComparison::Equals)
                .build()
        };
        let filters = AwsSecurityFindingFilters::builder()
            .record_state(eq("ACTIVE"))
            .workflow_status(eq("NEW"))
            .workflow_status(eq("NOTIFIED"))
            .severity_label(eq("CRITICAL"))
            .build();
        let out = sh
            .get_findings()
            .filters(filters)
            .sort_criteria(
                SortCriterion::builder()
                    .field("Title")
                    .sort_order(SortOrder::Descending)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let first = &out.findings()[0];
        println!(
            "sh filtered: {} first={:?} sev={:?} wf={:?} next={:?}",
            out.findings().len(),
            first.id(),
            first.severity(),
            first.workflow(),
            out.next_token().is_some()
        );
        let ident = AwsSecurityFindingIdentifier::builder()
            .id(first.id().unwrap())
            .product_arn(first.product_arn().unwrap())
            .build();
        let missing = AwsSecurityFindingIdentifier::builder()
            .id("nope")
            .product_arn(first.product_arn().unwrap())
            .build();
        let r = sh
            .batch_update_findings()
            .finding_identifiers(ident)
            .finding_identifiers(missing)
            .workflow(
                WorkflowUpdate::builder()
                    .status(WorkflowStatus::Resolved)
                    .build(),
            )
            .note(
                NoteUpdate::builder()
                    .text("rust")
                    .updated_by("guardpost")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        println!(
            "sh batchupdate: processed={} unprocessed={:?}",
            r.processed_findings().len(),
            r.unprocessed_findings()
        );
        assert_eq!(r.processed_findings().len(), 1);
        assert_eq!(r.unprocessed_findings().len(), 1);
        // One throttle: the default retry strategy absorbs it.
        control(
            &port,
            "fault",
            r#"{"kind":"throttle","service":"securityhub","operation":"DescribeHub","count":1}"#,
        );
        sh.describe_hub().send().await.unwrap();
        control(
            &port,
            "fault",
            r#"{"kind":"throttle","service":"securityhub","operation":"GetFindings","count":1}"#,
        );
        let noretry = aws_sdk_securityhub::Client::from_conf(
            aws_sdk_securityhub::config::Builder::from(&conf)
                .retry_config(aws_sdk_securityhub::config::retry::RetryConfig::disabled())
                .build(),
        );
        let e = noretry.get_findings().send().await.unwrap_err(); // retries off: the throttle surfaces
        println!("sh throttled: {}", code(&e));
        control(
            &port,
            "fault",
            r#"{"kind":"access_denied","service":"securityhub","operation":"BatchUpdateFindings","count":1}"#,
        );
        let e = sh
            .batch_update_findings()
            .finding_identifiers(
                AwsSecurityFindingIdentifier::builder()
                    .id("x")
                    .product_arn("y")
                    .build(),
            )
            .workflow(
                WorkflowUpdate::builder()
                    .status(WorkflowStatus::New)
                    .build(),
            )
            .send()
            .await
            .unwrap_err();
        println!("sh access denied: {}", code(&e));
        assert!(e.as_service_error().unwrap().code() == Some("AccessDeniedException"));
    }

    // ---- GuardDuty
    {
        use aws_sdk_guardduty::types::*;
        let gd = aws_sdk_guardduty::Client::new(&conf);
        let dets = gd.list_detectors().send().await.unwrap();
        let det = dets.detector_ids()[0].clone();
        let crit = FindingCriteria::builder()
            .criterion(
                "service.archived",
                Condition::builder().equals("false").build(),
            )
            .build();
        let mut pages = gd
            .list_findings()
            .detector_id(&det)
            .finding_criteria(crit.clone())
            .max_results(50)
            .into_paginator()
            .send();
        let mut ids = vec![];
        while let Some(p) = pages.next().await {
            ids.extend(p.unwrap().finding_ids().to_vec());
        }
        println!("gd ids: {}", ids.len());
        let e = gd
            .get_findings()
            .detector_id(&det)
            .set_finding_ids(Some(ids[..51].to_vec()))
            .send()
            .await
            .unwrap_err();
        println!("gd 51 ids: {}", code(&e));
        assert!(e.as_service_error().unwrap().is_bad_request_exception());
        let fs = gd
            .get_findings()
            .detector_id(&det)
            .set_finding_ids(Some(ids[..50].to_vec()))
            .send()
            .await
            .unwrap();
        let f = &fs.findings()[0];
        println!(
            "gd finding: id={:?} sev={:?} type={:?} archived={:?} created={:?}",
            f.id(),
            f.severity(),
            f.r#type(),
            f.service().and_then(|s| s.archived()),
            f.created_at()
        );
        gd.archive_findings()
            .detector_id(&det)
            .finding_ids(ids[0].clone())
            .send()
            .await
            .unwrap();
        gd.update_findings_feedback()
            .detector_id(&det)
            .finding_ids(ids[1].clone())
            .feedback(Feedback::NotUseful)
            .send()
            .await
            .unwrap();
        let left = gd
            .list_findings()
            .detector_id(&det)
            .finding_criteria(crit)
            .max_results(50)
            .send()
            .await
            .unwrap();
        println!(
            "gd after archive first page: {} next={:?}",
            left.finding_ids().len(),
            left.next_token().is_some()
        );
        gd.unarchive_findings()
            .detector_id(&det)
            .finding_ids(ids[0].clone())
            .send()
            .await
            .unwrap();
        gd.create_sample_findings()
            .detector_id(&det)
            .send()
            .await
            .unwrap();
        let e = gd
            .list_findings()
            .detector_id("0000")
            .send()
            .await
            .unwrap_err();
        println!("gd bad detector: {}", code(&e));
    }

    // ---- Access Analyzer
    {
        use aws_sdk_accessanalyzer::types::*;
        let aa = aws_sdk_accessanalyzer::Client::new(&conf);
        let list = aa.list_analyzers().send().await.unwrap();
        let a = &list.analyzers()[0];
        println!(
            "aa analyzer: {} {:?} {:?} {:?}",
            a.arn(),
            a.r#type(),
            a.status(),
            a.created_at()
        );
        let arn = a.arn().to_string();
        let mut pages = aa
            .list_findings_v2()
            .analyzer_arn(&arn)
            .filter("status", Criterion::builder().eq("ACTIVE").build())
            .max_results(10)
            .into_paginator()
            .send();
        let mut n = 0;
        let mut first = None;
        while let Some(p) = pages.next().await {
            let p = p.unwrap();
            if first.is_none() {
                first = Some(p.findings()[0].clone());
            }
            n += p.findings().len();
        }
        let first = first.unwrap();
        println!(
            "aa active findings: {n}; first: {:?} {:?} {:?}",
            first.id(),
            first.finding_type(),
            first.updated_at()
        );
        let g = aa
            .get_finding_v2()
            .analyzer_arn(&arn)
            .id(first.id())
            .send()
            .await
            .unwrap();
        println!("aa get: {:?} details={:?}", g.status(), g.finding_details());
        aa.update_findings()
            .analyzer_arn(&arn)
            .ids(first.id())
            .status(FindingStatusUpdate::Archived)
            .send()
            .await
            .unwrap();
        let g = aa
            .get_finding_v2()
            .analyzer_arn(&arn)
            .id(first.id())
            .send()
            .await
            .unwrap();
        assert_eq!(g.status(), &FindingStatus::Archived);
        let e = aa
            .get_finding_v2()
            .analyzer_arn(&arn)
            .id("nope")
            .send()
            .await
            .unwrap_err();
        println!("aa not found: {}", code(&e));
        assert!(
            e.as_service_error()
                .unwrap()
                .is_resource_not_found_exception()
        );
        control(
            &port,
            "fault",
            r#"{"kind":"throttle","service":"accessanalyzer","operation":"ListAnalyzers","count":5}"#,
        );
        let e = aa.list_analyzers().send().await.unwrap_err(); // 5 throttles outlast 3 attempts
        println!("aa throttled after retries: {}", code(&e));
        assert!(e.as_service_error().unwrap().is_throttling_exception());
    }

    // ---- IAM / STS
    {
        let iam = aws_sdk_iam::Client::new(&conf);
        iam.create_user().user_name("rusty").send().await.unwrap();
        let k = iam
            .create_access_key()
            .user_name("rusty")
            .send()
            .await
            .unwrap();
        println!("iam key: {:?}", k.access_key().map(|k| k.access_key_id()));
        let keys = iam
            .list_access_keys()
            .user_name("rusty")
            .send()
            .await
            .unwrap();
        println!(
            "iam keys: {:?}",
            keys.access_key_metadata()
                .iter()
                .map(|m| (m.access_key_id(), m.status(), m.create_date()))
                .collect::<Vec<_>>()
        );
        let sts = aws_sdk_sts::Client::new(&conf);
        let id = sts.get_caller_identity().send().await.unwrap();
        println!("sts: {:?} {:?}", id.account(), id.arn());
        control(
            &port,
            "fault",
            r#"{"kind":"access_denied","service":"iam","operation":"ListUsers","count":1}"#,
        );
        let e = iam.list_users().send().await.unwrap_err();
        println!(
            "iam denied: {:?}",
            e.as_service_error().map(|s| (s.code(), s.message()))
        );
    }
}
