//! Reports of a `guardpost check` run: one [`Report`] value, rendered as a terminal table,
//! JSON (docs/check-json-schema.md), SARIF 2.1.0 or Markdown. Rendering is pure: a report in,
//! a string out, so every format is tested without running the binary.

pub mod framework;
pub mod json;
pub mod markdown;
pub mod org;
pub mod sarif;
pub mod table;

pub use framework::Framework;

use crate::model::{Control, Finding, ResourceRef, Severity, Source, Workflow};
use crate::posture::RuleInfo;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// The severity at or above which a finding fails the check (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    /// Informational findings too: anything reported fails.
    Info,
    /// Never fail (report only).
    None,
}

impl FailOn {
    /// The lowest failing severity; `None` for `--fail-on none`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Informational),
            FailOn::None => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FailOn::Critical => "CRITICAL",
            FailOn::High => "HIGH",
            FailOn::Medium => "MEDIUM",
            FailOn::Low => "LOW",
            FailOn::Info => "INFORMATIONAL",
            FailOn::None => "NONE",
        }
    }
}

/// One reported finding, flattened to what the reports show.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFinding {
    /// guardpost's stable finding id (`po:<rule>:<arn>`, `gd:<id>`, ...).
    pub id: String,
    /// Posture rule id; for other sources the Security Hub control id, else the finding type.
    pub rule: String,
    /// The rule's (or finding type's) generic title, for SARIF rule descriptions.
    pub rule_title: String,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub resource: ResourceRef,
    pub controls: Vec<Control>,
    pub account: String,
    pub region: String,
    pub source: Source,
    pub status: Workflow,
    pub remediation: Option<String>,
    /// Privilege-escalation evidence (the paths: method, hops, policies, statements) of an
    /// `iam.principal.privilege-escalation` finding; `None` for every other finding.
    pub escalation: Option<serde_json::Value>,
}

/// The escalation paths a posture privilege-escalation finding carries in its evidence.
fn escalation_evidence(f: &Finding) -> Option<serde_json::Value> {
    if f.source != Source::Posture || f.kind != crate::posture::rules::PRIVESC {
        return None;
    }
    f.records
        .iter()
        .find_map(|r| r.raw.get("evidence")?.get("paths").cloned())
}

impl ReportFinding {
    pub fn from_finding(f: &Finding) -> ReportFinding {
        let rule = match f.source {
            Source::Posture => f.kind.clone(),
            _ => f.control_id.clone().unwrap_or_else(|| f.kind.clone()),
        };
        let rule_title = crate::posture::rules::rule(&rule)
            .map(|r| r.title.to_string())
            .unwrap_or_else(|| f.title.clone());
        let resource = f
            .primary_resource()
            .cloned()
            .unwrap_or_else(|| ResourceRef {
                arn: format!("arn:aws:iam::{}:root", f.account),
                kind: "AwsAccount".into(),
                name: f.account.clone(),
                region: None,
            });
        ReportFinding {
            id: f.id.clone(),
            rule,
            rule_title,
            title: f.title.clone(),
            description: f.description.clone(),
            severity: f.severity,
            resource,
            controls: f.controls.clone(),
            account: f.account.clone(),
            region: f.region.clone(),
            source: f.source,
            status: f.workflow,
            remediation: f.remediation.as_ref().map(|r| match &r.url {
                Some(u) if !r.text.is_empty() => format!("{} ({u})", r.text),
                Some(u) => u.clone(),
                None => r.text.clone(),
            }),
            escalation: escalation_evidence(f),
        }
    }
}

/// Everything one check run reports.
#[derive(Debug, Clone)]
pub struct Report {
    pub account: String,
    pub account_alias: Option<String>,
    pub regions: Vec<String>,
    /// `demo`, `live` or `snapshot <path>` ([`crate::dataset::Origin::label`]).
    pub origin: String,
    /// When the data was captured (the dataset's `captured_at`), not when the report was made:
    /// the same input gives the same report.
    pub generated_at: DateTime<Utc>,
    /// The rule profile (`default`, `sandbox`) or `custom` for `--rule`.
    pub profile: String,
    /// The posture rules that were checked, catalog order.
    pub rules: Vec<&'static RuleInfo>,
    /// Worst first, then rule id, then resource ARN.
    pub findings: Vec<ReportFinding>,
    pub fail_on: FailOn,
    /// Things the reader must know (sources that could not be read, services whose state is
    /// unknown in a region); they do not change the exit code.
    pub warnings: Vec<String>,
    /// What was read, per source x region.
    pub coverage: crate::model::Coverage,
    /// Checked rules without a finding whose data could not be read: neither pass nor fail.
    /// (rule id, why), catalog order.
    pub unknown_rules: Vec<(&'static str, String)>,
    /// `--framework`: the benchmark the report is limited to and what it left out. `rules`
    /// and `findings` then hold only what maps to the framework.
    pub framework: Option<framework::Scope>,
}

/// Counts indexed by `Severity::ALL` order (critical first).
pub type SevCounts = [usize; 5];

fn sev_index(s: Severity) -> usize {
    Severity::ALL.iter().position(|x| *x == s).unwrap_or(4)
}

impl Report {
    /// Sorts the findings into report order: worst first, then rule, then resource ARN, then id.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.rule.cmp(&b.rule))
                .then_with(|| a.resource.arn.cmp(&b.resource.arn))
                .then_with(|| a.id.cmp(&b.id))
        });
    }

    pub fn by_severity(&self) -> SevCounts {
        let mut c = [0; 5];
        for f in &self.findings {
            c[sev_index(f.severity)] += 1;
        }
        c
    }

    /// Checked posture rules with at least one finding.
    pub fn failing_rules(&self) -> BTreeSet<&'static str> {
        let reported: BTreeSet<&str> = self
            .findings
            .iter()
            .filter(|f| f.source == Source::Posture)
            .map(|f| f.rule.as_str())
            .collect();
        self.rules
            .iter()
            .map(|r| r.id)
            .filter(|id| reported.contains(id))
            .collect()
    }

    /// Checked posture rules without findings whose data was read (unknown ones do not pass).
    pub fn passed_rules(&self) -> usize {
        self.rules.len() - self.failing_rules().len() - self.unknown_rules.len()
    }

    /// Whether a checked rule's result is unknown.
    fn is_unknown(&self, id: &str) -> bool {
        self.unknown_rules.iter().any(|(r, _)| *r == id)
    }

    /// Every source x region was read completely (or is off).
    pub fn complete(&self) -> bool {
        self.coverage.is_complete()
    }

    /// One line for report headers when coverage is incomplete:
    /// `INCOMPLETE: GuardDuty denied in eu-west-1 (guardduty:ListFindings); 3 rules unknown`.
    pub fn incomplete_line(&self) -> Option<String> {
        let line = self.coverage.summary_line();
        if line.is_none() && self.unknown_rules.is_empty() {
            return None;
        }
        let mut parts: Vec<String> = line.into_iter().collect();
        if !self.unknown_rules.is_empty() {
            parts.push(format!(
                "{} rule(s) unknown (not pass, not fail)",
                self.unknown_rules.len()
            ));
        }
        Some(format!(
            "INCOMPLETE: {}",
            table::one_line(&parts.join("; "))
        ))
    }

    /// 0-100: the severity-weighted share of the checked rules that pass (the overview's
    /// posture score, over this run's rules whose result is known).
    pub fn score(&self) -> u8 {
        let failing = self.failing_rules();
        crate::posture::score::score(
            self.rules
                .iter()
                .filter(|r| !self.is_unknown(r.id))
                .map(|r| (r.severity, failing.contains(r.id))),
        )
    }

    /// Findings at or above the `--fail-on` threshold.
    pub fn failing_findings(&self) -> usize {
        match self.fail_on.threshold() {
            Some(t) => self.findings.iter().filter(|f| f.severity >= t).count(),
            None => 0,
        }
    }

    /// Whether the check fails (exit code 1).
    pub fn failed(&self) -> bool {
        self.failing_findings() > 0
    }

    /// `111122223333 (acme-prod)` or just the id.
    pub fn account_label(&self) -> String {
        match &self.account_alias {
            Some(a) if !a.is_empty() => format!("{} ({a})", self.account),
            _ => self.account.clone(),
        }
    }

    /// `2026-11-20T09:00:00Z`
    pub fn time_label(&self) -> String {
        self.generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}

/// The output formats of `guardpost check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Markdown,
}

/// Renders `report` in `format`; every format ends with a newline.
pub fn render(report: &Report, format: Format) -> String {
    let mut out = Vec::new();
    write(report, format, &mut out).expect("writes to memory");
    String::from_utf8(out).expect("reports are UTF-8")
}

/// Writes the report in `format` to `out`. JSON and SARIF are serialized straight into it
/// (through the sanitizing writer), not built as one string first: the peak memory of a large
/// check is this moment.
pub fn write(report: &Report, format: Format, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Table => out.write_all(table::render(report).as_bytes()),
        Format::Json => write_json(out, &json::doc(report)),
        Format::Sarif => write_json(out, &sarif::to_value(report)),
        Format::Markdown => out.write_all(markdown::render(report).as_bytes()),
    }
}

/// Pretty JSON through the sanitizing writer, ending with a newline (JSON and SARIF).
fn write_json(out: &mut dyn std::io::Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    let mut w = crate::sanitize::JsonWriter::new(out);
    serde_json::to_writer_pretty(&mut w, value)?;
    std::io::Write::write_all(&mut w, b"\n")?;
    std::io::Write::flush(&mut w)
}

/// Title-case severity name for prose (`Critical`, `Informational`).
pub(crate) fn sev_word(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Informational => "Informational",
    }
}

/// The serde name of a severity (`CRITICAL` ... `INFORMATIONAL`), as in the JSON output.
pub(crate) fn sev_json(s: Severity) -> &'static str {
    match s {
        Severity::Informational => "INFORMATIONAL",
        other => other.label(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn finding(rule: &str, sev: Severity, title: &str) -> ReportFinding {
        ReportFinding {
            id: format!("po:{rule}:arn:aws:iam::1:user/x"),
            rule: rule.into(),
            rule_title: rule.into(),
            title: title.into(),
            description: String::new(),
            severity: sev,
            resource: ResourceRef {
                arn: "arn:aws:iam::1:user/x".into(),
                kind: "AwsIamUser".into(),
                name: "x".into(),
                region: None,
            },
            controls: vec![],
            account: "1".into(),
            region: "global".into(),
            source: Source::Posture,
            status: Workflow::New,
            remediation: None,
            escalation: None,
        }
    }

    fn report(findings: Vec<ReportFinding>, fail_on: FailOn) -> Report {
        let mut r = Report {
            account: "1".into(),
            account_alias: None,
            regions: vec![],
            origin: "demo".into(),
            generated_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            profile: "default".into(),
            rules: crate::posture::rules()
                .iter()
                .filter(|r| crate::posture::is_default(r.id))
                .collect(),
            findings,
            fail_on,
            warnings: vec![],
            coverage: Default::default(),
            unknown_rules: vec![],
            framework: None,
        };
        r.sort();
        r
    }

    #[test]
    fn threshold_score_and_order() {
        let r = report(
            vec![
                finding("iam.user.no-owner-tag", Severity::Low, "a"),
                finding("iam.root.no-mfa", Severity::Critical, "b"),
            ],
            FailOn::High,
        );
        assert_eq!(r.findings[0].rule, "iam.root.no-mfa");
        assert_eq!(r.by_severity(), [1, 0, 0, 1, 0]);
        assert_eq!(r.failing_findings(), 1);
        assert!(r.failed());
        assert!(r.score() < 100);
        assert_eq!(r.failing_rules().len(), 2);
        assert_eq!(r.passed_rules(), r.rules.len() - 2);
        let clean = report(vec![], FailOn::Info);
        assert!(!clean.failed());
        assert_eq!(clean.score(), 100);
        let none = report(
            vec![finding("iam.root.no-mfa", Severity::Critical, "b")],
            FailOn::None,
        );
        assert!(!none.failed());
        assert_eq!(clean.time_label(), "2026-01-02T03:04:05Z");
    }

    #[test]
    fn hostile_titles_stay_one_plain_line() {
        let title = "evil\n\u{1b}[31mred\u{1b}[0m | *bold* <b>x</b> `tick`";
        let r = report(
            vec![finding("iam.user.no-owner-tag", Severity::Low, title)],
            FailOn::Low,
        );
        let table = render(&r, Format::Table);
        assert!(!table.contains('\u{1b}'));
        // Escapes stay visible (issue 12 item 2), on one line.
        assert!(
            table
                .lines()
                .last()
                .unwrap()
                .ends_with("evil\\n\\u{1b}[31mred\\u{1b}[0m | *bold* <b>x</b> `tick`"),
            "{table}"
        );
        let md = render(&r, Format::Markdown);
        assert!(!md.contains('\u{1b}'));
        assert!(
            md.contains(
                "evil\\\\n\\\\u{1b}\\[31mred\\\\u{1b}\\[0m \\| \\*bold\\* &lt;b&gt;x&lt;/b&gt; \\`tick\\`"
            ),
            "{md}"
        );
    }

    #[test]
    fn markdown_cannot_be_injected() {
        use markdown::{cell, code, text};
        // A value with two backticks ends a `` fence early: the fence is longer than any run.
        assert_eq!(code("a``<details>``b"), "```a``<details>``b```");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code(""), "`  `");
        // Outside code: no HTML, no entities, no emphasis; mentions and URLs inert.
        assert_eq!(
            text("<img src=x> &#x202e; *b* @alice see https://evil.example/x www.evil.example"),
            "&lt;img src=x&gt; &amp;\\#x202e; \\*b\\* `@alice` see `https://evil.example/x` `www.evil.example`"
        );
        assert_eq!(text("mail bob@example.com"), "mail `bob@example.com`");
        // In a table cell a pipe is escaped inside the code span too.
        assert_eq!(cell("@a|b c|d"), "`@a\\|b` c\\|d");
    }

    #[test]
    fn sarif_levels() {
        use sarif::level;
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(level(Severity::Informational), "note");
    }
}
