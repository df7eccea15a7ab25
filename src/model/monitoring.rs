//! CloudWatch monitoring as the CIS section 4 rules read it (issue 15), per region: the
//! CloudWatch Logs metric filters (DescribeMetricFilters), the metric alarms
//! (DescribeAlarms) and the SNS subscriptions (ListSubscriptions). Each part is `None` when
//! it could not be read to the end: a rule that needs it is then unknown, never a pass (and
//! never a failure built on half a list).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringRegion {
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_filters: Option<Vec<MetricFilter>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms: Option<Vec<Alarm>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriptions: Option<Vec<Subscription>>,
}

/// A CloudWatch metric: namespace and name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metric {
    pub namespace: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricFilter {
    pub name: String,
    pub log_group: String,
    /// The filter pattern as written (hostile text: sanitised wherever it is shown).
    pub pattern: String,
    /// The metrics it publishes to (`metricTransformations`).
    #[serde(default)]
    pub metrics: Vec<Metric>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    #[serde(default)]
    pub arn: String,
    /// The metrics it watches: its own `MetricName`/`Namespace`, or the `MetricStat`s of a
    /// metric-math alarm.
    #[serde(default)]
    pub metrics: Vec<Metric>,
    /// `AlarmActions` (SNS topic ARNs among them).
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub actions_enabled: bool,
}

/// One SNS subscription; the endpoint (an e-mail address, a URL) is not kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub topic_arn: String,
    pub protocol: String,
    /// False while the subscription is `PendingConfirmation`: nothing is delivered yet.
    #[serde(default)]
    pub confirmed: bool,
}
