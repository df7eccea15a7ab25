//! CIS section 4 monitoring (issue 15) against the emulator over real HTTP: CloudWatch Logs
//! metric filters, CloudWatch alarms (Smithy RPC v2 CBOR) and SNS subscriptions seeded with the
//! real SDK, each problem next to a healthy look-alike, every (rule, resource) pair asserted
//! both ways through `guardpost check`; a denied read is unknown, never a pass or a failure.

use crate::live;

use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Metric, MetricDataQuery, MetricStat, Statistic,
};
use guardpost::posture::monitoring::{MONITORS, recommended_pattern};
use guardpost::posture::rules as r;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;

const E1: &str = "us-east-1";
const W1: &str = "eu-west-1";
const NS: &str = "CISBenchmark";

fn check(home: &Path, url: &str) -> (Value, String, Option<i32>) {
    live::check_json(home, url, &[E1, W1], &["--services", "cloudwatch"])
}

use live::rule_pairs as failing;

fn title<'a>(report: &'a Value, rule: &str) -> &'a str {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .and_then(|f| f["title"].as_str())
        .unwrap_or_else(|| panic!("no {rule} in {report:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cis_monitoring_chains_are_judged_end_to_end_and_unknown_when_a_read_is_denied() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let ctx = live::context(&emu.url, &[E1, W1]).await.expect("resolves");
    let acct = ctx.account_id.clone();
    let conf = ctx.region_config(E1);
    let trails = aws_sdk_cloudtrail::Client::new(&conf);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&conf);
    let cw = aws_sdk_cloudwatch::Client::new(&conf);
    let sns = aws_sdk_sns::Client::new(&conf);
    let home = tempfile::tempdir().unwrap();
    let root = format!("arn:aws:iam::{acct}:root");
    let all: BTreeSet<(String, String)> = MONITORS
        .iter()
        .map(|m| (m.rule.to_string(), root.clone()))
        .collect();

    // No trail: every control fails at the first link.
    let (rep, err, code) = check(home.path(), &emu.url);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(failing(&rep), all, "{err}\n{rep:#}");
    assert!(
        title(&rep, r::CW_ROOT_USAGE).contains(
            "no multi-region trail that logs every management event delivers to CloudWatch Logs"
        ),
        "{rep:#}"
    );

    // A multi-region trail delivering to log group `trail` in us-east-1.
    trails
        .create_trail()
        .name("management")
        .s3_bucket_name("audit-logs")
        .is_multi_region_trail(true)
        .cloud_watch_logs_log_group_arn(format!("arn:aws:logs:{E1}:{acct}:log-group:trail:*"))
        .cloud_watch_logs_role_arn(format!("arn:aws:iam::{acct}:role/trail-to-logs"))
        .send()
        .await
        .unwrap();
    trails
        .start_logging()
        .name("management")
        .send()
        .await
        .unwrap();
    for group in ["trail", "other"] {
        logs.create_log_group()
            .log_group_name(group)
            .send()
            .await
            .unwrap();
    }
    let alerts = sns
        .create_topic()
        .name("security-alerts")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_string();
    sns.subscribe()
        .topic_arn(&alerts)
        .protocol("sqs")
        .endpoint(format!("arn:aws:sqs:{E1}:{acct}:soc-queue"))
        .send()
        .await
        .unwrap();
    let silent = sns
        .create_topic()
        .name("nobody-listens")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_string();

    // Every control wired, except the seeded problems.
    for m in MONITORS {
        let metric = m.rule.rsplit('.').next().unwrap().to_string();
        let (group, pattern) = match m.rule {
            // Misses the root user's console sign-in.
            r::CW_ROOT_USAGE => (
                "trail",
                r#"{ $.userIdentity.type = "Root" && $.eventType = "AwsApiCall" }"#.to_string(),
            ),
            // Names every event, joined with && (never fires): a text search passes it.
            r::CW_CLOUDTRAIL => (
                "trail",
                "{ ($.eventName = CreateTrail) && ($.eventName = UpdateTrail) && ($.eventName = DeleteTrail) && ($.eventName = StartLogging) && ($.eventName = StopLogging) }".to_string(),
            ),
            // On a log group no trail delivers to.
            r::CW_S3_POLICY => ("other", recommended_pattern(m)),
            // Healthy look-alike: CIS's pattern with other spacing and quoting.
            r::CW_UNAUTHORIZED => (
                "trail",
                r#"{($.errorCode="*UnauthorizedOperation")||($.errorCode="AccessDenied*")}"#
                    .to_string(),
            ),
            _ => ("trail", recommended_pattern(m)),
        };
        logs.put_metric_filter()
            .log_group_name(group)
            .filter_name(format!("cis-{metric}"))
            .filter_pattern(pattern)
            .metric_transformations(
                aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                    .metric_name(&metric)
                    .metric_namespace(NS)
                    .metric_value("1")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        if m.rule == r::CW_IAM_POLICY {
            continue; // a filter, no alarm
        }
        let topic = if m.rule == r::CW_CMK {
            &silent
        } else {
            &alerts
        };
        let alarm = cw
            .put_metric_alarm()
            .alarm_name(format!("cis-{metric}"))
            .actions_enabled(m.rule != r::CW_CONSOLE_NO_MFA)
            .alarm_actions(topic)
            .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
            .threshold(1.0)
            .evaluation_periods(1);
        let alarm = if m.rule == r::CW_ORGANIZATIONS {
            // A metric-math alarm: the metric is in its query, not its MetricName.
            alarm.metrics(
                MetricDataQuery::builder()
                    .id("m1")
                    .return_data(true)
                    .metric_stat(
                        MetricStat::builder()
                            .metric(Metric::builder().namespace(NS).metric_name(&metric).build())
                            .period(300)
                            .stat("Sum")
                            .build(),
                    )
                    .build(),
            )
        } else {
            alarm
                .metric_name(&metric)
                .namespace(NS)
                .statistic(Statistic::Sum)
                .period(300)
        };
        alarm.send().await.unwrap();
    }

    let (rep, err, _) = check(home.path(), &emu.url);
    let want: BTreeSet<(String, String)> = [
        r::CW_ROOT_USAGE,
        r::CW_CLOUDTRAIL,
        r::CW_S3_POLICY,
        r::CW_IAM_POLICY,
        r::CW_CONSOLE_NO_MFA,
        r::CW_CMK,
    ]
    .iter()
    .map(|id| (id.to_string(), root.clone()))
    .collect();
    assert_eq!(failing(&rep), want, "{err}\n{rep:#}");
    assert!(
        title(&rep, r::CW_ROOT_USAGE)
            .contains("filter cis-root-usage does not match the root user's ConsoleLogin"),
        "{rep:#}"
    );
    assert!(
        title(&rep, r::CW_CLOUDTRAIL)
            .contains("filter cis-cloudtrail-changes does not match CreateTrail"),
        "{rep:#}"
    );
    assert!(
        title(&rep, r::CW_S3_POLICY).contains("no metric filter on log group trail"),
        "{rep:#}"
    );
    assert!(
        title(&rep, r::CW_IAM_POLICY).contains(
            "no alarm with actions enabled watches metric CISBenchmark/iam-policy-changes"
        ),
        "{rep:#}"
    );
    assert!(
        title(&rep, r::CW_CONSOLE_NO_MFA).contains("has its actions disabled"),
        "{rep:#}"
    );
    assert!(
        title(&rep, r::CW_CMK).contains(&format!(
            "topic {silent} of alarm cis-kms-key-deletion has no subscription"
        )),
        "{rep:#}"
    );
    assert_eq!(
        rep["coverage"]["sources"]["cloudwatch"][E1]["state"],
        "complete"
    );

    // Every call guardpost made is allowed by the documented read-only policy.
    let policy = live::DocsPolicy::load("iam-policy-readonly.json");
    for (svc, op) in [
        ("logs", "DescribeMetricFilters"),
        ("cloudwatch", "DescribeAlarms"),
        ("sns", "ListSubscriptions"),
    ] {
        let calls = emu.calls(svc, op, E1);
        assert!(!calls.is_empty(), "{svc}:{op} not called");
        for c in calls {
            let action = live::logged_action(&c);
            assert!(policy.allows(&action), "{action}");
        }
    }

    // A denied read where nothing of the chain lives (eu-west-1) changes nothing.
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(&json!({"kind": "access_denied", "service": "cloudwatch",
                     "operation": "DescribeAlarms", "region": W1})),
    );
    let (rep, err, _) = check(home.path(), &emu.url);
    assert_eq!(failing(&rep), want, "{err}\n{rep:#}");

    // Denied where the trail's log group lives: every control is unknown, none passes or fails.
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(&json!({"kind": "access_denied", "service": "logs",
                     "operation": "DescribeMetricFilters", "region": E1})),
    );
    let (rep, err, _) = check(home.path(), &emu.url);
    assert_eq!(failing(&rep), BTreeSet::new(), "{err}\n{rep:#}");
    let unknown: BTreeSet<&str> = rep["unknown_rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| {
            u["reason"]
                .as_str()
                .unwrap()
                .contains("CloudWatch Logs metric filters unknown in us-east-1")
        })
        .map(|u| u["rule"].as_str().unwrap())
        .collect();
    assert_eq!(unknown.len(), MONITORS.len(), "{rep:#}");
    assert!(err.contains("AccessDenied"), "{err}");
}
