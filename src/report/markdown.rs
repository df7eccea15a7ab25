//! A Markdown report to paste into a ticket or a pull-request comment: header, summary table,
//! findings grouped by severity with controls and remediation.

use super::table::one_line;
use super::{Report, sev_word};
use crate::model::Severity;
use std::fmt::Write;

/// Escapes text for Markdown prose and table cells: no HTML, no emphasis, no table breaks.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// An inline code span that survives backticks in the text.
fn code(s: &str) -> String {
    let s = one_line(s);
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# guardpost check: account {}\n",
        esc(&r.account_label())
    );
    let regions: Vec<String> = r.regions.iter().map(|x| code(x)).collect();
    let _ = writeln!(
        s,
        "- **Regions:** {}",
        if regions.is_empty() {
            "none".to_string()
        } else {
            regions.join(", ")
        }
    );
    let _ = writeln!(
        s,
        "- **Data:** {}, captured {}",
        esc(&r.origin),
        r.time_label()
    );
    let _ = writeln!(
        s,
        "- **Rules:** profile {}, {} checked",
        code(&r.profile),
        r.rules.len()
    );
    let verdict = match r.fail_on.threshold() {
        None => "PASS (fail-on none)".to_string(),
        Some(_) if r.failed() => format!(
            "**FAIL**: {} finding(s) at or above {}",
            r.failing_findings(),
            r.fail_on.label()
        ),
        Some(_) => format!("PASS: nothing at or above {}", r.fail_on.label()),
    };
    let _ = writeln!(s, "- **Result:** {verdict}");
    if let Some(line) = r.incomplete_line() {
        let _ = writeln!(s, "- **Coverage:** {}", esc(&line));
        for c in r.coverage.incomplete() {
            let _ = writeln!(s, "  - {}", esc(&c.label()));
        }
        for (rule, why) in &r.unknown_rules {
            let _ = writeln!(s, "  - unknown rule {}: {}", code(rule), esc(why));
        }
    }
    for w in &r.warnings {
        let _ = writeln!(s, "- **Warning:** {}", esc(w));
    }

    let _ = writeln!(s, "\n## Summary\n");
    let _ = writeln!(s, "| Severity | Findings |\n|---|---:|");
    for (sev, n) in Severity::ALL.iter().zip(r.by_severity()) {
        let _ = writeln!(s, "| {} | {n} |", sev_word(*sev));
    }
    let _ = writeln!(
        s,
        "\nPosture score **{}/100**: {} of {} rules pass, {} fail{}.",
        r.score(),
        r.passed_rules(),
        r.rules.len(),
        r.failing_rules().len(),
        if r.unknown_rules.is_empty() {
            String::new()
        } else {
            format!(", {} unknown", r.unknown_rules.len())
        }
    );

    let _ = writeln!(s, "\n## Findings");
    if r.findings.is_empty() {
        let _ = writeln!(s, "\nNo findings.");
        return s;
    }
    for sev in Severity::ALL {
        let group: Vec<_> = r.findings.iter().filter(|f| f.severity == sev).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n### {} ({})", sev_word(sev), group.len());
        for f in group {
            let _ = writeln!(s, "\n#### {} {}\n", code(&f.rule), esc(&f.title));
            let _ = writeln!(
                s,
                "- **Resource:** {} ({}), region {}",
                code(&f.resource.arn),
                esc(&f.resource.kind),
                code(&f.region)
            );
            let _ = writeln!(
                s,
                "- **Source:** {}, status {}",
                f.source.label(),
                f.status.label()
            );
            if !f.controls.is_empty() {
                let ctl: Vec<String> = f
                    .controls
                    .iter()
                    .map(|c| format!("{} {}", esc(&c.framework), esc(&c.id)))
                    .collect();
                let _ = writeln!(s, "- **Controls:** {}", ctl.join(", "));
            }
            if let Some(rem) = &f.remediation {
                let _ = writeln!(s, "- **Remediation:** {}", esc(rem));
            }
            for line in escalation_lines(f.escalation.as_ref()) {
                let _ = writeln!(s, "{line}");
            }
        }
    }
    s
}

/// One list item per escalation path, one sub-item per hop with the statements that allow it.
fn escalation_lines(paths: Option<&serde_json::Value>) -> Vec<String> {
    let Some(paths) = paths.and_then(|p| p.as_array()) else {
        return Vec::new();
    };
    let text = |v: &serde_json::Value, k: &str| {
        v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string()
    };
    let mut out = Vec::new();
    for p in paths {
        let mut hedge = String::new();
        if p.get("needs_mfa").and_then(|x| x.as_bool()) == Some(true) {
            hedge.push_str(", needs MFA");
        }
        for d in p
            .get("depends_on")
            .and_then(|x| x.as_array())
            .into_iter()
            .flatten()
        {
            hedge.push_str(&format!(", depends on {}", code(d.as_str().unwrap_or(""))));
        }
        out.push(format!(
            "- **Escalation:** {} reaches {} ({}{hedge})",
            code(&text(p, "method")),
            code(&text(p, "target")),
            esc(&text(p, "reaches")),
        ));
        for h in p
            .get("hops")
            .and_then(|x| x.as_array())
            .into_iter()
            .flatten()
        {
            let stmts: Vec<String> = h
                .get("statements")
                .and_then(|x| x.as_array())
                .into_iter()
                .flatten()
                .map(|st| {
                    format!(
                        "{} statement {}",
                        esc(&text(st, "policy")),
                        code(&text(st, "statement"))
                    )
                })
                .collect();
            out.push(format!(
                "  - {} {} {} with {} ({})",
                code(&text(h, "from")),
                esc(&text(h, "kind")),
                code(&text(h, "to")),
                code(&text(h, "method")),
                stmts.join("; ")
            ));
        }
    }
    out
}
