//! Coverage: what was actually read, per source × region. Unknown is not zero: a count from a
//! source that could not be read completely is a lower bound (`≥12`) or unknown (`?`), never a
//! plain number, and a source that could not be read never looks clean.
//!
//! The live loader fills it from what happened ([`crate::sources::load`]); a snapshot without
//! it (older files, the demo) gets it derived from its `problems`, `services` and records
//! ([`Coverage::derive`]).

use super::{Finding, Severity, Source, SourceProblem};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The sources guardpost reads, in display order: the three finding sources first, then EC2
/// (the network and storage baseline, regional), IAM last (global).
pub const SOURCES: [&str; 10] = [
    "securityhub",
    "guardduty",
    "access-analyzer",
    "ec2",
    "cloudtrail",
    "config",
    "cloudwatch",
    "s3",
    "account",
    "iam",
];

/// Source name (`securityhub`, ...) -> the label people know.
pub fn source_label(source: &str) -> &str {
    match source {
        "securityhub" => "Security Hub",
        "guardduty" => "GuardDuty",
        "access-analyzer" => "Access Analyzer",
        "iam" => "IAM",
        "cloudtrail" => "CloudTrail",
        "ec2" => "EC2",
        "config" => "AWS Config",
        "cloudwatch" => "CloudWatch",
        "s3" => "S3",
        "account" => "Account contacts",
        other => other,
    }
}

/// The coverage source a finding source's counts depend on (posture: the IAM inventory).
pub fn source_key(s: Source) -> &'static str {
    match s {
        Source::SecurityHub => "securityhub",
        Source::GuardDuty => "guardduty",
        Source::AccessAnalyzer => "access-analyzer",
        Source::Posture => "iam",
    }
}

/// A reason from AWS or a snapshot as one safe line (the one sanitiser: controls, bidi and
/// invisible characters become visible escapes).
pub fn plain(s: &str) -> String {
    crate::sanitize::line(s).into_owned()
}

/// Attempts the live loader makes per AWS call before an error surfaces (the SDK's retry
/// limit; `sources::aws` configures it from here, so a throttled source reports the real count).
pub const RETRY_ATTEMPTS: u32 = 6;

/// What happened to one source in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CoverageState {
    /// Everything was read.
    Complete,
    /// Some of it was read (`records` counts what), then `reason` stopped it (or it is still
    /// loading).
    Partial { reason: String },
    /// Access denied: the missing permission (`guardduty:ListFindings`).
    Denied { permission: String },
    /// Throttled: retrying (attempt n), or gave up after n attempts.
    Throttled { attempt: u32 },
    /// The service is not enabled in the region (a posture fact, not a gap).
    Off,
    /// Not read (not requested, or the reader never ran).
    NotChecked,
    /// Only whether the service is on was read (DescribeHub, GetDetector, ListAnalyzers); its
    /// findings were not asked for (`check` without `--all-findings`): complete for posture,
    /// but any count of its findings is unknown.
    StateOnly,
    /// Any other error, with its (sanitised) reason.
    Failed { reason: String },
}

impl CoverageState {
    pub fn word(&self) -> &'static str {
        match self {
            CoverageState::Complete => "complete",
            CoverageState::Partial { .. } => "partial",
            CoverageState::Denied { .. } => "denied",
            CoverageState::Throttled { .. } => "throttled",
            CoverageState::Off => "off",
            CoverageState::NotChecked => "not checked",
            CoverageState::StateOnly => "state only",
            CoverageState::Failed { .. } => "failed",
        }
    }

    /// Nothing asked for is missing: everything was read, the service is off (nothing to
    /// read), or its state was all that was asked for.
    pub fn is_complete(&self) -> bool {
        matches!(
            self,
            CoverageState::Complete | CoverageState::Off | CoverageState::StateOnly
        )
    }
}

impl fmt::Display for CoverageState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoverageState::Partial { reason } => write!(f, "partial ({})", plain(reason)),
            CoverageState::Denied { permission } => write!(f, "denied ({})", plain(permission)),
            CoverageState::Throttled { attempt } if *attempt > 0 => {
                write!(f, "throttled (attempt {attempt})")
            }
            CoverageState::Failed { reason } => write!(f, "failed ({})", plain(reason)),
            CoverageState::StateOnly => f.write_str("state only (findings not read)"),
            other => f.write_str(other.word()),
        }
    }
}

/// One source in one region (`region: None`: IAM, global).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCoverage {
    /// `securityhub`, `guardduty`, `access-analyzer`, `iam`.
    pub source: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(flatten)]
    pub state: CoverageState,
    /// Records read (findings; IAM: principals and policies).
    #[serde(default)]
    pub records: usize,
    /// Sub-reads that failed while the source as a whole was read (IAM's credential report,
    /// password policy, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl SourceCoverage {
    /// `GuardDuty eu-west-1: denied (guardduty:ListFindings)`
    pub fn label(&self) -> String {
        match &self.region {
            Some(r) => format!(
                "{} {}: {}",
                source_label(&self.source),
                plain(r),
                self.state
            ),
            None => format!("{}: {}", source_label(&self.source), self.state),
        }
    }
}

/// The state one failed read leaves: denied names the permission, throttling is throttled,
/// anything else failed; with records already read it is partial.
pub fn classify(message: &str, records: usize) -> CoverageState {
    let message = plain(message);
    if records > 0 {
        return CoverageState::Partial { reason: message };
    }
    if let Some(perm) = message.strip_prefix("AccessDenied: missing permission ") {
        return CoverageState::Denied {
            permission: perm.trim().to_string(),
        };
    }
    if is_throttling(&message) {
        // The SDK retried up to its limit before this error surfaced.
        return CoverageState::Throttled {
            attempt: RETRY_ATTEMPTS,
        };
    }
    CoverageState::Failed { reason: message }
}

/// Error codes services use for throttling (Security Hub / GuardDuty `TooManyRequestsException`,
/// Access Analyzer / CloudTrail `ThrottlingException`, IAM `Throttling`, EC2-style
/// `RequestLimitExceeded`).
pub fn is_throttling(text: &str) -> bool {
    [
        "TooManyRequestsException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "ThrottledException",
    ]
    .iter()
    .any(|c| text.contains(c))
}

/// A count that knows whether it is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Exact(usize),
    /// Records were read but not all of them: at least this many.
    AtLeast(usize),
    /// Nothing could be read: unknown (not zero).
    Unknown,
    /// The service is off everywhere asked about.
    Off,
}

impl Count {
    /// The number when it is exact.
    pub fn exact(self) -> Option<usize> {
        match self {
            Count::Exact(n) => Some(n),
            _ => None,
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Count::Exact(n) => write!(f, "{n}"),
            Count::AtLeast(n) => write!(f, "≥{n}"),
            Count::Unknown => f.write_str("?"),
            Count::Off => f.write_str("off"),
        }
    }
}

/// Every source × region of one load.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Coverage {
    pub entries: Vec<SourceCoverage>,
}

impl Coverage {
    /// Coverage of a snapshot that does not carry one: its problems map onto states, service
    /// statuses say off, records say read. A region listed without any trace of a source is
    /// not checked.
    pub fn derive(
        regions: &[String],
        records: &dyn Fn(&str, &str) -> Option<usize>,
        services: &[super::ServiceStatus],
        problems: &[SourceProblem],
        iam: Option<&super::IamInventory>,
    ) -> Coverage {
        let mut entries = Vec::new();
        for region in regions {
            for source in &SOURCES[..3] {
                let n = records(source, region);
                let status = enabled(services, source, region);
                let msgs: Vec<&SourceProblem> = problems
                    .iter()
                    .filter(|p| p.source == *source && p.region.as_deref() == Some(region))
                    .collect();
                entries.push(region_entry(source, region, n, status, &msgs));
            }
        }
        let iam_problems: Vec<&SourceProblem> =
            problems.iter().filter(|p| p.source == "iam").collect();
        entries.push(iam_entry(iam, &iam_problems));
        Coverage { entries }
    }

    pub fn get(&self, source: &str, region: Option<&str>) -> Option<&SourceCoverage> {
        self.entries
            .iter()
            .find(|e| e.source == source && e.region.as_deref() == region)
    }

    /// Every entry is complete or off.
    pub fn is_complete(&self) -> bool {
        self.entries.iter().all(|e| e.state.is_complete())
    }

    /// The entries that are not complete.
    pub fn incomplete(&self) -> impl Iterator<Item = &SourceCoverage> {
        self.entries.iter().filter(|e| !e.state.is_complete())
    }

    /// The entries one count depends on: `source` in `region` (every region when `None`);
    /// IAM is global, so any region question about it is the one IAM entry.
    fn relevant<'a>(
        &'a self,
        source: &'a str,
        region: Option<&'a str>,
    ) -> impl Iterator<Item = &'a SourceCoverage> + 'a {
        self.entries.iter().filter(move |e| {
            e.source == source
                && (region.is_none() || e.region.is_none() || e.region.as_deref() == region)
        })
    }

    /// Qualifies a count `n` of `source`'s findings in `region` (`None`: all regions): exact
    /// only when every relevant entry is complete; otherwise at least `n`, or unknown when
    /// nothing was read. With no coverage recorded at all the count is taken as it is.
    pub fn qualify(&self, source: Source, region: Option<&str>, n: usize) -> Count {
        let key = source_key(source);
        let mut any = false;
        let mut all_off = true;
        let mut complete = true;
        for e in self.relevant(key, region) {
            any = true;
            all_off &= e.state == CoverageState::Off;
            // Findings not read are not zero findings.
            complete &= e.state.is_complete() && e.state != CoverageState::StateOnly;
        }
        if !any || complete {
            if any && all_off && n == 0 {
                return Count::Off;
            }
            return Count::Exact(n);
        }
        if n == 0 {
            Count::Unknown
        } else {
            Count::AtLeast(n)
        }
    }

    /// The open findings of `source` (primary source, as the overview counts them) in `region`
    /// at `severity` (`None`: any), qualified by coverage.
    pub fn count(
        &self,
        findings: &[Finding],
        source: Source,
        region: Option<&str>,
        severity: Option<Severity>,
    ) -> Count {
        let n = findings
            .iter()
            .filter(|f| f.source == source && f.workflow.is_open())
            .filter(|f| region.is_none_or(|r| f.region == r))
            .filter(|f| severity.is_none_or(|s| f.severity == s))
            .count();
        self.qualify(source, region, n)
    }

    /// Why an empty list from `source` may not be empty, for the "no findings" message:
    /// `None` when its coverage is complete.
    pub fn empty_reason(&self, source: Source, region: Option<&str>) -> Option<String> {
        let gaps: Vec<String> = self
            .relevant(source_key(source), region)
            .filter(|e| !e.state.is_complete() || e.state == CoverageState::StateOnly)
            .map(SourceCoverage::label)
            .collect();
        (!gaps.is_empty()).then(|| format!("may be incomplete: {}", gaps.join("; ")))
    }

    /// The overview's coverage line, `None` when everything was read:
    /// `GuardDuty denied in 2 regions (guardduty:ListFindings) · Security Hub partial in eu-west-1`.
    pub fn summary_line(&self) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        for source in SOURCES {
            for word in ["denied", "throttled", "failed", "partial", "not checked"] {
                let hit: Vec<&SourceCoverage> = self
                    .entries
                    .iter()
                    .filter(|e| e.source == source && e.state.word() == word)
                    .collect();
                if hit.is_empty() {
                    continue;
                }
                let mut s = format!("{} {word}", source_label(source));
                let regions: Vec<String> = hit
                    .iter()
                    .filter_map(|e| e.region.as_deref())
                    .map(plain)
                    .collect();
                match regions.len() {
                    0 => {}
                    1 => s.push_str(&format!(" in {}", regions[0])),
                    n => s.push_str(&format!(" in {n} regions")),
                }
                let mut why: Vec<String> = Vec::new();
                for e in &hit {
                    let w = match &e.state {
                        CoverageState::Denied { permission } => plain(permission),
                        CoverageState::Throttled { attempt } if *attempt > 0 => {
                            format!("attempt {attempt}")
                        }
                        CoverageState::Partial { reason } | CoverageState::Failed { reason } => {
                            plain(reason)
                        }
                        _ => continue,
                    };
                    if !why.contains(&w) {
                        why.push(w);
                    }
                }
                if !why.is_empty() {
                    s.push_str(&format!(" ({})", why.join(", ")));
                }
                parts.push(s);
            }
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}

/// Whether `source` is on in `region` by the service statuses (on if any analyzer / detector /
/// hub is), `None` when they say nothing.
pub fn enabled(services: &[super::ServiceStatus], source: &str, region: &str) -> Option<bool> {
    let mut it = services
        .iter()
        .filter(|s| s.service == source && s.region == region)
        .peekable();
    it.peek()?;
    Some(it.any(|s| s.enabled))
}

/// One regional source from what its read left behind.
pub fn region_entry(
    source: &str,
    region: &str,
    records: Option<usize>,
    enabled: Option<bool>,
    problems: &[&SourceProblem],
) -> SourceCoverage {
    let n = records.unwrap_or(0);
    let state = if let Some(p) = problems.first() {
        classify(&p.message, n)
    } else if enabled == Some(false) {
        CoverageState::Off
    } else if records.is_some() || enabled == Some(true) {
        CoverageState::Complete
    } else {
        CoverageState::NotChecked
    };
    SourceCoverage {
        source: source.to_string(),
        region: Some(region.to_string()),
        state,
        records: n,
        notes: problems.iter().skip(1).map(|p| plain(&p.message)).collect(),
    }
}

/// IAM: no inventory is the first problem's state; an inventory with failed sub-reads is
/// partial, each failure a note.
/// The coverage of a read made once per account (not IAM's): complete when it went through.
pub fn account_entry(source: &str, read: bool, problems: &[&SourceProblem]) -> SourceCoverage {
    let notes: Vec<String> = problems.iter().map(|p| plain(&p.message)).collect();
    let state = match (read, problems.first()) {
        (true, _) => CoverageState::Complete,
        (false, Some(p)) => classify(&p.message, 0),
        (false, None) => CoverageState::NotChecked,
    };
    SourceCoverage {
        source: source.into(),
        region: None,
        state,
        records: usize::from(read),
        notes,
    }
}

pub fn iam_entry(iam: Option<&super::IamInventory>, problems: &[&SourceProblem]) -> SourceCoverage {
    let records = iam.map(|i| {
        i.user_detail_list.len()
            + i.group_detail_list.len()
            + i.role_detail_list.len()
            + i.policies.len()
    });
    let notes: Vec<String> = problems.iter().map(|p| plain(&p.message)).collect();
    let state = match (records, problems.first()) {
        (None, Some(p)) => classify(&p.message, 0),
        (None, None) => CoverageState::NotChecked,
        (Some(_), Some(p)) => CoverageState::Partial {
            reason: plain(&p.message),
        },
        (Some(_), None) => CoverageState::Complete,
    };
    SourceCoverage {
        source: "iam".into(),
        region: None,
        state,
        records: records.unwrap_or(0),
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(source: &str, region: Option<&str>, message: &str) -> SourceProblem {
        SourceProblem {
            source: source.into(),
            region: region.map(str::to_string),
            message: message.into(),
        }
    }

    #[test]
    fn a_state_only_read_is_complete_but_its_counts_are_unknown() {
        let e = SourceCoverage {
            source: "securityhub".into(),
            region: Some("eu-west-1".into()),
            state: CoverageState::StateOnly,
            records: 0,
            notes: Vec::new(),
        };
        let c = Coverage { entries: vec![e] };
        assert!(c.is_complete());
        assert_eq!(c.summary_line(), None);
        assert_eq!(c.qualify(Source::SecurityHub, None, 0), Count::Unknown);
        assert_eq!(
            c.qualify(Source::SecurityHub, Some("eu-west-1"), 2),
            Count::AtLeast(2)
        );
        assert_eq!(
            c.empty_reason(Source::SecurityHub, None).as_deref(),
            Some("may be incomplete: Security Hub eu-west-1: state only (findings not read)")
        );
        let json = serde_json::to_value(&c.entries[0]).unwrap();
        assert_eq!(json["state"], "state_only");
    }

    #[test]
    fn problems_map_onto_states() {
        let denied = problem(
            "guardduty",
            Some("eu-west-1"),
            "AccessDenied: missing permission guardduty:ListFindings",
        );
        let e = region_entry("guardduty", "eu-west-1", Some(0), Some(true), &[&denied]);
        assert_eq!(
            e.state,
            CoverageState::Denied {
                permission: "guardduty:ListFindings".into()
            }
        );
        // Records read before the failure: partial, a lower bound.
        let e = region_entry("guardduty", "eu-west-1", Some(50), Some(true), &[&denied]);
        assert_eq!(e.state.word(), "partial");
        let thr = problem(
            "securityhub",
            Some("us-east-1"),
            "securityhub:GetFindings failed: TooManyRequestsException: Rate exceeded",
        );
        let e = region_entry("securityhub", "us-east-1", None, None, &[&thr]);
        assert_eq!(e.state, CoverageState::Throttled { attempt: 6 });
        let net = problem(
            "securityhub",
            Some("us-east-1"),
            "x: network error: \u{1b}[31mdns",
        );
        let e = region_entry("securityhub", "us-east-1", None, None, &[&net]);
        assert_eq!(
            e.state,
            CoverageState::Failed {
                reason: "x: network error: \\u{1b}[31mdns".into()
            }
        );
        assert_eq!(
            region_entry("guardduty", "r", None, Some(false), &[]).state,
            CoverageState::Off
        );
        assert_eq!(
            region_entry("guardduty", "r", None, None, &[]).state,
            CoverageState::NotChecked
        );
        assert_eq!(
            region_entry("guardduty", "r", Some(0), Some(true), &[]).state,
            CoverageState::Complete
        );
    }

    fn cov(entries: Vec<(&str, Option<&str>, CoverageState, usize)>) -> Coverage {
        Coverage {
            entries: entries
                .into_iter()
                .map(|(s, r, state, records)| SourceCoverage {
                    source: s.into(),
                    region: r.map(str::to_string),
                    state,
                    records,
                    notes: vec![],
                })
                .collect(),
        }
    }

    #[test]
    fn counts_know_whether_they_are_exact() {
        let c = cov(vec![
            ("guardduty", Some("us-east-1"), CoverageState::Complete, 3),
            (
                "guardduty",
                Some("eu-west-1"),
                CoverageState::Denied {
                    permission: "guardduty:ListFindings".into(),
                },
                0,
            ),
            (
                "securityhub",
                Some("eu-west-1"),
                CoverageState::Partial {
                    reason: "network error".into(),
                },
                12,
            ),
            ("securityhub", Some("us-east-1"), CoverageState::Off, 0),
            ("iam", None, CoverageState::Complete, 40),
        ]);
        assert_eq!(
            c.qualify(Source::GuardDuty, Some("us-east-1"), 3),
            Count::Exact(3)
        );
        assert_eq!(
            c.qualify(Source::GuardDuty, Some("eu-west-1"), 0),
            Count::Unknown
        );
        assert_eq!(c.qualify(Source::GuardDuty, None, 3), Count::AtLeast(3));
        assert_eq!(
            c.qualify(Source::SecurityHub, Some("eu-west-1"), 12)
                .to_string(),
            "≥12"
        );
        assert_eq!(
            c.qualify(Source::SecurityHub, Some("us-east-1"), 0),
            Count::Off
        );
        assert_eq!(
            c.qualify(Source::Posture, Some("eu-west-1"), 2),
            Count::Exact(2)
        );
        assert_eq!(Count::Unknown.to_string(), "?");
        assert!(!c.is_complete());
        assert_eq!(
            c.summary_line().as_deref(),
            Some(
                "Security Hub partial in eu-west-1 (network error) · GuardDuty denied in eu-west-1 (guardduty:ListFindings)"
            )
        );
        assert_eq!(
            c.empty_reason(Source::GuardDuty, Some("eu-west-1"))
                .as_deref(),
            Some("may be incomplete: GuardDuty eu-west-1: denied (guardduty:ListFindings)")
        );
        assert_eq!(c.empty_reason(Source::GuardDuty, Some("us-east-1")), None);
        // No coverage recorded (a dataset built by hand): counts are taken as they are.
        assert_eq!(
            Coverage::default().qualify(Source::GuardDuty, None, 4),
            Count::Exact(4)
        );
    }

    #[test]
    fn summary_counts_regions() {
        let denied = || CoverageState::Denied {
            permission: "guardduty:ListFindings".into(),
        };
        let c = cov(vec![
            ("guardduty", Some("us-east-1"), denied(), 0),
            ("guardduty", Some("eu-west-1"), denied(), 0),
            (
                "securityhub",
                Some("us-east-1"),
                CoverageState::Throttled { attempt: 3 },
                0,
            ),
        ]);
        assert_eq!(
            c.summary_line().as_deref(),
            Some(
                "Security Hub throttled in us-east-1 (attempt 3) · GuardDuty denied in 2 regions (guardduty:ListFindings)"
            )
        );
        assert_eq!(
            cov(vec![("iam", None, CoverageState::Complete, 1)]).summary_line(),
            None
        );
    }

    #[test]
    fn serialises_flat_and_round_trips() {
        let c = cov(vec![(
            "guardduty",
            Some("eu-west-1"),
            CoverageState::Denied {
                permission: "guardduty:ListFindings".into(),
            },
            0,
        )]);
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(
            v,
            serde_json::json!([{"source": "guardduty", "region": "eu-west-1", "state": "denied",
                                "permission": "guardduty:ListFindings", "records": 0}])
        );
        assert_eq!(serde_json::from_value::<Coverage>(v).unwrap(), c);
    }
}
