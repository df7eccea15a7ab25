//! CloudWatch monitoring, per region, for the CIS section 4 rules: CloudWatch Logs metric
//! filters (`logs:DescribeMetricFilters`), metric alarms (`cloudwatch:DescribeAlarms`) and SNS
//! subscriptions (`sns:ListSubscriptions`), concurrently, every page. A part is kept only when
//! it was read to the end: half a list of filters would turn into false failures.

use super::pages::read_all;
use super::{Progress, RegionResult, describe_error};
use crate::model::monitoring::{Alarm, Metric, MetricFilter, MonitoringRegion, Subscription};
use aws_config::SdkConfig;

pub const SOURCE: &str = "cloudwatch";

pub async fn load(conf: &SdkConfig, region: &str, p: &Progress) -> RegionResult {
    let logs = super::aws::client!(
        aws_sdk_cloudwatchlogs,
        conf,
        super::ThrottleWatch::new(SOURCE, Some(region), p)
    );
    let cw = super::aws::client!(
        aws_sdk_cloudwatch,
        conf,
        super::ThrottleWatch::new(SOURCE, Some(region), p)
    );
    let sns = super::aws::client!(
        aws_sdk_sns,
        conf,
        super::ThrottleWatch::new(SOURCE, Some(region), p)
    );
    let (filters, alarms, subs) = tokio::join!(
        Box::pin(metric_filters(&logs)),
        Box::pin(metric_alarms(&cw)),
        Box::pin(subscriptions(&sns)),
    );
    let mut out = RegionResult::default();
    let metric_filters = whole(&mut out, region, filters);
    let alarms = whole(&mut out, region, alarms);
    let subscriptions = whole(&mut out, region, subs);
    out.monitoring = Some(MonitoringRegion {
        region: region.into(),
        metric_filters,
        alarms,
        subscriptions,
    });
    out
}

/// A part read to the end, else a problem and `None`.
fn whole<T>(
    out: &mut RegionResult,
    region: &str,
    (items, why): (Vec<T>, Option<String>),
) -> Option<Vec<T>> {
    match why {
        None => Some(items),
        Some(why) => {
            out.problems
                .push(RegionResult::problem(SOURCE, region, why));
            None
        }
    }
}

async fn metric_filters(
    client: &aws_sdk_cloudwatchlogs::Client,
) -> (Vec<MetricFilter>, Option<String>) {
    const ACTION: &str = "logs:DescribeMetricFilters";
    read_all(ACTION, |token| async move {
        let page = Box::pin(
            client
                .describe_metric_filters()
                .limit(50)
                .set_next_token(token)
                .send(),
        )
        .await
        .map_err(|e| describe_error(ACTION, &e))?;
        let items = page
            .metric_filters()
            .iter()
            .map(|f| MetricFilter {
                name: f.filter_name().unwrap_or_default().to_string(),
                log_group: f.log_group_name().unwrap_or_default().to_string(),
                pattern: f.filter_pattern().unwrap_or_default().to_string(),
                metrics: f
                    .metric_transformations()
                    .iter()
                    .map(|t| Metric {
                        namespace: t.metric_namespace().to_string(),
                        name: t.metric_name().to_string(),
                    })
                    .collect(),
            })
            .collect();
        Ok((items, page.next_token().map(str::to_string)))
    })
    .await
}

async fn metric_alarms(client: &aws_sdk_cloudwatch::Client) -> (Vec<Alarm>, Option<String>) {
    const ACTION: &str = "cloudwatch:DescribeAlarms";
    read_all(ACTION, |token| async move {
        let page = Box::pin(
            client
                .describe_alarms()
                .max_records(100)
                .set_next_token(token)
                .send(),
        )
        .await
        .map_err(|e| describe_error(ACTION, &e))?;
        let items = page
            .metric_alarms()
            .iter()
            .map(|a| {
                let own = a.metric_name().map(|name| Metric {
                    namespace: a.namespace().unwrap_or_default().to_string(),
                    name: name.to_string(),
                });
                // A metric-math alarm watches the metrics of its queries.
                let math = a
                    .metrics()
                    .iter()
                    .filter_map(|q| q.metric_stat()?.metric())
                    .map(|m| Metric {
                        namespace: m.namespace().unwrap_or_default().to_string(),
                        name: m.metric_name().unwrap_or_default().to_string(),
                    });
                Alarm {
                    name: a.alarm_name().unwrap_or_default().to_string(),
                    arn: a.alarm_arn().unwrap_or_default().to_string(),
                    metrics: own.into_iter().chain(math).collect(),
                    actions: a.alarm_actions().to_vec(),
                    actions_enabled: a.actions_enabled().unwrap_or(false),
                }
            })
            .collect();
        Ok((items, page.next_token().map(str::to_string)))
    })
    .await
}

async fn subscriptions(client: &aws_sdk_sns::Client) -> (Vec<Subscription>, Option<String>) {
    const ACTION: &str = "sns:ListSubscriptions";
    read_all(ACTION, |token| async move {
        let page = Box::pin(client.list_subscriptions().set_next_token(token).send())
            .await
            .map_err(|e| describe_error(ACTION, &e))?;
        let items = page
            .subscriptions()
            .iter()
            .map(|s| Subscription {
                topic_arn: s.topic_arn().unwrap_or_default().to_string(),
                protocol: s.protocol().unwrap_or_default().to_string(),
                // SNS answers the literal `PendingConfirmation` until the endpoint confirms.
                confirmed: s.subscription_arn().is_some_and(|a| a.starts_with("arn:")),
            })
            .collect();
        Ok((items, page.next_token().map(str::to_string)))
    })
    .await
}
