//! The normalized model every source is turned into.
//!
//! Sources keep their raw JSON (ASFF, GuardDuty, Access Analyzer wire shapes) in
//! [`SourceRecord::raw`], so nothing is lost by normalizing; the detail view shows it as is.

pub mod account;
pub mod coverage;
pub mod iam;
pub mod monitoring;
pub mod network;
pub mod org;
pub mod recorder;
pub mod storage;
pub mod trail;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

pub use account::{AccountInfo, ServiceStatus};
pub use coverage::{Count, Coverage, CoverageState, SourceCoverage};
pub use iam::*;
pub use monitoring::MonitoringRegion;
pub use network::Ec2Region;
pub use recorder::ConfigRegion;
pub use storage::S3Account;
pub use trail::TrailRegion;

/// Whole days from `then` to `as_of`: every key age and "last used … days ago" in guardpost is
/// computed here, as of the data's capture time.
pub fn age_days(then: DateTime<Utc>, as_of: DateTime<Utc>) -> i64 {
    (as_of - then).num_days()
}

/// `today`, `1 day ago`, `N days ago` — as of the data (see [`age_days`]).
pub fn days_ago(then: DateTime<Utc>, as_of: DateTime<Utc>) -> String {
    match age_days(then, as_of) {
        0 => "today".into(),
        1 => "1 day ago".into(),
        n => format!("{n} days ago"),
    }
}

/// Normalized severity. Ordered: `Critical` is the greatest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Informational,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Severity::Informational => "INFO",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }

    /// Parses ASFF `Severity.Label` and the common spellings (case-insensitive).
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_uppercase().as_str() {
            "INFORMATIONAL" | "INFO" => Some(Severity::Informational),
            "LOW" => Some(Severity::Low),
            "MEDIUM" => Some(Severity::Medium),
            "HIGH" => Some(Severity::High),
            "CRITICAL" => Some(Severity::Critical),
            _ => None,
        }
    }

    /// ASFF `Severity.Normalized` (0-100) bands, as Security Hub documents them:
    /// 0 informational, 1-39 low, 40-69 medium, 70-89 high, 90-100 critical.
    pub fn from_normalized(score: f64) -> Severity {
        if score >= 90.0 {
            Severity::Critical
        } else if score >= 70.0 {
            Severity::High
        } else if score >= 40.0 {
            Severity::Medium
        } else if score >= 1.0 {
            Severity::Low
        } else {
            Severity::Informational
        }
    }

    /// GuardDuty's bands: Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0.
    pub fn from_guardduty(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score >= 1.0 {
            Severity::Low
        } else {
            Severity::Informational
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Which service reported a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Source {
    SecurityHub,
    GuardDuty,
    AccessAnalyzer,
    Posture,
}

impl Source {
    pub const ALL: [Source; 4] = [
        Source::SecurityHub,
        Source::GuardDuty,
        Source::AccessAnalyzer,
        Source::Posture,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Source::SecurityHub => "Security Hub",
            Source::GuardDuty => "GuardDuty",
            Source::AccessAnalyzer => "Access Analyzer",
            Source::Posture => "Posture",
        }
    }

    /// Two-letter tag used in narrow table columns.
    pub fn short(self) -> &'static str {
        match self {
            Source::SecurityHub => "SH",
            Source::GuardDuty => "GD",
            Source::AccessAnalyzer => "AA",
            Source::Posture => "PO",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Triage state, unified over Security Hub's Workflow.Status and the archive flags of
/// GuardDuty and Access Analyzer (archived maps to `Archived`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Workflow {
    New,
    Notified,
    Resolved,
    Suppressed,
    Archived,
}

impl Workflow {
    pub fn label(self) -> &'static str {
        match self {
            Workflow::New => "NEW",
            Workflow::Notified => "NOTIFIED",
            Workflow::Resolved => "RESOLVED",
            Workflow::Suppressed => "SUPPRESSED",
            Workflow::Archived => "ARCHIVED",
        }
    }

    pub fn parse(s: &str) -> Option<Workflow> {
        match s.to_ascii_uppercase().as_str() {
            "NEW" => Some(Workflow::New),
            "NOTIFIED" => Some(Workflow::Notified),
            "RESOLVED" => Some(Workflow::Resolved),
            "SUPPRESSED" => Some(Workflow::Suppressed),
            "ARCHIVED" => Some(Workflow::Archived),
            _ => None,
        }
    }

    /// Still needs attention.
    pub fn is_open(self) -> bool {
        matches!(self, Workflow::New | Workflow::Notified)
    }
}

/// Framework identifiers used in [`Control::framework`].
pub mod framework {
    pub const CIS_3_0: &str = "cis-aws-foundations-3.0.0";
    pub const CIS_5_0: &str = "cis-aws-foundations-5.0.0";
    pub const CIS_6_0: &str = "cis-aws-foundations-6.0.0";
    pub const CIS_1_4: &str = "cis-aws-foundations-1.4.0";
    pub const CIS_1_2: &str = "cis-aws-foundations-1.2.0";
    pub const FSBP: &str = "aws-fsbp";
    pub const PCI_DSS: &str = "pci-dss-3.2.1";
    pub const NIST_800_53: &str = "nist-800-53-r5";
}

/// A benchmark control a finding maps to, e.g. `{cis-aws-foundations-3.0.0, 1.10}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Control {
    pub framework: String,
    pub id: String,
}

impl Control {
    pub fn new(framework: &str, id: &str) -> Self {
        Control {
            framework: framework.to_string(),
            id: id.to_string(),
        }
    }
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.framework, self.id)
    }
}

/// A resource a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResourceRef {
    /// ARN where the source gives one; otherwise the source's resource id.
    pub arn: String,
    /// ASFF resource type, e.g. `AwsIamUser`, `AwsS3Bucket`, `AwsEc2SecurityGroup`.
    pub kind: String,
    /// Short display name (user name, bucket name, key id).
    pub name: String,
    pub region: Option<String>,
}

/// One source's copy of a finding. A deduplicated finding has several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRecord {
    pub source: Source,
    /// The id the source knows it by (ASFF Id, GuardDuty finding id, Access Analyzer id, rule id/resource).
    pub id: String,
    /// Security Hub ProductArn (needed with the Id for BatchUpdateFindings).
    pub product_arn: Option<String>,
    pub region: String,
    /// The record exactly as the API returned it.
    pub raw: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Remediation {
    pub text: String,
    pub url: Option<String>,
}

/// ASFF Compliance.Status, for control findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceStatus {
    Passed,
    Warning,
    Failed,
    NotAvailable,
}

/// The normalized finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable guardpost id: `<source short>:<source id>` of the primary record.
    pub id: String,
    /// Primary source (the native service when Security Hub only holds a copy).
    pub source: Source,
    /// Product that produced it ("GuardDuty", "Security Hub", "IAM Access Analyzer", "guardpost").
    pub product: String,
    /// Finding type: GuardDuty type, ASFF Types[0], Access Analyzer findingType, posture rule id.
    pub kind: String,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    /// The source's own score (GuardDuty 0-10, ASFF Normalized 0-100), when it has one.
    pub raw_score: Option<f64>,
    pub account: String,
    pub region: String,
    pub resources: Vec<ResourceRef>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub workflow: Workflow,
    pub compliance: Option<ComplianceStatus>,
    /// Security Hub consolidated control id (`EC2.13`) or posture rule id; the grouping key with the resource.
    pub control_id: Option<String>,
    pub controls: Vec<Control>,
    pub remediation: Option<Remediation>,
    /// Every source that reported this finding; `records[0]` is the primary.
    pub records: Vec<SourceRecord>,
}

impl Finding {
    /// All sources that reported it, primary first, without repeats.
    pub fn sources(&self) -> Vec<Source> {
        let mut out: Vec<Source> = Vec::with_capacity(self.records.len());
        for r in &self.records {
            if !out.contains(&r.source) {
                out.push(r.source);
            }
        }
        if out.is_empty() {
            out.push(self.source);
        }
        out
    }

    /// `self.sources().contains(&s)` without building the list (for per-finding filter loops).
    pub fn has_source(&self, s: Source) -> bool {
        if self.records.is_empty() {
            self.source == s
        } else {
            self.records.iter().any(|r| r.source == s)
        }
    }

    pub fn primary_resource(&self) -> Option<&ResourceRef> {
        self.resources.first()
    }

    /// Key for the "control + resource" grouped view: one open port checked by three
    /// standards is one group.
    pub fn group_key(&self) -> String {
        let ctl = self.control_id.as_deref().unwrap_or(&self.kind);
        let res = self
            .primary_resource()
            .map(|r| r.arn.as_str())
            .unwrap_or("");
        format!("{ctl}\u{1f}{res}")
    }
}

/// A source/region that could not be read, shown on screen instead of blanking the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceProblem {
    pub source: String,
    pub region: Option<String>,
    pub message: String,
}
