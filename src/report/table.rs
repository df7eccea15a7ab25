//! Plain terminal text: a summary and one line per finding, worst first. No colour codes or
//! terminal control sequences, so it reads the same on a tty, in a pipe and in a CI log
//! (and `NO_COLOR` is trivially respected).

use super::Report;
use crate::model::Severity;
use std::fmt::Write;

/// The one-line verdict, also printed on stdout when `--output` sends the report to a file.
pub fn summary_line(r: &Report) -> String {
    let c = r.by_severity();
    let verdict = match r.fail_on.threshold() {
        None => "PASS (fail-on none)".to_string(),
        Some(_) if r.failed() => format!(
            "FAIL: {} finding(s) at or above {}",
            r.failing_findings(),
            r.fail_on.label()
        ),
        Some(_) => format!("PASS: nothing at or above {}", r.fail_on.label()),
    };
    format!(
        "{verdict} | {} critical, {} high, {} medium, {} low, {} info | score {}/100",
        c[0],
        c[1],
        c[2],
        c[3],
        c[4],
        r.score()
    )
}

pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let regions = if r.regions.is_empty() {
        "none".to_string()
    } else {
        r.regions.join(", ")
    };
    let _ = writeln!(
        s,
        "guardpost check: account {} | regions {regions} | {} | captured {}",
        r.account_label(),
        r.origin,
        r.time_label()
    );
    if let Some(line) = r.incomplete_line() {
        let _ = writeln!(s, "{line}");
    }
    let _ = writeln!(
        s,
        "rules: profile {}, {} checked, {} failing, {} passed{}",
        r.profile,
        r.rules.len(),
        r.failing_rules().len(),
        r.passed_rules(),
        if r.unknown_rules.is_empty() {
            String::new()
        } else {
            format!(", {} unknown", r.unknown_rules.len())
        }
    );
    let _ = writeln!(s, "{}", summary_line(r));
    for (rule, why) in &r.unknown_rules {
        let _ = writeln!(s, "unknown: {rule}: {}", one_line(why));
    }
    for w in &r.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    if r.findings.is_empty() {
        let _ = writeln!(s, "\nNo findings.");
        return s;
    }
    let sev_w = Severity::ALL
        .iter()
        .map(|x| x.label().len())
        .max()
        .unwrap_or(8);
    let rule_w = r.findings.iter().map(|f| f.rule.len()).max().unwrap_or(4);
    let region_w = r
        .findings
        .iter()
        .map(|f| f.region.len())
        .max()
        .unwrap_or(6)
        .max("REGION".len());
    let _ = writeln!(
        s,
        "\n{:<sev_w$}  {:<rule_w$}  {:<region_w$}  RESOURCE  TITLE",
        "SEVERITY", "RULE", "REGION"
    );
    for f in &r.findings {
        let _ = writeln!(
            s,
            "{:<sev_w$}  {:<rule_w$}  {:<region_w$}  {}  {}",
            f.severity.label(),
            f.rule,
            f.region,
            one_line(&f.resource.arn),
            one_line(&f.title)
        );
    }
    s
}

/// Titles from other sources may hold newlines, tabs or even escape sequences; a table line
/// stays one line of plain text.
pub(crate) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
