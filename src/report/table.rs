//! Plain terminal text: a summary and one line per finding, worst first. No colour codes or
//! terminal control sequences, so it reads the same on a tty, in a pipe and in a CI log
//! (and `NO_COLOR` is trivially respected). Every string that came from AWS or a file goes
//! through [`crate::sanitize::line`], so a finding cannot write escape sequences or bidi
//! controls into the terminal or the CI log.

use super::Report;
use crate::model::Severity;
use crate::sanitize;
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
        sanitize::line(&r.regions.join(", ")).into_owned()
    };
    let _ = writeln!(
        s,
        "guardpost check: account {} | regions {regions} | {} | captured {}",
        sanitize::line(&r.account_label()),
        sanitize::line(&r.origin),
        r.time_label()
    );
    if let Some(line) = r.incomplete_line() {
        let _ = writeln!(s, "{}", sanitize::line(&line));
    }
    let _ = writeln!(
        s,
        "rules: profile {}, {} checked, {} failing, {} passed{}",
        sanitize::line(&r.profile),
        r.rules.len(),
        r.failing_rules().len(),
        r.passed_rules(),
        if r.unknown_rules.is_empty() {
            String::new()
        } else {
            format!(", {} unknown", r.unknown_rules.len())
        }
    );
    if let Some(scope) = &r.framework {
        let _ = writeln!(s, "{}", scope.line());
    }
    let _ = writeln!(s, "{}", summary_line(r));
    for (rule, why) in &r.unknown_rules {
        let _ = writeln!(s, "unknown: {rule}: {}", one_line(why));
    }
    for w in &r.warnings {
        let _ = writeln!(s, "warning: {}", sanitize::line(w));
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
    // With --framework, the finding's ids in that framework (CIS 5.0 `1.9`) after the rule.
    let fw = r.framework.as_ref().map(|x| x.framework);
    let rows: Vec<[String; 5]> = r
        .findings
        .iter()
        .map(|f| {
            [
                one_line(&f.rule),
                fw.map(|fw| one_line(&fw.ids(&f.controls).join(",")))
                    .unwrap_or_default(),
                one_line(&f.region),
                one_line(&f.resource.arn),
                one_line(&f.title),
            ]
        })
        .collect();
    let width = |s: &str| s.chars().count();
    let rule_w = rows.iter().map(|c| width(&c[0])).max().unwrap_or(4);
    let region_w = rows
        .iter()
        .map(|c| width(&c[2]))
        .max()
        .unwrap_or(6)
        .max("REGION".len());
    let (ctl_head, ctl_w) = match fw {
        Some(fw) => (
            fw.short(),
            rows.iter()
                .map(|c| width(&c[1]))
                .max()
                .unwrap_or(0)
                .max(fw.short().len()),
        ),
        None => ("", 0),
    };
    // The framework column and its gap only exist with --framework.
    let gap = if fw.is_some() { "  " } else { "" };
    let _ = writeln!(
        s,
        "\n{:<sev_w$}  {:<rule_w$}  {:<ctl_w$}{gap}{:<region_w$}  RESOURCE  TITLE",
        "SEVERITY", "RULE", ctl_head, "REGION"
    );
    for (f, [rule, ctl, region, arn, title]) in r.findings.iter().zip(&rows) {
        let _ = writeln!(
            s,
            "{:<sev_w$}  {:<rule_w$}  {:<ctl_w$}{gap}{:<region_w$}  {arn}  {title}",
            f.severity.label(),
            rule,
            ctl,
            region,
        );
    }
    s
}

/// A table field from another source: one line, every control, bidi and invisible character
/// escaped visibly ([`crate::sanitize::line`]), surrounding blanks trimmed.
pub(crate) fn one_line(s: &str) -> String {
    sanitize::line(s.trim()).into_owned()
}
